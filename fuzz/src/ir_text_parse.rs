//! The `ir_text_parse` target: arbitrary bytes as UTF-8 text through the IR
//! parser: it must return a module or an error, never panic, overflow the
//! stack or hang. A module it accepts must print to text that parses back to
//! an equal module (or, for the debug-info details `llvm-dis-14`'s text
//! cannot spell, to the same text again), and the verifier must give a
//! verdict on it without panicking.
//!
//! The multi-threaded paths are checked differentially: the parser with its
//! size threshold lowered to zero (so any run of two or more bodies is split
//! across 3 threads and merged) must give exactly the sequential result —
//! the same module with the same source map, or the same error — and the
//! verifier on 3 threads the same error list as on one.

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sequential = air_ir::text::parse_with_source_map_tuned(text, "fuzz.ll", 1, usize::MAX);
    let threaded = air_ir::text::parse_with_source_map_tuned(text, "fuzz.ll", 3, 0);
    let module = match (sequential, threaded) {
        (Ok((m, map)), Ok((m3, map3))) => {
            assert!(m3 == m, "the threaded parse built a different module");
            assert!(
                map3 == map,
                "the threaded parse built a different source map"
            );
            m
        }
        (Err(e), Err(e3)) => {
            assert_eq!(e3, e, "the threaded parse reported a different error");
            return;
        }
        (s, t) => panic!(
            "sequential and threaded parses disagree: {:?} vs {:?}",
            s.err(),
            t.err()
        ),
    };
    let errors = air_ir::verify::verify_all_with_threads(&module, 1);
    assert_eq!(
        air_ir::verify::verify_all_with_threads(&module, 3),
        errors,
        "the threaded verifier reported differently"
    );
    let printed = air_ir::print(&module);
    let again = match air_ir::parse(&printed, "printed.ll") {
        Ok(m) => m,
        Err(e) => panic!("the printed module does not parse: {e}\n{printed}"),
    };
    // Printed text is `llvm-dis-14`'s, which for a few debug-info details
    // has no spelling (`air_ir::debuginfo::printed_text_is_lossy` lists
    // them); then only the text must be a fixed point.
    if again != module {
        assert!(
            air_ir::debuginfo::printed_text_is_lossy(&module) && air_ir::print(&again) == printed,
            "print/parse round trip changed the module:\n{printed}"
        );
    }
}
