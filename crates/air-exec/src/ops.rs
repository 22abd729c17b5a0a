//! Pure value operations shared by instructions and constant expressions:
//! arithmetic, comparisons, casts, `getelementptr`, vector shuffles.

use air_ir::inst::{FloatPredicate, IntPredicate};
use air_ir::types::{Type, TypeId, TypeTable};
use air_ir::Opcode;

use crate::error::{malformed, undefined, unsupported, Result};
use crate::limits::MAX_CONST_ELEMENTS;
use crate::math::FloatKind;
use crate::value::{mask, sext, Layout, Ptr, Space, Val, FRAG_LEN};

/// Applies `f` lane by lane when `ty` is a vector, else once.
fn lanewise2(
    types: &TypeTable,
    ty: TypeId,
    a: &Val,
    b: &Val,
    f: &mut dyn FnMut(TypeId, &Val, &Val) -> Result<Val>,
) -> Result<Val> {
    match types.try_get(ty) {
        Some(Type::Vector { elem, .. }) => {
            if let (Val::Frag { lo: la, rest: ra }, Val::Frag { lo: lb, rest: rb }) = (a, b) {
                // Elements 0, 1, then one stand-in for the equal elements 2
                // to 63: the same results (and the same first error) as
                // element by element.
                let mut out = [0u64; 3];
                let mut scalar = true;
                for (o, (x, y)) in out
                    .iter_mut()
                    .zip([(la[0], lb[0]), (la[1], lb[1]), (*ra, *rb)])
                {
                    match f(*elem, &Val::Bits(x), &Val::Bits(y))? {
                        Val::Bits(r) => *o = r,
                        _ => scalar = false,
                    }
                }
                if scalar {
                    return Ok(Val::Frag {
                        lo: [out[0], out[1]],
                        rest: out[2],
                    });
                }
            }
            let (xs, ys) = (a.list()?, b.list()?);
            if xs.len() != ys.len() {
                return malformed("vector operands of different lengths");
            }
            xs.iter()
                .zip(ys.iter())
                .map(|(x, y)| f(*elem, x, y))
                .collect::<Result<Vec<_>>>()
                .map(Val::from_list)
        }
        _ => f(ty, a, b),
    }
}

fn int_width(types: &TypeTable, ty: TypeId) -> Result<u32> {
    match types.int_width(ty) {
        Some(w) if w <= 64 => Ok(w),
        Some(w) => unsupported(format!("integers wider than 64 bits (i{w})")),
        None => malformed("integer operation on a non-integer type"),
    }
}

fn float_kind(types: &TypeTable, ty: TypeId) -> Result<FloatKind> {
    FloatKind::of(types, ty).map_or_else(|| malformed("float operation on a non-float type"), Ok)
}

/// A binary operation of class `IntBinary` or `FloatBinary` on values of `ty`.
pub(crate) fn binary(types: &TypeTable, op: Opcode, ty: TypeId, a: &Val, b: &Val) -> Result<Val> {
    lanewise2(types, ty, a, b, &mut |t, x, y| {
        scalar_binary(types, op, t, x, y)
    })
}

fn scalar_binary(types: &TypeTable, op: Opcode, ty: TypeId, a: &Val, b: &Val) -> Result<Val> {
    use Opcode as O;
    if matches!(op, O::FAdd | O::FSub | O::FMul | O::FDiv | O::FRem) {
        let k = float_kind(types, ty)?;
        let (x, y) = (k.to_f64(a.bits()?), k.to_f64(b.bits()?));
        let r = match op {
            O::FAdd => x + y,
            O::FSub => x - y,
            O::FMul => x * y,
            O::FDiv => x / y,
            _ => x % y,
        };
        return Ok(Val::Bits(k.round_bits(r)));
    }
    let w = int_width(types, ty)?;
    let m = mask(w);
    let (x, y) = (a.bits()? & m, b.bits()? & m);
    let (sx, sy) = (sext(x, w), sext(y, w));
    let r = match op {
        O::Add => x.wrapping_add(y),
        O::Sub => x.wrapping_sub(y),
        O::Mul => x.wrapping_mul(y),
        O::UDiv | O::URem | O::SDiv | O::SRem if y == 0 => {
            return undefined(format!("integer division by zero (`{}`)", op.mnemonic()))
        }
        O::UDiv => x / y,
        O::URem => x % y,
        O::SDiv | O::SRem if sy == -1 && w > 0 && sx == sext(1u64 << (w - 1), w) => {
            return undefined(format!("signed overflow in `{}` (MIN / -1)", op.mnemonic()))
        }
        O::SDiv => sx.wrapping_div(sy) as u64,
        O::SRem => sx.wrapping_rem(sy) as u64,
        // An over-wide shift is poison in LLVM; it reads as 0 here.
        O::Shl if y >= u64::from(w) => 0,
        O::LShr if y >= u64::from(w) => 0,
        O::AShr if y >= u64::from(w) => {
            if sx < 0 {
                u64::MAX
            } else {
                0
            }
        }
        O::Shl => x << y,
        O::LShr => x >> y,
        O::AShr => (sx >> y) as u64,
        O::And => x & y,
        O::Or => x | y,
        O::Xor => x ^ y,
        other => return malformed(format!("`{}` is not a binary operation", other.mnemonic())),
    };
    Ok(Val::Bits(r & m))
}

