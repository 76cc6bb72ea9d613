//! Compiling policies, their warnings, and the error object of a failed compilation.

use crate::corsgate_status::*;
use crate::{bytes, corsgate_bytes, corsgate_status, guard, guard_or, set};
use corsgate::{ConfigErrors, Diagnostic, Format, Policy};
use std::ffi::c_char;
use std::sync::Arc;

/// A compiled policy: immutable, and safe to use from any number of threads at once
/// (evaluate it concurrently without locking). Create it with `corsgate_policy_from_json`,
/// `corsgate_policy_from_toml`, `corsgate_policy_from_file` or `corsgate_shared_load`; free
/// it with `corsgate_policy_free`. Decisions and shared handles keep their own reference, so
/// freeing a policy never invalidates them.
pub struct corsgate_policy {
    _opaque: [u8; 0],
}

/// Every problem found in a policy that did not compile (each with a path, a code, a message
/// and maybe a hint), plus the lint warnings found along the way. Created by the
/// `corsgate_policy_from_*` functions on `CORSGATE_ERR_INVALID_POLICY`; read-only, so any
/// thread may read it; free it once with `corsgate_error_free`.
pub struct corsgate_error {
    _opaque: [u8; 0],
}

/// The error object behind a `corsgate_error *`.
struct ErrorObject {
    errors: ConfigErrors,
    /// The `Display` text of `errors`, NUL-terminated (embedded NULs written as `\0`).
    summary: String,
}

/// One problem (or lint warning) in a policy. The byte strings are UTF-8 and not
/// NUL-terminated; they live as long as the object they were read from (the
/// `corsgate_error` or the `corsgate_policy`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsgate_diagnostic {
    /// Where: `origins[2]`, `routes[0].max_age`, or empty for the whole file.
    pub path: corsgate_bytes,
    /// A stable machine-readable code, such as `origin_trailing_slash` (docs/policy.md).
    pub code: corsgate_bytes,
    /// One line saying what is wrong.
    pub message: corsgate_bytes,
    /// How to fix it; empty (`ptr` NULL) when there is no concrete suggestion.
    pub hint: corsgate_bytes,
}

impl corsgate_diagnostic {
    fn of(d: &Diagnostic) -> corsgate_diagnostic {
        corsgate_diagnostic {
            path: corsgate_bytes::of(d.path.as_bytes()),
            code: corsgate_bytes::of(d.code.as_bytes()),
            message: corsgate_bytes::of(d.message.as_bytes()),
            hint: d
                .hint
                .as_deref()
                .map_or(corsgate_bytes::EMPTY, |h| corsgate_bytes::of(h.as_bytes())),
        }
    }
}

/// The `Arc<Policy>` a `corsgate_policy *` stands for, borrowed.
///
/// # Safety
/// `p` is NULL or a live pointer from [`into_handle`].
pub(crate) unsafe fn policy_ref<'a>(p: *const corsgate_policy) -> Option<&'a Policy> {
    // SAFETY: a live handle is `Arc::into_raw` of a `Policy`.
    unsafe { p.cast::<Policy>().as_ref() }
}

/// A new strong reference to the policy behind a handle.
///
/// # Safety
/// `p` is non-NULL and live.
pub(crate) unsafe fn policy_arc(p: *const corsgate_policy) -> Arc<Policy> {
    let p = p.cast::<Policy>();
    // SAFETY: `p` came from `Arc::into_raw` and is still counted by the caller's handle.
    unsafe {
        Arc::increment_strong_count(p);
        Arc::from_raw(p)
    }
}

/// Hands a policy to C: the handle owns one strong reference.
pub(crate) fn into_handle(policy: Arc<Policy>) -> *mut corsgate_policy {
    Arc::into_raw(policy).cast_mut().cast()
}

