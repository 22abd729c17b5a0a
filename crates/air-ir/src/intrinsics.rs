//! The table of known intrinsics: the one place that says which `air.*` and
//! `llvm.*` functions airlink understands, what type each must be declared
//! with, and what later stages (shell generator, CPU executor) need to know
//! about them.
//!
//! Each row of [`TABLE`] is one line: a stable [`IntrinsicId`], a name
//! pattern, a signature pattern, how the call synchronises lanes, and a short
//! doc. Patterns use a small language:
//!
//! * In the **name**, `{T:f32|f16|bf16}` is an overload placeholder: `T` may be
//!   any of the listed LLVM type manglings (or address-space digits); a later
//!   `{T}` must repeat the same value. The table is expanded once into every
//!   concrete name, so [`lookup`] is a hash lookup.
//! * In the **signature**, `{T}` is replaced by the LLVM spelling of the
//!   overload (`f32` → `float`, `3` → `3`). Two free variables stand for what
//!   the name does not pin down: `%event` is any named struct (Apple's
//!   `%event_t = type opaque`, or PT's `%struct._simdgroup_event_t`) and
//!   `addrspace(E)` is address space 3 or 0
//!   (docs/air-intrinsics.md#events-and-waits reports both). Each free
//!   variable must take one value throughout a signature.
//!
//! Unknown names are not errors: Apple's compiler emits many intrinsics this
//! table does not list, and the verifier only checks the ones it knows.
//!
//! **Forms.** One intrinsic may be declared in several ways that all run:
//! Apple's compiler declares `air.simd_shuffle_xor.f32` as `float (float,
//! i16)`, hand-written IR has used `float (float, i32)`. Each way is a row
//! of its own with the same [`IntrinsicId`]; a declaration is valid when it
//! matches any row of its name that applies to the module's AIR version.
//! The first row of a name is the form airlink generates, and it is Apple's
//! wherever Apple's form is known. Every row says in
//! [`IntrinsicRow::source`] which Apple-built module or public source it was
//! taken from (docs/air-intrinsics.md#where-each-form-comes-from).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use crate::constant::ConstKind;
use crate::inst::Value;
use crate::metadata::Metadata;
use crate::module::Module;
use crate::types::{Type, TypeId, TypeTable};

/// Stable identity of each table row, for later crates to match on.
///
/// Rows that share a name but differ by AIR version (the simdgroup-matrix
/// load/store) get separate ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntrinsicId {
    /// `air.wg.barrier(i32 flags, i32 scope)`.
    WgBarrier,
    /// `air.threadgroup.barrier(i32 flags, i32 scope)`, the older spelling.
    ThreadgroupBarrier,
    /// `air.simdgroup.barrier(i32 flags, i32 scope)`.
    SimdgroupBarrier,
    /// `air.wait_simdgroup_events(i32 count, %event addrspace(E)** events)`.
    WaitSimdgroupEvents,
    /// `air.simdgroup_async_copy_1d.p3i8.p1i8`: device → threadgroup.
    AsyncCopy1dDeviceToThreadgroup,
    /// `air.simdgroup_async_copy_1d.p1i8.p3i8`: threadgroup → device.
    AsyncCopy1dThreadgroupToDevice,
    /// `air.simdgroup_async_copy_2d.p3i8.p1i8`: device → threadgroup.
    AsyncCopy2dDeviceToThreadgroup,
    /// `air.simdgroup_async_copy_2d.p1i8.p3i8`: threadgroup → device.
    AsyncCopy2dThreadgroupToDevice,
    /// `air.simdgroup_matrix_8x8_load.v64<T>.p<AS><T>`, AIR ≥ 2.8 form.
    SimdgroupMatrixLoad,
    /// The same name, AIR < 2.8 form.
    SimdgroupMatrixLoadLegacy,
    /// `air.simdgroup_matrix_8x8_store.v64<T>.p<AS><T>`, AIR ≥ 2.8 form.
    SimdgroupMatrixStore,
    /// The same name, AIR < 2.8 form.
    SimdgroupMatrixStoreLegacy,
    /// `air.simdgroup_matrix_8x8_multiply_accumulate.v64<C>.v64<A>.v64<B>.v64<C>`.
    SimdgroupMatrixMultiplyAccumulate,
    /// `air.simdgroup_matrix_8x8_init_filled.v64<T>.<T>`.
    SimdgroupMatrixInitFilled,
    /// `air.simd_shuffle_xor.<T>`.
    SimdShuffleXor,
    /// `air.fast_exp2.f32`.
    FastExp2,
    /// `air.fast_log2.f32`.
    FastLog2,
    /// `llvm.exp2.<T>`.
    Exp2,
    /// `llvm.log2.<T>`.
    Log2,
    /// `llvm.lifetime.start.p0i8`.
    LifetimeStart,
    /// `llvm.lifetime.end.p0i8`.
    LifetimeEnd,
}

/// How a call synchronises the lanes of a simdgroup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Convergence {
    /// An ordinary per-lane operation.
    None,
    /// `convergent`: every lane of the simdgroup must reach the call together
    /// (lanes exchange data), but each lane passes its own operands.
    Convergent,
    /// Convergent, and every lane must pass the same operands: the call acts
    /// once for the whole simdgroup (copies, waits, barriers).
    Uniform,
}

impl Convergence {
    /// Whether the call must be reached by all lanes together.
    pub fn is_convergent(self) -> bool {
        !matches!(self, Convergence::None)
    }

    /// Whether every lane must pass the same operands.
    pub fn is_simdgroup_uniform(self) -> bool {
        matches!(self, Convergence::Uniform)
    }
}

