//! The FUNCTION blocks: one per body, with its constants, metadata,
//! instructions, value symbol table and attachments.

use air_ir::inst::{self, InstKind, TailKind};
use air_ir::types::Type;
use air_ir::{InstId, TypeId};
use llvm_bitcode_schema::{BlockId, FunctionCode};
use llvm_bitstream::UNABBREV_RECORD;

use super::blockinfo::{
    FUNCTION_INST_BINOP, FUNCTION_INST_BINOP_FLAGS, FUNCTION_INST_CAST, FUNCTION_INST_GEP,
    FUNCTION_INST_LOAD, FUNCTION_INST_RET_VAL, FUNCTION_INST_RET_VOID, FUNCTION_INST_UNOP,
    FUNCTION_INST_UNOP_FLAGS, FUNCTION_INST_UNREACHABLE,
};
use super::consts::{bitcode_op, fmf_bits, int_flags};
use super::enumerate::{const_val, Operand, Val};
use super::meta::{CVal, Md, MdId};
use super::{encode_align, signed_vbr, Writer};
use crate::{EncodeError, Result};
use air_ir::DiKind;

/// `@function instruction N`, the context of an instruction's errors.
struct InstContext<'a>(&'a str, u32);

impl std::fmt::Display for InstContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{} instruction {}", self.0, self.1)
    }
}

impl Writer<'_, '_> {
    pub(super) fn function(&mut self, fi: u32) -> Result<()> {
        let p = self.p;
        let f = &p.module.functions[fi as usize];
        let info = &p.funcs[fi as usize];
        self.fn_offsets.push((fi, self.s.bit_position()));
        self.s.enter_block(BlockId::Function.id(), 4);
        self.e.incorporate_function(p, fi)?;
        let blocks = f.blocks.len() as u64;
        self.s
            .emit_record(FunctionCode::DeclareBlocks.code(), &[blocks]);
        let (cst_start, cst_end) = (self.e.first_func_constant, self.e.first_inst_id);
        self.write_constants(cst_start, cst_end, false)?;
        self.function_metadata()?;
        let mut inst_id = cst_end as u32;
        let mut needs_attachment = !info.attachments.is_empty();
        let has_locations = !info.inst_dbg.is_empty();
        let mut last_location = None;
        for (k, &(_, iid)) in info.insts.iter().enumerate() {
            self.instruction(fi, k, iid, inst_id)?;
            if !p.is_void(f.insts[iid.0 as usize].ty) {
                inst_id += 1;
            }
            needs_attachment |= info.inst_attachments.contains_key(&iid.0);
            if has_locations {
                if let Some(&loc) = info.inst_dbg.get(&iid.0) {
                    self.debug_location(loc, &mut last_location, &f.name)?;
                }
            }
        }
        // The operand lists are done with; the symbol table written next is
        // the peak of a large function, so they go first.
        self.e.release_operands(fi);
        self.function_vst(fi)?;
        if needs_attachment {
            self.attachments(fi)?;
        }
        self.e.purge_function();
        self.s.exit_block();
        Ok(())
    }

    /// An instruction's debug location: DEBUG_LOC `[line, column, scope,
    /// inlined at, implicit]` (ids + 1), or DEBUG_LOC_AGAIN when it is the
    /// same node as the previous instruction's.
    fn debug_location(&mut self, loc: MdId, last: &mut Option<MdId>, function: &str) -> Result<()> {
        if *last == Some(loc) {
            self.s.emit_record(FunctionCode::DebugLocAgain.code(), &[]);
            return Ok(());
        }
        let Md::Di {
            kind: DiKind::Location,
            fields,
            ..
        } = self.p.md.get(loc)
        else {
            return Err(EncodeError::invalid(
                format!("@{function}"),
                "a !dbg attachment of an instruction is not a DILocation",
            ));
        };
        let field = |i: usize| fields.get(i).cloned().unwrap_or(CVal::Null);
        let ops = [
            field(0).int(),
            field(1).int(),
            self.e.md_or_null_id(field(2).md())?,
            self.e.md_or_null_id(field(3).md())?,
            field(4).int(),
        ];
        self.s.emit_record(FunctionCode::DebugLoc.code(), &ops);
        *last = Some(loc);
        Ok(())
    }

