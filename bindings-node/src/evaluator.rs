//! The per-request calls of both middlewares, written against raw Node-API: the `cors`
//! drop-in's ([`Express`], core's `express` profile) and the strict `middleware(policy)`'s
//! ([`Strict`], a [`SharedPolicy`]). Both share one implementation of everything but the
//! decision: the function and its finalizer ([`create`]), argument reading ([`read_string`])
//! and the answer as a template id or text ([`Templates`]).
//!
//! napi-rs's generated glue costs more than the decision itself on this path: per call a
//! native-borrow scope, `this` unwrapping with class-identity checks and borrow bookkeeping,
//! and per `String` argument a type check, two N-API calls (length, then copy) and an
//! allocation; the answer then became one JavaScript string that JavaScript split again, and
//! whose header names were new strings to hash in every `setHeader`. Here instead:
//!
//! - the policy travels as the function's own data pointer (`napi_get_cb_info` returns it),
//!   so there is no `this` to unwrap;
//! - each string argument is copied by one `napi_get_value_string_utf8` into a buffer reused
//!   across calls (a non-string, i.e. `undefined`, is recognised by the status that call
//!   returns: no `napi_typeof`), and the buffer is validated as UTF-8 once;
//! - the answer is usually a small integer: the id of a *template*, i.e. the answer with every
//!   value that is one of the request's own strings (the reflected origin, the reflected
//!   `Access-Control-Request-Headers` or `-Method`, an origin function's answer) left as a
//!   reference. The first time a template comes up it is sent as text
//!   (`#id\nstatus\n[fields\n]name\nKvalue…`, `K` being `c` for a constant value, `o`, `h`,
//!   and `a` (express: the origin function's answer) or `m` (strict: the request method) for
//!   references, whose values are left empty) and JavaScript keeps it; afterwards only its id
//!   crosses, and JavaScript fills the references in with the strings it passed.
//!
//! Answers that cannot be templates (express: the response already had a `Vary`, whose merged
//! value is new text; a strict denial, whose message quotes the request; a value holding `\n`; more
//! than [`MAX_TEMPLATES`] templates) are sent whole: `status\n[fields\n]name\nvalue…`, or an
//! array when a part holds `\n`. The strict profile's fields are the reason code and message
//! (empty when allowed) and the decision's `Vary` text; the express profile has none.
//!
//! Raw N-API is `unsafe`: this module (and only it in this crate) allows it, as the C ABI
//! crate does; every block states why it holds.
#![allow(unsafe_code)]

use corsgate::express::ExpressPolicy;
use corsgate::{latin1, Request, ResponseHeader, SharedPolicy, Vary, REQUEST_HEADER_NAMES};
use napi::bindgen_prelude::{Env, Result, Unknown};
use napi::sys;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_void, CStr};
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;
use std::ptr;
use std::sync::Arc;

/// Templates one evaluator interns; past that, answers are sent whole. The express profile
/// makes a handful per policy (which headers, constant or reflected origin, status or not);
/// the bound only keeps a policy that somehow produced more from growing.
const MAX_TEMPLATES: usize = 256;

/// The most arguments an evaluator function reads (missing ones are `undefined`).
const MAX_ARGS: usize = 7;

/// The arguments of one call.
type Args = [sys::napi_value; MAX_ARGS];

/// A failure, thrown as a JavaScript `Error` with this message.
type Failure = &'static CStr;

/// What one kind of evaluator function decides: it reads its arguments into `input` and
/// answers through `templates`.
pub(crate) trait Profile: 'static {
    /// Evaluates one call.
    ///
    /// # Safety
    /// `env` and `argv` are those of the current N-API callback.
    unsafe fn call(
        &self,
        env: sys::napi_env,
        argv: &Args,
        input: &mut Input,
        templates: &mut Templates,
    ) -> std::result::Result<sys::napi_value, Failure>;
}

/// A multiply-rotate hash over 8-byte words (FxHash's mixing). Template keys are built from
/// the policy's own constants and header names only, never from request data, so a fast
/// non-keyed hash is enough.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(word) ^ (rest.len() as u64) << 59);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The state behind one evaluator function: its profile and buffers reused across calls.
struct Evaluator<P> {
    profile: P,
    input: Input,
    templates: Templates,
}

/// The string arguments of the current call, UTF-8, one after another, and a second buffer for
/// the strict profile's Latin-1 header bytes.
pub(crate) struct Input {
    text: Vec<u8>,
    latin1: Vec<u8>,
}

