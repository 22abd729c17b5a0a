//! Replays the `exec_shell` fuzz target's seed corpus
//! (`fuzz/corpus/exec_shell`: the IR corpus, the generated reference shells
//! and generator seeds) through the target's body: every run ends in a
//! result or an error within the step budget, never a panic or hang.

use std::path::PathBuf;

#[path = "../../../fuzz/fuzz_targets/bodies/exec_shell.rs"]
mod body;

#[test]
fn exec_shell_seeds_run_through_the_fuzz_target() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/exec_shell");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the fuzz seed corpus {} is missing: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 3, "only {} seeds", paths.len());
    let mut completed = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        completed += body::run(&bytes);
    }
    // The seeds are chosen so that real kernels run, not only errors.
    assert!(completed >= 5, "only {completed} runs completed");
}
