//! Module-level constants, interned in one arena.
//!
//! Following LLVM, globals and functions are constants too (their address
//! is): every `@name` an instruction or initializer uses is a
//! [`ConstKind::Global`] or [`ConstKind::Function`] entry. Floats are stored
//! as raw bits at the type's width, so no NaN payload or `-0.0` is ever
//! changed by a round trip.

use crate::fxhash::{hash_of, IdIndex};
use crate::inst::Opcode;
use crate::module::{FuncId, GlobalId};
use crate::types::TypeId;

/// Index of a constant in the module's constant arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConstId(pub u32);

/// An integer of any width, as little-endian 64-bit words (the value is
/// truncated to the type's width; bits above it are zero).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ApInt {
    words: Vec<u64>,
}

impl ApInt {
    /// Zero of `width` bits.
    pub fn zero(width: u32) -> Self {
        ApInt {
            words: vec![0; Self::word_count(width)],
        }
    }

    fn word_count(width: u32) -> usize {
        (width.max(1) as usize).div_ceil(64)
    }

    /// `value` truncated to `width` bits (two's complement for negatives).
    pub fn from_i128(width: u32, value: i128) -> Self {
        let n = Self::word_count(width);
        let fill = if value < 0 { u64::MAX } else { 0 };
        let mut words = vec![fill; n];
        words[0] = value as u64;
        if n > 1 {
            words[1] = (value >> 64) as u64;
        }
        let mut v = ApInt { words };
        v.truncate(width);
        v
    }

    /// `value` truncated to `width` bits.
    pub fn from_u64(width: u32, value: u64) -> Self {
        let mut words = vec![0; Self::word_count(width)];
        words[0] = value;
        let mut v = ApInt { words };
        v.truncate(width);
        v
    }

    /// From little-endian words, truncated to `width` bits.
    pub fn from_words(width: u32, words: &[u64]) -> Self {
        let mut out = vec![0; Self::word_count(width)];
        for (o, w) in out.iter_mut().zip(words) {
            *o = *w;
        }
        let mut v = ApInt { words: out };
        v.truncate(width);
        v
    }

    fn truncate(&mut self, width: u32) {
        let width = width.max(1);
        let rem = width % 64;
        if rem != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << rem) - 1;
            }
        }
    }

    /// The little-endian words.
    pub fn words(&self) -> &[u64] {
        &self.words
    }

    /// The low 64 bits.
    pub fn low_u64(&self) -> u64 {
        self.words[0]
    }

    /// Whether every bit is zero.
    pub fn is_zero(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// Whether the top bit of a `width`-bit value is set.
    pub fn is_negative(&self, width: u32) -> bool {
        let width = width.max(1);
        let bit = width - 1;
        let word = (bit / 64) as usize;
        self.words
            .get(word)
            .is_some_and(|w| (w >> (bit % 64)) & 1 == 1)
    }

    /// How many bits the value read as signed `width` bits needs for its
    /// magnitude (0 for zero, 1 for 1 and -1, k + 1 for -2^k - 1 ... -2^k
    /// counts k + 1 as well: an upper bound within one bit).
    pub fn magnitude_bits(&self, width: u32) -> u32 {
        let neg = self.is_negative(width);
        let width = width.max(1);
        // For a negative value, the bits of !v (= magnitude - 1) within the
        // width, plus one.
        let mut top = 0;
        for (i, w) in self.words.iter().enumerate().rev() {
            let mut w = if neg { !*w } else { *w };
            let low = i as u32 * 64;
            if low >= width {
                continue;
            }
            if width - low < 64 {
                w &= (1u64 << (width - low)) - 1;
            }
            if w != 0 {
                top = low + 64 - w.leading_zeros();
                break;
            }
        }
        if neg {
            top + 1
        } else {
            top
        }
    }

    /// The value as unsigned, if it fits in 64 bits.
    pub fn as_u64(&self) -> Option<u64> {
        if self.words[1..].iter().all(|w| *w == 0) {
            Some(self.words[0])
        } else {
            None
        }
    }

    /// The value as signed (interpreting it as `width` bits), if it fits in
    /// an i128.
    pub fn as_i128(&self, width: u32) -> Option<i128> {
        let width = width.max(1);
        if width > 128 {
            // Only representable if all bits above 127 equal bit 127.
            let neg = self.is_negative(width);
            let fill = if neg { u64::MAX } else { 0 };
            let mut top = self.words[2..].to_vec();
            let rem = width % 64;
            if neg && rem != 0 {
                if let Some(last) = top.last_mut() {
                    *last |= !((1u64 << rem) - 1);
                }
            }
            if top.iter().any(|w| *w != fill) {
                return None;
            }
            let v = (u128::from(self.words[1]) << 64) | u128::from(self.words[0]);
            let v = v as i128;
            if (v < 0) != neg {
                return None;
            }
            return Some(v);
        }
        let lo = u128::from(self.words[0]);
        let hi = self.words.get(1).copied().map(u128::from).unwrap_or(0);
        let raw = (hi << 64) | lo;
        if width == 128 {
            return Some(raw as i128);
        }
        let shift = 128 - width;
        Some(((raw << shift) as i128) >> shift)
    }

    /// Decimal text of the value read as signed `width` bits (LLVM prints
    /// integer constants signed, except `i1`, which prints `true`/`false`).
    pub fn to_signed_string(&self, width: u32) -> String {
        if let Some(v) = self.as_i128(width) {
            return v.to_string();
        }
        // Wide negative or huge values: the magnitude in decimal.
        let neg = self.is_negative(width);
        let mut mag = self.words.clone();
        if neg {
            // Two's complement negate within `width` bits.
            for w in mag.iter_mut() {
                *w = !*w;
            }
            let mut carry = true;
            for w in mag.iter_mut() {
                if !carry {
                    break;
                }
                let (s, c) = w.overflowing_add(1);
                *w = s;
                carry = c;
            }
            let mut m = ApInt { words: mag };
            m.truncate(width);
            mag = m.words;
        }
        let mut text = magnitude_to_decimal(&mag);
        if neg {
            text.insert(0, '-');
        }
        text
    }

    /// Parses decimal text (optionally negative) into `width` bits; `None` on
    /// a malformed number.
    pub fn parse_decimal(width: u32, text: &str) -> Option<Self> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut words = decimal_to_words(digits.as_bytes(), Self::word_count(width) + 1);
        if neg {
            for w in words.iter_mut() {
                *w = !*w;
            }
            let mut carry = true;
            for w in words.iter_mut() {
                if !carry {
                    break;
                }
                let (s, c) = w.overflowing_add(1);
                *w = s;
                carry = c;
            }
        }
        Some(Self::from_words(width, &words))
    }
}