/// The templates one evaluator interned, and its output buffers.
pub(crate) struct Templates {
    /// The template key of the current answer.
    key: Vec<u8>,
    /// Text sent back (a new template, or a whole answer).
    out: String,
    /// Template key -> id.
    ids: HashMap<Box<[u8]>, u32, BuildHasherDefault<WordHasher>>,
    /// The key and id of the template answered last (consecutive misses mostly repeat it:
    /// comparing is cheaper than hashing).
    last: (Vec<u8>, u32),
}

/// Creates the evaluator function of `profile`, named `name`; its state is freed when the
/// function is garbage-collected.
pub(crate) fn create<'env, P: Profile>(
    env: &'env Env,
    name: &str,
    profile: P,
) -> Result<Unknown<'env>> {
    let state = Box::new(RefCell::new(Evaluator {
        profile,
        input: Input {
            text: Vec::with_capacity(1024),
            latin1: Vec::new(),
        },
        templates: Templates {
            key: Vec::with_capacity(256),
            out: String::with_capacity(256),
            ids: HashMap::default(),
            last: (Vec::new(), 0),
        },
    }));
    let data = Box::into_raw(state).cast::<c_void>();
    let mut function = ptr::null_mut();
    // SAFETY: `env` is the live environment of this call; `data` stays valid until
    // `finalize` frees it, which N-API calls once, after the function is collected.
    unsafe {
        let created = sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(evaluate::<P>),
            data,
            &mut function,
        );
        if created != sys::Status::napi_ok
            || sys::napi_add_finalizer(
                env.raw(),
                function,
                data,
                Some(finalize::<P>),
                ptr::null_mut(),
                ptr::null_mut(),
            ) != sys::Status::napi_ok
        {
            // The function (if any) is unreachable garbage without a finalizer: free now.
            finalize::<P>(env.raw(), data, ptr::null_mut());
            return Err(napi::Error::from_reason(
                "cannot create the evaluator function",
            ));
        }
        Ok(Unknown::from_raw_unchecked(env.raw(), function))
    }
}

/// Frees an evaluator's state (N-API finalizer of its function).
unsafe extern "C" fn finalize<P: Profile>(
    _env: sys::napi_env,
    data: *mut c_void,
    _hint: *mut c_void,
) {
    if !data.is_null() {
        // SAFETY: `data` came from `Box::into_raw` in `create` and is freed only here.
        drop(unsafe { Box::from_raw(data.cast::<RefCell<Evaluator<P>>>()) });
    }
}

/// Throws a JavaScript `Error` and returns the null value N-API expects with it.
unsafe fn throw(env: sys::napi_env, message: &CStr) -> sys::napi_value {
    // SAFETY: `env` is the live environment of the current call.
    unsafe { sys::napi_throw_error(env, ptr::null(), message.as_ptr()) };
    ptr::null_mut()
}

/// The function's callback: reads the arguments, lets the profile answer. A panic (a bug:
/// the core promises none) must not unwind into Node, which would abort the process: it is
/// caught and thrown as an `Error`, which the middlewares answer as an internal error (500).
unsafe extern "C" fn evaluate<P: Profile>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    // SAFETY: `env` and `info` are this callback's. The state a panic may leave half-written
    // (reused buffers, the template table) is reset or only appended to by each call.
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
        evaluate_call::<P>(env, info)
    }));
    match answer {
        Ok(value) => value,
        // SAFETY: as above; nothing of the failed call is pending in N-API.
        Err(_) => unsafe {
            throw(
                env,
                c"corsgate: internal error in the evaluator (a bug, please report it)",
            )
        },
    }
}

/// [`evaluate`]'s body.
///
/// # Safety
/// `env` and `info` are those of the current N-API callback.
unsafe fn evaluate_call<P: Profile>(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut argc = MAX_ARGS;
    let mut argv: Args = [ptr::null_mut(); MAX_ARGS];
    let mut data = ptr::null_mut();
    // SAFETY: `env` and `info` are the ones N-API passed to this callback; missing
    // arguments are filled with `undefined`.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            argv.as_mut_ptr(),
            ptr::null_mut(),
            &mut data,
        )
    };
    if status != sys::Status::napi_ok || data.is_null() {
        // SAFETY: as above.
        return unsafe { throw(env, c"corsgate: evaluator called without its policy") };
    }
    // SAFETY: `data` is the `RefCell<Evaluator>` this function was created with, alive until
    // its finalizer runs, which cannot happen during a call of the function.
    let cell = unsafe { &*data.cast::<RefCell<Evaluator<P>>>() };
    let Ok(mut evaluator) = cell.try_borrow_mut() else {
        // SAFETY: as above.
        return unsafe { throw(env, c"corsgate: evaluator re-entered") };
    };
    let Evaluator {
        profile,
        input,
        templates,
    } = &mut *evaluator;
    input.text.clear();
    input.latin1.clear();
    // SAFETY: as above.
    match unsafe { profile.call(env, &argv, input, templates) } {
        Ok(value) => value,
        // SAFETY: as above.
        Err(message) => unsafe { throw(env, message) },
    }
}

