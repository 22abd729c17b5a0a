//! The bit writer.

use crate::{
    encode_char6, Abbrev, AbbrevOp, BLOCKINFO_BLOCK_ID, BLOCKINFO_CODE_SETBID, DEFINE_ABBREV,
    END_BLOCK, ENTER_SUBBLOCK, FIRST_APPLICATION_ABBREV, UNABBREV_RECORD,
};

/// What `exit_block` restores.
#[derive(Debug)]
struct Scope {
    prev_code_width: u32,
    /// Where the enclosing block's abbreviations start in `abbrevs`.
    prev_abbrev_base: usize,
    /// Word index of the block's length placeholder.
    size_word: usize,
}

/// An abbreviation's operands as a range of `BitWriter::ops`. Abbreviations
/// are stored once and referred to by range, so entering a block (which
/// inherits its BLOCKINFO abbreviations) and emitting an abbreviated record
/// copy two integers instead of cloning operand vectors.
#[derive(Clone, Copy, Debug)]
struct AbbrevRange {
    start: u32,
    len: u32,
}

/// The bit sink: packs values least-significant bit first into 32-bit
/// little-endian words, as `BitstreamWriter::Emit` does. Kept apart from the
/// abbreviation state so records can read their abbreviation while emitting.
#[derive(Debug, Default)]
struct Sink {
    out: Vec<u8>,
    /// Pending bits; fewer than 32 between calls.
    cur_value: u64,
    cur_bit: u32,
}

impl Sink {
    /// Emits the low `bits` bits of `value` (`bits` ≤ 32).
    #[inline]
    fn emit(&mut self, value: u32, bits: u32) {
        debug_assert!(bits <= 32, "emit takes at most 32 bits");
        let value = u64::from(value) & ((1u64 << bits) - 1);
        self.cur_value |= value << self.cur_bit;
        self.cur_bit += bits;
        if self.cur_bit >= 32 {
            self.out
                .extend_from_slice(&(self.cur_value as u32).to_le_bytes());
            self.cur_value >>= 32;
            self.cur_bit -= 32;
        }
    }

    #[inline]
    fn emit64(&mut self, value: u64, bits: u32) {
        if bits <= 32 {
            self.emit(value as u32, bits);
        } else {
            self.emit(value as u32, 32);
            self.emit((value >> 32) as u32, bits - 32);
        }
    }

    /// VBR: `bits - 1` payload bits per chunk, the top bit set on every
    /// chunk but the last. Small values (the common case) are one `emit`.
    #[inline]
    fn emit_vbr(&mut self, value: u64, bits: u32) {
        debug_assert!((2..=32).contains(&bits), "vbr chunk width out of range");
        let threshold = 1u64 << (bits - 1);
        if value < threshold {
            self.emit(value as u32, bits);
            return;
        }
        self.emit_vbr_slow(value, bits);
    }

    /// Multi-chunk VBR. The chunks are packed into one word and emitted
    /// together while they fit in 32 bits (emitting them one by one gives
    /// the same bits, since chunks are laid out low to high).
    /// Kept out of line so the one-chunk path of `emit_vbr` stays small
    /// enough to inline.
    #[inline(never)]
    fn emit_vbr_slow(&mut self, value: u64, bits: u32) {
        let threshold = 1u64 << (bits - 1);
        // Two chunks (most characters of vbr6 strings): one emit.
        let payload = bits - 1;
        if bits <= 16 && value < 1 << (2 * payload) {
            let low = (value & (threshold - 1)) | threshold;
            self.emit((low | (value >> payload) << bits) as u32, 2 * bits);
            return;
        }
        let mut v = value;
        let mut packed = 0u64;
        let mut width = 0;
        while v >= threshold {
            packed |= ((v & (threshold - 1)) | threshold) << width;
            width += bits;
            v >>= bits - 1;
            if width + bits > 32 {
                self.emit(packed as u32, width);
                packed = 0;
                width = 0;
            }
        }
        packed |= v << width;
        self.emit(packed as u32, width + bits);
    }

