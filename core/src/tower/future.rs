//! [`ResponseFuture`]: the answer of a [`super::Cors`] service.

use super::service::evaluate;
use crate::http::{AsyncCheck, HttpPolicy, ResponseHeaders};
use http::request::Parts;
use http::Response;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

pin_project! {
    /// The response of a [`super::Cors`] service: a preflight answered at once, or the inner
    /// service's response with the CORS headers written into it.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        /// A preflight corsgate answers (taken when polled).
        Answered { response: Option<Response<B>> },
        /// The inner service answers; the headers are written into its response.
        Forwarded { #[pin] future: F, headers: Option<ResponseHeaders> },
        /// A preflight corsgate answers once the async origin check has.
        PreflightChecking { verdict: AsyncCheck, policy: Arc<HttpPolicy>, head: Parts },
        /// The inner service and the async origin check run together.
        ForwardedChecking {
            #[pin]
            future: F,
            verdict: AsyncCheck,
            allowed: Option<bool>,
            response: Option<Response<B>>,
            policy: Arc<HttpPolicy>,
            head: Parts,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(super) fn answered(response: Response<B>) -> Self {
        let response = Some(response);
        Self::new(State::Answered { response })
    }

    pub(super) fn forwarded(future: F, headers: ResponseHeaders) -> Self {
        let headers = Some(headers);
        Self::new(State::Forwarded { future, headers })
    }

    pub(super) fn preflight_checking(
        verdict: AsyncCheck,
        policy: Arc<HttpPolicy>,
        head: Parts,
    ) -> Self {
        Self::new(State::PreflightChecking {
            verdict,
            policy,
            head,
        })
    }

    pub(super) fn forwarded_checking(
        future: F,
        verdict: AsyncCheck,
        policy: Arc<HttpPolicy>,
        head: Parts,
    ) -> Self {
        Self::new(State::ForwardedChecking {
            future,
            verdict,
            allowed: None,
            response: None,
            policy,
            head,
        })
    }

    fn new(state: State<F, B>) -> Self {
        ResponseFuture { state }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
    B: Default,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            // Polled again after completion (a caller's bug): an empty response, no panic.
            StateProj::Answered { response } => {
                Poll::Ready(Ok(response.take().unwrap_or_default()))
            }
            StateProj::Forwarded { future, headers } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some(headers) = headers.take() {
                    headers.apply(response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
            StateProj::PreflightChecking {
                verdict,
                policy,
                head,
            } => {
                let allowed = ready!(verdict.as_mut().poll(cx));
                let decision = evaluate(policy, head, Some(allowed));
                // The policy answered this preflight without a verdict, and answers it with one.
                Poll::Ready(Ok(decision.preflight_response().unwrap_or_default()))
            }
            StateProj::ForwardedChecking {
                future,
                verdict,
                allowed,
                response,
                policy,
                head,
            } => {
                if allowed.is_none() {
                    if let Poll::Ready(v) = verdict.as_mut().poll(cx) {
                        *allowed = Some(v);
                    }
                }
                if response.is_none() {
                    if let Poll::Ready(r) = future.poll(cx) {
                        *response = Some(r?);
                    }
                }
                let Some(allowed) = *allowed else {
                    return Poll::Pending;
                };
                let Some(mut response) = response.take() else {
                    return Poll::Pending;
                };
                evaluate(policy, head, Some(allowed))
                    .response_headers()
                    .apply(response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}
