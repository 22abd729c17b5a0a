//! The fuzz targets' seed corpora, `fuzz/corpus/TARGET/`: the inputs each
//! target starts from, which `tests/fuzz_seeds.rs` replays through the
//! target bodies (`fuzz/src`) under a plain `cargo test`.

use std::path::PathBuf;

/// The seed folder of fuzz target `target`.
pub fn corpus_dir(target: &str) -> PathBuf {
    crate::repo_root().join("fuzz/corpus").join(target)
}

/// Every seed of `target` as (path, bytes), sorted by path. Panics when the
/// folder is missing or holds fewer than `at_least` seeds (a corpus that
/// shrank by accident would make the replay prove less).
pub fn fuzz_seeds(target: &str, at_least: usize) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= at_least.max(1),
        "{} has only {} seeds",
        dir.display(),
        paths.len()
    );
    paths
        .into_iter()
        .map(|p| {
            let bytes =
                std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (p, bytes)
        })
        .collect()
}

/// About `parts` evenly spread cut points of an input of `len` bytes:
/// `0, step, 2·step, ...` below `len`, with `step = max(len / parts, 1)`.
pub fn cuts(len: usize, parts: usize) -> impl Iterator<Item = usize> {
    (0..len).step_by((len / parts.max(1)).max(1))
}
