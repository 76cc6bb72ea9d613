//! `corsgate.Diagnostic` and `corsgate.ConfigError`: a policy's problems, as Python sees them.

use corsgate::{ConfigErrors, Diagnostic};
use pyo3::prelude::*;

/// One problem in a policy: where, a stable code, a message and maybe a hint.
#[pyclass(module = "corsgate", name = "Diagnostic", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PyDiagnostic {
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

pub(crate) fn diagnostics(py: Python<'_>, list: &[Diagnostic]) -> PyResult<Vec<Py<PyDiagnostic>>> {
    list.iter()
        .map(|d| Py::new(py, PyDiagnostic::from_core(d)))
        .collect()
}

/// Raises `corsgate.ConfigError` (defined in Python, a `ValueError`) for `errors`.
pub(crate) fn config_error(py: Python<'_>, errors: &ConfigErrors) -> PyErr {
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
