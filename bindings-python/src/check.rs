//! The application's own origin check: `allow_origin(origin)` or the request-aware
//! `allow_request(request)`, sync or `async def`, with its optional answer cache.
//!
//! The check answers only whether the origin is allowed; the core decides everything else.
//! Only `True` allows and only `False` denies: any other answer raises `TypeError`, so the
//! request fails instead of being allowed by a truthy value.

use crate::diagnostic::config_error;
use corsgate::latin1::decode as latin1;
use corsgate::OriginCache;
use corsgate::{ConfigErrors, Diagnostic, DiagnosticCode};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyList};
use std::time::Duration;

/// A Python check and how to call it.
pub(crate) struct OriginCheck {
    f: Py<PyAny>,
    /// `allow_request`: called with an [`OriginRequest`], never cached.
    takes_request: bool,
    /// Whether `f` is an `async def` (or a callable whose `__call__` is one).
    pub(crate) is_async: bool,
    /// Seconds the ASGI middleware awaits an async check before denying.
    pub(crate) timeout: f64,
    pub(crate) cache: Option<OriginCache>,
}

/// What the check said about one origin.
pub(crate) enum Asked<'py> {
    Decided(bool),
    /// An awaitable the ASGI middleware awaits (every other caller refuses it).
    Pending(Bound<'py, PyAny>),
}

/// The request a request-aware check (`allow_request`) receives.
#[pyclass(module = "corsgate", name = "OriginRequest", frozen, get_all)]
pub(crate) struct OriginRequest {
    /// The request method, as received.
    pub(crate) method: String,
    /// The request target's path, as received (percent-encoded; the query excluded where
    /// the server separates it).
    pub(crate) path: String,
    /// The `Origin` header.
    pub(crate) origin: String,
    /// Every request header as `(name, value)`, names in lower case, repeated names kept.
    pub(crate) headers: Py<PyList>,
}

