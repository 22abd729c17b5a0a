//! The string table and LLVM 14's irsymtab (the SYMTAB block).
//!
//! LLVM's writer keeps one `StringTableBuilder` for the whole file: the
//! module records add the names of globals and functions, then
//! `irsymtab::build` adds the strings of the symbol table it describes
//! (producer, triple, source file name, mangled and IR names, sections)
//! after them, and the STRTAB block holds the lot. The symbol table itself
//! is a little-endian array of 32-bit words (`llvm/Object/IRSymtab.h`,
//! version 3):
//!
//! ```text
//! Header   { Version, Producer: Str, Modules, Comdats, Symbols, Uncommons: Range,
//!            TargetTriple, SourceFileName, COFFLinkerOpts: Str, DependentLibraries: Range }
//! Module   { Begin, End, UncBegin }
//! Symbol   { Name, IRName: Str, ComdatIndex, Flags }
//! Uncommon { CommonSize, CommonAlign, COFFWeakExternFallbackName, SectionName: Str }
//! Str      { Offset, Size }   // into STRTAB
//! Range    { Offset, Size }   // into the symbol table, in elements
//! ```
//!
//! Everything below follows LLVM 14's `Builder` step for step, including the
//! order in which strings reach the string table, because that order fixes
//! every offset.

use air_ir::fxhash::HashMap;

use air_ir::module::UnnamedAddr;
use air_ir::{Linkage, Metadata, Module};
use llvm_bitcode_schema::{BlockId, RecordCode, StrtabCode, SymtabCode};
use llvm_bitstream::AbbrevOp;

use super::consts::{CExpr, CId, CKind};
use super::layout::Layout;
use super::libcalls::is_libcall;
use super::prepare::Prepared;
use super::{abbrev, lit};

/// A `StringTableBuilder` in RAW mode: strings appended as added, equal
/// strings shared.
#[derive(Debug, Default)]
pub(crate) struct Strtab {
    pub bytes: Vec<u8>,
    offsets: HashMap<Vec<u8>, u64>,
}

impl Strtab {
    /// Adds `s` (or finds it) and returns its offset.
    pub fn add(&mut self, s: &[u8]) -> u64 {
        if let Some(o) = self.offsets.get(s) {
            return *o;
        }
        let o = self.bytes.len() as u64;
        self.bytes.extend_from_slice(s);
        self.offsets.insert(s.to_vec(), o);
        o
    }

    /// A `storage::Str`: offset and size of `s` once added.
    fn str(&mut self, s: &[u8]) -> [u32; 2] {
        [self.add(s) as u32, s.len() as u32]
    }
}

/// The irsymtab format version LLVM 14 writes.
const VERSION: u32 = 3;

/// `storage::Symbol::FlagBits` (the visibility takes bits 0 and 1).
mod flag {
    pub const HAS_UNCOMMON: u32 = 1 << 2;
    pub const UNDEFINED: u32 = 1 << 3;
    pub const WEAK: u32 = 1 << 4;
    pub const COMMON: u32 = 1 << 5;
    pub const USED: u32 = 1 << 7;
    pub const TLS: u32 = 1 << 8;
    pub const MAY_OMIT: u32 = 1 << 9;
    pub const GLOBAL: u32 = 1 << 10;
    pub const FORMAT_SPECIFIC: u32 = 1 << 11;
    pub const UNNAMED_ADDR: u32 = 1 << 12;
    pub const EXECUTABLE: u32 = 1 << 13;
}

/// The IR name of a global or function: the model keeps numbered ones
/// (`@0`) under their number, LLVM keeps them unnamed.
pub(crate) fn ir_name(name: &str) -> &str {
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
        ""
    } else {
        name
    }
}

/// The object format LLVM derives from a triple (`Triple::getObjectFormat`),
/// as far as the symbol table cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ObjectFormat {
    Elf,
    Coff,
    MachO,
    Other,
}

fn object_format(triple: &str) -> ObjectFormat {
    let parts: Vec<&str> = triple.split('-').collect();
    let arch = parts.first().copied().unwrap_or_default();
    let os = parts.get(2).copied().unwrap_or_default();
    let env = parts.get(3).copied().unwrap_or_default();
    // An explicit format suffix on the environment wins.
    for (suffix, format) in [
        ("macho", ObjectFormat::MachO),
        ("coff", ObjectFormat::Coff),
        ("elf", ObjectFormat::Elf),
        ("xcoff", ObjectFormat::Other),
        ("goff", ObjectFormat::Other),
        ("wasm", ObjectFormat::Other),
    ] {
        if env.ends_with(suffix) {
            return format;
        }
    }
    if crate::is_darwin_triple(triple) {
        ObjectFormat::MachO
    } else if os.starts_with("windows") || os.starts_with("win32") {
        ObjectFormat::Coff
    } else if arch.starts_with("wasm") || os.starts_with("aix") || os.starts_with("zos") {
        ObjectFormat::Other
    } else {
        ObjectFormat::Elf
    }
}

