//! Criterion benchmarks of the core hot path, and of corsgate against tower-http's `CorsLayer`.
//!
//! Run with `cargo bench -p corsgate --bench evaluate` (or `make bench`); the numbers and the
//! machine they were taken on are in docs/BENCHMARKS.md.
//!
//! The `core/…` benchmarks time what a server does per request with the core alone: build a
//! [`Request`] from the raw header lines and [`Policy::evaluate`] it. The `vs_tower_http/…`
//! benchmarks time a whole middleware step over `http` types on both sides: read the request's
//! CORS headers, decide, call the no-op inner service when the application answers, and write
//! the CORS headers and `Vary` into the response's `http::HeaderMap`.

// criterion_group! generates an undocumented `pub fn`, and setup code may panic: this is a
// benchmark binary, not library code.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use corsgate::{names, Decision, Policy, PolicyConfig, Request, MAX_HEADERS};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, StatusCode};
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tower::{Layer, Service, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

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

/// Builds the request from `lines` and evaluates it, keeping the whole decision observable.
fn bench_core(c: &mut Criterion, name: &str, policy: &Policy, method: &[u8], lines: &Lines<'_>) {
    let decision: Decision<'_> = policy.evaluate(&build(method, lines));
    let preflight = method == b"OPTIONS";
    // Guard against benchmarking something other than the name says.
    let expect_allowed = !name.contains("denied") && !name.contains("ACRH");
    assert_eq!(
        decision.is_allowed(),
        expect_allowed,
        "{name}: {decision:?}"
    );
    assert_eq!(
        decision.kind() == corsgate::Kind::Preflight,
        preflight,
        "{name}"
    );
    c.bench_function(name, |b| {
        b.iter(|| {
            let req = build(black_box(method), black_box(lines));
            let decision = policy.evaluate(&req);
            black_box(&decision);
        })
    });
}

fn core(c: &mut Criterion) {
    let policy = policy(strings(&ORIGINS));
    let origin = ALLOWED_ORIGIN.as_bytes();
    bench_core(
        c,
        "core/allowed actual request, exact origin",
        &policy,
        b"GET",
        &[(b"Origin", origin)],
    );
    bench_core(
        c,
        "core/allowed preflight, 3 requested headers",
        &policy,
        b"OPTIONS",
        &[
            (b"Origin", origin),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", THREE_HEADERS.as_bytes()),
        ],
    );
    bench_core(
        c,
        "core/denied preflight, origin not allowed",
        &policy,
        b"OPTIONS",
        &[
            (b"Origin", DENIED_ORIGIN.as_bytes()),
            (b"Access-Control-Request-Method", b"PUT"),
        ],
    );
    let huge = "x-custom-header,".repeat(1 << 16);
    assert_eq!(huge.len(), 1 << 20);
    bench_core(
        c,
        "core/preflight with a 1 MiB ACRH, refused",
        &policy,
        b"OPTIONS",
        &[
            (b"Origin", origin),
            (b"Access-Control-Request-Method", b"PUT"),
            (b"Access-Control-Request-Headers", huge.as_bytes()),
        ],
    );
}

/// The same allowed actual request against 1 exact origin, 10,000 exact origins and 1,000
/// subdomain wildcards; the request's origin matches the last entry of each list.
fn scaling(c: &mut Criterion) {
    let one = policy(vec!["https://app.tenant9999.example.com".into()]);
    let exact = policy(
        (0..10_000)
            .map(|n| format!("https://app.tenant{n}.example.com"))
            .collect(),
    );
    let wildcards = policy(
        (0..1_000)
            .map(|n| format!("https://*.tenant{n}.example.com"))
            .collect(),
    );
    let cases: [(&str, &Policy, &str); 3] = [
        (
            "scaling/allowed actual request, 1 exact origin",
            &one,
            "https://app.tenant9999.example.com",
        ),
        (
            "scaling/allowed actual request, 10,000 exact origins",
            &exact,
            "https://app.tenant9999.example.com",
        ),
        (
            "scaling/allowed actual request, 1,000 wildcard patterns",
            &wildcards,
            "https://app.tenant999.example.com",
        ),
    ];
    for (name, policy, origin) in cases {
        bench_core(c, name, policy, b"GET", &[(b"Origin", origin.as_bytes())]);
    }
}

// ---- corsgate vs tower-http, both over `http` types -------------------------------------

type HttpRequest = http::Request<()>;
type HttpResponse = http::Response<()>;

const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");

/// The application: a no-op service that answers an empty response.
fn app(_req: HttpRequest) -> Ready<Result<HttpResponse, Infallible>> {
    ready(Ok(HttpResponse::new(())))
}

/// The `http` name of a header corsgate sets.
fn header_name(name: &'static str) -> HeaderName {
    match name {
        names::ALLOW_ORIGIN => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        names::ALLOW_CREDENTIALS => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        names::ALLOW_METHODS => header::ACCESS_CONTROL_ALLOW_METHODS,
        names::ALLOW_HEADERS => header::ACCESS_CONTROL_ALLOW_HEADERS,
        names::MAX_AGE => header::ACCESS_CONTROL_MAX_AGE,
        names::EXPOSE_HEADERS => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        names::ALLOW_PRIVATE_NETWORK => ACAPN,
        other => HeaderName::from_bytes(other.as_bytes()).expect("corsgate names are valid"),
    }
}

/// A corsgate middleware step, as a real integration writes it: read the CORS request headers,
/// evaluate, answer a preflight itself or hand the request to the application, then write the
/// headers and append `Vary` to the response.
fn corsgate_middleware(policy: &Policy, req: HttpRequest) -> HttpResponse {
    // The decision borrows the request. An answered preflight writes it straight into its
    // response; otherwise its headers are kept as owned `http` values (on the stack) so that
    // the request can move on to the application.
    let mut kept: [Option<(HeaderName, HeaderValue)>; MAX_HEADERS];
    let (count, vary) = {
        let headers = req.headers();
        let mut view = Request::new(
            req.method().as_str().as_bytes(),
            req.uri().path().as_bytes(),
        );
        // One pass over the request's headers (cheaper than a lookup per CORS header); the
        // origin and method are kept, as an answer reflecting them can share their bytes.
        let mut reflectable = [None, None];
        for (name, value) in headers {
            view.add_header(name.as_str().as_bytes(), value.as_bytes());
            if name == header::ORIGIN {
                reflectable[0] = Some(value);
            } else if name == header::ACCESS_CONTROL_REQUEST_METHOD {
                reflectable[1] = Some(value);
            }
        }
        let decision = policy.evaluate(&view);
        let vary = decision.vary().value();
        if let Some(status) = decision.status() {
            let mut response = HttpResponse::new(());
            *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::NO_CONTENT);
            write_headers(
                response.headers_mut(),
                decision.headers().len(),
                decision.headers().iter().filter_map(|&(name, value)| {
                    Some((header_name(name), header_value(value, &reflectable)?))
                }),
                vary,
            );
            return response;
        }
        kept = Default::default();
        for (slot, &(name, value)) in kept.iter_mut().zip(decision.headers()) {
            *slot = header_value(value, &reflectable).map(|v| (header_name(name), v));
        }
        (decision.headers().len(), vary)
    };
    let mut response = match poll_once(app(req)) {
        Ok(r) => r,
        Err(never) => match never {},
    };
    write_headers(
        response.headers_mut(),
        count,
        kept.iter_mut().map_while(Option::take),
        vary,
    );
    response
}

