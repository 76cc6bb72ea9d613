//! Route paths, and choosing the route that answers a request so that no form of its path
//! reaches the application under a route less strict than the one its normalised path names.
//!
//! Each form a server routes on ([`crate::syntax::path_forms`]) names a route (the first whose pattern
//! matches it, or the top level). When every form names the same route, it answers. When they
//! name different ones, the stricter wins: the request is evaluated under each named route, a
//! denial by any of them is the answer, and when all allow but their answers differ the request
//! is denied with `route_ambiguous` (neither answer is right for every server).

use super::Rules;
use crate::decision::{Decision, Explain, Kind, Reason, ReasonCode, Verdict};
use crate::request::Request;
use crate::syntax::path_forms::{is_canonical, path_of, without_fragment, Forms};
use crate::vary::Vary;
use arrayvec::ArrayVec;
use std::fmt;

/// A route's path: exact, or a prefix that matches itself, `prefix/` and everything below.
#[derive(Debug)]
pub(super) enum PathPattern {
    Exact(Box<[u8]>),
    Prefix(Box<[u8]>),
}

impl PathPattern {
    /// A pattern from a route's `path`; `None` when it is not one.
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

    /// Byte-for-byte (how nginx, Starlette, Django and Flask match).
    fn matches(&self, path: &[u8]) -> bool {
        match self {
            PathPattern::Exact(p) => **p == *path,
            PathPattern::Prefix(p) => {
                path.starts_with(p) && (path.len() == p.len() || path.get(p.len()) == Some(&b'/'))
            }
        }
    }

    /// ASCII case-insensitively, an exact path with or without one trailing `/` (how Express
    /// matches with its default settings).
    fn matches_loosely(&self, path: &[u8]) -> bool {
        match self {
            PathPattern::Exact(p) => {
                let trim = |s: &[u8]| -> usize {
                    if s.len() > 1 && s.last() == Some(&b'/') {
                        s.len() - 1
                    } else {
                        s.len()
                    }
                };
                p.get(..trim(p))
                    .zip(path.get(..trim(path)))
                    .is_some_and(|(p, path)| p.eq_ignore_ascii_case(path))
            }
            PathPattern::Prefix(p) => {
                path.get(..p.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(p))
                    && (path.len() == p.len() || path.get(p.len()) == Some(&b'/'))
            }
        }
    }
}

/// The routes of a policy and its top level.
pub(super) struct Routes<'p> {
    pub(super) default: &'p Rules,
    pub(super) routes: &'p [(PathPattern, Rules)],
}

/// The most distinct routes the forms of one path can name (five strict forms, one loose).
const MAX_NAMED: usize = 6;

impl<'p> Routes<'p> {
    /// The answer to `request`; see the module's documentation.
    pub(super) fn evaluate(&self, request: &Request<'p>) -> Decision<'p> {
        if self.routes.is_empty() {
            return self.default.evaluate(request);
        }
        let path = path_of(request.path);
        if !is_canonical(path) {
            return self.evaluate_non_canonical(request, path);
        }
        // Every strict form is `path`; Express's loose match is the only other.
        let strict = self.first_match(path, false);
        let loose = self.first_match(path, true);
        if strict == loose {
            self.rules(strict).evaluate(request)
        } else {
            self.strictest(request, [strict, loose])
        }
    }

    /// The answer for a path that is not canonical: its forms are made in a stack buffer
    /// (kept out of the canonical path's frame).
    #[cold]
    #[inline(never)]
    fn evaluate_non_canonical(&self, request: &Request<'p>, path: &[u8]) -> Decision<'p> {
        let Some(mut forms) = Forms::decode(path) else {
            // Too long to make its forms without allocating: every route is a candidate.
            return self.strictest(request, 0..=self.routes.len());
        };
        let mut named = ArrayVec::<usize, MAX_NAMED>::new();
        // The normalised form first: its route is the one a denial names when several deny.
        self.name(&mut named, forms.decoded(), false);
        self.name(&mut named, forms.decoded_whole(), false);
        self.name(&mut named, forms.leading_merged(), false);
        self.name(&mut named, without_fragment(path), true);
        let normalised = self.first_match(forms.normalise(), false);
        if let Some(at) = named.iter().position(|&i| i == normalised) {
            named.remove(at);
        }
        let _ = named.try_insert(0, normalised);
        match named.as_slice() {
            [only] => self.rules(*only).evaluate(request),
            _ => self.strictest(request, named),
        }
    }

    /// Adds the route `path` names (index; `routes.len()` is the top level) unless present.
    fn name(&self, named: &mut ArrayVec<usize, MAX_NAMED>, path: &[u8], loose: bool) {
        let i = self.first_match(path, loose);
        if !named.contains(&i) {
            // At most MAX_NAMED forms are named: this never fails.
            let _ = named.try_push(i);
        }
    }

    fn first_match(&self, path: &[u8], loose: bool) -> usize {
        self.routes
            .iter()
            .position(|(pattern, _)| {
                if loose {
                    pattern.matches_loosely(path)
                } else {
                    pattern.matches(path)
                }
            })
            .unwrap_or(self.routes.len())
    }

    fn rules(&self, i: usize) -> &'p Rules {
        self.routes.get(i).map_or(self.default, |(_, rules)| rules)
    }

    /// The stricter answer of the named routes: the first denial, else their common answer,
    /// else a `route_ambiguous` denial; `Vary` lists what any of them varies on.
    fn strictest(
        &self,
        request: &Request<'p>,
        named: impl IntoIterator<Item = usize>,
    ) -> Decision<'p> {
        let mut first: Option<Decision<'p>> = None;
        let mut denial: Option<Decision<'p>> = None;
        let mut answers_differ = false;
        let mut vary = None;
        for i in named {
            let d = self.rules(i).evaluate(request);
            vary = Some(vary.map_or(d.vary, |v: Vary| v.union(d.vary)));
            if denial.is_none() && !d.is_allowed() {
                denial = Some(d.clone());
            }
            match &first {
                None => first = Some(d),
                Some(f) => answers_differ |= !same_answer(f, &d),
            }
        }
        let Some(first) = first else {
            return self.default.evaluate(request);
        };
        let mut answer = match denial {
            Some(denial) => denial,
            None if answers_differ => ambiguous(first, request),
            None => first,
        };
        if let Some(vary) = vary {
            answer.vary = vary;
        }
        answer
    }
}

