//! `airlink assemble`: AIR text → `.metallib` (parse → verify → target
//! check → Apple's link step per entry → bitcode → container), or the
//! module's wrapped bitcode as parsed (`--emit-bc`).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::io::{display_name, read_text, write_output};

/// Options of `airlink assemble`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
The target decides the module triple, the AIR and MSL versions and the container bytes.
Without --target, the target whose triple matches the input's is used, else macos26.
A module whose triple does not match the target is an error unless --retarget is given,
which rewrites the triple, !air.version and !air.language_version.

From 256 KiB of text on, function bodies are parsed entry by entry while the library is
built (peak memory about 2.5x the input instead of about 5x); bytes and errors are the same.
--emit-bc needs the whole module at once and turns this off.

--emit-bc writes the wrapped LLVM bitcode of the module exactly as parsed (no link step);
--flavour llvm14 gives what `llvm-as-14 -preserve-bc-uselistorder=false` writes for it.

Examples:
  airlink assemble kernel.ll -o kernel.metallib
  airlink assemble old.ll -o k.metallib --target macos26 --retarget
  airlink assemble kernel.ll --emit-bc kernel.bc --flavour llvm14

Exit status: 0 on success, 1 when the input has errors, 2 on a usage error.
Outputs are replaced atomically; on error they are left untouched.")]
pub struct Opts {
    /// The AIR text file (`-` for standard input).
    input: PathBuf,
    /// Where to write the library.
    #[arg(short, long, required_unless_present = "emit_bc")]
    output: Option<PathBuf>,
    /// Also (or only) write the module's wrapped bitcode, as parsed.
    #[arg(long, value_name = "OUT.bc")]
    emit_bc: Option<PathBuf>,
    /// Bitcode flavour: `apple` (default for Metal) or `llvm14` (llvm-as-14's bytes).
    #[arg(long, value_parser = ["apple", "llvm14"], default_value = "apple")]
    flavour: String,
    /// Target id: macos14, macos15, macos26, ios17, ios18, ios26 (iOS bytes unverified).
    #[arg(long)]
    target: Option<String>,
    /// Rewrite a mismatching triple and version metadata for the target.
    #[arg(long)]
    retarget: bool,
    /// irsymtab producer of the apple flavour when `!llvm.ident` names no
    /// `metalfe-X` version (default `32023.850.10`).
    #[arg(long, value_name = "VERSION")]
    producer: Option<String>,
    /// Threads for linking and encoding entries (0 = all cores). The output
    /// is the same for every value.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
}

/// Encodes a module in-process.
pub fn encode(
    module: &air_ir::Module,
    flavour: air_bitcode::Flavour,
    input_path: &str,
    producer: Option<&str>,
) -> Result<Vec<u8>, air_bitcode::EncodeError> {
    let options = air_bitcode::WriteOptions {
        flavour,
        input_path: input_path.to_string(),
        producer: producer.map(str::to_string),
    };
    air_bitcode::write_module(module, &options)
}

fn parse_flavour(s: &str) -> Result<air_bitcode::Flavour> {
    match s {
        "apple" => Ok(air_bitcode::Flavour::Apple),
        "llvm14" => Ok(air_bitcode::Flavour::Llvm14),
        other => bail!("unknown bitcode flavour {other:?} (apple, llvm14)"),
    }
}

/// Picks the target: the named one, else the one the triple matches, else
/// the default.
fn pick_target(id: Option<&str>, triple: Option<&str>) -> Result<&'static air_target::Target> {
    if let Some(id) = id {
        return air_target::Target::by_id(id).with_context(|| {
            format!(
                "unknown target {id:?}; known targets: {}",
                air_target::Target::ids()
            )
        });
    }
    let matching = triple.and_then(|t| air_target::TARGETS.iter().find(|x| x.matches_triple(t)));
    Ok(matching.unwrap_or_else(|| {
        air_target::Target::by_id(air_target::DEFAULT_TARGET).expect("default target exists")
    }))
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let flavour = parse_flavour(&self.flavour)?;
        let name = display_name(&self.input);
        let text = read_text(&self.input)?;
        if let (Some(path), None) = (&self.output, &self.emit_bc) {
            // Only the library: bodies are parsed entry by entry, so a
            // large input never has all of them in memory at once.
            let bytes = self.library_from_text(&text, &name, flavour)?;
            // The process ends after the write: returning the input's pages
            // to the system first would only delay it (about 0.5 ms per
            // 6 MB), and the peak is long past.
            std::mem::forget(text);
            return write_output(Some(path), &bytes);
        }
        let module = parse_and_verify(&text, &name)?;
        // The text is only needed for diagnostics, which are over now; a
        // large input should not stay resident while it is encoded.
        drop(text);
        // Build every output before writing any, so an error leaves none.
        let bitcode = match &self.emit_bc {
            Some(_) => Some(
                encode(&module, flavour, &name, self.producer.as_deref())
                    .map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?,
            ),
            None => None,
        };
        let library = match &self.output {
            Some(_) => Some(assemble_module_with(
                &module,
                &name,
                self.target.as_deref(),
                self.retarget,
                flavour,
                self.producer.as_deref(),
                self.threads,
            )?),
            None => None,
        };
        if let (Some(path), Some(bytes)) = (&self.emit_bc, &bitcode) {
            write_output(Some(path), bytes)?;
        }
        if let (Some(path), Some(bytes)) = (&self.output, &library) {
            write_output(Some(path), bytes)?;
        }
        Ok(())
    }
}

