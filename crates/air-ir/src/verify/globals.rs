//! Globals and the module's symbol table, and the properties globals share
//! with functions: alignment, linkage and visibility, metadata attachments.

use crate::constant::ConstKind;
use crate::metadata::{MetaId, Metadata};
use crate::module::{Global, Linkage, Visibility};
use crate::types::Type;

use super::types::valid_element;
use super::VerifyErrorKind as K;
use super::{FxHashSet, Site, Verifier, MAX_ALIGN};

impl<'m> Verifier<'m> {
    pub(super) fn check_align(&mut self, site: Site<'_>, align: Option<u64>) {
        if let Some(a) = align {
            if !a.is_power_of_two() || a > MAX_ALIGN {
                self.report(
                    site,
                    K::BadAlignment,
                    format!("alignment {a} is not a power of two up to 2^32"),
                );
            }
        }
    }

    pub(super) fn check_attachments(&mut self, site: Site<'_>, attachments: &[(String, MetaId)]) {
        for (kind, id) in attachments {
            if kind.is_empty() {
                self.report(
                    site,
                    K::EmptyName,
                    "metadata attachment has an empty kind name",
                );
            }
            match self.m.metadata.get(id.0 as usize) {
                None => self.report(
                    site,
                    K::UndefinedMetadata,
                    format!(
                        "metadata attachment !{kind} refers to metadata #{} which does not exist",
                        id.0
                    ),
                ),
                Some(Metadata::Node { .. } | Metadata::Di(_)) => {
                    if kind == "dbg" {
                        self.check_dbg_attachment(site, *id);
                    }
                }
                Some(_) => self.report(
                    site,
                    K::BadMetadata,
                    format!(
                        "metadata attachment !{kind} must refer to a node (metadata #{})",
                        id.0
                    ),
                ),
            }
        }
    }

    // ----- globals and symbols -----

    /// Names are the module's symbol table: one symbol per name.
    pub(super) fn check_symbols(&mut self) {
        let m = self.m;
        // Fx rather than SipHash: names come from the module, and this runs
        // on every (small) per-entry module metallib links.
        let mut seen: FxHashSet<&str> = FxHashSet::with_capacity_and_hasher(
            m.globals.len() + m.functions.len(),
            Default::default(),
        );
        for g in &m.globals {
            if !g.name.is_empty() && !seen.insert(&g.name) {
                self.report(
                    Site::Global(g),
                    K::DuplicateName,
                    "another global or function has the same name",
                );
            }
        }
        for f in &m.functions {
            if f.name.is_empty() {
                self.report(
                    Site::Function(f),
                    K::EmptyName,
                    "function has an empty name",
                );
            } else if !seen.insert(&f.name) {
                self.report(
                    Site::Function(f),
                    K::DuplicateName,
                    "another global or function has the same name",
                );
            }
        }
    }

    pub(super) fn check_linkage(
        &mut self,
        site: Site<'_>,
        linkage: Linkage,
        visibility: Visibility,
        declaration: bool,
    ) {
        if declaration && !matches!(linkage, Linkage::External | Linkage::ExternWeak) {
            self.report(
                site,
                K::BadLinkage,
                format!(
                    "a declaration must have external or extern_weak linkage, not {}",
                    linkage.spelling()
                ),
            );
        }
        if !declaration && linkage == Linkage::ExternWeak {
            self.report(
                site,
                K::BadLinkage,
                "a definition cannot have extern_weak linkage",
            );
        }
        if matches!(linkage, Linkage::Internal | Linkage::Private)
            && visibility != Visibility::Default
        {
            self.report(
                site,
                K::BadLinkage,
                format!("{} linkage requires default visibility", linkage.spelling()),
            );
        }
    }

    pub(super) fn check_global(&mut self, g: &'m Global) {
        let site = Site::Global(g);
        self.check_align(site, g.align);
        if g.section.as_deref() == Some("") {
            self.report(site, K::EmptyName, "section name is empty");
        }
        self.check_attachments(site, &g.attachments);
        self.check_linkage(site, g.linkage, g.visibility, g.initializer.is_none());
        if !self.need_ty(site, g.value_ty, "the value type") {
            return;
        }
        if !valid_element(self.t.get(g.value_ty)) {
            let msg = format!(
                "value type {} is not allowed for a global",
                self.tt(g.value_ty)
            );
            self.report(site, K::TypeNotAllowed, msg);
            return;
        }
        match g.linkage {
            Linkage::Appending if !matches!(self.t.get(g.value_ty), Type::Array { .. }) => {
                self.report(
                    site,
                    K::BadLinkage,
                    "appending linkage requires an array type",
                );
            }
            Linkage::Common => {
                if g.is_constant {
                    self.report(
                        site,
                        K::BadLinkage,
                        "common linkage is not allowed on a constant",
                    );
                }
                let zero = g
                    .initializer
                    .and_then(|c| self.m.consts.try_get(c))
                    .is_some_and(|c| {
                        matches!(&c.kind, ConstKind::Zero | ConstKind::Null)
                            || matches!(&c.kind, ConstKind::Int(v) if v.is_zero())
                            || matches!(&c.kind, ConstKind::Float(0))
                    });
                if !zero {
                    self.report(
                        site,
                        K::BadLinkage,
                        "common linkage requires a zero initializer",
                    );
                }
            }
            _ => {}
        }
        if let Some(init) = g.initializer {
            if let Some(ty) = self.check_const(site, init, 0) {
                if ty != g.value_ty {
                    let msg = format!(
                        "initializer has type {} but the global's value type is {}",
                        self.tt(ty),
                        self.tt(g.value_ty)
                    );
                    self.report(site, K::TypeMismatch, msg);
                }
            }
        }
    }
}
