//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder of Apple-built files
//! (never committed), searched recursively. Every module inside a
//! `.metallib` is found by its bitcode wrapper (so this test does not
//! depend on the container reader), and each one with debug info must:
//!
//! - read back with our reader, its debug info included;
//! - have an `llvm-dis-14` text that parses, verifies and round-trips
//!   through LLVM 14 as the corpus does: our printed text means to LLVM 14
//!   what Apple's module means (`llvm-dis-14(llvm-as-14(print(parse(t))))
//!   == llvm-dis-14(llvm-as-14(t))`);
//! - re-encode with the `apple` flavour (from the module read back) to
//!   Apple's bytes for the modules of macOS 14 and later targets (AIR 2.6
//!   and later), whose writer is LLVM 14's plus the one difference
//!   `docs/bitcode-rules.md` ("Debug-info records") describes.
//!
//! Without the variable the test prints one "skipped" line.

use std::path::Path;

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};

/// The wrapped modules in a file: each `DE C0 17 0B` wrapper with its
/// offset and size fields, as the bytes from the wrapper to the end of the
/// wrapped stream (what a library entry's module is).
fn wrapped_modules(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 20 <= bytes.len() {
        if bytes[i..i + 4] == [0xDE, 0xC0, 0x17, 0x0B] {
            let word = |k: usize| u32::from_le_bytes(bytes[k..k + 4].try_into().unwrap()) as usize;
            let (offset, size) = (word(i + 8), word(i + 12));
            // The wrapper pads to 16 bytes; the container's MDSZ covers
            // the padding, and so does what our writer returns.
            let end = i + (offset + size).div_ceil(16) * 16;
            if offset == 20 && end <= bytes.len() {
                out.push(&bytes[i..end]);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The AIR version of a module (`!air.version`), as (major, minor).
fn air_version(m: &air_ir::Module) -> Option<(u64, u64)> {
    let n = m.named("air.version")?;
    let node = m.metadata.get(n.operands.first()?.0 as usize)?;
    let air_ir::Metadata::Node { operands, .. } = node else {
        return None;
    };
    let int = |i: usize| -> Option<u64> {
        match m.metadata.get((*operands.get(i)?)?.0 as usize)? {
            air_ir::Metadata::Value {
                value: air_ir::Value::Const(c),
                ..
            } => match &m.consts.get(*c).kind {
                air_ir::ConstKind::Int(v) => v.as_u64(),
                _ => None,
            },
            _ => None,
        }
    };
    Some((int(0)?, int(1)?))
}

fn strip_header(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("; ModuleID") && !l.starts_with("source_filename"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `llvm-dis-14(llvm-as-14(text))` without the header lines.
fn through_llvm(text: &str, scratch: &Path, label: &str) -> Result<String, String> {
    let ll = scratch.join(format!("{label}.ll"));
    std::fs::write(&ll, text).map_err(|e| e.to_string())?;
    let bc = airlink_test_support::llvm_as(&ll)?;
    let bcp = scratch.join(format!("{label}.bc"));
    std::fs::write(&bcp, &bc).map_err(|e| e.to_string())?;
    Ok(strip_header(&airlink_test_support::llvm_dis(&bcp)?))
}

#[test]
fn apple_modules_with_debug_info() {
    let Some(files) = airlink_test_support::apple_fixture_libraries() else {
        return;
    };
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("debug-info-apple");
    let apple = WriteOptions {
        flavour: Flavour::Apple,
        ..WriteOptions::default()
    };
    let (mut modules, mut with_debug, mut texts, mut modern, mut identical) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for (k, wrapped) in wrapped_modules(&bytes).into_iter().enumerate() {
            modules += 1;
            let label = format!("{}#{k}", path.display());
            let module = match read_module(wrapped) {
                Ok(m) => m,
                Err(e) => {
                    // Modules without debug info are the other tests' job.
                    let text = e.to_string();
                    if text.contains("debug") || text.contains("DI") {
                        failures.push(format!("{label}: read: {e}"));
                    }
                    continue;
                }
            };
            let has_debug = module
                .metadata
                .iter()
                .any(|m| matches!(m, air_ir::Metadata::Di(_)));
            if !has_debug {
                continue;
            }
            with_debug += 1;
            // The llvm-dis-14 text of Apple's module, through our parser,
            // verifier and printer, and back through LLVM 14.
            let check_text = || -> Result<(), String> {
                let bc = scratch.join("apple.bc");
                std::fs::write(&bc, wrapped).map_err(|e| e.to_string())?;
                let text = airlink_test_support::llvm_dis(&bc)?;
                let parsed = air_ir::parse(&text, "apple.ll").map_err(|e| format!("parse: {e}"))?;
                air_ir::verify(&parsed).map_err(|e| format!("verify: {e}"))?;
                let printed = air_ir::print(&parsed);
                let again = air_ir::parse(&printed, "printed.ll")
                    .map_err(|e| format!("our text does not parse: {e}"))?;
                if again != parsed {
                    return Err("parse(print(m)) != m".into());
                }
                let reference = through_llvm(&text, &scratch, "reference")?;
                let ours = through_llvm(&printed, &scratch, "ours")?;
                if reference != ours {
                    let line = reference
                        .lines()
                        .zip(ours.lines())
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("\n  LLVM: {a}\n  ours: {b}"))
                        .unwrap_or_default();
                    return Err(format!(
                        "LLVM 14 reads a different module from our text{line}"
                    ));
                }
                Ok(())
            };
            match check_text() {
                Ok(()) => texts += 1,
                Err(e) => failures.push(format!("{label}: text: {e}")),
            }
            if air_version(&module).is_some_and(|v| v >= (2, 6)) {
                modern += 1;
                match write_module(&module, &apple) {
                    Ok(ours) if ours == wrapped => identical += 1,
                    Ok(ours) => {
                        let at = ours.iter().zip(wrapped).position(|(a, b)| a != b);
                        failures.push(format!(
                            "{label}: apple flavour differs from Apple's bytes at {at:?} ({} vs {} bytes)",
                            ours.len(),
                            wrapped.len()
                        ));
                    }
                    Err(e) => failures.push(format!("{label}: encode: {e}")),
                }
            }
        }
    }
    println!(
        "debug info: {modules} modules in {} libraries, {with_debug} with debug info, \
         {texts} texts round-trip through LLVM 14, {identical} of {modern} AIR >= 2.6 \
         modules re-encode to Apple's bytes",
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
