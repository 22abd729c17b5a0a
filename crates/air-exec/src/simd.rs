//! The simdgroup-wide operations: async copies and waits (air.md
//! §2.7–2.10), simdgroup barriers and shuffles; the simdgroup-matrix
//! intrinsics (§2.12) are in `matrix.rs`.

use air_ir::intrinsics::IntrinsicId;
use air_target::SIMD_WIDTH;

use crate::error::{malformed, unsupported, ErrorKind, ExecError, Result};
use crate::exec::{ranges, resume, Event, Span, State, Thread};
use crate::limits::MAX_WAIT_EVENTS;
use crate::machine::Machine;
use crate::memory::Shadow;
use crate::program::FnRef;
use crate::value::{Ptr, Space, Val};

/// A call instruction of the program.
type CallSite = (FnRef, air_ir::InstId);

impl<'p> Machine<'p> {
    /// Executes a simdgroup-wide call once all live lanes of simdgroup `sg`
    /// wait at it. Returns whether it did.
    pub(crate) fn resolve_simdgroup(&mut self, lanes: &mut [Thread], sg: u32) -> Result<bool> {
        // At most 32 lanes: an array, not an allocation per call.
        let mut buf = [0usize; SIMD_WIDTH as usize];
        let mut n = 0;
        for (i, t) in lanes.iter().enumerate().take(buf.len()) {
            if !matches!(t.state, State::Done) {
                buf[n] = i;
                n += 1;
            }
        }
        let live = &buf[..n];
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
            for i in live {
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
        let p = *p;
        let result = self.simd_op(lanes, live, sg, &p);
        let results = match result {
            Ok(r) => r,
            Err(e) => return Err(e.at(|| self.site_of(&lanes[first]))),
        };
        let mut results = results.into_iter();
        for i in live {
            resume(&mut lanes[*i], results.next().flatten());
        }
        Ok(true)
    }

    /// Operand `i` of every live lane must be the same (the call acts once
    /// for the simdgroup).
    pub(crate) fn uniform(
        &self,
        lanes: &[Thread],
        live: &[usize],
        what: &str,
        skip: &[usize],
    ) -> Result<()> {
        let args = |i: usize| match &lanes[i].state {
            State::Blocked(_) => lanes[i].args.as_slice(),
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
        // Formatting the site costs more than most operations: only copies,
        // waits and errors need it.
        let site_line = || self.describe_site(p.site.0, p.site.1).0;
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
                let line = site_line();
                let args = lanes[live[0]].args.clone();
                let ev = self.async_copy(id, sg, &args, &line, lanes.get_mut(live[0]))?;
                Ok(vec![Some(Val::Ptr(ev)); n])
            }
            I::WaitSimdgroupEvents => {
                let line = site_line();
                self.wait(lanes, live, sg, &line)?;
                Ok(vec![None; n])
            }
            I::SimdShuffleXor => {
                let mut out = Vec::with_capacity(n);
                for i in live {
                    let State::Blocked(_) = &lanes[*i].state else {
                        return malformed("lane not blocked");
                    };
                    let m = lanes[*i].args.get(1).map_or(Ok(0), Val::bits)?;
                    let other = (lanes[*i].lane as u64 ^ (m & 31)) as usize;
                    match lanes.get(other).map(|t| (&t.state, t)) {
                        Some((State::Blocked(o), t)) if o.site == p.site => out.push(t.args.first().cloned()),
                        _ => {
                            return Err(ErrorKind::SimdDivergence(format!(
                                "lane {} of simdgroup {sg} shuffles from lane {other}, which is not active at {}",
                                lanes[*i].lane,
                                site_line()
                            ))
                            .into())
                        }
                    }
                }
                Ok(out)
            }
            I::SimdgroupMatrixMultiplyAccumulate => self.matrix_mma(lanes, live, sg, p),
            I::SimdgroupMatrixLoad | I::SimdgroupMatrixLoadLegacy => {
                self.matrix_load(lanes, live, sg, p)
            }
            I::SimdgroupMatrixStore | I::SimdgroupMatrixStoreLegacy => {
                self.matrix_store(lanes, live, sg, p)
            }
            other => crate::error::unsupported(format!("simdgroup-wide intrinsic {other:?}")),
        }
    }

