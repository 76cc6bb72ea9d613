//! What tower-http 0.6's `CorsLayer` does where corsgate differs, observed by running both
//! on the same requests: the facts behind the migration table of docs/rust.md.
#![cfg(feature = "tower")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use corsgate::tower::{Any, CorsLayer};
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tower::{service_fn, Layer, ServiceExt};
use tower_http::cors as th;

const APP: &str = "https://app.example.com";

/// The application of these tests, boxed so that both layers wrap the same type.
type App = Box<dyn FnMut(Request<()>) -> std::future::Ready<Result<Response<String>, Infallible>>>;

/// Sends `req` through `layer` around an app that counts its calls and answers 200 with its
/// own `Access-Control-Allow-Origin: *`; returns the response and whether the app was called.
fn run<L>(layer: L, req: Request<()>) -> (Response<String>, bool)
where
    L: Layer<tower::util::ServiceFn<App>>,
    L::Service: tower::Service<Request<()>, Response = Response<String>>,
    <L::Service as tower::Service<Request<()>>>::Error: std::fmt::Debug,
{
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let app: App = Box::new(move |_req| {
        counter.fetch_add(1, Ordering::SeqCst);
        let mut response = Response::new("app".to_string());
        response
            .headers_mut()
            .insert("access-control-allow-origin", HeaderValue::from_static("*"));
        std::future::ready(Ok(response))
    });
    let service = layer.layer(service_fn(app));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let response = runtime.block_on(service.oneshot(req)).unwrap();
    (response, calls.load(Ordering::SeqCst) == 1)
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> Request<()> {
    let mut b = Request::options("/items")
        .header("origin", origin)
        .header("access-control-request-method", method);
    if let Some(h) = headers {
        b = b.header("access-control-request-headers", h);
    }
    b.body(()).unwrap()
}

fn theirs() -> th::CorsLayer {
    th::CorsLayer::new()
        .allow_origin([HeaderValue::from_static(APP)])
        .allow_methods([Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
}

fn ours() -> CorsLayer {
    CorsLayer::builder()
        .allow_origin([HeaderValue::from_static(APP)])
        .allow_methods([Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
        .build()
        .unwrap()
}

fn codes(errors: &corsgate::ConfigErrors) -> Vec<&'static str> {
    errors.errors.iter().map(|e| e.code).collect()
}

#[test]
fn credentials_with_any_origin_panics_in_tower_http_at_the_first_request() {
    let layer = th::CorsLayer::new()
        .allow_origin(th::Any)
        .allow_credentials(true);
    let get = Request::get("/").header("origin", APP).body(()).unwrap();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(layer, get)));
    assert!(outcome.is_err(), "tower-http panics in poll_ready");
    let errors = CorsLayer::builder()
        .allow_origin(Any)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert_eq!(codes(&errors), ["wildcard_origin_with_credentials"]);
}

#[test]
fn tower_http_answers_every_options_request_and_corsgate_only_preflights() {
    let plain_options = || Request::options("/items").body(()).unwrap();
    let (response, called) = run(theirs(), plain_options());
    assert!(
        !called,
        "tower-http never lets a non-CORS OPTIONS reach the app"
    );
    assert_eq!(response.status(), StatusCode::OK);
    let (_, called) = run(ours(), plain_options());
    assert!(called, "corsgate hands it to the application");
}

#[test]
fn a_denied_preflight_is_200_without_acao_in_tower_http_and_403_in_corsgate() {
    let evil = || preflight("https://evil.example", "PUT", None);
    let (response, _) = run(theirs(), evil());
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
    let (response, called) = run(ours(), evil());
    assert!(!called);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let names: Vec<&str> = response.headers().keys().map(|k| k.as_str()).collect();
    // No CORS header; the empty body is framed (docs/semantics.md, "The response").
    assert_eq!(names, ["vary", "content-length", "content-type"]);
}

#[test]
fn tower_http_does_not_check_the_requested_method_or_headers() {
    // The browser then refuses; corsgate says no itself, with a reason.
    for req in [
        || preflight(APP, "DELETE", None),
        || preflight(APP, "PUT", Some("x-secret")),
    ] {
        let (response, _) = run(theirs(), req());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["access-control-allow-origin"], APP);
        let (response, _) = run(ours(), req());
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
}

#[test]
fn an_allowed_preflight_is_200_in_tower_http_and_204_in_corsgate_unless_configured() {
    let (response, _) = run(theirs(), preflight(APP, "PUT", Some("content-type")));
    assert_eq!(response.status(), StatusCode::OK);
    let (response, _) = run(ours(), preflight(APP, "PUT", Some("content-type")));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let layer = CorsLayer::builder()
        .allow_origin(APP)
        .allow_methods(Method::PUT)
        .preflight_status(200)
        .build()
        .unwrap();
    let (response, _) = run(layer, preflight(APP, "PUT", None));
    assert_eq!(response.status(), StatusCode::OK);
}

#[test]
fn mistakes_tower_http_sends_as_given_are_errors_in_corsgate() {
    // A trailing slash (never equals an Origin), a max-age above every browser's cap, a
    // forbidden method and a forbidden request header: tower-http sends them all.
    let layer = th::CorsLayer::new()
        .allow_origin([HeaderValue::from_static("https://app.example.com/")])
        .allow_methods([Method::CONNECT])
        .allow_headers([header::COOKIE])
        .max_age(Duration::from_secs(100_000));
    let (response, _) = run(
        layer,
        preflight("https://app.example.com", "CONNECT", Some("cookie")),
    );
    let h = response.headers();
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(h["access-control-allow-methods"], "CONNECT");
    assert_eq!(h["access-control-allow-headers"], "cookie");
    assert_eq!(h["access-control-max-age"], "100000");
    let errors = CorsLayer::builder()
        .allow_origin([HeaderValue::from_static("https://app.example.com/")])
        .allow_methods([Method::CONNECT])
        .allow_headers([header::COOKIE])
        .max_age(Duration::from_secs(100_000))
        .build()
        .unwrap_err();
    let codes = codes(&errors);
    for code in [
        "origin_trailing_slash",
        "method_forbidden",
        "request_header_forbidden",
        "max_age_out_of_range",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
}

#[test]
fn tower_http_mirrors_any_origin_with_credentials() {
    // `very_permissive()`: every website may read responses made with the user's cookies.
    let (response, _) = run(
        th::CorsLayer::very_permissive(),
        Request::get("/")
            .header("origin", "https://evil.example")
            .body(())
            .unwrap(),
    );
    let h = response.headers();
    assert_eq!(h["access-control-allow-origin"], "https://evil.example");
    assert_eq!(h["access-control-allow-credentials"], "true");
    // corsgate has no mirror for origins: an application that means it writes the check
    // (`AllowOrigin::predicate(|_, _| true)`) and owns the decision.
}

#[test]
fn the_applications_own_acao_survives_a_denied_origin_in_tower_http_only() {
    // Allowed: both replace the app's `*` with the origin. Denied: tower-http sets nothing,
    // so the app's `*` reaches the browser; corsgate removes it.
    let get = |origin: &str| Request::get("/").header("origin", origin).body(()).unwrap();
    let acao = |r: &Response<String>| -> Vec<HeaderValue> {
        r.headers()
            .get_all("access-control-allow-origin")
            .iter()
            .cloned()
            .collect()
    };
    assert_eq!(acao(&run(theirs(), get(APP)).0), [APP]);
    assert_eq!(acao(&run(ours(), get(APP)).0), [APP]);
    assert_eq!(acao(&run(theirs(), get("https://evil.example")).0), ["*"]);
    assert!(acao(&run(ours(), get("https://evil.example")).0).is_empty());
}

#[test]
fn tower_http_varies_actual_responses_on_the_preflight_names_too() {
    let get = || Request::get("/").header("origin", APP).body(()).unwrap();
    let (response, _) = run(theirs(), get());
    assert_eq!(
        response.headers()["vary"],
        "origin, access-control-request-method, access-control-request-headers"
    );
    let (response, _) = run(ours(), get());
    assert_eq!(response.headers()["vary"], "Origin");
}

#[test]
fn any_request_header_never_covers_authorization_in_corsgate() {
    let layer = th::CorsLayer::new()
        .allow_origin(th::Any)
        .allow_headers(th::Any);
    let (response, _) = run(layer, preflight(APP, "GET", Some("authorization")));
    assert_eq!(response.headers()["access-control-allow-headers"], "*");
    let layer = CorsLayer::builder()
        .allow_origin(Any)
        .allow_headers(Any)
        .build()
        .unwrap();
    let (response, _) = run(layer, preflight(APP, "GET", Some("authorization")));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
