//! Shared helpers: the corpus, and LLVM 14 as an encoder (the tools are
//! run by `airlink_test_support`).

#![allow(dead_code)]

use std::path::Path;

#[allow(unused_imports)]
pub use airlink_test_support::{corpus_files, repo_root};

/// An encoder for `air_assemble::assemble_with_encoder`: the module entry `llvm-as-14`
/// writes for a module's text (Darwin wrapper, bitcode and padding: what
/// Apple's writer is, bar four details).
pub fn encode_with_llvm_as(module: &air_ir::Module) -> Result<Vec<u8>, String> {
    airlink_test_support::llvm_as(air_ir::print(module).as_str())
}

/// `llvm-dis-14` of wrapped bitcode, as text; panics when it fails.
pub fn dis(bitcode: &[u8]) -> String {
    airlink_test_support::llvm_dis(bitcode).unwrap_or_else(|e| panic!("{e}"))
}

/// Parses and verifies a corpus file.
pub fn load(path: &Path) -> air_ir::Module {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let m = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
    m
}
