//! A denial, as a host's logging reports it.

use crate::browser::Browser;
use crate::decision::{Decision, Kind, Reason, ReasonCode};
use crate::request::Request;
use serde_json::{json, Value};
use std::fmt;

/// One denied request, ready to report: kind, reason code, the offending value, the route,
/// the request path, corsgate's message and the browsers' console messages.
///
/// Building one ([`Decision::report`]) copies a few pointers; every text is formatted only
/// when read, so a binding may build it unconditionally and drop it unread. Values from the
/// request are escaped when shown ([`escaped`]): a report never puts a raw control byte or
/// a non-ASCII byte into a log line.
///
/// ```
/// use corsgate::{Policy, Request};
/// let policy = Policy::from_toml(r#"origins = ["https://app.example.com"]"#).unwrap();
/// let req = Request::new(b"GET", b"/items").header(b"Origin", b"https://evil.example\n");
/// let decision = policy.evaluate(&req);
/// let report = decision.report(&req).unwrap();
/// assert_eq!(report.code().as_str(), "malformed_origin");
/// assert_eq!(report.value().to_string(), "https://evil.example\\n");
/// assert_eq!(report.to_json()["path"], "/items");
/// ```
#[derive(Clone, Copy)]
pub struct DenialReport<'r> {
    kind: Kind,
    status: Option<u16>,
    reason: &'r Reason<'r>,
    origin: &'r [u8],
    path: &'r [u8],
    url: Option<&'r str>,
    suppressed: u64,
}

impl<'a> Decision<'a> {
    /// The report of this decision's denial of `request` (the request it was evaluated for),
    /// or `None` when it is allowed. Costs a few pointer copies; see [`DenialReport`].
    pub fn report<'r>(&'r self, request: &'r Request<'a>) -> Option<DenialReport<'r>> {
        let reason = self.reason()?;
        Some(DenialReport {
            kind: self.kind,
            status: self.status,
            reason,
            origin: request.origin.first().unwrap_or_default(),
            path: request.path,
            url: None,
            suppressed: 0,
        })
    }
}

/// `bytes` for a log line: printable ASCII as is, everything else, `"`, `'` and `\` escaped
/// (`\n`, `\"`, `\xff`, as Rust's `escape_ascii`).
pub fn escaped(bytes: &[u8]) -> impl fmt::Display + '_ {
    bytes.escape_ascii()
}

impl<'r> DenialReport<'r> {
    /// The same report with the request's full URL (`https://api.example.com/items`), which
    /// the browsers' messages name; without it they name the path.
    pub fn with_url(mut self, url: &'r str) -> Self {
        self.url = Some(url);
        self
    }

    /// The same report noting that `n` reports were dropped by a rate limiter before it.
    pub fn with_suppressed(mut self, n: u64) -> Self {
        self.suppressed = n;
        self
    }

    /// The kind of the denied request (a preflight or an actual request).
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The reason code.
    pub fn code(&self) -> ReasonCode {
        self.reason.code()
    }

    /// The denial's reason (the raw offending value, messages).
    pub fn reason(&self) -> &'r Reason<'r> {
        self.reason
    }

    /// The offending value (the origin, the method, the header name, …), escaped.
    pub fn value(&self) -> impl fmt::Display + 'r {
        escaped(self.reason.value())
    }

    /// The `path` of the route that denied, empty for the policy's top level.
    pub fn route(&self) -> &'r str {
        self.reason.route()
    }

    /// The request path (the target as received, query included), escaped.
    pub fn path(&self) -> impl fmt::Display + 'r {
        escaped(self.path)
    }

    /// How many reports a rate limiter dropped just before this one.
    pub fn suppressed(&self) -> u64 {
        self.suppressed
    }

    /// corsgate's one-line explanation, with a hint (control characters escaped).
    pub fn message(&self) -> String {
        one_line(self.reason.message().to_string())
    }

    fn url_and_origin(&self) -> (String, String) {
        let url = match self.url {
            Some(url) => url.to_string(),
            None => escaped(self.path).to_string(),
        };
        (url, escaped(self.origin).to_string())
    }

    /// Chromium's console message for a `fetch()` denied this way.
    pub fn chromium_message(&self) -> String {
        let (url, origin) = self.url_and_origin();
        one_line(self.reason.browser_message(&url, &origin))
    }

    /// Firefox's console lines for it (the CORS reason, then, after a failed preflight, the
    /// failed request), joined with a space.
    pub fn firefox_message(&self) -> String {
        let (url, origin) = self.url_and_origin();
        let lines = self
            .reason
            .browser_messages(Browser::Firefox, &url, &origin, self.status)
            .join(" ");
        one_line(lines)
    }

    /// The report as one JSON object: `kind`, `reason` (the code), `value`, `route`, `path`,
    /// `message`, `chromium`, `firefox` and `suppressed`; values escaped as in [`escaped`].
    pub fn to_json(&self) -> Value {
        json!({
            "kind": self.kind.as_str(),
            "reason": self.code().as_str(),
            "value": self.value().to_string(),
            "route": self.route(),
            "path": self.path().to_string(),
            "message": self.message(),
            "chromium": self.chromium_message(),
            "firefox": self.firefox_message(),
            "suppressed": self.suppressed,
        })
    }
}

