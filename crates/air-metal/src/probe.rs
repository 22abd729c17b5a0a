//! The capability probe, as a portable plan: which tiny shells to run once
//! per device, what each result means, and which shell options follow.
//!
//! Two questions only hardware answers (docs/metal-runtime.md#capability-probes):
//! 1. does a 2D async copy deliver data on this device and OS?
//! 2. which operand form of the 1D copy works: the seed's
//!    `(size, count, dst, src, 0)` = `(4, 32, dst, src, 0)`, or the form of
//!    Apple's 2023 header and PT, `(size, align, dst, src, count)` =
//!    `(4, 4, dst, src, 32)`? Read the other way, each copies 0 or 4
//!    elements instead of 32.
//!
//! Every probe is one threadgroup of 32 threads with no visible function
//! (so linking cannot confound it) and a distinct input (so stale
//! threadgroup memory from an earlier probe cannot pass for a delivery):
//!
//! | probe | device→threadgroup | threadgroup→device | answers |
//! |---|---|---|---|
//! | `control` | cooperative loads | cooperative stores | the harness works (no async copy at all) |
//! | `copy_2d` | 2D `<4,8>`, pitch 16 | 2D `<4,8>`, pitch 16 | question 1 |
//! | `copy_1d_in_seed` | 1D `(4,32,dst,src,0)` | 2D | question 2, loads |
//! | `copy_1d_in_header` | 1D `(4,4,dst,src,32)` | 2D | question 2, loads |
//! | `copy_1d_out_seed` | 2D | 1D `(4,32,dst,src,0)` | question 2, stores |
//! | `copy_1d_out_header` | 2D | 1D `(4,4,dst,src,32)` | question 2, stores |
//!
//! The 1D probes need an AIR 2.8 target (air-shell's rule); for older
//! targets the plan lists them as skipped. The header-form shells are the
//! seed-form shells with the two operands rewritten in the AIR module.
//! [`interpret`] turns the outcomes into a [`Verdict`] with the
//! [`air_shell::Options`] to generate shells with (the cooperative
//! fallback when async copy does not deliver).

use std::fmt;

use air_ir::{ApInt, ConstKind, InstKind, Module, Value};
use air_shell::seed::{compare, CaseBuffer, CaseCheck};
use air_shell::{Access, CopyForm, ElemType, Fallback, Options, Shell, Spec, Step as ShellStep};

use crate::error::{Error, Result, Step};

/// The operand form of a 1D async copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OneDForm {
    /// The seed's hardware-run form `(size, count, dst, src, 0)`, which
    /// air-shell emits for `copy_form = "1d"`.
    Seed,
    /// Apple's 2023 header / PT: `(size, align, dst, src, count)`.
    Header,
}

impl OneDForm {
    /// A name for reports.
    pub fn name(self) -> &'static str {
        match self {
            OneDForm::Seed => "seed (size, count, dst, src, 0)",
            OneDForm::Header => "header (size, align, dst, src, count)",
        }
    }
}

/// Which probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeId {
    /// Cooperative loads and stores: no async copy.
    Control,
    /// 2D copies both ways.
    Copy2d,
    /// A 1D device→threadgroup copy in the given form (2D back).
    OneDIn(OneDForm),
    /// A 1D threadgroup→device copy in the given form (2D in).
    OneDOut(OneDForm),
}

impl ProbeId {
    /// The probe's name (also its kernel's suffix).
    pub fn name(self) -> &'static str {
        match self {
            ProbeId::Control => "control",
            ProbeId::Copy2d => "copy_2d",
            ProbeId::OneDIn(OneDForm::Seed) => "copy_1d_in_seed",
            ProbeId::OneDIn(OneDForm::Header) => "copy_1d_in_header",
            ProbeId::OneDOut(OneDForm::Seed) => "copy_1d_out_seed",
            ProbeId::OneDOut(OneDForm::Header) => "copy_1d_out_header",
        }
    }
}

