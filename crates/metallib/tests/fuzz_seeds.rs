//! Seeds of the `metallib_parse` fuzz target (`fuzz/corpus/metallib_parse`,
//! replayed by crates/test-support/tests/fuzz_seeds.rs) that exercise what
//! Apple's tools write beyond airlink's own libraries: both metadata size
//! rules, the one-step driver's tag order with SOFF and RFLT, function
//! constants, debug locations, dependency files, an embedded-source section
//! (HSRD and HSRC), the dynamic header, a reflection list with aligned
//! flatbuffers, a UUID, VLST/ILST/SLST sections, an unknown section tag,
//! unknown function and metadata tags, LAYR/TESS, a 1.2.4 header with
//! platform byte 0, and two entries sharing one module.
//!
//! They are made here with the crate's own model, never from Apple's
//! files. `AIRLINK_WRITE_FUZZ_SEEDS=1` rewrites them; otherwise the stored
//! seeds must be what this test makes.

use metallib::library::{
    ExtensionTag, Function, FunctionTag, Group, HashValue, ReflectionGroup, ReflectionTag, Section,
    Sources,
};
use metallib::raw::{self, FourCc, Identity, SizeRule};
use metallib::write::RawTag;
use metallib::{Library, MetallibFile};

/// A fake wrapped module: wrapper header, a bitcode magic and `len - 4`
/// filler bytes, zero padding to 16.
fn fake_module(len: u32, fill: u8) -> Vec<u8> {
    let mut m = vec![0xDE, 0xC0, 0x17, 0x0B, 0, 0, 0, 0, 20, 0, 0, 0];
    m.extend_from_slice(&len.to_le_bytes());
    m.extend_from_slice(&[0xFF; 4]);
    m.extend_from_slice(b"BC\xC0\xDE");
    m.resize(20 + len as usize, fill);
    m.resize(m.len().div_ceil(16) * 16, 0);
    m
}

fn tag(code: FourCc, payload: &[u8]) -> RawTag {
    RawTag::new(code, payload)
}

fn other(code: FourCc, payload: &[u8]) -> FunctionTag {
    FunctionTag::Other(tag(code, payload))
}

/// A function in the one-step driver's tag order.
fn driver_function(name: &str, index: usize, sources: bool) -> Function {
    let mut n = name.as_bytes().to_vec();
    n.push(0);
    let mut tags = vec![
        other(raw::NAME, &n),
        other(raw::TYPE, &[2]),
        FunctionTag::Hash(HashValue::OfModule),
        FunctionTag::Offsets,
        other(raw::VERS, &[2, 0, 8, 0, 4, 0, 0, 0]),
        FunctionTag::ModuleSize,
    ];
    if sources {
        tags.push(FunctionTag::SourceOffset(0));
    }
    tags.push(FunctionTag::ReflectionOffset(index));
    Function {
        rule: SizeRule::CountsItself,
        tags,
        module: index,
        public_metadata: index,
        private_metadata: index,
    }
}

/// A flatbuffer-shaped reflection payload: root offset, `AIRR`, filler.
fn flatbuffer(len: usize) -> Vec<u8> {
    let mut b = vec![8, 0, 0, 0, b'A', b'I', b'R', b'R'];
    b.resize(len, 0x5A);
    b
}

/// One-step driver, macOS 26: sources, dynamic header, reflection, UUID.
fn driver_with_sources() -> Library {
    let cnst = [
        0x02, 0x00, b'f', b'o', b'o', 0, 3, 0, 0, 1, b'b', b'a', b'r', 0, 3, 2, 0, 1,
    ];
    Library {
        identity: Identity::for_target(air_target::Target::by_id("macos26").unwrap()),
        functions: vec![
            driver_function("foo", 0, true),
            driver_function("bar", 1, true),
        ],
        header_extension: Some(vec![
            ExtensionTag::Section {
                code: raw::HSRD,
                section: 0,
            },
            ExtensionTag::Section {
                code: raw::HDYN,
                section: 1,
            },
            ExtensionTag::Section {
                code: raw::RLST,
                section: 2,
            },
            ExtensionTag::Other(tag(raw::UUID, &[0x3A; 16])),
        ]),
        public_metadata: vec![
            Group {
                rule: SizeRule::CountsItself,
                tags: vec![tag(raw::CNST, &cnst)],
            },
            Group::empty(SizeRule::CountsItself),
        ],
        private_metadata: vec![
            Group {
                rule: SizeRule::CountsItself,
                tags: vec![
                    tag(raw::DEBI, b"\x04\0\0\0/src/k.metal\0"),
                    tag(raw::DEPF, b"/tmp/k-1a2b3c.air\0"),
                ],
            },
            Group {
                rule: SizeRule::CountsItself,
                tags: vec![tag(raw::DEPF, b"/tmp/k-1a2b3c.air\0")],
            },
        ],
        modules: vec![fake_module(60, 0x11), fake_module(44, 0x22)],
        sections: vec![
            Section::Sources(Sources {
                strings: vec![b"air-lld -arch air64 k.air".to_vec(), b"/src".to_vec()],
                groups: vec![
                    Group {
                        rule: SizeRule::ExcludesItself,
                        tags: vec![tag(raw::SARC, b"0\0BZh91AY&SY\0\0\0\0")],
                    },
                    Group {
                        rule: SizeRule::ExcludesItself,
                        tags: vec![tag(raw::SARC, b"1\0BZh61AY&SY")],
                    },
                ],
            }),
            Section::DynamicHeader(vec![tag(raw::NAME, b"k.metallib\0")]),
            Section::Reflection(vec![
                ReflectionGroup {
                    rule: SizeRule::CountsItself,
                    tags: vec![ReflectionTag::AlignedBuffer(flatbuffer(40))],
                },
                ReflectionGroup {
                    rule: SizeRule::CountsItself,
                    tags: vec![ReflectionTag::AlignedBuffer(flatbuffer(24))],
                },
            ]),
        ],
    }
}

