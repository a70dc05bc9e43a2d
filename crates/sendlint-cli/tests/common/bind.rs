//! A BIND 9 `named` of our own for one test: the given zones, served as
//! primary on 127.0.0.1 at a free port, dynamic updates allowed from anyone
//! (`allow-update { any; }`), zone transfers allowed; unprivileged options,
//! its own directory and pid file, no rndc. Stopped when dropped.

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `named`.
pub struct Named {
    child: Child,
    /// The port it answers on (UDP and TCP).
    pub port: u16,
    /// Its directory (configuration, zone files, journals, log).
    pub dir: PathBuf,
    /// The zones it serves, by origin (with the trailing dot).
    pub zones: Vec<String>,
}

/// `named`, from PATH or Debian's /usr/sbin.
pub fn named_binary() -> Option<PathBuf> {
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain(["/usr/sbin", "/sbin"]) {
        let p = Path::new(dir).join("named");
        if p.is_file() {
            return Some(p);
        }
    }
    None
}

/// Whether the BIND tools the closed loop needs are here: `named`, `nsupdate`, `dig`.
pub fn tools_present() -> bool {
    let on_path = |name: &str| {
        std::env::var("PATH").unwrap_or_default().split(':').any(|d| Path::new(d).join(name).is_file())
    };
    named_binary().is_some() && on_path("nsupdate") && on_path("dig")
}

/// A port free for both UDP and TCP on 127.0.0.1, right now.
fn free_port() -> u16 {
    for _ in 0..50 {
        let Ok(tcp) = TcpListener::bind("127.0.0.1:0") else { continue };
        let Ok(addr) = tcp.local_addr() else { continue };
        if UdpSocket::bind(("127.0.0.1", addr.port())).is_ok() {
            return addr.port();
        }
    }
    panic!("no free port on 127.0.0.1");
}

/// The `$ORIGIN` of a zone text, lower-cased, with the trailing dot.
pub fn origin_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim();
        let rest = l.strip_prefix("$ORIGIN")?;
        let o = rest.split_whitespace().next()?.to_ascii_lowercase();
        Some(if o.ends_with('.') { o } else { format!("{o}.") })
    })
}

/// `text` with an address (127.0.0.1, where nothing answers on port 53) for
/// each name server inside the zone: BIND refuses to load a zone whose
/// in-zone NS targets have no address, which zone files of the fixtures
/// (served by sendlint's own zone reader) do not need.
fn with_glue(text: &str, origin: &str) -> String {
    let mut out = text.to_owned();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    let mut seen = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| w.eq_ignore_ascii_case("NS")) else { continue };
        let Some(target) = words.get(at + 1) else { continue };
        let target = target.to_ascii_lowercase();
        if target.ends_with('.') && target.ends_with(&format!(".{origin}")) && !seen.contains(&target) {
            out.push_str(&format!("{target} 300 IN A 127.0.0.1\n"));
            seen.push(target);
        }
    }
    out
}

impl Named {
    /// Starts `named` serving `zones` (zone texts with `$ORIGIN`) from `dir`.
    pub fn start(dir: &Path, zones: &[String]) -> Result<Named, String> {
        let named = named_binary().ok_or("named is not installed (Debian: bind9)")?;
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let port = free_port();
        let d = dir.display();
        let mut conf = format!(
            "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  session-keyfile \"{d}/session.key\";\n\
             \x20 managed-keys-directory \"{d}\";\n  listen-on port {port} {{ 127.0.0.1; }};\n  listen-on-v6 {{ none; }};\n\
             \x20 recursion no;\n  dnssec-validation no;\n  notify no;\n  allow-transfer {{ any; }};\n\
             \x20 check-names primary ignore;\n  check-mx ignore;\n  check-mx-cname ignore;\n  check-srv-cname ignore;\n\
             \x20 check-integrity no;\n  check-wildcard no;\n  check-sibling no;\n  check-dup-records ignore;\n}};\ncontrols {{ }};\n"
        );
        let mut origins = Vec::new();
        for (i, text) in zones.iter().enumerate() {
            let origin = origin_of(text).ok_or_else(|| format!("zone {i} has no $ORIGIN"))?;
            if origins.contains(&origin) {
                return Err(format!("two zones with the origin {origin}"));
            }
            let file = dir.join(format!("z{i}.zone"));
            std::fs::write(&file, with_glue(text, &origin)).map_err(|e| e.to_string())?;
            conf.push_str(&format!(
                "zone \"{origin}\" {{ type primary; file \"{}\"; allow-update {{ any; }}; }};\n",
                file.display()
            ));
            origins.push(origin);
        }
        let conf_path = dir.join("named.conf");
        std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("named.log")).map_err(|e| e.to_string())?;
        let child = Command::new(named)
            .args(["-g", "-n", "1", "-4", "-c"])
            .arg(&conf_path)
            .args(["-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("named does not start: {e}"))?;
        let mut server = Named { child, port, dir: dir.to_path_buf(), zones: origins };
        server.wait_ready()?;
        Ok(server)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("named exited ({status}):\n{}", self.log()));
            }
            let all_up = self.zones.iter().all(|z| {
                let out = self.dig(&[z, "SOA", "+short"]);
                !out.trim().is_empty()
            });
            if all_up {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("named did not serve every zone within 30 s:\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("named.log")).unwrap_or_default()
    }

    /// `dig @127.0.0.1 -p PORT ARGS…`, standard output.
    pub fn dig(&self, args: &[&str]) -> String {
        let out = Command::new("dig")
            .arg("@127.0.0.1")
            .args(["-p", &self.port.to_string(), "+time=2", "+tries=1"])
            .args(args)
            .output();
        out.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default()
    }

    /// Every record of `zone` by AXFR, one per line as dig prints it, SOA
    /// left out (its serial changes with every update), sorted.
    pub fn records(&self, zone: &str) -> Vec<String> {
        // a zone always has its NS records: an empty answer is a transfer
        // that timed out on a loaded machine, asked again
        let mut text = String::new();
        for _ in 0..10 {
            text = self.dig(&["+nocmd", "+nostats", "+nocomments", "+onesoa", "+time=5", "AXFR", zone]);
            if text.contains(" NS ") || text.contains("\tNS\t") {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| l.split(' ').nth(3) != Some("SOA"))
            .collect();
        lines.sort();
        lines
    }

    /// The address `--nameserver` takes.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Applies an `nsupdate` script (with our `server` line in front, as an
    /// admin would add theirs): nsupdate's exit status and its output.
    pub fn nsupdate(&self, script: &str) -> (bool, String) {
        let file = self.dir.join("update.txt");
        let text = format!("server 127.0.0.1 {}\n{script}", self.port);
        std::fs::write(&file, text).expect("update script");
        let out = Command::new("nsupdate").arg("-v").arg(&file).output().expect("nsupdate runs");
        let said =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), said)
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
