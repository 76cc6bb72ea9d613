//! Parsing serialized origins (Fetch "serializing an origin"), for requests and for policies.

/// Longest `Origin` value accepted; real origins are far shorter (a DNS name is <= 253 bytes).
pub(crate) const MAX_ORIGIN_LEN: usize = 1024;

/// Why a string is not a serialized origin. The order of the checks decides which defect a
/// string with several is reported with; each has a fix the user can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Defect {
    TooLong,
    Whitespace,
    NonAscii,
    MissingScheme,
    Userinfo,
    TrailingSlash,
    Path,
    Query,
    Fragment,
    InvalidPort,
    DefaultPort,
    BadWildcard,
    Uppercase,
    Invalid,
}

impl Defect {
    /// What is wrong, in a few words ("has a trailing slash").
    pub fn describe(self) -> &'static str {
        match self {
            Defect::TooLong => "is longer than 1024 bytes",
            Defect::Whitespace => "contains whitespace (or is a list of origins)",
            Defect::NonAscii => "contains non-ASCII bytes (hosts are sent in punycode, `xn--…`)",
            Defect::MissingScheme => "has no scheme",
            Defect::Userinfo => "contains userinfo (`user@`)",
            Defect::TrailingSlash => "has a trailing slash",
            Defect::Path => "has a path",
            Defect::Query => "has a query",
            Defect::Fragment => "has a fragment",
            Defect::InvalidPort => "has an invalid port (1-65535, no leading zero)",
            Defect::DefaultPort => "spells out the scheme's default port",
            Defect::BadWildcard => {
                "has a wildcard that is not a whole leading label (`https://*.example.com`) or the whole port (`http://localhost:*`)"
            }
            Defect::Uppercase => "has upper-case letters (browsers send scheme and host in lower case)",
            Defect::Invalid => "is not a serialized origin (`scheme://host[:port]`)",
        }
    }
}

/// The host of a parsed origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Host<'a> {
    /// A domain name, IPv4 address or bracketed IPv6 address.
    Name(&'a str),
    /// `*.suffix` (policies only): the suffix without `*.`.
    Subdomains(&'a str),
}

/// The port of a parsed origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Port {
    /// No port: the scheme's default.
    Default,
    Number(u16),
    /// `:*` (policies only): any port, the default included.
    Any,
}

/// A serialized origin split into its parts (slices of the input).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub scheme: &'a str,
    pub host: Host<'a>,
    pub port: Port,
}

/// Parses `s` as a serialized origin. With `wildcards`, also accepts a whole leading `*` label
/// and a `*` port (policy syntax). `null` is not handled here.
pub(crate) fn parse(s: &[u8], wildcards: bool) -> Result<Parsed<'_>, Defect> {
    if s.len() > MAX_ORIGIN_LEN {
        return Err(Defect::TooLong);
    }
    if s.is_empty() {
        return Err(Defect::Invalid);
    }
    if s.iter()
        .any(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
    {
        return Err(Defect::Whitespace);
    }
    let Ok(s) = std::str::from_utf8(s) else {
        return Err(Defect::NonAscii);
    };
    if !s.is_ascii() {
        return Err(Defect::NonAscii);
    }
    let Some(sep) = s.find("://") else {
        return Err(Defect::MissingScheme);
    };
    let scheme = &s[..sep];
    let mut upper = false;
    check_scheme(scheme, &mut upper)?;
    let rest = &s[sep + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err(Defect::Userinfo);
    }
    match tail.as_bytes().first() {
        None => {}
        Some(b'/') if tail == "/" => return Err(Defect::TrailingSlash),
        Some(b'/') => return Err(Defect::Path),
        Some(b'?') => return Err(Defect::Query),
        _ => return Err(Defect::Fragment),
    }
    let (host, port) = split_host_port(authority)?;
    let port = parse_port(port, scheme, wildcards)?;
    let host = parse_host(host, wildcards, &mut upper)?;
    if upper {
        return Err(Defect::Uppercase);
    }
    Ok(Parsed { scheme, host, port })
}

/// Byte classes for [`parse_common`], one table lookup per byte.
const SCHEME_BYTE: u8 = 1;
const HOST_BYTE: u8 = 2;
const CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_lowercase() || b.is_ascii_digit() {
            table[c] = SCHEME_BYTE | HOST_BYTE;
        }
        c += 1;
    }
    table[b'+' as usize] = SCHEME_BYTE;
    table[b'.' as usize] = SCHEME_BYTE;
    table[b'-' as usize] = SCHEME_BYTE | HOST_BYTE;
    table[b'_' as usize] = HOST_BYTE;
    table
};

