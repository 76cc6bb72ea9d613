//! `corsgate.browser`: the browser-side checker. The core decides (`corsgate::browser`); this
//! only carries JSON text across, and `lib/browser.js` parses it.

use napi_derive::napi;

/// Runs the checker on a JSON document (`{"request": …, "preflight": …, "response": …}`) and
/// returns the outcome as JSON, or `{"error": {"kind", "message"}}` when it cannot run.
#[napi(catch_unwind, js_name = "browserCheck")]
pub fn browser_check(input: String) -> String {
    corsgate::browser::check_json_text(&input)
}
