//! The workspace behind `/api/v1/domains`: every manifest entry checked in
//! the background, again every `--refresh`, the last complete round kept.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Instant, SystemTime};

use sendlint::audit::{AuditOptions, Finished, Outcome, Stop, Summary, audit, json_line};
use sendlint_records::Role;
use sendlint_ses::Badge;
use serde_json::Value;

use crate::metrics::CheckOrigin;
use crate::schemas::{CodeCount, ProviderCount, WorkspaceSummary};
use crate::state::{AppState, WorkspaceView};

fn summary_of(s: &Summary) -> WorkspaceSummary {
    let badges: BTreeMap<Role, BTreeMap<String, usize>> = s
        .badges
        .iter()
        .map(|(role, counts)| {
            let per = [Badge::Pending, Badge::Verifying, Badge::Verified, Badge::Failed]
                .iter()
                .zip(counts)
                .map(|(b, n)| (b.as_str().to_owned(), *n))
                .collect();
            (*role, per)
        })
        .collect();
    let providers = s
        .providers
        .iter()
        .map(|(p, (n, u))| (p.clone(), ProviderCount { domains: *n, unlocked: *u }))
        .collect();
    WorkspaceSummary {
        total: s.total,
        unlocked: s.unlocked,
        not_unlocked: s.not_unlocked(),
        bad_entries: s.bad_entries,
        crashed: s.crashed,
        badges,
        top_codes: s
            .top_codes(10)
            .iter()
            .map(|(c, n)| CodeCount { code: c.to_string(), domains: *n })
            .collect(),
        providers,
    }
}

/// Checks the whole manifest once.
async fn round(state: &AppState) -> Option<WorkspaceView> {
    let manifest = state.config.manifest.clone()?;
    let started = Instant::now();
    let opts = AuditOptions { jobs: 8, now: SystemTime::now(), ..AuditOptions::default() };
    let mut finished: Vec<Finished> = Vec::with_capacity(manifest.len());
    audit(manifest, state.lookup.clone(), state.config.rules.clone(), &opts, &Stop::new(), |item| {
        finished.push(item);
    })
    .await;
    let mut summary = Summary::default();
    finished.sort_by_key(|f| f.index);
    let mut lines = Vec::with_capacity(finished.len());
    for item in &finished {
        if matches!(item.outcome, Outcome::Report(_)) {
            // checks of a round overlap: counted, not timed one by one
            state.metrics.check_done(CheckOrigin::Workspace, None);
        }
        summary.add(item);
        lines.push(serde_json::from_str(&json_line(item)).unwrap_or(Value::Null));
    }
    state.metrics.round_done(started.elapsed());
    Some(WorkspaceView { checked_at: Some(SystemTime::now()), lines, summary: Some(summary_of(&summary)) })
}

/// Re-checks the workspace every `refresh` while the server lives.
pub async fn refresh_loop(state: Weak<AppState>) {
    loop {
        let Some(s) = state.upgrade() else { return };
        if s.config.manifest.is_none() {
            return;
        }
        let refresh = s.config.refresh;
        if let Some(view) = round(&s).await {
            let view = Arc::new(view);
            match s.workspace.write() {
                Ok(mut w) => *w = view,
                Err(poisoned) => *poisoned.into_inner() = view,
            }
        }
        drop(s);
        tokio::time::sleep(refresh).await;
    }
}
