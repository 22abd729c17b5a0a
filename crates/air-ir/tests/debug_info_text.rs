//! Debug info in text against LLVM 14, with `llvm-dis-14` as the oracle of
//! how nodes print:
//!
//! - our printer prints hand-written debug-info texts (written in the form
//!   `llvm-dis-14` prints, numbering included) exactly as `llvm-dis-14`
//!   prints what `llvm-as-14` made of them, comments and the header lines
//!   aside: `tests/corpus/debug_info.ll` and `tests/debug_info/*.ll`;
//! - `llvm-dis-14`'s own output is a fixed point of parse and print;
//! - every keyword name of `air_ir::debuginfo::keywords` is one LLVM 14
//!   reads, with the number we give it;
//! - `air_ir::strip_debug_info` removes what `opt-14 -strip-debug` removes.

use std::path::{Path, PathBuf};

use air_ir::debuginfo::keywords;

/// The lines that carry meaning: no comments, no blank lines, none of the
/// lines that depend on how the input was named, comments after `;` cut.
fn meaningful(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            !l.starts_with(';')
                && !l.trim().is_empty()
                && !l.starts_with("source_filename")
                && !l.starts_with("; ModuleID")
        })
        .map(|l| match l.find("  ; ") {
            // `; preds = ...` after a label; no metadata line has "  ; ".
            Some(i) => l[..i].trim_end().to_string(),
            None => l.to_string(),
        })
        .collect()
}

fn first_difference(want: &[String], got: &[String]) -> String {
    for i in 0..want.len().max(got.len()) {
        let (a, b) = (want.get(i), got.get(i));
        if a != b {
            return format!(
                "line {}:\n  llvm-dis-14: {}\n  ours:        {}",
                i + 1,
                a.map_or("<end>", |s| s.as_str()),
                b.map_or("<end>", |s| s.as_str())
            );
        }
    }
    "no difference".into()
}

/// `llvm-dis-14(llvm-as-14 -disable-verify (file))`.
fn llvm_text(path: &Path, scratch: &Path) -> Result<String, String> {
    let bc = airlink_test_support::llvm_as_unverified(path)?;
    let out = scratch.join("out.bc");
    std::fs::write(&out, bc).map_err(|e| e.to_string())?;
    airlink_test_support::llvm_dis(&out)
}

fn texts() -> Vec<PathBuf> {
    let root = airlink_test_support::repo_root();
    let mut files = vec![root.join("tests/corpus/debug_info.ll")];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/debug_info");
    let mut more: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/debug_info exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    more.sort();
    files.extend(more);
    files
}

