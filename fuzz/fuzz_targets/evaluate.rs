//! Arbitrary request bytes against policies that exercise every matcher and header path:
//! evaluation must never panic, and what it emits must be safe to put in a response. When the
//! request is one `http` can carry, `corsgate::http` must decide the same and write exactly the
//! decision's headers and `Vary`.
#![no_main]

use corsgate::http::HttpPolicy;
use corsgate::{Decision, Policy, Request, ResponseHeader};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const POLICIES: [&str; 4] = [
    r#"{"origins": ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
        "origin_regexes": ["https://pr-[0-9]+\\.preview\\.example\\.com"],
        "methods": ["PUT", "patch"], "request_headers": ["content-type", "x-a"],
        "expose_headers": ["x-id"], "credentials": true, "max_age": 600}"#,
    r#"{"origins": ["*"], "methods": ["*"], "request_headers": ["*", "authorization"]}"#,
    r#"{"origins": ["https://a.example"], "request_headers": ["*"], "credentials": true,
        "private_network": true, "allow_null_origin": true}"#,
    r#"{"origins": ["https://a.example"], "preflight_continue": true,
        "routes": [{"path": "/public/*", "origins": ["*"]}]}"#,
];

fn policies() -> &'static [Policy] {
    static P: OnceLock<Vec<Policy>> = OnceLock::new();
    P.get_or_init(|| {
        POLICIES
            .iter()
            .map(|p| Policy::from_json(p).unwrap())
            .collect()
    })
}

fn http_policies() -> &'static [HttpPolicy] {
    static P: OnceLock<Vec<HttpPolicy>> = OnceLock::new();
    P.get_or_init(|| {
        POLICIES
            .iter()
            .map(|p| HttpPolicy::new(Policy::from_json(p).unwrap()))
            .collect()
    })
}

/// The request as `http` types, when it can carry it (and its path means the same).
fn http_request(method: &[u8], path: &[u8], lines: &[(&[u8], &[u8])]) -> Option<http::Request<()>> {
    let uri = http::Uri::try_from(path).ok()?;
    let bare = path.split(|&b| b == b'?').next()?;
    if !path.starts_with(b"/") || uri.path().as_bytes() != bare {
        return None;
    }
    let mut req = http::Request::builder()
        .method(http::Method::from_bytes(method).ok()?)
        .uri(uri)
        .body(())
        .ok()?;
    for &(name, value) in lines {
        req.headers_mut().append(
            http::HeaderName::from_bytes(name).ok()?,
            http::HeaderValue::from_bytes(value).ok()?,
        );
    }
    Some(req)
}

/// `corsgate::http` decides what the core decided and writes exactly the lines of the core's
/// response rule ([`Decision::response`] onto a response without headers of its own): the
/// decision's headers, `Vary`, and an answered preflight's framing.
fn check_http(cors: &HttpPolicy, req: &http::Request<()>, core: &Decision<'_>) {
    let decision = cors.evaluate(req);
    assert_eq!(format!("{:?}", decision.decision()), format!("{core:?}"));
    let headers = match decision.preflight_response::<()>() {
        Some(response) => {
            assert_eq!(Some(response.status().as_u16()), core.status());
            response.headers().clone()
        }
        None => {
            let mut response = http::Response::new(());
            decision.response_headers().apply(response.headers_mut());
            response.headers().clone()
        }
    };
    let got: Vec<(String, &[u8])> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes()))
        .collect();
    let rule = core.response(&[]);
    assert_eq!(rule.status, core.status());
    let want: Vec<(String, &[u8])> = rule
        .headers
        .iter()
        .map(|line| match line {
            ResponseHeader::Set(n, v) => (n.to_ascii_lowercase(), &**v),
            ResponseHeader::Kept(_) => unreachable!("the response had no header to keep"),
        })
        .collect();
    assert_eq!(got, want);
}

fuzz_target!(|data: &[u8]| {
    // Layout: selector byte, then NUL-separated fields: method, path, then header name/value pairs.
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut fields = rest.split(|&b| b == 0);
    let method = fields.next().unwrap_or(b"OPTIONS");
    let path = fields.next().unwrap_or(b"/");
    let mut req = Request::new(method, path);
    let mut lines = Vec::new();
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        req.add_header(name, value);
        lines.push((name, value));
    }
    if selector & 0x80 != 0 {
        req = req.with_origin_verdict(selector & 0x40 != 0);
    }
    let policy = &policies()[usize::from(selector) % POLICIES.len()];
    let decision = policy.evaluate(&req);
    for (name, value) in decision.headers() {
        assert!(!name.is_empty());
        assert!(
            value
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b)),
            "unsafe header value {value:?}"
        );
    }
    if let Some(reason) = decision.reason() {
        let _ = reason.message().to_string();
    }
    assert_eq!(decision.is_allowed(), decision.reason().is_none());
    if selector & 0x80 == 0 {
        if let Some(http_req) = http_request(method, path, &lines) {
            let cors = &http_policies()[usize::from(selector) % POLICIES.len()];
            check_http(cors, &http_req, &decision);
        }
    }
});