    /// VBR-encodes a run of values (record operands, array elements).
    /// Values whose chunks fit in 32 bits (all characters, nearly all ids)
    /// are packed into a 64-bit accumulator and flushed a word at a time:
    /// the same bits as one `emit_vbr` per value, for fewer calls.
    fn emit_vbr_run(&mut self, values: &[u64], bits: u32) {
        if !(2..=16).contains(&bits) {
            for v in values {
                self.emit_vbr(*v, bits);
            }
            return;
        }
        let payload = bits - 1;
        let one = 1u64 << payload;
        // Values below this take at most 32 / bits chunks, ≤ 32 bits.
        let packable = 1u64 << ((32 / bits) * payload);
        let mut acc = 0u64;
        let mut n = 0u32;
        for &v in values {
            let (chunk, width) = if v < one {
                (v, bits)
            } else if v < packable {
                let (mut chunk, mut width, mut x) = (0u64, 0u32, v);
                while x >= one {
                    chunk |= ((x & (one - 1)) | one) << width;
                    width += bits;
                    x >>= payload;
                }
                (chunk | x << width, width + bits)
            } else {
                // Rare: flush what is packed, then the general path.
                if n > 0 {
                    self.emit(acc as u32, n);
                    acc = 0;
                    n = 0;
                }
                self.emit_vbr_slow(v, bits);
                continue;
            };
            // `n` < 32 and `width` ≤ 32, so this fits in 64 bits.
            acc |= chunk << n;
            n += width;
            if n >= 32 {
                self.emit(acc as u32, 32);
                acc >>= 32;
                n -= 32;
            }
        }
        if n > 0 {
            self.emit(acc as u32, n);
        }
    }

    fn align32(&mut self) {
        if self.cur_bit > 0 {
            self.out
                .extend_from_slice(&(self.cur_value as u32).to_le_bytes());
            self.cur_bit = 0;
            self.cur_value = 0;
        }
    }

    #[inline]
    fn emit_field(&mut self, op: AbbrevOp, value: u64) {
        match op {
            AbbrevOp::Fixed(w) => {
                if w > 0 {
                    self.emit64(value, w);
                }
            }
            AbbrevOp::Vbr(w) => {
                if w > 0 {
                    self.emit_vbr(value, w);
                }
            }
            AbbrevOp::Char6 => {
                let c = encode_char6(value as u8).unwrap_or(0);
                debug_assert!(encode_char6(value as u8).is_some(), "not a char6 value");
                self.emit(u32::from(c), 6);
            }
            AbbrevOp::Literal(_) | AbbrevOp::Array | AbbrevOp::Blob => {
                debug_assert!(false, "not a scalar operand")
            }
        }
    }
}

/// A pre-encoded run of bits (whole words plus a partial last word), made
/// by [`BitWriter::into_bits`] and spliced into a stream by
/// [`BitWriter::emit_bits`]. Writers use it for record sequences that are
/// the same in every stream (fixed names, tags), so they are encoded once
/// instead of character by character each time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bits {
    /// Whole 32-bit words, little-endian.
    bytes: Vec<u8>,
    /// The bits after the last whole word (fewer than 32).
    tail: u32,
    tail_bits: u32,
}

impl Bits {
    /// The number of bits.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64 * 8 + u64::from(self.tail_bits)
    }

    /// Whether there are no bits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Writes an LLVM bitstream, bit for bit as LLVM 14's `BitstreamWriter`.
