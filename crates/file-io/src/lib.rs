//! Where input enters and output leaves airlink: reading files with a size
//! limit, and writing a command's output files all or none.
//!
//! # Reading
//!
//! [`read_file`] and [`read_stream`] refuse an input larger than the
//! caller's limit before reading it all: a regular file by its length, a
//! device or pipe (which has no length: `/dev/zero`, a FIFO, standard
//! input) by reading at most one byte more than the limit. A directory is
//! an error. The identity (device and inode) of what was read comes back
//! with the bytes, so a later write can refuse to replace an input.
//!
//! # Writing ([`write_all_or_none`])
//!
//! The policy ROBUSTNESS.md documents ("Output files"):
//!
//! * a regular file is replaced through a temporary created exclusively
//!   (`O_CREAT|O_EXCL`, so a link planted at its name is never followed)
//!   with an unpredictable name in the output's own folder, written,
//!   given the replaced file's permission bits (and owner and group where
//!   allowed), `fsync`ed, then renamed over the output; the folder is
//!   `fsync`ed after the rename where the system supports it;
//! * a path that is a symbolic link is refused: the link is neither
//!   followed nor replaced (`-` is standard output);
//! * a character device or a FIFO (`/dev/null`, a named pipe, a process
//!   substitution) is written to in place, opened without following links
//!   and without creating anything: it is never replaced by a file;
//! * a directory, a block device, a socket is refused;
//! * an output that is one of the command's inputs (same device and inode,
//!   so also through a hard link or a link named as the input) is refused,
//!   and so is a path given for two outputs;
//! * all or none: every check and every temporary is done first; then the
//!   streams (standard output, devices, FIFOs) are written; then the
//!   temporaries are renamed into place. A failure before the renames
//!   removes every temporary and leaves every old output as it was. The
//!   renames themselves (in one folder each, on a file system that was
//!   writable a moment before) are the only step that can fail after some
//!   outputs were replaced; the error then names the ones that were.

#![deny(missing_docs)]

