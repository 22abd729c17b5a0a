//! Shared helpers of the oracle tests: the byte-for-byte comparison
//! (nothing normalised) with failure messages that point at the first
//! differing record, and reading our output back into block trees. The
//! LLVM 14 tools themselves are run by `airlink_test_support`.

#![allow(dead_code)]

use llvm_bitcode_schema::BlockId;
use llvm_bitstream::{Block, Entry, Reader, Record};

/// The raw `BC` stream inside an optional Darwin wrapper, checking the
/// wrapper's fixed fields and padding.
fn unwrap(bytes: &[u8]) -> Result<(bool, &[u8]), String> {
    if bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) {
        let word = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
        if bytes.len() < 20 {
            return Err("truncated wrapper".into());
        }
        if word(4) != 0 || word(8) != 20 || word(16) != u32::MAX {
            return Err(format!(
                "wrapper fields: version {} offset {} cputype {:#x}",
                word(4),
                word(8),
                word(16)
            ));
        }
        let size = word(12) as usize;
        let end = 20 + size;
        if end > bytes.len() || bytes.len() % 16 != 0 || bytes[end..].iter().any(|b| *b != 0) {
            return Err("wrapper size or padding is wrong".into());
        }
        Ok((true, &bytes[20..end]))
    } else {
        Ok((false, bytes))
    }
}

fn vbr_len(mut v: u64, width: u32) -> u64 {
    let mut n = u64::from(width);
    while v >= 1 << (width - 1) {
        v >>= width - 1;
        n += u64::from(width);
    }
    n
}

/// Byte range of a block's contents (after its length word).
fn content_range(block: &Block, parent_width: u32) -> (usize, usize) {
    let header = block.bit_offset
        + u64::from(parent_width)
        + vbr_len(u64::from(block.id), 8)
        + vbr_len(u64::from(block.abbrev_width), 4);
    let start_word = header.div_ceil(32) as usize + 1;
    (
        start_word * 4,
        (start_word + block.length_words as usize) * 4,
    )
}

/// Compares our output with `llvm-as-14`'s byte for byte, normalising
/// nothing. On a mismatch the error names the first differing block and
/// record of both, and shows both string tables when they differ.
pub fn compare(ours: &[u8], theirs: &[u8]) -> Result<(), String> {
    if ours == theirs {
        return Ok(());
    }
    let (ours_wrapped, ours_bc) = unwrap(ours).map_err(|e| format!("ours: {e}"))?;
    let (theirs_wrapped, theirs_bc) = unwrap(theirs).map_err(|e| format!("llvm-as: {e}"))?;
    if ours_wrapped != theirs_wrapped {
        return Err(format!(
            "wrapper: ours {ours_wrapped}, llvm-as {theirs_wrapped}"
        ));
    }
    let ours_stream = Reader::new(ours_bc)
        .read_stream()
        .map_err(|e| format!("our output does not read back: {e}"))?;
    let theirs_stream = Reader::new(theirs_bc)
        .read_stream()
        .map_err(|e| format!("llvm-as output does not read: {e}"))?;
    let first = ours_bc
        .iter()
        .zip(theirs_bc)
        .position(|(a, b)| a != b)
        .unwrap_or(ours_bc.len().min(theirs_bc.len()));
    let bit = first as u64 * 8;
    let mut message = format!(
        "first difference at byte {first} of the bitstream (lengths: ours {}, llvm-as {})\n  ours:    {}\n  llvm-as: {}",
        ours_bc.len(),
        theirs_bc.len(),
        locate(&ours_stream.blocks, bit, 2),
        locate(&theirs_stream.blocks, bit, 2)
    );
    let strtab = BlockId::Strtab.id();
    let (os, ts) = (
        blob_of(&ours_stream, strtab),
        blob_of(&theirs_stream, strtab),
    );
    if os != ts {
        message.push_str(&format!(
            "\n  STRTAB ours:    {:?}\n  STRTAB llvm-as: {:?}",
            String::from_utf8_lossy(&os),
            String::from_utf8_lossy(&ts)
        ));
    }
    Err(message)
}

/// Reads a (possibly wrapped) bitcode file into block trees.
pub fn read(bytes: &[u8]) -> llvm_bitstream::Stream {
    let (_, bc) = unwrap(bytes).expect("a valid wrapper");
    Reader::new(bc).read_stream().expect("readable bitcode")
}

/// The blob of the first record of top-level block `id` (STRTAB, SYMTAB).
pub fn blob_of(stream: &llvm_bitstream::Stream, id: u32) -> Vec<u8> {
    stream
        .blocks
        .iter()
        .find(|b| b.id == id)
        .and_then(|b| b.records().next().and_then(|r| r.blob.clone()))
        .unwrap_or_default()
}

fn describe(block: u32, r: &Record) -> String {
    let abbrev = r
        .abbrev
        .map_or("unabbrev".to_string(), |a| format!("abbrev {a}"));
    let mut ops: Vec<String> = r.ops.iter().take(24).map(|o| o.to_string()).collect();
    if r.ops.len() > 24 {
        ops.push(format!("... ({} ops)", r.ops.len()));
    }
    let name = llvm_bitcode_schema::record_name(block, r.code);
    format!(
        "record {name} (code {}, {abbrev}) [{}]",
        r.code,
        ops.join(", ")
    )
}

/// The block path and the record containing bit `bit`.
fn locate(blocks: &[Block], bit: u64, width: u32) -> String {
    match blocks.iter().rev().find(|b| b.bit_offset <= bit) {
        Some(b) => {
            let _ = width;
            locate_in(b, bit, String::new())
        }
        None => "before the first block".into(),
    }
}

fn locate_in(block: &Block, bit: u64, path: String) -> String {
    let path = format!(
        "{path}{}@byte{} > ",
        llvm_bitcode_schema::block_name(block.id),
        block.bit_offset / 8
    );
    let last = block.entries.iter().rev().find(|e| match e {
        Entry::Record(r) => r.bit_offset <= bit,
        Entry::Block(b) => b.bit_offset <= bit,
        Entry::Abbrev { bit_offset, .. } => *bit_offset <= bit,
    });
    match last {
        Some(Entry::Block(sub)) => {
            let (_, end) = content_range(sub, block.abbrev_width);
            if bit < end as u64 * 8 {
                locate_in(sub, bit, path)
            } else {
                format!(
                    "{path}after block {}",
                    llvm_bitcode_schema::block_name(sub.id)
                )
            }
        }
        Some(Entry::Record(r)) => format!("{path}{}", describe(block.id, r)),
        Some(Entry::Abbrev { abbrev, .. }) => format!("{path}DEFINE_ABBREV {:?}", abbrev.ops),
        None => format!("{path}block header"),
    }
}
