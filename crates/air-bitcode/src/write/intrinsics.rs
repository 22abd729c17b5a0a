//! LLVM 14's attribute sets for the `llvm.*` intrinsics AIR kernels use.
//!
//! While parsing, `llvm-as-14` replaces the attributes of every declaration
//! of a known intrinsic with `Intrinsic::getAttributes(ID)` (in
//! `UpgradeIntrinsicFunction`), whatever the text said. The sets below were
//! read off `llvm-dis-14` output for declarations of each intrinsic; an
//! intrinsic missing here keeps the attributes it was written with.
//!
//! Apple's compiler resets them too, to its own table
//! ([`apple_intrinsic_attributes`]).

use air_ir::attributes::{AttrKind as K, AttrSet, Attribute};

/// Function attributes shared by groups of intrinsics.
const ARGMEM_NOSYNC: &[K] = &[
    K::ArgMemOnly,
    K::NoFree,
    K::NoSync,
    K::NoUnwind,
    K::WillReturn,
];
const ARGMEM: &[K] = &[K::ArgMemOnly, K::NoFree, K::NoUnwind, K::WillReturn];
const ARGMEM_WRITEONLY: &[K] = &[
    K::ArgMemOnly,
    K::NoFree,
    K::NoUnwind,
    K::WillReturn,
    K::WriteOnly,
];
const PURE_SPECULATABLE: &[K] = &[
    K::NoFree,
    K::NoSync,
    K::NoUnwind,
    K::ReadNone,
    K::Speculatable,
    K::WillReturn,
];
const INACCESSIBLE: &[K] = &[
    K::InaccessibleMemOnly,
    K::NoFree,
    K::NoSync,
    K::NoUnwind,
    K::WillReturn,
];
const DEFAULT: &[K] = &[K::NoFree, K::NoSync, K::NoUnwind, K::WillReturn];
const PURE: &[K] = &[
    K::NoFree,
    K::NoSync,
    K::NoUnwind,
    K::ReadNone,
    K::WillReturn,
];

/// One row: intrinsic base name, function attributes, and per-parameter
/// attributes as (parameter index, kinds).
type Row = (&'static str, &'static [K], &'static [(usize, &'static [K])]);

