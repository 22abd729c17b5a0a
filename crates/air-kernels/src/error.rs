//! The crate's error type.

use std::path::Path;

/// What can go wrong while building or running a case.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An example file the kernel names is not embedded (a bug here).
    #[error("examples/{0} is not embedded in air-kernels")]
    Missing(String),
    /// The spec or the shell generation failed (with the spec's positions).
    #[error(transparent)]
    Shell(#[from] air_shell::Error),
    /// The executor refused the program or the run failed (with the site).
    #[error(transparent)]
    Exec(#[from] air_exec::ExecError),
    /// A case that cannot exist (a zero dimension, a shape too large).
    #[error("{0}")]
    Shape(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// This crate's `Result`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
