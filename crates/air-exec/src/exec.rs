//! The public face of a run (launch, bindings, options, report) and the
//! per-thread state the interpreter and the scheduler share.
//!
//! How a run proceeds: `machine.rs` runs one threadgroup (its scheduler
//! and rendezvous points), `schedule.rs` runs the threadgroups of a
//! dispatch on worker threads and merges their device writes in
//! threadgroup order, `device.rs` keeps each threadgroup's view of device
//! memory.

use std::collections::BTreeMap;
use std::ops::Range;

use air_ir::intrinsics::{Intrinsic, IntrinsicId};
use air_ir::InstId;

use crate::error::Result;
use crate::limits::{DEFAULT_MEMORY_LIMIT, DEFAULT_STEP_BUDGET};
use crate::memory::Region;
use crate::program::{FnRef, Program};
use crate::value::{Space, Val};

/// The dispatch: like `dispatchThreads(grid, threadsPerThreadgroup:)`, the
/// grid counts threads, and threadgroups at the far edges may be partial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    /// Threads in the grid, per dimension.
    pub grid: [u32; 3],
    /// Threads per threadgroup, per dimension.
    pub threadgroup: [u32; 3],
}

impl Launch {
    /// A 1D launch of `threads` threads in threadgroups of `per_group`.
    pub fn linear(threads: u32, per_group: u32) -> Self {
        Launch {
            grid: [threads, 1, 1],
            threadgroup: [per_group, 1, 1],
        }
    }
}

/// Knobs of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Work the whole run may do before it fails, in work units
    /// ([`limits`](crate::limits#work-units)): an instruction executed by
    /// one thread is one unit, and vector values, memory copies and
    /// simdgroup-matrix operations count their size. A loop that never
    /// ends, or one that moves too much data, is an error, not a hang.
    /// Default [`DEFAULT_STEP_BUDGET`].
    pub step_budget: u64,
    /// Bytes the run may hold ([`limits`](crate::limits#memory)): device
    /// buffers and ordinary globals, plus what one threadgroup holds
    /// (threadgroup memory, call frames, allocas, vector and aggregate
    /// values, copy-on-write pages of device memory). Default
    /// [`DEFAULT_MEMORY_LIMIT`].
    pub memory_limit: u64,
    /// Worker threads that run threadgroups in parallel (0: one per core).
    /// Results, errors and reports do not depend on it.
    pub threads: usize,
    /// Whether reading threadgroup memory nothing wrote is an error.
    pub poison_threadgroup: bool,
    /// Whether to record each simdgroup's copies, waits and barriers.
    pub trace: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            step_budget: DEFAULT_STEP_BUDGET,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            threads: 0,
            poison_threadgroup: true,
            trace: false,
        }
    }
}

/// Buffers and threadgroup-memory lengths bound to a kernel, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings {
    buffers: BTreeMap<u32, Vec<u8>>,
    threadgroup: BTreeMap<u32, u64>,
}

impl Bindings {
    /// No bindings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds raw bytes at `[[buffer(index)]]`.
    pub fn set_bytes(&mut self, index: u32, bytes: Vec<u8>) -> &mut Self {
        self.buffers.insert(index, bytes);
        self
    }

