//! `airlink assemble`: AIR text → `.metallib` (parse → verify → target
//! check → Apple's link step per entry → bitcode → container), or the
//! module's wrapped bitcode as parsed (`--emit-bc`).

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::io::{display_name, read_text, write_outputs};

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
--flavour llvm14 gives what `llvm-as-14 -preserve-bc-uselistorder=false` writes for it
(LLVM 14.0.6's bytes; --producer 14.0.N imitates another 14.x release).

A kernel module without the `SDK Version` module flag, the air.max_* flags or
!air.compile_options gets a one-line warning on standard error (the library is written all
the same): Apple's compiler always writes them, and one public report has pipeline creation
crash without them (docs/air-conventions.md#module-flags). `airlink shell` writes all of them.

--strip-debug removes debug info first, as `opt-14 -strip-debug` does: named metadata
llvm.dbg.* (the compile units), every !dbg attachment and debug location, the calls of
llvm.dbg.declare/value/addr/label, debug locations inside !llvm.loop nodes, and
!heapallocsite; the `Dwarf Version` and `Debug Info Version` module flags stay. Like
--emit-bc it parses the whole module at once.

The apple flavour writes the irsymtab producer (the compiler version) as --producer when
given, else the metalfe-X version of the module's !llvm.ident, else 32023.850.10. Apple's
compiler writes its own version even for text whose !llvm.ident names another, so pass
--producer to match a given toolchain (docs/bitcode-rules.md#the-irsymtab-producer).

Examples:
  airlink assemble kernel.ll -o kernel.metallib
  airlink assemble old.ll -o k.metallib --target macos26 --retarget
  airlink assemble kernel.ll --emit-bc kernel.bc --flavour llvm14

Exit status: 0 on success, 1 when the input has errors, 2 on a usage error.
Outputs are written all or none: on error every old output is left untouched.")]
#[command(group(
    clap::ArgGroup::new("outputs")
        .args(["output", "emit_bc"])
        .required(true)
        .multiple(true)
))]
pub struct Opts {
    /// The AIR text file (`-` for standard input).
    input: PathBuf,
    /// Where to write the library (at least one of --output and --emit-bc).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also (or only) write the module's wrapped bitcode, as parsed.
    #[arg(long, value_name = "OUT.bc")]
    emit_bc: Option<PathBuf>,
    /// Bitcode flavour: `apple` (default for Metal) or `llvm14` (llvm-as-14's bytes).
    #[arg(long, value_parser = ["apple", "llvm14"], default_value = "apple")]
    flavour: String,
    /// Target id (iOS bytes unverified).
    #[arg(long, value_parser = target_ids())]
    target: Option<String>,
    /// Rewrite a mismatching triple and version metadata for the target.
    #[arg(long)]
    retarget: bool,
    /// apple flavour: the irsymtab producer (the compiler version, e.g.
    /// `32023.850.10`), which wins over the `metalfe-X` version of
    /// `!llvm.ident`; llvm14 flavour: the LLVM 14 release whose producer
    /// strings to write (default `14.0.6`).
    #[arg(long, value_name = "VERSION")]
    producer: Option<String>,
    /// Threads for linking and encoding entries (0 = all cores). The output
    /// is the same for every value.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Remove debug info before assembling (what `opt-14 -strip-debug`
    /// removes; see below).
    #[arg(long)]
    strip_debug: bool,
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

/// The `--target` values: every id of `air_target::TARGETS`, so a wrong
/// one is a usage error listing them.
pub fn target_ids() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(air_target::TARGETS.iter().map(|t| t.id))
}

fn parse_flavour(s: &str) -> Result<air_bitcode::Flavour> {
    match s {
        "apple" => Ok(air_bitcode::Flavour::Apple),
        "llvm14" => Ok(air_bitcode::Flavour::Llvm14),
        other => bail!("unknown bitcode flavour {other:?} (apple, llvm14)"),
    }
}

