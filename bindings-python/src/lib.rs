//! `corsgate._corsgate`: the Python extension over the corsgate core.
//!
//! The binding translates and never decides: requests go to `corsgate::Policy` (strict
//! semantics) or `corsgate::starlette::StarlettePolicy` (Starlette's answers), and the
//! decisions come back as Python objects, as a ready ASGI answer for a preflight, or as a
//! [`Pending`] set of headers that a middleware merges into the application's response.

use corsgate::starlette::{self, StarletteConfig, StarlettePolicy};
use corsgate::ResponseHeader;
use corsgate::{ConfigErrors, Decision, Diagnostic, Format, Policy, Request, Vary};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};
use std::sync::{Arc, RwLock};

mod browser;
mod compat;
mod django;
mod flask;

/// One problem in a policy: where, a stable code, a message and maybe a hint.
#[pyclass(module = "corsgate", name = "Diagnostic", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
struct PyDiagnostic {
    /// `origins[2]`, `routes[0].methods[1]`, or `""` for the whole policy.
    #[pyo3(get)]
    path: String,
    /// A stable code such as `origin_trailing_slash`.
    #[pyo3(get)]
    code: String,
    /// What is wrong, in one line.
    #[pyo3(get)]
    message: String,
    /// How to fix it, when there is a concrete suggestion.
    #[pyo3(get)]
    hint: Option<String>,
}

#[pymethods]
impl PyDiagnostic {
    fn __repr__(&self) -> String {
        let hint = match &self.hint {
            Some(h) => format!("{h:?}"),
            None => "None".into(),
        };
        format!(
            "Diagnostic(path={:?}, code={:?}, message={:?}, hint={hint})",
            self.path, self.code, self.message
        )
    }

    fn __str__(&self) -> String {
        // The same text as the core's `Display` for a diagnostic.
        let mut s = if self.path.is_empty() {
            format!("{} [{}]", self.message, self.code)
        } else {
            format!("{}: {} [{}]", self.path, self.message, self.code)
        };
        if let Some(hint) = &self.hint {
            s.push_str(&format!(" (hint: {hint})"));
        }
        s
    }
}

impl PyDiagnostic {
    fn from_core(d: &Diagnostic) -> Self {
        PyDiagnostic {
            path: d.path.clone(),
            code: d.code.to_string(),
            message: d.message.clone(),
            hint: d.hint.clone(),
        }
    }
}

fn diagnostics(py: Python<'_>, list: &[Diagnostic]) -> PyResult<Vec<Py<PyDiagnostic>>> {
    list.iter()
        .map(|d| Py::new(py, PyDiagnostic::from_core(d)))
        .collect()
}

/// Raises `corsgate.ConfigError` (defined in Python, a `ValueError`) for `errors`.
fn config_error(py: Python<'_>, errors: &ConfigErrors) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let class = py.import("corsgate._errors")?.getattr("ConfigError")?;
        let value = class.call1((
            errors.to_string(),
            diagnostics(py, &errors.errors)?,
            diagnostics(py, &errors.warnings)?,
        ))?;
        Ok(PyErr::from_value(value))
    };
    raise().unwrap_or_else(|e| e)
}

/// Why a request was denied.
#[pyclass(module = "corsgate", name = "Reason", frozen)]
struct PyReason {
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
struct PyDecision {
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

use corsgate::latin1::decode as latin1;

fn decision_to_py(py: Python<'_>, d: &Decision<'_>) -> PyResult<PyDecision> {
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

/// Bytes of a header name or value given as `bytes` or `str` (Latin-1 when it fits, as HTTP
/// and WSGI carry text, else UTF-8).
fn header_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(text_bytes(&s.to_cow()?));
    }
    Err(PyTypeError::new_err(
        "header names and values must be str or bytes",
    ))
}

/// The bytes of header text: its Latin-1 encoding when every character fits (how HTTP and
/// WSGI carry header values as `str`), else UTF-8.
fn text_bytes(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .unwrap_or_else(|| s.as_bytes().to_vec())
}

/// Header lines from a mapping, a list of pairs (repeated names kept) or ASGI's raw list.
fn header_lines(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let pairs = match headers.cast::<PyDict>() {
        Ok(dict) => dict.items().into_any(),
        Err(_) if headers.hasattr("items")? && !headers.is_instance_of::<PyList>() => {
            headers.call_method0("items")?
        }
        Err(_) => headers.clone(),
    };
    let mut out = Vec::new();
    for item in pairs.try_iter()? {
        let item = item?;
        let name = item.get_item(0)?;
        let value = item.get_item(1)?;
        out.push((header_bytes(&name)?, header_bytes(&value)?));
    }
    Ok(out)
}

/// Raw ASGI headers borrowed without copying: the items are kept alive in `items`.
struct Raw<'py> {
    items: Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>,
    objects: Vec<Bound<'py, PyAny>>,
}

