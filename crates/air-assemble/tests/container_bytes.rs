//! One independent check of the container bytes: a one-kernel library whose
//! header, tags and sections are written out here by hand from
//! docs/metallib-container.md, not produced by the code under test. The
//! module bytes come from llvm-as-14 and the hash from a separate SHA-256.

mod common;

use sha2::{Digest, Sha256};

const KERNEL: &str = r#"
source_filename = "k.metal"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

declare void @unused()

define void @k(float addrspace(1)* noundef %p) {
entry:
  store float 1.000000e+00, float addrspace(1)* %p, align 4
  ret void
}

!air.kernel = !{!0}
!air.version = !{!3}
!air.language_version = !{!4}
!air.source_file_name = !{!5}
!0 = !{void (float addrspace(1)*)* @k, !1, !2}
!1 = !{}
!2 = !{}
!3 = !{i32 2, i32 8, i32 0}
!4 = !{!"Metal", i32 4, i32 0, i32 0}
!5 = !{!"k.metal"}
"#;

#[test]
fn one_kernel_library_matches_hand_written_bytes() {
    let module = air_ir::parse(KERNEL, "k.ll").unwrap();
    air_ir::verify(&module).unwrap();
    let target = air_target::Target::by_id("macos26").unwrap();
    let options = air_assemble::Options::for_target(target);
    let input = air_assemble::Input::Module {
        module: &module,
        path: "k.ll",
    };
    let module_bytes = std::sync::Mutex::new(Vec::new());
    let bytes = air_assemble::assemble_with_encoder(input, &options, |m| {
        let b = common::encode_with_llvm_as(m)?;
        *module_bytes.lock().unwrap() = b.clone();
        Ok::<_, String>(b)
    })
    .unwrap()
    .bytes;
    let module_bytes = module_bytes.into_inner().unwrap();

    // The module llvm-as-14 wrote for the linked `@k`: Darwin wrapper, then
    // zero padding to 16 bytes.
    let l = module_bytes.len() as u64;
    assert_eq!(&module_bytes[..4], &[0xDE, 0xC0, 0x17, 0x0B]);
    assert_eq!(l % 16, 0);
    let hash: [u8; 32] = Sha256::digest(&module_bytes).into();

    // Section layout, by hand: header 88 bytes; function list at 88 holds a
    // u32 count and one 119-byte group (4 + NAME 8 + TYPE 7 + HASH 38 +
    // MDSZ 14 + OFFT 30 + VERS 14 + ENDT 4); the header extension (ENDT) at
    // 211; public metadata at 215 (8); private at 223 (8); modules at 231.
    let module_list: u64 = 231;
    let file_size = module_list + l;

    let mut expected: Vec<u8> = Vec::new();
    #[rustfmt::skip]
    expected.extend_from_slice(&[
        // 0x00 magic
        b'M', b'T', b'L', b'B',
        // 0x04 container 1.2.9, bit 15 = macOS
        0x01, 0x80, 0x02, 0x00, 0x09, 0x00,
        // 0x0A file type: executable
        0x00,
        // 0x0B platform: macOS (1) | 64-bit (0x80)
        0x81,
        // 0x0C OS version 26.0.0
        0x1A, 0x00, 0x00, 0x00,
    ]);
    expected.extend_from_slice(&file_size.to_le_bytes()); // 0x10 file size
    #[rustfmt::skip]
    expected.extend_from_slice(&[
        // 0x18 function list offset 88, size 119 (the u32 count is not counted)
        0x58, 0, 0, 0, 0, 0, 0, 0,   0x77, 0, 0, 0, 0, 0, 0, 0,
        // 0x28 public metadata offset 215, size 8
        0xD7, 0, 0, 0, 0, 0, 0, 0,   0x08, 0, 0, 0, 0, 0, 0, 0,
        // 0x38 private metadata offset 223, size 8
        0xDF, 0, 0, 0, 0, 0, 0, 0,   0x08, 0, 0, 0, 0, 0, 0, 0,
        // 0x48 module list offset 231
        0xE7, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expected.extend_from_slice(&l.to_le_bytes()); // 0x50 module list size
    assert_eq!(expected.len(), 88);
    #[rustfmt::skip]
    expected.extend_from_slice(&[
        // 0x58 function count 1
        0x01, 0x00, 0x00, 0x00,
        // group size 119, counting itself
        0x77, 0x00, 0x00, 0x00,
        // NAME, 2 bytes: "k\0"
        b'N', b'A', b'M', b'E', 0x02, 0x00, b'k', 0x00,
        // TYPE, 1 byte: kernel
        b'T', b'Y', b'P', b'E', 0x01, 0x00, 0x02,
        // HASH, 32 bytes (SHA-256 of the module entry, appended below)
        b'H', b'A', b'S', b'H', 0x20, 0x00,
    ]);
    expected.extend_from_slice(&hash);
    #[rustfmt::skip]
    expected.extend_from_slice(&[
        // MDSZ, 8 bytes: module entry size (appended below)
        b'M', b'D', b'S', b'Z', 0x08, 0x00,
    ]);
    expected.extend_from_slice(&l.to_le_bytes());
    #[rustfmt::skip]
    expected.extend_from_slice(&[
        // OFFT, 24 bytes: public md +0, private md +0, module +0
        b'O', b'F', b'F', b'T', 0x18, 0x00,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0,
        // VERS, 8 bytes: AIR 2.8, MSL 4.0
        b'V', b'E', b'R', b'S', 0x08, 0x00, 0x02, 0x00, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00,
        // end of the function group
        b'E', b'N', b'D', b'T',
        // 0xD3 header extension: empty
        b'E', b'N', b'D', b'T',
        // 0xD7 public metadata: one empty group
        0x08, 0x00, 0x00, 0x00, b'E', b'N', b'D', b'T',
        // 0xDF private metadata: one empty group
        0x08, 0x00, 0x00, 0x00, b'E', b'N', b'D', b'T',
    ]);
    assert_eq!(expected.len() as u64, module_list);
    expected.extend_from_slice(&module_bytes); // 0xE7 the module
    assert_eq!(bytes, expected);

    // The linked module inside: renamed, unused declaration and
    // !air.source_file_name gone.
    let text = common::dis(&module_bytes);
    assert!(text.contains("source_filename = \"k\""), "{text}");
    assert!(!text.contains("@unused"), "{text}");
    assert!(!text.contains("air.source_file_name"), "{text}");
}
