//! The `metallib_parse` fuzz target; its body is `airlink_fuzz::metallib_parse`
//! (`fuzz/src/metallib_parse.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    airlink_fuzz::metallib_parse::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("metallib_parse")
}
