//! Scaffolding for airlink's tests, fuzz targets and benches: a seeded
//! generator of random valid AIR modules ([`random_module`]) and the one
//! deterministic random-number generator they all draw from ([`Rng`]).
//!
//! ```
//! let module = air_testgen::random_module(7, air_testgen::GenOptions::default());
//! air_ir::verify(&module).unwrap();
//! let mut rng = air_testgen::Rng::new(7);
//! assert!(rng.below(10) < 10);
//! ```
//!
//! `cargo run -p air-testgen --example gen_module -- SEED` prints the
//! module of a seed with the default options.

#![deny(missing_docs)]

mod debug;
mod generate;
mod rng;

pub use generate::{random_module, GenOptions};
pub use rng::Rng;

/// AIR's datalayout, defined once in `air-target` (generated modules carry it).
pub use air_target::AIR_DATALAYOUT;
