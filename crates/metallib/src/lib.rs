//! The `.metallib` container: a reader, a writer that lays files out the way
//! Apple's stand-alone `metallib` tool does, the tool's per-entry link step,
//! and an annotated dump (`metallib-and-bitcode.md` §1).
//!
//! Modules are encoded by the caller: [`assemble`] takes a closure from a
//! linked [`air_ir::Module`] to its wrapped bitcode, so this crate never
//! links LLVM and does not depend on a particular bitcode writer.
//!
//! ```
//! use metallib::{raw::{FunctionType, Versions}, write::{Builder, NewFunction}, MetallibFile};
//!
//! let target = air_target::Target::by_id("macos26").unwrap();
//! let mut builder = Builder::for_target(target);
//! builder.add_function(NewFunction {
//!     name: "k".into(),
//!     function_type: FunctionType::KERNEL,
//!     versions: Versions::for_target(target),
//!     module: vec![0; 32], // normally a wrapped bitcode module
//! });
//! let bytes = builder.write().unwrap();
//!
//! let file = MetallibFile::parse(&bytes).unwrap();
//! assert_eq!(file.functions()[0].name, "k");
//! assert_eq!(file.functions()[0].module, &[0; 32][..]);
//! assert!(file.hashes_ok());
//! ```
//!
//! # Limits
//!
//! [`MetallibFile::parse`] takes hostile bytes: every length and offset is
//! checked against the bytes that are actually left before anything is read
//! or allocated, so parsing cannot panic, loop or allocate more than a small
//! multiple of the input (fuzz target `metallib_parse`, see ROBUSTNESS.md).

#![deny(missing_docs)]

pub mod error;
pub mod fuzz;
pub mod inspect;
pub mod link;
pub mod raw;
pub mod read;
pub mod target;
pub mod write;

pub use error::{ReadError, ReadErrorKind, WriteError};
pub use link::{link_entries, EntryKind, LinkError, LinkedEntry};
pub use read::{HashStatus, MetallibFile};
pub use target::{apply_target, retarget, TargetError};
pub use write::{Builder, NewFunction};

use air_ir::Module;
use air_target::Target;

/// A boxed error from the caller's module encoder.
pub type EncodeFailure = Box<dyn std::error::Error + Send + Sync>;

/// Why [`assemble`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssembleError {
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
        source: air_ir::VerifyError,
    },
    /// The link step failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The link step produced a module the verifier rejects (a bug here).
    #[error("the linked module of @{entry} does not verify: {source}")]
    LinkedModuleInvalid {
        /// The entry.
        entry: String,
        /// The verifier's complaint.
        source: air_ir::VerifyError,
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
    Write(#[from] WriteError),
}

/// Options of [`assemble`].
#[derive(Clone, Copy, Debug)]
pub struct AssembleOptions<'a> {
    /// The target.
    pub target: &'a Target,
    /// Rewrite a mismatching triple and version metadata instead of failing.
    pub retarget: bool,
}

/// Builds a library from a verified module: target check (or retarget),
/// link step per entry function, `encode` on each entry's module, container.
///
/// `encode` turns a linked module into its module entry: Darwin wrapper,
/// bitcode and zero padding to 16 bytes (e.g. `air_bitcode::write_module`).
///
/// # Errors
/// See [`AssembleError`].
pub fn assemble<E>(
    module: &Module,
    options: &AssembleOptions<'_>,
    mut encode: impl FnMut(&Module) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, AssembleError>
where
    E: Into<EncodeFailure>,
{
    let mut module = module.clone();
    let before = module.triple.clone();
    apply_target(&mut module, options.target, options.retarget)?;
    if module.triple != before {
        air_ir::verify(&module).map_err(|source| AssembleError::RetargetedModuleInvalid {
            target: options.target.id,
            source,
        })?;
    }
    let versions = target::module_versions(&module, options.target);
    let mut builder = Builder::for_target(options.target);
    for entry in link_entries(&module)? {
        air_ir::verify(&entry.module).map_err(|source| AssembleError::LinkedModuleInvalid {
            entry: entry.name.clone(),
            source,
        })?;
        let bytes = encode(&entry.module).map_err(|e| AssembleError::Encode {
            entry: entry.name.clone(),
            source: e.into(),
        })?;
        builder.add_function(NewFunction {
            name: entry.name,
            function_type: entry.kind.function_type(),
            versions,
            module: bytes,
        });
    }
    Ok(builder.write()?)
}
