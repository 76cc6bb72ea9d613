//! Route paths: which of a policy's routes a request path falls under.

/// A route's path: exact, or a prefix that matches itself, `prefix/` and everything below.
#[derive(Debug)]
pub(super) enum PathPattern {
    Exact(Box<[u8]>),
    Prefix(Box<[u8]>),
}

impl PathPattern {
    pub(super) fn parse(path: &str) -> Option<PathPattern> {
        if !path.starts_with('/')
            || path
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return None;
        }
        match path.strip_suffix("/*") {
            Some(prefix) if !prefix.contains('*') => {
                Some(PathPattern::Prefix(prefix.as_bytes().into()))
            }
            Some(_) => None,
            None if path.contains('*') => None,
            None => Some(PathPattern::Exact(path.as_bytes().into())),
        }
    }

    pub(super) fn matches(&self, path: &[u8]) -> bool {
        match self {
            PathPattern::Exact(p) => **p == *path,
            PathPattern::Prefix(p) => {
                path.starts_with(p) && (path.len() == p.len() || path.get(p.len()) == Some(&b'/'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_paths_match_prefixes_on_segment_boundaries() {
        let p = PathPattern::parse("/public/*").unwrap();
        assert!(p.matches(b"/public"));
        assert!(p.matches(b"/public/"));
        assert!(p.matches(b"/public/a/b"));
        assert!(!p.matches(b"/publicity"));
        let all = PathPattern::parse("/*").unwrap();
        assert!(all.matches(b"/anything"));
        assert!(PathPattern::parse("/a/*/b").is_none());
        assert!(PathPattern::parse("api").is_none());
    }
}
