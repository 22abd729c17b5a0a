//! A fast, non-cryptographic hasher (the Fx hash of rustc) for the text
//! parser's symbol tables and the bitcode writer's internal maps. SipHash
//! (std's default) was a large share of both in profiles. Keys are names
//! from a local file and arena ids, so hash flooding is not a concern here;
//! the bitcode reader, which takes raw hostile bytes, keeps std's SipHash.

use std::hash::{BuildHasherDefault, Hasher};

/// `std::collections::HashMap` with [`FxHasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// `std::collections::HashSet` with [`FxHasher`].
pub type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// rustc's Fx hash: a rotate, xor and multiply per word.
#[derive(Clone, Copy, Debug, Default)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    /// The state mixed once more. After the last multiply, bit `j` of the
    /// state depends only on bits `0..=j` of what went into it, so the low
    /// bits (which `HashMap` uses to pick a bucket) see only the first bytes
    /// of a short key: the names `@f0` … `@f799999` fell into a few hundred
    /// buckets, and every lookup walked a long probe sequence comparing
    /// names. Folding the high half down, multiplying and folding again
    /// makes every output bit depend on every input bit.
    #[inline]
    fn finish(&self) -> u64 {
        let h = self.hash;
        let h = (h ^ (h >> 32)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        h ^ (h >> 29)
    }
}

/// The Fx hash of `v`.
#[inline]
pub(crate) fn hash_of<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    let mut h = FxHasher::default();
    v.hash(&mut h);
    h.finish()
}

/// A lookup index for arenas that intern by value (types, constants,
/// metadata strings): it maps a 64-bit hash to the arena ids carrying it, so
/// the arena holds the only copy of each key. A `HashMap<Key, Id>` would
/// clone every key (an extra heap allocation per constant or type) and hash
/// it twice per insertion. Callers hash once and compare candidates against
/// the arena themselves, which also lets them look up a borrowed form (a
/// slice of parameter types) without building an owned key.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdIndex {
    /// Hash → index into `entries` of the newest id with that hash.
    heads: HashMap<u64, u32>,
    /// (arena id, index of the previous entry with the same hash or
    /// `NONE`). Full 64-bit collisions are rare, so chains are short.
    entries: Vec<(u32, u32)>,
}

impl IdIndex {
    const NONE: u32 = u32::MAX;

    /// The first id with hash `hash` for which `is_match` holds.
    #[inline]
    pub(crate) fn find(&self, hash: u64, mut is_match: impl FnMut(u32) -> bool) -> Option<u32> {
        let mut e = *self.heads.get(&hash)?;
        while e != Self::NONE {
            let (id, prev) = self.entries[e as usize];
            if is_match(id) {
                return Some(id);
            }
            e = prev;
        }
        None
    }

    /// Records that arena item `id` has hash `hash` (the caller checked it
    /// is not there yet).
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, id: u32) {
        let e = self.entries.len() as u32;
        let prev = self.heads.insert(hash, e).unwrap_or(Self::NONE);
        self.entries.push((id, prev));
    }
}

#[cfg(test)]
mod tests {
    use super::hash_of;

    /// Names that differ only in their last characters must still reach
    /// most buckets of a table: `HashMap` picks a bucket from the low bits,
    /// and before `finish` mixed the state these 2^17 names shared a few
    /// hundred low-bit patterns (each lookup then compared names along a
    /// probe sequence thousands long).
    #[test]
    fn sequential_names_spread_over_the_low_bits() {
        let n = 1usize << 17;
        let mask = (n as u64) - 1;
        let mut hit = vec![false; n];
        for i in 0..n {
            for name in [format!("f{i}"), format!("v{i}"), format!("kernel_{i}")] {
                hit[(hash_of(name.as_str()) & mask) as usize] = true;
            }
        }
        let used = hit.iter().filter(|h| **h).count();
        // 3 * 2^17 names thrown at random into 2^17 buckets leave about 5 %
        // of them empty; ask for far less than that.
        assert!(used > n / 2, "{used} of {n} buckets used");
    }
}