impl<'py> Raw<'py> {
    /// Reads an iterable of `(bytes, bytes)`; with `keep_objects`, also the items themselves
    /// (a merge reuses them).
    fn read(headers: &Bound<'py, PyAny>, keep_objects: bool) -> PyResult<Raw<'py>> {
        let mut raw = Raw {
            items: Vec::new(),
            objects: Vec::new(),
        };
        let mut push =
            |item: Bound<'py, PyAny>| -> PyResult<()> {
                let pair = match item.cast::<PyTuple>() {
                    Ok(t) if t.len() == 2 => (t.get_item(0)?, t.get_item(1)?),
                    _ => (item.get_item(0)?, item.get_item(1)?),
                };
                let name = pair.0.cast_into::<PyBytes>().map_err(|_| {
                    PyTypeError::new_err("ASGI header names and values must be bytes")
                })?;
                let value = pair.1.cast_into::<PyBytes>().map_err(|_| {
                    PyTypeError::new_err("ASGI header names and values must be bytes")
                })?;
                raw.items.push((name, value));
                if keep_objects {
                    raw.objects.push(item);
                }
                Ok(())
            };
        if let Ok(list) = headers.cast::<PyList>() {
            for item in list.iter() {
                push(item)?;
            }
        } else {
            for item in headers.try_iter()? {
                push(item?)?;
            }
        }
        Ok(raw)
    }

    fn slices(&self) -> Vec<(&[u8], &[u8])> {
        self.items
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect()
    }
}

/// A request borrowed from header slices (the core picks the CORS lines itself).
fn build_request<'a>(method: &'a [u8], path: &'a [u8], lines: &[(&[u8], &'a [u8])]) -> Request<'a> {
    let mut req = Request::new(method, path);
    for &(name, value) in lines {
        req.add_header(name, value);
    }
    req
}

/// Headers a middleware still has to set on the application's response.
#[pyclass(module = "corsgate", name = "Pending", frozen)]
struct Pending {
    cors: Vec<(&'static str, Box<[u8]>)>,
    vary: Vary,
    starlette: bool,
}

fn pair<'py>(py: Python<'py>, name: &[u8], value: &[u8]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, [PyBytes::new(py, name), PyBytes::new(py, value)])
}

#[pymethods]
impl Pending {
    /// The application's ASGI response headers with the CORS headers applied by the core's
    /// rule for the profile (docs/semantics.md, "The response"): a new list (the
    /// application's own pairs are reused as they are; ASGI names are lower case).
    fn merge<'py>(&self, headers: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = headers.py();
        let raw = Raw::read(headers, true)?;
        let existing = raw.slices();
        let out = PyList::empty(py);
        for m in self.written(&existing) {
            match m {
                ResponseHeader::Kept(i) => {
                    if let Some(obj) = raw.objects.get(i) {
                        out.append(obj)?;
                    }
                }
                ResponseHeader::Set(name, value) => {
                    out.append(pair(py, name.to_ascii_lowercase().as_bytes(), &value)?)?;
                }
            }
        }
        Ok(out)
    }

    /// The WSGI response headers, `(name, value)` strings, with the CORS headers applied
    /// (for `start_response`).
    fn wsgi_headers(&self, headers: Vec<(String, String)>) -> Vec<(String, String)> {
        let existing: Vec<(&[u8], &[u8])> = headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect();
        self.written(&existing)
            .into_iter()
            .filter_map(|m| match m {
                ResponseHeader::Kept(i) => headers.get(i).cloned(),
                ResponseHeader::Set(name, value) => {
                    Some((name.to_string(), corsgate::latin1::decode(&value)))
                }
            })
            .collect()
    }
}

impl Pending {
    /// The response's header list by the core's rule: Starlette's, or the strict one.
    fn written<'p>(&'p self, existing: &[(&[u8], &[u8])]) -> Vec<ResponseHeader<'p>> {
        let mut out = Vec::with_capacity(existing.len() + self.cors.len() + 1);
        let cors = self.cors.iter().map(|(n, v)| (*n, &**v));
        if self.starlette {
            starlette::merge_headers(cors, self.vary, existing, &mut out);
        } else {
            corsgate::write_strict(cors, self.vary, existing, &mut out);
        }
        out
    }
}

