//! The reader: [`MetallibFile::parse`] checks a whole library and returns
//! views that borrow the input.
//!
//! It accepts containers 1.2.4 to 1.2.9 as Apple's two build paths write
//! them (docs/metallib-container.md): the stand-alone `metallib` tool's tag
//! order (NAME, TYPE, HASH, MDSZ, OFFT, VERS) and the one-step driver's
//! (NAME, TYPE, HASH, OFFT, VERS, MDSZ, SOFF, RFLT); both metadata-group
//! size rules, told apart from the bytes ([`SizeRule`]); the header
//! extension with every section tag (HSRD, HSRC, HDYN, RLST, VLST, ILST,
//! SLST) and unknown ones; the dynamic header, the reflection list and the
//! embedded-source section. Tags are located by code, never by position;
//! unknown tags are kept; the payloads whose layout is known (`CNST`,
//! `DEBI`, `DEPF`, `SARC`) are checked here and decoded by
//! [`crate::payload`]. [`crate::library::Library::from_file`] turns a
//! parsed file into an owned model that writes the same bytes again.
//!
//! Hostile input is expected: every length is checked against the bytes
//! that are actually left before anything is read or allocated, so parsing
//! cannot panic, loop forever or allocate more than a small multiple of the
//! input size.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::error::{ReadError, ReadErrorKind};
use crate::payload;
use crate::raw::{self, FourCc, Header, Offsets, SectionRange, SizeRule, Versions, HEADER_SIZE};

type Result<T, E = ReadError> = std::result::Result<T, E>;

/// One tag of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'data> {
    /// File offset of the tag's code.
    pub offset: u64,
    /// The code.
    pub code: FourCc,
    /// The payload (the size field is not included).
    pub payload: &'data [u8],
}

impl Tag<'_> {
    /// Bytes of the size field: 4 for [`FourCc::has_wide_size`] tags, else 2.
    pub fn size_field_len(&self) -> u64 {
        if self.code.has_wide_size() {
            4
        } else {
            2
        }
    }

    /// File offset of the payload.
    pub fn payload_offset(&self) -> u64 {
        self.offset + 4 + self.size_field_len()
    }

    /// The payload as a u64, when it is exactly 8 bytes.
    pub fn as_u64(&self) -> Option<u64> {
        Some(u64::from_le_bytes(self.payload.try_into().ok()?))
    }

    /// A 16-byte payload as the (offset, size) pair of a section.
    pub fn as_range(&self) -> Option<SectionRange> {
        let p: &[u8; 16] = self.payload.try_into().ok()?;
        let (o, s) = p.split_at(8);
        Some(SectionRange {
            offset: u64::from_le_bytes(o.try_into().ok()?),
            size: u64::from_le_bytes(s.try_into().ok()?),
        })
    }
}

/// A tag group: tags up to `ENDT`, with a u32 size word in front when
/// sized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagGroup<'data> {
    /// File offset of the group (of its size word, when sized).
    pub offset: u64,
    /// The size word of a sized group.
    pub size: Option<u32>,
    /// How the size word relates to the group's length (sized groups).
    pub rule: Option<SizeRule>,
    /// The tags in file order, `ENDT` excluded.
    pub tags: Vec<Tag<'data>>,
    /// File offset of the closing `ENDT`.
    pub endt_offset: u64,
}

impl<'data> TagGroup<'data> {
    /// The first tag with `code`.
    pub fn get(&self, code: FourCc) -> Option<&Tag<'data>> {
        self.tags.iter().find(|t| t.code == code)
    }

    /// One past the group's last byte.
    pub fn end(&self) -> u64 {
        self.endt_offset + 4
    }

    /// The group's length in bytes, size word and `ENDT` included.
    pub fn len(&self) -> u64 {
        self.end() - self.offset
    }

    /// Whether the group has no tags.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }
}

/// Whether a function's stored hash matches its module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashStatus {
    /// `HASH` equals the SHA-256 of the module bytes.
    Ok,
    /// `HASH` differs from the SHA-256 of the module bytes.
    Bad,
    /// The function has no `HASH` tag.
    Missing,
}

impl HashStatus {
    /// `OK`, `BAD` or `MISSING`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashStatus::Ok => "OK",
            HashStatus::Bad => "BAD",
            HashStatus::Missing => "MISSING",
        }
    }
}

