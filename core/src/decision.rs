//! What the engine answers: the kind of request, the verdict, the status and the headers.

use crate::browser::console::{self, Denial};
use crate::browser::Browser;
use crate::diagnostic::Profile;
use crate::request::MAX_ACRH_LINES;
use crate::vary::Vary;
use arrayvec::ArrayVec;
use std::fmt;

/// What kind of request was evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// No `Origin` header: not a CORS request; only `Vary` applies.
    NotCors,
    /// A CORS preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`).
    Preflight,
    /// A CORS request the application answers (any other request with `Origin`).
    Actual,
}

impl Kind {
    /// `not_cors`, `preflight` or `actual`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NotCors => "not_cors",
            Kind::Preflight => "preflight",
            Kind::Actual => "actual",
        }
    }
}

/// Why a request was denied. The codes are stable; bindings and logs may match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReasonCode {
    /// The `Origin` header is not a serialized origin (or occurs twice).
    MalformedOrigin,
    /// `Origin: null`, and the policy does not allow it.
    NullOriginNotAllowed,
    /// A well-formed origin the policy does not allow.
    OriginNotAllowed,
    /// `Access-Control-Request-Method` is not a token (or occurs twice).
    MalformedMethod,
    /// A method the policy does not allow.
    MethodNotAllowed,
    /// An element of `Access-Control-Request-Headers` is not a token.
    MalformedRequestHeaders,
    /// A request header the policy does not allow.
    HeaderNotAllowed,
    /// `Access-Control-Request-Headers` exceeds the size or line limits.
    RequestHeadersTooLarge,
    /// A Private Network Access preflight, and the policy does not enable it.
    PrivateNetworkNotAllowed,
    /// The forms of the path that servers route on name routes that answer differently.
    RouteAmbiguous,
}

impl ReasonCode {
    /// Every code, in declaration order (the order of [`crate::StatsSnapshot`]'s counters).
    pub const ALL: [ReasonCode; 10] = [
        ReasonCode::MalformedOrigin,
        ReasonCode::NullOriginNotAllowed,
        ReasonCode::OriginNotAllowed,
        ReasonCode::MalformedMethod,
        ReasonCode::MethodNotAllowed,
        ReasonCode::MalformedRequestHeaders,
        ReasonCode::HeaderNotAllowed,
        ReasonCode::RequestHeadersTooLarge,
        ReasonCode::PrivateNetworkNotAllowed,
        ReasonCode::RouteAmbiguous,
    ];

    /// The stable snake_case code, such as `origin_not_allowed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::MalformedOrigin => "malformed_origin",
            ReasonCode::NullOriginNotAllowed => "null_origin_not_allowed",
            ReasonCode::OriginNotAllowed => "origin_not_allowed",
            ReasonCode::MalformedMethod => "malformed_method",
            ReasonCode::MethodNotAllowed => "method_not_allowed",
            ReasonCode::MalformedRequestHeaders => "malformed_request_headers",
            ReasonCode::HeaderNotAllowed => "header_not_allowed",
            ReasonCode::RequestHeadersTooLarge => "request_headers_too_large",
            ReasonCode::PrivateNetworkNotAllowed => "private_network_not_allowed",
            ReasonCode::RouteAmbiguous => "route_ambiguous",
        }
    }
}

/// A response header corsgate sets. Names are in canonical case.
pub type Header<'a> = (&'static str, &'a str);

/// The most headers one decision can carry: ACAO, ACAC, ACAM, one ACAH per request line,
/// ACAPN and ACMA.
pub const MAX_HEADERS: usize = 5 + MAX_ACRH_LINES;

/// The verdict on a request.
#[derive(Clone, Debug)]
pub enum Verdict<'a> {
    /// The request may proceed with the decision's headers.
    Allowed,
    /// The request is refused; the reason says why.
    Denied(Reason<'a>),
}

/// The answer to one request: borrowed from the policy and the request, built without
/// allocating.
#[derive(Clone, Debug)]
pub struct Decision<'a> {
    /// The profile whose rule writes this decision onto a response.
    pub(crate) profile: Profile,
    pub(crate) kind: Kind,
    pub(crate) verdict: Verdict<'a>,
    pub(crate) status: Option<u16>,
    /// Filled as the engine decides (no slot is written twice or left to initialise).
    pub(crate) headers: ArrayVec<Header<'a>, MAX_HEADERS>,
    pub(crate) vary: Vary,
    pub(crate) body: &'static str,
}

