//! The `bitstream_read` fuzz target; its body is `airlink_fuzz::bitstream_read`
//! (`fuzz/src/bitstream_read.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    airlink_fuzz::bitstream_read::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("bitstream_read")
}
