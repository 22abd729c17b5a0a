//! Replays the fuzz target's seed corpus (`fuzz/corpus/metallib_parse`) and
//! every truncation of each seed, so `cargo test` exercises the fuzzer body.
//! The seeds are libraries the assembler writes; the air-assemble crate's
//! `tests/fuzz_seeds.rs` checks them and regenerates them.

use std::path::PathBuf;

fn seed_dir() -> PathBuf {
    airlink_test_support::repo_root().join("fuzz/corpus/metallib_parse")
}

#[test]
fn seed_corpus_runs_through_the_fuzz_target() {
    let mut seeds: Vec<_> = std::fs::read_dir(seed_dir())
        .expect("the fuzz seed corpus is missing")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 3, "only {} seeds", seeds.len());
    for path in seeds {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            metallib::MetallibFile::parse(&bytes).is_ok(),
            "seed {} does not parse",
            path.display()
        );
        for len in 0..=bytes.len() {
            metallib::fuzz::exercise(&bytes[..len]);
        }
    }
}
