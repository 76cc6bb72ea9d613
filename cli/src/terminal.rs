//! Text from the network made safe for a terminal: a server's status line and header bytes
//! could otherwise move the cursor, retitle the window or hide lines (`ESC`, `BEL`, `BS`,
//! `CSI`…) when doctor prints them.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1) and every bidirectional formatting
/// character written as an escape: `\x1b` for the 8-bit ones, `\u{9b}` above. Tab is kept
/// (header values may hold it); text without such characters is returned as is.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !needs_escape(c) {
            out.push(c);
        } else if u32::from(c) < 0x80 {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
    Cow::Owned(out)
}

/// Whether a character must not reach a terminal as it is.
fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("Access-Control-Allow-Origin: https://a.example"),
            Cow::Borrowed(_)
        ));
        assert_eq!(escape_controls("a\tb"), "a\tb");
        assert_eq!(
            escape_controls("\x1b[31mred\x07\x08\x7f\u{9b}\u{202e}é"),
            "\\x1b[31mred\\x07\\x08\\x7f\\u{9b}\\u{202e}é"
        );
        assert_eq!(escape_controls("\0\r\n"), "\\x00\\x0d\\x0a");
    }
}
