//! A local SESv2 endpoint for tests. It speaks the REST JSON wire format of
//! `GET /v2/email/identities/{id}` over plain HTTP/1.1 (keep-alive, as the SDK
//! uses it), binds only 127.0.0.1 on a free port, answers from a script of
//! [`Reply`]s in order (the last one repeats), and records every request so a
//! test can assert what the client did (e.g. that a 429 was retried).
//!
//! A reply can also misbehave in time ([`Pace`]): accept the request and never
//! answer, or answer one byte at a time, for the client's deadlines.
//!
//! It runs on its own thread with its own runtime, so both async library tests
//! and tests that start the `sendlint` binary can use it.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// `x-amzn-ErrorType`, for errors.
    pub error_type: Option<String>,
    /// The body.
    pub body: String,
    /// How the answer is sent.
    pub pace: Pace,
}

/// How the server sends a reply.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Pace {
    /// All at once, as a healthy server does.
    #[default]
    AtOnce,
    /// Never: the request is read, the connection stays open, nothing is sent.
    Never,
    /// One byte every interval from the first byte of the status line.
    Trickle(Duration),
    /// Status line and headers at once, then the body one byte every interval.
    TrickleBody(Duration),
}

impl Reply {
    /// 200 with a GetEmailIdentity body.
    pub fn identity(body: impl Into<String>) -> Reply {
        Reply { status: 200, error_type: None, body: body.into(), pace: Pace::AtOnce }
    }

    /// Accepts the request and never answers (the connection stays open).
    pub fn never() -> Reply {
        Reply { pace: Pace::Never, ..Reply::error(500, "InternalFailure", "never sent") }
    }

    /// This reply, sent at `pace`.
    pub fn paced(self, pace: Pace) -> Reply {
        Reply { pace, ..self }
    }

    /// An error the way SESv2 sends it: status, `x-amzn-ErrorType`, `{"message": …}`.
    pub fn error(status: u16, error_type: &str, message: &str) -> Reply {
        let message = message.replace('\\', "\\\\").replace('"', "\\\"");
        Reply {
            status,
            error_type: Some(error_type.to_owned()),
            body: format!("{{\"message\":\"{message}\"}}"),
            pace: Pace::AtOnce,
        }
    }

    /// 404 `NotFoundException` for `identity`.
    pub fn not_found(identity: &str) -> Reply {
        Reply::error(404, "NotFoundException", &format!("Email identity {identity} does not exist."))
    }

    /// 429 `TooManyRequestsException`, which the SDK retries.
    pub fn throttled() -> Reply {
        Reply::error(429, "TooManyRequestsException", "Too Many Requests")
    }

    /// 403 for bad credentials.
    pub fn bad_credentials() -> Reply {
        Reply::error(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }

    /// 200 with [`identity_body`] for whichever identity the request names:
    /// one script serves a whole audit's domains.
    pub fn identity_of_request(selector: &str, dkim_status: &str, mail_from_status: &str) -> Reply {
        Reply::identity(identity_body(IDENTITY, selector, dkim_status, mail_from_status))
    }

    /// 200 with a body that is not JSON.
    pub fn malformed() -> Reply {
        Reply {
            status: 200,
            error_type: None,
            body: "{\"DkimAttributes\": {\"Status\": ".into(),
            pace: Pace::AtOnce,
        }
    }
}

/// Replaced, in a reply's body, by the identity the request names.
const IDENTITY: &str = "%IDENTITY%";

/// A realistic GetEmailIdentity body for a BYODKIM domain (EXTERNAL origin, the
/// selector in Tokens, VerificationInfo with an SOA, epoch-second timestamps).
pub fn identity_body(domain: &str, selector: &str, dkim_status: &str, mail_from_status: &str) -> String {
    identity_body_with_soa(domain, selector, (dkim_status, mail_from_status), "ns1.dns.test", 2026112401)
}

/// [`identity_body`], with the SOA that SES saw at its last check
/// (`VerificationInfo.SOARecord`): its primary name server and serial.
pub fn identity_body_with_soa(
    domain: &str,
    selector: &str,
    (dkim_status, mail_from_status): (&str, &str),
    primary: &str,
    serial: i64,
) -> String {
    format!(
        r#"{{"IdentityType":"DOMAIN","FeedbackForwardingStatus":true,"VerifiedForSendingStatus":{verified},
"DkimAttributes":{{"SigningEnabled":true,"Status":"{dkim_status}","Tokens":["{selector}"],
"SigningAttributesOrigin":"EXTERNAL","CurrentSigningKeyLength":"RSA_2048_BIT","LastKeyGenerationTimestamp":1795400000.0}},
"MailFromAttributes":{{"MailFromDomain":"send.{domain}","MailFromDomainStatus":"{mail_from_status}","BehaviorOnMxFailure":"USE_DEFAULT_VALUE"}},
"Policies":{{}},"Tags":[],"VerificationStatus":"{dkim_status}",
"VerificationInfo":{{"LastCheckedTimestamp":1795650000.5,"LastSuccessTimestamp":1795600000,
"SOARecord":{{"PrimaryNameServer":"{primary}","AdminEmail":"hostmaster.{domain}","SerialNumber":{serial}}}}}}}"#,
        verified = dkim_status == "SUCCESS",
    )
}

