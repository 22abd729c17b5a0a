//! Replays the `module_gen` fuzz target's seed corpus
//! (`fuzz/corpus/module_gen`) through the target's body (verify, text round
//! trip, bitcode round trip), then checks each generated module's `llvm14`
//! bitcode against `llvm-as-14` byte for byte, which the fuzz loop does not.

mod common;

use std::path::PathBuf;

use air_bitcode::{write_module, Flavour, WriteOptions};

#[path = "../../../fuzz/fuzz_targets/bodies/module_gen.rs"]
mod body;

#[test]
fn module_gen_seeds_run_through_the_fuzz_target_and_match_llvm_as() {
    common::require_llvm14();
    let scratch = common::scratch_dir("module_gen_seeds");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/module_gen");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} is empty", dir.display());
    let mut failures = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let bytes = std::fs::read(path).unwrap();
        let (module, _) = body::run(&bytes);
        let name = format!("seed{i}.ll");
        std::fs::write(scratch.join(&name), air_ir::print(&module)).unwrap();
        let theirs = common::llvm_as(&scratch, &name).unwrap();
        let ours = write_module(
            &module,
            &WriteOptions {
                flavour: Flavour::Llvm14,
                input_path: name.clone(),
                producer: None,
            },
        )
        .unwrap();
        if let Err(e) = common::compare(&ours, &theirs) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
