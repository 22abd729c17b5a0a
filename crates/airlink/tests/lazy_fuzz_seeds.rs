//! Replays the `lazy_assemble` fuzz target's seed corpus
//! (`fuzz/corpus/lazy_assemble`) through the target's body, whole and cut
//! at a spread of offsets: the entry-by-entry and the whole-module
//! pipelines must agree on each.

use std::path::PathBuf;

#[path = "../../../fuzz/fuzz_targets/bodies/lazy_assemble.rs"]
mod body;

#[test]
fn lazy_assemble_seeds_run_through_the_fuzz_target() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/lazy_assemble");
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    assert!(seeds.len() > 5, "{} has too few seeds", dir.display());
    for path in seeds {
        let bytes = std::fs::read(&path).unwrap();
        body::run(&bytes);
        // About 12 cuts per seed keep the debug-build test fast; cuts land
        // inside bodies, where the two pipelines work differently.
        let step = (bytes.len() / 12).max(1);
        for len in (0..bytes.len()).step_by(step) {
            body::run(&bytes[..len]);
        }
    }
}
