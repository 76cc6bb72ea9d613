//! A builder in tower-http's vocabulary. Each setter fills a [`PolicyConfig`] key; `build`
//! compiles it and returns every problem at once (tower-http panics at the first request).

use super::CorsLayer;
use crate::http::OriginCheck;
use crate::{ConfigErrors, Policy, PolicyConfig};
use http::header::{HeaderName, HeaderValue};
use http::request::Parts;
use http::Method;
use std::future::Future;
use std::time::Duration;

/// Any origin, method or header: `*` (tower-http's `Any`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Any;

/// Which origins are allowed (the policy's `origins`, or an [`OriginCheck`]).
#[derive(Clone, Debug)]
pub struct AllowOrigin(Origins);

#[derive(Clone, Debug)]
enum Origins {
    List(Vec<String>),
    Check(OriginCheck),
}

impl AllowOrigin {
    /// Any origin: `Access-Control-Allow-Origin: *` (never with credentials).
    pub fn any() -> AllowOrigin {
        AllowOrigin(Origins::List(vec!["*".into()]))
    }

    /// One origin. Beyond tower-http, an entry may be a pattern: `https://*.example.com`
    /// (subdomains, never the apex) or `http://localhost:*` (any port).
    pub fn exact(origin: HeaderValue) -> AllowOrigin {
        AllowOrigin::list([origin])
    }

    /// Several origins (or patterns, as for [`AllowOrigin::exact`]).
    pub fn list<I: IntoIterator<Item = HeaderValue>>(origins: I) -> AllowOrigin {
        AllowOrigin(Origins::List(origins.into_iter().map(text).collect()))
    }

    /// A sync check of the origin and the request head (see [`OriginCheck::predicate`]).
    pub fn predicate<F>(f: F) -> AllowOrigin
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        AllowOrigin(Origins::Check(OriginCheck::predicate(f)))
    }

    /// An async check (see [`OriginCheck::async_predicate`]).
    pub fn async_predicate<F, Fut>(f: F) -> AllowOrigin
    where
        F: FnOnce(HeaderValue, &Parts) -> Fut + Send + Sync + Clone + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        AllowOrigin(Origins::Check(OriginCheck::async_predicate(f)))
    }
}

impl From<Any> for AllowOrigin {
    fn from(_: Any) -> AllowOrigin {
        AllowOrigin::any()
    }
}

impl From<HeaderValue> for AllowOrigin {
    fn from(origin: HeaderValue) -> AllowOrigin {
        AllowOrigin::exact(origin)
    }
}

impl<const N: usize> From<[HeaderValue; N]> for AllowOrigin {
    fn from(origins: [HeaderValue; N]) -> AllowOrigin {
        AllowOrigin::list(origins)
    }
}

impl From<Vec<HeaderValue>> for AllowOrigin {
    fn from(origins: Vec<HeaderValue>) -> AllowOrigin {
        AllowOrigin::list(origins)
    }
}

impl From<&str> for AllowOrigin {
    fn from(origin: &str) -> AllowOrigin {
        AllowOrigin(Origins::List(vec![origin.into()]))
    }
}

impl<const N: usize> From<[&str; N]> for AllowOrigin {
    fn from(origins: [&str; N]) -> AllowOrigin {
        AllowOrigin(Origins::List(origins.map(String::from).into()))
    }
}

impl From<OriginCheck> for AllowOrigin {
    fn from(check: OriginCheck) -> AllowOrigin {
        AllowOrigin(Origins::Check(check))
    }
}

/// Names (methods or headers) for a policy list, or `["*"]`.
#[derive(Clone, Debug)]
struct Names(Vec<String>);

impl Names {
    fn any() -> Names {
        Names(vec!["*".into()])
    }
}

/// Which methods a preflight may ask for (the policy's `methods`). GET, HEAD and POST are
/// always allowed.
#[derive(Clone, Debug)]
pub struct AllowMethods(Names);

impl AllowMethods {
    /// Any method. corsgate answers a preflight with the one method it asked for, so this
    /// also works with credentials (where tower-http refuses `Any`).
    pub fn any() -> AllowMethods {
        AllowMethods(Names::any())
    }

    /// One method.
    pub fn exact(method: Method) -> AllowMethods {
        AllowMethods::list([method])
    }

    /// Several methods.
    pub fn list<I: IntoIterator<Item = Method>>(methods: I) -> AllowMethods {
        let names = methods.into_iter().map(|m| m.as_str().to_owned());
        AllowMethods(Names(names.collect()))
    }

    /// tower-http's "reflect the requested method": the same as [`AllowMethods::any`], since
    /// corsgate always answers with the requested method.
    pub fn mirror_request() -> AllowMethods {
        AllowMethods::any()
    }
}

impl From<Any> for AllowMethods {
    fn from(_: Any) -> AllowMethods {
        AllowMethods::any()
    }
}

impl From<Method> for AllowMethods {
    fn from(method: Method) -> AllowMethods {
        AllowMethods::exact(method)
    }
}

impl<const N: usize> From<[Method; N]> for AllowMethods {
    fn from(methods: [Method; N]) -> AllowMethods {
        AllowMethods::list(methods)
    }
}

impl From<Vec<Method>> for AllowMethods {
    fn from(methods: Vec<Method>) -> AllowMethods {
        AllowMethods::list(methods)
    }
}

/// Header names: which request headers a preflight may ask for (`request_headers`), or which
/// response headers JavaScript may read (`expose_headers`).
#[derive(Clone, Debug)]
pub struct HeaderList(Names);