/// Appends the CORS headers and the `Vary` names to a response's headers.
fn write_headers(
    map: &mut HeaderMap,
    count: usize,
    headers: impl Iterator<Item = (HeaderName, HeaderValue)>,
    vary: &'static str,
) {
    map.reserve(count + 1);
    for (name, value) in headers {
        map.append(name, value);
    }
    if !vary.is_empty() {
        map.append(header::VARY, HeaderValue::from_static(vary));
    }
}

/// A decision's value as an `http` value: a value equal to a request header (the reflected
/// origin or method) shares that header's bytes, `true` is static, anything else is copied.
/// corsgate validates every value it emits, so the conversion never fails.
fn header_value(value: &str, reflectable: &[Option<&HeaderValue>]) -> Option<HeaderValue> {
    if value == "true" {
        return Some(HeaderValue::from_static("true"));
    }
    let same = reflectable
        .iter()
        .flatten()
        .find(|v| v.as_bytes() == value.as_bytes());
    match same {
        Some(v) => Some((*v).clone()),
        None => HeaderValue::from_str(value).ok(),
    }
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

fn vs_tower_http(c: &mut Criterion) {
    let policy = policy(strings(&ORIGINS));
    let mut tower = tower_layer().layer(tower::service_fn(app));
    let preflight = || {
        http_request(
            Method::OPTIONS,
            &[
                (header::ORIGIN, ALLOWED_ORIGIN),
                (header::ACCESS_CONTROL_REQUEST_METHOD, "PUT"),
                (header::ACCESS_CONTROL_REQUEST_HEADERS, THREE_HEADERS),
            ],
        )
    };
    let actual = || http_request(Method::GET, &[(header::ORIGIN, ALLOWED_ORIGIN)]);

    // Both answer the same: every CORS header either engine sets is present in the response.
    for make in [&preflight as &dyn Fn() -> HttpRequest, &actual] {
        let ours = corsgate_middleware(&policy, make());
        let theirs = poll_once(tower.ready()).and_then(|s| poll_once(s.call(make())));
        let theirs = theirs.unwrap();
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

    let cases: [(&str, &dyn Fn() -> HttpRequest); 2] = [
        ("allowed preflight, 3 requested headers", &preflight),
        ("allowed actual request, exact origin", &actual),
    ];
    for (what, make) in cases {
        // The floor both pay: building the input outside the timing, then the no-op
        // application consuming the request inside it.
        c.bench_function(&format!("vs_tower_http/{what}/no CORS layer"), |b| {
            b.iter_batched(
                make,
                |req| match poll_once(app(req)) {
                    Ok(r) => r,
                    Err(never) => match never {},
                },
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("vs_tower_http/{what}/corsgate"), |b| {
            b.iter_batched(
                make,
                |req| corsgate_middleware(&policy, req),
                BatchSize::SmallInput,
            )
        });
        c.bench_function(&format!("vs_tower_http/{what}/tower-http"), |b| {
            b.iter_batched(
                make,
                |req| {
                    let svc = poll_once(tower.ready()).unwrap();
                    poll_once(svc.call(req)).unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
}

fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_millis(2500))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = core, scaling, vs_tower_http
}
criterion_main!(benches);
