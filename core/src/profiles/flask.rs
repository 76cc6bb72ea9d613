//! The `flask` profile: the answers of flask-cors 6.x (`flask_cors.core.get_cors_headers`).
//!
//! A drop-in for `flask_cors.CORS` and `@cross_origin` must add the same headers, with the
//! same values, in the same order. This module holds that behaviour; a binding runs only
//! what is Python's and Flask's: the `resources` path patterns, the hooks flask-cors installs
//! (`after_request`, the wrapped exception handlers, the decorator's `OPTIONS` answer) and
//! the regular expressions (Python `re`), which [`FlaskPolicy::evaluate`] asks it to match
//! through a callback, only for patterns whose answer it cannot know.
//!
//! flask-cors's rules, kept on purpose:
//! - a string with one of `*\]?$^[]()` is a regular expression (`*` alone is `.*`), matched
//!   case-insensitively with `re.match`, from the start only; other strings are compared with
//!   `str.casefold()`;
//! - the origin is reflected when it matches; `*` is sent only with `send_wildcard`, or with
//!   `always_send` to a request without `Origin`, which otherwise gets the first literal
//!   origin (sorted);
//! - for any `OPTIONS` request whose `Access-Control-Request-Method`, upper-cased, is a
//!   *substring* of the joined methods, `Access-Control-Allow-Headers` lists the requested
//!   names that match (sorted), with `Access-Control-Max-Age` and `Access-Control-Allow-Methods`;
//! - `Access-Control-Allow-Private-Network` answers `true` or `false` to
//!   `Access-Control-Request-Private-Network: true`;
//! - `Vary: Origin` is added only when the answer is not `*` and more than one origin (or a
//!   regular expression) could have matched.
//!
//! [`FlaskPolicy::warnings`] reports what is unsafe in these rules (every origin reflected by
//! default, unanchored and glob-looking patterns).

pub use super::pycompat::Answer;
use super::pycompat::{is_printable_ascii, py_casefold, py_strip, py_upper, regex_unanchored};
use crate::diagnostic::{ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::lint;
use crate::syntax::latin1;
use crate::syntax::origin;
use std::borrow::Cow;

/// `flask_cors.core.ALL_METHODS`, the default `methods`.
pub const ALL_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

/// The response header names, as flask-cors writes them.
pub mod names {
    /// `Access-Control-Allow-Origin`
    pub const ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
    /// `Access-Control-Expose-Headers`
    pub const EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
    /// `Access-Control-Allow-Credentials`
    pub const ALLOW_CREDENTIALS: &str = "Access-Control-Allow-Credentials";
    /// `Access-Control-Allow-Private-Network`
    pub const ALLOW_PRIVATE_NETWORK: &str = "Access-Control-Allow-Private-Network";
    /// `Access-Control-Allow-Headers`
    pub const ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
    /// `Access-Control-Max-Age`
    pub const MAX_AGE: &str = "Access-Control-Max-Age";
    /// `Access-Control-Allow-Methods`
    pub const ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
    /// `Vary`
    pub const VARY: &str = "Vary";
}

/// The characters that make flask-cors read a string as a regular expression.
const REGEX_HINT: &[u8] = b"*\\]?$^[]()";

/// One entry of `origins` or `allow_headers`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlaskPattern {
    /// A plain string, compared with `str.casefold()`.
    Literal(String),
    /// A string flask-cors reads as a regular expression (`*` already replaced by `.*`).
    RegexText(String),
    /// A compiled `re.Pattern` given by the user; the text is its `.pattern`, for linting.
    RegexObject(String),
}

impl FlaskPattern {
    /// How flask-cors reads a string given as a pattern (`re_fix`, then `probably_regex`).
    pub fn from_text(text: &str) -> FlaskPattern {
        let text = if text == "*" { ".*" } else { text };
        if text.bytes().any(|b| REGEX_HINT.contains(&b)) {
            FlaskPattern::RegexText(text.to_string())
        } else {
            FlaskPattern::Literal(text.to_string())
        }
    }

    /// Whether `re.match` of this pattern succeeds on every string (`.*` from a string).
    fn always_matches(&self) -> bool {
        matches!(self, FlaskPattern::RegexText(t) if t == ".*")
    }

    fn is_regex(&self) -> bool {
        !matches!(self, FlaskPattern::Literal(_))
    }
}

