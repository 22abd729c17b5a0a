//! The limits of the reader; ROBUSTNESS.md lists every limit of the
//! workspace in one table.
//!
//! Lengths need no constant here: every count and length in the stream is
//! checked against the bits actually left before anything is allocated.

/// How deep blocks may nest: 32 (`blocks nested too deeply`).
///
/// The reader recurses into sub-blocks; LLVM's own bitcode nests about
/// four deep (module, function, constants or metadata), so 32 leaves room
/// for any real producer while keeping hostile input off the stack.
pub const MAX_BLOCK_DEPTH: usize = 32;

/// The most operands an abbreviation definition may have: 64 (a
/// [`ReadError`](crate::ReadError) `abbreviation with N operands`). LLVM's
/// abbreviations have at most a dozen; a longer one in hostile input would
/// expand a few bits of each record into many values.
pub const MAX_ABBREV_OPS: u64 = 64;
