//! The response vectors (tests/vectors/responses/) through a real actix-web 4 server on
//! 127.0.0.1 with corsgate-actix: each case's application answers with the case's status,
//! header lines and body, and a hyper client checks what arrives on the wire.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../../core/tests/common/mod.rs"]
mod common;
#[path = "../../core/tests/common/responses.rs"]
mod responses;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use common::{cases, compile, OwnedRequest};
use corsgate::Policy;
use corsgate_actix::Cors;
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use responses::{check, Application};

/// The request header carrying the case's index to the application (the engine ignores it).
const CASE: &str = "x-vector-case";

/// The application: answers with the response of the case its request names.
async fn application(req: HttpRequest, all: web::Data<Vec<serde_json::Value>>) -> HttpResponse {
    let index: usize = req
        .headers()
        .get(CASE)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let app = Application::of(&all[index]);
    let mut response = HttpResponse::with_body(StatusCode::from_u16(app.status).unwrap(), app.body);
    for (name, value) in &app.headers {
        response.headers_mut().append(
            HeaderName::from_bytes(name).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    response.map_into_boxed_body()
}

#[actix_rt::test]
async fn response_vectors_through_a_real_actix_server() {
    let all: Vec<serde_json::Value> = cases("responses").into_iter().map(|(_, c)| c).collect();
    let cors = Cors::from_policy(Policy::from_toml("origins = []").unwrap());
    let handle = cors.handle();
    let data = web::Data::new(all.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .default_service(web::to(application))
            .wrap(cors.clone())
    })
    .workers(1)
    .disable_signals()
    .bind(("127.0.0.1", 0))
    .unwrap();
    let addr = server.addrs()[0];
    actix_rt::spawn(server.run());

    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    actix_rt::spawn(conn);
    let mut failures = Vec::new();
    for (index, case) in all.iter().enumerate() {
        handle.store(compile(case).unwrap());
        let owned = OwnedRequest::from_case(case);
        let mut builder = http::Request::builder()
            .method(http::Method::from_bytes(&owned.method).unwrap())
            .uri(String::from_utf8(owned.path.clone()).unwrap())
            .header("host", "api.test")
            .header(CASE, index.to_string());
        for (n, v) in &owned.headers {
            builder = builder.header(n.as_slice(), v.as_slice());
        }
        sender.ready().await.unwrap();
        let response = sender
            .send_request(builder.body(Empty::<Bytes>::new()).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let headers: Vec<(String, Vec<u8>)> = parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        if let Err(e) = check(case, parts.status.as_u16(), &headers, &body) {
            failures.push(format!("{}: {e}", case["name"]));
        }
    }
    assert!(!all.is_empty(), "no response vector ran");
    assert!(
        failures.is_empty(),
        "{} of {} response vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
