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

mod generate;
mod rng;

pub use generate::{random_module, GenOptions};
pub use rng::Rng;

/// AIR's datalayout, the same for every AIR version (what Apple's
/// compiler writes; generated modules and air-shell's shells carry it).
pub const AIR_DATALAYOUT: &str = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32";
