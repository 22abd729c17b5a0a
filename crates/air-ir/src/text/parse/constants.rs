//! Constants: literals, aggregates, global references and constant
//! expressions.

use super::{Nest, PResult, Parser};
use crate::constant::{ApInt, ConstExpr, ConstId, ConstKind};
use crate::inst::{Flags, FloatPredicate, IntPredicate, OpClass, Opcode};
use crate::limits::MAX_INT_DIGITS;
use crate::text::lex::TokenKind;
use crate::types::{StructBody, Type, TypeId};

impl Parser<'_> {
    /// `T c`: a type and a constant of it.
    pub(super) fn parse_typed_const(&mut self) -> PResult<(TypeId, ConstId)> {
        let ty = self.parse_type()?;
        let c = self.parse_const(ty)?;
        Ok((ty, c))
    }

    /// A constant of type `ty`.
    pub(super) fn parse_const(&mut self, ty: TypeId) -> PResult<ConstId> {
        self.enter_as(Nest::Constant, |p| p.parse_const_inner(ty))
    }

    fn parse_const_inner(&mut self, ty: TypeId) -> PResult<ConstId> {
        let at = self.pos;
        let t = self.tok();
        match t.kind {
            TokenKind::Int | TokenKind::HexInt => {
                let Some(width) = self.m.types.int_width(ty) else {
                    return Err(self.err("integer constant must have integer type"));
                };
                if t.kind == TokenKind::Int && width <= 64 {
                    if let Some(v) = small_decimal(self.text(t)) {
                        self.bump();
                        return Ok(self.small_int_const(ty, width, v as u64));
                    }
                }
                let v = self.int_literal(width)?;
                Ok(self.m.constant(ty, ConstKind::Int(v)))
            }
            TokenKind::Float | TokenKind::HexFloat => {
                let bits = self.float_literal(ty)?;
                Ok(self.m.constant(ty, ConstKind::Float(bits)))
            }
            TokenKind::Word => {
                let w = self.text(t);
                let kind = match w {
                    "true" | "false" => {
                        if self.m.types.int_width(ty) != Some(1) {
                            return Err(self.err(format!(
                                "'{w}' requires type 'i1', not '{}'",
                                self.type_name(ty)
                            )));
                        }
                        self.bump();
                        return Ok(self.small_int_const(ty, 1, u64::from(w == "true")));
                    }
                    "null" => {
                        if !self.m.types.is_pointer(ty) {
                            return Err(self.err("null must be a pointer type"));
                        }
                        ConstKind::Null
                    }
                    "undef" | "poison" | "zeroinitializer" => {
                        // As in LLVM, any first-class type will do (even an
                        // opaque struct); sizedness is the verifier's business.
                        if matches!(
                            self.m.types.get(ty),
                            Type::Void | Type::Label | Type::Function { .. } | Type::Metadata
                        ) {
                            return Err(self.err(format!("invalid type for {w} constant")));
                        }
                        match (w, self.m.types.get(ty)) {
                            ("undef", _) => ConstKind::Undef,
                            ("poison", _) => ConstKind::Poison,
                            // LLVM's null value of the type, which is how
                            // llvm-dis-14 prints it: `i32 zeroinitializer`
                            // reads back as `i32 0`, a float's as 0.0, a
                            // pointer's as `null`.
                            (_, Type::Int(width)) => ConstKind::Int(ApInt::zero(*width)),
                            (_, Type::Half | Type::BFloat | Type::Float | Type::Double) => {
                                ConstKind::Float(0)
                            }
                            (_, Type::Pointer { .. }) => ConstKind::Null,
                            _ => ConstKind::Zero,
                        }
                    }
                    _ if Opcode::from_mnemonic(w).is_some() => {
                        let c = self.parse_const_expr()?;
                        let got = self.m.consts.get(c).ty;
                        if got != ty {
                            return Err(self.err_at(
                                at,
                                format!(
                                    "constant expression type mismatch: got type '{}' but expected '{}'",
                                    self.type_name(got),
                                    self.type_name(ty)
                                ),
                            ));
                        }
                        return Ok(c);
                    }
                    "blockaddress" | "dso_local_equivalent" | "no_cfi" | "asm" | "none" => {
                        return Err(self.err(format!("'{w}' constants are not supported")))
                    }
                    _ => return Err(self.err(format!("expected value, found '{w}'"))),
                };
                self.bump();
                Ok(self.m.constant(ty, kind))
            }
            TokenKind::LBracket => {
                self.bump();
                let Type::Array { len, elem } = *self.m.types.get(ty) else {
                    return Err(self.err_at(
                        at,
                        format!("array constant has non-array type '{}'", self.type_name(ty)),
                    ));
                };
                let elems = self.const_list(elem, TokenKind::RBracket, "']'")?;
                if elems.len() as u64 != len {
                    return Err(self.err_at(
                        at,
                        format!(
                            "array constant has {} elements but its type has {len}",
                            elems.len()
                        ),
                    ));
                }
                Ok(self.m.constant(ty, ConstKind::Array(elems)))
            }
            TokenKind::Less if self.peek_next() == TokenKind::LBrace => {
                self.bump();
                self.bump();
                let c = self.struct_const(ty, true, at)?;
                self.expect(TokenKind::Greater, "'>' after packed struct constant")?;
                Ok(c)
            }
            TokenKind::Less => {
                self.bump();
                let Type::Vector { len, elem } = *self.m.types.get(ty) else {
                    return Err(self.err_at(
                        at,
                        format!(
                            "vector constant has non-vector type '{}'",
                            self.type_name(ty)
                        ),
                    ));
                };
                let elems = self.const_list(elem, TokenKind::Greater, "'>'")?;
                if elems.len() as u64 != u64::from(len) {
                    return Err(self.err_at(
                        at,
                        format!(
                            "vector constant has {} elements but its type has {len}",
                            elems.len()
                        ),
                    ));
                }
                Ok(self.m.constant(ty, ConstKind::Vector(elems)))
            }
            TokenKind::LBrace => {
                self.bump();
                self.struct_const(ty, false, at)
            }
            TokenKind::CStr => {
                let bytes = self.string_bytes_at(at).into_owned();
                let ok = match *self.m.types.get(ty) {
                    Type::Array { len, elem } => {
                        self.m.types.int_width(elem) == Some(8) && len == bytes.len() as u64
                    }
                    _ => false,
                };
                if !ok {
                    return Err(self.err(format!(
                        "constant string of {} bytes does not match type '{}'",
                        bytes.len(),
                        self.type_name(ty)
                    )));
                }
                self.bump();
                Ok(self.m.constant(ty, ConstKind::String(bytes)))
            }
            TokenKind::Global(_) => {
                let c = self.global_ref(at)?;
                self.bump();
                let got = self.m.consts.get(c).ty;
                if got != ty {
                    return Err(self.err_at(
                        at,
                        format!(
                            "'{}' defined with type '{}' but expected '{}'",
                            self.text(t),
                            self.type_name(got),
                            self.type_name(ty)
                        ),
                    ));
                }
                Ok(c)
            }
            TokenKind::Local(_) => {
                Err(self.err(format!("expected a constant, found '{}'", self.text(t))))
            }
            _ => Err(self.err("expected value")),
        }
    }

    /// The integer constant `value` (truncated to `width` ≤ 64 bits) of
    /// type `ty`. Cached by value: most literals repeat, and the cache skips
    /// building an `ApInt` (a heap allocation) just to find it interned.
    pub(super) fn small_int_const(&mut self, ty: TypeId, width: u32, value: u64) -> ConstId {
        let bits = if width >= 64 {
            value
        } else {
            value & ((1u64 << width) - 1)
        };
        if let Some(&c) = self.int_consts.get(&(ty, bits)) {
            return c;
        }
        let c = self
            .m
            .constant(ty, ConstKind::Int(ApInt::from_u64(width, bits)));
        self.int_consts.insert((ty, bits), c);
        c
    }

    /// `T a, T b, ... <close>` with every element of type `elem`.
    fn const_list(&mut self, elem: TypeId, close: TokenKind, what: &str) -> PResult<Vec<ConstId>> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Ok(out);
        }
        loop {
            let at = self.pos;
            let ty = self.parse_type()?;
            if ty != elem {
                return Err(self.err_at(
                    at,
                    format!(
                        "element has type '{}' but expected '{}'",
                        self.type_name(ty),
                        self.type_name(elem)
                    ),
                ));
            }
            out.push(self.parse_const(ty)?);
            if self.eat(close) {
                return Ok(out);
            }
            if !self.eat(TokenKind::Comma) {
                return Err(self.err(format!("expected ',' or {what}")));
            }
        }
    }

    /// `{ T a, ... }` after the `{`.
    fn struct_const(&mut self, ty: TypeId, packed: bool, at: usize) -> PResult<ConstId> {
        let shape = match self.m.types.get(ty) {
            Type::Struct { fields, packed } => Some((fields.clone(), *packed)),
            Type::Named(_) => match self.m.types.struct_body(ty) {
                Some(StructBody::Fields { fields, packed }) => Some((fields.clone(), *packed)),
                _ => None,
            },
            _ => None,
        };
        let Some((fields, ty_packed)) = shape else {
            return Err(self.err_at(
                at,
                format!(
                    "struct constant has non-struct type '{}'",
                    self.type_name(ty)
                ),
            ));
        };
        if ty_packed != packed {
            return Err(self.err_at(at, "struct constant packedness does not match its type"));
        }
        let mut elems = Vec::with_capacity(fields.len());
        if !self.eat(TokenKind::RBrace) {
            loop {
                let fat = self.pos;
                let fty = self.parse_type()?;
                if fields.get(elems.len()) != Some(&fty) {
                    return Err(self.err_at(
                        fat,
                        format!("struct constant field {} has the wrong type", elems.len()),
                    ));
                }
                elems.push(self.parse_const(fty)?);
                if self.eat(TokenKind::RBrace) {
                    break;
                }
                self.expect(TokenKind::Comma, "',' or '}'")?;
            }
        }
        if elems.len() != fields.len() {
            return Err(self.err_at(at, "struct constant has the wrong number of fields"));
        }
        Ok(self.m.constant(ty, ConstKind::Struct(elems)))
    }

    /// An integer literal (decimal, `u0x`, `s0x`) truncated to `width` bits.
    pub(super) fn int_literal(&mut self, width: u32) -> PResult<ApInt> {
        let t = self.tok();
        let text = self.text(t);
        let v = if t.kind == TokenKind::HexInt {
            if text.len() > MAX_INT_DIGITS {
                return Err(self.err("integer literal too long"));
            }
            hex_int(width, &text[3..], text.starts_with('s'))
        } else {
            if text.len() > MAX_INT_DIGITS {
                return Err(self.err("integer literal too long"));
            }
            decimal_int(width, text).ok_or_else(|| self.err("invalid integer"))?
        };
        self.bump();
        Ok(v)
    }

    /// A floating-point literal as raw bits of `ty`'s width.
    fn float_literal(&mut self, ty: TypeId) -> PResult<u64> {
        let t = self.tok();
        let text = self.text(t);
        let format = match self.m.types.get(ty) {
            Type::Half => Some((5, 10)),
            Type::BFloat => Some((8, 7)),
            Type::Float => Some((8, 23)),
            Type::Double => None,
            _ => return Err(self.err("floating point constant invalid for type")),
        };
        let double_bits = if t.kind == TokenKind::Float {
            match text.parse::<f64>() {
                Ok(v) => v.to_bits(),
                Err(_) => return Err(self.err("invalid floating point constant")),
            }
        } else {
            let rest = &text[2..];
            let (marker, digits) = match rest.as_bytes()[0] {
                b @ (b'K' | b'L' | b'M' | b'H' | b'R') => (Some(b), &rest[1..]),
                _ => (None, rest),
            };
            let v = parse_hex_u64(digits)
                .ok_or_else(|| self.err("constant bigger than 64 bits detected"))?;
            match marker {
                None => v,
                Some(m @ (b'H' | b'R')) => {
                    let want = if m == b'H' { Type::Half } else { Type::BFloat };
                    if *self.m.types.get(ty) != want || v > 0xFFFF {
                        return Err(self.err("floating point constant invalid for type"));
                    }
                    self.bump();
                    return Ok(v);
                }
                Some(_) => {
                    return Err(
                        self.err("x86_fp80, fp128 and ppc_fp128 constants are not supported")
                    )
                }
            }
        };
        let bits = match format {
            None => double_bits,
            Some((e, m)) => narrow_exact(double_bits, e, m)
                .ok_or_else(|| self.err("floating point constant invalid for type"))?,
        };
        self.bump();
        Ok(bits)
    }

    /// The value of an integer constant, if it is one that fits in 64 bits.
    pub(super) fn const_u64(&self, c: ConstId) -> Option<u64> {
        match &self.m.consts.try_get(c)?.kind {
            ConstKind::Int(v) => v.as_u64(),
            ConstKind::Zero => Some(0),
            _ => None,
        }
    }

    /// A constant expression starting at its opcode keyword; its type is
    /// the one the expression implies.
    fn parse_const_expr(&mut self) -> PResult<ConstId> {
        let at = self.pos;
        let w = self.word().unwrap_or_default();
        let Some(op) = Opcode::from_mnemonic(w) else {
            return Err(self.err("expected constant expression"));
        };
        self.bump();
        let (ty, expr) = match op.class() {
            OpClass::Cast(_) => {
                self.expect(TokenKind::LParen, "'(' after cast opcode")?;
                let (_, value) = self.parse_typed_const()?;
                self.expect_word("to")?;
                let to = self.parse_type()?;
                self.expect(TokenKind::RParen, "')' at end of constant cast")?;
                (to, ConstExpr::Cast { op, value })
            }
            OpClass::IntBinary | OpClass::FloatBinary => {
                let mut flags = Flags::empty();
                loop {
                    let f = match self.word() {
                        Some("nuw") if op.flag_rule() == crate::inst::FlagRule::Wrap => Flags::NUW,
                        Some("nsw") if op.flag_rule() == crate::inst::FlagRule::Wrap => Flags::NSW,
                        Some("exact") if op.flag_rule() == crate::inst::FlagRule::Exact => {
                            Flags::EXACT
                        }
                        _ => break,
                    };
                    self.bump();
                    flags = flags.with(f);
                }
                self.expect(TokenKind::LParen, "'(' in binary constant expression")?;
                let (ty, lhs) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "',' in binary constant expression")?;
                let rhs_at = self.pos;
                let (rty, rhs) = self.parse_typed_const()?;
                if rty != ty {
                    return Err(self.err_at(rhs_at, "operands of constexpr must have same type"));
                }
                self.expect(TokenKind::RParen, "')' in binary constant expression")?;
                (
                    ty,
                    ConstExpr::Binary {
                        op,
                        lhs,
                        rhs,
                        flags,
                    },
                )
            }
            OpClass::FloatUnary => {
                self.expect(TokenKind::LParen, "'(' in unary constant expression")?;
                let (ty, v) = self.parse_typed_const()?;
                self.expect(TokenKind::RParen, "')' in unary constant expression")?;
                (ty, ConstExpr::FNeg(v))
            }
            OpClass::ICmp | OpClass::FCmp => {
                let pred_at = self.pos;
                let pred = self.word().unwrap_or_default();
                let (ip, fp) = if op == Opcode::ICmp {
                    (IntPredicate::from_spelling(pred), None)
                } else {
                    (None, FloatPredicate::from_spelling(pred))
                };
                if ip.is_none() && fp.is_none() {
                    return Err(self.err_at(pred_at, "expected comparison predicate"));
                }
                self.bump();
                self.expect(TokenKind::LParen, "'(' in compare constant expression")?;
                let (ty, lhs) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "',' in compare constant expression")?;
                let rhs_at = self.pos;
                let (rty, rhs) = self.parse_typed_const()?;
                if rty != ty {
                    return Err(self.err_at(rhs_at, "compare operands must have the same type"));
                }
                self.expect(TokenKind::RParen, "')' in compare constant expression")?;
                let res = self.cmp_result_type(ty);
                let e = match (ip, fp) {
                    (Some(pred), _) => ConstExpr::ICmp { pred, lhs, rhs },
                    (_, Some(pred)) => ConstExpr::FCmp { pred, lhs, rhs },
                    _ => unreachable!("checked above"),
                };
                (res, e)
            }
            OpClass::Select => {
                self.expect(TokenKind::LParen, "'(' in select constant expression")?;
                let (_, cond) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let (ty, on_true) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let f_at = self.pos;
                let (fty, on_false) = self.parse_typed_const()?;
                if fty != ty {
                    return Err(self.err_at(f_at, "select values must have the same type"));
                }
                self.expect(TokenKind::RParen, "')' in select constant expression")?;
                (
                    ty,
                    ConstExpr::Select {
                        cond,
                        on_true,
                        on_false,
                    },
                )
            }
            OpClass::GetElementPtr => {
                let inbounds = self.eat_word("inbounds");
                self.expect(
                    TokenKind::LParen,
                    "'(' in getelementptr constant expression",
                )?;
                let source = self.parse_type()?;
                self.expect(TokenKind::Comma, "',' after getelementptr's type")?;
                let base_at = self.pos;
                let (base_ty, base) = self.parse_typed_const()?;
                let mut indices = Vec::new();
                let mut idx_info = Vec::new();
                let mut inrange = None;
                while self.eat(TokenKind::Comma) {
                    if self.eat_word("inrange") {
                        if inrange.is_some() {
                            return Err(self.err("expected only one inrange argument"));
                        }
                        inrange = Some(indices.len() as u32);
                    }
                    let (ity, c) = self.parse_typed_const()?;
                    idx_info.push((ity, self.const_u64(c)));
                    indices.push(c);
                }
                self.expect(
                    TokenKind::RParen,
                    "')' in getelementptr constant expression",
                )?;
                let ty = self.gep_type(source, base_ty, &idx_info, base_at)?;
                (
                    ty,
                    ConstExpr::GetElementPtr {
                        source,
                        base,
                        indices,
                        inbounds,
                        inrange,
                    },
                )
            }
            OpClass::ExtractElement => {
                self.expect(TokenKind::LParen, "'('")?;
                let v_at = self.pos;
                let (vty, vector) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let (_, index) = self.parse_typed_const()?;
                self.expect(TokenKind::RParen, "')'")?;
                let Some((_, elem)) = self.m.types.vector_parts(vty) else {
                    return Err(self.err_at(v_at, "extractelement operand must be a vector"));
                };
                (elem, ConstExpr::ExtractElement { vector, index })
            }
            OpClass::InsertElement => {
                self.expect(TokenKind::LParen, "'('")?;
                let (vty, vector) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let (_, element) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let (_, index) = self.parse_typed_const()?;
                self.expect(TokenKind::RParen, "')'")?;
                (
                    vty,
                    ConstExpr::InsertElement {
                        vector,
                        element,
                        index,
                    },
                )
            }
            OpClass::ShuffleVector => {
                self.expect(TokenKind::LParen, "'('")?;
                let a_at = self.pos;
                let (aty, a) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let (_, b) = self.parse_typed_const()?;
                self.expect(TokenKind::Comma, "','")?;
                let m_at = self.pos;
                let (mty, mask) = self.parse_typed_const()?;
                self.expect(TokenKind::RParen, "')'")?;
                let ty = self.shuffle_type(aty, mty, a_at, m_at)?;
                (ty, ConstExpr::ShuffleVector { a, b, mask })
            }
            _ => return Err(self.err_at(at, format!("unsupported constant expression '{w}'"))),
        };
        Ok(self.m.constant(ty, ConstKind::Expr(expr)))
    }

    /// `i1`, or `<N x i1>` for a vector compare.
    pub(super) fn cmp_result_type(&mut self, operand: TypeId) -> TypeId {
        let i1 = self.m.types.i1();
        match self.m.types.vector_parts(operand) {
            Some((len, _)) => self.m.types.vector(i1, len),
            None => i1,
        }
    }

    /// The result type of a shufflevector: the operand's element type with
    /// the mask's lane count.
    pub(super) fn shuffle_type(
        &mut self,
        a: TypeId,
        mask: TypeId,
        a_at: usize,
        m_at: usize,
    ) -> PResult<TypeId> {
        let Some((_, elem)) = self.m.types.vector_parts(a) else {
            return Err(self.err_at(a_at, "shufflevector operands must be vectors"));
        };
        let Some((len, _)) = self.m.types.vector_parts(mask) else {
            return Err(self.err_at(m_at, "shufflevector mask must be a vector"));
        };
        Ok(self.m.types.vector(elem, len))
    }

    /// The result type of a getelementptr: a pointer (in the base's address
    /// space) to the type the indices reach. `indices` holds each index's
    /// type and, for constants, its value (struct indices need one).
    pub(super) fn gep_type(
        &mut self,
        source: TypeId,
        base_ty: TypeId,
        indices: &[(TypeId, Option<u64>)],
        base_at: usize,
    ) -> PResult<TypeId> {
        // Vector GEPs: a vector of pointers as base, or vector indices,
        // give a vector of pointers.
        let (ptr_ty, mut lanes) = match self.m.types.vector_parts(base_ty) {
            Some((n, elem)) => (elem, Some(n)),
            None => (base_ty, None),
        };
        let Some((pointee, addrspace)) = self.m.types.pointer_parts(ptr_ty) else {
            return Err(self.err_at(base_at, "base of getelementptr must be a pointer"));
        };
        if pointee != source {
            return Err(self.err_at(
                base_at,
                "explicit pointee type doesn't match operand's pointee type",
            ));
        }
        let mut cur = source;
        for (i, (ity, value)) in indices.iter().enumerate() {
            let (scalar, index_lanes) = match self.m.types.vector_parts(*ity) {
                Some((n, elem)) => (elem, Some(n)),
                None => (*ity, None),
            };
            if self.m.types.int_width(scalar).is_none() {
                return Err(self.err_at(base_at, "getelementptr index must be an integer"));
            }
            if let Some(n) = index_lanes {
                if lanes.is_some_and(|l| l != n) {
                    return Err(self.err_at(
                        base_at,
                        "getelementptr vector index has a wrong number of elements",
                    ));
                }
                lanes = Some(n);
            }
            if i == 0 {
                continue;
            }
            let next = match self.m.types.get(cur) {
                Type::Array { elem, .. } | Type::Vector { elem, .. } => Some(*elem),
                Type::Struct { .. } | Type::Named(_) if index_lanes.is_none() => {
                    value.and_then(|v| self.m.types.indexed_type(cur, v))
                }
                _ => None,
            };
            cur = next.ok_or_else(|| self.err_at(base_at, "invalid getelementptr indices"))?;
        }
        let ptr = self.ptr_type(cur, addrspace);
        Ok(match lanes {
            Some(n) => self.m.types.vector(ptr, n),
            None => ptr,
        })
    }
}