/// Appends the UTF-8 of a JavaScript string to `buf`: its byte range, or `None` when `value`
/// is not a string.
#[inline]
unsafe fn read_string(
    env: sys::napi_env,
    value: sys::napi_value,
    buf: &mut Vec<u8>,
) -> std::result::Result<Option<Range<usize>>, Failure> {
    let start = buf.len();
    if buf.capacity() - start < 64 {
        buf.reserve(256);
    }
    let spare = buf.capacity() - start;
    let mut written = 0;
    // SAFETY: the spare capacity is writable; N-API writes at most `spare` bytes (the string
    // bytes and a NUL) and stops before a character that does not fit whole.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().add(start).cast(),
            spare,
            &mut written,
        )
    };
    match status {
        sys::Status::napi_ok => {}
        sys::Status::napi_string_expected => return Ok(None),
        _ => return Err(c"corsgate: cannot read a string argument"),
    }
    // A character takes at most 4 bytes: with 4 left besides the NUL, nothing was cut.
    if spare - written < 5 {
        let mut len = 0;
        // SAFETY: a null buffer asks for the length only.
        let status =
            unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) };
        if status != sys::Status::napi_ok {
            return Err(c"corsgate: cannot read a string argument");
        }
        buf.reserve(len + 1);
        // SAFETY: `len + 1` bytes of spare capacity were just reserved.
        let status = unsafe {
            sys::napi_get_value_string_utf8(
                env,
                value,
                buf.as_mut_ptr().add(start).cast(),
                len + 1,
                &mut written,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(c"corsgate: cannot read a string argument");
        }
    }
    // SAFETY: N-API initialised `written` bytes after `start`, within the capacity.
    unsafe { buf.set_len(start + written) };
    Ok(Some(start..start + written))
}

/// Which of the request's strings a header value is, by address: `o` origin, `h` request
/// headers, `a` the origin function's answer.
fn reference(value: &str, inputs: [(u8, Option<&str>); 3]) -> Option<u8> {
    inputs.into_iter().find_map(|(kind, input)| {
        input
            .filter(|s| s.as_ptr() == value.as_ptr() && s.len() == value.len())
            .map(|_| kind)
    })
}

/// One answer: the status, the profile's fields, the headers in order.
pub(crate) struct Answer<'a, H> {
    status: Option<u16>,
    /// Text fields after the status (strict: reason code and message).
    fields: &'a [&'a str],
    /// The headers in order, `(name, value)`, as often as needed.
    headers: H,
    /// Whether the profile lets this answer be a template (no new text in it).
    template: bool,
}

