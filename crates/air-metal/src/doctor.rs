//! `airlink doctor`: the portable half. [`prepare`] builds everything the
//! hardware check needs (the case and probe shells as metallib bytes, the
//! MSL bodies checked against their manifests) on any OS; [`Report`] is
//! what the Apple half fills in and renders, ending with a pasteable
//! block; [`plan_text`] is what a non-Apple machine prints instead.

use std::fmt::Write as _;
use std::time::Duration;

use air_target::{Platform, Target, TARGETS};

use crate::cases::{self, Case, TiledCase};
use crate::error::Result;
use crate::probe::{self, ProbeId, ProbeOutcome, ProbePlan, Verdict};
use crate::{check_signatures, metallib_bytes, CacheKey};

/// The newest target of `platform` whose OS version is at most
/// `os_major`; `None` for an OS older than every target.
pub fn target_for(platform: Platform, os_major: u16) -> Option<&'static Target> {
    TARGETS
        .iter()
        .filter(|t| t.platform == platform && t.os_version.0 <= os_major)
        .max_by_key(|t| t.os_version)
}

/// A case with its shell built.
#[derive(Clone, Debug)]
pub struct PreparedCase {
    /// The case.
    pub case: Case,
    /// Its shell.
    pub shell: air_shell::Shell,
    /// The shell's metallib bytes.
    pub metallib: Vec<u8>,
}

/// A tiled example case with its shell built.
#[derive(Clone, Debug)]
pub struct PreparedTiled {
    /// The case.
    pub case: TiledCase,
    /// Its shell (the same for every shape of a kernel and body mode).
    pub shell: air_shell::Shell,
    /// The shell's metallib bytes.
    pub metallib: Vec<u8>,
}

/// A probe with its shell built.
#[derive(Clone, Debug)]
pub struct PreparedProbe {
    /// The probe.
    pub probe: probe::Probe,
    /// The shell's metallib bytes.
    pub metallib: Vec<u8>,
}

/// Everything the hardware check runs, built for one target.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The target id.
    pub target: &'static str,
    /// The reverse-linking cases.
    pub cases: Vec<PreparedCase>,
    /// The tiled example kernels, each shape in both body modes (inline
    /// only on AIR 2.8 targets).
    pub tiled: Vec<PreparedTiled>,
    /// Tiled cases not built for this target, and why.
    pub tiled_skipped: Vec<(String, String)>,
    /// Where the example files were written for them (inline mode reads
    /// the `.ll` bodies there; the CPU executor's comparison too).
    pub examples_dir: std::path::PathBuf,
    /// The probe plan.
    pub plan: ProbePlan,
    /// The probes' metallib bytes, in plan order.
    pub probes: Vec<PreparedProbe>,
}

/// Builds the cases', tiled kernels' and probes' shells for `target` and
/// checks each visible MSL source against its manifest.
///
/// # Errors
/// The first shell that fails to generate or assemble, or an MSL body
/// that does not fit (bugs, on any machine).
pub fn prepare(target: &'static Target) -> Result<Prepared> {
    let mut prepared_cases = Vec::new();
    for case in cases::all() {
        let shell = case.shell_for(target.id)?;
        check_signatures(&shell.manifest, &case.msl)?;
        let metallib = metallib_bytes(&shell)?;
        prepared_cases.push(PreparedCase {
            case,
            shell,
            metallib,
        });
    }
    let examples_dir = cases::examples_dir()?;
    let mut tiled: Vec<PreparedTiled> = Vec::new();
    let mut tiled_skipped = Vec::new();
    for case in cases::tiled() {
        if case.body == air_shell::BodyMode::Inline && target.air_version < (2, 8, 0) {
            tiled_skipped.push((
                case.name(),
                format!(
                    "the examples' AIR bodies use the AIR 2.8 simdgroup-matrix forms; {} is AIR {}.{}",
                    target.id, target.air_version.0, target.air_version.1
                ),
            ));
            continue;
        }
        // One shell per kernel and body mode; the shape is a run-time scalar.
        let built = tiled
            .iter()
            .find(|t| t.case.case.kernel() == case.case.kernel() && t.case.body == case.body);
        let (shell, metallib) = match built {
            Some(t) => (t.shell.clone(), t.metallib.clone()),
            None => {
                let shell = case.shell_for(target.id)?;
                if case.body == air_shell::BodyMode::Visible {
                    check_signatures(&shell.manifest, &case.msl())?;
                }
                let metallib = metallib_bytes(&shell)?;
                (shell, metallib)
            }
        };
        tiled.push(PreparedTiled {
            case,
            shell,
            metallib,
        });
    }
    let plan = probe::plan(target.id)?;
    let mut probes = Vec::new();
    for p in &plan.probes {
        probes.push(PreparedProbe {
            metallib: metallib_bytes(&p.shell)?,
            probe: p.clone(),
        });
    }
    Ok(Prepared {
        target: target.id,
        cases: prepared_cases,
        tiled,
        tiled_skipped,
        examples_dir,
        plan,
        probes,
    })
}

