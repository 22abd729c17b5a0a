//! Constants: each is checked once, where first reached, children first,
//! with a depth limit so hostile nesting cannot overflow the stack (and
//! the height of each measured, `depth.rs`, for the nesting limit).

use crate::constant::{ConstExpr, ConstId, ConstKind};
use crate::types::{Type, TypeId};

use super::types::valid_element;
use super::VerifyErrorKind as K;
use super::{Seen, Site, Verifier, Violation, MAX_CONST_DEPTH};
use crate::limits::MAX_INT_VALUE_BITS;

impl<'m> Verifier<'m> {
    // ----- constants -----

    /// Short LLVM-ish text of a constant, for messages.
    pub(super) fn const_hint(&self, c: ConstId) -> String {
        let Some(k) = self.m.consts.try_get(c) else {
            return format!("<bad constant #{}>", c.0);
        };
        let ty = self.tt(k.ty);
        let body = match &k.kind {
            ConstKind::Int(v) => match self.ty(k.ty) {
                Some(Type::Int(w)) => v.to_signed_string(*w),
                _ => format!("{:?}", v.words()),
            },
            ConstKind::Float(bits) => format!("0x{bits:X}"),
            ConstKind::Null => "null".into(),
            ConstKind::Undef => "undef".into(),
            ConstKind::Poison => "poison".into(),
            ConstKind::Zero => "zeroinitializer".into(),
            ConstKind::Array(_) => "[...]".into(),
            ConstKind::Vector(_) => "<...>".into(),
            ConstKind::Struct(_) => "{...}".into(),
            ConstKind::String(_) => "c\"...\"".into(),
            ConstKind::Global(g) => match self.m.globals.get(g.0 as usize) {
                Some(g) => format!("@{}", g.name),
                None => format!("@<bad global #{}>", g.0),
            },
            ConstKind::Function(f) => match self.m.functions.get(f.0 as usize) {
                Some(f) => format!("@{}", f.name),
                None => format!("@<bad function #{}>", f.0),
            },
            ConstKind::Expr(e) => format!("{} (...)", const_expr_opcode(e)),
        };
        format!("{ty} {body}")
    }