/// `text` with its control characters escaped (`\n`, `\u{7f}`): one line, whatever bytes the
/// request carried.
fn one_line(text: String) -> String {
    if !text.chars().any(char::is_control) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with every character that is not printable ASCII escaped (`\u{fffd}`), for a log
/// line that must stay ASCII.
fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            out.extend(c.escape_unicode());
        }
    }
    out
}

/// One log line: `corsgate: denied preflight /items (route "/api/*"): origin_not_allowed
/// "https://evil.example": <message>`, then how many reports were suppressed before it.
impl fmt::Display for DenialReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "corsgate: denied {} {}", self.kind.as_str(), self.path())?;
        if !self.route().is_empty() {
            write!(f, " (route \"{}\")", self.route().escape_default())?;
        }
        write!(
            f,
            ": {} \"{}\": {}",
            self.code().as_str(),
            self.value(),
            ascii(&self.message())
        )?;
        if self.suppressed > 0 {
            write!(f, " ({} earlier reports suppressed)", self.suppressed)?;
        }
        Ok(())
    }
}

impl fmt::Debug for DenialReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Policy, Request};

    fn policy() -> Policy {
        Policy::from_toml(
            r#"origins = ["https://a.example"]
               [[routes]]
               path = "/api/*"
               origins = ["https://a.example"]
               methods = ["PUT"]"#,
        )
        .unwrap()
    }

    #[test]
    fn a_denied_preflight_is_reported_with_its_route_and_both_browsers_messages() {
        let policy = policy();
        let req = Request::new(b"OPTIONS", b"/api/items?x=1")
            .header(b"origin", b"https://a.example")
            .header(b"access-control-request-method", b"DELETE");
        let d = policy.evaluate(&req);
        let r = d
            .report(&req)
            .unwrap()
            .with_url("https://api.example/api/items?x=1");
        let j = r.to_json();
        assert_eq!(j["kind"], "preflight");
        assert_eq!(j["reason"], "method_not_allowed");
        assert_eq!(j["value"], "DELETE");
        assert_eq!(j["route"], "/api/*");
        assert_eq!(j["path"], "/api/items?x=1");
        assert_eq!(
            j["chromium"],
            "Access to fetch at 'https://api.example/api/items?x=1' from origin 'https://a.example' \
             has been blocked by CORS policy: Response to preflight request doesn't pass access \
             control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
        );
        assert!(j["firefox"]
            .as_str()
            .unwrap()
            .starts_with("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example/api/items?x=1. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 403."));
        assert_eq!(
            r.to_string(),
            "corsgate: denied preflight /api/items?x=1 (route \"/api/*\"): method_not_allowed \"DELETE\": method `DELETE` is not allowed; hint: add \"DELETE\" to methods"
        );
    }

    #[test]
    fn values_are_escaped_and_allowed_requests_have_no_report() {
        let policy = policy();
        let req = Request::new(b"GET", b"/a\r\nb").header(b"origin", b"https://\xffe\"x");
        let d = policy.evaluate(&req);
        let r = d.report(&req).unwrap().with_suppressed(3);
        assert_eq!(r.value().to_string(), "https://\\xffe\\\"x");
        let line = r.to_string();
        assert!(!line.contains('\n') && !line.contains('\r'), "{line}");
        assert!(line.starts_with("corsgate: denied actual /a\\r\\nb: malformed_origin"));
        assert!(line.ends_with("(3 earlier reports suppressed)"), "{line}");
        let ok = Request::new(b"GET", b"/").header(b"origin", b"https://a.example");
        assert!(policy.evaluate(&ok).report(&ok).is_none());
    }
}
