//! End-to-end tests of the built `airlink` binary: every command README.md
//! shows, every example in the subcommands' `--help`, the help texts
//! themselves and the main error paths, each compared with an expected
//! output file in `tests/cli/NAME.txt`.
//!
//! # Re-blessing
//!
//! When an output changes on purpose (a help text, a message, a citation),
//! regenerate the expected files with one command and review the diff:
//!
//! ```sh
//! AIRLINK_BLESS=1 cargo test -p airlink --test cli
//! git diff crates/airlink/tests/cli/
//! ```
//!
//! Files change with the inputs they are made from (`tests/corpus`,
//! `examples/specs`) and with the crate version, which the shells carry in
//! `!llvm.ident` (so in their bytes too).
//!
//! Without `AIRLINK_BLESS` every expected file is compared exactly; a case
//! without its file fails (it is never a silent pass), and so does a file
//! no case owns (blessing deletes those). On a mismatch the actual output
//! is written to `target/tmp/airlink-cli-actual/NAME.txt` for `diff -u`.
//!
//! # What a case runs
//!
//! Each case is one command line, written exactly as README.md or `--help`
//! shows it, run by the real binary (`CARGO_BIN_EXE_airlink`) in a scratch
//! directory laid out like the repository: the specs and bodies of
//! `examples/specs`, `examples/gemm` and `examples/attention`, and
//! `tests/corpus/*.ll` are copied there under their own paths, so the
//! examples that name them read the repository's own files. Examples that
//! name files the repository does not have get stand-ins (see
//! [`STAND_INS`]): `kernel.ll` is `tests/corpus/simple_1d.ll` (the simple
//! reverse-linking shell) and `old.ll` is `tests/corpus/system_values.ll`
//! (a macOS 15 triple, so `--retarget` has work to do). `kernel.metallib`,
//! `kernel.bc` and `k.bc` are written by the earlier cases that make them,
//! as a reader following the examples in order would. Cases run in the
//! order of [`cases`]. The error cases read inputs damaged by
//! [`Prepare`] at positions the test knows.
//!
//! A case records its exit status, stdout, stderr and the files it writes:
//! text files inline, binary files as size + sha256 plus a readable form
//! (`airlink inspect` for a `.metallib`, the Darwin wrapper's fields for
//! bitcode). What legitimately varies is masked in one place,
//! [`normalise`].
//!
//! # Why the expected files can be trusted
//!
//! They are produced by the code under test, so every one was read when it
//! was blessed, and [`cross_checks`] checks them against something
//! independent on every run (blessing included), as assertions:
//! - `assemble --emit-bc --flavour llvm14` writes exactly what
//!   `llvm-as-14 -preserve-bc-uselistorder=false` writes for the input;
//! - `fmt` text (from text, from bitcode, from a `.metallib`) and `inspect
//!   --ir` are accepted by `llvm-as-14`, and `llvm-dis-14` prints them as
//!   it prints the module they came from; the shells' `.ll` are accepted by
//!   `llvm-as-14`;
//! - `inspect`: the file size is the file's length, the sections tile the
//!   file, each module is where it says and is a Darwin-wrapped module of
//!   the size it says, every byte in `--dump` is the file's byte at that
//!   offset, the HASH field is a SHA-256 of the module computed here, and
//!   `--extract` writes exactly those bytes;
//! - `--retarget` gives the macOS 26 triple and versions (AIR 2.8, MSL 4.0,
//!   as the corpus README's table lists for macOS 26);
//! - `assemble` of the seed's simple shell warns, in one line, that it
//!   lacks the `SDK Version` flag; the generated shells carry it and,
//!   with it taken out, assemble to the seed's sizes (4308 and 4433
//!   bytes, as README.md says);
//! - `run --trace` cites lines of the module it generated; the command its
//!   note gives writes that module, and each cited line holds the copy,
//!   wait or barrier the trace line names;
//! - the worked example (`examples/conv1d/README.md`): both body modes
//!   meet the hand-written formula, its library and the monolithic one
//!   read back with and without the visible-function reference;
//! - `run`: the `--expect` formulas of the examples are hand-written math,
//!   the printed values of the example without `--expect` are checked
//!   against `3i+7` (the body is `v * 3 + 7`), and the failing expectation's
//!   first mismatches are computed by hand;
//! - the demo's reported sizes are the files' lengths, its modules are read
//!   by `llvm-dis-14`, its specs are the repository's `examples/specs`;
//! - parse and verify errors point at the line and column where the test
//!   damaged the input; usage errors exit with 2, a failed `--expect` with
//!   1, a damaged module's hash with 3; no case panics.
//!
//! Like the workspace's other oracle tests it needs LLVM 14 (`llvm-as-14`,
//! `llvm-dis-14`) and fails, saying how to install it, without. A second
//! test, [`every_readme_and_help_example_is_a_case`], reads README.md and
//! each subcommand's `--help` from the binary and fails when an example
//! has no case here.
//!
//! The expected files were blessed on Linux. `doctor` and `demo` print
//! what the machine has (a GPU on a Mac), so they run only on Linux.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use airlink_test_support::{llvm_as, llvm_dis, repo_root};
use sha2::{Digest, Sha256};

/// The binary under test.
const BIN: &str = env!("CARGO_BIN_EXE_airlink");

/// Files README.md or `--help` examples name that the repository does not
/// have, and the repository file that stands in for each in the scratch
/// directory.
const STAND_INS: &[(&str, &str)] = &[
    // The simple reverse-linking shell: one kernel, a visible-function
    // reference, a 1D async copy; small enough to read in an expected file.
    ("kernel.ll", "tests/corpus/simple_1d.ll"),
    // Triple air64_v27-apple-macosx15.0.0: `--target macos26 --retarget`
    // must rewrite it.
    ("old.ll", "tests/corpus/system_values.ll"),
];

/// How a written file is recorded.
#[derive(Clone, Copy, Debug)]
enum Form {
    /// Size, sha256 and the text itself.
    Text,
    /// Size and sha256 only (text that another case already shows).
    Digest,
    /// Size, sha256 and `airlink inspect` of it.
    Metallib,
    /// Size, sha256 and the Darwin wrapper's fields, read by this test.
    Bitcode,
    /// A directory: every file under it by size and sha256; `.metallib`
    /// files also inspected, `.json` and `.metal` shown as text.
    Tree,
}

/// Inputs an error case needs, made just before it runs.
#[derive(Clone, Copy, Debug)]
enum Prepare {
    /// `bad_parse.ll`: `kernel.ll` with the comma before `5` removed on the
    /// `%group = lshr` line.
    ParseError,
    /// `bad_verify.ll`: `kernel.ll` with the `%group.base` line moved above
    /// the definition of `%group` it uses.
    VerifyError,
    /// `damaged.metallib`: `kernel.metallib` with one bit flipped inside
    /// its module's bitcode.
    DamagedModule,
    /// `badhash.metallib`: `kernel.metallib` with one bit flipped in its
    /// function's HASH (the module itself reads).
    BadHash,
    /// `empty.ll`: an empty file.
    Empty,
    /// `not_utf8.ll` and `not_utf8.toml`: `kernel.ll` and
    /// `examples/specs/simple.toml` with byte 0xff in place of the first
    /// character of line 3.
    NotUtf8,
    /// `bodies/transform.ll`: `examples/specs/simple_transform.ll` with
    /// the `%add` line using an undefined `%product`.
    BadBody,
    /// `examples/specs/escape.toml`: `examples/specs/simple.toml` with its
    /// inline body at `/etc/passwd`.
    InlineOutside,
}

