//! corsgate-actix in a real actix-web 4 server on 127.0.0.1, exercised over HTTP/1.1: every
//! shared request vector, preflights before an authentication middleware, errors of the
//! middleware, the handlers and the router carrying CORS headers, an origin function, live
//! reconfiguration, and actix-cors's options mapped onto the policy.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../core/tests/common/mod.rs"]
mod common;
#[path = "../../core/tests/common/http.rs"]
mod vector_http;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Condition, Next};
use actix_web::{web, App, Error, HttpResponse, HttpServer};
use common::{cases, compile};
use corsgate::Policy;
use corsgate_actix::Cors;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use vector_http::{expected, http_request, observed};

/// Starts an actix-web server (one worker) on 127.0.0.1 with `cors` around `routes` (and
/// around the authentication middleware when `auth`).
fn serve<F>(cors: Cors, auth: bool, routes: F) -> SocketAddr
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let server = HttpServer::new(move || {
        App::new()
            .configure(routes.clone())
            .wrap(Condition::new(auth, from_fn(require_token)))
            .wrap(cors.clone())
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    actix_rt::spawn(server.run());
    addr
}

/// An authentication middleware: `/api/*` needs `Authorization: Bearer t0ken`, and refuses
/// with an error (`Err`, not a response), as actix middlewares usually do.
async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let protected = req.path().starts_with("/api/");
    let token = req.headers().get("authorization");
    if protected && token.is_none_or(|t| t != "Bearer t0ken") {
        return Err(actix_web::error::ErrorUnauthorized("no token"));
    }
    next.call(req).await
}

/// One HTTP/1.1 client connection.
struct Client {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Client {
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        actix_rt::spawn(conn);
        Client { sender }
    }

    async fn send(&mut self, req: http::Request<()>) -> (StatusCode, HeaderMap, Bytes) {
        self.try_send(req).await.unwrap()
    }

    async fn try_send(
        &mut self,
        req: http::Request<()>,
    ) -> Result<(StatusCode, HeaderMap, Bytes), hyper::Error> {
        let (mut parts, ()) = req.into_parts();
        parts.headers.insert("host", "api.test".parse().unwrap());
        self.sender.ready().await?;
        let response = self
            .sender
            .send_request(http::Request::from_parts(parts, Empty::new()))
            .await?;
        let (parts, body) = response.into_parts();
        Ok((
            parts.status,
            parts.headers,
            body.collect().await?.to_bytes(),
        ))
    }
}

fn request(method: Method, path: &str, headers: &[(&str, &str)]) -> http::Request<()> {
    let mut builder = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

async fn answer_app() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-app", "answered"))
        .body("app")
}

#[actix_rt::test]
async fn every_request_vector_through_a_real_actix_server() {
    let cors = Cors::from_policy(Policy::from_toml("origins = []").unwrap());
    let handle = cors.handle();
    let addr = serve(cors, false, |c| {
        c.default_service(web::to(answer_app));
    });
    let mut client = Client::connect(addr).await;
    let all = cases("requests");
    let (mut ran, mut failures) = (0, Vec::new());
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    for (file, case) in &all {
        let req = match http_request(case) {
            Ok(r) => r,
            Err(why) => {
                *skipped.entry(why).or_default() += 1;
                continue;
            }
        };
        let padded = req.headers().values().any(|v| {
            let b = v.as_bytes();
            [b.first(), b.last()]
                .into_iter()
                .flatten()
                .any(|c| *c == b' ' || *c == b'\t')
        });
        if padded {
            // RFC 9112: whitespace around a field value is not part of it.
            *skipped
                .entry("a value with leading or trailing whitespace (HTTP/1.1 strips it)")
                .or_default() += 1;
            continue;
        }
        handle.store(compile(case).unwrap());
        let name = case["name"].as_str().unwrap();
        let (status, headers, _) = match client.try_send(req).await {
            Ok(answer) => answer,
            Err(e) => {
                failures.push(format!("{file} {name}: {e}"));
                client = Client::connect(addr).await;
                continue;
            }
        };
        if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE {
            *skipped
                .entry("over actix-web's request head limit (431 before any middleware)")
                .or_default() += 1;
            client = Client::connect(addr).await;
            continue;
        }
        let by_app = headers.get("x-app").is_some();
        let mut cors = HeaderMap::new();
        for (name, value) in &headers {
            if name.as_str().starts_with("access-control-") || name == http::header::VARY {
                cors.append(name.clone(), value.clone());
            }
        }
        // actix-web's HeaderMap keeps no order between names (only among one name's
        // values), so both sides are compared in name order.
        let got = by_name(observed((!by_app).then_some(status.as_u16()), &cors));
        let want = by_name(expected(&case["expect"]));
        if got != want || (by_app && status != StatusCode::OK) {
            failures.push(format!(
                "{file} {name}:\n  expected {want}\n  got {status} {got}"
            ));
        }
        ran += 1;
    }
    println!("ran {ran} of {} vectors over HTTP", all.len());
    for (why, n) in &skipped {
        println!("skipped {n} vectors: {why}");
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(ran >= all.len() * 9 / 10, "ran only {ran} of {}", all.len());
}

/// A vector answer with its headers stably sorted by name.
fn by_name(mut answer: serde_json::Value) -> serde_json::Value {
    if let Some(headers) = answer["headers"].as_array_mut() {
        headers.sort_by(|a, b| a[0].as_str().cmp(&b[0].as_str()));
    }
    answer
}

const ORIGIN: &str = "https://app.example.com";

fn api_cors() -> Cors {
    Cors::default()
        .allowed_origin(ORIGIN)
        .allowed_methods(["PUT"])
        .allowed_headers([actix_web::http::header::AUTHORIZATION])
        .allowed_header("content-type")
        .expose_headers(["x-request-id"])
        .supports_credentials()
        .max_age(600)
        .build()
        .unwrap()
}

#[actix_rt::test]
async fn preflights_are_answered_before_authentication_and_errors_keep_cors_headers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let addr = serve(api_cors(), true, move |c| {
        let counter = counter.clone();
        c.route(
            "/api/items",
            web::route().to(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async {
                    HttpResponse::Ok()
                        .insert_header(("x-request-id", "r1"))
                        .body("items")
                }
            }),
        )
        .route(
            "/api/broken",
            web::get().to(|| async {
                Err::<HttpResponse, _>(actix_web::error::ErrorInternalServerError("boom"))
            }),
        );
    });
    let mut client = Client::connect(addr).await;

    let preflight = request(
        Method::OPTIONS,
        "/api/items",
        &[
            ("origin", ORIGIN),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "authorization,content-type",
            ),
        ],
    );
    let (status, h, body) = client.send(preflight).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["access-control-allow-methods"], "PUT");
    assert_eq!(
        h["access-control-allow-headers"],
        "authorization, content-type"
    );
    assert_eq!(h["access-control-max-age"], "600");
    assert_eq!(
        h["vary"],
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    );
    assert!(body.is_empty());
    assert_eq!(calls.load(Ordering::SeqCst), 0, "the route was not reached");

    let denied = request(
        Method::OPTIONS,
        "/api/items",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    );
    let (status, h, _) = client.send(denied).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(h.get("access-control-allow-origin").is_none());

    // The auth middleware's Err(401) carries the CORS headers.
    let (status, h, body) = client
        .send(request(Method::GET, "/api/items", &[("origin", ORIGIN)]))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["vary"], "Origin");
    assert_eq!(body, "no token");

    // A handler's Err(500) and the router's 404 too.
    let authed = [("origin", ORIGIN), ("authorization", "Bearer t0ken")];
    let (status, h, _) = client
        .send(request(Method::GET, "/api/broken", &authed))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    let (status, h, _) = client
        .send(request(Method::GET, "/api/nowhere", &authed))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);

    let (status, h, _) = client
        .send(request(Method::PUT, "/api/items", &authed))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-expose-headers"], "x-request-id");
    let evil = [
        ("origin", "https://evil.example"),
        ("authorization", "Bearer t0ken"),
    ];
    let (status, h, _) = client.send(request(Method::GET, "/api/items", &evil)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["vary"], "Origin");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[actix_rt::test]
