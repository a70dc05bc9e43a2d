//! Slow clients against `sendlint serve`: N connections that never finish a
//! request (a third send half a header then one byte every 5 s, a third send
//! the request line one byte every 5 s, a third make one request and then
//! idle on the kept-alive connection; raw TCP writes, on purpose never a whole
//! request), and a probe that asks `GET /healthz` on a new connection once a
//! second (the shared test client, `sendlint-testhttp`). Prints, every 5 s, how many of the slow
//! connections the server still holds open and the probes' latency.
//!
//! ```sh
//! cargo run -p sendlint-serve --example slow_clients -- 127.0.0.1:8080 300 60
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sendlint_testhttp::Request;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const DRIP: Duration = Duration::from_secs(5);

/// Reads until the server closes the connection (or the bench ends).
async fn until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

/// One slow connection; `open` counts it while the server keeps it.
async fn slow(addr: String, kind: usize, open: Arc<AtomicUsize>, failed: Arc<AtomicUsize>) {
    let Ok(stream) = TcpStream::connect(&addr).await else {
        failed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    open.fetch_add(1, Ordering::Relaxed);
    let (mut read, mut write) = stream.into_split();
    let host = format!("Host: {addr}\r\n");
    let writer = async move {
        match kind {
            // half a header, then one byte every DRIP
            0 => {
                let _ = write.write_all(format!("GET /healthz HTTP/1.1\r\n{host}").as_bytes()).await;
                loop {
                    tokio::time::sleep(DRIP).await;
                    if write.write_all(b"X").await.is_err() {
                        return;
                    }
                }
            }
            // the request line one byte every DRIP
            1 => {
                for b in b"GET /healthz HTTP/1.1\r\n".iter().cycle() {
                    if write.write_all(&[*b]).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(DRIP).await;
                }
            }
            // one whole request, then idle on the kept-alive connection
            _ => {
                let _ = write.write_all(format!("GET /healthz HTTP/1.1\r\n{host}\r\n").as_bytes()).await;
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = until_closed(&mut read) => {}
        _ = writer => {}
    }
    open.fetch_sub(1, Ordering::Relaxed);
}

/// `GET /healthz` on a new connection (the shared test client, on a blocking
/// thread): its latency, or why it failed.
async fn probe(addr: &str) -> Result<Duration, String> {
    let start = Instant::now();
    let addr = addr.to_owned();
    let work = tokio::task::spawn_blocking(move || {
        let answer = Request::get("/healthz").send(addr.as_str()).map_err(|e| e.to_string())?;
        if answer.status_line.starts_with("HTTP/1.1 200") {
            Ok(())
        } else {
            Err(format!("answer: {:?}", answer.status_line))
        }
    });
    match tokio::time::timeout(Duration::from_secs(30), work).await {
        Ok(Ok(Ok(()))) => Ok(start.elapsed()),
        Ok(Ok(Err(e))) => Err(e),
        Ok(Err(e)) => Err(format!("probe: {e}")),
        Err(_) => Err("no answer in 30 s".into()),
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = args.first().cloned().unwrap_or_else(|| "127.0.0.1:8080".into());
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let secs: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(60);

    let open = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    for i in 0..n {
        tokio::spawn(slow(addr.clone(), i % 3, open.clone(), failed.clone()));
    }
    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let probes = Arc::new(std::sync::Mutex::new(Vec::<(f64, Result<Duration, String>)>::new()));
    // one probe a second, each on its own task so a stuck probe does not delay the next
    let prober = {
        let probes = probes.clone();
        let addr = addr.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            while Instant::now() < until {
                tick.tick().await;
                let probes = probes.clone();
                let addr = addr.clone();
                let at = started.elapsed().as_secs_f64();
                tokio::spawn(async move {
                    let r = probe(&addr).await;
                    if let Ok(mut p) = probes.lock() {
                        p.push((at, r));
                    }
                });
            }
        })
    };
    println!(
        "{n} slow connections to {addr} (partial header, one byte every 5 s, idle keep-alive); probe GET /healthz every 1 s"
    );
    println!("{:>5}  {:>18}", "t (s)", "slow conns open");
    while Instant::now() < until {
        tokio::time::sleep(Duration::from_secs(5)).await;
        println!(
            "{:>5.0}  {:>18}   (connect failed: {})",
            started.elapsed().as_secs_f64(),
            open.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed)
        );
    }
    let _ = prober.await;
    // the last probes may still be waiting: give them their 30 s
    tokio::time::sleep(Duration::from_millis(200)).await;
    let deadline = Instant::now() + Duration::from_secs(31);
    loop {
        let done = probes.lock().map(|p| p.len()).unwrap_or(0);
        if done + 1 >= secs as usize || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let probes = probes.lock().map(|p| p.clone()).unwrap_or_default();
    let mut ok: Vec<Duration> = probes.iter().filter_map(|(_, r)| r.as_ref().ok().copied()).collect();
    ok.sort();
    let failed_probes: Vec<String> =
        probes.iter().filter_map(|(at, r)| r.as_ref().err().map(|e| format!("t={at:.0}s {e}"))).collect();
    let pct = |q: f64| -> String {
        if ok.is_empty() {
            return "-".into();
        }
        let i = ((ok.len() - 1) as f64 * q).round() as usize;
        format!("{:.1} ms", ok[i].as_secs_f64() * 1e3)
    };
    println!(
        "probes: {} sent, {} answered 200, {} failed; latency p50 {} p90 {} max {}",
        probes.len(),
        ok.len(),
        failed_probes.len(),
        pct(0.5),
        pct(0.9),
        pct(1.0)
    );
    for f in failed_probes.iter().take(10) {
        println!("  failed probe: {f}");
    }
    println!("slow connections still open at the end: {}", open.load(Ordering::Relaxed));
}
