//! The compiled origin allowlist: exact origins, subdomain and port wildcards, regexes.

use crate::diagnostic::{closest, Diagnostic, Diagnostics};
use crate::origin::{self, Defect, Host, Parsed, Port};
use hashbrown::{HashMap, HashSet};
use regex::RegexSet;

/// Upper bound on the compiled size of all regexes together.
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// Matches well-formed request origins. The cost of a lookup depends on the number of labels
/// in the request's host, not on the number of patterns.
#[derive(Debug, Default)]
pub(crate) struct OriginMatcher {
    exact: HashSet<Box<str>>,
    /// `scheme://host` of `scheme://host:*` patterns.
    any_port: HashSet<Box<str>>,
    /// `.suffix` -> (scheme, port) of `scheme://*.suffix[:port]` patterns.
    subdomains: HashMap<Box<str>, Vec<(Box<str>, Port)>>,
    regexes: Option<RegexSet>,
    /// Every entry as written, for "closest allowed origin" hints.
    entries: Vec<Box<str>>,
}

impl OriginMatcher {
    /// Compiles the `origins` entries (`*` is the caller's business and skipped here) and the
    /// `origin_regexes`, reporting problems.
    pub fn compile(
        origins: &[String],
        regexes: &[String],
        credentials: bool,
        allow_insecure: bool,
        prefix: &str,
        d: &mut Diagnostics,
    ) -> OriginMatcher {
        let mut m = OriginMatcher::default();
        for (i, entry) in origins.iter().enumerate().filter(|(_, e)| *e != "*") {
            let path = crate::diagnostic::join(prefix, &format!("origins[{i}]"));
            let Some(parsed) = check_entry(entry, &path, d) else {
                continue;
            };
            if credentials && !allow_insecure && parsed.scheme != "https" && !parsed.is_loopback() {
                d.error(
                    Diagnostic::new(
                        path.clone(),
                        "origin_insecure_with_credentials",
                        format!("`{entry}` is not https, and credentials are on: anyone on the network path can act as it"),
                    )
                    .hint(format!(
                        "use `{}`, or set allow_insecure_origins = true if you accept the risk",
                        entry.replacen(&format!("{}://", parsed.scheme), "https://", 1)
                    )),
                );
            }
            if !m.insert(entry, parsed) {
                d.warn(Diagnostic::new(
                    path,
                    "duplicate_entry",
                    format!("`{entry}` is listed twice"),
                ));
            }
        }
        m.regexes = compile_regexes(regexes, prefix, d);
        m
    }

    fn insert(&mut self, entry: &str, parsed: Parsed<'_>) -> bool {
        self.entries.push(entry.into());
        match (parsed.host, parsed.port) {
            (Host::Name(host), Port::Any) => self
                .any_port
                .insert(format!("{}://{host}", parsed.scheme).into()),
            (Host::Name(_), _) => self.exact.insert(entry.into()),
            (Host::Subdomains(suffix), port) => {
                let list = self
                    .subdomains
                    .entry(format!(".{suffix}").into())
                    .or_default();
                let new = !list
                    .iter()
                    .any(|(s, p)| &**s == parsed.scheme && *p == port);
                if new {
                    list.push((parsed.scheme.into(), port));
                }
                new
            }
        }
    }

    /// True when no origin can match.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.regexes.is_none()
    }

    /// Fast path: the request's `Origin` equals an exact entry (which is well-formed).
    pub fn exact_entry(&self, origin: &str) -> Option<&str> {
        self.exact.get(origin).map(|e| &**e)
    }

    /// Whether the well-formed request origin `raw` (parsed as `o`) matches a pattern: a
    /// wildcard or a regex. The exact entries are [`OriginMatcher::exact_entry`]'s business.
    pub fn matches_patterns(&self, raw: &str, o: &Parsed<'_>) -> bool {
        let Host::Name(host) = o.host else {
            return false;
        };
        if !self.any_port.is_empty()
            && self
                .any_port
                .contains(&raw[..o.scheme.len() + 3 + host.len()])
        {
            return true;
        }
        if !self.subdomains.is_empty() && !host.starts_with('[') {
            let dots = host
                .bytes()
                .enumerate()
                .filter(|&(i, b)| b == b'.' && i > 0);
            for (i, _) in dots {
                if let Some(list) = self.subdomains.get(&host[i..]) {
                    let hit = list.iter().any(|(scheme, port)| {
                        &**scheme == o.scheme && (*port == Port::Any || *port == o.port)
                    });
                    if hit {
                        return true;
                    }
                }
            }
        }
        self.regexes.as_ref().is_some_and(|set| set.is_match(raw))
    }

    /// A hint for a denied, well-formed origin: a scheme or port mismatch, or a likely typo.
    pub fn hint(&self, raw: &str, o: &Parsed<'_>) -> Option<String> {
        let Host::Name(host) = o.host else {
            return None;
        };
        let other_scheme = match o.scheme {
            "http" => Some("https"),
            "https" => Some("http"),
            _ => None,
        };
        for entry in self.entries.iter() {
            let Ok(p) = origin::parse(entry.as_bytes(), true) else {
                continue;
            };
            let same_host = p.host == Host::Name(host);
            if same_host && Some(p.scheme) == other_scheme && p.port != Port::Any {
                return Some(format!(
                    "the policy allows `{entry}`: the scheme differs ({} vs {})",
                    o.scheme, p.scheme
                ));
            }
            if same_host && p.scheme == o.scheme {
                return Some(format!("the policy allows `{entry}`: the port differs"));
            }
        }
        closest(raw, self.entries.iter().map(|e| &**e))
            .map(|c| format!("closest allowed origin: `{c}`"))
    }
}

