//! Validation: checks a [`Spec`] against every rule and resolves it into a
//! [`Plan`] the emitter can follow without further checks.
//!
//! All problems are collected (not just the first), each with the spec
//! position of the item at fault. The hazard rules (events, barriers, the
//! M1 rule) run afterwards on the resolved step tree, in [`crate::check`].

use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::PathBuf;

use air_target::Target;

use crate::error::{Pos, Reporter, Result};
use crate::expr::{
    parse_cond, parse_expr, parse_operand, parse_region_ref, BinOp, Cond, Expr, Operand,
};
use crate::limits::MAX_PRIVATE_ELEMENTS;
use crate::spec::{
    BarrierMemory, BodyMode, CopyForm, Dim, Fallback, Fill, Literal, Spec, Step, StepKind, Text,
};
use crate::types::{
    spec_system_value_names, Access, ElemType, SystemValueKind, SystemValueType, SPEC_SYSTEM_VALUES,
};
use crate::Options;

// Metal's limits (threads, threadgroup memory, buffer slots) and the
// simdgroup width are air-target's; see `air_target::gpu`.
use air_target::{
    BUFFER_SLOTS, MAX_THREADGROUP_MEMORY_BYTES, MAX_THREADS_PER_THREADGROUP, SIMD_WIDTH,
};

/// The most buffers a multi-buffer region may have.
pub(crate) const MAX_REGION_BUFFERS: u64 = 4;

/// What a kernel parameter is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ParamKind {
    /// A device buffer.
    Buffer {
        element: ElemType,
        access: Access,
        index: u32,
    },
    /// A `constant T&` scalar.
    Scalar { ty: ElemType, index: u32 },
    /// A system value.
    System {
        kind: SystemValueKind,
        ty: SystemValueType,
    },
}

/// A kernel parameter, in signature order.
#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub name: String,
    pub kind: ParamKind,
}

/// A region's resolved place.
#[derive(Clone, Debug)]
pub(crate) struct RegionLayout {
    pub name: String,
    pub element: ElemType,
    /// Byte offset of buffer 0 in the global.
    pub offset: u64,
    /// Elements per buffer.
    pub count: u64,
    /// Consecutive buffers (1 unless double buffered).
    pub buffers: u64,
}

/// The one threadgroup global.
#[derive(Clone, Debug)]
pub(crate) struct TgLayout {
    pub name: String,
    /// Element type of the global's array; `None` is `i8` (regions of
    /// mixed types).
    pub element: Option<ElemType>,
    pub bytes: u64,
    pub align: u64,
    pub regions: Vec<RegionLayout>,
}

/// A per-thread array.
#[derive(Clone, Debug)]
pub(crate) struct PrivatePlan {
    pub name: String,
    pub element: ElemType,
    pub count: u64,
    pub fill: Option<Literal>,
}

/// A `let` value computed in the kernel (constant ones are folded into
/// [`Plan::constants`]).
#[derive(Clone, Debug)]
pub(crate) struct LetPlan {
    pub name: String,
    pub expr: Expr,
}

/// One buffer of a region: the slot is `None` for single-buffer regions
/// (buffer 0), else an expression over constants and loop variables taken
/// modulo the region's buffer count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BufRef {
    pub region: usize,
    pub slot: Option<Expr>,
}

/// One end of a copy.
#[derive(Clone, Debug)]
pub(crate) enum End {
    /// A buffer parameter and an element offset expression.
    Buffer { param: usize, offset: Expr },
    /// The copy's region buffer ([`CopyPlan::region`]) and a constant
    /// element offset into it.
    Region { offset: u64 },
}

/// A tile entry: its static bound, and the expression computing it in the
/// kernel when it is not that constant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Extent {
    pub bound: u64,
    pub dynamic: Option<Expr>,
}

impl Extent {
    fn constant(v: u64) -> Self {
        Extent {
            bound: v,
            dynamic: None,
        }
    }
}

/// A pitch: a constant or a value computed in the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum IntPlan {
    Const(u64),
    Dyn(Expr),
}

/// A resolved copy.
#[derive(Clone, Debug)]
pub(crate) struct CopyPlan {
    pub to_threadgroup: bool,
    pub element: ElemType,
    /// The region buffer at the region end.
    pub region: BufRef,
    pub src: End,
    pub dst: End,
    pub src_tile: [Extent; 2],
    pub dst_tile: [Extent; 2],
    pub src_pitch: IntPlan,
    pub dst_pitch: IntPlan,
    pub fill: Fill,
    pub form: CopyForm,
}

/// How a call argument is produced.
#[derive(Clone, Debug)]
pub(crate) enum ArgPlan {
    /// Pointer to a region buffer.
    RegionPtr(BufRef),
    /// A kernel parameter passed through (buffer pointer, system value).
    Param(usize),
    /// The loaded value of a scalar parameter.
    Scalar(usize),
    /// `buffer[index]`, loaded.
    BufferElem(usize, Expr),
    /// `region[index]` (or `region@slot[index]`), loaded.
    RegionElem(BufRef, Expr),
    /// Pointer to a private array.
    PrivatePtr(usize),
    /// `private[index]`, loaded.
    PrivateElem(usize, Expr),
    /// An integer expression passed as `uint`.
    Uint(Expr),
}

/// The IR-level type of a call argument or return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ArgTy {
    Value(ElemType),
    DevicePtr(ElemType),
    TgPtr(ElemType),
    /// A pointer to thread-private memory (address space 0).
    PrivPtr(ElemType),
}

impl ArgTy {
    /// The MSL spelling of a parameter of this type (air.md §3.3).
    pub fn msl(self) -> String {
        match self {
            ArgTy::Value(t) => t.msl_name().to_string(),
            ArgTy::DevicePtr(t) => format!("device {}*", t.msl_name()),
            ArgTy::TgPtr(t) => format!("threadgroup {}*", t.msl_name()),
            ArgTy::PrivPtr(t) => format!("thread {}*", t.msl_name()),
        }
    }
}

/// A called function's signature and facts.
#[derive(Clone, Debug)]
pub(crate) struct FnPlan {
    pub name: String,
    pub ret: Option<ElemType>,
    pub params: Vec<ArgTy>,
    pub param_names: Vec<String>,
    pub inline: Option<PathBuf>,
    pub inline_at: Option<Pos>,
}

/// A resolved call.
#[derive(Clone, Debug)]
pub(crate) struct CallPlan {
    pub function: usize,
    pub args: Vec<ArgPlan>,
    /// `(buffer param, index)` receiving the result.
    pub store: Option<(usize, Expr)>,
}

/// A resolved loop.
#[derive(Clone, Debug)]
pub(crate) struct LoopPlan {
    pub var: String,
    pub count: Expr,
    pub body: Vec<Planned>,
}

/// What a resolved step does.
#[derive(Clone, Debug)]
pub(crate) enum StepPlan {
    Copy(Box<CopyPlan>),
    /// A wait: for the listed region buffers, or (`None`) for every copy
    /// in flight.
    Wait(Option<Vec<BufRef>>),
    Barrier(BarrierMemory),
    Call(CallPlan),
    Loop(LoopPlan),
}

/// A resolved step with its identity, position and guard.
#[derive(Clone, Debug)]
pub(crate) struct Planned {
    /// Pre-order number, unique in the plan.
    pub id: usize,
    pub at: Option<Pos>,
    pub when: Option<Cond>,
    pub kind: StepPlan,
}

