//! Criterion benchmarks of the core hot path, and of corsgate against tower-http's `CorsLayer`.
//!
//! Run with `cargo bench -p corsgate --features tower --bench evaluate` (or `make bench`); the numbers and the
//! machine they were taken on are in docs/BENCHMARKS.md.
//!
//! The `core/…` benchmarks time what a server does per request with the core alone: build a
//! [`Request`] from the raw header lines and [`Policy::evaluate`] it. The `vs_tower_http/…`
//! benchmarks time a whole middleware step over `http` types on both sides: read the request's
//! CORS headers, decide, call the no-op inner service when the application answers, and write
//! the CORS headers and `Vary` into the response's `http::HeaderMap`.

// Setup code may panic: this is a benchmark binary, not library code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use corsgate::http::HttpPolicy;
use corsgate::{Decision, Observer, Policy, PolicyConfig, Request};
use criterion::{black_box, BatchSize, Criterion};
use http::header::{self, HeaderName, HeaderValue};
use http::Method;
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

use corsgate::tower::CorsLayer as CorsgateLayer;

/// The policy both engines are configured with (the tower-http twin is [`tower_layer`]).
const ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
];
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const REQUEST_HEADERS: [&str; 3] = ["content-type", "authorization", "x-request-id"];
const EXPOSE_HEADERS: [&str; 1] = ["x-request-id"];
const MAX_AGE: u64 = 600;

/// The allowed origin the requests come from: the last in the list.
const ALLOWED_ORIGIN: &str = "https://www.example.com";
/// A well-formed origin the policy does not allow.
const DENIED_ORIGIN: &str = "https://evil.example.net";
/// Three requested headers, as Chromium sends them (lower case, sorted, `,` without spaces).
const THREE_HEADERS: &str = "authorization,content-type,x-request-id";

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn config(origins: Vec<String>) -> PolicyConfig {
    PolicyConfig {
        origins,
        methods: strings(&METHODS),
        request_headers: strings(&REQUEST_HEADERS),
        expose_headers: strings(&EXPOSE_HEADERS),
        credentials: true,
        max_age: Some(MAX_AGE as i64),
        ..PolicyConfig::default()
    }
}

fn policy(origins: Vec<String>) -> Policy {
    Policy::compile(&config(origins)).expect("benchmark policy compiles")
}

/// What a server hands the core: method, path and the header lines, in order.
type Lines<'a> = [(&'a [u8], &'a [u8])];

fn build<'a>(method: &'a [u8], lines: &Lines<'a>) -> Request<'a> {
    let mut req = Request::new(method, b"/api/items");
    for &(name, value) in lines {
        req.add_header(name, value);
    }
    req
}

/// The benchmarks, each a name and a routine doing one request's work: criterion times the
/// routines, and `CORSGATE_BENCH_COUNT` runs one of them for callgrind (see [`main`]).
type Cases<'a> = Vec<(String, Box<dyn FnMut() + 'a>)>;

/// Adds a core benchmark: build the request from `lines` and evaluate it, keeping the whole
/// decision observable. Checks first that the decision is the one the name describes.
fn core_case<'a>(
    cases: &mut Cases<'a>,
    name: &str,
    policy: &'a Policy,
    method: &'a [u8],
    lines: &'a Lines<'a>,
) {
    let decision: Decision<'_> = policy.evaluate(&build(method, lines));
    let expect_allowed = !name.contains("denied") && !name.contains("ACRH");
    assert_eq!(
        decision.is_allowed(),
        expect_allowed,
        "{name}: {decision:?}"
    );
    assert_eq!(
        decision.kind() == corsgate::Kind::Preflight,
        method == b"OPTIONS",
        "{name}"
    );
    let run = move || {
        let req = build(black_box(method), black_box(lines));
        let decision = policy.evaluate(&req);
        black_box(&decision);
    };
    cases.push((name.to_string(), Box::new(run)));
}

