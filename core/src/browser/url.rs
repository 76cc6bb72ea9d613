//! The checker's URLs, parsed with the WHATWG URL Standard's parser (the `url` crate, the
//! parser policy entries are checked with): the origin of the page and of the target URL, and
//! the URL as Chromium prints it in its console messages.

/// A parsed absolute URL: its serialized origin and its text (as the URL Standard serializes
/// it, without userinfo and fragment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    pub origin: String,
    pub href: String,
    pub has_credentials: bool,
}

/// Parses `s` as an absolute URL with a host (`scheme://host[:port][/path][?query]`), as the
/// URL Standard does: IDN hosts become punycode, IPv4 and IPv6 addresses their canonical form.
pub(crate) fn parse(s: &str) -> Result<Url, &'static str> {
    let mut u = ::url::Url::parse(s).map_err(describe)?;
    if !u.has_host() || u.host_str() == Some("") {
        return Err("has no host");
    }
    let origin = u.origin().ascii_serialization();
    let has_credentials = !u.username().is_empty() || u.password().is_some();
    // Both fail only for URLs that cannot have credentials, which `has_host` excluded.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_fragment(None);
    Ok(Url {
        scheme: u.scheme().to_owned(),
        origin,
        href: u.as_str().to_owned(),
        has_credentials,
    })
}

/// A few words on why the URL Standard's parser refused a URL.
fn describe(e: ::url::ParseError) -> &'static str {
    use ::url::ParseError as E;
    match e {
        E::RelativeUrlWithoutBase | E::RelativeUrlWithCannotBeABaseBase => "has no `scheme://`",
        E::EmptyHost => "has no host",
        E::InvalidPort => "has an invalid port",
        E::InvalidIpv4Address => "has an invalid IPv4 address",
        E::InvalidIpv6Address => "has an invalid IPv6 address",
        E::IdnaError => "has a host that is not a valid international domain name",
        _ => "has an invalid host",
    }
}

/// Whether `value` is a URL (the URL Standard's parser accepts it): used only to choose
/// between "invalid value" and "not equal" in the error message for a wrong
/// `Access-Control-Allow-Origin`.
pub(crate) fn looks_like_valid_url(value: &str) -> bool {
    ::url::Url::parse(value).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_origin_and_href() {
        let u = parse("HTTPS://API.Example.com:443").unwrap();
        assert_eq!(u.origin, "https://api.example.com");
        assert_eq!(u.href, "https://api.example.com/");
        let u = parse("http://localhost:8080/a?b=1#frag").unwrap();
        assert_eq!(u.origin, "http://localhost:8080");
        assert_eq!(u.href, "http://localhost:8080/a?b=1");
        assert!(parse("https://user:pw@a.example/").unwrap().has_credentials);
        assert!(parse("a.example/x").is_err());
        assert!(parse("https://a.example:99999").is_err());
        // Hosts as the URL Standard writes them: IPv4 shorthands, IPv6 compressed, IDN.
        assert_eq!(
            parse("http://127.1:3999/").unwrap().origin,
            "http://127.0.0.1:3999"
        );
        let v6 = parse("http://[2001:4860:4860:0000:0000:0000:0000:8888]:90/").unwrap();
        assert_eq!(v6.origin, "http://[2001:4860:4860::8888]:90");
        assert_eq!(
            parse("https://Bücher.example/").unwrap().origin,
            "https://xn--bcher-kva.example"
        );
        assert!(parse("http://foo.bar.255/").is_err());
        assert!(parse("http://xn--f/").is_err());
        assert_eq!(parse("file:///etc/passwd"), Err("has no host"));
        assert_eq!(parse("file://host/x").unwrap().origin, "null");
    }

    #[test]
    fn approximates_gurl_validity() {
        assert!(looks_like_valid_url("https://a.example/"));
        assert!(looks_like_valid_url("HTTPS://A.EXAMPLE"));
        assert!(!looks_like_valid_url("a.example"));
        assert!(!looks_like_valid_url("https://"));
        assert!(!looks_like_valid_url("*.example.com"));
    }
}
