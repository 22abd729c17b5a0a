//! Validation: checks a [`Spec`] against every rule and resolves it into a
//! [`Plan`] the emitter can follow without further checks.
//!
//! All problems are collected (not just the first), each with the spec
//! position of the item at fault.

use std::collections::HashMap;
use std::path::PathBuf;

use air_target::Target;

use crate::error::{Pos, Reporter, Result};
use crate::expr::{parse_expr, parse_operand, Expr, Operand};
use crate::spec::{BarrierMemory, BodyMode, CopyForm, Fallback, Fill, Spec, StepKind, Text};
use crate::types::{
    spec_system_value_names, Access, ElemType, SystemValueKind, SystemValueType, SPEC_SYSTEM_VALUES,
};
use crate::Options;

// Metal's limits (threads, threadgroup memory, buffer slots) and the
// simdgroup width are air-target's; see `air_target::gpu`.
use air_target::{
    BUFFER_SLOTS, MAX_THREADGROUP_MEMORY_BYTES, MAX_THREADS_PER_THREADGROUP, SIMD_WIDTH,
};

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
    /// Byte offset in the global.
    pub offset: u64,
    pub count: u64,
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

/// One end of a copy.
#[derive(Clone, Debug)]
pub(crate) enum End {
    /// A buffer parameter and an element offset expression.
    Buffer { param: usize, offset: Expr },
    /// A region and a constant element offset.
    Region { region: usize, offset: u64 },
}

/// A resolved copy.
#[derive(Clone, Debug)]
pub(crate) struct CopyPlan {
    pub to_threadgroup: bool,
    pub element: ElemType,
    pub src: End,
    pub dst: End,
    pub src_tile: [u64; 2],
    pub dst_tile: [u64; 2],
    pub src_pitch: u64,
    pub dst_pitch: u64,
    pub fill: Fill,
    pub form: CopyForm,
}

/// How a call argument is produced.
#[derive(Clone, Debug)]
pub(crate) enum ArgPlan {
    /// Pointer to a region.
    RegionPtr(usize),
    /// A kernel parameter passed through (buffer pointer, system value).
    Param(usize),
    /// The loaded value of a scalar parameter.
    Scalar(usize),
    /// `buffer[index]`, loaded.
    BufferElem(usize, Expr),
    /// `region[index]`, loaded.
    RegionElem(usize, Expr),
    /// An integer expression passed as `uint`.
    Uint(Expr),
}

/// The IR-level type of a call argument or return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ArgTy {
    Value(ElemType),
    DevicePtr(ElemType),
    TgPtr(ElemType),
}

