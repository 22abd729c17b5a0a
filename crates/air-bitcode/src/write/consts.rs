//! LLVM's view of the module's constants.
//!
//! The IR model keeps constants as written; LLVM uniques them and puts them
//! in canonical form while parsing (`[2 x i32] [i32 0, i32 0]` *is*
//! `zeroinitializer`, `c"ab"` *is* `[2 x i8] [i8 97, i8 98]`, an `i32`
//! `zeroinitializer` *is* `i32 0`). The value enumerator counts uses per
//! LLVM constant, so the writer must see constants the way LLVM does. This
//! module maps every model constant to such a canonical constant.

use std::borrow::Cow;
use std::fmt::Display;

use air_ir::constant::{ConstExpr, ConstKind};
use air_ir::inst::Opcode;
use air_ir::types::{StructBody, Type, TypeTable};
use air_ir::{ApInt, ConstId, Module, TypeId};

use super::intern::Interner;
use crate::limits::MAX_WRITE_CONST_DEPTH;
use crate::{EncodeError, Result};

/// Index of a canonical constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CId(pub u32);

/// A constant expression, with canonical operands.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CExpr {
    Cast {
        op: u32,
        value: CId,
    },
    Gep {
        source: TypeId,
        /// Base pointer, then the indices.
        operands: Vec<CId>,
        inbounds: bool,
        inrange: Option<u32>,
    },
    Binary {
        op: u32,
        lhs: CId,
        rhs: CId,
        /// Bitcode optimisation flags (nuw/nsw/exact).
        flags: u64,
    },
    FNeg(CId),
    Cmp {
        pred: u32,
        lhs: CId,
        rhs: CId,
    },
    Select(CId, CId, CId),
    ExtractElement(CId, CId),
    InsertElement(CId, CId, CId),
    Shuffle {
        a: CId,
        b: CId,
        /// The mask as LLVM rebuilds it for bitcode.
        mask: CId,
    },
}

/// What a canonical constant is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CKind<'m> {
    /// Borrowed from the model when it comes from there: an `ApInt` is a
    /// `Vec`, and cloning every integer constant was a large share of
    /// canonicalisation.
    Int(Cow<'m, ApInt>),
    /// Raw bits at the type's width.
    Float(u64),
    /// `null` of a pointer type.
    Null,
    /// `zeroinitializer` of an aggregate or vector.
    AggZero,
    Undef,
    Poison,
    /// A `ConstantDataArray`/`ConstantDataVector`: raw element values.
    Data(Vec<u64>),
    /// A `ConstantArray`/`ConstantStruct`/`ConstantVector`.
    Aggregate(Vec<CId>),
    Global(u32),
    Function(u32),
    Expr(CExpr),
}

/// The operands of a canonical constant, without allocating: a slice of
/// the constant's own list, or up to three operands held inline.
pub(crate) enum COperands<'a> {
    Slice(&'a [CId]),
    Inline([CId; 3], usize),
}

impl std::ops::Deref for COperands<'_> {
    type Target = [CId];

    fn deref(&self) -> &[CId] {
        match self {
            COperands::Slice(s) => s,
            COperands::Inline(a, n) => &a[..*n],
        }
    }
}

/// A canonical constant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct CConst<'m> {
    pub ty: TypeId,
    pub kind: CKind<'m>,
}

/// Where a constant error happened (`constant 7`), rendered only when an
/// error is: formatting it for every constant was most of `Canon::of`.
pub(crate) struct Context(&'static str, u32);

impl Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0, self.1)
    }
}

/// The canonical constants of a module, plus a private copy of its type
/// table (the writer needs a few types the module may not have interned:
/// `i32` for implicit alloca sizes, shuffle masks, `metadata`).
#[derive(Debug)]
pub(crate) struct Canon<'m> {
    module: &'m Module,
    pub types: TypeTable,
    items: Interner<CConst<'m>>,
    memo: Vec<Option<CId>>,
}

impl<'m> Canon<'m> {
    pub fn new(module: &'m Module) -> Self {
        Canon {
            module,
            types: module.types.clone(),
            // Most model constants map to a canonical constant of their own.
            items: Interner::with_capacity(module.consts.len()),
            memo: vec![None; module.consts.len()],
        }
    }

