//! The seed's three reverse-linking tests
//! (docs/air-conventions.md#the-reverse-linking-seed) on the GPU, and the
//! tiled example kernels (examples/gemm, examples/attention) in both body
//! modes against their f64 references.
//!
//! macOS only, and opt-in: they issue undocumented async-copy intrinsics
//! on the GPU, so `cargo test --workspace` on a Mac skips them (with a
//! note) unless `AIRLINK_GPU_TESTS=1` is set. They compile for
//! `aarch64-apple-darwin` (checked with
//! `cargo clippy --all-targets --target aarch64-apple-darwin`) but have
//! **never run**: no Mac was available when they were written. On a Mac,
//! where a GPU reset would not hurt:
//! `AIRLINK_GPU_TESTS=1 cargo test -p air-metal --test reverse_linking -- --nocapture`.
#![cfg(target_os = "macos")]

use air_metal::apple::{run_case, run_tiled, Device};
use air_metal::cases::{Case, TiledCase};
use air_metal::LinkMode;

/// Whether the GPU tests were asked for (`AIRLINK_GPU_TESTS=1`); says how
/// to ask when they were not.
fn gpu_tests_enabled() -> bool {
    let on = std::env::var_os("AIRLINK_GPU_TESTS").is_some_and(|v| v == "1");
    if !on {
        println!("skipped: set AIRLINK_GPU_TESTS=1 to run the reverse-linking tests on the GPU");
    }
    on
}

fn run(case: &Case) {
    if !gpu_tests_enabled() {
        return;
    }
    let device = Device::system_default().expect("a Metal device");
    let shell = case.shell().expect("the shell generates");
    let bytes = air_metal::metallib_bytes(&shell).expect("the shell assembles");
    let result = run_case(&device, case, &shell, &bytes, LinkMode::Private)
        .unwrap_or_else(|e| panic!("{}: {e}", case.seed.name()));
    println!(
        "[{}] {} on {}: {}",
        if result.check.passed() {
            "PASS"
        } else {
            "FAIL"
        },
        case.seed.name(),
        device.info().name,
        result.check
    );
    assert!(
        result.check.passed(),
        "{}: {}",
        case.seed.name(),
        result.check
    );
}

/// docs/air-conventions.md#seed-test-simple: `transform_value(v) = v*3+7` over 128 floats.
#[test]
fn simple_1d_copy_with_transform_value() {
    run(&air_metal::cases::simple());
}

/// docs/air-conventions.md#seed-test-multi-buffer: the same shell linked
/// with three `compute_tile` bodies.
#[test]
fn multi_buffer_with_three_bodies() {
    for case in air_metal::cases::multi_buffer() {
        run(&case);
    }
}

/// docs/air-conventions.md#seed-test-copy-2d: 2D copies both ways around `process_tile`.
#[test]
fn copy_2d_round_trip() {
    run(&air_metal::cases::copy_2d());
}

fn run_tiled_cases(kernel_dir: &str) {
    let device = Device::system_default().expect("a Metal device");
    let target = air_metal::doctor::target_for(air_target::Platform::MacOs, 26)
        .expect("a macOS target")
        .id;
    let cases: Vec<TiledCase> = air_metal::cases::tiled()
        .into_iter()
        .filter(|c| c.case.kernel().dir() == kernel_dir)
        .collect();
    assert!(!cases.is_empty());
    for case in &cases {
        let shell = case.shell_for(target).expect("the shell generates");
        let bytes = air_metal::metallib_bytes(&shell).expect("the shell assembles");
        let run = run_tiled(&device, case, &shell, &bytes, 3)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name()));
        println!(
            "[{}] {} on {}: {}; {:.3} ms, {:.2} GFLOPS",
            if run.check.passed() { "PASS" } else { "FAIL" },
            case.name(),
            device.info().name,
            run.check,
            run.dispatch.as_secs_f64() * 1e3,
            run.gflops
        );
        assert!(run.check.passed(), "{}: {}", case.name(), run.check);
    }
}

/// examples/gemm: float and half inputs, 100x72x130 and 256x256x256, with
/// the JIT-compiled MSL bodies (visible) and the AIR bodies (inline).
#[test]
fn tiled_gemm_in_both_body_modes() {
    run_tiled_cases("gemm");
}

/// examples/attention: S = 77 and 512, head dimension 64, both body modes.
#[test]
fn tiled_attention_in_both_body_modes() {
    run_tiled_cases("attention");
}
