//! The capability-probe plan: the shells it generates, how outputs are
//! classified and what the verdict recommends. (The probes themselves run
//! only on a Mac.)

use air_metal::probe::{interpret, plan, OneDForm, ProbeId, ProbeOutcome};
use air_shell::seed::CaseCheck;
use air_shell::Fallback;

#[test]
fn the_plan_for_air_2_8_has_every_probe() {
    let p = plan("macos26").unwrap();
    let ids: Vec<&str> = p.probes.iter().map(|p| p.id.name()).collect();
    assert_eq!(
        ids,
        [
            "control",
            "copy_2d",
            "copy_1d_in_seed",
            "copy_1d_in_header",
            "copy_1d_out_seed",
            "copy_1d_out_header"
        ]
    );
    assert!(p.skipped.is_empty());
    for probe in &p.probes {
        assert!(
            probe.shell.manifest.visible.is_empty(),
            "{}",
            probe.id.name()
        );
        assert_eq!(probe.shell.manifest.threadgroup_size, [32, 1, 1]);
        assert_eq!(probe.threads, 32);
        // Every probe assembles to a metallib in-process.
        let bytes = air_metal::metallib_bytes(&probe.shell).unwrap();
        assert_eq!(&bytes[..4], b"MTLB");
        // Inputs are distinct across probes, so stale threadgroup memory
        // cannot pass for a delivery.
        let src = &probe.buffers[0].data;
        for other in &p.probes {
            if other.id != probe.id {
                assert!(other.buffers[0].data.iter().all(|v| !src.contains(v)));
            }
        }
    }
}

#[test]
fn the_probe_shells_use_the_intended_operands() {
    let p = plan("macos26").unwrap();
    let text = |id: ProbeId| {
        p.probes
            .iter()
            .find(|p| p.id == id)
            .unwrap()
            .shell
            .ll_text()
    };
    let control = text(ProbeId::Control);
    assert!(!control.contains("simdgroup_async_copy"), "{control}");
    let two_d = text(ProbeId::Copy2d);
    assert!(two_d.contains("@air.simdgroup_async_copy_2d.p3i8.p1i8(i64 4, i64 4,"));
    assert!(two_d.contains("@air.simdgroup_async_copy_2d.p1i8.p3i8(i64 4, i64 4,"));
    // Seed form: (size, count, dst, src, 0).
    let seed_in = text(ProbeId::OneDIn(OneDForm::Seed));
    assert!(
        seed_in.contains("@air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)*")
    );
    assert!(seed_in.contains("%src.i8, i64 0)"), "{seed_in}");
    // Header form: (size, align, dst, src, count).
    let header_in = text(ProbeId::OneDIn(OneDForm::Header));
    assert!(
        header_in.contains("@air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 4, i8 addrspace(3)*")
    );
    assert!(header_in.contains("%src.i8, i64 32)"), "{header_in}");
    assert!(header_in.contains("@air.simdgroup_async_copy_2d.p1i8.p3i8"));
    let header_out = text(ProbeId::OneDOut(OneDForm::Header));
    assert!(header_out
        .contains("@air.simdgroup_async_copy_1d.p1i8.p3i8(i64 4, i64 4, i8 addrspace(1)*"));
    assert!(header_out.contains("@air.simdgroup_async_copy_2d.p3i8.p1i8"));
    let seed_out = text(ProbeId::OneDOut(OneDForm::Seed));
    assert!(
        seed_out.contains("@air.simdgroup_async_copy_1d.p1i8.p3i8(i64 4, i64 32, i8 addrspace(1)*")
    );
}

#[test]
fn older_targets_skip_the_1d_probes() {
    let p = plan("macos15").unwrap();
    let ids: Vec<&str> = p.probes.iter().map(|p| p.id.name()).collect();
    assert_eq!(ids, ["control", "copy_2d"]);
    assert_eq!(p.skipped.len(), 4);
    for (_, why) in &p.skipped {
        assert!(why.contains("probe copy_1d"), "{why}");
    }
}

