//! The `spec_parse` fuzz target; its body is `airlink_fuzz::spec_parse`
//! (`fuzz/src/spec_parse.rs`). Inline bodies resolve in `examples/specs`.
#![cfg_attr(fuzzing, no_main)]

#[cfg(fuzzing)]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let base = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/specs");
    airlink_fuzz::spec_parse::run(data, &base);
});

#[cfg(not(fuzzing))]
fn main() -> std::process::ExitCode {
    airlink_fuzz::not_fuzzing("spec_parse")
}
