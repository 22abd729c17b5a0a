//! LLVM 14's `ModuleBitcodeWriter`: the blocks, abbreviations and records,
//! in LLVM's order.

use std::sync::Mutex;

use air_ir::attributes::Attribute;
use air_ir::inst::{BlockId, InstKind, TailKind};
use air_ir::types::{StructBody, Type};
use air_ir::{InstId, Linkage, TypeId};
use llvm_bitstream::{Abbrev, AbbrevOp, BitWriter, Bits, UNABBREV_RECORD};

use crate::consts::{bitcode_op, fmf_bits, int_flags, CExpr, CId, CKind};
use crate::enumerate::{const_val, log2_ceil, Enumerator, Operand, Val};
use crate::layout::Layout;
use crate::meta::{LocalValue, Md, MdId};
use crate::prepare::{
    Prepared, APPLE_BUNDLE_TAG, APPLE_MD_KINDS, FIXED_BUNDLE_TAGS, FIXED_MD_KINDS,
};
use crate::string_map::StringMapOrder;
use crate::symtab::{ir_name, Strtab};
use crate::{EncodeError, Flavour, Result, LLVM14_PRODUCER};

// Block ids.
const MODULE_BLOCK: u32 = 8;
const PARAMATTR_BLOCK: u32 = 9;
const PARAMATTR_GROUP_BLOCK: u32 = 10;
const CONSTANTS_BLOCK: u32 = 11;
const FUNCTION_BLOCK: u32 = 12;
const IDENTIFICATION_BLOCK: u32 = 13;
const VALUE_SYMTAB_BLOCK: u32 = 14;
const METADATA_BLOCK: u32 = 15;
const METADATA_ATTACHMENT_BLOCK: u32 = 16;
const TYPE_BLOCK_NEW: u32 = 17;
const OPERAND_BUNDLE_TAGS_BLOCK: u32 = 21;
const METADATA_KIND_BLOCK: u32 = 22;
const STRTAB_BLOCK: u32 = 23;
const SYMTAB_BLOCK: u32 = 25;
const SYNC_SCOPE_NAMES_BLOCK: u32 = 26;

// Abbreviation ids registered through BLOCKINFO (LLVM's fixed numbering).
const VST_ENTRY_8: u32 = 4;
const VST_ENTRY_7: u32 = 5;
const VST_ENTRY_6: u32 = 6;
const VST_BBENTRY_6: u32 = 7;
const CONSTANTS_SETTYPE: u32 = 4;
const CONSTANTS_INTEGER: u32 = 5;
const CONSTANTS_CE_CAST: u32 = 6;
const FUNCTION_INST_LOAD: u32 = 4;
const FUNCTION_INST_UNOP: u32 = 5;
const FUNCTION_INST_UNOP_FLAGS: u32 = 6;
const FUNCTION_INST_BINOP: u32 = 7;
const FUNCTION_INST_BINOP_FLAGS: u32 = 8;
const FUNCTION_INST_CAST: u32 = 9;
const FUNCTION_INST_RET_VOID: u32 = 10;
const FUNCTION_INST_RET_VAL: u32 = 11;
const FUNCTION_INST_UNREACHABLE: u32 = 12;
const FUNCTION_INST_GEP: u32 = 13;

/// The sync scopes LLVM registers in every context, in id order.
const FIXED_SYNC_SCOPES: [&str; 2] = ["singlethread", ""];

/// The records every module of a flavour starts its METADATA_KIND,
/// OPERAND_BUNDLE_TAGS and SYNC_SCOPE_NAMES blocks with, encoded once per
/// process: they are a few hundred characters, each a VBR6 chunk pair,
/// and encoding them per module was over a tenth of a small module's
/// encode. Each block's contents start at a word boundary, so the
/// pre-encoded bits are copied in as bytes.
struct FixedRecords {
    /// How many kinds `md_kind_records` holds, and their names.
    md_kinds: usize,
    md_kind_names: Vec<&'static str>,
    md_kind_records: Bits,
    bundle_tag_records: Bits,
    /// Only the fixed scopes; a module's own follow them.
    sync_scope_records: Bits,
}

impl FixedRecords {
    fn of(flavour: Flavour) -> &'static FixedRecords {
        // A pure cache: the value depends on the flavour only, and
        // `OnceLock` makes concurrent first calls safe.
        static LLVM14: std::sync::OnceLock<FixedRecords> = std::sync::OnceLock::new();
        static APPLE: std::sync::OnceLock<FixedRecords> = std::sync::OnceLock::new();
        match flavour {
            Flavour::Llvm14 => LLVM14.get_or_init(|| FixedRecords::new(flavour)),
            Flavour::Apple => APPLE.get_or_init(|| FixedRecords::new(flavour)),
        }
    }

    fn new(flavour: Flavour) -> FixedRecords {
        // Apple's LLVM registers two more fixed kinds and one more fixed
        // bundle tag than LLVM 14.
        let (apple_kinds, apple_tags): (&[&'static str], &[&'static str]) = match flavour {
            Flavour::Llvm14 => (&[], &[]),
            Flavour::Apple => (&APPLE_MD_KINDS, &[APPLE_BUNDLE_TAG]),
        };
        let md_kind_names: Vec<&'static str> =
            FIXED_MD_KINDS.iter().chain(apple_kinds).copied().collect();
        let mut kinds = BitWriter::with_code_width(3);
        for (i, name) in md_kind_names.iter().enumerate() {
            let mut ops = vec![i as u64];
            ops.extend(chars_signed64(name.as_bytes()));
            kinds.emit_record(6, &ops);
        }
        let mut tags = BitWriter::with_code_width(3);
        for tag in FIXED_BUNDLE_TAGS.iter().chain(apple_tags) {
            tags.emit_record(1, &chars_signed64(tag.as_bytes()).collect::<Vec<_>>());
        }
        let mut scopes = BitWriter::with_code_width(2);
        for name in FIXED_SYNC_SCOPES {
            scopes.emit_record(1, &chars_signed64(name.as_bytes()).collect::<Vec<_>>());
        }
        FixedRecords {
            md_kinds: md_kind_names.len(),
            md_kind_names,
            md_kind_records: kinds.into_bits(),
            bundle_tag_records: tags.into_bits(),
            sync_scope_records: scopes.into_bits(),
        }
    }
}

/// Above this many non-string metadata records LLVM writes an index.
const METADATA_INDEX_THRESHOLD: usize = 25;

/// How a C++ `char` reaches a record: LLVM appends `char`s (signed on the
/// hosts it is built for) to `unsigned` or `uint64_t` vectors in several
/// places, so bytes ≥ 0x80 sign-extend.
fn chars_signed32(s: &[u8]) -> Vec<u64> {
    s.iter()
        .map(|b| u64::from(*b as i8 as i32 as u32))
        .collect()
}

/// A string's bytes as sign-extended record operands (what LLVM's
/// `StringRef` of `char` gives); an iterator, so records append it
/// without a buffer of their own.
fn chars_signed64(s: &[u8]) -> impl Iterator<Item = u64> + '_ {
    s.iter().map(|b| *b as i8 as i64 as u64)
}

fn chars_unsigned(s: &[u8]) -> Vec<u64> {
    s.iter().map(|b| u64::from(*b)).collect()
}

fn is_char6(c: u64) -> bool {
    u8::try_from(c).is_ok_and(|b| llvm_bitstream::encode_char6(b).is_some())
}

/// `getStringEncoding`: char6, 7-bit or 8-bit.
#[derive(Clone, Copy, PartialEq, Eq)]
enum StringEncoding {
    Char6,
    Fixed7,
    Fixed8,
}

fn string_encoding(s: &[u8]) -> StringEncoding {
    if s.iter().any(|b| b & 0x80 != 0) {
        StringEncoding::Fixed8
    } else if s.iter().all(|b| llvm_bitstream::encode_char6(*b).is_some()) {
        StringEncoding::Char6
    } else {
        StringEncoding::Fixed7
    }
}

/// `emitSignedInt64`.
fn signed_vbr(v: u64) -> u64 {
    if (v as i64) >= 0 {
        v << 1
    } else {
        (v.wrapping_neg() << 1) | 1
    }
}

