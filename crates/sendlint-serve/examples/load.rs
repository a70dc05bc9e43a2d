//! A small load generator for `sendlint serve`: N clients, each on its own
//! keep-alive connection, POST the same body in a loop for a fixed time;
//! prints requests, errors, throughput and latency percentiles. Its HTTP/1.1 is
//! its own, async and on kept-alive connections (the shared test client,
//! `sendlint-testhttp`, is blocking with one connection per request).
//!
//! ```sh
//! cargo run --release -p sendlint-serve --example load -- \
//!     http://127.0.0.1:8080/api/v1/check body.json 50 30
//! ```

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Outcome {
    latencies: Vec<Duration>,
    errors: u64,
}

async fn client(addr: String, path: String, host: String, body: String, until: Instant) -> Outcome {
    let mut out = Outcome { latencies: Vec::new(), errors: 0 };
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    'connect: while Instant::now() < until {
        let Ok(stream) = TcpStream::connect(&addr).await else {
            out.errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let mut stream = BufReader::new(stream);
        while Instant::now() < until {
            let start = Instant::now();
            if stream.get_mut().write_all(request.as_bytes()).await.is_err() {
                out.errors += 1;
                continue 'connect;
            }
            // status line and headers, then Content-Length bytes
            let mut line = String::new();
            let mut status = 0u16;
            let mut length = 0usize;
            let mut first = true;
            loop {
                line.clear();
                match stream.read_line(&mut line).await {
                    Ok(0) | Err(_) => {
                        out.errors += 1;
                        continue 'connect;
                    }
                    Ok(_) => {}
                }
                let l = line.trim_end();
                if first {
                    status = l.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
                    first = false;
                } else if l.is_empty() {
                    break;
                } else if let Some((k, v)) = l.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            if stream.read_exact(&mut body).await.is_err() {
                out.errors += 1;
                continue 'connect;
            }
            if status == 200 {
                out.latencies.push(start.elapsed());
            } else {
                out.errors += 1;
            }
        }
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: load URL BODY_FILE CLIENTS SECONDS");
        std::process::exit(2);
    }
    let url = args[1].strip_prefix("http://").unwrap_or(&args[1]);
    let (host, path) = url
        .split_once('/')
        .map(|(h, p)| (h.to_owned(), format!("/{p}")))
        .unwrap_or((url.to_owned(), "/".into()));
    let body = std::fs::read_to_string(&args[2]).unwrap_or_else(|e| panic!("{}: {e}", args[2]));
    let clients: usize = args[3].parse().expect("CLIENTS is a number");
    let seconds: u64 = args[4].parse().expect("SECONDS is a number");
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(client(host.clone(), path.clone(), host.clone(), body.clone(), until)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok(o) = t.await {
            latencies.extend(o.latencies);
            errors += o.errors;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "clients {clients}, {seconds} s: {} ok, {errors} errors, {:.0} req/s; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        latencies.len(),
        latencies.len() as f64 / elapsed,
        ms(percentile(&latencies, 50.0)),
        ms(percentile(&latencies, 90.0)),
        ms(percentile(&latencies, 99.0)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
}
