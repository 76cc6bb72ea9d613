//! The browser-side checker: what a browser does with a cross-origin `fetch()` and the
//! server's answers, decided as the Fetch standard does, reported in each browser's words.
//!
//! Given what a page does ([`FetchRequest`]: its origin, the URL, method, headers, credentials
//! and mode) and what the server answered ([`Response`]: the preflight response, if any, and
//! the actual response), [`check`] says
//! - whether a preflight is needed and what it carries ([`Plan::preflight`]: the
//!   `Access-Control-Request-Method` and `-Headers` values the browser sends, and why);
//! - whether the preflight passes, with both verdicts where Chromium departs from the standard
//!   (`*` in `Access-Control-Allow-Headers` covering `Authorization`), and how long Chromium,
//!   Firefox and WebKit cache it;
//! - whether the actual response passes, and which of its headers JavaScript can read;
//! - on failure, Chromium's error kind and its exact console message ([`CorsError`]), checked in
//!   Chromium's order, with the fix on the server side;
//! - for each [`Browser`] (Chromium, Firefox, and Safari from WebKit's documented behaviour,
//!   not verified here), that browser's verdict, error kind, console lines and preflight cache
//!   lifetime ([`Outcome::in_browser`], [`BrowserOutcome`]), each checked on the request that
//!   browser makes ([`FetchRequest::plan_in`], [`Browser::unsafe_header_rule`]); Firefox's
//!   reasons are [`FirefoxReason`], and every browser text lives in one module (`console`).
//!
//! ```
//! use corsgate::browser::{check, Credentials, FetchRequest, Response, Verdict};
//! let page = FetchRequest::new("https://app.example.com", "https://api.example.com/items")
//!     .method("PUT")
//!     .header("Content-Type", "application/json")
//!     .credentials(Credentials::Include);
//! let preflight = Response::new(204)
//!     .header("Access-Control-Allow-Origin", "https://app.example.com")
//!     .header("Access-Control-Allow-Methods", "PUT")
//!     .header("Access-Control-Allow-Headers", "content-type");
//! let outcome = check(&page, Some(&preflight), None).unwrap();
//! assert_eq!(outcome.verdict(), Verdict::Blocked);
//! let error = outcome.blocked.as_ref().unwrap();
//! assert_eq!(error.kind.as_str(), "PreflightInvalidAllowCredentials");
//! assert!(error.message.ends_with("The value of the 'Access-Control-Allow-Credentials' header \
//!     in the response is '' which must be 'true' when the request's credentials mode is 'include'."));
//! let firefox = outcome.in_browser(corsgate::browser::Browser::Firefox);
//! assert_eq!(firefox.error.as_ref().unwrap().kind, "CORSMIssingAllowCredentials");
//! ```
//!
//! Scope: one hop (a redirect of the actual response is checked as a response; the browser
//! then repeats the check on the next one), no Private Network Access, no `XMLHttpRequest`
//! upload-listener preflights. Same-name request headers are combined with `, ` as `Headers`
//! does. Where the standard leaves the order of checks open, Chromium's order is used, and the
//! messages are Chromium's (blink's `cors::GetErrorString` for a `fetch()`), as Chromium 156 prints
//! them (checked in a real browser; tests/vectors/browser/README.md).

mod browsers;
mod check;
pub(crate) mod console;
mod error;
mod in_browser;
mod request;
mod response;
mod url;

pub(crate) use browsers::{capping_max_age, WILDCARD_AUTHORIZATION_BREAKS};
pub use browsers::{Browser, UnsafeHeaderRule};
pub use check::{CacheLifetime, PreflightCheck, ResponseCheck, SAFELISTED_RESPONSE_HEADERS};
pub use console::FirefoxReason;
pub use error::{CorsError, CorsErrorKind};
use in_browser::BrowserChecks;
pub use in_browser::{BrowserError, BrowserOutcome};
pub use request::{
    Credentials, FetchRequest, Mode, Plan, PreflightRequest, RequestError, RequestErrorKind,
};
pub use response::{HttpParseError, Response};

use serde_json::{json, Value};

