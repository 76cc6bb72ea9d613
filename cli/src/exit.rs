//! The exit statuses every subcommand shares (documented in `docs/cli.md`).

use std::process::ExitCode;

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: the request is allowed (or is not a CORS request).
    Allowed,
    /// 1: the request is denied.
    Denied,
    /// 2: an invalid policy, an unreadable file or an output error (clap also exits with 2
    /// on a usage error).
    Error,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(match exit {
            Exit::Allowed => 0,
            Exit::Denied => 1,
            Exit::Error => 2,
        })
    }
}
