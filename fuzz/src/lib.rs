//! The bodies of airlink's fuzz targets, one module per target, each with a
//! `run` function taking the fuzzer's bytes. The cargo-fuzz binaries in
//! `fuzz_targets/` call them under libFuzzer (`cargo +nightly fuzz run
//! TARGET` in `fuzz/`); `crates/test-support/tests/fuzz_seeds.rs` replays
//! every target's seed corpus (`fuzz/corpus/TARGET`) through them under a
//! plain `cargo test --workspace`, which needs neither libFuzzer nor
//! nightly. ROBUSTNESS.md lists the targets, what each checks, and the
//! fuzzing runs so far.
//!
//! A body may panic only when it finds a bug (a property it checks does not
//! hold); every other outcome of the code under test, errors included, is
//! a normal return.

#![deny(missing_docs)]

pub mod bitcode_read;
pub mod bitstream_read;
pub mod exec_big;
pub mod exec_shell;
pub mod ir_text_parse;
pub mod lazy_assemble;
pub mod metallib_parse;
pub mod module_gen;
pub mod spec_parse;

/// What a target's binary does when built without `cargo fuzz` (which sets
/// `--cfg fuzzing` and links libFuzzer): say how to run it, and fail.
pub fn not_fuzzing(target: &str) -> std::process::ExitCode {
    eprintln!(
        "{target} is a libFuzzer target: run it with `cargo +nightly fuzz run {target}` in \
         fuzz/ (see ROBUSTNESS.md); `cargo test -p airlink-test-support --test fuzz_seeds` \
         replays its seed corpus without libFuzzer"
    );
    std::process::ExitCode::from(2)
}
