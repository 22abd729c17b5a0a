//! Hostile and unusual surroundings for the built binary (issue 20's
//! findings on reading, writing and printing), each made by the test
//! itself: closed and full standard streams, links planted where outputs
//! and temporaries go, FIFOs and devices as outputs, outputs that are
//! inputs, libraries with duplicate or unprintable function names, control
//! characters and a 100 MB line in inputs, endless devices as inputs, and
//! deeply nested expressions. ROBUSTNESS.md states the rules they check.
//!
//! Every test here failed on the binary before the hardening. To see that
//! again, point `AIRLINK_HOSTILE_BIN` at another build:
//!
//! ```sh
//! AIRLINK_HOSTILE_BIN=/path/to/old/airlink cargo test -p airlink --test hostile
//! ```
//!
//! (The device test writes to a device node the test makes in its own
//! folder, never to `/dev/null`, so an old build cannot replace the
//! system's.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use airlink_test_support::repo_root;

/// The binary under test.
fn bin() -> PathBuf {
    std::env::var_os("AIRLINK_HOSTILE_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_airlink")),
        PathBuf::from,
    )
}

/// A fresh folder for one test, with the kernel `kernel.ll` (the simple
/// shell of the corpus) and the example specs in `specs/`.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    let root = repo_root();
    std::fs::copy(
        root.join("tests/corpus/simple_1d.ll"),
        dir.join("kernel.ll"),
    )
    .unwrap();
    for entry in std::fs::read_dir(root.join("examples/specs")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("specs").join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// Standard error without `assemble`'s warning about the seed kernel's
/// missing `SDK Version` flag (kernel.ll is the seed's shell, which lacks
/// it; the warning is written before any output and is not the subject
/// of these tests).
fn errors(o: &Output) -> String {
    err(o)
        .lines()
        .filter(|l| !l.contains(": warning: the kernel module lacks"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    c
}

fn airlink(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn status(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// Builds `k.metallib` in `dir` from `kernel.ll`.
fn library(dir: &Path) -> PathBuf {
    let o = airlink(dir, &["assemble", "kernel.ll", "-o", "k.metallib"]);
    assert!(o.status.success(), "{}", err(&o));
    dir.join("k.metallib")
}

/// Command lines of every subcommand that print to standard output.
fn printing_commands() -> Vec<Vec<&'static str>> {
    vec![
        vec!["fmt", "kernel.ll"],
        vec!["assemble", "kernel.ll", "-o", "-"],
        vec!["inspect", "k.metallib", "--dump", "--ir"],
        vec!["shell", "specs/simple.toml"],
        vec![
            "run",
            "specs/copy_2d.toml",
            "--grid",
            "32",
            "--buffer",
            "src=128:i",
            "--buffer",
            "dst=128",
            "--trace",
        ],
        vec!["demo", "--out", "demo"],
        vec!["doctor"],
        vec!["--help"],
        vec!["--version"],
    ]
}

#[test]
fn a_closed_standard_output_is_a_quiet_exit_1_in_every_subcommand() {
    let dir = scratch("closed_stdout");
    library(&dir);
    for args in printing_commands() {
        // The reader is gone before the command starts: its first write
        // gets EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = command(&dir, &args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(status(&o), 1, "{args:?}: {}", err(&o));
        assert_eq!(
            errors(&o),
            "",
            "{args:?}: a closed pipe is not worth a message"
        );
    }
}

#[test]
fn a_full_standard_output_is_a_one_line_error_in_every_subcommand() {
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    let dir = scratch("full_stdout");
    library(&dir);
    for args in printing_commands() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = command(&dir, &args).stdout(full).output().unwrap();
        assert_eq!(status(&o), 1, "{args:?}: {}", err(&o));
        assert_eq!(
            errors(&o),
            "airlink: error: cannot write standard output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
}

#[test]
fn a_closed_standard_error_does_not_panic() {
    let dir = scratch("closed_stderr");
    for args in [
        vec!["fmt", "missing.ll"],
        vec!["run", "missing.ll", "--grid", "1"],
        vec!["run", "kernel.ll", "--grid", "x"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = command(&dir, &args).stderr(writer).output().unwrap();
        let want = if args.contains(&"x") { 2 } else { 1 };
        assert_eq!(status(&o), want, "{args:?}");
    }
}

fn is_symlink(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink())
}

#[cfg(unix)]
#[test]
fn links_planted_at_the_old_temporary_names_change_nothing() {
    let dir = scratch("planted_temp");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "victim").unwrap();
    // The writer before the hardening used `.NAME.airlink-tmp-PID`: plant
    // a link at that name for the next few thousand process ids.
    let probe = Command::new("true").spawn().unwrap();
    let next = probe.id();
    let _ = { probe }.wait();
    for pid in next..next + 3000 {
        std::os::unix::fs::symlink(
            &victim,
            dir.join(format!(".out.metallib.airlink-tmp-{pid}")),
        )
        .unwrap();
    }
    let o = airlink(&dir, &["assemble", "kernel.ll", "-o", "out.metallib"]);
    assert!(o.status.success(), "{}", err(&o));
    assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
    let out = dir.join("out.metallib");
    assert!(!is_symlink(&out), "the output became a link");
    assert!(std::fs::read(&out).unwrap().starts_with(b"MTLB"));
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_refused_and_left_alone() {
    let dir = scratch("output_link");
    let target = dir.join("precious.txt");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, dir.join("out.ll")).unwrap();
    for args in [
        vec!["fmt", "kernel.ll", "-o", "out.ll"],
        vec!["assemble", "kernel.ll", "-o", "out.ll"],
        vec!["shell", "specs/simple.toml", "--emit-ll", "out.ll"],
    ] {
        let o = airlink(&dir, &args);
        assert_eq!(status(&o), 1, "{args:?}");
        assert!(err(&o).contains("symbolic link"), "{args:?}: {}", err(&o));
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        assert!(is_symlink(&dir.join("out.ll")));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_output_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch("fifo");
    let fifo = dir.join("pipe");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (tx, rx) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        // Detached: if the binary never opens the FIFO, this thread stays
        // blocked in open and the test fails on the timeout below.
        std::thread::spawn(move || {
            let _ = tx.send(std::fs::read(&fifo));
        });
    }
    let o = airlink(&dir, &["assemble", "kernel.ll", "-o", "pipe"]);
    assert!(o.status.success(), "{}", err(&o));
    let got = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("nothing was written into the FIFO")
        .unwrap();
    assert!(got.starts_with(b"MTLB"), "{} bytes", got.len());
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[cfg(unix)]
#[test]
fn a_device_output_is_written_in_place_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch("device");
    // A node for the null device (1,3 on Linux) in the test's own folder,
    // where only root can make one.
    let node = dir.join("null");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !made || !cfg!(target_os = "linux") {
        eprintln!("skipped: cannot make a device node here (needs root on Linux)");
        return;
    }
    for args in [
        vec!["assemble", "kernel.ll", "-o", "null"],
        vec!["fmt", "kernel.ll", "-o", "null"],
        vec![
            "shell",
            "specs/simple.toml",
            "--emit-ll",
            "null",
            "--manifest",
            "m.json",
        ],
    ] {
        let o = airlink(&dir, &args);
        assert!(o.status.success(), "{args:?}: {}", err(&o));
        assert!(
            std::fs::symlink_metadata(&node)
                .unwrap()
                .file_type()
                .is_char_device(),
            "{args:?} replaced the device"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = scratch("same_file");
    let original = std::fs::read(dir.join("kernel.ll")).unwrap();
    std::fs::hard_link(dir.join("kernel.ll"), dir.join("hard.ll")).unwrap();
    std::os::unix::fs::symlink("kernel.ll", dir.join("soft.ll")).unwrap();
    for args in [
        vec!["assemble", "kernel.ll", "-o", "kernel.ll"],
        vec!["assemble", "kernel.ll", "--emit-bc", "kernel.ll"],
        vec!["fmt", "kernel.ll", "-o", "./kernel.ll"],
        vec!["fmt", "kernel.ll", "-o", "hard.ll"],
        vec!["fmt", "soft.ll", "-o", "kernel.ll"],
        vec![
            "shell",
            "specs/simple.toml",
            "--emit-ll",
            "specs/simple.toml",
        ],
        // The spec's inline body is an input too.
        vec![
            "shell",
            "specs/simple.toml",
            "--emit-ll",
            "specs/simple_transform.ll",
        ],
    ] {
        let o = airlink(&dir, &args);
        assert_eq!(status(&o), 1, "{args:?}");
        assert!(err(&o).contains("also an input"), "{args:?}: {}", err(&o));
    }
    // Standard input redirected from the file counts too.
    let o = command(&dir, &["fmt", "-", "-o", "kernel.ll"])
        .stdin(std::fs::File::open(dir.join("kernel.ll")).unwrap())
        .output()
        .unwrap();
    assert_eq!(status(&o), 1, "{}", err(&o));
    assert_eq!(std::fs::read(dir.join("kernel.ll")).unwrap(), original);
    let spec = std::fs::read(repo_root().join("examples/specs/simple.toml")).unwrap();
    assert_eq!(std::fs::read(dir.join("specs/simple.toml")).unwrap(), spec);
}

#[cfg(unix)]
#[test]
fn a_replaced_output_keeps_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("mode");
    let out = dir.join("k.metallib");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = airlink(&dir, &["assemble", "kernel.ll", "-o", "k.metallib"]);
    assert!(o.status.success(), "{}", err(&o));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
    assert!(std::fs::read(&out).unwrap().starts_with(b"MTLB"));
}

#[test]
fn a_command_writes_all_of_its_outputs_or_none() {
    let dir = scratch("all_or_none");
    std::fs::write(dir.join("a.ll"), "old a").unwrap();
    std::fs::write(dir.join("a.metal"), "old metal").unwrap();
    std::fs::create_dir(dir.join("folder")).unwrap();
    for last in ["missing/m.json", "folder"] {
        let o = airlink(
            &dir,
            &[
                "shell",
                "specs/simple.toml",
                "-o",
                "a.metallib",
                "--emit-ll",
                "a.ll",
                "--emit-msl",
                "a.metal",
                "--manifest",
                last,
            ],
        );
        assert_eq!(status(&o), 1, "{last}: {}", err(&o));
        assert_eq!(std::fs::read(dir.join("a.ll")).unwrap(), b"old a");
        assert_eq!(std::fs::read(dir.join("a.metal")).unwrap(), b"old metal");
        assert!(!dir.join("a.metallib").exists());
    }
    // And no temporary is left anywhere.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.ll", "a.metal", "folder", "kernel.ll", "specs"]);
    // assemble with both outputs: the library's folder is missing, so the
    // bitcode is not written either.
    let o = airlink(
        &dir,
        &[
            "assemble",
            "kernel.ll",
            "--emit-bc",
            "k.bc",
            "-o",
            "missing/k.metallib",
        ],
    );
    assert_eq!(status(&o), 1, "{}", err(&o));
    assert!(!dir.join("k.bc").exists());
}

/// A library whose functions have these names (modules: 16 zero bytes).
fn library_named(names: &[&str]) -> Vec<u8> {
    let target = air_target::Target::by_id("macos26").unwrap();
    let mut b = metallib::Builder::for_target(target);
    for name in names {
        b.add_function(metallib::NewFunction {
            name: (*name).into(),
            function_type: metallib::raw::FunctionType::KERNEL,
            versions: metallib::raw::Versions::for_target(target),
            module: vec![0; 16],
        });
    }
    b.write().unwrap()
}

#[test]
fn extract_refuses_names_that_collide_or_cannot_be_file_names_before_writing() {
    let dir = scratch("extract");
    for (names, why) in [
        (vec!["a", "k", "k"], "two functions are named"),
        (vec!["a", "Kern", "kern"], "two functions are named"),
        (vec!["a", "line\nbreak"], "control character"),
        (vec!["a", "\x1b[31mred"], "control character"),
        (vec!["a", "../up"], "path separator"),
        (vec!["a", ".hidden"], "starts with a dot"),
    ] {
        std::fs::write(dir.join("lib.metallib"), library_named(&names)).unwrap();
        let out = dir.join("out");
        let _ = std::fs::remove_dir_all(&out);
        let o = airlink(&dir, &["inspect", "lib.metallib", "--extract", "out"]);
        assert_eq!(status(&o), 1, "{names:?}");
        assert!(err(&o).contains(why), "{names:?}: {}", err(&o));
        assert!(!err(&o).contains('\x1b'), "{names:?}");
        // Nothing written, not even the first (valid) name.
        assert!(
            !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
            "{names:?}: files were written"
        );
    }
}

#[cfg(unix)]
#[test]
fn extract_never_writes_through_a_link_in_the_folder() {
    let dir = scratch("extract_link");
    std::fs::write(dir.join("lib.metallib"), library_named(&["a", "k"])).unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let target = dir.join("precious.txt");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, out.join("k.bc")).unwrap();
    let o = airlink(&dir, &["inspect", "lib.metallib", "--extract", "out"]);
    assert_eq!(status(&o), 1, "{}", err(&o));
    assert_eq!(std::fs::read(&target).unwrap(), b"precious");
    assert!(is_symlink(&out.join("k.bc")));
    assert!(!out.join("a.bc").exists(), "a.bc was written");
}

/// Standard error and output hold no control character but line feeds
/// (and tabs).
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in\n{text}");
}

#[test]
fn control_characters_from_inputs_are_escaped() {
    let dir = scratch("controls");
    // In a source line under a parse error, and in the message.
    std::fs::write(
        dir.join("esc.ll"),
        "define void @k\x1b[2J() {\n  ret void\n}\n",
    )
    .unwrap();
    let o = airlink(&dir, &["fmt", "esc.ll"]);
    assert_eq!(status(&o), 1);
    assert_no_controls("fmt esc.ll", &o.stderr);
    assert!(err(&o).contains("\\x1b[2J"), "{}", err(&o));
    // In a line under a verify error (a name with an escape in quotes).
    std::fs::write(
        dir.join("verify.ll"),
        "define void @\"k\\1B]0;title\\07\"() {\n  %x = add i32 %y, 1\n  ret void\n}\n",
    )
    .unwrap();
    let o = airlink(&dir, &["fmt", "verify.ll"]);
    assert_eq!(status(&o), 1);
    assert_no_controls("fmt verify.ll", &o.stderr);
    // Function names of a library in inspect's report, --dump and --ir
    // headers, and in fmt's headers.
    std::fs::write(
        dir.join("names.metallib"),
        library_named(&["\x1b]0;pwned\x07k", "tab\tnew\nline", "bidi\u{202e}x"]),
    )
    .unwrap();
    let o = airlink(&dir, &["inspect", "names.metallib", "--dump"]);
    assert_eq!(status(&o), 0, "{}", err(&o));
    assert_no_controls("inspect", &o.stdout);
    assert!(!String::from_utf8_lossy(&o.stdout).contains('\u{202e}'));
    let report = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(report.contains("[0] \\x1b]0;pwned\\x07k"), "{report}");
    assert!(report.contains("[1] tab\\tnew\\nline"), "{report}");
    let o = airlink(&dir, &["fmt", "names.metallib", "--no-verify"]);
    assert_no_controls("fmt names.metallib", &o.stdout);
    assert_no_controls("fmt names.metallib", &o.stderr);
    // A kernel argument's name in run's output.
    let kernel = std::fs::read_to_string(dir.join("kernel.ll")).unwrap();
    assert_eq!(kernel.matches("!\"dst\"}").count(), 1);
    std::fs::write(
        dir.join("named.ll"),
        kernel.replace("!\"dst\"}", "!\"d\\1B[2Jst\"}"),
    )
    .unwrap();
    let o = airlink(
        &dir,
        &[
            "run",
            "named.ll",
            "--grid",
            "32",
            "--link",
            "specs/simple_transform.ll",
            "--buffer",
            "src=32",
            "--buffer",
            "d\x1b[2Jst=32",
        ],
    );
    assert_eq!(status(&o), 0, "{}", err(&o));
    assert_no_controls("run named.ll", &o.stdout);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("d\\x1b[2Jst = [7, 7,"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_100_mb_line_gives_a_short_diagnostic() {
    let dir = scratch("long_line");
    let mut text = b"@g = global [2 x i8] c\"".to_vec();
    text.resize(text.len() + 100_000_000, b'a');
    text.extend_from_slice(b"\" junk\n");
    std::fs::write(dir.join("long.ll"), &text).unwrap();
    drop(text);
    for args in [
        vec!["fmt", "long.ll"],
        vec!["assemble", "long.ll", "-o", "long.metallib"],
    ] {
        let o = airlink(&dir, &args);
        assert_eq!(status(&o), 1, "{args:?}");
        assert!(
            o.stderr.len() < 1000,
            "{args:?}: {} bytes of diagnostic",
            o.stderr.len()
        );
        assert!(err(&o).starts_with("long.ll:1:22: error: "), "{}", err(&o));
        // The caret is under the column: the excerpt starts at the line's
        // start (the column is near it) and the caret line has 21 blanks.
        let e = err(&o);
        let lines: Vec<&str> = e.lines().collect();
        assert!(
            lines[1].starts_with("@g = global [2 x i8] c\"aaa"),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with('…'));
        assert_eq!(lines[2], format!("{}^", " ".repeat(21)));
    }
    let _ = std::fs::remove_file(dir.join("long.ll"));
}

#[cfg(unix)]
#[test]
fn endless_inputs_stop_at_the_size_limit() {
    let dir = scratch("limits");
    std::fs::write(
        dir.join("specs/zero.toml"),
        std::fs::read_to_string(dir.join("specs/simple.toml"))
            .unwrap()
            .replace("inline = \"simple_transform.ll\"", "inline = \"/dev/zero\""),
    )
    .unwrap();
    for (args, want) in [
        (vec!["fmt", "/dev/zero"], "larger than the 1 GiB limit"),
        (vec!["inspect", "/dev/zero"], "larger than the 1 GiB limit"),
        (
            vec!["run", "/dev/zero", "--grid", "1"],
            "larger than the 1 GiB limit",
        ),
        (
            vec!["assemble", "/dev/zero", "-o", "z.metallib"],
            "larger than the 1 GiB limit",
        ),
        (vec!["shell", "/dev/zero"], "larger than the 1 MiB limit"),
        (
            vec!["run", "kernel.ll", "--grid", "1", "--link", "/dev/zero"],
            "larger than the 1 GiB limit",
        ),
        (
            vec!["shell", "specs/zero.toml"],
            "absolute paths are not allowed",
        ),
    ] {
        let o = airlink(&dir, &args);
        assert_eq!(status(&o), 1, "{args:?}: {}", err(&o));
        assert!(err(&o).contains(want), "{args:?}: {}", err(&o));
    }
}

#[cfg(unix)]
#[test]
fn a_spec_cannot_make_airlink_read_or_quote_files_outside_its_folder() {
    let dir = scratch("inline_escape");
    std::os::unix::fs::symlink("/etc/passwd", dir.join("specs/body.ll")).unwrap();
    for (inline, why) in [
        ("/etc/passwd", "absolute paths are not allowed"),
        ("../kernel.ll", "`..` is not allowed"),
        ("body.ll", "leads out of the spec's folder"),
    ] {
        std::fs::write(
            dir.join("specs/evil.toml"),
            std::fs::read_to_string(dir.join("specs/simple.toml"))
                .unwrap()
                .replace(
                    "inline = \"simple_transform.ll\"",
                    &format!("inline = \"{inline}\""),
                ),
        )
        .unwrap();
        for args in [
            vec!["shell", "specs/evil.toml", "--body", "inline"],
            // Visible mode: run links the spec's bodies itself.
            vec![
                "run",
                "specs/evil.toml",
                "--body",
                "visible",
                "--grid",
                "128",
                "--buffer",
                "src=128",
                "--buffer",
                "dst=128",
            ],
        ] {
            let o = airlink(&dir, &args);
            assert_eq!(status(&o), 1, "{inline} {args:?}: {}", err(&o));
            assert!(err(&o).contains(why), "{inline} {args:?}: {}", err(&o));
            assert!(!err(&o).contains("root:"), "{inline}: {}", err(&o));
        }
    }
}

#[test]
fn deep_or_long_expressions_are_usage_errors() {
    let dir = scratch("expressions");
    let parens = format!("src=1:{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let minuses = format!("src=1:{}1", "-".repeat(30_000));
    let chain = format!("src=1:1{}", "+1".repeat(30_000));
    let long = format!("src=[{}1]", "1,".repeat(40_000));
    for (value, why) in [
        (parens.as_str(), "nested too deeply"),
        (minuses.as_str(), "nested too deeply"),
        (chain.as_str(), "more than 1024 operators"),
        (long.as_str(), "over the 64 KiB limit"),
    ] {
        let o = airlink(
            &dir,
            &["run", "specs/simple.toml", "--grid", "1", "--buffer", value],
        );
        assert_eq!(status(&o), 2, "{}", &err(&o)[..err(&o).len().min(300)]);
        assert!(
            err(&o).contains(why),
            "{}",
            &err(&o)[..err(&o).len().min(300)]
        );
        let expect = value.replacen("src=1:", "dst=", 1);
        if !value.starts_with("src=[") {
            let o = airlink(
                &dir,
                &[
                    "run",
                    "specs/simple.toml",
                    "--grid",
                    "1",
                    "--expect",
                    &expect,
                ],
            );
            assert_eq!(status(&o), 2);
        }
    }
}
