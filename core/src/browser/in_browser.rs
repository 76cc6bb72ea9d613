//! One browser's answer: its verdict, its error kind, its console lines and the fix, derived
//! from the standard's and Chromium's checks plus the facts in which the browser differs.
//!
//! Firefox (checked in Firefox 153 ESR) differs from Chromium in its words and in four rules:
//! it runs the CORS check on a redirected preflight before refusing the redirect;
//! two `Access-Control-Allow-Origin` lines spelled exactly so are "multiple", one line holding
//! several origins is a mismatch naming the whole value; it checks the method before it parses
//! `Access-Control-Allow-Headers`; and a failed preflight is followed by a second line, "CORS
//! request did not succeed", for the request that was never sent.

use super::browsers::Browser;
use super::check::CacheLifetime;
use super::console::{webkit_messages, FirefoxReason};
use super::error::{CorsError, CorsErrorKind};
use super::request::{is_safelisted_method, Plan, PreflightRequest};
use super::response::Response;
use super::Verdict;
use crate::syntax::token::{is_token, trim_ows};

/// Why one browser blocks the request, in its own terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserError {
    /// The browser's name for the error: Chromium's `CorsError` kind, Firefox's reason
    /// (`CORSMissingAllowOrigin`, …); WebKit names none, so Chromium's kind is used.
    pub kind: &'static str,
    /// The value the error names, if any.
    pub value: Option<String>,
    /// The console message for the failure.
    pub message: String,
    /// Every console line the browser prints for this fetch, `message` first.
    pub console: Vec<String>,
    /// What to change on the server.
    pub fix: String,
    /// A page documenting the error, where the browser's vendor has one.
    pub docs: Option<String>,
}

/// One browser's verdict on the fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserOutcome {
    /// The browser.
    pub browser: Browser,
    /// `Allowed`, `Blocked` or `Incomplete` (never `BlockedByStandardOnly`).
    pub verdict: Verdict,
    /// Why it blocks, when it does.
    pub error: Option<BrowserError>,
    /// Console warnings that do not block (Firefox's deprecation of `*` covering
    /// `Authorization`).
    pub warnings: Vec<String>,
    /// How long it caches the passed preflight, in seconds.
    pub cache_seconds: Option<u64>,
    /// Whether these predictions were checked in the real browser.
    pub verified: bool,
    /// The preflight this browser sends, when it sends one.
    pub preflight_request: Option<PreflightRequest>,
}

/// Firefox's deprecation warning when `*` covers `Authorization` (Firefox 153 ESR prints it to
/// the web console; it does not reach WebDriver BiDi's log).
fn firefox_authorization_warning(url: &str) -> String {
    format!("Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at {url} soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`).")
}

/// The first element of a comma-separated header that is not a token (Firefox names it).
fn first_invalid_token(response: &Response, name: &str) -> String {
    let value = response.get(name).unwrap_or_default();
    value
        .split(',')
        .map(|e| trim_ows(e.as_bytes()))
        .find(|e| !e.is_empty() && !is_token(e))
        .map(|e| String::from_utf8_lossy(e).into_owned())
        .unwrap_or(value)
}

