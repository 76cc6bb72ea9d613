//! actix-web 4 middleware for [corsgate](https://docs.rs/corsgate): the CORS decision of one
//! policy engine (the same answer as corsgate's nginx module, Python and Node packages and
//! tower layer), with actix-cors's option names.
//!
//! ```
//! use actix_web::{test, web, App, HttpResponse};
//! use corsgate_actix::Cors;
//!
//! # actix_rt::System::new().block_on(async {
//! let cors = Cors::default()
//!     .allowed_origin("https://app.example.com")
//!     .allowed_methods(["GET", "PUT"])
//!     .allowed_headers(["content-type"])
//!     .supports_credentials()
//!     .max_age(600)
//!     .build()
//!     .expect("a valid policy"); // every problem at once, never a panic
//! let app = test::init_service(
//!     App::new().wrap(cors).route("/items", web::put().to(HttpResponse::Ok)),
//! ).await;
//! let preflight = test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .uri("/items")
//!     .insert_header(("origin", "https://app.example.com"))
//!     .insert_header(("access-control-request-method", "PUT"))
//!     .to_request();
//! let response = test::call_service(&app, preflight).await;
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers().get("access-control-allow-methods").unwrap(), "PUT");
//! # });
//! ```
//!
//! Or from a policy file, reloadable while serving:
//!
//! ```no_run
//! # fn main() -> Result<(), corsgate::ConfigErrors> {
//! let cors = corsgate_actix::Cors::from_policy(corsgate::Policy::from_file("policy.toml")?);
//! let handle = cors.handle(); // later: handle.reload("policy.toml")
//! # let _ = handle; Ok(())
//! # }
//! ```
//!
//! - Preflights the policy answers are answered by the middleware, allowed or denied,
//!   without calling the inner services: `.wrap()` corsgate last (outermost), after an
//!   authentication middleware, so a preflight, which carries no credentials, never gets a 401.
//! - Every other response gets the decision's headers and `Vary`, including the responses
//!   inner middleware produce as errors (an auth middleware's `Err(ErrorUnauthorized)`).
//! - What is written is the core's response rule ([`corsgate::Decision::response_into`],
//!   [`corsgate::write_strict`]; docs/semantics.md): the application's own CORS headers are
//!   replaced by the decision's (a denied origin gets none), `Vary` keeps the application's
//!   names and adds the decision's, and an answered preflight but a 204 is framed with
//!   `Content-Length: 0` and `Content-Type: text/plain; charset=utf-8`.

mod builder;
mod middleware;
mod policy;
mod response;

pub use builder::{Cors, CorsBuilder, IntoName, SharedPolicy};
pub use middleware::{CorsFuture, CorsMiddleware};