impl Templates {
    /// Sends `answer` back: a template id, a new template, or the whole answer. `refs` are
    /// the request's strings a value may be (by address), with their letters; `input` is
    /// where every string argument lies (a value inside it that is no whole reference is
    /// request text no template can hold).
    ///
    /// # Safety
    /// `env` is the current call's.
    #[inline(always)]
    unsafe fn reply<'a, H, I>(
        &mut self,
        env: sys::napi_env,
        answer: Answer<'_, H>,
        refs: [(u8, Option<&str>); 3],
        input: &[u8],
    ) -> sys::napi_value
    where
        H: Fn() -> I,
        I: Iterator<Item = (&'static str, &'a str)>,
    {
        let Templates {
            key,
            out,
            ids,
            last,
        } = self;
        let status = answer.status;
        // The template key: status, fields, then per header its name and either a reference
        // or the constant value. Not a template when a value is text no template can hold.
        let input_range = input.as_ptr_range();
        let mut template = answer.template;
        if template {
            key.clear();
            key.extend_from_slice(&status.unwrap_or(0).to_le_bytes());
            for field in answer.fields {
                key.extend_from_slice(&(field.len() as u32).to_le_bytes());
                key.extend_from_slice(field.as_bytes());
                template &= !field.contains('\n');
            }
            for (name, value) in (answer.headers)() {
                if !template {
                    break;
                }
                key.extend_from_slice(&(name.len() as u32).to_le_bytes());
                key.extend_from_slice(name.as_bytes());
                match reference(value, refs) {
                    Some(kind) => key.push(kind),
                    None if value.contains('\n') || input_range.contains(&value.as_ptr()) => {
                        template = false
                    }
                    None => {
                        key.push(b'c');
                        key.extend_from_slice(&(value.len() as u32).to_le_bytes());
                        key.extend_from_slice(value.as_bytes());
                    }
                }
            }
        }

        let mut result = ptr::null_mut();
        if template {
            // (`last` starts with an empty key, which no answer has: it holds the status.)
            let known = if *key == last.0 {
                Some(last.1)
            } else {
                let found = ids.get(key.as_slice()).copied();
                if let Some(id) = found {
                    last.0.clone_from(key);
                    last.1 = id;
                }
                found
            };
            if let Some(id) = known {
                // SAFETY: `env` is this call's.
                unsafe { sys::napi_create_uint32(env, id, &mut result) };
                return result;
            }
            if ids.len() < MAX_TEMPLATES {
                let id = ids.len() as u32;
                ids.insert(key.as_slice().into(), id);
                out.clear();
                let _ = writeln!(out, "#{id}");
                if let Some(s) = status {
                    let _ = write!(out, "{s}");
                }
                for field in answer.fields {
                    out.push('\n');
                    out.push_str(field);
                }
                for (name, value) in (answer.headers)() {
                    out.push('\n');
                    out.push_str(name);
                    out.push('\n');
                    match reference(value, refs) {
                        Some(kind) => out.push(char::from(kind)),
                        None => {
                            out.push('c');
                            out.push_str(value);
                        }
                    }
                }
                // SAFETY: as above.
                return unsafe { string(env, out) };
            }
        }

        // The whole answer.
        out.clear();
        if let Some(s) = status {
            let _ = write!(out, "{s}");
        }
        let mut split = false;
        for field in answer.fields {
            split |= field.contains('\n');
            out.push('\n');
            out.push_str(field);
        }
        for (name, value) in (answer.headers)() {
            split |= value.contains('\n');
            out.push('\n');
            out.push_str(name);
            out.push('\n');
            out.push_str(value);
        }
        if !split {
            // SAFETY: as above.
            return unsafe { string(env, out) };
        }
        let status = status.map(|s| s.to_string()).unwrap_or_default();
        let parts: Vec<&str> = std::iter::once(status.as_str())
            .chain(answer.fields.iter().copied())
            .chain((answer.headers)().flat_map(|(n, v)| [n, v]))
            .collect();
        // SAFETY: as above.
        unsafe {
            sys::napi_create_array_with_length(env, parts.len(), &mut result);
            for (i, part) in parts.into_iter().enumerate() {
                sys::napi_set_element(env, result, i as u32, string(env, part));
            }
        }
        result
    }
}

/// The `cors` drop-in's profile: `(method, origin, requestHeaders, vary, verdict, answer)`.
pub(crate) struct Express(pub(crate) Arc<ExpressPolicy>);

impl Profile for Express {
    unsafe fn call(
        &self,
        env: sys::napi_env,
        argv: &Args,
        input: &mut Input,
        templates: &mut Templates,
    ) -> std::result::Result<sys::napi_value, Failure> {
        let buf = &mut input.text;
        // SAFETY (each read): `env` and the values are this call's.
        let method = unsafe { read_string(env, argv[0], buf) }?;
        let origin = unsafe { read_string(env, argv[1], buf) }?;
        let request_headers = unsafe { read_string(env, argv[2], buf) }?;
        let vary = unsafe { read_string(env, argv[3], buf) }?;
        let answer = unsafe { read_string(env, argv[5], buf) }?;
        let mut verdict = 0;
        // SAFETY: as above; a non-number leaves `verdict` at 0.
        unsafe { sys::napi_get_value_uint32(env, argv[4], &mut verdict) };

        let text = std::str::from_utf8(buf).map_err(|_| c"corsgate: invalid UTF-8 from N-API")?;
        let slice = |r: Option<Range<usize>>| r.and_then(|r| text.get(r));
        let method = slice(method).unwrap_or("");
        let (origin, request_headers, vary, answer) = (
            slice(origin),
            slice(request_headers),
            slice(vary),
            slice(answer),
        );

        let req = crate::express_request(method, origin, request_headers, vary, verdict, answer);
        let decision = self.0.evaluate(&req);
        let refs = [(b'o', origin), (b'h', request_headers), (b'a', answer)];
        let reply = Answer {
            status: decision.status(),
            fields: &[],
            headers: || decision.headers(),
            template: vary.is_none_or(str::is_empty),
        };
        // SAFETY: as above.
        Ok(unsafe { templates.reply(env, reply, refs, text.as_bytes()) })
    }
}

