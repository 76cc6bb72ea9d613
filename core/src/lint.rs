//! Lint checks every profile shares: legal configurations that are risky or do not do what
//! they seem to.

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use crate::syntax::origin::Defect;

/// `null_origin_allowed`, at `path`: the `null` origin is allowed.
pub(crate) fn null_origin_allowed(path: impl Into<String>) -> Diagnostic {
    Diagnostic::new(
        path,
        DiagnosticCode::NullOriginAllowed,
        "the `null` origin is shared by every sandboxed iframe, file: page and data: URL",
    )
    .hint("allow the real origins of your pages instead")
}

/// `private_network_enabled`, at `path`: Private Network Access preflights are answered.
pub(crate) fn private_network_enabled(path: impl Into<String>) -> Diagnostic {
    Diagnostic::new(
        path,
        DiagnosticCode::PrivateNetworkEnabled,
        "public websites allowed by this policy may reach this private-network service",
    )
    .hint("enable it only on services meant to be reached from public sites")
}

/// `regex_unescaped_dot`, at `path`, when `re` has an unescaped `.` between host characters;
/// `shown` is the regex as the profile's configuration writes it (`` `re` ``, `/re/`).
pub(crate) fn unescaped_dot(path: impl Into<String>, re: &str, shown: &str) -> Option<Diagnostic> {
    has_unescaped_dot(re).then(|| {
        Diagnostic::new(
            path,
            DiagnosticCode::RegexUnescapedDot,
            format!("{shown} has an unescaped `.`, which matches any character"),
        )
        .hint("escape dots in host names: `\\.`")
    })
}

/// A corrected spelling of a defective origin entry, where one is obvious.
pub(crate) fn defect_hint(entry: &str, defect: Defect) -> Option<String> {
    let fixed = match defect {
        Defect::TrailingSlash => entry.trim_end_matches('/').to_string(),
        Defect::Path | Defect::Query | Defect::Fragment => {
            let rest_start = entry.find("://")? + 3;
            let end = entry[rest_start..].find(['/', '?', '#'])? + rest_start;
            entry[..end].to_string()
        }
        Defect::Uppercase => entry.to_ascii_lowercase(),
        Defect::DefaultPort => entry[..entry.rfind(':')?].to_string(),
        Defect::MissingScheme => format!("https://{}", entry.trim_end_matches('/')),
        Defect::Userinfo => {
            let start = entry.find("://")? + 3;
            let at = entry.rfind('@')?;
            format!("{}{}", &entry[..start], &entry[at + 1..])
        }
        Defect::Whitespace => entry.split_whitespace().collect::<Vec<_>>().join(""),
        _ => return None,
    };
    Some(format!("write `{fixed}`"))
}

/// A `.` outside a character class, unescaped, between two host characters (`app.example`).
fn has_unescaped_dot(re: &str) -> bool {
    let b = re.as_bytes();
    let mut in_class = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'.' if !in_class => {
                let host_char =
                    |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-');
                if i > 0 && host_char(b.get(i - 1)) && host_char(b.get(i + 1)) {
                    return true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescaped_dot_heuristic() {
        assert!(has_unescaped_dot("https://app.example.com"));
        assert!(!has_unescaped_dot(r"https://app\.example\.com"));
        assert!(!has_unescaped_dot(r"https://.*\.example\.com"));
        assert!(!has_unescaped_dot(r"https://[a.b]x\.com"));
    }
}
