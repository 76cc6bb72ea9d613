//! Arbitrary policy text: reading and compiling must return a policy or errors, never panic.
#![no_main]

use corsgate::{Format, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Json, Format::Toml] {
        if let Err(e) = Policy::parse(text, format) {
            assert!(!e.errors.is_empty());
            let _ = e.to_string();
        }
    }
});
