use super::*;

/// A fresh folder under the system's temporary folder, removed on drop.
fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("file-io-test.")
        .tempdir()
        .unwrap()
}

/// Everything in `dir`, sorted (to see that no temporary was left).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write(outputs: &[(&Path, &[u8])], inputs: &[FileId]) -> Result<Vec<u8>> {
    let mut stdout = Vec::new();
    write_all_or_none(outputs, inputs, &mut stdout)?;
    Ok(stdout)
}

#[test]
fn inputs_over_the_limit_are_refused_before_reading() {
    let dir = scratch();
    let path = dir.path().join("big.ll");
    std::fs::write(&path, "x".repeat(100)).unwrap();
    assert_eq!(read_file(&path, 100).unwrap().bytes.len(), 100);
    let e = read_file(&path, 99).unwrap_err();
    assert!(matches!(e, Error::TooLarge { limit: 99, .. }), "{e}");
    assert!(e
        .to_string()
        .ends_with("big.ll: input is larger than the 99-byte limit"));
    // A device that never ends stops at the limit.
    let e = read_file(Path::new("/dev/zero"), 4096).unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e}");
    let e = read_stream(io::repeat(0), "<stdin>", 1 << 20).unwrap_err();
    assert_eq!(
        e.to_string(),
        "<stdin>: input is larger than the 1 MiB limit"
    );
    assert_eq!(read_stream(&b"abc"[..], "<stdin>", 3).unwrap(), b"abc");
    let e = read_file(dir.path(), 100).unwrap_err();
    assert!(matches!(e, Error::Directory { .. }), "{e}");
    let e = read_file(&dir.path().join("missing"), 100).unwrap_err();
    assert!(e.to_string().contains("cannot read"), "{e}");
}

