//! Running a case on the CPU reference executor (`air-exec`): generate the
//! shell in a body mode and copy mechanism, link the AIR bodies as the
//! visible functions when the mode is visible (as `MTLLinkedFunctions`
//! would link the JIT-compiled MSL), bind the case's buffers, run, check.

use std::path::Path;
use std::time::{Duration, Instant};

/// The executor's run options (re-exported for callers of [`run`]).
pub use air_exec::Options;
use air_exec::{Bindings, Launch, Program, RunReport, Source};
use air_shell::{BodyMode, Fallback};

use crate::case::{Case, Check};
use crate::error::{Error, Result};
use crate::kernel::{Kernel, THREADS_PER_THREADGROUP};

/// How the shell gets its math and its tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mode {
    /// Visible functions (the `.ll` bodies linked as them here; JIT-compiled
    /// MSL on a Mac) or the `.ll` bodies imported into one kernel.
    pub body: BodyMode,
    /// Async copies, or the cooperative loads and stores instead.
    pub fallback: Fallback,
}

impl Mode {
    /// Every combination: visible, inline, then both with the cooperative
    /// fallback.
    pub const ALL: [Mode; 4] = [
        Mode::new(BodyMode::Visible, Fallback::None),
        Mode::new(BodyMode::Inline, Fallback::None),
        Mode::new(BodyMode::Visible, Fallback::Cooperative),
        Mode::new(BodyMode::Inline, Fallback::Cooperative),
    ];

    /// A mode.
    pub const fn new(body: BodyMode, fallback: Fallback) -> Mode {
        Mode { body, fallback }
    }

    /// `visible`, `inline`, `visible+cooperative`, `inline+cooperative`.
    pub fn name(self) -> String {
        match self.fallback {
            Fallback::None => self.body.name().to_string(),
            Fallback::Cooperative => format!("{}+cooperative", self.body.name()),
        }
    }
}

/// Generates `kernel`'s shell from the spec under `examples_dir` in `mode`
/// and builds the program to run; in visible mode every `.ll` body is
/// linked as the visible function of its name.
///
/// # Errors
/// Spec, generation, parse or resolution errors.
pub fn program(kernel: Kernel, examples_dir: &Path, mode: Mode) -> Result<Program> {
    let options = air_shell::Options {
        body: Some(mode.body),
        fallback: Some(mode.fallback),
        copy_form: None,
    };
    let shell = kernel.shell(Some(examples_dir), &options)?;
    let name = format!(
        "{}.{}.ll",
        kernel.spec_file().trim_end_matches(".toml"),
        mode.name()
    );
    let mut program = Program::new(
        Source::parse(&shell.ll_text(), &name)?,
        Some(&shell.manifest.kernel),
    )?;
    if mode.body == BodyMode::Visible {
        for body in kernel.bodies() {
            program.link(Source::read(
                &examples_dir.join(kernel.dir()).join(body.ll),
            )?);
        }
    }
    Ok(program)
}

/// A case's run on the executor.
#[derive(Clone, Debug)]
pub struct CpuRun {
    /// The comparison with the reference.
    pub check: Check,
    /// What the executor reports (steps, threadgroups).
    pub report: RunReport,
    /// The output buffer's bytes (for bit-for-bit comparisons of modes).
    pub output: Vec<u8>,
    /// Wall time of the run (binding and checking excluded).
    pub elapsed: Duration,
}

/// Runs `case` on `program` (from [`program`] for the case's kernel).
///
/// # Errors
/// A buffer the kernel does not have at the case's index, or any error
/// of the run. A run that computes wrong values is not an error: see
/// [`CpuRun::check`].
pub fn run(case: &Case, program: &Program, options: &Options) -> Result<CpuRun> {
    let mut bindings = Bindings::new();
    for b in case.buffers() {
        if program.buffer_index(b.name) != Some(b.index) {
            return Err(Error::Shape(format!(
                "kernel @{} has no buffer `{}` at index {} ({} expects it there)",
                program.kernel_name(),
                b.name,
                b.index,
                case.label()
            )));
        }
        bindings.set_bytes(b.index, b.bytes);
    }
    let launch = Launch::linear(case.threads(), THREADS_PER_THREADGROUP);
    let start = Instant::now();
    let report = program.run(&launch, &mut bindings, options)?;
    let elapsed = start.elapsed();
    let output = bindings
        .bytes(case.output_index())
        .unwrap_or_default()
        .to_vec();
    let values: Vec<f32> = output
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(CpuRun {
        check: case.check(&values),
        report,
        output,
        elapsed,
    })
}
