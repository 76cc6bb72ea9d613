//! `corsgate doctor` against local servers on 127.0.0.1 that answer with typical broken CORS
//! configurations (and a correct one). Each server is a thread started by its test and stopped
//! when the test ends; expected diagnoses come from the Fetch standard and Chromium's order.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const PAGE: &str = "http://app.localhost:3000";

/// A canned-answer HTTP server: `answer(request head)` gives the raw response bytes, or
/// `None` to keep the connection open without answering.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(answer: fn(&str) -> Option<String>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut open: Vec<TcpStream> = Vec::new();
            while !stop2.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        s.set_nonblocking(false).unwrap();
                        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                        let head = read_head(&mut s);
                        seen2.lock().unwrap().push(head.clone());
                        match answer(&head) {
                            Some(resp) => {
                                let _ = s.write_all(resp.as_bytes());
                            }
                            None => open.push(s),
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads up to the end of the request head; a client that sends something else (a TLS
/// ClientHello) is answered once it pauses.
fn read_head(s: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") && buf.len() < 65536 {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => break,
        }
        if buf.len() == 1 {
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn is_preflight(head: &str) -> bool {
    head.starts_with("OPTIONS ")
}

fn doctor(url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["doctor", url, "--origin", PAGE, "--timeout", "5"];
    args.extend_from_slice(extra);
    Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .args(&args)
        .output()
        .expect("run corsgate")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

const PUT_JSON: [&str; 4] = ["--method", "PUT", "-H", "Content-Type: application/json"];

fn correct(head: &str) -> Option<String> {
    Some(if is_preflight(head) {
        "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nAccess-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: content-type\r\nAccess-Control-Max-Age: 600\r\nVary: Origin\r\nContent-Length: 0\r\n\r\n".into()
    } else {
        "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nAccess-Control-Allow-Credentials: true\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".into()
    })
}

#[test]
fn correct_server_passes_and_both_exchanges_are_shown() {
    let server = Server::start(correct);
    let mut args = PUT_JSON.to_vec();
    args.push("--credentials");
    let out = doctor(&server.url("/orders"), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("> OPTIONS /orders HTTP/1.1\n"), "{text}");
    assert!(text.contains("> Access-Control-Request-Headers: content-type\n"));
    assert!(text.contains("< HTTP/1.1 204 No Content\n"));
    assert!(text.contains("> PUT /orders HTTP/1.1\n"));
    assert!(text.contains("verdict   allowed"));
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[0].starts_with("OPTIONS /orders HTTP/1.1\r\n"));
    assert!(seen[0].contains("\r\nAccess-Control-Request-Method: PUT\r\n"));
    assert!(seen[0].contains("\r\nOrigin: http://app.localhost:3000\r\n"));
    assert!(seen[1].starts_with("PUT /orders HTTP/1.1\r\n"));
    assert!(seen[1].contains("\r\nContent-Type: application/json\r\n"));
}

#[test]
fn correct_server_json_has_exchanges_and_cache_lifetimes() {
    let server = Server::start(correct);
    let mut args = PUT_JSON.to_vec();
    args.push("--json");
    let out = doctor(&server.url("/orders"), &args);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["verdict"], "allowed");
    assert_eq!(v["exchanges"][0]["stage"], "preflight");
    assert_eq!(v["exchanges"][0]["response"]["status"], 204);
    assert_eq!(v["exchanges"][1]["stage"], "request");
    assert_eq!(v["preflight"]["cache_seconds"]["webkit"], 600);
}

fn diagnose(answer: fn(&str) -> Option<String>, extra: &[&str]) -> (Value, Vec<String>, i32) {
    let server = Server::start(answer);
    let mut args = extra.to_vec();
    args.push("--json");
    let out = doctor(&server.url("/orders"), &args);
    let code = out.status.code().unwrap();
    (json(&out), server.requests(), code)
}

#[test]
fn missing_acao_on_the_preflight_stops_before_the_request() {
    let (v, seen, code) = diagnose(
        |_| {
            Some("HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: content-type\r\n\r\n".into())
        },
        &PUT_JSON,
    );
    assert_eq!(code, 1);
    assert_eq!(v["blocked"]["kind"], "PreflightMissingAllowOriginHeader");
    assert_eq!(
        seen.len(),
        1,
        "the browser sends no request after a failed preflight"
    );
}

#[test]
fn wildcard_with_credentials_is_refused() {
    let (v, _, code) = diagnose(
        |_| {
            Some("HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Credentials: true\r\nAccess-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: content-type\r\n\r\n".into())
        },
        &[&PUT_JSON[..], &["--credentials"]].concat(),
    );
    assert_eq!(code, 1);
    assert_eq!(v["blocked"]["kind"], "PreflightWildcardOriginNotAllowed");
    assert!(v["blocked"]["message"].as_str().unwrap().ends_with("Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."));
}

#[test]
fn preflight_answered_404_fails_the_status_check() {
    let (v, _, code) = diagnose(
        |head| {
            Some(if is_preflight(head) {
                "HTTP/1.1 404 Not Found\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nContent-Length: 0\r\n\r\n".into()
            } else {
                "HTTP/1.1 200 OK\r\n\r\n".into()
            })
        },
        &PUT_JSON,
    );
    assert_eq!(code, 1);
    assert_eq!(v["blocked"]["kind"], "PreflightInvalidStatus");
    assert!(v["blocked"]["fix"].as_str().unwrap().contains("404"));
}

#[test]
fn header_missing_from_acah_is_named() {
    let (v, _, code) = diagnose(
        |_| {
            Some("HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nAccess-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: x-requested-with\r\n\r\n".into())
        },
        &PUT_JSON,
    );
    assert_eq!(code, 1);
    assert_eq!(v["blocked"]["kind"], "HeaderDisallowedByPreflightResponse");
    assert!(v["blocked"]["message"].as_str().unwrap().ends_with("has been blocked by CORS policy: Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response."));
}

#[test]
fn two_acao_values_on_a_simple_request() {
    let (v, seen, code) = diagnose(
        |_| {
            Some("HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nAccess-Control-Allow-Origin: http://app.localhost:3000\r\nContent-Length: 0\r\n\r\n".into())
        },
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(seen.len(), 1, "a simple GET has no preflight");
    assert_eq!(v["blocked"]["kind"], "MultipleAllowOriginValues");
    assert_eq!(
        v["blocked"]["value"],
        "http://app.localhost:3000, http://app.localhost:3000"
    );
}

#[test]
fn redirecting_preflight_is_refused() {
    let (v, seen, code) = diagnose(
        |_| {
            Some(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /orders/\r\nContent-Length: 0\r\n\r\n"
                    .into(),
            )
        },
        &PUT_JSON,
    );
    assert_eq!(code, 1);
    assert_eq!(v["blocked"]["kind"], "PreflightDisallowedRedirect");
    assert_eq!(seen.len(), 1);
}

#[test]
fn connection_refused_is_reported_and_exits_2() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = doctor(&format!("http://127.0.0.1:{port}/"), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("connection refused"), "{err}");
}

#[test]
fn silent_server_times_out() {
    let server = Server::start(|_| None);
    let out = Command::new(env!("CARGO_BIN_EXE_corsgate"))
        .args([
            "doctor",
            &server.url("/"),
            "--origin",
            PAGE,
            "--timeout",
            "0.3",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert!(v["error"].as_str().unwrap().contains("timed out"), "{v}");
    assert_eq!(v["stage"], "request");
}

#[test]
fn https_to_a_plain_http_server_reports_the_tls_failure() {
    let server = Server::start(|_| Some("HTTP/1.1 400 Bad Request\r\n\r\n".into()));
    let url = format!("https://{}/", server.addr);
    let out = doctor(&url, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("TLS handshake with 127.0.0.1"), "{err}");
}

#[test]
fn non_http_answer_is_reported() {
    let server = Server::start(|_| Some("SSH-2.0-OpenSSH_9.2\r\n\r\n".into()));
    let out = doctor(&server.url("/"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("not HTTP/1.x"));
}
