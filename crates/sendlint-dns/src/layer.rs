//! The lookup stack: layers over any [`Lookup`], each a wrapper that does one
//! thing and asks the lookup below it.
//!
//! | layer | builder | what it does |
//! |---|---|---|
//! | [`CachingLookup`] | [`LookupExt::cached`] | one answer per question per run |
//! | [`RecordingLookup`] | [`LookupExt::recorded`] | keeps every answer, for `--record` |
//! | [`Guarded`] | [`LookupExt::fail_fast`] | gives up on a server that never answers ([`FailFast`]) |
//! | [`SharedLookup`] | [`LookupExt::shared`] | bounded concurrency, a rate limit ([`RateLimit`]), a bounded cache, in-flight coalescing |
//! | [`CountingLookup`] | [`LookupExt::counted`] | shows each answer to a counter (metrics) |
//!
//! A layer implements [`Lookup::lookup`] and [`Lookup::wrapped`]; what it does
//! not do itself ([`Lookup::authoritative`], [`Lookup::wire_stats`],
//! [`Lookup::describe`]) the trait's defaults ask of the layer below, so a
//! stack describes itself as its source does. A layer that changes
//! authoritative questions too (a cache, a recording, a counter) implements
//! [`Lookup::authoritative`] as well.
//!
//! ```
//! use sendlint_dns::layer::{FailFast, LookupExt};
//! use sendlint_dns::{Lookup, SourceInfo, ZoneSource};
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! let zone = ZoneSource::from_text("acme.test.zone", "acme.test. 300 IN TXT \"v=spf1 -all\"\n", None)
//!     .expect("a valid zone file");
//! let fail_fast = FailFast::new(16);
//! let asked = Arc::new(AtomicUsize::new(0));
//! let counter = asked.clone();
//! let stack = zone
//!     .recorded()
//!     .fail_fast(&fail_fast, true)
//!     .cached()
//!     .counted(move |_answer| {
//!         counter.fetch_add(1, Ordering::Relaxed);
//!     });
//! // the stack is what its source is
//! assert_eq!(stack.describe(), SourceInfo::memory("zone files"));
//! ```

use std::sync::Arc;

use crate::recording::RecordingLookup;
use crate::{Answer, Lookup};

mod cache;
mod count;
mod fail_fast;
mod rate_limit;
mod shared;

pub use cache::CachingLookup;
pub use count::CountingLookup;
pub use fail_fast::{FailFast, Guarded};
pub use rate_limit::RateLimit;
pub use shared::{LookupStats, SharedLookup};

/// One builder method per layer, on every lookup: `source.recorded().cached()`.
pub trait LookupExt: Lookup + Sized {
    /// One answer per question per run ([`CachingLookup`]).
    fn cached(self) -> CachingLookup<Self> {
        CachingLookup::new(self)
    }

    /// Every answer kept, to be saved ([`RecordingLookup`]).
    fn recorded(self) -> RecordingLookup<Self> {
        RecordingLookup::new(self)
    }

    /// Every question skipped once `fail_fast` gave the server up; with
    /// `watch`, the answers of this layer are the ones it counts ([`Guarded`]).
    fn fail_fast(self, fail_fast: &Arc<FailFast>, watch: bool) -> Guarded<Self> {
        fail_fast.guard(self, watch)
    }

    /// At most `jobs` queries in flight, at most `qps` started a second, the
    /// answers of up to `cache_capacity` questions shared ([`SharedLookup`]).
    fn shared(self, jobs: usize, qps: Option<f64>, cache_capacity: usize) -> SharedLookup<Self> {
        SharedLookup::new(self, jobs, qps, cache_capacity)
    }

    /// Each answer shown to `count` ([`CountingLookup`]).
    fn counted<F: Fn(&Answer) + Send + Sync>(self, count: F) -> CountingLookup<Self, F> {
        CountingLookup::new(self, count)
    }
}

impl<L: Lookup> LookupExt for L {}
