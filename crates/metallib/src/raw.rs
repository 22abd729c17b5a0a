//! The on-disk layout: header fields, FourCC tag codes and small enums,
//! documented field by field (docs/metallib-container.md).
//!
//! All integers in a `.metallib` are little-endian. Nothing here reads or
//! writes a whole file; [`crate::read`] and [`crate::write`] do, using these
//! definitions so that the two directions cannot drift apart.

use std::fmt;

/// `MTLB`, the first four bytes of every library.
pub const MAGIC: [u8; 4] = *b"MTLB";

/// Size of the fixed header (0x58 bytes).
pub const HEADER_SIZE: usize = 88;

/// Byte offsets of the header fields.
///
/// The header lists only the four main sections; optional sections (reflection
/// list, dynamic header, embedded source, ...) are found through tags of the
/// header extension instead.
pub mod header {
    /// `MTLB`.
    pub const MAGIC: usize = 0x00;
    /// u16: container major version in bits 0–14; bit 15 is set for macOS.
    pub const CONTAINER_MAJOR: usize = 0x04;
    /// u16: container minor version.
    pub const CONTAINER_MINOR: usize = 0x06;
    /// u16: container patch version (9 means format 1.2.9).
    pub const CONTAINER_PATCH: usize = 0x08;
    /// u8: file type in bits 0–6 (0 executable, 1 Core Image, 2 dynamic,
    /// 3 symbol companion), bit 7 = stub. Present since 1.2.4.
    pub const FILE_TYPE: usize = 0x0A;
    /// u8: Mach-O platform in bits 0–6, bit 7 = 64-bit. Present since 1.2.6
    /// (0 in 1.2.5 files).
    pub const PLATFORM: usize = 0x0B;
    /// u16: OS major version (since 1.2.6).
    pub const OS_MAJOR: usize = 0x0C;
    /// u8: OS minor version.
    pub const OS_MINOR: usize = 0x0E;
    /// u8: OS patch version.
    pub const OS_PATCH: usize = 0x0F;
    /// u64: total file size; the runtime rejects a file whose size differs.
    pub const FILE_SIZE: usize = 0x10;
    /// u64: function list offset.
    pub const FUNCTION_LIST_OFFSET: usize = 0x18;
    /// u64: function list size, *excluding* its leading u32 count.
    pub const FUNCTION_LIST_SIZE: usize = 0x20;
    /// u64: public metadata offset.
    pub const PUBLIC_METADATA_OFFSET: usize = 0x28;
    /// u64: public metadata size.
    pub const PUBLIC_METADATA_SIZE: usize = 0x30;
    /// u64: private metadata offset.
    pub const PRIVATE_METADATA_OFFSET: usize = 0x38;
    /// u64: private metadata size.
    pub const PRIVATE_METADATA_SIZE: usize = 0x40;
    /// u64: module list offset.
    pub const MODULE_LIST_OFFSET: usize = 0x48;
    /// u64: module list size.
    pub const MODULE_LIST_SIZE: usize = 0x50;
}

/// Bit 15 of the container-major word: the library targets macOS.
pub const CONTAINER_MACOS_FLAG: u16 = 0x8000;
/// Bit 7 of the file-type byte: a stub library.
pub const FILE_TYPE_STUB_FLAG: u8 = 0x80;
/// Bit 7 of the platform byte: 64-bit.
pub const PLATFORM_64BIT_FLAG: u8 = 0x80;

/// A four-character tag code, stored as its four ASCII bytes in reading
/// order (`N A M E`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    /// The code as text, with non-printable bytes escaped.
    pub fn to_text(self) -> String {
        self.0
            .iter()
            .flat_map(|b| std::ascii::escape_default(*b))
            .map(char::from)
            .collect()
    }

    /// Whether this tag's size field is a u32 rather than a u16 (`RBUF`,
    /// `SBUF` and `SARC` carry payloads that can exceed 64 KiB).
    pub fn has_wide_size(self) -> bool {
        matches!(self, RBUF | SBUF | SARC)
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc({})", self.to_text())
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

/// Builds a code from four ASCII letters (compile-time checked).
const fn fourcc(s: &str) -> FourCc {
    let b = s.as_bytes();
    assert!(b.len() == 4, "a FourCC has four letters");
    FourCc([b[0], b[1], b[2], b[3]])
}

macro_rules! fourccs {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            pub const $name: FourCc = fourcc(stringify!($name));
        )*
    };
}