    pub fn get(&self, id: CId) -> &CConst<'m> {
        self.items.get(id.0)
    }

    /// How many canonical constants there are (`CId`s are below this).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn intern(&mut self, c: CConst<'m>) -> CId {
        CId(self.items.intern(c))
    }

    /// The type of a type id, checked.
    pub fn ty(&self, id: TypeId, context: &(impl Display + ?Sized)) -> Result<&Type> {
        self.types
            .try_get(id)
            .ok_or_else(|| EncodeError::bad_id("type", id.0, context.to_string()))
    }

    /// The canonical constant of model constant `id`, if it was computed.
    pub fn lookup(&self, id: ConstId) -> Option<CId> {
        self.memo.get(id.0 as usize).copied().flatten()
    }

    /// `iN` constant `value`.
    pub fn int(&mut self, bits: u32, value: u64) -> CId {
        let ty = self.types.int(bits);
        self.intern(CConst {
            ty,
            kind: CKind::Int(Cow::Owned(ApInt::from_u64(bits, value))),
        })
    }

    /// The canonical form of model constant `id`.
    pub fn of(&mut self, id: ConstId) -> Result<CId> {
        self.of_depth(id, 0)
    }

    fn of_depth(&mut self, id: ConstId, depth: u32) -> Result<CId> {
        if let Some(Some(c)) = self.memo.get(id.0 as usize) {
            return Ok(*c);
        }
        if depth > MAX_WRITE_CONST_DEPTH {
            return Err(EncodeError::invalid(
                format!("constant {}", id.0),
                "constant nesting too deep",
            ));
        }
        let module = self.module;
        let c = module
            .consts
            .try_get(id)
            .ok_or_else(|| EncodeError::bad_id("constant", id.0, "constant operand"))?;
        let context = Context("constant", id.0);
        let ty = c.ty;
        self.ty(ty, &context)?;
        let ops = |s: &mut Self, list: &[ConstId]| -> Result<Vec<CId>> {
            list.iter().map(|o| s.of_depth(*o, depth + 1)).collect()
        };
        let kind = match &c.kind {
            ConstKind::Int(v) => CKind::Int(Cow::Borrowed(v)),
            ConstKind::Float(bits) => CKind::Float(*bits),
            ConstKind::Null | ConstKind::Zero => self.zero_kind(ty),
            ConstKind::Undef => CKind::Undef,
            ConstKind::Poison => CKind::Poison,
            ConstKind::Array(elems) | ConstKind::Vector(elems) => {
                let elems = ops(self, elems)?;
                self.sequence_kind(ty, elems)
            }
            ConstKind::Struct(fields) => {
                let fields = ops(self, fields)?;
                self.struct_kind(fields)
            }
            ConstKind::String(bytes) => {
                if bytes.iter().all(|b| *b == 0) {
                    CKind::AggZero
                } else {
                    CKind::Data(bytes.iter().map(|b| u64::from(*b)).collect())
                }
            }
            ConstKind::Global(g) => {
                if g.0 as usize >= module.globals.len() {
                    return Err(EncodeError::bad_id("global", g.0, context.to_string()));
                }
                CKind::Global(g.0)
            }
            ConstKind::Function(f) => {
                if f.0 as usize >= module.functions.len() {
                    return Err(EncodeError::bad_id("function", f.0, context.to_string()));
                }
                CKind::Function(f.0)
            }
            ConstKind::Expr(e) => return self.expr(id, ty, e, depth),
        };
        let out = self.intern(CConst { ty, kind });
        self.memo[id.0 as usize] = Some(out);
        Ok(out)
    }

    fn expr(&mut self, id: ConstId, ty: TypeId, e: &ConstExpr, depth: u32) -> Result<CId> {
        let context = Context("constant expression", id.0);
        let op = |s: &mut Self, c: ConstId| s.of_depth(c, depth + 1);
        let expr = match e {
            ConstExpr::Cast { op: opcode, value } => {
                let value = op(self, *value)?;
                let out = self.fold_cast(*opcode, value, ty, &context)?;
                self.memo[id.0 as usize] = Some(out);
                return Ok(out);
            }
            ConstExpr::GetElementPtr {
                source,
                base,
                indices,
                inbounds,
                inrange,
            } => {
                let base = op(self, *base)?;
                if indices.is_empty() {
                    // `getelementptr (T, T* p)` folds to `p`.
                    self.memo[id.0 as usize] = Some(base);
                    return Ok(base);
                }
                let mut operands = vec![base];
                for i in indices {
                    operands.push(op(self, *i)?);
                }
                let inbounds = *inbounds || self.gep_known_inbounds(*source, &operands);
                CExpr::Gep {
                    source: *source,
                    operands,
                    inbounds,
                    inrange: *inrange,
                }
            }
            ConstExpr::Binary {
                op: opcode,
                lhs,
                rhs,
                flags,
            } => CExpr::Binary {
                op: bitcode_op(*opcode, &context)?,
                lhs: op(self, *lhs)?,
                rhs: op(self, *rhs)?,
                flags: int_flags(*opcode, *flags),
            },
            ConstExpr::FNeg(v) => CExpr::FNeg(op(self, *v)?),
            ConstExpr::ICmp { pred, lhs, rhs } => {
                let (lhs, rhs) = (op(self, *lhs)?, op(self, *rhs)?);
                let (lhs, rhs) = self.fold_icmp_operands(lhs, rhs, &context)?;
                CExpr::Cmp {
                    pred: pred.bitcode(),
                    lhs,
                    rhs,
                }
            }
            ConstExpr::FCmp { pred, lhs, rhs } => CExpr::Cmp {
                pred: pred.bitcode(),
                lhs: op(self, *lhs)?,
                rhs: op(self, *rhs)?,
            },
            ConstExpr::Select {
                cond,
                on_true,
                on_false,
            } => CExpr::Select(op(self, *cond)?, op(self, *on_true)?, op(self, *on_false)?),
            ConstExpr::ExtractElement { vector, index } => {
                CExpr::ExtractElement(op(self, *vector)?, op(self, *index)?)
            }
            ConstExpr::InsertElement {
                vector,
                element,
                index,
            } => CExpr::InsertElement(op(self, *vector)?, op(self, *element)?, op(self, *index)?),
            ConstExpr::ShuffleVector { a, b, mask } => {
                let a = op(self, *a)?;
                let b = op(self, *b)?;
                let mask = op(self, *mask)?;
                let mask = self.shuffle_mask(mask, &context)?;
                CExpr::Shuffle { a, b, mask }
            }
        };
        let out = self.intern(CConst {
            ty,
            kind: CKind::Expr(expr),
        });
        self.memo[id.0 as usize] = Some(out);
        Ok(out)
    }

    /// `ConstantExpr::getCast` with the folds LLVM 14 applies to the casts
    /// AIR uses: a bitcast to the same type is its operand, a bitcast of
    /// `null`/`undef`/`poison` is that value of the new type, a bitcast of a
    /// bitcast is one bitcast, and an `addrspacecast` between pointers with
    /// different pointee types is canonicalised to `addrspacecast (bitcast)`.
    fn fold_cast(
        &mut self,
        opcode: Opcode,
        value: CId,
        ty: TypeId,
        context: &Context,
    ) -> Result<CId> {
        let src_ty = self.get(value).ty;
        // A cast of a GEP whose indices are all zero casts the GEP's base.
        if opcode != Opcode::AddrSpaceCast {
            if let CKind::Expr(CExpr::Gep {
                operands,
                inrange: None,
                ..
            }) = self.get(value).kind.clone()
            {
                let all_null = operands[1..].iter().all(|i| self.is_null(*i));
                let vector = matches!(self.types.try_get(src_ty), Some(Type::Vector { .. }));
                if all_null && !vector {
                    let base = operands[0];
                    let base_as = self.types.pointer_parts(self.get(base).ty).map(|p| p.1);
                    let dst_as = self.types.pointer_parts(ty).map(|p| p.1);
                    let pointer_cast = if self.types.int_width(ty).is_some() {
                        Opcode::PtrToInt
                    } else if base_as != dst_as {
                        Opcode::AddrSpaceCast
                    } else {
                        Opcode::BitCast
                    };
                    return self.fold_cast(pointer_cast, base, ty, context);
                }
            }
        }
        if opcode == Opcode::BitCast {
            if src_ty == ty {
                return Ok(value);
            }
            match self.get(value).kind.clone() {
                CKind::Null => {
                    return Ok(self.intern(CConst {
                        ty,
                        kind: CKind::Null,
                    }))
                }
                CKind::Undef => {
                    return Ok(self.intern(CConst {
                        ty,
                        kind: CKind::Undef,
                    }))
                }
                CKind::Poison => {
                    return Ok(self.intern(CConst {
                        ty,
                        kind: CKind::Poison,
                    }))
                }
                CKind::Expr(CExpr::Cast {
                    op: 11,
                    value: inner,
                }) => {
                    return self.fold_cast(Opcode::BitCast, inner, ty, context);
                }
                _ => {}
            }
        }
        // Cast pairs LLVM's `isEliminableCastPair` folds into one cast of
        // the first kind: `trunc (ptrtoint x)` and `trunc (trunc x)`.
        if opcode == Opcode::Trunc {
            if let CKind::Expr(CExpr::Cast { op, value: inner }) = self.get(value).kind.clone() {
                let first = if op == bitcode_op(Opcode::PtrToInt, context)? {
                    Some(Opcode::PtrToInt)
                } else if op == bitcode_op(Opcode::Trunc, context)? {
                    Some(Opcode::Trunc)
                } else {
                    None
                };
                if let Some(first) = first {
                    return self.fold_cast(first, inner, ty, context);
                }
            }
        }
        let mut value = value;
        if opcode == Opcode::AddrSpaceCast {
            if let (Some((src_pointee, src_as)), Some((dst_pointee, _))) = (
                self.types.pointer_parts(src_ty),
                self.types.pointer_parts(ty),
            ) {
                if src_pointee != dst_pointee {
                    let mid = self.types.ptr(dst_pointee, src_as);
                    value = self.fold_cast(Opcode::BitCast, value, mid, context)?;
                }
            }
        }
        Ok(self.intern(CConst {
            ty,
            kind: CKind::Expr(CExpr::Cast {
                op: bitcode_op(opcode, context)?,
                value,
            }),
        }))
    }

    /// `ConstantFoldGetElementPtr` marks a GEP of a (non-extern_weak) global
    /// variable `inbounds` when every index is a constant integer inside its
    /// array or vector and the first index is zero.
    fn gep_known_inbounds(&self, source: TypeId, operands: &[CId]) -> bool {
        let CKind::Global(g) = self.get(operands[0]).kind else {
            return false;
        };
        let extern_weak = self
            .module
            .globals
            .get(g as usize)
            .is_none_or(|g| g.linkage == air_ir::Linkage::ExternWeak);
        if extern_weak {
            return false;
        }
        let index = |c: CId| match &self.get(c).kind {
            CKind::Int(v) => v.as_u64(),
            _ => None,
        };
        if operands.len() < 2 || !self.is_null(operands[1]) || index(operands[1]).is_none() {
            return false;
        }
        let mut ty = source;
        for &idx in &operands[2..] {
            let Some(i) = index(idx) else {
                return false;
            };
            let in_range = match self.types.try_get(ty) {
                Some(Type::Array { len, .. }) => i < *len,
                Some(Type::Vector { len, .. }) => i < u64::from(*len),
                Some(Type::Struct { .. } | Type::Named(_)) => true,
                _ => false,
            };
            if !in_range {
                return false;
            }
            match self.types.indexed_type(ty, i) {
                Some(next) => ty = next,
                None => return false,
            }
        }
        true
    }

    /// `ConstantFoldCompareInstruction`'s rewrite of `icmp (a, bitcast b)`
    /// into `icmp (bitcast a, b)` when `b` is a scalar non-FP value.
    fn fold_icmp_operands(&mut self, lhs: CId, rhs: CId, context: &Context) -> Result<(CId, CId)> {
        if let CKind::Expr(CExpr::Cast {
            op: 11,
            value: inner,
        }) = self.get(rhs).kind.clone()
        {
            let inner_ty = self.get(inner).ty;
            let rhs_ty = self.get(rhs).ty;
            let is_vec =
                |t: TypeId, s: &Self| matches!(s.types.try_get(t), Some(Type::Vector { .. }));
            if is_vec(rhs_ty, self) == is_vec(inner_ty, self)
                && !self.types.is_float_or_float_vector(inner_ty)
            {
                let lhs = self.fold_cast(Opcode::BitCast, lhs, inner_ty, context)?;
                return Ok((lhs, inner));
            }
        }
        Ok((lhs, rhs))
    }

    /// LLVM stores shuffle masks as integers and rebuilds a constant for the
    /// bitcode (`getShuffleMaskForBitcode`): `<N x i32>` with `undef` for
    /// every undefined lane (poison included), canonicalised again.
    pub fn shuffle_mask(&mut self, mask: CId, context: &(impl Display + ?Sized)) -> Result<CId> {
        let mask_ty = self.get(mask).ty;
        let len = match self.ty(mask_ty, context)? {
            Type::Vector { len, .. } => *len,
            _ => {
                return Err(EncodeError::invalid(
                    context.to_string(),
                    "shufflevector mask is not a vector",
                ))
            }
        };
        let lanes: Vec<Option<u64>> = match &self.get(mask).kind {
            CKind::AggZero => vec![Some(0); len as usize],
            CKind::Undef | CKind::Poison => vec![None; len as usize],
            CKind::Data(d) => d.iter().map(|v| Some(*v)).collect(),
            CKind::Aggregate(elems) => elems
                .iter()
                .map(|e| match &self.get(*e).kind {
                    CKind::Int(v) => Some(v.low_u64()),
                    _ => None,
                })
                .collect(),
            _ => {
                return Err(EncodeError::invalid(
                    context.to_string(),
                    "shufflevector mask is not a constant vector",
                ))
            }
        };
        let i32_ty = self.types.i32();
        let vec_ty = self.types.vector(i32_ty, len);
        let mut elems = Vec::with_capacity(lanes.len());
        for lane in lanes {
            elems.push(match lane {
                Some(v) => self.int(32, v & 0xFFFF_FFFF),
                None => self.intern(CConst {
                    ty: i32_ty,
                    kind: CKind::Undef,
                }),
            });
        }
        let kind = self.sequence_kind(vec_ty, elems);
        Ok(self.intern(CConst { ty: vec_ty, kind }))
    }

    /// `Constant::getNullValue(ty)`.
    fn zero_kind(&self, ty: TypeId) -> CKind<'m> {
        match self.types.try_get(ty) {
            Some(Type::Int(w)) => CKind::Int(Cow::Owned(ApInt::zero(*w))),
            Some(Type::Half | Type::BFloat | Type::Float | Type::Double) => CKind::Float(0),
            Some(Type::Pointer { .. }) => CKind::Null,
            _ => CKind::AggZero,
        }
    }

    /// `Constant::isNullValue()`.
    pub fn is_null(&self, id: CId) -> bool {
        match &self.get(id).kind {
            CKind::Int(v) => v.is_zero(),
            CKind::Float(bits) => *bits == 0,
            CKind::Null | CKind::AggZero => true,
            _ => false,
        }
    }

    /// Whether elements of type `elem` can live in a `ConstantDataSequential`.
    fn is_data_element(&self, elem: TypeId) -> bool {
        matches!(
            self.types.try_get(elem),
            Some(
                Type::Half
                    | Type::BFloat
                    | Type::Float
                    | Type::Double
                    | Type::Int(8 | 16 | 32 | 64)
            )
        )
    }

    /// `ConstantArray::get` / `ConstantVector::get`.
    fn sequence_kind(&self, ty: TypeId, elems: Vec<CId>) -> CKind<'m> {
        let Some(first) = elems.first().copied() else {
            return CKind::AggZero;
        };
        let all_same = elems.iter().all(|e| *e == first);
        if all_same {
            match self.get(first).kind {
                CKind::Poison => return CKind::Poison,
                CKind::Undef => return CKind::Undef,
                _ if self.is_null(first) => return CKind::AggZero,
                _ => {}
            }
        }
        let elem_ty = self.get(first).ty;
        let is_seq = matches!(
            self.types.try_get(ty),
            Some(Type::Array { .. } | Type::Vector { .. })
        );
        if is_seq && self.is_data_element(elem_ty) {
            let mut data = Vec::with_capacity(elems.len());
            for e in &elems {
                match &self.get(*e).kind {
                    CKind::Int(v) => data.push(v.low_u64()),
                    CKind::Float(bits) => data.push(*bits),
                    _ => return CKind::Aggregate(elems),
                }
            }
            return CKind::Data(data);
        }
        CKind::Aggregate(elems)
    }

    /// `ConstantStruct::get`.
    fn struct_kind(&self, fields: Vec<CId>) -> CKind<'m> {
        if fields.is_empty() || fields.iter().all(|f| self.is_null(*f)) {
            return CKind::AggZero;
        }
        if fields
            .iter()
            .all(|f| matches!(self.get(*f).kind, CKind::Poison))
        {
            return CKind::Poison;
        }
        if fields
            .iter()
            .all(|f| matches!(self.get(*f).kind, CKind::Undef))
        {
            return CKind::Undef;
        }
        CKind::Aggregate(fields)
    }

    /// The operands LLVM's `User::operands()` lists for this constant, in
    /// order (the shuffle mask is not an operand; see [`Canon::shuffle_mask`]).
    pub fn operands(&self, id: CId) -> COperands<'_> {
        match &self.get(id).kind {
            CKind::Aggregate(elems) => COperands::Slice(elems),
            CKind::Expr(e) => match e {
                CExpr::Cast { value, .. } | CExpr::FNeg(value) => {
                    COperands::Slice(std::slice::from_ref(value))
                }
                CExpr::Gep { operands, .. } => COperands::Slice(operands),
                CExpr::Binary { lhs, rhs, .. } | CExpr::Cmp { lhs, rhs, .. } => {
                    COperands::Inline([*lhs, *rhs, CId(0)], 2)
                }
                CExpr::Select(a, b, c) | CExpr::InsertElement(a, b, c) => {
                    COperands::Inline([*a, *b, *c], 3)
                }
                CExpr::ExtractElement(a, b) | CExpr::Shuffle { a, b, .. } => {
                    COperands::Inline([*a, *b, CId(0)], 2)
                }
            },
            _ => COperands::Slice(&[]),
        }
    }

    /// The `i`-th subtype of `ty` in LLVM's `Type::subtypes()` order
    /// (pointee; element; fields, a named struct's from its body; return
    /// type, then parameters), if it has that many.
    pub fn subtype(&self, ty: TypeId, i: usize) -> Option<TypeId> {
        match self.types.try_get(ty)? {
            Type::Pointer { pointee, .. } => (i == 0).then_some(*pointee),
            Type::Array { elem, .. } | Type::Vector { elem, .. } => (i == 0).then_some(*elem),
            Type::Struct { fields, .. } => fields.get(i).copied(),
            Type::Named(_) => match self.types.struct_body(ty) {
                Some(StructBody::Fields { fields, .. }) => fields.get(i).copied(),
                _ => None,
            },
            Type::Function { ret, params, .. } => match i {
                0 => Some(*ret),
                _ => params.get(i - 1).copied(),
            },
            _ => None,
        }
    }

    /// Whether the type is an integer or a vector of integers.
    pub fn is_int_or_int_vector(&self, ty: TypeId) -> bool {
        match self.types.try_get(ty) {
            Some(Type::Int(_)) => true,
            Some(Type::Vector { elem, .. }) => {
                matches!(self.types.try_get(*elem), Some(Type::Int(_)))
            }
            _ => false,
        }
    }
}

