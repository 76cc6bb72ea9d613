//! The `hono` profile: answers exactly as Hono's `cors()` middleware (hono 4.x) does, so a
//! drop-in middleware can replace it without changing a single response.
//!
//! The middleware's behaviour, which this module reproduces (and which docs/node.md lists):
//! - every request gets `Access-Control-Allow-Origin` (when the origin option gives a value),
//!   `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers`, set on the
//!   response's `Headers` before the handler runs;
//! - a request whose method is exactly `OPTIONS` is answered 204 at once, without
//!   `Content-Length` and `Content-Type`, with `Vary: Origin` appended (unless the origin
//!   option is `'*'`), `Access-Control-Max-Age`, `Access-Control-Allow-Methods`, and
//!   `Access-Control-Allow-Headers` (the option, or the request's list with each name trimmed)
//!   followed by `Vary: Access-Control-Request-Headers` appended;
//! - any other request goes on to the handler, and then gets `Vary: Origin` appended (unless
//!   the origin option is `'*'`).
//!
//! Headers are operations on a Fetch `Headers` object ([`HonoOp`]); the binding performs them
//! in order. Values are text or references ([`HonoValue`]).

use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::header::names;
use crate::profiles::fastify::js_trim;
use std::borrow::Cow;

/// The status text of an answered preflight (`204 No Content`).
pub const NO_CONTENT: &str = "No Content";

/// The `allowMethods` default of Hono's `cors()`.
pub const DEFAULT_METHODS: &str = "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY";

/// The options of `cors()` after the binding read them (arrays joined with `,`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HonoConfig {
    /// `origin === '*'`.
    pub origin_any: bool,
    /// `!!credentials`.
    pub credentials: bool,
    /// `allowMethods` joined; `None` when it is a function (its answer comes per request).
    pub allow_methods: Option<String>,
    /// `allowHeaders` joined; `None` when empty (the request's list is reflected).
    pub allow_headers: Option<String>,
    /// `exposeHeaders` joined; `None` when empty.
    pub expose_headers: Option<String>,
    /// `maxAge.toString()`; `None` when `null` or left out.
    pub max_age: Option<String>,
}

impl Default for HonoConfig {
    /// The defaults of `cors()`: any origin, seven methods.
    fn default() -> Self {
        HonoConfig {
            origin_any: true,
            credentials: false,
            allow_methods: Some(DEFAULT_METHODS.to_string()),
            allow_headers: None,
            expose_headers: None,
            max_age: None,
        }
    }
}

/// The request facts (and the option functions' answers) the middleware reads.
#[derive(Clone, Copy, Debug, Default)]
pub struct HonoRequest<'a> {
    /// `c.req.method === 'OPTIONS'`.
    pub options: bool,
    /// The origin option gave a truthy value ([`HonoValue::Answer`]).
    pub allowed: bool,
    /// `Access-Control-Request-Headers`, when present and not empty.
    pub request_headers: Option<&'a str>,
    /// The `allowMethods` function's answer, joined with `,`.
    pub methods: Option<&'a str>,
}

/// A header value: text, or the origin option's answer, which the binding fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HonoValue<'a> {
    /// Text to send.
    Text(Cow<'a, str>),
    /// The origin option's answer.
    Answer,
}

/// An operation on the response's `Headers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HonoOp {
    /// `headers.set(name, value)`.
    Set,
    /// `headers.append(name, value)`.
    Append,
    /// `headers.delete(name)`.
    Delete,
}

/// What the middleware does: the operations before the handler, whether it answers 204 at
/// once, and the operations after the handler.
#[derive(Clone, Debug, Default)]
pub struct HonoDecision<'a> {
    before: Vec<(HonoOp, &'static str, HonoValue<'a>)>,
    answer: Option<u16>,
    after: Vec<(HonoOp, &'static str, HonoValue<'a>)>,
}

impl<'a> HonoDecision<'a> {
    /// The operations on the response's headers before the handler (or the answer).
    pub fn before(&self) -> &[(HonoOp, &'static str, HonoValue<'a>)] {
        &self.before
    }

    /// The status to answer with at once (the handler does not run).
    pub fn answer(&self) -> Option<u16> {
        self.answer
    }

    /// The operations after the handler answered (`c.header(name, value, { append: true })`).
    pub fn after(&self) -> &[(HonoOp, &'static str, HonoValue<'a>)] {
        &self.after
    }
}