/// Setup data lives as long as the benchmark binary.
fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn core_cases(cases: &mut Cases<'static>) {
    let policy = leak(policy(strings(&ORIGINS)));
    let origin = ALLOWED_ORIGIN.as_bytes();
    let huge = leak("x-custom-header,".repeat(1 << 16));
    assert_eq!(huge.len(), 1 << 20);
    let list: [(&str, &[u8], &'static Lines<'static>); 5] = [
        (
            "core/allowed actual request, exact origin",
            b"GET",
            leak([(&b"Origin"[..], origin)]),
        ),
        (
            "core/allowed preflight, 3 requested headers",
            b"OPTIONS",
            leak([
                (&b"Origin"[..], origin),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", THREE_HEADERS.as_bytes()),
            ]),
        ),
        (
            // The same names as no browser writes them (spaces, upper case, unsorted): the
            // names are checked one by one instead of the line being recognised whole.
            "core/allowed preflight, 3 requested headers, unsorted with spaces",
            b"OPTIONS",
            leak([
                (&b"Origin"[..], origin),
                (b"Access-Control-Request-Method", b"PUT"),
                (
                    b"Access-Control-Request-Headers",
                    b"X-Request-ID, Content-Type, authorization",
                ),
            ]),
        ),
        (
            "core/denied preflight, origin not allowed",
            b"OPTIONS",
            leak([
                (&b"Origin"[..], DENIED_ORIGIN.as_bytes()),
                (b"Access-Control-Request-Method", b"PUT"),
            ]),
        ),
        (
            "core/preflight with a 1 MiB ACRH, refused",
            b"OPTIONS",
            leak([
                (&b"Origin"[..], origin),
                (b"Access-Control-Request-Method", b"PUT"),
                (b"Access-Control-Request-Headers", huge.as_bytes()),
            ]),
        ),
    ];
    for (name, method, lines) in list {
        core_case(cases, name, policy, method, lines);
    }
}

/// The cost of observing a denied actual request (docs/BENCHMARKS.md, "Reports"): the
/// evaluation alone, with the counters a binding without a log or hook keeps, with the
/// report built and dropped unread, and with the report formatted into a log line.
fn observe_cases(cases: &mut Cases<'static>) {
    let policy = leak(policy(strings(&ORIGINS)));
    let lines: &'static Lines<'static> = leak([(&b"Origin"[..], DENIED_ORIGIN.as_bytes())]);
    // No limit: every report is built, as under a flood before the limiter would step in.
    let observer = leak(Observer::new(0, 0));
    let evaluate = move || {
        let req = build(black_box(b"GET"), black_box(lines));
        black_box(&policy.evaluate(&req));
    };
    let record = move || {
        let req = build(black_box(b"GET"), black_box(lines));
        let decision = policy.evaluate(&req);
        observer.record(&decision);
        black_box(&decision);
    };
    let report = move || {
        let req = build(black_box(b"GET"), black_box(lines));
        let decision = policy.evaluate(&req);
        black_box(observer.observe(&decision, &req));
    };
    let mut line = String::new();
    let formatted = move || {
        use std::fmt::Write;
        let req = build(black_box(b"GET"), black_box(lines));
        let decision = policy.evaluate(&req);
        line.clear();
        if let Some(report) = observer.observe(&decision, &req) {
            let _ = write!(line, "{report}");
        }
        black_box(&line);
    };
    let list: Cases<'static> = vec![
        ("observe/denied actual, evaluate".into(), Box::new(evaluate)),
        (
            "observe/denied actual, evaluate + record".into(),
            Box::new(record),
        ),
        (
            "observe/denied actual, evaluate + observe (report unread)".into(),
            Box::new(report),
        ),
        (
            "observe/denied actual, evaluate + observe + log line".into(),
            Box::new(formatted),
        ),
    ];
    cases.extend(list);
}

