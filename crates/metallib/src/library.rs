//! The owned, editable model of a library: [`Library`].
//!
//! [`Library::from_file`] takes a parsed file apart into what a writer
//! chooses (tags and their order, the size rule of every group, payloads,
//! module bytes, the order of the optional sections) and drops what follows
//! from the layout (the header's offsets and sizes, size words, `OFFT`,
//! `MDSZ`, `HASH`, `RFLT`, `SOFF` and the (offset, size) pairs of the
//! header extension), which are kept as references instead: a function
//! names its module and its metadata groups by index, a section tag names
//! its section. [`Library::write`] lays everything out again in Apple's
//! order and computes those fields.
//!
//! So reading and writing gives the input back byte for byte whenever the
//! input is laid out the way Apple's tools lay libraries out: sections in
//! order with no gaps, modules tiling the module list, every offset
//! pointing at the start of what it names. `from_file` checks exactly
//! that, and refuses anything else with an error at the offending byte
//! ([`crate::ReadErrorKind::Layout`]) rather than rewriting it into
//! something else; a `HASH` that does not match its module is kept as it
//! is. All 48 Apple-built libraries of the fixture set are in this layout
//! (docs/metallib-container.md, "What airlink writes and reads").
//!
//! One value is re-derived on a move: the zero bytes in front of a
//! reflection flatbuffer, which Apple chooses so that the flatbuffer starts
//! on a 16-byte boundary of the file ([`crate::payload::reflection_buffer`]).

use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

use crate::error::{ReadError, ReadErrorKind, WriteError};
use crate::payload;
use crate::raw::{self, FourCc, Header, Identity, Offsets, SectionRange, SizeRule, HEADER_SIZE};
use crate::read::{MetallibFile, SectionContent, TagGroup};
use crate::write::RawTag;

/// A sized group: its size rule and its tags (`ENDT` is written by the
/// writer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// How its size word is written.
    pub rule: SizeRule,
    /// The tags, in order.
    pub tags: Vec<RawTag>,
}

impl Group {
    /// An empty group.
    pub fn empty(rule: SizeRule) -> Self {
        Group {
            rule,
            tags: Vec::new(),
        }
    }
}

/// The value of a function's `HASH` tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashValue {
    /// The SHA-256 of the function's module, computed when writing.
    OfModule,
    /// A value that did not match the module when read, kept as it was.
    Stored([u8; 32]),
}

/// One tag of a function group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FunctionTag {
    /// `HASH`.
    Hash(HashValue),
    /// `MDSZ`: the size of the function's module.
    ModuleSize,
    /// `OFFT`: where the function's metadata groups and module are.
    Offsets,
    /// `RFLT`: the offset of this group (by index) of the reflection list.
    ReflectionOffset(usize),
    /// `SOFF`: the offset of the first tag of this archive group (by index)
    /// of the embedded-source section.
    SourceOffset(usize),
    /// Any other tag (`NAME`, `TYPE`, `VERS`, `LAYR`, `TESS`, unknown ones),
    /// written as it is.
    Other(RawTag),
}

impl FunctionTag {
    /// The tag's code.
    pub fn code(&self) -> FourCc {
        match self {
            FunctionTag::Hash(_) => raw::HASH,
            FunctionTag::ModuleSize => raw::MDSZ,
            FunctionTag::Offsets => raw::OFFT,
            FunctionTag::ReflectionOffset(_) => raw::RFLT,
            FunctionTag::SourceOffset(_) => raw::SOFF,
            FunctionTag::Other(t) => t.code,
        }
    }
}

/// One entry of the function list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// How its group's size word is written (Apple: always
    /// [`SizeRule::CountsItself`]).
    pub rule: SizeRule,
    /// Its tags, in order.
    pub tags: Vec<FunctionTag>,
    /// Index of its module in [`Library::modules`].
    pub module: usize,
    /// Index of its group in [`Library::public_metadata`].
    pub public_metadata: usize,
    /// Index of its group in [`Library::private_metadata`].
    pub private_metadata: usize,
}

impl Function {
    /// The `NAME` text, when it is NUL-terminated UTF-8.
    pub fn name(&self) -> Option<&str> {
        self.tags.iter().find_map(|t| match t {
            FunctionTag::Other(t) if t.code == raw::NAME => {
                std::str::from_utf8(t.payload.strip_suffix(&[0])?).ok()
            }
            _ => None,
        })
    }
}

