//! `corsgate check`: evaluate one request against a policy file.

use crate::exit::Exit;
use crate::output::{self, Check};
use crate::style::Style;
use clap::Args;
use corsgate::{Policy, Request};
use std::io::Write;
use std::path::PathBuf;

/// Shown after `corsgate check --help`.
pub const AFTER_HELP: &str = "\
Examples:
  corsgate check --policy examples/policies/app.toml --origin https://app.example.com
  corsgate check --policy examples/policies/app.toml --origin https://app.example.com \\
      --method OPTIONS -H 'Access-Control-Request-Method: PUT' \\
      -H 'Access-Control-Request-Headers: content-type' --path /api/orders

A preflight is OPTIONS with Origin and Access-Control-Request-Method (give the latter with -H).

Exit status:
  0  the request is allowed (or carries no Origin, so CORS does not apply)
  1  the request is denied; the reason says why
  2  the policy is invalid (every problem is printed on stderr), a file cannot be read,
     or the command line is wrong

Errors and lint warnings about the policy go to stderr; the answer goes to stdout.";

/// Arguments of `corsgate check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The policy file: `.toml` or `.json` (see docs/policy.md).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,

    /// The request's Origin header. Without it the request carries no Origin (not CORS).
    #[arg(long, value_name = "ORIGIN")]
    origin: Option<String>,

    /// The request method, exactly as sent (HTTP methods are case-sensitive).
    #[arg(long, value_name = "METHOD", default_value = "GET")]
    method: String,

    /// A request header line `Name: value`, added after Origin; repeat it for more lines
    /// (order and repeated names are kept).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    headers: Vec<HeaderLine>,

    /// The request path; routes match on it, a query is ignored. [default: the path of
    /// --url, else /]
    #[arg(long, value_name = "PATH")]
    path: Option<String>,

    /// The URL the page fetches, used in the browser's console message. [default:
    /// `http://<server>` followed by the path]
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// Print one JSON object (kind, allowed, status, headers, vary, reason) instead of text.
    #[arg(long)]
    json: bool,

    /// The browser whose console text is shown: chromium, firefox, or webkit (Safari, from
    /// WebKit's documented behaviour, not verified in a real browser).
    #[arg(long, value_name = "BROWSER", default_value = "chromium", value_parser = crate::explain::parse_browser)]
    browser: corsgate::browser::Browser,
}

/// One `--header` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderLine {
    name: String,
    value: String,
}

/// Parses `Name: value`; the value is trimmed of spaces and tabs, as HTTP does.
fn parse_header(line: &str) -> Result<HeaderLine, String> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| format!("`{line}` is not `Name: value`"))?;
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("`{name}` is not a header name"));
    }
    Ok(HeaderLine {
        name: name.to_string(),
        value: value.trim_matches([' ', '\t']).to_string(),
    })
}

impl CheckArgs {
    /// The request path: --path, else the path of --url, else `/`.
    fn request_path(&self) -> &str {
        if let Some(path) = &self.path {
            return path;
        }
        let url = self.url.as_deref().unwrap_or("");
        let rest = url.split_once("://").map_or("", |(_, rest)| rest);
        match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => &rest[i..],
            _ => "/",
        }
    }

    /// The URL for the browser's message: --url, else a placeholder server and the path.
    fn url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => format!("http://<server>{}", self.request_path()),
        }
    }
}

/// Runs `corsgate check`.
pub fn run(args: &CheckArgs) -> Exit {
    let stderr = Style::detect(&std::io::stderr());
    let policy = match Policy::from_file(&args.policy) {
        Ok(policy) => policy,
        Err(errors) => {
            eprint!("{}", output::config_errors(&args.policy, &errors, stderr));
            return Exit::Error;
        }
    };
    eprint!("{}", output::warnings(policy.warnings(), stderr));

    let path = args.request_path();
    let mut lines: Vec<(&str, &str)> = Vec::with_capacity(args.headers.len() + 1);
    if let Some(origin) = &args.origin {
        lines.push(("Origin", origin));
    }
    lines.extend(args.headers.iter().map(|h| (&*h.name, &*h.value)));
    let mut request = Request::new(args.method.as_bytes(), path.as_bytes());
    for (name, value) in &lines {
        request.add_header(name.as_bytes(), value.as_bytes());
    }
    let decision = policy.evaluate(&request);

    let url = args.url();
    let check = Check {
        method: &args.method,
        path,
        lines: &lines,
        url: &url,
        origin: args.origin.as_deref().unwrap_or(""),
        decision: &decision,
        browser: args.browser,
    };
    let text = if args.json {
        output::json(&check)
    } else {
        output::human(&check, Style::detect(&std::io::stdout()))
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        eprintln!("corsgate: cannot write the answer: {e}");
        return Exit::Error;
    }
    if decision.is_allowed() {
        Exit::Allowed
    } else {
        Exit::Denied
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: CheckArgs,
    }

    fn args(argv: &[&str]) -> CheckArgs {
        Wrapper::try_parse_from(std::iter::once("check").chain(argv.iter().copied()))
            .unwrap()
            .args
    }

    #[test]
    fn header_lines_split_at_the_first_colon_and_trim_the_value() {
        let h = parse_header("Access-Control-Request-Headers:  a, b:c \t").unwrap();
        assert_eq!(h.name, "Access-Control-Request-Headers");
        assert_eq!(h.value, "a, b:c");
        assert_eq!(parse_header("X-Empty:").unwrap().value, "");
        assert!(parse_header("no colon").is_err());
        assert!(parse_header(": value").is_err());
        assert!(parse_header("Bad Name: v").is_err());
    }

    #[test]
    fn path_comes_from_path_then_url_then_defaults_to_root() {
        let a = args(&[
            "--policy",
            "p.toml",
            "--path",
            "/x",
            "--url",
            "https://a.test/y",
        ]);
        assert_eq!(a.request_path(), "/x");
        assert_eq!(a.url(), "https://a.test/y");
        let a = args(&["--policy", "p.toml", "--url", "https://a.test/y/z?q=1"]);
        assert_eq!(a.request_path(), "/y/z?q=1");
        let a = args(&["--policy", "p.toml", "--url", "https://a.test?q=/x"]);
        assert_eq!(a.request_path(), "/");
        let a = args(&["--policy", "p.toml", "--path", "/api/orders"]);
        assert_eq!(a.url(), "http://<server>/api/orders");
        let a = args(&["--policy", "p.toml"]);
        assert_eq!((a.request_path(), a.method.as_str()), ("/", "GET"));
    }
}
