//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder of Apple-built
//! `.metallib` files (never committed; searched recursively). For each:
//! it parses; every HASH matches its module; the annotated dump shows every
//! tag of every group at its offset; the owned model writes the same bytes
//! back; and the strip edits (none, sources, reflection) give libraries
//! that parse again, with verified hashes, the same modules, and without
//! what was dropped. The counts it prints are the ones
//! docs/metallib-container.md quotes.

use std::collections::BTreeMap;

use metallib::read::{SectionContent, TagGroup};
use metallib::{raw, HashStatus, Library, MetallibFile};

/// Counts by key, printed sorted.
#[derive(Default)]
struct Counts(BTreeMap<String, usize>);

impl Counts {
    fn add(&mut self, key: impl Into<String>) {
        *self.0.entry(key.into()).or_default() += 1;
    }
}

/// Every group of the file with a name for messages.
fn all_groups<'a>(file: &'a MetallibFile<'a>) -> Vec<(&'static str, &'a TagGroup<'a>)> {
    let mut groups: Vec<(&'static str, &TagGroup<'_>)> = Vec::new();
    for f in file.functions() {
        groups.push(("function", &f.group));
    }
    if let Some(ext) = file.header_extension() {
        groups.push(("header extension", &ext.group));
    }
    groups.extend(file.public_metadata().iter().map(|g| ("public", g)));
    groups.extend(file.private_metadata().iter().map(|g| ("private", g)));
    for s in file.sections() {
        match &s.content {
            SectionContent::DynamicHeader(g) => groups.push(("dynamic header", g)),
            SectionContent::Reflection(r) => {
                groups.extend(r.groups.iter().map(|g| ("reflection", g)));
            }
            SectionContent::Sources(src) => {
                groups.extend(src.groups.iter().map(|g| ("sources", g)));
            }
            SectionContent::Bytes => {}
        }
    }
    groups
}

/// Checks a rewritten library: it parses, its hashes verify, the model
/// takes it apart again, and each function keeps its name and module.
fn check_rewrite(name: &str, what: &str, original: &MetallibFile<'_>, bytes: &[u8]) {
    let file = MetallibFile::parse(bytes).unwrap_or_else(|e| panic!("{name} {what}: {e}"));
    assert!(file.hashes_ok(), "{name} {what}: hashes");
    let again = Library::parse(bytes).unwrap_or_else(|e| panic!("{name} {what}: {e}"));
    assert_eq!(
        again.write().unwrap(),
        bytes,
        "{name} {what}: not a fixed point"
    );
    assert_eq!(file.functions().len(), original.functions().len());
    for (a, b) in file.functions().iter().zip(original.functions()) {
        assert_eq!((a.name, a.module), (b.name, b.module), "{name} {what}");
    }
}

