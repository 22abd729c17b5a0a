//! The `exec_shell` fuzz target; its body is `airlink_fuzz::exec_shell`
//! (`fuzz/src/exec_shell.rs`).
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = airlink_fuzz::exec_shell::run(data);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("exec_shell")
}
