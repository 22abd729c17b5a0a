//! The Darwin bitcode wrapper: the 20-byte header LLVM puts in front of
//! bitcode for Darwin targets (and that starts every module of a
//! `.metallib`), followed by the bitcode and zero padding.
//!
//! ```text
//! offset  field
//!      0  magic     0x0B17C0DE (little-endian: DE C0 17 0B)
//!      4  version   0
//!      8  offset    where the bitcode starts (20)
//!     12  size      how many bytes of bitcode
//!     16  cpu type  Mach-O CPU type; -1 when the target has none (air64)
//!     20  bitcode, then zeros up to a multiple of 16 bytes
//! ```
//!
//! This is the one place that knows the layout: the bitcode writer wraps
//! with [`wrap`], the readers (this crate's, the IR reader, the `.metallib`
//! reader and its `inspect`) split with [`unwrap`] or [`Header::parse`].
//!
//! ```
//! use llvm_bitstream::wrapper;
//!
//! let wrapped = wrapper::wrap(b"BC\xC0\xDE");
//! assert_eq!(wrapped.len(), 32);
//! let (header, bitcode) = wrapper::unwrap(&wrapped).unwrap();
//! assert_eq!(header.map(|h| (h.offset, h.size)), Some((20, 4)));
//! assert_eq!(bitcode, b"BC\xC0\xDE");
//! ```

use std::ops::Range;

/// The magic as it appears in the file (`0x0B17C0DE`, little-endian).
pub const MAGIC: [u8; 4] = [0xDE, 0xC0, 0x17, 0x0B];
/// The size of the header.
pub const HEADER_SIZE: usize = 20;
/// LLVM (and Apple, for module entries) pads wrapped bitcode with zeros to
/// a multiple of this many bytes.
pub const ALIGN: usize = 16;
/// The CPU type LLVM records for a target without a Mach-O CPU type, such
/// as `air64`.
pub const CPU_TYPE_NONE: u32 = u32::MAX;

/// The wrapper's header fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Version field (0).
    pub version: u32,
    /// Offset of the bitcode from the wrapper start.
    pub offset: u32,
    /// Size of the bitcode.
    pub size: u32,
    /// CPU type.
    pub cpu_type: u32,
}

impl Header {
    /// The header LLVM writes in front of `size` bytes of bitcode for a
    /// target without a CPU type: version 0, offset 20, CPU type −1.
    pub fn for_bitcode(size: u32) -> Header {
        Header {
            version: 0,
            offset: HEADER_SIZE as u32,
            size,
            cpu_type: CPU_TYPE_NONE,
        }
    }

