//! The `apple` flavour against the `llvm14` flavour on every corpus file.
//!
//! Both outputs are read back into block trees and walked together, record
//! by record. They must agree everywhere except in what the Apple flavour
//! is defined to change, and each of those changes must be exactly the
//! expected one, so the test fails both when the flavours differ anywhere
//! else and when the Apple flavour is not applied:
//!
//! - IDENTIFICATION: the producer string (`LLVM14.0.6` → empty);
//! - METADATA_KIND: `heapallocsite` (only when some function has a body
//!   instruction other than `ret`) and `air.function_groups` after LLVM's
//!   31 kinds, the module's own kinds after them (and attachment records
//!   renumbered accordingly);
//! - OPERAND_BUNDLE_TAGS: `ptrauth` after LLVM's seven tags;
//! - SYMTAB/STRTAB: the irsymtab producer (`14.0.6` → the given producer,
//!   else the `metalfe-X` version of `!llvm.ident`, else `32023.850.10`),
//!   and the string offsets that move with it;
//! - attribute lists of `llvm.*` declarations (both reset them, Apple's
//!   table adds `nocallback` to the function attributes of those with
//!   `nofree nosync`), and with them the attribute tables and the list ids
//!   of every function and call, which are compared resolved;
//! - the word offsets of the module VALUE_SYMTAB (VSTOFFSET, FNENTRY);
//! - every DISubprogram record: Apple's writer adds a trailing 0 (LLVM 15's
//!   target function name, empty), so the bit positions of the METADATA
//!   block's index (INDEX_OFFSET, INDEX) move with it.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use air_bitcode::{write_module, Flavour, WriteOptions, LLVM14_PRODUCER};
use llvm_bitcode_schema::{
    BlockId, FunctionCode, IdentificationCode, KnownRecord, MetadataAttachmentCode, MetadataCode,
    ModuleCode, ValueSymtabCode,
};
use llvm_bitstream::{Block, Entry, Record, Stream};

const MODULE: u32 = BlockId::Module.id();
const PARAMATTR: u32 = BlockId::Paramattr.id();
const PARAMATTR_GROUP: u32 = BlockId::ParamattrGroup.id();
const OPERAND_BUNDLE_TAGS: u32 = BlockId::OperandBundleTags.id();
const METADATA_KIND: u32 = BlockId::MetadataKind.id();
const STRTAB: u32 = BlockId::Strtab.id();
const SYMTAB: u32 = BlockId::Symtab.id();

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn encode(module: &air_ir::Module, name: &str, flavour: Flavour) -> Vec<u8> {
    let options = WriteOptions {
        flavour,
        input_path: name.to_string(),
        producer: None,
    };
    write_module(module, &options).unwrap_or_else(|e| panic!("{name}: encode: {e}"))
}

/// Attribute lists resolved to their groups' contents (`[paramidx, attrs..]`
/// per group), so that lists can be compared across the two files.
#[derive(Default)]
struct Attrs {
    groups: HashMap<u64, Vec<u64>>,
    lists: Vec<Vec<u64>>,
}

impl Attrs {
    fn of(module: &Block) -> Self {
        let mut attrs = Attrs::default();
        for b in module.blocks() {
            match b.id {
                PARAMATTR_GROUP => {
                    for r in b.records() {
                        attrs.groups.insert(r.ops[0], r.ops[1..].to_vec());
                    }
                }
                PARAMATTR => attrs.lists = b.records().map(|r| r.ops.clone()).collect(),
                _ => {}
            }
        }
        attrs
    }

    /// List `id` (1-based, 0 = none) as the contents of its groups.
    fn resolve(&self, id: u64) -> Vec<Vec<u64>> {
        if id == 0 {
            return Vec::new();
        }
        let list = &self.lists[id as usize - 1];
        list.iter().map(|g| self.groups[g].clone()).collect()
    }
}

/// What one file's tree walk needs besides the trees.
struct Side {
    attrs: Attrs,
    /// Metadata kind names by id.
    kinds: Vec<Vec<u8>>,
    strtab: Vec<u8>,
}

impl Side {
    fn of(stream: &Stream) -> Self {
        let module = module_block(stream);
        let mut kinds = Vec::new();
        for b in module.blocks().filter(|b| b.id == METADATA_KIND) {
            for r in b.records() {
                assert_eq!(r.ops[0] as usize, kinds.len(), "kind ids are dense");
                kinds.push(r.ops[1..].iter().map(|c| *c as u8).collect());
            }
        }
        Side {
            attrs: Attrs::of(module),
            kinds,
            strtab: common::blob_of(stream, STRTAB),
        }
    }

    /// Attachment operands (`[kind, node]*`) with kinds as names.
    fn attachment(&self, pairs: &[u64]) -> Vec<(Vec<u8>, u64)> {
        pairs
            .chunks(2)
            .map(|p| (self.kinds[p[0] as usize].clone(), p[1]))
            .collect()
    }
}

