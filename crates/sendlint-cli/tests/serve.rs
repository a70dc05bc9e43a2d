//! `sendlint serve` argument checks, against the real binary.

mod common;

use common::{sendlint, stderr};

#[test]
fn serve_refuses_a_non_loopback_address_without_a_token() {
    let out = sendlint(&["serve", "--zone", "fixtures/demo/zones", "--listen", "0.0.0.0:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("refusing to listen on 0.0.0.0:0") && err.contains("--token"), "{err}");
}

#[test]
fn serve_reports_a_bad_manifest_before_listening() {
    let out = sendlint(&["serve", "Cargo.toml", "--zone", "fixtures/demo/zones", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("not a workspace manifest"), "{}", stderr(&out));
}

#[test]
fn serve_refuses_a_weak_token() {
    for weak in [" ", "t", "short-token", "0123456789 abcdef"] {
        let out =
            sendlint(&["serve", "--zone", "fixtures/demo/zones", "--listen", "127.0.0.1:0", "--token", weak]);
        assert_eq!(out.status.code(), Some(2), "{weak:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--token"), "{}", stderr(&out));
    }
}

/// `sendlint serve` on `--listen localhost:0`, its stderr read line by line.
struct Running {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStderr>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn next_line(&mut self) -> String {
        match self.lines.next() {
            Some(Ok(line)) => line,
            other => panic!("sendlint serve said nothing more: {other:?}"),
        }
    }
}

#[test]
fn serve_listens_on_localhost_logs_each_request_and_says_when_it_stops() {
    use sendlint_testhttp::Request;
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["serve", "--zone", "fixtures/demo/zones", "--listen", "localhost:0"])
        .current_dir(common::root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sendlint serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut s = Running { child, lines: std::io::BufReader::new(stderr).lines() };
    // "listening on http://localhost:PORT/ (ADDR:PORT) (Ctrl-C stops)"
    let first = s.next_line();
    let rest = first
        .strip_prefix("sendlint serve: listening on http://localhost:")
        .unwrap_or_else(|| panic!("{first}"));
    let port = rest.split('/').next().unwrap_or_default().to_owned();
    let addr = rest.split(['(', ')']).nth(1).unwrap_or_else(|| panic!("{first}")).to_owned();
    let addr: std::net::SocketAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
    assert!(addr.ip().is_loopback(), "{first}");

    let host = format!("localhost:{port}");
    let answer = Request::get("/healthz").host(&host).send(addr).expect("an answer");
    assert!(answer.status_line.starts_with("HTTP/1.1 200"), "{answer:?}");
    // one line per request: peer, method, path, status, time
    let line = s.next_line();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert!(
        matches!(words.as_slice(), [peer, "GET", "/healthz", "200", ms, "ms"]
            if peer.parse::<std::net::SocketAddr>().is_ok() && ms.parse::<f64>().is_ok()),
        "{line}"
    );
    let host = format!("evil.example:{port}");
    Request::get("/api/v1/info").host(&host).send(addr).expect("an answer");
    let line = s.next_line();
    assert!(line.contains(" GET /api/v1/info 400 "), "{line}");

    let status =
        std::process::Command::new("kill").args(["-INT", &s.child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let stopping = s.next_line();
    assert!(stopping.starts_with("sendlint serve: stopping"), "{stopping}");
    assert_eq!(s.next_line(), "sendlint serve: stopped");
    assert_eq!(s.child.wait().expect("wait").code(), Some(0));
}
