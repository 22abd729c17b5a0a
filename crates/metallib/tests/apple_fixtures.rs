//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder of Apple-built
//! `.metallib` files (never committed). Each must parse, every HASH must
//! match, and laying the parsed pieces out again must give the same bytes.

use metallib::MetallibFile;

#[test]
fn apple_built_libraries_parse_verify_and_rebuild_identically() {
    let Some(dir) = std::env::var_os("AIRLINK_APPLE_FIXTURES") else {
        println!("skipped: AIRLINK_APPLE_FIXTURES not set");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "metallib"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .metallib files in {}", dir.display());
    for path in files {
        let name = path.display();
        let bytes = std::fs::read(&path).unwrap();
        let file = MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for f in file.functions() {
            assert_eq!(
                f.hash_status(),
                metallib::HashStatus::Ok,
                "{name}: {}",
                f.name
            );
        }
        let rebuilt = file.to_raw().to_bytes().unwrap();
        if rebuilt != bytes {
            let at = rebuilt.iter().zip(&bytes).position(|(a, b)| a != b);
            panic!(
                "{name}: rebuilt file differs (first difference at {at:?}, lengths {} vs {})",
                rebuilt.len(),
                bytes.len()
            );
        }
        println!("ok: {name} ({} functions)", file.functions().len());
    }
}