/// A string option that flask-cors accepts as one string or as a collection (joined sorted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlaskText {
    /// Sent as given.
    One(String),
    /// Sorted and joined with `, `.
    Many(Vec<String>),
}

impl FlaskText {
    fn joined(&self) -> String {
        match self {
            FlaskText::One(s) => s.clone(),
            FlaskText::Many(list) => {
                let mut sorted: Vec<&str> = list.iter().map(String::as_str).collect();
                sorted.sort_unstable();
                sorted.join(", ")
            }
        }
    }
}

/// The options of one flask-cors resource (defaults, app config, keyword arguments and the
/// resource's own options already merged by the binding).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlaskConfig {
    /// `origins`.
    pub origins: Vec<FlaskPattern>,
    /// `allow_headers`.
    pub allow_headers: Vec<FlaskPattern>,
    /// `methods` (`None`: no preflight headers at all).
    pub methods: Option<FlaskText>,
    /// `expose_headers`.
    pub expose_headers: Option<FlaskText>,
    /// `max_age`, as the text flask-cors sends (`None` or empty: not sent).
    pub max_age: Option<String>,
    /// `supports_credentials`.
    pub supports_credentials: bool,
    /// `send_wildcard`.
    pub send_wildcard: bool,
    /// `vary_header`.
    pub vary_header: bool,
    /// `always_send`.
    pub always_send: bool,
    /// `allow_private_network`.
    pub allow_private_network: bool,
    /// Whether `origins` was left at its default (`*`): warned about as flask-cors's unsafe default.
    pub origins_default: bool,
}

impl Default for FlaskConfig {
    fn default() -> Self {
        FlaskConfig {
            origins: vec![FlaskPattern::from_text("*")],
            allow_headers: vec![FlaskPattern::from_text("*")],
            methods: Some(FlaskText::Many(
                ALL_METHODS.iter().map(|m| m.to_string()).collect(),
            )),
            expose_headers: None,
            max_age: None,
            supports_credentials: false,
            send_wildcard: false,
            vary_header: true,
            always_send: true,
            allow_private_network: false,
            origins_default: true,
        }
    }
}

/// Which pattern list a regular expression belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternList {
    /// `origins`.
    Origins,
    /// `allow_headers`.
    AllowHeaders,
}

/// A compiled pattern list: case-folded literals, and the regexes the binding matches.
#[derive(Debug)]
struct Patterns {
    /// `str.casefold()` of each literal (`None`: outside Latin-1, equal to no header text).
    literals: Vec<Option<Vec<u8>>>,
    any: bool,
    /// Indices (into the configured list) of the regexes the binding must match.
    regexes: Vec<usize>,
    has_regex: bool,
    len: usize,
}

impl Patterns {
    fn new(list: &[FlaskPattern]) -> Patterns {
        let mut p = Patterns {
            literals: Vec::new(),
            any: false,
            regexes: Vec::new(),
            has_regex: false,
            len: list.len(),
        };
        for (i, pattern) in list.iter().enumerate() {
            match pattern {
                FlaskPattern::Literal(s) => p
                    .literals
                    .push(latin1::encode(s).map(|b| py_casefold(&b).into_owned())),
                _ if pattern.always_matches() => p.any = true,
                _ => p.regexes.push(i),
            }
            p.has_regex |= pattern.is_regex();
        }
        p
    }

    /// `try_match_any_pattern(value, patterns, caseSensitive=False)`.
    fn matches(
        &self,
        list: PatternList,
        value: &[u8],
        regex: &mut dyn FnMut(PatternList, usize, &[u8]) -> bool,
    ) -> bool {
        if self.any {
            return true;
        }
        if !self.literals.is_empty() {
            let folded = py_casefold(value);
            if self.literals.iter().flatten().any(|l| *l == *folded) {
                return true;
            }
        }
        self.regexes.iter().any(|&i| regex(list, i, value))
    }
}

/// A compiled flask-cors resource configuration. Immutable, `Send + Sync`.
#[derive(Debug)]
pub struct FlaskPolicy {
    origins: Patterns,
    wildcard: bool,
    /// The literal origins, sorted: the first is sent to a request without `Origin`.
    first_literal: Option<Box<str>>,
    literal_count: usize,
    headers: Patterns,
    methods: Option<Box<str>>,
    expose: Option<Box<str>>,
    max_age: Option<Box<str>>,
    credentials: bool,
    send_wildcard: bool,
    vary: bool,
    always_send: bool,
    private_network: bool,
    warnings: Vec<Diagnostic>,
}

