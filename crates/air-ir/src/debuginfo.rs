//! Debug-info metadata: LLVM 14's specialised nodes (`!DICompileUnit(...)`,
//! `!DILocation(...)`, ...) as one table.
//!
//! Every node kind is described once, in [`KindInfo`]: its fields in the
//! order `llvm-dis-14` prints them, each with the kind of value it holds
//! ([`FieldType`]: a metadata reference, a string, an integer with its
//! range, a DWARF constant spelled by name, flags, ...), whether the parser
//! requires it and when the printer leaves it out ([`Print`]); the order in
//! which LLVM stores the node's metadata operands (which fixes how
//! `llvm-dis-14` numbers nodes and how the bitcode writer enumerates them);
//! and the layout of its bitcode record ([`Rec`]). The text parser, the
//! printer, the verifier, the bitcode writer and the bitcode reader all
//! read this table instead of handling each kind by hand; the few rules a
//! table cannot say (the old `isDefinition:` spelling of subprogram flags,
//! which files need a checksum, ...) sit next to it here, named by kind.
//!
//! A node in the model is a [`DiNode`]: its kind, whether it is
//! `distinct`, and one [`DiValue`] per field. Strings are metadata strings
//! ([`Metadata::String`](crate::Metadata::String)), as in LLVM, and an
//! empty string is no string at all (LLVM's `getCanonicalMDString`).
//!
//! The facts come from running LLVM 14.0.6 (`llvm-as-14`, `llvm-dis-14`,
//! `llvm-bcanalyzer-14 -dump`) on hand-written nodes with every field set,
//! unset and at its limits; `docs/bitcode-rules.md` ("Debug-info records")
//! lists the record layouts, and `tests/corpus/debug_info.ll` holds one of
//! every node that the tests compare with LLVM 14.

mod expr;
pub mod keywords;
mod strip;

pub use expr::{
    consts as consts_expression, expression_is_valid, signed_constant, ExprOp, ExprOps,
};
pub use strip::{is_debug_intrinsic_call, strip_debug_info, StripStats, DEBUG_INTRINSICS};

use crate::metadata::{MetaId, Metadata};

/// A table of named constants: numbers and the names LLVM 14 spells them
/// with, sorted by number.
#[derive(Debug)]
pub struct Keywords {
    entries: &'static [(u32, &'static str)],
}

impl Keywords {
    /// A table over `entries` (sorted by number, no duplicates).
    pub const fn new(entries: &'static [(u32, &'static str)]) -> Self {
        Keywords { entries }
    }

    /// The name of `value`, if LLVM 14 has one.
    pub fn name(&self, value: u64) -> Option<&'static str> {
        let v = u32::try_from(value).ok()?;
        self.entries
            .binary_search_by_key(&v, |(n, _)| *n)
            .ok()
            .map(|i| self.entries[i].1)
    }

    /// The number named `name`.
    pub fn value(&self, name: &str) -> Option<u32> {
        self.entries
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(v, _)| *v)
    }

    /// Every (number, name) pair.
    pub fn entries(&self) -> &'static [(u32, &'static str)] {
        self.entries
    }
}

// Tables are compared by identity: each is a static.
impl PartialEq for Keywords {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.entries, other.entries)
    }
}

impl Eq for Keywords {}

/// The kinds of specialised metadata nodes LLVM 14 has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum DiKind {
    Location,
    GenericDINode,
    Subrange,
    GenericSubrange,
    Enumerator,
    BasicType,
    StringType,
    DerivedType,
    CompositeType,
    SubroutineType,
    File,
    CompileUnit,
    Subprogram,
    LexicalBlock,
    LexicalBlockFile,
    Namespace,
    Module,
    TemplateTypeParameter,
    TemplateValueParameter,
    GlobalVariable,
    LocalVariable,
    Label,
    Expression,
    GlobalVariableExpression,
    ObjCProperty,
    ImportedEntity,
    Macro,
    MacroFile,
    CommonBlock,
    ArgList,
}

/// What a field holds and how the text spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A metadata operand (`!3`, an inline node, `!"s"`, `i32 1`) or
    /// `null` when `null_ok`.
    Md {
        /// Whether `null` may be written (LLVM's `AllowNull`).
        null_ok: bool,
    },
    /// A string (a metadata string operand; empty is none).
    Str {
        /// Whether `""` may be written (LLVM's `AllowEmpty`).
        empty_ok: bool,
    },
    /// A string that may also be absent altogether (`DIFile`'s `source:`,
    /// whose record operand exists only when the field was given):
    /// [`DiValue::Absent`], `Null` (given as `""`) or a string.
    OptStr,
    /// An unsigned integer up to `max`.
    Unsigned {
        /// The largest value the parser accepts.
        max: u64,
    },
    /// A signed integer in `min..=max`, stored as its two's complement.
    Signed {
        /// The smallest value the parser accepts.
        min: i64,
        /// The largest value the parser accepts.
        max: i64,
    },
    /// `true` / `false`, stored as 1 / 0.
    Bool,
    /// A number or a name from `table`, up to `max`.
    Keyword {
        /// The names.
        table: &'static Keywords,
        /// The largest number the parser accepts.
        max: u64,
        /// Whether a bare number may be written (not for checksum kinds).
        numeric_ok: bool,
    },
    /// `DIFlag*` names and numbers joined by `|` (32 bits).
    DiFlags,
    /// `DISPFlag*` names and numbers joined by `|` (32 bits).
    SpFlags,
    /// A signed integer in `min..=max` or a metadata operand; the integer
    /// is sugar for the metadata [`SignedForm`] gives.
    SignedOrMd {
        /// The smallest integer the parser accepts.
        min: i64,
        /// The largest integer the parser accepts.
        max: i64,
        /// Whether `null` may be written.
        null_ok: bool,
        /// Which metadata the integer stands for.
        form: SignedForm,
    },
    /// An integer of any width (`DIEnumerator`'s `value:`):
    /// [`DiValue::Wide`].
    Wide,
    /// `DIDerivedType`'s `dwarfAddressSpace:`, stored as the record does:
    /// 0 for none, else the address space + 1.
    AddressSpace,
    /// `DIExpression`'s operations: [`DiValue::Ints`].
    Expression,
    /// `DIArgList`'s values (function-local): [`DiValue::Mds`].
    ArgList,
    /// `GenericDINode`'s `operands: {...}`: [`DiValue::Mds`].
    MdList,
}

