//! Runs every shared request vector through `corsgate::http`: the `http::Response` it answers a
//! preflight with, or the headers it writes into the application's response, must be the
//! vector's status, headers and `Vary`.
#![cfg(feature = "http")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "common/http.rs"]
mod vector_http;

use common::{cases, compile};
use corsgate::http::HttpPolicy;
use std::collections::BTreeMap;
use vector_http::{expected, http_request, observed};

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
