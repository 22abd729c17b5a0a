//! The reader against the writer and against LLVM 14 (issue #8, item 3).
//!
//! A module and its bitcode are in one-to-one correspondence only once the
//! module is in the form LLVM itself keeps: constants and tuples uniqued,
//! every `load`/`atomicrmw` with its alignment, no `dso_local` that the
//! linkage implies, intrinsic declarations with LLVM's attributes. The
//! corpus is hand-written and not always in that form, so:
//!
//! - for the canonical form of each module (what `llvm-dis-14` prints for
//!   its `llvm-as-14` bitcode, parsed again), read(write(m)) == m and the
//!   texts are equal, in both flavours (for the Apple flavour, m with
//!   Apple's intrinsic attributes: `nocallback` added to every `llvm.*`
//!   declaration whose LLVM 14 set has `nofree nosync`);
//! - for every module as written (corpus and `air_testgen`), the module
//!   read back encodes to exactly the same bytes, and is a fixed point:
//!   read(write(read(write(m)))) == read(write(m));
//! - write(read(b)) == b for the bitcode `llvm-as-14
//!   -preserve-bc-uselistorder=false` writes for every corpus file (with the
//!   normalisation `common::compare` applies to the writer's own tests), and
//!   the module read equals the one parsed from `llvm-dis-14`'s text.

mod common;

use std::path::{Path, PathBuf};

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
use air_ir::Module;
use air_testgen::{random_module, GenOptions};

const FLAVOURS: [Flavour; 2] = [Flavour::Llvm14, Flavour::Apple];

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
    assert!(!names.is_empty(), "no corpus files");
    names
}

fn parse_corpus(name: &str) -> Module {
    let text = std::fs::read_to_string(corpus_dir().join(name)).unwrap();
    air_ir::parse(&text, name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn options(flavour: Flavour, input_path: &str) -> WriteOptions {
    WriteOptions {
        flavour,
        input_path: input_path.to_string(),
        ..WriteOptions::default()
    }
}

fn first_difference(want: &str, got: &str) -> String {
    for (i, (a, b)) in want.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  want: {a}\n  got:  {b}", i + 1);
        }
    }
    format!(
        "one text is a prefix of the other ({} vs {} lines)",
        want.lines().count(),
        got.lines().count()
    )
}

/// Structural equality and equal text.
fn same_module(want: &Module, got: &Module) -> Result<(), String> {
    let (tw, tg) = (air_ir::print(want), air_ir::print(got));
    if tw != tg {
        return Err(format!("the texts differ: {}", first_difference(&tw, &tg)));
    }
    if want != got {
        return Err("the modules differ structurally (their texts are equal)".into());
    }
    Ok(())
}

/// read(write(m)) encodes to the same bytes as `m` and is a fixed point.
fn fixed_point(module: &Module, path: &str, flavour: Flavour) -> Result<(), String> {
    let opts = options(flavour, path);
    let bytes = write_module(module, &opts).map_err(|e| format!("encode: {e}"))?;
    let back = read_module(&bytes).map_err(|e| format!("read: {e}"))?;
    let again = write_module(&back, &opts).map_err(|e| format!("re-encode: {e}"))?;
    if again != bytes {
        let at = again.iter().zip(&bytes).position(|(a, b)| a != b);
        return Err(format!(
            "write(read(write(m))) != write(m): first difference at byte {at:?}, lengths {} vs {}",
            again.len(),
            bytes.len()
        ));
    }
    let back2 = read_module(&again).map_err(|e| format!("read again: {e}"))?;
    same_module(&back, &back2)
}

/// read(write(m)) == m, for a module in canonical form; for the Apple
/// flavour, m with Apple's table for `llvm.*` declarations, which adds
/// `nocallback` to LLVM 14's sets with `nofree nosync` (docs/bitcode-rules.md,
/// "Intrinsic attributes").
fn exact(module: &Module, path: &str, flavour: Flavour) -> Result<(), String> {
    let bytes =
        write_module(module, &options(flavour, path)).map_err(|e| format!("encode: {e}"))?;
    let back = read_module(&bytes).map_err(|e| format!("read: {e}"))?;
    if flavour == Flavour::Apple {
        use air_ir::attributes::{AttrKind, Attribute};
        let mut want = module.clone();
        for f in &mut want.functions {
            let a = &mut f.fn_attrs;
            if f.blocks.is_empty()
                && f.name.starts_with("llvm.")
                && a.has(AttrKind::NoFree)
                && a.has(AttrKind::NoSync)
            {
                a.insert(Attribute::Enum(AttrKind::NoCallback));
            }
        }
        return same_module(&want, &back);
    }
    same_module(module, &back)
}

/// `llvm-dis-14` of `bitcode` (written to `label.bc` in `scratch`, so the
/// text names that file), parsed: the module in LLVM's canonical form.
fn disassembled(bitcode: &[u8], scratch: &Path, label: &str) -> Result<Module, String> {
    let bc = scratch.join(format!("{label}.bc"));
    std::fs::write(&bc, bitcode).map_err(|e| e.to_string())?;
    let text = airlink_test_support::llvm_dis(&bc)?;
    air_ir::parse(&text, label).map_err(|e| format!("parsing llvm-dis output: {e}"))
}

/// `llvm-as-14 -preserve-bc-uselistorder=false` of a module's text (written
/// to `label.ll` in `scratch`, so the bitcode names that file).
fn assembled(module: &Module, scratch: &Path, label: &str) -> Result<Vec<u8>, String> {
    let ll = scratch.join(format!("{label}.ll"));
    std::fs::write(&ll, air_ir::print(module)).map_err(|e| e.to_string())?;
    airlink_test_support::llvm_as(&ll)
}

