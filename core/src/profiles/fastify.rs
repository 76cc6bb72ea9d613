//! The `fastify` profile: answers exactly as the `@fastify/cors` plugin (11.x) does, so a
//! drop-in plugin can replace it without changing a single response.
//!
//! The plugin's behaviour, which this module reproduces (and which docs/node.md lists):
//! - `Vary: Origin` comes first whenever the origin option is not a string and not `false`
//!   (or the options came from a delegator), whatever the origin's verdict;
//! - then `Access-Control-Allow-Origin` (when the resolved origin allows one),
//!   `Access-Control-Allow-Credentials`, `Access-Control-Expose-Headers`;
//! - a preflight is a request whose method is exactly `OPTIONS` while `preflight` is on. Under
//!   `strictPreflight`, one without a truthy `Origin` or `Access-Control-Request-Method` is
//!   answered `400 Invalid Preflight Request` (text/plain), keeping the headers above. Else it
//!   gets `Access-Control-Allow-Methods`, `Vary: Access-Control-Request-Headers` plus the
//!   reflected request headers (when `allowedHeaders` is not set) or
//!   `Access-Control-Allow-Headers`, `Access-Control-Max-Age`, `Cache-Control`, and, unless
//!   `preflightContinue`, the status `optionsSuccessStatus` with `Content-Length: 0`;
//! - lists are joined with `, `; a set option is sent even when its value is empty;
//! - `Vary` is merged into the reply's own `Vary` as the plugin's `vary.js` does it.
//!
//! The profile never sees the request's strings. It gets facts (is the method `OPTIONS`, is
//! there a truthy `Origin`, …) and what the binding found out about the origin option (a
//! RegExp's verdict, a function's answer), and answers with values that are either text or a
//! reference to one of the request's strings ([`FastifyValue`]). So an answer depends on
//! exactly the inputs [`FastifyRequest`] holds, and a binding may remember it by them.

use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::header::names;
use crate::profiles::express::lint_js_regexes;
use std::borrow::Cow;

/// The `methods` default of `@fastify/cors`.
pub const DEFAULT_METHODS: &str = "GET,HEAD,POST";

/// The hooks `@fastify/cors` accepts for its `hook` option.
pub const HOOKS: [&str; 5] = [
    "onRequest",
    "preParsing",
    "preValidation",
    "preHandler",
    "preSerialization",
];

/// The error `@fastify/cors` gives registration for a `hook` it does not know (a TypeError).
pub const INVALID_HOOK: &str = "@fastify/cors: Invalid hook option provided.";

/// The error a request gets when the origin option resolves to a falsy value other than
/// `false` (Fastify answers it 500).
pub const INVALID_ORIGIN: &str = "Invalid CORS origin option";

/// The body of a preflight refused by `strictPreflight` (status 400, `text/plain`).
pub const INVALID_PREFLIGHT: &str = "Invalid Preflight Request";

/// A list option (`methods`, `allowedHeaders`, `exposedHeaders`): text sent as written, or
/// an array's elements (as strings) joined with `, `.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListOption {
    /// A non-array value, as JavaScript converts it to a string (`undefined` is `''`).
    Text(String),
    /// An array's elements as `Array.prototype.join` converts them.
    List(Vec<String>),
}

impl ListOption {
    fn joined(&self) -> String {
        match self {
            ListOption::Text(s) => s.clone(),
            ListOption::List(items) => items.join(", "),
        }
    }
}

/// The type of the (merged) `origin` option, which decides whether `Vary: Origin` is sent
/// before the origin is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginType {
    /// A string (`'*'` included, or an array containing `'*'` that the plugin normalised).
    String,
    /// `false`.
    False,
    /// Anything else: `true`, a RegExp, an array, a function, a falsy value.
    Other,
}

