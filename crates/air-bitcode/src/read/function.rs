//! FUNCTION blocks: instructions with relative operand ids, forward
//! references, function-level constants and metadata, attachments and the
//! function's value names.
//!
//! An operand may name a value defined later in the function (a phi's
//! back-edge value, or any use in a block laid out before its definition).
//! Such an operand becomes a placeholder `Value::Inst(InstId(u32::MAX - k))`,
//! `k` indexing the forward references of the function; when the block ends
//! every placeholder is replaced and its type checked against the one the
//! record stated.

use air_ir::attributes::AttrSet;
use air_ir::inst::{
    Atomic, CallConv, FloatPredicate, InstKind, IntPredicate, OpClass, Ordering, RmwOp, TailKind,
    Value,
};
use air_ir::types::Type;
use air_ir::{
    ConstKind, DiKind, DiNode, DiValue, Flags, InstId, Instruction, MetaId, Metadata, TypeId,
};
use llvm_bitcode_schema::{BlockId, FunctionCode, MetadataCode, ValueSymtabCode};

use super::constants::{
    binary_opcode, decode_signed, fmf_flags, int_flags, opcode, predicate, Slot,
};
use super::metadata::MdFixup;
use super::module::{decode_align, decode_enum, rec_err, string_of, Reader};
use super::ReadError;
use llvm_bitstream::{BlockHeader, Item, Record};

const ID: BlockId = BlockId::Function;

/// A forward reference: the value id and the type its record stated.
#[derive(Debug)]
struct Fwd {
    value: u64,
    ty: TypeId,
    at: u64,
}

/// The function being read.
#[derive(Debug)]
struct Body {
    fi: usize,
    /// The block instructions are appended to.
    cur_bb: usize,
    declared: bool,
    fwd: Vec<Fwd>,
    md_fixups: Vec<MdFixup>,
    alloca_space: u32,
    /// The `DILocation` the last DEBUG_LOC made (for DEBUG_LOC_AGAIN).
    last_location: Option<MetaId>,
}

/// The operands of one record, consumed in order.
struct Ops<'r> {
    r: &'r Record,
    i: usize,
}

impl<'r> Ops<'r> {
    fn next(&mut self) -> Result<u64, ReadError> {
        let v = self
            .r
            .ops
            .get(self.i)
            .copied()
            .ok_or_else(|| rec_err(ID, self.r, "too few operands"))?;
        self.i += 1;
        Ok(v)
    }

    fn left(&self) -> usize {
        self.r.ops.len().saturating_sub(self.i)
    }

    fn rest(&mut self) -> &'r [u64] {
        let rest = self.r.ops.get(self.i..).unwrap_or(&[]);
        self.i = self.r.ops.len();
        rest
    }
}

/// Placeholder for forward reference `k`.
fn placeholder(k: usize) -> Value {
    Value::Inst(InstId(u32::MAX - k as u32))
}

/// The forward-reference index of a placeholder.
fn placeholder_index(v: &Value, count: usize) -> Option<usize> {
    match v {
        Value::Inst(InstId(id)) if (u32::MAX - id) < count as u32 => Some((u32::MAX - id) as usize),
        _ => None,
    }
}

