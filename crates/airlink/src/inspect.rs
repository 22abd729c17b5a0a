//! `airlink inspect`: describe a `.metallib`, dump it, extract its modules.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use metallib::MetallibFile;

use crate::io::{display_name, read_input, write_outputs, MAX_INPUT_BYTES};
use crate::out::{bad_hashes, hash_mismatch, stdout_error};

/// Options of `airlink inspect`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Prints the header, the container and OS versions, the sections, and per function its
name, type, AIR/MSL versions, module size, hash status (OK, BAD or MISSING) and the
module's triple. Names are shown with control characters escaped.

--extract writes DIR/NAME.bc for every function, all or none: names that are empty,
start with a dot, contain a path separator or a control character, or are given
twice (ignoring case, as macOS's file system does) are refused before anything is
written, and so is a NAME.bc that is a symbolic link.

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
    /// Runs the subcommand; a BAD hash is an error with exit status 3
    /// after the report is printed.
    pub fn run(&self) -> Result<()> {
        let bytes = read_input(&self.input, MAX_INPUT_BYTES)?;
        let mut stdout = std::io::stdout().lock();
        let bad = self.inspect(&bytes, &mut stdout)?;
        stdout.flush().map_err(stdout_error)?;
        if !bad.is_empty() {
            return Err(hash_mismatch(&display_name(&self.input), &bad, true));
        }
        Ok(())
    }

    /// Writes the report to `out`; returns the functions whose hash is
    /// BAD.
    fn inspect(&self, bytes: &[u8], out: &mut impl Write) -> Result<Vec<String>> {
        let name = display_name(&self.input);
        let file = MetallibFile::parse(bytes).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let mut put = |text: &str| out.write_all(text.as_bytes()).map_err(stdout_error);
        put(&metallib::inspect::summary(&file))?;
        if self.dump {
            put("\n")?;
            put(&metallib::inspect::dump(&file))?;
        }
        if let Some(dir) = &self.extract {
            extract(&file, dir)?;
        }
        if self.ir {
            for f in file.functions() {
                let function = terminal_text::escape(f.name);
                put(&format!("\n; ---- module of {function} ----\n"))?;
                let module = air_bitcode::read_module(f.module).map_err(|e| {
                    anyhow::anyhow!("{name}: the module of {function} does not read: {e}")
                })?;
                put(&air_ir::print(&module))?;
            }
        }
        Ok(bad_hashes(&file))
    }
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

/// Writes `DIR/NAME.bc` per function, all or none, after checking every
/// name: nothing is created when one is refused.
fn extract(file: &MetallibFile<'_>, dir: &Path) -> Result<()> {
    let mut seen = HashSet::new();
    let mut outputs = Vec::new();
    for f in file.functions() {
        if let Some(why) = unusable_name(f.name) {
            bail!(
                "function name \"{}\" cannot be a file name ({why}); nothing was extracted",
                terminal_text::escape(f.name)
            );
        }
        // Case-insensitive file systems (macOS by default) would make two
        // names that differ in case one file.
        if !seen.insert(f.name.to_lowercase()) {
            bail!(
                "two functions are named \"{}\" (ignoring case), so one file would overwrite \
                 the other; nothing was extracted",
                terminal_text::escape(f.name)
            );
        }
        outputs.push((dir.join(format!("{}.bc", f.name)), f.module));
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    write_outputs(&outputs)
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
        assert!(opts(true).inspect(&bytes, &mut out).unwrap().is_empty());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[0] k"), "{text}");
        assert!(text.contains("hash OK"), "{text}");
        assert!(text.contains("0x000000 | 4d 54 4c 42"), "{text}");

        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut out = Vec::new();
        assert_eq!(opts(false).inspect(&bad, &mut out).unwrap(), ["k"]);
        assert!(String::from_utf8(out).unwrap().contains("hash BAD"));
    }

    #[test]
    fn malformed_files_are_errors_with_offsets() {
        let err = opts(false).inspect(b"MTLB", &mut Vec::new()).unwrap_err();
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
        o.inspect(&lib, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("; ---- module of k ----"), "{text}");
        assert!(text.contains("define void @k() {"), "{text}");

        // A module that is not bitcode is an error naming the function.
        let mut o = opts(false);
        o.ir = true;
        let err = o.inspect(&library(), &mut Vec::new()).unwrap_err();
        assert!(
            err.to_string().contains("the module of k does not read"),
            "{err}"
        );
    }
}
