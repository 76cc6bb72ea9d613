//! The C ABI of corsgate. `include/corsgate.h` is generated from this crate by cbindgen
//! (`make c-header`); every doc comment here is a doc comment of the header, written for C
//! readers. The rules, for every function:
//!
//! - Byte strings cross as pointer + length: never assumed NUL-terminated, never assumed
//!   UTF-8. A zero length makes any pointer (NULL included) an empty string.
//! - A NULL pointer where an object or out-parameter is required returns
//!   `CORSGATE_ERR_NULL_ARGUMENT`; functions that return a value instead of a status return a
//!   documented default.
//! - No panic crosses the boundary: an internal failure returns `CORSGATE_ERR_INTERNAL`.
//! - Every object the library allocates has its `_free`; the library never takes ownership
//!   of what the caller passes.
//!
//! Docs for C users: docs/c-api.md.
// The whole crate is the unsafe boundary: raw pointers from C are checked for NULL and turned
// into references here, with a SAFETY comment at each place.
#![allow(unsafe_code)]
// The C names (`corsgate_policy`, `CORSGATE_OK`) are the contract; Rust style yields to it.
#![allow(non_camel_case_types)]

mod browser;
mod bytes;
mod codes;
mod decision;
mod observe;
mod policy;
mod request;
mod response;
mod shared;

pub use browser::*;
use bytes::{bytes, format_into, set, slice};
pub use bytes::{corsgate_bytes, corsgate_header};
pub use codes::*;
pub use decision::*;
pub use observe::*;
pub use policy::*;
pub use request::*;
pub use response::*;
pub use shared::*;

use std::ffi::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The ABI version: the major number of `libcorsgate.so.<N>` (its soname). It changes whenever
/// a function, type or constant of this header changes incompatibly. Compare it with
/// `corsgate_abi_version()` at startup to detect a header/library mismatch.
pub const CORSGATE_ABI_VERSION: u32 = 0;

/// What a function reports. Every function that can fail returns one of these.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_status {
    /// Success.
    CORSGATE_OK = 0,
    /// A required pointer argument was NULL (or a byte string had a NULL pointer and a
    /// non-zero length).
    CORSGATE_ERR_NULL_ARGUMENT = 1,
    /// An argument is out of range (an index past the end, a length above `PTRDIFF_MAX`).
    CORSGATE_ERR_INVALID_ARGUMENT = 2,
    /// The policy did not compile: the `corsgate_error` lists every problem.
    CORSGATE_ERR_INVALID_POLICY = 3,
    /// The caller's buffer is too small: it holds a truncated, NUL-terminated prefix, and the
    /// length out-parameter holds the full length.
    CORSGATE_ERR_BUFFER_TOO_SMALL = 4,
    /// A bug inside corsgate (a caught panic). Out-parameters are left empty.
    CORSGATE_ERR_INTERNAL = 5,
}

use corsgate_status::*;

/// `corsgate_version()`'s text.
const VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, such as `"0.1.0"`: a static NUL-terminated string.
#[no_mangle]
pub extern "C" fn corsgate_version() -> *const c_char {
    VERSION_C.as_ptr().cast()
}

/// The library's ABI version; equal to `CORSGATE_ABI_VERSION` when the header and the
/// library match.
#[no_mangle]
pub extern "C" fn corsgate_abi_version() -> u32 {
    CORSGATE_ABI_VERSION
}

/// A short English description of a status, such as `"a required argument is NULL"`: a
/// static NUL-terminated string (`"unknown status"` for values that are not a status).
#[no_mangle]
pub extern "C" fn corsgate_status_str(status: c_int) -> *const c_char {
    let text: &'static str = match status {
        0 => "ok\0",
        1 => "a required argument is NULL\0",
        2 => "an argument is out of range\0",
        3 => "the policy is invalid\0",
        4 => "the buffer is too small\0",
        5 => "internal error in corsgate\0",
        _ => "unknown status\0",
    };
    text.as_ptr().cast()
}

/// Runs `f`, turning a panic into `CORSGATE_ERR_INTERNAL`.
fn guard(f: impl FnOnce() -> corsgate_status) -> corsgate_status {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(CORSGATE_ERR_INTERNAL)
}

/// Runs `f`, turning a panic into `default`.
fn guard_or<T>(default: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let status = guard(|| panic!("boom"));
        assert_eq!(status, CORSGATE_ERR_INTERNAL);
        assert_eq!(guard_or(7, || panic!("boom")), 7);
    }

    #[test]
    fn the_version_is_the_crate_version() {
        let v = unsafe { CStr::from_ptr(corsgate_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn formatting_truncates_on_character_boundaries_and_counts_everything() {
        let mut buf = [0x55u8; 6];
        let mut len = 0usize;
        let status = unsafe { format_into("ab\u{e9}cd", buf.as_mut_ptr().cast(), 4, &mut len) };
        assert_eq!(status, CORSGATE_ERR_BUFFER_TOO_SMALL);
        assert_eq!(len, 6);
        // "ab" + the two bytes of é do not fit in 3 bytes: "ab", NUL.
        assert_eq!(&buf[..3], b"ab\0");
        let status = unsafe { format_into("ab\u{e9}cd", buf.as_mut_ptr().cast(), 6, &mut len) };
        assert_eq!(status, CORSGATE_ERR_BUFFER_TOO_SMALL);
        assert_eq!(&buf[..5], "ab\u{e9}c".as_bytes());
        assert_eq!(buf[5], 0);
        let status = unsafe { format_into("abc", std::ptr::null_mut(), 0, &mut len) };
        assert_eq!((status, len), (CORSGATE_ERR_BUFFER_TOO_SMALL, 3));
        let mut big = [0u8; 8];
        let status = unsafe { format_into("abc", big.as_mut_ptr().cast(), 8, &mut len) };
        assert_eq!((status, len, &big[..4]), (CORSGATE_OK, 3, &b"abc\0"[..]));
    }
}
