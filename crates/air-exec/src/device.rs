//! Device memory shared by threadgroups: buffers and ordinary globals.
//!
//! Metal orders nothing between the threadgroups of one dispatch, so a
//! kernel whose threadgroups write the same bytes, or where one reads what
//! another writes, has a data race on the GPU. The executor makes that an
//! error and in exchange runs threadgroups in parallel with results that
//! do not depend on the number of workers:
//!
//! * every threadgroup sees the contents the run started with plus its own
//!   writes, through an [`Overlay`] of copy-on-write pages that also
//!   records, per byte, what it wrote and what it read before writing;
//! * finished threadgroups are merged in threadgroup order ([`Merged`]): a
//!   byte written by one threadgroup and read by another is a race,
//!   reported for the later of the two; a byte two threadgroups write
//!   keeps the later one's value (see [`RaceKind`]);
//! * the merged writes are applied to the buffers when the run ends.
//!
//! A run that executes atomics on device memory instead keeps one overlay
//! for all threadgroups, run one after another in order (see
//! `Shared::sequential`), which is today's model: later threadgroups see
//! earlier ones' writes.
//!
//! The overlay also holds the async-copy shadow words of device bytes
//! (which copy still writes or reads them), per threadgroup.

use std::ops::Range;

use crate::budget::MemAccount;
use crate::error::{ErrorKind, Result};
use crate::memory::{Shadow, CLEAR};

/// Bytes per page of an overlay.
pub(crate) const PAGE: usize = 1024;
const WORDS: usize = PAGE / 64;

/// A region shared by the whole run: a bound buffer or an ordinary global.
#[derive(Clone, Debug)]
pub(crate) struct Base {
    /// How errors name it: `buffer 1 (`dst`)`, `global @g`.
    pub name: String,
    /// The contents the run started with.
    pub bytes: Vec<u8>,
    /// Why the region cannot be used (a global whose initializer the
    /// executor cannot evaluate fails only if it is accessed).
    pub unusable: Option<ErrorKind>,
}

impl Base {
    /// The byte range of an access, or an out-of-bounds error.
    pub fn range(&self, access: &str, offset: i64, len: u64) -> Result<Range<usize>> {
        if let Some(e) = &self.unusable {
            return Err(e.clone().into());
        }
        crate::memory::checked_range(&self.name, self.bytes.len(), access, offset, len)
    }
}

/// Sets bits `lo..hi` (page offsets) of a bitmap.
fn set_bits(map: &mut [u64; WORDS], lo: usize, hi: usize) {
    for i in lo..hi {
        map[i / 64] |= 1 << (i % 64);
    }
}

fn bit(map: &[u64; WORDS], i: usize) -> bool {
    map[i / 64] >> (i % 64) & 1 == 1
}

/// One page of a threadgroup's view of a shared region.
#[derive(Debug)]
struct Page {
    /// The page's bytes once the threadgroup wrote any of them.
    data: Option<Box<[u8; PAGE]>>,
    /// Bytes the threadgroup wrote.
    written: [u64; WORDS],
    /// Bytes the threadgroup read before writing them.
    read: [u64; WORDS],
    /// Async-copy shadow words, once a copy touched the page.
    shadow: Option<Box<[u32; PAGE]>>,
}

/// Bytes a new page costs, and a page's data or shadow.
const PAGE_COST: u64 = std::mem::size_of::<Page>() as u64;
const DATA_COST: u64 = PAGE as u64;
const SHADOW_COST: u64 = 4 * PAGE as u64;

#[derive(Debug, Default)]
struct RegionOverlay {
    pages: Vec<Option<Box<Page>>>,
    /// Indices of the pages present, in the order they appeared.
    touched: Vec<u32>,
}

impl RegionOverlay {
    fn page(&mut self, p: usize, mem: &mut MemAccount<'_>) -> Result<&mut Page> {
        if self.pages.len() <= p {
            let grow = (p + 1 - self.pages.len()) as u64 * 8;
            mem.charge(grow, "a copy-on-write page of device memory")?;
            self.pages.resize_with(p + 1, || None);
        }
        if self.pages[p].is_none() {
            mem.charge(PAGE_COST, "a copy-on-write page of device memory")?;
            self.pages[p] = Some(Box::new(Page {
                data: None,
                written: [0; WORDS],
                read: [0; WORDS],
                shadow: None,
            }));
            self.touched.push(p as u32);
        }
        match self.pages[p].as_deref_mut() {
            Some(page) => Ok(page),
            None => crate::error::malformed("overlay page vanished"),
        }
    }

