//! Origin checks the application decides: a sync predicate, or an async one (a database, a
//! tenant table), in place of the policy's origin list.
//!
//! The check answers only whether the origin is allowed. Everything else still comes from
//! the policy: a malformed origin is denied whatever the check says, `origins = ["*"]` allows
//! every origin without asking it, and methods, headers, credentials, max-age and `Vary` are
//! the policy's.

use http::header::{self, HeaderMap, HeaderValue};
use http::request::Parts;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The future an async check returns.
pub type AsyncCheck = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type SyncFn = dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync;
type AsyncFn = dyn Fn(HeaderValue, &Parts) -> AsyncCheck + Send + Sync;

/// Decides whether a request's origin is allowed. Cheap to clone (an `Arc`).
///
/// ```
/// use corsgate::http::{HttpPolicy, OriginCheck, OriginVerdict};
/// use corsgate::Policy;
///
/// let tenants = ["https://a.example", "https://b.example"];
/// let check = OriginCheck::predicate(move |origin, _parts| {
///     tenants.iter().any(|t| origin.as_bytes() == t.as_bytes())
/// });
/// let cors = HttpPolicy::new(Policy::from_toml(r#"methods = ["PUT"]"#).unwrap());
/// let (parts, ()) = http::Request::get("/").header("origin", "https://b.example")
///     .body(()).unwrap().into_parts();
/// let OriginVerdict::Decided(allowed) = check.check(&parts) else { unreachable!() };
/// let decision = cors.evaluate_head_with(&parts.method, &parts.uri, &parts.headers, Some(allowed));
/// assert!(decision.decision().is_allowed());
/// ```
#[derive(Clone)]
pub struct OriginCheck(Kind);

#[derive(Clone)]
enum Kind {
    Sync(Arc<SyncFn>),
    Async(Arc<AsyncFn>),
}

/// What an [`OriginCheck`] said about one request.
pub enum OriginVerdict {
    /// The request has no `Origin`, or several: there is nothing to ask (the policy denies
    /// a repeated `Origin` as malformed).
    NotAsked,
    /// A sync check's answer.
    Decided(bool),
    /// An async check's answer, to be awaited.
    Pending(AsyncCheck),
}

impl OriginCheck {
    /// A sync check, called with the origin and the request head (method, URI, headers,
    /// extensions) of every request whose `Origin` occurs once, `null` included. The same
    /// signature as tower-http's `AllowOrigin::predicate`.
    pub fn predicate<F>(f: F) -> OriginCheck
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        OriginCheck(Kind::Sync(Arc::new(f)))
    }

    /// An async check: `f` gets the origin and the request head and returns a future that
    /// owns what it needs (copy from `parts` before the `async` block). The same signature as
    /// tower-http's `AllowOrigin::async_predicate`. A time limit is the future's to set (for
    /// example `tokio::time::timeout(..).await.unwrap_or(false)`): corsgate waits for it.
    pub fn async_predicate<F, Fut>(f: F) -> OriginCheck
    where
        F: FnOnce(HeaderValue, &Parts) -> Fut + Send + Sync + Clone + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        OriginCheck(Kind::Async(Arc::new(move |origin, parts| {
            Box::pin((f.clone())(origin, parts))
        })))
    }

    /// Whether the check is async.
    pub fn is_async(&self) -> bool {
        matches!(self.0, Kind::Async(_))
    }

    /// Asks the check about the request's origin.
    pub fn check(&self, parts: &Parts) -> OriginVerdict {
        let Some(origin) = single_origin(&parts.headers) else {
            return OriginVerdict::NotAsked;
        };
        match &self.0 {
            Kind::Sync(f) => OriginVerdict::Decided(f(origin, parts)),
            Kind::Async(f) => OriginVerdict::Pending(f(origin.clone(), parts)),
        }
    }
}

impl fmt::Debug for OriginCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_async() { "async" } else { "sync" };
        f.debug_tuple("OriginCheck").field(&kind).finish()
    }
}

/// The request's `Origin` when it occurs exactly once: the value an origin check decides.
pub fn single_origin(headers: &HeaderMap) -> Option<&HeaderValue> {
    let mut all = headers.get_all(header::ORIGIN).iter();
    match (all.next(), all.next()) {
        (Some(origin), None) => Some(origin),
        _ => None,
    }
}

/// The request headers CORS reads, copied (values are shared, not duplicated), for deciding
/// after the request itself has moved on to the application.
#[cfg(feature = "tower")]
pub(crate) fn cors_request_headers(headers: &HeaderMap) -> HeaderMap {
    use crate::REQUEST_HEADER_NAMES;
    use http::header::HeaderName;
    let mut copy = HeaderMap::new();
    for name in REQUEST_HEADER_NAMES.map(HeaderName::from_static) {
        for value in headers.get_all(&name) {
            copy.append(name.clone(), value.clone());
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(origins: &[&str]) -> Parts {
        let mut builder = http::Request::get("/");
        for o in origins {
            builder = builder.header("origin", *o);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn a_check_is_asked_only_about_a_single_origin() {
        let check = OriginCheck::predicate(|o, _| o == "https://a.example");
        assert!(matches!(check.check(&parts(&[])), OriginVerdict::NotAsked));
        assert!(matches!(
            check.check(&parts(&["https://a.example", "https://a.example"])),
            OriginVerdict::NotAsked
        ));
        assert!(matches!(
            check.check(&parts(&["https://a.example"])),
            OriginVerdict::Decided(true)
        ));
        assert!(matches!(
            check.check(&parts(&["https://b.example"])),
            OriginVerdict::Decided(false)
        ));
    }

    #[cfg(feature = "tower")]
    #[test]
    fn the_copied_head_keeps_every_cors_line_and_nothing_else() {
        let (parts, ()) = http::Request::options("/")
            .header("origin", "https://a.example")
            .header("access-control-request-headers", "x-a")
            .header("access-control-request-headers", "x-b")
            .header("cookie", "sid=1")
            .body(())
            .unwrap()
            .into_parts();
        let copy = cors_request_headers(&parts.headers);
        assert_eq!(copy.len(), 3);
        assert_eq!(
            copy.get_all("access-control-request-headers")
                .iter()
                .count(),
            2
        );
        assert!(!copy.contains_key("cookie"));
    }
}