/// The overall verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// The standard and Chromium let the page read the response.
    Allowed,
    /// The standard and Chromium block it ([`Outcome::browsers`] says where another browser
    /// does not: Firefox sends no preflight for safelisted headers over 1024 bytes together).
    Blocked,
    /// The Fetch standard blocks it; Chromium, Safari and Firefox 153 ESR (with a deprecation
    /// warning) still allow it (`*` covering `Authorization`).
    BlockedByStandardOnly,
    /// A response the decision needs was not given (see [`Outcome::missing`]).
    Incomplete,
}

impl Verdict {
    /// `allowed`, `blocked`, `blocked_by_standard_only` or `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Blocked => "blocked",
            Verdict::BlockedByStandardOnly => "blocked_by_standard_only",
            Verdict::Incomplete => "incomplete",
        }
    }
}

/// Which response the checker needed but was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Missing {
    /// A preflight is needed: give the response to the `OPTIONS` request.
    PreflightResponse,
    /// Give the response to the actual request.
    Response,
}

impl Missing {
    /// `preflight_response` or `response`.
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::PreflightResponse => "preflight_response",
            Missing::Response => "response",
        }
    }
}

/// Everything the checker found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// What the browser sends by the standard (as Chromium does); a browser that sends another
    /// preflight says so in its [`BrowserOutcome::preflight_request`].
    pub plan: Plan,
    /// The preflight check, when a preflight is needed and its response was given.
    pub preflight: Option<PreflightCheck>,
    /// The actual-response check, when the response was given.
    pub response: Option<ResponseCheck>,
    /// The first failure by the Fetch standard, in Chromium's words.
    pub blocked: Option<CorsError>,
    /// The first failure in Chromium (Safari and Firefox agree on `*` covering
    /// `Authorization`).
    pub blocked_in_chrome: Option<CorsError>,
    /// Each browser's answer, in [`Browser::ALL`]'s order, each checked on the request that
    /// browser makes ([`FetchRequest::plan_in`]).
    pub browsers: Vec<BrowserOutcome>,
    /// What was needed and not given.
    pub missing: Option<Missing>,
    /// Remarks that do not change the verdict (dropped headers, ignored responses, redirects).
    pub notes: Vec<String>,
}

impl Outcome {
    /// The overall verdict.
    pub fn verdict(&self) -> Verdict {
        match (&self.blocked, &self.blocked_in_chrome, self.missing) {
            (Some(_), Some(_), _) => Verdict::Blocked,
            (Some(_), None, None) => Verdict::BlockedByStandardOnly,
            (_, _, Some(_)) => Verdict::Incomplete,
            (None, _, None) => Verdict::Allowed,
        }
    }

    /// `browser`'s answer.
    pub fn in_browser(&self, browser: Browser) -> &BrowserOutcome {
        // `browsers` holds every browser, in `Browser::ALL`'s order.
        &self.browsers[browser as usize]
    }

    /// Whether the browsers' verdicts differ.
    pub fn browsers_disagree(&self) -> bool {
        self.browsers
            .iter()
            .any(|b| b.verdict != self.browsers[0].verdict)
    }

    /// The outcome as JSON (the CLI's `--json` and the bindings use this shape), with
    /// `browser`'s answer under `"browser"` and every browser's under `"browsers"`.
    pub fn to_json_for(&self, browser: Browser) -> Value {
        let mut v = self.to_json();
        v["browser"] = browser_json(self.in_browser(browser));
        v
    }