/// One tag of the header extension.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtensionTag {
    /// A tag whose payload is the (offset, size) of a section, by index in
    /// [`Library::sections`].
    Section {
        /// `HSRD`, `HDYN`, `RLST`, ... or an unknown code.
        code: FourCc,
        /// The section.
        section: usize,
    },
    /// Any other tag (`UUID`, unknown ones), written as it is.
    Other(RawTag),
}

/// One tag of a reflection group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReflectionTag {
    /// An `RBUF` in Apple's form: the flatbuffer alone; the writer puts zero
    /// bytes in front so that it starts on a 16-byte boundary of the file.
    AlignedBuffer(Vec<u8>),
    /// Any other tag, written as it is.
    Other(RawTag),
}

/// One group of the reflection list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReflectionGroup {
    /// How its size word is written.
    pub rule: SizeRule,
    /// Its tags.
    pub tags: Vec<ReflectionTag>,
}

/// The embedded-source section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// The strings before the groups, each written with a NUL.
    pub strings: Vec<Vec<u8>>,
    /// The archive groups (each a `SARC` tag).
    pub groups: Vec<Group>,
}

/// A section after the module list, located by a header-extension tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Section {
    /// `HDYN`: an unsized group.
    DynamicHeader(Vec<RawTag>),
    /// `RLST`: a u32 count and the groups.
    Reflection(Vec<ReflectionGroup>),
    /// `HSRD` / `HSRC`.
    Sources(Sources),
    /// Anything else, as bytes.
    Bytes(Vec<u8>),
}

/// A whole library, owned and editable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    /// Header bytes 0x04–0x0F.
    pub identity: Identity,
    /// The function list.
    pub functions: Vec<Function>,
    /// The header extension's tags (`None`: no extension; `Some(vec![])`: a
    /// lone `ENDT`).
    pub header_extension: Option<Vec<ExtensionTag>>,
    /// The public metadata groups, in order.
    pub public_metadata: Vec<Group>,
    /// The private metadata groups, in order.
    pub private_metadata: Vec<Group>,
    /// The module entries (wrapper, bitcode, padding), in module-list
    /// order; functions may share one.
    pub modules: Vec<Vec<u8>>,
    /// The sections after the module list, in file order.
    pub sections: Vec<Section>,
}

fn layout_error<T>(offset: u64, message: String) -> Result<T, ReadError> {
    Err(ReadError::new(offset, ReadErrorKind::Layout(message)))
}

fn to_group(g: &TagGroup<'_>) -> Group {
    Group {
        // Sized groups always carry their rule.
        rule: g.rule.unwrap_or(SizeRule::CountsItself),
        tags: raw_tags(g),
    }
}

fn raw_tags(g: &TagGroup<'_>) -> Vec<RawTag> {
    g.tags
        .iter()
        .map(|t| RawTag::new(t.code, t.payload))
        .collect()
}

