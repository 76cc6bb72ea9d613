//! Compiling a policy and evaluating requests against it.

mod acrh_lines;
pub(crate) mod config;
pub(crate) mod matcher;
pub(crate) mod shared;

use crate::decision::{names, Decision, Kind, Reason, ReasonCode, Vary, Verdict};
use crate::diagnostic::{join, ConfigErrors, Diagnostic, Diagnostics};
use crate::request::{Request, Single, MAX_ACRH_BYTES, MAX_ACRH_LINES};
use crate::syntax::origin;
use crate::syntax::token::{
    is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header,
    is_safelisted_method, is_token, list_elements, normalize_method, trim_ows,
};
use acrh_lines::BrowserLines;
use config::{Format, PolicyConfig, RouteConfig};
use hashbrown::HashTable;
use matcher::OriginMatcher;
use std::fmt;

/// A compiled, immutable policy: validated, with every request-independent header value
/// precomputed. `Send + Sync`; share it behind an `Arc` or a [`crate::SharedPolicy`].
#[derive(Debug)]
pub struct Policy {
    default: Rules,
    routes: Vec<(PathPattern, Rules)>,
    warnings: Vec<Diagnostic>,
}

impl Policy {
    /// Validates `config` and compiles it, reporting every problem at once.
    pub fn compile(config: &PolicyConfig) -> Result<Policy, ConfigErrors> {
        Self::finish(config, Diagnostics::default())
    }

    /// Reads and compiles a policy from JSON or TOML text.
    pub fn parse(text: &str, format: Format) -> Result<Policy, ConfigErrors> {
        let mut diags = Diagnostics::default();
        let config = PolicyConfig::read(text, format, &mut diags);
        Self::finish(&config, diags)
    }

    /// Reads and compiles a policy from JSON text.
    pub fn from_json(text: &str) -> Result<Policy, ConfigErrors> {
        Self::parse(text, Format::Json)
    }

    /// Reads and compiles a policy from TOML text.
    pub fn from_toml(text: &str) -> Result<Policy, ConfigErrors> {
        Self::parse(text, Format::Toml)
    }

    /// Reads and compiles a policy file; `.json` is JSON, anything else is TOML unless it
    /// starts with `{`.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy, ConfigErrors> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors {
            errors: vec![Diagnostic::new(
                "",
                "io_error",
                format!("cannot read {}: {e}", path.display()),
            )],
            warnings: Vec::new(),
        })?;
        let format = Format::from_path(path).unwrap_or(if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Toml
        });
        Self::parse(&text, format)
    }

    fn finish(config: &PolicyConfig, mut d: Diagnostics) -> Result<Policy, ConfigErrors> {
        let default = Rules::compile(config, "", &mut d);
        if config.routes.is_empty() && default.allows_no_origin() {
            d.warn(
                Diagnostic::new(
                    "origins",
                    "no_origins",
                    "no origin is allowed: every cross-origin request is denied",
                )
                .hint("add origins, e.g. origins = [\"https://app.example.com\"]"),
            );
        }
        let routes = config
            .routes
            .iter()
            .enumerate()
            .filter_map(|(i, route)| compile_route(route, &format!("routes[{i}]"), &mut d))
            .collect();
        if d.errors.is_empty() {
            Ok(Policy {
                default,
                routes,
                warnings: d.warnings,
            })
        } else {
            Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            })
        }
    }

    /// Lint warnings: legal but risky parts of the policy.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides what to answer to `request`. Allocates nothing.
    pub fn evaluate<'a>(&'a self, request: &Request<'a>) -> Decision<'a> {
        self.rules_for(request.path).evaluate(request)
    }

    /// Every header value that does not depend on the request, as the very `str`s (same
    /// address) a [`Decision`] carries: integrations convert each once.
    #[cfg(feature = "http")]
    pub(crate) fn constant_values(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.default)
            .chain(self.routes.iter().map(|(_, rules)| rules))
            .flat_map(|r| [&r.allow_headers_value, &r.expose_value, &r.max_age])
            .flatten()
            .map(|v| &**v)
    }

    fn rules_for(&self, path: &[u8]) -> &Rules {
        if self.routes.is_empty() {
            return &self.default;
        }
        let path = path.split(|&b| b == b'?').next().unwrap_or(path);
        self.routes
            .iter()
            .find(|(pattern, _)| pattern.matches(path))
            .map_or(&self.default, |(_, rules)| rules)
    }
}

