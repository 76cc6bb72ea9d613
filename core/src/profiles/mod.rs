//! The drop-in profiles: each answers exactly as its peer library does, proven against the
//! real peer (`docs/semantics.md`).

pub mod django;
pub mod express;
pub mod fastify;
pub mod flask;
pub mod hono;
pub mod koa;
mod pycompat;
pub mod starlette;