/// One probe: a shell, its buffers and the expected output.
#[derive(Clone, Debug)]
pub struct Probe {
    /// Which.
    pub id: ProbeId,
    /// What it asks.
    pub question: &'static str,
    /// The shell (no visible functions).
    pub shell: Shell,
    /// `src` and `dst` with their initial contents.
    pub buffers: Vec<CaseBuffer>,
    /// The checked buffer (`dst`).
    pub output: &'static str,
    /// What `dst` holds if the copies deliver.
    pub expected: Vec<f32>,
    /// Threads to dispatch (one threadgroup).
    pub threads: u64,
}

/// The probes for a target, and those that cannot run there.
#[derive(Clone, Debug)]
pub struct ProbePlan {
    /// The target id.
    pub target: String,
    /// The probes, control first.
    pub probes: Vec<Probe>,
    /// Probes left out, with the reason.
    pub skipped: Vec<(ProbeId, String)>,
}

/// Every probe is one threadgroup of one simdgroup: the copies are
/// simdgroup operations, so one simdgroup asks each question cleanly.
const THREADS: u32 = air_target::SIMD_WIDTH;

/// The plan for `target_id` (`macos26`, `ios18`, ...).
///
/// # Errors
/// [`Step::BuildShell`] if a shell that every target supports fails to
/// generate (a bug).
pub fn plan(target_id: &str) -> Result<ProbePlan> {
    let mut probes = vec![
        copy_2d_probe(target_id, ProbeId::Control, 1000.0)?,
        copy_2d_probe(target_id, ProbeId::Copy2d, 2000.0)?,
    ];
    let mut skipped = Vec::new();
    let one_d = [
        (ProbeId::OneDIn(OneDForm::Seed), 3000.0),
        (ProbeId::OneDIn(OneDForm::Header), 4000.0),
        (ProbeId::OneDOut(OneDForm::Seed), 5000.0),
        (ProbeId::OneDOut(OneDForm::Header), 6000.0),
    ];
    for (id, salt) in one_d {
        match copy_1d_probe(target_id, id, salt) {
            Ok(p) => probes.push(p),
            Err(e) => skipped.push((id, e.to_string())),
        }
    }
    Ok(ProbePlan {
        target: target_id.to_string(),
        probes,
        skipped,
    })
}

fn base_spec(target_id: &str, id: ProbeId, region: u64) -> Spec {
    Spec::new(format!("probe_{}", id.name()), target_id)
        .threadgroup_size([THREADS, 1, 1])
        .buffer("src", ElemType::Float, Access::Read, 0)
        .buffer("dst", ElemType::Float, Access::ReadWrite, 1)
        .region("tile", ElemType::Float, region)
}

fn generate(spec: &Spec, fallback: Fallback, what: &str) -> Result<Shell> {
    let options = Options {
        fallback: Some(fallback),
        ..Options::default()
    };
    air_shell::generate(spec, &options)
        .map_err(|e| Error::invalid(Step::BuildShell, format!("probe {what}: {e}")))
}

/// The seed's 2D round trip: an 8-row × 4-column tile of an 8×16 matrix,
/// device → threadgroup → device.
fn copy_2d_probe(target_id: &str, id: ProbeId, salt: f32) -> Result<Probe> {
    let (rows, cols) = (8usize, 16usize);
    let spec = base_spec(target_id, id, 32)
        .step(ShellStep::copy(
            air_shell::Copy::new("src", "tile", [4, 8]).src_pitch(16),
        ))
        .step(ShellStep::wait())
        .step(ShellStep::barrier())
        .step(ShellStep::copy(
            air_shell::Copy::new("tile", "dst", [4, 8]).dst_pitch(16),
        ))
        .step(ShellStep::wait());
    let fallback = if id == ProbeId::Control {
        Fallback::Cooperative
    } else {
        Fallback::None
    };
    let shell = generate(&spec, fallback, id.name())?;
    let src: Vec<f32> = (0..rows * cols)
        .map(|i| salt + ((i / cols) * 100 + i % cols) as f32)
        .collect();
    let expected = (0..rows * cols)
        .map(|i| if i % cols < 4 { src[i] } else { -1.0 })
        .collect();
    Ok(Probe {
        id,
        question: if id == ProbeId::Control {
            "do plain threadgroup loads and stores round-trip (the harness itself)?"
        } else {
            "does a 2D async copy deliver data (device->threadgroup->device)?"
        },
        shell,
        buffers: vec![
            CaseBuffer {
                name: "src",
                data: src,
            },
            CaseBuffer {
                name: "dst",
                data: vec![-1.0; rows * cols],
            },
        ],
        output: "dst",
        expected,
        threads: u64::from(THREADS),
    })
}