/// Decimal text to a `width`-bit integer (truncating, like LLVM).
/// A decimal literal of at most 18 digits (so it fits an `i64`), the
/// common case, parsed without the general `ApInt` path; `None` otherwise.
fn small_decimal(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (neg, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(d - b'0');
    }
    Some(if neg { -v } else { v })
}

fn decimal_int(width: u32, text: &str) -> Option<ApInt> {
    let digits = text.len() - usize::from(text.starts_with('-'));
    // Enough bits for the exact value plus a sign bit: log2(10) < 10/3.
    let needed = digits.saturating_mul(10) / 3 + 2;
    if width <= 128 || needed >= width as usize {
        return ApInt::parse_decimal(width, text);
    }
    // A short literal in a huge type: parse narrow, then sign-extend, so the
    // work does not scale with the type's width.
    let narrow = needed as u32;
    let v = ApInt::parse_decimal(narrow, text)?;
    Some(extend(&v, narrow, width, v.is_negative(narrow)))
}

/// Widens `v` from `from` to `to` bits, filling with ones if `negative`.
fn extend(v: &ApInt, from: u32, to: u32, negative: bool) -> ApInt {
    let count = (to as usize).div_ceil(64);
    let mut words = vec![if negative { u64::MAX } else { 0 }; count];
    let src = v.words();
    let full = (from / 64) as usize;
    words[..full].copy_from_slice(&src[..full]);
    let rem = from % 64;
    if rem != 0 {
        let mask = (1u64 << rem) - 1;
        let low = src.get(full).copied().unwrap_or(0) & mask;
        words[full] = if negative { low | !mask } else { low };
    }
    ApInt::from_words(to, &words)
}

