//! Running a kernel: launch geometry, bindings, the per-threadgroup
//! scheduler and its rendezvous points.
//!
//! Threadgroups run one after another. Within a threadgroup every thread
//! has its own call stack and runs until it blocks: at a threadgroup
//! barrier, at a simdgroup-wide call (async copy, wait, simdgroup matrix
//! op, shuffle, simdgroup barrier), or at its return. When nothing can run,
//! the scheduler resolves what is complete: a simdgroup whose live lanes
//! all wait at the same simdgroup-wide call executes it once; a barrier
//! that every live thread of the threadgroup reached releases them. If
//! nothing is complete the threads can never meet, and that is reported
//! (which threads wait where) instead of hanging.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use air_ir::intrinsics::{Intrinsic, IntrinsicId};
use air_ir::{FuncId, InstId};
use air_target::{ThreadPlace, MAX_THREADS_PER_THREADGROUP, SIMD_WIDTH};

use crate::error::{ErrorKind, ExecError, Result, Site};
use crate::limits::{DEFAULT_STEP_BUDGET, MAX_THREADGROUP_REGION_BYTES};
use crate::memory::Region;
use crate::program::{ArgKind, Callee, FnRef, Program};
use crate::value::{mask, Layout, Ptr, Space, Val};

/// The dispatch: like `dispatchThreads(grid, threadsPerThreadgroup:)`, the
/// grid counts threads, and threadgroups at the far edges may be partial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Launch {
    /// Threads in the grid, per dimension.
    pub grid: [u32; 3],
    /// Threads per threadgroup, per dimension.
    pub threadgroup: [u32; 3],
}

impl Launch {
    /// A 1D launch of `threads` threads in threadgroups of `per_group`.
    pub fn linear(threads: u32, per_group: u32) -> Self {
        Launch {
            grid: [threads, 1, 1],
            threadgroup: [per_group, 1, 1],
        }
    }
}

/// Knobs of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Thread-instructions the whole run may execute before it fails
    /// (a loop that never ends is an error, not a hang).
    pub step_budget: u64,
    /// Whether reading threadgroup memory nothing wrote is an error.
    pub poison_threadgroup: bool,
    /// Whether to record each simdgroup's copies, waits and barriers.
    pub trace: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            step_budget: DEFAULT_STEP_BUDGET,
            poison_threadgroup: true,
            trace: false,
        }
    }
}

/// Buffers and threadgroup-memory lengths bound to a kernel, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bindings {
    buffers: BTreeMap<u32, Vec<u8>>,
    threadgroup: BTreeMap<u32, u64>,
}

impl Bindings {
    /// No bindings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Binds raw bytes at `[[buffer(index)]]`.
    pub fn set_bytes(&mut self, index: u32, bytes: Vec<u8>) -> &mut Self {
        self.buffers.insert(index, bytes);
        self
    }

