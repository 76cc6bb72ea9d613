//! Responses out: an answered preflight, or the [`Pending`] headers a middleware merges into
//! the application's response by the core's rule.

use crate::headers::Raw;
use corsgate::starlette;
use corsgate::{Decision, ResponseHeader, Vary};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

/// Headers a middleware still has to set on the application's response.
#[pyclass(module = "corsgate", name = "Pending", frozen)]
pub(crate) struct Pending {
    cors: Vec<(&'static str, Box<[u8]>)>,
    vary: Vary,
    starlette: bool,
}

pub(crate) fn pair<'py>(
    py: Python<'py>,
    name: &[u8],
    value: &[u8],
) -> PyResult<Bound<'py, PyTuple>> {
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
pub(crate) fn answered<'d>(d: &'d Decision<'_>) -> Option<(u16, Vec<Line<'d>>)> {
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
pub(crate) type Answer<'py> = (u16, Bound<'py, PyList>, Bound<'py, PyBytes>);

pub(crate) fn pending_from(d: &Decision<'_>, starlette: bool) -> Pending {
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
