//! What the page does: the request `fetch()` builds, and the plan the browser derives from it
//! (is it cross-origin, is a preflight needed, which headers are CORS-unsafe).

use super::browsers::{Browser, UnsafeHeaderRule};
use super::url;
use crate::syntax::origin;
use crate::syntax::token::{
    is_forbidden_method, is_forbidden_request_header, is_token, normalize_method,
};
use std::fmt;

/// The request's credentials mode (`fetch(url, {credentials})`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// `omit`: never send cookies or HTTP authentication.
    Omit,
    /// `same-origin` (the default of `fetch()`): credentials only for same-origin requests.
    #[default]
    SameOrigin,
    /// `include`: send credentials cross-origin too; the response must opt in.
    Include,
}

impl Credentials {
    /// `omit`, `same-origin` or `include`.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::Omit => "omit",
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
        }
    }

    /// Reads `omit`, `same-origin` or `include`.
    pub fn parse(s: &str) -> Option<Credentials> {
        match s {
            "omit" => Some(Credentials::Omit),
            "same-origin" => Some(Credentials::SameOrigin),
            "include" => Some(Credentials::Include),
            _ => None,
        }
    }
}

/// The request's mode (`fetch(url, {mode})`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `cors` (the default of `fetch()`): cross-origin responses must pass the CORS check.
    #[default]
    Cors,
    /// `no-cors`: no CORS check, but the response is opaque (nothing of it is readable) and
    /// only safelisted methods and headers may be used.
    NoCors,
}

impl Mode {
    /// `cors` or `no-cors`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Cors => "cors",
            Mode::NoCors => "no-cors",
        }
    }
}

/// A `fetch()` call as a page makes it. Build it with [`FetchRequest::new`] and the chaining
/// setters; [`FetchRequest::plan`] works out what the browser will send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    /// The page's origin (`https://app.example.com`), a URL of the page (its origin is used), or
    /// `null` for an opaque origin (sandboxed iframe, `file:` page).
    pub origin: String,
    /// The URL the page fetches.
    pub url: String,
    /// The method as the page writes it (`fetch` normalizes only the six standard methods).
    pub method: String,
    /// The headers the page sets, in order. Values are byte strings: every character must be
    /// at most U+00FF (each counts as one byte), as in JavaScript's `Headers`.
    pub headers: Vec<(String, String)>,
    /// The credentials mode.
    pub credentials: Credentials,
    /// The request mode.
    pub mode: Mode,
}

impl FetchRequest {
    /// `fetch(url)` from a page of `origin`: `GET`, no headers, credentials `same-origin`,
    /// mode `cors`.
    pub fn new(origin: impl Into<String>, url: impl Into<String>) -> Self {
        FetchRequest {
            origin: origin.into(),
            url: url.into(),
            method: "GET".into(),
            headers: Vec::new(),
            credentials: Credentials::SameOrigin,
            mode: Mode::Cors,
        }
    }

