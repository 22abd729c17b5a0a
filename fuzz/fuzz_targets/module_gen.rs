//! The `module_gen` fuzz target; its body (shared with the seed smoke test) is
//! `bodies/module_gen.rs`.
#![no_main]

#[path = "bodies/module_gen.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = body::run(data);
});
