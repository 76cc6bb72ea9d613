//! The `express` profile: answers exactly as the `cors` npm package (2.8.5) does, so a
//! drop-in middleware can replace it without changing a single response.
//!
//! The package's behaviour, which this module reproduces (and which docs/node.md lists):
//! - any request whose method upper-cases to `OPTIONS` is a preflight (with or without
//!   `Origin` and `Access-Control-Request-Method`); every other request is an actual request;
//! - a preflight gets, in this order: `Access-Control-Allow-Origin`, `Vary: Origin`,
//!   `Access-Control-Allow-Credentials`, `Access-Control-Allow-Methods`,
//!   `Vary: Access-Control-Request-Headers` (when reflecting), `Access-Control-Allow-Headers`,
//!   `Access-Control-Max-Age`, `Access-Control-Expose-Headers`; then, unless
//!   `preflightContinue`, the status `optionsSuccessStatus` and `Content-Length: 0`;
//! - an actual request gets `Access-Control-Allow-Origin`, `Vary: Origin`,
//!   `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers`;
//! - a header whose value would be empty is not set; lists are joined with `,`;
//! - `Vary` is merged into the response's own `Vary` the way the `vary` package does it
//!   (case-insensitive de-duplication, `*` absorbs everything), and written where the first
//!   `Vary` of the sequence stands.
//!
//! What the profile does not do is run JavaScript: a RegExp, an array or a function given as
//! `origin` is evaluated by the binding, which hands the result over as an [`OriginAnswer`].

use crate::decision::Kind;
use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::header::names;
use crate::lint;
use std::borrow::Cow;

/// The `methods` default of the `cors` package.
pub const DEFAULT_METHODS: &str = "GET,HEAD,PUT,PATCH,POST,DELETE";

/// The `origin` option of the `cors` package, as the binding classified its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpressOrigin {
    /// `'*'` (the default): `Access-Control-Allow-Origin: *`, no `Vary`.
    Any,
    /// Any other string: sent as `Access-Control-Allow-Origin` whatever the request's origin,
    /// with `Vary: Origin`.
    Fixed(String),
    /// `true` (or any other truthy value that is not a string, RegExp, array or function):
    /// the request's origin is reflected, with `Vary: Origin`.
    Reflect,
    /// `false` (or any other falsy value): no CORS headers at all.
    Disabled,
    /// A RegExp, an array or a function: the binding supplies an [`OriginAnswer`] for each
    /// request (without one, the origin counts as not allowed).
    Dynamic,
}

/// A list option (`methods`, `allowedHeaders`, `exposedHeaders`): a string used as written,
/// or an array joined with `,`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListOption {
    /// A string, sent as is.
    Text(String),
    /// An array of strings, joined with `,` (no space), as `Array.prototype.join` does.
    List(Vec<String>),
}

impl ListOption {
    fn joined(&self) -> String {
        match self {
            ListOption::Text(s) => s.clone(),
            ListOption::List(items) => items.join(","),
        }
    }
}

/// The options of the `cors` package, after the binding has read the JavaScript values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpressConfig {
    /// `origin`.
    pub origin: ExpressOrigin,
    /// The source of every RegExp found in `origin` (alone or in an array), with its path
    /// (`origin`, `origin[2]`): linted for the mistakes that let other sites in.
    pub origin_regexes: Vec<(String, String)>,
    /// `methods`; `None` when the option is present but `null`/`undefined` (the `cors`
    /// package then throws on every preflight, so compiling reports an error). An empty text
    /// sends no header.
    pub methods: Option<ListOption>,
    /// `allowedHeaders` (or its alias `headers`); `None` reflects the request's
    /// `Access-Control-Request-Headers` and adds `Vary: Access-Control-Request-Headers`.
    pub allowed_headers: Option<ListOption>,
    /// `exposedHeaders`; `None` sends no header.
    pub exposed_headers: Option<ListOption>,
    /// `credentials === true`.
    pub credentials: bool,
    /// `maxAge` as JavaScript converts it to a string (`0` included); `None` sends no header.
    pub max_age: Option<String>,
    /// `preflightContinue`: hand preflights to the next handler instead of answering them.
    pub preflight_continue: bool,
    /// `optionsSuccessStatus`; `None` when it is not a number.
    pub options_success_status: Option<i64>,
}

