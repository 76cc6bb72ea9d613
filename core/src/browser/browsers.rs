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

    /// How the browser lists a request's CORS-unsafe headers, which decides whether a preflight
    /// is sent and what its `Access-Control-Request-Headers` holds: the standard's rule in
    /// Chromium (and, from documented behaviour, WebKit); Firefox 153 ESR applies no limit to
    /// the safelisted values together and names a header once per value the page appended
    /// (both seen in the real browsers, tests/browser).
    pub fn unsafe_header_rule(self) -> UnsafeHeaderRule {
        match self {
            Browser::Firefox => UnsafeHeaderRule {
                total_limit: false,
                repeats_names: true,
            },
            Browser::Chromium | Browser::WebKit => UnsafeHeaderRule::STANDARD,
        }
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

/// How a browser turns the headers a page set into CORS-unsafe names (Fetch "CORS-unsafe
/// request-header names"): each value the page appended is safelisted or not on its own, and
/// these switches say where a browser departs from the standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnsafeHeaderRule {
    /// When the safelisted values carry more than 1024 bytes together, every safelisted header
    /// counts as unsafe too (the standard, Chromium).
    pub total_limit: bool,
    /// `Access-Control-Request-Headers` names a header once per unsafe value (`x-a,x-a` for
    /// two `X-A` values: Firefox), not once.
    pub repeats_names: bool,
}

impl UnsafeHeaderRule {
    /// The Fetch standard's rule.
    pub const STANDARD: UnsafeHeaderRule = UnsafeHeaderRule {
        total_limit: true,
        repeats_names: false,
    };
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
