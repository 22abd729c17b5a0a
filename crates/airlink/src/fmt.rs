//! `airlink fmt`: parse → verify → print canonical text.

use std::path::PathBuf;

use anyhow::Result;

use crate::io::{display_name, read_text, write_output};

/// Options of `airlink fmt`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  airlink fmt kernel.ll\n  airlink fmt kernel.ll -o kernel.canonical.ll\n  cat kernel.ll | airlink fmt -"
)]
pub struct Opts {
    /// The AIR text file (`-` for standard input).
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
        let text = read_text(&self.input)?;
        let canonical = format_text(&text, &display_name(&self.input), !self.no_verify)?;
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
