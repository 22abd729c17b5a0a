//! AIR's own rules on top of LLVM's: the `!air.kernel` list.

use crate::constant::ConstKind;
use crate::inst::Value;
use crate::metadata::{MetaId, Metadata};

use super::VerifyErrorKind as K;
use super::{Site, Verifier};

impl<'m> Verifier<'m> {
    // ----- AIR -----

    /// Light checks of `!air.kernel`: each entry names a defined function,
    /// and argument nodes index its parameters.
    pub(super) fn check_air(&mut self) {
        let m = self.m;
        let Some(kernels) = m.named("air.kernel") else {
            return;
        };
        let node = |id: Option<MetaId>| match id.and_then(|id| m.metadata.get(id.0 as usize)) {
            Some(Metadata::Node { operands, .. }) => Some(operands.as_slice()),
            _ => None,
        };
        let const_of = |id: Option<MetaId>| match id.and_then(|id| m.metadata.get(id.0 as usize)) {
            Some(Metadata::Value {
                value: Value::Const(c),
                ..
            }) => m.consts.try_get(*c),
            _ => None,
        };
        for (k, id) in kernels.operands.iter().enumerate() {
            let site = Site::Named(kernels, Some(k));
            let Some(ops) = node(Some(*id)) else {
                continue; // Reported by the named-metadata check.
            };
            let func = match const_of(ops.first().copied().flatten()).map(|c| &c.kind) {
                Some(ConstKind::Function(fid)) => m.functions.get(fid.0 as usize),
                _ => None,
            };
            let Some(func) = func else {
                self.report(
                    site,
                    K::BadAirMetadata,
                    "the first operand must be a reference to the kernel function",
                );
                continue;
            };
            if func.is_declaration() {
                let msg = format!("kernel @{} is only declared, not defined", func.name);
                self.report(site, K::BadAirMetadata, msg);
            }
            let Some(args) = node(ops.get(2).copied().flatten()) else {
                continue;
            };
            for (j, arg) in args.iter().enumerate() {
                let Some(fields) = node(*arg) else { continue };
                let Some(c) = const_of(fields.first().copied().flatten()) else {
                    continue;
                };
                if let ConstKind::Int(v) = &c.kind {
                    let idx = v.as_u64().unwrap_or(u64::MAX);
                    if idx >= func.params.len() as u64 {
                        let msg = format!(
                            "argument node {j} has index {idx} but @{} has {} parameters",
                            func.name,
                            func.params.len()
                        );
                        self.report(site, K::BadAirMetadata, msg);
                    }
                }
            }
        }
    }
}
