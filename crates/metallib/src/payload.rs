//! Decoders for the tag payloads whose inner layout was measured on
//! Apple-built libraries (docs/metallib-container.md, "Metadata groups" and
//! "Embedded sources"): function constants (`CNST`), the debug location
//! (`DEBI`), the dependency file (`DEPF`), a source archive (`SARC`), a
//! reflection buffer (`RBUF`) and the one-byte `LAYR` / `TESS`.
//!
//! Decoding never copies: the results borrow the payload. An error names
//! the byte offset inside the payload; the reader adds the payload's file
//! offset.

use crate::raw::data_type_name;

/// A payload that does not have the measured layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} (at byte {offset} of the payload)")]
pub struct PayloadError {
    /// Offset inside the payload.
    pub offset: usize,
    /// What is wrong.
    pub what: &'static str,
}

fn err<T>(offset: usize, what: &'static str) -> Result<T, PayloadError> {
    Err(PayloadError { offset, what })
}

/// A NUL-terminated byte string at `at`: its bytes without the NUL, and the
/// offset after the NUL.
fn c_string<'a>(
    p: &'a [u8],
    at: usize,
    what: &'static str,
) -> Result<(&'a [u8], usize), PayloadError> {
    let rest = p.get(at..).unwrap_or_default();
    match rest.iter().position(|&b| b == 0) {
        Some(n) => Ok((&rest[..n], at + n + 1)),
        None => err(at, what),
    }
}

/// One function constant of a `CNST` payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionConstant<'a> {
    /// Offset of this constant's name inside the payload.
    pub offset: usize,
    /// The name (UTF-8, without its NUL).
    pub name: &'a str,
    /// Its `MTLDataType` ([`crate::raw::DATA_TYPES`]).
    pub data_type: u8,
    /// The `[[function_constant(index)]]`.
    pub index: u16,
    /// The "active" byte: 1 in every Apple-built library measured.
    pub active: u8,
}

impl FunctionConstant<'_> {
    /// `name: type, index N, active` (or `inactive`, or `active byte N`).
    pub fn describe(&self) -> String {
        let ty = data_type_name(self.data_type)
            .map_or_else(|| format!("MTLDataType {}", self.data_type), str::to_string);
        let active = match self.active {
            1 => "active".to_string(),
            0 => "inactive".to_string(),
            n => format!("active byte {n}"),
        };
        format!(
            "{}: {ty} ({}), index {}, {active}",
            self.name, self.data_type, self.index
        )
    }
}

/// Decodes a `CNST` payload: a u16 count, then per constant its name with a
/// NUL, a u8 `MTLDataType`, a u16 index and a u8 "active" flag; nothing may
/// follow the last constant.
///
/// # Errors
/// A payload that ends early, a name without NUL or not UTF-8, or bytes
/// after the last constant.
pub fn function_constants(p: &[u8]) -> Result<Vec<FunctionConstant<'_>>, PayloadError> {
    let Some(count) = p.get(..2) else {
        return err(0, "no room for the u16 constant count");
    };
    let count = u16::from_le_bytes([count[0], count[1]]);
    // Each constant takes at least 5 bytes: no allocation beyond what fits.
    let mut out = Vec::with_capacity(usize::from(count).min(p.len() / 5));
    let mut at = 2;
    for _ in 0..count {
        let (name, after) = c_string(p, at, "a constant name without its NUL")?;
        let Ok(name) = std::str::from_utf8(name) else {
            return err(at, "a constant name that is not UTF-8");
        };
        let Some(fields) = p.get(after..after + 4) else {
            return err(after, "a constant without its type, index and active bytes");
        };
        out.push(FunctionConstant {
            offset: at,
            name,
            data_type: fields[0],
            index: u16::from_le_bytes([fields[1], fields[2]]),
            active: fields[3],
        });
        at = after + 4;
    }
    if at != p.len() {
        return err(at, "bytes after the last constant");
    }
    Ok(out)
}

/// A `DEBI` payload: where the function is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugLocation<'a> {
    /// The source line (measured: the line of `kernel void foo()`).
    pub line: u32,
    /// The source file's path, without its NUL.
    pub path: &'a [u8],
}

