//! Functions: the header (linkage, attributes, type, intrinsic signature)
//! and the body's shape: instruction placement, block structure, the CFG
//! and its dominator tree, before each instruction is checked.

use crate::inst::Opcode;
use crate::intrinsics::{self};
use crate::module::{Function, Linkage};
use crate::types::{Type, TypeId};

use super::dominators::DomTree;
use super::VerifyErrorKind as K;
use super::{block_text, Body, Site, Verifier, NO_TYPE};

impl<'m> Verifier<'m> {
    // ----- functions -----

    pub(super) fn check_function(&mut self, f: &'m Function) {
        let site = Site::Function(f);
        self.check_align(site, f.align);
        if f.section.as_deref() == Some("") {
            self.report(site, K::EmptyName, "section name is empty");
        }
        let declaration = f.blocks.is_empty();
        self.check_linkage(site, f.linkage, f.visibility, declaration);
        if matches!(f.linkage, Linkage::Common | Linkage::Appending) {
            self.report(
                site,
                K::BadLinkage,
                format!(
                    "{} linkage is not allowed on a function",
                    f.linkage.spelling()
                ),
            );
        }
        self.check_attachments(site, &f.attachments);
        self.check_attr_types(site, &f.fn_attrs, "function");
        self.check_attr_types(site, &f.ret_attrs, "return");
        for p in &f.params {
            self.check_attr_types(site, &p.attrs, "parameter");
        }
        if !self.need_ty(site, f.ty, "the function type") {
            return;
        }
        let Some((ret, params, _)) = self.t.function_parts(f.ty) else {
            let msg = format!("type {} is not a function type", self.tt(f.ty));
            self.report(site, K::TypeNotAllowed, msg);
            return;
        };
        if f.params.len() != params.len() {
            let msg = format!(
                "has {} parameters but its type {} has {}",
                f.params.len(),
                self.tt(f.ty),
                params.len()
            );
            self.report(site, K::ArgumentCount, msg);
        }
        if !f.name.starts_with("llvm.") {
            if let Some(k) = params
                .iter()
                .position(|p| matches!(self.t.get(*p), Type::Metadata))
            {
                let msg =
                    format!("parameter {k} is metadata, which only llvm.* intrinsics may take");
                self.report(site, K::TypeNotAllowed, msg);
            }
        }
        self.check_intrinsic(f);
        if declaration {
            if self.debug_info {
                self.check_function_debug(f);
            }
            if !f.insts.is_empty() {
                self.report(
                    site,
                    K::BadPlacement,
                    "a declaration (no blocks) has instructions",
                );
            }
            return;
        }
        if self.bodies {
            self.check_body(f, ret, params);
        }
        if self.debug_info && self.bodies {
            self.check_function_debug(f);
        }
    }

    /// A declaration whose name the intrinsic table knows must have the
    /// table's type (one of them, when AIR versions differ).
    fn check_intrinsic(&mut self, f: &'m Function) {
        // lookup_for's forms, without its two Vecs per function.
        let forms = intrinsics::lookup_for_iter(&f.name, self.air_version);
        if forms.clone().next().is_none() {
            return;
        }
        let site = Site::Function(f);
        if !f.blocks.is_empty() {
            self.report(
                site,
                K::IntrinsicHasBody,
                format!("intrinsic @{} cannot have a body", f.name),
            );
        }
        if forms.clone().any(|i| i.matches(self.t, f.ty)) {
            return;
        }
        let forms: Vec<_> = forms.collect();
        let expected: Vec<String> = forms.iter().map(|i| i.signature_text()).collect();
        let mut msg = format!(
            "intrinsic @{} must have type {}, but is declared as {}",
            f.name,
            expected.join(" or "),
            self.tt(f.ty)
        );
        if forms.iter().any(|i| i.has_free_vars()) {
            msg.push_str(
                " (%event_t may be any named struct, and its pointers may be in addrspace 0)",
            );
        }
        self.report(site, K::BadIntrinsicSignature, msg);
    }

