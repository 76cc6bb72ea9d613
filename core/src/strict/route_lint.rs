//! The lint of routes that allow fewer origins than the top level.

use super::config::PolicyConfig;
use crate::diagnostic::{join, Diagnostic, DiagnosticCode, Diagnostics};

/// Warns (`route_narrower_than_top_level`) about every route that lacks an origin entry, an
/// origin regex or the `null` origin the top level allows (unless the route allows any
/// origin): such a route keeps other sites from reading its answers, not from reaching it.
pub(super) fn warn_narrower_routes(config: &PolicyConfig, d: &mut Diagnostics) {
    for (i, route) in config.routes.iter().enumerate() {
        let r = &route.policy;
        if r.origins.iter().any(|o| o == "*") {
            continue;
        }
        let missing = config
            .origins
            .iter()
            .find(|o| !r.origins.contains(o))
            .or_else(|| {
                config
                    .origin_regexes
                    .iter()
                    .find(|o| !r.origin_regexes.contains(o))
            })
            .map(String::as_str)
            .or((config.allow_null_origin && !r.allow_null_origin).then_some("null"));
        if let Some(missing) = missing {
            d.warn(
                Diagnostic::new(
                    join(&format!("routes[{i}]"), "origins"),
                    DiagnosticCode::RouteNarrowerThanTopLevel,
                    format!(
                        "`{}` does not allow `{missing}`, which the top level allows: routes \
                         protect CORS answers, not access; pages of `{missing}` can still send \
                         simple requests (GET, form POST) to `{}`, only reading the answers is \
                         denied",
                        route.path, route.path
                    ),
                )
                .hint("protect the route's resources with authentication or CSRF checks too"),
            );
        }
    }
}
