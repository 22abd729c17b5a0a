//! What the command line prints, and how it ends.
//!
//! Nothing here panics when standard output or standard error is closed or
//! full (`println!` does): writes to standard output return their error,
//! which `main` turns into exit status 1 with one line on standard error,
//! or silently when the reader went away (a closed pipe, `airlink run ...
//! | head`). Messages on standard error are best effort: with standard
//! error gone too there is no one left to tell.
//!
//! Every message follows one scheme (README.md, "The command"): a
//! diagnostic inside a text input starts with its position,
//! `FILE:LINE:COL: error: `; everything else starts with `airlink: error: `
//! (or `airlink: warning: `, `airlink: note: `), and names the file first
//! when there is one. Usage errors are clap's (`error: ...`, exit 2).

use std::fmt;
use std::io::{self, Write};

use anyhow::Result;

/// Standard output was closed by its reader (`EPIPE`): the command stops
/// without a message and exits with status 1.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// An error that ends the command with a status other than 1 (after the
/// command's output was written): 3 for a library whose HASH does not
/// match a module.
#[derive(Debug)]
pub struct Exit {
    /// The exit status.
    pub code: u8,
    /// The message, printed as errors are.
    pub message: String,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Exit {}

/// The exit status of a library with a damaged module: 3.
pub const EXIT_HASH_BAD: u8 = 3;

/// The error for a library `name` whose function HASH does not match its
/// module: exit status 3, as `airlink inspect` reports it. `inspected`:
/// the report that shows the hashes was just printed.
pub fn hash_mismatch(name: &str, functions: &[String], inspected: bool) -> anyhow::Error {
    let see = if inspected {
        "the report above shows `hash BAD`".to_string()
    } else {
        format!("`airlink inspect {name}` shows the hashes")
    };
    anyhow::Error::new(Exit {
        code: EXIT_HASH_BAD,
        message: format!(
            "{name}: the HASH of {} does not match its module (the file is damaged or was \
             edited; {see})",
            functions
                .iter()
                .map(|f| format!("`{}`", terminal_text::escape(f)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// The names of the functions of `file` whose HASH does not match.
pub fn bad_hashes(file: &metallib::MetallibFile<'_>) -> Vec<String> {
    file.functions()
        .iter()
        .filter(|f| f.hash_status() == metallib::HashStatus::Bad)
        .map(|f| f.name.to_string())
        .collect()
}

/// The error for a failed write to standard output: [`StdoutClosed`] for
/// a closed pipe, else `cannot write standard output: CAUSE`.
pub fn stdout_error(cause: io::Error) -> anyhow::Error {
    if cause.kind() == io::ErrorKind::BrokenPipe {
        anyhow::Error::new(StdoutClosed)
    } else {
        anyhow::anyhow!("cannot write standard output: {cause}")
    }
}

/// Writes `text` to standard output.
///
/// # Errors
/// See [`stdout_error`].
pub fn print(text: &str) -> Result<()> {
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(stdout_error)
}

/// Flushes standard output (at the end of every command: what is still
/// buffered must reach the file or be an error).
///
/// # Errors
/// See [`stdout_error`].
pub fn flush() -> Result<()> {
    io::stdout().lock().flush().map_err(stdout_error)
}

/// One message on standard error, escaped and shortened
/// ([`terminal_text::for_terminal`]); a write error is ignored.
pub fn eprint_line(message: &str) {
    let mut stderr = io::stderr().lock();
    let _ = writeln!(stderr, "{}", terminal_text::for_terminal(message));
    let _ = stderr.flush();
}

/// The text printed for an error: its message and the causes it does not
/// already contain (a library's message often includes its cause, which
/// would otherwise be printed twice), then the prefix of the scheme above.
pub fn error_text(err: &anyhow::Error) -> String {
    with_prefix(&message(err))
}

/// The message of `err` and of the causes it does not already contain.
pub fn message(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// `err` followed by a line `airlink: note: NOTE` (kept a plain message:
/// an error that ends the command differently is returned as it is).
pub fn with_note(err: anyhow::Error, note: &str) -> anyhow::Error {
    if err.downcast_ref::<StdoutClosed>().is_some() || err.downcast_ref::<Exit>().is_some() {
        return err;
    }
    anyhow::anyhow!("{}\nairlink: note: {note}", message(&err))
}

/// `text` with the scheme's prefix: kept when it starts with a position
/// (`FILE:LINE:COL: error: `); `FILE: error: MSG` (a library's message
/// about a whole file) becomes `airlink: error: FILE: MSG`; anything else
/// gets `airlink: error: ` in front.
pub fn with_prefix(text: &str) -> String {
    let (first, rest) = match text.split_once('\n') {
        Some((f, r)) => (f, Some(r)),
        None => (text, None),
    };
    let first = if is_located(first) {
        first.to_string()
    } else if let Some((file, message)) = first
        .split_once(": error: ")
        .filter(|(file, _)| !file.contains(": "))
    {
        format!("airlink: error: {file}: {message}")
    } else if let Some(message) = first.strip_prefix("error: ") {
        format!("airlink: error: {message}")
    } else {
        format!("airlink: error: {first}")
    };
    match rest {
        Some(rest) => format!("{first}\n{rest}"),
        None => first,
    }
}

/// Whether `line` starts with `FILE:LINE:COL: error: ` (a FILE without
/// `: `, which would be a message of its own).
fn is_located(line: &str) -> bool {
    let Some((head, _)) = line.split_once(": error: ") else {
        return false;
    };
    if head.contains(": ") {
        return false;
    }
    let mut parts = head.rsplitn(3, ':');
    let (Some(col), Some(row), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    number(col) && number(row) && !file.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_gets_one_prefix() {
        assert_eq!(
            with_prefix("k.ll:3:4: error: expected ','\n  x\n  ^"),
            "k.ll:3:4: error: expected ','\n  x\n  ^"
        );
        assert_eq!(
            with_prefix("k.bc: error: bit 40: truncated"),
            "airlink: error: k.bc: bit 40: truncated"
        );
        assert_eq!(
            with_prefix("cannot read x.ll: gone"),
            "airlink: error: cannot read x.ll: gone"
        );
        assert_eq!(with_prefix("error: no"), "airlink: error: no");
        // A colon in a file name does not make a position.
        assert_eq!(with_prefix("a:b: error: no"), "airlink: error: a:b: no");
        // Nor does a position quoted inside a message.
        assert_eq!(
            with_prefix("x: it failed (y.ll:1:2: error: z)"),
            "airlink: error: x: it failed (y.ll:1:2: error: z)"
        );
    }

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(io).context("cannot read x: no such file");
        assert_eq!(
            error_text(&err),
            "airlink: error: cannot read x: no such file"
        );
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let err = anyhow::Error::new(io).context("cannot read x");
        assert_eq!(
            error_text(&err),
            "airlink: error: cannot read x: no such file"
        );
    }
}
