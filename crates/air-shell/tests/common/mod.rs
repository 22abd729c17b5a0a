//! Helpers shared by the air-shell integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `examples/specs` of the workspace.
pub fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs")
}

/// Reads and generates an example spec with overrides.
pub fn generate(name: &str, options: &air_shell::Options) -> air_shell::Shell {
    let path = specs_dir().join(name);
    let spec = air_shell::Spec::from_file(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    air_shell::generate(&spec, options).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `llvm-as-14` on `text`; panics with its diagnostics if it rejects
/// the module, or with an install hint if LLVM 14 is missing.
pub fn llvm_as(text: &str, what: &str) {
    // One directory per call, removed below: tests run on several threads
    // of one process, so a shared directory could not be removed safely
    // (it was left behind, one per test run).
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let stem = what.replace(['/', ' '], "_");
    let dir = std::env::temp_dir().join(format!(
        "air-shell-tests-{}-{call}-{stem}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{stem}.ll"));
    std::fs::write(&file, text).unwrap();
    let out = match Command::new("llvm-as-14")
        .arg(&file)
        .arg("-o")
        .arg("/dev/null")
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!(
            "cannot run llvm-as-14 ({e}); LLVM 14 is the test oracle: apt-get install -y llvm-14"
        ),
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "llvm-as-14 rejects {what}:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}