/// The `m:` component of a datalayout (`DataLayout::ManglingMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mangling {
    None,
    Elf,
    MachO,
    WinCoff,
    WinCoffX86,
    Mips,
    XCoff,
    Goff,
}

impl Mangling {
    fn of(datalayout: &str) -> Self {
        let mut mode = Mangling::None;
        for item in datalayout.split('-') {
            if let Some(m) = item.strip_prefix("m:") {
                mode = match m {
                    "e" => Mangling::Elf,
                    "o" => Mangling::MachO,
                    "w" => Mangling::WinCoff,
                    "x" => Mangling::WinCoffX86,
                    "m" => Mangling::Mips,
                    "a" => Mangling::XCoff,
                    "l" => Mangling::Goff,
                    _ => mode,
                };
            }
        }
        mode
    }

    /// `DataLayout::getGlobalPrefix`.
    fn global_prefix(self) -> &'static str {
        match self {
            Mangling::MachO | Mangling::WinCoffX86 => "_",
            _ => "",
        }
    }

    /// `DataLayout::getPrivateGlobalPrefix`.
    fn private_prefix(self) -> &'static str {
        match self {
            Mangling::None => "",
            Mangling::Elf | Mangling::WinCoff => ".L",
            Mangling::Goff => "@",
            Mangling::Mips => "$",
            Mangling::MachO | Mangling::WinCoffX86 => "L",
            Mangling::XCoff => "L..",
        }
    }
}

/// LLVM's `Mangler` as `ModuleSymbolTable::printSymbolName` uses it: the
/// private and global prefixes of the datalayout, `\1` to opt out, and
/// `__unnamed_N` for unnamed globals, numbered in the order they are
/// printed.
///
/// Not reproduced: the `@N` suffixes of Microsoft `stdcall`, `fastcall` and
/// `vectorcall` functions (x86 Windows calling conventions, which AIR
/// never uses).
struct Mangler {
    mode: Mangling,
    anonymous: u32,
}

impl Mangler {
    fn name(&mut self, name: &str, private: bool) -> Vec<u8> {
        let unnamed;
        let name = if name.is_empty() {
            self.anonymous += 1;
            unnamed = format!("__unnamed_{}", self.anonymous);
            &unnamed
        } else {
            name
        };
        if let Some(raw) = name.strip_prefix('\u{1}') {
            return raw.as_bytes().to_vec();
        }
        let mut out = Vec::with_capacity(name.len() + 3);
        if private {
            out.extend_from_slice(self.mode.private_prefix().as_bytes());
        }
        let question_mark_exempt =
            matches!(self.mode, Mangling::WinCoff | Mangling::WinCoffX86) && name.starts_with('?');
        if !question_mark_exempt {
            out.extend_from_slice(self.mode.global_prefix().as_bytes());
        }
        out.extend_from_slice(name.as_bytes());
        out
    }
}

/// What the symbol table needs to know about one global value.
struct GlobalValue<'m> {
    name: &'m str,
    linkage: Linkage,
    visibility: u32,
    unnamed_addr: UnnamedAddr,
    is_declaration: bool,
    is_function: bool,
    is_constant: bool,
    thread_local: bool,
    section: Option<&'m str>,
    /// `common` globals: alloc size and explicit alignment.
    common: Option<(u64, u64)>,
    used: bool,
}

