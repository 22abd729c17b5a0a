//! The benchmark's tiled kernels (crates/air-exec/benches/kernels: a GEMM
//! with 2D async copies into double-buffered threadgroup tiles and
//! simdgroup-matrix 8x8 loads, multiply-accumulates and stores, and an
//! attention forward pass with online softmax) against plain Rust
//! references in f64, at several shapes including ragged ones, with
//! bitwise-identical buffers for 1, 2 and 3 worker threads.

use std::path::Path;

use air_exec::{Bindings, Launch, Options, Program, Source};
use air_testgen::Rng;

fn kernel(name: &str) -> Program {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/kernels")
        .join(name);
    Program::new(Source::read(&p).unwrap(), None).unwrap()
}

/// Runs `p` with `threads` workers; returns the output buffer `out`.
fn run(
    p: &Program,
    launch: &Launch,
    inputs: &[(u32, &[f32])],
    out: (u32, usize),
    scalars: (u32, &[u32]),
    threads: usize,
) -> Vec<f32> {
    let mut b = Bindings::new();
    for (i, data) in inputs {
        b.set_f32(*i, data);
    }
    b.set_f32(out.0, &vec![f32::NAN; out.1]);
    b.set_u32(scalars.0, scalars.1);
    let options = Options {
        threads,
        ..Options::default()
    };
    p.run(launch, &mut b, &options).unwrap();
    b.f32s(out.0).unwrap()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

// ----- GEMM -----

fn gemm_launch(m: usize, n: usize) -> Launch {
    Launch {
        grid: [n.div_ceil(32) as u32 * 128, m.div_ceil(32) as u32, 1],
        threadgroup: [128, 1, 1],
    }
}

/// C = A B with f64 sums; also Σ|a||b| per element (for error bounds).
fn gemm_reference(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; m * n];
    let mut mag = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            for kk in 0..k {
                let p = f64::from(a[i * k + kk]) * f64::from(b[kk * n + j]);
                c[i * n + j] += p;
                mag[i * n + j] += p.abs();
            }
        }
    }
    (c, mag)
}

/// Runs the GEMM at one shape for 1, 2 and 3 workers (all bitwise equal).
fn gemm(a: &[f32], b: &[f32], m: usize, n: usize, k: usize) -> Vec<f32> {
    let p = kernel("gemm_tiled.ll");
    let dims = [m as u32, n as u32, k as u32];
    let outs: Vec<Vec<f32>> = [1, 2, 3]
        .iter()
        .map(|t| {
            run(
                &p,
                &gemm_launch(m, n),
                &[(0, a), (1, b)],
                (2, m * n),
                (3, &dims),
                *t,
            )
        })
        .collect();
    assert_eq!(
        bits(&outs[0]),
        bits(&outs[1]),
        "{m}x{n}x{k}: 1 vs 2 workers"
    );
    assert_eq!(
        bits(&outs[0]),
        bits(&outs[2]),
        "{m}x{n}x{k}: 1 vs 3 workers"
    );
    outs.into_iter().next().unwrap()
}

/// Multiples of 1/64 from -1 to 1: every product is a multiple of 2^-12
/// of size at most 1, so every partial sum of up to 2^11 of them fits in
/// the 24 bits of an f32 and the GEMM must be exact.
fn dyadic(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| ((rng.next_u64() >> 40) % 129) as f32 / 64.0 - 1.0)
        .collect()
}

fn uniform(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0)
        .collect()
}

#[test]
fn tiled_gemm_is_exact_on_dyadic_inputs_at_ragged_shapes() {
    let mut rng = Rng::new(0x6e44);
    for (m, n, k) in [(64, 64, 64), (100, 72, 130), (1, 1, 1), (33, 8, 31)] {
        let a = dyadic(&mut rng, m * k);
        let b = dyadic(&mut rng, k * n);
        let c = gemm(&a, &b, m, n, k);
        let (want, _) = gemm_reference(&a, &b, m, n, k);
        for (i, (got, want)) in c.iter().zip(&want).enumerate() {
            assert_eq!(f64::from(*got), *want, "{m}x{n}x{k}: element {i}");
        }
    }
}

#[test]
fn tiled_gemm_is_within_the_fma_bound_on_uniform_inputs() {
    let mut rng = Rng::new(0x51);
    let (m, n, k) = (72, 40, 97);
    let a = uniform(&mut rng, m * k);
    let b = uniform(&mut rng, k * n);
    let c = gemm(&a, &b, m, n, k);
    let (want, mag) = gemm_reference(&a, &b, m, n, k);
    // K fused multiply-adds in f32, each off by at most 2^-24 of a partial
    // sum bounded by Σ|a||b|; the final rounding adds one more.
    let eps = 2f64.powi(-24);
    for i in 0..m * n {
        let err = (f64::from(c[i]) - want[i]).abs();
        assert!(
            err <= (k as f64 + 1.0) * eps * mag[i],
            "element {i}: {} vs {}",
            c[i],
            want[i]
        );
    }
}

// ----- attention -----

const D: usize = 64;

/// O = softmax(Q K^T / 8) V per row, in f64.
fn attention_reference(q: &[f32], k: &[f32], v: &[f32], s: usize) -> Vec<f64> {
    let mut o = vec![0.0; s * D];
    for i in 0..s {
        let scores: Vec<f64> = (0..s)
            .map(|j| {
                (0..D)
                    .map(|d| f64::from(q[i * D + d]) * f64::from(k[j * D + d]))
                    .sum::<f64>()
                    / 8.0
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let p: Vec<f64> = scores.iter().map(|x| (x - max).exp()).collect();
        let sum: f64 = p.iter().sum();
        for d in 0..D {
            o[i * D + d] = (0..s).map(|j| p[j] * f64::from(v[j * D + d])).sum::<f64>() / sum;
        }
    }
    o
}

fn attention(q: &[f32], k: &[f32], v: &[f32], s: usize, threads: &[usize]) -> Vec<f32> {
    let p = kernel("attention_tiled.ll");
    let launch = Launch::linear(s.div_ceil(32) as u32 * 128, 128);
    let outs: Vec<Vec<f32>> = threads
        .iter()
        .map(|t| {
            run(
                &p,
                &launch,
                &[(0, q), (1, k), (2, v)],
                (3, s * D),
                (4, &[s as u32]),
                *t,
            )
        })
        .collect();
    for (o, t) in outs.iter().zip(threads).skip(1) {
        assert_eq!(
            bits(&outs[0]),
            bits(o),
            "S = {s}: {} vs {t} workers",
            threads[0]
        );
    }
    outs.into_iter().next().unwrap()
}

#[test]
fn tiled_attention_matches_the_f64_softmax_at_full_and_ragged_lengths() {
    let mut rng = Rng::new(0xa77e);
    for s in [128, 77, 1] {
        let q = uniform(&mut rng, s * D);
        let k = uniform(&mut rng, s * D);
        let v = uniform(&mut rng, s * D);
        let o = attention(&q, &k, &v, s, &[1, 2, 3]);
        let want = attention_reference(&q, &k, &v, s);
        let worst = o
            .iter()
            .zip(&want)
            .map(|(g, w)| (f64::from(*g) - w).abs())
            .fold(0.0, f64::max);
        // f32 scores and sums over at most 128 keys: expected error around
        // 1e-6; the bound leaves room without hiding a wrong row or column.
        assert!(worst <= 1e-4, "S = {s}: max |error| {worst:e}");
    }
}