#[test]
fn apple_built_libraries_read_verify_and_rewrite_identically() {
    let Some(files) = airlink_test_support::apple_fixture_libraries() else {
        return;
    };

    let mut counts = Counts::default();
    let (mut functions, mut groups_seen, mut tags_seen) = (0, 0, 0);
    for path in &files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).unwrap();
        let file = MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let id = file.header().identity;
        let v = id.container_version();
        counts.add(format!(
            "container {}.{}.{}, platform byte {:#04x}",
            v.0, v.1, v.2, id.platform
        ));

        // Hashes.
        for (f, s) in file.functions().iter().zip(file.hash_statuses()) {
            assert_eq!(s, HashStatus::Ok, "{name}: {}", f.name);
            functions += 1;
            let order: Vec<String> = f.group.tags.iter().map(|t| t.code.to_text()).collect();
            counts.add(format!("function tags {}", order.join(" ")));
        }

        // Every group and tag is shown in the dump at its offset, and the
        // size rule of every sized group is counted.
        let dump = metallib::inspect::dump(&file);
        let rows: std::collections::HashSet<(u64, String)> = dump
            .lines()
            .filter_map(|l| {
                let mut parts = l.split('|');
                let offset = parts.next()?.trim().strip_prefix("0x")?;
                let offset = u64::from_str_radix(offset, 16).ok()?;
                let meaning = parts.nth(1)?.trim();
                let code = meaning.strip_prefix("tag ")?.split(' ').next()?;
                Some((offset, code.to_string()))
            })
            .collect();
        for (kind, g) in all_groups(&file) {
            groups_seen += 1;
            if let Some(rule) = g.rule {
                counts.add(format!("{kind} group: {}", rule.describe()));
            }
            for t in &g.tags {
                tags_seen += 1;
                counts.add(format!("{kind} tag {}", t.code));
                assert!(
                    rows.contains(&(t.offset, t.code.to_text())),
                    "{name}: the dump does not show {} at {:#x}",
                    t.code,
                    t.offset
                );
            }
        }
        if let Some(ext) = file.header_extension() {
            let order: Vec<String> = ext.group.tags.iter().map(|t| t.code.to_text()).collect();
            counts.add(format!("header extension [{}]", order.join(" ")));
        }
        for s in file.sections() {
            if let SectionContent::Reflection(r) = &s.content {
                for g in &r.groups {
                    for t in &g.tags {
                        let aligned =
                            metallib::payload::reflection_buffer(t.payload, t.payload_offset());
                        counts.add(if aligned.is_some() {
                            "RBUF: zero bytes, then AIRR flatbuffer at a 16-byte file boundary"
                        } else {
                            "RBUF: other form"
                        });
                    }
                }
            }
            if let SectionContent::Sources(src) = &s.content {
                counts.add(format!(
                    "{} section with {} strings",
                    s.code,
                    src.strings.len()
                ));
                for g in &src.groups {
                    for t in &g.tags {
                        let a = metallib::payload::source_archive(t.payload).unwrap();
                        counts.add(format!(
                            "SARC {}, id {:?}",
                            a.format().unwrap_or("unknown format"),
                            String::from_utf8_lossy(a.id)
                        ));
                    }
                }
            }
        }
        if let Some(uuid) = file.header_extension().and_then(|e| e.uuid) {
            counts.add(format!("UUID version {}", uuid[6] >> 4));
        }
        for g in file.public_metadata() {
            for t in &g.tags {
                if t.code == raw::CNST {
                    let c = metallib::payload::function_constants(t.payload).unwrap();
                    counts.add(format!("CNST with {} constants", c.len()));
                }
            }
        }

        // A library in the `metallib` tool's plain layout (its tag order,
        // empty metadata groups, empty header extension) is exactly what
        // the Builder writes for the same functions and modules.
        let plain_tool_layout = file.functions().iter().all(|f| {
            let order: Vec<raw::FourCc> = f.group.tags.iter().map(|t| t.code).collect();
            order
                == [
                    raw::NAME,
                    raw::TYPE,
                    raw::HASH,
                    raw::MDSZ,
                    raw::OFFT,
                    raw::VERS,
                ]
        }) && file
            .header_extension()
            .is_some_and(|e| e.group.tags.is_empty())
            && file
                .public_metadata()
                .iter()
                .chain(file.private_metadata())
                .all(|g| g.tags.is_empty());
        if plain_tool_layout {
            let mut b = metallib::Builder::new(id);
            for f in file.functions() {
                b.add_function(metallib::NewFunction {
                    name: f.name.to_string(),
                    function_type: f.function_type.unwrap(),
                    versions: f.versions.unwrap(),
                    module: f.module.to_vec(),
                });
            }
            assert_eq!(
                b.write().unwrap(),
                bytes,
                "{name}: the Builder writes other bytes"
            );
            counts.add("Builder writes Apple's bytes (plain metallib-tool layout)");
        }

        // Lossless round trip through the owned model.
        let library = Library::from_file(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = library.write().unwrap();
        if written != bytes {
            let at = written.iter().zip(&bytes).position(|(a, b)| a != b);
            panic!(
                "{name}: rewritten file differs (first difference at {at:?}, lengths {} vs {})",
                written.len(),
                bytes.len()
            );
        }
        counts.add("read -> write identical");

        // strip: no flag, --sources, --reflection, both.
        let mut sources = library.clone();
        if sources.remove_sources() {
            counts.add("strip --sources removed something");
        }
        let stripped = sources.write().unwrap();
        check_rewrite(&name, "--sources", &file, &stripped);
        let s = MetallibFile::parse(&stripped).unwrap();
        assert!(s.sources().is_none(), "{name}");
        assert!(s.functions().iter().all(|f| f.source_offset.is_none()));
        let mut reflection = library.clone();
        if reflection.remove_reflection() {
            counts.add("strip --reflection removed something");
        }
        let stripped = reflection.write().unwrap();
        check_rewrite(&name, "--reflection", &file, &stripped);
        let r = MetallibFile::parse(&stripped).unwrap();
        assert!(r.reflection_list().is_none(), "{name}");
        assert!(r.functions().iter().all(|f| f.reflection_offset.is_none()));
        let mut both = sources;
        both.remove_reflection();
        check_rewrite(
            &name,
            "--sources --reflection",
            &file,
            &both.write().unwrap(),
        );
        counts.add("strip (none, sources, reflection, both) reads back");
    }
    println!(
        "{} libraries, {functions} functions, {groups_seen} groups, {tags_seen} tags",
        files.len()
    );
    for (k, n) in &counts.0 {
        println!("{n:>4}  {k}");
    }
}