/// Nine decimal digits: the chunk both conversions below work in, so that
/// every step is a 64-bit multiply or a division by a constant on 32-bit
/// limbs (no 128-bit division).
const CHUNK: u64 = 1_000_000_000;

/// The decimal text of an unsigned magnitude (little-endian words).
///
/// Repeated division by 10^9 over the limbs still in use: a value of `b`
/// bits takes about (b / 30) × (b / 64) cheap steps, 0.1 s or so for the
/// 400 000 bits of the largest value a literal may spell
/// ([`crate::limits::MAX_INT_DIGITS`] hex digits; the verifier refuses
/// larger ones, [`crate::limits::MAX_INT_VALUE_BITS`]). The earlier digit by
/// digit division over every word of the type took 100 s for one
/// 100 000-digit `i8388607`.
fn magnitude_to_decimal(mag: &[u64]) -> String {
    let mut limbs: Vec<u32> = mag
        .iter()
        .flat_map(|w| [*w as u32, (*w >> 32) as u32])
        .collect();
    while limbs.last() == Some(&0) {
        limbs.pop();
    }
    // Nine-digit chunks, least significant first.
    let mut chunks: Vec<u32> = Vec::with_capacity(limbs.len() * 32 / 29 + 1);
    while !limbs.is_empty() {
        let mut rem = 0u64;
        for limb in limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / CHUNK) as u32;
            rem = cur % CHUNK;
        }
        chunks.push(rem as u32);
        while limbs.last() == Some(&0) {
            limbs.pop();
        }
    }
    let mut out = String::with_capacity(chunks.len() * 9 + 1);
    match chunks.split_last() {
        None => out.push('0'),
        Some((top, rest)) => {
            out.push_str(&top.to_string());
            for c in rest.iter().rev() {
                out.push_str(&format!("{c:09}"));
            }
        }
    }
    out
}

