//! Body of the `ir_text_parse` fuzz target, shared with the seed smoke test
//! (`crates/air-ir/tests/fuzz_seeds.rs` includes this file by path).
//!
//! Arbitrary bytes as UTF-8 text through the IR parser: it must return a
//! module or an error, never panic, overflow the stack or hang. A module it
//! accepts must print to text that parses back to an equal module, and the
//! verifier must give a verdict on it without panicking.

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(module) = air_ir::parse(text, "fuzz.ll") else {
        return;
    };
    let _ = air_ir::verify(&module);
    let printed = air_ir::print(&module);
    let again = match air_ir::parse(&printed, "printed.ll") {
        Ok(m) => m,
        Err(e) => panic!("the printed module does not parse: {e}\n{printed}"),
    };
    assert!(
        again == module,
        "print/parse round trip changed the module:\n{printed}"
    );
}
