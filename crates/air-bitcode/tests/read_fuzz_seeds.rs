//! Replays the `bitcode_read` fuzz target's seeds (`fuzz/corpus/bitcode_read`,
//! bitcode our writer made from corpus files) through its body, with
//! truncations and bit flips of each: the reader must return an error or a
//! module, never panic or hang. `AIRLINK_WRITE_FUZZ_SEEDS=1` regenerates the
//! seeds.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use air_bitcode::read::fuzz_exercise;
use air_bitcode::{read_module, write_module, Flavour, WriteOptions};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seed_dir() -> PathBuf {
    repo_root().join("fuzz/corpus/bitcode_read")
}

/// Seeds: one module per corpus file below, in the flavour given.
const SEEDS: [(&str, Flavour); 5] = [
    ("simple_1d", Flavour::Apple),
    ("switch_atomics", Flavour::Llvm14),
    ("all_instructions", Flavour::Llvm14),
    ("constant_exprs", Flavour::Llvm14),
    ("attributes", Flavour::Apple),
];

fn write_seeds() {
    std::fs::create_dir_all(seed_dir()).unwrap();
    for (name, flavour) in SEEDS {
        let path = repo_root().join(format!("tests/corpus/{name}.ll"));
        let text = std::fs::read_to_string(path).unwrap();
        let module = air_ir::parse(&text, name).unwrap();
        let options = WriteOptions {
            flavour,
            input_path: format!("{name}.ll"),
            ..WriteOptions::default()
        };
        let bytes = write_module(&module, &options).unwrap();
        std::fs::write(seed_dir().join(format!("{name}.bc")), bytes).unwrap();
    }
}

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    if std::env::var_os("AIRLINK_WRITE_FUZZ_SEEDS").is_some() {
        write_seeds();
    }
    let mut paths: Vec<_> = std::fs::read_dir(seed_dir())
        .expect("the bitcode_read seed corpus is missing")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    assert!(paths.len() >= SEEDS.len(), "only {} seeds", paths.len());
    paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs the reader (and, when `full`, the whole fuzz body, which also
/// encodes what was read: five times slower) and fails if one input takes
/// unreasonably long (a hang would show up as a test timeout; this names
/// the input).
fn exercise_timed(bytes: &[u8], full: bool, what: &dyn Fn() -> String) {
    let start = Instant::now();
    if full {
        fuzz_exercise(bytes);
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
fn seeds_read_and_survive_the_fuzz_body() {
    for (path, bytes) in seeds() {
        read_module(&bytes)
            .unwrap_or_else(|e| panic!("seed {} does not read: {e}", path.display()));
        exercise_timed(&bytes, true, &|| format!("seed {}", path.display()));
    }
}

#[test]
fn truncated_seeds_are_errors_not_panics() {
    for (path, bytes) in seeds() {
        // Every length near both ends, and a stride through the middle.
        let lengths = (0..bytes.len().min(96))
            .chain((96..bytes.len()).step_by(13))
            .chain(bytes.len().saturating_sub(96)..bytes.len());
        for (i, len) in lengths.enumerate() {
            let cut = &bytes[..len];
            exercise_timed(cut, i % 8 == 0, &|| {
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
fn bit_flipped_seeds_are_errors_or_modules_not_panics() {
    for (path, bytes) in seeds() {
        let bits = bytes.len() * 8;
        // A deterministic spread of positions (a multiplicative stride
        // visits every region of the file), plus the first 512 bits, where
        // the wrapper, magic and block headers are.
        let positions = (0..bits.min(512)).chain((0..1500).map(|i| (i * 7919 + 13) % bits));
        for (i, bit) in positions.enumerate() {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            exercise_timed(&flipped, i % 8 == 0, &|| {
                format!("{} with bit {bit} flipped", path.display())
            });
        }
    }
}

#[test]
fn errors_name_the_bit_block_and_record() {
    let (_, bytes) = seeds().into_iter().next().unwrap();
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
