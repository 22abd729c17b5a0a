//! The AIR IR model: typed-pointer LLVM 14 IR as Apple's Metal toolchain
//! writes it, with a builder, a text parser and printer, and a verifier.
//!
//! Everything lives in arenas owned by a [`Module`] and is referred to by
//! small `Copy` ids ([`TypeId`], [`ConstId`], [`FuncId`], [`InstId`], ...).
//! Validity is a separate pass ([`verify()`]), so invalid IR can be built on
//! purpose in tests.
//!
//! ```
//! let text = r#"
//! define i32 @add1(i32 %x) {
//!   %y = add nsw i32 %x, 1
//!   ret i32 %y
//! }
//! "#;
//! let module = air_ir::parse(text, "add1.ll").unwrap();
//! air_ir::verify(&module).unwrap();
//! let printed = air_ir::print(&module);
//! assert!(printed.contains("%y = add nsw i32 %x, 1"));
//! assert_eq!(air_ir::parse(&printed, "again.ll").unwrap(), module);
//! ```
//!
//! # Limits
//!
//! Hostile text must give an error, never a crash, a stack overflow or a
//! hang. The parser refuses input of 4 GiB or more (source offsets are
//! `u32`), nesting of types, constants and metadata deeper than 128 levels,
//! and integer literals longer than 100 000 digits ([`limits`] has each
//! value and why). The verifier refuses
//! constant expressions nested deeper than 256, alignments above 2^32 and
//! integer types wider than 2^23 − 1 bits. Printing and structural equality
//! of hand-built modules stop at depths 512 and 2048. All are errors with a
//! position, never panics (`fuzz/` targets `ir_text_parse` and
//! `module_gen`, see ROBUSTNESS.md).

#![deny(missing_docs)]

pub mod attributes;
pub mod builder;
pub mod constant;
pub mod debuginfo;
pub mod eq;
pub mod fxhash;
pub mod inst;
pub mod intrinsics;
pub mod limits;
pub mod metadata;
pub mod module;
pub mod text;
pub mod types;
pub mod verify;

/// How many threads "as many as useful" means (the machine's available
/// parallelism), looked up once per process: on Linux the lookup reads
/// cgroup files, which costs tens of microseconds, as much as assembling a
/// small shell.
pub fn available_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

pub use attributes::{AttrKind, AttrSet, Attribute};
pub use builder::{BuildError, Builder};
pub use constant::{ApInt, ConstExpr, ConstId, ConstKind, Constant};
pub use debuginfo::{strip_debug_info, DiKind, DiNode, DiValue};
pub use inst::{
    AtomicRmw, Attachments, BlockId, CmpXchg, Flags, InstId, InstKind, Instruction, Opcode, Value,
};
pub use metadata::{MetaId, Metadata, NamedMetadata};
pub use module::{Block, FuncId, Function, Global, GlobalId, Linkage, Module, Param};
pub use text::{
    parse, parse_with_source_map, parse_with_source_map_threads, print, render_verify_error,
    BodyFork, LazyModule, ParseError, SourceMap,
};
pub use types::{Type, TypeId, TypeTable};
pub use verify::{verify, verify_outside_bodies, VerifyError, VerifyErrorKind};