fn module_block(stream: &Stream) -> &Block {
    stream
        .blocks
        .iter()
        .find(|b| b.id == MODULE)
        .expect("a MODULE block")
}

/// The walk of both trees; `seen` collects which expected differences were
/// actually found.
struct Walk<'a> {
    file: &'a str,
    /// Whether some function has an instruction other than `ret`.
    has_body_beyond_ret: bool,
    llvm: Side,
    apple: Side,
    seen: Vec<&'static str>,
}

impl Walk<'_> {
    fn fail(&self, path: &str, what: String) -> ! {
        panic!("{}: {path}: {what}", self.file)
    }

    fn blocks(&mut self, path: &str, l: &Block, a: &Block) {
        let path = format!("{path}/{}", l.id);
        if l.id != a.id || l.abbrev_width != a.abbrev_width {
            self.fail(&path, format!("block {} vs {}", l.id, a.id));
        }
        match l.id {
            METADATA_KIND => return self.kinds(&path, l, a),
            OPERAND_BUNDLE_TAGS => return self.bundle_tags(&path, l, a),
            // Attribute tables are compared resolved, at each use.
            PARAMATTR | PARAMATTR_GROUP => return,
            _ => {}
        }
        if l.entries.len() != a.entries.len() {
            self.fail(
                &path,
                format!("{} vs {} entries", l.entries.len(), a.entries.len()),
            );
        }
        for (i, (le, ae)) in l.entries.iter().zip(&a.entries).enumerate() {
            let at = format!("{path}[{i}]");
            match (le, ae) {
                (Entry::Block(lb), Entry::Block(ab)) => self.blocks(&at, lb, ab),
                (Entry::Record(lr), Entry::Record(ar)) => self.records(&at, l.id, lr, ar),
                (Entry::Abbrev { abbrev: la, .. }, Entry::Abbrev { abbrev: aa, .. }) => {
                    if la != aa {
                        self.fail(&at, format!("abbreviation {la:?} vs {aa:?}"));
                    }
                }
                _ => self.fail(&at, "different kinds of entry".into()),
            }
        }
    }

    fn records(&mut self, path: &str, block: u32, l: &Record, a: &Record) {
        if l.code != a.code || l.abbrev != a.abbrev {
            self.fail(
                path,
                format!(
                    "record {}/{:?} vs {}/{:?}",
                    l.code, l.abbrev, a.code, a.abbrev
                ),
            );
        }
        let same_except = |skip: &[usize]| {
            l.ops.len() == a.ops.len()
                && l.ops
                    .iter()
                    .zip(&a.ops)
                    .enumerate()
                    .all(|(i, (x, y))| x == y || skip.contains(&i))
        };
        let ok = match KnownRecord::of(block, l.code) {
            Some(KnownRecord::Identification(IdentificationCode::String)) => {
                let producer: Vec<u64> = LLVM14_PRODUCER.bytes().map(u64::from).collect();
                if l.ops != producer || !a.ops.is_empty() {
                    self.fail(path, format!("producer {:?} vs {:?}", l.ops, a.ops));
                }
                self.seen.push("producer");
                true
            }
            // VSTOFFSET, and FNENTRY [value id, word offset].
            Some(KnownRecord::Module(ModuleCode::VstOffset)) => l.ops.len() == a.ops.len(),
            Some(KnownRecord::ValueSymtab(ValueSymtabCode::FnEntry)) => same_except(&[1]),
            // FUNCTION: the attribute list (op 6) is compared resolved, and
            // may differ only for `llvm.*` declarations.
            Some(KnownRecord::Module(ModuleCode::Function)) => {
                let (la, aa) = (
                    self.llvm.attrs.resolve(l.ops[6]),
                    self.apple.attrs.resolve(a.ops[6]),
                );
                if la != aa {
                    let name = &self.llvm.strtab[l.ops[0] as usize..][..l.ops[1] as usize];
                    // Apple's set is LLVM 14's plus `nocallback` (enum
                    // attribute 71) among the function attributes.
                    let without_nocallback: Vec<Vec<u64>> = aa
                        .iter()
                        .map(|g| {
                            if g[0] != u64::from(u32::MAX) {
                                return g.clone();
                            }
                            let mut out = vec![g[0]];
                            let mut rest = &g[1..];
                            while let [0, kind, tail @ ..] = rest {
                                if *kind != 71 {
                                    out.extend([0, *kind]);
                                }
                                rest = tail;
                            }
                            out.extend_from_slice(rest);
                            out
                        })
                        .collect();
                    if !name.starts_with(b"llvm.") || l.ops[4] != 1 || la != without_nocallback {
                        self.fail(
                            path,
                            format!("attributes of {} differ", String::from_utf8_lossy(name)),
                        );
                    }
                    self.seen.push("intrinsic attributes");
                }
                same_except(&[6])
            }
            // INST_CALL: the call-site attribute list (op 0), resolved.
            Some(KnownRecord::Function(FunctionCode::InstCall)) => {
                if self.llvm.attrs.resolve(l.ops[0]) != self.apple.attrs.resolve(a.ops[0]) {
                    self.fail(path, "call-site attributes differ".into());
                }
                same_except(&[0])
            }
            // Apple's subprograms: LLVM 14's operands and a 0.
            Some(KnownRecord::Metadata(MetadataCode::Subprogram)) => {
                if a.ops.len() != l.ops.len() + 1
                    || a.ops[..l.ops.len()] != l.ops[..]
                    || a.ops.last() != Some(&0)
                {
                    self.fail(path, format!("subprogram {:?} vs {:?}", l.ops, a.ops));
                }
                self.seen.push("subprogram");
                true
            }
            // Bit positions, which the longer subprogram records move.
            Some(KnownRecord::Metadata(MetadataCode::IndexOffset | MetadataCode::Index)) => {
                l.ops.len() == a.ops.len()
            }
            // Attachments name kinds by id: compare the names.
            Some(KnownRecord::Metadata(MetadataCode::GlobalDeclAttachment)) => {
                l.ops[0] == a.ops[0]
                    && self.llvm.attachment(&l.ops[1..]) == self.apple.attachment(&a.ops[1..])
            }
            Some(KnownRecord::MetadataAttachment(MetadataAttachmentCode::Attachment)) => {
                let skip = l.ops.len() % 2;
                l.ops[..skip] == a.ops[..skip]
                    && self.llvm.attachment(&l.ops[skip..]) == self.apple.attachment(&a.ops[skip..])
            }
            _ => l.ops == a.ops && l.blob == a.blob,
        };
        if !ok {
            self.fail(
                path,
                format!("record {}: {:?} vs {:?}", l.code, l.ops, a.ops),
            );
        }
    }

    fn kinds(&mut self, path: &str, _l: &Block, _a: &Block) {
        let llvm = &self.llvm.kinds;
        let mut expected: Vec<Vec<u8>> = llvm[..31].to_vec();
        let apple_kinds = [b"heapallocsite".to_vec(), b"air.function_groups".to_vec()];
        if self.has_body_beyond_ret {
            expected.push(apple_kinds[0].clone());
        }
        expected.push(apple_kinds[1].clone());
        expected.extend(
            llvm[31..]
                .iter()
                .filter(|k| !apple_kinds.contains(k))
                .cloned(),
        );
        if self.apple.kinds != expected {
            self.fail(
                path,
                format!(
                    "metadata kinds {:?}, expected {:?}",
                    lossy(&self.apple.kinds),
                    lossy(&expected)
                ),
            );
        }
        self.seen.push("metadata kinds");
    }

    fn bundle_tags(&mut self, path: &str, l: &Block, a: &Block) {
        let tags = |b: &Block| -> Vec<Vec<u64>> { b.records().map(|r| r.ops.clone()).collect() };
        let mut expected = tags(l);
        expected.push(b"ptrauth".iter().map(|c| u64::from(*c)).collect());
        if tags(a) != expected {
            self.fail(path, format!("bundle tags {:?}", tags(a)));
        }
        self.seen.push("bundle tags");
    }
}

