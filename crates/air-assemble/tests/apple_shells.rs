//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder of Apple-built files
//! (never committed; searched recursively). For every `X.ll` with an
//! Apple-built `X.metallib` next to it (the reverse-linking shells that
//! Apple's `metallib` tool built), the library airlink assembles from `X.ll`
//! must equal Apple's byte for byte outside the module, its HASH, its MDSZ
//! and the sizes that follow from the module's length (file size and
//! module-list size in the header). Apple optimised these texts, so the
//! modules themselves differ.

use std::path::{Path, PathBuf};

use metallib::{raw, MetallibFile};

fn pairs(dir: &Path, out: &mut Vec<(PathBuf, PathBuf)>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            pairs(&path, out);
        } else if path.extension().is_some_and(|x| x == "ll") {
            let lib = path.with_extension("metallib");
            if lib.exists() {
                out.push((path, lib));
            }
        }
    }
}

/// The byte ranges that follow from the module: file size, module-list
/// size, each function's HASH and MDSZ payloads, and the module list.
fn module_dependent(file: &MetallibFile<'_>) -> Vec<std::ops::Range<usize>> {
    let mut r = vec![
        raw::header::FILE_SIZE..raw::header::FILE_SIZE + 8,
        raw::header::MODULE_LIST_SIZE..raw::header::MODULE_LIST_SIZE + 8,
    ];
    for f in file.functions() {
        for code in [raw::HASH, raw::MDSZ] {
            let t = f.group.get(code).expect("HASH and MDSZ");
            let at = t.payload_offset() as usize;
            r.push(at..at + t.payload.len());
        }
    }
    let ml = file.header().module_list;
    r.push(ml.offset as usize..(ml.offset + ml.size) as usize);
    r
}

#[test]
fn our_shell_containers_have_apples_layout() {
    let Some(dir) = std::env::var_os("AIRLINK_APPLE_FIXTURES") else {
        println!("skipped: AIRLINK_APPLE_FIXTURES not set");
        return;
    };
    let mut found = Vec::new();
    pairs(Path::new(&dir), &mut found);
    found.sort();
    assert!(
        !found.is_empty(),
        "no X.ll with an X.metallib under {dir:?}"
    );
    for (ll, lib) in &found {
        let name = ll.display();
        let text = std::fs::read_to_string(ll).unwrap();
        let apple = std::fs::read(lib).unwrap();
        let ours = air_assemble::assemble(
            air_assemble::Input::Text {
                text: &text,
                path: &name.to_string(),
            },
            &air_assemble::Options::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .bytes;
        let a = MetallibFile::parse(&apple).unwrap_or_else(|e| panic!("{name}: {e}"));
        let o = MetallibFile::parse(&ours).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(o.hashes_ok(), "{name}");
        // The same fields at the same places, up to the module list, whose
        // end follows from the module's length.
        let (ra, ro) = (module_dependent(&a), module_dependent(&o));
        let starts =
            |r: &[std::ops::Range<usize>]| -> Vec<usize> { r.iter().map(|r| r.start).collect() };
        assert_eq!(starts(&ra), starts(&ro), "{name}: field positions differ");
        assert_eq!(ra[..ra.len() - 1], ro[..ro.len() - 1], "{name}");
        let mask = |bytes: &[u8], ranges: &[std::ops::Range<usize>]| -> Vec<u8> {
            let mut b = bytes.to_vec();
            for r in ranges {
                b[r.clone()].fill(0);
            }
            b
        };
        let (ma, mo) = (mask(&apple, &ra), mask(&ours, &ro));
        assert_eq!(
            ma.len() - ra.last().unwrap().len(),
            mo.len() - ro.last().unwrap().len()
        );
        if let Some(at) = ma.iter().zip(&mo).position(|(x, y)| x != y) {
            panic!("{name}: the containers differ at byte {at:#x} (outside the module's fields)");
        }
        // Nothing after the module list in either.
        let end =
            |f: &MetallibFile<'_>| f.header().module_list.offset + f.header().module_list.size;
        assert_eq!(end(&a), apple.len() as u64, "{name}");
        assert_eq!(end(&o), ours.len() as u64, "{name}");
        println!(
            "ok: {name}: same container outside {} module-dependent ranges ({} vs {} bytes)",
            ra.len(),
            apple.len(),
            ours.len()
        );
    }
    println!("{} shells compared", found.len());
}