/// The stand-alone tool's layout (macOS 15, container 1.2.7 like the
/// mps-flash-attention kernels): CNST in a group whose size word does not
/// count itself.
fn tool_with_constants() -> Library {
    let mut b = metallib::Builder::for_target(air_target::Target::by_id("macos15").unwrap());
    for (name, fill) in [("attention", 0x31), ("gemm", 0x32)] {
        b.add_function(metallib::NewFunction {
            name: name.into(),
            function_type: raw::FunctionType::KERNEL,
            versions: raw::Versions {
                air: (2, 7),
                msl: (3, 2),
            },
            module: fake_module(70, fill),
        });
    }
    let mut lib = b.into_library().unwrap();
    lib.identity.container_patch = 7;
    lib.public_metadata[0].tags.push(tag(
        raw::CNST,
        &[2, 0, b'R', 0, 33, 0, 0, 1, b'C', 0, 33, 1, 0, 1],
    ));
    lib
}

/// A 1.2.4 header with platform byte 0 and OS 0.0.0, HSRC sources, two
/// entries sharing one module, LAYR/TESS/unknown function tags, unknown
/// metadata tags, VLST/ILST/SLST byte sections and an unknown section tag.
fn old_container_oddities() -> Library {
    let identity = Identity {
        container_major_word: 0x8001,
        container_minor: 2,
        container_patch: 4,
        file_type: 0,
        platform: 0,
        os_version: (0, 0, 0),
    };
    let function = |name: &[u8], extra: Vec<FunctionTag>| Function {
        rule: SizeRule::CountsItself,
        tags: [
            vec![
                other(raw::NAME, name),
                other(raw::TYPE, &[0]),
                FunctionTag::Hash(HashValue::OfModule),
                FunctionTag::ModuleSize,
                FunctionTag::Offsets,
                other(raw::VERS, &[2, 0, 1, 0, 2, 0, 1, 0]),
            ],
            extra,
        ]
        .concat(),
        module: 0,
        public_metadata: 0,
        private_metadata: 0,
    };
    Library {
        identity,
        functions: vec![
            function(
                b"vert\0",
                vec![
                    other(raw::LAYR, &[33]),
                    other(raw::TESS, &[(3 << 2) | 1]),
                    FunctionTag::SourceOffset(0),
                ],
            ),
            function(b"vert2\0", vec![other(FourCc(*b"ZZZZ"), &[1, 2, 3])]),
        ],
        header_extension: Some(vec![
            ExtensionTag::Section {
                code: raw::HSRC,
                section: 0,
            },
            ExtensionTag::Section {
                code: raw::VLST,
                section: 1,
            },
            ExtensionTag::Section {
                code: raw::ILST,
                section: 2,
            },
            ExtensionTag::Section {
                code: raw::SLST,
                section: 3,
            },
            ExtensionTag::Section {
                code: FourCc(*b"HSRP"),
                section: 4,
            },
            ExtensionTag::Other(tag(FourCc(*b"QQQQ"), &[9; 5])),
        ]),
        public_metadata: vec![Group {
            rule: SizeRule::ExcludesItself,
            tags: vec![
                tag(raw::VATT, &[1, 0, b'p', 0, 0, 0]),
                tag(raw::VATY, &[1, 0, 6]),
            ],
        }],
        private_metadata: vec![Group::empty(SizeRule::ExcludesItself)],
        modules: vec![fake_module(33, 0x44)],
        sections: vec![
            Section::Sources(Sources {
                strings: vec![b"metal -frecord-sources".to_vec()],
                groups: vec![Group {
                    rule: SizeRule::ExcludesItself,
                    tags: vec![tag(raw::SARC, b"0\0BZh1")],
                }],
            }),
            Section::Bytes(vec![1, 2, 3, 4]),
            Section::Bytes(vec![]),
            Section::Bytes(b"SBUF".to_vec()),
            Section::Bytes(b"LINK\0\0\0\0\0\0ENDT".to_vec()),
        ],
    }
}

#[test]
fn metallib_parse_feature_seeds_are_what_this_test_makes() {
    let dir = airlink_test_support::repo_root().join("fuzz/corpus/metallib_parse");
    let write = std::env::var_os("AIRLINK_WRITE_FUZZ_SEEDS").is_some();
    for (name, lib) in [
        ("apple_driver_sources", driver_with_sources()),
        ("apple_tool_constants", tool_with_constants()),
        ("apple_old_container_oddities", old_container_oddities()),
    ] {
        let bytes = lib.write().unwrap_or_else(|e| panic!("{name}: {e}"));
        // Each seed reads back, verifies, and goes through the model
        // unchanged, so the fuzzer starts from inputs that reach the
        // round-trip check.
        let file = MetallibFile::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(file.hashes_ok(), "{name}");
        assert_eq!(Library::from_file(&file).unwrap(), lib, "{name}");
        let path = dir.join(format!("{name}.metallib"));
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            stored == bytes,
            "{} is not what this test makes (AIRLINK_WRITE_FUZZ_SEEDS=1 rewrites it)",
            path.display()
        );
    }
}
