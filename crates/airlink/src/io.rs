//! Input and output helpers shared by subcommands.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The largest text input any subcommand reads (1 GiB): beyond it the
/// in-memory module (about 15× the text) would not fit a typical machine.
/// The IR parser's own hard limit is 4 GiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// Reads `path` as UTF-8 text; `-` reads standard input.
///
/// # Errors
/// Unreadable input, input larger than [`MAX_INPUT_BYTES`], or not UTF-8.
pub fn read_text(path: &Path) -> Result<String> {
    read_text_limited(path, MAX_INPUT_BYTES)
}

/// [`read_text`] with a size limit of `limit` bytes.
fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    let mut bytes = Vec::new();
    let too_large = || {
        anyhow::anyhow!(
            "{}: input is larger than the {} limit",
            display_name(path),
            if limit >= 1 << 20 {
                format!("{} MiB", limit >> 20)
            } else {
                format!("{limit}-byte")
            }
        )
    };
    if path == Path::new("-") {
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let len = file.metadata().map_or(0, |m| m.len());
        if len > limit {
            return Err(too_large());
        }
        bytes.reserve_exact(len as usize);
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: input is not UTF-8 text (invalid byte at offset {})",
            display_name(path),
            e.utf8_error().valid_up_to()
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

/// Writes `bytes` to `out` (`None` or `-` = standard output). Files are
/// written to a temporary sibling first and renamed into place, so a failure
/// never leaves a half-written output behind.
pub fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<()> {
    match out {
        None => write_stdout(bytes),
        Some(p) if p == Path::new("-") => write_stdout(bytes),
        Some(path) => {
            let tmp = temp_sibling(path);
            std::fs::write(&tmp, bytes)
                .with_context(|| format!("cannot write {}", tmp.display()))?;
            std::fs::rename(&tmp, path).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                anyhow::anyhow!("cannot move output into place at {}: {e}", path.display())
            })
        }
    }
}

fn write_stdout(bytes: &[u8]) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .context("cannot write standard output")
}

fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_string());
    path.with_file_name(format!(".{name}.airlink-tmp-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_over_the_size_limit_are_refused() {
        let dir = std::env::temp_dir().join(format!("airlink-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.ll");
        std::fs::write(&path, "x".repeat(100)).unwrap();
        assert_eq!(read_text_limited(&path, 100).unwrap().len(), 100);
        let e = read_text_limited(&path, 99).unwrap_err().to_string();
        assert!(e.contains("larger than the 99-byte limit"), "{e}");
        // A device that never ends (its metadata length is 0) stops at the limit.
        if Path::new("/dev/zero").exists() {
            let e = read_text_limited(Path::new("/dev/zero"), 4096)
                .unwrap_err()
                .to_string();
            assert!(e.contains("limit"), "{e}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
