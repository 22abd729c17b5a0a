//! The reader's state and the module-level blocks: identification, type
//! table, attributes, globals and functions, value symbol tables, STRTAB,
//! sync scopes.

use std::collections::{HashMap, VecDeque};

use air_ir::attributes::{AttrKind, AttrSet, AttrShape, Attribute};
use air_ir::module::{ThreadLocal, UnnamedAddr, Visibility};
use air_ir::types::{StructBody, Type};
use air_ir::{Function, Global, Linkage, MetaId, Module, TypeId};

use super::constants::{Slot, ValueTable};
use super::ReadError;
use crate::limits::{
    ATTRIBUTE_COPY_UNITS, MAX_READ_DEPTH, MAX_TEXT_BASE, MAX_TEXT_PER_BYTE, READ_BUDGET_BASE,
    READ_BUDGET_PER_BYTE,
};
use llvm_bitcode_schema::{
    block_name, record_name, BlockId, IdentificationCode, ModuleCode, ParamattrCode,
    ParamattrGroupCode, StrtabCode, SyncScopeNameCode, TypeCode, ValueSymtabCode,
};
use llvm_bitstream::{BlockHeader, Cursor, Item, Record, Scope};

/// An attribute list as LLVM keys it: `u32::MAX` = function, 0 = return
/// value, `i + 1` = parameter `i`.
pub(super) type AttrList = Vec<(u32, AttrSet)>;

/// A VERSION 2 record's STRTAB `(offset, size)`, and its other operands.
type NameSplit<'r> = (Option<(u64, u64)>, &'r [u64]);

/// Where a STRTAB name goes once the STRTAB block (after MODULE) is read.
#[derive(Clone, Copy, Debug)]
enum NameTarget {
    Global(usize),
    Function(usize),
}

/// A name waiting for STRTAB.
#[derive(Debug)]
struct PendingName {
    target: NameTarget,
    offset: u64,
    size: u64,
    at: u64,
}

/// A global initializer waiting for the module's constants.
#[derive(Debug)]
struct PendingInit {
    global: usize,
    value: u64,
    at: u64,
}

/// Everything the reader knows so far.
#[derive(Debug)]
pub(super) struct Reader<'a> {
    pub cur: Cursor<'a>,
    pub m: Module,
    /// MODULE VERSION: 0 = absolute operand ids, 1 = relative, 2 = relative
    /// with names in STRTAB.
    pub version: u64,
    /// Bitcode type id → model type.
    pub types: Vec<TypeId>,
    attr_groups: HashMap<u64, (u32, AttrSet)>,
    pub attr_lists: Vec<AttrList>,
    /// The value table: module values, then (inside a function) arguments,
    /// function constants and instruction results.
    pub values: ValueTable,
    /// Bitcode metadata id → model metadata (module ids, then the current
    /// function's).
    pub md: Vec<MetaId>,
    /// Metadata kind id → name.
    pub md_kinds: HashMap<u64, String>,
    /// The uniqued `DILocation`s read so far, by their fields (line,
    /// column, scope, inlined-at, implicit): a DEBUG_LOC equal to one of
    /// them is that node, as LLVM's uniquing makes it.
    pub locations: HashMap<(u64, u64, MetaId, Option<MetaId>, u64), MetaId>,
    /// Sync scope id → name (`""` = system).
    pub sync_scopes: Vec<String>,
    sections: Vec<String>,
    strtab: Option<Vec<u8>>,
    names: Vec<PendingName>,
    inits: Vec<PendingInit>,
    /// Functions with bodies, in FUNCTION record order: LLVM writes the
    /// bodies in that order, so the N-th FUNCTION_BLOCK is the N-th of these.
    pub bodies: VecDeque<usize>,
    /// Allocation budget for structures that can be larger than the records
    /// that cause them (a function type with many parameters, used by many
    /// FUNCTION records): proportional to the input size.
    budget: u64,
    /// Whether a MODULE block has been read (a second one is ignored).
    seen_module: bool,
    /// Count of unnamed identified structs (they print as `%0`, `%1`, ...).
    unnamed_structs: u32,
}

