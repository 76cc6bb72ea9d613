//! Counters of decisions by kind, verdict and reason code.

use crate::decision::{Decision, Kind, ReasonCode, Verdict};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// How many counters a [`Stats`] holds: not-CORS, then for preflights and for actual
/// requests one allowed counter and one per [`ReasonCode`].
pub const STATS_SLOTS: usize = 1 + 2 * (1 + ReasonCode::ALL.len());

/// Lock-free counters of the decisions of one policy: one relaxed atomic increment per
/// [`Stats::record`]. `Sync`; keep one per policy a server serves and read it with
/// [`Stats::snapshot`].
///
/// The layout is `repr(C)`, [`STATS_SLOTS`] `u64`s in [`StatsSnapshot::iter`]'s order, so the
/// C ABI can keep the counters in memory that several processes share (nginx workers).
#[derive(Debug, Default)]
#[repr(C)]
pub struct Stats {
    slots: [AtomicU64; STATS_SLOTS],
}

/// The counter a decision increments.
pub(crate) fn slot(decision: &Decision<'_>) -> usize {
    let base = match decision.kind {
        Kind::NotCors => return 0,
        Kind::Preflight => 1,
        Kind::Actual => 2 + ReasonCode::ALL.len(),
    };
    match &decision.verdict {
        Verdict::Allowed => base,
        Verdict::Denied(r) => base + 1 + r.code as usize,
    }
}

impl Stats {
    /// Counts `decision`.
    pub fn record(&self, decision: &Decision<'_>) {
        // The slot is below STATS_SLOTS by construction.
        if let Some(c) = self.slots.get(slot(decision)) {
            c.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counters now (each read atomically; together they are not one instant).
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            counts: std::array::from_fn(|i| self.slots[i].load(Ordering::Relaxed)),
        }
    }
}

/// A copy of a [`Stats`]'s counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    counts: [u64; STATS_SLOTS],
}

/// One counter of a [`StatsSnapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// The kind of request.
    pub kind: Kind,
    /// `None`: allowed; else the reason code of the denials.
    pub reason: Option<ReasonCode>,
    /// How many decisions.
    pub count: u64,
}

impl Count {
    /// `allowed` or `denied`.
    pub fn verdict(&self) -> &'static str {
        match self.reason {
            None => "allowed",
            Some(_) => "denied",
        }
    }
}

impl StatsSnapshot {
    /// A snapshot of counters kept in [`Stats`]'s layout elsewhere (the C ABI's shared memory).
    pub fn from_counts(counts: [u64; STATS_SLOTS]) -> Self {
        StatsSnapshot { counts }
    }

    /// Every counter, zero or not: not-CORS, then preflights (allowed, then each reason code
    /// in [`ReasonCode::ALL`]'s order), then actual requests likewise.
    pub fn iter(&self) -> impl Iterator<Item = Count> + '_ {
        let kinds = [Kind::Preflight, Kind::Actual];
        let reasons = std::iter::once(None).chain(ReasonCode::ALL.map(Some));
        std::iter::once((Kind::NotCors, None))
            .chain(
                kinds
                    .into_iter()
                    .flat_map(move |k| reasons.clone().map(move |r| (k, r))),
            )
            .zip(self.counts)
            .map(|((kind, reason), count)| Count {
                kind,
                reason,
                count,
            })
    }

    /// The count of one kind and outcome (`None`: allowed).
    pub fn get(&self, kind: Kind, reason: Option<ReasonCode>) -> u64 {
        self.iter()
            .find(|c| c.kind == kind && c.reason == reason)
            .map_or(0, |c| c.count)
    }

    /// Every decision counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Every denial counted.
    pub fn denied(&self) -> u64 {
        self.iter()
            .filter(|c| c.reason.is_some())
            .map(|c| c.count)
            .sum()
    }

    /// The counters as `{"not_cors": n, "preflight": {"allowed": n, "denied": {code: n}},
    /// "actual": {…}}`, every reason code present.
    pub fn to_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for c in self.iter() {
            match (c.kind, c.reason) {
                (Kind::NotCors, _) => {
                    out.insert("not_cors".into(), c.count.into());
                }
                (kind, reason) => {
                    let entry = out
                        .entry(kind.as_str())
                        .or_insert_with(|| serde_json::json!({"allowed": 0, "denied": {}}));
                    match reason {
                        None => entry["allowed"] = c.count.into(),
                        Some(r) => entry["denied"][r.as_str()] = c.count.into(),
                    }
                }
            }
        }
        out.into()
    }
}

