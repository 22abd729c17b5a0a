//! The METADATA blocks (module-level and function-local) and the
//! METADATA_ATTACHMENT block.

use llvm_bitcode_schema::{BlockId, MetadataAttachmentCode, MetadataCode};
use llvm_bitstream::{AbbrevOp, BitWriter};

use super::enumerate::Val;
use super::meta::{CVal, LocalValue, Md, MdId};
use super::{abbrev, chars_unsigned, lit, Writer};
use crate::{EncodeError, Flavour, Result};
use air_ir::debuginfo::Rec;
use air_ir::DiKind;

/// The abbreviations of DILocation and GenericDINode records in the
/// current METADATA block, defined on first use (at module level both are
/// defined up front).
#[derive(Default)]
pub(super) struct DiAbbrevs {
    location: Option<u32>,
    generic: Option<u32>,
}

impl DiAbbrevs {
    fn location(&mut self, s: &mut BitWriter) -> u32 {
        use AbbrevOp::*;
        *self.location.get_or_insert_with(|| {
            s.define_abbrev(abbrev(vec![
                lit(MetadataCode::Location),
                Fixed(1),
                Vbr(6),
                Vbr(8),
                Vbr(6),
                Vbr(6),
                Fixed(1),
            ]))
        })
    }

    fn generic(&mut self, s: &mut BitWriter) -> u32 {
        use AbbrevOp::*;
        *self.generic.get_or_insert_with(|| {
            s.define_abbrev(abbrev(vec![
                lit(MetadataCode::GenericDebug),
                Fixed(1),
                Vbr(6),
                Fixed(1),
                Vbr(6),
                Array,
                Vbr(6),
            ]))
        })
    }
}

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

    pub(super) fn metadata_record(&mut self, md: MdId, abbrevs: &mut DiAbbrevs) -> Result<()> {
        match self.p.md.get(md) {
            Md::Di {
                kind,
                distinct,
                fields,
                ..
            } => {
                let mut ops = std::mem::take(&mut self.rec);
                ops.clear();
                let result = self.di_record(*kind, *distinct, fields, &mut ops);
                if result.is_ok() {
                    let code = kind.info().code;
                    let abbrev = match kind {
                        DiKind::Location => Some(abbrevs.location(&mut self.s)),
                        DiKind::GenericDINode => Some(abbrevs.generic(&mut self.s)),
                        _ => None,
                    };
                    match abbrev {
                        Some(a) => self.s.emit_record_with_abbrev(a, code, &ops),
                        None => self.s.emit_record(code, &ops),
                    }
                }
                self.rec = ops;
                result
            }
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

    /// The operands of a debug-info node's record, laid out as its kind's
    /// table entry says (`air_ir::debuginfo::KINDS`).
    fn di_record(
        &self,
        kind: DiKind,
        distinct: bool,
        fields: &[CVal],
        ops: &mut Vec<u64>,
    ) -> Result<()> {
        let context = || format!("!{}", kind.info().name);
        let missing = || EncodeError::invalid(context(), "internal: field missing");
        let get = |i: usize| fields.get(i).ok_or_else(missing);
        let id1 = |v: &CVal| -> Result<u64> {
            match v {
                CVal::Null | CVal::Absent => Ok(0),
                CVal::Md(m) => self.e.md_or_null_id(Some(*m)),
                CVal::Int(n) => Ok(*n),
                _ => Err(EncodeError::invalid(context(), "internal: field is a list")),
            }
        };
        let id0 = |m: Option<MdId>| -> Result<u64> {
            match m {
                Some(m) => Ok(u64::from(self.e.md_id(m)?)),
                None => Err(EncodeError::invalid(
                    context(),
                    "a required metadata operand is null",
                )),
            }
        };
        for rec in kind.info().record {
            match *rec {
                Rec::Header { bits, flags } => {
                    let mut h = u64::from(distinct) | bits;
                    for &(i, shift) in flags {
                        h |= (get(i)?.int() & 1) << shift;
                    }
                    ops.push(h);
                }
                Rec::Field(i) => ops.push(id1(get(i)?)?),
                Rec::Optional(i) => {
                    let v = get(i)?;
                    if *v != CVal::Absent {
                        ops.push(id1(v)?);
                    }
                }
                Rec::Id(i) => ops.push(id0(get(i)?.md())?),
                Rec::Const(c) => ops.push(c),
                Rec::WideWidth(i) => match get(i)? {
                    CVal::Wide(width, _) => ops.push(u64::from(*width)),
                    _ => return Err(missing()),
                },
                Rec::WideWords(i) => match get(i)? {
                    // `emitWideAPInt`: the active words (at least one),
                    // each as a signed VBR of its raw bits.
                    CVal::Wide(_, words) => {
                        let active = words.iter().rposition(|w| *w != 0).map_or(1, |i| i + 1);
                        for w in &words[..active.min(words.len())] {
                            ops.push(super::signed_vbr(*w));
                        }
                        if words.is_empty() {
                            ops.push(0);
                        }
                    }
                    _ => return Err(missing()),
                },
                Rec::Ints(i) => match get(i)? {
                    CVal::Ints(list) => ops.extend_from_slice(list),
                    _ => return Err(missing()),
                },
                Rec::Ids(i) => match get(i)? {
                    CVal::Mds(list) => {
                        for m in list {
                            ops.push(self.e.md_or_null_id(*m)?);
                        }
                    }
                    _ => return Err(missing()),
                },
                Rec::Ids0(i) => match get(i)? {
                    CVal::Mds(list) => {
                        for m in list {
                            ops.push(id0(*m)?);
                        }
                    }
                    _ => return Err(missing()),
                },
                Rec::AppleZero => {
                    if self.p.flavour == Flavour::Apple {
                        ops.push(0);
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn module_metadata(&mut self) -> Result<()> {
        if self.e.mds.is_empty() && self.p.named.is_empty() {
            return Ok(());
        }
        self.s.enter_block(BlockId::Metadata.id(), 4);
        // DILocation and GenericDINode abbreviations are always defined.
        let mut di_abbrevs = DiAbbrevs::default();
        di_abbrevs.location(&mut self.s);
        di_abbrevs.generic(&mut self.s);
        let offset_abbrev = self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::IndexOffset),
            AbbrevOp::Fixed(32),
            AbbrevOp::Fixed(32),
        ]));
        let index_abbrev = self.s.define_abbrev(abbrev(vec![
            lit(MetadataCode::Index),
            AbbrevOp::Array,
            AbbrevOp::Vbr(6),
        ]));
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
            self.metadata_record(*md, &mut di_abbrevs)?;
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
            let name_abbrev = self.s.define_abbrev(abbrev(vec![
                lit(MetadataCode::Name),
                AbbrevOp::Array,
                AbbrevOp::Fixed(8),
            ]));
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
        // Here LLVM defines the DILocation and GenericDINode abbreviations
        // when the first such record comes.
        let mut di_abbrevs = DiAbbrevs::default();
        for md in records {
            self.metadata_record(md, &mut di_abbrevs)?;
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
