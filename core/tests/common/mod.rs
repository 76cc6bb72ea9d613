//! Loads the shared vectors of tests/vectors/ (format: tests/vectors/README.md).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::PathBuf;

/// The tests/vectors directory.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// Every case of every `*.json` file in `tests/vectors/<sub>`, as (file name, case).
pub fn cases(sub: &str) -> Vec<(String, Value)> {
    let dir = vectors_dir().join(sub);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        for case in doc["cases"].as_array().expect("cases array") {
            out.push((name.clone(), case.clone()));
        }
    }
    out
}

/// A vector byte string: a JSON string whose chars U+0000..=U+00FF are single bytes, or a
/// `{"repeat", "times", "prefix", "suffix"}` object.
pub fn bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::String(s) => latin1(s),
        Value::Object(o) => {
            let part = |k: &str| {
                o.get(k)
                    .and_then(Value::as_str)
                    .map(latin1)
                    .unwrap_or_default()
            };
            let times = o["times"].as_u64().expect("times") as usize;
            let mut out = part("prefix");
            out.extend(part("repeat").repeat(times));
            out.extend(part("suffix"));
            out
        }
        other => panic!("not a byte string: {other}"),
    }
}

fn latin1(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(b) => out.push(b),
            Err(_) => out.extend(c.to_string().as_bytes()),
        }
    }
    out
}

/// An owned request of a vector case.
pub struct OwnedRequest {
    pub method: Vec<u8>,
    pub path: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
}

impl OwnedRequest {
    pub fn from_case(case: &Value) -> OwnedRequest {
        let r = &case["request"];
        OwnedRequest {
            method: bytes(&r["method"]),
            path: r.get("path").map(bytes).unwrap_or_else(|| b"/".to_vec()),
            headers: r["headers"]
                .as_array()
                .expect("headers array")
                .iter()
                .map(|h| (bytes(&h[0]), bytes(&h[1])))
                .collect(),
        }
    }

    pub fn request(&self) -> corsgate::Request<'_> {
        let mut req = corsgate::Request::new(&self.method, &self.path);
        for (n, v) in &self.headers {
            req.add_header(n, v);
        }
        req
    }
}

/// Compiles a vector case's `policy` (JSON) or `policy_toml` (text).
pub fn compile(case: &Value) -> Result<corsgate::Policy, corsgate::ConfigErrors> {
    match case.get("policy_toml") {
        Some(Value::String(t)) => corsgate::Policy::from_toml(t),
        _ => corsgate::Policy::from_json(&case["policy"].to_string()),
    }
}
