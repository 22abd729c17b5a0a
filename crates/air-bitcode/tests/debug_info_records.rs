//! The debug-info records of a small kernel compiled with `-g`-style debug
//! info, written out by hand (ids counted as LLVM 14's value enumerator
//! counts them, see the comments), in both flavours: what the Apple-built
//! modules taught us (`docs/bitcode-rules.md`, "Debug-info records") checked
//! without the Apple files. The `llvm14` bytes are also compared with
//! `llvm-as-14`'s.

mod common;

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
use llvm_bitcode_schema::{BlockId, FunctionCode, MetadataAttachmentCode, MetadataCode};
use llvm_bitstream::{Block, Stream};

/// A kernel the way Metal's front end describes one with `-g`: a distinct
/// compile unit in a file, a distinct subprogram (definition, optimised,
/// prototyped) with an empty retained-nodes list, a subroutine type
/// `!{null}`, and one location on the return. Hand-written.
const KERNEL: &str = r#"target triple = "air64_v28-apple-macosx26.0.0"

define void @k() !dbg !4 {
  ret void, !dbg !7
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "k.metal", directory: "/w")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !5)
!4 = distinct !DISubprogram(name: "k", scope: !1, file: !1, line: 4, type: !3, scopeLine: 5, flags: DIFlagPrototyped, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0, retainedNodes: !6)
!5 = !{null}
!6 = !{}
!7 = !DILocation(line: 6, column: 1, scope: !4)
"#;

// Module metadata ids (0-based), as LLVM 14 numbers them: strings first
// ("k.metal" 0, "/w" 1, "Debug Info Version" 2), then the two i32 values
// of the flag (3, 4), then distinct nodes (the unit, 5), then uniqued ones
// (the file 6, the flag tuple 7). The subprogram, its name, its type and
// its lists are used by @k only, so they are numbered in @k's own block,
// after the module's: "k" 8, the subprogram 9, `!{null}` 10, the
// subroutine type 11, `!{}` 12.
const FILE: u64 = 6;
const UNIT: u64 = 5;
const NAME_K: u64 = 8;
const SUBPROGRAM: u64 = 9;
const NULL_TUPLE: u64 = 10;
const SUBROUTINE_TYPE: u64 = 11;
const EMPTY_TUPLE: u64 = 12;

/// The subprogram record LLVM 14 writes: distinct with the unit and
/// spFlags layout bits (1 | 2 | 4), then scope, name, linkage name, file,
/// line, type, scope line, containing type, spFlags (Definition 8 |
/// Optimized 16), virtual index, flags (Prototyped 256), unit, template
/// parameters, declaration, retained nodes, this-adjustment, thrown types,
/// annotations; metadata as id + 1, 0 for none.
fn llvm14_subprogram() -> Vec<u64> {
    vec![
        7,
        FILE + 1,
        NAME_K + 1,
        0,
        FILE + 1,
        4,
        SUBROUTINE_TYPE + 1,
        5,
        0,
        24,
        0,
        256,
        UNIT + 1,
        0,
        0,
        EMPTY_TUPLE + 1,
        0,
        0,
        0,
    ]
}

fn encode(flavour: Flavour) -> Vec<u8> {
    let module = air_ir::parse(KERNEL, "k.ll").unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&module).unwrap_or_else(|e| panic!("{e}"));
    let options = WriteOptions {
        flavour,
        input_path: "k.ll".into(),
        producer: None,
    };
    write_module(&module, &options).unwrap_or_else(|e| panic!("{e}"))
}

fn module_block(s: &Stream) -> &Block {
    s.blocks
        .iter()
        .find(|b| b.id == BlockId::Module.id())
        .expect("a MODULE block")
}

fn block(parent: &Block, id: BlockId) -> &Block {
    parent
        .blocks()
        .find(|b| b.id == id.id())
        .unwrap_or_else(|| panic!("no {id:?} block"))
}

/// The records of `b` with code `code`, as their operands.
fn records(b: &Block, code: u32) -> Vec<Vec<u64>> {
    b.records()
        .filter(|r| r.code == code)
        .map(|r| r.ops.clone())
        .collect()
}

/// Every record of `b` and its sub-blocks as (block id, code, operands).
fn flatten(b: &Block, out: &mut Vec<(u32, u32, Vec<u64>)>) {
    for e in &b.entries {
        match e {
            llvm_bitstream::Entry::Record(r) => out.push((b.id, r.code, r.ops.clone())),
            llvm_bitstream::Entry::Block(inner) => flatten(inner, out),
            _ => {}
        }
    }
}

