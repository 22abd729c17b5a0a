//! Floating-point formats and the math library calls bodies make
//! (`air.fma.f32`, `air.fast_sqrt.f32`, `llvm.fmuladd.f32`, ...).
//!
//! These are not in air-ir's intrinsic table: they are per-lane library
//! functions with no synchronisation, named `air.<op>.<type>`,
//! `air.fast_<op>.<type>` or `llvm.<op>.<type>`. The executor computes each
//! in f64 and rounds once to the result format; for the basic operations
//! (+, −, ×, ÷, sqrt) that gives the correctly rounded IEEE result for f32
//! and f16, and fast-math variants compute the same precise value (fast
//! math permits less precision, never demands it).

use half::{bf16, f16};

use air_ir::types::{Type, TypeId, TypeTable};

/// A floating-point format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatKind {
    Half,
    BFloat,
    Float,
    Double,
}

impl FloatKind {
    pub fn of(types: &TypeTable, ty: TypeId) -> Option<FloatKind> {
        match types.try_get(types.scalar(ty))? {
            Type::Half => Some(FloatKind::Half),
            Type::BFloat => Some(FloatKind::BFloat),
            Type::Float => Some(FloatKind::Float),
            Type::Double => Some(FloatKind::Double),
            _ => None,
        }
    }

    /// Bytes of one value.
    pub fn bytes(self) -> u64 {
        match self {
            FloatKind::Half | FloatKind::BFloat => 2,
            FloatKind::Float => 4,
            FloatKind::Double => 8,
        }
    }

    /// The value of raw bits.
    pub fn to_f64(self, bits: u64) -> f64 {
        match self {
            FloatKind::Half => f16::from_bits(bits as u16).to_f64(),
            FloatKind::BFloat => bf16::from_bits(bits as u16).to_f64(),
            FloatKind::Float => f64::from(f32::from_bits(bits as u32)),
            FloatKind::Double => f64::from_bits(bits),
        }
    }

    /// Raw bits of `v` rounded to this format (round to nearest even).
    pub fn round_bits(self, v: f64) -> u64 {
        match self {
            FloatKind::Half => u64::from(f16::from_f64(v).to_bits()),
            FloatKind::BFloat => u64::from(bf16::from_f64(v).to_bits()),
            FloatKind::Float => u64::from((v as f32).to_bits()),
            FloatKind::Double => v.to_bits(),
        }
    }

    /// `a * b + c` with one rounding (as far as f64 allows for half types).
    pub fn fma(self, a: u64, b: u64, c: u64) -> u64 {
        match self {
            FloatKind::Float => {
                let f = |x: u64| f32::from_bits(x as u32);
                u64::from(f(a).mul_add(f(b), f(c)).to_bits())
            }
            FloatKind::Double => f64::from_bits(a)
                .mul_add(f64::from_bits(b), f64::from_bits(c))
                .to_bits(),
            _ => self.round_bits(self.to_f64(a).mul_add(self.to_f64(b), self.to_f64(c))),
        }
    }
}

/// A math library function.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MathFn {
    /// One float operand.
    Unary(fn(f64) -> f64),
    /// Two float operands.
    Binary(fn(f64, f64) -> f64),
    /// Fused multiply-add (one rounding).
    Fma,
    /// `clamp(x, lo, hi)`.
    Clamp,
    /// Integer min/max/abs: which one.
    Int(IntOp),
}

/// Integer library operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntOp {
    SMin,
    SMax,
    UMin,
    UMax,
    Abs,
}

