//! The Hono `cors()` drop-in's class (core's `hono` profile).
//!
//! `plan(facts, requestHeaders, methods)` answers `[status, statusText, phase, op, name,
//! value, …]`: `status` `0` when the handler runs, `phase` `b` (before the handler or the
//! answer) or `a` (after the handler), `op` `s` (set), `a` (append) or `d` (delete), each
//! value prefixed `c` (text) or `a` (the origin option's answer, which JavaScript fills in).

use crate::{diagnostics, JsDiagnostic};
use corsgate::hono::{HonoConfig, HonoOp, HonoPolicy as Core, HonoRequest, HonoValue, NO_CONTENT};
use napi_derive::napi;

/// The options of `cors()` as the JavaScript wrapper read them.
#[napi(object)]
pub struct HonoOptions {
    /// `origin === '*'`.
    pub origin_any: bool,
    /// `!!credentials`.
    pub credentials: bool,
    /// `allowMethods` joined (`''` when neither an array nor a function); absent for a function.
    pub allow_methods: Option<String>,
    /// `allowHeaders` joined; absent when empty.
    pub allow_headers: Option<String>,
    /// `exposeHeaders` joined; absent when empty.
    pub expose_headers: Option<String>,
    /// `maxAge.toString()`; absent when null.
    pub max_age: Option<String>,
}

/// A compiled `cors()` configuration (core's `hono` profile).
#[napi]
pub struct HonoPolicy {
    inner: Core,
}

#[napi]
impl HonoPolicy {
    /// Compiles the options (nothing `cors()` accepts is an error).
    #[napi(constructor)]
    pub fn new(o: HonoOptions) -> napi::Result<Self> {
        let config = HonoConfig {
            origin_any: o.origin_any,
            credentials: o.credentials,
            allow_methods: o.allow_methods,
            allow_headers: o.allow_headers,
            expose_headers: o.expose_headers,
            max_age: o.max_age,
        };
        Core::compile(&config)
            .map(|inner| HonoPolicy { inner })
            .map_err(|e| napi::Error::from_reason(format!("{:?}", e.errors)))
    }

    /// Security warnings.
    #[napi(getter)]
    pub fn warnings(&self) -> Vec<JsDiagnostic> {
        diagnostics(self.inner.warnings())
    }

    /// Whether preflights read the request's header list (then the plan depends on it).
    #[napi(getter)]
    pub fn reflects(&self) -> bool {
        self.inner.reflects_request_headers()
    }

    /// The plan for `facts` (bit 0 the method is `OPTIONS`, bit 1 the origin option gave a
    /// value), the request's `Access-Control-Request-Headers` (when reflected) and the
    /// `allowMethods` function's joined answer.
    #[napi]
    pub fn plan(
        &self,
        facts: u32,
        request_headers: Option<String>,
        methods: Option<String>,
    ) -> Vec<String> {
        let req = HonoRequest {
            options: facts & 1 != 0,
            allowed: facts & 2 != 0,
            request_headers: request_headers.as_deref().filter(|h| !h.is_empty()),
            methods: methods.as_deref(),
        };
        let d = self.inner.evaluate(&req);
        let mut out = match d.answer() {
            Some(s) => vec![s.to_string(), NO_CONTENT.to_string()],
            None => vec!["0".to_string(), String::new()],
        };
        for (phase, ops) in [("b", d.before()), ("a", d.after())] {
            for (op, name, value) in ops {
                out.push(phase.to_string());
                out.push(
                    match op {
                        HonoOp::Set => "s",
                        HonoOp::Append => "a",
                        HonoOp::Delete => "d",
                    }
                    .to_string(),
                );
                out.push(name.to_string());
                out.push(match value {
                    HonoValue::Text(t) => format!("c{t}"),
                    HonoValue::Answer => "a".to_string(),
                });
            }
        }
        out
    }
}
