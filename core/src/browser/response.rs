//! What the server answered: a status and header lines, built in code or read from HTTP/1.1
//! text.

use crate::syntax::token::is_token;
use std::fmt;

/// A response as the browser receives it. Header names compare case-insensitively; a name may
/// occur on several lines (the browser joins them with `, `).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The header lines, in order.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// A response with this status and no headers.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
        }
    }

    /// Adds a header line.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Fetch "get": the values of every line named `name`, each trimmed of spaces and tabs,
    /// joined with `, `; `None` when there is no such line.
    pub fn get(&self, name: &str) -> Option<String> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim_matches([' ', '\t']));
        let first = values.next()?;
        Some(values.fold(first.to_string(), |acc, v| acc + ", " + v))
    }

    /// Whether the status is a redirect Chromium follows: 301, 302, 303, 307 or 308 with a
    /// `Location` header.
    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308) && self.get("location").is_some()
    }

    /// Reads a response in HTTP/1.1 text: a status line (`HTTP/1.1 204 No Content`), header
    /// lines, and optionally an empty line and a body (ignored). Lines may end in CRLF or LF;
    /// obsolete line folding is joined with a space.
    pub fn parse_http(text: &str) -> Result<Response, HttpParseError> {
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let mut number = 0;
        let status_line = loop {
            number += 1;
            match lines.next() {
                Some(l) if l.trim().is_empty() => continue,
                Some(l) => break l,
                None => return Err(HttpParseError::new(1, "no status line")),
            }
        };
        let mut parts = status_line.split_whitespace();
        let version = parts.next().unwrap_or("");
        let status = parts.next().and_then(|s| s.parse::<u16>().ok());
        let status = match status {
            Some(s) if version.starts_with("HTTP/") && (100..=999).contains(&s) => s,
            _ => {
                return Err(HttpParseError::new(
                    number,
                    "expected a status line such as `HTTP/1.1 200 OK`",
                ))
            }
        };
        let mut response = Response::new(status);
        for line in lines {
            number += 1;
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                match response.headers.last_mut() {
                    Some((_, v)) => {
                        v.push(' ');
                        v.push_str(line.trim());
                        continue;
                    }
                    None => {
                        return Err(HttpParseError::new(
                            number,
                            "a continuation line without a header",
                        ))
                    }
                }
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(HttpParseError::new(number, "expected `Name: value`"));
            };
            if !is_token(name.as_bytes()) {
                return Err(HttpParseError::new(
                    number,
                    "the header name is not an HTTP token",
                ));
            }
            response.headers.push((
                name.to_string(),
                value.trim_matches([' ', '\t']).to_string(),
            ));
        }
        Ok(response)
    }
}

/// Why HTTP/1.1 response text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpParseError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: &'static str,
}

impl HttpParseError {
    fn new(line: usize, message: &'static str) -> Self {
        HttpParseError { line, message }
    }
}

impl fmt::Display for HttpParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for HttpParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_text_and_joins_repeated_headers() {
        let r = Response::parse_http(
            "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: https://a.example\r\nVary: Origin\r\nvary:  Accept \r\n\r\nbody",
        )
        .unwrap();
        assert_eq!(r.status, 204);
        assert_eq!(r.get("VARY").as_deref(), Some("Origin, Accept"));
        assert_eq!(r.get("x-missing"), None);
        assert!(Response::parse_http("204 No Content\n").is_err());
        assert_eq!(
            Response::parse_http("HTTP/1.1 200 OK\nbad line\n")
                .unwrap_err()
                .line,
            2
        );
    }
}
