//! Memory regions: byte arrays with bounds, poison and in-flight shadows.
//!
//! Each buffer, threadgroup region, alloca and global is one [`Region`].
//! Threadgroup regions track which bytes were ever written (reading one
//! that was not is an error: it is how a copy that moved nothing shows
//! up). Regions that async copies can touch carry a shadow word per byte
//! saying whether a copy is still writing it, whether it is the source of
//! a copy in flight, or whether it was waited for by one simdgroup but not
//! yet published to the others by a barrier.

use std::ops::Range;

use crate::error::{ErrorKind, Result};

/// Shadow word: nothing pending.
pub(crate) const CLEAR: u32 = 0;
const KIND_SHIFT: u32 = 30;
const PAYLOAD: u32 = (1 << KIND_SHIFT) - 1;

/// What the shadow says about one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shadow {
    /// No copy involves it.
    Clear,
    /// Destination of copy `event`, not yet waited for.
    Dst(u32),
    /// Waited for by simdgroup `sg`; other simdgroups need a barrier first.
    Pending(u32),
    /// Source of copy `event`, not yet waited for (reads are fine).
    Src(u32),
}

impl Shadow {
    pub(crate) fn word(self) -> u32 {
        match self {
            Shadow::Clear => CLEAR,
            Shadow::Dst(e) => (1 << KIND_SHIFT) | (e & PAYLOAD),
            Shadow::Pending(s) => (2 << KIND_SHIFT) | (s & PAYLOAD),
            Shadow::Src(e) => (3 << KIND_SHIFT) | (e & PAYLOAD),
        }
    }

    pub(crate) fn from_word(w: u32) -> Shadow {
        match w >> KIND_SHIFT {
            1 => Shadow::Dst(w & PAYLOAD),
            2 => Shadow::Pending(w & PAYLOAD),
            3 => Shadow::Src(w & PAYLOAD),
            _ => Shadow::Clear,
        }
    }

    /// Whether this state forbids an access by simdgroup `sg` (`write` for
    /// stores).
    pub(crate) fn forbids(self, sg: u32, write: bool) -> bool {
        match self {
            Shadow::Clear => false,
            Shadow::Dst(_) => true,
            Shadow::Pending(owner) => owner != sg,
            Shadow::Src(_) => write,
        }
    }
}

/// The byte range `offset..offset + len` of a region of `size` bytes named
/// `name`, or an out-of-bounds error.
pub(crate) fn checked_range(
    name: &str,
    size: usize,
    access: &str,
    offset: i64,
    len: u64,
) -> Result<Range<usize>> {
    let size = size as u64;
    let ok = offset >= 0
        && (offset as u64)
            .checked_add(len)
            .is_some_and(|end| end <= size);
    if !ok {
        return Err(ErrorKind::OutOfBounds {
            access: access.to_string(),
            region: name.to_string(),
            offset,
            len,
            size,
        }
        .into());
    }
    let start = offset as usize;
    Ok(start..start + len as usize)
}

/// Who read a threadgroup byte since the last threadgroup barrier: what the
/// check that an async copy does not overwrite bytes still being read
/// needs (the run-time form of the spec rule "a copy into a region the
/// previous iteration may still be reading without a barrier between").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ReadMark {
    /// Threadgroup barriers passed when the byte was read, plus one (0: never read).
    pub epoch: u32,
    /// The simdgroups that read it in that epoch (bit per simdgroup).
    pub simdgroups: u32,
    /// The last read: an index into the machine's table of read sites.
    pub site: u32,
}

/// A contiguous piece of memory.
#[derive(Clone, Debug)]
pub(crate) struct Region {
    /// How errors name it: `buffer 1 (dst)`, `threadgroup @tg_buf`, ...
    pub name: String,
    /// The contents.
    pub bytes: Vec<u8>,
    /// Per byte: whether it was written (threadgroup memory only).
    pub init: Option<Vec<bool>>,
    /// Per byte shadow words (empty when no copy can touch the region).
    pub shadow: Vec<u32>,
    /// Why the region cannot be used (a global whose initializer the
    /// executor cannot evaluate fails only if it is accessed).
    pub unusable: Option<ErrorKind>,
    /// Per byte, who read it since the last barrier (threadgroup memory
    /// of kernels that copy into threadgroup memory; empty otherwise).
    pub reads: Vec<ReadMark>,
}

