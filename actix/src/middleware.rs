//! The actix-web `Transform` and `Service`: preflights answered here, every other response
//! (errors of inner middleware and handlers included) gets the CORS headers.

use crate::policy::{ActixPolicy, Decided};
use crate::response::Answer;
use crate::Cors;
use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::error::InternalError;
use actix_web::Error;
use pin_project_lite::pin_project;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            cors: self.clone(),
        }))
    }
}

/// The middleware service [`Cors`] wraps around an actix-web service.
pub struct CorsMiddleware<S> {
    service: S,
    cors: Cors,
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let policy = self.cors.policy.load();
        let decided = {
            let head = req.head();
            let check = self
                .cors
                .check
                .as_ref()
                .map(|f| move |origin: &actix_web::http::header::HeaderValue| f(origin, head));
            policy.decide(
                head.method.as_str().as_bytes(),
                head.uri.path().as_bytes(),
                &head.headers,
                check.as_ref().map(|f| f as &dyn Fn(&_) -> bool),
            )
        };
        let answer = match decided {
            Decided::Answered(response) => {
                let response = Some(req.into_response(response));
                return CorsFuture {
                    state: State::Answered { response },
                };
            }
            Decided::Forwarded(answer) => answer,
        };
        let pending = Some(Pending {
            answer,
            policy: Arc::clone(&policy),
        });
        CorsFuture {
            state: State::Forwarded {
                future: self.service.call(req),
                pending,
            },
        }
    }
}

/// What a forwarded request's response still needs.
struct Pending {
    answer: Answer,
    policy: Arc<ActixPolicy>,
}

pin_project! {
    /// The response of a [`CorsMiddleware`].
    pub struct CorsFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        /// A preflight answered by corsgate.
        Answered { response: Option<ServiceResponse<BoxBody>> },
        /// The inner service's response, headers written when it arrives.
        Forwarded { #[pin] future: F, pending: Option<Pending> },
    }
}

impl<F, B> Future for CorsFuture<F>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
    B: MessageBody,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response.map_into_right_body())),
                None => Poll::Ready(Err(actix_web::error::ErrorInternalServerError(
                    "CorsFuture polled after completion",
                ))),
            },
            StateProj::Forwarded { future, pending } => {
                let result = match future.poll(cx) {
                    Poll::Ready(result) => result,
                    Poll::Pending => return Poll::Pending,
                };
                let Some(Pending { answer, policy }) = pending.take() else {
                    return Poll::Ready(result.map(ServiceResponse::map_into_left_body));
                };
                match result {
                    Ok(mut response) => {
                        answer.apply(response.headers_mut(), &policy);
                        Poll::Ready(Ok(response.map_into_left_body()))
                    }
                    // An inner middleware's error (a 401 of an auth layer) stays an error
                    // whose response carries the headers, so that the page can read it.
                    Err(error) => {
                        let mut response = error.error_response();
                        answer.apply(response.headers_mut(), &policy);
                        Poll::Ready(Err(InternalError::from_response(error, response).into()))
                    }
                }
            }
        }
    }
}