impl<'a> Decision<'a> {
    pub(crate) fn new(profile: Profile, kind: Kind, vary: Vary) -> Self {
        Decision {
            profile,
            kind,
            verdict: Verdict::Allowed,
            status: None,
            headers: ArrayVec::new(),
            vary,
            body: "",
        }
    }

    pub(crate) fn push(&mut self, name: &'static str, value: &'a str) {
        // MAX_HEADERS is the most any decision sets: this never fails.
        let _ = self.headers.try_push((name, value));
    }

    /// The kind of request.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        matches!(self.verdict, Verdict::Allowed)
    }

    /// The verdict, with the reason of a denial.
    pub fn verdict(&self) -> &Verdict<'a> {
        &self.verdict
    }

    /// The reason of a denial.
    pub fn reason(&self) -> Option<&Reason<'a>> {
        match &self.verdict {
            Verdict::Denied(r) => Some(r),
            Verdict::Allowed => None,
        }
    }

    /// The status the server must answer with itself (an answered preflight), or `None` when
    /// the application answers.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The CORS headers to set, in order (`Vary` excluded).
    pub fn headers(&self) -> &[Header<'a>] {
        &self.headers
    }

    /// The `Vary` names to append.
    pub fn vary(&self) -> Vary {
        self.vary
    }

    /// The body of an answered preflight: empty in the strict profile; compatibility
    /// profiles answer with their peer's text.
    pub fn body(&self) -> &'static str {
        self.body
    }
}

/// Why a request was denied: a stable code, the offending value, a message with a hint, and
/// the console message Chromium prints for the answer.
#[derive(Clone)]
pub struct Reason<'a> {
    pub(crate) code: ReasonCode,
    pub(crate) value: &'a [u8],
    pub(crate) preflight: bool,
    pub(crate) rules: &'a dyn Explain,
}

/// What a profile's compiled rules say about their denials.
pub(crate) trait Explain: Sync {
    /// Writes the one-line message of a denial, with a hint where one helps.
    fn explain(&self, f: &mut fmt::Formatter<'_>, code: ReasonCode, value: &[u8]) -> fmt::Result;

    /// What the browser finds wrong with the answer to a denied request.
    fn denial(&self, _code: ReasonCode, preflight: bool) -> Denial {
        Denial::MissingAllowOrigin { preflight }
    }

    /// The `path` of the route whose rules denied, empty for the top level.
    fn route(&self) -> &str {
        ""
    }
}

impl fmt::Debug for Reason<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reason")
            .field("code", &self.code)
            .field("value", &String::from_utf8_lossy(self.value))
            .finish()
    }
}

impl<'a> Reason<'a> {
    /// The stable code.
    pub fn code(&self) -> ReasonCode {
        self.code
    }

    /// The offending value, as received (the origin, the method, the header name, …).
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The `path` of the policy's route that denied (`/api/*`), empty for the top level (and
    /// for the drop-in profiles, which have no routes).
    pub fn route(&self) -> &'a str {
        self.rules.route()
    }

    /// A one-line explanation with a hint where one helps; formats on demand (`to_string()`).
    pub fn message(&self) -> impl fmt::Display + '_ {
        struct Message<'r, 'a>(&'r Reason<'a>);
        impl fmt::Display for Message<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.rules.explain(f, self.0.code, self.0.value)
            }
        }
        Message(self)
    }

    /// The reason part of Chromium's console message (after "has been blocked by CORS
    /// policy: "). A strict denial carries no `Access-Control-Allow-Origin`; compatibility profiles may
    /// answer otherwise (a `starlette` preflight denied for its method fails on its status).
    pub fn browser_reason(&self) -> &'static str {
        self.rules
            .denial(self.code, self.preflight)
            .chromium_reason()
    }

    /// Chromium's whole console message for a `fetch()` of `url` from `origin`.
    pub fn browser_message(&self, url: &str, origin: &str) -> String {
        console::chromium_message(url, origin, self.browser_reason())
    }

    /// The console lines `browser` prints for a `fetch()` of `url` from `origin` given the
    /// answer, whose `status` Firefox and WebKit print (`None`: the application's, unknown
    /// here, written `<status>`).
    pub fn browser_messages(
        &self,
        browser: Browser,
        url: &str,
        origin: &str,
        status: Option<u16>,
    ) -> Vec<String> {
        self.rules
            .denial(self.code, self.preflight)
            .messages(browser, url, origin, status)
    }
}
