//! The browser-side checker's JSON entry point on arbitrary text: it must never panic and
//! always answer JSON (an outcome, or `{"error": …}`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let out = corsgate::browser::check_json_text(text);
    let value: serde_json::Value =
        serde_json::from_str(&out).expect("check_json_text answers JSON");
    assert!(value.is_object(), "{out}");
});
