//! `airlink demo`: the three reverse-linking shells, end to end, with no
//! input files and no Xcode.
//!
//! It writes the embedded example specs, generates each shell, assembles it
//! into a `.metallib` in-process, writes the AIR text, the MSL prototypes the
//! JIT side must match and the ABI manifest, then runs every case of the
//! seed's tests in both body modes on the CPU reference executor.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use air_shell::seed::EMBEDDED_SPECS;
use air_shell::{BodyMode, Fallback};
use anyhow::{Context, Result};

use crate::io::write_outputs;
use crate::seed::{run_suite, CaseResult};

/// What runs the cases, printed on every line so nobody mistakes it for a GPU.
const EXECUTOR: &str = "cpu reference executor (docs/executor-semantics.md, not a GPU)";

/// The shells the demo builds, by spec file.
const SHELLS: [&str; 3] = ["simple.toml", "multi_buffer.toml", "copy_2d.toml"];

/// Options of `airlink demo`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Writes, for each of the three reverse-linking shells (simple, multi_buffer, copy_2d):
  NAME.metallib  the shell, assembled in-process (apple bitcode flavour)
  NAME.ll        its AIR text
  NAME.metal     the [[visible]] prototypes the JIT-compiled body must match
  NAME.json      the ABI manifest (buffers, scalars, visible functions)
then runs every case of the seed's tests with visible and with inline bodies.

Exit status: 0 when every case passes, 1 otherwise.")]
pub struct Opts {
    /// Where to write the generated files.
    #[arg(long, default_value = "target/airlink-demo")]
    out: PathBuf,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let (report, all_pass) = run_demo(&self.out)?;
        crate::out::print(&report)?;
        anyhow::ensure!(all_pass, "some cases failed");
        Ok(())
    }
}

/// Runs the demo into `out`; returns what it prints and whether every case
/// passed.
pub fn run_demo(out: &Path) -> Result<(String, bool)> {
    let mut text = String::new();
    let specs = out.join("specs");
    std::fs::create_dir_all(&specs)
        .with_context(|| format!("cannot create {}", specs.display()))?;
    // Through the output policy, as every file airlink writes.
    let spec_files: Vec<(PathBuf, &str)> = EMBEDDED_SPECS
        .iter()
        .map(|(name, text)| (specs.join(name), *text))
        .collect();
    write_outputs(&spec_files)?;
    writeln!(
        text,
        "airlink demo: reverse-linking shells from the embedded specs, written to {}",
        out.display()
    )?;

    // Every shell is built before any of its files is written; the files
    // are written all or none.
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for spec_file in SHELLS {
        let start = Instant::now();
        let spec = air_shell::Spec::from_file(&specs.join(spec_file))?;
        let shell = air_shell::generate(&spec, &air_shell::Options::default())?;
        let library = crate::assemble::assemble_module(
            &shell.module,
            &shell.module_name,
            Some(shell.manifest.target.as_str()),
        )?;
        let elapsed = start.elapsed();
        let stem = spec_file.trim_end_matches(".toml");
        let library_len = library.len();
        files.push((out.join(format!("{stem}.metallib")), library));
        files.push((out.join(format!("{stem}.ll")), shell.ll_text().into_bytes()));
        files.push((
            out.join(format!("{stem}.metal")),
            shell.msl_prototypes.clone().into_bytes(),
        ));
        files.push((
            out.join(format!("{stem}.json")),
            shell.manifest.to_json().into_bytes(),
        ));
        let visible: Vec<&str> = shell
            .manifest
            .visible
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        writeln!(
            text,
            "shell {stem:<13} kernel @{} for {}: {}.metallib {} bytes (+ .ll .metal .json), \
             spec to library in {:.1} ms; links [[visible]] {}",
            shell.manifest.kernel,
            shell.manifest.target,
            stem,
            library_len,
            elapsed.as_secs_f64() * 1e3,
            visible.join(", ")
        )?;
    }

    write_outputs(&files)?;

    let mut all_pass = true;
    for body in [BodyMode::Visible, BodyMode::Inline] {
        let results = run_suite(&specs, body, Fallback::None, &air_exec::Options::default())?;
        for r in &results {
            all_pass &= r.pass;
            writeln!(text, "{}", case_line(r, body))?;
        }
    }
    #[cfg(target_os = "macos")]
    {
        all_pass &= gpu_cases(&mut text)?;
    }
    writeln!(
        text,
        "{}",
        if all_pass {
            "all cases pass; `airlink doctor` runs the hardware checks on a Mac"
        } else {
            "SOME CASES FAILED"
        }
    )?;
    Ok((text, all_pass))
}

/// On a Mac: the same cases on the GPU, with the seed's MSL bodies
/// JIT-compiled and linked through `privateFunctions`. A machine without a
/// Metal device says so and skips them.
#[cfg(target_os = "macos")]
fn gpu_cases(text: &mut String) -> Result<bool> {
    use air_metal::apple::{run_case, Device};
    let device = match Device::system_default() {
        Ok(d) => d,
        Err(e) => {
            writeln!(text, "GPU cases skipped: {e}")?;
            return Ok(true);
        }
    };
    let name = device.info().name;
    let mut all_pass = true;
    for case in air_metal::cases::all() {
        let shell = case.shell()?;
        let library = air_metal::metallib_bytes(&shell)?;
        match run_case(
            &device,
            &case,
            &shell,
            &library,
            air_metal::LinkMode::Private,
        ) {
            Ok(run) => {
                let pass = run.check.passed();
                all_pass &= pass;
                writeln!(
                    text,
                    "{:<20} {:<8} {:>4}/{:<4} {:<15} GPU: {name}",
                    case.seed.name(),
                    "visible",
                    run.check.correct,
                    run.check.total,
                    if pass { "correct" } else { "CORRECT (FAIL)" }
                )?;
            }
            Err(e) => {
                all_pass = false;
                writeln!(
                    text,
                    "{:<20} visible  FAILED on GPU {name}: {e}",
                    case.seed.name()
                )?;
            }
        }
    }
    Ok(all_pass)
}

fn case_line(r: &CaseResult, body: BodyMode) -> String {
    let verdict = if r.pass { "correct" } else { "CORRECT (FAIL)" };
    let mut line = format!(
        "{:<20} {:<8} {:>4}/{:<4} {:<15} {EXECUTOR}",
        r.name,
        body.name(),
        r.correct,
        r.total,
        verdict
    );
    if let Some(m) = &r.first_mismatch {
        line.push_str(&format!("\n    first mismatch: {m}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_builds_runs_and_passes() {
        let dir = std::env::temp_dir().join(format!("airlink-demo-test-{}", std::process::id()));
        let (text, pass) = run_demo(&dir).unwrap();
        assert!(pass, "{text}");
        // Five cases in two body modes, each on its own line.
        assert_eq!(text.matches(EXECUTOR).count(), 10, "{text}");
        for stem in ["simple", "multi_buffer", "copy_2d"] {
            let lib = std::fs::read(dir.join(format!("{stem}.metallib"))).unwrap();
            let file = metallib::MetallibFile::parse(&lib).unwrap();
            assert!(!file.functions().is_empty());
            assert!(dir.join(format!("{stem}.json")).exists());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
