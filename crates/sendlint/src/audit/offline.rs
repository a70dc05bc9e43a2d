//! The audit of a source that answers at once (zone files, a replay): each
//! entry is one CPU-bound job on a rayon pool, its check driven to completion
//! on the worker by [`block_on`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use sendlint_dns::Lookup;
use sendlint_rules::RuleSet;

use super::{AuditOptions, AuditRun, EntryOutcome, Finished, Stop, StopLevel, Workspace, entry_in_shard};
use crate::check::{CheckOptions, check};
use crate::manifest::ManifestIndex;
use sendlint_dns::layer::{FailFast, LookupExt};

/// Drives `future` to completion on this thread, parking while it is pending.
/// Enough for checks against a source that answers at once (zone files, a
/// replay, or those behind [`SharedLookup`](super::SharedLookup), whose only waits are on another
/// thread's answer to the same question): no tokio on rayon workers, and no
/// runtime to start for an offline `check`.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// [`super::audit`] for a source that answers at once: entries are judged on a
/// rayon pool of `opts.threads`, at most `opts.jobs` finished entries wait
/// for `done`, which runs on the calling thread in completion order.
pub(super) fn audit_offline(
    manifest: &ManifestIndex,
    source: Arc<dyn Lookup>,
    rules: &RuleSet,
    opts: &AuditOptions,
    stop: &Stop,
    mut done: impl FnMut(Finished),
) -> AuditRun {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    let workspace = Workspace::scan(manifest);
    let fail_fast = FailFast::new(opts.give_up_after);
    let lookup = source
        .fail_fast(&fail_fast, true)
        .shared(opts.jobs, None, opts.cache_capacity)
        .keeping_failures()
        .fail_fast(&fail_fast, false);
    let judge = |index: usize| -> Finished {
        let run = || match manifest.entry(index) {
            Err(e) => EntryOutcome::BadEntry(e),
            Ok(entry) => {
                let check_opts = CheckOptions {
                    now: opts.now,
                    ses: entry.ses,
                    org: entry.org.clone(),
                    workspace: workspace.context(&entry),
                    trust_anchors: opts.trust_anchors.clone(),
                    ..CheckOptions::default()
                };
                EntryOutcome::Report(Box::new(block_on(check(&entry.setup, &lookup, rules, &check_opts))))
            }
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            EntryOutcome::Crashed { message: format!("internal error: panicked with message {what:?}") }
        });
        let mut finished = Finished { index, outcome, json: None };
        if opts.json_lines {
            finished.json = Some(crate::output::json_line(&finished));
        }
        finished
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.threads.unwrap_or(0)).build();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Finished>(opts.jobs.max(1));
    let scheduled = std::sync::atomic::AtomicUsize::new(0);
    let mut finished = 0usize;
    std::thread::scope(|scope| {
        let work = || {
            (0..manifest.len())
                .filter(|&i| entry_in_shard(manifest, i, opts.shard))
                .take_while(|_| stop.level() == StopLevel::Run)
                .inspect(|_| {
                    scheduled.fetch_add(1, Ordering::Relaxed);
                })
                .par_bridge()
                .for_each_with(tx, |tx, index| {
                    if stop.level() < StopLevel::Abandon {
                        // the receiver is gone only when the audit is over
                        let _ = tx.send(judge(index));
                    }
                });
        };
        let worker = scope.spawn(move || match pool {
            Ok(pool) => pool.install(work),
            // no threads to be had: judge them here, one by one
            Err(_) => work(),
        });
        for item in rx.iter() {
            finished += 1;
            done(item);
        }
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
    let scheduled = scheduled.into_inner();
    let selected = match stop.level() {
        StopLevel::Run => scheduled,
        _ => (0..manifest.len()).filter(|&i| entry_in_shard(manifest, i, opts.shard)).count(),
    };
    AuditRun::ended(manifest.len(), selected, finished, lookup.inner().stats(), &fail_fast)
}
