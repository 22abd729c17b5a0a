//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder (searched
//! recursively) of Apple-built `.metallib` files, never committed; without
//! it the test prints one "skipped" line. For every module in them:
//!
//! 1. **Read and text.** The module is read with airlink's reader, printed
//!    (what `airlink fmt MODULE.bc` prints), parsed again and verified.
//! 2. **Intrinsics.** Every `air.*` and `llvm.*` declaration is matched
//!    against the intrinsic table (`air_ir::intrinsics`): a known name must
//!    match one of its forms for the module's AIR version, an unknown one is
//!    accepted as declared. The test prints every distinct declaration with
//!    the form it matched.
//! 3. **Apple flavour.** A module for macOS 14 or later (iOS 17 or later) is
//!    re-encoded from that text with the `apple` flavour and the compiler
//!    version of Apple's own irsymtab as the producer (the one input the
//!    text cannot give, docs/bitcode-rules.md#the-irsymtab-producer). It
//!    must equal Apple's module byte for byte, or, only for modules that
//!    carry function-level symbol tables (Apple optimised hand-written IR,
//!    whose table order depends on the optimiser's history), record for
//!    record with those tables compared as sets. Older modules (a different
//!    writer layout) must give the same `llvm-dis-14` text as Apple's.
//!
//! Modules with debug info go through every step like the others (they are
//! counted). The counts are printed at the end.

use std::collections::BTreeMap;
use std::path::Path;

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
use air_ir::intrinsics::{self, AirVersion};
use air_ir::{Module, VerifyErrorKind};
use llvm_bitcode_schema::BlockId;
use llvm_bitstream::{Block, Entry, Reader, Stream};
use metallib::MetallibFile;

