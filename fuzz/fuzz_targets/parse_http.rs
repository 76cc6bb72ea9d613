//! `browser::Response::parse_http` on arbitrary text: it must never panic, and a response it
//! accepts has a status of three digits and header names that are HTTP tokens.
#![no_main]

use corsgate::browser::Response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(response) = Response::parse_http(text) {
        assert!(
            (100..=999).contains(&response.status),
            "{}",
            response.status
        );
        for (name, _) in &response.headers {
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':'),
                "{name:?}"
            );
        }
        let _ = response.is_redirect();
    }
});
