//! Why an assembly failed, with where: a parse error carries its
//! `file:line:col`, a verify error its rendered diagnostic (the same
//! position and the source line), the per-entry errors the entry's name.
//! Verifier errors are boxed to keep [`Error`] no larger than a parse
//! error (it is moved around in every `Result` of the pipeline).

use crate::link::LinkError;
use crate::target::TargetError;

/// A boxed error from an entry's encoder (air-bitcode's
/// [`air_bitcode::EncodeError`], or a caller's for
/// [`crate::assemble_with_encoder`]).
pub type EncodeFailure = Box<dyn std::error::Error + Send + Sync>;

/// Why [`crate::assemble`] failed. For text input this is what parsing,
/// verifying and assembling the whole module in a row report, whichever
/// way the text was read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] air_ir::ParseError),
    /// The module does not verify.
    #[error("{diagnostic}")]
    Invalid {
        /// The verifier's first complaint.
        error: Box<air_ir::VerifyError>,
        /// The complaint as `airlink assemble` shows it: at the item's
        /// `file:line:col` with its source line when the item can be found
        /// in the text, else after the file name
        /// ([`air_ir::render_verify_error`]).
        diagnostic: String,
    },
    /// [`crate::TargetChoice::Id`] names no target.
    #[error("unknown target {id:?}; known targets: {}", air_target::Target::ids())]
    UnknownTarget {
        /// The id given.
        id: String,
    },
    /// The module does not belong to the target.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Retargeting gave a module the verifier rejects (for instance an
    /// intrinsic whose signature differs between the two AIR versions).
    #[error("the module retargeted to {target} does not verify: {source}")]
    RetargetedModuleInvalid {
        /// The target id.
        target: &'static str,
        /// The verifier's complaint.
        source: Box<air_ir::VerifyError>,
    },
    /// The link step failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The link step produced a module the verifier rejects (a bug here;
    /// release builds check what the link step writes anew, debug builds
    /// the whole module).
    #[error("the linked module of @{entry} does not verify: {source}")]
    LinkedModuleInvalid {
        /// The entry.
        entry: String,
        /// The verifier's complaint.
        source: Box<air_ir::VerifyError>,
    },
    /// The encoder failed on an entry's module.
    #[error("cannot encode the module of @{entry}: {source}")]
    Encode {
        /// The entry.
        entry: String,
        /// The encoder's error.
        source: EncodeFailure,
    },
    /// The container could not be written.
    #[error(transparent)]
    Write(#[from] metallib::WriteError),
}
