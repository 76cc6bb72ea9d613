//! Observing decisions from C: denial reports, counters (in memory the caller provides, so
//! several processes can share them), a report rate limiter, and report-only evaluation.

use crate::corsgate_status::{self, CORSGATE_OK};
use crate::decision::{build_request, decision_ref};
use crate::policy::policy_ref;
use crate::{
    bytes, corsgate_bytes, corsgate_decision, corsgate_header, corsgate_policy, corsgate_request,
    format_into, guard, guard_or, set, slice, CORSGATE_ERR_INVALID_ARGUMENT,
    CORSGATE_ERR_NULL_ARGUMENT,
};
use corsgate::{Mode, Policy, RateLimiter, Request, Stats, STATS_SLOTS};
use std::ffi::c_char;

/// How many `uint64_t` counters `corsgate_stats_record` and `corsgate_stats_format` use.
pub const CORSGATE_STATS_SLOTS: usize = 23;
const _: () = assert!(CORSGATE_STATS_SLOTS == STATS_SLOTS);

/// How a report or a set of counters is written.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_format {
    /// One log line (reports), or the Prometheus text format (counters).
    CORSGATE_FORMAT_TEXT = 0,
    /// One JSON object.
    CORSGATE_FORMAT_JSON = 1,
    /// Counters only: the Prometheus samples without the `# HELP` / `# TYPE` lines, for a
    /// server listing several policies (write `corsgate_stats_prometheus_header()` once).
    CORSGATE_FORMAT_SAMPLES = 2,
}

/// How a policy is deployed: its `mode` key.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_mode {
    /// `enforce` (the default): send the policy's answers.
    CORSGATE_MODE_ENFORCE = 0,
    /// `report-only`: change nothing on the response; call `corsgate_report_only` once it is
    /// known.
    CORSGATE_MODE_REPORT_ONLY = 1,
}

/// A token bucket for reports: at most `burst` at once, then `per_second` a second. Any number
/// of threads may use one at once (lock-free). Create with `corsgate_limiter_new`, free with
/// `corsgate_limiter_free`. It lives in one process: nginx keeps one per worker.
pub struct corsgate_limiter {
    _opaque: [u8; 0],
}

/// The policy's `mode`; `CORSGATE_MODE_ENFORCE` when `policy` is NULL.
///
/// # Safety
/// `policy` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_mode(policy: *const corsgate_policy) -> corsgate_mode {
    // SAFETY: NULL or live by contract.
    match unsafe { policy_ref(policy) }.map(Policy::mode) {
        Some(Mode::ReportOnly) => corsgate_mode::CORSGATE_MODE_REPORT_ONLY,
        _ => corsgate_mode::CORSGATE_MODE_ENFORCE,
    }
}

/// A limiter of `burst` reports, then `per_second` a second (`per_second` 0: no limit; a
/// `burst` of 0 counts as 1), into `*out`.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_limiter_new(
    per_second: u32,
    burst: u32,
    out: *mut *mut corsgate_limiter,
) -> corsgate_status {
    if out.is_null() {
        return CORSGATE_ERR_NULL_ARGUMENT;
    }
    guard(|| {
        let limiter = Box::into_raw(Box::new(RateLimiter::new(per_second, burst)));
        // SAFETY: non-NULL and writable by contract.
        unsafe { out.write(limiter.cast()) };
        CORSGATE_OK
    })
}

/// Frees a limiter. NULL is ignored.
///
/// # Safety
/// `limiter` is NULL or a live limiter, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn corsgate_limiter_free(limiter: *mut corsgate_limiter) {
    if !limiter.is_null() {
        // SAFETY: a live limiter is `Box::into_raw` of a `RateLimiter`.
        drop(unsafe { Box::from_raw(limiter.cast::<RateLimiter>()) });
    }
}

/// Takes a token: the number of reports dropped since the last one let through, or `None`.
/// A NULL limiter lets everything through.
///
/// # Safety
/// `limiter` is NULL or live.
unsafe fn acquire(limiter: *const corsgate_limiter) -> Option<u64> {
    // SAFETY: NULL or live by contract.
    match unsafe { limiter.cast::<RateLimiter>().as_ref() } {
        Some(l) => l.try_acquire(),
        None => Some(0),
    }
}

