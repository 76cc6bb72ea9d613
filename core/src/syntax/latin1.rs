//! Latin-1 (ISO-8859-1) text: how Python's ASGI/WSGI servers and Node decode header bytes,
//! one character per byte. The one conversion every profile and binding uses.

use std::borrow::Cow;

/// The text of `bytes` read as Latin-1: each byte is the character of the same number.
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// The bytes `text` stands for in Latin-1 (Python's `str.encode("latin-1")`), or `None` when
/// a character is above U+00FF. ASCII, the usual case, is borrowed as is.
pub fn encode(text: &str) -> Option<Cow<'_, [u8]>> {
    if text.is_ascii() {
        return Some(Cow::Borrowed(text.as_bytes()));
    }
    let mut out = Vec::with_capacity(text.len());
    encode_into(text, &mut out).then_some(Cow::Owned(out))
}

/// Appends the Latin-1 bytes of `text` to `out`; false (and `out` unchanged) when a
/// character is above U+00FF.
pub fn encode_into(text: &str, out: &mut Vec<u8>) -> bool {
    if text.chars().any(|c| u32::from(c) > 0xFF) {
        return false;
    }
    out.extend(
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(0)),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = decode(&all);
        assert_eq!(text.chars().count(), 256);
        assert_eq!(encode(&text).as_deref(), Some(all.as_slice()));
        assert!(matches!(
            encode("https://a.example"),
            Some(Cow::Borrowed(_))
        ));
        assert_eq!(encode("caf\u{e9}").as_deref(), Some(b"caf\xe9".as_slice()));
        assert_eq!(encode("\u{20ac}"), None);
        let mut out = b"x".to_vec();
        assert!(!encode_into("a\u{20ac}", &mut out));
        assert_eq!(out, b"x");
    }
}
