//! The reader on damaged input: every truncation and many random byte flips
//! of written files must give `Err` or `Ok`, never a panic or a hang; and
//! whatever parses must also survive the inspect views.

use metallib::library::{ExtensionTag, FunctionTag, ReflectionGroup, ReflectionTag, Section};
use metallib::raw::SizeRule;
use metallib::raw::{FunctionType, Versions};
use metallib::write::{Builder, NewFunction, RawTag};
use metallib::{Library, MetallibFile};

use air_testgen::Rng;

/// A fake wrapped module: wrapper header, a few bitcode-looking bytes, padding.
fn fake_module(len: u32) -> Vec<u8> {
    let mut m = vec![0xDE, 0xC0, 0x17, 0x0B, 0, 0, 0, 0, 20, 0, 0, 0];
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&[0xFF; 4]);
    m.extend_from_slice(b"BC\xC0\xDE");
    m.resize(20 + len as usize, 0x35);
    m.resize(m.len().div_ceil(16) * 16, 0);
    m
}

/// Files to damage: our own two-function layout, and one shaped like the
/// one-step driver's output (UUID, HDYN, RLST, RFLT, reflection list).
fn samples() -> Vec<Vec<u8>> {
    let target = air_target::Target::by_id("macos26").unwrap();
    let mut b = Builder::for_target(target);
    for (name, ty, len) in [
        ("k", FunctionType::KERNEL, 40),
        ("vis", FunctionType::VISIBLE, 7),
    ] {
        b.add_function(NewFunction {
            name: name.into(),
            function_type: ty,
            versions: Versions::for_target(target),
            module: fake_module(len),
        });
    }
    let ours = b.write().unwrap();
    vec![ours.clone(), driver_shaped(&ours)]
}

/// Rebuilds `file` with the extras the one-step driver writes.
fn driver_shaped(file: &[u8]) -> Vec<u8> {
    let mut lib = Library::parse(file).unwrap();
    for (i, f) in lib.functions.iter_mut().enumerate() {
        f.tags.push(FunctionTag::ReflectionOffset(i));
    }
    // The writer places the sections after the module list and points the
    // extension's tags at them.
    lib.sections = vec![
        Section::DynamicHeader(vec![RawTag::new(metallib::raw::NAME, *b"a.lib\0")]),
        Section::Reflection(
            (0..2)
                .map(|_| ReflectionGroup {
                    rule: SizeRule::CountsItself,
                    tags: vec![ReflectionTag::Other(RawTag::new(metallib::raw::RBUF, []))],
                })
                .collect(),
        ),
    ];
    lib.header_extension = Some(vec![
        ExtensionTag::Section {
            code: metallib::raw::HDYN,
            section: 0,
        },
        ExtensionTag::Section {
            code: metallib::raw::RLST,
            section: 1,
        },
        ExtensionTag::Other(RawTag::new(metallib::raw::UUID, [0x33; 16])),
    ]);
    let bytes = lib.write().unwrap();
    let f = MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert!(f.dynamic_header().is_some());
    assert_eq!(f.reflection_list().unwrap().groups.len(), 2);
    assert_eq!(f.functions()[1].reflection_offset, Some(20));
    assert_eq!(Library::parse(&bytes).unwrap().write().unwrap(), bytes);
    bytes
}

fn exercise(bytes: &[u8]) {
    if let Ok(f) = MetallibFile::parse(bytes) {
        let _ = f.hashes_ok();
        let _ = metallib::inspect::summary(&f);
        let _ = metallib::inspect::dump(&f);
        // What the model takes apart it writes back unchanged.
        if let Ok(lib) = Library::from_file(&f) {
            assert_eq!(lib.write().unwrap(), bytes);
        }
    }
}

#[test]
fn every_truncation_is_an_error() {
    for file in samples() {
        for len in 0..file.len() {
            let err = MetallibFile::parse(&file[..len]).expect_err("a truncated file must fail");
            assert!(err.offset <= file.len() as u64, "{err}");
        }
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let mut rng = Rng::new(0x9E37_79B9_7F4A_7C15);
    for file in samples() {
        for _ in 0..4000 {
            let mut damaged = file.clone();
            for _ in 0..=rng.below(4) {
                let i = rng.below(damaged.len());
                damaged[i] ^= 1 << rng.below(8);
            }
            exercise(&damaged);
        }
        // Every single byte set to each of a few extreme values.
        for i in 0..file.len() {
            for v in [0x00, 0xFF, 0x7F, 0x80] {
                let mut damaged = file.clone();
                damaged[i] = v;
                exercise(&damaged);
            }
        }
    }
}

#[test]
fn errors_name_the_offending_offset() {
    let file = &samples()[0];
    // A function group size that runs past the function list (at 0x5C).
    let mut bad = file.clone();
    bad[0x5C] = 0xF0;
    let e = MetallibFile::parse(&bad).unwrap_err();
    assert_eq!(e.offset, 0x5C, "{e}");
    // A function count far beyond what the list can hold (at 0x58).
    let mut bad = file.clone();
    bad[0x58..0x5C].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = MetallibFile::parse(&bad).unwrap_err();
    assert_eq!(e.offset, 0x58, "{e}");
    assert!(e.to_string().contains("0x58"), "{e}");
    // A hash that does not match is readable, and reported.
    let f = MetallibFile::parse(file).unwrap();
    let hash_at = f.functions()[0]
        .group
        .get(metallib::raw::HASH)
        .unwrap()
        .payload_offset();
    let mut bad = file.clone();
    bad[hash_at as usize] ^= 1;
    let f = MetallibFile::parse(&bad).unwrap();
    assert_eq!(f.functions()[0].hash_status(), metallib::HashStatus::Bad);
    assert!(!f.hashes_ok());
}

#[test]
fn unknown_tags_are_kept_and_rewritten() {
    let file = &samples()[0];
    let mut lib = Library::parse(file).unwrap();
    lib.functions[0].tags.insert(
        2,
        FunctionTag::Other(RawTag::new(metallib::raw::FourCc(*b"ZZZZ"), [1, 2, 3])),
    );
    lib.public_metadata[1]
        .tags
        .push(RawTag::new(metallib::raw::CNST, [0, 0]));
    let bytes = lib.write().unwrap();
    // OFFT follows the grown group of function 1; the tags are kept.
    let f = MetallibFile::parse(&bytes).unwrap();
    let codes: Vec<String> = f.functions()[0]
        .group
        .tags
        .iter()
        .map(|t| t.code.to_text())
        .collect();
    assert_eq!(codes[2], "ZZZZ");
    assert_eq!(f.public_metadata()[1].tags[0].code, metallib::raw::CNST);
    assert_eq!(
        f.public_metadata_of(&f.functions()[1]).unwrap().tags[0].code,
        metallib::raw::CNST
    );
    assert_eq!(Library::parse(&bytes).unwrap().write().unwrap(), bytes);
}

#[test]
fn one_step_driver_tag_order_is_read() {
    // NAME, TYPE, HASH, OFFT, VERS, MDSZ: tags are found by code.
    let file = &samples()[0];
    let mut lib = Library::parse(file).unwrap();
    for f in &mut lib.functions {
        let mdsz = f.tags.remove(3);
        f.tags.push(mdsz);
    }
    let bytes = lib.write().unwrap();
    let reread = MetallibFile::parse(&bytes).unwrap();
    let original = MetallibFile::parse(file).unwrap();
    for (a, b) in reread.functions().iter().zip(original.functions()) {
        assert_eq!(a.module, b.module);
        assert_eq!(a.name, b.name);
        assert_eq!(a.hash_status(), metallib::HashStatus::Ok);
    }
}