    /// The outcome as JSON (the CLI's `--json` and the bindings use this shape).
    pub fn to_json(&self) -> Value {
        let p = &self.plan;
        let error = |e: &Option<CorsError>| match e {
            Some(e) => json!({
                "kind": e.kind.as_str(),
                "value": e.value,
                "message": e.message,
                "fix": e.fix,
            }),
            None => Value::Null,
        };
        json!({
            "verdict": self.verdict().as_str(),
            "request": {
                "origin": p.origin,
                "url": p.url,
                "method": p.method,
                "credentials": p.credentials.as_str(),
                "mode": p.mode.as_str(),
                "cross_origin": p.cross_origin,
                "headers": p.headers,
                "dropped_headers": p.dropped_headers,
                "unsafe_headers": p.unsafe_headers,
            },
            "preflight_request": p.preflight.as_ref().map(|pf| json!({
                "method": pf.method,
                "request_headers": pf.request_headers,
                "reasons": pf.reasons,
            })),
            "preflight": self.preflight.as_ref().map(|c| json!({
                "blocked": error(&c.blocked),
                "blocked_in_chrome": error(&c.blocked_in_chrome),
                "allowed_methods": c.allowed_methods,
                "allowed_headers": c.allowed_headers,
                "cache_seconds": c.cache.map(|l| json!({
                    "standard": l.standard,
                    "chromium": l.chromium,
                    "firefox": l.firefox,
                    "webkit": l.webkit,
                })),
            })),
            "response": self.response.as_ref().map(|r| json!({
                "blocked": error(&r.blocked),
                "opaque": r.opaque,
                "readable_headers": r.readable_headers,
                "hidden_headers": r.hidden_headers,
            })),
            "blocked": error(&self.blocked),
            "blocked_in_chrome": error(&self.blocked_in_chrome),
            "missing": self.missing.map(Missing::as_str),
            "notes": self.notes,
            "browsers": self.browsers.iter().map(|b| (b.browser.as_str().to_string(), browser_json(b))).collect::<serde_json::Map<_, _>>(),
            "browsers_disagree": self.browsers_disagree(),
        })
    }
}

/// One browser's answer as JSON: `{name, verdict, verified, preflight_request: {method,
/// request_headers} | null, error: {kind, value, message, console, fix, docs} | null,
/// warnings, cache_seconds}`.
fn browser_json(b: &BrowserOutcome) -> Value {
    json!({
        "name": b.browser.as_str(),
        "verdict": b.verdict.as_str(),
        "verified": b.verified,
        "preflight_request": b.preflight_request.as_ref().map(|pf| json!({
            "method": pf.method,
            "request_headers": pf.request_headers,
        })),
        "error": b.error.as_ref().map(|e| json!({
            "kind": e.kind,
            "value": e.value,
            "message": e.message,
            "console": e.console,
            "fix": e.fix,
            "docs": e.docs,
        })),
        "warnings": b.warnings,
        "cache_seconds": b.cache_seconds,
    })
}

impl Plan {
    /// Checks the given responses: the preflight response (used only when a preflight is
    /// needed) and the actual response. Each may be absent; [`Outcome::missing`] then says what
    /// the verdict still needs. Every browser's answer is checked on this plan ([`check`]
    /// checks each on the request it makes).
    pub fn check(self, preflight: Option<&Response>, response: Option<&Response>) -> Outcome {
        let mut notes = Vec::new();
        for name in &self.dropped_headers {
            notes.push(format!(
                "the browser does not send the header {name}: pages cannot set it"
            ));
        }
        let mut missing = None;
        let preflight_check = match (&self.preflight, preflight) {
            (Some(_), Some(r)) => Some(self.check_preflight(r)),
            (Some(_), None) => {
                missing = Some(Missing::PreflightResponse);
                None
            }
            (None, Some(_)) => {
                notes.push(
                    "no preflight is needed for this request: the preflight response was not used"
                        .into(),
                );
                None
            }
            (None, None) => None,
        };
        let (mut blocked, mut blocked_in_chrome) = match &preflight_check {
            Some(c) => (c.blocked.clone(), c.blocked_in_chrome.clone()),
            None => (None, None),
        };
        let response_check = match response {
            Some(r) => {
                let c = self.check_response(r);
                if c.blocked.is_none() && r.is_redirect() && self.cross_origin {
                    notes.push(format!(
                        "the response redirects ({}) to {}: the browser follows it and checks that response too",
                        r.status,
                        r.get("location").unwrap_or_default()
                    ));
                }
                if c.opaque {
                    notes.push("mode no-cors: the response is opaque, JavaScript can read neither its status, headers nor body".into());
                }
                blocked = blocked.or_else(|| c.blocked.clone());
                blocked_in_chrome = blocked_in_chrome.or_else(|| c.blocked.clone());
                Some(c)
            }
            None => {
                missing = missing.or(Some(Missing::Response));
                None
            }
        };
        if !self.cross_origin {
            notes.push("the URL has the page's origin: CORS does not apply".into());
        }
        let checks = BrowserChecks {
            standard: blocked.as_ref(),
            chrome: blocked_in_chrome.as_ref(),
            incomplete: missing.is_some(),
            cache: preflight_check.as_ref().and_then(|c| c.cache),
            preflight: preflight.filter(|_| self.preflight.is_some()),
            response,
        };
        let browsers = Browser::ALL
            .iter()
            .map(|&b| self.in_browser(b, &checks))
            .collect();
        Outcome {
            plan: self,
            preflight: preflight_check,
            response: response_check,
            blocked,
            blocked_in_chrome,
            browsers,
            missing,
            notes,
        }
    }
}

