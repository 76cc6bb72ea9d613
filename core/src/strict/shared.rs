//! Live reconfiguration: a policy handle that can be swapped atomically while in use.

use crate::{ConfigErrors, Policy, PolicyConfig};
use arc_swap::ArcSwap;
use std::sync::Arc;

/// A policy shared by many threads and replaceable at any time. Readers take a snapshot with
/// [`SharedPolicy::load`] and evaluate against it; a swap never blocks them, and a policy that
/// fails to compile never replaces the one serving.
#[derive(Debug)]
pub struct SharedPolicy {
    current: ArcSwap<Policy>,
}

impl SharedPolicy {
    /// A handle serving `policy` (a `Policy`, or an `Arc<Policy>` a binding already shares).
    pub fn new(policy: impl Into<Arc<Policy>>) -> Self {
        SharedPolicy {
            current: ArcSwap::new(policy.into()),
        }
    }

    /// The policy serving now. Hold the snapshot for the duration of one request.
    pub fn load(&self) -> Arc<Policy> {
        self.current.load_full()
    }

    /// Replaces the policy (a `Policy` or an `Arc<Policy>`); requests already holding a
    /// snapshot finish with the old one.
    pub fn store(&self, policy: impl Into<Arc<Policy>>) {
        self.current.store(policy.into());
    }

    /// Compiles `config` and swaps it in; on error the old policy keeps serving.
    pub fn reconfigure(&self, config: &PolicyConfig) -> Result<(), ConfigErrors> {
        self.store(Policy::compile(config)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Request;

    #[test]
    fn a_bad_config_leaves_the_old_policy_serving() {
        let good = PolicyConfig {
            origins: vec!["https://a.example".into()],
            ..Default::default()
        };
        let shared = SharedPolicy::new(Policy::compile(&good).unwrap());
        let bad = PolicyConfig {
            origins: vec!["https://a.example/".into()],
            ..Default::default()
        };
        assert!(shared.reconfigure(&bad).is_err());
        let policy = shared.load();
        let req = Request::new(b"GET", b"/").header(b"origin", b"https://a.example");
        assert!(policy.evaluate(&req).is_allowed());
    }
}
