//! The portable half of `airlink doctor`.

use air_metal::doctor::{plan_text, prepare};

#[test]
fn every_check_builds_for_every_target() {
    for target in air_target::TARGETS {
        let p = prepare(target).unwrap_or_else(|e| panic!("{}: {e}", target.id));
        assert_eq!(p.cases.len(), 5, "{}", target.id);
        assert!(p.probes.len() >= 2, "{}", target.id);
        for c in &p.cases {
            assert_eq!(c.shell.manifest.target, target.id);
            assert_eq!(&c.metallib[..4], b"MTLB");
        }
    }
}

#[test]
fn off_a_mac_the_doctor_says_what_it_would_check() {
    let text = plan_text("linux");
    assert!(text.contains("the Metal checks need a Mac"), "{text}");
    assert!(text.contains("privateFunctions"), "{text}");
    for name in ["simple", "multi_buffer_fma", "copy_2d", "copy_1d_in_header"] {
        assert!(text.contains(name), "{name}\n{text}");
    }
    assert!(!text.contains("failed"), "{text}");
}
