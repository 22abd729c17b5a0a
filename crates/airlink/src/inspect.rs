//! `airlink inspect`: describe a `.metallib`, dump it, extract its modules.

use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use metallib::{HashStatus, MetallibFile, ReadErrorKind};

use crate::io::{display_name, MAX_INPUT_BYTES};

/// Exit status when a function's HASH does not match its module.
const EXIT_HASH_BAD: i32 = 3;

/// Options of `airlink inspect`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Prints the header, the container and OS versions, whether the layout is Apple's (so that
`airlink strip` can rewrite it), the sections, the header extension's contents (UUID,
install name, embedded sources, reflection list) and per function its name, type,
AIR/MSL versions, module size, hash status (OK, BAD or MISSING), the module's triple, its
tags and its decoded metadata (function constants, debug location, dependency file).

Entries that share one module are hashed, read, printed (--ir) and written (--extract)
once; --extract writes the module under the first entry's name and says which entries
share it.

Examples:
  airlink inspect kernel.metallib
  airlink inspect kernel.metallib --dump
  airlink inspect kernel.metallib --extract modules/ --ir

Exit status: 0 on success, 1 when the file cannot be read or is malformed,
2 on a usage error, 3 when any function's HASH does not match its module.")]
pub struct Opts {
    /// The library (`-` for standard input).
    input: PathBuf,
    /// Print an annotated hex dump: offset | bytes | meaning.
    #[arg(long)]
    dump: bool,
    /// Write each module, exactly its MDSZ bytes, to DIR/NAME.bc.
    #[arg(long, value_name = "DIR")]
    extract: Option<PathBuf>,
    /// Print each module as LLVM text (airlink's own bitcode reader; no LLVM needed).
    #[arg(long)]
    ir: bool,
}

impl Opts {
    /// Runs the subcommand; exits with status 3 after printing when a hash
    /// is BAD.
    pub fn run(&self) -> Result<()> {
        let bytes = read_bytes(&self.input)?;
        let mut stdout = std::io::stdout().lock();
        let mut stderr = std::io::stderr().lock();
        let all_ok = self.inspect(&bytes, &mut stdout, &mut stderr)?;
        stdout.flush().context("cannot write standard output")?;
        if !all_ok {
            eprintln!(
                "error: {}: a HASH does not match its module",
                display_name(&self.input)
            );
            std::process::exit(EXIT_HASH_BAD);
        }
        Ok(())
    }

    /// Writes the report to `out` and notes to `notes`; `Ok(false)` when a
    /// hash is BAD.
    fn inspect(&self, bytes: &[u8], out: &mut impl Write, notes: &mut impl Write) -> Result<bool> {
        let name = display_name(&self.input);
        let file = parse_library(bytes, &self.input)?;
        let statuses = file.hash_statuses();
        out.write_all(metallib::inspect::summary_with_hashes(&file, &statuses).as_bytes())?;
        if self.dump {
            writeln!(out)?;
            out.write_all(metallib::inspect::dump(&file).as_bytes())?;
        }
        if let Some(dir) = &self.extract {
            extract(&file, dir, notes)?;
        }
        if self.ir {
            let mut first: HashMap<(u64, usize), &str> = HashMap::new();
            for f in file.functions() {
                if let Some(owner) = first.get(&f.module_key()) {
                    writeln!(
                        out,
                        "\n; ---- module of {}: the module of {owner} ----",
                        f.name
                    )?;
                    continue;
                }
                first.insert(f.module_key(), f.name);
                writeln!(out, "\n; ---- module of {} ----", f.name)?;
                let module = air_bitcode::read_module(f.module).map_err(|e| {
                    anyhow::anyhow!("{name}: the module of {} does not read: {e}", f.name)
                })?;
                out.write_all(air_ir::print(&module).as_bytes())?;
            }
        }
        Ok(statuses.iter().all(|s| *s != HashStatus::Bad))
    }
}

/// Parses a library for a subcommand; an input that is not one gets an
/// error that says what it looks like and which command takes it.
pub(crate) fn parse_library<'a>(bytes: &'a [u8], path: &Path) -> Result<MetallibFile<'a>> {
    let name = display_name(path);
    MetallibFile::parse(bytes).map_err(|e| {
        let hint = match e.kind {
            ReadErrorKind::BadMagic { .. } => not_a_library_hint(bytes, &name),
            _ => None,
        };
        match hint {
            Some(hint) => anyhow::anyhow!("{name}: error: {e}\n{hint}"),
            None => anyhow::anyhow!("{name}: error: {e}"),
        }
    })
}