/// Runs the browser's checks for `request` against the server's `preflight` response (used when
/// a preflight is needed) and actual `response`. Fails only when `fetch()` itself would throw
/// before sending anything.
pub fn check(
    request: &FetchRequest,
    preflight: Option<&Response>,
    response: Option<&Response>,
) -> Result<Outcome, RequestError> {
    let mut outcome = request.plan()?.check(preflight, response);
    for browser in Browser::ALL {
        let plan = request.plan_in(browser)?;
        if plan.preflight != outcome.plan.preflight {
            let own = plan.check(preflight, response);
            outcome.browsers[browser as usize] = own.in_browser(browser).clone();
        }
    }
    Ok(outcome)
}

/// Why [`check_json`] could not run the checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonCheckError {
    /// `invalid_input` (not JSON, or the wrong shape), or a [`RequestErrorKind`] code when
    /// `fetch()` itself would throw.
    pub kind: &'static str,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for JsonCheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for JsonCheckError {}

/// [`check`] with JSON in and out, for bindings: the input is
/// `{"request": {origin, url, method?, headers?: [[name, value]…], credentials?, mode?},
/// "preflight"?: {status, headers}, "response"?: {status, headers}, "browser"?: name}` (the
/// shape of the browser vectors, tests/vectors/browser/README.md; `browser` is `chromium`
/// (the default), `firefox` or `webkit`); the output is [`Outcome::to_json_for`] that browser.
pub fn check_json(input: &str) -> Result<Value, JsonCheckError> {
    check_json_in(input, None)
}

/// [`check_json`] for `browser` when given (a C caller's typed choice), else for the
/// document's `"browser"` (default Chromium).
pub fn check_json_in(input: &str, browser: Option<Browser>) -> Result<Value, JsonCheckError> {
    let invalid = |message: String| JsonCheckError {
        kind: "invalid_input",
        message,
    };
    let doc: Value = serde_json::from_str(input).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let pairs = |v: Option<&Value>, what: &str| -> Result<Vec<(String, String)>, JsonCheckError> {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return Ok(Vec::new());
        };
        let list = v
            .as_array()
            .ok_or_else(|| invalid(format!("{what} must be a list of [name, value] pairs")))?;
        list.iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
                _ => Err(invalid(format!(
                    "{what}: {p} is not a [name, value] pair of strings"
                ))),
            })
            .collect()
    };
    let response = |key: &str| -> Result<Option<Response>, JsonCheckError> {
        let Some(v) = doc.get(key).filter(|v| !v.is_null()) else {
            return Ok(None);
        };
        let status = v
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .ok_or_else(|| invalid(format!("{key}.status must be an HTTP status")))?;
        Ok(Some(Response {
            status,
            headers: pairs(v.get("headers"), &format!("{key}.headers"))?,
        }))
    };
    let r = doc
        .get("request")
        .filter(|r| r.is_object())
        .ok_or_else(|| invalid("`request` must be an object".into()))?;
    let text = |key: &str, default: &str| -> Result<String, JsonCheckError> {
        match r.get(key) {
            None | Some(Value::Null) if !default.is_empty() => Ok(default.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(invalid(format!("request.{key} must be a string"))),
        }
    };
    let credentials = text("credentials", "same-origin")?;
    let mode = text("mode", "cors")?;
    let mut request = FetchRequest::new(text("origin", "")?, text("url", "")?)
        .method(text("method", "GET")?)
        .credentials(Credentials::parse(&credentials).ok_or_else(|| {
            invalid(format!(
                "request.credentials `{credentials}` is not omit, same-origin or include"
            ))
        })?)
        .mode(match mode.as_str() {
            "cors" => Mode::Cors,
            "no-cors" => Mode::NoCors,
            other => {
                return Err(invalid(format!(
                    "request.mode `{other}` is not cors or no-cors"
                )))
            }
        });
    request.headers = pairs(r.get("headers"), "request.headers")?;
    let (preflight, actual) = (response("preflight")?, response("response")?);
    let browser = match (browser, doc.get("browser")) {
        (Some(b), _) => b,
        (None, None | Some(Value::Null)) => Browser::default(),
        (None, Some(Value::String(name))) => Browser::parse(name).ok_or_else(|| {
            invalid(format!(
                "browser `{name}` is not chromium, firefox or webkit"
            ))
        })?,
        (None, Some(_)) => return Err(invalid("browser must be a string".into())),
    };
    check(&request, preflight.as_ref(), actual.as_ref())
        .map(|o| o.to_json_for(browser))
        .map_err(|e| JsonCheckError {
            kind: e.kind.as_str(),
            message: e.to_string(),
        })
}

