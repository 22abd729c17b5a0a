//! The hazard rules: async-copy events, barriers and the M1 rule, checked
//! on the resolved step tree.
//!
//! The check runs the program on an abstract machine whose state is, per
//! region buffer, the copies in flight and the calls that touched it since
//! the last threadgroup barrier, plus the M1 obligations of every
//! device -> threadgroup copy (waited, barrier after, data read). Loop
//! counts are concrete: a count that folds from constants is used as it is
//! (more than [`CHECK_FULL_ITERATIONS`] iterations are sampled, first and
//! last); a count that does not becomes a symbol, tried with the
//! [`CHECK_COUNT_VALUES`] smallest values that satisfy the `requires` the
//! check can decide. `when` guards are decided from constants, loop
//! variables and those symbols where possible; otherwise both outcomes are
//! followed. Equal states merge, so the work is bounded by distinct states
//! ([`MAX_CHECK_STATES`], [`MAX_CHECK_WORK`]), not by paths.
//!
//! This is bounded checking: a hazard that needs a count the check does
//! not try, or an iteration it samples away, is not found. The CPU
//! executor checks the same rules at run time for the shapes it runs.
//!
//! Rules (each reported once per step, at the step's spec line, naming the
//! loop counts and loop variables of the first state that breaks it):
//!
//! * schema 2: a copy into or out of a region buffer whose last copy is
//!   still in flight (its event would be lost); a `wait for` a buffer with
//!   nothing in flight; a plain `wait` that would cover different buffers
//!   on different paths or iterations;
//! * a call that gets a region buffer a device -> threadgroup copy may
//!   still be writing, or a threadgroup -> device copy may still be
//!   reading (a call reads and writes every region pointer it gets);
//! * with more than one simdgroup: a device -> threadgroup copy into a
//!   buffer a call read since the last threadgroup barrier (the previous
//!   iteration may still be reading it), and a threadgroup -> device copy
//!   of a buffer a call wrote since the last barrier;
//! * the M1 rule (docs/air-intrinsics.md#the-m1-hang-rule): every
//!   device -> threadgroup copy is, on every path to the exit, waited for,
//!   followed by a threadgroup barrier after the wait, and its data read
//!   (a call gets the buffer, or a threadgroup -> device copy copies it
//!   out); every threadgroup -> device copy is waited for.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use crate::error::{Pos, Reporter};
use crate::expr::{Cond, Expr};
use crate::limits::{CHECK_COUNT_VALUES, CHECK_FULL_ITERATIONS, MAX_CHECK_STATES, MAX_CHECK_WORK};
use crate::plan::{ArgPlan, BufRef, CopyPlan, End, Plan, Planned, StepPlan};

/// A region buffer: (region, buffer index).
type Buf = (usize, u64);

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct BufState {
    /// Copies in flight: (step id, device -> threadgroup?).
    inflight: Vec<(usize, bool)>,
    /// A call that read the buffer since the last threadgroup barrier.
    read_by: Option<usize>,
    /// A call that wrote the buffer since the last threadgroup barrier.
    written_by: Option<usize>,
}

/// What the M1 rule still asks of one device -> threadgroup copy.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Obligation {
    copy: usize,
    buf: Buf,
    waited: bool,
    barrier: bool,
    read: bool,
}

