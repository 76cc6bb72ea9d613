//! The browsers the checker answers for, and the facts in which they differ.
//!
//! All three let `*` in `Access-Control-Allow-Headers` cover `Authorization`, which the Fetch
//! standard does not: Firefox 153 ESR does so because its default
//! `network.cors_preflight.authorization_covered_by_wildcard` is `true`, and prints a
//! deprecation warning (tests/browser: the fetch resolves in Firefox).

use std::fmt;

/// A browser whose verdict, error kind and console text the checker predicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Browser {
    /// Chromium (Chrome, Edge, Opera): checked against a real Chromium 156.
    #[default]
    Chromium,
    /// Firefox: checked against a real Firefox 153 ESR.
    Firefox,
    /// Safari (WebKit): from WebKit's documented behaviour, not verified in a real browser here
    /// ([`Browser::verified`]).
    WebKit,
}

impl Browser {
    /// Every browser, in the order reports list them.
    pub const ALL: [Browser; 3] = [Browser::Chromium, Browser::Firefox, Browser::WebKit];

    /// `chromium`, `firefox` or `webkit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chromium => "chromium",
            Browser::Firefox => "firefox",
            Browser::WebKit => "webkit",
        }
    }

    /// The name people know: `Chromium`, `Firefox` or `Safari (WebKit)`.
    pub fn display_name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
            Browser::WebKit => "Safari (WebKit)",
        }
    }

    /// Reads `chromium` (or `chrome`), `firefox`, `webkit` (or `safari`), in any case.
    pub fn parse(s: &str) -> Option<Browser> {
        match s.to_ascii_lowercase().as_str() {
            "chromium" | "chrome" => Some(Browser::Chromium),
            "firefox" => Some(Browser::Firefox),
            "webkit" | "safari" => Some(Browser::WebKit),
            _ => None,
        }
    }

    /// Whether this browser's predictions were checked in the real browser (tests/browser runs
    /// Chromium and Firefox; Safari's come from WebKit's documented behaviour only).
    pub fn verified(self) -> bool {
        !matches!(self, Browser::WebKit)
    }

    /// The longest time, in seconds, the browser caches a passed preflight.
    pub fn max_age_cap(self) -> u64 {
        match self {
            Browser::Chromium => 7200,
            Browser::Firefox => 86400,
            Browser::WebKit => 600,
        }
    }
}

/// The browsers that cache a preflight for less than `seconds`, with their caps, as text:
/// `Chromium (7200 s) and Safari (WebKit) (600 s)`; empty when none does.
pub(crate) fn capping_max_age(seconds: u64) -> String {
    let capping: Vec<String> = Browser::ALL
        .iter()
        .filter(|b| b.max_age_cap() < seconds)
        .map(|b| format!("{} ({} s)", b.display_name(), b.max_age_cap()))
        .collect();
    match capping.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The lint text for a policy whose `*` in `Access-Control-Allow-Headers` must cover
/// `Authorization`: where that breaks (the standard) and which browser announced it will.
pub(crate) const WILDCARD_AUTHORIZATION_BREAKS: &str = "`*` does not cover Authorization in the Fetch standard; Chromium and Safari still allow it, and Firefox (153 ESR) allows it with a console warning that it will stop, so requests with an Authorization header break in Firefox once it does";

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}
