//! The small vocabulary a spec is written in: element types (named as in
//! MSL), buffer access modes and system values, each with its IR and
//! metadata spelling (docs/air-conventions.md#argument-metadata,
//! docs/air-conventions.md#type-mapping).

use air_ir::{Builder, TypeId};

/// A scalar element type, named as in the Metal Shading Language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// `float` (IR `float`).
    Float,
    /// `half` (IR `half`).
    Half,
    /// `bfloat` (IR `bfloat`).
    BFloat,
    /// `int` (IR `i32`).
    Int,
    /// `uint` (IR `i32`).
    UInt,
    /// `short` (IR `i16`).
    Short,
    /// `ushort` (IR `i16`).
    UShort,
    /// `char` (IR `i8`).
    Char,
    /// `uchar` (IR `i8`).
    UChar,
    /// `long` (IR `i64`).
    Long,
    /// `ulong` (IR `i64`).
    ULong,
}

impl ElemType {
    /// Every element type, in the order messages list them.
    pub const ALL: &'static [ElemType] = &[
        ElemType::Float,
        ElemType::Half,
        ElemType::BFloat,
        ElemType::Int,
        ElemType::UInt,
        ElemType::Short,
        ElemType::UShort,
        ElemType::Char,
        ElemType::UChar,
        ElemType::Long,
        ElemType::ULong,
    ];

    /// The MSL spelling (also the `air.arg_type_name`).
    pub fn msl_name(self) -> &'static str {
        match self {
            ElemType::Float => "float",
            ElemType::Half => "half",
            ElemType::BFloat => "bfloat",
            ElemType::Int => "int",
            ElemType::UInt => "uint",
            ElemType::Short => "short",
            ElemType::UShort => "ushort",
            ElemType::Char => "char",
            ElemType::UChar => "uchar",
            ElemType::Long => "long",
            ElemType::ULong => "ulong",
        }
    }

    /// Looks a type up by its MSL spelling.
    pub fn from_msl(name: &str) -> Option<ElemType> {
        ElemType::ALL.iter().copied().find(|t| t.msl_name() == name)
    }

    /// The comma-separated list of spellings, for messages.
    pub fn names() -> String {
        ElemType::ALL
            .iter()
            .map(|t| t.msl_name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Size in bytes (`sizeof(T)`), which is also the alignment of every
    /// scalar type.
    pub fn size(self) -> u64 {
        match self {
            ElemType::Char | ElemType::UChar => 1,
            ElemType::Half | ElemType::BFloat | ElemType::Short | ElemType::UShort => 2,
            ElemType::Float | ElemType::Int | ElemType::UInt => 4,
            ElemType::Long | ElemType::ULong => 8,
        }
    }

    /// Alignment in bytes (`alignof(T)`).
    pub fn align(self) -> u64 {
        self.size()
    }

    /// Whether the type is an integer type, and if so whether it is signed.
    pub fn int_signed(self) -> Option<bool> {
        match self {
            ElemType::Int | ElemType::Short | ElemType::Char | ElemType::Long => Some(true),
            ElemType::UInt | ElemType::UShort | ElemType::UChar | ElemType::ULong => Some(false),
            ElemType::Float | ElemType::Half | ElemType::BFloat => None,
        }
    }

    /// The IR type, interned in the builder's module.
    pub fn ir_type(self, b: &mut Builder) -> TypeId {
        match self {
            ElemType::Float => b.ty_float(),
            ElemType::Half => b.ty_half(),
            ElemType::BFloat => b.ty_bfloat(),
            other => b.ty_int((other.size() * 8) as u32),
        }
    }
}

/// How the kernel uses a device buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Only read (`air.read`).
    Read,
    /// Only written. The metadata says `air.read_write`, as the seed's
    /// hardware-run shells do for their outputs; the parameter carries
    /// `writeonly`.
    Write,
    /// Read and written (`air.read_write`).
    ReadWrite,
}

impl Access {
    /// The spec and manifest spelling.
    pub fn name(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "read_write",
        }
    }

    /// Looks an access mode up by its spelling.
    pub fn from_name(name: &str) -> Option<Access> {
        [Access::Read, Access::Write, Access::ReadWrite]
            .into_iter()
            .find(|a| a.name() == name)
    }

    /// Whether the kernel may write the buffer.
    pub fn writable(self) -> bool {
        !matches!(self, Access::Read)
    }

    /// The `air.read` / `air.read_write` metadata string.
    pub fn metadata(self) -> &'static str {
        match self {
            Access::Read => "air.read",
            Access::Write | Access::ReadWrite => "air.read_write",
        }
    }
}

/// A system value a kernel parameter can take: the one table of
/// `air-target` ([`air_target::SystemValue`]), with its attribute names,
/// allowed IR types and meaning. A spec takes the values of
/// [`SPEC_SYSTEM_VALUES`].
pub use air_target::SystemValue as SystemValueKind;

/// The integer type of a system value parameter: `uint` (IR `i32`) or
/// `ushort` (`i16`), the scalar forms every system value allows
/// ([`air_target::SystemValueScalar`]).
pub use air_target::SystemValueScalar as SystemValueType;

/// The system values a spec may name, in the order messages list them.
/// The table of `air-target` has more (`grid_size`, the `dispatch_*` and
/// quadgroup values, ...); the spec format has not offered those so far.
pub const SPEC_SYSTEM_VALUES: [SystemValueKind; 11] = [
    SystemValueKind::ThreadPositionInGrid,
    SystemValueKind::ThreadPositionInThreadgroup,
    SystemValueKind::ThreadgroupPositionInGrid,
    SystemValueKind::ThreadgroupsPerGrid,
    SystemValueKind::ThreadsPerGrid,
    SystemValueKind::ThreadsPerThreadgroup,
    SystemValueKind::ThreadIndexInThreadgroup,
    SystemValueKind::ThreadIndexInSimdgroup,
    SystemValueKind::SimdgroupIndexInThreadgroup,
    SystemValueKind::SimdgroupsPerThreadgroup,
    SystemValueKind::ThreadsPerSimdgroup,
];

/// Looks a spec system value up by its spelling (with or without `air.`).
pub fn spec_system_value(name: &str) -> Option<SystemValueKind> {
    let name = name.strip_prefix("air.").unwrap_or(name);
    SPEC_SYSTEM_VALUES
        .iter()
        .copied()
        .find(|k| k.name() == name)
}

/// The comma-separated spellings of [`SPEC_SYSTEM_VALUES`], for messages.
pub fn spec_system_value_names() -> String {
    SPEC_SYSTEM_VALUES
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl ElemType {
    /// The element type with the IR type of a system value parameter
    /// (`uint` or `ushort`).
    pub fn of_system_value(ty: SystemValueType) -> ElemType {
        match ty {
            SystemValueType::UInt => ElemType::UInt,
            SystemValueType::UShort => ElemType::UShort,
        }
    }
}