    /// Sets the method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = method.into();
        self
    }

    /// Adds a header (`headers.append(name, value)`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the credentials mode.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = credentials;
        self
    }

    /// Sets the request mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Works out what the browser sends by the Fetch standard (as Chromium does), or the
    /// `TypeError` `fetch()` throws before sending anything.
    pub fn plan(&self) -> Result<Plan, RequestError> {
        self.plan_with(UnsafeHeaderRule::STANDARD)
    }

    /// [`FetchRequest::plan`] as `browser` makes it ([`Browser::unsafe_header_rule`]: Firefox
    /// may send no preflight, or another `Access-Control-Request-Headers`).
    pub fn plan_in(&self, browser: Browser) -> Result<Plan, RequestError> {
        self.plan_with(browser.unsafe_header_rule())
    }

    fn plan_with(&self, rule: UnsafeHeaderRule) -> Result<Plan, RequestError> {
        let origin = page_origin(&self.origin)?;
        let target = url::parse(&self.url).map_err(|why| {
            RequestError::new(
                RequestErrorKind::InvalidUrl,
                format!("`{}` is not a valid URL: it {why}", self.url),
            )
        })?;
        if target.has_credentials {
            return Err(RequestError::new(
                RequestErrorKind::UrlWithCredentials,
                format!(
                    "Request cannot be constructed from a URL that includes credentials: {}",
                    self.url
                ),
            ));
        }
        if target.scheme != "http" && target.scheme != "https" {
            return Err(RequestError::new(
                RequestErrorKind::UnsupportedScheme,
                format!(
                    "the URL scheme `{}` is not supported: CORS requests use http or https",
                    target.scheme
                ),
            ));
        }
        if !is_token(self.method.as_bytes()) {
            return Err(RequestError::new(
                RequestErrorKind::InvalidMethod,
                format!("'{}' is not a valid HTTP method.", self.method),
            ));
        }
        if is_forbidden_method(&self.method) {
            return Err(RequestError::new(
                RequestErrorKind::ForbiddenMethod,
                format!("'{}' HTTP method is unsupported.", self.method),
            ));
        }
        let method = String::from_utf8_lossy(normalize_method(self.method.as_bytes())).into_owned();
        let cross_origin = origin != target.origin;
        if self.mode == Mode::NoCors && !is_safelisted_method(&method) {
            return Err(RequestError::new(
                RequestErrorKind::NoCorsMethod,
                format!("'{method}' is unsupported in no-cors mode."),
            ));
        }
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        let mut dropped = Vec::new();
        for (name, value) in &self.headers {
            if !is_token(name.as_bytes()) {
                return Err(RequestError::new(
                    RequestErrorKind::InvalidHeaderName,
                    format!("'{name}' is not a valid HTTP header field name."),
                ));
            }
            let bytes = byte_string(value).ok_or_else(|| {
                RequestError::new(
                    RequestErrorKind::InvalidHeaderValue,
                    format!("the value of {name} contains a character above U+00FF"),
                )
            })?;
            let bytes = trim_http_whitespace(&bytes).to_vec();
            if bytes.iter().any(|&b| matches!(b, 0 | b'\n' | b'\r')) {
                return Err(RequestError::new(
                    RequestErrorKind::InvalidHeaderValue,
                    format!(
                        "'{}' is not a valid HTTP header field value.",
                        value.escape_debug()
                    ),
                ));
            }
            if is_forbidden_request_header(name) || is_method_override(name, &bytes) {
                push_unique(&mut dropped, name.to_ascii_lowercase());
                continue;
            }
            headers.push((name.clone(), bytes));
        }
        if self.mode == Mode::NoCors {
            headers.retain(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                let keep = matches!(
                    lower.as_str(),
                    "accept" | "accept-language" | "content-language" | "content-type"
                ) && safelisted(&lower, value).is_ok();
                if !keep {
                    push_unique(&mut dropped, lower);
                }
                keep
            });
        }
        // The safelist applies to each header-list entry (Fetch "CORS-unsafe request-header
        // names"); the entries of one name are sent combined with `, `.
        let unsafe_ = unsafe_names(&headers, rule);
        let (unsafe_headers, header_reasons) = (unsafe_.names, unsafe_.reasons);
        let mut combined: Vec<(String, Vec<u8>)> = Vec::new();
        for (name, value) in headers {
            match combined
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
            {
                Some((_, existing)) => {
                    existing.extend_from_slice(b", ");
                    existing.extend_from_slice(&value);
                }
                None => combined.push((name, value)),
            }
        }
        let mut reasons = Vec::new();
        if !is_safelisted_method(&method) {
            reasons.push(format!(
                "the method {method} is not CORS-safelisted (GET, HEAD, POST)"
            ));
        }
        reasons.extend(header_reasons);
        let preflight =
            (cross_origin && self.mode == Mode::Cors && !reasons.is_empty()).then(|| {
                PreflightRequest {
                    method: method.clone(),
                    request_headers: (!unsafe_.listed.is_empty()).then(|| {
                        let mut sorted = unsafe_.listed;
                        sorted.sort();
                        if !rule.repeats_names {
                            sorted.dedup();
                        }
                        sorted.join(",")
                    }),
                    reasons,
                }
            });
        Ok(Plan {
            origin,
            url: target.href,
            cross_origin,
            method,
            credentials: self.credentials,
            mode: self.mode,
            headers: combined
                .into_iter()
                .map(|(n, v)| (n, crate::latin1::decode(&v)))
                .collect(),
            dropped_headers: dropped,
            unsafe_headers: if cross_origin {
                unsafe_headers
            } else {
                Vec::new()
            },
            preflight,
        })
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The page's serialized origin: `null`, or the origin of the given origin or URL.
fn page_origin(s: &str) -> Result<String, RequestError> {
    let s = s.trim();
    if s == "null" {
        return Ok("null".into());
    }
    let invalid = |why: &str| {
        RequestError::new(
            RequestErrorKind::InvalidOrigin,
            format!("`{s}` is not a page origin: it {why}"),
        )
    };
    let u = url::parse(s).map_err(invalid)?;
    origin::parse(u.origin.as_bytes(), false).map_err(|d| invalid(d.describe()))?;
    Ok(u.origin)
}

