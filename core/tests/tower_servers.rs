//! `corsgate::tower::CorsLayer` in real servers on 127.0.0.1, exercised over HTTP/1.1: an axum
//! 0.8 app (every shared request vector, preflights before an authentication layer, errors of
//! the app and of the router, an async origin check backed by a task, live reconfiguration),
//! and a bare hyper 1 server through hyper-util with hyper's own request body.
#![cfg(feature = "tower")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/http.rs"]
mod vector_http;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{cases, compile};
use corsgate::http::SharedHttpPolicy;
use corsgate::tower::{AllowOrigin, CorsLayer};
use corsgate::Policy;
use http::{HeaderMap, Method, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use vector_http::{expected, http_request, observed};

/// Serves `app` on 127.0.0.1 (an ephemeral port) for the rest of the test.
async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// One HTTP/1.1 client connection (kept alive across requests).
struct Client {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
}

impl Client {
    async fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(conn);
        Client { sender }
    }

    /// Sends a request; returns the status, the headers and the body.
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
        let body = body.collect().await?.to_bytes();
        Ok((parts.status, parts.headers, body))
    }
}

fn request(method: Method, path: &str, headers: &[(&str, &str)]) -> http::Request<()> {
    let mut builder = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).unwrap()
}

/// The application's answer to every vector request: 200, marked as the app's.
async fn answer_app() -> impl IntoResponse {
    ([("x-app", "answered")], "app")
}

