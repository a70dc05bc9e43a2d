//! The workspace behind `/api/v1/domains`: every manifest entry checked in
//! the background, again every `--refresh`, the last complete round kept.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Instant, SystemTime};

use sendlint::audit::{AuditOptions, AuditRun, EntryOutcome, Finished, Stop, audit};
use sendlint::output::{Counted, Printer, Summary, TOP_CODES, json_line};
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
            .top_codes(TOP_CODES)
            .iter()
            .map(|(c, n)| CodeCount { code: c.to_string(), domains: *n })
            .collect(),
        providers,
    }
}

/// The workspace view of a round, printed entry by entry: each entry's
/// audit line (as JSON), then the summary.
struct ViewPrinter<'a> {
    state: &'a AppState,
    lines: Vec<Value>,
    summary: Option<WorkspaceSummary>,
}

impl Printer for ViewPrinter<'_> {
    fn entry(&mut self, item: &Finished) {
        if matches!(item.outcome, EntryOutcome::Report(_)) {
            // checks of a round overlap: counted, not timed one by one
            self.state.metrics.check_done(CheckOrigin::Workspace, None);
        }
        self.lines.push(serde_json::from_str(&json_line(item)).unwrap_or(Value::Null));
    }

    fn finish(&mut self, summary: &Summary, _: &AuditRun) {
        self.summary = Some(summary_of(summary));
    }
}

/// Checks the whole manifest once.
async fn round(state: &AppState) -> Option<WorkspaceView> {
    let manifest = state.config.manifest.clone()?;
    let started = Instant::now();
    let opts = AuditOptions {
        jobs: 8,
        now: SystemTime::now(),
        trust_anchors: state.config.trust_anchors.clone(),
        ..AuditOptions::default()
    };
    let mut finished: Vec<Finished> = Vec::with_capacity(manifest.len());
    let run =
        audit(manifest, state.lookup.clone(), state.config.rules.clone(), &opts, &Stop::new(), |item| {
            finished.push(item);
        })
        .await;
    // printed in manifest order, not completion order
    finished.sort_by_key(|f| f.index);
    let mut view =
        Counted::new(ViewPrinter { state, lines: Vec::with_capacity(finished.len()), summary: None });
    view.begin();
    for item in &finished {
        view.entry(item);
    }
    view.finish(&run);
    state.metrics.round_done(started.elapsed());
    let ViewPrinter { lines, summary, .. } = view.printer;
    Some(WorkspaceView { checked_at: Some(SystemTime::now()), lines, summary })
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
