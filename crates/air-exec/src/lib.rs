//! A CPU reference executor for AIR compute kernels with Metal's execution
//! model, strict like a sanitizer.
//!
//! It interprets the IR model of `air-ir` directly (no LLVM, no code
//! generation) and encodes the semantics written down in
//! docs/executor-semantics.md: a pass
//! shows that a kernel and the documented semantics agree, not that a GPU
//! behaves so.
//!
//! * **Execution model**: a grid of threads as `dispatchThreads` counts
//!   them, threadgroups (the last ones may be partial) of 32-lane
//!   simdgroups; every system value of `air-target`'s table
//!   ([`SystemValue`]) in its scalar and vector IR forms; buffers bound by `[[buffer(index)]]`; each threadgroup gets
//!   fresh, poisoned instances of the threadgroup globals and arguments.
//!   Each thread has explicit call frames, so callees may block too.
//! * **Parallel threadgroups, deterministic results**: threadgroups run on
//!   [`Options::threads`] workers, each seeing device memory as the run
//!   started plus its own writes; they are merged in threadgroup order, so
//!   buffers, reports and errors are the same for any number of workers. A
//!   threadgroup that reads bytes another one writes is a race error;
//!   kernels with device atomics run their threadgroups in order instead
//!   (docs/executor-semantics.md).
//! * **Synchronisation**: `air.wg.barrier` is a rendezvous of all threads of
//!   the threadgroup; async copies run once per simdgroup, and only when all
//!   its live lanes reach them with identical operands; copied bytes are in
//!   flight until the matching wait, and other simdgroups see them only
//!   after a barrier; a copy may not overwrite threadgroup bytes read since
//!   the last barrier; the M1 hazard is checked at threadgroup exit.
//! * **Simdgroup matrices**: loads, stores and multiply-accumulates execute
//!   once per simdgroup as whole 8×8 operations.
//! * **Visible functions** resolve before the run to functions of linked
//!   modules (exact type) or to registered closures.
//! * **Errors** name the kernel, the instruction with its `.ll` line, the
//!   thread, simdgroup and threadgroup, and the region, offset and bound.
//!
//! ```
//! use air_exec::{Bindings, Launch, Options, Program, Source};
//!
//! let shell = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus/simple_1d.ll")).unwrap();
//! let mut program = Program::new(Source::parse(&shell, "simple_1d.ll").unwrap(), None).unwrap();
//! program.register("transform_value", "float (float)", |args| match args {
//!     [air_exec::HostValue::Float(x)] => Ok(air_exec::HostValue::Float(x * 3.0 + 7.0)),
//!     _ => Err("bad arguments".into()),
//! });
//! let src: Vec<f32> = (0..128).map(|i| (i + 1) as f32).collect();
//! let mut bindings = Bindings::new();
//! bindings.set_f32(0, &src).set_f32(1, &[0.0; 128]);
//! program.run(&Launch::linear(128, 32), &mut bindings, &Options::default()).unwrap();
//! assert_eq!(bindings.f32s(1).unwrap()[5], 6.0 * 3.0 + 7.0);
//! ```
//!
//! # Limits
//!
//! A run is bounded ([`limits`]): [`Options::step_budget`] (default
//! [`limits::DEFAULT_STEP_BUDGET`], 200 000 000 work units for the whole
//! run; vector values, memory copies and matrix operations count their
//! size) turns a loop that never ends, or one over huge values, into an
//! error instead of a hang; [`Options::memory_limit`] (default
//! [`limits::DEFAULT_MEMORY_LIMIT`], 1 GiB) bounds buffers, globals,
//! threadgroup memory, allocas and values together; a thread's call stack
//! is at most [`limits::MAX_CALL_FRAMES`] (256) frames (deeper recursion
//! is an error); a threadgroup has at most
//! [`air_target::MAX_THREADS_PER_THREADGROUP`] threads. Input modules are verified
//! first, so `air-ir`'s parser and verifier limits apply (fuzz targets
//! `exec_shell` and `exec_big` run generated kernels with small budgets,
//! see ROBUSTNESS.md).

#![deny(missing_docs)]

mod access;
mod budget;
mod device;
mod error;
mod exec;
mod interp;
pub mod limits;
mod machine;
mod math;
mod matrix;
mod memory;
mod ops;
mod program;
mod schedule;
mod simd;
mod value;

pub use error::{ErrorKind, ExecError, Result, Site};
pub use exec::{Bindings, Launch, Options, RunReport};
pub use program::{ArgKind, HostFn, HostValue, KernelArg, Program, Source, SystemValue};