    fn check_body(&mut self, f: &'m Function, ret: TypeId, params: &'m [TypeId]) {
        let nb = f.blocks.len();
        let ni = f.insts.len();
        let fsite = Site::Function(f);

        // Placement: every arena instruction in exactly one block, once.
        let mut pos: Vec<Option<(u32, u32)>> = vec![None; ni];
        let mut placement_ok = true;
        for (b, block) in f.blocks.iter().enumerate() {
            if block.insts.is_empty() {
                self.report(
                    Site::Block(f, b),
                    K::BadBlockStructure,
                    "block is empty; it needs a terminator",
                );
            }
            for (i, iid) in block.insts.iter().enumerate() {
                match pos.get_mut(iid.0 as usize) {
                    None => {
                        let msg = format!(
                            "position {i} lists instruction #{} which is not in the function",
                            iid.0
                        );
                        self.report(Site::Block(f, b), K::BadPlacement, msg);
                        placement_ok = false;
                    }
                    Some(Some((ob, oi))) => {
                        let msg = format!(
                            "position {i} lists instruction #{} again (already at block {}, position {oi})",
                            iid.0,
                            block_text(f, *ob as usize)
                        );
                        self.report(Site::Block(f, b), K::BadPlacement, msg);
                        placement_ok = false;
                    }
                    Some(slot) => *slot = Some((b as u32, i as u32)),
                }
            }
        }
        for (i, p) in pos.iter().enumerate() {
            if p.is_none() {
                let op = f.insts[i].kind.opcode().mnemonic();
                self.report(
                    fsite,
                    K::BadPlacement,
                    format!("instruction #{i} ({op}) is not in any block"),
                );
            }
        }
        if !placement_ok {
            // Walking blocks would meet missing or repeated ids; the
            // placement errors already say what to fix.
            return;
        }

        // Block structure and the CFG.
        let mut succs: Vec<Vec<u32>> = vec![Vec::new(); nb];
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for (b, block) in f.blocks.iter().enumerate() {
            let mut non_phi_seen = false;
            let last = block.insts.len().saturating_sub(1);
            for (i, iid) in block.insts.iter().enumerate() {
                let inst = &f.insts[iid.0 as usize];
                let op = inst.kind.opcode();
                let site = Site::Inst(f, b, i, op);
                if op == Opcode::Phi {
                    if non_phi_seen {
                        self.report(
                            site,
                            K::BadBlockStructure,
                            "phi nodes must come before every other instruction of the block",
                        );
                    }
                } else {
                    non_phi_seen = true;
                }
                if op.is_terminator() && i != last {
                    self.report(
                        site,
                        K::BadBlockStructure,
                        "terminator in the middle of a block",
                    );
                }
                if i == last && !op.is_terminator() {
                    self.report(
                        site,
                        K::BadBlockStructure,
                        "block does not end in a terminator",
                    );
                }
                if op.is_terminator() {
                    for s in inst.kind.successors() {
                        if (s.0 as usize) < nb {
                            if i == last {
                                succs[b].push(s.0);
                                preds[s.0 as usize].push(b as u32);
                            }
                        } else {
                            self.report(
                                site,
                                K::UndefinedBlock,
                                format!("branches to block #{} which does not exist", s.0),
                            );
                        }
                    }
                }
            }
        }
        if !preds[0].is_empty() {
            let from: Vec<String> = preds[0]
                .iter()
                .map(|p| block_text(f, *p as usize))
                .collect();
            let msg = format!(
                "the entry block cannot have predecessors (branched to from {})",
                from.join(", ")
            );
            self.report(Site::Block(f, 0), K::BadBlockStructure, msg);
        }
        let dom = DomTree::new(nb, &succs, &preds);
        // Phi checks compare entries with the predecessors as multisets:
        // sorted here once per block instead of once per phi (a block of P
        // predecessors and Q phis cost Q sorts of P, whatever the phis held).
        for p in &mut preds {
            p.sort_unstable();
        }
        let value_ty = f
            .insts
            .iter()
            .map(|x| match self.ty(x.ty) {
                Some(Type::Void) | None => NO_TYPE,
                Some(_) => x.ty,
            })
            .collect();
        let body = Body {
            f,
            ret,
            params,
            pos,
            value_ty,
            preds,
            dom,
        };
        for (b, block) in f.blocks.iter().enumerate() {
            for (i, iid) in block.insts.iter().enumerate() {
                let inst = &f.insts[iid.0 as usize];
                self.check_inst(&body, b, i, inst);
            }
        }
    }
}
