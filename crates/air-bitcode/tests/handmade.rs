//! Small hand-written modules that pin down one behaviour each, against
//! `llvm-as-14`, plus a check that the comparison really compares.

mod common;

use air_bitcode::{write_module, Flavour, WriteOptions};
use llvm_bitcode_schema::BlockId;

/// Writes `text` as `name` in a scratch directory, assembles it with both
/// writers (same relative path and directory) and compares.
fn same_as_llvm(tag: &str, name: &str, text: &str) -> (Vec<u8>, Vec<u8>) {
    airlink_test_support::require_llvm_14();
    let dir = airlink_test_support::scratch_dir(tag);
    std::fs::write(dir.join(name), text).unwrap();
    let module = air_ir::parse(text, name).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let options = WriteOptions {
        flavour: Flavour::Llvm14,
        input_path: name.to_string(),
        // The installed llvm-as-14 release, so any 14.x is an oracle.
        producer: Some(airlink_test_support::llvm_version().to_string()),
    };
    let ours = write_module(&module, &options).unwrap();
    let theirs = airlink_test_support::llvm_as(&dir.join(name)).unwrap();
    airlink_test_support::llvm_accepts(&ours).unwrap();
    if let Err(e) = common::compare(&ours, &theirs) {
        panic!("{tag}: {e}");
    }
    (ours, theirs)
}

const AIR: &str = "target datalayout = \"e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32\"\ntarget triple = \"air64_v28-apple-macosx26.0.0\"\n";

#[test]
fn empty_module_without_triple_is_raw_bitcode() {
    let (ours, _) = same_as_llvm("empty", "empty.ll", "");
    assert!(ours.starts_with(b"BC\xC0\xDE"));
}

#[test]
fn missing_source_filename_becomes_the_input_path() {
    same_as_llvm(
        "path",
        "kernel-file.ll",
        &format!("{AIR}@g = global i32 7\n"),
    );
}

#[test]
fn one_function_with_names_and_loads() {
    let text = format!(
        "{AIR}define float @f(float addrspace(1)* %p, i32 %i) {{\nentry:\n  %q = getelementptr inbounds float, float addrspace(1)* %p, i32 %i\n  %v = load float, float addrspace(1)* %q\n  %a = alloca [4 x float]\n  %w = fadd fast float %v, 1.0\n  ret float %w\n}}\n"
    );
    same_as_llvm("function", "f.ll", &text);
}

#[test]
fn intrinsic_declarations_get_llvm_attributes() {
    let text = format!(
        "{AIR}declare void @llvm.lifetime.start.p0i8(i64, i8* nocapture) #0\ndeclare float @llvm.fma.f32(float, float, float) #0\nattributes #0 = {{ mustprogress nocallback nounwind }}\n"
    );
    same_as_llvm("intrinsics", "intr.ll", &text);
}

#[test]
fn attachments_without_debug_version_register_heapallocsite() {
    let text = format!(
        "{AIR}define void @f(i32 addrspace(1)* %p) {{\n  store i32 1, i32 addrspace(1)* %p, align 4, !tbaa !0, !air.custom !3\n  ret void\n}}\n!0 = !{{!1, !1, i64 0}}\n!1 = !{{!\"int\", !2}}\n!2 = !{{!\"tbaa root\"}}\n!3 = !{{}}\n"
    );
    same_as_llvm("heapallocsite", "md.ll", &text);
}

#[test]
fn comparison_detects_a_flipped_bit() {
    let text = format!("{AIR}@g = global i32 7\ndefine void @f() {{\n  ret void\n}}\n");
    let (ours, theirs) = same_as_llvm("flip", "flip.ll", &text);
    // Flip one bit inside the MODULE block (past wrapper and IDENTIFICATION).
    let mut bad = ours.clone();
    bad[80] ^= 0x10;
    assert!(common::compare(&bad, &theirs).is_err());
}

// ---- SYMTAB and STRTAB -------------------------------------------------

#[test]
fn symbol_flags_sections_and_common_data() {
    let text = format!(
        r#"{AIR}@common.var = common global [3 x i32] zeroinitializer, align 4
@common.noalign = common global {{ i8, i32, i16 }} zeroinitializer
@sect = internal addrspace(2) constant i32 5, section "air.externally_defined", align 16
@tls = thread_local global i32 0
@lo = linkonce_odr unnamed_addr constant i32 1
@lo.local = linkonce_odr local_unnamed_addr constant i32 1
@lo.var = linkonce_odr local_unnamed_addr global i32 1
@ew = extern_weak global i32
@w = weak hidden global i32 0
@wo = weak_odr protected global i32 0
@p = private global i32 0
@ae = available_externally global i32 0
@llvm.used = appending global [2 x i8*] [i8* bitcast (i32* @w to i8*), i8* bitcast (void ()* @f to i8*)], section "llvm.metadata"
@llvm.compiler.used = appending global [1 x i8*] [i8* bitcast (i32* getelementptr ([3 x i32], [3 x i32]* @common.var, i64 0, i64 0) to i8*)], section "llvm.metadata"
define void @sqrtf() {{
  ret void
}}
declare void @memcpy()
define void @f() section "foo" {{
  ret void
}}
define linkonce_odr void @inl() {{
  ret void
}}
declare void @llvm.trap()
"#
    );
    same_as_llvm("symflags", "symflags.ll", &text);
}

