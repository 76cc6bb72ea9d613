//! Just enough URL parsing for the checker: the origin of the page and of the target URL, and
//! the URL as Chromium prints it in its console messages.

use crate::syntax::origin;

/// A parsed absolute URL: its serialized origin and its text (scheme and host lower-cased,
/// default port dropped, an empty path written `/`, no fragment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Url {
    pub scheme: String,
    pub origin: String,
    pub href: String,
    pub has_credentials: bool,
}

/// Parses `s` as an absolute URL with an authority (`scheme://host[:port][/path][?query]`).
/// IDN hosts must already be in punycode; IPv6 addresses are lower-cased but not compressed.
pub(crate) fn parse(s: &str) -> Result<Url, &'static str> {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace() || c.is_ascii_control());
    let (scheme, rest) = s.split_once("://").ok_or("has no `scheme://`")?;
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid_scheme {
        return Err("has an invalid scheme");
    }
    let scheme = scheme.to_ascii_lowercase();
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (host, port) = split_host_port(hostport)?;
    if host.is_empty() {
        return Err("has no host");
    }
    if !host.is_ascii() {
        return Err("has a non-ASCII host (write it in punycode, `xn--…`)");
    }
    if host.bytes().any(|b| {
        b.is_ascii_control()
            || b" #%/:<>?@\\^|".contains(&b)
            || (b == b'[' && !host.starts_with('['))
    }) && !host.starts_with('[')
    {
        return Err("has an invalid host");
    }
    let host = host.to_ascii_lowercase();
    let port = match port {
        None | Some("") => None,
        Some(p) => {
            let n: u16 = p
                .parse()
                .ok()
                .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or("has an invalid port")?;
            (origin::default_port(&scheme) != Some(n)).then_some(n)
        }
    };
    let authority = match port {
        Some(p) => format!("{host}:{p}"),
        None => host,
    };
    let origin = format!("{scheme}://{authority}");
    let tail = tail.split('#').next().unwrap_or("").replace('\\', "/");
    let path = if tail.starts_with('/') {
        tail
    } else {
        format!("/{tail}")
    };
    Ok(Url {
        href: format!("{origin}{path}"),
        scheme,
        origin,
        has_credentials: userinfo.is_some(),
    })
}

fn split_host_port(s: &str) -> Result<(&str, Option<&str>), &'static str> {
    if s.starts_with('[') {
        let close = s.find(']').ok_or("has an invalid IPv6 address")?;
        let (host, after) = s.split_at(close + 1);
        return match after.strip_prefix(':') {
            Some(p) => Ok((host, Some(p))),
            None if after.is_empty() => Ok((host, None)),
            None => Err("has an invalid host"),
        };
    }
    Ok(match s.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    })
}

/// Whether Chromium's URL parser (GURL) would accept `value` as a URL: used only to choose
/// between "invalid value" and "not equal" in the error message for a wrong
/// `Access-Control-Allow-Origin`.
pub(crate) fn looks_like_valid_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let valid_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid_scheme {
        return false;
    }
    let special = matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss" | "ftp"
    );
    if !special {
        return true;
    }
    let after = rest.trim_start_matches(['/', '\\']);
    let end = after.find(['/', '?', '#', '\\']).unwrap_or(after.len());
    let authority = &after[..end];
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match split_host_port(hostport) {
        Ok((host, port)) => {
            !host.is_empty()
                && !host
                    .bytes()
                    .any(|b| b.is_ascii_control() || b" #%/<>?@\\^|".contains(&b))
                && !matches!(port, Some(p) if !p.is_empty() && p.parse::<u16>().is_err())
        }
        Err(_) => false,
    }
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
