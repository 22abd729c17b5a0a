//! Shared helpers: the corpus, LLVM 14 as an encoder and oracle.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `tests/corpus/*.ll`, sorted; an empty corpus must never pass.
pub fn corpus_files() -> Vec<PathBuf> {
    let dir = repo_root().join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read corpus {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .filter(|p| {
            // noncanonical_* files test the printer, not the container.
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("noncanonical_"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "corpus has only {} files", files.len());
    files
}

/// Path of an LLVM 14 tool; tests that need one fail without it.
pub fn llvm_tool(name: &str) -> PathBuf {
    let tool = format!("{name}-14");
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(&tool))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!("{tool} is not installed; these tests need LLVM 14: apt-get install -y llvm-14")
    })
}

/// Runs `tool args` with `input` on stdin; stdout, or stderr as the error.
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
        Err(format!(
            "{tool} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The module entry `llvm-as-14` writes for a module: Darwin wrapper,
/// bitcode and padding (what Apple's writer is, bar four details).
pub fn llvm_as(module: &air_ir::Module) -> Result<Vec<u8>, String> {
    run_tool(
        "llvm-as",
        &["-preserve-bc-uselistorder=false", "-o", "-", "-"],
        air_ir::print(module).as_bytes(),
    )
}

/// `llvm-dis-14` of wrapped bitcode, as text.
pub fn llvm_dis(bitcode: &[u8]) -> String {
    let out = run_tool("llvm-dis", &["-o", "-", "-"], bitcode).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).expect("llvm-dis writes UTF-8")
}

/// Parses and verifies a corpus file.
pub fn load(path: &Path) -> air_ir::Module {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let m = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&m).unwrap_or_else(|e| panic!("{name}: {e}"));
    m
}
