//! The `exec_shell` fuzz target; its body (shared with the seed smoke test) is
//! `bodies/exec_shell.rs`.
#![no_main]

#[path = "bodies/exec_shell.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = body::run(data);
});
