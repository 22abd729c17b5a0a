//! The `lazy_assemble` fuzz target; its body (shared with the seed smoke
//! test) is `bodies/lazy_assemble.rs`.
#![no_main]

#[path = "bodies/lazy_assemble.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    body::run(data);
});
