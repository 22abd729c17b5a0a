//! Running the reverse-linking cases, the tiled example kernels and the
//! capability probes.

use std::time::{Duration, Instant};

use air_kernels::Element;
use air_shell::seed::{CaseBuffer, CaseCheck};
use air_shell::BodyMode;

use super::{Buffer, Device, RawBuffer};
use crate::bind::{Arg, Grid};
use crate::cases::{Case, TiledCase};
use crate::error::{Error, Result, Step};
use crate::options::{CompileOptions, ConstantValue, FunctionConstants, LinkMode};
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

/// The result of one tiled case on the GPU.
#[derive(Clone, Debug)]
pub struct TiledRun {
    /// The comparison with the f64 reference.
    pub check: air_kernels::Check,
    /// Shell load (`newLibraryWithData`).
    pub load: Duration,
    /// MSL JIT (`newLibraryWithSource`); zero in inline mode.
    pub jit: Duration,
    /// Pipeline creation (with linking in visible mode).
    pub pipeline: Duration,
    /// The fastest of the timed dispatches, wall time (commit to
    /// completion; the first, untimed dispatch is the one checked).
    pub dispatch: Duration,
    /// The problem's floating-point operations per second of
    /// [`TiledRun::dispatch`], in units of 10^9.
    pub gflops: f64,
}

/// A buffer of a tiled case, kept alive for the dispatch.
enum TiledBuffer {
    Float(Buffer<f32>),
    Half(Buffer<u16>),
}

/// Runs the tiled `case` on `device`: load its shell from `metallib`; in
/// visible mode check and JIT its MSL and link with `privateFunctions`, in
/// inline mode build the pipeline alone; dispatch once and compare with
/// the reference, then dispatch `timed` more times for the timing.
///
/// # Errors
/// The first step that fails; a wrong result is not an error (see
/// [`TiledRun::check`]).
pub fn run_tiled(
    device: &Device,
    case: &TiledCase,
    shell: &air_shell::Shell,
    metallib: &[u8],
    timed: u32,
) -> Result<TiledRun> {
    let t = Instant::now();
    let lib = device.load_shell(metallib, &shell.manifest)?;
    let load = t.elapsed();
    let (jit, pipeline_time, pipeline) = match case.body {
        BodyMode::Visible => {
            let t = Instant::now();
            let options = CompileOptions::for_target_id(&shell.manifest.target);
            let visible = device.compile_visible(&shell.manifest, &case.msl(), &options)?;
            let jit = t.elapsed();
            let t = Instant::now();
            let p = device.link_pipeline(
                &lib,
                &visible,
                &FunctionConstants::new(),
                LinkMode::Private,
            )?;
            (jit, t.elapsed(), p)
        }
        BodyMode::Inline => {
            let t = Instant::now();
            let p = device.plain_pipeline(&lib)?;
            (Duration::ZERO, t.elapsed(), p)
        }
    };
    let list = case.case.buffers();
    let mut held = Vec::new();
    for b in &list {
        let words = |n: usize| b.bytes.chunks_exact(n);
        match b.element {
            Element::F32 => held.push((
                b.name,
                TiledBuffer::Float(
                    device.buffer_from_slice(
                        &words(4)
                            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                            .collect::<Vec<f32>>(),
                    )?,
                ),
            )),
            Element::F16 => held.push((
                b.name,
                TiledBuffer::Half(
                    device.buffer_from_slice(
                        &words(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect::<Vec<u16>>(),
                    )?,
                ),
            )),
            Element::U32 => {}
        }
    }
    let mut args: Vec<(&str, Arg<'_, RawBuffer>)> = Vec::new();
    for (name, buffer) in &held {
        args.push((
            name,
            match buffer {
                TiledBuffer::Float(b) => b.arg(),
                TiledBuffer::Half(b) => b.arg(),
            },
        ));
    }
    for b in list.iter().filter(|b| b.element == Element::U32) {
        let word = b.bytes.get(..4).and_then(|w| <[u8; 4]>::try_from(w).ok());
        let v = word.map(u32::from_le_bytes).ok_or_else(|| {
            Error::invalid(Step::Bind, format!("scalar `{}` is not 4 bytes", b.name))
        })?;
        args.push((b.name, Arg::Scalar(ConstantValue::UInt(v))));
    }
    let grid = Grid::threads(u64::from(case.case.threads()));
    let first = device.dispatch(&pipeline, &args, grid)?;
    let output = held
        .iter()
        .find_map(|(name, b)| match b {
            TiledBuffer::Float(b) if *name == case.case.output() => Some(b.to_vec()),
            _ => None,
        })
        .ok_or_else(|| {
            Error::invalid(
                Step::ReadBack,
                format!("no float buffer `{}`", case.case.output()),
            )
        })?;
    let check = case.case.check(&output);
    let mut best = first.wall;
    for _ in 0..timed {
        best = best.min(device.dispatch(&pipeline, &args, grid)?.wall);
    }
    Ok(TiledRun {
        check,
        load,
        jit,
        pipeline: pipeline_time,
        dispatch: best,
        gflops: case.case.flops() / best.as_secs_f64().max(1e-9) / 1e9,
    })
}
