//! Node.js addon of corsgate (napi-rs). It translates; the core decides.
//!
//! Two classes cross the boundary:
//! - [`ExpressPolicy`]: a compiled `cors`-package configuration (core's `express` profile).
//!   `evaluator()` returns its per-request function (raw Node-API, [`evaluator`]): it takes
//!   what the `cors` package reads from `req`/`res` and answers with the id of a template
//!   JavaScript already holds, or with text: `status\nname1\nvalue1\n…`, `status` being `""`
//!   when the next handler answers.
//! - [`Policy`]: corsgate's strict engine behind a [`SharedPolicy`], reconfigurable while
//!   serving. `decider()` returns the strict middleware's per-request function (raw
//!   Node-API, the same [`evaluator`] machinery): a template id or text
//!   `status\ncode\nmessage\nvary\nname1\nvalue1\n…`; [`strict_writer`]'s function applies the core's
//!   response rule when the application's head is written; `evaluate` returns the full
//!   decision with its reason.
//!
//! Every function napi-rs generates here catches a panic (`catch_unwind`) and throws it as an
//! `Error`, as the raw evaluator functions do: a bug never aborts the process.
//!
//! The drop-ins for @fastify/cors, @koa/cors and hono's cors() have their classes in
//! [`fastify`], [`koa`] and [`hono`] (core's profiles of the same names): plans by request
//! facts, which JavaScript remembers.
//!
//! Compilation never throws: the objects carry their `errors` and `warnings`, and the
//! JavaScript wrapper turns errors into a `CorsgateConfigError`.

use corsgate::express::{
    ExpressConfig, ExpressOrigin, ExpressPolicy as CoreExpress, ExpressRequest, ListOption,
    OriginAnswer,
};
use corsgate::{
    latin1, ConfigErrors, Diagnostic, Format, HeaderName, Policy as CorePolicy, Request,
    SharedPolicy, REQUEST_HEADER_NAMES,
};
use napi::bindgen_prelude::{Either, Env, Unknown};
use napi_derive::napi;
use std::borrow::Cow;
use std::sync::Arc;

pub mod browser;
mod evaluator;
mod fastify;
mod hono;
mod koa;

/// A problem in a configuration: where (`origins[2]`), a stable code, a message, a hint.
#[napi(object)]
pub struct JsDiagnostic {
    /// Where the problem is: `origins[2]`, `routes[0].max_age`, or empty.
    pub path: String,
    /// Stable machine-readable code (docs/policy.md, docs/node.md).
    pub code: String,
    /// One line saying what is wrong.
    pub message: String,
    /// How to fix it, when there is a concrete suggestion.
    pub hint: Option<String>,
}

fn diagnostics(list: &[Diagnostic]) -> Vec<JsDiagnostic> {
    list.iter()
        .map(|d| JsDiagnostic {
            path: d.path.clone(),
            code: d.code.to_string(),
            message: d.message.clone(),
            hint: d.hint.clone(),
        })
        .collect()
}

/// The header names JavaScript reads and writes, as the core spells them.
#[napi(object)]
pub struct HeaderNames {
    /// The request headers the engine reads, lower case: `origin`,
    /// `access-control-request-method`, `-headers`, `-private-network`.
    pub request: Vec<String>,
    /// `Vary`.
    pub vary: String,
}

/// The core's header names (lib/headers.js): JavaScript keeps no list of its own.
#[napi(catch_unwind)]
pub fn header_names() -> HeaderNames {
    HeaderNames {
        request: REQUEST_HEADER_NAMES.map(String::from).to_vec(),
        vary: HeaderName::Vary.canonical().to_string(),
    }
}

