//! `airlink demo`: the three reverse-linking shells, end to end, with no
//! input files and no Xcode.
//!
//! It writes the embedded example specs, generates each shell, assembles it
//! into a `.metallib` in-process, writes the AIR text, the MSL prototypes the
//! JIT side must match and the ABI manifest, then runs every case of the
//! seed's tests in both body modes on the CPU reference executor, and the
//! tiled example kernels (`examples/gemm`, `examples/attention`) in both
//! body modes and with the cooperative fallback.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use air_kernels::cpu::{self, Mode};
use air_kernels::{Case, Inputs, Kernel};
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
then runs every case of the seed's tests with visible and with inline bodies,
and the tiled example kernels (GEMM in float and with half inputs at
100x72x130, attention at sequence length 77 with head dimension 64; the
example files are written to examples/) with visible and inline bodies and
both again with the cooperative fallback, against f64 references, all on the
CPU reference executor. Nothing touches a GPU unless --gpu is given on a Mac.

--gpu runs the seed's cases on this Mac's GPU too (the MSL bodies JIT-compiled and
linked). They issue undocumented async-copy intrinsics and have never run on Apple
hardware: use a machine where a GPU reset would not hurt.

Exit status: 0 when every case passes, 1 otherwise.")]
pub struct Opts {
    /// Where to write the generated files.
    #[arg(long, default_value = "target/airlink-demo")]
    out: PathBuf,
    /// Also run the cases on this Mac's GPU (see below).
    #[arg(long)]
    gpu: bool,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let (report, all_pass) = run_demo(&self.out, self.gpu)?;
        crate::out::print(&report)?;
        anyhow::ensure!(all_pass, "some cases failed");
        Ok(())
    }
}

/// Runs the demo into `out` (and, with `gpu` on a Mac, on the GPU);
/// returns what it prints and whether every case passed.
pub fn run_demo(out: &Path, gpu: bool) -> Result<(String, bool)> {
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
    all_pass &= tiled_cases(out, &mut text)?;
    let gpu_ran = gpu && cfg!(target_os = "macos");
    #[cfg(target_os = "macos")]
    if gpu {
        all_pass &= gpu_cases(&mut text)?;
    }
    if gpu && !gpu_ran {
        writeln!(text, "--gpu: skipped, the GPU cases need Metal (macOS)")?;
    }
    text.push_str(&summary(all_pass, gpu_ran, out, &specs));
    Ok((text, all_pass))
}