/// The alloca address space from a datalayout's `A<n>` component.
fn alloca_space(datalayout: Option<&str>) -> u32 {
    datalayout
        .unwrap_or_default()
        .split('-')
        .find_map(|c| c.strip_prefix('A').and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

impl Reader<'_> {
    /// Reads the body of the next function with a body.
    pub fn function_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        let err = |m: &str| ReadError::new(h.bit_offset, ID.name(), None, m);
        let fi = self
            .bodies
            .pop_front()
            .ok_or_else(|| err("a FUNCTION_BLOCK for no function with a body"))?;
        let module_values = self.values.len();
        let module_mds = self.md.len();
        let fn_ty = self.m.functions[fi].ty;
        let params: Vec<TypeId> = self
            .m
            .types
            .function_parts(fn_ty)
            .map(|(_, p, _)| p.to_vec())
            .unwrap_or_default();
        for (i, p) in params.iter().enumerate() {
            self.values.push(Slot::Arg(i as u32), *p);
        }
        let mut b = Body {
            fi,
            cur_bb: 0,
            declared: false,
            fwd: Vec::new(),
            md_fixups: Vec::new(),
            alloca_space: alloca_space(self.m.datalayout.as_deref()),
            last_location: None,
        };
        let mut scope = self.cur.enter(h);
        loop {
            match self.next(&mut scope)? {
                Item::End => break,
                Item::Block(inner) => match BlockId::from_id(inner.id) {
                    Some(BlockId::Constants) => self.constants_block(&inner)?,
                    Some(BlockId::Metadata) => {
                        self.metadata_block(&inner, Some(&mut b.md_fixups))?
                    }
                    Some(BlockId::MetadataAttachment) => self.attachment_block(&inner, fi)?,
                    Some(BlockId::ValueSymtab) => self.function_vst(&inner, fi)?,
                    // Use-list orders do not change what the module says.
                    _ => self.cur.skip(&inner),
                },
                Item::Record(r) => self.instruction(&mut b, &r)?,
            }
        }
        let blocks = self.m.functions[fi].blocks.len();
        if !b.declared || b.cur_bb != blocks {
            return Err(err(&format!(
                "the function declares {blocks} blocks but {} end in a terminator",
                b.cur_bb
            )));
        }
        self.resolve_forward(&b)?;
        self.values.truncate(module_values);
        self.md.truncate(module_mds);
        Ok(())
    }

    /// Replaces the placeholders of forward references.
    fn resolve_forward(&mut self, b: &Body) -> Result<(), ReadError> {
        let mut resolved = Vec::with_capacity(b.fwd.len());
        for f in &b.fwd {
            let err = |m: String| ReadError::new(f.at, ID.name(), None, m);
            let value = match self.values.slot(f.value) {
                Some(Slot::Inst(i)) => Value::Inst(*i),
                Some(Slot::Arg(a)) => Value::Arg(*a),
                Some(_) => Value::Const(self.values.constant(&mut self.m, f.value).map_err(&err)?),
                None => {
                    return Err(err(format!(
                        "value id {} is used but never defined",
                        f.value
                    )))
                }
            };
            if self.values.type_of(f.value) != Some(f.ty) {
                return Err(err(format!(
                    "value id {} is used with another type than it has",
                    f.value
                )));
            }
            resolved.push(value);
        }
        let count = resolved.len();
        let func = &mut self.m.functions[b.fi];
        for inst in &mut func.insts {
            inst.kind.for_each_operand_mut(|v| {
                if let Some(k) = placeholder_index(v, count) {
                    *v = resolved[k];
                }
            });
        }
        for fix in &b.md_fixups {
            let err = |m: String| {
                ReadError::new(
                    fix.at,
                    BlockId::Metadata.name(),
                    Some(MetadataCode::Value.name().into()),
                    m,
                )
            };
            let value = match self.values.slot(fix.value) {
                Some(Slot::Inst(i)) => Value::Inst(*i),
                _ => return Err(err(format!("value id {} is not an instruction", fix.value))),
            };
            if self.values.type_of(fix.value) != Some(fix.ty) {
                return Err(err(format!("value id {} has another type", fix.value)));
            }
            if let Some(Metadata::Value { value: v, .. }) =
                self.m.metadata.get_mut(fix.item.0 as usize)
            {
                *v = value;
            }
        }
        Ok(())
    }

    /// The function's VALUE_SYMTAB: names of arguments, instructions and
    /// blocks.
    fn function_vst(&mut self, h: &BlockHeader, fi: usize) -> Result<(), ReadError> {
        const VST: BlockId = BlockId::ValueSymtab;
        self.each_record(h, |s, r| {
            let Some((&id, chars)) = r.ops.split_first() else {
                return Ok(());
            };
            let name = string_of(VST, &r, chars)?;
            match ValueSymtabCode::from_code(r.code) {
                Some(ValueSymtabCode::Entry) => match s.values.slot(id) {
                    Some(Slot::Arg(a)) => s.m.functions[fi].params[*a as usize].name = Some(name),
                    Some(Slot::Inst(i)) => s.m.functions[fi].insts[i.0 as usize].name = Some(name),
                    _ => {
                        return Err(rec_err(
                            VST,
                            &r,
                            format!("value id {id} is not an argument or instruction"),
                        ))
                    }
                },
                Some(ValueSymtabCode::BbEntry) => {
                    let block = usize::try_from(id)
                        .ok()
                        .and_then(|b| s.m.functions[fi].blocks.get_mut(b))
                        .ok_or_else(|| rec_err(VST, &r, format!("block {id} is out of range")))?;
                    block.name = Some(name);
                }
                _ => {}
            }
            Ok(())
        })
    }

    // ---- operands ----------------------------------------------------

    /// A value id as the record writes it, made absolute.
    fn absolute(&self, raw: u64) -> u64 {
        if self.version == 0 {
            raw
        } else {
            // `InstNum - (unsigned)Record[Slot]` in 32-bit arithmetic: a
            // forward reference wraps around.
            u64::from((self.values.len() as u32).wrapping_sub(raw as u32))
        }
    }

    /// Value id `id` as an operand. A defined value must have type `ty`
    /// (when given); an undefined one becomes a forward reference of `ty`.
    fn operand(
        &mut self,
        b: &mut Body,
        r: &Record,
        id: u64,
        ty: Option<TypeId>,
    ) -> Result<(Value, TypeId), ReadError> {
        if (id as usize) < self.values.len() {
            let actual = self.values.type_of(id).unwrap_or(TypeId(u32::MAX));
            if ty.is_some_and(|t| t != actual) {
                return Err(rec_err(
                    ID,
                    r,
                    format!("value id {id} is used with another type than it has"),
                ));
            }
            let value = match self.values.slot(id) {
                Some(Slot::Arg(a)) => Value::Arg(*a),
                Some(Slot::Inst(i)) => Value::Inst(*i),
                _ => Value::Const(
                    self.values
                        .constant(&mut self.m, id)
                        .map_err(|m| rec_err(ID, r, m))?,
                ),
            };
            return Ok((value, actual));
        }
        let ty = ty.ok_or_else(|| {
            rec_err(
                ID,
                r,
                format!("forward reference to value id {id} without a type"),
            )
        })?;
        if id > u64::from(u32::MAX) {
            return Err(rec_err(ID, r, format!("value id {id} is out of range")));
        }
        b.fwd.push(Fwd {
            value: id,
            ty,
            at: r.bit_offset,
        });
        Ok((placeholder(b.fwd.len() - 1), ty))
    }

    /// `getValueTypePair`: a relative id, plus a type when it is a forward
    /// reference.
    fn vt(&mut self, b: &mut Body, o: &mut Ops<'_>) -> Result<(Value, TypeId), ReadError> {
        let id = self.absolute(o.next()?);
        if (id as usize) < self.values.len() {
            return self.operand(b, o.r, id, None);
        }
        let ty = self.ty(ID, o.r, o.next()?)?;
        self.operand(b, o.r, id, Some(ty))
    }

    /// `getValue`: a relative id whose type the context gives.
    fn v(&mut self, b: &mut Body, o: &mut Ops<'_>, ty: TypeId) -> Result<Value, ReadError> {
        let id = self.absolute(o.next()?);
        Ok(self.operand(b, o.r, id, Some(ty))?.0)
    }

    fn block_id(&self, b: &Body, r: &Record, id: u64) -> Result<air_ir::BlockId, ReadError> {
        let n = self.m.functions[b.fi].blocks.len() as u64;
        if id < n {
            Ok(air_ir::BlockId(id as u32))
        } else {
            Err(rec_err(
                ID,
                r,
                format!("block {id} is out of range ({n} blocks)"),
            ))
        }
    }

    fn ordering(&self, r: &Record, v: u64) -> Result<Ordering, ReadError> {
        decode_enum(Ordering::ALL, v, Ordering::bitcode)
            .ok_or_else(|| rec_err(ID, r, format!("invalid atomic ordering {v}")))
    }

    fn scope(&self, r: &Record, v: u64) -> Result<String, ReadError> {
        usize::try_from(v)
            .ok()
            .and_then(|i| self.sync_scopes.get(i))
            .cloned()
            .ok_or_else(|| rec_err(ID, r, format!("sync scope {v} is not defined")))
    }

    fn align(&self, r: &Record, v: u64) -> Result<Option<u64>, ReadError> {
        decode_align(v).map_err(|m| rec_err(ID, r, m))
    }

    /// The `i1` (or `<N x i1>`) result of comparing values of type `ty`.
    fn cmp_type(&mut self, ty: TypeId) -> TypeId {
        let i1 = self.m.types.i1();
        match self.m.types.vector_parts(ty) {
            Some((len, _)) => self.m.types.vector(i1, len),
            None => i1,
        }
    }

    /// The constant integer an index operand holds (a splat for vectors).
    fn const_index(&self, v: Value) -> Option<u64> {
        let Value::Const(c) = v else { return None };
        match &self.m.consts.try_get(c)?.kind {
            ConstKind::Int(i) => i.as_u64(),
            ConstKind::Zero => Some(0),
            ConstKind::Vector(e) => self.const_index(Value::Const(*e.first()?)),
            _ => None,
        }
    }

    /// The result type of a `getelementptr`.
    fn gep_type(
        &mut self,
        r: &Record,
        source: TypeId,
        operands: &[(Value, TypeId)],
    ) -> Result<TypeId, ReadError> {
        let err = |m: &str| rec_err(ID, r, m);
        let mut lanes = None;
        for (_, t) in operands {
            if let Some((len, _)) = self.m.types.vector_parts(*t) {
                lanes = Some(len);
            }
        }
        let base = self.m.types.scalar(operands[0].1);
        let (_, space) = self
            .m
            .types
            .pointer_parts(base)
            .ok_or_else(|| err("the base is not a pointer"))?;
        let mut cur = source;
        for (v, _) in operands.iter().skip(2) {
            cur = match self.m.types.get(cur) {
                Type::Array { elem, .. } | Type::Vector { elem, .. } => *elem,
                Type::Struct { .. } | Type::Named(_) => {
                    let i = self
                        .const_index(*v)
                        .ok_or_else(|| err("a struct index that is not a constant"))?;
                    self.m
                        .types
                        .struct_fields(cur)
                        .and_then(|f| f.get(i as usize))
                        .copied()
                        .ok_or_else(|| err("a struct index out of range"))?
                }
                _ => return Err(err("indexing into a type that is not an aggregate")),
            };
        }
        let ptr = self.m.types.ptr(cur, space);
        Ok(match lanes {
            Some(len) => self.m.types.vector(ptr, len),
            None => ptr,
        })
    }

    /// The type reached by `extractvalue`/`insertvalue` indices.
    fn aggregate_member(
        &self,
        r: &Record,
        agg: TypeId,
        indices: &[u32],
    ) -> Result<TypeId, ReadError> {
        let mut cur = agg;
        for i in indices {
            cur = match self.m.types.get(cur) {
                Type::Array { elem, len } if u64::from(*i) < *len => *elem,
                Type::Struct { .. } | Type::Named(_) => self
                    .m
                    .types
                    .struct_fields(cur)
                    .and_then(|f| f.get(*i as usize))
                    .copied()
                    .ok_or_else(|| rec_err(ID, r, format!("index {i} is out of range")))?,
                _ => return Err(rec_err(ID, r, format!("index {i} is out of range"))),
            };
        }
        Ok(cur)
    }

    fn push_inst(
        &mut self,
        b: &mut Body,
        r: &Record,
        ty: TypeId,
        kind: InstKind,
        flags: Flags,
    ) -> Result<(), ReadError> {
        let terminator = kind.opcode().is_terminator();
        let void = matches!(self.m.types.get(ty), Type::Void);
        let f = &mut self.m.functions[b.fi];
        if !b.declared {
            return Err(rec_err(ID, r, "an instruction before DECLAREBLOCKS"));
        }
        let Some(block) = f.blocks.get_mut(b.cur_bb) else {
            return Err(rec_err(ID, r, "an instruction after the last block ended"));
        };
        if f.insts.len() + b.fwd.len() >= (u32::MAX / 2) as usize {
            return Err(rec_err(ID, r, "too many instructions"));
        }
        let id = InstId(f.insts.len() as u32);
        block.insts.push(id);
        f.insts.push(Instruction {
            name: None,
            ty,
            kind,
            flags,
            attachments: air_ir::Attachments::new(),
        });
        if terminator {
            b.cur_bb += 1;
        }
        if !void {
            self.values.push(Slot::Inst(id), ty);
        }
        Ok(())
    }

    fn instruction(&mut self, b: &mut Body, r: &Record) -> Result<(), ReadError> {
        let mut o = Ops { r, i: 0 };
        let void = self.m.types.void();
        let err = |m: &str| rec_err(ID, r, m);
        let mut flags = Flags::empty();
        let code = FunctionCode::from_code(r.code);
        let (ty, kind) = match code {
            Some(FunctionCode::DeclareBlocks) => {
                if b.declared {
                    return Err(err("a second DECLAREBLOCKS"));
                }
                let n = o.next()?;
                // Every block holds at least a terminator record.
                if n == 0 || n > self.cur.bits_left() {
                    return Err(err(&format!("{n} blocks")));
                }
                self.spend(n, ID, r)?;
                self.m.functions[b.fi].blocks = vec![air_ir::Block::default(); n as usize];
                b.declared = true;
                return Ok(());
            }
            Some(FunctionCode::InstBinop) => {
                let (lhs, ty) = self.vt(b, &mut o)?;
                let rhs = self.v(b, &mut o, ty)?;
                let code = o.next()?;
                let op = binary_opcode(&self.m, ty, code)
                    .ok_or_else(|| err(&format!("unknown binary operation {code}")))?;
                if o.left() > 0 {
                    let bits = o.next()?;
                    flags = if op.class() == OpClass::FloatBinary {
                        fmf_flags(bits)
                    } else {
                        int_flags(op, bits)
                    };
                }
                (ty, InstKind::Binary { op, lhs, rhs })
            }
            Some(FunctionCode::InstUnop) => {
                let (value, ty) = self.vt(b, &mut o)?;
                if o.next()? != 0 {
                    return Err(err("unknown unary operation"));
                }
                if o.left() > 0 {
                    flags = fmf_flags(o.next()?);
                }
                (ty, InstKind::FNeg { value })
            }
            Some(FunctionCode::InstCast) => {
                let (value, _) = self.vt(b, &mut o)?;
                let ty = self.ty(ID, r, o.next()?)?;
                let code = o.next()?;
                let op =
                    opcode(code, &[], true).ok_or_else(|| err(&format!("unknown cast {code}")))?;
                (ty, InstKind::Cast { op, value })
            }
            Some(FunctionCode::InstGep) => {
                let inbounds = o.next()? != 0;
                let source = self.ty(ID, r, o.next()?)?;
                let mut operands = Vec::new();
                while o.left() > 0 {
                    operands.push(self.vt(b, &mut o)?);
                }
                if operands.is_empty() {
                    return Err(err("a getelementptr without a base"));
                }
                let ty = self.gep_type(r, source, &operands)?;
                let base = operands[0].0;
                let indices = operands[1..].iter().map(|(v, _)| *v).collect();
                (
                    ty,
                    InstKind::GetElementPtr {
                        source,
                        base,
                        indices,
                        inbounds,
                    },
                )
            }
            Some(FunctionCode::InstExtractElt) => {
                let (vector, vty) = self.vt(b, &mut o)?;
                let (index, _) = self.vt(b, &mut o)?;
                let (_, elem) = self
                    .m
                    .types
                    .vector_parts(vty)
                    .ok_or_else(|| err("extractelement of a non-vector"))?;
                (elem, InstKind::ExtractElement { vector, index })
            }
            Some(FunctionCode::InstInsertElt) => {
                let (vector, vty) = self.vt(b, &mut o)?;
                let (_, elem) = self
                    .m
                    .types
                    .vector_parts(vty)
                    .ok_or_else(|| err("insertelement into a non-vector"))?;
                let element = self.v(b, &mut o, elem)?;
                let (index, _) = self.vt(b, &mut o)?;
                (
                    vty,
                    InstKind::InsertElement {
                        vector,
                        element,
                        index,
                    },
                )
            }
            Some(FunctionCode::InstShuffleVec) => {
                let (a, aty) = self.vt(b, &mut o)?;
                let bv = self.v(b, &mut o, aty)?;
                let (mask, mty) = self.vt(b, &mut o)?;
                let (_, elem) = self
                    .m
                    .types
                    .vector_parts(aty)
                    .ok_or_else(|| err("shufflevector of a non-vector"))?;
                let (len, _) = self
                    .m
                    .types
                    .vector_parts(mty)
                    .ok_or_else(|| err("a shufflevector mask that is not a vector"))?;
                let ty = self.m.types.vector(elem, len);
                (ty, InstKind::ShuffleVector { a, b: bv, mask })
            }
            Some(FunctionCode::InstCmp | FunctionCode::InstCmp2) => {
                let (lhs, ty) = self.vt(b, &mut o)?;
                let rhs = self.v(b, &mut o, ty)?;
                let pred = o.next()?;
                let bad = || err(&format!("invalid predicate {pred}"));
                let kind = if self.m.types.is_float_or_float_vector(ty) {
                    if o.left() > 0 {
                        flags = fmf_flags(o.next()?);
                    }
                    InstKind::FCmp {
                        pred: predicate(FloatPredicate::ALL, pred, FloatPredicate::bitcode)
                            .ok_or_else(bad)?,
                        lhs,
                        rhs,
                    }
                } else {
                    InstKind::ICmp {
                        pred: predicate(IntPredicate::ALL, pred, IntPredicate::bitcode)
                            .ok_or_else(bad)?,
                        lhs,
                        rhs,
                    }
                };
                (self.cmp_type(ty), kind)
            }
            Some(FunctionCode::InstSelect | FunctionCode::InstVselect) => {
                let (on_true, ty) = self.vt(b, &mut o)?;
                let on_false = self.v(b, &mut o, ty)?;
                let cond = if code == Some(FunctionCode::InstSelect) {
                    let i1 = self.m.types.i1();
                    self.v(b, &mut o, i1)?
                } else {
                    self.vt(b, &mut o)?.0
                };
                if o.left() > 0 {
                    flags = fmf_flags(o.next()?);
                }
                (
                    ty,
                    InstKind::Select {
                        cond,
                        on_true,
                        on_false,
                    },
                )
            }
            Some(FunctionCode::InstRet) => {
                let value = if o.left() == 0 {
                    None
                } else {
                    Some(self.vt(b, &mut o)?.0)
                };
                if o.left() > 0 {
                    return Err(err("a ret with more than one value"));
                }
                (void, InstKind::Ret { value })
            }
            Some(FunctionCode::InstBr) => {
                let if_true = self.block_id(b, r, o.next()?)?;
                if o.left() == 0 {
                    (void, InstKind::Br { dest: if_true })
                } else {
                    let if_false = self.block_id(b, r, o.next()?)?;
                    let i1 = self.m.types.i1();
                    let cond = self.v(b, &mut o, i1)?;
                    (
                        void,
                        InstKind::CondBr {
                            cond,
                            if_true,
                            if_false,
                        },
                    )
                }
            }
            Some(FunctionCode::InstSwitch) => {
                let raw_ty = o.next()?;
                if raw_ty >> 16 == 0x4B5 {
                    return Err(err("the pre-LLVM-3.4 switch format is not supported"));
                }
                let cty = self.ty(ID, r, raw_ty)?;
                let cond = self.v(b, &mut o, cty)?;
                let default = self.block_id(b, r, o.next()?)?;
                let rest = o.rest();
                if rest.len() % 2 != 0 {
                    return Err(err("switch cases must be (value, block) pairs"));
                }
                let mut cases = Vec::with_capacity(rest.len() / 2);
                for pair in rest.chunks(2) {
                    // Case values are absolute value ids.
                    let c = self
                        .values
                        .constant(&mut self.m, pair[0])
                        .map_err(|m| err(&format!("case value: {m}")))?;
                    cases.push((c, self.block_id(b, r, pair[1])?));
                }
                (
                    void,
                    InstKind::Switch {
                        cond,
                        default,
                        cases,
                    },
                )
            }
            Some(FunctionCode::InstUnreachable) => (void, InstKind::Unreachable),
            Some(FunctionCode::InstPhi) => {
                let ty = self.ty(ID, r, o.next()?)?;
                let mut pairs = &r.ops[1..];
                // An odd number of operands after the type: fast-math flags last.
                if pairs.len() % 2 == 1 {
                    flags = fmf_flags(pairs[pairs.len() - 1]);
                    pairs = &pairs[..pairs.len() - 1];
                }
                let mut incoming = Vec::with_capacity(pairs.len() / 2);
                for pair in pairs.chunks(2) {
                    // Signed relative ids: a forward reference is negative.
                    let id = if self.version == 0 {
                        pair[0]
                    } else {
                        u64::from(
                            (self.values.len() as u32).wrapping_sub(decode_signed(pair[0]) as u32),
                        )
                    };
                    let (v, _) = self.operand(b, r, id, Some(ty))?;
                    incoming.push((v, self.block_id(b, r, pair[1])?));
                }
                (ty, InstKind::Phi { incoming })
            }
            Some(FunctionCode::InstAlloca) => {
                if r.ops.len() != 4 {
                    return Err(err("expected 4 operands"));
                }
                let bits = r.ops[3];
                if bits & (1 << 5 | 1 << 7) != 0 {
                    return Err(err(
                        "inalloca and swifterror are not supported by the IR model",
                    ));
                }
                let mut allocated = self.ty(ID, r, r.ops[0])?;
                if bits & (1 << 6) == 0 {
                    allocated = self
                        .m
                        .types
                        .pointer_parts(allocated)
                        .ok_or_else(|| err("an alloca type that is not a pointer"))?
                        .0;
                }
                let count_ty = self.ty(ID, r, r.ops[1])?;
                // The size is an absolute value id.
                let (count, _) = self.operand(b, r, r.ops[2], Some(count_ty))?;
                let align = self.align(r, (bits & 31) | ((bits >> 8) << 5))?;
                // `alloca T` is `alloca T, i32 1`; the text leaves a
                // constant 1 out, and so does the model.
                let count = match count {
                    Value::Const(c) if matches!(&self.m.consts.get(c).kind, ConstKind::Int(v) if v.as_u64() == Some(1)) => {
                        None
                    }
                    v => Some(v),
                };
                let ty = self.m.types.ptr(allocated, b.alloca_space);
                (
                    ty,
                    InstKind::Alloca {
                        allocated,
                        count,
                        align,
                    },
                )
            }
            Some(FunctionCode::InstLoad | FunctionCode::InstLoadAtomic) => {
                let (ptr, pty) = self.vt(b, &mut o)?;
                let explicit = if code == Some(FunctionCode::InstLoad) {
                    3
                } else {
                    5
                };
                let ty = if o.left() == explicit {
                    self.ty(ID, r, o.next()?)?
                } else {
                    self.m
                        .types
                        .pointer_parts(pty)
                        .ok_or_else(|| err("a load from a non-pointer"))?
                        .0
                };
                let align = self.align(r, o.next()?)?;
                let volatile = o.next()? != 0;
                let atomic = if code == Some(FunctionCode::InstLoadAtomic) {
                    Some(Box::new(Atomic {
                        ordering: self.ordering(r, o.next()?)?,
                        scope: self.scope(r, o.next()?)?,
                    }))
                } else {
                    None
                };
                (
                    ty,
                    InstKind::Load {
                        ptr,
                        align,
                        volatile,
                        atomic,
                    },
                )
            }
            Some(FunctionCode::InstStore | FunctionCode::InstStoreAtomic) => {
                let (ptr, _) = self.vt(b, &mut o)?;
                let (value, _) = self.vt(b, &mut o)?;
                let align = self.align(r, o.next()?)?;
                let volatile = o.next()? != 0;
                let atomic = if code == Some(FunctionCode::InstStoreAtomic) {
                    Some(Box::new(Atomic {
                        ordering: self.ordering(r, o.next()?)?,
                        scope: self.scope(r, o.next()?)?,
                    }))
                } else {
                    None
                };
                (
                    void,
                    InstKind::Store {
                        value,
                        ptr,
                        align,
                        volatile,
                        atomic,
                    },
                )
            }
            Some(FunctionCode::InstExtractVal | FunctionCode::InstInsertVal) => {
                let (aggregate, aty) = self.vt(b, &mut o)?;
                let value = if code == Some(FunctionCode::InstInsertVal) {
                    Some(self.vt(b, &mut o)?)
                } else {
                    None
                };
                let indices = o
                    .rest()
                    .iter()
                    .map(|i| u32::try_from(*i).map_err(|_| err("index out of range")))
                    .collect::<Result<Vec<_>, _>>()?;
                if indices.is_empty() {
                    return Err(err("no indices"));
                }
                let member = self.aggregate_member(r, aty, &indices)?;
                match value {
                    None => (member, InstKind::ExtractValue { aggregate, indices }),
                    Some((value, vty)) => {
                        if vty != member {
                            return Err(err("the inserted value has the wrong type"));
                        }
                        (
                            aty,
                            InstKind::InsertValue {
                                aggregate,
                                value,
                                indices,
                            },
                        )
                    }
                }
            }
            Some(FunctionCode::InstCall) => return self.call(b, r),
            Some(FunctionCode::InstFence) => {
                let ordering = self.ordering(r, o.next()?)?;
                let scope = self.scope(r, o.next()?)?;
                (void, InstKind::Fence { ordering, scope })
            }
            Some(FunctionCode::InstCmpXchg) => {
                let (ptr, _) = self.vt(b, &mut o)?;
                let (expected, ety) = self.vt(b, &mut o)?;
                let new = self.v(b, &mut o, ety)?;
                if !(4..=6).contains(&o.left()) {
                    return Err(err("wrong operand count"));
                }
                let volatile = o.next()? != 0;
                let success = self.ordering(r, o.next()?)?;
                let scope = self.scope(r, o.next()?)?;
                let failure = self.ordering(r, o.next()?)?;
                let weak = o.left() > 0 && o.next()? != 0;
                let align = if o.left() > 0 {
                    self.align(r, o.next()?)?
                } else {
                    None
                };
                let ty = self.m.types.cmpxchg_result(ety);
                (
                    ty,
                    InstKind::CmpXchg(Box::new(air_ir::CmpXchg {
                        ptr,
                        expected,
                        new,
                        success,
                        failure,
                        scope,
                        weak,
                        volatile,
                        align,
                    })),
                )
            }
            Some(FunctionCode::InstAtomicRmw) => {
                let (ptr, _) = self.vt(b, &mut o)?;
                let (value, ty) = self.vt(b, &mut o)?;
                let code = o.next()?;
                let op = decode_enum(RmwOp::ALL, code, RmwOp::bitcode)
                    .ok_or_else(|| err(&format!("unknown atomicrmw operation {code}")))?;
                let volatile = o.next()? != 0;
                let ordering = self.ordering(r, o.next()?)?;
                let scope = self.scope(r, o.next()?)?;
                let align = if o.left() > 0 {
                    self.align(r, o.next()?)?
                } else {
                    None
                };
                (
                    ty,
                    InstKind::AtomicRmw(Box::new(air_ir::AtomicRmw {
                        op,
                        ptr,
                        value,
                        volatile,
                        ordering,
                        scope,
                        align,
                    })),
                )
            }
            Some(FunctionCode::InstFreeze) => {
                let (value, ty) = self.vt(b, &mut o)?;
                (ty, InstKind::Freeze { value })
            }
            Some(FunctionCode::DebugLocAgain | FunctionCode::DebugLoc) => {
                return self.debug_location(b, r);
            }
            Some(FunctionCode::OperandBundle) => {
                return Err(err("operand bundles are not supported by the IR model"))
            }
            _ => return Err(err("this instruction is not supported by the IR model")),
        };
        self.push_inst(b, r, ty, kind, flags)
    }

    /// `DEBUG_LOC [line, column, scope, inlined at, implicit?]` (metadata
    /// ids + 1) or `DEBUG_LOC_AGAIN`: the `!dbg` of the instruction read
    /// last. Each DEBUG_LOC becomes a `DILocation` of its own; AGAIN
    /// reuses the previous one.
    fn debug_location(&mut self, b: &mut Body, r: &Record) -> Result<(), ReadError> {
        let err = |m: &str| rec_err(ID, r, m);
        let loc = if r.code == FunctionCode::DebugLocAgain.code() {
            b.last_location
                .ok_or_else(|| err("DEBUG_LOC_AGAIN without a DEBUG_LOC before it"))?
        } else {
            if r.ops.len() < 4 || r.ops.len() > 5 {
                return Err(err("expected 4 or 5 operands"));
            }
            let scope = match r.ops[2] {
                0 => return Err(err("a debug location without a scope")),
                s => self.md_id(ID, r, s - 1)?,
            };
            let inlined = match r.ops[3] {
                0 => DiValue::Null,
                s => DiValue::Md(self.md_id(ID, r, s - 1)?),
            };
            let node = DiNode::new(DiKind::Location, false)
                .with("line", DiValue::Int(r.ops[0] & u64::from(u32::MAX)))
                .with("column", DiValue::Int(r.ops[1] & u64::from(u16::MAX)))
                .with("scope", DiValue::Md(scope))
                .with("inlinedAt", inlined)
                .with(
                    "isImplicitCode",
                    DiValue::Int(u64::from(r.ops.get(4).is_some_and(|v| *v != 0))),
                );
            // LLVM uniques locations: an equal one read before is this one.
            let key = super::metadata::location_key(&node);
            let known = key.and_then(|k| self.locations.get(&k).copied());
            let id = match known {
                Some(id) => id,
                None => {
                    let id = self.m.add_metadata(Metadata::Di(node));
                    if let Some(k) = key {
                        self.locations.insert(k, id);
                    }
                    id
                }
            };
            b.last_location = Some(id);
            id
        };
        let f = &mut self.m.functions[b.fi];
        let Some(inst) = f.insts.last_mut() else {
            return Err(err("a debug location before any instruction"));
        };
        if inst.attachments.iter().any(|(k, _)| k == "dbg") {
            return Err(err("a second debug location for one instruction"));
        }
        let mut list: Vec<(String, MetaId)> = vec![("dbg".to_string(), loc)];
        list.extend(inst.attachments.iter().cloned());
        inst.attachments = list.into();
        Ok(())
    }

    /// `INST_CALL [attrs, cc, fmf?, fnty?, callee+, args...]`.
    fn call(&mut self, b: &mut Body, r: &Record) -> Result<(), ReadError> {
        let err = |m: &str| rec_err(ID, r, m);
        let mut o = Ops { r, i: 0 };
        let list = o.next()?;
        let cc = o.next()?;
        let fmf = if cc & (1 << 17) != 0 { o.next()? } else { 0 };
        let explicit = if cc & (1 << 15) != 0 {
            Some(self.ty(ID, r, o.next()?)?)
        } else {
            None
        };
        let (callee, callee_ty) = self.vt(b, &mut o)?;
        let pointee = self
            .m
            .types
            .pointer_parts(callee_ty)
            .ok_or_else(|| err("the callee is not a pointer"))?
            .0;
        if explicit.is_some_and(|t| t != pointee) {
            return Err(err(
                "the explicit call type does not match the callee's type",
            ));
        }
        let fn_ty = pointee;
        let (ret, params, varargs) = match self.m.types.function_parts(fn_ty) {
            Some((ret, params, varargs)) => (ret, params.to_vec(), varargs),
            None => return Err(err("the callee type is not a function type")),
        };
        let mut args = Vec::with_capacity(params.len());
        for p in &params {
            match self.m.types.get(*p) {
                Type::Label => return Err(err("label arguments are not supported")),
                Type::Metadata => {
                    // A metadata argument is a relative metadata id.
                    let id = self.absolute(o.next()?);
                    args.push(Value::Metadata(self.md_id(ID, r, id)?));
                }
                _ => args.push(self.v(b, &mut o, *p)?),
            }
        }
        if varargs {
            while o.left() > 0 {
                args.push(self.vt(b, &mut o)?.0);
            }
        } else if o.left() > 0 {
            return Err(err("more arguments than the function type has"));
        }
        let attrs = self.attr_list(ID, r, list)?;
        self.spend(args.len() as u64, ID, r)?;
        let (mut fn_attrs, mut ret_attrs) = (AttrSet::new(), AttrSet::new());
        let mut arg_attrs = vec![AttrSet::new(); args.len()];
        for (index, set) in attrs {
            match index {
                u32::MAX => fn_attrs = set,
                0 => ret_attrs = set,
                i => {
                    *arg_attrs
                        .get_mut(i as usize - 1)
                        .ok_or_else(|| err("attributes for a missing argument"))? = set
                }
            }
        }
        let tail = if cc & (1 << 14) != 0 {
            TailKind::MustTail
        } else if cc & 1 != 0 {
            TailKind::Tail
        } else if cc & (1 << 16) != 0 {
            TailKind::NoTail
        } else {
            TailKind::None
        };
        let call = air_ir::inst::Call {
            callee,
            fn_ty,
            args,
            fn_attrs,
            ret_attrs,
            arg_attrs,
            tail,
            cc: CallConv(((cc & 0x7ff) >> 1) as u32),
        };
        self.push_inst(b, r, ret, InstKind::Call(Box::new(call)), fmf_flags(fmf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloca_space_from_datalayout() {
        assert_eq!(alloca_space(None), 0);
        assert_eq!(alloca_space(Some("e-p:64:64-A5-n32")), 5);
        assert_eq!(alloca_space(Some("e-i64:64-v96:128")), 0);
    }

    #[test]
    fn placeholders_round_trip() {
        assert_eq!(placeholder_index(&placeholder(0), 1), Some(0));
        assert_eq!(placeholder_index(&placeholder(3), 4), Some(3));
        assert_eq!(placeholder_index(&Value::Inst(InstId(7)), 4), None);
    }
}