#[test]
fn outputs_are_classified() {
    let p = plan("macos26").unwrap();
    let two_d = p.probes.iter().find(|p| p.id == ProbeId::Copy2d).unwrap();
    assert_eq!(two_d.classify(&two_d.expected), ProbeOutcome::Delivered);
    // Untouched: dst still -1 everywhere.
    let untouched = vec![-1.0; 128];
    assert!(matches!(
        two_d.classify(&untouched),
        ProbeOutcome::NotDelivered {
            untouched: true,
            ..
        }
    ));
    // Zeros where the tile should be (the load did nothing, the store wrote
    // undefined threadgroup memory).
    let mut zeros = two_d.expected.clone();
    for (i, v) in zeros.iter_mut().enumerate() {
        if i % 16 < 4 {
            *v = 0.0;
        }
    }
    assert!(matches!(
        two_d.classify(&zeros),
        ProbeOutcome::NotDelivered {
            untouched: false,
            ..
        }
    ));
    // The first 4 floats only (a count of 4).
    let one_d = p
        .probes
        .iter()
        .find(|p| p.id == ProbeId::OneDIn(OneDForm::Header))
        .unwrap();
    let mut four = vec![0.0; 32];
    four[..4].copy_from_slice(&one_d.expected[..4]);
    match one_d.classify(&four) {
        ProbeOutcome::Partial(c) => {
            assert_eq!((c.correct, c.total), (4, 32));
            assert!(
                c.to_string().starts_with("4/32 correct; [4] = 0 (expected"),
                "{c}"
            );
        }
        other => panic!("{other:?}"),
    }
}

fn outcome(delivered: bool) -> ProbeOutcome {
    if delivered {
        ProbeOutcome::Delivered
    } else {
        ProbeOutcome::NotDelivered {
            untouched: true,
            check: CaseCheck {
                correct: 0,
                total: 32,
                wrong: vec![],
            },
        }
    }
}

#[test]
fn the_verdict_follows_the_outcomes() {
    use OneDForm::{Header, Seed};
    // What the seed reports on macOS 26.3: 2D and the seed 1D form work.
    let seed_world = [
        (ProbeId::Control, outcome(true)),
        (ProbeId::Copy2d, outcome(true)),
        (ProbeId::OneDIn(Seed), outcome(true)),
        (ProbeId::OneDIn(Header), outcome(false)),
        (ProbeId::OneDOut(Seed), outcome(true)),
        (ProbeId::OneDOut(Header), outcome(false)),
    ];
    let v = interpret(&seed_world);
    assert!(v.harness_ok);
    assert_eq!(v.copy_2d, Some(true));
    assert_eq!(v.one_d_load, Some(vec![Seed]));
    assert_eq!(v.one_d_store, Some(vec![Seed]));
    assert_eq!(v.recommended.fallback, None);
    assert!(v
        .notes
        .iter()
        .any(|n| n.contains("copy_form = \"1d\" is right here")));

    // The header's reading wins: air-shell's 1d form is wrong.
    let header_world = [
        (ProbeId::Control, outcome(true)),
        (ProbeId::Copy2d, outcome(true)),
        (ProbeId::OneDIn(Seed), outcome(false)),
        (ProbeId::OneDIn(Header), outcome(true)),
    ];
    let v = interpret(&header_world);
    assert_eq!(v.one_d_load, Some(vec![Header]));
    assert_eq!(v.one_d_store, None);
    assert!(v.notes.iter().any(|n| n.contains("is WRONG here")));

    // No async copy at all: the cooperative fallback.
    let broken = [
        (ProbeId::Control, outcome(true)),
        (ProbeId::Copy2d, outcome(false)),
        (
            ProbeId::OneDIn(Seed),
            ProbeOutcome::Failed {
                step: air_metal::Step::CreatePipeline,
                message: "unlowered function call".into(),
            },
        ),
    ];
    let v = interpret(&broken);
    assert_eq!(v.copy_2d, Some(false));
    assert_eq!(v.recommended.fallback, Some(Fallback::Cooperative));
    assert_eq!(v.one_d_load, Some(vec![]));

    // A failing control makes nothing conclusive; stay safe.
    let v = interpret(&[(ProbeId::Control, outcome(false))]);
    assert!(!v.harness_ok);
    assert_eq!(v.recommended.fallback, Some(Fallback::Cooperative));
}