    /// Issues an async copy for simdgroup `sg`; returns its event pointer.
    fn async_copy(
        &mut self,
        id: IntrinsicId,
        sg: u32,
        args: &[Val],
        site: &str,
        mut issuer: Option<&mut Thread>,
    ) -> Result<Ptr> {
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
            match l.as_ref() {
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
                // The seed's hardware-run reading (air.md §2.9): (size, count, dst, src, 0).
                let (size, count, stride) = (int(0)?, int(1)?, int(4)?);
                if stride != 0 {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "1D copy with stride operand {stride}; only 0 (contiguous, the seed's hardware-run form (size, count, dst, src, 0)) is known (air.md §2.9)"
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
                        "2D copy with element stride dst {dst_stride}, src {src_stride}; only 1 is known (air.md §2.10)"
                    ))
                    .into());
                }
                let offset = pair(10)?;
                if offset != [0, 0] {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "2D copy with offset operand <{}, {}>; only <0, 0> is known (air.md §2.10)",
                        offset[0] as i64, offset[1] as i64
                    ))
                    .into());
                }
                let clamp = int(11)?;
                if clamp != 0 {
                    return Err(ErrorKind::UnverifiedCopy(format!(
                        "2D copy with clamp mode {clamp} (clamp_to_edge); only 0 (clamp_to_zero) is known (air.md §2.10)"
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
                "{what} copy with a source tile <{}, {}> larger than its destination tile <{}, {}>; only zero-filling a larger destination is known (air.md §2.10)",
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
        // Work: the destination tile's bytes, a unit per 8.
        self.charge_work((w_dst as u64).saturating_mul(dst_tile[1]).div_ceil(8))?;
        self.mem.check(w_dst as u64, "an async copy's row")?;
        let mut dst_spans: Vec<Span> = Vec::new();
        let mut src_spans: Vec<Span> = Vec::new();
        let mut row = Vec::with_capacity(w_dst as usize);
        for r in 0..dst_tile[1] {
            let r = i64::try_from(r).unwrap_or(i64::MAX);
            row.clear();
            if (r as u64) < src_tile[1] {
                let at = Ptr {
                    offset: src.offset.wrapping_add(r.wrapping_mul(row_src)),
                    ..src
                };
                // Only device reads need the issuer (to locate races);
                // reading the threadgroup source is the copy's, not a
                // thread's, so it is not recorded as a read.
                let reader = issuer.as_deref().filter(|_| to_tg);
                self.read_into(reader, sg, at, w_src as u64, "async copy read", &mut row)?;
                let range = at.offset as usize..at.offset as usize + row.len();
                src_spans.push((src.space, src.region, range));
            }
            row.resize(w_dst as usize, 0);
            let at = Ptr {
                offset: dst.offset.wrapping_add(r.wrapping_mul(row_dst)),
                ..dst
            };
            if to_tg {
                self.check_overwrite(at, w_dst as u64, ev, sg, site)?;
            }
            let range =
                self.write_bytes(issuer.as_deref_mut(), sg, at, &row, "async copy write")?;
            dst_spans.push((dst.space, dst.region, range));
        }
        for span in &dst_spans {
            self.set_shadow(span, Shadow::Dst(ev))?;
        }
        for span in &src_spans {
            self.replace_shadow(span, Shadow::Clear, Shadow::Src(ev));
        }
        if self.sh.options.trace {
            let [x, y, z] = self.tg_pos;
            let dir = if to_tg {
                "device -> threadgroup"
            } else {
                "threadgroup -> device"
            };
            let (dn, sn) = (self.region_name(dst)?, self.region_name(src)?);
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

    /// The check that a device-to-threadgroup copy does not overwrite bytes
    /// a simdgroup read since the last threadgroup barrier (the previous
    /// iteration of a loop may still be reading them on a GPU).
    fn check_overwrite(&self, at: Ptr, len: u64, ev: u32, sg: u32, site: &str) -> Result<()> {
        let Some(r) = self.tg.get(at.region as usize) else {
            return Ok(());
        };
        // Bad ranges are the write's to report.
        let Ok(range) = r.range("async copy write", at.offset, len) else {
            return Ok(());
        };
        let Some((byte, mark)) = r.read_in(&range, self.epoch()) else {
            return Ok(());
        };
        let readers: Vec<u32> = (0..32).filter(|s| mark.simdgroups >> s & 1 == 1).collect();
        let who = match readers.as_slice() {
            [one] => format!("simdgroup {one}"),
            many => format!("simdgroups {}", ranges(many)),
        };
        let read_at = self
            .read_sites
            .get(mark.site as usize)
            .map(|(f, i)| {
                let (line, text) = self.describe_site(*f, *i);
                format!(" (last at {line} `{text}`)")
            })
            .unwrap_or_default();
        Err(ErrorKind::CopyOverwritesRead(format!(
            "copy #{ev} issued by simdgroup {sg} at {site} writes byte {byte} of {}, which {who} read{read_at} since the last threadgroup barrier; put a threadgroup barrier between the reads and the copy",
            r.name
        ))
        .into())
    }

    /// `air.wait_simdgroup_events(count, slots)`: each lane reads `count`
    /// event pointers from its own slots; they must agree and belong to
    /// this simdgroup. The copies' destinations become readable by this
    /// simdgroup, and by the others after the next barrier.
    fn wait(&mut self, lanes: &[Thread], live: &[usize], sg: u32, site: &str) -> Result<()> {
        let first_count = lanes[live[0]].args.first();
        let count = first_count.map_or_else(|| malformed("wait without a count"), Val::bits)?;
        if count > MAX_WAIT_EVENTS {
            return unsupported(format!("waiting on {count} events at once"));
        }
        let mut first: Option<Vec<Ptr>> = None;
        for i in live {
            let t = &lanes[*i];
            let State::Blocked(_) = &t.state else {
                return malformed("lane not blocked");
            };
            if t.args.first() != first_count {
                return Err(ErrorKind::NonUniformOperands {
                    what: "wait".into(),
                    detail: format!(
                        "the event count differs between lane {} and lane {}",
                        lanes[live[0]].lane, t.lane
                    ),
                }
                .into());
            }
            let slots = t
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
            for span in dst {
                self.replace_shadow(&span, Shadow::Dst(e.region), Shadow::Pending(sg));
                self.pending.push(span);
            }
            for span in src {
                self.replace_shadow(&span, Shadow::Src(e.region), Shadow::Clear);
            }
            let mark = self.tg_barriers;
            if let Some(ev) = self.events.get_mut(e.region as usize) {
                ev.waited_at = Some(mark);
            }
        }
        if self.sh.options.trace {
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

fn show(v: &Val) -> String {
    match v {
        Val::Bits(b) => format!("{}", *b as i64),
        Val::Ptr(p) => format!("{:?} region {} + {}", p.space, p.region, p.offset),
        Val::List(l) => format!("<{}>", l.iter().map(show).collect::<Vec<_>>().join(", ")),
        Val::Frag { .. } => show(&Val::list_of(
            v.list().map(|c| c.into_owned()).unwrap_or_default(),
        )),
    }
}

fn le(b: &[u8]) -> u64 {
    let mut x = [0u8; 8];
    let n = b.len().min(8);
    x[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(x)
}