/// Validates one `origins` entry, reporting its defect or public-suffix problem.
fn check_entry<'e>(entry: &'e str, path: &str, d: &mut Diagnostics) -> Option<Parsed<'e>> {
    if entry == "null" {
        d.error(
            Diagnostic::new(path, "origin_null", "`null` cannot be listed in origins").hint(
                "set allow_null_origin = true (it allows every sandboxed iframe and file: page)",
            ),
        );
        return None;
    }
    let parsed = match origin::parse(entry.as_bytes(), true) {
        Ok(p) => p,
        Err(defect) => {
            let mut diag = Diagnostic::new(
                path,
                defect.config_code(),
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
                        "origin_wildcard_public_suffix",
                        format!("`{entry}` allows every site under the public suffix `{suffix}`"),
                    )
                    .hint("name your own domain: `https://*.example.com`"),
                );
                return None;
            }
            Some(psl::Type::Private) => d.warn(
                Diagnostic::new(
                    path,
                    "wildcard_shared_hosting",
                    format!("`{entry}` allows every site hosted under `{suffix}`, and anyone can publish one"),
                )
                .hint(format!("list your own sites: `{}://yourname.{suffix}`", parsed.scheme)),
            ),
            None => {}
        }
    }
    Some(parsed)
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

fn compile_regexes(regexes: &[String], prefix: &str, d: &mut Diagnostics) -> Option<RegexSet> {
    let mut ok = Vec::new();
    for (i, re) in regexes.iter().enumerate() {
        let path = crate::diagnostic::join(prefix, &format!("origin_regexes[{i}]"));
        let anchored = format!("^(?:{re})$");
        match regex::RegexBuilder::new(&anchored)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(_) => {
                if has_unescaped_dot(re) {
                    d.warn(
                        Diagnostic::new(
                            path,
                            "regex_unescaped_dot",
                            format!("`{re}` has an unescaped `.`, which matches any character"),
                        )
                        .hint("escape dots in host names: `\\.`"),
                    );
                }
                ok.push(anchored);
            }
            Err(e) => d.error(
                Diagnostic::new(
                    path,
                    "origin_regex_invalid",
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
                "origin_regex_invalid",
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

    fn matcher(origins: &[&str], regexes: &[&str]) -> OriginMatcher {
        let mut d = Diagnostics::default();
        let o: Vec<String> = origins.iter().map(|s| s.to_string()).collect();
        let r: Vec<String> = regexes.iter().map(|s| s.to_string()).collect();
        let m = OriginMatcher::compile(&o, &r, false, false, "", &mut d);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        m
    }

    fn hit(m: &OriginMatcher, origin: &str) -> bool {
        match origin::parse(origin.as_bytes(), false) {
            Ok(p) => m.exact_entry(origin).is_some() || m.matches_patterns(origin, &p),
            Err(_) => false,
        }
    }

    #[test]
    fn subdomain_wildcard_never_matches_apex_or_lookalikes() {
        let m = matcher(&["https://*.example.com"], &[]);
        assert!(hit(&m, "https://a.example.com"));
        assert!(hit(&m, "https://a.b.example.com"));
        assert!(!hit(&m, "https://example.com"));
        assert!(!hit(&m, "https://evilexample.com"));
        assert!(!hit(&m, "https://a.example.com.evil.com"));
        assert!(!hit(&m, "http://a.example.com"));
        assert!(!hit(&m, "https://a.example.com:8443"));
        assert!(!hit(&m, "https://a.example.com."));
    }

    #[test]
    fn port_wildcard_matches_every_port_and_the_default() {
        let m = matcher(&["http://localhost:*"], &[]);
        assert!(hit(&m, "http://localhost"));
        assert!(hit(&m, "http://localhost:3000"));
        assert!(!hit(&m, "https://localhost:3000"));
        assert!(!hit(&m, "http://localhost.evil.com:3000"));
    }

    #[test]
    fn regexes_match_the_whole_origin() {
        let m = matcher(&[], &[r"https://pr-[0-9]+\.preview\.example\.com"]);
        assert!(hit(&m, "https://pr-12.preview.example.com"));
        assert!(!hit(&m, "https://pr-12.preview.example.com.evil.com"));
        assert!(!hit(
            &m,
            "https://evil.com?https://pr-1.preview.example.com"
        ));
    }

    #[test]
    fn hints_name_scheme_and_port_mismatches() {
        let m = matcher(&["https://app.example.com", "http://localhost:3000"], &[]);
        let o = origin::parse(b"http://app.example.com", false).unwrap();
        assert!(m
            .hint("http://app.example.com", &o)
            .unwrap()
            .contains("scheme differs"));
        let o = origin::parse(b"http://localhost:3001", false).unwrap();
        assert!(m
            .hint("http://localhost:3001", &o)
            .unwrap()
            .contains("port differs"));
    }

    #[test]
    fn unescaped_dot_heuristic() {
        assert!(has_unescaped_dot("https://app.example.com"));
        assert!(!has_unescaped_dot(r"https://app\.example\.com"));
        assert!(!has_unescaped_dot(r"https://.*\.example\.com"));
        assert!(!has_unescaped_dot(r"https://[a.b]x\.com"));
    }
}
