//! The value table and the CONSTANTS block.
//!
//! Constants may refer to constants later in the same block (the writer
//! orders them by type plane, not by dependency), so a CONSTANTS record is
//! kept in raw form, with value ids as operands, and turned into a model
//! constant on first use: recursively, with a depth bound and a cycle check.

use air_ir::constant::{ConstExpr, ConstKind, Constant};
use air_ir::inst::{FloatPredicate, IntPredicate, OpClass, Opcode};
use air_ir::types::Type;
use air_ir::{ApInt, ConstId, Flags, FuncId, GlobalId, InstId, Module, TypeId};

use super::module::{bytes_of, rec_err, Reader};
use super::ReadError;
use crate::limits::MAX_READ_DEPTH;
use llvm_bitcode_schema::{BlockId, ConstantsCode};
use llvm_bitstream::{BlockHeader, Record};

/// What a value id stands for.
#[derive(Clone, Debug)]
pub(super) enum Slot {
    Global(u32),
    Function(u32),
    Const(Box<RawConst>),
    Arg(u32),
    Inst(InstId),
}

/// A CONSTANTS record with its operands still value ids.
#[derive(Clone, Debug)]
pub(super) enum RawConst {
    /// Complete already (no operands).
    Ready(ConstKind),
    Aggregate(Vec<u64>),
    Cast(Opcode, u64),
    Binary(Opcode, u64, u64, Flags),
    FNeg(u64),
    Cmp(u64, u64, u64),
    Select(u64, u64, u64),
    ExtractElement(u64, u64),
    InsertElement(u64, u64, u64),
    Shuffle(u64, u64, u64),
    Gep {
        source: Option<TypeId>,
        inbounds: bool,
        inrange: Option<u32>,
        operands: Vec<u64>,
    },
}

/// Resolution state of one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    Busy,
    Done(ConstId),
}

/// Every value id in scope, with its type and (for constants) its model
/// constant once resolved.
#[derive(Debug, Default)]
pub(super) struct ValueTable {
    slots: Vec<(Slot, TypeId, u64)>,
    state: Vec<State>,
}

impl ValueTable {
    /// Adds the next value id.
    pub fn push(&mut self, slot: Slot, ty: TypeId) {
        self.push_at(slot, ty, 0);
    }

    /// Adds the next value id, defined by the record at bit `at`.
    pub fn push_at(&mut self, slot: Slot, ty: TypeId, at: u64) {
        self.slots.push((slot, ty, at));
        self.state.push(State::Open);
    }

    /// Number of value ids.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Drops every id from `len` on (the end of a function).
    pub fn truncate(&mut self, len: usize) {
        self.slots.truncate(len);
        self.state.truncate(len);
    }

    /// What id `id` is.
    pub fn slot(&self, id: u64) -> Option<&Slot> {
        self.slots.get(usize::try_from(id).ok()?).map(|s| &s.0)
    }

    /// The type of id `id`.
    pub fn type_of(&self, id: u64) -> Option<TypeId> {
        self.slots.get(usize::try_from(id).ok()?).map(|s| s.1)
    }

    /// The model constant of value id `id` (a constant, global or function).
    pub fn constant(&mut self, m: &mut Module, id: u64) -> Result<ConstId, String> {
        self.resolve(m, id, 0)
    }

    fn resolve(&mut self, m: &mut Module, id: u64, depth: u32) -> Result<ConstId, String> {
        let i = usize::try_from(id)
            .ok()
            .filter(|i| *i < self.slots.len())
            .ok_or_else(|| format!("value id {id} is out of range"))?;
        match self.state[i] {
            State::Done(c) => return Ok(c),
            State::Busy => return Err(format!("constant {id} contains itself")),
            State::Open => {}
        }
        if depth > MAX_READ_DEPTH {
            return Err("constants nest too deeply".into());
        }
        let (slot, ty, _) = &self.slots[i];
        let ty = *ty;
        let kind = match slot {
            Slot::Global(g) => ConstKind::Global(GlobalId(*g)),
            Slot::Function(f) => ConstKind::Function(FuncId(*f)),
            Slot::Arg(_) | Slot::Inst(_) => {
                return Err(format!("value {id} is not a constant"));
            }
            Slot::Const(raw) => {
                let raw = (**raw).clone();
                self.state[i] = State::Busy;
                let kind = self.build(m, ty, raw, depth + 1);
                self.state[i] = State::Open;
                kind.map_err(|e| format!("constant {id}: {e}"))?
            }
        };
        let c = m.consts.intern(Constant { ty, kind });
        self.state[i] = State::Done(c);
        Ok(c)
    }

