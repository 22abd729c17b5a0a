//! The bit reader: a streaming cursor over one bitstream. Blocks are entered
//! or skipped one at a time, records are decoded one at a time, and
//! BLOCKINFO abbreviations are applied as LLVM's `BitstreamCursor` applies
//! them.
//!
//! It is the only reader of bits in the workspace: [`crate::Reader`] builds
//! its tree of blocks with it, and the IR reader (`air_bitcode::read`)
//! walks the stream with it directly, skipping the blocks it does not need
//! (SYMTAB, USELIST) without decoding them and keeping at most one
//! record's operands alive at a time.
//!
//! The limits here are what keep hostile input from hanging or exhausting
//! memory: every count is checked against the bits left before anything is
//! allocated, every array element must cost at least one bit of input, an
//! abbreviation has at most 64 operands and a nested block must end inside
//! its parent. Errors carry the bit offset in the caller's input (see
//! [`Cursor::with_base`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::{
    decode_char6, AbbrevOp, ReadError, BLOCKINFO_BLOCK_ID, BLOCKINFO_CODE_SETBID, DEFINE_ABBREV,
    END_BLOCK, ENTER_SUBBLOCK, FIRST_APPLICATION_ABBREV, UNABBREV_RECORD,
};

use crate::limits::MAX_ABBREV_OPS;

/// One record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Bit offset of the record's abbreviation id in the input.
    pub bit_offset: u64,
    /// The abbreviation used (`None` = unabbreviated).
    pub abbrev: Option<u32>,
    /// The record code.
    pub code: u32,
    /// Operands (array elements included; a blob is separate).
    pub ops: Vec<u64>,
    /// The blob, if the abbreviation has one.
    pub blob: Option<Vec<u8>>,
}

/// What the cursor found next inside a block.
#[derive(Debug)]
pub enum Item {
    /// The block ended (its END_BLOCK was read and checked).
    End,
    /// A nested block starts; enter it with [`Cursor::enter`] or skip it
    /// with [`Cursor::skip`].
    Block(BlockHeader),
    /// A record.
    Record(Record),
}

/// The header of a block that has not been entered yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Bit offset of the ENTER_SUBBLOCK abbreviation id in the input.
    pub bit_offset: u64,
    /// Block id.
    pub id: u32,
    /// Abbreviation width inside the block.
    pub abbrev_width: u32,
    /// Length in 32-bit words, as written.
    pub length_words: u32,
    /// Bit position (within the stream) of the block's contents.
    body: u64,
    /// Bit position of the first bit after the block.
    end: u64,
}

/// A block being read: its abbreviation width, its end and its
/// abbreviations (BLOCKINFO's first, then its own).
#[derive(Debug)]
pub struct Scope {
    id: u32,
    width: u32,
    end: u64,
    abbrevs: Vec<Arc<[AbbrevOp]>>,
    /// In BLOCKINFO: the block the following definitions belong to.
    blockinfo_target: Option<u32>,
}

impl Scope {
    /// The block's id.
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// The cursor over one raw bitstream (any wrapper already taken off, see
/// [`crate::wrapper`]).
///
/// ```
/// use llvm_bitstream::{BitWriter, Cursor, Item};
///
/// let mut w = BitWriter::new();
/// w.emit_magic();
/// w.enter_block(8, 3);
/// w.emit_record(2, &[7, 300]);
/// w.exit_block();
/// let bytes = w.finish();
///
/// let mut c = Cursor::new(&bytes);
/// c.read(32).unwrap(); // the magic
/// let header = c.next_top_level().unwrap().unwrap();
/// assert_eq!(header.id, 8);
/// let mut scope = c.enter(&header);
/// let Item::Record(r) = c.next(&mut scope).unwrap() else { panic!() };
/// assert_eq!((r.code, r.ops), (2, vec![7, 300]));
/// assert!(matches!(c.next(&mut scope).unwrap(), Item::End));
/// ```
#[derive(Debug)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: u64,
    /// Bit offset of `data` in the caller's input, for offsets.
    base: u64,
    blockinfo: HashMap<u32, Vec<Arc<[AbbrevOp]>>>,
}

