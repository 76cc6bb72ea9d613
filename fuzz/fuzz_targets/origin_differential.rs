//! The origin matcher against a slow reference: generated policies (exact origins, subdomain
//! and port wildcards) and generated request origins. The reference parses the request origin
//! with the URL Standard's parser (the `url` crate): it is well-formed when its serialized
//! origin is exactly the header's bytes; it is then allowed when a plain scan of the entries
//! finds one that names it (exact text, `*.suffix` over one or more labels with the same
//! scheme and port, `host:*` with the same scheme and host). corsgate must agree on every one.
#![no_main]

use corsgate::{Policy, Request};
use libfuzzer_sys::fuzz_target;
use url::{Host, Origin, Url};

const SCHEMES: [&str; 4] = ["https", "http", "wss", "HTTPS"];
const LABELS: [&str; 14] = [
    "a",
    "b",
    "example",
    "com",
    "xn--bcher-kva",
    "localhost",
    "127",
    "0",
    "1",
    "co",
    "uk",
    "A",
    "a-b",
    "",
];
const PORTS: [&str; 7] = ["", ":8080", ":443", ":80", ":1", ":08080", ":65536"];

/// Bytes to a few choices.
struct Gen<'a>(&'a [u8]);

impl Gen<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[usize::from(self.byte()) % from.len()]
    }

    fn host(&mut self) -> String {
        match self.byte() % 8 {
            0 => "127.0.0.1".into(),
            1 => "[::1]".into(),
            _ => {
                let n = 1 + usize::from(self.byte() % 3);
                (0..n)
                    .map(|_| self.pick(&LABELS))
                    .collect::<Vec<_>>()
                    .join(".")
            }
        }
    }

    /// `scheme://host[:port]`, sometimes with a trailing part browsers never send.
    fn origin(&mut self) -> String {
        let mut o = format!(
            "{}://{}{}",
            self.pick(&SCHEMES),
            self.host(),
            self.pick(&PORTS)
        );
        match self.byte() % 10 {
            0 => o.push('/'),
            1 => o.push_str(".evil"),
            2 => o.push('.'),
            _ => {}
        }
        o
    }

    fn entry(&mut self) -> String {
        let scheme = self.pick(&SCHEMES[..3]);
        match self.byte() % 3 {
            0 => format!("{scheme}://*.{}{}", self.host(), self.pick(&PORTS[..4])),
            1 => format!("{scheme}://{}:*", self.host()),
            _ => format!("{scheme}://{}{}", self.host(), self.pick(&PORTS[..4])),
        }
    }
}

/// The request origin as the URL Standard reads it, when the header is exactly its
/// serialization: (scheme, host, port or default).
fn reference_origin(header: &str) -> Option<(String, Host<String>, u16)> {
    let url = Url::parse(header).ok()?;
    let origin = url.origin();
    if origin.ascii_serialization() != header {
        return None;
    }
    match origin {
        Origin::Tuple(scheme, host, port) => Some((scheme, host, port)),
        Origin::Opaque(_) => None,
    }
}

/// Whether `host` is one or more labels (the first not empty) followed by `.suffix`.
fn below(host: &Host<String>, suffix: &str) -> bool {
    matches!(host, Host::Domain(d) if d
        .strip_suffix(suffix)
        .and_then(|head| head.strip_suffix('.'))
        .is_some_and(|labels| !labels.is_empty() && !labels.starts_with('.')))
}

/// Whether one (compiled, so valid) entry names the origin: a plain reading of its text.
fn entry_names(
    entry: &str,
    header: &str,
    (scheme, host, port): &(String, Host<String>, u16),
) -> bool {
    if entry == header {
        return true;
    }
    let Some((e_scheme, rest)) = entry.split_once("://") else {
        return false;
    };
    if e_scheme != scheme {
        return false;
    }
    let default = if scheme == "https" || scheme == "wss" {
        443
    } else {
        80
    };
    if let Some(e_host) = rest.strip_suffix(":*") {
        // `host:*` or `*.suffix:*`: any port.
        return match e_host.strip_prefix("*.") {
            Some(suffix) => below(host, suffix),
            None => host.to_string() == e_host,
        };
    }
    let Some(rest) = rest.strip_prefix("*.") else {
        return false;
    };
    let (suffix, e_port) = match rest.rsplit_once(':') {
        Some((s, p)) => (s, p.parse::<u16>().ok()),
        None => (rest, Some(default)),
    };
    e_port == Some(*port) && below(host, suffix)
}

fuzz_target!(|data: &[u8]| {
    let mut g = Gen(data);
    let entries: Vec<String> = (0..1 + g.byte() % 4).map(|_| g.entry()).collect();
    let Ok(policy) = Policy::from_json(&serde_json::json!({ "origins": entries }).to_string())
    else {
        return;
    };
    for _ in 0..4 {
        let header = g.origin();
        let req = Request::new(b"GET", b"/").header(b"Origin", header.as_bytes());
        let ours = policy.evaluate(&req).is_allowed();
        let reference = reference_origin(&header)
            .is_some_and(|o| entries.iter().any(|e| entry_names(e, &header, &o)));
        // Never a false allow. Hosts with an empty label (`a..b`), which the URL Standard keeps
        // and corsgate's origin syntax refuses as malformed, may only be denied.
        assert!(
            !ours || reference,
            "false allow: {header:?} under {entries:?}"
        );
        if !header.contains("..") && !header.contains("://.") {
            assert_eq!(ours, reference, "origin {header:?} under {entries:?}");
        }
    }
});
