//! The LLVM bitstream container format, as LLVM 14 writes it.
//!
//! This crate knows nothing about LLVM IR: it writes and reads bits, VBR
//! numbers, char6 letters, abbreviations, BLOCKINFO and nested blocks, and
//! takes the Darwin bitcode wrapper on and off ([`wrapper`]). The bitcode
//! writer builds on [`BitWriter`]; the IR reader walks streams with the
//! [`Cursor`], the one bit reader; [`Reader`] builds a whole tree of blocks
//! with it for tests, dumps and `inspect`.
//!
//! The writer mirrors LLVM's `BitstreamWriter` so that the bytes match it
//! exactly: values are packed least-significant bit first into 32-bit
//! little-endian words, a block's length word is back-patched when the block
//! ends, and abbreviations registered in BLOCKINFO are numbered before the
//! block's own.
//!
//! ```
//! use llvm_bitstream::{Abbrev, AbbrevOp, BitWriter, Reader};
//!
//! let mut w = BitWriter::new();
//! w.emit_magic();
//! w.enter_block(8, 3);
//! let abbrev = w.define_abbrev(Abbrev::new(vec![
//!     AbbrevOp::Literal(1),
//!     AbbrevOp::Array,
//!     AbbrevOp::Char6,
//! ]));
//! w.emit_record_with_abbrev(abbrev, 1, &[104, 105]); // "hi" in char6
//! w.emit_record(2, &[7, 300]);
//! w.exit_block();
//! let bytes = w.finish();
//!
//! let stream = Reader::new(&bytes).read_stream().unwrap();
//! let block = &stream.blocks[0];
//! assert_eq!(block.id, 8);
//! let records: Vec<_> = block.records().collect();
//! assert_eq!(records[0].ops, vec![104, 105]);
//! assert_eq!((records[1].code, records[1].ops.clone()), (2, vec![7, 300]));
//! ```
//!
//! # Limits
//!
//! The readers take hostile bytes: every length (VBR arrays, char6 arrays,
//! blobs, block lengths) is checked against the bits that are actually left
//! before anything is allocated, abbreviations have at most 64 operands, a
//! nested block must end inside its parent, and the tree reader refuses
//! nesting deeper than
//! [`limits::MAX_BLOCK_DEPTH`] (32), so memory stays within a small multiple of the
//! input (fuzz targets `bitstream_read` and `bitcode_read`, see
//! ROBUSTNESS.md).

#![deny(missing_docs)]

mod cursor;
pub mod limits;
mod read;
pub mod wrapper;
mod write;

pub use cursor::{BlockHeader, Cursor, Item, Record, Scope};
pub use read::{Block, Entry, ReadError, Reader, Stream};
/// The Darwin wrapper's header, as [`Stream::wrapper`] holds it.
pub use wrapper::Header as Wrapper;
pub use write::{BitWriter, Bits};

/// Abbreviation id of END_BLOCK.
pub const END_BLOCK: u32 = 0;
/// Abbreviation id of ENTER_SUBBLOCK.
pub const ENTER_SUBBLOCK: u32 = 1;
/// Abbreviation id of DEFINE_ABBREV.
pub const DEFINE_ABBREV: u32 = 2;
/// Abbreviation id of an unabbreviated record.
pub const UNABBREV_RECORD: u32 = 3;
/// The first id of a user abbreviation.
pub const FIRST_APPLICATION_ABBREV: u32 = 4;

/// Block id of BLOCKINFO.
pub const BLOCKINFO_BLOCK_ID: u32 = 0;
/// BLOCKINFO record: select the block the following abbreviations belong to.
pub const BLOCKINFO_CODE_SETBID: u32 = 1;
/// BLOCKINFO record: a block's name.
pub const BLOCKINFO_CODE_BLOCKNAME: u32 = 2;
/// BLOCKINFO record: a record's name.
pub const BLOCKINFO_CODE_SETRECORDNAME: u32 = 3;

/// One operand of an abbreviation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbbrevOp {
    /// A constant; nothing is emitted.
    Literal(u64),
    /// A fixed-width field of `n` bits.
    Fixed(u32),
    /// A variable-width field in chunks of `n` bits.
    Vbr(u32),
    /// An array: a vbr6 length, then elements encoded by the next (last) op.
    Array,
    /// A 6-bit character from `[a-zA-Z0-9._]`.
    Char6,
    /// A blob: a vbr6 length, 32-bit alignment, bytes, 32-bit alignment.
    Blob,
}

impl AbbrevOp {
    /// The encoding number DEFINE_ABBREV writes, and whether it carries a width.
    fn encoding(self) -> (u64, Option<u32>) {
        match self {
            AbbrevOp::Literal(_) => (0, None),
            AbbrevOp::Fixed(w) => (1, Some(w)),
            AbbrevOp::Vbr(w) => (2, Some(w)),
            AbbrevOp::Array => (3, None),
            AbbrevOp::Char6 => (4, None),
            AbbrevOp::Blob => (5, None),
        }
    }
}

/// An abbreviation: a record layout.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Abbrev {
    /// The operands; the first describes the record code.
    pub ops: Vec<AbbrevOp>,
}

impl Abbrev {
    /// An abbreviation from its operands.
    pub fn new(ops: Vec<AbbrevOp>) -> Self {
        Abbrev { ops }
    }
}

/// Encodes a character as char6, if it has one.
pub fn encode_char6(c: u8) -> Option<u8> {
    match c {
        b'a'..=b'z' => Some(c - b'a'),
        b'A'..=b'Z' => Some(c - b'A' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'.' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// Decodes a char6 value.
pub fn decode_char6(v: u8) -> u8 {
    match v & 63 {
        v @ 0..=25 => b'a' + v,
        v @ 26..=51 => b'A' + (v - 26),
        v @ 52..=61 => b'0' + (v - 52),
        62 => b'.',
        _ => b'_',
    }
}

/// Whether every byte of `s` has a char6 encoding.
pub fn is_char6(s: &[u8]) -> bool {
    s.iter().all(|c| encode_char6(*c).is_some())
}