impl<'a> Cursor<'a> {
    /// A cursor at bit 0 of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self::with_base(data, 0)
    }

    /// A cursor at bit 0 of `data`, which starts `base` bits into the
    /// caller's input: every offset the cursor reports counts from there.
    pub fn with_base(data: &'a [u8], base: u64) -> Self {
        Cursor {
            data,
            pos: 0,
            base,
            blockinfo: HashMap::new(),
        }
    }

    /// The current position in the caller's input, in bits.
    pub fn bit(&self) -> u64 {
        self.base + self.pos
    }

    /// Bits left in the stream.
    #[inline]
    pub fn bits_left(&self) -> u64 {
        (self.data.len() as u64 * 8).saturating_sub(self.pos)
    }

    fn err(&self, at: u64, message: impl Into<String>) -> ReadError {
        ReadError {
            bit_offset: self.base + at,
            message: message.into(),
        }
    }

    /// Reads `bits` (≤ 64) bits, least significant first.
    ///
    /// # Errors
    /// A width over 64, or fewer bits left than asked for.
    #[inline]
    pub fn read(&mut self, bits: u32) -> Result<u64, ReadError> {
        if bits > 64 {
            return Err(self.err(self.pos, "field wider than 64 bits"));
        }
        if u64::from(bits) > self.bits_left() {
            return Err(self.err(self.pos, "unexpected end of the bitstream"));
        }
        let byte = (self.pos / 8) as usize;
        let shift = (self.pos % 8) as u32;
        // Most fields lie in the eight bytes from the current one: one load.
        let word = self
            .data
            .get(byte..byte + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok());
        let value = match word {
            Some(word) if bits + shift <= 64 => {
                let v = u64::from_le_bytes(word) >> shift;
                if bits == 64 {
                    v
                } else {
                    v & ((1u64 << bits) - 1)
                }
            }
            _ => self.read_bytewise(bits),
        };
        self.pos += u64::from(bits);
        Ok(value)
    }

    /// [`Cursor::read`] near the end of the stream or across nine bytes,
    /// a byte at a time; the caller checked that the bits are there.
    fn read_bytewise(&self, bits: u32) -> u64 {
        let mut pos = self.pos;
        let mut value = 0u64;
        let mut got = 0u32;
        while got < bits {
            let byte = self.data.get((pos / 8) as usize).copied().unwrap_or(0);
            let bit_in_byte = (pos % 8) as u32;
            let take = (8 - bit_in_byte).min(bits - got);
            let chunk = (u64::from(byte) >> bit_in_byte) & ((1u64 << take) - 1);
            value |= chunk << got;
            got += take;
            pos += u64::from(take);
        }
        value
    }

    /// Reads a VBR number with `bits`-wide chunks; values past 64 bits are
    /// errors, not silently truncated.
    ///
    /// # Errors
    /// A chunk width outside 2..=32, the end of the stream, or a value
    /// over 64 bits.
    #[inline]
    pub fn read_vbr(&mut self, bits: u32) -> Result<u64, ReadError> {
        if !(2..=32).contains(&bits) {
            return Err(self.err(self.pos, format!("invalid VBR width {bits}")));
        }
        let hi = 1u64 << (bits - 1);
        let chunk = self.read(bits)?;
        if chunk & hi == 0 {
            return Ok(chunk);
        }
        self.read_vbr_rest(bits, chunk & (hi - 1))
    }

    /// The chunks of a VBR number after its first, `value` so far.
    fn read_vbr_rest(&mut self, bits: u32, mut value: u64) -> Result<u64, ReadError> {
        let hi = 1u64 << (bits - 1);
        let mut shift = bits - 1;
        loop {
            let chunk = self.read(bits)?;
            let payload = chunk & (hi - 1);
            if shift >= 64 || (payload << shift) >> shift != payload {
                return Err(self.err(self.pos, "VBR value does not fit in 64 bits"));
            }
            value |= payload << shift;
            if chunk & hi == 0 {
                return Ok(value);
            }
            shift += bits - 1;
        }
    }

    fn align32(&mut self) {
        self.pos = self.pos.div_ceil(32) * 32;
    }

    /// Reads the next top-level item: a block header, or `None` at the end
    /// (only zero padding may follow the last block).
    ///
    /// # Errors
    /// Anything but a block or trailing zeros, or a malformed header.
    pub fn next_top_level(&mut self) -> Result<Option<BlockHeader>, ReadError> {
        if self.bits_left() < 32 {
            return Ok(None);
        }
        let at = self.pos;
        let code = self.read(2)? as u32;
        if code != ENTER_SUBBLOCK {
            let rest = self.data.get((at / 8) as usize..).unwrap_or_default();
            if code == END_BLOCK && rest.iter().all(|b| *b == 0) {
                self.pos = self.data.len() as u64 * 8;
                return Ok(None);
            }
            return Err(self.err(
                at,
                format!("expected a block at the top level, found abbreviation id {code}"),
            ));
        }
        self.block_header(at, self.data.len() as u64 * 8).map(Some)
    }

    /// Reads a block header after its ENTER_SUBBLOCK id; `limit` is the end
    /// of the enclosing block, which a nested block must not pass.
    fn block_header(&mut self, at: u64, limit: u64) -> Result<BlockHeader, ReadError> {
        let id = self.read_vbr(8)?;
        let id = u32::try_from(id).map_err(|_| self.err(at, format!("block id {id}")))?;
        let width = self.read_vbr(4)?;
        if width == 0 || width > 32 {
            return Err(self.err(at, format!("invalid abbreviation width {width}")));
        }
        self.align32();
        let words = self.read(32)?;
        let body = self.pos;
        let end = body + words * 32;
        if end > limit {
            return Err(self.err(
                at,
                format!("block {id} claims {words} words, past the end of its parent"),
            ));
        }
        Ok(BlockHeader {
            bit_offset: self.base + at,
            id,
            abbrev_width: width as u32,
            length_words: words as u32,
            body,
            end,
        })
    }

    /// Enters a block whose header was just read.
    pub fn enter(&mut self, header: &BlockHeader) -> Scope {
        self.pos = header.body;
        Scope {
            id: header.id,
            width: header.abbrev_width,
            end: header.end,
            abbrevs: self.blockinfo.get(&header.id).cloned().unwrap_or_default(),
            blockinfo_target: None,
        }
    }

    /// Skips a block whose header was just read, without decoding it.
    pub fn skip(&mut self, header: &BlockHeader) {
        self.pos = header.end;
    }

    /// The next item of the block `scope`. DEFINE_ABBREV is handled here
    /// (in BLOCKINFO it registers the abbreviation for the SETBID block).
    ///
    /// # Errors
    /// The first malformed item, at its bit offset.
    #[inline]
    pub fn next(&mut self, scope: &mut Scope) -> Result<Item, ReadError> {
        self.next_with(scope, |_, _| {})
    }

    /// [`Cursor::next`], calling `on_abbrev` with the bit offset and the
    /// operands of each DEFINE_ABBREV it reads on the way (for dumps).
    ///
    /// # Errors
    /// The first malformed item, at its bit offset.
    pub fn next_with(
        &mut self,
        scope: &mut Scope,
        mut on_abbrev: impl FnMut(u64, &[AbbrevOp]),
    ) -> Result<Item, ReadError> {
        loop {
            if self.pos >= scope.end {
                return Err(self.err(
                    self.pos,
                    format!("block {} ends without END_BLOCK", scope.id),
                ));
            }
            let at = self.pos;
            let id = self.read(scope.width)? as u32;
            match id {
                END_BLOCK => {
                    self.align32();
                    if self.pos != scope.end {
                        return Err(self.err(
                            at,
                            format!(
                                "block {} ends at bit {} but its length says bit {}",
                                scope.id,
                                self.base + self.pos,
                                self.base + scope.end
                            ),
                        ));
                    }
                    return Ok(Item::End);
                }
                ENTER_SUBBLOCK => return self.block_header(at, scope.end).map(Item::Block),
                DEFINE_ABBREV => {
                    let abbrev = self.read_abbrev(at)?;
                    on_abbrev(self.base + at, &abbrev);
                    if scope.id == BLOCKINFO_BLOCK_ID {
                        let target = scope.blockinfo_target.ok_or_else(|| {
                            self.err(at, "abbreviation in BLOCKINFO before any SETBID")
                        })?;
                        self.blockinfo.entry(target).or_default().push(abbrev);
                    } else {
                        scope.abbrevs.push(abbrev);
                    }
                }
                UNABBREV_RECORD => {
                    let code = self.read_vbr(6)?;
                    let n = self.read_vbr(6)?;
                    // Each operand takes at least 6 bits.
                    if n > self.bits_left() / 6 {
                        return Err(self.err(at, format!("record claims {n} operands")));
                    }
                    let mut ops = Vec::with_capacity(n as usize);
                    for _ in 0..n {
                        ops.push(self.read_vbr(6)?);
                    }
                    let record = self.finish_record(at, None, code, ops, None)?;
                    if scope.id == BLOCKINFO_BLOCK_ID && record.code == BLOCKINFO_CODE_SETBID {
                        let bid = record.ops.first().copied().unwrap_or(u64::MAX);
                        scope.blockinfo_target = Some(
                            u32::try_from(bid)
                                .map_err(|_| self.err(at, "SETBID without a valid block id"))?,
                        );
                    }
                    return Ok(Item::Record(record));
                }
                other => {
                    let index = (other - FIRST_APPLICATION_ABBREV) as usize;
                    let abbrev = scope.abbrevs.get(index).ok_or_else(|| {
                        self.err(
                            at,
                            format!("undefined abbreviation id {other} in block {}", scope.id),
                        )
                    })?;
                    return self.read_abbreviated(at, other, abbrev).map(Item::Record);
                }
            }
        }
    }

    fn finish_record(
        &self,
        at: u64,
        abbrev: Option<u32>,
        code: u64,
        ops: Vec<u64>,
        blob: Option<Vec<u8>>,
    ) -> Result<Record, ReadError> {
        let code = u32::try_from(code)
            .map_err(|_| self.err(at, format!("record code {code} does not fit in 32 bits")))?;
        Ok(Record {
            bit_offset: self.base + at,
            abbrev,
            code,
            ops,
            blob,
        })
    }

    fn read_abbrev(&mut self, at: u64) -> Result<Arc<[AbbrevOp]>, ReadError> {
        let n = self.read_vbr(5)?;
        if n == 0 || n > MAX_ABBREV_OPS {
            return Err(self.err(at, format!("abbreviation with {n} operands")));
        }
        let mut ops = Vec::with_capacity(n as usize);
        for _ in 0..n {
            if self.read(1)? == 1 {
                ops.push(AbbrevOp::Literal(self.read_vbr(8)?));
                continue;
            }
            let op = match self.read(3)? {
                enc @ (1 | 2) => {
                    let w = self.read_vbr(5)?;
                    match (enc, w) {
                        // LLVM reads zero-width fields as the literal 0.
                        (_, 0) => AbbrevOp::Literal(0),
                        (1, 1..=64) => AbbrevOp::Fixed(w as u32),
                        (2, 2..=32) => AbbrevOp::Vbr(w as u32),
                        _ => return Err(self.err(at, format!("invalid field width {w}"))),
                    }
                }
                3 => AbbrevOp::Array,
                4 => AbbrevOp::Char6,
                5 => AbbrevOp::Blob,
                e => return Err(self.err(at, format!("unknown operand encoding {e}"))),
            };
            ops.push(op);
        }
        for (k, op) in ops.iter().enumerate() {
            match op {
                AbbrevOp::Array => {
                    if k + 2 != ops.len() {
                        return Err(self.err(at, "an array operand must be second to last"));
                    }
                    // An element must cost input bits, or a short record
                    // could claim billions of them.
                    if !matches!(
                        ops[k + 1],
                        AbbrevOp::Fixed(_) | AbbrevOp::Vbr(_) | AbbrevOp::Char6
                    ) {
                        return Err(self.err(at, "array elements must be fixed, VBR or char6"));
                    }
                }
                AbbrevOp::Blob if k + 1 != ops.len() => {
                    return Err(self.err(at, "a blob operand must be last"))
                }
                _ => {}
            }
        }
        if matches!(ops.first(), Some(AbbrevOp::Array | AbbrevOp::Blob)) {
            return Err(self.err(at, "an abbreviation must start with the record code"));
        }
        Ok(ops.into())
    }

    #[inline]
    fn read_scalar(&mut self, op: AbbrevOp) -> Result<u64, ReadError> {
        match op {
            AbbrevOp::Literal(v) => Ok(v),
            AbbrevOp::Fixed(w) => self.read(w),
            AbbrevOp::Vbr(w) => self.read_vbr(w),
            AbbrevOp::Char6 => Ok(u64::from(decode_char6(self.read(6)? as u8))),
            AbbrevOp::Array | AbbrevOp::Blob => {
                Err(self.err(self.pos, "array or blob used as a scalar"))
            }
        }
    }

    fn read_abbreviated(
        &mut self,
        at: u64,
        id: u32,
        abbrev: &[AbbrevOp],
    ) -> Result<Record, ReadError> {
        // `read_abbrev` never returns an empty list.
        let Some((&first, rest)) = abbrev.split_first() else {
            return Err(self.err(at, "an abbreviation without operands"));
        };
        let code = self.read_scalar(first)?;
        let mut ops = Vec::new();
        let mut blob = None;
        let mut k = 0;
        while k < rest.len() {
            match rest[k] {
                AbbrevOp::Array => {
                    // `read_abbrev` checked that an element op follows.
                    let elem = rest.get(k + 1).copied().unwrap_or(AbbrevOp::Fixed(1));
                    let n = self.read_vbr(6)?;
                    let min_bits = match elem {
                        AbbrevOp::Fixed(w) | AbbrevOp::Vbr(w) => u64::from(w),
                        _ => 6,
                    };
                    if n > self.bits_left() / min_bits {
                        return Err(self.err(at, format!("array of {n} elements does not fit")));
                    }
                    ops.reserve(n as usize);
                    for _ in 0..n {
                        ops.push(self.read_scalar(elem)?);
                    }
                    k += 2;
                }
                AbbrevOp::Blob => {
                    let n = self.read_vbr(6)?;
                    self.align32();
                    if n > self.bits_left() / 8 {
                        return Err(self.err(at, format!("blob of {n} bytes runs past the end")));
                    }
                    let start = (self.pos / 8) as usize;
                    blob = Some(self.data[start..start + n as usize].to_vec());
                    self.pos += n * 8;
                    self.align32();
                    k += 1;
                }
                scalar => {
                    ops.push(self.read_scalar(scalar)?);
                    k += 1;
                }
            }
        }
        self.finish_record(at, Some(id), code, ops, blob)
    }
}
