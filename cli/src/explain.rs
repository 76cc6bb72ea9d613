//! `corsgate explain`: simulate the browser. Given what the page does and what the server
//! answered, print the verdict, the browser's console message (Chromium's, or `--browser`'s)
//! and the fix, and where browsers disagree, each browser's verdict.

use crate::exit::Exit;
use crate::style::Style;
use crate::terminal::escape_controls;
use clap::Args;
use corsgate::browser::{
    Browser, BrowserOutcome, Credentials, FetchRequest, Mode, Outcome, RequestError, Response,
    Verdict,
};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Shown after `corsgate explain --help`.
pub const AFTER_HELP: &str = "\
Examples:
  corsgate explain --origin https://app.example.com --url https://api.example.com/orders \\
      --method PUT -H 'Content-Type: application/json' --credentials \\
      --preflight-response preflight.http --response response.http
  curl -si -X OPTIONS https://api.example.com/orders -H 'Origin: https://app.example.com' \\
      -H 'Access-Control-Request-Method: PUT' | corsgate explain --origin https://app.example.com \\
      --url https://api.example.com/orders --method PUT --preflight-response -

Responses are HTTP/1.1 text: a status line, header lines, optionally an empty line and a body
(ignored), as `curl -si` prints them. `-` reads one of them from stdin. Without responses,
explain still says whether the browser sends a preflight and what it carries.

Exit status:
  0  the browser lets the page read the response
  1  the browser (--browser, default chromium) blocks it, or the Fetch standard does (`*`
     covering Authorization, which every browser still allows)
  2  undecided: a needed response was not given, fetch() would throw before sending, a file
     cannot be read or parsed, or the command line is wrong";

/// What the page does: shared by `explain` and `doctor`.
#[derive(Args, Debug, Clone)]
pub struct PageArgs {
    /// The page's origin (`https://app.example.com`), or `null` for an opaque origin.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,

    /// The method the page passes to fetch() (DELETE, GET, HEAD, OPTIONS, POST and PUT are
    /// upper-cased by the browser; others are sent as written).
    #[arg(long, value_name = "METHOD", default_value = "GET")]
    pub method: String,

    /// A request header the page sets, `Name: value`; repeat it for more.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,

    /// The page sends credentials (`credentials: 'include'`: cookies, HTTP authentication).
    #[arg(long)]
    pub credentials: bool,

    /// The request mode.
    #[arg(long, value_name = "MODE", default_value = "cors", value_parser = ["cors", "no-cors"])]
    pub mode: String,

    /// The browser whose console text and fix are shown: chromium, firefox, or webkit
    /// (Safari, from WebKit's documented behaviour, not verified in a real browser).
    #[arg(long, value_name = "BROWSER", default_value = "chromium", value_parser = parse_browser)]
    pub browser: Browser,
}

/// Reads a `--browser` name.
pub fn parse_browser(name: &str) -> Result<Browser, String> {
    Browser::parse(name).ok_or_else(|| format!("`{name}` is not chromium, firefox or webkit"))
}

impl PageArgs {
    /// The page's `fetch()` of `url`.
    pub fn request(&self, url: &str) -> FetchRequest {
        let mut r = FetchRequest::new(&self.origin, url)
            .method(&self.method)
            .credentials(if self.credentials {
                Credentials::Include
            } else {
                Credentials::SameOrigin
            })
            .mode(if self.mode == "no-cors" {
                Mode::NoCors
            } else {
                Mode::Cors
            });
        r.headers = self.headers.clone();
        r
    }
}

/// Arguments of `corsgate explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    page: PageArgs,

    /// The URL the page fetches.
    #[arg(long, value_name = "URL")]
    url: String,

    /// The server's answer to the preflight (OPTIONS), in HTTP/1.1 text; `-` for stdin.
    #[arg(long, value_name = "FILE")]
    preflight_response: Option<PathBuf>,

    /// The server's answer to the actual request, in HTTP/1.1 text; `-` for stdin.
    #[arg(long, value_name = "FILE")]
    response: Option<PathBuf>,

    /// Print one JSON object (verdict, request, preflight_request, preflight, response,
    /// blocked, blocked_in_chrome, missing, notes, browser, browsers, browsers_disagree)
    /// instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses `Name: value`; the value is trimmed of spaces and tabs.
pub fn parse_header(line: &str) -> Result<(String, String), String> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| format!("`{line}` is not `Name: value`"))?;
    if name.is_empty() || name.contains([' ', '\t']) {
        return Err(format!("`{name}` is not a header name"));
    }
    Ok((
        name.to_string(),
        value.trim_matches([' ', '\t']).to_string(),
    ))
}

fn read_response(path: &Path) -> Result<Response, String> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    Response::parse_http(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Width of the label column.
const LABEL: usize = 10;

/// Writes aligned `label  value` rows.
pub struct Rows<'s> {
    out: String,
    style: &'s Style,
}

impl<'s> Rows<'s> {
    /// Empty output in `style`.
    pub fn new(style: &'s Style) -> Self {
        Rows {
            out: String::new(),
            style,
        }
    }

