//! The catalogue of diagnostic codes: one variant per code, one spelling each, with the
//! profiles that report it and how (docs/policy.md, docs/python.md and docs/node.md list them;
//! a test checks that the lists and this catalogue agree).

/// Which configuration reports a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// corsgate's own policy file (docs/policy.md).
    Strict,
    /// The Starlette drop-in (docs/python.md).
    Starlette,
    /// The `cors` (Express) drop-in (docs/node.md).
    Express,
    /// The django-cors-headers drop-in (docs/python.md); its errors are Django system check
    /// errors, reported by `manage.py check`.
    Django,
    /// The flask-cors drop-in (docs/python.md).
    Flask,
    /// The `@fastify/cors` drop-in (docs/node.md).
    Fastify,
    /// The `@koa/cors` drop-in (docs/node.md).
    Koa,
    /// The Hono `cors()` drop-in (docs/node.md).
    Hono,
}

/// Whether a diagnostic stops compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Compilation fails.
    Error,
    /// The configuration compiles; the diagnostic is a lint warning.
    Warning,
}

macro_rules! catalogue {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal, [$($profile:ident: $severity:ident),+];)+) => {
        /// A stable diagnostic code. [`DiagnosticCode::as_str`] is the spelling a
        /// [`crate::Diagnostic`] carries in its `code`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum DiagnosticCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl DiagnosticCode {
            /// Every code, in the catalogue's order.
            pub const ALL: &'static [DiagnosticCode] = &[$(DiagnosticCode::$variant),+];

            /// The stable snake_case spelling, such as `origin_trailing_slash`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(DiagnosticCode::$variant => $code,)+
                }
            }

            /// The profiles that report this code, with the severity each gives it.
            pub const fn reported_by(self) -> &'static [(Profile, Severity)] {
                match self {
                    $(DiagnosticCode::$variant => &[$((Profile::$profile, Severity::$severity)),+],)+
                }
            }
        }
    };
}