use std::collections::HashSet;
use std::fs::{File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// What can go wrong reading an input or writing outputs. Each message
/// names the file and includes the system's reason, so a caller prints it
/// as it is.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input could not be opened or read.
    #[error("cannot read {path}: {cause}")]
    Read {
        /// The input as given.
        path: String,
        /// The system's reason.
        cause: io::Error,
    },
    /// The input is larger than the limit.
    #[error("{path}: input is larger than the {} limit", size_text(*.limit))]
    TooLarge {
        /// The input as given.
        path: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The input is a directory.
    #[error("cannot read {path}: it is a directory")]
    Directory {
        /// The input as given.
        path: String,
    },
    /// An output path that the policy does not write (a link, a
    /// directory, a block device, an input, a duplicate).
    #[error("refusing to write {path}: {reason}")]
    Refused {
        /// The output as given.
        path: String,
        /// Why, in words.
        reason: String,
    },
    /// Creating, writing or syncing an output (or its temporary) failed;
    /// no output was replaced.
    #[error("cannot write {path}: {cause}")]
    Write {
        /// The output as given.
        path: String,
        /// The system's reason.
        cause: io::Error,
    },
    /// Writing the standard-output part failed; no file output was
    /// replaced.
    #[error("cannot write standard output: {0}")]
    Stdout(io::Error),
    /// A rename failed after `replaced` outputs had been renamed into
    /// place; the others are untouched.
    #[error("cannot move {path} into place: {cause}{}", replaced_text(.replaced))]
    Persist {
        /// The output whose rename failed.
        path: String,
        /// The system's reason.
        cause: io::Error,
        /// Outputs already replaced.
        replaced: Vec<String>,
    },
}

fn replaced_text(replaced: &[String]) -> String {
    if replaced.is_empty() {
        " (no output was replaced)".to_string()
    } else {
        format!(
            " ({} already replaced, the rest untouched)",
            replaced.join(", ")
        )
    }
}

/// `1 GiB`, `16 MiB`, `4096-byte`: a limit as messages say it.
pub fn size_text(limit: u64) -> String {
    if limit >= 1 << 30 && limit % (1 << 30) == 0 {
        format!("{} GiB", limit >> 30)
    } else if limit >= 1 << 20 && limit % (1 << 20) == 0 {
        format!("{} MiB", limit >> 20)
    } else if limit >= 1 << 10 && limit % (1 << 10) == 0 {
        format!("{} KiB", limit >> 10)
    } else {
        format!("{limit}-byte")
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which file an open file is: device and inode. Two paths with the same
/// identity are the same file (hard links, symbolic links to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// The identity in `metadata` (`None` where the system has none).
    pub fn of(metadata: &Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Some(FileId {
                dev: metadata.dev(),
                ino: metadata.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            None
        }
    }
}

/// An input read into memory.
#[derive(Debug)]
pub struct Input {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Which file it was, when it was one (a regular file, a device).
    pub id: Option<FileId>,
}

/// Reads `path` (a regular file, a character device or a FIFO; links are
/// followed) if it has at most `limit` bytes. A regular file's length is
/// checked before reading; anything else is read up to `limit + 1` bytes.
///
/// # Errors
/// [`Error::Read`], [`Error::Directory`], [`Error::TooLarge`].
pub fn read_file(path: &Path, limit: u64) -> Result<Input> {
    let shown = || path.display().to_string();
    let read_error = |cause| Error::Read {
        path: shown(),
        cause,
    };
    let file = File::open(path).map_err(read_error)?;
    let metadata = file.metadata().map_err(read_error)?;
    if metadata.is_dir() {
        return Err(Error::Directory { path: shown() });
    }
    if metadata.is_file() && metadata.len() > limit {
        return Err(Error::TooLarge {
            path: shown(),
            limit,
        });
    }
    let hint = if metadata.is_file() {
        metadata.len()
    } else {
        0
    };
    let bytes = read_limited(file, hint, limit).map_err(|e| match e {
        Limited::Io(cause) => Error::Read {
            path: shown(),
            cause,
        },
        Limited::TooLarge => Error::TooLarge {
            path: shown(),
            limit,
        },
    })?;
    Ok(Input {
        bytes,
        id: FileId::of(&metadata),
    })
}

/// Reads `reader` (standard input, say) to its end if it gives at most
/// `limit` bytes; `name` labels errors.
///
/// # Errors
/// [`Error::Read`], [`Error::TooLarge`].
pub fn read_stream(reader: impl Read, name: &str, limit: u64) -> Result<Vec<u8>> {
    read_limited(reader, 0, limit).map_err(|e| match e {
        Limited::Io(cause) => Error::Read {
            path: name.to_string(),
            cause,
        },
        Limited::TooLarge => Error::TooLarge {
            path: name.to_string(),
            limit,
        },
    })
}

enum Limited {
    Io(io::Error),
    TooLarge,
}

fn read_limited(reader: impl Read, hint: u64, limit: u64) -> std::result::Result<Vec<u8>, Limited> {
    let mut bytes = Vec::new();
    // The length a regular file says it has (already checked against the
    // limit); it may grow while being read, which `take` bounds.
    bytes
        .try_reserve_exact(usize::try_from(hint.min(limit)).unwrap_or(0))
        .map_err(|_| Limited::TooLarge)?;
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(Limited::Io)?;
    if bytes.len() as u64 > limit {
        return Err(Limited::TooLarge);
    }
    Ok(bytes)
}

/// The identity of standard input when it is a file (`cmd < file`), so a
/// command reading `-` still refuses to replace that file.
pub fn stdin_id() -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
        let metadata = File::from(fd).metadata().ok()?;
        if metadata.is_file() {
            FileId::of(&metadata)
        } else {
            None
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The path that means standard output.
pub const STDOUT: &str = "-";

/// How one output will be written.
#[derive(Debug)]
enum Plan<'a> {
    /// Standard output.
    Stdout { bytes: &'a [u8] },
    /// A character device or FIFO, written in place.
    Stream { path: &'a Path, bytes: &'a [u8] },
    /// A regular file (or a new one), replaced through a temporary.
    Replace {
        path: &'a Path,
        dir: PathBuf,
        old: Option<Metadata>,
        bytes: &'a [u8],
    },
}

/// Writes every `(path, bytes)` of `outputs` or none of them (see the
/// crate docs for the policy). A path `-` ([`STDOUT`]) is written to
/// `stdout`. `inputs` are the identities of the files the command read:
/// an output that is one of them is refused.
///
/// # Errors
/// [`Error::Refused`] for a path the policy does not write, [`Error::Write`]
/// or [`Error::Stdout`] when writing fails (no file output replaced), and
/// [`Error::Persist`] when a rename fails.
pub fn write_all_or_none(
    outputs: &[(&Path, &[u8])],
    inputs: &[FileId],
    stdout: &mut dyn Write,
) -> Result<()> {
    // 1. Decide how each output is written; refuse what the policy does
    // not write before anything is created.
    let mut plans = Vec::with_capacity(outputs.len());
    let mut seen = HashSet::new();
    for &(path, bytes) in outputs {
        let plan = plan(path, bytes, inputs)?;
        if let Plan::Replace { dir, .. } = &plan {
            let key = (
                dir.canonicalize().unwrap_or_else(|_| dir.clone()),
                path.file_name().map(ToOwned::to_owned),
            );
            if !seen.insert(key) {
                return Err(refused(path, "it is given for two outputs"));
            }
        }
        plans.push(plan);
    }

    // 2. Every file output into its temporary, synced.
    let mut staged = Vec::new();
    for plan in &plans {
        if let Plan::Replace {
            path,
            dir,
            old,
            bytes,
        } = plan
        {
            let temp = stage(path, dir, old.as_ref(), bytes).map_err(|cause| Error::Write {
                path: path.display().to_string(),
                cause,
            })?;
            staged.push((temp, *path, dir));
        }
    }

    // 3. The streams, in order. A failure drops the temporaries (which
    // deletes them): no file output is replaced.
    for plan in &plans {
        match plan {
            Plan::Stdout { bytes } => stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(Error::Stdout)?,
            Plan::Stream { path, bytes } => {
                write_stream(path, bytes).map_err(|e| match e {
                    StreamError::Io(cause) => Error::Write {
                        path: path.display().to_string(),
                        cause,
                    },
                    StreamError::Changed => {
                        refused(path, "it stopped being a device or FIFO while being opened")
                    }
                })?;
            }
            Plan::Replace { .. } => {}
        }
    }

    // 4. The renames, then the folders synced so the renames last.
    let mut replaced = Vec::new();
    let mut dirs: Vec<&PathBuf> = Vec::new();
    let mut staged = staged.into_iter();
    for (temp, path, dir) in staged.by_ref() {
        if let Err(e) = temp.persist(path) {
            return Err(Error::Persist {
                path: path.display().to_string(),
                cause: e.error,
                replaced,
            });
        }
        replaced.push(path.display().to_string());
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    for dir in dirs {
        sync_dir(dir).map_err(|cause| Error::Write {
            path: dir.display().to_string(),
            cause,
        })?;
    }
    Ok(())
}

fn refused(path: &Path, reason: &str) -> Error {
    Error::Refused {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// How `path` is written, or why it is not.
fn plan<'a>(path: &'a Path, bytes: &'a [u8], inputs: &[FileId]) -> Result<Plan<'a>> {
    if path == Path::new(STDOUT) {
        return Ok(Plan::Stdout { bytes });
    }
    let write_error = |cause| Error::Write {
        path: path.display().to_string(),
        cause,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if path.file_name().is_none() {
        return Err(refused(path, "it names a folder, not a file"));
    }
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(write_error(e)),
    };
    let Some(metadata) = metadata else {
        // A new file: its folder must exist.
        return match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => Ok(Plan::Replace {
                path,
                dir,
                old: None,
                bytes,
            }),
            Ok(_) => Err(refused(path, &format!("{} is not a folder", dir.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(refused(
                path,
                &format!("the folder {} does not exist", dir.display()),
            )),
            Err(e) => Err(write_error(e)),
        };
    };
    let is_input = FileId::of(&metadata).is_some_and(|id| inputs.contains(&id));
    let file_type = metadata.file_type();
    if file_type.is_symlink() {
        return Err(refused(
            path,
            "it is a symbolic link, which airlink neither follows nor replaces \
             (name the file it points to, or `-` for standard output)",
        ));
    }
    if is_input {
        return Err(refused(
            path,
            "it is also an input of this command (write to another file, then rename it)",
        ));
    }
    if file_type.is_file() {
        return Ok(Plan::Replace {
            path,
            dir,
            old: Some(metadata),
            bytes,
        });
    }
    if file_type.is_dir() {
        return Err(refused(path, "it is a folder"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() || file_type.is_fifo() {
            return Ok(Plan::Stream { path, bytes });
        }
        let kind = if file_type.is_block_device() {
            "a block device"
        } else if file_type.is_socket() {
            "a socket"
        } else {
            "not a regular file"
        };
        Err(refused(
            path,
            &format!(
                "it is {kind}; airlink writes regular files (replacing them), and character \
                 devices and FIFOs (in place)"
            ),
        ))
    }
    #[cfg(not(unix))]
    {
        Err(refused(path, "it is not a regular file"))
    }
}

/// The file name of the temporary for `path`: hidden, after the output's
/// name (cut to 32 characters so the whole stays under any name limit),
/// with tempfile's random characters.
fn temp_prefix(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let short: String = name.chars().take(32).collect();
    format!(".{short}.")
}

/// The temporary for one output: created exclusively in `dir` with an
/// unpredictable name, written, given the old file's permissions (and
/// owner where allowed), synced.
fn stage(
    path: &Path,
    dir: &Path,
    old: Option<&Metadata>,
    bytes: &[u8],
) -> io::Result<tempfile::NamedTempFile> {
    let prefix = temp_prefix(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".airlink-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // A new output gets what a plain create gives: 0666 less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if let Some(old) = old {
        #[cfg(unix)]
        {
            use std::os::unix::fs::{MetadataExt, PermissionsExt};
            // Owner and group as before where allowed (root; the group
            // when the user is in it); otherwise the writer's, as a plain
            // write would leave a file it had to create.
            let file = temp.as_file();
            if std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
                let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
            }
            // The permission bits, not set-id or sticky bits.
            file.set_permissions(std::fs::Permissions::from_mode(old.mode() & 0o777))?;
        }
        #[cfg(not(unix))]
        temp.as_file().set_permissions(old.permissions())?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

enum StreamError {
    Io(io::Error),
    Changed,
}

/// Writes to a character device or FIFO in place: opened for writing
/// only, without following a link, without creating or truncating, and
/// checked to still be a device or FIFO once open.
fn write_stream(path: &Path, bytes: &[u8]) -> std::result::Result<(), StreamError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NOCTTY);
    }
    let mut file = options.open(path).map_err(StreamError::Io)?;
    let metadata = file.metadata().map_err(StreamError::Io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = metadata.file_type();
        if !(t.is_char_device() || t.is_fifo()) {
            return Err(StreamError::Changed);
        }
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        return Err(StreamError::Changed);
    }
    #[cfg_attr(not(unix), allow(unreachable_code))]
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .map_err(StreamError::Io)
}

/// `fsync` of a folder after renames in it, where the system supports it.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        // Opening a folder to sync it needs read permission, which a
        // writable folder may lack; then there is nothing to sync with.
        let Ok(handle) = File::open(dir) else {
            return Ok(());
        };
        match handle.sync_all() {
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                ) =>
            {
                Ok(())
            }
            other => other,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