impl Default for ExpressConfig {
    /// The defaults of the `cors` package: any origin, the six methods, status 204.
    fn default() -> Self {
        ExpressConfig {
            origin: ExpressOrigin::Any,
            origin_regexes: Vec::new(),
            methods: Some(ListOption::Text(DEFAULT_METHODS.to_string())),
            allowed_headers: None,
            exposed_headers: None,
            credentials: false,
            max_age: None,
            preflight_continue: false,
            options_success_status: Some(204),
        }
    }
}

/// A compiled `cors`-style configuration: every header value that does not depend on the
/// request is joined once. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct ExpressPolicy {
    origin: ExpressOrigin,
    credentials: bool,
    methods: Box<str>,
    /// `None`: reflect the request's `Access-Control-Request-Headers`.
    allowed_headers: Option<Box<str>>,
    exposed_headers: Box<str>,
    max_age: Box<str>,
    preflight_continue: bool,
    status: u16,
    warnings: Vec<Diagnostic>,
}

/// What the binding found out about the request's origin, for [`ExpressOrigin::Dynamic`]
/// (or to override the configured origin for one request, as an origin function does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginAnswer<'a> {
    /// A RegExp, an array or a non-string value said allowed (`true`: reflect the request's
    /// origin) or not (`false`: no `Access-Control-Allow-Origin`, `Vary: Origin` still sent).
    Verdict(bool),
    /// An origin function answered a string: `*` allows any origin, anything else is sent as
    /// the fixed `Access-Control-Allow-Origin`; an empty string disables CORS.
    Value(&'a str),
}

/// The request and response data the `cors` package reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExpressRequest<'a> {
    method: &'a str,
    origin: Option<&'a str>,
    request_headers: Option<&'a str>,
    vary: &'a str,
    answer: Option<OriginAnswer<'a>>,
}

impl<'a> ExpressRequest<'a> {
    /// A request with this method (`req.method`; empty when it is not a string).
    pub fn new(method: &'a str) -> Self {
        ExpressRequest {
            method,
            ..Default::default()
        }
    }

    /// `req.headers.origin`.
    pub fn origin(mut self, origin: Option<&'a str>) -> Self {
        self.origin = origin;
        self
    }

    /// `req.headers['access-control-request-headers']`.
    pub fn request_headers(mut self, value: Option<&'a str>) -> Self {
        self.request_headers = value;
        self
    }

    /// The response's `Vary` as the `vary` package reads it (`''` when there is none; an
    /// array joined with `, `).
    pub fn vary(mut self, existing: &'a str) -> Self {
        self.vary = existing;
        self
    }

    /// The binding's answer about the origin (see [`OriginAnswer`]).
    pub fn answer(mut self, answer: OriginAnswer<'a>) -> Self {
        self.answer = Some(answer);
        self
    }
}

/// The most headers one answer carries: ACAO, Vary, ACAC, ACAM, ACAH, ACMA, ACEH,
/// Content-Length.
const MAX_EXPRESS_HEADERS: usize = 8;

/// What to do with the response: the headers to set in order (`Vary` holding the merged
/// value, at the position its first `Vary` takes in the `cors` package's sequence), and the
/// status when the middleware answers a preflight itself.
#[derive(Clone, Debug)]
pub struct ExpressDecision<'a> {
    kind: Kind,
    status: Option<u16>,
    headers: [(&'static str, Cow<'a, str>); MAX_EXPRESS_HEADERS],
    count: usize,
}

impl<'a> ExpressDecision<'a> {
    fn push(&mut self, name: &'static str, value: Cow<'a, str>) {
        if value.is_empty() {
            return; // `cors` sets a header only when its value is truthy
        }
        if let Some(slot) = self.headers.get_mut(self.count) {
            *slot = (name, value);
            self.count += 1;
        }
    }

    /// [`Kind::Preflight`] for any `OPTIONS` request (in any case), [`Kind::Actual`] else.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The status to answer with (then end the response with no body), or `None` to call the
    /// next handler.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The headers to set, in order, `Vary` and `Content-Length` included. A `Vary` here
    /// replaces the response's `Vary` (its value already contains the old one).
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'static str, &str)> + '_ {
        self.headers[..self.count]
            .iter()
            .map(|(n, v)| (*n, v.as_ref()))
    }
}

