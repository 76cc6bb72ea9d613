//! Sets of header names, looked up ASCII case-insensitively without allocating.

use crate::syntax::ascii::{case_insensitive_hash, eq_lowercase};
use hashbrown::HashTable;

/// Request header names, looked up ASCII case-insensitively without allocating.
#[derive(Debug, Default)]
pub(super) struct NameSet {
    table: HashTable<Box<str>>,
}

impl NameSet {
    /// Inserts a name; false when it was already there (in any case).
    pub(super) fn insert(&mut self, name: &str) -> bool {
        if self.contains(name.as_bytes()) {
            return false;
        }
        self.table.insert_unique(
            case_insensitive_hash(name.as_bytes()),
            name.to_ascii_lowercase().into(),
            |k| case_insensitive_hash(k.as_bytes()),
        );
        true
    }

    pub(super) fn contains(&self, name: &[u8]) -> bool {
        self.table
            .find(case_insensitive_hash(name), |k| {
                eq_lowercase(name, k.as_bytes())
            })
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_set_is_case_insensitive() {
        let mut s = NameSet::default();
        assert!(s.insert("X-Request-ID"));
        assert!(!s.insert("x-request-id"));
        assert!(s.contains(b"X-REQUEST-ID"));
        assert!(!s.contains(b"x-request"));
    }
}
