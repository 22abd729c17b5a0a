//! The seed replay of every fuzz target: each target's seed corpus
//! (`fuzz/corpus/TARGET`) goes through the target's body (`fuzz/src`,
//! crate `airlink-fuzz`), whole and cut, damaged or bit-flipped where the
//! target is about damaged input, so that a plain `cargo test` exercises
//! what the fuzzers run, without libFuzzer. Each test also keeps the
//! checks the fuzz loop cannot make (LLVM 14 as the oracle, minimum
//! numbers of completed runs). `AIRLINK_WRITE_FUZZ_SEEDS=1` regenerates the
//! `metallib_parse` and `bitcode_read` seeds from the corpus.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
use airlink_fuzz as targets;
use airlink_test_support::seeds::{corpus_dir, cuts, fuzz_seeds};
use airlink_test_support::{compare_bitcode, llvm_as, repo_root};

// ----- ir_text_parse -----

/// Parse, verify, print and re-parse never panic on a seed or ~40 of its
/// prefixes, and a module that parses round-trips equal.
#[test]
fn ir_text_parse_seeds_run_through_the_target() {
    for (_, bytes) in fuzz_seeds("ir_text_parse", 1) {
        targets::ir_text_parse::run(&bytes);
        // About 40 prefixes per seed keep the debug-build test fast.
        for len in cuts(bytes.len(), 40) {
            targets::ir_text_parse::run(&bytes[..len]);
        }
    }
}

// ----- spec_parse -----

/// Reading and generating give a shell or an error, never a panic, on each
/// seed (the reference specs) and ~30 of its prefixes.
#[test]
fn spec_parse_seeds_run_through_the_target() {
    let base = repo_root().join("examples/specs");
    for (_, bytes) in fuzz_seeds("spec_parse", 3) {
        targets::spec_parse::run(&bytes, &base);
        for len in cuts(bytes.len(), 30) {
            targets::spec_parse::run(&bytes[..len], &base);
        }
    }
}

// ----- bitstream_read -----

/// The bitstream reader returns a stream or an error, never a panic, on
/// each seed, ~200 truncations and ~200 single-bit flips of it.
#[test]
fn bitstream_read_seeds_run_through_the_target() {
    for (_, bytes) in fuzz_seeds("bitstream_read", 1) {
        targets::bitstream_read::run(&bytes);
        for len in cuts(bytes.len(), 200) {
            targets::bitstream_read::run(&bytes[..len]);
        }
        let mut flipped = bytes.clone();
        for i in cuts(bytes.len(), 200) {
            flipped[i] ^= 0x10;
            targets::bitstream_read::run(&flipped);
            flipped[i] ^= 0x10;
        }
    }
}

// ----- module_gen -----

