//! What a user writes: the policy keys, read from JSON, TOML or built in Rust.

use crate::diagnostic::{closest, join, ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::observe::Mode;
use serde_json::{Map, Value};

/// A policy as written by its author, before validation. Build it in Rust (it implements
/// `Default`) or read it from JSON or TOML; `Policy::compile` validates it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyConfig {
    /// Exact origins, `scheme://*.suffix` and `scheme://host:*` patterns, or `["*"]`.
    pub origins: Vec<String>,
    /// Regular expressions matched against the whole origin.
    pub origin_regexes: Vec<String>,
    /// Whether the `null` origin is allowed.
    pub allow_null_origin: bool,
    /// Methods allowed in preflights besides GET, HEAD and POST; `["*"]` for any.
    pub methods: Vec<String>,
    /// Request header names allowed in preflights; `["*"]` for any but `authorization`.
    pub request_headers: Vec<String>,
    /// Response headers exposed to JavaScript.
    pub expose_headers: Vec<String>,
    /// Whether to send `Access-Control-Allow-Credentials: true`.
    pub credentials: bool,
    /// `Access-Control-Max-Age` for preflights (0..=86400), or none.
    pub max_age: Option<i64>,
    /// Whether to answer legacy Private Network Access preflights.
    pub private_network: bool,
    /// Status of an allowed preflight (200..=299).
    pub preflight_status: i64,
    /// Hand preflights to the application instead of answering them.
    pub preflight_continue: bool,
    /// Permit non-`https`, non-loopback origins together with credentials.
    pub allow_insecure_origins: bool,
    /// Per-path policies; the first whose path matches answers.
    pub routes: Vec<RouteConfig>,
    /// `enforce` (the default) or `report-only` (top level only): how bindings deploy it.
    pub mode: Mode,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            origins: Vec::new(),
            origin_regexes: Vec::new(),
            allow_null_origin: false,
            methods: Vec::new(),
            request_headers: Vec::new(),
            expose_headers: Vec::new(),
            credentials: false,
            max_age: None,
            private_network: false,
            preflight_status: 204,
            preflight_continue: false,
            allow_insecure_origins: false,
            routes: Vec::new(),
            mode: Mode::Enforce,
        }
    }
}

/// A policy that applies to the request paths matching `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfig {
    /// `/exact/path` or `/prefix/*`.
    pub path: String,
    /// The policy for those paths; it inherits nothing from the top level.
    pub policy: PolicyConfig,
}

/// Every key of the policy file, for "did you mean" hints.
const KEYS: [&str; 15] = [
    "origins",
    "origin_regexes",
    "allow_null_origin",
    "methods",
    "request_headers",
    "expose_headers",
    "credentials",
    "max_age",
    "private_network",
    "preflight_status",
    "preflight_continue",
    "allow_insecure_origins",
    "routes",
    "path",
    "mode",
];

/// The format of a policy buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl Format {
    /// The format a file name's extension names (`.json`, `.toml`), if any.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }
}

impl PolicyConfig {
    /// Reads a policy from JSON or TOML text, reporting every unknown key and wrong type.
    pub fn parse(text: &str, format: Format) -> Result<PolicyConfig, ConfigErrors> {
        let mut diags = Diagnostics::default();
        let config = Self::read(text, format, &mut diags);
        if diags.errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors {
                errors: diags.errors,
                warnings: Vec::new(),
            })
        }
    }

    /// Reads what can be read, collecting problems into `diags`.
    pub(crate) fn read(text: &str, format: Format, diags: &mut Diagnostics) -> PolicyConfig {
        let value = match format {
            Format::Json => serde_json::from_str::<Value>(text).map_err(|e| e.to_string()),
            Format::Toml => toml::from_str::<toml::Value>(text)
                .map_err(|e| e.message().to_string() + &toml_location(text, e.span()))
                .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string())),
        };
        match value {
            Ok(Value::Object(map)) => read_policy(&map, "", false, diags),
            Ok(_) => {
                diags.error(Diagnostic::new(
                    "",
                    DiagnosticCode::InvalidType,
                    "a policy must be a table/object of keys",
                ));
                PolicyConfig::default()
            }
            Err(msg) => {
                let what = if format == Format::Json {
                    "JSON"
                } else {
                    "TOML"
                };
                diags.error(Diagnostic::new(
                    "",
                    DiagnosticCode::ParseError,
                    format!("not valid {what}: {msg}"),
                ));
                PolicyConfig::default()
            }
        }
    }
}