#[test]
fn unnamed_private_and_raw_names_under_macho_mangling() {
    let text = "target datalayout = \"e-m:o-i64:64\"\n@0 = private global i32 0\n@1 = global i32 1\n@\"\\01raw\" = global i32 2\n@priv = private global i32 3\n@g = global i32 4\ndefine void @2() {\n  ret void\n}\n";
    same_as_llvm("unnamed", "unnamed.ll", text);
}

#[test]
fn elf_mangling_and_dependent_libraries() {
    let text = "target datalayout = \"e-m:e-i64:64\"\ntarget triple = \"x86_64-unknown-linux-gnu\"\n@p = private global i32 0\n!llvm.dependent-libraries = !{!0, !1}\n!0 = !{!\"m\"}\n!1 = !{!\"pthread\"}\n";
    same_as_llvm("elf", "elf.ll", text);
}

#[test]
fn coff_linker_options() {
    let text = "target datalayout = \"e-m:w-i64:64\"\ntarget triple = \"x86_64-pc-windows-msvc\"\n@g = global i32 0\n@\"?q\" = global i32 1\n!llvm.linker.options = !{!0, !1}\n!0 = !{!\"/DEFAULTLIB:a.lib\", !\"/X\"}\n!1 = !{!\"/Y\"}\n";
    same_as_llvm("coff", "coff.ll", text);
}

#[test]
fn no_datalayout_still_adds_the_header_strings() {
    let (ours, _) = same_as_llvm(
        "nodl",
        "nodl.ll",
        "target triple = \"air64_v28-apple-macosx26.0.0\"\n@g = global i32 0\n",
    );
    let stream = common::read(&ours);
    let symtab = BlockId::Symtab.id();
    assert!(stream.blocks.iter().all(|b| b.id != symtab), "no SYMTAB");
    let strtab = common::blob_of(&stream, BlockId::Strtab.id());
    let version = airlink_test_support::llvm_version();
    assert_eq!(
        strtab,
        format!("g{version}air64_v28-apple-macosx26.0.0nodl.ll").as_bytes()
    );
}

#[test]
fn module_asm_writes_no_symbol_table() {
    let (ours, _) = same_as_llvm(
        "asm",
        "asm.ll",
        &format!("{AIR}module asm \"nop\"\n@g = global i32 0\n"),
    );
    let stream = common::read(&ours);
    assert!(stream.blocks.iter().all(|b| b.id != BlockId::Symtab.id()));
    assert_eq!(common::blob_of(&stream, BlockId::Strtab.id()), b"g");
}

// ---- function-level VALUE_SYMTAB order --------------------------------

/// A function with `n` named values, blocks mentioned before their labels
/// (forward branches and phis) and names that collide in the hash table.
fn many_names(n: usize) -> String {
    let mut body = String::from("entry:\n");
    let mut prev = "%arg".to_string();
    for i in 0..n {
        body.push_str(&format!("  %v{i} = add i32 {prev}, {i}\n"));
        prev = format!("%v{i}");
    }
    body.push_str("  br i1 %c, label %b.last, label %b.two\n");
    format!(
        "{AIR}define i32 @f(i32 %arg, i1 %c) {{\nb.first:\n  br label %entry\n{body}b.one:\n  br label %b.join\nb.two:\n  br label %b.join\nb.join:\n  %r = phi i32 [ {prev}, %b.one ], [ 0, %b.two ], [ 1, %b.zz ]\n  ret i32 %r\nb.last:\n  br label %b.one\nb.zz:\n  br label %b.join\n}}\n"
    )
}

#[test]
fn value_symbol_table_in_string_map_order() {
    // 12 names fit the initial 16 buckets; the others grow the table
    // once, twice and five times.
    for n in [4, 20, 40, 300] {
        same_as_llvm(&format!("vst{n}"), "vst.ll", &many_names(n));
    }
}

/// The llvm14 flavour writes 14.0.6 by default and, when told, another
/// 14.x release in both places LLVM writes its version: the
/// IDENTIFICATION string (`LLVM14.0.N`) and the irsymtab producer, read
/// back by llvm-bcanalyzer-14 and from the string table.
#[test]
fn llvm14_flavour_writes_the_release_it_is_given() {
    airlink_test_support::require_llvm_14();
    let text = format!("{AIR}@g = global i32 0\n");
    let module = air_ir::parse(&text, "release.ll").unwrap();
    for (producer, release) in [(None, "14.0.6"), (Some("14.0.0"), "14.0.0")] {
        let options = WriteOptions {
            flavour: Flavour::Llvm14,
            input_path: "release.ll".to_string(),
            producer: producer.map(str::to_string),
        };
        let ours = write_module(&module, &options).unwrap();
        let dump = airlink_test_support::llvm_bcanalyzer_dump(&ours).unwrap();
        assert!(
            dump.contains(&format!("record string = 'LLVM{release}'")),
            "{release}: {dump}"
        );
        let stream = common::read(&ours);
        let strtab = common::blob_of(&stream, BlockId::Strtab.id());
        let strtab = String::from_utf8_lossy(&strtab);
        assert!(strtab.contains(&format!("{release}air64_v28")), "{strtab}");
    }
}
