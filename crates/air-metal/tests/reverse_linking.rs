//! The seed's three reverse-linking tests
//! (docs/air-conventions.md#the-reverse-linking-seed) on the GPU.
//!
//! macOS only. They compile for `aarch64-apple-darwin` (checked with
//! `cargo clippy --all-targets --target aarch64-apple-darwin`) but have
//! **never run**: no Mac was available when they were written. On a Mac:
//! `cargo test -p air-metal --test reverse_linking -- --nocapture`.
#![cfg(target_os = "macos")]

use air_metal::apple::{run_case, Device};
use air_metal::cases::Case;
use air_metal::LinkMode;

fn run(case: &Case) {
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
