//! Structural equality of modules, independent of arena layout.
//!
//! Two modules are equal when they say the same thing: same globals and
//! functions in the same order, same instructions in the same layout, and
//! types, constants and metadata that have the same shape, wherever they sit
//! in their arenas. This is what `parse(print(m)) == m` needs: the parser
//! interns in text order, a builder in construction order.
//!
//! Types and constants are compared by importing both sides into one fresh,
//! interning table (equal shapes get equal ids there). Metadata is compared
//! as a bisimulation with a worklist, because nodes may form cycles and
//! `distinct` nodes have identity: those must map one-to-one.

use std::collections::{HashMap, HashSet};

use crate::attributes::AttrSet;
use crate::constant::{ConstExpr, ConstId, ConstKind, ConstTable, Constant};
use crate::debuginfo::DiValue;
use crate::inst::{InstId, InstKind, Value};
use crate::limits::MAX_EQ_DEPTH;
use crate::metadata::{MetaId, Metadata};
use crate::module::{Function, Global, Module};
use crate::types::{StructBody, Type, TypeId, TypeTable};

#[derive(Default)]
struct Canon {
    types: TypeTable,
    consts: ConstTable,
    type_memo: [HashMap<TypeId, TypeId>; 2],
    const_memo: [HashMap<ConstId, ConstId>; 2],
}

impl Canon {
    fn ty(&mut self, side: usize, m: &Module, id: TypeId, depth: u32) -> Option<TypeId> {
        if let Some(&c) = self.type_memo[side].get(&id) {
            return Some(c);
        }
        if depth > MAX_EQ_DEPTH {
            return None;
        }
        let d = depth + 1;
        let shape = match m.types.try_get(id)? {
            Type::Pointer { pointee, addrspace } => Type::Pointer {
                pointee: self.ty(side, m, *pointee, d)?,
                addrspace: *addrspace,
            },
            Type::Array { len, elem } => Type::Array {
                len: *len,
                elem: self.ty(side, m, *elem, d)?,
            },
            Type::Vector { len, elem } => Type::Vector {
                len: *len,
                elem: self.ty(side, m, *elem, d)?,
            },
            Type::Struct { fields, packed } => Type::Struct {
                fields: fields
                    .iter()
                    .map(|f| self.ty(side, m, *f, d))
                    .collect::<Option<_>>()?,
                packed: *packed,
            },
            Type::Function {
                ret,
                params,
                varargs,
            } => Type::Function {
                ret: self.ty(side, m, *ret, d)?,
                params: params
                    .iter()
                    .map(|p| self.ty(side, m, *p, d))
                    .collect::<Option<_>>()?,
                varargs: *varargs,
            },
            // Named structs are compared by name here; their bodies are
            // compared once, at module level.
            other => other.clone(),
        };
        let c = self.types.intern(shape);
        self.type_memo[side].insert(id, c);
        Some(c)
    }

    fn konst(&mut self, side: usize, m: &Module, id: ConstId, depth: u32) -> Option<ConstId> {
        if let Some(&c) = self.const_memo[side].get(&id) {
            return Some(c);
        }
        if depth > MAX_EQ_DEPTH {
            return None;
        }
        let d = depth + 1;
        let c = m.consts.try_get(id)?;
        let ty = self.ty(side, m, c.ty, d)?;
        let list = |items: &[ConstId], this: &mut Self| -> Option<Vec<ConstId>> {
            items.iter().map(|i| this.konst(side, m, *i, d)).collect()
        };
        let kind = match &c.kind {
            ConstKind::Array(items) => ConstKind::Array(list(items, self)?),
            ConstKind::Vector(items) => ConstKind::Vector(list(items, self)?),
            ConstKind::Struct(items) => ConstKind::Struct(list(items, self)?),
            ConstKind::Expr(e) => ConstKind::Expr(match e {
                ConstExpr::Cast { op, value } => ConstExpr::Cast {
                    op: *op,
                    value: self.konst(side, m, *value, d)?,
                },
                ConstExpr::GetElementPtr {
                    source,
                    base,
                    indices,
                    inbounds,
                    inrange,
                } => ConstExpr::GetElementPtr {
                    source: self.ty(side, m, *source, d)?,
                    base: self.konst(side, m, *base, d)?,
                    indices: list(indices, self)?,
                    inbounds: *inbounds,
                    inrange: *inrange,
                },
                ConstExpr::Binary {
                    op,
                    lhs,
                    rhs,
                    flags,
                } => ConstExpr::Binary {
                    op: *op,
                    lhs: self.konst(side, m, *lhs, d)?,
                    rhs: self.konst(side, m, *rhs, d)?,
                    flags: *flags,
                },
                ConstExpr::FNeg(v) => ConstExpr::FNeg(self.konst(side, m, *v, d)?),
                ConstExpr::ICmp { pred, lhs, rhs } => ConstExpr::ICmp {
                    pred: *pred,
                    lhs: self.konst(side, m, *lhs, d)?,
                    rhs: self.konst(side, m, *rhs, d)?,
                },
                ConstExpr::FCmp { pred, lhs, rhs } => ConstExpr::FCmp {
                    pred: *pred,
                    lhs: self.konst(side, m, *lhs, d)?,
                    rhs: self.konst(side, m, *rhs, d)?,
                },
                ConstExpr::Select {
                    cond,
                    on_true,
                    on_false,
                } => ConstExpr::Select {
                    cond: self.konst(side, m, *cond, d)?,
                    on_true: self.konst(side, m, *on_true, d)?,
                    on_false: self.konst(side, m, *on_false, d)?,
                },
                ConstExpr::ExtractElement { vector, index } => ConstExpr::ExtractElement {
                    vector: self.konst(side, m, *vector, d)?,
                    index: self.konst(side, m, *index, d)?,
                },
                ConstExpr::InsertElement {
                    vector,
                    element,
                    index,
                } => ConstExpr::InsertElement {
                    vector: self.konst(side, m, *vector, d)?,
                    element: self.konst(side, m, *element, d)?,
                    index: self.konst(side, m, *index, d)?,
                },
                ConstExpr::ShuffleVector { a, b, mask } => ConstExpr::ShuffleVector {
                    a: self.konst(side, m, *a, d)?,
                    b: self.konst(side, m, *b, d)?,
                    mask: self.konst(side, m, *mask, d)?,
                },
            }),
            // Globals and functions are compared by position: module order
            // is part of what a module says.
            other => other.clone(),
        };
        let out = self.consts.intern(Constant { ty, kind });
        self.const_memo[side].insert(id, out);
        Some(out)
    }

