//! IR construction: turns a validated [`Plan`] into an AIR module through
//! [`air_ir::Builder`], in the shape of the reference shells
//! (docs/air-conventions.md#shared-shell-structure):
//! one threadgroup global, events in a thread-private alloca wrapped in
//! lifetime markers, intrinsic and visible-function declarations with the
//! seed's attribute sets, and the standard named metadata.

use std::collections::{HashMap, HashSet};

use air_ir::attributes::{AttrKind, AttrSet, Attribute};
use air_ir::constant::ConstExpr;
use air_ir::inst::{Call, CallConv, IntPredicate, TailKind};
use air_ir::intrinsics::{self, CopyOperands, Intrinsic, IntrinsicId, TABLE};
use air_ir::module::UnnamedAddr;
use air_ir::{BlockId, Builder, ConstKind, Flags, FuncId, MetaId, Module, Opcode, TypeId, Value};

use crate::error::{Error, Result};
use crate::expr::{BinOp, CmpOp, Cond, Expr};
use crate::plan::{
    ArgPlan, ArgTy, BufRef, CallPlan, CopyPlan, End, Extent, IntPlan, LoopPlan, ParamKind, Plan,
    Planned, StepPlan,
};
use crate::spec::{BarrierMemory, BodyMode, CopyForm, Fallback, Fill, Literal};
use crate::types::{Access, ElemType, SystemValueType};

/// The `!llvm.ident` text: free, unvalidated
/// (docs/air-conventions.md#compile-options-and-identification).
const IDENT: &str = concat!("airlink air-shell ", env!("CARGO_PKG_VERSION"));

fn internal(message: impl Into<String>) -> Error {
    Error::Build(air_ir::BuildError {
        message: message.into(),
    })
}

/// The intrinsic whose table row has `id`. Rows without placeholders have
/// one concrete name, which is the row's name.
fn intrinsic(id: IntrinsicId) -> Result<Intrinsic> {
    TABLE
        .iter()
        .find(|r| r.id == id)
        .and_then(|r| intrinsics::lookup_all(r.name).find(|i| i.id() == id))
        .ok_or_else(|| internal(format!("the intrinsic table has no row {id:?}")))
}

/// Attribute set of the kernel definition (group #0 of the seed).
fn kernel_attrs() -> AttrSet {
    AttrSet::from_attrs([
        Attribute::Enum(AttrKind::Convergent),
        Attribute::Enum(AttrKind::MustProgress),
        Attribute::Enum(AttrKind::NoUnwind),
        Attribute::Enum(AttrKind::WillReturn),
        Attribute::string("frame-pointer", "none"),
        Attribute::string("min-legal-vector-width", "0"),
        Attribute::string("no-builtins", ""),
        Attribute::string("no-trapping-math", "true"),
        Attribute::string("stack-protector-buffer-size", "8"),
    ])
}

/// Attribute set of AIR intrinsic declarations (group #1).
fn air_intrinsic_attrs() -> AttrSet {
    AttrSet::from_attrs([
        Attribute::Enum(AttrKind::Convergent),
        Attribute::Enum(AttrKind::MustProgress),
        Attribute::Enum(AttrKind::NoUnwind),
        Attribute::Enum(AttrKind::WillReturn),
    ])
}

/// Attribute set of the lifetime intrinsics (group #2).
fn lifetime_attrs() -> AttrSet {
    AttrSet::from_attrs([
        Attribute::Enum(AttrKind::ArgMemOnly),
        Attribute::Enum(AttrKind::MustProgress),
        Attribute::Enum(AttrKind::NoCallback),
        Attribute::Enum(AttrKind::NoFree),
        Attribute::Enum(AttrKind::NoSync),
        Attribute::Enum(AttrKind::NoUnwind),
        Attribute::Enum(AttrKind::WillReturn),
    ])
}

fn nounwind() -> AttrSet {
    AttrSet::from_attrs([Attribute::Enum(AttrKind::NoUnwind)])
}

fn nonnull() -> AttrSet {
    AttrSet::from_attrs([Attribute::Enum(AttrKind::NonNull)])
}

/// Call-site attributes of the visible-function call (group #4).
fn visible_call_attrs() -> AttrSet {
    AttrSet::from_attrs([
        Attribute::Enum(AttrKind::NoBuiltin),
        Attribute::Enum(AttrKind::NoUnwind),
        Attribute::string("no-builtins", ""),
    ])
}

/// The event slots: a thread-private alloca of one event pointer, or an
/// array of them when copies overlap.
///
/// Schema 1 fills slots from 0 up to each wait. Schema 2 gives every
/// region buffer that copies touch its own slot, `buffer * regions.len() +
/// position of the region in regions`, so a `wait for` a buffer named by a
/// loop variable finds its event whichever copy (before the loop, or the
/// previous iteration's prefetch) issued it.
struct Events {
    slot: Value,
    array: Option<TypeId>,
    bytes: i128,
    lifetime_ptr: Value,
    /// Schema 2: the regions with event slots, in slot order.
    regions: Vec<usize>,
}

/// A private array: its alloca and the `i8*` its lifetime markers take.
struct PrivateSlot {
    alloca: Value,
    lifetime_ptr: Value,
    bytes: i128,
    /// Pointer to element 0, computed in the entry block.
    first: Value,
}

/// The finished module and what the outputs need from it.
pub(crate) struct Emitted {
    pub module: Module,
    /// IR text of each called function's type, by function index.
    pub fn_types: Vec<String>,
}

struct Emitter<'p> {
    plan: &'p Plan,
    b: Builder,
    kernel: FuncId,
    i32t: TypeId,
    i64t: TypeId,
    decls: HashMap<String, FuncId>,
    tg_global: Option<Value>,
    tg_array: Option<TypeId>,
    events: Option<Events>,
    /// i64 values of system values and scalars used in expressions,
    /// computed once in the entry block so every later block can use them.
    ints: HashMap<String, Value>,
    /// Loaded scalar values by parameter index.
    scalars: HashMap<usize, Value>,
    is_sg0: Option<Value>,
    callees: Vec<FuncId>,
    /// Copies issued since the last wait (they occupy slots 0..n).
    in_flight: usize,
    privates: Vec<PrivateSlot>,
    /// The block that returns early when a `requires` fails.
    early_exit: Option<BlockId>,
    /// `let` values computed so far.
    lets_done: HashSet<String>,
}

/// Builds the module for `plan`. `bodies` holds, per called function, the
/// parsed module of its inline body (inline mode only).
pub(crate) fn emit(plan: &Plan, bodies: &[Option<Module>]) -> Result<Emitted> {
    let mut b = Builder::new();
    b.set_source_filename(&plan.module_name);
    b.set_datalayout(air_target::AIR_DATALAYOUT);
    b.set_triple(plan.target.triple);
    let i32t = b.ty_int(32);
    let i64t = b.ty_int(64);
    let void = b.ty_void();

    let mut param_tys = Vec::new();
    for p in &plan.params {
        param_tys.push(match &p.kind {
            ParamKind::Buffer { element, .. } => {
                let e = element.ir_type(&mut b);
                b.ty_ptr(e, 1)
            }
            ParamKind::Scalar { ty, .. } => {
                let e = ty.ir_type(&mut b);
                b.ty_ptr(e, 2)
            }
            ParamKind::System { ty, .. } => ElemType::of_system_value(*ty).ir_type(&mut b),
        });
    }
    let kernel_ty = b.ty_function(void, param_tys, false);
    let kernel = b.define_function(&plan.kernel, kernel_ty);
    {
        let f = b.function_mut(kernel);
        f.unnamed_addr = UnnamedAddr::Local;
        f.fn_attrs = kernel_attrs();
    }
    for (i, p) in plan.params.iter().enumerate() {
        b.set_param_name(kernel, i, &p.name);
        let attrs = match &p.kind {
            ParamKind::Buffer { access, .. } => {
                let mut a = vec![
                    Attribute::Enum(AttrKind::NoUndef),
                    Attribute::string("air-buffer-no-alias", ""),
                ];
                if access.writable() {
                    a.push(Attribute::Enum(AttrKind::NoCapture));
                }
                if *access == Access::Write {
                    a.push(Attribute::Enum(AttrKind::WriteOnly));
                }
                AttrSet::from_attrs(a)
            }
            ParamKind::Scalar { .. } | ParamKind::System { .. } => {
                AttrSet::from_attrs([Attribute::Enum(AttrKind::NoUndef)])
            }
        };
        b.function_mut(kernel).params[i].attrs = attrs;
    }

    let mut e = Emitter {
        plan,
        b,
        kernel,
        i32t,
        i64t,
        decls: HashMap::new(),
        tg_global: None,
        tg_array: None,
        events: None,
        ints: HashMap::new(),
        scalars: HashMap::new(),
        is_sg0: None,
        callees: Vec::new(),
        in_flight: 0,
        privates: Vec::new(),
        early_exit: None,
        lets_done: HashSet::new(),
    };
    e.threadgroup_global();
    e.callees(bodies)?;
    e.body()?;
    let fn_types = e.fn_types();
    e.metadata()?;
    Ok(Emitted {
        module: e.b.finish(),
        fn_types,
    })
}

