//! Metadata items and the named metadata lists.

use crate::inst::Value;
use crate::metadata::{MetaId, Metadata};

use super::VerifyErrorKind as K;
use super::{FxHashSet, Site, Verifier};

impl<'m> Verifier<'m> {
    // ----- metadata -----

    /// Whether `id` names a function-local value, which only a call argument
    /// may refer to.
    pub(super) fn is_local_metadata(&self, id: MetaId) -> bool {
        matches!(
            self.m.metadata.get(id.0 as usize),
            Some(Metadata::Value {
                value: Value::Arg(_) | Value::Inst(_),
                ..
            })
        )
    }

    pub(super) fn check_metadata(&mut self) {
        self.check_metadata_items(0);
        self.check_named_metadata();
        if self.debug_info {
            self.check_debug_module();
        }
    }

    /// Checks the metadata items from index `from` on.
    pub(super) fn check_metadata_items(&mut self, from: usize) {
        let m = self.m;
        let n = m.metadata.len();
        for (i, md) in m.metadata.iter().enumerate().skip(from) {
            let site = Site::Meta(MetaId(i as u32));
            match md {
                Metadata::String(_) => {}
                Metadata::Node { operands, .. } => {
                    for (k, op) in operands.iter().enumerate() {
                        let Some(op) = op else { continue };
                        if op.0 as usize >= n {
                            self.report(
                                site,
                                K::UndefinedMetadata,
                                format!(
                                    "operand {k} refers to metadata #{} which does not exist",
                                    op.0
                                ),
                            );
                        } else if self.is_local_metadata(*op) {
                            self.report(site, K::BadMetadata, format!("operand {k} is a function-local value, which nodes cannot hold"));
                        }
                    }
                }
                Metadata::Di(node) => {
                    // LLVM verifies the nodes the module reaches; an
                    // unreferenced numbered node is not in its module.
                    if self.di_reachable(MetaId(i as u32)) {
                        self.check_di_node(MetaId(i as u32), node)
                    }
                }
                Metadata::Value { ty, value } => {
                    if !self.need_ty(site, *ty, "the value") {
                        continue;
                    }
                    match value {
                        Value::Const(c) => {
                            if let Some(ct) = self.check_const(site, *c, 0) {
                                if ct != *ty {
                                    let msg = format!(
                                        "value has type {} but is labelled {}",
                                        self.tt(ct),
                                        self.tt(*ty)
                                    );
                                    self.report(site, K::TypeMismatch, msg);
                                }
                            }
                        }
                        // Function-local values are checked where a call uses them.
                        Value::Arg(_) | Value::Inst(_) => {}
                        Value::Metadata(_) => self.report(
                            site,
                            K::BadMetadata,
                            "a metadata value cannot wrap metadata",
                        ),
                    }
                }
            }
        }
    }

    /// Checks the named metadata lists.
    fn check_named_metadata(&mut self) {
        let m = self.m;
        let mut names = FxHashSet::default();
        for nm in &m.named_metadata {
            if nm.name.is_empty() {
                self.report(
                    Site::Named(nm, None),
                    K::EmptyName,
                    "named metadata has an empty name",
                );
            } else if !names.insert(nm.name.as_str()) {
                self.report(
                    Site::Named(nm, None),
                    K::DuplicateName,
                    "named metadata is listed twice",
                );
            }
            for (k, op) in nm.operands.iter().enumerate() {
                let site = Site::Named(nm, Some(k));
                match m.metadata.get(op.0 as usize) {
                    None => self.report(
                        site,
                        K::UndefinedMetadata,
                        format!("refers to metadata #{} which does not exist", op.0),
                    ),
                    Some(Metadata::Node { .. } | Metadata::Di(_)) => {}
                    Some(_) => self.report(
                        site,
                        K::BadMetadata,
                        format!("metadata #{} is not a node", op.0),
                    ),
                }
            }
        }
    }
}
