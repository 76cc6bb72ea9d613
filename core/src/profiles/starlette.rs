//! The `starlette` profile: the answers of Starlette's `CORSMiddleware` (1.x), reproduced.
//!
//! A drop-in replacement for `starlette.middleware.cors.CORSMiddleware` must give the same
//! status, body text and headers, in the same order, for every configuration and request.
//! This module holds that behaviour once, so a binding only translates:
//!
//! - [`StarlettePolicy::evaluate`] classifies a request exactly as Starlette does (a preflight
//!   is `OPTIONS` with `Origin` and `Access-Control-Request-Method`), and returns a
//!   [`Decision`]. An answered preflight has `status` 200 with body `OK`, or 400 with
//!   `Disallowed CORS <failures>`; [`preflight_response_headers`] lists its whole header block
//!   (`vary` first, `content-length` and `content-type` last), lower-case as Starlette sends it.
//! - Other requests go to the application; [`merge_headers`] applies the decision to the
//!   application's response headers the way Starlette's `MutableHeaders` does: each CORS
//!   header replaces the first header of that (lower-case) name and removes the others, and
//!   `Origin` is appended to the values of every `vary` header, joined into the first one.
//!
//! Starlette's quirks are kept on purpose, and the risky ones are reported as warnings by
//! [`StarlettePolicy::warnings`]: `"*"` together with credentials reflects every origin; a
//! simple response carries `Access-Control-Allow-Credentials` and
//! `Access-Control-Expose-Headers` even when its origin is refused; a preflight answers
//! 400 rather than a CORS failure without headers.
//!
//! Deliberate differences (documented in `docs/python.md`): configured method, header and
//! expose names must be printable ASCII (Starlette fails when it sends anything else); the
//! regular expression uses Rust `regex` syntax (no look-around or back-references); an
//! `Origin` or `Access-Control-Request-Headers` value that is not UTF-8 is never reflected.

use crate::browser::console::Denial;
use crate::decision::{Decision, Explain, Kind, Reason, ReasonCode, Verdict};
use crate::diagnostic::Profile;
use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::header::{names, HeaderName};
use crate::lint;
use crate::request::{Request, Single};
use crate::response::ResponseHeader;
use crate::syntax::latin1;
use crate::syntax::origin;
use crate::vary::Vary;
use hashbrown::HashSet;
use regex::Regex;
use std::borrow::Cow;
use std::fmt;

/// The methods `allow_methods=["*"]` stands for, in Starlette's order.
pub const ALL_METHODS: [&str; 8] = [
    "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY",
];

/// Request headers Starlette always allows (and lists in a preflight answer).
const SAFELISTED_HEADERS: [&str; 4] = [
    "Accept",
    "Accept-Language",
    "Content-Language",
    "Content-Type",
];

/// The `Content-Type` of an answered preflight.
pub const PREFLIGHT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Failure bits of a preflight, in Starlette's order: `origin`, `method`, `headers`,
/// `private-network`.
const FAIL_ORIGIN: usize = 1;
const FAIL_METHOD: usize = 2;
const FAIL_HEADERS: usize = 4;
const FAIL_PRIVATE_NETWORK: usize = 8;

/// Preflight bodies, indexed by the set of failures (bit i = `FAILURES[i]`).
const BODIES: [&str; 16] = [
    "OK",
    "Disallowed CORS origin",
    "Disallowed CORS method",
    "Disallowed CORS origin, method",
    "Disallowed CORS headers",
    "Disallowed CORS origin, headers",
    "Disallowed CORS method, headers",
    "Disallowed CORS origin, method, headers",
    "Disallowed CORS private-network",
    "Disallowed CORS origin, private-network",
    "Disallowed CORS method, private-network",
    "Disallowed CORS origin, method, private-network",
    "Disallowed CORS headers, private-network",
    "Disallowed CORS origin, headers, private-network",
    "Disallowed CORS method, headers, private-network",
    "Disallowed CORS origin, method, headers, private-network",
];

/// `Content-Length` of each body in [`BODIES`].
const BODY_LENGTHS: [&str; 16] = [
    "2", "22", "22", "30", "23", "31", "31", "39", "31", "39", "39", "47", "40", "48", "48", "56",
];

