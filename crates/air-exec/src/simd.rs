//! Memory accesses with their checks, and the simdgroup-wide operations:
//! async copies and waits (docs/air-intrinsics.md#events-and-waits to
//! docs/air-intrinsics.md#2d-async-copy), simdgroup barriers, shuffles and
//! the simdgroup-matrix intrinsics (docs/air-intrinsics.md#simdgroup-matrix).
//! What the executor makes of them: docs/executor-semantics.md.

use std::ops::Range;

use air_ir::intrinsics::IntrinsicId;
use air_ir::types::TypeId;
use air_target::SIMD_WIDTH;

use crate::error::{malformed, unsupported, ErrorKind, ExecError, Result};
use crate::exec::{ranges, resume, Event, Machine, Span, State, Thread};
use crate::limits::MAX_WAIT_EVENTS;
use crate::math::FloatKind;
use crate::memory::{Region, Shadow};
use crate::ops::is_memory;
use crate::program::FnRef;
use crate::value::{Layout, Ptr, Space, Val};

/// A call instruction of the program.
type CallSite = (FnRef, air_ir::InstId);

impl<'p> Machine<'p> {
    fn region<'a>(&'a self, t: Option<&'a Thread>, p: Ptr) -> Result<&'a Region> {
        let r = match p.space {
            Space::Device => self.device.get(p.region as usize),
            Space::Threadgroup => self.tg.get(p.region as usize),
            Space::Global => self.globals.get(p.region as usize),
            Space::Private => t.and_then(|t| t.private.get(p.region as usize)),
            _ => None,
        };
        r.map_or_else(|| Err(bad_pointer(p)), Ok)
    }

    fn region_mut<'a>(&'a mut self, t: Option<&'a mut Thread>, p: Ptr) -> Result<&'a mut Region> {
        let r = match p.space {
            Space::Device => self.device.get_mut(p.region as usize),
            Space::Threadgroup => self.tg.get_mut(p.region as usize),
            Space::Global => self.globals.get_mut(p.region as usize),
            Space::Private => t.and_then(|t| t.private.get_mut(p.region as usize)),
            _ => None,
        };
        r.map_or_else(|| Err(bad_pointer(p)), Ok)
    }

