//! Observing decisions: denial reports ([`DenialReport`]), counters ([`Stats`]), a rate limiter
//! for reports ([`RateLimiter`]), and report-only evaluation ([`crate::Policy::report_only`],
//! [`Difference`]; the policy key `mode = "report-only"`, [`Mode`]).
//!
//! A binding keeps one [`Observer`] per policy it serves and makes one call per request:
//! [`Observer::observe`] counts the decision and, for a denial the limiter lets through,
//! returns its report for the host's logging; with no log or hook to feed, it calls
//! [`Observer::record`] instead (one relaxed atomic increment). [`Observer::stats`] is the
//! `stats()` snapshot bindings expose.

mod limit;
mod report;
mod report_only;
mod stats;

pub use limit::RateLimiter;
pub use report::{escaped, DenialReport};
pub use report_only::{Difference, Mode};
pub use stats::{Count, Stats, StatsSnapshot, PROMETHEUS_HEADER, STATS_SLOTS};

use crate::decision::Decision;
use crate::request::Request;
use crate::strict::Policy;

/// The counters of one policy and the rate limiter of its denial reports.
#[derive(Debug)]
pub struct Observer {
    stats: Stats,
    limiter: RateLimiter,
}

impl Default for Observer {
    /// At most 10 reports a second after a burst of 100 ([`Observer::DEFAULT_RATE`]).
    fn default() -> Self {
        let (rate, burst) = Observer::DEFAULT_RATE;
        Observer::new(rate, burst)
    }
}

impl Observer {
    /// The default report rate: a burst of 100, then 10 a second.
    pub const DEFAULT_RATE: (u32, u32) = (10, 100);

    /// Counters from zero, and reports limited to a `burst`, then `per_second` a second
    /// (`per_second` 0: no limit); see [`RateLimiter`].
    pub fn new(per_second: u32, burst: u32) -> Self {
        Observer {
            stats: Stats::default(),
            limiter: RateLimiter::new(per_second, burst),
        }
    }

    /// Counts `decision` (made for `request`) and returns its denial report, unless it is
    /// allowed or the limiter drops the report (the next report says how many were dropped).
    pub fn observe<'r, 'a>(
        &self,
        decision: &'r Decision<'a>,
        request: &'r Request<'a>,
    ) -> Option<DenialReport<'r>> {
        self.stats.record(decision);
        let report = decision.report(request)?;
        let dropped = self.limiter.try_acquire()?;
        Some(report.with_suppressed(dropped))
    }

    /// Counts `decision` only.
    pub fn record(&self, decision: &Decision<'_>) {
        self.stats.record(decision);
    }

    /// [`Policy::report_only`] for a report-only `policy` this observer counts: counts its
    /// decision, and returns the difference unless the limiter drops it. One call per request,
    /// once the response is known.
    pub fn report_only(
        &self,
        policy: &Policy,
        request: &Request<'_>,
        status: u16,
        sent: &[(&[u8], &[u8])],
        url: Option<&str>,
    ) -> Option<Difference> {
        let decision = policy.evaluate(request);
        self.stats.record(&decision);
        let mut difference = decision.difference(request, status, sent, url)?;
        difference.suppressed = self.limiter.try_acquire()?;
        Some(difference)
    }

    /// The counters now.
    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }
}
