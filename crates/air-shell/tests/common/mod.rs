//! Helpers shared by the air-shell integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

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

/// Asserts that `llvm-as-14` accepts `text` (run by the shared oracle
/// helper, on stdin: no scratch files); panics with its diagnostics if it
/// rejects the module, or with an install hint if LLVM 14 is missing.
pub fn assert_llvm_as_accepts(text: &str, what: &str) {
    if let Err(e) = airlink_test_support::llvm_as(text) {
        panic!("llvm-as-14 rejects {what}:\n{e}\n{text}");
    }
}

/// Generates the spec `text` (named `t.toml`, inline paths relative to
/// `base`); returns its diagnostics, panicking if it is accepted or fails
/// without any.
pub fn spec_diagnostics(text: &str, base: Option<&Path>) -> Vec<air_shell::Diagnostic> {
    let result = air_shell::Spec::from_toml(text, "t.toml", base)
        .and_then(|spec| air_shell::generate(&spec, &air_shell::Options::default()));
    match result {
        Ok(_) => panic!("the spec was accepted:\n{text}"),
        Err(e) => {
            let d = e.diagnostics().to_vec();
            assert!(!d.is_empty(), "not a spec error: {e}");
            d
        }
    }
}

/// Asserts that `diagnostics` has one containing `message` on `line`.
#[track_caller]
pub fn expect_diagnostic(diagnostics: &[air_shell::Diagnostic], line: usize, message: &str) {
    assert!(
        diagnostics
            .iter()
            .any(|d| d.message.contains(message) && d.pos.map(|p| p.line) == Some(line)),
        "expected `{message}` on line {line}, got:\n{}",
        diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
