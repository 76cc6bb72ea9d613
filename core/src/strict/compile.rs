//! Compiling one policy (the top level or a route) into [`Rules`]: validation, lint
//! warnings and every request-independent header value.

use super::acrh_lines::BrowserLines;
use super::config::PolicyConfig;
use super::matcher::OriginMatcher;
use super::names::NameSet;
use super::Rules;
use crate::diagnostic::{join, Diagnostic, DiagnosticCode, Diagnostics};
use crate::lint;
use crate::syntax::token::{
    is_forbidden_method, is_forbidden_request_header, is_forbidden_response_header, is_token,
    normalize_method,
};

impl Rules {
    pub(super) fn compile(c: &PolicyConfig, prefix: &str, d: &mut Diagnostics) -> Rules {
        let at = |key: &str| join(prefix, key);
        let star = c.origins.iter().position(|o| o == "*");
        if let Some(i) = star {
            let path = at(&format!("origins[{i}]"));
            if c.credentials {
                d.error(
                    Diagnostic::new(
                        path.clone(),
                        DiagnosticCode::WildcardOriginWithCredentials,
                        "`*` cannot be used with credentials: browsers reject the answer",
                    )
                    .hint("list the origins that may send credentials"),
                );
            }
            if c.origins.iter().any(|o| o != "*") {
                d.error(
                    Diagnostic::new(
                        path,
                        DiagnosticCode::WildcardOriginMixed,
                        "`*` allows every origin, so listing others is a mistake",
                    )
                    .hint("remove `*`, or keep it alone"),
                );
            }
        }
        let origins = OriginMatcher::compile(
            &c.origins,
            &c.origin_regexes,
            c.credentials,
            c.allow_insecure_origins,
            prefix,
            d,
        );
        let (any_method, methods) = compile_methods(&c.methods, &at("methods"), d);
        let (any_header, headers, allow_headers_value, browser_lines) =
            compile_request_headers(c, &at("request_headers"), d);
        let expose_value = compile_expose(c, &at("expose_headers"), d);
        if c.allow_null_origin {
            d.warn(lint::null_origin_allowed(at("allow_null_origin")));
        }
        if c.private_network {
            d.warn(lint::private_network_enabled(at("private_network")));
        }
        let max_age = match c.max_age {
            Some(n) if !(0..=86400).contains(&n) => {
                d.error(
                    Diagnostic::new(
                        at("max_age"),
                        DiagnosticCode::MaxAgeOutOfRange,
                        format!("max_age {} is outside 0..=86400", shown_integer(n)),
                    )
                    .hint("browsers cap it anyway (Chromium 7200 s); 600 is common"),
                );
                None
            }
            Some(n) => {
                if n > 7200 {
                    d.warn(
                        Diagnostic::new(
                            at("max_age"),
                            DiagnosticCode::MaxAgeAboveBrowserCap,
                            format!(
                                "max_age {n} is above the preflight cache cap of {}: those browsers ask again sooner",
                                crate::browser::capping_max_age(n.unsigned_abs())
                            ),
                        )
                        .hint("use 7200 or less"),
                    );
                }
                Some(n.to_string().into_boxed_str())
            }
            None => None,
        };
        let preflight_status = match u16::try_from(c.preflight_status) {
            Ok(s) if (200..=299).contains(&s) => s,
            _ => {
                d.error(
                    Diagnostic::new(
                        at("preflight_status"),
                        DiagnosticCode::PreflightStatusOutOfRange,
                        format!(
                            "preflight_status {} is not an ok status (200..=299)",
                            shown_integer(c.preflight_status)
                        ),
                    )
                    .hint("browsers fail preflights without an ok status; use 204 or 200"),
                );
                204
            }
        };
        Rules {
            any_origin: star.is_some(),
            origins,
            allow_null: c.allow_null_origin,
            any_method,
            methods,
            any_header,
            allow_authorization: headers.contains(b"authorization"),
            headers,
            browser_lines,
            allow_headers_value,
            expose_value,
            credentials: c.credentials,
            max_age,
            private_network: c.private_network,
            preflight_status,
            preflight_continue: c.preflight_continue,
            route: Box::default(),
        }
    }

    pub(super) fn allows_no_origin(&self) -> bool {
        !self.any_origin && !self.allow_null && self.origins.is_empty()
    }
}

/// An integer key's value for a message: a saturated value (the number was beyond `i64`)
/// says so instead of showing the bound as if it had been written.
fn shown_integer(n: i64) -> String {
    match n {
        i64::MAX => format!("{n} or more"),
        i64::MIN => format!("{n} or less"),
        n => n.to_string(),
    }
}

