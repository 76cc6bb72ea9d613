//! `corsgate.DjangoPolicy`: django-cors-headers' answers, from the core's `django` profile.
//! Python (`corsgate/django/`) runs only what is Python's: the URL regex, the origin regexes
//! and the `check_request_enabled` signal, which the core asks through one fallback.

use crate::compat::{answer_list, environ_text, text_bytes};
use corsgate::django::{self, DjangoConfig, DjangoPolicy};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A compiled django-cors-headers configuration (the `CORS_*` settings).
#[pyclass(module = "corsgate", name = "DjangoPolicy", frozen)]
pub struct PyDjangoPolicy {
    policy: DjangoPolicy,
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[pymethods]
impl PyDjangoPolicy {
    #[new]
    #[pyo3(signature = (
        *,
        allowed_origins = Vec::new(),
        origin_regexes = Vec::new(),
        allow_all_origins = false,
        allow_credentials = false,
        allow_methods = strings(&django::DEFAULT_METHODS),
        allow_headers = strings(&django::DEFAULT_HEADERS),
        expose_headers = Vec::new(),
        preflight_max_age = django::DEFAULT_MAX_AGE,
        allow_private_network = false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        allowed_origins: Vec<String>,
        origin_regexes: Vec<String>,
        allow_all_origins: bool,
        allow_credentials: bool,
        allow_methods: Vec<String>,
        allow_headers: Vec<String>,
        expose_headers: Vec<String>,
        preflight_max_age: u64,
        allow_private_network: bool,
    ) -> PyResult<Self> {
        let config = DjangoConfig {
            allowed_origins,
            origin_regexes,
            allow_all_origins,
            allow_credentials,
            allow_methods,
            allow_headers,
            expose_headers,
            preflight_max_age,
            allow_private_network,
        };
        DjangoPolicy::compile(&config)
            .map(|policy| PyDjangoPolicy { policy })
            .map_err(|e| crate::diagnostic::config_error(py, &e))
    }

    /// Risky settings (they behave as in django-cors-headers).
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<Py<crate::diagnostic::PyDiagnostic>>> {
        crate::diagnostic::diagnostics(py, self.policy.warnings())
    }

    /// What django-cors-headers' system checks reject (the middleware still serves).
    #[getter]
    fn check_errors(&self, py: Python<'_>) -> PyResult<Vec<Py<crate::diagnostic::PyDiagnostic>>> {
        crate::diagnostic::diagnostics(py, self.policy.check_errors())
    }

    /// The `(status, headers)` of a preflight the middleware answers itself, or `None`.
    #[staticmethod]
    fn _preflight<'py>(
        py: Python<'py>,
        method: &str,
        meta: &Bound<'py, PyDict>,
    ) -> PyResult<Option<(u16, Bound<'py, PyList>)>> {
        let asked = meta.contains(intern!(py, "HTTP_ACCESS_CONTROL_REQUEST_METHOD"))?;
        match DjangoPolicy::preflight(method.as_bytes(), asked) {
            Some(answer) => Ok(Some((
                answer.status.unwrap_or(200),
                answer_list(py, &answer)?,
            ))),
            None => Ok(None),
        }
    }

    /// The CORS headers to set on the response, as `(name, value)` pairs; `fallback(request,
    /// origin)` (the regexes, then the signal) is called only for an origin in no list.
    fn _headers<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        meta: &Bound<'py, PyDict>,
        fallback: &Bound<'py, PyAny>,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let origin_text = environ_text(meta, intern!(py, "HTTP_ORIGIN"))?;
        let pna = environ_text(
            meta,
            intern!(py, "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )?;
        let origin = origin_text.as_deref().map(text_bytes);
        let pna = pna.as_deref().map(text_bytes);
        let mut error = None;
        let answer =
            self.policy
                .evaluate(method.as_bytes(), origin.as_deref(), pna.as_deref(), || {
                    let result = fallback
                        .call1((request, origin_text.as_deref().unwrap_or("")))
                        .and_then(|r| r.is_truthy());
                    result.unwrap_or_else(|e| {
                        error = Some(e);
                        false
                    })
                });
        if let Some(e) = error {
            return Err(e);
        }
        answer_list(py, &answer)
    }
}

/// Adds the class and `corsheaders.defaults`' lists (`DJANGO_DEFAULT_HEADERS`, `…_METHODS`).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDjangoPolicy>()?;
    m.add("DJANGO_DEFAULT_HEADERS", django::DEFAULT_HEADERS.to_vec())?;
    m.add("DJANGO_DEFAULT_METHODS", django::DEFAULT_METHODS.to_vec())?;
    Ok(())
}
