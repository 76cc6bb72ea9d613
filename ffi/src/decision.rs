//! The caller-owned decision object: evaluation into it, and reading the answer from it.

use crate::codes::{
    corsgate_kind, corsgate_kind::*, corsgate_reason, corsgate_reason::*, reason_of,
};
use crate::corsgate_status::*;
use crate::policy::{corsgate_policy, policy_arc, policy_ref};
use crate::request::corsgate_request;
use crate::{
    bytes, corsgate_bytes, corsgate_header, corsgate_status, format_into, guard, guard_or, set,
    slice,
};
use corsgate::{Decision, Kind, Policy, Request, MAX_HEADERS};
use std::ffi::c_char;
use std::sync::Arc;

/// Caller-owned storage for the answer to one request, reused from request to request:
/// `corsgate_decision_new` allocates it once, and evaluating into it never allocates.
///
/// Lifetimes: everything read from a decision (headers, Vary names, body, reason value,
/// messages) stays valid until the next evaluation into the same decision or
/// `corsgate_decision_free`, and, for header values and the reason value, only while the
/// request's byte strings stay valid and unchanged (an allowed origin and reflected
/// `Access-Control-Request-Headers` lines point into the request). A decision keeps the policy
/// it last used alive, so freeing the policy or swapping a shared handle does not invalidate
/// it.
///
/// Threads: a decision is not synchronised. Use one per thread (or per in-flight request);
/// any number of decisions may evaluate the same policy or shared handle at once.
pub struct corsgate_decision {
    /// The last evaluation's answer. Its `'static` is a lie the struct keeps true: it borrows
    /// `policy` (held right below) and the request's bytes (the caller's contract above).
    pub(crate) decision: Option<Decision<'static>>,
    /// Keeps the policy `decision` borrows alive.
    policy: Option<Arc<Policy>>,
    /// `decision`'s headers as C views; the first `header_count` are set.
    headers: [corsgate_header; MAX_HEADERS],
    header_count: usize,
    /// The response written last (`corsgate_decision_respond`).
    pub(crate) response: crate::response::Written,
    /// The last request's path and first `Origin` value, for its denial report (same contract
    /// as `decision`).
    pub(crate) path: &'static [u8],
    pub(crate) origin: &'static [u8],
}

impl corsgate_decision {
    fn reset(&mut self) {
        self.decision = None;
        self.header_count = 0;
        self.response.clear();
    }

    /// Evaluates `request` against `policy` (a strong reference the caller holds, or a new one
    /// this decision may keep).
    ///
    /// # Safety
    /// `request`'s byte strings and header array are valid as documented on
    /// `corsgate_request`.
    unsafe fn evaluate(
        &mut self,
        policy: PolicyRef<'_>,
        request: &corsgate_request,
    ) -> Result<(), corsgate_status> {
        self.reset();
        // SAFETY: valid for the whole use of the decision, by the caller's contract on
        // `corsgate_request`; that is what the `'static` stands for.
        let req: Request<'static> = unsafe { build_request(request) }?;
        self.path = req.path();
        self.origin = req.origin().unwrap_or_default();
        let same = self
            .policy
            .as_ref()
            .is_some_and(|held| std::ptr::eq(Arc::as_ptr(held), policy.as_ptr()));
        if !same {
            self.policy = Some(policy.into_arc());
        }
        let Some(held) = &self.policy else {
            return Err(CORSGATE_ERR_INTERNAL);
        };
        // SAFETY: `self.policy` keeps the policy alive and at this address for as long as
        // `self.decision` can refer to it: both are only replaced together, here and in
        // `reset` (which drops the decision first).
        let policy: &'static Policy = unsafe { &*Arc::as_ptr(held) };
        let decision = policy.evaluate(&req);
        for (slot, (name, value)) in self.headers.iter_mut().zip(decision.headers()) {
            *slot = corsgate_header {
                name: corsgate_bytes::of(name.as_bytes()),
                value: corsgate_bytes::of(value.as_bytes()),
            };
        }
        self.header_count = decision.headers().len();
        self.decision = Some(decision);
        Ok(())
    }
}

/// The core's view of `request`, its origin verdict asked of the caller's function.
///
/// # Safety
/// `request`'s byte strings and header array are valid for `'a`, as documented on
/// `corsgate_request`.
pub(crate) unsafe fn build_request<'a>(
    request: &corsgate_request,
) -> Result<Request<'a>, corsgate_status> {
    // SAFETY (all four): valid for `'a` by the caller's contract.
    let method: &'a [u8] = unsafe { bytes(request.method) }?;
    let path: &'a [u8] = unsafe { bytes(request.path) }?;
    let lines: &'a [corsgate_header] = unsafe { slice(request.headers, request.header_count) }?;
    let mut req = Request::new(method, path);
    for line in lines {
        // SAFETY: as above.
        let (name, value) = unsafe { (bytes(line.name)?, bytes(line.value)?) };
        req.add_header(name, value);
    }
    if let (Some(verdict), Some(origin)) = (request.origin_verdict, req.origin()) {
        // SAFETY: the caller's function, called as `corsgate_origin_fn` documents.
        let allowed =
            unsafe { verdict(origin.as_ptr(), origin.len(), request.origin_verdict_data) };
        req = req.with_origin_verdict(allowed);
    }
    Ok(req)
}

