//! Portable descriptions of what the Apple side passes to Metal: MSL
//! compile options, function constant values and the linking mode. They
//! are plain data so cache keys and checks work everywhere.

use std::collections::BTreeMap;
use std::fmt;

use crate::msl::{MslSource, MslType, Scalar};

/// An MSL language version (`MTLLanguageVersion`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LanguageVersion {
    /// MSL 3.0 (macOS 13 / iOS 16).
    V3_0,
    /// MSL 3.1 (macOS 14 / iOS 17).
    V3_1,
    /// MSL 3.2 (macOS 15 / iOS 18).
    V3_2,
    /// MSL 4.0 (macOS 26 / iOS 26).
    V4_0,
}

impl LanguageVersion {
    /// `(major, minor)`.
    pub fn numbers(self) -> (u32, u32) {
        match self {
            LanguageVersion::V3_0 => (3, 0),
            LanguageVersion::V3_1 => (3, 1),
            LanguageVersion::V3_2 => (3, 2),
            LanguageVersion::V4_0 => (4, 0),
        }
    }

    /// The `MTLLanguageVersion` raw value, `(major << 16) + minor`.
    pub fn raw(self) -> u64 {
        let (major, minor) = self.numbers();
        (u64::from(major) << 16) + u64::from(minor)
    }

    /// The version a target's shells carry in `!air.language_version`
    /// (docs/air-conventions.md#versions-per-os), which is what the visible functions should be
    /// compiled with.
    pub fn for_target(target: &air_target::Target) -> LanguageVersion {
        match (target.msl_version.0, target.msl_version.1) {
            (3, 0) => LanguageVersion::V3_0,
            (3, 1) => LanguageVersion::V3_1,
            (3, 2) => LanguageVersion::V3_2,
            _ => LanguageVersion::V4_0,
        }
    }

    /// [`LanguageVersion::for_target`] by target id (`macos26`, `ios17`,
    /// ...); MSL 4.0 for an unknown id.
    pub fn for_target_id(id: &str) -> LanguageVersion {
        air_target::Target::by_id(id).map_or(LanguageVersion::V4_0, Self::for_target)
    }
}

impl fmt::Display for LanguageVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (major, minor) = self.numbers();
        write!(f, "MSL {major}.{minor}")
    }
}

/// Options for compiling the visible functions' MSL
/// (`MTLCompileOptions`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompileOptions {
    /// `languageVersion`.
    pub language_version: LanguageVersion,
    /// `fastMathEnabled` (the seed's shells declare
    /// `air.compile.fast_math_enable`).
    pub fast_math: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            language_version: LanguageVersion::V4_0,
            fast_math: true,
        }
    }
}

impl CompileOptions {
    /// Options matching a shell's manifest target.
    pub fn for_target_id(id: &str) -> CompileOptions {
        CompileOptions {
            language_version: LanguageVersion::for_target_id(id),
            fast_math: true,
        }
    }

    /// A canonical byte encoding, for cache keys.
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut out = b"compile-options/1".to_vec();
        out.extend_from_slice(&self.language_version.raw().to_le_bytes());
        out.push(u8::from(self.fast_math));
        out
    }
}

/// A typed scalar: a function constant value (`MTLFunctionConstantValues`)
/// or a scalar kernel argument (`constant T&`, bound with `setBytes`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ConstantValue {
    /// `bool` (`MTLDataType::Bool`).
    Bool(bool),
    /// `char`.
    Char(i8),
    /// `uchar`.
    UChar(u8),
    /// `short`.
    Short(i16),
    /// `ushort`.
    UShort(u16),
    /// `int`.
    Int(i32),
    /// `uint`.
    UInt(u32),
    /// `long`.
    Long(i64),
    /// `ulong`.
    ULong(u64),
    /// `half`, as its IEEE bits.
    HalfBits(u16),
    /// `bfloat`, as its bits.
    BFloatBits(u16),
    /// `float`.
    Float(f32),
}

impl ConstantValue {
    /// The MSL scalar it is a value of.
    pub fn scalar(&self) -> Scalar {
        match self {
            ConstantValue::Bool(_) => Scalar::Bool,
            ConstantValue::Char(_) => Scalar::Char,
            ConstantValue::UChar(_) => Scalar::UChar,
            ConstantValue::Short(_) => Scalar::Short,
            ConstantValue::UShort(_) => Scalar::UShort,
            ConstantValue::Int(_) => Scalar::Int,
            ConstantValue::UInt(_) => Scalar::UInt,
            ConstantValue::Long(_) => Scalar::Long,
            ConstantValue::ULong(_) => Scalar::ULong,
            ConstantValue::HalfBits(_) => Scalar::Half,
            ConstantValue::BFloatBits(_) => Scalar::BFloat,
            ConstantValue::Float(_) => Scalar::Float,
        }
    }

