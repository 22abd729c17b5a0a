//! The Metal side of reverse linking: load a generated kernel shell, JIT
//! the `[[visible]]` functions it calls from MSL, link them with
//! `MTLLinkedFunctions.privateFunctions`, cache the pipelines and dispatch
//! with buffers and scalars bound by the shell's manifest (the seed's host
//! recipe in docs/air-conventions.md#seed-test-simple; visible functions in
//! docs/air-conventions.md#visible-functions; the Metal calls in
//! docs/metal-runtime.md).
//!
//! The crate has two halves:
//!
//! - **Portable** (every OS, tested on Linux): the MSL `[[visible]]`
//!   prototype reader ([`msl`]) and the check against the manifest
//!   ([`check_signatures`]) that runs before pipeline creation; content
//!   hash cache keys and a thread-safe cache ([`CacheKey`], [`Cache`]);
//!   errors that name the failing [`Step`], with Metal's compile log read
//!   into line/column diagnostics ([`CompileLog`]); argument binding by the
//!   manifest ([`plan_bindings`]); shell assembly to metallib bytes
//!   ([`metallib_bytes`]); the seed's three reverse-linking tests
//!   ([`cases`]: the cases of `air_shell::seed` with their MSL bodies); the capability-probe plan and its interpretation
//!   ([`probe`]); and the doctor report ([`doctor`]).
//! - **Apple** (`target_os = "macos"` or `"ios"`): `apple`, over
//!   objc2-metal. It compiles and passes clippy for `aarch64-apple-darwin`
//!   and `aarch64-apple-ios`, but **has not run on Apple hardware**.
//!
//! ```
//! let spec = air_shell::Spec::from_toml(
//!     include_str!("../../../examples/specs/simple.toml"), "simple.toml", None).unwrap();
//! let options = air_shell::Options { body: Some(air_shell::BodyMode::Visible), ..Default::default() };
//! let shell = air_shell::generate(&spec, &options).unwrap();
//! let good = "[[visible]] float transform_value(float v) { return v * 3 + 7; }";
//! assert!(air_metal::check_signatures(&shell.manifest, good).is_ok());
//! let bad = "[[visible]] half transform_value(half v) { return v; }";
//! let err = air_metal::check_signatures(&shell.manifest, bad).unwrap_err().to_string();
//! assert!(err.contains("return type: MSL `half` lowers to `half`, the shell expects `float`"));
//! ```

#![deny(missing_docs)]

mod assemble;
mod bind;
mod cache;
pub mod cases;
pub mod doctor;
mod error;
pub mod msl;
mod options;
pub mod probe;
mod signature;

#[cfg(any(target_os = "macos", target_os = "ios"))]
pub mod apple;

pub use assemble::{metallib_bytes, module_metallib_bytes};
pub use bind::{plan_bindings, Arg, Binding, BufferInfo, Element, Grid};
pub use cache::{Cache, CacheKey, CacheStats, KeyBuilder};
pub use error::{CompileDiagnostic, CompileLog, Error, Result, Severity, Step};
pub use options::{CompileOptions, ConstantValue, FunctionConstants, LanguageVersion, LinkMode};
pub use signature::{
    check_parsed, check_signatures, split_ir_function_type, SignatureError, SignatureProblem,
    SignatureReport,
};

/// Whether this build has the Metal runtime (`apple`): true on macOS and
/// iOS targets.
pub const HAS_METAL: bool = cfg!(any(target_os = "macos", target_os = "ios"));