    /// The in-flight error for an access that `shadow` forbids.
    fn hazard_error(
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

    /// Reads `len` bytes at `p` with every check (bounds, copies in flight, poison).
    pub(crate) fn read_bytes(
        &self,
        t: Option<&Thread>,
        sg: u32,
        p: Ptr,
        len: u64,
        access: &str,
    ) -> Result<Vec<u8>> {
        let r = self.region(t, p)?;
        let range = r.range(access, p.offset, len)?;
        if let Some((byte, s)) = r.hazard(&range, sg, false) {
            return Err(self.hazard_error(access, &r.name, byte, s, sg));
        }
        r.check_init(&range)?;
        Ok(r.bytes[range].to_vec())
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
        let hazard = {
            let r = self.region(t.as_deref(), p)?;
            let range = r.range(access, p.offset, bytes.len() as u64)?;
            r.hazard(&range, sg, true)
                .map(|(b, s)| (b, s, r.name.clone()))
        };
        if let Some((byte, s, name)) = hazard {
            return Err(self.hazard_error(access, &name, byte, s, sg));
        }
        let r = self.region_mut(t, p)?;
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
        let bytes = self.read_bytes(Some(t), t.sg, p, size, access)?;
        layout.decode(ty, &bytes)
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
        let mut bytes = vec![0u8; layout.store_size(ty)? as usize];
        layout.encode(ty, v, &mut bytes)?;
        let sg = t.sg;
        self.write_bytes(Some(t), sg, p, &bytes, access)?;
        Ok(())
    }

    /// Executes a simdgroup-wide call once all live lanes of simdgroup `sg`
    /// wait at it. Returns whether it did.
    pub(crate) fn resolve_simdgroup(&mut self, lanes: &mut [Thread], sg: u32) -> Result<bool> {
        let live: Vec<usize> = (0..lanes.len())
            .filter(|i| !matches!(lanes[*i].state, State::Done))
            .collect();
        let Some(&first) = live.first() else {
            return Ok(false);
        };
        let at_simd = |t: &Thread| matches!(&t.state, State::Blocked(p) if !crate::exec::is_barrier(p.intrinsic.id()));
        if !live.iter().any(|i| at_simd(&lanes[*i])) {
            return Ok(false);
        }
        // Every live lane must be at the very same call.
        let key = |t: &Thread| match &t.state {
            State::Blocked(p) => Some((p.site.0, p.site.1)),
            _ => None,
        };
        let k0 = key(&lanes[first]);
        if live.iter().any(|i| key(&lanes[*i]) != k0) || !live.iter().all(|i| at_simd(&lanes[*i])) {
            let mut groups: Vec<(Option<CallSite>, Vec<u32>)> = Vec::new();
            for i in &live {
                let k = key(&lanes[*i]);
                match groups.iter_mut().find(|(g, _)| *g == k) {
                    Some((_, v)) => v.push(lanes[*i].lane),
                    None => groups.push((k, vec![lanes[*i].lane])),
                }
            }
            let parts: Vec<String> = groups
                .iter()
                .map(|(k, ids)| match k {
                    Some((f, i)) => {
                        let (line, text) = self.describe_site(*f, *i);
                        format!("lanes {} at {line} `{text}`", ranges(ids))
                    }
                    None => format!("lanes {} elsewhere", ranges(ids)),
                })
                .collect();
            // Lanes at a threadgroup barrier while others are elsewhere: the
            // barrier is what cannot complete.
            let at_barrier = live.iter().any(|i| matches!(&lanes[*i].state, State::Blocked(p) if crate::exec::is_barrier(p.intrinsic.id())));
            let kind = if at_barrier {
                ErrorKind::BarrierDivergence(format!("in simdgroup {sg}: {}", parts.join("; ")))
            } else {
                ErrorKind::SimdDivergence(format!("in simdgroup {sg}: {}", parts.join("; ")))
            };
            return Err(ExecError::new(kind).at(|| self.site_of(&lanes[first])));
        }
        let State::Blocked(p) = &lanes[first].state else {
            return Ok(false);
        };
        let p = (**p).clone();
        let result = self.simd_op(lanes, &live, sg, &p);
        let results = match result {
            Ok(r) => r,
            Err(e) => return Err(e.at(|| self.site_of(&lanes[first]))),
        };
        for (n, i) in live.iter().enumerate() {
            resume(&mut lanes[*i], results.get(n).cloned().flatten());
        }
        Ok(true)
    }

    /// Operand `i` of every live lane must be the same (the call acts once
    /// for the simdgroup).
    fn uniform(&self, lanes: &[Thread], live: &[usize], what: &str, skip: &[usize]) -> Result<()> {
        let args = |i: usize| match &lanes[i].state {
            State::Blocked(p) => p.args.as_slice(),
            _ => &[],
        };
        let a0 = args(live[0]);
        for i in &live[1..] {
            let a = args(*i);
            for (n, (x, y)) in a0.iter().zip(a).enumerate() {
                if x != y && !skip.contains(&n) {
                    return Err(ErrorKind::NonUniformOperands {
                        what: what.to_string(),
                        detail: format!(
                            "operand {n} is {} in lane {} but {} in lane {}",
                            show(x),
                            lanes[live[0]].lane,
                            show(y),
                            lanes[*i].lane
                        ),
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// Runs the simdgroup-wide call `p`; one result per live lane.
    fn simd_op(
        &mut self,
        lanes: &mut [Thread],
        live: &[usize],
        sg: u32,
        p: &crate::exec::Pending,
    ) -> Result<Vec<Option<Val>>> {
        use IntrinsicId as I;
        let n = live.len();
        let (site_line, _) = self.describe_site(p.site.0, p.site.1);
        let id = p.intrinsic.id();
        match id {
            I::SimdgroupBarrier => {
                self.uniform(lanes, live, "simdgroup barrier", &[])?;
                Ok(vec![None; n])
            }
            I::AsyncCopy1dDeviceToThreadgroup
            | I::AsyncCopy1dThreadgroupToDevice
            | I::AsyncCopy2dDeviceToThreadgroup
            | I::AsyncCopy2dThreadgroupToDevice => {
                self.uniform(lanes, live, "async copy", &[])?;
                let ev = self.async_copy(id, sg, &p.args, &site_line)?;
                Ok(vec![Some(Val::Ptr(ev)); n])
            }
            I::WaitSimdgroupEvents => {
                self.wait(lanes, live, sg, p, &site_line)?;
                Ok(vec![None; n])
            }
            I::SimdShuffleXor => {
                let mut out = Vec::with_capacity(n);
                for i in live {
                    let State::Blocked(q) = &lanes[*i].state else {
                        return malformed("lane not blocked");
                    };
                    let m = q.args.get(1).map_or(Ok(0), Val::bits)?;
                    let other = (lanes[*i].lane as u64 ^ (m & 31)) as usize;
                    match lanes.get(other).map(|t| &t.state) {
                        Some(State::Blocked(o)) if o.site == p.site => out.push(o.args.first().cloned()),
                        _ => {
                            return Err(ErrorKind::SimdDivergence(format!(
                                "lane {} of simdgroup {sg} shuffles from lane {other}, which is not active at {site_line}",
                                lanes[*i].lane
                            ))
                            .into())
                        }
                    }
                }
                Ok(out)
            }
            I::SimdgroupMatrixMultiplyAccumulate => self.matrix_mma(lanes, live, sg, p),
            I::SimdgroupMatrixLoad | I::SimdgroupMatrixLoadLegacy => {
                self.uniform(lanes, live, "simdgroup matrix load", &[])?;
                self.need_full(lanes, live, sg)?;
                let (elem, kind_bytes) = self.matrix_elem(p, true)?;
                let addr = matrix_addressing(id, p.args.get(1..).unwrap_or_default())?;
                let base = p
                    .args
                    .first()
                    .map_or_else(|| malformed("missing operand"), Val::ptr)?;
                let mut m = vec![0u64; 64];
                for (r, row) in m.chunks_mut(8).enumerate() {
                    for (c, cell) in row.iter_mut().enumerate() {
                        if let Some(index) = addr.index(r as u64, c as u64) {
                            let at = Ptr {
                                offset: base
                                    .offset
                                    .wrapping_add(index.wrapping_mul(kind_bytes as i64)),
                                ..base
                            };
                            let b = self.read_bytes(
                                lanes.get(live[0]),
                                sg,
                                at,
                                kind_bytes,
                                "simdgroup matrix load",
                            )?;
                            *cell = le(&b);
                        }
                    }
                }
                let _ = elem;
                Ok(live
                    .iter()
                    .map(|i| Some(lane_vector(&m, lanes[*i].lane)))
                    .collect())
            }
            I::SimdgroupMatrixStore | I::SimdgroupMatrixStoreLegacy => {
                self.uniform(lanes, live, "simdgroup matrix store", &[0])?;
                self.need_full(lanes, live, sg)?;
                let (_, kind_bytes) = self.matrix_elem(p, false)?;
                let m = gather(lanes, live, 0)?;
                let addr = matrix_addressing(id, p.args.get(2..).unwrap_or_default())?;
                let base = p
                    .args
                    .get(1)
                    .map_or_else(|| malformed("missing operand"), Val::ptr)?;
                for r in 0..8u64 {
                    for c in 0..8u64 {
                        if let Some(index) = addr.index(r, c) {
                            let at = Ptr {
                                offset: base
                                    .offset
                                    .wrapping_add(index.wrapping_mul(kind_bytes as i64)),
                                ..base
                            };
                            let bits = m[(r * 8 + c) as usize].to_le_bytes();
                            let first = live[0];
                            self.write_bytes(
                                lanes.get_mut(first),
                                sg,
                                at,
                                &bits[..kind_bytes as usize],
                                "simdgroup matrix store",
                            )?;
                        }
                    }
                }
                Ok(vec![None; n])
            }
            other => crate::error::unsupported(format!("simdgroup-wide intrinsic {other:?}")),
        }
    }

    /// Simdgroup-matrix operations need every lane of a full simdgroup.
    fn need_full(&self, lanes: &[Thread], live: &[usize], sg: u32) -> Result<()> {
        if live.len() != SIMD_WIDTH as usize || lanes.len() != SIMD_WIDTH as usize {
            return Err(ErrorKind::SimdDivergence(format!(
                "simdgroup {sg} has {} active lanes, but simdgroup matrix operations need all {SIMD_WIDTH}",
                live.len()
            ))
            .into());
        }
        Ok(())
    }

    /// Element type and size of a matrix load (result) or store (operand 0).
    fn matrix_elem(&self, p: &crate::exec::Pending, load: bool) -> Result<(FloatKind, u64)> {
        let module = &self.prog.sources[p.decl.module].module;
        let f = module.function(p.decl.func);
        let Some((ret, params, _)) = module.types.function_parts(f.ty) else {
            return malformed("intrinsic type is not a function type");
        };
        let ty = if load {
            ret
        } else {
            params.first().copied().unwrap_or(ret)
        };
        let k = FloatKind::of(&module.types, ty)
            .map_or_else(|| malformed("matrix of non-float elements"), Ok)?;
        let bytes = match k {
            FloatKind::Half | FloatKind::BFloat => 2,
            FloatKind::Float => 4,
            FloatKind::Double => 8,
        };
        Ok((k, bytes))
    }

    /// `D = A × B + C` on 8×8 tiles held two elements per lane.
    fn matrix_mma(
        &mut self,
        lanes: &[Thread],
        live: &[usize],
        sg: u32,
        p: &crate::exec::Pending,
    ) -> Result<Vec<Option<Val>>> {
        self.need_full(lanes, live, sg)?;
        let module = &self.prog.sources[p.decl.module].module;
        let f = module.function(p.decl.func);
        let Some((ret, params, _)) = module.types.function_parts(f.ty) else {
            return malformed("intrinsic type is not a function type");
        };
        let kind = |ty: TypeId| {
            FloatKind::of(&module.types, ty)
                .map_or_else(|| malformed("matrix of non-float elements"), Ok)
        };
        let [pa, pb, _] = params else {
            return malformed("multiply-accumulate does not take three operands");
        };
        let (ka, kb, kc) = (kind(*pa)?, kind(*pb)?, kind(ret)?);
        let (a, b, c) = (
            gather(lanes, live, 0)?,
            gather(lanes, live, 1)?,
            gather(lanes, live, 2)?,
        );
        let mut d = vec![0u64; 64];
        for i in 0..8 {
            for j in 0..8 {
                // Accumulate in the result format, one fused step per k.
                let mut acc = c[i * 8 + j];
                for k in 0..8 {
                    let x = kc.round_bits(ka.to_f64(a[i * 8 + k]));
                    let y = kc.round_bits(kb.to_f64(b[k * 8 + j]));
                    acc = kc.fma(x, y, acc);
                }
                d[i * 8 + j] = acc;
            }
        }
        Ok(live
            .iter()
            .map(|i| Some(lane_vector(&d, lanes[*i].lane)))
            .collect())
    }

    /// Issues an async copy for simdgroup `sg`; returns its event pointer.
    fn async_copy(&mut self, id: IntrinsicId, sg: u32, args: &[Val], site: &str) -> Result<Ptr> {
        use IntrinsicId as I;
        let int = |i: usize| -> Result<u64> {
            args.get(i)
                .map_or_else(|| malformed("async copy with too few operands"), Val::bits)
        };
        let pair = |i: usize| -> Result<[u64; 2]> {
            let l = args.get(i).map_or_else(
                || malformed("async copy with too few operands"),
                |v| v.list(),
            )?;
            match l {
                [a, b] => Ok([a.bits()?, b.bits()?]),
                _ => malformed("tile operand is not a <2 x i64>"),
            }
        };
        let ptr = |i: usize| -> Result<Ptr> {
            args.get(i)
                .map_or_else(|| malformed("async copy with too few operands"), Val::ptr)
        };
        let to_tg = matches!(
            id,
            I::AsyncCopy1dDeviceToThreadgroup | I::AsyncCopy2dDeviceToThreadgroup
        );
        let (esize, dst, dst_pitch, dst_tile, src, src_pitch, src_tile, what) = match id {
            I::AsyncCopy1dDeviceToThreadgroup | I::AsyncCopy1dThreadgroupToDevice => {
                // The seed's hardware-run reading, (size, count, dst, src, 0)
                // (docs/air-intrinsics.md#open-question-1d-operand-order).
                let (size, count, stride) = (int(0)?, int(1)?, int(4)?);
                if stride != 0 {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "1D copy with stride operand {stride}; only 0 (contiguous, the seed's hardware-run form (size, count, dst, src, 0)) is known (docs/air-intrinsics.md#open-question-1d-operand-order)"
                    ))
                    .into());
                }
                (
                    size,
                    ptr(2)?,
                    count,
                    [count, 1],
                    ptr(3)?,
                    count,
                    [count, 1],
                    "1D",
                )
            }
            _ => {
                let (dst_stride, src_stride) = (int(4)?, int(8)?);
                if dst_stride != 1 || src_stride != 1 {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "2D copy with element stride dst {dst_stride}, src {src_stride}; only 1 is known (docs/air-intrinsics.md#2d-async-copy)"
                    ))
                    .into());
                }
                let offset = pair(10)?;
                if offset != [0, 0] {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "2D copy with offset operand <{}, {}>; only <0, 0> is known (docs/air-intrinsics.md#2d-async-copy)",
                        offset[0] as i64, offset[1] as i64
                    ))
                    .into());
                }
                let clamp = int(11)?;
                if clamp != 0 {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "2D copy with clamp mode {clamp} (clamp_to_edge); only 0 (clamp_to_zero) is known (docs/air-intrinsics.md#2d-async-copy)"
                    ))
                    .into());
                }
                (
                    int(0)?,
                    ptr(2)?,
                    int(3)?,
                    pair(5)?,
                    ptr(6)?,
                    int(7)?,
                    pair(9)?,
                    "2D",
                )
            }
        };
        if src_tile[0] > dst_tile[0] || src_tile[1] > dst_tile[1] {
            return Err(ErrorKind::UnverifiedCopy(format!(
                "{what} copy with a source tile <{}, {}> larger than its destination tile <{}, {}>; only zero-filling a larger destination is known (docs/air-intrinsics.md#tiles-padding-and-transposes)",
                src_tile[0], src_tile[1], dst_tile[0], dst_tile[1]
            ))
            .into());
        }
        let (want_dst, want_src) = if to_tg {
            (Space::Threadgroup, Space::Device)
        } else {
            (Space::Device, Space::Threadgroup)
        };
        for (p, want, role) in [(dst, want_dst, "destination"), (src, want_src, "source")] {
            if p.space != want {
                return Err(ErrorKind::BadPointer(format!(
                    "async copy {role} points to {:?} memory, but this copy's {role} must be {:?} memory",
                    p.space, want
                ))
                .into());
            }
        }
        let ev = self.events.len() as u32;
        let bytes = |n: u64| {
            n.checked_mul(esize).filter(|b| *b <= 1 << 32).map_or_else(
                || unsupported("async copy of more than 4 GiB"),
                |b| Ok(b as i64),
            )
        };
        let (row_dst, row_src) = (bytes(dst_pitch)?, bytes(src_pitch)?);
        let (w_dst, w_src) = (bytes(dst_tile[0])?, bytes(src_tile[0])?);
        let mut dst_spans: Vec<Span> = Vec::new();
        let mut src_spans: Vec<Span> = Vec::new();
        for r in 0..dst_tile[1] {
            let r = i64::try_from(r).unwrap_or(i64::MAX);
            let mut row = vec![0u8; w_dst as usize];
            if (r as u64) < src_tile[1] {
                let at = Ptr {
                    offset: src.offset.wrapping_add(r.wrapping_mul(row_src)),
                    ..src
                };
                let data = self.read_bytes(None, sg, at, w_src as u64, "async copy read")?;
                row[..data.len()].copy_from_slice(&data);
                let range = at.offset as usize..at.offset as usize + data.len();
                src_spans.push((src.space, src.region, range));
            }
            let at = Ptr {
                offset: dst.offset.wrapping_add(r.wrapping_mul(row_dst)),
                ..dst
            };
            let range = self.write_bytes(None, sg, at, &row, "async copy write")?;
            dst_spans.push((dst.space, dst.region, range));
        }
        for (space, region, range) in &dst_spans {
            let p = Ptr {
                space: *space,
                region: *region,
                offset: 0,
            };
            self.region_mut(None, p)?.set_shadow(range, Shadow::Dst(ev));
        }
        for (space, region, range) in &src_spans {
            let p = Ptr {
                space: *space,
                region: *region,
                offset: 0,
            };
            self.region_mut(None, p)?
                .replace_shadow(range, Shadow::Clear, Shadow::Src(ev));
        }
        if self.options.trace {
            let [x, y, z] = self.tg_pos;
            let dir = if to_tg {
                "device -> threadgroup"
            } else {
                "threadgroup -> device"
            };
            let (dn, sn) = (
                self.region(None, dst)?.name.clone(),
                self.region(None, src)?.name.clone(),
            );
            self.trace.push(format!(
                "tg ({x},{y},{z}) sg {sg}: copy #{ev} {what} {dir}, {}x{} of {esize}-byte elements from {sn}+{} to {dn}+{} (dst tile {}x{}) at {site}",
                src_tile[0], src_tile[1], src.offset, dst.offset, dst_tile[0], dst_tile[1]
            ));
        }
        self.events.push(Event {
            sg,
            to_threadgroup: to_tg,
            site: site.to_string(),
            dst: dst_spans,
            src: src_spans,
            waited_at: None,
        });
        Ok(Ptr {
            space: Space::Event,
            region: ev,
            offset: 0,
        })
    }

    /// `air.wait_simdgroup_events(count, slots)`: each lane reads `count`
    /// event pointers from its own slots; they must agree and belong to
    /// this simdgroup. The copies' destinations become readable by this
    /// simdgroup, and by the others after the next barrier.
    fn wait(
        &mut self,
        lanes: &[Thread],
        live: &[usize],
        sg: u32,
        p: &crate::exec::Pending,
        site: &str,
    ) -> Result<()> {
        let count = p
            .args
            .first()
            .map_or_else(|| malformed("wait without a count"), Val::bits)?;
        if count > MAX_WAIT_EVENTS {
            return unsupported(format!("waiting on {count} events at once"));
        }
        let mut first: Option<Vec<Ptr>> = None;
        for i in live {
            let t = &lanes[*i];
            let State::Blocked(q) = &t.state else {
                return malformed("lane not blocked");
            };
            if q.args.first() != p.args.first() {
                return Err(ErrorKind::NonUniformOperands {
                    what: "wait".into(),
                    detail: format!(
                        "the event count differs between lane {} and lane {}",
                        lanes[live[0]].lane, t.lane
                    ),
                }
                .into());
            }
            let slots = q
                .args
                .get(1)
                .map_or_else(|| malformed("wait without events"), Val::ptr)?;
            let mut evs = Vec::with_capacity(count as usize);
            for k in 0..count {
                let at = Ptr {
                    offset: slots.offset.wrapping_add(k as i64 * 8),
                    ..slots
                };
                let b = self.read_bytes(Some(t), sg, at, 8, "wait (event slot read)")?;
                evs.push(Ptr::decode(le(&b)));
            }
            match &first {
                None => first = Some(evs),
                Some(f) if *f != evs => {
                    return Err(ErrorKind::NonUniformOperands {
                        what: "wait".into(),
                        detail: format!(
                            "lane {} and lane {} wait on different events",
                            lanes[live[0]].lane, t.lane
                        ),
                    }
                    .into())
                }
                Some(_) => {}
            }
        }
        let evs = first.unwrap_or_default();
        let mut waited = Vec::new();
        for (k, e) in evs.iter().enumerate() {
            if e.space != Space::Event {
                return Err(ErrorKind::Event(format!(
                    "simdgroup {sg} waits at {site} on event slot {k}, which holds no event (no copy was stored there)"
                ))
                .into());
            }
            let Some(event) = self.events.get(e.region as usize) else {
                return Err(ErrorKind::Event(format!(
                    "event slot {k} holds an event of another threadgroup"
                ))
                .into());
            };
            if event.sg != sg {
                return Err(ErrorKind::Event(format!(
                    "simdgroup {sg} waits on copy #{} issued by simdgroup {}; events are per simdgroup",
                    e.region, event.sg
                ))
                .into());
            }
            if event.waited_at.is_some() {
                continue;
            }
            waited.push(e.region);
            let (dst, src) = (event.dst.clone(), event.src.clone());
            for (space, region, range) in dst {
                let p = Ptr {
                    space,
                    region,
                    offset: 0,
                };
                self.region_mut(None, p)?.replace_shadow(
                    &range,
                    Shadow::Dst(e.region),
                    Shadow::Pending(sg),
                );
                self.pending.push((space, region, range));
            }
            for (space, region, range) in src {
                let p = Ptr {
                    space,
                    region,
                    offset: 0,
                };
                self.region_mut(None, p)?.replace_shadow(
                    &range,
                    Shadow::Src(e.region),
                    Shadow::Clear,
                );
            }
            let mark = self.tg_barriers;
            if let Some(ev) = self.events.get_mut(e.region as usize) {
                ev.waited_at = Some(mark);
            }
        }
        if self.options.trace {
            let [x, y, z] = self.tg_pos;
            let ids: Vec<String> = evs.iter().map(|e| format!("#{}", e.region)).collect();
            self.trace.push(format!(
                "tg ({x},{y},{z}) sg {sg}: wait {} at {site}",
                ids.join(" ")
            ));
        }
        Ok(())
    }
}

