//! An LLVM 14 bitcode writer for the AIR IR model.
//!
//! The output is meant to be byte-identical to what
//! `llvm-as-14 -preserve-bc-uselistorder=false FILE.ll -o -` writes for the
//! same module, which is (up to a few documented details) what Apple's Metal
//! toolchain writes. To get there the writer reproduces two things:
//!
//! - LLVM 14's `ValueEnumerator` and `ModuleBitcodeWriter`: type, value,
//!   constant and metadata numbering, the constant-pool ordering, the
//!   abbreviations and the choice of records ([`write_module`]);
//! - what `llvm-as-14` does to a module *while parsing* it, before the writer
//!   ever sees it: a missing `source_filename` becomes the input path,
//!   declarations of `llvm.*` intrinsics get LLVM 14's own attribute sets,
//!   debug info is stripped when there is no `"Debug Info Version"` module
//!   flag, and LLVM's constant and metadata uniquing merges equal constants
//!   and equal tuples.
//!
//! It also writes what LLVM writes after the module: the SYMTAB block (an
//! irsymtab describing the module's symbols, whenever LLVM 14 writes one)
//! and the STRTAB with the irsymtab's strings after the module's names, and
//! it emits function-level value-symbol-table entries in the bucket order of
//! LLVM 14's `StringMap`.
//!
//! [`Flavour::Apple`] writes what Apple's Metal toolchain writes for the same
//! module instead.
//!
//! ```
//! use air_bitcode::{write_module, Flavour, WriteOptions};
//!
//! let mut module = air_ir::Module::new();
//! module.triple = Some("air64_v28-apple-macosx26.0.0".into());
//! let options = WriteOptions {
//!     flavour: Flavour::Llvm14,
//!     input_path: "kernel.ll".into(),
//!     ..WriteOptions::default()
//! };
//! let bytes = write_module(&module, &options).unwrap();
//! // A Darwin triple gets the bitcode wrapper, padded to 16 bytes.
//! assert!(bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]));
//! assert_eq!(bytes.len() % 16, 0);
//! ```
//!
//! # Limits
//!
//! [`read_module`] takes hostile bytes: type and constant nesting deeper
//! than 256 is an error (with the record's bit offset), abbreviation
//! definitions have at most 64 operands, and every count is checked
//! against the bits left before allocating (fuzz target `bitcode_read`).
//! Every module the verifier accepts encodes; the writer walks types with
//! explicit stacks and refuses constants and metadata nested deeper than
//! 512 in a module it is given unverified (an [`EncodeError`], not a stack
//! overflow). [`limits`] has every value and why. The `module_gen` fuzz target checks that
//! generated modules encode and read back to a fixed point. See
//! ROBUSTNESS.md.

#![deny(missing_docs)]

pub mod limits;
mod write;

pub mod read;
pub use read::{read_module, ReadError};

/// Which producer's bytes to reproduce.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Flavour {
    /// `llvm-as-14 -preserve-bc-uselistorder=false`, including its parse-time
    /// behaviour (intrinsic attribute reset, debug-info stripping, ...).
    #[default]
    Llvm14,
    /// Apple's Metal toolchain of macOS 14 and later (AIR 2.6 and later),
    /// which is LLVM 14's writer with a few registrations of its own. The
    /// module is encoded as written (no debug-info stripping), and compared
    /// with [`Flavour::Llvm14`]:
    /// - the IDENTIFICATION producer string is empty;
    /// - METADATA_KIND has `heapallocsite` (31) only when some function has
    ///   a body instruction other than `ret`, then `air.function_groups`,
    ///   after LLVM 14's kinds 0–30;
    /// - OPERAND_BUNDLE_TAGS has `ptrauth` as an eighth tag;
    /// - `llvm.*` declarations get Apple's attribute table: LLVM 14's plus
    ///   `nocallback` where LLVM 14 has `nofree nosync` (measured for
    ///   `llvm.lifetime.*`, a guess for the others);
    /// - the irsymtab producer is [`WriteOptions::producer`] when given,
    ///   else the `metalfe-X` version of `!llvm.ident`, else
    ///   `32023.850.10`.
    ///
    /// docs/bitcode-rules.md#apples-differences, has the measurements.
    Apple,
}

/// Options of [`write_module`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct WriteOptions {
    /// Whose bytes to reproduce.
    pub flavour: Flavour,
    /// The input path exactly as it was given to the assembler (`<stdin>`
    /// for standard input). `llvm-as-14` records it as the source file name
    /// when the module has no `source_filename`.
    pub input_path: String,
    /// [`Flavour::Apple`]: the irsymtab producer, the version of the
    /// compiler whose output is reproduced (e.g. `32023.850.10`). When given
    /// it wins over the `metalfe-X` version of `!llvm.ident`, which is used
    /// otherwise (default `32023.850.10`): Apple's compiler writes its own
    /// version even for IR text that names another.
    /// [`Flavour::Llvm14`]: the LLVM 14 release to imitate (default
    /// `14.0.6`, [`LLVM14_PRODUCER`]), written as the irsymtab producer
    /// and, after `LLVM`, in the IDENTIFICATION block (where `llvm-as`
    /// writes its `LLVM_VERSION_STRING`). Tests that compare with the
    /// installed `llvm-as-14` pass the version it writes, so any 14.x
    /// release can be the oracle.
    pub producer: Option<String>,
}