/// The same allowed actual request against 1 exact origin, 10,000 exact origins and 1,000
/// subdomain wildcards; the request's origin matches the last entry of each list.
fn scaling_cases(cases: &mut Cases<'static>) {
    let one = leak(policy(vec!["https://app.tenant9999.example.com".into()]));
    let exact = leak(policy(
        (0..10_000)
            .map(|n| format!("https://app.tenant{n}.example.com"))
            .collect(),
    ));
    let wildcards = leak(policy(
        (0..1_000)
            .map(|n| format!("https://*.tenant{n}.example.com"))
            .collect(),
    ));
    let list: [(&str, &'static Policy, &'static str); 3] = [
        (
            "scaling/allowed actual request, 1 exact origin",
            one,
            "https://app.tenant9999.example.com",
        ),
        (
            "scaling/allowed actual request, 10,000 exact origins",
            exact,
            "https://app.tenant9999.example.com",
        ),
        (
            "scaling/allowed actual request, 1,000 wildcard patterns",
            wildcards,
            "https://app.tenant999.example.com",
        ),
    ];
    for (name, policy, origin) in list {
        let lines = leak([(&b"Origin"[..], origin.as_bytes())]);
        core_case(cases, name, policy, b"GET", lines);
    }
}

// ---- corsgate vs tower-http, both over `http` types -------------------------------------

type HttpRequest = http::Request<()>;
type HttpResponse = http::Response<()>;

/// The application: a no-op service that answers an empty response.
fn app(_req: HttpRequest) -> Ready<Result<HttpResponse, Infallible>> {
    ready(Ok(HttpResponse::new(())))
}

/// A corsgate middleware step, as a user of [`corsgate::http`] writes it: answer a preflight
/// or hand the request to the application, then write the CORS headers into its response.
fn corsgate_middleware(cors: &HttpPolicy, req: HttpRequest) -> HttpResponse {
    let headers = {
        let decision = cors.evaluate(&req);
        if let Some(response) = decision.preflight_response() {
            return response;
        }
        decision.response_headers()
    };
    let mut response = match poll_once(app(req)) {
        Ok(r) => r,
        Err(never) => match never {},
    };
    headers.apply(response.headers_mut());
    response
}

/// tower-http configured like [`config`]: the same origins, methods, headers, exposed headers,
/// credentials and max-age.
fn tower_layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(ORIGINS.map(HeaderValue::from_static)))
        .allow_methods(METHODS.map(|m| Method::from_bytes(m.as_bytes()).unwrap()))
        .allow_headers(REQUEST_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSE_HEADERS.map(HeaderName::from_static))
        .allow_credentials(true)
        .max_age(Duration::from_secs(MAX_AGE))
}

/// Polls a future that is ready at once (no executor in the timed loop).
fn poll_once<F: Future>(fut: F) -> F::Output {
    let mut cx = Context::from_waker(futures_task::noop_waker_ref());
    match pin!(fut).poll(&mut cx) {
        Poll::Ready(out) => out,
        Poll::Pending => unreachable!("every future here is ready at once"),
    }
}