/// Everything the emitter needs.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub schema: u32,
    pub target: &'static Target,
    pub kernel: String,
    pub module_name: String,
    pub source_name: String,
    pub threadgroup_size: [u32; 3],
    pub threads: u64,
    pub body: BodyMode,
    pub fallback: Fallback,
    pub params: Vec<Param>,
    /// `[constants]` and every `let` that folds to a constant.
    pub constants: HashMap<String, i64>,
    /// The other `let` values, each after the ones it uses.
    pub lets: Vec<LetPlan>,
    pub requires: Vec<Cond>,
    pub privates: Vec<PrivatePlan>,
    pub tg: Option<TgLayout>,
    pub functions: Vec<FnPlan>,
    pub steps: Vec<Planned>,
    /// Parameter index of `simdgroup_index_in_threadgroup`, when copies
    /// must be gated to simdgroup 0.
    pub sidx: Option<usize>,
    /// Parameter index of `thread_index_in_threadgroup`, for the
    /// cooperative fallback.
    pub tidx: Option<usize>,
    /// Schema 2: the region buffers each plain `wait` covers, as
    /// `(region, buffer)`, by step id (found by the hazard check).
    pub wait_sets: HashMap<usize, Vec<(usize, u64)>>,
}

impl Plan {
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// Schema 2's event layout: the regions that are the region end of
    /// some copy, in region order. Event slot of (region, buffer) is
    /// `buffer * len + position`.
    pub fn event_regions(&self) -> Vec<usize> {
        fn walk(steps: &[Planned], out: &mut Vec<usize>) {
            for s in steps {
                match &s.kind {
                    StepPlan::Copy(c) => out.push(c.region.region),
                    StepPlan::Loop(l) => walk(&l.body, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.steps, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The buffer count of region `r`.
    pub fn buffers(&self, r: usize) -> u64 {
        self.tg
            .as_ref()
            .and_then(|t| t.regions.get(r))
            .map_or(1, |x| x.buffers)
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Position `offset` bytes into `text` (valid while the text is one line
/// without escapes, which is how specs write expressions).
pub(crate) fn shift(at: Option<Pos>, text: &str, offset: usize) -> Option<Pos> {
    at.map(|p| Pos {
        line: p.line,
        col: p.col + text[..offset.min(text.len())].chars().count(),
    })
}

/// What a name in the spec refers to.
#[derive(Clone, Copy, Debug)]
enum Sym {
    Param(usize),
    Region(usize),
    /// A `[constants]` entry or a `let` that folds (value in `constants`).
    Constant,
    /// A `let` that does not fold to a constant.
    Let(usize),
    Private(usize),
    LoopVar,
}

/// What `name[index]` indexes.
#[derive(Clone, Debug)]
enum ElemRef {
    Region(BufRef),
    Buffer(usize),
    Private(usize),
}

/// Which names an expression may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// System values, integer scalars, constants, lets, loop variables.
    Any,
    /// The same, but only values that are equal in every thread of the
    /// threadgroup; the string says what the expression is.
    Uniform(&'static str),
    /// Constants and loop variables (a region slot).
    Slot,
}

/// Whether every thread of a threadgroup sees the same value of a system
/// value.
fn uniform_system_value(kind: SystemValueKind) -> bool {
    matches!(
        kind,
        SystemValueKind::ThreadgroupPositionInGrid
            | SystemValueKind::ThreadgroupsPerGrid
            | SystemValueKind::ThreadsPerGrid
            | SystemValueKind::ThreadsPerThreadgroup
            | SystemValueKind::SimdgroupsPerThreadgroup
            | SystemValueKind::ThreadsPerSimdgroup
    )
}

struct Checker<'s, 'r> {
    spec: &'s Spec,
    r: &'r mut Reporter<'s>,
    syms: HashMap<String, Sym>,
    params: Vec<Param>,
    regions: Vec<RegionLayout>,
    /// Whether each non-constant let is the same in every thread.
    let_uniform: Vec<bool>,
    lets: Vec<LetPlan>,
    constants: HashMap<String, i64>,
    privates: Vec<PrivatePlan>,
    next_id: usize,
    copy_form: CopyForm,
    target: Option<&'static Target>,
    functions: Vec<FnPlan>,
    fn_first_at: Vec<Option<Pos>>,
    /// Index of each called function by name.
    fn_index: HashMap<String, usize>,
}

/// Validates `spec` and resolves it.
pub(crate) fn plan(spec: &Spec, options: &Options) -> Result<Plan> {
    let mut r = Reporter::new(&spec.source_name, spec.source.as_deref());
    let plan = check(spec, options, &mut r);
    r.finish()?;
    // `check` returns `None` only after reporting an error.
    plan.ok_or_else(|| crate::Error::Spec(Vec::new()))
}

fn check<'s>(spec: &'s Spec, options: &Options, r: &mut Reporter<'s>) -> Option<Plan> {
    let target = Target::by_id(&spec.target);
    if target.is_none() {
        r.error(
            spec.target_at,
            format!(
                "unsupported target `{}` (expected one of {})",
                spec.target,
                Target::ids()
            ),
        );
    }
    if !crate::spec::SCHEMA_VERSIONS.contains(&spec.schema) {
        r.error(
            spec.schema_at,
            format!(
                "unsupported schema {} (this airlink reads schemas 1 and 2)",
                spec.schema
            ),
        );
        return None;
    }
    if !is_ident(&spec.kernel) {
        r.error(
            spec.kernel_at,
            format!("kernel name `{}` is not an identifier", spec.kernel),
        );
    }
    let [x, y, z] = spec.threadgroup_size;
    let threads = u64::from(x)
        .saturating_mul(u64::from(y))
        .saturating_mul(u64::from(z));
    if threads == 0 || threads > u64::from(MAX_THREADS_PER_THREADGROUP) {
        r.error(
            spec.threadgroup_size_at,
            format!(
                "threadgroup size {x}x{y}x{z} = {threads} threads is outside 1..={MAX_THREADS_PER_THREADGROUP}"
            ),
        );
    }
    let body = options.body.unwrap_or(spec.body);
    let fallback = options.fallback.unwrap_or(spec.fallback);
    let copy_form = options.copy_form.unwrap_or(spec.copy_form);

    let mut c = Checker {
        spec,
        r,
        syms: HashMap::new(),
        params: Vec::new(),
        regions: Vec::new(),
        let_uniform: Vec::new(),
        lets: Vec::new(),
        constants: spec
            .constants
            .iter()
            .map(|k| (k.name.clone(), k.value))
            .collect(),
        privates: Vec::new(),
        next_id: 0,
        copy_form,
        target,
        functions: Vec::new(),
        fn_first_at: Vec::new(),
        fn_index: HashMap::new(),
    };
    c.schema_one_keys();
    c.declare_names();
    let tg = c.layout_threadgroup();
    c.declare_privates();
    c.resolve_lets();
    let requires = c.requires();

    // Copies need an event per simdgroup-0 issue; with more than one
    // simdgroup they are gated on the simdgroup index (air.md §2.8), and the
    // cooperative fallback strides over the thread index in the threadgroup.
    fn any_copy(steps: &[Step]) -> bool {
        steps.iter().any(|s| match &s.kind {
            StepKind::Copy(_) => true,
            StepKind::Loop(l) => any_copy(&l.body),
            _ => false,
        })
    }
    let has_copy = any_copy(&spec.steps);
    let sidx = (has_copy && fallback == Fallback::None && threads > u64::from(SIMD_WIDTH))
        .then(|| c.implicit_system_value(SystemValueKind::SimdgroupIndexInThreadgroup, "sidx"));
    let tidx = (has_copy && fallback == Fallback::Cooperative)
        .then(|| c.implicit_system_value(SystemValueKind::ThreadIndexInThreadgroup, "tid_in_tg"));

    let steps = c.steps(&spec.steps);
    let mut functions = std::mem::take(&mut c.functions);
    c.function_facts(&mut functions, body);

    let target = target?;
    if c.r.has_errors() {
        return None;
    }
    let mut plan = Plan {
        schema: spec.schema,
        target,
        kernel: spec.kernel.clone(),
        module_name: spec.module.clone().unwrap_or_else(|| spec.kernel.clone()),
        source_name: file_name(&spec.source_name),
        threadgroup_size: spec.threadgroup_size,
        threads,
        body,
        fallback,
        constants: c.constants,
        lets: c.lets,
        requires,
        privates: c.privates,
        params: c.params,
        tg,
        functions,
        steps,
        sidx,
        tidx,
        wait_sets: HashMap::new(),
    };
    crate::check::check(&mut plan, c.r);
    if c.r.has_errors() {
        return None;
    }
    Some(plan)
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// A tile entry's static bound: the constant of `min(C, e)` / `min(e, C)`.
fn min_bound(e: &Expr, consts: &HashMap<String, i64>) -> Option<i64> {
    let Expr::Binary(BinOp::Min, a, b) = e else {
        return None;
    };
    let fold = |x: &Expr| x.eval(&|n| consts.get(n).copied()).ok().flatten();
    fold(a).or_else(|| fold(b))
}

impl<'s> Checker<'s, '_> {
    fn declare(&mut self, name: &str, at: Option<Pos>, sym: Sym) {
        if !is_ident(name) {
            self.r.error(at, format!("`{name}` is not an identifier"));
            return;
        }
        if self.syms.insert(name.to_string(), sym).is_some() {
            self.r.error(at, format!("`{name}` is declared twice"));
        }
    }

    /// Schema 1 specs mean what they always meant: the keys schema 2 added
    /// are errors in them.
    fn schema_one_keys(&mut self) {
        let spec = self.spec;
        if spec.schema != 1 {
            return;
        }
        let need = |what: &str| format!("{what} needs `schema = 2`");
        if !spec.lets.is_empty() {
            let at = spec.lets_at.or_else(|| spec.lets[0].value.at);
            self.r.error(at, need("`let`"));
        }
        if let Some(first) = spec.requires.first() {
            self.r.error(first.at, need("`requires`"));
        }
        if let Some(p) = spec.privates.first() {
            self.r.error(p.at, need("`private`"));
        }
        for reg in &spec.threadgroup.regions {
            if reg.buffers != 1 {
                self.r.error(reg.at, need("`buffers`"));
            }
        }
        for f in &spec.functions {
            if f.msl.is_some() {
                self.r.error(f.at, need("`msl`"));
            }
        }
    }

    fn declare_names(&mut self) {
        let spec = self.spec;
        let mut slots: HashMap<u32, &str> = HashMap::new();
        let mut slot = |r: &mut Reporter<'_>, index: u32, name: &'s str, at: Option<Pos>| {
            if index >= BUFFER_SLOTS {
                r.error(
                    at,
                    format!(
                        "buffer index {index} of `{name}` is over the limit of {}",
                        BUFFER_SLOTS - 1
                    ),
                );
            }
            if let Some(other) = slots.insert(index, name) {
                r.error(
                    at,
                    format!("`{name}` uses buffer index {index}, already taken by `{other}`"),
                );
            }
        };
        for b in &spec.buffers {
            slot(self.r, b.index, &b.name, b.at);
            let i = self.params.len();
            self.params.push(Param {
                name: b.name.clone(),
                kind: ParamKind::Buffer {
                    element: b.element,
                    access: b.access,
                    index: b.index,
                },
            });
            self.declare(&b.name, b.at, Sym::Param(i));
        }
        for s in &spec.scalars {
            slot(self.r, s.index, &s.name, s.at);
            let i = self.params.len();
            self.params.push(Param {
                name: s.name.clone(),
                kind: ParamKind::Scalar {
                    ty: s.ty,
                    index: s.index,
                },
            });
            self.declare(&s.name, s.at, Sym::Param(i));
        }
        // Repeated kinds, found in one pass (a spec may list thousands).
        let mut first_of: HashMap<SystemValueKind, &str> = HashMap::new();
        for v in &spec.system_values {
            // Only the builder can name a value outside the spec format's
            // list (the TOML reader looks names up in that list).
            if !SPEC_SYSTEM_VALUES.contains(&v.kind) {
                self.r.error(
                    v.at,
                    format!(
                        "system value `{}` is `{}`, which specs do not take: one of {}",
                        v.name,
                        v.kind.name(),
                        spec_system_value_names()
                    ),
                );
            }
            match first_of.get(&v.kind) {
                Some(first) => self.r.error(
                    v.at,
                    format!(
                        "system value `{}` repeats `{}`, already taken by `{first}`",
                        v.name,
                        v.kind.name(),
                    ),
                ),
                None => {
                    first_of.insert(v.kind, &v.name);
                }
            }
            let i = self.params.len();
            self.params.push(Param {
                name: v.name.clone(),
                kind: ParamKind::System {
                    kind: v.kind,
                    ty: v.ty,
                },
            });
            self.declare(&v.name, v.at, Sym::Param(i));
        }
        for k in &spec.constants {
            self.declare(&k.name, k.at, Sym::Constant);
        }
    }

    /// The parameter holding system value `kind`, added (with a fresh
    /// name) when the spec does not declare it. System values are not host
    /// bindings, so an extra one changes nothing for the host.
    fn implicit_system_value(&mut self, kind: SystemValueKind, name: &str) -> usize {
        if let Some(i) = self
            .params
            .iter()
            .position(|p| matches!(p.kind, ParamKind::System { kind: k, .. } if k == kind))
        {
            return i;
        }
        let mut candidate = name.to_string();
        let mut n = 1;
        while self.syms.contains_key(&candidate) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        let i = self.params.len();
        self.params.push(Param {
            name: candidate.clone(),
            kind: ParamKind::System {
                kind,
                ty: SystemValueType::UInt,
            },
        });
        self.syms.insert(candidate, Sym::Param(i));
        i
    }

    fn layout_threadgroup(&mut self) -> Option<TgLayout> {
        let tg = &self.spec.threadgroup;
        if !is_ident(&tg.name) {
            self.r.error(
                tg.at,
                format!("threadgroup name `{}` is not an identifier", tg.name),
            );
        }
        let mut next = 0u64;
        let mut max_align = 1u64;
        let mut spans: Vec<(u64, u64, usize)> = Vec::new();
        for reg in &tg.regions {
            let align = reg.align.unwrap_or(reg.element.align());
            if align == 0 || !align.is_power_of_two() {
                self.r.error(
                    reg.at,
                    format!(
                        "region `{}`: alignment {align} is not a power of two",
                        reg.name
                    ),
                );
                continue;
            }
            if align < reg.element.align() {
                self.r.error(
                    reg.at,
                    format!(
                        "region `{}`: alignment {align} is below the {}-byte alignment of `{}`",
                        reg.name,
                        reg.element.align(),
                        reg.element.msl_name()
                    ),
                );
            }
            if reg.count == 0 {
                self.r
                    .error(reg.at, format!("region `{}` has no elements", reg.name));
                continue;
            }
            if reg.buffers == 0 || reg.buffers > MAX_REGION_BUFFERS {
                self.r.error(
                    reg.at,
                    format!(
                        "region `{}` has {} buffers; a region has 1 to {MAX_REGION_BUFFERS}",
                        reg.name, reg.buffers
                    ),
                );
                continue;
            }
            let offset = match reg.offset {
                Some(o) => {
                    if o % align != 0 {
                        self.r.error(
                            reg.at,
                            format!("region `{}` is misaligned: offset {o} is not a multiple of its alignment {align}", reg.name),
                        );
                    }
                    o
                }
                None => next.div_ceil(align).saturating_mul(align),
            };
            let Some(one) = reg.count.checked_mul(reg.element.size()) else {
                self.r
                    .error(reg.at, format!("region `{}` is too large", reg.name));
                continue;
            };
            if reg.buffers > 1 && one % align != 0 {
                self.r.error(
                    reg.at,
                    format!(
                        "region `{}`: one buffer is {one} bytes, not a multiple of its alignment {align}, so its other buffers would be misaligned",
                        reg.name
                    ),
                );
            }
            let Some(size) = one.checked_mul(reg.buffers) else {
                self.r
                    .error(reg.at, format!("region `{}` is too large", reg.name));
                continue;
            };
            let end = offset.saturating_add(size);
            for &(s, e, j) in &spans {
                if offset < e && s < end {
                    let other = &self.regions[j].name;
                    self.r.error(
                        reg.at,
                        format!(
                            "region `{}` (bytes {offset}..{end}) overlaps region `{other}` (bytes {s}..{e})",
                            reg.name
                        ),
                    );
                }
            }
            let i = self.regions.len();
            spans.push((offset, end, i));
            self.regions.push(RegionLayout {
                name: reg.name.clone(),
                element: reg.element,
                offset,
                count: reg.count,
                buffers: reg.buffers,
            });
            self.declare(&reg.name, reg.at, Sym::Region(i));
            next = next.max(end);
            max_align = max_align.max(align);
        }
        let bytes = match tg.bytes {
            Some(b) if b < next => {
                self.r.error(
                    tg.at,
                    format!("threadgroup `bytes = {b}` is smaller than the {next} bytes its regions need"),
                );
                next
            }
            Some(b) => b,
            None => next,
        };
        if bytes > MAX_THREADGROUP_MEMORY_BYTES {
            // Multi-buffer regions count every buffer; say so.
            let multi: Vec<String> = self
                .regions
                .iter()
                .filter(|r| r.buffers > 1)
                .map(|r| {
                    format!(
                        "`{}`: {} buffers x {} bytes",
                        r.name,
                        r.buffers,
                        r.count * r.element.size()
                    )
                })
                .collect();
            let detail = if multi.is_empty() {
                String::new()
            } else {
                format!(" ({})", multi.join(", "))
            };
            self.r.error(
                tg.at.or_else(|| tg.regions.last().and_then(|r| r.at)),
                format!(
                    "threadgroup memory is {bytes} bytes, over the 32 KiB ({MAX_THREADGROUP_MEMORY_BYTES} bytes) limit{detail}"
                ),
            );
        }
        if bytes == 0 {
            return None;
        }
        // An array of the regions' common element type keeps the global and
        // its GEPs in the shape the reference shells use; mixed types fall
        // back to bytes.
        let first = self.regions.first().map(|r| r.element);
        let common = first.filter(|e| {
            self.regions
                .iter()
                .all(|r| r.element == *e && r.offset % e.size() == 0)
                && bytes % e.size() == 0
        });
        Some(TgLayout {
            name: tg.name.clone(),
            element: common,
            bytes,
            align: max_align,
            regions: self.regions.clone(),
        })
    }

    fn declare_privates(&mut self) {
        for p in &self.spec.privates {
            if p.count == 0 || p.count > MAX_PRIVATE_ELEMENTS {
                self.r.error(
                    p.at,
                    format!(
                        "private `{}` has {} elements; a private array has 1 to {MAX_PRIVATE_ELEMENTS}",
                        p.name, p.count
                    ),
                );
                continue;
            }
            if let Some(Literal::Float(bits)) = p.fill {
                if p.element.int_signed().is_some() {
                    self.r.error(
                        p.at,
                        format!(
                            "private `{}` holds `{}`, so its `fill` must be an integer, found {}",
                            p.name,
                            p.element.msl_name(),
                            f64::from_bits(bits)
                        ),
                    );
                    continue;
                }
            }
            let i = self.privates.len();
            self.privates.push(PrivatePlan {
                name: p.name.clone(),
                element: p.element,
                count: p.count,
                fill: p.fill,
            });
            self.declare(&p.name, p.at, Sym::Private(i));
        }
    }

    /// Orders the `let` values so each comes after the ones it uses
    /// (without recursion: thousands of chained lets must not overflow the
    /// stack), folds the constant ones and checks the rest.
    fn resolve_lets(&mut self) {
        let spec = self.spec;
        let n = spec.lets.len();
        let mut exprs: Vec<Option<Expr>> = Vec::with_capacity(n);
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, l) in spec.lets.iter().enumerate() {
            let before = self.r.diags.len();
            // Placeholder: the real symbol is set once the let is resolved.
            self.declare(&l.name, l.value.at, Sym::Let(usize::MAX));
            if self.r.diags.len() == before {
                index.insert(&l.name, i);
            }
            exprs.push(self.parse(&l.value));
        }
        // Kahn's algorithm, ties in declaration order.
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut missing = vec![0usize; n];
        for (i, e) in exprs.iter().enumerate() {
            let Some(e) = e else { continue };
            let mut seen = HashSet::new();
            for (name, _) in e.names() {
                if let Some(&j) = index.get(name) {
                    if seen.insert(j) {
                        users[j].push(i);
                        missing[i] += 1;
                    }
                }
            }
        }
        let mut ready: BinaryHeap<std::cmp::Reverse<usize>> = (0..n)
            .filter(|&i| missing[i] == 0)
            .map(std::cmp::Reverse)
            .collect();
        let mut order = Vec::with_capacity(n);
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            order.push(i);
            for &u in &users[i] {
                missing[u] -= 1;
                if missing[u] == 0 {
                    ready.push(std::cmp::Reverse(u));
                }
            }
        }
        for (l, _) in spec.lets.iter().zip(&missing).filter(|(_, m)| **m > 0) {
            self.r.error(
                l.value.at,
                format!("let `{}` depends on itself (a cycle of lets)", l.name),
            );
        }
        for i in order {
            let l = &spec.lets[i];
            let Some(e) = &exprs[i] else { continue };
            if !index.contains_key(l.name.as_str()) {
                continue;
            }
            let Some(value) = self.check_expr(e, &l.value, Ctx::Any) else {
                continue;
            };
            match value {
                Some(v) => {
                    self.constants.insert(l.name.clone(), v);
                    self.syms.insert(l.name.clone(), Sym::Constant);
                }
                None => {
                    let uniform = self.is_uniform(e);
                    let k = self.lets.len();
                    self.lets.push(LetPlan {
                        name: l.name.clone(),
                        expr: e.clone(),
                    });
                    self.let_uniform.push(uniform);
                    self.syms.insert(l.name.clone(), Sym::Let(k));
                }
            }
        }
    }

    /// Whether every name of `e` has one value for the whole threadgroup.
    fn is_uniform(&self, e: &Expr) -> bool {
        e.names().iter().all(|(n, _)| self.name_uniform(n))
    }

    fn name_uniform(&self, name: &str) -> bool {
        match self.syms.get(name) {
            Some(Sym::Constant) | Some(Sym::LoopVar) => true,
            Some(Sym::Let(i)) => self.let_uniform.get(*i).copied().unwrap_or(false),
            Some(Sym::Param(i)) => match self.params[*i].kind {
                ParamKind::Scalar { .. } => true,
                ParamKind::System { kind, .. } => uniform_system_value(kind),
                ParamKind::Buffer { .. } => false,
            },
            _ => false,
        }
    }

    fn requires(&mut self) -> Vec<Cond> {
        let mut out = Vec::new();
        for text in &self.spec.requires {
            if let Some(c) = self.cond(text, "a `requires` condition") {
                out.push(c);
            }
        }
        out
    }

    fn parse(&mut self, text: &Text) -> Option<Expr> {
        match parse_expr(&text.text) {
            Ok(e) => Some(e),
            Err(e) => {
                self.r.error(
                    shift(text.at, &text.text, e.offset),
                    format!("in `{}`: {}", text.text, e.message),
                );
                None
            }
        }
    }

    /// A uniform condition.
    fn cond(&mut self, text: &Text, what: &'static str) -> Option<Cond> {
        let c = match parse_cond(&text.text) {
            Ok(c) => c,
            Err(e) => {
                self.r.error(
                    shift(text.at, &text.text, e.offset),
                    format!("in `{}`: {}", text.text, e.message),
                );
                return None;
            }
        };
        let a = self.check_expr(&c.lhs, text, Ctx::Uniform(what));
        let b = self.check_expr(&c.rhs, text, Ctx::Uniform(what));
        (a.is_some() && b.is_some()).then_some(c)
    }

    /// Checks that every name of `e` may be used in `ctx`. Returns the
    /// constant value when there is one.
    fn check_expr(&mut self, e: &Expr, text: &Text, ctx: Ctx) -> Option<Option<i64>> {
        let mut ok = true;
        for (name, at) in e.names() {
            let pos = shift(text.at, &text.text, at);
            let sym = self.syms.get(name).copied();
            let allowed = match sym {
                Some(Sym::Constant) => true,
                Some(Sym::LoopVar) => true,
                Some(Sym::Let(_)) => ctx != Ctx::Slot,
                Some(Sym::Param(i)) => match &self.params[i].kind {
                    ParamKind::System { .. } => ctx != Ctx::Slot,
                    ParamKind::Scalar { ty, .. } if ty.int_signed().is_some() => ctx != Ctx::Slot,
                    ParamKind::Scalar { ty, .. } => {
                        self.r.error(
                            pos,
                            format!("scalar `{name}` is a `{}`, not an integer", ty.msl_name()),
                        );
                        ok = false;
                        continue;
                    }
                    ParamKind::Buffer { .. } => {
                        self.r.error(
                            pos,
                            format!("`{name}` is a buffer; an expression takes system values, integer scalars and constants"),
                        );
                        ok = false;
                        continue;
                    }
                },
                Some(Sym::Region(_)) => {
                    self.r.error(
                        pos,
                        format!("`{name}` is a threadgroup region; an expression takes system values, integer scalars and constants"),
                    );
                    ok = false;
                    continue;
                }
                Some(Sym::Private(_)) => {
                    self.r.error(
                        pos,
                        format!("`{name}` is a private array; an expression takes system values, integer scalars and constants (write `{name}[i]` for an element argument)"),
                    );
                    ok = false;
                    continue;
                }
                None => {
                    self.r.error(pos, format!("unknown name `{name}`"));
                    ok = false;
                    continue;
                }
            };
            if !allowed {
                self.r.error(
                    pos,
                    format!("a slot takes constants and loop variables; `{name}` is neither"),
                );
                ok = false;
                continue;
            }
            if let Ctx::Uniform(what) = ctx {
                if !self.name_uniform(name) {
                    self.r.error(
                        pos,
                        format!("`{name}` varies per thread; {what} must be the same for the whole threadgroup"),
                    );
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let consts = &self.constants;
        match e.eval(&|n| consts.get(n).copied()) {
            Ok(v) => Some(v),
            Err(m) => {
                self.r.error(text.at, format!("in `{}`: {m}", text.text));
                None
            }
        }
    }

    /// Resolves the steps of one list (recursively through loops).
    fn steps(&mut self, steps: &'s [Step]) -> Vec<Planned> {
        let mut out = Vec::new();
        for step in steps {
            let id = self.next_id;
            self.next_id += 1;
            if self.spec.schema == 1 {
                let need = |what: &str| format!("{what} needs `schema = 2`");
                if let Some(w) = &step.when {
                    self.r.error(w.at.or(step.at), need("`when`"));
                }
                match &step.kind {
                    StepKind::WaitFor(_) => self.r.error(step.at, need("`wait` with `for`")),
                    StepKind::Loop(_) => self.r.error(step.at, need("a `loop` step")),
                    _ => {}
                }
            }
            let when = match &step.when {
                Some(_) if matches!(step.kind, StepKind::Loop(_)) => {
                    self.r
                        .error(step.at, "a loop step takes no `when` (guard its steps)");
                    None
                }
                Some(text) => self.cond(text, "a `when` condition"),
                None => None,
            };
            let kind = match &step.kind {
                StepKind::Copy(copy) => self
                    .copy(copy, step.at)
                    .map(|c| StepPlan::Copy(Box::new(c))),
                StepKind::Wait => Some(StepPlan::Wait(None)),
                StepKind::WaitFor(list) => self
                    .wait_for(list, step.at)
                    .map(|l| StepPlan::Wait(Some(l))),
                StepKind::Barrier(m) => Some(StepPlan::Barrier(*m)),
                StepKind::Call(call) => self.call(call, step.at).map(StepPlan::Call),
                StepKind::Loop(l) => self.repeat(l, step.at).map(StepPlan::Loop),
            };
            if let Some(kind) = kind {
                out.push(Planned {
                    id,
                    at: step.at,
                    when,
                    kind,
                });
            }
        }
        out
    }

    fn repeat(&mut self, l: &'s crate::spec::Loop, at: Option<Pos>) -> Option<LoopPlan> {
        let count = self.parse(&l.count);
        let count = count.filter(|e| {
            self.check_expr(e, &l.count, Ctx::Uniform("a loop count"))
                .is_some()
        });
        if !is_ident(&l.var) {
            self.r.error(
                at,
                format!("loop variable `{}` is not an identifier", l.var),
            );
            return None;
        }
        if self.syms.contains_key(&l.var) {
            self.r.error(
                at,
                format!(
                    "loop variable `{}` is already a name of the spec (or of an enclosing loop)",
                    l.var
                ),
            );
            return None;
        }
        self.syms.insert(l.var.clone(), Sym::LoopVar);
        let body = self.steps(&l.body);
        self.syms.remove(&l.var);
        Some(LoopPlan {
            var: l.var.clone(),
            count: count?,
            body,
        })
    }

    /// A region buffer named in a copy end, `wait for` or argument.
    /// `slot_text` is the slot's text for messages.
    fn buf_ref(
        &mut self,
        region: usize,
        slot: Option<&Expr>,
        text: &Text,
        slot_at: usize,
    ) -> Option<BufRef> {
        let reg = &self.regions[region];
        let (name, buffers) = (reg.name.clone(), reg.buffers);
        match slot {
            None if buffers > 1 => {
                self.r.error(
                    text.at,
                    format!("region `{name}` has {buffers} buffers; name one, as `{name}@0` or `{name}@i` with a loop variable `i`"),
                );
                None
            }
            None => Some(BufRef { region, slot: None }),
            Some(_) if self.spec.schema == 1 => {
                self.r
                    .error(text.at, "`NAME@slot` needs `schema = 2`".to_string());
                None
            }
            Some(_) if buffers == 1 => {
                self.r.error(
                    shift(text.at, &text.text, slot_at),
                    format!("region `{name}` has one buffer; name it `{name}` without a slot"),
                );
                None
            }
            Some(e) => {
                self.check_expr(e, text, Ctx::Slot)?;
                Some(BufRef {
                    region,
                    slot: Some(e.clone()),
                })
            }
        }
    }

    fn wait_for(&mut self, list: &[Text], at: Option<Pos>) -> Option<Vec<BufRef>> {
        if list.is_empty() {
            self.r.error(
                at,
                "`for` lists no region; leave it out to wait for every copy in flight",
            );
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for text in list {
            let parsed = match parse_region_ref(&text.text) {
                Ok(r) => r,
                Err(e) => {
                    self.r.error(
                        shift(text.at, &text.text, e.offset),
                        format!("in `{}`: {}", text.text, e.message),
                    );
                    ok = false;
                    continue;
                }
            };
            let Some(Sym::Region(region)) = self.syms.get(&parsed.name).copied() else {
                self.r.error(
                    text.at,
                    format!(
                        "`wait` `for` names threadgroup regions; `{}` is not one",
                        parsed.name
                    ),
                );
                ok = false;
                continue;
            };
            match self.buf_ref(region, parsed.slot.as_ref(), text, parsed.slot_at) {
                Some(b) if out.contains(&b) => {
                    self.r
                        .error(text.at, format!("`{}` is listed twice", text.text));
                    ok = false;
                }
                Some(b) => out.push(b),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// A tile entry: a positive constant, or (schema 2) `min(C, expr)`.
    fn extent(&mut self, d: &Dim, at: Option<Pos>, what: &str) -> Option<Extent> {
        match d {
            Dim::Const(v) => Some(Extent::constant(*v)),
            Dim::Expr(text) => {
                if self.spec.schema == 1 {
                    self.r.error(
                        text.at.or(at),
                        format!("a {what} expression needs `schema = 2`"),
                    );
                    return None;
                }
                let e = self.parse(text)?;
                let value = self.check_expr(&e, text, Ctx::Uniform("a tile size"))?;
                if let Some(v) = value {
                    if v <= 0 {
                        self.r.error(
                            text.at,
                            format!("{what} `{}` is {v}; tile sizes must be positive", text.text),
                        );
                        return None;
                    }
                    return Some(Extent::constant(v as u64));
                }
                match min_bound(&e, &self.constants) {
                    Some(c) if c > 0 => Some(Extent {
                        bound: c as u64,
                        dynamic: Some(e),
                    }),
                    _ => {
                        self.r.error(
                            text.at,
                            format!("a run-time {what} must be `min(C, expr)` with a positive constant `C` (its largest value, which the region must fit), found `{}`", text.text),
                        );
                        None
                    }
                }
            }
        }
    }

    /// A pitch: a constant, or (schema 2, buffer side only) an expression.
    fn pitch(
        &mut self,
        d: Option<&Dim>,
        default: u64,
        region_side: bool,
        at: Option<Pos>,
        which: &str,
    ) -> Option<IntPlan> {
        match d {
            None => Some(IntPlan::Const(default)),
            Some(Dim::Const(v)) => Some(IntPlan::Const(*v)),
            Some(Dim::Expr(text)) => {
                if self.spec.schema == 1 {
                    self.r.error(
                        text.at.or(at),
                        format!("a {which} expression needs `schema = 2`"),
                    );
                    return None;
                }
                let e = self.parse(text)?;
                match self.check_expr(&e, text, Ctx::Uniform("a pitch"))? {
                    Some(v) if v >= 0 => Some(IntPlan::Const(v as u64)),
                    Some(v) => {
                        self.r.error(
                            text.at,
                            format!("{which} `{}` is negative ({v})", text.text),
                        );
                        None
                    }
                    None if region_side => {
                        self.r.error(
                            text.at,
                            format!("the {which} of the region side must be a constant (so the tile can be checked against the region), found `{}`", text.text),
                        );
                        None
                    }
                    None => Some(IntPlan::Dyn(e)),
                }
            }
        }
    }

    fn copy(&mut self, copy: &crate::spec::Copy, at: Option<Pos>) -> Option<CopyPlan> {
        // `NAME` or `NAME@slot`; text that is neither is an unknown name.
        let ends: Vec<_> = [&copy.from, &copy.to]
            .into_iter()
            .map(|name| match parse_region_ref(name) {
                Ok(r) => (r.name.clone(), Some(r)),
                Err(_) => (name.clone(), None),
            })
            .collect();
        let (from_name, from_ref) = ends[0].clone();
        let (to_name, to_ref) = ends[1].clone();
        let from = self.syms.get(&from_name).copied();
        let to = self.syms.get(&to_name).copied();
        for (name, sym, parsed) in [(&copy.from, from, &from_ref), (&copy.to, to, &to_ref)] {
            if sym.is_none() || parsed.is_none() {
                self.r
                    .error(at, format!("unknown buffer or region `{name}`"));
            }
        }
        let (from, to) = (from?, to?);
        let (from_ref, to_ref) = (from_ref?, to_ref?);
        let buffer = |c: &Self, s: Sym| match s {
            Sym::Param(i) => match c.params[i].kind {
                ParamKind::Buffer {
                    element, access, ..
                } => Some((i, element, access)),
                _ => None,
            },
            _ => None,
        };
        let region = |s: Sym| match s {
            Sym::Region(i) => Some(i),
            _ => None,
        };
        let (to_threadgroup, buf, reg) = match (
            buffer(self, from),
            region(from),
            buffer(self, to),
            region(to),
        ) {
            (Some(b), _, _, Some(r)) => (true, b, r),
            (_, Some(r), Some(b), _) => (false, b, r),
            _ => {
                self.r.error(
                    at,
                    format!(
                        "a copy moves data between a buffer and a threadgroup region; `{}` -> `{}` is not such a pair",
                        copy.from, copy.to
                    ),
                );
                return None;
            }
        };
        let (buf_ref_parsed, reg_ref_parsed, reg_text) = if to_threadgroup {
            (&from_ref, &to_ref, &copy.to)
        } else {
            (&to_ref, &from_ref, &copy.from)
        };
        if buf_ref_parsed.slot.is_some() {
            let name = if to_threadgroup { &copy.from } else { &copy.to };
            self.r.error(
                at,
                format!(
                    "`{name}`: only regions have slots (`@`); `{}` is a buffer",
                    buf_ref_parsed.name
                ),
            );
            return None;
        }
        let reg_text = Text {
            text: reg_text.clone(),
            at,
        };
        let buf_ref = self.buf_ref(
            reg,
            reg_ref_parsed.slot.as_ref(),
            &reg_text,
            reg_ref_parsed.slot_at,
        )?;
        let (buf_param, buf_elem, access) = buf;
        let region = self.regions[reg].clone();
        let mut ok = true;
        if !to_threadgroup && !access.writable() {
            self.r.error(
                at,
                format!(
                    "copy writes to buffer `{}`, which is declared `access = \"read\"`",
                    copy.to
                ),
            );
            ok = false;
        }
        if buf_elem.size() != region.element.size() {
            self.r.error(
                at,
                format!(
                    "copy between `{}` ({}) and `{}` ({}): element sizes differ",
                    copy.from,
                    if to_threadgroup {
                        buf_elem.msl_name()
                    } else {
                        region.element.msl_name()
                    },
                    copy.to,
                    if to_threadgroup {
                        region.element.msl_name()
                    } else {
                        buf_elem.msl_name()
                    },
                ),
            );
            ok = false;
        }
        if copy
            .tile
            .iter()
            .chain(copy.dst_tile.iter().flatten())
            .any(|d| *d == Dim::Const(0))
        {
            self.r.error(at, "tile sizes must be positive");
            return None;
        }
        let w = self.extent(&copy.tile[0], at, "tile width");
        let h = self.extent(&copy.tile[1], at, "tile height");
        let src_tile = [w?, h?];
        let dst_tile = match &copy.dst_tile {
            None => src_tile.clone(),
            Some(d) => {
                let w = self.extent(&d[0], at, "dst_tile width");
                let h = self.extent(&d[1], at, "dst_tile height");
                [w?, h?]
            }
        };
        if copy.dst_tile.is_some() && !to_threadgroup && dst_tile != src_tile {
            self.r.error(at, "`dst_tile` differs from `tile` in a threadgroup -> device copy; only device -> threadgroup copies fill a larger tile");
            ok = false;
        }
        if to_threadgroup && dst_tile.iter().any(|e| e.dynamic.is_some()) {
            self.r.error(
                at,
                "`dst_tile` of a device -> threadgroup copy must be constant (it is the region side); give `tile` the run-time size",
            );
            ok = false;
        }
        if dst_tile[0].bound < src_tile[0].bound || dst_tile[1].bound < src_tile[1].bound {
            self.r.error(
                at,
                format!(
                    "`dst_tile` [{}, {}] is smaller than `tile` [{}, {}]",
                    dst_tile[0].bound, dst_tile[1].bound, src_tile[0].bound, src_tile[1].bound
                ),
            );
            ok = false;
        }
        let src_pitch = self.pitch(
            copy.src_pitch.as_ref(),
            src_tile[0].bound,
            !to_threadgroup,
            at,
            "src_pitch",
        );
        let dst_pitch = self.pitch(
            copy.dst_pitch.as_ref(),
            dst_tile[0].bound,
            to_threadgroup,
            at,
            "dst_pitch",
        );
        let (src_pitch, dst_pitch) = (src_pitch?, dst_pitch?);
        for (which, pitch, width) in [
            ("src_pitch", &src_pitch, src_tile[0].bound),
            ("dst_pitch", &dst_pitch, dst_tile[0].bound),
        ] {
            if let IntPlan::Const(pitch) = pitch {
                if *pitch < width {
                    self.r.error(
                        at,
                        format!("{which} {pitch} is smaller than the tile width {width}"),
                    );
                    ok = false;
                }
            }
        }
        let form = copy.form.unwrap_or(self.copy_form);
        if form == CopyForm::OneD {
            if let Some(t) = self.target {
                if (t.air_version.0, t.air_version.1) != (2, 8) {
                    let (maj, min, _) = t.air_version;
                    self.r.error(
                        at,
                        format!(
                            "1d copies are only allowed for AIR 2.8 targets (their operand form was only run on AIR 2.8); `{}` is AIR {maj}.{min}",
                            t.id
                        ),
                    );
                    ok = false;
                }
            }
            let dynamic = src_tile
                .iter()
                .chain(dst_tile.iter())
                .any(|e| e.dynamic.is_some())
                || matches!(src_pitch, IntPlan::Dyn(_))
                || matches!(dst_pitch, IntPlan::Dyn(_));
            let contiguous = |tile: &[Extent; 2], pitch: &IntPlan| {
                tile[1].bound == 1 || *pitch == IntPlan::Const(tile[0].bound)
            };
            if dynamic {
                self.r
                    .error(at, "a 1d copy needs constant tiles and pitches");
                ok = false;
            } else if dst_tile != src_tile
                || !contiguous(&src_tile, &src_pitch)
                || !contiguous(&dst_tile, &dst_pitch)
            {
                self.r.error(at, "a 1d copy needs one contiguous run: equal tiles, and height 1 or pitch equal to the width");
                ok = false;
            }
        }
        let src_expr = self.parse(&copy.src_offset);
        let dst_expr = self.parse(&copy.dst_offset);
        let (src_expr, dst_expr) = (src_expr?, dst_expr?);
        let src_val = self.check_expr(&src_expr, &copy.src_offset, Ctx::Any);
        let dst_val = self.check_expr(&dst_expr, &copy.dst_offset, Ctx::Any);
        let (src_val, dst_val) = (src_val?, dst_val?);
        let (reg_text, reg_val, reg_tile, reg_pitch, buf_val, buf_text) = if to_threadgroup {
            (
                &copy.dst_offset,
                dst_val,
                &dst_tile,
                &dst_pitch,
                src_val,
                &copy.src_offset,
            )
        } else {
            (
                &copy.src_offset,
                src_val,
                &src_tile,
                &src_pitch,
                dst_val,
                &copy.dst_offset,
            )
        };
        if let Some(v) = buf_val.filter(|v| *v < 0) {
            self.r.error(
                buf_text.at,
                format!("buffer offset `{}` is negative ({v})", buf_text.text),
            );
            ok = false;
        }
        let reg_offset = match reg_val {
            Some(v) if v >= 0 => v as u64,
            Some(v) => {
                self.r.error(
                    reg_text.at,
                    format!("region offset `{}` is negative ({v})", reg_text.text),
                );
                return None;
            }
            None => {
                self.r.error(
                    reg_text.at,
                    format!(
                        "the offset into region `{}` must be a constant (so the tile can be checked against the region), found `{}`",
                        region.name, reg_text.text
                    ),
                );
                return None;
            }
        };
        let IntPlan::Const(reg_pitch) = *reg_pitch else {
            return None;
        };
        // Elements the tile reaches: (height - 1) rows of pitch, plus a width.
        let extent = (reg_tile[1].bound - 1)
            .checked_mul(reg_pitch)
            .and_then(|v| v.checked_add(reg_tile[0].bound))
            .and_then(|v| v.checked_add(reg_offset));
        match extent {
            Some(e) if e <= region.count => {}
            _ => {
                self.r.error(
                    at,
                    format!(
                        "tile [{}, {}] with pitch {reg_pitch} at offset {reg_offset} does not fit region `{}` ({} elements)",
                        reg_tile[0].bound, reg_tile[1].bound, region.name, region.count
                    ),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let buf_offset = if to_threadgroup { src_expr } else { dst_expr };
        let buf_end = End::Buffer {
            param: buf_param,
            offset: buf_offset,
        };
        let reg_end = End::Region { offset: reg_offset };
        let (src, dst) = if to_threadgroup {
            (buf_end, reg_end)
        } else {
            (reg_end, buf_end)
        };
        Some(CopyPlan {
            to_threadgroup,
            element: buf_elem,
            region: buf_ref,
            src,
            dst,
            src_tile,
            dst_tile,
            src_pitch,
            dst_pitch,
            fill: copy.fill,
            form,
        })
    }

    fn operand(&mut self, text: &Text) -> Option<Operand> {
        match parse_operand(&text.text) {
            Ok(o) => Some(o),
            Err(e) => {
                self.r.error(
                    shift(text.at, &text.text, e.offset),
                    format!("in `{}`: {}", text.text, e.message),
                );
                None
            }
        }
    }

    /// An element reference `name[index]` (or `name@slot[index]`): what it
    /// indexes and the element type.
    fn element(
        &mut self,
        name: &str,
        name_at: usize,
        slot: Option<&Expr>,
        index: &Expr,
        text: &Text,
    ) -> Option<(ElemRef, ElemType)> {
        let pos = shift(text.at, &text.text, name_at);
        let sym = self.syms.get(name).copied();
        let (target, elem) = match sym {
            Some(Sym::Region(i)) => {
                let b = self.buf_ref(i, slot, text, name_at + name.len() + 1)?;
                (ElemRef::Region(b), self.regions[i].element)
            }
            _ if slot.is_some() => {
                self.r.error(
                    pos,
                    format!("`{name}` is not a threadgroup region, so it has no slots (`@`)"),
                );
                return None;
            }
            Some(Sym::Private(i)) => (ElemRef::Private(i), self.privates[i].element),
            Some(Sym::Param(i)) => match self.params[i].kind {
                ParamKind::Buffer { element, .. } => (ElemRef::Buffer(i), element),
                _ => {
                    self.r.error(
                        pos,
                        format!("`{name}` is not a buffer or region, so it cannot be indexed"),
                    );
                    return None;
                }
            },
            Some(Sym::Constant) | Some(Sym::Let(_)) | Some(Sym::LoopVar) => {
                self.r.error(
                    pos,
                    format!("`{name}` is a constant, so it cannot be indexed"),
                );
                return None;
            }
            None => {
                self.r
                    .error(pos, format!("unknown buffer or region `{name}`"));
                return None;
            }
        };
        let value = self.check_expr(index, text, Ctx::Any)?;
        let count = match &target {
            ElemRef::Region(b) => Some(("region", self.regions[b.region].count)),
            ElemRef::Private(i) => Some(("private array", self.privates[*i].count)),
            ElemRef::Buffer(_) => None,
        };
        if let (Some(v), Some((what, count))) = (value, count) {
            if v < 0 || v as u64 >= count {
                self.r.error(
                    pos,
                    format!("index {v} is outside {what} `{name}` ({count} elements)"),
                );
                return None;
            }
        }
        Some((target, elem))
    }

    fn call(&mut self, call: &crate::spec::Call, at: Option<Pos>) -> Option<CallPlan> {
        if !is_ident(&call.function) {
            self.r.error(
                at,
                format!("function name `{}` is not an identifier", call.function),
            );
            return None;
        }
        let mut ok = true;
        let mut args = Vec::new();
        let mut tys = Vec::new();
        let mut names = Vec::new();
        for text in &call.args {
            let Some(op) = self.operand(text) else {
                ok = false;
                continue;
            };
            let resolved = match &op {
                Operand::Element {
                    name,
                    at,
                    slot,
                    index,
                } => self
                    .element(name, *at, slot.as_ref(), index, text)
                    .map(|(target, elem)| {
                        let plan = match target {
                            ElemRef::Region(b) => ArgPlan::RegionElem(b, index.clone()),
                            ElemRef::Buffer(i) => ArgPlan::BufferElem(i, index.clone()),
                            ElemRef::Private(i) => ArgPlan::PrivateElem(i, index.clone()),
                        };
                        (plan, ArgTy::Value(elem), name.clone())
                    }),
                Operand::Region { name, at, slot } => {
                    match self.syms.get(name).copied() {
                        Some(Sym::Region(i)) => self
                            .buf_ref(i, Some(slot), text, *at + name.len() + 1)
                            .map(|b| {
                                (
                                    ArgPlan::RegionPtr(b),
                                    ArgTy::TgPtr(self.regions[i].element),
                                    name.clone(),
                                )
                            }),
                        _ => {
                            self.r.error(
                            shift(text.at, &text.text, *at),
                            format!("`{name}` is not a threadgroup region, so it has no slots (`@`)"),
                        );
                            None
                        }
                    }
                }
                Operand::Expr(Expr::Name(name, _)) => match self.syms.get(name).copied() {
                    Some(Sym::Region(i)) => self.buf_ref(i, None, text, 0).map(|b| {
                        (
                            ArgPlan::RegionPtr(b),
                            ArgTy::TgPtr(self.regions[i].element),
                            name.clone(),
                        )
                    }),
                    Some(Sym::Private(i)) => Some((
                        ArgPlan::PrivatePtr(i),
                        ArgTy::PrivPtr(self.privates[i].element),
                        name.clone(),
                    )),
                    Some(Sym::Param(i)) => Some(match self.params[i].kind {
                        ParamKind::Buffer { element, .. } => {
                            (ArgPlan::Param(i), ArgTy::DevicePtr(element), name.clone())
                        }
                        ParamKind::System { ty, .. } => (
                            ArgPlan::Param(i),
                            ArgTy::Value(ElemType::of_system_value(ty)),
                            name.clone(),
                        ),
                        ParamKind::Scalar { ty, .. } => {
                            (ArgPlan::Scalar(i), ArgTy::Value(ty), name.clone())
                        }
                    }),
                    Some(Sym::Constant) | Some(Sym::Let(_)) | Some(Sym::LoopVar) => Some((
                        ArgPlan::Uint(Expr::Name(name.clone(), 0)),
                        ArgTy::Value(ElemType::UInt),
                        name.clone(),
                    )),
                    None => {
                        self.r.error(text.at, format!("unknown name `{name}`"));
                        None
                    }
                },
                Operand::Expr(e) => self.check_expr(e, text, Ctx::Any).map(|_| {
                    (
                        ArgPlan::Uint(e.clone()),
                        ArgTy::Value(ElemType::UInt),
                        String::new(),
                    )
                }),
            };
            match resolved {
                Some((plan, ty, name)) => {
                    args.push(plan);
                    tys.push(ty);
                    names.push(name);
                }
                None => ok = false,
            }
        }
        let store = match &call.store {
            None => None,
            Some(text) => {
                let op = self.operand(text)?;
                let Operand::Element {
                    name,
                    at: name_at,
                    slot,
                    index,
                } = op
                else {
                    self.r.error(
                        text.at,
                        format!("`store` takes `buffer[index]`, found `{}`", text.text),
                    );
                    return None;
                };
                let (target, elem) = self.element(&name, name_at, slot.as_ref(), &index, text)?;
                let pos = shift(text.at, &text.text, name_at);
                let ElemRef::Buffer(p) = target else {
                    let what = match target {
                        ElemRef::Private(_) => "a private array",
                        _ => "a threadgroup region",
                    };
                    self.r.error(
                        pos,
                        format!("`store` writes a buffer element; `{name}` is {what}"),
                    );
                    return None;
                };
                if let ParamKind::Buffer {
                    access: Access::Read,
                    ..
                } = self.params[p].kind
                {
                    self.r.error(pos, format!("`store` writes to buffer `{name}`, which is declared `access = \"read\"`"));
                    ok = false;
                }
                match call.returns {
                    None => {
                        self.r.error(text.at, format!("`store` needs a return value, but `{}` returns void (set `returns`)", call.function));
                        ok = false;
                    }
                    Some(t) if t != elem => {
                        self.r.error(
                            text.at,
                            format!(
                                "`{}` returns `{}` but `{name}` holds `{}`",
                                call.function,
                                t.msl_name(),
                                elem.msl_name()
                            ),
                        );
                        ok = false;
                    }
                    Some(_) => {}
                }
                Some((p, index))
            }
        };
        if !ok {
            return None;
        }
        let sig = |ret: Option<ElemType>, params: &[ArgTy]| {
            let ps: Vec<String> = params.iter().map(|p| p.msl()).collect();
            format!(
                "{} ({})",
                ret.map_or("void", |t| t.msl_name()),
                ps.join(", ")
            )
        };
        let function = match self.fn_index.get(&call.function).copied() {
            Some(i) => {
                let f = &self.functions[i];
                if f.ret != call.returns || f.params != tys {
                    let first = self.fn_first_at[i]
                        .map_or(String::new(), |p| format!(" at line {}", p.line));
                    self.r.error(
                        at,
                        format!(
                            "function `{}` is called with two signatures: `{}`{first} and `{}` here",
                            call.function,
                            sig(f.ret, &f.params),
                            sig(call.returns, &tys)
                        ),
                    );
                    return None;
                }
                i
            }
            None => {
                self.functions.push(FnPlan {
                    name: call.function.clone(),
                    ret: call.returns,
                    params: tys,
                    param_names: names,
                    inline: None,
                    inline_at: None,
                });
                self.fn_first_at.push(at);
                self.fn_index
                    .insert(call.function.clone(), self.functions.len() - 1);
                self.functions.len() - 1
            }
        };
        Some(CallPlan {
            function,
            args,
            store,
        })
    }

    /// Applies `[[function]]` entries: parameter names and inline bodies.
    fn function_facts(&mut self, functions: &mut [FnPlan], body: BodyMode) {
        let mut declared_at: HashMap<&str, Option<Pos>> = HashMap::new();
        for f in &self.spec.functions {
            declared_at.entry(f.name.as_str()).or_insert(f.at);
            let Some(plan) = self
                .fn_index
                .get(&f.name)
                .and_then(|&i| functions.get_mut(i))
            else {
                self.r.error(
                    f.at,
                    format!("function `{}` is declared but no step calls it", f.name),
                );
                continue;
            };
            if !f.params.is_empty() {
                if f.params.len() != plan.params.len() {
                    self.r.error(
                        f.at,
                        format!(
                            "function `{}` lists {} parameter names but is called with {} arguments",
                            f.name,
                            f.params.len(),
                            plan.params.len()
                        ),
                    );
                } else if let Some(bad) = f.params.iter().find(|p| !is_ident(p)) {
                    self.r
                        .error(f.at, format!("parameter name `{bad}` is not an identifier"));
                } else {
                    plan.param_names = f.params.clone();
                }
            }
            plan.inline = f.inline.clone().map(|p| match &self.spec.base_dir {
                Some(dir) if p.is_relative() => dir.join(p),
                _ => p,
            });
            plan.inline_at = f.at;
        }
        for plan in functions.iter_mut() {
            // Derived names (from the arguments) must be distinct identifiers.
            let mut seen = std::collections::HashSet::new();
            for (i, n) in plan.param_names.iter_mut().enumerate() {
                if n.is_empty() || !seen.insert(n.clone()) {
                    *n = format!("arg{i}");
                    seen.insert(n.clone());
                }
            }
            if body == BodyMode::Inline && plan.inline.is_none() {
                self.r.error(
                    declared_at.get(plan.name.as_str()).copied().flatten(),
                    format!(
                        "body mode is inline but function `{}` has no `inline` body file (add it to its [[function]] entry)",
                        plan.name
                    ),
                );
            }
        }
    }
}