/// One command line and what to record of it.
#[derive(Clone, Debug)]
struct Case {
    /// The expected file is `tests/cli/NAME.txt`.
    name: &'static str,
    /// The command exactly as shown (single quotes as in a POSIX shell; a
    /// leading `cat FILE | ` feeds FILE to standard input).
    cmd: &'static str,
    files: Vec<(&'static str, Form)>,
    prepare: Option<Prepare>,
    linux_only: bool,
}

fn case(name: &'static str, cmd: &'static str) -> Case {
    Case {
        name,
        cmd,
        files: Vec::new(),
        prepare: None,
        linux_only: false,
    }
}

impl Case {
    fn file(mut self, path: &'static str, form: Form) -> Self {
        self.files.push((path, form));
        self
    }
    fn prepare(mut self, p: Prepare) -> Self {
        self.prepare = Some(p);
        self
    }
    fn linux_only(mut self) -> Self {
        self.linux_only = true;
        self
    }
}

/// Every case, in the order they run (later cases read what earlier ones
/// wrote).
fn cases() -> Vec<Case> {
    vec![
        // The help texts and the version.
        case("help", "airlink --help"),
        case("version", "airlink --version"),
        case("help_fmt", "airlink fmt --help"),
        case("help_assemble", "airlink assemble --help"),
        case("help_inspect", "airlink inspect --help"),
        case("help_strip", "airlink strip --help"),
        case("help_shell", "airlink shell --help"),
        case("help_run", "airlink run --help"),
        case("help_demo", "airlink demo --help"),
        case("help_doctor", "airlink doctor --help"),
        // fmt: README ("The command", "airlink fmt") and fmt --help.
        case("fmt", "airlink fmt kernel.ll"),
        case("fmt_to_file", "airlink fmt kernel.ll -o out.ll").file("out.ll", Form::Digest),
        case(
            "fmt_to_canonical",
            "airlink fmt kernel.ll -o kernel.canonical.ll",
        )
        .file("kernel.canonical.ll", Form::Digest),
        case("fmt_stdin", "cat kernel.ll | airlink fmt -"),
        // assemble: README and assemble --help.
        case(
            "assemble",
            "airlink assemble kernel.ll -o kernel.metallib",
        )
        .file("kernel.metallib", Form::Metallib),
        case(
            "assemble_bc_readme",
            "airlink assemble kernel.ll --emit-bc k.bc --flavour llvm14",
        )
        .file("k.bc", Form::Bitcode),
        case(
            "assemble_bc",
            "airlink assemble kernel.ll --emit-bc kernel.bc --flavour llvm14",
        )
        .file("kernel.bc", Form::Bitcode),
        case(
            "assemble_retarget",
            "airlink assemble old.ll -o k.metallib --target macos26 --retarget",
        )
        .file("k.metallib", Form::Metallib),
        // fmt of the files assemble wrote: fmt --help.
        case("fmt_bc", "airlink fmt kernel.bc"),
        case("fmt_metallib", "airlink fmt kernel.metallib"),
        // inspect: README and inspect --help.
        case("inspect", "airlink inspect kernel.metallib"),
        case("inspect_dump", "airlink inspect kernel.metallib --dump"),
        case(
            "inspect_extract_ir",
            "airlink inspect kernel.metallib --extract modules/ --ir",
        )
        .file("modules/reverse_kernel.bc", Form::Bitcode),
        // strip: README and strip --help. The library has no sources or
        // reflection, so both write it back unchanged (checked below).
        case(
            "strip",
            "airlink strip kernel.metallib -o kernel.stripped.metallib",
        )
        .file("kernel.stripped.metallib", Form::Digest),
        case(
            "strip_sources_reflection",
            "airlink strip kernel.metallib -o kernel.stripped.metallib --sources --reflection",
        )
        .file("kernel.stripped.metallib", Form::Digest),
        // --all re-encodes only modules with debug info; this one has none.
        case(
            "strip_all",
            "airlink strip kernel.metallib -o kernel.stripped.metallib --all",
        )
        .file("kernel.stripped.metallib", Form::Digest),
        // shell: README, shell --help.
        case(
            "shell_readme",
            "airlink shell examples/specs/simple.toml -o simple.metallib --emit-msl simple.metal --manifest simple.json",
        )
        .file("simple.metallib", Form::Metallib)
        .file("simple.metal", Form::Text)
        .file("simple.json", Form::Text),
        case(
            "shell",
            "airlink shell examples/specs/simple.toml --emit-ll simple.ll --emit-msl simple.metal --manifest simple.json",
        )
        .file("simple.ll", Form::Text)
        .file("simple.metal", Form::Digest)
        .file("simple.json", Form::Digest),
        case(
            "shell_copy_2d_inline_cooperative",
            "airlink shell examples/specs/copy_2d.toml --body inline --fallback cooperative",
        ),
        // run: README and run --help.
        case(
            "run_readme",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src=128:i+1 --buffer dst=128 --expect 'dst=src*3+7~0.01'",
        ),
        case(
            "run_simple",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src=128:i+1 --buffer dst=128 --expect 'dst=(i+1)*3+7~0.01'",
        ),
        case(
            "run_multi_buffer",
            "airlink run examples/specs/multi_buffer.toml --grid 1024 --body inline --buffer A=1024:i+1 --buffer 'B=1024:0.5*i+0.1' --buffer C=1024 --expect 'C=A*B+42~0.1'",
        ),
        case(
            "run_copy_2d",
            "airlink run examples/specs/copy_2d.toml --grid 32 --buffer 'src=128:100*floor(i/16)+i%16' --buffer dst=128:-1 --expect 'dst=select(i%16<4, src*10, -1)~0.1'",
        ),
        case(
            "run_corpus_link",
            "airlink run tests/corpus/simple_1d.ll --grid 128 --threadgroup 32 --link examples/specs/simple_transform.ll --buffer src=128:i --buffer dst=128",
        ),
        // run: the READMEs of examples/gemm and examples/attention (their
        // --expect values are worked out there: C = K for ones, and with
        // Q = 0 every row of O is the mean of V's rows, (77 - 1) / 2).
        case(
            "run_gemm_readme",
            "airlink run examples/gemm/gemm_f32.toml --body inline --grid 1536 --buffer A=13000:1 --buffer B=9360:1 --buffer C=7200 --buffer 'M=[100]' --buffer 'N=[72]' --buffer 'K=[130]' --expect C=130",
        ),
        case(
            "run_gemm_f16_visible_readme",
            "airlink run examples/gemm/gemm_f16.toml --grid 1536 --link examples/gemm/gemm_tile_f16.ll --link examples/gemm/gemm_store.ll --buffer A=13000:1 --buffer B=9360:0.5 --buffer C=7200 --buffer 'M=[100]' --buffer 'N=[72]' --buffer 'K=[130]' --expect C=65",
        ),
        case(
            "run_attention_readme",
            "airlink run examples/attention/attention_f32.toml --body inline --grid 384 --buffer Q=4928:0 --buffer K=4928:0 --buffer 'V=4928:floor(i/64)' --buffer O=4928 --buffer 'S=[77]' --expect 'O=38~1e-5'",
        ),
        case(
            "run_attention_visible_readme",
            "airlink run examples/attention/attention_f32.toml --grid 384 --link examples/attention/attn_block_f32.ll --link examples/attention/attn_finish_f32.ll --buffer Q=4928:0 --buffer K=4928:0 --buffer 'V=4928:floor(i/64)' --buffer O=4928 --buffer 'S=[77]' --expect 'O=38~1e-5'",
        ),
        case(
            "run_conv1d_help",
            "airlink run examples/conv1d/conv1d.toml --grid 128 --buffer 'x=132:i%7' --buffer 'taps=[0.0625, 0.25, 0.375, 0.25, 0.0625]' --scalar bias=0.5 --buffer y=128",
        ),
        // Not an example, but the one way to see the copy engine's work.
        // Positions cite the generated module, which the last line says
        // how to write (the cross-checks run that command).
        case(
            "run_trace",
            "airlink run examples/specs/copy_2d.toml --grid 32 --buffer src=128:i --buffer dst=128 --trace",
        ),
        // The worked example: examples/conv1d/README.md, in its order.
        case(
            "conv1d_shell",
            "airlink shell examples/conv1d/conv1d.toml -o conv1d.metallib --emit-msl conv1d_prototypes.metal --manifest conv1d.json",
        )
        .file("conv1d.metallib", Form::Metallib)
        .file("conv1d_prototypes.metal", Form::Text)
        .file("conv1d.json", Form::Text),
        case(
            "conv1d_run",
            "airlink run examples/conv1d/conv1d.toml --grid 128 --buffer 'x=132:i%7' --buffer 'taps=[0.0625, 0.25, 0.375, 0.25, 0.0625]' --scalar bias=0.5 --buffer y=128 --expect 'y=0.5 + 0.0625*(i%7) + 0.25*((i+1)%7) + 0.375*((i+2)%7) + 0.25*((i+3)%7) + 0.0625*((i+4)%7)~0.0001'",
        ),
        case(
            "conv1d_run_inline",
            "airlink run examples/conv1d/conv1d.toml --body inline --grid 128 --buffer 'x=132:i%7' --buffer 'taps=[0.0625, 0.25, 0.375, 0.25, 0.0625]' --scalar bias=0.5 --buffer y=128 --expect 'y=0.5 + 0.0625*(i%7) + 0.25*((i+1)%7) + 0.375*((i+2)%7) + 0.25*((i+3)%7) + 0.0625*((i+4)%7)~0.0001'",
        ),
        case(
            "conv1d_shell_inline",
            "airlink shell examples/conv1d/conv1d.toml --body inline -o conv1d_monolithic.metallib",
        )
        .file("conv1d_monolithic.metallib", Form::Metallib),
        case(
            "conv1d_shell_for_swift",
            "airlink shell examples/conv1d/conv1d.toml -o conv1d.metallib --manifest conv1d.json",
        )
        .file("conv1d.metallib", Form::Digest)
        .file("conv1d.json", Form::Digest),
        // demo and doctor: README. The demo writes under target/ of the
        // scratch directory.
        case("demo", "airlink demo")
            .file("target/airlink-demo", Form::Tree)
            .linux_only(),
        case("doctor", "airlink doctor").linux_only(),
        // Error paths: missing files (exit 1).
        case("error_missing_fmt", "airlink fmt missing.ll"),
        case(
            "error_missing_assemble",
            "airlink assemble missing.ll -o missing.metallib",
        ),
        case("error_missing_inspect", "airlink inspect missing.metallib"),
        // The cause once (it was printed twice).
        case("error_missing_shell", "airlink shell missing.toml"),
        case("error_missing_run", "airlink run missing.ll --grid 1"),
        // Parse and verify errors: file:line:col, the line, a caret (exit 1).
        case("error_parse_fmt", "airlink fmt bad_parse.ll").prepare(Prepare::ParseError),
        case(
            "error_parse_assemble",
            "airlink assemble bad_parse.ll -o bad.metallib",
        ),
        case("error_verify_fmt", "airlink fmt bad_verify.ll").prepare(Prepare::VerifyError),
        case(
            "error_verify_assemble",
            "airlink assemble bad_verify.ll -o bad.metallib",
        ),
        // Inputs of the wrong kind (exit 1).
        case("error_inspect_text", "airlink inspect kernel.ll"),
        case("error_strip_text", "airlink strip kernel.ll -o bad.metallib"),
        // A TOML file: said to be a spec, with the command that reads it
        // (it was an IR parse error about attribute groups).
        case("error_fmt_toml", "airlink fmt examples/specs/simple.toml"),
        case(
            "error_triple_mismatch",
            "airlink assemble old.ll -o bad.metallib --target macos26",
        ),
        // Messages name the file, the line and the byte (they did not).
        case("error_run_empty", "airlink run empty.ll --grid 1").prepare(Prepare::Empty),
        case("error_run_not_utf8", "airlink run not_utf8.ll --grid 1")
            .prepare(Prepare::NotUtf8),
        case("error_shell_not_utf8", "airlink shell not_utf8.toml"),
        case(
            "error_run_link_parse",
            "airlink run tests/corpus/simple_1d.ll --grid 128 --link bodies/transform.ll --buffer src=128:i --buffer dst=128",
        )
        .prepare(Prepare::BadBody),
        // An error inside the module generated from a spec says where
        // that module comes from.
        case(
            "error_run_spec_generated",
            "airlink run examples/specs/copy_2d.toml --grid 32 --buffer src=1 --buffer dst=128",
        ),
        // A spec may name only files in its own folder; the file's
        // contents never appear in the error.
        case("error_shell_inline_outside", "airlink shell examples/specs/escape.toml")
            .prepare(Prepare::InlineOutside),
        case(
            "error_run_buffer_missing",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src=128:i+1",
        ),
        case(
            "error_run_scalar_missing",
            "airlink run examples/conv1d/conv1d.toml --grid 128 --buffer 'x=132:i%7' --buffer 'taps=[0.0625, 0.25, 0.375, 0.25, 0.0625]' --buffer y=128",
        ),
        // A visible function nothing defines: the shell alone, no --link.
        case(
            "error_run_unresolved_visible",
            "airlink run tests/corpus/simple_1d.ll --grid 128 --buffer src=128:i --buffer dst=128",
        ),
        // Usage errors (exit 2).
        case("usage_no_input", "airlink fmt"),
        case("usage_no_output", "airlink assemble kernel.ll"),
        case("usage_strip_no_output", "airlink strip kernel.metallib"),
        case("usage_unknown_subcommand", "airlink frobnicate"),
        case(
            "usage_bad_flavour",
            "airlink assemble kernel.ll -o bad.metallib --flavour llvm15",
        ),
        case("usage_no_grid", "airlink run examples/specs/simple.toml"),
        // Bad option values are usage errors (they were exit 1).
        case(
            "usage_unknown_target",
            "airlink assemble kernel.ll -o bad.metallib --target macos9",
        ),
        case(
            "usage_bad_grid",
            "airlink run examples/specs/simple.toml --grid abc --buffer src=128 --buffer dst=128",
        ),
        case(
            "usage_threadgroup_zero",
            "airlink run examples/specs/simple.toml --grid 128 --threadgroup 0 --buffer src=128 --buffer dst=128",
        ),
        case(
            "usage_buffer_no_init",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src",
        ),
        case(
            "usage_expect_bad_expression",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src=128 --buffer dst=128 --expect 'dst=(i+1'",
        ),
        // A failed expectation (exit 1).
        case(
            "run_expect_fails",
            "airlink run examples/specs/simple.toml --grid 128 --buffer src=128:i+1 --buffer dst=128 --expect 'dst=src*3+8~0.01'",
        ),
        // A module whose HASH does not match (exit 3): inspect, fmt and run
        // do their work, then say so (fmt and run said nothing).
        case("inspect_hash_bad", "airlink inspect damaged.metallib")
            .prepare(Prepare::DamagedModule),
        case("fmt_hash_bad", "airlink fmt badhash.metallib").prepare(Prepare::BadHash),
        case(
            "run_hash_bad",
            "airlink run badhash.metallib --grid 128 --link examples/specs/simple_transform.ll --buffer src=128:i --buffer dst=128",
        ),
    ]
}

/// What one run gave, before normalising.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The recorded files' bytes as they were right after the run.
    files: BTreeMap<String, Vec<u8>>,
}