/// The strict rule at the moment the application's response head is written (module
/// `evaluator`, lib/write.js): a function `(vary, lines) => string`, `vary` the decision's
/// `Vary` text from the plan (`""` when it writes none or wrote it already), `lines` the
/// response's header lines as `name\nvalue\n…`. It answers with the one `Vary` value that
/// replaces the response's (`""`: keep them), then, `\n`-separated, the name of every line
/// that goes (the response's CORS headers). JavaScript writes the decision's own headers
/// after these removals.
#[napi(
    catch_unwind,
    js_name = "strictWriter",
    ts_return_type = "(vary: string, lines: string) => string"
)]
pub fn strict_writer(env: &Env) -> napi::Result<Unknown<'_>> {
    evaluator::create(env, "strictResponse", evaluator::StrictWrite)
}

/// The options of the `cors` package, as the JavaScript wrapper read them.
#[napi(object)]
pub struct ExpressOptions {
    /// `any`, `fixed`, `reflect`, `disabled` or `dynamic` (RegExp, array, function).
    pub origin_kind: String,
    /// The string of a `fixed` origin.
    pub origin_value: Option<String>,
    /// `[path, source, path, source, …]` of the RegExps in `origin`, for the lint.
    pub origin_regexes: Vec<String>,
    /// `methods`: a string, or an array's elements as strings; absent when null/undefined.
    pub methods: Option<Either<String, Vec<String>>>,
    /// `allowedHeaders || headers`; absent when both are falsy (reflect).
    pub allowed_headers: Option<Either<String, Vec<String>>>,
    /// `exposedHeaders`; absent when falsy.
    pub exposed_headers: Option<Either<String, Vec<String>>>,
    /// `credentials === true`.
    pub credentials: bool,
    /// `maxAge` converted to a string by JavaScript; absent when it sends no header.
    pub max_age: Option<String>,
    /// `!!preflightContinue`.
    pub preflight_continue: bool,
    /// `optionsSuccessStatus` when it is a number.
    pub options_success_status: Option<f64>,
}

fn list_option(value: Option<Either<String, Vec<String>>>) -> Option<ListOption> {
    value.map(|v| match v {
        Either::A(text) => ListOption::Text(text),
        Either::B(items) => ListOption::List(items),
    })
}

fn express_config(o: ExpressOptions) -> ExpressConfig {
    let origin = match o.origin_kind.as_str() {
        "fixed" => ExpressOrigin::Fixed(o.origin_value.unwrap_or_default()),
        "reflect" => ExpressOrigin::Reflect,
        "disabled" => ExpressOrigin::Disabled,
        "dynamic" => ExpressOrigin::Dynamic,
        _ => ExpressOrigin::Any,
    };
    let origin_regexes = o
        .origin_regexes
        .chunks_exact(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    let status = o
        .options_success_status
        .and_then(|s| (s.fract() == 0.0 && s.abs() < 1e15).then_some(s as i64));
    ExpressConfig {
        origin,
        origin_regexes,
        methods: list_option(o.methods),
        allowed_headers: list_option(o.allowed_headers),
        exposed_headers: list_option(o.exposed_headers),
        credentials: o.credentials,
        max_age: o.max_age,
        preflight_continue: o.preflight_continue,
        options_success_status: status,
    }
}

/// An answer crossing into JavaScript: `status, name, value, …` as one `\n`-separated string
/// (one JavaScript string to create instead of one per element), or, when an element itself
/// contains `\n` (only hand-made request objects can carry one), as an array.
type Plan = Either<String, Vec<String>>;

fn pack(parts: &[&str]) -> Plan {
    if parts.iter().any(|p| p.contains('\n')) {
        Either::B(parts.iter().map(|p| p.to_string()).collect())
    } else {
        Either::A(parts.join("\n"))
    }
}

/// The express profile's request: `verdict` is what JavaScript found out about the origin
/// (0 nothing, 1 not allowed, 2 allowed, 3 an origin function answered the string `answer`).
fn express_request<'a>(
    method: &'a str,
    origin: Option<&'a str>,
    request_headers: Option<&'a str>,
    vary: Option<&'a str>,
    verdict: u32,
    answer: Option<&'a str>,
) -> ExpressRequest<'a> {
    let req = ExpressRequest::new(method)
        .origin(origin)
        .request_headers(request_headers)
        .vary(vary.unwrap_or(""));
    match (verdict, answer) {
        (1, _) => req.answer(OriginAnswer::Verdict(false)),
        (2, _) => req.answer(OriginAnswer::Verdict(true)),
        (3, Some(value)) => req.answer(OriginAnswer::Value(value)),
        _ => req,
    }
}

