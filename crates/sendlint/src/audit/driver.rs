//! The audit of a live source: one tokio task per entry, lookups and
//! judgement interleaved, at most `jobs` entries in flight.

use std::collections::HashMap;
use std::sync::Arc;

use sendlint_dns::Lookup;
use sendlint_rules::RuleSet;
use tokio::task::JoinSet;

use super::Expired;
use super::{AuditOptions, AuditRun, EntryOutcome, Finished, Stop, StopLevel, Workspace, entry_in_shard};
use crate::check::{CheckOptions, check};
use crate::manifest::ManifestIndex;
use sendlint_dns::layer::{FailFast, LookupExt};

/// [`super::audit`] for a source that is waited on (the network, a rate
/// limit, SES): entries are checked in tokio tasks on the calling runtime.
pub(super) async fn audit_live(
    manifest: Arc<ManifestIndex>,
    source: Arc<dyn Lookup>,
    rules: Arc<RuleSet>,
    opts: &AuditOptions,
    stop: &Stop,
    mut done: impl FnMut(Finished),
) -> AuditRun {
    let workspace = Arc::new(Workspace::scan(&manifest));
    // every zone's NS set once per audit, however far apart its domains are
    let apexes = Arc::new(sendlint_dns::ApexMap::new());
    // Given up is checked twice: before the queue (skip at once) and right
    // before the real query (questions queued before the verdict).
    let fail_fast = FailFast::new(opts.give_up_after);
    // the source's name, for messages about questions that never reached it
    let source_label = source.describe().label;
    let lookup = Arc::new(
        source
            .fail_fast(&fail_fast, true)
            .shared(opts.jobs, opts.qps, opts.cache_capacity)
            .fail_fast(&fail_fast, false),
    );
    let deadline = opts.domain_deadline;
    let jobs = opts.jobs.max(1);
    let mut tasks: JoinSet<Finished> = JoinSet::new();
    let mut running: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut next = 0usize;
    let (mut selected, mut finished) = (0usize, 0usize);
    let (mut exhausted, mut aborted) = (false, false);
    loop {
        if !aborted && stop.level() == StopLevel::Abandon {
            // Finished tasks still come out of join_next; the others are cancelled.
            tasks.abort_all();
            aborted = true;
        }
        while !exhausted && tasks.len() < jobs && stop.level() == StopLevel::Run {
            let Some(index) = (next..manifest.len()).find(|&i| entry_in_shard(&manifest, i, opts.shard))
            else {
                next = manifest.len();
                exhausted = true;
                break;
            };
            next = index + 1;
            selected += 1;
            let (manifest, lookup, rules, workspace) =
                (manifest.clone(), lookup.clone(), rules.clone(), workspace.clone());
            let apexes = apexes.clone();
            let (fail_fast, source_label) = (fail_fast.clone(), source_label.clone());
            let (now, ses) = (opts.now, opts.ses.clone());
            let trust_anchors = opts.trust_anchors.clone();
            let handle = tasks.spawn(async move {
                let outcome = match manifest.entry(index) {
                    Err(e) => EntryOutcome::BadEntry(e),
                    Ok(entry) => {
                        // Live SES state replaces the manifest's `ses` block.
                        let ses_lookup = match &ses {
                            Some(gate) => {
                                Some(gate.get(&entry.setup.region, &entry.setup.domain.to_string()).await)
                            }
                            None => None,
                        };
                        let opts = CheckOptions {
                            now,
                            ses: entry.ses,
                            ses_lookup,
                            org: entry.org.clone(),
                            workspace: workspace.context(&entry),
                            apexes: Some(apexes),
                            trust_anchors: trust_anchors.clone(),
                            ..CheckOptions::default()
                        };
                        let live: &dyn Lookup = &*lookup;
                        let checked = check(&entry.setup, live, &rules, &opts);
                        let report = match deadline {
                            None => checked.await,
                            Some(d) => match tokio::time::timeout(d, checked).await {
                                Ok(report) => report,
                                // what was not answered in time is a failed lookup, never missing
                                Err(_) => {
                                    let server = fail_fast.last_server().or(source_label);
                                    let server = server.unwrap_or_else(|| "the DNS source".into());
                                    let expired = Expired { server, deadline: d };
                                    check(&entry.setup, &expired, &rules, &opts).await
                                }
                            },
                        };
                        EntryOutcome::Report(Box::new(report))
                    }
                };
                Finished { index, outcome, json: None }
            });
            running.insert(handle.id(), index);
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            joined = tasks.join_next_with_id() => match joined {
                Some(Ok((id, item))) => {
                    running.remove(&id);
                    finished += 1;
                    done(item);
                }
                Some(Err(err)) => {
                    let index = running.remove(&err.id());
                    if err.is_panic() && let Some(index) = index {
                        finished += 1;
                        done(Finished { index, outcome: EntryOutcome::Crashed { message: format!("internal error: {err}") }, json: None });
                    }
                }
                None => break,
            },
            // wakes the loop, which acts on the new level at its top
            () = stop.notify.notified(), if !aborted => {}
        }
    }
    if !exhausted {
        // Count what was never scheduled, so `interrupted` is exact.
        selected += (next..manifest.len()).filter(|&i| entry_in_shard(&manifest, i, opts.shard)).count();
    }
    AuditRun::ended(manifest.len(), selected, finished, lookup.inner().stats(), &fail_fast)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::audit;
    use crate::audit::testing::{Gated, rt};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::Notify;

    fn small_manifest(n: usize) -> Arc<ManifestIndex> {
        let entries: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"org": "o{i}", "domain": "mail.d{i}.test", "region": "us-east-1", "dkim_selector": "s1"}}"#))
            .collect();
        let text = format!(r#"{{"domains": [{}]}}"#, entries.join(","));
        Arc::new(ManifestIndex::parse("m.json", text).expect("manifest"))
    }

    #[test]
    fn abandon_cancels_what_is_in_flight_and_says_so() {
        rt().block_on(async {
            let source = Arc::new(Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: false });
            let rules = Arc::new(RuleSet::builtin());
            let stop = Arc::new(Stop::new());
            let opts = AuditOptions { jobs: 4, ..AuditOptions::default() };
            let (src, st) = (source.clone(), stop.clone());
            let run = tokio::spawn(async move {
                let mut seen = 0;
                let run = audit(small_manifest(10), src, rules, &opts, &st, |_| seen += 1).await;
                (run, seen)
            });
            // every scheduled domain is stuck in its first lookup: abandon them
            while source.calls.load(Ordering::SeqCst) < 4 {
                tokio::task::yield_now().await;
            }
            stop.raise(StopLevel::Abandon);
            let (run, seen) = run.await.expect("audit");
            assert_eq!((run.selected, run.finished, seen), (10, 0, 0));
            assert!(run.interrupted);
        });
    }

    #[test]
    fn a_drained_audit_schedules_nothing_new() {
        rt().block_on(async {
            let source = Arc::new(Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: false });
            let rules = Arc::new(RuleSet::builtin());
            let stop = Stop::new();
            stop.raise(StopLevel::Drain);
            let run =
                audit(small_manifest(3), source.clone(), rules, &AuditOptions::default(), &stop, |_| {})
                    .await;
            assert_eq!((run.selected, run.finished, run.interrupted), (3, 0, true));
            assert_eq!(source.calls.load(Ordering::SeqCst), 0);
        });
    }
}
