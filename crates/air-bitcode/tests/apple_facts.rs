//! What Apple's writer does, as measured on the public Apple-built modules
//! (docs/bitcode-rules.md#apples-differences), each fact checked
//! against hand-written records so that CI checks it without the files:
//!
//! - METADATA_KIND: `heapallocsite` only when some function has a body
//!   instruction other than `ret` (65 of 65 modules of AIR 2.3-2.8);
//! - the attribute group of `llvm.lifetime.*`: `argmemonly nocallback
//!   nofree nosync nounwind willreturn`, `immarg` and `nocapture` on the
//!   parameters, whatever the text said (17 of 17 modules);
//! - the irsymtab producer: the given compiler version, even when
//!   `!llvm.ident` names another (`32023.850.10` in the SEED shells' Apple
//!   builds, whose text says `metalfe-32023.850`).

mod common;

use air_bitcode::{write_module, Flavour, WriteOptions};
use llvm_bitcode_schema::BlockId;
use llvm_bitstream::{Block, Stream};

const HEAD: &str = r#"target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"
"#;

fn apple(text: &str, producer: Option<&str>) -> Stream {
    let module = air_ir::parse(text, "k.ll").unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&module).unwrap_or_else(|e| panic!("{e:?}"));
    let options = WriteOptions {
        flavour: Flavour::Apple,
        input_path: "k.ll".into(),
        producer: producer.map(str::to_string),
    };
    let bytes = write_module(&module, &options).unwrap_or_else(|e| panic!("{e}"));
    common::read(&bytes)
}

fn module_block(s: &Stream) -> &Block {
    s.blocks
        .iter()
        .find(|b| b.id == BlockId::Module.id())
        .unwrap()
}

/// The records of the module's sub-block `id`, as operand lists.
fn records(s: &Stream, id: BlockId) -> Vec<Vec<u64>> {
    module_block(s)
        .blocks()
        .find(|b| b.id == id.id())
        .map(|b| b.records().map(|r| r.ops.clone()).collect())
        .unwrap_or_default()
}

/// A METADATA_KIND `KIND` record: `[id, chars...]`.
fn kind(id: u64, name: &str) -> Vec<u64> {
    std::iter::once(id)
        .chain(name.bytes().map(u64::from))
        .collect()
}

#[test]
fn md_kinds_have_heapallocsite_only_with_a_body_beyond_ret() {
    let ret_only = format!("{HEAD}define void @k() {{\n  ret void\n}}\n");
    let kinds = records(&apple(&ret_only, None), BlockId::MetadataKind);
    assert_eq!(kinds.len(), 32);
    assert_eq!(kinds[30], kind(30, "annotation"));
    assert_eq!(kinds[31], kind(31, "air.function_groups"));

    let with_body = format!(
        "{HEAD}define void @k(i32 addrspace(1)* %p) {{\n  store i32 1, i32 addrspace(1)* %p, align 4\n  ret void\n}}\n"
    );
    let kinds = records(&apple(&with_body, None), BlockId::MetadataKind);
    assert_eq!(kinds.len(), 33);
    assert_eq!(kinds[31], kind(31, "heapallocsite"));
    assert_eq!(kinds[32], kind(32, "air.function_groups"));

    // A declaration has no body; only instructions of definitions count.
    let decl_only = format!("{HEAD}declare void @f()\ndefine void @k() {{\n  ret void\n}}\n");
    let kinds = records(&apple(&decl_only, None), BlockId::MetadataKind);
    assert_eq!(kinds[31], kind(31, "air.function_groups"));
}

#[test]
fn lifetime_markers_get_apples_attribute_group() {
    // The SEED shells' text (argmemonly mustprogress nocallback ...); Apple's
    // builds of them carry the group below (mustprogress gone).
    let text = format!(
        r#"{HEAD}
define void @k() {{
  %a = alloca i32, align 4
  %p = bitcast i32* %a to i8*
  call void @llvm.lifetime.start.p0i8(i64 4, i8* %p)
  call void @llvm.lifetime.end.p0i8(i64 4, i8* %p)
  ret void
}}

declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #0
declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #0

attributes #0 = {{ argmemonly mustprogress nocallback nofree nosync nounwind willreturn }}
"#
    );
    let groups = records(&apple(&text, None), BlockId::ParamattrGroup);
    // [group id, index (function = 2^32 - 1), (0 = enum, kind)...] with
    // argmemonly 45, nocallback 71, nofree 62, nosync 63, nounwind 18,
    // willreturn 61 in LLVM's attribute order; immarg 60 on parameter 1,
    // nocapture 11 on parameter 2.
    assert_eq!(
        groups,
        vec![
            vec![1, 4294967295, 0, 45, 0, 71, 0, 62, 0, 63, 0, 18, 0, 61],
            vec![2, 1, 0, 60],
            vec![3, 2, 0, 11],
        ]
    );
    // Both declarations share the one list.
    assert_eq!(
        records(&apple(&text, None), BlockId::Paramattr),
        vec![vec![1, 2, 3]]
    );
}

#[test]
fn irsymtab_producer_is_the_given_compiler_version() {
    let text = format!(
        "{HEAD}define void @k() {{\n  ret void\n}}\n!llvm.ident = !{{!0}}\n!0 = !{{!\"Apple metal version 32023.850 (metalfe-32023.850)\"}}\n"
    );
    for (producer, expected) in [(None, "32023.850"), (Some("32023.850.10"), "32023.850.10")] {
        let s = apple(&text, producer);
        let symtab = common::blob_of(&s, BlockId::Symtab.id());
        let strtab = common::blob_of(&s, BlockId::Strtab.id());
        let word = |i: usize| u32::from_le_bytes(symtab[i * 4..i * 4 + 4].try_into().unwrap());
        // irsymtab header: version 3, then the producer as (offset, size)
        // into STRTAB, right after the module's one name `k`.
        assert_eq!(word(0), 3);
        assert_eq!((word(1), word(2)), (1, expected.len() as u32));
        let after_names = format!("k{expected}air64_v28-apple-macosx26.0.0");
        assert!(
            strtab.starts_with(after_names.as_bytes()),
            "{:?}",
            String::from_utf8_lossy(&strtab)
        );
    }
}