/// Why a module could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// An id that does not exist in its arena (a malformed module).
    #[error("{context}: {what} id {id} does not exist")]
    BadId {
        /// What kind of id.
        what: &'static str,
        /// The id.
        id: u32,
        /// Where it was found.
        context: String,
    },
    /// The module is not valid in a way the encoder cannot express.
    #[error("{context}: {message}")]
    Invalid {
        /// What is wrong.
        message: String,
        /// Where.
        context: String,
    },
}

impl EncodeError {
    pub(crate) fn invalid(context: impl Into<String>, message: impl Into<String>) -> Self {
        EncodeError::Invalid {
            message: message.into(),
            context: context.into(),
        }
    }

    pub(crate) fn bad_id(what: &'static str, id: u32, context: impl Into<String>) -> Self {
        EncodeError::BadId {
            what,
            id,
            context: context.into(),
        }
    }
}

/// Result type of this crate.
pub type Result<T, E = EncodeError> = std::result::Result<T, E>;

/// The producer string `llvm-as-14` 14.0.6 writes in the IDENTIFICATION
/// block, which [`Flavour::Llvm14`] writes unless
/// [`WriteOptions::producer`] names another release.
pub const LLVM14_PRODUCER: &str = "LLVM14.0.6";

/// Why [`strip_debug_info`] could not rewrite a module.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StripError {
    /// The bytes are not a module this crate reads.
    #[error("reading the module: {0}")]
    Read(#[from] ReadError),
    /// The module read could not be written again.
    #[error("writing the module: {0}")]
    Encode(#[from] EncodeError),
}

/// A module's bitcode without its debug info: `module` (raw or wrapped
/// bitcode, as a `.metallib` entry holds it) is read, stripped with
/// [`air_ir::strip_debug_info`] (what `opt-14 -strip-debug` removes, see
/// `docs/bitcode-rules.md`, "Stripping debug info") and written again with
/// the [`Flavour::Apple`] writer, whose bytes are Apple's for the module
/// read; everything else in the module is kept. A module with no debug info
/// comes back as the same bytes. Also says what was removed.
///
/// # Errors
/// [`StripError`] when the bytes do not read as a module or the module
/// read cannot be written again.
pub fn strip_debug_info(
    module: &[u8],
) -> Result<(Vec<u8>, air_ir::debuginfo::StripStats), StripError> {
    let mut m = read_module(module)?;
    let stats = air_ir::strip_debug_info(&mut m);
    if !stats.changed() {
        return Ok((module.to_vec(), stats));
    }
    let options = WriteOptions {
        flavour: Flavour::Apple,
        ..WriteOptions::default()
    };
    Ok((write_module(&m, &options)?, stats))
}

/// Encodes `module` as LLVM 14 bitcode.
///
/// The result is wrapped in the Darwin bitcode wrapper when the module's
/// triple names a Darwin OS (`-apple-macosx`, `-apple-ios`, ...), as LLVM
/// does; otherwise it is raw `BC` bitcode.
///
/// # Errors
/// [`EncodeError`] when the module refers to ids that do not exist or holds
/// something LLVM 14 bitcode cannot express. The writer never panics on a
/// malformed module.
pub fn write_module(module: &air_ir::Module, options: &WriteOptions) -> Result<Vec<u8>> {
    let stream = write::encode(module, options)?;
    Ok(
        if is_darwin_triple(module.triple.as_deref().unwrap_or_default()) {
            llvm_bitstream::wrapper::wrap_in_place(stream)
        } else {
            stream
        },
    )
}

/// Whether LLVM 14 treats `triple` as a Darwin (Mach-O) target, which is
/// when its writer adds the bitcode wrapper.
pub fn is_darwin_triple(triple: &str) -> bool {
    let mut parts = triple.split('-');
    let _arch = parts.next();
    let _vendor = parts.next();
    let os = parts.next().unwrap_or_default();
    let env = parts.next().unwrap_or_default();
    const DARWIN_OSES: [&str; 6] = ["darwin", "macos", "ios", "tvos", "watchos", "driverkit"];
    DARWIN_OSES.iter().any(|p| os.starts_with(p)) || env.ends_with("macho")
}

/// Wraps a raw bitstream in the Darwin bitcode wrapper: magic 0x0B17C0DE,
/// version 0, offset 20, size, CPU type −1 (LLVM has no Mach-O CPU type for
/// `air64`), then zero padding to a multiple of 16 bytes
/// ([`llvm_bitstream::wrapper`]).
pub fn wrap_darwin(stream: &[u8]) -> Vec<u8> {
    llvm_bitstream::wrapper::wrap(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn darwin_triples() {
        assert!(is_darwin_triple("air64_v28-apple-macosx26.0.0"));
        assert!(is_darwin_triple("air64-apple-ios17.0.0"));
        assert!(is_darwin_triple("x86_64-apple-darwin"));
        assert!(!is_darwin_triple("x86_64-pc-linux-gnu"));
        assert!(!is_darwin_triple(""));
    }

    #[test]
    fn wrapper_layout() {
        let w = wrap_darwin(&[0x42, 0x43, 0xC0, 0xDE]);
        assert_eq!(w.len(), 32);
        assert_eq!(&w[0..4], &[0xDE, 0xC0, 0x17, 0x0B]);
        assert_eq!(&w[8..12], &20u32.to_le_bytes());
        assert_eq!(&w[12..16], &4u32.to_le_bytes());
        assert_eq!(&w[16..20], &[0xFF; 4]);
        assert_eq!(&w[20..24], &[0x42, 0x43, 0xC0, 0xDE]);
        assert!(w[24..].iter().all(|b| *b == 0));
    }
}
