//! The request the caller describes: its byte strings and an optional origin verdict.

use crate::{corsgate_bytes, corsgate_header};
use std::ffi::c_void;

/// A caller-supplied origin verdict: called with the request's `Origin` bytes (not
/// NUL-terminated, not necessarily well-formed) and the request's `origin_verdict_data`;
/// returns whether that origin is allowed. It replaces the policy's origin list (`origins`,
/// `origin_regexes`, `allow_null_origin`) for this request; everything else (methods, headers,
/// credentials, the `*` policy) still comes from the policy.
///
/// corsgate calls it at most once per evaluation, synchronously on the evaluating thread, only
/// when the request has exactly one `Origin` header. Its answer is ignored for malformed
/// origins (always denied) and under `origins = ["*"]` (always allowed). It must not unwind
/// (no C++ exception, no longjmp) out of corsgate, and must be thread-safe if several threads
/// evaluate with it.
pub type corsgate_origin_fn = Option<
    unsafe extern "C" fn(origin: *const u8, origin_len: usize, user_data: *mut c_void) -> bool,
>;

/// The parts of an HTTP request CORS reads. Every byte string is borrowed, not copied: it must
/// stay valid and unchanged while you read the decision's headers, reason value or messages
/// (they may point into the request's `Origin` and `Access-Control-Request-Headers` values).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsgate_request {
    /// The method as sent (`OPTIONS`, `GET`, …; methods are case-sensitive).
    pub method: corsgate_bytes,
    /// The request target (`/api/items?page=2`); the query is ignored. Routes match it.
    pub path: corsgate_bytes,
    /// The header lines, in order; NULL when `header_count` is 0. Pass every line of the
    /// request (corsgate reads `Origin`, `Access-Control-Request-Method`, every
    /// `Access-Control-Request-Headers` line and `Access-Control-Request-Private-Network`, and
    /// ignores the rest), or only those. A repeated `Origin` is a malformed origin.
    pub headers: *const corsgate_header,
    /// The number of entries at `headers`.
    pub header_count: usize,
    /// NULL to match origins with the policy, or your own origin verdict.
    pub origin_verdict: corsgate_origin_fn,
    /// Passed unchanged to `origin_verdict`.
    pub origin_verdict_data: *mut c_void,
}