/// The value of decimal digits (ASCII, all `0`-`9`) modulo 2^(64 × `words`),
/// as that many little-endian words.
///
/// Nine digits at a time, multiplying only the limbs in use: a literal of
/// `d` digits takes about (d / 9) × (d / 19) cheap steps.
fn decimal_to_words(digits: &[u8], words: usize) -> Vec<u64> {
    let cap = words * 2;
    let mut limbs: Vec<u32> = Vec::new();
    for chunk in digits.chunks(9) {
        let mut scale = 1u64;
        let mut value = 0u64;
        for d in chunk {
            scale *= 10;
            value = value * 10 + u64::from(d - b'0');
        }
        let mut carry = value;
        for limb in limbs.iter_mut() {
            let cur = u64::from(*limb) * scale + carry;
            *limb = cur as u32;
            carry = cur >> 32;
        }
        if carry != 0 && limbs.len() < cap {
            limbs.push(carry as u32);
            if carry >> 32 != 0 && limbs.len() < cap {
                limbs.push((carry >> 32) as u32);
            }
        }
    }
    let mut out = vec![0u64; words];
    for (i, limb) in limbs.iter().enumerate() {
        out[i / 2] |= u64::from(*limb) << (32 * (i % 2));
    }
    out
}

/// Comparison predicates, shared by `icmp`/`fcmp` instructions and constant
/// expressions.
pub use crate::inst::{FloatPredicate, IntPredicate};

/// What a constant is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConstKind {
    /// An integer (`i1 true` is 1).
    Int(ApInt),
    /// A float, as raw bits at the type's width.
    Float(u64),
    /// `null` (pointers only).
    Null,
    /// `undef`.
    Undef,
    /// `poison`.
    Poison,
    /// `zeroinitializer`.
    Zero,
    /// An array `[T a, T b]`.
    Array(Vec<ConstId>),
    /// A vector `<T a, T b>`.
    Vector(Vec<ConstId>),
    /// A struct `{ T a, U b }` (literal, packed or named, as the type says).
    Struct(Vec<ConstId>),
    /// An `[N x i8]` array written `c"..."`.
    String(Vec<u8>),
    /// The address of a global variable.
    Global(GlobalId),
    /// The address of a function.
    Function(FuncId),
    /// A constant expression.
    Expr(ConstExpr),
}

/// The one list of where a constant keeps the ids it names, shared by the
/// shared and the mutable visitor (`$iter` is `iter` or `iter_mut`).
macro_rules! visit_const_ids {
    ($kind:expr, $ty:ident, $konst:ident, $iter:ident) => {
        match $kind {
            ConstKind::Int(_)
            | ConstKind::Float(_)
            | ConstKind::Null
            | ConstKind::Undef
            | ConstKind::Poison
            | ConstKind::Zero
            | ConstKind::String(_)
            | ConstKind::Global(_)
            | ConstKind::Function(_) => {}
            ConstKind::Array(v) | ConstKind::Vector(v) | ConstKind::Struct(v) => {
                v.$iter().for_each(|c| $konst(c))
            }
            ConstKind::Expr(e) => match e {
                ConstExpr::Cast { value, .. } | ConstExpr::FNeg(value) => $konst(value),
                ConstExpr::GetElementPtr {
                    source,
                    base,
                    indices,
                    ..
                } => {
                    $ty(source);
                    $konst(base);
                    indices.$iter().for_each(|c| $konst(c));
                }
                ConstExpr::Binary { lhs, rhs, .. }
                | ConstExpr::ICmp { lhs, rhs, .. }
                | ConstExpr::FCmp { lhs, rhs, .. } => {
                    $konst(lhs);
                    $konst(rhs);
                }
                ConstExpr::Select {
                    cond: a,
                    on_true: b,
                    on_false: c,
                }
                | ConstExpr::InsertElement {
                    vector: a,
                    element: b,
                    index: c,
                }
                | ConstExpr::ShuffleVector { a, b, mask: c } => {
                    $konst(a);
                    $konst(b);
                    $konst(c);
                }
                ConstExpr::ExtractElement { vector, index } => {
                    $konst(vector);
                    $konst(index);
                }
            },
        }
    };
}

impl ConstKind {
    /// Calls `ty` on every type id and `konst` on every constant id this
    /// constant names directly (elements, expression operands, the source
    /// type of a `getelementptr`), in text order, so a constant can be moved
    /// between tables by remapping its ids. The constant's own type is not
    /// visited.
    pub fn for_each_id_mut(
        &mut self,
        ty: &mut dyn FnMut(&mut TypeId),
        konst: &mut dyn FnMut(&mut ConstId),
    ) {
        visit_const_ids!(self, ty, konst, iter_mut)
    }

