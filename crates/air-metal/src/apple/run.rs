//! Running the reverse-linking cases and the capability probes.

use std::time::{Duration, Instant};

use air_shell::seed::{CaseBuffer, CaseCheck};

use super::{Buffer, Device, RawBuffer};
use crate::bind::{Arg, Grid};
use crate::cases::Case;
use crate::error::{Error, Result, Step};
use crate::options::{CompileOptions, FunctionConstants, LinkMode};
use crate::probe::{Probe, ProbeId, ProbeOutcome};

/// The result of one case run, with the time of each step.
#[derive(Clone, Debug)]
pub struct CaseRun {
    /// The comparison with the expected output.
    pub check: CaseCheck,
    /// Shell load (`newLibraryWithData`).
    pub load: Duration,
    /// MSL signature check and JIT (`newLibraryWithSource`).
    pub jit: Duration,
    /// Pipeline creation with linking.
    pub link: Duration,
    /// The dispatch, wall time.
    pub dispatch: Duration,
}

fn buffers(device: &Device, list: &[CaseBuffer]) -> Result<Vec<(&'static str, Buffer<f32>)>> {
    list.iter()
        .map(|b| Ok((b.name, device.buffer_from_slice(&b.data)?)))
        .collect()
}

fn args<'a>(list: &'a [(&'static str, Buffer<f32>)]) -> Vec<(&'static str, Arg<'a, RawBuffer>)> {
    list.iter().map(|(n, b)| (*n, b.arg())).collect()
}

fn output(list: &[(&'static str, Buffer<f32>)], name: &str) -> Result<Vec<f32>> {
    list.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b.to_vec())
        .ok_or_else(|| Error::invalid(Step::ReadBack, format!("no buffer `{name}`")))
}

/// Runs `case` on `device`: load its shell from `metallib`, check and JIT
/// its MSL, link with `link`, dispatch, read back and compare.
///
/// # Errors
/// The first step that fails; a wrong result is not an error (see
/// [`CaseRun::check`]).
pub fn run_case(
    device: &Device,
    case: &Case,
    shell: &air_shell::Shell,
    metallib: &[u8],
    link: LinkMode,
) -> Result<CaseRun> {
    let t = Instant::now();
    let lib = device.load_shell(metallib, &shell.manifest)?;
    let load = t.elapsed();
    let t = Instant::now();
    let options = CompileOptions::for_target_id(&shell.manifest.target);
    let visible = device.compile_visible(&shell.manifest, &case.msl, &options)?;
    let jit = t.elapsed();
    let t = Instant::now();
    let pipeline = device.link_pipeline(&lib, &visible, &FunctionConstants::new(), link)?;
    let link = t.elapsed();
    let bufs = buffers(device, &case.seed.buffers())?;
    let threads = u64::from(case.seed.threads());
    let info = device.dispatch(&pipeline, &args(&bufs), Grid::threads(threads))?;
    let out = output(&bufs, case.seed.output())?;
    Ok(CaseRun {
        check: case.check(&out),
        load,
        jit,
        link,
        dispatch: info.wall,
    })
}

/// Runs one probe and classifies the result; a failing step becomes
/// [`ProbeOutcome::Failed`]. Also returns the time of the unlinked
/// pipeline creation.
pub fn run_probe(device: &Device, probe: &Probe, metallib: &[u8]) -> (ProbeOutcome, Duration) {
    let mut pipeline_time = Duration::ZERO;
    let mut go = || -> Result<ProbeOutcome> {
        let lib = device.load_shell(metallib, &probe.shell.manifest)?;
        let t = Instant::now();
        let pipeline = device.plain_pipeline(&lib)?;
        pipeline_time = t.elapsed();
        let bufs = buffers(device, &probe.buffers)?;
        device.dispatch(&pipeline, &args(&bufs), Grid::threads(probe.threads))?;
        Ok(probe.classify(&output(&bufs, probe.output)?))
    };
    let outcome = go().unwrap_or_else(|e| ProbeOutcome::Failed {
        step: e.step(),
        message: e.to_string(),
    });
    (outcome, pipeline_time)
}

/// Runs every probe of a prepared plan, in order.
pub fn run_probes(
    device: &Device,
    probes: &[crate::doctor::PreparedProbe],
) -> Vec<(ProbeId, ProbeOutcome)> {
    probes
        .iter()
        .map(|p| (p.probe.id, run_probe(device, &p.probe, &p.metallib).0))
        .collect()
}