/// When the eight bytes of `w` (SWAR, little-endian) are all `[a-z0-9_.-]`: the mask of the
/// dots (0x80 in each byte that is one). The additions stay within each byte, as every byte is
/// checked to be below 0x80 first.
fn label_bytes_or_dots(w: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if w & HIGH != 0 {
        return None;
    }
    // 0x80 in each byte that is at least `x`.
    let at_least = |x: u8| (w + (0x80 - u64::from(x)) * ONES) & HIGH;
    // 0x80 in each byte that equals `x`.
    let equal = |x: u8| {
        let v = w ^ (u64::from(x) * ONES);
        !(((v & !HIGH) + !HIGH) | v) & HIGH
    };
    let lower = at_least(b'a') & !at_least(b'z' + 1);
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let dots = equal(b'.');
    let valid = lower | digit | equal(b'-') | equal(b'_') | dots;
    (valid == HIGH).then_some(dots)
}

/// Parses the common shape of a request's `Origin` in one pass: a lower-case
/// `scheme://host[:port]` whose host is a domain name or IPv4 address. This runs on every
/// request whose origin is not an exact entry, where [`parse`]'s several passes showed up.
/// `None` means "not this shape", not "invalid": the caller then asks [`parse`], which also
/// names the defect. Whenever this returns `Some(p)`, `parse(s, false)` returns `Ok(p)`.
pub(crate) fn parse_common(s: &str) -> Option<Parsed<'_>> {
    let (sep, host_end, port) = common_shape(s.as_bytes())?;
    Some(Parsed {
        scheme: s.get(..sep)?,
        host: Host::Name(s.get(sep + 3..host_end)?),
        port,
    })
}

/// Whether `b` is a serialized origin, as [`parse`] (without wildcards) decides, without
/// building a [`Parsed`] or decoding UTF-8 on the common shape.
pub(crate) fn is_origin(b: &[u8]) -> bool {
    common_shape(b).is_some() || parse(b, false).is_ok()
}

/// The shape [`parse_common`] accepts, found in the bytes: the end of the scheme (where `://`
/// starts), the end of the host, and the port.
fn common_shape(b: &[u8]) -> Option<(usize, usize, Port)> {
    let class = |c: u8| CLASSES[usize::from(c)];
    if b.len() > MAX_ORIGIN_LEN || !b.first()?.is_ascii_lowercase() {
        return None;
    }
    // The scheme's characters exclude `:`, so this is the first `://`, as in `parse`.
    let sep = b.iter().position(|&c| class(c) & SCHEME_BYTE == 0)?;
    let (scheme, rest) = b.split_at(sep);
    let authority = rest.strip_prefix(b"://")?;
    // Labels of `[a-z0-9_-]`, never empty, one trailing dot at most (`check_domain`), up to
    // the port's `:`; every other byte (upper case, `/`, `@`, `[`, `*`, whitespace,
    // non-ASCII) leaves the fast path.
    let mut host_end = authority.len();
    let mut after_dot = true;
    // Eight bytes at a time while they are all label bytes or dots; the byte loop below
    // takes over at anything else (the port's `:`, a byte that leaves the fast path).
    let mut start = 0;
    while let Some(chunk) = authority.get(start..start + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let Some(dots) = label_bytes_or_dots(u64::from_le_bytes(word)) else {
            break;
        };
        // A dot right after a dot (or first in the host) is an empty label.
        if dots & ((dots << 8) | (u64::from(after_dot) << 7)) != 0 {
            return None;
        }
        after_dot = dots >> 63 != 0;
        start += 8;
    }
    for (i, &c) in authority.iter().enumerate().skip(start) {
        if class(c) & HOST_BYTE != 0 {
            after_dot = false;
            continue;
        }
        match c {
            b'.' if !after_dot => after_dot = true,
            b':' => {
                host_end = i;
                break;
            }
            _ => return None,
        }
    }
    if host_end == 0 {
        return None;
    }
    let port = match authority.get(host_end..)?.strip_prefix(b":") {
        None => Port::Default,
        Some(d) => {
            // 1 to 5 digits without a leading zero, at most 65535, not the default port.
            if d.is_empty() || d.len() > 5 || d.first() == Some(&b'0') {
                return None;
            }
            let mut n: u32 = 0;
            for &c in d {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            let n = u16::try_from(n).ok()?;
            // The scheme is in lower case here, as `default_port` would compare it.
            let default = match scheme {
                b"http" | b"ws" => Some(80),
                b"https" | b"wss" => Some(443),
                _ => None,
            };
            if default == Some(n) {
                return None;
            }
            Port::Number(n)
        }
    };
    Some((sep, sep + 3 + host_end, port))
}

fn check_scheme(scheme: &str, upper: &mut bool) -> Result<(), Defect> {
    let b = scheme.as_bytes();
    let valid = b.first().is_some_and(|c| c.is_ascii_alphabetic())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c));
    if !valid {
        return Err(if b.is_empty() {
            Defect::MissingScheme
        } else {
            Defect::Invalid
        });
    }
    *upper |= b.iter().any(u8::is_ascii_uppercase);
    Ok(())
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), Defect> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or(Defect::Invalid)?;
        let (host, after) = authority.split_at(close + 1);
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if after.is_empty() => Ok((host, None)),
            None => Err(Defect::Invalid),
        };
    }
    Ok(match authority.rfind(':') {
        Some(i) => (&authority[..i], Some(&authority[i + 1..])),
        None => (authority, None),
    })
}

