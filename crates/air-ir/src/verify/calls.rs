//! Calls: the callee and the function type, argument counts and types,
//! and `metadata` arguments.

use crate::inst::Value;
use crate::metadata::{MetaId, Metadata};
use crate::types::{Type, TypeId};

use super::VerifyErrorKind as K;
use super::{Body, Site, Verifier, Violation};

impl<'m> Verifier<'m> {
    pub(super) fn check_call(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        call: &'m crate::inst::Call,
        res: TypeId,
    ) -> Result<(), Violation> {
        let callee_ty = self.operand(body, site, at, call.callee, None);
        self.check_attr_types(site, &call.fn_attrs, "call-site function");
        self.check_attr_types(site, &call.ret_attrs, "call-site return");
        for a in &call.arg_attrs {
            self.check_attr_types(site, a, "call-site parameter");
        }
        if !self.valid_ty(call.fn_ty) {
            return Err((
                K::UndefinedType,
                format!("function type #{} does not exist", call.fn_ty.0),
            ));
        }
        let Some((ret, params, varargs)) = self.t.function_parts(call.fn_ty) else {
            return Err((
                K::TypeNotAllowed,
                format!("call type {} is not a function type", self.tt(call.fn_ty)),
            ));
        };
        // Check every argument first, so broken operands are reported even
        // when the counts disagree.
        // Reused between calls: no allocation per instruction.
        let mut arg_tys = std::mem::take(&mut self.call_scratch);
        arg_tys.clear();
        for (k, a) in call.args.iter().enumerate() {
            let ty = match a {
                Value::Metadata(md) => {
                    self.metadata_arg(body, site, k, *md, params.get(k).copied())
                }
                _ => self.operand(body, site, at, *a, None),
            };
            arg_tys.push(ty);
        }
        let r = self.call_rules(body, call, callee_ty, &arg_tys, (ret, params, varargs), res);
        self.call_scratch = arg_tys;
        r
    }

    /// The type rules of a call, once its operands are checked.
    fn call_rules(
        &self,
        body: &Body<'m>,
        call: &'m crate::inst::Call,
        callee_ty: Option<TypeId>,
        arg_tys: &[Option<TypeId>],
        (ret, params, varargs): (TypeId, &[TypeId], bool),
        res: TypeId,
    ) -> Result<(), Violation> {
        if let Some(ct) = callee_ty {
            if self.t.pointer_parts(ct).map(|(p, _)| p) != Some(call.fn_ty) {
                return Err((
                    K::TypeMismatch,
                    format!(
                        "callee {} has type {} but the call's function type is {}",
                        self.value_hint(body.f, call.callee),
                        self.tt(ct),
                        self.tt(call.fn_ty)
                    ),
                ));
            }
        }
        let count_ok = if varargs {
            call.args.len() >= params.len()
        } else {
            call.args.len() == params.len()
        };
        if !count_ok {
            return Err((
                K::ArgumentCount,
                format!(
                    "call passes {} arguments but the callee takes {}{}",
                    call.args.len(),
                    params.len(),
                    if varargs { " or more" } else { "" }
                ),
            ));
        }
        for (k, (ty, param)) in arg_tys.iter().zip(params).enumerate() {
            if let Some(ty) = ty {
                if ty != param {
                    return Err((
                        K::TypeMismatch,
                        format!(
                            "call argument {k} has type {} but the callee expects {}",
                            self.tt(*ty),
                            self.tt(*param)
                        ),
                    ));
                }
            }
        }
        if call.arg_attrs.len() != call.args.len() {
            return Err((
                K::ArgumentCount,
                format!(
                    "call has {} argument attribute sets for {} arguments",
                    call.arg_attrs.len(),
                    call.args.len()
                ),
            ));
        }
        if res != ret {
            return Err((
                K::TypeMismatch,
                format!(
                    "call result type {} differs from the callee's return type {}",
                    self.tt(res),
                    self.tt(ret)
                ),
            ));
        }
        Ok(())
    }

    /// A `metadata` call argument: the id must exist and the parameter must
    /// be `metadata`; function-local values inside must exist here. Returns
    /// the parameter type when fine, so the generic type check passes.
    fn metadata_arg(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        k: usize,
        md: MetaId,
        param: Option<TypeId>,
    ) -> Option<TypeId> {
        let Some(item) = self.m.metadata.get(md.0 as usize) else {
            self.report(
                site,
                K::UndefinedMetadata,
                format!(
                    "call argument {k} refers to metadata #{} which does not exist",
                    md.0
                ),
            );
            return None;
        };
        let Some(p) = param.filter(|p| matches!(self.ty(*p), Some(Type::Metadata))) else {
            self.report(
                site,
                K::TypeMismatch,
                format!("call argument {k} is metadata but the parameter is not `metadata`"),
            );
            return None;
        };
        if let Metadata::Value { ty, value } = item {
            let local = match value {
                Value::Arg(i) => Some(body.params.get(*i as usize).copied()),
                Value::Inst(i) => Some(body.f.insts.get(i.0 as usize).map(|x| x.ty)),
                _ => None,
            };
            match local {
                Some(None) => self.report(
                    site, K::UndefinedValue,
                    format!("call argument {k} wraps a local value that does not exist in this function"),
                ),
                Some(Some(t)) if t != *ty => {
                    let msg = format!(
                        "call argument {k} wraps a value of type {} labelled {}",
                        self.tt(t),
                        self.tt(*ty)
                    );
                    self.report(site, K::TypeMismatch, msg);
                }
                _ => {}
            }
        }
        Some(p)
    }
}
