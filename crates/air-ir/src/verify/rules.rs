//! Operand and result type rules shared by instructions and constant
//! expressions: flags, arithmetic, casts, comparisons, select, vector
//! element operations, shufflevector, getelementptr and aggregate indices.
//! Each returns the violation for its caller to report at its own site.

use crate::constant::{ConstId, ConstKind};
use crate::inst::{CastRule, FlagRule, Flags, OpClass, Opcode};
use crate::types::{Type, TypeId};

use super::VerifyErrorKind as K;
use super::{Verifier, Violation};

impl<'m> Verifier<'m> {
    // ----- operand/type rules shared by instructions and constant expressions -----

    #[inline]
    pub(super) fn rule_flags(
        &self,
        op: Opcode,
        flags: Flags,
        fp_type: bool,
    ) -> Result<(), Violation> {
        // Most instructions carry no flags; nothing below can fail then.
        if flags.0 == 0 {
            return Ok(());
        }
        self.rule_flags_slow(op, flags, fp_type)
    }

    pub(super) fn rule_flags_slow(
        &self,
        op: Opcode,
        flags: Flags,
        fp_type: bool,
    ) -> Result<(), Violation> {
        let known = Flags::NUW.0 | Flags::NSW.0 | Flags::EXACT.0 | Flags::FAST.0;
        if flags.0 & !known != 0 {
            return Err((
                K::BadFlags,
                format!("unknown flag bits 0x{:X}", flags.0 & !known),
            ));
        }
        let rule = op.flag_rule();
        let wrap = Flags(Flags::NUW.0 | Flags::NSW.0);
        if flags.0 & wrap.0 != 0 && rule != FlagRule::Wrap {
            return Err((
                K::BadFlags,
                format!("`nuw`/`nsw` are not allowed on `{}`", op.mnemonic()),
            ));
        }
        if flags.contains(Flags::EXACT) && rule != FlagRule::Exact {
            return Err((
                K::BadFlags,
                format!("`exact` is not allowed on `{}`", op.mnemonic()),
            ));
        }
        if !flags.fast_math().is_empty() {
            if rule != FlagRule::FastMath {
                return Err((
                    K::BadFlags,
                    format!("fast-math flags are not allowed on `{}`", op.mnemonic()),
                ));
            }
            if !fp_type {
                return Err((
                    K::BadFlags,
                    format!(
                        "fast-math flags on `{}` need a floating-point type",
                        op.mnemonic()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether fast-math flags may sit on a phi/select/call of type `ty`:
    /// float, float vector, or (nested) arrays of them, as LLVM 14 says.
    pub(super) fn is_fp_math_type(&self, mut ty: TypeId) -> bool {
        while let Some(Type::Array { elem, .. }) = self.ty(ty) {
            ty = *elem;
        }
        self.t.is_float_or_float_vector(ty)
    }

    pub(super) fn rule_binary(
        &self,
        op: Opcode,
        l: TypeId,
        r: TypeId,
        res: TypeId,
    ) -> Result<(), Violation> {
        let int = match op.class() {
            OpClass::IntBinary => true,
            OpClass::FloatBinary => false,
            _ => {
                return Err((
                    K::BadOpcode,
                    format!("`{}` is not a binary operator", op.mnemonic()),
                ))
            }
        };
        if l != r {
            return Err((
                K::TypeMismatch,
                format!(
                    "operands have different types {} and {}",
                    self.tt(l),
                    self.tt(r)
                ),
            ));
        }
        if int && !self.t.is_int_or_int_vector(l) {
            return Err((
                K::TypeNotAllowed,
                format!(
                    "`{}` needs integer operands, not {}",
                    op.mnemonic(),
                    self.tt(l)
                ),
            ));
        }
        if !int && !self.t.is_float_or_float_vector(l) {
            return Err((
                K::TypeNotAllowed,
                format!(
                    "`{}` needs floating-point operands, not {}",
                    op.mnemonic(),
                    self.tt(l)
                ),
            ));
        }
        if res != l {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} differs from the operand type {}",
                    self.tt(res),
                    self.tt(l)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn rule_fneg(&self, v: TypeId, res: TypeId) -> Result<(), Violation> {
        if !self.t.is_float_or_float_vector(v) {
            return Err((
                K::TypeNotAllowed,
                format!("`fneg` needs a floating-point operand, not {}", self.tt(v)),
            ));
        }
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

    /// (lane count, scalar type); lanes is `None` for scalars.
    pub(super) fn lanes(&self, ty: TypeId) -> (Option<u32>, TypeId) {
        match self.ty(ty) {
            Some(Type::Vector { len, elem }) => (Some(*len), *elem),
            _ => (None, ty),
        }
    }

    pub(super) fn rule_cast(&self, op: Opcode, src: TypeId, dst: TypeId) -> Result<(), Violation> {
        let OpClass::Cast(rule) = op.class() else {
            return Err((K::BadOpcode, format!("`{}` is not a cast", op.mnemonic())));
        };
        let bad = || {
            Err((
                K::InvalidCast,
                format!(
                    "`{}` cannot convert {} to {}",
                    op.mnemonic(),
                    self.tt(src),
                    self.tt(dst)
                ),
            ))
        };
        let (sl, ss) = self.lanes(src);
        let (dl, ds) = self.lanes(dst);
        let t = self.t;
        if rule != CastRule::BitCast && sl != dl {
            return Err((
                K::InvalidCast,
                format!(
                    "`{}` changes the lane count ({} to {})",
                    op.mnemonic(),
                    self.tt(src),
                    self.tt(dst)
                ),
            ));
        }
        let ok = match rule {
            CastRule::IntNarrow => {
                matches!((t.int_width(ss), t.int_width(ds)), (Some(a), Some(b)) if a > b)
            }
            CastRule::IntWiden => {
                matches!((t.int_width(ss), t.int_width(ds)), (Some(a), Some(b)) if a < b)
            }
            CastRule::FloatNarrow => {
                matches!((t.float_width(ss), t.float_width(ds)), (Some(a), Some(b)) if a > b)
            }
            CastRule::FloatWiden => {
                matches!((t.float_width(ss), t.float_width(ds)), (Some(a), Some(b)) if a < b)
            }
            CastRule::FloatToInt => t.is_float(ss) && t.int_width(ds).is_some(),
            CastRule::IntToFloat => t.int_width(ss).is_some() && t.is_float(ds),
            CastRule::PtrToInt => t.is_pointer(ss) && t.int_width(ds).is_some(),
            CastRule::IntToPtr => t.int_width(ss).is_some() && t.is_pointer(ds),
            CastRule::AddrSpaceCast => match (t.pointer_parts(ss), t.pointer_parts(ds)) {
                (Some((_, a)), Some((_, b))) => {
                    if a == b {
                        return Err((
                            K::InvalidCast,
                            "`addrspacecast` must change the address space; use bitcast".into(),
                        ));
                    }
                    true
                }
                _ => false,
            },
            CastRule::BitCast => {
                let sp = t.is_ptr_or_ptr_vector(src);
                let dp = t.is_ptr_or_ptr_vector(dst);
                if sp || dp {
                    match (t.pointer_parts(ss), t.pointer_parts(ds)) {
                        (Some((_, a)), Some((_, b))) if sl == dl => {
                            if a != b {
                                return Err((K::InvalidCast, format!(
                                    "`bitcast` cannot change the address space ({} to {}); use addrspacecast",
                                    self.tt(src),
                                    self.tt(dst)
                                )));
                            }
                            true
                        }
                        _ => false,
                    }
                } else {
                    // Non-aggregate first-class types of one bit size.
                    match (t.primitive_bits(src), t.primitive_bits(dst)) {
                        (Some(a), Some(b)) => a == b,
                        _ => false,
                    }
                }
            }
        };
        if ok {
            Ok(())
        } else {
            bad()
        }
    }

    /// The i1 (or `<N x i1>`) a comparison of `operand` type yields is `res`?
    fn is_bool_for(&self, operand: TypeId, res: TypeId) -> bool {
        match (self.lanes(operand).0, self.ty(res)) {
            (None, Some(Type::Int(1))) => true,
            (Some(n), Some(Type::Vector { len, elem })) => *len == n && self.is_int(*elem, 1),
            _ => false,
        }
    }

    pub(super) fn rule_cmp(
        &self,
        int: bool,
        l: TypeId,
        r: TypeId,
        res: TypeId,
    ) -> Result<(), Violation> {
        let name = if int { "icmp" } else { "fcmp" };
        if l != r {
            return Err((
                K::TypeMismatch,
                format!(
                    "operands have different types {} and {}",
                    self.tt(l),
                    self.tt(r)
                ),
            ));
        }
        let scalar = self.t.scalar(l);
        let ok = if int {
            self.t.int_width(scalar).is_some() || self.t.is_pointer(scalar)
        } else {
            self.t.is_float(scalar)
        };
        if !ok {
            let want = if int {
                "integer or pointer"
            } else {
                "floating-point"
            };
            return Err((
                K::TypeNotAllowed,
                format!("`{name}` needs {want} operands, not {}", self.tt(l)),
            ));
        }
        if !self.is_bool_for(l, res) {
            return Err((
                K::TypeMismatch,
                format!(
                    "`{name}` of {} must have type {}, not {}",
                    self.tt(l),
                    match self.lanes(l).0 {
                        Some(n) => format!("<{n} x i1>"),
                        None => "i1".into(),
                    },
                    self.tt(res)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn rule_select(
        &self,
        c: TypeId,
        a: TypeId,
        b: TypeId,
        res: TypeId,
    ) -> Result<(), Violation> {
        let (cl, cs) = self.lanes(c);
        if !self.is_int(cs, 1) {
            return Err((
                K::TypeNotAllowed,
                format!(
                    "select condition must be i1 or <N x i1>, not {}",
                    self.tt(c)
                ),
            ));
        }
        if a != b {
            return Err((
                K::TypeMismatch,
                format!(
                    "select values have different types {} and {}",
                    self.tt(a),
                    self.tt(b)
                ),
            ));
        }
        if let Some(n) = cl {
            if self.lanes(a).0 != Some(n) {
                return Err((
                    K::TypeMismatch,
                    format!(
                        "a vector condition {} needs vector values with {n} lanes, not {}",
                        self.tt(c),
                        self.tt(a)
                    ),
                ));
            }
        }
        if res != a {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} differs from the value type {}",
                    self.tt(res),
                    self.tt(a)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn rule_extract_element(
        &self,
        v: TypeId,
        i: TypeId,
        res: TypeId,
    ) -> Result<(), Violation> {
        let Some((_, elem)) = self.t.vector_parts(v) else {
            return Err((
                K::TypeNotAllowed,
                format!("extractelement needs a vector, not {}", self.tt(v)),
            ));
        };
        if self.t.int_width(i).is_none() {
            return Err((
                K::TypeNotAllowed,
                format!("element index must be an integer, not {}", self.tt(i)),
            ));
        }
        if res != elem {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} differs from the element type {}",
                    self.tt(res),
                    self.tt(elem)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn rule_insert_element(
        &self,
        v: TypeId,
        e: TypeId,
        i: TypeId,
        res: TypeId,
    ) -> Result<(), Violation> {
        let Some((_, elem)) = self.t.vector_parts(v) else {
            return Err((
                K::TypeNotAllowed,
                format!("insertelement needs a vector, not {}", self.tt(v)),
            ));
        };
        if e != elem {
            return Err((
                K::TypeMismatch,
                format!(
                    "inserted value has type {} but the element type is {}",
                    self.tt(e),
                    self.tt(elem)
                ),
            ));
        }
        if self.t.int_width(i).is_none() {
            return Err((
                K::TypeNotAllowed,
                format!("element index must be an integer, not {}", self.tt(i)),
            ));
        }
        if res != v {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} differs from the vector type {}",
                    self.tt(res),
                    self.tt(v)
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn rule_shuffle(
        &self,
        a: TypeId,
        b: TypeId,
        mask: Option<ConstId>,
        res: TypeId,
    ) -> Result<(), Violation> {
        let Some((n, elem)) = self.t.vector_parts(a) else {
            return Err((
                K::TypeNotAllowed,
                format!("shufflevector needs vectors, not {}", self.tt(a)),
            ));
        };
        if a != b {
            return Err((
                K::TypeMismatch,
                format!(
                    "shufflevector operands have different types {} and {}",
                    self.tt(a),
                    self.tt(b)
                ),
            ));
        }
        let Some(mask) = mask.and_then(|c| self.m.consts.try_get(c)) else {
            return Err((
                K::BadShuffleMask,
                "the shufflevector mask must be a constant".into(),
            ));
        };
        let Some((m_len, m_elem)) = self.t.vector_parts(mask.ty) else {
            return Err((
                K::BadShuffleMask,
                format!("the mask must be a vector of i32, not {}", self.tt(mask.ty)),
            ));
        };
        if !self.is_int(m_elem, 32) {
            return Err((
                K::BadShuffleMask,
                format!("the mask must be a vector of i32, not {}", self.tt(mask.ty)),
            ));
        }
        match &mask.kind {
            ConstKind::Zero | ConstKind::Undef | ConstKind::Poison => {}
            ConstKind::Vector(elems) => {
                for (i, e) in elems.iter().enumerate() {
                    match self.m.consts.try_get(*e).map(|k| &k.kind) {
                        Some(ConstKind::Undef | ConstKind::Poison) => {}
                        Some(ConstKind::Int(v)) => {
                            if v.as_u64().is_none_or(|x| x >= 2 * u64::from(n)) {
                                return Err((
                                    K::BadShuffleMask,
                                    format!(
                                        "mask element {i} selects lane {} of only {}",
                                        v.to_signed_string(32),
                                        2 * n
                                    ),
                                ));
                            }
                        }
                        _ => {
                            return Err((
                                K::BadShuffleMask,
                                format!("mask element {i} must be an i32 constant or undef"),
                            ))
                        }
                    }
                }
            }
            _ => {
                return Err((
                    K::BadShuffleMask,
                    "the mask must be a constant vector, undef or zeroinitializer".into(),
                ))
            }
        }
        if self.t.vector_parts(res) != Some((m_len, elem)) {
            return Err((
                K::TypeMismatch,
                format!(
                    "result type {} should be <{m_len} x {}>",
                    self.tt(res),
                    self.tt(elem)
                ),
            ));
        }
        Ok(())
    }

    /// Checks a GEP: `base` points to `source`, indices are integers, struct
    /// indices are in-range `i32` constants, and `res` is the pointer (or
    /// pointer vector) the indices reach. `indices` pairs each index type
    /// with its constant value, if constant.
    pub(super) fn rule_gep(
        &self,
        source: TypeId,
        base: TypeId,
        indices: &[(TypeId, Option<i128>)],
        res: TypeId,
    ) -> Result<(), Violation> {
        let t = self.t;
        if !self.is_sized(source) {
            return Err((
                K::UnsizedType,
                format!("getelementptr over the unsized type {}", self.tt(source)),
            ));
        }
        let (mut lanes, base_scalar) = self.lanes(base);
        let Some((pointee, addrspace)) = t.pointer_parts(base_scalar) else {
            return Err((
                K::TypeNotAllowed,
                format!(
                    "getelementptr base must be a pointer, not {}",
                    self.tt(base)
                ),
            ));
        };
        if pointee != source {
            return Err((
                K::TypeMismatch,
                format!(
                    "getelementptr base has type {} but the source type is {}",
                    self.tt(base),
                    self.tt(source)
                ),
            ));
        }
        for (i, (it, _)) in indices.iter().enumerate() {
            let (il, is) = self.lanes(*it);
            if t.int_width(is).is_none() {
                return Err((
                    K::TypeNotAllowed,
                    format!("index {i} must be an integer, not {}", self.tt(*it)),
                ));
            }
            if let Some(n) = il {
                if lanes.is_some_and(|l| l != n) {
                    return Err((
                        K::TypeMismatch,
                        format!(
                            "index {i} has {n} lanes but the others have {}",
                            lanes.unwrap_or(0)
                        ),
                    ));
                }
                lanes = Some(n);
            }
        }
        let mut cur = source;
        for (i, (it, value)) in indices.iter().enumerate().skip(1) {
            cur = match t.get(cur) {
                Type::Array { elem, .. } | Type::Vector { elem, .. } => *elem,
                Type::Struct { .. } | Type::Named(_) => {
                    let Some(fields) = t.struct_fields(cur) else {
                        return Err((
                            K::BadIndex,
                            format!("index {i} steps into the opaque struct {}", self.tt(cur)),
                        ));
                    };
                    let v = match value {
                        Some(v) if self.is_int(*it, 32) => *v,
                        _ => {
                            return Err((
                                K::BadIndex,
                                format!(
                                    "index {i} into struct {} must be an i32 constant",
                                    self.tt(cur)
                                ),
                            ))
                        }
                    };
                    match usize::try_from(v).ok().and_then(|v| fields.get(v)) {
                        Some(f) => *f,
                        None => {
                            return Err((
                                K::BadIndex,
                                format!(
                                    "index {i} ({v}) is out of range for struct {} with {} fields",
                                    self.tt(cur),
                                    fields.len()
                                ),
                            ))
                        }
                    }
                }
                _ => {
                    return Err((
                        K::BadIndex,
                        format!("index {i} cannot step into {}", self.tt(cur)),
                    ))
                }
            };
        }
        let want_ptr = |p: TypeId| t.pointer_parts(p) == Some((cur, addrspace));
        let ok = match (lanes, t.get(res)) {
            (None, Type::Pointer { .. }) => want_ptr(res),
            (Some(n), Type::Vector { len, elem }) => *len == n && want_ptr(*elem),
            _ => false,
        };
        if !ok {
            let ptr = if addrspace == 0 {
                format!("{}*", self.tt(cur))
            } else {
                format!("{} addrspace({addrspace})*", self.tt(cur))
            };
            let want = match lanes {
                Some(n) => format!("<{n} x {ptr}>"),
                None => ptr,
            };
            return Err((
                K::TypeMismatch,
                format!("result type {} should be {want}", self.tt(res)),
            ));
        }
        Ok(())
    }

    /// The type `indices` reach inside aggregate `agg` (extract/insertvalue).
    pub(super) fn walk_aggregate(&self, agg: TypeId, indices: &[u32]) -> Result<TypeId, Violation> {
        if indices.is_empty() {
            return Err((K::BadIndex, "needs at least one index".into()));
        }
        let mut cur = agg;
        for (i, &idx) in indices.iter().enumerate() {
            cur = match self.t.get(cur) {
                Type::Array { len, elem } => {
                    if u64::from(idx) >= *len {
                        return Err((
                            K::BadIndex,
                            format!("index {i} ({idx}) is out of range for {}", self.tt(cur)),
                        ));
                    }
                    *elem
                }
                Type::Struct { .. } | Type::Named(_) => {
                    let Some(fields) = self.t.struct_fields(cur) else {
                        return Err((
                            K::BadIndex,
                            format!("index {i} steps into the opaque struct {}", self.tt(cur)),
                        ));
                    };
                    match fields.get(idx as usize) {
                        Some(f) => *f,
                        None => {
                            return Err((
                                K::BadIndex,
                                format!("index {i} ({idx}) is out of range for {}", self.tt(cur)),
                            ))
                        }
                    }
                }
                _ => {
                    return Err((
                        K::BadIndex,
                        format!("index {i} cannot step into {}", self.tt(cur)),
                    ))
                }
            };
        }
        Ok(cur)
    }
}
