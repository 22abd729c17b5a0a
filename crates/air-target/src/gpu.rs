//! What every GPU of the targets shares: the simdgroup width and the
//! threadgroup limits a kernel must fit.
//!
//! These are properties of Apple's GPUs and of the Metal API, the same for
//! every row of [`TARGETS`](crate::TARGETS). They are written here once;
//! the shell generator (`air-shell`) rejects specs that break them, the
//! executor (`air-exec`) runs with them, and the Metal runtime
//! (`air-metal`) builds its probes from them. On a Mac, `airlink doctor`
//! prints the device's own `maxThreadgroupMemoryLength` and a pipeline's
//! `maxTotalThreadsPerThreadgroup` (`crates/air-metal/src/apple/device.rs`,
//! `crates/air-metal/src/apple/pipeline.rs`), the place to compare these
//! numbers with a real device.

/// Lanes per simdgroup (`threads_per_simdgroup`, `thread_execution_width`)
/// on every Apple GPU.
///
/// The async-copy intrinsics are simdgroup operations, so the shells of
/// `examples/specs/` use threadgroups of exactly this many threads, and
/// the hand-written corpus (`tests/corpus/simple_1d.ll`,
/// `tests/corpus/copy_2d.ll`) copies 32 elements per simdgroup. The
/// executor groups threads into simdgroups of this width, and simdgroup
/// matrix operations need all of its lanes.
pub const SIMD_WIDTH: u32 = 32;

/// Lanes per quadgroup (`threads_per_quadgroup`): the quadgroup system
/// values of [`SystemValue`](crate::SystemValue) divide by it.
pub const QUADGROUP_WIDTH: u32 = 4;

/// The most threads one threadgroup may have: Metal's limit, the ceiling
/// of every pipeline's `maxTotalThreadsPerThreadgroup`.
///
/// A shell spec asking for more is rejected (`air-shell`, test
/// `crates/air-shell/tests/validation.rs`), and so is an executor launch
/// (`air-exec`); `air-metal` additionally compares a shell's threadgroup
/// size with the pipeline's own maximum before dispatching.
pub const MAX_THREADS_PER_THREADGROUP: u32 = 1024;

/// The most threadgroup memory a generated shell may use, in bytes: 32 KiB,
/// the maximum MFA-RL and MIP report (docs/air-conventions.md#threadgroup-memory).
/// No source states it for every Apple GPU; a device reports its own limit
/// as `maxThreadgroupMemoryLength`.
///
/// A shell spec whose regions need more is rejected with the message
/// tested in `crates/air-shell/tests/validation.rs`; `airlink doctor`
/// prints the device's own value next to it.
pub const MAX_THREADGROUP_MEMORY_BYTES: u64 = 32 * 1024;

/// Buffer slots of a kernel's argument table: `[[buffer(i)]]` takes
/// `i` in `0..BUFFER_SLOTS` (indices 0–30).
///
/// `air-shell` rejects a spec that puts a buffer or scalar at index 31 or
/// above.
pub const BUFFER_SLOTS: u32 = 31;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_agree_with_each_other() {
        // A full threadgroup is a whole number of simdgroups, and a
        // simdgroup a whole number of quadgroups.
        assert_eq!(MAX_THREADS_PER_THREADGROUP % SIMD_WIDTH, 0);
        assert_eq!(SIMD_WIDTH % QUADGROUP_WIDTH, 0);
        assert_eq!(MAX_THREADGROUP_MEMORY_BYTES, 32768);
    }
}
