//! Test helpers shared by the workspace's integration tests: where the
//! repository and its corpus are, the LLVM 14 tools that serve as the
//! oracle ([`llvm`]: the only place tests start them), scratch folders,
//! damaged IR text ([`damage`]) and the fuzz seed corpora ([`seeds`], whose
//! replay through every fuzz target is `tests/fuzz_seeds.rs`). Every helper
//! fails loudly when what it needs is missing: an oracle test must never
//! pass without its oracle.
//!
//! Random test data comes from `air_testgen::Rng`, the one generator of
//! the workspace's tests.

#![deny(missing_docs)]

pub mod damage;
pub mod llvm;
pub mod seeds;

use std::path::{Path, PathBuf};

pub use llvm::{
    compare_bitcode, llvm_accepts, llvm_as, llvm_as_diagnostics, llvm_as_unverified,
    llvm_bcanalyzer_dump, llvm_bcanalyzer_dump_numeric, llvm_dis, llvm_version, opt_verify,
    require_llvm_14, Input,
};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `tests/corpus/*.ll`, sorted. Panics when the corpus is missing or
/// shrank below ten files.
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read corpus {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus has only {} files", files.len());
    files
}

/// A scratch directory for one test, removed when dropped unless the test
/// is failing, so test runs do not pile up directories in the temporary
/// folder (they did: about seventeen per run).
#[derive(Debug)]
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // A failing test's message may point at files in here (the module
        // text of a failed seed, say): keep them for the reader then.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh scratch directory for one test (see [`Scratch`]), named after
/// the process and `name` (unique among the tests of one test binary).
///
/// # Panics
/// When the directory cannot be created.
pub fn scratch_dir(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("airlink-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    Scratch(dir)
}

/// The Apple-built `.metallib` files under the folder that
/// `AIRLINK_APPLE_FIXTURES` names (searched recursively, sorted), for the
/// opt-in tests that read them; `None` after printing the one "skipped"
/// line when the variable is not set. Panics when the folder cannot be read
/// or holds no library (a wrong path should not pass as a skip).
pub fn apple_fixture_libraries() -> Option<Vec<PathBuf>> {
    let Some(dir) = std::env::var_os("AIRLINK_APPLE_FIXTURES") else {
        println!("skipped: AIRLINK_APPLE_FIXTURES not set");
        return None;
    };
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "metallib") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(Path::new(&dir), &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .metallib files under {dir:?}");
    Some(files)
}