/// One entry of the function list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function<'data> {
    /// Position in the function list.
    pub index: usize,
    /// Every tag, in file order (unknown ones included).
    pub group: TagGroup<'data>,
    /// `NAME`, without its NUL.
    pub name: &'data str,
    /// `TYPE`.
    pub function_type: Option<raw::FunctionType>,
    /// `HASH`.
    pub hash: Option<&'data [u8; 32]>,
    /// `OFFT`.
    pub offsets: Offsets,
    /// `VERS`.
    pub versions: Option<Versions>,
    /// `RFLT`: offset of the function's group in the reflection list.
    pub reflection_offset: Option<u64>,
    /// `SOFF`: offset into the embedded-source section.
    pub source_offset: Option<u64>,
    /// File offset of the module (module list offset + `OFFT` module).
    pub module_offset: u64,
    /// The module entry: exactly `MDSZ` bytes (wrapper, bitcode, padding).
    pub module: &'data [u8],
}

impl Function<'_> {
    /// SHA-256 of the module bytes.
    pub fn computed_hash(&self) -> [u8; 32] {
        Sha256::digest(self.module).into()
    }

    /// Compares `HASH` with the module bytes (hashes the module; see
    /// [`MetallibFile::hash_statuses`] for many functions sharing one).
    pub fn hash_status(&self) -> HashStatus {
        status(self.hash, || self.computed_hash())
    }

    /// The bitcode inside the module's Darwin wrapper, when the wrapper is
    /// well formed (`None` for a bare or damaged module).
    pub fn bitcode(&self) -> Option<&[u8]> {
        match raw::wrapper::unwrap(self.module) {
            Ok((Some(_), bitcode)) => Some(bitcode),
            _ => None,
        }
    }

    /// Where the module is: (file offset, length). Functions with the same
    /// key share one module entry.
    pub fn module_key(&self) -> (u64, usize) {
        (self.module_offset, self.module.len())
    }
}

fn status(stored: Option<&[u8; 32]>, computed: impl FnOnce() -> [u8; 32]) -> HashStatus {
    match stored {
        None => HashStatus::Missing,
        Some(h) if *h == computed() => HashStatus::Ok,
        Some(_) => HashStatus::Bad,
    }
}

/// What a section located by a header-extension tag holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SectionContent<'data> {
    /// `HDYN`: an unsized group (measured: `NAME`, the install name).
    DynamicHeader(TagGroup<'data>),
    /// `RLST`: the reflection list.
    Reflection(ReflectionList<'data>),
    /// `HSRD` / `HSRC`: the embedded sources.
    Sources(SourceSection<'data>),
    /// `VLST`, `ILST`, `SLST` (inner format not measured) and sections that
    /// unknown tags seem to locate: bytes only.
    Bytes,
}

/// A section located by a header-extension tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtensionSection<'data> {
    /// The tag (`HDYN`, `RLST`, `HSRD`, ...).
    pub code: FourCc,
    /// File offset of the tag.
    pub tag_offset: u64,
    /// Where the section is (absolute file offset).
    pub range: SectionRange,
    /// Its bytes.
    pub bytes: &'data [u8],
    /// Its parsed contents.
    pub content: SectionContent<'data>,
    /// `false` when the tag is not one airlink knows and was taken for a
    /// section locator only because its 16-byte payload reads as an
    /// (offset, size) pair inside the bytes after the module list (as
    /// `HSRP` in Apple-built binary archives; docs/metallib-container.md).
    pub known: bool,
}

/// The header extension: an unsized tag group after the function list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderExtension<'data> {
    /// The tags.
    pub group: TagGroup<'data>,
    /// `UUID`.
    pub uuid: Option<&'data [u8; 16]>,
    /// The sections its tags locate, in tag order.
    pub sections: Vec<ExtensionSection<'data>>,
}

impl<'data> HeaderExtension<'data> {
    /// The section located by tag `code`.
    pub fn section(&self, code: FourCc) -> Option<&ExtensionSection<'data>> {
        self.sections.iter().find(|s| s.code == code)
    }
}

