//! The three reverse-linking tests of the seed (air.md §1.4–1.6), with the
//! seed's inputs and exact checks, runnable on any shell that has the
//! seed's buffers (found by argument name) and on any body.
//!
//! * [`Case`] runs one case on a [`Program`] and checks its buffers;
//! * [`run_suite`] generates the shells from a directory of example specs
//!   (`examples/specs/`) with `air-shell`, in the body mode and copy
//!   mechanism asked for, links the bodies and runs every case;
//! * [`write_embedded_specs`] writes the example specs this crate embeds,
//!   so a caller without the source tree (`airlink demo`) can do the same.

use std::path::{Path, PathBuf};

use air_shell::{BodyMode, Fallback};

use crate::error::{ExecError, Result};
use crate::exec::{Bindings, Launch, Options, RunReport};
use crate::program::{ArgKind, Program, Source};

/// One reverse-linking case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// §1.4: `dst[i] = transform_value(src[i])`, `x*3 + 7`, 128 threads in
    /// threadgroups of 32, within 0.01.
    Simple,
    /// §1.5 case 1: `C = A*B + 42` over 1024 elements, within 0.1.
    MultiBufferMulAdd,
    /// §1.5 case 2: `C = fma(A, B, 100)`.
    MultiBufferFma,
    /// §1.5 case 3: `C = sqrt(A) + 2*B`.
    MultiBufferSqrt,
    /// §1.6: an 8×4 tile of an 8×16 matrix goes to threadgroup memory, is
    /// scaled by 10 and comes back; the rest of `dst` stays −1.
    Copy2d,
}

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case name, e.g. `multi_buffer/fma`.
    pub name: String,
    /// Elements that matched.
    pub correct: usize,
    /// Elements checked.
    pub total: usize,
    /// Whether every element matched.
    pub pass: bool,
    /// The first mismatch, if any.
    pub first_mismatch: Option<String>,
    /// What the run did.
    pub report: RunReport,
    /// The output buffers after the run, by binding index (for comparing
    /// runs bit for bit).
    pub outputs: Vec<(u32, Vec<u8>)>,
}

impl Case {
    /// Every case, in the seed's order.
    pub const ALL: [Case; 5] = [
        Case::Simple,
        Case::MultiBufferMulAdd,
        Case::MultiBufferFma,
        Case::MultiBufferSqrt,
        Case::Copy2d,
    ];

