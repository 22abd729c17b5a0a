//! Shell → `.metallib` bytes in-process (the same path as `airlink
//! assemble`: target check, Apple's per-entry link step, the Apple bitcode
//! flavour, the container), so the runtime and the probes can build shells
//! without any Apple tool.

use air_shell::Shell;

use crate::error::{Error, Result, Step};

/// Assembles `shell` into `.metallib` bytes for its manifest's target.
///
/// # Errors
/// [`Step::BuildShell`]: an unknown target id, or an assembly failure.
pub fn metallib_bytes(shell: &Shell) -> Result<Vec<u8>> {
    let target = air_target::Target::by_id(&shell.manifest.target).ok_or_else(|| {
        Error::invalid(
            Step::BuildShell,
            format!(
                "the manifest's target `{}` is unknown (known: {})",
                shell.manifest.target,
                air_target::Target::ids()
            ),
        )
    })?;
    module_metallib_bytes(&shell.module, &shell.module_name, target)
}

/// Assembles a verified AIR module for `target` (no retargeting).
///
/// # Errors
/// [`Step::BuildShell`] with the assembler's message.
pub fn module_metallib_bytes(
    module: &air_ir::Module,
    name: &str,
    target: &air_target::Target,
) -> Result<Vec<u8>> {
    let options = metallib::AssembleOptions {
        target,
        retarget: false,
        threads: 0,
    };
    metallib::assemble(module, &options, |m| {
        let options = air_bitcode::WriteOptions {
            flavour: air_bitcode::Flavour::Apple,
            input_path: name.to_string(),
            producer: None,
        };
        air_bitcode::write_module(m, &options).map_err(|e| e.to_string())
    })
    .map_err(|e| Error::invalid(Step::BuildShell, format!("{name}: {e}")))
}
