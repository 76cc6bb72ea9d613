//! The strict engine's state: the core policy and the application's optional origin check,
//! and the two ways a request reaches it: with a sync answer, or (ASGI only) an
//! [`Awaiting`] check the middleware awaits before the core decides.

use crate::check::{Asked, OriginCheck, OriginRequest};
use crate::headers::{build_request, Raw};
use crate::pending::{answered, pair, pending_from, Answer};
use crate::report::observe;
use corsgate::latin1::decode as latin1;
use corsgate::{Decision, Observer, Policy, Request};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use std::sync::Arc;

/// A compiled policy state: the core policy, an optional origin check, and the policy's
/// counters and report limiter.
#[derive(Clone)]
pub(crate) struct Strict {
    pub(crate) policy: Arc<Policy>,
    pub(crate) check: Option<Arc<OriginCheck>>,
    pub(crate) observer: Arc<Observer>,
}

impl Strict {
    /// The decision, with the check's answer when there is a check and one `Origin`; a check
    /// answering with an awaitable is refused (`TypeError`): nothing here can await it. The
    /// decision is counted, and a denial reported to `sink` (see [`observe`]).
    pub(crate) fn evaluate<'a>(
        &'a self,
        py: Python<'_>,
        req: Request<'a>,
        request: impl FnOnce() -> PyResult<OriginRequest>,
        sink: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Decision<'a>> {
        let req = match (&self.check, req.origin()) {
            (Some(check), Some(origin)) => match check.ask(py, origin, request)? {
                Asked::Decided(verdict) => req.with_origin_verdict(verdict),
                Asked::Pending(awaitable) => return Err(check.refuse_awaitable(&awaitable)),
            },
            _ => req,
        };
        let d = self.policy.evaluate(&req);
        observe(py, &self.observer, &d, &req, sink)?;
        Ok(d)
    }

    /// For the ASGI middleware: the answer of a preflight corsgate answers itself, a
    /// `Pending` merge, or an [`Awaiting`] when an async check must be awaited first.
    pub(crate) fn asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &[u8],
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let raw = Raw::read(headers, false)?;
        let lines = raw.slices();
        let req = build_request(method.as_bytes(), path, &lines);
        let req = match (&self.check, req.origin()) {
            (Some(check), Some(origin)) => {
                let asked = check.ask(py, origin, || origin_request(py, method, path, &lines))?;
                match asked {
                    Asked::Decided(verdict) => req.with_origin_verdict(verdict),
                    Asked::Pending(awaitable) => {
                        let awaiting = Awaiting {
                            state: self.clone(),
                            awaitable: awaitable.unbind(),
                            timeout: check.timeout,
                            origin: origin.into(),
                        };
                        return Bound::new(py, awaiting).map(Bound::into_any);
                    }
                }
            }
            _ => req,
        };
        let d = self.policy.evaluate(&req);
        observe(py, &self.observer, &d, &req, sink)?;
        asgi_answer(py, &d)
    }
}

/// The ASGI answer to a decision: `(status, headers, body)` or a `Pending`.
fn asgi_answer<'py>(py: Python<'py>, d: &Decision<'_>) -> PyResult<Bound<'py, PyAny>> {
    if let Some((status, lines)) = answered(d) {
        let list = PyList::empty(py);
        for (n, v) in lines {
            list.append(pair(py, n.to_ascii_lowercase().as_bytes(), &v)?)?;
        }
        let answer: Answer<'py> = (status, list, PyBytes::new(py, d.body().as_bytes()));
        return answer.into_pyobject(py).map(Bound::into_any);
    }
    Bound::new(py, pending_from(d, false)).map(Bound::into_any)
}

/// What `allow_request` receives for a request whose header lines are `lines`.
pub(crate) fn origin_request(
    py: Python<'_>,
    method: &str,
    path: &[u8],
    lines: &[(&[u8], &[u8])],
) -> PyResult<OriginRequest> {
    let headers = PyList::empty(py);
    let mut origin = String::new();
    for &(name, value) in lines {
        let name = latin1(name).to_ascii_lowercase();
        let value = latin1(value);
        if origin.is_empty() && name == corsgate::REQUEST_HEADER_NAMES[0] {
            origin.clone_from(&value);
        }
        headers.append((name, value))?;
    }
    Ok(OriginRequest {
        method: method.to_string(),
        path: latin1(path),
        origin,
        headers: headers.unbind(),
    })
}

/// An async origin check the ASGI middleware awaits (at most `timeout` seconds), then hands
/// back with [`Awaiting::finish`]; the policy is the one the request started with.
#[pyclass(module = "corsgate", name = "Awaiting", frozen)]
pub(crate) struct Awaiting {
    state: Strict,
    /// What the check returned: await it.
    #[pyo3(get)]
    awaitable: Py<PyAny>,
    /// Seconds to wait before denying (`check_timeout`).
    #[pyo3(get)]
    timeout: f64,
    origin: Box<[u8]>,
}

#[pymethods]
impl Awaiting {
    /// The ASGI answer (as `_asgi`'s) once the awaitable returned `answer` (`True` or
    /// `False`, else `TypeError`), or with `timed_out=True`: denied and not cached.
    #[pyo3(signature = (answer, method, headers, path, timed_out = false, sink = None))]
    #[allow(clippy::too_many_arguments)]
    fn finish<'py>(
        &self,
        py: Python<'py>,
        answer: &Bound<'py, PyAny>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &Bound<'py, PyAny>,
        timed_out: bool,
        sink: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let verdict = match (&self.state.check, timed_out) {
            (_, true) | (None, _) => false,
            (Some(check), false) => {
                let verdict = check.verdict_of(answer)?;
                check.remember(&self.origin, verdict);
                verdict
            }
        };
        let path = crate::headers::path_bytes(path)?;
        let raw = Raw::read(headers, false)?;
        let lines = raw.slices();
        let req = build_request(method.as_bytes(), &path, &lines).with_origin_verdict(verdict);
        let d = self.state.policy.evaluate(&req);
        observe(py, &self.state.observer, &d, &req, sink)?;
        asgi_answer(py, &d)
    }
}