const TABLE: &[Row] = &[
    (
        "llvm.lifetime.start",
        ARGMEM_NOSYNC,
        &[(0, &[K::ImmArg]), (1, &[K::NoCapture])],
    ),
    (
        "llvm.lifetime.end",
        ARGMEM_NOSYNC,
        &[(0, &[K::ImmArg]), (1, &[K::NoCapture])],
    ),
    (
        "llvm.invariant.start",
        ARGMEM_NOSYNC,
        &[(0, &[K::ImmArg]), (1, &[K::NoCapture])],
    ),
    (
        "llvm.memcpy",
        ARGMEM,
        &[
            (0, &[K::NoAlias, K::NoCapture, K::WriteOnly]),
            (1, &[K::NoAlias, K::NoCapture, K::ReadOnly]),
            (3, &[K::ImmArg]),
        ],
    ),
    (
        "llvm.memmove",
        ARGMEM,
        &[
            (0, &[K::NoCapture, K::WriteOnly]),
            (1, &[K::NoCapture, K::ReadOnly]),
            (3, &[K::ImmArg]),
        ],
    ),
    (
        "llvm.memset",
        ARGMEM_WRITEONLY,
        &[(0, &[K::NoCapture, K::WriteOnly]), (3, &[K::ImmArg])],
    ),
    ("llvm.abs", PURE_SPECULATABLE, &[(1, &[K::ImmArg])]),
    ("llvm.ctlz", PURE_SPECULATABLE, &[(1, &[K::ImmArg])]),
    ("llvm.cttz", PURE_SPECULATABLE, &[(1, &[K::ImmArg])]),
    ("llvm.fma", PURE_SPECULATABLE, &[]),
    ("llvm.fmuladd", PURE_SPECULATABLE, &[]),
    ("llvm.sqrt", PURE_SPECULATABLE, &[]),
    ("llvm.fabs", PURE_SPECULATABLE, &[]),
    ("llvm.minnum", PURE_SPECULATABLE, &[]),
    ("llvm.maxnum", PURE_SPECULATABLE, &[]),
    ("llvm.minimum", PURE_SPECULATABLE, &[]),
    ("llvm.maximum", PURE_SPECULATABLE, &[]),
    ("llvm.smin", PURE_SPECULATABLE, &[]),
    ("llvm.smax", PURE_SPECULATABLE, &[]),
    ("llvm.umin", PURE_SPECULATABLE, &[]),
    ("llvm.umax", PURE_SPECULATABLE, &[]),
    ("llvm.ctpop", PURE_SPECULATABLE, &[]),
    ("llvm.bswap", PURE_SPECULATABLE, &[]),
    ("llvm.bitreverse", PURE_SPECULATABLE, &[]),
    ("llvm.fshl", PURE_SPECULATABLE, &[]),
    ("llvm.fshr", PURE_SPECULATABLE, &[]),
    ("llvm.exp", PURE_SPECULATABLE, &[]),
    ("llvm.exp2", PURE_SPECULATABLE, &[]),
    ("llvm.log", PURE_SPECULATABLE, &[]),
    ("llvm.log2", PURE_SPECULATABLE, &[]),
    ("llvm.log10", PURE_SPECULATABLE, &[]),
    ("llvm.pow", PURE_SPECULATABLE, &[]),
    ("llvm.powi", PURE_SPECULATABLE, &[]),
    ("llvm.sin", PURE_SPECULATABLE, &[]),
    ("llvm.cos", PURE_SPECULATABLE, &[]),
    ("llvm.floor", PURE_SPECULATABLE, &[]),
    ("llvm.ceil", PURE_SPECULATABLE, &[]),
    ("llvm.trunc", PURE_SPECULATABLE, &[]),
    ("llvm.rint", PURE_SPECULATABLE, &[]),
    ("llvm.round", PURE_SPECULATABLE, &[]),
    ("llvm.roundeven", PURE_SPECULATABLE, &[]),
    ("llvm.nearbyint", PURE_SPECULATABLE, &[]),
    ("llvm.copysign", PURE_SPECULATABLE, &[]),
    ("llvm.canonicalize", PURE_SPECULATABLE, &[]),
    ("llvm.sadd.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.uadd.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.ssub.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.usub.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.smul.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.umul.with.overflow", PURE_SPECULATABLE, &[]),
    ("llvm.sadd.sat", PURE_SPECULATABLE, &[]),
    ("llvm.uadd.sat", PURE_SPECULATABLE, &[]),
    ("llvm.ssub.sat", PURE_SPECULATABLE, &[]),
    ("llvm.usub.sat", PURE_SPECULATABLE, &[]),
    ("llvm.assume", INACCESSIBLE, &[(0, &[K::NoUndef])]),
    ("llvm.experimental.constrained", INACCESSIBLE, &[]),
    ("llvm.va_start", DEFAULT, &[]),
    ("llvm.va_end", DEFAULT, &[]),
    ("llvm.va_copy", DEFAULT, &[]),
    ("llvm.stacksave", DEFAULT, &[]),
    ("llvm.stackrestore", DEFAULT, &[]),
    ("llvm.expect", PURE, &[]),
    ("llvm.donothing", PURE, &[]),
    ("llvm.trap", &[K::Cold, K::NoReturn, K::NoUnwind], &[]),
    ("llvm.debugtrap", &[K::NoUnwind], &[]),
];

/// LLVM 14's attributes for a declaration named `name`: function attributes
/// and one set per parameter. `None` when `name` is not in the table.
pub(crate) fn intrinsic_attributes(name: &str, params: usize) -> Option<(AttrSet, Vec<AttrSet>)> {
    let row = TABLE.iter().find(|(base, _, _)| {
        name.strip_prefix(base).is_some_and(|rest| {
            // `llvm.memcpy.inline` is a different intrinsic from
            // `llvm.memcpy`; everything else after the base is an overload
            // suffix.
            (rest.is_empty() || rest.starts_with('.')) && !rest.starts_with(".inline")
        })
    })?;
    let fn_attrs = AttrSet::from_attrs(row.1.iter().map(|k| Attribute::Enum(*k)));
    let mut param_attrs = vec![AttrSet::new(); params];
    for (index, kinds) in row.2 {
        if let Some(set) = param_attrs.get_mut(*index) {
            *set = AttrSet::from_attrs(kinds.iter().map(|k| Attribute::Enum(*k)));
        }
    }
    Some((fn_attrs, param_attrs))
}

