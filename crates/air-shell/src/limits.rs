//! The limits of spec processing. Each one turns hostile or absurd input
//! into a spec diagnostic instead of a stack overflow; ROBUSTNESS.md lists
//! every limit of the workspace in one table.
//!
//! Metal's own limits, which a spec must also respect (threads and
//! threadgroup memory per threadgroup, buffer slots), are facts about the
//! GPU rather than choices of this crate and live in `air-target`
//! ([`air_target::gpu`]).

/// The largest spec file [`Spec::from_file`](crate::Spec::from_file)
/// reads: 1 MiB, checked before reading it all. Real specs are a few KiB;
/// the bound keeps a device or a huge file from filling memory.
pub const MAX_SPEC_BYTES: u64 = 1 << 20;

/// The largest inline body file a spec can name: 1 GiB, the CLI's limit
/// for AIR text. The path rules are in [`crate::inline`].
pub const MAX_INLINE_BODY_BYTES: u64 = 1 << 30;

/// How deep an index expression (`src_offset = "tid / 32 * 32"`) may nest
/// parentheses and unary minus: 64.
///
/// The expression parser is recursive descent, so the bound keeps hostile
/// specs from overflowing the stack; real offsets nest two or three deep.
/// Deeper input is the diagnostic `expression nested too deeply`.
pub const MAX_EXPR_DEPTH: u32 = 64;

/// How deep [`import_function`](crate::import::import_function) may follow
/// references from what it copies to what that refers to: 1024 levels of
/// constants and metadata (a global's initializer naming the next global,
/// a node naming the next node, a constant inside a constant).
///
/// The copy is recursive; past the bound it stops with the import error
/// `the module nests more than 1024 levels deep here`. A verified module's
/// constants and metadata nest at most 128 and 256 levels
/// ([`air_ir::limits`]), so only long chains through globals or function
/// attachments get there. Chains of named structs (each holding a pointer
/// to the next, as long as the module) are copied with a work list, not
/// recursion, and have no limit.
pub const MAX_IMPORT_DEPTH: u32 = 1024;
