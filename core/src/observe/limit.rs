//! A lock-free rate limiter for reports.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// A token bucket of `burst` reports refilled at `per_second` reports a second, kept as one
/// atomic timestamp (the generic cell rate algorithm: the bucket is full when the timestamp
/// is in the past, and each report moves it `1/per_second` later; a report is refused when
/// that would put it more than `burst` intervals ahead of now). Lock-free: one
/// compare-and-swap per report, from any number of threads. Refused reports are counted, and
/// the next report allowed says how many were dropped ([`RateLimiter::try_acquire`]).
///
/// ```
/// use corsgate::RateLimiter;
/// let limiter = RateLimiter::new(10, 2);
/// assert_eq!(limiter.try_acquire_at(0), Some(0));
/// assert_eq!(limiter.try_acquire_at(0), Some(0));
/// assert_eq!(limiter.try_acquire_at(0), None); // the burst is spent
/// assert_eq!(limiter.try_acquire_at(100_000_000), Some(1)); // 0.1 s later: one token, one dropped
/// ```
#[derive(Debug)]
pub struct RateLimiter {
    /// Nanoseconds after `start` at which the bucket is full again.
    full_at: AtomicU64,
    /// Nanoseconds per token; 0: no limit.
    interval: u64,
    /// How far ahead of now `full_at` may move: `burst` intervals.
    tolerance: u64,
    dropped: AtomicU64,
    start: Instant,
}

impl RateLimiter {
    /// At most `burst` reports at once, then `per_second` a second; `per_second` 0 means no
    /// limit, and a `burst` of 0 counts as 1.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let interval = match per_second {
            0 => 0,
            n => 1_000_000_000 / u64::from(n),
        };
        RateLimiter {
            full_at: AtomicU64::new(0),
            interval,
            tolerance: interval.saturating_mul(u64::from(burst.max(1))),
            dropped: AtomicU64::new(0),
            start: Instant::now(),
        }
    }

    /// Takes a token now: `Some(n)` (report, noting the `n` reports dropped since the last
    /// one) or `None` (drop this one).
    pub fn try_acquire(&self) -> Option<u64> {
        let now = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.try_acquire_at(now)
    }

    /// [`RateLimiter::try_acquire`] at `now`, in nanoseconds on the limiter's own clock
    /// (any monotonic clock starting at or after 0; for tests and callers with their own).
    pub fn try_acquire_at(&self, now: u64) -> Option<u64> {
        if self.interval > 0 {
            let mut full_at = self.full_at.load(Ordering::Relaxed);
            loop {
                let next = full_at.max(now).saturating_add(self.interval);
                if next - now > self.tolerance {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    return None;
                }
                match self.full_at.compare_exchange_weak(
                    full_at,
                    next,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break,
                    Err(seen) => full_at = seen,
                }
            }
        }
        Some(self.dropped.swap(0, Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_rate_and_the_dropped_count() {
        let l = RateLimiter::new(2, 3);
        let at = |s: f64| l.try_acquire_at((s * 1e9) as u64);
        assert_eq!([at(0.0), at(0.0), at(0.0)], [Some(0); 3]);
        assert_eq!([at(0.1), at(0.2)], [None, None]);
        assert_eq!(at(0.5), Some(2));
        assert_eq!(at(0.6), None);
        // Idle long enough, the bucket is full again (and no more than full).
        assert_eq!(
            [at(10.0), at(10.0), at(10.0), at(10.0)],
            [Some(1), Some(0), Some(0), None]
        );
    }

    #[test]
    fn no_limit_when_the_rate_is_zero() {
        let l = RateLimiter::new(0, 0);
        assert!((0..1000).all(|_| l.try_acquire_at(0) == Some(0)));
    }
}
