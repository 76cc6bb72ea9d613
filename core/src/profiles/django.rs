//! The `django` profile: the answers of django-cors-headers 4.x (`corsheaders.middleware`).
//!
//! A drop-in for `corsheaders.middleware.CorsMiddleware` must set the same headers, with the
//! same values, in the same order, for every combination of settings and request. This module
//! holds that behaviour; a binding translates Django's request and response and runs only
//! what is Python's: `CORS_URLS_REGEX`, `CORS_ALLOWED_ORIGIN_REGEXES` (Python `re` patterns,
//! possibly compiled objects) and the `check_request_enabled` signal, which it hands to
//! [`DjangoPolicy::evaluate`] as one fallback asked only when the origin is in no list.
//!
//! - A request on an enabled path that is `OPTIONS` with `Access-Control-Request-Method`
//!   (present, whatever its value, with or without `Origin`) is answered `200` with
//!   `content-length: 0`; everything else goes to the application.
//! - The origin is compared as django-cors-headers compares it: Python's `urlsplit` of the
//!   `Origin` header against the `urlsplit` of each allowed origin, scheme (lower-cased) and
//!   netloc (exactly); `null` only when listed. An origin `urlsplit` rejects gets nothing.
//! - Headers come in django-cors-headers' order and lower-case names: `access-control-allow-origin`
//!   (`*` for `CORS_ALLOW_ALL_ORIGINS` without credentials, else the origin), `…-allow-credentials`,
//!   `…-expose-headers`, then for any `OPTIONS` request `…-allow-headers`, `…-allow-methods`,
//!   `…-max-age` (when not 0), and `…-allow-private-network` for
//!   `Access-Control-Request-Private-Network: true`.
//!
//! The peer's risky settings keep their behaviour and are reported by
//! [`DjangoPolicy::warnings`]; what its system checks call errors is in
//! [`DjangoPolicy::check_errors`] (the policy still compiles: the peer serves with them).

pub use super::pycompat::Answer;
use super::pycompat::{is_printable_ascii, regex_unanchored};
use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::lint;
use crate::syntax::latin1;
use hashbrown::HashSet;
use std::borrow::Cow;
use std::net::Ipv6Addr;

/// `corsheaders.defaults.default_headers`.
pub const DEFAULT_HEADERS: [&str; 6] = [
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
];

/// `corsheaders.defaults.default_methods`.
pub const DEFAULT_METHODS: [&str; 6] = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"];

/// `CORS_PREFLIGHT_MAX_AGE`'s default.
pub const DEFAULT_MAX_AGE: u64 = 86400;

/// The response header names, as django-cors-headers writes them.
pub mod names {
    /// `access-control-allow-origin`
    pub const ALLOW_ORIGIN: &str = "access-control-allow-origin";
    /// `access-control-allow-credentials`
    pub const ALLOW_CREDENTIALS: &str = "access-control-allow-credentials";
    /// `access-control-expose-headers`
    pub const EXPOSE_HEADERS: &str = "access-control-expose-headers";
    /// `access-control-allow-headers`
    pub const ALLOW_HEADERS: &str = "access-control-allow-headers";
    /// `access-control-allow-methods`
    pub const ALLOW_METHODS: &str = "access-control-allow-methods";
    /// `access-control-max-age`
    pub const MAX_AGE: &str = "access-control-max-age";
    /// `access-control-allow-private-network`
    pub const ALLOW_PRIVATE_NETWORK: &str = "access-control-allow-private-network";
    /// `content-length`, set on an answered preflight.
    pub const CONTENT_LENGTH: &str = "content-length";
}