/// A compiled `cors()` configuration. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct HonoPolicy {
    config: HonoConfig,
    warnings: Vec<Diagnostic>,
}

fn text(s: &str) -> HonoValue<'_> {
    HonoValue::Text(Cow::Borrowed(s))
}

impl HonoPolicy {
    /// Compiles `config`; nothing `cors()` accepts is an error. A warning flags credentials
    /// with origin `'*'`, which browsers reject.
    pub fn compile(config: &HonoConfig) -> Result<HonoPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        if config.credentials && config.origin_any {
            d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::WildcardOriginWithCredentials,
                    "credentials: true with origin '*': browsers reject every credentialed response",
                )
                .hint("list the origins that may send credentials: origin: ['https://app.example.com']"),
            );
        }
        Ok(HonoPolicy {
            config: config.clone(),
            warnings: d.warnings,
        })
    }

    /// Security warnings.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Whether the answer reads the request's header list (preflights then cross per request).
    pub fn reflects_request_headers(&self) -> bool {
        self.config.allow_headers.is_none()
    }

    /// Decides what `cors()` would do with `req`.
    pub fn evaluate<'a>(&'a self, req: &HonoRequest<'a>) -> HonoDecision<'a> {
        let c = &self.config;
        let mut d = HonoDecision::default();
        if req.allowed {
            d.before
                .push((HonoOp::Set, names::ALLOW_ORIGIN, HonoValue::Answer));
        }
        if c.credentials {
            d.before
                .push((HonoOp::Set, names::ALLOW_CREDENTIALS, text("true")));
        }
        if let Some(h) = &c.expose_headers {
            d.before.push((HonoOp::Set, names::EXPOSE_HEADERS, text(h)));
        }
        if !req.options {
            if !c.origin_any {
                d.after.push((HonoOp::Append, "Vary", text("Origin")));
            }
            return d;
        }
        if !c.origin_any {
            d.before.push((HonoOp::Append, "Vary", text("Origin")));
        }
        if let Some(m) = &c.max_age {
            d.before.push((HonoOp::Set, names::MAX_AGE, text(m)));
        }
        let methods = c.allow_methods.as_deref().or(req.methods).unwrap_or("");
        if !methods.is_empty() {
            d.before
                .push((HonoOp::Set, names::ALLOW_METHODS, text(methods)));
        }
        let headers = match (&c.allow_headers, req.request_headers) {
            (Some(h), _) => Some(Cow::Borrowed(h.as_str())),
            (None, Some(list)) => Some(Cow::Owned(
                list.split(',').map(js_trim).collect::<Vec<_>>().join(","),
            )),
            (None, None) => None,
        };
        if let Some(h) = headers.filter(|h| !h.is_empty()) {
            d.before
                .push((HonoOp::Set, names::ALLOW_HEADERS, HonoValue::Text(h)));
            d.before.push((
                HonoOp::Append,
                "Vary",
                text("Access-Control-Request-Headers"),
            ));
        }
        d.before.push((HonoOp::Delete, "Content-Length", text("")));
        d.before.push((HonoOp::Delete, "Content-Type", text("")));
        d.answer = Some(204);
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preflight_reflects_trimmed_headers_and_answers_204() {
        let config = HonoConfig {
            origin_any: false,
            max_age: Some("600".into()),
            ..Default::default()
        };
        let p = HonoPolicy::compile(&config).unwrap();
        let req = HonoRequest {
            options: true,
            allowed: true,
            request_headers: Some(" x-a , Content-Type"),
            methods: None,
        };
        let d = p.evaluate(&req);
        assert_eq!(d.answer(), Some(204));
        let acah = d
            .before()
            .iter()
            .find(|(_, n, _)| *n == names::ALLOW_HEADERS)
            .map(|(_, _, v)| v.clone());
        assert_eq!(acah, Some(HonoValue::Text("x-a,Content-Type".into())));
        assert!(d.after().is_empty());
    }

    #[test]
    fn actual_request_appends_vary_after_the_handler() {
        let config = HonoConfig {
            origin_any: false,
            credentials: true,
            ..Default::default()
        };
        let p = HonoPolicy::compile(&config).unwrap();
        let d = p.evaluate(&HonoRequest::default());
        assert_eq!(d.answer(), None);
        assert_eq!(d.before().len(), 1);
        assert_eq!(d.after(), [(HonoOp::Append, "Vary", text("Origin"))]);
    }
}