    /// Binds `f32` values (little-endian) at `index`.
    pub fn set_f32(&mut self, index: u32, values: &[f32]) -> &mut Self {
        self.set_bytes(index, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Binds `u32` values at `index`.
    pub fn set_u32(&mut self, index: u32, values: &[u32]) -> &mut Self {
        self.set_bytes(index, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }

    /// Sets the length of threadgroup memory argument `index`
    /// (`setThreadgroupMemoryLength`).
    pub fn set_threadgroup_length(&mut self, index: u32, bytes: u64) -> &mut Self {
        self.threadgroup.insert(index, bytes);
        self
    }

    /// The bytes bound at `index`.
    pub fn bytes(&self, index: u32) -> Option<&[u8]> {
        self.buffers.get(&index).map(Vec::as_slice)
    }

    /// The buffer at `index` read as `f32` values.
    pub fn f32s(&self, index: u32) -> Option<Vec<f32>> {
        self.bytes(index).map(|b| {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
    }

    /// The buffer at `index` read as `u32` values.
    pub fn u32s(&self, index: u32) -> Option<Vec<u32>> {
        self.bytes(index).map(|b| {
            b.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        })
    }
}

/// What a successful run reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Thread-instructions executed.
    pub steps: u64,
    /// Threads run.
    pub threads: u64,
    /// Threadgroups run.
    pub threadgroups: u64,
    /// With [`Options::trace`]: each simdgroup's copies, waits and barriers in order.
    pub trace: Vec<String>,
}

/// Why a thread stopped.
#[derive(Clone, Debug)]
pub(crate) enum State {
    Ready,
    Blocked(Box<Pending>),
    Done,
}

/// A call a thread waits at until its simdgroup or threadgroup meets.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    /// The call instruction.
    pub site: (FnRef, InstId),
    /// The intrinsic called.
    pub intrinsic: Intrinsic,
    /// The declaration called (its type gives operand types).
    pub decl: FnRef,
    /// The call's evaluated operands.
    pub args: Vec<Val>,
}

/// One call frame.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub f: FnRef,
    pub block: usize,
    pub idx: usize,
    pub slots: Vec<Option<Val>>,
    pub args: Vec<Val>,
    /// Private regions below this index belong to callers.
    pub priv_mark: usize,
    /// The caller's call instruction, which receives the return value.
    pub ret_to: Option<InstId>,
}

/// One thread of a threadgroup.
#[derive(Clone, Debug)]
pub(crate) struct Thread {
    pub frames: Vec<Frame>,
    pub state: State,
    pub private: Vec<Region>,
    pub pos: [u32; 3],
    pub sg: u32,
    pub lane: u32,
}

/// A byte range of one region.
pub(crate) type Span = (Space, u32, Range<usize>);

/// An async copy of the current threadgroup.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub sg: u32,
    pub to_threadgroup: bool,
    pub site: String,
    pub dst: Vec<Span>,
    pub src: Vec<Span>,
    /// Threadgroup barriers passed before the wait, once waited.
    pub waited_at: Option<u64>,
}

/// Everything a run mutates, apart from the threads.
pub(crate) struct Machine<'p> {
    pub prog: &'p Program,
    pub callees: Vec<HashMap<FuncId, Callee>>,
    pub consts: Vec<Vec<Option<Val>>>,
    pub global_ptrs: Vec<Vec<Ptr>>,
    pub device: Vec<Region>,
    pub device_index: Vec<u32>,
    pub globals: Vec<Region>,
    pub tg_template: Vec<Region>,
    pub tg: Vec<Region>,
    pub events: Vec<Event>,
    pub pending: Vec<Span>,
    pub tg_barriers: u64,
    pub steps: u64,
    pub options: Options,
    pub launch: Launch,
    pub tg_pos: [u32; 3],
    pub tg_size: [u32; 3],
    pub trace: Vec<String>,
    /// Kernel argument → region (buffers and threadgroup arguments).
    pub arg_regions: Vec<Option<Ptr>>,
}

impl Program {
    /// Runs the kernel over `launch` with `bindings`; on success the device
    /// buffers in `bindings` hold the results.
    ///
    /// # Errors
    /// Setup errors (unbound buffers, bad launch sizes, unresolved visible
    /// functions) before anything runs; otherwise the first error a thread
    /// hits, with its site.
    pub fn run(
        &self,
        launch: &Launch,
        bindings: &mut Bindings,
        options: &Options,
    ) -> Result<RunReport> {
        let callees = self.resolve()?;
        let mut m = Machine::new(self, callees, launch, bindings, options)?;
        let groups = launch_groups(launch)?;
        let mut report = RunReport::default();
        for z in 0..groups[2] {
            for y in 0..groups[1] {
                for x in 0..groups[0] {
                    report.threads += u64::from(m.run_threadgroup([x, y, z])?);
                    report.threadgroups += 1;
                }
            }
        }
        for (region, index) in m.device.iter().zip(&m.device_index) {
            bindings.set_bytes(*index, region.bytes.clone());
        }
        report.steps = m.steps;
        report.trace = std::mem::take(&mut m.trace);
        Ok(report)
    }
}

