//! Shared helpers for the integration tests: LLVM 14 as an oracle, and the
//! corpus at the repository root.

#![allow(dead_code)]

#[allow(unused_imports)]
pub use airlink_test_support::{corpus_files, llvm_as, llvm_dis, repo_root};

/// `llvm-dis-14(llvm-as-14(text))` without the lines that depend on how the
/// input was named (`; ModuleID`, `source_filename`).
pub fn llvm_roundtrip(text: &str) -> Result<String, String> {
    let bc = llvm_as(text)?;
    let dis = llvm_dis(&bc)?;
    Ok(dis
        .lines()
        .filter(|l| !l.starts_with("; ModuleID") && !l.starts_with("source_filename"))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A unified-ish diff of two texts: the first differing lines with context.
pub fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!(
                "line {}:\n  expected: {}\n  actual:   {}",
                i + 1,
                x.unwrap_or(&"<end>"),
                y.unwrap_or(&"<end>")
            );
        }
    }
    "no difference".to_string()
}
