//! Checking the `origins` and `origin_regexes` entries of a policy when it is compiled:
//! defects, public suffixes, regex syntax and size.

use super::entry_url::{self, UrlProblem};
use crate::diagnostic::{Diagnostic, DiagnosticCode, Diagnostics};
use crate::lint::{self, defect_hint};
use crate::syntax::origin::{self, Defect, Host, Parsed};
use regex::RegexSet;

/// Upper bound on the compiled size of all regexes together.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// A valid `origins` entry: its parts, and whether its host is loopback.
pub(super) struct Entry<'e> {
    pub parsed: Parsed<'e>,
    pub loopback: bool,
}

/// Top-level domains reserved for special use (RFC 6761, RFC 6762, ICANN's `.internal`), which
/// the Public Suffix List does not list: a wildcard over them is no typo.
const SPECIAL_USE_TLDS: [&str; 6] = [
    "localhost",
    "test",
    "example",
    "invalid",
    "local",
    "internal",
];

/// Validates one `origins` entry, reporting its defect, an origin no browser sends for it
/// (URL Standard), or its public-suffix problem.
pub(super) fn check_entry<'e>(
    entry: &'e str,
    path: &str,
    credentials: bool,
    d: &mut Diagnostics,
) -> Option<Entry<'e>> {
    if entry == "null" {
        d.error(
            Diagnostic::new(
                path,
                DiagnosticCode::OriginNull,
                "`null` cannot be listed in origins",
            )
            .hint("set allow_null_origin = true (it allows every sandboxed iframe and file: page)"),
        );
        return None;
    }
    let parsed = match origin::parse(entry.as_bytes(), true) {
        Ok(p) => p,
        Err(defect) => {
            let mut diag = Diagnostic::new(
                path,
                defect_code(defect),
                format!("`{entry}` {}", defect.describe()),
            );
            if let Some(h) = defect_hint(entry, defect) {
                diag = diag.hint(h);
            }
            d.error(diag);
            return None;
        }
    };
    let loopback = match entry_url::check(entry, &parsed) {
        Ok(canonical) => canonical.loopback,
        Err(problem) => {
            d.error(url_problem(entry, path, problem));
            return None;
        }
    };
    if let Host::Subdomains(suffix) = parsed.host {
        match public_suffix(suffix) {
            Some(psl::Type::Private) if credentials => {
                d.error(
                    Diagnostic::new(
                        path,
                        DiagnosticCode::OriginWildcardPublicSuffix,
                        format!(
                            "`{entry}` allows every site hosted under `{suffix}`, and anyone can \
                             publish one: with credentials, each of them reads your users' data"
                        ),
                    )
                    .hint(format!("list your own sites: `{}://yourname.{suffix}`", parsed.scheme)),
                );
                return None;
            }
            Some(psl::Type::Icann) => {
                d.error(
                    Diagnostic::new(
                        path,
                        DiagnosticCode::OriginWildcardPublicSuffix,
                        format!("`{entry}` allows every site under the public suffix `{suffix}`"),
                    )
                    .hint("name your own domain: `https://*.example.com`"),
                );
                return None;
            }
            Some(psl::Type::Private) => d.warn(
                Diagnostic::new(
                    path,
                    DiagnosticCode::WildcardSharedHosting,
                    format!("`{entry}` allows every site hosted under `{suffix}`, and anyone can publish one"),
                )
                .hint(format!("list your own sites: `{}://yourname.{suffix}`", parsed.scheme)),
            ),
            None => {
                let tld = suffix.rsplit('.').next().unwrap_or(suffix);
                let known = psl::suffix(tld.as_bytes()).is_some_and(|s| s.is_known());
                if !known && !SPECIAL_USE_TLDS.contains(&tld) {
                    d.warn(
                        Diagnostic::new(
                            path,
                            DiagnosticCode::WildcardUnknownSuffix,
                            format!("`{entry}`: `{tld}` is not a known top-level domain"),
                        )
                        .hint("check the spelling of the domain (the Public Suffix List knows every delegated TLD)"),
                    );
                }
            }
        }
    }
    Some(Entry { parsed, loopback })
}