/// `fneg`.
pub(crate) fn fneg(types: &TypeTable, ty: TypeId, a: &Val) -> Result<Val> {
    lanewise2(types, ty, a, a, &mut |t, x, _| {
        let k = float_kind(types, t)?;
        let sign = match k {
            FloatKind::Half | FloatKind::BFloat => 1u64 << 15,
            FloatKind::Float => 1u64 << 31,
            FloatKind::Double => 1u64 << 63,
        };
        Ok(Val::Bits(x.bits()? ^ sign))
    })
}

/// `icmp`; `ty` is the operand type. Pointers compare by packed bits.
pub(crate) fn icmp(
    types: &TypeTable,
    pred: IntPredicate,
    ty: TypeId,
    a: &Val,
    b: &Val,
) -> Result<Val> {
    lanewise2(types, ty, a, b, &mut |t, x, y| {
        let w = if types.is_pointer(t) {
            64
        } else {
            int_width(types, t)?
        };
        let m = mask(w);
        let (x, y) = (x.bits()? & m, y.bits()? & m);
        let (sx, sy) = (sext(x, w), sext(y, w));
        use IntPredicate as P;
        let r = match pred {
            P::Eq => x == y,
            P::Ne => x != y,
            P::Ugt => x > y,
            P::Uge => x >= y,
            P::Ult => x < y,
            P::Ule => x <= y,
            P::Sgt => sx > sy,
            P::Sge => sx >= sy,
            P::Slt => sx < sy,
            P::Sle => sx <= sy,
        };
        Ok(Val::Bits(u64::from(r)))
    })
}

/// `fcmp`.
pub(crate) fn fcmp(
    types: &TypeTable,
    pred: FloatPredicate,
    ty: TypeId,
    a: &Val,
    b: &Val,
) -> Result<Val> {
    lanewise2(types, ty, a, b, &mut |t, x, y| {
        let k = float_kind(types, t)?;
        let (x, y) = (k.to_f64(x.bits()?), k.to_f64(y.bits()?));
        let uno = x.is_nan() || y.is_nan();
        use FloatPredicate as P;
        let r = match pred {
            P::False => false,
            P::True => true,
            P::Ord => !uno,
            P::Uno => uno,
            P::Oeq => !uno && x == y,
            P::Ogt => !uno && x > y,
            P::Oge => !uno && x >= y,
            P::Olt => !uno && x < y,
            P::Ole => !uno && x <= y,
            P::One => !uno && x != y,
            P::Ueq => uno || x == y,
            P::Ugt => uno || x > y,
            P::Uge => uno || x >= y,
            P::Ult => uno || x < y,
            P::Ule => uno || x <= y,
            P::Une => uno || x != y,
        };
        Ok(Val::Bits(u64::from(r)))
    })
}

