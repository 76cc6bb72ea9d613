//! The kinds of request and the reasons of a denial, as C enums with their stable texts.

use corsgate::ReasonCode;
use std::ffi::{c_char, c_int};

/// What kind of request was evaluated.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_kind {
    /// The decision holds no result: never evaluated, or the last evaluation failed.
    CORSGATE_KIND_NONE = 0,
    /// No `Origin` header: not a CORS request; only the Vary names apply.
    CORSGATE_KIND_NOT_CORS = 1,
    /// A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`).
    CORSGATE_KIND_PREFLIGHT = 2,
    /// A CORS request the application answers (any other request with `Origin`).
    CORSGATE_KIND_ACTUAL = 3,
}

/// Why a request was denied (`CORSGATE_REASON_NONE` when it was not). The numeric values are
/// part of the ABI; `corsgate_reason_str` gives the stable text code shared by every binding.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum corsgate_reason {
    /// Not denied (or no decision).
    CORSGATE_REASON_NONE = 0,
    /// `malformed_origin`: the `Origin` header is not a serialized origin, or occurs twice.
    CORSGATE_REASON_MALFORMED_ORIGIN = 1,
    /// `null_origin_not_allowed`: `Origin: null` and the policy does not allow it.
    CORSGATE_REASON_NULL_ORIGIN_NOT_ALLOWED = 2,
    /// `origin_not_allowed`: a well-formed origin the policy does not allow.
    CORSGATE_REASON_ORIGIN_NOT_ALLOWED = 3,
    /// `malformed_method`: `Access-Control-Request-Method` is not a token, or occurs twice.
    CORSGATE_REASON_MALFORMED_METHOD = 4,
    /// `method_not_allowed`: a method the policy does not allow.
    CORSGATE_REASON_METHOD_NOT_ALLOWED = 5,
    /// `malformed_request_headers`: an `Access-Control-Request-Headers` element is not a token.
    CORSGATE_REASON_MALFORMED_REQUEST_HEADERS = 6,
    /// `header_not_allowed`: a request header the policy does not allow.
    CORSGATE_REASON_HEADER_NOT_ALLOWED = 7,
    /// `request_headers_too_large`: `Access-Control-Request-Headers` exceeds the limits.
    CORSGATE_REASON_REQUEST_HEADERS_TOO_LARGE = 8,
    /// `private_network_not_allowed`: a Private Network Access preflight the policy does not
    /// enable.
    CORSGATE_REASON_PRIVATE_NETWORK_NOT_ALLOWED = 9,
    /// `route_ambiguous`: the forms of the path servers route on name routes that answer
    /// differently (docs/semantics.md, "Routes").
    CORSGATE_REASON_ROUTE_AMBIGUOUS = 10,
}

use corsgate_reason::*;

pub(crate) fn reason_of(code: ReasonCode) -> corsgate_reason {
    match code {
        ReasonCode::MalformedOrigin => CORSGATE_REASON_MALFORMED_ORIGIN,
        ReasonCode::NullOriginNotAllowed => CORSGATE_REASON_NULL_ORIGIN_NOT_ALLOWED,
        ReasonCode::OriginNotAllowed => CORSGATE_REASON_ORIGIN_NOT_ALLOWED,
        ReasonCode::MalformedMethod => CORSGATE_REASON_MALFORMED_METHOD,
        ReasonCode::MethodNotAllowed => CORSGATE_REASON_METHOD_NOT_ALLOWED,
        ReasonCode::MalformedRequestHeaders => CORSGATE_REASON_MALFORMED_REQUEST_HEADERS,
        ReasonCode::HeaderNotAllowed => CORSGATE_REASON_HEADER_NOT_ALLOWED,
        ReasonCode::RequestHeadersTooLarge => CORSGATE_REASON_REQUEST_HEADERS_TOO_LARGE,
        ReasonCode::PrivateNetworkNotAllowed => CORSGATE_REASON_PRIVATE_NETWORK_NOT_ALLOWED,
        ReasonCode::RouteAmbiguous => CORSGATE_REASON_ROUTE_AMBIGUOUS,
    }
}

/// The stable text code of a reason, such as `"origin_not_allowed"`, as a static
/// NUL-terminated string; `""` for `CORSGATE_REASON_NONE` and values that are not a reason.
#[no_mangle]
pub extern "C" fn corsgate_reason_str(reason: c_int) -> *const c_char {
    // The core's codes are `&'static str` without a NUL; keep NUL-terminated copies.
    const TEXTS: [&str; 11] = [
        "\0",
        "malformed_origin\0",
        "null_origin_not_allowed\0",
        "origin_not_allowed\0",
        "malformed_method\0",
        "method_not_allowed\0",
        "malformed_request_headers\0",
        "header_not_allowed\0",
        "request_headers_too_large\0",
        "private_network_not_allowed\0",
        "route_ambiguous\0",
    ];
    let i = usize::try_from(reason).unwrap_or(0);
    TEXTS.get(i).copied().unwrap_or("\0").as_ptr().cast()
}

/// The stable text of a kind (`"not_cors"`, `"preflight"`, `"actual"`) as a static
/// NUL-terminated string; `""` for `CORSGATE_KIND_NONE` and values that are not a kind.
#[no_mangle]
pub extern "C" fn corsgate_kind_str(kind: c_int) -> *const c_char {
    let text = match kind {
        1 => "not_cors\0",
        2 => "preflight\0",
        3 => "actual\0",
        _ => "\0",
    };
    text.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use corsgate::Kind;
    use std::ffi::CStr;

    /// Every reason code, indexed by its `corsgate_reason` value.
    const REASON_CODES: [Option<ReasonCode>; 11] = [
        None,
        Some(ReasonCode::MalformedOrigin),
        Some(ReasonCode::NullOriginNotAllowed),
        Some(ReasonCode::OriginNotAllowed),
        Some(ReasonCode::MalformedMethod),
        Some(ReasonCode::MethodNotAllowed),
        Some(ReasonCode::MalformedRequestHeaders),
        Some(ReasonCode::HeaderNotAllowed),
        Some(ReasonCode::RequestHeadersTooLarge),
        Some(ReasonCode::PrivateNetworkNotAllowed),
        Some(ReasonCode::RouteAmbiguous),
    ];

    #[test]
    fn reason_texts_are_the_core_codes() {
        for (i, code) in REASON_CODES.iter().enumerate() {
            let text = unsafe { CStr::from_ptr(corsgate_reason_str(i as c_int)) };
            let text = text.to_str().unwrap();
            match code {
                None => assert_eq!(text, ""),
                Some(c) => {
                    assert_eq!(text, c.as_str());
                    assert_eq!(reason_of(*c) as usize, i);
                }
            }
        }
        let beyond = unsafe { CStr::from_ptr(corsgate_reason_str(99)) };
        assert_eq!(beyond.to_bytes(), b"");
        let negative = unsafe { CStr::from_ptr(corsgate_reason_str(-1)) };
        assert_eq!(negative.to_bytes(), b"");
    }

    #[test]
    fn kind_texts_are_the_core_kinds() {
        for (i, kind) in [(1, Kind::NotCors), (2, Kind::Preflight), (3, Kind::Actual)] {
            let text = unsafe { CStr::from_ptr(corsgate_kind_str(i)) };
            assert_eq!(text.to_str().unwrap(), kind.as_str());
        }
    }
}