/// The strict middleware's profile: `(method, path, origin, requestMethod, requestHeaders,
/// requestPrivateNetwork)`, the four CORS request headers each `undefined` or one line. Its
/// fields are the reason code and message and the decision's `Vary` text (`""` for an answered
/// preflight, whose headers hold the core's whole response).
pub(crate) struct Strict(pub(crate) Arc<SharedPolicy>);

/// Where a header value's bytes are: the UTF-8 input as is, or converted to Latin-1.
enum Bytes {
    Input(Range<usize>),
    Latin1(Range<usize>),
}

impl Profile for Strict {
    unsafe fn call(
        &self,
        env: sys::napi_env,
        argv: &Args,
        input: &mut Input,
        templates: &mut Templates,
    ) -> std::result::Result<sys::napi_value, Failure> {
        let buf = &mut input.text;
        // SAFETY (each read): `env` and the values are this call's.
        let method = unsafe { read_string(env, argv[0], buf) }?;
        let path = unsafe { read_string(env, argv[1], buf) }?
            .ok_or(c"corsgate: the request path is not a string")?;
        let mut values = [const { None }; 4];
        for (value, &arg) in values.iter_mut().zip(&argv[2..6]) {
            *value = unsafe { read_string(env, arg, buf) }?;
        }

        let text = std::str::from_utf8(buf).map_err(|_| c"corsgate: invalid UTF-8 from N-API")?;
        let slice = |r: &Option<Range<usize>>| r.clone().and_then(|r| text.get(r));
        // Header values are the bytes Node decoded as Latin-1 (core's `latin1`): ASCII, the
        // usual case, is used as is; so is text with characters above U+00FF, which no Latin-1
        // decoding made.
        let latin1 = &mut input.latin1;
        let bytes = values.each_ref().map(|r| {
            let range = r.clone()?;
            let value = text.get(range.clone())?;
            let start = latin1.len();
            if value.is_ascii() || !latin1::encode_into(value, latin1) {
                return Some(Bytes::Input(range));
            }
            Some(Bytes::Latin1(start..latin1.len()))
        });
        let converted = bytes.iter().any(|b| matches!(b, Some(Bytes::Latin1(_))));
        let latin1 = &input.latin1[..];
        let method = slice(&method).unwrap_or("");
        let mut req = Request::new(method.as_bytes(), text.as_bytes().get(path).unwrap_or(b""));
        // Arguments 2 to 5 are the core's request headers, in its order.
        for (name, value) in REQUEST_HEADER_NAMES.iter().zip(&bytes) {
            let value = match value {
                Some(Bytes::Input(r)) => text.as_bytes().get(r.clone()),
                Some(Bytes::Latin1(r)) => latin1.get(r.clone()),
                None => None,
            };
            if let Some(value) = value {
                req.add_header(name.as_bytes(), value);
            }
        }

        let policy = self.0.load();
        let d = policy.evaluate(&req);
        // An answered preflight is the core's whole response (its headers, `Vary` and
        // framing); otherwise the plan carries the decision's headers and its `Vary` text, and
        // the core's rule writes them when the application's head goes out (`strictResponse`).
        let answered = d.status().map(|_| d.response(&[]));
        let written = answered
            .iter()
            .flat_map(|r| &r.headers)
            .filter_map(|h| match h {
                ResponseHeader::Set(name, value) => Some((*name, std::str::from_utf8(value).ok()?)),
                ResponseHeader::Kept(_) => None,
            });
        let vary = if answered.is_some() {
            ""
        } else {
            d.vary().value()
        };
        let message = d.reason().map(|r| r.message().to_string());
        let code = d.reason().map_or("", |r| r.code().as_str());
        let fields = [code, message.as_deref().unwrap_or(""), vary];
        let refs = [
            (b'o', slice(&values[0])),
            (b'h', slice(&values[2])),
            (b'm', slice(&values[1])),
        ];
        let reply = Answer {
            status: d.status(),
            fields: &fields,
            headers: || {
                let own = d.headers().iter().copied().filter(|_| answered.is_none());
                own.chain(written.clone())
            },
            template: d.reason().is_none() && !converted,
        };
        // SAFETY: as above.
        Ok(unsafe { templates.reply(env, reply, refs, text.as_bytes()) })
    }
}

