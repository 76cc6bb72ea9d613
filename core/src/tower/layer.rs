//! [`CorsLayer`]: what a tower stack holds, and the handle a reload swaps.

use super::{Builder, Cors};
use crate::http::{OriginCheck, SharedHttpPolicy};
use crate::Policy;
use std::sync::Arc;
use tower_layer::Layer;

/// A tower [`Layer`] that puts corsgate in front of a service: preflights are answered here,
/// without reaching the service; every other request goes on and its response gets the CORS
/// headers and `Vary`. Cheap to clone; every clone serves the same [`SharedHttpPolicy`].
///
/// ```
/// use corsgate::tower::CorsLayer;
/// use corsgate::Policy;
///
/// let layer = CorsLayer::new(Policy::from_toml(r#"origins = ["https://app.example.com"]"#).unwrap());
/// let handle = layer.handle(); // reload: handle.reload("policy.toml")
/// # let _ = handle;
/// // axum: Router::new().route("/", get(handler)).layer(layer)
/// ```
#[derive(Clone, Debug)]
pub struct CorsLayer {
    pub(super) policy: Arc<SharedHttpPolicy>,
    pub(super) check: Option<OriginCheck>,
}

impl CorsLayer {
    /// A layer serving a compiled policy.
    pub fn new(policy: Policy) -> CorsLayer {
        CorsLayer::shared(Arc::new(SharedHttpPolicy::new(policy)))
    }

    /// A layer serving a policy handle the application reconfigures (a file watcher, an admin
    /// endpoint): each request uses the policy serving when it arrives.
    pub fn shared(policy: Arc<SharedHttpPolicy>) -> CorsLayer {
        CorsLayer {
            policy,
            check: None,
        }
    }

    /// A builder in tower-http's vocabulary (`allow_origin`, `allow_methods`, …) whose
    /// `build` returns every problem of the configuration at once.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Decides origins with `check` instead of the policy's origin list (a sync or async
    /// [`OriginCheck`]); the policy still decides everything else.
    pub fn origin_check(mut self, check: OriginCheck) -> CorsLayer {
        self.check = Some(check);
        self
    }

    /// The policy handle: `store`, `reconfigure` or `reload` it to change what every service
    /// made from this layer answers.
    pub fn handle(&self) -> Arc<SharedHttpPolicy> {
        Arc::clone(&self.policy)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            layer: self.clone(),
        }
    }
}
