//! Runs the response vectors (tests/vectors/responses/) through the core rule
//! (`Decision::response`) and through a real hyper server whose service writes with
//! `corsgate::http`, checked by a hyper client on 127.0.0.1.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/responses.rs"]
mod responses;

use common::{cases, compile, OwnedRequest};
use corsgate::http::HttpPolicy;
use corsgate::ResponseHeader;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use responses::{check, Application};
use std::convert::Infallible;
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};

/// The request header carrying the case's index to the server (the engine ignores it).
const CASE: &str = "x-vector-case";

fn report(failures: Vec<String>, ran: usize) {
    assert!(ran > 0, "no response vector ran");
    assert!(
        failures.is_empty(),
        "{} of {ran} response vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn response_vectors_through_the_core_rule() {
    let all = cases("responses");
    let mut failures = Vec::new();
    for (file, case) in &all {
        let policy = compile(case).unwrap();
        let owned = OwnedRequest::from_case(case);
        let request = owned.request();
        let decision = policy.evaluate(&request);
        let app = Application::of(case);
        let lines: Vec<(&[u8], &[u8])> = app
            .headers
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
            .collect();
        let response = decision.response(&lines);
        let headers: Vec<(String, Vec<u8>)> = response
            .headers
            .iter()
            .map(|h| match h {
                ResponseHeader::Kept(i) => (
                    String::from_utf8_lossy(lines[*i].0).into_owned(),
                    lines[*i].1.to_vec(),
                ),
                ResponseHeader::Set(n, v) => (n.to_string(), v.to_vec()),
            })
            .collect();
        let (status, body) = match response.status {
            Some(s) => (s, response.body.as_bytes().to_vec()),
            None => (app.status, app.body.clone()),
        };
        if let Err(e) = check(case, status, &headers, &body) {
            failures.push(format!("{file} {}: {e}", case["name"]));
        }
    }
    report(failures, all.len());
}

/// The application behind the server: answers each case's request with the case's response.
fn application(case: &serde_json::Value) -> http::Response<Full<Bytes>> {
    let app = Application::of(case);
    let mut response = http::Response::new(Full::new(Bytes::from(app.body)));
    *response.status_mut() = http::StatusCode::from_u16(app.status).unwrap();
    for (n, v) in &app.headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(n).unwrap(),
            http::HeaderValue::from_bytes(v).unwrap(),
        );
    }
    response
}

/// A hyper service in front of the application, as `corsgate::http` documents its use.
async fn serve(cases: Arc<Vec<(HttpPolicy, serde_json::Value)>>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let cases = cases.clone();
            let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                let cases = cases.clone();
                async move {
                    let index: usize = req.headers()[CASE].to_str().unwrap().parse().unwrap();
                    let (cors, case) = &cases[index];
                    let decision = cors.evaluate(&req);
                    if let Some(answer) = decision.preflight_response::<Full<Bytes>>() {
                        return Ok::<_, Infallible>(answer);
                    }
                    let headers = decision.response_headers();
                    let mut response = application(case);
                    headers.apply(response.headers_mut());
                    Ok(response)
                }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    addr
}

#[tokio::test]
async fn response_vectors_through_a_hyper_server_with_corsgate_http() {
    let all: Vec<(HttpPolicy, serde_json::Value)> = cases("responses")
        .into_iter()
        .map(|(_, case)| (HttpPolicy::new(compile(&case).unwrap()), case))
        .collect();
    let all = Arc::new(all);
    let addr = serve(all.clone()).await;
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut failures = Vec::new();
    for (index, (_, case)) in all.iter().enumerate() {
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
    report(failures, all.len());
}