/// The index of the group of `groups` that starts at `at`.
fn group_index(groups: &[TagGroup<'_>], at: Option<u64>) -> Option<usize> {
    groups.binary_search_by_key(&at?, |g| g.offset).ok()
}

impl Library {
    /// Takes a parsed file apart into the model.
    ///
    /// # Errors
    /// [`ReadErrorKind::Layout`] at the first byte where the file is not
    /// laid out as [`Library::write`] would lay it out (see the module
    /// documentation), so that writing never silently changes a file.
    pub fn from_file(file: &MetallibFile<'_>) -> Result<Library, ReadError> {
        use raw::header as field;
        let h = file.header();
        let data_len = file.data().len() as u64;

        // Main sections, in order, with no gaps.
        if h.function_list.offset != HEADER_SIZE as u64 {
            return layout_error(
                field::FUNCTION_LIST_OFFSET as u64,
                format!(
                    "the function list starts at {:#x}, not right after the 88-byte header",
                    h.function_list.offset
                ),
            );
        }
        let list_end = h.function_list.offset + 4 + h.function_list.size;
        if file.function_groups_end() != list_end {
            return layout_error(
                field::FUNCTION_LIST_SIZE as u64,
                format!(
                    "the function groups end at {:#x}, but the function-list size says {:#x}",
                    file.function_groups_end(),
                    list_end
                ),
            );
        }
        let (mut expected, mut after) = (list_end, "the function list");
        if let Some(ext) = file.header_extension() {
            expected = ext.group.end();
            after = "the header extension";
        }
        let main = [
            (
                field::PUBLIC_METADATA_OFFSET,
                "public metadata",
                h.public_metadata,
            ),
            (
                field::PRIVATE_METADATA_OFFSET,
                "private metadata",
                h.private_metadata,
            ),
            (field::MODULE_LIST_OFFSET, "module list", h.module_list),
        ];
        for (at, name, range) in main {
            if range.offset != expected {
                return layout_error(
                    at as u64,
                    format!(
                        "the {name} starts at {:#x}, not right after {after} at {expected:#x}",
                        range.offset
                    ),
                );
            }
            expected = range.offset + range.size;
            after = name;
        }
        let module_list_end = expected;

        // Optional sections: after the module list, tiling the rest.
        let located = file.sections();
        let mut order: Vec<usize> = (0..located.len()).collect();
        order.sort_by_key(|&i| (located[i].range.offset, i));
        let mut section_of_tag = vec![0; located.len()];
        let mut at = module_list_end;
        for (model_index, &i) in order.iter().enumerate() {
            let s = &located[i];
            if s.range.offset != at {
                let why = if s.range.offset < at {
                    "overlaps what precedes it"
                } else {
                    "leaves a gap before it"
                };
                return layout_error(
                    s.tag_offset,
                    format!(
                        "the {} section at {:#x} {why} (expected at {at:#x}, after the module list \
                         and the sections before it)",
                        s.code, s.range.offset
                    ),
                );
            }
            at += s.range.size;
            section_of_tag[i] = model_index;
        }
        if at != data_len {
            return layout_error(
                at,
                format!("bytes {at:#x}..{data_len:#x} after the module list belong to no section"),
            );
        }

        // Modules: the distinct (offset, size) spans tile the module list.
        let mut spans: Vec<(u64, u64, usize)> = file
            .functions()
            .iter()
            .map(|f| (f.offsets.module, f.module.len() as u64, f.index))
            .collect();
        spans.sort_unstable();
        let mut starts: Vec<u64> = Vec::new();
        let mut modules = Vec::new();
        let mut pos = 0;
        for &(offset, size, index) in &spans {
            if starts.last() == Some(&offset) {
                if modules.last().map(Vec::len) != Some(size as usize) {
                    return layout_error(
                        file.functions()[index].group.offset,
                        format!(
                            "function {index}'s module at +{offset:#x} ({size} bytes) overlaps \
                             another module that starts there with a different size"
                        ),
                    );
                }
                continue;
            }
            if offset != pos {
                return layout_error(
                    file.functions()[index].group.offset,
                    format!(
                        "function {index}'s module starts at +{offset:#x} of the module list, \
                         but the modules before it end at +{pos:#x}"
                    ),
                );
            }
            let start = (h.module_list.offset + offset) as usize;
            modules.push(file.data()[start..start + size as usize].to_vec());
            starts.push(offset);
            pos = offset + size;
        }
        if pos != h.module_list.size {
            return layout_error(
                h.module_list.offset + pos,
                format!(
                    "module-list bytes +{pos:#x}..+{:#x} belong to no function",
                    h.module_list.size
                ),
            );
        }

        // Functions, with their references resolved.
        let statuses = file.hash_statuses();
        let reflection = file.reflection_list();
        let sources = file.sources();
        let mut functions = Vec::with_capacity(file.functions().len());
        for (f, status) in file.functions().iter().zip(statuses) {
            let unresolved = |code: FourCc, what: &str| {
                let at = f
                    .group
                    .get(code)
                    .map_or(f.group.offset, |t| t.payload_offset());
                layout_error(
                    at,
                    format!(
                        "{code} of function {} does not point at the start of {what}",
                        f.index
                    ),
                )
            };
            let module = starts.binary_search(&f.offsets.module).unwrap_or_default();
            let public_at = h
                .public_metadata
                .offset
                .checked_add(f.offsets.public_metadata);
            let Some(public) = group_index(file.public_metadata(), public_at) else {
                return unresolved(raw::OFFT, "a public metadata group");
            };
            let private_at = h
                .private_metadata
                .offset
                .checked_add(f.offsets.private_metadata);
            let Some(private) = group_index(file.private_metadata(), private_at) else {
                return unresolved(raw::OFFT, "a private metadata group");
            };
            let mut tags = Vec::with_capacity(f.group.tags.len());
            for t in &f.group.tags {
                tags.push(match t.code {
                    raw::HASH => FunctionTag::Hash(match (status, f.hash) {
                        (crate::HashStatus::Bad, Some(stored)) => HashValue::Stored(*stored),
                        _ => HashValue::OfModule,
                    }),
                    raw::MDSZ => FunctionTag::ModuleSize,
                    raw::OFFT => FunctionTag::Offsets,
                    raw::RFLT => {
                        let found = reflection.and_then(|r| {
                            group_index(&r.groups, r.offset.checked_add(f.reflection_offset?))
                        });
                        match found {
                            Some(i) => FunctionTag::ReflectionOffset(i),
                            None => return unresolved(raw::RFLT, "a reflection group"),
                        }
                    }
                    raw::SOFF => {
                        let found = sources.and_then(|(_, s)| {
                            let at = s.offset.checked_add(f.source_offset?)?.checked_sub(4);
                            group_index(&s.groups, at)
                        });
                        match found {
                            Some(i) => FunctionTag::SourceOffset(i),
                            None => {
                                return unresolved(
                                    raw::SOFF,
                                    "the first tag of a source archive group",
                                )
                            }
                        }
                    }
                    _ => FunctionTag::Other(RawTag::new(t.code, t.payload)),
                });
            }
            functions.push(Function {
                rule: f.group.rule.unwrap_or(SizeRule::CountsItself),
                tags,
                module,
                public_metadata: public,
                private_metadata: private,
            });
        }

        let header_extension = file.header_extension().map(|ext| {
            let mut next_section = 0;
            ext.group
                .tags
                .iter()
                .map(|t| {
                    // `sections` holds the located sections in tag order.
                    let is_section = located
                        .get(next_section)
                        .is_some_and(|s| s.tag_offset == t.offset);
                    if is_section {
                        next_section += 1;
                        ExtensionTag::Section {
                            code: t.code,
                            section: section_of_tag[next_section - 1],
                        }
                    } else {
                        ExtensionTag::Other(RawTag::new(t.code, t.payload))
                    }
                })
                .collect()
        });

        let sections = order
            .iter()
            .map(|&i| {
                let s = &located[i];
                match &s.content {
                    SectionContent::DynamicHeader(g) => Section::DynamicHeader(raw_tags(g)),
                    SectionContent::Reflection(list) => Section::Reflection(
                        list.groups
                            .iter()
                            .map(|g| ReflectionGroup {
                                rule: g.rule.unwrap_or(SizeRule::CountsItself),
                                tags: g
                                    .tags
                                    .iter()
                                    .map(|t| {
                                        let aligned = (t.code == raw::RBUF)
                                            .then(|| {
                                                payload::reflection_buffer(
                                                    t.payload,
                                                    t.payload_offset(),
                                                )
                                            })
                                            .flatten();
                                        match aligned {
                                            Some(b) => {
                                                ReflectionTag::AlignedBuffer(b.flatbuffer.to_vec())
                                            }
                                            None => {
                                                ReflectionTag::Other(RawTag::new(t.code, t.payload))
                                            }
                                        }
                                    })
                                    .collect(),
                            })
                            .collect(),
                    ),
                    SectionContent::Sources(src) => Section::Sources(Sources {
                        strings: src.strings.iter().map(|s| s.bytes.to_vec()).collect(),
                        groups: src.groups.iter().map(to_group).collect(),
                    }),
                    SectionContent::Bytes => Section::Bytes(s.bytes.to_vec()),
                }
            })
            .collect();

        Ok(Library {
            identity: h.identity,
            functions,
            header_extension,
            public_metadata: file.public_metadata().iter().map(to_group).collect(),
            private_metadata: file.private_metadata().iter().map(to_group).collect(),
            modules,
            sections,
        })
    }

    /// Parses `bytes` and takes the result apart ([`MetallibFile::parse`],
    /// [`Library::from_file`]).
    ///
    /// # Errors
    /// A malformed file, or one not in Apple's layout.
    pub fn parse(bytes: &[u8]) -> Result<Library, ReadError> {
        Library::from_file(&MetallibFile::parse(bytes)?)
    }

    /// The index in [`Library::sections`] of the section the first
    /// extension tag with one of `codes` locates.
    fn section_located_by(&self, codes: &[FourCc]) -> Option<usize> {
        codes.iter().find_map(|want| {
            self.header_extension
                .iter()
                .flatten()
                .find_map(|t| match t {
                    ExtensionTag::Section { code, section } if code == want => Some(*section),
                    _ => None,
                })
        })
    }

    /// Removes the sections whose locating tag `drop` selects, and the
    /// tags; returns how many sections went.
    fn remove_sections(&mut self, drop: impl Fn(FourCc) -> bool) -> usize {
        let Some(ext) = &mut self.header_extension else {
            return 0;
        };
        let mut gone = vec![false; self.sections.len()];
        ext.retain(|t| match t {
            ExtensionTag::Section { code, section } if drop(*code) => {
                if let Some(g) = gone.get_mut(*section) {
                    *g = true;
                }
                false
            }
            _ => true,
        });
        // A tag of another code that located a removed section goes too.
        ext.retain(|t| match t {
            ExtensionTag::Section { section, .. } => !gone.get(*section).copied().unwrap_or(false),
            ExtensionTag::Other(_) => true,
        });
        // Renumber what stays.
        let mut new_index = Vec::with_capacity(gone.len());
        let mut next = 0;
        for g in &gone {
            new_index.push(next);
            if !g {
                next += 1;
            }
        }
        for t in ext.iter_mut() {
            if let ExtensionTag::Section { section, .. } = t {
                *section = new_index.get(*section).copied().unwrap_or(*section);
            }
        }
        let mut i = 0;
        self.sections.retain(|_| {
            i += 1;
            !gone[i - 1]
        });
        gone.iter().filter(|g| **g).count()
    }

    /// Removes the embedded sources: the `HSRD` / `HSRC` sections and tags,
    /// every function's `SOFF`, and the `DEPF` tags of the private metadata
    /// (the path of the temporary `.air` file the sources were recorded
    /// from; Apple writes it only with recorded sources). Returns whether
    /// anything was removed.
    pub fn remove_sources(&mut self) -> bool {
        let sections = self.remove_sections(|c| c == raw::HSRD || c == raw::HSRC);
        let tags = self.remove_function_tags(|t| matches!(t, FunctionTag::SourceOffset(_)));
        let depf = remove_metadata_tags(&mut self.private_metadata, raw::DEPF);
        sections + tags + depf > 0
    }

    /// Removes the reflection list (`RLST` section and tag) and every
    /// function's `RFLT`. Returns whether anything was removed.
    pub fn remove_reflection(&mut self) -> bool {
        let sections = self.remove_sections(|c| c == raw::RLST);
        let tags = self.remove_function_tags(|t| matches!(t, FunctionTag::ReflectionOffset(_)));
        sections + tags > 0
    }

    /// Removes the debug locations (`DEBI`) of the private metadata, the
    /// container's part of debug information. Returns whether any went.
    pub fn remove_debug_locations(&mut self) -> bool {
        remove_metadata_tags(&mut self.private_metadata, raw::DEBI) > 0
    }

    fn remove_function_tags(&mut self, drop: impl Fn(&FunctionTag) -> bool) -> usize {
        let mut n = 0;
        for f in &mut self.functions {
            let before = f.tags.len();
            f.tags.retain(|t| !drop(t));
            n += before - f.tags.len();
        }
        n
    }

    /// Replaces modules: `change` gets each module's index and bytes and
    /// returns new bytes, or `None` to keep it. A replaced module's
    /// functions get a `HASH` computed from the new bytes. Returns how many
    /// modules changed.
    ///
    /// # Errors
    /// The first error `change` returns; modules before it stay replaced.
    pub fn replace_modules<E>(
        &mut self,
        mut change: impl FnMut(usize, &[u8]) -> Result<Option<Vec<u8>>, E>,
    ) -> Result<usize, E> {
        let mut changed = vec![false; self.modules.len()];
        let mut result = Ok(());
        for (i, module) in self.modules.iter_mut().enumerate() {
            match change(i, module) {
                Ok(Some(new)) => {
                    changed[i] = new != *module;
                    *module = new;
                }
                Ok(None) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        for f in &mut self.functions {
            if changed.get(f.module).copied().unwrap_or(false) {
                for t in &mut f.tags {
                    if let FunctionTag::Hash(h) = t {
                        *h = HashValue::OfModule;
                    }
                }
            }
        }
        result.map(|()| changed.iter().filter(|c| **c).count())
    }

    /// Writes the library: Apple's section order, every offset, size, size
    /// word and hash computed from the model.
    ///
    /// # Errors
    /// An index that names nothing, or something too large for its field.
    pub fn write(&self) -> Result<Vec<u8>, WriteError> {
        Writer::new(self)?.write()
    }
}

fn remove_metadata_tags(groups: &mut [Group], code: FourCc) -> usize {
    let mut n = 0;
    for g in groups {
        let before = g.tags.len();
        g.tags.retain(|t| t.code != code);
        n += before - g.tags.len();
    }
    n
}

// ----- writing -----

fn check_index(what: &'static str, index: usize, count: usize) -> Result<(), WriteError> {
    if index < count {
        Ok(())
    } else {
        Err(WriteError::BadReference { what, index, count })
    }
}

fn u32_len(what: &'static str, n: usize) -> Result<u32, WriteError> {
    u32::try_from(n).map_err(|_| WriteError::TooLarge {
        what,
        size: n as u64,
    })
}

/// Appends one tag: code, u16 or u32 size, payload.
fn put_tag(out: &mut Vec<u8>, code: FourCc, payload: &[u8]) -> Result<(), WriteError> {
    if code == raw::ENDT {
        return Err(WriteError::EndtInTags);
    }
    out.extend_from_slice(&code.0);
    let too_large = || WriteError::TagTooLarge {
        tag: code,
        size: payload.len(),
    };
    if code.has_wide_size() {
        let n = u32::try_from(payload.len()).map_err(|_| too_large())?;
        out.extend_from_slice(&n.to_le_bytes());
    } else {
        let n = u16::try_from(payload.len()).map_err(|_| too_large())?;
        out.extend_from_slice(&n.to_le_bytes());
    }
    out.extend_from_slice(payload);
    Ok(())
}

/// Appends raw tags and `ENDT`.
fn put_raw_tags(out: &mut Vec<u8>, tags: &[RawTag]) -> Result<(), WriteError> {
    for t in tags {
        put_tag(out, t.code, &t.payload)?;
    }
    out.extend_from_slice(&raw::ENDT.0);
    Ok(())
}

/// Appends a sized group: a size word written by `rule`, what `body`
/// appends (tags and `ENDT`).
fn put_sized(
    out: &mut Vec<u8>,
    rule: SizeRule,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), WriteError>,
) -> Result<(), WriteError> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    body(out)?;
    let length = out.len() - start;
    let word = rule
        .size_word(length as u64)
        .and_then(|w| u32::try_from(w).ok())
        .ok_or(WriteError::GroupTooLarge { size: length })?;
    out[start..start + 4].copy_from_slice(&word.to_le_bytes());
    Ok(())
}

/// Encodes a run of sized groups; returns the bytes and each group's
/// offset within them.
fn encode_groups(groups: &[Group]) -> Result<(Vec<u8>, Vec<u64>), WriteError> {
    let mut out = Vec::new();
    let mut offsets = Vec::with_capacity(groups.len());
    for g in groups {
        offsets.push(out.len() as u64);
        put_sized(&mut out, g.rule, |out| put_raw_tags(out, &g.tags))?;
    }
    Ok((out, offsets))
}

/// A section encoded at its file offset, with the offsets (within it) of
/// its groups, for `RFLT` and `SOFF`.
struct EncodedSection {
    bytes: Vec<u8>,
    groups: Vec<u64>,
}

fn encode_section(section: &Section, at: u64) -> Result<EncodedSection, WriteError> {
    let mut out = Vec::new();
    let mut groups = Vec::new();
    match section {
        Section::DynamicHeader(tags) => put_raw_tags(&mut out, tags)?,
        Section::Bytes(b) => out.extend_from_slice(b),
        Section::Reflection(list) => {
            out.extend_from_slice(&u32_len("reflection group count", list.len())?.to_le_bytes());
            for g in list {
                groups.push(out.len() as u64);
                put_sized(&mut out, g.rule, |out| {
                    for t in &g.tags {
                        match t {
                            ReflectionTag::Other(t) => put_tag(out, t.code, &t.payload)?,
                            ReflectionTag::AlignedBuffer(fb) => {
                                // Code and u32 size come first (8 bytes).
                                let payload_at = at + out.len() as u64 + 8;
                                let pad = payload::reflection_padding(payload_at);
                                let mut p = vec![0; pad];
                                p.extend_from_slice(fb);
                                put_tag(out, raw::RBUF, &p)?;
                            }
                        }
                    }
                    out.extend_from_slice(&raw::ENDT.0);
                    Ok(())
                })?;
            }
        }
        Section::Sources(src) => {
            out.extend_from_slice(
                &u32_len("source archive count", src.groups.len())?.to_le_bytes(),
            );
            for s in &src.strings {
                out.extend_from_slice(s);
                out.push(0);
            }
            for g in &src.groups {
                groups.push(out.len() as u64);
                put_sized(&mut out, g.rule, |out| put_raw_tags(out, &g.tags))?;
            }
        }
    }
    Ok(EncodedSection { bytes: out, groups })
}

/// What a function group's derived tags need.
struct Derived<'a> {
    hashes: &'a [Option<[u8; 32]>],
    module_offsets: &'a [u64],
    public: &'a [u64],
    private: &'a [u64],
    reflection: &'a [u64],
    sources: &'a [u64],
}

