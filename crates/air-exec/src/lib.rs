//! A CPU reference executor for AIR compute kernels with Metal's execution
//! model, strict like a sanitizer.
//!
//! It interprets the IR model of `air-ir` directly (no LLVM, no code
//! generation) and encodes the semantics written down in `air.md`: a pass
//! shows that a kernel and the documented semantics agree, not that a GPU
//! behaves so.
//!
//! * **Execution model**: a grid of threads as `dispatchThreads` counts
//!   them, threadgroups (the last ones may be partial) of 32-lane
//!   simdgroups; every system value of `air-target`'s table
//!   ([`SystemValue`]) in its scalar and vector IR forms; buffers bound by `[[buffer(index)]]`; each threadgroup gets
//!   fresh, poisoned instances of the threadgroup globals and arguments.
//!   Each thread has explicit call frames, so callees may block too.
//! * **Synchronisation**: `air.wg.barrier` is a rendezvous of all threads of
//!   the threadgroup; async copies run once per simdgroup, and only when all
//!   its live lanes reach them with identical operands; copied bytes are in
//!   flight until the matching wait, and other simdgroups see them only
//!   after a barrier; the M1 hazard is checked at threadgroup exit.
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
//! [`limits::DEFAULT_STEP_BUDGET`], 50 000 000 thread-instructions for the
//! whole run) turns a loop that never ends into an error instead of a
//! hang; a thread's call stack is at most [`limits::MAX_CALL_FRAMES`] (256)
//! frames (deeper recursion is an error); a threadgroup has at most
//! [`air_target::MAX_THREADS_PER_THREADGROUP`] threads. Input modules are verified
//! first, so `air-ir`'s parser and verifier limits apply (fuzz target
//! `exec_shell` runs generated kernels with a 200 000-step budget, see
//! ROBUSTNESS.md).

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
