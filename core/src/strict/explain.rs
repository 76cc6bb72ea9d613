//! The messages of the strict profile's denials, with hints.

use super::Rules;
use crate::decision::{Explain, ReasonCode};
use crate::request::{MAX_ACRH_BYTES, MAX_ACRH_LINES};
use crate::syntax::origin;
use std::fmt;

impl Explain for Rules {
    fn route(&self) -> &str {
        &self.route
    }

    fn explain(&self, f: &mut fmt::Formatter<'_>, code: ReasonCode, value: &[u8]) -> fmt::Result {
        let v = String::from_utf8_lossy(value);
        match code {
            ReasonCode::MalformedOrigin => {
                let why = match origin::parse(value, false) {
                    Err(defect) => defect.describe(),
                    Ok(_) => "occurs on more than one line",
                };
                write!(f, "the Origin header `{v}` {why}; it matches nothing")
            }
            ReasonCode::NullOriginNotAllowed => write!(
                f,
                "origin `null` (a sandboxed iframe, file: page or data: URL) is not allowed; \
                 hint: set allow_null_origin = true only if you accept every such page"
            ),
            ReasonCode::OriginNotAllowed => {
                write!(f, "origin `{v}` is not allowed by the policy")?;
                let hint = origin::parse(value, false).ok().and_then(|p| self.origins.hint(&v, &p));
                match hint {
                    Some(h) => write!(f, "; hint: {h}"),
                    None => write!(f, "; hint: add it to origins"),
                }
            }
            ReasonCode::MalformedMethod => {
                write!(f, "Access-Control-Request-Method `{v}` is not a single HTTP token")
            }
            ReasonCode::MethodNotAllowed => {
                write!(f, "method `{v}` is not allowed")?;
                let upper = v.to_ascii_uppercase();
                if upper != v && self.methods.iter().any(|m| **m == upper) {
                    write!(f, "; hint: methods compare case-sensitively and browsers send `{v}` as the page wrote it: call fetch with `{upper}`")
                } else {
                    write!(f, "; hint: add \"{v}\" to methods")
                }
            }
            ReasonCode::MalformedRequestHeaders => {
                write!(f, "Access-Control-Request-Headers element `{v}` is not an HTTP token")
            }
            ReasonCode::HeaderNotAllowed => {
                write!(f, "request header `{v}` is not allowed")?;
                if value.eq_ignore_ascii_case(b"authorization") && self.any_header {
                    write!(f, "; hint: `*` does not cover authorization: list \"authorization\" in request_headers")
                } else {
                    write!(f, "; hint: add \"{}\" to request_headers", v.to_ascii_lowercase())
                }
            }
            ReasonCode::RequestHeadersTooLarge => write!(
                f,
                "Access-Control-Request-Headers exceeds {MAX_ACRH_BYTES} bytes or {MAX_ACRH_LINES} lines; \
                 browsers never send that much"
            ),
            ReasonCode::PrivateNetworkNotAllowed => write!(
                f,
                "a Private Network Access preflight, and private_network is off; \
                 hint: set private_network = true if public sites may reach this service"
            ),
            // Given by `routes` (the explainer there), never by one route's rules.
            ReasonCode::RouteAmbiguous => write!(f, "the path names several routes"),
        }
    }
}
