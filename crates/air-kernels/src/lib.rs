//! The tiled example kernels of `examples/gemm` and `examples/attention` as
//! checkable cases, defined once for every place that runs them: the tests
//! and `airlink demo` on the CPU reference executor, and `air-metal`'s
//! cases and `airlink doctor` on a GPU.
//!
//! * [`Kernel`]: GEMM in float, GEMM with half inputs and float
//!   accumulation, attention (forward, head dimension 64); each with its
//!   schema-2 spec, the AIR bodies (`.ll`) and the MSL bodies (`.metal`) of
//!   the functions it calls, embedded ([`EMBEDDED`]).
//! * [`Case`]: a kernel at a shape with inputs from the workspace's seeded
//!   `Rng`, its buffers and dispatch, the f64 reference and a tolerance
//!   per element whose derivation is in [`reference`].
//! * [`cpu`]: generating the shell in a body mode (visible or inline) and
//!   copy mechanism (async copies or the cooperative fallback) and running
//!   it on `air-exec`.
//!
//! # Limits
//!
//! Shapes are 1 to [`limits::MAX_DIM`] (4096) in every dimension; runs use
//! the executor's own limits (its work budget: raise
//! [`cpu::Options::step_budget`] for large shapes).
//!
//! ```
//! use air_kernels::{Case, Inputs, Kernel};
//!
//! let case = Case::gemm(Kernel::GemmF32, 2, 2, 3, Inputs::Dyadic).unwrap();
//! assert_eq!(case.threads(), 128); // one threadgroup per 32x32 block of C
//! let exact: Vec<f32> = case.reference().values.iter().map(|v| *v as f32).collect();
//! assert!(case.check(&exact).passed());
//! let mut off = exact.clone();
//! off[3] += 1.0 / 1024.0; // dyadic inputs: the kernel must be exact
//! assert_eq!(case.check(&off).correct, 3);
//! ```

#![deny(missing_docs)]

mod case;
pub mod cpu;
mod error;
mod kernel;
pub mod limits;
pub mod reference;

pub use case::{Buffer, Case, Check, Element, Inputs, Reference, Shape, Wrong};
pub use error::{Error, Result};
pub use kernel::{
    embedded, write_embedded, Body, Kernel, EMBEDDED, HEAD_DIM, THREADS_PER_THREADGROUP,
};
