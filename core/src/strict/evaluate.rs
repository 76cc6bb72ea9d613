//! Evaluating a request against compiled [`Rules`]: the origin, the method, the requested
//! headers, and the answer to a preflight.

use super::Rules;
use crate::decision::{Decision, Kind, Reason, ReasonCode, Verdict};
use crate::diagnostic::Profile;
use crate::header::names;
use crate::request::{Request, Single, MAX_ACRH_BYTES, MAX_ACRH_LINES};
use crate::syntax::origin;
use crate::syntax::token::{
    is_safelisted_method, is_token, list_elements, normalize_method, trim_ows,
};
use crate::vary::Vary;

impl Rules {
    pub(super) fn evaluate<'a>(&'a self, req: &Request<'a>) -> Decision<'a> {
        let kind = if req.origin == Single::Absent {
            Kind::NotCors
        } else if req.is_preflight() {
            Kind::Preflight
        } else {
            Kind::Actual
        };
        let vary = Vary::new(
            !self.any_origin,
            kind == Kind::Preflight,
            self.private_network,
        );
        let mut d = Decision::new(Profile::Strict, kind, vary);
        let result = match kind {
            Kind::NotCors => return d,
            Kind::Actual => self.check_origin(req).map(|acao| {
                d.push(names::ALLOW_ORIGIN, acao);
                if self.credentials {
                    d.push(names::ALLOW_CREDENTIALS, "true");
                }
                if let Some(v) = &self.expose_value {
                    d.push(names::EXPOSE_HEADERS, v);
                }
            }),
            Kind::Preflight => self.answer_preflight(req, &mut d),
        };
        if let Err((code, value)) = result {
            d.verdict = Verdict::Denied(Reason {
                code,
                value,
                preflight: kind == Kind::Preflight,
                rules: self,
            });
            if kind == Kind::Preflight && !self.preflight_continue {
                d.status = Some(403);
            }
        }
        d
    }

    /// Checks the origin; on success returns the `Access-Control-Allow-Origin` value.
    fn check_origin<'a>(&'a self, req: &Request<'a>) -> Result<&'a str, (ReasonCode, &'a [u8])> {
        if self.any_origin {
            return Ok("*");
        }
        let raw = match req.origin {
            Single::One(v) => v,
            // Malformed, named by its first value (what a log line shows).
            Single::Repeated(first) => return Err((ReasonCode::MalformedOrigin, first)),
            Single::Absent => return Err((ReasonCode::MalformedOrigin, b"")),
        };
        if req.origin_verdict.is_none() {
            // The bytes themselves are looked up: no UTF-8 check on the most common path.
            if let Some(entry) = self.origins.exact_entry(raw) {
                return Ok(entry);
            }
        }
        let malformed = (ReasonCode::MalformedOrigin, raw);
        // Subdomain patterns validate what they match themselves: no parse needed. A match
        // is ASCII, so the UTF-8 check only runs then.
        if req.origin_verdict.is_none() && self.origins.matches_subdomain(raw) {
            return std::str::from_utf8(raw).map_err(|_| malformed);
        }
        if raw == b"null" {
            return match req.origin_verdict.unwrap_or(self.allow_null) {
                true => Ok("null"),
                false => Err((ReasonCode::NullOriginNotAllowed, raw)),
            };
        }
        if req.origin_verdict.is_none() && !self.origins.has_parsed_patterns() {
            // Nothing is left to match: only whether the origin is well-formed remains to
            // decide, for the reason code.
            return Err(match origin::is_origin(raw) {
                true => (ReasonCode::OriginNotAllowed, raw),
                false => malformed,
            });
        }
        // Bytes that are not UTF-8 are not an origin.
        let text = std::str::from_utf8(raw).map_err(|_| malformed)?;
        // The usual shape parses in one pass; the full parser decides everything else.
        let parsed = match origin::parse_common(text) {
            Some(parsed) => parsed,
            None => origin::parse(raw, false).map_err(|_| malformed)?,
        };
        let allowed = match req.origin_verdict {
            Some(v) => v,
            // The exact entries and subdomain patterns were looked up above.
            None => self.origins.matches_patterns(text, &parsed),
        };
        if allowed {
            Ok(text)
        } else {
            Err((ReasonCode::OriginNotAllowed, raw))
        }
    }

