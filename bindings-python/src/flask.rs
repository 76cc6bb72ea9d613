//! `corsgate.FlaskPolicy`: flask-cors's answers for one resource, from the core's `flask`
//! profile. Python (`corsgate/flask.py`) merges the options and installs Flask's hooks; the
//! regular expressions flask-cors would compile are compiled here with Python's `re` and
//! matched only when the core asks.

use crate::compat::{answer_list, environ_text, latin1, text_bytes};
use corsgate::flask::{FlaskConfig, FlaskPattern, FlaskPolicy, FlaskText, PatternList};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

/// A compiled flask-cors resource: the core policy and the Python regexes it may ask about.
#[pyclass(module = "corsgate", name = "FlaskPolicy", frozen)]
pub struct PyFlaskPolicy {
    policy: FlaskPolicy,
    /// `re.Pattern`s by index into `origins` (`None` for literals and `.*`).
    origin_regexes: Compiled,
    header_regexes: Compiled,
}

/// Python `re.Pattern`s by index into a pattern list (`None` where the core needs none).
type Compiled = Vec<Option<Py<PyAny>>>;

/// Reads a pattern list as flask-cors does: strings (regex-like ones compiled with
/// `re.IGNORECASE`) and compiled `re.Pattern`s.
fn patterns(py: Python<'_>, items: &Bound<'_, PyList>) -> PyResult<(Vec<FlaskPattern>, Compiled)> {
    let re = py.import("re")?;
    let pattern_type = re.getattr("Pattern")?;
    let ignore_case = re.getattr("IGNORECASE")?;
    let mut list = Vec::new();
    let mut compiled = Vec::new();
    for item in items.iter() {
        if let Ok(s) = item.cast::<PyString>() {
            let pattern = FlaskPattern::from_text(&s.to_cow()?);
            let regex = match &pattern {
                FlaskPattern::RegexText(t) if t != ".*" => {
                    let obj = re.call_method1("compile", (t.as_str(), &ignore_case));
                    Some(obj.map_err(|_| {
                        PyValueError::new_err(format!(
                            "Invalid regular expression in Flask-CORS configuration: {t:?}"
                        ))
                    })?)
                }
                _ => None,
            };
            list.push(pattern);
            compiled.push(regex.map(Bound::unbind));
        } else if item.is_instance(&pattern_type)? {
            let text = item.getattr("pattern")?.str()?.to_cow()?.into_owned();
            list.push(FlaskPattern::RegexObject(text));
            compiled.push(Some(item.unbind()));
        } else {
            return Err(PyTypeError::new_err(format!(
                "origins and allow_headers take strings and re.Pattern objects, not {}",
                item.get_type().name()?
            )));
        }
    }
    Ok((list, compiled))
}

/// A `methods` / `expose_headers` option: one string as given, or a collection (sorted).
fn text(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<FlaskText>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Some(FlaskText::One(s.to_cow()?.into_owned())));
    }
    let mut items = Vec::new();
    for item in value.try_iter()? {
        items.push(item?.str()?.to_cow()?.into_owned());
    }
    Ok(Some(FlaskText::Many(items)))
}

#[pymethods]
impl PyFlaskPolicy {
    #[new]
    #[pyo3(signature = (
        *,
        origins,
        allow_headers,
        methods,
        expose_headers,
        max_age,
        supports_credentials,
        send_wildcard,
        vary_header,
        always_send,
        allow_private_network,
        origins_default,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        origins: &Bound<'_, PyList>,
        allow_headers: &Bound<'_, PyList>,
        methods: Option<&Bound<'_, PyAny>>,
        expose_headers: Option<&Bound<'_, PyAny>>,
        max_age: Option<String>,
        supports_credentials: bool,
        send_wildcard: bool,
        vary_header: bool,
        always_send: bool,
        allow_private_network: bool,
        origins_default: bool,
    ) -> PyResult<Self> {
        let (origin_list, origin_regexes) = patterns(py, origins)?;
        let (header_list, header_regexes) = patterns(py, allow_headers)?;
        let config = FlaskConfig {
            origins: origin_list,
            allow_headers: header_list,
            methods: text(methods)?,
            expose_headers: text(expose_headers)?,
            max_age,
            supports_credentials,
            send_wildcard,
            vary_header,
            always_send,
            allow_private_network,
            origins_default,
        };
        let policy =
            FlaskPolicy::compile(&config).map_err(|e| crate::diagnostic::config_error(py, &e))?;
        Ok(PyFlaskPolicy {
            policy,
            origin_regexes,
            header_regexes,
        })
    }

    /// Risky options (they behave as in flask-cors).
    #[getter]
    fn warnings(&self, py: Python<'_>) -> PyResult<Vec<Py<crate::diagnostic::PyDiagnostic>>> {
        crate::diagnostic::diagnostics(py, self.policy.warnings())
    }

    /// The headers flask-cors adds to the response of this request (`environ` is the WSGI
    /// environ), as `(name, value)` pairs, in its order.
    fn _headers<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        environ: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyList>> {
        let origin = environ_text(environ, intern!(py, "HTTP_ORIGIN"))?;
        let asked = environ_text(environ, intern!(py, "HTTP_ACCESS_CONTROL_REQUEST_METHOD"))?;
        let headers = environ_text(environ, intern!(py, "HTTP_ACCESS_CONTROL_REQUEST_HEADERS"))?;
        let pna = environ_text(
            environ,
            intern!(py, "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )?;
        fn bytes(t: &Option<String>) -> Option<std::borrow::Cow<'_, [u8]>> {
            t.as_deref().map(text_bytes)
        }
        let (origin, asked, headers, pna) =
            (bytes(&origin), bytes(&asked), bytes(&headers), bytes(&pna));
        let mut error = None;
        let mut regex = |list: PatternList, index: usize, value: &[u8]| -> bool {
            let table = match list {
                PatternList::Origins => &self.origin_regexes,
                PatternList::AllowHeaders => &self.header_regexes,
            };
            let Some(Some(pattern)) = table.get(index) else {
                return false;
            };
            let hit = pattern
                .bind(py)
                .call_method1(intern!(py, "match"), (latin1(value),))
                .and_then(|m| m.is_truthy());
            hit.unwrap_or_else(|e| {
                error.get_or_insert(e);
                false
            })
        };
        let answer = self.policy.evaluate(
            method.as_bytes(),
            origin.as_deref(),
            asked.as_deref(),
            headers.as_deref(),
            pna.as_deref(),
            &mut regex,
        );
        if let Some(e) = error {
            return Err(e);
        }
        answer_list(py, &answer)
    }
}

/// The order flask-cors tries `resources` keys in: `(text, is_compiled_pattern)` pairs in,
/// indices out.
#[pyfunction]
pub fn _flask_resource_order(keys: Vec<(String, bool)>) -> Vec<usize> {
    let keys: Vec<(&str, bool)> = keys.iter().map(|(t, c)| (t.as_str(), *c)).collect();
    corsgate::flask::resource_order(&keys)
}

/// Adds the class, the resource-order function and the `Access-Control-Allow-Origin` spelling
/// flask-cors checks a response for.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFlaskPolicy>()?;
    m.add_function(wrap_pyfunction!(_flask_resource_order, m)?)?;
    m.add("FLASK_ALLOW_ORIGIN", corsgate::flask::names::ALLOW_ORIGIN)?;
    Ok(())
}