    fn build(
        &mut self,
        m: &mut Module,
        ty: TypeId,
        raw: RawConst,
        depth: u32,
    ) -> Result<ConstKind, String> {
        let op = |s: &mut Self, m: &mut Module, id: u64| s.resolve(m, id, depth);
        Ok(match raw {
            RawConst::Ready(kind) => kind,
            RawConst::Aggregate(ids) => {
                let expected = match m.types.get(ty) {
                    Type::Array { len, .. } => Some(*len),
                    Type::Vector { len, .. } => Some(u64::from(*len)),
                    _ => m.types.struct_fields(ty).map(|f| f.len() as u64),
                }
                .ok_or("an aggregate of a non-aggregate type")?;
                if expected != ids.len() as u64 {
                    return Err(format!(
                        "an aggregate of {} elements for a type of {expected}",
                        ids.len()
                    ));
                }
                let elems = ids
                    .iter()
                    .map(|e| op(self, m, *e))
                    .collect::<Result<Vec<_>, _>>()?;
                for (k, e) in elems.iter().enumerate() {
                    let want = match m.types.get(ty) {
                        Type::Array { elem, .. } | Type::Vector { elem, .. } => Some(*elem),
                        _ => m.types.struct_fields(ty).and_then(|f| f.get(k)).copied(),
                    };
                    if want != Some(m.consts.get(*e).ty) {
                        return Err(format!("element {k} of an aggregate has the wrong type"));
                    }
                }
                match m.types.get(ty) {
                    Type::Array { .. } => ConstKind::Array(elems),
                    Type::Vector { .. } => ConstKind::Vector(elems),
                    _ => ConstKind::Struct(elems),
                }
            }
            RawConst::Cast(opcode, v) => ConstKind::Expr(ConstExpr::Cast {
                op: opcode,
                value: op(self, m, v)?,
            }),
            RawConst::Binary(opcode, a, b, flags) => ConstKind::Expr(ConstExpr::Binary {
                op: opcode,
                lhs: op(self, m, a)?,
                rhs: op(self, m, b)?,
                flags,
            }),
            RawConst::FNeg(v) => ConstKind::Expr(ConstExpr::FNeg(op(self, m, v)?)),
            RawConst::Cmp(a, b, pred) => {
                let lhs = op(self, m, a)?;
                let rhs = op(self, m, b)?;
                let lhs_ty = m.consts.get(lhs).ty;
                let bad = || format!("unknown comparison predicate {pred}");
                if m.types.is_float_or_float_vector(lhs_ty) {
                    ConstKind::Expr(ConstExpr::FCmp {
                        pred: predicate(FloatPredicate::ALL, pred, FloatPredicate::bitcode)
                            .ok_or_else(bad)?,
                        lhs,
                        rhs,
                    })
                } else {
                    ConstKind::Expr(ConstExpr::ICmp {
                        pred: predicate(IntPredicate::ALL, pred, IntPredicate::bitcode)
                            .ok_or_else(bad)?,
                        lhs,
                        rhs,
                    })
                }
            }
            RawConst::Select(c, t, f) => ConstKind::Expr(ConstExpr::Select {
                cond: op(self, m, c)?,
                on_true: op(self, m, t)?,
                on_false: op(self, m, f)?,
            }),
            RawConst::ExtractElement(v, i) => ConstKind::Expr(ConstExpr::ExtractElement {
                vector: op(self, m, v)?,
                index: op(self, m, i)?,
            }),
            RawConst::InsertElement(v, e, i) => ConstKind::Expr(ConstExpr::InsertElement {
                vector: op(self, m, v)?,
                element: op(self, m, e)?,
                index: op(self, m, i)?,
            }),
            RawConst::Shuffle(a, b, mask) => ConstKind::Expr(ConstExpr::ShuffleVector {
                a: op(self, m, a)?,
                b: op(self, m, b)?,
                mask: op(self, m, mask)?,
            }),
            RawConst::Gep {
                source,
                inbounds,
                inrange,
                operands,
            } => {
                let Some((&base, indices)) = operands.split_first() else {
                    return Err("a getelementptr without a base".into());
                };
                let base = op(self, m, base)?;
                let indices = indices
                    .iter()
                    .map(|i| op(self, m, *i))
                    .collect::<Result<Vec<_>, _>>()?;
                let source = match source {
                    Some(s) => s,
                    None => {
                        let base_ty = m.types.scalar(m.consts.get(base).ty);
                        m.types
                            .pointer_parts(base_ty)
                            .ok_or("a getelementptr base that is not a pointer")?
                            .0
                    }
                };
                ConstKind::Expr(ConstExpr::GetElementPtr {
                    source,
                    base,
                    indices,
                    inbounds,
                    inrange,
                })
            }
        })
    }
}

