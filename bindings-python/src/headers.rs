//! Request headers in: Python mappings, pairs and ASGI's raw list, read as bytes.

use crate::compat::text_bytes;
use corsgate::Request;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyString, PyTuple};

/// Bytes of a header name or value given as `bytes` or `str` (Latin-1 when it fits, as HTTP
/// and WSGI carry text, else UTF-8).
fn header_bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(text_bytes(&s.to_cow()?).into_owned());
    }
    Err(PyTypeError::new_err(
        "header names and values must be str or bytes",
    ))
}

/// Header lines from a mapping, a list of pairs (repeated names kept) or ASGI's raw list.
pub(crate) fn header_lines(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
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
pub(crate) struct Raw<'py> {
    pub(crate) items: Vec<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)>,
    pub(crate) objects: Vec<Bound<'py, PyAny>>,
}

impl<'py> Raw<'py> {
    /// Reads an iterable of `(bytes, bytes)`; with `keep_objects`, also the items themselves
    /// (a merge reuses them).
    pub(crate) fn read(headers: &Bound<'py, PyAny>, keep_objects: bool) -> PyResult<Raw<'py>> {
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

    pub(crate) fn slices(&self) -> Vec<(&[u8], &[u8])> {
        self.items
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect()
    }
}

/// A request over owned header lines (what [`header_lines`] read).
pub(crate) fn owned_request<'a>(
    method: &'a [u8],
    path: &'a [u8],
    lines: &'a [(Vec<u8>, Vec<u8>)],
) -> Request<'a> {
    let mut req = Request::new(method, path);
    for (name, value) in lines {
        req.add_header(name, value);
    }
    req
}

/// A request borrowed from header slices (the core picks the CORS lines itself).
pub(crate) fn build_request<'a>(
    method: &'a [u8],
    path: &'a [u8],
    lines: &[(&[u8], &'a [u8])],
) -> Request<'a> {
    let mut req = Request::new(method, path);
    for &(name, value) in lines {
        req.add_header(name, value);
    }
    req
}

/// An ASGI path (`str`) as bytes.
pub(crate) fn path_bytes(path: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if path.is_none() {
        return Ok(b"/".to_vec());
    }
    header_bytes(path)
}

/// The WSGI environ keys (`HTTP_ORIGIN`, …) of the request headers the core reads, in
/// [`corsgate::REQUEST_HEADER_NAMES`]' order, made once.
fn cgi_keys(py: Python<'_>) -> &[Py<PyString>; 4] {
    static KEYS: PyOnceLock<[Py<PyString>; 4]> = PyOnceLock::new();
    KEYS.get_or_init(py, || {
        corsgate::REQUEST_HEADER_NAMES.map(|name| {
            let key = format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"));
            PyString::new(py, &key).unbind()
        })
    })
}

/// The CORS request header lines of a WSGI environ (or Django's `META`): names as the core
/// spells them, values as bytes (a value that is not a `str` is absent).
pub(crate) fn environ_lines(environ: &Bound<'_, PyDict>) -> PyResult<Vec<(&'static str, Vec<u8>)>> {
    let py = environ.py();
    let mut lines = Vec::new();
    for (key, name) in cgi_keys(py).iter().zip(corsgate::REQUEST_HEADER_NAMES) {
        if let Some(value) = environ.get_item(key.bind(py))? {
            if let Ok(text) = value.cast::<PyString>() {
                lines.push((name, text_bytes(&text.to_cow()?).into_owned()));
            }
        }
    }
    Ok(lines)
}

/// Every request header of a WSGI environ (`HTTP_*`, `CONTENT_TYPE`, `CONTENT_LENGTH`) as
/// lower-case names and bytes, for a request-aware check.
pub(crate) fn environ_all_lines(environ: &Bound<'_, PyDict>) -> PyResult<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut lines = Vec::new();
    for (key, value) in environ.iter() {
        let (Ok(key), Ok(value)) = (key.cast::<PyString>(), value.cast::<PyString>()) else {
            continue;
        };
        let key = key.to_cow()?;
        let name = match key.strip_prefix("HTTP_") {
            Some(rest) => rest,
            None if key == "CONTENT_TYPE" || key == "CONTENT_LENGTH" => &key,
            None => continue,
        };
        let name = name.to_ascii_lowercase().replace('_', "-").into_bytes();
        lines.push((name, text_bytes(&value.to_cow()?).into_owned()));
    }
    Ok(lines)
}
