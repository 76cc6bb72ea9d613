//! `corsgate doctor`: ask a live server (HTTP/1.1, HTTPS included) the way a browser would,
//! show both exchanges, and diagnose the answers like the browser, with the fix.

use crate::exit::Exit;
use crate::explain::{self, PageArgs, Rows};
use crate::style::Style;
use crate::terminal::escape_controls;
use clap::Args;
use corsgate::browser::{Plan, Response, Verdict};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::{json, Value};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shown after `corsgate doctor --help`.
pub const AFTER_HELP: &str = "\
Examples:
  corsgate doctor https://api.example.com/orders --origin https://app.example.com \\
      --method PUT -H 'Content-Type: application/json' --credentials
  corsgate doctor http://127.0.0.1:8080/ --origin http://localhost:3000 --json
  corsgate doctor https://api.internal:8443/ --origin https://app.internal --cacert ca.pem

doctor sends the preflight when a browser would (OPTIONS with Origin and
Access-Control-Request-Method/-Headers), then, if the browser would go on, the request
itself with Origin and the page's headers (no body, no cookies: --credentials changes what
the browser requires of the answers, not what doctor sends). Use --preflight-only when the
request has side effects. Redirects are not followed (a browser refuses them for preflights).

Exit status:
  0  the browser lets the page read the response
  1  the browser blocks it (also when only the Fetch standard does)
  2  no verdict: the server could not be reached or answered garbage (the error says why),
     fetch() would throw before sending, --preflight-only left the request unsent, or the
     command line is wrong (a bad --cacert file included)";

/// Arguments of `corsgate doctor`.
#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The URL to diagnose (`http://` or `https://`).
    #[arg(value_name = "URL")]
    url: String,

    #[command(flatten)]
    page: PageArgs,

    /// Seconds each exchange may take as a whole: connecting, sending the request and
    /// receiving the response head (more than 0, at most 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = timeout_seconds)]
    timeout: f64,

    /// A PEM file of CA certificates to trust for HTTPS, in addition to the Mozilla roots
    /// (an internal CA, a local test CA).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,

    /// Send only the preflight, not the request itself.
    #[arg(long)]
    preflight_only: bool,

    /// Print one JSON object: explain's fields plus `exchanges` (each request as sent and the
    /// response as received), or `{"error": …}` when the server could not be asked.
    #[arg(long)]
    json: bool,
}

/// The longest `--timeout`: an hour.
const MAX_TIMEOUT: f64 = 3600.0;

/// Parses `--timeout`: a finite number of seconds in (0, 3600] (`inf` would not fit a
/// `Duration`).
fn timeout_seconds(text: &str) -> Result<f64, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT {
        Ok(secs)
    } else {
        Err(format!(
            "`{text}` is not a number of seconds above 0 and at most {MAX_TIMEOUT}"
        ))
    }
}

/// Interim (1xx) responses accepted before the final one; a server sending more is not
/// going to answer.
const MAX_INTERIM: usize = 16;

/// Where to connect.
struct Target {
    tls: bool,
    host: String,
    port: u16,
    authority: String,
    path: String,
}

