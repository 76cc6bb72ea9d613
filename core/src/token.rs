//! HTTP tokens, method normalisation and the Fetch standard's name lists.

/// RFC 9110 `tchar`, as a table: the token checks run on every byte of
/// `Access-Control-Request-Headers`, where a search of the symbol list per byte shows up.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let symbols = b"!#$%&'*+-.^_`|~";
    let mut i = 0;
    while i < symbols.len() {
        table[symbols[i] as usize] = true;
        i += 1;
    }
    table
};

/// True for RFC 9110 `tchar`.
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR[b as usize]
}

/// True for a non-empty RFC 9110 token.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// The six methods browsers upper-case (Fetch "normalize a method").
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Methods a preflight never needs to list (Fetch "CORS-safelisted method").
pub(crate) fn is_safelisted_method(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// Normalises a method as browsers do: an ASCII case-insensitive match of one of the six
/// standard methods becomes its upper-case form; anything else is returned unchanged.
pub(crate) fn normalize_method(m: &[u8]) -> &[u8] {
    NORMALIZED_METHODS
        .iter()
        .find(|n| n.as_bytes().eq_ignore_ascii_case(m))
        .map_or(m, |n| n.as_bytes())
}

/// CONNECT, TRACE and TRACK, in any case (Fetch "forbidden method").
pub(crate) fn is_forbidden_method(m: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(m))
}

/// Request-header names a page cannot set (Fetch "forbidden request-header").
pub(crate) fn is_forbidden_request_header(name: &str) -> bool {
    const NAMES: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let lower = name.to_ascii_lowercase();
    NAMES.contains(&lower.as_str()) || lower.starts_with("proxy-") || lower.starts_with("sec-")
}

/// Response-header names JavaScript can never read (Fetch "forbidden response-header name").
pub(crate) fn is_forbidden_response_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("set-cookie") || name.eq_ignore_ascii_case("set-cookie2")
}

/// Trims spaces and tabs (HTTP optional whitespace) from both ends.
pub(crate) fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_only_the_six_standard_methods() {
        assert_eq!(normalize_method(b"get"), b"GET");
        assert_eq!(normalize_method(b"Delete"), b"DELETE");
        assert_eq!(normalize_method(b"patch"), b"patch");
        assert_eq!(normalize_method(b"PATCH"), b"PATCH");
    }

    #[test]
    fn forbidden_header_prefixes_are_case_insensitive() {
        assert!(is_forbidden_request_header("Sec-Fetch-Mode"));
        assert!(is_forbidden_request_header("PROXY-Authorization"));
        assert!(!is_forbidden_request_header("x-sec-token"));
    }

    #[test]
    fn tchar_table_is_the_rfc_9110_set() {
        let symbols = b"!#$%&'*+-.^_`|~";
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || symbols.contains(&b);
            assert_eq!(is_tchar(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \tx-a \t"), b"x-a");
        assert_eq!(trim_ows(b"  "), b"");
    }
}