fn parse_port(port: Option<&str>, scheme: &str, wildcards: bool) -> Result<Port, Defect> {
    let Some(p) = port else {
        return Ok(Port::Default);
    };
    if p == "*" && wildcards {
        return Ok(Port::Any);
    }
    if wildcards && p.contains('*') {
        return Err(Defect::BadWildcard);
    }
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) || p.starts_with('0') {
        return Err(Defect::InvalidPort);
    }
    let n: u32 = p.parse().map_err(|_| Defect::InvalidPort)?;
    let n = u16::try_from(n).map_err(|_| Defect::InvalidPort)?;
    if default_port(scheme) == Some(n) {
        return Err(Defect::DefaultPort);
    }
    Ok(Port::Number(n))
}

/// The default port of a scheme, which a serialized origin omits.
pub(crate) fn default_port(scheme: &str) -> Option<u16> {
    let is = |s: &str| scheme.eq_ignore_ascii_case(s);
    if is("http") || is("ws") {
        Some(80)
    } else if is("https") || is("wss") {
        Some(443)
    } else {
        None
    }
}

fn parse_host<'a>(host: &'a str, wildcards: bool, upper: &mut bool) -> Result<Host<'a>, Defect> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(Defect::Invalid)?;
        let valid = inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !valid {
            return Err(Defect::Invalid);
        }
        *upper |= inner.bytes().any(|b| b.is_ascii_uppercase());
        return Ok(Host::Name(host));
    }
    if host.contains('*') {
        if !wildcards {
            return Err(Defect::Invalid);
        }
        return match host.strip_prefix("*.") {
            Some(suffix) if !suffix.contains('*') && !suffix.is_empty() => {
                check_domain(suffix, upper)?;
                Ok(Host::Subdomains(suffix))
            }
            _ => Err(Defect::BadWildcard),
        };
    }
    check_domain(host, upper)?;
    Ok(Host::Name(host))
}