/// Each seed's generated module passes the target's checks (verify, text
/// round trip, bitcode round trip), and its `llvm14` bitcode equals
/// `llvm-as-14`'s byte for byte, which the fuzz loop does not check.
#[test]
fn module_gen_seeds_run_through_the_target_and_match_llvm_as() {
    airlink_test_support::require_llvm_14();
    let scratch = airlink_test_support::scratch_dir("module_gen_seeds");
    let mut failures = Vec::new();
    for (i, (path, bytes)) in fuzz_seeds("module_gen", 1).iter().enumerate() {
        let (module, _) = targets::module_gen::run(bytes);
        let name = format!("seed{i}.ll");
        let file = scratch.join(&name);
        std::fs::write(&file, air_ir::print(&module)).unwrap();
        let theirs = llvm_as(&file).unwrap();
        let ours = write_module(
            &module,
            &WriteOptions {
                flavour: Flavour::Llvm14,
                input_path: name.clone(),
                // The installed llvm-as-14 release, so any 14.x is an oracle.
                producer: Some(airlink_test_support::llvm_version().to_string()),
            },
        )
        .unwrap();
        if let Err(e) = compare_bitcode(&ours, &theirs) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

// ----- exec_shell -----

/// Every run ends in a result or an error within the step budget, never a
/// panic or hang; the seeds are chosen so that real kernels run, not only
/// errors.
#[test]
fn exec_shell_seeds_run_through_the_target() {
    let mut completed = 0;
    for (_, bytes) in fuzz_seeds("exec_shell", 3) {
        completed += targets::exec_shell::run(&bytes);
    }
    assert!(completed >= 5, "only {completed} runs completed");
}

// ----- exec_big -----

/// Every seed's generated kernel parses, runs to a result or an error
/// within the small budget and memory limit, and gives the same outcome
/// with one worker and with three (the target's own check); some of them
/// complete, and 2 cuts of every seed and 2 copies with a byte flipped
/// stay within the bounds too (each run is up to the budget twice, so
/// the debug-build test keeps to a few).
#[test]
fn exec_big_seeds_run_through_the_target() {
    let mut completed = 0;
    for (_, bytes) in fuzz_seeds("exec_big", 8) {
        completed += usize::from(targets::exec_big::run(&bytes));
        for len in cuts(bytes.len(), 2) {
            targets::exec_big::run(&bytes[..len]);
        }
        let mut flipped = bytes.clone();
        for i in cuts(bytes.len(), 2) {
            flipped[i] ^= 0x21;
            targets::exec_big::run(&flipped);
            flipped[i] ^= 0x21;
        }
    }
    assert!(completed >= 2, "only {completed} seeds completed");
}

// ----- lazy_assemble -----

/// The text pipelines agree with the whole-module one on each seed, ~12
/// cuts of it and 8 copies damaged inside bodies; at least 3/4 of the
/// seeds take the entry-by-entry path at all.
#[test]
fn lazy_assemble_seeds_run_through_the_target() {
    let seeds = fuzz_seeds("lazy_assemble", 6);
    let mut rng = air_testgen::Rng::new(0x5eed_1a20_0000_0001 ^ seeds.len() as u64);
    let mut lazy_ok = 0;
    for (path, bytes) in &seeds {
        targets::lazy_assemble::run(bytes);
        // About 12 cuts per seed keep the debug-build test fast; cuts land
        // inside bodies, where the two pipelines work differently.
        for len in cuts(bytes.len(), 12) {
            targets::lazy_assemble::run(&bytes[..len]);
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            continue;
        };
        for _ in 0..8 {
            let damaged = airlink_test_support::damage::damage(text, &mut rng);
            targets::lazy_assemble::run(damaged.text.as_bytes());
        }
        // Whether the seed gets the fuzzer into the lazy path at all: the
        // body assembles for the target of the seed's own triple.
        let options = air_assemble::Options::for_target(targets::lazy_assemble::target_of(text));
        if air_assemble::stream::assemble_text_lazily(text, "seed.ll", &options).is_ok() {
            lazy_ok += 1;
        } else {
            eprintln!("{}: not taken by the lazy path", path.display());
        }
    }
    // Seeds without entries (visible functions only) cannot take it; the
    // rest must, or the fuzzer starts far from the code it is for.
    assert!(
        lazy_ok * 4 >= seeds.len() * 3,
        "only {lazy_ok} of {} seeds take the lazy path",
        seeds.len()
    );
}

// ----- metallib_parse -----

/// Each seed parses, and it and every truncation of it go through the
/// target (hash checks, views, lossless rewrite) without a panic.
#[test]
fn metallib_parse_seeds_run_through_the_target() {
    // Three seeds are what the assembler writes for three corpus files
    // (crates/air-assemble/tests/fuzz_seeds.rs checks and rewrites them);
    // three more are libraries shaped like Apple's, made with the container
    // model (crates/metallib/tests/fuzz_seeds.rs).
    for (path, bytes) in fuzz_seeds("metallib_parse", 6) {
        assert!(
            metallib::MetallibFile::parse(&bytes).is_ok(),
            "seed {} does not parse",
            path.display()
        );
        for len in 0..=bytes.len() {
            targets::metallib_parse::run(&bytes[..len]);
        }
    }
}

// ----- bitcode_read -----

/// The `bitcode_read` seeds: one module per corpus file below, written by
/// our writer in the flavour given.
/// (corpus file, flavour, seed name).
const BITCODE_SEEDS: [(&str, Flavour, &str); 7] = [
    ("simple_1d", Flavour::Apple, "simple_1d"),
    ("switch_atomics", Flavour::Llvm14, "switch_atomics"),
    ("all_instructions", Flavour::Llvm14, "all_instructions"),
    ("constant_exprs", Flavour::Llvm14, "constant_exprs"),
    ("attributes", Flavour::Apple, "attributes"),
    // Every debug-info record, and the Apple subprogram's extra operand.
    ("debug_info", Flavour::Llvm14, "debug_info"),
    ("debug_info", Flavour::Apple, "debug_info_apple"),
];

fn write_bitcode_seeds() {
    let dir = corpus_dir("bitcode_read");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, flavour, seed) in BITCODE_SEEDS {
        let path = repo_root().join(format!("tests/corpus/{name}.ll"));
        let text = std::fs::read_to_string(path).unwrap();
        let module = air_ir::parse(&text, name).unwrap();
        let options = WriteOptions {
            flavour,
            input_path: format!("{name}.ll"),
            ..WriteOptions::default()
        };
        let bytes = write_module(&module, &options).unwrap();
        std::fs::write(dir.join(format!("{seed}.bc")), bytes).unwrap();
    }
}

fn bitcode_seeds() -> Vec<(PathBuf, Vec<u8>)> {
    if std::env::var_os("AIRLINK_WRITE_FUZZ_SEEDS").is_some() {
        write_bitcode_seeds();
    }
    fuzz_seeds("bitcode_read", BITCODE_SEEDS.len())
}

/// Runs the reader (and, when `full`, the whole target body, which also
/// encodes what was read: five times slower) and fails if one input takes
/// unreasonably long (a hang would show up as a test timeout; this names
/// the input).
fn read_timed(bytes: &[u8], full: bool, what: &dyn Fn() -> String) {
    let start = Instant::now();
    if full {
        targets::bitcode_read::run(bytes);
    } else {
        let _ = read_module(bytes);
    }
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{} took {:?}",
        what(),
        start.elapsed()
    );
}