/// Direction of an async copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CopyDirection {
    /// Device (addrspace 1) → threadgroup (addrspace 3).
    DeviceToThreadgroup,
    /// Threadgroup (addrspace 3) → device (addrspace 1).
    ThreadgroupToDevice,
}

/// Where an async copy's pointers are among its call operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CopyOperands {
    /// Which way the data moves.
    pub direction: CopyDirection,
    /// 0-based operand index of the destination pointer.
    pub dst: usize,
    /// 0-based operand index of the source pointer.
    pub src: usize,
}

/// An AIR version, `major.minor` as in `!air.version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AirVersion {
    /// Major version (2 for every AIR in use).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl AirVersion {
    /// `major.minor`.
    pub const fn new(major: u32, minor: u32) -> Self {
        AirVersion { major, minor }
    }

    /// The version a module declares in `!air.version = !{!{i32 maj, i32
    /// min, i32 patch}}`, if it declares one in that shape.
    pub fn from_module(module: &Module) -> Option<AirVersion> {
        let named = module.named("air.version")?;
        let node = module.metadata.get(named.operands.first()?.0 as usize)?;
        let Metadata::Node { operands, .. } = node else {
            return None;
        };
        let int_at = |i: usize| -> Option<u32> {
            let id = (*operands.get(i)?)?;
            let Metadata::Value {
                value: Value::Const(c),
                ..
            } = module.metadata.get(id.0 as usize)?
            else {
                return None;
            };
            match &module.consts.try_get(*c)?.kind {
                ConstKind::Int(v) => u32::try_from(v.as_u64()?).ok(),
                _ => None,
            }
        };
        Some(AirVersion::new(int_at(0)?, int_at(1)?))
    }
}

impl std::fmt::Display for AirVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// One row of the intrinsic table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntrinsicRow {
    /// Stable identity.
    pub id: IntrinsicId,
    /// Name pattern (see the module docs).
    pub name: &'static str,
    /// Signature pattern (see the module docs).
    pub signature: &'static str,
    /// How the call synchronises lanes.
    pub convergence: Convergence,
    /// For async copies: where the destination and source pointers are.
    pub copy: Option<CopyOperands>,
    /// First AIR version with this form (inclusive), if limited.
    pub since: Option<AirVersion>,
    /// First AIR version without this form (exclusive), if limited.
    pub until: Option<AirVersion>,
    /// What it does.
    pub doc: &'static str,
    /// Where this exact form was seen: an Apple-built module (set, AIR
    /// version, toolchain) or a public source (repository and path).
    pub source: &'static str,
}

impl IntrinsicRow {
    /// Whether this form applies to AIR `version`.
    pub fn applies_to(&self, version: AirVersion) -> bool {
        self.since.is_none_or(|s| version >= s) && self.until.is_none_or(|u| version < u)
    }

    const fn copy(mut self, direction: CopyDirection, dst: usize, src: usize) -> Self {
        self.copy = Some(CopyOperands {
            direction,
            dst,
            src,
        });
        self
    }

    const fn since(mut self, major: u32, minor: u32) -> Self {
        self.since = Some(AirVersion::new(major, minor));
        self
    }

    const fn until(mut self, major: u32, minor: u32) -> Self {
        self.until = Some(AirVersion::new(major, minor));
        self
    }

    const fn from(mut self, source: &'static str) -> Self {
        self.source = source;
        self
    }
}

const fn row(
    id: IntrinsicId,
    name: &'static str,
    signature: &'static str,
    convergence: Convergence,
    doc: &'static str,
) -> IntrinsicRow {
    IntrinsicRow {
        id,
        name,
        signature,
        convergence,
        copy: None,
        since: None,
        until: None,
        doc,
        source: "",
    }
}

use Convergence::{Convergent, Uniform};
use CopyDirection::{DeviceToThreadgroup as ToTg, ThreadgroupToDevice as ToDev};
use IntrinsicId as I;

/// Where the forms were measured or read; the long names are spelled out
/// once in docs/air-intrinsics.md#where-each-form-comes-from.
const MPSFA: &str = "Apple: mps-flash-attention kernels (AIR 2.7, toolchain 32023.335), mpsops/mps-flash-attention mps_flash_attn/kernels/*.metallib";
const SEED: &str = "Apple: SEED shells built by Apple (AIR 2.8, toolchain 32023.850.10), imperatormk/metal24-asm-repro reverse-linking/*.metallib and *.ll";
const MPSFA_SEED_MFA_RL: &str = "Apple: mps-flash-attention kernels (AIR 2.7, toolchain 32023.335), mpsops/mps-flash-attention mps_flash_attn/kernels/*.metallib; SEED and MFA-RL shells built by Apple (AIR 2.8, toolchain 32023.850.10), imperatormk/metal24-asm-repro reverse-linking/ and imperatormk/metal-flash-attention Sources/FlashAttention/Resources/ (87cbc56)";
const EVENTS: &str = "Apple: mps-flash-attention kernels (AIR 2.7, toolchain 32023.335; events as %struct._simdgroup_event_t* in addrspace 0), mpsops/mps-flash-attention mps_flash_attn/kernels/*.metallib; SEED and MFA-RL shells built by Apple (AIR 2.8, toolchain 32023.850.10; events as %event_t addrspace(3)*), imperatormk/metal24-asm-repro reverse-linking/ and imperatormk/metal-flash-attention Sources/FlashAttention/Resources/ (87cbc56)";
const JL_SIMD: &str = "JuliaGPU/Metal.jl src/device/intrinsics/simd.jl (1323fcd5)";
const JL_SYNC: &str = "JuliaGPU/Metal.jl src/device/intrinsics/synchronization.jl (1323fcd5)";

