//! The diagnostic code tables of docs/policy.md (strict), docs/python.md (starlette, django,
//! flask) and docs/node.md (express, fastify, koa, hono) list exactly the codes of `DiagnosticCode` each profile
//! reports, with the severity it gives them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use corsgate::{DiagnosticCode, Profile, Severity};
use std::collections::BTreeSet;

/// The codes in the first column of each `| code | ...` table of a doc, table by table.
fn tables(doc: &str) -> Vec<BTreeSet<String>> {
    let path = format!("{}/../docs/{doc}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("| code |") {
            out.push(BTreeSet::new());
            inside = true;
        } else if inside && line.starts_with('|') {
            let first = line.split('|').nth(1).unwrap_or("").trim();
            if let Some(code) = first.strip_prefix('`').and_then(|c| c.strip_suffix('`')) {
                out.last_mut().unwrap().insert(code.to_string());
            }
        } else {
            inside = false;
        }
    }
    out
}

fn catalogue(profile: Profile, severity: Severity) -> BTreeSet<String> {
    DiagnosticCode::ALL
        .iter()
        .filter(|c| c.reported_by().contains(&(profile, severity)))
        .map(|c| c.as_str().to_string())
        .collect()
}

#[test]
fn the_docs_list_every_code_each_profile_reports() {
    let policy = tables("policy.md");
    assert_eq!(policy.len(), 2, "policy.md: an errors and a warnings table");
    assert_eq!(policy[0], catalogue(Profile::Strict, Severity::Error));
    assert_eq!(policy[1], catalogue(Profile::Strict, Severity::Warning));
    let python = tables("python.md");
    assert_eq!(
        python.len(),
        6,
        "python.md: Starlette warnings and errors, Django errors and warnings, Flask errors and warnings"
    );
    assert_eq!(python[0], catalogue(Profile::Starlette, Severity::Warning));
    assert_eq!(python[1], catalogue(Profile::Starlette, Severity::Error));
    assert_eq!(python[2], catalogue(Profile::Django, Severity::Error));
    assert_eq!(python[3], catalogue(Profile::Django, Severity::Warning));
    assert_eq!(python[4], catalogue(Profile::Flask, Severity::Error));
    assert_eq!(python[5], catalogue(Profile::Flask, Severity::Warning));
    let node = tables("node.md");
    assert_eq!(
        node.len(),
        6,
        "node.md: errors and warnings of the cors drop-in, of the Fastify drop-in, the Koa and the Hono warnings"
    );
    assert_eq!(node[0], catalogue(Profile::Express, Severity::Error));
    assert_eq!(node[1], catalogue(Profile::Express, Severity::Warning));
    assert_eq!(node[2], catalogue(Profile::Fastify, Severity::Error));
    assert_eq!(node[3], catalogue(Profile::Fastify, Severity::Warning));
    assert!(catalogue(Profile::Koa, Severity::Error).is_empty());
    assert_eq!(node[4], catalogue(Profile::Koa, Severity::Warning));
    assert!(catalogue(Profile::Hono, Severity::Error).is_empty());
    assert_eq!(node[5], catalogue(Profile::Hono, Severity::Warning));
}
