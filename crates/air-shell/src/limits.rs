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

/// How long an expression string may be: 1024 bytes, checked before it is
/// parsed.
///
/// `+`, `-`, `*`, `/` and `%` chains are parsed in loops, but they build a
/// tree as deep as the chain is long, and evaluation, printing and code
/// generation recurse over that tree: `"1+1+…"` with 100,000 terms
/// overflowed the stack (issue 20). 1024 bytes bound the tree to about 512
/// levels; real offsets are a few dozen bytes.
pub const MAX_EXPR_BYTES: usize = 1024;

/// How deeply `loop` steps may nest: 8 (TOML's own nesting limit is
/// higher). Real kernels nest two or three loops.
pub const MAX_LOOP_DEPTH: usize = 8;

/// How many distinct program states the hazard check may track at once:
/// 4096. The check runs the step tree with concrete loop counts and both
/// outcomes of guards it cannot decide, merging equal states; a spec whose
/// states outgrow this is refused with a diagnostic rather than checked
/// for a long time.
pub const MAX_CHECK_STATES: usize = 4096;

/// How many values the hazard check tries for a loop count it cannot
/// compute from constants: the 7 smallest of 0..=64 that satisfy every
/// `requires` it can decide.
pub const CHECK_COUNT_VALUES: usize = 7;

/// Loops whose count the check knows and which run more than this many
/// iterations (32) are checked over their first 8 iterations and their
/// last 8 to 19 (keeping the iteration number modulo 12, so every slot of
/// a region with up to 4 buffers lines up), not every iteration.
pub const CHECK_FULL_ITERATIONS: i64 = 32;

/// How many elements a private array may have: 65536.
pub const MAX_PRIVATE_ELEMENTS: u64 = 65536;

/// How much work the hazard check may do: 250,000 state-steps (one state
/// through one step). Nested loops with large constant counts and many
/// undecidable guards multiply; past this the spec is refused with a
/// diagnostic. A double-buffered GEMM needs a few hundred.
pub const MAX_CHECK_WORK: u64 = 250_000;

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