/// Letters, digits, `-`, `_`, non-empty labels; a single trailing dot is allowed.
fn check_domain(host: &str, upper: &mut bool) -> Result<(), Defect> {
    let body = host.strip_suffix('.').unwrap_or(host);
    let valid = !body.is_empty()
        && body.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if !valid {
        return Err(Defect::Invalid);
    }
    *upper |= host.bytes().any(|b| b.is_ascii_uppercase());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defect(s: &str) -> Defect {
        parse(s.as_bytes(), true).unwrap_err()
    }

    #[test]
    fn parses_origins_with_ports_and_ipv6() {
        let p = parse(b"http://[::1]:8080", false).unwrap();
        assert_eq!(p.host, Host::Name("[::1]"));
        assert_eq!(p.port, Port::Number(8080));
        let p = parse(b"https://*.example.com:*", true).unwrap();
        assert_eq!(p.host, Host::Subdomains("example.com"));
        assert_eq!(p.port, Port::Any);
    }

    #[test]
    fn classifies_each_defect() {
        assert_eq!(defect("https://a.com/"), Defect::TrailingSlash);
        assert_eq!(defect("https://a.com/x"), Defect::Path);
        assert_eq!(defect("https://a.com?x"), Defect::Query);
        assert_eq!(defect("https://a.com#x"), Defect::Fragment);
        assert_eq!(defect("https://u@a.com"), Defect::Userinfo);
        assert_eq!(defect("https://A.com"), Defect::Uppercase);
        assert_eq!(defect("HTTPS://a.com"), Defect::Uppercase);
        assert_eq!(defect("https://a.com:443"), Defect::DefaultPort);
        assert_eq!(defect("https://a.com:0"), Defect::InvalidPort);
        assert_eq!(defect("https://a.com:65536"), Defect::InvalidPort);
        assert_eq!(defect("https://a.com:080"), Defect::InvalidPort);
        assert_eq!(defect("a.com"), Defect::MissingScheme);
        assert_eq!(defect("https://*example.com"), Defect::BadWildcard);
        assert_eq!(defect("https://a.*.example.com"), Defect::BadWildcard);
        assert_eq!(defect("https://*"), Defect::BadWildcard);
        assert_eq!(defect("https://a.com, https://b.com"), Defect::Whitespace);
        assert_eq!(defect("https://a..com"), Defect::Invalid);
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_parser() {
        let accepted = [
            "https://app.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "https://a-b_c.example.com.",
            "web+app://x.y:65535",
            "https://x:1",
        ];
        for s in accepted {
            let fast = parse_common(s);
            assert!(fast.is_some(), "{s}");
            assert_eq!(fast.map(Ok), Some(parse(s.as_bytes(), false)), "{s}");
        }
        // Everything else leaves the fast path, valid (IPv6) or not.
        let left = [
            "",
            "null",
            "http://[::1]:8080",
            "HTTPS://a.com",
            "https://A.com",
            "https://a.com/",
            "https://a.com?x",
            "https://a.com#x",
            "https://u@a.com",
            "https://a.com:443",
            "http://a.com:80",
            "https://a.com:0",
            "https://a.com:080",
            "https://a.com:65536",
            "https://a.com:123456",
            "https://a.com:",
            "https://a.com:1:2",
            "https://a..com",
            "https://.a.com",
            "https://a.com..",
            "https://.",
            "https://",
            "https://*.a.com",
            "https://a.com ",
            "https://é.com",
            "1ttp://a.com",
            "://a.com",
            "ht:tp://a.com",
        ];
        for s in left {
            assert_eq!(parse_common(s), None, "{s}");
        }
    }

    #[test]
    fn label_bytes_or_dots_classifies_every_byte_in_every_lane() {
        for b in 0..=255u8 {
            let allowed = b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b);
            for lane in 0..8 {
                let mut word = *b"abcd0-_z";
                word[lane] = b;
                let got = label_bytes_or_dots(u64::from_le_bytes(word));
                let dots = if b == b'.' { 0x80u64 << (8 * lane) } else { 0 };
                assert_eq!(got, allowed.then_some(dots), "byte {b:#04x} in lane {lane}");
            }
        }
    }

    #[test]
    fn the_fast_path_never_disagrees_on_combinations() {
        let schemes = [
            "https", "http", "ws", "wss", "h2+x.y-z", "Http", "1a", "", "a b",
        ];
        let seps = ["://", ":/", "//", ":///"];
        let hosts = [
            "a.com",
            "a.com.",
            "a..com",
            ".a.com",
            "A.com",
            "[::1]",
            "1.2.3.4",
            "a_b-c",
            "*.a.com",
            "u@a.com",
            "a.com/",
            "a.com?",
            "a.com#",
            "",
            ".",
            "é",
            "a\tb",
            // Eight bytes and more, for the word-at-a-time scan and its edges.
            "abcdefgh",
            "abcdefgh.ijklmnop.com",
            "abcdefg.h",
            "abcdefg.",
            "abcdefgh.",
            "abcdefg..h",
            "abcdefgh..ij",
            ".abcdefgh",
            "........",
            "abc-def_gh.example.com",
            "abcdefgH.com",
            "abcdefg\u{7f}.com",
            "abcdefgé.com",
            "abcdefg/.com",
            "abcdefg:8.com",
            "0123456789.",
            "`abcdefg.com",
            "abcdefg{.com",
            "abcdefg@.com",
            "abcdefg[.com",
            "abcdefg/",
            "abcde.gh",
        ];
        let ports = [
            "", ":", ":0", ":1", ":80", ":443", ":8080", ":65535", ":65536", ":0080", ":1:2", ":x",
        ];
        let mut fast = 0;
        for scheme in schemes {
            for sep in seps {
                for host in hosts {
                    for port in ports {
                        let s = format!("{scheme}{sep}{host}{port}");
                        if let Some(p) = parse_common(&s) {
                            fast += 1;
                            assert_eq!(Ok(p), parse(s.as_bytes(), false), "{s}");
                        }
                        assert_eq!(
                            is_origin(s.as_bytes()),
                            parse(s.as_bytes(), false).is_ok(),
                            "{s}"
                        );
                    }
                }
            }
        }
        assert!(fast > 50, "{fast}");
    }

    #[test]
    fn wildcards_are_rejected_in_requests() {
        assert_eq!(parse(b"https://*.a.com", false), Err(Defect::Invalid));
        assert_eq!(
            parse(b"http://localhost:*", false),
            Err(Defect::InvalidPort)
        );
    }
}
