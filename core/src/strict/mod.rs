//! The strict profile, corsgate's own: compiling a policy and evaluating requests against it.

mod acrh_lines;
mod compile;
pub(crate) mod config;
mod entries;
mod entry_url;
mod evaluate;
mod explain;
pub(crate) mod matcher;
mod names;
mod policy_file;
mod route_lint;
mod routes;
pub(crate) mod shared;

use crate::decision::Decision;
use crate::diagnostic::{join, ConfigErrors, Diagnostic, DiagnosticCode, Diagnostics};
use crate::observe::Mode;
use crate::request::Request;
use acrh_lines::BrowserLines;
use config::{Format, PolicyConfig, RouteConfig};
use matcher::OriginMatcher;
use names::NameSet;
use routes::{PathPattern, Routes};

/// A compiled, immutable policy: validated, with every request-independent header value
/// precomputed. `Send + Sync`; share it behind an `Arc` or a [`crate::SharedPolicy`].
#[derive(Debug)]
pub struct Policy {
    default: Rules,
    routes: Vec<(PathPattern, Rules)>,
    warnings: Vec<Diagnostic>,
    mode: Mode,
}

impl Policy {
    /// Validates `config` and compiles it, reporting every problem at once.
    pub fn compile(config: &PolicyConfig) -> Result<Policy, ConfigErrors> {
        Self::finish(config, Diagnostics::default())
    }

    /// Reads and compiles a policy from JSON or TOML text.
    pub fn parse(text: &str, format: Format) -> Result<Policy, ConfigErrors> {
        let mut diags = Diagnostics::default();
        let config = PolicyConfig::read(text, format, &mut diags);
        Self::finish(&config, diags)
    }

    /// Reads and compiles a policy from JSON text.
    pub fn from_json(text: &str) -> Result<Policy, ConfigErrors> {
        Self::parse(text, Format::Json)
    }

    /// Reads and compiles a policy from TOML text.
    pub fn from_toml(text: &str) -> Result<Policy, ConfigErrors> {
        Self::parse(text, Format::Toml)
    }

    /// Reads and compiles a policy file; `.json` is JSON, anything else is TOML unless it
    /// starts with `{`. Only a regular file of at most 1 MiB is read: a FIFO, a device or a
    /// directory is an `io_error` before anything waits on it, and so is a larger file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy, ConfigErrors> {
        let path = path.as_ref();
        let text = policy_file::read(path).map_err(|e| ConfigErrors {
            errors: vec![e],
            warnings: Vec::new(),
        })?;
        let format = Format::from_path(path).unwrap_or(if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Toml
        });
        Self::parse(&text, format)
    }

    fn finish(config: &PolicyConfig, mut d: Diagnostics) -> Result<Policy, ConfigErrors> {
        let default = Rules::compile(config, "", &mut d);
        if config.routes.is_empty() && default.allows_no_origin() {
            d.warn(
                Diagnostic::new(
                    "origins",
                    DiagnosticCode::NoOrigins,
                    "no origin is allowed: every cross-origin request is denied",
                )
                .hint("add origins, e.g. origins = [\"https://app.example.com\"]"),
            );
        }
        route_lint::warn_narrower_routes(config, &mut d);
        if config.mode == Mode::ReportOnly {
            d.warn(
                Diagnostic::new(
                    "mode",
                    DiagnosticCode::ReportOnlyMode,
                    "report-only: this policy changes no response; it reports where browsers would answer differently under it",
                )
                .hint("remove `mode` (or set \"enforce\") once its reports show what you expect"),
            );
        }
        let routes = config
            .routes
            .iter()
            .enumerate()
            .filter_map(|(i, route)| compile_route(route, &format!("routes[{i}]"), &mut d))
            .collect();
        if d.errors.is_empty() {
            Ok(Policy {
                default,
                routes,
                warnings: d.warnings,
                mode: config.mode,
            })
        } else {
            Err(ConfigErrors {
                errors: d.errors,
                warnings: d.warnings,
            })
        }
    }

    /// How bindings deploy this policy (the key `mode`): enforced, or report-only
    /// ([`Policy::report_only`]; nothing on the response changes).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Lint warnings: legal but risky parts of the policy.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// Decides what to answer to `request`. Allocates nothing.
    pub fn evaluate<'a>(&'a self, request: &Request<'a>) -> Decision<'a> {
        // Without routes the top level answers: no route dispatch frame (about 25
        // instructions per request when `Routes::evaluate` is not inlined).
        if self.routes.is_empty() {
            return self.default.evaluate(request);
        }
        Routes {
            default: &self.default,
            routes: &self.routes,
        }
        .evaluate(request)
    }

    /// Every header value that does not depend on the request, as the very `str`s (same
    /// address) a [`Decision`] carries: integrations convert each once (corsgate::http and
    /// corsgate-actix find them per request by address).
    pub fn constant_values(&self) -> impl Iterator<Item = &str> {
        std::iter::once(&self.default)
            .chain(self.routes.iter().map(|(_, rules)| rules))
            .flat_map(|r| [&r.allow_headers_value, &r.expose_value, &r.max_age])
            .flatten()
            .map(|v| &**v)
    }
}

fn compile_route(
    route: &RouteConfig,
    prefix: &str,
    d: &mut Diagnostics,
) -> Option<(PathPattern, Rules)> {
    if !route.policy.routes.is_empty() {
        d.error(Diagnostic::new(
            join(prefix, "routes"),
            DiagnosticCode::RouteNested,
            "routes cannot contain routes",
        ));
    }
    let pattern = PathPattern::parse(&route.path);
    if pattern.is_none() {
        d.error(
            Diagnostic::new(
                join(prefix, "path"),
                DiagnosticCode::RoutePathInvalid,
                format!("`{}` is not a route path", route.path),
            )
            .hint("write an exact path (`/api/health`) or a prefix ending in `/*` (`/api/*`)"),
        );
    }
    let mut rules = Rules::compile(&route.policy, prefix, d);
    rules.route = route.path.as_str().into();
    Some((pattern?, rules))
}

/// One compiled policy (the top level or a route).
#[derive(Debug)]
pub(crate) struct Rules {
    any_origin: bool,
    origins: OriginMatcher,
    allow_null: bool,
    any_method: bool,
    methods: Vec<Box<str>>,
    any_header: bool,
    allow_authorization: bool,
    headers: NameSet,
    /// The lines a browser sends for allowed names, recognised whole.
    browser_lines: BrowserLines,
    /// The `Access-Control-Allow-Headers` value, or `None` to reflect the request's lines.
    allow_headers_value: Option<Box<str>>,
    expose_value: Option<Box<str>>,
    credentials: bool,
    max_age: Option<Box<str>>,
    private_network: bool,
    preflight_status: u16,
    preflight_continue: bool,
    /// The route's `path` as written; empty for the top level.
    route: Box<str>,
}
