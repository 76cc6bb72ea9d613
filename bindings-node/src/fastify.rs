//! The `@fastify/cors` drop-in's class (core's `fastify` profile).
//!
//! `plan(facts, vary)` answers with a template: `[action, status, body, name, value, …]`
//! (`body`: of an answer, or the message of the error to pass on), each value
//! prefixed `c` (text), `o` (the request's origin), `h` (its request headers) or `a` (the
//! origin option's answer), which JavaScript fills in. The facts are all the profile reads
//! besides the reply's `Vary`, so JavaScript remembers plans by them.

use crate::{diagnostics, JsDiagnostic};
use corsgate::fastify::{
    CacheControl, FastifyAction, FastifyConfig, FastifyPolicy as Core, FastifyRequest,
    FastifyValue, ListOption, OriginAnswer, OriginType, INVALID_ORIGIN, INVALID_PREFLIGHT,
};
use corsgate::ConfigErrors;
use napi::bindgen_prelude::Either;
use napi_derive::napi;

/// The options of `@fastify/cors`, merged and normalised as the plugin does, read by the
/// JavaScript wrapper.
#[napi(object)]
pub struct FastifyOptions {
    /// `string`, `false` or `other`: the type of `origin`.
    pub origin_type: String,
    /// `[path, source, …]` of the RegExps in `origin`, for the lint.
    pub origin_regexes: Vec<String>,
    /// `origin === true`.
    pub origin_reflects: bool,
    /// `origin === '*'`.
    pub origin_any: bool,
    /// The options came from a delegator.
    pub dynamic: bool,
    /// `!!credentials`.
    pub credentials: bool,
    /// `methods`: a string, or an array's elements as strings.
    pub methods: Either<String, Vec<String>>,
    /// `allowedHeaders`; absent when `null`.
    pub allowed_headers: Option<Either<String, Vec<String>>>,
    /// `exposedHeaders`; absent when `null`.
    pub exposed_headers: Option<Either<String, Vec<String>>>,
    /// `String(maxAge)`; absent when `null`.
    pub max_age: Option<String>,
    /// `cacheControl` as text; absent when it sends no header.
    pub cache_control: Option<String>,
    /// `cacheControl` when it is an integer (`max-age=<n>`).
    pub cache_control_max_age: Option<f64>,
    /// `!!preflightContinue`.
    pub preflight_continue: bool,
    /// `+optionsSuccessStatus`.
    pub options_success_status: f64,
    /// `preflight === true`.
    pub preflight: bool,
    /// `strictPreflight === true`.
    pub strict_preflight: bool,
    /// `hook`.
    pub hook: String,
}

fn list(v: Either<String, Vec<String>>) -> ListOption {
    match v {
        Either::A(text) => ListOption::Text(text),
        Either::B(items) => ListOption::List(items),
    }
}

fn config(o: FastifyOptions) -> FastifyConfig {
    let cache_control = match (o.cache_control_max_age, o.cache_control) {
        (Some(n), _) => Some(CacheControl::MaxAge(n)),
        (None, Some(t)) => Some(CacheControl::Text(t)),
        (None, None) => None,
    };
    FastifyConfig {
        origin: match o.origin_type.as_str() {
            "string" => OriginType::String,
            "false" => OriginType::False,
            _ => OriginType::Other,
        },
        origin_regexes: o
            .origin_regexes
            .chunks_exact(2)
            .map(|p| (p[0].clone(), p[1].clone()))
            .collect(),
        origin_reflects: o.origin_reflects,
        origin_any: o.origin_any,
        dynamic: o.dynamic,
        credentials: o.credentials,
        methods: list(o.methods),
        allowed_headers: o.allowed_headers.map(list),
        exposed_headers: o.exposed_headers.map(list),
        max_age: o.max_age,
        cache_control,
        preflight_continue: o.preflight_continue,
        options_success_status: o.options_success_status,
        preflight: o.preflight,
        strict_preflight: o.strict_preflight,
        hook: o.hook,
    }
}