/// The strict rule when the application's head is written (lib/write.js): `(vary, lines)`,
/// `vary` the plan's `Vary` text and `lines` the response's header lines joined as
/// `name\nvalue\n…` (Node refuses CR and LF in header names and values). Answers with
/// `\n`-separated text: the one `Vary` value that replaces the response's (`""`: keep them),
/// then the name of every line that goes (`corsgate::write_strict`).
pub(crate) struct StrictWrite;

impl Profile for StrictWrite {
    unsafe fn call(
        &self,
        env: sys::napi_env,
        argv: &Args,
        input: &mut Input,
        templates: &mut Templates,
    ) -> std::result::Result<sys::napi_value, Failure> {
        let buf = &mut input.text;
        // SAFETY (each read): `env` and the values are this call's.
        let vary = unsafe { read_string(env, argv[0], buf) }?;
        let lines = unsafe { read_string(env, argv[1], buf) }?;
        let text = std::str::from_utf8(buf).map_err(|_| c"corsgate: invalid UTF-8 from N-API")?;
        let slice = |r: Option<Range<usize>>| r.and_then(|r| text.get(r)).unwrap_or("");
        // The plan's text is always one of them; any other text adds no name.
        let vary = Vary::from_value(slice(vary))
            .or_else(|| Vary::from_value(""))
            .ok_or(c"corsgate: no Vary without names")?;
        let lines = slice(lines);
        let mut parts = lines.split('\n');
        let mut names = Vec::new();
        let mut application = Vec::new();
        if !lines.is_empty() {
            while let (Some(name), Some(value)) = (parts.next(), parts.next()) {
                names.push(name);
                application.push((name.as_bytes(), latin1_of(value)));
            }
        }
        let application: Vec<(&[u8], &[u8])> =
            application.iter().map(|(n, v)| (*n, &**v)).collect();
        let mut written = Vec::with_capacity(application.len() + 1);
        corsgate::write_strict(std::iter::empty(), vary, &application, &mut written);
        let mut kept = vec![false; names.len()];
        let out = &mut templates.out;
        out.clear();
        for header in &written {
            match header {
                ResponseHeader::Kept(i) => {
                    if let Some(k) = kept.get_mut(*i) {
                        *k = true;
                    }
                }
                ResponseHeader::Set(_, value) => out.extend(value.iter().map(|&b| char::from(b))),
            }
        }
        for (name, kept) in names.iter().zip(kept) {
            if !kept {
                out.push('\n');
                out.push_str(name);
            }
        }
        // SAFETY: as above.
        Ok(unsafe { string(env, out) })
    }
}

/// The bytes of a header value Node holds as a string (Latin-1, core's `latin1`; text with a
/// character above U+00FF, which no Latin-1 decoding made, as its UTF-8).
fn latin1_of(value: &str) -> std::borrow::Cow<'_, [u8]> {
    latin1::encode(value).unwrap_or(std::borrow::Cow::Borrowed(value.as_bytes()))
}

/// A profile that panics: `panicProbe()` in `lib.rs` hands it to the test suite, which
/// proves that a panic inside an evaluator is thrown as an `Error` and the process lives on.
pub(crate) struct PanicProbe;

impl Profile for PanicProbe {
    unsafe fn call(
        &self,
        _env: sys::napi_env,
        _argv: &Args,
        _input: &mut Input,
        _templates: &mut Templates,
    ) -> std::result::Result<sys::napi_value, Failure> {
        panic!("corsgate: the panic probe was called")
    }
}

/// A JavaScript string of `text`.
unsafe fn string(env: sys::napi_env, text: &str) -> sys::napi_value {
    let mut value = ptr::null_mut();
    // SAFETY: `text` is valid UTF-8 of the given length; `env` is the current call's.
    unsafe {
        sys::napi_create_string_utf8(env, text.as_ptr().cast(), text.len() as isize, &mut value)
    };
    value
}