/// Alignment as bitcode encodes it: log2 + 1, 0 for none.
fn encode_align(align: Option<u64>, context: &(impl std::fmt::Display + ?Sized)) -> Result<u64> {
    match align {
        None | Some(0) => Ok(0),
        Some(a) if a.is_power_of_two() => Ok(u64::from(a.trailing_zeros()) + 1),
        Some(a) => Err(EncodeError::invalid(
            context.to_string(),
            format!("alignment {a} is not a power of two"),
        )),
    }
}

/// `@function instruction N`, the context of an instruction's errors.
struct InstContext<'a>(&'a str, u32);

impl std::fmt::Display for InstContext<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "@{} instruction {}", self.0, self.1)
    }
}

fn abbrev(ops: Vec<AbbrevOp>) -> Abbrev {
    Abbrev::new(ops)
}

struct Writer<'p, 'm> {
    p: &'p Prepared<'m>,
    e: Enumerator,
    s: BitWriter,
    strtab: Strtab,
    layout: Layout,
    vst_offset_placeholder: u64,
    fn_offsets: Vec<(u32, u64)>,
    /// Reused buffers of `instruction`: the record's operands and the
    /// instruction's model operands (allocating them per instruction was a
    /// large share of the writer's time).
    rec: Vec<u64>,
    vals: Vec<Operand>,
}

/// Writes the raw bitstream (no wrapper) of a prepared module.
pub(crate) fn write(p: &Prepared<'_>) -> Result<Vec<u8>> {
    let e = Enumerator::new(p)?;
    let mut w = Writer {
        p,
        e,
        s: BitWriter::new(),
        strtab: Strtab::default(),
        layout: Layout::cached(p.module.datalayout.as_deref().unwrap_or_default()),
        vst_offset_placeholder: 0,
        fn_offsets: Vec::new(),
        rec: Vec::new(),
        vals: Vec::new(),
    };
    w.s.emit_magic();
    w.identification();
    w.module()?;
    let symtab = crate::symtab::build(p, &w.layout, &mut w.strtab, &p.irsymtab_producer);
    if let Some(blob) = symtab {
        w.write_blob(SYMTAB_BLOCK, &blob);
    }
    let strtab = std::mem::take(&mut w.strtab.bytes);
    w.write_blob(STRTAB_BLOCK, &strtab);
    Ok(w.s.finish())
}