fn generated(seed: u64) -> Module {
    random_module(
        seed,
        GenOptions {
            kernels: 1 + (seed % 3) as usize,
            stretch: 6,
            depth: (seed % 4) as u32,
            debug_info: seed % 2 == 1,
        },
    )
}

fn seeds() -> u64 {
    std::env::var("AIR_BC_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40)
}

fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn corpus_modules_as_written_are_fixed_points() {
    let mut failures = Vec::new();
    for name in corpus_files() {
        let module = parse_corpus(&name);
        for flavour in FLAVOURS {
            if let Err(e) = fixed_point(&module, &name, flavour) {
                failures.push(format!("{name} ({flavour:?}): {e}"));
            }
        }
    }
    report(failures);
}

#[test]
fn generated_modules_are_fixed_points() {
    let mut failures = Vec::new();
    for seed in 0..seeds() {
        let module = generated(seed);
        for flavour in FLAVOURS {
            if let Err(e) = fixed_point(&module, &format!("gen{seed}.ll"), flavour) {
                failures.push(format!("seed {seed} ({flavour:?}): {e}"));
            }
        }
    }
    report(failures);
}

#[test]
fn canonical_corpus_modules_read_back_equal() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("read-canonical-corpus");
    let mut failures = Vec::new();
    for name in corpus_files() {
        let check = || -> Result<(), String> {
            let bitcode = airlink_test_support::llvm_as(&corpus_dir().join(&name))?;
            let canonical = disassembled(&bitcode, &scratch, &name)?;
            for flavour in FLAVOURS {
                exact(&canonical, &name, flavour).map_err(|e| format!("{flavour:?}: {e}"))?;
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("{name}: {e}"));
        }
    }
    report(failures);
}

#[test]
fn canonical_generated_modules_read_back_equal() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("read-canonical-generated");
    let mut failures = Vec::new();
    for seed in 0..seeds() {
        let label = format!("gen{seed}");
        let check = || -> Result<(), String> {
            let bitcode = assembled(&generated(seed), &scratch, &label)?;
            let canonical = disassembled(&bitcode, &scratch, &label)?;
            for flavour in FLAVOURS {
                exact(&canonical, &label, flavour).map_err(|e| format!("{flavour:?}: {e}"))?;
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("seed {seed}: {e}"));
        }
    }
    report(failures);
}

/// What LLVM's bitcode reader (not ours) does on load, in
/// `UpgradeFunctionAttributes`: in a function without `strictfp`, a call
/// site's `strictfp` becomes `nobuiltin` (constrained intrinsics aside).
/// Our reader returns what the bitcode says, so that writing it back gives
/// the same bytes; llvm-dis-14 shows the upgraded module.
fn upgrade_strictfp_calls(module: &mut Module) {
    use air_ir::attributes::{AttrKind, AttrSet, Attribute};
    use air_ir::inst::InstKind;
    let callee_name = |m: &Module, v: air_ir::Value| match v {
        air_ir::Value::Const(c) => match &m.consts.get(c).kind {
            air_ir::ConstKind::Function(f) => Some(m.function(*f).name.clone()),
            _ => None,
        },
        _ => None,
    };
    for fi in 0..module.functions.len() {
        let f = &module.functions[fi];
        if f.is_declaration() || f.fn_attrs.has(AttrKind::StrictFP) {
            continue;
        }
        for ii in 0..f.insts.len() {
            let InstKind::Call(call) = &module.functions[fi].insts[ii].kind else {
                continue;
            };
            let constrained = callee_name(module, call.callee)
                .is_some_and(|n| n.starts_with("llvm.experimental.constrained."));
            if constrained || !call.fn_attrs.has(AttrKind::StrictFP) {
                continue;
            }
            if let InstKind::Call(call) = &mut module.functions[fi].insts[ii].kind {
                let attrs = call
                    .fn_attrs
                    .iter()
                    .filter(|a| a.kind() != Some(AttrKind::StrictFP))
                    .cloned()
                    .chain([Attribute::Enum(AttrKind::NoBuiltin)]);
                call.fn_attrs = AttrSet::from_attrs(attrs);
            }
        }
    }
}

/// llvm-as-14's bitcode → read → write gives llvm-as-14's bytes, and the
/// module read is the one llvm-dis-14's text describes.
#[test]
fn llvm_as_bitcode_reads_and_rewrites_identically() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("read-llvm-as");
    let mut failures = Vec::new();
    for name in corpus_files() {
        let check = || -> Result<(), String> {
            let theirs = airlink_test_support::llvm_as(&corpus_dir().join(&name))?;
            let module = read_module(&theirs).map_err(|e| format!("read: {e}"))?;
            // The installed llvm-as-14 release, so any 14.x is an oracle.
            let write = WriteOptions {
                producer: Some(airlink_test_support::llvm_version().to_string()),
                ..options(Flavour::Llvm14, &name)
            };
            let ours = write_module(&module, &write).map_err(|e| format!("encode: {e}"))?;
            common::compare(&ours, &theirs).map_err(|e| format!("write(read(b)) != b: {e}"))?;
            let dis = disassembled(&theirs, &scratch, &name)?;
            let mut upgraded = module.clone();
            upgrade_strictfp_calls(&mut upgraded);
            same_module(&dis, &upgraded).map_err(|e| format!("read(b) vs llvm-dis-14: {e}"))
        };
        if let Err(e) = check() {
            failures.push(format!("{name}: {e}"));
        }
    }
    report(failures);
}