/// Runs the express profile on one request and flattens the answer.
fn express_plan(
    policy: &CoreExpress,
    method: &str,
    origin: Option<&str>,
    request_headers: Option<&str>,
    vary: Option<&str>,
    verdict: u32,
    answer: Option<&str>,
) -> Plan {
    let req = express_request(method, origin, request_headers, vary, verdict, answer);
    let decision = policy.evaluate(&req);
    let status = decision.status().map(|s| s.to_string()).unwrap_or_default();
    let mut parts = Vec::with_capacity(1 + 2 * decision.headers().len());
    parts.push(status.as_str());
    for (name, value) in decision.headers() {
        parts.push(name);
        parts.push(value);
    }
    pack(&parts)
}

/// A compiled `cors`-package configuration (core's `express` profile).
#[napi]
pub struct ExpressPolicy {
    inner: Result<Arc<CoreExpress>, ConfigErrors>,
}

#[napi]
impl ExpressPolicy {
    /// Compiles the options; check `errors` before use.
    #[napi(catch_unwind, constructor)]
    pub fn new(options: ExpressOptions) -> Self {
        ExpressPolicy {
            inner: CoreExpress::compile(&express_config(options)).map(Arc::new),
        }
    }

    /// Errors that make the options unusable (empty when it compiled).
    #[napi(catch_unwind, getter)]
    pub fn errors(&self) -> Vec<JsDiagnostic> {
        match &self.inner {
            Ok(_) => Vec::new(),
            Err(e) => diagnostics(&e.errors),
        }
    }

    /// Security warnings about options that work but let other sites in.
    #[napi(catch_unwind, getter)]
    pub fn warnings(&self) -> Vec<JsDiagnostic> {
        match &self.inner {
            Ok(p) => diagnostics(p.warnings()),
            Err(e) => diagnostics(&e.warnings),
        }
    }

    /// Whether the evaluator needs the origin answer of JavaScript (RegExp, array, function).
    #[napi(catch_unwind, getter)]
    pub fn dynamic(&self) -> bool {
        self.inner.as_ref().is_ok_and(|p| p.is_dynamic())
    }

    /// The per-request function of this policy (module `evaluator`): `(method, origin,
    /// requestHeaders, vary, verdict, answer) => number | string | string[]`, `verdict` saying
    /// what JavaScript found out about the origin: 0 nothing, 1 not allowed, 2 allowed, 3 an
    /// origin function answered the string `answer`. Throws when the options did not compile.
    #[napi(
        catch_unwind,
        ts_return_type = "(method: string, origin: string | undefined, requestHeaders: string | undefined, vary: string | undefined, verdict: number, answer: string | undefined) => number | string | string[]"
    )]
    pub fn evaluator<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        match &self.inner {
            Ok(policy) => {
                evaluator::create(env, "evaluate", evaluator::Express(Arc::clone(policy)))
            }
            Err(_) => Err(napi::Error::from_reason("the options did not compile")),
        }
    }

    /// Compiles `options` and evaluates one request in a single call (per-request options of
    /// a delegate). Returns the errors instead when the options do not compile.
    #[napi(catch_unwind)]
    pub fn evaluate_once(
        options: ExpressOptions,
        method: String,
        origin: Option<String>,
        request_headers: Option<String>,
        vary: Option<String>,
        verdict: u32,
        answer: Option<String>,
    ) -> Either<Plan, Vec<JsDiagnostic>> {
        match CoreExpress::compile(&express_config(options)) {
            Ok(policy) => Either::A(express_plan(
                &policy,
                &method,
                origin.as_deref(),
                request_headers.as_deref(),
                vary.as_deref(),
                verdict,
                answer.as_deref(),
            )),
            Err(e) => Either::B(diagnostics(&e.errors)),
        }
    }
}

