//! The verifier, check by check: for each rule a module that passes and one
//! that fails with the expected message. Modules are built with the model
//! API (the builder plus direct field edits for what must be broken).

use air_ir::attributes::AttrSet;
use air_ir::constant::{ApInt, ConstExpr, ConstKind};
use air_ir::inst::{
    BlockId, Call, CallConv, Flags, FloatPredicate, InstId, InstKind, IntPredicate, Opcode,
    Ordering, RmwOp, TailKind, Value,
};
use air_ir::metadata::Metadata;
use air_ir::module::{FuncId, Global, Linkage, Module};
use air_ir::types::{StructBody, Type, TypeId};
use air_ir::verify::{verify_all, Location, VerifyError, VerifyErrorKind};
use air_ir::Builder;
use VerifyErrorKind::*;

// ----- helpers -----

/// Asserts the module verifies, listing every error otherwise.
#[track_caller]
fn ok(m: &Module) {
    let errors = verify_all(m);
    assert!(
        errors.is_empty(),
        "expected a valid module, got:\n{}",
        list(&errors)
    );
    air_ir::verify(m).unwrap();
}

/// Asserts some error is of `kind` and its text contains `needle` (which
/// pins the particular check of that kind, and what the message names),
/// and returns it.
#[track_caller]
fn fails(m: &Module, kind: VerifyErrorKind, needle: &str) -> VerifyError {
    let errors = verify_all(m);
    assert!(
        air_ir::verify(m).is_err(),
        "verify() passed but verify_all found {errors:?}"
    );
    errors
        .iter()
        .find(|e| e.kind == kind && e.to_string().contains(needle))
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no {kind:?} error mentions {needle:?}; got:\n{}",
                list(&errors)
            )
        })
}

fn list(errors: &[VerifyError]) -> String {
    errors
        .iter()
        .map(|e| format!("  [{:?}] {e}\n", e.kind))
        .collect()
}

/// A builder positioned in the entry block of
/// `define void @k(i32 %x, float %y, float addrspace(1)* %p)`.
fn kernel() -> (Builder, FuncId) {
    let mut b = Builder::new();
    let void = b.ty_void();
    let i32t = b.ty_int(32);
    let f32t = b.ty_float();
    let p1 = b.ty_ptr(f32t, 1);
    let fty = b.ty_function(void, vec![i32t, f32t, p1], false);
    let f = b.define_function("k", fty);
    for (i, n) in ["x", "y", "p"].iter().enumerate() {
        b.set_param_name(f, i, n);
    }
    let entry = b.append_block(f, Some("entry"));
    b.position_at_end(f, entry);
    (b, f)
}

const X: Value = Value::Arg(0);
const Y: Value = Value::Arg(1);
const P: Value = Value::Arg(2);

/// Finishes with `ret void` and returns the module.
fn done(mut b: Builder) -> Module {
    b.ret(None).unwrap();
    b.finish()
}

fn ty(b: &mut Builder, t: Type) -> TypeId {
    b.module_mut().types.intern(t)
}

fn inst_mut(m: &mut Module, f: usize, i: u32) -> &mut air_ir::Instruction {
    &mut m.functions[f].insts[i as usize]
}

/// Declares `name` with type `fty`.
fn declare(b: &mut Builder, name: &str, fty: TypeId) -> FuncId {
    b.declare_function(name, fty)
}

/// Pushes `add i32 lhs, rhs` without the builder's type inference (which
/// needs operands that already exist).
fn raw_add(b: &mut Builder, lhs: Value, rhs: Value) -> Value {
    let i32t = b.ty_int(32);
    b.push(
        i32t,
        InstKind::Binary {
            op: Opcode::Add,
            lhs,
            rhs,
        },
        Flags::empty(),
    )
    .unwrap()
}

// ----- error locations and display -----

#[test]
fn display_names_function_block_instruction_and_opcode() {
    let (mut b, _) = kernel();
    let void = b.ty_void();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let callee_ty = b.ty_function(void, vec![i32t, i32t, f32t], false);
    let callee = declare(&mut b, "use3", callee_ty);
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.binary(Opcode::Mul, X, X, Flags::empty()).unwrap();
    b.binary(Opcode::FAdd, Y, Y, Flags::empty()).unwrap();
    b.call(callee, &[X, X, X]).unwrap();
    let m = done(b);
    let e = fails(&m, TypeMismatch, "call argument 2");
    assert_eq!(
        e.to_string(),
        "in function @k, block %entry, instruction 3 (call): call argument 2 has type i32 but the callee expects float"
    );
    assert_eq!(
        e.location,
        Location::Instruction {
            function: "k".into(),
            block: "%entry".into(),
            index: 3,
            opcode: "call",
        }
    );
}

#[test]
fn display_of_module_level_locations() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let g = b.global("g", i32t, 0, None, Some(3));
    b.module_mut().globals[g.0 as usize].linkage = Linkage::External;
    let s = b.md_string("x");
    b.add_named_metadata("air.kernel", &[s]);
    let m = b.finish();
    let e = fails(&m, BadAlignment, "alignment 3");
    assert_eq!(
        e.to_string(),
        "global @g: alignment 3 is not a power of two up to 2^32"
    );
    let e = fails(&m, BadMetadata, "is not a node");
    assert!(
        e.to_string()
            .starts_with("metadata !air.kernel operand 0: "),
        "{e}"
    );
}

#[test]
fn unnamed_blocks_are_numbered() {
    let (mut b, f) = kernel();
    let next = b.append_block(f, None);
    b.br(next).unwrap();
    b.position_at_end(f, next);
    b.binary(Opcode::Add, X, Y, Flags::empty()).unwrap();
    let m = done(b);
    let e = fails(&m, TypeMismatch, "different types");
    assert!(
        e.to_string()
            .starts_with("in function @k, block #1, instruction 0 (add): "),
        "{e}"
    );
}

// ----- types -----

#[test]
fn types_pointer_pointee() {
    let (mut b, _) = kernel();
    let i8t = b.ty_int(8);
    b.ty_ptr(i8t, 0);
    ok(&done(b));

    let (mut b, _) = kernel();
    let void = b.ty_void();
    b.ty_ptr(void, 0);
    fails(&done(b), MalformedType, "pointer to void is not allowed");
}

#[test]
fn types_dangling_ids_stop_verification() {
    let (mut b, _) = kernel();
    ty(
        &mut b,
        Type::Pointer {
            pointee: TypeId(9999),
            addrspace: 0,
        },
    );
    let m = done(b);
    fails(
        &m,
        UndefinedType,
        "refers to type #9999 which does not exist",
    );
    // Nothing else is checked (or could panic) with a broken table.
    assert_eq!(verify_all(&m).len(), 1);
}

#[test]
fn types_vector_elements_and_struct_recursion() {
    let (mut b, _) = kernel();
    let list = b.ty_named("list");
    let i32t = b.ty_int(32);
    let lp = b.ty_ptr(list, 0);
    b.set_struct_body(list, vec![i32t, lp], false);
    b.ty_vector(i32t, 4);
    ok(&done(b));

    let (mut b, _) = kernel();
    let s = b.ty_named("s");
    let i32t = b.ty_int(32);
    b.set_struct_body(s, vec![i32t, s], false);
    fails(
        &done(b),
        RecursiveType,
        "type %s: struct contains itself by value",
    );

    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    let st = b.ty_struct(vec![i32t], false);
    b.ty_vector(st, 2);
    fails(
        &done(b),
        MalformedType,
        "vector element type { i32 } is not an integer, float or pointer",
    );
}

#[test]
fn types_structural_cycle_is_reported_not_looped() {
    let (mut b, _) = kernel();
    // Hand-built: id N is a pointer to id N+1, which is a pointer to id N.
    let n = b.module().types.len() as u32;
    ty(
        &mut b,
        Type::Pointer {
            pointee: TypeId(n + 1),
            addrspace: 0,
        },
    );
    ty(
        &mut b,
        Type::Pointer {
            pointee: TypeId(n),
            addrspace: 0,
        },
    );
    fails(&done(b), RecursiveType, "contains itself");
}

