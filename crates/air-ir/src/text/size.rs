//! How large a module's text would be, without printing it.
//!
//! The text spells every type and constant out where it is used, while a
//! module shares them: `{ %a, %a }` types and `{ c, c }` constants whose
//! parts are shared again, used by many instructions, spell out to far
//! more text than the records that describe them (2^n for n levels of
//! sharing). Text can only describe what it spells, but bitcode (and a
//! builder) can, so the bitcode reader measures what it read with this
//! before anyone prints it (`air_bitcode::limits::MAX_TEXT_PER_BYTE`).
//!
//! The measure is an upper estimate in bytes, computed in time linear in
//! the module: every type and constant is sized once, in id order (parts
//! are interned before what holds them), then every place the printer
//! spells one out adds its size.

use crate::constant::{ConstExpr, ConstKind};
use crate::debuginfo::DiValue;
use crate::inst::{InstKind, Value};
use crate::metadata::Metadata;
use crate::module::Module;
use crate::types::{StructBody, Type, TypeId};

/// Bytes a type or constant node adds besides its parts (`[4 x `, `]`,
/// `getelementptr inbounds (`, a keyword): a generous round figure.
const NODE: u64 = 32;

/// An upper estimate, in bytes, of the text [`print_module`](super::print_module)
/// writes for `module` (saturating at `u64::MAX`).
pub fn text_size_bound(module: &Module) -> u64 {
    let types = type_sizes(module);
    let ty = |t: TypeId| types.get(t.0 as usize).copied().unwrap_or(NODE);
    let consts = const_sizes(module, &types);
    let konst = |c: crate::constant::ConstId| consts.get(c.0 as usize).copied().unwrap_or(NODE);
    let mut total = 0u64;
    let mut add = |n: u64| total = total.saturating_add(n);
    for id in module.types.named_structs() {
        if let Some(StructBody::Fields { fields, .. }) = module.types.struct_body(*id) {
            add(ty(*id));
            for f in fields {
                add(ty(*f).saturating_add(2));
            }
        }
    }
    for g in &module.globals {
        add(NODE + g.name.len() as u64);
        add(ty(g.value_ty));
        if let Some(c) = g.initializer {
            add(konst(c));
        }
    }
    for md in &module.metadata {
        add(NODE);
        match md {
            Metadata::String(bytes) => add(4 * bytes.len() as u64),
            Metadata::Value { ty: t, value } => {
                add(ty(*t));
                if let Value::Const(c) = value {
                    add(konst(*c));
                }
            }
            Metadata::Node { operands, .. } => add(8 * operands.len() as u64),
            // `name: value` per field; a reference is `!N`, lists and wide
            // integers are spelled element by element.
            Metadata::Di(node) => {
                for v in &node.fields {
                    add(48
                        + match v {
                            DiValue::Wide { words, .. } => 21 * words.len() as u64,
                            DiValue::Ints(list) => 22 * list.len() as u64,
                            DiValue::Mds(list) => 12 * list.len() as u64,
                            _ => 0,
                        });
                }
            }
        }
    }
    for f in &module.functions {
        add(NODE + f.name.len() as u64);
        add(ty(f.ty));
        let params = module
            .types
            .function_parts(f.ty)
            .map(|(_, p, _)| p)
            .unwrap_or(&[]);
        for inst in &f.insts {
            add(NODE);
            add(ty(inst.ty));
            inst.kind.for_each_operand(|v| {
                add(match v {
                    Value::Const(c) => {
                        let t = module.consts.try_get(*c).map_or(NODE, |k| ty(k.ty));
                        t.saturating_add(konst(*c))
                    }
                    Value::Inst(i) => f.insts.get(i.0 as usize).map_or(NODE, |x| ty(x.ty)),
                    Value::Arg(a) => params.get(*a as usize).map_or(NODE, |p| ty(*p)),
                    Value::Metadata(_) => NODE,
                }
                .saturating_add(16))
            });
            match &inst.kind {
                InstKind::Alloca { allocated, .. } => add(ty(*allocated)),
                InstKind::GetElementPtr { source, .. } => add(ty(*source)),
                InstKind::Call(call) => add(ty(call.fn_ty)),
                InstKind::Switch { cases, .. } => {
                    for (c, _) in cases {
                        add(konst(*c).saturating_add(NODE));
                    }
                }
                _ => {}
            }
        }
    }
    total
}

