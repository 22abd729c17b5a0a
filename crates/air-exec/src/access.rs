//! Memory accesses with their checks: bounds, async copies in flight,
//! poisoned threadgroup memory, the record of threadgroup reads since the
//! last barrier, and device memory through the threadgroup's copy-on-write
//! view (`device.rs`).

use std::ops::Range;

use air_ir::types::TypeId;

use crate::error::{ErrorKind, ExecError, Result};
use crate::exec::{Span, Thread};
use crate::machine::Machine;
use crate::memory::{Region, Shadow};
use crate::ops::is_memory;
use crate::value::{Layout, Ptr, Space, Val};

impl<'p> Machine<'p> {
    /// A threadgroup or private region.
    fn local<'a>(&'a self, t: Option<&'a Thread>, p: Ptr) -> Result<&'a Region> {
        let r = match p.space {
            Space::Threadgroup => self.tg.get(p.region as usize),
            Space::Private => t.and_then(|t| t.private.get(p.region as usize)),
            _ => None,
        };
        r.map_or_else(|| Err(bad_pointer(p)), Ok)
    }

    /// The in-flight error for an access that `shadow` forbids.
    pub(crate) fn hazard_error(
        &self,
        access: &str,
        region: &str,
        byte: usize,
        s: Shadow,
        sg: u32,
    ) -> ExecError {
        let event = |e: u32| {
            self.events.get(e as usize).map_or_else(
                || format!("async copy #{e}"),
                |ev| {
                    format!(
                        "async copy #{e} (issued by simdgroup {} at {})",
                        ev.sg, ev.site
                    )
                },
            )
        };
        let msg = match s {
            Shadow::Dst(e) => format!(
                "{access} by simdgroup {sg} touches byte {byte} of {region}, which {} is still writing; wait for the copy first",
                event(e)
            ),
            Shadow::Pending(owner) => format!(
                "{access} by simdgroup {sg} touches byte {byte} of {region}, which simdgroup {owner} waited for, but no threadgroup barrier has made it visible to other simdgroups yet"
            ),
            Shadow::Src(e) => format!(
                "{access} by simdgroup {sg} overwrites byte {byte} of {region}, which {} is still reading; wait for the copy first",
                event(e)
            ),
            Shadow::Clear => format!("{access} of byte {byte} of {region}"),
        };
        ErrorKind::InFlight(msg).into()
    }

    /// Records the first access to the watched byte (race reports).
    fn watch_access(&mut self, t: Option<&Thread>, key: usize, range: &Range<usize>, write: bool) {
        let Some(w) = &self.watch else { return };
        if w.hit.is_some() || w.key != key || w.write != write || !range.contains(&w.byte) {
            return;
        }
        // A read counts only if this threadgroup has not written the byte.
        if !write && self.overlay.touched(key, w.byte, false) {
            return;
        }
        let site = match t {
            Some(t) => self.site_of(t),
            None => self.group_site(None, None),
        };
        if let Some(w) = &mut self.watch {
            w.hit = Some(site);
        }
    }

    /// Appends the `len` bytes at `p` to `out` with every check (bounds,
    /// copies in flight, poison). A read of threadgroup memory by a thread
    /// (`t`) is recorded for the copy-overwrites-read check.
    pub(crate) fn read_into(
        &mut self,
        t: Option<&Thread>,
        sg: u32,
        p: Ptr,
        len: u64,
        access: &str,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        if let Some(key) = self.sh.key(p) {
            let base = &self.sh.bases[key];
            let range = base.range(access, p.offset, len)?;
            if let Some((byte, s)) = self.overlay.hazard(key, &range, sg, false) {
                return Err(self.hazard_error(access, &base.name, byte, s, sg));
            }
            self.watch_access(t, key, &range, false);
            return self.overlay.read(base, key, &range, out, &mut self.mem);
        }
        let r = self.local(t, p)?;
        let range = r.range(access, p.offset, len)?;
        if let Some((byte, s)) = r.hazard(&range, sg, false) {
            return Err(self.hazard_error(access, &r.name, byte, s, sg));
        }
        r.check_init(&range)?;
        out.extend_from_slice(&r.bytes[range.clone()]);
        if p.space == Space::Threadgroup && !r.reads.is_empty() {
            if let Some(site) = t.and_then(|t| self.current_inst(t)) {
                let id = self.read_site(site);
                let epoch = self.epoch();
                if let Some(r) = self.tg.get_mut(p.region as usize) {
                    r.mark_read(&range, sg, epoch, id);
                }
            }
        }
        Ok(())
    }