/// Every known intrinsic. Rows sharing a name list the form airlink
/// generates first, which is what [`lookup`] returns: Apple's form where it
/// is known, and for AIR-version variants the newest.
#[rustfmt::skip]
pub const TABLE: &[IntrinsicRow] = &[
    row(I::WgBarrier, "air.wg.barrier", "void (i32, i32)", Uniform, "threadgroup_barrier(flags, scope); flags: 1 device, 2 threadgroup, 4 texture, 8 imageblock; scope is 1 in every source. All AIR versions.")
        .from(MPSFA_SEED_MFA_RL),
    row(I::ThreadgroupBarrier, "air.threadgroup.barrier", "void (i32, i32)", Uniform, "Older spelling of air.wg.barrier, same operands.")
        .from("imperatormk/metal-ir-pipeline lib/Transforms/BarrierRename.cpp and include/metal-ir/AIRIntrinsics.h (renamed to air.wg.barrier there)"),
    row(I::SimdgroupBarrier, "air.simdgroup.barrier", "void (i32, i32)", Uniform, "simdgroup_barrier(flags, scope); operands as air.wg.barrier.")
        .from(JL_SYNC),
    row(I::WaitSimdgroupEvents, "air.wait_simdgroup_events", "void (i32, %event addrspace(E)**)", Uniform, "Waits for `count` consecutive event slots (usually a thread-private alloca).")
        .from(EVENTS),
    row(I::AsyncCopy1dDeviceToThreadgroup, "air.simdgroup_async_copy_1d.p3i8.p1i8", "%event addrspace(E)* (i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64)", Uniform, "1D copy device -> threadgroup: (size, count-or-align, dst, src, n-or-stride); operand meaning is disputed (docs/air-intrinsics.md#open-question-1d-operand-order).").copy(ToTg, 2, 3)
        .from(SEED),
    row(I::AsyncCopy1dThreadgroupToDevice, "air.simdgroup_async_copy_1d.p1i8.p3i8", "%event addrspace(E)* (i64, i64, i8 addrspace(1)*, i8 addrspace(3)*, i64)", Uniform, "1D copy threadgroup -> device; operands as the device -> threadgroup form.").copy(ToDev, 2, 3)
        .from("imperatormk/metal24-asm-repro reverse-linking/README.md (0ecf63e); philipturner/metal-flash-attention Sources/FlashAttention/GEMM/GEMMHeaders.swift (__asm binding)"),
    row(I::AsyncCopy2dDeviceToThreadgroup, "air.simdgroup_async_copy_2d.p3i8.p1i8", "%event addrspace(E)* (i64, i64, i8 addrspace(3)*, i64, i64, <2 x i64>, i8 addrspace(1)*, i64, i64, <2 x i64>, <2 x i64>, i32)", Uniform, "2D tile copy device -> threadgroup: (elem size, elem align, dst, dst pitch, dst stride, dst tile <w,h>, src, src pitch, src stride, src tile, offset, clamp mode); docs/air-intrinsics.md#2d-async-copy.").copy(ToTg, 2, 6)
        .from(EVENTS),
    row(I::AsyncCopy2dThreadgroupToDevice, "air.simdgroup_async_copy_2d.p1i8.p3i8", "%event addrspace(E)* (i64, i64, i8 addrspace(1)*, i64, i64, <2 x i64>, i8 addrspace(3)*, i64, i64, <2 x i64>, <2 x i64>, i32)", Uniform, "2D tile copy threadgroup -> device; operands as device -> threadgroup, clamp always 0.").copy(ToDev, 2, 6)
        .from(EVENTS),
    row(I::SimdgroupMatrixLoad, "air.simdgroup_matrix_8x8_load.v64{T:f32|f16|bf16}.p{AS:1|3}{T}", "<64 x {T}> ({T} addrspace({AS})*, <2 x i64>, <2 x i64>, <2 x i64>)", Uniform, "Loads an 8x8 tile: (ptr, dims, strides, origin). AIR >= 2.8.").since(2, 8)
        .from(JL_SIMD),
    row(I::SimdgroupMatrixLoadLegacy, "air.simdgroup_matrix_8x8_load.v64{T:f32|f16|bf16}.p{AS:1|3}{T}", "<64 x {T}> ({T} addrspace({AS})*, i64, <2 x i64>, i1)", Uniform, "Loads an 8x8 tile: (ptr, elements per row, origin, transpose). AIR < 2.8.").until(2, 8)
        .from("JuliaGPU/Metal.jl src/compiler/compilation.jl (1323fcd5), the downgrade for AIR < 2.8"),
    row(I::SimdgroupMatrixStore, "air.simdgroup_matrix_8x8_store.v64{T:f32|f16|bf16}.p{AS:1|3}{T}", "void (<64 x {T}>, {T} addrspace({AS})*, <2 x i64>, <2 x i64>, <2 x i64>)", Uniform, "Stores an 8x8 tile: (value, ptr, dims, strides, origin). AIR >= 2.8.").since(2, 8)
        .from(JL_SIMD),
    row(I::SimdgroupMatrixStoreLegacy, "air.simdgroup_matrix_8x8_store.v64{T:f32|f16|bf16}.p{AS:1|3}{T}", "void (<64 x {T}>, {T} addrspace({AS})*, i64, <2 x i64>, i1)", Uniform, "Stores an 8x8 tile: (value, ptr, elements per row, origin, transpose). AIR < 2.8.").until(2, 8)
        .from("JuliaGPU/Metal.jl src/compiler/compilation.jl (1323fcd5), the downgrade for AIR < 2.8"),
    row(I::SimdgroupMatrixMultiplyAccumulate, "air.simdgroup_matrix_8x8_multiply_accumulate.v64{C:f32|f16|bf16}.v64{A:f32|f16|bf16}.v64{B:f32|f16|bf16}.v64{C}", "<64 x {C}> (<64 x {A}>, <64 x {B}>, <64 x {C}>)", Convergent, "D = A * B + C on 8x8 tiles; suffixes are result, A, B, C (result type equals C's).")
        .from("Apple: mps-flash-attention kernels (f32.f32.f32.f32, f32.f16.f16.f32, f16.f16.f16.f16; AIR 2.7, toolchain 32023.335); JuliaGPU/Metal.jl src/device/intrinsics/simd.jl (one type throughout); imperatormk/metal-flash-attention Sources/FlashAttention/Utilities/IRTemplate.swift (mixed precisions)"),
    row(I::SimdgroupMatrixInitFilled, "air.simdgroup_matrix_8x8_init_filled.v64{T:f32|f16|bf16}.{T}", "<64 x {T}> ({T})", Convergence::None, "An 8x8 tile with every element set to the operand.")
        .from(JL_SIMD),
    row(I::SimdShuffleXor, "air.simd_shuffle_xor.{T:f32|f16}", "{T} ({T}, i16)", Convergent, "Reads the operand of lane (self ^ mask); Apple's form, mask i16.")
        .from("Apple: mps-flash-attention kernels (f32; AIR 2.7, toolchain 32023.335); JuliaGPU/Metal.jl src/device/intrinsics/simd.jl (1323fcd5; f32, f16)"),
    row(I::SimdShuffleXor, "air.simd_shuffle_xor.{S:s|u}.{T:i32|i16|i8}", "{T} ({T}, i16)", Convergent, "Reads the operand of lane (self ^ mask) for integers, signed (s) or unsigned (u); mask i16.")
        .from(JL_SIMD),
    row(I::SimdShuffleXor, "air.simd_shuffle_xor.f32", "float (float, i32)", Convergent, "Hand-written form with an i32 mask, reported to run; never generated.")
        .from("imperatormk/metal-flash-attention Sources/FlashAttention/Utilities/IRTemplate.swift at 84fcb60 (MFA-MONO); a later version of the file (0384a4d) declares i16 and says M5's backend rejects the i32 operand"),
    row(I::FastExp2, "air.fast_exp2.f32", "float (float)", Convergence::None, "Fast-math 2^x; Apple's frontend emits it under fast math.")
        .from(MPSFA),
    row(I::FastLog2, "air.fast_log2.f32", "float (float)", Convergence::None, "Fast-math log2(x).")
        .from(MPSFA),
    row(I::Exp2, "llvm.exp2.{T:f32|f16}", "{T} ({T})", Convergence::None, "LLVM 2^x; accepted by Metal's backend.")
        .from("LLVM's own overloads; f32 in imperatormk/metal-flash-attention Sources/FlashAttention/Utilities/IRTemplate.swift (MFA-MONO)"),
    row(I::Log2, "llvm.log2.{T:f32|f16}", "{T} ({T})", Convergence::None, "LLVM log2(x); accepted by Metal's backend.")
        .from("LLVM's own overloads; f32 in imperatormk/metal-flash-attention Sources/FlashAttention/Utilities/IRTemplate.swift (MFA-MONO)"),
    row(I::LifetimeStart, "llvm.lifetime.start.p0i8", "void (i64, i8*)", Convergence::None, "Marks the start of an alloca's lifetime: (size, ptr).")
        .from(MPSFA_SEED_MFA_RL),
    row(I::LifetimeEnd, "llvm.lifetime.end.p0i8", "void (i64, i8*)", Convergence::None, "Marks the end of an alloca's lifetime: (size, ptr).")
        .from(MPSFA_SEED_MFA_RL),
];

