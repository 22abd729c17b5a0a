//! The body of the `metallib_parse` fuzz target (in `fuzz/`, outside the
//! workspace), here so the seed corpus can be replayed by `cargo test`.

/// Parses `data` and, when it parses, runs every view over it: hash checks,
/// summary, dump and the lossless rewrite.
pub fn exercise(data: &[u8]) {
    let Ok(file) = crate::MetallibFile::parse(data) else {
        return;
    };
    let _ = file.hashes_ok();
    for f in file.functions() {
        let _ = f.hash_status();
        let _ = f.bitcode();
        let _ = file.public_metadata_of(f);
        let _ = file.private_metadata_of(f);
    }
    let _ = crate::inspect::summary(&file);
    let _ = crate::inspect::dump(&file);
    // A file with gaps between sections rebuilds with stale offsets, so the
    // result need not parse; it must only be produced without panicking.
    let _ = file.to_raw().to_bytes();
}
