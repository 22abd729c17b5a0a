//! Errors of the container reader and writer.

use crate::raw::FourCc;

/// A malformed `.metallib`: what is wrong and the byte offset where it was
/// found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at byte offset {offset:#x}: {kind}")]
pub struct ReadError {
    /// Absolute byte offset in the file.
    pub offset: u64,
    /// What is wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    #[cold]
    pub(crate) fn new(offset: impl TryInto<u64>, kind: ReadErrorKind) -> Self {
        ReadError {
            offset: offset.try_into().unwrap_or(u64::MAX),
            kind,
        }
    }
}

/// The ways a `.metallib` can be malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The data ends inside an item.
    #[error("unexpected end of data in {what} ({needed} bytes needed, {available} left)")]
    Truncated {
        /// The item being read.
        what: &'static str,
        /// Bytes the item needs.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// The file does not start with `MTLB`.
    #[error("bad magic {found:02x?}, expected \"MTLB\"")]
    BadMagic {
        /// The first four bytes.
        found: [u8; 4],
    },
    /// The header's file size disagrees with the real size.
    #[error("the header says the file has {header} bytes but it has {actual}")]
    FileSizeMismatch {
        /// Header field 0x10.
        header: u64,
        /// Length of the data.
        actual: u64,
    },
    /// A section reaches past the end of the file (or its end overflows).
    #[error("the {section} ({offset:#x} + {size:#x}) lies outside the file of {file_size} bytes")]
    SectionOutOfBounds {
        /// Which section.
        section: String,
        /// Its offset.
        offset: u64,
        /// Its size.
        size: u64,
        /// The file size.
        file_size: u64,
    },
    /// A list's count cannot be right: its items would not fit.
    #[error("{what} count {count} cannot fit in the {available} bytes left")]
    CountTooLarge {
        /// The list.
        what: &'static str,
        /// The count read.
        count: u64,
        /// Bytes left for the items.
        available: u64,
    },
    /// A sized group's size field is below the minimum or past its section.
    #[error("{what} size {size} is invalid (at least 8, and {available} bytes are left)")]
    BadGroupSize {
        /// The group.
        what: &'static str,
        /// The size field.
        size: u64,
        /// Bytes left in the enclosing section.
        available: u64,
    },
    /// A sized group's `ENDT` is not where its size field says the group ends.
    #[error("{what} ends at {actual:#x}, but its size field says {expected:#x}")]
    GroupSizeMismatch {
        /// The group.
        what: &'static str,
        /// Where the size field says the group ends.
        expected: u64,
        /// Where its `ENDT` ends.
        actual: u64,
    },
    /// A section's contents do not end where the header says it ends.
    #[error("the {what} ends at {actual:#x}, but its recorded size says {expected:#x}")]
    SectionSizeMismatch {
        /// The section.
        what: &'static str,
        /// The end from the recorded offset and size.
        expected: u64,
        /// The end of the parsed contents.
        actual: u64,
    },
    /// A known tag's payload has the wrong size.
    #[error("tag {tag} has a {size}-byte payload, expected {expected}")]
    BadTagSize {
        /// The tag.
        tag: FourCc,
        /// Its payload size.
        size: u64,
        /// What was expected.
        expected: &'static str,
    },
    /// A known tag appears twice in one group.
    #[error("tag {tag} appears twice in one group")]
    DuplicateTag {
        /// The tag.
        tag: FourCc,
    },
    /// A function lacks a tag it cannot do without.
    #[error("function {index} has no {tag} tag")]
    MissingTag {
        /// Index of the function.
        index: usize,
        /// The missing tag.
        tag: FourCc,
    },
    /// `NAME` is not NUL-terminated UTF-8.
    #[error("NAME is not NUL-terminated UTF-8 text")]
    BadName,
    /// A function's module lies outside the module list.
    #[error(
        "the module of function {index} ({offset:#x} + {size:#x} in the module list) \
         lies outside the module list of {list_size} bytes"
    )]
    ModuleOutOfBounds {
        /// Index of the function.
        index: usize,
        /// `OFFT` module offset.
        offset: u64,
        /// `MDSZ`.
        size: u64,
        /// Size of the module list.
        list_size: u64,
    },
}

/// Why a container could not be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A tag payload does not fit its size field.
    #[error("tag {tag} payload of {size} bytes does not fit its size field")]
    TagTooLarge {
        /// The tag.
        tag: FourCc,
        /// The payload size.
        size: usize,
    },
    /// A group is larger than its u32 size field allows.
    #[error("a tag group of {size} bytes does not fit a u32 size field")]
    GroupTooLarge {
        /// The group size.
        size: usize,
    },
    /// More functions (or groups) than a u32 count holds.
    #[error("{count} functions do not fit a u32 count")]
    TooManyFunctions {
        /// The count.
        count: usize,
    },
    /// `ENDT` was given as a tag; the writer closes groups itself.
    #[error("ENDT cannot be given as a tag: the writer ends every group")]
    EndtInTags,
    /// A function name contains NUL or is empty.
    #[error("function name {name:?} is empty or contains a NUL byte")]
    BadName {
        /// The name.
        name: String,
    },
}
