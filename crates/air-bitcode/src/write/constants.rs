//! The CONSTANTS blocks, module-level and function-local.

use air_ir::types::Type;
use air_ir::TypeId;
use llvm_bitcode_schema::{BlockId, ConstantsCode};
use llvm_bitstream::{AbbrevOp, UNABBREV_RECORD};

use super::blockinfo::{CONSTANTS_CE_CAST, CONSTANTS_INTEGER, CONSTANTS_SETTYPE};
use super::consts::{CExpr, CId, CKind};
use super::enumerate::{const_val, log2_ceil, Val};
use super::{abbrev, is_char6, lit, signed_vbr, Writer};
use crate::{EncodeError, Result};

impl Writer<'_, '_> {
    pub(super) fn module_constants(&mut self) -> Result<()> {
        let first = self
            .e
            .values
            .iter()
            .position(|(v, _)| !matches!(v, Val::Global(_) | Val::Func(_)));
        if let Some(first) = first {
            self.write_constants(first, self.e.values.len(), true)?;
        }
        Ok(())
    }

    pub(super) fn write_constants(
        &mut self,
        first: usize,
        last: usize,
        global: bool,
    ) -> Result<()> {
        use AbbrevOp::*;
        if first == last {
            return Ok(());
        }
        self.s.enter_block(BlockId::Constants.id(), 4);
        let (mut aggregate, mut string8, mut cstring7, mut cstring6) = (0, 0, 0, 0);
        if global {
            aggregate = self.s.define_abbrev(abbrev(vec![
                lit(ConstantsCode::Aggregate),
                Array,
                Fixed(log2_ceil(last as u64 + 1)),
            ]));
            string8 =
                self.s
                    .define_abbrev(abbrev(vec![lit(ConstantsCode::String), Array, Fixed(8)]));
            cstring7 =
                self.s
                    .define_abbrev(abbrev(vec![lit(ConstantsCode::CString), Array, Fixed(7)]));
            cstring6 =
                self.s
                    .define_abbrev(abbrev(vec![lit(ConstantsCode::CString), Array, Char6]));
        }
        let mut last_ty: Option<TypeId> = None;
        // One record buffer for the block (a Vec per constant showed up on
        // modules with many constants); put back when done.
        let mut ops = std::mem::take(&mut self.rec);
        for i in first..last {
            ops.clear();
            let Val::Const(c) = self.e.values[i].0 else {
                return Err(EncodeError::invalid(
                    "constants block",
                    "internal: a non-constant in the constant range",
                ));
            };
            let p = self.p;
            let cc = p.canon.get(c);
            if last_ty != Some(cc.ty) {
                last_ty = Some(cc.ty);
                let t = self.type_id(cc.ty)?;
                let settype = ConstantsCode::SetType.code();
                self.s
                    .emit_record_with_abbrev(CONSTANTS_SETTYPE, settype, &[t]);
            }
            let mut ab = UNABBREV_RECORD;
            let code = if self.p.canon.is_null(c) {
                ConstantsCode::Null
            } else {
                match &cc.kind {
                    CKind::Poison => ConstantsCode::Poison,
                    CKind::Undef => ConstantsCode::Undef,
                    CKind::Int(v) => {
                        let width = self.p.canon.types.int_width(cc.ty).unwrap_or(64).max(1);
                        if width <= 64 {
                            let raw = v.low_u64();
                            let sext = if width < 64 && (raw >> (width - 1)) & 1 == 1 {
                                raw | (u64::MAX << width)
                            } else {
                                raw
                            };
                            ops.push(signed_vbr(sext));
                            ab = CONSTANTS_INTEGER;
                            ConstantsCode::Integer
                        } else {
                            let words = v.words();
                            let active = words.iter().rposition(|w| *w != 0).map_or(1, |i| i + 1);
                            for w in &words[..active] {
                                ops.push(signed_vbr(*w));
                            }
                            ConstantsCode::WideInteger
                        }
                    }
                    CKind::Float(bits) => {
                        ops.push(*bits);
                        ConstantsCode::Float
                    }
                    CKind::Data(elems) => {
                        let elem_ty = match self.p.canon.ty(cc.ty, "constant")? {
                            Type::Array { elem, .. } | Type::Vector { elem, .. } => *elem,
                            _ => cc.ty,
                        };
                        let is_string = self.p.canon.types.int_width(elem_ty) == Some(8)
                            && matches!(self.p.canon.ty(cc.ty, "constant")?, Type::Array { .. });
                        if is_string {
                            let is_cstring =
                                elems.last() == Some(&0) && !elems[..elems.len() - 1].contains(&0);
                            if is_cstring {
                                let body = &elems[..elems.len() - 1];
                                ops.extend_from_slice(body);
                                if body.iter().all(|c| is_char6(*c)) {
                                    ab = cstring6;
                                } else if body.iter().all(|c| *c < 128) {
                                    ab = cstring7;
                                }
                                if ab == 0 {
                                    ab = UNABBREV_RECORD;
                                }
                                ConstantsCode::CString
                            } else {
                                ops.extend_from_slice(elems);
                                ab = if string8 == 0 {
                                    UNABBREV_RECORD
                                } else {
                                    string8
                                };
                                ConstantsCode::String
                            }
                        } else {
                            ops.extend_from_slice(elems);
                            ConstantsCode::Data
                        }
                    }
                    CKind::Aggregate(elems) => {
                        for el in elems {
                            ops.push(self.value_id(const_val(self.p, *el))?);
                        }
                        if aggregate != 0 {
                            ab = aggregate;
                        }
                        ConstantsCode::Aggregate
                    }
                    CKind::Expr(expr) => self.const_expr(c, expr, &mut ops, &mut ab)?,
                    CKind::Global(_) | CKind::Function(_) | CKind::Null | CKind::AggZero => {
                        return Err(EncodeError::invalid(
                            "constants block",
                            "internal: unexpected constant kind",
                        ))
                    }
                }
            };
            self.s.emit_record_with_abbrev(ab, code.code(), &ops);
        }
        self.rec = ops;
        self.s.exit_block();
        Ok(())
    }

