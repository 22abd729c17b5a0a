//! The fuzz seed corpora start from the project's own inputs: a seed named
//! like a file of `tests/corpus/` (`*.ll`) or `examples/specs/` (`*.toml`)
//! is a copy of it and must stay byte-identical, so that editing an original
//! (its comments, say) without copying it over again is caught here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use airlink_test_support::repo_root;

/// The files directly in `dir`, by name.
fn files_in(dir: &PathBuf) -> BTreeMap<String, PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter_map(|p| Some((p.file_name()?.to_str()?.to_string(), p)))
        .collect()
}

#[test]
fn fuzz_seeds_named_after_originals_are_identical_copies() {
    let root = repo_root();
    let mut originals = files_in(&root.join("tests/corpus"));
    originals.extend(files_in(&root.join("examples/specs")));
    let mut compared = 0;
    let mut differ = Vec::new();
    let targets = std::fs::read_dir(root.join("fuzz/corpus")).expect("fuzz/corpus");
    for target in targets.filter_map(|e| e.ok().map(|e| e.path())) {
        if !target.is_dir() {
            continue;
        }
        for (name, seed) in files_in(&target) {
            let Some(original) = originals.get(&name) else {
                continue;
            };
            compared += 1;
            let (a, b) = (
                std::fs::read(&seed).unwrap(),
                std::fs::read(original).unwrap(),
            );
            if a != b {
                differ.push(format!(
                    "{} differs from {}",
                    seed.display(),
                    original.display()
                ));
            }
        }
    }
    // exec_shell, ir_text_parse and lazy_assemble hold the corpus, spec_parse
    // the specs: dozens of copies. Far fewer means the layout changed.
    assert!(compared >= 30, "only {compared} seed copies found");
    assert!(
        differ.is_empty(),
        "copy the originals over again:\n{}",
        differ.join("\n")
    );
}