/// A signature pattern's type.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TyPat {
    Void,
    Int(u32),
    Half,
    BFloat,
    Float,
    Double,
    Vector(u32, Box<TyPat>),
    Ptr(Box<TyPat>, AsPat),
    /// `%event`: any named struct, the same one throughout a signature.
    Event,
}

/// A pointer's address space in a pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AsPat {
    Fixed(u32),
    /// `addrspace(E)`: 3 or 0, the same throughout a signature.
    Event,
}

/// Address spaces an `addrspace(E)` may take; the first is canonical.
const EVENT_ADDRSPACES: [u32; 2] = [3, 0];
/// The named struct [`Intrinsic::declare_type`] uses for `%event`.
const CANONICAL_EVENT: &str = "event_t";

/// Free-variable bindings while matching one signature.
#[derive(Default)]
struct Binds {
    event: Option<TypeId>,
    event_as: Option<u32>,
}

impl TyPat {
    fn matches(&self, types: &TypeTable, id: TypeId, b: &mut Binds) -> bool {
        let Some(ty) = types.try_get(id) else {
            return false;
        };
        match (self, ty) {
            (TyPat::Void, Type::Void)
            | (TyPat::Half, Type::Half)
            | (TyPat::BFloat, Type::BFloat)
            | (TyPat::Float, Type::Float)
            | (TyPat::Double, Type::Double) => true,
            (TyPat::Int(w), Type::Int(v)) => w == v,
            (TyPat::Vector(n, e), Type::Vector { len, elem }) => {
                n == len && e.matches(types, *elem, b)
            }
            (TyPat::Ptr(p, a), Type::Pointer { pointee, addrspace }) => {
                let as_ok = match a {
                    AsPat::Fixed(x) => x == addrspace,
                    AsPat::Event => match b.event_as {
                        Some(x) => x == *addrspace,
                        None if EVENT_ADDRSPACES.contains(addrspace) => {
                            b.event_as = Some(*addrspace);
                            true
                        }
                        None => false,
                    },
                };
                as_ok && p.matches(types, *pointee, b)
            }
            (TyPat::Event, Type::Named(_)) => match b.event {
                Some(e) => e == id,
                None => {
                    b.event = Some(id);
                    true
                }
            },
            _ => false,
        }
    }

