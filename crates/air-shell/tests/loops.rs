//! Schema 2 end to end: the GEMM-shaped shell of `tests/loops/` (a K loop,
//! double-buffered A and B blocks prefetched one iteration ahead, a private
//! accumulator passed to every call, ragged edges clipped by run-time tile
//! sizes and zero-padded) generated in both body modes, with and without
//! the cooperative fallback; each module verifies, `llvm-as-14` accepts it,
//! and the CPU reference executor runs it at several shapes, ragged ones
//! included, with results equal to a plain reference and bitwise identical
//! across the four modes.

use std::path::{Path, PathBuf};

use air_exec::{Bindings, Launch, Program, Source};
use air_shell::{BodyMode, Fallback, Options, Shell, Spec};

mod common;

fn loops_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/loops")
}

fn gemm_spec() -> Spec {
    Spec::from_file(&loops_dir().join("gemm_small.toml")).unwrap_or_else(|e| panic!("{e}"))
}

const MODES: [(BodyMode, Fallback); 4] = [
    (BodyMode::Visible, Fallback::None),
    (BodyMode::Inline, Fallback::None),
    (BodyMode::Visible, Fallback::Cooperative),
    (BodyMode::Inline, Fallback::Cooperative),
];

fn shell(body: BodyMode, fallback: Fallback) -> Shell {
    let options = Options {
        body: Some(body),
        fallback: Some(fallback),
        copy_form: None,
    };
    air_shell::generate(&gemm_spec(), &options)
        .unwrap_or_else(|e| panic!("{}/{}: {e}", body.name(), fallback.name()))
}

/// Small integers: every product and partial sum is exact in f32, so the
/// shell's result must equal the f64 reference exactly.
fn input(len: usize, salt: usize) -> Vec<f32> {
    (0..len)
        .map(|i| (((i * 7 + salt * 13) % 11) as f32) - 5.0)
        .collect()
}

fn reference(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    let mut c = vec![0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let s: f64 = (0..k)
                .map(|x| f64::from(a[i * k + x]) * f64::from(b[x * n + j]))
                .sum();
            c[i * n + j] = s as f32;
        }
    }
    c
}

