//! Test-only: a small blocking HTTP/1.1 client for the tests of `sendlint serve`
//! and for driving chromedriver. One request per connection (`Connection: close`);
//! the answer is read up to its `Content-Length` (a peer may keep the connection
//! open), or to the end of the stream without one, and a chunked body is decoded.
//!
//! ```no_run
//! use sendlint_testhttp::Request;
//!
//! let answer = Request::get("/healthz").send("127.0.0.1:8080").expect("an answer");
//! assert_eq!(answer.status, 200);
//! ```

use std::fmt::Display;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// One request: method, path, headers and body.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    method: &'a str,
    path: &'a str,
    host: Option<&'a str>,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    timeout: Duration,
}

impl<'a> Request<'a> {
    /// `method path` with no body, a 30 s read timeout, and `Host` the address sent to.
    pub fn new(method: &'a str, path: &'a str) -> Self {
        Request { method, path, host: None, headers: Vec::new(), body: b"", timeout: Duration::from_secs(30) }
    }

    /// `GET path`.
    pub fn get(path: &'a str) -> Self {
        Request::new("GET", path)
    }

    /// `POST path` with a JSON body (`Content-Type: application/json`).
    pub fn post_json(path: &'a str, body: &'a str) -> Self {
        Request::new("POST", path).header("Content-Type", "application/json").body(body.as_bytes())
    }

    /// The `Host` header instead of the address the request is sent to.
    pub fn host(mut self, host: &'a str) -> Self {
        self.host = Some(host);
        self
    }

    /// One more header line.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// The body (`Content-Length` is always sent, 0 without a body).
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// How long one read may wait for the peer.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connects to `addr`, sends the request and reads the answer. A failure to
    /// write the body is ignored (a server may answer, 413, before reading a large
    /// one); a read failure after part of the answer ends the reading there.
    pub fn send(&self, addr: impl ToSocketAddrs + Display) -> io::Result<Answer> {
        let mut stream = TcpStream::connect(&addr)?;
        stream.set_read_timeout(Some(self.timeout))?;
        let host = self.host.map_or_else(|| addr.to_string(), str::to_owned);
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
            self.method,
            self.path,
            self.body.len()
        );
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        let _ = stream.write_all(self.body);
        read_answer(&mut stream)
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status line as sent (`HTTP/1.1 200 OK`).
    pub status_line: String,
    /// The status code.
    pub status: u16,
    /// The header lines, names as sent, values trimmed.
    pub headers: Vec<(String, String)>,
    /// The body (decoded when chunked), as text.
    pub body: String,
}

impl Answer {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `error.code` of a `sendlint serve` error body; panics without one.
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {}", self.body))
            .to_owned()
    }
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Reads the head, then the body: `Content-Length` bytes, or to the end.
fn read_answer(stream: &mut TcpStream) -> io::Result<Answer> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let mut head_end = None;
    let mut length = None;
    loop {
        if let (Some(end), Some(len)) = (head_end, length)
            && raw.len() >= end + 4 + len
        {
            break;
        }
        let n = match stream.read(&mut buf) {
            Ok(n) => n,
            Err(e) if raw.is_empty() => return Err(e),
            Err(_) => 0,
        };
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if head_end.is_none()
            && let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n")
        {
            head_end = Some(end);
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok());
        }
    }
    let Some(end) = head_end else {
        return Err(invalid(format!("no HTTP answer: {:?}", String::from_utf8_lossy(&raw))));
    };
    let head = String::from_utf8_lossy(&raw[..end]);
    let body = &raw[end + 4..];
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or_default().to_owned();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("no status line: {head}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let answer = Answer { status_line, status, headers, body: String::new() };
    let body = match length {
        Some(len) if body.len() < len => {
            return Err(invalid(format!("connection closed mid-answer: {head}")));
        }
        Some(len) => String::from_utf8_lossy(&body[..len]).into_owned(),
        None if answer.header("transfer-encoding").is_some_and(|v| v.contains("chunked")) => {
            dechunk(&String::from_utf8_lossy(body))
        }
        None => String::from_utf8_lossy(body).into_owned(),
    };
    Ok(Answer { body, ..answer })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { break };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}
