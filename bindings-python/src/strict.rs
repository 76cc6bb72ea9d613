//! The strict engine's state: the core policy and the optional `allow_origin` callable.

use crate::headers::{build_request, Raw};
use crate::pending::{answered, pair, pending_from, Answer};
use corsgate::latin1::decode as latin1;
use corsgate::{Decision, Policy, Request};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use std::sync::Arc;

/// What `allow_origin` answered, as the verdict: only `True` and `False` count. Anything else
/// (a truthy `"yes"`, `1`, a coroutine) raises `TypeError`, so the request fails instead of
/// being allowed by accident.
fn verdict_of(answer: &Bound<'_, PyAny>) -> PyResult<bool> {
    if let Ok(b) = answer.cast::<pyo3::types::PyBool>() {
        return Ok(b.is_true());
    }
    if answer.hasattr("__await__")? {
        // Close a coroutine so that Python does not warn it was never awaited.
        if answer.hasattr("close")? {
            answer.call_method0("close")?;
        }
        return Err(PyTypeError::new_err(format!(
            "allow_origin returned an awaitable ({}), not a bool: {ASYNC_HINT}",
            answer.get_type().name()?
        )));
    }
    Err(PyTypeError::new_err(format!(
        "allow_origin must return a bool (True or False), not {}: {}; the request was not allowed",
        answer.get_type().name()?,
        shown(answer)
    )))
}

/// What to do instead of an async origin check, in both errors that refuse one.
const ASYNC_HINT: &str = "async checks are not supported yet; pass a synchronous function \
    (for a lookup that needs I/O, keep the allowed origins in memory, refreshed in the \
    background, and test against that set)";

/// A value's `repr`, cut to 80 characters, for an error message.
fn shown(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .and_then(|r| r.to_cow().map(|c| c.into_owned()))
        .unwrap_or_else(|_| "?".into());
    match text.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// Refuses an `allow_origin` that cannot answer a bool: not callable, or a coroutine or
/// async-generator function (including a `functools.partial` of one and an object whose
/// `__call__` is one), whose truthy coroutine would otherwise allow every origin.
pub(crate) fn check_verdict_callable(f: &Bound<'_, PyAny>) -> PyResult<()> {
    if !f.is_callable() {
        return Err(PyTypeError::new_err(
            "allow_origin must be a callable taking the origin and returning a bool",
        ));
    }
    let inspect = f.py().import("inspect")?;
    let is_async = |obj: &Bound<'_, PyAny>| -> PyResult<bool> {
        Ok(inspect
            .call_method1("iscoroutinefunction", (obj,))?
            .is_truthy()?
            || inspect
                .call_method1("isasyncgenfunction", (obj,))?
                .is_truthy()?)
    };
    let call = f.getattr("__call__").ok();
    if is_async(f)? || call.map_or(Ok(false), |c| is_async(&c))? {
        return Err(PyTypeError::new_err(format!(
            "allow_origin must be a synchronous function returning a bool, not an async one: \
             {ASYNC_HINT}"
        )));
    }
    Ok(())
}

/// A compiled policy state: the core policy and an optional origin callable.
pub(crate) struct Strict {
    pub(crate) policy: Arc<Policy>,
    pub(crate) verdict: Option<Py<PyAny>>,
}

impl Strict {
    pub(crate) fn evaluate<'a>(
        &'a self,
        py: Python<'_>,
        req: Request<'a>,
    ) -> PyResult<Decision<'a>> {
        let req = match (&self.verdict, req.origin()) {
            (Some(f), Some(origin)) => {
                let answer = f.bind(py).call1((latin1(origin),))?;
                req.with_origin_verdict(verdict_of(&answer)?)
            }
            _ => req,
        };
        Ok(self.policy.evaluate(&req))
    }

    /// The ASGI answer of a preflight corsgate answers itself, a `Pending` merge, or `None`.
    pub(crate) fn asgi<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        headers: &Bound<'py, PyAny>,
        path: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        let raw = Raw::read(headers, false)?;
        let lines = raw.slices();
        let req = build_request(method.as_bytes(), path, &lines);
        let d = self.evaluate(py, req)?;
        if let Some((status, lines)) = answered(&d) {
            let list = PyList::empty(py);
            for (n, v) in lines {
                list.append(pair(py, n.to_ascii_lowercase().as_bytes(), &v)?)?;
            }
            let answer: Answer<'py> = (status, list, PyBytes::new(py, d.body().as_bytes()));
            return answer.into_pyobject(py).map(Bound::into_any);
        }
        Bound::new(py, pending_from(&d, false)).map(Bound::into_any)
    }
}
