//! The simdgroup-matrix intrinsics (air.md §2.12), executed once per
//! simdgroup as whole 8×8 operations.
//!
//! Each lane holds its `<64 x T>` register as a [`Val::Frag`]: its two
//! matrix elements (placed by [`lane_coords`]) in elements 0 and 1, the
//! rest zero after a load or a multiply-accumulate. A load reads the tile
//! row by row (a row whose eight elements are adjacent is one access), a
//! multiply-accumulate gathers the three tiles from the lanes, converts
//! each operand element once and accumulates with one fused multiply-add
//! per `k` in the result format, and a store writes the tile back; nothing
//! allocates per lane.

use air_ir::intrinsics::IntrinsicId;
use air_ir::types::TypeId;
use air_target::SIMD_WIDTH;

use crate::error::{malformed, ErrorKind, Result};
use crate::exec::{Pending, State, Thread};
use crate::machine::Machine;
use crate::math::FloatKind;
use crate::value::{Ptr, Val};

/// Work units of a matrix load or store (its 64 elements).
const MOVE_WORK: u64 = 64;
/// Work units of a multiply-accumulate (its 8×8×8 products).
const MMA_WORK: u64 = 512;

/// An 8×8 tile, row-major, as raw element bits.
type Tile = [u64; 64];

impl<'p> Machine<'p> {
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
    fn matrix_elem(&self, p: &Pending, load: bool) -> Result<(FloatKind, u64)> {
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
        Ok((k, k.bytes()))
    }

    /// `simdgroup_matrix_8x8_load`: the tile, two elements to each lane.
    pub(crate) fn matrix_load(
        &mut self,
        lanes: &mut [Thread],
        live: &[usize],
        sg: u32,
        p: &Pending,
    ) -> Result<Vec<Option<Val>>> {
        self.uniform(lanes, live, "simdgroup matrix load", &[])?;
        self.need_full(lanes, live, sg)?;
        self.charge_work(MOVE_WORK)?;
        let (_, esize) = self.matrix_elem(p, true)?;
        let args = &lanes[live[0]].args;
        let addr = matrix_addressing(p.intrinsic.id(), args.get(1..).unwrap_or_default())?;
        let base = args
            .first()
            .map_or_else(|| malformed("missing operand"), Val::ptr)?;
        let at = |index: i64| Ptr {
            offset: base.offset.wrapping_add(index.wrapping_mul(esize as i64)),
            ..base
        };
        let reader = lanes.get(live[0]);
        let mut m: Tile = [0; 64];
        let mut buf = std::mem::take(&mut self.scratch);
        for r in 0..8u64 {
            let row = addr.row(r);
            if let Some(first) = contiguous(&row) {
                buf.clear();
                if self
                    .read_into(
                        reader,
                        sg,
                        at(first),
                        8 * esize,
                        "simdgroup matrix load",
                        &mut buf,
                    )
                    .is_ok()
                {
                    for c in 0..8 {
                        m[(r * 8 + c) as usize] =
                            le(&buf[(c * esize) as usize..((c + 1) * esize) as usize]);
                    }
                    continue;
                }
                // Element by element, for the same first error as ever.
            }
            for (c, index) in row.iter().enumerate() {
                if let Some(index) = index {
                    buf.clear();
                    if let Err(e) = self.read_into(
                        reader,
                        sg,
                        at(*index),
                        esize,
                        "simdgroup matrix load",
                        &mut buf,
                    ) {
                        self.scratch = buf;
                        return Err(e);
                    }
                    m[r as usize * 8 + c] = le(&buf);
                }
            }
        }
        self.scratch = buf;
        Ok(live
            .iter()
            .map(|i| Some(lane_frag(&m, lanes[*i].lane)))
            .collect())
    }

