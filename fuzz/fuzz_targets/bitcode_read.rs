//! The bitcode reader on arbitrary bytes: reading must never panic, hang or
//! allocate without bound, and a module it accepts must encode to bitcode it
//! reads again.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    air_bitcode::read::fuzz_exercise(data);
});
