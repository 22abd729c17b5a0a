//! Canonical form is real: deliberately non-canonical inputs print exactly
//! as their hand-written `*.expected.ll` files say.

use std::path::Path;

#[test]
fn non_canonical_inputs_print_as_written_by_hand() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/canonical");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/canonical exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "ll")
                && !p.to_string_lossy().ends_with(".expected.ll")
        })
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 3,
        "expected at least 3 canonical-form cases"
    );
    for input in &inputs {
        let expected_path = input.with_extension("expected.ll");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let text = std::fs::read_to_string(input).unwrap();
        let name = input.file_name().unwrap().to_string_lossy();
        let module = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        air_ir::verify(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
        let printed = air_ir::print(&module);
        assert_eq!(printed, expected, "{name}: canonical text differs");
        // The expected text is itself canonical.
        let again = air_ir::parse(&expected, "expected").unwrap();
        assert_eq!(
            air_ir::print(&again),
            expected,
            "{name}: expected text is not a fixed point"
        );
    }
}
