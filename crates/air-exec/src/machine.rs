//! What a run shares ([`Shared`]: the program, the launch, device memory
//! as it started) and one worker's machine ([`Machine`]), which runs one
//! threadgroup at a time.
//!
//! Within a threadgroup every thread has its own call stack and runs until
//! it blocks: at a threadgroup barrier, at a simdgroup-wide call (async
//! copy, wait, simdgroup matrix op, shuffle, simdgroup barrier), or at its
//! return. When nothing can run, the scheduler resolves what is complete:
//! a simdgroup whose live lanes all wait at the same simdgroup-wide call
//! executes it once; a barrier that every live thread of the threadgroup
//! reached releases them. If nothing is complete the threads can never
//! meet, and that is reported (which threads wait where) instead of
//! hanging.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use air_ir::intrinsics::IntrinsicId;
use air_ir::{FuncId, InstId, InstKind};
use air_target::{ThreadPlace, MAX_THREADS_PER_THREADGROUP, SIMD_WIDTH};

use crate::budget::{MemAccount, MemPool};
use crate::device::{Base, Overlay};
use crate::error::{ErrorKind, ExecError, Result, Site};
use crate::exec::{
    is_barrier, ranges, resume, Bindings, Event, Frame, Launch, Options, Span, State, Thread,
};
use crate::limits::{MAX_GLOBAL_BYTES, MAX_THREADGROUP_REGION_BYTES};
use crate::memory::{Region, Shadow};
use crate::program::{ArgKind, Callee, FnRef, Program};
use crate::value::{mask, Layout, Ptr, Space, Val};

/// Bytes a slot of a call frame takes.
pub(crate) const SLOT_BYTES: u64 = std::mem::size_of::<Option<Val>>() as u64;

/// Everything the threadgroups of a run share; read-only while they run.
pub(crate) struct Shared<'p> {
    pub prog: &'p Program,
    /// What each declaration of each module resolves to, by function index.
    pub callees: Vec<Vec<Option<Callee>>>,
    pub global_ptrs: Vec<Vec<Ptr>>,
    /// Device buffers (keys `0..devices`), then ordinary globals.
    pub bases: Vec<Base>,
    /// How many of `bases` are buffers.
    pub devices: usize,
    /// The binding index of each buffer.
    pub device_index: Vec<u32>,
    /// Threadgroup regions: name and size (fresh, poisoned instances per
    /// threadgroup).
    pub tg_template: Vec<(String, u64)>,
    pub options: Options,
    pub launch: Launch,
    /// Threadgroups per grid dimension.
    pub groups: [u32; 3],
    /// Kernel argument → region (buffers and threadgroup arguments).
    pub arg_regions: Vec<Option<Ptr>>,
    /// The program executes atomics on memory other than threadgroup
    /// memory: threadgroups run one after another in order, sharing device
    /// memory, instead of in parallel with the race check.
    pub sequential: bool,
    /// The program copies device memory into threadgroup memory: reads of
    /// threadgroup memory are recorded for the check that a copy does not
    /// overwrite bytes still being read.
    pub track_reads: bool,
    pub pool: MemPool,
}

/// Threadgroups per grid dimension, after checking the launch.
pub(crate) fn launch_groups(launch: &Launch) -> Result<[u32; 3]> {
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
    let groups = [0, 1, 2].map(|d| launch.grid[d].div_ceil(tg[d]));
    let total: u64 = groups.iter().map(|g| u64::from(*g)).product();
    if total > u64::from(u32::MAX) {
        return Err(ExecError::setup(format!(
            "{total} threadgroups; the executor runs at most {} in one dispatch",
            u32::MAX
        )));
    }
    Ok(groups)
}

/// Whether a pointer type's address space is shared by threadgroups (not
/// threadgroup memory).
fn shared_space(types: &air_ir::TypeTable, ty: air_ir::types::TypeId) -> bool {
    types.pointer_parts(ty).is_none_or(|(_, space)| space != 3)
}

/// Whether any function of the program executes an atomic operation on
/// memory other than threadgroup memory.
fn has_device_atomics(prog: &Program) -> bool {
    prog.sources.iter().any(|src| {
        let m = &src.module;
        m.functions.iter().any(|f| {
            f.insts.iter().any(|inst| {
                let ptr = match &inst.kind {
                    InstKind::AtomicRmw(a) => Some(a.ptr),
                    InstKind::CmpXchg(x) => Some(x.ptr),
                    InstKind::Load {
                        ptr,
                        atomic: Some(_),
                        ..
                    } => Some(*ptr),
                    InstKind::Store {
                        ptr,
                        atomic: Some(_),
                        ..
                    } => Some(*ptr),
                    _ => None,
                };
                ptr.is_some_and(|p| {
                    m.value_type(Some(f), p)
                        .is_none_or(|ty| shared_space(&m.types, ty))
                })
            })
        })
    })
}