fn compile_route(
    route: &RouteConfig,
    prefix: &str,
    d: &mut Diagnostics,
) -> Option<(PathPattern, Rules)> {
    if !route.policy.routes.is_empty() {
        d.error(Diagnostic::new(
            join(prefix, "routes"),
            "route_nested",
            "routes cannot contain routes",
        ));
    }
    let pattern = PathPattern::parse(&route.path);
    if pattern.is_none() {
        d.error(
            Diagnostic::new(
                join(prefix, "path"),
                "route_path_invalid",
                format!("`{}` is not a route path", route.path),
            )
            .hint("write an exact path (`/api/health`) or a prefix ending in `/*` (`/api/*`)"),
        );
    }
    let rules = Rules::compile(&route.policy, prefix, d);
    Some((pattern?, rules))
}

/// A route's path: exact, or a prefix that matches itself, `prefix/` and everything below.
#[derive(Debug)]
enum PathPattern {
    Exact(Box<[u8]>),
    Prefix(Box<[u8]>),
}

impl PathPattern {
    fn parse(path: &str) -> Option<PathPattern> {
        if !path.starts_with('/')
            || path
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return None;
        }
        match path.strip_suffix("/*") {
            Some(prefix) if !prefix.contains('*') => {
                Some(PathPattern::Prefix(prefix.as_bytes().into()))
            }
            Some(_) => None,
            None if path.contains('*') => None,
            None => Some(PathPattern::Exact(path.as_bytes().into())),
        }
    }

    fn matches(&self, path: &[u8]) -> bool {
        match self {
            PathPattern::Exact(p) => **p == *path,
            PathPattern::Prefix(p) => {
                path.starts_with(p) && (path.len() == p.len() || path.get(p.len()) == Some(&b'/'))
            }
        }
    }
}

/// Request header names, looked up ASCII case-insensitively without allocating.
#[derive(Debug, Default)]
struct NameSet {
    table: HashTable<Box<str>>,
}

/// A hash of `name` that ignores ASCII case, eight bytes at a time: every byte is hashed with
/// bit 0x20 set, which maps each upper-case letter onto its lower-case form (and merges a few
/// symbol pairs, such as `^` and `~`, costing at most an extra comparison). It runs once per
/// requested header, so it is kept much cheaper than a general-purpose hasher; the set is
/// fixed at compile time, so chosen inputs cannot lengthen its probe sequences.
fn case_insensitive_hash(name: &[u8]) -> u64 {
    const LOWER: u64 = 0x2020_2020_2020_2020;
    /// Folded multiply by an odd constant (the golden ratio): mixes every input bit into the
    /// high bits hashbrown tags with and the low bits it indexes with.
    fn mix(x: u64) -> u64 {
        let p = u128::from(x) * 0x9e37_79b9_7f4a_7c15;
        (p as u64) ^ ((p >> 64) as u64)
    }
    /// The first `N` bytes of `b` (callers ensure there are `N`), as one fixed-size load.
    fn word<const N: usize>(b: &[u8]) -> [u8; N] {
        let mut w = [0u8; N];
        if let Some(src) = b.get(..N) {
            w.copy_from_slice(src);
        }
        w
    }
    let len = name.len();
    let mut h = mix(len as u64);
    let mut chunks = name.chunks_exact(8);
    for chunk in &mut chunks {
        h = mix(h ^ (u64::from_le_bytes(word(chunk)) | LOWER));
    }
    if chunks.remainder().is_empty() {
        return h;
    }
    // The last bytes without a variable-length copy (which costs a memcpy call and a stalled
    // load): the final eight bytes, overlapping the chunk before; or two overlapping halves;
    // or the first, middle and last byte. With the length mixed in, no byte is left out.
    let at = |i: usize| u64::from(name.get(i).copied().unwrap_or(0));
    let tail = if len >= 8 {
        u64::from_le_bytes(word(name.get(len - 8..).unwrap_or_default()))
    } else if len >= 4 {
        let low = u32::from_le_bytes(word(name));
        let high = u32::from_le_bytes(word(name.get(len - 4..).unwrap_or_default()));
        u64::from(low) | (u64::from(high) << 32)
    } else {
        at(0) | (at(len / 2) << 8) | (at(len - 1) << 16)
    };
    mix(h ^ (tail | LOWER))
}