impl<'m> Writer<'_, 'm> {
    fn type_id(&self, ty: TypeId) -> Result<u64> {
        self.e.type_id(ty).map(u64::from)
    }

    fn value_id(&self, v: Val) -> Result<u64> {
        self.e.value_id(v).map(u64::from)
    }

    fn identification(&mut self) {
        self.s.enter_block(IDENTIFICATION_BLOCK, 5);
        let string = self.s.define_abbrev(abbrev(vec![
            AbbrevOp::Literal(1),
            AbbrevOp::Array,
            AbbrevOp::Char6,
        ]));
        // Apple's writer records an empty producer string.
        let producer = match self.p.flavour {
            Flavour::Llvm14 => LLVM14_PRODUCER,
            Flavour::Apple => "",
        };
        self.string_record(1, &chars_signed32(producer.as_bytes()), string);
        let epoch = self
            .s
            .define_abbrev(abbrev(vec![AbbrevOp::Literal(2), AbbrevOp::Vbr(6)]));
        self.s.emit_record_with_abbrev(epoch, 2, &[0]);
        self.s.exit_block();
    }

    /// `writeStringRecord`: the abbreviation only if every char is char6.
    fn string_record(&mut self, code: u32, chars: &[u64], abbrev: u32) {
        let use_abbrev = abbrev != 0 && chars.iter().all(|c| is_char6(*c));
        self.s.emit_record_with_abbrev(
            if use_abbrev { abbrev } else { UNABBREV_RECORD },
            code,
            chars,
        );
    }

    fn module(&mut self) -> Result<()> {
        self.s.enter_block(MODULE_BLOCK, 3);
        self.s.emit_record(1, &[2]);
        self.blockinfo();
        self.type_table()?;
        self.attribute_groups()?;
        self.attribute_lists();
        self.module_info()?;
        self.module_constants()?;
        self.metadata_kinds();
        self.module_metadata()?;
        self.bundle_tags();
        self.sync_scopes();
        for (fi, f) in self.p.module.functions.iter().enumerate() {
            if !f.is_declaration() {
                self.function(fi as u32)?;
            }
        }
        self.module_vst()?;
        self.s.exit_block();
        Ok(())
    }

    fn blockinfo(&mut self) {
        let type_bits = self.e.type_bits();
        let s = &mut self.s;
        s.enter_blockinfo();
        use AbbrevOp::*;
        s.define_blockinfo_abbrev(
            VALUE_SYMTAB_BLOCK,
            abbrev(vec![Fixed(3), Vbr(8), Array, Fixed(8)]),
        );
        s.define_blockinfo_abbrev(
            VALUE_SYMTAB_BLOCK,
            abbrev(vec![Literal(1), Vbr(8), Array, Fixed(7)]),
        );
        s.define_blockinfo_abbrev(
            VALUE_SYMTAB_BLOCK,
            abbrev(vec![Literal(1), Vbr(8), Array, Char6]),
        );
        s.define_blockinfo_abbrev(
            VALUE_SYMTAB_BLOCK,
            abbrev(vec![Literal(2), Vbr(8), Array, Char6]),
        );
        s.define_blockinfo_abbrev(CONSTANTS_BLOCK, abbrev(vec![Literal(1), Fixed(type_bits)]));
        s.define_blockinfo_abbrev(CONSTANTS_BLOCK, abbrev(vec![Literal(4), Vbr(8)]));
        s.define_blockinfo_abbrev(
            CONSTANTS_BLOCK,
            abbrev(vec![Literal(11), Fixed(4), Fixed(type_bits), Vbr(8)]),
        );
        s.define_blockinfo_abbrev(CONSTANTS_BLOCK, abbrev(vec![Literal(2)]));
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![
                Literal(20),
                Vbr(6),
                Fixed(type_bits),
                Vbr(4),
                Fixed(1),
            ]),
        );
        s.define_blockinfo_abbrev(FUNCTION_BLOCK, abbrev(vec![Literal(56), Vbr(6), Fixed(4)]));
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![Literal(56), Vbr(6), Fixed(4), Fixed(8)]),
        );
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![Literal(2), Vbr(6), Vbr(6), Fixed(4)]),
        );
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![Literal(2), Vbr(6), Vbr(6), Fixed(4), Fixed(8)]),
        );
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![Literal(3), Vbr(6), Fixed(type_bits), Fixed(4)]),
        );
        s.define_blockinfo_abbrev(FUNCTION_BLOCK, abbrev(vec![Literal(10)]));
        s.define_blockinfo_abbrev(FUNCTION_BLOCK, abbrev(vec![Literal(10), Vbr(6)]));
        s.define_blockinfo_abbrev(FUNCTION_BLOCK, abbrev(vec![Literal(15)]));
        s.define_blockinfo_abbrev(
            FUNCTION_BLOCK,
            abbrev(vec![Literal(43), Fixed(1), Fixed(type_bits), Array, Vbr(6)]),
        );
        s.exit_block();
    }

    fn type_table(&mut self) -> Result<()> {
        use AbbrevOp::*;
        let bits = self.e.type_bits();
        self.s.enter_block(TYPE_BLOCK_NEW, 4);
        let ptr = self
            .s
            .define_abbrev(abbrev(vec![Literal(8), Fixed(bits), Literal(0)]));
        let _opaque_ptr = self.s.define_abbrev(abbrev(vec![Literal(25), Literal(0)]));
        let function =
            self.s
                .define_abbrev(abbrev(vec![Literal(21), Fixed(1), Array, Fixed(bits)]));
        let struct_anon =
            self.s
                .define_abbrev(abbrev(vec![Literal(18), Fixed(1), Array, Fixed(bits)]));
        let struct_name = self
            .s
            .define_abbrev(abbrev(vec![Literal(19), Array, Char6]));
        let struct_named =
            self.s
                .define_abbrev(abbrev(vec![Literal(20), Fixed(1), Array, Fixed(bits)]));
        let array = self
            .s
            .define_abbrev(abbrev(vec![Literal(11), Vbr(8), Fixed(bits)]));
        self.s.emit_record(1, &[self.e.types.len() as u64]);
        let p = self.p;
        let types = std::mem::take(&mut self.e.types);
        let result = self.type_records(
            p,
            &types,
            [ptr, function, struct_anon, struct_name, struct_named, array],
        );
        self.e.types = types;
        result?;
        self.s.exit_block();
        Ok(())
    }

    /// The type records of `type_table`, with its abbreviations.
    fn type_records(
        &mut self,
        p: &Prepared<'_>,
        types: &[TypeId],
        abbrevs: [u32; 6],
    ) -> Result<()> {
        let [ptr, function, struct_anon, struct_name, struct_named, array] = abbrevs;
        for &ty in types {
            let t = p.canon.ty(ty, "type table")?;
            let mut ops = Vec::new();
            let mut ab = UNABBREV_RECORD;
            let code = match &t {
                Type::Void => 2,
                Type::Half => 10,
                Type::BFloat => 23,
                Type::Float => 3,
                Type::Double => 4,
                Type::Label => 5,
                Type::Metadata => 16,
                Type::Token => 22,
                Type::Int(w) => {
                    ops.push(u64::from(*w));
                    7
                }
                Type::Pointer { pointee, addrspace } => {
                    ops.push(self.type_id(*pointee)?);
                    ops.push(u64::from(*addrspace));
                    if *addrspace == 0 {
                        ab = ptr;
                    }
                    8
                }
                Type::Function {
                    ret,
                    params,
                    varargs,
                } => {
                    ops.push(u64::from(*varargs));
                    ops.push(self.type_id(*ret)?);
                    for p in params {
                        ops.push(self.type_id(*p)?);
                    }
                    ab = function;
                    21
                }
                Type::Struct { fields, packed } => {
                    ops.push(u64::from(*packed));
                    for f in fields {
                        ops.push(self.type_id(*f)?);
                    }
                    ab = struct_anon;
                    18
                }
                Type::Named(name) => {
                    let body = self.p.canon.types.struct_body(ty).cloned();
                    let code = match body {
                        Some(StructBody::Fields { fields, packed }) => {
                            ops.push(u64::from(packed));
                            for f in &fields {
                                ops.push(self.type_id(*f)?);
                            }
                            ab = struct_named;
                            20
                        }
                        _ => {
                            // LLVM pushes the packed flag before it knows
                            // the struct is opaque.
                            ops.push(0);
                            6
                        }
                    };
                    if !name.is_empty() {
                        self.string_record(19, &chars_signed32(name.as_bytes()), struct_name);
                    }
                    code
                }
                Type::Array { len, elem } => {
                    ops.push(*len);
                    ops.push(self.type_id(*elem)?);
                    ab = array;
                    11
                }
                Type::Vector { len, elem } => {
                    ops.push(u64::from(*len));
                    ops.push(self.type_id(*elem)?);
                    12
                }
            };
            self.s.emit_record_with_abbrev(ab, code, &ops);
        }
        Ok(())
    }

    fn attribute_groups(&mut self) -> Result<()> {
        if self.e.attr_groups.is_empty() {
            return Ok(());
        }
        self.s.enter_block(PARAMATTR_GROUP_BLOCK, 3);
        let p = self.p;
        // One buffer for every group's record.
        let mut ops = Vec::new();
        for (i, &g) in self.e.attr_groups.iter().enumerate() {
            let (index, set) = p.attrs.groups[g as usize];
            let set = p.attrs.set(set);
            ops.clear();
            ops.extend([i as u64 + 1, u64::from(index)]);
            for a in set {
                match a {
                    Attribute::Enum(k) => ops.extend([0, u64::from(k.bitcode_kind())]),
                    Attribute::Int(k, v) => ops.extend([1, u64::from(k.bitcode_kind()), *v]),
                    Attribute::String { key, value } => {
                        ops.push(if value.is_empty() { 3 } else { 4 });
                        ops.extend(chars_signed64(key.as_bytes()));
                        ops.push(0);
                        if !value.is_empty() {
                            ops.extend(chars_signed64(value.as_bytes()));
                            ops.push(0);
                        }
                    }
                    Attribute::Type(k, ty) => match ty {
                        Some(ty) => {
                            ops.extend([6, u64::from(k.bitcode_kind()), self.type_id(*ty)?])
                        }
                        None => ops.extend([5, u64::from(k.bitcode_kind())]),
                    },
                }
            }
            self.s.emit_record(3, &ops);
        }
        self.s.exit_block();
        Ok(())
    }

    fn attribute_lists(&mut self) {
        if self.e.attr_lists.is_empty() {
            return;
        }
        self.s.enter_block(PARAMATTR_BLOCK, 3);
        let mut ops = Vec::new();
        for &list in &self.e.attr_lists {
            ops.clear();
            let groups = self.p.attrs.list_groups(list);
            ops.extend(groups.iter().map(|g| self.e.attr_group_id(*g)));
            self.s.emit_record(2, &ops);
        }
        self.s.exit_block();
    }

    /// An unabbreviated MODULE-block record of `s`'s characters (the
    /// triple, the datalayout), from a cache of recently encoded ones: a
    /// run of modules shares a handful of such strings, and encoding the
    /// datalayout's ~200 characters was 2% of a small module's encode.
    fn module_string_record(&mut self, code: u32, s: &str) {
        /// (code, string, encoded record), most recent last. A pure cache
        /// behind a lock, safe for concurrent encodes; a poisoned lock only
        /// means a thread panicked while holding it, and entries are
        /// pushed whole, so the contents are still consistent.
        static RECENT: Mutex<Vec<(u32, String, Bits)>> = Mutex::new(Vec::new());
        const KEEP: usize = 8;
        debug_assert_eq!(self.s.code_width(), 3, "not in the MODULE block");
        let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, bits)) = recent.iter().find(|(c, k, _)| *c == code && k == s) {
            self.s.emit_bits(bits);
            return;
        }
        let mut w = BitWriter::with_code_width(3);
        w.emit_record(code, &chars_signed32(s.as_bytes()));
        let bits = w.into_bits();
        self.s.emit_bits(&bits);
        if recent.len() >= KEEP {
            recent.remove(0);
        }
        recent.push((code, s.to_string(), bits));
    }

    fn module_info(&mut self) -> Result<()> {
        use AbbrevOp::*;
        let m = self.p.module;
        if let Some(t) = m.triple.as_deref().filter(|t| !t.is_empty()) {
            self.module_string_record(2, t);
        }
        if let Some(dl) = m.datalayout.as_deref().filter(|d| !d.is_empty()) {
            self.module_string_record(3, dl);
        }
        if !m.module_asm.is_empty() {
            let mut asm = String::new();
            for line in &m.module_asm {
                asm.push_str(line);
                if !asm.ends_with('\n') {
                    asm.push('\n');
                }
            }
            self.s.emit_record(4, &chars_signed32(asm.as_bytes()));
        }

        // Section names get ids in order of first use, globals first.
        let mut sections: Vec<String> = Vec::new();
        let mut max_align: u64 = 0;
        let mut max_global_type = 0u64;
        for g in &m.globals {
            max_align = max_align.max(encode_align(g.align, &g.name)?);
            max_global_type = max_global_type.max(self.type_id(g.value_ty)?);
            if let Some(sec) = &g.section {
                if !sections.contains(sec) {
                    self.s.emit_record(5, &chars_signed32(sec.as_bytes()));
                    sections.push(sec.clone());
                }
            }
        }
        for f in &m.functions {
            max_align = max_align.max(encode_align(f.align, &f.name)?);
            if let Some(sec) = &f.section {
                if !sections.contains(sec) {
                    self.s.emit_record(5, &chars_signed32(sec.as_bytes()));
                    sections.push(sec.clone());
                }
            }
        }
        let section_id = |s: &Option<String>| -> u64 {
            s.as_ref()
                .and_then(|s| sections.iter().position(|x| x == s))
                .map_or(0, |i| i as u64 + 1)
        };

        let mut simple_gvar = 0;
        if !m.globals.is_empty() {
            let mut ops = vec![
                Literal(7),
                Vbr(8),
                Vbr(8),
                Fixed(log2_ceil(max_global_type + 1)),
                Vbr(6),
                Vbr(6),
                Fixed(5),
            ];
            ops.push(if max_align == 0 {
                Literal(0)
            } else {
                Fixed(log2_ceil(max_align + 1))
            });
            ops.push(if sections.is_empty() {
                Literal(0)
            } else {
                Fixed(log2_ceil(sections.len() as u64 + 1))
            });
            simple_gvar = self.s.define_abbrev(abbrev(ops));
        }

        let name = self.p.source_filename.as_bytes();
        let elem = match string_encoding(name) {
            StringEncoding::Char6 => Char6,
            StringEncoding::Fixed7 => Fixed(7),
            StringEncoding::Fixed8 => Fixed(8),
        };
        let filename = self.s.define_abbrev(abbrev(vec![Literal(16), Array, elem]));
        self.s
            .emit_record_with_abbrev(filename, 16, &chars_unsigned(name));

        for g in &m.globals {
            let name = ir_name(&g.name);
            let mut ops = vec![
                self.strtab.add(name.as_bytes()),
                name.len() as u64,
                self.type_id(g.value_ty)?,
                u64::from(g.addrspace) << 2 | 2 | u64::from(g.is_constant),
                match g.initializer {
                    Some(init) => {
                        let c = self.p.konst(init)?;
                        self.value_id(const_val(self.p, c))? + 1
                    }
                    None => 0,
                },
                u64::from(g.linkage.bitcode()),
                encode_align(g.align, &g.name)?,
                section_id(&g.section),
            ];
            let dso_local = effective_dso_local(g.dso_local, g.linkage, g.visibility.bitcode());
            let visibility = if is_local(g.linkage) {
                0
            } else {
                g.visibility.bitcode()
            };
            let long = g.thread_local.bitcode() != 0
                || visibility != 0
                || g.unnamed_addr.bitcode() != 0
                || g.externally_initialized
                || dso_local;
            let ab = if long {
                ops.extend([
                    u64::from(visibility),
                    u64::from(g.thread_local.bitcode()),
                    u64::from(g.unnamed_addr.bitcode()),
                    u64::from(g.externally_initialized),
                    0,
                    0,
                    0,
                    u64::from(dso_local),
                    self.strtab.add(b""),
                    0,
                ]);
                UNABBREV_RECORD
            } else {
                simple_gvar
            };
            self.s.emit_record_with_abbrev(ab, 7, &ops);
        }

        for (fi, f) in m.functions.iter().enumerate() {
            let dso_local = effective_dso_local(f.dso_local, f.linkage, f.visibility.bitcode());
            let visibility = if is_local(f.linkage) {
                0
            } else {
                f.visibility.bitcode()
            };
            let name = ir_name(&f.name);
            let ops = vec![
                self.strtab.add(name.as_bytes()),
                name.len() as u64,
                self.type_id(f.ty)?,
                u64::from(f.cc.0),
                u64::from(f.is_declaration()),
                u64::from(f.linkage.bitcode()),
                self.e.attr_list_id(self.p.funcs[fi].attrs),
                encode_align(f.align, &f.name)?,
                section_id(&f.section),
                u64::from(visibility),
                0,
                u64::from(f.unnamed_addr.bitcode()),
                0,
                0,
                0,
                0,
                0,
                u64::from(dso_local),
                0,
                self.strtab.add(b""),
                0,
            ];
            self.s.emit_record(8, &ops);
        }

        // VSTOFFSET placeholder, back-patched once the module VST is written.
        let vst = self.s.define_abbrev(abbrev(vec![Literal(13), Fixed(32)]));
        self.s.emit_record_with_abbrev(vst, 13, &[0]);
        self.vst_offset_placeholder = self.s.bit_position() - 32;
        Ok(())
    }

    fn module_constants(&mut self) -> Result<()> {
        let first = self
            .e
            .values
            .iter()
            .position(|(v, _)| !matches!(v, Val::Global(_) | Val::Func(_)));
        if let Some(first) = first {
            self.write_constants(first, self.e.values.len(), true)?;
        }
        Ok(())
    }

    fn write_constants(&mut self, first: usize, last: usize, global: bool) -> Result<()> {
        use AbbrevOp::*;
        if first == last {
            return Ok(());
        }
        self.s.enter_block(CONSTANTS_BLOCK, 4);
        let (mut aggregate, mut string8, mut cstring7, mut cstring6) = (0, 0, 0, 0);
        if global {
            aggregate = self.s.define_abbrev(abbrev(vec![
                Literal(7),
                Array,
                Fixed(log2_ceil(last as u64 + 1)),
            ]));
            string8 = self
                .s
                .define_abbrev(abbrev(vec![Literal(8), Array, Fixed(8)]));
            cstring7 = self
                .s
                .define_abbrev(abbrev(vec![Literal(9), Array, Fixed(7)]));
            cstring6 = self.s.define_abbrev(abbrev(vec![Literal(9), Array, Char6]));
        }
        let mut last_ty: Option<TypeId> = None;
        // One record buffer for the block (a Vec per constant showed up on
        // modules with many constants); put back when done.
        let mut ops = std::mem::take(&mut self.rec);
        for i in first..last {
            ops.clear();
            let Val::Const(c) = self.e.values[i].0 else {
                return Err(EncodeError::invalid(
                    "constants block",
                    "internal: a non-constant in the constant range",
                ));
            };
            let p = self.p;
            let cc = p.canon.get(c);
            if last_ty != Some(cc.ty) {
                last_ty = Some(cc.ty);
                let t = self.type_id(cc.ty)?;
                self.s.emit_record_with_abbrev(CONSTANTS_SETTYPE, 1, &[t]);
            }
            let mut ab = UNABBREV_RECORD;
            let code = if self.p.canon.is_null(c) {
                2
            } else {
                match &cc.kind {
                    CKind::Poison => 26,
                    CKind::Undef => 3,
                    CKind::Int(v) => {
                        let width = self.p.canon.types.int_width(cc.ty).unwrap_or(64).max(1);
                        if width <= 64 {
                            let raw = v.low_u64();
                            let sext = if width < 64 && (raw >> (width - 1)) & 1 == 1 {
                                raw | (u64::MAX << width)
                            } else {
                                raw
                            };
                            ops.push(signed_vbr(sext));
                            ab = CONSTANTS_INTEGER;
                            4
                        } else {
                            let words = v.words();
                            let active = words.iter().rposition(|w| *w != 0).map_or(1, |i| i + 1);
                            for w in &words[..active] {
                                ops.push(signed_vbr(*w));
                            }
                            5
                        }
                    }
                    CKind::Float(bits) => {
                        ops.push(*bits);
                        6
                    }
                    CKind::Data(elems) => {
                        let elem_ty = match self.p.canon.ty(cc.ty, "constant")? {
                            Type::Array { elem, .. } | Type::Vector { elem, .. } => *elem,
                            _ => cc.ty,
                        };
                        let is_string = self.p.canon.types.int_width(elem_ty) == Some(8)
                            && matches!(self.p.canon.ty(cc.ty, "constant")?, Type::Array { .. });
                        if is_string {
                            let is_cstring =
                                elems.last() == Some(&0) && !elems[..elems.len() - 1].contains(&0);
                            if is_cstring {
                                let body = &elems[..elems.len() - 1];
                                ops.extend_from_slice(body);
                                if body.iter().all(|c| is_char6(*c)) {
                                    ab = cstring6;
                                } else if body.iter().all(|c| *c < 128) {
                                    ab = cstring7;
                                }
                                if ab == 0 {
                                    ab = UNABBREV_RECORD;
                                }
                                9
                            } else {
                                ops.extend_from_slice(elems);
                                ab = if string8 == 0 {
                                    UNABBREV_RECORD
                                } else {
                                    string8
                                };
                                8
                            }
                        } else {
                            ops.extend_from_slice(elems);
                            22
                        }
                    }
                    CKind::Aggregate(elems) => {
                        for el in elems {
                            ops.push(self.value_id(const_val(self.p, *el))?);
                        }
                        if aggregate != 0 {
                            ab = aggregate;
                        }
                        7
                    }
                    CKind::Expr(expr) => self.const_expr(c, expr, &mut ops, &mut ab)?,
                    CKind::Global(_) | CKind::Function(_) | CKind::Null | CKind::AggZero => {
                        return Err(EncodeError::invalid(
                            "constants block",
                            "internal: unexpected constant kind",
                        ))
                    }
                }
            };
            self.s.emit_record_with_abbrev(ab, code, &ops);
        }
        self.rec = ops;
        self.s.exit_block();
        Ok(())
    }

    fn cval_id(&self, c: CId) -> Result<u64> {
        self.value_id(const_val(self.p, c))
    }

    fn ctype_id(&self, c: CId) -> Result<u64> {
        let ty = match const_val(self.p, c) {
            Val::Global(g) => self.p.global_ptr_types[g as usize],
            Val::Func(f) => self.p.function_ptr_types[f as usize],
            _ => self.p.canon.get(c).ty,
        };
        self.type_id(ty)
    }

    fn const_expr(&self, c: CId, expr: &CExpr, ops: &mut Vec<u64>, ab: &mut u32) -> Result<u32> {
        Ok(match expr {
            CExpr::Cast { op, value } => {
                ops.extend([
                    u64::from(*op),
                    self.ctype_id(*value)?,
                    self.cval_id(*value)?,
                ]);
                *ab = CONSTANTS_CE_CAST;
                11
            }
            CExpr::Binary {
                op,
                lhs,
                rhs,
                flags,
            } => {
                ops.extend([u64::from(*op), self.cval_id(*lhs)?, self.cval_id(*rhs)?]);
                if *flags != 0 {
                    ops.push(*flags);
                }
                10
            }
            CExpr::FNeg(v) => {
                ops.extend([0, self.cval_id(*v)?]);
                25
            }
            CExpr::Gep {
                source,
                operands,
                inbounds,
                inrange,
            } => {
                ops.push(self.type_id(*source)?);
                let code = match inrange {
                    Some(i) => {
                        ops.push(u64::from(*i) << 1 | u64::from(*inbounds));
                        24
                    }
                    None if *inbounds => 20,
                    None => 12,
                };
                for o in operands {
                    ops.push(self.ctype_id(*o)?);
                    ops.push(self.cval_id(*o)?);
                }
                code
            }
            CExpr::Select(a, b, cnd) => {
                ops.extend([self.cval_id(*a)?, self.cval_id(*b)?, self.cval_id(*cnd)?]);
                13
            }
            CExpr::ExtractElement(v, i) => {
                ops.extend([
                    self.ctype_id(*v)?,
                    self.cval_id(*v)?,
                    self.ctype_id(*i)?,
                    self.cval_id(*i)?,
                ]);
                14
            }
            CExpr::InsertElement(v, el, i) => {
                ops.extend([
                    self.cval_id(*v)?,
                    self.cval_id(*el)?,
                    self.ctype_id(*i)?,
                    self.cval_id(*i)?,
                ]);
                15
            }
            CExpr::Shuffle { a, b, mask } => {
                let same = self.p.canon.get(c).ty == self.p.canon.get(*a).ty;
                if !same {
                    ops.push(self.ctype_id(*a)?);
                }
                ops.extend([self.cval_id(*a)?, self.cval_id(*b)?, self.cval_id(*mask)?]);
                if same {
                    16
                } else {
                    19
                }
            }
            CExpr::Cmp { pred, lhs, rhs } => {
                ops.extend([
                    self.ctype_id(*lhs)?,
                    self.cval_id(*lhs)?,
                    self.cval_id(*rhs)?,
                    u64::from(*pred),
                ]);
                17
            }
        })
    }

    fn metadata_kinds(&mut self) {
        self.s.enter_block(METADATA_KIND_BLOCK, 3);
        let fixed = FixedRecords::of(self.p.flavour);
        let kinds = &self.p.md_kinds;
        // `Prepared` starts the list with the fixed kinds, so the template
        // holds exactly the first `md_kinds` records.
        debug_assert!(
            kinds.len() >= fixed.md_kinds && kinds[..fixed.md_kinds] == fixed.md_kind_names[..]
        );
        self.s.emit_bits(&fixed.md_kind_records);
        for (i, name) in kinds.iter().enumerate().skip(fixed.md_kinds) {
            let mut ops = vec![i as u64];
            ops.extend(chars_signed64(name.as_bytes()));
            self.s.emit_record(6, &ops);
        }
        self.s.exit_block();
    }

    fn metadata_strings(&mut self, strings: &[MdId]) {
        if strings.is_empty() {
            return;
        }
        let mut lengths = BitWriter::new();
        let mut chars = Vec::new();
        for md in strings {
            if let Md::String(s) = self.p.md.get(*md) {
                lengths.emit_vbr(s.len() as u64, 6);
                chars.extend_from_slice(s);
            }
        }
        let mut blob = lengths.finish();
        let offset = blob.len() as u64;
        blob.extend_from_slice(&chars);
        let ab = self.s.define_abbrev(abbrev(vec![
            AbbrevOp::Literal(35),
            AbbrevOp::Vbr(6),
            AbbrevOp::Vbr(6),
            AbbrevOp::Blob,
        ]));
        self.s
            .emit_record_with_blob(ab, 35, &[strings.len() as u64, offset], &blob);
    }

    fn metadata_record(&mut self, md: MdId) -> Result<()> {
        match self.p.md.get(md) {
            Md::String(_) => Err(EncodeError::invalid(
                "metadata",
                "internal: a string among the records",
            )),
            Md::Const(c) => {
                let ops = [self.ctype_id(*c)?, self.cval_id(*c)?];
                self.s.emit_record(2, &ops);
                Ok(())
            }
            Md::Local { value, .. } => {
                let v = match value {
                    LocalValue::Arg(a) => Val::Arg(*a),
                    LocalValue::Inst(i) => Val::Inst(*i),
                };
                let ops = [self.type_id(self.e.type_of(self.p, v)?)?, self.value_id(v)?];
                self.s.emit_record(2, &ops);
                Ok(())
            }
            Md::Node {
                operands, distinct, ..
            } => {
                // The writer's record buffer: a Vec per node showed up on
                // small modules, whose metadata is most of their records.
                let mut ops = std::mem::take(&mut self.rec);
                ops.clear();
                for o in operands {
                    ops.push(self.e.md_or_null_id(*o)?);
                }
                self.s.emit_record(if *distinct { 5 } else { 3 }, &ops);
                self.rec = ops;
                Ok(())
            }
        }
    }

    fn module_metadata(&mut self) -> Result<()> {
        use AbbrevOp::*;
        if self.e.mds.is_empty() && self.p.named.is_empty() {
            return Ok(());
        }
        self.s.enter_block(METADATA_BLOCK, 4);
        // DILocation and GenericDINode abbreviations are always defined.
        self.s.define_abbrev(abbrev(vec![
            Literal(7),
            Fixed(1),
            Vbr(6),
            Vbr(8),
            Vbr(6),
            Vbr(6),
            Fixed(1),
        ]));
        self.s.define_abbrev(abbrev(vec![
            Literal(12),
            Fixed(1),
            Vbr(6),
            Fixed(1),
            Vbr(6),
            Array,
            Vbr(6),
        ]));
        let offset_abbrev = self
            .s
            .define_abbrev(abbrev(vec![Literal(38), Fixed(32), Fixed(32)]));
        let index_abbrev = self
            .s
            .define_abbrev(abbrev(vec![Literal(39), Array, Vbr(6)]));
        let strings: Vec<MdId> = self.e.mds[..self.e.num_md_strings].to_vec();
        let records: Vec<MdId> = self.e.mds[self.e.num_md_strings..].to_vec();
        self.metadata_strings(&strings);
        let with_index = records.len() > METADATA_INDEX_THRESHOLD;
        if with_index {
            self.s.emit_record_with_abbrev(offset_abbrev, 38, &[0, 0]);
        }
        let index_base = self.s.bit_position();
        let mut positions = Vec::with_capacity(records.len());
        for md in &records {
            positions.push(self.s.bit_position());
            self.metadata_record(*md)?;
        }
        if with_index {
            let delta = self.s.bit_position() - index_base;
            self.s.backpatch_word_at_bit(index_base - 64, delta as u32);
            self.s
                .backpatch_word_at_bit(index_base - 32, (delta >> 32) as u32);
            let mut prev = index_base;
            let deltas: Vec<u64> = positions
                .iter()
                .map(|p| {
                    let d = p - prev;
                    prev = *p;
                    d
                })
                .collect();
            self.s.emit_record_with_abbrev(index_abbrev, 39, &deltas);
        }
        if !self.p.named.is_empty() {
            let name_abbrev = self
                .s
                .define_abbrev(abbrev(vec![Literal(4), Array, Fixed(8)]));
            for (name, ops) in &self.p.named {
                self.s
                    .emit_record_with_abbrev(name_abbrev, 4, &chars_unsigned(name.as_bytes()));
                let mut ids = Vec::with_capacity(ops.len());
                for md in ops {
                    ids.push(u64::from(self.e.md_id(*md)?));
                }
                self.s.emit_record(10, &ids);
            }
        }
        let m = self.p.module;
        for (fi, f) in m.functions.iter().enumerate() {
            let list = &self.p.funcs[fi].attachments;
            if f.is_declaration() && !list.is_empty() {
                let mut ops = vec![self.value_id(Val::Func(fi as u32))?];
                for (k, md) in list {
                    ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                }
                self.s.emit_record(36, &ops);
            }
        }
        for (gi, list) in self.p.global_attachments.iter().enumerate() {
            if !list.is_empty() {
                let mut ops = vec![self.value_id(Val::Global(gi as u32))?];
                for (k, md) in list {
                    ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                }
                self.s.emit_record(36, &ops);
            }
        }
        self.s.exit_block();
        Ok(())
    }

    fn bundle_tags(&mut self) {
        self.s.enter_block(OPERAND_BUNDLE_TAGS_BLOCK, 3);
        self.s
            .emit_bits(&FixedRecords::of(self.p.flavour).bundle_tag_records);
        self.s.exit_block();
    }

    fn sync_scopes(&mut self) {
        self.s.enter_block(SYNC_SCOPE_NAMES_BLOCK, 2);
        let scopes = &self.p.sync_scopes;
        // `Prepared` always starts with LLVM's two fixed scopes.
        debug_assert!(scopes.len() >= 2 && scopes[..2] == FIXED_SYNC_SCOPES);
        self.s
            .emit_bits(&FixedRecords::of(self.p.flavour).sync_scope_records);
        let mut ops = Vec::new();
        for name in &scopes[FIXED_SYNC_SCOPES.len()..] {
            ops.clear();
            ops.extend(chars_signed64(name.as_bytes()));
            self.s.emit_record(1, &ops);
        }
        self.s.exit_block();
    }

    fn sync_scope_id(&self, scope: &str) -> u64 {
        self.p
            .sync_scopes
            .iter()
            .position(|s| *s == scope)
            .map_or(1, |i| i as u64)
    }

    fn function(&mut self, fi: u32) -> Result<()> {
        let p = self.p;
        let f = &p.module.functions[fi as usize];
        let info = &p.funcs[fi as usize];
        self.fn_offsets.push((fi, self.s.bit_position()));
        self.s.enter_block(FUNCTION_BLOCK, 4);
        self.e.incorporate_function(p, fi)?;
        self.s.emit_record(1, &[f.blocks.len() as u64]);
        let (cst_start, cst_end) = (self.e.first_func_constant, self.e.first_inst_id);
        self.write_constants(cst_start, cst_end, false)?;
        if self.e.has_function_mds() {
            self.s.enter_block(METADATA_BLOCK, 3);
            let start = self.e.num_module_mds;
            let strings: Vec<MdId> = self.e.mds[start..start + self.e.num_md_strings].to_vec();
            let records: Vec<MdId> = self.e.mds[start + self.e.num_md_strings..].to_vec();
            self.metadata_strings(&strings);
            for md in records {
                self.metadata_record(md)?;
            }
            self.s.exit_block();
        }
        let mut inst_id = cst_end as u32;
        let mut needs_attachment = !info.attachments.is_empty();
        for (k, &(_, iid)) in info.insts.iter().enumerate() {
            self.instruction(fi, k, iid, inst_id)?;
            if !p.is_void(f.insts[iid.0 as usize].ty) {
                inst_id += 1;
            }
            needs_attachment |= info.inst_attachments.contains_key(&iid.0);
        }
        // The operand lists are done with; the symbol table written next is
        // the peak of a large function, so they go first.
        self.e.release_operands(fi);
        self.function_vst(fi)?;
        if needs_attachment {
            self.s.enter_block(METADATA_ATTACHMENT_BLOCK, 3);
            if !info.attachments.is_empty() {
                let mut ops = Vec::new();
                for (k, md) in &info.attachments {
                    ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                }
                self.s.emit_record(11, &ops);
            }
            // Instructions are numbered by their position in the function.
            for (count, &(_, iid)) in info.insts.iter().enumerate() {
                if let Some(list) = info.inst_attachments.get(&iid.0) {
                    let mut ops = vec![count as u64];
                    for (k, md) in list {
                        ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                    }
                    self.s.emit_record(11, &ops);
                }
            }
            self.s.exit_block();
        }
        self.e.purge_function();
        self.s.exit_block();
        Ok(())
    }

    fn function_vst(&mut self, fi: u32) -> Result<()> {
        let p = self.p;
        let f = &p.module.functions[fi as usize];
        // (is block, id, name), inserted in the order LLParser names values:
        // the arguments with the header, then each block when the text first
        // mentions it (its label, or an earlier branch or phi naming it),
        // then each instruction once its operands are parsed. The file
        // order is the resulting StringMap's bucket order.
        // Values are (is block, id): the name is the key.
        let mut map: StringMapOrder<(bool, u32)> = StringMapOrder::default();
        let full = || EncodeError::invalid(format!("function @{}", f.name), "too many names");
        for (i, param) in f.params.iter().enumerate() {
            if let Some(name) = param.name.as_deref() {
                let id = self.e.value_id(Val::Arg(i as u32))?;
                map.insert(name.as_bytes(), (false, id)).ok_or_else(full)?;
            }
        }
        let mention_block = |map: &mut StringMapOrder<'m, (bool, u32)>, b: BlockId| -> Result<()> {
            let block = f.blocks.get(b.0 as usize).ok_or_else(|| {
                EncodeError::bad_id("block", b.0, format!("function @{}", f.name))
            })?;
            if let Some(name) = block.name.as_deref() {
                map.insert(name.as_bytes(), (true, b.0)).ok_or_else(full)?;
            }
            Ok(())
        };
        for (b, block) in f.blocks.iter().enumerate() {
            mention_block(&mut map, BlockId(b as u32))?;
            for iid in &block.insts {
                let inst = f.insts.get(iid.0 as usize).ok_or_else(|| {
                    EncodeError::bad_id("instruction", iid.0, format!("function @{}", f.name))
                })?;
                for target in block_references(&inst.kind) {
                    mention_block(&mut map, target)?;
                }
                // Instructions `StripDebugInfo` deleted are void calls: they
                // have neither a name nor a block operand.
                if let (Some(name), false) = (inst.name.as_deref(), p.is_void(inst.ty)) {
                    let id = self.e.value_id(Val::Inst(iid.0))?;
                    map.insert(name.as_bytes(), (false, id)).ok_or_else(full)?;
                }
            }
        }
        if map.is_empty() {
            return Ok(());
        }
        self.s.enter_block(VALUE_SYMTAB_BLOCK, 4);
        // One record buffer for all entries (two allocations per named
        // value showed up on large functions).
        let mut ops = std::mem::take(&mut self.rec);
        for (name, &(is_block, id)) in map.ordered() {
            let enc = string_encoding(name);
            ops.clear();
            ops.push(u64::from(id));
            ops.extend(name.iter().map(|&b| u64::from(b)));
            let (code, ab) = if is_block {
                (
                    2,
                    if enc == StringEncoding::Char6 {
                        VST_BBENTRY_6
                    } else {
                        VST_ENTRY_8
                    },
                )
            } else {
                (
                    1,
                    match enc {
                        StringEncoding::Char6 => VST_ENTRY_6,
                        StringEncoding::Fixed7 => VST_ENTRY_7,
                        StringEncoding::Fixed8 => VST_ENTRY_8,
                    },
                )
            };
            self.s.emit_record_with_abbrev(ab, code, &ops);
        }
        self.rec = ops;
        self.s.exit_block();
        Ok(())
    }

    fn module_vst(&mut self) -> Result<()> {
        let pos = self.s.bit_position();
        // Word offset from the `BC` magic (LLVM counts from one word before
        // the identification block, which is the magic word).
        self.s
            .backpatch_word_at_bit(self.vst_offset_placeholder, (pos / 32) as u32);
        self.s.enter_block(VALUE_SYMTAB_BLOCK, 4);
        let fnentry = self.s.define_abbrev(abbrev(vec![
            AbbrevOp::Literal(3),
            AbbrevOp::Vbr(8),
            AbbrevOp::Vbr(8),
        ]));
        for (fi, offset) in self.fn_offsets.clone() {
            let ops = [self.value_id(Val::Func(fi))?, offset / 32];
            self.s.emit_record_with_abbrev(fnentry, 3, &ops);
        }
        self.s.exit_block();
        Ok(())
    }

    /// `BitcodeWriter::writeBlob`: a block holding one blob record (code 1)
    /// through a block-local abbreviation.
    fn write_blob(&mut self, block: u32, blob: &[u8]) {
        self.s.enter_block(block, 3);
        let ab = self
            .s
            .define_abbrev(abbrev(vec![AbbrevOp::Literal(1), AbbrevOp::Blob]));
        self.s.emit_record_with_blob(ab, 1, &[], blob);
        self.s.exit_block();
    }

    // ---- instructions -------------------------------------------------

    /// The absolute id and type of an operand (metadata operands number as
    /// their metadata id, as in LLVM's `getValueID(MetadataAsValue)`).
    fn operand_id_type(&self, op: Operand) -> Result<(u32, TypeId)> {
        match op {
            Operand::Value(v) => Ok((self.e.value_id(v)?, self.e.type_of(self.p, v)?)),
            Operand::Metadata(md) => Ok((self.e.md_id(md)?, self.p.metadata_type)),
            Operand::Label => Err(EncodeError::invalid(
                "instruction",
                "internal: label operand",
            )),
        }
    }

    /// The absolute id of an operand, without its type: most operands are
    /// backward references whose type the record does not carry, and
    /// looking the type up anyway was a large share of record building.
    fn operand_id(&self, op: Operand) -> Result<u32> {
        match op {
            Operand::Value(v) => self.e.value_id(v),
            Operand::Metadata(md) => self.e.md_id(md),
            Operand::Label => Err(EncodeError::invalid(
                "instruction",
                "internal: label operand",
            )),
        }
    }

    /// `pushValueAndType`: relative id, plus the type for forward references.
    fn push_vt(&self, ops: &mut Vec<u64>, op: Operand, inst_id: u32) -> Result<bool> {
        let id = self.operand_id(op)?;
        ops.push(u64::from(inst_id.wrapping_sub(id)));
        if id >= inst_id {
            let (_, ty) = self.operand_id_type(op)?;
            ops.push(self.type_id(ty)?);
            return Ok(true);
        }
        Ok(false)
    }

    /// `pushValue`: relative id only.
    fn push_v(&self, ops: &mut Vec<u64>, op: Operand, inst_id: u32) -> Result<()> {
        let id = self.operand_id(op)?;
        ops.push(u64::from(inst_id.wrapping_sub(id)));
        Ok(())
    }

    /// Writes the `k`-th instruction of function `fi` (`iid`).
    fn instruction(&mut self, fi: u32, k: usize, iid: InstId, inst_id: u32) -> Result<()> {
        let mut model_ops = std::mem::take(&mut self.vals);
        let mut ops = std::mem::take(&mut self.rec);
        ops.clear();
        let kind = &self.p.module.functions[fi as usize].insts[iid.0 as usize].kind;
        let result = self
            .e
            .model_operands_of(fi, k, kind, &mut model_ops)
            .and_then(|()| {
                // Tests run unoptimised: there the recovered list is
                // checked against one built from the model.
                if cfg!(debug_assertions) {
                    let mut built = Vec::new();
                    crate::enumerate::model_operands(self.p, fi, iid, &mut built)?;
                    debug_assert_eq!(built, model_ops, "operands of instruction {}", iid.0);
                }
                self.instruction_record(fi, iid, inst_id, &model_ops, &mut ops)
            });
        self.vals = model_ops;
        self.rec = ops;
        result
    }

    /// Builds the record of one instruction in `ops` and emits it.
    fn instruction_record(
        &mut self,
        fi: u32,
        iid: InstId,
        inst_id: u32,
        model_ops: &[Operand],
        ops: &mut Vec<u64>,
    ) -> Result<()> {
        let p = self.p;
        let f = &p.module.functions[fi as usize];
        let info = &p.funcs[fi as usize];
        let inst = &f.insts[iid.0 as usize];
        // Rendered only on error: formatting it for every instruction
        // was 5% of encoding time.
        let context = InstContext(&f.name, iid.0);
        let op = |pos: usize| -> Result<Operand> {
            model_ops
                .get(pos)
                .copied()
                .ok_or_else(|| EncodeError::invalid(context.to_string(), "missing operand"))
        };
        let mut ab = UNABBREV_RECORD;
        let fmf = fmf_bits(inst.flags);
        let code = match &inst.kind {
            InstKind::Binary { op: opcode, .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(bitcode_op(*opcode, &context)?));
                let flags = if p.canon.types.is_float_or_float_vector(inst.ty) {
                    fmf
                } else {
                    int_flags(*opcode, inst.flags)
                };
                if !fwd {
                    ab = FUNCTION_INST_BINOP;
                }
                if flags != 0 {
                    if !fwd {
                        ab = FUNCTION_INST_BINOP_FLAGS;
                    }
                    ops.push(flags);
                }
                2
            }
            InstKind::FNeg { .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                ops.push(0);
                if !fwd {
                    ab = FUNCTION_INST_UNOP;
                }
                if fmf != 0 {
                    if !fwd {
                        ab = FUNCTION_INST_UNOP_FLAGS;
                    }
                    ops.push(fmf);
                }
                56
            }
            InstKind::Cast { op: opcode, .. } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                ops.push(self.type_id(inst.ty)?);
                ops.push(u64::from(bitcode_op(*opcode, &context)?));
                if !fwd {
                    ab = FUNCTION_INST_CAST;
                }
                3
            }
            InstKind::ICmp { pred, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(pred.bitcode()));
                28
            }
            InstKind::FCmp { pred, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                ops.push(u64::from(pred.bitcode()));
                if fmf != 0 {
                    ops.push(fmf);
                }
                28
            }
            InstKind::Select { .. } => {
                // Operand order in the model: cond, true, false.
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_v(ops, op(2)?, inst_id)?;
                self.push_vt(ops, op(0)?, inst_id)?;
                if fmf != 0 && p.canon.types.is_float_or_float_vector(inst.ty) {
                    ops.push(fmf);
                }
                29
            }
            InstKind::Phi { incoming } => {
                ops.push(self.type_id(inst.ty)?);
                for (pos, (_, block)) in incoming.iter().enumerate() {
                    let id = self.operand_id(op(pos)?)?;
                    let diff = i64::from(inst_id as i32) - i64::from(id as i32);
                    ops.push(signed_vbr(diff as u64));
                    ops.push(u64::from(block.0));
                }
                if fmf != 0 && p.canon.types.is_float_or_float_vector(inst.ty) {
                    ops.push(fmf);
                }
                16
            }
            InstKind::Alloca {
                allocated,
                count,
                align,
            } => {
                let count_op = match count {
                    Some(_) => op(0)?,
                    None => Operand::Value(Val::Const(info.alloca_one.ok_or_else(|| {
                        EncodeError::invalid(
                            context.to_string(),
                            "internal: no implicit alloca size",
                        )
                    })?)),
                };
                let (count_id, count_ty) = self.operand_id_type(count_op)?;
                let align = match align {
                    Some(a) => Some(*a),
                    None => Some(self.layout.align(&p.canon.types, *allocated, true)),
                };
                let enc = encode_align(align, &context)?;
                let packed = (enc & 31) | (1 << 6) | ((enc >> 5) << 8);
                ops.extend([
                    self.type_id(*allocated)?,
                    self.type_id(count_ty)?,
                    u64::from(count_id),
                    packed,
                ]);
                19
            }
            InstKind::Load {
                align,
                volatile,
                atomic,
                ..
            } => {
                let fwd = self.push_vt(ops, op(0)?, inst_id)?;
                let align =
                    align.unwrap_or_else(|| self.layout.align(&p.canon.types, inst.ty, false));
                ops.extend([
                    self.type_id(inst.ty)?,
                    encode_align(Some(align), &context)?,
                    u64::from(*volatile),
                ]);
                match atomic {
                    Some(a) => {
                        ops.extend([
                            u64::from(a.ordering.bitcode()),
                            self.sync_scope_id(&a.scope),
                        ]);
                        41
                    }
                    None => {
                        if !fwd {
                            ab = FUNCTION_INST_LOAD;
                        }
                        20
                    }
                }
            }
            InstKind::Store {
                align,
                volatile,
                atomic,
                value,
                ..
            } => {
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_vt(ops, op(0)?, inst_id)?;
                let vty = p.module.value_type(Some(f), *value).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "store of an unknown value")
                })?;
                let align = align.unwrap_or_else(|| self.layout.align(&p.canon.types, vty, false));
                ops.extend([encode_align(Some(align), &context)?, u64::from(*volatile)]);
                match atomic {
                    Some(a) => {
                        ops.extend([
                            u64::from(a.ordering.bitcode()),
                            self.sync_scope_id(&a.scope),
                        ]);
                        45
                    }
                    None => 44,
                }
            }
            InstKind::GetElementPtr {
                source,
                indices,
                inbounds,
                ..
            } => {
                ab = FUNCTION_INST_GEP;
                ops.push(u64::from(*inbounds));
                ops.push(self.type_id(*source)?);
                for pos in 0..=indices.len() {
                    self.push_vt(ops, op(pos)?, inst_id)?;
                }
                43
            }
            InstKind::ExtractElement { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                6
            }
            InstKind::InsertElement { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                self.push_vt(ops, op(2)?, inst_id)?;
                7
            }
            InstKind::ShuffleVector { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_v(ops, op(1)?, inst_id)?;
                let mask = info.shuffle_masks.get(&iid.0).copied().ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "internal: no shuffle mask")
                })?;
                self.push_v(ops, Operand::Value(const_val(p, mask)), inst_id)?;
                8
            }
            InstKind::ExtractValue { indices, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                ops.extend(indices.iter().map(|i| u64::from(*i)));
                26
            }
            InstKind::InsertValue { indices, .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                ops.extend(indices.iter().map(|i| u64::from(*i)));
                27
            }
            InstKind::Call(call) => {
                ops.push(self.e.attr_list_id(info.call_attrs.get(&iid.0).copied()));
                let fmf = if p.canon.types.is_float_or_float_vector(inst.ty) {
                    fmf
                } else {
                    0
                };
                let tail = matches!(call.tail, TailKind::Tail | TailKind::MustTail);
                let cc = u64::from(call.cc.0) << 1
                    | u64::from(tail)
                    | u64::from(call.tail == TailKind::MustTail) << 14
                    | 1 << 15
                    | u64::from(call.tail == TailKind::NoTail) << 16
                    | u64::from(fmf != 0) << 17;
                ops.push(cc);
                if fmf != 0 {
                    ops.push(fmf);
                }
                ops.push(self.type_id(call.fn_ty)?);
                self.push_vt(ops, op(0)?, inst_id)?;
                let (_, params, _) = p.canon.types.function_parts(call.fn_ty).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "callee type is not a function type")
                })?;
                for i in 0..call.args.len() {
                    let a = op(i + 1)?;
                    match params.get(i) {
                        // Label parameters (asm labels) are absolute ids.
                        Some(pty) if matches!(p.canon.types.try_get(*pty), Some(Type::Label)) => {
                            ops.push(u64::from(self.operand_id(a)?));
                        }
                        Some(_) => self.push_v(ops, a, inst_id)?,
                        // Variadic arguments carry their type.
                        None => {
                            self.push_vt(ops, a, inst_id)?;
                        }
                    }
                }
                34
            }
            InstKind::Br { dest } => {
                ops.push(u64::from(dest.0));
                11
            }
            InstKind::CondBr {
                if_true, if_false, ..
            } => {
                ops.extend([u64::from(if_true.0), u64::from(if_false.0)]);
                self.push_v(ops, op(0)?, inst_id)?;
                11
            }
            InstKind::Switch {
                default,
                cases,
                cond,
            } => {
                let cty = p.module.value_type(Some(f), *cond).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "switch on an unknown value")
                })?;
                ops.push(self.type_id(cty)?);
                self.push_v(ops, op(0)?, inst_id)?;
                ops.push(u64::from(default.0));
                for (c, b) in cases {
                    let c = p.konst(*c)?;
                    ops.push(self.cval_id(c)?);
                    ops.push(u64::from(b.0));
                }
                12
            }
            InstKind::Ret { value } => {
                match value {
                    None => ab = FUNCTION_INST_RET_VOID,
                    Some(_) => {
                        if !self.push_vt(ops, op(0)?, inst_id)? {
                            ab = FUNCTION_INST_RET_VAL;
                        }
                    }
                }
                10
            }
            InstKind::Unreachable => {
                ab = FUNCTION_INST_UNREACHABLE;
                15
            }
            InstKind::AtomicRmw(rmw) => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                let vty = p.module.value_type(Some(f), rmw.value).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "atomicrmw of an unknown value")
                })?;
                let align = rmw
                    .align
                    .unwrap_or_else(|| self.layout.store_size(&p.canon.types, vty));
                ops.extend([
                    u64::from(rmw.op.bitcode()),
                    u64::from(rmw.volatile),
                    u64::from(rmw.ordering.bitcode()),
                    self.sync_scope_id(&rmw.scope),
                    encode_align(Some(align), &context)?,
                ]);
                59
            }
            InstKind::CmpXchg(x) => {
                self.push_vt(ops, op(0)?, inst_id)?;
                self.push_vt(ops, op(1)?, inst_id)?;
                self.push_v(ops, op(2)?, inst_id)?;
                let vty = p.module.value_type(Some(f), x.expected).ok_or_else(|| {
                    EncodeError::invalid(context.to_string(), "cmpxchg of an unknown value")
                })?;
                let align = x
                    .align
                    .unwrap_or_else(|| self.layout.store_size(&p.canon.types, vty));
                ops.extend([
                    u64::from(x.volatile),
                    u64::from(x.success.bitcode()),
                    self.sync_scope_id(&x.scope),
                    u64::from(x.failure.bitcode()),
                    u64::from(x.weak),
                    encode_align(Some(align), &context)?,
                ]);
                46
            }
            InstKind::Fence { ordering, scope } => {
                ops.extend([u64::from(ordering.bitcode()), self.sync_scope_id(scope)]);
                36
            }
            InstKind::Freeze { .. } => {
                self.push_vt(ops, op(0)?, inst_id)?;
                58
            }
        };
        self.s.emit_record_with_abbrev(ab, code, ops);
        Ok(())
    }
}

/// The blocks an instruction names, in text order.
fn block_references(kind: &InstKind) -> Vec<BlockId> {
    match kind {
        InstKind::Br { dest } => vec![*dest],
        InstKind::CondBr {
            if_true, if_false, ..
        } => vec![*if_true, *if_false],
        InstKind::Switch { default, cases, .. } => std::iter::once(*default)
            .chain(cases.iter().map(|(_, b)| *b))
            .collect(),
        InstKind::Phi { incoming } => incoming.iter().map(|(_, b)| *b).collect(),
        _ => Vec::new(),
    }
}

fn is_local(linkage: Linkage) -> bool {
    matches!(linkage, Linkage::Internal | Linkage::Private)
}

/// `GlobalValue::isDSOLocal()` after LLVM's `maybeSetDsoLocal`: local
/// linkage, or a non-default visibility without extern_weak linkage,
/// implies `dso_local`.
fn effective_dso_local(dso_local: bool, linkage: Linkage, visibility: u32) -> bool {
    dso_local || is_local(linkage) || (visibility != 0 && linkage != Linkage::ExternWeak)
}
