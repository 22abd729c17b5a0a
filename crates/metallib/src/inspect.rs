//! Human-readable views of a parsed library: a summary and an annotated hex
//! dump with `offset | bytes | meaning` rows. Both decode what the reader
//! knows (docs/metallib-container.md): function constants, debug
//! locations, dependency files, embedded sources, reflection buffers, the
//! header extension's sections, and both metadata size rules.

use std::collections::HashMap;
use std::fmt::Write;

use llvm_bitcode_schema::{BlockId, ModuleCode};

use crate::library::Library;
use crate::payload;
use crate::raw::{self, SizeRule, Versions};
use crate::read::{
    ExtensionSection, Function, HashStatus, MetallibFile, SectionContent, Tag, TagGroup,
};

/// The triple and source file name recorded in a module's bitcode, read
/// with the bitstream reader (`None` for what cannot be found).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleInfo {
    /// `MODULE_CODE_TRIPLE`.
    pub triple: Option<String>,
    /// `MODULE_CODE_SOURCE_FILENAME`.
    pub source_filename: Option<String>,
    /// Why the bitcode could not be read, if it could not.
    pub error: Option<String>,
}

/// Reads the triple and source file name from a (wrapped) module.
pub fn module_info(module: &[u8]) -> ModuleInfo {
    let stream = match llvm_bitstream::Reader::new(module).read_stream() {
        Ok(s) => s,
        Err(e) => {
            return ModuleInfo {
                error: Some(e.to_string()),
                ..ModuleInfo::default()
            }
        }
    };
    let mut info = ModuleInfo::default();
    let text = |ops: &[u64]| ops.iter().map(|&c| char::from(c as u8)).collect::<String>();
    let modules = stream
        .blocks
        .iter()
        .filter(|b| b.id == BlockId::Module.id());
    for block in modules {
        for r in block.records() {
            match ModuleCode::from_code(r.code) {
                Some(ModuleCode::Triple) => info.triple = Some(text(&r.ops)),
                Some(ModuleCode::SourceFilename) => info.source_filename = Some(text(&r.ops)),
                _ => {}
            }
        }
    }
    info
}

fn version(v: (u16, u16, u16)) -> String {
    format!("{}.{}.{}", v.0, v.1, v.2)
}

