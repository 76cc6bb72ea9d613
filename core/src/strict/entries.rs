//! Checking the `origins` and `origin_regexes` entries of a policy when it is compiled:
//! defects, public suffixes, regex syntax and size.

use crate::diagnostic::{Diagnostic, DiagnosticCode, Diagnostics};
use crate::lint::{self, defect_hint};
use crate::syntax::origin::{self, Defect, Host, Parsed};
use regex::RegexSet;

/// Upper bound on the compiled size of all regexes together.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// Validates one `origins` entry, reporting its defect or public-suffix problem.
pub(super) fn check_entry<'e>(
    entry: &'e str,
    path: &str,
    d: &mut Diagnostics,
) -> Option<Parsed<'e>> {
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
    if let Host::Subdomains(suffix) = parsed.host {
        match public_suffix(suffix) {
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
            None => {}
        }
    }
    Some(parsed)
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