fn check_common(stream: &Stream, subprogram: &[u64]) {
    let module = module_block(stream);
    let md = block(module, BlockId::Metadata);
    // DICompileUnit: distinct, DW_LANG_C99 (0x0c), file, no producer,
    // optimised, no flags, runtime version 0, no split file, FullDebug,
    // no lists, the retired subprogram list 0, no globals/imports, dwoId
    // 0, no macros, splitDebugInlining true, the remaining flags false,
    // no sysroot or SDK.
    assert_eq!(
        records(md, MetadataCode::CompileUnit.code()),
        [vec![
            1,
            0x0c,
            FILE + 1,
            0,
            1,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
            0
        ]]
    );
    // DIFile: not distinct, the two strings, no checksum (kind 0, value
    // 0), and no source operand at all.
    assert_eq!(
        records(md, MetadataCode::File.code()),
        [vec![0, 1, 2, 0, 0]]
    );
    let function = block(module, BlockId::Function);
    let local = block(function, BlockId::Metadata);
    assert_eq!(
        records(local, MetadataCode::Subprogram.code()),
        [subprogram.to_vec()]
    );
    // DISubroutineType: the "no old type refs" bit (2), no flags, the
    // types tuple, the default calling convention.
    assert_eq!(
        records(local, MetadataCode::SubroutineType.code()),
        [vec![2, 0, NULL_TUPLE + 1, 0]]
    );
    assert_eq!(
        records(local, MetadataCode::Node.code()),
        [vec![0], vec![]],
        "the `!{{null}}` and `!{{}}` tuples"
    );
    // The return's location is a DEBUG_LOC record (line, column, scope +
    // 1, no inlined-at, not implicit), not an attachment.
    assert_eq!(
        records(function, FunctionCode::DebugLoc.code()),
        [vec![6, 1, SUBPROGRAM + 1, 0, 0]]
    );
    // The function's own `!dbg`: kind 0, the subprogram's 0-based id.
    let attachments = block(function, BlockId::MetadataAttachment);
    assert_eq!(
        records(attachments, MetadataAttachmentCode::Attachment.code()),
        [vec![0, SUBPROGRAM]]
    );
}

#[test]
fn llvm14_records_are_llvm_as_14s() {
    airlink_test_support::require_llvm_14();
    let ours = encode(Flavour::Llvm14);
    check_common(&common::read(&ours), &llvm14_subprogram());
    let theirs = airlink_test_support::llvm_as(KERNEL).unwrap();
    // llvm-as-14 names the module after standard input; the module's
    // records are what is compared here.
    let module = |s: &Stream| {
        let m = module_block(s);
        let mut out = Vec::new();
        flatten(block(m, BlockId::Metadata), &mut out);
        flatten(block(m, BlockId::Function), &mut out);
        out
    };
    let (a, b) = (common::read(&ours), common::read(&theirs));
    assert_eq!(module(&a), module(&b));
}

/// Apple's writer (measured on Metal.jl's `debuginfo.14`, `.15` and `.26`
/// libraries, toolchains 32023.154, .329 and .883) writes every
/// DISubprogram with a 20th operand, 0: the field LLVM 15 added after
/// `annotations` (the target function name), empty. Everything else in
/// those modules' debug info is LLVM 14's.
#[test]
fn apple_subprograms_have_a_trailing_zero() {
    let apple = encode(Flavour::Apple);
    let mut expected = llvm14_subprogram();
    expected.push(0);
    check_common(&common::read(&apple), &expected);
    // And it reads back as the module it came from.
    let back = read_module(&apple).unwrap();
    let original = air_ir::parse(KERNEL, "k.ll").unwrap();
    assert!(air_ir::print(&back).contains("spFlags: DISPFlagDefinition | DISPFlagOptimized"));
    assert_eq!(
        air_ir::print(&back)
            .lines()
            .filter(|l| l.starts_with('!'))
            .collect::<Vec<_>>(),
        air_ir::print(&original)
            .lines()
            .filter(|l| l.starts_with('!'))
            .collect::<Vec<_>>()
    );
}

/// Apple's unit of `debuginfo.26` names its language 61, a number LLVM 14
/// has no name for: it prints as a number and writes as it was read.
#[test]
fn unknown_languages_print_as_numbers() {
    let text = KERNEL.replace("language: DW_LANG_C99", "language: 61");
    let module = air_ir::parse(&text, "k.ll").unwrap();
    assert!(air_ir::print(&module).contains("!DICompileUnit(language: 61, file:"));
    let bytes = write_module(&module, &WriteOptions::default()).unwrap();
    let stream = common::read(&bytes);
    let md = block(module_block(&stream), BlockId::Metadata);
    assert_eq!(records(md, MetadataCode::CompileUnit.code())[0][1], 61);
}