/// The options of `@fastify/cors` after the binding read the JavaScript values (defaults and
/// route-level `config.cors` merged as the plugin merges them).
#[derive(Clone, Debug, PartialEq)]
pub struct FastifyConfig {
    /// The type of `origin`.
    pub origin: OriginType,
    /// The source of every RegExp in `origin` with its path (`origin`, `origin[1]`), for the
    /// lint.
    pub origin_regexes: Vec<(String, String)>,
    /// `origin` reflects every origin (`true`), for the lint.
    pub origin_reflects: bool,
    /// `origin` is the string `'*'` (or an array containing it), for the lint.
    pub origin_any: bool,
    /// The options came from a delegator: `Vary: Origin` always.
    pub dynamic: bool,
    /// `!!credentials`.
    pub credentials: bool,
    /// `methods` (sent as given, even when empty).
    pub methods: ListOption,
    /// `allowedHeaders`; `None` (`null`) reflects the request's header list.
    pub allowed_headers: Option<ListOption>,
    /// `exposedHeaders`; `None` (`null`) sends no header.
    pub exposed_headers: Option<ListOption>,
    /// `String(maxAge)`; `None` (`null`) sends no header.
    pub max_age: Option<String>,
    /// `cacheControl`: the header's text (`None`: no header).
    pub cache_control: Option<CacheControl>,
    /// `!!preflightContinue`.
    pub preflight_continue: bool,
    /// `+optionsSuccessStatus` (the plugin hands it to `reply.code`).
    pub options_success_status: f64,
    /// `preflight === true`.
    pub preflight: bool,
    /// `strictPreflight === true`.
    pub strict_preflight: bool,
    /// `hook`.
    pub hook: String,
}

/// The `cacheControl` option as the plugin normalises it.
#[derive(Clone, Debug, PartialEq)]
pub enum CacheControl {
    /// An integer number of seconds: `max-age=<n>`.
    MaxAge(f64),
    /// Text sent as is (an empty text sends nothing).
    Text(String),
}

impl Default for FastifyConfig {
    /// The defaults of `@fastify/cors`: origin `'*'`, three methods, status 204.
    fn default() -> Self {
        FastifyConfig {
            origin: OriginType::String,
            origin_regexes: Vec::new(),
            origin_reflects: false,
            origin_any: true,
            dynamic: false,
            credentials: false,
            methods: ListOption::Text(DEFAULT_METHODS.to_string()),
            allowed_headers: None,
            exposed_headers: None,
            max_age: None,
            cache_control: None,
            preflight_continue: false,
            options_success_status: 204.0,
            preflight: true,
            strict_preflight: true,
            hook: "onRequest".to_string(),
        }
    }
}

/// What the binding found out about the resolved origin option for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginAnswer {
    /// An origin function failed (its callback got an error, or its promise rejected).
    Failed,
    /// `false`: CORS is off for this request.
    Skip,
    /// Another falsy value: the request fails with [`INVALID_ORIGIN`].
    Invalid,
    /// A non-empty string: sent as `Access-Control-Allow-Origin` ([`FastifyValue::Answer`]).
    Text,
    /// An array containing `'*'`: `Access-Control-Allow-Origin: *`.
    Star,
    /// Anything else was tested against the request's origin (a RegExp, an array, `true`).
    Verdict(bool),
}

/// The request facts the plugin reads.
#[derive(Clone, Copy, Debug)]
pub struct FastifyRequest<'a> {
    /// `req.raw.method === 'OPTIONS'`.
    pub options: bool,
    /// `req.headers.origin` is truthy.
    pub origin: bool,
    /// `req.headers['access-control-request-method']` is truthy.
    pub request_method: bool,
    /// `req.headers['access-control-request-headers'] !== undefined`.
    pub request_headers: bool,
    /// The reply's `Vary` (an array joined with `, `), `None` when falsy.
    pub vary: Option<&'a str>,
    /// The resolved origin option.
    pub answer: OriginAnswer,
}

/// A header value: text, or one of the request's strings, which the binding fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FastifyValue<'a> {
    /// Text to send.
    Text(Cow<'a, str>),
    /// The request's `Origin`.
    Origin,
    /// The request's `Access-Control-Request-Headers`.
    RequestHeaders,
    /// The string the origin option resolved to.
    Answer,
}

/// What the hook does after setting the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FastifyAction {
    /// Call the hook's `next()`.
    Next,
    /// Mark the request as an enabled preflight (`req.corsPreflightEnabled = true`), then
    /// call `next()` (the plugin's `OPTIONS *` route then answers it).
    NextPreflight,
    /// Mark the request as an enabled preflight and answer: `reply.code(status).send()`.
    Answer(u16),
    /// Answer `reply.code(400).send(INVALID_PREFLIGHT)` (its `Content-Type: text/plain` is
    /// among the headers).
    BadPreflight,
    /// `next(new Error(INVALID_ORIGIN))`.
    InvalidOrigin,
    /// `next(error)` with the origin function's error.
    Fail,
}

/// The most headers one answer carries: Vary, ACAO, ACAC, ACEH, ACAM, ACAH, ACMA,
/// Cache-Control, Content-Length (or Vary, ACAO, ACAC, ACEH, Content-Type).
const MAX_FASTIFY_HEADERS: usize = 9;