/// The spelled size of every type, by id. A named struct is its name.
fn type_sizes(module: &Module) -> Vec<u64> {
    let t = &module.types;
    let mut out: Vec<u64> = Vec::with_capacity(t.len());
    for id in t.ids() {
        // A part not sized yet (only in a malformed table) counts as one node.
        let of = |p: &TypeId, out: &Vec<u64>| out.get(p.0 as usize).copied().unwrap_or(NODE);
        let size = match t.get(id) {
            Type::Pointer { pointee, .. } => of(pointee, &out).saturating_add(NODE),
            Type::Array { elem, .. } | Type::Vector { elem, .. } => {
                of(elem, &out).saturating_add(NODE)
            }
            Type::Struct { fields, .. } => fields
                .iter()
                .fold(NODE, |s, f| s.saturating_add(of(f, &out)).saturating_add(2)),
            Type::Function { ret, params, .. } => params
                .iter()
                .fold(of(ret, &out).saturating_add(NODE), |s, p| {
                    s.saturating_add(of(p, &out)).saturating_add(2)
                }),
            Type::Named(name) => 4 * name.len() as u64 + 3,
            _ => NODE,
        };
        out.push(size);
    }
    out
}

/// The spelled size of every constant without its own type, by id (a
/// constant's parts are spelled with their types).
fn const_sizes(module: &Module, types: &[u64]) -> Vec<u64> {
    let ty = |t: TypeId| types.get(t.0 as usize).copied().unwrap_or(NODE);
    let mut out: Vec<u64> = Vec::with_capacity(module.consts.len());
    for (_, c) in module.consts.iter() {
        let part = |p: &crate::constant::ConstId, out: &Vec<u64>| {
            let own = out.get(p.0 as usize).copied().unwrap_or(NODE);
            let t = module.consts.try_get(*p).map_or(NODE, |k| ty(k.ty));
            own.saturating_add(t).saturating_add(2)
        };
        let size = match &c.kind {
            ConstKind::Int(v) => {
                let width = module.types.int_width(c.ty).unwrap_or(64);
                // log10(2) < 0.302: digits of the magnitude, and a sign.
                u64::from(v.magnitude_bits(width)) * 302 / 1000 + 2
            }
            ConstKind::String(bytes) => 4 * bytes.len() as u64 + 3,
            ConstKind::Array(elems) | ConstKind::Vector(elems) | ConstKind::Struct(elems) => elems
                .iter()
                .fold(NODE, |s, e| s.saturating_add(part(e, &out))),
            ConstKind::Global(g) => module
                .globals
                .get(g.0 as usize)
                .map_or(NODE, |g| 4 * g.name.len() as u64 + 3),
            ConstKind::Function(f) => module
                .functions
                .get(f.0 as usize)
                .map_or(NODE, |f| 4 * f.name.len() as u64 + 3),
            ConstKind::Expr(e) => {
                let mut s = NODE.saturating_add(ty(c.ty));
                if let ConstExpr::GetElementPtr { source, .. } = e {
                    s = s.saturating_add(ty(*source));
                }
                c.kind
                    .for_each_const(|p| s = s.saturating_add(part(p, &out)));
                s
            }
            ConstKind::Float(_)
            | ConstKind::Null
            | ConstKind::Undef
            | ConstKind::Poison
            | ConstKind::Zero => NODE,
        };
        out.push(size);
    }
    out
}