/// Each ASCII upper-case letter of the eight bytes of `w` in lower case, other bytes unchanged
/// (SWAR: the additions stay within each byte, as only bytes below 0x80 take part).
fn lower_word(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let low7 = w & (0x7f * ONES);
    let at_least_a = low7 + (0x80 - u64::from(b'A')) * ONES;
    let past_z = low7 + (0x80 - u64::from(b'Z') - 1) * ONES;
    let upper = at_least_a & !past_z & !w & (0x80 * ONES);
    w | (upper >> 2)
}

/// `name.eq_ignore_ascii_case(lower)` for a `lower` already in lower case, eight bytes at a
/// time (the byte loop showed up in preflights: one comparison per requested header).
fn eq_lowercase(name: &[u8], lower: &[u8]) -> bool {
    /// Bytes `at..at + N` as a word (callers ensure they exist), zero-extended.
    fn load<const N: usize>(b: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        if let (Some(dst), Some(src)) = (w.get_mut(..N), b.get(at..at + N)) {
            dst.copy_from_slice(src);
        }
        u64::from_le_bytes(w)
    }
    let len = name.len();
    if len != lower.len() {
        return false;
    }
    let same = |at: usize| lower_word(load::<8>(name, at)) == load::<8>(lower, at);
    let same4 = |at: usize| lower_word(load::<4>(name, at)) == load::<4>(lower, at);
    match len {
        // The last word overlaps the one before it: every byte is compared.
        8.. => (0..len / 8).all(|i| same(i * 8)) && same(len - 8),
        4..=7 => same4(0) && same4(len - 4),
        _ => name.eq_ignore_ascii_case(lower),
    }
}

impl NameSet {
    /// Inserts a name; false when it was already there (in any case).
    fn insert(&mut self, name: &str) -> bool {
        if self.contains(name.as_bytes()) {
            return false;
        }
        self.table.insert_unique(
            case_insensitive_hash(name.as_bytes()),
            name.to_ascii_lowercase().into(),
            |k| case_insensitive_hash(k.as_bytes()),
        );
        true
    }

    fn contains(&self, name: &[u8]) -> bool {
        self.table
            .find(case_insensitive_hash(name), |k| {
                eq_lowercase(name, k.as_bytes())
            })
            .is_some()
    }
}

/// One compiled policy (the top level or a route).
#[derive(Debug)]
pub(crate) struct Rules {
    any_origin: bool,
    origins: OriginMatcher,
    allow_null: bool,
    any_method: bool,
    methods: Vec<Box<str>>,
    any_header: bool,
    allow_authorization: bool,
    headers: NameSet,
    /// The lines a browser sends for allowed names, recognised whole.
    browser_lines: BrowserLines,
    /// The `Access-Control-Allow-Headers` value, or `None` to reflect the request's lines.
    allow_headers_value: Option<Box<str>>,
    expose_value: Option<Box<str>>,
    credentials: bool,
    max_age: Option<Box<str>>,
    private_network: bool,
    preflight_status: u16,
    preflight_continue: bool,
}

