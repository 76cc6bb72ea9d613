//! Denial reports and counters for Python: the core's [`DenialReport`] as `corsgate.DenialReport`,
//! and the [`Observer`] each strict policy keeps (counters, and the report rate limiter).

use corsgate::{DenialReport, Observer};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;

/// One denied request, as the core reports it (every text escaped: one log line each).
#[pyclass(module = "corsgate", name = "DenialReport", frozen, get_all)]
pub(crate) struct PyDenialReport {
    /// `"preflight"` or `"actual"`.
    kind: &'static str,
    /// The reason code, such as `origin_not_allowed`.
    reason: &'static str,
    /// The offending value (origin, method, header name), escaped.
    value: String,
    /// The `path` of the route that denied; `""` for the policy's top level.
    route: String,
    /// The request path as received, escaped.
    path: String,
    /// corsgate's one-line explanation, with a hint.
    message: String,
    /// Chromium's console message for a `fetch()` denied this way.
    chromium_message: String,
    /// Firefox's console lines for it.
    firefox_message: String,
    /// How many reports the rate limiter dropped just before this one.
    suppressed: u64,
    /// The log line (the core's text).
    line: String,
}

#[pymethods]
impl PyDenialReport {
    /// The report as a dict (the core's JSON keys: `kind`, `reason`, `value`, `route`, `path`,
    /// `message`, `chromium`, `firefox`, `suppressed`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let dict = pyo3::types::PyDict::new(py);
        dict.set_item("kind", self.kind)?;
        dict.set_item("reason", self.reason)?;
        dict.set_item("value", &self.value)?;
        dict.set_item("route", &self.route)?;
        dict.set_item("path", &self.path)?;
        dict.set_item("message", &self.message)?;
        dict.set_item("chromium", &self.chromium_message)?;
        dict.set_item("firefox", &self.firefox_message)?;
        dict.set_item("suppressed", self.suppressed)?;
        Ok(dict.into_any())
    }

    fn __str__(&self) -> &str {
        &self.line
    }

    fn __repr__(&self) -> String {
        format!(
            "DenialReport(kind={:?}, reason={:?}, value={:?}, path={:?})",
            self.kind, self.reason, self.value, self.path
        )
    }
}

impl PyDenialReport {
    fn from_core(report: &DenialReport<'_>) -> PyDenialReport {
        PyDenialReport {
            kind: report.kind().as_str(),
            reason: report.code().as_str(),
            value: report.value().to_string(),
            route: report.route().to_string(),
            path: report.path().to_string(),
            message: report.message(),
            chromium_message: report.chromium_message(),
            firefox_message: report.firefox_message(),
            suppressed: report.suppressed(),
            line: report.to_string(),
        }
    }
}

/// Counts `decision`; with a `sink` (the middleware's reporter), also hands it the denial's
/// report when the rate limiter lets one through.
pub(crate) fn observe(
    py: Python<'_>,
    observer: &Observer,
    decision: &corsgate::Decision<'_>,
    request: &corsgate::Request<'_>,
    sink: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let Some(sink) = sink else {
        observer.record(decision);
        return Ok(());
    };
    if let Some(report) = observer.observe(decision, request) {
        sink.call1((Py::new(py, PyDenialReport::from_core(&report))?,))?;
    }
    Ok(())
}

/// An observer limited to `rate = (per_second, burst)` reports (`per_second` 0: no limit).
pub(crate) fn observer_of(rate: (u32, u32)) -> PyResult<Observer> {
    let (per_second, burst) = rate;
    if burst == 0 && per_second > 0 {
        return Err(PyValueError::new_err(
            "report_rate: the burst must be at least 1 (fix: report_rate=(10, 100))",
        ));
    }
    Ok(Observer::new(per_second, burst))
}

/// The counters as a dict (`{"not_cors": n, "preflight": {"allowed": n, "denied": {code:
/// n}}, "actual": {...}}`), through the core's JSON.
pub(crate) fn stats_dict<'py>(py: Python<'py>, observer: &Observer) -> PyResult<Bound<'py, PyAny>> {
    let text = observer.stats().to_json().to_string();
    py.import("json")?
        .call_method1("loads", (PyString::new(py, &text),))
}

/// The counters in the Prometheus text format (the core's).
pub(crate) fn stats_text(observer: &Observer) -> String {
    observer.stats().to_string()
}