/// `Vary` field names the profile appends.
const VARY: &str = "Vary";
const VARY_ORIGIN: &str = "Origin";
const VARY_REQUEST_HEADERS: &str = "Access-Control-Request-Headers";

/// The `Access-Control-Allow-Origin` to send, after the origin option and the answer.
enum Acao<'a> {
    Any,
    Fixed(&'a str),
    Reflect(bool),
}

impl ExpressPolicy {
    /// Compiles `config`; errors for the values the `cors` package would throw on at request
    /// time. Lint warnings (risky but working options) are in [`ExpressPolicy::warnings`].
    pub fn compile(config: &ExpressConfig) -> Result<ExpressPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        let methods = match &config.methods {
            Some(m) => m.joined(),
            None => {
                d.error(
                    Diagnostic::new(
                        "methods",
                        DiagnosticCode::InvalidType,
                        "methods is null or undefined: the cors package throws a TypeError on every preflight",
                    )
                    .hint(format!("leave it out for the default \"{DEFAULT_METHODS}\"")),
                );
                String::new()
            }
        };
        let status = match config.options_success_status {
            Some(s @ 100..=999) => s as u16,
            other => {
                let shown = other.map_or_else(|| "not an integer".to_string(), |s| s.to_string());
                d.error(
                    Diagnostic::new(
                        "optionsSuccessStatus",
                        DiagnosticCode::InvalidStatus,
                        format!("optionsSuccessStatus is {shown}: Node.js refuses a status outside 100..=999"),
                    )
                    .hint("use 204 (the default) or 200 for old browsers"),
                );
                204
            }
        };
        lint(config, &mut d);
        if !d.errors.is_empty() {
            return Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            });
        }
        Ok(ExpressPolicy {
            origin: config.origin.clone(),
            credentials: config.credentials,
            methods: methods.into(),
            allowed_headers: config.allowed_headers.as_ref().map(|h| h.joined().into()),
            exposed_headers: config
                .exposed_headers
                .as_ref()
                .map(ListOption::joined)
                .unwrap_or_default()
                .into(),
            max_age: config.max_age.clone().unwrap_or_default().into(),
            preflight_continue: config.preflight_continue,
            status,
            warnings: d.warnings,
        })
    }

    /// Security warnings: options that work as in the `cors` package but let other sites in.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether the answer depends on a per-request [`OriginAnswer`].
    pub fn is_dynamic(&self) -> bool {
        self.origin == ExpressOrigin::Dynamic
    }

    /// Decides what the `cors` package would do with `req`.
    pub fn evaluate<'a>(&'a self, req: &ExpressRequest<'a>) -> ExpressDecision<'a> {
        let kind = if is_options(req.method) {
            Kind::Preflight
        } else {
            Kind::Actual
        };
        let mut d = ExpressDecision {
            kind,
            status: None,
            headers: Default::default(),
            count: 0,
        };
        let acao = match (req.answer, &self.origin) {
            (Some(OriginAnswer::Value("")), _) | (None, ExpressOrigin::Disabled) => return d,
            (Some(OriginAnswer::Value("*")), _) | (None, ExpressOrigin::Any) => Acao::Any,
            (Some(OriginAnswer::Value(v)), _) => Acao::Fixed(v),
            (None, ExpressOrigin::Fixed(v)) => Acao::Fixed(v),
            (Some(OriginAnswer::Verdict(b)), _) => Acao::Reflect(b),
            (None, ExpressOrigin::Reflect) => Acao::Reflect(true),
            (None, ExpressOrigin::Dynamic) => Acao::Reflect(false),
        };
        let mut vary: [&str; 2] = [""; 2];
        let mut vary_count = 0;
        let mut vary_at = None;
        let mut add_vary = |d: &mut ExpressDecision<'a>, field: &'static str| {
            if vary_at.is_none() {
                vary_at = Some(d.count);
                d.push(VARY, Cow::Borrowed(VARY));
            }
            if let Some(slot) = vary.get_mut(vary_count) {
                *slot = field;
                vary_count += 1;
            }
        };
        match acao {
            Acao::Any => d.push(names::ALLOW_ORIGIN, Cow::Borrowed("*")),
            Acao::Fixed(v) => {
                d.push(names::ALLOW_ORIGIN, Cow::Borrowed(v));
                add_vary(&mut d, VARY_ORIGIN);
            }
            Acao::Reflect(allowed) => {
                if allowed {
                    d.push(names::ALLOW_ORIGIN, Cow::Borrowed(req.origin.unwrap_or("")));
                }
                add_vary(&mut d, VARY_ORIGIN);
            }
        }
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, Cow::Borrowed("true"));
        }
        if kind == Kind::Preflight {
            d.push(names::ALLOW_METHODS, Cow::Borrowed(&self.methods));
            match &self.allowed_headers {
                Some(h) => d.push(names::ALLOW_HEADERS, Cow::Borrowed(h)),
                None => {
                    add_vary(&mut d, VARY_REQUEST_HEADERS);
                    let reflected = req.request_headers.unwrap_or("");
                    d.push(names::ALLOW_HEADERS, Cow::Borrowed(reflected));
                }
            }
            d.push(names::MAX_AGE, Cow::Borrowed(&self.max_age));
        }
        d.push(names::EXPOSE_HEADERS, Cow::Borrowed(&self.exposed_headers));
        if kind == Kind::Preflight && !self.preflight_continue {
            d.status = Some(self.status);
            d.push("Content-Length", Cow::Borrowed("0"));
        }
        if let Some(at) = vary_at {
            let merged = append_vary(req.vary, &vary[..vary_count]);
            if let Some(slot) = d.headers.get_mut(at) {
                slot.1 = merged;
            }
        }
        d
    }
}