impl Rules {
    fn compile(c: &PolicyConfig, prefix: &str, d: &mut Diagnostics) -> Rules {
        let at = |key: &str| join(prefix, key);
        let star = c.origins.iter().position(|o| o == "*");
        if let Some(i) = star {
            let path = at(&format!("origins[{i}]"));
            if c.credentials {
                d.error(
                    Diagnostic::new(
                        path.clone(),
                        "wildcard_origin_with_credentials",
                        "`*` cannot be used with credentials: browsers reject the answer",
                    )
                    .hint("list the origins that may send credentials"),
                );
            }
            if c.origins.iter().any(|o| o != "*") {
                d.error(
                    Diagnostic::new(
                        path,
                        "wildcard_origin_mixed",
                        "`*` allows every origin, so listing others is a mistake",
                    )
                    .hint("remove `*`, or keep it alone"),
                );
            }
        }
        let origins = OriginMatcher::compile(
            &c.origins,
            &c.origin_regexes,
            c.credentials,
            c.allow_insecure_origins,
            prefix,
            d,
        );
        let (any_method, methods) = compile_methods(&c.methods, &at("methods"), d);
        let (any_header, headers, allow_headers_value, browser_lines) =
            compile_request_headers(c, &at("request_headers"), d);
        let expose_value = compile_expose(c, &at("expose_headers"), d);
        if c.allow_null_origin {
            d.warn(
                Diagnostic::new(
                    at("allow_null_origin"),
                    "null_origin_allowed",
                    "the `null` origin is shared by every sandboxed iframe, file: page and data: URL",
                )
                .hint("allow the real origins of your pages instead"),
            );
        }
        if c.private_network {
            d.warn(
                Diagnostic::new(
                    at("private_network"),
                    "private_network_enabled",
                    "public websites allowed by this policy may reach this private-network service",
                )
                .hint("enable it only on services meant to be reached from public sites"),
            );
        }
        let max_age = match c.max_age {
            Some(n) if !(0..=86400).contains(&n) => {
                d.error(
                    Diagnostic::new(
                        at("max_age"),
                        "max_age_out_of_range",
                        format!("max_age {n} is outside 0..=86400"),
                    )
                    .hint("browsers cap it anyway (Chromium 7200 s); 600 is common"),
                );
                None
            }
            Some(n) => {
                if n > 7200 {
                    d.warn(
                        Diagnostic::new(
                            at("max_age"),
                            "max_age_above_browser_cap",
                            format!("max_age {n} is above Chromium's cap of 7200 s (WebKit caps at 600 s)"),
                        )
                        .hint("use 7200 or less"),
                    );
                }
                Some(n.to_string().into_boxed_str())
            }
            None => None,
        };
        let preflight_status = match u16::try_from(c.preflight_status) {
            Ok(s) if (200..=299).contains(&s) => s,
            _ => {
                d.error(
                    Diagnostic::new(
                        at("preflight_status"),
                        "preflight_status_out_of_range",
                        format!(
                            "preflight_status {} is not an ok status (200..=299)",
                            c.preflight_status
                        ),
                    )
                    .hint("browsers fail preflights without an ok status; use 204 or 200"),
                );
                204
            }
        };
        Rules {
            any_origin: star.is_some(),
            origins,
            allow_null: c.allow_null_origin,
            any_method,
            methods,
            any_header,
            allow_authorization: headers.contains(b"authorization"),
            headers,
            browser_lines,
            allow_headers_value,
            expose_value,
            credentials: c.credentials,
            max_age,
            private_network: c.private_network,
            preflight_status,
            preflight_continue: c.preflight_continue,
        }
    }

    fn allows_no_origin(&self) -> bool {
        !self.any_origin && !self.allow_null && self.origins.is_empty()
    }

    fn evaluate<'a>(&'a self, req: &Request<'a>) -> Decision<'a> {
        let kind = if req.origin == Single::Absent {
            Kind::NotCors
        } else if req.is_preflight() {
            Kind::Preflight
        } else {
            Kind::Actual
        };
        let vary = Vary::new(
            !self.any_origin,
            kind == Kind::Preflight,
            self.private_network,
        );
        let mut d = Decision::new(kind, vary);
        let result = match kind {
            Kind::NotCors => return d,
            Kind::Actual => self.check_origin(req).map(|acao| {
                d.push(names::ALLOW_ORIGIN, acao);
                if self.credentials {
                    d.push(names::ALLOW_CREDENTIALS, "true");
                }
                if let Some(v) = &self.expose_value {
                    d.push(names::EXPOSE_HEADERS, v);
                }
            }),
            Kind::Preflight => self.answer_preflight(req, &mut d),
        };
        if let Err((code, value)) = result {
            d.verdict = Verdict::Denied(Reason {
                code,
                value,
                preflight: kind == Kind::Preflight,
                rules: self,
            });
            if kind == Kind::Preflight && !self.preflight_continue {
                d.status = Some(403);
            }
        }
        d
    }

