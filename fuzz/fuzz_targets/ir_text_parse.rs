//! The `ir_text_parse` fuzz target; its body is `airlink_fuzz::ir_text_parse`
//! (`fuzz/src/ir_text_parse.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    airlink_fuzz::ir_text_parse::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("ir_text_parse")
}