/// The error for an entry the URL Standard reads as another origin, or as none.
fn url_problem(entry: &str, path: &str, problem: UrlProblem) -> Diagnostic {
    match problem {
        UrlProblem::NotCanonical(canonical) => Diagnostic::new(
            path,
            DiagnosticCode::OriginNotCanonical,
            format!("browsers send the origin of `{entry}` as `{canonical}`, so it never matches"),
        )
        .hint(format!("write `{canonical}`")),
        UrlProblem::InvalidHost(why) => Diagnostic::new(
            path,
            DiagnosticCode::OriginInvalid,
            format!("the host of `{entry}` {why} (URL Standard): no browser sends this origin"),
        ),
        UrlProblem::Opaque => Diagnostic::new(
            path,
            DiagnosticCode::OriginInvalid,
            format!(
                "`{entry}` has no origin of its own: browsers send `Origin: null` for its pages"
            ),
        )
        .hint("list http(s) origins; allow_null_origin = true allows every opaque origin at once"),
        UrlProblem::WildcardOverIp => Diagnostic::new(
            path,
            DiagnosticCode::OriginBadWildcard,
            format!("`{entry}` puts a wildcard over an IP address, which has no subdomains"),
        )
        .hint("list the address itself"),
    }
}

/// The policy error code for an entry in `origins` with `defect`.
fn defect_code(defect: Defect) -> DiagnosticCode {
    match defect {
        Defect::Whitespace => DiagnosticCode::OriginWhitespace,
        Defect::MissingScheme => DiagnosticCode::OriginMissingScheme,
        Defect::Userinfo => DiagnosticCode::OriginHasUserinfo,
        Defect::TrailingSlash => DiagnosticCode::OriginTrailingSlash,
        Defect::Path => DiagnosticCode::OriginHasPath,
        Defect::Query => DiagnosticCode::OriginHasQuery,
        Defect::Fragment => DiagnosticCode::OriginHasFragment,
        Defect::InvalidPort => DiagnosticCode::OriginInvalidPort,
        Defect::DefaultPort => DiagnosticCode::OriginDefaultPort,
        Defect::BadWildcard => DiagnosticCode::OriginBadWildcard,
        Defect::Uppercase => DiagnosticCode::OriginUppercase,
        Defect::TooLong | Defect::NonAscii | Defect::Invalid => DiagnosticCode::OriginInvalid,
    }
}

/// The kind of public suffix `domain` is, when it is exactly one.
fn public_suffix(domain: &str) -> Option<psl::Type> {
    let domain = domain.trim_end_matches('.');
    let suffix = psl::suffix(domain.as_bytes())?;
    if suffix.is_known() && suffix.as_bytes() == domain.as_bytes() {
        suffix.typ()
    } else {
        None
    }
}

pub(super) fn compile_regexes(
    regexes: &[String],
    prefix: &str,
    d: &mut Diagnostics,
) -> Option<RegexSet> {
    let mut ok = Vec::new();
    for (i, re) in regexes.iter().enumerate() {
        let path = crate::diagnostic::join(prefix, &format!("origin_regexes[{i}]"));
        let anchored = format!("^(?:{re})$");
        match regex::RegexBuilder::new(&anchored)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(_) => {
                if let Some(w) = lint::unescaped_dot(path.clone(), re, &format!("`{re}`")) {
                    d.warn(w);
                }
                ok.push(anchored);
            }
            Err(e) => d.error(
                Diagnostic::new(
                    path,
                    DiagnosticCode::OriginRegexInvalid,
                    format!(
                        "`{re}` is not a valid regex: {}",
                        first_line(&e.to_string())
                    ),
                )
                .hint("regexes use Rust `regex` syntax and match the whole origin"),
            ),
        }
    }
    if ok.is_empty() {
        return None;
    }
    match regex::RegexSetBuilder::new(&ok)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
    {
        Ok(set) => Some(set),
        Err(e) => {
            d.error(Diagnostic::new(
                crate::diagnostic::join(prefix, "origin_regexes"),
                DiagnosticCode::OriginRegexInvalid,
                format!(
                    "the regexes together are too large: {}",
                    first_line(&e.to_string())
                ),
            ));
            None
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s).trim()
}
