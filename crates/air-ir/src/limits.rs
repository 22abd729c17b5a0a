//! The limits of this crate: how deep the parser, verifier, printer and
//! comparison may recurse and how long a literal may be. Each one keeps
//! hostile input (or a hand-built module deeper than any parsed one) from
//! overflowing the stack or running for minutes, and turns it into an
//! error or a marked output; ROBUSTNESS.md lists every limit of the
//! workspace in one table. Real AIR nests a handful of levels.
//!
//! One nesting limit, 128, applies to types, constants and metadata
//! wherever a module comes from: the parser refuses deeper text, the
//! bitcode reader deeper records (`air_bitcode::limits`), and the verifier
//! deeper structures however they were built. Everything downstream (the
//! printer, the bitcode writer, the executor, comparison) recurses at most
//! that deep on a module the verifier accepted, and keeps a guard of its
//! own (512, 2048) only for modules built by hand and not verified. So a
//! verified module always prints as text that parses again, and always
//! encodes.

/// How deep types, constants and metadata may each nest in text: 128.
///
/// The parser is recursive descent and counts the three kinds apart (a
/// constant of depth 128 may hold types of depth 128); deeper input is
/// the parse error `nesting too deep (limit 128)` at the token. The
/// verifier's limits below are the same, measured at least as strictly,
/// so the text of every verified module parses.
pub const MAX_PARSE_DEPTH: u32 = 128;

/// How deep a type may nest for the verifier: 128 levels (the verify error
/// `type nests too deeply (more than 128 levels)`), on the type the limit
/// is crossed at.
///
/// Two depths are measured and both must stay within it: as the type is
/// spelled (every pointer, array, vector, struct and function type is a
/// level; a named struct is one level, by its name), and as it is laid out
/// (arrays, vectors and structs are levels, named structs through their
/// bodies; a pointer or function ends the walk). The first bounds what the
/// printer and the parser recurse through, the second what sizing,
/// alignment, zero values and loads and stores do. A chain of named structs
/// each holding the next by value is as deep as it is long; one holding
/// the next through a pointer is not deep at all.
pub const MAX_TYPE_DEPTH: u32 = 128;

/// How many levels of metadata nodes a verified module may chain through
/// their operands: 256 (`metadata nests too deeply (more than 256
/// levels)`).
///
/// Nodes refer to each other by number, so text of any length may chain
/// them; the bitcode writer canonicalises them recursively. The depth of a
/// node is the longest path through operands, where a group of nodes on a
/// cycle counts with all its members (the writer visits each once).
pub const MAX_METADATA_DEPTH: u32 = 256;

/// The longest integer literal the parser reads, in characters (decimal or
/// hex digits): 100 000 (`integer literal too long`).
///
/// Converting a literal, and printing it back, costs about the square of
/// its length; this bounds the work one token can cause (about 0.1 s).
pub const MAX_INT_DIGITS: usize = 100_000;

/// How many bits the value of an integer constant may need: 400 000, what
/// the longest hex literal ([`MAX_INT_DIGITS`] digits) spells. The verifier
/// refuses larger values (`value needs N bits, more than the 400000 an
/// integer literal can spell`), which only bitcode or a builder can make
/// (a type may be up to 2^23 − 1 bits wide): printing a value costs about
/// the square of its size, so this keeps the printing of every verified
/// constant as fast as that of a literal the parser accepts. A negative
/// value counts by its magnitude.
pub const MAX_INT_VALUE_BITS: u32 = 4 * MAX_INT_DIGITS as u32;

/// How deep a constant may nest for the verifier: 128 levels
/// (`constants nest too deeply`): aggregates and constant expressions are
/// levels, a global or function address ends the walk. Measured as the
/// height of the constant, so it does not depend on which use the verifier
/// reached first; the same value as [`MAX_PARSE_DEPTH`], so the printed
/// text of a verified constant parses again.
pub const MAX_CONST_DEPTH: u32 = 128;

/// How much of a type the parser spells out in an error message: 32
/// levels, then `...`.
pub const MAX_TYPE_NAME_DEPTH: u32 = 32;

/// How deep the printer follows types and constants: 512, four times what
/// the verifier accepts. Only a hand-built module the verifier would
/// refuse gets that far; it prints `<too deep>` there instead of
/// overflowing the stack.
pub const MAX_PRINT_DEPTH: u32 = 512;

/// How long a type may get when it is spelled in an error message: 1024
/// bytes, then `...`. Types share parts, so a type read from a few bytes
/// of bitcode can spell out to far more text than its records; messages
/// stay short whatever the type.
pub const MAX_MESSAGE_TYPE_BYTES: usize = 1024;

/// How many attributes the references to attribute groups (`#N` on
/// function headers and call sites) may copy in all, per byte of text: 4,
/// plus [`MAX_GROUP_COPIES_BASE`] (the parse error `attribute group '#N' is
/// used K times, copying C attributes into functions and calls; all groups
/// copy T, more than the B this input may`, at the group's first use).
///
/// Every function and call keeps its own attribute set, so a reference of
/// two bytes to a group of `m` attributes costs `m` attributes of memory,
/// and every later pass reads them: 3 000 declarations using a group of
/// 3 000 attributes (97 KB of text) took 3.8 s and 720 MB, and the memory
/// grows with the square of the text. Real modules use a few groups of a
/// few dozen attributes, far below this; the bitcode reader charges the
/// same copies to its allocation budget (`air_bitcode::limits`).
pub const MAX_GROUP_COPIES_PER_BYTE: u64 = 4;

/// The part of [`MAX_GROUP_COPIES_PER_BYTE`]'s allowance that does not
/// depend on the input's size: 2^18 copies, so small inputs with large
/// groups still parse.
pub const MAX_GROUP_COPIES_BASE: u64 = 1 << 18;

/// How many blocks a verifier message names in a list: 32, then
/// `, ... (N more)`. A phi whose entries do not match its block's
/// predecessors is reported with both lists, and the predecessors cost the
/// phi no text: 5 000 one-entry phis in a block of 5 000 predecessors (258 KB
/// of text) made 175 MB of messages.
pub const MAX_MESSAGE_BLOCKS: usize = 32;

/// How deep structural comparison of modules follows constants and types:
/// 2048. Deeper structures compare unequal rather than risking the stack.
pub const MAX_EQ_DEPTH: u32 = 2048;

/// How deep [`strip_debug_info`](crate::strip_debug_info) follows the
/// operands of a loop node looking for debug locations: 256. Past it a
/// node counts as holding none (real loop metadata is a few levels deep).
pub const MAX_STRIP_DEPTH: u32 = 256;