impl Region {
    /// A region with the given contents.
    pub fn new(name: String, bytes: Vec<u8>) -> Self {
        Region {
            name,
            bytes,
            init: None,
            shadow: Vec::new(),
            unusable: None,
            reads: Vec::new(),
        }
    }

    /// Turns on the record of reads since the last barrier.
    pub fn with_reads(mut self) -> Self {
        self.reads = vec![
            ReadMark {
                epoch: 0,
                simdgroups: 0,
                site: 0,
            };
            self.bytes.len()
        ];
        self
    }

    /// Records that simdgroup `sg` read `r` at `site` in barrier epoch `epoch`.
    pub fn mark_read(&mut self, r: &Range<usize>, sg: u32, epoch: u32, site: u32) {
        if let Some(marks) = self.reads.get_mut(r.clone()) {
            let bit = 1u32.checked_shl(sg).unwrap_or(0);
            for m in marks {
                if m.epoch == epoch {
                    m.simdgroups |= bit;
                } else {
                    m.epoch = epoch;
                    m.simdgroups = bit;
                }
                m.site = site;
            }
        }
    }

    /// The first byte of `r` read in barrier epoch `epoch`, with its mark.
    pub fn read_in(&self, r: &Range<usize>, epoch: u32) -> Option<(usize, ReadMark)> {
        let marks = self.reads.get(r.clone())?;
        marks
            .iter()
            .position(|m| m.epoch == epoch && m.simdgroups != 0)
            .map(|i| (r.start + i, marks[i]))
    }

    /// Turns on poison tracking, with every byte unwritten.
    pub fn poisoned(mut self) -> Self {
        self.init = Some(vec![false; self.bytes.len()]);
        self
    }

    /// Turns on the copy shadow.
    pub fn with_shadow(mut self) -> Self {
        self.shadow = vec![CLEAR; self.bytes.len()];
        self
    }

    /// The byte range of an access, or an out-of-bounds error.
    pub fn range(&self, access: &str, offset: i64, len: u64) -> Result<Range<usize>> {
        if let Some(e) = &self.unusable {
            return Err(e.clone().into());
        }
        checked_range(&self.name, self.bytes.len(), access, offset, len)
    }

    /// Checks that every byte of `r` was written, if poison is tracked.
    pub fn check_init(&self, r: &Range<usize>) -> Result<()> {
        if let Some(init) = &self.init {
            if let Some(i) = init[r.clone()].iter().position(|b| !b) {
                return Err(ErrorKind::PoisonRead {
                    region: self.name.clone(),
                    offset: (r.start + i) as u64,
                }
                .into());
            }
        }
        Ok(())
    }

    /// Marks `r` written.
    pub fn mark_init(&mut self, r: &Range<usize>) {
        if let Some(init) = &mut self.init {
            init[r.clone()].iter_mut().for_each(|b| *b = true);
        }
    }

    /// The first byte of `r` whose shadow conflicts with an access by
    /// simdgroup `sg` (`write` for stores), with what the shadow says.
    pub fn hazard(&self, r: &Range<usize>, sg: u32, write: bool) -> Option<(usize, Shadow)> {
        if self.shadow.is_empty() {
            return None;
        }
        for (i, w) in self.shadow[r.clone()].iter().enumerate() {
            if *w == CLEAR {
                continue;
            }
            let s = Shadow::from_word(*w);
            if s.forbids(sg, write) {
                return Some((r.start + i, s));
            }
        }
        None
    }

    /// Sets the shadow of `r` (no-op without a shadow).
    pub fn set_shadow(&mut self, r: &Range<usize>, s: Shadow) {
        if !self.shadow.is_empty() {
            let w = s.word();
            self.shadow[r.clone()].iter_mut().for_each(|x| *x = w);
        }
    }

    /// Replaces shadow `from` by `to` within `r`.
    pub fn replace_shadow(&mut self, r: &Range<usize>, from: Shadow, to: Shadow) {
        if !self.shadow.is_empty() {
            let (f, t) = (from.word(), to.word());
            self.shadow[r.clone()]
                .iter_mut()
                .filter(|x| **x == f)
                .for_each(|x| *x = t);
        }
    }
}
