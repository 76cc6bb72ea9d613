//! Every console text corsgate predicts, for every browser, in one place: Chromium's CORS
//! error reasons (used by the checker and by the engine's [`crate::Reason`]s), Firefox's CORS
//! error reasons as data, each with the fix corsgate suggests, and WebKit's messages.
//!
//! Chromium's texts are blink's `cors::GetErrorString` for a `fetch()` as Chromium 156 prints
//! them; Firefox's are the reasons MDN's "CORS errors" pages document, in the words Firefox
//! 153 ESR prints (both checked by tests/browser in the real browsers). WebKit's come from
//! WebKit's documented behaviour and are not verified here.

use super::error::CorsErrorKind;

/// Chromium's reason for a response without `Access-Control-Allow-Origin`.
pub(crate) const CHROMIUM_MISSING_ALLOW_ORIGIN: &str =
    "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
/// The same, for a preflight (Chromium prefixes preflight failures).
pub(crate) const CHROMIUM_PREFLIGHT_MISSING_ALLOW_ORIGIN: &str = "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
/// Chromium's reason for a preflight answered with a non-ok status (the origin passed).
pub(crate) const CHROMIUM_PREFLIGHT_NOT_OK: &str =
    "Response to preflight request doesn't pass access control check: It does not have HTTP ok status.";

/// What a browser reports for an answer the engine denied: strict answers carry no
/// `Access-Control-Allow-Origin`; a compatibility profile's preflight may fail on its status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Denial {
    /// No `Access-Control-Allow-Origin` (on a preflight when `preflight`).
    MissingAllowOrigin {
        /// The answer is to a preflight.
        preflight: bool,
    },
    /// A preflight whose origin passed, answered with a status that is not ok.
    PreflightNotOk,
}

impl Denial {
    /// Chromium's reason text.
    pub(crate) fn chromium_reason(self) -> &'static str {
        match self {
            Denial::MissingAllowOrigin { preflight: false } => CHROMIUM_MISSING_ALLOW_ORIGIN,
            Denial::MissingAllowOrigin { preflight: true } => {
                CHROMIUM_PREFLIGHT_MISSING_ALLOW_ORIGIN
            }
            Denial::PreflightNotOk => CHROMIUM_PREFLIGHT_NOT_OK,
        }
    }

    /// `browser`'s console lines for a `fetch()` of `url` from `origin` answered with
    /// `status` (written `<status>` when not known: the application answers).
    pub(crate) fn messages(
        self,
        browser: super::Browser,
        url: &str,
        origin: &str,
        status: Option<u16>,
    ) -> Vec<String> {
        let status_text = status.map_or("<status>".to_string(), |s| s.to_string());
        let preflight = !matches!(self, Denial::MissingAllowOrigin { preflight: false });
        match browser {
            super::Browser::Chromium => {
                vec![chromium_message(url, origin, self.chromium_reason())]
            }
            super::Browser::Firefox => {
                let reason = match self {
                    Denial::MissingAllowOrigin { .. } => FirefoxReason::MissingAllowOrigin,
                    Denial::PreflightNotOk => FirefoxReason::PreflightDidNotSucceed,
                };
                let mut lines = vec![reason.message(url, "", &status_text)];
                if preflight {
                    lines.push(FirefoxReason::DidNotSucceed.message(url, "", "(null)"));
                }
                lines
            }
            super::Browser::WebKit => {
                let kind = match self {
                    Denial::MissingAllowOrigin { .. } => CorsErrorKind::MissingAllowOriginHeader,
                    Denial::PreflightNotOk => CorsErrorKind::PreflightInvalidStatus,
                };
                webkit_messages(kind, "", url, origin, &status_text)
            }
        }
    }
}

/// Chromium's prefix of a preflight failure about the origin, credentials, status or redirect.
const CHROMIUM_PREFLIGHT_PREFIX: &str =
    "Response to preflight request doesn't pass access control check: ";

/// Appended by Chromium to the multiple/invalid/mismatch messages (Chromium 156; older
/// versions went on about `no-cors`, and appended a `no-cors` hint to the missing-header text).
const CHROMIUM_VALID_VALUE_HINT: &str = " Have the server send the header with a valid value.";

/// Chromium's whole console message for a `fetch()` of `url` from `origin` blocked for `reason`.
pub(crate) fn chromium_message(url: &str, origin: &str, reason: &str) -> String {
    format!("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {reason}")
}