/// What the run showed, and what it did not.
fn summary(all_pass: bool, gpu_ran: bool, out: &Path, specs: &Path) -> String {
    let verdict = if all_pass {
        "all cases pass"
    } else {
        "SOME CASES FAILED"
    };
    let gpu = if gpu_ran {
        "The GPU lines ran the same shells on this Mac with the MSL bodies JIT-compiled and linked\n\
         through MTLLinkedFunctions.privateFunctions; `airlink doctor` adds the capability probes."
    } else {
        "Nothing ran on a GPU: on a Mac, `airlink demo --gpu` adds GPU lines and `airlink doctor`\n\
         runs the hardware checks (README.md, \"What runs where\": a GPU reset is possible)."
    };
    format!(
        "{verdict}. What this shows: each shell is built from its spec and assembled in-process\n\
         into a .metallib, and computes the seed's expected values on the CPU reference executor,\n\
         airlink's model of how Metal runs a kernel (docs/executor-semantics.md). \"visible\" rows link\n\
         a hand-written AIR body where Metal would link JIT-compiled MSL; \"inline\" rows have the same\n\
         body copied into the shell (one monolithic kernel). The bodies: {}/*.ll. The tiled\n\
         GEMM and attention kernels ran the same way, and with the cooperative fallback, against\n\
         f64 references (their files: {}).\n{gpu}\n",
        specs.display(),
        out.join("examples").display()
    )
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

/// The tiled example kernels the demo runs: the ragged shapes of issue 21
/// (uniform random inputs).
fn tiled_demo_cases() -> Result<Vec<Case>> {
    Ok(vec![
        Case::gemm(Kernel::GemmF32, 100, 72, 130, Inputs::Uniform)?,
        Case::gemm(Kernel::GemmF16, 100, 72, 130, Inputs::Uniform)?,
        Case::attention(77)?,
    ])
}

/// Runs the tiled example kernels in every mode on the executor, one line
/// per kernel and mode, then whether each kernel's modes wrote bit-for-bit
/// the same output. Returns whether everything passed.
fn tiled_cases(out: &Path, text: &mut String) -> Result<bool> {
    let examples = out.join("examples");
    // Through the output policy, as every file airlink writes.
    let example_files: Vec<(PathBuf, &str)> = air_kernels::EMBEDDED
        .iter()
        .map(|(path, text)| (examples.join(path), *text))
        .collect();
    for (file, _) in &example_files {
        if let Some(folder) = file.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
    }
    write_outputs(&example_files)?;
    let mut all_pass = true;
    let mut identical = true;
    for case in tiled_demo_cases()? {
        let mut first: Option<Vec<u8>> = None;
        for mode in Mode::ALL {
            let program = cpu::program(case.kernel(), &examples, mode)?;
            let run = cpu::run(&case, &program, &cpu::Options::default())?;
            let c = &run.check;
            all_pass &= c.passed();
            writeln!(
                text,
                "{:<24} {:<20} {:>9} {:<7} max|err| {:.1e}  {EXECUTOR}",
                case.label(),
                mode.name(),
                format!("{}/{}", c.correct, c.total),
                if c.passed() { "correct" } else { "FAIL" },
                c.max_error
            )?;
            if let Some(w) = c.wrong.first() {
                writeln!(
                    text,
                    "    first mismatch: [{},{}] = {} (expected {} within {:.1e})",
                    w.row, w.col, w.got, w.want, w.bound
                )?;
            }
            match &first {
                None => first = Some(run.output),
                Some(bytes) => identical &= *bytes == run.output,
            }
        }
    }
    writeln!(
        text,
        "tiled kernels: the four modes wrote {} outputs",
        if identical {
            "bit-for-bit identical"
        } else {
            "DIFFERENT (FAIL)"
        }
    )?;
    Ok(all_pass && identical)
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
    fn the_summary_says_what_ran_where() {
        let here = summary(true, false, Path::new("out"), Path::new("out/specs"));
        assert!(
            here.starts_with("all cases pass. What this shows:"),
            "{here}"
        );
        assert!(here.contains("CPU reference executor"), "{here}");
        assert!(here.contains("hand-written AIR body"), "{here}");
        assert!(here.contains("The bodies: out/specs/*.ll."), "{here}");
        assert!(here.contains("(their files: out/examples)"), "{here}");
        assert!(here.contains("Nothing ran on a GPU"), "{here}");
        let mac = summary(false, true, Path::new("out"), Path::new("out/specs"));
        assert!(mac.starts_with("SOME CASES FAILED. "), "{mac}");
        assert!(!mac.contains("Nothing ran on a GPU"), "{mac}");
        assert!(mac.contains("privateFunctions"), "{mac}");
    }

    #[test]
    fn demo_builds_runs_and_passes() {
        let dir = std::env::temp_dir().join(format!("airlink-demo-test-{}", std::process::id()));
        let (text, pass) = run_demo(&dir, false).unwrap();
        assert!(pass, "{text}");
        // Five cases in two body modes, and three tiled kernels in four
        // modes, each on its own line.
        assert_eq!(text.matches(EXECUTOR).count(), 10 + 12, "{text}");
        assert!(
            text.contains(
                "gemm/f16 100x72x130      inline+cooperative   7200/7200 correct max|err|"
            ),
            "{text}"
        );
        assert!(
            text.contains("four modes wrote bit-for-bit identical outputs"),
            "{text}"
        );
        for stem in ["simple", "multi_buffer", "copy_2d"] {
            let lib = std::fs::read(dir.join(format!("{stem}.metallib"))).unwrap();
            let file = metallib::MetallibFile::parse(&lib).unwrap();
            assert!(!file.functions().is_empty());
            assert!(dir.join(format!("{stem}.json")).exists());
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
