//! The MODULE block: its records (triple, data layout, asm, sections,
//! globals, functions, VSTOFFSET) and the order of its sub-blocks.

use std::sync::Mutex;

use air_ir::Linkage;
use llvm_bitcode_schema::{BlockId, ModuleCode};
use llvm_bitstream::{AbbrevOp, BitWriter, Bits, UNABBREV_RECORD};

use super::enumerate::{const_val, log2_ceil};
use super::symtab::ir_name;
use super::{
    abbrev, chars_signed32, chars_unsigned, encode_align, lit, string_encoding, StringEncoding,
    Writer,
};
use crate::Result;

impl Writer<'_, '_> {
    pub(super) fn module(&mut self) -> Result<()> {
        self.s.enter_block(BlockId::Module.id(), 3);
        self.s.emit_record(ModuleCode::Version.code(), &[2]);
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

    /// An unabbreviated MODULE-block record of `s`'s characters (the
    /// triple, the datalayout), from a cache of recently encoded ones: a
    /// run of modules shares a handful of such strings, and encoding the
    /// datalayout's ~200 characters was 2% of a small module's encode.
    pub(super) fn module_string_record(&mut self, code: ModuleCode, s: &str) {
        /// (code, string, encoded record), most recent last. A pure cache
        /// behind a lock, safe for concurrent encodes; a poisoned lock only
        /// means a thread panicked while holding it, and entries are
        /// pushed whole, so the contents are still consistent.
        static RECENT: Mutex<Vec<(ModuleCode, String, Bits)>> = Mutex::new(Vec::new());
        const KEEP: usize = 8;
        debug_assert_eq!(self.s.code_width(), 3, "not in the MODULE block");
        let mut recent = RECENT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, _, bits)) = recent.iter().find(|(c, k, _)| *c == code && k == s) {
            self.s.emit_bits(bits);
            return;
        }
        let mut w = BitWriter::with_code_width(3);
        w.emit_record(code.code(), &chars_signed32(s.as_bytes()));
        let bits = w.into_bits();
        self.s.emit_bits(&bits);
        if recent.len() >= KEEP {
            recent.remove(0);
        }
        recent.push((code, s.to_string(), bits));
    }

    pub(super) fn module_info(&mut self) -> Result<()> {
        use AbbrevOp::*;
        let m = self.p.module;
        if let Some(t) = m.triple.as_deref().filter(|t| !t.is_empty()) {
            self.module_string_record(ModuleCode::Triple, t);
        }
        if let Some(dl) = m.datalayout.as_deref().filter(|d| !d.is_empty()) {
            self.module_string_record(ModuleCode::Datalayout, dl);
        }
        if !m.module_asm.is_empty() {
            let mut asm = String::new();
            for line in &m.module_asm {
                asm.push_str(line);
                if !asm.ends_with('\n') {
                    asm.push('\n');
                }
            }
            self.s
                .emit_record(ModuleCode::Asm.code(), &chars_signed32(asm.as_bytes()));
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
                    let name = chars_signed32(sec.as_bytes());
                    self.s.emit_record(ModuleCode::SectionName.code(), &name);
                    sections.push(sec.clone());
                }
            }
        }
        for f in &m.functions {
            max_align = max_align.max(encode_align(f.align, &f.name)?);
            if let Some(sec) = &f.section {
                if !sections.contains(sec) {
                    let name = chars_signed32(sec.as_bytes());
                    self.s.emit_record(ModuleCode::SectionName.code(), &name);
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
                lit(ModuleCode::GlobalVar),
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
        let filename =
            self.s
                .define_abbrev(abbrev(vec![lit(ModuleCode::SourceFilename), Array, elem]));
        self.s.emit_record_with_abbrev(
            filename,
            ModuleCode::SourceFilename.code(),
            &chars_unsigned(name),
        );

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
            self.s
                .emit_record_with_abbrev(ab, ModuleCode::GlobalVar.code(), &ops);
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
            self.s.emit_record(ModuleCode::Function.code(), &ops);
        }

        // VSTOFFSET placeholder, back-patched once the module VST is written.
        let vst = self
            .s
            .define_abbrev(abbrev(vec![lit(ModuleCode::VstOffset), Fixed(32)]));
        self.s
            .emit_record_with_abbrev(vst, ModuleCode::VstOffset.code(), &[0]);
        self.vst_offset_placeholder = self.s.bit_position() - 32;
        Ok(())
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
