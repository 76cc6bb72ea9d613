//! The names of the response headers corsgate writes, as one type.

/// A response header corsgate writes or owns: the CORS response headers and `Vary`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderName {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `Access-Control-Allow-Private-Network`.
    AllowPrivateNetwork,
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Vary`.
    Vary,
}

impl HeaderName {
    /// The CORS response headers (every name a decision sets; `Vary` excluded), in the order
    /// of their [`HeaderName::index`].
    pub const CORS: [HeaderName; 7] = [
        HeaderName::AllowOrigin,
        HeaderName::AllowCredentials,
        HeaderName::AllowMethods,
        HeaderName::AllowHeaders,
        HeaderName::AllowPrivateNetwork,
        HeaderName::MaxAge,
        HeaderName::ExposeHeaders,
    ];

    /// The name in canonical case, such as `Access-Control-Allow-Origin`.
    pub const fn canonical(self) -> &'static str {
        match self {
            HeaderName::AllowOrigin => "Access-Control-Allow-Origin",
            HeaderName::AllowCredentials => "Access-Control-Allow-Credentials",
            HeaderName::AllowMethods => "Access-Control-Allow-Methods",
            HeaderName::AllowHeaders => "Access-Control-Allow-Headers",
            HeaderName::AllowPrivateNetwork => "Access-Control-Allow-Private-Network",
            HeaderName::MaxAge => "Access-Control-Max-Age",
            HeaderName::ExposeHeaders => "Access-Control-Expose-Headers",
            HeaderName::Vary => "Vary",
        }
    }

    /// The name in lower case, as HTTP/2 and Starlette send it.
    pub const fn lower(self) -> &'static str {
        match self {
            HeaderName::AllowOrigin => "access-control-allow-origin",
            HeaderName::AllowCredentials => "access-control-allow-credentials",
            HeaderName::AllowMethods => "access-control-allow-methods",
            HeaderName::AllowHeaders => "access-control-allow-headers",
            HeaderName::AllowPrivateNetwork => "access-control-allow-private-network",
            HeaderName::MaxAge => "access-control-max-age",
            HeaderName::ExposeHeaders => "access-control-expose-headers",
            HeaderName::Vary => "vary",
        }
    }

    /// Where the name is in [`HeaderName::CORS`] (`Vary`: 7).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The name a decision's header carries (one of [`names`]' canonical constants), found
    /// without comparing strings: the lengths tell the names apart but for the methods' and
    /// the headers' (28 bytes), which differ at byte 21 (a test checks every name).
    pub fn of_canonical(name: &str) -> HeaderName {
        match (name.len(), name.as_bytes().get(21)) {
            (27, _) => HeaderName::AllowOrigin,
            (32, _) => HeaderName::AllowCredentials,
            (28, Some(b'M')) => HeaderName::AllowMethods,
            (28, _) => HeaderName::AllowHeaders,
            (36, _) => HeaderName::AllowPrivateNetwork,
            (22, _) => HeaderName::MaxAge,
            (4, _) => HeaderName::Vary,
            _ => HeaderName::ExposeHeaders,
        }
    }

    /// The header `name` is (ASCII case-insensitively), if it is one corsgate owns.
    pub fn parse(name: &[u8]) -> Option<HeaderName> {
        HeaderName::CORS
            .into_iter()
            .chain([HeaderName::Vary])
            .find(|h| name.eq_ignore_ascii_case(h.lower().as_bytes()))
    }
}

/// Canonical header names.
pub mod names {
    use super::HeaderName;

    /// `Access-Control-Allow-Origin`.
    pub const ALLOW_ORIGIN: &str = HeaderName::AllowOrigin.canonical();
    /// `Access-Control-Allow-Credentials`.
    pub const ALLOW_CREDENTIALS: &str = HeaderName::AllowCredentials.canonical();
    /// `Access-Control-Allow-Methods`.
    pub const ALLOW_METHODS: &str = HeaderName::AllowMethods.canonical();
    /// `Access-Control-Allow-Headers`.
    pub const ALLOW_HEADERS: &str = HeaderName::AllowHeaders.canonical();
    /// `Access-Control-Allow-Private-Network`.
    pub const ALLOW_PRIVATE_NETWORK: &str = HeaderName::AllowPrivateNetwork.canonical();
    /// `Access-Control-Max-Age`.
    pub const MAX_AGE: &str = HeaderName::MaxAge.canonical();
    /// `Access-Control-Expose-Headers`.
    pub const EXPOSE_HEADERS: &str = HeaderName::ExposeHeaders.canonical();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_found_by_its_canonical_text_and_case_insensitively() {
        for (i, name) in HeaderName::CORS.into_iter().enumerate() {
            assert_eq!(name.index(), i);
            assert_eq!(HeaderName::of_canonical(name.canonical()), name);
            assert_eq!(name.canonical().to_ascii_lowercase(), name.lower());
            assert_eq!(HeaderName::parse(name.canonical().as_bytes()), Some(name));
            assert_eq!(
                HeaderName::parse(name.lower().to_ascii_uppercase().as_bytes()),
                Some(name)
            );
        }
        assert_eq!(HeaderName::of_canonical("Vary"), HeaderName::Vary);
        assert_eq!(HeaderName::parse(b"VARY"), Some(HeaderName::Vary));
        assert_eq!(HeaderName::parse(b"access-control-allow-origins"), None);
        assert_eq!(HeaderName::parse(b"origin"), None);
    }
}