    fn existing(&self, p: usize) -> Option<&Page> {
        self.pages.get(p).and_then(|x| x.as_deref())
    }

    fn existing_mut(&mut self, p: usize) -> Option<&mut Page> {
        self.pages.get_mut(p).and_then(|x| x.as_deref_mut())
    }
}

/// Calls `f(page, lo, hi, start)` for each page a byte range spans, with the
/// range's part in page offsets `lo..hi` and its first region byte `start`.
fn by_page(
    range: &Range<usize>,
    mut f: impl FnMut(usize, usize, usize, usize) -> Result<()>,
) -> Result<()> {
    let mut at = range.start;
    while at < range.end {
        let p = at / PAGE;
        let end = ((p + 1) * PAGE).min(range.end);
        f(p, at - p * PAGE, end - p * PAGE, at)?;
        at = end;
    }
    Ok(())
}

/// A threadgroup's (or a sequential run's) view of the shared regions.
#[derive(Debug, Default)]
pub(crate) struct Overlay {
    regions: Vec<RegionOverlay>,
    /// Whether reads are recorded (for the race check).
    track_reads: bool,
    /// Bytes this overlay holds (charged to its threadgroup).
    pub bytes: u64,
}

impl Overlay {
    /// An empty overlay over `regions` shared regions.
    pub fn new(regions: usize, track_reads: bool) -> Self {
        Overlay {
            regions: (0..regions).map(|_| RegionOverlay::default()).collect(),
            track_reads,
            bytes: 0,
        }
    }

    fn region(&mut self, key: usize) -> Result<&mut RegionOverlay> {
        match self.regions.get_mut(key) {
            Some(r) => Ok(r),
            None => crate::error::malformed("shared region out of range"),
        }
    }

    /// Appends bytes `range` of shared region `key` as this overlay sees
    /// them to `out`, recording the reads.
    pub fn read(
        &mut self,
        base: &Base,
        key: usize,
        range: &Range<usize>,
        out: &mut Vec<u8>,
        mem: &mut MemAccount<'_>,
    ) -> Result<()> {
        let track = self.track_reads;
        let mut cost = 0;
        let r = self.region(key)?;
        let before = mem.used;
        let res = by_page(range, |p, lo, hi, start| {
            let page = r.page(p, mem)?;
            match &page.data {
                None => out.extend_from_slice(&base.bytes[start..start + hi - lo]),
                Some(data) => {
                    for i in lo..hi {
                        out.push(if bit(&page.written, i) {
                            data[i]
                        } else {
                            base.bytes[start + i - lo]
                        });
                    }
                }
            }
            if track {
                for i in lo..hi {
                    if !bit(&page.written, i) {
                        page.read[i / 64] |= 1 << (i % 64);
                    }
                }
            }
            Ok(())
        });
        cost += mem.used.saturating_sub(before);
        self.bytes += cost;
        res
    }

    /// Writes `bytes` at `range` of shared region `key`.
    pub fn write(
        &mut self,
        base: &Base,
        key: usize,
        range: &Range<usize>,
        bytes: &[u8],
        mem: &mut MemAccount<'_>,
    ) -> Result<()> {
        let r = self.region(key)?;
        let before = mem.used;
        let res = by_page(range, |p, lo, hi, start| {
            let page = r.page(p, mem)?;
            if page.data.is_none() {
                mem.charge(DATA_COST, "a copy-on-write page of device memory")?;
                let mut data = Box::new([0u8; PAGE]);
                let from = p * PAGE;
                let to = (from + PAGE).min(base.bytes.len());
                data[..to - from].copy_from_slice(&base.bytes[from..to]);
                page.data = Some(data);
            }
            if let Some(data) = page.data.as_deref_mut() {
                let src = start - range.start;
                data[lo..hi].copy_from_slice(&bytes[src..src + hi - lo]);
            }
            set_bits(&mut page.written, lo, hi);
            Ok(())
        });
        self.bytes += mem.used.saturating_sub(before);
        res
    }

    /// The first byte of `range` whose shadow forbids an access by
    /// simdgroup `sg` (`write` for stores), with what the shadow says.
    pub fn hazard(
        &self,
        key: usize,
        range: &Range<usize>,
        sg: u32,
        write: bool,
    ) -> Option<(usize, Shadow)> {
        let r = self.regions.get(key)?;
        let mut found = None;
        let _ = by_page(range, |p, lo, hi, start| {
            if found.is_some() {
                return Ok(());
            }
            if let Some(shadow) = r.existing(p).and_then(|pg| pg.shadow.as_deref()) {
                for (i, w) in shadow[lo..hi].iter().enumerate() {
                    if *w != CLEAR {
                        let s = Shadow::from_word(*w);
                        if s.forbids(sg, write) {
                            found = Some((start + i, s));
                            return Ok(());
                        }
                    }
                }
            }
            Ok(())
        });
        found
    }

