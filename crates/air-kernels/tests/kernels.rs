//! The example kernels from their specs (`examples/gemm/*.toml`,
//! `examples/attention/attention_f32.toml`) on the CPU executor, at the
//! shapes of issue 21 ([`Case::standard`]: GEMM 64x64x64, 100x72x130 and
//! 1x1x1 in float and half with exact and random inputs; attention with
//! S = 128 and 77), in every mode: visible (the `.ll` bodies linked as the
//! visible functions), inline (imported into one kernel), and both with
//! the cooperative fallback, each on another number of executor threads.
//! Every run must pass its reference within the stated tolerance, and all
//! runs must write bit-for-bit the same output.

use std::path::{Path, PathBuf};

use air_kernels::cpu::{self, Mode, Options};
use air_kernels::{Case, Kernel};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn all_modes_agree(kernel: Kernel) {
    let programs: Vec<(Mode, air_exec::Program)> = Mode::ALL
        .iter()
        .map(|m| {
            let p = cpu::program(kernel, &examples(), *m)
                .unwrap_or_else(|e| panic!("{} {}: {e}", kernel.name(), m.name()));
            (*m, p)
        })
        .collect();
    let cases: Vec<Case> = Case::standard()
        .into_iter()
        .filter(|c| c.kernel() == kernel)
        .collect();
    assert!(cases.len() >= 2);
    for case in &cases {
        let mut first: Option<(Mode, Vec<u8>)> = None;
        for (i, (mode, program)) in programs.iter().enumerate() {
            // Each mode on another number of worker threads (1, 2, 3, 1):
            // the bit-for-bit comparison covers the thread count too.
            let options = Options {
                threads: 1 + i % 3,
                ..Options::default()
            };
            let run = cpu::run(case, program, &options)
                .unwrap_or_else(|e| panic!("{} {}: {e}", case.label(), mode.name()));
            assert!(
                run.check.passed(),
                "{} ({} inputs) {}: {}",
                case.label(),
                case.inputs().name(),
                mode.name(),
                run.check
            );
            println!(
                "{:<28} {:<8} {:<20} {}  {} steps",
                case.label(),
                case.inputs().name(),
                mode.name(),
                run.check,
                run.report.steps
            );
            match &first {
                None => first = Some((*mode, run.output)),
                Some((m0, out0)) => assert!(
                    *out0 == run.output,
                    "{}: {} and {} differ bit for bit",
                    case.label(),
                    m0.name(),
                    mode.name()
                ),
            }
        }
    }
}

#[test]
fn gemm_f32_in_every_mode() {
    all_modes_agree(Kernel::GemmF32);
}

#[test]
fn gemm_f16_in_every_mode() {
    all_modes_agree(Kernel::GemmF16);
}

#[test]
fn attention_in_every_mode() {
    all_modes_agree(Kernel::AttentionF32);
}

/// The checks are tight: with dyadic inputs one element off by one ulp is
/// wrong, and so is an element missing from the output.
#[test]
fn a_wrong_result_is_caught() {
    let case = Case::gemm(Kernel::GemmF32, 100, 72, 130, air_kernels::Inputs::Dyadic).unwrap();
    let program = cpu::program(Kernel::GemmF32, &examples(), Mode::ALL[1]).unwrap();
    let run = cpu::run(&case, &program, &Options::default()).unwrap();
    assert!(run.check.passed(), "{}", run.check);
    let mut values: Vec<f32> = run
        .output
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    values[7199] = f32::from_bits(values[7199].to_bits() + 1);
    assert_eq!(case.check(&values).correct, 7199);
    // A short output (the last 200 elements never written) fails there.
    values.truncate(7000);
    let short = case.check(&values);
    assert_eq!((short.correct, short.total), (7000, 7200));
}
