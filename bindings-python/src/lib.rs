//! `corsgate._corsgate`: the Python extension over the corsgate core.
//!
//! The binding translates and never decides: requests go to `corsgate::Policy` (strict
//! semantics) or `corsgate::starlette::StarlettePolicy` (Starlette's answers), and the
//! decisions come back as Python objects, as a ready ASGI answer for a preflight, or as a
//! `Pending` set of headers that a middleware merges into the application's response.

use pyo3::prelude::*;

mod browser;
mod check;
mod compat;
mod decision;
mod diagnostic;
mod django;
mod flask;
mod headers;
mod keys;
mod pending;
mod policy;
mod report;
mod starlette_policy;
mod strict;

use decision::{PyDecision, PyReason};
use diagnostic::PyDiagnostic;
use pending::Pending;
use policy::{PyPolicy, PySharedPolicy};
use starlette_policy::PyStarlettePolicy;

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
    m.add_class::<check::OriginRequest>()?;
    m.add_class::<strict::Awaiting>()?;
    m.add_class::<report::PyDenialReport>()?;
    django::register(m)?;
    flask::register(m)?;
    m.add_function(wrap_pyfunction!(browser::browser_check, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
