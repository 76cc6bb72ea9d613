//! Gives the shared library the soname `libcorsgate.so.<ABI version>` (read from src/lib.rs,
//! where `CORSGATE_ABI_VERSION` is defined for the header).

use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=src/lib.rs");
    let source = fs::read_to_string("src/lib.rs").unwrap_or_default();
    let abi = source
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("pub const CORSGATE_ABI_VERSION: u32 = ")
        })
        .and_then(|rest| rest.strip_suffix(';'))
        .map(str::to_owned);
    let Some(abi) = abi else {
        println!("cargo:warning=CORSGATE_ABI_VERSION not found in src/lib.rs");
        std::process::exit(1);
    };
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if os != "macos" && os != "ios" && os != "windows" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcorsgate.so.{abi}");
    }
}