async fn an_origin_fn_is_asked_only_about_origins_the_list_denies() {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let cors = Cors::default()
        .allowed_origin(ORIGIN)
        .allowed_origin_fn(move |origin, head| {
            counter.fetch_add(1, Ordering::SeqCst);
            origin.as_bytes().ends_with(b".tenants.example") && head.uri.path() != "/closed"
        })
        .build()
        .unwrap();
    let addr = serve(cors, false, |c| {
        c.default_service(web::to(answer_app));
    });
    let mut client = Client::connect(addr).await;
    let acao = |h: &HeaderMap| h.get("access-control-allow-origin").cloned();
    let get = |path: &str, origin: &str| request(Method::GET, path, &[("origin", origin)]);

    let (_, h, _) = client.send(get("/x", ORIGIN)).await;
    assert_eq!(acao(&h).unwrap(), ORIGIN);
    assert_eq!(asked.load(Ordering::SeqCst), 0, "listed: not asked");
    let tenant = "https://acme.tenants.example";
    let (_, h, _) = client.send(get("/x", tenant)).await;
    assert_eq!(acao(&h).unwrap(), tenant);
    let (_, h, _) = client.send(get("/closed", tenant)).await;
    assert_eq!(acao(&h), None);
    let (_, h, _) = client
        .send(get("/x", "https://acme.tenants.example/"))
        .await;
    assert_eq!(acao(&h), None, "malformed: denied without asking");
    assert_eq!(asked.load(Ordering::SeqCst), 2);
}

#[actix_rt::test]
async fn live_reconfiguration_and_every_problem_at_once() {
    let cors = api_cors();
    let handle = cors.handle();
    let addr = serve(cors, false, |c| {
        c.default_service(web::to(answer_app));
    });
    let mut client = Client::connect(addr).await;
    let get = |origin: &str| request(Method::GET, "/x", &[("origin", origin)]);
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert_eq!(h["access-control-allow-origin"], ORIGIN);

    // actix-cors logs the first problem and fails the app's start; corsgate lists them all.
    let errors = Cors::default()
        .allow_any_origin()
        .supports_credentials()
        .expose_any_header()
        .allowed_methods(["CONNECT"])
        .max_age(100_000)
        .build()
        .unwrap_err();
    let codes: Vec<&str> = errors.errors.iter().map(|e| e.code).collect();
    assert_eq!(codes.len(), 4, "{errors}");
    let bad = Cors::default().allowed_origin("https://other.example/");
    assert!(handle.reconfigure(bad.config()).is_err());
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    handle
        .reconfigure(
            Cors::default()
                .allowed_origin("https://other.example")
                .config(),
        )
        .unwrap();
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert!(h.get("access-control-allow-origin").is_none());
    let (_, h, _) = client.send(get("https://other.example")).await;
    assert_eq!(h["access-control-allow-origin"], "https://other.example");
}