    fn build(&self, types: &mut TypeTable) -> TypeId {
        match self {
            TyPat::Void => types.void(),
            TyPat::Int(w) => types.int(*w),
            TyPat::Half => types.half(),
            TyPat::BFloat => types.intern(Type::BFloat),
            TyPat::Float => types.float(),
            TyPat::Double => types.double(),
            TyPat::Vector(n, e) => {
                let e = e.build(types);
                types.vector(e, *n)
            }
            TyPat::Ptr(p, a) => {
                let p = p.build(types);
                let a = match a {
                    AsPat::Fixed(x) => *x,
                    AsPat::Event => EVENT_ADDRSPACES[0],
                };
                types.ptr(p, a)
            }
            TyPat::Event => types.named(CANONICAL_EVENT),
        }
    }

    fn render(&self, out: &mut String) {
        match self {
            TyPat::Void => out.push_str("void"),
            TyPat::Int(w) => {
                let _ = write!(out, "i{w}");
            }
            TyPat::Half => out.push_str("half"),
            TyPat::BFloat => out.push_str("bfloat"),
            TyPat::Float => out.push_str("float"),
            TyPat::Double => out.push_str("double"),
            TyPat::Vector(n, e) => {
                let _ = write!(out, "<{n} x ");
                e.render(out);
                out.push('>');
            }
            TyPat::Ptr(p, a) => {
                p.render(out);
                let a = match a {
                    AsPat::Fixed(x) => *x,
                    AsPat::Event => EVENT_ADDRSPACES[0],
                };
                if a != 0 {
                    let _ = write!(out, " addrspace({a})");
                }
                out.push('*');
            }
            TyPat::Event => {
                out.push('%');
                out.push_str(CANONICAL_EVENT);
            }
        }
    }

    fn has_free_vars(&self) -> bool {
        match self {
            TyPat::Event | TyPat::Ptr(_, AsPat::Event) => true,
            TyPat::Vector(_, e) | TyPat::Ptr(e, _) => e.has_free_vars(),
            _ => false,
        }
    }
}

/// A parsed signature pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FnPat {
    ret: TyPat,
    params: Vec<TyPat>,
}

/// A tiny recursive-descent parser for signature patterns (after overload
/// substitution). Table rows are static, so errors name the offending text.
struct SigParser<'a> {
    s: &'a str,
}

impl<'a> SigParser<'a> {
    fn parse(text: &'a str) -> Result<FnPat, String> {
        let mut p = SigParser { s: text };
        let ret = p.ty()?;
        p.eat("(")?;
        let mut params = Vec::new();
        p.skip_ws();
        if !p.s.starts_with(')') {
            loop {
                params.push(p.ty()?);
                p.skip_ws();
                if p.s.starts_with(',') {
                    p.eat(",")?;
                } else {
                    break;
                }
            }
        }
        p.eat(")")?;
        p.skip_ws();
        if !p.s.is_empty() {
            return Err(format!("trailing text `{}` in `{text}`", p.s));
        }
        Ok(FnPat { ret, params })
    }

    fn skip_ws(&mut self) {
        self.s = self.s.trim_start();
    }

    fn eat(&mut self, tok: &str) -> Result<(), String> {
        self.skip_ws();
        match self.s.strip_prefix(tok) {
            Some(rest) => {
                self.s = rest;
                Ok(())
            }
            None => Err(format!("expected `{tok}` at `{}`", self.s)),
        }
    }

    fn number(&mut self) -> Result<u32, String> {
        self.skip_ws();
        let end = self
            .s
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.s.len());
        let n = self.s[..end]
            .parse()
            .map_err(|_| format!("expected a number at `{}`", self.s))?;
        self.s = &self.s[end..];
        Ok(n)
    }

    fn word(&mut self) -> &'a str {
        self.skip_ws();
        let end = self
            .s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '%'))
            .unwrap_or(self.s.len());
        let w = &self.s[..end];
        self.s = &self.s[end..];
        w
    }

    fn ty(&mut self) -> Result<TyPat, String> {
        self.skip_ws();
        let mut t = if self.s.starts_with('<') {
            self.eat("<")?;
            let n = self.number()?;
            self.eat("x")?;
            let e = self.ty()?;
            self.eat(">")?;
            TyPat::Vector(n, Box::new(e))
        } else {
            match self.word() {
                "void" => TyPat::Void,
                "half" => TyPat::Half,
                "bfloat" => TyPat::BFloat,
                "float" => TyPat::Float,
                "double" => TyPat::Double,
                "%event" => TyPat::Event,
                w => match w.strip_prefix('i').map(str::parse::<u32>) {
                    Some(Ok(bits)) => TyPat::Int(bits),
                    _ => return Err(format!("unknown type `{w}`")),
                },
            }
        };
        // Pointer suffixes: `*` or ` addrspace(N)*`, repeatable.
        loop {
            self.skip_ws();
            if self.s.starts_with('*') {
                self.eat("*")?;
                t = TyPat::Ptr(Box::new(t), AsPat::Fixed(0));
            } else if self.s.starts_with("addrspace") {
                self.eat("addrspace")?;
                self.eat("(")?;
                self.skip_ws();
                let a = if self.s.starts_with('E') {
                    self.eat("E")?;
                    AsPat::Event
                } else {
                    AsPat::Fixed(self.number()?)
                };
                self.eat(")")?;
                self.eat("*")?;
                t = TyPat::Ptr(Box::new(t), a);
            } else {
                return Ok(t);
            }
        }
    }
}