fn fract(x: f64) -> f64 {
    x - x.floor()
}
fn saturate(x: f64) -> f64 {
    x.clamp(0.0, 1.0)
}
fn rsqrt(x: f64) -> f64 {
    1.0 / x.sqrt()
}
fn exp10(x: f64) -> f64 {
    10f64.powf(x)
}
fn rint(x: f64) -> f64 {
    x.round_ties_even()
}
// IEEE minNum/maxNum: a NaN operand yields the other operand.
fn fmin(a: f64, b: f64) -> f64 {
    a.min(b)
}
fn fmax(a: f64, b: f64) -> f64 {
    a.max(b)
}
// minimum/maximum propagate NaN.
fn minimum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}
fn maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
fn add(a: f64, b: f64) -> f64 {
    a + b
}
fn sub(a: f64, b: f64) -> f64 {
    a - b
}
fn mul(a: f64, b: f64) -> f64 {
    a * b
}
fn div(a: f64, b: f64) -> f64 {
    a / b
}
fn fmod(a: f64, b: f64) -> f64 {
    a % b
}

impl MathFn {
    /// The function named `name`, if it is a math library call.
    pub fn lookup(name: &str) -> Option<MathFn> {
        // Constrained FP with the default environment (round to nearest)
        // is the ordinary operation; the trailing metadata operands are ignored.
        let rest = name
            .strip_prefix("llvm.experimental.constrained.")
            .or_else(|| name.strip_prefix("llvm."))
            .or_else(|| name.strip_prefix("air.fast_"))
            .or_else(|| name.strip_prefix("air."))?;
        let op = rest.split('.').next()?;
        Some(match op {
            "sqrt" => MathFn::Unary(f64::sqrt),
            "rsqrt" => MathFn::Unary(rsqrt),
            "fabs" => MathFn::Unary(f64::abs),
            "floor" => MathFn::Unary(f64::floor),
            "ceil" => MathFn::Unary(f64::ceil),
            "trunc" => MathFn::Unary(f64::trunc),
            "round" => MathFn::Unary(f64::round),
            "rint" | "nearbyint" | "roundeven" => MathFn::Unary(rint),
            "exp" => MathFn::Unary(f64::exp),
            "exp2" => MathFn::Unary(f64::exp2),
            "exp10" => MathFn::Unary(exp10),
            "log" => MathFn::Unary(f64::ln),
            "log2" => MathFn::Unary(f64::log2),
            "log10" => MathFn::Unary(f64::log10),
            "sin" => MathFn::Unary(f64::sin),
            "cos" => MathFn::Unary(f64::cos),
            "tan" => MathFn::Unary(f64::tan),
            "asin" => MathFn::Unary(f64::asin),
            "acos" => MathFn::Unary(f64::acos),
            "atan" => MathFn::Unary(f64::atan),
            "sinh" => MathFn::Unary(f64::sinh),
            "cosh" => MathFn::Unary(f64::cosh),
            "tanh" => MathFn::Unary(f64::tanh),
            "fract" => MathFn::Unary(fract),
            "saturate" => MathFn::Unary(saturate),
            "fmin" | "minnum" => MathFn::Binary(fmin),
            "fmax" | "maxnum" => MathFn::Binary(fmax),
            "minimum" => MathFn::Binary(minimum),
            "maximum" => MathFn::Binary(maximum),
            "pow" | "powr" => MathFn::Binary(f64::powf),
            "atan2" => MathFn::Binary(f64::atan2),
            "copysign" => MathFn::Binary(f64::copysign),
            "fmod" | "frem" => MathFn::Binary(fmod),
            "fadd" => MathFn::Binary(add),
            "fsub" => MathFn::Binary(sub),
            "fmul" => MathFn::Binary(mul),
            "fdiv" => MathFn::Binary(div),
            "fma" | "fmuladd" | "mad" => MathFn::Fma,
            "clamp" => MathFn::Clamp,
            "smin" => MathFn::Int(IntOp::SMin),
            "smax" => MathFn::Int(IntOp::SMax),
            "umin" => MathFn::Int(IntOp::UMin),
            "umax" => MathFn::Int(IntOp::UMax),
            "abs" => MathFn::Int(IntOp::Abs),
            _ => return None,
        })
    }
}
