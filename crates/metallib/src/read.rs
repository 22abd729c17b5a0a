//! The reader: [`MetallibFile::parse`] checks a whole library and returns
//! views that borrow the input.
//!
//! It accepts containers 1.2.4 to 1.2.9 as Apple's two build paths write
//! them: the stand-alone `metallib` tool's tag order (NAME, TYPE, HASH, MDSZ,
//! OFFT, VERS) and the one-step driver's (NAME, TYPE, HASH, OFFT, VERS, MDSZ,
//! SOFF, RFLT), the header extension with its section tags (HDYN, RLST, UUID,
//! HSRD, ...), the dynamic header and the reflection list. Tags are located
//! by code, never by position, and unknown tags are kept, so a file can be
//! rebuilt byte for byte ([`MetallibFile::to_raw`]).
//!
//! Hostile input is expected: every length is checked against the bytes
//! that are actually left before anything is read or allocated, so parsing
//! cannot panic, loop forever or allocate more than a small multiple of the
//! input size.

use sha2::{Digest, Sha256};

use crate::error::{ReadError, ReadErrorKind};
use crate::raw::{self, FourCc, Header, Offsets, SectionRange, Versions, HEADER_SIZE};
use crate::write::{RawContainer, RawTag};

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
}

/// A tag group: tags up to `ENDT`, with a u32 size in front when sized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagGroup<'data> {
    /// File offset of the group (of its size field, when sized).
    pub offset: u64,
    /// The size field of a sized group (it counts itself).
    pub size: Option<u32>,
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

    /// The tags as owned [`RawTag`]s, for rewriting.
    pub fn to_raw(&self) -> Vec<RawTag> {
        self.tags
            .iter()
            .map(|t| RawTag::new(t.code, t.payload.to_vec()))
            .collect()
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

    /// Compares `HASH` with the module bytes.
    pub fn hash_status(&self) -> HashStatus {
        match self.hash {
            None => HashStatus::Missing,
            Some(h) if *h == self.computed_hash() => HashStatus::Ok,
            Some(_) => HashStatus::Bad,
        }
    }

    /// The bitcode inside the module's Darwin wrapper, when the wrapper is
    /// well formed (`None` for a bare or damaged module).
    pub fn bitcode(&self) -> Option<&[u8]> {
        match raw::wrapper::unwrap(self.module) {
            Ok((Some(_), bitcode)) => Some(bitcode),
            _ => None,
        }
    }
}

/// A section located by a header-extension tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtensionSection<'data> {
    /// The tag (`HDYN`, `RLST`, `HSRD`, ...).
    pub code: FourCc,
    /// Where the section is (absolute file offset).
    pub range: SectionRange,
    /// Its bytes.
    pub bytes: &'data [u8],
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