#[test]
fn size_texts() {
    assert_eq!(size_text(1 << 30), "1 GiB");
    assert_eq!(size_text(16 << 20), "16 MiB");
    assert_eq!(size_text(64 << 10), "64 KiB");
    assert_eq!(size_text(99), "99-byte");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_permissions_and_a_new_one_gets_the_usual_ones() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    let old = dir.path().join("tool.sh");
    std::fs::write(&old, "old").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o751)).unwrap();
    let new = dir.path().join("new.txt");
    write(&[(&old, b"new"), (&new, b"fresh")], &[]).unwrap();
    assert_eq!(std::fs::read(&old).unwrap(), b"new");
    assert_eq!(mode(&old), 0o751);
    // What `File::create` gives in the same folder (0666 less the umask).
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "").unwrap();
    assert_eq!(mode(&new), mode(&plain));
    assert_eq!(listing(dir.path()), ["new.txt", "plain.txt", "tool.sh"]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_neither_followed_nor_replaced() {
    let dir = scratch();
    let target = dir.path().join("precious");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("out.metallib");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let e = write(&[(&link, b"bytes")], &[]).unwrap_err();
    assert!(matches!(e, Error::Refused { .. }), "{e}");
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // A dangling link too: nothing is created where it points.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    assert!(write(&[(&dangling, b"x")], &[]).is_err());
    assert!(!dir.path().join("nowhere").exists());
}

#[cfg(unix)]
#[test]
fn temporaries_are_created_exclusively_with_unpredictable_names() {
    let dir = scratch();
    let out = dir.path().join("out.bin");
    // Links planted at every name a predictable scheme could use (the
    // writer before this crate used `.NAME.airlink-tmp-PID`).
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "victim").unwrap();
    for name in [
        format!(".out.bin.airlink-tmp-{}", std::process::id()),
        ".out.bin.airlink-tmp".to_string(),
        ".out.bin..airlink-tmp".to_string(),
    ] {
        std::os::unix::fs::symlink(&victim, dir.path().join(name)).unwrap();
    }
    write(&[(&out, b"output")], &[]).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"victim");
    assert_eq!(std::fs::read(&out).unwrap(), b"output");
    assert!(!std::fs::symlink_metadata(&out)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn devices_and_fifos_are_written_in_place_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    // /dev/null stays the device.
    write(&[(Path::new("/dev/null"), b"discarded")], &[]).unwrap();
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    // /dev/full: the write error is reported.
    if Path::new("/dev/full").exists() {
        let e = write(&[(Path::new("/dev/full"), b"x")], &[]).unwrap_err();
        assert!(matches!(e, Error::Write { .. }), "{e}");
    }
    // A FIFO gets the bytes and stays a FIFO.
    let dir = scratch();
    let fifo = dir.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    write(&[(&fifo, b"through the pipe")], &[]).unwrap();
    assert_eq!(reader.join().unwrap(), b"through the pipe");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn folders_and_missing_folders_are_refused() {
    let dir = scratch();
    let e = write(&[(dir.path(), b"x")], &[]).unwrap_err();
    assert!(e.to_string().contains("folder"), "{e}");
    let e = write(&[(&dir.path().join("no/such/out"), b"x")], &[]).unwrap_err();
    assert!(e.to_string().contains("does not exist"), "{e}");
}

#[cfg(unix)]
#[test]
fn an_output_that_is_an_input_is_refused_by_identity() {
    let dir = scratch();
    let input = dir.path().join("in.ll");
    std::fs::write(&input, "source").unwrap();
    let hard = dir.path().join("hard.ll");
    std::fs::hard_link(&input, &hard).unwrap();
    let via_link = dir.path().join("link.ll");
    std::os::unix::fs::symlink(&input, &via_link).unwrap();
    // Read through the link: the identity is the file's.
    let id = read_file(&via_link, 100).unwrap().id.unwrap();
    for out in [&input, &hard] {
        let e = write(&[(out.as_path(), b"clobber")], &[id]).unwrap_err();
        assert!(e.to_string().contains("also an input"), "{e}");
    }
    assert_eq!(std::fs::read(&input).unwrap(), b"source");
    // `./in.ll` spelled differently is still the same file.
    let other = dir.path().join(".").join("in.ll");
    assert!(write(&[(other.as_path(), b"x")], &[id]).is_err());
}

#[test]
fn a_path_given_twice_is_refused() {
    let dir = scratch();
    let a = dir.path().join("a.ll");
    let again = dir.path().join(".").join("a.ll");
    let e = write(&[(&a, b"1"), (&again, b"2")], &[]).unwrap_err();
    assert!(e.to_string().contains("two outputs"), "{e}");
    assert!(!a.exists());
}

#[test]
fn all_or_none_when_a_later_output_fails() {
    let dir = scratch();
    let first = dir.path().join("first.ll");
    std::fs::write(&first, "old first").unwrap();
    let blocked = dir.path().join("sub");
    std::fs::create_dir(&blocked).unwrap();
    // The second output is a folder: refused before anything is written.
    assert!(write(&[(&first, b"new"), (&blocked, b"x")], &[]).is_err());
    assert_eq!(std::fs::read(&first).unwrap(), b"old first");
    assert_eq!(listing(dir.path()), ["first.ll", "sub"]);
}

#[cfg(unix)]
#[test]
fn all_or_none_when_a_stream_fails_after_staging() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = scratch();
    let first = dir.path().join("first.ll");
    std::fs::write(&first, "old first").unwrap();
    let second = dir.path().join("second.ll");
    let e = write(
        &[
            (&first, b"new"),
            (Path::new("/dev/full"), b"x"),
            (&second, b"new"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(matches!(e, Error::Write { .. }), "{e}");
    assert_eq!(std::fs::read(&first).unwrap(), b"old first");
    assert_eq!(listing(dir.path()), ["first.ll"]);
}

/// A writer that fails like a closed pipe.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn all_or_none_when_standard_output_fails() {
    let dir = scratch();
    let out = dir.path().join("out.ll");
    std::fs::write(&out, "old").unwrap();
    let e = write_all_or_none(
        &[(&out, b"new"), (Path::new(STDOUT), b"text")],
        &[],
        &mut Closed,
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Stdout(c) if c.kind() == io::ErrorKind::BrokenPipe),
        "{e}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    assert_eq!(listing(dir.path()), ["out.ll"]);
    // And `-` goes to the given writer.
    assert_eq!(write(&[(Path::new("-"), b"text")], &[]).unwrap(), b"text");
}

#[cfg(unix)]
#[test]
fn an_unwritable_folder_leaves_every_output_untouched() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    let ok = dir.path().join("ok.ll");
    std::fs::write(&ok, "old").unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let inside = locked.join("out.ll");
    let result = write(&[(&ok, b"new"), (&inside, b"x")], &[]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Root may write anywhere; then both are written, which is also all.
    match result {
        Err(e) => {
            assert!(matches!(e, Error::Write { .. }), "{e}");
            assert_eq!(std::fs::read(&ok).unwrap(), b"old");
            assert_eq!(listing(dir.path()), ["locked", "ok.ll"]);
            assert!(listing(&locked).is_empty());
        }
        Ok(_) => assert_eq!(std::fs::read(&inside).unwrap(), b"x"),
    }
}