/// The policy an evaluation runs against: a borrowed handle (cloned only when the decision
/// does not already hold it), or a snapshot already owned.
pub(crate) enum PolicyRef<'a> {
    Borrowed(*const corsgate_policy, std::marker::PhantomData<&'a ()>),
    Owned(Arc<Policy>),
}

impl PolicyRef<'_> {
    fn as_ptr(&self) -> *const Policy {
        match self {
            PolicyRef::Borrowed(p, _) => p.cast(),
            PolicyRef::Owned(arc) => Arc::as_ptr(arc),
        }
    }

    fn into_arc(self) -> Arc<Policy> {
        match self {
            // SAFETY: a `Borrowed` handle is live (checked by the entry point).
            PolicyRef::Borrowed(p, _) => unsafe { policy_arc(p) },
            PolicyRef::Owned(arc) => arc,
        }
    }
}

/// # Safety
/// `d` is NULL or a live decision, not used elsewhere during `'a`.
pub(crate) unsafe fn decision_mut<'a>(
    d: *mut corsgate_decision,
) -> Option<&'a mut corsgate_decision> {
    // SAFETY: a live decision is `Box::into_raw` of a `corsgate_decision`.
    unsafe { d.as_mut() }
}

/// # Safety
/// `d` is NULL or a live decision.
pub(crate) unsafe fn decision_ref<'a>(
    d: *const corsgate_decision,
) -> Option<&'a corsgate_decision> {
    // SAFETY: as above.
    unsafe { d.as_ref() }
}

/// The evaluation shared by `corsgate_evaluate` and `corsgate_shared_evaluate`.
///
/// # Safety
/// `request` is NULL or valid as documented; `decision` is NULL or live and not in use
/// elsewhere.
pub(crate) unsafe fn evaluate_into(
    policy: Option<PolicyRef<'_>>,
    request: *const corsgate_request,
    decision: *mut corsgate_decision,
) -> corsgate_status {
    // SAFETY: NULL or live by contract.
    let Some(d) = (unsafe { decision_mut(decision) }) else {
        return CORSGATE_ERR_NULL_ARGUMENT;
    };
    // SAFETY: NULL or valid by contract.
    let (Some(policy), Some(request)) = (policy, unsafe { request.as_ref() }) else {
        d.reset();
        return CORSGATE_ERR_NULL_ARGUMENT;
    };
    // SAFETY: the request's contract is the caller's.
    match unsafe { d.evaluate(policy, request) } {
        Ok(()) => CORSGATE_OK,
        Err(status) => {
            d.reset();
            status
        }
    }
}

/// Allocates an empty decision (kind `CORSGATE_KIND_NONE`) into `*out`; free it with
/// `corsgate_decision_free`. Allocate one per thread or per connection and reuse it.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_new(
    out: *mut *mut corsgate_decision,
) -> corsgate_status {
    guard(|| {
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        let d = Box::new(corsgate_decision {
            decision: None,
            policy: None,
            headers: [corsgate_header::EMPTY; MAX_HEADERS],
            header_count: 0,
            response: crate::response::Written::default(),
            path: &[],
            origin: &[],
        });
        // SAFETY: non-NULL and writable by contract.
        unsafe { out.write(Box::into_raw(d)) };
        CORSGATE_OK
    })
}

/// Frees a decision (and its reference to the last policy it used). NULL is ignored;
/// freeing twice is undefined.
///
/// # Safety
/// `decision` is NULL or a live decision, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_free(decision: *mut corsgate_decision) {
    guard_or((), || {
        if !decision.is_null() {
            // SAFETY: a live decision is `Box::into_raw` of a `corsgate_decision`.
            drop(unsafe { Box::from_raw(decision) });
        }
    })
}