/// The wrapped modules of a library: through the container's function
/// list, or, when the container parser does not read the file, at every
/// bitcode wrapper in the bytes (magic, version 0, offset 20, CPU type -1,
/// `BC` at the offset), each cut to its wrapped size padded to 16 bytes,
/// which is what the container's MDSZ covers.
fn modules<'a>(path: &Path, bytes: &'a [u8]) -> (bool, Vec<(String, &'a [u8])>) {
    if let Ok(file) = MetallibFile::parse(bytes) {
        let found = file
            .functions()
            .iter()
            .map(|f| (format!("{} / {}", path.display(), f.name), f.module))
            .collect();
        return (true, found);
    }
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    let mut found = Vec::new();
    for at in 0..bytes.len().saturating_sub(24) {
        if bytes[at..at + 4] != [0xDE, 0xC0, 0x17, 0x0B]
            || word(at + 4) != Some(0)
            || word(at + 8) != Some(20)
            || word(at + 16) != Some(u32::MAX as usize)
            || bytes[at + 20..at + 24] != *b"BC\xC0\xDE"
        {
            continue;
        }
        let Some(size) = word(at + 12) else { continue };
        let end = at + (20 + size).div_ceil(16) * 16;
        if let Some(module) = bytes.get(at..end) {
            found.push((format!("{} @ {at:#x}", path.display()), module));
        }
    }
    (false, found)
}

/// The macOS (or iOS) major version the triple targets.
fn os_major(module: &Module) -> Option<(bool, u32)> {
    let triple = module.triple.as_deref()?;
    let os = triple.split('-').nth(2)?;
    let (ios, version) = match (os.strip_prefix("macosx"), os.strip_prefix("ios")) {
        (Some(v), _) => (false, v),
        (_, Some(v)) => (true, v),
        _ => return None,
    };
    Some((ios, version.split('.').next()?.parse().ok()?))
}

/// Whether Apple's macOS 14+ (iOS 17+) writer wrote the module.
fn modern(module: &Module) -> bool {
    matches!(os_major(module), Some((false, v)) if v >= 14)
        || matches!(os_major(module), Some((true, v)) if v >= 17)
}

/// The bitstream inside a wrapped module.
fn stream(wrapped: &[u8]) -> Result<Stream, String> {
    let size = wrapped
        .get(12..16)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
        .ok_or("no wrapper")?;
    let bc = wrapped.get(20..20 + size).ok_or("short wrapper")?;
    Reader::new(bc).read_stream().map_err(|e| e.to_string())
}

fn blob(s: &Stream, id: BlockId) -> Vec<u8> {
    s.blocks
        .iter()
        .find(|b| b.id == id.id())
        .and_then(|b| b.records().next())
        .and_then(|r| r.blob.clone())
        .unwrap_or_default()
}

/// The producer of the module's irsymtab (header words 1 and 2: offset and
/// size in STRTAB).
fn irsymtab_producer(s: &Stream) -> Option<String> {
    let symtab = blob(s, BlockId::Symtab);
    let strtab = blob(s, BlockId::Strtab);
    let word = |i: usize| {
        symtab
            .get(i * 4..i * 4 + 4)
            .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
    };
    let (at, len) = (word(1)?, word(2)?);
    Some(String::from_utf8_lossy(strtab.get(at..at + len)?).into_owned())
}

/// Compares two block trees record for record. Inside a FUNCTION block, a
/// VALUE_SYMTAB's entries are compared as sets; `sorted` counts those
/// tables. Everything else (order, abbreviations, operands, blobs, block
/// lengths) must be equal.
fn same_records(
    ours: &Block,
    apple: &Block,
    in_function: bool,
    sorted: &mut usize,
) -> Result<(), String> {
    let at = format!("block {}", apple.id);
    if ours.id != apple.id
        || ours.abbrev_width != apple.abbrev_width
        || ours.length_words != apple.length_words
    {
        return Err(format!("{at}: block header or length differs"));
    }
    if in_function && apple.id == BlockId::ValueSymtab.id() {
        let key = |b: &Block| {
            let mut v: Vec<String> = b.entries.iter().map(entry_key).collect();
            v.sort();
            v
        };
        if key(ours) != key(apple) {
            return Err(format!("{at}: function-level symbol tables differ as sets"));
        }
        if ours.entries != apple.entries {
            *sorted += 1;
        }
        return Ok(());
    }
    if ours.entries.len() != apple.entries.len() {
        return Err(format!(
            "{at}: {} vs {} entries",
            ours.entries.len(),
            apple.entries.len()
        ));
    }
    for (i, (o, a)) in ours.entries.iter().zip(&apple.entries).enumerate() {
        match (o, a) {
            (Entry::Block(ob), Entry::Block(ab)) => {
                let inside = in_function || ab.id == BlockId::Function.id();
                same_records(ob, ab, inside, sorted).map_err(|e| format!("{at}[{i}] / {e}"))?;
            }
            _ if entry_key(o) == entry_key(a) => {}
            _ => {
                return Err(format!(
                    "{at}[{i}]: {} vs Apple's {}",
                    entry_key(o),
                    entry_key(a)
                ))
            }
        }
    }
    Ok(())
}

/// An entry without its bit offset.
fn entry_key(e: &Entry) -> String {
    match e {
        Entry::Record(r) => format!(
            "record {} abbrev {:?} ops {:?} blob {:?}",
            r.code, r.abbrev, r.ops, r.blob
        ),
        Entry::Block(b) => format!("block {}", b.id),
        Entry::Abbrev { abbrev, .. } => format!("abbrev {abbrev:?}"),
    }
}

/// Whether the tree has a VALUE_SYMTAB inside a FUNCTION block.
fn has_function_symtab(blocks: &[Block]) -> bool {
    blocks.iter().any(|b| {
        let nested: Vec<Block> = b.blocks().cloned().collect();
        (b.id == BlockId::Function.id() && nested.iter().any(|n| n.id == BlockId::ValueSymtab.id()))
            || has_function_symtab(&nested)
    })
}

/// `llvm-dis-14` of a module, without the `; ModuleID` line.
fn disassemble(bytes: &[u8]) -> Result<String, String> {
    Ok(airlink_test_support::llvm_dis(bytes)?
        .lines()
        .filter(|l| !l.starts_with("; ModuleID"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Tallies of one run.
#[derive(Default)]
struct Counts {
    files: usize,
    by_container: usize,
    by_scan: usize,
    modules: usize,
    texts_verified: usize,
    /// (name, declared type, form) → modules.
    declarations: BTreeMap<(String, String, String), usize>,
    known: usize,
    unknown: usize,
    modern: usize,
    identical: usize,
    record_identical: usize,
    sorted_tables: usize,
    producer_given: usize,
    older_same_ir: usize,
    with_debug: usize,
}

#[test]
fn apple_modules_read_verify_and_reencode() {
    let Some(files) = airlink_test_support::apple_fixture_libraries() else {
        return;
    };
    airlink_test_support::require_llvm_14();
    let mut c = Counts::default();
    let mut failures = Vec::new();
    for path in &files {
        c.files += 1;
        let bytes = std::fs::read(path).unwrap();
        let (by_container, found) = modules(path, &bytes);
        if by_container {
            c.by_container += 1;
        } else {
            c.by_scan += 1;
        }
        if found.is_empty() {
            failures.push(format!("{}: no module found", path.display()));
        }
        for (label, apple) in found {
            c.modules += 1;
            if let Err(e) = check(&label, apple, &mut c) {
                failures.push(format!("{label}: {e}"));
            }
        }
    }
    println!(
        "{} files ({} read by the container parser, {} by the wrapper scan), {} modules; {} texts parse and verify",
        c.files, c.by_container, c.by_scan, c.modules, c.texts_verified
    );
    println!(
        "intrinsic declarations: {} known (matching a table form), {} unknown names (accepted as declared); distinct:",
        c.known, c.unknown
    );
    for ((name, ty, form), n) in &c.declarations {
        println!("  {n:>3} x {name} : {ty} -> {form}");
    }
    println!(
        "apple flavour on {} macOS 14+ modules: {} byte-identical, {} record-identical with {} function-level symbol tables compared as sets; producer taken from Apple's irsymtab differs from !llvm.ident in {}",
        c.modern, c.identical, c.record_identical, c.sorted_tables, c.producer_given
    );
    println!(
        "older modules (before macOS 14): {} give Apple's llvm-dis-14 text",
        c.older_same_ir
    );
    println!(
        "modules with debug info (llvm.dbg.cu), in the counts above: {}",
        c.with_debug
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(c.modules > 0);
}

fn check(label: &str, apple: &[u8], c: &mut Counts) -> Result<(), String> {
    let read = match read_module(apple) {
        Ok(m) => m,
        Err(e) => return Err(format!("read: {e}")),
    };
    // What `airlink fmt MODULE.bc` prints, parsed and verified again.
    let text = air_ir::print(&read);
    let module =
        air_ir::parse(&text, label).map_err(|e| format!("parse of the reader's text: {e}"))?;
    let errors = air_ir::verify::verify_all(&module);
    if let Some(e) = errors.first() {
        let what = if e.kind == VerifyErrorKind::BadIntrinsicSignature {
            "intrinsic"
        } else {
            "verify"
        };
        return Err(format!("{what}: {e}"));
    }
    c.texts_verified += 1;

    let version = AirVersion::from_module(&module);
    for f in module.functions.iter().filter(|f| f.is_declaration()) {
        if !(f.name.starts_with("air.") || f.name.starts_with("llvm.")) {
            continue;
        }
        let ty = intrinsics::type_text(&module.types, f.ty);
        let forms = intrinsics::lookup_for(&f.name, version);
        let form = if forms.is_empty() {
            c.unknown += 1;
            "unknown name, accepted as declared".to_string()
        } else {
            let matched = forms
                .iter()
                .find(|i| i.matches(&module.types, f.ty))
                .ok_or_else(|| format!("@{} : {ty} matches no form", f.name))?;
            c.known += 1;
            format!(
                "{} [{:?}] from {}",
                matched.signature_text(),
                matched.id(),
                matched.row().source
            )
        };
        *c.declarations
            .entry((f.name.clone(), ty, form))
            .or_default() += 1;
    }

    if read.named("llvm.dbg.cu").is_some() {
        c.with_debug += 1;
    }
    if !modern(&module) {
        // Apple's older writer lays the bytes out differently; the text
        // must still be Apple's.
        let options = WriteOptions {
            flavour: Flavour::Apple,
            ..WriteOptions::default()
        };
        let ours = write_module(&module, &options).map_err(|e| format!("encode: {e}"))?;
        if disassemble(&ours)? != disassemble(apple)? {
            return Err("llvm-dis-14 of ours differs from Apple's".into());
        }
        c.older_same_ir += 1;
        return Ok(());
    }
    c.modern += 1;
    let theirs = stream(apple)?;
    let producer = irsymtab_producer(&theirs).ok_or("Apple's module has no irsymtab")?;
    let from_ident = air_ident_version(&text);
    if from_ident.as_deref() != Some(producer.as_str()) {
        c.producer_given += 1;
    }
    let options = WriteOptions {
        flavour: Flavour::Apple,
        input_path: String::new(),
        producer: Some(producer),
    };
    let ours = write_module(&module, &options).map_err(|e| format!("encode: {e}"))?;
    if ours == apple {
        c.identical += 1;
        return Ok(());
    }
    let mine = stream(&ours)?;
    if !has_function_symtab(&theirs.blocks) {
        return Err(
            "differs from Apple's bytes (and Apple's module has no function-level symbol table)"
                .into(),
        );
    }
    if ours.len() != apple.len() || mine.blocks.len() != theirs.blocks.len() {
        return Err(format!("{} bytes vs Apple's {}", ours.len(), apple.len()));
    }
    let mut sorted = 0;
    for (o, a) in mine.blocks.iter().zip(&theirs.blocks) {
        same_records(o, a, false, &mut sorted)?;
    }
    c.record_identical += 1;
    c.sorted_tables += sorted;
    Ok(())
}

/// The `metalfe-X` version in the text's `!llvm.ident`, by a plain text
/// search (independent of the writer's own).
fn air_ident_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("metalfe-"))?;
    let rest = &line[line.find("metalfe-")? + "metalfe-".len()..];
    let v: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    Some(v.trim_end_matches('.').to_string())
}