/// 32 contiguous floats with one 1D copy (the other direction 2D).
fn copy_1d_probe(target_id: &str, id: ProbeId, salt: f32) -> Result<Probe> {
    let n = 32usize;
    let (inward, form) = match id {
        ProbeId::OneDIn(f) => (true, f),
        ProbeId::OneDOut(f) => (false, f),
        _ => unreachable!("only 1D probes"),
    };
    let load = air_shell::Copy::new("src", "tile", [32, 1]).form(if inward {
        CopyForm::OneD
    } else {
        CopyForm::TwoD
    });
    let store = air_shell::Copy::new("tile", "dst", [32, 1]).form(if inward {
        CopyForm::TwoD
    } else {
        CopyForm::OneD
    });
    let spec = base_spec(target_id, id, 32)
        .step(ShellStep::copy(load))
        .step(ShellStep::wait())
        .step(ShellStep::barrier())
        .step(ShellStep::copy(store))
        .step(ShellStep::wait());
    let mut shell = generate(&spec, Fallback::None, id.name())?;
    if form == OneDForm::Header {
        let suffix = if inward { "p3i8.p1i8" } else { "p1i8.p3i8" };
        let patched = rewrite_1d_to_header_form(&mut shell.module, suffix);
        if patched != 1 {
            return Err(Error::invalid(
                Step::BuildShell,
                format!(
                    "probe {}: expected one 1D copy to rewrite, found {patched}",
                    id.name()
                ),
            ));
        }
        air_ir::verify(&shell.module).map_err(|e| {
            Error::invalid(
                Step::BuildShell,
                format!(
                    "probe {}: the rewritten module does not verify: {e}",
                    id.name()
                ),
            )
        })?;
    }
    let src: Vec<f32> = (0..n).map(|i| salt + (i + 1) as f32).collect();
    Ok(Probe {
        id,
        question: match (inward, form) {
            (true, OneDForm::Seed) => "does the 1D load (4, 32, dst, src, 0) deliver 32 floats?",
            (true, OneDForm::Header) => "does the 1D load (4, 4, dst, src, 32) deliver 32 floats?",
            (false, OneDForm::Seed) => "does the 1D store (4, 32, dst, src, 0) deliver 32 floats?",
            (false, OneDForm::Header) => {
                "does the 1D store (4, 4, dst, src, 32) deliver 32 floats?"
            }
        },
        shell,
        expected: src.clone(),
        buffers: vec![
            CaseBuffer {
                name: "src",
                data: src,
            },
            CaseBuffer {
                name: "dst",
                data: vec![-1.0; n],
            },
        ],
        output: "dst",
        threads: u64::from(THREADS),
    })
}

