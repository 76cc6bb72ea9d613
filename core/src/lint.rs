//! Lint checks every profile shares: legal configurations that are risky or do not do what
//! they seem to.

use crate::syntax::origin::Defect;

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
pub(crate) fn has_unescaped_dot(re: &str) -> bool {
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