/// Lints one configured origin pattern.
fn lint_origin(path: String, pattern: &FlaskPattern, d: &mut Diagnostics) {
    match pattern {
        FlaskPattern::Literal(o) => {
            if let Err(defect) = origin::parse(o.as_bytes(), false) {
                if o != "null" {
                    let mut diag = Diagnostic::new(
                        path,
                        DiagnosticCode::OriginNeverMatches,
                        format!(
                            "`{}` {}: browsers never send it, so it allows nothing",
                            o.escape_debug(),
                            defect.describe()
                        ),
                    );
                    if let Some(h) = crate::lint::defect_hint(o, defect) {
                        diag = diag.hint(h);
                    }
                    d.warn(diag);
                }
            }
        }
        _ if pattern.always_matches() => {}
        FlaskPattern::RegexText(re) | FlaskPattern::RegexObject(re) => {
            if matches!(pattern, FlaskPattern::RegexText(_)) && re.contains("*.") {
                d.warn(
                    Diagnostic::new(
                        path.clone(),
                        DiagnosticCode::OriginGlobIsRegex,
                        format!(
                            "`{re}` is read as a regular expression, not a wildcard: `*` repeats the \
                             character before it and `.` matches any character, so it does not \
                             allow subdomains but does allow look-alike hosts"
                        ),
                    )
                    .hint(format!(
                        "for subdomains write r\"{}$\"",
                        re.replace("*.", "[a-z0-9-]+\\.").replace("\\\\", "\\")
                    )),
                );
                return;
            }
            if let Some(w) = regex_unanchored(path.clone(), re) {
                d.warn(w);
            }
            if let Some(w) = lint::unescaped_dot(path, re, &format!("`{re}`")) {
                d.warn(w);
            }
        }
    }
}

