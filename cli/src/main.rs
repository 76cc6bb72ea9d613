//! `corsgate`: ask a CORS policy what it answers to a request, and why.
//!
//! Each subcommand lives in its own module and returns an [`exit::Exit`]; this file only
//! parses the command line and dispatches.

mod check;
mod exit;
mod output;
mod style;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match &cli.command {
        Command::Check(args) => check::run(args),
    };
    exit.into()
}