impl Emitter<'_> {
    fn threadgroup_global(&mut self) {
        let Some(tg) = &self.plan.tg else { return };
        let (elem, len) = match tg.element {
            Some(e) => (e.ir_type(&mut self.b), tg.bytes / e.size()),
            None => (self.b.ty_int(8), tg.bytes),
        };
        let arr = self.b.ty_array(elem, len);
        let undef = self.b.const_undef(arr);
        let g = self.b.global(&tg.name, arr, 3, Some(undef), Some(tg.align));
        self.tg_global = Some(self.b.global_value(g));
        self.tg_array = Some(arr);
    }

    /// Declares (visible) or imports (inline) every called function.
    fn callees(&mut self, bodies: &[Option<Module>]) -> Result<()> {
        for (i, f) in self.plan.functions.iter().enumerate() {
            let ret = match f.ret {
                Some(t) => t.ir_type(&mut self.b),
                None => self.b.ty_void(),
            };
            let params = f.params.iter().map(|p| self.arg_type(*p)).collect();
            let fty = self.b.ty_function(ret, params, false);
            let id = match (self.plan.body, bodies.get(i).and_then(Option::as_ref)) {
                (BodyMode::Inline, Some(src)) => {
                    let id = crate::import::import_function(self.b.module_mut(), src, &f.name)
                        .map_err(|e| internal(e.message))?;
                    if self.b.module().function(id).ty != fty {
                        return Err(internal(format!(
                            "inline body of `{}` has the wrong type",
                            f.name
                        )));
                    }
                    // Private to the shell: a monolithic kernel must not
                    // export (or clash with) a symbol a pipeline could link.
                    self.b.function_mut(id).linkage = air_ir::Linkage::Internal;
                    if self.plan.schema >= 2 {
                        // Schema 2 bodies are per-tile math called in loops:
                        // ask the backend for one monolithic kernel.
                        let f = self.b.function_mut(id);
                        if !f.fn_attrs.has(AttrKind::AlwaysInline)
                            && !f.fn_attrs.has(AttrKind::NoInline)
                        {
                            f.fn_attrs.insert(Attribute::Enum(AttrKind::AlwaysInline));
                        }
                    }
                    id
                }
                _ => {
                    let id = self
                        .b
                        .declare_function(&format!("{}.MTL_VISIBLE_FN_REF", f.name), fty);
                    let func = self.b.function_mut(id);
                    func.unnamed_addr = UnnamedAddr::Local;
                    func.section = Some("air.externally_defined".to_string());
                    id
                }
            };
            self.callees.push(id);
        }
        Ok(())
    }

    fn arg_type(&mut self, ty: ArgTy) -> TypeId {
        match ty {
            ArgTy::Value(t) => t.ir_type(&mut self.b),
            ArgTy::DevicePtr(t) => {
                let e = t.ir_type(&mut self.b);
                self.b.ty_ptr(e, 1)
            }
            ArgTy::TgPtr(t) => {
                let e = t.ir_type(&mut self.b);
                self.b.ty_ptr(e, 3)
            }
            ArgTy::PrivPtr(t) => {
                let e = t.ir_type(&mut self.b);
                self.b.ty_ptr(e, 0)
            }
        }
    }

    fn fn_types(&mut self) -> Vec<String> {
        let m = self.b.module();
        self.callees
            .iter()
            .map(|id| intrinsics::type_text(&m.types, m.function(*id).ty))
            .collect()
    }

    fn block(&mut self, name: &str) -> BlockId {
        self.b.append_block(self.kernel, Some(name))
    }

    fn current_block(&self) -> Result<BlockId> {
        self.b
            .position()
            .map(|(_, b)| b)
            .ok_or_else(|| internal("no insertion point"))
    }

    fn named(&mut self, v: Value, name: &str) -> Result<Value> {
        self.b.set_name(v, name)?;
        Ok(v)
    }

    /// A declaration of intrinsic `id`, once per module.
    fn declare(&mut self, id: IntrinsicId) -> Result<FuncId> {
        let i = intrinsic(id)?;
        if let Some(f) = self.decls.get(i.name()) {
            return Ok(*f);
        }
        let ty = i.declare_type(&mut self.b.module_mut().types);
        let f = self.b.declare_function(i.name(), ty);
        let func = self.b.function_mut(f);
        if i.name().starts_with("llvm.lifetime") {
            func.fn_attrs = lifetime_attrs();
            func.params[0].attrs = AttrSet::from_attrs([Attribute::Enum(AttrKind::ImmArg)]);
            func.params[1].attrs = AttrSet::from_attrs([Attribute::Enum(AttrKind::NoCapture)]);
        } else {
            func.unnamed_addr = UnnamedAddr::Local;
            func.fn_attrs = air_intrinsic_attrs();
        }
        self.decls.insert(i.name().to_string(), f);
        Ok(f)
    }

    /// A call of a declared function with call-site attributes.
    fn call(
        &mut self,
        callee: FuncId,
        args: Vec<Value>,
        fn_attrs: AttrSet,
        arg_attrs: Vec<AttrSet>,
    ) -> Result<Value> {
        let fn_ty = self.b.module().function(callee).ty;
        let callee = self.b.function_value(callee);
        let mut arg_attrs = arg_attrs;
        arg_attrs.resize(args.len(), AttrSet::new());
        Ok(self.b.call_full(Call {
            callee,
            fn_ty,
            args,
            fn_attrs,
            ret_attrs: AttrSet::new(),
            arg_attrs,
            tail: TailKind::None,
            cc: CallConv::default(),
        })?)
    }

    fn barrier(&mut self, memory: BarrierMemory) -> Result<()> {
        let f = self.declare(IntrinsicId::WgBarrier)?;
        let flags = self.b.const_int(self.i32t, memory.flags());
        let scope = self.b.const_int(self.i32t, 1);
        self.call(f, vec![flags, scope], AttrSet::new(), Vec::new())?;
        Ok(())
    }

    fn body(&mut self) -> Result<()> {
        let entry = self.block("entry");
        self.b.position_at_end(self.kernel, entry);
        self.event_slots()?;
        self.private_slots()?;
        self.entry_values()?;
        self.requires()?;
        let used = self.names_used_by_steps();
        self.ensure_lets(&used)?;

        let steps = &self.plan.steps;
        self.steps(steps, false)?;

        self.end_lifetimes()?;
        self.b.ret(None)?;
        if let Some(exit) = self.early_exit {
            self.b.position_at_end(self.kernel, exit);
            self.end_lifetimes()?;
            self.b.ret(None)?;
        }
        Ok(())
    }

    /// The lifetime ends of the event slots and private arrays.
    fn end_lifetimes(&mut self) -> Result<()> {
        let mut ends: Vec<(i128, Value)> = Vec::new();
        if let Some(e) = &self.events {
            ends.push((e.bytes, e.lifetime_ptr));
        }
        ends.extend(
            self.privates
                .iter()
                .rev()
                .map(|p| (p.bytes, p.lifetime_ptr)),
        );
        for (bytes, ptr) in ends {
            self.lifetime(IntrinsicId::LifetimeEnd, bytes, ptr)?;
        }
        Ok(())
    }

    /// `call void @llvm.lifetime.start/end.p0i8(i64 bytes, i8* nonnull
    /// ptr)`, with the attributes Apple's compiler gives these calls.
    fn lifetime(&mut self, which: IntrinsicId, bytes: i128, ptr: Value) -> Result<()> {
        let f = self.declare(which)?;
        let size = self.b.const_int(self.i64t, bytes);
        self.call(
            f,
            vec![size, ptr],
            nounwind(),
            vec![AttrSet::new(), nonnull()],
        )?;
        Ok(())
    }

    /// Emits one list of steps (the kernel's, or a loop body's).
    fn steps(&mut self, steps: &[Planned], in_loop: bool) -> Result<()> {
        let gated = self.plan.sidx.is_some();
        let copy_or_wait = |s: &Planned| matches!(s.kind, StepPlan::Copy(_) | StepPlan::Wait(_));
        let mut i = 0;
        while i < steps.len() {
            let intrinsic_copy_or_wait =
                self.plan.fallback == Fallback::None && copy_or_wait(&steps[i]);
            if gated && intrinsic_copy_or_wait {
                // Copies are simdgroup-wide operations: issue (and wait for)
                // them from simdgroup 0 only, then let the whole threadgroup
                // meet at a barrier (docs/air-intrinsics.md#who-issues-a-copy).
                let start = i;
                while i < steps.len() && copy_or_wait(&steps[i]) {
                    i += 1;
                }
                let then = self.block("sg0.copy");
                let join = self.block("sg0.done");
                let cond = self.is_sg0.ok_or_else(|| internal("no simdgroup index"))?;
                self.b.cond_br(cond, then, join)?;
                self.b.position_at_end(self.kernel, then);
                for step in &steps[start..i] {
                    self.guarded(step, |e| e.step(step))?;
                }
                self.b.br(join)?;
                self.b.position_at_end(self.kernel, join);
                let waited = steps[start..i]
                    .iter()
                    .any(|s| matches!(s.kind, StepPlan::Wait(_)));
                if waited && self.needs_barrier_after(steps, i, in_loop) {
                    self.barrier(BarrierMemory::Threadgroup)?;
                }
                continue;
            }
            let step = &steps[i];
            let barrier_after = self.plan.fallback == Fallback::Cooperative
                && matches!(step.kind, StepPlan::Copy(_))
                && self.needs_barrier_after(steps, i + 1, in_loop);
            self.guarded(step, |e| {
                e.step(step)?;
                if barrier_after {
                    // The cooperative copy's stores come from every thread: a
                    // barrier makes them visible (device -> threadgroup) and
                    // keeps the region alive until all reads are done
                    // (threadgroup -> device).
                    e.barrier(BarrierMemory::Threadgroup)?;
                }
                Ok(())
            })?;
            i += 1;
        }
        Ok(())
    }

    /// Runs `emit` under the step's `when` guard, if it has one.
    fn guarded(
        &mut self,
        step: &Planned,
        emit: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let Some(cond) = &step.when else {
            return emit(self);
        };
        let c = self.cond(cond)?;
        let c = self.named(c, "when")?;
        let then = self.block("when.then");
        let join = self.block("when.done");
        self.b.cond_br(c, then, join)?;
        self.b.position_at_end(self.kernel, then);
        emit(self)?;
        self.b.br(join)?;
        self.b.position_at_end(self.kernel, join);
        Ok(())
    }

    /// An `i1` for a condition (signed i64 comparison).
    fn cond(&mut self, c: &Cond) -> Result<Value> {
        let a = self.int(&c.lhs)?;
        let b = self.int(&c.rhs)?;
        let pred = match c.op {
            CmpOp::Lt => IntPredicate::Slt,
            CmpOp::Le => IntPredicate::Sle,
            CmpOp::Gt => IntPredicate::Sgt,
            CmpOp::Ge => IntPredicate::Sge,
            CmpOp::Eq => IntPredicate::Eq,
            CmpOp::Ne => IntPredicate::Ne,
        };
        Ok(self.b.icmp(pred, a, b)?)
    }

    /// `requires`: each condition false returns at once, before any copy
    /// (so no copy is left in flight: M1-safe). One branch per condition,
    /// in order, so a later condition's `let` values (which may divide by
    /// what an earlier one checks) are computed only when it held.
    fn requires(&mut self) -> Result<()> {
        let conds = self.plan.requires.clone();
        for c in &conds {
            let mut names = HashSet::new();
            for (n, _) in c.lhs.names().into_iter().chain(c.rhs.names()) {
                names.insert(n.to_string());
            }
            self.ensure_lets(&names)?;
            let ok = self.cond(c)?;
            let ok = self.named(ok, "requires")?;
            let exit = match self.early_exit {
                Some(b) => b,
                None => {
                    let b = self.block("early.exit");
                    self.early_exit = Some(b);
                    b
                }
            };
            let next = self.block("requires.ok");
            self.b.cond_br(ok, next, exit)?;
            self.b.position_at_end(self.kernel, next);
        }
        Ok(())
    }

    /// Every name the steps' expressions use (at any depth).
    fn names_used_by_steps(&self) -> HashSet<String> {
        let mut out = HashSet::new();
        let mut note = |e: &Expr| out.extend(e.names().into_iter().map(|(n, _)| n.to_string()));
        visit_exprs(&self.plan.steps, &mut note);
        out
    }

    /// Computes the `let` values `names` need (with the lets those use),
    /// each after the ones it uses, in the current block.
    fn ensure_lets(&mut self, names: &HashSet<String>) -> Result<()> {
        if self.plan.lets.is_empty() {
            return Ok(());
        }
        let index: HashMap<&str, usize> = self
            .plan
            .lets
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.as_str(), i))
            .collect();
        // The closure over let dependencies, without recursion.
        let mut need = vec![false; self.plan.lets.len()];
        let mut work: Vec<&str> = names.iter().map(String::as_str).collect();
        while let Some(n) = work.pop() {
            if let Some(&i) = index.get(n) {
                if !need[i] && !self.lets_done.contains(n) {
                    need[i] = true;
                    work.extend(self.plan.lets[i].expr.names().into_iter().map(|(m, _)| m));
                }
            }
        }
        let plan = self.plan;
        for (i, l) in plan.lets.iter().enumerate() {
            if need[i] {
                let v = self.int(&l.expr)?;
                let v = match v {
                    Value::Inst(_) => self.named(v, &l.name)?,
                    other => other,
                };
                self.ints.insert(l.name.clone(), v);
                self.lets_done.insert(l.name.clone());
            }
        }
        Ok(())
    }

    /// Whether an automatic barrier is needed before step `next` of
    /// `steps`: not when the kernel ends there, nor when the spec's next
    /// step (skipping waits, which the fallback makes empty) is an
    /// unguarded threadgroup barrier anyway. The end of a loop body goes
    /// back to its start, so there it is needed.
    fn needs_barrier_after(&self, steps: &[Planned], next: usize, in_loop: bool) -> bool {
        let mut rest = steps[next.min(steps.len())..].iter().filter(|s| {
            !(self.plan.fallback == Fallback::Cooperative && matches!(s.kind, StepPlan::Wait(_)))
        });
        match rest.next() {
            None => in_loop,
            Some(Planned {
                kind: StepPlan::Barrier(m),
                when,
                ..
            }) => !m.covers_threadgroup() || when.is_some(),
            Some(_) => true,
        }
    }

    fn event_slots(&mut self) -> Result<()> {
        if self.plan.fallback != Fallback::None {
            return Ok(());
        }
        let regions = if self.plan.schema >= 2 {
            self.plan.event_regions()
        } else {
            Vec::new()
        };
        let most = if self.plan.schema >= 2 {
            // One slot per region buffer that copies touch.
            let buffers = regions
                .iter()
                .map(|r| self.plan.buffers(*r))
                .max()
                .unwrap_or(0);
            i128::from(buffers) * regions.len() as i128
        } else {
            // Slots needed: the most copies in flight at once (waits clear
            // them). Schema 1 has no loops: the top-level list is all.
            let (mut live, mut most) = (0i128, 0i128);
            for s in &self.plan.steps {
                match s.kind {
                    StepPlan::Copy(_) => {
                        live += 1;
                        most = most.max(live);
                    }
                    StepPlan::Wait(_) => live = 0,
                    _ => {}
                }
            }
            most
        };
        if most == 0 {
            return Ok(());
        }
        let copy = intrinsic(IntrinsicId::AsyncCopy2dDeviceToThreadgroup)?;
        let copy_ty = copy.declare_type(&mut self.b.module_mut().types);
        let (ret, _, _) = self
            .b
            .module()
            .types
            .function_parts(copy_ty)
            .ok_or_else(|| internal("copy intrinsic type is not a function"))?;
        let (allocated, array) = if most == 1 {
            (ret, None)
        } else {
            let a = self.b.ty_array(ret, most as u64);
            (a, Some(a))
        };
        let slot = self.b.alloca(allocated, Some(8))?;
        let slot = self.named(slot, "event")?;
        let i8t = self.b.ty_int(8);
        let i8p = self.b.ty_ptr(i8t, 0);
        let raw = self.b.cast(Opcode::BitCast, slot, i8p)?;
        let raw = self.named(raw, "event.i8")?;
        let bytes = 8 * most;
        self.lifetime(IntrinsicId::LifetimeStart, bytes, raw)?;
        self.events = Some(Events {
            slot,
            array,
            bytes,
            lifetime_ptr: raw,
            regions,
        });
        Ok(())
    }

    /// The private arrays: an alloca each in the entry block (the only
    /// place allocas go: one in a loop would allocate every iteration),
    /// lifetime-marked, filled when the spec gives a `fill`.
    fn private_slots(&mut self) -> Result<()> {
        let plan = self.plan;
        for p in &plan.privates {
            let elem = p.element.ir_type(&mut self.b);
            let arr = self.b.ty_array(elem, p.count);
            let alloca = self.b.alloca(arr, Some(p.element.align()))?;
            let alloca = self.named(alloca, &p.name)?;
            let i8t = self.b.ty_int(8);
            let i8p = self.b.ty_ptr(i8t, 0);
            let raw = self.b.cast(Opcode::BitCast, alloca, i8p)?;
            let raw = self.named(raw, &format!("{}.i8", p.name))?;
            let bytes = i128::from(p.count * p.element.size());
            self.lifetime(IntrinsicId::LifetimeStart, bytes, raw)?;
            let zero = self.b.const_int(self.i64t, 0);
            let first = self.b.gep(alloca, &[zero, zero], true)?;
            let first = self.named(first, &format!("{}.ptr", p.name))?;
            self.privates.push(PrivateSlot {
                alloca,
                lifetime_ptr: raw,
                bytes,
                first,
            });
            let Some(fill) = p.fill else { continue };
            let value = match fill {
                Literal::Int(v) if p.element.int_signed().is_some() => {
                    self.b.const_int(elem, i128::from(v))
                }
                Literal::Int(v) => self.b.const_float(elem, v as f64),
                Literal::Float(bits) => self.b.const_float(elem, f64::from_bits(bits)),
            };
            let align = Some(p.element.align());
            if p.count <= 8 {
                for k in 0..p.count {
                    let k = self.b.const_int(self.i64t, i128::from(k));
                    let ptr = self.b.gep(alloca, &[zero, k], true)?;
                    self.b.store(value, ptr, align)?;
                }
                continue;
            }
            // A loop for longer arrays.
            let pre = self.current_block()?;
            let head = self.block(&format!("{}.fill", p.name));
            let done = self.block(&format!("{}.filled", p.name));
            self.b.br(head)?;
            self.b.position_at_end(self.kernel, head);
            let i = self.b.phi(self.i64t, vec![(zero, pre)])?;
            let ptr = self.b.gep(alloca, &[zero, i], true)?;
            self.b.store(value, ptr, align)?;
            let one = self.b.const_int(self.i64t, 1);
            let next = self.b.binary(Opcode::Add, i, one, Flags::empty())?;
            self.b.add_incoming(i, next, head)?;
            let n = self.b.const_int(self.i64t, i128::from(p.count));
            let more = self.b.icmp(IntPredicate::Slt, next, n)?;
            self.b.cond_br(more, head, done)?;
            self.b.position_at_end(self.kernel, done);
        }
        Ok(())
    }

    /// Loads scalars and widens every name used in expressions to i64 in the
    /// entry block, which dominates everything after it.
    fn entry_values(&mut self) -> Result<()> {
        for (i, p) in self.plan.params.iter().enumerate() {
            if let ParamKind::Scalar { ty, .. } = p.kind {
                let v = self.b.load(Value::Arg(i as u32), Some(ty.align()))?;
                let v = self.named(v, &format!("{}.val", p.name))?;
                self.scalars.insert(i, v);
            }
        }
        let mut names: Vec<String> = Vec::new();
        let mut note = |e: &Expr| names.extend(e.names().into_iter().map(|(n, _)| n.to_string()));
        visit_exprs(&self.plan.steps, &mut note);
        for c in &self.plan.requires {
            note(&c.lhs);
            note(&c.rhs);
        }
        for l in &self.plan.lets {
            note(&l.expr);
        }
        if let Some(t) = self.plan.tidx {
            names.push(self.plan.params[t].name.clone());
        }
        for name in names {
            if self.ints.contains_key(&name) || self.plan.constants.contains_key(&name) {
                continue;
            }
            let Some(i) = self.plan.param_index(&name) else {
                continue;
            };
            let (value, signed) = match self.plan.params[i].kind {
                ParamKind::System { .. } => (Value::Arg(i as u32), false),
                ParamKind::Scalar { ty, .. } => match self.scalars.get(&i) {
                    Some(v) => (*v, ty.int_signed().unwrap_or(false)),
                    None => continue,
                },
                ParamKind::Buffer { .. } => continue,
            };
            let op = if signed { Opcode::SExt } else { Opcode::ZExt };
            let wide = if self.b.type_of(value)? == self.i64t {
                value
            } else {
                let w = self.b.cast(op, value, self.i64t)?;
                self.named(w, &format!("{name}.i64"))?
            };
            self.ints.insert(name, wide);
        }
        if let Some(s) = self.plan.sidx {
            let zero = match self.plan.params[s].kind {
                ParamKind::System {
                    ty: SystemValueType::UShort,
                    ..
                } => {
                    let i16t = self.b.ty_int(16);
                    self.b.const_int(i16t, 0)
                }
                _ => self.b.const_int(self.i32t, 0),
            };
            let c = self.b.icmp(IntPredicate::Eq, Value::Arg(s as u32), zero)?;
            self.is_sg0 = Some(self.named(c, "is_sg0")?);
        }
        Ok(())
    }

    /// An i64 value for `e`: folded when constant, else computed here.
    fn int(&mut self, e: &Expr) -> Result<Value> {
        let consts = &self.plan.constants;
        if let Ok(Some(v)) = e.eval(&|n| consts.get(n).copied()) {
            return Ok(self.b.const_int(self.i64t, i128::from(v)));
        }
        Ok(match e {
            Expr::Int(v) => self.b.const_int(self.i64t, i128::from(*v)),
            Expr::Name(n, _) => *self
                .ints
                .get(n)
                .ok_or_else(|| internal(format!("`{n}` has no value")))?,
            Expr::Neg(x) => {
                let zero = self.b.const_int(self.i64t, 0);
                let v = self.int(x)?;
                self.b.binary(Opcode::Sub, zero, v, Flags::empty())?
            }
            Expr::Binary(op, a, b) => {
                let (a, b) = (self.int(a)?, self.int(b)?);
                let opcode = match op {
                    BinOp::Add => Opcode::Add,
                    BinOp::Sub => Opcode::Sub,
                    BinOp::Mul => Opcode::Mul,
                    BinOp::Div => Opcode::SDiv,
                    BinOp::Rem => Opcode::SRem,
                    BinOp::Min | BinOp::Max => {
                        let pred = if *op == BinOp::Min {
                            IntPredicate::Slt
                        } else {
                            IntPredicate::Sgt
                        };
                        let c = self.b.icmp(pred, a, b)?;
                        return Ok(self.b.select(c, a, b)?);
                    }
                };
                self.b.binary(opcode, a, b, Flags::empty())?
            }
        })
    }

    /// A constant pointer into the threadgroup global: `elem_offset`
    /// elements of type `ty` past the start of region `r`.
    fn region_ptr(&mut self, r: usize, elem_offset: u64, ty: ElemType) -> Result<Value> {
        let tg = self
            .plan
            .tg
            .as_ref()
            .ok_or_else(|| internal("no threadgroup global"))?;
        let region = &tg.regions[r];
        let byte = region.offset + elem_offset * region.element.size();
        let (Some(Value::Const(global)), Some(arr)) = (self.tg_global, self.tg_array) else {
            return Err(internal("no threadgroup global"));
        };
        let want_elem = ty.ir_type(&mut self.b);
        let want = self.b.ty_ptr(want_elem, 3);
        // The plan only picks a typed array when every region offset is a
        // multiple of its element size; otherwise the array is of bytes.
        let (gep_elem, index) = match tg.element {
            Some(e) => (e.ir_type(&mut self.b), byte / e.size()),
            None => (self.b.ty_int(8), byte),
        };
        let zero = self.const_id(0);
        let idx = self.const_id(i128::from(index));
        let ty = self.b.ty_ptr(gep_elem, 3);
        let base = self.b.module_mut().constant(
            ty,
            ConstKind::Expr(ConstExpr::GetElementPtr {
                source: arr,
                base: global,
                indices: vec![zero, idx],
                inbounds: true,
                inrange: None,
            }),
        );
        let base_ty = self.b.module().consts.get(base).ty;
        Ok(Value::Const(if base_ty == want {
            base
        } else {
            self.const_cast(base, want)
        }))
    }

    fn const_id(&mut self, v: i128) -> air_ir::ConstId {
        match self.b.const_int(self.i64t, v) {
            Value::Const(c) => c,
            // `const_int` always returns a constant.
            _ => air_ir::ConstId(0),
        }
    }

    fn const_cast(&mut self, c: air_ir::ConstId, to: TypeId) -> air_ir::ConstId {
        self.b.module_mut().constant(
            to,
            ConstKind::Expr(ConstExpr::Cast {
                op: Opcode::BitCast,
                value: c,
            }),
        )
    }

    /// `i8 addrspace(3)*` of a region position, in the seed's form: the
    /// global itself cast when at offset 0, else a cast element GEP.
    fn region_i8(&mut self, r: usize, elem_offset: u64) -> Result<Value> {
        let i8t = self.b.ty_int(8);
        let i8p = self.b.ty_ptr(i8t, 3);
        let tg = self
            .plan
            .tg
            .as_ref()
            .ok_or_else(|| internal("no threadgroup global"))?;
        let at_start = tg.regions[r].offset == 0 && elem_offset == 0;
        let Some(Value::Const(global)) = self.tg_global else {
            return Err(internal("no threadgroup global"));
        };
        if at_start {
            return Ok(Value::Const(self.const_cast(global, i8p)));
        }
        let elem = tg.regions[r].element;
        let typed = self.region_ptr(r, elem_offset, elem)?;
        let Value::Const(c) = typed else {
            return Err(internal("region pointer is not constant"));
        };
        if self.b.module().consts.get(c).ty == i8p {
            return Ok(typed);
        }
        Ok(Value::Const(self.const_cast(c, i8p)))
    }

    /// Pointer to `buffer + offset` elements, typed as the buffer.
    fn buffer_ptr(&mut self, param: usize, offset: &Expr, what: &str) -> Result<Value> {
        let base = Value::Arg(param as u32);
        if offset == &Expr::Int(0) {
            return Ok(base);
        }
        let off = self.int(offset)?;
        let p = self.b.gep(base, &[off], true)?;
        let name = format!("{}.{what}", self.plan.params[param].name);
        self.named(p, &name)
    }

    fn step(&mut self, step: &Planned) -> Result<()> {
        match &step.kind {
            StepPlan::Copy(c) => match self.plan.fallback {
                Fallback::None => self.async_copy(c),
                Fallback::Cooperative => self.cooperative_copy(c),
            },
            // The cooperative fallback has no events: its copies are done
            // when the barrier after them is passed.
            StepPlan::Wait(_) if self.plan.fallback == Fallback::Cooperative => Ok(()),
            StepPlan::Wait(None) if self.plan.schema >= 2 => self.wait_set(step.id),
            StepPlan::Wait(None) => self.wait(),
            StepPlan::Wait(Some(list)) => self.wait_for(list),
            StepPlan::Barrier(m) => self.barrier(*m),
            StepPlan::Call(c) => self.call_step(c),
            StepPlan::Loop(l) => self.repeat(l),
        }
    }

    /// A counted loop: the count once, then a header with the loop
    /// variable as a phi (i64 from 0), the body, and the increment.
    fn repeat(&mut self, l: &LoopPlan) -> Result<()> {
        let count = self.int(&l.count)?;
        let pre = self.current_block()?;
        let head = self.block(&format!("loop.{}", l.var));
        let body = self.block(&format!("loop.{}.body", l.var));
        let exit = self.block(&format!("loop.{}.done", l.var));
        self.b.br(head)?;
        self.b.position_at_end(self.kernel, head);
        let zero = self.b.const_int(self.i64t, 0);
        let var = self.b.phi(self.i64t, vec![(zero, pre)])?;
        let var = self.named(var, &l.var)?;
        let more = self.b.icmp(IntPredicate::Slt, var, count)?;
        self.b.cond_br(more, body, exit)?;
        self.b.position_at_end(self.kernel, body);
        self.ints.insert(l.var.clone(), var);
        self.steps(&l.body, true)?;
        let one = self.b.const_int(self.i64t, 1);
        let next = self.b.binary(Opcode::Add, var, one, Flags::empty())?;
        let next = self.named(next, &format!("{}.next", l.var))?;
        let latch = self.current_block()?;
        self.b.add_incoming(var, next, latch)?;
        self.b.br(head)?;
        self.ints.remove(&l.var);
        self.b.position_at_end(self.kernel, exit);
        Ok(())
    }

    fn end_i8(
        &mut self,
        end: &End,
        region: usize,
        slot: Result<u64, Value>,
        element: ElemType,
    ) -> Result<Value> {
        match end {
            End::Region { offset } => match slot {
                Ok(slot) => {
                    let count = self.plan.tg.as_ref().map_or(0, |t| t.regions[region].count);
                    self.region_i8(region, slot * count + *offset)
                }
                Err(_) => {
                    let p = self.buf_ptr_at(region, slot, *offset, element)?;
                    let i8t = self.b.ty_int(8);
                    let i8p = self.b.ty_ptr(i8t, 3);
                    Ok(self.b.cast(Opcode::BitCast, p, i8p)?)
                }
            },
            End::Buffer { param, offset } => {
                let p = self.buffer_ptr(*param, offset, "tile")?;
                let i8t = self.b.ty_int(8);
                let i8p = self.b.ty_ptr(i8t, 1);
                let name = format!("{}.i8", self.plan.params[*param].name);
                let v = self.b.cast(Opcode::BitCast, p, i8p)?;
                self.named(v, &name)
            }
        }
    }

    fn async_copy(&mut self, c: &CopyPlan) -> Result<()> {
        let id = match (c.form, c.to_threadgroup) {
            (CopyForm::TwoD, true) => IntrinsicId::AsyncCopy2dDeviceToThreadgroup,
            (CopyForm::TwoD, false) => IntrinsicId::AsyncCopy2dThreadgroupToDevice,
            (CopyForm::OneD, true) => IntrinsicId::AsyncCopy1dDeviceToThreadgroup,
            (CopyForm::OneD, false) => IntrinsicId::AsyncCopy1dThreadgroupToDevice,
        };
        let intr = intrinsic(id)?;
        let CopyOperands { dst, src, .. } = intr.row().copy.ok_or_else(|| {
            internal(format!("{} has no copy operands in the table", intr.name()))
        })?;
        let n = intr.param_count();
        let i64t = self.i64t;
        let size = self.b.const_int(i64t, i128::from(c.element.size()));
        let mut ops: Vec<Option<Value>> = vec![None; n];
        let slot = self.slot_value(&c.region)?;
        let src_ptr = self.end_i8(&c.src, c.region.region, slot, c.element)?;
        let dst_ptr = self.end_i8(&c.dst, c.region.region, slot, c.element)?;
        // The table fixes where the pointers go; the scalar operands sit
        // around them as docs/air-intrinsics.md#1d-async-copy and
        // docs/air-intrinsics.md#2d-async-copy describe, and every operand's
        // type is checked against the table's signature below.
        let set = |ops: &mut Vec<Option<Value>>, i: usize, v: Value| {
            if let Some(slot) = ops.get_mut(i) {
                *slot = Some(v);
            }
        };
        set(&mut ops, dst, dst_ptr);
        set(&mut ops, src, src_ptr);
        match c.form {
            CopyForm::TwoD => {
                let v2 = self.b.ty_vector(i64t, 2);
                let align = self.b.const_int(i64t, i128::from(c.element.align()));
                let one = self.b.const_int(i64t, 1);
                let dst_pitch = self.int_plan(&c.dst_pitch)?;
                let src_pitch = self.int_plan(&c.src_pitch)?;
                let dst_tile = self.tile_value(&c.dst_tile, "dst_tile")?;
                let src_tile = self.tile_value(&c.src_tile, "src_tile")?;
                let offset = self.b.const_zero(v2);
                let clamp = match (c.to_threadgroup, c.fill) {
                    (true, Fill::Edge) => 1,
                    _ => 0,
                };
                let clamp = self.b.const_int(self.i32t, clamp);
                set(&mut ops, 0, size);
                set(&mut ops, 1, align);
                set(&mut ops, dst + 1, dst_pitch);
                set(&mut ops, dst + 2, one);
                set(&mut ops, dst + 3, dst_tile);
                set(&mut ops, src + 1, src_pitch);
                set(&mut ops, src + 2, one);
                set(&mut ops, src + 3, src_tile);
                set(&mut ops, src + 4, offset);
                set(&mut ops, src + 5, clamp);
            }
            CopyForm::OneD => {
                // The seed's hardware-run reading
                // (docs/air-intrinsics.md#open-question-1d-operand-order):
                // (element size, element count, dst, src, 0).
                let count = self
                    .b
                    .const_int(i64t, i128::from(c.src_tile[0].bound * c.src_tile[1].bound));
                let zero = self.b.const_int(i64t, 0);
                set(&mut ops, 0, size);
                set(&mut ops, 1, count);
                set(&mut ops, n.saturating_sub(1), zero);
            }
        }
        let f = self.declare(id)?;
        let (_, params, _) = self
            .b
            .module()
            .types
            .function_parts(self.b.module().function(f).ty)
            .ok_or_else(|| internal("copy intrinsic type is not a function"))?;
        let params = params.to_vec();
        let mut args = Vec::with_capacity(n);
        for (k, (op, want)) in ops.into_iter().zip(params).enumerate() {
            let v =
                op.ok_or_else(|| internal(format!("{} operand {k} was not set", intr.name())))?;
            if self.b.type_of(v)? != want {
                return Err(internal(format!(
                    "{} operand {k} does not have the table's type; the operand layout changed",
                    intr.name()
                )));
            }
            args.push(v);
        }
        let ev = self.call(f, args, AttrSet::new(), Vec::new())?;
        let ev = self.named(ev, "ev")?;
        let slot = if self.plan.schema >= 2 {
            self.event_slot(c.region.region, slot)?
        } else {
            self.next_slot()?
        };
        let ev_align = Some(8);
        self.b.store(ev, slot, ev_align)?;
        Ok(())
    }

    /// A `<2 x i64>` tile `<width, height>`: a constant, or the constant
    /// parts with the run-time entries inserted.
    fn tile_value(&mut self, t: &[Extent; 2], name: &str) -> Result<Value> {
        let i64t = self.i64t;
        let v2 = self.b.ty_vector(i64t, 2);
        let parts: Vec<Value> = t
            .iter()
            .map(|e| {
                self.b.const_int(
                    i64t,
                    i128::from(if e.dynamic.is_some() { 0 } else { e.bound }),
                )
            })
            .collect();
        let mut v = self.b.const_aggregate(v2, &parts)?;
        for (k, e) in t.iter().enumerate() {
            if let Some(x) = &e.dynamic {
                let x = self.int(x)?;
                let k = self.b.const_int(self.i32t, k as i128);
                v = self.b.insert_element(v, x, k)?;
                v = self.named(v, name)?;
            }
        }
        Ok(v)
    }

    /// An i64 for a pitch.
    fn int_plan(&mut self, p: &IntPlan) -> Result<Value> {
        match p {
            IntPlan::Const(v) => Ok(self.b.const_int(self.i64t, i128::from(*v))),
            IntPlan::Dyn(e) => self.int(e),
        }
    }

    /// An i64 for a tile entry.
    fn extent_value(&mut self, e: &Extent) -> Result<Value> {
        match &e.dynamic {
            None => Ok(self.b.const_int(self.i64t, i128::from(e.bound))),
            Some(x) => self.int(x),
        }
    }

    /// The buffer a reference names: a constant, or an i64 computed here
    /// (`slot mod buffers`, non-negative).
    fn slot_value(&mut self, b: &BufRef) -> Result<Result<u64, Value>> {
        let Some(e) = &b.slot else {
            return Ok(Ok(0));
        };
        let n = self.plan.buffers(b.region).max(1) as i64;
        let consts = &self.plan.constants;
        if let Ok(Some(v)) = e.eval(&|x| consts.get(x).copied()) {
            return Ok(Ok(v.rem_euclid(n) as u64));
        }
        let v = self.int(e)?;
        let n = self.b.const_int(self.i64t, i128::from(n));
        // (v % n + n) % n: a slot such as `kb - 1` may be negative.
        let r = self.b.binary(Opcode::SRem, v, n, Flags::empty())?;
        let r = self.b.binary(Opcode::Add, r, n, Flags::empty())?;
        let r = self.b.binary(Opcode::SRem, r, n, Flags::empty())?;
        Ok(Err(self.named(r, "slot")?))
    }

    /// Pointer (typed `ty`) to element `elem_offset` of a region buffer.
    fn buf_ptr(&mut self, b: &BufRef, elem_offset: u64, ty: ElemType) -> Result<Value> {
        let slot = self.slot_value(b)?;
        self.buf_ptr_at(b.region, slot, elem_offset, ty)
    }

    /// [`Self::buf_ptr`] with the slot already computed.
    fn buf_ptr_at(
        &mut self,
        region: usize,
        slot: Result<u64, Value>,
        elem_offset: u64,
        ty: ElemType,
    ) -> Result<Value> {
        let (count, elem) = self
            .plan
            .tg
            .as_ref()
            .map(|t| (t.regions[region].count, t.regions[region].element))
            .ok_or_else(|| internal("no threadgroup global"))?;
        match slot {
            Ok(slot) => self.region_ptr(region, slot * count + elem_offset, ty),
            Err(slot) => {
                let base = self.region_ptr(region, elem_offset, elem)?;
                let c = self.b.const_int(self.i64t, i128::from(count));
                let off = self.b.binary(Opcode::Mul, slot, c, Flags::empty())?;
                let p = self.b.gep(base, &[off], true)?;
                let name = self
                    .plan
                    .tg
                    .as_ref()
                    .map_or(String::new(), |t| format!("{}.buf", t.regions[region].name));
                let p = self.named(p, &name)?;
                if ty == elem {
                    return Ok(p);
                }
                let want = ty.ir_type(&mut self.b);
                let want = self.b.ty_ptr(want, 3);
                Ok(self.b.cast(Opcode::BitCast, p, want)?)
            }
        }
    }

    /// Schema 2: the event slot of a copy's region buffer.
    fn event_slot(&mut self, region: usize, slot: Result<u64, Value>) -> Result<Value> {
        let index = self.event_index_at(region, slot)?;
        let ev = self
            .events
            .as_ref()
            .ok_or_else(|| internal("no event slots"))?;
        match ev.array {
            None => Ok(ev.slot),
            Some(_) => {
                let slot = ev.slot;
                let zero = self.b.const_int(self.i64t, 0);
                Ok(self.b.gep(slot, &[zero, index], true)?)
            }
        }
    }

    /// Schema 2: `buffer * regions + position` of a region buffer, as an
    /// i64 value.
    fn event_index(&mut self, b: &BufRef) -> Result<Value> {
        let slot = self.slot_value(b)?;
        self.event_index_at(b.region, slot)
    }

    /// [`Self::event_index`] with the slot already computed.
    fn event_index_at(&mut self, region: usize, slot: Result<u64, Value>) -> Result<Value> {
        let ev = self
            .events
            .as_ref()
            .ok_or_else(|| internal("no event slots"))?;
        let per = ev.regions.len() as i128;
        let pos =
            ev.regions
                .iter()
                .position(|r| *r == region)
                .ok_or_else(|| internal("a copy's region has no event slot"))? as i128;
        Ok(match slot {
            Ok(slot) => self.b.const_int(self.i64t, i128::from(slot) * per + pos),
            Err(slot) => {
                let p = self.b.const_int(self.i64t, per);
                let i = self.b.binary(Opcode::Mul, slot, p, Flags::empty())?;
                let i = if pos == 0 {
                    i
                } else {
                    let k = self.b.const_int(self.i64t, pos);
                    self.b.binary(Opcode::Add, i, k, Flags::empty())?
                };
                self.named(i, "event.index")?
            }
        })
    }

    /// One `air.wait_simdgroup_events(n, &slots[first])`.
    fn wait_events(&mut self, n: usize, first: Value) -> Result<()> {
        let ev = self
            .events
            .as_ref()
            .ok_or_else(|| internal("no event slots"))?;
        let ptr = match ev.array {
            None => ev.slot,
            Some(_) => {
                let slot = ev.slot;
                let zero = self.b.const_int(self.i64t, 0);
                self.b.gep(slot, &[zero, first], true)?
            }
        };
        let f = self.declare(IntrinsicId::WaitSimdgroupEvents)?;
        let count = self.b.const_int(self.i32t, n as i128);
        self.call(
            f,
            vec![count, ptr],
            AttrSet::new(),
            vec![AttrSet::new(), nonnull()],
        )?;
        Ok(())
    }

    /// Schema 2 `wait for`: one wait per run of listed buffers whose slots
    /// are consecutive (same slot expression, regions next to each other
    /// in the event layout), else one each.
    fn wait_for(&mut self, list: &[BufRef]) -> Result<()> {
        let regions = self
            .events
            .as_ref()
            .map(|e| e.regions.clone())
            .unwrap_or_default();
        let pos = |r: usize| regions.iter().position(|x| *x == r);
        let mut i = 0;
        while i < list.len() {
            let mut j = i + 1;
            while j < list.len()
                && list[j].slot == list[i].slot
                && pos(list[j].region)
                    .zip(pos(list[j - 1].region))
                    .is_some_and(|(a, b)| a == b + 1)
            {
                j += 1;
            }
            let first = self.event_index(&list[i])?;
            self.wait_events(j - i, first)?;
            i = j;
        }
        Ok(())
    }

    /// Schema 2 plain `wait`: the buffers the hazard check found in flight
    /// here, one wait per run of consecutive slots.
    fn wait_set(&mut self, id: usize) -> Result<()> {
        let set = self.plan.wait_sets.get(&id).cloned().unwrap_or_default();
        if set.is_empty() {
            return Ok(());
        }
        let regions = self
            .events
            .as_ref()
            .map(|e| e.regions.clone())
            .unwrap_or_default();
        let per = regions.len() as u64;
        let mut slots: Vec<u64> = set
            .iter()
            .filter_map(|(r, b)| {
                regions
                    .iter()
                    .position(|x| x == r)
                    .map(|p| b * per + p as u64)
            })
            .collect();
        slots.sort_unstable();
        let mut i = 0;
        while i < slots.len() {
            let mut j = i + 1;
            while j < slots.len() && slots[j] == slots[j - 1] + 1 {
                j += 1;
            }
            let first = self.b.const_int(self.i64t, i128::from(slots[i]));
            self.wait_events(j - i, first)?;
            i = j;
        }
        Ok(())
    }

    /// The slot for the next copy: slots fill up from 0 until a wait.
    fn next_slot(&mut self) -> Result<Value> {
        let ev = self
            .events
            .as_ref()
            .ok_or_else(|| internal("no event slots"))?;
        let (slot, array) = (ev.slot, ev.array);
        let k = self.in_flight;
        self.in_flight += 1;
        match array {
            None => Ok(slot),
            Some(_) => {
                let zero = self.b.const_int(self.i64t, 0);
                let k = self.b.const_int(self.i64t, k as i128);
                Ok(self.b.gep(slot, &[zero, k], true)?)
            }
        }
    }

    /// Waits for every copy in flight: they sit in consecutive slots from 0.
    fn wait(&mut self) -> Result<()> {
        if self.in_flight == 0 {
            return Ok(());
        }
        let ev = self
            .events
            .as_ref()
            .ok_or_else(|| internal("no event slots"))?;
        let (slot, array) = (ev.slot, ev.array);
        let first = match array {
            None => slot,
            Some(_) => {
                let zero = self.b.const_int(self.i64t, 0);
                self.b.gep(slot, &[zero, zero], true)?
            }
        };
        let f = self.declare(IntrinsicId::WaitSimdgroupEvents)?;
        let count = self.b.const_int(self.i32t, self.in_flight as i128);
        self.call(
            f,
            vec![count, first],
            AttrSet::new(),
            vec![AttrSet::new(), nonnull()],
        )?;
        self.in_flight = 0;
        Ok(())
    }

    /// The copy done by every thread with ordinary loads and stores: a loop
    /// over the destination tile strided by the threadgroup size, reading
    /// the source tile (clamped to it, so nothing outside is read) and
    /// zero- or edge-filling the rest, exactly the layout of the intrinsic.
    /// Run-time tile sizes and pitches are computed before the loop.
    fn cooperative_copy(&mut self, c: &CopyPlan) -> Result<()> {
        let i64t = self.i64t;
        let tidx = self.plan.tidx.ok_or_else(|| internal("no thread index"))?;
        let start = *self
            .ints
            .get(&self.plan.params[tidx].name)
            .ok_or_else(|| internal("thread index not widened"))?;
        // Bases and offsets are computed before the loop.
        let slot = self.slot_value(&c.region)?;
        let (src_base, src_off) = self.coop_end(&c.src, c, slot)?;
        let (dst_base, dst_off) = self.coop_end(&c.dst, c, slot)?;
        let dw = self.extent_value(&c.dst_tile[0])?;
        let total = if c.dst_tile.iter().any(|e| e.dynamic.is_some()) {
            let dh = self.extent_value(&c.dst_tile[1])?;
            let t = self.b.binary(Opcode::Mul, dw, dh, Flags::empty())?;
            self.named(t, "coop.n")?
        } else {
            let n = c.dst_tile[0].bound * c.dst_tile[1].bound;
            self.b.const_int(i64t, i128::from(n))
        };
        let larger = c.dst_tile != c.src_tile;
        let src_dims = if larger {
            let sh = self.extent_value(&c.src_tile[1])?;
            let sw = self.extent_value(&c.src_tile[0])?;
            let one = self.b.const_int(i64t, 1);
            let last = |e: &mut Self, x: &Extent, v: Value| -> Result<Value> {
                Ok(match x.dynamic {
                    None => e.b.const_int(i64t, i128::from(x.bound - 1)),
                    Some(_) => e.b.binary(Opcode::Sub, v, one, Flags::empty())?,
                })
            };
            let last_r = last(self, &c.src_tile[1], sh)?;
            let last_c = last(self, &c.src_tile[0], sw)?;
            Some((sh, sw, last_r, last_c))
        } else {
            None
        };
        let sp = self.int_plan(&c.src_pitch)?;
        let dp = self.int_plan(&c.dst_pitch)?;
        let pre = self.current_block()?;
        let head = self.block("coop.head");
        let body = self.block("coop.body");
        let done = self.block("coop.done");
        self.b.br(head)?;

        self.b.position_at_end(self.kernel, head);
        let i = self.b.phi(i64t, vec![(start, pre)])?;
        let i = self.named(i, "coop.i")?;
        let more = self.b.icmp(IntPredicate::Slt, i, total)?;
        self.b.cond_br(more, body, done)?;

        self.b.position_at_end(self.kernel, body);
        let row = self.b.binary(Opcode::SDiv, i, dw, Flags::empty())?;
        let row = self.named(row, "coop.row")?;
        let col = self.b.binary(Opcode::SRem, i, dw, Flags::empty())?;
        let col = self.named(col, "coop.col")?;
        let (srow, scol, inside) = if let Some((sh, sw, last_r, last_c)) = src_dims {
            let row_in = self.b.icmp(IntPredicate::Slt, row, sh)?;
            let col_in = self.b.icmp(IntPredicate::Slt, col, sw)?;
            let srow = self.b.select(row_in, row, last_r)?;
            let scol = self.b.select(col_in, col, last_c)?;
            // Only zero fill needs to know whether a position is inside.
            let inside = match c.fill {
                Fill::Zero => Some(self.b.binary(Opcode::And, row_in, col_in, Flags::empty())?),
                Fill::Edge => None,
            };
            (srow, scol, inside)
        } else {
            (row, col, None)
        };
        let s = self.b.binary(Opcode::Mul, srow, sp, Flags::empty())?;
        let s = self.b.binary(Opcode::Add, s, scol, Flags::empty())?;
        let s = self.add_offset(s, src_off)?;
        let sptr = self.b.gep(src_base, &[s], true)?;
        let align = Some(c.element.align());
        let mut v = self.b.load(sptr, align)?;
        if let Some(inside) = inside {
            let ty = self.b.type_of(v)?;
            let zero = self.b.const_zero(ty);
            v = self.b.select(inside, v, zero)?;
        }
        let d = self.b.binary(Opcode::Mul, row, dp, Flags::empty())?;
        let d = self.b.binary(Opcode::Add, d, col, Flags::empty())?;
        let d = self.add_offset(d, dst_off)?;
        let dptr = self.b.gep(dst_base, &[d], true)?;
        self.b.store(v, dptr, align)?;
        let step = self.b.const_int(i64t, i128::from(self.plan.threads));
        let next = self.b.binary(Opcode::Add, i, step, Flags::empty())?;
        self.b.add_incoming(i, next, body)?;
        self.b.br(head)?;

        self.b.position_at_end(self.kernel, done);
        Ok(())
    }

    /// `index + offset`, leaving out a constant zero offset.
    fn add_offset(&mut self, index: Value, offset: Value) -> Result<Value> {
        if offset == self.b.const_int(self.i64t, 0) {
            return Ok(index);
        }
        Ok(self.b.binary(Opcode::Add, index, offset, Flags::empty())?)
    }

    /// Base pointer (typed as the copy's element) and i64 element offset
    /// of one end of a cooperative copy.
    fn coop_end(
        &mut self,
        end: &End,
        c: &CopyPlan,
        slot: Result<u64, Value>,
    ) -> Result<(Value, Value)> {
        match end {
            End::Buffer { param, offset } => Ok((Value::Arg(*param as u32), self.int(offset)?)),
            End::Region { offset } => {
                let base = self.buf_ptr_at(c.region.region, slot, 0, c.element)?;
                let off = self.b.const_int(self.i64t, i128::from(*offset));
                Ok((base, off))
            }
        }
    }

    fn call_step(&mut self, call: &CallPlan) -> Result<()> {
        let mut args = Vec::new();
        for a in &call.args {
            args.push(match a {
                ArgPlan::RegionPtr(r) => {
                    let elem = self
                        .plan
                        .tg
                        .as_ref()
                        .map(|t| t.regions[r.region].element)
                        .unwrap_or(ElemType::Float);
                    self.buf_ptr(r, 0, elem)?
                }
                ArgPlan::PrivatePtr(i) => self
                    .privates
                    .get(*i)
                    .map(|p| p.first)
                    .ok_or_else(|| internal("private array not allocated"))?,
                ArgPlan::PrivateElem(i, idx) => {
                    let alloca = self
                        .privates
                        .get(*i)
                        .map(|p| p.alloca)
                        .ok_or_else(|| internal("private array not allocated"))?;
                    let p = &self.plan.privates[*i];
                    let (name, align) = (p.name.clone(), p.element.align());
                    let zero = self.b.const_int(self.i64t, 0);
                    let k = self.int(idx)?;
                    let ptr = self.b.gep(alloca, &[zero, k], true)?;
                    let ptr = self.named(ptr, &format!("{name}.elem"))?;
                    let v = self.b.load(ptr, Some(align))?;
                    self.named(v, &format!("{name}.val"))?
                }
                ArgPlan::Param(p) => Value::Arg(*p as u32),
                ArgPlan::Scalar(p) => *self
                    .scalars
                    .get(p)
                    .ok_or_else(|| internal("scalar not loaded"))?,
                ArgPlan::BufferElem(p, idx) => {
                    let ptr = self.buffer_ptr(*p, idx, "elem")?;
                    let elem = match self.plan.params[*p].kind {
                        ParamKind::Buffer { element, .. } => element,
                        _ => ElemType::Float,
                    };
                    self.b.load(ptr, Some(elem.align()))?
                }
                ArgPlan::RegionElem(r, idx) => {
                    let elem = self
                        .plan
                        .tg
                        .as_ref()
                        .map(|t| t.regions[r.region].element)
                        .unwrap_or(ElemType::Float);
                    let base = self.buf_ptr(r, 0, elem)?;
                    let i = self.int(idx)?;
                    let ptr = self.b.gep(base, &[i], true)?;
                    let name = self
                        .plan
                        .tg
                        .as_ref()
                        .map(|t| t.regions[r.region].name.clone())
                        .unwrap_or_default();
                    let ptr = self.named(ptr, &format!("{name}.elem"))?;
                    let v = self.b.load(ptr, Some(elem.align()))?;
                    self.named(v, &format!("{name}.val"))?
                }
                ArgPlan::Uint(e) => {
                    let consts = &self.plan.constants;
                    match e.eval(&|n| consts.get(n).copied()) {
                        Ok(Some(v)) => self.b.const_int(self.i32t, i128::from(v)),
                        _ => {
                            let v = self.int(e)?;
                            self.b.cast(Opcode::Trunc, v, self.i32t)?
                        }
                    }
                }
            });
        }
        let f = &self.plan.functions[call.function];
        let callee = self.callees[call.function];
        let attrs = match self.plan.body {
            BodyMode::Visible => visible_call_attrs(),
            BodyMode::Inline => nounwind(),
        };
        let result = self.call(callee, args, attrs, Vec::new())?;
        if let (Some((p, idx)), Some(ret)) = (&call.store, f.ret) {
            let result = self.named(result, "result")?;
            let ptr = self.buffer_ptr(*p, idx, "elem")?;
            self.b.store(result, ptr, Some(ret.align()))?;
        }
        Ok(())
    }

    fn md_str(&mut self, s: &str) -> Option<MetaId> {
        Some(self.b.md_string(s))
    }

    fn md_i32(&mut self, v: i128) -> Result<Option<MetaId>> {
        let c = self.b.const_int(self.i32t, v);
        Ok(Some(self.b.md_value(c)?))
    }

    fn metadata(&mut self) -> Result<()> {
        let used = self.used_params();
        let mut arg_nodes = Vec::new();
        for (i, p) in self.plan.params.iter().enumerate() {
            let idx = self.md_i32(i as i128)?;
            let mut ops = vec![idx];
            match &p.kind {
                ParamKind::Buffer {
                    element,
                    access,
                    index,
                } => {
                    self.buffer_md(&mut ops, *index, access.metadata(), 1, *element, &p.name)?;
                }
                ParamKind::Scalar { ty, index } => {
                    self.buffer_md(&mut ops, *index, "air.read", 2, *ty, &p.name)?;
                }
                ParamKind::System { kind, ty } => {
                    ops.push(self.md_str(kind.metadata_name()));
                    ops.push(self.md_str("air.arg_type_name"));
                    ops.push(self.md_str(ty.msl_name()));
                    ops.push(self.md_str("air.arg_name"));
                    ops.push(self.md_str(&p.name));
                }
            }
            if !used.get(i).copied().unwrap_or(true) {
                // What the offline compiler appends (docs/air-conventions.md#unused-arguments).
                ops.push(self.md_str("air.arg_unused"));
            }
            arg_nodes.push(Some(self.b.md_node(ops)));
        }
        let kref = self.b.function_value(self.kernel);
        let kmd = self.b.md_value(kref)?;
        let empty = self.b.md_node(Vec::new());
        let args = self.b.md_node(arg_nodes);
        let kernel = self.b.md_node(vec![Some(kmd), Some(empty), Some(args)]);
        self.b.add_named_metadata("air.kernel", &[kernel]);

        // Apple's compiler writes the SDK Version flag first, then the
        // seven flags every AIR module carries (docs/air-conventions.md#module-flags).
        let mut nodes = vec![self.sdk_version_flag()?];
        for flag in air_target::MODULE_FLAGS {
            let b = self.md_i32(i128::from(flag.behaviour))?;
            let n = self.md_str(flag.name);
            let v = self.md_i32(i128::from(flag.value))?;
            nodes.push(self.b.md_node(vec![b, n, v]));
        }
        self.b.add_named_metadata("llvm.module.flags", &nodes);
        let mut nodes = Vec::new();
        for opt in [
            "air.compile.denorms_disable",
            "air.compile.fast_math_enable",
            "air.compile.framebuffer_fetch_enable",
        ] {
            let s = self.md_str(opt);
            nodes.push(self.b.md_node(vec![s]));
        }
        self.b.add_named_metadata("air.compile_options", &nodes);

        if self.plan.body == BodyMode::Visible && !self.callees.is_empty() {
            let mut nodes = Vec::new();
            for (i, f) in self.plan.functions.iter().enumerate() {
                let tag = self.md_str("air.visible_function_reference");
                let fref = self.b.function_value(self.callees[i]);
                let fmd = self.b.md_value(fref)?;
                let name = self.md_str(&f.name);
                nodes.push(self.b.md_node(vec![tag, Some(fmd), name]));
            }
            self.b
                .add_named_metadata("air.visible_function_references", &nodes);
        }
        let ident = self.md_str(IDENT);
        let n = self.b.md_node(vec![ident]);
        self.b.add_named_metadata("llvm.ident", &[n]);
        let (maj, min, patch) = self.plan.target.air_version;
        let v = vec![
            self.md_i32(i128::from(maj))?,
            self.md_i32(i128::from(min))?,
            self.md_i32(i128::from(patch))?,
        ];
        let n = self.b.md_node(v);
        self.b.add_named_metadata("air.version", &[n]);
        let (maj, min, patch) = self.plan.target.msl_version;
        let v = vec![
            self.md_str("Metal"),
            self.md_i32(i128::from(maj))?,
            self.md_i32(i128::from(min))?,
            self.md_i32(i128::from(patch))?,
        ];
        let n = self.b.md_node(v);
        self.b.add_named_metadata("air.language_version", &[n]);
        let s = self.md_str(&self.plan.source_name.clone());
        let n = self.b.md_node(vec![s]);
        self.b.add_named_metadata("air.source_file_name", &[n]);
        Ok(())
    }

    /// `!{i32 2, !"SDK Version", [2 x i32] [i32 MAJOR, i32 MINOR]}` for the
    /// plan's target ([`air_target::Target::sdk_version`]).
    fn sdk_version_flag(&mut self) -> Result<MetaId> {
        let (major, minor) = self.plan.target.sdk_version;
        let pair = self.b.ty_array(self.i32t, 2);
        let items = [
            self.b.const_int(self.i32t, i128::from(major)),
            self.b.const_int(self.i32t, i128::from(minor)),
        ];
        let version = self.b.const_aggregate(pair, &items)?;
        let behaviour = self.md_i32(i128::from(air_target::SDK_VERSION_BEHAVIOUR))?;
        let name = self.md_str(air_target::SDK_VERSION_FLAG);
        let value = Some(self.b.md_value(version)?);
        Ok(self.b.md_node(vec![behaviour, name, value]))
    }

    fn buffer_md(
        &mut self,
        ops: &mut Vec<Option<MetaId>>,
        index: u32,
        access: &str,
        addrspace: i128,
        elem: ElemType,
        name: &str,
    ) -> Result<()> {
        ops.push(self.md_str("air.buffer"));
        ops.push(self.md_str("air.location_index"));
        ops.push(self.md_i32(i128::from(index))?);
        ops.push(self.md_i32(1)?);
        ops.push(self.md_str(access));
        ops.push(self.md_str("air.address_space"));
        ops.push(self.md_i32(addrspace)?);
        ops.push(self.md_str("air.arg_type_size"));
        ops.push(self.md_i32(i128::from(elem.size()))?);
        ops.push(self.md_str("air.arg_type_align_size"));
        ops.push(self.md_i32(i128::from(elem.align()))?);
        ops.push(self.md_str("air.arg_type_name"));
        ops.push(self.md_str(elem.msl_name()));
        ops.push(self.md_str("air.arg_name"));
        ops.push(self.md_str(name));
        Ok(())
    }

    /// Which kernel parameters the body reads.
    fn used_params(&self) -> Vec<bool> {
        let f = self.b.module().function(self.kernel);
        let mut used = vec![false; f.params.len()];
        for (_, id) in f.layout() {
            for v in f.inst(id).kind.operands() {
                if let Value::Arg(a) = v {
                    if let Some(u) = used.get_mut(a as usize) {
                        *u = true;
                    }
                }
            }
        }
        used
    }
}