/// `u0x`/`s0x` hex digits to a `width`-bit integer: the literal is
/// `4 × digits` bits wide, zero- or sign-extended (or truncated) to `width`.
fn hex_int(width: u32, digits: &str, signed: bool) -> ApInt {
    let bits = digits.len() as u64 * 4;
    let keep = (width as usize).div_ceil(4) + 1;
    let mut words = vec![0u64; (width as usize).div_ceil(64) + 1];
    for (i, c) in digits.bytes().rev().take(keep).enumerate() {
        let d = u64::from((c as char).to_digit(16).unwrap_or(0));
        let (w, s) = (i / 16, (i % 16) * 4);
        if let Some(word) = words.get_mut(w) {
            *word |= d << s;
        }
    }
    let top_set = digits
        .bytes()
        .next()
        .and_then(|c| (c as char).to_digit(16))
        .is_some_and(|d| d & 8 != 0);
    let v = ApInt::from_words(width, &words);
    if signed && top_set && bits < u64::from(width) {
        extend(&v, bits as u32, width, true)
    } else {
        v
    }
}

/// Parses up to 64 bits of hex digits.
fn parse_hex_u64(digits: &str) -> Option<u64> {
    let mut v: u64 = 0;
    for c in digits.bytes() {
        let d = u64::from((c as char).to_digit(16)?);
        v = v.checked_mul(16)?.checked_add(d)?;
    }
    Some(v)
}

