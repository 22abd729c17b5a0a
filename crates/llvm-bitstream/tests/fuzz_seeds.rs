//! Replays the `bitstream_read` fuzz target's seed corpus
//! (`fuzz/corpus/bitstream_read`) through the target's body, with a spread
//! of truncations and bit flips of each seed: the reader must return a
//! stream or an error, never panic.

use std::path::PathBuf;

#[path = "../../../fuzz/fuzz_targets/bodies/bitstream_read.rs"]
mod body;

#[test]
fn bitstream_read_seeds_run_through_the_fuzz_target() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/bitstream_read");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{} is empty", dir.display());
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        body::run(&bytes);
        let step = (bytes.len() / 200).max(1);
        for len in (0..bytes.len()).step_by(step) {
            body::run(&bytes[..len]);
        }
        let mut flipped = bytes.clone();
        for i in (0..bytes.len()).step_by(step) {
            flipped[i] ^= 0x10;
            body::run(&flipped);
            flipped[i] ^= 0x10;
        }
    }
}
