//! The `module_gen` fuzz target; its body is `airlink_fuzz::module_gen`
//! (`fuzz/src/module_gen.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = airlink_fuzz::module_gen::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("module_gen")
}
