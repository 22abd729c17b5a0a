//! The METADATA blocks (module-level and function-local) and the
//! METADATA_ATTACHMENT block.

use llvm_bitcode_schema::{BlockId, MetadataAttachmentCode, MetadataCode};
use llvm_bitstream::{AbbrevOp, BitWriter};

use super::enumerate::Val;
use super::meta::{LocalValue, Md, MdId};
use super::{abbrev, chars_unsigned, lit, Writer};
use crate::{EncodeError, Result};

/// Above this many non-string metadata records LLVM writes an index.
const METADATA_INDEX_THRESHOLD: usize = 25;

impl Writer<'_, '_> {
    pub(super) fn metadata_strings(&mut self, strings: &[MdId]) {
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
        let count = strings.len() as u64;
        let ab = self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::Strings),
            AbbrevOp::Vbr(6),
            AbbrevOp::Vbr(6),
            AbbrevOp::Blob,
        ]));
        self.s
            .emit_record_with_blob(ab, MetadataCode::Strings.code(), &[count, offset], &blob);
    }

    pub(super) fn metadata_record(&mut self, md: MdId) -> Result<()> {
        match self.p.md.get(md) {
            Md::String(_) => Err(EncodeError::invalid(
                "metadata",
                "internal: a string among the records",
            )),
            Md::Const(c) => {
                let ops = [self.ctype_id(*c)?, self.cval_id(*c)?];
                self.s.emit_record(MetadataCode::Value.code(), &ops);
                Ok(())
            }
            Md::Local { value, .. } => {
                let v = match value {
                    LocalValue::Arg(a) => Val::Arg(*a),
                    LocalValue::Inst(i) => Val::Inst(*i),
                };
                let ops = [self.type_id(self.e.type_of(self.p, v)?)?, self.value_id(v)?];
                self.s.emit_record(MetadataCode::Value.code(), &ops);
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
                let code = if *distinct {
                    MetadataCode::DistinctNode
                } else {
                    MetadataCode::Node
                };
                self.s.emit_record(code.code(), &ops);
                self.rec = ops;
                Ok(())
            }
        }
    }

    pub(super) fn module_metadata(&mut self) -> Result<()> {
        use AbbrevOp::*;
        if self.e.mds.is_empty() && self.p.named.is_empty() {
            return Ok(());
        }
        self.s.enter_block(BlockId::Metadata.id(), 4);
        // DILocation and GenericDINode abbreviations are always defined.
        self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::Location),
            Fixed(1),
            Vbr(6),
            Vbr(8),
            Vbr(6),
            Vbr(6),
            Fixed(1),
        ]));
        self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::GenericDebug),
            Fixed(1),
            Vbr(6),
            Fixed(1),
            Vbr(6),
            Array,
            Vbr(6),
        ]));
        let offset_abbrev = self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::IndexOffset),
            Fixed(32),
            Fixed(32),
        ]));
        let index_abbrev =
            self.s
                .define_abbrev(abbrev(vec![lit(MetadataCode::Index), Array, Vbr(6)]));
        let strings: Vec<MdId> = self.e.mds[..self.e.num_md_strings].to_vec();
        let records: Vec<MdId> = self.e.mds[self.e.num_md_strings..].to_vec();
        self.metadata_strings(&strings);
        let with_index = records.len() > METADATA_INDEX_THRESHOLD;
        if with_index {
            let code = MetadataCode::IndexOffset.code();
            self.s.emit_record_with_abbrev(offset_abbrev, code, &[0, 0]);
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
            let code = MetadataCode::Index.code();
            self.s.emit_record_with_abbrev(index_abbrev, code, &deltas);
        }
        if !self.p.named.is_empty() {
            let name_abbrev =
                self.s
                    .define_abbrev(abbrev(vec![lit(MetadataCode::Name), Array, Fixed(8)]));
            for (name, ops) in &self.p.named {
                self.s.emit_record_with_abbrev(
                    name_abbrev,
                    MetadataCode::Name.code(),
                    &chars_unsigned(name.as_bytes()),
                );
                let mut ids = Vec::with_capacity(ops.len());
                for md in ops {
                    ids.push(u64::from(self.e.md_id(*md)?));
                }
                self.s.emit_record(MetadataCode::NamedNode.code(), &ids);
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
                let code = MetadataCode::GlobalDeclAttachment.code();
                self.s.emit_record(code, &ops);
            }
        }
        for (gi, list) in self.p.global_attachments.iter().enumerate() {
            if !list.is_empty() {
                let mut ops = vec![self.value_id(Val::Global(gi as u32))?];
                for (k, md) in list {
                    ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                }
                let code = MetadataCode::GlobalDeclAttachment.code();
                self.s.emit_record(code, &ops);
            }
        }
        self.s.exit_block();
        Ok(())
    }

    /// A function's own METADATA block, when it has local metadata.
    pub(super) fn function_metadata(&mut self) -> Result<()> {
        if !self.e.has_function_mds() {
            return Ok(());
        }
        self.s.enter_block(BlockId::Metadata.id(), 3);
        let start = self.e.num_module_mds;
        let strings: Vec<MdId> = self.e.mds[start..start + self.e.num_md_strings].to_vec();
        let records: Vec<MdId> = self.e.mds[start + self.e.num_md_strings..].to_vec();
        self.metadata_strings(&strings);
        for md in records {
            self.metadata_record(md)?;
        }
        self.s.exit_block();
        Ok(())
    }

    /// The METADATA_ATTACHMENT block of function `fi`: the function's own
    /// attachments, then its instructions'.
    pub(super) fn attachments(&mut self, fi: u32) -> Result<()> {
        let info = &self.p.funcs[fi as usize];
        self.s.enter_block(BlockId::MetadataAttachment.id(), 3);
        if !info.attachments.is_empty() {
            let mut ops = Vec::new();
            for (k, md) in &info.attachments {
                ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
            }
            self.s
                .emit_record(MetadataAttachmentCode::Attachment.code(), &ops);
        }
        // Instructions are numbered by their position in the function.
        for (count, &(_, iid)) in info.insts.iter().enumerate() {
            if let Some(list) = info.inst_attachments.get(&iid.0) {
                let mut ops = vec![count as u64];
                for (k, md) in list {
                    ops.extend([u64::from(*k), u64::from(self.e.md_id(*md)?)]);
                }
                self.s
                    .emit_record(MetadataAttachmentCode::Attachment.code(), &ops);
            }
        }
        self.s.exit_block();
        Ok(())
    }
}