impl FlaskPolicy {
    /// Compiles one resource's options; the error of flask-cors (`*` with credentials and
    /// `send_wildcard`) and values that cannot be sent in a header are errors.
    pub fn compile(c: &FlaskConfig) -> Result<FlaskPolicy, ConfigErrors> {
        let mut d = Diagnostics::default();
        let wildcard = c.origins.iter().any(FlaskPattern::always_matches);
        if wildcard && c.supports_credentials && c.send_wildcard {
            d.error(
                Diagnostic::new(
                    "supports_credentials",
                    DiagnosticCode::SendWildcardWithCredentials,
                    "Cannot use supports_credentials in conjunction with an origin string of '*' \
                     and send_wildcard",
                )
                .hint("list the origins that may send credentials"),
            );
        }
        let texts = [
            ("methods", c.methods.as_ref().map(FlaskText::joined)),
            (
                "expose_headers",
                c.expose_headers.as_ref().map(FlaskText::joined),
            ),
            ("max_age", c.max_age.clone()),
        ];
        for (key, text) in &texts {
            if let Some(t) = text.as_deref().filter(|t| !is_printable_ascii(t)) {
                d.error(
                    Diagnostic::new(
                        *key,
                        DiagnosticCode::ValueNotAscii,
                        format!("`{}` cannot be sent in an HTTP header", t.escape_debug()),
                    )
                    .hint("use printable ASCII only"),
                );
            }
        }
        for (i, o) in c.origins.iter().enumerate() {
            lint_origin(format!("origins[{i}]"), o, &mut d);
        }
        if wildcard && !c.send_wildcard {
            let found = if c.supports_credentials {
                Some((
                    DiagnosticCode::WildcardOriginWithCredentials,
                    "origins='*' with supports_credentials reflects every origin with credentials: \
                     any website can read responses made with the user's cookies",
                ))
            } else if c.origins_default {
                Some((
                    DiagnosticCode::DefaultOriginsAny,
                    "origins defaults to '*': every website may read every response of these \
                     routes (flask-cors reflects any Origin)",
                ))
            } else {
                None
            };
            if let Some((code, message)) = found {
                d.warn(
                    Diagnostic::new("origins", code, message)
                        .hint("pass origins=[...] with the sites that use this API"),
                );
            }
        }
        if c.allow_private_network {
            d.warn(lint::private_network_enabled("allow_private_network"));
        }
        if !d.errors.is_empty() {
            return Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            });
        }
        let mut literals: Vec<&str> = c
            .origins
            .iter()
            .filter_map(|o| match o {
                FlaskPattern::Literal(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        literals.sort_unstable();
        let [methods, expose, max_age] = texts.map(|(_, t)| t.filter(|t| !t.is_empty()));
        Ok(FlaskPolicy {
            origins: Patterns::new(&c.origins),
            wildcard,
            first_literal: literals.first().map(|s| Box::from(*s)),
            literal_count: literals.len(),
            headers: Patterns::new(&c.allow_headers),
            methods: methods.map(|m| m.to_ascii_uppercase().into_boxed_str()),
            expose: expose.map(String::into_boxed_str),
            max_age: max_age.map(String::into_boxed_str),
            credentials: c.supports_credentials,
            send_wildcard: c.send_wildcard,
            vary: c.vary_header,
            always_send: c.always_send,
            private_network: c.allow_private_network,
            warnings: d.warnings,
        })
    }

    /// Risky options: they behave as in flask-cors.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The headers flask-cors adds to a response (`get_cors_headers`), in its order.
    ///
    /// `method` is Flask's `request.method`; the header arguments are the request's
    /// `Origin`, `Access-Control-Request-Method`, `Access-Control-Request-Headers` and
    /// `Access-Control-Request-Private-Network`. `regex(list, index, value)` must say whether
    /// the regular expression at `index` of that list `re.match`es `value` (Latin-1 text).
    pub fn evaluate<'a>(
        &'a self,
        method: &[u8],
        origin: Option<&'a [u8]>,
        request_method: Option<&[u8]>,
        request_headers: Option<&[u8]>,
        private_network: Option<&[u8]>,
        regex: &mut dyn FnMut(PatternList, usize, &[u8]) -> bool,
    ) -> Answer<'a> {
        let mut answer = Answer::default();
        // get_cors_origins: what Access-Control-Allow-Origin says, and how many it lists.
        let (allow_origin, count): (&'a [u8], usize) = match origin.filter(|o| !o.is_empty()) {
            Some(_) if self.wildcard && self.send_wildcard => (b"*", 1),
            Some(o) if self.origins.matches(PatternList::Origins, o, regex) => (o, 1),
            Some(_) => return answer,
            None if !self.always_send => return answer,
            None if self.wildcard => {
                if self.credentials {
                    return answer;
                }
                (b"*", 1)
            }
            None => match &self.first_literal {
                Some(first) => (first.as_bytes(), self.literal_count),
                None => return answer,
            },
        };
        answer.push(names::ALLOW_ORIGIN, allow_origin);
        if let Some(v) = &self.expose {
            answer.push(names::EXPOSE_HEADERS, v.as_bytes());
        }
        if self.credentials {
            answer.push(names::ALLOW_CREDENTIALS, b"true".as_slice());
        }
        if private_network == Some(b"true") {
            let value: &[u8] = if self.private_network {
                b"true"
            } else {
                b"false"
            };
            answer.push(names::ALLOW_PRIVATE_NETWORK, value);
        }
        if method == b"OPTIONS" {
            let asked = py_upper(request_method.unwrap_or(b""));
            if let Some(methods) = self
                .methods
                .as_deref()
                .filter(|m| !asked.is_empty() && contains(m.as_bytes(), &asked))
            {
                if let Some(v) = request_headers
                    .filter(|h| !h.is_empty())
                    .map(|h| self.allow_headers(h, regex))
                    .filter(|v| !v.is_empty())
                {
                    answer.push(names::ALLOW_HEADERS, v);
                }
                if let Some(v) = &self.max_age {
                    answer.push(names::MAX_AGE, v.as_bytes());
                }
                answer.push(names::ALLOW_METHODS, methods.as_bytes());
            }
        }
        if self.vary
            && allow_origin != b"*"
            && (self.origins.len > 1 || count > 1 || self.origins.has_regex)
        {
            answer.push(names::VARY, b"Origin".as_slice());
        }
        answer
    }

    /// `get_allow_headers`: the requested names that match, stripped, sorted, joined.
    fn allow_headers(
        &self,
        requested: &[u8],
        regex: &mut dyn FnMut(PatternList, usize, &[u8]) -> bool,
    ) -> Cow<'static, [u8]> {
        let mut matching: Vec<&[u8]> = requested
            .split(|&b| b == b',')
            .map(py_strip)
            .filter(|name| self.headers.matches(PatternList::AllowHeaders, name, regex))
            .collect();
        matching.sort_unstable();
        Cow::Owned(matching.join(b", ".as_slice()))
    }
}