/// The settings django-cors-headers reads, with its defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DjangoConfig {
    /// `CORS_ALLOWED_ORIGINS` (or the old `CORS_ORIGIN_WHITELIST`).
    pub allowed_origins: Vec<String>,
    /// The pattern text of each `CORS_ALLOWED_ORIGIN_REGEXES` entry (matched by the binding;
    /// here only to be linted).
    pub origin_regexes: Vec<String>,
    /// `CORS_ALLOW_ALL_ORIGINS` (or `CORS_ORIGIN_ALLOW_ALL`).
    pub allow_all_origins: bool,
    /// `CORS_ALLOW_CREDENTIALS`.
    pub allow_credentials: bool,
    /// `CORS_ALLOW_METHODS`, joined with `, ` as given.
    pub allow_methods: Vec<String>,
    /// `CORS_ALLOW_HEADERS`, joined with `, ` as given.
    pub allow_headers: Vec<String>,
    /// `CORS_EXPOSE_HEADERS`.
    pub expose_headers: Vec<String>,
    /// `CORS_PREFLIGHT_MAX_AGE`; 0 sends no `access-control-max-age`.
    pub preflight_max_age: u64,
    /// `CORS_ALLOW_PRIVATE_NETWORK`.
    pub allow_private_network: bool,
}

impl Default for DjangoConfig {
    fn default() -> Self {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        DjangoConfig {
            allowed_origins: Vec::new(),
            origin_regexes: Vec::new(),
            allow_all_origins: false,
            allow_credentials: false,
            allow_methods: strings(&DEFAULT_METHODS),
            allow_headers: strings(&DEFAULT_HEADERS),
            expose_headers: Vec::new(),
            preflight_max_age: DEFAULT_MAX_AGE,
            allow_private_network: false,
        }
    }
}

/// A compiled django-cors-headers configuration. Immutable, `Send + Sync`.
#[derive(Debug)]
pub struct DjangoPolicy {
    allow_all: bool,
    credentials: bool,
    null_listed: bool,
    /// `scheme:netloc` of every allowed origin, as Python's `urlsplit` splits it.
    origins: HashSet<Box<[u8]>>,
    expose: Option<Box<str>>,
    headers: Box<str>,
    methods: Box<str>,
    max_age: Option<Box<str>>,
    private_network: bool,
    check_errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// Python's `urlsplit(url)`, reduced to what django-cors-headers compares: `scheme:netloc`
/// (scheme lower-cased), or `None` where `urlsplit` raises `ValueError` (an unbalanced or
/// invalid bracketed host). Works on the Latin-1 characters of a header (one per byte); the
/// Python version reproduced is 3.11.4+ (C0/space stripped on the left, tab and newlines
/// removed, bracketed hosts checked).
fn split_key(url: &[u8]) -> Option<Vec<u8>> {
    let start = url.iter().position(|&b| b > b' ').unwrap_or(url.len());
    let url = url.get(start..).unwrap_or(&[]);
    let url: Cow<'_, [u8]> = if url.iter().any(|b| matches!(b, b'\t' | b'\r' | b'\n')) {
        Cow::Owned(
            url.iter()
                .copied()
                .filter(|b| !matches!(b, b'\t' | b'\r' | b'\n'))
                .collect(),
        )
    } else {
        Cow::Borrowed(url)
    };
    let mut key = Vec::with_capacity(url.len() + 1);
    let mut rest: &[u8] = &url;
    if let Some(i) = url.iter().position(|&b| b == b':') {
        let scheme = url.get(..i).unwrap_or(&[]);
        let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
        if scheme_ok {
            key.extend(scheme.iter().map(u8::to_ascii_lowercase));
            rest = url.get(i + 1..).unwrap_or(&[]);
        }
    }
    key.push(b':');
    if let Some(after) = rest.strip_prefix(b"//") {
        let end = after
            .iter()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(after.len());
        let netloc = after.get(..end).unwrap_or(&[]);
        let open = netloc.contains(&b'[');
        let close = netloc.contains(&b']');
        if open != close {
            return None;
        }
        if open {
            let inner = netloc.splitn(2, |&b| b == b'[').nth(1).unwrap_or(&[]);
            let host = inner.split(|&b| b == b']').next().unwrap_or(&[]);
            if !bracketed_host_ok(host) {
                return None;
            }
        }
        key.extend_from_slice(netloc);
    }
    Some(key)
}