#[test]
fn types_unsized_memory_access() {
    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let a = b.alloca(f32t, Some(4)).unwrap();
    b.store(Y, a, Some(4)).unwrap();
    b.load(a, Some(4)).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    let opaque = b.ty_named("opaque");
    b.alloca(opaque, None).unwrap();
    fails(
        &done(b),
        UnsizedType,
        "cannot allocate the unsized type %opaque",
    );

    let (mut b, _) = kernel();
    let opaque = b.ty_named("opaque");
    let pty = b.ty_ptr(opaque, 0);
    let fty = b.ty_function(pty, vec![], false);
    let get = declare(&mut b, "get", fty);
    let p = b.call(get, &[]).unwrap();
    b.load(p, None).unwrap();
    fails(
        &done(b),
        UnsizedType,
        "cannot load the unsized type %opaque",
    );

    let (mut b, _) = kernel();
    let opaque = b.ty_named("opaque");
    let pty = b.ty_ptr(opaque, 0);
    let fty = b.ty_function(pty, vec![], false);
    let get = declare(&mut b, "get", fty);
    let p = b.call(get, &[]).unwrap();
    let i64t = b.ty_int(64);
    let zero = b.const_int(i64t, 0);
    b.gep(p, &[zero], false).unwrap();
    fails(
        &done(b),
        UnsizedType,
        "getelementptr over the unsized type %opaque",
    );
}

// ----- globals -----

#[test]
fn globals_initializer_type() {
    let mut b = Builder::new();
    let f32t = b.ty_float();
    let arr = b.ty_array(f32t, 4);
    let u = b.const_undef(arr);
    b.global("tg", arr, 3, Some(u), Some(4));
    ok(&b.finish());

    let mut b = Builder::new();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let one = b.const_int(i32t, 1);
    b.global("g", f32t, 0, Some(one), None);
    fails(
        &b.finish(),
        TypeMismatch,
        "global @g: initializer has type i32 but the global's value type is float",
    );
}

#[test]
fn globals_declarations_need_external_linkage() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let g = b.global("ext", i32t, 2, None, None);
    let gl = &mut b.module_mut().globals[g.0 as usize];
    gl.linkage = Linkage::External;
    gl.is_constant = true;
    ok(&b.finish());

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    b.global("decl", i32t, 0, None, None); // internal, no initializer
    fails(
        &b.finish(),
        BadLinkage,
        "global @decl: a declaration must have external or extern_weak linkage, not internal",
    );
}

#[test]
fn globals_alignment_section_and_names() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let z = b.const_zero(i32t);
    let g = b.global("a", i32t, 0, Some(z), Some(16));
    b.module_mut().globals[g.0 as usize].section = Some("air.data".into());
    ok(&b.finish());

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let z = b.const_zero(i32t);
    let g = b.global("a", i32t, 0, Some(z), Some(12));
    b.module_mut().globals[g.0 as usize].section = Some(String::new());
    b.global("a", i32t, 0, Some(z), None);
    let m = b.finish();
    fails(&m, BadAlignment, "alignment 12 is not a power of two");
    fails(&m, EmptyName, "section name is empty");
    fails(
        &m,
        DuplicateName,
        "another global or function has the same name",
    );
}

#[test]
fn globals_void_value_type() {
    let mut b = Builder::new();
    let void = b.ty_void();
    let g = b.global("v", void, 0, None, None);
    b.module_mut().globals[g.0 as usize].linkage = Linkage::External;
    fails(
        &b.finish(),
        TypeNotAllowed,
        "value type void is not allowed for a global",
    );
}

// ----- constants -----

#[test]
fn constants_aggregate_shape() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let arr = b.ty_array(i32t, 3);
    let items: Vec<Value> = (0..3).map(|i| b.const_int(i32t, i)).collect();
    let init = b.const_aggregate(arr, &items).unwrap();
    b.global("a", arr, 0, Some(init), None);
    let f32t = b.ty_float();
    let st = b.ty_struct(vec![i32t, f32t], false);
    let one = b.const_float(f32t, 1.0);
    let s = b.const_aggregate(st, &[items[0], one]).unwrap();
    b.global("s", st, 0, Some(s), None);
    ok(&b.finish());

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let arr = b.ty_array(i32t, 3);
    let items: Vec<Value> = (0..2).map(|i| b.const_int(i32t, i)).collect();
    let init = b.const_aggregate(arr, &items).unwrap();
    b.global("a", arr, 0, Some(init), None);
    fails(
        &b.finish(),
        BadConstant,
        "has 2 elements but the type has 3",
    );

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let f32t = b.ty_float();
    let st = b.ty_struct(vec![i32t, f32t], false);
    let zero = b.const_int(i32t, 0);
    let s = b.const_aggregate(st, &[zero, zero]).unwrap();
    b.global("s", st, 0, Some(s), None);
    fails(
        &b.finish(),
        TypeMismatch,
        "field 1 has type i32 but the struct expects float",
    );
}

#[test]
fn constants_scalar_kinds() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let big = b.constant(i32t, ConstKind::Int(ApInt::from_u64(64, 1 << 40)));
    b.global("big", i32t, 0, Some(big), None);
    fails(&b.finish(), BadConstant, "value does not fit in i32");

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let fl = b.constant(i32t, ConstKind::Float(0));
    b.global("f", i32t, 0, Some(fl), None);
    fails(
        &b.finish(),
        BadConstant,
        "a float constant needs a floating-point type",
    );

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let n = b.const_null(i32t);
    b.global("n", i32t, 0, Some(n), None);
    fails(&b.finish(), BadConstant, "null needs a pointer type");

    let mut b = Builder::new();
    let f32t = b.ty_float();
    let p = b.ty_ptr(f32t, 1);
    let n = b.const_null(p);
    b.global("n", p, 0, Some(n), None);
    let h = b.ty_half();
    let w = b.const_float_bits(h, 0x1_0000);
    b.global("h", h, 0, Some(w), None);
    fails(&b.finish(), BadConstant, "do not fit in a 16-bit float");
}

#[test]
fn constants_cast_and_gep_expressions() {
    let mut b = Builder::new();
    let f32t = b.ty_float();
    let i8t = b.ty_int(8);
    let i64t = b.ty_int(64);
    let arr = b.ty_array(f32t, 32);
    let u = b.const_undef(arr);
    let g = b.global("tg", arr, 3, Some(u), Some(4));
    let gref = b.module_mut().global_ref(g);
    let i8p3 = b.ty_ptr(i8t, 3);
    let cast = b.constant(
        i8p3,
        ConstKind::Expr(ConstExpr::Cast {
            op: Opcode::BitCast,
            value: gref,
        }),
    );
    let f32p3 = b.ty_ptr(f32t, 3);
    let Value::Const(zero) = b.const_int(i64t, 0) else {
        unreachable!()
    };
    let gep = b.constant(
        f32p3,
        ConstKind::Expr(ConstExpr::GetElementPtr {
            source: arr,
            base: gref,
            indices: vec![zero, zero],
            inbounds: true,
            inrange: None,
        }),
    );
    let g2 = b.global("p", i8p3, 0, Some(cast), None);
    let _ = g2;
    b.global("q", f32p3, 0, Some(gep), None);
    ok(&b.finish());

    // bitcast across address spaces is not allowed.
    let mut b = Builder::new();
    let f32t = b.ty_float();
    let i8t = b.ty_int(8);
    let arr = b.ty_array(f32t, 32);
    let u = b.const_undef(arr);
    let g = b.global("tg", arr, 3, Some(u), Some(4));
    let gref = b.module_mut().global_ref(g);
    let i8p1 = b.ty_ptr(i8t, 1);
    let cast = b.constant(
        i8p1,
        ConstKind::Expr(ConstExpr::Cast {
            op: Opcode::BitCast,
            value: gref,
        }),
    );
    b.global("p", i8p1, 0, Some(cast), None);
    fails(
        &b.finish(),
        InvalidCast,
        "`bitcast` cannot change the address space",
    );

    // A GEP whose result type is not what the indices reach.
    let mut b = Builder::new();
    let f32t = b.ty_float();
    let i64t = b.ty_int(64);
    let arr = b.ty_array(f32t, 32);
    let u = b.const_undef(arr);
    let g = b.global("tg", arr, 3, Some(u), Some(4));
    let gref = b.module_mut().global_ref(g);
    let f32p0 = b.ty_ptr(f32t, 0);
    let Value::Const(zero) = b.const_int(i64t, 0) else {
        unreachable!()
    };
    let gep = b.constant(
        f32p0,
        ConstKind::Expr(ConstExpr::GetElementPtr {
            source: arr,
            base: gref,
            indices: vec![zero, zero],
            inbounds: true,
            inrange: None,
        }),
    );
    b.global("q", f32p0, 0, Some(gep), None);
    fails(
        &b.finish(),
        TypeMismatch,
        "result type float* should be float addrspace(3)*",
    );
}

