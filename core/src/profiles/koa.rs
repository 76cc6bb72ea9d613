//! The `koa` profile: answers exactly as the `@koa/cors` middleware (5.x) does, so a drop-in
//! middleware can replace it without changing a single response.
//!
//! The middleware's behaviour, which this module reproduces (and which docs/node.md lists):
//! - `Vary: Origin` on every request (merged as the `vary` package does), first;
//! - an origin function answering a falsy value skips CORS; `credentials` with origin `*`
//!   reflects the request's `Origin` (`''` when there is none);
//! - a request whose method is not exactly `OPTIONS` gets `Access-Control-Allow-Origin`
//!   (always), `Access-Control-Allow-Credentials` (when credentials are exactly `true`),
//!   `Access-Control-Expose-Headers`, the two `secureContext` headers; with
//!   `keepHeadersOnError`, an error thrown below keeps them (and the `Vary`);
//! - an `OPTIONS` request without a truthy `Access-Control-Request-Method` is passed on; else it
//!   is answered 204 with `Access-Control-Allow-Origin`, `-Credentials`, `-Max-Age`,
//!   `-Allow-Private-Network` (when asked and enabled), `-Allow-Methods`, the `secureContext`
//!   headers and `-Allow-Headers` (the option, or the request's list reflected).
//!
//! Like the `fastify` profile it reads facts, never the request's strings, and answers values
//! that are text or references ([`KoaValue`]) which the binding fills in.

use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::header::names;
use crate::profiles::express::append_vary;
use std::borrow::Cow;

/// The `allowMethods` default of `@koa/cors`.
pub const DEFAULT_METHODS: &str = "GET,HEAD,PUT,POST,DELETE,PATCH";

/// The options of `@koa/cors` after the binding read them (arrays joined with `,`, falsy
/// values as `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KoaConfig {
    /// `origin` is a function.
    pub origin_function: bool,
    /// `origin` is the string `*` (or left out): the lint's view.
    pub origin_any: bool,
    /// `credentials` is `true` or a function: the lint's view.
    pub credentials: bool,
    /// `allowMethods`; `None` when falsy.
    pub allow_methods: Option<String>,
    /// `exposeHeaders`; `None` when falsy.
    pub expose_headers: Option<String>,
    /// `allowHeaders`; `None` when falsy (the request's list is reflected).
    pub allow_headers: Option<String>,
    /// `String(maxAge)`; `None` when falsy.
    pub max_age: Option<String>,
    /// `keepHeadersOnError` (default `true`).
    pub keep_headers_on_error: bool,
    /// `secureContext`.
    pub secure_context: bool,
    /// `privateNetworkAccess`.
    pub private_network_access: bool,
}

impl Default for KoaConfig {
    /// The defaults of `@koa/cors`: origin `*`, six methods, headers kept on errors.
    fn default() -> Self {
        KoaConfig {
            origin_function: false,
            origin_any: true,
            credentials: false,
            allow_methods: Some(DEFAULT_METHODS.to_string()),
            expose_headers: None,
            allow_headers: None,
            max_age: None,
            keep_headers_on_error: true,
            secure_context: false,
            private_network_access: false,
        }
    }
}

/// What the origin option gave for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KoaOrigin {
    /// A function answered a falsy value: CORS is skipped.
    Skip,
    /// The string `*`.
    Any,
    /// Any other value, sent as is ([`KoaValue::Answer`]).
    Value,
}

/// What `credentials` gave for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KoaCredentials {
    /// Falsy.
    Off,
    /// Exactly `true`.
    True,
    /// Truthy but not `true` (a function's `1`): reflects under `*`, sends no header.
    Truthy,
}

/// The request facts the middleware reads.
#[derive(Clone, Copy, Debug)]
pub struct KoaRequest<'a> {
    /// `ctx.method === 'OPTIONS'`.
    pub options: bool,
    /// A truthy `Access-Control-Request-Method`.
    pub request_method: bool,
    /// A truthy `Access-Control-Request-Headers`.
    pub request_headers: bool,
    /// A truthy `Access-Control-Request-Private-Network`.
    pub request_private_network: bool,
    /// The response's `Vary` as the `vary` package reads it (`''` when none).
    pub vary: &'a str,
    /// The origin option's answer.
    pub origin: KoaOrigin,
    /// The credentials option's answer.
    pub credentials: KoaCredentials,
}