/// The order in which flask-cors tries the keys of a `resources` dict: literal paths first,
/// then compiled patterns, then regex-like strings; within each, more `/` first, then longer
/// first; ties keep their order. Each key is its text and whether it is a compiled pattern
/// (`*` already replaced by `.*`).
pub fn resource_order(keys: &[(&str, bool)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| {
        let (text, compiled) = keys.get(i).copied().unwrap_or(("", false));
        let regex_like = text.bytes().any(|b| REGEX_HINT.contains(&b));
        let group = match (compiled, regex_like) {
            (true, _) => (1, 0),
            (false, true) => (1, 1),
            (false, false) => (0, 0),
        };
        (
            group,
            std::cmp::Reverse(text.matches('/').count()),
            std::cmp::Reverse(text.chars().count()),
        )
    });
    order
}

/// Python's `needle in haystack` for strings.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_regex(_: PatternList, _: usize, _: &[u8]) -> bool {
        panic!("no regular expression to match")
    }

    #[test]
    fn resources_are_ordered_literal_first_then_by_specificity() {
        let keys = [
            ("/api/.*", false),
            ("/api/v1/users", false),
            ("/api/v1/.*", false),
            ("/x", false),
            ("^/y", true),
        ];
        assert_eq!(resource_order(&keys), [1, 3, 4, 2, 0]);
    }

    #[test]
    fn strings_are_read_as_flask_cors_reads_them() {
        assert_eq!(
            FlaskPattern::from_text("*"),
            FlaskPattern::RegexText(".*".into())
        );
        assert!(matches!(
            FlaskPattern::from_text("https://*.example.com"),
            FlaskPattern::RegexText(_)
        ));
        assert!(matches!(
            FlaskPattern::from_text("https://a.example"),
            FlaskPattern::Literal(_)
        ));
    }

    #[test]
    fn default_preflight_reflects_origin_and_headers() {
        let p = FlaskPolicy::compile(&FlaskConfig::default()).unwrap();
        assert_eq!(p.warnings()[0].code, "default_origins_any");
        let a = p.evaluate(
            b"OPTIONS",
            Some(b"https://a.example"),
            Some(b"put"),
            Some(b"X-B, x-a"),
            None,
            &mut no_regex,
        );
        let got: Vec<(&str, String)> = a
            .headers()
            .iter()
            .map(|(n, v)| (*n, String::from_utf8_lossy(v).into_owned()))
            .collect();
        assert_eq!(
            got,
            [
                ("Access-Control-Allow-Origin", "https://a.example".into()),
                ("Access-Control-Allow-Headers", "X-B, x-a".into()),
                (
                    "Access-Control-Allow-Methods",
                    "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT".into()
                ),
                ("Vary", "Origin".into()),
            ]
        );
    }

    #[test]
    fn method_is_a_substring_test_and_literals_casefold() {
        let p = FlaskPolicy::compile(&FlaskConfig {
            origins: vec![FlaskPattern::from_text("https://A.example")],
            origins_default: false,
            ..Default::default()
        })
        .unwrap();
        let a = p.evaluate(
            b"OPTIONS",
            Some(b"https://a.EXAMPLE"),
            Some(b"T, H"),
            None,
            None,
            &mut no_regex,
        );
        let names: Vec<_> = a.headers().iter().map(|h| h.0).collect();
        assert_eq!(
            names,
            [
                "Access-Control-Allow-Origin",
                "Access-Control-Allow-Methods"
            ]
        );
        // One literal origin: no Vary; no Origin: the literal, with always_send.
        let none = p.evaluate(b"GET", None, None, None, None, &mut no_regex);
        assert_eq!(none.headers()[0].1.as_ref(), b"https://A.example");
        assert_eq!(none.headers().len(), 1);
    }
}
