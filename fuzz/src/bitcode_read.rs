//! The `bitcode_read` target: arbitrary bytes through the bitcode reader.
//! Reading must never panic, hang or allocate without bound, and a valid
//! module it accepts must encode to bitcode it reads again.

/// Reads `data` and, when that succeeds, prints the module and, when it
/// also verifies, encodes it in both flavours and reads the result again.
///
/// # Panics
/// When a valid module the reader accepted encodes to bitcode it cannot
/// read back: that would be a bug in the reader or the writer, which is
/// what the fuzzer is looking for.
pub fn run(data: &[u8]) {
    let Ok(module) = air_bitcode::read_module(data) else {
        return;
    };
    let _ = air_ir::print(&module);
    // The writer promises exact bytes for valid modules only; the reader
    // checks what it needs to build a model, not every IR rule.
    if air_ir::verify(&module).is_err() {
        return;
    }
    for flavour in [air_bitcode::Flavour::Llvm14, air_bitcode::Flavour::Apple] {
        let options = air_bitcode::WriteOptions {
            flavour,
            ..air_bitcode::WriteOptions::default()
        };
        if let Ok(bytes) = air_bitcode::write_module(&module, &options) {
            if let Err(e) = air_bitcode::read_module(&bytes) {
                panic!("our own encoding of a module read from bitcode does not read: {e}");
            }
        }
    }
}
