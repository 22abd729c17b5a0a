//! Parser tests: each construct of the grammar, checked on the model.

use air_ir::attributes::{AttrKind, Attribute};
use air_ir::constant::{ConstExpr, ConstKind};
use air_ir::inst::{InstKind, Opcode, Ordering, TailKind};
use air_ir::module::{Linkage, UnnamedAddr, Visibility};
use air_ir::types::{StructBody, Type};
use air_ir::{Flags, Metadata, Module, Value};

fn parse(src: &str) -> Module {
    match air_ir::parse(src, "test.ll") {
        Ok(m) => m,
        Err(e) => panic!("unexpected parse error:\n{e}"),
    }
}

fn parse_err(src: &str) -> air_ir::ParseError {
    match air_ir::parse(src, "bad.ll") {
        Ok(_) => panic!("expected a parse error for:\n{src}"),
        Err(e) => e,
    }
}

fn corpus(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    std::fs::read_to_string(path).expect("corpus file")
}

fn insts(m: &Module, f: &str) -> Vec<InstKind> {
    let f = m.function(m.function_by_name(f).expect("function exists"));
    f.layout().map(|(_, i)| f.inst(i).kind.clone()).collect()
}

#[test]
fn header_fields() {
    let m = parse(
        r#"; ModuleID = 'x'
source_filename = "x.metal"
target datalayout = "e-p:64:64:64"
target triple = "air64_v28-apple-macosx26.0.0"
module asm "nop"
"#,
    );
    assert_eq!(m.source_filename.as_deref(), Some("x.metal"));
    assert_eq!(m.datalayout.as_deref(), Some("e-p:64:64:64"));
    assert_eq!(m.triple.as_deref(), Some("air64_v28-apple-macosx26.0.0"));
    assert_eq!(m.module_asm, ["nop"]);
}

#[test]
fn types_all_forms() {
    let m = parse(
        r#"
%fwd.user = type { %later*, [2 x <4 x float>], <{ i8, i32 }>, {} }
%later = type <{ half, bfloat, double }>
%opaque = type opaque
%0 = type { i32 }
%"quoted name" = type { i7 }
@g = global void (i32, ...)* null
@h = global i32 (i8*)** null
@p = global %opaque addrspace(3)* null
@n = global %0 zeroinitializer
@q = global %"quoted name" zeroinitializer
"#,
    );
    let t = &m.types;
    let later = t.find(&Type::Named("later".into())).unwrap();
    assert_eq!(
        t.struct_body(later),
        Some(&StructBody::Fields {
            fields: vec![
                t.find(&Type::Half).unwrap(),
                t.find(&Type::BFloat).unwrap(),
                t.find(&Type::Double).unwrap()
            ],
            packed: true
        })
    );
    let user = t.find(&Type::Named("fwd.user".into())).unwrap();
    assert_eq!(t.struct_fields(user).unwrap().len(), 4);
    let opaque = t.find(&Type::Named("opaque".into())).unwrap();
    assert_eq!(t.struct_body(opaque), Some(&StructBody::Opaque));
    let g = &m.globals[0];
    let (pointee, _) = t.pointer_parts(g.value_ty).unwrap();
    let (_, params, varargs) = t.function_parts(pointee).unwrap();
    assert_eq!(params.len(), 1);
    assert!(varargs);
    assert_eq!(t.pointer_parts(m.globals[2].value_ty).unwrap().1, 3);
    assert!(t.find(&Type::Named("0".into())).is_some());
    assert!(t.find(&Type::Named("quoted name".into())).is_some());
}

#[test]
fn undefined_named_type_is_an_error() {
    let e = parse_err("@g = global %missing* null\n");
    assert_eq!(e.message, "use of undefined type named 'missing'");
    assert_eq!((e.line, e.col), (1, 13));
}

