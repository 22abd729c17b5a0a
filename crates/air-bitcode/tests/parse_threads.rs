//! The bitcode of a module does not depend on how many threads parsed its
//! text: every thread count gives the same bytes, in both flavours.

use std::path::Path;

use air_bitcode::{Flavour, WriteOptions};

fn bitcode(text: &str, threads: usize, min_bytes: usize, flavour: Flavour) -> Vec<u8> {
    let (m, _) = air_ir::text::parse_with_source_map_tuned(text, "input.ll", threads, min_bytes)
        .expect("parses");
    let options = WriteOptions {
        flavour,
        input_path: "input.ll".to_string(),
        producer: None,
    };
    air_bitcode::write_module(&m, &options).expect("writes")
}

/// Parses `text` with 1 to 4 threads (the parallel path forced even for
/// small inputs) and compares the bitcode.
fn check(text: &str, what: &str) {
    for flavour in [Flavour::Llvm14, Flavour::Apple] {
        let seq = bitcode(text, 1, 0, flavour);
        for threads in 2..=4 {
            assert!(
                bitcode(text, threads, 0, flavour) == seq,
                "{what}: {flavour:?} bitcode differs with {threads} threads"
            );
        }
    }
}

#[test]
fn corpus_bitcode_is_the_same_on_any_thread_count() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ll"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        check(&text, &f.display().to_string());
    }
}

#[test]
fn generated_bitcode_is_the_same_on_any_thread_count() {
    for seed in 0..6 {
        let options = air_testgen::GenOptions {
            kernels: 2 + seed as usize % 3,
            stretch: 20 + 10 * seed as usize,
            depth: 3,
            debug_info: false,
        };
        let text = air_ir::print(&air_testgen::random_module(seed, options));
        check(&text, &format!("seed {seed}"));
    }
}
