//! Runtime values, pointers, and the AIR data layout that maps them to bytes.
//!
//! Scalars are raw bits in a `u64` (integers masked to their width, floats
//! as their IEEE bits); the IR type of the instruction says how to read
//! them, so a value never carries its type. Pointers are not integers: they
//! name an address space, a region in it and a byte offset, which is what
//! lets every access be bounds-checked against the right buffer. When a
//! pointer must become bits (stored to memory, `ptrtoint`) it is packed
//! into 64 bits: space in the top 3 bits, region in the next 21, a signed
//! 40-bit offset below. Null packs to 0.

use std::rc::Rc;

use air_ir::types::{StructBody, Type, TypeId, TypeTable};

use crate::error::{malformed, unsupported, Result};
use crate::limits::MAX_TYPE_DEPTH;

/// What memory a pointer points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    /// Nothing (null, or an integer that was never a pointer).
    Null = 0,
    /// A device or constant buffer bound by index (address spaces 1 and 2).
    Device = 1,
    /// Threadgroup memory (address space 3): globals and memory arguments.
    Threadgroup = 2,
    /// A thread-private `alloca` (address space 0).
    Private = 3,
    /// A module-level global outside threadgroup memory.
    Global = 4,
    /// An async-copy event (what the copy intrinsics return).
    Event = 5,
    /// A function (for indirect calls).
    Function = 6,
}

impl Space {
    fn from_bits(b: u64) -> Space {
        match b {
            1 => Space::Device,
            2 => Space::Threadgroup,
            3 => Space::Private,
            4 => Space::Global,
            5 => Space::Event,
            6 => Space::Function,
            _ => Space::Null,
        }
    }
}

/// A pointer: space, region within it, byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ptr {
    /// The address space kind.
    pub space: Space,
    /// The region (buffer, threadgroup region, alloca, global, event, function).
    pub region: u32,
    /// Byte offset from the region's start (may be out of range until used).
    pub offset: i64,
}

const OFFSET_BITS: u32 = 40;
const REGION_BITS: u32 = 21;

impl Ptr {
    /// The null pointer.
    pub const NULL: Ptr = Ptr {
        space: Space::Null,
        region: 0,
        offset: 0,
    };

    /// Packs the pointer into 64 bits.
    pub fn encode(self) -> u64 {
        let off = (self.offset as u64) & ((1 << OFFSET_BITS) - 1);
        let region = u64::from(self.region) & ((1 << REGION_BITS) - 1);
        ((self.space as u64) << (OFFSET_BITS + REGION_BITS)) | (region << OFFSET_BITS) | off
    }

    /// Unpacks 64 bits made by [`Ptr::encode`] (any other integer becomes a
    /// pointer into no memory, which every access refuses).
    pub fn decode(bits: u64) -> Ptr {
        let space = Space::from_bits(bits >> (OFFSET_BITS + REGION_BITS));
        let region = ((bits >> OFFSET_BITS) & ((1 << REGION_BITS) - 1)) as u32;
        let shift = 64 - OFFSET_BITS;
        let offset = ((bits << shift) as i64) >> shift;
        Ptr {
            space,
            region,
            offset,
        }
    }
}

/// The number of elements of a [`Val::Frag`]: a `<64 x T>` simdgroup-matrix
/// register.
pub const FRAG_LEN: usize = 64;

/// A runtime value.
#[derive(Clone, Debug)]
pub enum Val {
    /// Integer or float bits.
    Bits(u64),
    /// A pointer.
    Ptr(Ptr),
    /// Vector lanes, array elements or struct fields (shared: copying a
    /// value, as every operand read and phi does, copies no elements).
    List(Rc<Vec<Val>>),
    /// A 64-element vector of scalars whose elements 2 to 63 are all equal:
    /// how a lane holds its `<64 x T>` simdgroup-matrix register (its two
    /// matrix elements first, Metal's `thread_elements()` view;
    /// docs/air-intrinsics.md#register-layout). The same value as the `List` of its 64 elements, kept
    /// without a heap allocation because matrix loads, multiply-accumulates,
    /// phis and `insertelement`/`extractelement` of elements 0 and 1 make
    /// and copy such values once per lane.
    Frag {
        /// Elements 0 and 1.
        lo: [u64; 2],
        /// Elements 2 to 63.
        rest: u64,
    },
}

