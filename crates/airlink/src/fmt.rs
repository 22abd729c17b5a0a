//! `airlink fmt`: parse → verify → print canonical text. Bitcode (`.bc`,
//! raw or wrapped) and `.metallib` inputs are recognised by their magic and
//! read with airlink's own bitcode reader, so no LLVM is needed.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::io::{display_name, read_input, write_output, MAX_INPUT_BYTES};

/// Options of `airlink fmt`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  airlink fmt kernel.ll
  airlink fmt kernel.ll -o kernel.canonical.ll
  cat kernel.ll | airlink fmt -
  airlink fmt kernel.bc
  airlink fmt kernel.metallib

Exit status: 0 on success, 1 when the input has errors, 2 on a usage error,
3 when a library's HASH does not match a module (the text is still written).")]
pub struct Opts {
    /// The AIR text, bitcode or .metallib file (`-` for standard input).
    input: PathBuf,
    /// Where to write the canonical text (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Print even if the verifier rejects the module.
    #[arg(long)]
    no_verify: bool,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let bytes = read_input(&self.input, MAX_INPUT_BYTES)?;
        let name = display_name(&self.input);
        let mut bad_hashes = Vec::new();
        let canonical = if air_bitcode::read::is_bitcode(&bytes) {
            format_bitcode(&bytes, &name, !self.no_verify)?
        } else if bytes.starts_with(b"MTLB") {
            let file = metallib::MetallibFile::parse(&bytes)
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            bad_hashes = crate::out::bad_hashes(&file);
            format_metallib(&file, &name, !self.no_verify)?
        } else {
            let text = crate::io::text(bytes, &name, ", LLVM bitcode or a .metallib")?;
            format_text(&text, &name, !self.no_verify)
                .map_err(|e| not_a_spec(e, &self.input, &text))?
        };
        write_output(self.output.as_deref(), canonical.as_bytes())?;
        // As `inspect`: the text is written, then the damage reported.
        if !bad_hashes.is_empty() {
            return Err(crate::out::hash_mismatch(&name, &bad_hashes, false));
        }
        Ok(())
    }
}

/// Parses, optionally verifies, and prints `text`; `name` labels diagnostics.
pub fn format_text(text: &str, name: &str, verify: bool) -> Result<String> {
    let (module, map) =
        air_ir::parse_with_source_map(text, name).map_err(|e| anyhow::anyhow!("{e}"))?;
    if verify {
        air_ir::verify(&module).map_err(|e| {
            anyhow::anyhow!(
                "{}",
                air_ir::render_verify_error(text, name, &module, &map, &e)
            )
        })?;
    }
    Ok(air_ir::print(&module))
}

/// A parse error of `text`, or, when `text` looks like a shell spec (a
/// `.toml` file, or TOML's comments, tables or keys where AIR text has
/// none), an error saying so and naming the command that reads specs.
pub fn not_a_spec(error: anyhow::Error, path: &Path, text: &str) -> anyhow::Error {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with(';'))
        .unwrap_or("");
    let key = first
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    let tomlish = first.starts_with('#')
        || first.starts_with('[')
        || key.is_some_and(|k| k != "source_filename");
    if !(tomlish || path.extension().is_some_and(|e| e == "toml")) {
        return error;
    }
    let shown = path.display();
    anyhow::anyhow!(
        "{shown}: this looks like a shell spec (TOML), not AIR text; \
         `airlink shell {shown}` generates the kernel's AIR text"
    )
}

/// Reads one bitcode module (raw or wrapped), optionally verifies it, and
/// prints it.
pub fn format_bitcode(bytes: &[u8], name: &str, verify: bool) -> Result<String> {
    let module = air_bitcode::read_module(bytes).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    if verify {
        air_ir::verify(&module).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    }
    Ok(air_ir::print(&module))
}

/// Prints every function's module of a `.metallib`, each under a comment
/// line naming the function (escaped: a name is input text).
pub fn format_metallib(
    file: &metallib::MetallibFile<'_>,
    name: &str,
    verify: bool,
) -> Result<String> {
    let mut out = String::new();
    for (i, f) in file.functions().iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let function = terminal_text::escape(f.name);
        out.push_str(&format!("; ---- module of {function} ----\n"));
        out.push_str(&format_bitcode(
            f.module,
            &format!("{name}: module of {function}"),
            verify,
        )?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module_bytes() -> Vec<u8> {
        let text = "source_filename = \"k.ll\"\n\ndefine void @k() {\nentry:\n  ret void\n}\n";
        let module = air_ir::parse(text, "k.ll").unwrap();
        air_bitcode::write_module(&module, &air_bitcode::WriteOptions::default()).unwrap()
    }

    #[test]
    fn bitcode_prints_like_the_text_it_came_from() {
        let out = format_bitcode(&module_bytes(), "k.bc", true).unwrap();
        assert!(out.contains("define void @k() {"), "{out}");
        assert!(out.contains("entry:"), "{out}");
    }

    #[test]
    fn metallib_prints_each_module() {
        let target = air_target::Target::by_id("macos26").unwrap();
        let mut b = metallib::Builder::for_target(target);
        b.add_function(metallib::NewFunction {
            name: "k".into(),
            function_type: metallib::raw::FunctionType::KERNEL,
            versions: metallib::raw::Versions::for_target(target),
            module: air_bitcode::wrap_darwin(&module_bytes()),
        });
        let lib = b.write().unwrap();
        let file = metallib::MetallibFile::parse(&lib).unwrap();
        let out = format_metallib(&file, "k.metallib", false).unwrap();
        assert!(out.starts_with("; ---- module of k ----\n"), "{out}");
        assert!(out.contains("define void @k()"), "{out}");
    }

    #[test]
    fn bad_bitcode_names_the_bit() {
        let bytes = module_bytes();
        let err = format_bitcode(&bytes[..40], "k.bc", false).unwrap_err();
        assert!(err.to_string().starts_with("k.bc: bit "), "{err}");
    }
}
