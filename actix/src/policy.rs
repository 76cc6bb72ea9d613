//! A compiled policy with its constant values already actix `HeaderValue`s, and what one
//! request's decision writes, owned.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use corsgate::{Decision, HeaderName as CorsName, Policy, ReasonCode, Vary, REQUEST_HEADER_NAMES};

/// The four request headers the engine reads, as actix names.
fn request_names() -> [HeaderName; 4] {
    REQUEST_HEADER_NAMES.map(HeaderName::from_static)
}

/// The CORS response names (every name a decision sets), as actix names, by
/// [`corsgate::HeaderName::index`].
fn response_names() -> [HeaderName; 7] {
    CorsName::CORS.map(|n| HeaderName::from_static(n.lower()))
}

/// A [`Policy`] ready for actix: the policy's request-independent values converted once, and
/// found per request by the address of the `str` a decision carries.
#[derive(Debug)]
pub(crate) struct ActixPolicy {
    policy: Policy,
    /// Address and length of each constant `str`, and its value (a handful per route: a
    /// linear scan beats hashing).
    constants: Vec<((usize, usize), HeaderValue)>,
    request_names: [HeaderName; 4],
    response_names: [HeaderName; 7],
}

impl ActixPolicy {
    pub(crate) fn new(policy: Policy) -> ActixPolicy {
        let constants = policy
            .constant_values()
            .filter_map(|v| Some((key(v), HeaderValue::from_str(v).ok()?)))
            .collect();
        ActixPolicy {
            policy,
            constants,
            request_names: request_names(),
            response_names: response_names(),
        }
    }

    /// Decides a request head; `check` (origin, allowed by the list) may allow an origin the
    /// policy's list denies, as actix-cors's `allowed_origin_fn` does.
    pub(crate) fn decide(
        &self,
        method: &[u8],
        path: &[u8],
        headers: &HeaderMap,
        check: Option<&dyn Fn(&HeaderValue) -> bool>,
    ) -> Answer {
        let mut request = corsgate::Request::new(method, path);
        let mut reflectable: [Option<&HeaderValue>; 3] = [None; 3];
        // One pass over the request's headers (comparing standard names is comparing enums)
        // rather than four hashed lookups. actix keeps the order of one name's values, which
        // is all the engine needs.
        for (name, value) in headers.iter() {
            let Some(i) = self.request_names.iter().position(|n| n == name) else {
                continue;
            };
            if let Some(slot) = reflectable.get_mut(i) {
                slot.get_or_insert(value);
            }
            request.add_header(name.as_str().as_bytes(), value.as_bytes());
        }
        let mut decision = self.policy.evaluate(&request);
        if let (Some(check), Some(origin)) = (check, reflectable[0]) {
            let listed_denied = decision.reason().is_some_and(|r| {
                matches!(
                    r.code(),
                    ReasonCode::OriginNotAllowed | ReasonCode::NullOriginNotAllowed
                )
            });
            if listed_denied && request.origin().is_some() && check(origin) {
                decision = self.policy.evaluate(&request.with_origin_verdict(true));
            }
        }
        self.answer(&decision, reflectable)
    }

    fn answer(&self, d: &Decision<'_>, reflectable: [Option<&HeaderValue>; 3]) -> Answer {
        let mut headers = Headers::default();
        for &(name, value) in d.headers() {
            let name = CorsName::of_canonical(name);
            let reflected = match name {
                CorsName::AllowOrigin => reflectable[0],
                CorsName::AllowMethods => reflectable[1],
                CorsName::AllowHeaders => reflectable[2],
                _ => None,
            };
            let value = match (value, reflected) {
                ("true", _) => HeaderValue::from_static("true"),
                ("*", _) => HeaderValue::from_static("*"),
                (_, Some(v)) if v.as_bytes() == value.as_bytes() => v.clone(),
                _ => match self.constants.iter().find(|(k, _)| *k == key(value)) {
                    Some((_, v)) => v.clone(),
                    None => match HeaderValue::from_str(value) {
                        Ok(v) => v,
                        Err(_) => continue,
                    },
                },
            };
            headers.push(name.index(), value);
        }
        Answer {
            status: d.status(),
            headers,
            vary: d.vary(),
        }
    }

    pub(crate) fn response_names(&self) -> &[HeaderName; 7] {
        &self.response_names
    }
}

/// Where a `str` is: its address and length (compared, never dereferenced).
fn key(s: &str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

/// The decision's headers, owned: most answers have at most three, kept inline.
#[derive(Debug, Default)]
pub(crate) struct Headers {
    first: [Option<(usize, HeaderValue)>; 3],
    rest: Vec<(usize, HeaderValue)>,
}

impl Headers {
    fn push(&mut self, name: usize, value: HeaderValue) {
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some((name, value)),
            None => self.rest.push((name, value)),
        }
    }

    fn into_iter(self) -> impl Iterator<Item = (usize, HeaderValue)> {
        self.first.into_iter().flatten().chain(self.rest)
    }
}

/// What one request's decision writes.
#[derive(Debug)]
pub(crate) struct Answer {
    /// `Some` for a preflight corsgate answers itself.
    pub(crate) status: Option<u16>,
    headers: Headers,
    vary: Vary,
}

impl Answer {
    /// The answer to a preflight corsgate answers itself (an empty body).
    pub(crate) fn preflight_response(self, status: u16, names: &[HeaderName; 7]) -> HttpResponse {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
        let mut response = HttpResponse::new(status);
        self.write(response.headers_mut(), names);
        response
    }

    /// Writes the headers into a response: the application's own CORS headers are removed
    /// first (two `Access-Control-Allow-Origin` values fail in browsers, and a denied origin
    /// must get none), then the decision's are written, and the `Vary` names the response
    /// does not list yet are appended. The same rule as `corsgate::http`.
    pub(crate) fn apply(self, headers: &mut HeaderMap, names: &[HeaderName; 7]) {
        // One pass over the response's (few) names rather than seven lookups.
        let owned = |k: &HeaderName| {
            k.as_str().starts_with("access-control-")
                && CorsName::parse(k.as_str().as_bytes()).is_some()
        };
        if headers.keys().any(owned) {
            for name in names {
                headers.remove(name);
            }
        }
        self.write(headers, names);
    }

    /// Appends the headers and merges `Vary`.
    fn write(self, headers: &mut HeaderMap, names: &[HeaderName; 7]) {
        for (index, value) in self.headers.into_iter() {
            if let Some(name) = names.get(index) {
                headers.append(name.clone(), value);
            }
        }
        let vary = self.vary.value();
        if vary.is_empty() {
            return;
        }
        let name = actix_web::http::header::VARY;
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(vary));
            return;
        }
        let listed: Vec<&[u8]> = headers.get_all(&name).map(HeaderValue::as_bytes).collect();
        let missing: Vec<&str> = self.vary.unlisted(listed.iter().copied()).collect();
        if !missing.is_empty() {
            if let Ok(v) = HeaderValue::from_str(&missing.join(", ")) {
                headers.append(name, v);
            }
        }
    }
}
