//! Report-only evaluation: what a browser would do differently if a policy answered instead
//! of what was actually sent.

use crate::browser::{CorsError, Credentials, FetchRequest, Response};
use crate::decision::{Decision, Kind, ReasonCode};
use crate::request::{Request, Single};
use crate::response::{removes, ResponseHeader};
use crate::strict::Policy;
use crate::syntax::origin;
use crate::syntax::token::list_elements;
use serde_json::{json, Value};
use std::fmt;

/// How a policy is deployed: the policy key `mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `enforce` (the default): the policy's answers are sent.
    #[default]
    Enforce,
    /// `report-only`: nothing on the response changes; [`Policy::report_only`] says where
    /// the policy's answer would change what browsers do.
    ReportOnly,
}

impl Mode {
    /// `enforce` or `report-only`, as the policy file spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::ReportOnly => "report-only",
        }
    }
}

/// A request the browser would answer differently under a report-only policy than it does
/// given the response actually sent. Made only when they differ, so it owns its texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// A preflight or an actual request.
    pub kind: Kind,
    /// The credentials mode under which the verdicts differ: `omit` when they differ for any
    /// page, else `include` (pages that send cookies or HTTP authentication).
    pub credentials: Credentials,
    /// Why the browser blocks the response sent; `None`: it allows it.
    pub today: Option<CorsError>,
    /// Why it would block the report-only policy's answer; `None`: it would allow it.
    pub under_policy: Option<CorsError>,
    /// The report-only policy's denial, if it denies: its code and corsgate's message.
    pub reason: Option<(ReasonCode, String)>,
    /// The route of the report-only policy that answered, empty for its top level.
    pub route: String,
    /// The request path, escaped.
    pub path: String,
    /// The request's origin.
    pub origin: String,
    /// How many earlier differences a rate limiter dropped.
    pub suppressed: u64,
}

impl Difference {
    /// Whether the browser allows the request today and would block it under the policy.
    pub fn newly_blocked(&self) -> bool {
        self.today.is_none()
    }

    /// `{kind, change: "newly_blocked" | "newly_allowed", credentials, today, under_policy,
    /// reason, message, route, path, origin, suppressed}`; `today` and `under_policy` are
    /// Chromium's console messages or `null` (allowed).
    pub fn to_json(&self) -> Value {
        let msg = |e: &Option<CorsError>| e.as_ref().map(|e| e.message.clone());
        json!({
            "kind": self.kind.as_str(),
            "change": if self.newly_blocked() { "newly_blocked" } else { "newly_allowed" },
            "credentials": self.credentials.as_str(),
            "today": msg(&self.today),
            "under_policy": msg(&self.under_policy),
            "reason": self.reason.as_ref().map(|(c, _)| c.as_str()),
            "message": self.reason.as_ref().map(|(_, m)| m.as_str()),
            "route": self.route,
            "path": self.path,
            "origin": self.origin,
            "suppressed": self.suppressed,
        })
    }
}

/// One log line: `corsgate report-only: preflight /x from https://a.example: today the
/// browser allows this; under the new policy it would block it, because …`.
impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "corsgate report-only: {} {} from {}",
            self.kind.as_str(),
            self.path,
            self.origin
        )?;
        if !self.route.is_empty() {
            write!(f, " (route \"{}\")", self.route.escape_default())?;
        }
        if self.credentials == Credentials::Include {
            f.write_str(", with credentials")?;
        }
        match (&self.today, &self.under_policy) {
            (None, Some(e)) => write!(
                f,
                ": today the browser allows this; under the new policy it would block it, because {}",
                e.reason()
            )?,
            (Some(e), _) => write!(
                f,
                ": today the browser blocks this ({}); under the new policy it would allow it",
                e.reason()
            )?,
            (None, None) => {}
        }
        if let Some((code, message)) = &self.reason {
            write!(f, " [{}: {}]", code.as_str(), message)?;
        }
        if self.suppressed > 0 {
            write!(f, " ({} earlier reports suppressed)", self.suppressed)?;
        }
        Ok(())
    }
}

/// The header value a preflight's request header gets in the checker's model of the page:
/// `"` makes every name CORS-unsafe, as the browser found it (it listed the name).
const UNSAFE_VALUE: &str = "\"";

