//! Running the threadgroups of a dispatch: in parallel on worker threads,
//! merged in threadgroup order, with the same outcome for any number of
//! workers.
//!
//! Each threadgroup runs alone against the device memory the run started
//! with (`device::Overlay`), with its own work counter capped at the whole
//! budget. Finished threadgroups are merged in order, whichever worker
//! finishes first: the merge adds up their work and reports the first
//! threadgroup that fails, that the budget runs out in, or that races
//! with an earlier one. Two things are found by running a threadgroup
//! again, alone, which gives the same run: where exactly the budget ran
//! out (the threadgroup runs with what is left of the budget) and, for a
//! race, which earlier threadgroup made the other access and where.
//!
//! A kernel with atomics on device memory runs its threadgroups one after
//! another in order on one worker, with one view of device memory for all
//! of them (`Shared::sequential`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::device::{Merged, Overlay, Race, RaceKind};
use crate::error::{ErrorKind, ExecError, Result, Site};
use crate::exec::{Bindings, Launch, Options, RunReport};
use crate::machine::{Machine, Shared, Watch};
use crate::program::Program;

/// Runs `prog` (see [`Program::run`]).
pub(crate) fn run(
    prog: &Program,
    launch: &Launch,
    bindings: &mut Bindings,
    options: &Options,
) -> Result<RunReport> {
    let callees = prog.resolve()?;
    let mut sh = Shared::new(prog, callees, launch, bindings, options)?;
    let total = sh.groups.iter().map(|g| u64::from(*g)).product::<u64>() as u32;
    let outcome = if sh.sequential {
        run_sequential(&sh, total).map(|(r, o)| (r, Applied::Overlay(o)))
    } else {
        run_parallel(&sh, total).map(|(r, m)| (r, Applied::Merged(m)))
    };
    match outcome {
        Ok((report, writes)) => {
            match writes {
                Applied::Overlay(o) => o.apply(&mut sh.bases),
                Applied::Merged(m) => m.apply(&mut sh.bases),
            }
            sh.restore(bindings);
            Ok(report)
        }
        Err(e) => {
            sh.restore(bindings);
            Err(e)
        }
    }
}

/// The device writes of a successful run.
enum Applied {
    Overlay(Overlay),
    Merged(Merged),
}

/// Threadgroups one after another on this thread, sharing one overlay.
fn run_sequential(sh: &Shared<'_>, total: u32) -> Result<(RunReport, Overlay)> {
    let mut m = Machine::new(sh);
    let mut report = RunReport::default();
    m.work_cap = sh.options.step_budget;
    for i in 0..total {
        report.threads += u64::from(m.run_threadgroup(i)?);
        report.threadgroups += 1;
        let keep = m.overlay.bytes;
        m.mem.reset(keep);
    }
    report.steps = m.steps;
    report.work = m.work;
    report.trace = std::mem::take(&mut m.trace);
    Ok((report, std::mem::take(&mut m.overlay)))
}

/// What one threadgroup's run left for the merge.
struct Outcome {
    result: Result<u32>,
    steps: u64,
    work: u64,
    trace: Vec<String>,
    overlay: Overlay,
}

/// The merge of finished threadgroups, in order.
struct MergeState {
    /// The next threadgroup to merge.
    next: u32,
    /// Finished threadgroups waiting for their turn.
    done: BTreeMap<u32, Outcome>,
    merged: Merged,
    /// Work of the threadgroups merged so far.
    prefix: u64,
    report: RunReport,
    error: Option<ExecError>,
}

struct Control {
    /// The next threadgroup to start.
    next: AtomicU64,
    /// The lowest threadgroup known to fail: later ones need not run.
    stop: AtomicU64,
    merge: Mutex<MergeState>,
}

/// Runs threadgroup `i` alone from scratch with a work cap of `cap`;
/// returns its outcome.
fn run_fresh(
    m: &mut Machine<'_>,
    i: u32,
    cap: u64,
    watch: Option<Watch>,
) -> (Outcome, Option<Site>) {
    let sh = m.sh;
    m.overlay = Overlay::new(sh.bases.len(), true);
    m.steps = 0;
    m.work = 0;
    m.work_cap = cap;
    m.trace.clear();
    m.watch = watch;
    m.mem.reset(0);
    let result = m.run_threadgroup(i);
    let overlay = std::mem::take(&mut m.overlay);
    m.mem.reset(0);
    let hit = m.watch.take().and_then(|w| w.hit);
    (
        Outcome {
            result,
            steps: m.steps,
            work: m.work,
            trace: std::mem::take(&mut m.trace),
            overlay,
        },
        hit,
    )
}

fn workers(options: &Options, total: u32) -> usize {
    let n = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    n.min(total as usize).max(1)
}

fn run_parallel(sh: &Shared<'_>, total: u32) -> Result<(RunReport, Merged)> {
    let ctl = Control {
        next: AtomicU64::new(0),
        stop: AtomicU64::new(u64::MAX),
        merge: Mutex::new(MergeState {
            next: 0,
            done: BTreeMap::new(),
            merged: Merged::new(sh.bases.len()),
            prefix: 0,
            report: RunReport::default(),
            error: None,
        }),
    };
    let n = workers(&sh.options, total);
    if n == 1 {
        worker(sh, &ctl, total);
    } else {
        std::thread::scope(|s| {
            for _ in 0..n {
                s.spawn(|| worker(sh, &ctl, total));
            }
        });
    }
    let st = ctl.merge.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = st.error {
        return Err(e);
    }
    if st.next != total {
        // Only a worker that panicked could leave a threadgroup unmerged.
        return crate::error::malformed("a worker thread stopped before its threadgroup finished");
    }
    let mut report = st.report;
    report.work = st.prefix;
    Ok((report, st.merged))
}

