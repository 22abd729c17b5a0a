//! A reader of the same format: it decodes a whole stream into a tree of
//! blocks and records, with bit offsets, and never panics or allocates without
//! bound on malformed input.

use crate::wrapper::{self, WrapperError};
use crate::{
    decode_char6, Abbrev, AbbrevOp, BLOCKINFO_BLOCK_ID, BLOCKINFO_CODE_SETBID, DEFINE_ABBREV,
    END_BLOCK, ENTER_SUBBLOCK, FIRST_APPLICATION_ABBREV, UNABBREV_RECORD,
};

/// Nesting deeper than this is refused (LLVM bitcode nests at most ~4 deep).
const MAX_DEPTH: usize = 32;

/// A malformed stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bit {bit_offset} (byte {byte}): {message}", byte = .bit_offset / 8)]
pub struct ReadError {
    /// Where, in bits from the start of the input.
    pub bit_offset: u64,
    /// What is wrong.
    pub message: String,
}

/// One record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Bit offset of the record's abbreviation id.
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

/// One block with its contents in stream order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Bit offset of the ENTER_SUBBLOCK.
    pub bit_offset: u64,
    /// Block id.
    pub id: u32,
    /// Abbreviation width inside the block.
    pub abbrev_width: u32,
    /// Length in 32-bit words, as written.
    pub length_words: u32,
    /// Records and nested blocks in order.
    pub entries: Vec<Entry>,
}

/// An item inside a block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A record.
    Record(Record),
    /// A nested block.
    Block(Block),
    /// A DEFINE_ABBREV at this bit offset.
    Abbrev {
        /// Bit offset of the definition.
        bit_offset: u64,
        /// The abbreviation.
        abbrev: Abbrev,
    },
}

impl Block {
    /// The records directly in this block.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Record(r) => Some(r),
            _ => None,
        })
    }

    /// The blocks directly in this block.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Block(b) => Some(b),
            _ => None,
        })
    }
}

/// A decoded stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    /// The wrapper, when the input had one.
    pub wrapper: Option<wrapper::Header>,
    /// The four magic bytes.
    pub magic: [u8; 4],
    /// Top-level blocks.
    pub blocks: Vec<Block>,
}

/// Reads a bitstream.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    /// Bit position within `data`.
    pos: u64,
    /// Bit offset of `data` within the original input (for messages).
    base: u64,
    blockinfo: Vec<(u32, Vec<Abbrev>)>,
}