/// Python's `_check_bracketed_host`: `v<hex>.<anything>` or an IPv6 address (with an optional
/// `%zone`); an IPv4 address or anything else raises.
fn bracketed_host_ok(host: &[u8]) -> bool {
    if let Some(future) = host.strip_prefix(b"v") {
        let hex = future.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        return hex > 0 && future.get(hex) == Some(&b'.') && future.len() > hex + 1;
    }
    let Ok(text) = std::str::from_utf8(host) else {
        return false;
    };
    let addr = match text.split_once('%') {
        Some((addr, zone)) if !zone.is_empty() && !zone.contains('%') => addr,
        Some(_) => return false,
        None => text,
    };
    addr.parse::<Ipv6Addr>().is_ok()
}

/// django-cors-headers' system check of one allowed origin (E013 / E014), with a hint.
fn check_origin(path: String, origin: &str, d: &mut Vec<Diagnostic>) {
    if origin == "null" || origin == "file://" {
        return;
    }
    let Some(key) = split_key(origin.as_bytes()) else {
        d.push(
            Diagnostic::new(
                path,
                DiagnosticCode::OriginInvalid,
                format!("`{origin}` is not a valid URL (Python's urlsplit rejects it)"),
            )
            .hint("write the origin as scheme://host[:port]"),
        );
        return;
    };
    let colon = key.iter().position(|&b| b == b':').unwrap_or(0);
    let (scheme, netloc) = (&key[..colon], &key[colon + 1..]);
    if scheme.is_empty() || netloc.is_empty() {
        d.push(
            Diagnostic::new(
                path,
                DiagnosticCode::OriginMissingScheme,
                format!("origin `{origin}` is missing a scheme or host, so it allows nothing"),
            )
            .hint(format!(
                "write it as https://{}",
                origin.trim_start_matches('/').trim_end_matches('/')
            )),
        );
        return;
    }
    // What follows the netloc: a path, query or fragment (ignored by the middleware).
    let prefix = origin.find("//").map_or(0, |i| i + 2) + netloc.len();
    let tail = origin.get(prefix..).unwrap_or("");
    if !tail.is_empty() {
        let base = origin.get(..prefix).unwrap_or(origin);
        let (code, part) = match tail.as_bytes().first() {
            Some(b'?') => (DiagnosticCode::OriginHasQuery, "a query"),
            Some(b'#') => (DiagnosticCode::OriginHasFragment, "a fragment"),
            _ if tail == "/" => (DiagnosticCode::OriginTrailingSlash, "a trailing slash"),
            _ => (DiagnosticCode::OriginHasPath, "a path"),
        };
        d.push(
            Diagnostic::new(
                path,
                code,
                format!("origin `{origin}` has {part}; an Origin header never does"),
            )
            .hint(format!("did you mean `{base}`?")),
        );
    }
}

