//! `airlink inspect`: describe a `.metallib`, dump it, extract its modules.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use metallib::{HashStatus, MetallibFile};

use crate::io::display_name;

/// Exit status when a function's HASH does not match its module.
const EXIT_HASH_BAD: i32 = 3;

/// Options of `airlink inspect`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Prints the header, the container and OS versions, the sections, and per function its
name, type, AIR/MSL versions, module size, hash status (OK, BAD or MISSING) and the
module's triple.

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
        let all_ok = self.inspect(&bytes, &mut stdout)?;
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

    /// Writes the report to `out`; `Ok(false)` when a hash is BAD.
    fn inspect(&self, bytes: &[u8], out: &mut impl Write) -> Result<bool> {
        let name = display_name(&self.input);
        let file = MetallibFile::parse(bytes).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
        out.write_all(metallib::inspect::summary(&file).as_bytes())?;
        if self.dump {
            writeln!(out)?;
            out.write_all(metallib::inspect::dump(&file).as_bytes())?;
        }
        if let Some(dir) = &self.extract {
            extract(&file, dir)?;
        }
        if self.ir {
            for f in file.functions() {
                writeln!(out, "\n; ---- module of {} ----", f.name)?;
                let module = air_bitcode::read_module(f.module).map_err(|e| {
                    anyhow::anyhow!("{name}: the module of {} does not read: {e}", f.name)
                })?;
                out.write_all(air_ir::print(&module).as_bytes())?;
            }
        }
        Ok(file
            .functions()
            .iter()
            .all(|f| f.hash_status() != HashStatus::Bad))
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut b = Vec::new();
        std::io::stdin()
            .read_to_end(&mut b)
            .context("cannot read standard input")?;
        return Ok(b);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes `DIR/NAME.bc` per function; names are used as file names, so ones
/// that could escape the directory are refused.
fn extract(file: &MetallibFile<'_>, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for f in file.functions() {
        let unsafe_name =
            f.name.is_empty() || f.name.starts_with('.') || f.name.contains(['/', '\\', '\0']);
        if unsafe_name {
            bail!("function name {:?} cannot be used as a file name", f.name);
        }
        let path = dir.join(format!("{}.bc", f.name));
        std::fs::write(&path, f.module)
            .with_context(|| format!("cannot write {}", path.display()))?;
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
        assert!(opts(true).inspect(&bytes, &mut out).unwrap());
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("[0] k"), "{text}");
        assert!(text.contains("hash OK"), "{text}");
        assert!(text.contains("0x000000 | 4d 54 4c 42"), "{text}");

        let mut bad = bytes.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        let mut out = Vec::new();
        assert!(!opts(false).inspect(&bad, &mut out).unwrap());
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
