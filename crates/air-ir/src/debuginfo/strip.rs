//! Removing debug info from a module, exactly as LLVM 14's
//! `StripDebugInfo` does (what `opt-14 -strip-debug` runs, and what
//! `llvm-as-14` runs on a module without a `"Debug Info Version"` flag of
//! 3). `docs/bitcode-rules.md` ("Stripping debug info") states the rule;
//! in short:
//!
//! - named metadata whose name starts with `llvm.dbg.` (the compile-unit
//!   list `!llvm.dbg.cu`) or is `llvm.gcov` is deleted;
//! - the `!dbg` attachment of every function and global variable is
//!   deleted, and so is every instruction's debug location;
//! - calls to `llvm.dbg.declare`, `llvm.dbg.value`, `llvm.dbg.addr` and
//!   `llvm.dbg.label` are deleted (their declarations stay, as in LLVM);
//! - an `!llvm.loop` node that refers to a `DILocation` (directly or
//!   through its operands) is replaced by a new distinct loop node without
//!   those operands, or dropped when nothing else is left in it;
//! - an instruction that still has attachments loses its `!heapallocsite`
//!   (it points into the debug types);
//! - everything else stays: the `"Dwarf Version"` and `"Debug Info
//!   Version"` module flags, and debug-info nodes that something else
//!   still refers to (a node listed in other named metadata, say).
//!
//! Nodes that nothing refers to any more stay in the metadata arena; the
//! printer and the bitcode writer only reach what is referenced.

use std::collections::{HashMap, HashSet};

use crate::inst::{InstKind, Value};
use crate::metadata::{MetaId, Metadata};
use crate::module::{Function, Module};
use crate::{ConstKind, InstId};

use super::DiKind;

/// What [`strip_debug_info`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StripStats {
    /// Named metadata lists deleted.
    pub named: usize,
    /// `!dbg` attachments of functions and globals deleted.
    pub attachments: usize,
    /// Instruction debug locations deleted.
    pub locations: usize,
    /// `llvm.dbg.*` calls deleted.
    pub calls: usize,
    /// `!llvm.loop` attachments rewritten or dropped.
    pub loops: usize,
}

impl StripStats {
    /// Whether anything was removed (LLVM's "Changed").
    pub fn changed(&self) -> bool {
        *self != StripStats::default()
    }
}

/// The names of the intrinsics `StripDebugInfo` deletes calls to (LLVM's
/// `DbgInfoIntrinsic`).
pub const DEBUG_INTRINSICS: [&str; 4] = [
    "llvm.dbg.declare",
    "llvm.dbg.value",
    "llvm.dbg.addr",
    "llvm.dbg.label",
];

/// Whether `kind` is a call of one of [`DEBUG_INTRINSICS`].
pub fn is_debug_intrinsic_call(module: &Module, kind: &InstKind) -> bool {
    let InstKind::Call(call) = kind else {
        return false;
    };
    let Value::Const(c) = call.callee else {
        return false;
    };
    match module.consts.try_get(c).map(|c| &c.kind) {
        Some(ConstKind::Function(f)) => module
            .functions
            .get(f.0 as usize)
            .is_some_and(|f| DEBUG_INTRINSICS.contains(&f.name.as_str())),
        _ => false,
    }
}

/// Removes debug info from `module` as LLVM 14's `StripDebugInfo` does
/// (see the module documentation) and says what it removed.
pub fn strip_debug_info(module: &mut Module) -> StripStats {
    let mut stats = StripStats::default();
    let before = module.named_metadata.len();
    module
        .named_metadata
        .retain(|n| !(n.name.starts_with("llvm.dbg.") || n.name == "llvm.gcov"));
    stats.named = before - module.named_metadata.len();

    for fi in 0..module.functions.len() {
        stats.attachments += remove_dbg(&mut module.functions[fi].attachments);
        let mut doomed = HashSet::new();
        let mut loops: HashMap<MetaId, Option<MetaId>> = HashMap::new();
        let order: Vec<InstId> = module.functions[fi].layout().map(|(_, i)| i).collect();
        for iid in order {
            let Some(inst) = module.functions[fi].insts.get(iid.0 as usize) else {
                continue;
            };
            if is_debug_intrinsic_call(module, &inst.kind) {
                doomed.insert(iid.0);
                stats.calls += 1;
                continue;
            }
            let mut list: Vec<(String, MetaId)> = inst.attachments.to_vec();
            let n = list.len();
            list.retain(|(k, _)| k != "dbg");
            stats.locations += n - list.len();
            if let Some(pos) = list.iter().position(|(k, _)| k == "llvm.loop") {
                let old = list[pos].1;
                let new = match loops.get(&old) {
                    Some(n) => *n,
                    None => {
                        let n = strip_loop(module, old);
                        loops.insert(old, n);
                        n
                    }
                };
                if new != Some(old) {
                    stats.loops += 1;
                    match new {
                        Some(n) => list[pos].1 = n,
                        None => {
                            list.remove(pos);
                        }
                    }
                }
            }
            if !list.is_empty() {
                list.retain(|(k, _)| k != "heapallocsite");
            }
            module.functions[fi].insts[iid.0 as usize].attachments = list.into();
        }
        if !doomed.is_empty() {
            remove_instructions(&mut module.functions[fi], &doomed, &mut module.metadata);
        }
    }
    for g in &mut module.globals {
        stats.attachments += remove_dbg(&mut g.attachments);
    }
    stats
}

