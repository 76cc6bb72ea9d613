//! The [`http`] crate's types in and out (cargo feature `http`): evaluate an `http::Request`'s
//! head, answer a preflight with an `http::Response`, and write the CORS headers into the
//! application's response. For servers built on `http` (hyper, axum, tower services).
//!
//! ```
//! use corsgate::http::HttpPolicy;
//! use corsgate::Policy;
//!
//! let cors = HttpPolicy::new(Policy::from_toml(r#"origins = ["https://app.example.com"]"#).unwrap());
//! let request = http::Request::get("/api/items")
//!     .header("origin", "https://app.example.com")
//!     .body(())
//!     .unwrap();
//! let decision = cors.evaluate(&request);
//! // An answered preflight: send `decision.preflight_response::<()>()` instead.
//! assert!(decision.preflight_response::<()>().is_none());
//! let headers = decision.response_headers(); // owns its values: `request` may move on
//! let mut response = http::Response::new(()); // ...the application's answer
//! headers.apply(response.headers_mut());
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(response.headers()["vary"], "Origin");
//! ```
//!
//! Values are `HeaderValue`s made once: the policy's own values (the allowed methods and
//! headers, the exposed headers, the max-age, `Vary`) when the `HttpPolicy` is built, and a
//! value reflected from the request (the origin, the method) shares that request header's
//! bytes. Only what the engine composes per request, such as a method it normalised, is
//! copied.

pub(crate) mod origin_check;
mod shared;

pub use origin_check::{single_origin, AsyncCheck, OriginCheck, OriginVerdict};
pub use shared::SharedHttpPolicy;

use crate::decision::Decision;
use crate::header::HeaderName as CorsName;
use crate::request::{CorsHeader, Request};
use crate::vary::Vary;
use crate::Policy;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, Response, StatusCode, Uri};

/// `Access-Control-Request-Private-Network` (not among `http`'s standard names).
const REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
/// `Access-Control-Allow-Private-Network`.
const ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The `http` name of each of [`CorsName::CORS`], by index.
static NAMES: [HeaderName; 7] = [
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    header::ACCESS_CONTROL_ALLOW_METHODS,
    header::ACCESS_CONTROL_ALLOW_HEADERS,
    ALLOW_PRIVATE_NETWORK,
    header::ACCESS_CONTROL_MAX_AGE,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
];

/// Where a name a decision sets is in [`NAMES`].
fn name_index(name: &'static str) -> usize {
    CorsName::of_canonical(name).index()
}

/// The `http` name of `NAMES[index]`.
fn http_name(index: usize) -> HeaderName {
    NAMES
        .get(index)
        .map_or(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderName::clone)
}

/// A compiled [`Policy`] with its request-independent values already `HeaderValue`s.
/// Immutable and `Send + Sync`: share it behind an `Arc` (or swap whole `HttpPolicy`s to
/// reconfigure).
#[derive(Debug)]
pub struct HttpPolicy {
    policy: Policy,
    constants: Constants,
}

impl HttpPolicy {
    /// Converts the policy's request-independent values once.
    pub fn new(policy: Policy) -> HttpPolicy {
        let vary_values = [false, true].into_iter().flat_map(|origin| {
            [(false, false), (true, false), (true, true)]
                .map(|(preflight, pn)| Vary::new(origin, preflight, pn).value())
        });
        let constants = Constants::new(policy.constant_values().chain(vary_values));
        HttpPolicy { policy, constants }
    }

    /// The compiled policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Evaluates a request (its head: the body is not read).
    pub fn evaluate<'a, B>(&'a self, request: &'a http::Request<B>) -> HttpDecision<'a> {
        self.evaluate_head(request.method(), request.uri(), request.headers())
    }

