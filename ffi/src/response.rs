//! The response on the wire: the decision written onto the application's (or an upstream's)
//! response headers, by the core's rule (docs/semantics.md, "The response"). The one call the
//! nginx module, the Apache module and the C server make.

use crate::corsgate_status::*;
use crate::decision::{corsgate_decision, decision_mut, decision_ref};
use crate::{bytes, corsgate_bytes, corsgate_header, corsgate_status, guard, slice};
use corsgate::{HeaderName, MAX_HEADERS};
use std::borrow::Cow;

/// What to send for one request, filled by `corsgate_decision_respond`.
///
/// A server removes every header of the application's response for which
/// `corsgate_decision_removes` is true, then adds `headers` (in order), and, when `status` is
/// not 0, answers with that status and `body` instead of calling the application.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsgate_response {
    /// The status of a preflight corsgate answers itself (the application is not called), or
    /// 0: the application's status stands.
    pub status: u16,
    /// The body of an answered preflight (static storage; empty otherwise).
    pub body: corsgate_bytes,
    /// The header lines to add, in order: the decision's CORS headers, `Vary` when it must
    /// be written, and for an answered preflight its framing (`Content-Length: 0` and
    /// `Content-Type: text/plain; charset=utf-8`, except with 204). Names are static storage; values are valid as the decision's headers are,
    /// and a merged `Vary` until the next evaluation or response into the same decision.
    pub headers: *const corsgate_header,
    /// The number of lines in `headers`.
    pub header_count: usize,
}

/// The response last written into a decision.
#[derive(Debug)]
pub(crate) struct Written {
    lines: [corsgate_header; MAX_HEADERS + 3],
    count: usize,
    /// Whether the application's `Vary` lines are replaced (or the answer is corsgate's own).
    replaces_vary: bool,
    /// A `Vary` merged with the application's, reused from response to response.
    vary: Vec<u8>,
}

impl Default for Written {
    fn default() -> Written {
        Written {
            lines: [corsgate_header::EMPTY; MAX_HEADERS + 3],
            count: 0,
            replaces_vary: false,
            vary: Vec::new(),
        }
    }
}

impl Written {
    pub(crate) fn clear(&mut self) {
        self.count = 0;
        self.replaces_vary = false;
    }

    fn push(&mut self, name: &'static str, value: &[u8]) {
        if let Some(slot) = self.lines.get_mut(self.count) {
            *slot = corsgate_header {
                name: corsgate_bytes::of(name.as_bytes()),
                value: corsgate_bytes::of(value),
            };
            self.count += 1;
        }
    }
}

/// Writes the last evaluated decision onto a response whose headers are `application`
/// (`count` lines, in order; for a preflight corsgate answers, the server's own headers or
/// none) and fills `*out` with what to send. Call it after `corsgate_evaluate` (or
/// `corsgate_shared_evaluate`) into the same decision, then drop every application header
/// `corsgate_decision_removes` names and add `out->headers`.
///
/// The rule is the core's (docs/semantics.md, "The response"): every CORS response header of
/// the application goes, the decision's are added; `Vary` keeps the application's names and
/// adds the decision's (one merged line replaces the application's lines when one is
/// missing); an answered preflight is its status, no body, `Content-Length: 0` and
/// `Content-Type: text/plain; charset=utf-8` (neither with 204). Allocates only when the application's own `Vary` must be merged.
///
/// Returns `CORSGATE_OK`; `CORSGATE_ERR_NULL_ARGUMENT` when `decision` or `out` is NULL or
/// a byte string has a NULL pointer and a non-zero length; `CORSGATE_ERR_INVALID_ARGUMENT`
/// when the decision holds no evaluation.
///
/// # Safety
/// `decision` is NULL or a live decision no other thread is using; `application` points to
/// `count` readable headers (or `count` is 0) whose byte strings are readable; `out` is NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_respond(
    decision: *mut corsgate_decision,
    application: *const corsgate_header,
    count: usize,
    out: *mut corsgate_response,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(d) = (unsafe { decision_mut(decision) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        d.response.clear();
        let Some(evaluated) = d.decision.as_ref() else {
            return CORSGATE_ERR_INVALID_ARGUMENT;
        };
        // SAFETY: `count` readable headers by contract.
        let lines = match unsafe { slice(application, count) } {
            Ok(lines) => lines,
            Err(status) => return status,
        };
        for line in lines {
            // SAFETY: readable byte strings by contract.
            if let Err(status) = unsafe { bytes(line.name).and(bytes(line.value)) } {
                return status;
            }
        }
        // The values of the application's `Vary` lines (every line was checked above).
        let vary_values = lines.iter().filter_map(|line| {
            // SAFETY: as above.
            let (name, value) = unsafe { (bytes(line.name).ok()?, bytes(line.value).ok()?) };
            name.eq_ignore_ascii_case(b"vary").then_some(value)
        });
        let written = &mut d.response;
        for &(name, value) in evaluated.headers() {
            written.push(name, value.as_bytes());
        }
        let vary = HeaderName::Vary.canonical();
        let status = evaluated.status();
        match status {
            Some(status) => {
                written.replaces_vary = true;
                let value = evaluated.vary().value();
                if !value.is_empty() {
                    written.push(vary, value.as_bytes());
                }
                for &(name, value) in evaluated.framing(status) {
                    written.push(name, value.as_bytes());
                }
            }
            None => match evaluated.vary().merge(vary_values) {
                None => {}
                Some(Cow::Borrowed(value)) => {
                    written.replaces_vary = true;
                    written.push(vary, value);
                }
                Some(Cow::Owned(value)) => {
                    written.replaces_vary = true;
                    written.vary.clear();
                    written.vary.extend_from_slice(&value);
                    let Written {
                        lines,
                        count,
                        vary: buf,
                        ..
                    } = written;
                    if let Some(slot) = lines.get_mut(*count) {
                        *slot = corsgate_header {
                            name: corsgate_bytes::of(vary.as_bytes()),
                            value: corsgate_bytes::of(buf),
                        };
                        *count += 1;
                    }
                }
            },
        }
        let response = corsgate_response {
            status: status.unwrap_or(0),
            body: match status {
                Some(_) => corsgate_bytes::of(evaluated.body().as_bytes()),
                None => corsgate_bytes::EMPTY,
            },
            headers: written.lines.as_ptr(),
            header_count: written.count,
        };
        // SAFETY: non-NULL, writable by contract.
        unsafe { out.write(response) };
        CORSGATE_OK
    })
}

