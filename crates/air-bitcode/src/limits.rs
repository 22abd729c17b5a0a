//! The limits of the writer and the reader. Each one keeps a hostile or
//! hand-built module off the stack and turns it into an error (or, for the
//! guards of best-effort computations, a safe answer); ROBUSTNESS.md lists
//! every limit of the workspace in one table.
//!
//! Real AIR nests a few levels. The writer's depths are above what the
//! verifier accepts ([`air_ir::limits`]: 128 levels of types and
//! constants, 256 of metadata), so a module that verified always encodes;
//! they guard modules handed to the writer unverified. Walks that may be
//! as long as the module (types through pointers, named structs) use
//! explicit stacks instead of a limit.

/// How deep the writer follows constant expressions: 512 (an
/// [`EncodeError`](crate::EncodeError) `constant nesting too deep`).
/// Canonicalising constants recurses on the host stack.
pub const MAX_WRITE_CONST_DEPTH: u32 = 512;

/// How deep the writer follows metadata nodes: 512 (an
/// [`EncodeError`](crate::EncodeError) `metadata nesting too deep`), twice
/// the chains the verifier accepts
/// ([`air_ir::limits::MAX_METADATA_DEPTH`]).
pub const MAX_WRITE_METADATA_DEPTH: u32 = 512;

/// How deep the data layout follows array and struct types when it sizes
/// or aligns one (default alignments, the symbol table's sizes of common
/// globals): 512, four times the depth the verifier lets a type be laid
/// out to (`air_ir::limits::MAX_TYPE_DEPTH`), so it is only reached in a
/// module that was not verified. Deeper types get size 0 and alignment 1
/// byte instead of recursing further.
pub const MAX_LAYOUT_DEPTH: u32 = 512;

/// How deep the reader lets types nest and resolves constants: 256 (a
/// [`ReadError`](crate::ReadError) at the record: `type nests too deeply
/// (more than 256 levels)`, counting as the type is spelled, whatever the
/// order of the records; `a type contains itself other than through a
/// named struct`; `constants nest too deeply`). Resolution recurses; the
/// verifier then applies the workspace's lower limit
/// ([`air_ir::limits::MAX_TYPE_DEPTH`], [`air_ir::limits::MAX_CONST_DEPTH`]).
pub const MAX_READ_DEPTH: u32 = 256;

/// The reader's allocation budget per input byte: 64 units (type
/// parameters, values), plus [`READ_BUDGET_BASE`]. Some structures can
/// grow faster than the records that cause them (a function type with many
/// parameters, used by many FUNCTION records); past the budget the read
/// fails with `the module is far larger than its input (allocation budget
/// exhausted)`.
pub const READ_BUDGET_PER_BYTE: u64 = 64;

/// What the reader charges to its allocation budget for each attribute it
/// copies out of an attribute group or list into a function or call: 16
/// units, so at most 4 copies per byte of input, the text parser's
/// allowance (`air_ir::limits::MAX_GROUP_COPIES_PER_BYTE`). An attribute
/// (with its strings) is far larger than a unit's type parameter or value:
/// at one unit each, 3 000 functions naming one list of 3 000 attributes
/// (170 KB of bitcode) read into 700 MB.
pub const ATTRIBUTE_COPY_UNITS: u64 = 16;

/// The part of the reader's allocation budget that does not depend on the
/// input size: 2^20 units, so small inputs are not starved.
pub const READ_BUDGET_BASE: u64 = 1 << 20;

/// How much text a module read from bitcode may spell out, per byte of
/// bitcode: 256 bytes, plus [`MAX_TEXT_BASE`] (a
/// [`ReadError`](crate::ReadError): `the module's text would be about N
/// bytes, more than 256 times its M bytes of bitcode`).
///
/// Text spells each type and constant out at every use; bitcode names them
/// once and shares them, so a few records (`{ %a, %a }` with `%a` the same
/// again, 60 levels) can describe a module whose text has 2^60 bytes, and
/// the printer, the verifier's messages and everything that renders a type
/// would run for ever on it. The reader measures the text
/// ([`air_ir::text::text_size_bound`], an upper estimate, linear in the
/// module) and refuses such a module. Real modules print to a few times
/// their bitcode.
pub const MAX_TEXT_PER_BYTE: u64 = 256;

/// The part of the text allowance that does not depend on the bitcode's
/// size: 16 MiB, so that small modules with large shared constants (a
/// table of identical rows) still read.
pub const MAX_TEXT_BASE: u64 = 16 << 20;
