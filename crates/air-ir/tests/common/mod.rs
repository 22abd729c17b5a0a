//! Shared helpers for the integration tests: LLVM 14 as an oracle, and the
//! corpus at the repository root.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `tests/corpus/*.ll`, sorted. Panics when the corpus is missing:
/// an empty corpus must never pass silently.
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

/// Path of an LLVM 14 tool. Panics with install instructions when it is
/// missing: oracle tests must fail, not pass, without their oracle.
pub fn llvm_tool(name: &str) -> PathBuf {
    let tool = format!("{name}-14");
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(&tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{tool} is not installed; the LLVM 14 oracle tests need it.\n\
             Install it with: apt-get update && apt-get install -y llvm-14"
        )
    })
}

/// Runs `tool args` with `input` on stdin; returns stdout or the stderr text.
pub fn run_tool(tool: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(llvm_tool(tool))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {tool}: {e}"))?;
    // Write on a thread so a large output cannot deadlock against our write.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{tool} failed: {e}"))?;
    let _ = writer.join();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `llvm-as-14` on text (with uselist order off, as Apple's writer behaves).
pub fn llvm_as(text: &str) -> Result<Vec<u8>, String> {
    run_tool(
        "llvm-as",
        &["-preserve-bc-uselistorder=false", "-", "-o", "-"],
        text.as_bytes(),
    )
}

/// `llvm-dis-14` on bitcode.
pub fn llvm_dis(bitcode: &[u8]) -> Result<String, String> {
    run_tool("llvm-dis", &["-", "-o", "-"], bitcode)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

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
