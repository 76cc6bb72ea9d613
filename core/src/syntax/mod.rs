//! Bytes and grammar: HTTP tokens and lists, serialized origins. No policy knowledge.

pub(crate) mod ascii;
pub mod latin1;
pub(crate) mod origin;
pub(crate) mod token;