/// Calls `f` on every expression the steps compute in the kernel, in step
/// order (for schema 1 exactly the order the first generator used: copy
/// offsets, then call arguments and stores).
fn visit_exprs(steps: &[Planned], f: &mut dyn FnMut(&Expr)) {
    for s in steps {
        if let Some(c) = &s.when {
            f(&c.lhs);
            f(&c.rhs);
        }
        match &s.kind {
            StepPlan::Copy(c) => {
                for end in [&c.src, &c.dst] {
                    if let End::Buffer { offset, .. } = end {
                        f(offset);
                    }
                }
                for e in c.src_tile.iter().chain(c.dst_tile.iter()) {
                    if let Some(x) = &e.dynamic {
                        f(x);
                    }
                }
                for p in [&c.src_pitch, &c.dst_pitch] {
                    if let IntPlan::Dyn(x) = p {
                        f(x);
                    }
                }
                if let Some(x) = &c.region.slot {
                    f(x);
                }
            }
            StepPlan::Call(call) => {
                for a in &call.args {
                    match a {
                        ArgPlan::BufferElem(_, e)
                        | ArgPlan::PrivateElem(_, e)
                        | ArgPlan::Uint(e) => f(e),
                        ArgPlan::RegionElem(b, e) => {
                            f(e);
                            if let Some(x) = &b.slot {
                                f(x);
                            }
                        }
                        ArgPlan::RegionPtr(b) => {
                            if let Some(x) = &b.slot {
                                f(x);
                            }
                        }
                        _ => {}
                    }
                }
                if let Some((_, e)) = &call.store {
                    f(e);
                }
            }
            StepPlan::Wait(Some(list)) => {
                for b in list {
                    if let Some(x) = &b.slot {
                        f(x);
                    }
                }
            }
            StepPlan::Loop(l) => {
                f(&l.count);
                visit_exprs(&l.body, f);
            }
            StepPlan::Wait(None) | StepPlan::Barrier(_) => {}
        }
    }
}