fn utf8_error(format: Format, e: std::str::Utf8Error) -> ConfigErrors {
    let what = match format {
        Format::Json => "JSON",
        Format::Toml => "TOML",
    };
    ConfigErrors {
        errors: vec![Diagnostic {
            path: String::new(),
            code: "parse_error",
            message: format!(
                "not valid {what}: the text is not UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            hint: None,
        }],
        warnings: Vec::new(),
    }
}

/// Stores a compilation result in the out-parameters.
///
/// # Safety
/// `out` is writable; `error` is NULL or writable.
unsafe fn finish(
    result: Result<Policy, ConfigErrors>,
    out: *mut *mut corsgate_policy,
    error: *mut *mut corsgate_error,
) -> corsgate_status {
    match result {
        Ok(policy) => {
            // SAFETY: writable by contract.
            unsafe {
                out.write(into_handle(Arc::new(policy)));
                set(error, std::ptr::null_mut());
            }
            CORSGATE_OK
        }
        Err(errors) => {
            let mut summary = errors.to_string().replace('\0', "\\0");
            summary.push('\0');
            let object = Box::new(ErrorObject { errors, summary });
            // SAFETY: writable by contract.
            unsafe {
                out.write(std::ptr::null_mut());
                if error.is_null() {
                    drop(object);
                } else {
                    error.write(Box::into_raw(object).cast());
                }
            }
            CORSGATE_ERR_INVALID_POLICY
        }
    }
}

/// Shared body of the buffer constructors.
///
/// # Safety
/// As documented on `corsgate_policy_from_json`.
unsafe fn from_buffer(
    format: Format,
    text: *const u8,
    len: usize,
    out: *mut *mut corsgate_policy,
    error: *mut *mut corsgate_error,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or writable by contract.
        unsafe { set(error, std::ptr::null_mut()) };
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        // SAFETY: writable by contract.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: `len` readable bytes by contract.
        let text = match unsafe { bytes(corsgate_bytes { ptr: text, len }) } {
            Ok(t) => t,
            Err(status) => return status,
        };
        let result = std::str::from_utf8(text)
            .map_err(|e| utf8_error(format, e))
            .and_then(|text| Policy::parse(text, format));
        // SAFETY: checked above / by contract.
        unsafe { finish(result, out, error) }
    })
}

/// Compiles a policy from JSON text (`len` bytes at `text`, UTF-8, no NUL needed).
///
/// On success returns `CORSGATE_OK`, stores the new policy in `*out` (free it with
/// `corsgate_policy_free`) and NULL in `*error`. When the policy is invalid, returns
/// `CORSGATE_ERR_INVALID_POLICY`, stores NULL in `*out` and, unless `error` is NULL, an error
/// object listing every problem in `*error` (free it with `corsgate_error_free`). `out` must
/// not be NULL; `error` may be. The text is not retained.
///
/// # Safety
/// `text` points to `len` readable bytes (or `len` is 0); `out` and `error` are NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_from_json(
    text: *const u8,
    len: usize,
    out: *mut *mut corsgate_policy,
    error: *mut *mut corsgate_error,
) -> corsgate_status {
    // SAFETY: forwarded contract.
    unsafe { from_buffer(Format::Json, text, len, out, error) }
}

/// Compiles a policy from TOML text; otherwise exactly like `corsgate_policy_from_json`.
///
/// # Safety
/// As for `corsgate_policy_from_json`.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_from_toml(
    text: *const u8,
    len: usize,
    out: *mut *mut corsgate_policy,
    error: *mut *mut corsgate_error,
) -> corsgate_status {
    // SAFETY: forwarded contract.
    unsafe { from_buffer(Format::Toml, text, len, out, error) }
}

/// Reads and compiles a policy file: `path` is `path_len` bytes (no NUL needed; a path with
/// an embedded NUL cannot be opened). A `.json` file is JSON, `.toml` is TOML, anything else
/// is TOML unless it starts with `{`. A file that cannot be read is an invalid policy whose
/// error has the code `io_error`. Results as for `corsgate_policy_from_json`.
///
/// # Safety
/// `path` points to `path_len` readable bytes (or `path_len` is 0); `out` and `error` are
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_from_file(
    path: *const u8,
    path_len: usize,
    out: *mut *mut corsgate_policy,
    error: *mut *mut corsgate_error,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or writable by contract.
        unsafe { set(error, std::ptr::null_mut()) };
        if out.is_null() {
            return CORSGATE_ERR_NULL_ARGUMENT;
        }
        // SAFETY: writable by contract.
        unsafe { out.write(std::ptr::null_mut()) };
        // SAFETY: `path_len` readable bytes by contract.
        let raw = match unsafe {
            bytes(corsgate_bytes {
                ptr: path,
                len: path_len,
            })
        } {
            Ok(p) => p,
            Err(status) => return status,
        };
        let result = Policy::from_file(os_path(raw));
        // SAFETY: checked above / by contract.
        unsafe { finish(result, out, error) }
    })
}

#[cfg(unix)]
fn os_path(raw: &[u8]) -> std::path::PathBuf {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(raw).into()
}

#[cfg(not(unix))]
fn os_path(raw: &[u8]) -> std::path::PathBuf {
    String::from_utf8_lossy(raw).into_owned().into()
}

/// Frees a policy handle. NULL is ignored. Decisions and shared handles that use the policy
/// keep it alive until they are done with it. Freeing the same handle twice is undefined.
///
/// # Safety
/// `policy` is NULL or a live handle, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_free(policy: *mut corsgate_policy) {
    guard_or((), || {
        if !policy.is_null() {
            // SAFETY: a live handle owns one strong reference, released here.
            drop(unsafe { Arc::from_raw(policy.cast_const().cast::<Policy>()) });
        }
    })
}

