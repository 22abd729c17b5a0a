//! The `module_gen` target, structure-aware, in the spirit of wasm-smith: the
//! fuzzer's bytes choose the generator's seed and size knobs, and
//! `air_testgen::random_module` builds a valid module from them. Properties:
//! the verifier accepts it, it prints to text that parses back equal, and its
//! `llvm14` bitcode reads back to a module that encodes to the same bytes (a
//! fixed point). (Byte equality with `llvm-as-14` is checked by the seed
//! replay, `crates/test-support/tests/fuzz_seeds.rs`, which may spawn
//! processes; the fuzz loop does not.)

use air_testgen::GenOptions;

/// The seed and options the bytes select: 8 bytes of seed (little-endian,
/// zero-padded), then one byte each for kernels (1..=4), stretch (0..=15),
/// depth (0..=3) and debug info (its low bit; seeds of 11 bytes or fewer
/// have none).
pub fn decode(data: &[u8]) -> (u64, GenOptions) {
    let mut seed = [0u8; 8];
    let n = data.len().min(8);
    seed[..n].copy_from_slice(&data[..n]);
    let byte = |i: usize| data.get(i).copied().unwrap_or(0) as usize;
    let options = GenOptions {
        kernels: 1 + byte(8) % 4,
        stretch: byte(9) % 16,
        depth: (byte(10) % 4) as u32,
        debug_info: byte(11) & 1 == 1,
    };
    (u64::from_le_bytes(seed), options)
}

/// Runs one input and returns the module and its bitcode.
pub fn run(data: &[u8]) -> (air_ir::Module, Vec<u8>) {
    let (seed, options) = decode(data);
    let module = air_testgen::random_module(seed, options);
    if let Err(e) = air_ir::verify(&module) {
        panic!("generated module (seed {seed}, {options:?}) does not verify: {e}");
    }
    let text = air_ir::print(&module);
    match air_ir::parse(&text, "gen.ll") {
        Ok(m) => assert!(
            m == module,
            "print/parse round trip differs (seed {seed}):\n{text}"
        ),
        Err(e) => panic!("printed module does not parse (seed {seed}): {e}\n{text}"),
    }
    let write = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Llvm14,
        ..air_bitcode::WriteOptions::default()
    };
    let bytes = match air_bitcode::write_module(&module, &write) {
        Ok(b) => b,
        Err(e) => panic!("write_module failed (seed {seed}): {e}"),
    };
    // Generated modules are not always in the form LLVM keeps (uniqued
    // constants, implied attributes), so the property is the one
    // `read_roundtrip.rs` states: the module read back encodes to the same
    // bytes and is a fixed point of read(write(.)).
    let read = match air_bitcode::read_module(&bytes) {
        Ok(m) => m,
        Err(e) => panic!("read_module of our own bitcode failed (seed {seed}): {e}"),
    };
    let again = match air_bitcode::write_module(&read, &write) {
        Ok(b) => b,
        Err(e) => panic!("write_module of the module read back failed (seed {seed}): {e}"),
    };
    assert!(
        again == bytes,
        "bitcode of the module read back differs (seed {seed}):\n{text}"
    );
    match air_bitcode::read_module(&again) {
        Ok(m) => assert!(
            m == read,
            "read(write(.)) is not a fixed point (seed {seed}):\n{text}"
        ),
        Err(e) => panic!("second read failed (seed {seed}): {e}"),
    }
    (module, bytes)
}