    /// Evaluates a request head given by its parts.
    pub fn evaluate_head<'a>(
        &'a self,
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
    ) -> HttpDecision<'a> {
        self.evaluate_head_with(method, uri, headers, None)
    }

    /// Evaluates a request head with the caller's verdict on its origin (an
    /// [`OriginCheck`]'s answer) in place of the policy's origin list; `None`: the list.
    pub fn evaluate_head_with<'a>(
        &'a self,
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        origin_allowed: Option<bool>,
    ) -> HttpDecision<'a> {
        let mut view = Request::new(method.as_str().as_bytes(), uri.path().as_bytes());
        view.origin_verdict = origin_allowed;
        // One pass over the headers; the values a decision may reflect are kept, so that
        // the answer can share their bytes.
        let mut reflectable = Reflectable::default();
        for (name, value) in headers {
            let which = if name == header::ORIGIN {
                reflectable.origin = Some(value);
                CorsHeader::Origin
            } else if name == header::ACCESS_CONTROL_REQUEST_METHOD {
                reflectable.method = Some(value);
                CorsHeader::RequestMethod
            } else if name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                reflectable.request_headers.get_or_insert(value);
                CorsHeader::RequestHeaders
            } else if name == REQUEST_PRIVATE_NETWORK {
                CorsHeader::PrivateNetwork
            } else {
                continue;
            };
            view.add_cors_header(which, value.as_bytes());
        }
        HttpDecision {
            decision: self.policy.evaluate(&view),
            constants: &self.constants,
            reflectable,
        }
    }
}

/// The request header values a decision may reflect.
#[derive(Clone, Copy, Debug, Default)]
struct Reflectable<'a> {
    origin: Option<&'a HeaderValue>,
    method: Option<&'a HeaderValue>,
    /// The first `Access-Control-Request-Headers` line.
    request_headers: Option<&'a HeaderValue>,
}

/// The decision on one request, ready to be written into `http` responses.
#[derive(Debug)]
pub struct HttpDecision<'a> {
    decision: Decision<'a>,
    constants: &'a Constants,
    reflectable: Reflectable<'a>,
}

impl<'a> HttpDecision<'a> {
    /// The engine's decision: kind, verdict, reason, headers.
    pub fn decision(&self) -> &Decision<'a> {
        &self.decision
    }

    /// The response to send instead of calling the application, for a preflight the policy
    /// answers itself (allowed: `preflight_status` and the CORS headers; denied: 403); `None`
    /// when the application answers. The body is empty (`B::default()`).
    pub fn preflight_response<B: Default>(&self) -> Option<Response<B>> {
        let status = self.decision.status()?;
        let mut response = Response::new(B::default());
        *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        let headers = response.headers_mut();
        headers.reserve(self.decision.headers().len() + 1);
        for &(name, value) in self.decision.headers() {
            let index = name_index(name);
            headers.append(http_name(index), self.value(Some(index), value));
        }
        let vary = self.decision.vary().value();
        if !vary.is_empty() {
            headers.append(header::VARY, self.value(None, vary));
        }
        if !self.decision.framing(status).is_empty() {
            headers.append(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
            headers.append(
                header::CONTENT_TYPE,
                HeaderValue::from_static(crate::EMPTY_BODY_TYPE),
            );
        }
        Some(response)
    }

    /// The headers to write into the application's response. They own their values, so the
    /// request may be handed to the application meanwhile.
    pub fn response_headers(&self) -> ResponseHeaders {
        let mut out = ResponseHeaders {
            first: Default::default(),
            rest: Vec::new(),
            vary: self.decision.vary(),
            vary_value: None,
        };
        for (i, &(name, value)) in self.decision.headers().iter().enumerate() {
            let index = name_index(name);
            let entry = (index as u8, self.value(Some(index), value));
            match out.first.get_mut(i) {
                Some(slot) => *slot = Some(entry),
                None => out.rest.push(entry),
            }
        }
        let vary = self.decision.vary().value();
        if !vary.is_empty() {
            out.vary_value = Some(self.value(None, vary));
        }
        out
    }

    /// A decision's value, for the header `NAMES[name]` (`None`: `Vary`), as a `HeaderValue`:
    /// a request header's own value when it is reflected unchanged, a constant converted when
    /// the policy was built, a copy otherwise. Every value the engine emits is validated, so
    /// the copy cannot fail.
    fn value(&self, name: Option<usize>, value: &str) -> HeaderValue {
        const TRUE: HeaderValue = HeaderValue::from_static("true");
        const ANY: HeaderValue = HeaderValue::from_static("*");
        let r = self.reflectable;
        let reflected = match (name, value) {
            (Some(1), "true") => return TRUE,
            (Some(0), "*") => return ANY,
            (Some(0), _) => r.origin,
            (Some(2), _) => r.method,
            (Some(3), _) => r.request_headers,
            _ => None,
        };
        if let Some(v) = reflected.filter(|v| v.as_bytes() == value.as_bytes()) {
            return v.clone();
        }
        match (self.constants.get(value), value) {
            (Some(v), _) => v.clone(),
            (None, "true") => TRUE,
            (None, "*") => ANY,
            (None, _) => {
                HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static(""))
            }
        }
    }
}

