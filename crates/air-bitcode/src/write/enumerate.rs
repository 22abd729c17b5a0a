//! LLVM 14's `ValueEnumerator`: the numbering of types, values, metadata and
//! attribute groups that every record of the bitcode refers to.
//!
//! The traversal orders below are LLVM's, step for step, because every
//! difference changes ids and therefore bytes: types are numbered in
//! post-order as values, operands and attributes reach them; module
//! constants are reordered by type plane and use count
//! (`OptimizeConstants`); metadata is numbered in post-order with delayed
//! distinct nodes, then partitioned by function and kind
//! (`organizeMetadata`).

use air_ir::fxhash::HashMap;

use air_ir::attributes::Attribute;
use air_ir::inst::{InstKind, Value};
use air_ir::{InstId, TypeId};

use super::consts::{CExpr, CId, CKind};
use super::meta::{CVal, Md, MdId};
use super::prepare::Prepared;
use crate::{EncodeError, Result};
use air_ir::DiKind;

/// A value that gets a value id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Val {
    Global(u32),
    Func(u32),
    Const(CId),
    Arg(u32),
    Inst(u32),
}

/// An instruction operand as LLVM's `User::operands()` lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    Value(Val),
    /// `MetadataAsValue` (a `metadata` call argument).
    Metadata(MdId),
    /// A basic block (branch and switch targets).
    Label,
}