impl PartialEq for Val {
    /// Equality of the values, whatever their representation (a `Frag`
    /// equals the `List` of its 64 elements).
    fn eq(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Bits(a), Val::Bits(b)) => a == b,
            (Val::Ptr(a), Val::Ptr(b)) => a == b,
            (Val::List(a), Val::List(b)) => Rc::ptr_eq(a, b) || a == b,
            (Val::Frag { lo: a, rest: r }, Val::Frag { lo: b, rest: s }) => a == b && r == s,
            (f @ Val::Frag { .. }, Val::List(l)) | (Val::List(l), f @ Val::Frag { .. }) => {
                l.len() == FRAG_LEN
                    && l.iter()
                        .enumerate()
                        .all(|(i, v)| *v == Val::Bits(f.frag_elem(i)))
            }
            _ => false,
        }
    }
}

impl Val {
    /// The bits of a scalar (pointers as their encoding).
    pub fn bits(&self) -> Result<u64> {
        match self {
            Val::Bits(b) => Ok(*b),
            Val::Ptr(p) => Ok(p.encode()),
            Val::List(_) | Val::Frag { .. } => {
                malformed("aggregate used where a scalar is expected")
            }
        }
    }

    /// The pointer in this value (integers are decoded).
    pub fn ptr(&self) -> Result<Ptr> {
        match self {
            Val::Ptr(p) => Ok(*p),
            Val::Bits(b) => Ok(Ptr::decode(*b)),
            Val::List(_) | Val::Frag { .. } => {
                malformed("aggregate used where a pointer is expected")
            }
        }
    }

    /// The elements of a vector or aggregate (a `Frag` is spelled out).
    pub fn list(&self) -> Result<std::borrow::Cow<'_, [Val]>> {
        match self {
            Val::List(v) => Ok(std::borrow::Cow::Borrowed(v.as_slice())),
            Val::Frag { .. } => Ok(std::borrow::Cow::Owned(
                (0..FRAG_LEN)
                    .map(|i| Val::Bits(self.frag_elem(i)))
                    .collect(),
            )),
            _ => malformed("scalar used where a vector or aggregate is expected"),
        }
    }

    /// Element `i` of a `Frag` (0 for other values).
    pub fn frag_elem(&self, i: usize) -> u64 {
        match self {
            Val::Frag { lo, rest } => lo.get(i).copied().unwrap_or(*rest),
            _ => 0,
        }
    }

    /// A vector or aggregate of `items`.
    pub fn list_of(items: Vec<Val>) -> Val {
        Val::List(Rc::new(items))
    }

    /// A vector or aggregate of `items`, kept as a `Frag` when it is one
    /// (64 scalars whose elements 2 to 63 are equal).
    pub fn from_list(items: Vec<Val>) -> Val {
        if items.len() == FRAG_LEN {
            if let (Val::Bits(a), Val::Bits(b), Val::Bits(r)) = (&items[0], &items[1], &items[2]) {
                if items[3..].iter().all(|v| *v == Val::Bits(*r)) {
                    return Val::Frag {
                        lo: [*a, *b],
                        rest: *r,
                    };
                }
            }
        }
        Val::list_of(items)
    }

    /// Scalar elements and heap bytes of this value, in one pass: what an
    /// instruction producing it counts towards the work and memory
    /// budgets. A scalar is 1 element; a `Frag` (a matrix register, kept
    /// as 3 words) 3 elements and no heap bytes.
    pub fn footprint(&self) -> (u64, u64) {
        match self {
            Val::Bits(_) | Val::Ptr(_) => (1, 0),
            Val::Frag { .. } => (3, 0),
            Val::List(l) => {
                let mut elements = 0u64;
                let mut heap = (l.capacity() * std::mem::size_of::<Val>()) as u64;
                for v in l.iter() {
                    match v {
                        Val::Bits(_) | Val::Ptr(_) => elements += 1,
                        _ => {
                            let (e, h) = v.footprint();
                            elements += e;
                            heap += h;
                        }
                    }
                }
                (elements, heap)
            }
        }
    }

    /// Heap bytes this value holds (0 for scalars and `Frag`s): what it
    /// counts towards the memory budget.
    pub fn heap_bytes(&self) -> u64 {
        match self {
            Val::List(_) => self.footprint().1,
            _ => 0,
        }
    }
}