/// One concrete name of one row, with its instantiated signature.
#[derive(Debug)]
struct Entry {
    row: &'static IntrinsicRow,
    name: String,
    overloads: Vec<(&'static str, &'static str)>,
    sig: FnPat,
}

/// The LLVM spelling of an overload value: a type mangling becomes the type
/// (`f32` → `float`), anything else (address-space digits) stays as is.
fn overload_spelling(value: &str) -> &str {
    match value {
        "f16" => "half",
        "bf16" => "bfloat",
        "f32" => "float",
        "f64" => "double",
        other => other,
    }
}

/// A piece of a name pattern.
enum Piece {
    Lit(&'static str),
    /// Placeholder `var`; `choices` is set on its first occurrence.
    Var {
        var: &'static str,
        choices: Option<Vec<&'static str>>,
    },
}

fn split_name(pattern: &'static str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(Piece::Lit(&rest[..open]));
        }
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in `{pattern}`"))?
            + open;
        let inner = &rest[open + 1..close];
        pieces.push(match inner.split_once(':') {
            Some((var, choices)) => Piece::Var {
                var,
                choices: Some(choices.split('|').collect()),
            },
            None => Piece::Var {
                var: inner,
                choices: None,
            },
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Lit(rest));
    }
    Ok(pieces)
}

/// Expands one row into every concrete name it stands for.
fn expand(row: &'static IntrinsicRow, out: &mut Vec<Entry>) -> Result<(), String> {
    let pieces = split_name(row.name)?;
    // Variables in order of first occurrence, with their choices.
    let mut vars: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for p in &pieces {
        if let Piece::Var { var, choices } = p {
            match (choices, vars.iter().any(|(v, _)| v == var)) {
                (Some(c), false) => vars.push((var, c.clone())),
                (None, true) => {}
                (Some(_), true) => {
                    return Err(format!("`{var}` given choices twice in `{}`", row.name))
                }
                (None, false) => {
                    return Err(format!("`{var}` used before its choices in `{}`", row.name))
                }
            }
        }
    }
    // Odometer over the choices of every variable.
    let mut pick = vec![0usize; vars.len()];
    loop {
        let overloads: Vec<(&'static str, &'static str)> = vars
            .iter()
            .zip(&pick)
            .map(|((v, c), &i)| (*v, c[i]))
            .collect();
        let value = |var: &str| overloads.iter().find(|(v, _)| *v == var).map(|(_, x)| *x);
        let mut name = String::new();
        for p in &pieces {
            match p {
                Piece::Lit(s) => name.push_str(s),
                Piece::Var { var, .. } => name.push_str(value(var).unwrap_or_default()),
            }
        }
        let mut sig = row.signature.to_string();
        for (var, val) in &overloads {
            sig = sig.replace(&format!("{{{var}}}"), overload_spelling(val));
        }
        let sig = SigParser::parse(&sig).map_err(|e| format!("{}: {e}", row.name))?;
        out.push(Entry {
            row,
            name,
            overloads,
            sig,
        });
        // Advance the odometer; done when every digit wrapped.
        let mut k = 0;
        loop {
            if k == pick.len() {
                return Ok(());
            }
            pick[k] += 1;
            if pick[k] < vars[k].1.len() {
                break;
            }
            pick[k] = 0;
            k += 1;
        }
    }
}

/// Concrete name → entries (several when AIR versions differ), built once.
fn index() -> &'static HashMap<String, Vec<Entry>> {
    static INDEX: OnceLock<HashMap<String, Vec<Entry>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map: HashMap<String, Vec<Entry>> = HashMap::new();
        for row in TABLE {
            let mut entries = Vec::new();
            // The table is static data with a unit test over every row, so a
            // malformed row is a programming error caught before release.
            expand(row, &mut entries).expect("malformed intrinsic table row");
            for e in entries {
                map.entry(e.name.clone()).or_default().push(e);
            }
        }
        map
    })
}

/// A known intrinsic under one concrete name: a table row plus the overload
/// values its name picked.
#[derive(Clone, Copy, Debug)]
pub struct Intrinsic {
    entry: &'static Entry,
}

impl PartialEq for Intrinsic {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.entry, other.entry)
    }
}

impl Eq for Intrinsic {}

impl Intrinsic {
    /// The row's stable id.
    pub fn id(self) -> IntrinsicId {
        self.entry.row.id
    }