/// Whether two routes answer a request alike (kind, status, headers, body; `Vary` aside).
fn same_answer(a: &Decision<'_>, b: &Decision<'_>) -> bool {
    a.kind == b.kind && a.status == b.status && a.headers == b.headers && a.body == b.body
}

/// `first` turned into a `route_ambiguous` denial: no CORS headers, and an answered preflight
/// answered with 403.
fn ambiguous<'a>(mut first: Decision<'a>, request: &Request<'a>) -> Decision<'a> {
    let preflight = first.kind == Kind::Preflight;
    first.headers.clear();
    first.status = first.status.map(|_| 403);
    first.verdict = Verdict::Denied(Reason {
        code: ReasonCode::RouteAmbiguous,
        value: request.path,
        preflight,
        rules: &AmbiguousRoute,
    });
    first
}

/// Explains `route_ambiguous` denials.
struct AmbiguousRoute;

impl Explain for AmbiguousRoute {
    fn explain(&self, f: &mut fmt::Formatter<'_>, _: ReasonCode, value: &[u8]) -> fmt::Result {
        write!(
            f,
            "the path `{}` names different routes in the forms servers route on (decoded, \
             slashes merged, dot segments removed, case folded), and those routes answer \
             differently; hint: request the path in its canonical form",
            value.escape_ascii()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_paths_match_prefixes_on_segment_boundaries() {
        let p = PathPattern::parse("/api/*").unwrap();
        for yes in ["/api", "/api/", "/api/x", "/api/x/y"] {
            assert!(p.matches(yes.as_bytes()), "{yes}");
        }
        for no in ["/apix", "/ap", "/", "/API/x"] {
            assert!(!p.matches(no.as_bytes()), "{no}");
        }
        assert!(p.matches_loosely(b"/API/x"));
        assert!(!p.matches_loosely(b"/APIx"));
        assert!(PathPattern::parse("/*").unwrap().matches(b"/anything"));
        assert!(PathPattern::parse("/a/*/b").is_none());
        assert!(PathPattern::parse("api").is_none());
    }

    #[test]
    fn loose_exact_matches_ignore_case_and_one_trailing_slash() {
        let p = PathPattern::parse("/exact").unwrap();
        for yes in ["/exact", "/exact/", "/EXACT", "/Exact/"] {
            assert!(p.matches_loosely(yes.as_bytes()), "{yes}");
        }
        for no in ["/exact//", "/exactly", "/"] {
            assert!(!p.matches_loosely(no.as_bytes()), "{no}");
        }
        let root = PathPattern::parse("/").unwrap();
        assert!(root.matches_loosely(b"/") && !root.matches_loosely(b"/a"));
    }
}