impl StatsSnapshot {
    /// The Prometheus samples of [`StatsSnapshot`]'s `Display`, each with `labels` (already
    /// escaped, such as `policy="/etc/cors.toml"`) before its own, without the `# HELP` and
    /// `# TYPE` lines: for a server listing several policies under one header.
    pub fn prometheus_samples(&self, labels: &str) -> String {
        let mut out = String::new();
        for c in self.iter() {
            out.push_str(&format!(
                "corsgate_requests_total{{{labels}{}kind=\"{}\",verdict=\"{}\",reason=\"{}\"}} {}\n",
                if labels.is_empty() { "" } else { "," },
                c.kind.as_str(),
                c.verdict(),
                c.reason.map_or("", ReasonCode::as_str),
                c.count
            ));
        }
        out
    }
}

/// The `# HELP` and `# TYPE` lines of corsgate's counters in the Prometheus text format.
pub const PROMETHEUS_HEADER: &str = "# HELP corsgate_requests_total Requests corsgate decided, \
    by kind, verdict and reason.\n# TYPE corsgate_requests_total counter\n";

/// The Prometheus text format: [`PROMETHEUS_HEADER`], then one
/// `corsgate_requests_total{kind, verdict, reason}` sample per counter (`reason=""` when
/// allowed), every counter listed.
impl fmt::Display for StatsSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROMETHEUS_HEADER)?;
        f.write_str(&self.prometheus_samples(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Policy, Request};

    #[test]
    fn counters_count_each_kind_verdict_and_reason() {
        let policy = Policy::from_toml(r#"origins = ["https://a.example"]"#).unwrap();
        let stats = Stats::default();
        let requests = [
            Request::new(b"GET", b"/"),
            Request::new(b"GET", b"/").header(b"origin", b"https://a.example"),
            Request::new(b"GET", b"/").header(b"origin", b"https://b.example"),
            Request::new(b"GET", b"/").header(b"origin", b"https://b.example"),
            Request::new(b"OPTIONS", b"/")
                .header(b"origin", b"https://a.example")
                .header(b"access-control-request-method", b"PUT"),
        ];
        for r in &requests {
            stats.record(&policy.evaluate(r));
        }
        let s = stats.snapshot();
        assert_eq!(s.get(Kind::NotCors, None), 1);
        assert_eq!(s.get(Kind::Actual, None), 1);
        assert_eq!(s.get(Kind::Actual, Some(ReasonCode::OriginNotAllowed)), 2);
        assert_eq!(
            s.get(Kind::Preflight, Some(ReasonCode::MethodNotAllowed)),
            1
        );
        assert_eq!((s.total(), s.denied()), (5, 3));
        assert_eq!(s.iter().count(), STATS_SLOTS);
        let j = s.to_json();
        assert_eq!(j["actual"]["denied"]["origin_not_allowed"], 2);
        assert_eq!(j["preflight"]["denied"]["route_ambiguous"], 0);
        let text = s.to_string();
        assert!(text.contains(
            "corsgate_requests_total{kind=\"actual\",verdict=\"denied\",reason=\"origin_not_allowed\"} 2\n"
        ));
        assert_eq!(text.lines().count(), 2 + STATS_SLOTS);
        assert!(s
            .prometheus_samples("policy=\"a\"")
            .starts_with("corsgate_requests_total{policy=\"a\",kind=\"not_cors\",verdict=\"allowed\",reason=\"\"} 1\n"));
    }
}
