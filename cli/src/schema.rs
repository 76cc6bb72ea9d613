//! `corsgate schema`: the JSON Schema of the policy file (committed as docs/policy.schema.json,
//! for editors: VS Code's `json.schemas`, Taplo's `#:schema` for TOML).

use crate::exit::Exit;
use clap::Args;
use serde_json::{json, Map, Value};
use std::io::Write;

/// Shown after `corsgate schema --help`.
pub const AFTER_HELP: &str = "\
Examples:
  corsgate schema > policy.schema.json
  # in a TOML policy, for Taplo/Even Better TOML:  #:schema ./policy.schema.json

Exit status:
  0  the schema was printed
  2  it could not be written";

/// Arguments of `corsgate schema` (none besides `--json`, accepted for uniformity: the
/// schema is JSON either way).
#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Accepted for uniformity with the other subcommands; the output is always JSON.
    #[arg(long)]
    json: bool,
}

/// An HTTP token (RFC 9110), for methods and header names.
const TOKEN: &str = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

fn string_list(
    description: &str,
    item_description: &str,
    pattern: Option<&str>,
    examples: Value,
) -> Value {
    let mut item = json!({ "type": "string", "description": item_description });
    if let Some(p) = pattern {
        item["pattern"] = json!(p);
    }
    json!({
        "type": "array",
        "description": description,
        "items": item,
        "default": [],
        "examples": examples,
    })
}

/// The keys of a policy (top level or route), in docs/policy.md's order.
fn policy_properties() -> Map<String, Value> {
    let props = json!({
        "origins": string_list(
            "Allowed origins: exact origins (`https://app.example.com`), subdomain wildcards (`https://*.example.com`, never the apex), port wildcards (`http://localhost:*`), or `[\"*\"]` alone (any origin; never with credentials).",
            "A serialized origin `scheme://host[:port]`: lower case, no path, no trailing slash, no default port.",
            None,
            json!([["https://app.example.com", "https://*.example.com", "http://localhost:*"], ["*"]]),
        ),
        "origin_regexes": string_list(
            "Regular expressions (Rust `regex` syntax), each matched against the whole origin.",
            "A regular expression; escape dots (`\\\\.`).",
            None,
            json!([["https://pr-[0-9]+\\.preview\\.example\\.com"]]),
        ),
        "allow_null_origin": {
            "type": "boolean", "default": false,
            "description": "Allow the `null` origin (sandboxed iframes, file: pages, data: URLs, cross-origin redirects): all of them at once."
        },
        "methods": string_list(
            "Methods allowed in preflights besides GET, HEAD and POST (always allowed); `[\"*\"]` for any. Compared case-sensitively after browsers' normalization (DELETE, GET, HEAD, OPTIONS, POST, PUT).",
            "An HTTP method; never CONNECT, TRACE or TRACK.",
            Some(TOKEN),
            json!([["PUT", "PATCH", "DELETE"], ["*"]]),
        ),
        "request_headers": string_list(
            "Request header names allowed in preflights (case-insensitive); `[\"*\"]` for any but `authorization`, which must be named.",
            "A header name; never a forbidden request header (cookie, host, sec-*, proxy-*, …).",
            Some(TOKEN),
            json!([["content-type", "authorization"], ["*"]]),
        ),
        "expose_headers": string_list(
            "Response headers JavaScript may read besides the safelisted ones; `[\"*\"]` only without credentials.",
            "A header name; never set-cookie.",
            Some(TOKEN),
            json!([["x-request-id"]]),
        ),
        "credentials": {
            "type": "boolean", "default": false,
            "description": "Send `Access-Control-Allow-Credentials: true` so pages may send cookies and HTTP authentication (requires explicit origins)."
        },
        "max_age": {
            "type": "integer", "minimum": 0, "maximum": 86400,
            "description": "`Access-Control-Max-Age` of preflights in seconds; absent sends none (browsers then cache 5 s). Chromium caps at 7200, WebKit at 600.",
            "examples": [600]
        },
        "private_network": {
            "type": "boolean", "default": false,
            "description": "Answer legacy Private Network Access preflights (`Access-Control-Request-Private-Network: true`)."
        },
        "preflight_status": {
            "type": "integer", "minimum": 200, "maximum": 299, "default": 204,
            "description": "Status of an allowed preflight."
        },
        "preflight_continue": {
            "type": "boolean", "default": false,
            "description": "Hand preflights to the application instead of answering them (their headers are still computed)."
        },
        "allow_insecure_origins": {
            "type": "boolean", "default": false,
            "description": "Permit non-https origins other than loopback together with credentials."
        }
    });
    match props {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The JSON Schema of the policy file.
pub fn schema() -> Value {
    let mut top = policy_properties();
    let mut route = policy_properties();
    route.insert(
        "path".into(),
        json!({
            "type": "string",
            "pattern": "^/[^*\\s]*(/\\*)?$",
            "description": "The request paths this route answers: `/exact/path`, or `/prefix/*` (matching `/prefix`, `/prefix/` and below). Matched byte for byte, without the query.",
            "examples": ["/public/*", "/api/health"]
        }),
    );
    top.insert(
        "mode".into(),
        json!({
            "type": "string",
            "enum": ["enforce", "report-only"],
            "default": "enforce",
            "description": "`report-only`: the policy changes no response; bindings evaluate it on every request and report each one browsers would answer differently under it (docs/migrating-from-nginx.md). Top level only."
        }),
    );
    top.insert(
        "routes".into(),
        json!({
            "type": "array",
            "description": "Per-path policies: each is a full policy plus `path`, inheriting nothing; the first whose path matches answers, otherwise the top level does.",
            "items": { "$ref": "#/$defs/route" },
            "default": []
        }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "corsgate policy",
        "description": "A corsgate CORS policy (JSON or TOML; the same keys in every binding). See docs/policy.md and docs/semantics.md.",
        "type": "object",
        "properties": top,
        "additionalProperties": false,
        "$defs": {
            "route": {
                "type": "object",
                "description": "A policy for the request paths matching `path`.",
                "properties": route,
                "required": ["path"],
                "additionalProperties": false
            }
        }
    })
}

/// The schema as printed: pretty JSON and a final newline.
pub fn text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// Runs `corsgate schema`.
pub fn run(_args: &SchemaArgs) -> Exit {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text().as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Exit::Allowed,
        Err(e) => {
            eprintln!("corsgate: cannot write the schema: {e}");
            Exit::Error
        }
    }
}