impl Obligation {
    fn done(&self) -> bool {
        self.waited && self.barrier && self.read
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct State {
    /// Values of symbolic loop counts: (symbol id, value), sorted by id.
    env: Vec<(usize, i64)>,
    /// Values of the loop variables, outermost first (their names are
    /// [`Checker::var_names`]).
    vars: Vec<i64>,
    bufs: BTreeMap<Buf, BufState>,
    m1: BTreeSet<Obligation>,
}

struct Checker<'p, 'r, 's> {
    plan: &'p Plan,
    r: &'r mut Reporter<'s>,
    /// Position and description of every copy, by step id.
    copies: HashMap<usize, (Option<Pos>, String)>,
    /// Position of every step, by id.
    positions: HashMap<usize, Option<Pos>>,
    /// (rule, step) pairs already reported.
    reported: HashSet<(&'static str, usize)>,
    /// The buffer sets each plain `wait` saw (schema 2).
    wait_seen: BTreeMap<usize, (Option<Pos>, BTreeSet<Vec<Buf>>)>,
    work: u64,
    gave_up: bool,
    /// Names of the loop variables in scope, outermost first.
    var_names: Vec<String>,
    /// Symbolic loop counts, by id: the count's text.
    symbols: Vec<String>,
    /// Whether some symbol's text is not a plain name, so subexpressions
    /// must be compared with it by text.
    complex_symbols: bool,
}

impl State {
    fn symbol(&self, id: usize) -> Option<i64> {
        self.env
            .binary_search_by_key(&id, |(k, _)| *k)
            .ok()
            .map(|i| self.env[i].1)
    }

    fn bind(&mut self, id: usize, v: i64) {
        match self.env.binary_search_by_key(&id, |(k, _)| *k) {
            Ok(i) => self.env[i].1 = v,
            Err(i) => self.env.insert(i, (id, v)),
        }
    }
}

/// Runs the rules on `plan`; fills [`Plan::wait_sets`].
pub(crate) fn check(plan: &mut Plan, r: &mut Reporter<'_>) {
    let sets = {
        let p: &Plan = plan;
        check_plan(p, r)
    };
    if let Some(sets) = sets {
        plan.wait_sets = sets;
    }
}

/// The walk; `None` when the check gave up.
fn check_plan(plan: &Plan, r: &mut Reporter<'_>) -> Option<HashMap<usize, Vec<Buf>>> {
    let mut c = Checker {
        plan,
        r,
        copies: HashMap::new(),
        positions: HashMap::new(),
        reported: HashSet::new(),
        wait_seen: BTreeMap::new(),
        work: 0,
        gave_up: false,
        var_names: Vec::new(),
        symbols: Vec::new(),
        complex_symbols: false,
    };
    c.describe_copies(&plan.steps);
    let start: BTreeSet<State> = [State::default()].into_iter().collect();
    let end = c.run(&plan.steps, start);
    if c.gave_up {
        return None;
    }
    for st in &end {
        c.exit(st);
    }
    let mut sets = HashMap::new();
    let seen = std::mem::take(&mut c.wait_seen);
    for (id, (at, found)) in seen {
        if found.len() > 1 {
            let shown: Vec<String> = found
                .iter()
                .map(|set| {
                    let names: Vec<String> = set.iter().map(|b| c.buf_name(*b)).collect();
                    if names.is_empty() {
                        "nothing".to_string()
                    } else {
                        names.join(", ")
                    }
                })
                .collect();
            c.r.error(
                at,
                format!(
                    "this `wait` would wait for different copies on different paths or iterations ({}); name them with `for = [...]`",
                    shown.join(" or ")
                ),
            );
        } else if let Some(set) = found.into_iter().next() {
            sets.insert(id, set);
        }
    }
    Some(sets)
}

impl Checker<'_, '_, '_> {
    fn describe_copies(&mut self, steps: &[Planned]) {
        for s in steps {
            self.positions.insert(s.id, s.at);
            match &s.kind {
                StepPlan::Copy(c) => {
                    let d = self.describe(c);
                    self.copies.insert(s.id, (s.at, d));
                }
                StepPlan::Loop(l) => self.describe_copies(&l.body),
                _ => {}
            }
        }
    }

    /// "`src` -> `tile`", as the spec names the ends.
    fn describe(&self, c: &CopyPlan) -> String {
        let end = |e: &End| match e {
            End::Buffer { param, .. } => self.plan.params[*param].name.clone(),
            End::Region { .. } => self.ref_name(&c.region),
        };
        format!("`{}` -> `{}`", end(&c.src), end(&c.dst))
    }

    fn region_name(&self, r: usize) -> String {
        self.plan
            .tg
            .as_ref()
            .and_then(|t| t.regions.get(r))
            .map_or_else(String::new, |x| x.name.clone())
    }

    /// `A_tile` or `A_tile@(kb + 1)`.
    fn ref_name(&self, b: &BufRef) -> String {
        let name = self.region_name(b.region);
        match &b.slot {
            None => name,
            Some(e) => format!("{name}@{e}"),
        }
    }

    /// "`A_tile`" or "`A_tile` buffer 1".
    fn buf_name(&self, b: Buf) -> String {
        let name = self.region_name(b.0);
        if self.plan.buffers(b.0) > 1 {
            format!("`{name}` buffer {}", b.1)
        } else {
            format!("`{name}`")
        }
    }

    fn copy_line(&self, id: usize) -> String {
        match self.copies.get(&id).and_then(|(at, _)| *at) {
            Some(p) => format!("the copy at line {}", p.line),
            None => format!(
                "copy {}",
                self.copies.get(&id).map_or("", |(_, d)| d.as_str())
            ),
        }
    }

    /// " (with NK = 2, kb = 1)" for the state's symbols and loop variables.
    fn assignment(&self, st: &State) -> String {
        let mut named: Vec<(&str, i64)> = st
            .env
            .iter()
            .map(|(k, v)| (self.symbols[*k].as_str(), *v))
            .collect();
        named.sort();
        let parts: Vec<String> = named
            .iter()
            .copied()
            .chain(
                self.var_names
                    .iter()
                    .map(String::as_str)
                    .zip(st.vars.iter().copied()),
            )
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        // A count of 0 is often one the host never passes: say how to
        // tell the check.
        let hint = named
            .iter()
            .find(|(_, v)| *v <= 0)
            .map_or(String::new(), |(k, _)| {
                format!("; if `{k}` is never below 1, add `{k} >= 1` to `requires`")
            });
        if parts.is_empty() {
            String::new()
        } else {
            format!(" (with {}{hint})", parts.join(", "))
        }
    }

    fn report(&mut self, rule: &'static str, id: usize, at: Option<Pos>, message: String) {
        if self.reported.insert((rule, id)) {
            self.r.error(at, message);
        }
    }

    // ---- evaluation ---------------------------------------------------

    fn eval(&self, e: &Expr, st: &State) -> Option<i64> {
        if self.complex_symbols && !st.env.is_empty() && !matches!(e, Expr::Name(..)) {
            let text = e.to_string();
            if let Some(id) = self.symbols.iter().position(|s| *s == text) {
                if let Some(v) = st.symbol(id) {
                    return Some(v);
                }
            }
        }
        match e {
            Expr::Int(v) => Some(*v),
            Expr::Name(n, _) => self
                .plan
                .constants
                .get(n)
                .copied()
                .or_else(|| {
                    let i = self.var_names.iter().rposition(|k| k == n)?;
                    st.vars.get(i).copied()
                })
                .or_else(|| {
                    let id = self.symbols.iter().position(|s| s == n)?;
                    st.symbol(id)
                }),
            Expr::Neg(x) => self.eval(x, st)?.checked_neg(),
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.eval(a, st)?, self.eval(b, st)?);
                op.apply(a, b).ok()
            }
        }
    }

    fn decide(&self, c: &Cond, st: &State) -> Option<bool> {
        Some(c.op.holds(self.eval(&c.lhs, st)?, self.eval(&c.rhs, st)?))
    }

    /// The buffer index a reference names in `st`.
    fn buf(&self, b: &BufRef, st: &State) -> Option<Buf> {
        let n = self.plan.buffers(b.region) as i64;
        let slot = match &b.slot {
            None => 0,
            Some(e) => self.eval(e, st)?.rem_euclid(n.max(1)),
        };
        Some((b.region, slot as u64))
    }

    // ---- the walk -----------------------------------------------------

    fn run(&mut self, steps: &[Planned], mut states: BTreeSet<State>) -> BTreeSet<State> {
        for step in steps {
            if self.gave_up || states.is_empty() {
                return states;
            }
            self.work += states.len() as u64;
            if self.work > MAX_CHECK_WORK {
                self.give_up(step.at, format!("checking this spec's hazards takes more than {MAX_CHECK_WORK} steps (too many loop iterations or undecidable guards)"));
                return BTreeSet::new();
            }
            let mut taken = BTreeSet::new();
            let mut next = BTreeSet::new();
            for st in states {
                match step.when.as_ref().map(|c| self.decide(c, &st)) {
                    None | Some(Some(true)) => {
                        taken.insert(st);
                    }
                    Some(Some(false)) => {
                        next.insert(st);
                    }
                    Some(None) => {
                        taken.insert(st.clone());
                        next.insert(st);
                    }
                }
            }
            match &step.kind {
                StepPlan::Loop(l) => {
                    let out = self.run_loop(step, l, taken);
                    next.extend(out);
                }
                kind => {
                    for mut st in taken {
                        self.apply(step, kind, &mut st);
                        next.insert(st);
                    }
                }
            }
            if next.len() > MAX_CHECK_STATES {
                self.give_up(step.at, format!("checking this spec's hazards needs more than {MAX_CHECK_STATES} distinct states (too many guards the check cannot decide)"));
                return BTreeSet::new();
            }
            states = next;
        }
        states
    }

    #[cold]
    fn give_up(&mut self, at: Option<Pos>, message: String) {
        if !self.gave_up {
            self.gave_up = true;
            self.r.error(at, message);
        }
    }

    /// Values to try for a loop count that does not fold: the smallest of
    /// 0..=64 that satisfy every `requires` decidable with it.
    fn candidates(&self, id: usize, st: &State) -> Vec<State> {
        let mut out = Vec::new();
        for v in 0..=64 {
            let mut s = st.clone();
            s.bind(id, v);
            let ok = self
                .plan
                .requires
                .iter()
                .all(|c| self.decide(c, &s) != Some(false));
            if ok {
                out.push(s);
                if out.len() == CHECK_COUNT_VALUES {
                    break;
                }
            }
        }
        out
    }

    fn run_loop(
        &mut self,
        step: &Planned,
        l: &crate::plan::LoopPlan,
        states: BTreeSet<State>,
    ) -> BTreeSet<State> {
        // Bind the count in every state; group states by it.
        let mut groups: BTreeMap<i64, BTreeSet<State>> = BTreeMap::new();
        for st in states {
            match self.eval(&l.count, &st) {
                Some(n) => {
                    groups.entry(n).or_default().insert(st);
                }
                None => {
                    let key = l.count.to_string();
                    let id = match self.symbols.iter().position(|s| *s == key) {
                        Some(id) => id,
                        None => {
                            self.complex_symbols |= !matches!(l.count, Expr::Name(..));
                            self.symbols.push(key.clone());
                            self.symbols.len() - 1
                        }
                    };
                    let tried = self.candidates(id, &st);
                    if tried.is_empty() {
                        self.report(
                            "count",
                            step.id,
                            step.at,
                            format!("cannot check this loop: no count `{key}` in 0..=64 satisfies `requires`"),
                        );
                    }
                    for s in tried {
                        let n = s.symbol(id).unwrap_or(0);
                        groups.entry(n).or_default().insert(s);
                    }
                }
            }
        }
        let mut out = BTreeSet::new();
        self.var_names.push(l.var.clone());
        for (n, mut group) in groups {
            for i in iterations(n) {
                if self.gave_up {
                    break;
                }
                let entering: BTreeSet<State> = group
                    .into_iter()
                    .map(|mut s| {
                        s.vars.push(i);
                        s
                    })
                    .collect();
                let after = self.run(&l.body, entering);
                group = after
                    .into_iter()
                    .map(|mut s| {
                        s.vars.pop();
                        s
                    })
                    .collect();
            }
            out.extend(group);
        }
        self.var_names.pop();
        if self.gave_up {
            return BTreeSet::new();
        }
        out
    }

    fn apply(&mut self, step: &Planned, kind: &StepPlan, st: &mut State) {
        match kind {
            StepPlan::Copy(c) => self.copy(step, c, st),
            StepPlan::Wait(None) => self.wait_all(step, st),
            StepPlan::Wait(Some(list)) => {
                for b in list {
                    self.wait_one(step, b, st);
                }
            }
            StepPlan::Barrier(m) => {
                if m.covers_threadgroup() {
                    st.m1 = std::mem::take(&mut st.m1)
                        .into_iter()
                        .map(|mut o| {
                            o.barrier |= o.waited;
                            o
                        })
                        .filter(|o| !o.done())
                        .collect();
                    for b in st.bufs.values_mut() {
                        b.read_by = None;
                        b.written_by = None;
                    }
                }
            }
            StepPlan::Call(call) => self.call(step, call, st),
            StepPlan::Loop(_) => {}
        }
        st.bufs.retain(|_, b| *b != BufState::default());
    }

    fn mark_read(st: &mut State, buf: Buf) {
        st.m1 = std::mem::take(&mut st.m1)
            .into_iter()
            .map(|mut o| {
                if o.buf == buf && o.waited {
                    o.read = true;
                }
                o
            })
            .filter(|o| !o.done())
            .collect();
    }

    fn copy(&mut self, step: &Planned, c: &CopyPlan, st: &mut State) {
        let Some(buf) = self.buf(&c.region, st) else {
            return;
        };
        let threads = self.plan.threads;
        let schema2 = self.plan.schema >= 2;
        let name = self.buf_name(buf);
        let here = self.assignment(st);
        let b = st.bufs.get(&buf).cloned().unwrap_or_default();
        // Schema 2 keeps one event per region buffer: any copy in flight on
        // the buffer is an error (and covers the two cases below).
        let lost = schema2 && !b.inflight.is_empty();
        if lost {
            let line = self.copy_line(b.inflight[0].0);
            self.report(
                "event-lost",
                step.id,
                step.at,
                format!("copy into or out of {name} while {line} into or out of it is still in flight; wait for it first (one event per region buffer: its event would be lost){here}"),
            );
        }
        if c.to_threadgroup {
            if let Some(&(other, _)) = b.inflight.iter().find(|(_, d2t)| !d2t && !lost) {
                let line = self.copy_line(other);
                self.report(
                    "overwrite-outgoing",
                    step.id,
                    step.at,
                    format!("copy into {name} while {line} may still be copying it out; wait for that copy first{here}"),
                );
            }
            // Schema 2: any simdgroup, the issuing one included, as the
            // executor checks at run time (docs/executor-semantics.md,
            // "Async copies and events"): nothing orders the copy engine
            // after the simdgroup's own earlier loads but a barrier. Schema
            // 1 keeps its rule (other simdgroups only), so its specs
            // generate as before.
            let readers_matter = schema2 || threads > u64::from(air_target::SIMD_WIDTH);
            if let Some(call) = b.read_by.filter(|_| readers_matter) {
                let line = self.line_of(call);
                self.report(
                    "war",
                    step.id,
                    step.at,
                    format!("this copy may overwrite {name} while it is still being read in the call at {line} (an earlier iteration, or earlier in this one; by any simdgroup, this one included); add a threadgroup barrier between them{here}"),
                );
            }
            let entry = st.bufs.entry(buf).or_default();
            entry.inflight.push((step.id, true));
            st.m1.insert(Obligation {
                copy: step.id,
                buf,
                waited: false,
                barrier: false,
                read: false,
            });
        } else {
            if let Some(&(other, _)) = b.inflight.iter().find(|(_, d2t)| *d2t && !lost) {
                let line = self.copy_line(other);
                self.report(
                    "copy-out-inflight",
                    step.id,
                    step.at,
                    format!("copies {name} out while {line} into it may be in flight; wait for that copy first{here}"),
                );
            }
            if threads > u64::from(air_target::SIMD_WIDTH) {
                if let Some(call) = b.written_by {
                    let line = self.line_of(call);
                    self.report(
                        "raw-out",
                        step.id,
                        step.at,
                        format!("this copy reads {name}, which the call at {line} wrote, with no threadgroup barrier between them: other simdgroups may not have finished writing{here}"),
                    );
                }
            }
            Self::mark_read(st, buf);
            let entry = st.bufs.entry(buf).or_default();
            entry.inflight.push((step.id, false));
        }
    }

    /// "line N" of a step.
    fn line_of(&self, id: usize) -> String {
        match self.positions.get(&id).copied().flatten() {
            Some(p) => format!("line {}", p.line),
            None => "an earlier step".to_string(),
        }
    }

    fn finish_wait(st: &mut State, buf: Buf) {
        if let Some(b) = st.bufs.get_mut(&buf) {
            b.inflight.clear();
        }
        st.m1 = std::mem::take(&mut st.m1)
            .into_iter()
            .map(|mut o| {
                if o.buf == buf {
                    o.waited = true;
                }
                o
            })
            .collect();
    }

    fn wait_all(&mut self, step: &Planned, st: &mut State) {
        let busy: Vec<Buf> = st
            .bufs
            .iter()
            .filter(|(_, b)| !b.inflight.is_empty())
            .map(|(k, _)| *k)
            .collect();
        if self.plan.schema >= 2 {
            self.wait_seen
                .entry(step.id)
                .or_insert_with(|| (step.at, BTreeSet::new()))
                .1
                .insert(busy.clone());
        }
        for buf in busy {
            Self::finish_wait(st, buf);
        }
    }

    fn wait_one(&mut self, step: &Planned, b: &BufRef, st: &mut State) {
        let Some(buf) = self.buf(b, st) else {
            return;
        };
        let busy = st.bufs.get(&buf).is_some_and(|x| !x.inflight.is_empty());
        if !busy {
            let here = self.assignment(st);
            let (name, which) = (self.ref_name(b), self.buf_name(buf));
            self.report(
                "wait-nothing",
                step.id,
                step.at,
                format!("nothing is in flight for `{name}` ({which}) here, so there is no event to wait for{here}"),
            );
            return;
        }
        Self::finish_wait(st, buf);
    }

    fn call(&mut self, step: &Planned, call: &crate::plan::CallPlan, st: &mut State) {
        let fname = self.plan.functions[call.function].name.clone();
        for arg in &call.args {
            let (b, writes) = match arg {
                ArgPlan::RegionPtr(b) => (b, true),
                ArgPlan::RegionElem(b, _) => (b, false),
                _ => continue,
            };
            let Some(buf) = self.buf(b, st) else { continue };
            let here = self.assignment(st);
            let name = self.ref_name(b);
            let which = self.buf_name(buf);
            let inflight = st
                .bufs
                .get(&buf)
                .map(|x| x.inflight.clone())
                .unwrap_or_default();
            if let Some(&(other, _)) = inflight.iter().find(|(_, d2t)| *d2t) {
                let line = self.copy_line(other);
                self.report(
                    "read-inflight",
                    step.id,
                    step.at,
                    format!("`{fname}` reads `{name}` ({which}) while {line} into it may be in flight; wait for it first{here}"),
                );
            } else if let Some(&(other, _)) = inflight.iter().find(|(_, d2t)| !d2t) {
                if writes {
                    let line = self.copy_line(other);
                    self.report(
                        "write-outgoing",
                        step.id,
                        step.at,
                        format!("`{fname}` gets `{name}` ({which}), and may write it, while {line} is still copying it out; wait for that copy first{here}"),
                    );
                }
            }
            Self::mark_read(st, buf);
            let entry = st.bufs.entry(buf).or_default();
            entry.read_by = Some(step.id);
            if writes {
                entry.written_by = Some(step.id);
            }
        }
    }

    fn exit(&mut self, st: &State) {
        let here = self.assignment(st);
        for o in &st.m1 {
            let (at, desc) = self
                .copies
                .get(&o.copy)
                .cloned()
                .unwrap_or((None, String::new()));
            let rule_doc = "M1 hang rule, docs/air-intrinsics.md#the-m1-hang-rule";
            let (rule, message) = if !o.waited {
                ("m1-wait", format!("device -> threadgroup copy {desc} is never waited for; it must be waited for and followed by a threadgroup barrier before the kernel exits, and its data read ({rule_doc}){here}"))
            } else if !o.barrier && o.read {
                ("m1-barrier", format!("device -> threadgroup copy {desc} is waited for but no threadgroup barrier follows before the kernel exits ({rule_doc}){here}"))
            } else if !o.barrier {
                ("m1-barrier", format!("device -> threadgroup copy {desc} is waited for but no threadgroup barrier follows before the kernel exits, and nothing reads its data ({rule_doc}; guard a prefetch for the next iteration with `when`){here}"))
            } else {
                let name = self.buf_name(o.buf);
                ("m1-read", format!("device -> threadgroup copy {desc} is never read before the kernel exits: no call gets {name} and no copy copies it out after the wait ({rule_doc}; guard a prefetch for the next iteration with `when`){here}"))
            };
            self.report(rule, o.copy, at, message);
        }
        for b in st.bufs.values() {
            for &(id, d2t) in &b.inflight {
                if !d2t {
                    let (at, desc) = self
                        .copies
                        .get(&id)
                        .cloned()
                        .unwrap_or((None, String::new()));
                    self.report(
                        "out-wait",
                        id,
                        at,
                        format!("threadgroup -> device copy {desc} is never waited for; it must be waited for before the kernel exits{here}"),
                    );
                }
            }
        }
    }
}

/// The iterations the check runs for a loop of `n`: all of them up to
/// [`CHECK_FULL_ITERATIONS`], else the first 8 and the last 8 to 19, the
/// jump keeping the iteration number modulo 12 (so slots of regions with
/// up to 4 buffers line up).
fn iterations(n: i64) -> Vec<i64> {
    if n <= 0 {
        return Vec::new();
    }
    if n <= CHECK_FULL_ITERATIONS {
        return (0..n).collect();
    }
    let jump = 8 + 12 * ((n - 16) / 12);
    (0..8).chain(jump..n).collect()
}
