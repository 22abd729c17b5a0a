//! The corpus against LLVM 14: every file parses, verifies and prints; the
//! printed text reads back as the same module and is a fixed point; and LLVM
//! 14 sees the same module in our text as in the original
//! (`llvm-dis-14(llvm-as-14(fmt(f))) == llvm-dis-14(llvm-as-14(f))`).

mod common;

use common::{corpus_files, first_difference, llvm_roundtrip};

#[test]
fn corpus_round_trips_through_our_text_and_llvm_14() {
    let mut failures = Vec::new();
    let files = corpus_files();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let module = match air_ir::parse(&text, &name) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: parse failed:\n{e}"));
                continue;
            }
        };
        if let Err(e) = air_ir::verify(&module) {
            failures.push(format!("{name}: verify failed: {e}"));
            continue;
        }
        let printed = air_ir::print(&module);
        match air_ir::parse(&printed, &format!("{name} (printed)")) {
            Ok(again) => {
                if again != module {
                    failures.push(format!("{name}: parse(print(m)) != m"));
                }
                let reprinted = air_ir::print(&again);
                if reprinted != printed {
                    failures.push(format!(
                        "{name}: print is not a fixed point: {}",
                        first_difference(&printed, &reprinted)
                    ));
                }
            }
            Err(e) => {
                failures.push(format!("{name}: our text does not parse:\n{e}"));
                continue;
            }
        }
        let reference = match llvm_roundtrip(&text) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: llvm-as-14 rejects the corpus file: {e}"));
                continue;
            }
        };
        match llvm_roundtrip(&printed) {
            Ok(ours) => {
                if ours != reference {
                    failures.push(format!(
                        "{name}: LLVM 14 reads a different module from our text: {}",
                        first_difference(&reference, &ours)
                    ));
                }
            }
            Err(e) => failures.push(format!("{name}: llvm-as-14 rejects our text: {e}")),
        }
    }
    println!(
        "corpus: {} files checked against LLVM 14, {} failures",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
