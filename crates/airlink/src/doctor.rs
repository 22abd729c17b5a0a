//! `airlink doctor`: the one-command hardware check. On macOS (and iOS)
//! it reports the device, OS and GPU families, whether our metallib loads,
//! whether `privateFunctions` linking builds a pipeline, the reverse-linking
//! tests, the capability probes and timings, then a pasteable report
//! block. Elsewhere it says what it would check and builds the check's
//! shells. The work is in `air_metal::doctor` / `air_metal::apple::doctor`.

use anyhow::Result;

/// Options of `airlink doctor`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Run it on a Mac (macOS 14 or newer) and paste the block between the
BEGIN/END markers into an issue. Exit status 1 when a check fails.")]
pub struct Opts {}

impl Opts {
    /// Runs the subcommand.
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    pub fn run(&self) -> Result<()> {
        let report = air_metal::apple::doctor::run(env!("CARGO_PKG_VERSION"));
        crate::out::print(&report.render())?;
        anyhow::ensure!(report.all_ok(), "some checks failed (see the report above)");
        Ok(())
    }

    /// Runs the subcommand.
    #[cfg(not(any(target_os = "macos", target_os = "ios")))]
    pub fn run(&self) -> Result<()> {
        crate::out::print(&air_metal::doctor::plan_text(std::env::consts::OS))
    }
}