fn target(url: &str) -> Result<Target, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{url}` is not an http:// or https:// URL"))?;
    let tls = match scheme.to_ascii_lowercase().as_str() {
        "http" => false,
        "https" => true,
        other => return Err(format!("doctor speaks http and https, not `{other}`")),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let (h, after) = inner
            .split_once(']')
            .ok_or_else(|| format!("`{url}` has an invalid IPv6 host"))?;
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(format!("`{url}` has no host"));
    }
    let port = match port {
        None | Some("") => {
            if tls {
                443
            } else {
                80
            }
        }
        Some(p) => p
            .parse()
            .map_err(|_| format!("`{url}` has an invalid port `{p}`"))?,
    };
    let tail = tail.split('#').next().unwrap_or("");
    let path = if tail.starts_with('/') {
        tail.to_string()
    } else {
        format!("/{tail}")
    };
    Ok(Target {
        tls,
        host,
        port,
        authority: authority.to_string(),
        path,
    })
}

/// One request sent and the response head received.
struct Exchange {
    stage: &'static str,
    method: String,
    headers: Vec<(String, String)>,
    status_line: String,
    response: Response,
}

/// Why the server could not be asked.
struct NetError(String);

fn describe_io(e: &std::io::Error, what: &str, timeout: f64) -> NetError {
    NetError(match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => {
            format!("{what}: no answer within {timeout} s (timed out)")
        }
        ErrorKind::ConnectionRefused => {
            format!("{what}: connection refused (nothing listens there)")
        }
        ErrorKind::ConnectionReset => format!("{what}: the connection was reset by the server"),
        ErrorKind::InvalidData => format!("{what}: {e}"),
        _ => format!("{what}: {e}"),
    })
}

/// A TCP or TLS stream.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl Stream {
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.write_all(b).and_then(|()| s.flush()),
            Stream::Tls(s) => s.write_all(b).and_then(|()| s.flush()),
        }
    }

    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(b),
            Stream::Tls(s) => s.read(b),
        }
    }

    /// Lets the next reads and writes wait at most until `deadline`: false when it has passed.
    fn wait_until(&self, deadline: Instant) -> std::io::Result<bool> {
        let Some(left) = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            return Ok(false);
        };
        let tcp = match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        };
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))?;
        Ok(true)
    }
}

fn connect(
    t: &Target,
    tls: Option<&Arc<rustls::ClientConfig>>,
    timeout: Duration,
    secs: f64,
) -> Result<Stream, NetError> {
    let where_ = format!("{}:{}", t.host, t.port);
    let addrs: Vec<_> = (t.host.as_str(), t.port)
        .to_socket_addrs()
        .map_err(|e| NetError(format!("cannot resolve {}: {e}", t.host)))?
        .collect();
    let mut last = NetError(format!("cannot resolve {}: no address", t.host));
    let mut tcp = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                tcp = Some(s);
                break;
            }
            Err(e) => last = describe_io(&e, &format!("cannot connect to {where_}"), secs),
        }
    }
    let tcp = tcp.ok_or(last)?;
    let set = tcp
        .set_read_timeout(Some(timeout))
        .and_then(|()| tcp.set_write_timeout(Some(timeout)));
    set.map_err(|e| describe_io(&e, "cannot set timeouts", secs))?;
    let Some(config) = tls else {
        return Ok(Stream::Plain(tcp));
    };
    let name = rustls::pki_types::ServerName::try_from(t.host.clone())
        .map_err(|e| NetError(format!("`{}` is not a TLS server name: {e}", t.host)))?;
    let conn = rustls::ClientConnection::new(Arc::clone(config), name)
        .map_err(|e| NetError(format!("TLS setup failed: {e}")))?;
    Ok(Stream::Tls(Box::new(rustls::StreamOwned::new(conn, tcp))))
}

/// What is wrong with a PEM file, with the offending line as text.
fn pem_problem(e: &rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error;
    match e {
        Error::MissingSectionEnd { end_marker } => format!(
            "no `-----END {}-----` line",
            String::from_utf8_lossy(end_marker)
        ),
        Error::IllegalSectionStart { line } => {
            format!("invalid line `{}`", String::from_utf8_lossy(line))
        }
        other => other.to_string(),
    }
}

/// The TLS client configuration: the Mozilla roots plus the CA certificates of `--cacert`.
fn tls_config(cacert: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = cacert {
        let file = path.display();
        let pem = std::fs::read(path).map_err(|e| format!("cannot read --cacert {file}: {e}"))?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                format!(
                    "--cacert {file} is not a valid PEM file: {}",
                    pem_problem(&e)
                )
            })?;
        if certs.is_empty() {
            return Err(format!(
                "--cacert {file} holds no certificate (no -----BEGIN CERTIFICATE----- block)"
            ));
        }
        for (i, der) in certs.into_iter().enumerate() {
            roots.add(der).map_err(|e| {
                let why = match e {
                    rustls::Error::InvalidCertificate(c) => format!("{c:?}"),
                    other => other.to_string(),
                };
                format!(
                    "--cacert {file}: certificate {} is not a usable CA certificate ({why})",
                    i + 1
                )
            })?;
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| format!("TLS setup failed: {e}"))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Longest response head read.
const MAX_HEAD: usize = 64 * 1024;

fn send(
    t: &Target,
    tls: Option<&Arc<rustls::ClientConfig>>,
    stage: &'static str,
    method: &str,
    headers: Vec<(String, String)>,
    secs: f64,
) -> Result<Exchange, NetError> {
    // `secs` is in (0, 3600] (`timeout_seconds`): the whole exchange must end by `deadline`.
    let timeout = Duration::from_secs_f64(secs);
    let deadline = Instant::now() + timeout;
    let mut stream = connect(t, tls, timeout, secs)?;
    let out_of_time = || {
        NetError(format!(
            "{}: no complete answer within {secs} s (timed out)",
            what_of(t, "reading from")
        ))
    };
    let mut sent = vec![("Host".to_string(), t.authority.clone())];
    sent.extend(headers);
    sent.push((
        "User-Agent".into(),
        format!("corsgate-doctor/{}", env!("CARGO_PKG_VERSION")),
    ));
    sent.push(("Connection".into(), "close".into()));
    if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
        sent.push(("Content-Length".into(), "0".into()));
    }
    let mut text = format!("{method} {} HTTP/1.1\r\n", t.path);
    for (n, v) in &sent {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    text.push_str("\r\n");
    let what = |s: &str| what_of(t, s);
    let tls_or = |e: std::io::Error, s: &str| -> NetError {
        if t.tls && e.kind() == ErrorKind::InvalidData {
            let hint = certificate_hint(&e).unwrap_or("");
            NetError(format!(
                "TLS handshake with {}:{} failed: {e}{hint}",
                t.host, t.port
            ))
        } else {
            describe_io(&e, &what(s), secs)
        }
    };
    if !stream
        .wait_until(deadline)
        .map_err(|e| describe_io(&e, "cannot set timeouts", secs))?
    {
        return Err(out_of_time());
    }
    stream
        .write_all(text.as_bytes())
        .map_err(|e| tls_or(e, "cannot send the request to"))?;
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut interim = 0;
    loop {
        if let Some(end) = head_end(&buf) {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let status_line = head.lines().next().unwrap_or("").to_string();
            let response = Response::parse_http(&head).map_err(|e| {
                NetError(format!(
                    "{} answered something that is not HTTP/1.x ({e})",
                    what("the server at")
                ))
            })?;
            if (100..200).contains(&response.status) && response.status != 101 {
                interim += 1;
                if interim > MAX_INTERIM {
                    return Err(NetError(format!(
                        "{} sent more than {MAX_INTERIM} interim (1xx) responses and no final one",
                        what("the server at")
                    )));
                }
                buf.drain(..end);
                continue;
            }
            return Ok(Exchange {
                stage,
                method: method.to_string(),
                headers: sent,
                status_line,
                response,
            });
        }
        if buf.len() > MAX_HEAD {
            return Err(NetError(format!(
                "{}: the response head exceeds 64 KiB",
                what("reading")
            )));
        }
        // Each read waits only for what is left of the exchange's time: a server trickling
        // bytes cannot keep doctor beyond `deadline`.
        if !stream
            .wait_until(deadline)
            .map_err(|e| describe_io(&e, "cannot set timeouts", secs))?
        {
            return Err(out_of_time());
        }
        let n = stream.read(&mut chunk).map_err(|e| {
            if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) {
                out_of_time()
            } else {
                tls_or(e, "no complete answer from")
            }
        })?;
        if n == 0 {
            return Err(NetError(if buf.is_empty() {
                format!(
                    "{} closed the connection without answering",
                    what("the server at")
                )
            } else {
                format!(
                    "{} closed the connection in the middle of the response head",
                    what("the server at")
                )
            }));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// `what` followed by the target's origin: `reading from http://127.0.0.1:8080`.