/// Chromium's reason text for `kind` naming the value `v` (the part after "has been blocked
/// by CORS policy: ").
pub(crate) fn chromium_reason(kind: CorsErrorKind, v: &str) -> String {
    use CorsErrorKind::*;
    let prefix = if kind.has_preflight_prefix() {
        CHROMIUM_PREFLIGHT_PREFIX
    } else {
        ""
    };
    let body = match kind {
        MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
            CHROMIUM_MISSING_ALLOW_ORIGIN.to_string()
        }
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_string(),
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => format!(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{v}', but only one is allowed.{CHROMIUM_VALID_VALUE_HINT}"
        ),
        InvalidAllowOriginValue | PreflightInvalidAllowOriginValue => format!(
            "The 'Access-Control-Allow-Origin' header contains the invalid value '{v}'.{CHROMIUM_VALID_VALUE_HINT}"
        ),
        AllowOriginMismatch | PreflightAllowOriginMismatch => format!(
            "The 'Access-Control-Allow-Origin' header has a value '{v}' that is not equal to the supplied origin.{CHROMIUM_VALID_VALUE_HINT}"
        ),
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => format!(
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '{v}' which must be 'true' when the request's credentials mode is 'include'."
        ),
        PreflightInvalidStatus => "It does not have HTTP ok status.".to_string(),
        PreflightDisallowedRedirect => "Redirect is not allowed for a preflight request.".to_string(),
        InvalidAllowMethodsPreflightResponse => "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_string(),
        InvalidAllowHeadersPreflightResponse => "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_string(),
        MethodDisallowedByPreflightResponse => format!(
            "Method {v} is not allowed by Access-Control-Allow-Methods in preflight response."
        ),
        HeaderDisallowedByPreflightResponse => format!(
            "Request header field {v} is not allowed by Access-Control-Allow-Headers in preflight response."
        ),
    };
    format!("{prefix}{body}")
}

