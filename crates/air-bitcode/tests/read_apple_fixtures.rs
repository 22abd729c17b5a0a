//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder of Apple-built
//! `.metallib` files (never committed). Every module in them is read,
//! printed and re-encoded with the Apple flavour; `llvm-dis-14` of ours must
//! equal `llvm-dis-14` of Apple's, and the test reports how many modules come
//! out byte-identical to Apple's (the goal: all that Xcode 16/26 wrote).

use std::path::{Path, PathBuf};

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
use metallib::MetallibFile;

/// `llvm-dis-14` of a module, without the `; ModuleID` line (it names the
/// input file).
fn disassemble(bytes: &[u8], path: &Path) -> Result<String, String> {
    std::fs::write(path, bytes).map_err(|e| e.to_string())?;
    Ok(airlink_test_support::llvm_dis(path)?
        .lines()
        .filter(|l| !l.starts_with("; ModuleID"))
        .collect::<Vec<_>>()
        .join("\n"))
}

#[test]
fn apple_modules_read_print_and_reencode() {
    let Some(dir) = std::env::var_os("AIRLINK_APPLE_FIXTURES") else {
        println!("skipped: AIRLINK_APPLE_FIXTURES not set");
        return;
    };
    airlink_test_support::require_llvm_14();
    let dir = PathBuf::from(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "metallib"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .metallib files in {}", dir.display());
    let scratch = airlink_test_support::scratch_dir("read-apple");
    let options = WriteOptions {
        flavour: Flavour::Apple,
        ..WriteOptions::default()
    };
    let (mut total, mut identical) = (0, 0);
    let mut failures = Vec::new();
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let file =
            MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for f in file.functions() {
            total += 1;
            let label = format!("{} / {}", path.display(), f.name);
            let check = || -> Result<bool, String> {
                let module = read_module(f.module).map_err(|e| format!("read: {e}"))?;
                let _text = air_ir::print(&module);
                let ours = write_module(&module, &options).map_err(|e| format!("encode: {e}"))?;
                if ours == f.module {
                    return Ok(true);
                }
                let theirs_dis = disassemble(f.module, &scratch.join("theirs.bc"))?;
                let ours_dis = disassemble(&ours, &scratch.join("ours.bc"))?;
                if theirs_dis != ours_dis {
                    let line = theirs_dis
                        .lines()
                        .zip(ours_dis.lines())
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("\n  Apple: {a}\n  ours:  {b}"))
                        .unwrap_or_else(|| " (one is a prefix of the other)".into());
                    return Err(format!("llvm-dis-14 of ours differs from Apple's{line}"));
                }
                Ok(false)
            };
            match check() {
                Ok(true) => identical += 1,
                Ok(false) => println!("same IR, different bytes: {label}"),
                Err(e) => failures.push(format!("{label}: {e}")),
            }
        }
    }
    println!("{identical} of {total} modules are byte-identical to Apple's");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
