//! Inputs that used to take time quadratic in their size (issue 20,
//! ROBUSTNESS.md "Super-linear paths"), each generated here at two sizes
//! ten times apart: a linear command takes about ten times as long on the
//! larger one, a quadratic one a hundred times. The bound (40 times, plus
//! a second for a loaded machine; the best of two runs of each) separates
//! the two without being tight.
//!
//! Each test failed on the binary before its fix. To see that again, point
//! `AIRLINK_LINEAR_BIN` at another build:
//!
//! ```sh
//! AIRLINK_LINEAR_BIN=/path/to/old/airlink cargo test -p airlink --test linear
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use llvm_bitcode_schema::{
    BlockId, FunctionCode, IdentificationCode, ModuleCode, TypeCode, ValueSymtabCode,
};
use llvm_bitstream::BitWriter;

/// The binary under test.
fn bin() -> PathBuf {
    std::env::var_os("AIRLINK_LINEAR_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_airlink")),
        PathBuf::from,
    )
}

/// A fresh folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("linear")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `airlink ARGS` in `dir`; returns what it printed and how long it
/// took.
fn timed(dir: &Path, args: &[&str]) -> (Output, Duration) {
    let start = Instant::now();
    let o = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (o, start.elapsed())
}

/// Asserts that `airlink ARGS FILE` on `large` (ten times `small`) takes
/// less than 40 times as long as on `small`, plus a second, and exits with
/// `status` on both.
fn assert_linear(dir: &Path, args: &[&str], small: &str, large: &str, status: i32) {
    let run = |file: &str| {
        let mut a = args.to_vec();
        a.push(file);
        let (o, took) = timed(dir, &a);
        assert_eq!(
            o.status.code(),
            Some(status),
            "{a:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        took
    };
    run(small);
    let t_small = (0..2).map(|_| run(small)).min().unwrap();
    let t_large = (0..2).map(|_| run(large)).min().unwrap();
    assert!(
        t_large < t_small * 40 + Duration::from_secs(1),
        "{args:?}: {large} took {t_large:?}, {small} (a tenth of it) {t_small:?}: not linear"
    );
}

/// Bitcode of `define i32 @f(i32)` with `n` instructions `add i32
/// %prev, %prev`, every one named `x`: the text parser refuses a name used
/// twice, and our writer keeps one value per name, but a value symbol table
/// can give every value the same name and the reader keeps them. Written by
/// hand in the "v1" style (relative value ids, unabbreviated records).
fn same_name_bitcode(n: u64) -> Vec<u8> {
    let chars = |s: &str| s.bytes().map(u64::from).collect::<Vec<u64>>();
    let mut w = BitWriter::new();
    w.emit_magic();
    w.enter_block(BlockId::Identification.id(), 5);
    w.emit_record(IdentificationCode::String.code(), &chars("linear"));
    w.emit_record(IdentificationCode::Epoch.code(), &[0]);
    w.exit_block();
    w.enter_block(BlockId::Module.id(), 3);
    w.emit_record(ModuleCode::Version.code(), &[1]);
    w.enter_block(BlockId::Type.id(), 4);
    w.emit_record(TypeCode::NumEntry.code(), &[3]);
    w.emit_record(TypeCode::Integer.code(), &[32]); // 0: i32
    w.emit_record(TypeCode::Function.code(), &[0, 0, 0]); // 1: i32 (i32)
    w.emit_record(TypeCode::Pointer.code(), &[1, 0]); // 2: i32 (i32)*
    w.exit_block();
    // @f (value 0), defined; its argument is value 1, the k-th add 2 + k.
    w.emit_record(ModuleCode::Function.code(), &[1, 0, 0, 0, 0, 0, 0, 0]);
    w.enter_block(BlockId::Function.id(), 4);
    w.emit_record(FunctionCode::DeclareBlocks.code(), &[1]);
    for _ in 0..n {
        // Both operands are the value just before (relative id 1); 0 is add.
        w.emit_record(FunctionCode::InstBinop.code(), &[1, 1, 0]);
    }
    w.emit_record(FunctionCode::InstRet.code(), &[1]);
    w.enter_block(BlockId::ValueSymtab.id(), 4);
    for k in 0..n {
        w.emit_record(ValueSymtabCode::Entry.code(), &[2 + k, u64::from(b'x')]);
    }
    w.exit_block();
    w.exit_block();
    w.enter_block(BlockId::ValueSymtab.id(), 4);
    w.emit_record(ValueSymtabCode::Entry.code(), &[0, u64::from(b'f')]);
    w.exit_block();
    w.exit_block();
    w.finish()
}

#[test]
fn values_sharing_a_name_print_in_linear_time() {
    // The printer makes names unique with the first free suffix; it used to
    // try every suffix from 1 for each duplicate, so 20 000 values named `x`
    // cost 200 million probes.
    let dir = scratch("same-name");
    std::fs::write(dir.join("small.bc"), same_name_bitcode(2_000)).unwrap();
    std::fs::write(dir.join("large.bc"), same_name_bitcode(20_000)).unwrap();
    let (o, _) = timed(&dir, &["fmt", "small.bc"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    // The first keeps the name, the k-th duplicate gets suffix k.
    assert!(out.contains("  %x = add i32 %0, %0\n"), "{out}");
    assert!(out.contains("  %x1 = add i32 %x, %x\n"), "{out}");
    assert!(out.contains("  %x1999 = add i32 %x1998, %x1998\n"), "{out}");
    assert!(out.contains("  ret i32 %x1999\n"), "{out}");
    assert_linear(&dir, &["fmt"], "small.bc", "large.bc", 0);
}

/// A function whose block `%join` has `n` predecessors and `n` phis of one
/// entry each: every phi is wrong, and each is reported.
fn short_phis(n: usize) -> String {
    let mut t = String::from("define void @f() {\nentry:\n  br label %b0\n");
    for i in 0..n {
        t.push_str(&format!("b{i}:\n  br label %join\n"));
    }
    t.push_str("join:\n");
    for i in 0..n {
        t.push_str(&format!("  %p{i} = phi i32 [0, %b0]\n"));
    }
    t.push_str("  ret void\n}\n");
    t
}

#[test]
fn phis_that_miss_predecessors_are_reported_in_linear_time() {
    // Each phi's check copied and sorted its block's predecessor list and
    // named every predecessor in its message: n phis cost n sorts of n
    // blocks and n messages of n names (5 000 of each, 258 KB of text,
    // took 1.8 s and 199 MB).
    let dir = scratch("short-phis");
    std::fs::write(dir.join("small.ll"), short_phis(1_000)).unwrap();
    std::fs::write(dir.join("large.ll"), short_phis(10_000)).unwrap();
    assert_linear(&dir, &["fmt"], "small.ll", "large.ll", 1);
    let (o, _) = timed(&dir, &["fmt", "small.ll"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains(
            "phi entries name blocks [%b0] but the block's predecessors are \
             [%b0, %b1, %b2, %b3, %b4, %b5, %b6, %b7, %b8, %b9, %b10, %b11, %b12, %b13, %b14, \
             %b15, %b16, %b17, %b18, %b19, %b20, %b21, %b22, %b23, %b24, %b25, %b26, %b27, \
             %b28, %b29, %b30, %b31, ... (968 more)]"
        ),
        "{e}"
    );
}

/// A chain of `n` blocks that each also branch back to the chain's head:
/// the shape that made the dominator tree's fixed-point iteration walk the
/// whole chain for every block.
fn chain_with_back_edges(n: usize) -> String {
    let mut t =
        String::from("define void @f(i1 %c) {\nentry:\n  br label %h\nh:\n  br label %b0\n");
    for i in 0..n {
        t.push_str(&format!("b{i}:\n  br i1 %c, label %b{}, label %h\n", i + 1));
    }
    t.push_str(&format!("b{n}:\n  ret void\n}}\n"));
    t
}

#[test]
fn dominators_take_linear_time_on_a_chain_with_back_edges() {
    // 100 000 blocks (4.4 MB) took 7.6 s to verify, 10 000 took 0.11 s.
    let dir = scratch("back-edges");
    std::fs::write(dir.join("small.ll"), chain_with_back_edges(10_000)).unwrap();
    std::fs::write(dir.join("large.ll"), chain_with_back_edges(100_000)).unwrap();
    assert_linear(&dir, &["fmt"], "small.ll", "large.ll", 0);
}

/// A function with `n` named parameters.
fn many_parameters(n: usize) -> String {
    let params: Vec<String> = (0..n).map(|i| format!("i32 %a{i}")).collect();
    format!("define void @f({}) {{\n  ret void\n}}\n", params.join(", "))
}

/// `n` named metadata definitions, each under its own name.
fn many_named_metadata(n: usize) -> String {
    let mut t = String::from("define void @f() {\n  ret void\n}\n");
    for i in 0..n {
        t.push_str(&format!("!n{i} = !{{}}\n"));
    }
    t
}

#[test]
fn parameters_and_named_metadata_parse_in_linear_time() {
    // The parser compared each parameter's name with every earlier one, and
    // looked each `!name` up among the earlier ones: 100 000 of either
    // (1.3 MB) took 14 s and 15 s, 10 000 took 0.09 s.
    let dir = scratch("names");
    std::fs::write(dir.join("params-small.ll"), many_parameters(10_000)).unwrap();
    std::fs::write(dir.join("params-large.ll"), many_parameters(100_000)).unwrap();
    assert_linear(&dir, &["fmt"], "params-small.ll", "params-large.ll", 0);
    std::fs::write(dir.join("md-small.ll"), many_named_metadata(10_000)).unwrap();
    std::fs::write(dir.join("md-large.ll"), many_named_metadata(100_000)).unwrap();
    assert_linear(&dir, &["fmt"], "md-small.ll", "md-large.ll", 0);
}
