//! The seed cases of `air_shell::seed` against the files and specs they
//! stand for.

use std::path::{Path, PathBuf};

use air_shell::seed::{compare, write_embedded_specs, SeedCase, EMBEDDED_SPECS};
use air_shell::{BodyMode, Fallback, Options};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs")
}

#[test]
fn embedded_specs_match_the_examples_directory() {
    for (name, text) in EMBEDDED_SPECS {
        let on_disk = std::fs::read_to_string(examples().join(name)).unwrap();
        assert_eq!(&on_disk, text, "{name}");
    }
}

#[test]
fn every_case_names_embedded_files_and_its_spec_agrees_with_it() {
    let embedded = |name: &str| EMBEDDED_SPECS.iter().any(|(n, _)| *n == name);
    for case in SeedCase::ALL {
        assert!(embedded(case.spec_file()), "{case:?}");
        assert!(embedded(case.body_file()), "{case:?}");
        let shell = case.shell(None, &Options::default()).unwrap();
        let m = &shell.manifest;
        // The dispatch the executor uses is the spec's threadgroup size.
        assert_eq!(
            m.threadgroup_size,
            [case.threads_per_threadgroup(), 1, 1],
            "{case:?}"
        );
        // Every buffer of the case is a buffer of the shell, in manifest
        // order, and the output is one of them.
        let names: Vec<&str> = m.buffers.iter().map(|b| b.name.as_str()).collect();
        let ours: Vec<&str> = case.buffers().iter().map(|b| b.name).collect();
        assert_eq!(names, ours, "{case:?}");
        assert!(ours.contains(&case.output()), "{case:?}");
        // Inputs and output have the same length, the expectation too.
        let n = case.expected().len();
        assert!(case.buffers().iter().all(|b| b.data.len() == n), "{case:?}");
    }
}

#[test]
fn the_expectations_are_the_seeds_formulas() {
    // Hand-computed elements of each case.
    let at = |case: SeedCase, i: usize| case.expected()[i];
    assert_eq!(at(SeedCase::Simple, 0), 10.0); // (0+1)*3+7
    assert_eq!(at(SeedCase::Simple, 127), 391.0); // 128*3+7
    assert_eq!(at(SeedCase::MultiBufferMulAdd, 2), 3.0 * 1.1 + 42.0); // A=3, B=1.1
    assert_eq!(at(SeedCase::MultiBufferSqrt, 3), 2.0 + 1.6 * 2.0); // sqrt(4), B=1.6
    assert_eq!(at(SeedCase::Copy2d, 16 + 3), 1030.0); // row 1, column 3: 103*10
    assert_eq!(at(SeedCase::Copy2d, 16 + 4), -1.0); // outside the tile
    assert_eq!(SeedCase::Simple.tolerance(), 0.01);
    assert_eq!(SeedCase::Copy2d.tolerance(), 0.1);
}

#[test]
fn compare_counts_and_keeps_the_first_four_wrong_elements() {
    let want = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let check = compare(&[1.0, 0.0, 3.0, 0.0, 0.0], &want, 0.5);
    assert_eq!((check.correct, check.total), (2, 6));
    assert!(!check.passed());
    // The sixth element is missing: wrong, read as NaN.
    assert_eq!(check.wrong.len(), 4);
    assert_eq!(check.wrong[0], (1, 0.0, 2.0));
    assert_eq!(
        check.to_string(),
        "2/6 correct; [1] = 0 (expected 2); [3] = 0 (expected 4); [4] = 0 (expected 5); [5] = NaN (expected 6)"
    );
}

#[test]
fn inline_shells_read_the_case_bodies_from_the_written_files() {
    let dir = std::env::temp_dir().join(format!("air-shell-seed-{}", std::process::id()));
    write_embedded_specs(&dir).unwrap();
    let options = Options {
        body: Some(BodyMode::Inline),
        fallback: Some(Fallback::None),
        copy_form: None,
    };
    for case in SeedCase::ALL {
        let shell = case.shell(Some(&dir), &options).unwrap();
        // Inline mode links the body: nothing is left to JIT.
        assert!(shell.manifest.visible.is_empty(), "{case:?}");
    }
    // Without the files, an inline body cannot be read.
    let err = SeedCase::MultiBufferFma
        .shell(Some(&dir.join("missing")), &options)
        .unwrap_err();
    assert!(err.to_string().contains("multi_buffer.toml"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
