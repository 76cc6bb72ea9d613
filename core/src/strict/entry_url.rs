//! Policy origin entries as the WHATWG URL Standard reads them (the `url` crate): an entry
//! must be exactly the origin a browser serializes for it, so that it can match at all.

use crate::syntax::origin::{Host, Parsed, Port};
use url::{Origin, Url};

/// Why an entry that is syntactically an origin cannot be one a browser sends.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum UrlProblem {
    /// The URL Standard refuses the host (`http://xn--f`, `http://foo.bar.255`).
    InvalidHost(&'static str),
    /// The scheme has no tuple origin (`file://example.com`): browsers send `null`.
    Opaque,
    /// `*.` over an IP address (`http://*.127.0.0.1`).
    WildcardOverIp,
    /// The browser serializes this origin differently; the canonical entry is given.
    NotCanonical(String),
}

/// What the URL Standard says about a canonical entry.
pub(super) struct Canonical {
    /// Whether the host is loopback (127.0.0.0/8, `::1`, `localhost` and below it).
    pub loopback: bool,
}

/// Schemes browsers send as `scheme://host` origins although the URL Standard gives them an
/// opaque origin (extension pages): checked by corsgate's own syntax only.
const EXTENSION_SCHEMES: [&str; 3] = ["chrome-extension", "moz-extension", "safari-web-extension"];

/// Checks `entry` (already parsed as `parsed`) against the URL Standard.
pub(super) fn check(entry: &str, parsed: &Parsed<'_>) -> Result<Canonical, UrlProblem> {
    if EXTENSION_SCHEMES.contains(&parsed.scheme) {
        return Ok(Canonical { loopback: false });
    }
    let (host, wildcard) = match parsed.host {
        Host::Name(h) => (h, false),
        Host::Subdomains(suffix) => (suffix, true),
    };
    let port = match parsed.port {
        Port::Number(n) => format!(":{n}"),
        Port::Default | Port::Any => String::new(),
    };
    let written = format!("{}://{host}{port}", parsed.scheme);
    let url = Url::parse(&written).map_err(|e| UrlProblem::InvalidHost(describe(e)))?;
    let Origin::Tuple(_, url_host, _) = url.origin() else {
        return Err(UrlProblem::Opaque);
    };
    if wildcard && !matches!(url_host, url::Host::Domain(_)) {
        return Err(UrlProblem::WildcardOverIp);
    }
    let canonical = url.origin().ascii_serialization();
    if canonical != written {
        let mut fixed = canonical;
        if wildcard {
            fixed = fixed.replacen("://", "://*.", 1);
        }
        if parsed.port == Port::Any {
            fixed.push_str(":*");
        }
        debug_assert_ne!(fixed, entry);
        return Err(UrlProblem::NotCanonical(fixed));
    }
    Ok(Canonical {
        loopback: is_loopback(&url_host),
    })
}

/// Loopback hosts as browsers see them ("potentially trustworthy"): 127.0.0.0/8, `::1`,
/// `localhost` and names below it.
fn is_loopback(host: &url::Host<String>) -> bool {
    match host {
        url::Host::Ipv4(a) => a.is_loopback(),
        url::Host::Ipv6(a) => a.is_loopback(),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.');
            d == "localhost" || d.ends_with(".localhost")
        }
    }
}

/// A few words on why the URL Standard refused the host.
fn describe(e: url::ParseError) -> &'static str {
    use url::ParseError as E;
    match e {
        E::InvalidIpv4Address => "is not a valid IPv4 address",
        E::InvalidIpv6Address => "is not a valid IPv6 address",
        E::IdnaError => "is not a valid domain name (IDNA)",
        E::InvalidPort => "has an invalid port",
        E::EmptyHost => "is empty",
        _ => "is not a valid host",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::origin;

    fn check_str(entry: &str) -> Result<bool, UrlProblem> {
        let parsed = origin::parse(entry.as_bytes(), true).unwrap();
        check(entry, &parsed).map(|c| c.loopback)
    }

    #[test]
    fn entries_no_browser_sends_are_refused_with_the_canonical_form() {
        for (entry, canonical) in [
            ("http://127.1:3999", "http://127.0.0.1:3999"),
            (
                "http://[2001:4860:4860:0000:0000:0000:0000:8888]:90",
                "http://[2001:4860:4860::8888]:90",
            ),
            ("http://1:6060", "http://0.0.0.1:6060"),
            ("https://127.0.0.1.:90", "https://127.0.0.1:90"),
            ("http://[0:0:0:0:0:0:0:1]", "http://[::1]"),
            ("http://0x7f.0.0.1:*", "http://127.0.0.1:*"),
        ] {
            assert_eq!(
                check_str(entry),
                Err(UrlProblem::NotCanonical(canonical.into())),
                "{entry}"
            );
        }
        assert!(matches!(
            check_str("http://xn--f"),
            Err(UrlProblem::InvalidHost(_))
        ));
        assert!(matches!(
            check_str("http://foo.bar.255:6060"),
            Err(UrlProblem::InvalidHost(_))
        ));
        assert!(matches!(
            check_str("http://127.999.0.1"),
            Err(UrlProblem::InvalidHost(_))
        ));
        assert_eq!(check_str("file://example.com"), Err(UrlProblem::Opaque));
        assert_eq!(check_str("foo://example.com"), Err(UrlProblem::Opaque));
        assert_eq!(
            check_str("http://*.127.0.0.1:3999"),
            Err(UrlProblem::WildcardOverIp)
        );
        assert_eq!(
            check_str("http://*.10.0.0.1:*"),
            Err(UrlProblem::WildcardOverIp)
        );
    }

    #[test]
    fn canonical_entries_pass_and_loopback_follows_the_parsed_host() {
        for (entry, loopback) in [
            ("https://app.example.com", false),
            ("https://*.example.com", false),
            ("http://localhost:*", true),
            ("http://a.localhost:3000", true),
            ("http://127.0.0.1:8080", true),
            ("http://127.255.0.1", true),
            ("http://[::1]:3000", true),
            ("http://[2001:db8::1]", false),
            ("http://128.0.0.1", false),
            ("https://xn--bcher-kva.example", false),
            ("wss://socket.example:8443", false),
            ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", false),
        ] {
            assert_eq!(check_str(entry), Ok(loopback), "{entry}");
        }
    }
}