impl Policy {
    /// Evaluates `request` under this policy as a report-only one: the browser-side checker
    /// judges the response actually sent (`status` and every header line `sent`, after any
    /// enforced policy) and the answer this policy would have given (its decision written onto
    /// `sent` by the response rule, or its own preflight answer), for a page that omits
    /// credentials and for one that includes them; returns the first difference in verdict.
    /// `url` is the request's full URL for the messages (`None`: the path on a placeholder
    /// host). Changes nothing; the policy's [`Policy::mode`] is not consulted.
    ///
    /// When the CORS headers sent are the ones the policy would send (and, for a preflight it
    /// answers, the status too), nothing is checked: a policy that matches costs one
    /// evaluation and a comparison. Requests a browser does not send (no or a malformed
    /// `Origin`, a forbidden method) are not compared.
    pub fn report_only(
        &self,
        request: &Request<'_>,
        status: u16,
        sent: &[(&[u8], &[u8])],
        url: Option<&str>,
    ) -> Option<Difference> {
        self.evaluate(request)
            .difference(request, status, sent, url)
    }
}

impl Decision<'_> {
    /// [`Policy::report_only`] for this decision, already made for `request` (a binding that
    /// also counts it evaluates once).
    pub fn difference(
        &self,
        request: &Request<'_>,
        status: u16,
        sent: &[(&[u8], &[u8])],
        url: Option<&str>,
    ) -> Option<Difference> {
        let decision = self;
        let kind = decision.kind;
        if kind == Kind::NotCors {
            return None;
        }
        let mut would = Vec::new();
        let answered = decision.response_into(sent, &mut would);
        let would: Vec<(&[u8], &[u8])> = would
            .iter()
            .map(|h| match h {
                ResponseHeader::Kept(i) => sent[*i],
                ResponseHeader::Set(n, v) => (n.as_bytes(), &v[..]),
            })
            .collect();
        let would_status = answered.unwrap_or(status);
        if would_status == status && cors_headers(sent) == cors_headers(&would) {
            return None;
        }
        let Single::One(raw_origin) = request.origin else {
            return None;
        };
        let page = std::str::from_utf8(raw_origin)
            .ok()
            .filter(|o| *o == "null" || origin::is_origin(o.as_bytes()))?;
        let path = String::from_utf8_lossy(request.path);
        let url = match url {
            Some(u) => u.to_string(),
            None => format!("http://corsgate.invalid{path}"),
        };
        let mut fetch = FetchRequest::new(page, url);
        if kind == Kind::Preflight {
            let method = request.request_method.first().unwrap_or_default();
            fetch = fetch.method(String::from_utf8_lossy(method));
            for line in request.request_header_lines() {
                for (name, _) in list_elements(line) {
                    fetch = fetch.header(String::from_utf8_lossy(name), UNSAFE_VALUE);
                }
            }
        } else {
            fetch = fetch.method(String::from_utf8_lossy(request.method));
        }
        let (today, new) = (response(status, sent), response(would_status, &would));
        [Credentials::Omit, Credentials::Include]
            .into_iter()
            .find_map(|credentials| {
                let plan = fetch.clone().credentials(credentials).plan().ok()?;
                let verdicts = [&today, &new].map(|r| match kind {
                    Kind::Preflight => plan.check_preflight(r).blocked_in_chrome,
                    _ => plan.check_response(r).blocked,
                });
                let [today, under_policy] = verdicts;
                (today.is_some() != under_policy.is_some()).then(|| Difference {
                    kind,
                    credentials,
                    today,
                    under_policy,
                    reason: decision.report(request).map(|r| (r.code(), r.message())),
                    route: decision.reason().map_or("", |r| r.route()).to_string(),
                    path: crate::escaped(request.path).to_string(),
                    origin: page.to_string(),
                    suppressed: 0,
                })
            })
    }
}

/// The CORS response header lines (`Vary` aside), lower-cased names, sorted.
fn cors_headers<'h>(headers: &[(&'h [u8], &'h [u8])]) -> Vec<(Vec<u8>, &'h [u8])> {
    let mut out: Vec<_> = headers
        .iter()
        .filter(|(n, _)| removes(n, false))
        .map(|(n, v)| (n.to_ascii_lowercase(), *v))
        .collect();
    out.sort();
    out
}