/// Which metadata an integer written for a [`FieldType::SignedOrMd`]
/// field stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedForm {
    /// An `i64` constant as metadata (`DISubrange`, `rank:`).
    ConstI64,
    /// `!DIExpression(DW_OP_consts, N)` (`DIGenericSubrange`).
    Consts,
}

/// When the printer writes a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Print {
    /// Always, even when zero, empty or `null`.
    Always,
    /// Unless it equals the field's default (zero, `false`, empty, `null`
    /// or the kind's default tag).
    NotDefault,
    /// Never: `llvm-dis-14` does not print it (`DIMacroFile`'s `type:`).
    Never,
    /// With the checksum pair: both when a checksum kind is set.
    Checksum,
    /// `DISubprogram`'s `virtualIndex:`: when non-zero or when the
    /// subprogram is virtual.
    VirtualIndex,
}

/// One field of a node kind.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The name before `:` in text.
    pub name: &'static str,
    /// What it holds.
    pub ty: FieldType,
    /// Whether the parser requires it.
    pub required: bool,
    /// When the printer writes it.
    pub print: Print,
    /// The value when the text leaves it out (integer-like fields).
    pub default: u64,
}

/// One operand of a node's bitcode record (after the record code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rec {
    /// `distinct` in bit 0, `bits` set, and each (field, shift) boolean
    /// field at its bit.
    Header {
        /// Constant bits: LLVM's version and "new layout" flags.
        bits: u64,
        /// Boolean fields packed into the header.
        flags: &'static [(usize, u32)],
    },
    /// A field: metadata as id + 1 (0 for none), integers as they are.
    Field(usize),
    /// A metadata field as its 0-based id (it cannot be null).
    Id(usize),
    /// A constant operand (the unused subprogram list of a compile unit,
    /// the version of a generic node).
    Const(u64),
    /// The bit width of a [`FieldType::Wide`] field.
    WideWidth(usize),
    /// The words of a [`FieldType::Wide`] field as signed VBRs.
    WideWords(usize),
    /// The elements of a [`DiValue::Ints`] field.
    Ints(usize),
    /// The operands of a [`DiValue::Mds`] field, each as id + 1.
    Ids(usize),
    /// The operands of a [`DiValue::Mds`] field, each as its 0-based id.
    Ids0(usize),
    /// An [`FieldType::OptStr`] field, present only when the field is.
    Optional(usize),
    /// A trailing 0 Apple's writer adds (see `docs/bitcode-rules.md`,
    /// "Debug-info records"); only in the `apple` flavour.
    AppleZero,
}

/// A storage operand of a node: where LLVM keeps its metadata operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The field's value.
    Field(usize),
    /// Each operand of the field's [`DiValue::Mds`] list.
    List(usize),
}

/// Everything about one node kind.
#[derive(Debug)]
pub struct KindInfo {
    /// The kind.
    pub kind: DiKind,
    /// The name after `!` (`DILocation`).
    pub name: &'static str,
    /// The METADATA_BLOCK record code.
    pub code: u32,
    /// The fields, in the order `llvm-dis-14` prints them.
    pub fields: &'static [Field],
    /// The metadata operands in LLVM's storage order, which is the order
    /// `llvm-dis-14` numbers and the bitcode writer enumerates them in.
    pub operands: &'static [Op],
    /// The record layout.
    pub record: &'static [Rec],
    /// Whether the parser requires `distinct` (compile units).
    pub always_distinct: bool,
    /// Whether the node is printed where it is used instead of being
    /// numbered (`DIExpression`, `DIArgList`).
    pub inline: bool,
}

// Field constructors, to keep the table below readable.

const fn md(name: &'static str, required: bool, null_ok: bool, print: Print) -> Field {
    Field {
        name,
        ty: FieldType::Md { null_ok },
        required,
        print,
        default: 0,
    }
}

/// An optional metadata field printed when not null.
const fn mdo(name: &'static str) -> Field {
    md(name, false, true, Print::NotDefault)
}

const fn string(name: &'static str, required: bool, empty_ok: bool, print: Print) -> Field {
    Field {
        name,
        ty: FieldType::Str { empty_ok },
        required,
        print,
        default: 0,
    }
}

/// An optional string printed when not empty.
const fn stro(name: &'static str) -> Field {
    string(name, false, true, Print::NotDefault)
}

const fn unsigned(name: &'static str, max: u64, required: bool, print: Print) -> Field {
    Field {
        name,
        ty: FieldType::Unsigned { max },
        required,
        print,
        default: 0,
    }
}

/// An optional unsigned field printed when not zero.
const fn uo(name: &'static str, max: u64) -> Field {
    unsigned(name, max, false, Print::NotDefault)
}