/// Apple's attributes for a declaration named `name`, as its compiler sets
/// them whatever the text said.
///
/// Measured: `llvm.lifetime.start/end` get `argmemonly nocallback nofree
/// nosync nounwind willreturn` with `immarg` and `nocapture` on the
/// parameters, in all 17 Apple modules of the public sets that declare
/// them (mps-flash-attention, SEED, MFA-RL; the SEED text says `argmemonly
/// mustprogress nocallback ...`). That is LLVM 14's set plus `nocallback`,
/// the attribute LLVM 15 gives every intrinsic with default attributes
/// (LLVM 14's `nofree nosync ... willreturn` ones).
///
/// A guess for the others (no Apple module of AIR 2.6 or later declares
/// one): LLVM 14's set, plus `nocallback` where LLVM 14's set has `nofree`
/// and `nosync`, like the lifetime markers.
pub(crate) fn apple_intrinsic_attributes(
    name: &str,
    params: usize,
) -> Option<(AttrSet, Vec<AttrSet>)> {
    let (mut fn_attrs, params) = intrinsic_attributes(name, params)?;
    if fn_attrs.has(K::NoFree) && fn_attrs.has(K::NoSync) {
        fn_attrs.insert(Attribute::Enum(K::NoCallback));
    }
    Some((fn_attrs, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_respects_name_boundaries() {
        assert!(intrinsic_attributes("llvm.exp2.f32", 1).is_some());
        assert!(intrinsic_attributes("llvm.memcpy.p0i8.p1i8.i64", 4).is_some());
        assert!(intrinsic_attributes("llvm.memcpy.inline.p0i8.p0i8.i64", 4).is_none());
        assert!(intrinsic_attributes("llvm.expfoo", 1).is_none());
        assert!(intrinsic_attributes("air.wg.barrier", 2).is_none());
        let (f, p) = intrinsic_attributes("llvm.lifetime.start.p0i8", 2).unwrap();
        assert!(f.has(K::ArgMemOnly) && f.has(K::NoSync));
        assert!(p[0].has(K::ImmArg) && p[1].has(K::NoCapture));
    }

    #[test]
    fn apple_lifetime_markers_get_nocallback() {
        let want = AttrSet::from_attrs(
            [
                K::ArgMemOnly,
                K::NoCallback,
                K::NoFree,
                K::NoSync,
                K::NoUnwind,
                K::WillReturn,
            ]
            .map(Attribute::Enum),
        );
        // The two intrinsics whose Apple sets were measured.
        for name in ["llvm.lifetime.start", "llvm.lifetime.end"] {
            let (f, p) = apple_intrinsic_attributes(&format!("{name}.p0i8"), 2).unwrap();
            assert_eq!(f, want, "{name}");
            assert_eq!(p[0], AttrSet::from_attrs([Attribute::Enum(K::ImmArg)]));
            assert_eq!(p[1], AttrSet::from_attrs([Attribute::Enum(K::NoCapture)]));
        }
        // The guess: the mem* intrinsics have no nosync in LLVM 14 and keep
        // LLVM 14's set; math ones gain nocallback.
        let (f, _) = apple_intrinsic_attributes("llvm.memcpy.p0i8.p0i8.i64", 4).unwrap();
        assert!(!f.has(K::NoCallback));
        let (f, _) = apple_intrinsic_attributes("llvm.exp2.f32", 1).unwrap();
        assert!(f.has(K::NoCallback) && f.has(K::ReadNone));
        assert!(apple_intrinsic_attributes("air.wg.barrier", 2).is_none());
    }
}
