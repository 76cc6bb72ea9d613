//! The `Vary` names a decision adds to a response, and how they merge with the response's own.

use std::borrow::Cow;

/// The `Vary` names a response must carry (appended to the application's own `Vary`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Vary {
    origin: bool,
    preflight: bool,
    private_network: bool,
}

const VARY_NAMES: [&str; 4] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Access-Control-Request-Private-Network",
];

impl Vary {
    /// Every name either lists.
    pub(crate) fn union(self, other: Vary) -> Vary {
        Vary {
            origin: self.origin || other.origin,
            preflight: self.preflight || other.preflight,
            private_network: self.private_network || other.private_network,
        }
    }

    pub(crate) fn new(origin: bool, preflight: bool, private_network: bool) -> Vary {
        Vary {
            origin,
            preflight,
            private_network: preflight && private_network,
        }
    }

    /// The names are `VARY_NAMES[start..end]`.
    fn range(self) -> (usize, usize) {
        let start = if self.origin { 0 } else { 1 };
        let end = match (self.preflight, self.private_network) {
            (false, _) => 1,
            (true, false) => 3,
            (true, true) => 4,
        };
        (start, end)
    }

    /// The header names, in order.
    pub fn names(self) -> &'static [&'static str] {
        let (start, end) = self.range();
        VARY_NAMES.get(start..end).unwrap_or(&[])
    }

    /// The names joined with `, `, ready to append to a `Vary` header (empty when none).
    /// A slice of one constant (no search: bindings call this on every response).
    pub fn value(self) -> &'static str {
        const JOINED: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";
        // Where each of VARY_NAMES starts and ends in JOINED.
        const STARTS: [usize; 4] = [0, 8, 39, 71];
        const ENDS: [usize; 4] = [6, 37, 69, 109];
        let (start, end) = self.range();
        match (
            STARTS.get(start),
            end.checked_sub(1).and_then(|last| ENDS.get(last)),
        ) {
            (Some(&from), Some(&to)) if from < to => JOINED.get(from..to).unwrap_or(""),
            _ => "",
        }
    }

    /// The `Vary` whose [`Vary::value`] is exactly `value`, for a binding that carried a
    /// decision's `Vary` as its text past the request (Node keeps it in JavaScript until the
    /// application's response is written); `None` for any other text.
    pub fn from_value(value: &str) -> Option<Vary> {
        (0..8u8)
            .map(|bits| Vary::new(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0))
            .find(|v| v.value() == value)
    }

    /// The names a response still lacks, given the values of its own `Vary` header lines:
    /// a name already listed (case-insensitively) or a `*` value is not repeated.
    pub fn unlisted<'v, I>(self, vary_values: I) -> impl Iterator<Item = &'static str>
    where
        I: IntoIterator<Item = &'v [u8]> + Clone,
    {
        self.names().iter().copied().filter(move |name| {
            !vary_values
                .clone()
                .into_iter()
                .any(|value| vary_lists(value, name.as_bytes()))
        })
    }

    /// The one `Vary` line that replaces a response's own `Vary` lines (their values, in
    /// order, without empty ones), when they lack a name of this `Vary`: the response's
    /// names are kept, the missing ones appended, none repeated (ASCII case-insensitively;
    /// a `*` lists every name). `None` when nothing is missing (the lines stay as they are);
    /// the constant [`Vary::value`] when the response has no `Vary` line.
    pub fn merge<'v, I>(self, listed: I) -> Option<Cow<'static, [u8]>>
    where
        I: IntoIterator<Item = &'v [u8]> + Clone,
    {
        if self.names().is_empty() {
            return None;
        }
        if listed.clone().into_iter().next().is_none() {
            return Some(Cow::Borrowed(self.value().as_bytes()));
        }
        let mut missing = self.unlisted(listed.clone()).peekable();
        missing.peek()?;
        let mut joined: Vec<u8> = Vec::new();
        let own = listed
            .into_iter()
            .map(<[u8]>::trim_ascii)
            .filter(|v| !v.is_empty());
        for value in own.chain(missing.map(|n: &'static str| -> &'v [u8] { n.as_bytes() })) {
            if !joined.is_empty() {
                joined.extend_from_slice(b", ");
            }
            joined.extend_from_slice(value);
        }
        Some(Cow::Owned(joined))
    }
}

/// Whether one `Vary` header value already lists `name` (ASCII case-insensitively), or is `*`,
/// which covers every name. Elements are comma-separated; spaces and tabs around them are
/// ignored.
pub fn vary_lists(value: &[u8], name: &[u8]) -> bool {
    value
        .split(|&b| b == b',')
        .map(<[u8]>::trim_ascii)
        .any(|listed| listed == b"*" || listed.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unlisted_vary_names_skip_listed_ones_and_star() {
        let v = Vary::new(true, true, false);
        let existing: [&[u8]; 2] = [
            b"accept-encoding, origin",
            b"Access-Control-Request-Headers",
        ];
        let missing: Vec<_> = v.unlisted(existing).collect();
        assert_eq!(missing, ["Access-Control-Request-Method"]);
        assert_eq!(v.unlisted([b"*".as_slice()]).count(), 0);
        assert_eq!(v.unlisted(std::iter::empty::<&[u8]>()).count(), 3);
    }

    #[test]
    fn vary_names_and_values_agree() {
        for origin in [false, true] {
            for preflight in [false, true] {
                for pn in [false, true] {
                    let v = Vary::new(origin, preflight, pn);
                    assert_eq!(v.value(), v.names().join(", "));
                }
            }
        }
        assert_eq!(Vary::new(false, false, true).names(), &[] as &[&str]);
        for origin in [false, true] {
            for preflight in [false, true] {
                for pn in [false, true] {
                    let v = Vary::new(origin, preflight, pn);
                    assert_eq!(
                        Vary::from_value(v.value()).map(Vary::names),
                        Some(v.names())
                    );
                }
            }
        }
        assert_eq!(Vary::from_value("origin"), None);
        assert_eq!(Vary::from_value("Origin, Origin"), None);
        assert_eq!(
            Vary::new(true, true, false).value(),
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        );
    }
}
