//! The core's response rule written into actix responses: [`Decision::response_into`] for a
//! preflight the policy answers, [`corsgate::write_strict`]'s parts ([`Vary::merge`],
//! [`corsgate::removes`]) for the application's response.
//! This module only converts names and values; which headers go, which are written and how
//! `Vary` merges is the core's (docs/semantics.md, "The response").

use crate::policy::ActixPolicy;
use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use corsgate::{Decision, HeaderName as CorsName, ResponseHeader, Vary};
use std::borrow::Cow;

/// What a decision's values are made from: the policy's constants and the request's own
/// header values a decision may reflect (`Origin`, the requested method, the first
/// `Access-Control-Request-Headers` line).
pub(crate) struct Values<'p, 'r> {
    pub(crate) policy: &'p ActixPolicy,
    pub(crate) reflectable: [Option<&'r HeaderValue>; 3],
    pub(crate) vary: Vary,
}

impl Values<'_, '_> {
    /// The whole answer to a preflight the policy answers: the status, body and header lines
    /// of [`Decision::response_into`].
    pub(crate) fn preflight(&self, d: &Decision<'_>) -> HttpResponse {
        let mut lines = Vec::with_capacity(d.headers().len() + 3);
        let status = d
            .response_into(&[], &mut lines)
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::FORBIDDEN);
        let mut response = HttpResponse::new(status);
        let headers = response.headers_mut();
        for line in &lines {
            if let ResponseHeader::Set(name, value) = line {
                if let (Some(n), Some(v)) = (self.name(name), self.value(name, value)) {
                    headers.append(n, v);
                }
            }
        }
        match d.body() {
            "" => response,
            body => response.set_body(BoxBody::new(body)),
        }
    }

    /// The decision's headers and `Vary`, owned, for the application's response.
    pub(crate) fn answer(&self, d: &Decision<'_>) -> Answer {
        let mut headers = Headers::default();
        for &(name, value) in d.headers() {
            if let Some(v) = self.value(name, value.as_bytes()) {
                headers.push(CorsName::of_canonical(name), v);
            }
        }
        Answer {
            headers,
            vary: d.vary(),
        }
    }

    /// The actix name of a line the core writes.
    fn name(&self, name: &str) -> Option<HeaderName> {
        match name {
            corsgate::CONTENT_LENGTH => Some(header::CONTENT_LENGTH),
            corsgate::CONTENT_TYPE => Some(header::CONTENT_TYPE),
            _ => match CorsName::of_canonical(name) {
                CorsName::Vary => Some(header::VARY),
                cors => self.policy.response_name(cors).cloned(),
            },
        }
    }

    /// A line's value as a `HeaderValue`: a request header's own value when it is reflected
    /// unchanged, a constant converted when the policy was built, a copy otherwise.
    fn value(&self, name: &str, value: &[u8]) -> Option<HeaderValue> {
        match value {
            b"true" => return Some(HeaderValue::from_static("true")),
            b"*" => return Some(HeaderValue::from_static("*")),
            _ => {}
        }
        let reflected = match CorsName::of_canonical(name) {
            CorsName::AllowOrigin => self.reflectable[0],
            CorsName::AllowMethods => self.reflectable[1],
            CorsName::AllowHeaders => self.reflectable[2],
            _ => None,
        };
        if let Some(v) = reflected.filter(|v| v.as_bytes() == value) {
            return Some(v.clone());
        }
        if let Some(v) = self.policy.constant(value) {
            return Some(v.clone());
        }
        let vary = self.vary.value();
        Some(match value {
            b"0" => HeaderValue::from_static("0"),
            v if v.as_ptr() == vary.as_ptr() && v.len() == vary.len() => {
                HeaderValue::from_static(vary)
            }
            v if v == corsgate::EMPTY_BODY_TYPE.as_bytes() => {
                HeaderValue::from_static(corsgate::EMPTY_BODY_TYPE)
            }
            v => HeaderValue::from_bytes(v).ok()?,
        })
    }
}

/// The decision's headers, owned: most answers have at most three, kept inline.
#[derive(Debug, Default)]
struct Headers {
    first: [Option<(CorsName, HeaderValue)>; 3],
    rest: Vec<(CorsName, HeaderValue)>,
}

impl Headers {
    fn push(&mut self, name: CorsName, value: HeaderValue) {
        match self.first.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some((name, value)),
            None => self.rest.push((name, value)),
        }
    }

    fn into_iter(self) -> impl Iterator<Item = (CorsName, HeaderValue)> {
        self.first.into_iter().flatten().chain(self.rest)
    }
}

/// What a forwarded request's response gets: the decision's headers and `Vary`, kept past
/// the request (which the application owns meanwhile).
#[derive(Debug)]
pub(crate) struct Answer {
    headers: Headers,
    vary: Vary,
}

impl Answer {
    /// Writes the answer onto the application's response headers by the core's strict rule,
    /// [`corsgate::write_strict`] made of its parts for a map edited in place: `Vary` merged
    /// by [`Vary::merge`], the application's lines [`corsgate::removes`] names removed (every
    /// CORS response header, and `Vary` when the merged line replaces it), then the
    /// decision's lines and the merged `Vary` appended.
    pub(crate) fn apply(self, headers: &mut HeaderMap, policy: &ActixPolicy) {
        let merged = if headers.contains_key(header::VARY) {
            let listed: Vec<&[u8]> = headers
                .get_all(header::VARY)
                .map(HeaderValue::as_bytes)
                .collect();
            self.vary
                .merge(listed.iter().copied())
                .map(|v| Cow::Owned(v.into_owned()))
        } else {
            self.vary.merge(std::iter::empty())
        };
        let rewritten = merged.is_some();
        let vary = merged.and_then(|v| self.vary_value(&v));
        let removed = |k: &HeaderName| corsgate::removes(k.as_str().as_bytes(), rewritten);
        if headers.keys().any(removed) {
            let names: Vec<HeaderName> = headers.keys().filter(|k| removed(k)).cloned().collect();
            for name in &names {
                headers.remove(name);
            }
        }
        for (name, value) in self.headers.into_iter() {
            if let Some(name) = policy.response_name(name) {
                headers.append(name.clone(), value);
            }
        }
        if let Some(value) = vary {
            headers.append(header::VARY, value);
        }
    }

    /// The merged `Vary` line as a `HeaderValue`: the constant of the decision's names (the
    /// application set none) without copying, else a copy.
    fn vary_value(&self, value: &[u8]) -> Option<HeaderValue> {
        let constant = self.vary.value();
        match value == constant.as_bytes() {
            true => Some(HeaderValue::from_static(constant)),
            false => HeaderValue::from_bytes(value).ok(),
        }
    }
}