/// Decodes a `DEBI` payload: a u32 line, then a path ending in its only NUL.
///
/// # Errors
/// A payload shorter than 5 bytes or whose path does not end with its only
/// NUL.
pub fn debug_location(p: &[u8]) -> Result<DebugLocation<'_>, PayloadError> {
    let Some(line) = p.get(..4) else {
        return err(0, "no room for the u32 line");
    };
    let line = u32::from_le_bytes([line[0], line[1], line[2], line[3]]);
    let path = path(p, 4)?;
    Ok(DebugLocation { line, path })
}

/// A NUL-terminated path that fills the payload from `at`.
fn path(p: &[u8], at: usize) -> Result<&[u8], PayloadError> {
    let (path, after) = c_string(p, at, "a path without its NUL")?;
    if after != p.len() {
        return err(after, "bytes after the path's NUL");
    }
    Ok(path)
}

/// Decodes a `DEPF` payload: a path (measured: the temporary `.air` file the
/// library was linked from) ending in its only NUL.
///
/// # Errors
/// No NUL, or bytes after the first NUL.
pub fn dependency_file(p: &[u8]) -> Result<&[u8], PayloadError> {
    path(p, 0)
}

/// A `SARC` payload: one archive of the embedded-source section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceArchive<'a> {
    /// The archive's id (measured: `"0"` for the sources, `"1"` for the
    /// runtime library), without its NUL.
    pub id: &'a [u8],
    /// Offset of the data inside the payload.
    pub data_offset: usize,
    /// The archive bytes after the id: a bzip2 stream of a tar archive,
    /// possibly followed by zero padding (older toolchains pad the payload
    /// to 16 KiB or 64 KiB). Kept as bytes; airlink does not decompress.
    pub data: &'a [u8],
}

impl SourceArchive<'_> {
    /// The compression the data starts with: `"bzip2"` for `BZh` plus a
    /// block-size digit.
    pub fn format(&self) -> Option<&'static str> {
        match self.data {
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some("bzip2"),
            _ => None,
        }
    }

    /// Zero bytes at the end of the data (padding on older toolchains; a
    /// stream may also end in zero bits, so this is a count, not a claim).
    pub fn trailing_zeros(&self) -> usize {
        self.data.iter().rev().take_while(|&&b| b == 0).count()
    }
}

/// Decodes a `SARC` payload: an id with a NUL, then the archive bytes.
///
/// # Errors
/// A payload without a NUL.
pub fn source_archive(p: &[u8]) -> Result<SourceArchive<'_>, PayloadError> {
    let (id, after) = c_string(p, 0, "an archive id without its NUL")?;
    Ok(SourceArchive {
        id,
        data_offset: after,
        data: &p[after..],
    })
}

/// The FlatBuffers file identifier of Apple's reflection data, at offset 4
/// of the buffer.
pub const REFLECTION_IDENTIFIER: [u8; 4] = *b"AIRR";

/// Alignment, within the file, of a reflection flatbuffer.
pub const REFLECTION_ALIGN: u64 = 16;

/// Zero bytes that put a payload starting at file offset `payload_offset`
/// onto a [`REFLECTION_ALIGN`] boundary.
pub fn reflection_padding(payload_offset: u64) -> usize {
    ((REFLECTION_ALIGN - payload_offset % REFLECTION_ALIGN) % REFLECTION_ALIGN) as usize
}

/// An `RBUF` payload in Apple's form: zero bytes, then a flatbuffer that
/// starts on a 16-byte boundary of the file and carries the identifier
/// `AIRR` (measured on all 32 Apple-built RBUFs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReflectionBuffer<'a> {
    /// Leading zero bytes.
    pub padding: usize,
    /// The flatbuffer (its schema is not published; kept as bytes).
    pub flatbuffer: &'a [u8],
}

/// Splits an `RBUF` payload that starts at file offset `payload_offset`
/// into alignment and flatbuffer, when it has Apple's form: exactly the
/// zero bytes [`reflection_padding`] asks for, then `AIRR` at offset 4 of
/// what follows. `None` for any other payload (kept as it is).
pub fn reflection_buffer(p: &[u8], payload_offset: u64) -> Option<ReflectionBuffer<'_>> {
    let padding = reflection_padding(payload_offset);
    let (zeros, flatbuffer) = (p.get(..padding)?, p.get(padding..)?);
    let aligned =
        zeros.iter().all(|&b| b == 0) && flatbuffer.get(4..8) == Some(&REFLECTION_IDENTIFIER[..]);
    aligned.then_some(ReflectionBuffer {
        padding,
        flatbuffer,
    })
}