    /// Sets the shadow of `range` to `s`.
    pub fn set_shadow(
        &mut self,
        key: usize,
        range: &Range<usize>,
        s: Shadow,
        mem: &mut MemAccount<'_>,
    ) -> Result<()> {
        let r = self.region(key)?;
        let before = mem.used;
        let w = s.word();
        let res = by_page(range, |p, lo, hi, _| {
            let page = r.page(p, mem)?;
            if page.shadow.is_none() {
                mem.charge(SHADOW_COST, "async-copy bookkeeping of device memory")?;
                page.shadow = Some(Box::new([CLEAR; PAGE]));
            }
            if let Some(sh) = page.shadow.as_deref_mut() {
                sh[lo..hi].iter_mut().for_each(|x| *x = w);
            }
            Ok(())
        });
        self.bytes += mem.used.saturating_sub(before);
        res
    }

    /// Replaces shadow words of `range` for which `from` holds by `to`.
    pub fn map_shadow(
        &mut self,
        key: usize,
        range: &Range<usize>,
        from: impl Fn(Shadow) -> bool,
        to: Shadow,
    ) {
        let Some(r) = self.regions.get_mut(key) else {
            return;
        };
        let t = to.word();
        let _ = by_page(range, |p, lo, hi, _| {
            if let Some(sh) = r.existing_mut(p).and_then(|pg| pg.shadow.as_deref_mut()) {
                for w in &mut sh[lo..hi] {
                    if *w != CLEAR && from(Shadow::from_word(*w)) {
                        *w = t;
                    }
                }
            }
            Ok(())
        });
    }

    /// Drops every shadow (a threadgroup ended: nothing carries over).
    pub fn clear_shadows(&mut self, mem: &mut MemAccount<'_>) {
        for r in &mut self.regions {
            for p in 0..r.touched.len() {
                let p = r.touched[p];
                if let Some(pg) = r.existing_mut(p as usize) {
                    if pg.shadow.take().is_some() {
                        mem.release(SHADOW_COST);
                        self.bytes = self.bytes.saturating_sub(SHADOW_COST);
                    }
                }
            }
        }
    }

    /// Whether this overlay wrote (or, with `read`, read before writing)
    /// byte `byte` of region `key`.
    pub fn touched(&self, key: usize, byte: usize, read: bool) -> bool {
        self.regions
            .get(key)
            .and_then(|r| r.existing(byte / PAGE))
            .is_some_and(|pg| bit(if read { &pg.read } else { &pg.written }, byte % PAGE))
    }

    /// Copies the written bytes into the shared regions (the end of a
    /// sequential run).
    pub fn apply(&self, bases: &mut [Base]) {
        for (r, base) in self.regions.iter().zip(bases.iter_mut()) {
            for p in &r.touched {
                let p = *p as usize;
                if let Some(Page {
                    data: Some(data),
                    written,
                    ..
                }) = r.existing(p)
                {
                    copy_written(written, data, &mut base.bytes, p * PAGE);
                }
            }
        }
    }
}

/// Copies the bytes of `data` marked in `written` to `dst` from `at`.
fn copy_written(written: &[u64; WORDS], data: &[u8; PAGE], dst: &mut [u8], at: usize) {
    for (w, word) in written.iter().enumerate() {
        if *word == 0 {
            continue;
        }
        for b in 0..64 {
            if word >> b & 1 == 1 {
                let i = w * 64 + b;
                if let Some(d) = dst.get_mut(at + i) {
                    *d = data[i];
                }
            }
        }
    }
}

/// How a threadgroup's access conflicts with an earlier threadgroup's.
///
/// Two threadgroups writing the same byte is not one of them: as for two
/// threads of one threadgroup, the executor lets the later write win (the
/// outcome of running the threadgroups in order), which the merge in
/// threadgroup order reproduces whatever the schedule. A read of bytes
/// another threadgroup writes is what the parallel run could not make
/// deterministic, and what a GPU leaves to its schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RaceKind {
    /// The later one wrote a byte the earlier one read.
    WriteAfterRead,
    /// The later one read a byte the earlier one wrote.
    ReadAfterWrite,
}

