//! The `@koa/cors` drop-in's class (core's `koa` profile).
//!
//! `plan(facts, vary)` answers with a template: `[action, status, name, value, …]`, `Vary`
//! always first, each value prefixed `c` (text), `o` (the request's `Origin`, `''` when
//! absent), `h` (its request headers) or `a` (the origin option's value), which JavaScript
//! fills in. The facts and the response's `Vary` are all the profile reads, so JavaScript
//! remembers plans by them.

use crate::{diagnostics, JsDiagnostic};
use corsgate::koa::{
    error_vary, KoaAction, KoaConfig, KoaCredentials, KoaOrigin, KoaPolicy as Core, KoaRequest,
    KoaValue,
};
use napi_derive::napi;

/// The options of `@koa/cors` as the JavaScript wrapper read them (arrays joined with `,`,
/// falsy values absent).
#[napi(object)]
pub struct KoaOptions {
    /// `origin` is a function.
    pub origin_function: bool,
    /// `origin` is `'*'` or falsy.
    pub origin_any: bool,
    /// `credentials` is truthy (or a function).
    pub credentials: bool,
    /// `allowMethods`.
    pub allow_methods: Option<String>,
    /// `exposeHeaders`.
    pub expose_headers: Option<String>,
    /// `allowHeaders`.
    pub allow_headers: Option<String>,
    /// `String(maxAge)`.
    pub max_age: Option<String>,
    /// `keepHeadersOnError` (default true).
    pub keep_headers_on_error: bool,
    /// `secureContext`.
    pub secure_context: bool,
    /// `privateNetworkAccess`.
    pub private_network_access: bool,
}

/// A compiled `@koa/cors` configuration (core's `koa` profile).
#[napi]
pub struct KoaPolicy {
    inner: Core,
}

#[napi]
impl KoaPolicy {
    /// Compiles the options (nothing @koa/cors accepts is an error).
    #[napi(catch_unwind, constructor)]
    pub fn new(o: KoaOptions) -> napi::Result<Self> {
        let config = KoaConfig {
            origin_function: o.origin_function,
            origin_any: o.origin_any,
            credentials: o.credentials,
            allow_methods: o.allow_methods,
            expose_headers: o.expose_headers,
            allow_headers: o.allow_headers,
            max_age: o.max_age,
            keep_headers_on_error: o.keep_headers_on_error,
            secure_context: o.secure_context,
            private_network_access: o.private_network_access,
        };
        Core::compile(&config)
            .map(|inner| KoaPolicy { inner })
            .map_err(|e| napi::Error::from_reason(format!("{:?}", e.errors)))
    }

    /// Security warnings about options that work but let other sites in.
    #[napi(catch_unwind, getter)]
    pub fn warnings(&self) -> Vec<JsDiagnostic> {
        diagnostics(self.inner.warnings())
    }

    /// The template for `facts`: bit 0 the method is `OPTIONS`, 1 a truthy
    /// `Access-Control-Request-Method`, 2 a truthy `Access-Control-Request-Headers`, 3 a truthy
    /// `Access-Control-Request-Private-Network`; bits 4-5 the origin (0 skipped, 1 `'*'`, 2
    /// another value), bits 6-7 credentials (0 falsy, 1 `true`, 2 another truthy value).
    #[napi(catch_unwind)]
    pub fn plan(&self, facts: u32, vary: String) -> Vec<String> {
        let req = KoaRequest {
            options: facts & 1 != 0,
            request_method: facts & 2 != 0,
            request_headers: facts & 4 != 0,
            request_private_network: facts & 8 != 0,
            vary: &vary,
            origin: match (facts >> 4) & 3 {
                0 => KoaOrigin::Skip,
                1 => KoaOrigin::Any,
                _ => KoaOrigin::Value,
            },
            credentials: match (facts >> 6) & 3 {
                0 => KoaCredentials::Off,
                1 => KoaCredentials::True,
                _ => KoaCredentials::Truthy,
            },
        };
        let d = self.inner.evaluate(&req);
        let (action, status) = match d.action() {
            KoaAction::Next => ("next", 0),
            KoaAction::NextKeepingHeaders => ("keep", 0),
            KoaAction::Answer(s) => ("answer", s),
        };
        let mut out = vec![action.to_string(), status.to_string()];
        for (name, value) in d.headers() {
            out.push(name.to_string());
            out.push(match value {
                KoaValue::Text(t) => format!("c{t}"),
                KoaValue::Origin => "o".into(),
                KoaValue::RequestHeaders => "h".into(),
                KoaValue::Answer => "a".into(),
            });
        }
        out
    }

    /// The `Vary` an error thrown below the middleware gets (its own, with `Origin`).
    #[napi(catch_unwind)]
    pub fn error_vary(existing: String) -> String {
        error_vary(&existing).into_owned()
    }
}