#[tokio::test]
async fn every_request_vector_through_a_real_axum_server() {
    // One server; the policy of each vector is swapped in through the layer's handle.
    let layer = CorsLayer::new(Policy::from_toml("origins = []").unwrap());
    let handle = layer.handle();
    let addr = serve(Router::new().fallback(answer_app).layer(layer)).await;
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
            // RFC 9112: whitespace around a field value is not part of it; the server sees
            // the trimmed value (http_vectors.rs runs these vectors as written).
            *skipped
                .entry("a value with leading or trailing whitespace (HTTP/1.1 strips it)")
                .or_default() += 1;
            continue;
        }
        handle.store(compile(case).unwrap());
        let (status, headers, _) = match client.try_send(req).await {
            Ok(answer) => answer,
            Err(e) => {
                let name = case["name"].as_str().unwrap();
                failures.push(format!("{file} {name}: {e}"));
                client = Client::connect(addr).await;
                continue;
            }
        };
        if status == StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE {
            // hyper's own limit on the request head, before any middleware runs.
            *skipped
                .entry("over hyper's request head limit (431 before any middleware)")
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
        let got = observed((!by_app).then_some(status.as_u16()), &cors);
        let want = expected(&case["expect"]);
        if got != want || (by_app && status != StatusCode::OK) {
            let name = case["name"].as_str().unwrap();
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

/// An API behind a bearer-token check, with the CORS layer outside it (axum's `.layer` wraps
/// everything added before it).
fn api(calls: Arc<AtomicUsize>, cors: CorsLayer) -> Router {
    async fn require_token(req: Request, next: Next) -> Response {
        match req.headers().get("authorization") {
            Some(v) if v == "Bearer t0ken" => next.run(req).await,
            _ => (StatusCode::UNAUTHORIZED, "no token").into_response(),
        }
    }
    let counted = move |status: StatusCode| {
        let calls = calls.clone();
        move || async move {
            calls.fetch_add(1, Ordering::SeqCst);
            (status, [("x-request-id", "req-1")], "body")
        }
    };
    Router::new()
        .route(
            "/api/items",
            get(counted(StatusCode::OK)).put(counted(StatusCode::OK)),
        )
        .route(
            "/api/broken",
            get(counted(StatusCode::INTERNAL_SERVER_ERROR)),
        )
        .layer(middleware::from_fn(require_token))
        .layer(cors)
}

const ORIGIN: &str = "https://app.example.com";

fn policy() -> Policy {
    Policy::from_toml(
        r#"origins = ["https://app.example.com"]
           methods = ["PUT"]
           request_headers = ["authorization", "content-type"]
           expose_headers = ["x-request-id"]
           credentials = true
           max_age = 600"#,
    )
    .unwrap()
}

#[tokio::test]
async fn preflights_are_answered_before_authentication_and_errors_keep_cors_headers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let addr = serve(api(calls.clone(), CorsLayer::new(policy()))).await;
    let mut client = Client::connect(addr).await;

    // A preflight carries no token: the layer answers it, the auth layer never sees it.
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

    // A denied preflight: 403, nothing but Vary, still without reaching the routes.
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
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // The auth layer's 401 carries the CORS headers, so the page can read why it failed.
    let no_token = request(Method::GET, "/api/items", &[("origin", ORIGIN)]);
    let (status, h, body) = client.send(no_token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(h["vary"], "Origin");
    assert_eq!(body, "no token");

    // The app's own 500, and the router's 404, too.
    let authed = [("origin", ORIGIN), ("authorization", "Bearer t0ken")];
    let (status, h, _) = client
        .send(request(Method::GET, "/api/broken", &authed))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    assert_eq!(h["access-control-expose-headers"], "x-request-id");
    let (status, h, _) = client.send(request(Method::GET, "/nowhere", &authed)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);

    // An allowed request reaches the route; a denied origin gets no CORS header but Vary.
    let (status, h, _) = client
        .send(request(Method::PUT, "/api/items", &authed))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    let evil = [
        ("origin", "https://evil.example"),
        ("authorization", "Bearer t0ken"),
    ];
    let (status, h, _) = client.send(request(Method::GET, "/api/items", &evil)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["vary"], "Origin");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_async_origin_check_backed_by_a_task_decides_origins() {
    // A "tenant table" owned by a task, asked over a channel, as a database would be.
    let (ask, mut questions) =
        tokio::sync::mpsc::channel::<(String, tokio::sync::oneshot::Sender<bool>)>(8);
    tokio::spawn(async move {
        while let Some((origin, reply)) = questions.recv().await {
            tokio::task::yield_now().await;
            let _ =
                reply.send(origin.ends_with(".tenants.example") && origin.starts_with("https://"));
        }
    });
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let cors = CorsLayer::builder()
        .allow_origin(AllowOrigin::async_predicate(move |origin, _parts| {
            let (ask, counter) = (ask.clone(), counter.clone());
            let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let (reply, answer) = tokio::sync::oneshot::channel();
                ask.send((origin, reply)).await.is_ok() && answer.await.unwrap_or(false)
            }
        }))
        .allow_methods([Method::PUT])
        .build()
        .unwrap();
    let app = Router::new()
        .route("/api/items", get(answer_app))
        .layer(cors);
    let mut client = Client::connect(serve(app).await).await;

    let tenant = "https://acme.tenants.example";
    let (status, h, _) = client
        .send(request(
            Method::OPTIONS,
            "/api/items",
            &[("origin", tenant), ("access-control-request-method", "PUT")],
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(h["access-control-allow-origin"], tenant);
    assert_eq!(h["access-control-allow-methods"], "PUT");

    let (status, h, body) = client
        .send(request(Method::GET, "/api/items", &[("origin", tenant)]))
        .await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"app"[..]));
    assert_eq!(h["access-control-allow-origin"], tenant);

    // Denied by the check: an actual request still reaches the app, without CORS headers;
    // a preflight is answered 403.
    let other = "https://acme.example";
    let (status, h, _) = client
        .send(request(Method::GET, "/api/items", &[("origin", other)]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["vary"], "Origin");
    let (status, _, _) = client
        .send(request(
            Method::OPTIONS,
            "/api/items",
            &[("origin", other), ("access-control-request-method", "PUT")],
        ))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A malformed origin is denied whatever the check says; no Origin: not asked.
    let (_, h, _) = client
        .send(request(
            Method::GET,
            "/api/items",
            &[("origin", "https://acme.tenants.example/")],
        ))
        .await;
    assert!(h.get("access-control-allow-origin").is_none());
    let before = asked.load(Ordering::SeqCst);
    client.send(request(Method::GET, "/api/items", &[])).await;
    assert_eq!(
        asked.load(Ordering::SeqCst),
        before,
        "no Origin, no question"
    );
    assert_eq!(before, 5);
}

#[tokio::test]
async fn a_sync_origin_check_sees_the_request_head() {
    // Request-aware: only /public/* is open to every https origin.
    let cors = CorsLayer::builder()
        .allow_origin(AllowOrigin::predicate(|origin, parts| {
            parts.uri.path().starts_with("/public/") && origin.as_bytes().starts_with(b"https://")
        }))
        .build()
        .unwrap();
    let mut client =
        Client::connect(serve(Router::new().fallback(answer_app).layer(cors)).await).await;
    let origin = [("origin", "https://anyone.example")];
    let (_, h, _) = client
        .send(request(Method::GET, "/public/x", &origin))
        .await;
    assert_eq!(h["access-control-allow-origin"], "https://anyone.example");
    let (_, h, _) = client
        .send(request(Method::GET, "/private/x", &origin))
        .await;
    assert!(h.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn live_reconfiguration_swaps_the_policy_of_a_running_server() {
    let shared = Arc::new(SharedHttpPolicy::new(policy()));
    let app = Router::new()
        .fallback(answer_app)
        .layer(CorsLayer::shared(shared.clone()));
    let mut client = Client::connect(serve(app).await).await;
    let get = |origin| request(Method::GET, "/x", &[("origin", origin)]);
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert_eq!(h["access-control-allow-origin"], ORIGIN);

    // A bad file leaves the old policy serving; a good one replaces it.
    let dir = std::env::temp_dir().join(format!("corsgate-tower-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("policy.toml");
    std::fs::write(&file, r#"origins = ["https://other.example/"]"#).unwrap();
    let errors = shared.reload(&file).unwrap_err();
    assert_eq!(errors.errors[0].code, "origin_trailing_slash");
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    std::fs::write(&file, r#"origins = ["https://other.example"]"#).unwrap();
    shared.reload(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let (_, h, _) = client.send(get(ORIGIN)).await;
    assert!(h.get("access-control-allow-origin").is_none());
    let (_, h, _) = client.send(get("https://other.example")).await;
    assert_eq!(h["access-control-allow-origin"], "https://other.example");
}

#[tokio::test]
async fn a_bare_hyper_server_with_hypers_own_bodies() {
    // hyper 1 + hyper-util, no axum: the request body is hyper's `Incoming`, the response
    // body `Full<Bytes>`.
    let service = tower::ServiceBuilder::new()
        .layer(CorsLayer::new(policy()))
        .service_fn(|req: http::Request<Incoming>| async move {
            let body = req.into_body().collect().await.unwrap().to_bytes();
            Ok::<_, Infallible>(http::Response::new(Full::new(body)))
        });
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = hyper_util::service::TowerToHyperService::new(service.clone());
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    let mut client = Client::connect(addr).await;
    let (status, h, body) = client
        .send(request(
            Method::OPTIONS,
            "/",
            &[("origin", ORIGIN), ("access-control-request-method", "PUT")],
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(h["access-control-allow-methods"], "PUT");
    assert!(body.is_empty());
    let (status, h, _) = client
        .send(request(Method::GET, "/", &[("origin", ORIGIN)]))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
}
