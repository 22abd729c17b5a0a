//! The `bitstream_read` fuzz target; its body (shared with the seed smoke test) is
//! `bodies/bitstream_read.rs`.
#![no_main]

#[path = "bodies/bitstream_read.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = body::run(data);
});
