//! Overhead of the C entry points over calling the core directly, same run, same requests.
//!
//! `cargo bench -p corsgate-ffi --bench overhead` (or `make bench-c`). Each round times a
//! batch through the Rust API, then the same batch through the `extern "C"` functions (called
//! through opaque function pointers, as a C caller would, so nothing is inlined across the
//! boundary), alternating which goes first. Both sides read what a server reads: kind,
//! verdict, status, headers, Vary and the reason code. Reported: the median ns per evaluation
//! of each side and the median of the per-round differences.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unsafe_code)]

use corsgate::{Policy, Request, SharedPolicy};
use corsgate_ffi::*;
use std::hint::black_box;
use std::ptr;
use std::time::Instant;

const POLICY: &str = r#"{
    "origins": ["https://app.example.com", "https://*.example.com", "http://localhost:*"],
    "methods": ["GET", "POST", "PUT", "DELETE"],
    "request_headers": ["content-type", "authorization", "x-request-id"],
    "expose_headers": ["x-request-id"],
    "credentials": true,
    "max_age": 600
}"#;

/// A benchmark request: a method and header lines.
struct BenchRequest {
    method: &'static str,
    lines: Vec<(&'static str, &'static str)>,
}

/// Header lines of browser requests, the CORS ones among the usual others.
fn requests() -> Vec<BenchRequest> {
    let common = [
        ("Host", "api.example.com"),
        (
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0",
        ),
        ("Accept", "*/*"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Accept-Encoding", "gzip, deflate, br"),
        ("Referer", "https://app.example.com/"),
        ("Sec-Fetch-Mode", "cors"),
        ("Connection", "keep-alive"),
    ];
    let with = |method, extra: &[(&'static str, &'static str)]| {
        let mut lines = common.to_vec();
        lines.extend_from_slice(extra);
        BenchRequest { method, lines }
    };
    vec![
        // An allowed actual request.
        with("GET", &[("Origin", "https://app.example.com")]),
        // An allowed preflight, matched by the subdomain wildcard.
        with(
            "OPTIONS",
            &[
                ("Origin", "https://eu.example.com"),
                ("Access-Control-Request-Method", "PUT"),
                (
                    "Access-Control-Request-Headers",
                    "authorization,content-type",
                ),
            ],
        ),
        // A denied actual request.
        with("GET", &[("Origin", "https://evil.example.net")]),
    ]
}

type Eval = unsafe extern "C" fn(
    *const corsgate_policy,
    *const corsgate_request,
    *mut corsgate_decision,
) -> corsgate_status;
type SharedEval = unsafe extern "C" fn(
    *const corsgate_shared,
    *const corsgate_request,
    *mut corsgate_decision,
) -> corsgate_status;

struct CReaders {
    kind: unsafe extern "C" fn(*const corsgate_decision) -> corsgate_kind,
    allowed: unsafe extern "C" fn(*const corsgate_decision) -> bool,
    status: unsafe extern "C" fn(*const corsgate_decision) -> u16,
    headers: unsafe extern "C" fn(*const corsgate_decision, *mut usize) -> *const corsgate_header,
    vary: unsafe extern "C" fn(*const corsgate_decision) -> corsgate_bytes,
    reason: unsafe extern "C" fn(*const corsgate_decision) -> corsgate_reason,
}

/// Reads a C decision the way a server does; returns a checksum.
fn read_c(r: &CReaders, d: *const corsgate_decision) -> usize {
    unsafe {
        let mut n = (r.kind)(d) as usize + usize::from((r.allowed)(d)) + (r.status)(d) as usize;
        let mut count = 0;
        let h = (r.headers)(d, &mut count);
        for i in 0..count {
            let h = &*h.add(i);
            n += h.name.len + h.value.len;
        }
        n + (r.vary)(d).len + (r.reason)(d) as usize
    }
}

/// Reads a core decision the same way.
fn read_rust(d: &corsgate::Decision<'_>) -> usize {
    let mut n = d.kind() as usize + usize::from(d.is_allowed()) + d.status().unwrap_or(0) as usize;
    for (name, value) in d.headers() {
        n += name.len() + value.len();
    }
    n + d.vary().value().len() + d.reason().map_or(0, |r| r.code() as usize + 1)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

struct Side {
    rust: Vec<f64>,
    c: Vec<f64>,
    diff: Vec<f64>,
}

fn report(name: &str, mut s: Side) {
    let (r, c, d) = (median(&mut s.rust), median(&mut s.c), median(&mut s.diff));
    println!("{name:<28} core {r:7.1} ns   C ABI {c:7.1} ns   overhead (median of per-round differences) {d:+6.1} ns");
}

fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(31);
    let iters: usize = std::env::var("ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let policy = Policy::from_json(POLICY).unwrap();
    let shared_rust = SharedPolicy::new(Policy::from_json(POLICY).unwrap());

    let mut c_policy = ptr::null_mut();
    let mut c_shared = ptr::null_mut();
    let mut decision = ptr::null_mut();
    unsafe {
        assert_eq!(
            corsgate_policy_from_json(
                POLICY.as_ptr(),
                POLICY.len(),
                &mut c_policy,
                ptr::null_mut()
            ),
            corsgate_status::CORSGATE_OK
        );
        assert_eq!(
            corsgate_shared_new(c_policy, &mut c_shared),
            corsgate_status::CORSGATE_OK
        );
        assert_eq!(
            corsgate_decision_new(&mut decision),
            corsgate_status::CORSGATE_OK
        );
    }
    let eval: Eval = black_box(corsgate_evaluate);
    let shared_eval: SharedEval = black_box(corsgate_shared_evaluate);
    let readers = black_box(CReaders {
        kind: corsgate_decision_kind,
        allowed: corsgate_decision_allowed,
        status: corsgate_decision_status,
        headers: corsgate_decision_headers,
        vary: corsgate_decision_vary,
        reason: corsgate_decision_reason,
    });

    let reqs = requests();
    let path = b"/api/items?page=2";
    let c_lines: Vec<Vec<corsgate_header>> = reqs
        .iter()
        .map(|r| {
            r.lines
                .iter()
                .map(|(n, v)| corsgate_header {
                    name: corsgate_bytes::of(n.as_bytes()),
                    value: corsgate_bytes::of(v.as_bytes()),
                })
                .collect()
        })
        .collect();
    let c_reqs: Vec<corsgate_request> = reqs
        .iter()
        .zip(&c_lines)
        .map(|(r, lines)| corsgate_request {
            method: corsgate_bytes::of(r.method.as_bytes()),
            path: corsgate_bytes::of(path),
            headers: lines.as_ptr(),
            header_count: lines.len(),
            origin_verdict: None,
            origin_verdict_data: ptr::null_mut(),
        })
        .collect();
    let rust_request = |r: &BenchRequest| {
        let mut req = Request::new(r.method.as_bytes(), path);
        for (n, v) in &r.lines {
            req.add_header(n.as_bytes(), v.as_bytes());
        }
        req
    };

    // Both sides give the same headers, checked once before timing.
    for (r, creq) in reqs.iter().zip(&c_reqs) {
        let req = rust_request(r);
        let want = policy.evaluate(&req);
        unsafe { assert_eq!(eval(c_policy, creq, decision), corsgate_status::CORSGATE_OK) };
        let mut count = 0;
        let got = unsafe { corsgate_decision_headers(decision, &mut count) };
        assert_eq!(count, want.headers().len());
        for (i, (name, value)) in want.headers().iter().enumerate() {
            let h = unsafe { &*got.add(i) };
            let (n, v) = unsafe {
                (
                    std::slice::from_raw_parts(h.name.ptr, h.name.len),
                    std::slice::from_raw_parts(h.value.ptr, h.value.len),
                )
            };
            assert_eq!((n, v), (name.as_bytes(), value.as_bytes()));
        }
    }

    let time_rust = |shared: bool| {
        let start = Instant::now();
        let mut sink = 0usize;
        for _ in 0..iters {
            for r in &reqs {
                let req = rust_request(black_box(r));
                if shared {
                    let snapshot = shared_rust.load();
                    sink += read_rust(&snapshot.evaluate(&req));
                } else {
                    sink += read_rust(&policy.evaluate(&req));
                }
            }
        }
        black_box(sink);
        start.elapsed().as_nanos() as f64 / (iters * reqs.len()) as f64
    };
    let time_c = |shared: bool| {
        let start = Instant::now();
        let mut sink = 0usize;
        for _ in 0..iters {
            for creq in &c_reqs {
                let status = unsafe {
                    if shared {
                        shared_eval(c_shared, black_box(creq), decision)
                    } else {
                        eval(c_policy, black_box(creq), decision)
                    }
                };
                sink += status as usize + read_c(&readers, decision);
            }
        }
        black_box(sink);
        start.elapsed().as_nanos() as f64 / (iters * c_reqs.len()) as f64
    };

    println!(
        "{} requests (actual allowed, preflight allowed, actual denied; 9-11 header lines each), {rounds} rounds x {iters} iterations",
        reqs.len()
    );
    for shared in [false, true] {
        let mut side = Side {
            rust: Vec::new(),
            c: Vec::new(),
            diff: Vec::new(),
        };
        // Warm-up.
        time_rust(shared);
        time_c(shared);
        for round in 0..rounds {
            let (r, c) = if round % 2 == 0 {
                let r = time_rust(shared);
                (r, time_c(shared))
            } else {
                let c = time_c(shared);
                (time_rust(shared), c)
            };
            side.rust.push(r);
            side.c.push(c);
            side.diff.push(c - r);
        }
        report(
            if shared {
                "shared handle (live reload)"
            } else {
                "policy"
            },
            side,
        );
    }
    unsafe {
        corsgate_decision_free(decision);
        corsgate_shared_free(c_shared);
        corsgate_policy_free(c_policy);
    }
}
