//! The `ir_text_parse` fuzz target; its body (shared with the seed smoke test) is
//! `bodies/ir_text_parse.rs`.
#![no_main]

#[path = "bodies/ir_text_parse.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = body::run(data);
});
