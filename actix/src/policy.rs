//! A compiled policy with its constant values already actix `HeaderValue`s, and the decision
//! on one request head: a preflight's whole answer, or what the application's response gets.

use crate::response::{Answer, Values};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::HttpResponse;
use corsgate::{HeaderName as CorsName, Policy, ReasonCode, REQUEST_HEADER_NAMES};

/// A [`Policy`] ready for actix: the policy's request-independent values converted once, and
/// found per request by the address of the `str` a decision carries.
#[derive(Debug)]
pub(crate) struct ActixPolicy {
    policy: Policy,
    /// Address and length of each constant `str`, and its value (a handful per route: a
    /// linear scan beats hashing).
    constants: Vec<((usize, usize), HeaderValue)>,
    /// The four request headers the engine reads, as actix names.
    request_names: [HeaderName; 4],
    /// The CORS response names, as actix names, by [`corsgate::HeaderName::index`].
    response_names: [HeaderName; 7],
}

/// What the middleware does with one request.
#[derive(Debug)]
pub(crate) enum Decided {
    /// A preflight the policy answers itself: the whole response.
    Answered(HttpResponse),
    /// The application answers; its response gets this.
    Forwarded(Answer),
}

impl ActixPolicy {
    pub(crate) fn new(policy: Policy) -> ActixPolicy {
        let constants = policy
            .constant_values()
            .filter_map(|v| Some((key(v.as_bytes()), HeaderValue::from_str(v).ok()?)))
            .collect();
        ActixPolicy {
            policy,
            constants,
            request_names: REQUEST_HEADER_NAMES.map(HeaderName::from_static),
            response_names: CorsName::CORS.map(|n| HeaderName::from_static(n.lower())),
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
    ) -> Decided {
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
        let values = Values {
            policy: self,
            reflectable,
            vary: decision.vary(),
        };
        match decision.status() {
            Some(_) => Decided::Answered(values.preflight(&decision)),
            None => Decided::Forwarded(values.answer(&decision)),
        }
    }

    /// The actix name of `name`, one of the CORS response names.
    pub(crate) fn response_name(&self, name: CorsName) -> Option<&HeaderName> {
        self.response_names.get(name.index())
    }

    /// The policy's own value whose bytes are `value` (the same address), converted once.
    pub(crate) fn constant(&self, value: &[u8]) -> Option<&HeaderValue> {
        self.constants
            .iter()
            .find(|(k, _)| *k == key(value))
            .map(|(_, v)| v)
    }
}

/// Where bytes are: their address and length (compared, never dereferenced).
fn key(s: &[u8]) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}