#[test]
fn bitcode_read_seeds_read_and_survive_the_target() {
    for (path, bytes) in bitcode_seeds() {
        read_module(&bytes)
            .unwrap_or_else(|e| panic!("seed {} does not read: {e}", path.display()));
        read_timed(&bytes, true, &|| format!("seed {}", path.display()));
    }
}

#[test]
fn bitcode_read_truncated_seeds_are_errors_not_panics() {
    for (path, bytes) in bitcode_seeds() {
        // Every length near both ends, and a stride through the middle.
        let lengths = (0..bytes.len().min(96))
            .chain((96..bytes.len()).step_by(13))
            .chain(bytes.len().saturating_sub(96)..bytes.len());
        for (i, len) in lengths.enumerate() {
            let cut = &bytes[..len];
            read_timed(cut, i % 8 == 0, &|| {
                format!("{} cut to {len} bytes", path.display())
            });
            // A strict prefix never holds a whole module: the end of the
            // module or STRTAB block is missing.
            if len + 16 < bytes.len() {
                assert!(
                    read_module(cut).is_err(),
                    "{} cut to {len} bytes still reads",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn bitcode_read_bit_flipped_seeds_are_errors_or_modules_not_panics() {
    for (path, bytes) in bitcode_seeds() {
        let bits = bytes.len() * 8;
        // A deterministic spread of positions (a multiplicative stride
        // visits every region of the file), plus the first 512 bits, where
        // the wrapper, magic and block headers are.
        let positions = (0..bits.min(512)).chain((0..1500).map(|i| (i * 7919 + 13) % bits));
        for (i, bit) in positions.enumerate() {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            read_timed(&flipped, i % 8 == 0, &|| {
                format!("{} with bit {bit} flipped", path.display())
            });
        }
    }
}

#[test]
fn bitcode_read_errors_name_the_bit_block_and_record() {
    let (_, bytes) = bitcode_seeds().into_iter().next().unwrap();
    // Cut inside the module: the message names where reading stopped.
    let err = read_module(&bytes[..bytes.len() / 2]).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("bit "), "{text}");
    assert!(text.contains(" in "), "{text}");
    assert!(err.bit_offset <= bytes.len() as u64 * 8 / 2 + 64, "{text}");
    // Not bitcode at all.
    let err = read_module(b"MTLB\0\0\0\0").unwrap_err();
    assert!(err.to_string().contains("not LLVM bitcode"), "{err}");
}
