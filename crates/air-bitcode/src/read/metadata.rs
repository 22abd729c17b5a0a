//! METADATA, METADATA_KIND and METADATA_ATTACHMENT blocks.
//!
//! Metadata ids count records in order (a STRINGS record defines `count`
//! ids); tuples may refer to ids defined later in the block, so their
//! operands, named metadata and global attachments are mapped to model ids
//! when the block ends.

use air_ir::inst::Value;
use air_ir::types::Type;
use air_ir::{InstId, MetaId, Metadata, NamedMetadata, TypeId};

use super::constants::Slot;
use super::module::{bytes_of, rec_err, string_of, Reader};
use super::ReadError;
use llvm_bitcode_schema::{BlockId, MetadataAttachmentCode, MetadataCode, MetadataKindCode};
use llvm_bitstream::{BlockHeader, Cursor, Record};

/// A function-local metadata value whose instruction comes later in the
/// function: patched when the function ends.
#[derive(Debug)]
pub(super) struct MdFixup {
    /// The metadata item to patch.
    pub item: MetaId,
    /// The instruction's value id.
    pub value: u64,
    /// The type the VALUE record gave.
    pub ty: TypeId,
    /// The VALUE record's bit offset.
    pub at: u64,
}

/// Things in a METADATA block that name metadata ids, kept until the block
/// ends.
#[derive(Debug, Default)]
struct Deferred {
    nodes: Vec<(MetaId, Vec<u64>, Record)>,
    named: Vec<(String, Record)>,
    attachments: Vec<Record>,
}

