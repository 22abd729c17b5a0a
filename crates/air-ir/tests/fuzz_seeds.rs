//! Replays the `ir_text_parse` fuzz target's seed corpus
//! (`fuzz/corpus/ir_text_parse`) through the target's body, and a spread of
//! prefixes of each seed: parse, verify, print and re-parse must never
//! panic, and a module that parses must round-trip equal.

use std::path::PathBuf;

#[path = "../../../fuzz/fuzz_targets/bodies/ir_text_parse.rs"]
mod body;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{} is empty", dir.display());
    out
}

#[test]
fn ir_text_parse_seeds_run_through_the_fuzz_target() {
    for (path, bytes) in seeds("ir_text_parse") {
        body::run(&bytes);
        // About 40 prefixes per seed keep the debug-build test fast.
        let step = (bytes.len() / 40).max(1);
        for len in (0..bytes.len()).step_by(step) {
            body::run(&bytes[..len]);
        }
        let _ = path;
    }
}
