//! The Fetch standard's checks on the responses, in Chromium's order, with both verdicts where
//! Chromium departs from the standard (Firefox's reasons are derived in `in_browser`).

use super::browsers::Browser;
use super::error::{CorsError, CorsErrorKind};
use super::request::{is_safelisted_method, Mode, Plan};
use super::response::Response;
use super::url::looks_like_valid_url;
use crate::syntax::token::{is_token, trim_ows};

/// Response headers JavaScript can always read (Fetch "CORS-safelisted response-header name").
pub const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// How long each browser caches a passed preflight, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheLifetime {
    /// The standard's value: `Access-Control-Max-Age`, or 5 when absent or invalid (uncapped).
    pub standard: u64,
    /// Chromium: capped at 7200; absent or unparsable is 5, negative is 0.
    pub chromium: u64,
    /// Firefox: capped at 86400; absent or empty is 5; any other value that is not all digits
    /// (a sign, a space, two lines) is not cached at all (0; seen in Firefox 153 ESR).
    pub firefox: u64,
    /// WebKit (Safari): capped at 600.
    pub webkit: u64,
}

impl CacheLifetime {
    /// The lifetimes for a response with these `Access-Control-Max-Age` lines (none: absent).
    pub fn of_max_age(lines: &[&str]) -> CacheLifetime {
        let trimmed: Vec<&str> = lines.iter().map(|v| v.trim_matches([' ', '\t'])).collect();
        let joined = (!lines.is_empty()).then(|| trimmed.join(", "));
        CacheLifetime::from_header(joined.as_deref(), lines.len())
    }

    fn from_header(value: Option<&str>, lines: usize) -> CacheLifetime {
        let parsed = match value {
            Some(v) if lines == 1 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => {
                Some(v.parse::<u64>().unwrap_or(u64::MAX))
            }
            _ => None,
        };
        let standard = parsed.unwrap_or(5);
        // Chromium reads a negative number as "do not cache".
        let negative = value
            .and_then(|v| v.strip_prefix('-'))
            .is_some_and(|d| lines == 1 && !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        let firefox = match value {
            Some(v) if !v.is_empty() && parsed.is_none() => 0,
            _ => standard.min(Browser::Firefox.max_age_cap()),
        };
        CacheLifetime {
            standard,
            chromium: if negative {
                0
            } else {
                standard.min(Browser::Chromium.max_age_cap())
            },
            firefox,
            webkit: standard.min(Browser::WebKit.max_age_cap()),
        }
    }

    /// The lifetime in `browser`.
    pub fn in_browser(&self, browser: Browser) -> u64 {
        match browser {
            Browser::Chromium => self.chromium,
            Browser::Firefox => self.firefox,
            Browser::WebKit => self.webkit,
        }
    }
}

/// The result of checking a preflight response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightCheck {
    /// Why the Fetch standard fails the preflight (Firefox follows it), if it does.
    pub blocked: Option<CorsError>,
    /// Why Chromium fails it, if it does (Safari agrees with Chromium on `*` covering
    /// `Authorization`).
    pub blocked_in_chrome: Option<CorsError>,
    /// The methods `Access-Control-Allow-Methods` lists (when it parses).
    pub allowed_methods: Vec<String>,
    /// The header names `Access-Control-Allow-Headers` lists, lower case (when it parses).
    pub allowed_headers: Vec<String>,
    /// How long the browsers cache the result (when the preflight passes in either verdict).
    pub cache: Option<CacheLifetime>,
}

/// The result of checking the actual response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseCheck {
    /// Why the browser blocks the response, if it does.
    pub blocked: Option<CorsError>,
    /// Whether the response is opaque (`no-cors`): not blocked, but nothing is readable.
    pub opaque: bool,
    /// Names of the response headers JavaScript can read, lower case, in response order.
    pub readable_headers: Vec<String>,
    /// Names present in the response that JavaScript cannot read, lower case.
    pub hidden_headers: Vec<String>,
}

