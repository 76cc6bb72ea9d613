//! Runs every shared vector in tests/vectors/ through the Rust API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{cases, compile, OwnedRequest};
use corsgate::Diagnostic;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// What the engine answered, in the vectors' JSON shape.
fn actual(decision: &corsgate::Decision<'_>) -> Value {
    json!({
        "kind": decision.kind().as_str(),
        "allowed": decision.is_allowed(),
        "status": decision.status(),
        "headers": decision.headers().iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "vary": decision.vary().names(),
        "reason": decision.reason().map(|r| r.code().as_str()),
    })
}

/// Header names compare case-insensitively, values byte-for-byte.
fn normalized(expect: &Value) -> Value {
    let mut e = expect.clone();
    if let Some(hs) = e["headers"].as_array_mut() {
        for h in hs {
            h[0] = json!(h[0].as_str().unwrap().to_ascii_lowercase());
        }
    }
    e
}

#[test]
fn request_vectors() {
    let all = cases("requests");
    assert!(!all.is_empty(), "no request vectors found");
    let mut failures = Vec::new();
    for (file, case) in &all {
        let name = case["name"].as_str().unwrap();
        let policy = match compile(case) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{file} {name}: policy does not compile: {e}"));
                continue;
            }
        };
        let req = OwnedRequest::from_case(case);
        let got = normalized(&actual(&policy.evaluate(&req.request())));
        let want = normalized(&case["expect"]);
        if got != want {
            failures.push(format!(
                "{file} {name}:\n  expected {want}\n  got      {got}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} request vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

fn located(list: &[Diagnostic]) -> BTreeSet<(String, String)> {
    list.iter()
        .map(|d| (d.path.clone(), d.code.to_string()))
        .collect()
}

fn expected(case: &Value, key: &str) -> BTreeSet<(String, String)> {
    case[key]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no {key}", case["name"]))
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn invalid_policy_vectors() {
    let all = cases("invalid");
    assert!(!all.is_empty(), "no invalid-policy vectors found");
    let mut failures = Vec::new();
    for (file, case) in &all {
        let name = case["name"].as_str().unwrap();
        match compile(case) {
            Ok(_) => failures.push(format!("{file} {name}: compiled, but should fail")),
            Err(e) => {
                let (got, want) = (located(&e.errors), expected(case, "errors"));
                if got != want {
                    failures.push(format!(
                        "{file} {name}:\n  expected {want:?}\n  got      {got:?}"
                    ));
                }
                for d in &e.errors {
                    assert!(!d.message.is_empty(), "{name}: {} has no message", d.code);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid-policy vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn warning_vectors() {
    let all = cases("warnings");
    assert!(!all.is_empty(), "no warning vectors found");
    let mut failures = Vec::new();
    for (file, case) in &all {
        let name = case["name"].as_str().unwrap();
        match compile(case) {
            Err(e) => failures.push(format!("{file} {name}: does not compile: {e}")),
            Ok(p) => {
                let (got, want) = (located(p.warnings()), expected(case, "warnings"));
                if got != want {
                    failures.push(format!(
                        "{file} {name}:\n  expected {want:?}\n  got      {got:?}"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} warning vectors failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}