fn encode_function(
    out: &mut Vec<u8>,
    f: &Function,
    modules: &[Vec<u8>],
    d: Option<&Derived<'_>>,
) -> Result<(), WriteError> {
    put_sized(out, f.rule, |out| {
        for t in &f.tags {
            let u64_payload = |v: u64| v.to_le_bytes().to_vec();
            let payload: Vec<u8> = match (t, d) {
                (FunctionTag::Other(t), _) => {
                    put_tag(out, t.code, &t.payload)?;
                    continue;
                }
                (FunctionTag::Hash(HashValue::Stored(h)), _) => h.to_vec(),
                (FunctionTag::Hash(HashValue::OfModule), Some(d)) => {
                    d.hashes[f.module].unwrap_or_default().to_vec()
                }
                (FunctionTag::Hash(HashValue::OfModule), None) => vec![0; 32],
                (FunctionTag::ModuleSize, _) => u64_payload(modules[f.module].len() as u64),
                (FunctionTag::Offsets, Some(d)) => Offsets {
                    public_metadata: d.public[f.public_metadata],
                    private_metadata: d.private[f.private_metadata],
                    module: d.module_offsets[f.module],
                }
                .to_bytes()
                .to_vec(),
                (FunctionTag::Offsets, None) => vec![0; 24],
                (FunctionTag::ReflectionOffset(i), Some(d)) => u64_payload(d.reflection[*i]),
                (FunctionTag::SourceOffset(i), Some(d)) => u64_payload(d.sources[*i] + 4),
                (FunctionTag::ReflectionOffset(_) | FunctionTag::SourceOffset(_), None) => {
                    vec![0; 8]
                }
            };
            put_tag(out, t.code(), &payload)?;
        }
        out.extend_from_slice(&raw::ENDT.0);
        Ok(())
    })
}

