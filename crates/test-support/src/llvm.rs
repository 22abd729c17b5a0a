//! The LLVM 14 tools as the oracle: one runner per tool, each taking its
//! input as bytes on standard input or as a file ([`Input`]) and giving the
//! tool's output, or its diagnostics as the error.
//!
//! # Finding the tools
//!
//! In this order, the first place that has `llvm-as` wins, and every tool
//! is then taken from there:
//!
//! 1. the directory named by the environment variable [`LLVM_DIR_VAR`]
//!    (`AIRLINK_LLVM_DIR`), as `NAME-14` or plain `NAME` (Homebrew's
//!    `llvm@14` installs them without the suffix);
//! 2. `NAME-14` on `PATH` (Debian and Ubuntu's `llvm-14` package);
//! 3. Debian's `/usr/lib/llvm-14/bin` and Homebrew's `llvm@14` keg
//!    (`/opt/homebrew/opt/llvm@14/bin`, `/usr/local/opt/llvm@14/bin`), as
//!    plain `NAME`.
//!
//! When none has them, a test that needs the oracle panics with one
//! message that says how to install them ([`MISSING_TOOLS`]), so an oracle
//! test cannot pass without its oracle.
//!
//! # Which release
//!
//! Any LLVM 14.x is accepted. The release shows in the bytes `llvm-as`
//! writes (the IDENTIFICATION string `LLVM14.0.N` and the irsymtab
//! producer `14.0.N`), so [`llvm_version`] reads it from a module the
//! installed `llvm-as` wrote, and byte-for-byte tests pass it to our
//! writer (`air_bitcode::WriteOptions::producer`), whose default is
//! 14.0.6.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The environment variable naming a directory that holds the LLVM 14
/// tools (`llvm-as-14` or `llvm-as`, ...), for installs whose tools are
/// not `NAME-14` on `PATH`.
pub const LLVM_DIR_VAR: &str = "AIRLINK_LLVM_DIR";

/// What a test that needs the oracle says when the tools are missing.
pub const MISSING_TOOLS: &str = "\
the LLVM 14 tools (llvm-as, llvm-dis, llvm-bcanalyzer) are not installed; the oracle tests need them.
  Debian/Ubuntu: apt-get install -y llvm-14   (installs llvm-as-14, ... on PATH)
  macOS:         brew install llvm@14 && export AIRLINK_LLVM_DIR=\"$(brew --prefix llvm@14)/bin\"
                 (Homebrew's tools have no -14 suffix)
  elsewhere:     export AIRLINK_LLVM_DIR=<directory with llvm-as-14 or llvm-as of any LLVM 14.x>";

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

/// Where the tools are: a directory, and whether their names carry the
/// `-14` suffix.
#[derive(Clone, Debug)]
struct Tools {
    dir: PathBuf,
    suffixed: bool,
}

impl Tools {
    fn path(&self, name: &str) -> PathBuf {
        if self.suffixed {
            self.dir.join(format!("{name}-14"))
        } else {
            self.dir.join(name)
        }
    }
}

/// The places tried after `PATH`, for plain `NAME` tools.
const KNOWN_DIRS: [&str; 3] = [
    "/usr/lib/llvm-14/bin",
    "/opt/homebrew/opt/llvm@14/bin",
    "/usr/local/opt/llvm@14/bin",
];

/// Where `llvm-as` is (see the module documentation), or why not.
fn find_tools() -> Result<Tools, String> {
    find_tools_in(
        std::env::var_os(LLVM_DIR_VAR),
        std::env::var_os("PATH"),
        &KNOWN_DIRS,
    )
}

/// [`find_tools`] with the environment's values given.
fn find_tools_in(
    llvm_dir: Option<std::ffi::OsString>,
    path: Option<std::ffi::OsString>,
    known_dirs: &[&str],
) -> Result<Tools, String> {
    let has = |dir: &Path, file: &str| dir.join(file).is_file();
    if let Some(dir) = llvm_dir.filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        for suffixed in [true, false] {
            let file = if suffixed { "llvm-as-14" } else { "llvm-as" };
            if has(&dir, file) {
                return Ok(Tools { dir, suffixed });
            }
        }
        return Err(format!(
            "{LLVM_DIR_VAR}={} holds neither llvm-as-14 nor llvm-as.\n{MISSING_TOOLS}",
            dir.display()
        ));
    }
    if let Some(paths) = path {
        if let Some(dir) = std::env::split_paths(&paths).find(|d| has(d, "llvm-as-14")) {
            return Ok(Tools {
                dir,
                suffixed: true,
            });
        }
    }
    for dir in known_dirs {
        let dir = PathBuf::from(dir);
        if has(&dir, "llvm-as") {
            return Ok(Tools {
                dir,
                suffixed: false,
            });
        }
    }
    Err(MISSING_TOOLS.to_string())
}

/// The tools, found once per test process; panics with [`MISSING_TOOLS`]
/// when they are missing.
fn tools() -> &'static Tools {
    static TOOLS: OnceLock<Result<Tools, String>> = OnceLock::new();
    match TOOLS.get_or_init(find_tools) {
        Ok(tools) => tools,
        Err(message) => panic!("{message}"),
    }
}

/// Path of the LLVM 14 tool `name` (`llvm-as` → `.../llvm-as-14` or
/// `.../llvm-as`, see the module documentation). Panics with
/// [`MISSING_TOOLS`] when the tools are not installed.
pub fn tool_path(name: &str) -> PathBuf {
    tools().path(name)
}

