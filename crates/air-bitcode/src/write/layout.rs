//! Just enough of LLVM's `DataLayout` to fill in the alignments LLVM's
//! parser adds when the text leaves them out (`load`, `store` and `alloca`
//! always carry an alignment once parsed; `atomicrmw` and `cmpxchg` default
//! to the value's store size).

use std::sync::Mutex;

use air_ir::fxhash::HashMap;

use air_ir::types::{StructBody, Type, TypeTable};
use air_ir::TypeId;

use crate::limits::MAX_LAYOUT_DEPTH;

/// One `iN`/`fN`/`vN` entry: bit width, ABI and preferred alignment in bits.
#[derive(Clone, Copy, Debug)]
struct Spec {
    kind: u8,
    bits: u32,
    abi: u32,
    pref: u32,
}

/// The alignment rules of a datalayout string.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    specs: Vec<Spec>,
    pointer_abi: u32,
    pointer_pref: u32,
    aggregate_abi: u32,
    aggregate_pref: u32,
}

/// The last datalayout parsed and its rules: every module of a Metal
/// toolchain carries the same long datalayout string, and parsing it was a
/// noticeable part of encoding a small module.
static LAST: Mutex<Option<(String, Layout)>> = Mutex::new(None);

impl Layout {
    /// [`Layout::new`], remembering the last string parsed.
    pub fn cached(dl: &str) -> Self {
        // A poisoned lock only means another thread panicked mid-update of
        // a cache; the entry is replaced whole, so it is still consistent.
        let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((s, layout)) = last.as_ref() {
            if s == dl {
                return layout.clone();
            }
        }
        let layout = Layout::new(dl);
        *last = Some((dl.to_string(), layout.clone()));
        layout
    }

    /// Parses `dl` over LLVM's defaults; unknown entries are ignored.
    pub fn new(dl: &str) -> Self {
        let mut layout = Layout {
            specs: vec![
                Spec {
                    kind: b'i',
                    bits: 1,
                    abi: 8,
                    pref: 8,
                },
                Spec {
                    kind: b'i',
                    bits: 8,
                    abi: 8,
                    pref: 8,
                },
                Spec {
                    kind: b'i',
                    bits: 16,
                    abi: 16,
                    pref: 16,
                },
                Spec {
                    kind: b'i',
                    bits: 32,
                    abi: 32,
                    pref: 32,
                },
                Spec {
                    kind: b'i',
                    bits: 64,
                    abi: 32,
                    pref: 64,
                },
                Spec {
                    kind: b'f',
                    bits: 16,
                    abi: 16,
                    pref: 16,
                },
                Spec {
                    kind: b'f',
                    bits: 32,
                    abi: 32,
                    pref: 32,
                },
                Spec {
                    kind: b'f',
                    bits: 64,
                    abi: 64,
                    pref: 64,
                },
                Spec {
                    kind: b'f',
                    bits: 128,
                    abi: 128,
                    pref: 128,
                },
                Spec {
                    kind: b'v',
                    bits: 64,
                    abi: 64,
                    pref: 64,
                },
                Spec {
                    kind: b'v',
                    bits: 128,
                    abi: 128,
                    pref: 128,
                },
            ],
            pointer_abi: 64,
            pointer_pref: 64,
            aggregate_abi: 0,
            aggregate_pref: 64,
        };
        for item in dl.split('-') {
            let mut parts = item.split(':');
            let head = parts.next().unwrap_or_default();
            let nums: Vec<u32> = parts.filter_map(|p| p.parse().ok()).collect();
            let Some(kind) = head.bytes().next() else {
                continue;
            };
            match kind {
                b'i' | b'f' | b'v' => {
                    let Ok(bits) = head[1..].parse::<u32>() else {
                        continue;
                    };
                    let abi = nums.first().copied().unwrap_or(bits);
                    let pref = nums.get(1).copied().unwrap_or(abi);
                    match layout
                        .specs
                        .iter_mut()
                        .find(|s| s.kind == kind && s.bits == bits)
                    {
                        Some(s) => {
                            s.abi = abi;
                            s.pref = pref;
                        }
                        None => layout.specs.push(Spec {
                            kind,
                            bits,
                            abi,
                            pref,
                        }),
                    }
                }
                b'p' if head == "p" || head == "p0" => {
                    if let Some(abi) = nums.get(1) {
                        layout.pointer_abi = *abi;
                        layout.pointer_pref = nums.get(2).copied().unwrap_or(*abi);
                    }
                }
                b'a' => {
                    layout.aggregate_abi = nums.first().copied().unwrap_or(0);
                    layout.aggregate_pref = nums.get(1).copied().unwrap_or(layout.aggregate_abi);
                }
                _ => {}
            }
        }
        layout
    }

    fn lookup(&self, kind: u8, bits: u32, pref: bool) -> Option<u32> {
        let pick = |s: &Spec| if pref { s.pref } else { s.abi };
        let same: Vec<&Spec> = self.specs.iter().filter(|s| s.kind == kind).collect();
        if let Some(s) = same.iter().find(|s| s.bits == bits) {
            return Some(pick(s));
        }
        if kind == b'i' {
            // The next larger integer entry, else the largest smaller one.
            let larger = same.iter().filter(|s| s.bits > bits).min_by_key(|s| s.bits);
            let smaller = same.iter().filter(|s| s.bits < bits).max_by_key(|s| s.bits);
            return larger.or(smaller).map(|s| pick(s));
        }
        None
    }

    /// Store size in bytes of a primitive or vector type.
    pub fn store_size(&self, types: &TypeTable, ty: TypeId) -> u64 {
        types.primitive_bits(ty).map_or(1, |bits| bits.div_ceil(8))
    }