    /// Calls `konst` on every constant id this constant names directly, in
    /// the order of [`ConstKind::for_each_id_mut`], without allocating.
    pub fn for_each_const(&self, mut konst: impl FnMut(&ConstId)) {
        let ty = |_: &TypeId| {};
        visit_const_ids!(self, ty, konst, iter)
    }
}

/// A constant expression (LLVM 14's set that AIR uses).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConstExpr {
    /// A cast: `bitcast`, `addrspacecast`, `ptrtoint`, `inttoptr`, `trunc`, ...
    /// The result type is the constant's type.
    Cast {
        /// The cast opcode.
        op: Opcode,
        /// The operand.
        value: ConstId,
    },
    /// `getelementptr [inbounds] (T, T* base, idx...)`.
    GetElementPtr {
        /// The source element type.
        source: TypeId,
        /// Base pointer.
        base: ConstId,
        /// Indices.
        indices: Vec<ConstId>,
        /// `inbounds`.
        inbounds: bool,
        /// `inrange` index position, if any.
        inrange: Option<u32>,
    },
    /// An integer or float binary operation (`add`, `sub`, `mul`, `shl`,
    /// `and`, `or`, `xor`, `lshr`, `ashr`, `udiv`, `sdiv`, `urem`, `srem`,
    /// `fadd`, ...).
    Binary {
        /// The opcode.
        op: Opcode,
        /// Left operand.
        lhs: ConstId,
        /// Right operand.
        rhs: ConstId,
        /// `nuw`/`nsw`/`exact` bits, as [`crate::inst::Flags`].
        flags: crate::inst::Flags,
    },
    /// `fneg (T x)`.
    FNeg(ConstId),
    /// `icmp pred (a, b)`.
    ICmp {
        /// Predicate.
        pred: IntPredicate,
        /// Left operand.
        lhs: ConstId,
        /// Right operand.
        rhs: ConstId,
    },
    /// `fcmp pred (a, b)`.
    FCmp {
        /// Predicate.
        pred: FloatPredicate,
        /// Left operand.
        lhs: ConstId,
        /// Right operand.
        rhs: ConstId,
    },
    /// `select (c, a, b)`.
    Select {
        /// Condition.
        cond: ConstId,
        /// Value if true.
        on_true: ConstId,
        /// Value if false.
        on_false: ConstId,
    },
    /// `extractelement (v, i)`.
    ExtractElement {
        /// Vector.
        vector: ConstId,
        /// Index.
        index: ConstId,
    },
    /// `insertelement (v, e, i)`.
    InsertElement {
        /// Vector.
        vector: ConstId,
        /// Element.
        element: ConstId,
        /// Index.
        index: ConstId,
    },
    /// `shufflevector (a, b, mask)`.
    ShuffleVector {
        /// First vector.
        a: ConstId,
        /// Second vector.
        b: ConstId,
        /// Mask (a constant vector of i32).
        mask: ConstId,
    },
}

/// One constant: its type and what it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Constant {
    /// The type.
    pub ty: TypeId,
    /// The value.
    pub kind: ConstKind,
}

/// The interned constants of a module.
#[derive(Clone, Debug, Default)]
pub struct ConstTable {
    items: Vec<Constant>,
    /// Fx hash → ids; `items` holds the only copy of each constant.
    lookup: IdIndex,
}

impl PartialEq for ConstTable {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl Eq for ConstTable {}

impl ConstTable {
    /// Interns a constant.
    pub fn intern(&mut self, c: Constant) -> ConstId {
        let hash = hash_of(&c);
        if let Some(id) = self.find_hashed(hash, &c) {
            return id;
        }
        let id = ConstId(self.items.len() as u32);
        self.items.push(c);
        self.lookup.insert(hash, id.0);
        id
    }

    fn find_hashed(&self, hash: u64, c: &Constant) -> Option<ConstId> {
        let items = &self.items;
        self.lookup
            .find(hash, |id| items[id as usize] == *c)
            .map(ConstId)
    }

    /// The constant `id`.
    ///
    /// # Panics
    /// If `id` is not from this table.
    pub fn get(&self, id: ConstId) -> &Constant {
        &self.items[id.0 as usize]
    }

    /// The constant `id`, or `None` if it is not from this table.
    pub fn try_get(&self, id: ConstId) -> Option<&Constant> {
        self.items.get(id.0 as usize)
    }