/// A request the server received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`.
    pub method: String,
    /// `/v2/email/identities/mail.acme.test`.
    pub path: String,
    /// An `Authorization` header (SigV4) was present.
    pub signed: bool,
    /// The access key id the request was signed with (SigV4 `Credential=`).
    pub access_key_id: Option<String>,
    /// The region of the signature's credential scope.
    pub region: Option<String>,
    /// An `x-amz-security-token` header (temporary credentials) was present.
    pub session_token: Option<String>,
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20261129/us-east-1/ses/aws4_request, …`
/// → (key id, region).
fn credential_scope(authorization: &str) -> Option<(String, String)> {
    let scope = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = scope.split('/');
    let id = parts.next()?.to_owned();
    let _date = parts.next()?;
    let region = parts.next()?.to_owned();
    Some((id, region))
}

/// A running test endpoint. Dropping it stops nothing on purpose (tests end
/// the process); it holds no resources other tests could need.
pub struct TestSes {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

struct Script {
    replies: Vec<Reply>,
    next: usize,
}

impl TestSes {
    /// Starts the endpoint on 127.0.0.1 with `replies` served in order.
    pub fn start(replies: Vec<Reply>) -> io::Result<TestSes> {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(Script { replies, next: 0 }));
        let log = requests.clone();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = TcpListener::from_std(std_listener) else { return };
                while let Ok((stream, _)) = listener.accept().await {
                    tokio::spawn(serve(stream, script.clone(), log.clone()));
                }
            });
        });
        Ok(TestSes { addr, requests })
    }

    /// `http://127.0.0.1:PORT`, for `--ses-endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

async fn serve(stream: tokio::net::TcpStream, script: Arc<Mutex<Script>>, log: Arc<Mutex<Vec<Request>>>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let mut line = String::new();
        match read.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_owned();
        let path = parts.next().unwrap_or_default().to_owned();
        let (mut length, mut signed) = (0usize, false);
        let (mut scope, mut session_token) = (None, None);
        loop {
            let mut header = String::new();
            match read.read_line(&mut header).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                if name == "content-length" {
                    length = value.trim().parse().unwrap_or(0);
                }
                if name == "authorization" {
                    signed = true;
                    scope = credential_scope(value.trim());
                }
                if name == "x-amz-security-token" {
                    session_token = Some(value.trim().to_owned());
                }
            }
        }
        let mut body = vec![0; length];
        if read.read_exact(&mut body).await.is_err() {
            return;
        }
        if let Ok(mut log) = log.lock() {
            let (access_key_id, region) = scope.clone().unzip();
            log.push(Request {
                method: method.clone(),
                path: path.clone(),
                signed,
                access_key_id,
                region,
                session_token: session_token.clone(),
            });
        }
        let reply = if method == "GET" && path.starts_with("/v2/email/identities/") {
            script.lock().ok().and_then(|mut s| {
                let i = s.next.min(s.replies.len().saturating_sub(1));
                s.next += 1;
                s.replies.get(i).cloned()
            })
        } else {
            None
        };
        let mut reply = reply.unwrap_or_else(|| {
            Reply::error(404, "UnknownOperationException", "not a GetEmailIdentity request")
        });
        if let Some(identity) = path.strip_prefix("/v2/email/identities/") {
            reply.body = reply.body.replace(IDENTITY, identity);
        }
        let reason = match reply.status {
            200 => "OK",
            403 => "Forbidden",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Error",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-amzn-requestid: 00000000-0000-4000-8000-000000000000\r\n",
            reply.status,
            reply.body.len()
        );
        if let Some(t) = &reply.error_type {
            head.push_str(&format!("x-amzn-errortype: {t}\r\n"));
        }
        head.push_str("\r\n");
        let sent = match reply.pace {
            Pace::AtOnce => {
                send(&mut write, head.as_bytes(), None).await
                    && send(&mut write, reply.body.as_bytes(), None).await
            }
            Pace::Never => {
                // hold the connection open, say nothing, until the client hangs up
                let mut rest = Vec::new();
                let _ = read.read_to_end(&mut rest).await;
                return;
            }
            Pace::Trickle(every) => {
                send(&mut write, head.as_bytes(), Some(every)).await
                    && send(&mut write, reply.body.as_bytes(), Some(every)).await
            }
            Pace::TrickleBody(every) => {
                send(&mut write, head.as_bytes(), None).await
                    && send(&mut write, reply.body.as_bytes(), Some(every)).await
            }
        };
        if !sent {
            return;
        }
    }
}

/// Writes `bytes`, all at once or one byte per `every`; false once the client is gone.
async fn send(write: &mut tokio::net::tcp::OwnedWriteHalf, bytes: &[u8], every: Option<Duration>) -> bool {
    let Some(every) = every else { return write.write_all(bytes).await.is_ok() };
    for byte in bytes {
        if write.write_all(std::slice::from_ref(byte)).await.is_err() || write.flush().await.is_err() {
            return false;
        }
        tokio::time::sleep(every).await;
    }
    true
}
