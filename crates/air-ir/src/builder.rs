//! The builder (to be written).

/// Builder misuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BuildError {
    /// What went wrong.
    pub message: String,
}

/// Cursor-style module builder.
#[derive(Debug, Default)]
pub struct Builder {}