#[test]
fn globals_all_properties() {
    let m = parse(
        r#"
@a = internal addrspace(3) global [4 x float] undef, align 4
@b = private unnamed_addr constant [3 x i8] c"a\0A\00", section "s", align 1
@c = external global i32
@d = dso_local hidden thread_local local_unnamed_addr externally_initialized global i32 5, !md !0
@"quoted g" = weak_odr protected global i1 true
@0 = global i32 0
@e = global i32* @0
!0 = !{}
"#,
    );
    let a = &m.globals[0];
    assert_eq!(
        (a.linkage, a.addrspace, a.align, a.is_constant),
        (Linkage::Internal, 3, Some(4), false)
    );
    assert!(matches!(
        m.consts.get(a.initializer.unwrap()).kind,
        ConstKind::Undef
    ));
    let b = &m.globals[1];
    assert_eq!(b.unnamed_addr, UnnamedAddr::Global);
    assert_eq!(b.section.as_deref(), Some("s"));
    assert!(b.is_constant);
    assert_eq!(
        m.consts.get(b.initializer.unwrap()).kind,
        ConstKind::String(b"a\n\0".to_vec())
    );
    assert_eq!(m.globals[2].initializer, None);
    let d = &m.globals[3];
    assert!(d.dso_local && d.externally_initialized);
    assert_eq!(d.thread_local, air_ir::module::ThreadLocal::GeneralDynamic);
    assert_eq!(
        (d.visibility, d.unnamed_addr),
        (Visibility::Hidden, UnnamedAddr::Local)
    );
    assert_eq!(d.attachments.len(), 1);
    assert_eq!(m.globals[4].name, "quoted g");
    assert_eq!(m.globals[5].name, "0");
    let e_init = m.consts.get(m.globals[6].initializer.unwrap());
    assert!(matches!(e_init.kind, ConstKind::Global(g) if g.0 == 5));
}

#[test]
fn constants_all_forms() {
    let m = parse(
        r#"
%S = type { i32, float }
%P = type <{ i8, i16 }>
@i = global i128 -170141183460469231731687303715884105728
@i7 = global i7 -1
@hx = global i32 s0xFF
@ux = global i16 u0x8000
@f = global float 0x3FF0000000000000
@fd = global float -2.5e+01
@h = global half 0xH3C00
@bf = global bfloat 0xR3F80
@hd = global half 1.0
@d = global double 0x7FF8000000000001
@nz = global double -0.000000e+00
@arr = global [2 x i32] [i32 1, i32 2]
@vec = global <2 x float> <float 1.0, float 2.0>
@st = global %S { i32 1, float 0.5 }
@pk = global %P <{ i8 1, i16 2 }>
@lit = global { i32, <{ i8 }> } { i32 3, <{ i8 }> <{ i8 4 }> }
@empty = global [0 x i32] []
@z = global [8 x float] zeroinitializer
@po = global i32 poison
@gep = global float* getelementptr inbounds ([2 x float], [2 x float]* @two, i64 0, i64 1)
@two = global [2 x float] zeroinitializer
@cast = global i64 ptrtoint (float* getelementptr (float, float* null, i32 1) to i64)
@bin = global i32 add nuw nsw (i32 1, i32 2)
@cmp = global i1 icmp eq (i32 1, i32 2)
@sel = global i32 select (i1 true, i32 1, i32 2)
@fn = global float fneg (float 1.0)
@ee = global i32 extractelement (<2 x i32> <i32 1, i32 2>, i32 0)
@sv = global <2 x i32> shufflevector (<2 x i32> <i32 1, i32 2>, <2 x i32> undef, <2 x i32> <i32 1, i32 0>)
"#,
    );
    let init = |name: &str| {
        let g = &m.globals[m.global_by_name(name).unwrap().0 as usize];
        m.consts.get(g.initializer.unwrap()).clone()
    };
    let ConstKind::Int(v) = init("i").kind else {
        panic!()
    };
    assert_eq!(
        v.to_signed_string(128),
        "-170141183460469231731687303715884105728"
    );
    let ConstKind::Int(v) = init("i7").kind else {
        panic!()
    };
    assert_eq!(v.words(), &[0x7f]);
    let ConstKind::Int(v) = init("hx").kind else {
        panic!()
    };
    assert_eq!(v.words(), &[0xFFFF_FFFF]);
    let ConstKind::Int(v) = init("ux").kind else {
        panic!()
    };
    assert_eq!(v.words(), &[0x8000]);
    assert_eq!(init("f").kind, ConstKind::Float(0x3F80_0000));
    assert_eq!(
        init("fd").kind,
        ConstKind::Float(u64::from((-25.0f32).to_bits()))
    );
    assert_eq!(init("h").kind, ConstKind::Float(0x3C00));
    assert_eq!(init("bf").kind, ConstKind::Float(0x3F80));
    assert_eq!(init("hd").kind, ConstKind::Float(0x3C00));
    assert_eq!(init("d").kind, ConstKind::Float(0x7FF8_0000_0000_0001));
    assert_eq!(init("nz").kind, ConstKind::Float(0x8000_0000_0000_0000));
    assert!(matches!(init("arr").kind, ConstKind::Array(ref v) if v.len() == 2));
    assert!(matches!(init("vec").kind, ConstKind::Vector(ref v) if v.len() == 2));
    assert!(matches!(init("st").kind, ConstKind::Struct(ref v) if v.len() == 2));
    assert!(matches!(init("pk").kind, ConstKind::Struct(_)));
    assert!(matches!(init("lit").kind, ConstKind::Struct(_)));
    assert!(matches!(init("empty").kind, ConstKind::Array(ref v) if v.is_empty()));
    assert_eq!(init("z").kind, ConstKind::Zero);
    assert_eq!(init("po").kind, ConstKind::Poison);
    assert!(matches!(
        init("gep").kind,
        ConstKind::Expr(ConstExpr::GetElementPtr { inbounds: true, ref indices, .. }) if indices.len() == 2
    ));
    assert!(matches!(
        init("cast").kind,
        ConstKind::Expr(ConstExpr::Cast {
            op: Opcode::PtrToInt,
            ..
        })
    ));
    assert!(matches!(
        init("bin").kind,
        ConstKind::Expr(ConstExpr::Binary { op: Opcode::Add, flags, .. }) if flags == Flags::NUW.with(Flags::NSW)
    ));
    assert!(matches!(
        init("cmp").kind,
        ConstKind::Expr(ConstExpr::ICmp { .. })
    ));
    assert!(matches!(
        init("sel").kind,
        ConstKind::Expr(ConstExpr::Select { .. })
    ));
    assert!(matches!(
        init("fn").kind,
        ConstKind::Expr(ConstExpr::FNeg(_))
    ));
    assert!(matches!(
        init("ee").kind,
        ConstKind::Expr(ConstExpr::ExtractElement { .. })
    ));
    assert!(matches!(
        init("sv").kind,
        ConstKind::Expr(ConstExpr::ShuffleVector { .. })
    ));
}