/// `method.toUpperCase() === 'OPTIONS'`, with JavaScript's (Unicode) upper-casing.
fn is_options(method: &str) -> bool {
    if method.is_ascii() {
        method.eq_ignore_ascii_case("OPTIONS")
    } else {
        // `ı` and `ſ` upper-case to `I` and `S`, as in JavaScript.
        method.len() <= 4 * "OPTIONS".len() && method.to_uppercase() == "OPTIONS"
    }
}

/// Appends `fields` to an existing `Vary` value the way the `vary` npm package does: the
/// existing value is kept as written, each field is added (`, `-separated) unless already
/// listed in any case, and a `*` on either side makes the result `*`.
pub fn append_vary<'a>(existing: &'a str, fields: &[&str]) -> Cow<'a, str> {
    if existing == "*" {
        return Cow::Borrowed(existing);
    }
    let listed = |field: &str| vary_elements(existing).any(|e| same_field(e, field));
    if fields.contains(&"*") || vary_elements(existing).any(|e| e == "*") {
        return Cow::Borrowed("*");
    }
    let mut out = Cow::Borrowed(existing);
    for (i, field) in fields.iter().enumerate() {
        // Fields earlier in `fields` count as listed too.
        if listed(field) || fields[..i].iter().any(|f| same_field(f, field)) {
            continue;
        }
        let s = out.to_mut();
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(field);
    }
    out
}

/// Field names compared as the `vary` package does: both lower-cased (Unicode, as
/// JavaScript's `toLowerCase`; `\u{212A}` KELVIN SIGN becomes `k`).
fn same_field(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// The elements of a `Vary` value as the `vary` package's parser sees them: split on `,`,
/// leading and trailing spaces removed (a space inside an element stays).
fn vary_elements(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(|e| e.trim_matches(' '))
}

fn lint(config: &ExpressConfig, d: &mut Diagnostics) {
    if let Some(headers) = &config.allowed_headers {
        let names: Vec<String> = headers
            .joined()
            .split(',')
            .map(|n| n.trim_matches([' ', '\t']).to_ascii_lowercase())
            .collect();
        if names.iter().any(|n| n == "*") && !names.iter().any(|n| n == "authorization") {
            d.warn(
                Diagnostic::new(
                    "allowedHeaders",
                    DiagnosticCode::WildcardHeadersWithoutAuthorization,
                    format!(
                        "allowedHeaders '*' answers `Access-Control-Allow-Headers: *`: {}",
                        crate::browser::WILDCARD_AUTHORIZATION_BREAKS
                    ),
                )
                .hint("name it next to the wildcard: allowedHeaders: ['*', 'Authorization']"),
            );
        }
    }
    if config.credentials {
        match config.origin {
            ExpressOrigin::Any => d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::WildcardOriginWithCredentials,
                    "credentials: true with origin '*': browsers reject every credentialed response, and allowing any origin with credentials would be unsafe",
                )
                .hint("list the origins that may send credentials: origin: ['https://app.example.com']"),
            ),
            ExpressOrigin::Reflect => d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::CredentialsWithReflectedOrigin,
                    "credentials: true with origin: true reflects every origin: any website can make authenticated requests and read the answers",
                )
                .hint("list the origins that may send credentials: origin: ['https://app.example.com']"),
            ),
            _ => {}
        }
    }
    lint_js_regexes("the cors package", &config.origin_regexes, d);
}

