//! What actix-cors 0.7 does where corsgate-actix differs, observed by running both on the
//! same requests: the facts behind the migration table of docs/rust.md.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use actix_web::body;
use actix_web::dev::{Service, Transform};
use actix_web::http::{Method, StatusCode};
use actix_web::{test, web, App, HttpResponse};

const APP: &str = "https://app.example.com";

/// Sends one request through a CORS middleware around a 200 route; evaluates to the status,
/// the named headers (or `None`) and the body. (A macro: both middlewares' types differ.)
macro_rules! run {
    ($cors:expr, $req:expr, $names:expr) => {{
        let app = test::init_service(App::new().wrap($cors).route(
            "/items",
            web::to(|| async { HttpResponse::Ok().body("app") }),
        ))
        .await;
        let response = app.call($req.uri("/items").to_request()).await.unwrap();
        let status = response.status();
        let headers: Vec<Option<String>> = $names
            .iter()
            .map(|n: &&str| {
                response
                    .headers()
                    .get(*n)
                    .map(|v| v.to_str().unwrap().to_owned())
            })
            .collect();
        let body = body::to_bytes(response.into_body()).await.ok().unwrap();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }};
}

fn preflight(origin: &str) -> test::TestRequest {
    test::TestRequest::default()
        .method(Method::OPTIONS)
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", "PUT"))
}

fn get(origin: &str) -> test::TestRequest {
    test::TestRequest::get().insert_header(("origin", origin))
}

#[actix_rt::test]
async fn any_origin_with_credentials_echoes_every_origin_in_actix_cors() {
    let theirs = actix_cors::Cors::default()
        .allow_any_origin()
        .supports_credentials();
    let names = [
        "access-control-allow-origin",
        "access-control-allow-credentials",
    ];
    let (_, h, _) = run!(theirs, get("https://evil.example"), names);
    assert_eq!(h[0].as_deref(), Some("https://evil.example"));
    assert_eq!(h[1].as_deref(), Some("true"));
    let errors = corsgate_actix::Cors::default()
        .allow_any_origin()
        .supports_credentials()
        .build()
        .unwrap_err();
    assert_eq!(errors.errors[0].code, "wildcard_origin_with_credentials");
}

#[actix_rt::test]
async fn preflights_are_200_or_400_in_actix_cors_and_204_or_403_in_corsgate() {
    let theirs = || {
        actix_cors::Cors::default()
            .allowed_origin(APP)
            .allowed_methods(["PUT"])
    };
    let ours = || {
        corsgate_actix::Cors::default()
            .allowed_origin(APP)
            .allowed_methods(["PUT"])
            .build()
            .unwrap()
    };
    let acao = ["access-control-allow-origin"];
    let (status, h, _) = run!(theirs(), preflight(APP), acao);
    assert_eq!((status, h[0].as_deref()), (StatusCode::OK, Some(APP)));
    let (status, h, _) = run!(ours(), preflight(APP), acao);
    assert_eq!(
        (status, h[0].as_deref()),
        (StatusCode::NO_CONTENT, Some(APP))
    );

    let (status, h, body) = run!(theirs(), preflight("https://evil.example"), acao);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(h[0], None);
    assert!(
        !body.is_empty(),
        "actix-cors explains in the body: {body:?}"
    );
    let (status, h, body) = run!(ours(), preflight("https://evil.example"), acao);
    assert_eq!(
        (status, h[0].as_deref(), body.as_str()),
        (StatusCode::FORBIDDEN, None, "")
    );
}

#[actix_rt::test]
async fn an_invalid_configuration_fails_the_start_in_actix_cors() {
    // A wildcard in `allowed_origin`: actix-cors logs it and its `new_transform` fails.
    let theirs = actix_cors::Cors::default().allowed_origin("*");
    assert!(theirs.new_transform(test::ok_service()).await.is_err());
    let errors = corsgate_actix::Cors::default()
        .allowed_origin("https://app.example.com/")
        .allowed_origin("HTTPS://B.EXAMPLE")
        .max_age(90_000)
        .build()
        .unwrap_err();
    assert_eq!(errors.errors.len(), 3, "{errors}");
}