fn response(status: u16, headers: &[(&[u8], &[u8])]) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (crate::latin1::decode(n), crate::latin1::decode(v)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::browser::Credentials;
    use crate::{Observer, Policy, ReasonCode, Request};

    fn policy() -> Policy {
        Policy::from_toml(
            r#"mode = "report-only"
               origins = ["https://a.example"]
               methods = ["PUT"]
               credentials = true"#,
        )
        .unwrap()
    }

    fn actual(origin: &[u8]) -> Request<'_> {
        Request::new(b"GET", b"/items").header(b"origin", origin)
    }

    #[test]
    fn a_hand_written_wildcard_the_policy_narrows_is_newly_blocked() {
        let sent: &[(&[u8], &[u8])] = &[(b"Access-Control-Allow-Origin", b"*")];
        let d = policy()
            .report_only(
                &actual(b"https://b.example"),
                200,
                sent,
                Some("https://api.example/items"),
            )
            .unwrap();
        assert!(d.newly_blocked());
        assert_eq!(d.credentials, Credentials::Omit);
        assert_eq!(d.reason.as_ref().unwrap().0, ReasonCode::OriginNotAllowed);
        assert_eq!(
            d.to_string(),
            "corsgate report-only: actual /items from https://b.example: today the browser allows \
             this; under the new policy it would block it, because No 'Access-Control-Allow-Origin' \
             header is present on the requested resource. [origin_not_allowed: origin \
             `https://b.example` is not allowed by the policy; hint: closest allowed origin: `https://a.example`]"
        );
        assert_eq!(d.to_json()["change"], "newly_blocked");
    }

    #[test]
    fn the_wildcard_with_credentials_is_newly_allowed_for_pages_that_send_cookies() {
        let sent: &[(&[u8], &[u8])] = &[(b"Access-Control-Allow-Origin", b"*")];
        let d = policy()
            .report_only(&actual(b"https://a.example"), 200, sent, None)
            .unwrap();
        assert!(!d.newly_blocked());
        assert_eq!(d.credentials, Credentials::Include);
        assert!(d.reason.is_none());
        assert!(d.to_string().contains(", with credentials: today the browser blocks this (The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."), "{d}");
    }

    #[test]
    fn a_preflight_missing_a_method_is_newly_allowed_and_the_same_answer_is_not_reported() {
        let req = Request::new(b"OPTIONS", b"/items")
            .header(b"origin", b"https://a.example")
            .header(b"access-control-request-method", b"PUT")
            .header(b"access-control-request-headers", b"x-token");
        let sent: &[(&[u8], &[u8])] = &[
            (b"access-control-allow-origin", b"https://a.example"),
            (b"access-control-allow-credentials", b"true"),
            (b"access-control-allow-methods", b"GET, POST"),
        ];
        // The policy does not allow x-token either: both block, no difference.
        assert_eq!(policy().report_only(&req, 204, sent, None), None);
        let req = Request::new(b"OPTIONS", b"/items")
            .header(b"origin", b"https://a.example")
            .header(b"access-control-request-method", b"PUT");
        let d = policy().report_only(&req, 204, sent, None).unwrap();
        assert!(!d.newly_blocked());
        assert_eq!(
            d.today.unwrap().reason(),
            "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
        );
        let same: &[(&[u8], &[u8])] = &[
            (b"Access-Control-Allow-Origin", b"https://a.example"),
            (b"Access-Control-Allow-Credentials", b"true"),
            (b"Access-Control-Allow-Methods", b"PUT"),
        ];
        assert_eq!(policy().report_only(&req, 204, same, None), None);
    }

    #[test]
    fn the_observer_counts_report_only_decisions_and_limits_the_differences() {
        let observer = Observer::new(1, 1);
        let sent: &[(&[u8], &[u8])] = &[(b"Access-Control-Allow-Origin", b"*")];
        let policy = policy();
        let req = actual(b"https://b.example");
        assert!(observer
            .report_only(&policy, &req, 200, sent, None)
            .is_some());
        assert!(observer
            .report_only(&policy, &req, 200, sent, None)
            .is_none());
        assert_eq!(observer.stats().denied(), 2);
        assert_eq!(policy.mode().as_str(), "report-only");
        assert_eq!(policy.warnings()[0].code, "report_only_mode");
    }

    #[test]
    fn mode_is_checked() {
        let e = Policy::from_toml(r#"mode = "report_only""#).unwrap_err();
        assert_eq!(e.errors[0].code, "mode_invalid");
        assert_eq!(
            e.errors[0].hint.as_deref(),
            Some("did you mean \"report-only\"?")
        );
        let e = Policy::from_toml("[[routes]]\npath = \"/a\"\nmode = \"enforce\"").unwrap_err();
        assert_eq!(
            (e.errors[0].code, e.errors[0].path.as_str()),
            ("mode_invalid", "routes[0].mode")
        );
    }
}
