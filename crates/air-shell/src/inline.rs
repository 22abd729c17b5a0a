//! The body files a spec names (`inline = "FILE"` in a `[[function]]`):
//! which paths a spec may name, and how they are read.
//!
//! A spec is an input like any other and may come from anyone, so the
//! files it can make airlink read (and quote in an error) are confined to
//! its own folder:
//!
//! * the path is relative and made of plain names: no root, no drive, no
//!   `..` (`bodies/scale.ll` and `./scale.ll` are fine);
//! * it is resolved against the spec's folder (the current folder for a
//!   spec given as text without one);
//! * the file, with every link resolved, is a regular file inside that
//!   folder (a link inside the folder that points out of it is refused);
//! * it is at most [`MAX_INLINE_BODY_BYTES`] bytes of UTF-8 text.
//!
//! A refused path is an error that names the path, never the file's
//! contents. Only a body that passes is parsed, so only such a body's
//! lines appear in a parse error.

use std::path::{Component, Path, PathBuf};

use crate::limits::MAX_INLINE_BODY_BYTES;

/// Checks the path a spec names, as written: relative, plain names only.
///
/// # Errors
/// Why the path is refused, in words (without the path).
pub fn check_path(path: &Path) -> Result<(), String> {
    if path.as_os_str().is_empty() {
        return Err("the path is empty".to_string());
    }
    for c in path.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err("`..` is not allowed: a spec names files in its own folder".to_string())
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(
                    "absolute paths are not allowed: a spec names files relative to its own folder"
                        .to_string(),
                )
            }
        }
    }
    Ok(())
}

/// Where the body file `path` (as a spec names it) is, for a spec in
/// `spec_dir` (`None`: the current folder).
///
/// # Errors
/// As [`check_path`].
pub fn resolve(spec_dir: Option<&Path>, path: &Path) -> Result<PathBuf, String> {
    check_path(path)?;
    Ok(match spec_dir {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(path),
        _ => path.to_path_buf(),
    })
}

/// Reads the body file at `resolved` ([`resolve`]) for a spec in
/// `spec_dir`: a regular file inside the folder once links are resolved,
/// within the size limit, UTF-8.
///
/// # Errors
/// Why it cannot be read, in words (without the file's contents).
pub fn read(spec_dir: Option<&Path>, resolved: &Path) -> Result<String, String> {
    let dir = match spec_dir {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let real_dir = dir
        .canonicalize()
        .map_err(|e| format!("cannot find the spec's folder {}: {e}", dir.display()))?;
    let real = resolved.canonicalize().map_err(|e| e.to_string())?;
    if !real.starts_with(&real_dir) {
        return Err(format!(
            "it leads out of the spec's folder {} (to {}) through a link",
            dir.display(),
            real.display()
        ));
    }
    let metadata = std::fs::metadata(&real).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("it is not a regular file".to_string());
    }
    let input = file_io::read_file(&real, MAX_INLINE_BODY_BYTES).map_err(|e| match e {
        file_io::Error::TooLarge { limit, .. } => {
            format!("it is larger than the {} limit", file_io::size_text(limit))
        }
        file_io::Error::Read { cause, .. } => cause.to_string(),
        other => other.to_string(),
    })?;
    String::from_utf8(input.bytes).map_err(|e| {
        format!(
            "it is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_allowed() {
        assert!(check_path(Path::new("body.ll")).is_ok());
        assert!(check_path(Path::new("bodies/./body.ll")).is_ok());
        assert!(check_path(Path::new("/etc/passwd"))
            .unwrap_err()
            .contains("absolute"));
        assert!(check_path(Path::new("../secret.ll"))
            .unwrap_err()
            .contains("`..`"));
        assert!(check_path(Path::new("a/../../b")).is_err());
        assert!(check_path(Path::new("")).is_err());
        assert_eq!(
            resolve(Some(Path::new("specs")), Path::new("b.ll")).unwrap(),
            Path::new("specs/b.ll")
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_folder_devices_and_non_utf8_are_refused() {
        let root = std::env::temp_dir().join(format!("air-shell-inline-{}", std::process::id()));
        let dir = root.join("spec");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(root.join("outside.ll"), "secret line\n").unwrap();
        std::fs::write(dir.join("ok.ll"), "define void @f() {\n").unwrap();
        std::os::unix::fs::symlink(root.join("outside.ll"), dir.join("escape.ll")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ll")).unwrap();
        std::os::unix::fs::symlink("ok.ll", dir.join("inside.ll")).unwrap();
        std::fs::write(dir.join("bad.ll"), b"ok\xff").unwrap();

        let read_in = |name: &str| read(Some(&dir), &resolve(Some(&dir), Path::new(name)).unwrap());
        assert_eq!(read_in("ok.ll").unwrap(), "define void @f() {\n");
        assert_eq!(read_in("inside.ll").unwrap(), "define void @f() {\n");
        let e = read_in("escape.ll").unwrap_err();
        assert!(e.contains("leads out of the spec's folder"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        let e = read_in("zero.ll").unwrap_err();
        assert!(
            e.contains("leads out") || e.contains("not a regular file"),
            "{e}"
        );
        let e = read_in("bad.ll").unwrap_err();
        assert!(
            e.contains("not UTF-8 text (invalid byte at offset 2)"),
            "{e}"
        );
        assert!(read_in("missing.ll").is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