/// A cast from `from` to `to`.
pub(crate) fn cast(
    layout: &Layout<'_>,
    types: &TypeTable,
    op: Opcode,
    from: TypeId,
    to: TypeId,
    v: &Val,
) -> Result<Val> {
    if op == Opcode::BitCast {
        return bitcast(layout, types, from, to, v);
    }
    match (types.try_get(from), types.try_get(to)) {
        (Some(Type::Vector { elem: fe, .. }), Some(Type::Vector { elem: te, .. })) => {
            if let Val::Frag { lo, rest } = v {
                let cast = |x: u64| scalar_cast(types, op, *fe, *te, &Val::Bits(x));
                if let (Val::Bits(a), Val::Bits(b), Val::Bits(r)) =
                    (cast(lo[0])?, cast(lo[1])?, cast(*rest)?)
                {
                    return Ok(Val::Frag {
                        lo: [a, b],
                        rest: r,
                    });
                }
            }
            v.list()?
                .iter()
                .map(|x| scalar_cast(types, op, *fe, *te, x))
                .collect::<Result<Vec<_>>>()
                .map(Val::from_list)
        }
        _ => scalar_cast(types, op, from, to, v),
    }
}

fn scalar_cast(types: &TypeTable, op: Opcode, from: TypeId, to: TypeId, v: &Val) -> Result<Val> {
    use Opcode as O;
    Ok(match op {
        O::Trunc => Val::Bits(v.bits()? & mask(int_width(types, to)?)),
        O::ZExt => Val::Bits(v.bits()? & mask(int_width(types, from)?)),
        O::SExt => {
            let w = int_width(types, from)?;
            Val::Bits(sext(v.bits()?, w) as u64 & mask(int_width(types, to)?))
        }
        O::FPToUI | O::FPToSI => {
            let x = float_kind(types, from)?.to_f64(v.bits()?);
            let w = int_width(types, to)?;
            // Out-of-range conversions are poison in LLVM; they saturate here.
            let r = if op == O::FPToUI {
                x as u64
            } else {
                x as i64 as u64
            };
            Val::Bits(r & mask(w))
        }
        O::UIToFP | O::SIToFP => {
            let w = int_width(types, from)?;
            let x = v.bits()? & mask(w);
            let k = float_kind(types, to)?;
            let bits = match (k, op == O::SIToFP) {
                (FloatKind::Float, true) => u64::from((sext(x, w) as f32).to_bits()),
                (FloatKind::Float, false) => u64::from((x as f32).to_bits()),
                (_, true) => k.round_bits(sext(x, w) as f64),
                (_, false) => k.round_bits(x as f64),
            };
            Val::Bits(bits)
        }
        O::FPTrunc | O::FPExt => {
            let x = float_kind(types, from)?.to_f64(v.bits()?);
            Val::Bits(float_kind(types, to)?.round_bits(x))
        }
        O::PtrToInt => Val::Bits(v.ptr()?.encode() & mask(int_width(types, to)?)),
        O::IntToPtr => Val::Ptr(Ptr::decode(v.bits()?)),
        // Address spaces are separate kinds of region already; the pointer
        // keeps pointing where it did.
        O::AddrSpaceCast => Val::Ptr(v.ptr()?),
        other => return malformed(format!("`{}` is not a cast", other.mnemonic())),
    })
}

fn bitcast(
    layout: &Layout<'_>,
    types: &TypeTable,
    from: TypeId,
    to: TypeId,
    v: &Val,
) -> Result<Val> {
    if types.is_pointer(from) && types.is_pointer(to) {
        return Ok(Val::Ptr(v.ptr()?));
    }
    // Same-size reinterpretation through bytes (vector <-> scalar, int <-> float).
    let size = layout.store_size(from)? as usize;
    if size != layout.store_size(to)? as usize {
        return malformed("bitcast between types of different sizes");
    }
    let mut bytes = vec![0u8; size];
    layout.encode(from, v, &mut bytes)?;
    layout.decode(to, &bytes)
}

