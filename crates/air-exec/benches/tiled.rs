//! The executor on tiled kernels: GEMM 256×256×256 and attention (sequence
//! 512, head dimension 64), with 1 and 2 worker threads.
//!
//! ```text
//! cargo bench -p air-exec --bench tiled
//! ```
//!
//! The kernels are `benches/kernels/gemm_tiled.ll` (2D async copies into
//! double-buffered threadgroup tiles, simdgroup-matrix 8×8 loads,
//! multiply-accumulates and stores) and `benches/kernels/attention_tiled.ll`
//! (the same for K and V, plus the online softmax with `simd_shuffle_xor`
//! reductions); `tests/tiled.rs` checks both against f64 references at
//! small shapes, and this bench checks the benchmarked runs too. It prints
//! a Markdown table (BENCHMARKS.md records a run): wall time of
//! `Program::run` (median of 3), thread-instructions, work units and
//! millions of thread-instructions per second.

use std::path::Path;
use std::time::{Duration, Instant};

use air_exec::{Bindings, Launch, Options, Program, RunReport, Source};

fn kernel(name: &str) -> Program {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches/kernels")
        .join(name);
    Program::new(Source::read(&p).unwrap(), None).unwrap()
}

/// Deterministic inputs in [-1, 1).
fn inputs(n: usize, seed: u64) -> Vec<f32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        })
        .collect()
}

struct Case {
    name: &'static str,
    program: Program,
    launch: Launch,
    buffers: Vec<(u32, Vec<f32>)>,
    scalars: (u32, Vec<u32>),
    out: u32,
    /// The maximum difference from the f64 reference that passes.
    tolerance: f64,
    reference: Vec<f64>,
}

fn gemm() -> Case {
    let n = 256;
    let a = inputs(n * n, 1);
    let b = inputs(n * n, 2);
    let mut c = vec![0.0f64; n * n];
    for i in 0..n {
        for k in 0..n {
            let x = f64::from(a[i * n + k]);
            for j in 0..n {
                c[i * n + j] += x * f64::from(b[k * n + j]);
            }
        }
    }
    Case {
        name: "GEMM 256×256×256 (f32)",
        program: kernel("gemm_tiled.ll"),
        launch: Launch {
            grid: [8 * 128, 8, 1],
            threadgroup: [128, 1, 1],
        },
        buffers: vec![(0, a), (1, b), (2, vec![f32::NAN; n * n])],
        scalars: (3, vec![256, 256, 256]),
        out: 2,
        // 256 products of size < 1 in f32: well under 1e-4.
        tolerance: 1e-4,
        reference: c,
    }
}

fn attention() -> Case {
    let (s, d) = (512, 64);
    let q = inputs(s * d, 3);
    let k = inputs(s * d, 4);
    let v = inputs(s * d, 5);
    let mut o = vec![0.0f64; s * d];
    for i in 0..s {
        let scores: Vec<f64> = (0..s)
            .map(|j| {
                (0..d)
                    .map(|x| f64::from(q[i * d + x]) * f64::from(k[j * d + x]))
                    .sum::<f64>()
                    / 8.0
            })
            .collect();
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let p: Vec<f64> = scores.iter().map(|x| (x - max).exp()).collect();
        let sum: f64 = p.iter().sum();
        for x in 0..d {
            o[i * d + x] = (0..s).map(|j| p[j] * f64::from(v[j * d + x])).sum::<f64>() / sum;
        }
    }
    Case {
        name: "attention S=512, D=64 (f32)",
        program: kernel("attention_tiled.ll"),
        launch: Launch::linear(16 * 128, 128),
        buffers: vec![(0, q), (1, k), (2, v), (3, vec![f32::NAN; s * d])],
        scalars: (4, vec![512]),
        out: 3,
        tolerance: 1e-4,
        reference: o,
    }
}

fn run(case: &Case, threads: usize) -> (Duration, RunReport, Vec<u32>) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let mut b = Bindings::new();
        for (i, data) in &case.buffers {
            b.set_f32(*i, data);
        }
        b.set_u32(case.scalars.0, &case.scalars.1);
        let options = Options {
            threads,
            ..Options::default()
        };
        let start = Instant::now();
        let report = case.program.run(&case.launch, &mut b, &options).unwrap();
        times.push(start.elapsed());
        let out = b.f32s(case.out).unwrap();
        let worst = out
            .iter()
            .zip(&case.reference)
            .map(|(g, w)| (f64::from(*g) - w).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= case.tolerance,
            "{}: max |error| {worst:e}",
            case.name
        );
        last = Some((report, out.iter().map(|x| x.to_bits()).collect()));
    }
    times.sort();
    let (report, bits) = last.unwrap();
    (times[1], report, bits)
}

fn main() {
    println!("| kernel | workers | thread-instructions | work units | median | M thread-instr/s |");
    println!("|---|---:|---:|---:|---:|---:|");
    for case in [gemm(), attention()] {
        let mut first: Option<Vec<u32>> = None;
        for threads in [1, 2] {
            let (t, report, bits) = run(&case, threads);
            match &first {
                None => first = Some(bits),
                Some(f) => assert_eq!(
                    *f, bits,
                    "{}: results differ between worker counts",
                    case.name
                ),
            }
            println!(
                "| {} | {threads} | {} | {} | {:.2} s | {:.1} |",
                case.name,
                report.steps,
                report.work,
                t.as_secs_f64(),
                report.steps as f64 / t.as_secs_f64() / 1e6
            );
        }
    }
}