/// A header value: text, or one of the request's values, which the binding fills in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KoaValue<'a> {
    /// Text to send.
    Text(Cow<'a, str>),
    /// The request's `Origin` (`''` when absent).
    Origin,
    /// The request's `Access-Control-Request-Headers`.
    RequestHeaders,
    /// The origin option's value.
    Answer,
}

impl Default for KoaValue<'_> {
    fn default() -> Self {
        KoaValue::Text(Cow::Borrowed(""))
    }
}

/// What the middleware does after setting the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KoaAction {
    /// `await next()`.
    Next,
    /// `await next()`; an error thrown there gets the headers set here (all but `Vary`) and
    /// `Vary` with `Origin` appended to its own ([`error_vary`]).
    NextKeepingHeaders,
    /// `ctx.status = 204`, nothing more.
    Answer(u16),
}

/// Vary, ACAO, ACAC, ACMA, ACAPN, ACAM, COOP, COEP, ACAH.
const MAX_KOA_HEADERS: usize = 9;

/// The headers to set with `ctx.set`, in order, and what to do then.
#[derive(Clone, Debug)]
pub struct KoaDecision<'a> {
    action: KoaAction,
    headers: [(&'static str, KoaValue<'a>); MAX_KOA_HEADERS],
    count: usize,
}

impl<'a> KoaDecision<'a> {
    fn push(&mut self, name: &'static str, value: KoaValue<'a>) {
        if let Some(slot) = self.headers.get_mut(self.count) {
            *slot = (name, value);
            self.count += 1;
        }
    }

    /// What to do after setting the headers.
    pub fn action(&self) -> KoaAction {
        self.action
    }

    /// The headers to set, in order; `Vary` holds the merged value.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = (&'static str, &KoaValue<'a>)> {
        self.headers[..self.count].iter().map(|(n, v)| (*n, v))
    }
}

/// A compiled `@koa/cors` configuration. Immutable, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct KoaPolicy {
    config: KoaConfig,
    warnings: Vec<Diagnostic>,
}

fn text(s: &str) -> KoaValue<'_> {
    KoaValue::Text(Cow::Borrowed(s))
}

/// The `Vary` an error thrown below the middleware gets: its own (`vary` or `Vary` of
/// `err.headers`) with `Origin` appended.
pub fn error_vary(existing: &str) -> Cow<'_, str> {
    append_vary(existing, &["Origin"])
}