fourccs! {
    /// Ends a tag group; has no size and no payload.
    ENDT;
    /// Function name, UTF-8, NUL-terminated.
    NAME;
    /// Function type, one byte ([`FunctionType`]).
    TYPE;
    /// SHA-256 of the function's module entry (32 bytes).
    HASH;
    /// u64 size of the function's module entry (wrapper + bitcode + padding).
    MDSZ;
    /// Three u64: offsets of the function's public-metadata group, its
    /// private-metadata group and its module, each relative to its section.
    OFFT;
    /// Four u16: AIR major, AIR minor, MSL major, MSL minor.
    VERS;
    /// u64 offset into the embedded-source section (`-frecord-sources`).
    SOFF;
    /// u64 offset of the function's group in the reflection list (1.2.7+).
    RFLT;
    /// Render-target-array-index data type (render functions).
    LAYR;
    /// Tessellation: `(control_points << 2) | patch_type`.
    TESS;
    /// Header extension: 16-byte library UUID.
    UUID;
    /// Header extension: u64 offset + u64 size of the dynamic header (1.2.9).
    HDYN;
    /// Header extension: offset + size of the reflection list (1.2.7+).
    RLST;
    /// Header extension: offset + size of embedded source with a working
    /// directory (1.2.6+).
    HSRD;
    /// Header extension: offset + size of embedded source (before 1.2.6).
    HSRC;
    /// Header extension: offset + size of the exported-variable list.
    VLST;
    /// Header extension: offset + size of the imported-symbol list.
    ILST;
    /// Header extension: offset + size of the script list.
    SLST;
    /// Public metadata: function constants.
    CNST;
    /// Public metadata: vertex attributes.
    VATT;
    /// Public metadata: vertex attribute types.
    VATY;
    /// Public metadata (meaning unknown).
    RETR;
    /// Public metadata (meaning unknown).
    ARGR;
    /// Private metadata: u32 line + NUL-terminated path.
    DEBI;
    /// Private metadata: NUL-terminated path of the `.air` file.
    DEPF;
    /// Reflection list: a reflection flatbuffer (u32 size).
    RBUF;
    /// Script list: a script flatbuffer (u32 size).
    SBUF;
    /// Embedded source: one source archive (u32 size).
    SARC;
}

/// Header-extension tags whose payload is a u64 file offset and a u64 size
/// locating an optional section.
pub const SECTION_TAGS: [FourCc; 6] = [HDYN, RLST, HSRD, HSRC, VLST, ILST];

/// Whether `code` is a header-extension tag that locates a section
/// ([`SECTION_TAGS`] or `SLST`).
pub fn is_section_tag(code: FourCc) -> bool {
    SECTION_TAGS.contains(&code) || code == SLST
}

/// The function-type byte of the `TYPE` tag. Unknown values are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FunctionType(pub u8);

impl FunctionType {
    /// Vertex function.
    pub const VERTEX: FunctionType = FunctionType(0);
    /// Fragment function.
    pub const FRAGMENT: FunctionType = FunctionType(1);
    /// Compute kernel.
    pub const KERNEL: FunctionType = FunctionType(2);
    /// Unqualified function in a dynamic library.
    pub const UNQUALIFIED: FunctionType = FunctionType(3);
    /// `[[visible]]` or `[[stitchable]]` function.
    pub const VISIBLE: FunctionType = FunctionType(4);
    /// Core Image extern function.
    pub const EXTERN: FunctionType = FunctionType(5);
    /// Intersection function.
    pub const INTERSECTION: FunctionType = FunctionType(6);
    /// No type.
    pub const NONE: FunctionType = FunctionType(255);

    /// A lowercase name, or `None` for values with no known meaning.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "vertex",
            1 => "fragment",
            2 => "kernel",
            3 => "unqualified",
            4 => "visible",
            5 => "extern",
            6 => "intersection",
            255 => "none",
            _ => return None,
        })
    }
}

impl fmt::Display for FunctionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{n} ({})", self.0),
            None => write!(f, "unknown ({})", self.0),
        }
    }
}

/// The `VERS` payload: AIR and MSL versions as four u16.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Versions {
    /// AIR (major, minor).
    pub air: (u16, u16),
    /// Metal Shading Language (major, minor).
    pub msl: (u16, u16),
}

impl Versions {
    /// The AIR and MSL versions of `target`.
    pub fn for_target(target: &air_target::Target) -> Self {
        let v = |x: u32| u16::try_from(x).unwrap_or(u16::MAX);
        Versions {
            air: (v(target.air_version.0), v(target.air_version.1)),
            msl: (v(target.msl_version.0), v(target.msl_version.1)),
        }
    }

    /// The 8-byte payload.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut b = [0u8; 8];
        for (i, v) in [self.air.0, self.air.1, self.msl.0, self.msl.1]
            .into_iter()
            .enumerate()
        {
            b[i * 2..i * 2 + 2].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// Decodes the 8-byte payload.
    pub fn from_bytes(b: &[u8; 8]) -> Self {
        let v = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        Versions {
            air: (v(0), v(2)),
            msl: (v(4), v(6)),
        }
    }
}

/// The `OFFT` payload: where a function's pieces sit, each offset relative
/// to the start of its own section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Offsets {
    /// Offset of the function's group in the public metadata section.
    pub public_metadata: u64,
    /// Offset of the function's group in the private metadata section.
    pub private_metadata: u64,
    /// Offset of the function's module in the module list.
    pub module: u64,
}