/// [`check_json`] as text, for bindings that pass strings: the outcome JSON, or
/// `{"error": {"kind": …, "message": …}}` when the checks cannot run.
pub fn check_json_text(input: &str) -> String {
    check_json_text_in(input, None)
}

/// [`check_json_in`] as text: the outcome JSON, or `{"error": {"kind": …, "message": …}}`.
pub fn check_json_text_in(input: &str, browser: Option<Browser>) -> String {
    match check_json_in(input, browser) {
        Ok(outcome) => outcome.to_string(),
        Err(e) => json!({ "error": { "kind": e.kind, "message": e.message } }).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_browser_is_checked_on_the_request_it_makes() {
        let mut page = FetchRequest::new("https://app.example", "https://api.example/x");
        for _ in 0..9 {
            page = page.header("Accept", "a".repeat(120));
        }
        let acao = ("Access-Control-Allow-Origin", "https://app.example");
        let preflight = Response::new(204).header(acao.0, acao.1);
        let response = Response::new(200).header(acao.0, acao.1);
        let outcome = check(&page, Some(&preflight), Some(&response)).unwrap();
        assert_eq!(outcome.verdict(), Verdict::Blocked);
        let chromium = outcome.in_browser(Browser::Chromium);
        assert_eq!(chromium.verdict, Verdict::Blocked);
        let acrh = chromium.preflight_request.as_ref().unwrap();
        assert_eq!(acrh.request_headers.as_deref(), Some("accept"));
        let firefox = outcome.in_browser(Browser::Firefox);
        assert_eq!((firefox.verdict, &firefox.error), (Verdict::Allowed, &None));
        assert_eq!(firefox.preflight_request, None);
        assert!(outcome.browsers_disagree());
        let json = outcome.to_json_for(Browser::Firefox);
        assert_eq!(json["browser"]["preflight_request"], Value::Null);
        assert_eq!(
            json["browsers"]["chromium"]["preflight_request"]["request_headers"],
            "accept"
        );
    }

    #[test]
    fn check_json_runs_the_checks_and_reports_bad_input() {
        let out = check_json(
            r#"{"request": {"origin": "https://a.example", "url": "https://b.example/x",
                "credentials": "include"},
                "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]}}"#,
        )
        .unwrap();
        assert_eq!(out["verdict"], "blocked");
        assert_eq!(out["blocked"]["kind"], "WildcardOriginNotAllowed");
        assert_eq!(out["browser"]["name"], "chromium");
        assert_eq!(
            out["browsers"]["firefox"]["error"]["kind"],
            "CORSNotSupportingCredentials"
        );
        let firefox = check_json(
            r#"{"browser": "firefox", "request": {"origin": "https://a.example", "url": "https://b.example/x"},
                "response": {"status": 200, "headers": []}}"#,
        )
        .unwrap();
        assert_eq!(firefox["browser"]["error"]["message"], "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://b.example/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200.");
        assert_eq!(
            check_json(r#"{"browser": "lynx", "request": {"origin": "https://a.example", "url": "https://b.example"}}"#)
                .unwrap_err()
                .kind,
            "invalid_input"
        );
        assert_eq!(check_json("[]").unwrap_err().kind, "invalid_input");
        let e = check_json(r#"{"request": {"origin": "https://a.example", "url": "https://b.example", "method": "TRACE"}}"#)
            .unwrap_err();
        assert_eq!(e.kind, "forbidden_method");
    }
}