/// The constructor parameters of Starlette's `CORSMiddleware`, with its defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StarletteConfig {
    /// Origins compared exactly with the request's `Origin`; `"*"` anywhere allows all.
    pub allow_origins: Vec<String>,
    /// Methods a preflight may ask for (compared exactly); `"*"` means [`ALL_METHODS`].
    pub allow_methods: Vec<String>,
    /// Request headers a preflight may ask for besides the safelisted ones; `"*"` for any.
    pub allow_headers: Vec<String>,
    /// Send `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// A regular expression that must match the whole origin.
    pub allow_origin_regex: Option<String>,
    /// Answer Private Network Access preflights.
    pub allow_private_network: bool,
    /// `Access-Control-Expose-Headers`, joined as given.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Max-Age` of preflight answers.
    pub max_age: i64,
}

impl Default for StarletteConfig {
    fn default() -> Self {
        StarletteConfig {
            allow_origins: Vec::new(),
            allow_methods: vec!["GET".to_string()],
            allow_headers: Vec::new(),
            allow_credentials: false,
            allow_origin_regex: None,
            allow_private_network: false,
            expose_headers: Vec::new(),
            max_age: 600,
        }
    }
}

/// A compiled Starlette-compatible configuration. Immutable, `Send + Sync`.
#[derive(Debug)]
pub struct StarlettePolicy {
    any_origin: bool,
    /// Whether a preflight reflects the origin (Starlette's `preflight_explicit_allow_origin`).
    explicit_origin: bool,
    /// Exact origins, as the bytes of their Latin-1 encoding (how Starlette compares them).
    origins: HashSet<Box<[u8]>>,
    regex: Option<Regex>,
    credentials: bool,
    methods: Vec<Box<str>>,
    methods_value: Box<str>,
    any_header: bool,
    /// Allowed request header names, lower-case, safelisted ones included.
    allowed_headers: Vec<Box<str>>,
    /// The preflight `Access-Control-Allow-Headers` when not reflecting.
    headers_value: Option<Box<str>>,
    expose_value: Option<Box<str>>,
    max_age: Box<str>,
    private_network: bool,
    warnings: Vec<Diagnostic>,
}

/// True when every byte can be sent in a header value as configured text.
fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

/// Python's `str.isspace()` for the Latin-1 characters (a header decoded by Starlette).
fn is_py_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x20 | 0x85 | 0xa0)
}

/// Python's `str.strip()` on Latin-1 text.
fn py_strip(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_py_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_py_space(b))
        .map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or(&[])
}

impl StarlettePolicy {
    /// Compiles a configuration, reporting every value that cannot be sent in a header.
    pub fn compile(c: &StarletteConfig) -> Result<StarlettePolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        let printable = |list: &[String], key: &str, d: &mut Diagnostics| {
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
        };
        printable(&c.allow_methods, "allow_methods", &mut d);
        printable(&c.allow_headers, "allow_headers", &mut d);
        printable(&c.expose_headers, "expose_headers", &mut d);

        let any_origin = c.allow_origins.iter().any(|o| o == "*");
        let mut origins = HashSet::new();
        for (i, o) in c.allow_origins.iter().enumerate() {
            if o == "*" {
                if c.allow_credentials {
                    d.warn(
                        Diagnostic::new(
                            format!("allow_origins[{i}]"),
                            DiagnosticCode::WildcardOriginWithCredentials,
                            "`*` with allow_credentials reflects every origin with credentials: \
                             any website can read responses made with the user's cookies",
                        )
                        .hint("list the origins that may send credentials"),
                    );
                }
                continue;
            }
            if o == "null" {
                d.warn(lint::null_origin_allowed(format!("allow_origins[{i}]")));
            } else if let Err(defect) = origin::parse(o.as_bytes(), false) {
                let mut diag = Diagnostic::new(
                    format!("allow_origins[{i}]"),
                    DiagnosticCode::OriginNeverMatches,
                    format!(
                        "`{}` {}: browsers never send it, so it allows nothing",
                        o.escape_debug(),
                        defect.describe()
                    ),
                );
                if let Some(h) = lint::defect_hint(o, defect) {
                    diag = diag.hint(h);
                }
                d.warn(diag);
            }
            if let Some(bytes) = latin1::encode(o) {
                origins.insert(Box::<[u8]>::from(bytes));
            }
        }