/// The reflection list (`RLST`): a u32 count, then one sized group per
/// function holding an `RBUF`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReflectionList<'data> {
    /// File offset of the list.
    pub offset: u64,
    /// The groups in file order.
    pub groups: Vec<TagGroup<'data>>,
}

/// A NUL-terminated string of the embedded-source section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceString<'data> {
    /// File offset of its first byte.
    pub offset: u64,
    /// Its bytes, without the NUL.
    pub bytes: &'data [u8],
}

/// The embedded-source section (`HSRD` from container 1.2.6 on, `HSRC`
/// before): a u32 count of archive groups, the strings (the link command
/// line; `HSRD` adds the working directory), then the groups, each a size
/// word, one `SARC` tag and `ENDT` (measured on 6 Apple-built libraries).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceSection<'data> {
    /// File offset of the section (of its count).
    pub offset: u64,
    /// The strings.
    pub strings: Vec<SourceString<'data>>,
    /// The archive groups.
    pub groups: Vec<TagGroup<'data>>,
}

impl SourceSection<'_> {
    /// How many strings precede the groups in a section located by `code`:
    /// the link command line, and for `HSRD` the working directory too.
    pub fn string_count(code: FourCc) -> usize {
        if code == raw::HSRC {
            1
        } else {
            2
        }
    }
}

/// A parsed `.metallib`, borrowing the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetallibFile<'data> {
    data: &'data [u8],
    header: Header,
    functions: Vec<Function<'data>>,
    function_list_end: u64,
    header_extension: Option<HeaderExtension<'data>>,
    public_metadata: Vec<TagGroup<'data>>,
    private_metadata: Vec<TagGroup<'data>>,
}

/// A bounds-checked reader over `data[..end]` with absolute positions.
struct Cursor<'data> {
    data: &'data [u8],
    pos: usize,
    end: usize,
}

impl<'data> Cursor<'data> {
    fn new(data: &'data [u8], pos: usize, end: usize) -> Self {
        Cursor {
            data,
            pos,
            end: end.min(data.len()),
        }
    }

    fn left(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'data [u8]> {
        if n > self.left() {
            return Err(ReadError::new(
                self.pos,
                ReadErrorKind::Truncated {
                    what,
                    needed: n as u64,
                    available: self.left() as u64,
                },
            ));
        }
        let b = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N, what)?);
        Ok(a)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
}

/// Converts a file offset that is known to be at most the data length.
fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Parses one tag group starting at `start`, not reading past `limit`.
///
/// A sized group's size word is checked against the group's length `L`,
/// which the tag walk gives without reading the word: the word must be `L`
/// (it counts itself) or `L - 4` (it does not), and the group records which
/// ([`SizeRule`]). Anything else is an error at the group's offset.
fn parse_group<'data>(
    data: &'data [u8],
    start: usize,
    limit: usize,
    sized: bool,
    what: &'static str,
) -> Result<TagGroup<'data>> {
    let mut c = Cursor::new(data, start, limit);
    let word = if sized { Some(c.u32(what)?) } else { None };
    let mut tags = Vec::new();
    loop {
        let offset = c.pos;
        let code = FourCc(c.array("tag code")?);
        if code == raw::ENDT {
            break;
        }
        let len = if code.has_wide_size() {
            c.u32("tag size")? as usize
        } else {
            usize::from(c.u16("tag size")?)
        };
        let payload = c.bytes(len, "tag payload")?;
        tags.push(Tag {
            offset: offset as u64,
            code,
            payload,
        });
    }
    let endt_offset = (c.pos - 4) as u64;
    let length = (c.pos - start) as u64;
    let rule = match word {
        None => None,
        Some(w) => Some(SizeRule::decide(u64::from(w), length).ok_or_else(|| {
            ReadError::new(
                start,
                ReadErrorKind::GroupSizeNeither {
                    what,
                    size: u64::from(w),
                    length,
                    excluding: length - 4,
                },
            )
        })?),
    };
    Ok(TagGroup {
        offset: start as u64,
        size: word,
        rule,
        tags,
        endt_offset,
    })
}