/// `MDIndex`: the function a metadata item is local to (0 = module) and its
/// 1-based id (0 while unassigned).
#[derive(Clone, Copy, Debug, Default)]
struct MdIndex {
    function: u32,
    id: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct MdRange {
    first: usize,
    last: usize,
    num_strings: usize,
}

/// Marks a named struct whose element types are being enumerated.
const VISITING: u32 = u32::MAX;

/// The enumerator state, mirroring LLVM's field by field. LLVM's
/// `DenseMap`s from types, values and metadata to ids are dense vectors
/// here, indexed by the arena index (ids are 1-based, 0 = absent), since
/// every id the writer meets is a small arena index; hashing them was a
/// large part of the writer's time.
#[derive(Debug, Default)]
pub(crate) struct Enumerator {
    pub types: Vec<TypeId>,
    /// By `TypeId`, for the ids the prepared type table has.
    type_map: Vec<u32>,
    /// Type ids outside the table (a malformed module), kept so the error
    /// is reported where it was before.
    type_extra: HashMap<TypeId, u32>,
    pub values: Vec<(Val, u32)>,
    global_ids: Vec<u32>,
    func_ids: Vec<u32>,
    const_ids: Vec<u32>,
    /// Arguments and instructions of the function being incorporated.
    arg_ids: Vec<u32>,
    inst_ids: Vec<u32>,
    pub mds: Vec<MdId>,
    md_map: Vec<Option<MdIndex>>,
    function_mds: Vec<MdId>,
    function_md_info: HashMap<u32, MdRange>,
    pub num_md_strings: usize,
    pub num_module_mds: usize,
    pub num_module_values: usize,
    pub first_func_constant: usize,
    pub first_inst_id: usize,
    /// Attribute lists and groups (numbers in `Prepared::attrs`) in
    /// enumeration order, and their 1-based ids by that number.
    pub attr_lists: Vec<u32>,
    attr_list_ids: Vec<u32>,
    pub attr_groups: Vec<u32>,
    attr_group_ids: Vec<u32>,
    /// The function being incorporated (its index).
    current: Option<u32>,
    /// Operands of each function's instructions, by function index.
    operands: Vec<FnOperands>,
    /// The walk of [`Enumerator::enumerate_type`] (type, next subtype),
    /// kept between calls so a walk allocates nothing.
    type_stack: Vec<(TypeId, usize)>,
}

/// The canonical constant as a value: globals and functions are values of
/// their own, not constants.
pub(crate) fn const_val(p: &Prepared<'_>, c: CId) -> Val {
    match p.canon.kind(c) {
        CKind::Global(g) => Val::Global(*g),
        CKind::Function(f) => Val::Func(*f),
        _ => Val::Const(c),
    }
}

/// Appends the operands of instruction `iid` in model order
/// (`InstKind::for_each_operand`, where metadata operands are keyed by
/// position) as LLVM operands. The shufflevector mask, which is not an
/// operand in LLVM 14, holds a `Label` placeholder.
pub(crate) fn model_operands(
    p: &Prepared<'_>,
    func: u32,
    iid: InstId,
    out: &mut Vec<Operand>,
) -> Result<()> {
    let f = &p.module.functions[func as usize];
    let inst = f
        .insts
        .get(iid.0 as usize)
        .ok_or_else(|| EncodeError::bad_id("instruction", iid.0, format!("@{}", f.name)))?;
    let info = &p.funcs[func as usize];
    let shuffle = matches!(inst.kind, InstKind::ShuffleVector { .. });
    let mut pos = 0;
    let mut failed = None;
    inst.kind.for_each_operand(|value| {
        if shuffle && pos == 2 {
            out.push(Operand::Label);
        } else if failed.is_none() {
            match value_operand(p, info, iid, pos, *value) {
                Ok(op) => out.push(op),
                Err(e) => failed = Some(e),
            }
        }
        pos += 1;
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// The LLVM operand list of an instruction (`I.operands()`), which fixes the
/// order types and constants are met in, from its model-order operands.
/// Written into `out` (cleared first), a buffer the caller reuses.
pub(crate) fn llvm_operands(
    p: &Prepared<'_>,
    func: u32,
    kind: &InstKind,
    model: &[Operand],
    out: &mut Vec<Operand>,
) -> Result<()> {
    out.clear();
    match kind {
        InstKind::Alloca { count: None, .. } => {
            let one = p.funcs[func as usize].alloca_one.ok_or_else(|| {
                let name = &p.module.functions[func as usize].name;
                EncodeError::invalid(format!("@{name}"), "internal: no implicit alloca size")
            })?;
            out.push(Operand::Value(Val::Const(one)));
        }
        InstKind::Br { .. } => out.push(Operand::Label),
        // LLVM keeps the callee as the last operand.
        InstKind::Call(_) => {
            if let Some((callee, args)) = model.split_first() {
                out.extend_from_slice(args);
                out.push(*callee);
            }
        }
        // The mask is not an operand in LLVM 14.
        InstKind::ShuffleVector { .. } => out.extend_from_slice(&model[..model.len().min(2)]),
        InstKind::CondBr { .. } => {
            out.extend_from_slice(model);
            out.extend([Operand::Label, Operand::Label]);
        }
        InstKind::Switch { cases, .. } => {
            out.extend_from_slice(model);
            out.push(Operand::Label);
            for (c, _) in cases {
                out.push(Operand::Value(const_val(p, p.konst(*c)?)));
                out.push(Operand::Label);
            }
        }
        _ => out.extend_from_slice(model),
    }
    Ok(())
}

/// The LLVM-order operands ([`llvm_operands`]) of every instruction of one
/// function, computed once: the enumerator walks them three times, and
/// rebuilding them per walk was a tenth of its time. The model-order lists
/// they come from are not kept (the writer rebuilds one instruction's at a
/// time): on a function of 400 000 instructions keeping both cost 18 MB.
#[derive(Debug, Default)]
struct FnOperands {
    /// Every instruction's operands, back to back.
    llvm_ops: Vec<Operand>,
    /// Start of each instruction's operands (by position in
    /// `FuncInfo::insts`), plus the end.
    llvm_starts: Vec<u32>,
}

impl FnOperands {
    /// The LLVM-order operands of the `k`-th instruction.
    fn llvm(&self, k: usize) -> &[Operand] {
        &self.llvm_ops[self.llvm_starts[k] as usize..self.llvm_starts[k + 1] as usize]
    }
}

/// A model operand as an LLVM operand.
fn value_operand(
    p: &Prepared<'_>,
    info: &super::prepare::FuncInfo,
    iid: InstId,
    pos: usize,
    value: Value,
) -> Result<Operand> {
    Ok(match value {
        Value::Const(c) => Operand::Value(const_val(p, p.konst(c)?)),
        Value::Arg(a) => Operand::Value(Val::Arg(a)),
        Value::Inst(i) => Operand::Value(Val::Inst(i.0)),
        Value::Metadata(_) => {
            Operand::Metadata(*info.md_operands.get(&(iid.0, pos)).ok_or_else(|| {
                EncodeError::invalid("metadata operand", "internal: not prepared")
            })?)
        }
    })
}

impl Enumerator {
    /// Enumerates the module, as LLVM's `ValueEnumerator` constructor does.
    pub fn new(p: &Prepared<'_>) -> Result<Self> {
        let m = p.module;
        let mut e = Enumerator {
            type_map: vec![0; p.canon.types.len()],
            global_ids: vec![0; m.globals.len()],
            func_ids: vec![0; m.functions.len()],
            const_ids: vec![0; p.canon.len()],
            md_map: vec![None; p.md.len()],
            attr_list_ids: vec![0; p.attrs.num_lists()],
            attr_group_ids: vec![0; p.attrs.groups.len()],
            ..Enumerator::default()
        };
        let (mut model, mut ops) = (Vec::new(), Vec::new());
        e.operands = Vec::with_capacity(m.functions.len());
        for g in 0..m.globals.len() as u32 {
            e.enumerate_value(p, Val::Global(g))?;
        }
        for (fi, _) in m.functions.iter().enumerate() {
            e.enumerate_value(p, Val::Func(fi as u32))?;
            if let Some(list) = p.funcs[fi].attrs {
                e.enumerate_attributes(p, list);
            }
        }
        let first_constant = e.values.len();
        for g in &m.globals {
            if let Some(init) = g.initializer {
                let c = p.konst(init)?;
                e.enumerate_value(p, const_val(p, c))?;
            }
        }
        e.enumerate_type(p, p.metadata_type);
        for (_, ops) in &p.named {
            for md in ops {
                e.enumerate_metadata(p, 0, Some(*md))?;
            }
        }
        for list in &p.global_attachments {
            for (_, md) in list {
                e.enumerate_metadata(p, 0, Some(*md))?;
            }
        }
        for (fi, f) in m.functions.iter().enumerate() {
            let info = &p.funcs[fi];
            let fn_tag = e.value_id(Val::Func(fi as u32))? + 1;
            for (_, md) in &info.attachments {
                let tag = if f.is_declaration() { 0 } else { fn_tag };
                e.enumerate_metadata(p, tag, Some(*md))?;
            }
            // Sized for about three operands per instruction, so the
            // lists rarely regrow (regrowing copied them repeatedly).
            let n = info.insts.len();
            let mut cache = FnOperands {
                llvm_ops: Vec::with_capacity(3 * n),
                llvm_starts: Vec::with_capacity(n + 1),
            };
            // Parameter types came with the function's type, enumerated
            // with the function value above, so an argument operand adds no
            // type; checked here once rather than per operand.
            let params = p
                .canon
                .types
                .function_parts(f.ty)
                .map_or(0, |(_, ps, _)| ps.len());
            for &(_, iid) in &info.insts {
                model.clear();
                model_operands(p, fi as u32, iid, &mut model)?;
                let inst = &f.insts[iid.0 as usize];
                llvm_operands(p, fi as u32, &inst.kind, &model, &mut ops)?;
                cache.llvm_starts.push(cache.llvm_ops.len() as u32);
                cache.llvm_ops.extend_from_slice(&ops);
                for &op in &ops {
                    match op {
                        Operand::Metadata(md) => match p.md.get(md) {
                            // Function-local values are enumerated with
                            // the function's instructions.
                            Md::Local { .. } => {}
                            // So are argument lists; their constants now.
                            Md::Di {
                                kind: DiKind::ArgList,
                                fields,
                                ..
                            } => {
                                if let Some(CVal::Mds(args)) = fields.first() {
                                    for a in args.iter().flatten() {
                                        if matches!(p.md.get(*a), Md::Const(_)) {
                                            e.enumerate_metadata(p, fn_tag, Some(*a))?;
                                        }
                                    }
                                }
                            }
                            _ => e.enumerate_metadata(p, fn_tag, Some(md))?,
                        },
                        Operand::Label => e.enumerate_type(p, p.label_type),
                        // The common operands, without `type_of`'s general
                        // lookup: an argument (see `params`) and an
                        // instruction result (usually enumerated already,
                        // but not for a phi's forward reference).
                        Operand::Value(Val::Arg(a)) if (a as usize) < params => {}
                        Operand::Value(Val::Inst(i)) if (i as usize) < f.insts.len() => {
                            e.enumerate_type(p, f.insts[i as usize].ty)
                        }
                        Operand::Value(v) => e.enumerate_operand_type(p, Some(fi as u32), v)?,
                    }
                }
                if let Some(mask) = info.shuffle_masks.get(&iid.0) {
                    let ty = p.canon.get(*mask).ty;
                    e.enumerate_type(p, ty);
                }
                match &inst.kind {
                    InstKind::GetElementPtr { source, .. } => e.enumerate_type(p, *source),
                    InstKind::Alloca { allocated, .. } => e.enumerate_type(p, *allocated),
                    _ => {}
                }
                e.enumerate_type(p, inst.ty);
                if let InstKind::Call(call) = &inst.kind {
                    if let Some(list) = info.call_attrs.get(&iid.0) {
                        e.enumerate_attributes(p, *list);
                    }
                    e.enumerate_type(p, call.fn_ty);
                }
                if let Some(list) = info.inst_attachments.get(&iid.0) {
                    for (_, md) in list {
                        e.enumerate_metadata(p, fn_tag, Some(*md))?;
                    }
                }
                // The debug location is written as a record of its own,
                // not as metadata: only its operands are enumerated.
                if let Some(loc) = info.inst_dbg.get(&iid.0) {
                    for op in p.md.operands(*loc) {
                        e.enumerate_metadata(p, fn_tag, *op)?;
                    }
                }
            }
            cache.llvm_starts.push(cache.llvm_ops.len() as u32);
            e.operands.push(cache);
        }
        e.optimize_constants(p, first_constant, e.values.len());
        e.organize_metadata(p);
        Ok(e)
    }

    /// The 1-based type id, `VISITING`, or 0 when not enumerated.
    fn type_slot(&self, ty: TypeId) -> u32 {
        match self.type_map.get(ty.0 as usize) {
            Some(id) => *id,
            None => self.type_extra.get(&ty).copied().unwrap_or(0),
        }
    }

    fn set_type_slot(&mut self, ty: TypeId, id: u32) {
        match self.type_map.get_mut(ty.0 as usize) {
            Some(slot) => *slot = id,
            None => {
                self.type_extra.insert(ty, id);
            }
        }
    }

    /// The 1-based value id, 0 when not enumerated.
    fn value_slot(&self, v: Val) -> u32 {
        let (list, i) = match v {
            Val::Global(i) => (&self.global_ids, i),
            Val::Func(i) => (&self.func_ids, i),
            Val::Const(c) => (&self.const_ids, c.0),
            Val::Arg(i) => (&self.arg_ids, i),
            Val::Inst(i) => (&self.inst_ids, i),
        };
        list.get(i as usize).copied().unwrap_or(0)
    }

    /// Sets a value's 1-based id (0 removes it). Callers only set values
    /// whose type was found, so the index is valid; the lists of the
    /// current function's locals grow on demand.
    fn set_value_slot(&mut self, v: Val, id: u32) {
        let (list, i) = match v {
            Val::Global(i) => (&mut self.global_ids, i),
            Val::Func(i) => (&mut self.func_ids, i),
            Val::Const(c) => (&mut self.const_ids, c.0),
            Val::Arg(i) => (&mut self.arg_ids, i),
            Val::Inst(i) => (&mut self.inst_ids, i),
        };
        let i = i as usize;
        if i >= list.len() {
            list.resize(i + 1, 0);
        }
        list[i] = id;
    }

    fn md_entry(&self, md: MdId) -> Option<MdIndex> {
        self.md_map.get(md.0 as usize).copied().flatten()
    }

    /// The entry of `md`, inserted as a default when absent
    /// (`MetadataMap[MD]`).
    fn md_entry_mut(&mut self, md: MdId) -> &mut MdIndex {
        let i = md.0 as usize;
        if i >= self.md_map.len() {
            self.md_map.resize(i + 1, None);
        }
        self.md_map[i].get_or_insert_with(MdIndex::default)
    }

    pub fn type_id(&self, ty: TypeId) -> Result<u32> {
        match self.type_slot(ty) {
            id if id != VISITING && id != 0 => Ok(id - 1),
            _ => Err(EncodeError::bad_id(
                "type (not enumerated)",
                ty.0,
                "type table",
            )),
        }
    }

    // Called for every operand. After the writer moved into write/ LLVM
    // stopped inlining it (callgrind, copies_10.ll: +1.5 M instructions per
    // assemble); the hint restores the earlier code.
    #[inline]
    pub fn value_id(&self, v: Val) -> Result<u32> {
        match self.value_slot(v) {
            0 => Err(EncodeError::invalid(
                "value numbering",
                format!("{v:?} has no value id"),
            )),
            id => Ok(id - 1),
        }
    }

    /// 0-based metadata id.
    pub fn md_id(&self, md: MdId) -> Result<u32> {
        match self.md_entry(md) {
            Some(i) if i.id != 0 => Ok(i.id - 1),
            _ => Err(EncodeError::invalid(
                "metadata numbering",
                "metadata has no id",
            )),
        }
    }

    /// 1-based metadata id, 0 for null.
    pub fn md_or_null_id(&self, md: Option<MdId>) -> Result<u64> {
        match md {
            None => Ok(0),
            Some(m) => Ok(u64::from(self.md_id(m)?) + 1),
        }
    }

    /// The 1-based id of attribute list `list` (a number in
    /// `Prepared::attrs`); 0 for none.
    pub fn attr_list_id(&self, list: Option<u32>) -> u64 {
        list.map_or(0, |l| u64::from(self.attr_list_ids[l as usize]))
    }

    /// The 1-based id of attribute group `group`.
    pub fn attr_group_id(&self, group: u32) -> u64 {
        u64::from(self.attr_group_ids[group as usize])
    }

    /// The type of a value.
    pub fn type_of(&self, p: &Prepared<'_>, v: Val) -> Result<TypeId> {
        let m = p.module;
        Ok(match v {
            Val::Global(g) => p.global_ptr_types[g as usize],
            Val::Func(f) => p.function_ptr_types[f as usize],
            Val::Const(c) => p.canon.get(c).ty,
            Val::Arg(a) | Val::Inst(a) => {
                let fi = self.current.ok_or_else(|| {
                    EncodeError::invalid("value numbering", "a local value outside a function")
                })?;
                let f = &m.functions[fi as usize];
                if let Val::Arg(_) = v {
                    let (_, params, _) = p.canon.types.function_parts(f.ty).ok_or_else(|| {
                        EncodeError::invalid(format!("@{}", f.name), "not a function type")
                    })?;
                    *params
                        .get(a as usize)
                        .ok_or_else(|| EncodeError::bad_id("argument", a, format!("@{}", f.name)))?
                } else {
                    f.insts
                        .get(a as usize)
                        .ok_or_else(|| {
                            EncodeError::bad_id("instruction", a, format!("@{}", f.name))
                        })?
                        .ty
                }
            }
        })
    }

    /// `EnumerateType`: subtypes first (post-order), a named struct marked
    /// while its body is walked so that a cycle through it ends there.
    ///
    /// LLVM recurses; this walks with its own stack, in the same order, so
    /// that no chain of types (100 000 named structs each pointing to the
    /// next) can overflow the stack. Types already numbered return at once,
    /// as most calls do.
    pub fn enumerate_type(&mut self, p: &Prepared<'_>, ty: TypeId) {
        if self.type_slot(ty) != 0 {
            return;
        }
        let mut stack = std::mem::take(&mut self.type_stack);
        stack.clear();
        self.enter_type(p, ty);
        stack.push((ty, 0));
        while let Some(&mut (t, ref mut next)) = stack.last_mut() {
            if let Some(sub) = p.canon.subtype(t, *next) {
                *next += 1;
                if self.type_slot(sub) == 0 {
                    self.enter_type(p, sub);
                    stack.push((sub, 0));
                }
                continue;
            }
            stack.pop();
            // A named struct on a cycle may have been numbered by a walk
            // through one of its subtypes.
            let id = self.type_slot(t);
            if id != 0 && id != VISITING {
                continue;
            }
            self.types.push(t);
            self.set_type_slot(t, self.types.len() as u32);
        }
        self.type_stack = stack;
    }

    /// Marks a named struct whose subtypes are about to be walked.
    fn enter_type(&mut self, p: &Prepared<'_>, ty: TypeId) {
        if matches!(p.canon.types.try_get(ty), Some(air_ir::Type::Named(_))) {
            self.set_type_slot(ty, VISITING);
        }
    }

    /// `EnumerateValue`.
    pub fn enumerate_value(&mut self, p: &Prepared<'_>, v: Val) -> Result<()> {
        let id = self.value_slot(v);
        if id != 0 {
            self.values[id as usize - 1].1 += 1;
            return Ok(());
        }
        let ty = self.type_of(p, v)?;
        self.enumerate_type(p, ty);
        if let Val::Const(c) = v {
            let ops = p.canon.operands(c);
            if !ops.is_empty() {
                for &op in ops.iter() {
                    self.enumerate_value(p, const_val(p, op))?;
                }
                match p.canon.kind(c) {
                    CKind::Expr(CExpr::Shuffle { mask, .. }) => {
                        self.enumerate_value(p, const_val(p, *mask))?
                    }
                    CKind::Expr(CExpr::Gep { source, .. }) => self.enumerate_type(p, *source),
                    _ => {}
                }
            }
        }
        self.values.push((v, 1));
        self.set_value_slot(v, self.values.len() as u32);
        Ok(())
    }

    /// `EnumerateOperandType`.
    fn enumerate_operand_type(
        &mut self,
        p: &Prepared<'_>,
        func: Option<u32>,
        v: Val,
    ) -> Result<()> {
        let saved = self.current;
        self.current = func;
        let ty = self.type_of(p, v);
        self.current = saved;
        self.enumerate_type(p, ty?);
        let Val::Const(c) = v else {
            return Ok(());
        };
        if self.value_slot(v) != 0 {
            return Ok(());
        }
        for &op in p.canon.operands(c).iter() {
            self.enumerate_operand_type(p, func, const_val(p, op))?;
        }
        match p.canon.kind(c) {
            CKind::Expr(CExpr::Shuffle { mask, .. }) => {
                self.enumerate_operand_type(p, func, const_val(p, *mask))?
            }
            CKind::Expr(CExpr::Gep { source, .. }) => self.enumerate_type(p, *source),
            _ => {}
        }
        Ok(())
    }

    /// `EnumerateAttributes`, for list `list` of `Prepared::attrs`.
    fn enumerate_attributes(&mut self, p: &Prepared<'_>, list: u32) {
        if self.attr_list_ids[list as usize] == 0 {
            self.attr_lists.push(list);
            self.attr_list_ids[list as usize] = self.attr_lists.len() as u32;
        }
        for &g in p.attrs.list_groups(list) {
            if self.attr_group_ids[g as usize] != 0 {
                continue;
            }
            self.attr_groups.push(g);
            self.attr_group_ids[g as usize] = self.attr_groups.len() as u32;
            let (_, set) = p.attrs.groups[g as usize];
            for a in p.attrs.set(set) {
                if let Attribute::Type(_, Some(ty)) = a {
                    self.enumerate_type(p, *ty);
                }
            }
        }
    }

    /// `OptimizeConstants`: sort a constant range by type plane, then by use
    /// count (descending), stably; then move integer (vector) constants to
    /// the front, stably.
    fn optimize_constants(&mut self, p: &Prepared<'_>, start: usize, end: usize) {
        if end <= start + 1 {
            return;
        }
        let type_of = |v: &Val| -> TypeId {
            match v {
                Val::Const(c) => p.canon.get(*c).ty,
                Val::Global(g) => p.global_ptr_types[*g as usize],
                Val::Func(f) => p.function_ptr_types[*f as usize],
                // Only constants are ever in a constant range.
                Val::Arg(_) | Val::Inst(_) => TypeId(u32::MAX),
            }
        };
        let (type_map, type_extra) = (&self.type_map, &self.type_extra);
        let tid = |t: TypeId| match type_map.get(t.0 as usize) {
            Some(id) => *id,
            None => type_extra.get(&t).copied().unwrap_or(0),
        };
        let range = &mut self.values[start..end];
        range.sort_by(|l, r| {
            let (lt, rt) = (type_of(&l.0), type_of(&r.0));
            if lt != rt {
                tid(lt).cmp(&tid(rt))
            } else {
                r.1.cmp(&l.1)
            }
        });
        // A stable partition, integers first.
        range.sort_by_key(|(v, _)| !p.canon.is_int_or_int_vector(type_of(v)));
        for i in start..end {
            self.set_value_slot(self.values[i].0, i as u32 + 1);
        }
    }

    /// `EnumerateMetadata`: post-order over uniqued subgraphs, with distinct
    /// nodes reached from uniqued ones delayed until the subgraph is done.
    fn enumerate_metadata(&mut self, p: &Prepared<'_>, f: u32, md: Option<MdId>) -> Result<()> {
        let mut delayed: Vec<MdId> = Vec::new();
        let mut worklist: Vec<(MdId, usize)> = Vec::new();
        if let Some(n) = self.enumerate_metadata_impl(p, f, md)? {
            worklist.push((n, 0));
        }
        while let Some(&(n, start)) = worklist.last() {
            let ops = p.md.operands(n);
            let mut next = start;
            let mut found = None;
            while next < ops.len() {
                let op = ops[next];
                next += 1;
                if let Some(node) = self.enumerate_metadata_impl(p, f, op)? {
                    found = Some(node);
                    break;
                }
            }
            if let Some(op) = found {
                if let Some(top) = worklist.last_mut() {
                    top.1 = next;
                }
                if p.md.is_distinct(op) && !p.md.is_distinct(n) {
                    delayed.push(op);
                } else {
                    worklist.push((op, 0));
                }
                continue;
            }
            worklist.pop();
            self.mds.push(n);
            let id = self.mds.len() as u32;
            self.md_entry_mut(n).id = id;
            if worklist
                .last()
                .is_none_or(|(top, _)| p.md.is_distinct(*top))
            {
                for d in delayed.drain(..) {
                    worklist.push((d, 0));
                }
            }
        }
        Ok(())
    }

    /// `enumerateMetadataImpl`: returns the node when it still needs its
    /// operands visited.
    fn enumerate_metadata_impl(
        &mut self,
        p: &Prepared<'_>,
        f: u32,
        md: Option<MdId>,
    ) -> Result<Option<MdId>> {
        let Some(md) = md else {
            return Ok(None);
        };
        if let Some(entry) = self.md_entry(md) {
            if entry.function != 0 && entry.function != f {
                self.drop_function_from_metadata(p, md);
            }
            return Ok(None);
        }
        *self.md_entry_mut(md) = MdIndex { function: f, id: 0 };
        if p.md.is_node(md) {
            return Ok(Some(md));
        }
        self.mds.push(md);
        let id = self.mds.len() as u32;
        self.md_entry_mut(md).id = id;
        if let Md::Const(c) = p.md.get(md) {
            self.enumerate_value(p, const_val(p, *c))?;
        }
        Ok(None)
    }

    /// `dropFunctionFromMetadata`: a node used from two functions (or from a
    /// function and the module) becomes module-level, with its operands.
    fn drop_function_from_metadata(&mut self, p: &Prepared<'_>, md: MdId) {
        let mut worklist = Vec::new();
        let push = |map: &mut Vec<Option<MdIndex>>, worklist: &mut Vec<MdId>, m: MdId| {
            let Some(Some(entry)) = map.get_mut(m.0 as usize) else {
                return;
            };
            if entry.function == 0 {
                return;
            }
            entry.function = 0;
            if entry.id != 0 && p.md.is_node(m) {
                worklist.push(m);
            }
        };
        push(&mut self.md_map, &mut worklist, md);
        while let Some(n) = worklist.pop() {
            for op in p.md.operands(n).iter().flatten() {
                push(&mut self.md_map, &mut worklist, *op);
            }
        }
    }

    /// `organizeMetadata`: module metadata first, strings before other
    /// leaves before distinct nodes before uniqued nodes, each by id; then
    /// the same per function.
    fn organize_metadata(&mut self, p: &Prepared<'_>) {
        if self.mds.is_empty() {
            return;
        }
        let type_order = |md: MdId| -> u8 {
            match p.md.get(md) {
                Md::String(_) => 0,
                Md::Const(_) | Md::Local { .. } => 1,
                Md::Node { distinct: true, .. } | Md::Di { distinct: true, .. } => 2,
                Md::Node { .. } | Md::Di { .. } => 3,
            }
        };
        let mut order: Vec<(u32, u8, u32, MdId)> = self
            .mds
            .iter()
            .map(|md| {
                let idx = self.md_entry(*md).unwrap_or_default();
                (idx.function, type_order(*md), idx.id, *md)
            })
            .collect();
        order.sort();
        self.mds.clear();
        let mut i = 0;
        while i < order.len() && order[i].0 == 0 {
            let md = order[i].3;
            self.mds.push(md);
            self.md_entry_mut(md).id = i as u32 + 1;
            if matches!(p.md.get(md), Md::String(_)) {
                self.num_md_strings += 1;
            }
            i += 1;
        }
        if i == order.len() {
            return;
        }
        let mut range = MdRange::default();
        let mut prev_f = 0;
        let mut id = self.mds.len() as u32;
        for &(f, _, _, md) in &order[i..] {
            if prev_f == 0 {
                prev_f = f;
            } else if prev_f != f {
                range.last = self.function_mds.len();
                self.function_md_info.insert(prev_f, range);
                range = MdRange {
                    first: self.function_mds.len(),
                    ..MdRange::default()
                };
                id = self.mds.len() as u32;
                prev_f = f;
            }
            self.function_mds.push(md);
            id += 1;
            self.md_entry_mut(md).id = id;
            if matches!(p.md.get(md), Md::String(_)) {
                range.num_strings += 1;
            }
        }
        range.last = self.function_mds.len();
        self.function_md_info.insert(prev_f, range);
    }

    /// `incorporateFunction`: arguments, function constants (reordered),
    /// then instruction values and function-local metadata.
    pub fn incorporate_function(&mut self, p: &Prepared<'_>, fi: u32) -> Result<()> {
        let f = &p.module.functions[fi as usize];
        self.current = Some(fi);
        self.num_module_values = self.values.len();
        self.num_module_mds = self.mds.len();
        let tag = self.value_id(Val::Func(fi))? + 1;
        let range = self.function_md_info.get(&tag).copied();
        self.num_md_strings = range.map_or(0, |r| r.num_strings);
        if let Some(r) = range {
            self.mds
                .extend_from_slice(&self.function_mds[r.first..r.last]);
        }
        let params = p
            .canon
            .types
            .function_parts(f.ty)
            .map_or(0, |(_, params, _)| params.len());
        // Locals of the previous function were cleared by `purge_function`.
        self.arg_ids.resize(params, 0);
        self.inst_ids.resize(f.insts.len(), 0);
        for a in 0..params as u32 {
            self.enumerate_value(p, Val::Arg(a))?;
        }
        self.first_func_constant = self.values.len();
        // Taken out of `self` while `enumerate_value` borrows it mutably.
        let cache = std::mem::take(&mut self.operands[fi as usize]);
        let result = self.incorporate_values(p, fi, tag, &cache);
        self.operands[fi as usize] = cache;
        result
    }

    /// The part of `incorporate_function` that walks the operands.
    fn incorporate_values(
        &mut self,
        p: &Prepared<'_>,
        fi: u32,
        tag: u32,
        cache: &FnOperands,
    ) -> Result<()> {
        let f = &p.module.functions[fi as usize];
        let info = &p.funcs[fi as usize];
        // One walk over the operands: constants are enumerated now, the
        // function-local metadata operands collected (in the same order a
        // second walk would meet them) for after the instruction values.
        let mut locals = Vec::new();
        let mut arg_lists = Vec::new();
        for (k, &(_, iid)) in info.insts.iter().enumerate() {
            for &op in cache.llvm(k) {
                match op {
                    Operand::Value(v @ Val::Const(_)) => self.enumerate_value(p, v)?,
                    Operand::Metadata(md) => match p.md.get(md) {
                        Md::Local { .. } => locals.push(md),
                        Md::Di {
                            kind: DiKind::ArgList,
                            fields,
                            ..
                        } => {
                            arg_lists.push(md);
                            if let Some(CVal::Mds(args)) = fields.first() {
                                for a in args.iter().flatten() {
                                    if matches!(p.md.get(*a), Md::Local { .. }) {
                                        locals.push(*a);
                                    }
                                }
                            }
                        }
                        _ => {}
                    },
                    _ => {}
                }
            }
            if let Some(mask) = info.shuffle_masks.get(&iid.0) {
                self.enumerate_value(p, const_val(p, *mask))?;
            }
        }
        self.optimize_constants(p, self.first_func_constant, self.values.len());
        self.first_inst_id = self.values.len();
        for &(_, iid) in &info.insts {
            let inst = &f.insts[iid.0 as usize];
            if !p.is_void(inst.ty) {
                self.enumerate_value(p, Val::Inst(iid.0))?;
            }
        }
        for md in locals {
            if self.md_entry(md).is_some_and(|i| i.id != 0) {
                continue;
            }
            self.mds.push(md);
            *self.md_entry_mut(md) = MdIndex {
                function: tag,
                id: self.mds.len() as u32,
            };
            if let Md::Local { value, .. } = p.md.get(md) {
                let v = match value {
                    super::meta::LocalValue::Arg(a) => Val::Arg(*a),
                    super::meta::LocalValue::Inst(i) => Val::Inst(*i),
                };
                self.enumerate_value(p, v)?;
            }
        }
        // Argument lists after the values they list
        // (`EnumerateFunctionLocalListMetadata`).
        for md in arg_lists {
            if self.md_entry(md).is_some_and(|i| i.id != 0) {
                continue;
            }
            self.mds.push(md);
            *self.md_entry_mut(md) = MdIndex {
                function: tag,
                id: self.mds.len() as u32,
            };
        }
        Ok(())
    }

    /// The model-order operands of the `k`-th instruction of function `fi`
    /// (its position in `FuncInfo::insts`), recovered from the stored
    /// LLVM-order list by undoing [`llvm_operands`]: cheaper than building
    /// them again from the model, which cost the writer 3 % more
    /// instructions. The lists exist from [`Enumerator::new`] until
    /// [`Enumerator::release_operands`] once `fi`'s instructions are
    /// written; later this is an internal error.
    pub fn model_operands_of(
        &self,
        fi: u32,
        k: usize,
        kind: &InstKind,
        out: &mut Vec<Operand>,
    ) -> Result<()> {
        let cache = &self.operands[fi as usize];
        let llvm = match (cache.llvm_starts.get(k), cache.llvm_starts.get(k + 1)) {
            (Some(&a), Some(&b)) => &cache.llvm_ops[a as usize..b as usize],
            _ => {
                return Err(EncodeError::invalid(
                    "instruction",
                    "internal: operands not enumerated",
                ))
            }
        };
        out.clear();
        match kind {
            // The implicit `i32 1` size and the branch target are LLVM
            // operands only.
            InstKind::Alloca { count: None, .. } | InstKind::Br { .. } => {}
            // LLVM keeps the callee last; the model first.
            InstKind::Call(_) => {
                if let Some((callee, args)) = llvm.split_last() {
                    out.push(*callee);
                    out.extend_from_slice(args);
                }
            }
            // The mask's place holder (see `model_operands`).
            InstKind::ShuffleVector { .. } => {
                out.extend_from_slice(&llvm[..llvm.len().min(2)]);
                out.push(Operand::Label);
            }
            // The condition; targets and case values are LLVM operands only.
            InstKind::CondBr { .. } | InstKind::Switch { .. } => {
                out.extend_from_slice(&llvm[..llvm.len().min(1)]);
            }
            _ => out.extend_from_slice(llvm),
        }
        Ok(())
    }

    /// Frees the operand lists of function `fi`, once its instructions are
    /// written (each function is written once).
    pub fn release_operands(&mut self, fi: u32) {
        if let Some(cache) = self.operands.get_mut(fi as usize) {
            *cache = FnOperands::default();
        }
    }

    /// `purgeFunction`.
    pub fn purge_function(&mut self) {
        for i in self.num_module_values..self.values.len() {
            let v = self.values[i].0;
            self.set_value_slot(v, 0);
        }
        for i in self.num_module_mds..self.mds.len() {
            let md = self.mds[i];
            if let Some(slot) = self.md_map.get_mut(md.0 as usize) {
                *slot = None;
            }
        }
        self.values.truncate(self.num_module_values);
        self.mds.truncate(self.num_module_mds);
        self.num_md_strings = 0;
        self.current = None;
    }

    /// Whether function-level metadata exists (`hasMDs`).
    pub fn has_function_mds(&self) -> bool {
        self.num_module_mds < self.mds.len()
    }

    /// Bits needed for a type index (`computeBitsRequiredForTypeIndicies`).
    pub fn type_bits(&self) -> u32 {
        log2_ceil(self.types.len() as u64 + 1)
    }
}

/// `Log2_32_Ceil`: 0 for 0 and 1.
pub(crate) fn log2_ceil(v: u64) -> u32 {
    if v <= 1 {
        0
    } else {
        64 - (v - 1).leading_zeros()
    }
}