    /// Checks constant `c` (once; errors are reported at the first site that
    /// reaches it) and returns its type if the constant and its type exist.
    pub(super) fn check_const(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Option<TypeId> {
        let before = self.errors.len();
        let ty = self.check_const_once(site, c, depth);
        if self.errors.len() != before {
            self.const_error = true;
        }
        ty
    }

    fn check_const_once(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Option<TypeId> {
        let Some(k) = self.m.consts.try_get(c) else {
            self.report(
                site,
                K::UndefinedValue,
                format!("constant #{} does not exist", c.0),
            );
            return None;
        };
        let ty_ok = self.valid_ty(k.ty);
        match self.consts[c.0 as usize] {
            Seen::Done => return ty_ok.then_some(k.ty),
            Seen::InProgress => {
                self.report(
                    site,
                    K::RecursiveConstant,
                    format!("constant #{} contains itself", c.0),
                );
                return None;
            }
            Seen::No => {}
        }
        // The walk itself stops at the level past the limit, so that no
        // constant makes it recurse deeper (`measure_const` finds the same
        // crossing when the walk reaches the parts first).
        if depth >= MAX_CONST_DEPTH {
            self.report(
                site,
                K::NestingTooDeep,
                format!("constants nest too deeply (more than {MAX_CONST_DEPTH} levels)"),
            );
            return None;
        }
        if !ty_ok {
            self.consts[c.0 as usize] = Seen::Done;
            self.report(
                site,
                K::UndefinedType,
                format!(
                    "constant #{} has type #{} which does not exist",
                    c.0, k.ty.0
                ),
            );
            return None;
        }
        self.consts[c.0 as usize] = Seen::InProgress;
        if let Err((kind, msg)) = self.const_rules(site, c, depth) {
            let hint = self.const_hint(c);
            self.report(site, kind, format!("constant {hint}: {msg}"));
        }
        self.measure_const(site, c);
        self.consts[c.0 as usize] = Seen::Done;
        self.done_ty[c.0 as usize] = k.ty;
        Some(k.ty)
    }

    fn const_rules(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Result<(), Violation> {
        let m = self.m;
        let t = self.t;
        let k = m.consts.get(c);
        let ty = k.ty;
        let shape = t.get(ty);
        // Checks children first; a child that is broken was already reported.
        let child = |this: &mut Self, id: ConstId| this.check_const(site, id, depth + 1);
        match &k.kind {
            ConstKind::Int(v) => {
                let Type::Int(w) = shape else {
                    return Err((
                        K::BadConstant,
                        "an integer constant needs an integer type".into(),
                    ));
                };
                let words = (*w as usize).div_ceil(64);
                let rem = w % 64;
                let fits = v.words().len() == words
                    && (rem == 0 || v.words().last().is_some_and(|top| top >> rem == 0));
                if !fits {
                    return Err((K::BadConstant, format!("value does not fit in i{w}")));
                }
                if *w > MAX_INT_VALUE_BITS {
                    let bits = v.magnitude_bits(*w);
                    if bits > MAX_INT_VALUE_BITS {
                        return Err((
                            K::BadConstant,
                            format!(
                                "value needs {bits} bits, more than the {MAX_INT_VALUE_BITS} an integer literal can spell"
                            ),
                        ));
                    }
                }
            }
            ConstKind::Float(bits) => {
                let Some(w) = t.float_width(ty) else {
                    return Err((
                        K::BadConstant,
                        "a float constant needs a floating-point type".into(),
                    ));
                };
                if w < 64 && bits >> w != 0 {
                    return Err((
                        K::BadConstant,
                        format!("bits 0x{bits:X} do not fit in a {w}-bit float"),
                    ));
                }
            }
            ConstKind::Null => {
                if !matches!(shape, Type::Pointer { .. }) {
                    return Err((K::BadConstant, "null needs a pointer type".into()));
                }
            }
            ConstKind::Undef | ConstKind::Poison => {
                if matches!(
                    shape,
                    Type::Void | Type::Label | Type::Metadata | Type::Function { .. }
                ) {
                    return Err((
                        K::BadConstant,
                        "undef/poison needs a first-class type".into(),
                    ));
                }
            }
            ConstKind::Zero => {
                // llvm-as-14 even accepts a zeroinitializer of an opaque struct.
                if !valid_element(shape) {
                    return Err((
                        K::BadConstant,
                        "zeroinitializer needs a first-class type".into(),
                    ));
                }
            }
            ConstKind::Array(elems) | ConstKind::Vector(elems) => {
                let (len, elem) = match (&k.kind, shape) {
                    (ConstKind::Array(_), Type::Array { len, elem }) => (*len, *elem),
                    (ConstKind::Vector(_), Type::Vector { len, elem }) => (u64::from(*len), *elem),
                    (ConstKind::Array(_), _) => {
                        return Err((
                            K::BadConstant,
                            "an array constant needs an array type".into(),
                        ))
                    }
                    _ => {
                        return Err((
                            K::BadConstant,
                            "a vector constant needs a vector type".into(),
                        ))
                    }
                };
                if elems.len() as u64 != len {
                    return Err((
                        K::BadConstant,
                        format!("has {} elements but the type has {len}", elems.len()),
                    ));
                }
                for (i, e) in elems.iter().enumerate() {
                    if let Some(et) = child(self, *e) {
                        if et != elem {
                            return Err((
                                K::TypeMismatch,
                                format!(
                                    "element {i} has type {} but the element type is {}",
                                    self.tt(et),
                                    self.tt(elem)
                                ),
                            ));
                        }
                    }
                }
            }
            ConstKind::Struct(elems) => {
                let Some(fields) = t.struct_fields(ty) else {
                    return Err((
                        K::BadConstant,
                        "a struct constant needs a struct type with a body".into(),
                    ));
                };
                if elems.len() != fields.len() {
                    return Err((
                        K::BadConstant,
                        format!(
                            "has {} fields but the type has {}",
                            elems.len(),
                            fields.len()
                        ),
                    ));
                }
                for (i, (e, f)) in elems.iter().zip(fields).enumerate() {
                    if let Some(et) = child(self, *e) {
                        if et != *f {
                            return Err((
                                K::TypeMismatch,
                                format!(
                                    "field {i} has type {} but the struct expects {}",
                                    self.tt(et),
                                    self.tt(*f)
                                ),
                            ));
                        }
                    }
                }
            }
            ConstKind::String(bytes) => match shape {
                Type::Array { len, elem } if self.is_int(*elem, 8) => {
                    if *len != bytes.len() as u64 {
                        return Err((
                            K::BadConstant,
                            format!("string has {} bytes but the type has {len}", bytes.len()),
                        ));
                    }
                }
                _ => {
                    return Err((
                        K::BadConstant,
                        "a string constant needs an [N x i8] type".into(),
                    ))
                }
            },
            ConstKind::Global(gid) => {
                let Some(g) = m.globals.get(gid.0 as usize) else {
                    return Err((
                        K::UndefinedValue,
                        format!("refers to global #{} which does not exist", gid.0),
                    ));
                };
                if t.pointer_parts(ty) != Some((g.value_ty, g.addrspace)) {
                    return Err((
                        K::TypeMismatch,
                        format!(
                            "the address of @{} must have a pointer type to its value type",
                            g.name
                        ),
                    ));
                }
            }
            ConstKind::Function(fid) => {
                let Some(f) = m.functions.get(fid.0 as usize) else {
                    return Err((
                        K::UndefinedValue,
                        format!("refers to function #{} which does not exist", fid.0),
                    ));
                };
                if t.pointer_parts(ty) != Some((f.ty, 0)) {
                    return Err((
                        K::TypeMismatch,
                        format!(
                            "the address of @{} must have type {}*",
                            f.name,
                            self.tt(f.ty)
                        ),
                    ));
                }
            }
            ConstKind::Expr(e) => return self.const_expr_rules(site, ty, e, depth),
        }
        Ok(())
    }

    fn const_expr_rules(
        &mut self,
        site: Site<'_>,
        ty: TypeId,
        e: &ConstExpr,
        depth: u32,
    ) -> Result<(), Violation> {
        let child = |this: &mut Self, id: ConstId| this.check_const(site, id, depth + 1);
        match e {
            ConstExpr::Cast { op, value } => {
                if let Some(src) = child(self, *value) {
                    self.rule_cast(*op, src, ty)?;
                }
            }
            ConstExpr::GetElementPtr {
                source,
                base,
                indices,
                inrange,
                ..
            } => {
                let base_ty = child(self, *base);
                let mut idx = Vec::with_capacity(indices.len());
                for i in indices {
                    match child(self, *i) {
                        Some(it) => idx.push((it, self.const_int_value(*i))),
                        None => return Ok(()),
                    }
                }
                if !self.valid_ty(*source) {
                    return Err((
                        K::UndefinedType,
                        format!("source type #{} does not exist", source.0),
                    ));
                }
                if let Some(r) = inrange {
                    if *r as usize >= indices.len() {
                        return Err((
                            K::BadIndex,
                            format!("inrange index {r} is past the last index"),
                        ));
                    }
                }
                if let Some(b) = base_ty {
                    self.rule_gep(*source, b, &idx, ty)?;
                }
            }
            ConstExpr::Binary {
                op,
                lhs,
                rhs,
                flags,
            } => {
                let (l, r) = (child(self, *lhs), child(self, *rhs));
                if !flags.fast_math().is_empty() {
                    return Err((
                        K::BadFlags,
                        "fast-math flags are not allowed on constant expressions".into(),
                    ));
                }
                self.rule_flags(*op, *flags, false)?;
                if let (Some(l), Some(r)) = (l, r) {
                    self.rule_binary(*op, l, r, ty)?;
                }
            }
            ConstExpr::FNeg(v) => {
                if let Some(vt) = child(self, *v) {
                    self.rule_fneg(vt, ty)?;
                }
            }
            ConstExpr::ICmp { lhs, rhs, .. } => {
                if let (Some(l), Some(r)) = (child(self, *lhs), child(self, *rhs)) {
                    self.rule_cmp(true, l, r, ty)?;
                }
            }
            ConstExpr::FCmp { lhs, rhs, .. } => {
                if let (Some(l), Some(r)) = (child(self, *lhs), child(self, *rhs)) {
                    self.rule_cmp(false, l, r, ty)?;
                }
            }
            ConstExpr::Select {
                cond,
                on_true,
                on_false,
            } => {
                let (c, a, b) = (
                    child(self, *cond),
                    child(self, *on_true),
                    child(self, *on_false),
                );
                if let (Some(c), Some(a), Some(b)) = (c, a, b) {
                    self.rule_select(c, a, b, ty)?;
                }
            }
            ConstExpr::ExtractElement { vector, index } => {
                if let (Some(v), Some(i)) = (child(self, *vector), child(self, *index)) {
                    self.rule_extract_element(v, i, ty)?;
                }
            }
            ConstExpr::InsertElement {
                vector,
                element,
                index,
            } => {
                let (v, e, i) = (
                    child(self, *vector),
                    child(self, *element),
                    child(self, *index),
                );
                if let (Some(v), Some(e), Some(i)) = (v, e, i) {
                    self.rule_insert_element(v, e, i, ty)?;
                }
            }
            ConstExpr::ShuffleVector { a, b, mask } => {
                let (at, bt, mt) = (child(self, *a), child(self, *b), child(self, *mask));
                if let (Some(at), Some(bt), Some(_)) = (at, bt, mt) {
                    self.rule_shuffle(at, bt, Some(*mask), ty)?;
                }
            }
        }
        Ok(())
    }

    /// The value of an integer constant, sign-extended, if it is one.
    pub(super) fn const_int_value(&self, c: ConstId) -> Option<i128> {
        let k = self.m.consts.try_get(c)?;
        match (&k.kind, self.ty(k.ty)?) {
            (ConstKind::Int(v), Type::Int(w)) => v.as_i128(*w),
            (ConstKind::Zero, Type::Int(_)) => Some(0),
            _ => None,
        }
    }
}

fn const_expr_opcode(e: &ConstExpr) -> &'static str {
    match e {
        ConstExpr::Cast { op, .. } | ConstExpr::Binary { op, .. } => op.mnemonic(),
        ConstExpr::GetElementPtr { .. } => "getelementptr",
        ConstExpr::FNeg(_) => "fneg",
        ConstExpr::ICmp { .. } => "icmp",
        ConstExpr::FCmp { .. } => "fcmp",
        ConstExpr::Select { .. } => "select",
        ConstExpr::ExtractElement { .. } => "extractelement",
        ConstExpr::InsertElement { .. } => "insertelement",
        ConstExpr::ShuffleVector { .. } => "shufflevector",
    }
}