/// Fetch "extract header list values" for a `#token` list header: `None` when absent,
/// `Err(value)` when an element is not a token; empty elements are skipped.
fn token_list(response: &Response, name: &str) -> Result<Option<Vec<String>>, String> {
    let Some(value) = response.get(name) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for element in value.split(',') {
        let e = trim_ows(element.as_bytes());
        if e.is_empty() {
            continue;
        }
        if !is_token(e) {
            return Err(value);
        }
        out.push(String::from_utf8_lossy(e).into_owned());
    }
    Ok(Some(out))
}

impl Plan {
    fn error(
        &self,
        kind: CorsErrorKind,
        value: Option<String>,
        fix: String,
        status: u16,
    ) -> CorsError {
        CorsError::new(kind, value, &self.url, &self.origin, fix, status)
    }

    /// Fetch "CORS check" with Chromium's error kinds (`preflight` selects the preflight kinds).
    pub(super) fn cors_check(&self, response: &Response, preflight: bool) -> Result<(), CorsError> {
        let origin = &self.origin;
        let credentials = self.includes_credentials();
        let what = if preflight {
            "the preflight (OPTIONS) response"
        } else {
            "the response"
        };
        let fail = |kind: CorsErrorKind, value: Option<String>, fix: String| {
            let kind = if preflight {
                kind.for_preflight()
            } else {
                kind
            };
            Err(self.error(kind, value, fix, response.status))
        };
        let Some(acao) = response.get("access-control-allow-origin") else {
            let mut fix = format!(
                "{what} has no Access-Control-Allow-Origin header: the server must allow the origin {origin}; with corsgate, add \"{origin}\" to `origins`"
            );
            if preflight && !(200..=299).contains(&response.status) {
                fix.push_str(&format!(
                    ". It was answered {}: the preflight must be answered by the CORS layer itself, before authentication and routing (an OPTIONS request carries no cookies or tokens)",
                    response.status
                ));
            } else if preflight {
                fix.push_str(". The preflight must be answered by the CORS layer itself, before authentication and routing (an OPTIONS request carries no cookies or tokens)");
            } else if response.status >= 400 {
                fix.push_str(&format!(
                    ". This is a {} response: error responses need the CORS headers too (nginx: `add_header … always`)",
                    response.status
                ));
            }
            return fail(CorsErrorKind::MissingAllowOriginHeader, None, fix);
        };
        if acao == "*" {
            if credentials {
                return fail(
                    CorsErrorKind::WildcardOriginNotAllowed,
                    None,
                    format!("{what} allows any origin with `*`, which browsers refuse for requests with credentials: send the request's origin instead (with corsgate, list \"{origin}\" in `origins` with `credentials = true`; corsgate never pairs `*` with credentials), or call fetch with credentials: 'omit' or 'same-origin' if the request needs no cookies"),
                );
            }
            return Ok(());
        }
        if acao != *origin {
            if acao.contains([' ', ',']) {
                return fail(
                    CorsErrorKind::MultipleAllowOriginValues,
                    Some(acao.clone()),
                    format!("{what} carries Access-Control-Allow-Origin '{acao}': exactly one origin is allowed. Usually two layers add it (a proxy's `add_header` and the application): keep one. To allow several origins, the server must answer each request with its own origin (corsgate does)"),
                );
            }
            let kind = if acao != "null" && !looks_like_valid_url(&acao) {
                CorsErrorKind::InvalidAllowOriginValue
            } else {
                CorsErrorKind::AllowOriginMismatch
            };
            let mut fix = format!("{what} allows '{acao}' but the page's origin is '{origin}'; origins compare byte for byte (scheme, host and port, no trailing slash)");
            if acao.trim_end_matches('/').eq_ignore_ascii_case(origin) {
                fix.push_str(&format!(": send exactly `{origin}`"));
            } else {
                fix.push_str(&format!(": with corsgate, add \"{origin}\" to `origins`"));
            }
            return fail(kind, Some(acao.clone()), fix);
        }
        if credentials {
            let acac = response.get("access-control-allow-credentials");
            if acac.as_deref() != Some("true") {
                let got = acac.unwrap_or_default();
                let mut fix = format!("{what} lacks Access-Control-Allow-Credentials: true while the request includes credentials");
                if got.eq_ignore_ascii_case("true") {
                    fix.push_str(&format!(
                        ": the value is case-sensitive, send `true`, not `{got}`"
                    ));
                } else {
                    fix.push_str("; add `credentials = true` to the policy, or call fetch with credentials: 'same-origin' (the default) if the request needs no cookies");
                }
                return fail(CorsErrorKind::InvalidAllowCredentials, Some(got), fix);
            }
        }
        Ok(())
    }

