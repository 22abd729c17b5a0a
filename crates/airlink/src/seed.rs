//! The seed's reverse-linking cases ([`air_shell::seed`]) on the CPU
//! reference executor: generate each case's shell from the example specs
//! with `air-shell`, in the body mode and copy mechanism asked for, link
//! the body, run it with `air-exec` and check the output buffer.
//!
//! This is the only place that joins the shell generator and the executor
//! (`airlink demo` runs it); the executor itself knows nothing of specs.

use std::path::Path;

use air_exec::{Bindings, ExecError, Launch, Options, Program, Result, RunReport, Source};
use air_shell::seed::SeedCase;
use air_shell::{BodyMode, Fallback};

/// The outcome of one case on the executor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name, e.g. `multi_buffer_fma` ([`SeedCase::name`]).
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

/// Runs `case` on `program` (a shell with its body linked) and checks the
/// result.
///
/// # Errors
/// A missing buffer argument, or any error of the run.
pub fn run_case(case: SeedCase, program: &Program, options: &Options) -> Result<CaseResult> {
    let index_of = |name: &str| -> Result<u32> {
        program.buffer_index(name).ok_or_else(|| {
            ExecError::setup(format!(
                "kernel @{} has no buffer `{name}`",
                program.kernel_name()
            ))
        })
    };
    let mut bindings = Bindings::new();
    for buffer in case.buffers() {
        bindings.set_f32(index_of(buffer.name)?, &buffer.data);
    }
    let launch = Launch::linear(case.threads(), case.threads_per_threadgroup());
    let report = program.run(&launch, &mut bindings, options)?;
    let out_index = index_of(case.output())?;
    let got = bindings.f32s(out_index).unwrap_or_default();
    let check = case.check(&got);
    let first_mismatch = check
        .wrong
        .first()
        .map(|&(i, _, want)| format!("element {i}: got {:?}, expected {want}", got.get(i)));
    let outputs = vec![(
        out_index,
        bindings.bytes(out_index).unwrap_or_default().to_vec(),
    )];
    Ok(CaseResult {
        name: case.name().to_string(),
        correct: check.correct,
        total: check.total,
        pass: check.passed(),
        first_mismatch,
        report,
        outputs,
    })
}

/// Generates `case`'s shell from the spec in `specs_dir` (with the case's
/// body, in `body` mode with `fallback` copies) and builds the program to
/// run: in visible mode the body module is linked, as `MTLLinkedFunctions`
/// would link the JIT-compiled function.
///
/// # Errors
/// Spec, generation, parse or resolution errors.
pub fn program(
    case: SeedCase,
    specs_dir: &Path,
    body: BodyMode,
    fallback: Fallback,
) -> Result<Program> {
    let options = air_shell::Options {
        body: Some(body),
        fallback: Some(fallback),
        copy_form: None,
    };
    let shell = case
        .shell(Some(specs_dir), &options)
        .map_err(|e| ExecError::setup(e.to_string()))?;
    let name = format!(
        "{}.{}.{}.ll",
        case.spec_file().trim_end_matches(".toml"),
        body.name(),
        fallback.name()
    );
    let mut program = Program::new(
        Source::parse(&shell.ll_text(), &name)?,
        Some(&shell.manifest.kernel),
    )?;
    if body == BodyMode::Visible {
        program.link(Source::read(&specs_dir.join(case.body_file()))?);
    }
    Ok(program)
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
    SeedCase::ALL
        .iter()
        .map(|case| run_case(*case, &program(*case, specs_dir, body, fallback)?, options))
        .collect()
}

