//! The `.metallib` container: a reader, a writer that lays files out the way
//! Apple's stand-alone `metallib` tool does, and an annotated dump
//! (docs/metallib-container.md).
//!
//! This crate knows the container only: a library's entries come in as
//! already-encoded module bytes. Turning AIR into those entries (target
//! check, Apple's per-entry link step, bitcode) is the `air-assemble`
//! crate's job.
//!
//! ```
//! use metallib::{raw::{FunctionType, Versions}, write::{Builder, NewFunction}, MetallibFile};
//!
//! let target = air_target::Target::by_id("macos26").unwrap();
//! let mut builder = Builder::for_target(target);
//! builder.add_function(NewFunction {
//!     name: "k".into(),
//!     function_type: FunctionType::KERNEL,
//!     versions: Versions::for_target(target),
//!     module: vec![0; 32], // normally a wrapped bitcode module
//! });
//! let bytes = builder.write().unwrap();
//!
//! let file = MetallibFile::parse(&bytes).unwrap();
//! assert_eq!(file.functions()[0].name, "k");
//! assert_eq!(file.functions()[0].module, &[0; 32][..]);
//! assert!(file.hashes_ok());
//! ```
//!
//! # Limits
//!
//! [`MetallibFile::parse`] takes hostile bytes: every length and offset is
//! checked against the bytes that are actually left before anything is read
//! or allocated, so parsing cannot panic, loop or allocate more than a small
//! multiple of the input (fuzz target `metallib_parse`, see ROBUSTNESS.md).

#![deny(missing_docs)]

pub mod error;
pub mod inspect;
pub mod raw;
pub mod read;
pub mod write;

pub use error::{ReadError, ReadErrorKind, WriteError};
pub use read::{HashStatus, MetallibFile};
pub use write::{Builder, NewFunction};