/// The headers to set with `reply.header`, in order, and what to do then.
#[derive(Clone, Debug)]
pub struct FastifyDecision<'a> {
    action: FastifyAction,
    headers: [(&'static str, FastifyValue<'a>); MAX_FASTIFY_HEADERS],
    count: usize,
}

impl<'a> FastifyDecision<'a> {
    fn push(&mut self, name: &'static str, value: FastifyValue<'a>) {
        if let Some(slot) = self.headers.get_mut(self.count) {
            *slot = (name, value);
            self.count += 1;
        }
    }

    /// What to do after setting the headers.
    pub fn action(&self) -> FastifyAction {
        self.action
    }

    /// The headers to set, in order. A `Vary` here replaces the reply's `Vary` (its value
    /// contains the old one).
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'static str, &FastifyValue<'a>)> {
        self.headers[..self.count].iter().map(|(n, v)| (*n, v))
    }
}

impl Default for FastifyValue<'_> {
    fn default() -> Self {
        FastifyValue::Text(Cow::Borrowed(""))
    }
}

/// A compiled `@fastify/cors` configuration. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct FastifyPolicy {
    vary_origin: bool,
    credentials: bool,
    methods: Box<str>,
    allowed_headers: Option<Box<str>>,
    exposed_headers: Option<Box<str>>,
    max_age: Option<Box<str>>,
    cache_control: Box<str>,
    preflight_continue: bool,
    status: u16,
    preflight: bool,
    strict_preflight: bool,
    warnings: Vec<Diagnostic>,
}

/// The `Vary` field names the plugin adds.
const VARY_ORIGIN: &str = "Origin";
const VARY_REQUEST_HEADERS: &str = "Access-Control-Request-Headers";

impl FastifyPolicy {
    /// Compiles `config`. Errors: an unknown `hook` (the plugin's registration error, worded
    /// as [`INVALID_HOOK`]), and the values the plugin would throw on at request time.
    pub fn compile(config: &FastifyConfig) -> Result<FastifyPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        if !HOOKS.contains(&config.hook.as_str()) {
            d.error(
                Diagnostic::new("hook", DiagnosticCode::InvalidHook, INVALID_HOOK)
                    .hint(format!("one of {}", HOOKS.join(", "))),
            );
        }
        let s = config.options_success_status;
        let status = if (100.0..=599.0).contains(&s) && s.fract() == 0.0 {
            s as u16
        } else {
            d.error(
                Diagnostic::new(
                    "optionsSuccessStatus",
                    DiagnosticCode::InvalidStatus,
                    format!("optionsSuccessStatus is {s}: Fastify's reply.code throws FST_ERR_BAD_STATUS_CODE outside 100..=599, on every preflight"),
                )
                .hint("use 204 (the default) or 200 for old browsers"),
            );
            204
        };
        let cache_control = match &config.cache_control {
            None => String::new(),
            Some(CacheControl::Text(t)) => t.clone(),
            Some(CacheControl::MaxAge(n)) if n.abs() < 1e21 => format!("max-age={}", *n as i128),
            Some(CacheControl::MaxAge(n)) => {
                d.error(
                    Diagnostic::new(
                        "cacheControl",
                        DiagnosticCode::InvalidType,
                        format!("cacheControl is {n}: JavaScript writes it with an exponent"),
                    )
                    .hint("a number of seconds below 1e21, or the header's text"),
                );
                String::new()
            }
        };
        lint(config, &mut d);
        if !d.errors.is_empty() {
            return Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            });
        }
        Ok(FastifyPolicy {
            vary_origin: config.origin == OriginType::Other || config.dynamic,
            credentials: config.credentials,
            methods: config.methods.joined().into(),
            allowed_headers: config.allowed_headers.as_ref().map(|h| h.joined().into()),
            exposed_headers: config.exposed_headers.as_ref().map(|h| h.joined().into()),
            max_age: config.max_age.as_deref().map(Into::into),
            cache_control: cache_control.into(),
            preflight_continue: config.preflight_continue,
            status,
            preflight: config.preflight,
            strict_preflight: config.strict_preflight,
            warnings: d.warnings,
        })
    }

    /// Security warnings: options that work as in `@fastify/cors` but let other sites in.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides what `@fastify/cors` would do with `req`.
    pub fn evaluate<'a>(&'a self, req: &FastifyRequest<'a>) -> FastifyDecision<'a> {
        let mut d = FastifyDecision {
            action: FastifyAction::Next,
            headers: Default::default(),
            count: 0,
        };
        let mut vary = VaryMerge::new(req.vary);
        if self.vary_origin {
            vary.add(&mut d, VARY_ORIGIN);
        }
        let acao = match req.answer {
            OriginAnswer::Failed => {
                d.action = FastifyAction::Fail;
                return vary.finish(d);
            }
            OriginAnswer::Skip => return vary.finish(d),
            OriginAnswer::Invalid => {
                d.action = FastifyAction::InvalidOrigin;
                return vary.finish(d);
            }
            OriginAnswer::Text => Some(FastifyValue::Answer),
            OriginAnswer::Star => Some(FastifyValue::Text(Cow::Borrowed("*"))),
            OriginAnswer::Verdict(allowed) => {
                (allowed && req.origin).then_some(FastifyValue::Origin)
            }
        };
        if let Some(v) = acao {
            d.push(names::ALLOW_ORIGIN, v);
        }
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, text("true"));
        }
        if let Some(h) = &self.exposed_headers {
            d.push(names::EXPOSE_HEADERS, text(h));
        }
        if !(req.options && self.preflight) {
            return vary.finish(d);
        }
        if self.strict_preflight && !(req.origin && req.request_method) {
            d.action = FastifyAction::BadPreflight;
            d.push("Content-Type", text("text/plain"));
            return vary.finish(d);
        }
        d.push(names::ALLOW_METHODS, text(&self.methods));
        match &self.allowed_headers {
            Some(h) => d.push(names::ALLOW_HEADERS, text(h)),
            None => {
                vary.add(&mut d, VARY_REQUEST_HEADERS);
                if req.request_headers {
                    d.push(names::ALLOW_HEADERS, FastifyValue::RequestHeaders);
                }
            }
        }
        if let Some(m) = &self.max_age {
            d.push(names::MAX_AGE, text(m));
        }
        if !self.cache_control.is_empty() {
            d.push("Cache-Control", text(&self.cache_control));
        }
        if self.preflight_continue {
            d.action = FastifyAction::NextPreflight;
        } else {
            d.action = FastifyAction::Answer(self.status);
            d.push("Content-Length", text("0"));
        }
        vary.finish(d)
    }
}