fn lossy(list: &[Vec<u8>]) -> Vec<String> {
    list.iter()
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect()
}

/// An irsymtab with every string resolved, and its producer apart.
fn resolve_symtab(blob: &[u8], strtab: &[u8]) -> (String, Vec<String>) {
    let word = |i: usize| u32::from_le_bytes(blob[i * 4..i * 4 + 4].try_into().unwrap()) as usize;
    let string =
        |w: usize| String::from_utf8_lossy(&strtab[word(w)..word(w) + word(w + 1)]).into_owned();
    let mut out = vec![
        format!("version {}", word(0)),
        format!("triple {}", string(11)),
        format!("source {}", string(13)),
        format!("coff {}", string(15)),
    ];
    // (header word of the range, element words, which words are strings)
    let ranges: [(usize, usize, &[usize]); 5] = [
        (3, 3, &[]),
        (5, 3, &[0]),
        (7, 6, &[0, 2]),
        (9, 6, &[2, 4]),
        (17, 2, &[0]),
    ];
    for (header, size, strings) in ranges {
        let (start, count) = (word(header) / 4, word(header + 1));
        for e in 0..count {
            let base = start + e * size;
            let mut fields = Vec::new();
            let mut w = 0;
            while w < size {
                if strings.contains(&w) {
                    fields.push(format!("{:?}", string(base + w)));
                    w += 2;
                } else {
                    fields.push(word(base + w).to_string());
                    w += 1;
                }
            }
            out.push(format!("range@{header}: {}", fields.join(" ")));
        }
    }
    (string(1), out)
}

