//! Bytes and grammar: HTTP tokens and lists, serialized origins, the forms of a request path.
//! No policy knowledge.

pub(crate) mod ascii;
pub mod latin1;
pub(crate) mod origin;
pub(crate) mod path_forms;
pub(crate) mod token;
