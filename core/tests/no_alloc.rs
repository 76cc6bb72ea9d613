//! Proves the hot path allocates nothing: evaluates every request vector under a counting
//! global allocator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{cases, compile, OwnedRequest};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Touches everything a binding reads from a decision, so nothing is lazily skipped.
fn consume(d: &corsgate::Decision<'_>) -> usize {
    let mut n = d
        .headers()
        .iter()
        .map(|(k, v)| k.len() + v.len())
        .sum::<usize>();
    n += d.vary().value().len() + d.status().unwrap_or(0) as usize + d.body().len();
    if let Some(r) = d.reason() {
        n += r.code().as_str().len() + r.value().len() + r.browser_reason().len();
    }
    n + d.kind().as_str().len() + usize::from(d.is_allowed())
}

#[test]
fn evaluating_every_request_vector_allocates_nothing() {
    let prepared: Vec<_> = cases("requests")
        .iter()
        .filter_map(|(_, case)| Some((compile(case).ok()?, OwnedRequest::from_case(case))))
        .collect();
    assert!(
        prepared.len() >= 300,
        "expected the whole corpus, found {}",
        prepared.len()
    );
    // A first pass warms lazily built regex caches.
    let mut sink = 0;
    for (policy, req) in &prepared {
        sink += consume(&policy.evaluate(&req.request()));
    }
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for (policy, req) in &prepared {
        sink += consume(&policy.evaluate(&req.request()));
    }
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
    assert_eq!(
        allocations,
        0,
        "{} evaluations allocated {allocations} times",
        prepared.len()
    );
    assert!(sink > 0);
}