/// The RegExp origins' lint of the Node drop-ins: `regex_unanchored` (`peer` tests them
/// anywhere in the origin) and `regex_unescaped_dot`, each at its path.
pub(crate) fn lint_js_regexes(peer: &str, regexes: &[(String, String)], d: &mut Diagnostics) {
    for (path, source) in regexes {
        let starts = source.starts_with('^');
        let ends = source.ends_with('$') && !source.ends_with("\\$");
        if !starts || !ends {
            d.warn(
                Diagnostic::new(
                    path.clone(),
                    DiagnosticCode::RegexUnanchored,
                    format!(
                        "/{source}/ is not anchored at {}: {peer} tests it anywhere in the origin, so {} matches too",
                        match (starts, ends) {
                            (false, false) => "either end",
                            (false, true) => "the start",
                            _ => "the end",
                        },
                        if starts { "https://example.com.evil.net" } else { "https://evil-example.com" },
                    ),
                )
                .hint(anchored_hint(source)),
            );
        }
        if let Some(w) = lint::unescaped_dot(path.clone(), source, &format!("/{source}/")) {
            d.warn(w);
        }
    }
}

/// `anchor it: /^https:\/\/example\.com$/` for `/example\.com$/`.
fn anchored_hint(source: &str) -> String {
    let body = source.strip_prefix('^').unwrap_or(source);
    let body = body.strip_suffix('$').unwrap_or(body);
    let scheme = if body.contains(":\\/\\/") || body.contains("://") {
        ""
    } else {
        "https:\\/\\/"
    };
    format!("anchor it at both ends, scheme included: /^{scheme}{body}$/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(d: &ExpressDecision<'_>) -> Vec<(String, String)> {
        d.headers()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn default_preflight_is_wildcard_with_reflected_headers() {
        let p = ExpressPolicy::compile(&ExpressConfig::default()).unwrap();
        let req = ExpressRequest::new("options")
            .origin(Some("https://a.example"))
            .request_headers(Some("x-a,x-b"));
        let d = p.evaluate(&req);
        assert_eq!(d.kind(), Kind::Preflight);
        assert_eq!(d.status(), Some(204));
        assert_eq!(
            headers(&d),
            pairs(&[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", DEFAULT_METHODS),
                ("Vary", "Access-Control-Request-Headers"),
                ("Access-Control-Allow-Headers", "x-a,x-b"),
                ("Content-Length", "0"),
            ])
        );
    }

    #[test]
    fn wildcard_allowed_headers_without_authorization_warn_with_the_browsers() {
        let warned = |list: &[&str]| {
            let config = ExpressConfig {
                allowed_headers: Some(ListOption::List(
                    list.iter().map(|s| s.to_string()).collect(),
                )),
                ..Default::default()
            };
            let p = ExpressPolicy::compile(&config).unwrap();
            p.warnings()
                .iter()
                .find(|w| w.code == "wildcard_headers_without_authorization")
                .map(|w| w.message.clone())
        };
        let message = warned(&["*"]).unwrap();
        assert!(
            message.contains("Fetch standard") && message.contains("Firefox"),
            "{message}"
        );
        assert_eq!(warned(&["*", "Authorization"]), None);
        assert_eq!(warned(&["content-type"]), None);
    }

    #[test]
    fn reflected_origin_merges_vary_at_its_first_position() {
        let config = ExpressConfig {
            origin: ExpressOrigin::Reflect,
            credentials: true,
            max_age: Some("0".into()),
            ..Default::default()
        };
        let p = ExpressPolicy::compile(&config).unwrap();
        assert_eq!(p.warnings()[0].code, "credentials_with_reflected_origin");
        let req = ExpressRequest::new("OPTIONS")
            .origin(Some("https://a.example"))
            .vary("accept-encoding, origin");
        let d = p.evaluate(&req);
        assert_eq!(
            headers(&d),
            pairs(&[
                ("Access-Control-Allow-Origin", "https://a.example"),
                (
                    "Vary",
                    "accept-encoding, origin, Access-Control-Request-Headers"
                ),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", DEFAULT_METHODS),
                ("Access-Control-Max-Age", "0"),
                ("Content-Length", "0"),
            ])
        );
    }

    #[test]
    fn denied_verdict_keeps_vary_and_disabled_sets_nothing() {
        let config = ExpressConfig {
            origin: ExpressOrigin::Dynamic,
            exposed_headers: Some(ListOption::List(vec!["x-a".into(), "x-b".into()])),
            ..Default::default()
        };
        let p = ExpressPolicy::compile(&config).unwrap();
        let req = ExpressRequest::new("GET")
            .origin(Some("https://b.example"))
            .answer(OriginAnswer::Verdict(false));
        assert_eq!(
            headers(&p.evaluate(&req)),
            pairs(&[
                ("Vary", "Origin"),
                ("Access-Control-Expose-Headers", "x-a,x-b")
            ])
        );
        let off = req.answer(OriginAnswer::Value(""));
        assert_eq!(p.evaluate(&off).count, 0);
    }

    #[test]
    fn vary_append_follows_the_vary_package() {
        assert_eq!(append_vary("", &["Origin"]), "Origin");
        assert_eq!(append_vary("Accept", &["Origin"]), "Accept, Origin");
        assert_eq!(append_vary("ORIGIN", &["Origin"]), "ORIGIN");
        assert_eq!(append_vary(" origin ,x", &["Origin"]), " origin ,x");
        assert_eq!(append_vary("*", &["Origin"]), "*");
        assert_eq!(append_vary("a, *", &["Origin"]), "*");
        assert_eq!(append_vary("\torigin", &["Origin"]), "\torigin, Origin");
        assert_eq!(append_vary("\u{212A}", &["k"]), "\u{212A}");
        assert_eq!(
            append_vary("", &["Origin", "Access-Control-Request-Headers"]),
            "Origin, Access-Control-Request-Headers"
        );
    }

    #[test]
    fn options_is_matched_with_javascript_upper_casing() {
        assert!(is_options("options"));
        assert!(!is_options("OPTİONS"));
        assert!(is_options("optıons"));
        assert!(!is_options("OPTION"));
    }

    #[test]
    fn request_time_crashes_of_cors_are_config_errors() {
        let config = ExpressConfig {
            methods: None,
            options_success_status: Some(1000),
            ..Default::default()
        };
        let err = ExpressPolicy::compile(&config).unwrap_err();
        let codes: Vec<_> = err.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, ["invalid_type", "invalid_status"]);
    }

    #[test]
    fn unanchored_regexes_are_flagged() {
        let config = ExpressConfig {
            origin: ExpressOrigin::Dynamic,
            origin_regexes: vec![
                ("origin[0]".into(), r"example\.com$".into()),
                ("origin[1]".into(), r"^https://a\.example\.com$".into()),
                ("origin[2]".into(), r"^https://b.example\.com$".into()),
            ],
            ..Default::default()
        };
        let p = ExpressPolicy::compile(&config).unwrap();
        let found: Vec<_> = p
            .warnings()
            .iter()
            .map(|w| (w.path.as_str(), w.code))
            .collect();
        assert_eq!(
            p.warnings()[0].hint.as_deref(),
            Some(r"anchor it at both ends, scheme included: /^https:\/\/example\.com$/")
        );
        assert_eq!(
            found,
            [
                ("origin[0]", "regex_unanchored"),
                ("origin[2]", "regex_unescaped_dot")
            ]
        );
    }
}