    /// Checks the origin; on success returns the `Access-Control-Allow-Origin` value.
    fn check_origin<'a>(&'a self, req: &Request<'a>) -> Result<&'a str, (ReasonCode, &'a [u8])> {
        if self.any_origin {
            return Ok("*");
        }
        let raw = match req.origin {
            Single::One(v) => v,
            _ => return Err((ReasonCode::MalformedOrigin, b"")),
        };
        if req.origin_verdict.is_none() {
            // The bytes themselves are looked up: no UTF-8 check on the most common path.
            if let Some(entry) = self.origins.exact_entry(raw) {
                return Ok(entry);
            }
        }
        let malformed = (ReasonCode::MalformedOrigin, raw);
        // Subdomain patterns validate what they match themselves: no parse needed. A match
        // is ASCII, so the UTF-8 check only runs then.
        if req.origin_verdict.is_none() && self.origins.matches_subdomain(raw) {
            return std::str::from_utf8(raw).map_err(|_| malformed);
        }
        if raw == b"null" {
            return match req.origin_verdict.unwrap_or(self.allow_null) {
                true => Ok("null"),
                false => Err((ReasonCode::NullOriginNotAllowed, raw)),
            };
        }
        if req.origin_verdict.is_none() && !self.origins.has_parsed_patterns() {
            // Nothing is left to match: only whether the origin is well-formed remains to
            // decide, for the reason code.
            return Err(match origin::is_origin(raw) {
                true => (ReasonCode::OriginNotAllowed, raw),
                false => malformed,
            });
        }
        // Bytes that are not UTF-8 are not an origin.
        let text = std::str::from_utf8(raw).map_err(|_| malformed)?;
        // The usual shape parses in one pass; the full parser decides everything else.
        let parsed = match origin::parse_common(text) {
            Some(parsed) => parsed,
            None => origin::parse(raw, false).map_err(|_| malformed)?,
        };
        let allowed = match req.origin_verdict {
            Some(v) => v,
            // The exact entries and subdomain patterns were looked up above.
            None => self.origins.matches_patterns(text, &parsed),
        };
        if allowed {
            Ok(text)
        } else {
            Err((ReasonCode::OriginNotAllowed, raw))
        }
    }

