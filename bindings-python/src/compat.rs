//! What the Django and Flask glue share: request header text in, a compatibility answer out.

use corsgate::django::Answer;
use pyo3::intern;
use pyo3::prelude::*;
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

/// A header name of the Django or Flask profile as a Python string made once.
fn name_object<'py>(py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
    use corsgate::{django::names as dj, flask::names as fl};
    let cached = match name {
        dj::ALLOW_ORIGIN => intern!(py, "access-control-allow-origin"),
        dj::ALLOW_CREDENTIALS => intern!(py, "access-control-allow-credentials"),
        dj::EXPOSE_HEADERS => intern!(py, "access-control-expose-headers"),
        dj::ALLOW_HEADERS => intern!(py, "access-control-allow-headers"),
        dj::ALLOW_METHODS => intern!(py, "access-control-allow-methods"),
        dj::MAX_AGE => intern!(py, "access-control-max-age"),
        dj::ALLOW_PRIVATE_NETWORK => intern!(py, "access-control-allow-private-network"),
        dj::CONTENT_LENGTH => intern!(py, "content-length"),
        fl::ALLOW_ORIGIN => intern!(py, "Access-Control-Allow-Origin"),
        fl::EXPOSE_HEADERS => intern!(py, "Access-Control-Expose-Headers"),
        fl::ALLOW_CREDENTIALS => intern!(py, "Access-Control-Allow-Credentials"),
        fl::ALLOW_PRIVATE_NETWORK => intern!(py, "Access-Control-Allow-Private-Network"),
        fl::ALLOW_HEADERS => intern!(py, "Access-Control-Allow-Headers"),
        fl::MAX_AGE => intern!(py, "Access-Control-Max-Age"),
        fl::ALLOW_METHODS => intern!(py, "Access-Control-Allow-Methods"),
        fl::VARY => intern!(py, "Vary"),
        other => return PyString::new(py, other),
    };
    cached.clone()
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
