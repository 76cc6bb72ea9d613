//! The browser-side checker for C: JSON in, JSON out. The core decides (`corsgate::browser`).

use crate::{bytes, corsgate_bytes, corsgate_status, format_into, guard};
use std::ffi::c_char;

/// The browsers whose verdict, error kind and console text corsgate_browser_check_in gives.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_browser {
    /// Chromium (Chrome, Edge): the default, what corsgate_browser_check answers for.
    CORSGATE_BROWSER_CHROMIUM = 0,
    /// Firefox (checked against Firefox 153 ESR).
    CORSGATE_BROWSER_FIREFOX = 1,
    /// Safari (WebKit), from WebKit's documented behaviour, not verified in a real browser.
    CORSGATE_BROWSER_WEBKIT = 2,
}

/// Runs corsgate's browser-side checker: what a browser does with a page's `fetch()` and the
/// server's answers (the Fetch standard's checks in Chromium's order, with Chromium's console
/// messages). `input` is UTF-8 JSON:
/// `{"request": {"origin", "url", "method"?, "headers"?: [[name, value], ...], "credentials"?,
/// "mode"?}, "preflight"?: {"status", "headers"}, "response"?: {"status", "headers"},
/// "browser"?: "chromium" | "firefox" | "webkit"}`.
///
/// Writes the outcome as NUL-terminated JSON into `buf` (`cap` bytes) and its length (without
/// the NUL) to `*len_out` (when not NULL): `verdict`, `blocked`, `blocked_in_chrome`,
/// `preflight_request`, ..., `browser` (the named browser's verdict, error kind, console lines
/// and fix; default Chromium) and `browsers` (every browser's) (docs/cli.md,
/// `corsgate explain --json`), or `{"error": {"kind", "message"}}` when the input is invalid
/// or `fetch()` would throw.
///
/// Returns `CORSGATE_OK`; `CORSGATE_ERR_BUFFER_TOO_SMALL` when the JSON did not fit (`buf`
/// holds a truncated prefix: call again with `*len_out + 1` bytes; `buf` may be NULL with
/// `cap` 0 to ask for the length); `CORSGATE_ERR_NULL_ARGUMENT`. Thread-safe; allocates only
/// internally.
///
/// # Safety
/// `input` follows the byte-string rules; `buf` is NULL with `cap == 0` or points to `cap`
/// writable bytes; `len_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_browser_check(
    input: corsgate_bytes,
    buf: *mut c_char,
    cap: usize,
    len_out: *mut usize,
) -> corsgate_status {
    guard(|| {
        // SAFETY: forwarded byte-string contract.
        let input = match unsafe { bytes(input) } {
            Ok(b) => b,
            Err(status) => return status,
        };
        let outcome = corsgate::browser::check_json_text(&String::from_utf8_lossy(input));
        // SAFETY: forwarded buffer contract.
        unsafe { format_into(outcome, buf, cap, len_out) }
    })
}

/// corsgate_browser_check for `browser`, one of the corsgate_browser values (it wins over the
/// document's `"browser"`): the outcome's `browser` object holds that browser's verdict,
/// error kind (Firefox's are MDN's `CORS…` names), console lines and fix.
///
/// Returns what corsgate_browser_check returns, and `CORSGATE_ERR_INVALID_ARGUMENT` when
/// `browser` is not a corsgate_browser value.
///
/// # Safety
/// As corsgate_browser_check.
#[no_mangle]
pub unsafe extern "C" fn corsgate_browser_check_in(
    browser: u32,
    input: corsgate_bytes,
    buf: *mut c_char,
    cap: usize,
    len_out: *mut usize,
) -> corsgate_status {
    guard(|| {
        use corsgate::browser::Browser;
        let browser = match browser {
            b if b == corsgate_browser::CORSGATE_BROWSER_CHROMIUM as u32 => Browser::Chromium,
            b if b == corsgate_browser::CORSGATE_BROWSER_FIREFOX as u32 => Browser::Firefox,
            b if b == corsgate_browser::CORSGATE_BROWSER_WEBKIT as u32 => Browser::WebKit,
            _ => return corsgate_status::CORSGATE_ERR_INVALID_ARGUMENT,
        };
        // SAFETY: forwarded byte-string contract.
        let input = match unsafe { bytes(input) } {
            Ok(b) => b,
            Err(status) => return status,
        };
        let outcome =
            corsgate::browser::check_json_text_in(&String::from_utf8_lossy(input), Some(browser));
        // SAFETY: forwarded buffer contract.
        unsafe { format_into(outcome, buf, cap, len_out) }
    })
}