#[test]
fn inexact_float_literals_are_rejected() {
    let e = parse_err("@f = global float 0.1\n");
    assert_eq!(e.message, "floating point constant invalid for type");
    assert_eq!((e.line, e.col), (1, 19));
    parse_err("@f = global half 0x3FB999999999999A\n");
    parse_err("@f = global float 0xH3C00\n");
    parse_err("@f = global i32 1.0\n");
    parse_err("@f = global float 1\n");
}

#[test]
fn kernel_with_groups_and_forward_function_refs() {
    let m = parse(&corpus("copy_2d.ll"));
    let kid = m.function_by_name("copy_2d_roundtrip_kernel").unwrap();
    let k = m.function(kid);
    assert_eq!(k.params.len(), 5);
    assert_eq!(k.params[0].name.as_deref(), Some("src"));
    assert_eq!(
        k.params[0].attrs.get_string("air-buffer-no-alias"),
        Some("")
    );
    assert!(k.params[1].attrs.has(AttrKind::NoCapture));
    // Group #0 merged into the function attributes.
    assert!(k.fn_attrs.has(AttrKind::Convergent));
    assert_eq!(k.fn_attrs.get_string("frame-pointer"), Some("none"));
    assert_eq!(k.unnamed_addr, UnnamedAddr::Local);
    // The two 2D copies have 12 arguments each.
    let copies: Vec<_> = k
        .insts
        .iter()
        .filter_map(|i| match &i.kind {
            InstKind::Call(c) => Some(c),
            _ => None,
        })
        .filter(|c| c.args.len() == 12)
        .collect();
    assert_eq!(copies.len(), 2);
    // Call-site group #4 merged.
    let visible = k
        .insts
        .iter()
        .find_map(|i| match &i.kind {
            InstKind::Call(c) if c.fn_attrs.has(AttrKind::NoBuiltin) => Some(c),
            _ => None,
        })
        .expect("call with #4");
    assert_eq!(visible.fn_attrs.get_string("no-builtins"), Some(""));
    // `!0` names the kernel, which the metadata reaches through a constant.
    let kernel_md = m.named("air.kernel").unwrap().operands[0];
    let Metadata::Node { operands, .. } = m.meta(kernel_md) else {
        panic!()
    };
    let Metadata::Value {
        value: Value::Const(c),
        ..
    } = m.meta(operands[0].unwrap())
    else {
        panic!()
    };
    assert_eq!(m.consts.get(*c).kind, ConstKind::Function(kid));
    // The declaration after the use has its section.
    let tile = m.function(
        m.function_by_name("process_tile.MTL_VISIBLE_FN_REF")
            .unwrap(),
    );
    assert_eq!(tile.section.as_deref(), Some("air.externally_defined"));
    assert!(tile.is_declaration());
    // Globals and functions keep text order.
    assert_eq!(m.functions[0].name, "copy_2d_roundtrip_kernel");
    assert_eq!(m.functions[1].name, "air.simdgroup_async_copy_2d.p3i8.p1i8");
}

