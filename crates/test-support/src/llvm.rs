//! The LLVM 14 tools as the oracle: one runner per tool, each taking its
//! input as bytes on standard input or as a file ([`Input`]) and giving the
//! tool's output, or its diagnostics as the error. The tools are found as
//! `NAME-14` on `PATH`; a missing tool panics with how to install it, so an
//! oracle test cannot pass without its oracle.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The LLVM release byte-for-byte tests need: the producer string in every
/// bitcode file names it, so another release can never match.
pub const REQUIRED_LLVM: &str = "14.0.6";

/// What a tool reads.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// Text or bitcode on standard input; the tool names the module
    /// `<stdin>` (`llvm-as-14` writes that as its `source_filename`).
    Stdin(&'a [u8]),
    /// A file, passed by its name from its own directory, so the module is
    /// named after the file alone (`llvm-as-14 name.ll` writes
    /// `source_filename = "name.ll"`, as our writer does with
    /// `input_path: "name.ll"`).
    File(&'a Path),
}

impl<'a> From<&'a str> for Input<'a> {
    fn from(text: &'a str) -> Self {
        Input::Stdin(text.as_bytes())
    }
}

impl<'a> From<&'a String> for Input<'a> {
    fn from(text: &'a String) -> Self {
        Input::Stdin(text.as_bytes())
    }
}

impl<'a> From<&'a [u8]> for Input<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Input::Stdin(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for Input<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Input::Stdin(bytes)
    }
}

impl<'a> From<&'a Path> for Input<'a> {
    fn from(path: &'a Path) -> Self {
        Input::File(path)
    }
}

impl<'a> From<&'a PathBuf> for Input<'a> {
    fn from(path: &'a PathBuf) -> Self {
        Input::File(path)
    }
}

/// `llvm-as-14 -preserve-bc-uselistorder=false`: text in, bitcode out
/// (Apple's writer never writes use-lists, so neither does the oracle).
///
/// # Errors
/// The tool's diagnostics when it rejects the text.
pub fn llvm_as<'a>(input: impl Into<Input<'a>>) -> Result<Vec<u8>, String> {
    run(
        "llvm-as",
        &["-preserve-bc-uselistorder=false"],
        input.into(),
        true,
    )
}

/// `llvm-as-14 -disable-verify -preserve-bc-uselistorder=false`: text in,
/// bitcode out, without LLVM's verifier (for printing tests of metadata
/// the verifier would reject).
///
/// # Errors
/// The tool's diagnostics when it rejects the text.
pub fn llvm_as_unverified<'a>(input: impl Into<Input<'a>>) -> Result<Vec<u8>, String> {
    run(
        "llvm-as",
        &["-disable-verify", "-preserve-bc-uselistorder=false"],
        input.into(),
        true,
    )
}