/// `getelementptr`: `base` advanced by `indices` (value and type) into
/// `source`.
pub(crate) fn gep(
    layout: &Layout<'_>,
    types: &TypeTable,
    source: TypeId,
    base: &Val,
    indices: &[(Val, TypeId)],
) -> Result<Val> {
    // A vector base or index makes a vector of pointers: one GEP per lane,
    // with scalar operands splatted.
    let lanes = std::iter::once(base)
        .chain(indices.iter().map(|(v, _)| v))
        .find_map(|v| match v {
            Val::List(l) => Some(l.len()),
            Val::Frag { .. } => Some(FRAG_LEN),
            _ => None,
        });
    if let Some(n) = lanes {
        let lane = |v: &Val, i: usize| -> Result<Val> {
            match v {
                Val::List(l) => l
                    .get(i)
                    .cloned()
                    .map_or_else(|| malformed("vector operands of different lengths"), Ok),
                Val::Frag { .. } => Ok(Val::Bits(v.frag_elem(i))),
                other => Ok(other.clone()),
            }
        };
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let b = lane(base, i)?;
            let idx = indices
                .iter()
                .map(|(v, t)| Ok((lane(v, i)?, types.scalar(*t))))
                .collect::<Result<Vec<_>>>()?;
            out.push(gep(layout, types, source, &b, &idx)?);
        }
        return Ok(Val::from_list(out));
    }
    let mut ptr = base.ptr()?;
    let mut cur = source;
    for (n, (v, ity)) in indices.iter().enumerate() {
        let w = int_width(types, *ity)?;
        let idx = sext(v.bits()?, w);
        if n == 0 {
            let size = layout.alloc_size(cur)? as i64;
            ptr.offset = ptr.offset.wrapping_add(idx.wrapping_mul(size));
            continue;
        }
        match types.try_get(cur) {
            Some(Type::Array { elem, .. }) | Some(Type::Vector { elem, .. }) => {
                let size = layout.alloc_size(*elem)? as i64;
                ptr.offset = ptr.offset.wrapping_add(idx.wrapping_mul(size));
                cur = *elem;
            }
            Some(Type::Struct { .. }) | Some(Type::Named(_)) => {
                let offsets = layout.field_offsets(cur)?;
                let Some(off) = usize::try_from(idx).ok().and_then(|i| offsets.get(i)) else {
                    return malformed("struct field index out of range");
                };
                ptr.offset = ptr.offset.wrapping_add(*off as i64);
                cur = types
                    .indexed_type(cur, idx as u64)
                    .map_or_else(|| malformed("struct field index out of range"), Ok)?;
            }
            _ => return malformed("getelementptr indexes into a non-aggregate"),
        }
    }
    Ok(Val::Ptr(ptr))
}

/// The zero value of `ty` (also what `undef` and `poison` read as).
pub(crate) fn zero(types: &TypeTable, ty: TypeId) -> Result<Val> {
    Ok(match types.try_get(ty) {
        Some(Type::Pointer { .. }) => Val::Ptr(Ptr::NULL),
        Some(Type::Vector { len, elem }) => {
            let e = zero_elems(types, u64::from(*len), *elem)?;
            match (&e, *len as usize) {
                (Val::Bits(0), FRAG_LEN) => Val::Frag {
                    lo: [0, 0],
                    rest: 0,
                },
                _ => Val::list_of(vec![e; *len as usize]),
            }
        }
        Some(Type::Array { len, elem }) => {
            let e = zero_elems(types, *len, *elem)?;
            Val::list_of(vec![e; *len as usize])
        }
        Some(Type::Struct { fields, .. }) => Val::list_of(
            fields
                .iter()
                .map(|f| zero(types, *f))
                .collect::<Result<_>>()?,
        ),
        Some(Type::Named(_)) => match types.struct_fields(ty) {
            Some(fields) => Val::list_of(
                fields
                    .iter()
                    .map(|f| zero(types, *f))
                    .collect::<Result<_>>()?,
            ),
            None => Val::Bits(0),
        },
        _ => Val::Bits(0),
    })
}

/// The zero element of an aggregate of `len` elements of `elem`, after
/// checking its size against [`MAX_CONST_ELEMENTS`].
fn zero_elems(types: &TypeTable, len: u64, elem: TypeId) -> Result<Val> {
    if len > MAX_CONST_ELEMENTS {
        return unsupported(format!(
            "aggregate constants over {MAX_CONST_ELEMENTS} elements"
        ));
    }
    zero(types, elem)
}