    /// The header's 20 bytes, magic included.
    pub fn to_bytes(&self) -> [u8; HEADER_SIZE] {
        let mut out = [0; HEADER_SIZE];
        let words = [
            u32::from_le_bytes(MAGIC),
            self.version,
            self.offset,
            self.size,
            self.cpu_type,
        ];
        for (chunk, word) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    /// The header at the start of `bytes`, when they start with the magic
    /// and hold a whole header (the fields are not checked).
    pub fn parse(bytes: &[u8]) -> Option<Header> {
        if !has_magic(bytes) || bytes.len() < HEADER_SIZE {
            return None;
        }
        let word =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        Some(Header {
            version: word(4),
            offset: word(8),
            size: word(12),
            cpu_type: word(16),
        })
    }

    /// Where the bitcode is in an input of `len` bytes: after the header
    /// and inside the input, or `None`.
    pub fn bitcode_range(&self, len: usize) -> Option<Range<usize>> {
        let start = self.offset as usize;
        let end = start.checked_add(self.size as usize)?;
        (start >= HEADER_SIZE && end <= len).then_some(start..end)
    }
}

/// Whether `bytes` start with the wrapper's magic.
pub fn has_magic(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// Why a wrapper could not be taken off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WrapperError {
    /// The input has the magic but not a whole header.
    #[error("truncated bitcode wrapper header ({len} bytes)")]
    Truncated {
        /// The input's length.
        len: usize,
    },
    /// The header's offset and size do not describe bytes after the header
    /// and inside the input.
    #[error("the wrapper's offset {offset} and size {size} point outside the {len} input bytes")]
    OutOfBounds {
        /// The offset field.
        offset: u32,
        /// The size field.
        size: u32,
        /// The input's length.
        len: usize,
    },
}

/// Splits `bytes` into the wrapper's header and the bitcode it wraps; input
/// without the magic is returned whole, with no header.
///
/// # Errors
/// A [`WrapperError`] when the magic is there but the header is cut short
/// or points outside the input.
pub fn unwrap(bytes: &[u8]) -> Result<(Option<Header>, &[u8]), WrapperError> {
    if !has_magic(bytes) {
        return Ok((None, bytes));
    }
    let header = Header::parse(bytes).ok_or(WrapperError::Truncated { len: bytes.len() })?;
    let range = header
        .bitcode_range(bytes.len())
        .ok_or(WrapperError::OutOfBounds {
            offset: header.offset,
            size: header.size,
            len: bytes.len(),
        })?;
    Ok((Some(header), &bytes[range]))
}

/// Wraps `bitcode` as LLVM does for a target without a CPU type
/// ([`Header::for_bitcode`]), padded with zeros to [`ALIGN`] bytes.
pub fn wrap(bitcode: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(padded_len(bitcode.len()));
    out.extend_from_slice(&Header::for_bitcode(bitcode.len() as u32).to_bytes());
    out.extend_from_slice(bitcode);
    out.resize(padded_len(bitcode.len()), 0);
    out
}

/// [`wrap`] reusing the bitcode's buffer: the bytes move up by the
/// header's size instead of being copied into a second buffer.
pub fn wrap_in_place(mut bitcode: Vec<u8>) -> Vec<u8> {
    let len = bitcode.len();
    // The zeros past `len + 20` are the padding; the copy fills the rest.
    bitcode.resize(padded_len(len), 0);
    bitcode.copy_within(0..len, HEADER_SIZE);
    bitcode[..HEADER_SIZE].copy_from_slice(&Header::for_bitcode(len as u32).to_bytes());
    bitcode
}

/// The size of `bitcode_len` bytes of bitcode once wrapped and padded.
pub fn padded_len(bitcode_len: usize) -> usize {
    (bitcode_len + HEADER_SIZE).next_multiple_of(ALIGN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let w = wrap(&[0x42, 0x43, 0xC0, 0xDE]);
        assert_eq!(w.len(), 32);
        assert_eq!(&w[0..4], &[0xDE, 0xC0, 0x17, 0x0B]);
        assert_eq!(&w[4..8], &[0; 4]);
        assert_eq!(&w[8..12], &20u32.to_le_bytes());
        assert_eq!(&w[12..16], &4u32.to_le_bytes());
        assert_eq!(&w[16..20], &[0xFF; 4]);
        assert_eq!(&w[20..24], &[0x42, 0x43, 0xC0, 0xDE]);
        assert!(w[24..].iter().all(|b| *b == 0));
    }

    #[test]
    fn in_place_wrapper_matches() {
        for len in 0..40u8 {
            let stream: Vec<u8> = (1..=len).collect();
            assert_eq!(wrap_in_place(stream.clone()), wrap(&stream));
        }
    }

    #[test]
    fn unwrap_checks_the_header() {
        assert_eq!(unwrap(b"BC\xC0\xDE").unwrap(), (None, &b"BC\xC0\xDE"[..]));
        let w = wrap(b"BC\xC0\xDE");
        assert_eq!(unwrap(&w).unwrap().1, b"BC\xC0\xDE");
        assert_eq!(unwrap(&w[..19]), Err(WrapperError::Truncated { len: 19 }));
        // The bitcode past the end, and the bitcode inside the header.
        let mut bad = w.clone();
        bad[12] = 100;
        assert_eq!(
            unwrap(&bad),
            Err(WrapperError::OutOfBounds {
                offset: 20,
                size: 100,
                len: 32
            })
        );
        let mut bad = w.clone();
        bad[8] = 4;
        assert!(matches!(
            unwrap(&bad),
            Err(WrapperError::OutOfBounds { .. })
        ));
        let mut huge = w;
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            unwrap(&huge),
            Err(WrapperError::OutOfBounds { .. })
        ));
    }
}
