//! `corsgate_browser_check` through the C ABI: the outcome JSON, the buffer protocol and bad
//! input (checked as text: the JSON keys come out sorted). Verdicts come from the Fetch standard (a credentialed request refuses `*`).
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use corsgate_ffi::corsgate_status::*;
use corsgate_ffi::{corsgate_browser_check, corsgate_bytes};
use std::ffi::{c_char, CStr};

fn run(input: &str) -> String {
    let mut len = 0usize;
    // SAFETY: valid input bytes; NULL buffer with capacity 0 asks for the length.
    let status = unsafe {
        corsgate_browser_check(
            corsgate_bytes::of(input.as_bytes()),
            std::ptr::null_mut(),
            0,
            &mut len,
        )
    };
    assert_eq!(status, CORSGATE_ERR_BUFFER_TOO_SMALL);
    let mut buf = vec![0 as c_char; len + 1];
    let mut len2 = 0usize;
    // SAFETY: `buf` has `len + 1` writable bytes.
    let status = unsafe {
        corsgate_browser_check(
            corsgate_bytes::of(input.as_bytes()),
            buf.as_mut_ptr(),
            buf.len(),
            &mut len2,
        )
    };
    assert_eq!((status, len2), (CORSGATE_OK, len));
    // SAFETY: NUL-terminated by the call.
    let text = unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap();
    text.to_string()
}

#[test]
fn wildcard_with_credentials_is_blocked() {
    let v = run(
        r#"{"request": {"origin": "https://app.example", "url": "https://api.example/x",
        "credentials": "include"},
        "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]}}"#,
    );
    assert!(v.contains(r#""verdict":"blocked""#), "{v}");
    assert!(v.contains(r#""kind":"WildcardOriginNotAllowed""#), "{v}");
}

#[test]
fn preflight_request_is_described() {
    let v = run(
        r#"{"request": {"origin": "https://app.example", "url": "https://api.example/x",
        "method": "PUT", "headers": [["X-B", "1"], ["Content-Type", "application/json"]]}}"#,
    );
    assert!(v.contains(r#""verdict":"incomplete""#), "{v}");
    assert!(v.contains(r#""request_headers":"content-type,x-b""#), "{v}");
}

#[test]
fn bad_input_is_an_error_object_and_null_is_refused() {
    let v = run("not json");
    assert!(v.starts_with(r#"{"error":{"kind":"invalid_input","#), "{v}");
    let v = run(
        r#"{"request": {"origin": "https://a.example", "url": "https://b.example", "method": "TRACE"}}"#,
    );
    assert!(
        v.starts_with(r#"{"error":{"kind":"forbidden_method","#),
        "{v}"
    );
    let null = corsgate_bytes {
        ptr: std::ptr::null(),
        len: 3,
    };
    // SAFETY: the function must refuse a NULL pointer with a non-zero length.
    let status =
        unsafe { corsgate_browser_check(null, std::ptr::null_mut(), 0, std::ptr::null_mut()) };
    assert_eq!(status, CORSGATE_ERR_NULL_ARGUMENT);
}