    /// Binds `f32` values (little-endian) at `index`.
    pub fn set_f32(&mut self, index: u32, values: &[f32]) -> &mut Self {
        self.set_bytes(index, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Binds `u32` values at `index`.
    pub fn set_u32(&mut self, index: u32, values: &[u32]) -> &mut Self {
        self.set_bytes(index, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Sets the length of threadgroup memory argument `index`
    /// (`setThreadgroupMemoryLength`).
    pub fn set_threadgroup_length(&mut self, index: u32, bytes: u64) -> &mut Self {
        self.threadgroup.insert(index, bytes);
        self
    }

    /// The bytes bound at `index`.
    pub fn bytes(&self, index: u32) -> Option<&[u8]> {
        self.buffers.get(&index).map(Vec::as_slice)
    }

    /// The buffer at `index` read as `f32` values.
    pub fn f32s(&self, index: u32) -> Option<Vec<f32>> {
        self.bytes(index).map(|b| {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
    }

    /// Takes the bytes bound at `index` out (the run works on them in place
    /// and puts them back).
    pub(crate) fn take(&mut self, index: u32) -> Option<Vec<u8>> {
        self.buffers.get_mut(&index).map(std::mem::take)
    }

    /// The threadgroup-memory length set for `index`.
    pub(crate) fn threadgroup_length(&self, index: u32) -> Option<u64> {
        self.threadgroup.get(&index).copied()
    }

    /// The buffer at `index` read as `u32` values.
    pub fn u32s(&self, index: u32) -> Option<Vec<u32>> {
        self.bytes(index).map(|b| {
            b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
    }
}

/// What a successful run reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Thread-instructions executed.
    pub steps: u64,
    /// Work units done ([`Options::step_budget`] bounds them).
    pub work: u64,
    /// Threads run.
    pub threads: u64,
    /// Threadgroups run.
    pub threadgroups: u64,
    /// With [`Options::trace`]: each simdgroup's copies, waits and barriers in order.
    pub trace: Vec<String>,
}

/// Why a thread stopped.
#[derive(Clone, Debug)]
pub(crate) enum State {
    Ready,
    Blocked(Pending),
    Done,
}

/// A call a thread waits at until its simdgroup or threadgroup meets (its
/// evaluated operands are the thread's `args`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending {
    /// The call instruction.
    pub site: (FnRef, InstId),
    /// The intrinsic called.
    pub intrinsic: Intrinsic,
    /// The declaration called (its type gives operand types).
    pub decl: FnRef,
}

/// One call frame.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub f: FnRef,
    pub block: usize,
    pub idx: usize,
    pub slots: Vec<Option<Val>>,
    pub args: Vec<Val>,
    /// Private regions below this index belong to callers.
    pub priv_mark: usize,
    /// The caller's call instruction, which receives the return value.
    pub ret_to: Option<InstId>,
    /// Bytes charged to the memory budget for this frame (its slots and
    /// the values in them).
    pub heap: u64,
}

/// One thread of a threadgroup.
#[derive(Clone, Debug)]
pub(crate) struct Thread {
    pub frames: Vec<Frame>,
    pub state: State,
    pub private: Vec<Region>,
    pub pos: [u32; 3],
    pub sg: u32,
    pub lane: u32,
    /// The operands of the call the thread is blocked at.
    pub args: Vec<Val>,
}

/// A byte range of one region.
pub(crate) type Span = (Space, u32, Range<usize>);

/// An async copy of the current threadgroup.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub sg: u32,
    pub to_threadgroup: bool,
    pub site: String,
    pub dst: Vec<Span>,
    pub src: Vec<Span>,
    /// Threadgroup barriers passed before the wait, once waited.
    pub waited_at: Option<u64>,
}

impl Program {
    /// Runs the kernel over `launch` with `bindings`; on success the device
    /// buffers in `bindings` hold the results (on failure they are as they
    /// were).
    ///
    /// Threadgroups run on [`Options::threads`] workers; the results, the
    /// error and the report are the same for any number
    /// (docs/executor-semantics.md, "Scheduling").
    ///
    /// # Errors
    /// Setup errors (unbound buffers, bad launch sizes, unresolved visible
    /// functions) before anything runs; otherwise the error of the
    /// lowest-numbered threadgroup that fails, with its site.
    pub fn run(
        &self,
        launch: &Launch,
        bindings: &mut Bindings,
        options: &Options,
    ) -> Result<RunReport> {
        crate::schedule::run(self, launch, bindings, options)
    }
}

/// `0-31, 40, 42-43` for a sorted list of indices.
pub(crate) fn ranges(ids: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            ids[i].to_string()
        } else {
            format!("{}-{}", ids[i], ids[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

/// Whether an intrinsic is a threadgroup barrier.
pub(crate) fn is_barrier(id: IntrinsicId) -> bool {
    matches!(id, IntrinsicId::WgBarrier | IntrinsicId::ThreadgroupBarrier)
}

/// Lets a blocked thread go on past its call, with the call's result.
pub(crate) fn resume(t: &mut Thread, result: Option<Val>) {
    if let State::Blocked(p) = &t.state {
        let id = p.site.1;
        if let Some(fr) = t.frames.last_mut() {
            if let Some(slot) = fr.slots.get_mut(id.0 as usize) {
                *slot = result;
            }
            fr.idx += 1;
        }
        t.state = State::Ready;
    }
}
