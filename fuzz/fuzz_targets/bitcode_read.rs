//! The `bitcode_read` fuzz target; its body is `airlink_fuzz::bitcode_read`
//! (`fuzz/src/bitcode_read.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    airlink_fuzz::bitcode_read::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("bitcode_read")
}
