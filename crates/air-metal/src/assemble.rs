//! Shell → `.metallib` bytes in-process ([`air_assemble::assemble`], the
//! same path as `airlink assemble`: target check, Apple's per-entry link
//! step, the Apple bitcode flavour, the container), so the runtime and the
//! probes can build shells without any Apple tool.

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
    let options = air_assemble::Options::for_target(target);
    air_assemble::assemble(air_assemble::Input::Module { module, path: name }, &options)
        .map(|library| library.bytes)
        .map_err(|e| Error::invalid(Step::BuildShell, format!("{name}: {e}")))
}