/// A parsed `.metallib`, borrowing the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetallibFile<'data> {
    data: &'data [u8],
    header: Header,
    functions: Vec<Function<'data>>,
    header_extension: Option<HeaderExtension<'data>>,
    public_metadata: Vec<TagGroup<'data>>,
    private_metadata: Vec<TagGroup<'data>>,
    dynamic_header: Option<TagGroup<'data>>,
    reflection_list: Option<ReflectionList<'data>>,
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
fn parse_group<'data>(
    data: &'data [u8],
    start: usize,
    limit: usize,
    sized: bool,
    what: &'static str,
) -> Result<TagGroup<'data>> {
    let mut c = Cursor::new(data, start, limit);
    let mut size = None;
    if sized {
        let s = c.u32(what)?;
        let available = (limit.min(data.len())).saturating_sub(start) as u64;
        if s < 8 || u64::from(s) > available {
            return Err(ReadError::new(
                start,
                ReadErrorKind::BadGroupSize {
                    what,
                    size: u64::from(s),
                    available,
                },
            ));
        }
        // Tags may not run past the group's own end.
        c.end = start + s as usize;
        size = Some(s);
    }
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
    if let Some(s) = size {
        let expected = start as u64 + u64::from(s);
        if c.pos as u64 != expected {
            return Err(ReadError::new(
                start,
                ReadErrorKind::GroupSizeMismatch {
                    what,
                    expected,
                    actual: c.pos as u64,
                },
            ));
        }
    }
    Ok(TagGroup {
        offset: start as u64,
        size,
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

impl<'data> MetallibFile<'data> {
    /// Parses and checks a whole library.
    ///
    /// Hashes are not checked here (a file with a wrong hash is still
    /// readable); see [`Function::hash_status`].
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
        let room = (fl_end - c.pos) as u64;
        if u64::from(count) > room / 8 {
            return Err(ReadError::new(
                fl_start,
                ReadErrorKind::CountTooLarge {
                    what: "function",
                    count: u64::from(count),
                    available: room,
                },
            ));
        }
        let mut groups = Vec::new();
        let mut pos = c.pos;
        for _ in 0..count {
            let g = parse_group(data, pos, fl_end, true, "function group")?;
            pos = to_usize(g.end());
            groups.push(g);
        }
        let groups_end = pos;

        // Header extension: an unsized group right after the last function
        // group, before the public metadata (from 1.2.3 on).
        let header_extension = if header.identity.has_header_extension()
            && (groups_end as u64) < header.public_metadata.offset
        {
            let group = parse_group(data, groups_end, data.len(), false, "header extension")?;
            Some(Self::parse_extension(data, group)?)
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
        let (ml_start, ml_end) = section_bounds(
            data,
            header.module_list,
            "module list",
            raw::header::MODULE_LIST_OFFSET as u64,
        )?;

        let mut functions = Vec::with_capacity(groups.len());
        for (index, group) in groups.into_iter().enumerate() {
            functions.push(Self::parse_function(data, index, group, ml_start, ml_end)?);
        }

        let mut dynamic_header = None;
        let mut reflection_list = None;
        if let Some(ext) = &header_extension {
            if let Some(s) = ext.section(raw::HDYN) {
                let (start, end) = (
                    to_usize(s.range.offset),
                    to_usize(s.range.offset + s.range.size),
                );
                let g = parse_group(data, start, end, false, "dynamic header")?;
                dynamic_header = Some(g);
            }
            if let Some(s) = ext.section(raw::RLST) {
                reflection_list = Some(Self::parse_reflection(data, s)?);
            }
        }

        Ok(MetallibFile {
            data,
            header,
            functions,
            header_extension,
            public_metadata,
            private_metadata,
            dynamic_header,
            reflection_list,
        })
    }

    fn parse_extension(
        data: &'data [u8],
        group: TagGroup<'data>,
    ) -> Result<HeaderExtension<'data>> {
        let mut uuid = None;
        let mut sections = Vec::new();
        let mut known = raw::SECTION_TAGS.to_vec();
        known.extend([raw::SLST, raw::UUID]);
        reject_duplicates(&group, &known)?;
        for tag in &group.tags {
            if tag.code == raw::UUID {
                uuid = Some(fixed::<16>(tag, "16")?);
            } else if raw::is_section_tag(tag.code) {
                let p = fixed::<16>(tag, "16 (offset and size)")?;
                let range = SectionRange {
                    offset: u64::from_le_bytes(p[..8].try_into().unwrap_or_default()),
                    size: u64::from_le_bytes(p[8..].try_into().unwrap_or_default()),
                };
                let (start, end) =
                    section_bounds(data, range, &format!("{} section", tag.code), tag.offset)?;
                sections.push(ExtensionSection {
                    code: tag.code,
                    range,
                    bytes: &data[start..end],
                });
            }
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
        parse_group_run(data, start, end, "metadata group")
    }

    fn parse_reflection(
        data: &'data [u8],
        s: &ExtensionSection<'data>,
    ) -> Result<ReflectionList<'data>> {
        let start = to_usize(s.range.offset);
        let end = start + s.bytes.len();
        let mut c = Cursor::new(data, start, end);
        let count = c.u32("reflection count")?;
        let room = (end - c.pos) as u64;
        if u64::from(count) > room / 8 {
            return Err(ReadError::new(
                start,
                ReadErrorKind::CountTooLarge {
                    what: "reflection group",
                    count: u64::from(count),
                    available: room,
                },
            ));
        }
        let mut groups = Vec::new();
        let mut pos = c.pos;
        for _ in 0..count {
            let g = parse_group(data, pos, end, true, "reflection group")?;
            pos = to_usize(g.end());
            groups.push(g);
        }
        if pos != end {
            return Err(ReadError::new(
                pos,
                ReadErrorKind::SectionSizeMismatch {
                    what: "reflection list",
                    expected: end as u64,
                    actual: pos as u64,
                },
            ));
        }
        Ok(ReflectionList {
            offset: start as u64,
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

    /// The header extension, if the file has one.
    pub fn header_extension(&self) -> Option<&HeaderExtension<'data>> {
        self.header_extension.as_ref()
    }

    /// The groups of the public metadata section, in file order.
    pub fn public_metadata(&self) -> &[TagGroup<'data>] {
        &self.public_metadata
    }

    /// The groups of the private metadata section, in file order.
    pub fn private_metadata(&self) -> &[TagGroup<'data>] {
        &self.private_metadata
    }

    /// The public metadata group `OFFT` names for `function`.
    pub fn public_metadata_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let at = self
            .header
            .public_metadata
            .offset
            .checked_add(function.offsets.public_metadata)?;
        self.public_metadata.iter().find(|g| g.offset == at)
    }

    /// The private metadata group `OFFT` names for `function`.
    pub fn private_metadata_of(&self, function: &Function<'_>) -> Option<&TagGroup<'data>> {
        let at = self
            .header
            .private_metadata
            .offset
            .checked_add(function.offsets.private_metadata)?;
        self.private_metadata.iter().find(|g| g.offset == at)
    }

    /// The dynamic header (`HDYN`), if present.
    pub fn dynamic_header(&self) -> Option<&TagGroup<'data>> {
        self.dynamic_header.as_ref()
    }

    /// The reflection list (`RLST`), if present.
    pub fn reflection_list(&self) -> Option<&ReflectionList<'data>> {
        self.reflection_list.as_ref()
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

    /// Whether every function has a `HASH` that matches its module.
    pub fn hashes_ok(&self) -> bool {
        self.functions
            .iter()
            .all(|f| f.hash_status() == HashStatus::Ok)
    }

    /// Copies the parsed pieces into a [`RawContainer`], whose
    /// [`RawContainer::to_bytes`] lays them out again in Apple's section
    /// order. For a file in that order with no gaps between sections, the
    /// result is byte-identical to the input, which is what shows that the
    /// reader keeps everything.
    pub fn to_raw(&self) -> RawContainer {
        RawContainer {
            identity: self.header.identity,
            functions: self.functions.iter().map(|f| f.group.to_raw()).collect(),
            header_extension: self.header_extension.as_ref().map(|e| e.group.to_raw()),
            public_metadata: self.public_metadata.iter().map(TagGroup::to_raw).collect(),
            private_metadata: self.private_metadata.iter().map(TagGroup::to_raw).collect(),
            module_list: self.modules_in_offset_order(),
            trailing: self.trailing().to_vec(),
        }
    }

    /// The distinct module entries concatenated in `OFFT` order: equal to the
    /// module list when the modules tile it, as Apple writes them.
    fn modules_in_offset_order(&self) -> Vec<u8> {
        let mut spans: Vec<(u64, &[u8])> = self
            .functions
            .iter()
            .map(|f| (f.offsets.module, f.module))
            .collect();
        spans.sort_by_key(|(o, m)| (*o, m.len()));
        spans.dedup_by_key(|(o, _)| *o);
        spans
            .into_iter()
            .flat_map(|(_, m)| m.iter().copied())
            .collect()
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
        let e = MetallibFile::parse(&[0u8; 100]).unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::BadMagic { .. }));
    }

    #[test]
    fn group_parser_checks_its_size_field() {
        // size 12 but ENDT ends at 8.
        let bytes = [12, 0, 0, 0, b'E', b'N', b'D', b'T', 0, 0, 0, 0];
        let e = parse_group(&bytes, 0, bytes.len(), true, "g").unwrap_err();
        assert!(matches!(e.kind, ReadErrorKind::GroupSizeMismatch { .. }));
        let g = parse_group(&raw::EMPTY_GROUP, 0, 8, true, "g").unwrap();
        assert!(g.tags.is_empty());
        assert_eq!(g.end(), 8);
        // A wide tag reads a u32 size.
        let bytes = [
            b'R', b'B', b'U', b'F', 1, 0, 0, 0, 7, b'E', b'N', b'D', b'T',
        ];
        let g = parse_group(&bytes, 0, bytes.len(), false, "g").unwrap();
        assert_eq!(g.tags[0].payload, &[7]);
        assert_eq!(g.tags[0].payload_offset(), 8);
    }
}
