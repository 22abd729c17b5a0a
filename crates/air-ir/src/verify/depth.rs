//! How deep types, constants and metadata nest: the verifier's half of the
//! workspace's one nesting limit (`crate::limits`). The parser and the
//! bitcode reader refuse deeper input where it enters; these checks refuse
//! it however the module was built, so that everything downstream (printer,
//! writer, executor) may recurse through a verified module.
//!
//! Each depth is a height (the longest path below an item), computed once
//! per item with explicit stacks, so neither the order in which items are
//! reached nor the depth itself can make the check recurse or take more
//! than linear time. An error is reported once, at each item where the
//! limit is crossed (its height is over the limit, its parts' are not).

use crate::constant::ConstId;
use crate::fxhash::HashMap;
use crate::limits::{MAX_CONST_DEPTH, MAX_METADATA_DEPTH, MAX_TYPE_DEPTH};
use crate::metadata::{MetaId, Metadata};
use crate::types::TypeId;

use super::types::{dfs_post, sized_children, structural_children};
use super::VerifyErrorKind as K;
use super::{Site, Verifier};

impl Verifier<'_> {
    /// Reports every type whose spelled or laid-out depth crosses
    /// [`MAX_TYPE_DEPTH`]. Only call on a sound table (every id exists, no
    /// structural cycle).
    pub(super) fn check_type_depths(&mut self) {
        let t = self.t;
        let n = t.len();
        let mut parts = Vec::new();
        // As spelled: a named struct is a leaf (its name).
        let mut spelled = vec![0u32; n];
        dfs_post(
            n,
            |id, out| structural_children(t, TypeId(id as u32), out),
            |_| {},
            |id| {
                parts.clear();
                structural_children(t, TypeId(id as u32), &mut parts);
                spelled[id] = 1 + parts.iter().map(|p| spelled[*p]).max().unwrap_or(0);
            },
        );
        // As laid out: named structs through their bodies, pointers and
        // functions are leaves. A struct that contains itself by value is
        // reported elsewhere; its parts still on the walk count as 0.
        let mut laid = vec![0u32; n];
        dfs_post(
            n,
            |id, out| sized_children(t, TypeId(id as u32), out),
            |_| {},
            |id| {
                parts.clear();
                sized_children(t, TypeId(id as u32), &mut parts);
                laid[id] = 1 + parts.iter().map(|p| laid[*p]).max().unwrap_or(0);
            },
        );
        for id in 0..n {
            if spelled[id] == MAX_TYPE_DEPTH + 1 || laid[id] == MAX_TYPE_DEPTH + 1 {
                self.report(
                    Site::Type(TypeId(id as u32)),
                    K::NestingTooDeep,
                    format!("type nests too deeply (more than {MAX_TYPE_DEPTH} levels)"),
                );
            }
        }
    }

    /// Records the height of constant `c`, just checked, from its
    /// operands' heights (an operand not measured counts as 0: it was
    /// reported already), and reports it when it crosses
    /// [`MAX_CONST_DEPTH`].
    pub(super) fn measure_const(&mut self, site: Site<'_>, c: ConstId) {
        let Some(k) = self.m.consts.try_get(c) else {
            return;
        };
        let mut below = 0;
        k.kind.for_each_const(|o| {
            below = below.max(self.const_height.get(o.0 as usize).copied().unwrap_or(0));
        });
        let height = below + 1;
        if let Some(slot) = self.const_height.get_mut(c.0 as usize) {
            *slot = height;
        }
        if height == MAX_CONST_DEPTH + 1 {
            self.report(
                site,
                K::NestingTooDeep,
                format!("constants nest too deeply (more than {MAX_CONST_DEPTH} levels)"),
            );
        }
    }

    /// Reports the metadata nodes, among those reachable from the items
    /// from index `from` on, where the chain of operands crosses
    /// [`MAX_METADATA_DEPTH`]; with `from > 0`, only where the crossing
    /// node or its cycle includes such an item (the earlier ones were
    /// checked with the module).
    pub(super) fn check_metadata_depth(&mut self, from: usize) {
        let md = &self.m.metadata;
        if from >= md.len() {
            return;
        }
        for (root, _) in over_limit_groups(md, from) {
            self.report(
                Site::Meta(root),
                K::NestingTooDeep,
                format!("metadata nests too deeply (more than {MAX_METADATA_DEPTH} levels)"),
            );
        }
    }
}

