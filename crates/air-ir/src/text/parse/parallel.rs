//! Parsing a run of function bodies on several threads.
//!
//! Bodies are nearly all of the work on large inputs and independent of
//! each other except through the module's interned tables (types,
//! constants, metadata) and the `!N` slots. The run is split into
//! contiguous chunks in text order. The calling thread parses the first
//! chunk into the real parser; every other chunk gets a fork of the parser
//! state. The forks are then merged in chunk order: each fork's new table
//! entries are re-interned into the real tables in creation order, which
//! appends exactly the entries (and in the order) a sequential parse would
//! have appended, so even the arena layout matches the sequential result.
//! Then the ids in the fork's bodies are remapped.
//!
//! Anything unusual (a parse error, a named type first seen in a body)
//! makes the caller parse the whole input again sequentially, so errors are
//! always the sequential parser's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::{FxMap, MetaSlot, PResult, Parser};
use crate::constant::{ConstId, Constant};
use crate::inst::Value;
use crate::metadata::{MetaId, Metadata};
use crate::module::{FuncId, Module};
use crate::types::{Type, TypeId};

/// Below this much body text a run is parsed sequentially: forking and
/// merging cost more than the threads save.
pub(crate) const MIN_PARALLEL_BYTES: usize = 256 * 1024;

/// Chunks are at least this long (when there is enough text for one per
/// thread): each costs a fork of the tables and a merge.
const MIN_CHUNK_BYTES: usize = 256 * 1024;

/// At most this many chunks per thread.
const CHUNKS_PER_THREAD: usize = 4;

/// A fork and the result of parsing its chunk.
type Parsed<'a> = (Parser<'a>, PResult<()>);

/// Stack size of the worker threads.
const WORKER_STACK: usize = 8 << 20;

/// A deferred body: its function, the offset of its `{` and its share of
/// the text (up to the next deferred item), used to balance chunks. `u32`
/// as in `Deferred`: there is one per body.
#[derive(Clone, Copy, Debug)]
pub(super) struct BodyItem {
    pub(super) id: FuncId,
    pub(super) resume: u32,
    /// From its `{` to just past its `}`.
    pub(super) body_len: u32,
    pub(super) len: u32,
}

/// Table sizes at the fork: ids below them mean the same in every fork.
#[derive(Clone, Copy, Debug)]
struct Base {
    types: usize,
    consts: usize,
    metadata: usize,
}

/// Maps an id of a fork to the real table: ids below `base` are shared, the
/// others were recorded in `map` when their entry was merged. `None` if the
/// id is not from the fork (cannot happen: entries only name older ones).
#[inline]
fn remap(map: &[u32], base: usize, id: u32) -> Option<u32> {
    match (id as usize).checked_sub(base) {
        None => Some(id),
        Some(i) => map.get(i).copied(),
    }
}

/// Splits `items` into at most `k` non-empty contiguous chunks of about
/// equal text length: each cut goes where the text before it is closest to
/// its share.
fn split(items: &[BodyItem], k: usize) -> Vec<&[BodyItem]> {
    let n = items.len();
    let k = k.clamp(1, n.max(1));
    // prefix[i]: text length of items[..i].
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0usize);
    for b in items {
        prefix.push(prefix[prefix.len() - 1] + b.len as usize);
    }
    let total = prefix[n];
    let mut chunks = Vec::with_capacity(k);
    let mut last = 0;
    for c in 1..k {
        let target = total / k * c + total % k * c / k;
        // Leave at least one item for each chunk still to come.
        let (lo, hi) = (last + 1, n - (k - c));
        if lo > hi {
            break;
        }
        let mut j = prefix.partition_point(|&p| p < target).clamp(lo, hi);
        if j > lo && target - prefix[j - 1].min(target) < prefix[j].saturating_sub(target) {
            j -= 1;
        }
        chunks.push(&items[last..j]);
        last = j;
    }
    if last < n {
        chunks.push(&items[last..]);
    }
    chunks
}

