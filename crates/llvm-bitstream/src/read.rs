//! A reader of the same format into a tree: it decodes a whole stream into
//! blocks and records, with bit offsets, through [`crate::Cursor`] (the
//! one bit reader), and never panics or allocates without bound on
//! malformed input.

use crate::cursor::{Cursor, Item, Record};
use crate::limits::MAX_BLOCK_DEPTH;
use crate::wrapper::{self, WrapperError};
use crate::{Abbrev, BlockHeader};

/// A malformed stream.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bit {bit_offset} (byte {byte}): {message}", byte = .bit_offset / 8)]
pub struct ReadError {
    /// Where, in bits from the start of the input.
    pub bit_offset: u64,
    /// What is wrong.
    pub message: String,
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
}

impl<'a> Reader<'a> {
    /// A reader over `data` (raw `BC` bitcode or a wrapped module).
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Decodes the whole input.
    ///
    /// # Errors
    /// The first malformed item, with its bit offset.
    pub fn read_stream(self) -> Result<Stream, ReadError> {
        let at_start = |message: &str| ReadError {
            bit_offset: 0,
            message: message.into(),
        };
        let (wrapper, data) = wrapper::unwrap(self.data).map_err(|e| {
            at_start(match e {
                WrapperError::Truncated { .. } => "truncated bitcode wrapper header",
                WrapperError::OutOfBounds { .. } => "wrapper offset/size point outside the input",
            })
        })?;
        let base = wrapper.map_or(0, |w| u64::from(w.offset) * 8);
        let at_base = |message: &str| ReadError {
            bit_offset: base,
            message: message.into(),
        };
        let Some(&[a, b, c, d]) = data.get(..4) else {
            return Err(at_base("too short for a bitcode magic"));
        };
        if data.len() % 4 != 0 {
            return Err(at_base("bitcode size is not a multiple of 4 bytes"));
        }
        let mut cursor = Cursor::with_base(data, base);
        cursor.read(32)?;
        let mut blocks = Vec::new();
        while let Some(header) = cursor.next_top_level()? {
            blocks.push(read_block(&mut cursor, &header, 0)?);
        }
        Ok(Stream {
            wrapper,
            magic: [a, b, c, d],
            blocks,
        })
    }
}

/// Reads the block `header` starts, nested blocks included.
fn read_block(
    cursor: &mut Cursor<'_>,
    header: &BlockHeader,
    depth: usize,
) -> Result<Block, ReadError> {
    if depth >= MAX_BLOCK_DEPTH {
        return Err(ReadError {
            bit_offset: header.bit_offset,
            message: "blocks nested too deeply".into(),
        });
    }
    let mut scope = cursor.enter(header);
    let mut entries = Vec::new();
    loop {
        let item = cursor.next_with(&mut scope, |bit_offset, ops| {
            entries.push(Entry::Abbrev {
                bit_offset,
                abbrev: Abbrev::new(ops.to_vec()),
            });
        })?;
        match item {
            Item::End => {
                return Ok(Block {
                    bit_offset: header.bit_offset,
                    id: header.id,
                    abbrev_width: header.abbrev_width,
                    length_words: header.length_words,
                    entries,
                })
            }
            Item::Block(inner) => {
                entries.push(Entry::Block(read_block(cursor, &inner, depth + 1)?))
            }
            Item::Record(r) => entries.push(Entry::Record(r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AbbrevOp, BitWriter};

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
