//! The `metallib_parse` target: arbitrary bytes through the `.metallib`
//! reader. Parsing, the inspect views and the lossless rewrite must never
//! panic, hang or allocate without bound.

/// Parses `data` and, when it parses, runs every view over it: hash checks,
/// summary, dump and the lossless rewrite.
pub fn run(data: &[u8]) {
    let Ok(file) = metallib::MetallibFile::parse(data) else {
        return;
    };
    let _ = file.hashes_ok();
    for f in file.functions() {
        let _ = f.hash_status();
        let _ = f.bitcode();
        let _ = file.public_metadata_of(f);
        let _ = file.private_metadata_of(f);
    }
    let _ = metallib::inspect::summary(&file);
    let _ = metallib::inspect::dump(&file);
    // A file with gaps between sections rebuilds with stale offsets, so the
    // result need not parse; it must only be produced without panicking.
    let _ = file.to_raw().to_bytes();
}
