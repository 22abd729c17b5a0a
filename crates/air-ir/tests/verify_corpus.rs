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