fn worker(sh: &Shared<'_>, ctl: &Control, total: u32) {
    let mut m = Machine::new(sh);
    m.cancel = Some(&ctl.stop);
    loop {
        let i = ctl.next.fetch_add(1, Ordering::Relaxed);
        if i >= u64::from(total) || i >= ctl.stop.load(Ordering::Relaxed) {
            break;
        }
        let i = i as u32;
        let (out, _) = run_fresh(&mut m, i, sh.options.step_budget, None);
        if out.result.is_err() {
            ctl.stop.fetch_min(u64::from(i), Ordering::Relaxed);
        }
        // The finished overlay keeps its bytes until it is merged.
        sh.pool.force(out.overlay.bytes);
        let mut st = ctl.merge.lock().unwrap_or_else(|e| e.into_inner());
        st.done.insert(i, out);
        merge_ready(sh, ctl, &mut st, &mut m);
    }
}

/// Merges finished threadgroups in order while the next one is there.
fn merge_ready(sh: &Shared<'_>, ctl: &Control, st: &mut MergeState, m: &mut Machine<'_>) {
    while st.error.is_none() {
        let k = st.next;
        let Some(out) = st.done.remove(&k) else {
            return;
        };
        sh.pool.release(out.overlay.bytes);
        let left = sh.options.step_budget.saturating_sub(st.prefix);
        if out.work > left {
            // The budget runs out inside this threadgroup: run it again
            // with what is left, which stops at the same instruction as a
            // run of all threadgroups in order would.
            let (again, _) = run_fresh(m, k, left, None);
            st.error = Some(match again.result {
                Err(e) => e,
                Ok(_) => ExecError::new(ErrorKind::StepBudget(sh.options.step_budget)),
            });
            ctl.stop.fetch_min(u64::from(k), Ordering::Relaxed);
            return;
        }
        let threads = match out.result {
            Ok(n) => n,
            Err(e) => {
                st.error = Some(e);
                ctl.stop.fetch_min(u64::from(k), Ordering::Relaxed);
                return;
            }
        };
        if let Some(race) = st.merged.check(&out.overlay) {
            st.error = Some(race_error(m, k, &race));
            ctl.stop.fetch_min(u64::from(k), Ordering::Relaxed);
            return;
        }
        let grew = st.merged.absorb(&out.overlay, k);
        sh.pool.force(grew);
        st.prefix += out.work;
        st.report.steps += out.steps;
        st.report.threads += u64::from(threads);
        st.report.threadgroups += 1;
        st.report.trace.extend(out.trace);
        st.next += 1;
    }
}

/// The error for a race found when merging threadgroup `k`: which earlier
/// threadgroup made the other access, and where each access is (both
/// found by running the threadgroups again, alone).
fn race_error(m: &mut Machine<'_>, k: u32, race: &Race) -> ExecError {
    let sh = m.sh;
    let later_writes = race.kind != RaceKind::ReadAfterWrite;
    let earlier_writes = race.kind != RaceKind::WriteAfterRead;
    let mut other = None;
    for c in &race.candidates {
        let watch = Watch::new(race.key, race.byte, earlier_writes);
        let (out, hit) = run_fresh(m, *c, sh.options.step_budget, Some(watch));
        if out.overlay.touched(race.key, race.byte, !earlier_writes) {
            other = Some((*c, hit));
            break;
        }
    }
    let (_, here) = run_fresh(
        m,
        k,
        sh.options.step_budget,
        Some(Watch::new(race.key, race.byte, later_writes)),
    );
    let pos = |i: u32| {
        let [x, y, z] = m.position(i);
        format!("({x},{y},{z})")
    };
    let region = sh
        .bases
        .get(race.key)
        .map_or_else(|| "a buffer".to_string(), |b| b.name.clone());
    let (verb, other_verb) = match race.kind {
        RaceKind::WriteAfterRead => ("writes", "reads"),
        RaceKind::ReadAfterWrite => ("reads", "writes"),
    };
    let who = match &other {
        Some((c, site)) => {
            let at = site
                .as_ref()
                .and_then(|s| s.line.clone())
                .map_or_else(String::new, |l| format!(" (at {l})"));
            format!("threadgroup {}{at}", pos(*c))
        }
        None => "an earlier threadgroup".to_string(),
    };
    let e = ExecError::new(ErrorKind::DeviceRace(format!(
        "threadgroup {} {verb} byte {} of {region}, which {who} {other_verb}; Metal orders nothing between the threadgroups of a dispatch, so the result would depend on the GPU's schedule (use atomics, or separate dispatches)",
        pos(k),
        race.byte
    )));
    match here {
        Some(site) => e.at(|| site),
        None => e.at(|| Site {
            kernel: sh.prog.kernel_name.clone(),
            threadgroup: Some(m.position(k)),
            ..Site::default()
        }),
    }
}