/// Module bytes from which hashing runs on several threads (below, a
/// thread costs more than it saves).
const PARALLEL_HASH_MIN_BYTES: usize = 1 << 20;

/// The machine's parallelism, looked up once per process: on Linux the
/// lookup reads cgroup files, which costs tens of microseconds.
fn available_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The SHA-256 of each module `wanted` selects (`None` for the others),
/// computed on `threads` scoped threads that take modules one at a time (a
/// large and a small module cost very different times). The result does
/// not depend on `threads`.
pub(crate) fn module_hashes(
    modules: &[Vec<u8>],
    wanted: &[bool],
    threads: usize,
) -> Vec<Option<[u8; 32]>> {
    let hash =
        |i: usize| -> Option<[u8; 32]> { wanted[i].then(|| Sha256::digest(&modules[i]).into()) };
    if threads <= 1 {
        return (0..modules.len()).map(hash).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= modules.len() {
                break;
            }
            done.push((i, hash(i)));
        }
        done
    };
    let mut hashes = vec![None; modules.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut all = work();
        for h in handles {
            // Hashing does not panic; should it, carry the panic on.
            all.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        for (i, h) in all {
            hashes[i] = h;
        }
    });
    hashes
}

/// One write of a [`Library`].
struct Writer<'a> {
    lib: &'a Library,
    /// Index of the reflection section and of the source section.
    reflection: Option<usize>,
    sources: Option<usize>,
}

