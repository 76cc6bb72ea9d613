//! Terminal colours: on when the stream is a terminal and `NO_COLOR` is unset or empty.

use std::io::IsTerminal;

/// Whether to colour a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    color: bool,
}

impl Style {
    /// Colours for a stream, following <https://no-color.org>.
    pub fn detect(stream: &impl IsTerminal) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style {
            color: stream.is_terminal() && !no_color,
        }
    }

    /// Labels of the human output.
    pub fn label(self, text: &str) -> String {
        self.paint("1", text)
    }

    /// Good news: an allowed verdict.
    pub fn good(self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Bad news: a denied verdict, an error.
    pub fn bad(self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// A warning.
    pub fn warn(self, text: &str) -> String {
        self.paint("1;33", text)
    }

    /// Secondary text: hints, notes.
    pub fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    fn paint(self, sgr: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_style_leaves_text_alone_and_color_wraps_it() {
        let plain = Style { color: false };
        assert_eq!(plain.bad("denied"), "denied");
        let color = Style { color: true };
        assert_eq!(color.bad("denied"), "\x1b[1;31mdenied\x1b[0m");
        assert_eq!(color.good("allowed"), "\x1b[1;32mallowed\x1b[0m");
    }
}
