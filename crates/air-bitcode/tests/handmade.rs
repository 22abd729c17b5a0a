//! Small hand-written modules that pin down one behaviour each, against
//! `llvm-as-14`, plus a check that the comparison really compares.

mod common;

use air_bitcode::{write_module, Flavour, WriteOptions};

/// Writes `text` as `name` in a scratch directory, assembles it with both
/// writers (same relative path and directory) and compares.
fn same_as_llvm(tag: &str, name: &str, text: &str) -> (Vec<u8>, Vec<u8>) {
    common::require_llvm14();
    let dir = common::scratch_dir(tag);
    std::fs::write(dir.join(name), text).unwrap();
    let module = air_ir::parse(text, name).unwrap_or_else(|e| panic!("{tag}: {e}"));
    let options = WriteOptions {
        flavour: Flavour::Llvm14,
        input_path: name.to_string(),
    };
    let ours = write_module(&module, &options).unwrap();
    let theirs = common::llvm_as(&dir, name).unwrap();
    common::llvm_accepts(&ours, &dir).unwrap();
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
