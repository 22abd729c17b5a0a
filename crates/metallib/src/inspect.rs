//! Human-readable views of a parsed library: a summary and an annotated hex
//! dump with `offset | bytes | meaning` rows.

use std::fmt::Write;

use llvm_bitcode_schema::{BlockId, ModuleCode};

use crate::raw::{self, FourCc, Versions};
use crate::read::{Function, MetallibFile, Tag, TagGroup};

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

/// A summary: header, versions, sections and, per function, its name, type,
/// versions, module size and offset, hash status and module triple.
pub fn summary(file: &MetallibFile<'_>) -> String {
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
    let _ = writeln!(
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
    );
    let _ = writeln!(s, "sections:");
    let mut section = |name: &str, offset: u64, size: u64, note: String| {
        let _ = writeln!(s, "  {name:<17} {offset:#08x} {size:>8} bytes{note}");
    };
    let fl = h.function_list;
    section("function list", fl.offset, fl.size + 4, String::new());
    if let Some(ext) = file.header_extension() {
        let tags: Vec<String> = ext.group.tags.iter().map(|t| t.code.to_text()).collect();
        let note = if tags.is_empty() {
            ", empty".to_string()
        } else {
            format!(", tags {}", tags.join(" "))
        };
        section(
            "header extension",
            ext.group.offset,
            ext.group.end() - ext.group.offset,
            note,
        );
    }
    section(
        "public metadata",
        h.public_metadata.offset,
        h.public_metadata.size,
        String::new(),
    );
    section(
        "private metadata",
        h.private_metadata.offset,
        h.private_metadata.size,
        String::new(),
    );
    section(
        "module list",
        h.module_list.offset,
        h.module_list.size,
        String::new(),
    );
    if let Some(ext) = file.header_extension() {
        for sec in &ext.sections {
            section(
                &format!("{} section", sec.code),
                sec.range.offset,
                sec.range.size,
                String::new(),
            );
        }
        if let Some(uuid) = ext.uuid {
            let _ = writeln!(s, "uuid: {}", hex(uuid));
        }
    }
    if let Some(dynamic) = file.dynamic_header() {
        if let Some(name) = dynamic.get(raw::NAME) {
            let name = name.payload.strip_suffix(&[0]).unwrap_or(name.payload);
            let _ = writeln!(
                s,
                "install name: {}",
                terminal_text::escape(&String::from_utf8_lossy(name))
            );
        }
    }
    let _ = writeln!(s, "functions: {}", file.functions().len());
    for f in file.functions() {
        function_summary(&mut s, f);
    }
    s
}

fn function_summary(s: &mut String, f: &Function<'_>) {
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
        f.hash_status().as_str()
    );
    let info = module_info(f.module);
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
}

/// Accumulates dump rows.
struct Dump<'a> {
    data: &'a [u8],
    out: String,
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
    }

    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.out, "{:8} | {:47} | {text}", "", "");
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
            MDSZ | RFLT | SOFF if p.len() == 8 => format!("{}", u64s(p)[0]),
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
            UUID => format!("uuid {}", hex(p)),
            code if raw::is_section_tag(code) && p.len() == 16 => {
                let v = u64s(p);
                format!("section at {:#x}, {} bytes", v[0], v[1])
            }
            _ => format!("{} bytes", p.len()),
        }
    }

    fn group(&mut self, g: &TagGroup<'_>, title: &str) {
        if let Some(size) = g.size {
            self.rows(g.offset, 4, &format!("{title}: group size {size}"));
        } else {
            self.heading(title);
        }
        for t in &g.tags {
            let head = 4 + t.size_field_len() as usize;
            self.rows(
                t.offset,
                head,
                &format!("  tag {} ({} bytes)", t.code, t.payload.len()),
            );
            self.rows(
                t.payload_offset(),
                t.payload.len(),
                &format!("    {}", Self::tag_meaning(t)),
            );
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
            let off = w.offset as usize;
            let size = w.size as usize;
            let bc_end = off.saturating_add(size).min(m.len());
            let off = off.min(bc_end);
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
/// following the container's nesting. Long payloads show their first
/// 64 bytes.
pub fn dump(file: &MetallibFile<'_>) -> String {
    use raw::header as o;
    let h = file.header();
    let id = &h.identity;
    let mut d = Dump {
        data: file.data(),
        out: String::new(),
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

    d.heading("function list");
    d.rows(
        h.function_list.offset,
        4,
        &format!("function count {}", file.functions().len()),
    );
    for f in file.functions() {
        d.group(&f.group, &format!("function {} {:?}", f.index, f.name));
    }
    if let Some(ext) = file.header_extension() {
        d.group(&ext.group, "header extension");
    }
    d.heading("public metadata");
    for (i, g) in file.public_metadata().iter().enumerate() {
        d.group(g, &format!("public metadata {i}"));
    }
    d.heading("private metadata");
    for (i, g) in file.private_metadata().iter().enumerate() {
        d.group(g, &format!("private metadata {i}"));
    }
    d.heading("module list");
    let mut seen = Vec::new();
    for f in file.functions() {
        if !seen.contains(&f.module_offset) {
            seen.push(f.module_offset);
            d.module(f);
        }
    }
    if let Some(ext) = file.header_extension() {
        let mut sections: Vec<_> = ext.sections.iter().collect();
        sections.sort_by_key(|s| s.range.offset);
        for s in sections {
            match s.code {
                c if c == raw::HDYN => match file.dynamic_header() {
                    Some(g) => d.group(g, "dynamic header"),
                    None => d.rows(s.range.offset, s.bytes.len(), "dynamic header"),
                },
                c if c == raw::RLST => match file.reflection_list() {
                    Some(list) => {
                        d.rows(
                            list.offset,
                            4,
                            &format!("reflection count {}", list.groups.len()),
                        );
                        for (i, g) in list.groups.iter().enumerate() {
                            d.group(g, &format!("reflection {i}"));
                        }
                    }
                    None => d.rows(s.range.offset, s.bytes.len(), "reflection list"),
                },
                code => section_rows(&mut d, code, s.range.offset, s.bytes.len()),
            }
        }
    }
    d.out
}

fn section_rows(d: &mut Dump<'_>, code: FourCc, offset: u64, len: usize) {
    d.rows(offset, len, &format!("{code} section ({len} bytes)"));
}