fn text(s: &str) -> FastifyValue<'_> {
    FastifyValue::Text(Cow::Borrowed(s))
}

/// `Vary` as the plugin's `vary.js` builds it, one field after the other, written where the
/// first `Vary` of the sequence stands.
struct VaryMerge<'a> {
    value: Option<Cow<'a, str>>,
    at: Option<usize>,
}

impl<'a> VaryMerge<'a> {
    fn new(existing: Option<&'a str>) -> Self {
        VaryMerge {
            value: existing.filter(|v| !v.is_empty()).map(Cow::Borrowed),
            at: None,
        }
    }

    fn add(&mut self, d: &mut FastifyDecision<'a>, field: &'static str) {
        let next = match self.value.take() {
            None => Cow::Borrowed(field),
            Some(v) => append_vary(v, field),
        };
        self.value = Some(next);
        if self.at.is_none() {
            self.at = Some(d.count);
            d.push("Vary", FastifyValue::default());
        }
    }

    fn finish(self, mut d: FastifyDecision<'a>) -> FastifyDecision<'a> {
        if let (Some(at), Some(v)) = (self.at, self.value) {
            if let Some(slot) = d.headers.get_mut(at) {
                slot.1 = FastifyValue::Text(v);
            }
        }
        d
    }
}

/// One field added to a non-empty `Vary` value as `vary.js` does: `*` stays; a value listing
/// `*` becomes `*`; the field is appended (`, `) unless listed (compared lower-cased).
pub fn append_vary<'a>(existing: Cow<'a, str>, field: &str) -> Cow<'a, str> {
    if existing == "*" {
        return existing;
    }
    let lower = js_trim(&existing).to_lowercase();
    let tokens = lower
        .split(',')
        .map(|t| t.trim_matches([' ', '\t']))
        .filter(|t| !t.is_empty());
    let field_lower = field.to_lowercase();
    let (mut star, mut listed) = (false, false);
    for t in tokens {
        star |= t == "*";
        listed |= t == field_lower;
    }
    if star {
        Cow::Borrowed("*")
    } else if listed {
        existing
    } else {
        Cow::Owned(format!("{existing}, {field}"))
    }
}

/// `String.prototype.trim`: ECMAScript white space and line terminators.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
                ..='\u{200a}'
                    | '\u{2028}'
                    | '\u{2029}'
                    | '\u{202f}'
                    | '\u{205f}'
                    | '\u{3000}'
                    | '\u{feff}'
        )
    })
}

