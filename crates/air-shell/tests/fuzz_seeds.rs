//! Replays the `spec_parse` fuzz target's seed corpus
//! (`fuzz/corpus/spec_parse`) through the target's body: reading and
//! generating must give a shell or an error, never panic; the reference
//! specs among the seeds must generate.

use std::path::PathBuf;

#[path = "../../../fuzz/fuzz_targets/bodies/spec_parse.rs"]
mod body;

#[test]
fn spec_parse_seeds_run_through_the_fuzz_target() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let base = root.join("examples/specs");
    let dir = root.join("fuzz/corpus/spec_parse");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "only {} seeds", paths.len());
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        body::run(&bytes, &base);
        let step = (bytes.len() / 30).max(1);
        for len in (0..bytes.len()).step_by(step) {
            body::run(&bytes[..len], &base);
        }
    }
}