impl<'p> Shared<'p> {
    /// Binds the arguments (taking the buffers out of `bindings`) and
    /// places the globals.
    pub fn new(
        prog: &'p Program,
        callees: Vec<HashMap<FuncId, Callee>>,
        launch: &Launch,
        bindings: &mut Bindings,
        options: &Options,
    ) -> Result<Self> {
        let groups = launch_groups(launch)?;
        let track_reads = callees.iter().flat_map(|c| c.values()).any(|c| {
            matches!(c, Callee::Intrinsic(i) if matches!(
                i.id(),
                IntrinsicId::AsyncCopy1dDeviceToThreadgroup | IntrinsicId::AsyncCopy2dDeviceToThreadgroup
            ))
        });
        let mut sh = Shared {
            prog,
            callees: callees
                .into_iter()
                .zip(&prog.sources)
                .map(|(table, src)| {
                    let mut v = vec![None; src.module.functions.len()];
                    for (f, c) in table {
                        if let Some(slot) = v.get_mut(f.0 as usize) {
                            *slot = Some(c);
                        }
                    }
                    v
                })
                .collect(),
            global_ptrs: Vec::new(),
            bases: Vec::new(),
            devices: 0,
            device_index: Vec::new(),
            tg_template: Vec::new(),
            options: options.clone(),
            launch: *launch,
            groups,
            arg_regions: Vec::new(),
            sequential: has_device_atomics(prog),
            track_reads,
            pool: MemPool::new(options.memory_limit, 0),
        };
        sh.bind_args(bindings)?;
        sh.devices = sh.bases.len();
        if let Err(e) = sh.place_globals() {
            sh.restore(bindings);
            return Err(e);
        }
        let fixed: u64 = sh.bases.iter().map(|b| b.bytes.len() as u64).sum();
        if fixed > options.memory_limit {
            sh.restore(bindings);
            return Err(ExecError::new(ErrorKind::MemoryLimit(format!(
                "the buffers and globals take {fixed} bytes, over the limit of {} bytes (raise it with --memory-limit)",
                options.memory_limit
            ))));
        }
        sh.pool = MemPool::new(options.memory_limit, fixed);
        Ok(sh)
    }

    /// Puts the buffers back into `bindings`.
    pub fn restore(&mut self, bindings: &mut Bindings) {
        for (base, index) in self.bases.iter_mut().zip(&self.device_index) {
            bindings.set_bytes(*index, std::mem::take(&mut base.bytes));
        }
    }

    /// The key of a shared region in `bases`, if `p` points into one.
    pub fn key(&self, p: Ptr) -> Option<usize> {
        match p.space {
            Space::Device => Some(p.region as usize).filter(|r| *r < self.devices),
            Space::Global => {
                Some(self.devices + p.region as usize).filter(|k| *k < self.bases.len())
            }
            _ => None,
        }
    }