#[test]
fn we_print_debug_info_as_llvm_dis_14_does() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("debug-info-text");
    let mut failures = Vec::new();
    let files = texts();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let check = || -> Result<(), String> {
            let module = air_ir::parse(&text, &name).map_err(|e| e.to_string())?;
            let ours = air_ir::print(&module);
            let theirs = llvm_text(path, &scratch)?;
            let (w, g) = (meaningful(&theirs), meaningful(&ours));
            if w != g {
                return Err(format!("print(parse(x)): {}", first_difference(&w, &g)));
            }
            // LLVM's text is a fixed point of our parse and print.
            let again = air_ir::parse(&theirs, "llvm-dis.ll").map_err(|e| e.to_string())?;
            let g = meaningful(&air_ir::print(&again));
            if w != g {
                return Err(format!(
                    "print(parse(llvm-dis)): {}",
                    first_difference(&w, &g)
                ));
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!("{} debug-info texts compared with llvm-dis-14", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Every name of a keyword table, in a field that takes it, reads in LLVM 14
/// as the number the table gives it (a `DW_TAG` name LLVM did not know would
/// be an error; one with another number would print differently).
#[test]
fn keyword_tables_are_llvm_14s() {
    airlink_test_support::require_llvm_14();
    // (table, how a node spells one value of it)
    type Spelling = fn(&str) -> String;
    let fields: [(&air_ir::debuginfo::Keywords, Spelling); 7] = [
        (&keywords::TAGS, |k| format!("!DIBasicType(tag: {k})")),
        (&keywords::LANGUAGES, |k| {
            format!("!DICompositeType(tag: DW_TAG_structure_type, runtimeLang: {k})")
        }),
        (&keywords::ENCODINGS, |k| {
            format!("!DIBasicType(encoding: {k})")
        }),
        (&keywords::CALLING_CONVENTIONS, |k| {
            format!("!DISubroutineType(cc: {k}, types: null)")
        }),
        (&keywords::MACINFO_TYPES, |k| {
            format!("!DIMacro(type: {k}, name: \"m\")")
        }),
        (&keywords::OPERATIONS, |k| {
            format!("!{{!DIExpression({k})}}")
        }),
        (&keywords::CHECKSUM_KINDS, |k| {
            format!(
                "!DIFile(filename: \"f\", directory: \"d\", checksumkind: {k}, checksum: \"00\")"
            )
        }),
    ];
    let mut failures = Vec::new();
    let mut count = 0;
    for (table, spell) in fields {
        let mut text = String::from("!named = !{");
        let entries = table.entries();
        for i in 0..entries.len() {
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("!{i}"));
        }
        text.push_str("}\n");
        for (i, (_, name)) in entries.iter().enumerate() {
            text.push_str(&format!("!{i} = {}\n", spell(name)));
        }
        let bitcode = match airlink_test_support::llvm_as_unverified(text.as_str()) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("llvm-as-14 rejects a name: {e}"));
                continue;
            }
        };
        // Read back with our reader: each node holds the table's number.
        let module = keyword_values(&text, &bitcode);
        for (i, (value, name)) in entries.iter().enumerate() {
            count += 1;
            if !module
                .iter()
                .any(|(n, v)| *n == i && *v == u64::from(*value))
            {
                failures.push(format!("{name}: LLVM 14 does not give it {value:#x}"));
            }
        }
    }
    // The flag names, through the printer: each reads back as itself.
    for (bits, name) in keywords::DI_FLAGS.iter().skip(1) {
        count += 1;
        let text = format!("!named = !{{!0}}\n!0 = !DIBasicType(flags: {name})\n");
        let bc = airlink_test_support::llvm_as_unverified(text.as_str());
        let dis = bc.and_then(|b| airlink_test_support::llvm_dis(&b));
        match dis {
            Ok(d)
                if d.contains(&format!("flags: {name})"))
                    || (*bits == 0x24 && d.contains(name)) => {}
            Ok(d) => failures.push(format!("{name}: {d}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    for (_, name) in keywords::SP_FLAGS.iter().skip(1) {
        count += 1;
        let text = format!("!named = !{{!0}}\n!0 = distinct !DISubprogram(spFlags: {name})\n");
        let bc = airlink_test_support::llvm_as_unverified(text.as_str());
        let dis = bc.and_then(|b| airlink_test_support::llvm_dis(&b));
        match dis {
            Ok(d) if d.contains(name) => {}
            Ok(d) => failures.push(format!("{name}: {d}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("{count} keyword names checked against llvm-as-14");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The keyword value of node `i` as LLVM 14 wrote it: the node's text as
/// `llvm-dis-14` prints it, parsed by our parser, and the field looked up
/// (the number in the bitcode is what LLVM's parser gave the name).
fn keyword_values(_text: &str, bitcode: &[u8]) -> Vec<(usize, u64)> {
    let dis = airlink_test_support::llvm_dis(bitcode).unwrap_or_default();
    let module = match air_ir::parse(&dis, "keywords.ll") {
        Ok(m) => m,
        Err(_) => return Vec::new(),
    };
    let Some(named) = module.named("named") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, id) in named.operands.iter().enumerate() {
        let node = match module.meta(*id) {
            air_ir::Metadata::Di(n) => Some(n),
            air_ir::Metadata::Node { operands, .. } => operands
                .first()
                .copied()
                .flatten()
                .and_then(|m| module.meta(m).di()),
            _ => None,
        };
        let Some(node) = node else { continue };
        let value = match node.kind {
            air_ir::DiKind::Expression => match node.fields.first() {
                Some(air_ir::DiValue::Ints(e)) => e.first().copied().unwrap_or(u64::MAX),
                _ => u64::MAX,
            },
            air_ir::DiKind::BasicType if node.int("tag") != 0x24 => node.int("tag"),
            air_ir::DiKind::BasicType if node.int("encoding") != 0 => node.int("encoding"),
            air_ir::DiKind::BasicType => node.int("tag"),
            air_ir::DiKind::CompositeType => node.int("runtimeLang"),
            air_ir::DiKind::SubroutineType => node.int("cc"),
            air_ir::DiKind::Macro => node.int("type"),
            air_ir::DiKind::File => node.int("checksumkind"),
            _ => u64::MAX,
        };
        out.push((i, value));
    }
    out
}

/// `air_ir::strip_debug_info` against `opt-14 -strip-debug`, on the corpus
/// file with debug info and on generated modules with debug info: LLVM
/// 14 reads the same module from both.
#[test]
fn strip_debug_info_removes_what_opt_strip_debug_removes() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("strip-debug");
    let root = airlink_test_support::repo_root();
    let mut inputs = vec![(
        "debug_info.ll".to_string(),
        std::fs::read_to_string(root.join("tests/corpus/debug_info.ll")).unwrap(),
    )];
    for seed in 0..6u64 {
        let options = air_testgen::GenOptions {
            kernels: 1 + seed as usize % 3,
            stretch: 8,
            depth: 2,
            debug_info: true,
        };
        let m = air_testgen::random_module(seed, options);
        inputs.push((format!("gen{seed}.ll"), air_ir::print(&m)));
    }
    let mut failures = Vec::new();
    for (name, text) in &inputs {
        let check = || -> Result<(), String> {
            let mut module = air_ir::parse(text, name).map_err(|e| e.to_string())?;
            let stats = air_ir::strip_debug_info(&mut module);
            if !stats.changed() {
                return Err("nothing was stripped".into());
            }
            air_ir::verify(&module).map_err(|e| format!("stripped module: {e}"))?;
            let ours = air_ir::print(&module);
            if ours.contains("!dbg")
                || ours.contains("llvm.dbg.cu")
                || ours.contains("call void @llvm.dbg.")
            {
                return Err("debug info left in our output".into());
            }
            let input = scratch.join(name);
            std::fs::write(&input, text).map_err(|e| e.to_string())?;
            let theirs = opt_strip_debug(&input)?;
            let ours_file = scratch.join(format!("ours-{name}"));
            std::fs::write(&ours_file, &ours).map_err(|e| e.to_string())?;
            let ours_llvm = {
                let bc = airlink_test_support::llvm_as(&ours_file)?;
                airlink_test_support::llvm_dis(&bc)?
            };
            let (w, g) = (without_target(&theirs), without_target(&ours_llvm));
            if w != g {
                return Err(first_difference(&w, &g));
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("{name}: {e}"));
        }
    }
    println!(
        "{} modules stripped and compared with opt-14 -strip-debug",
        inputs.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The meaningful lines without the target lines (`opt-14` needs a target
/// it knows and writes that triple).
fn without_target(text: &str) -> Vec<String> {
    meaningful(text)
        .into_iter()
        .filter(|l| !l.starts_with("target "))
        .collect()
}

/// `opt-14 -strip-debug -S` of a file, with a triple opt knows.
fn opt_strip_debug(path: &Path) -> Result<String, String> {
    let out = std::process::Command::new("opt-14")
        .args([
            "-mtriple=x86_64-apple-macosx",
            "-strip-debug",
            "-S",
            "-o",
            "-",
        ])
        .arg(path)
        .output()
        .map_err(|e| format!("opt-14: {e}"))?;
    if !out.status.success() {
        return Err(format!("opt-14: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
