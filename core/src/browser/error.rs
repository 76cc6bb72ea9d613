//! Chromium's CORS error kinds, their console messages, and the fix on the server side.

use super::console::{chromium_message, chromium_reason};
use std::fmt;

/// Chromium's `network::mojom::CorsError` kinds the checker reports, named as Chromium names
/// them (DevTools shows these names in the Issues panel).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CorsErrorKind {
    /// Actual response: no `Access-Control-Allow-Origin`.
    MissingAllowOriginHeader,
    /// Actual response: `*` with credentials mode `include`.
    WildcardOriginNotAllowed,
    /// Actual response: several origins (a space or comma in the value).
    MultipleAllowOriginValues,
    /// Actual response: a value that is not a URL.
    InvalidAllowOriginValue,
    /// Actual response: another origin.
    AllowOriginMismatch,
    /// Actual response: `Access-Control-Allow-Credentials` is not exactly `true`.
    InvalidAllowCredentials,
    /// Preflight: no `Access-Control-Allow-Origin`.
    PreflightMissingAllowOriginHeader,
    /// Preflight: `*` with credentials mode `include`.
    PreflightWildcardOriginNotAllowed,
    /// Preflight: several origins.
    PreflightMultipleAllowOriginValues,
    /// Preflight: a value that is not a URL.
    PreflightInvalidAllowOriginValue,
    /// Preflight: another origin.
    PreflightAllowOriginMismatch,
    /// Preflight: `Access-Control-Allow-Credentials` is not exactly `true`.
    PreflightInvalidAllowCredentials,
    /// Preflight: the status is not 200–299.
    PreflightInvalidStatus,
    /// Preflight: answered with a redirect.
    PreflightDisallowedRedirect,
    /// Preflight: `Access-Control-Allow-Methods` is not a list of tokens.
    InvalidAllowMethodsPreflightResponse,
    /// Preflight: `Access-Control-Allow-Headers` is not a list of tokens.
    InvalidAllowHeadersPreflightResponse,
    /// Preflight: the method is not allowed.
    MethodDisallowedByPreflightResponse,
    /// Preflight: a request header is not allowed.
    HeaderDisallowedByPreflightResponse,
}

impl CorsErrorKind {
    /// Chromium's name, such as `PreflightMissingAllowOriginHeader`.
    pub fn as_str(self) -> &'static str {
        use CorsErrorKind::*;
        match self {
            MissingAllowOriginHeader => "MissingAllowOriginHeader",
            WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            MultipleAllowOriginValues => "MultipleAllowOriginValues",
            InvalidAllowOriginValue => "InvalidAllowOriginValue",
            AllowOriginMismatch => "AllowOriginMismatch",
            InvalidAllowCredentials => "InvalidAllowCredentials",
            PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            PreflightInvalidStatus => "PreflightInvalidStatus",
            PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            InvalidAllowMethodsPreflightResponse => "InvalidAllowMethodsPreflightResponse",
            InvalidAllowHeadersPreflightResponse => "InvalidAllowHeadersPreflightResponse",
            MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
        }
    }

    /// Whether the error is about the preflight response (method and header errors included).
    pub fn is_preflight(self) -> bool {
        use CorsErrorKind::*;
        !matches!(
            self,
            MissingAllowOriginHeader
                | WildcardOriginNotAllowed
                | MultipleAllowOriginValues
                | InvalidAllowOriginValue
                | AllowOriginMismatch
                | InvalidAllowCredentials
        )
    }

    /// Whether Chromium prefixes the reason with "Response to preflight request doesn't pass
    /// access control check: " (the method, header and parse errors have no prefix).
    pub(crate) fn has_preflight_prefix(self) -> bool {
        use CorsErrorKind::*;
        matches!(
            self,
            PreflightMissingAllowOriginHeader
                | PreflightWildcardOriginNotAllowed
                | PreflightMultipleAllowOriginValues
                | PreflightInvalidAllowOriginValue
                | PreflightAllowOriginMismatch
                | PreflightInvalidAllowCredentials
                | PreflightInvalidStatus
                | PreflightDisallowedRedirect
        )
    }

    /// The preflight variant of an `Access-Control-Allow-Origin`/`-Credentials` error.
    pub(crate) fn for_preflight(self) -> Self {
        use CorsErrorKind::*;
        match self {
            MissingAllowOriginHeader => PreflightMissingAllowOriginHeader,
            WildcardOriginNotAllowed => PreflightWildcardOriginNotAllowed,
            MultipleAllowOriginValues => PreflightMultipleAllowOriginValues,
            InvalidAllowOriginValue => PreflightInvalidAllowOriginValue,
            AllowOriginMismatch => PreflightAllowOriginMismatch,
            InvalidAllowCredentials => PreflightInvalidAllowCredentials,
            other => other,
        }
    }
}

impl fmt::Display for CorsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why the browser blocks the request: Chromium's error kind, the value it names, its exact
/// console message, and how to fix the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsError {
    /// Chromium's error kind.
    pub kind: CorsErrorKind,
    /// The value the message names (the header value, the method, the header name), if any.
    pub value: Option<String>,
    /// The whole console message of a `fetch()`, as Chromium prints it.
    pub message: String,
    /// What to change on the server, in corsgate's terms where they apply.
    pub fix: String,
    /// The status of the response that failed the check (Firefox and WebKit print it).
    pub status: u16,
}

impl CorsError {
    pub(crate) fn new(
        kind: CorsErrorKind,
        value: Option<String>,
        url: &str,
        origin: &str,
        fix: String,
        status: u16,
    ) -> Self {
        let message = chromium_message(
            url,
            origin,
            &chromium_reason(kind, value.as_deref().unwrap_or("")),
        );
        CorsError {
            kind,
            value,
            message,
            fix,
            status,
        }
    }

    /// The reason part of the message (after "has been blocked by CORS policy: ").
    pub fn reason(&self) -> &str {
        self.message
            .split_once("has been blocked by CORS policy: ")
            .map_or(self.message.as_str(), |(_, r)| r)
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