impl Opts {
    /// The library straight from the text ([`metallib::TextModule`]: same
    /// bytes and errors as parse, verify and assemble in a row).
    fn library_from_text(
        &self,
        text: &str,
        name: &str,
        flavour: air_bitcode::Flavour,
    ) -> Result<Vec<u8>> {
        let render = |e: metallib::TextError| match e {
            metallib::TextError::Parse(e) => anyhow::anyhow!("{e}"),
            metallib::TextError::Invalid { module, map, error } => anyhow::anyhow!(
                "{}",
                air_ir::render_verify_error(text, name, &module, &map, &error)
            ),
            e => anyhow::anyhow!("{name}: error: {e}"),
        };
        let parsed = metallib::TextModule::parse(text, name).map_err(render)?;
        let target = pick_target(self.target.as_deref(), parsed.module().triple.as_deref())?;
        let options = metallib::AssembleOptions {
            target,
            retarget: self.retarget,
            threads: self.threads,
        };
        let library = parsed
            .assemble(&options, |m| {
                encode(m, flavour, name, self.producer.as_deref()).map_err(|e| e.to_string())
            })
            .map_err(render);
        // Only the write and the exit are left: freeing the module's many
        // small allocations one by one would cost more than writing the
        // library (1.7 ms for a 6 MB input), for memory the exit returns.
        std::mem::forget(parsed);
        library
    }
}

/// Parses and verifies, rendering errors with file:line:col.
pub fn parse_and_verify(text: &str, name: &str) -> Result<air_ir::Module> {
    let (module, map) =
        air_ir::parse_with_source_map(text, name).map_err(|e| anyhow::anyhow!("{e}"))?;
    air_ir::verify(&module).map_err(|e| {
        anyhow::anyhow!(
            "{}",
            air_ir::render_verify_error(text, name, &module, &map, &e)
        )
    })?;
    Ok(module)
}

/// Builds a `.metallib` from a verified module.
pub fn assemble_module(
    module: &air_ir::Module,
    name: &str,
    target: Option<&str>,
    retarget: bool,
    flavour: air_bitcode::Flavour,
) -> Result<Vec<u8>> {
    assemble_module_with(module, name, target, retarget, flavour, None, 0)
}

/// [`assemble_module`] with an irsymtab producer for the apple flavour
/// (used when `!llvm.ident` names no `metalfe-X` version) and a thread
/// count (0 = all cores).
pub fn assemble_module_with(
    module: &air_ir::Module,
    name: &str,
    target: Option<&str>,
    retarget: bool,
    flavour: air_bitcode::Flavour,
    producer: Option<&str>,
    threads: usize,
) -> Result<Vec<u8>> {
    let target = pick_target(target, module.triple.as_deref())?;
    let options = metallib::AssembleOptions {
        target,
        retarget,
        threads,
    };
    metallib::assemble(module, &options, |m| {
        // After the link step every module has its entry's name as
        // source_filename, so the input path is never used here.
        encode(m, flavour, name, producer).map_err(|e| e.to_string())
    })
    .map_err(|e| anyhow::anyhow!("{name}: error: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_defaults_follow_the_triple() {
        assert_eq!(
            pick_target(None, Some("air64_v27-apple-macosx15.0.0"))
                .unwrap()
                .id,
            "macos15"
        );
        assert_eq!(
            pick_target(None, Some("x86_64-unknown-linux")).unwrap().id,
            "macos26"
        );
        assert_eq!(pick_target(None, None).unwrap().id, "macos26");
        assert_eq!(pick_target(Some("ios18"), None).unwrap().id, "ios18");
        assert!(pick_target(Some("macos9"), None).is_err());
    }
}