/// A header line corsgate writes: name and value.
type Line<'d> = (&'static str, std::borrow::Cow<'d, [u8]>);

/// The whole answer to a preflight corsgate answers itself, by the core's rule: status and
/// header lines (canonical names in the strict profile).
fn answered<'d>(d: &'d Decision<'_>) -> Option<(u16, Vec<Line<'d>>)> {
    let response = d.response(&[]);
    let status = response.status?;
    let lines = response
        .headers
        .into_iter()
        .filter_map(|h| match h {
            ResponseHeader::Set(n, v) => Some((n, v)),
            ResponseHeader::Kept(_) => None,
        })
        .collect();
    Some((status, lines))
}

/// The ASGI answer to an answered preflight: `(status, headers, body)`.
type Answer<'py> = (u16, Bound<'py, PyList>, Bound<'py, PyBytes>);

fn pending_from(d: &Decision<'_>, starlette: bool) -> Pending {
    Pending {
        cors: d
            .headers()
            .iter()
            .map(|&(n, v)| (n, Box::from(v.as_bytes())))
            .collect(),
        vary: d.vary(),
        starlette,
    }
}

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
fn check_verdict_callable(f: &Bound<'_, PyAny>) -> PyResult<()> {
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
struct Strict {
    policy: Arc<Policy>,
    verdict: Option<Py<PyAny>>,
}

impl Strict {
    fn evaluate<'a>(&'a self, py: Python<'_>, req: Request<'a>) -> PyResult<Decision<'a>> {
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
    fn asgi<'py>(
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

/// How deeply `Policy(**keys)` may nest lists and dicts: a policy needs five levels
/// (`routes[0].origins[0]`); a list that contains itself, or 100,000 nested ones, is refused
/// with `TypeError` instead of recursing until the stack overflows.
const MAX_DEPTH: usize = 32;

/// Keyword arguments as JSON text, so `Policy(**keys)` is read and validated exactly like a
/// policy file (unknown keys, wrong types and every other problem reported by the core).
/// Numbers JSON cannot carry (`nan`, `inf`) are written as `null` and reported in
/// `non_finite`, with the path the core would give them.
#[derive(Default)]
struct PolicyJson {
    out: String,
    non_finite: Vec<Diagnostic>,
}

/// `message` prefixed by `path` when there is one (`routes[0].origins: …`).
fn at(path: &str, message: &str) -> String {
    if path.is_empty() {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

impl PolicyJson {
    fn write(&mut self, obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<()> {
        use std::fmt::Write;
        if depth > MAX_DEPTH {
            return Err(PyTypeError::new_err(at(
                path,
                &format!(
                    "the policy is nested deeper than {MAX_DEPTH} levels (does a list or dict \
                     contain itself?)"
                ),
            )));
        }
        let py = obj.py();
        if obj.is_none() {
            self.out.push_str("null");
        } else if let Ok(b) = obj.cast::<pyo3::types::PyBool>() {
            self.out
                .push_str(if b.is_true() { "true" } else { "false" });
        } else if obj.is_instance_of::<pyo3::types::PyInt>() {
            // `int.__repr__`: the digits, whatever a subclass's `__str__` says.
            let digits = py
                .get_type::<pyo3::types::PyInt>()
                .call_method1("__repr__", (obj,))?;
            self.out.push_str(&digits.cast::<PyString>()?.to_cow()?);
        } else if let Ok(f) = obj.cast::<pyo3::types::PyFloat>() {
            let value = f.value();
            if value.is_finite() {
                let text = py
                    .get_type::<pyo3::types::PyFloat>()
                    .call_method1("__repr__", (obj,))?;
                self.out.push_str(&text.cast::<PyString>()?.to_cow()?);
            } else {
                self.non_finite.push(Diagnostic {
                    path: path.to_string(),
                    code: corsgate::DiagnosticCode::InvalidType.as_str(),
                    message: format!("expected a finite integer, not {value}"),
                    hint: None,
                });
                self.out.push_str("null");
            }
        } else if let Ok(s) = obj.cast::<PyString>() {
            self.out.push('"');
            for c in s.to_cow()?.chars() {
                match c {
                    '"' => self.out.push_str("\\\""),
                    '\\' => self.out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(self.out, "\\u{:04x}", c as u32);
                    }
                    c => self.out.push(c),
                }
            }
            self.out.push('"');
        } else if let Ok(d) = obj.cast::<PyDict>() {
            self.out.push('{');
            for (i, (k, v)) in d.iter().enumerate() {
                let key = k
                    .cast::<PyString>()
                    .map_err(|_| PyTypeError::new_err(at(path, "policy keys must be strings")))?;
                if i > 0 {
                    self.out.push(',');
                }
                self.write(key.as_any(), path, depth + 1)?;
                self.out.push(':');
                let key = key.to_cow()?;
                let inner = if path.is_empty() {
                    key.into_owned()
                } else {
                    format!("{path}.{key}")
                };
                self.write(&v, &inner, depth + 1)?;
            }
            self.out.push('}');
        } else if obj.is_instance_of::<PyList>()
            || obj.is_instance_of::<PyTuple>()
            || obj.is_instance_of::<pyo3::types::PySet>()
            || obj.is_instance_of::<pyo3::types::PyFrozenSet>()
        {
            self.out.push('[');
            for (i, item) in obj.try_iter()?.enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.write(&item?, &format!("{path}[{i}]"), depth + 1)?;
            }
            self.out.push(']');
        } else if obj.hasattr("__fspath__")? {
            let text = obj.call_method0("__fspath__")?;
            self.write(&text, path, depth + 1)?;
        } else {
            return Err(PyTypeError::new_err(at(
                path,
                &format!("cannot use a {} in a policy", obj.get_type().name()?),
            )));
        }
        Ok(())
    }
}

/// Compiles `Policy(**keys)`: the core's result, with the numbers JSON could not carry
/// reported as errors among the core's own.
fn compile_keys(keys: &Bound<'_, PyDict>) -> PyResult<Result<Policy, ConfigErrors>> {
    let mut json = PolicyJson::default();
    json.write(keys.as_any(), "", 0)?;
    let result = Policy::from_json(&json.out);
    if json.non_finite.is_empty() {
        return Ok(result);
    }
    let mut errors = json.non_finite;
    let warnings = match result {
        Ok(policy) => policy.warnings().to_vec(),
        Err(core) => {
            // The core saw `null` where the number was: its word on those paths is ours.
            let ours: Vec<String> = errors.iter().map(|d| d.path.clone()).collect();
            errors.extend(core.errors.into_iter().filter(|d| !ours.contains(&d.path)));
            core.warnings
        }
    };
    Ok(Err(ConfigErrors { errors, warnings }))
}

/// A compiled CORS policy with corsgate's strict semantics.
#[pyclass(module = "corsgate", name = "Policy", frozen)]
struct PyPolicy {
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
        let borrowed: Vec<(&[u8], &[u8])> = lines
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
            .collect();
        let req = build_request(method.as_bytes(), path.as_bytes(), &borrowed);
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
            .map(|(n, v)| (n.as_bytes().to_vec(), text_bytes(v)))
            .collect();
        let borrowed: Vec<(&[u8], &[u8])> = lines
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
            .collect();
        let req = build_request(method.as_bytes(), path.as_bytes(), &borrowed);
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

/// An ASGI path (`str`) as bytes.
fn path_bytes(path: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if path.is_none() {
        return Ok(b"/".to_vec());
    }
    header_bytes(path)
}

/// A policy handle whose policy can be replaced while requests use it.
#[pyclass(module = "corsgate", name = "SharedPolicy", frozen)]
struct PySharedPolicy {
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

/// A Starlette-compatible configuration: Starlette's `CORSMiddleware` answers, from the core.
#[pyclass(module = "corsgate", name = "StarlettePolicy", frozen)]
struct PyStarlettePolicy {
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
        let borrowed: Vec<(&[u8], &[u8])> = lines
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
            .collect();
        let req = build_request(method.as_bytes(), path.as_bytes(), &borrowed);
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

/// `corsgate._corsgate`: the compiled part of the `corsgate` package.
#[pymodule]
fn _corsgate(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPolicy>()?;
    m.add_class::<PySharedPolicy>()?;
    m.add_class::<PyStarlettePolicy>()?;
    m.add_class::<PyDecision>()?;
    m.add_class::<PyReason>()?;
    m.add_class::<PyDiagnostic>()?;
    m.add_class::<Pending>()?;
    django::register(m)?;
    flask::register(m)?;
    m.add_function(wrap_pyfunction!(browser::browser_check, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