/// A request as a browser sends it, with a few ordinary headers besides the CORS ones.
fn http_request(method: Method, cors: &[(HeaderName, &'static str)]) -> HttpRequest {
    let mut req = http::Request::builder()
        .method(method)
        .uri("/api/items")
        .header(header::HOST, "api.example.com")
        .header(
            header::USER_AGENT,
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0",
        )
        .header(header::ACCEPT, "*/*")
        .header(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .body(())
        .unwrap();
    for (name, value) in cors {
        req.headers_mut()
            .append(name, HeaderValue::from_static(value));
    }
    req
}

/// A benchmark over `http` types: a routine consuming a fresh request built by `make`
/// (outside criterion's timing).
type HttpCase = (
    String,
    &'static dyn Fn() -> HttpRequest,
    Box<dyn FnMut(HttpRequest) -> HttpResponse>,
);

fn http_cases() -> Vec<HttpCase> {
    let corsgate_layer = CorsgateLayer::new(policy(strings(&ORIGINS)));
    let policy = leak(HttpPolicy::new(policy(strings(&ORIGINS))));
    let preflight: &'static dyn Fn() -> HttpRequest = leak(|| {
        http_request(
            Method::OPTIONS,
            &[
                (header::ORIGIN, ALLOWED_ORIGIN),
                (header::ACCESS_CONTROL_REQUEST_METHOD, "PUT"),
                (header::ACCESS_CONTROL_REQUEST_HEADERS, THREE_HEADERS),
            ],
        )
    });
    let actual: &'static dyn Fn() -> HttpRequest =
        leak(|| http_request(Method::GET, &[(header::ORIGIN, ALLOWED_ORIGIN)]));
    // Each benchmark owns its tower-http service (`call` takes `&mut self`).
    let tower = || {
        let mut service = tower_layer().layer(tower::service_fn(app));
        move |req: HttpRequest| {
            let ready = poll_once(service.ready()).unwrap();
            poll_once(ready.call(req)).unwrap()
        }
    };
    let mut call_tower = tower();
    // corsgate's own tower Layer around the same no-op service.
    let layer = || {
        let mut service = corsgate_layer.layer(tower::service_fn(app));
        move |req: HttpRequest| {
            let ready = poll_once(service.ready()).unwrap();
            poll_once(ready.call(req)).unwrap()
        }
    };
    let mut call_layer = layer();

    // Both answer the same: every CORS header either engine sets is present in the response.
    for make in [preflight, actual] {
        let ours = corsgate_middleware(policy, make());
        let theirs = call_tower(make());
        let layered = call_layer(make());
        assert_eq!(ours.headers(), layered.headers());
        assert_eq!(ours.status(), layered.status());
        for name in [
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::ACCESS_CONTROL_MAX_AGE,
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ] {
            assert_eq!(
                ours.headers().contains_key(&name),
                theirs.headers().contains_key(&name),
                "{name}: corsgate {ours:?} vs tower-http {theirs:?}"
            );
        }
        assert!(ours.status().is_success() && theirs.status().is_success());
    }

    let mut cases: Vec<HttpCase> = Vec::new();
    for (what, make) in [
        ("allowed preflight, 3 requested headers", preflight),
        ("allowed actual request, exact origin", actual),
    ] {
        // The floor both pay: the no-op application consuming the request.
        cases.push((
            format!("vs_tower_http/{what}/no CORS layer"),
            make,
            Box::new(|req| match poll_once(app(req)) {
                Ok(r) => r,
                Err(never) => match never {},
            }),
        ));
        cases.push((
            format!("vs_tower_http/{what}/corsgate"),
            make,
            Box::new(move |req| corsgate_middleware(policy, req)),
        ));
        cases.push((
            format!("vs_tower_http/{what}/corsgate Layer"),
            make,
            Box::new(layer()),
        ));
        cases.push((
            format!("vs_tower_http/{what}/tower-http"),
            make,
            Box::new(tower()),
        ));
    }
    cases
}

fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(50)
}

/// Runs `run` `n` times. Under `valgrind --tool=callgrind --toggle-collect='*counted*'` only
/// this function's instructions are counted (core/benches/instructions.py does that).
#[inline(never)]
fn counted(run: &mut dyn FnMut(), n: u64) {
    for _ in 0..n {
        run();
    }
}

fn main() {
    let mut cases: Cases<'static> = Vec::new();
    core_cases(&mut cases);
    scaling_cases(&mut cases);
    observe_cases(&mut cases);
    let mut http = http_cases();

    // `CORSGATE_BENCH_COUNT=list` prints the names; `CORSGATE_BENCH_COUNT=<name>` runs that
    // benchmark `CORSGATE_BENCH_ITERATIONS` times (default 10,000) instead of criterion.
    if let Ok(wanted) = std::env::var("CORSGATE_BENCH_COUNT") {
        let n = std::env::var("CORSGATE_BENCH_ITERATIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000);
        let names = cases.iter().map(|c| &c.0).chain(http.iter().map(|c| &c.0));
        if wanted == "list" {
            names.for_each(|name| println!("{name}"));
            return;
        }
        if let Some((_, run)) = cases.iter_mut().find(|c| c.0 == wanted) {
            counted(run, n);
        } else if let Some((_, make, route)) = http.iter_mut().find(|c| c.0 == wanted) {
            // Building the request is counted too; the "no CORS layer" case measures it.
            counted(&mut || drop(black_box(route(make()))), n);
        } else {
            panic!("no benchmark named {wanted:?}");
        }
        return;
    }

    let mut c = criterion().configure_from_args();
    for (name, run) in &mut cases {
        c.bench_function(name, |b| b.iter(&mut *run));
    }
    for (name, make, route) in &mut http {
        c.bench_function(name, |b| {
            b.iter_batched(&**make, &mut *route, BatchSize::SmallInput)
        });
    }
    c.final_summary();
}