/// Runs `shell` for C = A·B of M x K times K x N; returns C's bits.
fn run(shell: &Shell, body: BodyMode, m: usize, n: usize, k: usize) -> Vec<u32> {
    let text = shell.ll_text();
    let mut program = Program::new(Source::parse(&text, "gemm_small.ll").unwrap(), None).unwrap();
    if body == BodyMode::Visible {
        for f in ["gemm_small_tile.ll", "gemm_small_store.ll"] {
            let path = loops_dir().join(f);
            program.link(Source::read(&path).unwrap_or_else(|e| panic!("{f}: {e}")));
        }
    }
    let (a, b) = (input(m * k, 1), input(k * n, 2));
    let mut bindings = Bindings::new();
    bindings
        .set_f32(0, &a)
        .set_f32(1, &b)
        .set_f32(2, &vec![f32::NAN; m * n])
        .set_u32(3, &[m as u32])
        .set_u32(4, &[n as u32])
        .set_u32(5, &[k as u32]);
    let groups = m.div_ceil(8) * n.div_ceil(16);
    let launch = Launch::linear((groups * 64) as u32, 64);
    program
        .run(&launch, &mut bindings, &air_exec::Options::default())
        .unwrap_or_else(|e| panic!("{}x{}x{} {}: {e}", m, n, k, body.name()));
    let c = bindings.f32s(2).unwrap();
    let want = reference(&a, &b, m, n, k);
    for (i, (got, want)) in c.iter().zip(&want).enumerate() {
        assert!(
            got.to_bits() == want.to_bits(),
            "{m}x{n}x{k} {}: C[{}][{}] = {got}, want {want}",
            body.name(),
            i / n,
            i % n
        );
    }
    c.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn every_mode_verifies_and_llvm_as_accepts_it() {
    for (body, fallback) in MODES {
        let s = shell(body, fallback);
        let text = s.ll_text();
        let module = air_ir::parse(&text, "gemm_small.ll").unwrap_or_else(|e| panic!("{e}"));
        air_ir::verify(&module).unwrap_or_else(|e| panic!("{e}"));
        common::assert_llvm_as_accepts(
            &text,
            &format!("gemm_small {}/{}", body.name(), fallback.name()),
        );
    }
}

#[test]
fn gemm_runs_on_the_executor_in_every_mode_with_identical_results() {
    // Exact blocks, ragged M, N and K, one element, a K of one block
    // (no prefetch at all) and one with several ragged edges at once.
    let shapes = [
        (8, 16, 4),
        (16, 32, 12),
        (13, 20, 9),
        (1, 1, 1),
        (9, 17, 4),
        (3, 40, 23),
    ];
    let shells: Vec<(BodyMode, Fallback, Shell)> =
        MODES.iter().map(|&(b, f)| (b, f, shell(b, f))).collect();
    for (m, n, k) in shapes {
        let mut first: Option<Vec<u32>> = None;
        for (body, fallback, s) in &shells {
            let bits = run(s, *body, m, n, k);
            match &first {
                None => first = Some(bits),
                Some(f) => assert!(
                    *f == bits,
                    "{m}x{n}x{k}: {}/{} differs from visible/none",
                    body.name(),
                    fallback.name()
                ),
            }
        }
    }
}

/// Runs the row histogram shell on R rows; returns Y's bits after checking
/// them against the reference.
fn run_hist(shell: &Shell, body: BodyMode, r: usize) -> Vec<u32> {
    let text = shell.ll_text();
    let mut program = Program::new(Source::parse(&text, "row_hist.ll").unwrap(), None).unwrap();
    if body == BodyMode::Visible {
        for f in ["row_hist_add.ll", "row_hist_entry.ll"] {
            program.link(Source::read(&loops_dir().join(f)).unwrap());
        }
    }
    let x = input(r * 32, 3);
    let mut bindings = Bindings::new();
    bindings
        .set_f32(0, &x)
        .set_f32(1, &[f32::NAN; 16 * 32])
        .set_u32(2, &[r as u32]);
    program
        .run(
            &Launch::linear(32, 32),
            &mut bindings,
            &air_exec::Options::default(),
        )
        .unwrap_or_else(|e| panic!("R = {r} {}: {e}", body.name()));
    let y = bindings.f32s(1).unwrap();
    for k in 0..16 {
        for lane in 0..32 {
            // Small integers: the sum is exact in any order.
            let want: f32 = (0..r)
                .filter(|row| row % 16 == k)
                .map(|row| x[row * 32 + lane])
                .sum();
            assert_eq!(
                y[k * 32 + lane],
                want,
                "R = {r} {}: Y[{k}][{lane}]",
                body.name()
            );
        }
    }
    y.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn nested_loops_and_private_arrays_on_the_executor() {
    let spec = Spec::from_file(&loops_dir().join("row_hist.toml")).unwrap();
    for r in [1, 4, 37, 64] {
        let mut first: Option<Vec<u32>> = None;
        for (body, fallback) in MODES {
            let options = Options {
                body: Some(body),
                fallback: Some(fallback),
                copy_form: None,
            };
            let s = air_shell::generate(&spec, &options).unwrap_or_else(|e| panic!("{e}"));
            common::assert_llvm_as_accepts(&s.ll_text(), "row_hist");
            let bits = run_hist(&s, body, r);
            match &first {
                None => first = Some(bits),
                Some(f) => assert!(
                    *f == bits,
                    "R = {r}: {}/{} differs",
                    body.name(),
                    fallback.name()
                ),
            }
        }
    }
}

#[test]
fn requires_returns_early() {
    // Two more threadgroup rows than M needs: their `m0 < M` is false and
    // they must return before touching anything (C is exactly M x N, so a
    // write would be out of bounds), and M = 0 returns at once everywhere.
    for (body, fallback) in MODES {
        let s = shell(body, fallback);
        let text = s.ll_text();
        for (m, n, k, groups) in [(5usize, 16usize, 4usize, 3usize), (0, 16, 4, 1)] {
            let mut program =
                Program::new(Source::parse(&text, "gemm_small.ll").unwrap(), None).unwrap();
            if body == BodyMode::Visible {
                for f in ["gemm_small_tile.ll", "gemm_small_store.ll"] {
                    program.link(Source::read(&loops_dir().join(f)).unwrap());
                }
            }
            let (a, b) = (input(m * k, 1), input(k * n, 2));
            let mut bindings = Bindings::new();
            bindings
                .set_f32(0, &a)
                .set_f32(1, &b)
                .set_f32(2, &vec![f32::NAN; m * n])
                .set_u32(3, &[m as u32])
                .set_u32(4, &[n as u32])
                .set_u32(5, &[k as u32]);
            program
                .run(
                    &Launch::linear((groups * 64) as u32, 64),
                    &mut bindings,
                    &air_exec::Options::default(),
                )
                .unwrap_or_else(|e| panic!("{m}x{n}x{k} on {groups} groups: {e}"));
            let c = bindings.f32s(2).unwrap();
            assert_eq!(c, reference(&a, &b, m, n, k));
        }
    }
}
