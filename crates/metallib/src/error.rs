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
    #[error(
        "bad magic 0x{:02x} 0x{:02x} 0x{:02x} 0x{:02x}, expected \"MTLB\" (0x4d 0x54 0x4c 0x42)",
        found[0], found[1], found[2], found[3]
    )]
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
    /// A sized group's size word fits neither rule: it is neither the
    /// group's length `L` (found by walking its tags to `ENDT`, which does
    /// not read the word) nor `L - 4` ([`crate::raw::SizeRule`]).
    #[error(
        "{what} size word {size} fits neither rule: the group is {length} bytes long, so the \
         word must be {length} (counting itself) or {excluding} (not counting itself)"
    )]
    GroupSizeNeither {
        /// The group.
        what: &'static str,
        /// The size word.
        size: u64,
        /// The group's length, size word and `ENDT` included.
        length: u64,
        /// `length - 4`.
        excluding: u64,
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
    /// A payload whose inner layout is known (`CNST`, `DEBI`, `DEPF`,
    /// `SARC`; [`crate::payload`]) does not have it; the offset is the
    /// byte inside the payload where it goes wrong.
    #[error("tag {tag}: {what}")]
    BadPayload {
        /// The tag.
        tag: FourCc,
        /// What is wrong.
        what: &'static str,
    },
    /// A string of the embedded-source section has no NUL.
    #[error("{what} has no NUL before the end of its section")]
    UnterminatedString {
        /// The string.
        what: &'static str,
    },
    /// The file is readable but not laid out the way Apple's tools (and
    /// airlink's writer) lay a library out, so the owned model
    /// ([`crate::library::Library`]) cannot hold it without losing bytes.
    #[error("not in Apple's layout, so it cannot be rewritten: {0}")]
    Layout(String),
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
    /// An index of the model names nothing (a function's module or
    /// metadata group, a tag's section or group).
    #[error("{what} {index} does not exist (there are {count})")]
    BadReference {
        /// What the index names.
        what: &'static str,
        /// The index.
        index: usize,
        /// How many there are.
        count: usize,
    },
    /// A section of the model is too large for its u32 count or offsets.
    #[error("{what} of {size} does not fit its field")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// Its size or count.
        size: u64,
    },
    /// A function name contains NUL or is empty.
    #[error("function name {name:?} is empty or contains a NUL byte")]
    BadName {
        /// The name.
        name: String,
    },
}
