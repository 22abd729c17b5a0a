//! Random modules from `air_testgen`, printed and assembled by
//! `llvm-as-14`, against our writer on the same module: the bytes must be
//! identical, nothing normalised (SYMTAB, STRTAB and the order of
//! function-level value-symbol-table entries included).

mod common;

use air_bitcode::{write_module, Flavour, WriteOptions};
use air_testgen::{random_module, GenOptions};

fn check_seed(seed: u64, options: GenOptions, dir: &std::path::Path) -> Result<(), String> {
    let module = random_module(seed, options);
    let text = air_ir::print(&module);
    let name = format!("gen{seed}.ll");
    std::fs::write(dir.join(&name), &text).map_err(|e| e.to_string())?;
    let theirs = airlink_test_support::llvm_as(&dir.join(&name))?;
    let ours = write_module(
        &module,
        &WriteOptions {
            flavour: Flavour::Llvm14,
            input_path: name.clone(),
            // The installed llvm-as-14 release, so any 14.x is an oracle.
            producer: Some(airlink_test_support::llvm_version().to_string()),
        },
    )
    .map_err(|e| format!("encode: {e}"))?;
    airlink_test_support::llvm_accepts(&ours)?;
    common::compare(&ours, &theirs)
        .map_err(|e| format!("{e}\n(module text in {})", dir.join(&name).display()))
}

#[test]
fn generated_modules_match_llvm_as() {
    airlink_test_support::require_llvm_14();
    let dir = airlink_test_support::scratch_dir("generated");
    let seeds: u64 = std::env::var("AIR_BC_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut failures = Vec::new();
    for seed in 0..seeds {
        // Every fourth module has long straight-line stretches, so that
        // functions name more values than the 12 that fit LLVM's initial
        // 16-bucket symbol table and the table's growth is exercised.
        let options = GenOptions {
            kernels: 1 + (seed % 3) as usize,
            stretch: if seed % 4 == 3 { 64 } else { 6 },
            depth: (seed % 4) as u32,
            // Every other module carries debug info.
            debug_info: seed % 2 == 1,
        };
        if let Err(e) = check_seed(seed, options, &dir) {
            failures.push(format!("seed {seed}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {seeds} generated modules differ from llvm-as-14:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