impl HeaderList {
    /// Any header: `*`. As request headers, `*` never covers `authorization`, which must be
    /// named (the Fetch standard's rule); with credentials, corsgate echoes the requested
    /// names instead of sending `*`. As exposed headers, `*` is refused with credentials.
    pub fn any() -> HeaderList {
        HeaderList(Names::any())
    }

    /// Several names.
    pub fn list<I: IntoIterator<Item = HeaderName>>(names: I) -> HeaderList {
        let names = names.into_iter().map(|n| n.as_str().to_owned());
        HeaderList(Names(names.collect()))
    }

    /// tower-http's "reflect the requested headers": the same as [`HeaderList::any`]
    /// (`authorization` still has to be named).
    pub fn mirror_request() -> HeaderList {
        HeaderList::any()
    }
}

/// tower-http's name for request headers.
pub type AllowHeaders = HeaderList;
/// tower-http's name for exposed headers.
pub type ExposeHeaders = HeaderList;

impl From<Any> for HeaderList {
    fn from(_: Any) -> HeaderList {
        HeaderList::any()
    }
}

impl From<HeaderName> for HeaderList {
    fn from(name: HeaderName) -> HeaderList {
        HeaderList::list([name])
    }
}

impl<const N: usize> From<[HeaderName; N]> for HeaderList {
    fn from(names: [HeaderName; N]) -> HeaderList {
        HeaderList::list(names)
    }
}

impl From<Vec<HeaderName>> for HeaderList {
    fn from(names: Vec<HeaderName>) -> HeaderList {
        HeaderList::list(names)
    }
}

/// Builds a [`CorsLayer`] with tower-http's setters; see [`CorsLayer::builder`]. Nothing is
/// allowed until a setter says so (tower-http's `CorsLayer::new()` too).
///
/// ```
/// use corsgate::tower::{Any, CorsLayer};
/// use http::{header, HeaderValue, Method};
/// use std::time::Duration;
///
/// let layer = CorsLayer::builder()
///     .allow_origin(["https://app.example.com".parse::<HeaderValue>().unwrap()]) // or &strs
///     .allow_methods([Method::GET, Method::PUT])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .expose_headers([header::ETAG])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()
///     .expect("a valid policy");
/// # let _ = layer;
///
/// // tower-http would panic at the first request; corsgate lists every problem.
/// let errors = CorsLayer::builder()
///     .allow_origin(Any)
///     .allow_credentials(true)
///     .expose_headers(Any)
///     .max_age(Duration::from_secs(100_000))
///     .build()
///     .unwrap_err();
/// let codes: Vec<&str> = errors.errors.iter().map(|e| e.code).collect();
/// assert_eq!(codes.len(), 3, "{errors}");
/// assert!(codes.contains(&"wildcard_origin_with_credentials"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Builder {
    config: PolicyConfig,
    check: Option<OriginCheck>,
}

impl Builder {
    /// `origins`, or an origin check: `Any`, a `HeaderValue`, an array or `Vec` of them,
    /// `&str`s, or [`AllowOrigin::predicate`] / [`AllowOrigin::async_predicate`].
    pub fn allow_origin(mut self, origin: impl Into<AllowOrigin>) -> Builder {
        match origin.into().0 {
            Origins::List(list) => {
                self.config.origins = list;
                self.check = None;
            }
            Origins::Check(check) => {
                self.config.origins = Vec::new();
                self.check = Some(check);
            }
        }
        self
    }

    /// `methods`: `Any`, a `Method`, or an array or `Vec` of them.
    pub fn allow_methods(mut self, methods: impl Into<AllowMethods>) -> Builder {
        self.config.methods = methods.into().0 .0;
        self
    }

    /// `request_headers`: `Any`, a `HeaderName`, or an array or `Vec` of them.
    pub fn allow_headers(mut self, headers: impl Into<HeaderList>) -> Builder {
        self.config.request_headers = headers.into().0 .0;
        self
    }

    /// `expose_headers`: `Any`, a `HeaderName`, or an array or `Vec` of them.
    pub fn expose_headers(mut self, headers: impl Into<HeaderList>) -> Builder {
        self.config.expose_headers = headers.into().0 .0;
        self
    }

    /// `credentials`.
    pub fn allow_credentials(mut self, allow: bool) -> Builder {
        self.config.credentials = allow;
        self
    }

    /// `max_age`, in whole seconds (0 to 86400).
    pub fn max_age(mut self, max_age: Duration) -> Builder {
        self.config.max_age = Some(i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX));
        self
    }

    /// `private_network`: answer legacy Private Network Access preflights.
    pub fn allow_private_network(mut self, allow: bool) -> Builder {
        self.config.private_network = allow;
        self
    }

    /// `allow_null_origin` (not in tower-http, where `null` is one more list entry).
    pub fn allow_null_origin(mut self, allow: bool) -> Builder {
        self.config.allow_null_origin = allow;
        self
    }

    /// `preflight_status`: the status of an allowed preflight (default 204; tower-http
    /// answers 200).
    pub fn preflight_status(mut self, status: u16) -> Builder {
        self.config.preflight_status = status.into();
        self
    }

    /// The policy the setters wrote so far (for [`crate::http::SharedHttpPolicy::reconfigure`]).
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// Compiles the policy: every problem at once, each with its path (`origins[1]`), code,
    /// message and hint.
    pub fn build(self) -> Result<CorsLayer, ConfigErrors> {
        let layer = CorsLayer::new(Policy::compile(&self.config)?);
        Ok(match self.check {
            Some(check) => layer.origin_check(check),
            None => layer,
        })
    }
}

/// A header value as policy text (header values are bytes; a non-UTF-8 one becomes text the
/// policy reports as malformed).
fn text(value: HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}