#[test]
fn constants_global_address_type() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let z = b.const_zero(i32t);
    let g = b.global("g", i32t, 1, Some(z), None);
    // Claim the address lives in address space 0: wrong.
    let wrong = b.ty_ptr(i32t, 0);
    let c = b.constant(wrong, ConstKind::Global(g));
    b.global("alias_ptr", wrong, 0, Some(c), None);
    fails(
        &b.finish(),
        TypeMismatch,
        "the address of @g must have a pointer type to its value type",
    );
}

// ----- functions and blocks -----

#[test]
fn functions_param_count() {
    let (mut b, f) = kernel();
    b.module_mut().functions[f.0 as usize].params.pop();
    fails(
        &done(b),
        ArgumentCount,
        "has 2 parameters but its type void (i32, float, float addrspace(1)*) has 3",
    );
}

#[test]
fn blocks_need_a_terminator_at_the_end_only() {
    let (b, _) = kernel();
    ok(&done(b));

    let (mut b, f) = kernel();
    b.append_block(f, Some("empty"));
    fails(&done(b), BadBlockStructure, "block %empty: block is empty");

    let (mut b, _) = kernel();
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    fails(
        &b.finish(),
        BadBlockStructure,
        "instruction 0 (add): block does not end in a terminator",
    );

    let (mut b, _) = kernel();
    b.ret(None).unwrap();
    fails(
        &done(b),
        BadBlockStructure,
        "instruction 0 (ret): terminator in the middle of a block",
    );
}

#[test]
fn phis_come_first_and_match_predecessors() {
    // entry -> (a | b) -> join with a phi.
    fn diamond(extra_phi_entry: bool, phi_after_add: bool) -> Module {
        let (mut b, f) = kernel();
        let i1t = b.ty_int(1);
        let i32t = b.ty_int(32);
        let (a, c, join) = (
            b.append_block(f, Some("a")),
            b.append_block(f, Some("c")),
            b.append_block(f, Some("join")),
        );
        let t = b.const_int(i1t, 1);
        b.cond_br(t, a, c).unwrap();
        b.position_at_end(f, a);
        b.br(join).unwrap();
        b.position_at_end(f, c);
        b.br(join).unwrap();
        b.position_at_end(f, join);
        if phi_after_add {
            b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
        }
        let one = b.const_int(i32t, 1);
        let mut incoming = vec![(X, a), (one, c)];
        if extra_phi_entry {
            incoming.push((X, BlockId(0)));
        }
        b.phi(i32t, incoming).unwrap();
        done(b)
    }
    ok(&diamond(false, false));
    fails(
        &diamond(true, false),
        BadPhi,
        "phi entries name blocks [%entry, %a, %c] but the block's predecessors are [%a, %c]",
    );
    fails(
        &diamond(false, true),
        BadBlockStructure,
        "phi nodes must come before every other instruction",
    );
}

#[test]
fn phi_entry_types_and_duplicate_edges() {
    // A switch with two cases to one block: the phi needs two entries from
    // entry, with the same value.
    fn build(second: Value) -> Module {
        let (mut b, f) = kernel();
        let i32t = b.ty_int(32);
        let next = b.append_block(f, Some("next"));
        let (c1, c2) = (b.const_int(i32t, 1), b.const_int(i32t, 2));
        b.switch(X, next, &[(c1, next), (c2, next)]).unwrap();
        b.position_at_end(f, next);
        b.phi(
            i32t,
            vec![(X, BlockId(0)), (X, BlockId(0)), (second, BlockId(0))],
        )
        .unwrap();
        done(b)
    }
    ok(&build(X));
    let zero = Value::Const(air_ir::ConstId(0));
    let m = build(zero);
    // ConstId(0) is the `i32 1` case constant: a different value.
    fails(
        &m,
        BadPhi,
        "different values for the same predecessor %entry",
    );
    let (mut b, f) = kernel();
    let f32t = b.ty_float();
    let next = b.append_block(f, Some("next"));
    b.br(next).unwrap();
    b.position_at_end(f, next);
    b.phi(f32t, vec![(X, BlockId(0))]).unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "entry 0 has type i32 but the phi has type float",
    );
}

#[test]
fn entry_block_has_no_predecessors() {
    let (mut b, f) = kernel();
    let loop_ = b.append_block(f, Some("loop"));
    b.br(loop_).unwrap();
    b.position_at_end(f, loop_);
    b.br(loop_).unwrap();
    ok(&b.finish());

    let (mut b, f) = kernel();
    let next = b.append_block(f, Some("next"));
    b.br(next).unwrap();
    b.position_at_end(f, next);
    b.br(BlockId(0)).unwrap();
    fails(
        &b.finish(),
        BadBlockStructure,
        "block %entry: the entry block cannot have predecessors (branched to from %next)",
    );
}

#[test]
fn branch_targets_must_exist() {
    let (mut b, _) = kernel();
    b.br(BlockId(7)).unwrap();
    fails(
        &b.finish(),
        UndefinedBlock,
        "branches to block #7 which does not exist",
    );
}

// ----- SSA -----

#[test]
fn ssa_use_before_definition_in_a_block() {
    let (mut b, _) = kernel();
    let a = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.binary(Opcode::Mul, a, a, Flags::empty()).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    // %0 = add %1, %1 ; %1 = add %x, %x
    raw_add(&mut b, Value::Inst(InstId(1)), Value::Inst(InstId(1)));
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    fails(
        &done(b),
        NotDominated,
        "instruction #1 does not dominate this use",
    );
}

#[test]
fn ssa_dominance_across_blocks_and_phi_edges() {
    fn build(use_in_join: bool, phi_from_other_arm: bool) -> Module {
        let (mut b, f) = kernel();
        let i1t = b.ty_int(1);
        let i32t = b.ty_int(32);
        let (a, c, join) = (
            b.append_block(f, Some("a")),
            b.append_block(f, Some("c")),
            b.append_block(f, Some("join")),
        );
        let t = b.const_int(i1t, 1);
        b.cond_br(t, a, c).unwrap();
        b.position_at_end(f, a);
        let va = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
        b.set_name(va, "va").unwrap();
        b.br(join).unwrap();
        b.position_at_end(f, c);
        b.br(join).unwrap();
        b.position_at_end(f, join);
        let zero = b.const_int(i32t, 0);
        let from_c = if phi_from_other_arm { va } else { zero };
        b.phi(i32t, vec![(va, a), (from_c, c)]).unwrap();
        if use_in_join {
            b.binary(Opcode::Add, va, va, Flags::empty()).unwrap();
        }
        done(b)
    }
    ok(&build(false, false));
    fails(
        &build(true, false),
        NotDominated,
        "block %join, instruction 1 (add): %va does not dominate this use",
    );
    fails(
        &build(false, true),
        NotDominated,
        "%va does not dominate the end of incoming block %c",
    );
}

#[test]
fn ssa_uses_in_unreachable_blocks_are_accepted() {
    let (mut b, f) = kernel();
    b.ret(None).unwrap();
    let dead = b.append_block(f, Some("dead"));
    b.position_at_end(f, dead);
    // Uses a value defined later in the same unreachable block: LLVM accepts it.
    raw_add(&mut b, Value::Inst(InstId(2)), X);
    raw_add(&mut b, Value::Inst(InstId(3)), X); // uses itself
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.br(dead).unwrap();
    ok(&b.finish());
}

#[test]
fn ssa_operands_must_exist_and_have_values() {
    let (mut b, _) = kernel();
    raw_add(&mut b, Value::Arg(5), X);
    fails(
        &done(b),
        UndefinedValue,
        "uses argument 5 but the function has 3 parameters",
    );

    let (mut b, _) = kernel();
    raw_add(&mut b, Value::Inst(InstId(40)), X);
    fails(
        &done(b),
        UndefinedValue,
        "uses instruction #40 which does not exist",
    );

    let (mut b, _) = kernel();
    let st = b.store(Y, P, Some(4)).unwrap();
    b.binary(Opcode::Add, st, X, Flags::empty()).unwrap();
    fails(&done(b), NotAValue, "which produces no value");

    let (mut b, _) = kernel();
    raw_add(&mut b, Value::Inst(InstId(0)), X);
    fails(
        &done(b),
        NotDominated,
        "only phi nodes may use their own value",
    );
}