/// Firefox's CORS error reasons: the `CORS…` names of MDN's "CORS errors" pages (MDN spells
/// the credentials page `CORSMIssingAllowCredentials`; Firefox's own key is
/// `CORSMissingAllowCredentials`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FirefoxReason {
    /// CORS is turned off (`content.cors.disable`).
    Disabled,
    /// The request failed at the network level, or after a failed preflight.
    DidNotSucceed,
    /// Firefox could not add the `Origin` header (privileged code).
    OriginHeaderNotAdded,
    /// A preflight was answered with a redirect (or a redirect Firefox does not follow).
    ExternalRedirectNotAllowed,
    /// The URL is not http or https.
    RequestNotHttp,
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` on more than one line.
    MultipleAllowOriginNotAllowed,
    /// `Access-Control-Allow-Origin` is not the page's origin (nor an allowed `*`).
    AllowOriginNotMatchingOrigin,
    /// `*` with credentials mode `include`.
    NotSupportingCredentials,
    /// The method is not in the preflight's `Access-Control-Allow-Methods`.
    MethodNotFound,
    /// `Access-Control-Allow-Credentials` is not exactly `true`.
    MissingAllowCredentials,
    /// The preflight's status is not 200-299.
    PreflightDidNotSucceed,
    /// `Access-Control-Allow-Methods` holds something that is not a token.
    InvalidAllowMethod,
    /// `Access-Control-Allow-Headers` holds something that is not a token.
    InvalidAllowHeader,
    /// A request header is not in the preflight's `Access-Control-Allow-Headers`.
    MissingAllowHeaderFromPreflight,
}

/// What corsgate knows about one Firefox reason.
struct FirefoxReasonData {
    /// MDN's name (the page's slug).
    name: &'static str,
    /// The text in `(Reason: …)`; `{}` is the value it names.
    reason: &'static str,
    /// Whether the message ends with ` Status code: N.`.
    status: bool,
    /// The fix corsgate suggests.
    fix: &'static str,
}

/// Firefox's reasons, in [`FirefoxReason`]'s order.
const FIREFOX_REASONS: [FirefoxReasonData; 15] = [
    FirefoxReasonData {
        name: "CORSDisabled",
        reason: "CORS disabled",
        status: false,
        fix: "this Firefox has CORS turned off (`content.cors.disable` in about:config): turn it back on; no server change helps",
    },
    FirefoxReasonData {
        name: "CORSDidNotSucceed",
        reason: "CORS request did not succeed",
        status: true,
        fix: "the request never got an answer (connection refused, TLS or DNS failure, a blocker), or a preflight failed before it (see the message before this one): check that the server is reachable from the page",
    },
    FirefoxReasonData {
        name: "CORSOriginHeaderNotAdded",
        reason: "CORS header ‘Origin’ cannot be added",
        status: false,
        fix: "privileged code (an extension) made the request and Firefox could not add `Origin`; no server change helps",
    },
    FirefoxReasonData {
        name: "CORSExternalRedirectNotAllowed",
        reason: "CORS request external redirect not allowed",
        status: false,
        fix: "the preflight was answered with a redirect, which browsers never follow: request the final URL, or answer OPTIONS without redirecting (corsgate answers it itself)",
    },
    FirefoxReasonData {
        name: "CORSRequestNotHttp",
        reason: "CORS request not http",
        status: false,
        fix: "CORS requests need an http or https URL (a `file:` page cannot fetch across origins): serve the page and the API over http(s)",
    },
    FirefoxReasonData {
        name: "CORSMissingAllowOrigin",
        reason: "CORS header ‘Access-Control-Allow-Origin’ missing",
        status: true,
        fix: "the response has no Access-Control-Allow-Origin: allow the page's origin (with corsgate, add it to `origins`), and send the CORS headers on error responses too",
    },
    FirefoxReasonData {
        name: "CORSMultipleAllowOriginNotAllowed",
        reason: "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed",
        status: false,
        fix: "two layers add Access-Control-Allow-Origin (a proxy's `add_header` and the application): keep one (corsgate replaces the application's)",
    },
    FirefoxReasonData {
        name: "CORSAllowOriginNotMatchingOrigin",
        reason: "CORS header ‘Access-Control-Allow-Origin’ does not match ‘{}’",
        status: false,
        fix: "Access-Control-Allow-Origin must be exactly the page's origin (scheme, host, port, no trailing slash, one value): with corsgate, add the origin to `origins`",
    },
    FirefoxReasonData {
        name: "CORSNotSupportingCredentials",
        reason: "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
        status: false,
        fix: "with credentials the server must send the page's origin, not `*`: list the origin in `origins` with `credentials = true`, or fetch without credentials",
    },
    FirefoxReasonData {
        name: "CORSMethodNotFound",
        reason: "Did not find method in CORS header ‘Access-Control-Allow-Methods’",
        status: false,
        fix: "the preflight's Access-Control-Allow-Methods does not list the method (compared case-sensitively): add it to `methods`",
    },
    FirefoxReasonData {
        name: "CORSMIssingAllowCredentials",
        reason: "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’",
        status: false,
        fix: "a request with credentials needs Access-Control-Allow-Credentials: true (lower case): set `credentials = true`, or fetch without credentials",
    },
    FirefoxReasonData {
        name: "CORSPreflightDidNotSucceed",
        reason: "CORS preflight response did not succeed",
        status: true,
        fix: "the preflight (OPTIONS) needs a 2xx status: let the CORS layer answer it before authentication and routing (corsgate answers 204)",
    },
    FirefoxReasonData {
        name: "CORSInvalidAllowMethod",
        reason: "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Methods’",
        status: false,
        fix: "Access-Control-Allow-Methods must be a comma-separated list of method names (HTTP tokens)",
    },
    FirefoxReasonData {
        name: "CORSInvalidAllowHeader",
        reason: "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Headers’",
        status: false,
        fix: "Access-Control-Allow-Headers must be a comma-separated list of header names (HTTP tokens)",
    },
    FirefoxReasonData {
        name: "CORSMissingAllowHeaderFromPreflight",
        reason: "header ‘{}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response",
        status: false,
        fix: "the preflight's Access-Control-Allow-Headers does not list the header: add it to `request_headers`",
    },
];

/// How every Firefox CORS message starts.
const FIREFOX_PREFIX: &str =
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ";

impl FirefoxReason {
    /// Every reason, in the order of MDN's list.
    pub const ALL: [FirefoxReason; 15] = [
        FirefoxReason::Disabled,
        FirefoxReason::DidNotSucceed,
        FirefoxReason::OriginHeaderNotAdded,
        FirefoxReason::ExternalRedirectNotAllowed,
        FirefoxReason::RequestNotHttp,
        FirefoxReason::MissingAllowOrigin,
        FirefoxReason::MultipleAllowOriginNotAllowed,
        FirefoxReason::AllowOriginNotMatchingOrigin,
        FirefoxReason::NotSupportingCredentials,
        FirefoxReason::MethodNotFound,
        FirefoxReason::MissingAllowCredentials,
        FirefoxReason::PreflightDidNotSucceed,
        FirefoxReason::InvalidAllowMethod,
        FirefoxReason::InvalidAllowHeader,
        FirefoxReason::MissingAllowHeaderFromPreflight,
    ];

    fn data(self) -> &'static FirefoxReasonData {
        &FIREFOX_REASONS[self as usize]
    }

    /// MDN's name, such as `CORSMissingAllowOrigin`.
    pub fn as_str(self) -> &'static str {
        self.data().name
    }

    /// MDN's page about the reason.
    pub fn docs_url(self) -> String {
        format!(
            "https://developer.mozilla.org/docs/Web/HTTP/CORS/Errors/{}",
            self.as_str()
        )
    }

    /// The fix corsgate suggests, in general terms (the checker's own fix names the values).
    pub fn fix(self) -> &'static str {
        self.data().fix
    }

    /// Firefox's whole console message for a request to `url`, naming `value` where the reason
    /// names one; `status` is the response's status for the reasons that print it (Firefox
    /// prints `(null)` for the request a failed preflight stopped).
    pub fn message(self, url: &str, value: &str, status: &str) -> String {
        let d = self.data();
        let reason = d.reason.replace("{}", value);
        // Firefox quotes the URL of this one message only.
        let url = if self == FirefoxReason::NotSupportingCredentials {
            format!("‘{url}’")
        } else {
            url.to_string()
        };
        let mut m = format!("{FIREFOX_PREFIX}{url}. (Reason: {reason}).");
        if d.status {
            m.push_str(&format!(" Status code: {status}."));
        }
        m
    }

    /// Reads MDN's name (either spelling of the credentials reason).
    pub fn parse(name: &str) -> Option<FirefoxReason> {
        if name == "CORSMissingAllowCredentials" {
            return Some(FirefoxReason::MissingAllowCredentials);
        }
        FirefoxReason::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// WebKit's console lines for a blocked `fetch()` (not verified here): the reason, then
/// "Fetch API cannot load … due to access control checks.".
pub(crate) fn webkit_messages(
    kind: CorsErrorKind,
    value: &str,
    url: &str,
    origin: &str,
    status: &str,
) -> Vec<String> {
    use CorsErrorKind::*;
    let reason = match kind {
        MissingAllowOriginHeader
        | PreflightMissingAllowOriginHeader
        | InvalidAllowOriginValue
        | PreflightInvalidAllowOriginValue
        | AllowOriginMismatch
        | PreflightAllowOriginMismatch => {
            format!("Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}")
        }
        WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
            "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
                .to_string()
        }
        MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => {
            "Access-Control-Allow-Origin cannot contain more than one origin.".to_string()
        }
        InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
            "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\"."
                .to_string()
        }
        PreflightInvalidStatus | PreflightDisallowedRedirect => {
            format!("Preflight response is not successful. Status code: {status}")
        }
        InvalidAllowMethodsPreflightResponse => {
            "Access-Control-Allow-Methods cannot be parsed.".to_string()
        }
        InvalidAllowHeadersPreflightResponse => {
            "Access-Control-Allow-Headers cannot be parsed.".to_string()
        }
        MethodDisallowedByPreflightResponse => {
            format!("Method {value} is not allowed by Access-Control-Allow-Methods.")
        }
        HeaderDisallowedByPreflightResponse => {
            format!("Request header field {value} is not allowed by Access-Control-Allow-Headers.")
        }
    };
    vec![
        reason,
        format!("Fetch API cannot load {url} due to access control checks."),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firefox_reasons_are_in_order_and_parse_back() {
        for (i, r) in FirefoxReason::ALL.into_iter().enumerate() {
            assert_eq!(r as usize, i);
            assert_eq!(FirefoxReason::parse(r.as_str()), Some(r));
        }
        assert_eq!(
            FirefoxReason::parse("CORSMissingAllowCredentials"),
            Some(FirefoxReason::MissingAllowCredentials)
        );
    }

    #[test]
    fn firefox_messages_name_the_value_and_the_status() {
        assert_eq!(
            FirefoxReason::MissingAllowOrigin.message("http://a.test/x", "", "200"),
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://a.test/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."
        );
        assert_eq!(
            FirefoxReason::DidNotSucceed.message("http://a.test/x", "", "(null)"),
            "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://a.test/x. (Reason: CORS request did not succeed). Status code: (null)."
        );
        assert!(FirefoxReason::NotSupportingCredentials
            .message("http://a.test/x", "", "")
            .contains("at ‘http://a.test/x’. (Reason: Credential"));
    }
}