/// The predicate whose bitcode number is `v`.
pub(super) fn predicate<T: Copy>(all: &[T], v: u64, code: impl Fn(T) -> u32) -> Option<T> {
    all.iter().copied().find(|p| u64::from(code(*p)) == v)
}

/// LLVM's `decodeSignRotatedValue`: bit 0 is the sign, and `1` alone
/// (negative zero) stands for `i64::MIN`.
pub(super) fn decode_signed(v: u64) -> u64 {
    if v & 1 == 0 {
        v >> 1
    } else if v != 1 {
        (v >> 1).wrapping_neg()
    } else {
        1 << 63
    }
}

/// The opcode of class `want` (or one of the binary classes) whose bitcode
/// number is `code`.
pub(super) fn opcode(code: u64, classes: &[OpClass], cast: bool) -> Option<Opcode> {
    Opcode::ALL.iter().copied().find(|o| {
        u64::from(o.bitcode_op().unwrap_or(u32::MAX)) == code
            && if cast {
                matches!(o.class(), OpClass::Cast(_))
            } else {
                classes.contains(&o.class())
            }
    })
}

/// The binary opcode `code` for operands of type `ty` (integer and float
/// operations share numbers).
pub(super) fn binary_opcode(m: &Module, ty: TypeId, code: u64) -> Option<Opcode> {
    let class = if m.types.is_float_or_float_vector(ty) {
        OpClass::FloatBinary
    } else {
        OpClass::IntBinary
    };
    opcode(code, &[class], false)
}

/// Wrap/exact flags of an integer operation (`getDecodedOptimizationFlags`
/// for the operators AIR has).
pub(super) fn int_flags(op: Opcode, bits: u64) -> Flags {
    let mut f = Flags::empty();
    match op {
        Opcode::Add | Opcode::Sub | Opcode::Mul | Opcode::Shl => {
            if bits & 1 != 0 {
                f = f.with(Flags::NUW);
            }
            if bits & 2 != 0 {
                f = f.with(Flags::NSW);
            }
        }
        Opcode::UDiv | Opcode::SDiv | Opcode::LShr | Opcode::AShr if bits & 1 != 0 => {
            f = Flags::EXACT;
        }
        _ => {}
    }
    f
}

/// Fast-math flags from LLVM 14's bitcode mask; bit 0, the pre-LLVM-6
/// "unsafe algebra" bit, means all of them.
pub(super) fn fmf_flags(bits: u64) -> Flags {
    if bits & 1 != 0 {
        return Flags::FAST;
    }
    let mut f = Flags::empty();
    for (bit, flag) in [
        (1, Flags::NNAN),
        (2, Flags::NINF),
        (3, Flags::NSZ),
        (4, Flags::ARCP),
        (5, Flags::CONTRACT),
        (6, Flags::AFN),
        (7, Flags::REASSOC),
    ] {
        if bits & (1 << bit) != 0 {
            f = f.with(flag);
        }
    }
    f
}

/// The null value of a type as the model (and the text) spells it.
pub(super) fn null_kind(m: &Module, ty: TypeId) -> Option<ConstKind> {
    Some(match m.types.get(ty) {
        Type::Int(w) => ConstKind::Int(ApInt::zero(*w)),
        Type::Half | Type::BFloat | Type::Float | Type::Double => ConstKind::Float(0),
        Type::Pointer { .. } => ConstKind::Null,
        Type::Array { .. }
        | Type::Vector { .. }
        | Type::Struct { .. }
        | Type::Named(_)
        | Type::Token => ConstKind::Zero,
        Type::Void | Type::Label | Type::Metadata | Type::Function { .. } => return None,
    })
}