    /// Looks a constant up without creating it.
    pub fn find(&self, c: &Constant) -> Option<ConstId> {
        self.find_hashed(hash_of(c), c)
    }

    /// Number of constants.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// All constants in creation order.
    pub fn iter(&self) -> impl Iterator<Item = (ConstId, &Constant)> {
        self.items
            .iter()
            .enumerate()
            .map(|(i, c)| (ConstId(i as u32), c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apint_signed_text() {
        assert_eq!(ApInt::from_i128(32, -1).to_signed_string(32), "-1");
        assert_eq!(ApInt::from_u64(32, 0xFFFF_FFFF).to_signed_string(32), "-1");
        assert_eq!(ApInt::from_u64(7, 64).to_signed_string(7), "-64");
        assert_eq!(
            ApInt::from_u64(33, 1 << 32).to_signed_string(33),
            "-4294967296"
        );
        let big = ApInt::parse_decimal(256, "-1").unwrap();
        assert_eq!(big.words(), &[u64::MAX; 4]);
        assert_eq!(big.to_signed_string(256), "-1");
        let v = ApInt::parse_decimal(
            200,
            "1606938044258990275541962092341162602522202993782792835301375",
        )
        .unwrap();
        // 2^200 - 1 as a 200-bit value is -1 signed.
        assert_eq!(v.to_signed_string(200), "-1");
        let w = ApInt::parse_decimal(256, "340282366920938463463374607431768211456").unwrap();
        assert_eq!(w.words(), &[0, 0, 1, 0]);
        assert_eq!(
            w.to_signed_string(256),
            "340282366920938463463374607431768211456"
        );
    }

    /// Decimal text of 2^k, by doubling a digit string: an oracle that
    /// shares nothing with the conversions under test.
    fn power_of_two_text(k: u32) -> String {
        let mut digits = vec![1u8];
        for _ in 0..k {
            let mut carry = 0;
            for d in digits.iter_mut() {
                let x = *d * 2 + carry;
                *d = x % 10;
                carry = x / 10;
            }
            if carry > 0 {
                digits.push(carry);
            }
        }
        digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
    }

    #[test]
    fn wide_values_convert_both_ways() {
        for k in [
            63, 64, 127, 128, 129, 191, 200, 255, 256, 300, 511, 640, 1000,
        ] {
            let text = power_of_two_text(k);
            let width = k + 2;
            let mut words = vec![0u64; (width as usize).div_ceil(64)];
            words[(k / 64) as usize] = 1 << (k % 64);
            let v = ApInt::from_words(width, &words);
            assert_eq!(v.to_signed_string(width), text, "2^{k}");
            assert_eq!(ApInt::parse_decimal(width, &text).unwrap(), v, "2^{k}");
            let neg = ApInt::parse_decimal(width, &format!("-{text}")).unwrap();
            assert_eq!(neg.to_signed_string(width), format!("-{text}"), "-2^{k}");
            assert_eq!(v.magnitude_bits(width), k + 1);
            assert_eq!(neg.magnitude_bits(width), k + 1);
        }
        // Nine-digit chunks with zeros inside them, and around them.
        for text in [
            "1000000000",
            "1000000000000000000000000000000000000001",
            "999999999999999999999999999999999999999999999999",
            "123456789000000000123456789000000000000000000000000000000000000000007",
        ] {
            let v = ApInt::parse_decimal(4096, text).unwrap();
            assert_eq!(v.to_signed_string(4096), text);
        }
        // Truncation: 2^300 in 256 bits is 0.
        let v = ApInt::parse_decimal(256, &power_of_two_text(300)).unwrap();
        assert!(v.is_zero());
        assert_eq!(ApInt::from_u64(64, 0).magnitude_bits(64), 0);
        assert_eq!(ApInt::from_i128(300, -1).magnitude_bits(300), 1);
    }

    #[test]
    fn long_literals_round_trip() {
        // 20 000 pseudo-random digits in the widest type (debug builds
        // check this quickly; BENCHMARKS.md has the 100 000-digit timing).
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut text = String::from("7");
        for _ in 1..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            text.push(char::from(b'0' + (x % 10) as u8));
        }
        let width = (1 << 23) - 1;
        let v = ApInt::parse_decimal(width, &text).unwrap();
        assert_eq!(v.to_signed_string(width), text);
        let neg = ApInt::parse_decimal(width, &format!("-{text}")).unwrap();
        assert_eq!(neg.to_signed_string(width), format!("-{text}"));
    }
}