/// What a file that is not a library looks like, and what to run instead.
fn not_a_library_hint(bytes: &[u8], name: &str) -> Option<String> {
    let bitcode = bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) || bytes.starts_with(b"BC\xC0\xDE");
    if bitcode {
        return Some(format!(
            "note: {name} looks like LLVM bitcode, not a .metallib; `airlink fmt {name}` prints it as text"
        ));
    }
    // Text: the start is UTF-8 (a character cut at the end of the window
    // is fine) and has something only AIR/LLVM text has.
    let head = &bytes[..bytes.len().min(4096)];
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    let markers = [
        "target triple",
        "source_filename",
        "define ",
        "declare ",
        "; ModuleID",
        "!air.",
    ];
    markers.iter().any(|m| text.contains(m)).then(|| {
        format!(
            "note: {name} looks like AIR text, not a .metallib; `airlink fmt {name}` checks and \
             prints it, `airlink assemble {name} -o OUT.metallib` builds a library from it"
        )
    })
}

/// Reads a whole library; `-` reads standard input. Inputs over
/// [`MAX_INPUT_BYTES`] are refused (a device that never ends, such as
/// `/dev/zero`, stops there).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    read_bytes_limited(path, MAX_INPUT_BYTES)
}

fn read_bytes_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut b = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .take(limit + 1)
            .read_to_end(&mut b)
            .context("cannot read standard input")?;
    } else {
        std::fs::File::open(path)
            .and_then(|f| f.take(limit + 1).read_to_end(&mut b))
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    if b.len() as u64 > limit {
        bail!(
            "{}: input is larger than the {limit}-byte limit",
            display_name(path)
        );
    }
    Ok(b)
}

