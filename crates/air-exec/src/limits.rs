//! The bounds of a run. Each one turns a kernel that would hang, recurse
//! without end or allocate without bound into an [`ExecError`](crate::ExecError);
//! ROBUSTNESS.md lists every limit of the workspace in one table.
//!
//! Metal's own limits (threads per threadgroup, the simdgroup width) are
//! facts about the GPU and live in `air-target` ([`air_target::gpu`]); the
//! executor enforces [`air_target::MAX_THREADS_PER_THREADGROUP`] on every
//! launch.

/// Work units a whole run may do by default
/// ([`Options::step_budget`](crate::Options::step_budget),
/// `airlink run --budget`): 200 000 000.
///
/// # Work units
///
/// The budget counts work, not instructions, so that it bounds the wall
/// time of any run, whatever the sizes of its operations:
///
/// * each instruction a thread executes: 1, phis included (they run on the
///   branch into their block, and are not counted as thread-instructions);
/// * a `switch`: 1 more per case it compares;
/// * a call of a defined function: 1 more per 64 instructions of the
///   callee and arguments (the frame has a slot for each);
/// * each vector or aggregate value an instruction produces or stores
///   (phis included): 1 per scalar element; a `<64 x T>` whose elements 2
///   to 63 are equal (how a lane holds a simdgroup-matrix register) is kept
///   as 3 words and counts 3;
/// * `llvm.memcpy`/`llvm.memmove`/`llvm.memset`: 1 per 8 bytes;
/// * an async copy: 1 per 8 bytes of its destination tile (once per
///   simdgroup);
/// * a simdgroup-matrix load or store: 64; a multiply-accumulate: 512
///   (the 8×8×8 products), once per simdgroup.
///
/// Exhausting it is the error `step budget of N work units exhausted`: a
/// loop that never ends, or one over huge vectors (a loop of `<1000000 x
/// i32>` adds stops after about 100 iterations), ends in seconds. The
/// GEMM and attention benchmarks (BENCHMARKS.md) need well under a tenth
/// of it; the seed's cases under a million.
pub const DEFAULT_STEP_BUDGET: u64 = 200_000_000;

/// Bytes a run may hold by default
/// ([`Options::memory_limit`](crate::Options::memory_limit),
/// `airlink run --memory-limit`): 1 GiB.
///
/// # Memory
///
/// Counted: the device buffers and ordinary globals (fixed for the run;
/// more than the limit is an error before anything runs), and for each
/// threadgroup while it runs: its threadgroup memory (with the executor's
/// per-byte bookkeeping), its threads' call frames, allocas and vector or
/// aggregate values (32 bytes per element; a matrix register nothing), and
/// its copy-on-write pages of device memory. A threadgroup that would go
/// over is the error `memory limit: ...` at the instruction that
/// allocates, the same for any number of worker threads. Threadgroups that
/// run at the same time share what the buffers leave and wait for each
/// other when it runs short, so the process stays within about twice the
/// limit (the merged device writes of finished threadgroups, at most the
/// size of the buffers they wrote, come on top).
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// The largest `llvm.memcpy`/`memmove`/`memset` the executor performs:
/// 256 MiB (`unsupported: memory intrinsics over 256 MiB`).
pub const MAX_MEMCPY_BYTES: u64 = 1 << 28;

/// The largest ordinary global: 256 MiB (setup error `global @g is N
/// bytes; the executor allocates at most 256 MiB per global`).
pub const MAX_GLOBAL_BYTES: u64 = 1 << 28;

/// The most scalar elements a constant (including `zeroinitializer`,
/// `undef` and nested aggregates) may have when the executor evaluates it:
/// 2^20 (`unsupported: aggregate constants over 1048576 elements`).
pub const MAX_CONST_ELEMENTS: u64 = 1 << 20;

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
