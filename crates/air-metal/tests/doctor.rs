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
        // The tiled examples: 6 shapes in both body modes; the AIR bodies
        // (inline) need an AIR 2.8 target. The visible ones' MSL was
        // checked against the manifest (prepare fails otherwise).
        let inline = p
            .tiled
            .iter()
            .filter(|t| t.case.body == air_shell::BodyMode::Inline)
            .count();
        let air28 = target.air_version >= (2, 8, 0);
        assert_eq!(inline, if air28 { 6 } else { 0 }, "{}", target.id);
        assert_eq!(p.tiled.len() + p.tiled_skipped.len(), 12, "{}", target.id);
        for t in &p.tiled {
            assert_eq!(t.shell.manifest.target, target.id);
            assert_eq!(&t.metallib[..4], b"MTLB");
            let visible = t.shell.manifest.visible.len();
            match t.case.body {
                air_shell::BodyMode::Visible => assert_eq!(visible, 2, "{}", t.case.name()),
                air_shell::BodyMode::Inline => assert_eq!(visible, 0, "{}", t.case.name()),
            }
        }
    }
}

#[test]
fn off_a_mac_the_doctor_says_what_it_would_check() {
    let text = plan_text("linux");
    assert!(text.contains("the Metal checks need a Mac"), "{text}");
    assert!(text.contains("privateFunctions"), "{text}");
    for name in [
        "simple",
        "multi_buffer_fma",
        "copy_2d",
        "copy_1d_in_header",
        "tiled gemm/f16 visible",
        "tiled attention/f32 inline",
    ] {
        assert!(text.contains(name), "{name}\n{text}");
    }
    assert!(!text.contains("failed"), "{text}");
}
