//! The compiled origin allowlist: exact origins, subdomain and port wildcards, regexes.

use super::entries::{check_entry, compile_regexes};
use crate::diagnostic::{closest, Diagnostic, DiagnosticCode, Diagnostics};
use crate::syntax::ascii::hash_with;
use crate::syntax::origin::{self, Host, Parsed, Port};
use hashbrown::{DefaultHashBuilder, HashSet, HashTable};
use regex::RegexSet;

/// Matches well-formed request origins. The cost of a lookup depends on the number of labels
/// in the request's host, not on the number of patterns.
#[derive(Debug, Default)]
pub(crate) struct OriginMatcher {
    /// Hashes the keys of the tables below, as bytes.
    hasher: DefaultHashBuilder,
    /// Exact origins.
    exact: HashTable<Box<str>>,
    /// `scheme://host` of `scheme://host:*` patterns.
    any_port: HashSet<Box<str>>,
    /// `scheme://*.suffix[:port]` patterns by `.suffix[:port]`, the text that ends every
    /// origin they match (ports are canonical on both sides).
    subdomains: HashTable<Suffix>,
    /// `scheme://*.suffix:*` patterns by `.suffix`.
    subdomains_any_port: HashTable<Suffix>,
    regexes: Option<RegexSet>,
    /// Every entry as written, for "closest allowed origin" hints.
    entries: Vec<Box<str>>,
}

/// The schemes of the subdomain patterns that share one key.
#[derive(Debug)]
struct Suffix {
    key: Box<str>,
    schemes: Vec<Box<str>>,
}