        let regex = c.allow_origin_regex.as_deref().and_then(|re| {
            if let Some(w) = lint::unescaped_dot("allow_origin_regex", re, &format!("`{re}`")) {
                d.warn(w);
            }
            match Regex::new(&format!(r"\A(?:{re})\z")) {
                Ok(r) => Some(r),
                Err(e) => {
                    let msg = e.to_string();
                    let line = msg.lines().last().unwrap_or("").trim().to_string();
                    d.error(
                        Diagnostic::new(
                            "allow_origin_regex",
                            DiagnosticCode::OriginRegexInvalid,
                            format!("`{re}` is not a valid regular expression: {line}"),
                        )
                        .hint("Rust `regex` syntax: no look-around or back-references"),
                    );
                    None
                }
            }
        });

        if c.allow_private_network {
            d.warn(lint::private_network_enabled("allow_private_network"));
        }

        let methods: Vec<Box<str>> = if c.allow_methods.iter().any(|m| m == "*") {
            ALL_METHODS.iter().map(|m| Box::from(*m)).collect()
        } else {
            c.allow_methods.iter().map(|m| m.as_str().into()).collect()
        };
        let methods_value = methods.join(", ").into_boxed_str();

        let any_header = c.allow_headers.iter().any(|h| h == "*");
        let mut listed: Vec<&str> = SAFELISTED_HEADERS.to_vec();
        listed.extend(c.allow_headers.iter().map(String::as_str));
        listed.sort_unstable();
        listed.dedup();
        let headers_value = (!any_header).then(|| listed.join(", ").into_boxed_str());
        let allowed_headers = listed
            .iter()
            .map(|h| h.to_ascii_lowercase().into_boxed_str())
            .collect();

        let expose_value =
            (!c.expose_headers.is_empty()).then(|| c.expose_headers.join(", ").into_boxed_str());