#[test]
fn attributes_all_forms() {
    let m = parse(
        r#"
%T = type { i32 }
define internal fastcc noundef zeroext i8 @f(%T* byval(%T) align 8 %a, i8* sret(%T) %b, i32* dereferenceable(16) dereferenceable_or_null(8) %c, i8* byval %d) unnamed_addr #1 alignstack(16) "inline"="yes" align 32 {
  ret i8 0
}
declare i8* @g(i64, i64) allocsize(0, 1) vscale_range(2) #0
declare cc 10 void @h()
declare coldcc void @k()
attributes #0 = { nounwind "k" "a"="b" alignstack=8 }
attributes #1 = { align=16 readnone }
"#,
    );
    let f = &m.functions[0];
    assert_eq!(f.cc.0, 8);
    assert_eq!(f.linkage, Linkage::Internal);
    assert_eq!(f.unnamed_addr, UnnamedAddr::Global);
    assert!(f.ret_attrs.has(AttrKind::NoUndef) && f.ret_attrs.has(AttrKind::ZExt));
    let t = m.types.find(&Type::Named("T".into())).unwrap();
    assert_eq!(
        f.params[0].attrs.get(AttrKind::ByVal),
        Some(&Attribute::Type(AttrKind::ByVal, Some(t)))
    );
    assert_eq!(
        f.params[0].attrs.get(AttrKind::Alignment),
        Some(&Attribute::Int(AttrKind::Alignment, 8))
    );
    assert_eq!(
        f.params[1].attrs.get(AttrKind::StructRet),
        Some(&Attribute::Type(AttrKind::StructRet, Some(t)))
    );
    assert_eq!(
        f.params[2].attrs.get(AttrKind::Dereferenceable),
        Some(&Attribute::Int(AttrKind::Dereferenceable, 16))
    );
    assert_eq!(
        f.params[3].attrs.get(AttrKind::ByVal),
        Some(&Attribute::Type(AttrKind::ByVal, None))
    );
    assert!(f.fn_attrs.has(AttrKind::ReadNone));
    assert_eq!(
        f.fn_attrs.get(AttrKind::StackAlignment),
        Some(&Attribute::Int(AttrKind::StackAlignment, 16))
    );
    assert_eq!(f.fn_attrs.get_string("inline"), Some("yes"));
    // `align` among function attributes is the function's alignment; the
    // inline `align 32` wins over the group's.
    assert!(!f.fn_attrs.has(AttrKind::Alignment));
    assert!(f.align == Some(32) || f.align == Some(16));
    let g = &m.functions[1];
    assert_eq!(
        g.fn_attrs.get(AttrKind::AllocSize),
        Some(&Attribute::Int(AttrKind::AllocSize, 1))
    );
    assert_eq!(
        g.fn_attrs.get(AttrKind::VScaleRange),
        Some(&Attribute::Int(AttrKind::VScaleRange, 2 << 32 | 2))
    );
    assert_eq!(
        g.fn_attrs.get(AttrKind::StackAlignment),
        Some(&Attribute::Int(AttrKind::StackAlignment, 8))
    );
    assert_eq!(g.fn_attrs.get_string("a"), Some("b"));
    assert_eq!(m.functions[2].cc.0, 10);
    assert_eq!(m.functions[3].cc.0, 9);
    let e = parse_err("declare void @f() bogus\n");
    assert_eq!(e.message, "unknown attribute 'bogus'");
    let e = parse_err("attributes #0 = { nounwind frobnicate }\n");
    assert_eq!(e.message, "unknown attribute 'frobnicate'");
    assert_eq!((e.line, e.col), (1, 28));
}

