//! Shared helpers: the corpus, LLVM 14 as an encoder and oracle.

#![allow(dead_code)]

use std::path::Path;

#[allow(unused_imports)]
pub use airlink_test_support::{corpus_files, llvm_tool, repo_root, run_tool};

/// The module entry `llvm-as-14` writes for a module: Darwin wrapper,
/// bitcode and padding (what Apple's writer is, bar four details).
pub fn llvm_as(module: &air_ir::Module) -> Result<Vec<u8>, String> {
    run_tool(
        "llvm-as",
        &["-preserve-bc-uselistorder=false", "-o", "-", "-"],
        air_ir::print(module).as_bytes(),
    )
}

/// `llvm-dis-14` of wrapped bitcode, as text.
pub fn llvm_dis(bitcode: &[u8]) -> String {
    let out = run_tool("llvm-dis", &["-o", "-", "-"], bitcode).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).expect("llvm-dis writes UTF-8")
}

/// Parses and verifies a corpus file.
pub fn load(path: &Path) -> air_ir::Module {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let m = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
    m
}
