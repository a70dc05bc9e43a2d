//! A `sendlint serve` on 127.0.0.1 port 0 in-process, answering from the
//! in-process DNS server, and requests through the shared test client
//! (`sendlint-testhttp`) checked against the OpenAPI document.

#![allow(dead_code)] // each test file uses its own part

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sendlint::ManifestIndex;
use sendlint_dns::{LiveOptions, LiveSource, Lookup, ZoneSource};
use sendlint_rules::RuleSet;
use sendlint_serve::Config;
use sendlint_testdns::{Mode, TestServer};
use sendlint_testhttp::Request;

/// The workspace root, where `fixtures/` lives.
pub fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The demo zones (fixtures/demo/zones).
pub fn demo_zones() -> ZoneSource {
    ZoneSource::from_files(&[root().join("fixtures/demo/zones")]).expect("the demo zones load")
}

/// The demo workspace manifest.
pub fn demo_manifest() -> Arc<ManifestIndex> {
    let path = root().join("fixtures/demo/manifest.json");
    let text = std::fs::read_to_string(&path).expect("the demo manifest");
    Arc::new(ManifestIndex::parse("manifest.json", text).expect("the demo manifest parses"))
}

/// A running server and the DNS server behind it; both stop when dropped.
pub struct Serve {
    pub addr: SocketAddr,
    pub dns: TestServer,
    rt: Option<tokio::runtime::Runtime>,
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// Serves `zones` through a DNS server in `mode`, with `configure` applied
/// to the server's configuration.
pub fn serve(zones: &ZoneSource, mode: Mode, configure: impl FnOnce(&mut Config)) -> Serve {
    let dns = TestServer::start(zones, mode).expect("the DNS server starts");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let options = LiveOptions { timeout: Duration::from_millis(400), attempts: 1, ..LiveOptions::default() };
    let lookup: Arc<dyn Lookup> =
        Arc::new(rt.block_on(async { LiveSource::new(&[dns.addr()], options) }).expect("live source"));
    let addr = start(&rt, lookup, configure);
    Serve { addr, dns, rt: Some(rt) }
}

/// Starts the server on 127.0.0.1 port 0 on `rt`, answering from `lookup`
/// with the built-in rules and `configure` applied; returns its address.
fn start(
    rt: &tokio::runtime::Runtime,
    lookup: Arc<dyn Lookup>,
    configure: impl FnOnce(&mut Config),
) -> SocketAddr {
    let rules = Arc::new(RuleSet::builtin());
    let mut config = Config::new(lookup, rules);
    configure(&mut config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    listener.set_nonblocking(true).expect("nonblocking");
    rt.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        let _ = sendlint_serve::serve(listener, config, std::future::pending()).await;
    });
    addr
}

/// Serves from the demo zone files directly (offline, as `serve --zone`),
/// with `configure` applied.
pub fn serve_offline(configure: impl FnOnce(&mut Config)) -> (SocketAddr, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let lookup: Arc<dyn Lookup> = Arc::new(demo_zones());
    let addr = start(&rt, lookup, configure);
    (addr, rt)
}

/// The samples of a Prometheus exposition: `(name{labels}, value)`.
pub fn samples(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap_or_else(|_| panic!("not a number: {v}"))))
        .collect()
}

pub use sendlint_testhttp::Answer;

/// Sends one request (`Connection: close`) with the shared test client, reads the
/// whole answer, and checks it against the OpenAPI document ([`conforms`]).
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let request = headers.iter().fold(Request::new(method, path).body(body), |r, (k, v)| r.header(k, v));
    let answer = request.send(addr).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    conforms(method, path, &answer);
    answer
}

/// The OpenAPI document of a server with a token (every answer a server
/// without one gives is in it too).
fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| sendlint_serve::openapi(&RuleSet::builtin(), true))
}

/// Every answer of a documented operation is documented: its status, its
/// media type, and a JSON body validates against the response's schema (an
/// independent validator, the `jsonschema` crate, draft 2020-12, formats asserted).
pub fn conforms(method: &str, path: &str, answer: &Answer) {
    let doc = document();
    let path = path.split('?').next().unwrap_or_default();
    let same = |template: &str| {
        let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len()
            && t.iter()
                .zip(&p)
                .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
    };
    let Some(paths) = doc["paths"].as_object() else { return };
    // a literal path wins over a template (/api/v1/openapi.json is not /api/v1/rules/{code})
    let Some((template, ops)) =
        paths.iter().find(|(t, _)| t.as_str() == path).or_else(|| paths.iter().find(|(t, _)| same(t)))
    else {
        return;
    };
    let Some(op) = ops.get(method.to_ascii_lowercase()) else { return };
    let what = format!("{method} {path} ({template}) answered {}", answer.status);
    let response = op["responses"]
        .get(answer.status.to_string())
        .unwrap_or_else(|| panic!("{what}: the status is not documented: {}", answer.body));
    let Some(content) = response["content"].as_object() else { return };
    let media = answer.header("content-type").unwrap_or_default();
    let (documented, spec) = content
        .iter()
        .find(|(m, _)| media.starts_with(m.as_str()))
        .unwrap_or_else(|| panic!("{what}: content type {media:?} is not one of {:?}", content.keys()));
    if documented != "application/json" {
        return;
    }
    let mut root = serde_json::json!({"components": doc["components"].clone()});
    root["allOf"] = serde_json::json!([spec["schema"].clone()]);
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("{what}: the response schema does not compile: {e}"));
    let body: serde_json::Value = serde_json::from_str(&answer.body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", answer.body));
    let errors: Vec<String> =
        validator.iter_errors(&body).map(|e| format!("at {}: {e}", e.instance_path())).take(5).collect();
    let shown: String = answer.body.chars().take(600).collect();
    assert!(
        errors.is_empty(),
        "{what}: the body does not validate:\n  {}\nbody: {shown}",
        errors.join("\n  ")
    );
}

/// `GET path`.
pub fn get(addr: SocketAddr, path: &str) -> Answer {
    request(addr, "GET", path, &[], b"")
}

/// `POST path` with a JSON body.
pub fn post(addr: SocketAddr, path: &str, body: &serde_json::Value) -> Answer {
    request(addr, "POST", path, &[("Content-Type", "application/json")], body.to_string().as_bytes())
}

/// The demo manifest's entry of `domain`, as the body of `POST /api/v1/check`.
pub fn demo_setup(domain: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("manifest");
    let m: serde_json::Value = serde_json::from_str(&text).expect("json");
    m["domains"]
        .as_array()
        .and_then(|d| d.iter().find(|e| e["domain"] == domain))
        .cloned()
        .unwrap_or_else(|| panic!("{domain} is not in the demo manifest"))
}

/// Polls `f` until it returns `Some`, for up to `secs` seconds.
pub fn eventually<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "gave up after {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The mode the demo is normally served in.
pub const NORMAL: Mode = Mode::Normal;
