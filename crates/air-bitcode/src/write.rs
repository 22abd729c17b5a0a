//! The writer: LLVM 14's `ModuleBitcodeWriter` (the blocks, abbreviations
//! and records, in LLVM's order) and what it needs to know about the module
//! first.
//!
//! One file per block, in the order the blocks are written:
//! [`identification`], [`module`] (its records and the order of its
//! sub-blocks), [`blockinfo`], [`types`], [`paramattr`], [`constants`],
//! [`context`] (METADATA_KIND, OPERAND_BUNDLE_TAGS, SYNC_SCOPE_NAMES),
//! [`metadata`], [`function`], [`value_symtab`] and [`symtab`] (SYMTAB and
//! STRTAB). Record codes and block ids are the names of
//! `llvm_bitcode_schema`.
//!
//! What LLVM does before its writer runs lives beside them:
//! [`prepare`] (the module as `llvm-as-14` hands it over, using [`consts`],
//! [`meta`], [`intrinsics`] and [`intern`]), [`enumerate`] (the numbering
//! of everything), [`layout`] (default alignments), [`string_map`] (the
//! order of function symbol tables) and [`libcalls`] (for the irsymtab).

mod blockinfo;
mod constants;
mod consts;
mod context;
mod enumerate;
mod function;
mod identification;
mod intern;
mod intrinsics;
mod layout;
mod libcalls;
mod meta;
mod metadata;
mod module;
mod paramattr;
mod prepare;
mod string_map;
mod symtab;
mod types;
mod value_symtab;

use air_ir::TypeId;
use llvm_bitcode_schema::RecordCode;
use llvm_bitstream::{Abbrev, AbbrevOp, BitWriter, UNABBREV_RECORD};

use crate::{EncodeError, Result, WriteOptions};
use enumerate::{Enumerator, Operand, Val};
use layout::Layout;
use prepare::Prepared;
use symtab::Strtab;

/// Encodes `module` as a raw bitstream (no wrapper).
pub(crate) fn encode(module: &air_ir::Module, options: &WriteOptions) -> Result<Vec<u8>> {
    if prepare::needs_debug_strip(module, options) {
        // `llvm-as-14` strips the debug info of a module without a
        // `"Debug Info Version"` flag; the whole rule lives in one place
        // (`air_ir::strip_debug_info`), applied to a copy.
        let mut stripped = module.clone();
        air_ir::strip_debug_info(&mut stripped);
        let prepared = Prepared::stripped(&stripped, options, module)?;
        return write(&prepared);
    }
    let prepared = Prepared::new(module, options)?;
    write(&prepared)
}

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

fn abbrev(ops: Vec<AbbrevOp>) -> Abbrev {
    Abbrev::new(ops)
}

/// The literal operand an abbreviation starts with: its record's code.
fn lit(code: impl RecordCode) -> AbbrevOp {
    AbbrevOp::Literal(u64::from(code.code()))
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
fn write(p: &Prepared<'_>) -> Result<Vec<u8>> {
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
    w.symtab_and_strtab();
    Ok(w.s.finish())
}

impl<'m> Writer<'_, 'm> {
    fn type_id(&self, ty: TypeId) -> Result<u64> {
        self.e.type_id(ty).map(u64::from)
    }

    fn value_id(&self, v: Val) -> Result<u64> {
        self.e.value_id(v).map(u64::from)
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
}
