//! What the Apple-built libraries taught (docs/metallib-container.md), as
//! tests that need no Apple file: every expected byte here is written by
//! hand from the format, field by field, never copied from airlink's
//! output; hashes come from `sha2` directly. Each test reads the bytes,
//! checks the decoded facts, and checks that the owned model writes the
//! same bytes back.

use metallib::raw::{self, SizeRule};
use metallib::read::SectionContent;
use metallib::{payload, HashStatus, Library, MetallibFile, ReadErrorKind};
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn u64le(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

/// The 88-byte header: magic, bytes 0x04-0x0F as given, then the file size
/// and the four (offset, size) pairs.
fn header(identity: [u8; 12], file_size: u64, sections: [(u64, u64); 4]) -> Vec<u8> {
    let mut h = b"MTLB".to_vec();
    h.extend_from_slice(&identity);
    h.extend_from_slice(&u64le(file_size));
    for (offset, size) in sections {
        h.extend_from_slice(&u64le(offset));
        h.extend_from_slice(&u64le(size));
    }
    assert_eq!(h.len(), 88);
    h
}

/// Container 1.2.9, executable, macOS | 64-bit, OS 26.0.0.
const MACOS26: [u8; 12] = [
    0x01, 0x80, 0x02, 0x00, 0x09, 0x00, 0x00, 0x81, 0x1A, 0x00, 0x00, 0x00,
];

/// The module of the small files below: 16 bytes (the reader does not need
/// a wrapper).
const MODULE: [u8; 16] = [0xAB; 16];

/// A one-kernel library `k` (container 1.2.9) whose public metadata is the
/// given group, in the `metallib` tool's tag order.
///
/// Layout: header 88; function list at 88: count 4 + group 119 (size 4,
/// NAME 6+2, TYPE 6+1, HASH 6+32, MDSZ 6+8, OFFT 6+24, VERS 6+8, ENDT 4);
/// header extension `ENDT` at 211; public metadata at 215; private metadata
/// (`04 00 00 00 ENDT`) after it; the module last.
fn one_kernel(public: &[u8]) -> Vec<u8> {
    let p = public.len() as u64;
    let private_at = 215 + p;
    let module_at = private_at + 8;
    let mut f = header(
        MACOS26,
        module_at + 16,
        [(88, 119), (215, p), (private_at, 8), (module_at, 16)],
    );
    f.extend_from_slice(&[1, 0, 0, 0]); // one function
    f.extend_from_slice(&[119, 0, 0, 0]); // group size, counting itself
    f.extend_from_slice(b"NAME\x02\x00k\x00");
    f.extend_from_slice(b"TYPE\x01\x00\x02"); // kernel
    f.extend_from_slice(b"HASH\x20\x00");
    f.extend_from_slice(&sha(&MODULE));
    f.extend_from_slice(b"MDSZ\x08\x00");
    f.extend_from_slice(&u64le(16));
    f.extend_from_slice(b"OFFT\x18\x00");
    f.extend_from_slice(&[0; 24]); // public +0, private +0, module +0
    f.extend_from_slice(b"VERS\x08\x00\x02\x00\x08\x00\x04\x00\x00\x00");
    f.extend_from_slice(b"ENDT"); // end of the function group
    f.extend_from_slice(b"ENDT"); // the empty header extension
    assert_eq!(f.len(), 215);
    f.extend_from_slice(public);
    f.extend_from_slice(&[4, 0, 0, 0]);
    f.extend_from_slice(b"ENDT");
    f.extend_from_slice(&MODULE);
    f
}

/// The function constants of the mps-flash-attention kernels: `R` and `C`,
/// uint (33), indices 0 and 1, active. 14 bytes.
const CNST_R_C: [u8; 14] = [
    0x02, 0x00, // two constants
    b'R', 0x00, 0x21, 0x00, 0x00, 0x01, // R: uint, index 0, active
    b'C', 0x00, 0x21, 0x01, 0x00, 0x01, // C: uint, index 1, active
];

fn cnst_group(size_word: u8) -> Vec<u8> {
    // size word, CNST tag (4 + 2 + 14), ENDT: 28 bytes in all.
    let mut g = vec![size_word, 0, 0, 0];
    g.extend_from_slice(b"CNST\x0E\x00");
    g.extend_from_slice(&CNST_R_C);
    g.extend_from_slice(b"ENDT");
    assert_eq!(g.len(), 28);
    g
}

fn round_trips(bytes: &[u8]) {
    let lib = Library::parse(bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lib.write().unwrap(), bytes);
}

#[test]
fn a_metadata_size_word_that_excludes_itself_is_read() {
    // The `metallib` tool: a 28-byte group whose size word says 24.
    let bytes = one_kernel(&cnst_group(24));
    let file = MetallibFile::parse(&bytes).unwrap();
    let g = file.public_metadata_of(&file.functions()[0]).unwrap();
    assert_eq!((g.size, g.rule), (Some(24), Some(SizeRule::ExcludesItself)));
    assert_eq!(g.len(), 28);
    let private = &file.private_metadata()[0];
    assert_eq!(private.rule, Some(SizeRule::ExcludesItself));
    let c = payload::function_constants(g.tags[0].payload).unwrap();
    let decoded: Vec<(&str, u8, u16, u8)> = c
        .iter()
        .map(|c| (c.name, c.data_type, c.index, c.active))
        .collect();
    assert_eq!(decoded, [("R", 33, 0, 1), ("C", 33, 1, 1)]);
    assert_eq!(file.hash_statuses(), [HashStatus::Ok]);
    round_trips(&bytes);
}

#[test]
fn a_metadata_size_word_that_counts_itself_is_read() {
    // The one-step driver: the same group with the size word 28.
    let bytes = one_kernel(&cnst_group(28));
    let file = MetallibFile::parse(&bytes).unwrap();
    let g = &file.public_metadata()[0];
    assert_eq!((g.size, g.rule), (Some(28), Some(SizeRule::CountsItself)));
    assert_eq!(g.tags[0].code, raw::CNST);
    round_trips(&bytes);
    // Empty groups of both rules: `08 00 00 00 ENDT` and `04 00 00 00 ENDT`.
    for (word, rule) in [(8, SizeRule::CountsItself), (4, SizeRule::ExcludesItself)] {
        let bytes = one_kernel(&[word, 0, 0, 0, b'E', b'N', b'D', b'T']);
        let file = MetallibFile::parse(&bytes).unwrap();
        assert_eq!(file.public_metadata()[0].rule, Some(rule));
        round_trips(&bytes);
    }
}

#[test]
fn a_size_word_that_fits_neither_rule_is_an_error_at_the_group() {
    // 28 bytes long, word 26: neither 28 nor 24.
    let bytes = one_kernel(&cnst_group(26));
    let e = MetallibFile::parse(&bytes).unwrap_err();
    assert_eq!(e.offset, 215);
    assert_eq!(
        e.to_string(),
        "at byte offset 0xd7: metadata group size word 26 fits neither rule: the group is 28 \
         bytes long, so the word must be 28 (counting itself) or 24 (not counting itself)"
    );
}

#[test]
fn a_cnst_payload_with_bytes_after_its_constants_is_an_error_there() {
    let mut g = cnst_group(25);
    // One more byte in the payload (size 15) and the group (29 bytes).
    g[4 + 4] = 0x0F;
    g.insert(4 + 6 + 14, 0x77);
    let bytes = one_kernel(&g);
    let e = MetallibFile::parse(&bytes).unwrap_err();
    // The payload starts at 215 + 10; the stray byte is its 15th.
    assert_eq!(e.offset, 215 + 10 + 14);
    assert!(matches!(e.kind, ReadErrorKind::BadPayload { .. }), "{e}");
}

#[test]
fn the_1_2_4_header_has_platform_byte_0_and_no_os_version() {
    // The older Metal.jl example: container 1.2.4 with the macOS flag set,
    // file type 0, platform byte 0, OS 0.0.0.
    let identity = [
        0x01, 0x80, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    let mut bytes = one_kernel(&[4, 0, 0, 0, b'E', b'N', b'D', b'T']);
    bytes[4..16].copy_from_slice(&identity);
    let file = MetallibFile::parse(&bytes).unwrap();
    let id = file.header().identity;
    assert_eq!(id.container_version(), (1, 2, 4));
    assert!(id.is_macos());
    assert_eq!((id.platform, id.os_version), (0, (0, 0, 0)));
    assert!(file.header_extension().is_some());
    assert!(metallib::inspect::summary(&file).contains("container 1.2.4 (macOS)"));
    round_trips(&bytes);
}

/// A one-step-driver library (1.2.9) with everything the Metal.jl
/// `sources.26` library has, made small: two functions, SOFF and RFLT, a
/// HSRD section with two archives, a HDYN section and a RLST section, a
/// UUID, a debug location and a dependency file.
fn driver_library() -> Vec<u8> {
    // Function groups (the driver's order NAME TYPE HASH OFFT VERS MDSZ
    // SOFF RFLT): 4 + NAME 6+2 + TYPE 7 + HASH 38 + OFFT 30 + VERS 14 +
    // MDSZ 14 + SOFF 14 + RFLT 14 + ENDT 4 = 147 each; the list is 4 + 294.
    // Header extension at 88 + 298 = 386: HSRD, HDYN, RLST (22 each), UUID
    // 22, ENDT: 92 bytes, so the public metadata starts at 478.
    // Public: one empty group per function, counting itself: 8 + 8 = 16.
    // Private at 494: group 0 = 8 + DEBI (6 + 4 + 4) + DEPF (6 + 7) = 35,
    // group 1 = 8: 43 bytes. Modules at 537: two of 16 bytes.
    // HSRD at 569: count 4, "ld\0" 3, "/w\0" 3, group 0 (4 + SARC 8+4 +
    // ENDT 4 = 20, word 16), group 1 the same: 50 bytes.
    // HDYN at 619: NAME 6 + 4 ("k.l\0"), ENDT: 14 bytes.
    // RLST at 633: count 4, then per function a group: 4 + RBUF (8 +
    // padding + 8-byte flatbuffer) + ENDT 4, counting itself. Group 0 at
    // 637: its payload starts at 637 + 12 = 649, 7 zero bytes reach 656.
    // Group 1 at 637 + 4 + 8 + 15 + 4 = 668: payload at 680, 8 zero bytes
    // reach 688. RLST is 4 + 31 + 32 = 67 bytes; the file ends at 700.
    let m0 = [0x10u8; 16];
    let m1 = [0x20u8; 16];
    let mut f = header(MACOS26, 700, [(88, 294), (478, 16), (494, 43), (537, 32)]);
    f.extend_from_slice(&[2, 0, 0, 0]);
    for (name, hash, offt, rflt) in [
        (b"a\0", sha(&m0), [0u64, 0, 0], 4u64),
        (b"b\0", sha(&m1), [8, 35, 16], 35),
    ] {
        f.extend_from_slice(&[147, 0, 0, 0]);
        f.extend_from_slice(b"NAME\x02\x00");
        f.extend_from_slice(name);
        f.extend_from_slice(b"TYPE\x01\x00\x02");
        f.extend_from_slice(b"HASH\x20\x00");
        f.extend_from_slice(&hash);
        f.extend_from_slice(b"OFFT\x18\x00");
        for o in offt {
            f.extend_from_slice(&u64le(o));
        }
        f.extend_from_slice(b"VERS\x08\x00\x02\x00\x08\x00\x04\x00\x00\x00");
        f.extend_from_slice(b"MDSZ\x08\x00");
        f.extend_from_slice(&u64le(16));
        // SOFF: the first archive group's tags, past its size word: the
        // group is at 4 + 3 + 3 = 10 in the section, so 14.
        f.extend_from_slice(b"SOFF\x08\x00");
        f.extend_from_slice(&u64le(14));
        f.extend_from_slice(b"RFLT\x08\x00");
        f.extend_from_slice(&u64le(rflt));
        f.extend_from_slice(b"ENDT");
    }
    assert_eq!(f.len(), 386);
    for (code, at, size) in [
        (b"HSRD", 569u64, 50u64),
        (b"HDYN", 619, 14),
        (b"RLST", 633, 67),
    ] {
        f.extend_from_slice(code);
        f.extend_from_slice(&[16, 0]);
        f.extend_from_slice(&u64le(at));
        f.extend_from_slice(&u64le(size));
    }
    f.extend_from_slice(b"UUID\x10\x00");
    f.extend_from_slice(&[0x8C, 0x61, 0x76, 0x10, 0x5E, 0xA7, 0x3A, 0x0F]);
    f.extend_from_slice(&[0xB1, 0xEE, 0x11, 0xC7, 0xF2, 0xF0, 0x39, 0x67]);
    f.extend_from_slice(b"ENDT");
    assert_eq!(f.len(), 478);
    // Public metadata: two empty groups, size words counting themselves.
    f.extend_from_slice(b"\x08\x00\x00\x00ENDT\x08\x00\x00\x00ENDT");
    // Private metadata.
    f.extend_from_slice(&[35, 0, 0, 0]);
    f.extend_from_slice(b"DEBI\x08\x00\x04\x00\x00\x00k.m\x00"); // line 4 of k.m
    f.extend_from_slice(b"DEPF\x07\x00/t.air\x00");
    f.extend_from_slice(b"ENDT");
    f.extend_from_slice(b"\x08\x00\x00\x00ENDT");
    assert_eq!(f.len(), 537);
    f.extend_from_slice(&m0);
    f.extend_from_slice(&m1);
    // HSRD: two archives; the groups' size words do not count themselves.
    f.extend_from_slice(&[2, 0, 0, 0]);
    f.extend_from_slice(b"ld\0/w\0");
    f.extend_from_slice(&[16, 0, 0, 0]);
    f.extend_from_slice(b"SARC\x04\x00\x00\x000\0BZ");
    f.extend_from_slice(b"ENDT");
    f.extend_from_slice(&[16, 0, 0, 0]);
    f.extend_from_slice(b"SARC\x04\x00\x00\x001\0BZ");
    f.extend_from_slice(b"ENDT");
    assert_eq!(f.len(), 619);
    f.extend_from_slice(b"NAME\x04\x00k.l\0ENDT");
    assert_eq!(f.len(), 633);
    f.extend_from_slice(&[2, 0, 0, 0]);
    f.extend_from_slice(&[31, 0, 0, 0]);
    f.extend_from_slice(b"RBUF\x0F\x00\x00\x00");
    f.extend_from_slice(&[0; 7]);
    f.extend_from_slice(b"\x08\x00\x00\x00AIRR");
    f.extend_from_slice(b"ENDT");
    f.extend_from_slice(&[32, 0, 0, 0]);
    f.extend_from_slice(b"RBUF\x10\x00\x00\x00");
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(b"\x08\x00\x00\x00AIRR");
    f.extend_from_slice(b"ENDT");
    assert_eq!(f.len(), 700);
    f
}

#[test]
fn every_section_of_the_one_step_driver_is_read() {
    let bytes = driver_library();
    let file = MetallibFile::parse(&bytes).unwrap();
    assert!(file.hashes_ok());
    let ext = file.header_extension().unwrap();
    let uuid = ext.uuid.unwrap();
    assert_eq!(uuid[6] >> 4, 3, "a version 3 UUID");
    // Sources: the strings, the archives, and SOFF pointing at archive 0.
    let (code, src) = file.sources().unwrap();
    assert_eq!(code, raw::HSRD);
    assert_eq!(src.strings[0].bytes, b"ld");
    assert_eq!(src.strings[1].bytes, b"/w");
    assert_eq!(src.groups.len(), 2);
    assert_eq!(src.groups[0].rule, Some(SizeRule::ExcludesItself));
    let a = payload::source_archive(src.groups[1].tags[0].payload).unwrap();
    assert_eq!((a.id, a.data), (&b"1"[..], &b"BZ"[..]));
    let f1 = &file.functions()[1];
    assert_eq!(file.source_archive_of(f1), Some(&src.groups[0]));
    // The dynamic header holds the install name.
    let dynamic = file.dynamic_header().unwrap();
    assert_eq!(dynamic.tags[0].payload, b"k.l\0");
    // Reflection: RFLT names each group, the flatbuffers are aligned.
    let list = file.reflection_list().unwrap();
    assert_eq!(file.reflection_of(f1), Some(&list.groups[1]));
    for g in &list.groups {
        let t = &g.tags[0];
        let b = payload::reflection_buffer(t.payload, t.payload_offset()).unwrap();
        assert_eq!((t.payload_offset() + b.padding as u64) % 16, 0);
        assert_eq!(b.flatbuffer, b"\x08\x00\x00\x00AIRR");
    }
    // Private metadata of function 0: line 4 of k.m, built from /t.air.
    let private = file.private_metadata_of(&file.functions()[0]).unwrap();
    let d = payload::debug_location(private.tags[0].payload).unwrap();
    assert_eq!((d.line, d.path), (4, &b"k.m"[..]));
    assert_eq!(
        payload::dependency_file(private.tags[1].payload).unwrap(),
        b"/t.air"
    );
    assert!(matches!(
        file.sections()[1].content,
        SectionContent::DynamicHeader(_)
    ));
    round_trips(&bytes);
}

#[test]
fn stripping_the_reflection_list_gives_the_hand_computed_bytes() {
    // Without RLST: the extension loses 22 bytes, each function group its
    // RFLT (14 bytes, so 133), and the file ends after HDYN.
    let original = driver_library();
    let mut lib = Library::parse(&original).unwrap();
    assert!(lib.remove_reflection());
    let out = lib.write().unwrap();

    let mut e = header(
        MACOS26,
        700 - 28 - 22 - 67,
        [
            (88, 294 - 28),
            (478 - 28 - 22, 16),
            (494 - 50, 43),
            (537 - 50, 32),
        ],
    );
    e.extend_from_slice(&original[88..92]); // count
    for g in [92usize, 239] {
        e.extend_from_slice(&[133, 0, 0, 0]);
        e.extend_from_slice(&original[g + 4..g + 129]); // NAME .. SOFF
        e.extend_from_slice(b"ENDT");
    }
    // Header extension: HSRD and HDYN moved 50 bytes earlier, UUID.
    for (code, at, size) in [(b"HSRD", 569u64 - 50, 50u64), (b"HDYN", 619 - 50, 14)] {
        e.extend_from_slice(code);
        e.extend_from_slice(&[16, 0]);
        e.extend_from_slice(&u64le(at));
        e.extend_from_slice(&u64le(size));
    }
    e.extend_from_slice(&original[452..478]); // UUID tag and ENDT
    e.extend_from_slice(&original[478..633]); // metadata, modules, HSRD, HDYN
    assert_eq!(out, e);
    let file = MetallibFile::parse(&out).unwrap();
    assert!(file.hashes_ok() && file.reflection_list().is_none());
}

#[test]
fn stripping_the_sources_realigns_the_reflection_flatbuffers() {
    let original = driver_library();
    let mut lib = Library::parse(&original).unwrap();
    assert!(lib.remove_sources());
    let out = lib.write().unwrap();
    let file = MetallibFile::parse(&out).unwrap();
    assert!(file.hashes_ok() && file.sources().is_none());
    // SOFF (14 bytes each), the HSRD tag (22), the DEPF tag (13) and the
    // section (50) are gone; the RLST section moved by a non-multiple of
    // 16, so its zero bytes changed to keep the flatbuffers aligned.
    let list = file.reflection_list().unwrap();
    assert_eq!(list.offset, 633 - 28 - 22 - 13 - 50);
    for g in &list.groups {
        let t = &g.tags[0];
        let b = payload::reflection_buffer(t.payload, t.payload_offset()).unwrap();
        assert_eq!((t.payload_offset() + b.padding as u64) % 16, 0);
    }
    let private = &file.private_metadata()[0];
    assert_eq!(private.tags.len(), 1);
    assert_eq!(private.tags[0].code, raw::DEBI);
}

#[test]
fn unknown_tags_are_kept_with_their_bytes() {
    // Function tag ZZZZ, metadata tag VATT, and a header-extension tag
    // HSRP whose payload locates 14 bytes after the module list (`LINK`,
    // six zero bytes, `ENDT`, as in Apple-built binary archives), plus an
    // unknown 3-byte extension tag QQQQ.
    // Function group: 119 + ZZZZ (6 + 2) = 127; list 131. Extension at
    // 219: HSRP 22 + QQQQ 9 + ENDT 4 = 35; public at 254 (VATT group:
    // 4 + 6 + 3 + 4 = 17, word 13); private at 271 (8); module at 279;
    // HSRP section at 295, 14 bytes; the file ends at 309.
    let mut f = header(MACOS26, 309, [(88, 127), (254, 17), (271, 8), (279, 16)]);
    f.extend_from_slice(&[1, 0, 0, 0, 127, 0, 0, 0]);
    f.extend_from_slice(b"NAME\x02\x00k\x00TYPE\x01\x00\x02HASH\x20\x00");
    f.extend_from_slice(&sha(&MODULE));
    f.extend_from_slice(b"ZZZZ\x02\x00\x01\x02");
    f.extend_from_slice(b"MDSZ\x08\x00");
    f.extend_from_slice(&u64le(16));
    f.extend_from_slice(b"OFFT\x18\x00");
    f.extend_from_slice(&[0; 24]);
    f.extend_from_slice(b"VERS\x08\x00\x02\x00\x08\x00\x04\x00\x00\x00ENDT");
    f.extend_from_slice(b"HSRP\x10\x00");
    f.extend_from_slice(&u64le(295));
    f.extend_from_slice(&u64le(14));
    f.extend_from_slice(b"QQQQ\x03\x00\x07\x08\x09ENDT");
    f.extend_from_slice(b"\x0D\x00\x00\x00VATT\x03\x00\x01\x02\x03ENDT");
    f.extend_from_slice(b"\x04\x00\x00\x00ENDT");
    f.extend_from_slice(&MODULE);
    f.extend_from_slice(b"LINK\0\0\0\0\0\0ENDT");
    assert_eq!(f.len(), 309);

    let file = MetallibFile::parse(&f).unwrap();
    let codes: Vec<String> = file.functions()[0]
        .group
        .tags
        .iter()
        .map(|t| t.code.to_text())
        .collect();
    assert_eq!(
        codes,
        ["NAME", "TYPE", "HASH", "ZZZZ", "MDSZ", "OFFT", "VERS"]
    );
    let s = &file.sections()[0];
    assert_eq!(s.code.to_text(), "HSRP");
    assert!(!s.known);
    assert_eq!(s.bytes, b"LINK\0\0\0\0\0\0ENDT");
    assert_eq!(file.public_metadata()[0].tags[0].payload, [1, 2, 3]);
    round_trips(&f);
    // The unknown section moves with an edit, and its tag follows it.
    let mut lib = Library::parse(&f).unwrap();
    lib.functions[0]
        .tags
        .retain(|t| t.code().to_text() != "ZZZZ");
    let out = lib.write().unwrap();
    let moved = MetallibFile::parse(&out).unwrap();
    assert_eq!(moved.sections()[0].range.offset, 295 - 8);
    assert_eq!(moved.sections()[0].bytes, b"LINK\0\0\0\0\0\0ENDT");
}

#[test]
fn files_not_in_apples_layout_are_refused_by_the_model_with_the_offset() {
    // One byte after the module list that no section claims.
    let mut bytes = one_kernel(&[4, 0, 0, 0, b'E', b'N', b'D', b'T']);
    bytes.push(0);
    let len = bytes.len() as u64;
    bytes[0x10..0x18].copy_from_slice(&u64le(len));
    let file = MetallibFile::parse(&bytes).unwrap();
    let e = Library::from_file(&file).unwrap_err();
    assert_eq!(e.offset, len - 1);
    assert!(matches!(e.kind, ReadErrorKind::Layout(_)), "{e}");
    // A public metadata offset that leaves a gap after the extension.
    let mut bytes = one_kernel(&[4, 0, 0, 0, b'E', b'N', b'D', b'T']);
    bytes.insert(215, 0);
    for (field, delta) in [(0x10, 1u64), (0x28, 1), (0x38, 1), (0x48, 1)] {
        let v = u64::from_le_bytes(bytes[field..field + 8].try_into().unwrap()) + delta;
        bytes[field..field + 8].copy_from_slice(&u64le(v));
    }
    let file = MetallibFile::parse(&bytes).unwrap();
    let e = Library::from_file(&file).unwrap_err();
    assert_eq!(e.offset, 0x28);
}

/// Deliverable of issue 19: what airlink writes around a kernel equals
/// what Apple's `metallib` tool writes (measured on the SEED simple shell:
/// group size 132, empty header extension, `04 00 00 00 ENDT` groups),
/// outside the module and what follows from it. Every byte below is
/// written by hand.
#[test]
fn the_builder_writes_the_metallib_tools_layout_byte_for_byte() {
    // A 32-byte module entry (its content does not matter to the container).
    let module: Vec<u8> = (0u8..32).collect();
    let target = air_target::Target::by_id("macos26").unwrap();
    let mut b = metallib::Builder::for_target(target);
    b.add_function(metallib::NewFunction {
        name: "reverse_kernel".into(),
        function_type: raw::FunctionType::KERNEL,
        versions: raw::Versions::for_target(target),
        module: module.clone(),
    });
    let written = b.write().unwrap();

    let hash = sha(&module);
    #[rustfmt::skip]
    let mut expected: Vec<u8> = vec![
        // 0x00 magic
        b'M', b'T', b'L', b'B',
        // 0x04 container major 1 with the macOS flag (0x8001), minor 2, patch 9
        0x01, 0x80, 0x02, 0x00, 0x09, 0x00,
        // 0x0A file type 0 (executable), 0x0B platform macOS | 64-bit
        0x00, 0x81,
        // 0x0C OS 26.0.0 (u16 major, u8 minor, u8 patch)
        0x1A, 0x00, 0x00, 0x00,
        // 0x10 file size: 0xF4 + 32 = 0x114
        0x14, 0x01, 0, 0, 0, 0, 0, 0,
        // 0x18 function list at 0x58, size 132 (the list is 136 with its count)
        0x58, 0, 0, 0, 0, 0, 0, 0,   0x84, 0, 0, 0, 0, 0, 0, 0,
        // 0x28 public metadata at 0xE4 (after the 4-byte extension at 0xE0), 8 bytes
        0xE4, 0, 0, 0, 0, 0, 0, 0,   0x08, 0, 0, 0, 0, 0, 0, 0,
        // 0x38 private metadata at 0xEC, 8 bytes
        0xEC, 0, 0, 0, 0, 0, 0, 0,   0x08, 0, 0, 0, 0, 0, 0, 0,
        // 0x48 module list at 0xF4, 32 bytes
        0xF4, 0, 0, 0, 0, 0, 0, 0,   0x20, 0, 0, 0, 0, 0, 0, 0,
        // 0x58 one function
        0x01, 0x00, 0x00, 0x00,
        // 0x5C its group: 132 bytes, the size word counting itself
        0x84, 0x00, 0x00, 0x00,
        // NAME, 15 bytes: "reverse_kernel\0"
        b'N', b'A', b'M', b'E', 0x0F, 0x00,
        b'r', b'e', b'v', b'e', b'r', b's', b'e', b'_', b'k', b'e', b'r', b'n', b'e', b'l', 0x00,
        // TYPE, 1 byte: 2 (kernel)
        b'T', b'Y', b'P', b'E', 0x01, 0x00, 0x02,
        // HASH, 32 bytes: the module's SHA-256 (inserted below, at 0x82)
        b'H', b'A', b'S', b'H', 0x20, 0x00,
        // MDSZ, 8 bytes: 32
        b'M', b'D', b'S', b'Z', 0x08, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0,
        // OFFT, 24 bytes: public +0, private +0, module +0
        b'O', b'F', b'F', b'T', 0x18, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, 0, 0, 0,   0, 0, 0, 0, 0, 0, 0, 0,
        // VERS, 8 bytes: AIR 2.8, MSL 4.0
        b'V', b'E', b'R', b'S', 0x08, 0x00, 0x02, 0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00,
        // end of the group
        b'E', b'N', b'D', b'T',
        // 0xE0 the header extension: empty
        b'E', b'N', b'D', b'T',
        // 0xE4 public metadata: an empty group whose size word (4) does not count itself
        0x04, 0x00, 0x00, 0x00, b'E', b'N', b'D', b'T',
        // 0xEC private metadata: the same
        0x04, 0x00, 0x00, 0x00, b'E', b'N', b'D', b'T',
    ];
    let hash_at = 0x82;
    expected.splice(hash_at..hash_at, hash);
    assert_eq!(expected.len(), 0xF4);
    // 0xF4 the module
    expected.extend_from_slice(&module);
    assert_eq!(written, expected);
}