    /// Checks a preflight response the way the browser does (Fetch "CORS-preflight fetch", in
    /// Chromium's order: redirect, CORS check, status, parsing, method, headers).
    pub fn check_preflight(&self, response: &Response) -> PreflightCheck {
        let mut out = PreflightCheck {
            blocked: None,
            blocked_in_chrome: None,
            allowed_methods: Vec::new(),
            allowed_headers: Vec::new(),
            cache: None,
        };
        let both = |out: &mut PreflightCheck, e: CorsError| {
            out.blocked_in_chrome = Some(e.clone());
            out.blocked = Some(e);
        };
        if response.is_redirect() {
            let location = response.get("location").unwrap_or_default();
            both(&mut out, self.error(
                CorsErrorKind::PreflightDisallowedRedirect,
                None,
                format!("the preflight was answered with a {} redirect to {location}; browsers never follow redirects for preflights: make the page request the final URL (often an http→https or trailing-slash redirect), or answer OPTIONS without redirecting", response.status),
                response.status,
            ));
            return out;
        }
        if let Err(e) = self.cors_check(response, true) {
            both(&mut out, e);
            return out;
        }
        if !(200..=299).contains(&response.status) {
            let status = response.status;
            let why = match status {
                401 | 403 => "authentication or authorization runs before CORS and rejects the OPTIONS request (it carries no credentials)",
                404 | 405 => "no handler answers OPTIONS for this path",
                300..=399 => "a redirect status is never an ok status",
                _ => "the server failed the OPTIONS request",
            };
            both(&mut out, self.error(
                CorsErrorKind::PreflightInvalidStatus,
                None,
                format!("the preflight was answered with status {status} ({why}); a preflight needs a 2xx status: let the CORS layer answer OPTIONS itself (corsgate answers 204)"),
                status,
            ));
            return out;
        }
        let credentials = self.includes_credentials();
        let methods = match token_list(response, "access-control-allow-methods") {
            Ok(m) => m.unwrap_or_default(),
            Err(v) => {
                both(&mut out, self.error(
                    CorsErrorKind::InvalidAllowMethodsPreflightResponse,
                    None,
                    format!("Access-Control-Allow-Methods '{v}' is not a comma-separated list of methods (HTTP tokens)"),
                    response.status,
                ));
                return out;
            }
        };
        let headers: Vec<String> = match token_list(response, "access-control-allow-headers") {
            Ok(h) => h
                .unwrap_or_default()
                .into_iter()
                .map(|n| n.to_ascii_lowercase())
                .collect(),
            Err(v) => {
                both(&mut out, self.error(
                    CorsErrorKind::InvalidAllowHeadersPreflightResponse,
                    None,
                    format!("Access-Control-Allow-Headers '{v}' is not a comma-separated list of header names (HTTP tokens)"),
                    response.status,
                ));
                return out;
            }
        };
        out.allowed_methods = methods.clone();
        out.allowed_headers = headers.clone();
        let method = &self.method;
        let method_ok = methods.iter().any(|m| m == method)
            || is_safelisted_method(method)
            || (!credentials && methods.iter().any(|m| m == "*"));
        if !method_ok {
            let acam = response.get("access-control-allow-methods");
            let mut fix = match &acam {
                Some(v) => format!("Access-Control-Allow-Methods ('{v}') does not list {method}"),
                None => "the preflight response has no Access-Control-Allow-Methods, so only GET, HEAD and POST are allowed".to_string(),
            };
            if methods.iter().any(|m| m.eq_ignore_ascii_case(method)) {
                fix.push_str(&format!(
                    "; methods compare case-sensitively: list `{method}` exactly"
                ));
            } else if credentials && methods.iter().any(|m| m == "*") {
                fix.push_str(
                    "; with credentials `*` is the literal method `*`: list the method by name",
                );
            } else {
                fix.push_str(&format!("; add \"{method}\" to `methods`"));
            }
            both(
                &mut out,
                self.error(
                    CorsErrorKind::MethodDisallowedByPreflightResponse,
                    Some(method.clone()),
                    fix,
                    response.status,
                ),
            );
            return out;
        }
        let wildcard = !credentials && headers.iter().any(|h| h == "*");
        let header_fix = |name: &str| {
            let listed = match response.get("access-control-allow-headers") {
                Some(v) => format!("Access-Control-Allow-Headers ('{v}') does not list {name}"),
                None => "the preflight response has no Access-Control-Allow-Headers".to_string(),
            };
            if name == "authorization" && headers.iter().any(|h| h == "*") {
                format!("{listed}: `*` does not cover authorization in the Fetch standard (Chromium and Safari still accept it, Firefox too but with a console warning that it will stop); list \"authorization\" in `request_headers`")
            } else if credentials && headers.iter().any(|h| h == "*") {
                format!("{listed}: with credentials `*` is the literal name `*`; list \"{name}\" in `request_headers`")
            } else {
                format!("{listed}; add \"{name}\" to `request_headers`")
            }
        };
        if !wildcard {
            if let Some(name) = self.unsafe_headers.iter().find(|n| !headers.contains(n)) {
                both(
                    &mut out,
                    self.error(
                        CorsErrorKind::HeaderDisallowedByPreflightResponse,
                        Some(name.clone()),
                        header_fix(name),
                        response.status,
                    ),
                );
                return out;
            }
        } else if self.unsafe_headers.iter().any(|n| n == "authorization")
            && !headers.iter().any(|h| h == "authorization")
        {
            // Fetch "CORS non-wildcard request-header name": only the standard fails here.
            out.blocked = Some(self.error(
                CorsErrorKind::HeaderDisallowedByPreflightResponse,
                Some("authorization".into()),
                header_fix("authorization"),
                response.status,
            ));
        }
        out.cache = Some(CacheLifetime::from_header(
            response.get("access-control-max-age").as_deref(),
            response
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("access-control-max-age"))
                .count(),
        ));
        out
    }

    /// Checks the actual response: the CORS check (for a cross-origin `cors` request) and which
    /// headers JavaScript can read.
    pub fn check_response(&self, response: &Response) -> ResponseCheck {
        let names = || {
            let mut names: Vec<String> = Vec::new();
            for (n, _) in &response.headers {
                let lower = n.to_ascii_lowercase();
                if !names.contains(&lower) {
                    names.push(lower);
                }
            }
            names
        };
        if self.mode == Mode::NoCors && self.cross_origin {
            return ResponseCheck {
                blocked: None,
                opaque: true,
                readable_headers: Vec::new(),
                hidden_headers: names(),
            };
        }
        let forbidden = |n: &str| n == "set-cookie" || n == "set-cookie2";
        if !self.cross_origin {
            let (hidden, readable) = names().into_iter().partition(|n| forbidden(n));
            return ResponseCheck {
                blocked: None,
                opaque: false,
                readable_headers: readable,
                hidden_headers: hidden,
            };
        }
        if let Err(e) = self.cors_check(response, false) {
            return ResponseCheck {
                blocked: Some(e),
                opaque: false,
                readable_headers: Vec::new(),
                hidden_headers: names(),
            };
        }
        let exposed: Vec<String> = match token_list(response, "access-control-expose-headers") {
            Ok(Some(list)) => list.into_iter().map(|n| n.to_ascii_lowercase()).collect(),
            _ => Vec::new(),
        };
        let all = !self.includes_credentials() && exposed.iter().any(|n| n == "*");
        let (readable, hidden) = names().into_iter().partition(|n| {
            !forbidden(n)
                && (all || SAFELISTED_RESPONSE_HEADERS.contains(&n.as_str()) || exposed.contains(n))
        });
        ResponseCheck {
            blocked: None,
            opaque: false,
            readable_headers: readable,
            hidden_headers: hidden,
        }
    }
}