    fn answer_preflight<'a>(
        &'a self,
        req: &Request<'a>,
        d: &mut Decision<'a>,
    ) -> Result<(), (ReasonCode, &'a [u8])> {
        let acao = self.check_origin(req)?;
        let method = self.check_method(req)?;
        let has_headers = self.check_request_headers(req)?;
        let private_network = req.private_network == Single::One(b"true");
        if private_network && !self.private_network {
            return Err((ReasonCode::PrivateNetworkNotAllowed, b"true"));
        }
        d.status = (!self.preflight_continue).then_some(self.preflight_status);
        d.push(names::ALLOW_ORIGIN, acao);
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, "true");
        }
        d.push(names::ALLOW_METHODS, method);
        if has_headers {
            match &self.allow_headers_value {
                Some(v) => d.push(names::ALLOW_HEADERS, v),
                None => {
                    for line in req.request_header_lines() {
                        let line = trim_ows(line);
                        if line.split(|&b| b == b',').any(|e| !trim_ows(e).is_empty()) {
                            // Checked above: tokens, commas and spaces only, so ASCII.
                            d.push(
                                names::ALLOW_HEADERS,
                                std::str::from_utf8(line).unwrap_or(""),
                            );
                        }
                    }
                }
            }
        }
        if private_network {
            d.push(names::ALLOW_PRIVATE_NETWORK, "true");
        }
        if let Some(v) = &self.max_age {
            d.push(names::MAX_AGE, v);
        }
        Ok(())
    }

    /// Checks `Access-Control-Request-Method`; returns the normalised method.
    fn check_method<'a>(&'a self, req: &Request<'a>) -> Result<&'a str, (ReasonCode, &'a [u8])> {
        let raw = match req.request_method {
            Single::One(m) => m,
            _ => return Err((ReasonCode::MalformedMethod, b"")),
        };
        if !is_token(raw) {
            return Err((ReasonCode::MalformedMethod, raw));
        }
        let method = normalize_method(raw);
        // A listed method is answered with the policy's own string (no UTF-8 check).
        if let Some(listed) = self.methods.iter().find(|m| m.as_bytes() == method) {
            return Ok(listed);
        }
        match std::str::from_utf8(method) {
            Ok(m) if is_safelisted_method(method) || self.any_method => Ok(m),
            _ => Err((ReasonCode::MethodNotAllowed, raw)),
        }
    }

    /// Checks `Access-Control-Request-Headers`; returns whether it names any header.
    fn check_request_headers<'a>(
        &'a self,
        req: &Request<'a>,
    ) -> Result<bool, (ReasonCode, &'a [u8])> {
        let lines = req.request_header_lines();
        if req.request_header_lines > MAX_ACRH_LINES || req.request_header_bytes > MAX_ACRH_BYTES {
            let first = lines.first().copied().unwrap_or(b"");
            return Err((
                ReasonCode::RequestHeadersTooLarge,
                &first[..first.len().min(64)],
            ));
        }
        // What browsers send, when every name is allowed: one lookup of the whole line.
        if let [line] = lines {
            if self.browser_lines.contains(line) {
                return Ok(true);
            }
        }
        // One pass: a malformed element anywhere outranks a disallowed one before it.
        let mut any = false;
        let mut disallowed: Option<&'a [u8]> = None;
        for line in lines {
            for (name, is_token) in list_elements(line) {
                if !is_token {
                    return Err((ReasonCode::MalformedRequestHeaders, name));
                }
                let allowed = if name.eq_ignore_ascii_case(b"authorization") {
                    self.allow_authorization
                } else {
                    self.any_header || self.headers.contains(name)
                };
                if !allowed && disallowed.is_none() {
                    disallowed = Some(name);
                }
                any = true;
            }
        }
        match disallowed {
            Some(name) => Err((ReasonCode::HeaderNotAllowed, name)),
            None => Ok(any),
        }
    }

    /// Writes the message of a denial, with a hint where one helps.
    pub(crate) fn explain(
        &self,
        f: &mut fmt::Formatter<'_>,
        code: ReasonCode,
        value: &[u8],
    ) -> fmt::Result {
        let v = String::from_utf8_lossy(value);
        match code {
            ReasonCode::MalformedOrigin => {
                let why = match origin::parse(value, false) {
                    Err(defect) => defect.describe(),
                    Ok(_) => "occurs on more than one line",
                };
                write!(f, "the Origin header `{v}` {why}; it matches nothing")
            }
            ReasonCode::NullOriginNotAllowed => write!(
                f,
                "origin `null` (a sandboxed iframe, file: page or data: URL) is not allowed; \
                 hint: set allow_null_origin = true only if you accept every such page"
            ),
            ReasonCode::OriginNotAllowed => {
                write!(f, "origin `{v}` is not allowed by the policy")?;
                let hint = origin::parse(value, false).ok().and_then(|p| self.origins.hint(&v, &p));
                match hint {
                    Some(h) => write!(f, "; hint: {h}"),
                    None => write!(f, "; hint: add it to origins"),
                }
            }
            ReasonCode::MalformedMethod => {
                write!(f, "Access-Control-Request-Method `{v}` is not a single HTTP token")
            }
            ReasonCode::MethodNotAllowed => {
                write!(f, "method `{v}` is not allowed")?;
                let upper = v.to_ascii_uppercase();
                if upper != v && self.methods.iter().any(|m| **m == upper) {
                    write!(f, "; hint: methods compare case-sensitively and browsers send `{v}` as the page wrote it: call fetch with `{upper}`")
                } else {
                    write!(f, "; hint: add \"{v}\" to methods")
                }
            }
            ReasonCode::MalformedRequestHeaders => {
                write!(f, "Access-Control-Request-Headers element `{v}` is not an HTTP token")
            }
            ReasonCode::HeaderNotAllowed => {
                write!(f, "request header `{v}` is not allowed")?;
                if value.eq_ignore_ascii_case(b"authorization") && self.any_header {
                    write!(f, "; hint: `*` does not cover authorization: list \"authorization\" in request_headers")
                } else {
                    write!(f, "; hint: add \"{}\" to request_headers", v.to_ascii_lowercase())
                }
            }
            ReasonCode::RequestHeadersTooLarge => write!(
                f,
                "Access-Control-Request-Headers exceeds {MAX_ACRH_BYTES} bytes or {MAX_ACRH_LINES} lines; \
                 browsers never send that much"
            ),
            ReasonCode::PrivateNetworkNotAllowed => write!(
                f,
                "a Private Network Access preflight, and private_network is off; \
                 hint: set private_network = true if public sites may reach this service"
            ),
        }
    }
}