/// The seed's cases with their exact inputs and checks: first on the
/// hand-written corpus shells with the executor's test bodies, then on the
/// shells air-shell generates from `examples/specs/`, in both body modes
/// and with the cooperative fallback. (These tests lived in air-exec while
/// it generated shells itself.)
#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use air_exec::HostValue;

    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn corpus(name: &str) -> Source {
        Source::read(&repo().join("tests/corpus").join(name)).unwrap()
    }

    fn body(name: &str) -> Source {
        Source::read(&repo().join("crates/air-exec/tests/bodies").join(name)).unwrap()
    }

    fn assert_pass(r: &CaseResult) {
        assert!(
            r.pass,
            "{}: {}/{} correct, first mismatch: {:?}",
            r.name, r.correct, r.total, r.first_mismatch
        );
        assert_eq!(r.correct, r.total);
    }

    #[test]
    fn simple_on_the_corpus_shell() {
        let mut p = Program::new(corpus("simple_1d.ll"), None).unwrap();
        p.link(body("transform_value.ll"));
        let r = run_case(SeedCase::Simple, &p, &Options::default()).unwrap();
        assert_pass(&r);
        assert_eq!((r.correct, r.total), (128, 128));
        assert_eq!(r.report.threadgroups, 4);
    }

    #[test]
    fn simple_with_a_registered_closure() {
        let mut p = Program::new(corpus("simple_1d.ll"), None).unwrap();
        p.register("transform_value", "float (float)", |args| match args {
            [HostValue::Float(x)] => Ok(HostValue::Float(x * 3.0 + 7.0)),
            other => Err(format!("unexpected arguments {other:?}")),
        });
        assert_pass(&run_case(SeedCase::Simple, &p, &Options::default()).unwrap());
    }

    #[test]
    fn multi_buffer_on_the_corpus_shell_with_three_bodies() {
        for (case, file) in [
            (SeedCase::MultiBufferMulAdd, "compute_tile_mul_add.ll"),
            (SeedCase::MultiBufferFma, "compute_tile_fma.ll"),
            (SeedCase::MultiBufferSqrt, "compute_tile_sqrt.ll"),
        ] {
            let mut p = Program::new(corpus("multi_buffer.ll"), None).unwrap();
            p.link(body(file));
            let r = run_case(case, &p, &Options::default()).unwrap();
            assert_pass(&r);
            assert_eq!(r.total, 1024);
        }
    }

    #[test]
    fn copy_2d_on_the_corpus_shell() {
        let mut p = Program::new(corpus("copy_2d.ll"), None).unwrap();
        p.link(body("process_tile.ll"));
        let options = Options {
            trace: true,
            ..Options::default()
        };
        let r = run_case(SeedCase::Copy2d, &p, &options).unwrap();
        assert_pass(&r);
        assert_eq!(r.total, 128);
        // One simdgroup: copy in, wait, barrier, barrier, copy out, wait.
        let t = &r.report.trace;
        assert_eq!(t.len(), 6, "{t:#?}");
        assert!(
            t[0].contains("copy #0 2D device -> threadgroup, 4x8"),
            "{}",
            t[0]
        );
        assert!(t[1].contains("wait #0"));
        assert!(t[2].contains("air.wg.barrier (flags 2)"));
        assert!(t[4].contains("copy #1 2D threadgroup -> device"));
    }

    #[test]
    fn a_wrong_body_is_reported_with_its_first_mismatch() {
        // The fma body run as the mul-add case: computed, but wrong.
        let mut p = Program::new(corpus("multi_buffer.ll"), None).unwrap();
        p.link(body("compute_tile_fma.ll"));
        let r = run_case(SeedCase::MultiBufferMulAdd, &p, &Options::default()).unwrap();
        assert!(!r.pass);
        assert_eq!((r.correct, r.total), (0, 1024));
        // Element 0: fma(1, 0.1, 100) = 100.1 where 1 * 0.1 + 42 = 42.1.
        assert_eq!(
            r.first_mismatch.as_deref(),
            Some("element 0: got Some(100.1), expected 42.1")
        );
    }

    fn examples() -> PathBuf {
        repo().join("examples/specs")
    }

    fn suite(body: BodyMode, fallback: Fallback) -> Vec<CaseResult> {
        let results = run_suite(&examples(), body, fallback, &Options::default()).unwrap();
        assert_eq!(results.len(), 5);
        for r in &results {
            assert_pass(r);
        }
        results
    }

    #[test]
    fn generated_shells_in_both_body_modes_and_with_the_cooperative_fallback() {
        let visible = suite(BodyMode::Visible, Fallback::None);
        let inline = suite(BodyMode::Inline, Fallback::None);
        let coop_visible = suite(BodyMode::Visible, Fallback::Cooperative);
        let coop_inline = suite(BodyMode::Inline, Fallback::Cooperative);
        for other in [&inline, &coop_visible, &coop_inline] {
            for (a, b) in visible.iter().zip(other.iter()) {
                assert_eq!(a.name, b.name);
                assert_eq!(a.outputs, b.outputs, "{}: buffers differ bitwise", a.name);
            }
        }
    }
}