    fn answer_preflight<'a>(
        &'a self,
        req: &Request<'a>,
        d: &mut Decision<'a>,
    ) -> Result<(), (ReasonCode, &'a [u8])> {
        let acao = self.check_origin(req)?;
        let method = self.check_method(req)?;
        let has_headers = self.check_request_headers(req)?;
        let private_network = req.private_network == Single::One(b"true");
        if private_network && !self.private_network {
            return Err((ReasonCode::PrivateNetworkNotAllowed, b"true"));
        }
        d.status = (!self.preflight_continue).then_some(self.preflight_status);
        d.push(names::ALLOW_ORIGIN, acao);
        if self.credentials {
            d.push(names::ALLOW_CREDENTIALS, "true");
        }
        d.push(names::ALLOW_METHODS, method);
        if has_headers {
            match &self.allow_headers_value {
                Some(v) => d.push(names::ALLOW_HEADERS, v),
                None => {
                    for line in req.request_header_lines() {
                        let line = trim_ows(line);
                        if line.split(|&b| b == b',').any(|e| !trim_ows(e).is_empty()) {
                            // Checked above: tokens, commas and spaces only, so ASCII.
                            d.push(
                                names::ALLOW_HEADERS,
                                std::str::from_utf8(line).unwrap_or(""),
                            );
                        }
                    }
                }
            }
        }
        if private_network {
            d.push(names::ALLOW_PRIVATE_NETWORK, "true");
        }
        if let Some(v) = &self.max_age {
            d.push(names::MAX_AGE, v);
        }
        Ok(())
    }

    /// Checks `Access-Control-Request-Method`; returns the normalised method.
    fn check_method<'a>(&'a self, req: &Request<'a>) -> Result<&'a str, (ReasonCode, &'a [u8])> {
        let raw = match req.request_method {
            Single::One(m) => m,
            _ => return Err((ReasonCode::MalformedMethod, b"")),
        };
        if !is_token(raw) {
            return Err((ReasonCode::MalformedMethod, raw));
        }
        let method = normalize_method(raw);
        // A listed method is answered with the policy's own string (no UTF-8 check).
        if let Some(listed) = self.methods.iter().find(|m| m.as_bytes() == method) {
            return Ok(listed);
        }
        match std::str::from_utf8(method) {
            Ok(m) if is_safelisted_method(method) || self.any_method => Ok(m),
            _ => Err((ReasonCode::MethodNotAllowed, raw)),
        }
    }

    /// Checks `Access-Control-Request-Headers`; returns whether it names any header.
    fn check_request_headers<'a>(
        &'a self,
        req: &Request<'a>,
    ) -> Result<bool, (ReasonCode, &'a [u8])> {
        let lines = req.request_header_lines();
        if req.request_header_lines > MAX_ACRH_LINES || req.request_header_bytes > MAX_ACRH_BYTES {
            let first = lines.first().copied().unwrap_or(b"");
            return Err((
                ReasonCode::RequestHeadersTooLarge,
                &first[..first.len().min(64)],
            ));
        }
        // What browsers send, when every name is allowed: one lookup of the whole line.
        if let [line] = lines {
            if self.browser_lines.contains(line) {
                return Ok(true);
            }
        }
        // One pass: a malformed element anywhere outranks a disallowed one before it.
        let mut any = false;
        let mut disallowed: Option<&'a [u8]> = None;
        for line in lines {
            for (name, is_token) in list_elements(line) {
                if !is_token {
                    return Err((ReasonCode::MalformedRequestHeaders, name));
                }
                let allowed = if name.eq_ignore_ascii_case(b"authorization") {
                    self.allow_authorization
                } else {
                    self.any_header || self.headers.contains(name)
                };
                if !allowed && disallowed.is_none() {
                    disallowed = Some(name);
                }
                any = true;
            }
        }
        match disallowed {
            Some(name) => Err((ReasonCode::HeaderNotAllowed, name)),
            None => Ok(any),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::strict::acrh_lines::BrowserLines;
    use crate::{Policy, Request};

    /// Two Origin lines are malformed, and the denial names the first (what a log shows).
    #[test]
    fn a_repeated_origin_is_named_by_its_first_value() {
        let policy = Policy::from_toml(r#"origins = ["https://a.example"]"#).unwrap();
        let mut req = Request::new(b"GET", b"/");
        req.add_header(b"origin", b"https://evil.example");
        req.add_header(b"origin", b"https://a.example");
        let d = policy.evaluate(&req);
        let reason = d.reason().unwrap();
        assert_eq!(reason.code().as_str(), "malformed_origin");
        assert_eq!(reason.value(), b"https://evil.example");
        assert_eq!(
            reason.message().to_string(),
            "the Origin header `https://evil.example` occurs on more than one line; it matches nothing"
        );
    }

    /// Recognising browsers' lines whole decides exactly what checking each name decides:
    /// every permutation of every subset of some allowed and some other names, as browsers
    /// write it and with spaces, upper case, duplicates and empty elements.
    #[test]
    fn browser_lines_decide_like_the_full_check() {
        let toml = r#"origins = ["https://a.example"]
                      methods = ["PUT"]
                      request_headers = ["x-b", "Authorization", "content-type"]"#;
        let fast = Policy::from_toml(toml).unwrap();
        let mut full = Policy::from_toml(toml).unwrap();
        full.default.browser_lines = BrowserLines::default();
        let names = ["authorization", "content-type", "x-b", "x-other", "X-B"];
        let mut lines: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = lines
                .iter()
                .flat_map(|l| names.iter().map(move |n| format!("{l},{n}")))
                .collect();
            lines.extend(longer);
        }
        let variants: std::collections::BTreeSet<String> = lines
            .iter()
            .map(|l| l.trim_start_matches(',').to_string())
            .flat_map(|l| [l.replace(',', ", "), format!("{l},"), l.to_uppercase(), l])
            .collect();
        let mut fast_hits = 0;
        for line in &variants {
            let req = Request::new(b"OPTIONS", b"/")
                .header(b"origin", b"https://a.example")
                .header(b"access-control-request-method", b"PUT")
                .header(b"access-control-request-headers", line.as_bytes());
            let (a, b) = (fast.evaluate(&req), full.evaluate(&req));
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{line:?}");
            fast_hits += usize::from(fast.default.browser_lines.contains(line.as_bytes()));
        }
        // Every sorted subset of the three allowed names, and nothing else, took the fast path.
        assert_eq!(fast_hits, 7);
    }
}
