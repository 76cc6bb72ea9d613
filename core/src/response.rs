//! The response on the wire: a decision written onto the application's (or an upstream's)
//! response headers, or the whole answer to a preflight corsgate answers itself. One rule per
//! profile (docs/semantics.md, "The response"); every binding writes what this returns.
//!
//! The strict profile owns every CORS response header:
//! - the application's `Access-Control-Allow-*`, `-Max-Age` and `-Expose-Headers` lines are
//!   removed, on every response (a denied request and a request without `Origin` get none of
//!   them), and the decision's headers are written after the application's;
//! - `Vary` keeps the application's names and adds the decision's that no `Vary` line lists
//!   yet (ASCII case-insensitively; a `*` lists them all): when one is missing, the
//!   application's `Vary` lines are replaced by one line, their values and then the missing
//!   names, joined with `, `;
//! - an answered preflight is the decision's status, no body, the decision's headers and
//!   `Vary`, `Content-Length: 0` and `Content-Type: text/plain; charset=utf-8` (neither with
//!   204, which has no content, RFC 9110 §8.6).
//!
//! The `starlette` profile keeps Starlette's rule ([`crate::starlette::merge_headers`],
//! [`crate::starlette::preflight_response_headers`]).

use crate::decision::Decision;
use crate::diagnostic::Profile;
use crate::header::HeaderName;
use crate::profiles::starlette;
use crate::vary::Vary;
use std::borrow::Cow;

/// One header of the response to send, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseHeader<'d> {
    /// The application's header at this index of its list, unchanged.
    Kept(usize),
    /// A header corsgate writes: name (canonical case in the strict profile, lower case in
    /// the `starlette` one) and value.
    Set(&'static str, Cow<'d, [u8]>),
}

/// Exactly what to send for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response<'d> {
    /// The status of a preflight corsgate answers itself (the application is not called), or
    /// `None`: the application's status stands.
    pub status: Option<u16>,
    /// The body of an answered preflight (empty otherwise).
    pub body: &'static str,
    /// The header lines, in order.
    pub headers: Vec<ResponseHeader<'d>>,
}

impl<'a> Decision<'a> {
    /// What to send: this decision written onto the application's response headers
    /// (`application`, name and value, in order), or, for a preflight corsgate answers, the
    /// whole answer (`application` is then ignored). Allocates the header list; a binding
    /// that answers many requests reuses one with [`Decision::response_into`].
    pub fn response<'d>(&'d self, application: &[(&[u8], &[u8])]) -> Response<'d> {
        let mut headers = Vec::new();
        let status = self.response_into(application, &mut headers);
        Response {
            status,
            body: if status.is_some() { self.body() } else { "" },
            headers,
        }
    }

    /// [`Decision::response`] into a reused list (cleared first); returns the status of an
    /// answered preflight. The body is [`Decision::body`].
    pub fn response_into<'d>(
        &'d self,
        application: &[(&[u8], &[u8])],
        out: &mut Vec<ResponseHeader<'d>>,
    ) -> Option<u16> {
        out.clear();
        match (self.profile, self.status()) {
            (Profile::Starlette, Some(_)) => out.extend(
                starlette::preflight_response_headers(self)
                    .map(|(n, v)| ResponseHeader::Set(n, Cow::Borrowed(v.as_bytes()))),
            ),
            (Profile::Starlette, None) => starlette::merge_headers(
                self.headers().iter().map(|&(n, v)| (n, v.as_bytes())),
                self.vary(),
                application,
                out,
            ),
            (_, Some(status)) => {
                self.write_cors_headers(out);
                if !self.vary().value().is_empty() {
                    out.push(set(HeaderName::Vary.canonical(), self.vary().value()));
                }
                out.extend(self.framing(status).iter().map(|&(n, v)| set(n, v)));
            }
            (_, None) => write_strict(
                self.headers().iter().map(|&(n, v)| (n, v.as_bytes())),
                self.vary(),
                application,
                out,
            ),
        }
        self.status()
    }

    /// In the strict profile, whether the application's header `name` goes (`removes`).
    pub fn removes(&self, name: &[u8], vary_rewritten: bool) -> bool {
        removes(name, vary_rewritten)
    }

    /// The framing headers of a strict preflight answered with `status` and no body:
    /// `Content-Length: 0` and `Content-Type: text/plain; charset=utf-8` (WSGI validators and
    /// some proxies want a type on every response that may have content), none for 204 (No
    /// Content, RFC 9110 §8.6).
    pub fn framing(&self, status: u16) -> &'static [(&'static str, &'static str)] {
        const FRAMING: [(&str, &str); 2] = [(CONTENT_LENGTH, "0"), (CONTENT_TYPE, EMPTY_BODY_TYPE)];
        if status == 204 {
            &[]
        } else {
            &FRAMING
        }
    }

    fn write_cors_headers<'d>(&'d self, out: &mut Vec<ResponseHeader<'d>>) {
        out.extend(self.headers().iter().map(|&(n, v)| set(n, v)));
    }
}

/// The strict rule for a response the application answers, over a decision's parts (its
/// headers and `Vary`), for a binding that keeps them past the request (an ASGI or WSGI
/// middleware writes the application's response later): the application's CORS response
/// headers go, `headers` are written after the rest, and a `Vary` lacking a name of `vary`
/// is replaced by one merged line ([`Vary::merge`]). `out` is cleared first.
pub fn write_strict<'d>(
    headers: impl IntoIterator<Item = (&'static str, &'d [u8])>,
    vary: Vary,
    application: &[(&[u8], &[u8])],
    out: &mut Vec<ResponseHeader<'d>>,
) {
    out.clear();
    let merged = vary.merge(
        application
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(b"vary"))
            .map(|(_, v)| *v),
    );
    let rewritten = merged.is_some();
    out.extend(
        application
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| !removes(name, rewritten))
            .map(|(i, _)| ResponseHeader::Kept(i)),
    );
    out.extend(
        headers
            .into_iter()
            .map(|(n, v)| ResponseHeader::Set(n, Cow::Borrowed(v))),
    );
    if let Some(value) = merged {
        out.push(ResponseHeader::Set(HeaderName::Vary.canonical(), value));
    }
}

/// In the strict profile, whether the application's header `name` goes: every CORS response
/// header does, and `Vary` when a merged `Vary` replaces it (`vary_rewritten`: [`Vary::merge`]
/// returned a line). With [`Vary::merge`] this is [`write_strict`] for a binding whose
/// response headers are a map it edits in place (corsgate-actix).
pub fn removes(name: &[u8], vary_rewritten: bool) -> bool {
    match HeaderName::parse(name) {
        Some(HeaderName::Vary) => vary_rewritten,
        Some(_) => true,
        None => false,
    }
}

/// `Content-Length`, a framing header of an answered strict preflight.
pub const CONTENT_LENGTH: &str = "Content-Length";
/// `Content-Type`, a framing header of an answered strict preflight.
pub const CONTENT_TYPE: &str = "Content-Type";
/// The `Content-Type` of an answered strict preflight's empty body (but with 204).
pub const EMPTY_BODY_TYPE: &str = "text/plain; charset=utf-8";

fn set<'d>(name: &'static str, value: &'d str) -> ResponseHeader<'d> {
    ResponseHeader::Set(name, Cow::Borrowed(value.as_bytes()))
}