impl Offsets {
    /// The 24-byte payload.
    pub fn to_bytes(&self) -> [u8; 24] {
        let mut b = [0u8; 24];
        b[0..8].copy_from_slice(&self.public_metadata.to_le_bytes());
        b[8..16].copy_from_slice(&self.private_metadata.to_le_bytes());
        b[16..24].copy_from_slice(&self.module.to_le_bytes());
        b
    }

    /// Decodes the 24-byte payload.
    pub fn from_bytes(b: &[u8; 24]) -> Self {
        let v = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[i..i + 8]);
            u64::from_le_bytes(w)
        };
        Offsets {
            public_metadata: v(0),
            private_metadata: v(8),
            module: v(16),
        }
    }
}

/// Name of a Mach-O platform number (bits 0–6 of the platform byte).
pub fn platform_name(platform: u8) -> &'static str {
    match platform & !PLATFORM_64BIT_FLAG {
        0 => "unknown",
        1 => "macOS",
        2 => "iOS",
        3 => "tvOS",
        4 => "watchOS",
        5 => "bridgeOS",
        6 => "Mac Catalyst",
        7 => "iOS simulator",
        8 => "tvOS simulator",
        9 => "watchOS simulator",
        10 => "DriverKit",
        11 => "visionOS",
        12 => "macOS simulator",
        _ => "unrecognised",
    }
}

/// Name of a file type (bits 0–6 of the file-type byte).
pub fn file_type_name(file_type: u8) -> &'static str {
    match file_type & !FILE_TYPE_STUB_FLAG {
        0 => "executable",
        1 => "Core Image",
        2 => "dynamic",
        3 => "symbol companion",
        _ => "unrecognised",
    }
}

/// The versioning and platform part of the header (bytes 0x04–0x0F): what a
/// writer chooses, as opposed to offsets and sizes, which follow from the
/// layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Bytes 0x04–0x05: container major version, bit 15 = macOS.
    pub container_major_word: u16,
    /// Container minor version.
    pub container_minor: u16,
    /// Container patch version.
    pub container_patch: u16,
    /// File type byte (bit 7 = stub).
    pub file_type: u8,
    /// Platform byte (bit 7 = 64-bit).
    pub platform: u8,
    /// OS version (major, minor, patch).
    pub os_version: (u16, u8, u8),
}

impl Identity {
    /// The bytes `air_target` gives for `target` (an executable library).
    pub fn for_target(target: &air_target::Target) -> Self {
        Identity {
            container_major_word: target.container_major_word,
            container_minor: target.container_version.1,
            container_patch: target.container_version.2,
            file_type: 0,
            platform: target.platform_byte,
            os_version: target.os_version,
        }
    }

    /// The container version (major, minor, patch), macOS flag removed.
    pub fn container_version(&self) -> (u16, u16, u16) {
        (
            self.container_major_word & !CONTAINER_MACOS_FLAG,
            self.container_minor,
            self.container_patch,
        )
    }

    /// Whether bit 15 of the major word (macOS) is set.
    pub fn is_macos(&self) -> bool {
        self.container_major_word & CONTAINER_MACOS_FLAG != 0
    }

    /// Whether this container version has a header extension (1.2.3+).
    pub fn has_header_extension(&self) -> bool {
        self.container_version() >= (1, 2, 3)
    }

    /// Bytes 0x04–0x0F.
    pub fn to_bytes(&self) -> [u8; 12] {
        let mut b = [0u8; 12];
        b[0..2].copy_from_slice(&self.container_major_word.to_le_bytes());
        b[2..4].copy_from_slice(&self.container_minor.to_le_bytes());
        b[4..6].copy_from_slice(&self.container_patch.to_le_bytes());
        b[6] = self.file_type;
        b[7] = self.platform;
        b[8..10].copy_from_slice(&self.os_version.0.to_le_bytes());
        b[10] = self.os_version.1;
        b[11] = self.os_version.2;
        b
    }

    /// Decodes bytes 0x04–0x0F.
    pub fn from_bytes(b: &[u8; 12]) -> Self {
        Identity {
            container_major_word: u16::from_le_bytes([b[0], b[1]]),
            container_minor: u16::from_le_bytes([b[2], b[3]]),
            container_patch: u16::from_le_bytes([b[4], b[5]]),
            file_type: b[6],
            platform: b[7],
            os_version: (u16::from_le_bytes([b[8], b[9]]), b[10], b[11]),
        }
    }
}