fn what_of(t: &Target, what: &str) -> String {
    format!(
        "{what} {}://{}:{}",
        if t.tls { "https" } else { "http" },
        t.host,
        t.port
    )
}

/// What to do about a refused server certificate, when doctor knows.
fn certificate_hint(e: &std::io::Error) -> Option<&'static str> {
    let Some(rustls::Error::InvalidCertificate(cert)) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    else {
        return None;
    };
    match cert {
        rustls::CertificateError::UnknownIssuer => Some(
            " (no trusted CA signed the server's certificate; for an internal CA, pass it with \
             --cacert FILE, and for a self-signed certificate, pass the self-signed certificate \
             itself with --cacert FILE)",
        ),
        rustls::CertificateError::Other(other)
            if matches!(
                other.0.downcast_ref::<webpki::Error>(),
                Some(webpki::Error::CaUsedAsEndEntity)
            ) =>
        {
            Some(
                " (the server presents a CA certificate (basicConstraints CA:TRUE, as \
                 `openssl req -x509` makes by default) as its own, which no client accepts, \
                 with --cacert or without: sign a server certificate (CA:FALSE) with it and \
                 pass the CA with --cacert FILE)",
            )
        }
        _ => None,
    }
}

/// The end of the response head (after the blank line), if it has arrived.
fn head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn exchange_json(x: &Exchange) -> Value {
    json!({
        "stage": x.stage,
        "request": { "method": x.method, "headers": x.headers },
        "response": { "status": x.response.status, "headers": x.response.headers },
    })
}

