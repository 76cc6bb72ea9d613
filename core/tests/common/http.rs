//! Shared vectors as `http` types, for the suites that run them through `corsgate::http`
//! integrations.

use crate::common::bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::{json, Value};

/// The vector's request as an `http::Request`, or why `http` cannot represent it.
pub fn http_request(case: &Value) -> Result<http::Request<()>, &'static str> {
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
pub fn observed(status: Option<u16>, headers: &http::HeaderMap) -> Value {
    let mut out = Vec::new();
    let mut vary = Vec::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::CONTENT_LENGTH || name == http::header::CONTENT_TYPE {
            // Framing, not a CORS header: the response vectors check it.
            continue;
        }
        if name == http::header::VARY {
            vary.extend(value.split(", ").map(str::to_owned));
        } else {
            out.push(json!([name.as_str(), value]));
        }
    }
    json!({ "status": status, "headers": out, "vary": vary })
}

pub fn expected(expect: &Value) -> Value {
    let headers: Vec<Value> = expect["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| json!([h[0].as_str().unwrap().to_ascii_lowercase(), h[1]]))
        .collect();
    json!({ "status": expect["status"], "headers": headers, "vary": expect["vary"] })
}
