//! [`RateLimit`]: the token bucket of [`super::SharedLookup`] (and of any
//! other calls an audit paces, such as SES's).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A token bucket of one token: queries start at least `1/qps` apart.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    /// When the next query may start (the "theoretical arrival time").
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `qps` queries a second (`None` for a rate that is not positive).
    pub fn new(qps: f64) -> Option<RateLimit> {
        (qps.is_finite() && qps > 0.0)
            .then(|| RateLimit { interval: Duration::from_secs_f64(1.0 / qps), next: Mutex::new(None) })
    }

    /// Reserves the next start slot at or after `now`; returns how long to wait for it.
    pub fn reserve(&self, now: Instant) -> Duration {
        let Ok(mut next) = self.next.lock() else { return Duration::ZERO };
        let start = next.map_or(now, |n| n.max(now));
        *next = Some(start + self.interval);
        start.saturating_duration_since(now)
    }

    pub(super) async fn wait(&self) {
        let delay = self.reserve(Instant::now());
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_spaces_starts() {
        let rate = RateLimit::new(10.0).expect("positive");
        let t0 = Instant::now();
        assert_eq!(rate.reserve(t0), Duration::ZERO);
        assert_eq!(rate.reserve(t0), Duration::from_millis(100));
        assert_eq!(rate.reserve(t0), Duration::from_millis(200));
        // after a quiet spell, no debt: the next start is now
        let later = t0 + Duration::from_secs(5);
        assert_eq!(rate.reserve(later), Duration::ZERO);
        assert!(RateLimit::new(0.0).is_none());
        assert!(RateLimit::new(f64::NAN).is_none());
    }
}