impl Reader<'_> {
    /// A CONSTANTS block (module or function level): every record defines
    /// the next value id. Constants are resolved at the end of the block, so
    /// errors point at the block's records.
    pub fn constants_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Constants;
        let first = self.values.len();
        // LLVM starts with `i32` as the current type.
        let mut cur = self.m.types.i32();
        self.each_record(h, |s, r| {
            if r.code == ConstantsCode::SetType.code() {
                let t = r.ops.first().copied().unwrap_or(u64::MAX);
                cur = s.ty(ID, &r, t)?;
                return Ok(());
            }
            let raw = s.constant_record(&r, cur)?;
            s.values
                .push_at(Slot::Const(Box::new(raw)), cur, r.bit_offset);
            Ok(())
        })?;
        for id in first..self.values.len() {
            let at = self.values.slots[id].2;
            self.values
                .constant(&mut self.m, id as u64)
                .map_err(|m| ReadError::new(at, ID.name(), None, m))?;
        }
        Ok(())
    }

    fn constant_record(&mut self, r: &Record, ty: TypeId) -> Result<RawConst, ReadError> {
        const ID: BlockId = BlockId::Constants;
        let ops = r.ops.as_slice();
        let need = |n: usize| -> Result<(), ReadError> {
            if ops.len() < n {
                Err(rec_err(ID, r, "too few operands"))
            } else {
                Ok(())
            }
        };
        let err = |m: &str| rec_err(ID, r, m);
        let int_width = self.m.types.int_width(ty);
        let code = ConstantsCode::from_code(r.code);
        Ok(match code {
            Some(ConstantsCode::Null) => RawConst::Ready(
                null_kind(&self.m, ty).ok_or_else(|| err("no null value of this type"))?,
            ),
            Some(ConstantsCode::Undef) => RawConst::Ready(ConstKind::Undef),
            Some(ConstantsCode::Poison) => RawConst::Ready(ConstKind::Poison),
            Some(ConstantsCode::Integer) => {
                need(1)?;
                let w = int_width.ok_or_else(|| err("an integer of a non-integer type"))?;
                // `ConstantInt::get(Ty, uint64_t)`: truncated to narrower
                // types, zero-extended to wider ones.
                RawConst::Ready(ConstKind::Int(ApInt::from_u64(w, decode_signed(ops[0]))))
            }
            Some(ConstantsCode::WideInteger) => {
                need(1)?;
                let w = int_width.ok_or_else(|| err("an integer of a non-integer type"))?;
                let words: Vec<u64> = ops.iter().map(|v| decode_signed(*v)).collect();
                RawConst::Ready(ConstKind::Int(ApInt::from_words(w, &words)))
            }
            Some(ConstantsCode::Float) => {
                need(1)?;
                let bits = self
                    .m
                    .types
                    .float_width(ty)
                    .ok_or_else(|| err("a float of a non-float type"))?;
                let mask = if bits == 64 {
                    u64::MAX
                } else {
                    (1 << bits) - 1
                };
                RawConst::Ready(ConstKind::Float(ops[0] & mask))
            }
            Some(ConstantsCode::Aggregate) => RawConst::Aggregate(ops.to_vec()),
            Some(ConstantsCode::String | ConstantsCode::CString) => {
                let mut bytes = bytes_of(ops);
                if code == Some(ConstantsCode::CString) {
                    bytes.push(0);
                }
                match self.m.types.get(ty) {
                    Type::Array { len, elem }
                        if self.m.types.int_width(*elem) == Some(8)
                            && *len == bytes.len() as u64 =>
                    {
                        RawConst::Ready(ConstKind::String(bytes))
                    }
                    _ => return Err(err("a string whose type is not an i8 array of its length")),
                }
            }
            Some(ConstantsCode::Data) => {
                let (len, elem, array) = match self.m.types.get(ty) {
                    Type::Array { len, elem } => (*len, *elem, true),
                    Type::Vector { len, elem } => (u64::from(*len), *elem, false),
                    _ => return Err(err("data of a non-sequential type")),
                };
                if len != ops.len() as u64 {
                    return Err(err("the element count does not match the type"));
                }
                let elem_ty = self.m.types.get(elem).clone();
                // i8 arrays are strings in the text, whatever the record.
                if array && elem_ty == Type::Int(8) {
                    return Ok(RawConst::Ready(ConstKind::String(bytes_of(ops))));
                }
                let mut elems = Vec::with_capacity(ops.len());
                for v in ops {
                    let kind = match elem_ty {
                        Type::Int(w @ (8 | 16 | 32 | 64)) => ConstKind::Int(ApInt::from_u64(w, *v)),
                        Type::Half | Type::BFloat => ConstKind::Float(v & 0xFFFF),
                        Type::Float => ConstKind::Float(v & 0xFFFF_FFFF),
                        Type::Double => ConstKind::Float(*v),
                        _ => return Err(err("data elements must be i8/i16/i32/i64 or floats")),
                    };
                    elems.push(self.m.consts.intern(Constant { ty: elem, kind }));
                }
                RawConst::Ready(if array {
                    ConstKind::Array(elems)
                } else {
                    ConstKind::Vector(elems)
                })
            }
            Some(ConstantsCode::CeBinop) => {
                need(3)?;
                let opcode = binary_opcode(&self.m, ty, ops[0])
                    .ok_or_else(|| err("unknown binary operation"))?;
                let flags = match ops.get(3) {
                    Some(f) if !self.m.types.is_float_or_float_vector(ty) => int_flags(opcode, *f),
                    _ => Flags::empty(),
                };
                RawConst::Binary(opcode, ops[1], ops[2], flags)
            }
            Some(ConstantsCode::CeCast) => {
                need(3)?;
                let opcode = opcode(ops[0], &[], true).ok_or_else(|| err("unknown cast"))?;
                RawConst::Cast(opcode, ops[2])
            }
            Some(
                ConstantsCode::CeGep
                | ConstantsCode::CeInboundsGep
                | ConstantsCode::CeGepWithInrangeIndex,
            ) => {
                let mut i = 0;
                let mut source = None;
                if code == Some(ConstantsCode::CeGepWithInrangeIndex) || ops.len() % 2 == 1 {
                    need(1)?;
                    source = Some(self.ty(ID, r, ops[0])?);
                    i = 1;
                }
                let inbounds = code == Some(ConstantsCode::CeInboundsGep);
                let (mut inbounds, mut inrange) = (inbounds, None);
                if code == Some(ConstantsCode::CeGepWithInrangeIndex) {
                    need(2)?;
                    inbounds = ops[1] & 1 != 0;
                    inrange = Some(
                        u32::try_from(ops[1] >> 1)
                            .map_err(|_| err("inrange index out of range"))?,
                    );
                    i = 2;
                }
                let rest = &ops[i..];
                if rest.len() % 2 != 0 || rest.is_empty() {
                    return Err(err("operands must come in (type, value) pairs"));
                }
                RawConst::Gep {
                    source,
                    inbounds,
                    inrange,
                    operands: rest.chunks(2).map(|p| p[1]).collect(),
                }
            }
            Some(ConstantsCode::CeSelect) => {
                need(3)?;
                RawConst::Select(ops[0], ops[1], ops[2])
            }
            Some(ConstantsCode::CeExtractElt) => match ops.len() {
                3 => RawConst::ExtractElement(ops[1], ops[2]),
                4 => RawConst::ExtractElement(ops[1], ops[3]),
                _ => return Err(err("wrong operand count")),
            },
            Some(ConstantsCode::CeInsertElt) => match ops.len() {
                3 => RawConst::InsertElement(ops[0], ops[1], ops[2]),
                4 => RawConst::InsertElement(ops[0], ops[1], ops[3]),
                _ => return Err(err("wrong operand count")),
            },
            Some(ConstantsCode::CeShuffleVec) => {
                need(3)?;
                RawConst::Shuffle(ops[0], ops[1], ops[2])
            }
            Some(ConstantsCode::CeShufVecEx) => {
                need(4)?;
                RawConst::Shuffle(ops[1], ops[2], ops[3])
            }
            Some(ConstantsCode::CeCmp) => {
                need(4)?;
                RawConst::Cmp(ops[1], ops[2], ops[3])
            }
            Some(ConstantsCode::CeUnop) => {
                need(2)?;
                if ops[0] != 0 {
                    return Err(err("unknown unary operation"));
                }
                RawConst::FNeg(ops[1])
            }
            Some(
                ConstantsCode::InlineAsmOld
                | ConstantsCode::InlineAsmOld2
                | ConstantsCode::InlineAsm,
            ) => return Err(err("inline asm is not supported by the IR model")),
            Some(ConstantsCode::BlockAddress) => {
                return Err(err("block addresses are not supported by the IR model"))
            }
            _ => return Err(err("this constant is not supported by the IR model")),
        })
    }
}