impl Plan {
    /// Firefox's error for the failure Chromium reports as `chrome` (the responses are the ones
    /// the checks ran on).
    fn firefox_error(
        &self,
        chrome: &CorsError,
        preflight: Option<&Response>,
        response: Option<&Response>,
    ) -> BrowserError {
        use CorsErrorKind::*;
        // Firefox runs the CORS check on a redirected preflight before refusing the redirect
        // (seen in Firefox 153 ESR: a 301 without Access-Control-Allow-Origin is "missing").
        if chrome.kind == PreflightDisallowedRedirect {
            // It then prints "CORS request did not succeed" twice (the redirect, the request).
            if let Some(Err(first)) = preflight.map(|r| self.cors_check(r, true)) {
                let mut e = self.firefox_error(&first, preflight, response);
                e.console
                    .push(FirefoxReason::DidNotSucceed.message(&self.url, "", "(null)"));
                return e;
            }
        }
        let on_preflight = chrome.kind.is_preflight();
        let failed = if on_preflight { preflight } else { response };
        let status = chrome.status;
        let acao_lines = failed.map_or(0, |r| {
            r.headers
                .iter()
                .filter(|(n, _)| n == "Access-Control-Allow-Origin")
                .count()
        });
        let acao = || failed.and_then(|r| r.get("access-control-allow-origin"));
        // The CORS check proper (origin and credentials), where Firefox first counts the lines.
        let origin_kind = !on_preflight
            || matches!(
                chrome.kind,
                PreflightMissingAllowOriginHeader
                    | PreflightWildcardOriginNotAllowed
                    | PreflightMultipleAllowOriginValues
                    | PreflightInvalidAllowOriginValue
                    | PreflightAllowOriginMismatch
                    | PreflightInvalidAllowCredentials
            );
        let (reason, value, mut console) = if origin_kind && acao_lines > 1 {
            (FirefoxReason::MultipleAllowOriginNotAllowed, None, vec![])
        } else {
            match chrome.kind {
                MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                    (FirefoxReason::MissingAllowOrigin, None, vec![])
                }
                WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                    (FirefoxReason::NotSupportingCredentials, None, vec![])
                }
                MultipleAllowOriginValues
                | PreflightMultipleAllowOriginValues
                | InvalidAllowOriginValue
                | PreflightInvalidAllowOriginValue
                | AllowOriginMismatch
                | PreflightAllowOriginMismatch => {
                    (FirefoxReason::AllowOriginNotMatchingOrigin, acao(), vec![])
                }
                InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
                    (FirefoxReason::MissingAllowCredentials, None, vec![])
                }
                PreflightInvalidStatus => (FirefoxReason::PreflightDidNotSucceed, None, vec![]),
                PreflightDisallowedRedirect => (
                    FirefoxReason::ExternalRedirectNotAllowed,
                    None,
                    vec![FirefoxReason::PreflightDidNotSucceed.message(
                        &self.url,
                        "",
                        &status.to_string(),
                    )],
                ),
                InvalidAllowMethodsPreflightResponse => (
                    FirefoxReason::InvalidAllowMethod,
                    preflight.map(|r| first_invalid_token(r, "access-control-allow-methods")),
                    vec![],
                ),
                InvalidAllowHeadersPreflightResponse if !self.firefox_method_allowed(preflight) => {
                    (FirefoxReason::MethodNotFound, None, vec![])
                }
                InvalidAllowHeadersPreflightResponse => (
                    FirefoxReason::InvalidAllowHeader,
                    preflight.map(|r| first_invalid_token(r, "access-control-allow-headers")),
                    vec![],
                ),
                MethodDisallowedByPreflightResponse => {
                    (FirefoxReason::MethodNotFound, None, vec![])
                }
                HeaderDisallowedByPreflightResponse => (
                    FirefoxReason::MissingAllowHeaderFromPreflight,
                    chrome.value.clone(),
                    vec![],
                ),
            }
        };
        let message = reason.message(
            &self.url,
            value.as_deref().unwrap_or(""),
            &status.to_string(),
        );
        if on_preflight {
            console.push(FirefoxReason::DidNotSucceed.message(&self.url, "", "(null)"));
        }
        console.insert(0, message.clone());
        BrowserError {
            kind: reason.as_str(),
            value,
            message,
            console,
            fix: chrome.fix.clone(),
            docs: Some(reason.docs_url()),
        }
    }

    /// Whether Firefox finds the method in the preflight's `Access-Control-Allow-Methods`
    /// (which it reads before `Access-Control-Allow-Headers`).
    fn firefox_method_allowed(&self, preflight: Option<&Response>) -> bool {
        let listed = preflight
            .and_then(|r| r.get("access-control-allow-methods"))
            .unwrap_or_default();
        let credentials = self.includes_credentials();
        is_safelisted_method(&self.method)
            || listed
                .split(',')
                .map(|m| m.trim_matches([' ', '\t']))
                .any(|m| m == self.method || (m == "*" && !credentials))
    }

    fn webkit_error(&self, chrome: &CorsError) -> BrowserError {
        let value = chrome.value.clone().unwrap_or_default();
        let console = webkit_messages(
            chrome.kind,
            &value,
            &self.url,
            &self.origin,
            &chrome.status.to_string(),
        );
        BrowserError {
            kind: chrome.kind.as_str(),
            value: chrome.value.clone(),
            message: console[0].clone(),
            console,
            fix: chrome.fix.clone(),
            docs: None,
        }
    }

    /// What `browser` does, given the checks' results (`blocked_in_chrome`: Chromium's first
    /// failure; `blocked`: the standard's) and the responses they ran on.
    pub(crate) fn in_browser(
        &self,
        browser: Browser,
        checks: &BrowserChecks<'_>,
    ) -> BrowserOutcome {
        let error = checks.chrome.map(|e| match browser {
            Browser::Chromium => BrowserError {
                kind: e.kind.as_str(),
                value: e.value.clone(),
                message: e.message.clone(),
                console: vec![e.message.clone()],
                fix: e.fix.clone(),
                docs: None,
            },
            Browser::Firefox => self.firefox_error(e, checks.preflight, checks.response),
            Browser::WebKit => self.webkit_error(e),
        });
        let mut warnings = Vec::new();
        if browser == Browser::Firefox && checks.chrome.is_none() && checks.standard.is_some() {
            warnings.push(firefox_authorization_warning(&self.url));
        }
        let verdict = match (&error, checks.incomplete) {
            (Some(_), _) => Verdict::Blocked,
            (None, true) => Verdict::Incomplete,
            (None, false) => Verdict::Allowed,
        };
        BrowserOutcome {
            browser,
            verdict,
            error,
            warnings,
            cache_seconds: checks.cache.map(|c| c.in_browser(browser)),
            verified: browser.verified(),
            preflight_request: self.preflight.clone(),
        }
    }
}

/// What [`Plan::in_browser`] derives a browser's answer from.
pub(crate) struct BrowserChecks<'a> {
    /// The standard's first failure.
    pub(crate) standard: Option<&'a CorsError>,
    /// Chromium's first failure.
    pub(crate) chrome: Option<&'a CorsError>,
    /// Whether a response the verdict needs is missing.
    pub(crate) incomplete: bool,
    /// The passed preflight's cache lifetimes.
    pub(crate) cache: Option<CacheLifetime>,
    /// The preflight response given.
    pub(crate) preflight: Option<&'a Response>,
    /// The actual response given.
    pub(crate) response: Option<&'a Response>,
}