        if !d.errors.is_empty() {
            return Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            });
        }
        Ok(StarlettePolicy {
            any_origin,
            explicit_origin: !any_origin || c.allow_credentials,
            origins,
            regex,
            credentials: c.allow_credentials,
            methods,
            methods_value,
            any_header,
            allowed_headers,
            headers_value,
            expose_value,
            max_age: c.max_age.to_string().into_boxed_str(),
            private_network: c.allow_private_network,
            warnings: d.warnings,
        })
    }

    /// Lint warnings: the configuration works as in Starlette, but is risky or useless.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Starlette's `is_allowed_origin`: any, the whole-string regex, or an exact entry.
    fn is_allowed_origin(&self, origin: &[u8]) -> bool {
        if self.any_origin {
            return true;
        }
        if let Some(re) = &self.regex {
            let hit = match std::str::from_utf8(origin) {
                Ok(text) if origin.is_ascii() => re.is_match(text),
                // Starlette decodes header bytes as Latin-1 before matching.
                _ => re.is_match(&latin1::decode(origin)),
            };
            if hit {
                return true;
            }
        }
        self.origins.contains(origin)
    }

    /// Decides what Starlette's `CORSMiddleware` answers to `request`. Allocates nothing
    /// unless a regex must match a non-ASCII origin.
    pub fn evaluate<'a>(&'a self, req: &Request<'a>) -> Decision<'a> {
        match req.origin.first() {
            None => Decision::new(
                Profile::Starlette,
                Kind::NotCors,
                Vary::new(true, false, false),
            ),
            Some(origin) if req.is_preflight() => self.preflight(req, origin),
            Some(origin) => self.simple(origin),
        }
    }

    fn deny<'a>(&'a self, d: &mut Decision<'a>, code: ReasonCode, value: &'a [u8]) {
        if d.is_allowed() {
            d.verdict = Verdict::Denied(Reason {
                code,
                value,
                preflight: d.kind == Kind::Preflight,
                rules: self,
            });
        }
    }

    fn simple<'a>(&'a self, origin: &'a [u8]) -> Decision<'a> {
        let mut d = Decision::new(
            Profile::Starlette,
            Kind::Actual,
            Vary::new(true, false, false),
        );
        let reflect = if self.any_origin {
            self.credentials
        } else if self.is_allowed_origin(origin) {
            true
        } else {
            self.deny(&mut d, ReasonCode::OriginNotAllowed, origin);
            false
        };
        // The net effect of Starlette's assignments: `*` first, replaced in place by the
        // reflected origin; a reflected origin alone is set after the other headers.
        let text = std::str::from_utf8(origin).ok();
        if self.any_origin {
            match (reflect, text) {
                (true, Some(t)) => d.push(names::ALLOW_ORIGIN, t),
                (true, None) => {
                    d.push(names::ALLOW_ORIGIN, "*");
                    self.deny(&mut d, ReasonCode::MalformedOrigin, origin);
                }
                (false, _) => d.push(names::ALLOW_ORIGIN, "*"),
            }
        }
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, "true");
        }
        if let Some(v) = &self.expose_value {
            d.push(names::EXPOSE_HEADERS, v);
        }
        if reflect && !self.any_origin {
            match text {
                Some(t) => d.push(names::ALLOW_ORIGIN, t),
                None => self.deny(&mut d, ReasonCode::MalformedOrigin, origin),
            }
        }
        d
    }

    fn preflight<'a>(&'a self, req: &Request<'a>, origin: &'a [u8]) -> Decision<'a> {
        let mut d = Decision::new(
            Profile::Starlette,
            Kind::Preflight,
            Vary::new(true, true, true),
        );
        let mut failures = 0;
        if !self.explicit_origin {
            d.push(names::ALLOW_ORIGIN, "*");
        }
        d.push(names::ALLOW_METHODS, &self.methods_value);
        d.push(names::MAX_AGE, &self.max_age);
        if let Some(v) = &self.headers_value {
            d.push(names::ALLOW_HEADERS, v);
        }
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, "true");
        }

        if !self.is_allowed_origin(origin) {
            failures |= FAIL_ORIGIN;
            self.deny(&mut d, ReasonCode::OriginNotAllowed, origin);
        } else if self.explicit_origin {
            match std::str::from_utf8(origin) {
                Ok(t) => d.push(names::ALLOW_ORIGIN, t),
                Err(_) => {
                    failures |= FAIL_ORIGIN;
                    self.deny(&mut d, ReasonCode::MalformedOrigin, origin);
                }
            }
        }

        let method = req.request_method.first().unwrap_or(b"");
        if !self.methods.iter().any(|m| m.as_bytes() == method) {
            failures |= FAIL_METHOD;
            self.deny(&mut d, ReasonCode::MethodNotAllowed, method);
        }

        // Starlette reads only the first Access-Control-Request-Headers line.
        let requested = (req.request_header_lines > 0)
            .then(|| req.request_headers.first().copied())
            .flatten();
        if let Some(line) = requested {
            if self.any_header {
                match std::str::from_utf8(line) {
                    Ok(t) => d.push(names::ALLOW_HEADERS, t),
                    Err(_) => {
                        failures |= FAIL_HEADERS;
                        self.deny(&mut d, ReasonCode::MalformedRequestHeaders, line);
                    }
                }
            } else if let Some(bad) = line
                .split(|&b| b == b',')
                .map(py_strip)
                .find(|name| !self.allows_header(name))
            {
                failures |= FAIL_HEADERS;
                self.deny(&mut d, ReasonCode::HeaderNotAllowed, bad);
            }
        }

        if req.private_network != Single::Absent {
            if self.private_network {
                d.push(names::ALLOW_PRIVATE_NETWORK, "true");
            } else {
                failures |= FAIL_PRIVATE_NETWORK;
                let value = req.private_network.first().unwrap_or(b"");
                self.deny(&mut d, ReasonCode::PrivateNetworkNotAllowed, value);
            }
        }

        d.status = Some(if failures == 0 { 200 } else { 400 });
        d.body = BODIES.get(failures).copied().unwrap_or(BODIES[0]);
        d
    }

    /// Whether a stripped request header name is allowed (ASCII case-insensitively; a
    /// non-ASCII byte never matches an allowed name, as in Python).
    fn allows_header(&self, name: &[u8]) -> bool {
        self.allowed_headers
            .iter()
            .any(|h| h.as_bytes().eq_ignore_ascii_case(name))
    }
}

impl Explain for StarlettePolicy {
    fn explain(&self, f: &mut fmt::Formatter<'_>, code: ReasonCode, value: &[u8]) -> fmt::Result {
        let v = String::from_utf8_lossy(value);
        match code {
            ReasonCode::OriginNotAllowed => {
                write!(f, "origin `{v}` is not in allow_origins")?;
                if self.regex.is_some() {
                    write!(f, " and does not match allow_origin_regex")?;
                }
                write!(f, "; hint: add \"{v}\" to allow_origins")
            }
            ReasonCode::MalformedOrigin => write!(
                f,
                "the Origin header `{v}` is not UTF-8 and cannot be reflected"
            ),
            ReasonCode::MethodNotAllowed => write!(
                f,
                "method `{v}` is not in allow_methods ({}); hint: add \"{v}\" to allow_methods",
                self.methods_value
            ),
            ReasonCode::HeaderNotAllowed => write!(
                f,
                "request header `{v}` is not in allow_headers; hint: add \"{}\" to allow_headers",
                v.to_ascii_lowercase()
            ),
            ReasonCode::MalformedRequestHeaders => write!(
                f,
                "Access-Control-Request-Headers `{v}` is not UTF-8 and cannot be reflected"
            ),
            ReasonCode::PrivateNetworkNotAllowed => write!(
                f,
                "a Private Network Access preflight, and allow_private_network is off; \
                 hint: set allow_private_network=True if public sites may reach this service"
            ),
            other => write!(f, "{} `{v}`", other.as_str()),
        }
    }

