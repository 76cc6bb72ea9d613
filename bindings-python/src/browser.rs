//! `corsgate.browser`: the browser-side checker. The core decides (`corsgate::browser`); this
//! only carries JSON text across, and `corsgate/browser.py` gives it a typed Python face.

use pyo3::prelude::*;

/// Runs the checker on a JSON document (`{"request": …, "preflight": …, "response": …}`) and
/// returns the outcome as JSON, or `{"error": {"kind", "message"}}` when it cannot run.
#[pyfunction]
pub fn browser_check(input: &str) -> String {
    corsgate::browser::check_json_text(input)
}
