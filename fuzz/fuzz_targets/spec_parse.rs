//! The `spec_parse` fuzz target; its body (shared with the seed smoke test)
//! is `bodies/spec_parse.rs`. Inline bodies resolve in `examples/specs`.
#![no_main]

#[path = "bodies/spec_parse.rs"]
mod body;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/specs");
    body::run(data, &base);
});