/// The metadata items an item refers to (a node's or a debug-info node's
/// operands; other items refer to no metadata), skipping ids that do not exist (reported by the
/// item checks).
fn metadata_parts(md: &[Metadata], id: usize, out: &mut Vec<usize>) {
    match &md[id] {
        Metadata::Node { operands, .. } => {
            out.extend(
                operands
                    .iter()
                    .flatten()
                    .map(|o| o.0 as usize)
                    .filter(|o| *o < md.len()),
            );
        }
        // Debug-info nodes nest through their operands like tuples do.
        node @ Metadata::Di(_) => node.for_each_operand(|o| {
            if let Some(o) = o.map(|o| o.0 as usize).filter(|o| *o < md.len()) {
                out.push(o);
            }
        }),
        Metadata::String(_) | Metadata::Value { .. } => {}
    }
}

/// Per-item state of the walk below: dense for a whole module, a map when
/// only what a few new items reach is walked.
enum Slots {
    Dense(Vec<Slot>),
    Sparse(HashMap<usize, Slot>),
}

#[derive(Clone, Copy, Default)]
struct Slot {
    /// Tarjan's visit index + 1 (0: not visited).
    index: u32,
    low: u32,
    on_stack: bool,
    /// Once the item's cycle group is complete: the group's height.
    height: Option<u32>,
}

impl Slots {
    fn get(&self, i: usize) -> Slot {
        match self {
            Slots::Dense(v) => v[i],
            Slots::Sparse(m) => m.get(&i).copied().unwrap_or_default(),
        }
    }

    fn get_mut(&mut self, i: usize) -> &mut Slot {
        match self {
            Slots::Dense(v) => &mut v[i],
            Slots::Sparse(m) => m.entry(i).or_default(),
        }
    }
}

/// Tarjan's strongly connected components of the metadata reachable from
/// the items `from..`, walked with explicit stacks. A group's height is its
/// size plus the greatest height among the groups it refers to (a walk
/// through a cycle visits each member once); groups complete in an order
/// where everything a group refers to is complete before it. Returns, for
/// each group whose height crosses [`MAX_METADATA_DEPTH`] (and, when
/// `from > 0`, which holds an item from `from` on), its first-visited
/// member and its height.
fn over_limit_groups(md: &[Metadata], from: usize) -> Vec<(MetaId, u32)> {
    let n = md.len();
    let mut slots = if from == 0 {
        Slots::Dense(vec![Slot::default(); n])
    } else {
        Slots::Sparse(HashMap::default())
    };
    let mut found = Vec::new();
    let mut next_index = 1u32;
    // Tarjan's stack of visited items whose group is not complete.
    let mut open: Vec<usize> = Vec::new();
    // The walk: (item, start of its parts in `parts`, next part).
    let mut walk: Vec<(usize, usize, usize)> = Vec::new();
    let mut parts: Vec<usize> = Vec::new();
    for root in from..n {
        if slots.get(root).index != 0 {
            continue;
        }
        let mut visit =
            |i: usize, slots: &mut Slots, open: &mut Vec<usize>, parts: &mut Vec<usize>| {
                let s = slots.get_mut(i);
                s.index = next_index;
                s.low = next_index;
                s.on_stack = true;
                next_index += 1;
                open.push(i);
                let start = parts.len();
                metadata_parts(md, i, parts);
                (i, start, start)
            };
        let frame = visit(root, &mut slots, &mut open, &mut parts);
        walk.push(frame);
        while let Some(&mut (v, start, ref mut next)) = walk.last_mut() {
            if *next < parts.len() {
                let w = parts[*next];
                *next += 1;
                let sw = slots.get(w);
                if sw.index == 0 {
                    let frame = visit(w, &mut slots, &mut open, &mut parts);
                    walk.push(frame);
                } else if sw.on_stack {
                    let low = slots.get(v).low.min(sw.index);
                    slots.get_mut(v).low = low;
                }
                continue;
            }
            walk.pop();
            parts.truncate(start);
            let sv = slots.get(v);
            if let Some(&(parent, _, _)) = walk.last() {
                let low = slots.get(parent).low.min(sv.low);
                slots.get_mut(parent).low = low;
            }
            if sv.low != sv.index {
                continue;
            }
            // `v` roots a complete group: the open items from `v` up.
            let at = open.iter().rposition(|x| *x == v).unwrap_or(0);
            let members: Vec<usize> = open.drain(at..).collect();
            for m in &members {
                slots.get_mut(*m).on_stack = false;
            }
            let mut below = 0u32;
            let mut own = Vec::new();
            for m in &members {
                own.clear();
                metadata_parts(md, *m, &mut own);
                for p in &own {
                    if let Some(h) = slots.get(*p).height {
                        below = below.max(h);
                    }
                }
            }
            let height = below.saturating_add(members.len() as u32);
            for m in &members {
                slots.get_mut(*m).height = Some(height);
            }
            let crosses = height > MAX_METADATA_DEPTH && below <= MAX_METADATA_DEPTH;
            if crosses && (from == 0 || members.iter().any(|m| *m >= from)) {
                found.push((MetaId(v as u32), height));
            }
        }
    }
    found
}
