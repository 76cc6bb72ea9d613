//! `Policy(**keys)`: keyword arguments read as the JSON of a policy file.

use corsgate::{ConfigErrors, Diagnostic, Policy};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

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
pub(crate) fn compile_keys(keys: &Bound<'_, PyDict>) -> PyResult<Result<Policy, ConfigErrors>> {
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
