//! `corsgate.Policy` and `corsgate.SharedPolicy`: the strict engine for Python.

use crate::compat::text_bytes;
use crate::decision::{decision_to_py, PyDecision};
use crate::diagnostic::{config_error, diagnostics, PyDiagnostic};
use crate::headers::{header_lines, owned_request, path_bytes};
use crate::keys::compile_keys;
use crate::pending::{answered, pending_from};
use crate::strict::{check_verdict_callable, Strict};
use corsgate::{ConfigErrors, Format, Policy};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{Arc, RwLock};

/// A compiled CORS policy with corsgate's strict semantics.
#[pyclass(module = "corsgate", name = "Policy", frozen)]
pub(crate) struct PyPolicy {
    state: Strict,
}

impl PyPolicy {
    fn wrap(py: Python<'_>, result: Result<Policy, ConfigErrors>) -> PyResult<PyPolicy> {
        match result {
            Ok(policy) => Ok(PyPolicy {
                state: Strict {
                    policy: Arc::new(policy),
                    verdict: None,
                },
            }),
            Err(e) => Err(config_error(py, &e)),
        }
    }
}

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (*, allow_origin = None, **keys))]
    fn new(
        py: Python<'_>,
        allow_origin: Option<Py<PyAny>>,
        keys: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyPolicy> {
        if let Some(f) = &allow_origin {
            check_verdict_callable(f.bind(py))?;
        }
        let result = match keys {
            Some(k) => compile_keys(k)?,
            None => Policy::from_json("{}"),
        };
        let mut policy = Self::wrap(py, result)?;
        policy.state.verdict = allow_origin;
        Ok(policy)
    }

    /// Reads a policy file (`.json`, or TOML otherwise).
    #[staticmethod]
    fn from_file(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyPolicy> {
        let result = py.detach(|| Policy::from_file(&path));
        Self::wrap(py, result)
    }

    /// Reads a policy from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<PyPolicy> {
        Self::wrap(py, Policy::parse(text, Format::Json))
    }

    /// Reads a policy from TOML text.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyPolicy> {
        Self::wrap(py, Policy::parse(text, Format::Toml))
    }

    /// Lint warnings: legal but risky parts of the policy.
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<Py<PyDiagnostic>>> {
        let mut list = self.state.policy.warnings().to_vec();
        if self.state.verdict.is_some() {
            // The callable allows origins the core cannot see.
            list.retain(|d| d.code != "no_origins");
        }
        diagnostics(py, &list)
    }

    /// Decides what to answer to a request. `headers` is a mapping, a list of `(name,
    /// value)` pairs (repeated names kept) or ASGI's raw `[(bytes, bytes)]`.
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
        let d = self.state.evaluate(py, req)?;
        decision_to_py(py, &d)
    }

    /// For the ASGI middleware: `(status, headers, body)` for a preflight to answer, a
    /// `Pending` to merge into the application's response, or `None`.
    fn _asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let path = path_bytes(path)?;
        self.state.asgi(py, method, headers, &path)
    }

    /// For the WSGI middleware: evaluates CGI-style headers; `(status, headers)` of a
    /// preflight to answer, a `Pending`, or `None`.
    fn _wsgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: Vec<(String, String)>,
        path: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lines: Vec<(Vec<u8>, Vec<u8>)> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), text_bytes(v).into_owned()))
            .collect();
        let req = owned_request(method.as_bytes(), path.as_bytes(), &lines);
        let d = self.state.evaluate(py, req)?;
        if let Some((status, lines)) = answered(&d) {
            let list: Vec<(String, String)> = lines
                .into_iter()
                .map(|(n, v)| (n.to_string(), corsgate::latin1::decode(&v)))
                .collect();
            return (status, list).into_pyobject(py).map(Bound::into_any);
        }
        Bound::new(py, pending_from(&d, false)).map(Bound::into_any)
    }

    fn __repr__(&self) -> String {
        format!(
            "<corsgate.Policy with {} warning(s)>",
            self.state.policy.warnings().len()
        )
    }
}

/// A policy handle whose policy can be replaced while requests use it.
#[pyclass(module = "corsgate", name = "SharedPolicy", frozen)]
pub(crate) struct PySharedPolicy {
    current: RwLock<Py<PyPolicy>>,
}

impl PySharedPolicy {
    fn load_ref(&self, py: Python<'_>) -> PyResult<Py<PyPolicy>> {
        self.current
            .read()
            .map(|p| p.clone_ref(py))
            .map_err(|_| PyValueError::new_err("the shared policy lock is poisoned"))
    }
}

#[pymethods]
impl PySharedPolicy {
    #[new]
    fn new(policy: Py<PyPolicy>) -> Self {
        PySharedPolicy {
            current: RwLock::new(policy),
        }
    }

    /// The policy serving now.
    fn load(&self, py: Python<'_>) -> PyResult<Py<PyPolicy>> {
        self.load_ref(py)
    }

    /// Replaces the policy atomically; requests already running finish with the old one.
    fn store(&self, policy: Py<PyPolicy>) -> PyResult<()> {
        let mut slot = self
            .current
            .write()
            .map_err(|_| PyValueError::new_err("the shared policy lock is poisoned"))?;
        *slot = policy;
        Ok(())
    }

    /// [`PyPolicy::evaluate`] on the policy serving now.
    #[pyo3(signature = (method, headers, path = "/"))]
    fn evaluate(
        &self,
        py: Python<'_>,
        method: &str,
        headers: &Bound<'_, PyAny>,
        path: &str,
    ) -> PyResult<PyDecision> {
        self.load_ref(py)?.get().evaluate(py, method, headers, path)
    }

    fn _asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.load_ref(py)?.get()._asgi(py, method, headers, path)
    }

    fn _wsgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: Vec<(String, String)>,
        path: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.load_ref(py)?.get()._wsgi(py, method, headers, path)
    }
}
