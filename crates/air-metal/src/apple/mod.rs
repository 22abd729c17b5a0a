//! The Metal runtime over objc2-metal (macOS and iOS only).
//!
//! **Not verified on hardware.** This module compiles and passes clippy
//! for `aarch64-apple-darwin` and `aarch64-apple-ios`; it has never run on
//! a Mac or an iPhone. `airlink doctor` on a Mac is the first run.
//!
//! The flow (the seed's host recipe, docs/air-conventions.md#seed-test-simple):
//!
//! ```no_run
//! use air_metal::apple::Runtime;
//! use air_metal::{CompileOptions, FunctionConstants, Grid, LinkMode};
//!
//! # fn main() -> air_metal::Result<()> {
//! let case = air_metal::cases::simple();
//! let shell = case.shell()?;
//! let bytes = air_metal::metallib_bytes(&shell)?;
//! let rt = Runtime::new()?;
//! let pipeline = rt.pipeline(&bytes, &shell.manifest, &case.msl,
//!     &FunctionConstants::new(), &CompileOptions::default(), LinkMode::Private)?;
//! let src = rt.device().buffer_from_slice(&case.seed.buffers()[0].data)?;
//! let dst = rt.device().buffer_zeroed::<f32>(128)?;
//! rt.device().dispatch(&pipeline, &[("src", src.arg()), ("dst", dst.arg())], Grid::threads(128))?;
//! let out = dst.to_vec();
//! # let _ = out; Ok(()) }
//! ```

mod buffer;
mod device;
pub mod doctor;
mod library;
mod pipeline;
mod run;

pub use buffer::{Buffer, RawBuffer};
pub use device::{Device, DispatchInfo};
pub use library::{ShellLibrary, VisibleLibrary};
pub use pipeline::{BinaryArchive, Pipeline, Runtime};
pub use run::{run_case, run_probe, run_probes, run_tiled, CaseRun, TiledRun};

use objc2::rc::Retained;
use objc2_foundation::{NSArray, NSError, NSString};

// `MTLCreateSystemDefaultDevice` needs CoreGraphics linked on macOS
// (objc2-metal's documentation; docs/metal-runtime.md#objc2-metal-conventions).
#[cfg(target_os = "macos")]
#[link(name = "CoreGraphics", kind = "framework")]
extern "C" {}

/// `NSError.localizedDescription` as a `String`.
pub(crate) fn describe(error: &NSError) -> String {
    error.localizedDescription().to_string()
}

/// The strings of an `NSArray<NSString>`.
pub(crate) fn strings(array: &NSArray<NSString>) -> Vec<String> {
    (0..array.count())
        .map(|i| array.objectAtIndex(i).to_string())
        .collect()
}

/// An `NSString` from a `&str`.
pub(crate) fn ns(s: &str) -> Retained<NSString> {
    NSString::from_str(s)
}