    /// `DataLayout::getTypeAllocSize` in bytes: the store size rounded up
    /// to the ABI alignment, with struct fields laid out as LLVM's
    /// `StructLayout` does. Pointers are 64 bits, as everywhere in this
    /// crate.
    pub fn alloc_size(&self, types: &TypeTable, ty: TypeId) -> u64 {
        self.alloc_size_at(types, ty, 0, &mut Memo::default())
    }

    /// Sizes and alignments remembered for one query, so that a type whose
    /// parts share parts (`{ %t1, %t1 }` with `%t1 = { %t2, %t2 }` ...) is
    /// measured in time linear in its number of distinct parts, not in the
    /// number of paths through them. The recursion itself is only as deep
    /// as the type, which the verifier bounds (`air_ir::limits::MAX_TYPE_DEPTH`);
    /// [`MAX_LAYOUT_DEPTH`] guards unverified modules.
    fn alloc_size_at(&self, types: &TypeTable, ty: TypeId, depth: u32, memo: &mut Memo) -> u64 {
        if depth > MAX_LAYOUT_DEPTH {
            return 0;
        }
        if let Some(size) = memo.size.get(&ty) {
            return *size;
        }
        let align = self.align_bits(types, ty, false, depth, memo).max(8) / 8;
        let store = match types.try_get(ty) {
            Some(Type::Array { len, elem }) => {
                let size = len.saturating_mul(self.alloc_size_at(types, *elem, depth + 1, memo));
                memo.size.insert(ty, size);
                return size;
            }
            Some(Type::Struct { .. } | Type::Named(_)) => {
                let (fields, packed) = struct_parts(types, ty);
                let mut size = 0u64;
                let mut struct_align = 1u64;
                for f in fields {
                    let field_align = if packed {
                        1
                    } else {
                        self.align_bits(types, *f, false, depth + 1, memo).max(8) / 8
                    };
                    struct_align = struct_align.max(field_align);
                    size = round_up(size, field_align);
                    size = size.saturating_add(self.alloc_size_at(types, *f, depth + 1, memo));
                }
                round_up(size, struct_align)
            }
            _ => types.primitive_bits(ty).map_or(0, |bits| bits.div_ceil(8)),
        };
        let size = round_up(store, align);
        memo.size.insert(ty, size);
        size
    }

    /// Alignment in bytes (ABI, or preferred when `pref`).
    pub fn align(&self, types: &TypeTable, ty: TypeId, pref: bool) -> u64 {
        self.align_bits(types, ty, pref, 0, &mut Memo::default())
            .max(8)
            / 8
    }

    fn align_bits(
        &self,
        types: &TypeTable,
        ty: TypeId,
        pref: bool,
        depth: u32,
        memo: &mut Memo,
    ) -> u64 {
        if depth > MAX_LAYOUT_DEPTH {
            return 8;
        }
        match types.try_get(ty) {
            Some(Type::Int(w)) => u64::from(self.lookup(b'i', *w, pref).unwrap_or(8)),
            Some(Type::Half | Type::BFloat) => u64::from(self.lookup(b'f', 16, pref).unwrap_or(16)),
            Some(Type::Float) => u64::from(self.lookup(b'f', 32, pref).unwrap_or(32)),
            Some(Type::Double) => u64::from(self.lookup(b'f', 64, pref).unwrap_or(64)),
            Some(Type::Pointer { .. }) => u64::from(if pref {
                self.pointer_pref
            } else {
                self.pointer_abi
            }),
            Some(Type::Vector { .. }) => {
                let bits = types.primitive_bits(ty).unwrap_or(8) as u32;
                match self.lookup(b'v', bits, pref) {
                    Some(a) => u64::from(a),
                    // Natural alignment: the store size rounded up to a power of two.
                    None => u64::from(bits.div_ceil(8)).next_power_of_two() * 8,
                }
            }
            Some(Type::Array { elem, .. }) => {
                if let Some(a) = memo.align.get(&(ty, pref)) {
                    return *a;
                }
                let a = self.align_bits(types, *elem, pref, depth + 1, memo);
                memo.align.insert((ty, pref), a);
                a
            }
            Some(Type::Struct { .. } | Type::Named(_)) => {
                if let Some(a) = memo.align.get(&(ty, pref)) {
                    return *a;
                }
                let (fields, packed) = struct_parts(types, ty);
                let layout_align = if packed {
                    8
                } else {
                    let mut a = 8;
                    for f in fields {
                        a = a.max(self.align_bits(types, *f, false, depth + 1, memo));
                    }
                    a
                };
                let agg = u64::from(if pref {
                    self.aggregate_pref
                } else {
                    self.aggregate_abi
                });
                let a = layout_align.max(agg);
                memo.align.insert((ty, pref), a);
                a
            }
            _ => 8,
        }
    }
}

/// The fields of a literal or named struct and whether it is packed (none
/// for an opaque struct).
fn struct_parts(types: &TypeTable, ty: TypeId) -> (&[TypeId], bool) {
    match types.try_get(ty) {
        Some(Type::Struct { fields, packed }) => (fields, *packed),
        _ => match types.struct_body(ty) {
            Some(StructBody::Fields { fields, packed }) => (fields, *packed),
            _ => (&[], false),
        },
    }
}

/// `x` rounded up to a multiple of `align` (at least 1), saturating: the
/// sizes of absurd types (`[2^62 x [16 x i8]]`) stop at `u64::MAX` instead
/// of overflowing.
fn round_up(x: u64, align: u64) -> u64 {
    x.checked_next_multiple_of(align.max(1)).unwrap_or(u64::MAX)
}

/// See [`Layout::alloc_size_at`].
#[derive(Default)]
struct Memo {
    size: HashMap<TypeId, u64>,
    align: HashMap<(TypeId, bool), u64>,
}