#[test]
fn instructions_all_kinds() {
    let m = parse(
        r#"
%S = type { i32, float }
@g = global i32 0
define i32 @all(i32 %a, float %f, <4 x float> %v, i32* %p, %S %s, i1 %c) {
entry:
  %add = add nuw nsw i32 %a, 1
  %ex = udiv exact i32 %add, 2
  %fm = fmul fast float %f, 2.0
  %fc = fadd nnan ninf contract float %fm, %f
  %ng = fneg reassoc float %fc
  %ic = icmp sgt i32 %a, 0
  %vc = fcmp olt <4 x float> %v, zeroinitializer
  %sel = select i1 %ic, i32 %a, i32 %add
  %z = zext i32 %a to i64
  %bc = bitcast i32* %p to float*
  %al = alloca [4 x i32], align 16
  %al2 = alloca i32, i32 4, addrspace(3)
  %ld = load volatile i32, i32* %p, align 4, !tbaa !0
  store i32 %ld, i32* %p, align 4
  %la = load atomic i32, i32* %p syncscope("agent") acquire, align 4
  store atomic volatile i32 %la, i32* %p seq_cst, align 4
  %gp = getelementptr inbounds %S, %S* null, i64 0, i32 1
  %e0 = extractelement <4 x float> %v, i64 0
  %ie = insertelement <4 x float> %v, float %e0, i32 3
  %sh = shufflevector <4 x float> %v, <4 x float> %ie, <2 x i32> <i32 0, i32 5>
  %xv = extractvalue %S %s, 1
  %iv = insertvalue %S %s, i32 %a, 0
  %rmw = atomicrmw volatile add i32* %p, i32 1 syncscope("workgroup") monotonic, align 4
  %cx = cmpxchg weak i32* %p, i32 0, i32 1 acq_rel monotonic
  fence syncscope("singlethread") release
  %fr = freeze i32 %a
  %r = tail call fast float @callee(float %f) #0
  %u = call i32 (i8*, ...) @vararg(i8* null, i32 1, double 2.0)
  switch i32 %a, label %other [
    i32 1, label %one
    i32 2, label %other
  ]
one:
  br i1 %c, label %other, label %exit
other:
  br label %exit
exit:
  %phi = phi i32 [ 1, %one ], [ %a, %other ]
  ret i32 %phi
dead:
  unreachable
}
declare float @callee(float)
declare i32 @vararg(i8*, ...)
attributes #0 = { nounwind }
!0 = !{!"int", !1}
!1 = !{}
"#,
    );
    let f = m.function(m.function_by_name("all").unwrap());
    let kinds = insts(&m, "all");
    assert_eq!(kinds.len(), 34);
    let by_name = |n: &str| {
        f.insts
            .iter()
            .find(|i| i.name.as_deref() == Some(n))
            .unwrap_or_else(|| panic!("no %{n}"))
    };
    assert_eq!(by_name("add").flags, Flags::NUW.with(Flags::NSW));
    assert_eq!(by_name("ex").flags, Flags::EXACT);
    assert_eq!(by_name("fm").flags, Flags::FAST);
    assert_eq!(
        by_name("fc").flags,
        Flags::NNAN.with(Flags::NINF).with(Flags::CONTRACT)
    );
    assert_eq!(by_name("ng").flags, Flags::REASSOC);
    let vc = by_name("vc");
    assert_eq!(m.types.vector_parts(vc.ty).map(|p| p.0), Some(4));
    assert_eq!(by_name("ld").attachments.len(), 1);
    assert_eq!(by_name("ld").attachments[0].0, "tbaa");
    let InstKind::Load {
        atomic: Some(a), ..
    } = &by_name("la").kind
    else {
        panic!()
    };
    assert_eq!((a.ordering, a.scope.as_str()), (Ordering::Acquire, "agent"));
    assert_eq!(m.types.pointer_parts(by_name("al2").ty).unwrap().1, 3);
    assert_eq!(
        m.types
            .int_width(m.types.pointer_parts(by_name("gp").ty).unwrap().0),
        None
    );
    assert_eq!(m.types.struct_fields(by_name("cx").ty).unwrap().len(), 2);
    assert_eq!(m.types.vector_parts(by_name("sh").ty).unwrap().0, 2);
    let InstKind::Call(c) = &by_name("r").kind else {
        panic!()
    };
    assert_eq!(c.tail, TailKind::Tail);
    assert!(c.fn_attrs.has(AttrKind::NoUnwind));
    assert_eq!(by_name("r").flags, Flags::FAST);
    let InstKind::Call(c) = &by_name("u").kind else {
        panic!()
    };
    assert!(
        m.types.function_parts(c.fn_ty).unwrap().2,
        "full varargs type kept"
    );
    assert_eq!(c.args.len(), 3);
    // The phi's incoming blocks are layout indices.
    let InstKind::Phi { incoming } = &by_name("phi").kind else {
        panic!()
    };
    assert_eq!(incoming[0].1 .0, 1);
    assert_eq!(incoming[1], (Value::Arg(0), air_ir::BlockId(2)));
    assert_eq!(f.blocks.len(), 5);
    assert_eq!(f.blocks[4].name.as_deref(), Some("dead"));
}

