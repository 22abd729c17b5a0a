//! The bounds of a run. Each one turns a kernel that would hang, recurse
//! without end or allocate without bound into an [`ExecError`](crate::ExecError);
//! ROBUSTNESS.md lists every limit of the workspace in one table.
//!
//! Metal's own limits (threads per threadgroup, the simdgroup width) are
//! facts about the GPU and live in `air-target` ([`air_target::gpu`]); the
//! executor enforces [`air_target::MAX_THREADS_PER_THREADGROUP`] on every
//! launch.

/// Thread-instructions a whole run may execute by default
/// ([`Options::step_budget`](crate::Options::step_budget)): 50 000 000.
///
/// A loop that never ends becomes the error `step budget of N
/// thread-instructions exhausted` instead of a hang; the seed's cases need
/// well under a million, `airlink run --budget` raises it.
pub const DEFAULT_STEP_BUDGET: u64 = 50_000_000;

/// The deepest call stack one thread may build: 256 frames.
///
/// Each thread keeps explicit frames (no host recursion), so the bound is
/// about memory and about reporting unbounded recursion early:
/// `unsupported: call depth over 256 (unbounded recursion?)`.
pub const MAX_CALL_FRAMES: usize = 256;

/// How deep a constant expression may nest when the executor evaluates it:
/// 128, the verifier's limit ([`air_ir::limits::MAX_CONST_DEPTH`]), so
/// every constant of a module the executor accepts evaluates (it verifies
/// each module it loads); deeper is `unsupported: constant nests too
/// deeply`. Evaluation recurses on the host stack; kernels nest two or
/// three levels.
pub const MAX_CONST_DEPTH: u32 = air_ir::limits::MAX_CONST_DEPTH;

/// How deep a type (arrays of structs of arrays ...) may nest when the
/// executor computes its size, alignment or field offsets: 128, the depth
/// to which the verifier lets a type be laid out
/// ([`air_ir::limits::MAX_TYPE_DEPTH`]); deeper is `malformed IR: type
/// nests too deeply`. The computation recurses on the host stack and
/// measures each distinct part of a type once.
pub const MAX_TYPE_DEPTH: u32 = air_ir::limits::MAX_TYPE_DEPTH;

/// The most events one `air.wait_simdgroup_events` may wait on: 1024
/// (`unsupported: waiting on N events at once`). The count is an operand
/// of the call, so the bound keeps a garbage count from allocating.
pub const MAX_WAIT_EVENTS: u64 = 1024;

/// The largest threadgroup-memory region (a threadgroup global or a
/// threadgroup-memory argument) the executor allocates: 64 MiB.
///
/// Far above the 32 KiB the shell generator allows
/// ([`air_target::MAX_THREADGROUP_MEMORY_BYTES`]) and above what any
/// source reports for a GPU: the executor caps what it allocates per
/// threadgroup and leaves judging the kernel to the shell generator and
/// the GPU. Larger is a setup error whose message says so.
pub const MAX_THREADGROUP_REGION_BYTES: u64 = 1 << 26;
