//! `airlink doctor` on a Mac (or an iOS device): fills a
//! [`crate::doctor::Report`].

use std::time::Instant;

use air_shell::seed::SeedCase;
use air_target::Platform;
use objc2_foundation::NSProcessInfo;

use super::run::{run_case, run_probe, run_tiled};
use super::Device;
use crate::cases::TiledCase;
use crate::doctor::{prepare, target_for, Report};
use crate::options::{CompileOptions, LinkMode};
use crate::probe::interpret;
use crate::CacheKey;

/// The OS as `NSProcessInfo` reports it, and its major version.
pub fn os_version() -> (String, u16) {
    let info = NSProcessInfo::processInfo();
    let v = info.operatingSystemVersion();
    let name = if cfg!(target_os = "ios") {
        "iOS"
    } else {
        "macOS"
    };
    (
        format!("{name} {}", info.operatingSystemVersionString()),
        u16::try_from(v.majorVersion).unwrap_or(0),
    )
}

/// Runs every check and returns the report. `version` is airlink's.
pub fn run(version: &str) -> Report {
    let (os, major) = os_version();
    let platform = if cfg!(target_os = "ios") {
        Platform::Ios
    } else {
        Platform::MacOs
    };
    let mut report = Report {
        version: version.to_string(),
        os,
        ..Report::default()
    };
    let Some(target) = target_for(platform, major) else {
        report.target = "none".into();
        report.check(
            "OS supported",
            false,
            format!("no airlink target for OS major version {major} (macOS 14+ / iOS 17+)"),
        );
        return report;
    };
    report.target = target.id.to_string();
    let device = match Device::system_default() {
        Ok(d) => d,
        Err(e) => {
            report.check("Metal device", false, e.to_string());
            return report;
        }
    };
    report.device = Some(device.info());
    let prepared = match prepare(target) {
        Ok(p) => p,
        Err(e) => {
            report.check("build the check's shells", false, e.to_string());
            return report;
        }
    };

    // The simple case, step by step, with timings.
    if let Some(simple) = prepared
        .cases
        .iter()
        .find(|c| c.case.seed == SeedCase::Simple)
    {
        let manifest = &simple.shell.manifest;
        let t = Instant::now();
        let shell = device.load_shell(&simple.metallib, manifest);
        report.time("shell load (newLibraryWithData)", t.elapsed());
        match &shell {
            Ok(_) => report.check(
                "our metallib loads",
                true,
                format!(
                    "{} bytes, kernel {}",
                    simple.metallib.len(),
                    manifest.kernel
                ),
            ),
            Err(e) => report.check("our metallib loads", false, e.to_string()),
        }
        let options = CompileOptions::for_target_id(target.id);
        let t = Instant::now();
        let visible = device.compile_visible(manifest, &simple.case.msl, &options);
        report.time("MSL JIT (newLibraryWithSource)", t.elapsed());
        if let Err(e) = &visible {
            report.check("MSL JIT of transform_value", false, e.to_string());
        }
        if let (Ok(shell), Ok(visible)) = (&shell, &visible) {
            let consts = crate::FunctionConstants::new();
            for link in [LinkMode::Private, LinkMode::Functions] {
                let t = Instant::now();
                let p = device.link_pipeline(shell, visible, &consts, link);
                report.time(
                    format!("pipeline with linking ({})", link.name()),
                    t.elapsed(),
                );
                let name = format!("{} linking builds a pipeline", link.name());
                match p {
                    Ok(p) => report.check(
                        name,
                        true,
                        format!(
                            "max {} threads per threadgroup, {} bytes static threadgroup memory",
                            p.max_threads_per_threadgroup(),
                            p.static_threadgroup_memory()
                        ),
                    ),
                    Err(e) => report.check(
                        name,
                        link == LinkMode::Functions,
                        format!(
                            "{}{e}",
                            if link == LinkMode::Functions {
                                "(optional; unverified, docs/metal-runtime.md#linked-functions) "
                            } else {
                                ""
                            }
                        ),
                    ),
                }
            }
        }
        // The cache: the same inputs twice, the second a hit.
        let rt = super::Runtime::with_device(device.clone());
        let consts = crate::FunctionConstants::new();
        let msl = &simple.case.msl;
        let build = || {
            rt.pipeline(
                &simple.metallib,
                manifest,
                msl,
                &consts,
                &options,
                LinkMode::Private,
            )
        };
        let first = build();
        let t = Instant::now();
        let second = build();
        report.time("pipeline from the cache", t.elapsed());
        let stats = rt.cache().stats();
        let key = CacheKey::pipeline(
            &simple.metallib,
            &manifest.kernel,
            msl,
            &consts,
            &options,
            LinkMode::Private,
        );
        report.check(
            "pipeline cache",
            first.is_ok() && second.is_ok() && stats.hits == 1 && stats.misses == 1,
            format!(
                "key {}..., {} hit / {} miss",
                &key.hex()[..12],
                stats.hits,
                stats.misses
            ),
        );
    }

    // The reverse-linking cases on the GPU.
    for c in &prepared.cases {
        let name = format!("case {} on the GPU", c.case.seed.name());
        match run_case(&device, &c.case, &c.shell, &c.metallib, LinkMode::Private) {
            Ok(run) => {
                if c.case.seed == SeedCase::Simple {
                    report.time("dispatch (simple, 128 threads, wall)", run.dispatch);
                }
                report.check(name, run.check.passed(), run.check.to_string());
            }
            Err(e) => report.check(name, false, e.to_string()),
        }
    }

    // The tiled example kernels on the GPU, each next to the CPU executor's
    // run of the same case and body mode (small shapes only: the executor
    // takes seconds for the large ones).
    for t in &prepared.tiled {
        let name = format!("{} on the GPU", t.case.name());
        match run_tiled(&device, &t.case, &t.shell, &t.metallib, 3) {
            Ok(run) => {
                report.time(format!("{} dispatch", t.case.name()), run.dispatch);
                let (cpu_ok, cpu) = if t.case.on_cpu {
                    cpu_result(&prepared.examples_dir, &t.case)
                } else {
                    (true, "CPU executor: not run at this size".to_string())
                };
                report.check(
                    name,
                    run.check.passed() && cpu_ok,
                    format!(
                        "{}; {:.3} ms = {:.2} GFLOPS (JIT {:.1} ms, pipeline {:.1} ms); {cpu}",
                        run.check,
                        run.dispatch.as_secs_f64() * 1e3,
                        run.gflops,
                        run.jit.as_secs_f64() * 1e3,
                        run.pipeline.as_secs_f64() * 1e3
                    ),
                );
            }
            Err(e) => report.check(name, false, e.to_string()),
        }
    }

    for (name, why) in &prepared.tiled_skipped {
        report.check(format!("{name}: skipped"), true, why.clone());
    }

    // The probes.
    for p in &prepared.probes {
        let (outcome, pipeline_time) = run_probe(&device, &p.probe, &p.metallib);
        if p.probe.id == crate::probe::ProbeId::Copy2d {
            report.time("pipeline without linking (copy_2d probe)", pipeline_time);
        }
        report.probes.push((p.probe.id, outcome));
    }
    for (id, why) in &prepared.plan.skipped {
        report.check(format!("probe {}: skipped", id.name()), true, why.clone());
    }
    report.verdict = Some(interpret(&report.probes));
    report
}

/// The CPU executor's run of `case` in the same body mode (async copies):
/// whether it passed, and a line for the report.
fn cpu_result(examples_dir: &std::path::Path, case: &TiledCase) -> (bool, String) {
    use air_kernels::cpu;
    let mode = cpu::Mode::new(case.body, air_shell::Fallback::None);
    let run = cpu::program(case.case.kernel(), examples_dir, mode)
        .and_then(|p| cpu::run(&case.case, &p, &cpu::Options::default()));
    match run {
        Ok(r) => (
            r.check.passed(),
            format!(
                "CPU executor: {} in {:.2} s",
                r.check,
                r.elapsed.as_secs_f64()
            ),
        ),
        Err(e) => (false, format!("CPU executor failed: {e}")),
    }
}
