//! Arbitrary request bytes against policies that exercise every matcher and header path:
//! evaluation must never panic, and what it emits must be safe to put in a response.
#![no_main]

use corsgate::{Policy, Request};
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
    P.get_or_init(|| POLICIES.iter().map(|p| Policy::from_json(p).unwrap()).collect())
}

fuzz_target!(|data: &[u8]| {
    // Layout: selector byte, then NUL-separated fields: method, path, then header name/value pairs.
    let Some((&selector, rest)) = data.split_first() else { return };
    let mut fields = rest.split(|&b| b == 0);
    let method = fields.next().unwrap_or(b"OPTIONS");
    let path = fields.next().unwrap_or(b"/");
    let mut req = Request::new(method, path);
    while let (Some(name), Some(value)) = (fields.next(), fields.next()) {
        req.add_header(name, value);
    }
    if selector & 0x80 != 0 {
        req = req.with_origin_verdict(selector & 0x40 != 0);
    }
    let policy = &policies()[usize::from(selector) % POLICIES.len()];
    let decision = policy.evaluate(&req);
    for (name, value) in decision.headers() {
        assert!(!name.is_empty());
        assert!(
            value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)),
            "unsafe header value {value:?}"
        );
    }
    if let Some(reason) = decision.reason() {
        let _ = reason.message().to_string();
    }
    assert_eq!(decision.is_allowed(), decision.reason().is_none());
});