fn versions_text(v: &Versions) -> String {
    format!("AIR {}.{}, MSL {}.{}", v.air.0, v.air.1, v.msl.0, v.msl.1)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes as text for a report: UTF-8 with anything else escaped, at most
/// `max` characters (longer text ends in `...`).
fn text(bytes: &[u8], max: usize) -> String {
    let s: String = String::from_utf8_lossy(bytes)
        .chars()
        .flat_map(char::escape_debug)
        .collect();
    if s.chars().count() > max {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// A UUID in its usual 8-4-4-4-12 form, with its version nibble.
fn uuid_text(u: &[u8; 16]) -> String {
    let h = hex(u);
    format!(
        "{}-{}-{}-{}-{} (version {})",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32],
        u[6] >> 4
    )
}

/// `N group(s), size words ...` for a run of sized groups.
fn groups_note(groups: &[TagGroup<'_>]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let plural = if groups.len() == 1 { "" } else { "s" };
    let rules: Vec<Option<SizeRule>> = groups.iter().map(|g| g.rule).collect();
    let rule = if rules.iter().all(|r| *r == rules[0]) {
        match (rules[0], groups.len()) {
            (Some(r), 1) => r.describe().to_string(),
            (Some(SizeRule::CountsItself), _) => "size words count themselves".to_string(),
            (Some(SizeRule::ExcludesItself), _) => "size words exclude themselves".to_string(),
            (None, _) => "unsized".to_string(),
        }
    } else {
        "size words of both rules".to_string()
    };
    format!(", {} group{plural}, {rule}", groups.len())
}

/// What a section located by a header-extension tag is, for reports.
fn section_note(s: &ExtensionSection<'_>) -> String {
    match &s.content {
        SectionContent::DynamicHeader(_) => "dynamic header".to_string(),
        SectionContent::Reflection(r) => format!("reflection list{}", groups_note(&r.groups)),
        SectionContent::Sources(src) => {
            format!("embedded sources{}", groups_note(&src.groups))
        }
        SectionContent::Bytes if !s.known => {
            "unknown tag whose payload reads as offset and size".to_string()
        }
        SectionContent::Bytes => match s.code {
            raw::VLST => "exported variables (format not measured)",
            raw::ILST => "imported symbols (format not measured)",
            raw::SLST => "script list (format not measured)",
            _ => "bytes",
        }
        .to_string(),
    }
}

/// The decoded meaning of a metadata or function tag, one line, for the
/// summary (`None` for tags the summary does not spell out).
fn tag_summary(tag: &Tag<'_>) -> Option<String> {
    let p = tag.payload;
    Some(match tag.code {
        raw::CNST => match payload::function_constants(p) {
            Ok(c) if c.is_empty() => "function constants: none".to_string(),
            Ok(c) => format!(
                "function constants: {}",
                c.iter()
                    .map(|c| c.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Err(e) => format!("function constants: malformed ({e})"),
        },
        raw::DEBI => match payload::debug_location(p) {
            Ok(d) => format!("debug location: line {} of {}", d.line, text(d.path, 200)),
            Err(e) => format!("debug location: malformed ({e})"),
        },
        raw::DEPF => match payload::dependency_file(p) {
            Ok(path) => format!("dependency file: {}", text(path, 200)),
            Err(e) => format!("dependency file: malformed ({e})"),
        },
        raw::LAYR if p.len() == 1 => format!(
            "render target array index type: {}",
            raw::data_type_name(p[0])
                .map_or_else(|| format!("MTLDataType {}", p[0]), str::to_string)
        ),
        raw::TESS if p.len() == 1 => format!("tessellation: {}", payload::tessellation(p[0])),
        raw::NAME
        | raw::TYPE
        | raw::HASH
        | raw::MDSZ
        | raw::OFFT
        | raw::VERS
        | raw::RFLT
        | raw::SOFF => return None,
        code => format!("tag {code}: {} bytes ({})", p.len(), preview(p)),
    })
}

/// The first bytes of a payload in hex.
fn preview(p: &[u8]) -> String {
    let shown = hex(&p[..p.len().min(16)]);
    if p.len() > 16 {
        format!("{shown}...")
    } else {
        shown
    }
}

/// A summary: header, layout, sections, the header extension's contents
/// and, per function, its name, type, versions, module, hash status,
/// triple, tags and decoded metadata. Each distinct module is hashed and
/// read once, however many entries share it.
pub fn summary(file: &MetallibFile<'_>) -> String {
    summary_with_hashes(file, &file.hash_statuses())
}

/// [`summary`] with the hash statuses already computed
/// ([`MetallibFile::hash_statuses`]), so a caller that needs them too does
/// not hash every module twice.
pub fn summary_with_hashes(file: &MetallibFile<'_>, statuses: &[HashStatus]) -> String {
    let mut s = String::new();
    let h = file.header();
    let id = &h.identity;
    let _ = writeln!(
        s,
        "metallib: {} bytes, container {}{}, {}{}",
        h.file_size,
        version(id.container_version()),
        if id.is_macos() { " (macOS)" } else { "" },
        raw::file_type_name(id.file_type),
        if id.file_type & raw::FILE_TYPE_STUB_FLAG != 0 {
            " stub"
        } else {
            ""
        },
    );
    let _ = if id.platform == 0 {
        // Containers before 1.2.6 leave the platform byte 0.
        writeln!(
            s,
            "platform: not recorded (platform byte 0), OS {}.{}.{}",
            id.os_version.0, id.os_version.1, id.os_version.2
        )
    } else {
        writeln!(
            s,
            "platform: {} {}.{}.{}{}",
            raw::platform_name(id.platform),
            id.os_version.0,
            id.os_version.1,
            id.os_version.2,
            if id.platform & raw::PLATFORM_64BIT_FLAG != 0 {
                ", 64-bit"
            } else {
                ""
            },
        )
    };
    let _ = match Library::from_file(file) {
        Ok(_) => writeln!(
            s,
            "layout: Apple's (sections in order, no gaps): `airlink strip` rewrites it byte for byte"
        ),
        Err(e) => writeln!(s, "layout: {e}"),
    };
    let _ = writeln!(s, "sections:");
    let mut section = |name: &str, offset: u64, size: u64, note: String| {
        let _ = writeln!(s, "  {name:<17} {offset:#08x} {size:>8} bytes{note}");
    };
    let fl = h.function_list;
    section(
        "function list",
        fl.offset,
        fl.size.saturating_add(4),
        groups_note(
            &file
                .functions()
                .iter()
                .map(|f| f.group.clone())
                .collect::<Vec<_>>(),
        ),
    );
    if let Some(ext) = file.header_extension() {
        let tags: Vec<String> = ext.group.tags.iter().map(|t| t.code.to_text()).collect();
        let note = if tags.is_empty() {
            ", empty".to_string()
        } else {
            format!(", tags {}", tags.join(" "))
        };
        section("header extension", ext.group.offset, ext.group.len(), note);
    }
    section(
        "public metadata",
        h.public_metadata.offset,
        h.public_metadata.size,
        groups_note(file.public_metadata()),
    );
    section(
        "private metadata",
        h.private_metadata.offset,
        h.private_metadata.size,
        groups_note(file.private_metadata()),
    );
    section(
        "module list",
        h.module_list.offset,
        h.module_list.size,
        String::new(),
    );
    let mut sections: Vec<&ExtensionSection<'_>> = file.sections().iter().collect();
    sections.sort_by_key(|s| s.range.offset);
    for sec in &sections {
        section(
            &format!("{} section", sec.code),
            sec.range.offset,
            sec.range.size,
            format!(", {}", section_note(sec)),
        );
    }
    if let Some(ext) = file.header_extension() {
        if let Some(uuid) = ext.uuid {
            let _ = writeln!(s, "uuid: {}", uuid_text(uuid));
        }
        // Tags that locate a section, by offset: a scan of the sections for
        // each tag was tags x sections, and a header extension can hold a
        // section locator every 22 bytes.
        let locators: std::collections::HashSet<u64> =
            ext.sections.iter().map(|x| x.tag_offset).collect();
        for t in &ext.group.tags {
            let located = locators.contains(&t.offset);
            if t.code != raw::UUID && !located {
                let _ = writeln!(
                    s,
                    "header extension tag {}: {} bytes ({})",
                    t.code,
                    t.payload.len(),
                    preview(t.payload)
                );
            }
        }
    }
    if let Some(dynamic) = file.dynamic_header() {
        for t in &dynamic.tags {
            if t.code == raw::NAME {
                let name = t.payload.strip_suffix(&[0]).unwrap_or(t.payload);
                let _ = writeln!(s, "install name: {}", text(name, 200));
            } else {
                let _ = writeln!(
                    s,
                    "dynamic header tag {}: {} bytes",
                    t.code,
                    t.payload.len()
                );
            }
        }
    }
    if let Some((code, src)) = file.sources() {
        let _ = writeln!(
            s,
            "embedded sources ({code}): {} archive{}",
            src.groups.len(),
            if src.groups.len() == 1 { "" } else { "s" }
        );
        for (i, string) in src.strings.iter().enumerate() {
            let what = if i == 0 {
                "link command"
            } else {
                "working directory"
            };
            let _ = writeln!(s, "  {what}: {}", text(string.bytes, 160));
        }
        for g in &src.groups {
            for t in &g.tags {
                match payload::source_archive(t.payload) {
                    Ok(a) if t.code == raw::SARC => {
                        let _ = writeln!(
                            s,
                            "  archive \"{}\": {} bytes at {:#x}, {}, {} trailing zero bytes",
                            text(a.id, 40),
                            a.data.len(),
                            t.payload_offset() + a.data_offset as u64,
                            a.format().unwrap_or("unknown format"),
                            a.trailing_zeros()
                        );
                    }
                    _ => {
                        let _ = writeln!(s, "  tag {}: {} bytes", t.code, t.payload.len());
                    }
                }
            }
        }
    }
    if let Some(list) = file.reflection_list() {
        let n = list.groups.len();
        let _ = writeln!(
            s,
            "reflection list: {n} group{}",
            if n == 1 { "" } else { "s" }
        );
    }
    let mut first_of_module: HashMap<(u64, usize), usize> = HashMap::new();
    let mut infos: HashMap<(u64, usize), ModuleInfo> = HashMap::new();
    let _ = writeln!(s, "functions: {}", file.functions().len());
    for (f, &status) in file.functions().iter().zip(statuses) {
        let first = *first_of_module.entry(f.module_key()).or_insert(f.index);
        let info = infos
            .entry(f.module_key())
            .or_insert_with(|| module_info(f.module));
        function_summary(&mut s, file, f, status, info);
        if first != f.index {
            let _ = writeln!(
                s,
                "      shares its module with [{first}] {}",
                terminal_text::escape(file.functions()[first].name)
            );
        }
    }
    s
}

fn function_summary(
    s: &mut String,
    file: &MetallibFile<'_>,
    f: &Function<'_>,
    status: HashStatus,
    info: &ModuleInfo,
) {
    let ty = f
        .function_type
        .map_or_else(|| "no TYPE".to_string(), |t| t.to_string());
    // Names and triples are input text: escaped so they cannot drive the
    // terminal or fake a line of the report.
    let _ = writeln!(s, "  [{}] {}", f.index, terminal_text::escape(f.name));
    let vers = f
        .versions
        .as_ref()
        .map_or_else(|| "no VERS".to_string(), versions_text);
    let _ = writeln!(s, "      type: {ty}; {vers}");
    let bitcode = f.bitcode().map_or_else(
        || "no wrapper".to_string(),
        |b| format!("bitcode {} bytes", b.len()),
    );
    let _ = writeln!(
        s,
        "      module: {} bytes at {:#x} ({bitcode}); hash {}",
        f.module.len(),
        f.module_offset,
        status.as_str()
    );
    match (&info.triple, &info.error) {
        (Some(t), _) => {
            let _ = writeln!(s, "      triple: {}", terminal_text::escape(t));
        }
        (None, Some(e)) => {
            let _ = writeln!(s, "      triple: unreadable bitcode ({e})");
        }
        (None, None) => {
            let _ = writeln!(s, "      triple: none");
        }
    }
    let tags: Vec<String> = f.group.tags.iter().map(|t| t.code.to_text()).collect();
    let _ = writeln!(s, "      tags: {}", tags.join(" "));
    for t in &f.group.tags {
        if let Some(line) = tag_summary(t) {
            let _ = writeln!(s, "      {line}");
        }
    }
    for (which, group) in [
        ("public", file.public_metadata_of(f)),
        ("private", file.private_metadata_of(f)),
    ] {
        match group {
            None => {
                let _ = writeln!(s, "      {which} metadata: OFFT points at no group");
            }
            Some(g) => {
                for t in &g.tags {
                    let line = tag_summary(t).unwrap_or_else(|| format!("tag {}", t.code));
                    let _ = writeln!(s, "      {line}");
                }
            }
        }
    }
    if let Some(offset) = f.reflection_offset {
        let what = match file.reflection_of(f) {
            None => "points at no reflection group".to_string(),
            Some(g) => g
                .tags
                .iter()
                .map(|t| reflection_tag_text(t))
                .collect::<Vec<_>>()
                .join("; "),
        };
        let _ = writeln!(s, "      reflection (RFLT {offset}): {what}");
    }
    if let Some(offset) = f.source_offset {
        let what = match file.source_archive_of(f) {
            None => "points at no source archive".to_string(),
            Some(g) => g
                .tags
                .iter()
                .map(|t| match payload::source_archive(t.payload) {
                    Ok(a) if t.code == raw::SARC => format!("archive \"{}\"", text(a.id, 40)),
                    _ => format!("tag {}", t.code),
                })
                .collect::<Vec<_>>()
                .join("; "),
        };
        let _ = writeln!(s, "      sources (SOFF {offset}): {what}");
    }
}

fn reflection_tag_text(t: &Tag<'_>) -> String {
    if t.code != raw::RBUF {
        return format!("tag {} ({} bytes)", t.code, t.payload.len());
    }
    match payload::reflection_buffer(t.payload, t.payload_offset()) {
        Some(b) => format!(
            "RBUF {} bytes: {} zero bytes, then a {}-byte flatbuffer \"AIRR\" at a 16-byte boundary",
            t.payload.len(),
            b.padding,
            b.flatbuffer.len()
        ),
        None => format!("RBUF {} bytes", t.payload.len()),
    }
}

/// Accumulates dump rows.
struct Dump<'a> {
    data: &'a [u8],
    out: String,
    /// Everything before this offset has been shown.
    pos: u64,
}

/// Payload bytes shown before eliding the rest.
const MAX_SHOWN: usize = 64;
/// Bytes per row.
const ROW: usize = 16;

impl Dump<'_> {
    /// One or more rows for `data[offset..offset + len]`, the meaning on the
    /// first. Long ranges show their first [`MAX_SHOWN`] bytes.
    fn rows(&mut self, offset: u64, len: usize, meaning: &str) {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        let end = start.saturating_add(len).min(self.data.len());
        let bytes = &self.data[start..end];
        let shown = &bytes[..bytes.len().min(MAX_SHOWN)];
        if shown.is_empty() {
            let _ = writeln!(self.out, "{offset:#08x} | {:<47} | {meaning}", "");
        }
        for (i, chunk) in shown.chunks(ROW).enumerate() {
            let text: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(
                self.out,
                "{:#08x} | {:<47} | {}",
                offset + (i * ROW) as u64,
                text.join(" "),
                if i == 0 { meaning } else { "" }
            );
        }
        if bytes.len() > shown.len() {
            let _ = writeln!(
                self.out,
                "{:#08x} | {:<47} | ... {} more bytes",
                offset + shown.len() as u64,
                "...",
                bytes.len() - shown.len()
            );
        }
        self.pos = self.pos.max(end as u64);
    }

    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "{:8} | {:47} | {text}", "", "");
    }

    /// Shows the bytes from the last shown one up to `offset`, if any, as
    /// belonging to nothing the container describes.
    fn gap_to(&mut self, offset: u64, what: &str) {
        if offset > self.pos {
            let (at, len) = (self.pos, (offset - self.pos) as usize);
            self.rows(at, len, &format!("{len} bytes {what}"));
        }
    }

    fn tag_meaning(tag: &Tag<'_>) -> String {
        use raw::*;
        let p = tag.payload;
        let u64s = |p: &[u8]| -> Vec<u64> {
            p.chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
                .collect()
        };
        match tag.code {
            NAME => format!(
                "name {:?}",
                String::from_utf8_lossy(p.strip_suffix(&[0]).unwrap_or(p))
            ),
            TYPE if p.len() == 1 => format!("function type {}", FunctionType(p[0])),
            HASH => "SHA-256 of the module".to_string(),
            MDSZ if p.len() == 8 => format!("module size {}", u64s(p)[0]),
            RFLT if p.len() == 8 => format!("reflection group at +{}", u64s(p)[0]),
            SOFF if p.len() == 8 => format!("source archive tags at +{}", u64s(p)[0]),
            OFFT if p.len() == 24 => {
                let o = Offsets::from_bytes(p.try_into().unwrap_or(&[0; 24]));
                format!(
                    "public md +{}, private md +{}, module +{}",
                    o.public_metadata, o.private_metadata, o.module
                )
            }
            VERS if p.len() == 8 => {
                versions_text(&Versions::from_bytes(p.try_into().unwrap_or(&[0; 8])))
            }
            UUID if p.len() == 16 => {
                format!("uuid {}", uuid_text(p.try_into().unwrap_or(&[0; 16])))
            }
            code if raw::is_section_tag(code) && p.len() == 16 => {
                let v = u64s(p);
                format!("section at {:#x}, {} bytes", v[0], v[1])
            }
            _ => match tag_summary(tag) {
                Some(line) => line,
                None => format!("{} bytes", p.len()),
            },
        }
    }

    /// The tag's header row and its payload, field by field where the
    /// payload's layout is known.
    fn tag(&mut self, t: &Tag<'_>) {
        let head = 4 + t.size_field_len() as usize;
        self.rows(
            t.offset,
            head,
            &format!("  tag {} ({} bytes)", t.code, t.payload.len()),
        );
        let at = t.payload_offset();
        let p = t.payload;
        match t.code {
            raw::CNST => {
                if let Ok(constants) = payload::function_constants(p) {
                    self.rows(at, 2, &format!("    constant count {}", constants.len()));
                    for c in constants {
                        let o = at + c.offset as u64;
                        let n = c.name.len() as u64 + 1;
                        self.rows(o, n as usize, &format!("    constant name {:?}", c.name));
                        let ty = raw::data_type_name(c.data_type).unwrap_or("unknown");
                        self.rows(o + n, 1, &format!("      type {ty} ({})", c.data_type));
                        self.rows(o + n + 1, 2, &format!("      index {}", c.index));
                        self.rows(o + n + 3, 1, &format!("      active {}", c.active));
                    }
                    return;
                }
            }
            raw::DEBI => {
                if let Ok(d) = payload::debug_location(p) {
                    self.rows(at, 4, &format!("    line {}", d.line));
                    self.rows(
                        at + 4,
                        p.len() - 4,
                        &format!("    path {}", text(d.path, 80)),
                    );
                    return;
                }
            }
            raw::DEPF => {
                if let Ok(path) = payload::dependency_file(p) {
                    self.rows(at, p.len(), &format!("    path {}", text(path, 80)));
                    return;
                }
            }
            raw::SARC => {
                if let Ok(a) = payload::source_archive(p) {
                    self.rows(
                        at,
                        a.data_offset,
                        &format!("    archive id \"{}\"", text(a.id, 40)),
                    );
                    self.rows(
                        at + a.data_offset as u64,
                        a.data.len(),
                        &format!(
                            "    archive data, {} bytes, {}, {} trailing zero bytes",
                            a.data.len(),
                            a.format().unwrap_or("unknown format"),
                            a.trailing_zeros()
                        ),
                    );
                    return;
                }
            }
            raw::RBUF => {
                if let Some(b) = payload::reflection_buffer(p, at) {
                    if b.padding > 0 {
                        self.rows(
                            at,
                            b.padding,
                            &format!(
                                "    {} zero bytes: the flatbuffer starts 16-byte aligned",
                                b.padding
                            ),
                        );
                    }
                    self.rows(
                        at + b.padding as u64,
                        b.flatbuffer.len(),
                        &format!(
                            "    reflection flatbuffer \"AIRR\", {} bytes",
                            b.flatbuffer.len()
                        ),
                    );
                    return;
                }
            }
            _ => {}
        }
        self.rows(at, p.len(), &format!("    {}", Self::tag_meaning(t)));
    }

    fn group(&mut self, g: &TagGroup<'_>, title: &str) {
        match (g.size, g.rule) {
            (Some(size), Some(rule)) => {
                self.rows(
                    g.offset,
                    4,
                    &format!("{title}: group size {size} ({})", rule.describe()),
                );
            }
            _ => self.heading(title),
        }
        for t in &g.tags {
            self.tag(t);
        }
        self.rows(g.endt_offset, 4, "  ENDT");
    }

    fn module(&mut self, f: &Function<'_>) {
        let at = f.module_offset;
        let m = f.module;
        let name = format!("module of {}", terminal_text::escape(f.name));
        if let Some(w) = raw::wrapper::Header::parse(m) {
            self.rows(at, 4, &format!("{name}: wrapper magic 0x0B17C0DE"));
            self.rows(at + 4, 4, &format!("  wrapper version {}", w.version));
            self.rows(at + 8, 4, &format!("  bitcode offset {}", w.offset));
            self.rows(at + 12, 4, &format!("  bitcode size {}", w.size));
            self.rows(at + 16, 4, &format!("  cpu type {:#x}", w.cpu_type));
            // Shown as the fields say, clamped to the entry (a damaged
            // header is what this dump is for).
            let off = (w.offset as usize).max(20);
            let size = w.size as usize;
            let bc_end = off.saturating_add(size).min(m.len());
            let off = off.min(bc_end);
            if off > 20 {
                self.rows(
                    at + 20,
                    off - 20,
                    "  bytes between the wrapper and the bitcode",
                );
            }
            self.rows(
                at + off as u64,
                bc_end - off,
                &format!("  bitcode ({size} bytes)"),
            );
            if bc_end < m.len() {
                let pad = m.len() - bc_end;
                self.rows(at + bc_end as u64, pad, &format!("  padding ({pad} bytes)"));
            }
        } else {
            self.rows(
                at,
                m.len(),
                &format!("{name}: {} bytes, no wrapper", m.len()),
            );
        }
    }
}

/// An annotated hex dump: one row per field, `offset | bytes | meaning`,
/// following the container's nesting, every byte of the file in some row
/// (long ranges show their first 64 bytes and say how many follow; bytes
/// that belong to no section are shown as such).
pub fn dump(file: &MetallibFile<'_>) -> String {
    use raw::header as o;
    let h = file.header();
    let id = &h.identity;
    let mut d = Dump {
        data: file.data(),
        out: String::new(),
        pos: 0,
    };
    let _ = writeln!(d.out, "{:<8} | {:<47} | meaning", "offset", "bytes");
    d.heading("header");
    d.rows(o::MAGIC as u64, 4, "magic \"MTLB\"");
    d.rows(
        o::CONTAINER_MAJOR as u64,
        2,
        &format!(
            "container major {}{}",
            id.container_version().0,
            if id.is_macos() { " | macOS flag" } else { "" }
        ),
    );
    d.rows(
        o::CONTAINER_MINOR as u64,
        2,
        &format!("container minor {}", id.container_minor),
    );
    d.rows(
        o::CONTAINER_PATCH as u64,
        2,
        &format!("container patch {}", id.container_patch),
    );
    d.rows(
        o::FILE_TYPE as u64,
        1,
        &format!("file type {}", raw::file_type_name(id.file_type)),
    );
    d.rows(
        o::PLATFORM as u64,
        1,
        &format!(
            "platform {}{}",
            raw::platform_name(id.platform),
            if id.platform & raw::PLATFORM_64BIT_FLAG != 0 {
                " | 64-bit"
            } else {
                ""
            }
        ),
    );
    d.rows(
        o::OS_MAJOR as u64,
        2,
        &format!("OS major {}", id.os_version.0),
    );
    d.rows(
        o::OS_MINOR as u64,
        1,
        &format!("OS minor {}", id.os_version.1),
    );
    d.rows(
        o::OS_PATCH as u64,
        1,
        &format!("OS patch {}", id.os_version.2),
    );
    d.rows(
        o::FILE_SIZE as u64,
        8,
        &format!("file size {}", h.file_size),
    );
    for (field, name, r) in [
        (o::FUNCTION_LIST_OFFSET, "function list", h.function_list),
        (
            o::PUBLIC_METADATA_OFFSET,
            "public metadata",
            h.public_metadata,
        ),
        (
            o::PRIVATE_METADATA_OFFSET,
            "private metadata",
            h.private_metadata,
        ),
        (o::MODULE_LIST_OFFSET, "module list", h.module_list),
    ] {
        d.rows(field as u64, 8, &format!("{name} offset {:#x}", r.offset));
        let note = if field == o::FUNCTION_LIST_OFFSET {
            " (count excluded)"
        } else {
            ""
        };
        d.rows(
            field as u64 + 8,
            8,
            &format!("{name} size {}{note}", r.size),
        );
    }

    d.gap_to(h.function_list.offset, "before the function list");
    d.heading("function list");
    d.rows(
        h.function_list.offset,
        4,
        &format!("function count {}", file.functions().len()),
    );
    for f in file.functions() {
        d.group(&f.group, &format!("function {} {:?}", f.index, f.name));
    }
    let list_end = h.function_list.offset + 4 + h.function_list.size;
    if let Some(ext) = file.header_extension() {
        d.group(&ext.group, "header extension");
    }
    d.gap_to(list_end, "of the function list after its groups");
    d.gap_to(h.public_metadata.offset, "in no section");
    d.heading("public metadata");
    for (i, g) in file.public_metadata().iter().enumerate() {
        d.group(g, &format!("public metadata {i}"));
    }
    d.gap_to(h.private_metadata.offset, "in no section");
    d.heading("private metadata");
    for (i, g) in file.private_metadata().iter().enumerate() {
        d.group(g, &format!("private metadata {i}"));
    }
    d.gap_to(h.module_list.offset, "in no section");
    d.heading("module list");
    let mut modules: Vec<&Function<'_>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in file.functions() {
        if seen.insert(f.module_key()) {
            modules.push(f);
        }
    }
    modules.sort_by_key(|f| f.module_key());
    for f in modules {
        d.gap_to(f.module_offset, "of the module list in no module");
        d.module(f);
    }
    d.gap_to(
        h.module_list.offset + h.module_list.size,
        "of the module list in no module",
    );
    let mut sections: Vec<&ExtensionSection<'_>> = file.sections().iter().collect();
    sections.sort_by_key(|s| s.range.offset);
    for s in sections {
        d.gap_to(s.range.offset, "in no section");
        d.heading(&format!("{} section: {}", s.code, section_note(s)));
        match &s.content {
            SectionContent::DynamicHeader(g) => d.group(g, "dynamic header"),
            SectionContent::Reflection(list) => {
                d.rows(
                    list.offset,
                    4,
                    &format!("reflection group count {}", list.groups.len()),
                );
                for (i, g) in list.groups.iter().enumerate() {
                    d.group(g, &format!("reflection {i}"));
                }
            }
            SectionContent::Sources(src) => {
                d.rows(
                    src.offset,
                    4,
                    &format!("source archive count {}", src.groups.len()),
                );
                for (i, string) in src.strings.iter().enumerate() {
                    let what = if i == 0 {
                        "link command line"
                    } else {
                        "working directory"
                    };
                    d.rows(
                        string.offset,
                        string.bytes.len() + 1,
                        &format!("{what}: {}", text(string.bytes, 60)),
                    );
                }
                for (i, g) in src.groups.iter().enumerate() {
                    d.group(g, &format!("source archive {i}"));
                }
            }
            SectionContent::Bytes => {
                d.rows(
                    s.range.offset,
                    s.bytes.len(),
                    &format!("{} bytes", s.bytes.len()),
                );
            }
        }
    }
    d.gap_to(file.data().len() as u64, "in no section");
    d.out
}
