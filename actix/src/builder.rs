//! [`Cors`], the middleware factory, and [`CorsBuilder`], actix-cors's options mapped onto
//! the policy keys.

use crate::policy::ActixPolicy;
use actix_web::dev::RequestHead;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::Method;
use arc_swap::{ArcSwap, Guard};
use corsgate::{ConfigErrors, Policy, PolicyConfig};
use std::fmt;
use std::sync::Arc;

/// An origin check: `(origin, request head) -> allowed` (actix-cors's `allowed_origin_fn`,
/// here `Send + Sync` so that one `Cors` can be cloned into every worker).
type OriginFn = dyn Fn(&HeaderValue, &RequestHead) -> bool + Send + Sync;

/// The corsgate middleware factory: `App::new().wrap(cors)`. Clone it into each worker's
/// `App` (the policy handle is shared by every clone).
#[derive(Clone)]
pub struct Cors {
    pub(crate) policy: Arc<SharedPolicy>,
    pub(crate) check: Option<Arc<OriginFn>>,
}

impl Cors {
    /// The middleware serving a compiled policy.
    pub fn from_policy(policy: Policy) -> Cors {
        Cors::shared(Arc::new(SharedPolicy::new(policy)))
    }

    /// The middleware serving a policy handle the application reconfigures.
    pub fn shared(policy: Arc<SharedPolicy>) -> Cors {
        Cors {
            policy,
            check: None,
        }
    }

    /// actix-cors's restrictive starting point: nothing is allowed until a setter says so.
    /// (`Cors::default()` of actix-cors; here it returns the builder.)
    #[allow(clippy::should_implement_trait)]
    pub fn default() -> CorsBuilder {
        CorsBuilder::default()
    }

    /// The policy handle: `store`, `reconfigure` or `reload` it to change what every worker
    /// answers.
    pub fn handle(&self) -> Arc<SharedPolicy> {
        Arc::clone(&self.policy)
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("policy", &self.policy)
            .field("origin_fn", &self.check.is_some())
            .finish()
    }
}

/// The policy every clone of a [`Cors`] serves, swapped atomically while requests run; a
/// policy that fails to compile never replaces the one serving.
#[derive(Debug)]
pub struct SharedPolicy {
    current: ArcSwap<ActixPolicy>,
}

impl SharedPolicy {
    /// A handle serving `policy`.
    pub fn new(policy: Policy) -> SharedPolicy {
        SharedPolicy {
            current: ArcSwap::from_pointee(ActixPolicy::new(policy)),
        }
    }

    pub(crate) fn load(&self) -> Guard<Arc<ActixPolicy>> {
        self.current.load()
    }

    /// Replaces the policy; requests already running finish with the old one.
    pub fn store(&self, policy: Policy) {
        self.current.store(Arc::new(ActixPolicy::new(policy)));
    }

    /// Compiles `config` and swaps it in; on error the old policy keeps serving.
    pub fn reconfigure(&self, config: &PolicyConfig) -> Result<(), ConfigErrors> {
        self.store(Policy::compile(config)?);
        Ok(())
    }

    /// Reads a policy file (`.json`, else TOML) and swaps it in; on error the old policy
    /// keeps serving.
    pub fn reload(&self, path: impl AsRef<std::path::Path>) -> Result<(), ConfigErrors> {
        self.store(Policy::from_file(path)?);
        Ok(())
    }
}

/// A method or header name, as actix-cors's setters take them (`&str`, `String`, `Method`,
/// `HeaderName`).
pub trait IntoName {
    /// The name as policy text.
    fn into_name(self) -> String;
}

impl IntoName for &str {
    fn into_name(self) -> String {
        self.to_owned()
    }
}

impl IntoName for String {
    fn into_name(self) -> String {
        self
    }
}

impl IntoName for Method {
    fn into_name(self) -> String {
        self.as_str().to_owned()
    }
}

impl IntoName for &Method {
    fn into_name(self) -> String {
        self.as_str().to_owned()
    }
}

impl IntoName for HeaderName {
    fn into_name(self) -> String {
        self.as_str().to_owned()
    }
}

impl IntoName for &HeaderName {
    fn into_name(self) -> String {
        self.as_str().to_owned()
    }
}

/// actix-cors's setters, each filling a policy key; [`CorsBuilder::build`] compiles the policy
/// and returns every problem at once (actix-cors logs the first one and fails the app's start).
#[derive(Clone, Default)]
pub struct CorsBuilder {
    config: PolicyConfig,
    check: Option<Arc<OriginFn>>,
}