/// A race found when merging a threadgroup.
#[derive(Clone, Debug)]
pub(crate) struct Race {
    pub key: usize,
    pub byte: usize,
    pub kind: RaceKind,
    /// Threadgroups merged before that wrote (or read) the byte's page, in
    /// order: one of them made the earlier access.
    pub candidates: Vec<u32>,
}

#[derive(Debug)]
struct MergedPage {
    data: Box<[u8; PAGE]>,
    written: [u64; WORDS],
    read: [u64; WORDS],
    writers: Vec<u32>,
    readers: Vec<u32>,
}

/// Bytes a merged page costs (without its writer and reader lists).
const MERGED_COST: u64 = std::mem::size_of::<MergedPage>() as u64 + PAGE as u64;

/// What the threadgroups merged so far wrote and read.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    regions: Vec<Vec<Option<Box<MergedPage>>>>,
}

impl Merged {
    pub fn new(regions: usize) -> Self {
        Merged {
            regions: (0..regions).map(|_| Vec::new()).collect(),
        }
    }

    /// The first byte (by region, then offset) where `o` conflicts with
    /// what was merged before.
    pub fn check(&self, o: &Overlay) -> Option<Race> {
        for (key, r) in o.regions.iter().enumerate() {
            let mut pages: Vec<u32> = r.touched.clone();
            pages.sort_unstable();
            for p in pages {
                let p = p as usize;
                let (Some(pg), Some(Some(m))) =
                    (r.existing(p), self.regions.get(key).and_then(|v| v.get(p)))
                else {
                    continue;
                };
                for w in 0..WORDS {
                    let wr = pg.written[w] & m.read[w];
                    let rw = pg.read[w] & m.written[w];
                    let any = wr | rw;
                    if any == 0 {
                        continue;
                    }
                    let b = any.trailing_zeros() as usize;
                    let at = 1u64 << b;
                    let (kind, candidates) = if rw & at != 0 {
                        (RaceKind::ReadAfterWrite, m.writers.clone())
                    } else {
                        (RaceKind::WriteAfterRead, m.readers.clone())
                    };
                    return Some(Race {
                        key,
                        byte: p * PAGE + w * 64 + b,
                        kind,
                        candidates,
                    });
                }
            }
        }
        None
    }

    /// Adds overlay `o` of threadgroup `tg` (checked before); returns the
    /// bytes the merge state grew by.
    pub fn absorb(&mut self, o: &Overlay, tg: u32) -> u64 {
        let mut grew = 0;
        for (key, r) in o.regions.iter().enumerate() {
            let Some(pages) = self.regions.get_mut(key) else {
                continue;
            };
            for p in &r.touched {
                let p = *p as usize;
                let Some(pg) = r.existing(p) else { continue };
                let wrote = pg.written.iter().any(|w| *w != 0);
                let read = pg.read.iter().any(|w| *w != 0);
                if !wrote && !read {
                    continue;
                }
                if pages.len() <= p {
                    grew += (p + 1 - pages.len()) as u64 * 8;
                    pages.resize_with(p + 1, || None);
                }
                let m = pages[p].get_or_insert_with(|| {
                    grew += MERGED_COST;
                    Box::new(MergedPage {
                        data: Box::new([0; PAGE]),
                        written: [0; WORDS],
                        read: [0; WORDS],
                        writers: Vec::new(),
                        readers: Vec::new(),
                    })
                });
                if wrote {
                    if let Some(data) = &pg.data {
                        for w in 0..WORDS {
                            let word = pg.written[w];
                            if word == 0 {
                                continue;
                            }
                            for b in 0..64 {
                                if word >> b & 1 == 1 {
                                    m.data[w * 64 + b] = data[w * 64 + b];
                                }
                            }
                            m.written[w] |= word;
                        }
                    }
                    m.writers.push(tg);
                    grew += 4;
                }
                if read {
                    for w in 0..WORDS {
                        m.read[w] |= pg.read[w];
                    }
                    m.readers.push(tg);
                    grew += 4;
                }
            }
        }
        grew
    }

    /// Copies every merged write into the shared regions (the end of a run).
    pub fn apply(&self, bases: &mut [Base]) {
        for (pages, base) in self.regions.iter().zip(bases.iter_mut()) {
            for (p, m) in pages.iter().enumerate() {
                if let Some(m) = m {
                    copy_written(&m.written, &m.data, &mut base.bytes, p * PAGE);
                }
            }
        }
    }
}