    /// One row; further lines are indented under the first.
    pub fn row(&mut self, label: &str, lines: &[String]) {
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 { label } else { "" };
            let pad = " ".repeat(LABEL.saturating_sub(label.len()));
            let _ = writeln!(self.out, "{}{pad}{line}", self.style.label(label));
        }
    }

    /// The text so far.
    pub fn finish(self) -> String {
        self.out
    }
}

/// The outcome as human text: the request, the preflight, the response, the verdict, and on
/// failure the console message and the fix.
pub fn render(outcome: &Outcome, browser: Browser, style: Style, rows: &mut Rows<'_>) {
    let p = &outcome.plan;
    let mut request = vec![format!("{} {}", p.method, p.url)];
    request.extend(p.request_headers().iter().map(|(n, v)| format!("{n}: {v}")));
    request.push(style.dim(&format!(
        "credentials: {}, mode: {}",
        p.credentials.as_str(),
        p.mode.as_str()
    )));
    rows.row("request", &request);
    match &p.preflight {
        None if p.cross_origin && p.mode == Mode::Cors => rows.row(
            "preflight",
            &[style.dim("not needed (safelisted method and headers)")],
        ),
        None => {}
        Some(pf) => {
            let mut lines: Vec<String> = pf
                .reasons
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    if i == 0 {
                        format!("needed: {r}")
                    } else {
                        format!("        {r}")
                    }
                })
                .collect();
            lines.push(format!("OPTIONS {}", p.url));
            lines.extend(
                pf.header_lines(&p.origin)
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}")),
            );
            if let Some(c) = &outcome.preflight {
                let result = match (&c.blocked, &c.blocked_in_chrome) {
                    (None, _) => style.good("passes"),
                    (Some(_), None) => format!(
                        "{} by the Fetch standard; {} by Chromium, Firefox and Safari",
                        style.bad("fails"),
                        style.warn("passes")
                    ),
                    (Some(e), Some(_)) => {
                        let kind = match &outcome.in_browser(browser).error {
                            Some(b) if browser != Browser::Chromium => b.kind,
                            _ => e.kind.as_str(),
                        };
                        format!("{} ({kind})", style.bad("fails"))
                    }
                };
                lines.push(format!("result: {result}"));
                if let Some(l) = c.cache {
                    lines.push(style.dim(&format!(
                        "cached {} s by Chromium, {} s by Firefox, {} s by Safari",
                        l.chromium, l.firefox, l.webkit
                    )));
                }
            }
            rows.row("preflight", &lines);
        }
    }
    if let Some(own) = own_preflight(outcome, outcome.in_browser(browser)) {
        // Under the preflight row: what the chosen browser sends instead.
        rows.row("", &[style.warn(&own)]);
    }
    if let Some(r) = &outcome.response {
        let mut lines = Vec::new();
        match &r.blocked {
            Some(e) => lines.push(format!("{} ({})", style.bad("fails"), e.kind)),
            None if r.opaque => lines.push(format!(
                "{} (opaque: nothing of it is readable)",
                style.good("not blocked")
            )),
            None => {
                lines.push(style.good("passes"));
                let list = |v: &[String]| {
                    if v.is_empty() {
                        "(none)".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                lines.push(format!(
                    "readable: {}",
                    escape_controls(&list(&r.readable_headers))
                ));
                let hidden: Vec<String> = r
                    .hidden_headers
                    .iter()
                    .filter(|h| !h.starts_with("access-control-"))
                    .cloned()
                    .collect();
                if !hidden.is_empty() {
                    lines.push(style.dim(&format!(
                        "hidden from JavaScript: {} (list them in expose_headers to read them)",
                        escape_controls(&hidden.join(", "))
                    )));
                }
            }
        }
        rows.row("response", &lines);
    }
    let verdict = match outcome.verdict() {
        Verdict::Allowed => style.good("allowed"),
        Verdict::Blocked => style.bad("blocked"),
        Verdict::BlockedByStandardOnly => format!(
            "{} by the Fetch standard; Chromium, Firefox and Safari still allow it",
            style.bad("blocked")
        ),
        Verdict::Incomplete => {
            let what = match outcome.missing {
                Some(corsgate::browser::Missing::PreflightResponse) => {
                    "a preflight is sent first: give its response (--preflight-response)"
                }
                _ => "give the response to the request (--response)",
            };
            format!("{}: {what}", style.warn("undecided"))
        }
    };
    rows.row("verdict", &[verdict]);
    // The console lines and fixes quote the server's header values: escaped, so they cannot
    // drive the terminal.
    let chosen = outcome.in_browser(browser);
    match (&chosen.error, &outcome.blocked) {
        (Some(e), _) => {
            rows.row("console", &escaped(&e.console));
            rows.row("fix", &escaped(std::slice::from_ref(&e.fix)));
        }
        (None, Some(standard)) => {
            let console = match browser {
                Browser::Chromium => vec![standard.message.clone()],
                _ => chosen.warnings.clone(),
            };
            if !console.is_empty() {
                rows.row("console", &escaped(&console));
            }
            rows.row("fix", &escaped(std::slice::from_ref(&standard.fix)));
        }
        (None, None) => {}
    }
    if let Some(lines) = browser_rows(outcome, style) {
        rows.row("browsers", &lines);
    }
    for note in &outcome.notes {
        rows.row("note", &[style.dim(note)]);
    }
}

/// What `b` sends where its preflight differs from the standard's (Firefox applies no limit to
/// the safelisted headers' bytes together), or `None`.
fn own_preflight(outcome: &Outcome, b: &BrowserOutcome) -> Option<String> {
    if b.preflight_request == outcome.plan.preflight {
        return None;
    }
    let name = b.browser.display_name();
    Some(match &b.preflight_request {
        None => format!("{name} sends no preflight"),
        Some(pf) => format!(
            "{name} sends Access-Control-Request-Headers: {}",
            pf.request_headers.as_deref().unwrap_or("(none)")
        ),
    })
}

/// `lines` with control characters escaped ([`escape_controls`]).
fn escaped(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| escape_controls(l).into_owned())
        .collect()
}