/// Reads the module from a raw stream that starts `base` bits into the input.
pub(super) fn read(stream: &[u8], base: u64) -> Result<Module, ReadError> {
    let mut r = Reader {
        cur: Cursor::with_base(stream, base),
        m: Module::new(),
        version: 1,
        types: Vec::new(),
        attr_groups: HashMap::new(),
        attr_lists: Vec::new(),
        values: ValueTable::default(),
        md: Vec::new(),
        md_kinds: HashMap::new(),
        locations: HashMap::new(),
        sync_scopes: vec!["singlethread".into(), String::new()],
        sections: Vec::new(),
        strtab: None,
        names: Vec::new(),
        inits: Vec::new(),
        bodies: VecDeque::new(),
        budget: (stream.len() as u64)
            .saturating_mul(READ_BUDGET_PER_BYTE)
            .saturating_add(READ_BUDGET_BASE),
        seen_module: false,
        unnamed_structs: 0,
    };
    // Past the magic.
    r.cur.read(32).map_err(top_level)?;
    while let Some(h) = r.cur.next_top_level().map_err(top_level)? {
        match BlockId::from_id(h.id) {
            Some(BlockId::Module) if !r.seen_module => {
                r.seen_module = true;
                r.module_block(&h)?;
            }
            Some(BlockId::Identification) => r.identification(&h)?,
            Some(BlockId::Strtab) => r.strtab_block(&h)?,
            Some(BlockId::Blockinfo) => r.blockinfo(&h)?,
            // SYMTAB repeats the module's symbols for linkers.
            _ => r.cur.skip(&h),
        }
    }
    if !r.seen_module {
        return Err(ReadError::new(
            r.cur.bit(),
            "bitstream",
            None,
            "no MODULE_BLOCK",
        ));
    }
    r.resolve_names()?;
    // Types and constants share parts, so a few records can describe a
    // module whose text (what `fmt` prints, and what messages spell out)
    // is exponentially larger; refuse that before anyone prints it.
    let text = air_ir::text::text_size_bound(&r.m);
    let allowed = (stream.len() as u64)
        .saturating_mul(MAX_TEXT_PER_BYTE)
        .saturating_add(MAX_TEXT_BASE);
    if text > allowed {
        return Err(ReadError::new(
            base,
            "MODULE_BLOCK",
            None,
            format!(
                "the module's text would be about {text} bytes, more than {MAX_TEXT_PER_BYTE} times its {} bytes of bitcode (types or constants that share parts, spelled out at every use)",
                stream.len()
            ),
        ));
    }
    Ok(r.m)
}

/// A bitstream error outside any block.
fn top_level(e: llvm_bitstream::ReadError) -> ReadError {
    ReadError::new(e.bit_offset, "bitstream", None, e.message)
}

/// An error about record `r` of block `block`.
pub(super) fn rec_err(block: BlockId, r: &Record, message: impl Into<String>) -> ReadError {
    ReadError::new(
        r.bit_offset,
        block.name(),
        Some(record_name(block.id(), r.code)),
        message,
    )
}

/// The bytes of a `[chars]` operand list. LLVM stores C++ `char`s, which
/// sign-extend in some records, so only the low 8 bits count.
pub(super) fn bytes_of(ops: &[u64]) -> Vec<u8> {
    ops.iter().map(|c| *c as u8).collect()
}

/// The text of a `[chars]` operand list.
pub(super) fn string_of(block: BlockId, r: &Record, ops: &[u64]) -> Result<String, ReadError> {
    String::from_utf8(bytes_of(ops)).map_err(|_| rec_err(block, r, "the text is not UTF-8"))
}

/// Bitcode alignment (log2 + 1, 0 = none) as bytes.
pub(super) fn decode_align(enc: u64) -> Result<Option<u64>, String> {
    match enc {
        0 => Ok(None),
        1..=64 => Ok(Some(1u64 << (enc - 1))),
        _ => Err(format!("alignment exponent {} is too large", enc - 1)),
    }
}

/// LLVM's `getDecodedLinkage`, including the numbers older writers used.
fn decode_linkage(v: u64) -> Option<Linkage> {
    Some(match v {
        0 | 5 | 6 | 15 => Linkage::External,
        2 => Linkage::Appending,
        3 => Linkage::Internal,
        1 | 16 => Linkage::Weak,
        4 | 18 => Linkage::Linkonce,
        7 => Linkage::ExternWeak,
        8 => Linkage::Common,
        9 | 13 | 14 => Linkage::Private,
        10 | 17 => Linkage::WeakOdr,
        11 | 19 => Linkage::LinkonceOdr,
        12 => Linkage::AvailableExternally,
        _ => return None,
    })
}

/// `dso_local` as the text says it: LLVM's printer leaves out the keyword
/// when the linkage or visibility already implies it, and so does the model.
fn explicit_dso_local(flag: bool, linkage: Linkage, visibility: Visibility) -> bool {
    let implied = matches!(linkage, Linkage::Internal | Linkage::Private)
        || (visibility != Visibility::Default && linkage != Linkage::ExternWeak);
    flag && !implied
}

impl<'a> Reader<'a> {
    /// The next item of `scope`, with the block named in errors.
    pub fn next(&mut self, scope: &mut Scope) -> Result<Item, ReadError> {
        self.cur
            .next(scope)
            .map_err(|e| ReadError::new(e.bit_offset, block_name(scope.id()), None, e.message))
    }

    /// Calls `f` on every record of block `h`, skipping nested blocks.
    pub fn each_record(
        &mut self,
        h: &BlockHeader,
        mut f: impl FnMut(&mut Self, Record) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        let mut scope = self.cur.enter(h);
        loop {
            match self.next(&mut scope)? {
                Item::End => return Ok(()),
                Item::Block(inner) => self.cur.skip(&inner),
                Item::Record(r) => f(self, r)?,
            }
        }
    }

