//! The corpus against `llvm-as-14 -preserve-bc-uselistorder=false`: for every
//! file, our bytes must equal LLVM's exactly (nothing normalised, see
//! `common::compare`), and LLVM's tools must accept our output.

mod common;

use std::path::PathBuf;

use air_bitcode::{write_module, Flavour, WriteOptions};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn corpus_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ll") && !n.starts_with("noncanonical_"))
        .collect();
    names.sort();
    names
}

/// Encodes one corpus file and compares it with llvm-as-14's output, run
/// with the same relative path and working directory so that the recorded
/// source file name agrees.
fn check(name: &str) -> Result<(), String> {
    let dir = corpus_dir();
    let text = std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string())?;
    let module = air_ir::parse(&text, name).map_err(|e| format!("parse: {e}"))?;
    let options = WriteOptions {
        flavour: Flavour::Llvm14,
        input_path: name.to_string(),
        // The installed llvm-as-14 release, so any 14.x is an oracle.
        producer: Some(airlink_test_support::llvm_version().to_string()),
    };
    let ours = write_module(&module, &options).map_err(|e| format!("encode: {e}"))?;
    airlink_test_support::llvm_accepts(&ours)?;
    let theirs = airlink_test_support::llvm_as(&dir.join(name))?;
    common::compare(&ours, &theirs)
}

fn run(names: &[&str]) {
    airlink_test_support::require_llvm_14();
    let failures: Vec<String> = names
        .iter()
        .filter_map(|n| check(n).err().map(|e| format!("{n}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_corpus_file_is_listed() {
    let listed: Vec<&str> = BYTE_IDENTICAL.iter().chain(KNOWN_GAPS).copied().collect();
    for name in corpus_files() {
        assert!(
            listed.contains(&name.as_str()),
            "{name} is in no list of this test"
        );
    }
}

/// Files whose output is byte-identical to llvm-as-14's.
const BYTE_IDENTICAL: &[&str] = &[
    "all_instructions.ll",
    "attributes.ll",
    "constant_exprs.ll",
    "copy_2d.ll",
    "debug_info.ll",
    "gemm_like.ll",
    "multi_buffer.ll",
    "simple_1d.ll",
    "switch_atomics.ll",
    "system_values.ll",
    "tg_memory_arg.ll",
    "visible_function.ll",
];

/// Files with a known difference (each is explained in the ignore reason).
const KNOWN_GAPS: &[&str] = &[];

#[test]
fn corpus_is_byte_identical_to_llvm_as() {
    run(BYTE_IDENTICAL);
}
