//! Runs the browser-checker vectors in tests/vectors/browser/ (format: that directory's
//! README.md) against `corsgate::browser`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use corsgate::browser::{
    check, Browser, BrowserOutcome, CorsError, Credentials, FetchRequest, Mode, PreflightRequest,
    Response,
};
use serde_json::Value;
use std::path::PathBuf;

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/browser")
}

fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|p| {
                    let s = |i: usize| p[i].as_str().expect("header strings").to_string();
                    (s(0), s(1))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn request(v: &Value) -> FetchRequest {
    let s = |k: &str, d: &str| v.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
    let mut r = FetchRequest::new(
        s("origin", "https://app.example"),
        s("url", "https://api.example/data"),
    )
    .method(s("method", "GET"))
    .credentials(Credentials::parse(&s("credentials", "same-origin")).expect("credentials"))
    .mode(match s("mode", "cors").as_str() {
        "cors" => Mode::Cors,
        "no-cors" => Mode::NoCors,
        m => panic!("unknown mode {m}"),
    });
    r.headers = pairs(v.get("headers"));
    r
}

fn response(v: Option<&Value>) -> Option<Response> {
    let v = v?;
    Some(Response {
        status: u16::try_from(v["status"].as_u64().expect("status")).expect("u16"),
        headers: pairs(v.get("headers")),
    })
}

fn compare_error(
    what: &str,
    expected: &Value,
    got: Option<&CorsError>,
    problems: &mut Vec<String>,
) {
    match (expected, got) {
        (Value::Null, None) => {}
        (Value::Null, Some(e)) => problems.push(format!(
            "{what}: expected none, got {}: {}",
            e.kind, e.message
        )),
        (exp, None) => problems.push(format!("{what}: expected {}, got none", exp["kind"])),
        (exp, Some(e)) => {
            if exp["kind"].as_str() != Some(e.kind.as_str()) {
                problems.push(format!(
                    "{what}: kind {} != expected {}",
                    e.kind, exp["kind"]
                ));
            }
            if let Some(m) = exp.get("message").and_then(Value::as_str) {
                if m != e.message {
                    problems.push(format!(
                        "{what}: message\n      got      {}\n      expected {m}",
                        e.message
                    ));
                }
            }
            if let Some(v) = exp.get("value") {
                if v.as_str() != e.value.as_deref() {
                    problems.push(format!("{what}: value {:?} != expected {v}", e.value));
                }
            }
        }
    }
}

/// `expect.firefox`: Firefox's verdict, reason, value, message and the console lines after it.
/// `expected` (`null` or `{method, request_headers}`) against the preflight a plan sends.
fn compare_preflight(
    who: &str,
    expected: &Value,
    got: Option<&PreflightRequest>,
    problems: &mut Vec<String>,
) {
    match (expected, got) {
        (Value::Null, None) => {}
        (Value::Null, Some(got)) => {
            problems.push(format!("{who}expected no preflight, got {got:?}"))
        }
        (_, None) => problems.push(format!("{who}expected preflight {expected}, got none")),
        (_, Some(got)) => {
            if expected["method"].as_str() != Some(got.method.as_str())
                || expected["request_headers"].as_str() != got.request_headers.as_deref()
            {
                problems.push(format!(
                    "{who}preflight {:?} / {:?} != expected {expected}",
                    got.method, got.request_headers
                ));
            }
        }
    }
}

fn compare_firefox(expected: &Value, got: &BrowserOutcome, problems: &mut Vec<String>) {
    if let Some(pf) = expected.get("preflight_request") {
        compare_preflight("firefox: ", pf, got.preflight_request.as_ref(), problems);
    }
    if expected["verdict"].as_str() != Some(got.verdict.as_str()) {
        problems.push(format!(
            "firefox: verdict {} != expected {}",
            got.verdict.as_str(),
            expected["verdict"]
        ));
    }
    let Some(exp) = expected.get("error") else {
        return;
    };
    match (exp, &got.error) {
        (Value::Null, None) => {}
        (Value::Null, Some(e)) => {
            problems.push(format!("firefox: expected no error, got {}", e.kind))
        }
        (_, None) => problems.push(format!("firefox: expected {}, got none", exp["kind"])),
        (_, Some(e)) => {
            if exp["kind"].as_str() != Some(e.kind) {
                problems.push(format!(
                    "firefox: kind {} != expected {}",
                    e.kind, exp["kind"]
                ));
            }
            if exp["message"].as_str() != Some(e.message.as_str()) {
                problems.push(format!(
                    "firefox: message\n      got      {}\n      expected {}",
                    e.message, exp["message"]
                ));
            }
            if exp.get("value").and_then(Value::as_str) != e.value.as_deref() {
                problems.push(format!(
                    "firefox: value {:?} != expected {}",
                    e.value, exp["value"]
                ));
            }
            let then: Vec<String> = exp.get("then").map(strings).unwrap_or_default();
            if e.console[1..] != then[..] {
                problems.push(format!(
                    "firefox: console after the message {:?} != expected {then:?}",
                    &e.console[1..]
                ));
            }
        }
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn run_case(case: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let exp = &case["expect"];
    let req = request(&case["request"]);
    let pre = response(case.get("preflight"));
    let resp = response(case.get("response"));
    let outcome = match check(&req, pre.as_ref(), resp.as_ref()) {
        Ok(o) => o,
        Err(e) => {
            let firefox = exp["firefox"]["request_error"].as_str();
            if firefox != Some(e.kind.as_str()) {
                p.push(format!("firefox: expected request error {firefox:?}"));
            }
            if exp.get("request_error").and_then(Value::as_str) != Some(e.kind.as_str()) {
                p.push(format!(
                    "unexpected request error {}: {}",
                    e.kind.as_str(),
                    e.message
                ));
            }
            return p;
        }
    };
    if let Some(k) = exp.get("request_error") {
        p.push(format!("expected request error {k}, got a plan"));
        return p;
    }
    match exp.get("firefox") {
        Some(ff) => compare_firefox(ff, outcome.in_browser(Browser::Firefox), &mut p),
        None => p.push("no Firefox expectation (expect.firefox)".into()),
    }
    if let Some(v) = exp.get("verdict").and_then(Value::as_str) {
        if v != outcome.verdict().as_str() {
            p.push(format!(
                "verdict {} != expected {v}",
                outcome.verdict().as_str()
            ));
        }
    }
    if let Some(m) = exp.get("missing") {
        if m.as_str() != outcome.missing.map(|m| m.as_str()) {
            p.push(format!("missing {:?} != expected {m}", outcome.missing));
        }
    }
    if let Some(pf) = exp.get("preflight_request") {
        compare_preflight("", pf, outcome.plan.preflight.as_ref(), &mut p);
        let chromium = &outcome.in_browser(Browser::Chromium).preflight_request;
        compare_preflight("chromium: ", pf, chromium.as_ref(), &mut p);
    }
    if let Some(e) = exp.get("error") {
        compare_error("error", e, outcome.blocked.as_ref(), &mut p);
        let chrome = exp.get("chrome_error").unwrap_or(e);
        compare_error(
            "chrome_error",
            chrome,
            outcome.blocked_in_chrome.as_ref(),
            &mut p,
        );
    }
    if let Some(c) = exp.get("cache_seconds") {
        match outcome.preflight.as_ref().and_then(|pc| pc.cache) {
            Some(l) => {
                let got = [l.standard, l.chromium, l.firefox, l.webkit];
                let want = ["standard", "chromium", "firefox", "webkit"]
                    .map(|k| c[k].as_u64().expect("seconds"));
                if got != want {
                    p.push(format!("cache {got:?} != expected {want:?}"));
                }
            }
            None => p.push("expected a cache lifetime, got none".into()),
        }
    }
    if let Some(r) = exp.get("readable_headers") {
        let got = outcome
            .response
            .as_ref()
            .map(|rc| rc.readable_headers.clone());
        if got.as_ref() != Some(&strings(r)) {
            p.push(format!("readable {got:?} != expected {r}"));
        }
    }
    if let Some(r) = exp.get("hidden_headers") {
        let got = outcome
            .response
            .as_ref()
            .map(|rc| rc.hidden_headers.clone());
        if got.as_ref() != Some(&strings(r)) {
            p.push(format!("hidden {got:?} != expected {r}"));
        }
    }
    if let Some(o) = exp.get("opaque").and_then(Value::as_bool) {
        if outcome.response.as_ref().map(|rc| rc.opaque) != Some(o) {
            p.push(format!("opaque != expected {o}"));
        }
    }
    p
}

#[test]
fn browser_vectors_pass() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(vector_dir())
        .expect("tests/vectors/browser exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        let doc: Value = serde_json::from_str(&text).expect("valid JSON");
        for case in doc["cases"].as_array().expect("cases") {
            total += 1;
            let problems = run_case(case);
            if !problems.is_empty() {
                failures.push(format!(
                    "{}::{}\n    {}",
                    file.file_name().expect("name").to_string_lossy(),
                    case["name"].as_str().unwrap_or("?"),
                    problems.join("\n    ")
                ));
            }
        }
    }
    assert!(total >= 150, "only {total} browser vectors");
    assert!(
        failures.is_empty(),
        "{} of {total} browser vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
