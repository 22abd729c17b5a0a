//! The iteration order of LLVM 14's `StringMap`.
//!
//! A function's `ValueSymbolTable` is a `StringMap`, and the bitcode writer
//! emits the function-level VALUE_SYMTAB by iterating it, so the entry order
//! in the file is the map's bucket order. That order is a pure function of
//! the keys and their insertion order, which this module replays:
//!
//! - the hash is `djbHash(Name, 0)` (LLVM 14; later releases use xxHash);
//! - the table starts with 16 buckets on the first insertion;
//! - collisions probe quadratically (`+1, +2, +3, ...` modulo the size);
//! - after an insertion the table doubles when `items * 4 > buckets * 3`,
//!   or is rehashed in place when at most `buckets / 8` buckets are empty;
//!   a rehash walks the old buckets in order and reinserts each entry with
//!   the same probing.
//!
//! Entries are only ever added: none of the parse-time steps this crate
//! reproduces renames or deletes a named value, so the table has no
//! tombstones, and the in-place rehash (which exists to clear tombstones)
//! never triggers on its own.

/// A `StringMap` that records only where each key lands. Keys are
/// borrowed (they are the module's value names), not copied per entry.
/// A function can name hundreds of thousands of values, so the table is
/// kept small: a bucket is a 4-byte entry index and the hashes sit beside
/// the keys.
#[derive(Debug)]
pub(crate) struct StringMapOrder<'k, T> {
    /// Each bucket: the index of its entry, or `EMPTY`.
    buckets: Vec<u32>,
    /// Per entry, in insertion order: the full hash, the key, the value.
    hashes: Vec<u32>,
    keys: Vec<&'k [u8]>,
    values: Vec<T>,
}

/// An empty bucket.
const EMPTY: u32 = u32::MAX;

impl<T> Default for StringMapOrder<'_, T> {
    fn default() -> Self {
        StringMapOrder {
            buckets: Vec::new(),
            hashes: Vec::new(),
            keys: Vec::new(),
            values: Vec::new(),
        }
    }
}

/// LLVM's `djbHash` with seed 0, over unsigned bytes.
pub(crate) fn djb_hash(key: &[u8]) -> u32 {
    key.iter().fold(0u32, |h, &c| {
        h.wrapping_shl(5).wrapping_add(h).wrapping_add(u32::from(c))
    })
}

/// The bucket the probe sequence of `hash` reaches first among those for
/// which `stop` holds.
fn probe(size: usize, hash: u32, mut stop: impl FnMut(usize) -> bool) -> usize {
    let mask = size - 1;
    let mut bucket = hash as usize & mask;
    let mut step = 1;
    while !stop(bucket) {
        bucket = (bucket + step) & mask;
        step += 1;
    }
    bucket
}

impl<'k, T> StringMapOrder<'k, T> {
    /// Inserts `key` unless it is present (`StringMap::try_emplace`);
    /// returns whether it was inserted, or `None` when the table is full:
    /// entries past `u32::MAX - 1` are not representable (a text input's
    /// size limit keeps a function far below that, but a name must never
    /// go missing silently).
    pub fn insert(&mut self, key: &'k [u8], value: T) -> Option<bool> {
        if self.values.len() >= EMPTY as usize {
            return None;
        }
        if self.buckets.is_empty() {
            self.buckets = vec![EMPTY; 16];
        }
        let hash = djb_hash(key);
        let (buckets, hashes, keys) = (&self.buckets, &self.hashes, &self.keys);
        let bucket = probe(buckets.len(), hash, |b| match buckets[b] {
            EMPTY => true,
            i => hashes[i as usize] == hash && keys[i as usize] == key,
        });
        if self.buckets[bucket] != EMPTY {
            return Some(false);
        }
        self.buckets[bucket] = self.values.len() as u32;
        self.hashes.push(hash);
        self.keys.push(key);
        self.values.push(value);
        self.rehash_if_needed();
        Some(true)
    }

    /// `StringMapImpl::RehashTable`.
    fn rehash_if_needed(&mut self) {
        let (items, size) = (self.values.len(), self.buckets.len());
        let new_size = if items * 4 > size * 3 {
            size * 2
        } else if size - items <= size / 8 {
            size
        } else {
            return;
        };
        let mut table = vec![EMPTY; new_size];
        for &index in self.buckets.iter().filter(|&&i| i != EMPTY) {
            let bucket = probe(new_size, self.hashes[index as usize], |b| table[b] == EMPTY);
            table[bucket] = index;
        }
        self.buckets = table;
    }

    /// Whether nothing was inserted.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The keys and values in iteration (bucket) order.
    pub fn ordered(&self) -> impl Iterator<Item = (&'k [u8], &T)> + '_ {
        self.buckets
            .iter()
            .filter(|&&i| i != EMPTY)
            .map(|&i| (self.keys[i as usize], &self.values[i as usize]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<T: Copy>(m: &StringMapOrder<'_, T>) -> Vec<T> {
        m.ordered().map(|(_, v)| *v).collect()
    }

    #[test]
    fn djb_hash_with_seed_zero() {
        assert_eq!(djb_hash(b""), 0);
        assert_eq!(djb_hash(b"a"), 97);
        assert_eq!(djb_hash(b"ab"), 97 * 33 + 98);
        // Bytes are unsigned.
        assert_eq!(djb_hash(&[0xFF]), 255);
    }

    #[test]
    fn order_is_bucket_order_not_insertion_order() {
        let mut m = StringMapOrder::default();
        // "b" hashes to bucket 2, "a" to bucket 1.
        assert_eq!(m.insert(b"b", 'b'), Some(true));
        assert_eq!(m.insert(b"a", 'a'), Some(true));
        assert_eq!(m.insert(b"a", 'x'), Some(false));
        assert_eq!(values(&m), vec!['a', 'b']);
    }

    #[test]
    fn collisions_probe_quadratically() {
        // "a" (97) and "q" (113) share bucket 1 of 16; "r" (114) sits in 2.
        let mut m = StringMapOrder::default();
        m.insert(b"a", 0);
        m.insert(b"r", 1);
        m.insert(b"q", 2); // 1 → 2 (taken) → 4
        assert_eq!(values(&m), vec![0, 1, 2]);
    }

    #[test]
    fn growth_keeps_every_entry() {
        let names: Vec<String> = (0..200).map(|i| format!("v{i}")).collect();
        let mut m = StringMapOrder::default();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(m.insert(name.as_bytes(), i as u32), Some(true));
        }
        let mut all = values(&m);
        all.sort_unstable();
        assert_eq!(all, (0..200).collect::<Vec<_>>());
    }
}
