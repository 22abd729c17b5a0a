//! The `metallib_parse` target: arbitrary bytes through the `.metallib`
//! reader, the inspect views and the owned model.
//!
//! Properties:
//! - parsing, the views and the model never panic, hang or allocate
//!   without bound; every refusal is an error with an offset inside the
//!   input;
//! - lossless round trip: when [`Library::from_file`] accepts a parsed
//!   file, [`Library::write`] gives back exactly the input bytes. It
//!   refuses (with [`ReadErrorKind::Layout`], and only with that) the files
//!   it could not write back unchanged: sections out of order or with gaps,
//!   modules that do not tile the module list, offsets that point into the
//!   middle of a group (crates/metallib/src/library.rs);
//! - edits: dropping the sources, the reflection list and the debug
//!   locations, or replacing a module, gives a library that parses, that
//!   the model takes apart again and writes unchanged, whose functions keep
//!   their names, and whose hashes verify wherever they did before (and
//!   for every replaced module).

use metallib::library::Library;
use metallib::{HashStatus, MetallibFile, ReadErrorKind};

/// Parses `data` and, when it parses, runs every view and the model over
/// it, checking the properties above.
pub fn run(data: &[u8]) {
    let Ok(file) = MetallibFile::parse(data) else {
        return;
    };
    let statuses = file.hash_statuses();
    for f in file.functions() {
        let _ = f.bitcode();
        let _ = file.public_metadata_of(f);
        let _ = file.private_metadata_of(f);
        let _ = file.reflection_of(f);
        let _ = file.source_archive_of(f);
    }
    let _ = metallib::inspect::summary(&file);
    let _ = metallib::inspect::dump(&file);

    let library = match Library::from_file(&file) {
        Ok(library) => library,
        Err(e) => {
            assert!(matches!(e.kind, ReadErrorKind::Layout(_)), "{e}");
            assert!(e.offset <= data.len() as u64, "{e}");
            return;
        }
    };
    let written = library.write().expect("a model read from a file writes");
    assert!(written == data, "read -> write changed the bytes");

    // Edits.
    let names: Vec<&str> = file.functions().iter().map(|f| f.name).collect();
    let check = |edited: &Library, replaced: Option<usize>| {
        let bytes = edited.write().expect("an edited model writes");
        let back = MetallibFile::parse(&bytes).expect("an edited library parses");
        let again = Library::from_file(&back).expect("the model takes it apart again");
        assert!(again.write().expect("writes") == bytes, "not a fixed point");
        let back_names: Vec<&str> = back.functions().iter().map(|f| f.name).collect();
        assert_eq!(back_names, names);
        for ((f, before), after) in edited
            .functions
            .iter()
            .zip(&statuses)
            .zip(back.hash_statuses())
        {
            if *before == HashStatus::Ok
                || replaced == Some(f.module) && after != HashStatus::Missing
            {
                assert_eq!(after, HashStatus::Ok);
            }
        }
    };
    let mut stripped = library.clone();
    stripped.remove_sources();
    stripped.remove_reflection();
    stripped.remove_debug_locations();
    check(&stripped, None);
    if !library.modules.is_empty() {
        let mut replaced = library.clone();
        let _ = replaced.replace_modules(|i, m| {
            Ok::<_, ()>((i == 0).then(|| {
                let mut m = m.to_vec();
                m.extend_from_slice(&[0; 16]);
                m
            }))
        });
        check(&replaced, Some(0));
    }
}
