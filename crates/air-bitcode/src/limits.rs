//! The limits of the writer and the reader. Each one keeps a hostile or
//! hand-built module off the stack and turns it into an error (or, for the
//! guards of best-effort computations, a safe answer); ROBUSTNESS.md lists
//! every limit of the workspace in one table.
//!
//! Real AIR nests a few levels; every value here is far above that and
//! above what `air-ir`'s parser accepts ([`air_ir::limits`]), so a module
//! that parsed and verified always encodes.

/// How deep the writer follows constant expressions: 512 (an
/// [`EncodeError`](crate::EncodeError) `constant nesting too deep`).
/// Canonicalising constants recurses on the host stack.
pub const MAX_WRITE_CONST_DEPTH: u32 = 512;

/// How deep the writer follows metadata nodes: 512 (an
/// [`EncodeError`](crate::EncodeError) `metadata nesting too deep`).
pub const MAX_WRITE_METADATA_DEPTH: u32 = 512;

/// How far the writer searches metadata operands for a cycle back to a
/// node: 64 levels. A node whose cycle is deeper is treated as not on a
/// cycle (uniqued by content); no producer nests metadata cycles that deep.
pub const MAX_METADATA_CYCLE_DEPTH: u32 = 64;

/// How deep the data layout follows array and struct types when it sizes
/// or aligns one (for the symbol table's global sizes): 32. Deeper types
/// get size 0 and alignment 1 byte instead of recursing further.
pub const MAX_LAYOUT_DEPTH: u32 = 32;

/// How deep the reader resolves types and constants: 256 (a
/// [`ReadError`](crate::ReadError): `a type contains itself other than
/// through a named struct`, or `constants nest too deeply`). Resolution
/// recurses; LLVM's writer and the text parser stay far below.
pub const MAX_READ_DEPTH: u32 = 256;

/// The reader's allocation budget per input byte: 64 units (type
/// parameters, values), plus [`READ_BUDGET_BASE`]. Some structures can
/// grow faster than the records that cause them (a function type with many
/// parameters, used by many FUNCTION records); past the budget the read
/// fails with `the module is far larger than its input (allocation budget
/// exhausted)`.
pub const READ_BUDGET_PER_BYTE: u64 = 64;

/// The part of the reader's allocation budget that does not depend on the
/// input size: 2^20 units, so small inputs are not starved.
pub const READ_BUDGET_BASE: u64 = 1 << 20;
