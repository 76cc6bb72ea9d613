//! Live reconfiguration of an [`HttpPolicy`]: the handle every request reads and a reload
//! swaps, as [`crate::SharedPolicy`] does for a bare [`Policy`].

use super::HttpPolicy;
use crate::{ConfigErrors, Policy, PolicyConfig};
use arc_swap::{ArcSwap, Guard};
use std::sync::Arc;

/// An [`HttpPolicy`] shared by every request and replaceable at any time. A swap is atomic
/// and never blocks a request: each request sees the old policy or the new one, never a
/// mixture, and a policy that fails to compile never replaces the one serving.
///
/// ```
/// use corsgate::http::SharedHttpPolicy;
/// use corsgate::{Policy, PolicyConfig};
///
/// let shared = SharedHttpPolicy::new(Policy::from_toml(r#"origins = ["https://a.example"]"#).unwrap());
/// let bad = PolicyConfig { origins: vec!["https://b.example/".into()], ..Default::default() };
/// assert!(shared.reconfigure(&bad).is_err()); // a trailing slash: the old policy serves on
/// shared.store(Policy::from_toml(r#"origins = ["https://b.example"]"#).unwrap());
/// let req = http::Request::get("/").header("origin", "https://b.example").body(()).unwrap();
/// assert!(shared.load().evaluate(&req).decision().is_allowed());
/// ```
#[derive(Debug)]
pub struct SharedHttpPolicy {
    current: ArcSwap<HttpPolicy>,
}

impl SharedHttpPolicy {
    /// A handle serving `policy`.
    pub fn new(policy: Policy) -> SharedHttpPolicy {
        SharedHttpPolicy {
            current: ArcSwap::from_pointee(HttpPolicy::new(policy)),
        }
    }

    /// The policy serving now, for one request (a cheap, lock-free read; do not keep it
    /// across `.await`s: use [`SharedHttpPolicy::load_full`] there).
    pub fn load(&self) -> Guard<Arc<HttpPolicy>> {
        self.current.load()
    }

    /// The policy serving now, as an `Arc` that may be kept as long as needed.
    pub fn load_full(&self) -> Arc<HttpPolicy> {
        self.current.load_full()
    }

    /// Replaces the policy; requests already holding the old one finish with it.
    pub fn store(&self, policy: Policy) {
        self.current.store(Arc::new(HttpPolicy::new(policy)));
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

impl From<Policy> for SharedHttpPolicy {
    fn from(policy: Policy) -> SharedHttpPolicy {
        SharedHttpPolicy::new(policy)
    }
}
