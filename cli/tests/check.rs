//! `corsgate check`, run as a real process on the example policies. Expected answers come
//! from docs/semantics.md applied to examples/policies/, not from the command's output.
// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used)]

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/policies")
        .join(name)
        .display()
        .to_string()
}

fn corsgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run corsgate")
}

fn check(policy: &str, args: &[&str]) -> Output {
    let policy = example(policy);
    let mut all = vec!["check", "--policy", &policy];
    all.extend_from_slice(args);
    corsgate(&all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("utf-8 stderr")
}

fn json_of(out: &Output) -> Value {
    serde_json::from_str(&stdout(out)).expect("one JSON object")
}

/// A policy file written for one test, in the target's scratch directory.
fn scratch_policy(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write scratch policy");
    path
}

const PREFLIGHT_VARY: [&str; 3] = [
    "Origin",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
];

#[test]
fn allowed_actual_request_prints_the_headers_and_exits_0() {
    let out = check(
        "app.toml",
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "GET",
            "--path",
            "/api/orders",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "no colour when stdout is a pipe");
    for line in [
        "kind     actual",
        "verdict  allowed",
        "status   answered by the application",
        "headers  Access-Control-Allow-Origin: https://app.example.com",
        "         Access-Control-Allow-Credentials: true",
        "         Access-Control-Expose-Headers: x-request-id, x-ratelimit-remaining",
        "vary     Origin",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("reason"), "{text}");
    assert_eq!(stderr(&out), "", "app.toml has no warnings");
}

#[test]
fn allowed_preflight_as_json_has_the_stable_shape() {
    let out = check(
        "app.toml",
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "OPTIONS",
            "-H",
            "Access-Control-Request-Method: PUT",
            "--header",
            "Access-Control-Request-Headers: content-type,authorization",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with(r#"{"kind":"preflight","allowed":true,"status":204,"headers":"#));
    assert_eq!(text.lines().count(), 1);
    assert_eq!(
        json_of(&out),
        json!({
            "kind": "preflight",
            "allowed": true,
            "status": 204,
            "headers": [
                ["Access-Control-Allow-Origin", "https://app.example.com"],
                ["Access-Control-Allow-Credentials", "true"],
                ["Access-Control-Allow-Methods", "PUT"],
                ["Access-Control-Allow-Headers", "content-type, authorization, x-request-id"],
                ["Access-Control-Max-Age", "600"],
            ],
            "vary": PREFLIGHT_VARY,
            "reason": null,
        })
    );
}

#[test]
fn denied_preflight_gives_the_reason_a_hint_and_exit_1() {
    let out = check(
        "app.toml",
        &[
            "--origin",
            "https://app.exmaple.com",
            "--method",
            "OPTIONS",
            "--path",
            "/api/orders/42",
            "-H",
            "Access-Control-Request-Method: DELETE",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for line in [
        "kind     preflight",
        "verdict  denied (origin_not_allowed)",
        "status   403",
        "headers  (none)",
        "vary     Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        "browser  Access to fetch at 'http://<server>/api/orders/42' from origin \
         'https://app.exmaple.com' has been blocked by CORS policy: Response to preflight \
         request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is \
         present on the requested resource.",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let reason = text
        .lines()
        .find(|l| l.starts_with("reason"))
        .expect("a reason line");
    assert!(reason.contains("https://app.exmaple.com"), "{reason}");
    assert!(reason.contains("`https://app.example.com`"), "{reason}");
}

#[test]
fn denied_preflight_as_json_carries_the_whole_reason() {
    let out = check(
        "public-api.json",
        &[
            "--origin",
            "https://dashboard.example.net",
            "--method",
            "OPTIONS",
            "--url",
            "https://api.example.com/v1/prices",
            "-H",
            "Access-Control-Request-Method: GET",
            "-H",
            "Access-Control-Request-Headers: Authorization",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out)
        .contains(r#","reason":{"code":"header_not_allowed","value":"Authorization","message":"#));
    let v = json_of(&out);
    assert_eq!(v["kind"], "preflight");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["status"], 403);
    assert_eq!(v["headers"], json!([]));
    // Any origin: the answer does not depend on Origin, only on the preflight's request headers.
    assert_eq!(
        v["vary"],
        json!([
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers"
        ])
    );
    let reason = &v["reason"];
    assert_eq!(reason["code"], "header_not_allowed");
    assert_eq!(reason["value"], "Authorization");
    assert!(reason["message"]
        .as_str()
        .is_some_and(|m| m.contains("authorization")));
    assert_eq!(
        reason["browser_message"],
        "Access to fetch at 'https://api.example.com/v1/prices' from origin \
         'https://dashboard.example.net' has been blocked by CORS policy: Response to preflight \
         request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is \
         present on the requested resource."
    );
}

#[test]
fn a_request_without_origin_is_not_cors_and_still_varies_on_origin() {
    let out = check("app.toml", &["--json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_of(&out),
        json!({"kind": "not_cors", "allowed": true, "status": null, "headers": [],
               "vary": ["Origin"], "reason": null})
    );
}

#[test]
fn header_lines_follow_origin_in_order_so_a_second_origin_is_malformed() {
    let out = check(
        "app.toml",
        &[
            "--origin",
            "https://app.example.com",
            "-H",
            "Origin: https://admin.example.com",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["kind"], "actual");
    assert_eq!(v["reason"]["code"], "malformed_origin");
    assert_eq!(v["headers"], json!([]));
}

#[test]
fn routes_are_chosen_by_path_or_by_the_path_of_url() {
    let public = check(
        "routes.toml",
        &[
            "--origin",
            "https://anyone.example",
            "--url",
            "https://api.example.com/public/prices.json?currency=eur",
            "--json",
        ],
    );
    assert_eq!(public.status.code(), Some(0));
    let v = json_of(&public);
    assert_eq!(v["headers"], json!([["Access-Control-Allow-Origin", "*"]]));
    assert_eq!(v["vary"], json!([]));

    let internal = check(
        "routes.toml",
        &[
            "--origin",
            "https://app.example.com",
            "--path",
            "/internal/health",
            "--json",
        ],
    );
    assert_eq!(internal.status.code(), Some(1));
    assert_eq!(json_of(&internal)["reason"]["code"], "origin_not_allowed");

    let top = check(
        "routes.toml",
        &["--origin", "http://localhost:5173", "--path", "/api/me"],
    );
    assert_eq!(top.status.code(), Some(0));
    assert!(stdout(&top).contains("Access-Control-Allow-Origin: http://localhost:5173"));
}

#[test]
fn invalid_policy_lists_every_problem_on_stderr_and_exits_2() {
    let path = scratch_policy(
        "invalid.toml",
        r#"
origins = ["https://app.example.com/", "*"]
credentials = true
methods = ["TRACE"]
max_age = 100000
"#,
    );
    let out = corsgate(&[
        "check",
        "--policy",
        path.to_str().expect("utf-8 path"),
        "--origin",
        "https://app.example.com",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "", "no answer for an invalid policy");
    let err = stderr(&out);
    assert!(err.contains("(5 problems)"), "{err}");
    for (path, code) in [
        ("origins[0]", "origin_trailing_slash"),
        ("origins[1]", "wildcard_origin_with_credentials"),
        ("origins[1]", "wildcard_origin_mixed"),
        ("methods[0]", "method_forbidden"),
        ("max_age", "max_age_out_of_range"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(&format!("[{code}]")))
            .unwrap_or_else(|| panic!("no {code} in\n{err}"));
        assert!(
            line.trim_start().starts_with(&format!("{path}: ")),
            "{line}"
        );
    }
    assert!(
        err.contains("hint: ") && err.contains("https://app.example.com`"),
        "the trailing-slash hint names the origin without it:\n{err}"
    );
}

#[test]
fn json_policy_errors_are_reported_too() {
    let path = scratch_policy(
        "invalid.json",
        r#"{"origins": ["HTTPS://App.Example.com"], "orgins": []}"#,
    );
    let out = corsgate(&[
        "check",
        "--policy",
        path.to_str().expect("utf-8 path"),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("[origin_uppercase]"), "{err}");
    assert!(
        err.contains("[unknown_key]") && err.contains("`origins`"),
        "{err}"
    );
}

#[test]
fn warnings_go_to_stderr_and_do_not_change_the_verdict() {
    let path = scratch_policy(
        "warnings.toml",
        "origins = [\"https://app.example.com\"]\nallow_null_origin = true\nmax_age = 86400\n",
    );
    let out = corsgate(&[
        "check",
        "--policy",
        path.to_str().expect("utf-8 path"),
        "--origin",
        "null",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        json_of(&out)["headers"],
        json!([["Access-Control-Allow-Origin", "null"]])
    );
    let err = stderr(&out);
    assert!(err.contains("warning: allow_null_origin: "), "{err}");
    assert!(err.contains("[null_origin_allowed]"), "{err}");
    assert!(err.contains("[max_age_above_browser_cap]"), "{err}");
}

#[test]
fn missing_policy_file_exits_2() {
    let out = corsgate(&[
        "check",
        "--policy",
        "/nonexistent/corsgate-policy.toml",
        "--origin",
        "https://app.example.com",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains("cannot read /nonexistent/corsgate-policy.toml"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let no_policy = corsgate(&["check", "--origin", "https://app.example.com"]);
    assert_eq!(no_policy.status.code(), Some(2));
    let bad_header = check("app.toml", &["-H", "Access-Control-Request-Method PUT"]);
    assert_eq!(bad_header.status.code(), Some(2));
    assert!(stderr(&bad_header).contains("is not `Name: value`"));
    let no_command = corsgate(&[]);
    assert_eq!(no_command.status.code(), Some(2));
}

#[test]
fn help_documents_the_exit_status() {
    let out = corsgate(&["check", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("0  the request is allowed"), "{help}");
    assert!(help.contains("1  the request is denied"), "{help}");
    assert!(help.contains("2  the policy is invalid"), "{help}");
}

#[test]
fn every_example_policy_compiles_without_warnings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/policies") {
        let path = entry.expect("dir entry").path();
        let policy = corsgate::Policy::from_file(&path)
            .unwrap_or_else(|e| panic!("{} does not compile: {e}", path.display()));
        let warnings: Vec<_> = policy
            .warnings()
            .iter()
            .map(|w| (w.path.as_str(), w.code))
            .collect();
        // routes.toml shows routes narrower than the top level on purpose: lint reminds that
        // they protect CORS answers, not access.
        let expected: &[(&str, &str)] = if path.ends_with("routes.toml") {
            &[
                ("routes[1].origins", "route_narrower_than_top_level"),
                ("routes[2].origins", "route_narrower_than_top_level"),
            ]
        } else {
            &[]
        };
        assert_eq!(warnings, expected, "{}", path.display());
        seen += 1;
    }
    assert!(
        seen >= 3,
        "expected the example policies in {}",
        dir.display()
    );
}

/// `--browser firefox`: a denied preflight in Firefox's words, with the status it was
/// answered with; the JSON carries every browser's lines.
#[test]
fn check_speaks_each_browsers_words_for_a_denial() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let policy = dir.join("check-browser.toml");
    std::fs::write(
        &policy,
        "origins = [\"https://app.example.com\"]\nmethods = [\"PUT\"]\nmax_age = 86400\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "--policy",
            policy.to_str().unwrap(),
            "--url",
            "https://api.example.com/x",
            "--method",
            "OPTIONS",
            "-H",
            "Access-Control-Request-Method: PUT",
        ];
        args.extend_from_slice(extra);
        std::process::Command::new(env!("CARGO_BIN_EXE_corsgate"))
            .args(&args)
            .output()
            .unwrap()
    };
    let out = run(&["--origin", "https://evil.example", "--browser", "firefox"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("browser  Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/x. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 403.\n"), "{text}");
    let json = run(&["--origin", "https://evil.example", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["reason"]["browser_messages"]["firefox"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        v["reason"]["browser_messages"]["chromium"][0],
        v["reason"]["browser_message"]
    );
    let allowed = run(&["--origin", "https://app.example.com", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(v["cache_seconds"]["chromium"], 7200);
    assert_eq!(v["cache_seconds"]["firefox"], 86400);
    assert_eq!(v["cache_seconds"]["webkit"], 600);
}