    /// The table row (doc, convergence, copy operands, AIR versions).
    pub fn row(self) -> &'static IntrinsicRow {
        self.entry.row
    }

    /// The concrete name, e.g. `air.simdgroup_matrix_8x8_load.v64f32.p3f32`.
    pub fn name(self) -> &'static str {
        &self.entry.name
    }

    /// The value the name gave overload variable `var` (`"T"` → `"f32"`,
    /// `"AS"` → `"3"`).
    pub fn overload(self, var: &str) -> Option<&'static str> {
        self.entry
            .overloads
            .iter()
            .find(|(v, _)| *v == var)
            .map(|(_, x)| *x)
    }

    /// How the call synchronises lanes.
    pub fn convergence(self) -> Convergence {
        self.entry.row.convergence
    }

    /// Number of parameters.
    pub fn param_count(self) -> usize {
        self.entry.sig.params.len()
    }

    /// Whether `fn_ty` (a function type of `types`) is a valid declaration
    /// type for this intrinsic. Never panics, whatever the ids.
    pub fn matches(self, types: &TypeTable, fn_ty: TypeId) -> bool {
        let Some(Type::Function {
            ret,
            params,
            varargs,
        }) = types.try_get(fn_ty)
        else {
            return false;
        };
        let sig = &self.entry.sig;
        let mut b = Binds::default();
        !varargs
            && params.len() == sig.params.len()
            && sig.ret.matches(types, *ret, &mut b)
            && sig
                .params
                .iter()
                .zip(params)
                .all(|(p, t)| p.matches(types, *t, &mut b))
    }

    /// The canonical declaration type (with `%event_t` in address space 3
    /// for event pointers), interned into `types`.
    pub fn declare_type(self, types: &mut TypeTable) -> TypeId {
        let sig = &self.entry.sig;
        let ret = sig.ret.build(types);
        let params = sig.params.iter().map(|p| p.build(types)).collect();
        types.function(ret, params, false)
    }

    /// The canonical signature as LLVM text, e.g. `void (i32, i32)`.
    pub fn signature_text(self) -> String {
        let sig = &self.entry.sig;
        let mut out = String::new();
        sig.ret.render(&mut out);
        out.push_str(" (");
        for (i, p) in sig.params.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            p.render(&mut out);
        }
        out.push(')');
        out
    }

    /// Whether the signature has free parts (`%event`, event address space)
    /// that [`Intrinsic::signature_text`] shows in canonical form only.
    pub fn has_free_vars(self) -> bool {
        let sig = &self.entry.sig;
        sig.ret.has_free_vars() || sig.params.iter().any(TyPat::has_free_vars)
    }
}

/// The intrinsic called `name`, if the table knows it. For names with
/// AIR-version variants this is the newest form; see [`lookup_all`].
pub fn lookup(name: &str) -> Option<Intrinsic> {
    lookup_all(name).next()
}

/// Every form of intrinsic `name` (newest AIR first); empty if unknown.
pub fn lookup_all(name: &str) -> impl Iterator<Item = Intrinsic> {
    index()
        .get(name)
        .map(|v| v.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|entry| Intrinsic { entry })
}

/// The forms of `name` that apply to AIR `version` (all forms when the
/// version is unknown or no form claims it).
pub fn lookup_for(name: &str, version: Option<AirVersion>) -> Vec<Intrinsic> {
    let all: Vec<Intrinsic> = lookup_all(name).collect();
    let Some(v) = version else {
        return all;
    };
    let fitting: Vec<Intrinsic> = all
        .iter()
        .copied()
        .filter(|i| i.row().applies_to(v))
        .collect();
    if fitting.is_empty() {
        all
    } else {
        fitting
    }
}

/// The forms [`lookup_for`] returns, as a cloneable iterator that
/// allocates nothing (the verifier asks this for every function).
pub(crate) fn lookup_for_iter(
    name: &str,
    version: Option<AirVersion>,
) -> impl Iterator<Item = Intrinsic> + Clone {
    let all: &'static [Entry] = index().get(name).map(|v| v.as_slice()).unwrap_or_default();
    let fits = |entry: &'static Entry, v: AirVersion| Intrinsic { entry }.row().applies_to(v);
    // Keep only the fitting forms when there are any, as lookup_for does.
    let only = version.filter(|v| all.iter().any(|e| fits(e, *v)));
    all.iter()
        .filter(move |e| only.is_none_or(|v| fits(e, v)))
        .map(|entry| Intrinsic { entry })
}

