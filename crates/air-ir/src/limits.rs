//! The limits of this crate: how deep the parser, verifier, printer and
//! comparison may recurse and how long a literal may be. Each one keeps
//! hostile input (or a hand-built module deeper than any parsed one) from
//! overflowing the stack or running for minutes, and turns it into an
//! error or a marked output; ROBUSTNESS.md lists every limit of the
//! workspace in one table. Real AIR nests a handful of levels.
//!
//! The values grow from the parser outwards: what the parser accepts
//! (128), the verifier checks with room to spare (256), and the printer
//! (512) and comparison (2048) only guard modules built by hand.

/// How deep types, constants and metadata may nest in text: 128.
///
/// The parser is recursive descent; deeper input is the parse error
/// `nesting too deep (limit 128)` at the token.
pub const MAX_PARSE_DEPTH: u32 = 128;

/// The longest integer literal the parser reads, in digits: 100 000.
///
/// Converting a literal costs digits × type width, so this bounds the work
/// one token can cause (`integer literal too long`).
pub const MAX_INT_DIGITS: usize = 100_000;

/// How deep the verifier follows constant expressions: 256
/// (`constants nest too deeply`). Above the parser's limit so that every
/// parsed module gets through; a cycle in a hand-built module ends here.
pub const MAX_CONST_DEPTH: u32 = 256;

/// How deep a type may nest for [`TypeTable::is_sized`](crate::types::TypeTable::is_sized):
/// 64. Deeper types count as unsized, which the verifier then reports
/// where a sized type is needed; a cycle in a hand-built type table ends
/// here.
pub const MAX_SIZED_DEPTH: u32 = 64;

/// How much of a type the parser spells out in an error message: 32
/// levels, then `...`.
pub const MAX_TYPE_NAME_DEPTH: u32 = 32;

/// How deep the printer follows types and constants: 512. A hand-built
/// module deeper than any parsed one prints `<too deep>` there instead of
/// overflowing the stack.
pub const MAX_PRINT_DEPTH: u32 = 512;

/// How deep structural comparison of modules follows constants and types:
/// 2048. Deeper structures compare unequal rather than risking the stack.
pub const MAX_EQ_DEPTH: u32 = 2048;

/// How deep [`strip_debug_info`](crate::strip_debug_info) follows the
/// operands of a loop node looking for debug locations: 256. Past it a
/// node counts as holding none (real loop metadata is a few levels deep).
pub const MAX_STRIP_DEPTH: u32 = 256;