    fn denial(&self, code: ReasonCode, preflight: bool) -> Denial {
        let origin_failed = matches!(
            code,
            ReasonCode::OriginNotAllowed | ReasonCode::MalformedOrigin
        );
        if preflight && !origin_failed {
            Denial::PreflightNotOk
        } else {
            Denial::MissingAllowOrigin { preflight }
        }
    }
}

/// The lower-case form of a canonical CORS header name, as Starlette sends it.
fn lower(name: &'static str) -> &'static str {
    HeaderName::of_canonical(name).lower()
}

/// The whole header block of a preflight answered by the `starlette` profile (a decision
/// with a status), in Starlette's order and case: `vary`, the CORS headers, `content-length`
/// and `content-type`. Empty for any other decision.
pub fn preflight_response_headers<'d>(
    decision: &'d Decision<'_>,
) -> impl Iterator<Item = (&'static str, &'d str)> + 'd {
    let answered = decision.status().is_some();
    let length = BODIES
        .iter()
        .position(|b| *b == decision.body())
        .and_then(|i| BODY_LENGTHS.get(i))
        .copied()
        .unwrap_or("0");
    let vary = decision.vary().value();
    let head = answered.then_some(("vary", vary));
    let tail = answered.then_some([
        ("content-length", length),
        ("content-type", PREFLIGHT_CONTENT_TYPE),
    ]);
    let cors = decision
        .headers()
        .iter()
        .filter(move |_| answered)
        .map(|&(n, v)| (lower(n), v));
    head.into_iter()
        .chain(cors)
        .chain(tail.into_iter().flatten())
}

/// One entry of a response header list after [`merge_headers`].
pub type MergedHeader<'d> = ResponseHeader<'d>;

/// Starlette's `MutableHeaders.__setitem__`: the first header named `name` (compared byte for
/// byte with the lower-case name) takes the value, the others go; none, and it is appended.
fn set<'d>(
    out: &mut Vec<MergedHeader<'d>>,
    existing: &[(&[u8], &[u8])],
    name: &'static str,
    value: Cow<'d, [u8]>,
) {
    let mut first = None;
    let mut kept = 0;
    out.retain(|h| {
        let hit = match h {
            MergedHeader::Kept(i) => existing.get(*i).is_some_and(|e| e.0 == name.as_bytes()),
            MergedHeader::Set(n, _) => *n == name,
        };
        if hit {
            if first.is_some() {
                return false;
            }
            first = Some(kept);
        }
        kept += 1;
        true
    });
    match first.and_then(|i| out.get_mut(i)) {
        Some(slot) => *slot = MergedHeader::Set(name, value),
        None => out.push(MergedHeader::Set(name, value)),
    }
}