/// LLVM text of a type, for messages; the printer's own formatter, which
/// never panics (unknown ids print as a placeholder).
pub fn type_text(types: &TypeTable, id: TypeId) -> String {
    crate::text::type_to_string(types, id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_expands_names_its_source_and_forms_agree() {
        let mut forms = std::collections::HashSet::new();
        for row in TABLE {
            assert!(
                forms.insert((row.name, row.signature, row.since, row.until)),
                "duplicate form {} {}",
                row.name,
                row.signature
            );
            assert!(!row.source.is_empty(), "{} names no source", row.name);
            let mut out = Vec::new();
            expand(row, &mut out).unwrap();
            assert!(!out.is_empty());
            // Rows sharing an id are forms of one operation: the later
            // stages rely on the id alone for how it synchronises and where
            // its pointers are.
            let first = TABLE.iter().find(|r| r.id == row.id).unwrap();
            assert_eq!(first.convergence, row.convergence, "{}", row.name);
            assert_eq!(first.copy, row.copy, "{}", row.name);
        }
        // Force the index, which panics on a bad row.
        assert!(index().len() > TABLE.len());
    }

    fn shuffle_type(t: &mut TypeTable, value: TypeId, mask_bits: u32) -> TypeId {
        let mask = t.int(mask_bits);
        t.function(value, vec![value, mask], false)
    }

    #[test]
    fn shuffle_xor_takes_apples_i16_mask_first_and_the_hand_written_i32_mask() {
        let mut t = TypeTable::new();
        let f = t.float();
        let (f_i16, f_i32, f_i64) = (
            shuffle_type(&mut t, f, 16),
            shuffle_type(&mut t, f, 32),
            shuffle_type(&mut t, f, 64),
        );
        let forms: Vec<Intrinsic> = lookup_all("air.simd_shuffle_xor.f32").collect();
        assert_eq!(forms.len(), 2);
        assert!(forms.iter().all(|i| i.id() == IntrinsicId::SimdShuffleXor));
        // What airlink generates is Apple's form.
        let canonical = lookup("air.simd_shuffle_xor.f32").unwrap();
        assert_eq!(canonical.signature_text(), "float (float, i16)");
        let declared = canonical.declare_type(&mut t);
        assert_eq!(type_text(&t, declared), "float (float, i16)");
        assert!(canonical.row().source.contains("mps-flash-attention"));
        assert!(forms.iter().any(|i| i.matches(&t, f_i16)));
        assert!(forms.iter().any(|i| i.matches(&t, f_i32)));
        assert!(!forms.iter().any(|i| i.matches(&t, f_i64)));
        // Half: Apple's mask only; no source shows an i32 mask for it.
        let h = t.half();
        let (h_i16, h_i32) = (shuffle_type(&mut t, h, 16), shuffle_type(&mut t, h, 32));
        let half: Vec<Intrinsic> = lookup_all("air.simd_shuffle_xor.f16").collect();
        assert!(half.iter().any(|i| i.matches(&t, h_i16)));
        assert!(!half.iter().any(|i| i.matches(&t, h_i32)));
        // Integers carry a sign in the name; the value type follows it.
        let i32t = t.i32();
        let i32_i16 = shuffle_type(&mut t, i32t, 16);
        for name in ["air.simd_shuffle_xor.s.i32", "air.simd_shuffle_xor.u.i32"] {
            let only = lookup(name).unwrap();
            assert!(only.matches(&t, i32_i16), "{name}");
            assert_eq!(only.overload("T"), Some("i32"));
        }
        // The unsigned spelling without a sign is no known name any more.
        assert!(lookup("air.simd_shuffle_xor.i32").is_none());
    }

    #[test]
    fn overloads_expand() {
        let mma =
            lookup("air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32")
                .unwrap();
        assert_eq!(mma.id(), IntrinsicId::SimdgroupMatrixMultiplyAccumulate);
        assert_eq!(
            mma.signature_text(),
            "<64 x float> (<64 x half>, <64 x half>, <64 x float>)"
        );
        // The result suffix must equal C's.
        assert!(
            lookup("air.simdgroup_matrix_8x8_multiply_accumulate.v64f16.v64f16.v64f16.v64f32")
                .is_none()
        );
        let load = lookup("air.simdgroup_matrix_8x8_load.v64bf16.p1bf16").unwrap();
        assert_eq!(load.overload("T"), Some("bf16"));
        assert_eq!(load.overload("AS"), Some("1"));
        assert_eq!(
            load.signature_text(),
            "<64 x bfloat> (bfloat addrspace(1)*, <2 x i64>, <2 x i64>, <2 x i64>)"
        );
        assert!(lookup("air.simdgroup_matrix_8x8_load.v64f32.p2f32").is_none());
        assert_eq!(
            lookup_all("air.simdgroup_matrix_8x8_load.v64f32.p3f32").count(),
            2
        );
        let legacy = lookup_for(
            "air.simdgroup_matrix_8x8_load.v64f32.p3f32",
            Some(AirVersion::new(2, 7)),
        );
        assert_eq!(legacy.len(), 1);
        assert_eq!(legacy[0].id(), IntrinsicId::SimdgroupMatrixLoadLegacy);
    }

    #[test]
    fn event_pointers_match_any_named_struct_in_as0_or_as3() {
        let mut t = TypeTable::new();
        let wait = lookup("air.wait_simdgroup_events").unwrap();
        let canonical = wait.declare_type(&mut t);
        assert!(wait.matches(&t, canonical));
        assert_eq!(
            type_text(&t, canonical),
            "void (i32, %event_t addrspace(3)**)"
        );
        let ev = t.named("struct._simdgroup_event_t");
        let p0 = t.ptr(ev, 0);
        let pp = t.ptr(p0, 0);
        let (void, i32) = (t.void(), t.i32());
        let as0 = t.function(void, vec![i32, pp], false);
        assert!(wait.matches(&t, as0));
        let p1 = t.ptr(ev, 1);
        let pp1 = t.ptr(p1, 0);
        let as1 = t.function(void, vec![i32, pp1], false);
        assert!(!wait.matches(&t, as1));
        let f = t.float();
        let pf = t.ptr(f, 3);
        let ppf = t.ptr(pf, 0);
        let not_struct = t.function(void, vec![i32, ppf], false);
        assert!(!wait.matches(&t, not_struct));
    }

    #[test]
    fn copy_operands_point_at_pointers() {
        for row in TABLE {
            let Some(c) = row.copy else { continue };
            for i in lookup_all(row.name).filter(|i| i.id() == row.id) {
                let mut t = TypeTable::new();
                let fty = i.declare_type(&mut t);
                let (_, params, _) = t.function_parts(fty).unwrap();
                let (dst, src) = (params[c.dst], params[c.src]);
                let want = match c.direction {
                    CopyDirection::DeviceToThreadgroup => (3, 1),
                    CopyDirection::ThreadgroupToDevice => (1, 3),
                };
                assert_eq!(t.pointer_parts(dst).unwrap().1, want.0);
                assert_eq!(t.pointer_parts(src).unwrap().1, want.1);
            }
        }
    }
}
