//! `corsgate explain` as a process. Expected verdicts and console texts come from the Fetch
//! standard and Chromium's message templates (blink's cors_error_string.cc).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PAGE: &str = "https://app.example.com";
const URL: &str = "https://api.example.com/orders";

fn corsgate(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run corsgate");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn explain(extra: &[&str], stdin: Option<&str>) -> Output {
    let mut args = vec!["explain", "--origin", PAGE, "--url", URL];
    args.extend_from_slice(extra);
    corsgate(&args, stdin)
}

const PREFLIGHT_OK: &str = "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: https://app.example.com\r\nAccess-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: content-type\r\nAccess-Control-Max-Age: 600\r\n\r\n";

#[test]
fn credentialed_preflight_without_acac_is_blocked_with_chromiums_message() {
    let pf = scratch("explain-pf-ok.http", PREFLIGHT_OK);
    let out = explain(
        &[
            "--method",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "--credentials",
            "--preflight-response",
            pf.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let message = "Access to fetch at 'https://api.example.com/orders' from origin 'https://app.example.com' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.";
    assert!(text.contains(&format!("console   {message}\n")), "{text}");
    assert!(text.contains("Access-Control-Request-Headers: content-type"));
    assert!(text.contains("fix       "));
    assert!(text.contains("credentials = true"));
}

#[test]
fn passing_exchange_from_stdin_is_allowed_and_lists_readable_headers() {
    let pf = scratch("explain-pf-ok2.http", PREFLIGHT_OK);
    let response = "HTTP/1.1 200 OK\nAccess-Control-Allow-Origin: https://app.example.com\nContent-Type: application/json\nX-Request-Id: 7\n\n{}";
    let out = explain(
        &[
            "--method",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "--preflight-response",
            pf.to_str().unwrap(),
            "--response",
            "-",
            "--json",
        ],
        Some(response),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["preflight_request"]["method"], "PUT");
    assert_eq!(v["preflight_request"]["request_headers"], "content-type");
    assert_eq!(v["preflight"]["cache_seconds"]["chromium"], 600);
    assert_eq!(
        v["response"]["readable_headers"],
        serde_json::json!(["content-type"])
    );
    assert_eq!(
        v["response"]["hidden_headers"],
        serde_json::json!(["access-control-allow-origin", "x-request-id"])
    );
}

#[test]
fn authorization_under_star_is_blocked_by_the_standard_only() {
    let pf = scratch(
        "explain-pf-star.http",
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: *\r\n\r\n",
    );
    let out = explain(
        &[
            "-H",
            "Authorization: Bearer x",
            "--preflight-response",
            pf.to_str().unwrap(),
            "--response",
            "-",
            "--json",
        ],
        Some("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n\r\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["preflight"]["blocked"]["kind"],
        "HeaderDisallowedByPreflightResponse"
    );
    assert_eq!(v["preflight"]["blocked"]["value"], "authorization");
    assert_eq!(v["preflight"]["blocked_in_chrome"], Value::Null);
    assert_eq!(v["verdict"], "blocked_by_standard_only");
    assert_eq!(v["blocked_in_chrome"], Value::Null);
}

#[test]
fn missing_preflight_response_is_undecided_and_says_what_is_sent() {
    let out = explain(&["--method", "DELETE"], None);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Access-Control-Request-Method: DELETE"),
        "{text}"
    );
    assert!(text.contains("--preflight-response"));
}

#[test]
fn simple_request_without_acao_gets_chromiums_missing_header_message() {
    let out = explain(
        &["--response", "-"],
        Some("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.\n"
        ),
        "{text}"
    );
}

#[test]
fn input_errors_exit_2() {
    let out = explain(&["--method", "TRACE"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("TypeError"));
    let bad = scratch("explain-bad.http", "HTTP/1.1 200 OK\nno colon here\n");
    let out = explain(&["--response", bad.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("line 2"));
    let out = explain(&["--preflight-response", "-", "--response", "-"], None);
    assert_eq!(out.status.code(), Some(2));
}

/// Firefox's words (its documented reason names, as Firefox 153 ESR prints them) for a
/// preflight answered 404 with the origin allowed, and the line for the request it stopped.
#[test]
fn browser_firefox_prints_firefoxs_reason_and_console_lines() {
    let pf = scratch(
        "explain-pf-404.http",
        "HTTP/1.1 404 Not Found\r\nAccess-Control-Allow-Origin: https://app.example.com\r\n\r\n",
    );
    let args = [
        "--method",
        "PUT",
        "--preflight-response",
        pf.to_str().unwrap(),
        "--browser",
        "firefox",
    ];
    let out = explain(&args, None);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let blocked = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/orders.";
    assert!(
        text.contains(&format!(
            "console   {blocked} (Reason: CORS preflight response did not succeed). Status code: 404.\n          {blocked} (Reason: CORS request did not succeed). Status code: (null).\n"
        )),
        "{text}"
    );
    let json = explain(&[&args[..], &["--json"]].concat(), None);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["browser"]["name"], "firefox");
    assert_eq!(v["browser"]["error"]["kind"], "CORSPreflightDidNotSucceed");
    assert_eq!(
        v["browsers"]["chromium"]["error"]["kind"],
        "PreflightInvalidStatus"
    );
    assert_eq!(v["browsers"]["webkit"]["verified"], false);
    assert_eq!(v["browsers_disagree"], false);
}

/// Safelisted values over 1024 bytes together: the standard and Chromium list them in the
/// preflight, Firefox 153 ESR sends none (seen in the real browsers, tests/browser).
#[test]
fn firefox_sends_no_preflight_for_safelisted_headers_over_1024_bytes() {
    let accept = format!("Accept: {}", "a".repeat(120));
    let mut args: Vec<&str> = Vec::new();
    for _ in 0..9 {
        args.extend(["-H", accept.as_str()]);
    }
    let pf = scratch(
        "explain-pf-over-1024.http",
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: https://app.example.com\r\n\r\n",
    );
    let pf = pf.to_str().unwrap();
    args.extend(["--preflight-response", pf, "--response", "-"]);
    let response =
        "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example.com\r\n\r\n";
    let json: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--browser", "firefox", "--json"])
        .collect();
    let v: Value = serde_json::from_slice(&explain(&json, Some(response)).stdout).unwrap();
    assert_eq!(v["verdict"], "blocked");
    assert_eq!(v["preflight_request"]["request_headers"], "accept");
    assert_eq!(v["browser"]["verdict"], "allowed");
    assert_eq!(v["browser"]["preflight_request"], Value::Null);
    assert_eq!(
        v["browsers"]["chromium"]["error"]["kind"],
        "HeaderDisallowedByPreflightResponse"
    );
    assert_eq!(v["browsers_disagree"], true);
    let text: Vec<&str> = args
        .iter()
        .copied()
        .chain(["--browser", "firefox"])
        .collect();
    let out = explain(&text, Some(response));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Firefox sends no preflight"), "{text}");
    assert!(
        text.contains("Firefox: allowed; it sends no preflight"),
        "{text}"
    );
    assert!(
        text.contains("Chromium: blocked (HeaderDisallowedByPreflightResponse)"),
        "{text}"
    );
}

/// `*` covering Authorization: every browser allows it, the standard does not, and the
/// browsers row says so, with Firefox's deprecation warning.
#[test]
fn browsers_row_shows_each_verdict_when_the_standard_disagrees() {
    let pf = scratch(
        "explain-pf-star-row.http",
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Headers: *\r\n\r\n",
    );
    let out = explain(
        &[
            "-H",
            "Authorization: Bearer x",
            "--preflight-response",
            pf.to_str().unwrap(),
            "--response",
            "-",
            "--browser",
            "firefox",
        ],
        Some("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n\r\n"),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("browsers  Chromium: allowed\n"), "{text}");
    assert!(
        text.contains("Firefox: allowed with a console warning that it will block this soon"),
        "{text}"
    );
    assert!(
        text.contains("Fetch standard: blocked (HeaderDisallowedByPreflightResponse)"),
        "{text}"
    );
    assert!(
        text.contains("console   Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at https://api.example.com/orders soon."),
        "{text}"
    );
    let bad = explain(&["--browser", "lynx"], None);
    assert_eq!(bad.status.code(), Some(2));
}
