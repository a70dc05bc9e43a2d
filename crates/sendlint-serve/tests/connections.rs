//! Issue #22 over raw sockets: only the server's own Host names and
//! same-origin JSON requests are answered (DNS rebinding, cross-site
//! requests); slow clients are cut off and connections are bounded; the
//! protocol edges (`Expect: 100-continue` past the body limit, HTTP/1.1
//! without `Host`). Nothing here depends on how fast the machine is: a
//! server-side timeout of 1 s is checked with a client that waits up to 30 s.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::*;

/// How long a client waits for what the server must do (far beyond any
/// server-side timeout used here).
const PATIENCE: Duration = Duration::from_secs(30);

fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(PATIENCE)).expect("timeout");
    s
}

/// Reads until the server closes the connection; panics if it is still open
/// after [`PATIENCE`]. Returns what was read.
fn read_until_closed(s: &mut TcpStream, what: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return String::from_utf8_lossy(&got).into_owned(),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("{what}: the server still holds the connection after {PATIENCE:?}")
            }
            // reset by the server: closed too
            Err(_) => return String::from_utf8_lossy(&got).into_owned(),
        }
    }
}

/// Reads one answer's head (up to the blank line).
fn read_head(s: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut byte = [0u8; 1];
    while !got.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => got.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// Sends `raw` as is and reads the whole answer (the server closes: the
/// requests here say `Connection: close` or are refused).
fn raw(addr: SocketAddr, raw: &str) -> String {
    let mut s = connect(addr);
    s.write_all(raw.as_bytes()).expect("write");
    read_until_closed(&mut s, "a closing exchange")
}

fn status(answer: &str) -> u16 {
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status: {answer:?}"))
}

fn metric(addr: SocketAddr, name: &str) -> f64 {
    let m = get(addr, "/metrics").body;
    m.lines()
        .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')).and_then(|v| v.parse().ok()))
        .unwrap_or_else(|| panic!("no {name} in {m}"))
}

// 1. DNS rebinding and cross-site requests

#[test]
fn only_the_servers_own_host_names_are_answered() {
    let s = serve(&demo_zones(), NORMAL, |c| {
        c.manifest = Some(demo_manifest());
        c.allowed_hosts = vec!["Sendlint.Corp.example".into()];
    });
    let port = s.addr.port();
    let foreign = [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost.evil.example:{port}"),
        "192.0.2.7".to_owned(),
        "not a host".to_owned(),
    ];
    for host in &foreign {
        for path in ["/api/v1/domains", "/", "/api/v1/info"] {
            let a = raw(s.addr, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
            assert_eq!(status(&a), 400, "Host: {host} {path}: {a}");
            assert!(a.contains("host_not_allowed"), "Host: {host} {path}: {a}");
        }
    }
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "LOCALHOST.".to_owned(),
        format!("[::1]:{port}"),
        "127.0.0.1".to_owned(),
        "sendlint.corp.example".to_owned(),
    ] {
        let a =
            raw(s.addr, &format!("GET /api/v1/info HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"));
        assert_eq!(status(&a), 200, "Host: {host}: {a}");
    }
    // an absolute-form target names the host too
    let a = raw(
        s.addr,
        &format!(
            "GET http://evil.example:{port}/api/v1/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status(&a), 400, "{a}");
    assert!(metric(s.addr, "sendlint_http_rejected_total{reason=\"host\"}") >= foreign.len() as f64);
}

#[test]
fn requests_from_another_sites_page_are_refused() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let own = format!("http://127.0.0.1:{}", s.addr.port());
    let body = demo_setup("mail.acme.test").to_string();
    let check = |headers: &[(&str, &str)]| request(s.addr, "POST", "/api/v1/check", headers, body.as_bytes());

    // what a no-cors fetch or a form of another page can send
    for media in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let a = check(&[("Content-Type", media)]);
        assert_eq!((a.status, a.error_code().as_str()), (415, "unsupported_media_type"), "{media}");
    }
    assert_eq!(request(s.addr, "POST", "/api/v1/explain", &[], b"{}").status, 415, "no Content-Type");
    assert_eq!(metric(s.addr, "sendlint_checks_total{origin=\"api\"}"), 0.0, "no check ran");

    for (origin, site) in [
        (Some("http://evil.example"), None),
        (Some("null"), None),
        (Some("http://localhost:1"), None),
        (Some(&*format!("https://127.0.0.1:{}.evil.example", s.addr.port())), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
        (Some(&*own), Some("cross-site")),
    ] {
        let mut headers = vec![("Content-Type", "application/json")];
        headers.extend(origin.map(|o| ("Origin", o)));
        headers.extend(site.map(|v| ("Sec-Fetch-Site", v)));
        let a = check(&headers);
        assert_eq!((a.status, a.error_code().as_str()), (403, "cross_origin"), "{headers:?}");
        assert!(a.header("access-control-allow-origin").is_none());
    }
    assert_eq!(metric(s.addr, "sendlint_checks_total{origin=\"api\"}"), 0.0, "no check ran");

    // the page's own requests
    let a =
        check(&[("Content-Type", "application/json"), ("Origin", &own), ("Sec-Fetch-Site", "same-origin")]);
    assert_eq!(a.status, 200, "{}", a.body);
    let a = check(&[("Content-Type", "application/json; charset=utf-8")]);
    assert_eq!(a.status, 200, "{}", a.body);
    // following a link to the page from elsewhere (a permalink in a ticket)
    let a = request(
        s.addr,
        "GET",
        "/",
        &[("Sec-Fetch-Site", "cross-site"), ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document")],
        b"",
    );
    assert_eq!(a.status, 200);
    // no CORS: a preflight gets no permission
    let a = request(
        s.addr,
        "OPTIONS",
        "/api/v1/check",
        &[("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert!(a.status >= 400 && a.header("access-control-allow-origin").is_none(), "{a:?}");
}

// 2. Slow clients

#[test]
fn a_connection_that_never_finishes_its_head_is_closed() {
    let s = serve(&demo_zones(), NORMAL, |c| c.limits.header_timeout = Duration::from_secs(1));
    // half a header, then nothing
    let mut half = connect(s.addr);
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").expect("write");
    // nothing at all
    let mut silent = connect(s.addr);
    // one byte at a time, never done: the time bound is for the whole head
    let mut drip = connect(s.addr);
    drip.set_read_timeout(Some(Duration::from_millis(200))).expect("timeout");
    let started = Instant::now();
    let mut drip_closed = false;
    for b in b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".iter().chain([b'x'; 1000].iter()) {
        if drip.write_all(&[*b]).is_err() {
            drip_closed = true;
            break;
        }
        let mut buf = [0u8; 64];
        match drip.read(&mut buf) {
            Ok(0) => {
                drip_closed = true;
                break;
            }
            Err(e) if !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                drip_closed = true;
                break;
            }
            _ => {}
        }
        if started.elapsed() > PATIENCE {
            break;
        }
    }
    assert!(drip_closed, "a head sent one byte every 200 ms is still open after {PATIENCE:?}");
    assert_eq!(read_until_closed(&mut half, "half a head"), "", "closed without an answer");
    read_until_closed(&mut silent, "a silent connection");
    assert!(metric(s.addr, "sendlint_http_connections_closed_total{reason=\"header_timeout\"}") >= 3.0);
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
    let s = serve(&demo_zones(), NORMAL, |c| c.limits.header_timeout = Duration::from_secs(1));
    let mut c = connect(s.addr);
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").expect("write");
    let head = read_head(&mut c);
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("connection: close"), "kept alive: {head}");
    // the body ({"status":"ok"}), then the server closes the idle connection
    let rest = read_until_closed(&mut c, "an idle kept-alive connection");
    assert!(rest.contains("\"ok\""), "{rest}");
}

#[test]
fn a_body_that_never_arrives_ends_with_the_deadline_and_the_connection() {
    let s = serve(&demo_zones(), NORMAL, |c| {
        c.limits.deadline = Duration::from_secs(1);
        c.limits.header_timeout = Duration::from_secs(600);
    });
    let mut c = connect(s.addr);
    c.write_all(
        b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"domain\"",
    )
    .expect("write");
    let answer = read_until_closed(&mut c, "a body that never arrives");
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
}

#[test]
fn at_the_connection_bound_a_new_request_takes_an_idle_connections_place() {
    // a long header timeout: only the bound can close these
    let s = serve(&demo_zones(), NORMAL, |c| {
        c.limits.connections = 4;
        c.limits.header_timeout = Duration::from_secs(600);
    });
    let mut slow: Vec<TcpStream> = (0..10)
        .map(|_| {
            let mut c = connect(s.addr);
            c.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").expect("write");
            c
        })
        .collect();
    let a = get(s.addr, "/healthz");
    assert_eq!(a.status, 200, "a real request is answered at once");
    // 10 slow + 1 real through 4 places: the 7 that waited longest were closed
    for (i, c) in slow.iter_mut().take(7).enumerate() {
        read_until_closed(c, &format!("slow connection {i}"));
    }
    let m = get(s.addr, "/metrics").body;
    assert!(m.contains("sendlint_http_connections_closed_total{reason=\"evicted\"} "), "{m}");
    let open = metric(s.addr, "sendlint_http_connections_open");
    assert!(open <= 4.0, "{open} connections held over a bound of 4");
}

#[test]
fn a_connection_being_answered_is_never_cut_for_a_new_one() {
    // Two places; a silent name server makes a check slow (its lookups time out).
    let s = serve(&demo_zones(), sendlint_testdns::Mode::Silent, |c| {
        c.limits.connections = 2;
        c.limits.header_timeout = Duration::from_secs(600);
    });
    let addr = s.addr;
    let slow = std::thread::spawn(move || post(addr, "/api/v1/check", &demo_setup("mail.acme.test")));
    // the check is under way once its lookups are
    eventually(20, || (metric(addr, "sendlint_dns_queries_total") > 0.0 || slow.is_finished()).then_some(()));
    // an idle connection in the other place, then a real request: it takes
    // the idle one's place, never the busy one's
    let mut idle = connect(addr);
    idle.write_all(b"GET /healthz HTTP/1.1\r\n").expect("write");
    assert_eq!(get(addr, "/healthz").status, 200);
    let slow = slow.join().expect("the slow client");
    assert_eq!(slow.status, 200, "the check being answered was not cut: {}", slow.body);
}

// 3. Protocol edges

#[test]
fn a_declared_body_over_the_limit_is_refused_before_it_is_sent() {
    let s = serve(&demo_zones(), NORMAL, |c| c.limits.body_bytes = 1024);
    let mut c = connect(s.addr);
    c.write_all(
        b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
          Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n",
    )
    .expect("write");
    let head = read_head(&mut c);
    assert!(head.starts_with("HTTP/1.1 413"), "413 at once, not an invitation to upload: {head:?}");
    // and without Expect, the same
    let a = raw(
        s.addr,
        "POST /api/v1/explain HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5000\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&a), 413, "{a}");
    assert!(a.contains("body_too_large"), "{a}");
}

#[test]
fn an_http_1_1_request_needs_exactly_one_host() {
    let s = serve(&demo_zones(), NORMAL, |_| {});
    let a = raw(s.addr, "GET /api/v1/info HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(status(&a), 400, "RFC 9112 §3.2: {a}");
    assert!(a.contains("host_missing"), "{a}");
    let a = raw(
        s.addr,
        "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status(&a), 400, "{a}");
    // HTTP/1.0 has no Host requirement
    let a = raw(s.addr, "GET /api/v1/info HTTP/1.0\r\n\r\n");
    assert_eq!(status(&a), 200, "{a}");
}

#[test]
fn a_token_must_have_real_strength() {
    use sendlint_serve::check_token;
    for weak in ["", " ", "t", "                ", "short-token", "0123456789abcde"] {
        assert!(check_token(weak).is_err(), "{weak:?}");
    }
    assert!(check_token("0123456789abcdef 0123").unwrap_err().to_string().contains("visible ASCII"));
    assert!(check_token("tökentökentökentöken").is_err());
    assert!(check_token("0123456789abcdef").is_ok());
    assert!(check_token(&"a".repeat(64)).is_ok());
    let s = serve(&demo_zones(), NORMAL, |c| c.token = Some("0123456789abcdef".into()));
    let a = request(s.addr, "GET", "/api/v1/info", &[("Authorization", "Bearer 0123456789abcdef")], b"");
    assert_eq!(a.status, 200);
    assert_eq!(get(s.addr, "/api/v1/info").status, 401);
}
