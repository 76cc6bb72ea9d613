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

/// The elements of one line of a comma-separated list (RFC 9110 `#rule`), trimmed of spaces
/// and tabs, empty ones skipped; each with whether it is a token. One pass over the bytes:
/// it runs on every `Access-Control-Request-Headers` line.
pub(crate) fn list_elements(line: &[u8]) -> ListElements<'_> {
    ListElements { line, at: 0 }
}

/// The iterator of [`list_elements`].
pub(crate) struct ListElements<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Iterator for ListElements<'a> {
    type Item = (&'a [u8], bool);

    fn next(&mut self) -> Option<Self::Item> {
        let line = self.line;
        let byte = |i: usize| line.get(i).copied();
        let mut i = self.at;
        // Separators and spaces before the element.
        while let Some(b' ' | b'\t' | b',') = byte(i) {
            i += 1;
        }
        let start = i;
        byte(start)?;
        // The usual element: a run of token bytes up to a comma or the end.
        while byte(i).is_some_and(is_tchar) {
            i += 1;
        }
        let mut end = i;
        let mut token = true;
        // Anything else before the comma: trailing spaces are trimmed; another byte (a space
        // inside the element, or a byte no token has) makes it a non-token.
        while let Some(b) = byte(i) {
            match b {
                b',' => break,
                b' ' | b'\t' => {}
                _ => {
                    token = false;
                    end = i + 1;
                }
            }
            i += 1;
        }
        self.at = i;
        Some((line.get(start..end)?, token))
    }
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
    // Already upper case, as browsers send them: no search.
    if let b"GET" | b"POST" | b"PUT" | b"DELETE" | b"HEAD" | b"OPTIONS" = m {
        return m;
    }
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
    fn list_elements_split_trim_and_check_tokens() {
        let got: Vec<_> = list_elements(b" a,,b c , \t,d\x01 ,e").collect();
        let want: [(&[u8], bool); 4] = [
            (b"a", true),
            (b"b c", false),
            (b"d\x01", false),
            (b"e", true),
        ];
        assert_eq!(got, want);
        assert_eq!(list_elements(b"").count(), 0);
        assert_eq!(list_elements(b" , ,\t").count(), 0);
    }

    /// The one-pass splitter agrees with splitting on commas, trimming and checking each
    /// element, on every line of up to five bytes drawn from the bytes that matter, and on
    /// longer pseudo-random lines.
    #[test]
    fn list_elements_agree_with_split_and_trim() {
        let alphabet = [b'a', b'-', b' ', b'\t', b',', 0x01, 0xc3];
        let mut lines: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..5 {
            let longer: Vec<Vec<u8>> = lines
                .iter()
                .filter(|l| l.len() == lines.last().map_or(0, Vec::len))
                .flat_map(|l| alphabet.iter().map(move |&b| [l.as_slice(), &[b]].concat()))
                .collect();
            lines.extend(longer);
        }
        // And longer lines, pseudo-random but fixed.
        let wide = [
            b'a', b'z', b'0', b'-', b'Z', b'!', b' ', b'\t', b',', 0x01, 0xc3, 0x7f,
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let len = (next() % 40) as usize;
            lines.push((0..len).map(|_| wide[(next() % 12) as usize]).collect());
        }
        for line in &lines {
            let reference: Vec<(&[u8], bool)> = line
                .split(|&b| b == b',')
                .map(trim_ows)
                .filter(|e| !e.is_empty())
                .map(|e| (e, is_token(e)))
                .collect();
            let got: Vec<_> = list_elements(line).collect();
            assert_eq!(got, reference, "{line:?}");
        }
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
