//! Request headers in: Python mappings, pairs and ASGI's raw list, read as bytes.

use crate::compat::text_bytes;
use corsgate::Request;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
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
