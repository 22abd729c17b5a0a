//! The dominator tree of a function's control-flow graph.

/// "No block" in the per-block tables.
const NONE: u32 = u32::MAX;

/// Dominator tree of a function's CFG, with DFS numbers so that
/// `dominates` is O(1).
pub(super) struct DomTree {
    /// Reverse-post-order number per block; `u32::MAX` if unreachable.
    rpo: Vec<u32>,
    /// Preorder and postorder numbers in the dominator tree.
    pre: Vec<u32>,
    post: Vec<u32>,
    /// (pre, post) per block side by side, for the hot dominance query.
    span: Vec<(u32, u32)>,
}

/// The blocks reachable from the entry in reverse post-order, and each
/// block's position in it (`NONE` when unreachable); iterative, so long
/// chains do not recurse.
fn reverse_post_order(nb: usize, succs: &[Vec<u32>]) -> (Vec<u32>, Vec<u32>) {
    let mut post_order: Vec<u32> = Vec::with_capacity(nb);
    let mut visited = vec![false; nb];
    if nb > 0 {
        let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
        visited[0] = true;
        while let Some((b, next)) = stack.last_mut() {
            if let Some(&s) = succs[*b as usize].get(*next) {
                *next += 1;
                if !visited[s as usize] {
                    visited[s as usize] = true;
                    stack.push((s, 0));
                }
            } else {
                post_order.push(*b);
                stack.pop();
            }
        }
    }
    let order: Vec<u32> = post_order.iter().rev().copied().collect();
    let mut rpo = vec![NONE; nb];
    for (i, b) in order.iter().enumerate() {
        rpo[*b as usize] = i as u32;
    }
    (order, rpo)
}

impl DomTree {
    pub(super) fn new(nb: usize, succs: &[Vec<u32>], preds: &[Vec<u32>]) -> Self {
        // Reverse post-order of the blocks reachable from the entry.
        let (order, rpo) = reverse_post_order(nb, succs);
        let idom = immediate_dominators(nb, succs, preds);
        // Dominator-tree DFS numbering.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for &b in order.iter().skip(1) {
            let d = idom[b as usize];
            if d != NONE {
                children[d as usize].push(b);
            }
        }
        let mut pre = vec![NONE; nb];
        let mut post = vec![NONE; nb];
        if nb > 0 {
            let (mut pre_n, mut post_n) = (1u32, 0u32);
            let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
            pre[0] = 0;
            while let Some((b, next)) = stack.last_mut() {
                if let Some(&c) = children[*b as usize].get(*next) {
                    *next += 1;
                    pre[c as usize] = pre_n;
                    pre_n += 1;
                    stack.push((c, 0));
                } else {
                    post[*b as usize] = post_n;
                    post_n += 1;
                    stack.pop();
                }
            }
        }
        let span = pre.iter().copied().zip(post.iter().copied()).collect();
        DomTree {
            rpo,
            pre,
            post,
            span,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.rpo.len()
    }

    /// `dominates(a, b)` for reachable `b`, and `true` when both are
    /// unreachable; `false` for out-of-range blocks. A use passes
    /// dominance when this holds: in an unreachable block (or incoming
    /// from one) anything goes, else its definition's block must dominate.
    #[inline]
    pub(super) fn dominates_or_unreachable(&self, a: usize, b: usize) -> bool {
        match (self.span.get(a), self.span.get(b)) {
            // Unreachable blocks have (MAX, MAX): an unreachable `a` never
            // contains a reachable `b`, and a reachable `a` never contains
            // an unreachable `b`.
            (Some(x), Some(y)) => x.0 <= y.0 && y.1 <= x.1,
            _ => false,
        }
    }

    pub(super) fn reachable(&self, b: usize) -> bool {
        self.rpo.get(b).is_some_and(|r| *r != u32::MAX)
    }

    /// Whether block `a` dominates block `b` (both reachable; an unreachable
    /// `a` dominates nothing but itself).
    pub(super) fn dominates(&self, a: usize, b: usize) -> bool {
        if a == b {
            return true;
        }
        if !self.reachable(a) || !self.reachable(b) {
            return false;
        }
        self.pre[a] <= self.pre[b] && self.post[b] <= self.post[a]
    }
}