fn compile_methods(list: &[String], path: &str, d: &mut Diagnostics) -> (bool, Vec<Box<str>>) {
    let mut any = false;
    let mut out: Vec<Box<str>> = Vec::new();
    for (i, m) in list.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if m == "*" {
            any = true;
        } else if !is_token(m.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                DiagnosticCode::MethodInvalid,
                format!("`{m}` is not an HTTP method token"),
            ));
        } else if is_forbidden_method(m) {
            d.error(
                Diagnostic::new(
                    p,
                    DiagnosticCode::MethodForbidden,
                    format!("`{m}` is a forbidden method: browsers never send it"),
                )
                .hint("remove it"),
            );
        } else {
            let norm = String::from_utf8_lossy(normalize_method(m.as_bytes())).into_owned();
            if out.iter().any(|o| **o == norm) {
                d.warn(Diagnostic::new(
                    p,
                    DiagnosticCode::DuplicateEntry,
                    format!("`{m}` is listed twice"),
                ));
                continue;
            }
            if norm.bytes().any(|b| b.is_ascii_lowercase()) {
                d.warn(
                    Diagnostic::new(
                        p,
                        DiagnosticCode::MethodNotUppercase,
                        format!("browsers send `{m}` exactly as the page wrote it: only `fetch(…, {{method: '{m}'}})` matches"),
                    )
                    .hint(format!("write `{}`", m.to_ascii_uppercase())),
                );
            }
            out.push(norm.into());
        }
    }
    (any, out)
}

fn compile_request_headers(
    c: &PolicyConfig,
    path: &str,
    d: &mut Diagnostics,
) -> (bool, NameSet, Option<Box<str>>, BrowserLines) {
    let mut any = false;
    let mut set = NameSet::default();
    let mut ordered: Vec<String> = Vec::new();
    for (i, name) in c.request_headers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if name == "*" {
            any = true;
        } else if !is_token(name.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                DiagnosticCode::RequestHeaderInvalid,
                format!("`{name}` is not an HTTP header name"),
            ));
        } else if is_forbidden_request_header(name) {
            d.error(
                Diagnostic::new(
                    p,
                    DiagnosticCode::RequestHeaderForbidden,
                    format!("`{name}` is a forbidden request header: pages cannot set it"),
                )
                .hint("remove it"),
            );
        } else if !set.insert(name) {
            d.warn(Diagnostic::new(
                p,
                DiagnosticCode::DuplicateEntry,
                format!("`{name}` is listed twice"),
            ));
        } else {
            ordered.push(name.to_ascii_lowercase());
        }
    }
    let value = match (any, c.credentials) {
        (true, true) => None,
        (true, false) if set.contains(b"authorization") => Some("*, authorization".into()),
        (true, false) => Some("*".into()),
        (false, _) => Some(ordered.join(", ").into()),
    };
    // With `*`, any name is allowed: no finite list of lines.
    let lines = match any {
        true => BrowserLines::default(),
        false => BrowserLines::new(&ordered),
    };
    (any, set, value, lines)
}

fn compile_expose(c: &PolicyConfig, path: &str, d: &mut Diagnostics) -> Option<Box<str>> {
    let mut seen = NameSet::default();
    let mut ordered: Vec<String> = Vec::new();
    for (i, name) in c.expose_headers.iter().enumerate() {
        let p = format!("{path}[{i}]");
        if name == "*" && c.credentials {
            d.error(
                Diagnostic::new(
                    p,
                    DiagnosticCode::WildcardExposeWithCredentials,
                    "`*` in expose_headers is the literal name `*` under credentials, exposing nothing",
                )
                .hint("list the header names to expose"),
            );
        } else if !is_token(name.as_bytes()) {
            d.error(Diagnostic::new(
                p,
                DiagnosticCode::ExposeHeaderInvalid,
                format!("`{name}` is not an HTTP header name"),
            ));
        } else if is_forbidden_response_header(name) {
            d.error(
                Diagnostic::new(
                    p,
                    DiagnosticCode::ExposeHeaderForbidden,
                    format!("`{name}` can never be read by JavaScript"),
                )
                .hint("remove it"),
            );
        } else if !seen.insert(name) {
            d.warn(Diagnostic::new(
                p,
                DiagnosticCode::DuplicateEntry,
                format!("`{name}` is listed twice"),
            ));
        } else {
            ordered.push(name.to_ascii_lowercase());
        }
    }
    (!ordered.is_empty()).then(|| ordered.join(", ").into())
}