/// Whether the application's response header `name` (any case) must be removed before the
/// lines of the last `corsgate_decision_respond` are added: every CORS response header
/// (`Access-Control-Allow-*`, `-Max-Age`, `-Expose-Headers`), and `Vary` when the response
/// writes its own. False when there is no response, or `decision` is NULL.
///
/// # Safety
/// `decision` is NULL or a live decision; `name` is readable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_decision_removes(
    decision: *const corsgate_decision,
    name: corsgate_bytes,
) -> bool {
    // SAFETY: NULL or live by contract.
    let Some(d) = (unsafe { decision_ref(decision) }) else {
        return false;
    };
    // SAFETY: readable by contract.
    let (Some(evaluated), Ok(name)) = (d.decision.as_ref(), unsafe { bytes(name) }) else {
        return false;
    };
    evaluated.removes(name, d.response.replaces_vary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        corsgate_decision_free, corsgate_decision_new, corsgate_evaluate, corsgate_policy_free,
        corsgate_policy_from_toml, corsgate_request,
    };

    fn b(s: &[u8]) -> corsgate_bytes {
        corsgate_bytes::of(s)
    }

    fn line(n: &'static [u8], v: &'static [u8]) -> corsgate_header {
        corsgate_header {
            name: b(n),
            value: b(v),
        }
    }

    #[test]
    fn respond_writes_the_core_rule_and_refuses_null_and_unevaluated_decisions() {
        let mut policy = std::ptr::null_mut();
        let toml = b"origins = [\"https://a.example\"]";
        let status = unsafe {
            corsgate_policy_from_toml(toml.as_ptr(), toml.len(), &mut policy, std::ptr::null_mut())
        };
        assert_eq!(status, CORSGATE_OK);
        let mut d = std::ptr::null_mut();
        assert_eq!(unsafe { corsgate_decision_new(&mut d) }, CORSGATE_OK);
        let mut out = corsgate_response {
            status: 9,
            body: corsgate_bytes::EMPTY,
            headers: std::ptr::null(),
            header_count: 9,
        };
        let none = std::ptr::null_mut();
        assert_eq!(
            unsafe { corsgate_decision_respond(none, std::ptr::null(), 0, &mut out) },
            CORSGATE_ERR_NULL_ARGUMENT
        );
        assert_eq!(
            unsafe { corsgate_decision_respond(d, std::ptr::null(), 0, &mut out) },
            CORSGATE_ERR_INVALID_ARGUMENT
        );
        let request_lines = [line(b"Origin", b"https://evil.example")];
        let request = corsgate_request {
            method: b(b"GET"),
            path: b(b"/"),
            headers: request_lines.as_ptr(),
            header_count: 1,
            origin_verdict: None,
            origin_verdict_data: std::ptr::null_mut(),
        };
        assert_eq!(
            unsafe { corsgate_evaluate(policy, &request, d) },
            CORSGATE_OK
        );
        let app = [
            line(b"access-control-allow-origin", b"*"),
            line(b"Vary", b"Accept-Encoding"),
            line(b"Content-Type", b"text/plain"),
        ];
        assert_eq!(
            unsafe { corsgate_decision_respond(d, app.as_ptr(), app.len(), &mut out) },
            CORSGATE_OK
        );
        assert_eq!(out.status, 0);
        let removed: Vec<bool> = app
            .iter()
            .map(|h| unsafe { corsgate_decision_removes(d, h.name) })
            .collect();
        assert_eq!(removed, [true, true, false]);
        let written = unsafe { std::slice::from_raw_parts(out.headers, out.header_count) };
        let text = |x: corsgate_bytes| unsafe { std::slice::from_raw_parts(x.ptr, x.len) };
        let written: Vec<(&[u8], &[u8])> = written
            .iter()
            .map(|h| (text(h.name), text(h.value)))
            .collect();
        assert_eq!(written, [(&b"Vary"[..], &b"Accept-Encoding, Origin"[..])]);
        unsafe {
            corsgate_decision_free(d);
            corsgate_policy_free(policy);
        }
    }
}
