//! The `spec_parse` target: arbitrary bytes as a TOML spec through
//! `Spec::from_toml` and, when it reads, `generate` in both body modes: a
//! shell or an error with diagnostics, never a panic or hang. A generated
//! shell must verify and its text must parse back to the same module.

use std::path::Path;

/// Runs one input; inline bodies resolve in `base_dir`.
pub fn run(data: &[u8], base_dir: &Path) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(spec) = air_shell::Spec::from_toml(text, "fuzz.toml", Some(base_dir)) else {
        return;
    };
    for body in [None, Some(air_shell::BodyMode::Visible)] {
        let options = air_shell::Options {
            body,
            ..air_shell::Options::default()
        };
        let Ok(shell) = air_shell::generate(&spec, &options) else {
            continue;
        };
        if let Err(e) = air_ir::verify(&shell.module) {
            panic!("generated shell does not verify: {e}");
        }
        let text = shell.ll_text();
        match air_ir::parse(&text, "shell.ll") {
            Ok(m) => assert!(m == shell.module, "shell text round trip differs:\n{text}"),
            Err(e) => panic!("generated shell text does not parse: {e}\n{text}"),
        }
    }
}