const fn boolean(name: &'static str, default: bool, print: Print) -> Field {
    Field {
        name,
        ty: FieldType::Bool,
        required: false,
        print,
        default: default as u64,
    }
}

const fn keyword(
    name: &'static str,
    table: &'static Keywords,
    max: u64,
    required: bool,
    print: Print,
    default: u64,
) -> Field {
    Field {
        name,
        ty: FieldType::Keyword {
            table,
            max,
            numeric_ok: true,
        },
        required,
        print,
        default,
    }
}

const fn tag(required: bool, print: Print, default: u64) -> Field {
    keyword("tag", &keywords::TAGS, 0xffff, required, print, default)
}

const fn flags(name: &'static str) -> Field {
    Field {
        name,
        ty: FieldType::DiFlags,
        required: false,
        print: Print::NotDefault,
        default: 0,
    }
}

const fn bound(name: &'static str, min: i64, null_ok: bool, form: SignedForm) -> Field {
    Field {
        name,
        ty: FieldType::SignedOrMd {
            min,
            max: i64::MAX,
            null_ok,
            form,
        },
        required: false,
        print: Print::NotDefault,
        default: 0,
    }
}

const U16: u64 = u16::MAX as u64;
const U32: u64 = u32::MAX as u64;
const U64: u64 = u64::MAX;

/// `DW_TAG_base_type`, `DW_TAG_string_type`,
/// `DW_TAG_template_value_parameter`: the tags the printer leaves out.
const DW_TAG_BASE_TYPE: u64 = 0x24;
const DW_TAG_STRING_TYPE: u64 = 0x12;
const DW_TAG_TEMPLATE_VALUE_PARAMETER: u64 = 0x30;
/// `DW_MACINFO_start_file`, the default type of a macro file.
const DW_MACINFO_START_FILE: u64 = 3;

/// `DISPFlagDefinition`.
pub const SP_FLAG_DEFINITION: u64 = 0x8;
/// `DISPFlagVirtual | DISPFlagPureVirtual`.
pub const SP_FLAG_VIRTUALITY: u64 = 0x3;

use Print::{Always, NotDefault as Nd};
use Rec::{Field as F, Id};

/// A record header with no flags.
const fn header(bits: u64) -> Rec {
    Rec::Header { bits, flags: &[] }
}

const fn o(i: usize) -> Op {
    Op::Field(i)
}