/// What `airlink doctor` prints off a Mac: the checks it would run and
/// what it built for them here.
pub fn plan_text(os: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "airlink doctor: this machine runs {os}; the Metal checks need a Mac (macOS 14 or newer on Apple silicon)."
    );
    out.push_str(
        "\nOn a Mac, `airlink doctor` would:\n\
         \x20 1. report the device (name, GPU families, unified memory, function pointers), the OS and the airlink target\n\
         \x20 2. load the `simple` shell's metallib (built in-process) with newLibraryWithData\n\
         \x20 3. JIT transform_value from MSL and build the pipeline with MTLLinkedFunctions.privateFunctions\n\
         \x20    (then with `functions` instead, unverified: docs/metal-runtime.md#linked-functions)\n\
         \x20 4. run the seed's reverse-linking tests (simple, multi_buffer x3, copy_2d) on the GPU\n\
         \x20 5. run the capability probes (control, 2D copy, both 1D operand forms for loads and stores)\n\
         \x20 6. time shell load, MSL JIT, pipeline creation with and without linking, and a dispatch\n\
         \x20 7. print a report block to paste into an issue\n",
    );
    let target = Target::by_id(air_target::DEFAULT_TARGET).unwrap_or(&TARGETS[0]);
    match prepare(target) {
        Ok(p) => {
            let _ = writeln!(
                out,
                "\nBuilt here for target {} (no GPU needed for this part):",
                p.target
            );
            for c in &p.cases {
                let _ = writeln!(
                    out,
                    "  case  {:<20} {:>6} bytes  key {}  MSL matches the manifest",
                    c.case.seed.name(),
                    c.metallib.len(),
                    &CacheKey::shell_library(&c.metallib).hex()[..12]
                );
            }
            for t in &p.tiled {
                // One line per kernel and body mode (the shapes share the shell).
                if p.tiled
                    .iter()
                    .find(|u| {
                        u.case.case.kernel() == t.case.case.kernel() && u.case.body == t.case.body
                    })
                    .is_some_and(|first| !std::ptr::eq(first, t))
                {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "  tiled {:<22} {:>4} bytes  key {}  {}",
                    format!("{} {}", t.case.case.kernel().name(), t.case.body.name()),
                    t.metallib.len(),
                    &CacheKey::shell_library(&t.metallib).hex()[..12],
                    if t.case.body == air_shell::BodyMode::Visible {
                        "MSL matches the manifest"
                    } else {
                        "AIR bodies inlined, no JIT"
                    }
                );
            }
            for p in &p.probes {
                let _ = writeln!(
                    out,
                    "  probe {:<20} {:>6} bytes  {}",
                    p.probe.id.name(),
                    p.metallib.len(),
                    p.probe.question
                );
            }
            for (id, why) in &p.plan.skipped {
                let _ = writeln!(out, "  probe {:<20} skipped: {why}", id.name());
            }
        }
        Err(e) => {
            let _ = writeln!(out, "\nBuilding the check's shells failed here: {e}");
        }
    }
    out
}

/// The device as the report shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// `MTLDevice.name`.
    pub name: String,
    /// GPU families `supportsFamily` accepts (`Apple7`, `Mac2`, `Metal3`...).
    pub families: Vec<String>,
    /// `hasUnifiedMemory`.
    pub unified_memory: bool,
    /// `supportsFunctionPointers` (needed by `LinkMode::Functions`).
    pub function_pointers: bool,
    /// `maxThreadgroupMemoryLength`.
    pub max_threadgroup_memory: u64,
}

/// One pass/fail line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it worked.
    pub ok: bool,
    /// Details (the error, the count of correct elements, ...).
    pub detail: String,
}

/// The whole doctor report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// `airlink` version.
    pub version: String,
    /// The OS (`macOS 26.3 (25D5112c)`).
    pub os: String,
    /// The target chosen for the OS.
    pub target: String,
    /// The device, if there is one.
    pub device: Option<DeviceInfo>,
    /// Pass/fail checks in order.
    pub checks: Vec<Check>,
    /// Probe outcomes.
    pub probes: Vec<(ProbeId, ProbeOutcome)>,
    /// The interpretation of the probes.
    pub verdict: Option<Verdict>,
    /// Timings.
    pub timings: Vec<(String, Duration)>,
}

impl Report {
    /// Adds a check line.
    pub fn check(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        self.checks.push(Check {
            name: name.into(),
            ok,
            detail: detail.into(),
        });
    }

    /// Adds a timing.
    pub fn time(&mut self, what: impl Into<String>, d: Duration) {
        self.timings.push((what.into(), d));
    }