impl KoaPolicy {
    /// Compiles `config`; nothing the middleware accepts is an error. Warnings flag the options
    /// that let other sites in.
    pub fn compile(config: &KoaConfig) -> Result<KoaPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        if config.credentials && config.origin_any {
            d.warn(
                Diagnostic::new(
                    "origin",
                    DiagnosticCode::CredentialsWithReflectedOrigin,
                    "credentials with origin '*' (the default): @koa/cors then reflects every origin, so any website can make authenticated requests and read the answers",
                )
                .hint("give origin a function that answers the allowed origins only: origin: (ctx) => allowed.has(ctx.get('Origin')) && ctx.get('Origin')"),
            );
        }
        if config.private_network_access {
            d.warn(
                Diagnostic::new(
                    "privateNetworkAccess",
                    DiagnosticCode::PrivateNetworkEnabled,
                    "privateNetworkAccess lets public websites reach this private-network server for every origin the options allow",
                )
                .hint("enable it only for a server that must be reachable from public pages"),
            );
        }
        Ok(KoaPolicy {
            config: config.clone(),
            warnings: d.warnings,
        })
    }

    /// Security warnings.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides what `@koa/cors` would do with `req`.
    pub fn evaluate<'a>(&'a self, req: &KoaRequest<'a>) -> KoaDecision<'a> {
        let c = &self.config;
        let mut d = KoaDecision {
            action: KoaAction::Next,
            headers: Default::default(),
            count: 0,
        };
        d.push("Vary", KoaValue::Text(append_vary(req.vary, &["Origin"])));
        let origin = match (req.origin, req.credentials) {
            (KoaOrigin::Skip, _) => return d,
            (KoaOrigin::Any, KoaCredentials::Off) => text("*"),
            (KoaOrigin::Any, _) => KoaValue::Origin,
            (KoaOrigin::Value, _) => KoaValue::Answer,
        };
        let credentials = req.credentials == KoaCredentials::True;
        if !req.options {
            d.push(names::ALLOW_ORIGIN, origin);
            if credentials {
                d.push(names::ALLOW_CREDENTIALS, text("true"));
            }
            if let Some(h) = &c.expose_headers {
                d.push(names::EXPOSE_HEADERS, text(h));
            }
            self.secure_context(&mut d);
            if c.keep_headers_on_error {
                d.action = KoaAction::NextKeepingHeaders;
            }
            return d;
        }
        if !req.request_method {
            return d;
        }
        d.push(names::ALLOW_ORIGIN, origin);
        if credentials {
            d.push(names::ALLOW_CREDENTIALS, text("true"));
        }
        if let Some(m) = &c.max_age {
            d.push(names::MAX_AGE, text(m));
        }
        if c.private_network_access && req.request_private_network {
            d.push(names::ALLOW_PRIVATE_NETWORK, text("true"));
        }
        if let Some(m) = &c.allow_methods {
            d.push(names::ALLOW_METHODS, text(m));
        }
        self.secure_context(&mut d);
        match &c.allow_headers {
            Some(h) => d.push(names::ALLOW_HEADERS, text(h)),
            None if req.request_headers => d.push(names::ALLOW_HEADERS, KoaValue::RequestHeaders),
            None => {}
        }
        d.action = KoaAction::Answer(204);
        d
    }

    fn secure_context<'a>(&'a self, d: &mut KoaDecision<'a>) {
        if self.config.secure_context {
            d.push("Cross-Origin-Opener-Policy", text("same-origin"));
            d.push("Cross-Origin-Embedder-Policy", text("require-corp"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> KoaRequest<'static> {
        KoaRequest {
            options: true,
            request_method: true,
            request_headers: true,
            request_private_network: true,
            vary: "",
            origin: KoaOrigin::Any,
            credentials: KoaCredentials::True,
        }
    }

    fn names_of(d: &KoaDecision<'_>) -> Vec<&'static str> {
        d.headers().map(|(n, _)| n).collect()
    }

    #[test]
    fn preflight_with_credentials_reflects_the_origin_and_answers_204() {
        let config = KoaConfig {
            credentials: true,
            private_network_access: true,
            max_age: Some("60".into()),
            ..Default::default()
        };
        let p = KoaPolicy::compile(&config).unwrap();
        let codes: Vec<_> = p.warnings().iter().map(|w| w.code).collect();
        assert_eq!(
            codes,
            [
                "credentials_with_reflected_origin",
                "private_network_enabled"
            ]
        );
        let d = p.evaluate(&request());
        assert_eq!(d.action(), KoaAction::Answer(204));
        assert_eq!(
            names_of(&d),
            [
                "Vary",
                names::ALLOW_ORIGIN,
                names::ALLOW_CREDENTIALS,
                names::MAX_AGE,
                names::ALLOW_PRIVATE_NETWORK,
                names::ALLOW_METHODS,
                names::ALLOW_HEADERS
            ]
        );
        assert_eq!(d.headers().nth(1).unwrap().1, &KoaValue::Origin);
    }

    #[test]
    fn skipped_origin_and_options_without_method_keep_only_vary() {
        let p = KoaPolicy::compile(&KoaConfig::default()).unwrap();
        let mut req = request();
        req.vary = "Accept";
        req.origin = KoaOrigin::Skip;
        let d = p.evaluate(&req);
        assert_eq!(d.action(), KoaAction::Next);
        assert_eq!(
            d.headers().next().unwrap().1,
            &KoaValue::Text("Accept, Origin".into())
        );
        req.origin = KoaOrigin::Value;
        req.request_method = false;
        assert_eq!(names_of(&p.evaluate(&req)), ["Vary"]);
    }

    #[test]
    fn actual_requests_keep_headers_on_errors_by_default() {
        let p = KoaPolicy::compile(&KoaConfig::default()).unwrap();
        let mut req = request();
        req.options = false;
        req.credentials = KoaCredentials::Off;
        let d = p.evaluate(&req);
        assert_eq!(d.action(), KoaAction::NextKeepingHeaders);
        assert_eq!(d.headers().nth(1).unwrap().1, &text("*"));
        assert_eq!(error_vary("accept"), "accept, Origin");
    }
}
