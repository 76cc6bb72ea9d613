//! `corsgate schema`: the committed docs/policy.schema.json is what the command prints, and
//! its keys are the keys docs/policy.md documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn printed() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .arg("schema")
        .output()
        .expect("run corsgate");
    assert_eq!(out.status.code(), Some(0));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(root().join("docs/policy.schema.json")).unwrap();
    assert!(
        committed == printed(),
        "docs/policy.schema.json is stale: run `cargo run -p corsgate-cli -- schema > docs/policy.schema.json`"
    );
}

/// The keys of docs/policy.md's first table.
fn documented_keys() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(root().join("docs/policy.md")).unwrap();
    doc.lines()
        .skip_while(|l| !l.starts_with("| key |"))
        .skip(2)
        .take_while(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v["properties"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

#[test]
fn schema_keys_are_the_documented_keys() {
    let schema: Value = serde_json::from_str(&printed()).unwrap();
    assert_eq!(schema["additionalProperties"], false);
    let documented = documented_keys();
    assert!(documented.contains("origins") && documented.contains("routes"));
    assert_eq!(keys(&schema), documented);
    let route = &schema["$defs"]["route"];
    let mut route_keys = documented.clone();
    route_keys.remove("routes");
    route_keys.remove("mode");
    route_keys.insert("path".into());
    assert_eq!(keys(route), route_keys);
    assert_eq!(route["required"], serde_json::json!(["path"]));
    assert_eq!(schema["properties"]["max_age"]["maximum"], 86400);
    assert_eq!(schema["properties"]["preflight_status"]["default"], 204);
}

#[test]
fn example_policies_use_only_schema_keys() {
    let schema: Value = serde_json::from_str(&printed()).unwrap();
    let allowed = keys(&schema);
    let file = root().join("examples/policies/public-api.json");
    let policy: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    for key in policy.as_object().unwrap().keys() {
        assert!(allowed.contains(key), "{key} is not in the schema");
    }
}