/// The table: one entry per [`DiKind`], in that order.
pub static KINDS: [KindInfo; 30] = [
    KindInfo {
        kind: DiKind::Location,
        name: "DILocation",
        code: 7,
        fields: &[
            unsigned("line", U32, false, Always),
            uo("column", U16),
            md("scope", true, false, Always),
            mdo("inlinedAt"),
            boolean("isImplicitCode", false, Nd),
        ],
        operands: &[o(2), o(3)],
        record: &[header(0), F(0), F(1), Id(2), F(3), F(4)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::GenericDINode,
        name: "GenericDINode",
        code: 12,
        fields: &[
            tag(true, Always, 0),
            stro("header"),
            Field {
                name: "operands",
                ty: FieldType::MdList,
                required: false,
                print: Nd,
                default: 0,
            },
        ],
        operands: &[o(1), Op::List(2)],
        record: &[header(0), F(0), Rec::Const(0), F(1), Rec::Ids(2)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Subrange,
        name: "DISubrange",
        code: 13,
        fields: &[
            bound("count", -1, false, SignedForm::ConstI64),
            bound("lowerBound", i64::MIN, true, SignedForm::ConstI64),
            bound("upperBound", i64::MIN, true, SignedForm::ConstI64),
            bound("stride", i64::MIN, true, SignedForm::ConstI64),
        ],
        operands: &[o(0), o(1), o(2), o(3)],
        record: &[header(2 << 1), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::GenericSubrange,
        name: "DIGenericSubrange",
        code: 45,
        fields: &[
            bound("count", i64::MIN, true, SignedForm::Consts),
            bound("lowerBound", i64::MIN, true, SignedForm::Consts),
            bound("upperBound", i64::MIN, true, SignedForm::Consts),
            bound("stride", i64::MIN, true, SignedForm::Consts),
        ],
        operands: &[o(0), o(1), o(2), o(3)],
        record: &[header(0), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Enumerator,
        name: "DIEnumerator",
        code: 14,
        fields: &[
            string("name", true, true, Always),
            Field {
                name: "value",
                ty: FieldType::Wide,
                required: true,
                print: Always,
                default: 0,
            },
            boolean("isUnsigned", false, Nd),
        ],
        operands: &[o(0)],
        record: &[
            Rec::Header {
                bits: 1 << 2,
                flags: &[(2, 1)],
            },
            Rec::WideWidth(1),
            F(0),
            Rec::WideWords(1),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::BasicType,
        name: "DIBasicType",
        code: 15,
        fields: &[
            tag(false, Nd, DW_TAG_BASE_TYPE),
            stro("name"),
            uo("size", U64),
            uo("align", U32),
            keyword("encoding", &keywords::ENCODINGS, 0xff, false, Nd, 0),
            flags("flags"),
        ],
        operands: &[o(1)],
        record: &[header(0), F(0), F(1), F(2), F(3), F(4), F(5)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::StringType,
        name: "DIStringType",
        code: 41,
        fields: &[
            tag(false, Nd, DW_TAG_STRING_TYPE),
            stro("name"),
            mdo("stringLength"),
            mdo("stringLengthExpression"),
            mdo("stringLocationExpression"),
            uo("size", U64),
            uo("align", U32),
            keyword("encoding", &keywords::ENCODINGS, 0xff, false, Nd, 0),
        ],
        operands: &[o(1), o(2), o(3), o(4)],
        record: &[header(0), F(0), F(1), F(2), F(3), F(4), F(5), F(6), F(7)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::DerivedType,
        name: "DIDerivedType",
        code: 17,
        fields: &[
            tag(true, Always, 0),
            stro("name"),
            mdo("scope"),
            mdo("file"),
            uo("line", U32),
            md("baseType", true, true, Always),
            uo("size", U64),
            uo("align", U32),
            uo("offset", U64),
            flags("flags"),
            mdo("extraData"),
            Field {
                name: "dwarfAddressSpace",
                ty: FieldType::AddressSpace,
                required: false,
                print: Nd,
                default: 0,
            },
            mdo("annotations"),
        ],
        // File, scope, name, base type, extra data, annotations.
        operands: &[o(3), o(2), o(1), o(5), o(10), o(12)],
        record: &[
            header(0),
            F(0),
            F(1),
            F(3),
            F(4),
            F(2),
            F(5),
            F(6),
            F(7),
            F(8),
            F(9),
            F(10),
            F(11),
            F(12),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::CompositeType,
        name: "DICompositeType",
        code: 18,
        fields: &[
            tag(true, Always, 0),
            stro("name"),
            mdo("scope"),
            mdo("file"),
            uo("line", U32),
            mdo("baseType"),
            uo("size", U64),
            uo("align", U32),
            uo("offset", U64),
            flags("flags"),
            mdo("elements"),
            keyword("runtimeLang", &keywords::LANGUAGES, 0xffff, false, Nd, 0),
            mdo("vtableHolder"),
            mdo("templateParams"),
            stro("identifier"),
            mdo("discriminator"),
            mdo("dataLocation"),
            mdo("associated"),
            mdo("allocated"),
            bound("rank", i64::MIN, true, SignedForm::ConstI64),
            mdo("annotations"),
        ],
        // File, scope, name, base type, elements, vtable holder, template
        // parameters, identifier, discriminator, data location,
        // associated, allocated, rank, annotations.
        operands: &[
            o(3),
            o(2),
            o(1),
            o(5),
            o(10),
            o(12),
            o(13),
            o(14),
            o(15),
            o(16),
            o(17),
            o(18),
            o(19),
            o(20),
        ],
        record: &[
            header(1 << 1),
            F(0),
            F(1),
            F(3),
            F(4),
            F(2),
            F(5),
            F(6),
            F(7),
            F(8),
            F(9),
            F(10),
            F(11),
            F(12),
            F(13),
            F(14),
            F(15),
            F(16),
            F(17),
            F(18),
            F(19),
            F(20),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::SubroutineType,
        name: "DISubroutineType",
        code: 19,
        fields: &[
            flags("flags"),
            keyword("cc", &keywords::CALLING_CONVENTIONS, 0xff, false, Nd, 0),
            md("types", true, true, Always),
        ],
        operands: &[o(2)],
        record: &[header(1 << 1), F(0), F(2), F(1)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::File,
        name: "DIFile",
        code: 16,
        fields: &[
            string("filename", true, true, Always),
            string("directory", true, true, Always),
            Field {
                name: "checksumkind",
                ty: FieldType::Keyword {
                    table: &keywords::CHECKSUM_KINDS,
                    max: 3,
                    numeric_ok: false,
                },
                required: false,
                print: Print::Checksum,
                default: 0,
            },
            string("checksum", false, true, Print::Checksum),
            Field {
                name: "source",
                ty: FieldType::OptStr,
                required: false,
                print: Nd,
                default: 0,
            },
        ],
        operands: &[o(0), o(1), o(3), o(4)],
        record: &[header(0), F(0), F(1), F(2), F(3), Rec::Optional(4)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::CompileUnit,
        name: "DICompileUnit",
        code: 20,
        fields: &[
            keyword("language", &keywords::LANGUAGES, 0xffff, true, Always, 0),
            md("file", true, false, Always),
            stro("producer"),
            boolean("isOptimized", false, Always),
            stro("flags"),
            unsigned("runtimeVersion", U32, false, Always),
            stro("splitDebugFilename"),
            keyword(
                "emissionKind",
                &keywords::EMISSION_KINDS,
                3,
                false,
                Always,
                0,
            ),
            mdo("enums"),
            mdo("retainedTypes"),
            mdo("globals"),
            mdo("imports"),
            mdo("macros"),
            uo("dwoId", U64),
            boolean("splitDebugInlining", true, Nd),
            boolean("debugInfoForProfiling", false, Nd),
            keyword(
                "nameTableKind",
                &keywords::NAME_TABLE_KINDS,
                2,
                false,
                Nd,
                0,
            ),
            boolean("rangesBaseAddress", false, Nd),
            stro("sysroot"),
            stro("sdk"),
        ],
        // File, producer, flags, split file, enums, retained types,
        // globals, imports, macros, sysroot, SDK.
        operands: &[
            o(1),
            o(2),
            o(4),
            o(6),
            o(8),
            o(9),
            o(10),
            o(11),
            o(12),
            o(18),
            o(19),
        ],
        record: &[
            header(0),
            F(0),
            F(1),
            F(2),
            F(3),
            F(4),
            F(5),
            F(6),
            F(7),
            F(8),
            F(9),
            // The subprogram list compile units had before LLVM 4.
            Rec::Const(0),
            F(10),
            F(11),
            F(13),
            F(12),
            F(14),
            F(15),
            F(16),
            F(17),
            F(18),
            F(19),
        ],
        always_distinct: true,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Subprogram,
        name: "DISubprogram",
        code: 21,
        fields: &[
            stro("name"),
            stro("linkageName"),
            md("scope", false, true, Always),
            mdo("file"),
            uo("line", U32),
            mdo("type"),
            uo("scopeLine", U32),
            mdo("containingType"),
            unsigned("virtualIndex", U32, false, Print::VirtualIndex),
            Field {
                name: "thisAdjustment",
                ty: FieldType::Signed {
                    min: i32::MIN as i64,
                    max: i32::MAX as i64,
                },
                required: false,
                print: Nd,
                default: 0,
            },
            flags("flags"),
            Field {
                name: "spFlags",
                ty: FieldType::SpFlags,
                required: false,
                print: Always,
                default: 0,
            },
            mdo("unit"),
            mdo("templateParams"),
            mdo("declaration"),
            mdo("retainedNodes"),
            mdo("thrownTypes"),
            mdo("annotations"),
        ],
        // File, scope, name, linkage name, type, unit, declaration,
        // retained nodes, containing type, template parameters, thrown
        // types, annotations.
        operands: &[
            o(3),
            o(2),
            o(0),
            o(1),
            o(5),
            o(12),
            o(14),
            o(15),
            o(7),
            o(13),
            o(16),
            o(17),
        ],
        record: &[
            // Bit 1: the unit is an operand; bit 2: flags are spFlags.
            header(0b110),
            F(2),
            F(0),
            F(1),
            F(3),
            F(4),
            F(5),
            F(6),
            F(7),
            F(11),
            F(8),
            F(10),
            F(12),
            F(13),
            F(14),
            F(15),
            F(9),
            F(16),
            F(17),
            Rec::AppleZero,
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::LexicalBlock,
        name: "DILexicalBlock",
        code: 22,
        fields: &[
            md("scope", true, false, Always),
            mdo("file"),
            uo("line", U32),
            uo("column", U16),
        ],
        operands: &[o(1), o(0)],
        record: &[header(0), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::LexicalBlockFile,
        name: "DILexicalBlockFile",
        code: 23,
        fields: &[
            md("scope", true, false, Always),
            mdo("file"),
            unsigned("discriminator", U32, true, Always),
        ],
        operands: &[o(1), o(0)],
        record: &[header(0), F(0), F(1), F(2)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Namespace,
        name: "DINamespace",
        code: 24,
        fields: &[
            stro("name"),
            md("scope", true, true, Always),
            boolean("exportSymbols", false, Nd),
        ],
        operands: &[o(1), o(0)],
        record: &[
            Rec::Header {
                bits: 0,
                flags: &[(2, 1)],
            },
            F(1),
            F(0),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Module,
        name: "DIModule",
        code: 32,
        fields: &[
            md("scope", true, true, Always),
            string("name", true, true, Nd),
            stro("configMacros"),
            stro("includePath"),
            stro("apinotes"),
            mdo("file"),
            uo("line", U32),
            boolean("isDecl", false, Nd),
        ],
        operands: &[o(5), o(0), o(1), o(2), o(3), o(4)],
        record: &[header(0), F(5), F(0), F(1), F(2), F(3), F(4), F(6), F(7)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::TemplateTypeParameter,
        name: "DITemplateTypeParameter",
        code: 25,
        fields: &[
            stro("name"),
            md("type", true, true, Always),
            boolean("defaulted", false, Nd),
        ],
        operands: &[o(0), o(1)],
        record: &[header(0), F(0), F(1), F(2)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::TemplateValueParameter,
        name: "DITemplateValueParameter",
        code: 26,
        fields: &[
            tag(false, Nd, DW_TAG_TEMPLATE_VALUE_PARAMETER),
            stro("name"),
            mdo("type"),
            boolean("defaulted", false, Nd),
            md("value", true, true, Always),
        ],
        operands: &[o(1), o(2), o(4)],
        record: &[header(0), F(0), F(1), F(2), F(3), F(4)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::GlobalVariable,
        name: "DIGlobalVariable",
        code: 27,
        fields: &[
            string("name", true, false, Always),
            stro("linkageName"),
            md("scope", false, true, Always),
            mdo("file"),
            uo("line", U32),
            mdo("type"),
            boolean("isLocal", false, Always),
            boolean("isDefinition", true, Always),
            mdo("declaration"),
            mdo("templateParams"),
            uo("align", U32),
            mdo("annotations"),
        ],
        // Scope, name, file, type, name again (the display name), linkage
        // name, declaration, template parameters, annotations.
        operands: &[o(2), o(0), o(3), o(5), o(0), o(1), o(8), o(9), o(11)],
        record: &[
            // Version 2: alignment and no expression operand.
            header(2 << 1),
            F(2),
            F(0),
            F(1),
            F(3),
            F(4),
            F(5),
            F(6),
            F(7),
            F(8),
            F(9),
            F(10),
            F(11),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::LocalVariable,
        name: "DILocalVariable",
        code: 28,
        fields: &[
            stro("name"),
            uo("arg", U16),
            md("scope", true, false, Always),
            mdo("file"),
            uo("line", U32),
            mdo("type"),
            flags("flags"),
            uo("align", U32),
            mdo("annotations"),
        ],
        operands: &[o(2), o(0), o(3), o(5), o(8)],
        record: &[
            // Bit 1: the record carries an alignment.
            header(1 << 1),
            F(2),
            F(0),
            F(3),
            F(4),
            F(5),
            F(1),
            F(6),
            F(7),
            F(8),
        ],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Label,
        name: "DILabel",
        code: 40,
        fields: &[
            md("scope", true, false, Always),
            string("name", true, true, Nd),
            md("file", true, true, Nd),
            unsigned("line", U32, true, Nd),
        ],
        operands: &[o(0), o(1), o(2)],
        record: &[header(0), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Expression,
        name: "DIExpression",
        code: 29,
        fields: &[Field {
            name: "",
            ty: FieldType::Expression,
            required: false,
            print: Always,
            default: 0,
        }],
        operands: &[],
        // Version 3: DW_OP_LLVM_fragment and no implicit DW_OP_deref.
        record: &[header(3 << 1), Rec::Ints(0)],
        always_distinct: false,
        inline: true,
    },
    KindInfo {
        kind: DiKind::GlobalVariableExpression,
        name: "DIGlobalVariableExpression",
        code: 37,
        fields: &[md("var", true, true, Nd), md("expr", true, true, Nd)],
        operands: &[o(0), o(1)],
        record: &[header(0), F(0), F(1)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::ObjCProperty,
        name: "DIObjCProperty",
        code: 30,
        fields: &[
            stro("name"),
            mdo("file"),
            uo("line", U32),
            stro("setter"),
            stro("getter"),
            uo("attributes", U32),
            mdo("type"),
        ],
        // Name, file, getter, setter, type.
        operands: &[o(0), o(1), o(4), o(3), o(6)],
        record: &[header(0), F(0), F(1), F(2), F(4), F(3), F(5), F(6)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::ImportedEntity,
        name: "DIImportedEntity",
        code: 31,
        fields: &[
            tag(true, Always, 0),
            stro("name"),
            md("scope", true, true, Always),
            mdo("entity"),
            mdo("file"),
            uo("line", U32),
            mdo("elements"),
        ],
        // Scope, entity, name, file, elements.
        operands: &[o(2), o(3), o(1), o(4), o(6)],
        record: &[header(0), F(0), F(2), F(3), F(5), F(1), F(4), F(6)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::Macro,
        name: "DIMacro",
        code: 33,
        fields: &[
            keyword("type", &keywords::MACINFO_TYPES, 0xff, true, Always, 0),
            uo("line", U32),
            string("name", true, true, Nd),
            stro("value"),
        ],
        operands: &[o(2), o(3)],
        record: &[header(0), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::MacroFile,
        name: "DIMacroFile",
        code: 34,
        fields: &[
            keyword(
                "type",
                &keywords::MACINFO_TYPES,
                0xff,
                false,
                Print::Never,
                DW_MACINFO_START_FILE,
            ),
            uo("line", U32),
            md("file", true, true, Always),
            mdo("nodes"),
        ],
        operands: &[o(2), o(3)],
        record: &[header(0), F(0), F(1), F(2), F(3)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::CommonBlock,
        name: "DICommonBlock",
        code: 44,
        fields: &[
            md("scope", true, true, Always),
            md("declaration", false, true, Always),
            stro("name"),
            mdo("file"),
            uo("line", U32),
        ],
        operands: &[o(0), o(1), o(2), o(3)],
        record: &[header(0), F(0), F(1), F(2), F(3), F(4)],
        always_distinct: false,
        inline: false,
    },
    KindInfo {
        kind: DiKind::ArgList,
        name: "DIArgList",
        code: 46,
        fields: &[Field {
            name: "",
            ty: FieldType::ArgList,
            required: false,
            print: Always,
            default: 0,
        }],
        operands: &[],
        record: &[Rec::Ids0(0)],
        always_distinct: false,
        inline: true,
    },
];

impl DiKind {
    /// Every kind, in table order.
    pub fn all() -> impl Iterator<Item = DiKind> {
        KINDS.iter().map(|k| k.kind)
    }

    /// The kind's table entry.
    pub fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }

    /// The kind named `name` (without `!`).
    pub fn from_name(name: &str) -> Option<DiKind> {
        KINDS.iter().find(|k| k.name == name).map(|k| k.kind)
    }

    /// The kind whose record has code `code`.
    pub fn from_code(code: u32) -> Option<DiKind> {
        KINDS.iter().find(|k| k.code == code).map(|k| k.kind)
    }

    /// The index of the field named `name`.
    pub fn field_index(self, name: &str) -> Option<usize> {
        self.info().fields.iter().position(|f| f.name == name)
    }
}

/// The value of one field of a [`DiNode`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DiValue {
    /// No metadata operand (`null`), no string (`""`).
    Null,
    /// A metadata operand.
    Md(MetaId),
    /// An integer-like field (unsigned, signed as two's complement, bool,
    /// DWARF constant, flags, address space + 1).
    Int(u64),
    /// An integer of `width` bits (`DIEnumerator`'s value), as its
    /// little-endian 64-bit words (`width.div_ceil(64)` of them, the high
    /// word's unused bits zero).
    Wide {
        /// Bit width (at least 1).
        width: u32,
        /// The words.
        words: Vec<u64>,
    },
    /// A list of integers (`DIExpression`'s elements).
    Ints(Vec<u64>),
    /// A list of metadata operands (`GenericDINode`'s operands,
    /// `DIArgList`'s values).
    Mds(Vec<Option<MetaId>>),
    /// An optional operand that is not there at all (`DIFile`'s `source`
    /// when the text does not give one).
    Absent,
}

impl DiValue {
    /// The metadata this value refers to, if it is one reference.
    pub fn md(&self) -> Option<MetaId> {
        match self {
            DiValue::Md(m) => Some(*m),
            _ => None,
        }
    }

    /// The integer, or 0 for non-integers.
    pub fn int(&self) -> u64 {
        match self {
            DiValue::Int(v) => *v,
            _ => 0,
        }
    }
}

/// A specialised debug-info node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DiNode {
    /// Its kind.
    pub kind: DiKind,
    /// Whether it is `distinct`.
    pub distinct: bool,
    /// One value per field of `kind.info().fields`, in that order.
    pub fields: Vec<DiValue>,
}

impl DiNode {
    /// A node of `kind` with every field at the value the parser gives a
    /// field the text leaves out.
    pub fn new(kind: DiKind, distinct: bool) -> Self {
        let fields = kind.info().fields.iter().map(default_value).collect();
        DiNode {
            kind,
            distinct,
            fields,
        }
    }

    /// Sets field `name` (builder style; unknown names are ignored, which
    /// only a programming error can cause).
    pub fn with(mut self, name: &str, value: DiValue) -> Self {
        if let Some(i) = self.kind.field_index(name) {
            self.fields[i] = value;
        }
        self
    }

    /// The value of field `name`, if the kind has it.
    pub fn get(&self, name: &str) -> Option<&DiValue> {
        self.kind.field_index(name).and_then(|i| self.fields.get(i))
    }

    /// The metadata field `name`, if set.
    pub fn md(&self, name: &str) -> Option<MetaId> {
        self.get(name).and_then(DiValue::md)
    }

    /// The integer field `name` (0 when unset or not an integer).
    pub fn int(&self, name: &str) -> u64 {
        self.get(name).map_or(0, DiValue::int)
    }

    /// Calls `f` with each metadata operand in LLVM's storage order (`None`
    /// for an empty operand): the order `llvm-dis-14` numbers nodes in and
    /// the bitcode writer enumerates them in. `DIArgList`'s values are not
    /// operands in LLVM 14 and are not visited.
    pub fn for_each_operand(&self, mut f: impl FnMut(Option<MetaId>)) {
        for op in self.kind.info().operands {
            match *op {
                Op::Field(i) => match self.fields.get(i) {
                    Some(DiValue::Md(m)) => f(Some(*m)),
                    Some(_) | None => f(None),
                },
                Op::List(i) => {
                    if let Some(DiValue::Mds(list)) = self.fields.get(i) {
                        for m in list {
                            f(*m);
                        }
                    }
                }
            }
        }
    }

    /// Every metadata id the node refers to (operands and list entries,
    /// `DIArgList` values included), for checks and rewriting.
    pub fn for_each_ref_mut(&mut self, mut f: impl FnMut(&mut MetaId)) {
        for v in &mut self.fields {
            match v {
                DiValue::Md(m) => f(m),
                DiValue::Mds(list) => list.iter_mut().flatten().for_each(&mut f),
                _ => {}
            }
        }
    }

    /// Every metadata id the node refers to, `DIArgList` values included.
    pub fn for_each_ref(&self, mut f: impl FnMut(MetaId)) {
        for v in &self.fields {
            match v {
                DiValue::Md(m) => f(*m),
                DiValue::Mds(list) => list.iter().flatten().for_each(|m| f(*m)),
                _ => {}
            }
        }
    }
}

/// The value a field has when the text leaves it out.
pub fn default_value(field: &Field) -> DiValue {
    match field.ty {
        FieldType::Md { .. } | FieldType::Str { .. } | FieldType::SignedOrMd { .. } => {
            DiValue::Null
        }
        FieldType::OptStr => DiValue::Absent,
        FieldType::Wide => DiValue::Wide {
            width: 1,
            words: vec![0],
        },
        FieldType::Expression => DiValue::Ints(Vec::new()),
        FieldType::ArgList | FieldType::MdList => DiValue::Mds(Vec::new()),
        FieldType::Unsigned { .. }
        | FieldType::Signed { .. }
        | FieldType::Bool
        | FieldType::Keyword { .. }
        | FieldType::DiFlags
        | FieldType::SpFlags
        | FieldType::AddressSpace => DiValue::Int(field.default),
    }
}

/// `DIFlag*` bits LLVM 14's flag operations keep: its `DIFlags` enum is a
/// bitmask enum whose largest flag is bit 29, so `~flag` (used while
/// splitting flags for printing) clears bits 30 and 31 as well.
const DI_FLAGS_MASK: u32 = (1 << 30) - 1;
/// The same for `DISPFlag*` (largest flag bit 11).
const SP_FLAGS_MASK: u32 = (1 << 12) - 1;

/// Splits `DIFlag*` bits the way `llvm-dis-14` prints them
/// (`DINode::splitFlags`): the names, then the bits left over (0 when
/// none). Multi-bit fields (accessibility, pointer-to-member
/// representation) print as one name.
pub fn split_di_flags(flags: u32) -> (Vec<&'static str>, u32) {
    let name = |v: u32| {
        keywords::DI_FLAGS
            .iter()
            .find(|(f, _)| *f == v)
            .map_or("", |(_, n)| *n)
    };
    let mut rest = flags;
    let mut out = Vec::new();
    let access = rest & 3;
    if access != 0 {
        out.push(name(if access == 1 || access == 2 {
            access
        } else {
            3
        }));
        rest &= !access & DI_FLAGS_MASK;
    }
    let rep = rest & (3 << 16);
    if rep != 0 {
        out.push(name(rep));
        rest &= !rep & DI_FLAGS_MASK;
    }
    let indirect = (1 << 2) | (1 << 5);
    if rest & indirect == indirect {
        rest &= !indirect & DI_FLAGS_MASK;
        out.push(name(indirect));
    }
    for &(bits, n) in keywords::DI_FLAGS {
        let bit = rest & bits;
        if bit != 0 {
            // Only whole single-bit flags are left by now.
            out.push(if bit == bits { n } else { name(bit) });
            rest &= !bit & DI_FLAGS_MASK;
        }
    }
    (out, rest)
}

/// Splits `DISPFlag*` bits as `llvm-dis-14` prints them.
pub fn split_sp_flags(flags: u32) -> (Vec<&'static str>, u32) {
    let mut rest = flags;
    let mut out = Vec::new();
    for &(bits, n) in keywords::SP_FLAGS {
        let bit = rest & bits;
        if bit != 0 {
            out.push(n);
            rest &= !bit & SP_FLAGS_MASK;
        }
    }
    (out, rest)
}

/// The number of a `DIFlag*` name (not `DIFlagZero`).
pub fn di_flag(name: &str) -> Option<u32> {
    keywords::DI_FLAGS
        .iter()
        .find(|(v, n)| *v != 0 && *n == name)
        .map(|(v, _)| *v)
}

/// The number of a `DISPFlag*` name (not `DISPFlagZero`).
pub fn sp_flag(name: &str) -> Option<u32> {
    keywords::SP_FLAGS
        .iter()
        .find(|(v, n)| *v != 0 && *n == name)
        .map(|(v, _)| *v)
}

/// The signed integer an integer-or-metadata field prints as (for
/// [`FieldType::SignedOrMd`]), when its metadata is the form the integer
/// spelling stands for: an integer constant for [`SignedForm::ConstI64`]
/// (of any width, printed sign-extended), `DW_OP_consts N` (optionally
/// followed by `DW_OP_stack_value`) for [`SignedForm::Consts`].
pub fn signed_sugar(module: &crate::Module, form: SignedForm, md: MetaId) -> Option<i64> {
    match (form, module.metadata.get(md.0 as usize)?) {
        (
            SignedForm::ConstI64,
            Metadata::Value {
                ty,
                value: crate::Value::Const(c),
            },
        ) => {
            let width = module.types.int_width(*ty)?;
            match &module.consts.try_get(*c)?.kind {
                crate::ConstKind::Int(v) => v.as_i128(width).and_then(|v| i64::try_from(v).ok()),
                _ => None,
            }
        }
        (SignedForm::Consts, Metadata::Di(n)) if n.kind == DiKind::Expression => {
            let DiValue::Ints(e) = n.fields.first()? else {
                return None;
            };
            expr::signed_constant(e)
        }
        _ => None,
    }
}

/// Whether a flags word prints as itself: LLVM's flag enums keep only the
/// bits up to their largest flag while splitting, so a word with higher
/// bits and a named flag prints without the high bits.
fn flags_print_exactly(ty: FieldType, bits: u64) -> bool {
    let word = bits as u32;
    let (names, rest) = if ty == FieldType::SpFlags {
        split_sp_flags(word)
    } else {
        split_di_flags(word)
    };
    let lookup = |n: &str| {
        if ty == FieldType::SpFlags {
            sp_flag(n)
        } else {
            di_flag(n)
        }
    };
    let back = names
        .iter()
        .filter_map(|n| lookup(n))
        .fold(rest, |a, b| a | b);
    u64::from(back) == bits
}

/// Whether printing `module` loses something its text cannot say again,
/// so that parsing the printed text gives a (slightly) different module.
/// The printer writes what `llvm-dis-14` writes, and LLVM 14's text has
/// no spelling for: the `type:` of a `DIMacroFile` other than
/// `DW_MACINFO_start_file` (never printed); an integer-or-metadata field
/// holding a constant narrower or wider than `i64`, or an expression
/// `DW_OP_consts N` with more after it (both print as the integer, which
/// reads back as an `i64` and as the two-element expression); and a
/// `distinct` `DIExpression` or `DIArgList` (printed inline, without
/// `distinct`); flag words with bits above LLVM's largest flag next to a
/// named one (dropped while printing). Parsing the printed text once more
/// gives the same text.
pub fn printed_text_is_lossy(module: &crate::Module) -> bool {
    module.metadata.iter().any(|m| {
        let Metadata::Di(n) = m else {
            return false;
        };
        if n.kind.info().inline && n.distinct {
            return true;
        }
        if n.kind == DiKind::MacroFile && n.int("type") != 3 {
            return true;
        }
        n.kind.info().fields.iter().zip(&n.fields).any(|(f, v)| {
            if let (FieldType::DiFlags | FieldType::SpFlags, DiValue::Int(bits)) = (f.ty, v) {
                return !flags_print_exactly(f.ty, *bits);
            }
            let (FieldType::SignedOrMd { form, .. }, DiValue::Md(id)) = (f.ty, v) else {
                return false;
            };
            if signed_sugar(module, form, *id).is_none() {
                return false;
            }
            match module.metadata.get(id.0 as usize) {
                Some(Metadata::Value { ty, .. }) => module.types.int_width(*ty) != Some(64),
                Some(Metadata::Di(e)) => {
                    e.distinct
                        || !matches!(e.fields.first(), Some(DiValue::Ints(x)) if x.len() == 2)
                }
                _ => false,
            }
        })
    })
}
