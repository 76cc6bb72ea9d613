//! The C entry points allocate nothing per evaluation: every request vector evaluated through
//! `corsgate_evaluate` and `corsgate_shared_evaluate` into one reused decision, under a
//! counting global allocator, with everything a server reads from the decision read back.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, unsafe_code)]

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::{cases, OwnedRequest};
use corsgate_ffi::*;
use serde_json::Value;
use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A case's request as C header lines (borrowing `owned`).
fn c_lines(owned: &OwnedRequest) -> Vec<corsgate_header> {
    owned
        .headers
        .iter()
        .map(|(n, v)| corsgate_header {
            name: corsgate_bytes::of(n),
            value: corsgate_bytes::of(v),
        })
        .collect()
}

fn compile(case: &Value) -> Option<*mut corsgate_policy> {
    let mut p = ptr::null_mut();
    let status = match case.get("policy_toml") {
        Some(Value::String(t)) => unsafe {
            corsgate_policy_from_toml(t.as_ptr(), t.len(), &mut p, ptr::null_mut())
        },
        _ => {
            let t = case["policy"].to_string();
            unsafe { corsgate_policy_from_json(t.as_ptr(), t.len(), &mut p, ptr::null_mut()) }
        }
    };
    (status == corsgate_status::CORSGATE_OK).then_some(p)
}

/// Reads everything a server reads from a decision.
fn consume(d: *const corsgate_decision) -> usize {
    unsafe {
        let mut n = corsgate_decision_kind(d) as usize + usize::from(corsgate_decision_allowed(d));
        n += corsgate_decision_status(d) as usize;
        let mut count = 0;
        let h = corsgate_decision_headers(d, &mut count);
        for i in 0..count {
            let h = &*h.add(i);
            n += h.name.len + h.value.len;
        }
        for i in 0..corsgate_decision_vary_count(d) {
            n += corsgate_decision_vary_name(d, i).len;
        }
        n += corsgate_decision_vary(d).len + corsgate_decision_body(d).len;
        n += corsgate_decision_reason(d) as usize + corsgate_decision_reason_value(d).len;
        n + corsgate_decision_browser_reason(d).len
    }
}

#[test]
fn evaluating_through_the_c_abi_allocates_nothing() {
    let prepared: Vec<_> = cases("requests")
        .iter()
        .filter_map(|(_, case)| Some((compile(case)?, OwnedRequest::from_case(case))))
        .collect();
    assert!(
        prepared.len() >= 300,
        "expected the whole corpus, found {}",
        prepared.len()
    );
    let lines: Vec<_> = prepared.iter().map(|(_, r)| c_lines(r)).collect();
    let requests: Vec<_> = prepared
        .iter()
        .zip(&lines)
        .map(|((_, r), l)| corsgate_request {
            method: corsgate_bytes::of(&r.method),
            path: corsgate_bytes::of(&r.path),
            headers: l.as_ptr(),
            header_count: l.len(),
            origin_verdict: None,
            origin_verdict_data: ptr::null_mut(),
        })
        .collect();
    let mut decision = ptr::null_mut();
    let mut shared = ptr::null_mut();
    unsafe {
        assert_eq!(
            corsgate_decision_new(&mut decision),
            corsgate_status::CORSGATE_OK
        );
        assert_eq!(
            corsgate_shared_new(prepared[0].0, &mut shared),
            corsgate_status::CORSGATE_OK
        );
    }
    let run = |sink: &mut usize| {
        for ((policy, _), req) in prepared.iter().zip(&requests) {
            unsafe {
                assert_eq!(
                    corsgate_evaluate(*policy, req, decision),
                    corsgate_status::CORSGATE_OK
                );
                *sink += consume(decision);
                assert_eq!(
                    corsgate_shared_store(shared, *policy),
                    corsgate_status::CORSGATE_OK
                );
                assert_eq!(
                    corsgate_shared_evaluate(shared, req, decision),
                    corsgate_status::CORSGATE_OK
                );
                *sink += consume(decision);
            }
        }
    };
    // A first pass warms lazily built regex caches and arc-swap's per-thread slots.
    let mut sink = 0;
    run(&mut sink);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    run(&mut sink);
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(
        allocations,
        0,
        "{} C-ABI evaluations allocated {allocations} times",
        2 * prepared.len()
    );
    assert!(sink > 0);
    unsafe {
        corsgate_decision_free(decision);
        corsgate_shared_free(shared);
        for (p, _) in prepared {
            corsgate_policy_free(p);
        }
    }
}