#[derive(Debug)]
pub struct BitWriter {
    sink: Sink,
    code_width: u32,
    /// Operands of every abbreviation ever defined (BLOCKINFO's must outlive
    /// the BLOCKINFO block; block-local ones are few, so nothing is freed).
    ops: Vec<AbbrevOp>,
    /// The abbreviations of all open blocks, innermost last; the current
    /// block's start at `abbrev_base`.
    abbrevs: Vec<AbbrevRange>,
    abbrev_base: usize,
    scopes: Vec<Scope>,
    /// Abbreviations registered through BLOCKINFO, per block id.
    blockinfo: Vec<(u32, Vec<AbbrevRange>)>,
    blockinfo_cur: Option<u32>,
}

impl Default for BitWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl BitWriter {
    /// An empty stream at the top level (abbreviation width 2).
    pub fn new() -> Self {
        BitWriter {
            sink: Sink::default(),
            code_width: 2,
            ops: Vec::new(),
            abbrevs: Vec::new(),
            abbrev_base: 0,
            scopes: Vec::new(),
            blockinfo: Vec::new(),
            blockinfo_cur: None,
        }
    }

    /// An empty stream whose records use abbreviation width `code_width`,
    /// as inside a block entered with that width: for pre-encoding records
    /// into [`Bits`] that [`BitWriter::emit_bits`] later splices into such a
    /// block. Abbreviated records need the abbreviations, so only
    /// unabbreviated ones make sense here.
    pub fn with_code_width(code_width: u32) -> Self {
        BitWriter {
            code_width,
            ..Self::new()
        }
    }

    /// The bits written so far, without padding the last word.
    pub fn into_bits(self) -> Bits {
        Bits {
            bytes: self.sink.out,
            tail: self.sink.cur_value as u32,
            tail_bits: self.sink.cur_bit,
        }
    }

    /// Appends pre-encoded bits, exactly as if the records they hold were
    /// emitted here. At a word boundary (the start of a block's contents)
    /// the whole words are copied as bytes.
    pub fn emit_bits(&mut self, bits: &Bits) {
        let s = &mut self.sink;
        if s.cur_bit == 0 {
            s.out.extend_from_slice(&bits.bytes);
        } else {
            for word in bits.bytes.chunks_exact(4) {
                s.emit(u32::from_le_bytes([word[0], word[1], word[2], word[3]]), 32);
            }
        }
        if bits.tail_bits > 0 {
            s.emit(bits.tail, bits.tail_bits);
        }
    }

    /// The bit position of the next bit written.
    pub fn bit_position(&self) -> u64 {
        self.sink.out.len() as u64 * 8 + u64::from(self.sink.cur_bit)
    }

    /// The index of the next whole 32-bit word (meaningful when aligned).
    pub fn word_index(&self) -> usize {
        self.sink.out.len() / 4
    }

    /// The current abbreviation width.
    pub fn code_width(&self) -> u32 {
        self.code_width
    }

    /// Emits the low `bits` bits of `value` (`bits` ≤ 32).
    pub fn emit(&mut self, value: u32, bits: u32) {
        self.sink.emit(value, bits);
    }

    /// Emits the low `bits` bits of a 64-bit value (`bits` ≤ 64).
    pub fn emit64(&mut self, value: u64, bits: u32) {
        self.sink.emit64(value, bits);
    }

    /// Emits `value` as VBR with `bits`-bit chunks.
    pub fn emit_vbr(&mut self, value: u64, bits: u32) {
        self.sink.emit_vbr(value, bits);
    }

    /// Pads with zero bits to the next 32-bit boundary.
    pub fn align32(&mut self) {
        self.sink.align32();
    }

    /// Emits the `BC 0xC0DE` magic.
    pub fn emit_magic(&mut self) {
        self.emit(u32::from(b'B'), 8);
        self.emit(u32::from(b'C'), 8);
        self.emit(0x0, 4);
        self.emit(0xC, 4);
        self.emit(0xE, 4);
        self.emit(0xD, 4);
    }

    #[inline]
    fn emit_code(&mut self, code: u32) {
        self.sink.emit(code, self.code_width);
    }