    fn attrs(&mut self, side: usize, m: &Module, set: &AttrSet) -> Option<AttrSet> {
        let mut out = set.clone();
        let mut ok = true;
        out.for_each_type_mut(&mut |t| match self.ty(side, m, *t, 0) {
            Some(c) => *t = c,
            None => ok = false,
        });
        ok.then_some(out)
    }
}

struct Comparer<'a> {
    m: [&'a Module; 2],
    canon: Canon,
    /// Metadata pairs still to compare.
    md_work: Vec<(MetaId, MetaId)>,
    md_seen: HashSet<(MetaId, MetaId)>,
    /// `distinct` nodes must correspond one-to-one.
    distinct: [HashMap<MetaId, MetaId>; 2],
}

/// Whether `a` and `b` are structurally equal (see the module docs).
pub fn modules_equal(a: &Module, b: &Module) -> bool {
    let mut c = Comparer {
        m: [a, b],
        canon: Canon::default(),
        md_work: Vec::new(),
        md_seen: HashSet::new(),
        distinct: [HashMap::new(), HashMap::new()],
    };
    c.module().is_some() && c.metadata()
}

impl<'a> Comparer<'a> {
    fn ty(&mut self, x: TypeId, y: TypeId) -> Option<()> {
        let cx = self.canon.ty(0, self.m[0], x, 0)?;
        let cy = self.canon.ty(1, self.m[1], y, 0)?;
        (cx == cy).then_some(())
    }

    fn konst(&mut self, x: ConstId, y: ConstId) -> Option<()> {
        let cx = self.canon.konst(0, self.m[0], x, 0)?;
        let cy = self.canon.konst(1, self.m[1], y, 0)?;
        (cx == cy).then_some(())
    }

    fn opt<T: Copy>(
        &mut self,
        x: Option<T>,
        y: Option<T>,
        f: impl FnOnce(&mut Self, T, T) -> Option<()>,
    ) -> Option<()> {
        match (x, y) {
            (None, None) => Some(()),
            (Some(x), Some(y)) => f(self, x, y),
            _ => None,
        }
    }

    fn attrs(&mut self, x: &AttrSet, y: &AttrSet) -> Option<()> {
        let cx = self.canon.attrs(0, self.m[0], x)?;
        let cy = self.canon.attrs(1, self.m[1], y)?;
        (cx == cy).then_some(())
    }

    fn attachments(&mut self, x: &[(String, MetaId)], y: &[(String, MetaId)]) -> Option<()> {
        if x.len() != y.len() {
            return None;
        }
        for ((kx, mx), (ky, my)) in x.iter().zip(y) {
            if kx != ky {
                return None;
            }
            self.md_work.push((*mx, *my));
        }
        Some(())
    }