    /// `simdgroup_matrix_8x8_store`: the tile the lanes' operand 0 forms.
    pub(crate) fn matrix_store(
        &mut self,
        lanes: &mut [Thread],
        live: &[usize],
        sg: u32,
        p: &Pending,
    ) -> Result<Vec<Option<Val>>> {
        self.uniform(lanes, live, "simdgroup matrix store", &[0])?;
        self.need_full(lanes, live, sg)?;
        self.charge_work(MOVE_WORK)?;
        let (_, esize) = self.matrix_elem(p, false)?;
        let m = gather(lanes, live, 0)?;
        let args = &lanes[live[0]].args;
        let addr = matrix_addressing(p.intrinsic.id(), args.get(2..).unwrap_or_default())?;
        let base = args
            .get(1)
            .map_or_else(|| malformed("missing operand"), Val::ptr)?;
        let at = |index: i64| Ptr {
            offset: base.offset.wrapping_add(index.wrapping_mul(esize as i64)),
            ..base
        };
        let first = live[0];
        let n = esize as usize;
        for r in 0..8u64 {
            let row = addr.row(r);
            if let Some(start) = contiguous(&row) {
                let mut bytes = [0u8; 64];
                for c in 0..8 {
                    let v = m[(r * 8 + c) as usize].to_le_bytes();
                    bytes[c as usize * n..(c as usize + 1) * n].copy_from_slice(&v[..n]);
                }
                if self
                    .write_bytes(
                        lanes.get_mut(first),
                        sg,
                        at(start),
                        &bytes[..8 * n],
                        "simdgroup matrix store",
                    )
                    .is_ok()
                {
                    continue;
                }
            }
            for (c, index) in row.iter().enumerate() {
                if let Some(index) = index {
                    let bits = m[r as usize * 8 + c].to_le_bytes();
                    self.write_bytes(
                        lanes.get_mut(first),
                        sg,
                        at(*index),
                        &bits[..n],
                        "simdgroup matrix store",
                    )?;
                }
            }
        }
        Ok(vec![None; live.len()])
    }

    /// `D = A × B + C` on 8×8 tiles held two elements per lane.
    pub(crate) fn matrix_mma(
        &mut self,
        lanes: &[Thread],
        live: &[usize],
        sg: u32,
        p: &Pending,
    ) -> Result<Vec<Option<Val>>> {
        self.need_full(lanes, live, sg)?;
        self.charge_work(MMA_WORK)?;
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
        let d = multiply_accumulate(ka, kb, kc, &a, &b, &c);
        Ok(live
            .iter()
            .map(|i| Some(lane_frag(&d, lanes[*i].lane)))
            .collect())
    }
}

/// `D = A × B + C`: each element accumulates in the result format `kc`,
/// starting from C's element, with one fused multiply-add per `k` in
/// ascending order, each product's inputs first rounded to `kc`.
fn multiply_accumulate(
    ka: FloatKind,
    kb: FloatKind,
    kc: FloatKind,
    a: &Tile,
    b: &Tile,
    c: &Tile,
) -> Tile {
    // The operands in the result format, converted once each.
    let x: Tile = a.map(|v| kc.round_bits(ka.to_f64(v)));
    let y: Tile = b.map(|v| kc.round_bits(kb.to_f64(v)));
    let mut d: Tile = [0; 64];
    if kc == FloatKind::Float {
        let f = |v: u64| f32::from_bits(v as u32);
        for i in 0..8 {
            for j in 0..8 {
                let mut acc = f(c[i * 8 + j]);
                for k in 0..8 {
                    acc = f(x[i * 8 + k]).mul_add(f(y[k * 8 + j]), acc);
                }
                d[i * 8 + j] = u64::from(acc.to_bits());
            }
        }
    } else {
        for i in 0..8 {
            for j in 0..8 {
                let mut acc = c[i * 8 + j];
                for k in 0..8 {
                    acc = kc.fma(x[i * 8 + k], y[k * 8 + j], acc);
                }
                d[i * 8 + j] = acc;
            }
        }
    }
    d
}

/// The first index of a row whose eight elements are adjacent and all
/// inside the matrix's bounds.
fn contiguous(row: &[Option<i64>; 8]) -> Option<i64> {
    let first = row[0]?;
    for (c, index) in row.iter().enumerate() {
        if *index != first.checked_add(c as i64) {
            return None;
        }
    }
    Some(first)
}

