//! What the Python peers (django-cors-headers, flask-cors) compute with Python's own string
//! functions, reproduced on the bytes of a header as WSGI and ASGI servers give it to Python
//! (each byte one Latin-1 character), plus the answer type their profiles return.
//!
//! The peers' answers are plain header lists whose values may be request bytes reflected as
//! they came (an origin, requested header names): [`Answer`] carries them as bytes, and a
//! binding decodes every value as Latin-1, which gives back exactly the Python string the
//! peer would have sent.

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use arrayvec::ArrayVec;
use std::borrow::Cow;

/// The most headers a compatibility answer carries.
pub const MAX_ANSWER_HEADERS: usize = 8;

/// A compatibility profile's answer: the status of a preflight the middleware answers itself
/// (`None`: the application answers), and the headers to set, in the peer's order and case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Answer<'a> {
    /// The status to answer with, or `None` when the application answers.
    pub status: Option<u16>,
    headers: ArrayVec<(&'static str, Cow<'a, [u8]>), MAX_ANSWER_HEADERS>,
}

impl<'a> Answer<'a> {
    pub(crate) fn push(&mut self, name: &'static str, value: impl Into<Cow<'a, [u8]>>) {
        // MAX_ANSWER_HEADERS bounds every profile's list: this never fails.
        let _ = self.headers.try_push((name, value.into()));
    }

    /// The headers, in order; values as bytes (decode them as Latin-1).
    pub fn headers(&self) -> &[(&'static str, Cow<'a, [u8]>)] {
        &self.headers
    }
}

/// Python's `str.isspace()` for one Latin-1 character.
pub(crate) fn is_py_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=0x20 | 0x85 | 0xa0)
}

/// Python's `str.strip()` on Latin-1 text.
pub(crate) fn py_strip(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_py_space(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_py_space(b))
        .map_or(start, |i| i + 1);
    s.get(start..end).unwrap_or(&[])
}

/// A byte no folded or upper-cased ASCII text contains: stands for a Latin-1 letter whose
/// Python case mapping leaves Latin-1 (`µ` -> `μ`, `ÿ` -> `Ÿ`), so it never matches.
const OUTSIDE: u8 = 0xff;

/// Python's `str.casefold()` of Latin-1 text, as bytes. A character whose fold is outside
/// Latin-1 (only `µ`) becomes a byte that matches no ASCII text.
pub(crate) fn py_casefold(s: &[u8]) -> Cow<'_, [u8]> {
    let plain = |b: u8| !(b.is_ascii_uppercase() || b >= 0xb5);
    if s.iter().all(|&b| plain(b)) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len() + 1);
    for &b in s {
        match b {
            b'A'..=b'Z' => out.push(b + 32),
            0xb5 => out.push(OUTSIDE),
            0xc0..=0xde if b != 0xd7 => out.push(b + 32),
            0xdf => out.extend_from_slice(b"ss"),
            _ => out.push(b),
        }
    }
    Cow::Owned(out)
}

/// Python's `str.upper()` of Latin-1 text, as bytes; characters upper-cased outside Latin-1
/// (`µ`, `ÿ`) become a byte that matches no ASCII text.
pub(crate) fn py_upper(s: &[u8]) -> Cow<'_, [u8]> {
    let plain = |b: u8| !(b.is_ascii_lowercase() || b == 0xb5 || b >= 0xdf);
    if s.iter().all(|&b| plain(b)) {
        return Cow::Borrowed(s);
    }
    let mut out = Vec::with_capacity(s.len() + 1);
    for &b in s {
        match b {
            b'a'..=b'z' => out.push(b - 32),
            0xb5 | 0xff => out.push(OUTSIDE),
            0xdf => out.extend_from_slice(b"SS"),
            0xe0..=0xfe if b != 0xf7 => out.push(b - 32),
            _ => out.push(b),
        }
    }
    Cow::Owned(out)
}

/// `regex_unanchored`, at `path`, for a Python pattern that does not end with `$` or `\Z`:
/// both peers match with `re.match`, which anchors only the start.
pub(crate) fn regex_unanchored(path: impl Into<String>, re: &str) -> Option<Diagnostic> {
    (!(re.ends_with('$') || re.ends_with("\\Z"))).then(|| {
        Diagnostic::new(
            path,
            DiagnosticCode::RegexUnanchored,
            format!(
                "`{re}` is matched with re.match, from the start only: it also allows any origin \
                 that merely begins with a match (`https://app.example.com.evil.example`)"
            ),
        )
        .hint("end the pattern with `$`")
    })
}

/// True when every byte can be sent in a header value as configured text.
pub(crate) fn is_printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casefold_and_upper_follow_python_on_latin1() {
        // Python: "AbÀß×µ".casefold() == "abàss×μ"; "aÿßµ÷é".upper() == "AŸSSΜ÷É"
        assert_eq!(
            &*py_casefold(b"Ab\xc0\xdf\xd7\xb5"),
            b"ab\xe0ss\xd7\xff".as_slice()
        );
        assert_eq!(
            &*py_upper(b"a\xff\xdf\xb5\xf7\xe9"),
            b"A\xffSS\xff\xf7\xc9".as_slice()
        );
        assert!(matches!(py_casefold(b"x-a"), Cow::Borrowed(_)));
        assert!(matches!(py_upper(b"GET"), Cow::Borrowed(_)));
    }

    #[test]
    fn strip_matches_python() {
        // Python: "\x1c\xa0 X-A \x85\t".strip() == "X-A"
        assert_eq!(py_strip(b"\x1c\xa0 X-A \x85\t"), b"X-A");
        assert_eq!(py_strip(b" \t "), b"");
    }
}