    fn module(&mut self) -> Option<()> {
        let [a, b] = self.m;
        if a.source_filename != b.source_filename
            || a.datalayout != b.datalayout
            || a.triple != b.triple
            || a.module_asm != b.module_asm
            || a.globals.len() != b.globals.len()
            || a.functions.len() != b.functions.len()
            || a.named_metadata.len() != b.named_metadata.len()
        {
            return None;
        }
        self.named_structs()?;
        for (gx, gy) in a.globals.iter().zip(&b.globals) {
            self.global(gx, gy)?;
        }
        for (fx, fy) in a.functions.iter().zip(&b.functions) {
            self.function(fx, fy)?;
        }
        for (nx, ny) in a.named_metadata.iter().zip(&b.named_metadata) {
            if nx.name != ny.name || nx.operands.len() != ny.operands.len() {
                return None;
            }
            for (x, y) in nx.operands.iter().zip(&ny.operands) {
                self.md_work.push((*x, *y));
            }
        }
        Some(())
    }

    /// Named structs: the same names with the same bodies. Their order is not
    /// compared: it only decides where the printer lists them.
    fn named_structs(&mut self) -> Option<()> {
        let [a, b] = self.m;
        let names = |m: &Module| -> HashMap<String, TypeId> {
            m.types
                .named_structs()
                .iter()
                .filter_map(|id| match m.types.try_get(*id) {
                    Some(Type::Named(n)) => Some((n.clone(), *id)),
                    _ => None,
                })
                .collect()
        };
        let (na, nb) = (names(a), names(b));
        if na.len() != nb.len() {
            return None;
        }
        for (name, ida) in &na {
            let idb = *nb.get(name)?;
            match (a.types.struct_body(*ida), b.types.struct_body(idb)) {
                (Some(StructBody::Opaque), Some(StructBody::Opaque)) => {}
                (
                    Some(StructBody::Fields {
                        fields: fa,
                        packed: pa,
                    }),
                    Some(StructBody::Fields {
                        fields: fb,
                        packed: pb,
                    }),
                ) => {
                    if pa != pb || fa.len() != fb.len() {
                        return None;
                    }
                    for (x, y) in fa.clone().into_iter().zip(fb.clone()) {
                        self.ty(x, y)?;
                    }
                }
                _ => return None,
            }
        }
        Some(())
    }

    fn global(&mut self, x: &Global, y: &Global) -> Option<()> {
        if x.name != y.name
            || x.addrspace != y.addrspace
            || x.is_constant != y.is_constant
            || x.linkage != y.linkage
            || x.visibility != y.visibility
            || x.dso_local != y.dso_local
            || x.unnamed_addr != y.unnamed_addr
            || x.externally_initialized != y.externally_initialized
            || x.thread_local != y.thread_local
            || x.section != y.section
            || x.align != y.align
        {
            return None;
        }
        self.ty(x.value_ty, y.value_ty)?;
        self.opt(x.initializer, y.initializer, Self::konst)?;
        self.attachments(&x.attachments, &y.attachments)
    }

    fn function(&mut self, x: &Function, y: &Function) -> Option<()> {
        if x.name != y.name
            || x.linkage != y.linkage
            || x.visibility != y.visibility
            || x.dso_local != y.dso_local
            || x.cc != y.cc
            || x.unnamed_addr != y.unnamed_addr
            || x.section != y.section
            || x.align != y.align
            || x.params.len() != y.params.len()
            || x.blocks.len() != y.blocks.len()
        {
            return None;
        }
        self.ty(x.ty, y.ty)?;
        self.attrs(&x.ret_attrs, &y.ret_attrs)?;
        self.attrs(&x.fn_attrs, &y.fn_attrs)?;
        for (px, py) in x.params.iter().zip(&y.params) {
            if px.name != py.name {
                return None;
            }
            self.attrs(&px.attrs, &py.attrs)?;
        }
        self.attachments(&x.attachments, &y.attachments)?;
        // Instructions are identified by their layout position.
        let position = |f: &Function| -> HashMap<InstId, u32> {
            f.layout()
                .enumerate()
                .map(|(pos, (_, id))| (id, pos as u32))
                .collect()
        };
        let (pos_x, pos_y) = (position(x), position(y));
        for (bx, by) in x.blocks.iter().zip(&y.blocks) {
            if bx.name != by.name || bx.insts.len() != by.insts.len() {
                return None;
            }
            for (ix, iy) in bx.insts.iter().zip(&by.insts) {
                let ix = x.insts.get(ix.0 as usize)?;
                let iy = y.insts.get(iy.0 as usize)?;
                if ix.name != iy.name || ix.flags != iy.flags {
                    return None;
                }
                self.ty(ix.ty, iy.ty)?;
                self.attachments(&ix.attachments, &iy.attachments)?;
                let kx = self.canonical_kind(0, &ix.kind, &pos_x)?;
                let ky = self.canonical_kind(1, &iy.kind, &pos_y)?;
                if kx.0 != ky.0 || kx.1.len() != ky.1.len() {
                    return None;
                }
                for (mx, my) in kx.1.into_iter().zip(ky.1) {
                    self.md_work.push((mx, my));
                }
            }
        }
        Some(())
    }

