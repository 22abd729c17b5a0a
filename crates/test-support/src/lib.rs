//! Test helpers shared by the workspace's integration tests: where the
//! repository and its corpus are, and how to run the LLVM 14 tools that
//! serve as the oracle. Every helper fails loudly when what it needs is
//! missing: an oracle test must never pass without its oracle.

#![deny(missing_docs)]

pub mod damage;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

/// Path of the LLVM 14 tool `name` (`llvm-as` → `llvm-as-14`). Panics with
/// install instructions when it is not on `PATH`.
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

/// Runs LLVM 14 tool `tool` with `args` and `input` on stdin; returns stdout,
/// or the tool's stderr as the error.
pub fn run_tool(tool: &str, args: &[&str], input: &[u8]) -> Result<Vec<u8>, String> {
    let mut child = Command::new(llvm_tool(tool))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {tool}: {e}"))?;
    // Write on a thread so a large output cannot deadlock against our write.
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
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
        Err(format!(
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `llvm-as-14 -preserve-bc-uselistorder=false` on text read from stdin
/// (Apple's writer never writes use-lists).
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