/// The number of lint warnings of a valid policy (legal but risky parts, docs/policy.md).
/// 0 when `policy` is NULL.
///
/// # Safety
/// `policy` is NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_warning_count(policy: *const corsgate_policy) -> usize {
    // SAFETY: NULL or live by contract.
    guard_or(0, || {
        unsafe { policy_ref(policy) }.map_or(0, |p| p.warnings().len())
    })
}

/// Reads warning `index` (0-based) of `policy` into `*out`; its strings live as long as the
/// policy handle. Returns `CORSGATE_ERR_INVALID_ARGUMENT` when `index` is out of range.
///
/// # Safety
/// `policy` is NULL or a live handle; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_policy_warning(
    policy: *const corsgate_policy,
    index: usize,
    out: *mut corsgate_diagnostic,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(policy) = (unsafe { policy_ref(policy) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: NULL or writable by contract.
        unsafe { read_diagnostic(policy.warnings(), index, out) }
    })
}

/// # Safety
/// `out` is NULL or writable.
unsafe fn read_diagnostic(
    list: &[Diagnostic],
    index: usize,
    out: *mut corsgate_diagnostic,
) -> corsgate_status {
    if out.is_null() {
        return CORSGATE_ERR_NULL_ARGUMENT;
    }
    match list.get(index) {
        Some(d) => {
            // SAFETY: non-NULL and writable by contract.
            unsafe { out.write(corsgate_diagnostic::of(d)) };
            CORSGATE_OK
        }
        None => CORSGATE_ERR_INVALID_ARGUMENT,
    }
}

/// # Safety
/// `e` is NULL or a live error object.
unsafe fn error_ref<'a>(e: *const corsgate_error) -> Option<&'a ErrorObject> {
    // SAFETY: a live error is `Box::into_raw` of an `ErrorObject`.
    unsafe { e.cast::<ErrorObject>().as_ref() }
}

/// The number of problems in `error` (at least 1); 0 when `error` is NULL.
///
/// # Safety
/// `error` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_count(error: *const corsgate_error) -> usize {
    // SAFETY: NULL or live by contract.
    guard_or(0, || {
        unsafe { error_ref(error) }.map_or(0, |e| e.errors.errors.len())
    })
}

/// Reads problem `index` (0-based, in the order found) into `*out`; its strings live as long
/// as the error object. Returns `CORSGATE_ERR_INVALID_ARGUMENT` when `index` is out of range.
///
/// # Safety
/// `error` is NULL or a live error object; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_get(
    error: *const corsgate_error,
    index: usize,
    out: *mut corsgate_diagnostic,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(e) = (unsafe { error_ref(error) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: NULL or writable by contract.
        unsafe { read_diagnostic(&e.errors.errors, index, out) }
    })
}

/// The number of lint warnings found in the parts of the invalid policy that could be read;
/// 0 when `error` is NULL.
///
/// # Safety
/// `error` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_warning_count(error: *const corsgate_error) -> usize {
    // SAFETY: NULL or live by contract.
    guard_or(0, || {
        unsafe { error_ref(error) }.map_or(0, |e| e.errors.warnings.len())
    })
}

/// Reads lint warning `index` of an invalid policy into `*out`, like `corsgate_error_get`.
///
/// # Safety
/// `error` is NULL or a live error object; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_warning(
    error: *const corsgate_error,
    index: usize,
    out: *mut corsgate_diagnostic,
) -> corsgate_status {
    guard(|| {
        // SAFETY: NULL or live by contract.
        let Some(e) = (unsafe { error_ref(error) }) else {
            return CORSGATE_ERR_NULL_ARGUMENT;
        };
        // SAFETY: NULL or writable by contract.
        unsafe { read_diagnostic(&e.errors.warnings, index, out) }
    })
}

/// Every problem as one NUL-terminated UTF-8 text for a log: a first line
/// (`invalid CORS policy (2 problems)`), then one indented line per problem with its path,
/// message, code and hint. Lives as long as the error object; `""` when `error` is NULL.
///
/// # Safety
/// `error` is NULL or a live error object.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_summary(error: *const corsgate_error) -> *const c_char {
    let empty: *const c_char = c"".as_ptr();
    guard_or(empty, || {
        // SAFETY: NULL or live by contract.
        unsafe { error_ref(error) }.map_or(empty, |e| e.summary.as_ptr().cast())
    })
}

/// Frees an error object. NULL is ignored; freeing twice is undefined.
///
/// # Safety
/// `error` is NULL or a live error object, not used again afterwards.
#[no_mangle]
pub unsafe extern "C" fn corsgate_error_free(error: *mut corsgate_error) {
    guard_or((), || {
        if !error.is_null() {
            // SAFETY: a live error is `Box::into_raw` of an `ErrorObject`, released here.
            drop(unsafe { Box::from_raw(error.cast::<ErrorObject>()) });
        }
    })
}