impl<'a> Writer<'a> {
    /// Checks every index of the model.
    fn new(lib: &'a Library) -> Result<Self, WriteError> {
        let sections = lib.sections.len();
        for t in lib.header_extension.iter().flatten() {
            if let ExtensionTag::Section { section, .. } = t {
                check_index("section", *section, sections)?;
            }
        }
        let reflection = lib.section_located_by(&[raw::RLST]);
        let sources = lib.section_located_by(&[raw::HSRD, raw::HSRC]);
        let reflection_groups = match reflection.map(|i| &lib.sections[i]) {
            Some(Section::Reflection(g)) => g.len(),
            _ => 0,
        };
        let source_groups = match sources.map(|i| &lib.sections[i]) {
            Some(Section::Sources(s)) => s.groups.len(),
            _ => 0,
        };
        for f in &lib.functions {
            check_index("module", f.module, lib.modules.len())?;
            check_index(
                "public metadata group",
                f.public_metadata,
                lib.public_metadata.len(),
            )?;
            check_index(
                "private metadata group",
                f.private_metadata,
                lib.private_metadata.len(),
            )?;
            for t in &f.tags {
                match t {
                    FunctionTag::ReflectionOffset(i) => {
                        check_index("reflection group", *i, reflection_groups)?;
                    }
                    FunctionTag::SourceOffset(i) => {
                        check_index("source archive group", *i, source_groups)?;
                    }
                    _ => {}
                }
            }
        }
        Ok(Writer {
            lib,
            reflection,
            sources,
        })
    }