impl<'a> Parser<'a> {
    /// Parses the bodies `items` (consecutive deferred items) on up to
    /// `threads` threads. An `Err` means "parse again sequentially"; its
    /// content is not meaningful.
    ///
    /// There are more chunks than threads, handed out in order to whichever
    /// thread is free: on a shared machine one thread may get less CPU than
    /// the others, and equal shares fixed up front would all wait for it.
    pub(super) fn parse_bodies_parallel(
        &mut self,
        items: &[BodyItem],
        threads: usize,
    ) -> PResult<()> {
        let threads = threads.max(1);
        let total: usize = items.iter().map(|b| b.len as usize).sum();
        let chunk_count = (total / MIN_CHUNK_BYTES).clamp(threads, threads * CHUNKS_PER_THREAD);
        let chunks = split(items, chunk_count);
        let base = Base {
            types: self.m.types.len(),
            consts: self.m.consts.len(),
            metadata: self.m.metadata.len(),
        };
        // Forks are made up front: the real parser changes once it parses
        // the first chunk, and a fork must see the state from before it.
        let slots: Vec<Mutex<Option<Parsed<'a>>>> = chunks
            .iter()
            .skip(1)
            .map(|chunk| Mutex::new(Some((self.fork(chunk), Ok(())))))
            .collect();
        let next = AtomicUsize::new(0);
        let rest = chunks.get(1..).unwrap_or_default();
        // Takes chunks (after the first) in order until none is left.
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let (Some(slot), Some(chunk)) = (slots.get(i), rest.get(i)) else {
                return;
            };
            let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((w, r)) = guard.as_mut() {
                *r = w.parse_chunk(chunk);
            }
        };
        let first = chunks.first().copied().unwrap_or_default();
        let r0 = std::thread::scope(|s| {
            for _ in 1..threads.min(chunks.len()) {
                // The stack a main thread usually has, so that nesting up to
                // the parser's depth cap fits as it does there.
                let spawned = std::thread::Builder::new()
                    .stack_size(WORKER_STACK)
                    .spawn_scoped(s, work);
                if spawned.is_err() {
                    break;
                }
            }
            let r0 = self.parse_chunk(first);
            // Whatever the other threads have not taken yet, this one does
            // (all of it if no thread could be started).
            work();
            r0
        });
        r0?;
        for (slot, chunk) in slots.into_iter().zip(rest) {
            let Some((w, r)) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) else {
                return Err(self.err("internal error: chunk lost"));
            };
            r?;
            if self.merge(w, base, chunk).is_none() {
                return Err(self.err("internal error: parallel merge"));
            }
        }
        Ok(())
    }

    /// Parses consecutive bodies as the sequential driver does.
    fn parse_chunk(&mut self, items: &[BodyItem]) -> PResult<()> {
        for b in items {
            self.seek(b.resume as usize);
            self.function_body(b.id, b.body_len as usize)?;
            if !self.at_top_level_start() {
                return Err(self.err("expected top-level entity"));
            }
        }
        Ok(())
    }

    /// A copy of the state that parsing the bodies `chunk` reads, with
    /// empty bodies.
    ///
    /// Of the functions it holds only the run from the chunk's first body
    /// to its last (function ids grow in text order, and so do the
    /// chunk's), as [`super::RunFunction`]s, with source-map slots for
    /// them: bodies read only their own function's header, and take other
    /// functions' and globals' addresses through the shared symbol table.
    /// A copy of the whole function table per fork (7 of them on 2
    /// threads) was most of `airlink fmt`'s memory on a module of many
    /// small functions.
    fn fork(&self, chunk: &[BodyItem]) -> Parser<'a> {
        let first = chunk.first().map_or(0, |b| b.id.0 as usize);
        let last = chunk.last().map_or(0, |b| b.id.0 as usize + 1);
        let run: Vec<super::RunFunction> = self
            .m
            .functions
            .get(first..last)
            .unwrap_or_default()
            .iter()
            .map(|f| super::RunFunction {
                ty: f.ty,
                params: f.params.clone(),
                blocks: Vec::new(),
                insts: Vec::new(),
            })
            .collect();
        let source_map = super::super::SourceMap::for_bodies(run.len());
        let m = Module {
            types: self.m.types.clone(),
            consts: self.m.consts.clone(),
            metadata: self.m.metadata.clone(),
            ..Module::default()
        };
        let mut fork = self.fork_with(m, source_map, true);
        fork.fn_base = first;
        fork.run = Some(run);
        fork
    }

    /// Moves the fork `w`'s bodies of `items` into this parser, re-interning
    /// the table entries `w` added after `base`. `None` if the fork did
    /// something a body parse cannot merge (the caller then starts over).
    fn merge(&mut self, mut w: Parser<'a>, base: Base, items: &[BodyItem]) -> Option<()> {
        let mut bad = false;

        // Types: components are always interned before what contains them,
        // so creation order lets every id be mapped when it is needed.
        let mut tmap: Vec<u32> = Vec::with_capacity(w.m.types.len() - base.types);
        for i in base.types..w.m.types.len() {
            let mut ty = w.m.types.get(TypeId(i as u32)).clone();
            if matches!(ty, Type::Named(_)) {
                // A struct first named in a body is never defined (types are
                // defined in pass one): an error the sequential parse reports.
                return None;
            }
            ty.for_each_type_mut(&mut |t| match remap(&tmap, base.types, t.0) {
                Some(x) => t.0 = x,
                None => bad = true,
            });
            tmap.push(self.m.types.intern(ty).0);
        }
        let mt = |t: &mut TypeId, bad: &mut bool| match remap(&tmap, base.types, t.0) {
            Some(x) => t.0 = x,
            None => *bad = true,
        };

        // Constants.
        let mut cmap: Vec<u32> = Vec::with_capacity(w.m.consts.len() - base.consts);
        for i in base.consts..w.m.consts.len() {
            let mut c: Constant = w.m.consts.get(ConstId(i as u32)).clone();
            mt(&mut c.ty, &mut bad);
            let mut tb = false;
            let mut cb = false;
            c.kind
                .for_each_id_mut(&mut |t| mt(t, &mut tb), &mut |k| match remap(
                    &cmap,
                    base.consts,
                    k.0,
                ) {
                    Some(x) => k.0 = x,
                    None => cb = true,
                });
            bad |= tb | cb;
            cmap.push(self.m.consts.intern(c).0);
        }
        let mc = |c: &mut ConstId, bad: &mut bool| match remap(&cmap, base.consts, c.0) {
            Some(x) => c.0 = x,
            None => *bad = true,
        };

        // Metadata: `!N` slots first reserved in the fork map to the real
        // slot (reserved now if still new); uniqued items are uniqued
        // again; the rest is appended.
        let new_slots: FxMap<u32, (u32, MetaSlot)> = w
            .meta_slots
            .iter()
            .filter(|(_, s)| s.id.0 as usize >= base.metadata)
            .map(|(n, s)| (s.id.0, (*n, *s)))
            .collect();
        let mut mmap: Vec<u32> = Vec::with_capacity(w.m.metadata.len() - base.metadata);
        for i in base.metadata..w.m.metadata.len() {
            if let Some(&(n, slot)) = new_slots.get(&(i as u32)) {
                let id = match self.meta_slots.get(&n) {
                    Some(s) => s.id,
                    None => {
                        let id = self.m.add_metadata(Metadata::Node {
                            operands: Vec::new(),
                            distinct: false,
                        });
                        self.meta_slots.insert(n, MetaSlot { id, ..slot });
                        id
                    }
                };
                mmap.push(id.0);
                continue;
            }
            let mut md = std::mem::replace(&mut w.m.metadata[i], Metadata::String(Vec::new()));
            let hash = crate::fxhash::hash_of(&md);
            let uniqued = w.meta_intern.find(hash, |x| x as usize == i).is_some();
            match &mut md {
                Metadata::String(_) => {}
                Metadata::Value { ty, value } => {
                    mt(ty, &mut bad);
                    match value {
                        Value::Const(c) => mc(c, &mut bad),
                        Value::Metadata(m) => match remap(&mmap, base.metadata, m.0) {
                            Some(x) => m.0 = x,
                            None => bad = true,
                        },
                        Value::Arg(_) | Value::Inst(_) => {}
                    }
                }
                Metadata::Node { operands, .. } => {
                    for m in operands.iter_mut().flatten() {
                        match remap(&mmap, base.metadata, m.0) {
                            Some(x) => m.0 = x,
                            None => bad = true,
                        }
                    }
                }
                Metadata::Di(n) => n.for_each_ref_mut(|m| match remap(&mmap, base.metadata, m.0) {
                    Some(x) => m.0 = x,
                    None => bad = true,
                }),
            }
            let id = if uniqued {
                self.intern_md(md)
            } else {
                self.m.add_metadata(md)
            };
            mmap.push(id.0);
        }
        let mm = |m: &mut MetaId, bad: &mut bool| match remap(&mmap, base.metadata, m.0) {
            Some(x) => m.0 = x,
            None => *bad = true,
        };

        // The bodies.
        let identity = tmap.is_empty() && cmap.is_empty() && mmap.is_empty();
        for b in items {
            let i = b.id.0 as usize;
            let wi = w.fn_index(b.id);
            let wf = w.run.as_mut()?.get_mut(wi)?;
            let blocks = std::mem::take(&mut wf.blocks);
            let mut insts = std::mem::take(&mut wf.insts);
            if !identity {
                for inst in &mut insts {
                    mt(&mut inst.ty, &mut bad);
                    inst.kind.for_each_operand_mut(|v| match v {
                        Value::Const(c) => mc(c, &mut bad),
                        Value::Metadata(m) => mm(m, &mut bad),
                        Value::Arg(_) | Value::Inst(_) => {}
                    });
                    let mut tb = false;
                    let mut cb = false;
                    inst.kind
                        .for_each_type_and_const_mut(&mut |t| mt(t, &mut tb), &mut |c| {
                            mc(c, &mut cb)
                        });
                    bad |= tb | cb;
                    for (_, m) in &mut inst.attachments {
                        mm(m, &mut bad);
                    }
                }
            }
            let f = self.m.functions.get_mut(i)?;
            f.blocks = blocks;
            f.insts = insts;
            self.source_map.take_body(i, &w.source_map, wi)?;
        }
        (!bad).then_some(())
    }
}