fn compile_methods(list: &[String], path: &str, d: &mut Diagnostics) -> (bool, Vec<Box<str>>) {
    let mut any = false;
    let mut out: Vec<Box<str>> = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if m == "*" {
            any = true;
        } else if !is_token(m.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                "method_invalid",
                format!("`{m}` is not an HTTP method token"),
            ));
        } else if is_forbidden_method(m) {
            d.error(
                Diagnostic::new(
                    p,
                    "method_forbidden",
                    format!("`{m}` is a forbidden method: browsers never send it"),
                )
                .hint("remove it"),
            );
        } else {
            let norm = String::from_utf8_lossy(normalize_method(m.as_bytes())).into_owned();
            if out.iter().any(|o| **o == norm) {
                d.warn(Diagnostic::new(
                    p,
                    "duplicate_entry",
                    format!("`{m}` is listed twice"),
                ));
                continue;
            }
            if norm.bytes().any(|b| b.is_ascii_lowercase()) {
                d.warn(
                    Diagnostic::new(
                        p,
                        "method_not_uppercase",
                        format!("browsers send `{m}` exactly as the page wrote it: only `fetch(…, {{method: '{m}'}})` matches"),
                    )
                    .hint(format!("write `{}`", m.to_ascii_uppercase())),
                );
            }
            out.push(norm.into());
        }
    }
    (any, out)
}

fn compile_request_headers(
    c: &PolicyConfig,
    path: &str,
    d: &mut Diagnostics,
) -> (bool, NameSet, Option<Box<str>>, BrowserLines) {
    let mut any = false;
    let mut set = NameSet::default();
    let mut ordered: Vec<String> = Vec::new();
    for (i, name) in c.request_headers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if name == "*" {
            any = true;
        } else if !is_token(name.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                "request_header_invalid",
                format!("`{name}` is not an HTTP header name"),
            ));
        } else if is_forbidden_request_header(name) {
            d.error(
                Diagnostic::new(
                    p,
                    "request_header_forbidden",
                    format!("`{name}` is a forbidden request header: pages cannot set it"),
                )
                .hint("remove it"),
            );
        } else if !set.insert(name) {
            d.warn(Diagnostic::new(
                p,
                "duplicate_entry",
                format!("`{name}` is listed twice"),
            ));
        } else {
            ordered.push(name.to_ascii_lowercase());
        }
    }
    let value = match (any, c.credentials) {
        (true, true) => None,
        (true, false) if set.contains(b"authorization") => Some("*, authorization".into()),
        (true, false) => Some("*".into()),
        (false, _) => Some(ordered.join(", ").into()),
    };
    // With `*`, any name is allowed: no finite list of lines.
    let lines = match any {
        true => BrowserLines::default(),
        false => BrowserLines::new(&ordered),
    };
    (any, set, value, lines)
}