#[test]
fn ssa_instruction_placement() {
    let (mut b, f) = kernel();
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    let mut m = done(b);
    // List the add twice.
    m.functions[f.0 as usize].blocks[0]
        .insts
        .insert(0, InstId(0));
    fails(&m, BadPlacement, "lists instruction #0 again");

    let (mut b, f) = kernel();
    b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    let mut m = done(b);
    m.functions[f.0 as usize].blocks[0].insts.remove(0);
    fails(
        &m,
        BadPlacement,
        "in function @k: instruction #0 (add) is not in any block",
    );
}

// ----- operand and result types -----

#[test]
fn int_and_float_binary_operators() {
    let (mut b, _) = kernel();
    b.binary(Opcode::Add, X, X, Flags::NSW).unwrap();
    b.binary(Opcode::FMul, Y, Y, Flags::FAST).unwrap();
    b.fneg(Y, Flags::empty()).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    b.binary(Opcode::FAdd, X, X, Flags::empty()).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "`fadd` needs floating-point operands, not i32",
    );

    let (mut b, _) = kernel();
    b.binary(Opcode::Xor, Y, Y, Flags::empty()).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "`xor` needs integer operands, not float",
    );

    let (mut b, _) = kernel();
    let v = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    let mut m = done(b);
    let Value::Inst(id) = v else { unreachable!() };
    inst_mut(&mut m, 0, id.0).ty = m
        .types
        .find(&Type::Int(1))
        .unwrap_or_else(|| m.types.intern(Type::Int(1)));
    fails(
        &m,
        TypeMismatch,
        "result type i1 differs from the operand type i32",
    );

    let (mut b, _) = kernel();
    b.fneg(X, Flags::empty()).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "`fneg` needs a floating-point operand",
    );
}

#[test]
fn casts_follow_their_rules() {
    let (mut b, _) = kernel();
    let i64t = b.ty_int(64);
    let i16t = b.ty_int(16);
    let h = b.ty_half();
    let i8t = b.ty_int(8);
    let i8p1 = b.ty_ptr(i8t, 1);
    let f32p = b.ty_ptr(b.module().types.find(&Type::Float).unwrap(), 0);
    b.cast(Opcode::ZExt, X, i64t).unwrap();
    b.cast(Opcode::Trunc, X, i16t).unwrap();
    b.cast(Opcode::FPTrunc, Y, h).unwrap();
    b.cast(Opcode::FPToSI, Y, i16t).unwrap();
    b.cast(Opcode::BitCast, P, i8p1).unwrap();
    b.cast(
        Opcode::BitCast,
        Y,
        b.module().types.find(&Type::Int(32)).unwrap(),
    )
    .unwrap();
    b.cast(Opcode::AddrSpaceCast, P, f32p).unwrap();
    b.cast(Opcode::PtrToInt, P, i64t).unwrap();
    ok(&done(b));

    for (op, to, needle) in [
        (
            Opcode::Trunc,
            Type::Int(64),
            "`trunc` cannot convert i32 to i64",
        ),
        (
            Opcode::SExt,
            Type::Int(32),
            "`sext` cannot convert i32 to i32",
        ),
        (
            Opcode::BitCast,
            Type::Int(64),
            "`bitcast` cannot convert i32 to i64",
        ),
        (
            Opcode::UIToFP,
            Type::Int(8),
            "`uitofp` cannot convert i32 to i8",
        ),
    ] {
        let (mut b, _) = kernel();
        let to = ty(&mut b, to);
        b.cast(op, X, to).unwrap();
        fails(&done(b), InvalidCast, needle);
    }

    let (mut b, _) = kernel();
    let i8t = b.ty_int(8);
    let i8p3 = b.ty_ptr(i8t, 3);
    b.cast(Opcode::BitCast, P, i8p3).unwrap();
    fails(
        &done(b),
        InvalidCast,
        "`bitcast` cannot change the address space",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let same = b.ty_ptr(f32t, 1);
    b.cast(Opcode::AddrSpaceCast, P, same).unwrap();
    fails(
        &done(b),
        InvalidCast,
        "`addrspacecast` must change the address space",
    );

    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    let v2 = b.ty_vector(i32t, 2);
    let i64t = b.ty_int(64);
    let v4 = b.ty_vector(i64t, 4);
    let u = b.const_undef(v2);
    b.cast(Opcode::ZExt, u, v4).unwrap();
    fails(&done(b), InvalidCast, "`zext` changes the lane count");

    let (mut b, _) = kernel();
    let i64t = b.ty_int(64);
    b.push(
        i64t,
        InstKind::Cast {
            op: Opcode::Add,
            value: X,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(&done(b), BadOpcode, "`add` is not a cast");
}

#[test]
fn comparisons_and_select() {
    let (mut b, _) = kernel();
    let c = b.icmp(IntPredicate::Slt, X, X).unwrap();
    b.fcmp(FloatPredicate::Olt, Y, Y, Flags::FAST).unwrap();
    b.icmp(IntPredicate::Eq, P, P).unwrap();
    b.select(c, Y, Y).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    b.fcmp(FloatPredicate::Olt, X, X, Flags::empty()).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "`fcmp` needs floating-point operands, not i32",
    );

    let (mut b, _) = kernel();
    b.icmp(IntPredicate::Slt, Y, Y).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "`icmp` needs integer or pointer operands, not float",
    );

    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    b.push(
        i32t,
        InstKind::ICmp {
            pred: IntPredicate::Eq,
            lhs: X,
            rhs: X,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "`icmp` of i32 must have type i1, not i32",
    );

    let (mut b, _) = kernel();
    b.select(X, Y, Y).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "select condition must be i1 or <N x i1>, not i32",
    );

    let (mut b, _) = kernel();
    let c = b.icmp(IntPredicate::Slt, X, X).unwrap();
    b.select(c, X, Y).unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "select values have different types i32 and float",
    );
}

#[test]
fn flags_only_where_the_table_allows() {
    let (mut b, _) = kernel();
    b.binary(Opcode::UDiv, X, X, Flags::EXACT).unwrap();
    b.binary(Opcode::Shl, X, X, Flags::NUW.with(Flags::NSW))
        .unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    b.binary(Opcode::UDiv, X, X, Flags::NSW).unwrap();
    fails(&done(b), BadFlags, "`nuw`/`nsw` are not allowed on `udiv`");

    let (mut b, _) = kernel();
    b.binary(Opcode::Add, X, X, Flags::EXACT).unwrap();
    fails(&done(b), BadFlags, "`exact` is not allowed on `add`");

    let (mut b, _) = kernel();
    b.binary(Opcode::Add, X, X, Flags::FAST).unwrap();
    fails(
        &done(b),
        BadFlags,
        "fast-math flags are not allowed on `add`",
    );

    let (mut b, _) = kernel();
    let c = b.icmp(IntPredicate::Slt, X, X).unwrap();
    let s = b.select(c, X, X).unwrap();
    let mut m = done(b);
    let Value::Inst(id) = s else { unreachable!() };
    inst_mut(&mut m, 0, id.0).flags = Flags::NNAN;
    fails(
        &m,
        BadFlags,
        "fast-math flags on `select` need a floating-point type",
    );
}

#[test]
fn fast_math_on_calls_needs_a_float_result() {
    fn build(ret_float: bool) -> Module {
        let (mut b, _) = kernel();
        let f32t = b.ty_float();
        let void = b.ty_void();
        let ret = if ret_float { f32t } else { void };
        let fty = b.ty_function(ret, vec![f32t], false);
        let callee = declare(&mut b, "air.fast_exp2.f32", fty);
        let v = b.call(callee, &[Y]).unwrap();
        let mut m = done(b);
        let Value::Inst(id) = v else { unreachable!() };
        inst_mut(&mut m, 0, id.0).flags = Flags::FAST;
        m
    }
    ok(&build(true));
    fails(
        &build(false),
        BadFlags,
        "fast-math flags on `call` need a floating-point type",
    );
}