/// Whether `b` may occur in a host label (`check_domain`, lower case only).
fn is_label_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
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
            let Some(checked) = check_entry(entry, &path, credentials, d) else {
                continue;
            };
            let parsed = checked.parsed;
            if credentials && !allow_insecure && parsed.scheme != "https" && !checked.loopback {
                d.error(
                    Diagnostic::new(
                        path.clone(),
                        DiagnosticCode::OriginInsecureWithCredentials,
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
                    DiagnosticCode::DuplicateEntry,
                    format!("`{entry}` is listed twice"),
                ));
            }
        }
        m.regexes = compile_regexes(regexes, prefix, d);
        m
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        hash_with(&self.hasher, bytes)
    }

    fn insert(&mut self, entry: &str, parsed: Parsed<'_>) -> bool {
        let hasher = &self.hasher;
        self.entries.push(entry.into());
        match (parsed.host, parsed.port) {
            (Host::Name(host), Port::Any) => self
                .any_port
                .insert(format!("{}://{host}", parsed.scheme).into()),
            (Host::Name(_), _) => {
                let hash = hash_with(hasher, entry.as_bytes());
                if self.exact.find(hash, |e| **e == *entry).is_some() {
                    return false;
                }
                self.exact
                    .insert_unique(hash, entry.into(), |e| hash_with(hasher, e.as_bytes()));
                true
            }
            (Host::Subdomains(suffix), port) => {
                let (table, key) = match port {
                    Port::Any => (&mut self.subdomains_any_port, format!(".{suffix}")),
                    Port::Default => (&mut self.subdomains, format!(".{suffix}")),
                    Port::Number(n) => (&mut self.subdomains, format!(".{suffix}:{n}")),
                };
                let mut slot = table
                    .entry(
                        hash_with(hasher, key.as_bytes()),
                        |s| *s.key == *key,
                        |s| hash_with(hasher, s.key.as_bytes()),
                    )
                    .or_insert_with(|| Suffix {
                        key: key.as_str().into(),
                        schemes: Vec::new(),
                    });
                let schemes = &mut slot.get_mut().schemes;
                let new = !schemes.iter().any(|s| **s == *parsed.scheme);
                if new {
                    schemes.push(parsed.scheme.into());
                }
                new
            }
        }
    }

    /// True when no origin can match.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.regexes.is_none()
    }

    /// Fast path: the request's `Origin` bytes equal an exact entry (which is well-formed).
    pub fn exact_entry(&self, origin: &[u8]) -> Option<&str> {
        if self.exact.is_empty() {
            return None;
        }
        self.exact
            .find(self.hash(origin), |e| e.as_bytes() == origin)
            .map(|e| &**e)
    }

    /// Fast path: the request's `Origin`, unparsed, matches a `scheme://*.suffix[:port]`
    /// pattern with a fixed port. Parsing first would cost as much as the lookup; instead
    /// the part the pattern does not spell out is validated here. `scheme` equals a pattern's
    /// (valid, lower-case) scheme; the labels before `.suffix` are non-empty runs of
    /// `[a-z0-9_-]`; `.suffix[:port]` equals the pattern's own canonical text. So a match is
    /// exactly a well-formed origin (as `origin::parse` defines it) that the pattern matches,
    /// and a well-formed origin a pattern matches is always found here.
    pub fn matches_subdomain(&self, b: &[u8]) -> bool {
        // `parse` refuses longer origins; the bound also caps the lookups (one per dot).
        if self.subdomains.is_empty() || b.len() > origin::MAX_ORIGIN_LEN {
            return false;
        }
        let Some(colon) = b.iter().position(|&c| c == b':') else {
            return false;
        };
        let (scheme, rest) = b.split_at(colon);
        let Some(host) = rest.strip_prefix(b"://") else {
            return false;
        };
        let mut label = 0;
        for (i, &c) in host.iter().enumerate() {
            if is_label_byte(c) {
                label += 1;
                continue;
            }
            if c != b'.' || label == 0 {
                return false;
            }
            label = 0;
            let key = host.get(i..).unwrap_or_default();
            let found = self
                .subdomains
                .find(self.hash(key), |s| s.key.as_bytes() == key);
            if found.is_some_and(|s| s.schemes.iter().any(|s| s.as_bytes() == scheme)) {
                return true;
            }
        }
        false
    }

    /// Whether some patterns are only matched after parsing ([`OriginMatcher::matches_patterns`]).
    pub fn has_parsed_patterns(&self) -> bool {
        !self.any_port.is_empty() || !self.subdomains_any_port.is_empty() || self.regexes.is_some()
    }

    /// Whether the well-formed request origin `raw` (parsed as `o`) matches a pattern not
    /// covered by [`OriginMatcher::exact_entry`] and [`OriginMatcher::matches_subdomain`]:
    /// a wildcard port or a regex.
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
        if !self.subdomains_any_port.is_empty() && !host.starts_with('[') {
            // Every `.suffix` of the host that leaves at least one label before it.
            let host = host.as_bytes();
            let dots = host.iter().enumerate().skip(1).filter(|&(_, &b)| b == b'.');
            for (i, _) in dots {
                let suffix = host.get(i..).unwrap_or_default();
                let found = self
                    .subdomains_any_port
                    .find(self.hash(suffix), |s| s.key.as_bytes() == suffix);
                if found.is_some_and(|s| s.schemes.iter().any(|s| **s == *o.scheme)) {
                    return true;
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
            Ok(p) => {
                let fast = m.exact_entry(origin.as_bytes()).is_some()
                    || m.matches_subdomain(origin.as_bytes());
                fast || m.matches_patterns(origin, &p)
            }
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
    fn subdomain_fast_path_matches_exactly_the_well_formed_matching_origins() {
        let patterns = [
            ("https", "example.com", Port::Default),
            ("http", "example.com", Port::Number(8080)),
            ("https", "a-b.test.", Port::Default),
            ("wss", "x_y.example.org", Port::Number(1)),
        ];
        let list: Vec<String> = patterns
            .iter()
            .map(|(scheme, suffix, port)| match port {
                Port::Number(n) => format!("{scheme}://*.{suffix}:{n}"),
                _ => format!("{scheme}://*.{suffix}"),
            })
            .collect();
        let refs: Vec<&str> = list.iter().map(|s| s.as_str()).collect();
        let m = matcher(&refs, &[]);
        // The reference: parse, then compare scheme, port and a `.suffix` after a label.
        let reference = |origin: &str| {
            let Ok(p) = origin::parse(origin.as_bytes(), false) else {
                return false;
            };
            let Host::Name(host) = p.host else {
                return false;
            };
            patterns.iter().any(|(scheme, suffix, port)| {
                let dotted = format!(".{suffix}");
                p.scheme == *scheme
                    && p.port == *port
                    && host.len() > dotted.len()
                    && host.ends_with(&dotted)
            })
        };
        let schemes = ["https", "http", "wss", "HTTPS", "ftp", "", "https:"];
        let seps = ["://", ":/", "//"];
        let prefixes = [
            "a", "a.b", "A", "", ".", "a.", ".a", "a..b", "a_b-c", "*", "u@a", "é", "a b",
        ];
        let suffixes = [
            ".example.com",
            ".example.com.",
            "example.com",
            ".a-b.test.",
            ".a-b.test",
            ".x_y.example.org",
            ".EXAMPLE.com",
            ".example.com/",
            ".example.com?x",
            ".evil.com",
        ];
        let ports = [
            "", ":8080", ":08080", ":1", ":443", ":80", ":", ":x", ":8080:1",
        ];
        let mut hits = 0;
        for scheme in schemes {
            for sep in seps {
                for prefix in prefixes {
                    for suffix in suffixes {
                        for port in ports {
                            let o = format!("{scheme}{sep}{prefix}{suffix}{port}");
                            let fast = m.matches_subdomain(o.as_bytes());
                            assert_eq!(fast, reference(&o), "{o}");
                            hits += usize::from(fast);
                        }
                    }
                }
            }
        }
        assert!(hits > 10, "{hits}");
        let long = format!("https://{}example.com", "a.".repeat(600));
        assert!(long.len() > origin::MAX_ORIGIN_LEN);
        assert!(!m.matches_subdomain(long.as_bytes()) && !reference(&long));
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
}