/// Decodes a `TESS` byte: `(control_points << 2) | patch_type`.
pub fn tessellation(byte: u8) -> String {
    let patch = match byte & 3 {
        1 => "triangle",
        2 => "quad",
        _ => "unknown patch type",
    };
    format!("{patch} patch, {} control points", byte >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cnst_decodes_apples_two_float_constants() {
        // Measured bytes (Metal.jl `constants`): foo and bar, float (3), at
        // indices 0 and 2, both active.
        let p = [
            0x02, 0x00, // two constants
            b'f', b'o', b'o', 0x00, 0x03, 0x00, 0x00, 0x01, // foo float idx 0 active
            b'b', b'a', b'r', 0x00, 0x03, 0x02, 0x00, 0x01, // bar float idx 2 active
        ];
        let c = function_constants(&p).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[1].name, c[1].data_type, c[1].index, c[1].active),
            ("bar", 3, 2, 1)
        );
        assert_eq!(c[1].offset, 10);
        assert_eq!(c[0].describe(), "foo: float (3), index 0, active");
        // A u16 index above 255 and the other measured types.
        let p = [0x01, 0x00, b'R', 0x00, 0x21, 0x01, 0x01, 0x01];
        assert_eq!(
            function_constants(&p).unwrap()[0].describe(),
            "R: uint (33), index 257, active"
        );
    }

    #[test]
    fn cnst_rejects_other_layouts_with_offsets() {
        assert_eq!(function_constants(&[1]).unwrap_err().offset, 0);
        // Name without NUL.
        assert_eq!(
            function_constants(&[1, 0, b'a', b'b']).unwrap_err().offset,
            2
        );
        // Missing the 4 bytes after the name.
        assert_eq!(
            function_constants(&[1, 0, b'a', 0, 3, 0])
                .unwrap_err()
                .offset,
            4
        );
        // One byte too many.
        assert_eq!(
            function_constants(&[1, 0, b'a', 0, 3, 0, 0, 1, 9])
                .unwrap_err()
                .offset,
            8
        );
        // A huge count in a short payload fails without a huge allocation.
        assert!(function_constants(&[0xFF, 0xFF]).is_err());
        assert_eq!(function_constants(&[0, 0]).unwrap(), vec![]);
    }

    #[test]
    fn debi_and_depf() {
        let p = [4, 0, 0, 0, b'/', b'a', b'.', b'm', 0];
        let d = debug_location(&p).unwrap();
        assert_eq!((d.line, d.path), (4, &b"/a.m"[..]));
        assert_eq!(debug_location(&[4, 0, 0]).unwrap_err().offset, 0);
        assert_eq!(debug_location(&[4, 0, 0, 0, b'x']).unwrap_err().offset, 4);
        assert_eq!(dependency_file(b"/t/x.air\0").unwrap(), b"/t/x.air");
        assert_eq!(dependency_file(b"a\0b\0").unwrap_err().offset, 2);
    }

    #[test]
    fn sarc_is_id_nul_data() {
        let p = b"0\0BZh6\x31\x41\0\0";
        let a = source_archive(p).unwrap();
        assert_eq!((a.id, a.data_offset), (&b"0"[..], 2));
        assert_eq!(a.format(), Some("bzip2"));
        assert_eq!(a.trailing_zeros(), 2);
        assert!(source_archive(b"no nul").is_err());
        assert_eq!(source_archive(b"1\0").unwrap().format(), None);
    }

    #[test]
    fn rbuf_alignment_is_relative_to_the_file() {
        // Payload at file offset 0x1003: 13 zero bytes reach 0x1010.
        assert_eq!(reflection_padding(0x1003), 13);
        assert_eq!(reflection_padding(0x1010), 0);
        let mut p = vec![0; 13];
        p.extend_from_slice(&[8, 0, 0, 0, b'A', b'I', b'R', b'R', 1, 2]);
        let r = reflection_buffer(&p, 0x1003).unwrap();
        assert_eq!((r.padding, r.flatbuffer.len()), (13, 10));
        // The same payload elsewhere is not in the aligned form.
        assert_eq!(reflection_buffer(&p, 0x1004), None);
        // Nor is one without the identifier.
        p[17] = b'X';
        assert_eq!(reflection_buffer(&p, 0x1003), None);
    }

    #[test]
    fn tess_byte() {
        assert_eq!(
            tessellation((3 << 2) | 1),
            "triangle patch, 3 control points"
        );
        assert_eq!(tessellation((4 << 2) | 2), "quad patch, 4 control points");
    }
}
