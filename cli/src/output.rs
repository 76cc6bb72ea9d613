//! Rendering: a decision as text or JSON, and policy diagnostics for stderr.

use crate::style::Style;
use corsgate::browser::{Browser, CacheLifetime};
use corsgate::{ConfigErrors, Decision, Diagnostic, Kind};
use serde_json::{json, Value};
use std::fmt::Write;
use std::path::Path;

/// One evaluated request, with what the output needs to describe it.
pub struct Check<'c, 'a> {
    /// The request method, as sent.
    pub method: &'c str,
    /// The request path.
    pub path: &'c str,
    /// The request's header lines, in order (Origin first when given).
    pub lines: &'c [(&'c str, &'c str)],
    /// The URL shown in the browser's console message.
    pub url: &'c str,
    /// The Origin shown in the browser's console message (empty when absent).
    pub origin: &'c str,
    /// The answer.
    pub decision: &'c Decision<'a>,
    /// The browser whose console text the human output shows.
    pub browser: Browser,
}

impl Check<'_, '_> {
    /// How long each browser caches this allowed preflight, when they differ.
    fn cache_differences(&self) -> Option<(String, CacheLifetime)> {
        let d = self.decision;
        let max_age: Vec<&str> = d
            .headers()
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("access-control-max-age"))
            .map(|(_, v)| v.as_ref())
            .collect();
        if d.kind() != Kind::Preflight || !d.is_allowed() || max_age.is_empty() {
            return None;
        }
        let l = CacheLifetime::of_max_age(&max_age);
        let differ = l.chromium != l.firefox || l.firefox != l.webkit || l.standard != l.chromium;
        differ.then(|| (max_age.join(", "), l))
    }
}

/// Width of the label column of the human output.
const LABEL: usize = 9;

/// The decision as aligned `label  value` lines.
pub fn human(check: &Check<'_, '_>, style: Style) -> String {
    let d = check.decision;
    let mut out = String::new();
    let mut row = |label: &str, lines: &[String]| {
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            let pad = " ".repeat(LABEL.saturating_sub(label.len()));
            let _ = writeln!(out, "{}{pad}{line}", style.label(label));
        }
    };

    let mut request = vec![format!("{} {}", check.method, check.path)];
    request.extend(check.lines.iter().map(|(n, v)| format!("{n}: {v}")));
    row("request", &request);

    let gloss = match d.kind() {
        Kind::Preflight => "the browser asks before sending the real request",
        Kind::Actual => "a cross-origin request the application answers",
        Kind::NotCors => "no Origin header: CORS does not apply",
    };
    row(
        "kind",
        &[format!(
            "{} {}",
            d.kind().as_str(),
            style.dim(&format!("({gloss})"))
        )],
    );

    match d.reason() {
        None => row("verdict", &[style.good("allowed")]),
        Some(reason) => {
            row(
                "verdict",
                &[format!(
                    "{} ({})",
                    style.bad("denied"),
                    reason.code().as_str()
                )],
            );
            row("reason", &[reason.message().to_string()]);
            row(
                "browser",
                &reason.browser_messages(check.browser, check.url, check.origin, d.status()),
            );
        }
    }
    if let Some((max_age, l)) = check.cache_differences() {
        row(
            "browsers",
            &[format!(
                "Access-Control-Max-Age: {max_age}: Chromium caches the preflight {} s, Firefox {} s, Safari {} s {}",
                l.chromium,
                l.firefox,
                l.webkit,
                style.dim("(Safari from documented behaviour, not verified here)")
            )],
        );
    }

    let status = match d.status() {
        Some(status) => status.to_string(),
        None => "answered by the application".to_string(),
    };
    row("status", &[status]);

    let headers: Vec<String> = if d.headers().is_empty() {
        vec![style.dim("(none)")]
    } else {
        d.headers()
            .iter()
            .map(|(n, v)| format!("{n}: {v}"))
            .collect()
    };
    row("headers", &headers);

    let vary = d.vary().value();
    let vary = if vary.is_empty() {
        style.dim("(none)")
    } else {
        vary.to_string()
    };
    row("vary", &[vary]);
    out
}

