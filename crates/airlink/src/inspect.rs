//! `airlink inspect`: describe a `.metallib`, dump it, extract its modules.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use metallib::{HashStatus, MetallibFile, ReadErrorKind};

use crate::io::{display_name, read_input, write_outputs, MAX_INPUT_BYTES};
use crate::out::{hash_mismatch, stdout_error, with_note};

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
share it. Names are shown with control characters escaped.

--extract writes its files all or none: names that are empty, start with a dot, contain
a path separator or a control character, or are given twice (ignoring case, as macOS's
file system does) are refused before anything is written, and so is a NAME.bc that is a
symbolic link.

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
        let bytes = read_input(&self.input, MAX_INPUT_BYTES)?;
        let mut stdout = std::io::stdout().lock();
        let mut stderr = std::io::stderr().lock();
        let bad = self.inspect(&bytes, &mut stdout, &mut stderr)?;
        stdout.flush().map_err(stdout_error)?;
        if !bad.is_empty() {
            return Err(hash_mismatch(&display_name(&self.input), &bad, true));
        }
        Ok(())
    }

    /// Writes the report to `out` and notes to `notes`; returns the
    /// functions whose hash is BAD.
    fn inspect(
        &self,
        bytes: &[u8],
        out: &mut impl Write,
        notes: &mut impl Write,
    ) -> Result<Vec<String>> {
        let name = display_name(&self.input);
        let file = parse_library(bytes, &self.input)?;
        let statuses = file.hash_statuses();
        let mut put = |text: &str| out.write_all(text.as_bytes()).map_err(stdout_error);
        put(&metallib::inspect::summary_with_hashes(&file, &statuses))?;
        if self.dump {
            put("\n")?;
            put(&metallib::inspect::dump(&file))?;
        }
        if let Some(dir) = &self.extract {
            extract(&file, dir, notes)?;
        }
        if self.ir {
            let mut first: HashMap<(u64, usize), &str> = HashMap::new();
            for f in file.functions() {
                let function = terminal_text::escape(f.name);
                if let Some(owner) = first.get(&f.module_key()) {
                    put(&format!(
                        "\n; ---- module of {function}: the module of {} ----\n",
                        terminal_text::escape(owner)
                    ))?;
                    continue;
                }
                first.insert(f.module_key(), f.name);
                put(&format!("\n; ---- module of {function} ----\n"))?;
                let module = air_bitcode::read_module(f.module).map_err(|e| {
                    anyhow::anyhow!("{name}: the module of {function} does not read: {e}")
                })?;
                put(&air_ir::print(&module))?;
            }
        }
        Ok(file
            .functions()
            .iter()
            .zip(&statuses)
            .filter(|(_, s)| **s == HashStatus::Bad)
            .map(|(f, _)| f.name.to_string())
            .collect())
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
            Some(hint) => with_note(anyhow::anyhow!("{name}: {e}"), &hint),
            None => anyhow::anyhow!("{name}: {e}"),
        }
    })
}

/// What a file that is not a library looks like, and what to run instead.
fn not_a_library_hint(bytes: &[u8], name: &str) -> Option<String> {
    let bitcode = bytes.starts_with(&[0xDE, 0xC0, 0x17, 0x0B]) || bytes.starts_with(b"BC\xC0\xDE");
    if bitcode {
        return Some(format!(
            "{name} looks like LLVM bitcode, not a .metallib; `airlink fmt {name}` prints it as text"
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
            "{name} looks like AIR text, not a .metallib; `airlink fmt {name}` checks and \
             prints it, `airlink assemble {name} -o OUT.metallib` builds a library from it"
        )
    })
}

/// Why `name` cannot be a file name under the extract folder, if it
/// cannot: names come from the library, so anything that could leave the
/// folder, hide the file or drive a terminal is refused.
fn unusable_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.contains(['/', '\\']) {
        Some("it contains a path separator")
    } else if name.starts_with('.') {
        Some("it starts with a dot")
    } else if name.chars().any(terminal_text::needs_escape) {
        Some("it contains a control character")
    } else if name.len() > 250 {
        Some("it is longer than 250 bytes")
    } else {
        None
    }
}

/// Writes `DIR/NAME.bc` per distinct module, named after the first entry
/// that uses it; later entries that share it are listed in a note. Names
/// are used as file names, so ones that could escape the directory are
/// refused, and so is a name that two different modules would need.
fn extract(file: &MetallibFile<'_>, dir: &Path, notes: &mut impl Write) -> Result<()> {
    // First entry of each module, and the entries that share it.
    let mut owner: HashMap<(u64, usize), usize> = HashMap::new();
    let mut sharers: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    // Case-insensitive file systems (macOS by default) would make two
    // names that differ in case one file.
    let mut seen = HashSet::new();
    let mut outputs = Vec::new();
    for f in file.functions() {
        if let Some(why) = unusable_name(f.name) {
            bail!(
                "function name \"{}\" cannot be a file name ({why}); nothing was extracted",
                terminal_text::escape(f.name)
            );
        }
        if let Some(&first) = owner.get(&f.module_key()) {
            sharers.entry(first).or_default().push(f.name);
            continue;
        }
        if !seen.insert(f.name.to_lowercase()) {
            bail!(
                "two functions are named \"{}\" (ignoring case) and have different modules, so \
                 one file would overwrite the other; nothing was extracted",
                terminal_text::escape(f.name)
            );
        }
        owner.insert(f.module_key(), f.index);
        outputs.push((dir.join(format!("{}.bc", f.name)), f.module));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_outputs(&outputs)?;
    for (first, names) in sharers {
        const SHOWN: usize = 5;
        let f = &file.functions()[first];
        let mut list = names[..names.len().min(SHOWN)]
            .iter()
            .map(|n| terminal_text::escape(n).to_string())
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > SHOWN {
            list.push_str(", ...");
        }
        writeln!(
            notes,
            "note: {} more entr{} share the module of {} ({}), written once: {list}",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            terminal_text::escape(f.name),
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
            .unwrap()
            .is_empty());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[0] k"), "{text}");
        assert!(text.contains("hash OK"), "{text}");
        assert!(text.contains("0x000000 | 4d 54 4c 42"), "{text}");

        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut out = Vec::new();
        assert_eq!(
            opts(false)
                .inspect(&bad, &mut out, &mut Vec::new())
                .unwrap(),
            ["k"]
        );
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
        assert!(o.inspect(&bytes, &mut out, &mut notes).unwrap().is_empty());
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