impl GlobalValue<'_> {
    fn is_local(&self) -> bool {
        matches!(self.linkage, Linkage::Internal | Linkage::Private)
    }

    /// `ModuleSymbolTable::getSymbolFlags` translated to irsymtab flags,
    /// plus what `Builder::addSymbol` adds from the global itself.
    fn flags(&self) -> u32 {
        let mut flags = 0;
        if self.is_declaration || self.linkage == Linkage::AvailableExternally {
            flags |= flag::UNDEFINED;
        }
        if self.is_function {
            flags |= flag::EXECUTABLE;
        }
        if self.linkage == Linkage::Private
            || self.name.starts_with("llvm.")
            || (!self.is_function && self.section == Some("llvm.metadata"))
        {
            flags |= flag::FORMAT_SPECIFIC;
        }
        if !self.is_local() {
            flags |= flag::GLOBAL;
        }
        if self.linkage == Linkage::Common {
            flags |= flag::COMMON;
        }
        if matches!(
            self.linkage,
            Linkage::Linkonce
                | Linkage::LinkonceOdr
                | Linkage::Weak
                | Linkage::WeakOdr
                | Linkage::ExternWeak
        ) {
            flags |= flag::WEAK;
        }
        if self.used || is_libcall(self.name) {
            flags |= flag::USED;
        }
        if self.thread_local {
            flags |= flag::TLS;
        }
        if self.unnamed_addr == UnnamedAddr::Global {
            flags |= flag::UNNAMED_ADDR;
        }
        if self.may_omit() {
            flags |= flag::MAY_OMIT;
        }
        // LLVM resets the visibility of local symbols to default.
        if !self.is_local() {
            flags |= self.visibility;
        }
        flags
    }

    /// `GlobalValue::canBeOmittedFromSymbolTable`.
    fn may_omit(&self) -> bool {
        if self.linkage != Linkage::LinkonceOdr {
            return false;
        }
        if self.unnamed_addr == UnnamedAddr::Global {
            return true;
        }
        if !self.is_function && !self.is_constant {
            return false;
        }
        self.unnamed_addr != UnnamedAddr::None
    }
}

/// The globals and functions `llvm.used` and `llvm.compiler.used` list
/// (`collectUsedGlobalVariables`, looking through pointer casts and
/// all-zero GEPs as `stripPointerCasts` does). Indices: functions first,
/// then globals, as symbols are numbered.
fn used_values(p: &Prepared<'_>) -> Vec<usize> {
    let module = p.module;
    let nf = module.functions.len();
    let mut used = Vec::new();
    for list in ["llvm.used", "llvm.compiler.used"] {
        // `Module::getGlobalVariable` ignores local globals.
        let Some(g) = module
            .globals
            .iter()
            .find(|g| g.name == list && !matches!(g.linkage, Linkage::Internal | Linkage::Private))
        else {
            continue;
        };
        let Some(init) = g.initializer.and_then(|c| p.konst(c).ok()) else {
            continue;
        };
        let CKind::Aggregate(elems) = p.canon.kind(init) else {
            continue;
        };
        for &e in elems {
            match strip_pointer_casts(p, e) {
                Some(CKind::Function(f)) => used.push(*f as usize),
                Some(CKind::Global(g)) => used.push(nf + *g as usize),
                _ => {}
            }
        }
    }
    used
}

/// `Value::stripPointerCasts` on a constant, returning the global or
/// function it reaches.
fn strip_pointer_casts<'p>(p: &'p Prepared<'_>, mut c: CId) -> Option<&'p CKind<'p>> {
    // Casts nest at most as deep as the constant table is long.
    for _ in 0..=p.module.consts.len() {
        match p.canon.kind(c) {
            kind @ (CKind::Global(_) | CKind::Function(_)) => return Some(kind),
            // Bitcast (11) and addrspacecast (12).
            CKind::Expr(CExpr::Cast { op: 11 | 12, value }) => c = *value,
            CKind::Expr(CExpr::Gep { operands, .. })
                if operands
                    .get(1..)
                    .unwrap_or_default()
                    .iter()
                    .all(|i| matches!(p.canon.kind(*i), CKind::Int(v) if v.is_zero())) =>
            {
                c = *operands.first()?;
            }
            _ => return None,
        }
    }
    None
}

