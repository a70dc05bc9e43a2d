//! The connections: an accept loop that drives hyper's HTTP/1 connections
//! itself, because `axum::serve` bounds neither the time a client may take to
//! send a request head nor the number of connections.
//!
//! - A connection must send a whole request head within
//!   [`Limits::header_timeout`] of opening, and again within it of each
//!   answer (so an idle kept-alive connection closes after it too); hyper
//!   closes it otherwise.
//! - At most [`Limits::connections`] connections are held. At the bound, a
//!   new connection takes the place of the one that has waited longest for a
//!   request head (half a header, or idle after an answer); a connection
//!   whose request is being answered is never cut. Only when every held
//!   connection is answering does a new one wait (its request waits at most
//!   for the others' deadlines).
//!
//! So clients that hold connections open without asking cannot starve the
//! server of file descriptors or keep a real request out.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinSet;

use crate::Limits;
use crate::metrics::{Closed, Metrics};

/// One held connection.
struct Slot {
    /// Requests of it being answered (HTTP/1: zero or one).
    busy: u32,
    /// Since when it has waited for a request head.
    since: Instant,
    /// Closes it when it must give its place to a new connection.
    evict: Option<oneshot::Sender<()>>,
}

/// The held connections, bounded.
pub(crate) struct Table {
    limit: usize,
    slots: Mutex<HashMap<u64, Slot>>,
    next: AtomicU64,
    /// Woken when a connection leaves or becomes idle.
    changed: Notify,
    metrics: Arc<Metrics>,
}

impl Table {
    pub(crate) fn new(limit: usize, metrics: Arc<Metrics>) -> Table {
        Table {
            limit: limit.max(1),
            slots: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            changed: Notify::new(),
            metrics,
        }
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<u64, Slot>> {
        // a poisoned map is still a whole map
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place for a new connection: a free one, or the place of the
    /// connection that has waited longest for a request head (closed).
    /// `None` when every held connection is answering a request.
    fn admit(&self) -> Option<(u64, oneshot::Receiver<()>)> {
        let mut slots = self.slots();
        if slots.len() >= self.limit {
            let oldest =
                slots.iter().filter(|(_, s)| s.busy == 0).min_by_key(|(_, s)| s.since).map(|(id, _)| *id);
            let mut evicted = slots.remove(&oldest?)?;
            if let Some(tx) = evicted.evict.take() {
                let _ = tx.send(());
            }
            self.metrics.connection_closed(Closed::Evicted);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        slots.insert(id, Slot { busy: 0, since: Instant::now(), evict: Some(tx) });
        self.metrics.connections_open(slots.len());
        Some((id, rx))
    }

    /// Connection `id` closed.
    fn leave(&self, id: u64) {
        let mut slots = self.slots();
        slots.remove(&id);
        self.metrics.connections_open(slots.len());
        drop(slots);
        self.changed.notify_one();
    }

    /// Connection `id` starts answering a request, until the guard is dropped
    /// (when its answer's body has been written).
    fn busy(self: &Arc<Self>, id: u64) -> Busy {
        if let Some(s) = self.slots().get_mut(&id) {
            s.busy += 1;
        }
        Busy { table: self.clone(), id }
    }
}

/// Marks a connection busy while alive.
struct Busy {
    table: Arc<Table>,
    id: u64,
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(s) = self.table.slots().get_mut(&self.id) {
            s.busy = s.busy.saturating_sub(1);
            s.since = Instant::now();
        }
        self.table.changed.notify_one();
    }
}

/// An answer's body that keeps its connection marked busy until hyper has
/// written it and dropped it.
struct Tracked {
    inner: Body,
    _busy: Busy,
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Accept errors that concern one connection only (it was reset before we
/// took it): take the next one at once.
fn per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(e.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes;
/// then lets the requests being answered finish (for at most the deadline).
pub(crate) async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let table = Arc::new(Table::new(limits.connections, metrics.clone()));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    'accept: loop {
        // shutdown first: a flood of connections does not keep the server from stopping
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break 'accept,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue 'accept,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) if per_connection(&e) => continue 'accept,
                Err(_) => {
                    // out of file descriptors or the like: give the held
                    // connections a moment to end rather than spin
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue 'accept;
                }
            },
        };
        let (id, evicted) = loop {
            let changed = table.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            if let Some(place) = table.admit() {
                break place;
            }
            tokio::select! {
                () = &mut shutdown => break 'accept,
                () = changed => {}
            }
        };
        metrics.connection_accepted();
        tasks.spawn(connection(
            stream,
            peer,
            id,
            evicted,
            builder.clone(),
            router.clone(),
            table.clone(),
            stop_rx.clone(),
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let grace = limits.deadline + Duration::from_secs(1);
    let _ = tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    Ok(())
}

/// One connection, until it ends, is evicted, or the server stops.
#[allow(clippy::too_many_arguments)] // the parts of one connection, spawned once
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    evicted: oneshot::Receiver<()>,
    builder: http1::Builder,
    router: Router,
    table: Arc<Table>,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let tower = TowerToHyperService::new(router);
    let marks = table.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        let busy = marks.busy(id);
        request.extensions_mut().insert(ConnectInfo(peer));
        let answer = hyper::service::Service::call(&tower, request);
        async move {
            let response: Response<Body> = answer.await?;
            Ok::<_, std::convert::Infallible>(response.map(|inner| Tracked { inner, _busy: busy }))
        }
    });
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let stopped = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    tokio::select! {
        ended = conn.as_mut() => {
            if ended.as_ref().is_err_and(|e| e.is_timeout()) {
                table.metrics.connection_closed(Closed::HeaderTimeout);
            }
        }
        // dropped: its place went to a newer connection
        _ = evicted => {}
        () = stopped => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
    table.leave(id);
}