    /// The `len` bytes at `p`, with every check.
    pub(crate) fn read_bytes(
        &mut self,
        t: Option<&Thread>,
        sg: u32,
        p: Ptr,
        len: u64,
        access: &str,
    ) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(len as usize);
        self.read_into(t, sg, p, len, access, &mut out)?;
        Ok(out)
    }

    /// The barrier epoch of threadgroup reads (threadgroup barriers passed, plus one).
    pub(crate) fn epoch(&self) -> u32 {
        u32::try_from(self.tg_barriers + 1).unwrap_or(u32::MAX)
    }

    /// Writes `bytes` at `p` with every check; returns the range written.
    pub(crate) fn write_bytes(
        &mut self,
        t: Option<&mut Thread>,
        sg: u32,
        p: Ptr,
        bytes: &[u8],
        access: &str,
    ) -> Result<Range<usize>> {
        if let Some(key) = self.sh.key(p) {
            let base = &self.sh.bases[key];
            let range = base.range(access, p.offset, bytes.len() as u64)?;
            if let Some((byte, s)) = self.overlay.hazard(key, &range, sg, true) {
                return Err(self.hazard_error(access, &base.name, byte, s, sg));
            }
            self.watch_access(t.as_deref(), key, &range, true);
            self.overlay
                .write(base, key, &range, bytes, &mut self.mem)?;
            return Ok(range);
        }
        let hazard = {
            let r = self.local(t.as_deref(), p)?;
            let range = r.range(access, p.offset, bytes.len() as u64)?;
            r.hazard(&range, sg, true)
                .map(|(b, s)| (b, s, r.name.clone()))
        };
        if let Some((byte, s, name)) = hazard {
            return Err(self.hazard_error(access, &name, byte, s, sg));
        }
        let r = match p.space {
            Space::Threadgroup => self.tg.get_mut(p.region as usize),
            Space::Private => t.and_then(|t| t.private.get_mut(p.region as usize)),
            _ => None,
        };
        let r = r.map_or_else(|| Err(bad_pointer(p)), Ok)?;
        let range = r.range(access, p.offset, bytes.len() as u64)?;
        r.bytes[range.clone()].copy_from_slice(bytes);
        r.mark_init(&range);
        Ok(range)
    }

    /// A typed load by thread `t`.
    pub(crate) fn load(&mut self, t: &Thread, p: Ptr, ty: TypeId, access: &str) -> Result<Val> {
        let types = &self.prog.sources[t.frames.last().map_or(0, |f| f.f.module)]
            .module
            .types;
        let layout = Layout::new(types);
        let size = layout.store_size(ty)?;
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        let r = self
            .read_into(Some(t), t.sg, p, size, access, &mut buf)
            .and_then(|()| layout.decode(ty, &buf));
        self.scratch = buf;
        r
    }

    /// A typed store by thread `t`.
    pub(crate) fn store(
        &mut self,
        t: &mut Thread,
        p: Ptr,
        ty: TypeId,
        v: &Val,
        access: &str,
    ) -> Result<()> {
        let prog = self.prog;
        let types = &prog.sources[t.frames.last().map_or(0, |f| f.f.module)]
            .module
            .types;
        let layout = Layout::new(types);
        let size = layout.store_size(ty)? as usize;
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        buf.resize(size, 0);
        let sg = t.sg;
        let r = layout
            .encode(ty, v, &mut buf)
            .and_then(|()| self.write_bytes(Some(t), sg, p, &buf, access).map(|_| ()));
        self.scratch = buf;
        r
    }

    /// Sets the copy shadow of a span to `s`.
    pub(crate) fn set_shadow(&mut self, span: &Span, s: Shadow) -> Result<()> {
        let (space, region, range) = span;
        let p = Ptr {
            space: *space,
            region: *region,
            offset: 0,
        };
        if let Some(key) = self.sh.key(p) {
            return self.overlay.set_shadow(key, range, s, &mut self.mem);
        }
        if let Some(r) = self
            .tg
            .get_mut(*region as usize)
            .filter(|_| *space == Space::Threadgroup)
        {
            r.set_shadow(range, s);
        }
        Ok(())
    }

    /// Replaces shadow `from` by `to` within a span.
    pub(crate) fn replace_shadow(&mut self, span: &Span, from: Shadow, to: Shadow) {
        let (space, region, range) = span;
        let p = Ptr {
            space: *space,
            region: *region,
            offset: 0,
        };
        if let Some(key) = self.sh.key(p) {
            self.overlay.map_shadow(key, range, |s| s == from, to);
        } else if let Some(r) = self
            .tg
            .get_mut(*region as usize)
            .filter(|_| *space == Space::Threadgroup)
        {
            r.replace_shadow(range, from, to);
        }
    }

    /// The instruction thread `t` is at (the call, for a blocked thread).
    pub(crate) fn current_inst(
        &self,
        t: &Thread,
    ) -> Option<(crate::program::FnRef, air_ir::InstId)> {
        let fr = t.frames.last()?;
        let func = self
            .prog
            .sources
            .get(fr.f.module)?
            .module
            .functions
            .get(fr.f.func.0 as usize)?;
        let id = *func.blocks.get(fr.block)?.insts.get(fr.idx)?;
        Some((fr.f, id))
    }

    /// The name of the region `p` points into.
    pub(crate) fn region_name(&self, p: Ptr) -> Result<String> {
        if let Some(key) = self.sh.key(p) {
            return Ok(self.sh.bases[key].name.clone());
        }
        self.local(None, p).map(|r| r.name.clone())
    }
}

pub(crate) fn bad_pointer(p: Ptr) -> ExecError {
    let what = match p.space {
        Space::Null => "a null (or non-pointer) address".to_string(),
        Space::Event => "an async-copy event".to_string(),
        Space::Function => "a function".to_string(),
        s if is_memory(&p) => format!(
            "{s:?} region {} that does not exist (a dangling pointer?)",
            p.region
        ),
        s => format!("{s:?}"),
    };
    ErrorKind::BadPointer(format!("access through a pointer to {what}")).into()
}
