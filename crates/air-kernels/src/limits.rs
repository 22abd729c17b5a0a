//! The crate's one limit (documented in ROBUSTNESS.md with the others).

/// The largest matrix dimension (and sequence length) a case accepts: the
/// cases are for tests, the demo and benchmarks, and this keeps every size
/// product (4096^2 elements, 2·4096^3 flops) far inside `u32`, `usize` and
/// memory. [`Case::gemm`](crate::Case::gemm) and
/// [`Case::attention`](crate::Case::attention) return
/// [`Error::Shape`](crate::Error::Shape) above it.
pub const MAX_DIM: u32 = 4096;