fn lint(config: &FastifyConfig, d: &mut Diagnostics) {
    if config.credentials {
        let hint =
            "list the origins that may send credentials: origin: ['https://app.example.com']";
        if config.origin_any {
            d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::WildcardOriginWithCredentials,
                    "credentials: true with origin '*': browsers reject every credentialed response, and allowing any origin with credentials would be unsafe",
                )
                .hint(hint),
            );
        } else if config.origin_reflects {
            d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::CredentialsWithReflectedOrigin,
                    "credentials: true with origin: true reflects every origin: any website can make authenticated requests and read the answers",
                )
                .hint(hint),
            );
        }
    }
    lint_js_regexes("@fastify/cors", &config.origin_regexes, d);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(d: &FastifyDecision<'_>) -> Vec<(String, String)> {
        d.headers()
            .map(|(n, v)| {
                let v = match v {
                    FastifyValue::Text(t) => t.to_string(),
                    FastifyValue::Origin => "<origin>".into(),
                    FastifyValue::RequestHeaders => "<acrh>".into(),
                    FastifyValue::Answer => "<answer>".into(),
                };
                (n.to_string(), v)
            })
            .collect()
    }

    fn request(answer: OriginAnswer) -> FastifyRequest<'static> {
        FastifyRequest {
            options: true,
            origin: true,
            request_method: true,
            request_headers: true,
            vary: None,
            answer,
        }
    }

    #[test]
    fn reflected_preflight_is_shaped_like_the_plugin() {
        let config = FastifyConfig {
            origin: OriginType::Other,
            origin_any: false,
            credentials: true,
            max_age: Some("600".into()),
            cache_control: Some(CacheControl::MaxAge(30.0)),
            ..Default::default()
        };
        let p = FastifyPolicy::compile(&config).unwrap();
        let d = p.evaluate(&request(OriginAnswer::Verdict(true)));
        assert_eq!(d.action(), FastifyAction::Answer(204));
        let got = shown(&d);
        let want = [
            ("Vary", "Origin, Access-Control-Request-Headers"),
            ("Access-Control-Allow-Origin", "<origin>"),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", DEFAULT_METHODS),
            ("Access-Control-Allow-Headers", "<acrh>"),
            ("Access-Control-Max-Age", "600"),
            ("Cache-Control", "max-age=30"),
            ("Content-Length", "0"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn strict_preflight_refuses_without_origin_or_method() {
        let p = FastifyPolicy::compile(&FastifyConfig::default()).unwrap();
        let mut req = request(OriginAnswer::Text);
        req.request_method = false;
        let d = p.evaluate(&req);
        assert_eq!(d.action(), FastifyAction::BadPreflight);
        let want = [
            ("Access-Control-Allow-Origin".into(), "<answer>".into()),
            ("Content-Type".into(), "text/plain".into()),
        ];
        assert_eq!(shown(&d), want);
    }

    #[test]
    fn vary_follows_vary_js() {
        let v = |e: &str, f: &str| append_vary(Cow::Borrowed(e), f).into_owned();
        assert_eq!(v("Accept", "Origin"), "Accept, Origin");
        assert_eq!(v(" ORIGIN ", "Origin"), " ORIGIN ");
        assert_eq!(v("a,\torigin", "Origin"), "a,\torigin");
        assert_eq!(v("a, *", "Origin"), "*");
        assert_eq!(v("*", "Origin"), "*");
        assert_eq!(v("x\torigin", "Origin"), "x\torigin, Origin");
    }

    #[test]
    fn unknown_hook_and_bad_status_are_errors() {
        let config = FastifyConfig {
            hook: "onSend".into(),
            options_success_status: 600.0,
            ..Default::default()
        };
        let err = FastifyPolicy::compile(&config).unwrap_err();
        assert_eq!(err.errors[0].message, INVALID_HOOK);
        assert_eq!(err.errors[1].code, "invalid_status");
    }

    #[test]
    fn failed_and_invalid_origins_keep_vary() {
        let config = FastifyConfig {
            origin: OriginType::Other,
            ..Default::default()
        };
        let p = FastifyPolicy::compile(&config).unwrap();
        for (answer, action) in [
            (OriginAnswer::Failed, FastifyAction::Fail),
            (OriginAnswer::Invalid, FastifyAction::InvalidOrigin),
            (OriginAnswer::Skip, FastifyAction::Next),
        ] {
            let d = p.evaluate(&request(answer));
            assert_eq!(d.action(), action);
            assert_eq!(shown(&d), [("Vary".into(), "Origin".into())]);
        }
    }
}
