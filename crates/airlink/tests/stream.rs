//! The lazy text → library path (`metallib::assemble_text`) against the
//! whole-module pipeline (parse, verify, `metallib::assemble`): same bytes
//! for valid inputs, and the lazy path really taken for them.

use metallib::stream::{assemble_text_lazily, Fallback};
use metallib::AssembleOptions;

fn encode(m: &air_ir::Module) -> Result<Vec<u8>, air_bitcode::EncodeError> {
    let options = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Apple,
        input_path: "in.ll".to_string(),
        producer: None,
    };
    air_bitcode::write_module(m, &options)
}

fn target_of(module: &air_ir::Module) -> &'static air_target::Target {
    let triple = module.triple.as_deref().unwrap_or("");
    air_target::TARGETS
        .iter()
        .find(|t| t.matches_triple(triple))
        .unwrap_or_else(|| air_target::Target::by_id("macos26").unwrap())
}

/// Both pipelines on `text`; returns the lazy path's result.
fn compare(text: &str, name: &str, threads: usize) -> Result<Vec<u8>, Fallback> {
    let (module, _) = air_ir::parse_with_source_map(text, name).unwrap();
    air_ir::verify(&module).unwrap();
    let options = AssembleOptions {
        target: target_of(&module),
        retarget: true,
        threads,
    };
    let whole = metallib::assemble(&module, &options, encode);
    let lazy = assemble_text_lazily(text, name, &options, encode);
    let text_path = metallib::assemble_text(text, name, &options, encode);
    match (&whole, &lazy) {
        (Ok(a), Ok(b)) => assert!(a == b, "{name}: the lazy path's bytes differ"),
        (Ok(_), Err(_)) | (Err(_), _) => {}
    }
    match (&whole, &text_path) {
        (Ok(a), Ok(b)) => assert!(a == b, "{name}: assemble_text's bytes differ"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
        _ => panic!("{name}: assemble_text and the whole pipeline disagree"),
    }
    lazy
}

#[test]
fn corpus_files_give_the_same_bytes() {
    let mut lazy_ok = 0;
    for path in airlink_test_support::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for threads in [1, 3] {
            match compare(&text, &name, threads) {
                Ok(_) => lazy_ok += 1,
                Err(why) => eprintln!("{name}: lazy path fell back: {why:?}"),
            }
        }
    }
    assert!(lazy_ok > 0);
}

#[test]
fn generated_modules_give_the_same_bytes() {
    for seed in 0..12u64 {
        let options = air_ir::testgen::GenOptions {
            kernels: 1 + (seed as usize % 4),
            stretch: 30,
            depth: 2,
        };
        let text = air_ir::print(&air_ir::testgen::random_module(seed, options));
        for threads in [1, 2] {
            compare(&text, &format!("gen{seed}.ll"), threads)
                .unwrap_or_else(|why| panic!("seed {seed}: lazy path fell back: {why:?}"));
        }
    }
}
