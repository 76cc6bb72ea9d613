//! A tower [`Layer`](tower_layer::Layer) (cargo feature `tower`) for axum, hyper and any
//! `tower::Service<http::Request<B>>`, over [`crate::http`].
//!
//! ```
//! use corsgate::tower::CorsLayer;
//! use corsgate::Policy;
//! use std::convert::Infallible;
//! use tower::{service_fn, Layer, ServiceExt};
//!
//! let policy = Policy::from_toml(r#"
//!     origins = ["https://app.example.com"]
//!     methods = ["PUT"]
//! "#).unwrap();
//! // axum: `Router::new().route(...).layer(CorsLayer::new(policy))`
//! let app = service_fn(|_req: http::Request<()>| async {
//!     Ok::<_, Infallible>(http::Response::new(String::from("hello")))
//! });
//! let service = CorsLayer::new(policy).layer(app);
//!
//! let preflight = http::Request::options("/items")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .body(()).unwrap();
//! let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
//! let response = runtime.block_on(service.oneshot(preflight)).unwrap(); // `app` is not called
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
//! assert_eq!(response.body(), "");
//! ```
//!
//! - Preflights the policy answers (all of them, unless `preflight_continue`) are answered by
//!   the layer, allowed or denied, without calling the inner service: put the layer outside
//!   (after, in axum's `.layer` order) authentication, so a preflight, which carries no
//!   credentials, is never refused with a 401.
//! - Every other response gets the decision's headers and `Vary` as
//!   [`crate::http::ResponseHeaders::apply`] writes them, errors of the application (a 500,
//!   a 404 of the router) included.
//! - Live reconfiguration: [`CorsLayer::handle`] (or [`CorsLayer::shared`]) is the
//!   [`crate::http::SharedHttpPolicy`] every request reads.
//! - Origins decided by the application: [`CorsLayer::origin_check`] with a sync or async
//!   [`crate::http::OriginCheck`]; an async check runs alongside the application for actual
//!   requests (whether the application is called never depends on the origin).
//! - tower-http's vocabulary: [`CorsLayer::builder`]; docs/rust.md has the migration table.

mod builder;
mod future;
mod layer;
mod service;

pub use builder::{
    AllowHeaders, AllowMethods, AllowOrigin, Any, Builder, ExposeHeaders, HeaderList,
};
pub use future::ResponseFuture;
pub use layer::CorsLayer;
pub use service::Cors;