/// The template for `facts`: bit 0 the method is `OPTIONS`, 1 a truthy `Origin`, 2 a truthy
/// `Access-Control-Request-Method`, 3 `Access-Control-Request-Headers` present; bits 4.. the
/// origin answer (0 failed, 1 `false`, 2 another falsy value, 3 a string, 4 an array with
/// `'*'`, 5 not allowed, 6 allowed).
fn plan(policy: &Core, facts: u32, vary: Option<&str>) -> Vec<String> {
    let answer = match facts >> 4 {
        0 => OriginAnswer::Failed,
        1 => OriginAnswer::Skip,
        2 => OriginAnswer::Invalid,
        3 => OriginAnswer::Text,
        4 => OriginAnswer::Star,
        n => OriginAnswer::Verdict(n == 6),
    };
    let req = FastifyRequest {
        options: facts & 1 != 0,
        origin: facts & 2 != 0,
        request_method: facts & 4 != 0,
        request_headers: facts & 8 != 0,
        vary,
        answer,
    };
    let d = policy.evaluate(&req);
    let (action, status, body) = match d.action() {
        FastifyAction::Next => ("next", 0, ""),
        FastifyAction::NextPreflight => ("preflight", 0, ""),
        FastifyAction::Answer(s) => ("answer", s, ""),
        FastifyAction::BadPreflight => ("bad", 400, INVALID_PREFLIGHT),
        FastifyAction::InvalidOrigin => ("invalid", 0, INVALID_ORIGIN),
        FastifyAction::Fail => ("fail", 0, ""),
    };
    let mut out = vec![action.to_string(), status.to_string(), body.to_string()];
    for (name, value) in d.headers() {
        out.push(name.to_string());
        out.push(match value {
            FastifyValue::Text(t) => format!("c{t}"),
            FastifyValue::Origin => "o".into(),
            FastifyValue::RequestHeaders => "h".into(),
            FastifyValue::Answer => "a".into(),
        });
    }
    out
}

/// A compiled `@fastify/cors` configuration (core's `fastify` profile).
#[napi]
pub struct FastifyPolicy {
    inner: Result<Core, ConfigErrors>,
}

#[napi]
impl FastifyPolicy {
    /// Compiles the options; check `errors` before use.
    #[napi(catch_unwind, constructor)]
    pub fn new(options: FastifyOptions) -> Self {
        FastifyPolicy {
            inner: Core::compile(&config(options)),
        }
    }

    /// Errors that make the options unusable (empty when they compiled).
    #[napi(catch_unwind, getter)]
    pub fn errors(&self) -> Vec<JsDiagnostic> {
        self.inner
            .as_ref()
            .err()
            .map(|e| diagnostics(&e.errors))
            .unwrap_or_default()
    }

    /// Security warnings about options that work but let other sites in.
    #[napi(catch_unwind, getter)]
    pub fn warnings(&self) -> Vec<JsDiagnostic> {
        match &self.inner {
            Ok(p) => diagnostics(p.warnings()),
            Err(e) => diagnostics(&e.warnings),
        }
    }

    /// The template for `facts` (see the module) and the reply's `Vary`; empty when the
    /// options did not compile.
    #[napi(catch_unwind)]
    pub fn plan(&self, facts: u32, vary: Option<String>) -> Vec<String> {
        match &self.inner {
            Ok(p) => plan(p, facts, vary.as_deref()),
            Err(_) => Vec::new(),
        }
    }

    /// The error a request gets when the origin option (or a delegator) gives no usable
    /// answer, as the plugin words it.
    #[napi(catch_unwind)]
    pub fn invalid_origin_message() -> &'static str {
        INVALID_ORIGIN
    }

    /// Compiles `options` and answers one template (a delegator's options), or the errors.
    #[napi(catch_unwind)]
    pub fn plan_once(
        options: FastifyOptions,
        facts: u32,
        vary: Option<String>,
    ) -> Either<Vec<String>, Vec<JsDiagnostic>> {
        match Core::compile(&config(options)) {
            Ok(p) => Either::A(plan(&p, facts, vary.as_deref())),
            Err(e) => Either::B(diagnostics(&e.errors)),
        }
    }
}