fn remove_dbg(list: &mut Vec<(String, MetaId)>) -> usize {
    let n = list.len();
    list.retain(|(k, _)| k != "dbg");
    n - list.len()
}

fn is_location(module: &Module, id: MetaId) -> bool {
    matches!(module.metadata.get(id.0 as usize), Some(Metadata::Di(n)) if n.kind == DiKind::Location)
}

/// LLVM's `stripDebugLocFromLoopID`: the loop node without its debug
/// locations (a new distinct node referring to itself), the same node when
/// it has none, or `None` when only locations were left.
fn strip_loop(module: &mut Module, id: MetaId) -> Option<MetaId> {
    let ops = match module.metadata.get(id.0 as usize) {
        Some(Metadata::Node { operands, .. }) if !operands.is_empty() => operands.clone(),
        _ => return Some(id),
    };
    let mut visited = HashSet::from([id]);
    let mut reachable = HashSet::new();
    let mut any = false;
    for op in ops[1..].iter().flatten() {
        any |= depth_guarded(module, &mut visited, &mut reachable, *op);
    }
    if !any {
        return Some(id);
    }
    let all = ops[1..].iter().all(|op| match op {
        Some(op) => depth_guarded(module, &mut visited, &mut reachable, *op),
        None => false,
    });
    if all {
        return None;
    }
    let new = MetaId(module.metadata.len() as u32);
    let mut operands = vec![Some(new)];
    for op in &ops[1..] {
        match op {
            None => operands.push(None),
            Some(op) if is_location(module, *op) || reachable.contains(op) => {}
            Some(op) => operands.push(Some(*op)),
        }
    }
    module.metadata.push(Metadata::Node {
        operands,
        distinct: true,
    });
    Some(new)
}

/// LLVM's `isDILocationReachable`: whether `id` is a node that is or leads
/// to a `DILocation`; `reachable` collects the nodes that do. The
/// recursion is bounded so a hostile chain of nodes cannot overflow the
/// stack: past the bound a node counts as not leading to a location (LLVM
/// has no bound; real loop metadata is a few levels deep).
fn depth_guarded(
    module: &Module,
    visited: &mut HashSet<MetaId>,
    reachable: &mut HashSet<MetaId>,
    id: MetaId,
) -> bool {
    fn go(
        module: &Module,
        visited: &mut HashSet<MetaId>,
        reachable: &mut HashSet<MetaId>,
        id: MetaId,
        depth: u32,
    ) -> bool {
        if depth > crate::limits::MAX_STRIP_DEPTH {
            return false;
        }
        let Some(md) = module.metadata.get(id.0 as usize) else {
            return false;
        };
        if !matches!(md, Metadata::Node { .. } | Metadata::Di(_)) {
            return false;
        }
        if is_location(module, id) || reachable.contains(&id) {
            return true;
        }
        if !visited.insert(id) {
            return false;
        }
        let mut ops = Vec::new();
        md.for_each_operand(|o| ops.push(o));
        for op in ops.into_iter().flatten() {
            if go(module, visited, reachable, op, depth + 1) {
                reachable.insert(id);
                return true;
            }
        }
        false
    }
    go(module, visited, reachable, id, 0)
}

/// Deletes the instructions in `doomed` (which produce no value anyone
/// uses) from `f`, renumbering the rest and the function-local metadata
/// values that name them.
fn remove_instructions(f: &mut Function, doomed: &HashSet<u32>, metadata: &mut [Metadata]) {
    let mut map = vec![u32::MAX; f.insts.len()];
    let mut kept = Vec::with_capacity(f.insts.len() - doomed.len());
    for (i, inst) in std::mem::take(&mut f.insts).into_iter().enumerate() {
        if !doomed.contains(&(i as u32)) {
            map[i] = kept.len() as u32;
            kept.push(inst);
        }
    }
    f.insts = kept;
    let remap = |v: &mut Value| {
        if let Value::Inst(i) = v {
            if let Some(&n) = map.get(i.0 as usize) {
                if n != u32::MAX {
                    *i = InstId(n);
                }
            }
        }
    };
    let mut local_md = HashSet::new();
    for inst in &mut f.insts {
        inst.kind.for_each_operand_mut(|v| {
            if let Value::Metadata(m) = v {
                local_md.insert(*m);
            }
            remap(v);
        });
    }
    // Function-local metadata (a call's `metadata i32 %x`, a DIArgList's
    // values) names instructions by their ids too.
    let mut work: Vec<MetaId> = local_md.into_iter().collect();
    let mut seen = HashSet::new();
    while let Some(m) = work.pop() {
        if !seen.insert(m) {
            continue;
        }
        match metadata.get_mut(m.0 as usize) {
            Some(Metadata::Value { value, .. }) => remap(value),
            Some(Metadata::Di(n)) if n.kind == DiKind::ArgList => n.for_each_ref(|r| work.push(r)),
            _ => {}
        }
    }
    for block in &mut f.blocks {
        block
            .insts
            .retain(|i| map.get(i.0 as usize).is_some_and(|n| *n != u32::MAX));
        for i in &mut block.insts {
            *i = InstId(map[i.0 as usize]);
        }
    }
}
