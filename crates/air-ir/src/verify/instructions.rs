//! Instructions: operands (existence, value-ness, dominance) and each
//! opcode's rules, including phis, memory access, atomics and switch.

use std::collections::HashSet;

use crate::constant::{ConstId, ConstKind};
use crate::inst::{BlockId, InstKind, Instruction, OpClass, Ordering, RmwOp, Value};
use crate::limits::MAX_MESSAGE_BLOCKS;
use crate::module::Function;
use crate::types::{Type, TypeId};

use super::VerifyErrorKind as K;
use super::{block_text, Body, Seen, Site, Verifier, Violation, NO_TYPE};

impl<'m> Verifier<'m> {
    /// Text for an operand in messages.
    pub(super) fn value_hint(&self, f: &Function, v: Value) -> String {
        match v {
            Value::Const(c) => self.const_hint(c),
            Value::Arg(i) => match f.params.get(i as usize).and_then(|p| p.name.as_deref()) {
                Some(n) => format!("%{n}"),
                None => format!("argument {i}"),
            },
            Value::Inst(id) => match f.insts.get(id.0 as usize).and_then(|x| x.name.as_deref()) {
                Some(n) => format!("%{n}"),
                None => format!("instruction #{}", id.0),
            },
            Value::Metadata(m) => format!("metadata #{}", m.0),
        }
    }

    /// Checks one operand (existence, value-ness, dominance) and returns its
    /// type. `phi_from` is the incoming block for phi operands, whose uses
    /// count at the end of that block.
    ///
    /// Most operands are fine, and [`Self::operand_ok`] says so with a few
    /// loads; everything else (first uses of constants, errors, the odd
    /// cases) goes through [`Self::operand_slow`], the full check.
    #[inline]
    pub(super) fn operand(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        match self.operand_ok(body, at, v, phi_from) {
            Some(t) => Some(t),
            None => self.operand_slow(body, site, at, v, phi_from),
        }
    }