impl Opts {
    /// The assembler's options for this command line.
    fn options(&self, flavour: air_bitcode::Flavour) -> air_assemble::Options<'_> {
        air_assemble::Options {
            target: match &self.target {
                Some(id) => air_assemble::TargetChoice::Id(id),
                None => air_assemble::TargetChoice::FromModule,
            },
            retarget: self.retarget,
            flavour,
            producer: self.producer.as_deref(),
            threads: self.threads,
            ..air_assemble::Options::default()
        }
    }

    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let flavour = parse_flavour(&self.flavour)?;
        let name = display_name(&self.input);
        let text = read_text(&self.input)?;
        if let (Some(path), None, false) = (&self.output, &self.emit_bc, self.strip_debug) {
            // Only the library: from 256 KiB of text on, bodies are parsed
            // entry by entry, so a large input never has all of them in
            // memory at once. The process ends after the write: freeing
            // the parsed module's many small allocations one by one would
            // cost more than writing the library (1.7 ms for a 6 MB input),
            // for memory the exit returns.
            let options = air_assemble::Options {
                leak_parsed_input: true,
                ..self.options(flavour)
            };
            let input = air_assemble::Input::Text {
                text: &text,
                path: &name,
            };
            let library = library_bytes(input, &options)
                .map_err(|e| crate::fmt::not_a_spec(e, &self.input, &text))?;
            // Likewise the text: returning its pages to the system first
            // would only delay the write (about 0.5 ms per 6 MB), and the
            // peak is long past.
            std::mem::forget(text);
            warn_missing_metadata(&name, &library.missing_metadata);
            return write_outputs(&[(path, &library.bytes)]);
        }
        let mut module = parse_and_verify(&text, &name)
            .map_err(|e| crate::fmt::not_a_spec(e, &self.input, &text))?;
        if self.strip_debug {
            // One rule for every caller: air_ir::strip_debug_info.
            air_ir::strip_debug_info(&mut module);
        }
        // The text is only needed for diagnostics, which are over now; a
        // large input should not stay resident while it is encoded.
        drop(text);
        // Build every output before writing any, so an error leaves none.
        let bitcode = match &self.emit_bc {
            Some(_) => Some(
                encode(&module, flavour, &name, self.producer.as_deref())
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"))?,
            ),
            None => None,
        };
        let library = match &self.output {
            Some(_) => {
                let input = air_assemble::Input::Module {
                    module: &module,
                    path: &name,
                };
                Some(library_bytes(input, &self.options(flavour))?.bytes)
            }
            None => None,
        };
        warn_missing_metadata(&name, &air_assemble::missing_compiler_metadata(&module));
        let mut outputs = Vec::new();
        if let (Some(path), Some(bytes)) = (&self.emit_bc, &bitcode) {
            outputs.push((path, bytes));
        }
        if let (Some(path), Some(bytes)) = (&self.output, &library) {
            outputs.push((path, bytes));
        }
        write_outputs(&outputs)
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

/// One line on standard error when a kernel module lacks the metadata
/// Apple's compiler always writes (`air_assemble::compiler_metadata`); not
/// an error, the exit status stays 0.
fn warn_missing_metadata(name: &str, missing: &[&str]) {
    if !missing.is_empty() {
        crate::out::eprint_line(&air_assemble::missing_metadata_warning(name, missing));
    }
}

/// The library ([`air_assemble::assemble`]), with errors as `airlink`
/// prints them: parse and verify errors at their `file:line:col`, an
/// unknown target as a usage hint, the rest after the input's name.
pub fn library_bytes(
    input: air_assemble::Input<'_>,
    options: &air_assemble::Options<'_>,
) -> Result<air_assemble::Library> {
    use air_assemble::Error;
    air_assemble::assemble(input, options).map_err(|e| match e {
        Error::Parse(_) | Error::Invalid { .. } | Error::UnknownTarget { .. } => {
            anyhow::anyhow!("{e}")
        }
        e => anyhow::anyhow!("{}: {e}", input.path()),
    })
}

/// Builds a `.metallib` from a verified module with the Apple flavour and
/// no retargeting, for `target` (an id) or, without one, the target its
/// triple names.
pub fn assemble_module(
    module: &air_ir::Module,
    name: &str,
    target: Option<&str>,
) -> Result<Vec<u8>> {
    let options = air_assemble::Options {
        target: match target {
            Some(id) => air_assemble::TargetChoice::Id(id),
            None => air_assemble::TargetChoice::FromModule,
        },
        ..air_assemble::Options::default()
    };
    library_bytes(air_assemble::Input::Module { module, path: name }, &options)
        .map(|library| library.bytes)
}