/// The bytes of a JavaScript ByteString, or `None` when a character is above U+00FF.
fn byte_string(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

fn trim_http_whitespace(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t' | b'\n' | b'\r'] = s {
        s = rest;
    }
    s
}

/// Fetch "forbidden request-header": `X-HTTP-Method`, `X-HTTP-Method-Override` and
/// `X-Method-Override` naming a forbidden method.
fn is_method_override(name: &str, value: &[u8]) -> bool {
    let overrides = [
        "x-http-method",
        "x-http-method-override",
        "x-method-override",
    ];
    overrides.iter().any(|o| o.eq_ignore_ascii_case(name))
        && value
            .split(|&b| b == b',')
            .any(|m| std::str::from_utf8(trim_http_whitespace(m)).is_ok_and(is_forbidden_method))
}

/// GET, HEAD or POST (after normalization).
pub(crate) fn is_safelisted_method(m: &str) -> bool {
    matches!(m, "GET" | "HEAD" | "POST")
}

/// Fetch "CORS-unsafe request-header byte".
fn is_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09) || b"\"():<>?@[\\]{}\x7f".contains(&b)
}

/// Fetch "CORS-safelisted request-header": `Ok` when `(name, value)` is safelisted, otherwise
/// why not. `name` is lower case.
pub(crate) fn safelisted(name: &str, value: &[u8]) -> Result<(), String> {
    if value.len() > 128 {
        return Err(format!(
            "its value is {} bytes long (a safelisted value has at most 128)",
            value.len()
        ));
    }
    let shown = String::from_utf8_lossy(value);
    match name {
        "accept" => match value.iter().find(|&&b| is_unsafe_byte(b)) {
            Some(b) => Err(format!("its value contains the CORS-unsafe byte 0x{b:02X}")),
            None => Ok(()),
        },
        "accept-language" | "content-language" => {
            let ok = value
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b));
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "its value `{shown}` has bytes other than letters, digits, space and `*,-.;=`"
                ))
            }
        }
        "content-type" => {
            if let Some(b) = value.iter().find(|&&b| is_unsafe_byte(b)) {
                return Err(format!("its value contains the CORS-unsafe byte 0x{b:02X}"));
            }
            match mime_essence(value) {
                Some(e)
                    if matches!(
                        e.as_str(),
                        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                    ) =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "`{shown}` is not application/x-www-form-urlencoded, multipart/form-data or text/plain"
                )),
            }
        }
        "range" => match single_range(value) {
            Some((Some(_), _)) => Ok(()),
            _ => Err(format!(
                "`{shown}` is not a single range `bytes=N-` or `bytes=N-M`"
            )),
        },
        _ => Err("it is not a CORS-safelisted request header".into()),
    }
}