impl CorsBuilder {
    /// Adds an origin to `origins`. Beyond actix-cors, an entry may be a pattern:
    /// `https://*.example.com` (subdomains, never the apex) or `http://localhost:*`.
    pub fn allowed_origin(mut self, origin: &str) -> CorsBuilder {
        self.config.origins.push(origin.to_owned());
        self
    }

    /// Any origin: `Access-Control-Allow-Origin: *` (refused with credentials). actix-cors
    /// echoes the origin instead unless `send_wildcard`, which with credentials lets every
    /// website read responses made with the user's cookies; corsgate has no such mode.
    pub fn allow_any_origin(mut self) -> CorsBuilder {
        self.config.origins = vec!["*".into()];
        self
    }

    /// actix-cors's `send_wildcard`: with [`CorsBuilder::allow_any_origin`] corsgate always
    /// sends `*`, so this is accepted for compatibility and changes nothing.
    pub fn send_wildcard(self) -> CorsBuilder {
        self
    }

    /// Asked about an origin the `origins` list does not allow (as in actix-cors); when it
    /// returns `true` the origin is allowed. Malformed origins are denied without asking.
    pub fn allowed_origin_fn<F>(mut self, f: F) -> CorsBuilder
    where
        F: Fn(&HeaderValue, &RequestHead) -> bool + Send + Sync + 'static,
    {
        self.check = Some(Arc::new(f));
        self
    }

    /// `methods = ["*"]`: a preflight may ask for any method (it is answered with that one).
    pub fn allow_any_method(mut self) -> CorsBuilder {
        self.config.methods = vec!["*".into()];
        self
    }

    /// Adds to `methods` (`"PUT"`, `Method::DELETE`, …). GET, HEAD and POST always pass.
    pub fn allowed_methods<I>(mut self, methods: I) -> CorsBuilder
    where
        I: IntoIterator,
        I::Item: IntoName,
    {
        let methods = methods.into_iter().map(IntoName::into_name);
        self.config.methods.extend(methods);
        self
    }

    /// `request_headers = ["*"]` (never covers `authorization`, which must be named).
    pub fn allow_any_header(mut self) -> CorsBuilder {
        self.config.request_headers = vec!["*".into()];
        self
    }

    /// Adds one name to `request_headers`.
    pub fn allowed_header(self, header: impl IntoName) -> CorsBuilder {
        self.allowed_headers([header])
    }

    /// Adds to `request_headers`.
    pub fn allowed_headers<I>(mut self, headers: I) -> CorsBuilder
    where
        I: IntoIterator,
        I::Item: IntoName,
    {
        let headers = headers.into_iter().map(IntoName::into_name);
        self.config.request_headers.extend(headers);
        self
    }

    /// `expose_headers = ["*"]` (refused with credentials).
    pub fn expose_any_header(mut self) -> CorsBuilder {
        self.config.expose_headers = vec!["*".into()];
        self
    }

    /// Adds to `expose_headers`.
    pub fn expose_headers<I>(mut self, headers: I) -> CorsBuilder
    where
        I: IntoIterator,
        I::Item: IntoName,
    {
        let headers = headers.into_iter().map(IntoName::into_name);
        self.config.expose_headers.extend(headers);
        self
    }

    /// `max_age` in seconds (0 to 86400); `None`: no header.
    pub fn max_age(mut self, max_age: impl Into<Option<usize>>) -> CorsBuilder {
        self.config.max_age = max_age.into().map(|s| i64::try_from(s).unwrap_or(i64::MAX));
        self
    }

    /// `credentials = true`.
    pub fn supports_credentials(mut self) -> CorsBuilder {
        self.config.credentials = true;
        self
    }

    /// `private_network = true`: answer legacy Private Network Access preflights.
    pub fn allow_private_network_access(mut self) -> CorsBuilder {
        self.config.private_network = true;
        self
    }

    /// `preflight_continue = true`: preflights go on to the application (actix-cors's
    /// `disable_preflight`).
    pub fn disable_preflight(mut self) -> CorsBuilder {
        self.config.preflight_continue = true;
        self
    }

    /// `preflight_status`: the status of an allowed preflight (default 204; actix-cors
    /// answers 200).
    pub fn preflight_status(mut self, status: u16) -> CorsBuilder {
        self.config.preflight_status = status.into();
        self
    }

    /// The policy the setters wrote so far (for [`SharedPolicy::reconfigure`]).
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// Compiles the policy: every problem at once, each with its path (`origins[1]`), code,
    /// message and hint.
    pub fn build(self) -> Result<Cors, ConfigErrors> {
        let mut cors = Cors::from_policy(Policy::compile(&self.config)?);
        cors.check = self.check;
        Ok(cors)
    }
}

impl fmt::Debug for CorsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsBuilder")
            .field("config", &self.config)
            .field("origin_fn", &self.check.is_some())
            .finish()
    }
}
