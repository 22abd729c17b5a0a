//! Invalid inputs and the diagnostics they must produce.
//!
//! Each `tests/invalid/NAME.ll` is run through parse → verify, as
//! `airlink fmt` does; the rendered error must equal `NAME.ll.err`. Run with
//! `AIRLINK_BLESS=1` to rewrite the `.err` files after a deliberate wording
//! change, then review the diff: the files are the reviewed expectation.

use std::path::Path;

fn diagnose(text: &str, name: &str) -> Option<String> {
    match air_ir::parse_with_source_map(text, name) {
        Err(e) => Some(e.to_string()),
        Ok((m, map)) => air_ir::verify(&m)
            .err()
            .map(|e| air_ir::render_verify_error(text, name, &m, &map, &e)),
    }
}

#[test]
fn invalid_inputs_give_the_expected_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid");
    let bless = std::env::var_os("AIRLINK_BLESS").is_some();
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/invalid exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 15, "the invalid-input corpus shrank");
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(input).unwrap();
        let Some(actual) = diagnose(&text, &name) else {
            failures.push(format!("{name}: accepted, but it is invalid"));
            continue;
        };
        let expected_path = input.with_extension("ll.err");
        if bless {
            std::fs::write(&expected_path, format!("{actual}\n")).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected.trim_end() == actual.trim_end() => {}
            Ok(expected) => failures.push(format!(
                "{name}:\n--- expected\n{expected}\n--- actual\n{actual}"
            )),
            Err(_) => failures.push(format!(
                "{name}: no {}; run with AIRLINK_BLESS=1 and review",
                expected_path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
