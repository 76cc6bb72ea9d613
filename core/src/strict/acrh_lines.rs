//! The `Access-Control-Request-Headers` values browsers send for allowed headers, recognised
//! whole.
//!
//! The Fetch standard fixes how a browser writes the header: the names byte-lowercased,
//! sorted, without duplicates, joined by `,` ("CORS-unsafe request-header names"). For a
//! policy listing a few names, every such value made of allowed names is known in advance:
//! one per non-empty subset. A preflight whose single line is one of them is allowed after one
//! hash lookup, without splitting and looking up each name. Any other line (spaces, upper
//! case, another order, a name not allowed) takes the full check, which decides the same.

use crate::syntax::ascii::hash_with;
use hashbrown::{DefaultHashBuilder, HashTable};

/// Policies listing more names than this get no table (it would hold 2^n - 1 lines).
const MAX_NAMES: usize = 8;

/// The serialized non-empty subsets of a list of allowed request-header names.
#[derive(Debug, Default)]
pub(crate) struct BrowserLines {
    /// Seeded: request bytes choose what is looked up, not what is stored.
    hasher: DefaultHashBuilder,
    lines: HashTable<Box<[u8]>>,
}

impl BrowserLines {
    /// The lines for these allowed names (lower case, distinct); empty beyond [`MAX_NAMES`].
    pub(crate) fn new(names: &[String]) -> BrowserLines {
        let mut table = BrowserLines::default();
        if names.len() > MAX_NAMES {
            return table;
        }
        let mut sorted: Vec<&str> = names.iter().map(String::as_str).collect();
        sorted.sort_unstable();
        for subset in 1..1u32 << sorted.len() {
            let line = sorted
                .iter()
                .enumerate()
                .filter(|(i, _)| subset & (1 << i) != 0)
                .map(|(_, name)| *name)
                .collect::<Vec<_>>()
                .join(",");
            let hash = table.hash(line.as_bytes());
            let hasher = &table.hasher;
            table
                .lines
                .insert_unique(hash, line.into_bytes().into(), |l| hash_with(hasher, l));
        }
        table
    }

    /// Whether `line` is the serialization of a non-empty set of allowed names.
    pub(crate) fn contains(&self, line: &[u8]) -> bool {
        !self.lines.is_empty() && self.lines.find(self.hash(line), |l| **l == *line).is_some()
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        hash_with(&self.hasher, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(names: &[&str]) -> BrowserLines {
        BrowserLines::new(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn every_sorted_subset_and_nothing_else() {
        let t = lines(&["x-b", "authorization", "content-type"]);
        for line in [
            "authorization",
            "content-type",
            "x-b",
            "authorization,content-type",
            "authorization,x-b",
            "content-type,x-b",
            "authorization,content-type,x-b",
        ] {
            assert!(t.contains(line.as_bytes()), "{line}");
        }
        for line in [
            "",
            "x-b,content-type",
            "authorization, content-type",
            "Content-Type",
            "x-b,x-b",
            "x-c",
            "content-type,",
        ] {
            assert!(!t.contains(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn too_many_names_make_no_table() {
        let names: Vec<String> = (0..=MAX_NAMES).map(|i| format!("x-{i}")).collect();
        assert!(!BrowserLines::new(&names).contains(b"x-0"));
        assert!(!lines(&[]).contains(b""));
    }
}
