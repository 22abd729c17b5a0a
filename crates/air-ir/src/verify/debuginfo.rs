//! Debug-info nodes, checked as LLVM 14's verifier checks them.

use crate::debuginfo::DiNode;
use crate::metadata::MetaId;

use super::VerifyErrorKind as K;
use super::{Site, Verifier};

impl<'m> Verifier<'m> {
    /// Checks one debug-info node.
    pub(super) fn check_di_node(&mut self, id: MetaId, node: &'m DiNode) {
        let n = self.m.metadata.len();
        let site = Site::Meta(id);
        let mut bad = Vec::new();
        node.for_each_ref(|r| {
            if r.0 as usize >= n {
                bad.push(r);
            }
        });
        for r in bad {
            self.report(
                site,
                K::UndefinedMetadata,
                format!("refers to metadata #{} which does not exist", r.0),
            );
        }
    }
}
