//! The three reference shells of
//! docs/air-conventions.md#the-reverse-linking-seed, checked field by field
//! against what the document says (expected values written by hand from
//! it, not taken from generated output). The simple and multi-buffer shells
//! are generated with 1D copies, as the originals use them.

mod common;

use air_ir::constant::ConstExpr;
use air_ir::inst::Call;
use air_ir::module::UnnamedAddr;
use air_ir::{AttrKind, ConstKind, Function, InstKind, Linkage, Metadata, Module, Opcode, Value};
use air_shell::{CopyForm, Options};

fn one_d() -> Options {
    Options {
        copy_form: Some(CopyForm::OneD),
        ..Options::default()
    }
}

fn type_text(m: &Module, t: air_ir::TypeId) -> String {
    air_ir::intrinsics::type_text(&m.types, t)
}

fn kernel<'m>(m: &'m Module, name: &str) -> &'m Function {
    m.function(
        m.function_by_name(name)
            .unwrap_or_else(|| panic!("no @{name}")),
    )
}

/// A metadata operand as text: strings bare, integers as numbers.
fn md_text(m: &Module, id: Option<air_ir::MetaId>) -> String {
    match id.map(|id| m.meta(id)) {
        Some(Metadata::String(s)) => String::from_utf8_lossy(s).into_owned(),
        Some(Metadata::Value {
            value: Value::Const(c),
            ..
        }) => match &m.consts.get(*c).kind {
            ConstKind::Int(v) => v.low_u64().to_string(),
            ConstKind::Function(f) => format!("@{}", m.function(*f).name),
            other => format!("{other:?}"),
        },
        other => format!("{other:?}"),
    }
}

fn node(m: &Module, id: air_ir::MetaId) -> Vec<Option<air_ir::MetaId>> {
    match m.meta(id) {
        Metadata::Node { operands, .. } => operands.clone(),
        other => panic!("not a node: {other:?}"),
    }
}

/// The argument nodes of the only `!air.kernel` entry, as text.
fn kernel_args(m: &Module) -> Vec<Vec<String>> {
    let k = m.named("air.kernel").expect("!air.kernel");
    assert_eq!(k.operands.len(), 1);
    let entry = node(m, k.operands[0]);
    assert_eq!(entry.len(), 3);
    assert!(
        node(m, entry[1].unwrap()).is_empty(),
        "stage outputs must be empty"
    );
    node(m, entry[2].unwrap())
        .into_iter()
        .map(|a| {
            node(m, a.unwrap())
                .into_iter()
                .map(|f| md_text(m, f))
                .collect()
        })
        .collect()
}

