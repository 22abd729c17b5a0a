//! The `lazy_assemble` fuzz target; its body is `airlink_fuzz::lazy_assemble`
//! (`fuzz/src/lazy_assemble.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    airlink_fuzz::lazy_assemble::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("lazy_assemble")
}
