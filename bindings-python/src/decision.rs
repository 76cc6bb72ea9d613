//! `corsgate.Decision` and `corsgate.Reason`: a core decision as Python objects.

use corsgate::latin1::decode as latin1;
use corsgate::Decision;
use pyo3::prelude::*;

/// Why a request was denied.
#[pyclass(module = "corsgate", name = "Reason", frozen)]
pub(crate) struct PyReason {
    /// The stable code, such as `origin_not_allowed`.
    #[pyo3(get)]
    code: &'static str,
    /// The offending value as received (bytes decoded as Latin-1).
    #[pyo3(get)]
    value: String,
    /// A one-line explanation with a hint.
    #[pyo3(get)]
    message: String,
    /// The reason part of Chromium's console message.
    #[pyo3(get)]
    browser_reason: &'static str,
}

#[pymethods]
impl PyReason {
    /// Chromium's whole console message for a `fetch()` of `url` from `origin`.
    fn browser_message(&self, url: &str, origin: &str) -> String {
        format!(
            "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {}",
            self.browser_reason
        )
    }

    fn __repr__(&self) -> String {
        format!("Reason(code={:?}, value={:?})", self.code, self.value)
    }
}

/// What corsgate answers to one request.
#[pyclass(module = "corsgate", name = "Decision", frozen)]
pub(crate) struct PyDecision {
    /// `"not_cors"`, `"preflight"` or `"actual"`.
    #[pyo3(get)]
    kind: &'static str,
    /// Whether the request is allowed.
    #[pyo3(get)]
    allowed: bool,
    /// The status to answer with (an answered preflight), or `None`: the application answers.
    #[pyo3(get)]
    status: Option<u16>,
    /// The CORS headers, in order, `Vary` excluded.
    #[pyo3(get)]
    headers: Vec<(&'static str, String)>,
    /// The names to append to `Vary`.
    #[pyo3(get)]
    vary: Vec<&'static str>,
    /// The body of an answered preflight (empty in the strict profile).
    #[pyo3(get)]
    body: &'static str,
    /// Why the request was denied, or `None`.
    #[pyo3(get)]
    reason: Option<Py<PyReason>>,
}

#[pymethods]
impl PyDecision {
    fn __repr__(&self) -> String {
        let status = self.status.map_or("None".to_string(), |s| s.to_string());
        format!(
            "Decision(kind={:?}, allowed={}, status={status}, headers={:?}, vary={:?})",
            self.kind,
            if self.allowed { "True" } else { "False" },
            self.headers,
            self.vary
        )
    }
}

pub(crate) fn decision_to_py(py: Python<'_>, d: &Decision<'_>) -> PyResult<PyDecision> {
    let reason = match d.reason() {
        Some(r) => Some(Py::new(
            py,
            PyReason {
                code: r.code().as_str(),
                value: latin1(r.value()),
                message: r.message().to_string(),
                browser_reason: r.browser_reason(),
            },
        )?),
        None => None,
    };
    Ok(PyDecision {
        kind: d.kind().as_str(),
        allowed: d.is_allowed(),
        status: d.status(),
        headers: d
            .headers()
            .iter()
            .map(|&(n, v)| (n, v.to_string()))
            .collect(),
        vary: d.vary().names().to_vec(),
        body: d.body(),
        reason,
    })
}