/// The bitcode operation number of a binary, cast or unary opcode.
pub(crate) fn bitcode_op(op: Opcode, context: &(impl std::fmt::Display + ?Sized)) -> Result<u32> {
    op.bitcode_op().ok_or_else(|| {
        EncodeError::invalid(
            context.to_string(),
            format!("`{}` has no bitcode operation number", op.mnemonic()),
        )
    })
}

/// LLVM's `getOptimizationFlags` for integer operators: nuw is bit 0 and nsw
/// bit 1 for add/sub/mul/shl, exact is bit 0 for the divisions and right
/// shifts; fast-math flags are handled by [`fmf_bits`].
pub(crate) fn int_flags(op: Opcode, flags: air_ir::Flags) -> u64 {
    use air_ir::Flags;
    match op {
        Opcode::Add | Opcode::Sub | Opcode::Mul | Opcode::Shl => {
            let mut f = 0;
            if flags.contains(Flags::NUW) {
                f |= 1;
            }
            if flags.contains(Flags::NSW) {
                f |= 2;
            }
            f
        }
        Opcode::UDiv | Opcode::SDiv | Opcode::LShr | Opcode::AShr => {
            u64::from(flags.contains(Flags::EXACT))
        }
        _ => 0,
    }
}

/// LLVM 14's bitcode fast-math mask (`fast` = 254), from the IR crate.
pub(crate) fn fmf_bits(flags: air_ir::Flags) -> u64 {
    u64::from(flags.bitcode_fmf())
}