/// Checks that `range` lies inside `data`, returning its bounds.
fn section_bounds(data: &[u8], range: SectionRange, name: &str, at: u64) -> Result<(usize, usize)> {
    match range.end() {
        Some(end) if end <= data.len() as u64 => Ok((to_usize(range.offset), to_usize(end))),
        _ => Err(ReadError::new(
            at,
            ReadErrorKind::SectionOutOfBounds {
                section: name.to_string(),
                offset: range.offset,
                size: range.size,
                file_size: data.len() as u64,
            },
        )),
    }
}

/// Parses consecutive sized groups filling `[start, end)` exactly.
fn parse_group_run<'data>(
    data: &'data [u8],
    start: usize,
    end: usize,
    what: &'static str,
) -> Result<Vec<TagGroup<'data>>> {
    let mut groups = Vec::new();
    let mut pos = start;
    while pos < end {
        let g = parse_group(data, pos, end, true, what)?;
        pos = to_usize(g.end());
        groups.push(g);
    }
    Ok(groups)
}

/// Checks that `tag` has exactly `N` payload bytes.
fn fixed<'data, const N: usize>(
    tag: &Tag<'data>,
    expected: &'static str,
) -> Result<&'data [u8; N]> {
    tag.payload.try_into().map_err(|_| {
        ReadError::new(
            tag.offset,
            ReadErrorKind::BadTagSize {
                tag: tag.code,
                size: tag.payload.len() as u64,
                expected,
            },
        )
    })
}

/// Rejects a second occurrence of any of `codes` in `group`.
fn reject_duplicates(group: &TagGroup<'_>, codes: &[FourCc]) -> Result<()> {
    for (i, t) in group.tags.iter().enumerate() {
        if codes.contains(&t.code) && group.tags[..i].iter().any(|p| p.code == t.code) {
            return Err(ReadError::new(
                t.offset,
                ReadErrorKind::DuplicateTag { tag: t.code },
            ));
        }
    }
    Ok(())
}

/// Checks the payloads whose inner layout is known ([`crate::payload`]).
fn check_payloads(group: &TagGroup<'_>) -> Result<()> {
    for t in &group.tags {
        let checked = match t.code {
            raw::CNST => payload::function_constants(t.payload).map(|_| ()),
            raw::DEBI => payload::debug_location(t.payload).map(|_| ()),
            raw::DEPF => payload::dependency_file(t.payload).map(|_| ()),
            raw::SARC => payload::source_archive(t.payload).map(|_| ()),
            _ => Ok(()),
        };
        if let Err(e) = checked {
            return Err(ReadError::new(
                t.payload_offset() + e.offset as u64,
                ReadErrorKind::BadPayload {
                    tag: t.code,
                    what: e.what,
                },
            ));
        }
    }
    Ok(())
}

/// Reads `count` sized groups from `pos`, not past `end`; the count is
/// checked against the room first (a group takes at least 8 bytes).
fn counted_groups<'data>(
    data: &'data [u8],
    count_offset: usize,
    count: u32,
    mut pos: usize,
    end: usize,
    what: &'static str,
) -> Result<(Vec<TagGroup<'data>>, usize)> {
    let room = end.saturating_sub(pos) as u64;
    if u64::from(count) > room / 8 {
        return Err(ReadError::new(
            count_offset,
            ReadErrorKind::CountTooLarge {
                what,
                count: u64::from(count),
                available: room,
            },
        ));
    }
    let mut groups = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let g = parse_group(data, pos, end, true, what)?;
        pos = to_usize(g.end());
        groups.push(g);
    }
    Ok((groups, pos))
}

/// Fails unless a section's parsed contents end exactly at its end.
fn must_end_at(pos: usize, end: usize, what: &'static str) -> Result<()> {
    if pos == end {
        return Ok(());
    }
    Err(ReadError::new(
        pos,
        ReadErrorKind::SectionSizeMismatch {
            what,
            expected: end as u64,
            actual: pos as u64,
        },
    ))
}

