//! The three reverse-linking tests of the seed (air.md §1.4–1.6) with its
//! exact inputs and checks: first on the hand-written corpus shells with
//! this crate's bodies, then on the shells air-shell generates from
//! `examples/specs/`, in both body modes and with the cooperative fallback.

use std::path::{Path, PathBuf};

use air_exec::reverse_linking::{run_suite, Case, CaseResult};
use air_exec::{HostValue, Options, Program, Source};
use air_shell::{BodyMode, Fallback};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus(name: &str) -> Source {
    Source::read(&repo().join("tests/corpus").join(name)).unwrap()
}

fn body(name: &str) -> Source {
    Source::read(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/bodies")
            .join(name),
    )
    .unwrap()
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
    let r = Case::Simple.run(&p, &Options::default()).unwrap();
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
    assert_pass(&Case::Simple.run(&p, &Options::default()).unwrap());
}

#[test]
fn multi_buffer_on_the_corpus_shell_with_three_bodies() {
    for (case, file) in [
        (Case::MultiBufferMulAdd, "compute_tile_mul_add.ll"),
        (Case::MultiBufferFma, "compute_tile_fma.ll"),
        (Case::MultiBufferSqrt, "compute_tile_sqrt.ll"),
    ] {
        let mut p = Program::new(corpus("multi_buffer.ll"), None).unwrap();
        p.link(body(file));
        let r = case.run(&p, &Options::default()).unwrap();
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
    let r = Case::Copy2d.run(&p, &options).unwrap();
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

#[test]
fn embedded_specs_match_the_examples_directory() {
    for (name, text) in air_exec::reverse_linking::EMBEDDED_SPECS {
        let on_disk = std::fs::read_to_string(examples().join(name)).unwrap();
        assert_eq!(&on_disk, text, "{name}");
    }
}
