//! `corsgate`: ask a CORS policy what it answers to a request, and why.
//!
//! Each subcommand lives in its own module and returns an [`exit::Exit`]; this file only
//! parses the command line and dispatches.

mod check;
mod doctor;
mod exit;
mod explain;
mod lint;
mod output;
mod schema;
mod style;
mod terminal;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Ask a CORS policy what it answers to a request, and why.
#[derive(Parser)]
#[command(name = "corsgate", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate one request against a policy file: kind, verdict, status, headers, Vary and
    /// the reason of a denial, in corsgate's words and in Chromium's.
    #[command(after_help = check::AFTER_HELP)]
    Check(check::CheckArgs),
    /// Report every error and warning of a policy file, with paths and hints.
    #[command(after_help = lint::AFTER_HELP)]
    Lint(lint::LintArgs),
    /// Simulate the browser: given the page's request and the server's answers, print the
    /// verdict, Chromium's console message and the fix.
    #[command(after_help = explain::AFTER_HELP)]
    Explain(explain::ExplainArgs),
    /// Ask a live server like a browser (preflight, then the request) and diagnose it.
    #[command(after_help = doctor::AFTER_HELP)]
    Doctor(doctor::DoctorArgs),
    /// Print the JSON Schema of the policy file (docs/policy.schema.json).
    #[command(after_help = schema::AFTER_HELP)]
    Schema(schema::SchemaArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match &cli.command {
        Command::Check(args) => check::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Schema(args) => schema::run(args),
    };
    exit.into()
}