/// What `llvm-as-14` prints on standard error for `text` (its verifier's
/// messages, such as the debug-info problems it reports before stripping
/// the debug info), and whether it succeeded.
pub fn llvm_as_diagnostics(text: &str) -> (bool, String) {
    let mut command = Command::new(tool_path("llvm-as"));
    command
        .args(["-", "-o", "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Ok(mut child) = command.spawn() else {
        return (false, "cannot start llvm-as-14".into());
    };
    if let Some(mut pipe) = child.stdin.take() {
        let input = text.as_bytes().to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    match child.wait_with_output() {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        Err(e) => (false, e.to_string()),
    }
}

/// `opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output`: LLVM's
/// own IR verifier on text or bitcode (the triple replaces `air64`'s, which
/// opt has no target for).
///
/// # Errors
/// The tool's diagnostics when the module does not verify.
pub fn opt_verify<'a>(input: impl Into<Input<'a>>) -> Result<(), String> {
    run(
        "opt",
        &["-mtriple=x86_64-apple-macosx", "-verify", "-disable-output"],
        input.into(),
        false,
    )
    .map(|_| ())
}

/// `llvm-dis-14`: bitcode in, text out.
///
/// # Errors
/// The tool's diagnostics when it rejects the bitcode.
pub fn llvm_dis<'a>(input: impl Into<Input<'a>>) -> Result<String, String> {
    run("llvm-dis", &[], input.into(), true).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// `llvm-bcanalyzer-14 -dump`: bitcode in, the dump of its blocks and
/// records out.
///
/// # Errors
/// The tool's diagnostics when it cannot read the bitstream.
pub fn llvm_bcanalyzer_dump<'a>(input: impl Into<Input<'a>>) -> Result<String, String> {
    run("llvm-bcanalyzer", &["-dump"], input.into(), false)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// `llvm-bcanalyzer-14 -dump -non-symbolic`: like [`llvm_bcanalyzer_dump`],
/// but every block line also carries `BlockID=N` and every record line
/// `codeid=N`, so a test can pair the tool's names with the numbers.
///
/// # Errors
/// The tool's diagnostics when it cannot read the bitstream.
pub fn llvm_bcanalyzer_dump_numeric<'a>(input: impl Into<Input<'a>>) -> Result<String, String> {
    run(
        "llvm-bcanalyzer",
        &["-dump", "-non-symbolic"],
        input.into(),
        false,
    )
    .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Whether both LLVM readers accept `bitcode`: `llvm-bcanalyzer-14 -dump`
/// (the bitstream) and `llvm-dis-14` (the module).
///
/// # Errors
/// Which tool rejects it, and why.
pub fn llvm_accepts(bitcode: &[u8]) -> Result<(), String> {
    llvm_bcanalyzer_dump(bitcode).map_err(|e| format!("rejects our output: {e}"))?;
    llvm_dis(bitcode).map_err(|e| format!("rejects our output: {e}"))?;
    Ok(())
}

/// Panics unless `llvm-as-14` is release [`REQUIRED_LLVM`], saying what to
/// do: byte-for-byte comparisons with another release cannot match.
pub fn require_llvm_14_0_6() {
    let out = run_with("llvm-as", &["--version"], b"", None)
        .unwrap_or_else(|e| panic!("llvm-as-14 --version failed: {e}"));
    let text = String::from_utf8_lossy(&out);
    assert!(
        text.contains(&format!("LLVM version {REQUIRED_LLVM}")),
        "the oracle tests need LLVM {REQUIRED_LLVM} (its producer string is part of the bytes); \
         `llvm-as-14 --version` says:\n{text}"
    );
}

/// Path of the LLVM 14 tool `name` (`llvm-as` → `llvm-as-14`). Panics with
/// install instructions when it is not on `PATH`.
fn tool_path(name: &str) -> PathBuf {
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

/// Runs tool `name`: `flags`, then the input (`-` for standard input, or
/// the file's name from its directory), then `-o -` when `output_flag`
/// (`llvm-bcanalyzer` writes to standard output without one).
fn run(name: &str, flags: &[&str], input: Input<'_>, output_flag: bool) -> Result<Vec<u8>, String> {
    let (stdin, cwd, operand): (&[u8], Option<&Path>, &str) = match input {
        Input::Stdin(bytes) => (bytes, None, "-"),
        Input::File(path) => {
            let file = path
                .file_name()
                .and_then(|f| f.to_str())
                .ok_or_else(|| format!("{} names no file", path.display()))?;
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            (b"", dir, file)
        }
    };
    let mut args: Vec<&str> = flags.to_vec();
    args.push(operand);
    if output_flag {
        args.extend(["-o", "-"]);
    }
    run_with(name, &args, stdin, cwd)
}

/// Runs tool `name` with `args`, `stdin` on its standard input, in `cwd`
/// when given; returns standard output, or standard error as the error.
fn run_with(
    name: &str,
    args: &[&str],
    stdin: &[u8],
    cwd: Option<&Path>,
) -> Result<Vec<u8>, String> {
    let mut command = Command::new(tool_path(name));
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = cwd {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {name}-14: {e}"))?;
    // Write on a thread so a large output cannot deadlock against our write.
    let mut pipe = child.stdin.take().ok_or("no stdin")?;
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{name}-14 failed: {e}"))?;
    let _ = writer.join();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "{name}-14 {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// Compares our bitcode with the oracle's, byte for byte. On a difference,
/// the error gives the first differing byte and the first differing line of
/// both `llvm-bcanalyzer-14 -dump`s, which names the block and record.
///
/// # Errors
/// The description of the first difference.
pub fn compare_bitcode(ours: &[u8], theirs: &[u8]) -> Result<(), String> {
    if ours == theirs {
        return Ok(());
    }
    let first = ours
        .iter()
        .zip(theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    let mut message = format!(
        "first difference at byte {first} (lengths: ours {}, llvm-as {})",
        ours.len(),
        theirs.len()
    );
    match (llvm_bcanalyzer_dump(ours), llvm_bcanalyzer_dump(theirs)) {
        (Ok(a), Ok(b)) => {
            if let Some((i, (x, y))) = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y)
            {
                message.push_str(&format!(
                    "\n  dump line {}:\n  ours:    {}\n  llvm-as: {}",
                    i + 1,
                    x.trim(),
                    y.trim()
                ));
            }
        }
        (Err(e), _) => message.push_str(&format!("\n  our output does not read: {e}")),
        (_, Err(e)) => message.push_str(&format!("\n  llvm-as output does not read: {e}")),
    }
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "define i32 @f(i32 %x) {\n  %y = add i32 %x, 1\n  ret i32 %y\n}\n";

    /// Both inputs reach the tool; a file names the module after itself
    /// (llvm-as-14 records it as `source_filename`), standard input does
    /// not.
    #[test]
    fn text_and_file_inputs_assemble_and_name_the_module() {
        let piped = llvm_as(TEXT).unwrap();
        assert!(llvm_dis(&piped)
            .unwrap()
            .contains("source_filename = \"<stdin>\""));
        let dir = crate::scratch_dir("llvm-runner");
        let file = dir.join("named.ll");
        std::fs::write(&file, TEXT).unwrap();
        let named = llvm_as(&file).unwrap();
        let text = llvm_dis(&named).unwrap();
        assert!(text.contains("source_filename = \"named.ll\""), "{text}");
        assert!(text.contains("%y = add i32 %x, 1"), "{text}");
        llvm_accepts(&named).unwrap();
        assert!(llvm_bcanalyzer_dump(&named)
            .unwrap()
            .contains("<MODULE_BLOCK"));
    }

    #[test]
    fn rejected_input_gives_the_tools_diagnostics() {
        let e = llvm_as("define i32 @f( {").unwrap_err();
        assert!(e.starts_with("llvm-as-14 "), "{e}");
        assert!(e.contains("error"), "{e}");
        assert!(llvm_dis(b"not bitcode".as_slice()).is_err());
        let cut = llvm_as(TEXT).unwrap();
        assert!(llvm_accepts(&cut[..cut.len() / 2]).is_err());
    }

    /// The comparison passes only on equal bytes and points at the first
    /// difference.
    #[test]
    fn compare_bitcode_finds_the_first_difference() {
        let a = llvm_as(TEXT).unwrap();
        assert_eq!(compare_bitcode(&a, &a), Ok(()));
        let b = llvm_as(TEXT.replace("1\n", "2\n").as_str()).unwrap();
        let e = compare_bitcode(&a, &b).unwrap_err();
        let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap();
        assert!(
            e.starts_with(&format!("first difference at byte {first} ")),
            "{e}"
        );
        assert!(e.contains("dump line"), "{e}");
    }
}
