//! `airlink fmt`: parse → verify → print canonical text. Bitcode (`.bc`,
//! raw or wrapped) and `.metallib` inputs are recognised by their magic and
//! read with airlink's own bitcode reader, so no LLVM is needed.

use std::path::PathBuf;

use anyhow::Result;

use crate::io::{display_name, write_output};

/// Options of `airlink fmt`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  airlink fmt kernel.ll\n  airlink fmt kernel.ll -o kernel.canonical.ll\n  cat kernel.ll | airlink fmt -\n  airlink fmt kernel.bc\n  airlink fmt kernel.metallib"
)]
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
        let bytes = read_bytes(&self.input)?;
        let name = display_name(&self.input);
        let canonical = if air_bitcode::read::is_bitcode(&bytes) {
            format_bitcode(&bytes, &name, !self.no_verify)?
        } else if bytes.starts_with(b"MTLB") {
            format_metallib(&bytes, &name, !self.no_verify)?
        } else {
            let text = String::from_utf8(bytes).map_err(|e| {
                anyhow::anyhow!(
                    "{name}: input is not UTF-8 text, LLVM bitcode or a .metallib (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                )
            })?;
            format_text(&text, &name, !self.no_verify)?
        };
        write_output(self.output.as_deref(), canonical.as_bytes())
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

/// Reads `path` as bytes; `-` reads standard input.
fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>> {
    use anyhow::Context;
    use std::io::Read;
    if path == std::path::Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        return Ok(bytes);
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads one bitcode module (raw or wrapped), optionally verifies it, and
/// prints it.
pub fn format_bitcode(bytes: &[u8], name: &str, verify: bool) -> Result<String> {
    let module =
        air_bitcode::read_module(bytes).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
    if verify {
        air_ir::verify(&module).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
    }
    Ok(air_ir::print(&module))
}

/// Prints every function's module of a `.metallib`, each under a comment
/// line naming the function.
pub fn format_metallib(bytes: &[u8], name: &str, verify: bool) -> Result<String> {
    let file =
        metallib::MetallibFile::parse(bytes).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
    let mut out = String::new();
    for (i, f) in file.functions().iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("; ---- module of {} ----\n", f.name));
        out.push_str(&format_bitcode(
            f.module,
            &format!("{name}: module of {}", f.name),
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
        let out = format_metallib(&lib, "k.metallib", false).unwrap();
        assert!(out.starts_with("; ---- module of k ----\n"), "{out}");
        assert!(out.contains("define void @k()"), "{out}");
    }

    #[test]
    fn bad_bitcode_names_the_bit() {
        let bytes = module_bytes();
        let err = format_bitcode(&bytes[..40], "k.bc", false).unwrap_err();
        assert!(err.to_string().starts_with("k.bc: error: bit "), "{err}");
    }
}