impl<'data> MetallibFile<'data> {
    /// Parses and checks a whole library.
    ///
    /// Hashes are not checked here (a file with a wrong hash is still
    /// readable); see [`MetallibFile::hash_statuses`].
    ///
    /// # Errors
    /// The first malformation found, with its byte offset.
    pub fn parse(data: &'data [u8]) -> Result<Self> {
        let mut c = Cursor::new(data, 0, data.len());
        let bytes: [u8; HEADER_SIZE] = c.array("header")?;
        if bytes[..4] != raw::MAGIC {
            let mut found = [0u8; 4];
            found.copy_from_slice(&bytes[..4]);
            return Err(ReadError::new(0, ReadErrorKind::BadMagic { found }));
        }
        let header = Header::from_bytes(&bytes);
        if header.file_size != data.len() as u64 {
            return Err(ReadError::new(
                raw::header::FILE_SIZE,
                ReadErrorKind::FileSizeMismatch {
                    header: header.file_size,
                    actual: data.len() as u64,
                },
            ));
        }

        // Function list: u32 count, then sized groups. The header's size
        // excludes the count.
        let fl = header.function_list;
        let fl_range = SectionRange {
            offset: fl.offset,
            size: fl.size.saturating_add(4),
        };
        let (fl_start, fl_end) = section_bounds(
            data,
            fl_range,
            "function list",
            raw::header::FUNCTION_LIST_OFFSET as u64,
        )?;
        let mut c = Cursor::new(data, fl_start, fl_end);
        let count = c.u32("function count")?;
        let (groups, groups_end) =
            counted_groups(data, fl_start, count, c.pos, fl_end, "function group")?;

        let (ml_start, ml_end) = section_bounds(
            data,
            header.module_list,
            "module list",
            raw::header::MODULE_LIST_OFFSET as u64,
        )?;

        // Header extension: an unsized group right after the last function
        // group, before the public metadata (from 1.2.3 on).
        let header_extension = if header.identity.has_header_extension()
            && (groups_end as u64) < header.public_metadata.offset
        {
            let group = parse_group(data, groups_end, data.len(), false, "header extension")?;
            Some(Self::parse_extension(data, group, ml_end)?)
        } else {
            None
        };

        let public_metadata = Self::parse_metadata(
            data,
            header.public_metadata,
            "public metadata",
            raw::header::PUBLIC_METADATA_OFFSET,
        )?;
        let private_metadata = Self::parse_metadata(
            data,
            header.private_metadata,
            "private metadata",
            raw::header::PRIVATE_METADATA_OFFSET,
        )?;

        let mut functions = Vec::with_capacity(groups.len());
        for (index, group) in groups.into_iter().enumerate() {
            functions.push(Self::parse_function(data, index, group, ml_start, ml_end)?);
        }

        Ok(MetallibFile {
            data,
            header,
            functions,
            function_list_end: groups_end as u64,
            header_extension,
            public_metadata,
            private_metadata,
        })
    }