catalogue! {
    /// The file is not valid JSON or TOML.
    ParseError = "parse_error", [Strict: Error];
    /// The policy file cannot be read.
    IoError = "io_error", [Strict: Error];
    /// A key corsgate does not know.
    UnknownKey = "unknown_key", [Strict: Error];
    /// A value of the wrong type.
    InvalidType = "invalid_type", [Strict: Error, Express: Error, Fastify: Error];
    /// `*` among the origins with credentials.
    WildcardOriginWithCredentials = "wildcard_origin_with_credentials",
        [Strict: Error, Starlette: Warning, Express: Warning, Django: Warning, Flask: Warning, Fastify: Warning, Hono: Warning];
    /// `*` together with other origins.
    WildcardOriginMixed = "wildcard_origin_mixed", [Strict: Error];
    /// An origin with a trailing slash.
    OriginTrailingSlash = "origin_trailing_slash", [Strict: Error, Django: Error];
    /// An origin with a path.
    OriginHasPath = "origin_has_path", [Strict: Error, Django: Error];
    /// An origin with a query.
    OriginHasQuery = "origin_has_query", [Strict: Error, Django: Error];
    /// An origin with a fragment.
    OriginHasFragment = "origin_has_fragment", [Strict: Error, Django: Error];
    /// An origin with userinfo.
    OriginHasUserinfo = "origin_has_userinfo", [Strict: Error];
    /// An origin with whitespace in it.
    OriginWhitespace = "origin_whitespace", [Strict: Error];
    /// An origin with upper-case letters.
    OriginUppercase = "origin_uppercase", [Strict: Error];
    /// An origin that spells out its scheme's default port.
    OriginDefaultPort = "origin_default_port", [Strict: Error];
    /// An origin with an invalid port.
    OriginInvalidPort = "origin_invalid_port", [Strict: Error];
    /// An origin without a scheme.
    OriginMissingScheme = "origin_missing_scheme", [Strict: Error, Django: Error];
    /// Anything else that is not a serialized origin.
    OriginInvalid = "origin_invalid", [Strict: Error, Django: Error];
    /// An origin browsers serialize differently (URL Standard): `http://127.1`.
    OriginNotCanonical = "origin_not_canonical", [Strict: Error];
    /// `null` listed among the origins.
    OriginNull = "origin_null", [Strict: Error];
    /// A wildcard that is not a whole leading label or the whole port.
    OriginBadWildcard = "origin_bad_wildcard", [Strict: Error];
    /// A wildcard directly over a public suffix.
    OriginWildcardPublicSuffix = "origin_wildcard_public_suffix", [Strict: Error];
    /// A non-`https`, non-loopback origin with credentials.
    OriginInsecureWithCredentials = "origin_insecure_with_credentials", [Strict: Error];
    /// A regex that does not compile, or is too large.
    OriginRegexInvalid = "origin_regex_invalid", [Strict: Error, Starlette: Error];
    /// A forbidden method.
    MethodForbidden = "method_forbidden", [Strict: Error];
    /// A method that is not an HTTP token.
    MethodInvalid = "method_invalid", [Strict: Error];
    /// A forbidden request header name.
    RequestHeaderForbidden = "request_header_forbidden", [Strict: Error];
    /// A request header name that is not an HTTP token.
    RequestHeaderInvalid = "request_header_invalid", [Strict: Error];
    /// `set-cookie` or `set-cookie2` among the exposed headers.
    ExposeHeaderForbidden = "expose_header_forbidden", [Strict: Error];
    /// An exposed header name that is not an HTTP token.
    ExposeHeaderInvalid = "expose_header_invalid", [Strict: Error];
    /// `*` among the exposed headers with credentials.
    WildcardExposeWithCredentials = "wildcard_expose_with_credentials", [Strict: Error];
    /// `max_age` outside 0..=86400.
    MaxAgeOutOfRange = "max_age_out_of_range", [Strict: Error];
    /// `preflight_status` outside 200..=299.
    PreflightStatusOutOfRange = "preflight_status_out_of_range", [Strict: Error];
    /// A route without `path`.
    RoutePathMissing = "route_path_missing", [Strict: Error];
    /// A route path that is not exact or a `/*` prefix.
    RoutePathInvalid = "route_path_invalid", [Strict: Error];
    /// Routes inside a route.
    RouteNested = "route_nested", [Strict: Error];
    /// A `mode` other than `enforce` or `report-only`, or a `mode` in a route.
    ModeInvalid = "mode_invalid", [Strict: Error];
    /// A configured value that cannot be sent in a header (Starlette).
    ValueNotAscii = "value_not_ascii", [Starlette: Error, Django: Error, Flask: Error];
    /// An `optionsSuccessStatus` that is not an integer in 100..=999 (Express).
    InvalidStatus = "invalid_status", [Express: Error, Fastify: Error];
    /// A `hook` the `@fastify/cors` plugin does not know (Fastify).
    InvalidHook = "invalid_hook", [Fastify: Error];
    /// A regex with an unescaped `.` between host characters.
    RegexUnescapedDot = "regex_unescaped_dot",
        [Strict: Warning, Starlette: Warning, Express: Warning, Django: Warning, Flask: Warning, Fastify: Warning];
    /// A RegExp origin without `^` or `$` (Express); a Python regex without `$`, matched with
    /// `re.match` from the start only (Django, Flask).
    RegexUnanchored = "regex_unanchored", [Express: Warning, Django: Warning, Flask: Warning, Fastify: Warning];
    /// `allowedHeaders` `*` without `Authorization`, which `*` covers in browsers only (Express).
    WildcardHeadersWithoutAuthorization = "wildcard_headers_without_authorization", [Express: Warning];
    /// `max_age` above a browser's cap (Chromium 7200 s, Safari 600 s).
    MaxAgeAboveBrowserCap = "max_age_above_browser_cap", [Strict: Warning];
    /// The `null` origin allowed.
    NullOriginAllowed = "null_origin_allowed", [Strict: Warning, Starlette: Warning, Django: Warning];
    /// Private Network Access enabled.
    PrivateNetworkEnabled = "private_network_enabled",
        [Strict: Warning, Starlette: Warning, Django: Warning, Flask: Warning, Koa: Warning];
    /// A wildcard over a shared-hosting suffix.
    WildcardSharedHosting = "wildcard_shared_hosting", [Strict: Warning];
    /// A wildcard over a suffix whose top-level domain is not a known one.
    WildcardUnknownSuffix = "wildcard_unknown_suffix", [Strict: Warning];
    /// A method that is not in upper case.
    MethodNotUppercase = "method_not_uppercase", [Strict: Warning];
    /// The same entry twice.
    DuplicateEntry = "duplicate_entry", [Strict: Warning];
    /// `mode = "report-only"`: the policy changes no response, it only reports.
    ReportOnlyMode = "report_only_mode", [Strict: Warning];
    /// No origin is allowed and there are no routes.
    NoOrigins = "no_origins", [Strict: Warning];
    /// A route lacks an origin the top level allows: routes protect answers, not access.
    RouteNarrowerThanTopLevel = "route_narrower_than_top_level", [Strict: Warning];
    /// An origin entry browsers never send (Starlette).
    OriginNeverMatches = "origin_never_matches", [Starlette: Warning, Flask: Warning];
    /// Credentials with every origin reflected (Express).
    CredentialsWithReflectedOrigin = "credentials_with_reflected_origin", [Express: Warning, Fastify: Warning, Koa: Warning];
    /// `send_wildcard` with `supports_credentials` and `origins='*'` (Flask; flask-cors
    /// raises too).
    SendWildcardWithCredentials = "send_wildcard_with_credentials", [Flask: Error];
    /// `origins` left at flask-cors's default `*`: every origin reflected (Flask).
    DefaultOriginsAny = "default_origins_any", [Flask: Warning];
    /// An origin written like a glob (`https://*.example.com`) that flask-cors reads as a
    /// regular expression (Flask).
    OriginGlobIsRegex = "origin_glob_is_regex", [Flask: Warning];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_spelling() {
        let mut seen = std::collections::HashSet::new();
        for code in DiagnosticCode::ALL {
            assert!(seen.insert(code.as_str()), "{code:?}");
            let s = code.as_str();
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
        }
    }
}
