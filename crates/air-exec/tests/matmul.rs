//! Matrix multiplication kernels against a plain Rust matmul on random data:
//! a scalar tiled kernel (loops, phis, 2D async copies into threadgroup
//! tiles with zero-filled edges, barriers, several simdgroups, copies gated
//! to simdgroup 0, partial edge threadgroups) and the corpus's
//! simdgroup-matrix kernel.

use std::path::Path;

use air_exec::{Bindings, Launch, Options, Program, Source};
use air_testgen::Rng;

/// `n` random matrix entries: halves from -4 to 4. Small integers and
/// halves keep every product exact, so the comparison can be exact too.
fn matrix(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| ((rng.next_u64() >> 40) % 17) as f32 * 0.5 - 4.0)
        .collect()
}

/// C = A × B, fused multiply-adds in k order (what the kernel does).
fn reference(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    let mut c = vec![0.0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for kk in 0..k {
                acc = a[i * k + kk].mul_add(b[kk * n + j], acc);
            }
            c[i * n + j] = acc;
        }
    }
    c
}

fn load(path: &str) -> Program {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    Program::new(Source::read(&p).unwrap(), None).unwrap()
}

#[test]
fn scalar_tiled_matmul_matches_rust() {
    let program = load("tests/bodies/tiled_matmul.ll");
    let mut rng = Rng::new(0x5eed);
    for (m, n, k) in [(20usize, 12usize, 19usize), (16, 16, 16), (5, 3, 9)] {
        let a = matrix(&mut rng, m * k);
        let b = matrix(&mut rng, k * n);
        let mut bind = Bindings::new();
        bind.set_f32(0, &a)
            .set_f32(1, &b)
            .set_f32(2, &vec![f32::NAN; m * n])
            .set_u32(3, &[m as u32, n as u32, k as u32]);
        // dispatchThreads(N × M, 8 × 8): edge threadgroups are partial.
        let launch = Launch {
            grid: [n as u32, m as u32, 1],
            threadgroup: [8, 8, 1],
        };
        let report = program
            .run(&launch, &mut bind, &Options::default())
            .unwrap();
        assert_eq!(report.threads, (m * n) as u64);
        let want = reference(&a, &b, m, n, k);
        assert_eq!(bind.f32s(2).unwrap(), want, "{m}x{n}x{k}");
    }
}

#[test]
fn simdgroup_matrix_gemm_from_the_corpus() {
    let program = load("../../tests/corpus/gemm_like.ll");
    let mut rng = Rng::new(7);
    let (m, n, k) = (16usize, 24usize, 13usize);
    let a = matrix(&mut rng, m * k);
    let b = matrix(&mut rng, k * n);
    let mut bind = Bindings::new();
    bind.set_f32(0, &a)
        .set_f32(1, &b)
        .set_f32(2, &vec![0.0; m * n])
        .set_u32(3, &[k as u32, n as u32]);
    // One 8×8 tile of C per threadgroup of two simdgroups.
    let launch = Launch {
        grid: [64 * (n as u32 / 8), m as u32 / 8, 1],
        threadgroup: [64, 1, 1],
    };
    program
        .run(&launch, &mut bind, &Options::default())
        .unwrap();
    assert_eq!(bind.f32s(2).unwrap(), reference(&a, &b, m, n, k));
}