/// Decides what to answer to `request` under `policy` and stores the answer in `decision`,
/// replacing the previous one. Allocates nothing (after the decision's first use with a
/// policy, not even a reference count changes while the policy stays the same).
///
/// Returns `CORSGATE_OK`; `CORSGATE_ERR_NULL_ARGUMENT` when `policy`, `request` or
/// `decision` is NULL or a byte string has a NULL pointer and a non-zero length. On any error
/// the decision is reset to `CORSGATE_KIND_NONE`.
///
/// Thread safety: any number of threads may evaluate the same policy at once, each into its
/// own decision.
///
/// # Safety
/// `policy` is NULL or a live handle; `request` is NULL or points to a valid request whose
/// byte strings and header array are readable; `decision` is NULL or a live decision no other
/// thread is using.
#[no_mangle]
pub unsafe extern "C" fn corsgate_evaluate(
    policy: *const corsgate_policy,
    request: *const corsgate_request,
    decision: *mut corsgate_decision,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let policy = unsafe { policy_ref(policy) }
            .map(|_| PolicyRef::Borrowed(policy, std::marker::PhantomData));
        // SAFETY: forwarded contract.
        unsafe { evaluate_into(policy, request, decision) }
    })
}

/// The kind of the last evaluated request; `CORSGATE_KIND_NONE` when there is none or
/// `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_kind(
    decision: *const corsgate_decision,
) -> corsgate_kind {
    // SAFETY: NULL or live by contract.
    match unsafe { decision_ref(decision) }.and_then(|d| d.decision.as_ref()) {
        None => CORSGATE_KIND_NONE,
        Some(d) => match d.kind() {
            Kind::NotCors => CORSGATE_KIND_NOT_CORS,
            Kind::Preflight => CORSGATE_KIND_PREFLIGHT,
            Kind::Actual => CORSGATE_KIND_ACTUAL,
        },
    }
}

/// Whether the request is allowed (a not-CORS request is); false when there is no decision.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_allowed(decision: *const corsgate_decision) -> bool {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .is_some_and(Decision::is_allowed)
}

/// The status the server must answer with itself, without calling the application (an
/// answered preflight: the policy's `preflight_status` when allowed, 403 when denied), or 0
/// when the application answers (actual and not-CORS requests, `preflight_continue`) or
/// there is no decision.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_status(decision: *const corsgate_decision) -> u16 {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .and_then(Decision::status)
        .unwrap_or(0)
}

/// The CORS headers to set on the response, in order (`Vary` excluded: see
/// `corsgate_decision_vary`): returns an array of `*count` headers (canonical-case names;
/// values byte strings, not NUL-terminated). A denied request has none. The array and the
/// values are valid as documented on `corsgate_decision`; the names' bytes are static
/// storage, valid forever (a server may keep pointing at them instead of copying). Returns
/// NULL with `*count` 0 when there is no decision; returns NULL when `count` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision; `count` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_headers(
    decision: *const corsgate_decision,
    count: *mut usize,
) -> *const corsgate_header {
    if count.is_null() {
        return std::ptr::null();
    }
    // SAFETY: NULL or live by contract.
    let (ptr, n) = match unsafe { decision_ref(decision) } {
        Some(d) if d.header_count > 0 => (d.headers.as_ptr(), d.header_count),
        _ => (std::ptr::null(), 0),
    };
    // SAFETY: non-NULL, writable by contract.
    unsafe { count.write(n) };
    ptr
}

// The accessors below cannot panic (no indexing, no arithmetic that can overflow, no
// allocation), so they skip `guard`'s catch_unwind: it costs a few ns per call on the hot
// path. Were one to panic anyway, Rust aborts at an `extern "C"` boundary instead of unwinding.

fn vary_names(decision: *const corsgate_decision) -> &'static [&'static str] {
    // SAFETY: NULL or live by the callers' contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .map_or(&[], |d| d.vary().names())
}

/// The number of names to append to the response's `Vary` header (0 to 4).
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_vary_count(decision: *const corsgate_decision) -> usize {
    vary_names(decision).len()
}

/// Vary name `index` (0-based; `Origin`, `Access-Control-Request-Method`, …): static
/// storage, valid forever. Empty when `index` is out of range or there is no decision.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_vary_name(
    decision: *const corsgate_decision,
    index: usize,
) -> corsgate_bytes {
    vary_names(decision)
        .get(index)
        .map_or(corsgate_bytes::EMPTY, |n| corsgate_bytes::of(n.as_bytes()))
}

/// The Vary names joined with `", "` (`"Origin, Access-Control-Request-Method, …"`), ready to
/// append to the response's own `Vary` value; empty when there are none. Static storage: valid
/// forever. Append it, never replace the application's `Vary`, and skip names already there.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_vary(
    decision: *const corsgate_decision,
) -> corsgate_bytes {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .map_or(corsgate_bytes::EMPTY, |d| {
            corsgate_bytes::of(d.vary().value().as_bytes())
        })
}

/// Whether one `Vary` header value of a response already lists `name` (ASCII
/// case-insensitively), or is `*`, which covers every name: how a server decides which of the
/// decision's Vary names it still has to append. False when an argument is invalid (a NULL
/// pointer with a non-zero length). Thread-safe; keeps no pointer.
///
/// # Safety
/// `value` and `name` each point to their `len` readable bytes (or have length 0).
#[no_mangle]
pub unsafe extern "C" fn corsgate_vary_lists(value: corsgate_bytes, name: corsgate_bytes) -> bool {
    // SAFETY: forwarded contract.
    match unsafe { (crate::bytes(value), crate::bytes(name)) } {
        (Ok(value), Ok(name)) => corsgate::vary_lists(value, name),
        _ => false,
    }
}