#[test]
fn call_with_return_type_only_builds_the_function_type() {
    let m = parse("declare i32 @f(i8, float)\ndefine void @g() {\n  %x = call i32 @f(i8 1, float 2.0)\n  ret void\n}\n");
    let InstKind::Call(c) = &insts(&m, "g")[0] else {
        panic!()
    };
    assert_eq!(c.fn_ty, m.functions[0].ty);
    let e = parse_err(
        "declare i32 @f(i8, ...)\ndefine void @g() {\n  %x = call i32 @f(i8 1)\n  ret void\n}\n",
    );
    assert_eq!(
        e.message,
        "'@f' defined with type 'i32 (i8, ...)*' but expected 'i32 (i8)*'"
    );
}

#[test]
fn metadata_arguments_and_forward_metadata() {
    let m = parse(
        r#"
declare void @llvm.dbg.value(metadata, metadata, metadata)
define void @f(i32 %x) {
  call void @llvm.dbg.value(metadata i32 %x, metadata !1, metadata !{})
  call void @llvm.dbg.value(metadata i32 %later, metadata !"s", metadata !0)
  %later = add i32 %x, 1
  ret void
}
!named = !{!0, !1}
!0 = distinct !{!0, null, !"str\22q"}
!1 = !{i32 7, float 1.0, [2 x i32] [i32 1, i32 2]}
"#,
    );
    let kinds = insts(&m, "f");
    let InstKind::Call(c) = &kinds[0] else {
        panic!()
    };
    let Value::Metadata(md) = c.args[0] else {
        panic!()
    };
    assert!(matches!(
        m.meta(md),
        Metadata::Value {
            value: Value::Arg(0),
            ..
        }
    ));
    let InstKind::Call(c) = &kinds[1] else {
        panic!()
    };
    let Value::Metadata(md) = c.args[0] else {
        panic!()
    };
    assert!(matches!(m.meta(md), Metadata::Value { value: Value::Inst(i), .. } if i.0 == 2));
    let named = m.named("named").unwrap();
    let Metadata::Node { operands, distinct } = m.meta(named.operands[0]) else {
        panic!()
    };
    assert!(*distinct);
    assert_eq!(operands[0], Some(named.operands[0]));
    assert_eq!(operands[1], None);
    assert_eq!(
        m.meta(operands[2].unwrap()),
        &Metadata::String(b"str\"q".to_vec())
    );
    let e = parse_err("!a = !{!0}\n!0 = !{!1}\n");
    assert_eq!(e.message, "use of undefined metadata '!1'");
    assert_eq!((e.line, e.col), (2, 8));
    let e = parse_err("!0 = !DILocation(line: 1)\n");
    assert_eq!(
        e.message,
        "specialized metadata !DILocation is not supported"
    );
}