    /// Charges `n` units against the allocation budget.
    pub fn spend(&mut self, n: u64, block: BlockId, r: &Record) -> Result<(), ReadError> {
        match self.budget.checked_sub(n) {
            Some(left) => {
                self.budget = left;
                Ok(())
            }
            None => Err(rec_err(
                block,
                r,
                "the module is far larger than its input (allocation budget exhausted)",
            )),
        }
    }

    /// The model type of bitcode type id `id`.
    pub fn ty(&self, block: BlockId, r: &Record, id: u64) -> Result<TypeId, ReadError> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.types.get(i))
            .copied()
            .ok_or_else(|| rec_err(block, r, format!("type id {id} is out of range")))
    }

    fn identification(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Identification;
        self.each_record(h, |_, r| {
            // LLVM refuses any epoch but 0; the producer string is free text.
            let epoch = IdentificationCode::Epoch.code();
            if r.code == epoch && r.ops.first() != Some(&0) {
                return Err(rec_err(ID, &r, "unsupported bitcode epoch"));
            }
            Ok(())
        })
    }

    fn blockinfo(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        // The cursor registers the abbreviations; the records (SETBID and
        // names) need nothing more.
        self.each_record(h, |_, _| Ok(()))
    }

    fn strtab_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        self.each_record(h, |s, r| {
            if r.code == StrtabCode::Blob.code() {
                s.strtab = Some(r.blob.unwrap_or_default());
            }
            Ok(())
        })
    }

    fn module_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Module;
        let mut scope = self.cur.enter(h);
        loop {
            match self.next(&mut scope)? {
                Item::End => break,
                Item::Block(inner) => match BlockId::from_id(inner.id) {
                    Some(BlockId::Blockinfo) => self.blockinfo(&inner)?,
                    Some(BlockId::Type) => self.type_block(&inner)?,
                    Some(BlockId::ParamattrGroup) => self.attr_group_block(&inner)?,
                    Some(BlockId::Paramattr) => self.attr_list_block(&inner)?,
                    Some(BlockId::Constants) => self.constants_block(&inner)?,
                    Some(BlockId::MetadataKind) => self.metadata_kind_block(&inner)?,
                    Some(BlockId::Metadata) => self.metadata_block(&inner, None)?,
                    Some(BlockId::SyncScopeNames) => self.sync_scope_block(&inner)?,
                    Some(BlockId::Function) => {
                        self.resolve_inits()?;
                        self.function_block(&inner)?
                    }
                    Some(BlockId::ValueSymtab) => self.module_vst(&inner)?,
                    // Operand bundle tags only name bundles, which the model
                    // has none of; use lists only order uses.
                    _ => self.cur.skip(&inner),
                },
                Item::Record(r) => self.module_record(r)?,
            }
        }
        self.resolve_inits()?;
        if let Some(f) = self.bodies.front() {
            return Err(ReadError::new(
                self.cur.bit(),
                ID.name(),
                None,
                format!("function #{f} is defined but has no FUNCTION_BLOCK"),
            ));
        }
        Ok(())
    }

    fn module_record(&mut self, r: Record) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Module;
        let ops = r.ops.as_slice();
        match ModuleCode::from_code(r.code) {
            Some(ModuleCode::Version) => {
                let v = ops.first().copied().unwrap_or(0);
                if v > 2 {
                    return Err(rec_err(ID, &r, format!("unsupported module version {v}")));
                }
                self.version = v;
            }
            Some(ModuleCode::Triple) => self.m.triple = Some(string_of(ID, &r, ops)?),
            Some(ModuleCode::Datalayout) => self.m.datalayout = Some(string_of(ID, &r, ops)?),
            Some(ModuleCode::Asm) => {
                // The writer joins `module asm` lines with newlines.
                let asm = string_of(ID, &r, ops)?;
                let mut lines: Vec<String> = asm.split('\n').map(str::to_string).collect();
                if lines.last().is_some_and(String::is_empty) {
                    lines.pop();
                }
                self.m.module_asm = lines;
            }
            Some(ModuleCode::SectionName) => {
                let s = string_of(ID, &r, ops)?;
                self.sections.push(s);
            }
            Some(ModuleCode::GlobalVar) => self.global_record(&r)?,
            Some(ModuleCode::Function) => self.function_record(&r)?,
            Some(ModuleCode::AliasOld | ModuleCode::Alias | ModuleCode::Ifunc) => {
                return Err(rec_err(
                    ID,
                    &r,
                    "aliases and ifuncs are not supported by the IR model",
                ))
            }
            Some(ModuleCode::Comdat) => {
                return Err(rec_err(ID, &r, "comdats are not supported by the IR model"))
            }
            Some(ModuleCode::SourceFilename) => {
                self.m.source_filename = Some(string_of(ID, &r, ops)?)
            }
            // DEPLIB, GCNAME, VSTOFFSET, HASH and unknown records carry
            // nothing the model holds (a GC name only matters once a
            // function uses it, which is refused there).
            _ => {}
        }
        Ok(())
    }

    /// Splits a VERSION 2 `[strtab offset, size, ...]` record.
    fn name_prefix<'r>(&self, r: &'r Record) -> Result<NameSplit<'r>, ReadError> {
        if self.version >= 2 {
            if r.ops.len() < 2 {
                return Err(rec_err(BlockId::Module, r, "missing STRTAB name"));
            }
            Ok((Some((r.ops[0], r.ops[1])), &r.ops[2..]))
        } else {
            Ok((None, &r.ops))
        }
    }

    fn section(&self, r: &Record, v: u64) -> Result<Option<String>, ReadError> {
        if v == 0 {
            return Ok(None);
        }
        self.sections
            .get((v - 1) as usize)
            .cloned()
            .map(Some)
            .ok_or_else(|| rec_err(BlockId::Module, r, format!("section {v} is not defined")))
    }

    fn global_record(&mut self, r: &Record) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Module;
        let (name, ops) = self.name_prefix(r)?;
        if ops.len() < 6 {
            return Err(rec_err(ID, r, "too few operands"));
        }
        let field = |i: usize| ops.get(i).copied().unwrap_or(0);
        let ty = self.ty(ID, r, ops[0])?;
        let flags = ops[1];
        let (value_ty, addrspace) = if flags & 2 != 0 {
            let space = u32::try_from(flags >> 2)
                .map_err(|_| rec_err(ID, r, "address space out of range"))?;
            (ty, space)
        } else {
            self.m
                .types
                .pointer_parts(ty)
                .ok_or_else(|| rec_err(ID, r, "the global's type is not a pointer"))?
        };
        let linkage = decode_linkage(ops[3])
            .ok_or_else(|| rec_err(ID, r, format!("unknown linkage {}", ops[3])))?;
        let align = decode_align(ops[4]).map_err(|m| rec_err(ID, r, m))?;
        let section = self.section(r, ops[5])?;
        let visibility = if matches!(linkage, Linkage::Internal | Linkage::Private) {
            Visibility::Default
        } else {
            decode_enum(Visibility::ALL, field(6), Visibility::bitcode)
                .ok_or_else(|| rec_err(ID, r, "unknown visibility"))?
        };
        let thread_local = decode_enum(ThreadLocal::ALL, field(7), ThreadLocal::bitcode)
            .ok_or_else(|| rec_err(ID, r, "unknown thread-local mode"))?;
        let unnamed_addr = decode_enum(UnnamedAddr::ALL, field(8), UnnamedAddr::bitcode)
            .ok_or_else(|| rec_err(ID, r, "unknown unnamed_addr"))?;
        if field(10) != 0 || field(11) != 0 || field(12) != 0 {
            return Err(rec_err(
                ID,
                r,
                "DLL storage, comdats and global attributes are not supported by the IR model",
            ));
        }
        let gi = self.m.globals.len();
        let ptr_ty = self.m.types.ptr(value_ty, addrspace);
        self.m.globals.push(Global {
            name: String::new(),
            value_ty,
            addrspace,
            is_constant: flags & 1 != 0,
            initializer: None,
            linkage,
            visibility,
            dso_local: explicit_dso_local(field(13) != 0, linkage, visibility),
            unnamed_addr,
            externally_initialized: field(9) != 0,
            thread_local,
            section,
            align,
            attachments: Vec::new(),
        });
        if ops[2] != 0 {
            self.inits.push(PendingInit {
                global: gi,
                value: ops[2] - 1,
                at: r.bit_offset,
            });
        }
        if let Some((offset, size)) = name {
            self.names.push(PendingName {
                target: NameTarget::Global(gi),
                offset,
                size,
                at: r.bit_offset,
            });
        }
        self.values.push(Slot::Global(gi as u32), ptr_ty);
        Ok(())
    }

    fn function_record(&mut self, r: &Record) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Module;
        let (name, ops) = self.name_prefix(r)?;
        if ops.len() < 8 {
            return Err(rec_err(ID, r, "too few operands"));
        }
        let field = |i: usize| ops.get(i).copied().unwrap_or(0);
        let mut fn_ty = self.ty(ID, r, ops[0])?;
        if let Some((pointee, _)) = self.m.types.pointer_parts(fn_ty) {
            fn_ty = pointee;
        }
        let param_count = match self.m.types.function_parts(fn_ty) {
            Some((_, params, _)) => params.len(),
            None => return Err(rec_err(ID, r, "the function's type is not a function type")),
        };
        let cc =
            u32::try_from(ops[1]).map_err(|_| rec_err(ID, r, "calling convention out of range"))?;
        let linkage = decode_linkage(ops[3])
            .ok_or_else(|| rec_err(ID, r, format!("unknown linkage {}", ops[3])))?;
        let list = self.attr_list(ID, r, ops[4])?;
        let align = decode_align(ops[5]).map_err(|m| rec_err(ID, r, m))?;
        let section = self.section(r, ops[6])?;
        let visibility = if matches!(linkage, Linkage::Internal | Linkage::Private) {
            Visibility::Default
        } else {
            decode_enum(Visibility::ALL, ops[7], Visibility::bitcode)
                .ok_or_else(|| rec_err(ID, r, "unknown visibility"))?
        };
        let unnamed_addr = decode_enum(UnnamedAddr::ALL, field(9), UnnamedAddr::bitcode)
            .ok_or_else(|| rec_err(ID, r, "unknown unnamed_addr"))?;
        let unsupported = [
            (8, "garbage collectors"),
            (10, "prologue data"),
            (11, "DLL storage"),
            (12, "comdats"),
            (13, "prefix data"),
            (14, "personality functions"),
            (16, "function address spaces"),
        ];
        for (i, what) in unsupported {
            if field(i) != 0 {
                return Err(rec_err(
                    ID,
                    r,
                    format!("{what} are not supported by the IR model"),
                ));
            }
        }
        self.spend(param_count as u64, ID, r)?;
        let fi = self.m.functions.len();
        let mut f = Function::declaration("", fn_ty, param_count);
        f.cc = air_ir::inst::CallConv(cc);
        f.linkage = linkage;
        f.visibility = visibility;
        f.dso_local = explicit_dso_local(field(15) != 0, linkage, visibility);
        f.unnamed_addr = unnamed_addr;
        f.align = align;
        f.section = section;
        for (index, set) in list {
            match index {
                u32::MAX => f.fn_attrs = set,
                0 => f.ret_attrs = set,
                i => match f.params.get_mut(i as usize - 1) {
                    Some(p) => p.attrs = set,
                    None => {
                        return Err(rec_err(
                            ID,
                            r,
                            format!("attributes for parameter {} of {param_count}", i - 1),
                        ))
                    }
                },
            }
        }
        self.m.functions.push(f);
        if ops[2] == 0 {
            self.bodies.push_back(fi);
        }
        if let Some((offset, size)) = name {
            self.names.push(PendingName {
                target: NameTarget::Function(fi),
                offset,
                size,
                at: r.bit_offset,
            });
        }
        let ptr_ty = self.m.types.ptr(fn_ty, 0);
        self.values.push(Slot::Function(fi as u32), ptr_ty);
        Ok(())
    }

    /// Attribute list `id` (1-based; 0 = none).
    pub fn attr_list(
        &mut self,
        block: BlockId,
        r: &Record,
        id: u64,
    ) -> Result<AttrList, ReadError> {
        if id == 0 {
            return Ok(Vec::new());
        }
        let index = usize::try_from(id - 1)
            .ok()
            .filter(|&i| i < self.attr_lists.len())
            .ok_or_else(|| rec_err(block, r, format!("attribute list {id} is not defined")))?;
        let size: usize = self.attr_lists[index].iter().map(|(_, s)| s.len()).sum();
        self.spend((size as u64).saturating_mul(ATTRIBUTE_COPY_UNITS), block, r)?;
        Ok(self.attr_lists[index].clone())
    }

    fn resolve_inits(&mut self) -> Result<(), ReadError> {
        for p in std::mem::take(&mut self.inits) {
            let c = self.values.constant(&mut self.m, p.value).map_err(|m| {
                ReadError::new(
                    p.at,
                    BlockId::Module.name(),
                    Some(ModuleCode::GlobalVar.name().into()),
                    format!("initializer: {m}"),
                )
            })?;
            self.m.globals[p.global].initializer = Some(c);
        }
        Ok(())
    }

    fn resolve_names(&mut self) -> Result<(), ReadError> {
        for p in std::mem::take(&mut self.names) {
            let record = match p.target {
                NameTarget::Global(_) => ModuleCode::GlobalVar,
                NameTarget::Function(_) => ModuleCode::Function,
            };
            let err = |m: &str| {
                let record = Some(record.name().to_string());
                ReadError::new(p.at, BlockId::Module.name(), record, m)
            };
            let strtab = self
                .strtab
                .as_deref()
                .ok_or_else(|| err("a VERSION 2 module without a STRTAB block"))?;
            let bytes = p
                .offset
                .checked_add(p.size)
                .filter(|end| *end <= strtab.len() as u64)
                .map(|end| &strtab[p.offset as usize..end as usize])
                .ok_or_else(|| err("the name lies outside STRTAB"))?;
            let name =
                String::from_utf8(bytes.to_vec()).map_err(|_| err("the name is not UTF-8"))?;
            match p.target {
                NameTarget::Global(g) => self.m.globals[g].name = name,
                NameTarget::Function(f) => self.m.functions[f].name = name,
            }
        }
        Ok(())
    }

    /// The module-level value symbol table: names of VERSION 1 modules (in
    /// VERSION 2 it only holds function offsets, which are not needed
    /// because bodies come in FUNCTION record order).
    fn module_vst(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::ValueSymtab;
        self.each_record(h, |s, r| {
            let name_ops = match ValueSymtabCode::from_code(r.code) {
                Some(ValueSymtabCode::Entry) if !r.ops.is_empty() => &r.ops[1..],
                Some(ValueSymtabCode::FnEntry) if r.ops.len() >= 2 => &r.ops[2..],
                _ => return Ok(()),
            };
            if name_ops.is_empty() {
                return Ok(());
            }
            let name = string_of(ID, &r, name_ops)?;
            match s.values.slot(r.ops[0]) {
                Some(Slot::Global(g)) => s.m.globals[*g as usize].name = name,
                Some(Slot::Function(f)) => s.m.functions[*f as usize].name = name,
                _ => {
                    return Err(rec_err(
                        ID,
                        &r,
                        format!("value {} is not a global or function", r.ops[0]),
                    ))
                }
            }
            Ok(())
        })
    }

    fn sync_scope_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        let mut scopes = Vec::new();
        self.each_record(h, |_, r| {
            if r.code == SyncScopeNameCode::Name.code() {
                scopes.push(string_of(BlockId::SyncScopeNames, &r, &r.ops)?);
            }
            Ok(())
        })?;
        self.sync_scopes = scopes;
        Ok(())
    }

    // ---- types -------------------------------------------------------

    fn type_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Type;
        let mut raw: Vec<(RawType, Record)> = Vec::new();
        let mut pending_name: Option<String> = None;
        self.each_record(h, |s, r| {
            let ops = &r.ops;
            let need = |n: usize| -> Result<(), ReadError> {
                if ops.len() < n {
                    Err(rec_err(ID, &r, "too few operands"))
                } else {
                    Ok(())
                }
            };
            let t = match TypeCode::from_code(r.code) {
                // NUMENTRY is only a size hint; nothing is allocated by it.
                Some(TypeCode::NumEntry) => return Ok(()),
                Some(TypeCode::StructName) => {
                    pending_name = Some(string_of(ID, &r, ops)?);
                    return Ok(());
                }
                Some(TypeCode::Void) => RawType::Plain(Type::Void),
                Some(TypeCode::Float) => RawType::Plain(Type::Float),
                Some(TypeCode::Double) => RawType::Plain(Type::Double),
                Some(TypeCode::Label) => RawType::Plain(Type::Label),
                Some(TypeCode::Half) => RawType::Plain(Type::Half),
                Some(TypeCode::Metadata) => RawType::Plain(Type::Metadata),
                Some(TypeCode::Token) => RawType::Plain(Type::Token),
                Some(TypeCode::BFloat) => RawType::Plain(Type::BFloat),
                Some(TypeCode::Integer) => {
                    need(1)?;
                    let w = ops[0];
                    if !(1..(1 << 23)).contains(&w) {
                        return Err(rec_err(ID, &r, format!("integer width {w}")));
                    }
                    RawType::Plain(Type::Int(w as u32))
                }
                Some(TypeCode::Pointer) => {
                    need(1)?;
                    let space = u32::try_from(ops.get(1).copied().unwrap_or(0))
                        .map_err(|_| rec_err(ID, &r, "address space out of range"))?;
                    RawType::Pointer(ops[0], space)
                }
                Some(TypeCode::Array) => {
                    need(2)?;
                    RawType::Array(ops[0], ops[1])
                }
                Some(TypeCode::Vector) => {
                    need(2)?;
                    if ops.get(2).is_some_and(|s| *s != 0) {
                        return Err(rec_err(ID, &r, "scalable vectors are not supported"));
                    }
                    let len = u32::try_from(ops[0])
                        .map_err(|_| rec_err(ID, &r, "vector length out of range"))?;
                    RawType::Vector(len, ops[1])
                }
                Some(code @ (TypeCode::FunctionOld | TypeCode::Function)) => {
                    // FUNCTION_OLD has an unused attribute id before the
                    // return type.
                    let skip = if code == TypeCode::FunctionOld { 2 } else { 1 };
                    need(skip + 1)?;
                    RawType::Function {
                        varargs: ops[0] != 0,
                        ret: ops[skip],
                        params: ops[skip + 1..].to_vec(),
                    }
                }
                Some(TypeCode::StructAnon) => {
                    need(1)?;
                    RawType::Struct {
                        packed: ops[0] != 0,
                        fields: ops[1..].to_vec(),
                    }
                }
                Some(code @ (TypeCode::Opaque | TypeCode::StructNamed)) => {
                    let name = match pending_name.take() {
                        Some(n) => n,
                        None => {
                            let n = s.unnamed_structs.to_string();
                            s.unnamed_structs += 1;
                            n
                        }
                    };
                    let body = if code == TypeCode::StructNamed {
                        need(1)?;
                        Some((ops[0] != 0, ops[1..].to_vec()))
                    } else {
                        None
                    };
                    RawType::Named(name, body)
                }
                Some(TypeCode::OpaquePointer) => {
                    return Err(rec_err(
                        ID,
                        &r,
                        "opaque pointers are not supported (AIR uses typed pointers)",
                    ))
                }
                _ => {
                    return Err(rec_err(
                        ID,
                        &r,
                        "this type is not supported by the IR model",
                    ))
                }
            };
            raw.push((t, r));
            Ok(())
        })?;
        self.resolve_types(raw)
    }

    /// Builds the model types. Named structs are created first, so that any
    /// record may refer to them before their body is known (LLVM writes a
    /// pointer to a recursive struct before the struct itself).
    fn resolve_types(&mut self, raw: Vec<(RawType, Record)>) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Type;
        let mut ids: Vec<Option<TypeId>> = vec![None; raw.len()];
        // How deep each resolved type is spelled (a named struct is one
        // level, by its name); see `resolve_type`.
        let mut heights = vec![0u32; raw.len()];
        for (i, (t, r)) in raw.iter().enumerate() {
            if let RawType::Named(name, _) = t {
                if self.m.types.find(&Type::Named(name.clone())).is_some() {
                    return Err(rec_err(ID, r, format!("struct %{name} is defined twice")));
                }
                ids[i] = Some(self.m.types.named(name));
                heights[i] = 1;
            }
        }
        let mut busy = vec![false; raw.len()];
        let mut tables = (ids, heights, busy.as_mut_slice());
        for i in 0..raw.len() {
            self.resolve_type(&raw, &mut tables, i as u64, &raw[i].1, 0)?;
        }
        for (i, (t, r)) in raw.iter().enumerate() {
            if let RawType::Named(_, Some((packed, fields))) = t {
                let fields = fields
                    .iter()
                    .map(|f| self.resolve_type(&raw, &mut tables, *f, r, 0))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(id) = tables.0[i] {
                    self.m.types.set_struct_body(
                        id,
                        StructBody::Fields {
                            fields,
                            packed: *packed,
                        },
                    );
                }
            }
        }
        self.types = tables.0.into_iter().flatten().collect();
        Ok(())
    }

    /// Resolves type record `index` (its parts first). `tables` holds, per
    /// record, the model type once resolved, how deeply it is spelled, and
    /// whether it is being resolved (a record reached again while it is
    /// contains itself). A type spelled more than [`MAX_READ_DEPTH`] levels
    /// deep is an error at its record, whichever order the records come
    /// in; the recursion here follows only records not yet resolved, and is
    /// cut at the same depth.
    fn resolve_type(
        &mut self,
        raw: &[(RawType, Record)],
        tables: &mut (Vec<Option<TypeId>>, Vec<u32>, &mut [bool]),
        index: u64,
        from: &Record,
        depth: u32,
    ) -> Result<TypeId, ReadError> {
        const ID: BlockId = BlockId::Type;
        let i = usize::try_from(index)
            .ok()
            .filter(|i| *i < raw.len())
            .ok_or_else(|| rec_err(ID, from, format!("type id {index} is out of range")))?;
        if let Some(id) = tables.0[i] {
            return Ok(id);
        }
        let r = &raw[i].1;
        if tables.2[i] || depth > MAX_READ_DEPTH {
            return Err(rec_err(
                ID,
                r,
                "a type contains itself other than through a named struct",
            ));
        }
        tables.2[i] = true;
        let d = depth + 1;
        // Each part resolved, and the greatest height among them.
        let mut below = 0u32;
        let mut sub = |s: &mut Self,
                       tables: &mut (Vec<Option<TypeId>>, Vec<u32>, &mut [bool]),
                       t: u64|
         -> Result<TypeId, ReadError> {
            let id = s.resolve_type(raw, tables, t, r, d)?;
            below = below.max(tables.1[t as usize]);
            Ok(id)
        };
        let shape = match &raw[i].0 {
            RawType::Plain(t) => t.clone(),
            RawType::Pointer(p, space) => Type::Pointer {
                pointee: sub(self, tables, *p)?,
                addrspace: *space,
            },
            RawType::Array(len, elem) => Type::Array {
                len: *len,
                elem: sub(self, tables, *elem)?,
            },
            RawType::Vector(len, elem) => Type::Vector {
                len: *len,
                elem: sub(self, tables, *elem)?,
            },
            RawType::Struct { packed, fields } => Type::Struct {
                fields: fields
                    .iter()
                    .map(|f| sub(self, tables, *f))
                    .collect::<Result<_, _>>()?,
                packed: *packed,
            },
            RawType::Function {
                varargs,
                ret,
                params,
            } => Type::Function {
                ret: sub(self, tables, *ret)?,
                params: params
                    .iter()
                    .map(|p| sub(self, tables, *p))
                    .collect::<Result<_, _>>()?,
                varargs: *varargs,
            },
            // Created up front.
            RawType::Named(..) => return Err(rec_err(ID, r, "internal: unnamed struct id")),
        };
        let height = below + 1;
        if height > MAX_READ_DEPTH {
            return Err(rec_err(
                ID,
                r,
                format!("type nests too deeply (more than {MAX_READ_DEPTH} levels)"),
            ));
        }
        let id = self.m.types.intern(shape);
        tables.0[i] = Some(id);
        tables.1[i] = height;
        tables.2[i] = false;
        Ok(id)
    }

    // ---- attributes --------------------------------------------------

    fn attr_group_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::ParamattrGroup;
        self.each_record(h, |s, r| {
            if r.code != ParamattrGroupCode::Entry.code() {
                return Ok(());
            }
            if r.ops.len() < 2 {
                return Err(rec_err(ID, &r, "too few operands"));
            }
            let index = u32::try_from(r.ops[1])
                .map_err(|_| rec_err(ID, &r, "attribute index out of range"))?;
            let set = s.attributes(&r)?;
            s.attr_groups.insert(r.ops[0], (index, set));
            Ok(())
        })
    }

    fn attributes(&self, r: &Record) -> Result<AttrSet, ReadError> {
        const ID: BlockId = BlockId::ParamattrGroup;
        let ops = &r.ops;
        let mut i = 2;
        let mut list = Vec::new();
        let next = |i: &mut usize| -> Result<u64, ReadError> {
            let v = ops
                .get(*i)
                .copied()
                .ok_or_else(|| rec_err(ID, r, "attribute runs past the record"))?;
            *i += 1;
            Ok(v)
        };
        let kind = |code: u64, shape: AttrShape| -> Result<AttrKind, ReadError> {
            u32::try_from(code)
                .ok()
                .and_then(AttrKind::from_bitcode_kind)
                .filter(|k| k.shape() == shape)
                .ok_or_else(|| rec_err(ID, r, format!("unknown attribute kind {code}")))
        };
        let cstring = |i: &mut usize| -> Result<String, ReadError> {
            let start = *i;
            // The terminator is a zero `char`; LLVM compares the whole
            // operand, so a malformed 0x100 would end up inside the string.
            while next(i)? as u8 != 0 {}
            string_of(ID, r, &ops[start..*i - 1])
        };
        while i < ops.len() {
            let a = match next(&mut i)? {
                0 => Attribute::Enum(kind(next(&mut i)?, AttrShape::Enum)?),
                1 => {
                    let k = kind(next(&mut i)?, AttrShape::Int)?;
                    Attribute::Int(k, next(&mut i)?)
                }
                e @ (3 | 4) => {
                    let key = cstring(&mut i)?;
                    let value = if e == 4 {
                        cstring(&mut i)?
                    } else {
                        String::new()
                    };
                    Attribute::String { key, value }
                }
                e @ (5 | 6) => {
                    let k = kind(next(&mut i)?, AttrShape::Type)?;
                    let ty = if e == 6 {
                        Some(self.ty(ID, r, next(&mut i)?)?)
                    } else {
                        None
                    };
                    Attribute::Type(k, ty)
                }
                other => {
                    return Err(rec_err(
                        ID,
                        r,
                        format!("unknown attribute encoding {other}"),
                    ))
                }
            };
            list.push(a);
        }
        // Sorted once: inserting one by one into the sorted set moved the
        // attributes after each, n^2/2 moves for a long group.
        Ok(AttrSet::from_attrs(list))
    }

    fn attr_list_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Paramattr;
        self.each_record(h, |s, r| {
            if r.code != ParamattrCode::Entry.code() {
                return Err(rec_err(ID, &r, "only ENTRY records are supported"));
            }
            let mut list: AttrList = Vec::new();
            // Where each index's set is in `list`: a scan of the list for
            // each group was quadratic in the groups of an entry.
            let mut slot: HashMap<u32, usize> = HashMap::new();
            for g in &r.ops {
                let Some((index, len)) = s.attr_groups.get(g).map(|(i, set)| (*i, set.len()))
                else {
                    return Err(rec_err(
                        ID,
                        &r,
                        format!("attribute group {g} is not defined"),
                    ));
                };
                // Every attribute copied or merged is charged: an entry
                // naming one large group again and again costs a few bits
                // per copy.
                let existing = slot.get(&index).copied();
                let size = len + existing.map_or(0, |k| list[k].1.len());
                s.spend((size as u64).saturating_mul(ATTRIBUTE_COPY_UNITS), ID, &r)?;
                let Some((_, set)) = s.attr_groups.get(g) else {
                    continue;
                };
                match existing {
                    Some(k) => list[k].1.merge(set),
                    None => {
                        slot.insert(index, list.len());
                        list.push((index, set.clone()));
                    }
                }
            }
            s.attr_lists.push(list);
            Ok(())
        })
    }
}

/// A type record before its operands are resolved.
#[derive(Clone, Debug)]
enum RawType {
    Plain(Type),
    Pointer(u64, u32),
    Array(u64, u64),
    Vector(u32, u64),
    Struct {
        packed: bool,
        fields: Vec<u64>,
    },
    Function {
        varargs: bool,
        ret: u64,
        params: Vec<u64>,
    },
    Named(String, Option<(bool, Vec<u64>)>),
}

/// The table entry whose bitcode number is `v`.
pub(super) fn decode_enum<T: Copy>(all: &[T], v: u64, code: impl Fn(T) -> u32) -> Option<T> {
    all.iter().copied().find(|t| u64::from(code(*t)) == v)
}