    /// Buffers by binding index and threadgroup-memory arguments.
    fn bind_args(&mut self, bindings: &mut Bindings) -> Result<()> {
        // Check everything first, so that a failure takes nothing.
        for arg in &self.prog.args {
            match &arg.kind {
                ArgKind::Buffer { index, .. } if bindings.bytes(*index).is_none() => {
                    return Err(ExecError::setup(format!(
                        "buffer `{}` ([[buffer({index})]]) is not bound",
                        arg.name
                    )))
                }
                ArgKind::ThreadgroupMemory { index } => {
                    let Some(len) = bindings.threadgroup_length(*index) else {
                        return Err(ExecError::setup(format!(
                            "threadgroup memory `{}` (index {index}) has no length; set one with set_threadgroup_length",
                            arg.name
                        )));
                    };
                    check_tg_size(&format!("threadgroup argument `{}`", arg.name), len)?;
                }
                _ => {}
            }
        }
        let mut by_index: HashMap<u32, u32> = HashMap::new();
        for arg in &self.prog.args {
            let ptr = match &arg.kind {
                ArgKind::Buffer { index, .. } => {
                    let region = match by_index.get(index) {
                        Some(r) => *r,
                        None => {
                            let r = self.bases.len() as u32;
                            self.bases.push(Base {
                                name: format!("buffer {index} (`{}`)", arg.name),
                                bytes: bindings.take(*index).unwrap_or_default(),
                                unusable: None,
                            });
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
                    let len = bindings.threadgroup_length(*index).unwrap_or(0);
                    let region = self.tg_template.len() as u32;
                    self.tg_template
                        .push((format!("threadgroup argument `{}`", arg.name), len));
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
        let mut sizes = Vec::new();
        let mut total: u64 = 0;
        for src in &prog.sources {
            let layout = Layout::new(&src.module.types);
            let mut ptrs = Vec::new();
            for g in &src.module.globals {
                let size = layout.alloc_size(g.value_ty)?;
                if size > MAX_GLOBAL_BYTES {
                    return Err(ExecError::setup(format!("global @{} is {size} bytes; the executor allocates at most 256 MiB per global", g.name)));
                }
                let ptr = if g.initializer.is_none() {
                    // Declared here, defined (maybe) in another module: resolved below.
                    Ptr::NULL
                } else if g.addrspace == 3 {
                    let name = format!("threadgroup @{}", g.name);
                    check_tg_size(&name, size)?;
                    let region = self.tg_template.len() as u32;
                    self.tg_template.push((name, size));
                    Ptr {
                        space: Space::Threadgroup,
                        region,
                        offset: 0,
                    }
                } else {
                    total = total.saturating_add(size);
                    if total > self.options.memory_limit {
                        return Err(ExecError::new(ErrorKind::MemoryLimit(format!(
                            "the globals take more than the limit of {} bytes (raise it with --memory-limit)",
                            self.options.memory_limit
                        ))));
                    }
                    let region = sizes.len() as u32;
                    sizes.push((format!("global @{}", g.name), size));
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
        for (name, size) in sizes {
            self.bases.push(Base {
                name,
                bytes: vec![0; size as usize],
                unusable: None,
            });
        }
        // Initializers of ordinary globals (threadgroup memory cannot be
        // initialized in Metal, so it starts poisoned whatever the IR says).
        let mut inits = Vec::new();
        {
            let mut m = Machine::new(self);
            for (mi, src) in prog.sources.iter().enumerate() {
                let layout = Layout::new(&src.module.types);
                for (i, g) in src.module.globals.iter().enumerate() {
                    let (
                        Some(init),
                        Ptr {
                            space: Space::Global,
                            region,
                            ..
                        },
                    ) = (g.initializer, self.global_ptrs[mi][i])
                    else {
                        continue;
                    };
                    let encoded = m.konst(mi, init, 0).and_then(|v| {
                        let size = layout.store_size(g.value_ty)? as usize;
                        let mut bytes = vec![0u8; size];
                        layout.encode(g.value_ty, &v, &mut bytes)?;
                        Ok(bytes)
                    });
                    inits.push((region, g.name.clone(), encoded));
                }
            }
        }
        let devices = self.devices;
        for (region, name, encoded) in inits {
            if let Some(r) = self.bases.get_mut(devices + region as usize) {
                match encoded {
                    Ok(bytes) => {
                        let n = bytes.len().min(r.bytes.len());
                        r.bytes[..n].copy_from_slice(&bytes[..n]);
                    }
                    // Unused globals must not stop the run; a use reports it.
                    Err(e) => {
                        r.unusable = Some(ErrorKind::Unsupported(format!(
                            "the initializer of global @{name}: {}",
                            e.kind
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

fn check_tg_size(name: &str, bytes: u64) -> Result<()> {
    if bytes > MAX_THREADGROUP_REGION_BYTES {
        return Err(ExecError::setup(format!(
            "{name} is {bytes} bytes; threadgroup memory is at most 32 KiB on Apple GPUs"
        )));
    }
    Ok(())
}

/// One worker: runs threadgroups one at a time.
pub(crate) struct Machine<'p> {
    pub prog: &'p Program,
    pub sh: &'p Shared<'p>,
    /// Values of constants, evaluated when first used (per worker).
    pub consts: Vec<Vec<Option<Val>>>,
    /// This threadgroup's view of device memory (the whole run's in a
    /// sequential run).
    pub overlay: Overlay,
    pub tg: Vec<Region>,
    pub events: Vec<Event>,
    pub pending: Vec<Span>,
    pub tg_barriers: u64,
    /// Thread-instructions of this threadgroup (of the run, sequentially).
    pub steps: u64,
    /// Work units of this threadgroup (of the run, sequentially).
    pub work: u64,
    /// The work this threadgroup may do before failing.
    pub work_cap: u64,
    pub mem: MemAccount<'p>,
    pub tg_pos: [u32; 3],
    pub tg_size: [u32; 3],
    pub tg_index: u32,
    pub trace: Vec<String>,
    /// Instructions that read threadgroup memory (for `memory::ReadMark`).
    pub read_sites: Vec<(FnRef, InstId)>,
    read_site_ids: HashMap<(FnRef, InstId), u32, BuildHasherDefault<WordHasher>>,
    /// The lowest threadgroup known to fail (parallel runs): a later one
    /// stops early, its outcome unused.
    pub cancel: Option<&'p std::sync::atomic::AtomicU64>,
    /// A device byte whose first access is to be located (race reports).
    pub watch: Option<Watch>,
    /// A buffer reused by loads and stores.
    pub scratch: Vec<u8>,
    /// Scalar elements of a value of each type, per module
    /// (`ops::type_elements`, computed once).
    pub type_elems: Vec<Vec<u64>>,
}

/// A hasher for small keys of whole numbers (the read-site table is looked
/// up on every threadgroup read; SipHash's protection against chosen keys
/// buys nothing for instruction ids).
#[derive(Default)]
pub(crate) struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
}

/// A byte of a shared region whose first access by a threadgroup (a
/// write, or a read of a byte it has not written) is to be located.
#[derive(Clone, Debug)]
pub(crate) struct Watch {
    pub key: usize,
    pub byte: usize,
    pub write: bool,
    pub hit: Option<Site>,
}

impl Watch {
    pub fn new(key: usize, byte: usize, write: bool) -> Self {
        Watch {
            key,
            byte,
            write,
            hit: None,
        }
    }
}

impl<'p> Machine<'p> {
    pub fn new(sh: &'p Shared<'p>) -> Self {
        let prog = sh.prog;
        Machine {
            prog,
            sh,
            consts: prog
                .sources
                .iter()
                .map(|s| vec![None; s.module.consts.len()])
                .collect(),
            overlay: Overlay::new(sh.bases.len(), !sh.sequential),
            tg: Vec::new(),
            events: Vec::new(),
            pending: Vec::new(),
            tg_barriers: 0,
            steps: 0,
            work: 0,
            work_cap: sh.options.step_budget,
            mem: MemAccount::new(&sh.pool),
            tg_pos: [0; 3],
            tg_size: [0; 3],
            tg_index: 0,
            trace: Vec::new(),
            read_sites: Vec::new(),
            read_site_ids: HashMap::default(),
            cancel: None,
            watch: None,
            scratch: Vec::new(),
            type_elems: prog
                .sources
                .iter()
                .map(|s| {
                    let types = &s.module.types;
                    (0..types.len())
                        .map(|i| {
                            crate::ops::type_elements(types, air_ir::types::TypeId(i as u32), 0)
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// The id of a threadgroup-memory read site.
    pub(crate) fn read_site(&mut self, site: (FnRef, InstId)) -> u32 {
        if let Some(id) = self.read_site_ids.get(&site) {
            return *id;
        }
        let id = self.read_sites.len() as u32;
        self.read_sites.push(site);
        self.read_site_ids.insert(site, id);
        id
    }

    /// Adds `units` of work; fails once the threadgroup's cap is passed.
    pub(crate) fn charge_work(&mut self, units: u64) -> Result<()> {
        self.work = self.work.saturating_add(units);
        if self.work > self.work_cap {
            return Err(ErrorKind::StepBudget(self.sh.options.step_budget).into());
        }
        Ok(())
    }

    /// The position of threadgroup `index` (x fastest, then y, then z).
    pub fn position(&self, index: u32) -> [u32; 3] {
        let [gx, gy, _] = self.sh.groups;
        let (gx, gy) = (gx.max(1), gy.max(1));
        [index % gx, (index / gx) % gy, index / (gx * gy)]
    }

    /// Runs threadgroup `index` to completion; returns its thread count.
    /// A parallel run starts it with a fresh overlay and counters, and
    /// `work_cap` as set by the caller.
    pub fn run_threadgroup(&mut self, index: u32) -> Result<u32> {
        self.tg_index = index;
        self.mem.tg = index;
        self.sh.pool.enter(index);
        let r = self.run_threadgroup_inner(index);
        // Whatever happened, the threads and threadgroup memory are gone.
        self.tg.clear();
        self.overlay.clear_shadows(&mut self.mem);
        self.sh.pool.leave(index);
        r
    }

    fn run_threadgroup_inner(&mut self, index: u32) -> Result<u32> {
        let pos = self.position(index);
        let l = self.sh.launch;
        let size = [0, 1, 2].map(|d| l.threadgroup[d].min(l.grid[d] - pos[d] * l.threadgroup[d]));
        self.tg_pos = pos;
        self.tg_size = size;
        self.tg.clear();
        for (name, bytes) in &self.sh.tg_template {
            let mut r = Region::new(name.clone(), Vec::new());
            let per_byte = 1
                + 4
                + u64::from(self.sh.options.poison_threadgroup)
                + if self.sh.track_reads {
                    std::mem::size_of::<crate::memory::ReadMark>() as u64
                } else {
                    0
                };
            self.mem
                .charge(bytes.saturating_mul(per_byte), "threadgroup memory")?;
            r.bytes = vec![0; *bytes as usize];
            r = r.with_shadow();
            if self.sh.options.poison_threadgroup {
                r = r.poisoned();
            }
            if self.sh.track_reads {
                r = r.with_reads();
            }
            self.tg.push(r);
        }
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
        let l = self.sh.launch;
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
                        Val::list_of(xyz[..*lanes as usize].iter().map(|v| lane(*v)).collect())
                    }
                }
                _ => match self.sh.arg_regions.get(i).copied().flatten() {
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
        let heap = func.insts.len() as u64 * SLOT_BYTES
            + args.iter().map(Val::heap_bytes).sum::<u64>()
            + (args.capacity() * std::mem::size_of::<Val>()) as u64;
        self.mem.charge(heap, "a call frame")?;
        Ok(Thread {
            frames: vec![Frame {
                f: prog.kernel,
                block: 0,
                idx: 0,
                slots: vec![None; func.insts.len()],
                args,
                priv_mark: 0,
                ret_to: None,
                heap,
            }],
            state: State::Ready,
            private: Vec::new(),
            pos,
            sg: linear / SIMD_WIDTH,
            lane: linear % SIMD_WIDTH,
            args: Vec::new(),
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

    /// The site of threadgroup-level errors (no one thread to blame).
    pub(crate) fn group_site(&self, sg: Option<u32>, line: Option<String>) -> Site {
        Site {
            kernel: self.prog.kernel_name.clone(),
            threadgroup: Some(self.tg_pos),
            simdgroup: sg,
            line,
            ..Site::default()
        }
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
                State::Blocked(p) => Some((*p, t.args.as_slice())),
                _ => None,
            });
            let Some((p, args)) = first else {
                return Ok(());
            };
            for t in threads.iter() {
                if let State::Blocked(_) = &t.state {
                    if t.args != args {
                        let (line, _) = self.describe_site(p.site.0, p.site.1);
                        return Err(ExecError::new(ErrorKind::NonUniformOperands {
                            what: "barrier".into(),
                            detail: format!(
                                "flags {:?} in thread 0 but {:?} in another thread at {line}",
                                args, t.args
                            ),
                        })
                        .at(|| self.site_of(t)));
                    }
                }
            }
            let flags = args.first().and_then(|v| v.bits().ok()).unwrap_or(0);
            self.barrier(flags);
            if self.sh.options.trace {
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
        let is_pending = |s: Shadow| matches!(s, Shadow::Pending(_));
        if space == Space::Threadgroup {
            if let Some(r) = self.tg.get_mut(region as usize) {
                if let Some(words) = r.shadow.get_mut(range.clone()) {
                    for w in words {
                        if is_pending(Shadow::from_word(*w)) {
                            *w = crate::memory::CLEAR;
                        }
                    }
                }
            }
        } else if let Some(key) = self.sh.key(Ptr {
            space,
            region,
            offset: 0,
        }) {
            self.overlay
                .map_shadow(key, range, is_pending, Shadow::Clear);
        }
    }

    /// The M1 hazard check (air.md §2.6, as the shell generator states it).
    fn finish_threadgroup(&mut self) -> Result<()> {
        let [x, y, z] = self.tg_pos;
        for (i, e) in self.events.iter().enumerate() {
            let site = || self.group_site(Some(e.sg), Some(e.site.clone()));
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
                        "{dir} copy #{i} issued by simdgroup {} of threadgroup ({x},{y},{z}) at {} is waited for, but no threadgroup barrier follows before the kernel exits (M1 hang, air.md §2.6)",
                        e.sg, e.site
                    )))
                    .at(site));
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}