    /// The value's bytes as Metal reads them (little endian).
    pub fn bytes(&self) -> Vec<u8> {
        match *self {
            ConstantValue::Bool(b) => vec![u8::from(b)],
            ConstantValue::Char(v) => v.to_le_bytes().to_vec(),
            ConstantValue::UChar(v) => vec![v],
            ConstantValue::Short(v) => v.to_le_bytes().to_vec(),
            ConstantValue::UShort(v)
            | ConstantValue::HalfBits(v)
            | ConstantValue::BFloatBits(v) => v.to_le_bytes().to_vec(),
            ConstantValue::Int(v) => v.to_le_bytes().to_vec(),
            ConstantValue::UInt(v) => v.to_le_bytes().to_vec(),
            ConstantValue::Long(v) => v.to_le_bytes().to_vec(),
            ConstantValue::ULong(v) => v.to_le_bytes().to_vec(),
            ConstantValue::Float(v) => v.to_bits().to_le_bytes().to_vec(),
        }
    }

    /// The `MTLDataType` raw value.
    pub fn mtl_data_type(&self) -> u64 {
        match self {
            ConstantValue::Float(_) => 3,
            ConstantValue::HalfBits(_) => 16,
            ConstantValue::Int(_) => 29,
            ConstantValue::UInt(_) => 33,
            ConstantValue::Short(_) => 37,
            ConstantValue::UShort(_) => 41,
            ConstantValue::Char(_) => 45,
            ConstantValue::UChar(_) => 49,
            ConstantValue::Bool(_) => 53,
            ConstantValue::Long(_) => 81,
            ConstantValue::ULong(_) => 85,
            ConstantValue::BFloatBits(_) => 121,
        }
    }
}

/// Function constant values by `[[function_constant(index)]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionConstants {
    values: BTreeMap<u32, ConstantValue>,
}

impl FunctionConstants {
    /// No constants.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the value at `index` (builder style).
    pub fn with(mut self, index: u32, value: ConstantValue) -> Self {
        self.values.insert(index, value);
        self
    }

    /// Sets the value at `index`.
    pub fn set(&mut self, index: u32, value: ConstantValue) {
        self.values.insert(index, value);
    }

    /// Whether no constant is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values in index order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &ConstantValue)> {
        self.values.iter().map(|(i, v)| (*i, v))
    }

    /// A canonical byte encoding, for cache keys: per constant its index,
    /// type and value bytes, in index order.
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut out = b"function-constants/1".to_vec();
        out.extend_from_slice(&(self.values.len() as u64).to_le_bytes());
        for (i, v) in &self.values {
            out.extend_from_slice(&i.to_le_bytes());
            out.extend_from_slice(&v.mtl_data_type().to_le_bytes());
            let b = v.bytes();
            out.push(b.len() as u8);
            out.extend_from_slice(&b);
        }
        out
    }

    /// Checks the values against the source's `[[function_constant(n)]]`
    /// declarations: every index must be declared, with the value's type.
    /// Declared constants without a value are allowed (Metal leaves them
    /// undefined, which `is_function_constant_defined` observes).
    ///
    /// # Errors
    /// One line per problem, naming the index and both types.
    pub fn check(&self, source: &MslSource) -> Result<(), String> {
        let mut problems = Vec::new();
        for (index, value) in &self.values {
            match source.function_constants.iter().find(|d| d.index == *index) {
                None => problems.push(format!(
                    "constant {index} ({} value) is not declared: the source has {}",
                    value.scalar().msl_name(),
                    if source.function_constants.is_empty() {
                        "no [[function_constant(n)]] declarations".to_string()
                    } else {
                        source
                            .function_constants
                            .iter()
                            .map(|d| format!("{} `{}` at index {}", d.ty, d.name, d.index))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )),
                Some(d) if d.ty != MslType::Scalar(value.scalar()) => problems.push(format!(
                    "constant {index} `{}` (MSL {}) is declared `{}`, the value given is {}",
                    d.name,
                    d.pos,
                    d.ty,
                    value.scalar().msl_name()
                )),
                Some(_) => {}
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// How the visible functions are linked into the pipeline
/// (`MTLLinkedFunctions`, docs/metal-runtime.md#linked-functions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LinkMode {
    /// `privateFunctions`: AIR-linked, not exported; what reverse linking
    /// uses (macOS 12 / iOS 15).
    #[default]
    Private,
    /// `functions`: AIR-linked and exported as function handles; needs
    /// function-pointer support. Whether it satisfies a
    /// `.MTL_VISIBLE_FN_REF` is unverified (docs/metal-runtime.md#linked-functions).
    Functions,
}

impl LinkMode {
    /// A name for reports.
    pub fn name(self) -> &'static str {
        match self {
            LinkMode::Private => "privateFunctions",
            LinkMode::Functions => "functions",
        }
    }
}