fn compile_expose(c: &PolicyConfig, path: &str, d: &mut Diagnostics) -> Option<Box<str>> {
    let mut seen = NameSet::default();
    let mut ordered: Vec<String> = Vec::new();
    for (i, name) in c.expose_headers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if name == "*" && c.credentials {
            d.error(
                Diagnostic::new(
                    p,
                    "wildcard_expose_with_credentials",
                    "`*` in expose_headers is the literal name `*` under credentials, exposing nothing",
                )
                .hint("list the header names to expose"),
            );
        } else if !is_token(name.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                "expose_header_invalid",
                format!("`{name}` is not an HTTP header name"),
            ));
        } else if is_forbidden_response_header(name) {
            d.error(
                Diagnostic::new(
                    p,
                    "expose_header_forbidden",
                    format!("`{name}` can never be read by JavaScript"),
                )
                .hint("remove it"),
            );
        } else if !seen.insert(name) {
            d.warn(Diagnostic::new(
                p,
                "duplicate_entry",
                format!("`{name}` is listed twice"),
            ));
        } else {
            ordered.push(name.to_ascii_lowercase());
        }
    }
    (!ordered.is_empty()).then(|| ordered.join(", ").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recognising browsers' lines whole decides exactly what checking each name decides:
    /// every permutation of every subset of some allowed and some other names, as browsers
    /// write it and with spaces, upper case, duplicates and empty elements.
    #[test]
    fn browser_lines_decide_like_the_full_check() {
        let toml = r#"origins = ["https://a.example"]
                      methods = ["PUT"]
                      request_headers = ["x-b", "Authorization", "content-type"]"#;
        let fast = Policy::from_toml(toml).unwrap();
        let mut full = Policy::from_toml(toml).unwrap();
        full.default.browser_lines = BrowserLines::default();
        let names = ["authorization", "content-type", "x-b", "x-other", "X-B"];
        let mut lines: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = lines
                .iter()
                .flat_map(|l| names.iter().map(move |n| format!("{l},{n}")))
                .collect();
            lines.extend(longer);
        }
        let variants: std::collections::BTreeSet<String> = lines
            .iter()
            .map(|l| l.trim_start_matches(',').to_string())
            .flat_map(|l| [l.replace(',', ", "), format!("{l},"), l.to_uppercase(), l])
            .collect();
        let mut fast_hits = 0;
        for line in &variants {
            let req = Request::new(b"OPTIONS", b"/")
                .header(b"origin", b"https://a.example")
                .header(b"access-control-request-method", b"PUT")
                .header(b"access-control-request-headers", line.as_bytes());
            let (a, b) = (fast.evaluate(&req), full.evaluate(&req));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{line:?}");
            fast_hits += usize::from(fast.default.browser_lines.contains(line.as_bytes()));
        }
        // Every sorted subset of the three allowed names, and nothing else, took the fast path.
        assert_eq!(fast_hits, 7);
    }

    #[test]
    fn route_paths_match_prefixes_on_segment_boundaries() {
        let p = PathPattern::parse("/public/*").unwrap();
        assert!(p.matches(b"/public"));
        assert!(p.matches(b"/public/"));
        assert!(p.matches(b"/public/a/b"));
        assert!(!p.matches(b"/publicity"));
        let all = PathPattern::parse("/*").unwrap();
        assert!(all.matches(b"/anything"));
        assert!(PathPattern::parse("/a/*/b").is_none());
        assert!(PathPattern::parse("api").is_none());
    }

    #[test]
    fn name_set_is_case_insensitive() {
        let mut s = NameSet::default();
        assert!(s.insert("X-Request-ID"));
        assert!(!s.insert("x-request-id"));
        assert!(s.contains(b"X-REQUEST-ID"));
        assert!(!s.contains(b"x-request"));
    }

    #[test]
    fn eq_lowercase_agrees_with_eq_ignore_ascii_case() {
        // Bytes around the letters' edges, and above 0x7f.
        let alphabet = b"@AZ[`az{09-_^~\x80\xc1\xda\xff";
        let mut names: Vec<Vec<u8>> = vec![Vec::new()];
        for len in 1..=17usize {
            for seed in 0..40usize {
                let name = (0..len)
                    .map(|i| alphabet[(seed * 7 + i * (seed + 3)) % alphabet.len()])
                    .collect();
                names.push(name);
            }
        }
        for name in &names {
            for other in &names {
                let lower = other.to_ascii_lowercase();
                assert_eq!(
                    eq_lowercase(name, &lower),
                    name.eq_ignore_ascii_case(&lower),
                    "{name:?} vs {lower:?}"
                );
            }
            let lower = name.to_ascii_lowercase();
            assert!(eq_lowercase(name, &lower), "{name:?}");
            assert!(eq_lowercase(&name.to_ascii_uppercase(), &lower), "{name:?}");
        }
        for b in 0..=255u8 {
            assert_eq!(
                lower_word(u64::from(b)),
                u64::from(b.to_ascii_lowercase()),
                "{b}"
            );
        }
    }

    #[test]
    fn case_insensitive_hash_agrees_with_eq_ignore_ascii_case() {
        let names: [&[u8]; 5] = [
            b"content-type",
            b"X-Request-ID",
            b"a",
            b"",
            b"x-a-very-long-name-0",
        ];
        for name in names {
            let upper = name.to_ascii_uppercase();
            let lower = name.to_ascii_lowercase();
            assert_eq!(case_insensitive_hash(&upper), case_insensitive_hash(&lower));
        }
        let long = b"X-Request-Id-Abcdefghijkl";
        for n in 0..=long.len() {
            let name = &long[..n];
            let lower = name.to_ascii_lowercase();
            assert_eq!(
                case_insensitive_hash(name),
                case_insensitive_hash(&lower),
                "{n}"
            );
            if n > 0 {
                let mut other = lower.clone();
                other[n - 1] ^= 1;
                assert_ne!(
                    case_insensitive_hash(&lower),
                    case_insensitive_hash(&other),
                    "{n}"
                );
            }
        }
        assert_ne!(case_insensitive_hash(b"x-a"), case_insensitive_hash(b"x-b"));
        assert_ne!(case_insensitive_hash(b"x"), case_insensitive_hash(b"x\0"));
    }
}
