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
    let dir = std::env::temp_dir().join(format!("air-shell-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.ll", what.replace(['/', ' '], "_")));
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
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "llvm-as-14 rejects {what}:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}
