//! Just enough of LLVM's `DataLayout` to fill in the alignments LLVM's
//! parser adds when the text leaves them out (`load`, `store` and `alloca`
//! always carry an alignment once parsed; `atomicrmw` and `cmpxchg` default
//! to the value's store size).

use std::sync::Mutex;

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
        self.alloc_size_at(types, ty, 0)
    }

    fn alloc_size_at(&self, types: &TypeTable, ty: TypeId, depth: u32) -> u64 {
        if depth > MAX_LAYOUT_DEPTH {
            return 0;
        }
        let align = self.align(types, ty, false);
        let store = match types.try_get(ty) {
            Some(Type::Array { len, elem }) => {
                return len.saturating_mul(self.alloc_size_at(types, *elem, depth + 1));
            }
            Some(Type::Struct { .. } | Type::Named(_)) => {
                let (fields, packed) = match types.try_get(ty) {
                    Some(Type::Struct { fields, packed }) => (fields.clone(), *packed),
                    _ => match types.struct_body(ty) {
                        Some(StructBody::Fields { fields, packed }) => (fields.clone(), *packed),
                        _ => (Vec::new(), false),
                    },
                };
                let mut size = 0u64;
                let mut struct_align = 1u64;
                for f in fields {
                    let field_align = if packed {
                        1
                    } else {
                        self.align(types, f, false)
                    };
                    struct_align = struct_align.max(field_align);
                    size = size.next_multiple_of(field_align);
                    size = size.saturating_add(self.alloc_size_at(types, f, depth + 1));
                }
                size.next_multiple_of(struct_align)
            }
            _ => types.primitive_bits(ty).map_or(0, |bits| bits.div_ceil(8)),
        };
        store.next_multiple_of(align.max(1))
    }

    /// Alignment in bytes (ABI, or preferred when `pref`).
    pub fn align(&self, types: &TypeTable, ty: TypeId, pref: bool) -> u64 {
        self.align_bits(types, ty, pref, 0).max(8) / 8
    }

    fn align_bits(&self, types: &TypeTable, ty: TypeId, pref: bool, depth: u32) -> u64 {
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
            Some(Type::Array { elem, .. }) => self.align_bits(types, *elem, pref, depth + 1),
            Some(Type::Struct { .. } | Type::Named(_)) => {
                let (fields, packed) = match types.try_get(ty) {
                    Some(Type::Struct { fields, packed }) => (fields.clone(), *packed),
                    _ => match types.struct_body(ty) {
                        Some(StructBody::Fields { fields, packed }) => (fields.clone(), *packed),
                        _ => (Vec::new(), false),
                    },
                };
                let layout_align = if packed {
                    8
                } else {
                    fields
                        .iter()
                        .map(|f| self.align_bits(types, *f, false, depth + 1))
                        .max()
                        .unwrap_or(8)
                };
                let agg = u64::from(if pref {
                    self.aggregate_pref
                } else {
                    self.aggregate_abi
                });
                layout_align.max(agg)
            }
            _ => 8,
        }
    }
}