    /// The instruction with every id replaced by its canonical form: types
    /// and constants by canonical ids, results by layout position. Metadata
    /// operands are blanked and returned separately for the bisimulation.
    fn canonical_kind(
        &mut self,
        side: usize,
        kind: &InstKind,
        position: &HashMap<InstId, u32>,
    ) -> Option<(InstKind, Vec<MetaId>)> {
        let m = self.m[side];
        let mut k = kind.clone();
        let mut ok = true;
        let mut metas = Vec::new();
        let canon = &mut self.canon;
        k.for_each_operand_mut(|v| match v {
            Value::Const(c) => match canon.konst(side, m, *c, 0) {
                Some(n) => *c = n,
                None => ok = false,
            },
            Value::Inst(i) => match position.get(i) {
                Some(p) => *i = InstId(*p),
                None => ok = false,
            },
            Value::Metadata(md) => {
                metas.push(*md);
                *md = MetaId(u32::MAX);
            }
            Value::Arg(_) => {}
        });
        // Two passes, because one closure per id kind may hold `canon`.
        k.for_each_type_and_const_mut(
            &mut |t| match canon.ty(side, m, *t, 0) {
                Some(n) => *t = n,
                None => ok = false,
            },
            &mut |_| {},
        );
        k.for_each_type_and_const_mut(&mut |_| {}, &mut |c| match canon.konst(side, m, *c, 0) {
            Some(n) => *c = n,
            None => ok = false,
        });
        ok.then_some((k, metas))
    }

    /// Compares the fields of two debug-info nodes of one kind, queueing
    /// the metadata they refer to.
    fn di_fields(&mut self, a: &[DiValue], b: &[DiValue]) -> bool {
        for (x, y) in a.iter().zip(b) {
            match (x, y) {
                (DiValue::Md(x), DiValue::Md(y)) => self.md_work.push((*x, *y)),
                (DiValue::Mds(x), DiValue::Mds(y)) => {
                    if x.len() != y.len() {
                        return false;
                    }
                    for (p, q) in x.iter().zip(y) {
                        match (p, q) {
                            (None, None) => {}
                            (Some(p), Some(q)) => self.md_work.push((*p, *q)),
                            _ => return false,
                        }
                    }
                }
                (x, y) => {
                    if x != y {
                        return false;
                    }
                }
            }
        }
        true
    }

    /// Runs the metadata bisimulation over every pair queued so far.
    fn metadata(&mut self) -> bool {
        while let Some((x, y)) = self.md_work.pop() {
            if !self.md_seen.insert((x, y)) {
                continue;
            }
            let (Some(mx), Some(my)) = (
                self.m[0].metadata.get(x.0 as usize),
                self.m[1].metadata.get(y.0 as usize),
            ) else {
                return false;
            };
            let ok = match (mx, my) {
                (Metadata::String(a), Metadata::String(b)) => a == b,
                (Metadata::Value { ty: ta, value: va }, Metadata::Value { ty: tb, value: vb }) => {
                    let (ta, tb, va, vb) = (*ta, *tb, *va, *vb);
                    self.ty(ta, tb).is_some()
                        && match (va, vb) {
                            (Value::Const(a), Value::Const(b)) => self.konst(a, b).is_some(),
                            (Value::Metadata(a), Value::Metadata(b)) => {
                                self.md_work.push((a, b));
                                true
                            }
                            // Function-local values: same argument or
                            // instruction slot.
                            (a, b) => a == b,
                        }
                }
                (
                    Metadata::Node {
                        operands: oa,
                        distinct: da,
                    },
                    Metadata::Node {
                        operands: ob,
                        distinct: db,
                    },
                ) => {
                    if da != db || oa.len() != ob.len() {
                        return false;
                    }
                    if *da {
                        let fwd = *self.distinct[0].entry(x).or_insert(y);
                        let back = *self.distinct[1].entry(y).or_insert(x);
                        if fwd != y || back != x {
                            return false;
                        }
                    }
                    for (a, b) in oa.iter().zip(ob) {
                        match (a, b) {
                            (None, None) => {}
                            (Some(a), Some(b)) => self.md_work.push((*a, *b)),
                            _ => return false,
                        }
                    }
                    true
                }
                (Metadata::Di(a), Metadata::Di(b)) => {
                    if a.kind != b.kind
                        || a.distinct != b.distinct
                        || a.fields.len() != b.fields.len()
                    {
                        return false;
                    }
                    if a.distinct {
                        let fwd = *self.distinct[0].entry(x).or_insert(y);
                        let back = *self.distinct[1].entry(y).or_insert(x);
                        if fwd != y || back != x {
                            return false;
                        }
                    }
                    self.di_fields(&a.fields, &b.fields)
                }
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        true
    }
}