fn bad_pointer(p: Ptr) -> ExecError {
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

fn show(v: &Val) -> String {
    match v {
        Val::Bits(b) => format!("{}", *b as i64),
        Val::Ptr(p) => format!("{:?} region {} + {}", p.space, p.region, p.offset),
        Val::List(l) => format!("<{}>", l.iter().map(show).collect::<Vec<_>>().join(", ")),
    }
}

fn le(b: &[u8]) -> u64 {
    let mut x = [0u8; 8];
    let n = b.len().min(8);
    x[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(x)
}

/// The (row, column) of the two matrix elements lane `lane` holds in
/// elements 0 and 1 of its `<64 x T>` (Morton order,
/// docs/air-intrinsics.md#register-layout).
pub(crate) fn lane_coords(lane: u32) -> (usize, usize) {
    let quad = lane / 4;
    let col = (quad & 2) * 2 + (lane % 2) * 2;
    let row = (quad / 4) * 4 + (lane / 2) % 4;
    (row as usize, col as usize)
}

/// A lane's `<64 x T>`: its two elements first, zeros after.
fn lane_vector(m: &[u64], lane: u32) -> Val {
    let (r, c) = lane_coords(lane);
    let mut v = vec![Val::Bits(0); 64];
    v[0] = Val::Bits(m[r * 8 + c]);
    v[1] = Val::Bits(m[r * 8 + c + 1]);
    Val::List(v)
}

/// The 8×8 matrix (row-major bits) that operand `arg` of every lane forms.
fn gather(lanes: &[Thread], live: &[usize], arg: usize) -> Result<Vec<u64>> {
    let mut m = vec![0u64; 64];
    for i in live {
        let State::Blocked(p) = &lanes[*i].state else {
            return malformed("lane not blocked");
        };
        let v = p
            .args
            .get(arg)
            .map_or_else(|| malformed("missing matrix operand"), |v| v.list())?;
        let (r, c) = lane_coords(lanes[*i].lane);
        m[r * 8 + c] = v.first().map_or(Ok(0), Val::bits)?;
        m[r * 8 + c + 1] = v.get(1).map_or(Ok(0), Val::bits)?;
    }
    Ok(m)
}

/// How a matrix load/store addresses element (row, col).
struct MatrixAddr {
    dims: [u64; 2],
    strides: [i64; 2],
    origin: [i64; 2],
    transpose: bool,
}

impl MatrixAddr {
    /// Element index from the base pointer, or `None` outside `dims`
    /// (loads read 0 there; stores skip it).
    fn index(&self, r: u64, c: u64) -> Option<i64> {
        let (r, c) = if self.transpose { (c, r) } else { (r, c) };
        let x = self.origin[0].checked_add(c as i64)?;
        let y = self.origin[1].checked_add(r as i64)?;
        if x < 0 || y < 0 || x as u64 >= self.dims[0] || y as u64 >= self.dims[1] {
            return None;
        }
        x.checked_mul(self.strides[0])?
            .checked_add(y.checked_mul(self.strides[1])?)
    }
}

/// AIR 2.8 form `(dims, strides, origin)`: element (r, c) is at
/// `(origin.x + c) * strides.x + (origin.y + r) * strides.y`, inside `dims`
/// (a transposed access swaps all three vectors, which this reads the
/// same way). Legacy form `(elements_per_row, origin, transpose)`.
fn matrix_addressing(id: IntrinsicId, args: &[Val]) -> Result<MatrixAddr> {
    let pair = |i: usize| -> Result<[u64; 2]> {
        match args.get(i).map(Val::list) {
            Some(Ok([a, b])) => Ok([a.bits()?, b.bits()?]),
            _ => malformed("matrix operand is not a <2 x i64>"),
        }
    };
    if matches!(
        id,
        IntrinsicId::SimdgroupMatrixLoad | IntrinsicId::SimdgroupMatrixStore
    ) {
        let (d, s, o) = (pair(0)?, pair(1)?, pair(2)?);
        Ok(MatrixAddr {
            dims: d,
            strides: [s[0] as i64, s[1] as i64],
            origin: [o[0] as i64, o[1] as i64],
            transpose: false,
        })
    } else {
        let epr = args
            .first()
            .map_or_else(|| malformed("missing operand"), Val::bits)?;
        let o = pair(1)?;
        let transpose = args.get(2).map_or(Ok(0), Val::bits)? & 1 == 1;
        Ok(MatrixAddr {
            dims: [u64::MAX, u64::MAX],
            strides: [1, epr as i64],
            origin: [o[0] as i64, o[1] as i64],
            transpose,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::lane_coords;

    #[test]
    fn morton_layout_covers_the_tile_once() {
        let mut seen = [[false; 8]; 8];
        for lane in 0..32 {
            let (r, c) = lane_coords(lane);
            assert!(!seen[r][c] && !seen[r][c + 1]);
            seen[r][c] = true;
            seen[r][c + 1] = true;
        }
        assert!(seen.iter().flatten().all(|b| *b));
    }
}