/// Writes the report of the denial in `decision` into `buf` (snprintf-style, as
/// `corsgate_decision_message`): a log line (`CORSGATE_FORMAT_TEXT`: `corsgate: denied
/// preflight /x (route "/api/"): origin_not_allowed "https://evil.example": …`) or a JSON
/// object (`CORSGATE_FORMAT_JSON`: kind, reason, value, route, path, message, chromium,
/// firefox, suppressed). Request bytes are escaped: the text is one line of printable text.
/// `url` (may be empty) is the request's full URL, which the browsers' messages name (else
/// the path).
///
/// Writes nothing (`*len` 0, `buf` an empty string when `cap` > 0) when the request was
/// allowed, or when `limiter` (NULL: none) drops the report; a report let through after drops
/// says how many. A report cut short by `cap` returns `CORSGATE_ERR_BUFFER_TOO_SMALL` and has
/// taken its token: call again with a NULL limiter. Formats on demand (allocates); reads the
/// request's bytes.
///
/// # Safety
/// `decision` is NULL or live with its request's bytes still valid; `limiter` NULL or live;
/// `url` readable; `buf` NULL (with `cap` 0) or `cap` writable bytes; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_report(
    decision: *const corsgate_decision,
    limiter: *const corsgate_limiter,
    url: corsgate_bytes,
    format: corsgate_format,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(d) = (unsafe { decision_ref(decision) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: readable by contract.
        let url = match unsafe { bytes(url) } {
            Ok(u) => String::from_utf8_lossy(u),
            Err(s) => return s,
        };
        let request = Request::new(b"", d.path).header(b"origin", d.origin);
        let report = d.decision.as_ref().and_then(|x| x.report(&request));
        // SAFETY: NULL or live by contract; only a denial takes a token.
        let report = report.and_then(|r| Some(r.with_suppressed(unsafe { acquire(limiter) }?)));
        let report = match (report, url.is_empty()) {
            (Some(r), false) => Some(r.with_url(&url)),
            (r, _) => r,
        };
        let text = match (report, format) {
            (None, _) => String::new(),
            (Some(r), corsgate_format::CORSGATE_FORMAT_JSON) => r.to_json().to_string(),
            (Some(r), _) => r.to_string(),
        };
        // SAFETY: buffer contract forwarded.
        unsafe { format_into(text, buf, cap, len) }
    })
}

/// The `path` of the policy route that denied the request in `decision`; empty
/// for the top level, when allowed, or with no decision. Valid while the decision holds this
/// answer.
///
/// # Safety
/// `decision` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_route(
    decision: *const corsgate_decision,
) -> corsgate_bytes {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .and_then(|d| d.reason())
        .map_or(corsgate_bytes::EMPTY, |r| {
            corsgate_bytes::of(r.route().as_bytes())
        })
}

