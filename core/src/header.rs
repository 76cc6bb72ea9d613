//! The names of the response headers corsgate writes.

/// Canonical header names.
pub mod names {
    /// `Access-Control-Allow-Origin`.
    pub const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
    /// `Access-Control-Allow-Credentials`.
    pub const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
    /// `Access-Control-Allow-Methods`.
    pub const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
    /// `Access-Control-Allow-Headers`.
    pub const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
    /// `Access-Control-Allow-Private-Network`.
    pub const ALLOW_PRIVATE_NETWORK: &str = "Access-Control-Allow-Private-Network";
    /// `Access-Control-Max-Age`.
    pub const MAX_AGE: &str = "Access-Control-Max-Age";
    /// `Access-Control-Expose-Headers`.
    pub const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
}