fn buffer_md(i: u32, access: &str, name: &str) -> Vec<String> {
    let i = i.to_string();
    [
        i.as_str(),
        "air.buffer",
        "air.location_index",
        i.as_str(),
        "1",
        access,
        "air.address_space",
        "1",
        "air.arg_type_size",
        "4",
        "air.arg_type_align_size",
        "4",
        "air.arg_type_name",
        "float",
        "air.arg_name",
        name,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn system_md(i: u32, attr: &str, name: &str, unused: bool) -> Vec<String> {
    let mut v: Vec<String> = [
        &i.to_string(),
        attr,
        "air.arg_type_name",
        "uint",
        "air.arg_name",
        name,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if unused {
        v.push("air.arg_unused".to_string());
    }
    v
}

/// The calls of a function, in layout order.
fn calls<'f>(m: &Module, f: &'f Function) -> Vec<(String, &'f Call)> {
    f.layout()
        .filter_map(|(_, id)| match &f.inst(id).kind {
            InstKind::Call(c) => {
                let name = match c.callee {
                    Value::Const(k) => match &m.consts.get(k).kind {
                        ConstKind::Function(fid) => m.function(*fid).name.clone(),
                        _ => String::new(),
                    },
                    _ => String::new(),
                };
                Some((name, c.as_ref()))
            }
            _ => None,
        })
        .collect()
}

/// A copy operand described structurally: integers as numbers, `<w,h>`
/// vectors, `tg_buf+N` for element N of the threadgroup global, and
/// `%arg+offset` for a kernel parameter reached through casts and GEPs.
fn operand(m: &Module, f: &Function, v: Value) -> String {
    match v {
        Value::Const(c) => konst(m, c),
        Value::Arg(i) => format!("%{}", f.params[i as usize].name.clone().unwrap_or_default()),
        Value::Inst(id) => match &f.inst(id).kind {
            InstKind::Cast {
                op: Opcode::BitCast,
                value,
            } => operand(m, f, *value),
            InstKind::GetElementPtr { base, indices, .. } => {
                format!("{}+[{}]", operand(m, f, *base), indices.len())
            }
            InstKind::Alloca { .. } => format!("%{}", f.inst(id).name.clone().unwrap_or_default()),
            other => format!("{other:?}"),
        },
        Value::Metadata(_) => "metadata".into(),
    }
}

fn konst(m: &Module, c: air_ir::ConstId) -> String {
    match &m.consts.get(c).kind {
        ConstKind::Int(v) => v.low_u64().to_string(),
        ConstKind::Zero => "<0,0>".to_string(),
        ConstKind::Vector(items) => format!(
            "<{}>",
            items
                .iter()
                .map(|i| konst(m, *i))
                .collect::<Vec<_>>()
                .join(",")
        ),
        ConstKind::Global(g) => m.globals[g.0 as usize].name.clone(),
        ConstKind::Expr(ConstExpr::Cast { value, .. }) => konst(m, *value),
        ConstKind::Expr(ConstExpr::GetElementPtr { base, indices, .. }) => {
            format!("{}+{}", konst(m, *base), konst(m, *indices.last().unwrap()))
        }
        other => format!("{other:?}"),
    }
}

fn copy_operands(m: &Module, f: &Function, call: &Call) -> Vec<String> {
    call.args.iter().map(|a| operand(m, f, *a)).collect()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The visible function's declaration and reference node
/// (docs/air-conventions.md#calling-a-visible-function-from-a-shell).
fn check_visible(m: &Module, name: &str, ir_type: &str) {
    let decl_name = format!("{name}.MTL_VISIBLE_FN_REF");
    let d = kernel(m, &decl_name);
    assert!(d.is_declaration());
    assert_eq!(type_text(m, d.ty), ir_type);
    assert_eq!(d.section.as_deref(), Some("air.externally_defined"));
    assert_eq!(d.unnamed_addr, UnnamedAddr::Local);
    assert_eq!(d.linkage, Linkage::External);
    assert!(
        d.fn_attrs.is_empty(),
        "no attribute group on the declaration"
    );
    let refs = m
        .named("air.visible_function_references")
        .expect("references");
    assert_eq!(refs.operands.len(), 1);
    let r: Vec<String> = node(m, refs.operands[0])
        .into_iter()
        .map(|o| md_text(m, o))
        .collect();
    assert_eq!(
        r,
        strs(&[
            "air.visible_function_reference",
            &format!("@{decl_name}"),
            name
        ])
    );
}

fn check_call_site(m: &Module, f: &Function, name: &str) {
    let decl_name = format!("{name}.MTL_VISIBLE_FN_REF");
    let (_, call) = calls(m, f)
        .into_iter()
        .find(|(n, _)| *n == decl_name)
        .expect("visible call");
    assert!(call.fn_attrs.has(AttrKind::NoBuiltin));
    assert!(call.fn_attrs.has(AttrKind::NoUnwind));
    assert_eq!(call.fn_attrs.get_string("no-builtins"), Some(""));
}

fn check_module_header(m: &Module) {
    assert_eq!(m.triple.as_deref(), Some("air64_v28-apple-macosx26.0.0"));
    let v = m.named("air.version").unwrap();
    let v: Vec<String> = node(m, v.operands[0])
        .into_iter()
        .map(|o| md_text(m, o))
        .collect();
    assert_eq!(v, strs(&["2", "8", "0"]));
    let l = m.named("air.language_version").unwrap();
    let l: Vec<String> = node(m, l.operands[0])
        .into_iter()
        .map(|o| md_text(m, o))
        .collect();
    assert_eq!(l, strs(&["Metal", "4", "0", "0"]));
}

fn check_tg_global(m: &Module, ty: &str) {
    assert_eq!(m.globals.len(), 1, "ONE threadgroup global");
    let g = &m.globals[0];
    assert_eq!(g.name, "tg_buf");
    assert_eq!(g.addrspace, 3);
    assert_eq!(g.linkage, Linkage::Internal);
    assert_eq!(g.align, Some(4));
    assert_eq!(type_text(m, g.value_ty), ty);
}

#[test]
fn simple_shell_matches_air_md_1_4() {
    let shell = common::generate("simple.toml", &one_d());
    let m = &shell.module;
    check_module_header(m);
    let k = kernel(m, "reverse_kernel");
    assert_eq!(
        type_text(m, k.ty),
        "void (float addrspace(1)*, float addrspace(1)*, i32, i32)"
    );
    let names: Vec<_> = k.params.iter().map(|p| p.name.clone().unwrap()).collect();
    assert_eq!(names, strs(&["src", "dst", "tid", "simd_lane"]));
    // Input: noundef "air-buffer-no-alias"; output adds nocapture writeonly.
    assert!(k.params[0].attrs.has(AttrKind::NoUndef));
    assert_eq!(
        k.params[0].attrs.get_string("air-buffer-no-alias"),
        Some("")
    );
    assert!(!k.params[0].attrs.has(AttrKind::WriteOnly));
    assert!(k.params[1].attrs.has(AttrKind::NoCapture));
    assert!(k.params[1].attrs.has(AttrKind::WriteOnly));
    assert!(k.params[2].attrs.has(AttrKind::NoUndef));
    assert_eq!(
        kernel_args(m),
        vec![
            buffer_md(0, "air.read", "src"),
            buffer_md(1, "air.read_write", "dst"),
            system_md(2, "air.thread_position_in_grid", "tid", false),
            system_md(3, "air.thread_index_in_simdgroup", "simd_lane", false),
        ]
    );
    // [128 x float]: 512 bytes, 32 used per threadgroup.
    check_tg_global(m, "[128 x float]");
    assert_eq!(shell.manifest.threadgroup_bytes, 512);

    let cs = calls(m, k);
    let order: Vec<&str> = cs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        order,
        [
            "llvm.lifetime.start.p0i8",
            "air.simdgroup_async_copy_1d.p3i8.p1i8",
            "air.wait_simdgroup_events",
            "air.wg.barrier",
            "transform_value.MTL_VISIBLE_FN_REF",
            "llvm.lifetime.end.p0i8",
        ]
    );
    // (4, 32, tg, src + (tid / 32) * 32, 0): the seed's hardware-run form.
    assert_eq!(
        copy_operands(m, k, cs[1].1),
        strs(&["4", "32", "tg_buf", "%src+[1]", "0"])
    );
    assert_eq!(copy_operands(m, k, cs[0].1), strs(&["8", "%event"]));
    assert_eq!(copy_operands(m, k, cs[2].1), strs(&["1", "%event"]));
    assert_eq!(copy_operands(m, k, cs[3].1), strs(&["2", "1"]));
    let text = shell.ll_text();
    assert!(text.contains("%0 = sdiv i64 %tid.i64, 32"), "{text}");
    assert!(text.contains("= mul i64 %0, 32"), "{text}");
    // Every lane reads tg_buf[simd_lane] and stores the result to dst[tid].
    assert!(
        text.contains(
            "%result = call float @transform_value.MTL_VISIBLE_FN_REF(float %tile.val) #"
        ),
        "{text}"
    );
    assert!(
        text.contains("store float %result, float addrspace(1)* %dst.elem, align 4"),
        "{text}"
    );
    check_visible(m, "transform_value", "float (float)");
    check_call_site(m, k, "transform_value");
    assert!(shell
        .msl_prototypes
        .contains("[[visible]] float transform_value(float v);"));
    common::assert_llvm_as_accepts(&text, "simple_1d");
}

#[test]
fn simple_shell_in_2d_uses_a_tile_of_height_one() {
    let shell = common::generate("simple.toml", &Options::default());
    let m = &shell.module;
    let k = kernel(m, "reverse_kernel");
    let cs = calls(m, k);
    let (name, call) = &cs[1];
    assert_eq!(name, "air.simdgroup_async_copy_2d.p3i8.p1i8");
    assert_eq!(
        copy_operands(m, k, call),
        strs(&[
            "4", "4", "tg_buf", "32", "1", "<32,1>", "%src+[1]", "32", "1", "<32,1>", "<0,0>", "0"
        ])
    );
}

#[test]
fn multi_buffer_shell_matches_air_md_1_5() {
    let shell = common::generate("multi_buffer.toml", &one_d());
    let m = &shell.module;
    check_module_header(m);
    assert_eq!(m.source_filename.as_deref(), Some("reverse_kernel_v4"));
    let k = kernel(m, "gemm_kernel");
    assert_eq!(
        type_text(m, k.ty),
        "void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32, i32, i32)"
    );
    assert!(!k.params[0].attrs.has(AttrKind::WriteOnly));
    assert!(!k.params[1].attrs.has(AttrKind::WriteOnly));
    assert!(k.params[2].attrs.has(AttrKind::WriteOnly));
    assert_eq!(
        kernel_args(m),
        vec![
            buffer_md(0, "air.read", "A"),
            buffer_md(1, "air.read", "B"),
            buffer_md(2, "air.read_write", "C"),
            system_md(3, "air.thread_position_in_grid", "tid", false),
            system_md(4, "air.thread_index_in_simdgroup", "simd_lane", false),
            system_md(5, "air.threadgroup_position_in_grid", "tg_idx", false),
        ]
    );
    // A in elements 0-31, B in 32-63 of the one global.
    check_tg_global(m, "[64 x float]");
    let cs = calls(m, k);
    let order: Vec<&str> = cs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        order,
        [
            "llvm.lifetime.start.p0i8",
            "air.simdgroup_async_copy_1d.p3i8.p1i8",
            "air.wait_simdgroup_events",
            "air.simdgroup_async_copy_1d.p3i8.p1i8",
            "air.wait_simdgroup_events",
            "air.wg.barrier",
            "compute_tile.MTL_VISIBLE_FN_REF",
            "llvm.lifetime.end.p0i8",
        ]
    );
    assert_eq!(
        copy_operands(m, k, cs[1].1),
        strs(&["4", "32", "tg_buf", "%A+[1]", "0"])
    );
    assert_eq!(
        copy_operands(m, k, cs[3].1),
        strs(&["4", "32", "tg_buf+32", "%B+[1]", "0"])
    );
    // Both copies use the same event slot, serially.
    assert_eq!(copy_operands(m, k, cs[2].1), copy_operands(m, k, cs[4].1));
    assert_eq!(
        copy_operands(m, k, cs[6].1),
        strs(&["tg_buf+0", "tg_buf+32", "%C", "%tid", "%simd_lane"])
    );
    let text = shell.ll_text();
    assert!(
        text.contains("= mul i64 %tg_idx.i64, 32"),
        "device tile offset tg_idx * 32: {text}"
    );
    check_visible(
        m,
        "compute_tile",
        "void (float addrspace(3)*, float addrspace(3)*, float addrspace(1)*, i32, i32)",
    );
    check_call_site(m, k, "compute_tile");
    assert!(shell.msl_prototypes.contains(
        "[[visible]] void compute_tile(threadgroup float* A, threadgroup float* B, device float* C, uint tid, uint lane);"
    ));
    common::assert_llvm_as_accepts(&text, "multi_buffer_1d");
}

#[test]
fn copy_2d_shell_matches_air_md_1_6() {
    let shell = common::generate("copy_2d.toml", &Options::default());
    let m = &shell.module;
    check_module_header(m);
    let k = kernel(m, "copy_2d_roundtrip_kernel");
    assert_eq!(
        type_text(m, k.ty),
        "void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32)"
    );
    // tid and tg_idx are never read: air.arg_unused, as the offline compiler writes.
    assert_eq!(
        kernel_args(m),
        vec![
            buffer_md(0, "air.read", "src"),
            buffer_md(1, "air.read_write", "dst"),
            system_md(2, "air.thread_position_in_grid", "tid", true),
            system_md(3, "air.thread_index_in_simdgroup", "simd_lane", false),
            system_md(4, "air.threadgroup_position_in_grid", "tg_idx", true),
        ]
    );
    // Exactly one 8-row x 4-column tile.
    check_tg_global(m, "[32 x float]");
    let cs = calls(m, k);
    let order: Vec<&str> = cs.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        order,
        [
            "llvm.lifetime.start.p0i8",
            "air.simdgroup_async_copy_2d.p3i8.p1i8",
            "air.wait_simdgroup_events",
            "air.wg.barrier",
            "process_tile.MTL_VISIBLE_FN_REF",
            "air.wg.barrier",
            "air.simdgroup_async_copy_2d.p1i8.p3i8",
            "air.wait_simdgroup_events",
            "llvm.lifetime.end.p0i8",
        ],
        "ends with a wait and no barrier"
    );
    // (size 4, align 4, dst = tg, pitch 4, stride 1, tile <4,8>, src, pitch 16,
    //  stride 1, tile <4,8>, offset <0,0>, clamp 0); then the mirror image.
    assert_eq!(
        copy_operands(m, k, cs[1].1),
        strs(&["4", "4", "tg_buf", "4", "1", "<4,8>", "%src", "16", "1", "<4,8>", "<0,0>", "0"])
    );
    assert_eq!(
        copy_operands(m, k, cs[6].1),
        strs(&["4", "4", "%dst", "16", "1", "<4,8>", "tg_buf", "4", "1", "<4,8>", "<0,0>", "0"])
    );
    assert_eq!(
        copy_operands(m, k, cs[4].1),
        strs(&["tg_buf+0", "%simd_lane"])
    );
    check_visible(m, "process_tile", "void (float addrspace(3)*, i32)");
    check_call_site(m, k, "process_tile");
    assert!(shell
        .msl_prototypes
        .contains("[[visible]] void process_tile(threadgroup float* tg, uint simd_lane);"));
    common::assert_llvm_as_accepts(&shell.ll_text(), "copy_2d");
}

#[test]
fn inline_mode_links_the_body_and_references_nothing() {
    let shell = common::generate(
        "copy_2d.toml",
        &Options {
            body: Some(air_shell::BodyMode::Inline),
            ..Options::default()
        },
    );
    let m = &shell.module;
    assert!(m.named("air.visible_function_references").is_none());
    let body = kernel(m, "process_tile");
    assert!(!body.is_declaration());
    assert_eq!(body.linkage, Linkage::Internal);
    assert!(m
        .function_by_name("process_tile.MTL_VISIBLE_FN_REF")
        .is_none());
    assert!(shell.manifest.visible.is_empty());
}
