//! The forms of a request path that servers route on.
//!
//! A binding passes the request target exactly as the client sent it; servers then route on
//! different forms of it (measured on real servers, see `docs/semantics.md`, "Routes"):
//!
//! | form | how it is made | who routes on it |
//! |---|---|---|
//! | raw | the target itself | Express (ASCII case-insensitive, one trailing `/` optional) |
//! | decoded | every `%XX` decoded (`%2F` too) | uvicorn/Starlette, Django |
//! | decoded, leading `/`s merged | the same, `//a` as `/a` | waitress, Werkzeug (Flask) |
//! | normalised | decoded, every `//` merged, `.` and `..` segments removed | nginx |
//!
//! Every form drops an absolute-form target's `scheme://authority`, the query (`?…`) and the
//! fragment (`#…`); uvicorn's h11 server keeps a raw `#` in the path, so the decoded form is also
//! made of the whole target before `?`. A canonical path (no `%`, `#`, `//` or dot segment) is
//! all of these forms at once and is recognised without copying.

/// The longest path (target before `?`, in bytes) whose forms are made in the stack buffer of
/// [`Forms`]; a longer non-canonical path names every route (see `routing`).
pub(crate) const MAX_FORM_PATH: usize = 2048;

/// The path part of a request target: without an absolute-form `scheme://authority` and
/// without the query; the fragment is kept (see [`Forms::decoded_whole`]).
pub(crate) fn path_of(target: &[u8]) -> &[u8] {
    let target = strip_absolute_form(target);
    match target.iter().position(|&b| b == b'?') {
        Some(end) => target.get(..end).unwrap_or(target),
        None => target,
    }
}

/// `http://host/a?b` -> `/a?b`, `http://host` -> `/`; any other target unchanged.
fn strip_absolute_form(target: &[u8]) -> &[u8] {
    if target.first() == Some(&b'/') {
        return target;
    }
    let scheme_len = target
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .unwrap_or(target.len());
    let rest = match target.get(scheme_len..) {
        Some(rest) if scheme_len > 0 && rest.starts_with(b"://") => rest.get(3..).unwrap_or(b""),
        _ => return target,
    };
    match rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')) {
        Some(i) if rest.get(i) == Some(&b'/') => rest.get(i..).unwrap_or(b"/"),
        _ => b"/",
    }
}

/// The path without its fragment (`#…`): what every server but h11 routes on.
pub(crate) fn without_fragment(path: &[u8]) -> &[u8] {
    match path.iter().position(|&b| b == b'#') {
        Some(end) => path.get(..end).unwrap_or(path),
        None => path,
    }
}

