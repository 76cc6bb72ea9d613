//! corsgate-actix against actix-cors 0.7, side by side in one run: the same policy, the same
//! no-op handler, the same requests, and the no-CORS floor (the app without any CORS
//! middleware). `cargo bench -p corsgate-actix --bench vs_actix_cors` (or `make bench-rust`).
//!
//! The timed loop builds each request (`TestRequest::to_request`), calls the service
//! (`init_service`, no sockets) and drops the response; the floor pays the same building and
//! dropping, so the difference to it is the middleware's. (Building 20,000 requests up front
//! instead made the allocator's consolidation of the freed batch dominate the profile.)
//! Rounds of every case alternate, and each case's median over the rounds is reported.
//!
//! `CORSGATE_BENCH_COUNT=<case>` (`list` prints the cases) runs one case
//! `CORSGATE_BENCH_ITERATIONS` times instead, for callgrind: the request is built outside
//! [`counted`], so `--toggle-collect='*counted*'` counts the service call and the drop of its
//! response only (core/benches/instructions.py --actix does that).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::Method;
use actix_web::{test, web, App, Error, HttpResponse};
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// The request type `init_service` takes.
type Request = actix_http::Request;
use std::time::Instant;

const ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.com",
    "https://www.example.com",
];
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const REQUEST_HEADERS: [&str; 3] = ["content-type", "authorization", "x-request-id"];
const EXPOSE_HEADERS: [&str; 1] = ["x-request-id"];
const MAX_AGE: usize = 600;
const ALLOWED_ORIGIN: &str = "https://www.example.com";
const THREE_HEADERS: &str = "authorization,content-type,x-request-id";

const ROUNDS: usize = 61;
const PER_ROUND: usize = 4_000;

fn corsgate_cors() -> corsgate_actix::Cors {
    let mut cors = corsgate_actix::Cors::default();
    for origin in ORIGINS {
        cors = cors.allowed_origin(origin);
    }
    cors.allowed_methods(METHODS)
        .allowed_headers(REQUEST_HEADERS)
        .expose_headers(EXPOSE_HEADERS)
        .supports_credentials()
        .max_age(MAX_AGE)
        .build()
        .unwrap()
}

fn actix_cors() -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default();
    for origin in ORIGINS {
        cors = cors.allowed_origin(origin);
    }
    cors.allowed_methods(METHODS)
        .allowed_headers(REQUEST_HEADERS)
        .expose_headers(EXPOSE_HEADERS)
        .supports_credentials()
        .max_age(MAX_AGE)
}

/// A request as a browser sends it, with a few ordinary headers besides the CORS ones.
fn request(preflight: bool) -> Request {
    let mut r = test::TestRequest::default()
        .uri("/api/items")
        .insert_header(("host", "api.example.com"))
        .insert_header(("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0"))
        .insert_header(("accept", "*/*"))
        .insert_header(("accept-language", "en-US,en;q=0.9"))
        .insert_header(("origin", ALLOWED_ORIGIN));
    if preflight {
        r = r
            .method(Method::OPTIONS)
            .insert_header(("access-control-request-method", "PUT"))
            .insert_header(("access-control-request-headers", THREE_HEADERS));
    }
    r.to_request()
}

/// Nanoseconds per request of one round: `PER_ROUND` calls of `service`.
async fn round<S, B>(service: &S, preflight: bool) -> f64
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let start = Instant::now();
    for _ in 0..PER_ROUND {
        drop(black_box(service.call(request(preflight)).await));
    }
    start.elapsed().as_nanos() as f64 / PER_ROUND as f64
}

/// The CORS headers of one answer, for checking both middlewares agree before timing.
fn cors_names(headers: &HeaderMap) -> Vec<String> {
    let mut names: Vec<String> = headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect();
    names.sort();
    names
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn noop() -> HttpResponse {
    HttpResponse::Ok().finish()
}

/// One call of `service` and the drop of its response, polled once with a no-op waker (the
/// no-op handler answers without waiting). Under `valgrind --tool=callgrind
/// --toggle-collect='*counted*'` only this function's instructions are counted.
#[inline(never)]
fn counted<S, B>(service: &S, request: Request)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let mut future = pin!(service.call(request));
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(response) => drop(black_box(response)),
        Poll::Pending => panic!("the no-op service answers at once"),
    }
}

/// The callgrind cases: `preflight/` or `actual/`, then the service's name.
const SERVICES: [&str; 3] = ["floor", "corsgate-actix", "actix-cors"];

/// Runs `service` `n` times on the requests of `preflight`.
fn count<S, B>(service: &S, preflight: bool, n: usize)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    for _ in 0..n {
        counted(service, request(preflight));
    }
}

fn main() {
    actix_rt::System::new().block_on(async {
        let floor = test::init_service(App::new().route("/api/items", web::to(noop))).await;
        let ours = test::init_service(
            App::new()
                .wrap(corsgate_cors())
                .route("/api/items", web::to(noop)),
        )
        .await;
        let theirs = test::init_service(
            App::new()
                .wrap(actix_cors())
                .route("/api/items", web::to(noop)),
        )
        .await;
        for preflight in [true, false] {
            let a = ours.call(request(preflight)).await.unwrap();
            let b = theirs.call(request(preflight)).await.unwrap();
            assert!(a.status().is_success() && b.status().is_success());
            assert_eq!(cors_names(a.headers()), cors_names(b.headers()));
        }
        if let Ok(wanted) = std::env::var("CORSGATE_BENCH_COUNT") {
            let n = std::env::var("CORSGATE_BENCH_ITERATIONS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10_000);
            if wanted == "list" {
                for what in ["preflight", "actual"] {
                    SERVICES.iter().for_each(|s| println!("{what}/{s}"));
                }
                return;
            }
            let (what, name) = wanted.split_once('/').expect("a case: <what>/<service>");
            let preflight = what == "preflight";
            match name {
                "floor" => count(&floor, preflight, n),
                "corsgate-actix" => count(&ours, preflight, n),
                "actix-cors" => count(&theirs, preflight, n),
                _ => panic!("no case named {wanted:?}"),
            }
            return;
        }
        println!("| request | no CORS middleware | corsgate-actix | actix-cors | actix-cors / corsgate (total) | above the floor: actix-cors / corsgate |");
        println!("|---|---|---|---|---|---|");
        for (what, preflight) in [
            ("allowed preflight, 3 requested headers", true),
            ("allowed actual request, exact origin", false),
        ] {
            let (mut f, mut o, mut t) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                f.push(round(&floor, preflight).await);
                o.push(round(&ours, preflight).await);
                t.push(round(&theirs, preflight).await);
            }
            let (f, o, t) = (median(f), median(o), median(t));
            println!(
                "| {what} | {f:.1} ns | {o:.1} ns | {t:.1} ns | {:.2}x | {:.2}x (target >= 1.5x) |",
                t / o,
                (t - f) / (o - f)
            );
        }
    });
}
