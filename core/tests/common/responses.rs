//! The response vectors of tests/vectors/responses/ (format: tests/vectors/README.md): the
//! application's answer of a case, and the comparison of a response on the wire with the
//! case's expectation.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::bytes;
use corsgate::HeaderName;
use serde_json::Value;
use std::collections::BTreeSet;

/// The application's response of a case: status, header lines in order, body.
pub struct Application {
    pub status: u16,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Application {
    pub fn of(case: &Value) -> Application {
        let a = &case["application"];
        Application {
            status: a["status"].as_u64().unwrap() as u16,
            headers: a["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| (bytes(&h[0]), bytes(&h[1])))
                .collect(),
            body: bytes(&a["body"]),
        }
    }
}

/// What a response on the wire must match for `case`, or a description of the difference:
/// `status`, `body`, and for every compared name (the CORS response headers, `Vary`, the
/// application's names, the expectation's names) exactly the expected values, in order.
pub fn check(
    case: &Value,
    status: u16,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
) -> Result<(), String> {
    let expect = &case["expect"];
    let mut problems = Vec::new();
    let want_status = expect["status"].as_u64().unwrap() as u16;
    if status != want_status {
        problems.push(format!("status {status}, expected {want_status}"));
    }
    let want_body = bytes(&expect["body"]);
    if body != want_body {
        problems.push(format!(
            "body {:?}, expected {:?}",
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(&want_body)
        ));
    }
    let want = expect["headers"].as_object().unwrap();
    let mut names: BTreeSet<String> = HeaderName::CORS
        .iter()
        .chain([&HeaderName::Vary])
        .map(|n| n.lower().to_string())
        .collect();
    names.extend(want.keys().map(|k| k.to_ascii_lowercase()));
    names.extend(
        Application::of(case)
            .headers
            .iter()
            .map(|(n, _)| String::from_utf8_lossy(n).to_ascii_lowercase()),
    );
    for name in &names {
        let got: Vec<String> = headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect();
        let expected: Vec<String> = want
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| String::from_utf8_lossy(&bytes(x)).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if got != expected {
            problems.push(format!("{name}: {got:?}, expected {expected:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