/// Why a request was denied.
#[napi(object)]
pub struct JsReason {
    /// Stable code, such as `origin_not_allowed`.
    pub code: String,
    /// The offending value as received (bytes as Latin-1 characters, as Node shows them).
    pub value: String,
    /// One line with a hint.
    pub message: String,
    /// What Chromium's console prints after "has been blocked by CORS policy: ".
    pub browser_reason: String,
}

/// The strict engine's answer to one request.
#[napi(object)]
pub struct JsDecision {
    /// `preflight`, `actual` or `not_cors`.
    pub kind: String,
    /// Whether the request is allowed.
    pub allowed: bool,
    /// Status of a preflight the middleware answers itself, or null.
    pub status: Option<u32>,
    /// CORS headers in order, `[name, value]` (Vary excluded).
    pub headers: Vec<Vec<String>>,
    /// Names to append to `Vary`.
    pub vary: Vec<String>,
    /// Body of an answered preflight (empty in the strict profile).
    pub body: String,
    /// The reason of a denial.
    pub reason: Option<JsReason>,
}

/// Corsgate's strict engine, swappable while serving.
#[napi]
pub struct Policy {
    shared: Option<Arc<SharedPolicy>>,
    errors: Vec<Diagnostic>,
}

fn compile(source: &str, kind: &str) -> Result<CorePolicy, ConfigErrors> {
    match kind {
        "file" => CorePolicy::from_file(source),
        "toml" => CorePolicy::parse(source, Format::Toml),
        _ => CorePolicy::parse(source, Format::Json),
    }
}

/// The bytes a JavaScript header string stands for: Node decodes header bytes as Latin-1
/// (core's `latin1`); text with a character above U+00FF, which no Latin-1 decoding made, is
/// taken as its UTF-8.
fn latin1(s: &str) -> Cow<'_, [u8]> {
    latin1::encode(s).unwrap_or(Cow::Borrowed(s.as_bytes()))
}

/// One request header line as bytes: name and value.
type HeaderLine<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// The header lines `[name, value, …]` as bytes, kept alive while a request borrows them.
fn header_bytes(headers: &[String]) -> Vec<HeaderLine<'_>> {
    headers
        .chunks_exact(2)
        .map(|pair| (latin1(&pair[0]), latin1(&pair[1])))
        .collect()
}