impl Reader<'_> {
    /// The model id of bitcode metadata id `id`.
    pub fn md_id(&self, block: BlockId, r: &Record, id: u64) -> Result<MetaId, ReadError> {
        usize::try_from(id)
            .ok()
            .and_then(|i| self.md.get(i))
            .copied()
            .ok_or_else(|| rec_err(block, r, format!("metadata id {id} is out of range")))
    }

    /// The name of metadata kind `id`.
    pub fn md_kind(&self, block: BlockId, r: &Record, id: u64) -> Result<String, ReadError> {
        self.md_kinds
            .get(&id)
            .cloned()
            .ok_or_else(|| rec_err(block, r, format!("metadata kind {id} is not defined")))
    }

    fn push_md(&mut self, md: Metadata) -> MetaId {
        let id = self.m.add_metadata(md);
        self.md.push(id);
        id
    }

    /// METADATA_KIND: `KIND [id, name...]`.
    pub fn metadata_kind_block(&mut self, h: &BlockHeader) -> Result<(), ReadError> {
        self.each_record(h, |s, r| {
            if r.code == MetadataKindCode::Kind.code() {
                s.kind_record(BlockId::MetadataKind, &r)?;
            }
            Ok(())
        })
    }

    fn kind_record(&mut self, block: BlockId, r: &Record) -> Result<(), ReadError> {
        let Some((&id, name)) = r.ops.split_first() else {
            return Err(rec_err(block, r, "too few operands"));
        };
        let name = string_of(block, r, name)?;
        self.md_kinds.insert(id, name);
        Ok(())
    }

    /// A METADATA block. `local` collects function-local values that refer
    /// to instructions not read yet (`None` at module level, where that is
    /// an error).
    pub fn metadata_block(
        &mut self,
        h: &BlockHeader,
        mut local: Option<&mut Vec<MdFixup>>,
    ) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Metadata;
        let mut d = Deferred::default();
        let mut name: Option<(String, Record)> = None;
        self.each_record(h, |s, r| {
            if let Some((n, at)) = name.take() {
                if r.code != MetadataCode::NamedNode.code() {
                    return Err(rec_err(ID, &at, "NAME is not followed by NAMED_NODE"));
                }
                d.named.push((n, r));
                return Ok(());
            }
            let code = MetadataCode::from_code(r.code);
            match code {
                Some(MetadataCode::StringOld) => {
                    let bytes = bytes_of(&r.ops);
                    s.push_md(Metadata::String(bytes));
                }
                Some(MetadataCode::Value) => s.md_value(&r, local.as_deref_mut())?,
                Some(MetadataCode::Node | MetadataCode::DistinctNode) => {
                    let id = s.push_md(Metadata::Node {
                        operands: Vec::new(),
                        distinct: code == Some(MetadataCode::DistinctNode),
                    });
                    d.nodes.push((id, r.ops.clone(), r));
                }
                Some(MetadataCode::Name) => name = Some((string_of(ID, &r, &r.ops)?, r)),
                Some(MetadataCode::Kind) => s.kind_record(ID, &r)?,
                Some(MetadataCode::NamedNode) => {
                    return Err(rec_err(ID, &r, "NAMED_NODE without a NAME"))
                }
                Some(MetadataCode::Strings) => s.md_strings(&r)?,
                Some(MetadataCode::GlobalDeclAttachment) => d.attachments.push(r),
                // The index only speeds up lazy loading.
                Some(MetadataCode::IndexOffset | MetadataCode::Index) => {}
                Some(
                    MetadataCode::Location
                    | MetadataCode::GenericDebug
                    | MetadataCode::Subrange
                    | MetadataCode::Enumerator
                    | MetadataCode::BasicType
                    | MetadataCode::File
                    | MetadataCode::DerivedType
                    | MetadataCode::CompositeType
                    | MetadataCode::SubroutineType
                    | MetadataCode::CompileUnit
                    | MetadataCode::Subprogram
                    | MetadataCode::LexicalBlock
                    | MetadataCode::LexicalBlockFile
                    | MetadataCode::Namespace
                    | MetadataCode::TemplateType
                    | MetadataCode::TemplateValue
                    | MetadataCode::GlobalVar
                    | MetadataCode::LocalVar
                    | MetadataCode::Expression
                    | MetadataCode::ObjcProperty
                    | MetadataCode::ImportedEntity
                    | MetadataCode::Module
                    | MetadataCode::Macro
                    | MetadataCode::MacroFile
                    | MetadataCode::GlobalVarExpr
                    | MetadataCode::Label,
                ) => {
                    return Err(rec_err(
                        ID,
                        &r,
                        "debug-info metadata is not supported by the IR model",
                    ))
                }
                _ => {
                    return Err(rec_err(
                        ID,
                        &r,
                        "this metadata record is not supported by the IR model",
                    ))
                }
            }
            Ok(())
        })?;
        if let Some((_, r)) = name {
            return Err(rec_err(ID, &r, "NAME is not followed by NAMED_NODE"));
        }
        self.finish_metadata(d)
    }

    fn finish_metadata(&mut self, d: Deferred) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Metadata;
        for (id, ops, r) in d.nodes {
            let operands = ops
                .iter()
                .map(|o| match o {
                    0 => Ok(None),
                    o => self.md_id(ID, &r, o - 1).map(Some),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(Metadata::Node { operands: slot, .. }) =
                self.m.metadata.get_mut(id.0 as usize)
            {
                *slot = operands;
            }
        }
        for (name, r) in d.named {
            let operands = r
                .ops
                .iter()
                .map(|o| self.md_id(ID, &r, *o))
                .collect::<Result<Vec<_>, _>>()?;
            self.m.named_metadata.push(NamedMetadata { name, operands });
        }
        for r in d.attachments {
            if r.ops.len() % 2 != 1 {
                return Err(rec_err(
                    ID,
                    &r,
                    "expected a value id and (kind, node) pairs",
                ));
            }
            let mut list = Vec::new();
            for pair in r.ops[1..].chunks(2) {
                list.push((self.md_kind(ID, &r, pair[0])?, self.md_id(ID, &r, pair[1])?));
            }
            match self.values.slot(r.ops[0]) {
                Some(Slot::Global(g)) => self.m.globals[*g as usize].attachments.extend(list),
                Some(Slot::Function(f)) => self.m.functions[*f as usize].attachments.extend(list),
                _ => {
                    return Err(rec_err(
                        ID,
                        &r,
                        format!("value {} is not a global or function", r.ops[0]),
                    ))
                }
            }
        }
        Ok(())
    }

    /// `VALUE [type, value id]`.
    fn md_value(&mut self, r: &Record, local: Option<&mut Vec<MdFixup>>) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Metadata;
        if r.ops.len() != 2 {
            return Err(rec_err(ID, r, "expected a type and a value"));
        }
        let ty = self.ty(ID, r, r.ops[0])?;
        if matches!(
            self.m.types.get(ty),
            Type::Void | Type::Metadata | Type::Label
        ) {
            return Err(rec_err(ID, r, "a value of this type cannot be metadata"));
        }
        let vid = r.ops[1];
        let value = match self.values.slot(vid) {
            Some(Slot::Arg(a)) => Value::Arg(*a),
            Some(Slot::Inst(i)) => Value::Inst(*i),
            Some(_) => Value::Const(
                self.values
                    .constant(&mut self.m, vid)
                    .map_err(|m| rec_err(ID, r, m))?,
            ),
            None => {
                let Some(fixups) = local else {
                    return Err(rec_err(ID, r, format!("value id {vid} is out of range")));
                };
                let item = self.push_md(Metadata::Value {
                    ty,
                    value: Value::Inst(InstId(u32::MAX)),
                });
                fixups.push(MdFixup {
                    item,
                    value: vid,
                    ty,
                    at: r.bit_offset,
                });
                return Ok(());
            }
        };
        if self.values.type_of(vid) != Some(ty) {
            return Err(rec_err(ID, r, format!("value {vid} has another type")));
        }
        self.push_md(Metadata::Value { ty, value });
        Ok(())
    }

    /// `STRINGS [count, offset] blob`: VBR6 lengths, then the characters.
    fn md_strings(&mut self, r: &Record) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::Metadata;
        let err = |m: &str| rec_err(ID, r, m);
        let (&[count, offset], Some(blob)) = (r.ops.as_slice(), r.blob.as_deref()) else {
            return Err(err("expected a count, an offset and a blob"));
        };
        let offset = usize::try_from(offset)
            .ok()
            .filter(|o| *o <= blob.len())
            .ok_or_else(|| err("the character offset lies outside the blob"))?;
        let (lengths, chars) = blob.split_at(offset);
        let mut bits = Cursor::new(lengths);
        if count > bits.bits_left() / 6 {
            return Err(err("more strings than the length table can hold"));
        }
        let mut pos = 0usize;
        for _ in 0..count {
            let len = bits
                .read_vbr(6)
                .ok()
                .and_then(|l| usize::try_from(l).ok())
                .ok_or_else(|| err("the length table is truncated"))?;
            let end = pos
                .checked_add(len)
                .filter(|e| *e <= chars.len())
                .ok_or_else(|| err("a string runs past the blob"))?;
            let s = chars[pos..end].to_vec();
            pos = end;
            self.push_md(Metadata::String(s));
        }
        Ok(())
    }

    /// METADATA_ATTACHMENT inside a function: `[kind, node]*` for the
    /// function, `[instruction, (kind, node)*]` for an instruction (counting
    /// every instruction, void ones included).
    pub fn attachment_block(&mut self, h: &BlockHeader, fi: usize) -> Result<(), ReadError> {
        const ID: BlockId = BlockId::MetadataAttachment;
        self.each_record(h, |s, r| {
            if r.code != MetadataAttachmentCode::Attachment.code() {
                return Ok(());
            }
            let (target, pairs) = if r.ops.len() % 2 == 0 {
                (None, r.ops.as_slice())
            } else {
                (Some(r.ops[0]), &r.ops[1..])
            };
            let mut list = Vec::with_capacity(pairs.len() / 2);
            for pair in pairs.chunks(2) {
                list.push((s.md_kind(ID, &r, pair[0])?, s.md_id(ID, &r, pair[1])?));
            }
            let f = &mut s.m.functions[fi];
            match target {
                None => f.attachments.extend(list),
                Some(i) => {
                    let inst = usize::try_from(i)
                        .ok()
                        .and_then(|i| f.insts.get_mut(i))
                        .ok_or_else(|| {
                            rec_err(ID, &r, format!("instruction {i} is out of range"))
                        })?;
                    inst.attachments.extend(list);
                }
            }
            Ok(())
        })
    }
}
