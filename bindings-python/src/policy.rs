//! `corsgate.Policy` and `corsgate.SharedPolicy`: the strict engine for Python.

use crate::check::{cache_of, OriginCheck};
use crate::decision::{decision_to_py, PyDecision};
use crate::diagnostic::{config_error, diagnostics, PyDiagnostic};
use crate::headers::{environ_all_lines, environ_lines, header_lines, owned_request, path_bytes};
use crate::keys::compile_keys;
use crate::pending::{answered, pending_from};
use crate::report::{observer_of, stats_dict, stats_text};
use crate::strict::{origin_request, Strict};
use corsgate::{ConfigErrors, Format, Observer, Policy};
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
                    check: None,
                    observer: Arc::new(Observer::default()),
                },
            }),
            Err(e) => Err(config_error(py, &e)),
        }
    }
}

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (
        *,
        allow_origin = None,
        allow_request = None,
        check_timeout = 1.0,
        cache_ttl = None,
        cache_size = 1024,
        report_rate = Observer::DEFAULT_RATE,
        **keys,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        allow_origin: Option<Py<PyAny>>,
        allow_request: Option<Py<PyAny>>,
        check_timeout: f64,
        cache_ttl: Option<f64>,
        cache_size: usize,
        report_rate: (u32, u32),
        keys: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyPolicy> {
        let observer = observer_of(report_rate)?;
        let cache = cache_of(py, cache_ttl, cache_size)?;
        let check = OriginCheck::new(py, allow_origin, allow_request, check_timeout, cache)?;
        let result = match keys {
            Some(k) => compile_keys(k)?,
            None => Policy::from_json("{}"),
        };
        let mut policy = Self::wrap(py, result)?;
        policy.state.check = check.map(Arc::new);
        policy.state.observer = Arc::new(observer);
        Ok(policy)
    }

    /// The policy's counters since it was built, by kind, verdict and reason code.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        stats_dict(py, &self.state.observer)
    }

    /// The counters in the Prometheus text format (`corsgate_requests_total{kind, verdict,
    /// reason}`).
    fn stats_text(&self) -> String {
        stats_text(&self.state.observer)
    }

    /// Whether the origin check is an `async def` (only the ASGI middleware awaits it).
    #[getter]
    fn is_async(&self) -> bool {
        self.state.check.as_ref().is_some_and(|c| c.is_async)
    }

    /// Forgets the cached answer of `origin`, or every cached answer (see `cache_ttl`).
    #[pyo3(signature = (origin = None))]
    fn invalidate(&self, origin: Option<&str>) {
        let cache = self.state.check.as_ref().and_then(|c| c.cache.as_ref());
        if let Some(cache) = cache {
            cache.clear(origin.map(|o| crate::compat::text_bytes(o)).as_deref());
        }
    }

    /// How many origins the cache holds now (0 without a cache).
    #[getter]
    fn cached_origins(&self) -> usize {
        let cache = self.state.check.as_ref().and_then(|c| c.cache.as_ref());
        cache.map_or(0, |c| c.len())
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
        if self.state.check.is_some() {
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
        let d = self.state.evaluate(
            py,
            req,
            || {
                let slices: Vec<(&[u8], &[u8])> =
                    lines.iter().map(|(n, v)| (&n[..], &v[..])).collect();
                origin_request(py, method, path.as_bytes(), &slices)
            },
            None,
        )?;
        decision_to_py(py, &d)
    }

    /// For the ASGI middleware: `(status, headers, body)` for a preflight to answer, a
    /// `Pending` to merge into the application's response, or an `Awaiting` check; a denial
    /// is reported to `sink`.
    #[pyo3(signature = (method, headers, path, sink = None))]
    fn _asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let path = path_bytes(path)?;
        self.state.asgi(py, method, headers, &path, sink)
    }

    /// For the WSGI middleware: evaluates a WSGI environ (or Django's `META`); `(status,
    /// headers)` of a preflight to answer, or a `Pending`; a denial is reported to `sink`.
    #[pyo3(signature = (method, environ, path, sink = None))]
    fn _wsgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        environ: &Bound<'py, PyDict>,
        path: &str,
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let lines = environ_lines(environ)?;
        let mut req = corsgate::Request::new(method.as_bytes(), path.as_bytes());
        for (name, value) in &lines {
            req.add_header(name.as_bytes(), value);
        }
        let d = self.state.evaluate(
            py,
            req,
            || {
                let all = environ_all_lines(environ)?;
                let slices: Vec<(&[u8], &[u8])> =
                    all.iter().map(|(n, v)| (&n[..], &v[..])).collect();
                origin_request(py, method, path.as_bytes(), &slices)
            },
            sink,
        )?;
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

    /// The serving policy's counters (each policy counts its own: a `store` starts anew).
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.load_ref(py)?.get().stats(py)
    }

    /// The serving policy's counters in the Prometheus text format.
    fn stats_text(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.load_ref(py)?.get().stats_text())
    }

    #[pyo3(signature = (method, headers, path, sink = None))]
    fn _asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.load_ref(py)?
            .get()
            ._asgi(py, method, headers, path, sink)
    }

    #[pyo3(signature = (method, environ, path, sink = None))]
    fn _wsgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        environ: &Bound<'py, PyDict>,
        path: &str,
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.load_ref(py)?
            .get()
            ._wsgi(py, method, environ, path, sink)
    }
}