/// Rewrites every call of `air.simdgroup_async_copy_1d.<suffix>` from the
/// seed form `(size, count, dst, src, 0)` to the header form
/// `(size, align = size, dst, src, count)`. Returns the number of calls
/// rewritten.
pub fn rewrite_1d_to_header_form(module: &mut Module, suffix: &str) -> usize {
    let name = format!("air.simdgroup_async_copy_1d.{suffix}");
    let Some(callee) = module.function_by_name(&name) else {
        return 0;
    };
    let int_of = |m: &Module, v: Value| -> Option<u64> {
        match v {
            Value::Const(c) => match &m.consts.get(c).kind {
                ConstKind::Int(i) => i.as_u64(),
                _ => None,
            },
            _ => None,
        }
    };
    // Collect (function, instruction, size, count) first, then rewrite.
    let mut sites = Vec::new();
    for (fi, f) in module.functions.iter().enumerate() {
        for (ii, inst) in f.insts.iter().enumerate() {
            let InstKind::Call(call) = &inst.kind else {
                continue;
            };
            let Value::Const(c) = call.callee else {
                continue;
            };
            if module.consts.get(c).kind != ConstKind::Function(callee) || call.args.len() != 5 {
                continue;
            }
            if let (Some(size), Some(count)) =
                (int_of(module, call.args[0]), int_of(module, call.args[1]))
            {
                sites.push((fi, ii, size, count));
            }
        }
    }
    let i64_ty = module.types.int(64);
    for &(fi, ii, size, count) in &sites {
        let align = module.constant(i64_ty, ConstKind::Int(ApInt::from_u64(64, size)));
        let count = module.constant(i64_ty, ConstKind::Int(ApInt::from_u64(64, count)));
        if let InstKind::Call(call) = &mut module.functions[fi].insts[ii].kind {
            call.args[1] = Value::Const(align);
            call.args[4] = Value::Const(count);
        }
    }
    sites.len()
}

/// What one probe run produced.
#[derive(Clone, Debug, PartialEq)]
pub enum ProbeOutcome {
    /// Every element as expected.
    Delivered,
    /// Some elements right, some not.
    Partial(CaseCheck),
    /// Nothing right. `untouched` when `dst` still holds its initial −1
    /// (the store side did nothing); otherwise it holds other values (the
    /// load side did nothing and undefined threadgroup memory came back).
    NotDelivered {
        /// `dst` unchanged.
        untouched: bool,
        /// The comparison.
        check: CaseCheck,
    },
    /// The probe could not run (pipeline creation, the command buffer...).
    Failed {
        /// The step that failed.
        step: Step,
        /// The message.
        message: String,
    },
}

impl ProbeOutcome {
    /// Whether the copies delivered everything.
    pub fn delivered(&self) -> bool {
        matches!(self, ProbeOutcome::Delivered)
    }
}

impl fmt::Display for ProbeOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeOutcome::Delivered => f.write_str("delivered"),
            ProbeOutcome::Partial(c) => write!(f, "partial: {c}"),
            ProbeOutcome::NotDelivered { untouched, check } => write!(
                f,
                "not delivered ({}): {check}",
                if *untouched {
                    "output untouched"
                } else {
                    "output overwritten with other values"
                }
            ),
            ProbeOutcome::Failed { step, message } => write!(f, "failed to {step}: {message}"),
        }
    }
}

impl Probe {
    /// Classifies the output buffer's contents.
    pub fn classify(&self, output: &[f32]) -> ProbeOutcome {
        let check = compare(output, &self.expected, 1e-3);
        if check.passed() {
            return ProbeOutcome::Delivered;
        }
        let initial = self
            .buffers
            .iter()
            .find(|b| b.name == self.output)
            .map(|b| b.data.as_slice())
            .unwrap_or(&[]);
        // Elements that should change but did: none means nothing came.
        let changed_ok = self
            .expected
            .iter()
            .zip(initial)
            .enumerate()
            .filter(|(i, (e, init))| {
                (*e - *init).abs() > 1e-3 && output.get(*i).is_some_and(|g| (g - *e).abs() < 1e-3)
            })
            .count();
        if changed_ok == 0 {
            let untouched = output.len() == initial.len()
                && output
                    .iter()
                    .zip(initial)
                    .all(|(a, b)| (a - b).abs() < 1e-3);
            ProbeOutcome::NotDelivered { untouched, check }
        } else {
            ProbeOutcome::Partial(check)
        }
    }
}

