//! The committed include/corsgate.h must equal a fresh cbindgen generation from ffi/src.
//! Regenerate it with `make c-header` (which runs this test with CORSGATE_BLESS=1).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;

#[test]
fn committed_header_is_fresh() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generation")
        .write(&mut fresh);
    let fresh = String::from_utf8(fresh).unwrap();
    let committed_path = crate_dir.join("../include/corsgate.h");
    if std::env::var_os("CORSGATE_BLESS").is_some() {
        std::fs::write(&committed_path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/corsgate.h is stale: run `make c-header` and commit it"
    );
}

/// The header's `CORSGATE_REQUEST_HEADER_*` defines are the core's list of the request
/// headers it reads, in its order.
#[test]
fn request_header_defines_are_the_cores_list() {
    if std::env::var_os("CORSGATE_BLESS").is_some() {
        println!("skipped while the header is regenerated (CORSGATE_BLESS): run again to check");
        return;
    }
    let header = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/corsgate.h"),
    )
    .unwrap();
    let defined: Vec<&str> = header
        .lines()
        .filter_map(|l| l.strip_prefix("#define CORSGATE_REQUEST_HEADER_"))
        .filter_map(|l| l.split('"').nth(1))
        .collect();
    assert_eq!(defined, corsgate::REQUEST_HEADER_NAMES);
}