/// The CORS headers and `Vary` names for the application's response, owning their values.
#[derive(Debug)]
pub struct ResponseHeaders {
    /// The first headers (an actual request's answer has at most three: origin, credentials,
    /// exposed headers) as indices in `NAMES` and values; the rest (an allowed preflight the
    /// application answers) on the heap.
    first: [Option<(u8, HeaderValue)>; 3],
    rest: Vec<(u8, HeaderValue)>,
    vary: Vary,
    vary_value: Option<HeaderValue>,
}

impl ResponseHeaders {
    /// Writes the headers into a response by the strict rule ([`crate::Response`],
    /// docs/semantics.md): every `Access-Control-Allow-*`, `-Max-Age` and `-Expose-Headers`
    /// the application set goes, the decision's are added, and a `Vary` lacking the decision's
    /// names is replaced by one line that adds them.
    pub fn apply(self, headers: &mut HeaderMap) {
        if headers.keys().any(|k| NAMES.iter().any(|n| n == k)) {
            for name in &NAMES {
                headers.remove(name);
            }
        }
        let first = self.first.into_iter().map_while(|h| h);
        for (index, value) in first.chain(self.rest) {
            headers.append(http_name(index.into()), value);
        }
        let Some(all) = self.vary_value else { return };
        if !headers.contains_key(header::VARY) {
            headers.append(header::VARY, all);
            return;
        }
        // The application set its own `Vary` (a rarer path, which may allocate).
        let listed: Vec<&[u8]> = headers
            .get_all(header::VARY)
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        let merged = self.vary.merge(listed.iter().copied());
        if let Some(value) = merged.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
            headers.insert(header::VARY, value);
        }
    }
}

/// `HeaderValue`s of `str`s that live as long as the policy, found by the `str`'s address: an
/// open-addressing table with at most half of its slots used, so a lookup (hit or miss)
/// usually reads one slot.
#[derive(Debug)]
struct Constants {
    /// Address, length and value; the addresses are only compared, never dereferenced.
    slots: Box<[Option<(usize, usize, HeaderValue)>]>,
    /// `64 - log2(slots.len())`: a hash keeps its top bits.
    shift: u32,
}

