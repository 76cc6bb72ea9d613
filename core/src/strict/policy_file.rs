//! Reading a policy file: only a regular file, and only up to [`MAX_POLICY_FILE`] bytes, so
//! that a FIFO, a device or a runaway file cannot block or exhaust `nginx -t`, a reload or an
//! application starting up.

use crate::diagnostic::{Diagnostic, DiagnosticCode};
use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

/// The largest policy file read: 1 MiB. Policies are a few KiB; a thousand origins fit in
/// 64 KiB.
pub(crate) const MAX_POLICY_FILE: u64 = 1024 * 1024;

/// The text of the policy file at `path`, or an `io_error` diagnostic saying why not.
///
/// The file's type is checked before it is opened (opening a FIFO for reading waits for a
/// writer) and again on the opened file; the read stops one byte past the limit.
pub(super) fn read(path: &Path) -> Result<String, Diagnostic> {
    let shown = path.display();
    let fail = |why: String| Diagnostic::new("", DiagnosticCode::IoError, why);
    let cannot = |e: std::io::Error| fail(format!("cannot read {shown}: {e}"));
    let check = |kind: FileType, len: u64| match not_regular(kind) {
        Some(what) => Err(fail(format!(
            "cannot read {shown}: it is {what}, not a regular file"
        ))
        .hint("give the path of the policy file itself")),
        None if len > MAX_POLICY_FILE => Err(fail(format!(
            "cannot read {shown}: it holds {len} bytes, more than the {MAX_POLICY_FILE} a \
             policy file may"
        ))),
        None => Ok(()),
    };
    let before = std::fs::metadata(path).map_err(cannot)?;
    check(before.file_type(), before.len())?;
    let file = File::open(path).map_err(cannot)?;
    let opened = file.metadata().map_err(cannot)?;
    check(opened.file_type(), opened.len())?;
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(MAX_POLICY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_POLICY_FILE {
        // It grew while being read.
        return Err(fail(format!(
            "cannot read {shown}: it holds more than the {MAX_POLICY_FILE} bytes a policy file may"
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| fail(format!("cannot read {shown}: it is not UTF-8 text ({e})")))
}

/// What a file that is not a regular file is, in words; `None` for a regular file.
fn not_regular(kind: FileType) -> Option<&'static str> {
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
    }
    Some("not a file")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use std::path::PathBuf;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("corsgate-policy-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let _ = std::fs::remove_file(&path);
        path
    }

    fn io_error(path: &Path) -> String {
        let e = Policy::from_file(path).unwrap_err();
        assert_eq!(e.errors.len(), 1, "{e}");
        assert_eq!(e.errors[0].code, "io_error");
        e.errors[0].message.clone()
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let fifo = scratch("policy.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // Before the check, this read waited forever for a writer.
        let message = io_error(&fifo);
        assert!(
            message.contains("a FIFO (named pipe), not a regular file"),
            "{message}"
        );
        std::fs::remove_file(&fifo).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_directories_are_refused() {
        assert!(io_error(Path::new("/dev/zero")).contains("it is a device"));
        assert!(io_error(&std::env::temp_dir()).contains("it is a directory"));
    }

    #[test]
    fn a_file_over_the_limit_is_refused_and_one_at_it_is_read() {
        let big = scratch("big.json");
        let fill = |n: usize| format!("{{\"origins\": [\"https://a.example\"]{}}}", " ".repeat(n));
        let at_limit = fill(MAX_POLICY_FILE as usize - fill(0).len());
        std::fs::write(&big, &at_limit).unwrap();
        assert!(Policy::from_file(&big).is_ok());
        std::fs::write(&big, at_limit + " ").unwrap();
        let message = io_error(&big);
        assert!(
            message.contains("holds 1048577 bytes, more than the 1048576"),
            "{message}"
        );
        std::fs::remove_file(&big).unwrap();
    }

    #[test]
    fn a_missing_file_and_non_utf8_text_are_io_errors() {
        let missing = scratch("missing.toml");
        assert!(io_error(&missing).starts_with("cannot read"));
        let latin1 = scratch("latin1.toml");
        std::fs::write(&latin1, b"origins = [\"https://\xe9.example\"]").unwrap();
        assert!(io_error(&latin1).contains("not UTF-8"));
        std::fs::remove_file(&latin1).unwrap();
    }
}