    fn write(&self) -> Result<Vec<u8>, WriteError> {
        let lib = self.lib;
        let (public, public_offsets) = encode_groups(&lib.public_metadata)?;
        let (private, private_offsets) = encode_groups(&lib.private_metadata)?;

        let mut module_offsets = Vec::with_capacity(lib.modules.len());
        let mut module_list_size = 0u64;
        for m in &lib.modules {
            module_offsets.push(module_list_size);
            module_list_size += m.len() as u64;
        }

        // Every derived tag has a fixed size, so a first pass with zeros
        // gives the function list's length.
        let count = u32_len("function count", lib.functions.len())?;
        let mut function_list = count.to_le_bytes().to_vec();
        for f in &lib.functions {
            encode_function(&mut function_list, f, &lib.modules, None)?;
        }
        let mut extension = Vec::new();
        if let Some(tags) = &lib.header_extension {
            for t in tags {
                let (code, len) = match t {
                    ExtensionTag::Section { code, .. } => (*code, 16),
                    ExtensionTag::Other(t) => (t.code, t.payload.len()),
                };
                put_tag(&mut extension, code, &vec![0; len])?;
            }
            extension.extend_from_slice(&raw::ENDT.0);
        }

        fn place(at: &mut u64, len: u64) -> SectionRange {
            let r = SectionRange {
                offset: *at,
                size: len,
            };
            *at += len;
            r
        }
        let mut at = HEADER_SIZE as u64;
        let function_list_range = place(&mut at, function_list.len() as u64);
        place(&mut at, extension.len() as u64);
        let public_range = place(&mut at, public.len() as u64);
        let private_range = place(&mut at, private.len() as u64);
        let module_range = place(&mut at, module_list_size);
        let mut encoded = Vec::with_capacity(lib.sections.len());
        let mut ranges = Vec::with_capacity(lib.sections.len());
        for s in &lib.sections {
            let e = encode_section(s, at)?;
            ranges.push(place(&mut at, e.bytes.len() as u64));
            encoded.push(e);
        }
        let file_size = at;

        // Hashes of the modules some function hashes.
        let mut wanted = vec![false; lib.modules.len()];
        for f in &lib.functions {
            if f.tags.contains(&FunctionTag::Hash(HashValue::OfModule)) {
                wanted[f.module] = true;
            }
        }
        let hashed: usize = (0..lib.modules.len())
            .filter(|&i| wanted[i])
            .map(|i| lib.modules[i].len())
            .sum();
        let threads = if hashed >= PARALLEL_HASH_MIN_BYTES {
            available_threads().min(lib.modules.len())
        } else {
            1
        };
        let hashes = module_hashes(&lib.modules, &wanted, threads);

        let no_groups = Vec::new();
        let derived = Derived {
            hashes: &hashes,
            module_offsets: &module_offsets,
            public: &public_offsets,
            private: &private_offsets,
            reflection: self.reflection.map_or(&no_groups, |i| &encoded[i].groups),
            sources: self.sources.map_or(&no_groups, |i| &encoded[i].groups),
        };
        function_list.truncate(4);
        for f in &lib.functions {
            encode_function(&mut function_list, f, &lib.modules, Some(&derived))?;
        }
        extension.clear();
        if let Some(tags) = &lib.header_extension {
            for t in tags {
                match t {
                    ExtensionTag::Section { code, section } => {
                        let r = ranges[*section];
                        let mut p = r.offset.to_le_bytes().to_vec();
                        p.extend_from_slice(&r.size.to_le_bytes());
                        put_tag(&mut extension, *code, &p)?;
                    }
                    ExtensionTag::Other(t) => put_tag(&mut extension, t.code, &t.payload)?,
                }
            }
            extension.extend_from_slice(&raw::ENDT.0);
        }

        let header = Header {
            identity: lib.identity,
            file_size,
            // The header's function-list size leaves out the u32 count.
            function_list: SectionRange {
                offset: function_list_range.offset,
                size: function_list_range.size - 4,
            },
            public_metadata: public_range,
            private_metadata: private_range,
            module_list: module_range,
        };
        let mut out = Vec::with_capacity(usize::try_from(file_size).unwrap_or(0));
        out.extend_from_slice(&header.to_bytes());
        for part in [&function_list, &extension, &public, &private] {
            out.extend_from_slice(part);
        }
        for m in &lib.modules {
            out.extend_from_slice(m);
        }
        for e in &encoded {
            out.extend_from_slice(&e.bytes);
        }
        debug_assert_eq!(out.len() as u64, file_size);
        Ok(out)
    }
}
