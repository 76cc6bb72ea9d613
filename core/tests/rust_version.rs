//! The workspace's `rust-version` is real: every crate of the workspace inherits it, and no
//! locked dependency of any of them (normal, build or dev) needs a newer Rust. Code that
//! needs a newer standard library than it is caught by clippy's `incompatible_msrv` lint,
//! which `cargo clippy -D warnings` runs against this number.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

/// `1.85.0`, `1.85` -> `[1, 85, 0]`.
fn version(text: &str) -> Vec<u64> {
    let mut parts: Vec<u64> = text.split('.').map(|p| p.parse().unwrap()).collect();
    parts.resize(3, 0);
    parts
}

#[test]
fn every_crate_inherits_a_rust_version_its_dependencies_accept() {
    let manifest = format!("{}/../Cargo.toml", env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p))
        .collect();
    let members: Vec<&str> = meta["workspace_members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();

    let workspace = std::fs::read_to_string(&manifest).unwrap();
    let declared = workspace
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("[workspace.package] rust-version");

    for id in &members {
        let p = packages[id];
        assert_eq!(
            p["rust_version"].as_str(),
            Some(declared),
            "{} must inherit the workspace's rust-version (rust-version.workspace = true)",
            p["name"]
        );
    }

    // Every package the members depend on, directly or not, for any kind of dependency.
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let mut stack: Vec<&str> = members.clone();
    let mut seen = std::collections::HashSet::new();
    let mut too_new = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let p = packages[id];
        if let Some(needed) = p["rust_version"].as_str() {
            if version(needed) > version(declared) {
                too_new.push(format!("{} {} needs {needed}", p["name"], p["version"]));
            }
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            stack.push(dep["pkg"].as_str().unwrap());
        }
    }
    assert!(
        too_new.is_empty(),
        "rust-version {declared} is too old for: {too_new:?}"
    );
    assert!(seen.len() > 100, "the dependency graph was walked");
}