/// The default target's bytes ([`air_target::DEFAULT_TARGET`]).
impl Default for Identity {
    fn default() -> Self {
        Identity::for_target(
            air_target::Target::by_id(air_target::DEFAULT_TARGET)
                .expect("the default target is in the table"),
        )
    }
}

/// A section as the header or a header-extension tag locates it: absolute
/// file offset and size in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SectionRange {
    /// Absolute file offset.
    pub offset: u64,
    /// Size in bytes.
    pub size: u64,
}

impl SectionRange {
    /// One past the last byte, or `None` on overflow.
    pub fn end(&self) -> Option<u64> {
        self.offset.checked_add(self.size)
    }
}

/// The whole 88-byte header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Header {
    /// Bytes 0x04–0x0F.
    pub identity: Identity,
    /// Total file size (0x10).
    pub file_size: u64,
    /// Function list (0x18). Its `size` excludes the leading u32 count.
    pub function_list: SectionRange,
    /// Public metadata (0x28).
    pub public_metadata: SectionRange,
    /// Private metadata (0x38).
    pub private_metadata: SectionRange,
    /// Module list (0x48).
    pub module_list: SectionRange,
}

impl Header {
    /// Decodes a header; the caller has checked the magic.
    pub fn from_bytes(b: &[u8; HEADER_SIZE]) -> Self {
        let u64_at = |o: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&b[o..o + 8]);
            u64::from_le_bytes(w)
        };
        let range = |o: usize| SectionRange {
            offset: u64_at(o),
            size: u64_at(o + 8),
        };
        let mut id = [0u8; 12];
        id.copy_from_slice(&b[header::CONTAINER_MAJOR..header::FILE_SIZE]);
        Header {
            identity: Identity::from_bytes(&id),
            file_size: u64_at(header::FILE_SIZE),
            function_list: range(header::FUNCTION_LIST_OFFSET),
            public_metadata: range(header::PUBLIC_METADATA_OFFSET),
            private_metadata: range(header::PRIVATE_METADATA_OFFSET),
            module_list: range(header::MODULE_LIST_OFFSET),
        }
    }

    /// Encodes the header, magic included.
    pub fn to_bytes(&self) -> [u8; HEADER_SIZE] {
        let mut b = [0u8; HEADER_SIZE];
        b[0..4].copy_from_slice(&MAGIC);
        b[header::CONTAINER_MAJOR..header::FILE_SIZE].copy_from_slice(&self.identity.to_bytes());
        let mut put = |o: usize, v: u64| b[o..o + 8].copy_from_slice(&v.to_le_bytes());
        put(header::FILE_SIZE, self.file_size);
        for (o, r) in [
            (header::FUNCTION_LIST_OFFSET, self.function_list),
            (header::PUBLIC_METADATA_OFFSET, self.public_metadata),
            (header::PRIVATE_METADATA_OFFSET, self.private_metadata),
            (header::MODULE_LIST_OFFSET, self.module_list),
        ] {
            put(o, r.offset);
            put(o + 8, r.size);
        }
        b
    }
}

/// The Darwin bitcode wrapper that starts every module entry
/// (docs/metallib-container.md#bitcode-wrapper): `wrapper::MAGIC`, `wrapper::HEADER_SIZE`,
/// `wrapper::ALIGN` and the header's fields.
pub use llvm_bitstream::wrapper;

/// Size of an empty sized group: u32 size 8, then `ENDT`.
pub const EMPTY_GROUP: [u8; 8] = [0x08, 0x00, 0x00, 0x00, b'E', b'N', b'D', b'T'];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourcc_constants_spell_their_names() {
        assert_eq!(NAME.0, *b"NAME");
        assert_eq!(ENDT.to_text(), "ENDT");
        assert!(RBUF.has_wide_size() && !NAME.has_wide_size());
        assert_eq!(FourCc([b'A', 0, 0xFF, b'Z']).to_text(), "A\\x00\\xffZ");
    }

    #[test]
    fn header_round_trips() {
        let t = air_target::Target::by_id("macos26").unwrap();
        let h = Header {
            identity: Identity::for_target(t),
            file_size: 1000,
            function_list: SectionRange {
                offset: 88,
                size: 119,
            },
            public_metadata: SectionRange {
                offset: 215,
                size: 8,
            },
            private_metadata: SectionRange {
                offset: 223,
                size: 8,
            },
            module_list: SectionRange {
                offset: 231,
                size: 769,
            },
        };
        let bytes = h.to_bytes();
        assert_eq!(bytes[..16], t.header_prefix());
        assert_eq!(Header::from_bytes(&bytes), h);
        assert_eq!(h.identity.container_version(), (1, 2, 9));
    }
}