impl Run {
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli")
}

fn bless() -> bool {
    std::env::var_os("AIRLINK_BLESS").is_some_and(|v| v != "0" && !v.is_empty())
}

#[test]
fn cli_outputs_match_their_expected_files() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("airlink-cli");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    set_up_scratch(&scratch);
    // Canonical form, so the path-masking in `normalise` sees the same
    // spelling the binary prints.
    let scratch = scratch.canonicalize().unwrap();

    let all = cases();
    let mut names = std::collections::HashSet::new();
    for c in &all {
        assert!(names.insert(c.name), "two cases are named {}", c.name);
    }
    let on_linux = cfg!(target_os = "linux");
    let mut runs: BTreeMap<&str, Run> = BTreeMap::new();
    let mut failures = Vec::new();
    let actual_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("airlink-cli-actual");
    let _ = std::fs::remove_dir_all(&actual_dir);
    for c in &all {
        if c.linux_only && !on_linux {
            eprintln!("{}: skipped (its output depends on the OS)", c.name);
            continue;
        }
        if let Some(p) = c.prepare {
            prepare(&scratch, p);
        }
        let run = run_case(&scratch, c);
        let record = render(c, &run, &scratch);
        let path = expected_dir().join(format!("{}.txt", c.name));
        if bless() {
            std::fs::create_dir_all(expected_dir()).unwrap();
            std::fs::write(&path, &record).unwrap();
        } else {
            match std::fs::read_to_string(&path) {
                Err(_) => failures.push(format!(
                    "{}: no expected output {} (run with AIRLINK_BLESS=1 and review it)",
                    c.name,
                    path.display()
                )),
                Ok(expected) if expected != record => {
                    std::fs::create_dir_all(&actual_dir).unwrap();
                    let actual = actual_dir.join(format!("{}.txt", c.name));
                    std::fs::write(&actual, &record).unwrap();
                    failures.push(format!(
                        "{}: output differs from the expected file, first at {}\n    diff -u {} {}",
                        c.name,
                        first_difference(&expected, &record),
                        path.display(),
                        actual.display()
                    ));
                }
                Ok(_) => {}
            }
        }
        runs.insert(c.name, run);
    }

    // Expected files no case owns: stale after a rename.
    for entry in std::fs::read_dir(expected_dir()).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.extension().is_some_and(|e| e == "txt") && !names.contains(stem.as_str()) {
            if bless() {
                std::fs::remove_file(&path).unwrap();
                eprintln!("removed {}: no case owns it", path.display());
            } else {
                failures.push(format!("{}: no case owns this file", path.display()));
            }
        }
    }

    cross_checks(&scratch, &runs);

    assert!(
        failures.is_empty(),
        "{} problem(s) in {} cases:\n{}\nRe-bless with AIRLINK_BLESS=1 cargo test -p airlink --test cli, then review git diff.",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Copies the repository's example specs and corpus under their own paths,
/// and the stand-ins under the names the examples use.
fn set_up_scratch(scratch: &Path) {
    let root = repo_root();
    for dir in [
        "examples/specs",
        "examples/conv1d",
        "examples/gemm",
        "examples/attention",
        "tests/corpus",
    ] {
        std::fs::create_dir_all(scratch.join(dir)).unwrap();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str());
            if matches!(ext, Some("ll" | "toml" | "metal")) {
                std::fs::copy(&path, scratch.join(dir).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    for (name, source) in STAND_INS {
        std::fs::copy(root.join(source), scratch.join(name)).unwrap();
    }
}

/// The line of `kernel.ll` the parse and verify errors are made from.
const DAMAGED_LINE: &str = "  %group = lshr i32 %tid, 5";
/// The line that uses it.
const USING_LINE: &str = "  %group.base = shl i32 %group, 5";

fn prepare(scratch: &Path, what: Prepare) {
    match what {
        Prepare::ParseError => {
            let text = std::fs::read_to_string(scratch.join("kernel.ll")).unwrap();
            assert_eq!(text.matches(DAMAGED_LINE).count(), 1);
            let bad = text.replace(DAMAGED_LINE, "  %group = lshr i32 %tid 5");
            std::fs::write(scratch.join("bad_parse.ll"), bad).unwrap();
        }
        Prepare::VerifyError => {
            let text = std::fs::read_to_string(scratch.join("kernel.ll")).unwrap();
            let both = format!("{DAMAGED_LINE}\n{USING_LINE}\n");
            assert_eq!(text.matches(&both).count(), 1);
            let bad = text.replace(&both, &format!("{USING_LINE}\n{DAMAGED_LINE}\n"));
            std::fs::write(scratch.join("bad_verify.ll"), bad).unwrap();
        }
        Prepare::DamagedModule => {
            let mut lib = std::fs::read(scratch.join("kernel.metallib")).unwrap();
            let modules = wrapped_modules(&lib);
            assert_eq!(modules.len(), 1, "kernel.metallib has one module");
            let (start, _) = modules[0];
            // Past the 20-byte wrapper header and the bitcode magic: a bit
            // of the module's content, which the container does not parse.
            lib[start + 20 + 100] ^= 0x10;
            std::fs::write(scratch.join("damaged.metallib"), lib).unwrap();
        }
        Prepare::BadHash => {
            let mut lib = std::fs::read(scratch.join("kernel.metallib")).unwrap();
            // The HASH tag: its code, a 2-byte length (32), the digest.
            let at = lib
                .windows(4)
                .position(|w| w == b"HASH")
                .expect("a HASH tag");
            assert_eq!(&lib[at + 4..at + 6], &32u16.to_le_bytes());
            lib[at + 6] ^= 0x01;
            std::fs::write(scratch.join("badhash.metallib"), lib).unwrap();
        }
        Prepare::Empty => std::fs::write(scratch.join("empty.ll"), "").unwrap(),
        Prepare::NotUtf8 => {
            for (from, to) in [
                ("kernel.ll", "not_utf8.ll"),
                ("examples/specs/simple.toml", "not_utf8.toml"),
            ] {
                let mut bytes = std::fs::read(scratch.join(from)).unwrap();
                let line3 = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .nth(1)
                    .unwrap()
                    .0
                    + 1;
                bytes[line3] = 0xff;
                std::fs::write(scratch.join(to), bytes).unwrap();
            }
        }
        Prepare::BadBody => {
            let text = std::fs::read_to_string(scratch.join("examples/specs/simple_transform.ll"))
                .unwrap();
            let line = "  %add = fadd fast float %mul, 7.000000e+00";
            assert_eq!(text.matches(line).count(), 1);
            let bad = text.replace(line, "  %add = fadd fast float %product, 7.000000e+00");
            std::fs::create_dir_all(scratch.join("bodies")).unwrap();
            std::fs::write(scratch.join("bodies/transform.ll"), bad).unwrap();
        }
        Prepare::InlineOutside => {
            let text = std::fs::read_to_string(scratch.join("examples/specs/simple.toml")).unwrap();
            let line = "inline = \"simple_transform.ll\"";
            assert_eq!(text.matches(line).count(), 1);
            let bad = text.replace(line, "inline = \"/etc/passwd\"");
            std::fs::write(scratch.join("examples/specs/escape.toml"), bad).unwrap();
        }
    }
}

/// Splits a command as a POSIX shell would for the quoting the examples
/// use: blanks separate words, single quotes protect blanks.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let (mut in_word, mut quoted) = (false, false);
    for ch in s.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    assert!(!quoted, "unbalanced quote in {s}");
    if in_word {
        words.push(word);
    }
    words
}

fn run_case(scratch: &Path, c: &Case) -> Run {
    let (stdin_file, cmd) = match c.cmd.split_once(" | ") {
        Some((cat, rest)) => {
            let w = shell_words(cat);
            assert!(
                w.len() == 2 && w[0] == "cat",
                "{}: only `cat F |` pipes",
                c.name
            );
            (Some(scratch.join(&w[1])), rest)
        }
        None => (None, c.cmd),
    };
    let words = shell_words(cmd);
    assert_eq!(words[0], "airlink", "{}: not an airlink command", c.name);
    let stdin = match stdin_file {
        Some(f) => Stdio::from(std::fs::File::open(f).unwrap()),
        None => Stdio::null(),
    };
    let out = Command::new(BIN)
        .args(&words[1..])
        .current_dir(scratch)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .stdin(stdin)
        .output()
        .unwrap_or_else(|e| panic!("{}: cannot run {BIN}: {e}", c.name));
    let mut files = BTreeMap::new();
    for (path, form) in &c.files {
        let full = scratch.join(path);
        if let Form::Tree = form {
            for f in files_under(&full) {
                let rel = f
                    .strip_prefix(scratch)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel, std::fs::read(&f).unwrap());
            }
        } else {
            let bytes = std::fs::read(&full)
                .unwrap_or_else(|e| panic!("{}: {path} was not written: {e}", c.name));
            files.insert(path.to_string(), bytes);
        }
    }
    Run {
        // A signal (no code) shows as -1; the panic check below also sees it.
        status: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: out.stderr,
        files,
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The one place where output that legitimately varies is masked:
/// - the scratch directory's absolute path becomes `<scratch>` and the
///   repository's `<repo>` (no case should print either; if one does, the
///   expected file shows where);
/// - the version line `airlink X.Y.Z` becomes `airlink <version>`;
/// - a duration, a decimal number followed by ` ms`, becomes `<t> ms`
///   (the demo times each shell).
fn normalise(text: &str, scratch: &Path) -> String {
    let mut s = text.replace(&scratch.to_string_lossy().into_owned(), "<scratch>");
    if let Ok(root) = repo_root().canonicalize() {
        s = s.replace(&root.to_string_lossy().into_owned(), "<repo>");
    }
    s = s.replace(
        &format!("airlink {}", env!("CARGO_PKG_VERSION")),
        "airlink <version>",
    );
    mask_durations(&s)
}

fn mask_durations(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(" ms") {
        let (head, tail) = rest.split_at(i);
        let after = &tail[3..];
        let number_start = head
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
        let number = &head[number_start..];
        let ends_word = after.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if number.contains('.') && number.chars().any(|c| c.is_ascii_digit()) && ends_word {
            out.push_str(&head[..number_start]);
            out.push_str("<t>");
        } else {
            out.push_str(head);
        }
        out.push_str(" ms");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The expected-file text of one run.
fn render(c: &Case, run: &Run, scratch: &Path) -> String {
    let mut s = String::new();
    writeln!(s, "$ {}", c.cmd).unwrap();
    writeln!(s, "status: {}", run.status).unwrap();
    s.push_str("--- stdout\n");
    s.push_str(&text_block(&run.stdout, scratch));
    s.push_str("--- stderr\n");
    s.push_str(&text_block(&run.stderr, scratch));
    for (path, form) in &c.files {
        if let Form::Tree = form {
            for (p, bytes) in run.files.range(path.to_string()..) {
                if !p.starts_with(path) {
                    break;
                }
                let form = match p.rsplit('.').next() {
                    Some("metallib") => Form::Metallib,
                    Some("json" | "metal") => Form::Text,
                    _ => Form::Digest,
                };
                render_file(&mut s, p, form, bytes, scratch);
            }
        } else {
            render_file(&mut s, path, *form, &run.files[*path], scratch);
        }
    }
    s
}

fn render_file(s: &mut String, path: &str, form: Form, bytes: &[u8], scratch: &Path) {
    writeln!(
        s,
        "--- file {path}: {} bytes, sha256 {}",
        bytes.len(),
        hex(Sha256::digest(bytes))
    )
    .unwrap();
    match form {
        Form::Digest | Form::Tree => {}
        Form::Text => s.push_str(&text_block(bytes, scratch)),
        Form::Metallib => {
            let out = Command::new(BIN)
                .arg("inspect")
                .arg(path)
                .current_dir(scratch)
                .output()
                .unwrap();
            writeln!(
                s,
                "(airlink inspect {path}: exit status {})",
                out.status.code().unwrap_or(-1)
            )
            .unwrap();
            s.push_str(&text_block(&out.stdout, scratch));
            s.push_str(&text_block(&out.stderr, scratch));
        }
        Form::Bitcode => match darwin_wrapper(bytes) {
            Some(w) => writeln!(
                s,
                "Darwin wrapper: version {}, bitcode at offset {} ({} bytes), cputype {:#x}; bitcode magic {}",
                w.version,
                w.offset,
                w.size,
                w.cputype,
                bytes
                    .get(w.offset..w.offset + 4)
                    .map_or("missing".to_string(), hex)
            )
            .unwrap(),
            None => writeln!(
                s,
                "no Darwin wrapper; starts with {}",
                hex(&bytes[..bytes.len().min(4)])
            )
            .unwrap(),
        },
    }
}

/// Output as text, normalised; a missing final newline is marked as diff
/// marks it, so it cannot hide.
fn text_block(bytes: &[u8], scratch: &Path) -> String {
    let mut s = match std::str::from_utf8(bytes) {
        Ok(t) => normalise(t, scratch),
        Err(e) => format!(
            "(not UTF-8 at byte {}; shown lossily)\n{}",
            e.valid_up_to(),
            normalise(&String::from_utf8_lossy(bytes), scratch)
        ),
    };
    if !s.is_empty() && !s.ends_with('\n') {
        s.push_str("\n\\ no newline at end\n");
    }
    s
}

fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            return format!(
                "line {}:\n    expected: {}\n    actual:   {}",
                i + 1,
                x.unwrap_or(&"<end>"),
                y.unwrap_or(&"<end>")
            );
        }
    }
    "the end (a trailing newline)".to_string()
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The fields of a Darwin bitcode wrapper header (magic 0x0B17C0DE, then
/// version, offset, size and cputype, each a little-endian u32).
struct Wrapper {
    version: u32,
    offset: usize,
    size: usize,
    cputype: u32,
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn darwin_wrapper(b: &[u8]) -> Option<Wrapper> {
    if le32(b, 0)? != 0x0B17_C0DE {
        return None;
    }
    Some(Wrapper {
        version: le32(b, 4)?,
        offset: le32(b, 8)? as usize,
        size: le32(b, 12)? as usize,
        cputype: le32(b, 16)?,
    })
}

/// Where the Darwin-wrapped modules are in `file`, found by their magic
/// (not through airlink's container reader): `(start, length)` with the
/// length the wrapper's own offset + size, padded to 16 bytes.
fn wrapped_modules(file: &[u8]) -> Vec<(usize, usize)> {
    let magic = 0x0B17_C0DEu32.to_le_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = file[at..].windows(4).position(|w| w == magic) {
        let start = at + i;
        let w = darwin_wrapper(&file[start..]).expect("a wrapper header");
        // LLVM pads a wrapped module to a multiple of 16 bytes.
        let len = (w.offset + w.size).next_multiple_of(16);
        assert!(
            start + len <= file.len(),
            "wrapper at {start} runs past the end"
        );
        found.push((start, len));
        at = start + len;
    }
    found
}

/// `llvm-dis-14(llvm-as-14(text))`, failing the test with LLVM's message
/// when llvm-as-14 refuses the text.
fn llvm_roundtrip(text: &str, what: &str) -> String {
    let bc = llvm_as(text).unwrap_or_else(|e| panic!("llvm-as-14 refuses {what}: {e}"));
    llvm_dis(&bc).unwrap()
}

fn dis(bytes: &[u8], what: &str) -> String {
    llvm_dis(bytes).unwrap_or_else(|e| panic!("llvm-dis-14 cannot read {what}: {e}"))
}

fn read(scratch: &Path, name: &str) -> Vec<u8> {
    std::fs::read(scratch.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The independent checks of the expected outputs (see the module
/// comment). They run on every run, blessing included.
fn cross_checks(scratch: &Path, runs: &BTreeMap<&str, Run>) {
    let get = |name: &str| {
        runs.get(name)
            .unwrap_or_else(|| panic!("case {name} did not run"))
    };

    // No input makes the binary panic; exit statuses are the documented ones.
    for (name, run) in runs {
        assert!(
            !run.err().contains("panicked"),
            "{name} panicked:\n{}",
            run.err()
        );
        let want = if name.starts_with("usage_") {
            2
        } else if name.starts_with("error_") || *name == "run_expect_fails" {
            1
        } else if name.ends_with("_hash_bad") {
            3
        } else {
            0
        };
        assert_eq!(run.status, want, "{name}: exit status\n{}", run.err());
        if want == 2 {
            assert!(run.err().starts_with("error: "), "{name}: {}", run.err());
        }
    }
    assert!(get("help")
        .out()
        .contains("1 when the input has errors, 2 on a usage error"));
    assert_eq!(
        get("version").out(),
        format!("airlink {}\n", env!("CARGO_PKG_VERSION"))
    );

    // fmt: one canonical text whichever way it is asked for, which LLVM 14
    // reads as the same module as the input.
    let input = String::from_utf8(read(scratch, "kernel.ll")).unwrap();
    let canonical = get("fmt").out();
    assert_eq!(get("fmt_to_file").files["out.ll"], canonical.as_bytes());
    assert_eq!(
        get("fmt_to_canonical").files["kernel.canonical.ll"],
        canonical.as_bytes()
    );
    assert_eq!(get("fmt_stdin").out(), canonical);
    assert_eq!(
        llvm_roundtrip(&canonical, "fmt's output"),
        llvm_roundtrip(&input, "kernel.ll"),
        "fmt changed the module"
    );

    // assemble --emit-bc --flavour llvm14 is llvm-as-14's bytes: those of
    // 14.0.6 by default, of the installed 14.x release when told which.
    let reference = llvm_as(&input).unwrap();
    let release = airlink_test_support::llvm_version();
    let told = Command::new(BIN)
        .args([
            "assemble",
            "kernel.ll",
            "--emit-bc",
            "-",
            "--flavour",
            "llvm14",
        ])
        .args(["--producer", release])
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(
        told.status.success(),
        "{}",
        String::from_utf8_lossy(&told.stderr)
    );
    assert!(
        told.stdout == reference,
        "--producer {release}: differs from llvm-as-14 -preserve-bc-uselistorder=false"
    );
    if release == "14.0.6" {
        for (case, file) in [("assemble_bc_readme", "k.bc"), ("assemble_bc", "kernel.bc")] {
            assert!(
                get(case).files[file] == reference,
                "{file} differs from llvm-as-14 -preserve-bc-uselistorder=false"
            );
        }
    }
    // kernel.ll is the seed's simple shell, which lacks the SDK Version
    // flag: assemble says so in one line and still succeeds.
    let warning = get("assemble").err();
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(
        warning.starts_with("kernel.ll: warning: ") && warning.contains("(SDK Version)"),
        "{warning}"
    );
    assert!(
        warning.contains("docs/air-conventions.md#module-flags"),
        "{warning}"
    );
    assert_eq!(get("assemble_bc_readme").err(), warning);
    // fmt of that bitcode prints what llvm-dis-14 reads in it.
    assert_eq!(
        llvm_roundtrip(&get("fmt_bc").out(), "fmt kernel.bc"),
        dis(&reference, "kernel.bc")
    );

    // The library: its container fields against the file itself.
    let lib = get("assemble").files["kernel.metallib"].clone();
    let modules = wrapped_modules(&lib);
    assert_eq!(modules.len(), 1);
    let (start, len) = modules[0];
    let module = &lib[start..start + len];
    check_inspect(&get("inspect").out(), &lib);
    check_inspect(&get("inspect_dump").out(), &lib);
    check_dump(&get("inspect_dump").out(), &lib, module);
    assert_eq!(
        get("inspect_extract_ir").files["modules/reverse_kernel.bc"],
        module,
        "--extract wrote other bytes than the module's"
    );
    // strip without flags, and with flags that find nothing to remove
    // (--all: no sources, reflection or debug info), writes the library
    // back unchanged.
    for case in ["strip", "strip_sources_reflection", "strip_all"] {
        assert_eq!(
            get(case).files["kernel.stripped.metallib"],
            lib,
            "{case}: the rewritten library differs"
        );
    }
    let module_text = dis(module, "the module of kernel.metallib");
    let ir = get("inspect_extract_ir").out();
    let ir = after_header(&ir, "; ---- module of reverse_kernel ----\n");
    assert_eq!(llvm_roundtrip(ir, "inspect --ir"), module_text);
    let fmt_lib = get("fmt_metallib").out();
    let fmt_lib = after_header(&fmt_lib, "; ---- module of reverse_kernel ----\n");
    assert_eq!(llvm_roundtrip(fmt_lib, "fmt kernel.metallib"), module_text);

    // --retarget: the macOS 15 input comes out with macOS 26's triple and
    // versions.
    assert!(String::from_utf8(read(scratch, "old.ll"))
        .unwrap()
        .contains("target triple = \"air64_v27-apple-macosx15.0.0\""));
    let k = &get("assemble_retarget").files["k.metallib"];
    check_inspect(&run_inspect(scratch, "k.metallib", k), k);
    let retargeted: Vec<String> = wrapped_modules(k)
        .into_iter()
        .map(|(s, l)| dis(&k[s..s + l], "the module of k.metallib"))
        .collect();
    assert_eq!(retargeted.len(), 1);
    let t = &retargeted[0];
    assert!(
        t.contains("target triple = \"air64_v28-apple-macosx26.0.0\""),
        "{t}"
    );
    assert!(t.contains("!{i32 2, i32 8, i32 0}"), "AIR 2.8: {t}");
    assert!(
        t.contains("!{!\"Metal\", i32 4, i32 0, i32 0}"),
        "MSL 4.0: {t}"
    );
    assert!(!t.contains("macosx15"), "{t}");

    // shell: text LLVM 14 reads, the prototype the seed's MSL body has
    // (`[[visible]] float transform_value(float v) { return v * 3 + 7; }`,
    // quoted in examples/specs/simple_transform.ll), the same files from
    // both invocations.
    let prototype = "[[visible]] float transform_value(float v);";
    let readme = get("shell_readme");
    let help = get("shell");
    let metal = String::from_utf8(readme.files["simple.metal"].clone()).unwrap();
    assert!(metal.lines().any(|l| l == prototype), "{metal}");
    let json = String::from_utf8(readme.files["simple.json"].clone()).unwrap();
    assert!(
        json.contains(&format!("\"msl_prototype\": \"{prototype}\"")),
        "{json}"
    );
    assert!(json.contains("\"kernel\": \"reverse_kernel\""), "{json}");
    assert_eq!(readme.files["simple.metal"], help.files["simple.metal"]);
    assert_eq!(readme.files["simple.json"], help.files["simple.json"]);
    let shell_ll = String::from_utf8(help.files["simple.ll"].clone()).unwrap();
    llvm_roundtrip(&shell_ll, "the simple shell's .ll");
    // The shell's text is what fmt prints for it (no `; ModuleID` line
    // that fmt would drop).
    let refmt = Command::new(BIN)
        .args(["fmt", "simple.ll"])
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(refmt.status.success());
    assert_eq!(String::from_utf8(refmt.stdout).unwrap(), shell_ll);
    let simple_lib = &readme.files["simple.metallib"];
    check_inspect(
        &run_inspect(scratch, "simple.metallib", simple_lib),
        simple_lib,
    );
    for (s, l) in wrapped_modules(simple_lib) {
        dis(&simple_lib[s..s + l], "the module of simple.metallib");
    }
    // README: without its SDK Version flag the generated simple shell is
    // the seed's size (4308 bytes), so the flag is all that differs in
    // size; the shell itself gets no warning from assemble.
    assert_eq!(
        seed_sized(scratch, &help.files["simple.ll"], "simple"),
        4308
    );
    let coop = get("shell_copy_2d_inline_cooperative").out();
    llvm_roundtrip(&coop, "the copy_2d shell (inline, cooperative)");
    // Cooperative: plain loads and stores, no async copies; inline: the
    // body is linked in, no visible-function reference is left.
    assert!(!coop.contains("simdgroup_async_copy"), "{coop}");
    assert!(!coop.contains("MTL_VISIBLE_FN_REF"), "{coop}");
    assert!(coop.contains("define"), "{coop}");

    // run: the examples' hand-written formulas hold for every element.
    for (case, line) in [
        ("run_readme", "expect dst: 128/128 correct"),
        ("run_simple", "expect dst: 128/128 correct"),
        ("run_multi_buffer", "expect C: 1024/1024 correct"),
        ("run_copy_2d", "expect dst: 128/128 correct"),
    ] {
        assert!(get(case).out().lines().any(|l| l == line), "{case}");
    }
    // Without --expect: src[i] = i through `v * 3 + 7`, the first 32 shown.
    let shown: Vec<String> = (0..32).map(|i| (3 * i + 7).to_string()).collect();
    let want = format!("dst = [{}, … (128 values)]", shown.join(", "));
    assert!(
        get("run_corpus_link").out().lines().any(|l| l == want),
        "{}",
        get("run_corpus_link").out()
    );
    // A wrong formula: src[i] = i+1 gives 3(i+1)+7, the formula asks for
    // 3(i+1)+8: dst[0] = 10 where 11 is expected, and so on.
    let failed = get("run_expect_fails");
    assert!(failed.out().contains("expect dst: 0/128 correct"));
    for i in 0..5 {
        let line = format!(
            "  dst[{i}] = {}, expected {}",
            3 * (i + 1) + 7,
            3 * (i + 1) + 8
        );
        assert!(failed.out().lines().any(|l| l == line), "{line}");
    }
    // The trace: one 2D copy in, one out, for the one threadgroup; its
    // positions cite lines of the generated module, which the command the
    // trace names writes to disk: each cited line holds that operation.
    let trace = get("run_trace").out();
    assert_eq!(trace.matches(": copy #").count(), 2, "{trace}");
    check_trace_positions(scratch, &trace);
    assert!(trace.contains(" 32 threads in 1 threadgroup, "), "{trace}");
    assert!(get("conv1d_run")
        .out()
        .contains(" 128 threads in 4 threadgroups, "));

    // The worked example: both body modes compute the hand-written
    // formula; without --expect the first 32 values are those of it.
    for case in ["conv1d_run", "conv1d_run_inline"] {
        assert!(
            get(case)
                .out()
                .lines()
                .any(|l| l == "expect y: 128/128 correct"),
            "{case}: {}",
            get(case).out()
        );
    }
    let conv = |i: usize| -> f64 {
        let taps = [0.0625, 0.25, 0.375, 0.25, 0.0625];
        0.5 + (0..5).map(|k| taps[k] * ((i + k) % 7) as f64).sum::<f64>()
    };
    let shown: Vec<String> = (0..32).map(|i| conv(i).to_string()).collect();
    let want_y = format!("y = [{}, … (128 values)]", shown.join(", "));
    assert!(
        get("run_conv1d_help").out().lines().any(|l| l == want_y),
        "{want_y}\n{}",
        get("run_conv1d_help").out()
    );
    let shell = get("conv1d_shell");
    let proto = "[[visible]] float conv_window(threadgroup float* window, device float* taps, uint lane, float bias);";
    assert!(String::from_utf8_lossy(&shell.files["conv1d_prototypes.metal"]).contains(proto));
    let json = String::from_utf8(shell.files["conv1d.json"].clone()).unwrap();
    assert!(
        json.contains(&format!("\"msl_prototype\": \"{proto}\"")),
        "{json}"
    );
    for (lib, visible) in [
        (&shell.files["conv1d.metallib"], true),
        (
            &get("conv1d_shell_inline").files["conv1d_monolithic.metallib"],
            false,
        ),
    ] {
        check_inspect(&run_inspect_bytes(scratch, lib), lib);
        let mods = wrapped_modules(lib);
        assert_eq!(mods.len(), 1);
        let (at, len) = mods[0];
        let text = dis(&lib[at..at + len], "a conv1d library");
        assert_eq!(
            text.contains("conv_window.MTL_VISIBLE_FN_REF"),
            visible,
            "{text}"
        );
        assert!(text.contains("@air.simdgroup_async_copy_2d"), "{text}");
    }
    // Scalars and unresolved visible functions name the flag to use.
    assert!(get("error_run_scalar_missing")
        .err()
        .contains("pass --scalar bias=VALUE"));
    let unresolved = get("error_run_unresolved_visible").err();
    assert!(unresolved.contains("`transform_value`"), "{unresolved}");
    assert!(unresolved.contains("--link BODY.ll"), "{unresolved}");
    assert!(!unresolved.contains("closure"), "{unresolved}");

    // The damaged inputs: positions where the test damaged them.
    check_position(
        &get("error_parse_fmt").err(),
        scratch,
        "bad_parse.ll",
        "  %group = lshr i32 %tid 5",
        "5",
        "expected ','",
    );
    assert_eq!(
        get("error_parse_assemble").err(),
        get("error_parse_fmt").err()
    );
    check_position(
        &get("error_verify_fmt").err(),
        scratch,
        "bad_verify.ll",
        USING_LINE,
        "%group.base",
        "%group does not dominate this use",
    );
    assert_eq!(
        get("error_verify_assemble").err(),
        get("error_verify_fmt").err()
    );
    assert!(
        !scratch.join("bad.metallib").exists(),
        "a failed assemble left bad.metallib behind"
    );
    for (case, name) in [
        ("error_missing_fmt", "missing.ll"),
        ("error_missing_assemble", "missing.ll"),
        ("error_missing_inspect", "missing.metallib"),
        ("error_missing_shell", "missing.toml"),
        ("error_missing_run", "missing.ll"),
    ] {
        assert!(
            get(case).err().contains(&format!("cannot read {name}")),
            "{case}: {}",
            get(case).err()
        );
    }
    let bad = get("inspect_hash_bad");
    assert!(bad.out().contains("hash BAD"), "{}", bad.out());
    assert!(bad.err().contains("does not match its module"));
    // fmt and run on a library whose HASH alone is damaged: the work is
    // done (the module is fmt's text of kernel.metallib; the run's values
    // are 3i+7) and the damage is the error.
    let fmt_bad = get("fmt_hash_bad");
    assert_eq!(fmt_bad.out(), get("fmt_metallib").out());
    assert!(fmt_bad.err().contains("does not match its module"));
    let run_bad = get("run_hash_bad");
    assert!(
        run_bad.out().lines().any(|l| l == want),
        "{}",
        run_bad.out()
    );
    assert!(run_bad.err().contains("does not match its module"));
    // One prefix scheme: a position in a text input, else `airlink: error:`.
    for (name, run) in runs {
        if run.status == 0 || name.starts_with("usage_") {
            continue;
        }
        let first = run.err().lines().next().unwrap_or("").to_string();
        let located = first.contains(": error: ")
            && first.split(": error: ").next().is_some_and(|head| {
                let parts: Vec<&str> = head.rsplitn(3, ':').collect();
                parts.len() == 3 && parts[..2].iter().all(|p| p.parse::<u32>().is_ok())
            });
        assert!(
            located || first.starts_with("airlink: error: "),
            "{name}: {first}"
        );
    }
    // Usage errors are clap's; the missing output names both options.
    assert!(get("usage_no_output").err().contains("--emit-bc"));
    // The cause of a missing spec is said once.
    assert_eq!(
        get("error_missing_shell")
            .err()
            .matches("No such file or directory")
            .count(),
        1
    );
    // Positions: the empty file and the invalid byte are named; the body
    // error names the body by the path given.
    assert!(get("error_run_empty")
        .err()
        .contains("empty.ll: the file is empty"));
    assert!(get("error_run_not_utf8")
        .err()
        .starts_with("not_utf8.ll:3:1: error: "));
    assert!(get("error_shell_not_utf8")
        .err()
        .starts_with("not_utf8.toml:3:1: error: "));
    assert!(get("error_run_link_parse")
        .err()
        .starts_with("bodies/transform.ll:"));
    assert!(get("error_run_spec_generated")
        .err()
        .contains("copy_2d_kernel.ll is the module generated from examples/specs/copy_2d.toml"));
    let outside = get("error_shell_inline_outside").err();
    assert!(
        outside.contains("absolute paths are not allowed"),
        "{outside}"
    );
    assert!(!outside.contains("root:"), "{outside}");

    // The demo: sizes it reports are the files', every module reads, every
    // case passes, and its specs are the repository's.
    if let Some(demo) = runs.get("demo") {
        let out = demo.out();
        for stem in ["simple", "multi_buffer", "copy_2d"] {
            let path = format!("target/airlink-demo/{stem}.metallib");
            let bytes = &demo.files[&path];
            let said = format!("{stem}.metallib {} bytes", bytes.len());
            assert!(out.contains(&said), "{said}\n{out}");
            let mods = wrapped_modules(bytes);
            assert!(!mods.is_empty(), "{path}");
            for (s, l) in mods {
                dis(&bytes[s..s + l], &path);
            }
            check_inspect(&run_inspect(scratch, &path, bytes), bytes);
            llvm_roundtrip(
                &String::from_utf8(demo.files[&format!("target/airlink-demo/{stem}.ll")].clone())
                    .unwrap(),
                &format!("the demo's {stem}.ll"),
            );
        }
        // The demo's simple shell is the one `airlink shell` writes.
        for ext in ["metallib", "metal", "json"] {
            assert_eq!(
                demo.files[&format!("target/airlink-demo/simple.{ext}")],
                readme.files[&format!("simple.{ext}")],
                "the demo's simple.{ext}"
            );
        }
        assert_eq!(
            demo.files["target/airlink-demo/simple.ll"],
            help.files["simple.ll"]
        );
        // README: without the SDK Version flag the simple and multi_buffer
        // shells are the seed's sizes.
        for (stem, seed_size) in [("simple", 4308), ("multi_buffer", 4433)] {
            let ll = &demo.files[&format!("target/airlink-demo/{stem}.ll")];
            assert_eq!(seed_sized(scratch, ll, stem), seed_size, "{stem}");
        }
        // The demo and the doctor call each case by the same name.
        if let Some(doctor) = runs.get("doctor") {
            let names: Vec<&str> = doctor
                .stdout
                .split(|b| *b == b'\n')
                .filter_map(|l| std::str::from_utf8(l).ok()?.strip_prefix("  case  "))
                .filter_map(|l| l.split_whitespace().next())
                .collect();
            assert_eq!(names.len(), 5, "{}", doctor.out());
            for name in names {
                assert_eq!(
                    out.lines()
                        .filter(|l| l.starts_with(&format!("{name} ")))
                        .count(),
                    2,
                    "{name}: one demo line per body mode\n{out}"
                );
            }
        }
        // Five cases, in two body modes; three tiled kernels in four modes
        // (their lines also give the maximum error), all bitwise identical.
        assert_eq!(
            out.lines()
                .filter(|l| l.contains(" correct ") && !l.contains("max|err|"))
                .count(),
            10,
            "{out}"
        );
        assert_eq!(
            out.lines()
                .filter(|l| l.contains(" correct max|err| "))
                .count(),
            12,
            "{out}"
        );
        assert!(
            out.contains("the four modes wrote bit-for-bit identical outputs"),
            "{out}"
        );
        let root = repo_root();
        for entry in std::fs::read_dir(root.join("examples/specs")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            assert_eq!(
                demo.files[&format!("target/airlink-demo/specs/{name}")],
                std::fs::read(&path).unwrap(),
                "the demo's {name} is not examples/specs/{name}"
            );
        }
        for dir in ["gemm", "attention"] {
            for entry in std::fs::read_dir(root.join("examples").join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy();
                if name == "README.md" {
                    continue;
                }
                assert_eq!(
                    demo.files[&format!("target/airlink-demo/examples/{dir}/{name}")],
                    std::fs::read(&path).unwrap(),
                    "the demo's examples/{dir}/{name} is not examples/{dir}/{name}"
                );
            }
        }
    }
}

/// The size of the library `airlink assemble` builds from a generated
/// shell's text with its `SDK Version` flag taken out (the node and its
/// entry in `!llvm.module.flags`), for comparing with the seed's shells,
/// which lack the flag. The same text with the flag assembles without a
/// warning; without it, with the warning naming it.
fn seed_sized(scratch: &Path, shell_ll: &[u8], stem: &str) -> usize {
    let text = String::from_utf8(shell_ll.to_vec()).unwrap();
    let flag = text
        .lines()
        .find(|l| l.contains(r#"!"SDK Version""#))
        .unwrap_or_else(|| panic!("{stem}: no SDK Version flag"));
    let id = flag.split(" = ").next().unwrap();
    let stripped: String = text
        .lines()
        .filter(|l| *l != flag)
        .map(|l| {
            if l.starts_with("!llvm.module.flags = !{") {
                l.replacen(&format!("{{{id}, "), "{", 1)
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect();
    assert!(!stripped.contains(&format!("{{{id}, ")), "{stem}");
    let mut sizes = Vec::new();
    for (name, body, warned) in [
        (format!("{stem}.with_sdk.ll"), &text, false),
        (format!("{stem}.without_sdk.ll"), &stripped, true),
    ] {
        std::fs::write(scratch.join(&name), body).unwrap();
        let out = Command::new(BIN)
            .args(["assemble", &name, "-o", "-"])
            .current_dir(scratch)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.contains("warning:"), warned, "{name}: {err}");
        assert_eq!(err.contains("(SDK Version)"), warned, "{name}: {err}");
        sizes.push(out.stdout.len());
    }
    sizes[1]
}

/// The positions `run --trace` cites, in the file its last note says how
/// to write: that command, run here, writes a module whose cited lines
/// hold the operation each trace line names.
fn check_trace_positions(scratch: &Path, trace: &str) {
    let note = trace
        .lines()
        .find(|l| l.starts_with("(positions cite "))
        .unwrap_or_else(|| panic!("no note on the positions:\n{trace}"));
    let command = note
        .split('`')
        .nth(1)
        .unwrap_or_else(|| panic!("no command in {note}"));
    let words = shell_words(command);
    assert_eq!(words[0], "airlink", "{note}");
    let file = words.last().unwrap().clone();
    assert!(!scratch.join(&file).exists(), "{file} existed before");
    let out = Command::new(BIN)
        .args(&words[1..])
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(out.status.success(), "{command}");
    let module = String::from_utf8(read(scratch, &file)).unwrap();
    let lines: Vec<&str> = module.lines().collect();
    let mut cited = 0;
    for line in trace.lines() {
        let Some((_, at)) = line.rsplit_once(&format!(" at {file}:")) else {
            continue;
        };
        let n: usize = at.parse().unwrap_or_else(|_| panic!("{line}"));
        let source = lines[n - 1];
        let op = if line.contains(": copy #") {
            "@air.simdgroup_async_copy_2d"
        } else if line.contains(": wait #") {
            "@air.wait_simdgroup_events"
        } else if line.contains("air.wg.barrier") {
            "@air.wg.barrier"
        } else {
            panic!("unknown trace line {line}")
        };
        assert!(source.contains(op), "{line}\n  cites: {source}");
        cited += 1;
    }
    assert_eq!(cited, 6, "{trace}");
    std::fs::remove_file(scratch.join(&file)).unwrap();
}

fn run_inspect_bytes(scratch: &Path, bytes: &[u8]) -> String {
    std::fs::write(scratch.join("checked.metallib"), bytes).unwrap();
    run_inspect(scratch, "checked.metallib", bytes)
}

/// The text after the line `header` (the one module a case printed).
fn after_header<'a>(text: &'a str, header: &str) -> &'a str {
    assert_eq!(
        text.matches(header).count(),
        1,
        "one {header:?} in:\n{text}"
    );
    let at = text.find(header).unwrap();
    assert!(
        at == 0 || text[..at].ends_with('\n'),
        "{header:?} starts a line"
    );
    &text[at + header.len()..]
}

fn run_inspect(scratch: &Path, path: &str, bytes: &[u8]) -> String {
    assert_eq!(read(scratch, path), bytes, "{path} changed on disk");
    let out = Command::new(BIN)
        .arg("inspect")
        .arg(path)
        .current_dir(scratch)
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// `inspect`'s summary against the file: its length, sections that tile
/// the file from the end of the 0x58-byte header, each function's module
/// where it says with the size it says, and the bitcode size the module's
/// Darwin wrapper gives. An empty report is not checked (a case that
/// printed none).
fn check_inspect(report: &str, file: &[u8]) {
    if report.is_empty() {
        return;
    }
    let first = report.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("metallib: {} bytes,", file.len())),
        "{first}"
    );
    let hex_field = |s: &str| usize::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    // "  function list     0x000058      136 bytes"
    let mut end = 0x58;
    let mut in_sections = false;
    for line in report.lines() {
        if line == "sections:" {
            in_sections = true;
            continue;
        }
        if in_sections && !line.starts_with("  ") {
            break;
        }
        if in_sections {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| w.starts_with("0x")).unwrap();
            let (offset, size) = (
                hex_field(words[at]),
                words[at + 1].parse::<usize>().unwrap(),
            );
            assert_eq!(offset, end, "{line}: sections must follow each other");
            end = offset + size;
        }
    }
    assert!(in_sections, "{report}");
    assert_eq!(end, file.len(), "the sections do not end at the file's end");
    // "      module: 4064 bytes at 0xf4 (bitcode 4044 bytes); hash OK"
    let mut functions = 0;
    for line in report.lines() {
        let Some(rest) = line.trim().strip_prefix("module: ") else {
            continue;
        };
        functions += 1;
        let words: Vec<&str> = rest.split_whitespace().collect();
        let size: usize = words[0].parse().unwrap();
        let offset = hex_field(words[3]);
        let bitcode: usize = words[5].parse().unwrap();
        let module = &file[offset..offset + size];
        let w = darwin_wrapper(module).expect("a module starts with a Darwin wrapper");
        assert_eq!(w.size, bitcode, "{line}");
        // LLVM pads a wrapped module to a multiple of 16 bytes.
        assert_eq!((w.offset + w.size).next_multiple_of(16), size, "{line}");
        assert!(line.ends_with("hash OK"), "{line}");
    }
    assert!(functions > 0, "{report}");
}

/// `inspect --dump` against the file: every byte shown is the file's byte
/// at that offset, the dump covers the header, and the HASH field it
/// points at is the SHA-256 of `module`, computed here.
fn check_dump(report: &str, file: &[u8], module: &[u8]) {
    let mut covered = 0;
    let mut hash_at = None;
    for line in report.lines() {
        let parts: Vec<&str> = line.split('|').collect();
        if parts.len() < 3 || !parts[0].starts_with("0x") {
            continue;
        }
        // A long run of bytes is cut short with `...`.
        if parts[1].trim() == "..." {
            continue;
        }
        let offset = usize::from_str_radix(parts[0].trim().trim_start_matches("0x"), 16).unwrap();
        let bytes: Vec<u8> = parts[1]
            .split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect();
        assert_eq!(
            &file[offset..offset + bytes.len()],
            &bytes[..],
            "dump line {line}"
        );
        covered += bytes.len();
        if parts[2].contains("SHA-256 of the module") {
            hash_at = Some(offset);
        }
    }
    assert!(covered >= 0x58, "the dump shows only {covered} bytes");
    let at = hash_at.expect("the dump shows the HASH");
    assert_eq!(
        hex(&file[at..at + 32]),
        hex(Sha256::digest(module)),
        "HASH is not the module's SHA-256"
    );
    assert!(report.contains(&format!("file size {}", file.len())));
}

/// A diagnostic names `file:line:col` of `needle` inside `line`, then shows
/// the line and a caret under that column.
fn check_position(err: &str, scratch: &Path, file: &str, line: &str, needle: &str, message: &str) {
    let text = String::from_utf8(read(scratch, file)).unwrap();
    let line_no = text.lines().position(|l| l == line).expect("the line") + 1;
    let col = line.find(needle).expect("the token") + 1;
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].starts_with(&format!("{file}:{line_no}:{col}: error: ")),
        "{err}"
    );
    assert!(lines[0].contains(message), "{err}");
    assert_eq!(lines[1], line, "{err}");
    assert_eq!(lines[2], format!("{}^", " ".repeat(col - 1)), "{err}");
}

/// Every command README.md shows and every example of every subcommand's
/// `--help` (read from the binary) is one of the cases, so a new example
/// cannot go untested.
#[test]
fn every_readme_and_help_example_is_a_case() {
    let cases: Vec<&str> = cases().iter().map(|c| c.cmd).collect();
    let mut examples = readme_commands();
    assert!(examples.len() >= 12, "README commands: {examples:?}");
    let mut with_examples = 0;
    for sub in [
        "fmt", "assemble", "inspect", "strip", "shell", "run", "demo", "doctor",
    ] {
        let out = Command::new(BIN).args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help");
        let found = help_examples(&String::from_utf8(out.stdout).unwrap());
        with_examples += usize::from(!found.is_empty());
        examples.extend(found);
    }
    // demo and doctor take no input and show none.
    assert_eq!(with_examples, 6);
    let missing: Vec<&String> = examples
        .iter()
        .filter(|e| !cases.contains(&e.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "examples without a case in tests/cli.rs: {missing:#?}"
    );
}

/// The `airlink` commands in README.md's `sh` blocks: comments dropped,
/// `cargo run --release -p airlink -- X` read as `airlink X` (without a
/// trailing `| tee FILE`), an optional `[--flag]` giving both forms. Other
/// cargo commands (tests, benches) are not airlink's.
fn readme_commands() -> Vec<String> {
    let mut out = Vec::new();
    for file in README_FILES {
        let readme = std::fs::read_to_string(repo_root().join(file)).unwrap();
        out.extend(sh_block_commands(&readme));
    }
    out
}

/// The READMEs whose `airlink` commands must each be a case: the
/// repository's and the worked examples'.
const README_FILES: &[&str] = &["README.md", "examples/conv1d/README.md"];

/// The `airlink` commands of one README's `sh` blocks (see
/// [`readme_commands`]).
fn sh_block_commands(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh" && !in_sh;
            continue;
        }
        if !in_sh {
            continue;
        }
        let line = line.split(" #").next().unwrap().trim();
        let line = match line.strip_prefix("cargo run --release -p airlink -- ") {
            Some(rest) => format!("airlink {}", rest.split(" | tee ").next().unwrap()),
            None => line.to_string(),
        };
        if !(line.starts_with("airlink ") || line.contains("| airlink ")) {
            continue;
        }
        match (line.find(" ["), line.rfind(']')) {
            (Some(open), Some(close)) if close > open => {
                out.push(format!("{}{}", &line[..open], &line[close + 1..]));
                out.push(format!(
                    "{} {}{}",
                    &line[..open],
                    &line[open + 2..close],
                    &line[close + 1..]
                ));
            }
            _ => out.push(line),
        }
    }
    out
}

/// The examples under `Examples:` in a help text, continuation lines
/// (ending in `\`) joined.
fn help_examples(help: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_examples = false;
    let mut continued = false;
    for line in help.lines() {
        if line == "Examples:" {
            in_examples = true;
            continue;
        }
        if !in_examples {
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        let (text, more) = match line.trim().strip_suffix('\\') {
            Some(t) => (t.trim_end(), true),
            None => (line.trim(), false),
        };
        if continued {
            let last = out.last_mut().unwrap();
            last.push(' ');
            last.push_str(text);
        } else {
            out.push(text.to_string());
        }
        continued = more;
    }
    out
}

#[test]
fn duration_masking_touches_only_durations() {
    assert_eq!(
        mask_durations("spec to library in 3.4 ms; links"),
        "spec to library in <t> ms; links"
    );
    assert_eq!(mask_durations("in 12.05 ms"), "in <t> ms");
    // Not a duration: no decimal point, or a word that starts with "ms".
    assert_eq!(mask_durations("128 ms"), "128 ms");
    assert_eq!(mask_durations("at 1.5 msl"), "at 1.5 msl");
    assert_eq!(mask_durations("… 2.0 ms"), "… <t> ms");
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words("airlink run x --expect 'dst=select(i%16<4, src*10, -1)~0.1'"),
        [
            "airlink",
            "run",
            "x",
            "--expect",
            "dst=select(i%16<4, src*10, -1)~0.1"
        ]
    );
    assert_eq!(shell_words("  a  'b c'd "), ["a", "b cd"]);
}