#[test]
fn forward_references_in_bodies() {
    let m = parse(
        r#"
define i32 @loop(i32 %n) {
entry:
  br label %head
head:
  %i = phi i32 [ 0, %entry ], [ %next, %head ]
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %head
exit:
  ret i32 %next
}
"#,
    );
    let f = &m.functions[0];
    let InstKind::Phi { incoming } = &f.inst(air_ir::InstId(1)).kind else {
        panic!()
    };
    assert_eq!(incoming[1].0, Value::Inst(air_ir::InstId(2)));
    assert_eq!(incoming[1].1, air_ir::BlockId(1));

    let e = parse_err("define void @f() {\n  %a = add i32 %b, 1\n  ret void\n}\n");
    assert_eq!(e.message, "use of undefined value '%b'");
    assert_eq!((e.line, e.col), (2, 16));
    let e = parse_err(
        "define void @f() {\n  %a = add i32 %b, 1\n  %b = fadd float 1.0, 2.0\n  ret void\n}\n",
    );
    assert_eq!(e.message, "instruction forward referenced with type 'i32'");
    assert_eq!((e.line, e.col), (3, 3));
    let e = parse_err("define void @f(i32 %x) {\n  %a = fadd float %x, 1.0\n  ret void\n}\n");
    assert_eq!(
        e.message,
        "'%x' defined with type 'i32' but expected 'float'"
    );
    let e = parse_err("define void @f(i32 %x) {\n  %x = add i32 1, 1\n  ret void\n}\n");
    assert_eq!(e.message, "redefinition of value '%x'");
    let e = parse_err("define void @f() {\n  br label %nowhere\n}\n");
    assert_eq!(e.message, "use of undefined value '%nowhere'");
}

#[test]
fn numbered_values_and_blocks() {
    let m = parse(
        r#"
define i32 @f(i32, i32 %named, i32) {
  %3 = add i32 %0, %1
  call void @g()
  %4 = add i32 %3, 1
  br label %5
5:
  %6 = add i32 %4, %named
  br label %7
  %8 = add i32 %6, 1
  ret i32 %8
}
declare void @g()
"#,
    );
    let f = &m.functions[0];
    assert_eq!(f.params[0].name, None);
    assert_eq!(f.params[1].name.as_deref(), Some("named"));
    assert_eq!(f.blocks.len(), 3);
    assert!(f.blocks.iter().all(|b| b.name.is_none()));
    assert!(f.insts.iter().all(|i| i.name.is_none()));

    let e = parse_err("define void @f() {\n  %2 = add i32 1, 1\n  ret void\n}\n");
    assert_eq!(e.message, "instruction expected to be numbered '%1'");
    assert_eq!((e.line, e.col), (2, 3));
    parse("define void @f(i32) {\n  br label %2\n2:\n  ret void\n}\n");
    let e = parse_err("define void @f(i32) {\n1:\n  br label %3\n3:\n  ret void\n}\n");
    assert_eq!(
        (e.message.as_str(), e.line, e.col),
        ("label expected to be numbered '2'", 4, 1),
        "{e}"
    );
}

