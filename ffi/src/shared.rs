//! The shared handle: live reconfiguration while other threads evaluate.

use crate::corsgate_status::*;
use crate::decision::{corsgate_decision, evaluate_into, PolicyRef};
use crate::policy::{corsgate_policy, into_handle, policy_arc, policy_ref};
use crate::request::corsgate_request;
use crate::{corsgate_status, guard, guard_or};
use corsgate::SharedPolicy;

/// A policy that can be replaced atomically while other threads evaluate it (live
/// reconfiguration). Every function on it is safe to call from any number of threads at
/// once: an evaluation uses either the old or the new policy, never a mixture, and a swap
/// never blocks evaluations. Free it with `corsgate_shared_free` once no thread uses it.
pub struct corsgate_shared {
    _opaque: [u8; 0],
}

/// # Safety
/// `s` is NULL or a live shared handle.
unsafe fn shared_ref<'a>(s: *const corsgate_shared) -> Option<&'a SharedPolicy> {
    // SAFETY: a live handle is `Box::into_raw` of a `SharedPolicy`.
    unsafe { s.cast::<SharedPolicy>().as_ref() }
}

/// Creates a shared handle serving `policy` into `*out`. The handle takes its own reference:
/// the caller still frees `policy` when it no longer needs it.
///
/// # Safety
/// `policy` is NULL or a live policy handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_shared_new(
    policy: *const corsgate_policy,
    out: *mut *mut corsgate_shared,
) -> corsgate_status {
    guard(|| {
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        // SAFETY: writable by contract.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: NULL or live by contract.
        if unsafe { policy_ref(policy) }.is_none() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        // SAFETY: live (checked above).
        let shared = Box::new(SharedPolicy::new(unsafe { policy_arc(policy) }));
        // SAFETY: writable by contract.
        unsafe { out.write(Box::into_raw(shared).cast()) };
        CORSGATE_OK
    })
}

/// Atomically replaces the policy `shared` serves with `policy` (the handle takes its own
/// reference; the caller still frees `policy`). Evaluations already running finish with the
/// old policy, and decisions holding it keep it alive until their next evaluation. To
/// reconfigure from a file, compile it first: a policy that fails to compile never replaces
/// the one serving.
///
/// # Safety
/// `shared` is NULL or a live shared handle; `policy` is NULL or a live policy handle.
#[no_mangle]
pub unsafe extern "C" fn corsgate_shared_store(
    shared: *const corsgate_shared,
    policy: *const corsgate_policy,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let (Some(shared), Some(_)) =
            (unsafe { shared_ref(shared) }, unsafe { policy_ref(policy) })
        else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: live (checked above).
        shared.store(unsafe { policy_arc(policy) });
        CORSGATE_OK
    })
}

/// Stores a new reference to the policy serving now in `*out` (free it with
/// `corsgate_policy_free`): to read its warnings, or to evaluate several requests against one
/// snapshot.
///
/// # Safety
/// `shared` is NULL or a live shared handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_shared_load(
    shared: *const corsgate_shared,
    out: *mut *mut corsgate_policy,
) -> corsgate_status {
    guard(|| {
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        // SAFETY: NULL or live by contract.
        let Some(shared) = (unsafe { shared_ref(shared) }) else {
            // SAFETY: writable by contract.
            unsafe { out.write(std::ptr::null_mut()) };
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: writable by contract.
        unsafe { out.write(into_handle(shared.load())) };
        CORSGATE_OK
    })
}

/// `corsgate_evaluate` against the policy `shared` serves at this instant. Allocates nothing;
/// any number of threads may call it at once (each with its own decision), also while
/// another thread calls `corsgate_shared_store`. The decision keeps the policy it used alive.
///
/// # Safety
/// `shared` is NULL or a live shared handle; `request` and `decision` as for
/// `corsgate_evaluate`.
#[no_mangle]
pub unsafe extern "C" fn corsgate_shared_evaluate(
    shared: *const corsgate_shared,
    request: *const corsgate_request,
    decision: *mut corsgate_decision,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let policy = unsafe { shared_ref(shared) }.map(|s| PolicyRef::Owned(s.load()));
        // SAFETY: forwarded contract.
        unsafe { evaluate_into(policy, request, decision) }
    })
}

/// Frees a shared handle. NULL is ignored. No other thread may use it any more; decisions
/// that evaluated it keep their policy alive on their own.
///
/// # Safety
/// `shared` is NULL or a live shared handle no thread uses any more.
#[no_mangle]
pub unsafe extern "C" fn corsgate_shared_free(shared: *mut corsgate_shared) {
    guard_or((), || {
        if !shared.is_null() {
            // SAFETY: a live handle is `Box::into_raw` of a `SharedPolicy`, released here.
            drop(unsafe { Box::from_raw(shared.cast::<SharedPolicy>()) });
        }
    })
}
