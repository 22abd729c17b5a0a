//! The memory budget of a run ([`Options::memory_limit`](crate::Options::memory_limit)).
//!
//! What counts: the device buffers and ordinary globals of the run (fixed
//! at setup), and for each threadgroup while it runs its threadgroup
//! memory, its threads' call frames, allocas and vector or aggregate
//! values, and its copy-on-write pages of device memory. A threadgroup
//! fails when the fixed bytes plus its own would exceed the limit: that
//! test involves nothing other threadgroups do, so it gives the same
//! result for any number of worker threads.
//!
//! Threadgroups that run at the same time share one pool of `limit -
//! fixed` bytes, taken in chunks. A worker whose threadgroup needs more
//! than the pool has left waits for the others, except the worker with
//! the lowest-numbered threadgroup, which always goes on (so the run
//! always progresses). The process therefore holds at most about twice
//! the limit, whatever the number of workers.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::error::{ErrorKind, ExecError, Result};

/// Bytes a threadgroup takes from the shared pool at a time, so that most
/// charges touch no lock.
const CHUNK: u64 = 1 << 20;

#[derive(Debug)]
struct PoolState {
    /// Bytes not reserved by any threadgroup (negative when the lowest
    /// threadgroup or the merge went over).
    free: i64,
    /// Threadgroups running now, by linear index.
    running: BTreeSet<u32>,
}

/// The bytes shared by threadgroups that run at the same time.
#[derive(Debug)]
pub(crate) struct MemPool {
    /// The run's limit.
    pub limit: u64,
    /// Buffers and globals.
    pub fixed: u64,
    state: Mutex<PoolState>,
    wake: Condvar,
}

impl MemPool {
    pub fn new(limit: u64, fixed: u64) -> Self {
        MemPool {
            limit,
            fixed,
            state: Mutex::new(PoolState {
                free: i64::try_from(limit.saturating_sub(fixed)).unwrap_or(i64::MAX),
                running: BTreeSet::new(),
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // A poisoned lock only means another worker panicked; the counts
        // are still whole numbers.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Bytes a threadgroup may hold: the limit less the fixed bytes.
    pub fn allowance(&self) -> u64 {
        self.limit.saturating_sub(self.fixed)
    }

    /// Threadgroup `tg` starts running.
    pub fn enter(&self, tg: u32) {
        self.lock().running.insert(tg);
    }

    /// Threadgroup `tg` stops running.
    pub fn leave(&self, tg: u32) {
        self.lock().running.remove(&tg);
        self.wake.notify_all();
    }

    /// Reserves `bytes` for threadgroup `tg`, waiting while the pool is
    /// short unless `tg` is the lowest threadgroup running.
    pub fn acquire(&self, tg: u32, bytes: u64) {
        let want = i64::try_from(bytes).unwrap_or(i64::MAX);
        let mut st = self.lock();
        while st.free < want && st.running.first().is_some_and(|low| *low != tg) {
            st = self.wake.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        st.free = st.free.saturating_sub(want);
    }

    /// Reserves `bytes` without waiting (the merge of finished threadgroups).
    pub fn force(&self, bytes: u64) {
        let mut st = self.lock();
        st.free = st
            .free
            .saturating_sub(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    /// Returns `bytes` to the pool.
    pub fn release(&self, bytes: u64) {
        if bytes == 0 {
            return;
        }
        let mut st = self.lock();
        st.free = st
            .free
            .saturating_add(i64::try_from(bytes).unwrap_or(i64::MAX));
        drop(st);
        self.wake.notify_all();
    }
}

/// The bytes one worker's current threadgroup holds.
#[derive(Debug)]
pub(crate) struct MemAccount<'s> {
    pool: &'s MemPool,
    /// Bytes held now (the deterministic count the limit applies to).
    pub used: u64,
    /// Bytes reserved from the pool (at least `used`).
    reserved: u64,
    /// The threadgroup running, for the pool's wait rule.
    pub tg: u32,
}

impl<'s> MemAccount<'s> {
    pub fn new(pool: &'s MemPool) -> Self {
        MemAccount {
            pool,
            used: 0,
            reserved: 0,
            tg: 0,
        }
    }

    /// The error for holding `want` bytes.
    fn over(&self, want: u64, what: &str) -> ExecError {
        ExecError::new(ErrorKind::MemoryLimit(format!(
            "{what} would bring the threadgroup to {want} bytes on top of the run's {} bytes of buffers and globals, over the limit of {} bytes (raise it with --memory-limit)",
            self.pool.fixed, self.pool.limit
        )))
    }

    /// Fails if holding `bytes` more would go over the limit (nothing is
    /// charged): checked before building a large value.
    pub fn check(&self, bytes: u64, what: &str) -> Result<()> {
        let want = self.used.saturating_add(bytes);
        if want > self.pool.allowance() {
            return Err(self.over(want, what));
        }
        Ok(())
    }

    /// Charges `bytes`, or fails if the threadgroup would go over the limit.
    pub fn charge(&mut self, bytes: u64, what: &str) -> Result<()> {
        if bytes == 0 {
            return Ok(());
        }
        self.check(bytes, what)?;
        self.used += bytes;
        if self.used > self.reserved {
            let more = (self.used - self.reserved).max(CHUNK);
            self.pool.acquire(self.tg, more);
            self.reserved += more;
        }
        Ok(())
    }

    /// Gives back `bytes` charged before.
    pub fn release(&mut self, bytes: u64) {
        self.used = self.used.saturating_sub(bytes);
        if self.reserved > self.used + 4 * CHUNK {
            let back = self.reserved - self.used - CHUNK;
            self.pool.release(back);
            self.reserved -= back;
        }
    }

    /// Sets the count to `keep` bytes and returns everything reserved above it to the pool.
    pub fn reset(&mut self, keep: u64) {
        self.used = keep;
        if self.reserved > keep {
            self.pool.release(self.reserved - keep);
            self.reserved = keep;
        } else {
            self.pool.force(keep - self.reserved);
            self.reserved = keep;
        }
    }
}