/// The counters at `counters` (`CORSGATE_STATS_SLOTS` `uint64_t`, 8-byte aligned, zeroed
/// once before first use) as corsgate's `Stats`.
///
/// # Safety
/// As above; the memory stays valid for `'a`.
unsafe fn stats<'a>(counters: *const u64) -> Result<&'a Stats, corsgate_status> {
    if counters.is_null() {
        return Err(CORSGATE_ERR_NULL_ARGUMENT);
    }
    if counters.align_offset(std::mem::align_of::<Stats>()) != 0 {
        return Err(CORSGATE_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: `Stats` is `repr(C)` over `STATS_SLOTS` `AtomicU64`, which have the size and
    // alignment of `u64`; only atomic operations touch the memory.
    Ok(unsafe { &*counters.cast::<Stats>() })
}

/// Counts the decision in `decision` in `counters`: `CORSGATE_STATS_SLOTS` `uint64_t`
/// (8-byte aligned, zeroed once) that may live in memory shared by several processes (nginx
/// workers): one lock-free atomic increment, no allocation. Keep one set per policy. A
/// decision without a result counts nothing.
///
/// Returns `CORSGATE_OK`; `CORSGATE_ERR_NULL_ARGUMENT`; `CORSGATE_ERR_INVALID_ARGUMENT` when
/// `counters` is not 8-byte aligned.
///
/// # Safety
/// `counters` is NULL or as above, touched by nothing but these functions; `decision` NULL
/// or live.
#[no_mangle]
pub unsafe extern "C" fn corsgate_stats_record(
    counters: *mut u64,
    decision: *const corsgate_decision,
) -> corsgate_status {
    // SAFETY: contract forwarded.
    let stats = match unsafe { stats(counters) } {
        Ok(s) => s,
        Err(e) => return e,
    };
    // SAFETY: NULL or live by contract.
    let Some(d) = (unsafe { decision_ref(decision) }) else {
        return CORSGATE_ERR_NULL_ARGUMENT;
    };
    if let Some(d) = &d.decision {
        stats.record(d);
    }
    CORSGATE_OK
}

/// One counter of `counters`: requests of `kind` (`CORSGATE_KIND_NOT_CORS`, `_PREFLIGHT`,
/// `_ACTUAL`) allowed (`reason` `CORSGATE_REASON_NONE`) or denied for `reason`. 0 when
/// `counters` is NULL or misaligned, or for a pair that has no counter (a denied not-CORS
/// request).
///
/// # Safety
/// `counters` is NULL or as for `corsgate_stats_record`.
#[no_mangle]
pub unsafe extern "C" fn corsgate_stats_count(
    counters: *const u64,
    kind: crate::corsgate_kind,
    reason: crate::corsgate_reason,
) -> u64 {
    use crate::corsgate_kind::*;
    guard_or(0, || {
        // SAFETY: contract forwarded.
        let Ok(stats) = (unsafe { stats(counters) }) else {
            return 0;
        };
        let kind = match kind {
            CORSGATE_KIND_NOT_CORS => corsgate::Kind::NotCors,
            CORSGATE_KIND_PREFLIGHT => corsgate::Kind::Preflight,
            CORSGATE_KIND_ACTUAL => corsgate::Kind::Actual,
            CORSGATE_KIND_NONE => return 0,
        };
        let code = corsgate::ReasonCode::ALL
            .into_iter()
            .find(|c| crate::codes::reason_of(*c) == reason);
        if code.is_none() && reason != crate::corsgate_reason::CORSGATE_REASON_NONE {
            return 0;
        }
        stats.snapshot().get(kind, code)
    })
}

/// The `# HELP` and `# TYPE` lines of corsgate's counters (Prometheus text format), each
/// ending in a newline: static storage.
#[no_mangle]
pub extern "C" fn corsgate_stats_prometheus_header() -> corsgate_bytes {
    corsgate_bytes::of(corsgate::PROMETHEUS_HEADER.as_bytes())
}

/// Writes `counters` into `buf` (snprintf-style): the Prometheus text format
/// (`CORSGATE_FORMAT_TEXT`: the header lines, then `corsgate_requests_total{kind="preflight",
/// verdict="denied",reason="origin_not_allowed"} 3`, one line per counter; with
/// `CORSGATE_FORMAT_SAMPLES` the lines without the header, each with `labels` first, such as
/// `policy="/etc/cors.toml"`, which the caller escapes) or JSON (`CORSGATE_FORMAT_JSON`:
/// `{"not_cors": n, "preflight": {"allowed": n, "denied": {code: n}}, "actual": {…}}`).
/// `labels` is used only with `CORSGATE_FORMAT_SAMPLES`.
///
/// # Safety
/// `counters` NULL or as for `corsgate_stats_record`; `labels` readable; `buf` NULL (with
/// `cap` 0) or `cap` writable bytes; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_stats_format(
    counters: *const u64,
    format: corsgate_format,
    labels: corsgate_bytes,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> corsgate_status {
    guard(|| {
        // SAFETY: contract forwarded.
        let stats = match unsafe { stats(counters) } {
            Ok(s) => s.snapshot(),
            Err(e) => {
                // SAFETY: NULL or writable by contract.
                unsafe { set(len, 0) };
                return e;
            }
        };
        // SAFETY: readable by contract.
        let labels = match unsafe { bytes(labels) } {
            Ok(l) => String::from_utf8_lossy(l),
            Err(e) => return e,
        };
        let text = match format {
            corsgate_format::CORSGATE_FORMAT_TEXT => stats.to_string(),
            corsgate_format::CORSGATE_FORMAT_SAMPLES => stats.prometheus_samples(&labels),
            corsgate_format::CORSGATE_FORMAT_JSON => stats.to_json().to_string(),
        };
        // SAFETY: buffer contract forwarded.
        unsafe { format_into(text, buf, cap, len) }
    })
}

/// Report-only evaluation: evaluates `request` under `policy` and compares what a browser does
/// with the response actually sent (`status` and its `sent_count` header lines at `sent`,
/// after any enforced policy wrote its own) and with the answer `policy` would have given
/// (docs/observability.md, "Report-only mode"). Changes nothing. When they differ (and
/// `limiter`, NULL: none, lets the report through), writes the report into `buf`
/// (snprintf-style): a log line (`corsgate report-only: actual /x from https://b.example:
/// today the browser allows this; under the new policy it would block it, because …`) or
/// JSON; else writes nothing (`*len` 0). `*differs` (unless NULL) receives whether they
/// differ, dropped or not. When `counters` is not NULL, the policy's decision is counted
/// there (`corsgate_stats_record`). `url` (may be empty) is the request's full URL.
///
/// Costs one evaluation and a comparison when the CORS headers sent are the policy's;
/// allocates (it runs the browser checker) when they are not.
///
/// # Safety
/// `policy` NULL or live; `request` NULL or valid as documented on `corsgate_request`; `sent`
/// points to `sent_count` readable header lines (NULL when 0); `counters` NULL or as for
/// `corsgate_stats_record`; `limiter` NULL or live; `url` readable; `buf`, `len` and
/// `differs` as above.
#[no_mangle]
pub unsafe extern "C" fn corsgate_report_only(
    policy: *const corsgate_policy,
    request: *const corsgate_request,
    status: u16,
    sent: *const corsgate_header,
    sent_count: usize,
    url: corsgate_bytes,
    counters: *mut u64,
    limiter: *const corsgate_limiter,
    format: corsgate_format,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
    differs: *mut bool,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or writable by contract.
        unsafe {
            set(differs, false);
            set(len, 0);
        }
        // SAFETY: NULL or live/valid by contract.
        let (Some(policy), Some(request)) =
            (unsafe { policy_ref(policy) }, unsafe { request.as_ref() })
        else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: valid for this call by contract.
        let req = match unsafe { build_request(request) } {
            Ok(r) => r,
            Err(e) => return e,
        };
        // SAFETY: readable by contract.
        let lines = match unsafe { slice(sent, sent_count) } {
            Ok(l) => l,
            Err(e) => return e,
        };
        let mut headers = Vec::with_capacity(lines.len());
        for line in lines {
            // SAFETY: readable by contract.
            match unsafe { (bytes(line.name), bytes(line.value)) } {
                (Ok(n), Ok(v)) => headers.push((n, v)),
                (Err(e), _) | (_, Err(e)) => return e,
            }
        }
        // SAFETY: readable by contract.
        let url = match unsafe { bytes(url) } {
            Ok(u) => String::from_utf8_lossy(u),
            Err(e) => return e,
        };
        let decision = policy.evaluate(&req);
        if !counters.is_null() {
            // SAFETY: contract forwarded.
            match unsafe { stats(counters) } {
                Ok(s) => s.record(&decision),
                Err(e) => return e,
            }
        }
        let url = (!url.is_empty()).then_some(&*url);
        let Some(mut difference) = decision.difference(&req, status, &headers, url) else {
            // SAFETY: buffer contract forwarded.
            return unsafe { format_into("", buf, cap, len) };
        };
        // SAFETY: NULL or writable by contract.
        unsafe { set(differs, true) };
        // SAFETY: NULL or live by contract.
        let Some(dropped) = (unsafe { acquire(limiter) }) else {
            // SAFETY: buffer contract forwarded.
            return unsafe { format_into("", buf, cap, len) };
        };
        difference.suppressed = dropped;
        let text = match format {
            corsgate_format::CORSGATE_FORMAT_JSON => difference.to_json().to_string(),
            _ => difference.to_string(),
        };
        // SAFETY: buffer contract forwarded.
        unsafe { format_into(text, buf, cap, len) }
    })
}