fn check(name: &str) {
    let dir = corpus_dir();
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    let module = air_ir::parse(&text, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let llvm = encode(&module, name, Flavour::Llvm14);
    let apple = encode(&module, name, Flavour::Apple);
    airlink_test_support::llvm_accepts(&apple).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (ls, aps) = (common::read(&llvm), common::read(&apple));
    let top = |s: &Stream| s.blocks.iter().map(|b| b.id).collect::<Vec<_>>();
    assert_eq!(top(&ls), top(&aps), "{name}: top-level blocks");

    let has_body_beyond_ret = module.functions.iter().any(|f| {
        f.layout()
            .any(|(_, i)| f.inst(i).kind.opcode() != air_ir::inst::Opcode::Ret)
    });
    let mut walk = Walk {
        file: name,
        has_body_beyond_ret,
        llvm: Side::of(&ls),
        apple: Side::of(&aps),
        seen: Vec::new(),
    };
    for (l, a) in ls.blocks.iter().zip(&aps.blocks) {
        match l.id {
            SYMTAB | STRTAB => {}
            _ => walk.blocks("", l, a),
        }
    }
    for expected in ["producer", "metadata kinds", "bundle tags"] {
        assert!(
            walk.seen.contains(&expected),
            "{name}: no {expected} change"
        );
    }
    if text.contains("!DISubprogram(") {
        assert!(
            walk.seen.contains(&"subprogram"),
            "{name}: no subprogram change"
        );
    }

    // The symbol tables agree except for the producer, which sits right
    // after the module's names in STRTAB.
    let (l_blob, a_blob) = (common::blob_of(&ls, SYMTAB), common::blob_of(&aps, SYMTAB));
    let (l_producer, l_table) = resolve_symtab(&l_blob, &walk.llvm.strtab);
    let (a_producer, a_table) = resolve_symtab(&a_blob, &walk.apple.strtab);
    assert_eq!(l_table, a_table, "{name}: irsymtab");
    assert_eq!(l_producer, "14.0.6", "{name}");
    let expected = air_ident_version(&text).unwrap_or_else(|| "32023.850.10".to_string());
    assert_eq!(a_producer, expected, "{name}: irsymtab producer");
    let at = u32::from_le_bytes(l_blob[4..8].try_into().unwrap()) as usize;
    let (l_strtab, a_strtab) = (&walk.llvm.strtab, &walk.apple.strtab);
    assert_eq!(l_strtab[..at], a_strtab[..at], "{name}: module names");
    assert_eq!(
        l_strtab[at + l_producer.len()..],
        a_strtab[at + a_producer.len()..],
        "{name}: irsymtab strings"
    );
}

/// The `metalfe-X` version in the text's `!llvm.ident`, found independently
/// of the writer (a plain text search).
fn air_ident_version(text: &str) -> Option<String> {
    let line = text.lines().find(|l| l.contains("metalfe-"))?;
    let rest = &line[line.find("metalfe-")? + "metalfe-".len()..];
    Some(
        rest.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect(),
    )
}

#[test]
fn apple_flavour_differs_only_where_apple_does() {
    airlink_test_support::require_llvm_14();
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ll") && !n.starts_with("noncanonical_"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    for name in &names {
        check(name);
    }
}

#[test]
fn apple_producer_is_the_option_then_the_ident_then_the_default() {
    let plain = "target datalayout = \"e\"\n@g = global i32 0\n";
    let with_ident = format!(
        "{plain}!llvm.ident = !{{!0}}\n!0 = !{{!\"Apple metal version 32023.850 (metalfe-32023.850)\"}}\n"
    );
    let producer_of = |text: &str, producer: Option<&str>| {
        let module = air_ir::parse(text, "p.ll").unwrap();
        let options = WriteOptions {
            flavour: Flavour::Apple,
            input_path: "p.ll".into(),
            producer: producer.map(str::to_string),
        };
        let stream = common::read(&write_module(&module, &options).unwrap());
        let blob = common::blob_of(&stream, SYMTAB);
        resolve_symtab(&blob, &common::blob_of(&stream, STRTAB)).0
    };
    assert_eq!(producer_of(plain, None), "32023.850.10");
    assert_eq!(producer_of(plain, Some("32023.883")), "32023.883");
    assert_eq!(producer_of(&with_ident, None), "32023.850");
    // The option wins: Apple's compiler writes its own version even when
    // the text's `!llvm.ident` names another (the SEED shells say
    // `metalfe-32023.850`, their modules carry `32023.850.10`).
    assert_eq!(
        producer_of(&with_ident, Some("32023.850.10")),
        "32023.850.10"
    );
}