#[test]
fn error_positions_and_messages() {
    let cases: &[(&str, &str, usize, usize)] = &[
        (
            "define void @f() {\n  fooo i32 1\n}\n",
            "unknown instruction opcode 'fooo'",
            2,
            3,
        ),
        (
            "@g = global [2 x i32] [i32 1 i32 2]\n",
            "expected ',' or ']'",
            1,
            30,
        ),
        ("@g = global i32\n", "expected value", 2, 1),
        ("@g = global foo 1\n", "expected type", 1, 13),
        (
            "@g = global i32 @nope\n",
            "use of undefined value '@nope'",
            1,
            17,
        ),
        (
            "@g = global i32 0\n@g = global i32 1\n",
            "redefinition of '@g'",
            2,
            1,
        ),
        (
            "@g = global i32 \"unterminated\n",
            "end of file in string constant",
            1,
            17,
        ),
        (
            "define void @f() {\n  ret void\n",
            "expected instruction opcode",
            3,
            1,
        ),
        (
            "define void @f() #7 {\n  ret void\n}\n",
            "undefined attribute group '#7'",
            1,
            18,
        ),
        (
            "@0 = global i32 0\n@2 = global i32 0\n",
            "variable expected to be numbered '@1'",
            2,
            1,
        ),
        (
            "define void @f() {\n  %v = call void @f()\n  ret void\n}\n",
            "instructions returning void cannot have a name",
            2,
            3,
        ),
        (
            "define i32 @f() {\n  ret void\n}\n",
            "value doesn't match function result type 'i32'",
            2,
            7,
        ),
    ];
    for (src, msg, line, col) in cases {
        let e = parse_err(src);
        assert_eq!(
            (e.message.as_str(), e.line, e.col),
            (*msg, *line, *col),
            "for {src:?}:\n{e}"
        );
    }
}

#[test]
fn error_display_has_caret() {
    let e = parse_err("define void @f() {\n  fooo i32 1\n}\n");
    assert_eq!(
        e.to_string(),
        "bad.ll:2:3: error: unknown instruction opcode 'fooo'\n  fooo i32 1\n  ^"
    );
}

#[test]
fn nesting_is_capped() {
    let deep_ty = format!(
        "@g = global {}i32{} zeroinitializer\n",
        "[1 x ".repeat(500),
        "]".repeat(500)
    );
    assert_eq!(parse_err(&deep_ty).message, "nesting too deep (limit 128)");
    let deep_md = format!("!0 = {}{}\n", "!{".repeat(500), "}".repeat(500));
    assert_eq!(parse_err(&deep_md).message, "nesting too deep (limit 128)");
    let deep_const = format!(
        "@g = global i64 {}i64 1{}\n",
        "add (i64 1, i64 ".repeat(300),
        ")".repeat(300)
    );
    assert_eq!(
        parse_err(&deep_const).message,
        "nesting too deep (limit 128)"
    );
    // Long pointer chains are iterative, not recursive.
    let stars = format!("@g = global i8{} null\n", "*".repeat(10_000));
    parse(&stars);
}

#[test]
fn names_with_odd_characters() {
    let m = parse(
        r#"
declare void @air.wg.barrier(i32, i32)
declare void @transform_value.MTL_VISIBLE_FN_REF(float)
declare void @"with space"()
declare void @$dollar-dash_()
define void @user() {
"entry block":
  call void @air.wg.barrier(i32 2, i32 1)
  call void @"with space"()
  br label %"next\22q"
"next\22q":
  ret void
}
"#,
    );
    assert_eq!(m.functions[2].name, "with space");
    assert_eq!(m.functions[3].name, "$dollar-dash_");
    let f = &m.functions[4];
    assert_eq!(f.blocks[0].name.as_deref(), Some("entry block"));
    assert_eq!(f.blocks[1].name.as_deref(), Some("next\"q"));
}

#[test]
fn named_metadata_right_after_a_declaration() {
    // llvm-as-14 accepts this: after a `declare`, `!foo = ...` is the next
    // top-level entity, not an attachment of the declaration (LLVM puts a
    // declaration's attachments right after `declare`).
    let m = parse("declare void @f()\n\n!foo = !{!0}\n!0 = !{}\n");
    let f = m.function(m.function_by_name("f").unwrap());
    assert!(f.attachments.is_empty());
    assert_eq!(m.named("foo").unwrap().operands.len(), 1);
    // Attachments up front still belong to the declaration.
    let m = parse("declare !foo !0 void @g()\n!0 = !{}\n");
    let g = m.function(m.function_by_name("g").unwrap());
    assert_eq!(g.attachments.len(), 1);
    assert_eq!(g.attachments[0].0, "foo");
    // After the header of a declaration an attachment is not allowed (as in
    // llvm-as-14, which then expects `=`).
    parse_err("declare void @h() !foo !0\n!0 = !{}\n");
}
