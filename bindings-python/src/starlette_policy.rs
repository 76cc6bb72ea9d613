//! `corsgate.StarlettePolicy`: Starlette's `CORSMiddleware` answers, from the core.

use crate::decision::{decision_to_py, PyDecision};
use crate::diagnostic::{config_error, diagnostics, PyDiagnostic};
use crate::headers::{build_request, header_lines, owned_request, Raw};
use crate::pending::{pair, pending_from, Answer};
use corsgate::starlette::{self, StarletteConfig, StarlettePolicy};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

/// A Starlette-compatible configuration: Starlette's `CORSMiddleware` answers, from the core.
#[pyclass(module = "corsgate", name = "StarlettePolicy", frozen)]
pub(crate) struct PyStarlettePolicy {
    policy: StarlettePolicy,
}

#[pymethods]
impl PyStarlettePolicy {
    #[new]
    #[pyo3(signature = (
        allow_origins = Vec::new(),
        allow_methods = vec!["GET".to_string()],
        allow_headers = Vec::new(),
        allow_credentials = false,
        allow_origin_regex = None,
        allow_private_network = false,
        expose_headers = Vec::new(),
        max_age = 600,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        allow_origins: Vec<String>,
        allow_methods: Vec<String>,
        allow_headers: Vec<String>,
        allow_credentials: bool,
        allow_origin_regex: Option<String>,
        allow_private_network: bool,
        expose_headers: Vec<String>,
        max_age: i64,
    ) -> PyResult<Self> {
        let config = StarletteConfig {
            allow_origins,
            allow_methods,
            allow_headers,
            allow_credentials,
            allow_origin_regex,
            allow_private_network,
            expose_headers,
            max_age,
        };
        StarlettePolicy::compile(&config)
            .map(|policy| PyStarlettePolicy { policy })
            .map_err(|e| config_error(py, &e))
    }

    /// Lint warnings: the configuration behaves as in Starlette but is risky or useless.
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<Py<PyDiagnostic>>> {
        diagnostics(py, self.policy.warnings())
    }

    /// Decides what Starlette's middleware answers to a request.
    #[pyo3(signature = (method, headers, path = "/"))]
    fn evaluate(
        &self,
        py: Python<'_>,
        method: &str,
        headers: &Bound<'_, PyAny>,
        path: &str,
    ) -> PyResult<PyDecision> {
        let lines = header_lines(headers)?;
        let req = owned_request(method.as_bytes(), path.as_bytes(), &lines);
        let decision = self.policy.evaluate(&req);
        decision_to_py(py, &decision)
    }

    /// For the ASGI middleware: `(status, headers, body)` for a preflight, else a `Pending`.
    fn _asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let raw = Raw::read(headers, false)?;
        let lines = raw.slices();
        let req = build_request(method.as_bytes(), b"/", &lines);
        let d = self.policy.evaluate(&req);
        if let Some(status) = d.status() {
            let list = PyList::empty(py);
            for (n, v) in starlette::preflight_response_headers(&d) {
                list.append(pair(py, n.as_bytes(), v.as_bytes())?)?;
            }
            let answer: Answer<'py> = (status, list, PyBytes::new(py, d.body().as_bytes()));
            return answer.into_pyobject(py).map(Bound::into_any);
        }
        Bound::new(py, pending_from(&d, true)).map(Bound::into_any)
    }
}
