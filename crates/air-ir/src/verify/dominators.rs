//! The dominator tree of a function's control-flow graph.

/// Dominator tree of a function's CFG (Cooper–Harvey–Kennedy), with DFS
/// numbers so that `dominates` is O(1).
pub(super) struct DomTree {
    /// Reverse-post-order number per block; `u32::MAX` if unreachable.
    rpo: Vec<u32>,
    /// Preorder and postorder numbers in the dominator tree.
    pre: Vec<u32>,
    post: Vec<u32>,
    /// (pre, post) per block side by side, for the hot dominance query.
    span: Vec<(u32, u32)>,
}

impl DomTree {
    pub(super) fn new(nb: usize, succs: &[Vec<u32>], preds: &[Vec<u32>]) -> Self {
        const NONE: u32 = u32::MAX;
        // Reverse post-order of the blocks reachable from the entry.
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