impl<'a> Reader<'a> {
    /// A reader over `data` (raw `BC` bitcode or a wrapped module).
    pub fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            base: 0,
            blockinfo: Vec::new(),
        }
    }

    fn err(&self, message: impl Into<String>) -> ReadError {
        ReadError {
            bit_offset: self.base + self.pos,
            message: message.into(),
        }
    }

    fn bits_left(&self) -> u64 {
        (self.data.len() as u64 * 8).saturating_sub(self.pos)
    }

    fn read(&mut self, bits: u32) -> Result<u64, ReadError> {
        if bits > 64 {
            return Err(self.err("field wider than 64 bits"));
        }
        if u64::from(bits) > self.bits_left() {
            return Err(self.err("unexpected end of stream"));
        }
        let mut value = 0u64;
        let mut got = 0u32;
        while got < bits {
            let byte = self.data[(self.pos / 8) as usize];
            let bit_in_byte = (self.pos % 8) as u32;
            let take = (8 - bit_in_byte).min(bits - got);
            let chunk = (u64::from(byte) >> bit_in_byte) & ((1u64 << take) - 1);
            value |= chunk << got;
            got += take;
            self.pos += u64::from(take);
        }
        Ok(value)
    }

    fn read_vbr(&mut self, bits: u32) -> Result<u64, ReadError> {
        if !(2..=32).contains(&bits) {
            return Err(self.err(format!("invalid vbr width {bits}")));
        }
        let hi = 1u64 << (bits - 1);
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let chunk = self.read(bits)?;
            let payload = chunk & (hi - 1);
            // Reject chunks whose payload would be shifted past bit 63.
            let shifted = payload.checked_shl(shift).filter(|v| v >> shift == payload);
            let Some(shifted) = shifted.filter(|_| shift < 64) else {
                return Err(self.err("vbr value does not fit in 64 bits"));
            };
            value |= shifted;
            if chunk & hi == 0 {
                return Ok(value);
            }
            shift += bits - 1;
        }
    }

    fn align32(&mut self) {
        self.pos = self.pos.div_ceil(32) * 32;
    }

    /// Decodes the whole input.
    ///
    /// # Errors
    /// The first malformed item, with its bit offset.
    pub fn read_stream(mut self) -> Result<Stream, ReadError> {
        let (wrapper, bitcode) = wrapper::unwrap(self.data).map_err(|e| {
            self.err(match e {
                WrapperError::Truncated { .. } => "truncated bitcode wrapper header",
                WrapperError::OutOfBounds { .. } => "wrapper offset/size point outside the input",
            })
        })?;
        if let Some(w) = wrapper {
            self.base = u64::from(w.offset) * 8;
            self.data = bitcode;
        }
        if self.data.len() < 4 {
            return Err(self.err("too short for a bitcode magic"));
        }
        if self.data.len() % 4 != 0 {
            return Err(self.err("bitcode size is not a multiple of 4 bytes"));
        }
        let magic = [self.data[0], self.data[1], self.data[2], self.data[3]];
        self.pos = 32;
        let mut blocks = Vec::new();
        while self.bits_left() >= 32 {
            let at = self.pos;
            let code = self.read(2)? as u32;
            if code != ENTER_SUBBLOCK {
                // LLVM pads the end with zeros in some producers; only zero
                // bits may follow the last block.
                if code == 0 && self.data[(at / 8) as usize..].iter().all(|b| *b == 0) {
                    break;
                }
                self.pos = at;
                return Err(self.err(format!(
                    "expected a block at the top level, found abbreviation id {code}"
                )));
            }
            blocks.push(self.read_block(at, 0)?);
        }
        Ok(Stream {
            wrapper,
            magic,
            blocks,
        })
    }

    fn read_block(&mut self, start: u64, depth: usize) -> Result<Block, ReadError> {
        if depth >= MAX_DEPTH {
            return Err(self.err("blocks nested too deeply"));
        }
        let id = self.read_vbr(8)? as u32;
        let width = self.read_vbr(4)? as u32;
        if width == 0 || width > 32 {
            return Err(self.err(format!("invalid abbreviation width {width}")));
        }
        self.align32();
        let length_words = self.read(32)? as u32;
        let end = self.pos + u64::from(length_words) * 32;
        if end > self.data.len() as u64 * 8 {
            return Err(self.err(format!(
                "block {id} claims {length_words} words, past the end of the stream"
            )));
        }
        let mut abbrevs: Vec<Abbrev> = self
            .blockinfo
            .iter()
            .find(|(b, _)| *b == id)
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let mut current_bid: Option<u32> = None;
        let mut entries = Vec::new();
        loop {
            if self.pos >= end {
                return Err(self.err(format!("block {id} ends without END_BLOCK")));
            }
            let at = self.pos;
            let code = self.read(width)? as u32;
            match code {
                END_BLOCK => {
                    self.align32();
                    if self.pos != end {
                        return Err(self.err(format!(
                            "block {id} ended at bit {} but its length says bit {end}",
                            self.base + self.pos
                        )));
                    }
                    return Ok(Block {
                        bit_offset: self.base + start,
                        id,
                        abbrev_width: width,
                        length_words,
                        entries,
                    });
                }
                ENTER_SUBBLOCK => {
                    let inner = self.read_block(at, depth + 1)?;
                    entries.push(Entry::Block(inner));
                }
                DEFINE_ABBREV => {
                    let abbrev = self.read_abbrev()?;
                    if id == BLOCKINFO_BLOCK_ID {
                        let bid = current_bid.ok_or_else(|| {
                            self.err("abbreviation in BLOCKINFO before any SETBID")
                        })?;
                        match self.blockinfo.iter_mut().find(|(b, _)| *b == bid) {
                            Some((_, list)) => list.push(abbrev.clone()),
                            None => self.blockinfo.push((bid, vec![abbrev.clone()])),
                        }
                    } else {
                        abbrevs.push(abbrev.clone());
                    }
                    entries.push(Entry::Abbrev {
                        bit_offset: self.base + at,
                        abbrev,
                    });
                }
                UNABBREV_RECORD => {
                    let rcode = self.read_vbr(6)?;
                    let n = self.read_vbr(6)?;
                    // Each operand takes at least 6 bits: a count beyond that
                    // is malformed, and must not drive an allocation.
                    if n > self.bits_left() / 6 {
                        return Err(self.err(format!("record claims {n} operands")));
                    }
                    let mut ops = Vec::with_capacity(n as usize);
                    for _ in 0..n {
                        ops.push(self.read_vbr(6)?);
                    }
                    let rcode = u32::try_from(rcode)
                        .map_err(|_| self.err("record code does not fit in 32 bits"))?;
                    if id == BLOCKINFO_BLOCK_ID && rcode == BLOCKINFO_CODE_SETBID {
                        let bid = ops
                            .first()
                            .copied()
                            .ok_or_else(|| self.err("empty SETBID"))?;
                        current_bid = Some(bid as u32);
                    }
                    entries.push(Entry::Record(Record {
                        bit_offset: self.base + at,
                        abbrev: None,
                        code: rcode,
                        ops,
                        blob: None,
                    }));
                }
                other => {
                    let index = (other - FIRST_APPLICATION_ABBREV) as usize;
                    let abbrev = abbrevs.get(index).cloned().ok_or_else(|| {
                        self.pos = at;
                        self.err(format!("undefined abbreviation id {other} in block {id}"))
                    })?;
                    let record = self.read_abbreviated(at, other, &abbrev)?;
                    entries.push(Entry::Record(record));
                }
            }
        }
    }

    fn read_abbrev(&mut self) -> Result<Abbrev, ReadError> {
        let n = self.read_vbr(5)?;
        if n == 0 || n > self.bits_left() {
            return Err(self.err(format!("abbreviation with {n} operands")));
        }
        let mut ops = Vec::with_capacity(n as usize);
        let mut i = 0;
        while i < n {
            let literal = self.read(1)? == 1;
            if literal {
                ops.push(AbbrevOp::Literal(self.read_vbr(8)?));
            } else {
                let enc = self.read(3)?;
                let op = match enc {
                    1 | 2 => {
                        let w = self.read_vbr(5)?;
                        if w > 64 {
                            return Err(self.err(format!("field width {w} is over 64")));
                        }
                        if enc == 1 {
                            AbbrevOp::Fixed(w as u32)
                        } else {
                            if w == 1 {
                                return Err(self.err("vbr width 1"));
                            }
                            AbbrevOp::Vbr(w as u32)
                        }
                    }
                    3 => AbbrevOp::Array,
                    4 => AbbrevOp::Char6,
                    5 => AbbrevOp::Blob,
                    e => return Err(self.err(format!("unknown operand encoding {e}"))),
                };
                ops.push(op);
            }
            i += 1;
        }
        // Array must be second to last; blob last.
        for (k, op) in ops.iter().enumerate() {
            match op {
                AbbrevOp::Array if k + 2 != ops.len() => {
                    return Err(self.err("array operand must be second to last"))
                }
                AbbrevOp::Blob if k + 1 != ops.len() => {
                    return Err(self.err("blob operand must be last"))
                }
                _ => {}
            }
        }
        if let Some(AbbrevOp::Array) = ops.len().checked_sub(2).and_then(|k| ops.get(k)) {
            if matches!(ops.last(), Some(AbbrevOp::Array | AbbrevOp::Blob)) {
                return Err(self.err("array of arrays or blobs"));
            }
        }
        Ok(Abbrev { ops })
    }

    fn read_scalar(&mut self, op: AbbrevOp) -> Result<u64, ReadError> {
        match op {
            AbbrevOp::Literal(v) => Ok(v),
            AbbrevOp::Fixed(0) | AbbrevOp::Vbr(0) => Ok(0),
            AbbrevOp::Fixed(w) => self.read(w),
            AbbrevOp::Vbr(w) => self.read_vbr(w),
            AbbrevOp::Char6 => Ok(u64::from(decode_char6(self.read(6)? as u8))),
            AbbrevOp::Array | AbbrevOp::Blob => Err(self.err("array or blob used as a scalar")),
        }
    }

    fn read_abbreviated(&mut self, at: u64, id: u32, abbrev: &Abbrev) -> Result<Record, ReadError> {
        let mut values = Vec::new();
        let mut blob = None;
        let mut k = 0;
        while k < abbrev.ops.len() {
            let op = abbrev.ops[k];
            match op {
                AbbrevOp::Array => {
                    let elem = abbrev.ops[k + 1];
                    let n = self.read_vbr(6)?;
                    let min_bits = match elem {
                        AbbrevOp::Fixed(w) | AbbrevOp::Vbr(w) => u64::from(w),
                        AbbrevOp::Char6 => 6,
                        _ => 0,
                    };
                    // Zero-width elements take no bits, so the count alone
                    // must be bounded.
                    let cap = self.bits_left().checked_div(min_bits).unwrap_or(1 << 20);
                    if n > cap {
                        return Err(self.err(format!("array of {n} elements does not fit")));
                    }
                    values.reserve(n as usize);
                    for _ in 0..n {
                        values.push(self.read_scalar(elem)?);
                    }
                    k += 2;
                    continue;
                }
                AbbrevOp::Blob => {
                    let n = self.read_vbr(6)?;
                    self.align32();
                    if n * 8 > self.bits_left() {
                        return Err(self.err(format!("blob of {n} bytes runs past the end")));
                    }
                    let start = (self.pos / 8) as usize;
                    blob = Some(self.data[start..start + n as usize].to_vec());
                    self.pos += n * 8;
                    self.align32();
                }
                scalar => values.push(self.read_scalar(scalar)?),
            }
            k += 1;
        }
        if values.is_empty() {
            return Err(self.err("abbreviated record without a code"));
        }
        let code = values.remove(0);
        let code =
            u32::try_from(code).map_err(|_| self.err("record code does not fit in 32 bits"))?;
        Ok(Record {
            bit_offset: self.base + at,
            abbrev: Some(id),
            code,
            ops: values,
            blob,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BitWriter;

    fn sample() -> Vec<u8> {
        let mut w = BitWriter::new();
        w.emit_magic();
        w.enter_blockinfo();
        let vst = w.define_blockinfo_abbrev(
            14,
            Abbrev::new(vec![
                AbbrevOp::Fixed(3),
                AbbrevOp::Vbr(8),
                AbbrevOp::Array,
                AbbrevOp::Fixed(8),
            ]),
        );
        w.exit_block();
        w.enter_block(8, 3);
        w.emit_record(1, &[2]);
        w.enter_block(14, 4);
        w.emit_record_with_abbrev(vst, 1, &[5, b'x'.into(), b'y'.into()]);
        w.exit_block();
        let blob = w.define_abbrev(Abbrev::new(vec![
            AbbrevOp::Literal(35),
            AbbrevOp::Vbr(6),
            AbbrevOp::Blob,
        ]));
        w.emit_record_with_blob(blob, 35, &[2], b"hello");
        w.exit_block();
        w.finish()
    }

    #[test]
    fn reads_what_the_writer_wrote() {
        let s = Reader::new(&sample()).read_stream().unwrap();
        assert_eq!(s.magic, *b"BC\xC0\xDE");
        assert_eq!(s.blocks.len(), 2);
        let module = &s.blocks[1];
        let recs: Vec<_> = module.records().collect();
        assert_eq!((recs[0].code, recs[0].ops.clone()), (1, vec![2]));
        assert_eq!(recs[1].code, 35);
        assert_eq!(recs[1].blob.as_deref(), Some(&b"hello"[..]));
        let vst = module.blocks().next().unwrap();
        let r = vst.records().next().unwrap();
        assert_eq!(r.abbrev, Some(4));
        assert_eq!(
            (r.code, r.ops.clone()),
            (1, vec![5, u64::from(b'x'), u64::from(b'y')])
        );
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error_not_a_panic() {
        let bytes = sample();
        for len in 0..bytes.len() {
            let _ = Reader::new(&bytes[..len]).read_stream();
        }
        for i in 0..bytes.len() * 8 {
            let mut b = bytes.clone();
            b[i / 8] ^= 1 << (i % 8);
            let _ = Reader::new(&b).read_stream();
        }
    }
}