impl ArgTy {
    /// The MSL spelling of a parameter of this type (docs/air-conventions.md#type-mapping).
    pub fn msl(self) -> String {
        match self {
            ArgTy::Value(t) => t.msl_name().to_string(),
            ArgTy::DevicePtr(t) => format!("device {}*", t.msl_name()),
            ArgTy::TgPtr(t) => format!("threadgroup {}*", t.msl_name()),
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

/// A resolved step.
#[derive(Clone, Debug)]
pub(crate) enum StepPlan {
    Copy(CopyPlan),
    Wait,
    Barrier(BarrierMemory),
    Call(CallPlan),
}

/// Everything the emitter needs.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub target: &'static Target,
    pub kernel: String,
    pub module_name: String,
    pub source_name: String,
    pub threadgroup_size: [u32; 3],
    pub threads: u64,
    pub body: BodyMode,
    pub fallback: Fallback,
    pub params: Vec<Param>,
    pub constants: HashMap<String, i64>,
    pub tg: Option<TgLayout>,
    pub functions: Vec<FnPlan>,
    pub steps: Vec<StepPlan>,
    /// Parameter index of `simdgroup_index_in_threadgroup`, when copies
    /// must be gated to simdgroup 0.
    pub sidx: Option<usize>,
    /// Parameter index of `thread_index_in_threadgroup`, for the
    /// cooperative fallback.
    pub tidx: Option<usize>,
}

impl Plan {
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Position `offset` bytes into `text` (valid while the text is one line
/// without escapes, which is how specs write expressions).
fn shift(at: Option<Pos>, text: &str, offset: usize) -> Option<Pos> {
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
    Constant(i64),
}

/// What `name[index]` indexes.
#[derive(Clone, Copy, Debug)]
enum ElemRef {
    Region(usize),
    Buffer(usize),
}

struct Checker<'s, 'r> {
    spec: &'s Spec,
    r: &'r mut Reporter<'s>,
    syms: HashMap<String, Sym>,
    params: Vec<Param>,
    regions: Vec<RegionLayout>,
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
    };
    c.declare_names();
    let tg = c.layout_threadgroup();

    // Copies need an event per simdgroup-0 issue; with more than one
    // simdgroup they are gated on the simdgroup index
    // (docs/air-intrinsics.md#who-issues-a-copy), and the
    // cooperative fallback strides over the thread index in the threadgroup.
    let has_copy = spec
        .steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::Copy(_)));
    let sidx = (has_copy && fallback == Fallback::None && threads > u64::from(SIMD_WIDTH))
        .then(|| c.implicit_system_value(SystemValueKind::SimdgroupIndexInThreadgroup, "sidx"));
    let tidx = (has_copy && fallback == Fallback::Cooperative)
        .then(|| c.implicit_system_value(SystemValueKind::ThreadIndexInThreadgroup, "tid_in_tg"));

    let mut functions: Vec<FnPlan> = Vec::new();
    let mut fn_first_at: Vec<Option<Pos>> = Vec::new();
    let mut steps = Vec::new();
    for step in &spec.steps {
        let planned = match &step.kind {
            StepKind::Copy(copy) => c.copy(copy, step.at, copy_form, target).map(StepPlan::Copy),
            StepKind::Wait => Some(StepPlan::Wait),
            StepKind::Barrier(m) => Some(StepPlan::Barrier(*m)),
            StepKind::Call(call) => c
                .call(call, step.at, &mut functions, &mut fn_first_at)
                .map(StepPlan::Call),
        };
        if let Some(p) = planned {
            steps.push(p);
        }
    }
    c.function_facts(&mut functions, body);
    if !c.r.has_errors() {
        check_hazards(spec, &steps, c.r);
    }

    let target = target?;
    if c.r.has_errors() {
        return None;
    }
    Some(Plan {
        target,
        kernel: spec.kernel.clone(),
        module_name: spec.module.clone().unwrap_or_else(|| spec.kernel.clone()),
        source_name: file_name(&spec.source_name),
        threadgroup_size: spec.threadgroup_size,
        threads,
        body,
        fallback,
        constants: spec
            .constants
            .iter()
            .map(|k| (k.name.clone(), k.value))
            .collect(),
        params: c.params,
        tg,
        functions,
        steps,
        sidx,
        tidx,
    })
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
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
        for (n, v) in spec.system_values.iter().enumerate() {
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
            if let Some(first) = spec.system_values[..n].iter().find(|o| o.kind == v.kind) {
                self.r.error(
                    v.at,
                    format!(
                        "system value `{}` repeats `{}`, already taken by `{}`",
                        v.name,
                        v.kind.name(),
                        first.name
                    ),
                );
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
            self.declare(&k.name, k.at, Sym::Constant(k.value));
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
            let Some(size) = reg.count.checked_mul(reg.element.size()) else {
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
            self.r.error(
                tg.at.or_else(|| tg.regions.last().and_then(|r| r.at)),
                format!(
                    "threadgroup memory is {bytes} bytes, over the 32 KiB ({MAX_THREADGROUP_MEMORY_BYTES} bytes) limit"
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

    /// Checks that every name of `e` is an integer system value, scalar or
    /// constant. Returns the constant value when there is one.
    fn check_expr(&mut self, e: &Expr, text: &Text) -> Option<Option<i64>> {
        let mut ok = true;
        for (name, at) in e.names() {
            let pos = shift(text.at, &text.text, at);
            match self.syms.get(name) {
                Some(Sym::Constant(_)) => {}
                Some(Sym::Param(i)) => match &self.params[*i].kind {
                    ParamKind::System { .. } => {}
                    ParamKind::Scalar { ty, .. } if ty.int_signed().is_some() => {}
                    ParamKind::Scalar { ty, .. } => {
                        self.r.error(
                            pos,
                            format!("scalar `{name}` is a `{}`, not an integer", ty.msl_name()),
                        );
                        ok = false;
                    }
                    ParamKind::Buffer { .. } => {
                        self.r.error(
                            pos,
                            format!("`{name}` is a buffer; an expression takes system values, integer scalars and constants"),
                        );
                        ok = false;
                    }
                },
                Some(Sym::Region(_)) => {
                    self.r.error(
                        pos,
                        format!("`{name}` is a threadgroup region; an expression takes system values, integer scalars and constants"),
                    );
                    ok = false;
                }
                None => {
                    self.r.error(pos, format!("unknown name `{name}`"));
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        let syms = &self.syms;
        match e.eval(&|n| match syms.get(n) {
            Some(Sym::Constant(v)) => Some(*v),
            _ => None,
        }) {
            Ok(v) => Some(v),
            Err(m) => {
                self.r.error(text.at, format!("in `{}`: {m}", text.text));
                None
            }
        }
    }

    fn copy(
        &mut self,
        copy: &crate::spec::Copy,
        at: Option<Pos>,
        default_form: CopyForm,
        target: Option<&Target>,
    ) -> Option<CopyPlan> {
        let from = self.syms.get(&copy.from).copied();
        let to = self.syms.get(&copy.to).copied();
        for (name, sym) in [(&copy.from, from), (&copy.to, to)] {
            if sym.is_none() {
                self.r
                    .error(at, format!("unknown buffer or region `{name}`"));
            }
        }
        let (from, to) = (from?, to?);
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
        let src_tile = copy.tile;
        let dst_tile = copy.dst_tile.unwrap_or(src_tile);
        if src_tile.contains(&0) || dst_tile.contains(&0) {
            self.r.error(at, "tile sizes must be positive");
            return None;
        }
        if copy.dst_tile.is_some() && !to_threadgroup && dst_tile != src_tile {
            self.r.error(at, "`dst_tile` differs from `tile` in a threadgroup -> device copy; only device -> threadgroup copies fill a larger tile");
            ok = false;
        }
        if dst_tile[0] < src_tile[0] || dst_tile[1] < src_tile[1] {
            self.r.error(
                at,
                format!(
                    "`dst_tile` [{}, {}] is smaller than `tile` [{}, {}]",
                    dst_tile[0], dst_tile[1], src_tile[0], src_tile[1]
                ),
            );
            ok = false;
        }
        let src_pitch = copy.src_pitch.unwrap_or(src_tile[0]);
        let dst_pitch = copy.dst_pitch.unwrap_or(dst_tile[0]);
        for (which, pitch, width) in [
            ("src_pitch", src_pitch, src_tile[0]),
            ("dst_pitch", dst_pitch, dst_tile[0]),
        ] {
            if pitch < width {
                self.r.error(
                    at,
                    format!("{which} {pitch} is smaller than the tile width {width}"),
                );
                ok = false;
            }
        }
        let form = copy.form.unwrap_or(default_form);
        if form == CopyForm::OneD {
            if let Some(t) = target {
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
            let contiguous = |tile: [u64; 2], pitch: u64| tile[1] == 1 || pitch == tile[0];
            if dst_tile != src_tile
                || !contiguous(src_tile, src_pitch)
                || !contiguous(dst_tile, dst_pitch)
            {
                self.r.error(at, "a 1d copy needs one contiguous run: equal tiles, and height 1 or pitch equal to the width");
                ok = false;
            }
        }
        let src_expr = self.parse(&copy.src_offset);
        let dst_expr = self.parse(&copy.dst_offset);
        let (src_expr, dst_expr) = (src_expr?, dst_expr?);
        let src_val = self.check_expr(&src_expr, &copy.src_offset);
        let dst_val = self.check_expr(&dst_expr, &copy.dst_offset);
        let (src_val, dst_val) = (src_val?, dst_val?);
        let (reg_text, reg_val, reg_tile, reg_pitch, buf_val, buf_text) = if to_threadgroup {
            (
                &copy.dst_offset,
                dst_val,
                dst_tile,
                dst_pitch,
                src_val,
                &copy.src_offset,
            )
        } else {
            (
                &copy.src_offset,
                src_val,
                src_tile,
                src_pitch,
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
        // Elements the tile reaches: (height - 1) rows of pitch, plus a width.
        let extent = (reg_tile[1] - 1)
            .checked_mul(reg_pitch)
            .and_then(|v| v.checked_add(reg_tile[0]))
            .and_then(|v| v.checked_add(reg_offset));
        match extent {
            Some(e) if e <= region.count => {}
            _ => {
                self.r.error(
                    at,
                    format!(
                        "tile [{}, {}] with pitch {reg_pitch} at offset {reg_offset} does not fit region `{}` ({} elements)",
                        reg_tile[0], reg_tile[1], region.name, region.count
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
        let reg_end = End::Region {
            region: reg,
            offset: reg_offset,
        };
        let (src, dst) = if to_threadgroup {
            (buf_end, reg_end)
        } else {
            (reg_end, buf_end)
        };
        Some(CopyPlan {
            to_threadgroup,
            element: buf_elem,
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

    /// An element reference `name[index]`: the buffer or region and the
    /// index expression.
    fn element(
        &mut self,
        name: &str,
        name_at: usize,
        index: &Expr,
        text: &Text,
    ) -> Option<(ElemRef, ElemType)> {
        let pos = shift(text.at, &text.text, name_at);
        let sym = self.syms.get(name).copied();
        let (target, elem) = match sym {
            Some(Sym::Region(i)) => (ElemRef::Region(i), self.regions[i].element),
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
            Some(Sym::Constant(_)) => {
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
        let value = self.check_expr(index, text)?;
        if let (Some(v), ElemRef::Region(i)) = (value, target) {
            let count = self.regions[i].count;
            if v < 0 || v as u64 >= count {
                self.r.error(
                    pos,
                    format!("index {v} is outside region `{name}` ({count} elements)"),
                );
                return None;
            }
        }
        Some((target, elem))
    }

    fn call(
        &mut self,
        call: &crate::spec::Call,
        at: Option<Pos>,
        functions: &mut Vec<FnPlan>,
        first_at: &mut Vec<Option<Pos>>,
    ) -> Option<CallPlan> {
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
                Operand::Element { name, at, index } => {
                    self.element(name, *at, index, text).map(|(target, elem)| {
                        let plan = match target {
                            ElemRef::Region(i) => ArgPlan::RegionElem(i, index.clone()),
                            ElemRef::Buffer(i) => ArgPlan::BufferElem(i, index.clone()),
                        };
                        (plan, ArgTy::Value(elem), name.clone())
                    })
                }
                Operand::Expr(Expr::Name(name, _)) => match self.syms.get(name).copied() {
                    Some(Sym::Region(i)) => Some((
                        ArgPlan::RegionPtr(i),
                        ArgTy::TgPtr(self.regions[i].element),
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
                    Some(Sym::Constant(_)) => Some((
                        ArgPlan::Uint(Expr::Name(name.clone(), 0)),
                        ArgTy::Value(ElemType::UInt),
                        name.clone(),
                    )),
                    None => {
                        self.r.error(text.at, format!("unknown name `{name}`"));
                        None
                    }
                },
                Operand::Expr(e) => self.check_expr(e, text).map(|_| {
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
                    index,
                } = op
                else {
                    self.r.error(
                        text.at,
                        format!("`store` takes `buffer[index]`, found `{}`", text.text),
                    );
                    return None;
                };
                let (target, elem) = self.element(&name, name_at, &index, text)?;
                let pos = shift(text.at, &text.text, name_at);
                let ElemRef::Buffer(p) = target else {
                    self.r.error(
                        pos,
                        format!(
                            "`store` writes a buffer element; `{name}` is a threadgroup region"
                        ),
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
        let function = match functions.iter().position(|f| f.name == call.function) {
            Some(i) => {
                let f = &functions[i];
                if f.ret != call.returns || f.params != tys {
                    let first =
                        first_at[i].map_or(String::new(), |p| format!(" at line {}", p.line));
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
                functions.push(FnPlan {
                    name: call.function.clone(),
                    ret: call.returns,
                    params: tys,
                    param_names: names,
                    inline: None,
                    inline_at: None,
                });
                first_at.push(at);
                functions.len() - 1
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
        for f in &self.spec.functions {
            let Some(plan) = functions.iter_mut().find(|p| p.name == f.name) else {
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
            plan.inline = match &f.inline {
                None => None,
                Some(p) => match crate::inline::resolve(self.spec.base_dir.as_deref(), p) {
                    Ok(resolved) => Some(resolved),
                    Err(why) => {
                        self.r.error(
                            f.at,
                            format!("inline body `{}` of `{}`: {why}", p.display(), f.name),
                        );
                        None
                    }
                },
            };
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
                    self.spec.functions.iter().find(|f| f.name == plan.name).and_then(|f| f.at),
                    format!(
                        "body mode is inline but function `{}` has no `inline` body file (add it to its [[function]] entry)",
                        plan.name
                    ),
                );
            }
        }
    }
}

/// The M1 hazard, as airlink's own rule states it (stricter than the
/// hardware report behind it; docs/air-intrinsics.md#the-m1-hang-rule): every
/// device→threadgroup copy must, on every path to the kernel's exit, be
/// waited for and followed by a threadgroup barrier; every
/// threadgroup→device copy must be waited for before exit.
///
/// Programs are straight-line today, so the one path is the step list; a
/// future loop step will run this as a dataflow over its body.
fn check_hazards(spec: &Spec, steps: &[StepPlan], r: &mut Reporter<'_>) {
    let positions: Vec<Option<Pos>> = spec.steps.iter().map(|s| s.at).collect();
    let describe = |i: usize| -> String {
        match &spec.steps.get(i).map(|s| &s.kind) {
            Some(StepKind::Copy(c)) => format!("`{}` -> `{}`", c.from, c.to),
            _ => String::new(),
        }
    };
    // (step index, device→threadgroup?)
    let mut pending: Vec<(usize, bool)> = Vec::new();
    let mut need_barrier: Vec<usize> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            StepPlan::Copy(c) => pending.push((i, c.to_threadgroup)),
            StepPlan::Wait => {
                need_barrier.extend(pending.iter().filter(|(_, d2t)| *d2t).map(|(i, _)| *i));
                pending.clear();
            }
            StepPlan::Barrier(m) if m.covers_threadgroup() => need_barrier.clear(),
            StepPlan::Barrier(_) | StepPlan::Call(_) => {}
        }
    }
    for (i, d2t) in pending {
        let at = positions.get(i).copied().flatten();
        if d2t {
            r.error(at, format!("device -> threadgroup copy {} is never waited for; it must be waited for and followed by a threadgroup barrier before the kernel exits (M1 hang, docs/air-intrinsics.md#the-m1-hang-rule)", describe(i)));
        } else {
            r.error(at, format!("threadgroup -> device copy {} is never waited for; it must be waited for before the kernel exits", describe(i)));
        }
    }
    for i in need_barrier {
        let at = positions.get(i).copied().flatten();
        r.error(at, format!("device -> threadgroup copy {} is waited for but no threadgroup barrier follows before the kernel exits (M1 hang, docs/air-intrinsics.md#the-m1-hang-rule)", describe(i)));
    }
}