/// The essence (`type/subtype`, lower case) of a MIME type (WHATWG MIME Sniffing "parse a MIME
/// type"; parameters never make parsing fail).
fn mime_essence(value: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(trim_http_whitespace(value)).ok()?;
    let (ty, rest) = s.split_once('/')?;
    let subtype = rest.split(';').next().unwrap_or("");
    let subtype = subtype.trim_end_matches([' ', '\t', '\n', '\r']);
    let token = |t: &str| is_token(t.as_bytes());
    (token(ty) && token(subtype)).then(|| format!("{ty}/{subtype}").to_ascii_lowercase())
}

/// Fetch "parse a single range header value" without whitespace: `bytes=` then an optional
/// start, `-` and an optional end (not both absent; start <= end).
fn single_range(value: &[u8]) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.strip_prefix(b"bytes=")?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (start, end) = (&rest[..dash], &rest[dash + 1..]);
    let number = |d: &[u8]| -> Option<Option<u64>> {
        if d.is_empty() {
            return Some(None);
        }
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(d).ok()?.parse().ok().map(Some)
    };
    let (start, end) = (number(start)?, number(end)?);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        r => Some(r),
    }
}

/// A request's CORS-unsafe headers under one [`UnsafeHeaderRule`].
struct UnsafeNames {
    /// In Chromium's order: the unsafe names sorted, then (when the safelisted values exceed
    /// 1024 bytes together and the rule says so) the safelisted names sorted.
    names: Vec<String>,
    /// Why each is unsafe.
    reasons: Vec<String>,
    /// The names `Access-Control-Request-Headers` lists, once per unsafe value, unsorted.
    listed: Vec<String>,
}

/// Fetch "CORS-unsafe request-header names" under `rule`.
fn unsafe_names(headers: &[(String, Vec<u8>)], rule: UnsafeHeaderRule) -> UnsafeNames {
    let mut unsafe_: Vec<(String, String)> = Vec::new();
    let mut potentially: Vec<String> = Vec::new();
    let mut size = 0usize;
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        match safelisted(&lower, value) {
            Ok(()) => {
                size += value.len();
                potentially.push(lower);
            }
            Err(why) => unsafe_.push((lower, why)),
        }
    }
    let mut listed: Vec<String> = unsafe_.iter().map(|(n, _)| n.clone()).collect();
    unsafe_.sort();
    unsafe_.dedup_by(|a, b| a.0 == b.0);
    let mut reasons: Vec<String> = unsafe_
        .iter()
        .map(|(n, why)| format!("the request header {n} is not safelisted: {why}"))
        .collect();
    let mut names: Vec<String> = unsafe_.into_iter().map(|(n, _)| n).collect();
    if rule.total_limit && size > 1024 {
        listed.extend(potentially.iter().cloned());
        potentially.sort();
        potentially.dedup();
        potentially.retain(|n| !names.contains(n));
        reasons.push(format!(
            "the safelisted headers ({}) carry {size} bytes together, more than 1024",
            potentially.join(", ")
        ));
        names.extend(potentially);
    }
    UnsafeNames {
        names,
        reasons,
        listed,
    }
}

/// What the browser derived from a [`FetchRequest`]: the request it sends and whether a
/// preflight goes first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The page's serialized origin (the `Origin` request header).
    pub origin: String,
    /// The request URL as Chromium prints it.
    pub url: String,
    /// Whether the URL's origin differs from the page's (otherwise CORS does not apply).
    pub cross_origin: bool,
    /// The normalized method.
    pub method: String,
    /// The credentials mode.
    pub credentials: Credentials,
    /// The request mode.
    pub mode: Mode,
    /// The headers the browser sends for the page (same names combined with `, `), forbidden
    /// ones removed.
    pub headers: Vec<(String, String)>,
    /// Header names the page set but the browser silently drops (forbidden request headers, or
    /// non-safelisted ones in `no-cors` mode), lower case.
    pub dropped_headers: Vec<String>,
    /// The CORS-unsafe request-header names, lower case, in the order Chromium checks them.
    pub unsafe_headers: Vec<String>,
    /// The preflight the browser sends first, when one is needed.
    pub preflight: Option<PreflightRequest>,
}

