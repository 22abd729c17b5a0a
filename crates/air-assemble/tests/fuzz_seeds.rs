//! The seeds of the `metallib_parse` fuzz target (`fuzz/corpus/metallib_parse`,
//! replayed by crates/test-support/tests/fuzz_seeds.rs) are libraries this
//! crate writes: a one-kernel, a multi-kernel and a three-visible-function
//! library from the corpus, retargeted to macOS 26, with llvm-as-14 as the
//! encoder. `AIRLINK_WRITE_FUZZ_SEEDS=1` rewrites them from the corpus. (The
//! `apple_*` seeds next to them come from crates/metallib/tests/fuzz_seeds.rs.)

mod common;

use air_assemble::{assemble_with_encoder, Input, Options, TargetChoice};

const SEEDS: [&str; 3] = ["simple_1d", "switch_atomics", "visible_function"];

#[test]
fn metallib_parse_seeds_are_what_the_assembler_writes() {
    let dir = common::repo_root().join("fuzz/corpus/metallib_parse");
    let target = air_target::Target::by_id("macos26").unwrap();
    let options = Options {
        target: TargetChoice::Target(target),
        retarget: true,
        ..Options::default()
    };
    let write = std::env::var_os("AIRLINK_WRITE_FUZZ_SEEDS").is_some();
    for name in SEEDS {
        let path = common::repo_root().join(format!("tests/corpus/{name}.ll"));
        let module = common::load(&path);
        let input = Input::Module {
            module: &module,
            path: &format!("{name}.ll"),
        };
        let library = assemble_with_encoder(input, &options, common::encode_with_llvm_as)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let seed = dir.join(format!("{name}.metallib"));
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&seed, &library.bytes).unwrap();
        }
        let stored = std::fs::read(&seed).unwrap_or_else(|e| panic!("{}: {e}", seed.display()));
        assert!(
            stored == library.bytes,
            "{} is not what the assembler writes for {name}.ll (AIRLINK_WRITE_FUZZ_SEEDS=1 rewrites it)",
            seed.display()
        );
    }
}