    /// Enters block `id` with abbreviation width `code_width`.
    pub fn enter_block(&mut self, id: u32, code_width: u32) {
        self.emit_code(ENTER_SUBBLOCK);
        self.emit_vbr(u64::from(id), 8);
        self.emit_vbr(u64::from(code_width), 4);
        self.align32();
        let size_word = self.word_index();
        self.emit(0, 32);
        self.scopes.push(Scope {
            prev_code_width: self.code_width,
            prev_abbrev_base: self.abbrev_base,
            size_word,
        });
        self.abbrev_base = self.abbrevs.len();
        if let Some((_, inherited)) = self.blockinfo.iter().find(|(b, _)| *b == id) {
            self.abbrevs.extend_from_slice(inherited);
        }
        self.code_width = code_width;
    }

    /// Ends the current block and back-patches its length.
    ///
    /// # Panics
    /// If no block is open (a bug in the caller).
    pub fn exit_block(&mut self) {
        self.emit_code(END_BLOCK);
        self.align32();
        let scope = self.scopes.pop().expect("exit_block without enter_block");
        let words = (self.word_index() - scope.size_word - 1) as u32;
        let at = scope.size_word * 4;
        self.sink.out[at..at + 4].copy_from_slice(&words.to_le_bytes());
        self.code_width = scope.prev_code_width;
        self.abbrevs.truncate(self.abbrev_base);
        self.abbrev_base = scope.prev_abbrev_base;
    }

    /// Writes DEFINE_ABBREV and stores the operands; returns their range.
    fn encode_abbrev(&mut self, abbrev: &Abbrev) -> AbbrevRange {
        self.emit_code(DEFINE_ABBREV);
        self.emit_vbr(abbrev.ops.len() as u64, 5);
        for op in &abbrev.ops {
            match op {
                AbbrevOp::Literal(v) => {
                    self.emit(1, 1);
                    self.emit_vbr(*v, 8);
                }
                other => {
                    self.emit(0, 1);
                    let (enc, width) = other.encoding();
                    self.emit(enc as u32, 3);
                    if let Some(w) = width {
                        self.emit_vbr(u64::from(w), 5);
                    }
                }
            }
        }
        let range = AbbrevRange {
            start: self.ops.len() as u32,
            len: abbrev.ops.len() as u32,
        };
        self.ops.extend_from_slice(&abbrev.ops);
        range
    }

    /// Defines an abbreviation in the current block and returns its id.
    pub fn define_abbrev(&mut self, abbrev: Abbrev) -> u32 {
        let range = self.encode_abbrev(&abbrev);
        self.abbrevs.push(range);
        (self.abbrevs.len() - self.abbrev_base) as u32 - 1 + FIRST_APPLICATION_ABBREV
    }

    /// Enters the BLOCKINFO block (width 2, as LLVM uses).
    pub fn enter_blockinfo(&mut self) {
        self.enter_block(BLOCKINFO_BLOCK_ID, 2);
        self.blockinfo_cur = None;
    }

    /// Inside BLOCKINFO: registers `abbrev` for block `block_id` and returns
    /// the id it will have in that block.
    pub fn define_blockinfo_abbrev(&mut self, block_id: u32, abbrev: Abbrev) -> u32 {
        if self.blockinfo_cur != Some(block_id) {
            self.emit_record(BLOCKINFO_CODE_SETBID, &[u64::from(block_id)]);
            self.blockinfo_cur = Some(block_id);
        }
        let range = self.encode_abbrev(&abbrev);
        let list = match self.blockinfo.iter().position(|(b, _)| *b == block_id) {
            Some(i) => &mut self.blockinfo[i].1,
            None => {
                self.blockinfo.push((block_id, Vec::new()));
                &mut self.blockinfo.last_mut().expect("just pushed").1
            }
        };
        list.push(range);
        list.len() as u32 - 1 + FIRST_APPLICATION_ABBREV
    }

