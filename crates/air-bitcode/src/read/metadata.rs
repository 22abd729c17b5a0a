//! METADATA, METADATA_KIND and METADATA_ATTACHMENT blocks.
//!
//! Metadata ids count records in order (a STRINGS record defines `count`
//! ids); tuples may refer to ids defined later in the block, so their
//! operands, named metadata and global attachments are mapped to model ids
//! when the block ends.

use air_ir::debuginfo::{FieldType, Rec};
use air_ir::inst::Value;
use air_ir::types::Type;
use air_ir::{DiKind, DiNode, DiValue, InstId, MetaId, Metadata, NamedMetadata, TypeId};

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
    /// Debug-info records: the placeholder item, its kind, the record.
    di: Vec<(MetaId, DiKind, Record)>,
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
                _ if DiKind::from_code(r.code).is_some() => {
                    let kind = DiKind::from_code(r.code).unwrap_or(DiKind::Location);
                    if kind == DiKind::ArgList && local.is_none() {
                        return Err(rec_err(ID, &r, "a DIArgList outside a function"));
                    }
                    let id = s.push_md(Metadata::Di(DiNode::new(kind, false)));
                    d.di.push((id, kind, r));
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
        for (id, kind, r) in d.di {
            let node = self.di_node(kind, &r)?;
            if kind == DiKind::Location && !node.distinct {
                if let Some(key) = location_key(&node) {
                    self.locations.entry(key).or_insert(id);
                }
            }
            self.m.metadata[id.0 as usize] = Metadata::Di(node);
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

    /// A debug-info record, decoded by its kind's record layout
    /// (`air_ir::debuginfo::KINDS`): the layouts LLVM 14 writes, plus the
    /// trailing 0 of Apple's subprograms.
    fn di_node(&self, kind: DiKind, r: &Record) -> Result<DiNode, ReadError> {
        const ID: BlockId = BlockId::Metadata;
        let info = kind.info();
        let mut node = DiNode::new(kind, false);
        let ops = &r.ops;
        let mut pos = 0;
        let short = || {
            rec_err(
                ID,
                r,
                format!(
                    "too few operands for !{} (the layout LLVM 14 writes)",
                    info.name
                ),
            )
        };
        let md = |v: u64| -> Result<DiValue, ReadError> {
            Ok(match v {
                0 => DiValue::Null,
                v => DiValue::Md(self.md_id(ID, r, v - 1)?),
            })
        };
        for rec in info.record {
            match *rec {
                Rec::Header { bits, flags } => {
                    let v = *ops.get(pos).ok_or_else(short)?;
                    pos += 1;
                    node.distinct = v & 1 != 0;
                    let mut known = 1 | bits;
                    for &(i, shift) in flags {
                        known |= 1 << shift;
                        node.fields[i] = DiValue::Int((v >> shift) & 1);
                    }
                    if v & !known != 0 || v & bits != bits {
                        return Err(rec_err(
                            ID,
                            r,
                            format!(
                                "!{} record header {v:#x}: an older layout than LLVM 14 writes",
                                info.name
                            ),
                        ));
                    }
                }
                Rec::Field(i) | Rec::Optional(i) => {
                    let Some(&v) = ops.get(pos) else {
                        if matches!(rec, Rec::Optional(_)) {
                            node.fields[i] = DiValue::Absent;
                            continue;
                        }
                        return Err(short());
                    };
                    pos += 1;
                    node.fields[i] = match info.fields[i].ty {
                        FieldType::Md { .. }
                        | FieldType::Str { .. }
                        | FieldType::OptStr
                        | FieldType::SignedOrMd { .. } => md(v)?,
                        ty => DiValue::Int(normalise(ty, v)),
                    };
                }
                Rec::Id(i) => {
                    let v = *ops.get(pos).ok_or_else(short)?;
                    pos += 1;
                    node.fields[i] = DiValue::Md(self.md_id(ID, r, v)?);
                }
                Rec::Const(c) => {
                    let v = *ops.get(pos).ok_or_else(short)?;
                    pos += 1;
                    if v != c {
                        return Err(rec_err(
                            ID,
                            r,
                            format!("operand {} of !{} is {v}, not {c}", pos - 1, info.name),
                        ));
                    }
                }
                Rec::WideWidth(i) => {
                    let width = *ops.get(pos).ok_or_else(short)?;
                    pos += 1;
                    if width == 0 || width > u64::from(MAX_WIDE_BITS) {
                        return Err(rec_err(ID, r, format!("bit width {width} is invalid")));
                    }
                    node.fields[i] = DiValue::Wide {
                        width: width as u32,
                        words: Vec::new(),
                    };
                }
                Rec::WideWords(i) => {
                    let rest = ops.get(pos..).unwrap_or_default();
                    if rest.is_empty() {
                        return Err(short());
                    }
                    pos = ops.len();
                    let decoded: Vec<u64> =
                        rest.iter().map(|v| unsigned_of_signed_vbr(*v)).collect();
                    if let DiValue::Wide { width, words } = &mut node.fields[i] {
                        *words = air_ir::ApInt::from_words(*width, &decoded).words().to_vec();
                    }
                }
                Rec::Ints(i) => {
                    node.fields[i] = DiValue::Ints(ops.get(pos..).unwrap_or_default().to_vec());
                    pos = ops.len();
                }
                Rec::Ids(i) | Rec::Ids0(i) => {
                    let mut list = Vec::new();
                    for &v in ops.get(pos..).unwrap_or_default() {
                        list.push(match rec {
                            Rec::Ids0(_) => Some(self.md_id(ID, r, v)?),
                            _ if v == 0 => None,
                            _ => Some(self.md_id(ID, r, v - 1)?),
                        });
                    }
                    pos = ops.len();
                    node.fields[i] = DiValue::Mds(list);
                }
                Rec::AppleZero => {
                    // Apple's writer adds a field LLVM 15 defines (the
                    // target function name); it is always empty there.
                    if let Some(&v) = ops.get(pos) {
                        pos += 1;
                        if v != 0 {
                            return Err(rec_err(
                                ID,
                                r,
                                "a subprogram target function name is not supported by the IR model",
                            ));
                        }
                    }
                }
            }
        }
        if pos != ops.len() {
            return Err(rec_err(
                ID,
                r,
                format!(
                    "{} operands for !{}, more than the layout LLVM 14 writes",
                    ops.len(),
                    info.name
                ),
            ));
        }
        Ok(node)
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

/// The widest `DIEnumerator` value read (LLVM's largest integer type has
/// 2^23 - 1 bits; wider values would only let a record ask for huge
/// allocations).
const MAX_WIDE_BITS: u32 = (1 << 23) - 1;

/// `decodeSignRotatedValue`: the raw 64 bits of a signed VBR operand.
fn unsigned_of_signed_vbr(v: u64) -> u64 {
    if v & 1 == 0 {
        v >> 1
    } else if v != 1 {
        (v >> 1).wrapping_neg()
    } else {
        // "-0" stands for the most negative value.
        1 << 63
    }
}

/// An integer field as the model keeps it, from its record operand: cut to
/// the field's width as LLVM's reader does when it stores the operand.
fn normalise(ty: FieldType, v: u64) -> u64 {
    match ty {
        FieldType::Bool => u64::from(v != 0),
        FieldType::Unsigned { max } | FieldType::Keyword { max, .. }
            if max < u64::MAX && (max + 1).is_power_of_two() =>
        {
            v & max
        }
        FieldType::Keyword { .. } => v & u64::from(u32::MAX),
        FieldType::Signed { .. } => v as u32 as i32 as i64 as u64,
        FieldType::DiFlags | FieldType::SpFlags => v & u64::from(u32::MAX),
        FieldType::AddressSpace => {
            if v == 0 {
                0
            } else {
                u64::from((v - 1) as u32) + 1
            }
        }
        _ => v,
    }
}

/// The fields a uniqued `DILocation` is found by.
pub(super) fn location_key(node: &DiNode) -> Option<(u64, u64, MetaId, Option<MetaId>, u64)> {
    Some((
        node.int("line"),
        node.int("column"),
        node.md("scope")?,
        node.md("inlinedAt"),
        node.int("isImplicitCode"),
    ))
}
