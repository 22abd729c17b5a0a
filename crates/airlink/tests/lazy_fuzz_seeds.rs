//! Replays the `lazy_assemble` fuzz target's seed corpus
//! (`fuzz/corpus/lazy_assemble`) through the target's body, whole, cut at a
//! spread of offsets and damaged inside bodies: the text pipelines must
//! agree with the whole-module one on each.

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
    let mut rng = airlink_test_support::Rng(0x5eed_1a20_0000_0001 ^ seeds.len() as u64);
    let mut lazy_ok = 0;
    for path in &seeds {
        let bytes = std::fs::read(path).unwrap();
        body::run(&bytes);
        // About 12 cuts per seed keep the debug-build test fast; cuts land
        // inside bodies, where the two pipelines work differently.
        let step = (bytes.len() / 12).max(1);
        for len in (0..bytes.len()).step_by(step) {
            body::run(&bytes[..len]);
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        for _ in 0..8 {
            let damaged = airlink_test_support::damage::damage(text, &mut rng);
            body::run(damaged.text.as_bytes());
        }
        // Whether the seed gets the fuzzer into the lazy path at all: the
        // body assembles for the target of the seed's own triple.
        let options = air_assemble::Options::for_target(body::target_of(text));
        if air_assemble::stream::assemble_text_lazily(text, "seed.ll", &options).is_ok() {
            lazy_ok += 1;
        } else {
            eprintln!("{}: not taken by the lazy path", path.display());
        }
    }
    // Seeds without entries (visible functions only) cannot take it; the
    // rest must, or the fuzzer starts far from the code it is for.
    assert!(
        lazy_ok * 4 >= seeds.len() * 3,
        "only {lazy_ok} of {} seeds take the lazy path",
        seeds.len()
    );
}
