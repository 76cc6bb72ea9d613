//! `corsgate lint` as a process. Expected codes come from docs/policy.md's tables.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corsgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run corsgate")
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn codes(v: &Value, key: &str) -> BTreeSet<(String, String)> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pair(path: &str, code: &str) -> (String, String) {
    (path.to_string(), code.to_string())
}

#[test]
fn valid_example_exits_0_without_colour_off_a_terminal() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/app.toml");
    let out = corsgate(&["lint", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with(": 0 errors, 0 warnings\n"), "{text}");
    assert!(!text.contains('\x1b'), "no colour when stdout is a pipe");
}

#[test]
fn every_error_is_reported_with_its_path_and_hint_and_exits_1() {
    let file = scratch(
        "lint-errors.toml",
        "orgins = [\"https://a.example\"]\norigins = [\"https://app.example.com/\", \"*\"]\ncredentials = true\nmax_age = 100000\n",
    );
    let out = corsgate(&["lint", "--json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    let errors = codes(&v, "errors");
    for expected in [
        pair("orgins", "unknown_key"),
        pair("origins[0]", "origin_trailing_slash"),
        pair("origins[1]", "wildcard_origin_with_credentials"),
        pair("origins[1]", "wildcard_origin_mixed"),
        pair("max_age", "max_age_out_of_range"),
    ] {
        assert!(
            errors.contains(&expected),
            "{expected:?} missing from {errors:?}"
        );
    }
    let unknown = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown_key")
        .unwrap();
    assert!(unknown["hint"].as_str().unwrap().contains("origins"));

    let human = corsgate(&["lint", file.to_str().unwrap()]);
    assert_eq!(human.status.code(), Some(1));
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("error: origins[0]: "), "{text}");
    assert!(text.contains("[origin_trailing_slash]"));
    assert!(text.contains("    hint: "));
}

#[test]
fn warnings_pass_unless_denied() {
    let file = scratch(
        "lint-warnings.json",
        r#"{"origins": ["https://app.example.com"], "allow_null_origin": true, "max_age": 9000}"#,
    );
    let out = corsgate(&["lint", "--json", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(
        codes(&v, "warnings"),
        BTreeSet::from([
            pair("allow_null_origin", "null_origin_allowed"),
            pair("max_age", "max_age_above_browser_cap"),
        ])
    );
    let denied = corsgate(&["lint", "--deny-warnings", file.to_str().unwrap()]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(String::from_utf8(denied.stdout)
        .unwrap()
        .contains("0 errors, 2 warnings"));
}

#[test]
fn unreadable_file_exits_2() {
    let out = corsgate(&["lint", "/nonexistent/corsgate-policy.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("cannot read"));
}