/// `select`, lane-wise when the condition is a vector.
pub(crate) fn select(cond: &Val, a: &Val, b: &Val) -> Result<Val> {
    match cond {
        Val::Frag { lo: c, rest: cr } => {
            if let (Val::Frag { lo: x, rest: xr }, Val::Frag { lo: y, rest: yr }) = (a, b) {
                let pick = |c: u64, x: u64, y: u64| if c & 1 == 1 { x } else { y };
                return Ok(Val::Frag {
                    lo: [pick(c[0], x[0], y[0]), pick(c[1], x[1], y[1])],
                    rest: pick(*cr, *xr, *yr),
                });
            }
            select(&Val::list_of(cond.list()?.into_owned()), a, b)
        }
        Val::List(cs) => {
            let (xs, ys) = (a.list()?, b.list()?);
            cs.iter()
                .zip(xs.iter().zip(ys.iter()))
                .map(|(c, (x, y))| {
                    Ok(if c.bits()? & 1 == 1 {
                        x.clone()
                    } else {
                        y.clone()
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Val::from_list)
        }
        c => Ok(if c.bits()? & 1 == 1 {
            a.clone()
        } else {
            b.clone()
        }),
    }
}

/// `extractelement`.
pub(crate) fn extract_element(v: &Val, index: u64) -> Result<Val> {
    if let Val::Frag { .. } = v {
        if index < FRAG_LEN as u64 {
            return Ok(Val::Bits(v.frag_elem(index as usize)));
        }
    }
    let lanes = v.list()?;
    match lanes.get(index as usize) {
        Some(x) => Ok(x.clone()),
        // Out of range is poison; reading it is a bug worth reporting.
        None => undefined(format!(
            "extractelement index {index} out of range ({} lanes)",
            lanes.len()
        )),
    }
}

/// `insertelement`.
pub(crate) fn insert_element(v: &Val, e: &Val, index: u64) -> Result<Val> {
    if let (Val::Frag { lo, rest }, Val::Bits(x)) = (v, e) {
        match index {
            0 | 1 => {
                let mut lo = *lo;
                lo[index as usize] = *x;
                return Ok(Val::Frag { lo, rest: *rest });
            }
            i if i < FRAG_LEN as u64 && *x == *rest => return Ok(v.clone()),
            _ => {}
        }
    }
    let mut lanes = v.list()?.into_owned();
    match lanes.get_mut(index as usize) {
        Some(slot) => *slot = e.clone(),
        None => return undefined(format!("insertelement index {index} out of range")),
    }
    Ok(Val::from_list(lanes))
}

/// `shufflevector` with a constant mask (`None` lanes are undef → zero of the lane).
pub(crate) fn shuffle(
    a: &Val,
    b: &Val,
    mask_lanes: &[Option<u64>],
    zero_lane: &Val,
) -> Result<Val> {
    let (xs, ys) = (a.list()?, b.list()?);
    mask_lanes
        .iter()
        .map(|m| match m {
            None => Ok(zero_lane.clone()),
            Some(i) => {
                let i = *i as usize;
                xs.get(i)
                    .or_else(|| ys.get(i.wrapping_sub(xs.len())))
                    .cloned()
                    .map_or_else(|| malformed("shufflevector mask index out of range"), Ok)
            }
        })
        .collect::<Result<Vec<_>>>()
        .map(Val::from_list)
}

/// Whether a pointer value points into addressable memory.
pub(crate) fn is_memory(p: &Ptr) -> bool {
    matches!(
        p.space,
        Space::Device | Space::Threadgroup | Space::Private | Space::Global
    )
}

/// Scalar elements of a value of type `ty` (1 for scalars and pointers, 0
/// for `void`), saturating.
pub(crate) fn type_elements(types: &air_ir::TypeTable, ty: TypeId, depth: u32) -> u64 {
    use air_ir::types::Type;
    if depth > 64 {
        return u64::MAX;
    }
    match types.try_get(ty) {
        Some(Type::Vector { len, .. }) => u64::from(*len),
        Some(Type::Array { len, elem }) => {
            len.saturating_mul(type_elements(types, *elem, depth + 1).max(1))
        }
        Some(Type::Struct { fields, .. }) => fields
            .iter()
            .map(|f| type_elements(types, *f, depth + 1))
            .fold(0u64, u64::saturating_add),
        Some(Type::Named(_)) => types.struct_fields(ty).map_or(1, |fields| {
            fields
                .iter()
                .map(|f| type_elements(types, *f, depth + 1))
                .fold(0u64, u64::saturating_add)
        }),
        Some(Type::Void) => 0,
        _ => 1,
    }
}