    /// The absolute id and type of an operand (metadata operands number as
    /// their metadata id, as in LLVM's `getValueID(MetadataAsValue)`).
    pub(super) fn operand_id_type(&self, op: Operand) -> Result<(u32, TypeId)> {
        match op {
            Operand::Value(v) => Ok((self.e.value_id(v)?, self.e.type_of(self.p, v)?)),
            Operand::Metadata(md) => Ok((self.e.md_id(md)?, self.p.metadata_type)),
            Operand::Label => Err(EncodeError::invalid(
                "instruction",
                "internal: label operand",
            )),
        }
    }

    /// The absolute id of an operand, without its type: most operands are
    /// backward references whose type the record does not carry, and
    /// looking the type up anyway was a large share of record building.
    pub(super) fn operand_id(&self, op: Operand) -> Result<u32> {
        match op {
            Operand::Value(v) => self.e.value_id(v),
            Operand::Metadata(md) => self.e.md_id(md),
            Operand::Label => Err(EncodeError::invalid(
                "instruction",
                "internal: label operand",
            )),
        }
    }

    /// `pushValueAndType`: relative id, plus the type for forward references.
    pub(super) fn push_vt(&self, ops: &mut Vec<u64>, op: Operand, inst_id: u32) -> Result<bool> {
        let id = self.operand_id(op)?;
        ops.push(u64::from(inst_id.wrapping_sub(id)));
        if id >= inst_id {
            let (_, ty) = self.operand_id_type(op)?;
            ops.push(self.type_id(ty)?);
            return Ok(true);
        }
        Ok(false)
    }

    /// `pushValue`: relative id only.
    pub(super) fn push_v(&self, ops: &mut Vec<u64>, op: Operand, inst_id: u32) -> Result<()> {
        let id = self.operand_id(op)?;
        ops.push(u64::from(inst_id.wrapping_sub(id)));
        Ok(())
    }

    /// Writes the `k`-th instruction of function `fi` (`iid`).
    pub(super) fn instruction(
        &mut self,
        fi: u32,
        k: usize,
        iid: InstId,
        inst_id: u32,
    ) -> Result<()> {
        let mut model_ops = std::mem::take(&mut self.vals);
        let mut ops = std::mem::take(&mut self.rec);
        ops.clear();
        let kind = &self.p.module.functions[fi as usize].insts[iid.0 as usize].kind;
        let result = self
            .e
            .model_operands_of(fi, k, kind, &mut model_ops)
            .and_then(|()| {
                // Tests run unoptimised: there the recovered list is
                // checked against one built from the model.
                if cfg!(debug_assertions) {
                    let mut built = Vec::new();
                    super::enumerate::model_operands(self.p, fi, iid, &mut built)?;
                    debug_assert_eq!(built, model_ops, "operands of instruction {}", iid.0);
                }
                self.instruction_record(fi, iid, inst_id, &model_ops, &mut ops)
            });
        self.vals = model_ops;
        self.rec = ops;
        result
    }