fn exchange_text(x: &Exchange, path: &str, style: Style) -> String {
    let mut out = style.dim(&format!("# {}\n", x.stage));
    out.push_str(&format!("> {} {path} HTTP/1.1\n", x.method));
    for (n, v) in &x.headers {
        out.push_str(&format!("> {n}: {v}\n"));
    }
    // The server's bytes, escaped: they must not drive the terminal.
    out.push_str(&format!("< {}\n", escape_controls(&x.status_line)));
    for (n, v) in &x.response.headers {
        out.push_str(&format!(
            "< {}: {}\n",
            escape_controls(n),
            escape_controls(v)
        ));
    }
    out.push('\n');
    out
}

fn fail(json_mode: bool, stage: &str, e: NetError) -> Exit {
    if json_mode {
        let _ = explain::print(&(json!({ "error": e.0, "stage": stage }).to_string() + "\n"));
    }
    eprintln!(
        "{} {}",
        Style::detect(&std::io::stderr()).bad("error:"),
        escape_controls(&e.0)
    );
    Exit::Error
}

/// Runs `corsgate doctor`.
pub fn run(args: &DoctorArgs) -> Exit {
    let t = match target(&args.url) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("corsgate: {e}");
            return Exit::Error;
        }
    };
    let plan: Plan = match args.page.request(&args.url).plan() {
        Ok(p) => p,
        Err(e) => return explain::request_error(&e),
    };
    // Built (and --cacert read) even for http:// so that a bad --cacert never goes unnoticed.
    let tls = match tls_config(args.cacert.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{} {e}", Style::detect(&std::io::stderr()).bad("error:"));
            return Exit::Error;
        }
    };
    let tls = t.tls.then_some(&tls);
    let mut exchanges = Vec::new();
    let mut preflight_response = None;
    if let Some(pf) = &plan.preflight {
        match send(
            &t,
            tls,
            "preflight",
            "OPTIONS",
            pf.header_lines(&plan.origin),
            args.timeout,
        ) {
            Ok(x) => {
                preflight_response = Some(x.response.clone());
                exchanges.push(x);
            }
            Err(e) => return fail(args.json, "preflight", e),
        }
    }
    let preflight_fails_everywhere = preflight_response
        .as_ref()
        .map(|r| plan.check_preflight(r))
        .is_some_and(|c| c.blocked_in_chrome.is_some());
    let mut response = None;
    if !preflight_fails_everywhere && !args.preflight_only {
        match send(
            &t,
            tls,
            "request",
            &plan.method,
            plan.request_headers(),
            args.timeout,
        ) {
            Ok(x) => {
                response = Some(x.response.clone());
                exchanges.push(x);
            }
            Err(e) => return fail(args.json, "request", e),
        }
    }
    // Each browser is checked on the request it makes (doctor sends the standard's).
    let page = args.page.request(&args.url);
    let mut outcome =
        match corsgate::browser::check(&page, preflight_response.as_ref(), response.as_ref()) {
            Ok(outcome) => outcome,
            Err(e) => return explain::request_error(&e),
        };
    if preflight_fails_everywhere {
        outcome.notes.push("the browser does not send the request after a failed preflight, so neither does doctor".into());
    }
    if outcome.plan.includes_credentials() {
        outcome.notes.push("doctor sends no cookies: it checks that the answers allow credentials, not what the server does with them".into());
    }
    let text = if args.json {
        let mut v = outcome.to_json_for(args.page.browser);
        v["exchanges"] = Value::Array(exchanges.iter().map(exchange_json).collect());
        v.to_string() + "\n"
    } else {
        let style = Style::detect(&std::io::stdout());
        let mut out: String = exchanges
            .iter()
            .map(|x| exchange_text(x, &t.path, style))
            .collect();
        let mut rows = Rows::new(&style);
        explain::render(&outcome, args.page.browser, style, &mut rows);
        out.push_str(&rows.finish());
        out
    };
    if let Err(e) = explain::print(&text) {
        return e;
    }
    if args.preflight_only && outcome.verdict() == Verdict::Incomplete && outcome.blocked.is_none()
    {
        return Exit::Error;
    }
    explain::exit_of(&outcome, args.page.browser)
}
