//! Runs every shared request vector through `corsgate::http`: the `http::Response` it answers a
//! preflight with, or the headers it writes into the application's response, must be the
//! vector's status, headers and `Vary`.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{bytes, cases, compile};
use corsgate::http::HttpPolicy;
use http::header::{HeaderName, HeaderValue};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The vector's request as an `http::Request`, or why `http` cannot represent it.
fn http_request(case: &Value) -> Result<http::Request<()>, &'static str> {
    let r = &case["request"];
    let method =
        http::Method::from_bytes(&bytes(&r["method"])).map_err(|_| "method is not a token")?;
    let path = r.get("path").map(bytes).unwrap_or_else(|| b"/".to_vec());
    let uri = http::Uri::try_from(path).map_err(|_| "path is not a URI")?;
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .unwrap();
    for h in r["headers"].as_array().unwrap() {
        let name = HeaderName::from_bytes(&bytes(&h[0])).map_err(|_| "header name")?;
        let value = HeaderValue::from_bytes(&bytes(&h[1]))
            .map_err(|_| "header value with control bytes (http refuses them)")?;
        req.headers_mut().append(name, value);
    }
    Ok(req)
}

/// A response's headers as the vectors write them: lower-case names, in order; `Vary` apart.
fn observed(status: Option<u16>, headers: &http::HeaderMap) -> Value {
    let mut out = Vec::new();
    let mut vary = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::VARY {
            vary.extend(value.split(", ").map(str::to_owned));
        } else {
            out.push(json!([name.as_str(), value]));
        }
    }
    json!({ "status": status, "headers": out, "vary": vary })
}

fn expected(expect: &Value) -> Value {
    let headers: Vec<Value> = expect["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| json!([h[0].as_str().unwrap().to_ascii_lowercase(), h[1]]))
        .collect();
    json!({ "status": expect["status"], "headers": headers, "vary": expect["vary"] })
}

#[test]
fn request_vectors_through_http() {
    let all = cases("requests");
    let mut failures = Vec::new();
    let mut skipped: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ran = 0;
    for (file, case) in &all {
        let name = case["name"].as_str().unwrap();
        let req = match http_request(case) {
            Ok(r) => r,
            Err(why) => {
                *skipped.entry(why).or_default() += 1;
                continue;
            }
        };
        let cors = HttpPolicy::new(compile(case).unwrap());
        let decision = cors.evaluate(&req);
        let got = match decision.preflight_response::<()>() {
            Some(response) => observed(Some(response.status().as_u16()), response.headers()),
            None => {
                let mut response = http::Response::new(());
                decision.response_headers().apply(response.headers_mut());
                observed(None, response.headers())
            }
        };
        let want = expected(&case["expect"]);
        if got != want {
            failures.push(format!(
                "{file} {name}:\n  expected {want}\n  got      {got}"
            ));
        }
        ran += 1;
    }
    println!("ran {ran} of {} vectors", all.len());
    for (why, n) in &skipped {
        println!("skipped {n} vectors: {why}");
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Only requests `http` cannot carry are skipped; everything else ran.
    assert!(ran >= all.len() * 9 / 10, "ran only {ran} of {}", all.len());
}
