//! `airlink shell`: a reverse-linking kernel shell from a TOML spec.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::io::write_outputs;

/// `--body` values (shared by `shell` and `run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Body {
    /// Call `[[visible]]` functions resolved at pipeline creation.
    Visible,
    /// Link the spec's `.ll` bodies into the module.
    Inline,
}

/// `--fallback` values (shared by `shell` and `run`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Fallback {
    /// Async-copy intrinsics.
    None,
    /// Loads and stores by every thread, for GPUs where async copy fails.
    Cooperative,
}

/// Generator options from the command-line overrides.
pub fn shell_options(body: Option<Body>, fallback: Option<Fallback>) -> air_shell::Options {
    air_shell::Options {
        body: body.map(|b| match b {
            Body::Visible => air_shell::BodyMode::Visible,
            Body::Inline => air_shell::BodyMode::Inline,
        }),
        fallback: fallback.map(|f| match f {
            Fallback::None => air_shell::Fallback::None,
            Fallback::Cooperative => air_shell::Fallback::Cooperative,
        }),
        copy_form: None,
    }
}

/// Options of `airlink shell`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without an output option the AIR text goes to standard output.\n\n\
Outputs are written all or none: on error every old output is left untouched.\n\n\
Examples:\n  airlink shell examples/specs/simple.toml --emit-ll simple.ll --emit-msl simple.metal --manifest simple.json\n  \
airlink shell examples/specs/copy_2d.toml --body inline --fallback cooperative\n\n\
The spec format is documented in crates/air-shell/docs/shell-spec.md."
)]
pub struct Opts {
    /// The shell spec (TOML).
    spec: PathBuf,
    /// Write the .metallib here (assembled in-process, bitcode in the apple flavour).
    #[arg(short, long, value_name = "OUT.metallib")]
    output: Option<PathBuf>,
    /// Write the AIR module as text (`-` for standard output).
    #[arg(long, value_name = "F")]
    emit_ll: Option<PathBuf>,
    /// Write the MSL prototypes of the visible functions.
    #[arg(long, value_name = "F")]
    emit_msl: Option<PathBuf>,
    /// Write the JSON ABI manifest.
    #[arg(long, value_name = "F")]
    manifest: Option<PathBuf>,
    /// Override the spec's body mode.
    #[arg(long, value_enum)]
    body: Option<Body>,
    /// Override the spec's copy fallback.
    #[arg(long, value_enum)]
    fallback: Option<Fallback>,
}

/// Reads the spec at `path` through the command line's input (size limit,
/// remembered as an input so no output replaces it), with its inline body
/// files remembered too.
///
/// # Errors
/// The file cannot be read, is over `air_shell::limits::MAX_SPEC_BYTES`,
/// is not UTF-8 or is not a valid spec.
pub fn read_spec(path: &Path) -> Result<air_shell::Spec> {
    let bytes = crate::io::read_input(path, air_shell::limits::MAX_SPEC_BYTES)?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let spec = air_shell::Spec::from_toml_bytes(bytes, &crate::io::display_name(path), Some(&dir))?;
    for f in &spec.functions {
        if let Some(Ok(body)) = f
            .inline
            .as_ref()
            .map(|p| air_shell::inline::resolve(spec.base_dir.as_deref(), p))
        {
            crate::io::remember_input(&body);
        }
    }
    Ok(spec)
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let spec = read_spec(&self.spec)?;
        let options = shell_options(self.body, self.fallback);
        let shell = air_shell::generate(&spec, &options)?;
        // Every output is built before any is written, and all are written
        // or none.
        let library = match &self.output {
            Some(_) => Some(crate::assemble::assemble_module(
                &shell.module,
                &shell.module_name,
                Some(shell.manifest.target.as_str()),
            )?),
            None => None,
        };
        let ll_text = shell.ll_text();
        let manifest = shell.manifest.to_json();
        let mut outputs: Vec<(&Path, &[u8])> = Vec::new();
        if let (Some(path), Some(bytes)) = (&self.output, &library) {
            outputs.push((path, bytes));
        }
        if let Some(path) = &self.emit_ll {
            outputs.push((path, ll_text.as_bytes()));
        }
        if let Some(path) = &self.emit_msl {
            outputs.push((path, shell.msl_prototypes.as_bytes()));
        }
        if let Some(path) = &self.manifest {
            outputs.push((path, manifest.as_bytes()));
        }
        if outputs.is_empty() {
            outputs.push((Path::new("-"), ll_text.as_bytes()));
        }
        write_outputs(&outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(output: Option<PathBuf>, emit_ll: Option<PathBuf>) -> Opts {
        Opts {
            spec: PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../examples/specs/copy_2d.toml"
            )),
            output,
            emit_ll,
            emit_msl: None,
            manifest: None,
            body: Some(Body::Inline),
            fallback: Some(Fallback::Cooperative),
        }
    }

    #[test]
    fn writes_a_metallib_and_the_text() {
        let dir = std::env::temp_dir().join(format!("airlink-shell-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ll = dir.join("out.ll");
        let lib = dir.join("out.metallib");
        opts(Some(lib.clone()), Some(ll.clone())).run().unwrap();
        assert!(std::fs::read_to_string(&ll)
            .unwrap()
            .contains("@copy_2d_roundtrip_kernel"));
        let bytes = std::fs::read(&lib).unwrap();
        let file = metallib::MetallibFile::parse(&bytes).unwrap();
        let names: Vec<String> = file
            .functions()
            .iter()
            .map(|f| f.name.to_string())
            .collect();
        assert!(
            names.contains(&"copy_2d_roundtrip_kernel".to_string()),
            "{names:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
