//! The stop switch of an audit.

use std::sync::atomic::{AtomicU8, Ordering};

use tokio::sync::Notify;

/// How far an interrupted audit has been asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopLevel {
    /// Keep going.
    Run,
    /// Schedule nothing new; let the domains in flight finish.
    Drain,
    /// Abandon the domains in flight; hand out what is done.
    Abandon,
}

/// The stop switch of an audit (a first Ctrl-C drains, a second abandons).
#[derive(Debug, Default)]
pub struct Stop {
    level: AtomicU8,
    pub(super) notify: Notify,
}

impl Stop {
    /// A switch at [`StopLevel::Run`].
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Raises the level to `level` (never lowers it) and wakes the audit.
    pub fn raise(&self, level: StopLevel) {
        self.level.fetch_max(level as u8, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// The current level.
    pub fn level(&self) -> StopLevel {
        match self.level.load(Ordering::SeqCst) {
            0 => StopLevel::Run,
            1 => StopLevel::Drain,
            _ => StopLevel::Abandon,
        }
    }
}