/// Applies the headers and `Vary` names of a `starlette` decision for a request the
/// application answers (`cors` is `decision.headers()`, values as bytes; a binding may keep
/// an owned copy) to the application's response headers (`existing`, in order), exactly as
/// Starlette's middleware rewrites them; `out` receives the resulting list (cleared first).
/// An answered preflight is not merged: [`preflight_response_headers`] is its header block.
pub fn merge_headers<'d>(
    cors: impl IntoIterator<Item = (&'static str, &'d [u8])>,
    vary: Vary,
    existing: &[(&[u8], &[u8])],
    out: &mut Vec<MergedHeader<'d>>,
) {
    out.clear();
    out.extend((0..existing.len()).map(MergedHeader::Kept));
    for (name, value) in cors {
        set(out, existing, lower(name), Cow::Borrowed(value));
    }
    let vary = vary.names();
    if vary.is_empty() {
        return;
    }
    let mut joined: Vec<u8> = Vec::new();
    let present = out.iter().filter_map(|h| match h {
        MergedHeader::Kept(i) => existing.get(*i).filter(|e| e.0 == b"vary").map(|e| e.1),
        MergedHeader::Set(n, v) => (*n == "vary").then_some(&**v),
    });
    for value in present.chain(vary.iter().map(|n| n.as_bytes())) {
        if !joined.is_empty() {
            joined.extend_from_slice(b", ");
        }
        joined.extend_from_slice(value);
    }
    set(out, existing, "vary", Cow::Owned(joined));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(c: StarletteConfig) -> StarlettePolicy {
        StarlettePolicy::compile(&c).unwrap()
    }

    const FAILURES: [&str; 4] = ["origin", "method", "headers", "private-network"];

    #[test]
    fn body_lengths_match_bodies() {
        for (i, (body, len)) in BODIES.iter().zip(BODY_LENGTHS).enumerate() {
            assert_eq!(body.len().to_string(), len, "{body}");
            if i > 0 {
                let parts: Vec<&str> = (0..4)
                    .filter(|b| i & (1 << b) != 0)
                    .map(|b| FAILURES[b])
                    .collect();
                assert_eq!(*body, format!("Disallowed CORS {}", parts.join(", ")));
            }
        }
    }

    #[test]
    fn python_strip_matches_str_strip_on_latin1() {
        // Python: "\x1c\xa0 X-A \x85\t".strip() == "X-A"
        assert_eq!(py_strip(b"\x1c\xa0 X-A \x85\t"), b"X-A");
        assert_eq!(py_strip(b" \t "), b"");
        assert_eq!(py_strip(b""), b"");
    }

    #[test]
    fn default_preflight_answers_like_starlette() {
        // Starlette 1.x, allow_origins=["https://a.example"]: GET only, max_age 600.
        let p = policy(StarletteConfig {
            allow_origins: vec!["https://a.example".into()],
            ..Default::default()
        });
        let req = Request::new(b"OPTIONS", b"/")
            .header(b"origin", b"https://a.example")
            .header(b"access-control-request-method", b"GET");
        let d = p.evaluate(&req);
        assert_eq!(d.status(), Some(200));
        assert_eq!(d.body(), "OK");
        let all: Vec<_> = preflight_response_headers(&d).collect();
        assert_eq!(
            all,
            [
                ("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"),
                ("access-control-allow-methods", "GET"),
                ("access-control-max-age", "600"),
                ("access-control-allow-headers", "Accept, Accept-Language, Content-Language, Content-Type"),
                ("access-control-allow-origin", "https://a.example"),
                ("content-length", "2"),
                ("content-type", "text/plain; charset=utf-8"),
            ]
        );
    }

    #[test]
    fn failures_are_listed_in_order() {
        let p = policy(StarletteConfig::default());
        let req = Request::new(b"OPTIONS", b"/")
            .header(b"origin", b"https://evil.example")
            .header(b"access-control-request-method", b"PUT")
            .header(b"access-control-request-headers", b"x-a")
            .header(b"access-control-request-private-network", b"true");
        let d = p.evaluate(&req);
        assert_eq!(d.status(), Some(400));
        assert_eq!(
            d.body(),
            "Disallowed CORS origin, method, headers, private-network"
        );
        assert_eq!(d.reason().unwrap().code(), ReasonCode::OriginNotAllowed);
    }

    #[test]
    fn merge_replaces_first_and_joins_vary() {
        let p = policy(StarletteConfig {
            allow_origins: vec!["https://a.example".into()],
            allow_credentials: true,
            ..Default::default()
        });
        let req = Request::new(b"GET", b"/").header(b"origin", b"https://a.example");
        let d = p.evaluate(&req);
        let existing: Vec<(&[u8], &[u8])> = vec![
            (b"vary", b"Accept"),
            (b"access-control-allow-credentials", b"no"),
            (b"x", b"1"),
            (b"vary", b"Cookie"),
            (b"access-control-allow-credentials", b"no"),
        ];
        let mut out = Vec::new();
        let cors = d.headers().iter().map(|&(n, v)| (n, v.as_bytes()));
        merge_headers(cors, d.vary(), &existing, &mut out);
        assert_eq!(
            out,
            [
                MergedHeader::Set("vary", Cow::Owned(b"Accept, Cookie, Origin".to_vec())),
                MergedHeader::Set("access-control-allow-credentials", Cow::Borrowed(b"true")),
                MergedHeader::Kept(2),
                MergedHeader::Set(
                    "access-control-allow-origin",
                    Cow::Borrowed(b"https://a.example")
                ),
            ]
        );
    }
}
