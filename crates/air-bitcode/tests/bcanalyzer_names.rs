//! The bitcode schema (`llvm-bitcode-schema`) against `llvm-bcanalyzer-14`:
//! the names the schema says the analyzer prints must be the names it does
//! print, block by block and record by record.
//!
//! Two inputs, both dumped with `-dump -non-symbolic` so that every line
//! carries the numeric id or code next to the name:
//!
//! - a stream per block with one empty record for every code from 1 to a
//!   few past the block's last (so codes the schema leaves out are checked
//!   to be unknown to the tool too); every entry of the schema must show up;
//! - the bitcode `air_bitcode::write_module` writes for every corpus file,
//!   in both flavours: what the writer really emits.
//!
//! A block or record the schema gives no analyzer name must be printed as
//! `UnknownBlockN` / `UnknownCodeN`.

use std::collections::HashSet;

use air_bitcode::{write_module, Flavour, WriteOptions};
use llvm_bitcode_schema::{BlockId, KnownRecord};
use llvm_bitstream::BitWriter;

/// What the checks saw: `(block, None)` for a block, `(block, Some(code))`
/// for a record.
type Seen = HashSet<(u32, Option<u32>)>;

fn dump(bytes: &[u8]) -> String {
    airlink_test_support::llvm_bcanalyzer_dump_numeric(bytes)
        .unwrap_or_else(|e| panic!("llvm-bcanalyzer-14 failed: {e}"))
}

/// The number after `key=` in `line`.
fn field(line: &str, key: &str) -> Option<u32> {
    let rest = &line[line.find(key)? + key.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Checks every block and record line of a dump against the schema and
/// returns what it checked; `context` names the input in failures.
fn check_dump(text: &str, context: &str, seen: &mut Seen) -> Vec<String> {
    let mut failures = Vec::new();
    let mut stack: Vec<u32> = Vec::new();
    for line in text.lines() {
        // The statistics after the dump repeat names without ids.
        if line.starts_with("Summary of") {
            break;
        }
        let line = line.trim_start();
        let Some(tag) = line.strip_prefix('<') else {
            continue;
        };
        if tag.starts_with('/') {
            stack.pop();
            continue;
        }
        let name: String = tag
            .chars()
            .take_while(|c| !matches!(c, ' ' | '/' | '>'))
            .collect();
        let closes_itself = line.trim_end().ends_with("/>");
        // The Darwin wrapper is not a block.
        if name == "BITCODE_WRAPPER_HEADER" {
            continue;
        }
        if name == "BLOCKINFO_BLOCK" {
            // The analyzer reads BLOCKINFO instead of dumping it.
            let schema = BlockId::Blockinfo.bcanalyzer_name();
            if schema != Some("BLOCKINFO_BLOCK") {
                failures.push(format!("{context}: BLOCKINFO: schema says {schema:?}"));
            }
            seen.insert((0, None));
            continue;
        }
        let block = if let Some(id) = field(line, " BlockID=") {
            Some((id, Some(name.as_str())))
        } else {
            name.strip_prefix("UnknownBlock")
                .and_then(|n| n.parse().ok())
                .map(|id| (id, None))
        };
        if let Some((id, printed)) = block {
            let schema = BlockId::from_id(id).and_then(BlockId::bcanalyzer_name);
            if schema != printed {
                failures.push(format!(
                    "{context}: block {id}: the tool prints {printed:?}, the schema says {schema:?}"
                ));
            }
            seen.insert((id, None));
            if !closes_itself {
                stack.push(id);
            }
            continue;
        }
        let record = if let Some(code) = field(line, " codeid=") {
            Some((code, Some(name.as_str())))
        } else {
            name.strip_prefix("UnknownCode")
                .and_then(|n| n.parse().ok())
                .map(|code| (code, None))
        };
        match (record, stack.last()) {
            (Some((code, printed)), Some(&block)) => {
                let schema = KnownRecord::of(block, code).and_then(KnownRecord::bcanalyzer_name);
                if schema != printed {
                    failures.push(format!(
                        "{context}: block {block} record {code}: the tool prints {printed:?}, \
                         the schema says {schema:?}"
                    ));
                }
                seen.insert((block, Some(code)));
            }
            _ => failures.push(format!("{context}: cannot read dump line {line:?}")),
        }
    }
    failures
}

/// One stream per block: an empty record for each code up to four past
/// the block's largest.
fn every_code_of(block: BlockId) -> Vec<u8> {
    let last = block.records().iter().map(|r| r.code()).max().unwrap_or(0);
    let mut w = BitWriter::new();
    w.emit_magic();
    w.enter_block(block.id(), 6);
    for code in 1..=last + 4 {
        w.emit_record(code, &[]);
    }
    w.exit_block();
    w.finish()
}

#[test]
fn every_schema_name_is_what_the_analyzer_prints() {
    let mut seen = Seen::new();
    let mut failures = Vec::new();
    for &block in BlockId::ALL {
        if block == BlockId::Blockinfo {
            continue;
        }
        let text = dump(&every_code_of(block));
        failures.extend(check_dump(&text, block.llvm_name(), &mut seen));
    }
    // Ids LLVM 14 does not define are unknown to the tool as well.
    for id in [1, 7, 27, 40] {
        let mut w = BitWriter::new();
        w.emit_magic();
        w.enter_block(id, 3);
        w.emit_record(1, &[]);
        w.exit_block();
        failures.extend(check_dump(
            &dump(&w.finish()),
            &format!("block {id}"),
            &mut seen,
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every block and every record of the table was checked.
    for &block in BlockId::ALL {
        if block == BlockId::Blockinfo {
            continue;
        }
        assert!(seen.contains(&(block.id(), None)), "{block:?} not dumped");
        for r in block.records() {
            assert!(
                seen.contains(&(block.id(), Some(r.code()))),
                "{r:?} not dumped"
            );
        }
    }
}

#[test]
fn the_writers_blocks_and_records_have_the_analyzers_names() {
    let mut seen = Seen::new();
    let mut failures = Vec::new();
    for path in airlink_test_support::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let module = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        for flavour in [Flavour::Llvm14, Flavour::Apple] {
            let options = WriteOptions {
                flavour,
                input_path: name.clone(),
                producer: None,
            };
            let bytes =
                write_module(&module, &options).unwrap_or_else(|e| panic!("{name}: encode: {e}"));
            let context = format!("{name} ({flavour:?})");
            failures.extend(check_dump(&dump(&bytes), &context, &mut seen));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not a vacuous pass: the corpus reaches every block the writer writes
    // and a good share of the records.
    for block in [
        BlockId::Identification,
        BlockId::Module,
        BlockId::Paramattr,
        BlockId::ParamattrGroup,
        BlockId::Type,
        BlockId::Constants,
        BlockId::Function,
        BlockId::ValueSymtab,
        BlockId::Metadata,
        BlockId::MetadataKind,
        BlockId::MetadataAttachment,
        BlockId::OperandBundleTags,
        BlockId::SyncScopeNames,
        BlockId::Symtab,
        BlockId::Strtab,
    ] {
        assert!(
            seen.contains(&(block.id(), None)),
            "no {block:?} in the corpus"
        );
    }
    let records = seen.iter().filter(|(_, code)| code.is_some()).count();
    assert!(records >= 60, "only {records} distinct records checked");
}