/// The decision as one JSON object on one line: `kind`, `allowed`, `status`, `headers`
/// (`[[name, value], …]`), `vary` (`[name, …]`) and `reason` (`{code, value, message,
/// browser_message, browser_messages: {chromium, firefox, webkit}}` or `null`), in that
/// order, then `cache_seconds` (`{standard, chromium, firefox, webkit}`) for an allowed
/// preflight with `Access-Control-Max-Age`.
pub fn json(check: &Check<'_, '_>) -> String {
    let d = check.decision;
    let reason = match d.reason() {
        None => Value::Null.to_string(),
        Some(r) => object(&[
            ("code", json!(r.code().as_str()).to_string()),
            (
                "value",
                json!(String::from_utf8_lossy(r.value())).to_string(),
            ),
            ("message", json!(r.message().to_string()).to_string()),
            (
                "browser_message",
                json!(r.browser_message(check.url, check.origin)).to_string(),
            ),
            (
                "browser_messages",
                Value::Object(
                    Browser::ALL
                        .iter()
                        .map(|&b| {
                            let lines = r.browser_messages(b, check.url, check.origin, d.status());
                            (b.as_str().to_string(), json!(lines))
                        })
                        .collect(),
                )
                .to_string(),
            ),
        ]),
    };
    let mut fields = vec![
        ("kind", json!(d.kind().as_str()).to_string()),
        ("allowed", json!(d.is_allowed()).to_string()),
        ("status", json!(d.status()).to_string()),
        ("headers", json!(d.headers()).to_string()),
        ("vary", json!(d.vary().names()).to_string()),
        ("reason", reason),
    ];
    let cache = check.cache_differences().map(|(_, l)| {
        json!({"standard": l.standard, "chromium": l.chromium, "firefox": l.firefox, "webkit": l.webkit})
            .to_string()
    });
    if let Some(cache) = cache {
        fields.push(("cache_seconds", cache));
    }
    object(&fields) + "\n"
}

/// A JSON object from keys and already-serialized values, keeping the keys in the given
/// order (a `serde_json` map would sort them).
fn object(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}:{value}", json!(key)))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// Every error of an invalid policy (and its warnings), for stderr.
pub fn config_errors(file: &Path, errors: &ConfigErrors, style: Style) -> String {
    let n = errors.errors.len();
    let mut out = if errors.errors.iter().all(|e| e.code == "io_error") {
        String::new()
    } else {
        format!(
            "{} {} is not a valid policy ({n} problem{}):\n",
            style.bad("error:"),
            file.display(),
            if n == 1 { "" } else { "s" }
        )
    };
    for e in &errors.errors {
        if e.code == "io_error" {
            let _ = writeln!(out, "{} {}", style.bad("error:"), e.message);
        } else {
            out.push_str(&diagnostic("  ", e, style));
        }
    }
    out.push_str(&warnings(&errors.warnings, style));
    out
}

/// Lint warnings, for stderr.
pub fn warnings(warnings: &[Diagnostic], style: Style) -> String {
    warnings
        .iter()
        .map(|w| diagnostic(&format!("{} ", style.warn("warning:")), w, style))
        .collect()
}

/// `path: message [code]` and, on the next line, the hint.
fn diagnostic(prefix: &str, d: &Diagnostic, style: Style) -> String {
    let mut out = String::from(prefix);
    if !d.path.is_empty() {
        out.push_str(&style.label(&d.path));
        out.push_str(": ");
    }
    let _ = writeln!(out, "{} {}", d.message, style.dim(&format!("[{}]", d.code)));
    if let Some(hint) = &d.hint {
        let _ = writeln!(out, "      {} {hint}", style.dim("hint:"));
    }
    out
}