    /// Whether every check passed.
    pub fn all_ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    /// The human-readable report followed by the pasteable block.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "airlink doctor {}", self.version);
        let _ = writeln!(out, "OS:      {}", self.os);
        let _ = writeln!(out, "target:  {}", self.target);
        match &self.device {
            Some(d) => {
                let _ = writeln!(out, "device:  {}", d.name);
                let _ = writeln!(out, "  GPU families: {}", d.families.join(", "));
                let _ = writeln!(
                    out,
                    "  unified memory: {}, function pointers: {}, max threadgroup memory: {} bytes",
                    d.unified_memory, d.function_pointers, d.max_threadgroup_memory
                );
            }
            None => {
                let _ = writeln!(out, "device:  none");
            }
        }
        let _ = writeln!(out, "\nchecks:");
        for c in &self.checks {
            let _ = writeln!(
                out,
                "  [{}] {}{}",
                if c.ok { " ok " } else { "FAIL" },
                c.name,
                if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.detail)
                }
            );
        }
        if !self.probes.is_empty() {
            let _ = writeln!(out, "\nprobes:");
            for (id, o) in &self.probes {
                let _ = writeln!(out, "  {:<20} {o}", id.name());
            }
        }
        if let Some(v) = &self.verdict {
            let _ = writeln!(out, "\nverdict:");
            for n in &v.notes {
                let _ = writeln!(out, "  - {n}");
            }
        }
        if !self.timings.is_empty() {
            let _ = writeln!(out, "\ntimings:");
            for (what, d) in &self.timings {
                let _ = writeln!(out, "  {what:<44} {:>10.3} ms", d.as_secs_f64() * 1e3);
            }
        }
        out.push('\n');
        out.push_str(&self.block());
        out
    }

    /// The pasteable block: one `key: value` line per fact, between
    /// markers, for an issue comment.
    pub fn block(&self) -> String {
        let mut out = String::new();
        out.push_str("Paste everything between the markers into the airlink issue tracker:\n");
        out.push_str("----- BEGIN AIRLINK DOCTOR REPORT -----\n");
        let _ = writeln!(out, "airlink: {}", self.version);
        let _ = writeln!(out, "os: {}", self.os);
        let _ = writeln!(out, "target: {}", self.target);
        if let Some(d) = &self.device {
            let _ = writeln!(out, "device: {}", d.name);
            let _ = writeln!(out, "families: {}", d.families.join(","));
            let _ = writeln!(
                out,
                "unified_memory: {}\nfunction_pointers: {}\nmax_threadgroup_memory: {}",
                d.unified_memory, d.function_pointers, d.max_threadgroup_memory
            );
        }
        for c in &self.checks {
            let _ = writeln!(
                out,
                "check.{}: {}{}",
                key(&c.name),
                if c.ok { "ok" } else { "FAIL" },
                if c.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", one_line(&c.detail))
                }
            );
        }
        for (id, o) in &self.probes {
            let _ = writeln!(out, "probe.{}: {}", id.name(), one_line(&o.to_string()));
        }
        if let Some(v) = &self.verdict {
            let _ = writeln!(
                out,
                "verdict.fallback: {}",
                v.recommended.fallback.unwrap_or_default().name()
            );
        }
        for (what, d) in &self.timings {
            let _ = writeln!(out, "time.{}: {:.3} ms", key(what), d.as_secs_f64() * 1e3);
        }
        out.push_str("----- END AIRLINK DOCTOR REPORT -----\n");
        out
    }
}

fn key(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

fn one_line(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 300 {
        format!("{}...", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_follow_the_os() {
        assert_eq!(target_for(Platform::MacOs, 26).unwrap().id, "macos26");
        assert_eq!(target_for(Platform::MacOs, 15).unwrap().id, "macos15");
        assert_eq!(target_for(Platform::MacOs, 27).unwrap().id, "macos26");
        assert!(target_for(Platform::MacOs, 13).is_none());
        assert_eq!(target_for(Platform::Ios, 18).unwrap().id, "ios18");
    }

    #[test]
    fn report_block_is_one_fact_per_line() {
        let mut r = Report {
            version: "0.1.0".into(),
            os: "macOS 26.3".into(),
            target: "macos26".into(),
            ..Report::default()
        };
        r.check("shell metallib loads", true, "");
        r.check("privateFunctions link", false, "Linking failed:\n  bad");
        r.time("MSL JIT", Duration::from_micros(1500));
        let block = r.block();
        assert!(block.contains("check.shell_metallib_loads: ok\n"));
        assert!(block.contains("check.privatefunctions_link: FAIL (Linking failed: bad)\n"));
        assert!(block.contains("time.msl_jit: 1.500 ms\n"));
        assert!(!r.all_ok());
        assert!(r
            .render()
            .ends_with("----- END AIRLINK DOCTOR REPORT -----\n"));
    }
}
