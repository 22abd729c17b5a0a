//! Replays the fuzz target's seed corpus (`fuzz/corpus/metallib_parse`) and
//! every truncation of each seed, so `cargo test` exercises the fuzzer body.
//! `AIRLINK_WRITE_FUZZ_SEEDS=1` regenerates the seeds from the corpus
//! (assembled with llvm-as-14).

mod common;

use std::path::PathBuf;

fn seed_dir() -> PathBuf {
    common::repo_root().join("fuzz/corpus/metallib_parse")
}

#[test]
fn seed_corpus_runs_through_the_fuzz_target() {
    if std::env::var_os("AIRLINK_WRITE_FUZZ_SEEDS").is_some() {
        write_seeds();
    }
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

/// Seeds: a one-kernel, a multi-kernel and a three-visible-function library.
fn write_seeds() {
    let target = air_target::Target::by_id("macos26").unwrap();
    let options = metallib::AssembleOptions {
        target,
        retarget: true,
        threads: 0,
    };
    std::fs::create_dir_all(seed_dir()).unwrap();
    for name in ["simple_1d", "switch_atomics", "visible_function"] {
        let module = common::load(&common::repo_root().join(format!("tests/corpus/{name}.ll")));
        let bytes = metallib::assemble(&module, &options, common::llvm_as).unwrap();
        std::fs::write(seed_dir().join(format!("{name}.metallib")), bytes).unwrap();
    }
}