/// The immediate dominator of every block reachable from block 0 (block 0
/// is its own), `NONE` for the others: Lengauer and Tarjan's algorithm with
/// path compression, O(E log N) for E edges and N blocks.
///
/// This replaced Cooper, Harvey and Kennedy's iteration to a fixed point,
/// which is simple and fast on the shapes compilers make but quadratic on
/// others: a chain of blocks that each also branch back to its head took 8 s
/// for 100 000 blocks (4 MB of text), and so did a ladder of irreducible
/// cross edges. Immediate dominators are unique, so both give the same tree.
fn immediate_dominators(nb: usize, succs: &[Vec<u32>], preds: &[Vec<u32>]) -> Vec<u32> {
    let mut idom = vec![NONE; nb];
    if nb == 0 {
        return idom;
    }
    // Depth-first preorder numbers from 1 (0: not reached); the tables
    // below are indexed by number, with slot 0 unused.
    let mut dfn = vec![0u32; nb];
    let mut vertex: Vec<u32> = vec![NONE, 0];
    let mut parent: Vec<u32> = vec![0, 0];
    dfn[0] = 1;
    let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
    while let Some(&mut (b, ref mut next)) = stack.last_mut() {
        match succs[b as usize].get(*next) {
            Some(&s) => {
                *next += 1;
                if dfn[s as usize] == 0 {
                    dfn[s as usize] = vertex.len() as u32;
                    vertex.push(s);
                    parent.push(dfn[b as usize]);
                    stack.push((s, 0));
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    let n = vertex.len() - 1;
    // semi: semidominator numbers; ancestor and label: the forest of
    // processed vertices with path compression; dom: the immediate
    // dominator's number once known; buckets as linked lists.
    let mut semi: Vec<u32> = (0..=n as u32).collect();
    let mut label: Vec<u32> = semi.clone();
    let mut ancestor = vec![0u32; n + 1];
    let mut dom = vec![0u32; n + 1];
    let mut bucket_head = vec![0u32; n + 1];
    let mut bucket_next = vec![0u32; n + 1];
    let mut path: Vec<u32> = Vec::new();
    // The vertex of least semidominator number on the forest path from
    // `v` up to (not including) its root, compressing the path on the way.
    let mut eval = |v: u32, semi: &[u32], ancestor: &mut [u32], label: &mut [u32]| -> u32 {
        if ancestor[v as usize] == 0 {
            return v;
        }
        // Walk up to the vertex just below the root, then compress from
        // the top down (each step needs its ancestor done first).
        let mut x = v;
        while ancestor[ancestor[x as usize] as usize] != 0 {
            path.push(x);
            x = ancestor[x as usize];
        }
        while let Some(y) = path.pop() {
            let a = ancestor[y as usize];
            if semi[label[a as usize] as usize] < semi[label[y as usize] as usize] {
                label[y as usize] = label[a as usize];
            }
            ancestor[y as usize] = ancestor[a as usize];
        }
        label[v as usize]
    };
    for w in (2..=n).rev() {
        for &pb in &preds[vertex[w] as usize] {
            let v = dfn.get(pb as usize).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let u = eval(v, &semi, &mut ancestor, &mut label);
            if semi[u as usize] < semi[w] {
                semi[w] = semi[u as usize];
            }
        }
        let s = semi[w] as usize;
        bucket_next[w] = bucket_head[s];
        bucket_head[s] = w as u32;
        let p = parent[w];
        ancestor[w] = p;
        let mut v = std::mem::take(&mut bucket_head[p as usize]);
        while v != 0 {
            let next = bucket_next[v as usize];
            let u = eval(v, &semi, &mut ancestor, &mut label);
            dom[v as usize] = if semi[u as usize] < semi[v as usize] {
                u
            } else {
                p
            };
            v = next;
        }
    }
    for w in 2..=n {
        if dom[w] != semi[w] {
            dom[w] = dom[dom[w] as usize];
        }
    }
    idom[0] = 0;
    for w in 2..=n {
        idom[vertex[w] as usize] = vertex[dom[w] as usize];
    }
    idom
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixed-point iteration the verifier used before, kept as the
    /// oracle for `immediate_dominators`.
    fn iterated_dominators(nb: usize, succs: &[Vec<u32>], preds: &[Vec<u32>]) -> Vec<u32> {
        let (order, rpo) = reverse_post_order(nb, succs);
        // Iterate idoms to a fixed point.
        let mut idom = vec![NONE; nb];
        if nb > 0 {
            idom[0] = 0;
        }
        let intersect = |idom: &[u32], mut a: u32, mut b: u32| {
            while a != b {
                while rpo[a as usize] > rpo[b as usize] {
                    a = idom[a as usize];
                }
                while rpo[b as usize] > rpo[a as usize] {
                    b = idom[b as usize];
                }
            }
            a
        };
        let mut changed = true;
        while changed {
            changed = false;
            for &b in order.iter().skip(1) {
                let mut new = NONE;
                for &p in &preds[b as usize] {
                    if rpo[p as usize] == NONE || idom[p as usize] == NONE {
                        continue;
                    }
                    new = if new == NONE {
                        p
                    } else {
                        intersect(&idom, p, new)
                    };
                }
                if new != NONE && idom[b as usize] != new {
                    idom[b as usize] = new;
                    changed = true;
                }
            }
        }
        idom
    }

    /// A deterministic pseudo-random CFG of `nb` blocks, `extra` edges
    /// beyond a spanning chain, some blocks unreachable.
    fn graph(seed: u64, nb: usize, extra: usize) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as u32
        };
        let mut succs = vec![Vec::new(); nb];
        for b in 1..nb {
            // Most blocks hang off an earlier one; a few stay unreachable.
            if next(8) != 0 {
                let from = next(b);
                succs[from as usize].push(b as u32);
            }
        }
        for _ in 0..extra {
            let (a, b) = (next(nb), next(nb));
            succs[a as usize].push(b);
        }
        let mut preds = vec![Vec::new(); nb];
        for (a, ss) in succs.iter().enumerate() {
            for &b in ss {
                preds[b as usize].push(a as u32);
            }
        }
        (succs, preds)
    }

    #[test]
    fn lengauer_tarjan_agrees_with_the_iteration() {
        for seed in 0..400u64 {
            let nb = 1 + (seed as usize % 60);
            let (succs, preds) = graph(seed, nb, (seed as usize * 7) % (3 * nb + 1));
            assert_eq!(
                immediate_dominators(nb, &succs, &preds),
                iterated_dominators(nb, &succs, &preds),
                "seed {seed}: {succs:?}"
            );
        }
    }
}