/// The body of an answered preflight (empty in the strict profile; compatibility profiles
/// answer with their peer's text). Static storage: valid forever.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_body(
    decision: *const corsgate_decision,
) -> corsgate_bytes {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .map_or(corsgate_bytes::EMPTY, |d| {
            corsgate_bytes::of(d.body().as_bytes())
        })
}

/// Why the request was denied; `CORSGATE_REASON_NONE` when it was allowed or there is no
/// decision.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_reason(
    decision: *const corsgate_decision,
) -> corsgate_reason {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .and_then(Decision::reason)
        .map_or(CORSGATE_REASON_NONE, |r| reason_of(r.code()))
}

/// The offending value of a denial, as received (the origin, the method, the header name,
/// …); it may point into the request. Empty when allowed. Valid as documented on
/// `corsgate_decision`.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_reason_value(
    decision: *const corsgate_decision,
) -> corsgate_bytes {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .and_then(Decision::reason)
        .map_or(corsgate_bytes::EMPTY, |r| corsgate_bytes::of(r.value()))
}

/// Writes the one-line explanation of a denial, with a hint where one helps (UTF-8), into
/// `buf`, snprintf-style: at most `cap - 1` bytes (cut at a character boundary) and a NUL.
/// `*len` (unless `len` is NULL) receives the full length without the NUL. Returns
/// `CORSGATE_OK` when it fit, `CORSGATE_ERR_BUFFER_TOO_SMALL` when not (call again with
/// `*len + 1` bytes; `buf` NULL with `cap` 0 asks for the length only). An allowed request
/// has an empty message. Formats on demand (this may allocate; evaluating never does); reads
/// the request's bytes.
///
/// # Safety
/// `decision` is NULL or a live decision whose request's bytes are still valid; `buf` is NULL
/// (with `cap` 0) or points to `cap` writable bytes; `len` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_message(
    decision: *const corsgate_decision,
    buf: *mut c_char,
    cap: usize,
    len: *mut usize,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(d) = (unsafe { decision_ref(decision) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        let reason = d.decision.as_ref().and_then(Decision::reason);
        // SAFETY: buffer contract forwarded.
        unsafe {
            match reason {
                Some(r) => format_into(r.message(), buf, cap, len),
                None => format_into("", buf, cap, len),
            }
        }
    })
}

/// The reason part of the console message Chromium prints for the answer (after "has been
/// blocked by CORS policy: "), such as `No 'Access-Control-Allow-Origin' header is present on
/// the requested resource.`. Static storage; empty when allowed or there is no decision.
///
/// # Safety
/// `decision` is NULL or a live decision.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_browser_reason(
    decision: *const corsgate_decision,
) -> corsgate_bytes {
    // SAFETY: NULL or live by contract.
    unsafe { decision_ref(decision) }
        .and_then(|d| d.decision.as_ref())
        .and_then(Decision::reason)
        .map_or(corsgate_bytes::EMPTY, |r| {
            corsgate_bytes::of(r.browser_reason().as_bytes())
        })
}

/// Writes Chromium's whole console message for a `fetch()` of `url` from the page origin
/// `origin` (`Access to fetch at '<url>' from origin '<origin>' has been blocked by CORS
/// policy: …`) into `buf`, like `corsgate_decision_message` (bytes of `url` and `origin` that
/// are not UTF-8 are written as U+FFFD). Empty when allowed.
///
/// # Safety
/// As for `corsgate_decision_message`; `url` and `origin` point to `url_len` and
/// `origin_len` readable bytes (or the length is 0).
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_browser_message(
    decision: *const corsgate_decision,
    url: *const u8,
    url_len: usize,
    origin: *const u8,
    origin_len: usize,
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
        let (url, origin) = match unsafe {
            (
                bytes(corsgate_bytes {
                    ptr: url,
                    len: url_len,
                }),
                bytes(corsgate_bytes {
                    ptr: origin,
                    len: origin_len,
                }),
            )
        } {
            (Ok(u), Ok(o)) => (String::from_utf8_lossy(u), String::from_utf8_lossy(o)),
            (Err(s), _) | (_, Err(s)) => {
                // SAFETY: NULL or writable by contract.
                unsafe { set(len, 0) };
                return s;
            }
        };
        let reason = d.decision.as_ref().and_then(Decision::reason);
        let text = reason.map_or(String::new(), |r| r.browser_message(&url, &origin));
        // SAFETY: buffer contract forwarded.
        unsafe { format_into(text, buf, cap, len) }
    })
}
