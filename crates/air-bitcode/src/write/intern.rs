//! Hash-consing that stores each item once.
//!
//! A `HashMap<T, Id>` next to a `Vec<T>` keeps every item twice, so each
//! new item was cloned (and its vectors allocated) a second time. Here the
//! map only holds item hashes: it maps a hash to the newest item with that
//! hash, and `next` chains the older ones, so equal items are found by
//! comparing with the stored items themselves.

use std::hash::{Hash, Hasher};

use air_ir::fxhash::{FxHasher, HashMap};

/// No further item with the same hash.
const END: u32 = u32::MAX;

/// Items numbered in insertion order, equal items shared.
#[derive(Debug)]
pub(crate) struct Interner<T> {
    items: Vec<T>,
    /// Hash → index of the newest interned item with that hash.
    heads: HashMap<u64, u32>,
    /// Per item: the previous item with the same hash, or `END` (also for
    /// items added with `push_unique`, which are never looked up).
    next: Vec<u32>,
}

impl<T> Default for Interner<T> {
    fn default() -> Self {
        Interner {
            items: Vec::new(),
            heads: HashMap::default(),
            next: Vec::new(),
        }
    }
}

impl<T: Hash + Eq> Interner<T> {
    /// Room for `n` items without regrowing (growing the hash table
    /// rehashes it, which showed up on small modules).
    pub fn with_capacity(n: usize) -> Self {
        Interner {
            items: Vec::with_capacity(n),
            heads: HashMap::with_capacity_and_hasher(n, Default::default()),
            next: Vec::with_capacity(n),
        }
    }

    pub fn get(&self, i: u32) -> &T {
        &self.items[i as usize]
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The index of the item equal to `item`, adding it if there is none.
    pub fn intern(&mut self, item: T) -> u32 {
        let mut h = FxHasher::default();
        item.hash(&mut h);
        let hash = h.finish();
        let head = self.heads.get(&hash).copied().unwrap_or(END);
        let mut i = head;
        while i != END {
            if self.items[i as usize] == item {
                return i;
            }
            i = self.next[i as usize];
        }
        let id = self.items.len() as u32;
        self.items.push(item);
        self.next.push(head);
        self.heads.insert(hash, id);
        id
    }

    /// Adds an item that `intern` never returns (one with an identity of
    /// its own), so it may later be changed with `replace_unique`.
    pub fn push_unique(&mut self, item: T) -> u32 {
        let id = self.items.len() as u32;
        self.items.push(item);
        self.next.push(END);
        id
    }

    /// Replaces an item added with `push_unique`.
    pub fn replace_unique(&mut self, i: u32, item: T) {
        self.items[i as usize] = item;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_items_share_an_index() {
        let mut t = Interner::default();
        let a = t.intern(vec![1u32, 2]);
        let b = t.intern(vec![3]);
        assert_eq!(t.intern(vec![1, 2]), a);
        assert_eq!(t.intern(vec![3]), b);
        let u = t.push_unique(vec![1, 2]);
        assert_ne!(u, a);
        assert_eq!(t.intern(vec![1, 2]), a);
        t.replace_unique(u, vec![9]);
        assert_eq!(t.get(u), &vec![9]);
        assert_eq!(t.intern(vec![9]), 3);
        assert_eq!(t.len(), 4);
    }
}