#[test]
fn memory_instruction_types() {
    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    let v = b
        .push(
            i32t,
            InstKind::Load {
                ptr: P,
                align: None,
                volatile: false,
                atomic: None,
            },
            Flags::empty(),
        )
        .unwrap();
    let _ = v;
    fails(
        &done(b),
        TypeMismatch,
        "loads i32 through float addrspace(1)*",
    );

    let (mut b, _) = kernel();
    b.store(X, P, None).unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "stores i32 through float addrspace(1)*",
    );

    let (mut b, _) = kernel();
    b.load(X, None).unwrap_err();
    let i32t = b.ty_int(32);
    b.push(
        i32t,
        InstKind::Load {
            ptr: X,
            align: None,
            volatile: false,
            atomic: None,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "load address must be a pointer, not i32",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let p3 = b.ty_ptr(f32t, 3);
    b.push(
        p3,
        InstKind::Alloca {
            allocated: f32t,
            count: None,
            align: None,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "result type float addrspace(3)* should be float* (allocas live in address space 0)",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    b.push(
        b.module()
            .types
            .find(&Type::Pointer {
                pointee: f32t,
                addrspace: 0,
            })
            .unwrap_or(f32t),
        InstKind::Alloca {
            allocated: f32t,
            count: Some(Y),
            align: Some(4),
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "element count must be an integer, not float",
    );
}

#[test]
fn getelementptr_rules() {
    fn setup() -> (Builder, Value, TypeId) {
        let (mut b, _) = kernel();
        let i32t = b.ty_int(32);
        let f32t = b.ty_float();
        let st = b.ty_named("pair");
        let arr = b.ty_array(f32t, 4);
        b.set_struct_body(st, vec![i32t, arr], false);
        let a = b.alloca(st, Some(4)).unwrap();
        (b, a, st)
    }
    let (mut b, a, _) = setup();
    let i32t = b.ty_int(32);
    let i64t = b.ty_int(64);
    let (z, one) = (b.const_int(i64t, 0), b.const_int(i32t, 1));
    b.gep(a, &[z, one, X], true).unwrap();
    ok(&done(b));

    // Struct index from a register.
    let (mut b, a, st) = setup();
    let i64t = b.ty_int(64);
    let z = b.const_int(i64t, 0);
    let i32t = b.ty_int(32);
    let p = b.ty_ptr(i32t, 0);
    b.push(
        p,
        InstKind::GetElementPtr {
            source: st,
            base: a,
            indices: vec![z, X],
            inbounds: false,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        BadIndex,
        "index 1 into struct %pair must be an i32 constant",
    );

    // Struct index out of range.
    let (mut b, a, st) = setup();
    let i64t = b.ty_int(64);
    let i32t = b.ty_int(32);
    let (z, five) = (b.const_int(i64t, 0), b.const_int(i32t, 5));
    let p = b.ty_ptr(i32t, 0);
    b.push(
        p,
        InstKind::GetElementPtr {
            source: st,
            base: a,
            indices: vec![z, five],
            inbounds: false,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        BadIndex,
        "index 1 (5) is out of range for struct %pair with 2 fields",
    );

    // Source type does not match the base's pointee.
    let (mut b, a, _) = setup();
    let i64t = b.ty_int(64);
    let z = b.const_int(i64t, 0);
    let f32t = b.ty_float();
    let fp = b.ty_ptr(f32t, 0);
    b.push(
        fp,
        InstKind::GetElementPtr {
            source: f32t,
            base: a,
            indices: vec![z],
            inbounds: false,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "getelementptr base has type %pair* but the source type is float",
    );

    // Wrong result type.
    let (mut b, a, st) = setup();
    let i64t = b.ty_int(64);
    let i32t = b.ty_int(32);
    let (z, one) = (b.const_int(i64t, 0), b.const_int(i32t, 1));
    let i32p = b.ty_ptr(i32t, 0);
    b.push(
        i32p,
        InstKind::GetElementPtr {
            source: st,
            base: a,
            indices: vec![z, one],
            inbounds: false,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "result type i32* should be [4 x float]*",
    );
}

#[test]
fn vector_element_operations() {
    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let v4 = b.ty_vector(f32t, 4);
    let u = b.const_undef(v4);
    let ins = b.insert_element(u, Y, X).unwrap();
    b.extract_element(ins, X).unwrap();
    let m2 = b.ty_vector(i32t, 2);
    let (i0, i5) = (b.const_int(i32t, 0), b.const_int(i32t, 5));
    let mask = b.const_aggregate(m2, &[i0, i5]).unwrap();
    b.shuffle_vector(ins, u, mask).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let v4 = b.ty_vector(f32t, 4);
    let u = b.const_undef(v4);
    b.insert_element(u, X, X).unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "inserted value has type i32 but the element type is float",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let v4 = b.ty_vector(f32t, 4);
    let u = b.const_undef(v4);
    b.extract_element(u, Y).unwrap();
    fails(
        &done(b),
        TypeNotAllowed,
        "element index must be an integer, not float",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let v4 = b.ty_vector(f32t, 4);
    let u = b.const_undef(v4);
    let m2 = b.ty_vector(i32t, 2);
    let (i0, i8) = (b.const_int(i32t, 0), b.const_int(i32t, 8));
    let mask = b.const_aggregate(m2, &[i0, i8]).unwrap();
    b.shuffle_vector(u, u, mask).unwrap();
    fails(
        &done(b),
        BadShuffleMask,
        "mask element 1 selects lane 8 of only 8",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let v4 = b.ty_vector(f32t, 4);
    let u = b.const_undef(v4);
    let m2 = b.ty_vector(i32t, 2);
    let mask = b.const_zero(m2);
    let res = b.shuffle_vector(u, u, mask).unwrap();
    let _ = res;
    // A register mask is not allowed.
    let (mut b2, _) = kernel();
    let f32t = b2.ty_float();
    let v4 = b2.ty_vector(f32t, 4);
    let i32t = b2.ty_int(32);
    let m2 = b2.ty_vector(i32t, 2);
    let u = b2.const_undef(v4);
    let um = b2.const_undef(m2);
    let reg = b2.freeze(um).unwrap();
    b2.shuffle_vector(u, u, reg).unwrap();
    ok(&done(b));
    fails(
        &done(b2),
        BadShuffleMask,
        "the shufflevector mask must be a constant",
    );
}

#[test]
fn aggregate_value_operations() {
    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let arr = b.ty_array(f32t, 2);
    let st = b.ty_struct(vec![i32t, arr], false);
    let u = b.const_undef(st);
    let ins = b.insert_value(u, Y, &[1, 0]).unwrap();
    b.extract_value(ins, &[1, 1]).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let arr = b.ty_array(f32t, 2);
    let st = b.ty_struct(vec![i32t, arr], false);
    let u = b.const_undef(st);
    b.push(
        f32t,
        InstKind::ExtractValue {
            aggregate: u,
            indices: vec![1, 2],
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        BadIndex,
        "index 1 (2) is out of range for [2 x float]",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let st = b.ty_struct(vec![i32t, f32t], false);
    let u = b.const_undef(st);
    b.insert_value(u, X, &[1]).unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "inserted value has type i32 but the indices reach float",
    );
}

#[test]
fn calls_match_the_callee_type() {
    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let fty = b.ty_function(f32t, vec![i32t], true);
    let callee = declare(&mut b, "printfish", fty);
    b.call(callee, &[X, Y, P]).unwrap(); // varargs: extra arguments are fine
    ok(&done(b));

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let fty = b.ty_function(f32t, vec![i32t, i32t], false);
    let callee = declare(&mut b, "two", fty);
    b.call(callee, &[X]).unwrap();
    fails(
        &done(b),
        ArgumentCount,
        "call passes 1 arguments but the callee takes 2",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let fty = b.ty_function(f32t, vec![i32t], false);
    let callee = declare(&mut b, "one", fty);
    let v = b.call(callee, &[X]).unwrap();
    let mut m = done(b);
    let Value::Inst(id) = v else { unreachable!() };
    inst_mut(&mut m, 0, id.0).ty = m.types.find(&Type::Int(32)).unwrap();
    fails(
        &m,
        TypeMismatch,
        "call result type i32 differs from the callee's return type float",
    );

    let (mut b, _) = kernel();
    let f32t = b.ty_float();
    let i32t = b.ty_int(32);
    let fty = b.ty_function(f32t, vec![i32t], false);
    let callee = declare(&mut b, "one", fty);
    let v = b.call(callee, &[X]).unwrap();
    let mut m = done(b);
    let Value::Inst(id) = v else { unreachable!() };
    let InstKind::Call(call) = &mut inst_mut(&mut m, 0, id.0).kind else {
        unreachable!()
    };
    call.arg_attrs.clear();
    fails(
        &m,
        ArgumentCount,
        "call has 0 argument attribute sets for 1 arguments",
    );

    // The call's function type disagrees with the callee's pointer type.
    let (mut b, _) = kernel();
    let void = b.ty_void();
    let i32t = b.ty_int(32);
    let f32t = b.ty_float();
    let fty = b.ty_function(void, vec![i32t], false);
    let other = b.ty_function(void, vec![f32t], false);
    let callee = declare(&mut b, "one", fty);
    let cv = b.function_value(callee);
    b.call_full(Call {
        callee: cv,
        fn_ty: other,
        args: vec![Y],
        fn_attrs: AttrSet::new(),
        ret_attrs: AttrSet::new(),
        arg_attrs: vec![AttrSet::new()],
        tail: TailKind::None,
        cc: CallConv::default(),
    })
    .unwrap();
    fails(
        &done(b),
        TypeMismatch,
        "callee void (i32)* @one has type void (i32)* but the call's function type is void (float)",
    );
}

#[test]
fn metadata_call_arguments() {
    let (mut b, _) = kernel();
    let void = b.ty_void();
    let mdt = ty(&mut b, Type::Metadata);
    let fty = b.ty_function(void, vec![mdt], false);
    let callee = declare(&mut b, "llvm.fake.md", fty);
    let s = b.md_string("hello");
    b.call(callee, &[Value::Metadata(s)]).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    let s = b.md_string("hello");
    raw_add(&mut b, Value::Metadata(s), X);
    fails(
        &done(b),
        BadMetadata,
        "metadata can only be a call argument",
    );
}

#[test]
fn returns_and_branches() {
    let (mut b, _) = kernel();
    b.ret(Some(X)).unwrap();
    fails(
        &b.finish(),
        TypeMismatch,
        "a function returning void cannot return a value",
    );

    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let f32t = b.ty_float();
    let fty = b.ty_function(i32t, vec![f32t], false);
    let f = b.define_function("r", fty);
    let e = b.append_block(f, Some("entry"));
    b.position_at_end(f, e);
    b.ret(Some(Value::Arg(0))).unwrap();
    fails(
        &b.finish(),
        TypeMismatch,
        "returns float but the function returns i32",
    );

    let (mut b, f) = kernel();
    let next = b.append_block(f, Some("next"));
    b.cond_br(X, next, next).unwrap();
    b.position_at_end(f, next);
    fails(
        &done(b),
        TypeNotAllowed,
        "branch condition must be i1, not i32",
    );
}

#[test]
fn switch_cases() {
    let (mut b, f) = kernel();
    let i32t = b.ty_int(32);
    let next = b.append_block(f, Some("next"));
    let (c1, c2) = (b.const_int(i32t, 1), b.const_int(i32t, 2));
    b.switch(X, next, &[(c1, next), (c2, next)]).unwrap();
    b.position_at_end(f, next);
    ok(&done(b));

    let (mut b, f) = kernel();
    let i32t = b.ty_int(32);
    let next = b.append_block(f, Some("next"));
    let c1 = b.const_int(i32t, 1);
    b.switch(X, next, &[(c1, next), (c1, next)]).unwrap();
    b.position_at_end(f, next);
    fails(&done(b), BadSwitch, "duplicate case value i32 1");

    let (mut b, f) = kernel();
    let i64t = b.ty_int(64);
    let next = b.append_block(f, Some("next"));
    let c1 = b.const_int(i64t, 1);
    b.switch(X, next, &[(c1, next)]).unwrap();
    b.position_at_end(f, next);
    fails(
        &done(b),
        TypeMismatch,
        "case 0 has type i64 but the condition is i32",
    );

    let (mut b, f) = kernel();
    let next = b.append_block(f, Some("next"));
    b.switch(Y, next, &[]).unwrap();
    b.position_at_end(f, next);
    fails(
        &done(b),
        TypeNotAllowed,
        "switch condition must be an integer, not float",
    );
}

/// Adds one atomic instruction given the builder and an `i32*` alloca.
type AtomicCase = dyn Fn(&mut Builder, Value);

#[test]
fn atomics_and_orderings() {
    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    let a = b.alloca(i32t, Some(4)).unwrap();
    b.atomic_rmw(RmwOp::Add, a, X, Ordering::Monotonic).unwrap();
    b.atomic_rmw(RmwOp::FAdd, P, Y, Ordering::SeqCst).unwrap();
    b.cmpxchg(a, X, X, Ordering::AcqRel, Ordering::Acquire)
        .unwrap();
    // LLVM 13+ allows a failure ordering stronger than the success one.
    b.cmpxchg(a, X, X, Ordering::Monotonic, Ordering::SeqCst)
        .unwrap();
    b.fence(Ordering::Release).unwrap();
    b.push(
        i32t,
        InstKind::Load {
            ptr: a,
            align: Some(4),
            volatile: false,
            atomic: Some(Builder::atomic(Ordering::Acquire, "")),
        },
        Flags::empty(),
    )
    .unwrap();
    ok(&done(b));

    let cases: Vec<(Box<AtomicCase>, VerifyErrorKind, &str)> = vec![
        (
            Box::new(|b, a| drop(b.atomic_rmw(RmwOp::Add, a, X, Ordering::Unordered))),
            BadAtomic,
            "atomicrmw cannot be unordered",
        ),
        (
            Box::new(|b, _| drop(b.atomic_rmw(RmwOp::FAdd, P, X, Ordering::Monotonic))),
            TypeMismatch,
            "atomicrmw operand i32 does not match",
        ),
        (
            Box::new(|b, a| drop(b.atomic_rmw(RmwOp::FAdd, a, X, Ordering::Monotonic))),
            BadAtomic,
            "atomicrmw fadd cannot operate on i32",
        ),
        (
            Box::new(|b, a| drop(b.cmpxchg(a, X, X, Ordering::SeqCst, Ordering::Release))),
            BadAtomic,
            "cmpxchg failure ordering cannot be release",
        ),
        (
            Box::new(|b, _| drop(b.fence(Ordering::Monotonic))),
            BadAtomic,
            "fence ordering must be acquire, release, acq_rel or seq_cst, not monotonic",
        ),
        (
            Box::new(|b, a| {
                let i32t = b.ty_int(32);
                drop(b.push(
                    i32t,
                    InstKind::Load {
                        ptr: a,
                        align: Some(4),
                        volatile: false,
                        atomic: Some(Builder::atomic(Ordering::Release, "")),
                    },
                    Flags::empty(),
                ))
            }),
            BadAtomic,
            "an atomic load cannot be release",
        ),
        (
            Box::new(|b, a| {
                let void = b.ty_void();
                drop(b.push(
                    void,
                    InstKind::Store {
                        value: X,
                        ptr: a,
                        align: Some(4),
                        volatile: false,
                        atomic: Some(Builder::atomic(Ordering::Acquire, "")),
                    },
                    Flags::empty(),
                ))
            }),
            BadAtomic,
            "an atomic store cannot be acquire",
        ),
        (
            Box::new(|b, a| {
                let i32t = b.ty_int(32);
                drop(b.push(
                    i32t,
                    InstKind::Load {
                        ptr: a,
                        align: None,
                        volatile: false,
                        atomic: Some(Builder::atomic(Ordering::Acquire, "")),
                    },
                    Flags::empty(),
                ))
            }),
            BadAtomic,
            "an atomic load must specify an alignment",
        ),
    ];
    for (make, kind, needle) in cases {
        let (mut b, _) = kernel();
        let i32t = b.ty_int(32);
        let a = b.alloca(i32t, Some(4)).unwrap();
        make(&mut b, a);
        fails(&done(b), kind, needle);
    }
}

#[test]
fn void_instructions_have_void_type_and_no_name() {
    let (mut b, _) = kernel();
    let st = b.store(Y, P, Some(4)).unwrap();
    let mut m = done(b);
    let Value::Inst(id) = st else { unreachable!() };
    inst_mut(&mut m, 0, id.0).name = Some("named".into());
    fails(
        &m,
        NotAValue,
        "an instruction without a value cannot have a name",
    );

    let (mut b, _) = kernel();
    let i32t = b.ty_int(32);
    b.push(
        i32t,
        InstKind::Store {
            value: Y,
            ptr: P,
            align: None,
            volatile: false,
            atomic: None,
        },
        Flags::empty(),
    )
    .unwrap();
    fails(
        &done(b),
        NotAValue,
        "`store` has no value, so its type must be void, not i32",
    );
}

// ----- intrinsics -----

/// Declares `name` with signature `ret (params)` built by `make`.
fn with_decl(name: &str, make: impl FnOnce(&mut Builder) -> TypeId) -> Module {
    let (mut b, _) = kernel();
    let fty = make(&mut b);
    declare(&mut b, name, fty);
    done(b)
}

#[test]
fn intrinsic_barrier_signature() {
    ok(&with_decl("air.wg.barrier", |b| {
        let (v, i) = (b.ty_void(), b.ty_int(32));
        b.ty_function(v, vec![i, i], false)
    }));
    let m = with_decl("air.wg.barrier", |b| {
        let (v, i) = (b.ty_void(), b.ty_int(32));
        b.ty_function(v, vec![i], false)
    });
    let e = fails(
        &m,
        BadIntrinsicSignature,
        "intrinsic @air.wg.barrier must have type void (i32, i32), but is declared as void (i32)",
    );
    assert_eq!(e.location, Location::Function("air.wg.barrier".into()));
    fails(
        &with_decl("air.simdgroup.barrier", |b| {
            let (v, i) = (b.ty_void(), b.ty_int(64));
            b.ty_function(v, vec![i, i], false)
        }),
        BadIntrinsicSignature,
        "@air.simdgroup.barrier must have type void (i32, i32)",
    );
}

#[test]
fn intrinsic_events_any_named_struct_in_as3_or_as0() {
    for (name, addrspace) in [("event_t", 3), ("struct._simdgroup_event_t", 0)] {
        ok(&with_decl("air.wait_simdgroup_events", |b| {
            let (v, i) = (b.ty_void(), b.ty_int(32));
            let ev = b.ty_named(name);
            let p = b.ty_ptr(ev, addrspace);
            let pp = b.ty_ptr(p, 0);
            b.ty_function(v, vec![i, pp], false)
        }));
    }
    let m = with_decl("air.wait_simdgroup_events", |b| {
        let (v, i) = (b.ty_void(), b.ty_int(32));
        let f = b.ty_float();
        let p = b.ty_ptr(f, 3);
        let pp = b.ty_ptr(p, 0);
        b.ty_function(v, vec![i, pp], false)
    });
    fails(&m, BadIntrinsicSignature, "must have type void (i32, %event_t addrspace(3)**), but is declared as void (i32, float addrspace(3)**) (%event_t may be any named struct");
}

#[test]
fn intrinsic_async_copies() {
    fn copy_2d(b: &mut Builder, dst_as: u32, src_as: u32) -> TypeId {
        let ev = b.ty_named("event_t");
        let evp = b.ty_ptr(ev, 3);
        let (i8t, i32t, i64t) = (b.ty_int(8), b.ty_int(32), b.ty_int(64));
        let v2 = b.ty_vector(i64t, 2);
        let (dst, src) = (b.ty_ptr(i8t, dst_as), b.ty_ptr(i8t, src_as));
        b.ty_function(
            evp,
            vec![
                i64t, i64t, dst, i64t, i64t, v2, src, i64t, i64t, v2, v2, i32t,
            ],
            false,
        )
    }
    ok(&with_decl("air.simdgroup_async_copy_2d.p3i8.p1i8", |b| {
        copy_2d(b, 3, 1)
    }));
    ok(&with_decl("air.simdgroup_async_copy_2d.p1i8.p3i8", |b| {
        copy_2d(b, 1, 3)
    }));
    // Pointer operands swapped against the name.
    fails(
        &with_decl("air.simdgroup_async_copy_2d.p3i8.p1i8", |b| copy_2d(b, 1, 3)), BadIntrinsicSignature,
        "@air.simdgroup_async_copy_2d.p3i8.p1i8 must have type %event_t addrspace(3)* (i64, i64, i8 addrspace(3)*,",
    );
    let one_d = |b: &mut Builder, dst_as: u32, src_as: u32| {
        let ev = b.ty_named("event_t");
        let evp = b.ty_ptr(ev, 3);
        let (i8t, i64t) = (b.ty_int(8), b.ty_int(64));
        let (dst, src) = (b.ty_ptr(i8t, dst_as), b.ty_ptr(i8t, src_as));
        b.ty_function(evp, vec![i64t, i64t, dst, src, i64t], false)
    };
    ok(&with_decl("air.simdgroup_async_copy_1d.p3i8.p1i8", |b| {
        one_d(b, 3, 1)
    }));
    fails(
        &with_decl("air.simdgroup_async_copy_1d.p1i8.p3i8", |b| one_d(b, 3, 1)),
        BadIntrinsicSignature,
        "must have type",
    );
}

#[test]
fn intrinsic_simdgroup_matrix_forms_by_air_version() {
    fn load(b: &mut Builder, legacy: bool) -> TypeId {
        let f = b.ty_float();
        let v64 = b.ty_vector(f, 64);
        let p = b.ty_ptr(f, 3);
        let i64t = b.ty_int(64);
        let v2 = b.ty_vector(i64t, 2);
        let i1t = b.ty_int(1);
        let params = if legacy {
            vec![p, i64t, v2, i1t]
        } else {
            vec![p, v2, v2, v2]
        };
        b.ty_function(v64, params, false)
    }
    fn with_version(mut m: Module, minor: i128) -> Module {
        let mut b = Builder::from_module(std::mem::take(&mut m));
        let i32t = b.ty_int(32);
        let vals: Vec<_> = [2, minor, 0]
            .iter()
            .map(|v| {
                let c = b.const_int(i32t, *v);
                Some(b.md_value(c).unwrap())
            })
            .collect();
        let node = b.md_node(vals);
        b.add_named_metadata("air.version", &[node]);
        b.finish()
    }
    let name = "air.simdgroup_matrix_8x8_load.v64f32.p3f32";
    // Without !air.version either form is accepted.
    ok(&with_decl(name, |b| load(b, false)));
    ok(&with_decl(name, |b| load(b, true)));
    ok(&with_version(with_decl(name, |b| load(b, false)), 8));
    ok(&with_version(with_decl(name, |b| load(b, true)), 7));
    fails(
        &with_version(with_decl(name, |b| load(b, true)), 8), BadIntrinsicSignature,
        "must have type <64 x float> (float addrspace(3)*, <2 x i64>, <2 x i64>, <2 x i64>), but is declared as <64 x float> (float addrspace(3)*, i64, <2 x i64>, i1)",
    );

    let mma = |b: &mut Builder, r: Type| {
        let (h, f) = (b.ty_half(), b.ty_float());
        let r = ty(b, r);
        let (vr, vh, vf) = (b.ty_vector(r, 64), b.ty_vector(h, 64), b.ty_vector(f, 64));
        b.ty_function(vr, vec![vh, vh, vf], false)
    };
    let name = "air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32";
    ok(&with_decl(name, |b| mma(b, Type::Float)));
    fails(
        &with_decl(name, |b| mma(b, Type::Half)),
        BadIntrinsicSignature,
        "<64 x float> (<64 x half>, <64 x half>, <64 x float>)",
    );
}

#[test]
fn intrinsic_misc_and_unknown_names() {
    ok(&with_decl("llvm.lifetime.start.p0i8", |b| {
        let (v, i64t, i8t) = (b.ty_void(), b.ty_int(64), b.ty_int(8));
        let p = b.ty_ptr(i8t, 0);
        b.ty_function(v, vec![i64t, p], false)
    }));
    fails(
        &with_decl("llvm.lifetime.end.p0i8", |b| {
            let (v, i32t, i8t) = (b.ty_void(), b.ty_int(32), b.ty_int(8));
            let p = b.ty_ptr(i8t, 0);
            b.ty_function(v, vec![i32t, p], false)
        }),
        BadIntrinsicSignature,
        "must have type void (i64, i8*)",
    );
    // Apple's compiler declares the shuffle mask i16 (mps-flash-attention
    // kernels); hand-written IR (MFA-MONO) used i32. Both forms are valid,
    // anything else names both in the message.
    for mask in [16, 32] {
        ok(&with_decl("air.simd_shuffle_xor.f32", |b| {
            let (f, m) = (b.ty_float(), b.ty_int(mask));
            b.ty_function(f, vec![f, m], false)
        }));
    }
    fails(
        &with_decl("air.simd_shuffle_xor.f32", |b| {
            let (f, i64t) = (b.ty_float(), b.ty_int(64));
            b.ty_function(f, vec![f, i64t], false)
        }),
        BadIntrinsicSignature,
        "must have type float (float, i16) or float (float, i32), but is declared as float (float, i64)",
    );
    // Names the table does not know are not checked.
    ok(&with_decl("air.some_future_thing.v2f32", |b| {
        let v = b.ty_void();
        b.ty_function(v, vec![], true)
    }));
    ok(&with_decl("llvm.memcpy.p0i8.p0i8.i64", |b| {
        let v = b.ty_void();
        b.ty_function(v, vec![], false)
    }));
}

#[test]
fn intrinsics_cannot_have_bodies() {
    let mut b = Builder::new();
    let (v, i) = (b.ty_void(), b.ty_int(32));
    let fty = b.ty_function(v, vec![i, i], false);
    let f = b.define_function("air.wg.barrier", fty);
    let e = b.append_block(f, Some("entry"));
    b.position_at_end(f, e);
    b.ret(None).unwrap();
    fails(
        &b.finish(),
        IntrinsicHasBody,
        "intrinsic @air.wg.barrier cannot have a body",
    );
}

// ----- metadata -----

#[test]
fn metadata_references_exist() {
    let mut b = Builder::new();
    let s = b.md_string("a");
    let n = b.md_node(vec![Some(s), None]);
    b.add_named_metadata("llvm.ident", &[n]);
    ok(&b.finish());

    let mut b = Builder::new();
    let s = b.md_string("a");
    b.md_node(vec![Some(s), Some(air_ir::MetaId(99))]);
    fails(
        &b.finish(),
        UndefinedMetadata,
        "metadata node #1: operand 1 refers to metadata #99 which does not exist",
    );

    let mut b = Builder::new();
    b.add_named_metadata("llvm.ident", &[air_ir::MetaId(3)]);
    fails(
        &b.finish(),
        UndefinedMetadata,
        "metadata !llvm.ident operand 0: refers to metadata #3 which does not exist",
    );
}

#[test]
fn metadata_values_match_their_type() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let one = b.const_int(i32t, 1);
    let Value::Const(c) = one else { unreachable!() };
    let i64t = b.ty_int(64);
    b.module_mut().add_metadata(Metadata::Value {
        ty: i64t,
        value: Value::Const(c),
    });
    fails(
        &b.finish(),
        TypeMismatch,
        "value has type i32 but is labelled i64",
    );

    // A function-local value cannot sit in a module-level node.
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let local = b.module_mut().add_metadata(Metadata::Value {
        ty: i32t,
        value: Value::Arg(0),
    });
    b.md_node(vec![Some(local)]);
    fails(
        &b.finish(),
        BadMetadata,
        "operand 0 is a function-local value",
    );
}

#[test]
fn metadata_attachments() {
    let (mut b, _) = kernel();
    let s = b.md_string("x");
    let n = b.md_node(vec![Some(s)]);
    let v = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.attach(v, "air.note", n).unwrap();
    ok(&done(b));

    let (mut b, _) = kernel();
    let s = b.md_string("x");
    let n = b.md_node(vec![Some(s)]);
    let v = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.attach(v, "", n).unwrap();
    fails(
        &done(b),
        EmptyName,
        "metadata attachment has an empty kind name",
    );

    let (mut b, _) = kernel();
    let v = b.binary(Opcode::Add, X, X, Flags::empty()).unwrap();
    b.attach(v, "dbg", air_ir::MetaId(42)).unwrap();
    fails(
        &done(b),
        UndefinedMetadata,
        "metadata attachment !dbg refers to metadata #42 which does not exist",
    );
}

// ----- AIR -----

/// A kernel with `!air.kernel = !{!{fnref, !{}, !{!{i32 idx, ...}}}}`.
fn air_module(arg_index: i128, reference_declaration: bool) -> Module {
    let (mut b, f) = kernel();
    b.ret(None).unwrap();
    let target = if reference_declaration {
        let fty = b.module().functions[f.0 as usize].ty;
        declare(&mut b, "k_decl", fty)
    } else {
        f
    };
    let fref = b.function_value(target);
    let fmd = b.md_value(fref).unwrap();
    let empty = b.md_node(vec![]);
    let i32t = b.ty_int(32);
    let idx = b.const_int(i32t, arg_index);
    let idx = b.md_value(idx).unwrap();
    let kind = b.md_string("air.buffer");
    let arg = b.md_node(vec![Some(idx), Some(kind)]);
    let args = b.md_node(vec![Some(arg)]);
    let k = b.md_node(vec![Some(fmd), Some(empty), Some(args)]);
    b.add_named_metadata("air.kernel", &[k]);
    b.finish()
}

#[test]
fn air_kernel_metadata() {
    ok(&air_module(2, false));
    fails(
        &air_module(3, false),
        BadAirMetadata,
        "metadata !air.kernel operand 0: argument node 0 has index 3 but @k has 3 parameters",
    );
    fails(
        &air_module(0, true),
        BadAirMetadata,
        "kernel @k_decl is only declared, not defined",
    );

    let mut b = Builder::new();
    let s = b.md_string("not a function");
    let k = b.md_node(vec![Some(s)]);
    b.add_named_metadata("air.kernel", &[k]);
    fails(
        &b.finish(),
        BadAirMetadata,
        "the first operand must be a reference to the kernel function",
    );
}

// ----- robustness -----

#[test]
fn dangling_ids_everywhere_do_not_panic() {
    let (mut b, f) = kernel();
    let i32t = b.ty_int(32);
    b.push(TypeId(5000), InstKind::Freeze { value: X }, Flags::empty())
        .unwrap();
    b.push(
        i32t,
        InstKind::Freeze {
            value: Value::Const(air_ir::ConstId(777)),
        },
        Flags::empty(),
    )
    .unwrap();
    b.push(
        i32t,
        InstKind::GetElementPtr {
            source: TypeId(4000),
            base: P,
            indices: vec![],
            inbounds: false,
        },
        Flags::empty(),
    )
    .unwrap();
    b.push(
        i32t,
        InstKind::Phi {
            incoming: vec![(X, BlockId(99))],
        },
        Flags::empty(),
    )
    .unwrap();
    let fake = b.ty_function(i32t, vec![], false);
    b.call_full(Call {
        callee: Value::Const(air_ir::ConstId(888)),
        fn_ty: fake,
        args: vec![],
        fn_attrs: AttrSet::new(),
        ret_attrs: AttrSet::new(),
        arg_attrs: vec![],
        tail: TailKind::None,
        cc: CallConv::default(),
    })
    .unwrap();
    let mut m = done(b);
    m.functions[f.0 as usize].ty = TypeId(123_456);
    m.globals.push(Global {
        name: "bad".into(),
        value_ty: TypeId(9_999),
        addrspace: 0,
        is_constant: false,
        initializer: Some(air_ir::ConstId(9_999)),
        linkage: Linkage::Internal,
        visibility: Default::default(),
        dso_local: false,
        unnamed_addr: Default::default(),
        externally_initialized: false,
        thread_local: Default::default(),
        section: None,
        align: None,
        attachments: vec![(String::new(), air_ir::MetaId(1234))],
    });
    m.types.set_struct_body(TypeId(0), StructBody::Opaque);
    let errors = verify_all(&m);
    assert!(errors.len() >= 2, "{}", list(&errors));
}

#[test]
fn self_referential_constant_is_reported() {
    let mut b = Builder::new();
    let i32t = b.ty_int(32);
    let arr = b.ty_array(i32t, 1);
    // Constant #0 is an array whose element is constant #0.
    let c = b.constant(arr, ConstKind::Array(vec![air_ir::ConstId(0)]));
    b.global("loop", arr, 0, Some(c), None);
    fails(&b.finish(), RecursiveConstant, "contains itself");
}

#[test]
fn large_functions_verify_in_linear_time() {
    // A 20 000-block chain with a value threaded through phis: quadratic
    // dominance or phi checks would take minutes here.
    let (mut b, f) = kernel();
    let i32t = b.ty_int(32);
    let mut prev_block = BlockId(0);
    let mut prev_val = X;
    let one = b.const_int(i32t, 1);
    for i in 0..20_000 {
        let next = b.append_block(f, None);
        b.br(next).unwrap();
        b.position_at_end(f, next);
        let phi = b.phi(i32t, vec![(prev_val, prev_block)]).unwrap();
        prev_val = b.binary(Opcode::Add, phi, one, Flags::empty()).unwrap();
        prev_block = next;
        let _ = i;
    }
    let m = done(b);
    let start = std::time::Instant::now();
    ok(&m);
    assert!(
        start.elapsed().as_secs() < 20,
        "verify took {:?}",
        start.elapsed()
    );
}