/// The release of the installed LLVM 14 (`14.0.6`, `14.0.0`, ...), read
/// from the IDENTIFICATION string (`LLVM14.0.N`) of a module the installed
/// `llvm-as` writes, so it is the version in the bytes the tests compare.
/// Panics when the tools are missing or are not LLVM 14.
pub fn llvm_version() -> &'static str {
    static VERSION: OnceLock<Result<String, String>> = OnceLock::new();
    let found = VERSION.get_or_init(|| {
        let bitcode = llvm_as("define void @f() {\n  ret void\n}\n")?;
        let dump = llvm_bcanalyzer_dump(&bitcode)?;
        let producer = producer_in_dump(&dump)
            .ok_or_else(|| format!("no IDENTIFICATION string in llvm-as output:\n{dump}"))?;
        if producer.starts_with("14.") {
            Ok(producer.to_string())
        } else {
            Err(format!(
                "{} is LLVM {producer}, not LLVM 14: the oracle tests compare bytes with LLVM \
                 14's writer.\n{MISSING_TOOLS}",
                tool_path("llvm-as").display()
            ))
        }
    });
    match found {
        Ok(version) => version,
        Err(message) => panic!("{message}"),
    }
}

/// The release in `llvm-bcanalyzer -dump`'s IDENTIFICATION line
/// (`record string = 'LLVM14.0.6'` gives `14.0.6`).
fn producer_in_dump(dump: &str) -> Option<&str> {
    dump.lines()
        .find_map(|l| l.split_once("record string = 'LLVM").map(|(_, v)| v))
        .and_then(|v| v.strip_suffix('\''))
}

/// Panics unless the LLVM 14 tools are installed and are a 14.x release
/// (any x); returns the release ([`llvm_version`]), which byte-for-byte
/// tests give our writer as `air_bitcode::WriteOptions::producer`.
pub fn require_llvm_14() -> &'static str {
    llvm_version()
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
        .map_err(|e| format!("cannot start {}: {e}", tool_path(name).display()))?;
    // Write on a thread so a large output cannot deadlock against our write.
    let mut pipe = child.stdin.take().ok_or("no stdin")?;
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{name} (LLVM 14) failed: {e}"))?;
    let _ = writer.join();
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "{name} (LLVM 14) {args:?} failed: {}",
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
        assert!(e.starts_with("llvm-as (LLVM 14) "), "{e}");
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

    /// The release is read from the bytes the installed llvm-as writes,
    /// and agrees with what the tool says of itself.
    #[test]
    fn the_release_is_read_from_the_tools_bytes() {
        let version = llvm_version();
        assert!(version.starts_with("14."), "{version}");
        let out = Command::new(tool_path("llvm-as"))
            .arg("--version")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&format!("LLVM version {version}")),
            "{version} vs {text}"
        );
        assert_eq!(
            producer_in_dump("  <STRING abbrevid=4 op0=76/> record string = 'LLVM14.0.0'"),
            Some("14.0.0")
        );
        assert_eq!(producer_in_dump("<MODULE_BLOCK>"), None);
    }

    /// AIRLINK_LLVM_DIR finds suffixed and plain tools (Homebrew's), the
    /// suffixed first; a directory without them, or no tools anywhere,
    /// gives the install lines for Debian/Ubuntu and for macOS.
    #[test]
    fn tools_are_found_with_or_without_the_suffix() {
        let real = tool_path("llvm-as");
        let dir = crate::scratch_dir("llvm-dir");
        let plain = dir.join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        std::os::unix::fs::symlink(&real, plain.join("llvm-as")).unwrap();
        let tools = find_tools_in(Some(plain.clone().into()), None, &[]).unwrap();
        assert!(!tools.suffixed);
        assert_eq!(tools.path("llvm-dis"), plain.join("llvm-dis"));
        let out = Command::new(tools.path("llvm-as"))
            .arg("--version")
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&out.stdout).contains("LLVM version 14."));

        std::os::unix::fs::symlink(&real, plain.join("llvm-as-14")).unwrap();
        let tools = find_tools_in(Some(plain.clone().into()), None, &[]).unwrap();
        assert!(tools.suffixed);
        assert_eq!(tools.path("opt"), plain.join("opt-14"));

        // On PATH only the suffixed name counts; then the known places.
        let on_path = find_tools_in(None, Some(plain.clone().into()), &[]).unwrap();
        assert_eq!(
            (on_path.dir.as_path(), on_path.suffixed),
            (plain.as_path(), true)
        );
        let empty = dir.join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let known = [plain.to_str().unwrap()];
        let fallback = find_tools_in(None, Some(empty.clone().into()), &known).unwrap();
        assert!(!fallback.suffixed);

        let e = find_tools_in(Some(empty.clone().into()), None, &[]).unwrap_err();
        assert!(e.starts_with("AIRLINK_LLVM_DIR="), "{e}");
        let e = find_tools_in(None, Some(empty.into()), &[]).unwrap_err();
        assert_eq!(e, MISSING_TOOLS);
        assert!(e.contains("apt-get install -y llvm-14"), "{e}");
        assert!(e.contains("brew install llvm@14"), "{e}");
        assert!(e.contains("AIRLINK_LLVM_DIR"), "{e}");
    }
}
