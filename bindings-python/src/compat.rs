//! What the Django and Flask glue share: request header text in, a compatibility answer out.

use corsgate::django::Answer;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::borrow::Cow;

/// The bytes of header text as a WSGI/ASGI server hands it to Python: each character one
/// Latin-1 byte (text outside Latin-1, which no server produces, is taken as UTF-8).
pub fn text_bytes(s: &str) -> Cow<'_, [u8]> {
    corsgate::latin1::encode(s).unwrap_or(Cow::Borrowed(s.as_bytes()))
}

/// Header text, decoded as Latin-1 (the inverse of [`text_bytes`]).
pub fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) if bytes.is_ascii() => Cow::Borrowed(s),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// A string value of a WSGI environ or Django `META` dict (`None` when absent or not a `str`).
pub fn environ_text(
    environ: &Bound<'_, PyDict>,
    key: &Bound<'_, PyString>,
) -> PyResult<Option<String>> {
    match environ.get_item(key)? {
        Some(v) => match v.cast::<PyString>() {
            Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
            Err(_) => Ok(None),
        },
        None => Ok(None),
    }
}

/// A header name of the Django or Flask profile as a Python string made once (the core's
/// constants, interned on first use).
fn name_object<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    use corsgate::{django::names as dj, flask::names as fl};
    static NAMES: PyOnceLock<Vec<(&'static str, Py<PyString>)>> = PyOnceLock::new();
    let names = NAMES.get_or_init(py, || {
        [
            dj::ALLOW_ORIGIN,
            dj::ALLOW_CREDENTIALS,
            dj::EXPOSE_HEADERS,
            dj::ALLOW_HEADERS,
            dj::ALLOW_METHODS,
            dj::MAX_AGE,
            dj::ALLOW_PRIVATE_NETWORK,
            dj::CONTENT_LENGTH,
            fl::ALLOW_ORIGIN,
            fl::EXPOSE_HEADERS,
            fl::ALLOW_CREDENTIALS,
            fl::ALLOW_PRIVATE_NETWORK,
            fl::ALLOW_HEADERS,
            fl::MAX_AGE,
            fl::ALLOW_METHODS,
            fl::VARY,
        ]
        .into_iter()
        .map(|n| (n, PyString::intern(py, n).unbind()))
        .collect()
    });
    match names.iter().find(|(n, _)| *n == name) {
        Some((_, object)) => object.bind(py).clone(),
        None => PyString::new(py, name),
    }
}

/// The answer's headers as a list of `(name, value)` strings.
pub fn answer_list<'py>(py: Python<'py>, answer: &Answer<'_>) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for (name, value) in answer.headers() {
        let pair = PyTuple::new(
            py,
            [name_object(py, name), PyString::new(py, &latin1(value))],
        )?;
        list.append(pair)?;
    }
    Ok(list)
}