fn toml_location(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    let Some(span) = span else {
        return String::new();
    };
    let before = &text[..span.start.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!(" at line {line}, column {col}")
}

fn read_policy(
    map: &Map<String, Value>,
    prefix: &str,
    in_route: bool,
    d: &mut Diagnostics,
) -> PolicyConfig {
    let mut c = PolicyConfig::default();
    for (key, value) in map {
        let path = join(prefix, key);
        match key.as_str() {
            "origins" => c.origins = strings(value, &path, d),
            "origin_regexes" => c.origin_regexes = strings(value, &path, d),
            "allow_null_origin" => c.allow_null_origin = boolean(value, &path, d),
            "methods" => c.methods = strings(value, &path, d),
            "request_headers" => c.request_headers = strings(value, &path, d),
            "expose_headers" => c.expose_headers = strings(value, &path, d),
            "credentials" => c.credentials = boolean(value, &path, d),
            "max_age" => c.max_age = integer(value, &path, d),
            "private_network" => c.private_network = boolean(value, &path, d),
            "preflight_status" => c.preflight_status = integer(value, &path, d).unwrap_or(204),
            "preflight_continue" => c.preflight_continue = boolean(value, &path, d),
            "allow_insecure_origins" => c.allow_insecure_origins = boolean(value, &path, d),
            "routes" if in_route => d.error(
                Diagnostic::new(
                    path,
                    DiagnosticCode::RouteNested,
                    "routes cannot contain routes",
                )
                .hint("list every route at the top level; the first match wins"),
            ),
            "routes" => c.routes = routes(value, &path, d),
            "path" if in_route => {} // read by `routes`
            "mode" if in_route => d.error(
                Diagnostic::new(
                    path,
                    DiagnosticCode::ModeInvalid,
                    "`mode` applies to the whole policy, not to a route",
                )
                .hint("set `mode` at the top level, or deploy a second policy in report-only mode"),
            ),
            "mode" => c.mode = mode(value, &path, d),
            _ => {
                let known = KEYS.iter().copied().filter(|k| in_route || *k != "path");
                let mut diag = Diagnostic::new(
                    path,
                    DiagnosticCode::UnknownKey,
                    format!("unknown key `{key}`"),
                );
                if let Some(near) = closest(key, known) {
                    diag = diag.hint(format!("did you mean `{near}`?"));
                }
                d.error(diag);
            }
        }
    }
    c
}

fn routes(value: &Value, path: &str, d: &mut Diagnostics) -> Vec<RouteConfig> {
    let Value::Array(items) = value else {
        d.error(type_error(path, "an array of route tables"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let route_path = format!("{path}[{i}]");
        let Value::Object(map) = item else {
            d.error(type_error(
                &route_path,
                "a table with `path` and policy keys",
            ));
            continue;
        };
        let path_value = match map.get("path") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                d.error(type_error(&join(&route_path, "path"), "a string"));
                continue;
            }
            None => {
                d.error(
                    Diagnostic::new(
                        route_path,
                        DiagnosticCode::RoutePathMissing,
                        "this route has no `path`",
                    )
                    .hint("add `path = \"/api/*\"` (or an exact path)"),
                );
                continue;
            }
        };
        let policy = read_policy(map, &route_path, true, d);
        out.push(RouteConfig {
            path: path_value,
            policy,
        });
    }
    out
}

fn type_error(path: &str, expected: &str) -> Diagnostic {
    Diagnostic::new(
        path,
        DiagnosticCode::InvalidType,
        format!("expected {expected}"),
    )
}

fn strings(value: &Value, path: &str, d: &mut Diagnostics) -> Vec<String> {
    let Value::Array(items) = value else {
        d.error(type_error(path, "an array of strings").hint(match value {
            Value::String(s) => format!("write [\"{s}\"]"),
            _ => "write [\"…\", \"…\"]".to_string(),
        }));
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            _ => d.error(type_error(&format!("{path}[{i}]"), "a string")),
        }
    }
    out
}

fn mode(value: &Value, path: &str, d: &mut Diagnostics) -> Mode {
    match value.as_str() {
        Some("enforce") => Mode::Enforce,
        Some("report-only") => Mode::ReportOnly,
        _ => {
            let mut diag = Diagnostic::new(
                path,
                DiagnosticCode::ModeInvalid,
                format!("mode {value} is not \"enforce\" or \"report-only\""),
            );
            if let Some(near) = value
                .as_str()
                .and_then(|s| closest(s, ["enforce", "report-only"]))
            {
                diag = diag.hint(format!("did you mean \"{near}\"?"));
            }
            d.error(diag);
            Mode::Enforce
        }
    }
}

fn boolean(value: &Value, path: &str, d: &mut Diagnostics) -> bool {
    match value {
        Value::Bool(b) => *b,
        _ => {
            d.error(type_error(path, "true or false"));
            false
        }
    }
}

/// An integer key's value. A whole number beyond `i64` (JSON reads `10**30` as a float)
/// saturates to `i64::MAX` / `i64::MIN`, so the key's range check reports it as out of range
/// rather than as a non-integer.
fn integer(value: &Value, path: &str, d: &mut Diagnostics) -> Option<i64> {
    /// 2^63: every whole float at least this large lies outside `i64`.
    const BEYOND_I64: f64 = 9_223_372_036_854_775_808.0;
    match value {
        Value::Number(n) if n.is_i64() => n.as_i64(),
        Value::Number(n) if n.is_u64() => Some(i64::MAX),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f >= BEYOND_I64 => Some(i64::MAX),
            Some(f) if f.fract() == 0.0 && f <= -BEYOND_I64 => Some(i64::MIN),
            _ => {
                d.error(type_error(path, "an integer"));
                None
            }
        },
        _ => {
            d.error(type_error(path, "an integer"));
            None
        }
    }
}