impl Constants {
    fn new<'p>(values: impl Iterator<Item = &'p str>) -> Constants {
        let values: Vec<&str> = values.collect();
        let len = (values.len() * 2).next_power_of_two().max(8);
        let mut table = Constants {
            slots: (0..len).map(|_| None).collect(),
            shift: 64 - len.trailing_zeros(),
        };
        for v in values {
            let Ok(header) = HeaderValue::from_str(v) else {
                continue;
            };
            let mut i = table.home(v);
            while let Some(Some((at, len, _))) = table.slots.get(i) {
                if (*at, *len) == key(v) {
                    break;
                }
                i = (i + 1) & (table.slots.len() - 1);
            }
            if let Some(slot) = table.slots.get_mut(i) {
                *slot = Some((key(v).0, v.len(), header));
            }
        }
        table
    }

    /// The slot where the search for `s` starts (Fibonacci hashing of its address).
    fn home(&self, s: &str) -> usize {
        ((key(s).0 as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    fn get(&self, s: &str) -> Option<&HeaderValue> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(s);
        loop {
            match self.slots.get(i)? {
                Some((at, len, v)) if (*at, *len) == key(s) => return Some(v),
                Some(_) => i = (i + 1) & mask,
                None => return None,
            }
        }
    }
}

/// Where a `str` is: its address and length.
fn key(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors(toml: &str) -> HttpPolicy {
        HttpPolicy::new(Policy::from_toml(toml).unwrap())
    }

    fn get(origin: &str) -> http::Request<()> {
        http::Request::get("/items")
            .header("origin", origin)
            .body(())
            .unwrap()
    }

    #[test]
    fn every_name_maps_to_its_http_name() {
        for (i, http) in NAMES.iter().enumerate() {
            let name = CorsName::CORS[i].canonical();
            assert_eq!(name_index(name), i, "{name}");
            assert!(http.as_str().eq_ignore_ascii_case(name));
        }
    }

    #[test]
    fn the_applications_own_cors_headers_are_replaced_and_its_vary_kept() {
        let cors = cors(r#"origins = ["https://a.example"]"#);
        let mut response = http::Response::new(());
        let h = response.headers_mut();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.insert("content-type", HeaderValue::from_static("text/plain"));
        h.insert("vary", HeaderValue::from_static("Accept-Encoding"));
        cors.evaluate(&get("https://a.example"))
            .response_headers()
            .apply(response.headers_mut());
        let h = response.headers();
        assert_eq!(
            h.get_all("access-control-allow-origin")
                .iter()
                .collect::<Vec<_>>(),
            ["https://a.example"]
        );
        assert_eq!(h["content-type"], "text/plain");
        assert_eq!(
            h.get_all("vary").iter().collect::<Vec<_>>(),
            ["Accept-Encoding, Origin"]
        );
    }

    #[test]
    fn vary_names_the_application_lists_are_not_repeated() {
        let cors = cors(r#"origins = ["https://a.example"]"#);
        for listed in ["origin", "*", "Accept, ORIGIN"] {
            let mut response = http::Response::new(());
            let value = HeaderValue::from_str(listed).unwrap();
            response.headers_mut().insert("vary", value);
            cors.evaluate(&get("https://b.example"))
                .response_headers()
                .apply(response.headers_mut());
            assert_eq!(
                response
                    .headers()
                    .get_all("vary")
                    .iter()
                    .collect::<Vec<_>>(),
                [listed],
                "{listed}"
            );
            assert!(!response
                .headers()
                .contains_key("access-control-allow-origin"));
        }
    }

    #[test]
    fn a_preflight_the_application_answers_gets_every_header() {
        let cors = cors(
            r#"origins = ["https://a.example"]
               methods = ["PUT"]
               request_headers = ["*"]
               credentials = true
               max_age = 60
               preflight_continue = true"#,
        );
        let req = http::Request::options("/")
            .header("origin", "https://a.example")
            .header("access-control-request-method", "PUT")
            .header("access-control-request-headers", "x-a")
            .header("access-control-request-headers", "x-b, x-c")
            .body(())
            .unwrap();
        let decision = cors.evaluate(&req);
        assert!(decision.preflight_response::<()>().is_none());
        let mut response = http::Response::new(());
        decision.response_headers().apply(response.headers_mut());
        let got: Vec<(&str, &str)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "x-a"),
                ("access-control-allow-headers", "x-b, x-c"),
                ("access-control-max-age", "60"),
                (
                    "vary",
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
                ),
            ]
        );
    }

    #[test]
    fn a_denied_preflight_is_answered_403_with_vary_and_an_empty_body_only() {
        let cors = cors(r#"origins = ["https://a.example"]"#);
        let req = http::Request::options("/")
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap();
        let decision = cors.evaluate(&req);
        let response = decision.preflight_response::<()>().unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let names: Vec<_> = response.headers().keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["vary", "content-length", "content-type"]);
        assert_eq!(response.headers()["content-length"], "0");
        assert_eq!(
            decision.decision().reason().unwrap().code().as_str(),
            "origin_not_allowed"
        );
    }
}