impl Plan {
    /// Whether the request is sent with credentials cross-origin (credentials mode `include`).
    pub fn includes_credentials(&self) -> bool {
        self.credentials == Credentials::Include
    }

    /// The header lines of the actual request, as the browser sends them (`Origin` first when
    /// the request is cross-origin).
    pub fn request_headers(&self) -> Vec<(String, String)> {
        let mut out = Vec::with_capacity(self.headers.len() + 1);
        if self.cross_origin && self.mode == Mode::Cors {
            out.push(("Origin".to_string(), self.origin.clone()));
        }
        out.extend(self.headers.iter().cloned());
        out
    }
}

/// The preflight request the browser sends: `OPTIONS` with these headers, no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightRequest {
    /// The `Access-Control-Request-Method` value.
    pub method: String,
    /// The `Access-Control-Request-Headers` value (lower case, sorted, joined by `,`), when
    /// there are unsafe headers.
    pub request_headers: Option<String>,
    /// Why a preflight is needed, one line per reason.
    pub reasons: Vec<String>,
}

impl PreflightRequest {
    /// The header lines of the preflight request, as the browser sends them.
    pub fn header_lines(&self, origin: &str) -> Vec<(String, String)> {
        let mut out = vec![
            ("Accept".to_string(), "*/*".to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                self.method.clone(),
            ),
        ];
        if let Some(h) = &self.request_headers {
            out.push(("Access-Control-Request-Headers".to_string(), h.clone()));
        }
        out.push(("Origin".to_string(), origin.to_string()));
        out
    }
}

/// Why `fetch()` throws before sending anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestErrorKind {
    /// The page origin is neither `null` nor an origin (or URL).
    InvalidOrigin,
    /// The URL cannot be parsed.
    InvalidUrl,
    /// The URL is not `http` or `https`.
    UnsupportedScheme,
    /// The URL contains a user name or password.
    UrlWithCredentials,
    /// The method is not an HTTP token.
    InvalidMethod,
    /// CONNECT, TRACE or TRACK.
    ForbiddenMethod,
    /// A header name that is not an HTTP token.
    InvalidHeaderName,
    /// A header value with NUL, CR, LF or a character above U+00FF.
    InvalidHeaderValue,
    /// A method other than GET, HEAD or POST in `no-cors` mode.
    NoCorsMethod,
}

impl RequestErrorKind {
    /// A stable snake_case code, such as `forbidden_method`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestErrorKind::InvalidOrigin => "invalid_origin",
            RequestErrorKind::InvalidUrl => "invalid_url",
            RequestErrorKind::UnsupportedScheme => "unsupported_scheme",
            RequestErrorKind::UrlWithCredentials => "url_with_credentials",
            RequestErrorKind::InvalidMethod => "invalid_method",
            RequestErrorKind::ForbiddenMethod => "forbidden_method",
            RequestErrorKind::InvalidHeaderName => "invalid_header_name",
            RequestErrorKind::InvalidHeaderValue => "invalid_header_value",
            RequestErrorKind::NoCorsMethod => "no_cors_method",
        }
    }
}

/// A request `fetch()` refuses to send (it rejects with a `TypeError`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestError {
    /// What is wrong.
    pub kind: RequestErrorKind,
    /// A one-line explanation.
    pub message: String,
}

impl RequestError {
    fn new(kind: RequestErrorKind, message: String) -> Self {
        RequestError { kind, message }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fetch() throws a TypeError: {}", self.message)
    }
}

