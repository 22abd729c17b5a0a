//! The verifier (to be written).

use crate::module::Module;

/// A verification failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VerifyError {
    /// What is wrong.
    pub message: String,
}

/// Checks the module's invariants.
///
/// # Errors
/// The first problem found.
pub fn verify(_module: &Module) -> Result<(), VerifyError> {
    Ok(())
}
