//! corsgate: a CORS policy engine.
//!
//! Compile a [`Policy`] once from a [`PolicyConfig`] (or JSON/TOML), then call
//! [`Policy::evaluate`] for each [`Request`]: the [`Decision`] says what kind of request it is,
//! whether it is allowed (and if not, a [`Reason`] in the browser's own words), the status of
//! an answered preflight, the headers to set and the `Vary` names to append. Evaluation
//! allocates nothing. The semantics are specified in `docs/semantics.md`.
//!
//! ```
//! use corsgate::{Policy, Request};
//! let policy = Policy::from_toml(r#"origins = ["https://app.example.com"]"#).unwrap();
//! let req = Request::new(b"GET", b"/").header(b"Origin", b"https://app.example.com");
//! let decision = policy.evaluate(&req);
//! assert!(decision.is_allowed());
//! assert_eq!(decision.headers(), &[("Access-Control-Allow-Origin", "https://app.example.com")]);
//! assert_eq!(decision.vary().value(), "Origin");
//! ```

pub mod browser;
mod decision;
mod diagnostic;
mod header;
#[cfg(feature = "http")]
pub mod http;
mod lint;
mod observe;
mod origin_cache;
mod profiles;
mod request;
mod response;
mod strict;
mod syntax;
#[cfg(feature = "tower")]
pub mod tower;
mod vary;

pub use decision::{Decision, Header, Kind, Reason, ReasonCode, Verdict, MAX_HEADERS};
pub use diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Profile, Severity};
pub use header::names;
pub use header::HeaderName;
pub use observe::{
    escaped, Count, DenialReport, Difference, Mode, Observer, RateLimiter, Stats, StatsSnapshot,
    PROMETHEUS_HEADER, STATS_SLOTS,
};
pub use origin_cache::OriginCache;
pub use profiles::{django, express, fastify, flask, hono, koa, starlette};
pub use request::{Request, MAX_ACRH_BYTES, MAX_ACRH_LINES, REQUEST_HEADER_NAMES};
pub use response::{
    removes, write_strict, Response, ResponseHeader, CONTENT_LENGTH, CONTENT_TYPE, EMPTY_BODY_TYPE,
};
pub use strict::config::{Format, PolicyConfig, RouteConfig};
pub use strict::shared::SharedPolicy;
pub use strict::Policy;
pub use syntax::latin1;
pub use vary::{vary_lists, Vary};
