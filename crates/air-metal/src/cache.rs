//! Content-addressed keys and a thread-safe in-memory cache.
//!
//! A pipeline is determined by the shell's metallib bytes, its kernel
//! name, the MSL source of the visible functions, the function constants,
//! the compile options and the link mode; [`CacheKey::pipeline`] hashes
//! all of them with SHA-256 (each field tagged and length-prefixed, so no
//! two different inputs share an encoding). Shells are deterministic, so
//! the same spec gives the same key across runs.
//!
//! [`Cache`] is generic over the value so it is tested off a Mac; on Apple
//! targets it holds `MTLComputePipelineState`s (which are `Send + Sync`).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::options::{CompileOptions, FunctionConstants, LinkMode};

/// A SHA-256 content hash used as a cache key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// Starts a key of `kind` (a domain tag, e.g. `"pipeline"`).
    pub fn builder(kind: &str) -> KeyBuilder {
        let mut b = KeyBuilder {
            hasher: Sha256::new(),
        };
        b = b.field("air-metal/kind", kind.as_bytes());
        b
    }

    /// The key of a linked pipeline.
    pub fn pipeline(
        shell_metallib: &[u8],
        kernel: &str,
        msl_source: &str,
        constants: &FunctionConstants,
        options: &CompileOptions,
        link: LinkMode,
    ) -> CacheKey {
        CacheKey::builder("pipeline/1")
            .field("shell", shell_metallib)
            .field("kernel", kernel.as_bytes())
            .field("msl", msl_source.as_bytes())
            .field("constants", &constants.key_bytes())
            .field("options", &options.key_bytes())
            .field("link", link.name().as_bytes())
            .finish()
    }

    /// The key of a compiled MSL library (source and options only).
    pub fn msl_library(msl_source: &str, options: &CompileOptions) -> CacheKey {
        CacheKey::builder("msl-library/1")
            .field("msl", msl_source.as_bytes())
            .field("options", &options.key_bytes())
            .finish()
    }

    /// The key of a loaded shell library.
    pub fn shell_library(shell_metallib: &[u8]) -> CacheKey {
        CacheKey::builder("shell-library/1")
            .field("shell", shell_metallib)
            .finish()
    }

    /// Lower-case hex.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", &self.hex()[..16])
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

/// Builds a [`CacheKey`] from tagged fields.
pub struct KeyBuilder {
    hasher: Sha256,
}

impl fmt::Debug for KeyBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBuilder").finish_non_exhaustive()
    }
}

impl KeyBuilder {
    /// Adds a field: its tag and bytes, each length-prefixed.
    pub fn field(mut self, tag: &str, bytes: &[u8]) -> KeyBuilder {
        self.hasher.update((tag.len() as u64).to_le_bytes());
        self.hasher.update(tag.as_bytes());
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// The key.
    pub fn finish(self) -> CacheKey {
        CacheKey(self.hasher.finalize().into())
    }
}

/// Hit and miss counts of a [`Cache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to build the value (successfully or not).
    pub misses: u64,
    /// Values held.
    pub entries: usize,
}

type Slot<V> = Arc<Mutex<Option<V>>>;

/// A thread-safe map from [`CacheKey`] to `V`.
///
/// Building a value for one key does not block lookups or builds of other
/// keys; concurrent builds of the same key run once (the others wait and
/// get the result). A failed build caches nothing.
pub struct Cache<V> {
    slots: Mutex<HashMap<CacheKey, Slot<V>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl<V: Clone> fmt::Debug for Cache<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("stats", &self.stats())
            .finish()
    }
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            slots: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }
}

impl<V: Clone> Cache<V> {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self, key: CacheKey) -> Slot<V> {
        let mut map = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(key).or_default().clone()
    }

    /// The value for `key`, if built.
    pub fn get(&self, key: &CacheKey) -> Option<V> {
        let slot = {
            let map = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            map.get(key)?.clone()
        };
        let v = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if v.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        v
    }

    /// Stores `value` for `key`, replacing any.
    pub fn insert(&self, key: CacheKey, value: V) {
        let slot = self.slot(key);
        *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(value);
    }

    /// The value for `key`, building it with `build` on a miss.
    ///
    /// # Errors
    /// `build`'s error; nothing is cached then.
    pub fn get_or_try_insert_with<E>(
        &self,
        key: CacheKey,
        build: impl FnOnce() -> Result<V, E>,
    ) -> Result<V, E> {
        let slot = self.slot(key);
        let mut guard = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = guard.as_ref() {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(v.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let v = build()?;
        *guard = Some(v.clone());
        Ok(v)
    }

    /// Whether `key` has a value, without counting a hit.
    pub fn contains(&self, key: &CacheKey) -> bool {
        let slot = {
            let map = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            match map.get(key) {
                Some(s) => s.clone(),
                None => return false,
            }
        };
        let filled = slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some();
        filled
    }

    /// Drops every value.
    pub fn clear(&self) {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Hits, misses and the number of values held.
    pub fn stats(&self) -> CacheStats {
        let entries = {
            let map = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
            map.values()
                .filter(|s| s.try_lock().map(|g| g.is_some()).unwrap_or(false))
                .count()
        };
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_length_prefixed() {
        let a = CacheKey::builder("t")
            .field("x", b"ab")
            .field("y", b"c")
            .finish();
        let b = CacheKey::builder("t")
            .field("x", b"a")
            .field("y", b"bc")
            .finish();
        assert_ne!(a, b);
        let c = CacheKey::builder("t")
            .field("x", b"ab")
            .field("y", b"c")
            .finish();
        assert_eq!(a, c);
        assert_eq!(a.hex().len(), 64);
    }
}
