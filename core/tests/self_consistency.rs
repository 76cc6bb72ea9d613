//! Self-consistency: for every request case of tests/vectors/requests/, the headers the engine
//! emits, fed to the browser-side checker as the server's answer, must get the engine's own
//! verdict. The page's request is reconstructed from the vector's request: its `Origin`, the
//! method (for a preflight, `Access-Control-Request-Method`), for a preflight one header per
//! `Access-Control-Request-Headers` name (with a value that makes it CORS-unsafe), and the
//! credentials mode `include` when the answering policy has `credentials = true`. Cases a
//! browser could never send are skipped and counted, each with its reason. The checker does not
//! model Private Network Access and the engine's ACRH size limits: a denial there removes every
//! CORS header, so the verdicts must still agree.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use corsgate::browser::{Credentials, FetchRequest, RequestErrorKind, Response};
use corsgate::Kind;
use serde_json::Value;
use std::collections::BTreeMap;

/// The header lines of the vector request named `name` (case-insensitive), as bytes.
fn lines<'a>(req: &'a common::OwnedRequest, name: &str) -> Vec<&'a [u8]> {
    req.headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| v.as_slice())
        .collect()
}

/// The policy (top level or route) that answers `path`, as in docs/semantics.md "Routes".
fn answering_policy<'a>(policy: &'a Value, path: &[u8]) -> &'a Value {
    let path = path.split(|&b| b == b'?').next().unwrap_or(path);
    for route in policy
        .get("routes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let p = route["path"].as_str().unwrap().as_bytes();
        let hit = match p.strip_suffix(b"/*") {
            Some(prefix) => {
                path.starts_with(prefix)
                    && (path.len() == prefix.len() || path.get(prefix.len()) == Some(&b'/'))
            }
            None => p == path,
        };
        if hit {
            return route;
        }
    }
    policy
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// A value that makes `name` CORS-unsafe, so the browser lists it in its preflight.
fn unsafe_value(name: &str) -> String {
    match name.to_ascii_lowercase().as_str() {
        "accept" | "accept-language" | "content-language" | "content-type" | "range" => {
            "x".repeat(129)
        }
        _ => "1".to_string(),
    }
}

/// Builds the page's request, or says why a browser could never send this one.
fn page_request(
    case: &Value,
    req: &common::OwnedRequest,
    kind: Kind,
) -> Result<FetchRequest, &'static str> {
    let origins = lines(req, "origin");
    let [origin] = origins.as_slice() else {
        return Err("several Origin lines: a browser sends one");
    };
    let origin = std::str::from_utf8(origin).map_err(|_| "malformed Origin (not UTF-8)")?;
    let path = std::str::from_utf8(&req.path)
        .ok()
        .filter(|p| p.starts_with('/') && p.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or("a path a browser cannot request")?;
    let url = format!("https://target.corsgate.test{path}");
    let method = if kind == Kind::Preflight {
        let acrm = lines(req, "access-control-request-method");
        match acrm.as_slice() {
            [m] if is_token(m) => std::str::from_utf8(m).unwrap().to_string(),
            _ => {
                return Err("bogus Access-Control-Request-Method (absent, repeated or not a token)")
            }
        }
    } else {
        String::from_utf8(req.method.clone()).map_err(|_| "a method that is not a token")?
    };
    let policy = answering_policy(&case["policy"], &req.path);
    let credentials = if policy.get("credentials").and_then(Value::as_bool) == Some(true) {
        Credentials::Include
    } else {
        Credentials::Omit
    };
    let mut page = FetchRequest::new(origin, url)
        .method(method)
        .credentials(credentials);
    if kind == Kind::Preflight {
        let acrh = lines(req, "access-control-request-headers");
        for line in acrh {
            for element in line.split(|&b| b == b',') {
                let name = trim(element);
                if name.is_empty() {
                    continue;
                }
                if !is_token(name) {
                    return Err("bogus Access-Control-Request-Headers bytes (not a token)");
                }
                let name = std::str::from_utf8(name).unwrap();
                page = page.header(name, unsafe_value(name));
            }
        }
    }
    Ok(page)
}

#[test]
fn checker_agrees_with_the_engine_on_every_request_vector() {
    let mut checked = 0;
    let mut skipped: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, case) in common::cases("requests") {
        let name = format!("{file}::{}", case["name"].as_str().unwrap());
        let policy = common::compile(&case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let req = common::OwnedRequest::from_case(&case);
        let decision = policy.evaluate(&req.request());
        let kind = decision.kind();
        if kind == Kind::NotCors {
            *skipped
                .entry("not_cors: no Origin, so not a CORS request")
                .or_default() += 1;
            continue;
        }
        let page = match page_request(&case, &req, kind) {
            Ok(p) => p,
            Err(why) => {
                *skipped.entry(why).or_default() += 1;
                continue;
            }
        };
        let plan = match page.plan() {
            Ok(p) => p,
            Err(e) => {
                let why = match e.kind {
                    RequestErrorKind::InvalidOrigin => {
                        "malformed Origin: a browser sends a serialized origin"
                    }
                    RequestErrorKind::ForbiddenMethod => "a forbidden method: fetch() refuses it",
                    RequestErrorKind::InvalidMethod => "a method that is not a token",
                    _ => panic!("{name}: unexpected request error {e}"),
                };
                *skipped.entry(why).or_default() += 1;
                continue;
            }
        };
        if plan.origin.as_bytes() != lines(&req, "origin")[0] {
            *skipped
                .entry("malformed Origin: a browser sends a serialized origin")
                .or_default() += 1;
            continue;
        }
        if !plan.dropped_headers.is_empty() {
            *skipped
                .entry("a forbidden header name in Access-Control-Request-Headers: pages cannot set it")
                .or_default() += 1;
            continue;
        }
        assert!(plan.cross_origin, "{name}: the target must be cross-origin");
        let answer = Response {
            status: decision.status().unwrap_or(200),
            headers: decision
                .headers()
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        };
        let blocked = if kind == Kind::Preflight {
            plan.check_preflight(&answer).blocked
        } else {
            plan.check_response(&answer).blocked
        };
        checked += 1;
        match (decision.reason(), &blocked) {
            (None, None) => {}
            (Some(reason), Some(error)) => {
                // A denial carries no ACAO: the checker must say what the engine predicts.
                if !error.reason().starts_with(reason.browser_reason()) {
                    failures.push(format!(
                        "{name}: engine predicts `{}`, checker says `{}`",
                        reason.browser_reason(),
                        error.reason()
                    ));
                }
            }
            (None, Some(error)) => failures.push(format!(
                "{name}: engine allows, checker blocks: {} ({})",
                error.message, error.kind
            )),
            (Some(reason), None) => failures.push(format!(
                "{name}: engine denies ({}), checker allows",
                reason.code().as_str()
            )),
        }
    }
    let skipped_total: usize = skipped.values().sum();
    eprintln!("self-consistency: {checked} request vectors checked, {skipped_total} skipped:");
    for (why, n) in &skipped {
        eprintln!("  {n:4}  {why}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        checked >= 2 * skipped_total,
        "too few cases checked: {checked} checked, {skipped_total} skipped"
    );
}