/// Mask of the low `w` bits.
pub fn mask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

/// Sign-extends the low `w` bits of `v`.
pub fn sext(v: u64, w: u32) -> i64 {
    if w >= 64 || w == 0 {
        v as i64
    } else {
        let s = 64 - w;
        ((v << s) as i64) >> s
    }
}

/// The AIR data layout (docs/air-conventions.md#datalayout): naturally aligned integers and floats,
/// 64-bit pointers, vectors aligned to their size rounded up to a power of two.
pub struct Layout<'t> {
    types: &'t TypeTable,
}

impl<'t> Layout<'t> {
    /// A layout over `types`.
    pub fn new(types: &'t TypeTable) -> Self {
        Layout { types }
    }

    fn ty(&self, id: TypeId) -> Result<&'t Type> {
        match self.types.try_get(id) {
            Some(t) => Ok(t),
            None => malformed(format!("type id {} does not exist", id.0)),
        }
    }

    /// Bytes a load or store of `id` touches.
    pub fn store_size(&self, id: TypeId) -> Result<u64> {
        Ok(self.measure(id, 0, &mut Memo::default())?.store)
    }

    /// Bytes between consecutive array elements of `id` (store size rounded
    /// up to the alignment).
    pub fn alloc_size(&self, id: TypeId) -> Result<u64> {
        Ok(self.measure(id, 0, &mut Memo::default())?.alloc())
    }

    /// ABI alignment of `id`.
    #[allow(dead_code)] // the executor needs sizes and offsets; tests check alignments
    pub fn align(&self, id: TypeId) -> Result<u64> {
        Ok(self.measure(id, 0, &mut Memo::default())?.align)
    }

    /// Size and alignment of `id`, its parts measured once each (`memo`):
    /// a type whose parts share parts (`{ %t1, %t1 }`, `%t1 = { %t2, %t2 }`
    /// ...) costs its number of distinct parts, not of paths through them.
    /// The recursion is as deep as the type is laid out, which the verifier
    /// bounds (every module the executor runs is verified); deeper is
    /// `malformed IR: type nests too deeply`. Sizes saturate at `u64::MAX`
    /// rather than overflow (no memory holds them; callers refuse them).
    fn measure(&self, id: TypeId, depth: u32, memo: &mut Memo) -> Result<Measure> {
        // `depth` counts from 0: levels 0 to MAX_TYPE_DEPTH - 1 are the
        // verifier's MAX_TYPE_DEPTH levels.
        if depth >= MAX_TYPE_DEPTH {
            return malformed("type nests too deeply");
        }
        if let Some(m) = memo.get(&id) {
            return Ok(*m);
        }
        let scalar = |bytes: u64, align: u64| Measure {
            store: bytes,
            align,
        };
        let m = match self.ty(id)? {
            Type::Int(w) => {
                let bytes = u64::from(*w).div_ceil(8);
                scalar(bytes, bytes.next_power_of_two().min(8))
            }
            Type::Half | Type::BFloat => scalar(2, 2),
            Type::Float => scalar(4, 4),
            Type::Double | Type::Pointer { .. } => scalar(8, 8),
            Type::Vector { len, elem } => {
                let bits = self.types.primitive_bits(*elem).unwrap_or(0);
                if bits == 0 {
                    return unsupported("vector of non-primitive elements");
                }
                // Lanes that are not whole bytes (<8 x i1>) are packed as bits.
                let bytes = u64::from(*len).saturating_mul(bits).div_ceil(8);
                scalar(bytes, bytes.checked_next_power_of_two().unwrap_or(1 << 63))
            }
            Type::Array { len, elem } => {
                let e = self.measure(*elem, depth + 1, memo)?;
                Measure {
                    store: len.saturating_mul(e.alloc()),
                    align: e.align,
                }
            }
            Type::Struct { .. } | Type::Named(_) => {
                let (fields, packed) = self.fields(id)?;
                let mut align = 1;
                let mut end = 0u64;
                let mut off = 0u64;
                for f in fields {
                    let m = self.measure(*f, depth + 1, memo)?;
                    if !packed {
                        align = align.max(m.align);
                        off = round_up(off, m.align);
                    }
                    end = off.saturating_add(m.store);
                    off = off.saturating_add(m.alloc());
                }
                Measure {
                    store: round_up(end, align),
                    align,
                }
            }
            other => return unsupported(format!("type `{other:?}` has no size")),
        };
        memo.insert(id, m);
        Ok(m)
    }

    /// Bits per lane when vector lanes of `elem` are not whole bytes.
    fn packed_bits(&self, elem: TypeId) -> Option<u64> {
        match self.types.try_get(elem) {
            Some(Type::Int(w)) if w % 8 != 0 => Some(u64::from(*w)),
            _ => None,
        }
    }

    fn fields(&self, id: TypeId) -> Result<(&'t [TypeId], bool)> {
        match self.ty(id)? {
            Type::Struct { fields, packed } => Ok((fields, *packed)),
            Type::Named(name) => match self.types.struct_body(id) {
                Some(StructBody::Fields { fields, packed }) => Ok((fields, *packed)),
                _ => unsupported(format!("opaque struct %{name} has no layout")),
            },
            _ => malformed("not a struct"),
        }
    }

    /// Byte offset of each field of a struct.
    pub fn field_offsets(&self, id: TypeId) -> Result<Vec<u64>> {
        let (fields, packed) = self.fields(id)?;
        let mut memo = Memo::default();
        let mut off = 0u64;
        let mut out = Vec::with_capacity(fields.len());
        for f in fields {
            let m = self.measure(*f, 1, &mut memo)?;
            if !packed {
                off = round_up(off, m.align);
            }
            out.push(off);
            off = off.saturating_add(m.alloc());
        }
        Ok(out)
    }

    /// Writes `val` of type `ty` as little-endian bytes into `out` (which
    /// must be `store_size(ty)` long).
    pub fn encode(&self, ty: TypeId, val: &Val, out: &mut [u8]) -> Result<()> {
        match self.ty(ty)? {
            Type::Int(_)
            | Type::Half
            | Type::BFloat
            | Type::Float
            | Type::Double
            | Type::Pointer { .. } => {
                let bits = val.bits()?.to_le_bytes();
                let n = out.len().min(8);
                out[..n].copy_from_slice(&bits[..n]);
                Ok(())
            }
            Type::Vector { elem, .. } if self.packed_bits(*elem).is_some() => {
                let bits = self.packed_bits(*elem).unwrap_or(1);
                out.iter_mut().for_each(|b| *b = 0);
                for (i, v) in val.list()?.iter().enumerate() {
                    let x = v.bits()? & mask(bits as u32);
                    for k in 0..bits {
                        let at = i as u64 * bits + k;
                        if x >> k & 1 == 1 {
                            if let Some(byte) = out.get_mut((at / 8) as usize) {
                                *byte |= 1 << (at % 8);
                            }
                        }
                    }
                }
                Ok(())
            }
            Type::Vector { elem, .. } if matches!(val, Val::Frag { .. }) => {
                // A matrix register: 64 scalars, no pointers.
                let esize = self.store_size(*elem)? as usize;
                for i in 0..FRAG_LEN {
                    let bits = val.frag_elem(i).to_le_bytes();
                    let n = esize.min(8);
                    match out.get_mut(i * esize..i * esize + n) {
                        Some(slot) => slot.copy_from_slice(&bits[..n]),
                        None => return malformed("value has more elements than its type"),
                    }
                }
                Ok(())
            }
            Type::Vector { elem, .. } | Type::Array { elem, .. } => {
                let step = match self.ty(ty)? {
                    Type::Vector { .. } => self.store_size(*elem)?,
                    _ => self.alloc_size(*elem)?,
                } as usize;
                let esize = self.store_size(*elem)? as usize;
                for (i, v) in val.list()?.iter().enumerate() {
                    let at = i * step;
                    match out.get_mut(at..at + esize) {
                        Some(slot) => self.encode(*elem, v, slot)?,
                        None => return malformed("value has more elements than its type"),
                    }
                }
                Ok(())
            }
            Type::Struct { .. } | Type::Named(_) => {
                let (fields, _) = self.fields(ty)?;
                let offsets = self.field_offsets(ty)?;
                for ((f, off), v) in fields.iter().zip(offsets).zip(val.list()?.iter()) {
                    let size = self.store_size(*f)? as usize;
                    let at = off as usize;
                    match out.get_mut(at..at + size) {
                        Some(slot) => self.encode(*f, v, slot)?,
                        None => return malformed("struct field outside its struct"),
                    }
                }
                Ok(())
            }
            other => unsupported(format!("storing a value of type {other:?}")),
        }
    }

    /// Reads a value of type `ty` from little-endian bytes.
    pub fn decode(&self, ty: TypeId, bytes: &[u8]) -> Result<Val> {
        match self.ty(ty)? {
            Type::Int(w) => {
                if *w > 64 {
                    return unsupported(format!("integers wider than 64 bits (i{w})"));
                }
                Ok(Val::Bits(le_bits(bytes) & mask(*w)))
            }
            Type::Half | Type::BFloat | Type::Float | Type::Double => Ok(Val::Bits(le_bits(bytes))),
            Type::Pointer { .. } => Ok(Val::Ptr(Ptr::decode(le_bits(bytes)))),
            Type::Vector { len, elem } if self.packed_bits(*elem).is_some() => {
                let bits = self.packed_bits(*elem).unwrap_or(1);
                let lanes = (0..u64::from(*len))
                    .map(|i| {
                        let mut x = 0u64;
                        for k in 0..bits {
                            let at = i * bits + k;
                            let bit = bytes
                                .get((at / 8) as usize)
                                .map_or(0, |b| (b >> (at % 8)) & 1);
                            x |= u64::from(bit) << k;
                        }
                        Val::Bits(x)
                    })
                    .collect();
                Ok(Val::list_of(lanes))
            }
            Type::Vector { len, elem } => {
                let esize = self.store_size(*elem)? as usize;
                let scalar = matches!(
                    self.ty(*elem)?,
                    Type::Int(1..=64) | Type::Half | Type::BFloat | Type::Float | Type::Double
                );
                if *len as usize == FRAG_LEN && scalar && esize > 0 {
                    // A matrix register (or any 64-element vector whose
                    // elements 2 to 63 are equal) decodes without a heap
                    // allocation.
                    let elem_at = |i: usize| bytes.get(i * esize..(i + 1) * esize).unwrap_or(&[]);
                    let tail = elem_at(2);
                    if (3..FRAG_LEN).all(|i| elem_at(i) == tail) {
                        let m = match self.ty(*elem)? {
                            Type::Int(w) => mask(*w),
                            _ => u64::MAX,
                        };
                        return Ok(Val::Frag {
                            lo: [le_bits(elem_at(0)) & m, le_bits(elem_at(1)) & m],
                            rest: le_bits(tail) & m,
                        });
                    }
                }
                (0..*len as usize)
                    .map(|i| {
                        self.decode(*elem, bytes.get(i * esize..(i + 1) * esize).unwrap_or(&[]))
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Val::list_of)
            }
            Type::Array { len, elem } => {
                let step = self.alloc_size(*elem)? as usize;
                let esize = self.store_size(*elem)? as usize;
                (0..*len as usize)
                    .map(|i| {
                        self.decode(*elem, bytes.get(i * step..i * step + esize).unwrap_or(&[]))
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Val::list_of)
            }
            Type::Struct { .. } | Type::Named(_) => {
                let (fields, _) = self.fields(ty)?;
                let offsets = self.field_offsets(ty)?;
                let mut out = Vec::with_capacity(fields.len());
                for (f, off) in fields.iter().zip(offsets) {
                    let size = self.store_size(*f)? as usize;
                    let at = off as usize;
                    out.push(self.decode(*f, bytes.get(at..at + size).unwrap_or(&[]))?);
                }
                Ok(Val::list_of(out))
            }
            other => unsupported(format!("loading a value of type {other:?}")),
        }
    }
}

fn le_bits(bytes: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = bytes.len().min(8);
    b[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(b)
}

/// Store size and alignment of a type, in bytes.
#[derive(Clone, Copy, Debug)]
struct Measure {
    store: u64,
    align: u64,
}

impl Measure {
    /// The store size rounded up to the alignment (array element stride).
    fn alloc(&self) -> u64 {
        round_up(self.store, self.align)
    }
}

/// The parts of a type measured so far in one query.
type Memo = std::collections::HashMap<TypeId, Measure>;

/// `x` rounded up to a multiple of `align` (at least 1), saturating.
fn round_up(x: u64, align: u64) -> u64 {
    x.checked_next_multiple_of(align.max(1)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_round_trip_through_bits() {
        for p in [
            Ptr::NULL,
            Ptr {
                space: Space::Threadgroup,
                region: 7,
                offset: -12,
            },
            Ptr {
                space: Space::Device,
                region: 3,
                offset: 1 << 30,
            },
        ] {
            assert_eq!(Ptr::decode(p.encode()), p);
        }
        assert_eq!(Ptr::NULL.encode(), 0);
    }

    #[test]
    fn vector_layout_follows_the_air_datalayout() {
        let mut t = TypeTable::new();
        let i32t = t.i32();
        let v3 = t.vector(i32t, 3);
        let l = Layout::new(&t);
        assert_eq!(l.store_size(v3).unwrap(), 12);
        assert_eq!(l.align(v3).unwrap(), 16);
        assert_eq!(l.alloc_size(v3).unwrap(), 16);
    }

    /// `%t0 = { %t1, %t1 }`, ..., `%t{n-1} = { %tn, %tn }`, `%tn = { i8, i64 }`.
    fn doubling_structs(t: &mut TypeTable, n: usize) -> Vec<TypeId> {
        let ids: Vec<TypeId> = (0..=n).map(|i| t.named(&format!("t{i}"))).collect();
        for i in 0..n {
            let body = StructBody::Fields {
                fields: vec![ids[i + 1], ids[i + 1]],
                packed: false,
            };
            t.set_struct_body(ids[i], body);
        }
        let (i8t, i64t) = (t.i8(), t.i64());
        t.set_struct_body(
            ids[n],
            StructBody::Fields {
                fields: vec![i8t, i64t],
                packed: false,
            },
        );
        ids
    }

    #[test]
    fn shared_parts_are_measured_once() {
        // 2^40 paths through 41 structs: following each path (as the
        // layout did, and again for every alignment) never finished.
        let mut t = TypeTable::new();
        let ids = doubling_structs(&mut t, 40);
        let l = Layout::new(&t);
        assert_eq!(l.store_size(ids[0]).unwrap(), 16 << 40);
        assert_eq!(l.align(ids[0]).unwrap(), 8);
        assert_eq!(l.field_offsets(ids[0]).unwrap(), vec![0, 16 << 39]);
        // Absurd sizes saturate instead of overflowing.
        let big = t.array(ids[0], 1 << 40);
        let l = Layout::new(&t);
        assert_eq!(l.store_size(big).unwrap(), u64::MAX);
    }

    #[test]
    fn types_as_deep_as_the_verifier_allows_have_a_layout() {
        // A chain of named structs by value, 127 structs and an `i32`: the
        // verifier's limit. The old limit here was 32 levels (and sizes of
        // array and struct parts restarted the count, so deeper chains
        // recursed without one).
        let mut t = TypeTable::new();
        let n = air_ir::limits::MAX_TYPE_DEPTH as usize - 1;
        let ids: Vec<TypeId> = (0..n).map(|i| t.named(&format!("s{i}"))).collect();
        for i in 0..n - 1 {
            let body = StructBody::Fields {
                fields: vec![ids[i + 1]],
                packed: false,
            };
            t.set_struct_body(ids[i], body);
        }
        let i32t = t.i32();
        t.set_struct_body(
            ids[n - 1],
            StructBody::Fields {
                fields: vec![i32t],
                packed: false,
            },
        );
        let l = Layout::new(&t);
        assert_eq!(l.store_size(ids[0]).unwrap(), 4);
        // One level more is an error, not a recursion.
        let outer = t.named("outer");
        t.set_struct_body(
            outer,
            StructBody::Fields {
                fields: vec![ids[0]],
                packed: false,
            },
        );
        let l = Layout::new(&t);
        assert!(l.store_size(outer).is_err());
    }
}