fn le(b: &[u8]) -> u64 {
    let mut x = [0u8; 8];
    let n = b.len().min(8);
    x[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(x)
}

/// The (row, column) of the two matrix elements lane `lane` holds in
/// elements 0 and 1 of its `<64 x T>` (air.md §2.12, Morton order).
pub(crate) fn lane_coords(lane: u32) -> (usize, usize) {
    let quad = lane / 4;
    let col = (quad & 2) * 2 + (lane % 2) * 2;
    let row = (quad / 4) * 4 + (lane / 2) % 4;
    (row as usize, col as usize)
}

/// A lane's `<64 x T>`: its two elements first, zeros after.
fn lane_frag(m: &Tile, lane: u32) -> Val {
    let (r, c) = lane_coords(lane);
    Val::Frag {
        lo: [m[r * 8 + c], m[r * 8 + c + 1]],
        rest: 0,
    }
}

/// The 8×8 matrix (row-major bits) that operand `arg` of every lane forms.
fn gather(lanes: &[Thread], live: &[usize], arg: usize) -> Result<Tile> {
    let mut m: Tile = [0; 64];
    for i in live {
        let State::Blocked(_) = &lanes[*i].state else {
            return malformed("lane not blocked");
        };
        let (e0, e1) = match lanes[*i].args.get(arg) {
            Some(Val::Frag { lo, .. }) => (lo[0], lo[1]),
            Some(Val::List(l)) => (
                l.first().map_or(Ok(0), Val::bits)?,
                l.get(1).map_or(Ok(0), Val::bits)?,
            ),
            Some(_) => return malformed("scalar used where a vector or aggregate is expected"),
            None => return malformed("missing matrix operand"),
        };
        let (r, c) = lane_coords(lanes[*i].lane);
        m[r * 8 + c] = e0;
        m[r * 8 + c + 1] = e1;
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

    /// The indices of row `r`.
    fn row(&self, r: u64) -> [Option<i64>; 8] {
        std::array::from_fn(|c| self.index(r, c as u64))
    }
}

/// AIR 2.8 form `(dims, strides, origin)`: element (r, c) is at
/// `(origin.x + c) * strides.x + (origin.y + r) * strides.y`, inside `dims`
/// (a transposed access swaps all three vectors, which this reads the
/// same way). Legacy form `(elements_per_row, origin, transpose)`.
fn matrix_addressing(id: IntrinsicId, args: &[Val]) -> Result<MatrixAddr> {
    let pair = |i: usize| -> Result<[u64; 2]> {
        let l = args.get(i).map(Val::list);
        match l.as_ref().map(|r| r.as_ref().map(|c| c.as_ref())) {
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
    use super::{lane_coords, multiply_accumulate, Tile};
    use crate::math::FloatKind;

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

    /// The multiply-accumulate as the executor computed it lane by lane
    /// before it became one 8×8 operation (commit 82d739b, `simd.rs`):
    /// every product's inputs converted inside the `k` loop.
    fn lane_by_lane(
        ka: FloatKind,
        kb: FloatKind,
        kc: FloatKind,
        a: &Tile,
        b: &Tile,
        c: &Tile,
    ) -> Tile {
        let mut d = [0u64; 64];
        for i in 0..8 {
            for j in 0..8 {
                let mut acc = c[i * 8 + j];
                for k in 0..8 {
                    let x = kc.round_bits(ka.to_f64(a[i * 8 + k]));
                    let y = kc.round_bits(kb.to_f64(b[k * 8 + j]));
                    acc = kc.fma(x, y, acc);
                }
                d[i * 8 + j] = acc;
            }
        }
        d
    }

    /// Element bits of format `k`: mostly ordinary values, with zeros of
    /// both signs, infinities, NaNs (quiet and signalling), subnormals and
    /// the largest finite values mixed in.
    fn element(k: FloatKind, r: u64) -> u64 {
        let special = match k {
            FloatKind::Float => [
                0,
                0x8000_0000,
                0x7f80_0000,
                0xff80_0000,
                0x7fc0_0001,
                0x7f80_0001,
                0x0000_0001,
                0x7f7f_ffff,
            ],
            FloatKind::Double => [
                0,
                1 << 63,
                0x7ff0 << 48,
                0xfff0 << 48,
                0x7ff8 << 48 | 1,
                0x7ff0 << 48 | 1,
                1,
                0x7fef_ffff_ffff_ffff,
            ],
            _ => [0, 0x8000, 0x7c00, 0xfc00, 0x7e01, 0x7c01, 0x0001, 0x7bff],
        };
        if r % 11 == 0 {
            return special[(r / 11 % 8) as usize];
        }
        // A value of moderate size so that sums do not all overflow.
        let x = ((r >> 20) % 2001) as f64 / 64.0 - 15.6;
        k.round_bits(x)
    }

    #[test]
    fn whole_tile_multiply_accumulate_is_bitwise_the_lane_by_lane_one() {
        use FloatKind::{BFloat, Double, Float, Half};
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        // The forms the intrinsic table allows (f32, f16, bf16 in any
        // combination) and a double accumulator for the generic path.
        let kinds = [Float, Half, BFloat];
        let mut combos = Vec::new();
        for ka in kinds {
            for kb in kinds {
                for kc in kinds {
                    combos.push((ka, kb, kc));
                }
            }
        }
        combos.push((Float, Float, Double));
        for (ka, kb, kc) in combos {
            for _ in 0..40 {
                let a: Tile = std::array::from_fn(|_| element(ka, next()));
                let b: Tile = std::array::from_fn(|_| element(kb, next()));
                let c: Tile = std::array::from_fn(|_| element(kc, next()));
                assert_eq!(
                    multiply_accumulate(ka, kb, kc, &a, &b, &c),
                    lane_by_lane(ka, kb, kc, &a, &b, &c),
                    "{ka:?} x {kb:?} + {kc:?}"
                );
            }
        }
    }
}
