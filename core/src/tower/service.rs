//! [`Cors`]: the service a [`CorsLayer`] wraps around the application.

use super::future::ResponseFuture;
use super::CorsLayer;
use crate::http::origin_check::cors_request_headers;
use crate::http::{HttpPolicy, OriginVerdict};
use http::request::Parts;
use http::{Request, Response};
use std::task::{Context, Poll};
use tower_service::Service;

/// The middleware service: answers preflights itself and writes the CORS headers into the
/// inner service's responses. Made by [`CorsLayer`]; works with any request body, and any
/// response body that has a `Default` (the empty body of an answered preflight).
#[derive(Clone, Debug)]
pub struct Cors<S> {
    pub(super) inner: S,
    pub(super) layer: CorsLayer,
}

impl<S> Cors<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let Some(check) = &self.layer.check else {
            let policy = self.layer.policy.load();
            let headers = {
                let decision = policy.evaluate(&request);
                if let Some(response) = decision.preflight_response() {
                    return ResponseFuture::answered(response);
                }
                decision.response_headers()
            };
            return ResponseFuture::forwarded(self.inner.call(request), headers);
        };
        let (parts, body) = request.into_parts();
        let allowed = match check.check(&parts) {
            OriginVerdict::NotAsked => None,
            OriginVerdict::Decided(allowed) => Some(allowed),
            OriginVerdict::Pending(verdict) => {
                let policy = self.layer.policy.load_full();
                // Whether the application is called does not depend on the origin's verdict
                // (a preflight corsgate answers is answered allowed or denied), so it is known
                // now and the application runs while the check is awaited.
                if evaluate(&policy, &parts, None)
                    .decision()
                    .status()
                    .is_some()
                {
                    return ResponseFuture::preflight_checking(verdict, policy, parts);
                }
                let head = cors_head(&parts);
                let future = self.inner.call(Request::from_parts(parts, body));
                return ResponseFuture::forwarded_checking(future, verdict, policy, head);
            }
        };
        let policy = self.layer.policy.load();
        let headers = {
            let decision = evaluate(&policy, &parts, allowed);
            if let Some(response) = decision.preflight_response() {
                return ResponseFuture::answered(response);
            }
            decision.response_headers()
        };
        let future = self.inner.call(Request::from_parts(parts, body));
        ResponseFuture::forwarded(future, headers)
    }
}

/// Evaluates a request head with an origin verdict.
pub(super) fn evaluate<'a>(
    policy: &'a HttpPolicy,
    parts: &'a Parts,
    allowed: Option<bool>,
) -> crate::http::HttpDecision<'a> {
    policy.evaluate_head_with(&parts.method, &parts.uri, &parts.headers, allowed)
}

/// A copy of what CORS reads of a request head, kept while the request itself is with the
/// application.
fn cors_head(parts: &Parts) -> Parts {
    let (mut head, ()) = Request::new(()).into_parts();
    head.method = parts.method.clone();
    head.uri = parts.uri.clone();
    head.headers = cors_request_headers(&parts.headers);
    head
}