    fn parse_extension(
        data: &'data [u8],
        group: TagGroup<'data>,
        module_list_end: usize,
    ) -> Result<HeaderExtension<'data>> {
        let mut uuid = None;
        let mut sections = Vec::new();
        let mut known = raw::SECTION_TAGS.to_vec();
        known.extend([raw::SLST, raw::UUID]);
        reject_duplicates(&group, &known)?;
        for tag in &group.tags {
            if tag.code == raw::UUID {
                uuid = Some(fixed::<16>(tag, "16")?);
                continue;
            }
            let is_known = raw::is_section_tag(tag.code);
            let range = if is_known {
                fixed::<16>(tag, "16 (offset and size)")?;
                tag.as_range()
            } else {
                // An unknown tag is taken for a section locator only when
                // its payload reads as a range inside the bytes after the
                // module list, where Apple puts every optional section.
                tag.as_range().filter(|r| {
                    r.offset >= module_list_end as u64
                        && r.end().is_some_and(|e| e <= data.len() as u64)
                })
            };
            let Some(range) = range else { continue };
            let (start, end) =
                section_bounds(data, range, &format!("{} section", tag.code), tag.offset)?;
            let content = match tag.code {
                raw::HDYN => {
                    let g = parse_group(data, start, end, false, "dynamic header")?;
                    must_end_at(to_usize(g.end()), end, "dynamic header")?;
                    SectionContent::DynamicHeader(g)
                }
                raw::RLST => SectionContent::Reflection(Self::parse_reflection(data, start, end)?),
                raw::HSRD | raw::HSRC => SectionContent::Sources(Self::parse_sources(
                    data,
                    start,
                    end,
                    SourceSection::string_count(tag.code),
                )?),
                _ => SectionContent::Bytes,
            };
            sections.push(ExtensionSection {
                code: tag.code,
                tag_offset: tag.offset,
                range,
                bytes: &data[start..end],
                content,
                known: is_known,
            });
        }
        Ok(HeaderExtension {
            group,
            uuid,
            sections,
        })
    }

    fn parse_metadata(
        data: &'data [u8],
        range: SectionRange,
        what: &'static str,
        header_field: usize,
    ) -> Result<Vec<TagGroup<'data>>> {
        let (start, end) = section_bounds(data, range, what, header_field as u64)?;
        let groups = parse_group_run(data, start, end, "metadata group")?;
        for g in &groups {
            check_payloads(g)?;
        }
        Ok(groups)
    }

    fn parse_reflection(
        data: &'data [u8],
        start: usize,
        end: usize,
    ) -> Result<ReflectionList<'data>> {
        let mut c = Cursor::new(data, start, end);
        let count = c.u32("reflection count")?;
        let (groups, pos) = counted_groups(data, start, count, c.pos, end, "reflection group")?;
        must_end_at(pos, end, "reflection list")?;
        Ok(ReflectionList {
            offset: start as u64,
            groups,
        })
    }

    fn parse_sources(
        data: &'data [u8],
        start: usize,
        end: usize,
        string_count: usize,
    ) -> Result<SourceSection<'data>> {
        let mut c = Cursor::new(data, start, end);
        let count = c.u32("source archive count")?;
        let mut strings = Vec::with_capacity(string_count);
        for i in 0..string_count {
            let what = if i == 0 {
                "the link command line"
            } else {
                "the working directory"
            };
            let rest = &data[c.pos..end];
            let Some(n) = rest.iter().position(|&b| b == 0) else {
                return Err(ReadError::new(
                    c.pos,
                    ReadErrorKind::UnterminatedString { what },
                ));
            };
            strings.push(SourceString {
                offset: c.pos as u64,
                bytes: &rest[..n],
            });
            c.pos += n + 1;
        }
        let (groups, pos) = counted_groups(data, start, count, c.pos, end, "source archive group")?;
        must_end_at(pos, end, "embedded-source section")?;
        for g in &groups {
            check_payloads(g)?;
        }
        Ok(SourceSection {
            offset: start as u64,
            strings,
            groups,
        })
    }

    fn parse_function(
        data: &'data [u8],
        index: usize,
        group: TagGroup<'data>,
        ml_start: usize,
        ml_end: usize,
    ) -> Result<Function<'data>> {
        use raw::{HASH, MDSZ, NAME, OFFT, RFLT, SOFF, TYPE, VERS};
        reject_duplicates(&group, &[NAME, TYPE, HASH, MDSZ, OFFT, VERS, RFLT, SOFF])?;
        let missing = |tag| ReadError::new(group.offset, ReadErrorKind::MissingTag { index, tag });
        let name_tag = group.get(NAME).ok_or_else(|| missing(NAME))?;
        let name = match name_tag.payload.split_last() {
            Some((0, text)) => std::str::from_utf8(text).ok(),
            _ => None,
        }
        .ok_or_else(|| ReadError::new(name_tag.offset, ReadErrorKind::BadName))?;
        let function_type = match group.get(TYPE) {
            Some(t) => Some(raw::FunctionType(fixed::<1>(t, "1")?[0])),
            None => None,
        };
        let hash = group.get(HASH).map(|t| fixed::<32>(t, "32")).transpose()?;
        let offt = group.get(OFFT).ok_or_else(|| missing(OFFT))?;
        let offsets = Offsets::from_bytes(fixed::<24>(offt, "24")?);
        let mdsz = group.get(MDSZ).ok_or_else(|| missing(MDSZ))?;
        let size = u64::from_le_bytes(*fixed::<8>(mdsz, "8")?);
        let versions = group
            .get(VERS)
            .map(|t| fixed::<8>(t, "8").map(Versions::from_bytes))
            .transpose()?;
        let u64_tag = |code| {
            group
                .get(code)
                .map(|t| fixed::<8>(t, "8").map(|b| u64::from_le_bytes(*b)))
                .transpose()
        };
        let reflection_offset = u64_tag(RFLT)?;
        let source_offset = u64_tag(SOFF)?;

        let list_size = (ml_end - ml_start) as u64;
        let module_range = offsets
            .module
            .checked_add(size)
            .filter(|end| *end <= list_size);
        let Some(module_end) = module_range else {
            return Err(ReadError::new(
                offt.offset,
                ReadErrorKind::ModuleOutOfBounds {
                    index,
                    offset: offsets.module,
                    size,
                    list_size,
                },
            ));
        };
        let module_offset = ml_start as u64 + offsets.module;
        let module = &data[to_usize(module_offset)..ml_start + to_usize(module_end)];
        Ok(Function {
            index,
            group,
            name,
            function_type,
            hash,
            offsets,
            versions,
            reflection_offset,
            source_offset,
            module_offset,
            module,
        })
    }

    /// The whole input.
    pub fn data(&self) -> &'data [u8] {
        self.data
    }

    /// The header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The functions in list order.
    pub fn functions(&self) -> &[Function<'data>] {
        &self.functions
    }

    /// The function named `name`.
    pub fn function(&self, name: &str) -> Option<&Function<'data>> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// File offset one past the last function group (where the header
    /// extension starts, when there is one).
    pub fn function_groups_end(&self) -> u64 {
        self.function_list_end
    }

    /// The header extension, if the file has one.
    pub fn header_extension(&self) -> Option<&HeaderExtension<'data>> {
        self.header_extension.as_ref()
    }

    /// The sections the header extension locates (none without one).
    pub fn sections(&self) -> &[ExtensionSection<'data>] {
        self.header_extension
            .as_ref()
            .map_or(&[], |e| e.sections.as_slice())
    }

    /// The groups of the public metadata section, in file order.
    pub fn public_metadata(&self) -> &[TagGroup<'data>] {
        &self.public_metadata
    }

    /// The groups of the private metadata section, in file order.
    pub fn private_metadata(&self) -> &[TagGroup<'data>] {
        &self.private_metadata
    }

    /// The group of `groups` (in file order) that starts at `at`.
    fn group_at<'a>(groups: &'a [TagGroup<'data>], at: Option<u64>) -> Option<&'a TagGroup<'data>> {
        let at = at?;
        groups
            .binary_search_by_key(&at, |g| g.offset)
            .ok()
            .map(|i| &groups[i])
    }

    /// The public metadata group `OFFT` names for `function`.
    pub fn public_metadata_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let at = self
            .header
            .public_metadata
            .offset
            .checked_add(function.offsets.public_metadata);
        Self::group_at(&self.public_metadata, at)
    }

    /// The private metadata group `OFFT` names for `function`.
    pub fn private_metadata_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let at = self
            .header
            .private_metadata
            .offset
            .checked_add(function.offsets.private_metadata);
        Self::group_at(&self.private_metadata, at)
    }

    /// The dynamic header (`HDYN`), if present.
    pub fn dynamic_header(&self) -> Option<&TagGroup<'data>> {
        self.sections().iter().find_map(|s| match &s.content {
            SectionContent::DynamicHeader(g) => Some(g),
            _ => None,
        })
    }

    /// The reflection list (`RLST`), if present.
    pub fn reflection_list(&self) -> Option<&ReflectionList<'data>> {
        self.sections().iter().find_map(|s| match &s.content {
            SectionContent::Reflection(r) => Some(r),
            _ => None,
        })
    }

    /// The embedded-source section (`HSRD`, else `HSRC`), if present.
    pub fn sources(&self) -> Option<(FourCc, &SourceSection<'data>)> {
        [raw::HSRD, raw::HSRC].into_iter().find_map(|code| {
            self.sections().iter().find_map(|s| match &s.content {
                SectionContent::Sources(src) if s.code == code => Some((code, src)),
                _ => None,
            })
        })
    }

    /// The reflection group `RFLT` names for `function`.
    pub fn reflection_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let list = self.reflection_list()?;
        Self::group_at(
            &list.groups,
            list.offset.checked_add(function.reflection_offset?),
        )
    }

    /// The source archive group whose tags start where `SOFF` of `function`
    /// points (the group's offset + 4, past its size word).
    pub fn source_archive_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let (_, src) = self.sources()?;
        let at = src
            .offset
            .checked_add(function.source_offset?)?
            .checked_sub(4);
        Self::group_at(&src.groups, at)
    }

    /// The module list section.
    pub fn module_list(&self) -> &'data [u8] {
        let r = self.header.module_list;
        &self.data[to_usize(r.offset)..to_usize(r.offset + r.size)]
    }

    /// Every byte after the module list (the optional sections).
    pub fn trailing(&self) -> &'data [u8] {
        let r = self.header.module_list;
        &self.data[to_usize(r.offset + r.size)..]
    }

    /// Each function's hash status, in function order. Each distinct
    /// module (offset and size) is hashed once, so many entries sharing one
    /// large module cost one hash.
    pub fn hash_statuses(&self) -> Vec<HashStatus> {
        let mut computed: HashMap<(u64, usize), [u8; 32]> = HashMap::new();
        self.functions
            .iter()
            .map(|f| {
                status(f.hash, || {
                    *computed
                        .entry(f.module_key())
                        .or_insert_with(|| f.computed_hash())
                })
            })
            .collect()
    }

    /// Whether every function has a `HASH` that matches its module.
    pub fn hashes_ok(&self) -> bool {
        self.hash_statuses().iter().all(|s| *s == HashStatus::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_short_and_foreign_input() {
        let e = MetallibFile::parse(b"MTLB").unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(matches!(e.kind, ReadErrorKind::Truncated { .. }));
        let mut text = b"; ModuleID = 'k'".to_vec();
        text.resize(100, b' ');
        let e = MetallibFile::parse(&text).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::BadMagic { .. }));
        assert_eq!(
            e.to_string(),
            "at byte offset 0x0: bad magic 0x3b 0x20 0x4d 0x6f, expected \"MTLB\" (0x4d 0x54 0x4c 0x42)"
        );
    }

    #[test]
    fn size_word_is_decided_by_the_tag_walk() {
        // Empty group, word counting itself (one-step driver).
        let g = parse_group(&raw::EMPTY_GROUP_COUNTING_ITSELF, 0, 8, true, "g").unwrap();
        assert_eq!((g.rule, g.end()), (Some(SizeRule::CountsItself), 8));
        // Empty group, word not counting itself (metallib tool).
        let g = parse_group(&raw::EMPTY_GROUP, 0, 8, true, "g").unwrap();
        assert_eq!((g.rule, g.end()), (Some(SizeRule::ExcludesItself), 8));
        assert!(g.tags.is_empty());
        // A word that is neither 8 nor 4: an error at the group, naming both.
        let bytes = [12, 0, 0, 0, b'E', b'N', b'D', b'T', 0, 0, 0, 0];
        let e = parse_group(&bytes, 0, bytes.len(), true, "g").unwrap_err();
        assert_eq!(e.offset, 0);
        assert_eq!(
            e.kind,
            ReadErrorKind::GroupSizeNeither {
                what: "g",
                size: 12,
                length: 8,
                excluding: 4
            }
        );
        // The walk does not read the word: a word of 0 on a group whose
        // tags run to the limit still names the real length.
        let bytes = [
            0, 0, 0, 0, b'X', b'X', b'X', b'X', 1, 0, 7, b'E', b'N', b'D', b'T',
        ];
        let e = parse_group(&bytes, 0, bytes.len(), true, "g").unwrap_err();
        assert!(matches!(
            e.kind,
            ReadErrorKind::GroupSizeNeither { length: 15, .. }
        ));
        // A wide tag reads a u32 size.
        let bytes = [
            b'R', b'B', b'U', b'F', 1, 0, 0, 0, 7, b'E', b'N', b'D', b'T',
        ];
        let g = parse_group(&bytes, 0, bytes.len(), false, "g").unwrap();
        assert_eq!(g.tags[0].payload, &[7]);
        assert_eq!(g.tags[0].payload_offset(), 8);
        assert_eq!(g.rule, None);
    }

    #[test]
    fn a_tag_walk_that_reaches_the_limit_is_truncation() {
        // No ENDT before the section ends.
        let bytes = [4, 0, 0, 0, b'E', b'N', b'D'];
        let e = parse_group(&bytes, 0, bytes.len(), true, "g").unwrap_err();
        assert_eq!(e.offset, 4);
        assert!(matches!(
            e.kind,
            ReadErrorKind::Truncated {
                what: "tag code",
                ..
            }
        ));
    }
}
