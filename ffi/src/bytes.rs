//! Byte strings and header lines across the boundary: the C views, reading the caller's
//! memory, and formatting into the caller's buffers.

use crate::corsgate_status::{self, *};
use std::ffi::c_char;

/// A byte string: `len` bytes at `ptr`, not NUL-terminated unless a function says so, not
/// necessarily UTF-8. `ptr` may be NULL when `len` is 0.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsgate_bytes {
    /// The first byte.
    pub ptr: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl corsgate_bytes {
    /// The empty string (NULL, 0).
    pub const EMPTY: corsgate_bytes = corsgate_bytes {
        ptr: std::ptr::null(),
        len: 0,
    };

    /// A view of `s` (which must outlive the view's use).
    pub fn of(s: &[u8]) -> corsgate_bytes {
        corsgate_bytes {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }
}

/// One HTTP header line: a name and a value, both byte strings.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct corsgate_header {
    /// The header name (any case).
    pub name: corsgate_bytes,
    /// The header value, as received.
    pub value: corsgate_bytes,
}

impl corsgate_header {
    pub(crate) const EMPTY: corsgate_header = corsgate_header {
        name: corsgate_bytes::EMPTY,
        value: corsgate_bytes::EMPTY,
    };
}

/// A caller's byte string as a slice.
///
/// # Safety
/// Unless `len` is 0 or `ptr` is NULL, `ptr` must point to `len` readable bytes that stay
/// valid and unchanged for `'a`.
pub(crate) unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], corsgate_status> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(CORSGATE_ERR_NULL_ARGUMENT);
    }
    if len > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(CORSGATE_ERR_INVALID_ARGUMENT);
    }
    // SAFETY: non-NULL, length in range; the caller guarantees the memory (see above).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// [`slice`] for a `corsgate_bytes`.
///
/// # Safety
/// As for [`slice`].
pub(crate) unsafe fn bytes<'a>(b: corsgate_bytes) -> Result<&'a [u8], corsgate_status> {
    // SAFETY: forwarded contract.
    unsafe { slice(b.ptr, b.len) }
}

/// Writes `len` through an optional out-pointer.
///
/// # Safety
/// `out` is NULL or valid for a write.
pub(crate) unsafe fn set<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-NULL and, by contract, writable.
        unsafe { out.write(value) };
    }
}

/// Formats into a caller's buffer, snprintf-style: copies what fits (cut at a UTF-8 character
/// boundary), always NUL-terminates when `cap > 0`, and counts the full length.
struct BufWriter<'b> {
    buf: &'b mut [u8],
    written: usize,
    total: usize,
}

impl std::fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.total += s.len();
        // Keep one byte for the NUL.
        let room = self
            .buf
            .len()
            .saturating_sub(1)
            .saturating_sub(self.written);
        if self.written + s.len() < self.total {
            // Already truncated: nothing more is copied.
            return Ok(());
        }
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.written..self.written + n),
            s.as_bytes().get(..n),
        ) {
            dst.copy_from_slice(src);
        }
        self.written += n;
        Ok(())
    }
}

/// Formats `value` into `buf[..cap]` and reports the full length through `len_out`.
///
/// # Safety
/// `buf` is NULL with `cap == 0`, or points to `cap` writable bytes; `len_out` is NULL or
/// writable.
pub(crate) unsafe fn format_into(
    value: impl std::fmt::Display,
    buf: *mut c_char,
    cap: usize,
    len_out: *mut usize,
) -> corsgate_status {
    if buf.is_null() && cap != 0 {
        return CORSGATE_ERR_NULL_ARGUMENT;
    }
    if cap > isize::MAX as usize {
        return CORSGATE_ERR_INVALID_ARGUMENT;
    }
    let buf: &mut [u8] = if cap == 0 {
        &mut []
    } else {
        // SAFETY: non-NULL, `cap` writable bytes by contract.
        unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) }
    };
    let mut w = BufWriter {
        buf,
        written: 0,
        total: 0,
    };
    if std::fmt::write(&mut w, format_args!("{value}")).is_err() {
        return CORSGATE_ERR_INTERNAL;
    }
    let (written, total) = (w.written, w.total);
    if let Some(nul) = w.buf.get_mut(written) {
        *nul = 0;
    }
    // SAFETY: NULL or writable by contract.
    unsafe { set(len_out, total) };
    if total < cap {
        CORSGATE_OK
    } else {
        CORSGATE_ERR_BUFFER_TOO_SMALL
    }
}
