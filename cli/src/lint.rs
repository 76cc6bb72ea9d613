//! `corsgate lint`: every error and warning of a policy file, with paths and hints.

use crate::exit::Exit;
use crate::style::Style;
use clap::Args;
use corsgate::{Diagnostic, Policy};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;

/// Shown after `corsgate lint --help`.
pub const AFTER_HELP: &str = "\
Examples:
  corsgate lint examples/policies/app.toml
  corsgate lint --json policy.json | jq '.errors[].code'

Every problem is reported at once, each with its path in the file (`origins[2]`,
`routes[0].methods[1]`), a stable code (docs/policy.md) and a hint where one helps.

Exit status:
  0  the policy is valid (warnings are printed but do not fail, unless --deny-warnings)
  1  the policy has errors (or warnings, with --deny-warnings)
  2  the file cannot be read, or the command line is wrong";

/// Arguments of `corsgate lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// The policy file: `.toml` or `.json` (see docs/policy.md).
    #[arg(value_name = "FILE")]
    file: PathBuf,

    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,

    /// Print one JSON object: file, valid, errors and warnings (each with path, code,
    /// message and hint).
    #[arg(long)]
    json: bool,
}

fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    json!({ "path": d.path, "code": d.code, "message": d.message, "hint": d.hint })
}

fn human(file: &str, errors: &[Diagnostic], warnings: &[Diagnostic], style: Style) -> String {
    let mut out = String::new();
    let mut item = |label: String, d: &Diagnostic| {
        let at = if d.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", style.label(&d.path))
        };
        let _ = writeln!(
            out,
            "{label} {at}{} {}",
            d.message,
            style.dim(&format!("[{}]", d.code))
        );
        if let Some(hint) = &d.hint {
            let _ = writeln!(out, "    {} {hint}", style.dim("hint:"));
        }
    };
    for e in errors {
        item(style.bad("error:"), e);
    }
    for w in warnings {
        item(style.warn("warning:"), w);
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let summary = format!(
        "{file}: {}, {}",
        plural(errors.len(), "error"),
        plural(warnings.len(), "warning")
    );
    let summary = if !errors.is_empty() {
        style.bad(&summary)
    } else if !warnings.is_empty() {
        style.warn(&summary)
    } else {
        style.good(&summary)
    };
    let _ = writeln!(out, "{summary}");
    out
}

/// Runs `corsgate lint`.
pub fn run(args: &LintArgs) -> Exit {
    let file = args.file.display().to_string();
    let (errors, warnings) = match Policy::from_file(&args.file) {
        Ok(policy) => (Vec::new(), policy.warnings().to_vec()),
        Err(e) if e.errors.iter().any(|d| d.code == "io_error") => {
            for d in &e.errors {
                eprintln!(
                    "{} {}",
                    Style::detect(&std::io::stderr()).bad("error:"),
                    d.message
                );
            }
            return Exit::Error;
        }
        Err(e) => (e.errors, e.warnings),
    };
    let text = if args.json {
        let doc = json!({
            "file": file,
            "valid": errors.is_empty(),
            "errors": errors.iter().map(diagnostic_json).collect::<Vec<_>>(),
            "warnings": warnings.iter().map(diagnostic_json).collect::<Vec<_>>(),
        });
        doc.to_string() + "\n"
    } else {
        human(&file, &errors, &warnings, Style::detect(&std::io::stdout()))
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        eprintln!("corsgate: cannot write the report: {e}");
        return Exit::Error;
    }
    if !errors.is_empty() || (args.deny_warnings && !warnings.is_empty()) {
        Exit::Denied
    } else {
        Exit::Allowed
    }
}
