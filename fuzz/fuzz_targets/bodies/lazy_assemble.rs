//! Body of the `lazy_assemble` fuzz target, shared with the seed smoke test
//! (`crates/airlink/tests/lazy_fuzz_seeds.rs` includes this file by path).
//!
//! Arbitrary bytes as UTF-8 text through the two text → library pipelines
//! of `airlink assemble`, differentially: the whole-module one (parse,
//! verify, `metallib::assemble`) and the entry-by-entry one
//! (`metallib::TextModule`, here with the lazy path taken at any size).
//! They must give the same library or the same error, and the lazy path
//! alone must never accept an input the whole pipeline rejects. Entries are
//! handled on 2 threads, so the per-thread forks are exercised too.

use metallib::AssembleOptions;

fn encode(m: &air_ir::Module) -> Result<Vec<u8>, air_bitcode::EncodeError> {
    let options = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Apple,
        input_path: "fuzz.ll".to_string(),
        producer: None,
    };
    air_bitcode::write_module(m, &options)
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = AssembleOptions {
        target: air_target::Target::by_id("macos26").expect("a known target"),
        retarget: true,
        threads: 2,
    };
    let whole = (|| {
        let (module, _) =
            air_ir::parse_with_source_map(text, "fuzz.ll").map_err(|e| format!("parse: {e}"))?;
        air_ir::verify(&module).map_err(|e| format!("invalid: {e}"))?;
        metallib::assemble(&module, &options, encode).map_err(|e| format!("assemble: {e}"))
    })();
    let describe = |e: metallib::TextError| match e {
        metallib::TextError::Parse(e) => format!("parse: {e}"),
        metallib::TextError::Invalid { error, .. } => format!("invalid: {error}"),
        e => format!("assemble: {e}"),
    };
    let via_text = metallib::TextModule::parse_tuned(text, "fuzz.ll", 0)
        .map_err(describe)
        .and_then(|t| t.assemble(&options, encode).map_err(describe));
    assert!(
        via_text == whole,
        "the pipelines disagree: whole {:?}, entry by entry {:?}",
        whole.as_ref().err(),
        via_text.as_ref().err()
    );
    if let Ok(bytes) = metallib::stream::assemble_text_lazily(text, "fuzz.ll", &options, encode) {
        assert!(
            whole.as_ref() == Ok(&bytes),
            "the lazy path accepted what the whole pipeline gives as {:?}",
            whole.as_ref().err()
        );
    }
}