#[pymethods]
impl OriginRequest {
    /// The first value of header `name` (any case), or `None`.
    fn header(&self, py: Python<'_>, name: &str) -> PyResult<Option<String>> {
        for item in self.headers.bind(py).iter() {
            let (n, v): (String, String) = item.extract()?;
            if n.eq_ignore_ascii_case(name) {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    fn __repr__(&self) -> String {
        format!(
            "OriginRequest(method={:?}, path={:?}, origin={:?})",
            self.method, self.path, self.origin
        )
    }
}

/// A `TypeError` naming the keyword, what is wrong and how to fix it.
fn key_error(key: &str, problem: &str, fix: &str) -> PyErr {
    PyTypeError::new_err(format!("{key}: {problem} (fix: {fix})"))
}

/// A `corsgate.ConfigError` for a keyword's value, as the core reports a policy key's.
fn value_error(py: Python<'_>, key: &str, message: String, fix: &str) -> PyErr {
    let diagnostic = Diagnostic {
        path: key.to_string(),
        code: DiagnosticCode::InvalidType.as_str(),
        message,
        hint: Some(fix.to_string()),
    };
    let errors = ConfigErrors {
        errors: vec![diagnostic],
        warnings: Vec::new(),
    };
    config_error(py, &errors)
}

/// `cache_ttl` and `cache_size` as a cache, or `None` without a TTL.
pub(crate) fn cache_of(
    py: Python<'_>,
    ttl: Option<f64>,
    size: usize,
) -> PyResult<Option<OriginCache>> {
    let Some(ttl) = ttl else {
        return Ok(None);
    };
    if !(ttl.is_finite() && ttl > 0.0 && ttl < 1e9) {
        let message = format!("expected a positive number of seconds, not {ttl}");
        return Err(value_error(py, "cache_ttl", message, "cache_ttl=60"));
    }
    if size == 0 {
        let message = "expected at least 1 origin".to_string();
        return Err(value_error(py, "cache_size", message, "cache_size=1024"));
    }
    Ok(Some(OriginCache::new(Duration::from_secs_f64(ttl), size)))
}

impl OriginCheck {
    /// Validates the keywords of `Policy(...)` that configure the check.
    pub(crate) fn new(
        py: Python<'_>,
        allow_origin: Option<Py<PyAny>>,
        allow_request: Option<Py<PyAny>>,
        timeout: f64,
        cache: Option<OriginCache>,
    ) -> PyResult<Option<OriginCheck>> {
        if !(timeout.is_finite() && timeout > 0.0) {
            let message = format!("expected a positive number of seconds, not {timeout}");
            return Err(value_error(
                py,
                "check_timeout",
                message,
                "check_timeout=1.0",
            ));
        }
        let (f, key, takes_request) = match (allow_origin, allow_request) {
            (Some(_), Some(_)) => {
                return Err(key_error(
                    "allow_request",
                    "allow_origin and allow_request are the same check, given two ways",
                    "pass allow_request alone when the check needs more than the origin",
                ))
            }
            (Some(f), None) => (f, "allow_origin", false),
            (None, Some(f)) => (f, "allow_request", true),
            (None, None) => {
                if cache.is_some() {
                    return Err(key_error(
                        "cache_ttl",
                        "there is no allow_origin check to cache",
                        "pass allow_origin=..., or remove cache_ttl",
                    ));
                }
                return Ok(None);
            }
        };
        if takes_request && cache.is_some() {
            return Err(key_error(
                "cache_ttl",
                "allow_request answers depend on more than the origin, so they are not cached",
                "cache inside the check, or use allow_origin(origin) with cache_ttl",
            ));
        }
        let bound = f.bind(py);
        if !bound.is_callable() {
            return Err(key_error(
                key,
                &format!(
                    "expected a callable returning True or False, not {}",
                    bound.get_type().name()?
                ),
                &format!(
                    "{key}=lambda {}: ...",
                    if takes_request { "request" } else { "origin" }
                ),
            ));
        }
        let inspect = py.import("inspect")?;
        let test = |name: &str| -> PyResult<bool> {
            let on = |obj: &Bound<'_, PyAny>| -> PyResult<bool> {
                inspect.call_method1(name, (obj,))?.is_truthy()
            };
            let call = bound.getattr("__call__").ok();
            Ok(on(bound)? || call.map_or(Ok(false), |c| on(&c))?)
        };
        if test("isasyncgenfunction")? {
            return Err(key_error(
                key,
                "an async generator never answers True or False",
                "write `async def` with `return`, not `yield`",
            ));
        }
        let is_async = test("iscoroutinefunction")?;
        Ok(Some(OriginCheck {
            f,
            takes_request,
            is_async,
            timeout,
            cache,
        }))
    }

    /// Asks about `origin` (the cache first); `request` builds what `allow_request` gets.
    pub(crate) fn ask<'py>(
        &self,
        py: Python<'py>,
        origin: &[u8],
        request: impl FnOnce() -> PyResult<OriginRequest>,
    ) -> PyResult<Asked<'py>> {
        if let Some(cached) = self.cache.as_ref().and_then(|c| c.get(origin)) {
            return Ok(Asked::Decided(cached));
        }
        let f = self.f.bind(py);
        let answer = if self.takes_request {
            f.call1((Py::new(py, request()?)?,))?
        } else {
            f.call1((latin1(origin),))?
        };
        if answer.hasattr("__await__")? {
            return Ok(Asked::Pending(answer));
        }
        let verdict = self.verdict_of(&answer)?;
        self.remember(origin, verdict);
        Ok(Asked::Decided(verdict))
    }

    /// Caches a verdict (when a cache is set).
    pub(crate) fn remember(&self, origin: &[u8], verdict: bool) {
        if let Some(cache) = &self.cache {
            cache.put(origin, verdict);
        }
    }

    fn key(&self) -> &'static str {
        if self.takes_request {
            "allow_request"
        } else {
            "allow_origin"
        }
    }

    /// What the check answered, as the verdict: only `True` and `False` count.
    pub(crate) fn verdict_of(&self, answer: &Bound<'_, PyAny>) -> PyResult<bool> {
        if let Ok(b) = answer.cast::<PyBool>() {
            return Ok(b.is_true());
        }
        Err(PyTypeError::new_err(format!(
            "{} must return a bool (True or False), not {}: {}; the request was not allowed",
            self.key(),
            answer.get_type().name()?,
            shown(answer)
        )))
    }

    /// The error for an awaitable where nothing can await it (`evaluate`, WSGI, Django,
    /// Flask); the awaitable is closed so that Python does not warn it was never awaited.
    pub(crate) fn refuse_awaitable(&self, answer: &Bound<'_, PyAny>) -> PyErr {
        if answer.hasattr("close").unwrap_or(false) {
            if let Err(e) = answer.call_method0("close") {
                return e;
            }
        }
        let kind = answer
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        PyTypeError::new_err(format!(
            "{} returned an awaitable ({kind}), not a bool: only corsgate.asgi.CORSMiddleware \
             awaits an async check; here pass a synchronous function",
            self.key()
        ))
    }
}

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