/// Converts the IEEE double `bits` to a binary format with `exp_bits`
/// exponent and `man_bits` fraction bits, if that is exact (as LLVM requires
/// of `float`/`half`/`bfloat` literals). NaN payloads keep their top bits.
pub(super) fn narrow_exact(bits: u64, exp_bits: u32, man_bits: u32) -> Option<u64> {
    let sign = (bits >> 63) << (exp_bits + man_bits);
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let man = bits & ((1u64 << 52) - 1);
    let exp_all_ones = ((1u64 << exp_bits) - 1) << man_bits;
    if exp == 0x7ff {
        let shift = 52 - man_bits;
        if man & ((1u64 << shift) - 1) != 0 {
            return None;
        }
        return Some(sign | exp_all_ones | (man >> shift));
    }
    if exp == 0 && man == 0 {
        return Some(sign);
    }
    // value = m × 2^e with m odd.
    let (mut m, mut e) = if exp == 0 {
        (man, -1074)
    } else {
        (man | 1 << 52, exp - 1075)
    };
    let tz = m.trailing_zeros();
    m >>= tz;
    e += tz as i32;
    let len = 64 - m.leading_zeros() as i32;
    let top = e + len - 1;
    let bias = (1i32 << (exp_bits - 1)) - 1;
    let emin = 1 - bias;
    let lsb_min = emin - man_bits as i32;
    if top > bias || len > man_bits as i32 + 1 || e < lsb_min {
        return None;
    }
    if top >= emin {
        let biased = (top + bias) as u64;
        let frac = (m << (man_bits as i32 + 1 - len)) & ((1u64 << man_bits) - 1);
        Some(sign | biased << man_bits | frac)
    } else {
        Some(sign | m << (e - lsb_min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_is_exact_or_refused() {
        let f = |x: f64| narrow_exact(x.to_bits(), 8, 23);
        assert_eq!(f(1.0), Some(u64::from(1.0f32.to_bits())));
        assert_eq!(f(-2.5), Some(u64::from((-2.5f32).to_bits())));
        assert_eq!(f(0.1), None);
        assert_eq!(
            f(f64::from(f32::MIN_POSITIVE) / 8.0),
            Some(u64::from((f32::MIN_POSITIVE / 8.0).to_bits()))
        );
        assert_eq!(f(f64::INFINITY), Some(u64::from(f32::INFINITY.to_bits())));
        assert_eq!(f(1e39), None);
        let h = |x: f64| narrow_exact(x.to_bits(), 5, 10);
        assert_eq!(h(1.0), Some(0x3C00));
        assert_eq!(h(65504.0), Some(0x7BFF));
        assert_eq!(h(65536.0), None);
        assert_eq!(h(2f64.powi(-24)), Some(1));
        assert_eq!(h(-0.0), Some(0x8000));
        assert_eq!(narrow_exact(0x7FF8_0000_0000_0000, 5, 10), Some(0x7E00));
        let b = |x: f64| narrow_exact(x.to_bits(), 8, 7);
        assert_eq!(b(1.0), Some(0x3F80));
    }

    #[test]
    fn integers() {
        assert_eq!(
            decimal_int(1000, "-1").unwrap().words(),
            ApInt::parse_decimal(1000, "-1").unwrap().words()
        );
        assert_eq!(
            decimal_int(1000, "12345").unwrap(),
            ApInt::parse_decimal(1000, "12345").unwrap()
        );
        assert_eq!(hex_int(32, "FF", true), ApInt::from_i128(32, -1));
        assert_eq!(hex_int(32, "FF", false), ApInt::from_u64(32, 255));
        assert_eq!(hex_int(8, "1FF", false), ApInt::from_u64(8, 255));
    }
}