fn request_of<'a>(method: &'a str, path: &'a str, lines: &'a [HeaderLine<'a>]) -> Request<'a> {
    let mut req = Request::new(method.as_bytes(), path.as_bytes());
    for (name, value) in lines {
        req.add_header(name, value);
    }
    req
}

#[napi]
impl Policy {
    /// Compiles a policy: `kind` is `json` (text), `toml` (text) or `file` (a path; `.json`
    /// is JSON, anything else TOML). Check `errors` before use.
    #[napi(catch_unwind, constructor)]
    pub fn new(source: String, kind: String) -> Self {
        match compile(&source, &kind) {
            Ok(p) => Policy {
                shared: Some(Arc::new(SharedPolicy::new(p))),
                errors: Vec::new(),
            },
            Err(e) => Policy {
                shared: None,
                errors: e.errors,
            },
        }
    }

    /// Errors that stopped compilation (empty when it compiled).
    #[napi(catch_unwind, getter)]
    pub fn errors(&self) -> Vec<JsDiagnostic> {
        diagnostics(&self.errors)
    }

    /// Lint warnings of the policy serving now.
    #[napi(catch_unwind, getter)]
    pub fn warnings(&self) -> Vec<JsDiagnostic> {
        self.shared
            .as_ref()
            .map(|s| diagnostics(s.load().warnings()))
            .unwrap_or_default()
    }

    /// Compiles a new policy and swaps it in; on errors (returned) the old one keeps serving.
    #[napi(catch_unwind)]
    pub fn reconfigure(&self, source: String, kind: String) -> Vec<JsDiagnostic> {
        match (compile(&source, &kind), &self.shared) {
            (Ok(p), Some(shared)) => {
                shared.store(p);
                Vec::new()
            }
            (Ok(_), None) => Vec::new(),
            (Err(e), _) => diagnostics(&e.errors),
        }
    }

    /// The full decision for a request; `headers` is `[name, value, name, value, …]`, each
    /// pair one header line.
    #[napi(catch_unwind)]
    pub fn evaluate(&self, method: String, path: String, headers: Vec<String>) -> JsDecision {
        let Some(shared) = &self.shared else {
            return JsDecision {
                kind: String::new(),
                allowed: false,
                status: None,
                headers: Vec::new(),
                vary: Vec::new(),
                body: String::new(),
                reason: None,
            };
        };
        let policy = shared.load();
        let lines = header_bytes(&headers);
        let req = request_of(&method, &path, &lines);
        let d = policy.evaluate(&req);
        JsDecision {
            kind: d.kind().as_str().to_string(),
            allowed: d.is_allowed(),
            status: d.status().map(u32::from),
            headers: d
                .headers()
                .iter()
                .map(|(n, v)| vec![n.to_string(), v.to_string()])
                .collect(),
            vary: d.vary().names().iter().map(|n| n.to_string()).collect(),
            body: d.body().to_string(),
            reason: d.reason().map(|r| JsReason {
                code: r.code().as_str().to_string(),
                value: latin1::decode(r.value()),
                message: r.message().to_string(),
                browser_reason: r.browser_reason().to_string(),
            }),
        }
    }

    /// The strict middleware's per-request function (module `evaluator`): `(method, path,
    /// origin, requestMethod, requestHeaders, requestPrivateNetwork) => number | string |
    /// string[]`, each CORS request header `undefined` or one line. It answers with the id of
    /// a template it sent before, a new template (`#id\n…`) or the whole answer: `status,
    /// reasonCode, reasonMessage, vary, name, value, …` `\n`-separated. An answered
    /// preflight's headers are the core's whole response (`Decision::response`: CORS headers,
    /// `Vary`, framing) and `vary` is empty; otherwise the headers are the decision's and
    /// `vary` its `Vary` text, for [`strict_writer`] when the application's head is written.
    /// It follows `reconfigure`. Throws when the policy did not compile.
    #[napi(
        catch_unwind,
        ts_return_type = "(method: string, path: string, origin: string | undefined, requestMethod: string | undefined, requestHeaders: string | undefined, requestPrivateNetwork: string | undefined) => number | string | string[]"
    )]
    pub fn decider<'env>(&self, env: &'env Env) -> napi::Result<Unknown<'env>> {
        match &self.shared {
            Some(shared) => evaluator::create(env, "decide", evaluator::Strict(Arc::clone(shared))),
            None => Err(napi::Error::from_reason("the policy did not compile")),
        }
    }
}

/// An evaluator function that panics on every call (module `evaluator`): the test suite
/// checks with it that a panic inside the raw N-API callback is thrown as an `Error` (which
/// the middlewares answer with 500) instead of aborting the process. Not part of the API.
#[napi(
    catch_unwind,
    js_name = "panicProbe",
    ts_return_type = "(...args: unknown[]) => never"
)]
pub fn panic_probe(env: &Env) -> napi::Result<Unknown<'_>> {
    evaluator::create(env, "panicProbe", evaluator::PanicProbe)
}
