//! The worked example in `examples/conv1d/`, as far as it can be checked
//! without a Mac: its MSL body's `[[visible]]` prototype matches the shell
//! its spec generates (the check a host makes before Metal sees the MSL),
//! and both host programs bind every argument the manifest lists, by the
//! manifest's names. (The CPU runs of the example, in both body modes, are
//! cases of `crates/airlink/tests/cli.rs`.)

use std::path::{Path, PathBuf};

fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/conv1d")
        .join(file)
}

fn read(file: &str) -> String {
    std::fs::read_to_string(example(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn shell() -> air_shell::Shell {
    let spec = air_shell::Spec::from_file(&example("conv1d.toml")).unwrap();
    let options = air_shell::Options {
        body: Some(air_shell::BodyMode::Visible),
        ..air_shell::Options::default()
    };
    air_shell::generate(&spec, &options).unwrap()
}

#[test]
fn the_msl_body_matches_the_shell() {
    let shell = shell();
    let report = air_metal::check_signatures(&shell.manifest, &read("conv1d.metal"))
        .unwrap_or_else(|e| panic!("conv1d.metal: {e}"));
    let matched: Vec<&str> = report.matched.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(matched, ["conv_window"]);
    assert!(report.unused.is_empty(), "{:?}", report.unused);
    // The prototype the shell wants, as `airlink shell --emit-msl` prints it.
    assert_eq!(
        shell.manifest.visible[0].msl_prototype,
        "[[visible]] float conv_window(threadgroup float* window, device float* taps, uint lane, float bias);"
    );
    // A body with another signature is refused before Metal would see it.
    let wrong = read("conv1d.metal").replace("float bias)", "half bias)");
    assert!(air_metal::check_signatures(&shell.manifest, &wrong).is_err());
}

#[test]
fn both_hosts_bind_every_argument_by_its_manifest_name() {
    let manifest = shell().manifest;
    let names: Vec<&str> = manifest
        .buffers
        .iter()
        .map(|b| b.name.as_str())
        .chain(manifest.scalars.iter().map(|s| s.name.as_str()))
        .collect();
    assert_eq!(names, ["x", "taps", "y", "bias"]);
    for host in ["host.rs", "host.swift"] {
        let text = read(host);
        for name in &names {
            assert!(
                text.contains(&format!("\"{name}\"")),
                "{host} never names `{name}`"
            );
        }
        // The pipeline is made by linking, not from a monolithic kernel.
        assert!(
            text.contains("privateFunctions") || text.contains("LinkMode::Private"),
            "{host}"
        );
    }
    assert_eq!(manifest.threadgroup_size, [32, 1, 1]);
}
