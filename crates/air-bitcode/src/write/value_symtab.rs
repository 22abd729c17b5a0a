//! The VALUE_SYMTAB blocks: argument, block and instruction names of a
//! function (in LLVM 14's `StringMap` order), and the module's function
//! offsets.

use air_ir::inst;
use llvm_bitcode_schema::{BlockId, ValueSymtabCode};
use llvm_bitstream::AbbrevOp::Vbr;

use super::blockinfo::{VST_BBENTRY_6, VST_ENTRY_6, VST_ENTRY_7, VST_ENTRY_8};
use super::enumerate::Val;
use super::function::block_references;
use super::string_map::StringMapOrder;
use super::{abbrev, lit, string_encoding, StringEncoding, Writer};
use crate::{EncodeError, Result};

impl<'m> Writer<'_, 'm> {
    pub(super) fn function_vst(&mut self, fi: u32) -> Result<()> {
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
        let mention_block =
            |map: &mut StringMapOrder<'m, (bool, u32)>, b: inst::BlockId| -> Result<()> {
                let block = f.blocks.get(b.0 as usize).ok_or_else(|| {
                    EncodeError::bad_id("block", b.0, format!("function @{}", f.name))
                })?;
                if let Some(name) = block.name.as_deref() {
                    map.insert(name.as_bytes(), (true, b.0)).ok_or_else(full)?;
                }
                Ok(())
            };
        for (b, block) in f.blocks.iter().enumerate() {
            mention_block(&mut map, inst::BlockId(b as u32))?;
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
        self.s.enter_block(BlockId::ValueSymtab.id(), 4);
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
                    ValueSymtabCode::BbEntry,
                    if enc == StringEncoding::Char6 {
                        VST_BBENTRY_6
                    } else {
                        VST_ENTRY_8
                    },
                )
            } else {
                (
                    ValueSymtabCode::Entry,
                    match enc {
                        StringEncoding::Char6 => VST_ENTRY_6,
                        StringEncoding::Fixed7 => VST_ENTRY_7,
                        StringEncoding::Fixed8 => VST_ENTRY_8,
                    },
                )
            };
            self.s.emit_record_with_abbrev(ab, code.code(), &ops);
        }
        self.rec = ops;
        self.s.exit_block();
        Ok(())
    }

    pub(super) fn module_vst(&mut self) -> Result<()> {
        let pos = self.s.bit_position();
        // Word offset from the `BC` magic (LLVM counts from one word before
        // the identification block, which is the magic word).
        self.s
            .backpatch_word_at_bit(self.vst_offset_placeholder, (pos / 32) as u32);
        self.s.enter_block(BlockId::ValueSymtab.id(), 4);
        let fnentry =
            self.s
                .define_abbrev(abbrev(vec![lit(ValueSymtabCode::FnEntry), Vbr(8), Vbr(8)]));
        for (fi, offset) in self.fn_offsets.clone() {
            let ops = [self.value_id(Val::Func(fi))?, offset / 32];
            let code = ValueSymtabCode::FnEntry.code();
            self.s.emit_record_with_abbrev(fnentry, code, &ops);
        }
        self.s.exit_block();
        Ok(())
    }
}
