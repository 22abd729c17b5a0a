//! Every module of the corpus (`tests/corpus/*.ll`) verifies.

#[test]
fn corpus_modules_verify() {
    let files = airlink_test_support::corpus_files();
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let module = match air_ir::parse(&text, &name) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: does not parse: {e}"));
                continue;
            }
        };
        for e in air_ir::verify::verify_all(&module) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `verify_outside_bodies` accepts every corpus module, reports what
/// `verify` reports outside bodies, and does not look inside bodies.
#[test]
fn outside_bodies_checks_everything_but_instructions() {
    for path in &airlink_test_support::corpus_files() {
        let text = std::fs::read_to_string(path).unwrap();
        let module = air_ir::parse(&text, "corpus.ll").unwrap();
        assert_eq!(
            air_ir::verify_outside_bodies(&module),
            Ok(()),
            "{}",
            path.display()
        );
    }
    let invalid = |name: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let module = air_ir::parse(&text, name).unwrap();
        let whole = air_ir::verify(&module).expect_err(name);
        (whole, air_ir::verify_outside_bodies(&module))
    };
    // A declaration with the wrong intrinsic signature: outside bodies.
    let (whole, outside) = invalid("bad_intrinsic_signature.ll");
    assert_eq!(outside, Err(whole));
    // A use its definition does not dominate: inside a body.
    let (whole, outside) = invalid("use_before_def_verify.ll");
    assert_eq!(
        whole.kind,
        air_ir::verify::VerifyErrorKind::NotDominated,
        "{whole}"
    );
    assert!(whole.message.contains("does not dominate"), "{whole}");
    assert_eq!(outside, Ok(()));
}