    pub(super) fn cval_id(&self, c: CId) -> Result<u64> {
        self.value_id(const_val(self.p, c))
    }

    pub(super) fn ctype_id(&self, c: CId) -> Result<u64> {
        let ty = match const_val(self.p, c) {
            Val::Global(g) => self.p.global_ptr_types[g as usize],
            Val::Func(f) => self.p.function_ptr_types[f as usize],
            _ => self.p.canon.get(c).ty,
        };
        self.type_id(ty)
    }

    pub(super) fn const_expr(
        &self,
        c: CId,
        expr: &CExpr,
        ops: &mut Vec<u64>,
        ab: &mut u32,
    ) -> Result<ConstantsCode> {
        Ok(match expr {
            CExpr::Cast { op, value } => {
                ops.extend([
                    u64::from(*op),
                    self.ctype_id(*value)?,
                    self.cval_id(*value)?,
                ]);
                *ab = CONSTANTS_CE_CAST;
                ConstantsCode::CeCast
            }
            CExpr::Binary {
                op,
                lhs,
                rhs,
                flags,
            } => {
                ops.extend([u64::from(*op), self.cval_id(*lhs)?, self.cval_id(*rhs)?]);
                if *flags != 0 {
                    ops.push(*flags);
                }
                ConstantsCode::CeBinop
            }
            CExpr::FNeg(v) => {
                ops.extend([0, self.cval_id(*v)?]);
                ConstantsCode::CeUnop
            }
            CExpr::Gep {
                source,
                operands,
                inbounds,
                inrange,
            } => {
                ops.push(self.type_id(*source)?);
                let code = match inrange {
                    Some(i) => {
                        ops.push(u64::from(*i) << 1 | u64::from(*inbounds));
                        ConstantsCode::CeGepWithInrangeIndex
                    }
                    None if *inbounds => ConstantsCode::CeInboundsGep,
                    None => ConstantsCode::CeGep,
                };
                for o in operands {
                    ops.push(self.ctype_id(*o)?);
                    ops.push(self.cval_id(*o)?);
                }
                code
            }
            CExpr::Select(a, b, cnd) => {
                ops.extend([self.cval_id(*a)?, self.cval_id(*b)?, self.cval_id(*cnd)?]);
                ConstantsCode::CeSelect
            }
            CExpr::ExtractElement(v, i) => {
                ops.extend([
                    self.ctype_id(*v)?,
                    self.cval_id(*v)?,
                    self.ctype_id(*i)?,
                    self.cval_id(*i)?,
                ]);
                ConstantsCode::CeExtractElt
            }
            CExpr::InsertElement(v, el, i) => {
                ops.extend([
                    self.cval_id(*v)?,
                    self.cval_id(*el)?,
                    self.ctype_id(*i)?,
                    self.cval_id(*i)?,
                ]);
                ConstantsCode::CeInsertElt
            }
            CExpr::Shuffle { a, b, mask } => {
                let same = self.p.canon.get(c).ty == self.p.canon.get(*a).ty;
                if !same {
                    ops.push(self.ctype_id(*a)?);
                }
                ops.extend([self.cval_id(*a)?, self.cval_id(*b)?, self.cval_id(*mask)?]);
                if same {
                    ConstantsCode::CeShuffleVec
                } else {
                    ConstantsCode::CeShufVecEx
                }
            }
            CExpr::Cmp { pred, lhs, rhs } => {
                ops.extend([
                    self.ctype_id(*lhs)?,
                    self.cval_id(*lhs)?,
                    self.cval_id(*rhs)?,
                    u64::from(*pred),
                ]);
                ConstantsCode::CeCmp
            }
        })
    }
}
