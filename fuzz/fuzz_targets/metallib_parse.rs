//! The `.metallib` reader on arbitrary bytes: parsing, the inspect views and
//! the lossless rewrite must never panic, hang or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    metallib::fuzz::exercise(data);
});
