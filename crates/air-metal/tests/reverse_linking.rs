//! The seed's three reverse-linking tests
//! (docs/air-conventions.md#the-reverse-linking-seed) on the GPU.
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

use air_metal::apple::{run_case, Device};
use air_metal::cases::Case;
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