/// Whether every form of `path` (from [`path_of`]) is `path` itself: it starts with `/` and has
/// no `%`, no `#`, no `//` and no `.` or `..` segment.
pub(crate) fn is_canonical(path: &[u8]) -> bool {
    if path.first() != Some(&b'/') {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = path.get(i) {
        match b {
            b'%' | b'#' => return false,
            b'/' => {
                let next = path.get(i + 1).copied();
                let after = path.get(i + 2).copied();
                let third = path.get(i + 3).copied();
                let dot_segment = next == Some(b'.')
                    && (matches!(after, None | Some(b'/'))
                        || (after == Some(b'.') && matches!(third, None | Some(b'/'))));
                if next == Some(b'/') || dot_segment {
                    return false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    true
}

/// The decoded and normalised forms of a non-canonical path, made in a stack buffer (nothing
/// is allocated): decoding and normalising never lengthen a path, so [`MAX_FORM_PATH`] bytes
/// hold each form.
pub(crate) struct Forms {
    buf: [u8; MAX_FORM_PATH],
    /// The decoded whole path (fragment included) is `buf[..whole]`.
    whole: usize,
    /// The decoded path without its fragment is `buf[..cut]`.
    cut: usize,
}

impl Forms {
    /// Decodes `path` (from [`path_of`]); `None` when it is longer than [`MAX_FORM_PATH`].
    pub(crate) fn decode(path: &[u8]) -> Option<Forms> {
        if path.len() > MAX_FORM_PATH {
            return None;
        }
        let fragment_at = path.iter().position(|&b| b == b'#');
        let mut forms = Forms {
            buf: [0; MAX_FORM_PATH],
            whole: 0,
            cut: 0,
        };
        let mut out = 0;
        let mut i = 0;
        while let Some(&b) = path.get(i) {
            if Some(i) == fragment_at {
                forms.cut = out;
            }
            let escaped = match (b, path.get(i + 1), path.get(i + 2)) {
                (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h << 4 | l),
                _ => None,
            };
            let (byte, width) = escaped.map_or((b, 1), |d| (d, 3));
            if let Some(slot) = forms.buf.get_mut(out) {
                *slot = byte;
            }
            out += 1;
            i += width;
        }
        forms.whole = out;
        if fragment_at.is_none() {
            forms.cut = out;
        }
        Some(forms)
    }

    /// Every `%XX` decoded, the fragment kept (h11's `scope["path"]`).
    pub(crate) fn decoded_whole(&self) -> &[u8] {
        self.buf.get(..self.whole).unwrap_or_default()
    }

    /// Every `%XX` decoded (uvicorn/Starlette, Django).
    pub(crate) fn decoded(&self) -> &[u8] {
        self.buf.get(..self.cut).unwrap_or_default()
    }

    /// Decoded, with a leading run of `/` merged into one (waitress, Werkzeug).
    pub(crate) fn leading_merged(&self) -> &[u8] {
        let decoded = self.decoded();
        let extra = decoded.iter().take_while(|&&b| b == b'/').count();
        decoded.get(extra.saturating_sub(1)..).unwrap_or(decoded)
    }

    /// Turns the decoded form into the normalised one (nginx): every run of `/` merged, `.`
    /// segments removed, each `..` segment removing the segment before it (never above the
    /// root); the result always starts with `/`. The decoded forms are gone afterwards.
    /// A decoded form that does not start with `/` (no server routes one to a route) is left as
    /// it is.
    pub(crate) fn normalise(&mut self) -> &[u8] {
        if self.decoded().first() != Some(&b'/') {
            return self.decoded();
        }
        let len = normalise_in_place(self.buf.get_mut(..self.cut).unwrap_or_default());
        self.buf.get(..len).unwrap_or_default()
    }
}

/// The value of one hexadecimal digit.
fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Normalises `buf`, which starts with `/`, in place (see [`Forms::normalise`]) and returns
/// the new length. Each segment is written as `/segment` where its own `/` was read or
/// earlier, so the copy never overtakes the reading; a trailing `/` is written only where a
/// `/` or a dot was read and not copied.
fn normalise_in_place(buf: &mut [u8]) -> usize {
    let len = buf.len();
    let mut out = 0;
    // Reading starts after the leading `/`; the last segment may be empty (`/a/`).
    let mut read = 1;
    let mut ends_with_slash = true;
    while read <= len {
        let start = read;
        let end = buf
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'/'))
            .map_or(len, |i| start + i);
        read = end + 1;
        let segment_len = end - start;
        match buf.get(start..end).unwrap_or_default() {
            b"" | b"." => ends_with_slash = true,
            b".." => {
                let parent = buf
                    .get(..out)
                    .and_then(|done| done.iter().rposition(|&b| b == b'/'))
                    .unwrap_or(0);
                out = parent;
                ends_with_slash = true;
            }
            _ => {
                if let Some(slot) = buf.get_mut(out) {
                    *slot = b'/';
                }
                buf.copy_within(start..end, out + 1);
                out += 1 + segment_len;
                ends_with_slash = false;
            }
        }
    }
    if ends_with_slash {
        if let Some(slot) = buf.get_mut(out) {
            *slot = b'/';
            out += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(target: &str) -> (String, String, String, String) {
        let path = path_of(target.as_bytes());
        let mut f = Forms::decode(path).unwrap();
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let whole = s(f.decoded_whole());
        let decoded = s(f.decoded());
        let leading = s(f.leading_merged());
        let normal = s(f.normalise());
        assert!(whole.starts_with(&decoded));
        (decoded, leading, normal, whole)
    }

    #[test]
    fn normalised_forms_match_what_nginx_routes_on() {
        // Each expected value is the `$uri` nginx 1.22 logged for the target (docs/semantics.md).
        for (target, nginx) in [
            ("/admin/x", "/admin/x"),
            ("//admin/x", "/admin/x"),
            ("///admin/x", "/admin/x"),
            ("/%61dmin/x", "/admin/x"),
            ("/%2561dmin/x", "/%61dmin/x"),
            ("/admin%2fx", "/admin/x"),
            ("/public/../admin/x", "/admin/x"),
            ("/public/%2e%2e/admin/x", "/admin/x"),
            ("/public/.%2E/admin/x", "/admin/x"),
            ("/public%2f..%2fadmin/x", "/admin/x"),
            ("/admin/../public/x", "/public/x"),
            ("/./admin/x", "/admin/x"),
            ("/admin/x/", "/admin/x/"),
            ("/admin/x#frag", "/admin/x"),
            ("/admin#/x", "/admin"),
            ("http://h.test/admin/x", "/admin/x"),
            ("/public/x%3f/../../admin/x", "/admin/x"),
            ("/a/.", "/a/"),
            ("/a/..", "/"),
            ("/", "/"),
            ("/a/b/../../..", "/"),
            ("/a/./b/", "/a/b/"),
        ] {
            assert_eq!(forms(target).2, nginx, "{target}");
        }
    }

    #[test]
    fn decoded_forms_match_what_python_servers_route_on() {
        // (target, uvicorn/Django decoded path, waitress/Werkzeug PATH_INFO, h11 path)
        for (target, decoded, leading, whole) in [
            ("//admin/x", "//admin/x", "/admin/x", "//admin/x"),
            ("//a//b/../c", "//a//b/../c", "/a//b/../c", "//a//b/../c"),
            (
                "/%2e%2e/admin/x",
                "/../admin/x",
                "/../admin/x",
                "/../admin/x",
            ),
            ("/admin%00/x", "/admin\0/x", "/admin\0/x", "/admin\0/x"),
            ("/admin%zz/x", "/admin%zz/x", "/admin%zz/x", "/admin%zz/x"),
            ("/admin%2", "/admin%2", "/admin%2", "/admin%2"),
            ("/admin/x#frag", "/admin/x", "/admin/x", "/admin/x#frag"),
            ("/a%23b#c", "/a#b", "/a#b", "/a#b#c"),
        ] {
            let f = forms(target);
            assert_eq!(
                (f.0.as_str(), f.1.as_str(), f.3.as_str()),
                (decoded, leading, whole)
            );
        }
    }

    #[test]
    fn canonical_paths_are_recognised_and_others_are_not() {
        for p in [
            "/", "/a", "/a/", "/a/b/", "/a/.b", "/a/..b", "/a.", "/a/b.c/d", "/A;b",
        ] {
            assert!(is_canonical(p.as_bytes()), "{p}");
        }
        for p in [
            "", "a", "*", "//a", "/a//b", "/.", "/./a", "/a/.", "/..", "/a/../b", "/a/..", "/%61",
            "/a#b",
        ] {
            assert!(!is_canonical(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn absolute_form_targets_lose_scheme_and_authority() {
        assert_eq!(path_of(b"http://h.test/a?b"), b"/a");
        assert_eq!(path_of(b"https://h.test"), b"/");
        assert_eq!(path_of(b"http://h.test?x=/admin"), b"/");
        assert_eq!(path_of(b"*"), b"*");
        assert_eq!(path_of(b"/a?http://x/b"), b"/a");
    }

    #[test]
    fn paths_longer_than_the_buffer_have_no_forms() {
        let long = vec![b'a'; MAX_FORM_PATH + 1];
        assert!(Forms::decode(&long).is_none());
        assert!(Forms::decode(&long[1..]).is_some());
    }
}