    /// The operand's type if it certainly passes every check of
    /// [`Self::operand_slow`] (which would then report nothing and return the
    /// same type); `None` means "not sure", never "wrong".
    #[inline]
    fn operand_ok(
        &self,
        body: &Body<'m>,
        (use_block, use_index): (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        match v {
            Value::Const(c) => {
                let t = *self.done_ty.get(c.0 as usize)?;
                (t != NO_TYPE).then_some(t)
            }
            Value::Arg(i) => body.params.get(i as usize).copied(),
            Value::Metadata(_) => None,
            Value::Inst(id) => {
                let t = *body.value_ty.get(id.0 as usize)?;
                let (db, di) = body.pos[id.0 as usize]?;
                let (db, di) = (db as usize, di as usize);
                let ok = match phi_from {
                    Some(pb) => body.dom.dominates_or_unreachable(db, pb.0 as usize),
                    None if db == use_block => di < use_index,
                    None => body.dom.dominates_or_unreachable(db, use_block),
                };
                (ok && t != NO_TYPE).then_some(t)
            }
        }
    }

    #[inline(never)]
    fn operand_slow(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        (use_block, use_index): (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        let f = body.f;
        match v {
            Value::Const(c) => {
                // Constants are shared by many uses and checked once; the
                // common already-checked case needs no call.
                if let (Some(Seen::Done), Some(k)) =
                    (self.consts.get(c.0 as usize), self.m.consts.try_get(c))
                {
                    return self.valid_ty(k.ty).then_some(k.ty);
                }
                self.check_const(site, c, 0)
            }
            Value::Arg(i) => match body.params.get(i as usize) {
                Some(t) => Some(*t),
                None => {
                    let msg = format!(
                        "uses argument {i} but the function has {} parameters",
                        body.params.len()
                    );
                    self.report(site, K::UndefinedValue, msg);
                    None
                }
            },
            Value::Metadata(_) => {
                self.report(site, K::BadMetadata, "metadata can only be a call argument");
                None
            }
            Value::Inst(id) => {
                let Some(def) = f.insts.get(id.0 as usize) else {
                    self.report(
                        site,
                        K::UndefinedValue,
                        format!("uses instruction #{} which does not exist", id.0),
                    );
                    return None;
                };
                let Some((db, di)) = body.pos[id.0 as usize] else {
                    let hint = self.value_hint(f, v);
                    self.report(
                        site,
                        K::UndefinedValue,
                        format!("uses {hint} which is not in any block"),
                    );
                    return None;
                };
                let (db, di) = (db as usize, di as usize);
                if !self.valid_ty(def.ty) || self.is_void(def.ty) {
                    let hint = self.value_hint(f, v);
                    self.report(
                        site,
                        K::NotAValue,
                        format!(
                            "uses {hint} ({}) which produces no value",
                            def.kind.opcode().mnemonic()
                        ),
                    );
                    return None;
                }
                let dom = &body.dom;
                match phi_from {
                    Some(pb) => {
                        let pb = pb.0 as usize;
                        if pb < body.dom.len() && dom.reachable(pb) && !dom.dominates(db, pb) {
                            let hint = self.value_hint(f, v);
                            let msg = format!(
                                "{hint} does not dominate the end of incoming block {}",
                                block_text(f, pb)
                            );
                            self.report(site, K::NotDominated, msg);
                        }
                    }
                    None => {
                        // Uses in unreachable blocks are accepted, as LLVM
                        // does (even an instruction using itself).
                        if dom.reachable(use_block) {
                            if db == use_block && di == use_index {
                                self.report(
                                    site,
                                    K::NotDominated,
                                    "only phi nodes may use their own value",
                                );
                            } else {
                                let ok = if db == use_block {
                                    di < use_index
                                } else {
                                    dom.dominates(db, use_block)
                                };
                                if !ok {
                                    let hint = self.value_hint(f, v);
                                    self.report(
                                        site,
                                        K::NotDominated,
                                        format!("{hint} does not dominate this use"),
                                    );
                                }
                            }
                        }
                    }
                }
                Some(def.ty)
            }
        }
    }

    pub(super) fn check_inst(
        &mut self,
        body: &Body<'m>,
        b: usize,
        i: usize,
        inst: &'m Instruction,
    ) {
        let f = body.f;
        let op = inst.kind.opcode();
        let site = Site::Inst(f, b, i, op);
        if !inst.attachments.is_empty() {
            self.check_attachments(site, &inst.attachments);
        }
        let res = inst.ty;
        let Some(res_shape) = self.ty(res) else {
            self.need_ty(site, res, "the result type");
            return;
        };
        let void = matches!(res_shape, Type::Void);
        if void && inst.name.is_some() {
            self.report(
                site,
                K::NotAValue,
                "an instruction without a value cannot have a name",
            );
        }
        let at = (b, i);
        // Operand types; `None` if the operand itself is broken (reported).
        macro_rules! opnd {
            ($v:expr) => {
                self.operand(body, site, at, $v, None)
            };
        }
        let mut fp_flags_ok = false;
        let result: Result<(), Violation> = match &inst.kind {
            InstKind::Binary { op, lhs, rhs } => {
                fp_flags_ok = op.class() == OpClass::FloatBinary;
                match (opnd!(*lhs), opnd!(*rhs)) {
                    (Some(l), Some(r)) => self.rule_binary(*op, l, r, res),
                    _ => Ok(()),
                }
            }
            InstKind::FNeg { value } => {
                fp_flags_ok = true;
                opnd!(*value).map_or(Ok(()), |v| self.rule_fneg(v, res))
            }
            InstKind::Cast { op, value } => {
                opnd!(*value).map_or(Ok(()), |v| self.rule_cast(*op, v, res))
            }
            InstKind::ICmp { lhs, rhs, .. } => match (opnd!(*lhs), opnd!(*rhs)) {
                (Some(l), Some(r)) => self.rule_cmp(true, l, r, res),
                _ => Ok(()),
            },
            InstKind::FCmp { lhs, rhs, .. } => {
                fp_flags_ok = true;
                match (opnd!(*lhs), opnd!(*rhs)) {
                    (Some(l), Some(r)) => self.rule_cmp(false, l, r, res),
                    _ => Ok(()),
                }
            }
            InstKind::Select {
                cond,
                on_true,
                on_false,
            } => {
                fp_flags_ok = self.is_fp_math_type(res);
                match (opnd!(*cond), opnd!(*on_true), opnd!(*on_false)) {
                    (Some(c), Some(a), Some(x)) => self.rule_select(c, a, x, res),
                    _ => Ok(()),
                }
            }
            InstKind::Phi { incoming } => {
                fp_flags_ok = self.is_fp_math_type(res);
                self.check_phi(body, site, at, incoming, res)
            }
            InstKind::Alloca {
                allocated,
                count,
                align,
            } => {
                self.check_align(site, *align);
                let count_ty = count.and_then(|c| opnd!(c));
                self.rule_alloca(*allocated, count_ty, res)
            }
            InstKind::Load {
                ptr, align, atomic, ..
            } => {
                self.check_align(site, *align);
                match opnd!(*ptr) {
                    Some(p) => self.rule_access(
                        "load",
                        Ordering::Release,
                        res,
                        p,
                        *align,
                        atomic.as_ref().map(|a| a.ordering),
                    ),
                    None => Ok(()),
                }
            }
            InstKind::Store {
                value,
                ptr,
                align,
                atomic,
                ..
            } => {
                self.check_align(site, *align);
                match (opnd!(*value), opnd!(*ptr)) {
                    (Some(v), Some(p)) => self.rule_access(
                        "store",
                        Ordering::Acquire,
                        v,
                        p,
                        *align,
                        atomic.as_ref().map(|a| a.ordering),
                    ),
                    _ => Ok(()),
                }
            }
            InstKind::GetElementPtr {
                source,
                base,
                indices,
                ..
            } => {
                let base_ty = opnd!(*base);
                // Reused between GEPs: no allocation per instruction.
                let mut idx = std::mem::take(&mut self.gep_scratch);
                idx.clear();
                let mut ok = base_ty.is_some();
                for v in indices {
                    match opnd!(*v) {
                        Some(t) => {
                            let value = match v {
                                Value::Const(c) => self.const_int_value(*c),
                                _ => None,
                            };
                            idx.push((t, value));
                        }
                        None => ok = false,
                    }
                }
                let r = if !self.valid_ty(*source) {
                    Err((
                        K::UndefinedType,
                        format!("source type #{} does not exist", source.0),
                    ))
                } else if let (true, Some(bt)) = (ok, base_ty) {
                    self.rule_gep(*source, bt, &idx, res)
                } else {
                    Ok(())
                };
                self.gep_scratch = idx;
                r
            }
            InstKind::ExtractElement { vector, index } => match (opnd!(*vector), opnd!(*index)) {
                (Some(v), Some(x)) => self.rule_extract_element(v, x, res),
                _ => Ok(()),
            },
            InstKind::InsertElement {
                vector,
                element,
                index,
            } => match (opnd!(*vector), opnd!(*element), opnd!(*index)) {
                (Some(v), Some(e), Some(x)) => self.rule_insert_element(v, e, x, res),
                _ => Ok(()),
            },
            InstKind::ShuffleVector { a, b: bv, mask } => {
                match (opnd!(*a), opnd!(*bv), opnd!(*mask)) {
                    (Some(at), Some(bt), Some(_)) => {
                        let mask_const = match mask {
                            Value::Const(c) => Some(*c),
                            _ => None,
                        };
                        self.rule_shuffle(at, bt, mask_const, res)
                    }
                    _ => Ok(()),
                }
            }
            InstKind::ExtractValue { aggregate, indices } => match opnd!(*aggregate) {
                Some(a) => self.walk_aggregate(a, indices).and_then(|t| {
                    if t == res {
                        Ok(())
                    } else {
                        Err((
                            K::TypeMismatch,
                            format!("result type {} should be {}", self.tt(res), self.tt(t)),
                        ))
                    }
                }),
                None => Ok(()),
            },
            InstKind::InsertValue {
                aggregate,
                value,
                indices,
            } => match (opnd!(*aggregate), opnd!(*value)) {
                (Some(a), Some(v)) => self.walk_aggregate(a, indices).and_then(|t| {
                    if t != v {
                        Err((
                            K::TypeMismatch,
                            format!(
                                "inserted value has type {} but the indices reach {}",
                                self.tt(v),
                                self.tt(t)
                            ),
                        ))
                    } else if res != a {
                        Err((
                            K::TypeMismatch,
                            format!(
                                "result type {} differs from the aggregate type {}",
                                self.tt(res),
                                self.tt(a)
                            ),
                        ))
                    } else {
                        Ok(())
                    }
                }),
                _ => Ok(()),
            },
            InstKind::Call(call) => {
                fp_flags_ok = self.is_fp_math_type(res);
                self.check_call(body, site, at, call, res)
            }
            InstKind::Br { .. } => Ok(()),
            InstKind::CondBr { cond, .. } => match opnd!(*cond) {
                Some(c) if !self.is_int(c, 1) => Err((
                    K::TypeNotAllowed,
                    format!("branch condition must be i1, not {}", self.tt(c)),
                )),
                _ => Ok(()),
            },
            InstKind::Switch { cond, cases, .. } => match opnd!(*cond) {
                Some(c) => self.check_switch(site, c, cases),
                None => Ok(()),
            },
            InstKind::Ret { value } => match (value, self.is_void(body.ret)) {
                (None, true) => Ok(()),
                (None, false) => Err((
                    K::TypeMismatch,
                    format!("`ret void` in a function returning {}", self.tt(body.ret)),
                )),
                (Some(_), true) => Err((
                    K::TypeMismatch,
                    "a function returning void cannot return a value".into(),
                )),
                (Some(v), false) => match opnd!(*v) {
                    Some(t) if t != body.ret => Err((
                        K::TypeMismatch,
                        format!(
                            "returns {} but the function returns {}",
                            self.tt(t),
                            self.tt(body.ret)
                        ),
                    )),
                    _ => Ok(()),
                },
            },
            InstKind::Unreachable => Ok(()),
            InstKind::AtomicRmw(rmw) => {
                self.check_align(site, rmw.align);
                match (opnd!(rmw.ptr), opnd!(rmw.value)) {
                    (Some(p), Some(v)) => self.rule_rmw(rmw.op, p, v, rmw.ordering, res),
                    _ => Ok(()),
                }
            }
            InstKind::CmpXchg(x) => {
                self.check_align(site, x.align);
                match (opnd!(x.ptr), opnd!(x.expected), opnd!(x.new)) {
                    (Some(p), Some(e), Some(n)) => {
                        self.rule_cmpxchg(p, e, n, x.success, x.failure, res)
                    }
                    _ => Ok(()),
                }
            }
            InstKind::Fence { ordering, .. } => {
                if matches!(
                    ordering,
                    Ordering::Acquire | Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
                ) {
                    Ok(())
                } else {
                    Err((
                        K::BadAtomic,
                        format!(
                            "fence ordering must be acquire, release, acq_rel or seq_cst, not {}",
                            ordering.spelling()
                        ),
                    ))
                }
            }
            InstKind::Freeze { value } => match opnd!(*value) {
                Some(v) if v != res => Err((
                    K::TypeMismatch,
                    format!(
                        "result type {} differs from the operand type {}",
                        self.tt(res),
                        self.tt(v)
                    ),
                )),
                _ => Ok(()),
            },
        };
        if let Err((kind, e)) = result {
            self.report(site, kind, e);
        }
        // Result kinds: which instructions have a value, and of what kind.
        let has_value = !matches!(
            inst.kind,
            InstKind::Store { .. }
                | InstKind::Br { .. }
                | InstKind::CondBr { .. }
                | InstKind::Switch { .. }
                | InstKind::Ret { .. }
                | InstKind::Unreachable
                | InstKind::Fence { .. }
        );
        if !has_value && !void {
            let msg = format!(
                "`{}` has no value, so its type must be void, not {}",
                op.mnemonic(),
                self.tt(res)
            );
            self.report(site, K::NotAValue, msg);
        } else if has_value && !matches!(inst.kind, InstKind::Call(_)) {
            if let Type::Void | Type::Label | Type::Metadata | Type::Function { .. } = res_shape {
                let msg = format!("result type {} is not a value type", self.tt(res));
                self.report(site, K::TypeNotAllowed, msg);
            }
        }
        // Most instructions carry no flags, and then nothing can fail.
        if inst.flags.0 != 0 {
            if let Err((kind, e)) = self.rule_flags_slow(op, inst.flags, fp_flags_ok) {
                self.report(site, kind, e);
            }
        }
    }

    fn check_phi(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        incoming: &[(Value, BlockId)],
        res: TypeId,
    ) -> Result<(), Violation> {
        let f = body.f;
        let nb = f.blocks.len();
        let mut type_err = None;
        for (k, (v, blk)) in incoming.iter().enumerate() {
            if blk.0 as usize >= nb {
                self.report(
                    site,
                    K::UndefinedBlock,
                    format!("entry {k} names block #{} which does not exist", blk.0),
                );
                continue;
            }
            if let Some(t) = self.operand(body, site, at, *v, Some(*blk)) {
                if t != res && type_err.is_none() {
                    type_err = Some((
                        K::TypeMismatch,
                        format!(
                            "entry {k} has type {} but the phi has type {}",
                            self.tt(t),
                            self.tt(res)
                        ),
                    ));
                }
            }
        }
        if let Some(e) = type_err {
            return Err(e);
        }
        // One entry per predecessor edge: compare the sorted multisets (the
        // predecessors are sorted in `check_body`).
        let want: &[u32] = body.preds.get(at.0).map_or(&[], Vec::as_slice);
        let mut have: Vec<(u32, Value)> = incoming.iter().map(|(v, b)| (b.0, *v)).collect();
        have.sort_unstable_by_key(|(b, _)| *b);
        // The predecessors cost a phi nothing, so a message naming them all
        // would make Q short phis in a block of P predecessors Q messages of
        // P names: lists stop after `MAX_MESSAGE_BLOCKS`.
        let names = |list: &mut dyn ExactSizeIterator<Item = u32>| -> String {
            let n = list.len();
            let mut text = list
                .take(MAX_MESSAGE_BLOCKS)
                .map(|b| block_text(f, b as usize))
                .collect::<Vec<_>>()
                .join(", ");
            if n > MAX_MESSAGE_BLOCKS {
                text.push_str(&format!(", ... ({} more)", n - MAX_MESSAGE_BLOCKS));
            }
            text
        };
        if want.len() != have.len() || want.iter().zip(&have).any(|(w, (h, _))| w != h) {
            return Err((
                K::BadPhi,
                format!(
                    "phi entries name blocks [{}] but the block's predecessors are [{}]",
                    names(&mut have.iter().map(|(b, _)| *b)),
                    names(&mut want.iter().copied())
                ),
            ));
        }
        for w in have.windows(2) {
            if w[0].0 == w[1].0 && w[0].1 != w[1].1 {
                return Err((
                    K::BadPhi,
                    format!(
                        "phi has different values for the same predecessor {}",
                        block_text(f, w[0].0 as usize)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn rule_alloca(
        &self,
        allocated: TypeId,
        count: Option<TypeId>,
        res: TypeId,
    ) -> Result<(), Violation> {
        if !self.valid_ty(allocated) {
            return Err((
                K::UndefinedType,
                format!("allocated type #{} does not exist", allocated.0),
            ));
        }
        if !self.is_sized(allocated) {
            return Err((
                K::UnsizedType,
                format!("cannot allocate the unsized type {}", self.tt(allocated)),
            ));
        }
        if let Some(c) = count {
            if self.t.int_width(c).is_none() {
                return Err((
                    K::TypeNotAllowed,
                    format!("element count must be an integer, not {}", self.tt(c)),
                ));
            }
        }
        if self.t.pointer_parts(res) != Some((allocated, 0)) {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} should be {}* (allocas live in address space 0)",
                    self.tt(res),
                    self.tt(allocated)
                ),
            ));
        }
        Ok(())
    }

    /// Atomic accesses: a power-of-two size of at least a byte, of integer,
    /// float or pointer type, with an explicit alignment.
    fn rule_atomic_access(
        &self,
        what: &str,
        ty: TypeId,
        align: Option<u64>,
        allow_float: bool,
    ) -> Result<(), Violation> {
        let t = self.t;
        let kind_ok =
            t.int_width(ty).is_some() || t.is_pointer(ty) || (allow_float && t.is_float(ty));
        if !kind_ok {
            return Err((
                K::BadAtomic,
                format!("{what} of {} is not allowed", self.tt(ty)),
            ));
        }
        let bits = t.primitive_bits(ty).unwrap_or(0);
        if bits < 8 || !bits.is_power_of_two() {
            return Err((
                K::BadAtomic,
                format!(
                    "{what} needs a power-of-two size of at least 8 bits, not {}",
                    self.tt(ty)
                ),
            ));
        }
        if align.is_none() {
            return Err((K::BadAtomic, format!("{what} must specify an alignment")));
        }
        Ok(())
    }

    /// `load` (`word` = "load", `banned` = release) and `store` (`word` =
    /// "store", `banned` = acquire): `value` is the loaded or stored type.
    fn rule_access(
        &self,
        word: &str,
        banned: Ordering,
        value: TypeId,
        p: TypeId,
        align: Option<u64>,
        ordering: Option<Ordering>,
    ) -> Result<(), Violation> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err((
                K::TypeNotAllowed,
                format!("{word} address must be a pointer, not {}", self.tt(p)),
            ));
        };
        if value != pointee {
            return Err((
                K::TypeMismatch,
                format!("{word}s {} through {}", self.tt(value), self.tt(p)),
            ));
        }
        if !self.is_sized(value) {
            return Err((
                K::UnsizedType,
                format!("cannot {word} the unsized type {}", self.tt(value)),
            ));
        }
        if let Some(o) = ordering {
            if o == banned || o == Ordering::AcqRel {
                return Err((
                    K::BadAtomic,
                    format!("an atomic {word} cannot be {}", o.spelling()),
                ));
            }
            self.rule_atomic_access(&format!("an atomic {word}"), value, align, true)?;
        }
        Ok(())
    }

    fn rule_rmw(
        &self,
        op: RmwOp,
        p: TypeId,
        v: TypeId,
        ordering: Ordering,
        res: TypeId,
    ) -> Result<(), Violation> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err((
                K::TypeNotAllowed,
                format!("atomicrmw address must be a pointer, not {}", self.tt(p)),
            ));
        };
        if v != pointee {
            return Err((
                K::TypeMismatch,
                format!(
                    "atomicrmw operand {} does not match the address {}",
                    self.tt(v),
                    self.tt(p)
                ),
            ));
        }
        if ordering == Ordering::Unordered {
            return Err((K::BadAtomic, "atomicrmw cannot be unordered".into()));
        }
        let t = self.t;
        let ok = match op {
            RmwOp::Xchg => t.int_width(v).is_some() || t.is_float(v),
            RmwOp::FAdd | RmwOp::FSub => t.is_float(v),
            _ => t.int_width(v).is_some(),
        };
        if !ok {
            return Err((
                K::BadAtomic,
                format!(
                    "atomicrmw {} cannot operate on {}",
                    op.spelling(),
                    self.tt(v)
                ),
            ));
        }
        // Alignment is always present in LLVM 14 text after parsing; only
        // the size rules apply here.
        self.rule_atomic_access("atomicrmw", v, Some(1), true)?;
        if res != v {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} differs from the operand type {}",
                    self.tt(res),
                    self.tt(v)
                ),
            ));
        }
        Ok(())
    }

    fn rule_cmpxchg(
        &self,
        p: TypeId,
        e: TypeId,
        n: TypeId,
        success: Ordering,
        failure: Ordering,
        res: TypeId,
    ) -> Result<(), Violation> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err((
                K::TypeNotAllowed,
                format!("cmpxchg address must be a pointer, not {}", self.tt(p)),
            ));
        };
        if e != pointee || n != pointee {
            return Err((
                K::TypeMismatch,
                format!(
                    "cmpxchg operands {} and {} must both be {}",
                    self.tt(e),
                    self.tt(n),
                    self.tt(pointee)
                ),
            ));
        }
        self.rule_atomic_access("cmpxchg", e, Some(1), false)?;
        if success == Ordering::Unordered || failure == Ordering::Unordered {
            return Err((
                K::BadAtomic,
                "cmpxchg orderings must be at least monotonic".into(),
            ));
        }
        if matches!(failure, Ordering::Release | Ordering::AcqRel) {
            return Err((
                K::BadAtomic,
                format!("cmpxchg failure ordering cannot be {}", failure.spelling()),
            ));
        }
        // LLVM 13 dropped the rule that the failure ordering may not be
        // stronger than the success ordering; llvm-as-14 accepts
        // `monotonic acquire`, so we do too.
        let ok = matches!(self.ty(res), Some(Type::Struct { fields, packed: false })
            if fields.len() == 2 && fields[0] == e && self.is_int(fields[1], 1));
        if !ok {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} should be {{ {}, i1 }}",
                    self.tt(res),
                    self.tt(e)
                ),
            ));
        }
        Ok(())
    }

    fn check_switch(
        &mut self,
        site: Site<'m>,
        c: TypeId,
        cases: &[(ConstId, BlockId)],
    ) -> Result<(), Violation> {
        if self.t.int_width(c).is_none() {
            return Err((
                K::TypeNotAllowed,
                format!("switch condition must be an integer, not {}", self.tt(c)),
            ));
        }
        let mut seen = HashSet::with_capacity(cases.len());
        for (k, (case, _)) in cases.iter().enumerate() {
            let Some(ct) = self.check_const(site, *case, 0) else {
                continue;
            };
            if ct != c {
                return Err((
                    K::TypeMismatch,
                    format!(
                        "case {k} has type {} but the condition is {}",
                        self.tt(ct),
                        self.tt(c)
                    ),
                ));
            }
            match &self.m.consts.get(*case).kind {
                ConstKind::Int(v) => {
                    if !seen.insert(v) {
                        return Err((
                            K::BadSwitch,
                            format!("duplicate case value {}", self.const_hint(*case)),
                        ));
                    }
                }
                _ => {
                    return Err((
                        K::BadSwitch,
                        format!("case {k} must be an integer constant"),
                    ))
                }
            }
        }
        Ok(())
    }
}