impl std::error::Error for RequestError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_mime_parser() {
        assert!(safelisted("content-type", b"Text/Plain; charset=utf-8").is_ok());
        assert!(safelisted("content-type", b"text/plain;").is_ok());
        assert!(safelisted("content-type", b"text /plain").is_err());
        assert!(safelisted("content-type", b"text/plain,").is_err());
        assert!(safelisted("content-type", b"application/json").is_err());
    }

    #[test]
    fn ranges_need_a_start() {
        assert!(safelisted("range", b"bytes=0-").is_ok());
        assert!(safelisted("range", b"bytes=5-10").is_ok());
        assert!(safelisted("range", b"bytes=-5").is_err());
        assert!(safelisted("range", b"bytes=10-5").is_err());
        assert!(safelisted("range", b"bytes=1-2,3-4").is_err());
    }

    #[test]
    fn acrh_is_sorted_lower_case_and_comma_joined() {
        let plan = FetchRequest::new("https://app.example", "https://api.example/x")
            .method("put")
            .header("X-B", "1")
            .header("Content-Type", "application/json")
            .header("x-a", "2")
            .plan()
            .unwrap();
        let pf = plan.preflight.unwrap();
        assert_eq!(pf.method, "PUT");
        assert_eq!(pf.request_headers.as_deref(), Some("content-type,x-a,x-b"));
    }

    /// Nine `Accept` values of 120 bytes: each safelisted, 1080 bytes together.
    fn over_1024_bytes() -> FetchRequest {
        let mut request = FetchRequest::new("https://app.example", "https://api.example/x");
        for _ in 0..9 {
            request = request.header("Accept", "a".repeat(120));
        }
        request
    }

    #[test]
    fn chromium_lists_safelisted_headers_over_1024_bytes_together() {
        let plan = over_1024_bytes().plan_in(Browser::Chromium).unwrap();
        assert_eq!(plan, over_1024_bytes().plan().unwrap());
        assert_eq!(plan.unsafe_headers, ["accept"]);
        let pf = plan.preflight.unwrap();
        assert_eq!(pf.request_headers.as_deref(), Some("accept"));
        assert!(pf.reasons[0].contains("1080 bytes together, more than 1024"));
        let put = over_1024_bytes().method("PUT").plan_in(Browser::Chromium);
        let put = put.unwrap().preflight.unwrap();
        assert_eq!(put.request_headers.as_deref(), Some("accept"));
    }

    #[test]
    fn firefox_has_no_limit_on_safelisted_bytes_together() {
        let plan = over_1024_bytes().plan_in(Browser::Firefox).unwrap();
        assert!(plan.unsafe_headers.is_empty());
        assert_eq!(plan.preflight, None);
        let with_unsafe = over_1024_bytes().header("X-Z", "1");
        let pf = with_unsafe
            .plan_in(Browser::Firefox)
            .unwrap()
            .preflight
            .unwrap();
        assert_eq!(pf.request_headers.as_deref(), Some("x-z"));
        let pf = with_unsafe
            .plan_in(Browser::Chromium)
            .unwrap()
            .preflight
            .unwrap();
        assert_eq!(pf.request_headers.as_deref(), Some("accept,x-z"));
        let put = over_1024_bytes().method("PUT").plan_in(Browser::Firefox);
        assert_eq!(put.unwrap().preflight.unwrap().request_headers, None);
    }

    #[test]
    fn firefox_names_a_header_once_per_unsafe_value() {
        let request = FetchRequest::new("https://app.example", "https://api.example/x")
            .header("X-A", "1")
            .header("Accept", "b")
            .header("x-a", "2");
        let acrh = |b| {
            request
                .plan_in(b)
                .unwrap()
                .preflight
                .unwrap()
                .request_headers
        };
        assert_eq!(acrh(Browser::Firefox).as_deref(), Some("x-a,x-a"));
        assert_eq!(acrh(Browser::Chromium).as_deref(), Some("x-a"));
        assert_eq!(
            request.plan_in(Browser::Firefox).unwrap().unsafe_headers,
            ["x-a"]
        );
    }
}