    /// The name printed for the case.
    pub fn name(self) -> &'static str {
        match self {
            Case::Simple => "simple",
            Case::MultiBufferMulAdd => "multi_buffer/add",
            Case::MultiBufferFma => "multi_buffer/fma",
            Case::MultiBufferSqrt => "multi_buffer/sqrt",
            Case::Copy2d => "copy_2d",
        }
    }

    /// The example spec of the shell.
    pub fn spec_file(self) -> &'static str {
        match self {
            Case::Simple => "simple.toml",
            Case::MultiBufferMulAdd | Case::MultiBufferFma | Case::MultiBufferSqrt => {
                "multi_buffer.toml"
            }
            Case::Copy2d => "copy_2d.toml",
        }
    }

    /// The example body (next to the spec) that computes this case.
    pub fn body_file(self) -> &'static str {
        match self {
            Case::Simple => "simple_transform.ll",
            Case::MultiBufferMulAdd => "multi_buffer_compute.ll",
            Case::MultiBufferFma => "multi_buffer_fma.ll",
            Case::MultiBufferSqrt => "multi_buffer_sqrt.ll",
            Case::Copy2d => "copy_2d_process.ll",
        }
    }

    /// The dispatch of the seed's test.
    pub fn launch(self) -> Launch {
        match self {
            Case::Simple => Launch::linear(128, 32),
            Case::Copy2d => Launch::linear(32, 32),
            _ => Launch::linear(1024, 32),
        }
    }

    fn elements(self) -> usize {
        match self {
            Case::Simple => 128,
            Case::Copy2d => 8 * 16,
            _ => 1024,
        }
    }

    /// The buffers of the case by argument name, with their initial contents.
    fn inputs(self) -> Vec<(&'static str, Vec<f32>)> {
        let n = self.elements();
        match self {
            Case::Simple => vec![
                ("src", (0..n).map(|i| (i + 1) as f32).collect()),
                ("dst", vec![0.0; n]),
            ],
            Case::Copy2d => vec![
                (
                    "src",
                    (0..n).map(|i| (100 * (i / 16) + i % 16) as f32).collect(),
                ),
                ("dst", vec![-1.0; n]),
            ],
            _ => vec![
                ("A", (0..n).map(|i| (i + 1) as f32).collect()),
                ("B", (0..n).map(|i| 0.5 * i as f32 + 0.1).collect()),
                ("C", vec![0.0; n]),
            ],
        }
    }

    /// The output buffer's name, and the expected value and tolerance of
    /// element `i` (the seed's CPU reference, in f32).
    fn expected(self, i: usize) -> (&'static str, f32, f32) {
        let (a, b) = ((i + 1) as f32, 0.5 * i as f32 + 0.1);
        match self {
            Case::Simple => ("dst", (i + 1) as f32 * 3.0 + 7.0, 0.01),
            Case::MultiBufferMulAdd => ("C", a * b + 42.0, 0.1),
            Case::MultiBufferFma => ("C", a.mul_add(b, 100.0), 0.1),
            Case::MultiBufferSqrt => ("C", a.sqrt() + b * 2.0, 0.1),
            Case::Copy2d => {
                let (r, c) = (i / 16, i % 16);
                let v = if c < 4 {
                    (100 * r + c) as f32 * 10.0
                } else {
                    -1.0
                };
                ("dst", v, 0.1)
            }
        }
    }

    /// Runs the case on `program` (a shell with its bodies linked) and
    /// checks the result.
    ///
    /// # Errors
    /// A missing buffer argument, or any error of the run.
    pub fn run(self, program: &Program, options: &Options) -> Result<CaseResult> {
        let index_of = |name: &str| -> Result<u32> {
            program
                .kernel_args()
                .iter()
                .find_map(|a| match &a.kind {
                    ArgKind::Buffer { index, .. } if a.name == name => Some(*index),
                    _ => None,
                })
                .ok_or_else(|| {
                    ExecError::setup(format!(
                        "kernel @{} has no buffer `{name}`",
                        program.kernel_name()
                    ))
                })
        };
        let mut bindings = Bindings::new();
        for (name, data) in self.inputs() {
            bindings.set_f32(index_of(name)?, &data);
        }
        let report = program.run(&self.launch(), &mut bindings, options)?;
        let out_index = index_of(self.expected(0).0)?;
        let got = bindings.f32s(out_index).unwrap_or_default();
        let mut correct = 0;
        let mut first_mismatch = None;
        for i in 0..self.elements() {
            let (_, want, tol) = self.expected(i);
            match got.get(i) {
                Some(v) if (v - want).abs() < tol => correct += 1,
                other => {
                    first_mismatch.get_or_insert_with(|| {
                        format!("element {i}: got {other:?}, expected {want}")
                    });
                }
            }
        }
        let outputs = vec![(
            out_index,
            bindings.bytes(out_index).unwrap_or_default().to_vec(),
        )];
        Ok(CaseResult {
            name: self.name().to_string(),
            correct,
            total: self.elements(),
            pass: correct == self.elements(),
            first_mismatch,
            report,
            outputs,
        })
    }

    /// Generates this case's shell from the spec in `specs_dir` (with the
    /// case's body, in `body` mode with `fallback` copies) and builds the
    /// program to run: in visible mode the body module is linked, as
    /// `MTLLinkedFunctions` would link the JIT-compiled function.
    ///
    /// # Errors
    /// Spec, generation, parse or resolution errors.
    pub fn program(self, specs_dir: &Path, body: BodyMode, fallback: Fallback) -> Result<Program> {
        let spec_path = specs_dir.join(self.spec_file());
        let mut spec =
            air_shell::Spec::from_file(&spec_path).map_err(|e| ExecError::setup(e.to_string()))?;
        for f in &mut spec.functions {
            f.inline = Some(PathBuf::from(self.body_file()));
        }
        let options = air_shell::Options {
            body: Some(body),
            fallback: Some(fallback),
            copy_form: None,
        };
        let shell =
            air_shell::generate(&spec, &options).map_err(|e| ExecError::setup(e.to_string()))?;
        let name = format!(
            "{}.{}.{}.ll",
            self.spec_file().trim_end_matches(".toml"),
            body.name(),
            fallback.name()
        );
        let mut program = Program::new(
            Source::parse(&shell.ll_text(), &name)?,
            Some(&shell.manifest.kernel),
        )?;
        if body == BodyMode::Visible {
            program.link(Source::read(&specs_dir.join(self.body_file()))?);
        }
        Ok(program)
    }
}

/// Generates and runs every case from the specs in `specs_dir`.
///
/// # Errors
/// The first setup or run error (a case that runs but computes wrong
/// values is not an error: its [`CaseResult::pass`] is false).
pub fn run_suite(
    specs_dir: &Path,
    body: BodyMode,
    fallback: Fallback,
    options: &Options,
) -> Result<Vec<CaseResult>> {
    Case::ALL
        .iter()
        .map(|case| case.run(&case.program(specs_dir, body, fallback)?, options))
        .collect()
}

/// The example specs and bodies embedded in this crate (file name, text).
pub const EMBEDDED_SPECS: &[(&str, &str)] = &[
    (
        "simple.toml",
        include_str!("../../../examples/specs/simple.toml"),
    ),
    (
        "simple_transform.ll",
        include_str!("../../../examples/specs/simple_transform.ll"),
    ),
    (
        "multi_buffer.toml",
        include_str!("../../../examples/specs/multi_buffer.toml"),
    ),
    (
        "multi_buffer_compute.ll",
        include_str!("../../../examples/specs/multi_buffer_compute.ll"),
    ),
    (
        "multi_buffer_fma.ll",
        include_str!("../../../examples/specs/multi_buffer_fma.ll"),
    ),
    (
        "multi_buffer_sqrt.ll",
        include_str!("../../../examples/specs/multi_buffer_sqrt.ll"),
    ),
    (
        "copy_2d.toml",
        include_str!("../../../examples/specs/copy_2d.toml"),
    ),
    (
        "copy_2d_process.ll",
        include_str!("../../../examples/specs/copy_2d_process.ll"),
    ),
];

/// Writes [`EMBEDDED_SPECS`] into `dir` (created if needed), for
/// [`run_suite`] when the source tree is not at hand.
///
/// # Errors
/// I/O errors.
pub fn write_embedded_specs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in EMBEDDED_SPECS {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}