/// The strings of the first operand of each node of named metadata `name`
/// (how `llvm.dependent-libraries` lists libraries).
fn first_operand_strings<'m>(module: &'m Module, name: &str) -> Vec<&'m [u8]> {
    let Some(named) = module.named(name) else {
        return Vec::new();
    };
    named
        .operands
        .iter()
        .filter_map(|n| match module.metadata.get(n.0 as usize)? {
            Metadata::Node { operands, .. } => {
                let first = (*operands.first()?)?;
                match module.metadata.get(first.0 as usize)? {
                    Metadata::String(s) => Some(s.as_slice()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// All string operands of the nodes of named metadata `name`, each after a
/// space (how COFF's `llvm.linker.options` are joined).
fn joined_strings(module: &Module, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let Some(named) = module.named(name) else {
        return out;
    };
    for n in &named.operands {
        let Some(Metadata::Node { operands, .. }) = module.metadata.get(n.0 as usize) else {
            continue;
        };
        for o in operands.iter().flatten() {
            if let Some(Metadata::String(s)) = module.metadata.get(o.0 as usize) {
                out.push(b' ');
                out.extend_from_slice(s);
            }
        }
    }
    out
}

/// Builds the irsymtab of `p` with `producer` as LLVM 14's
/// `BitcodeWriter::writeSymtab` does, adding its strings to `strtab`.
///
/// Returns `None` when LLVM writes no SYMTAB block: with `module asm` (no
/// target of `llvm-as` has an asm parser registered, so nothing is added),
/// or without a datalayout (the build fails after the header strings were
/// added, and they stay in the string table).
pub(crate) fn build(
    p: &Prepared<'_>,
    layout: &Layout,
    strtab: &mut Strtab,
    producer: &str,
) -> Option<Vec<u8>> {
    let module = p.module;
    if !module.module_asm.is_empty() {
        return None;
    }
    let triple = module.triple.as_deref().unwrap_or_default();
    let producer = strtab.str(producer.as_bytes());
    let triple_str = strtab.str(triple.as_bytes());
    let source_filename = strtab.str(p.source_filename.as_bytes());
    let datalayout = module.datalayout.as_deref().unwrap_or_default();
    if datalayout.is_empty() {
        return None;
    }
    let format = object_format(triple);

    let values = symbol_values(p, layout);
    let mut dependent_libraries = Vec::new();
    if format == ObjectFormat::Elf {
        for lib in first_operand_strings(module, "llvm.dependent-libraries") {
            dependent_libraries.push(strtab.str(lib));
        }
    }
    let coff_linker_opts = if format == ObjectFormat::Coff {
        joined_strings(module, "llvm.linker.options")
    } else {
        Vec::new()
    };

    let mut mangler = Mangler {
        mode: Mangling::of(datalayout),
        anonymous: 0,
    };
    let mut symbols: Vec<[u32; 6]> = Vec::with_capacity(values.len());
    let mut uncommons: Vec<[u32; 6]> = Vec::new();
    for gv in &values {
        let name = mangler.name(gv.name, gv.linkage == Linkage::Private);
        let [name_offset, name_size] = strtab.str(&name);
        let [ir_offset, ir_size] = strtab.str(gv.name.as_bytes());
        let mut flags = gv.flags();
        if gv.common.is_some() || gv.section.is_some() {
            flags |= flag::HAS_UNCOMMON;
            // A new uncommon entry starts with empty strings, added in
            // this order before anything else is filled in.
            let fallback = strtab.str(b"");
            let mut section = strtab.str(b"");
            let (size, align) = gv.common.unwrap_or_default();
            if let Some(s) = gv.section {
                section = strtab.str(s.as_bytes());
            }
            uncommons.push([
                size as u32,
                align as u32,
                fallback[0],
                fallback[1],
                section[0],
                section[1],
            ]);
        }
        // No comdats in the model: ComdatIndex is always -1.
        symbols.push([name_offset, name_size, ir_offset, ir_size, u32::MAX, flags]);
    }
    let coff_linker_opts = strtab.str(&coff_linker_opts);

    // Header (19 words), then the ranges in header order.
    const HEADER_WORDS: u32 = 19;
    let mut words: Vec<u32> = Vec::new();
    let mut offset = HEADER_WORDS * 4;
    let mut range = |count: usize, element_bytes: u32| -> [u32; 2] {
        let r = [offset, count as u32];
        offset += count as u32 * element_bytes;
        r
    };
    let modules = range(1, 12);
    let comdats = range(0, 8);
    let symbol_range = range(symbols.len(), 24);
    let uncommon_range = range(uncommons.len(), 24);
    let library_range = range(dependent_libraries.len(), 8);
    words.push(VERSION);
    words.extend(producer);
    words.extend(modules);
    words.extend(comdats);
    words.extend(symbol_range);
    words.extend(uncommon_range);
    words.extend(triple_str);
    words.extend(source_filename);
    words.extend(coff_linker_opts);
    words.extend(library_range);
    words.extend([0, symbols.len() as u32, 0]);
    words.extend(symbols.iter().flatten());
    words.extend(uncommons.iter().flatten());
    words.extend(dependent_libraries.iter().flatten());
    Some(words.iter().flat_map(|w| w.to_le_bytes()).collect())
}

/// The module's global values in `Module::global_values()` order:
/// functions, then global variables.
fn symbol_values<'m>(p: &Prepared<'m>, layout: &Layout) -> Vec<GlobalValue<'m>> {
    let module = p.module;
    let used = used_values(p);
    let mut out = Vec::with_capacity(module.functions.len() + module.globals.len());
    for f in &module.functions {
        out.push(GlobalValue {
            name: ir_name(&f.name),
            linkage: f.linkage,
            visibility: f.visibility.bitcode(),
            unnamed_addr: f.unnamed_addr,
            is_declaration: f.is_declaration(),
            is_function: true,
            is_constant: false,
            thread_local: false,
            section: f.section.as_deref().filter(|s| !s.is_empty()),
            common: None,
            used: used.contains(&out.len()),
        });
    }
    for g in &module.globals {
        let common = (g.linkage == Linkage::Common).then(|| {
            (
                layout.alloc_size(&p.canon.types, g.value_ty),
                g.align.unwrap_or(0),
            )
        });
        out.push(GlobalValue {
            name: ir_name(&g.name),
            linkage: g.linkage,
            visibility: g.visibility.bitcode(),
            unnamed_addr: g.unnamed_addr,
            is_declaration: g.initializer.is_none(),
            is_function: false,
            is_constant: g.is_constant,
            thread_local: g.thread_local.bitcode() != 0,
            section: g.section.as_deref().filter(|s| !s.is_empty()),
            common,
            used: used.contains(&out.len()),
        });
    }
    out
}

/// The irsymtab producer of the Apple flavour: the `metalfe-X` version of
/// the first `!llvm.ident` string that has one.
pub(crate) fn metalfe_version(module: &Module) -> Option<String> {
    for ident in first_operand_strings(module, "llvm.ident") {
        let text = String::from_utf8_lossy(ident);
        if let Some(at) = text.find("metalfe-") {
            let version: String = text[at + "metalfe-".len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let version = version.trim_end_matches('.');
            if !version.is_empty() {
                return Some(version.to_string());
            }
        }
    }
    None
}

/// The SYMTAB block (when LLVM 14 writes one) and the STRTAB block, after
/// the module.
impl super::Writer<'_, '_> {
    pub(super) fn symtab_and_strtab(&mut self) {
        let p = self.p;
        let symtab = build(p, &self.layout, &mut self.strtab, &p.irsymtab_producer);
        if let Some(blob) = symtab {
            self.write_blob(BlockId::Symtab, SymtabCode::Blob, &blob);
        }
        let strtab = std::mem::take(&mut self.strtab.bytes);
        self.write_blob(BlockId::Strtab, StrtabCode::Blob, &strtab);
    }

    /// `BitcodeWriter::writeBlob`: a block holding one blob record through
    /// a block-local abbreviation.
    fn write_blob(&mut self, block: BlockId, code: impl RecordCode, blob: &[u8]) {
        self.s.enter_block(block.id(), 3);
        let ab = self
            .s
            .define_abbrev(abbrev(vec![lit(code), AbbrevOp::Blob]));
        self.s.emit_record_with_blob(ab, code.code(), &[], blob);
        self.s.exit_block();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangling_prefixes() {
        let mut m = Mangler {
            mode: Mangling::of("e-m:o-i64:64"),
            anonymous: 0,
        };
        assert_eq!(m.name("f", false), b"_f");
        assert_eq!(m.name("p", true), b"L_p");
        assert_eq!(m.name("", true), b"L___unnamed_1");
        assert_eq!(m.name("\u{1}raw", false), b"raw");
        let mut none = Mangler {
            mode: Mangling::of("e-p:64:64"),
            anonymous: 0,
        };
        assert_eq!(none.name("p", true), b"p");
        assert_eq!(none.name("", false), b"__unnamed_1");
    }

    #[test]
    fn object_formats() {
        assert_eq!(
            object_format("air64_v28-apple-macosx26.0.0"),
            ObjectFormat::MachO
        );
        assert_eq!(object_format(""), ObjectFormat::Elf);
        assert_eq!(object_format("x86_64-pc-linux-gnu"), ObjectFormat::Elf);
        assert_eq!(object_format("x86_64-pc-windows-msvc"), ObjectFormat::Coff);
        assert_eq!(object_format("x86_64-pc-linux-macho"), ObjectFormat::MachO);
    }

    #[test]
    fn strtab_shares_equal_strings() {
        let mut s = Strtab::default();
        assert_eq!(s.add(b"ab"), 0);
        assert_eq!(s.add(b""), 2);
        assert_eq!(s.add(b"ab"), 0);
        assert_eq!(s.add(b"c"), 2);
        assert_eq!(s.add(b""), 2);
        assert_eq!(s.bytes, b"abc");
    }

    #[test]
    fn numbered_names_are_unnamed() {
        assert_eq!(ir_name("0"), "");
        assert_eq!(ir_name("12"), "");
        assert_eq!(ir_name("f0"), "f0");
        assert_eq!(ir_name(""), "");
    }
}