    /// Emits an unabbreviated record.
    pub fn emit_record(&mut self, code: u32, ops: &[u64]) {
        self.emit_code(UNABBREV_RECORD);
        let s = &mut self.sink;
        s.emit_vbr(u64::from(code), 6);
        s.emit_vbr(ops.len() as u64, 6);
        s.emit_vbr_run(ops, 6);
    }

    /// Emits a record with abbreviation `abbrev_id` (or unabbreviated when it
    /// is [`UNABBREV_RECORD`]). The abbreviation's first operand encodes `code`.
    pub fn emit_record_with_abbrev(&mut self, abbrev_id: u32, code: u32, ops: &[u64]) {
        self.emit_record_impl(abbrev_id, code, ops, None);
    }

    /// Emits a record whose abbreviation ends in a blob (or an array, which
    /// then carries the blob's bytes).
    pub fn emit_record_with_blob(&mut self, abbrev_id: u32, code: u32, ops: &[u64], blob: &[u8]) {
        self.emit_record_impl(abbrev_id, code, ops, Some(blob));
    }

    fn emit_record_impl(&mut self, abbrev_id: u32, code: u32, ops: &[u64], blob: Option<&[u8]>) {
        if abbrev_id == UNABBREV_RECORD {
            self.emit_record(code, ops);
            return;
        }
        let index = self.abbrev_base + (abbrev_id - FIRST_APPLICATION_ABBREV) as usize;
        let range = self.abbrevs[index];
        self.emit_code(abbrev_id);
        let abbrev = &self.ops[range.start as usize..(range.start + range.len) as usize];
        let s = &mut self.sink;
        let mut ops_iter = abbrev.iter().copied().enumerate();
        // The first operand describes the record code.
        if let Some((_, first)) = ops_iter.next() {
            match first {
                AbbrevOp::Literal(v) => debug_assert_eq!(v, u64::from(code), "code literal"),
                other => s.emit_field(other, u64::from(code)),
            }
        }
        let mut idx = 0usize;
        while let Some((i, op)) = ops_iter.next() {
            match op {
                AbbrevOp::Literal(v) => {
                    debug_assert_eq!(ops.get(idx).copied(), Some(v), "literal operand");
                    idx += 1;
                }
                AbbrevOp::Array => {
                    let elem = abbrev.get(i + 1).copied().unwrap_or(AbbrevOp::Fixed(8));
                    ops_iter.next();
                    match blob {
                        Some(bytes) => {
                            s.emit_vbr(bytes.len() as u64, 6);
                            for b in bytes {
                                s.emit_field(elem, u64::from(*b));
                            }
                        }
                        None => {
                            let rest = &ops[idx.min(ops.len())..];
                            s.emit_vbr(rest.len() as u64, 6);
                            emit_array(s, elem, rest);
                            idx = ops.len();
                        }
                    }
                }
                AbbrevOp::Blob => {
                    let bytes = blob.unwrap_or(&[]);
                    s.emit_vbr(bytes.len() as u64, 6);
                    s.align32();
                    s.out.extend_from_slice(bytes);
                    while s.out.len() % 4 != 0 {
                        s.out.push(0);
                    }
                }
                // Fixed and VBR fields (nearly all of them) are emitted
                // inline: through the out-of-line `emit_field` they cost
                // several times the bits they write.
                AbbrevOp::Fixed(w) => {
                    let v = ops.get(idx).copied().unwrap_or(0);
                    if w > 0 && w <= 32 {
                        s.emit(v as u32, w);
                    } else {
                        s.emit_field(op, v);
                    }
                    idx += 1;
                }
                AbbrevOp::Vbr(w) => {
                    let v = ops.get(idx).copied().unwrap_or(0);
                    if w > 0 {
                        s.emit_vbr(v, w);
                    }
                    idx += 1;
                }
                scalar => {
                    let v = ops.get(idx).copied().unwrap_or(0);
                    s.emit_field(scalar, v);
                    idx += 1;
                }
            }
        }
    }

