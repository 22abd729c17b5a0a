//! The `exec_big` fuzz target; its body is `airlink_fuzz::exec_big`
//! (`fuzz/src/exec_big.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = airlink_fuzz::exec_big::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("exec_big")
}