    /// Builds the record of one instruction in `ops` and emits it.
    pub(super) fn instruction_record(
        &mut self,
        fi: u32,
        iid: InstId,
        inst_id: u32,
        model_ops: &[Operand],
        ops: &mut Vec<u64>,
    ) -> Result<()> {
        let p = self.p;
        let f = &p.module.functions[fi as usize];
        let info = &p.funcs[fi as usize];
        let inst = &f.insts[iid.0 as usize];
        // Rendered only on error: formatting it for every instruction
        // was 5% of encoding time.
        let context = InstContext(&f.name, iid.0);
        let op = |pos: usize| -> Result<Operand> {
            model_ops
                .get(pos)
                .copied()
                .ok_or_else(|| EncodeError::invalid(context.to_string(), "missing operand"))
        };
        let mut ab = UNABBREV_RECORD;
        let fmf = fmf_bits(inst.flags);
        let code = match &inst.kind {
            InstKind::Binary { op: opcode, .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(bitcode_op(*opcode, &context)?));
                let flags = if p.canon.types.is_float_or_float_vector(inst.ty) {
                    fmf
                } else {
                    int_flags(*opcode, inst.flags)
                };
                if !fwd {
                    ab = FUNCTION_INST_BINOP;
                }
                if flags != 0 {
                    if !fwd {
                        ab = FUNCTION_INST_BINOP_FLAGS;
                    }
                    ops.push(flags);
                }
                FunctionCode::InstBinop
            }
            InstKind::FNeg { .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                ops.push(0);
                if !fwd {
                    ab = FUNCTION_INST_UNOP;
                }
                if fmf != 0 {
                    if !fwd {
                        ab = FUNCTION_INST_UNOP_FLAGS;
                    }
                    ops.push(fmf);
                }
                FunctionCode::InstUnop
            }
            InstKind::Cast { op: opcode, .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                ops.push(self.type_id(inst.ty)?);
                ops.push(u64::from(bitcode_op(*opcode, &context)?));
                if !fwd {
                    ab = FUNCTION_INST_CAST;
                }
                FunctionCode::InstCast
            }
            InstKind::ICmp { pred, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(pred.bitcode()));
                FunctionCode::InstCmp2
            }
            InstKind::FCmp { pred, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(pred.bitcode()));
                if fmf != 0 {
                    ops.push(fmf);
                }
                FunctionCode::InstCmp2
            }
            InstKind::Select { .. } => {
                // Operand order in the model: cond, true, false.
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_v(ops, op(2)?, inst_id)?;
                self.push_vt(ops, op(0)?, inst_id)?;
                if fmf != 0 && p.canon.types.is_float_or_float_vector(inst.ty) {
                    ops.push(fmf);
                }
                FunctionCode::InstVselect
            }
            InstKind::Phi { incoming } => {
                ops.push(self.type_id(inst.ty)?);
                for (pos, (_, block)) in incoming.iter().enumerate() {
                    let id = self.operand_id(op(pos)?)?;
                    let diff = i64::from(inst_id as i32) - i64::from(id as i32);
                    ops.push(signed_vbr(diff as u64));
                    ops.push(u64::from(block.0));
                }
                if fmf != 0 && p.canon.types.is_float_or_float_vector(inst.ty) {
                    ops.push(fmf);
                }
                FunctionCode::InstPhi
            }
            InstKind::Alloca {
                allocated,
                count,
                align,
            } => {
                let count_op = match count {
                    Some(_) => op(0)?,
                    None => Operand::Value(Val::Const(info.alloca_one.ok_or_else(|| {
                        EncodeError::invalid(
                            context.to_string(),
                            "internal: no implicit alloca size",
                        )
                    })?)),
                };
                let (count_id, count_ty) = self.operand_id_type(count_op)?;
                let align = match align {
                    Some(a) => Some(*a),
                    None => Some(self.layout.align(&p.canon.types, *allocated, true)),
                };
                let enc = encode_align(align, &context)?;
                let packed = (enc & 31) | (1 << 6) | ((enc >> 5) << 8);
                ops.extend([
                    self.type_id(*allocated)?,
                    self.type_id(count_ty)?,
                    u64::from(count_id),
                    packed,
                ]);
                FunctionCode::InstAlloca
            }
            InstKind::Load {
                align,
                volatile,
                atomic,
                ..
            } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                let align =
                    align.unwrap_or_else(|| self.layout.align(&p.canon.types, inst.ty, false));
                ops.extend([
                    self.type_id(inst.ty)?,
                    encode_align(Some(align), &context)?,
                    u64::from(*volatile),
                ]);
                match atomic {
                    Some(a) => {
                        ops.extend([
                            u64::from(a.ordering.bitcode()),
                            self.sync_scope_id(&a.scope),
                        ]);
                        FunctionCode::InstLoadAtomic
                    }
                    None => {
                        if !fwd {
                            ab = FUNCTION_INST_LOAD;
                        }
                        FunctionCode::InstLoad
                    }
                }
            }
            InstKind::Store {
                align,
                volatile,
                atomic,
                value,
                ..
            } => {
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_vt(ops, op(0)?, inst_id)?;
                let vty = p.module.value_type(Some(f), *value).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "store of an unknown value")
                })?;
                let align = align.unwrap_or_else(|| self.layout.align(&p.canon.types, vty, false));
                ops.extend([encode_align(Some(align), &context)?, u64::from(*volatile)]);
                match atomic {
                    Some(a) => {
                        ops.extend([
                            u64::from(a.ordering.bitcode()),
                            self.sync_scope_id(&a.scope),
                        ]);
                        FunctionCode::InstStoreAtomic
                    }
                    None => FunctionCode::InstStore,
                }
            }
            InstKind::GetElementPtr {
                source,
                indices,
                inbounds,
                ..
            } => {
                ab = FUNCTION_INST_GEP;
                ops.push(u64::from(*inbounds));
                ops.push(self.type_id(*source)?);
                for pos in 0..=indices.len() {
                    self.push_vt(ops, op(pos)?, inst_id)?;
                }
                FunctionCode::InstGep
            }
            InstKind::ExtractElement { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                FunctionCode::InstExtractElt
            }
            InstKind::InsertElement { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                self.push_vt(ops, op(2)?, inst_id)?;
                FunctionCode::InstInsertElt
            }
            InstKind::ShuffleVector { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                let mask = info.shuffle_masks.get(&iid.0).copied().ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "internal: no shuffle mask")
                })?;
                self.push_v(ops, Operand::Value(const_val(p, mask)), inst_id)?;
                FunctionCode::InstShuffleVec
            }
            InstKind::ExtractValue { indices, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                ops.extend(indices.iter().map(|i| u64::from(*i)));
                FunctionCode::InstExtractVal
            }
            InstKind::InsertValue { indices, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                ops.extend(indices.iter().map(|i| u64::from(*i)));
                FunctionCode::InstInsertVal
            }
            InstKind::Call(call) => {
                ops.push(self.e.attr_list_id(info.call_attrs.get(&iid.0).copied()));
                let fmf = if p.canon.types.is_float_or_float_vector(inst.ty) {
                    fmf
                } else {
                    0
                };
                let tail = matches!(call.tail, TailKind::Tail | TailKind::MustTail);
                let cc = u64::from(call.cc.0) << 1
                    | u64::from(tail)
                    | u64::from(call.tail == TailKind::MustTail) << 14
                    | 1 << 15
                    | u64::from(call.tail == TailKind::NoTail) << 16
                    | u64::from(fmf != 0) << 17;
                ops.push(cc);
                if fmf != 0 {
                    ops.push(fmf);
                }
                ops.push(self.type_id(call.fn_ty)?);
                self.push_vt(ops, op(0)?, inst_id)?;
                let (_, params, _) = p.canon.types.function_parts(call.fn_ty).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "callee type is not a function type")
                })?;
                for i in 0..call.args.len() {
                    let a = op(i + 1)?;
                    match params.get(i) {
                        // Label parameters (asm labels) are absolute ids.
                        Some(pty) if matches!(p.canon.types.try_get(*pty), Some(Type::Label)) => {
                            ops.push(u64::from(self.operand_id(a)?));
                        }
                        Some(_) => self.push_v(ops, a, inst_id)?,
                        // Variadic arguments carry their type.
                        None => {
                            self.push_vt(ops, a, inst_id)?;
                        }
                    }
                }
                FunctionCode::InstCall
            }
            InstKind::Br { dest } => {
                ops.push(u64::from(dest.0));
                FunctionCode::InstBr
            }
            InstKind::CondBr {
                if_true, if_false, ..
            } => {
                ops.extend([u64::from(if_true.0), u64::from(if_false.0)]);
                self.push_v(ops, op(0)?, inst_id)?;
                FunctionCode::InstBr
            }
            InstKind::Switch {
                default,
                cases,
                cond,
            } => {
                let cty = p.module.value_type(Some(f), *cond).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "switch on an unknown value")
                })?;
                ops.push(self.type_id(cty)?);
                self.push_v(ops, op(0)?, inst_id)?;
                ops.push(u64::from(default.0));
                for (c, b) in cases {
                    let c = p.konst(*c)?;
                    ops.push(self.cval_id(c)?);
                    ops.push(u64::from(b.0));
                }
                FunctionCode::InstSwitch
            }
            InstKind::Ret { value } => {
                match value {
                    None => ab = FUNCTION_INST_RET_VOID,
                    Some(_) => {
                        if !self.push_vt(ops, op(0)?, inst_id)? {
                            ab = FUNCTION_INST_RET_VAL;
                        }
                    }
                }
                FunctionCode::InstRet
            }
            InstKind::Unreachable => {
                ab = FUNCTION_INST_UNREACHABLE;
                FunctionCode::InstUnreachable
            }
            InstKind::AtomicRmw(rmw) => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                let vty = p.module.value_type(Some(f), rmw.value).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "atomicrmw of an unknown value")
                })?;
                let align = rmw
                    .align
                    .unwrap_or_else(|| self.layout.store_size(&p.canon.types, vty));
                ops.extend([
                    u64::from(rmw.op.bitcode()),
                    u64::from(rmw.volatile),
                    u64::from(rmw.ordering.bitcode()),
                    self.sync_scope_id(&rmw.scope),
                    encode_align(Some(align), &context)?,
                ]);
                FunctionCode::InstAtomicRmw
            }
            InstKind::CmpXchg(x) => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_v(ops, op(2)?, inst_id)?;
                let vty = p.module.value_type(Some(f), x.expected).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "cmpxchg of an unknown value")
                })?;
                let align = x
                    .align
                    .unwrap_or_else(|| self.layout.store_size(&p.canon.types, vty));
                ops.extend([
                    u64::from(x.volatile),
                    u64::from(x.success.bitcode()),
                    self.sync_scope_id(&x.scope),
                    u64::from(x.failure.bitcode()),
                    u64::from(x.weak),
                    encode_align(Some(align), &context)?,
                ]);
                FunctionCode::InstCmpXchg
            }
            InstKind::Fence { ordering, scope } => {
                ops.extend([u64::from(ordering.bitcode()), self.sync_scope_id(scope)]);
                FunctionCode::InstFence
            }
            InstKind::Freeze { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                FunctionCode::InstFreeze
            }
        };
        self.s.emit_record_with_abbrev(ab, code.code(), ops);
        Ok(())
    }
}

/// The blocks an instruction names, in text order.
// Once per instruction; inlined as before the writer moved into write/
// (callgrind, copies_10.ll: +1.1 M instructions per assemble without it).
#[inline]
pub(super) fn block_references(kind: &InstKind) -> Vec<inst::BlockId> {
    match kind {
        InstKind::Br { dest } => vec![*dest],
        InstKind::CondBr {
            if_true, if_false, ..
        } => vec![*if_true, *if_false],
        InstKind::Switch { default, cases, .. } => std::iter::once(*default)
            .chain(cases.iter().map(|(_, b)| *b))
            .collect(),
        InstKind::Phi { incoming } => incoming.iter().map(|(_, b)| *b).collect(),
        _ => Vec::new(),
    }
}