    /// Overwrites the 32-bit word at byte offset `byte_offset` (already
    /// written) with `value`, as LLVM's `BackpatchWord` does.
    pub fn backpatch_word(&mut self, byte_offset: usize, value: u32) {
        self.sink.out[byte_offset..byte_offset + 4].copy_from_slice(&value.to_le_bytes());
    }

    /// Overwrites the 32 bits that start at bit `bit_offset` with `value`, as
    /// LLVM's `BackpatchWord` does for a position that need not be
    /// word-aligned (the VSTOFFSET and METADATA_INDEX_OFFSET placeholders
    /// sit in the middle of a word). Bits past the end of the stream are
    /// ignored.
    pub fn backpatch_word_at_bit(&mut self, bit_offset: u64, value: u32) {
        let s = &mut self.sink;
        for i in 0..32u64 {
            let bit = bit_offset + i;
            let set = (value >> i) & 1 == 1;
            let byte = (bit / 8) as usize;
            if byte < s.out.len() {
                let mask = 1u8 << (bit % 8);
                if set {
                    s.out[byte] |= mask;
                } else {
                    s.out[byte] &= !mask;
                }
            } else {
                let local = bit - s.out.len() as u64 * 8;
                if local < u64::from(s.cur_bit) {
                    let mask = 1u64 << local;
                    if set {
                        s.cur_value |= mask;
                    } else {
                        s.cur_value &= !mask;
                    }
                }
            }
        }
    }

    /// Bytes written so far (whole words only).
    pub fn bytes(&self) -> &[u8] {
        &self.sink.out
    }

    /// Flushes the last partial word and returns the stream.
    pub fn finish(mut self) -> Vec<u8> {
        self.align32();
        self.sink.out
    }
}