impl DjangoPolicy {
    /// Compiles the settings. Only values that cannot be sent in a header are errors here;
    /// what django-cors-headers' own checks reject is in [`DjangoPolicy::check_errors`].
    pub fn compile(c: &DjangoConfig) -> Result<DjangoPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        for (key, list) in [
            ("CORS_ALLOW_METHODS", &c.allow_methods),
            ("CORS_ALLOW_HEADERS", &c.allow_headers),
            ("CORS_EXPOSE_HEADERS", &c.expose_headers),
        ] {
            for (i, v) in list.iter().enumerate() {
                if !is_printable_ascii(v) {
                    d.error(
                        Diagnostic::new(
                            format!("{key}[{i}]"),
                            DiagnosticCode::ValueNotAscii,
                            format!("`{}` cannot be sent in an HTTP header", v.escape_debug()),
                        )
                        .hint("use printable ASCII only"),
                    );
                }
            }
        }
        let mut check_errors = Vec::new();
        let mut origins = HashSet::new();
        for (i, o) in c.allowed_origins.iter().enumerate() {
            let path = format!("CORS_ALLOWED_ORIGINS[{i}]");
            check_origin(path.clone(), o, &mut check_errors);
            if o == "null" {
                d.warn(lint::null_origin_allowed(path));
            }
            if let Some(key) = latin1::encode(o).and_then(|bytes| split_key(&bytes)) {
                origins.insert(key.into_boxed_slice());
            }
        }
        for (i, re) in c.origin_regexes.iter().enumerate() {
            let path = format!("CORS_ALLOWED_ORIGIN_REGEXES[{i}]");
            if let Some(w) = regex_unanchored(path.clone(), re) {
                d.warn(w);
            }
            if let Some(w) = lint::unescaped_dot(path, re, &format!("`{re}`")) {
                d.warn(w);
            }
        }
        if c.allow_all_origins && c.allow_credentials {
            d.warn(
                Diagnostic::new(
                    "CORS_ALLOW_ALL_ORIGINS",
                    DiagnosticCode::WildcardOriginWithCredentials,
                    "with CORS_ALLOW_CREDENTIALS, every origin is reflected with credentials: \
                     any website can read responses made with the user's cookies",
                )
                .hint("list the origins that may send credentials in CORS_ALLOWED_ORIGINS"),
            );
        }
        if c.allow_private_network {
            d.warn(lint::private_network_enabled("CORS_ALLOW_PRIVATE_NETWORK"));
        }
        if !d.errors.is_empty() {
            return Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            });
        }
        let join = |list: &[String]| list.join(", ").into_boxed_str();
        Ok(DjangoPolicy {
            allow_all: c.allow_all_origins,
            credentials: c.allow_credentials,
            null_listed: c.allowed_origins.iter().any(|o| o == "null"),
            origins,
            expose: (!c.expose_headers.is_empty()).then(|| join(&c.expose_headers)),
            headers: join(&c.allow_headers),
            methods: join(&c.allow_methods),
            max_age: (c.preflight_max_age != 0)
                .then(|| c.preflight_max_age.to_string().into_boxed_str()),
            private_network: c.allow_private_network,
            check_errors,
            warnings: d.warnings,
        })
    }

    /// Settings the middleware serves with but django-cors-headers' system checks reject
    /// (an origin without scheme, with a path, …).
    pub fn check_errors(&self) -> &[Diagnostic] {
        &self.check_errors
    }

    /// Risky settings: they behave as in django-cors-headers.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether django-cors-headers answers this request (on an enabled path) itself, before
    /// the application: `OPTIONS` with `Access-Control-Request-Method` (present, whatever its
    /// value) gets status 200 with `content-length: 0`; [`DjangoPolicy::evaluate`] then gives
    /// its CORS headers like any response's. `None`: the application answers.
    pub fn preflight(method: &[u8], request_method: bool) -> Option<Answer<'static>> {
        (method == b"OPTIONS" && request_method).then(|| {
            let mut answer = Answer::default();
            answer.status = Some(200);
            answer.push(names::CONTENT_LENGTH, b"0".as_slice());
            answer
        })
    }

    /// The CORS headers django-cors-headers sets on a response on a path it is enabled for
    /// (the application's, or the answer of [`DjangoPolicy::preflight`]).
    ///
    /// `method` is Django's `request.method` (upper-cased), `origin` the `Origin` header,
    /// `private_network`
    /// the `Access-Control-Request-Private-Network` header. `fallback` (the regexes, then the
    /// signal) is called at most once, only for a well-formed origin in no list. The binding
    /// also appends `origin` to `Vary` (django-cors-headers does so on every enabled path).
    pub fn evaluate<'a>(
        &'a self,
        method: &[u8],
        origin: Option<&'a [u8]>,
        private_network: Option<&[u8]>,
        fallback: impl FnOnce() -> bool,
    ) -> Answer<'a> {
        let mut answer = Answer::default();
        let options = method == b"OPTIONS";
        let Some(origin) = origin.filter(|o| !o.is_empty()) else {
            return answer;
        };
        let Some(key) = split_key(origin) else {
            return answer;
        };
        let allowed = self.allow_all
            || (self.null_listed && origin == b"null")
            || self.origins.contains(key.as_slice())
            || fallback();
        if !allowed {
            return answer;
        }
        if self.allow_all && !self.credentials {
            answer.push(names::ALLOW_ORIGIN, b"*".as_slice());
        } else {
            answer.push(names::ALLOW_ORIGIN, origin);
        }
        if self.credentials {
            answer.push(names::ALLOW_CREDENTIALS, b"true".as_slice());
        }
        if let Some(v) = &self.expose {
            answer.push(names::EXPOSE_HEADERS, v.as_bytes());
        }
        if options {
            answer.push(names::ALLOW_HEADERS, self.headers.as_bytes());
            answer.push(names::ALLOW_METHODS, self.methods.as_bytes());
            if let Some(v) = &self.max_age {
                answer.push(names::MAX_AGE, v.as_bytes());
            }
        }
        if self.private_network && private_network == Some(b"true") {
            answer.push(names::ALLOW_PRIVATE_NETWORK, b"true".as_slice());
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Option<String> {
        split_key(s.as_bytes()).map(|k| String::from_utf8_lossy(&k).into_owned())
    }

    #[test]
    fn split_follows_python_urlsplit() {
        // Python 3.11.7: (urlsplit(u).scheme, urlsplit(u).netloc)
        assert_eq!(
            key("HTTPS://A.example:443/x").as_deref(),
            Some("https:A.example:443")
        );
        assert_eq!(
            key(" \x01https://a.example").as_deref(),
            Some("https:a.example")
        );
        assert_eq!(
            key("https://a.ex\tample").as_deref(),
            Some("https:a.example")
        );
        assert_eq!(key("null").as_deref(), Some(":"));
        assert_eq!(key("//a.example").as_deref(), Some(":a.example"));
        assert_eq!(key("1http://a").as_deref(), Some(":"));
        assert_eq!(
            key("https://[::1]:8000").as_deref(),
            Some("https:[::1]:8000")
        );
        assert_eq!(key("https://[v1.x]").as_deref(), Some("https:[v1.x]"));
        assert_eq!(
            key("https://[fe80::1%eth0]").as_deref(),
            Some("https:[fe80::1%eth0]")
        );
        assert_eq!(key("https://[::1"), None);
        assert_eq!(key("https://::1]"), None);
        assert_eq!(key("https://[1.2.3.4]"), None);
        assert_eq!(key("https://[v1.]"), None);
    }

    #[test]
    fn preflight_answers_in_django_order() {
        let p = DjangoPolicy::compile(&DjangoConfig {
            allowed_origins: vec!["https://a.example".into()],
            allow_credentials: true,
            expose_headers: vec!["x-id".into()],
            ..Default::default()
        })
        .unwrap();
        let pre = DjangoPolicy::preflight(b"OPTIONS", true).unwrap();
        assert_eq!(pre.status, Some(200));
        assert_eq!(pre.headers()[0].0, "content-length");
        assert!(DjangoPolicy::preflight(b"OPTIONS", false).is_none());
        let a = p.evaluate(b"OPTIONS", Some(b"https://a.example"), None, || {
            panic!("the fallback is not asked for a listed origin")
        });
        let names: Vec<_> = a.headers().iter().map(|h| h.0).collect();
        assert_eq!(
            names,
            [
                "access-control-allow-origin",
                "access-control-allow-credentials",
                "access-control-expose-headers",
                "access-control-allow-headers",
                "access-control-allow-methods",
                "access-control-max-age",
            ]
        );
        let denied = p.evaluate(b"GET", Some(b"https://b.example"), None, || false);
        assert!(denied.headers().is_empty());
        let by_signal = p.evaluate(b"GET", Some(b"https://b.example"), None, || true);
        assert_eq!(by_signal.headers()[0].1.as_ref(), b"https://b.example");
    }

    #[test]
    fn checks_report_what_corsheaders_rejects_with_hints() {
        let p = DjangoPolicy::compile(&DjangoConfig {
            allowed_origins: vec!["https://a.example/".into(), "a.example".into()],
            origin_regexes: vec![r"^https://\w+\.example\.com".into()],
            ..Default::default()
        })
        .unwrap();
        let codes: Vec<_> = p.check_errors().iter().map(|d| d.code).collect();
        assert_eq!(codes, ["origin_trailing_slash", "origin_missing_scheme"]);
        assert_eq!(
            p.check_errors()[0].hint.as_deref(),
            Some("did you mean `https://a.example`?")
        );
        assert_eq!(p.warnings()[0].code, "regex_unanchored");
    }
}