/// What a device supports, from the probe outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    /// The control (no async copy) round-tripped: the harness works and
    /// the other results mean something.
    pub harness_ok: bool,
    /// 2D copies deliver; `None` if not run.
    pub copy_2d: Option<bool>,
    /// The 1D load forms that delivered (empty: neither; `None`: not run).
    pub one_d_load: Option<Vec<OneDForm>>,
    /// The 1D store forms that delivered.
    pub one_d_store: Option<Vec<OneDForm>>,
    /// Shell options to generate with on this device.
    pub recommended: Options,
    /// One line per conclusion, for the report.
    pub notes: Vec<String>,
}

/// Turns probe outcomes into a [`Verdict`].
pub fn interpret(results: &[(ProbeId, ProbeOutcome)]) -> Verdict {
    let get = |id: ProbeId| results.iter().find(|(p, _)| *p == id).map(|(_, o)| o);
    let mut notes = Vec::new();
    let harness_ok = get(ProbeId::Control).is_some_and(ProbeOutcome::delivered);
    if !harness_ok {
        notes.push(
            "the control (plain loads and stores) did not round-trip: the probe harness or the device is broken, so no other result is conclusive".to_string(),
        );
    }
    let copy_2d = get(ProbeId::Copy2d).map(ProbeOutcome::delivered);
    let forms = |make: fn(OneDForm) -> ProbeId| -> Option<Vec<OneDForm>> {
        let seed = get(make(OneDForm::Seed));
        let header = get(make(OneDForm::Header));
        if seed.is_none() && header.is_none() {
            return None;
        }
        Some(
            [(OneDForm::Seed, seed), (OneDForm::Header, header)]
                .into_iter()
                .filter(|(_, o)| o.is_some_and(|o| o.delivered()))
                .map(|(f, _)| f)
                .collect(),
        )
    };
    let one_d_load = forms(ProbeId::OneDIn);
    let one_d_store = forms(ProbeId::OneDOut);

    let mut recommended = Options::default();
    match copy_2d {
        Some(true) => {
            notes.push("2D async copies deliver data: use the default copy form (2d)".into())
        }
        Some(false) => {
            recommended.fallback = Some(Fallback::Cooperative);
            notes.push(
                "2D async copies do NOT deliver data: generate shells with fallback = \"cooperative\"".into(),
            );
        }
        None => notes.push("the 2D copy probe did not run".into()),
    }
    if !harness_ok && copy_2d != Some(false) {
        recommended.fallback = Some(Fallback::Cooperative);
    }
    for (what, got) in [("load", &one_d_load), ("store", &one_d_store)] {
        match got.as_deref() {
            None => notes.push(format!("1D {what}: not probed (needs an AIR 2.8 target)")),
            Some([]) => notes.push(format!("1D {what}: neither operand form delivers")),
            Some([OneDForm::Seed]) => notes.push(format!(
                "1D {what}: the seed form (size, count, dst, src, 0) delivers; air-shell's copy_form = \"1d\" is right here"
            )),
            Some([OneDForm::Header]) => notes.push(format!(
                "1D {what}: the header form (size, align, dst, src, count) delivers; air-shell's copy_form = \"1d\" (seed form) is WRONG here, keep 2d"
            )),
            Some(_) => notes.push(format!(
                "1D {what}: both forms deliver (the operands are not read as either reading predicts)"
            )),
        }
    }
    let one_d_seed_everywhere = one_d_load.as_deref() == Some(&[OneDForm::Seed][..])
        && one_d_store.as_deref() == Some(&[OneDForm::Seed][..]);
    if copy_2d == Some(false) && one_d_seed_everywhere && harness_ok {
        // 2D fails but the seed's 1D form works: 1D copies are an option
        // for contiguous runs; the cooperative fallback stays the safe
        // default for whole specs.
        notes.push(
            "only the 1D seed form works: specs with contiguous copies may use copy_form = \"1d\""
                .into(),
        );
    }
    Verdict {
        harness_ok,
        copy_2d,
        one_d_load,
        one_d_store,
        recommended,
        notes,
    }
}