/// The elements of an abbreviated array, with the element encoding matched
/// once per array rather than once per element.
fn emit_array(s: &mut Sink, elem: AbbrevOp, values: &[u64]) {
    match elem {
        AbbrevOp::Fixed(w) if w > 0 && w <= 32 => {
            for v in values {
                s.emit(*v as u32, w);
            }
        }
        AbbrevOp::Vbr(w) if w > 0 => s.emit_vbr_run(values, w),
        AbbrevOp::Char6 => {
            for v in values {
                s.emit_field(AbbrevOp::Char6, *v);
            }
        }
        _ => {
            for v in values {
                s.emit_field(elem, *v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[rustfmt::skip]
    fn magic_and_an_empty_block() {
        let mut w = BitWriter::new();
        w.emit_magic();
        w.enter_block(13, 5); // IDENTIFICATION, abbrev width 5
        w.exit_block();
        assert_eq!(w.finish(), vec![
            0x42, 0x43, 0xC0, 0xDE,   // 'B' 'C' 0x0 0xC 0xE 0xD
            // abbrev id 1 (2 bits) = 01, block id 13 vbr8 = 00001101,
            // width 5 vbr4 = 0101 -> bits: 1 0 | 1 0 1 1 0 0 0 0 | 1 0 1 0
            0x35, 0x14, 0x00, 0x00,   // then align to 32
            0x01, 0x00, 0x00, 0x00,   // length: one word
            0x00, 0x00, 0x00, 0x00,   // END_BLOCK (5 bits of 0) + align
        ]);
    }

    #[test]
    fn vbr_chunks() {
        let mut w = BitWriter::new();
        w.emit_vbr(300, 6);
        let b = w.finish();
        // 300 = 9 * 32 + 12: first chunk 12 | 32 = 44, second 9.
        assert_eq!(b[0], 44 | ((9 & 0b11) << 6));
        assert_eq!(b[1] & 0b1111, 9 >> 2);
        let mut w = BitWriter::new();
        w.emit_vbr(31, 6);
        assert_eq!(w.finish()[0], 31);
        let mut w = BitWriter::new();
        w.emit_vbr(32, 6);
        let b = w.finish();
        assert_eq!(b[0], 32 | ((1 & 0b11) << 6));
    }

    #[test]
    fn packed_vbr_matches_chunk_by_chunk() {
        // The reference: one emit per chunk, as LLVM's EmitVBR64 does.
        fn reference(w: &mut BitWriter, value: u64, bits: u32) {
            let threshold = 1u64 << (bits - 1);
            let mut v = value;
            while v >= threshold {
                w.emit(((v & (threshold - 1)) | threshold) as u32, bits);
                v >>= bits - 1;
            }
            w.emit(v as u32, bits);
        }
        let values = [0, 1, 31, 32, 300, 1 << 20, u64::from(u32::MAX), u64::MAX];
        for bits in [3, 4, 5, 6, 8, 16, 32] {
            for lead in [0, 5, 31] {
                let (mut a, mut b) = (BitWriter::new(), BitWriter::new());
                a.emit(0, lead);
                b.emit(0, lead);
                for v in values {
                    a.emit_vbr(v, bits);
                    reference(&mut b, v, bits);
                }
                assert_eq!(a.finish(), b.finish(), "vbr{bits} after {lead} bits");
            }
        }
    }

    #[test]
    fn vbr_runs_match_one_value_at_a_time() {
        let values: Vec<u64> = [0, 1, 31, 32, 97, 300, 1023, 1024, 1 << 20, u64::MAX, 5]
            .into_iter()
            .cycle()
            .take(40)
            .collect();
        for bits in [2, 3, 4, 6, 8, 16, 17, 32] {
            for lead in [0, 3, 31] {
                let (mut a, mut b) = (BitWriter::new(), BitWriter::new());
                a.emit(0, lead);
                b.emit(0, lead);
                a.sink.emit_vbr_run(&values, bits);
                for v in &values {
                    b.emit_vbr(*v, bits);
                }
                assert_eq!(a.finish(), b.finish(), "vbr{bits} run after {lead} bits");
            }
        }
    }

    #[test]
    fn backpatch_at_an_unaligned_bit() {
        let mut w = BitWriter::new();
        w.emit(0b101, 3);
        w.emit(0, 32); // placeholder at bit 3
        w.emit(0x7F, 7);
        w.backpatch_word_at_bit(3, 0xDEAD_BEEF);
        let b = w.finish();
        let word = u64::from_le_bytes(b[..8].try_into().unwrap());
        assert_eq!(word & 0b111, 0b101);
        assert_eq!((word >> 3) & 0xFFFF_FFFF, 0xDEAD_BEEF);
        assert_eq!((word >> 35) & 0x7F, 0x7F);
    }

    #[test]
    fn spliced_bits_match_direct_emission() {
        let records = |w: &mut BitWriter| {
            w.emit_record(6, &[0, 100, 98, 103]);
            w.emit_record(6, &[1, 116, 98, 97, 97, 1000]);
            w.emit_record(1, &[]);
        };
        let mut template = BitWriter::with_code_width(3);
        records(&mut template);
        let bits = template.into_bits();
        for lead in [0, 1, 5, 31, 32, 45] {
            let (mut a, mut b) = (BitWriter::new(), BitWriter::new());
            a.enter_block(8, 3);
            b.enter_block(8, 3);
            a.emit64(0x5555_5555_5555, lead);
            b.emit64(0x5555_5555_5555, lead);
            records(&mut a);
            b.emit_bits(&bits);
            assert_eq!(a.bit_position(), b.bit_position());
            a.exit_block();
            b.exit_block();
            assert_eq!(a.finish(), b.finish(), "after {lead} bits");
        }
    }

    #[test]
    fn emit_crosses_words() {
        let mut w = BitWriter::new();
        w.emit(0x7FF, 30);
        w.emit(0b1011, 4);
        let b = w.finish();
        assert_eq!(
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            0x7FF | (0b11 << 30)
        );
        assert_eq!(b[4], 0b10);
    }
}