/// Writes `DIR/NAME.bc` per distinct module, named after the first entry
/// that uses it; later entries that share it are listed in a note. Names
/// are used as file names, so ones that could escape the directory are
/// refused, and so is a name that two different modules would need.
fn extract(file: &MetallibFile<'_>, dir: &Path, notes: &mut impl Write) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    // First entry of each module, and the entries that share it.
    let mut owner: HashMap<(u64, usize), usize> = HashMap::new();
    let mut sharers: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    let mut written: HashMap<&str, (u64, usize)> = HashMap::new();
    for f in file.functions() {
        let unsafe_name =
            f.name.is_empty() || f.name.starts_with('.') || f.name.contains(['/', '\\', '\0']);
        if unsafe_name {
            bail!("function name {:?} cannot be used as a file name", f.name);
        }
        if let Some(&first) = owner.get(&f.module_key()) {
            sharers.entry(first).or_default().push(f.name);
            continue;
        }
        if written.get(f.name).is_some_and(|k| *k != f.module_key()) {
            bail!(
                "two functions named {:?} have different modules; they cannot both be {}.bc",
                f.name,
                f.name
            );
        }
        owner.insert(f.module_key(), f.index);
        written.insert(f.name, f.module_key());
        let path = dir.join(format!("{}.bc", f.name));
        std::fs::write(&path, f.module)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    for (first, names) in sharers {
        const SHOWN: usize = 5;
        let f = &file.functions()[first];
        let mut list = names[..names.len().min(SHOWN)].join(", ");
        if names.len() > SHOWN {
            list.push_str(", ...");
        }
        writeln!(
            notes,
            "note: {} more entr{} share the module of {} ({}), written once: {list}",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            f.name,
            dir.join(format!("{}.bc", f.name)).display()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use metallib::raw::{FunctionType, Versions};

    fn library() -> Vec<u8> {
        let target = air_target::Target::by_id("macos26").unwrap();
        let mut b = metallib::Builder::for_target(target);
        b.add_function(metallib::NewFunction {
            name: "k".into(),
            function_type: FunctionType::KERNEL,
            versions: Versions::for_target(target),
            module: vec![0; 16],
        });
        b.write().unwrap()
    }

    fn opts(dump: bool) -> Opts {
        Opts {
            input: PathBuf::from("lib.metallib"),
            dump,
            extract: None,
            ir: false,
        }
    }

    #[test]
    fn reports_functions_and_hash_status() {
        let bytes = library();
        let mut out = Vec::new();
        assert!(opts(true)
            .inspect(&bytes, &mut out, &mut Vec::new())
            .unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[0] k"), "{text}");
        assert!(text.contains("hash OK"), "{text}");
        assert!(text.contains("0x000000 | 4d 54 4c 42"), "{text}");

        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut out = Vec::new();
        assert!(!opts(false)
            .inspect(&bad, &mut out, &mut Vec::new())
            .unwrap());
        assert!(String::from_utf8(out).unwrap().contains("hash BAD"));
    }

    #[test]
    fn entries_sharing_a_module_are_extracted_and_printed_once() {
        // Three entries, one module (MetalASM writes such libraries).
        let mut lib = metallib::Builder::for_target(air_target::Target::by_id("macos26").unwrap());
        let text = "define void @k() {\nentry:\n  ret void\n}\n";
        let module = air_ir::parse(text, "k.ll").unwrap();
        let bc = air_bitcode::write_module(&module, &Default::default()).unwrap();
        for name in ["a", "b", "c"] {
            lib.add_function(metallib::NewFunction {
                name: name.into(),
                function_type: FunctionType::KERNEL,
                versions: Versions {
                    air: (2, 8),
                    msl: (4, 0),
                },
                module: air_bitcode::wrap_darwin(&bc),
            });
        }
        let mut lib = lib.into_library().unwrap();
        lib.modules.truncate(1);
        for f in &mut lib.functions {
            f.module = 0;
        }
        let bytes = lib.write().unwrap();
        let dir = std::env::temp_dir().join(format!("airlink-extract-{}", std::process::id()));
        let mut o = opts(false);
        o.extract = Some(dir.clone());
        o.ir = true;
        let (mut out, mut notes) = (Vec::new(), Vec::new());
        assert!(o.inspect(&bytes, &mut out, &mut notes).unwrap());
        let mut written: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        written.sort();
        assert_eq!(written, ["a.bc"]);
        let notes = String::from_utf8(notes).unwrap();
        assert!(
            notes.starts_with("note: 2 more entries share the module of a (")
                && notes.ends_with("a.bc), written once: b, c\n"),
            "{notes}"
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.matches("define void @k()").count(), 1, "{out}");
        assert!(
            out.contains("; ---- module of c: the module of a ----"),
            "{out}"
        );
        assert_eq!(
            out.matches("shares its module with [0] a").count(),
            2,
            "{out}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn inputs_over_the_size_limit_are_refused() {
        // A device that never ends stops at the limit.
        if Path::new("/dev/zero").exists() {
            let e = read_bytes_limited(Path::new("/dev/zero"), 4096)
                .unwrap_err()
                .to_string();
            assert_eq!(e, "/dev/zero: input is larger than the 4096-byte limit");
        }
        let bytes = read_bytes_limited(Path::new("/dev/null"), 4096).unwrap();
        assert!(bytes.is_empty());
    }

    #[test]
    fn malformed_files_are_errors_with_offsets() {
        let err = opts(false)
            .inspect(b"MTLB", &mut Vec::new(), &mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().contains("offset 0x0"), "{err}");
    }

    #[test]
    fn ir_prints_modules_with_the_bitcode_reader() {
        let text = "define void @k() {\nentry:\n  ret void\n}\n";
        let module = air_ir::parse(text, "k.ll").unwrap();
        let bc = air_bitcode::write_module(&module, &Default::default()).unwrap();
        let target = air_target::Target::by_id("macos26").unwrap();
        let mut b = metallib::Builder::for_target(target);
        b.add_function(metallib::NewFunction {
            name: "k".into(),
            function_type: FunctionType::KERNEL,
            versions: Versions::for_target(target),
            module: air_bitcode::wrap_darwin(&bc),
        });
        let lib = b.write().unwrap();
        let mut o = opts(false);
        o.ir = true;
        let mut out = Vec::new();
        o.inspect(&lib, &mut out, &mut Vec::new()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("; ---- module of k ----"), "{text}");
        assert!(text.contains("define void @k() {"), "{text}");

        // A module that is not bitcode is an error naming the function.
        let mut o = opts(false);
        o.ir = true;
        let err = o
            .inspect(&library(), &mut Vec::new(), &mut Vec::new())
            .unwrap_err();
        assert!(
            err.to_string().contains("the module of k does not read"),
            "{err}"
        );
    }
}
