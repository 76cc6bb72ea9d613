//! A borrowed view of the parts of an HTTP request that CORS looks at.

use arrayvec::ArrayVec;

/// How many `Access-Control-Request-Headers` lines a request may carry.
pub const MAX_ACRH_LINES: usize = 8;

/// Total bytes of all `Access-Control-Request-Headers` lines a request may carry.
pub const MAX_ACRH_BYTES: usize = 4096;

/// A header that may occur once: absent, present, or (a malformed request) repeated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Single<'a> {
    #[default]
    Absent,
    One(&'a [u8]),
    /// Repeated; the first value is kept for compatibility profiles that read it.
    Repeated(&'a [u8]),
}

impl<'a> Single<'a> {
    fn add(&mut self, value: &'a [u8]) {
        *self = match *self {
            Single::Absent => Single::One(value),
            Single::One(first) | Single::Repeated(first) => Single::Repeated(first),
        };
    }

    /// The first value, whether or not the header is repeated.
    pub(crate) fn first(self) -> Option<&'a [u8]> {
        match self {
            Single::Absent => None,
            Single::One(v) | Single::Repeated(v) => Some(v),
        }
    }
}

/// The request headers the engine reads, in lower case, in the order of `CorsHeader`: a
/// binding may pass only these to [`Request::add_header`] (C: `CORSGATE_REQUEST_HEADER_*`).
pub const REQUEST_HEADER_NAMES: [&str; 4] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    "access-control-request-private-network",
];

/// The request headers CORS reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CorsHeader {
    Origin,
    RequestMethod,
    RequestHeaders,
    PrivateNetwork,
}

impl CorsHeader {
    /// The header `name` is (ASCII case-insensitively), if CORS reads it: one comparison per
    /// name of [`REQUEST_HEADER_NAMES`], in order (`Origin`, the most common, first).
    fn parse(name: &[u8]) -> Option<CorsHeader> {
        let [origin, method, headers, private_network] = REQUEST_HEADER_NAMES;
        let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
        if is(origin) {
            Some(CorsHeader::Origin)
        } else if is(method) {
            Some(CorsHeader::RequestMethod)
        } else if is(headers) {
            Some(CorsHeader::RequestHeaders)
        } else if is(private_network) {
            Some(CorsHeader::PrivateNetwork)
        } else {
            None
        }
    }
}

/// The request as CORS sees it: method, path and the raw bytes of the CORS request headers.
/// Building one copies nothing; feed it every header line (irrelevant ones are ignored) or
/// only the CORS ones.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub(crate) method: &'a [u8],
    pub(crate) path: &'a [u8],
    pub(crate) origin: Single<'a>,
    pub(crate) request_method: Single<'a>,
    /// The first [`MAX_ACRH_LINES`] `Access-Control-Request-Headers` lines.
    pub(crate) request_headers: ArrayVec<&'a [u8], MAX_ACRH_LINES>,
    /// Every `Access-Control-Request-Headers` line seen, including those past the array.
    pub(crate) request_header_lines: usize,
    pub(crate) request_header_bytes: usize,
    pub(crate) private_network: Single<'a>,
    pub(crate) origin_verdict: Option<bool>,
}

impl<'a> Request<'a> {
    /// A request with this method (as sent; HTTP methods are case-sensitive) and path (the
    /// request target; a query is ignored).
    pub fn new(method: &'a [u8], path: &'a [u8]) -> Self {
        Request {
            method,
            path,
            origin: Single::Absent,
            request_method: Single::Absent,
            request_headers: ArrayVec::new(),
            request_header_lines: 0,
            request_header_bytes: 0,
            private_network: Single::Absent,
            origin_verdict: None,
        }
    }

    /// Adds one header line. Names compare case-insensitively; lines CORS does not read are
    /// ignored, so a binding may pass every header of the request.
    pub fn add_header(&mut self, name: &[u8], value: &'a [u8]) {
        let Some(which) = CorsHeader::parse(name) else {
            return;
        };
        self.add_cors_header(which, value);
    }

    /// Adds one line of a header already known to be one CORS reads.
    pub(crate) fn add_cors_header(&mut self, which: CorsHeader, value: &'a [u8]) {
        match which {
            CorsHeader::Origin => self.origin.add(value),
            CorsHeader::RequestMethod => self.request_method.add(value),
            CorsHeader::RequestHeaders => {
                // Past the limit, the line is only counted: the request is refused.
                let _ = self.request_headers.try_push(value);
                self.request_header_lines += 1;
                self.request_header_bytes = self.request_header_bytes.saturating_add(value.len());
            }
            CorsHeader::PrivateNetwork => self.private_network.add(value),
        }
    }

    /// The path (request target) given to [`Request::new`].
    pub fn path(&self) -> &'a [u8] {
        self.path
    }

    /// [`Request::add_header`], by value, for chaining.
    pub fn header(mut self, name: &[u8], value: &'a [u8]) -> Self {
        self.add_header(name, value);
        self
    }

    /// Lets the caller decide whether the request's (well-formed) origin is allowed, instead
    /// of the policy's origin list: a JavaScript function, a Python callable, a C callback.
    pub fn with_origin_verdict(mut self, allowed: bool) -> Self {
        self.origin_verdict = Some(allowed);
        self
    }

    /// The `Origin` header, when it occurs exactly once.
    pub fn origin(&self) -> Option<&'a [u8]> {
        match self.origin {
            Single::One(v) => Some(v),
            _ => None,
        }
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub fn is_preflight(&self) -> bool {
        self.method == b"OPTIONS"
            && self.origin != Single::Absent
            && self.request_method != Single::Absent
    }

    /// The `Access-Control-Request-Headers` lines (at most [`MAX_ACRH_LINES`] are kept).
    pub(crate) fn request_header_lines(&self) -> &[&'a [u8]] {
        &self.request_headers
    }
}