/// Each browser's verdict, when they disagree with each other or with the standard; `None`
/// when every browser and the standard agree.
fn browser_rows(outcome: &Outcome, style: Style) -> Option<Vec<String>> {
    let standard_differs = outcome.verdict() == Verdict::BlockedByStandardOnly;
    if !outcome.browsers_disagree() && !standard_differs {
        return None;
    }
    let mut lines: Vec<String> = outcome
        .browsers
        .iter()
        .map(|b| {
            let verdict = match b.verdict {
                Verdict::Allowed => style.good("allowed"),
                Verdict::Blocked => style.bad("blocked"),
                _ => style.warn(b.verdict.as_str()),
            };
            let mut line = format!("{}: {verdict}", b.browser.display_name());
            if let Some(e) = &b.error {
                line.push_str(&format!(" ({})", e.kind));
            }
            if !b.warnings.is_empty() {
                line.push_str(" with a console warning that it will block this soon");
            }
            if let Some(own) = own_preflight(outcome, b) {
                line.push_str(&format!(
                    "; {}",
                    own.replacen(b.browser.display_name(), "it", 1)
                ));
            }
            if !b.verified {
                line.push_str(&style.dim(" (documented behaviour, not verified here)"));
            }
            line
        })
        .collect();
    if let Some(e) = outcome.blocked.as_ref().filter(|_| standard_differs) {
        lines.push(format!(
            "Fetch standard: {} ({})",
            style.bad("blocked"),
            e.kind
        ));
    }
    Some(lines)
}

/// The exit status of an outcome: denied when `browser` or the Fetch standard blocks it.
pub fn exit_of(outcome: &Outcome, browser: Browser) -> Exit {
    match (outcome.verdict(), outcome.in_browser(browser).verdict) {
        (_, Verdict::Blocked) | (Verdict::Blocked | Verdict::BlockedByStandardOnly, _) => {
            Exit::Denied
        }
        (Verdict::Incomplete, _) => Exit::Error,
        _ => Exit::Allowed,
    }
}

/// Reports a request `fetch()` refuses to send.
pub fn request_error(e: &RequestError) -> Exit {
    let style = Style::detect(&std::io::stderr());
    eprintln!("{} {e}", style.bad("error:"));
    Exit::Error
}

/// Writes `text` to stdout.
pub fn print(text: &str) -> Result<(), Exit> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| {
            eprintln!("corsgate: cannot write the answer: {e}");
            Exit::Error
        })
}

/// Runs `corsgate explain`.
pub fn run(args: &ExplainArgs) -> Exit {
    let stdin_twice = args.preflight_response.as_deref() == Some(Path::new("-"))
        && args.response.as_deref() == Some(Path::new("-"));
    if stdin_twice {
        eprintln!("corsgate: only one of --preflight-response and --response can be `-`");
        return Exit::Error;
    }
    let read = |p: &Option<PathBuf>| -> Result<Option<Response>, Exit> {
        match p {
            None => Ok(None),
            Some(path) => read_response(path).map(Some).map_err(|e| {
                eprintln!("{} {e}", Style::detect(&std::io::stderr()).bad("error:"));
                Exit::Error
            }),
        }
    };
    let (preflight, response) = match (read(&args.preflight_response), read(&args.response)) {
        (Ok(p), Ok(r)) => (p, r),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    // Each browser is checked on the request it makes.
    let page = args.page.request(&args.url);
    let outcome = match corsgate::browser::check(&page, preflight.as_ref(), response.as_ref()) {
        Ok(outcome) => outcome,
        Err(e) => return request_error(&e),
    };
    let text = if args.json {
        outcome.to_json_for(args.page.browser).to_string() + "\n"
    } else {
        let style = Style::detect(&std::io::stdout());
        let mut rows = Rows::new(&style);
        render(&outcome, args.page.browser, style, &mut rows);
        rows.finish()
    };
    match print(&text) {
        Ok(()) => exit_of(&outcome, args.page.browser),
        Err(e) => e,
    }
}
