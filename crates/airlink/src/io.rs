//! Where the command line's input enters and its output leaves. Every
//! subcommand reads its files here ([`read_input`], with a size limit
//! checked before reading it all) and writes them here ([`write_outputs`],
//! all or none, through the policy of the `file-io` crate: never through a
//! link, never replacing a device, never replacing an input).
//! ROBUSTNESS.md ("Output files", "Input limits") documents both.

use std::path::Path;
use std::sync::Mutex;

use anyhow::Result;
use file_io::FileId;

pub use crate::limits::MAX_INPUT_BYTES;

/// The files this process has read, by identity: outputs must not replace
/// them.
static INPUTS: Mutex<Vec<FileId>> = Mutex::new(Vec::new());

fn remember(id: FileId) {
    let mut inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    if !inputs.contains(&id) {
        inputs.push(id);
    }
}

/// Records `path` as an input that a library read (a spec's inline body),
/// so no output replaces it. A path that cannot be examined is skipped:
/// it was not read either.
pub fn remember_input(path: &Path) {
    if let Some(id) = std::fs::metadata(path).ok().and_then(|m| FileId::of(&m)) {
        remember(id);
    }
}

/// Reads `path` (`-` for standard input) if it has at most `limit` bytes
/// (a regular file's length is checked before reading; a device or a pipe
/// is read to one byte over the limit at most), and remembers it as an
/// input.
///
/// # Errors
/// The file cannot be read, is a folder, or is over the limit.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let bytes = file_io::read_stream(std::io::stdin().lock(), "<stdin>", limit)?;
        if let Some(id) = file_io::stdin_id() {
            remember(id);
        }
        return Ok(bytes);
    }
    let input = file_io::read_file(path, limit)?;
    if let Some(id) = input.id {
        remember(id);
    }
    Ok(input.bytes)
}

/// [`read_input`] with the input limit, as UTF-8 text.
///
/// # Errors
/// As [`read_input`], or not UTF-8 (with the line, column and byte
/// offset of the first invalid byte).
pub fn read_text(path: &Path) -> Result<String> {
    text(read_input(path, MAX_INPUT_BYTES)?, &display_name(path), "")
}

/// `bytes` as UTF-8 text; else an error at the first invalid byte:
/// `NAME:LINE:COL: error: ...not UTF-8 text... (invalid byte 0xNN at byte
/// offset N)`, where `what` ends the message (e.g. a hint at the other
/// kinds of input the command reads).
pub fn text(bytes: Vec<u8>, name: &str, what: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let before = std::str::from_utf8(&bytes[..valid]).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        anyhow::anyhow!(
            "{name}:{line}:{col}: error: the input is not UTF-8 text{what} (invalid byte 0x{:02x} at byte offset {valid})",
            bytes[valid]
        )
    })
}

/// The name of an input for messages (`<stdin>` for `-`).
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// Writes every `(path, bytes)` or none (`-` is standard output): every
/// check and every temporary file first, then standard output and any
/// device or FIFO, then the renames into place. An output that is one of
/// the inputs read so far is refused.
///
/// # Errors
/// The first output the policy refuses or that cannot be written; a
/// closed standard output is [`crate::out::StdoutClosed`].
pub fn write_outputs<P: AsRef<Path>, B: AsRef<[u8]>>(outputs: &[(P, B)]) -> Result<()> {
    let inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let outputs: Vec<(&Path, &[u8])> = outputs
        .iter()
        .map(|(p, b)| (p.as_ref(), b.as_ref()))
        .collect();
    let mut stdout = std::io::stdout().lock();
    file_io::write_all_or_none(&outputs, &inputs, &mut stdout).map_err(|e| match e {
        file_io::Error::Stdout(cause) => crate::out::stdout_error(cause),
        other => other.into(),
    })
}

/// [`write_outputs`] of one output, `None` being standard output.
///
/// # Errors
/// As [`write_outputs`].
pub fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<()> {
    write_outputs(&[(out.unwrap_or(Path::new("-")), bytes)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_errors_point_at_the_first_invalid_byte() {
        let e = text(b"ab\ncd\xffe".to_vec(), "k.ll", "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "k.ll:2:3: error: the input is not UTF-8 text (invalid byte 0xff at byte offset 5)"
        );
        assert_eq!(text(b"ok".to_vec(), "k.ll", "").unwrap(), "ok");
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = std::env::temp_dir().join(format!("airlink-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("in.ll");
        std::fs::write(&path, "source").unwrap();
        assert_eq!(read_input(&path, 100).unwrap(), b"source");
        let e = write_output(Some(&path), b"clobbered").unwrap_err();
        assert!(e.to_string().contains("also an input"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"source");
        let e = read_input(&path, 3).unwrap_err();
        assert!(
            e.to_string().contains("larger than the 3-byte limit"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