/// Threadgroups per grid dimension, after checking the launch.
fn launch_groups(launch: &Launch) -> Result<[u32; 3]> {
    let tg = launch.threadgroup;
    if tg.contains(&0) {
        return Err(ExecError::setup(
            "every threadgroup dimension must be at least 1",
        ));
    }
    let n: u64 = tg.iter().map(|v| u64::from(*v)).product();
    if n > u64::from(MAX_THREADS_PER_THREADGROUP) {
        return Err(ExecError::setup(format!(
            "threadgroup of {n} threads exceeds Metal's {MAX_THREADS_PER_THREADGROUP}"
        )));
    }
    Ok([0, 1, 2].map(|d| launch.grid[d].div_ceil(tg[d])))
}

/// `0-31, 40, 42-43` for a sorted list of indices.
pub(crate) fn ranges(ids: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            ids[i].to_string()
        } else {
            format!("{}-{}", ids[i], ids[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

impl<'p> Machine<'p> {
    fn new(
        prog: &'p Program,
        callees: Vec<HashMap<FuncId, Callee>>,
        launch: &Launch,
        bindings: &Bindings,
        options: &Options,
    ) -> Result<Self> {
        let consts = prog
            .sources
            .iter()
            .map(|s| vec![None; s.module.consts.len()])
            .collect();
        let mut m = Machine {
            prog,
            callees,
            consts,
            global_ptrs: Vec::new(),
            device: Vec::new(),
            device_index: Vec::new(),
            globals: Vec::new(),
            tg_template: Vec::new(),
            tg: Vec::new(),
            events: Vec::new(),
            pending: Vec::new(),
            tg_barriers: 0,
            steps: 0,
            options: options.clone(),
            launch: *launch,
            tg_pos: [0; 3],
            tg_size: [0; 3],
            trace: Vec::new(),
            arg_regions: Vec::new(),
        };
        m.bind_args(bindings)?;
        m.place_globals()?;
        Ok(m)
    }

    fn tg_region(&self, name: String, bytes: u64) -> Result<Region> {
        if bytes > MAX_THREADGROUP_REGION_BYTES {
            return Err(ExecError::setup(format!(
                "{name} is {bytes} bytes, over the executor's cap of {MAX_THREADGROUP_REGION_BYTES} bytes (64 MiB) per threadgroup-memory region; the cap guards the executor against absurd sizes and is not Metal's limit (a device reports that as maxThreadgroupMemoryLength; air-shell holds its shells to 32 KiB)"
            )));
        }
        let r = Region::new(name, vec![0; bytes as usize]).with_shadow();
        Ok(if self.options.poison_threadgroup {
            r.poisoned()
        } else {
            r
        })
    }

    /// Buffers by binding index and threadgroup-memory arguments.
    fn bind_args(&mut self, bindings: &Bindings) -> Result<()> {
        let mut by_index: HashMap<u32, u32> = HashMap::new();
        for arg in &self.prog.args {
            let ptr = match &arg.kind {
                ArgKind::Buffer { index, .. } => {
                    let region = match by_index.get(index) {
                        Some(r) => *r,
                        None => {
                            let bytes = bindings.bytes(*index).ok_or_else(|| {
                                ExecError::setup(format!(
                                    "buffer `{}` ([[buffer({index})]]) is not bound",
                                    arg.name
                                ))
                            })?;
                            let r = self.device.len() as u32;
                            self.device.push(
                                Region::new(
                                    format!("buffer {index} (`{}`)", arg.name),
                                    bytes.to_vec(),
                                )
                                .with_shadow(),
                            );
                            self.device_index.push(*index);
                            by_index.insert(*index, r);
                            r
                        }
                    };
                    Some(Ptr {
                        space: Space::Device,
                        region,
                        offset: 0,
                    })
                }
                ArgKind::ThreadgroupMemory { index } => {
                    let len = bindings.threadgroup.get(index).copied().ok_or_else(|| {
                        ExecError::setup(format!(
                            "threadgroup memory `{}` (index {index}) has no length; set one with set_threadgroup_length",
                            arg.name
                        ))
                    })?;
                    let region = self.tg_template.len() as u32;
                    let r = self.tg_region(format!("threadgroup argument `{}`", arg.name), len)?;
                    self.tg_template.push(r);
                    Some(Ptr {
                        space: Space::Threadgroup,
                        region,
                        offset: 0,
                    })
                }
                ArgKind::System { .. } => None,
            };
            self.arg_regions.push(ptr);
        }
        Ok(())
    }

    /// One region per global: per-threadgroup instances for address space
    /// 3, one shared region (with its initializer) for the rest.
    fn place_globals(&mut self) -> Result<()> {
        let prog = self.prog;
        let mut by_name: HashMap<&str, Ptr> = HashMap::new();
        for src in &prog.sources {
            let layout = Layout::new(&src.module.types);
            let mut ptrs = Vec::new();
            for g in &src.module.globals {
                let size = layout.alloc_size(g.value_ty)?;
                if size > 1 << 28 {
                    return Err(ExecError::setup(format!("global @{} is {size} bytes; the executor allocates at most 256 MiB per global", g.name)));
                }
                let ptr = if g.initializer.is_none() {
                    // Declared here, defined (maybe) in another module: resolved below.
                    Ptr::NULL
                } else if g.addrspace == 3 {
                    let region = self.tg_template.len() as u32;
                    let r = self.tg_region(format!("threadgroup @{}", g.name), size)?;
                    self.tg_template.push(r);
                    Ptr {
                        space: Space::Threadgroup,
                        region,
                        offset: 0,
                    }
                } else {
                    let region = self.globals.len() as u32;
                    self.globals.push(Region::new(
                        format!("global @{}", g.name),
                        vec![0; size as usize],
                    ));
                    Ptr {
                        space: Space::Global,
                        region,
                        offset: 0,
                    }
                };
                if ptr != Ptr::NULL {
                    by_name.entry(g.name.as_str()).or_insert(ptr);
                }
                ptrs.push(ptr);
            }
            self.global_ptrs.push(ptrs);
        }
        for (m, src) in prog.sources.iter().enumerate() {
            for (i, g) in src.module.globals.iter().enumerate() {
                if g.initializer.is_none() {
                    if let Some(p) = by_name.get(g.name.as_str()) {
                        self.global_ptrs[m][i] = *p;
                    }
                }
            }
        }
        // Initializers of ordinary globals (threadgroup memory cannot be
        // initialized in Metal, so it starts poisoned whatever the IR says).
        for (m, src) in prog.sources.iter().enumerate() {
            let layout = Layout::new(&src.module.types);
            for (i, g) in src.module.globals.iter().enumerate() {
                let (
                    Some(init),
                    Ptr {
                        space: Space::Global,
                        region,
                        ..
                    },
                ) = (g.initializer, self.global_ptrs[m][i])
                else {
                    continue;
                };
                let encoded = self.konst(m, init, 0).and_then(|v| {
                    let size = layout.store_size(g.value_ty)? as usize;
                    let mut bytes = vec![0u8; size];
                    layout.encode(g.value_ty, &v, &mut bytes)?;
                    Ok(bytes)
                });
                if let Some(r) = self.globals.get_mut(region as usize) {
                    match encoded {
                        Ok(bytes) => {
                            let n = bytes.len().min(r.bytes.len());
                            r.bytes[..n].copy_from_slice(&bytes[..n]);
                        }
                        // Unused globals must not stop the run; a use reports it.
                        Err(e) => {
                            r.unusable = Some(ErrorKind::Unsupported(format!(
                                "the initializer of global @{}: {}",
                                g.name, e.kind
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Runs one threadgroup to completion; returns its thread count.
    fn run_threadgroup(&mut self, pos: [u32; 3]) -> Result<u32> {
        let l = self.launch;
        let size = [0, 1, 2].map(|d| l.threadgroup[d].min(l.grid[d] - pos[d] * l.threadgroup[d]));
        self.tg_pos = pos;
        self.tg_size = size;
        self.tg = self.tg_template.clone();
        self.events.clear();
        self.pending.clear();
        self.tg_barriers = 0;
        let n = size[0] * size[1] * size[2];
        let mut threads = Vec::with_capacity(n as usize);
        for linear in 0..n {
            let local = [
                linear % size[0],
                (linear / size[0]) % size[1],
                linear / (size[0] * size[1]),
            ];
            threads.push(self.new_thread(local, linear)?);
        }
        loop {
            for t in threads.iter_mut() {
                if matches!(t.state, State::Ready) {
                    self.run_thread(t)?;
                }
            }
            let mut progressed = false;
            let groups = n.div_ceil(SIMD_WIDTH) as usize;
            for sg in 0..groups {
                let lo = sg * SIMD_WIDTH as usize;
                let hi = (lo + SIMD_WIDTH as usize).min(threads.len());
                progressed |= self.resolve_simdgroup(&mut threads[lo..hi], sg as u32)?;
            }
            if progressed {
                continue;
            }
            if threads.iter().all(|t| matches!(t.state, State::Done)) {
                break;
            }
            self.resolve_barrier(&mut threads)?;
        }
        self.finish_threadgroup()?;
        Ok(n)
    }

    fn new_thread(&mut self, local: [u32; 3], linear: u32) -> Result<Thread> {
        let prog = self.prog;
        let l = self.launch;
        // Where the thread is; air-target's table says what each system
        // value is there.
        let place = ThreadPlace {
            grid: l.grid,
            threadgroup: l.threadgroup,
            threadgroup_size: self.tg_size,
            threadgroup_position: self.tg_pos,
            position_in_threadgroup: local,
        };
        let pos = air_target::SystemValue::ThreadPositionInGrid.value(&place);
        let module = &prog.sources[0].module;
        let func = module.function(prog.kernel.func);
        let mut args = Vec::with_capacity(prog.args.len());
        for (i, arg) in prog.args.iter().enumerate() {
            let v = match &arg.kind {
                ArgKind::System { value, lanes, bits } => {
                    let xyz = value.value(&place);
                    let lane = |v: u32| Val::Bits(u64::from(v) & mask(*bits));
                    if *lanes == 1 {
                        lane(xyz[0])
                    } else {
                        Val::List(xyz[..*lanes as usize].iter().map(|v| lane(*v)).collect())
                    }
                }
                _ => match self.arg_regions.get(i).copied().flatten() {
                    Some(p) => Val::Ptr(p),
                    None => {
                        return Err(ExecError::setup(format!(
                            "kernel argument `{}` is not bound",
                            arg.name
                        )))
                    }
                },
            };
            args.push(v);
        }
        Ok(Thread {
            frames: vec![Frame {
                f: prog.kernel,
                block: 0,
                idx: 0,
                slots: vec![None; func.insts.len()],
                args,
                priv_mark: 0,
                ret_to: None,
            }],
            state: State::Ready,
            private: Vec::new(),
            pos,
            sg: linear / SIMD_WIDTH,
            lane: linear % SIMD_WIDTH,
        })
    }

    /// `file:line` (or the function name) and text of an instruction.
    pub(crate) fn describe_site(&self, f: FnRef, inst: InstId) -> (String, String) {
        let src = &self.prog.sources[f.module];
        let (line, text) = src.locate(f.func, inst);
        let fname = src
            .module
            .functions
            .get(f.func.0 as usize)
            .map_or("?", |func| func.name.as_str());
        (
            line.unwrap_or_else(|| format!("{} @{fname}", src.name)),
            text.unwrap_or_default(),
        )
    }

    /// The site of thread `t`'s current instruction.
    pub(crate) fn site_of(&self, t: &Thread) -> Site {
        let mut site = Site {
            kernel: self.prog.kernel_name.clone(),
            thread: Some(t.pos),
            threadgroup: Some(self.tg_pos),
            simdgroup: Some(t.sg),
            ..Site::default()
        };
        if let Some(fr) = t.frames.last() {
            let src = &self.prog.sources[fr.f.module];
            if let Some(func) = src.module.functions.get(fr.f.func.0 as usize) {
                site.function = func.name.clone();
                if let Some(id) = func.blocks.get(fr.block).and_then(|b| b.insts.get(fr.idx)) {
                    let (line, text) = src.locate(fr.f.func, *id);
                    site.line = line;
                    site.instruction = text.unwrap_or_else(|| {
                        func.insts
                            .get(id.0 as usize)
                            .map_or(String::new(), |i| i.kind.opcode().mnemonic().to_string())
                    });
                }
            }
        }
        site
    }

    /// Releases a threadgroup barrier, or reports why the threads cannot meet.
    fn resolve_barrier(&mut self, threads: &mut [Thread]) -> Result<()> {
        let mut at: BTreeMap<(usize, u32, u32), Vec<u32>> = BTreeMap::new();
        let mut exited = Vec::new();
        let mut elsewhere: BTreeMap<(usize, u32, u32), Vec<u32>> = BTreeMap::new();
        for (i, t) in threads.iter().enumerate() {
            match &t.state {
                State::Done => exited.push(i as u32),
                State::Blocked(p) => {
                    let key = (p.site.0.module, p.site.0.func.0, p.site.1 .0);
                    if is_barrier(p.intrinsic.id()) {
                        at.entry(key).or_default().push(i as u32);
                    } else {
                        elsewhere.entry(key).or_default().push(i as u32);
                    }
                }
                State::Ready => return Ok(()),
            }
        }
        if at.len() == 1 && exited.is_empty() && elsewhere.is_empty() {
            let first = threads.iter().find_map(|t| match &t.state {
                State::Blocked(p) => Some(p.clone()),
                _ => None,
            });
            let Some(p) = first else { return Ok(()) };
            for t in threads.iter() {
                if let State::Blocked(q) = &t.state {
                    if q.args != p.args {
                        let (line, _) = self.describe_site(p.site.0, p.site.1);
                        return Err(ExecError::new(ErrorKind::NonUniformOperands {
                            what: "barrier".into(),
                            detail: format!(
                                "flags {:?} in thread 0 but {:?} in another thread at {line}",
                                p.args, q.args
                            ),
                        })
                        .at(|| self.site_of(t)));
                    }
                }
            }
            let flags = p.args.first().and_then(|v| v.bits().ok()).unwrap_or(0);
            self.barrier(flags);
            if self.options.trace {
                let (line, _) = self.describe_site(p.site.0, p.site.1);
                let [x, y, z] = self.tg_pos;
                self.trace.push(format!(
                    "tg ({x},{y},{z}) all simdgroups: {} (flags {flags}) at {line}",
                    p.intrinsic.name()
                ));
            }
            for t in threads.iter_mut() {
                resume(t, None);
            }
            return Ok(());
        }
        let mut parts = Vec::new();
        for ((m, f, i), ids) in at.iter().chain(elsewhere.iter()) {
            let (line, text) = self.describe_site(
                FnRef {
                    module: *m,
                    func: FuncId(*f),
                },
                InstId(*i),
            );
            parts.push(format!("threads {} wait at {line} `{text}`", ranges(ids)));
        }
        if !exited.is_empty() {
            parts.push(format!("threads {} have exited", ranges(&exited)));
        }
        let blame = threads
            .iter()
            .find(|t| matches!(&t.state, State::Blocked(p) if is_barrier(p.intrinsic.id())))
            .or_else(|| threads.first());
        let kind = if at.is_empty() {
            ErrorKind::SimdDivergence(parts.join("; "))
        } else {
            ErrorKind::BarrierDivergence(parts.join("; "))
        };
        let mut err = ExecError::new(kind);
        if let Some(t) = blame {
            err = err.at(|| self.site_of(t));
        }
        Err(err)
    }

    /// A threadgroup barrier: memory the flags cover becomes visible to
    /// every simdgroup.
    fn barrier(&mut self, flags: u64) {
        if flags & 2 != 0 {
            self.tg_barriers += 1;
        }
        let pending = std::mem::take(&mut self.pending);
        let mut keep = Vec::new();
        for (space, region, range) in pending {
            let covered = match space {
                Space::Threadgroup => flags & 2 != 0,
                _ => flags & 1 != 0,
            };
            if covered {
                self.clear_pending(space, region, &range);
            } else {
                keep.push((space, region, range));
            }
        }
        self.pending = keep;
    }

    fn clear_pending(&mut self, space: Space, region: u32, range: &Range<usize>) {
        let r = match space {
            Space::Threadgroup => self.tg.get_mut(region as usize),
            _ => self.device.get_mut(region as usize),
        };
        if let Some(r) = r {
            for w in &mut r.shadow[range.clone()] {
                if matches!(
                    crate::memory::Shadow::from_word(*w),
                    crate::memory::Shadow::Pending(_)
                ) {
                    *w = crate::memory::CLEAR;
                }
            }
        }
    }

    /// The M1 hazard check: airlink's rule as the shell generator enforces
    /// it (docs/air-intrinsics.md#the-m1-hang-rule).
    fn finish_threadgroup(&mut self) -> Result<()> {
        let [x, y, z] = self.tg_pos;
        for (i, e) in self.events.iter().enumerate() {
            let site = || Site {
                kernel: self.prog.kernel_name.clone(),
                threadgroup: Some(self.tg_pos),
                simdgroup: Some(e.sg),
                line: Some(e.site.clone()),
                ..Site::default()
            };
            let dir = if e.to_threadgroup {
                "device -> threadgroup"
            } else {
                "threadgroup -> device"
            };
            match e.waited_at {
                None => {
                    let need = if e.to_threadgroup {
                        "it must be waited for and followed by a threadgroup barrier before the kernel exits"
                    } else {
                        "it must be waited for before the kernel exits"
                    };
                    return Err(ExecError::new(ErrorKind::M1Hazard(format!(
                        "{dir} copy #{i} issued by simdgroup {} of threadgroup ({x},{y},{z}) at {} is never waited for; {need}",
                        e.sg, e.site
                    )))
                    .at(site));
                }
                Some(mark) if e.to_threadgroup && self.tg_barriers <= mark => {
                    return Err(ExecError::new(ErrorKind::M1Hazard(format!(
                        "{dir} copy #{i} issued by simdgroup {} of threadgroup ({x},{y},{z}) at {} is waited for, but no threadgroup barrier follows before the kernel exits (M1 hang, docs/air-intrinsics.md#the-m1-hang-rule)",
                        e.sg, e.site
                    )))
                    .at(site));
                }
                Some(_) => {}
            }
        }
        // Nothing crosses threadgroups: device shadows start clear again.
        for r in &mut self.device {
            r.shadow.iter_mut().for_each(|w| *w = crate::memory::CLEAR);
        }
        Ok(())
    }
}

/// Whether an intrinsic is a threadgroup barrier.
pub(crate) fn is_barrier(id: IntrinsicId) -> bool {
    matches!(id, IntrinsicId::WgBarrier | IntrinsicId::ThreadgroupBarrier)
}

/// Lets a blocked thread go on past its call, with the call's result.
pub(crate) fn resume(t: &mut Thread, result: Option<Val>) {
    if let State::Blocked(p) = &t.state {
        let id = p.site.1;
        if let Some(fr) = t.frames.last_mut() {
            if let Some(slot) = fr.slots.get_mut(id.0 as usize) {
                *slot = result;
            }
            fr.idx += 1;
        }
        t.state = State::Ready;
    }
}
