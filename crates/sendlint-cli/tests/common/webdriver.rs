//! Just enough of the W3C WebDriver protocol to drive headless Chromium
//! through chromedriver on loopback: a session, navigation, elements, keys,
//! clicks, scripts, window size and screenshots, one request per command through
//! the shared test client (`sendlint-testhttp`).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use sendlint_testhttp::Request;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The Chromium and chromedriver binaries for a browser test; `None` (the test
/// is skipped, loudly) when they are not installed, a failure under `CI=true`.
pub fn browser_or_skip() -> Option<(PathBuf, PathBuf)> {
    let found = find_browser();
    if found.is_none() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but chromium/chromedriver are not installed: .ci/run installs them");
        }
        eprintln!(
            "\n!!!!!!!! SKIPPED: chromium and chromedriver are not installed; the browser tests did NOT run !!!!!!!!\n"
        );
    }
    found
}

/// The Chromium and chromedriver binaries, when installed.
pub fn find_browser() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| -> Option<PathBuf> {
        let path = std::env::var_os("PATH")?;
        names.iter().find_map(|n| std::env::split_paths(&path).map(|d| d.join(n)).find(|p| p.is_file()))
    };
    let chromium = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| find(&["chromium", "chromium-browser"]))?;
    let driver = std::env::var_os("CHROMEDRIVER").map(PathBuf::from).or_else(|| find(&["chromedriver"]))?;
    Some((chromium, driver))
}

fn http(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let answer = Request::new(method, path)
        .header("Content-Type", "application/json")
        .body(body.as_bytes())
        .timeout(Duration::from_secs(60))
        .send(addr)
        .map_err(|e| e.to_string())?;
    let body = answer.body;
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if let Some(err) = v["value"].get("error") {
        return Err(format!("{err}: {}", v["value"]["message"]));
    }
    Ok(v["value"].clone())
}

/// A chromedriver process and one browser session; both end when dropped.
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a headless session.
    pub fn start(chromium: &Path, driver: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::Builder::new()
            .prefix(&format!("sendlint-chromium-{port}-"))
            .tempdir()
            .expect("profile dir");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(addr, "GET", "/status", None).map(|v| v["ready"] != true).unwrap_or(true) {
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromedriver did not come up on {addr}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // Without the background-networking flags Chromium's own connections
        // are refused on a closed network and slow everything down.
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1000",
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium.display().to_string(), "args": args},
        }}});
        let session = match http(addr, "POST", "/session", Some(&caps)) {
            Ok(v) => v["sessionId"].as_str().expect("a session id").to_owned(),
            Err(e) => {
                let _ = child.kill();
                panic!("no browser session: {e}");
            }
        };
        Browser { driver: child, addr, session, _profile: profile }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        http(self.addr, method, &path, body.as_ref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Loads `url`.
    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({"url": url})));
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub fn js(&self, script: &str, args: Value) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Waits up to `secs` for `script` to return something truthy, and returns it.
    pub fn wait_for(&self, secs: u64, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.js(script, json!([]));
            if !(v.is_null() || v == false || v == "" || v == 0 || v.as_array().is_some_and(Vec::is_empty)) {
                return v;
            }
            if Instant::now() >= deadline {
                let page = self.js("return location.href + '\\n' + document.body.innerText;", json!([]));
                panic!("waited {secs} s for {what}; the page shows:\n{}", page.as_str().unwrap_or_default());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})));
        v[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned()
    }

    /// Types `text` into the element `css` (real key events).
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.cmd("POST", &format!("/element/{id}/value"), Some(json!({"text": text})));
    }

    /// Clicks the element `css`.
    pub fn click(&self, css: &str) {
        let id = self.element(css);
        self.cmd("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Grants or denies a permission (`clipboard-read`, …) to the page's origin.
    pub fn set_permission(&self, name: &str, state: &str) {
        self.cmd("POST", "/permissions", Some(json!({"descriptor": {"name": name}, "state": state})));
    }

    /// Resizes the window.
    pub fn window_size(&self, width: u32, height: u32) {
        self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height})));
    }

    /// Saves a PNG of the viewport to `path`.
    pub fn screenshot(&self, path: &Path) {
        let v = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("base64 PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot dir");
        }
        std::fs::write(path, png).expect("screenshot written");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(self.addr, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A running `sendlint serve` for a browser to open; killed when dropped.
pub struct Serve {
    child: Child,
    /// Its base URL, without the final `/`.
    pub url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `sendlint serve ARGS --listen 127.0.0.1:0` in the repository root and
/// waits for the address it says it listens on.
pub fn serve(args: &[&str]) -> Serve {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(super::root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sendlint serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let url = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    break rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches('/')
                        .to_owned();
                }
            }
            _ => {
                let _ = child.kill();
                panic!("sendlint serve ended before listening");
            }
        }
    };
    // keep draining stderr so the server never blocks on a full pipe
    std::thread::spawn(move || for _ in lines {});
    Serve { child, url }
}
