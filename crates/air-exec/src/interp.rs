//! The per-thread interpreter: one instruction at a time over explicit
//! call frames, so a thread can stop anywhere (in a callee too) and resume.

use air_ir::constant::{ConstExpr, ConstKind};
use air_ir::intrinsics::IntrinsicId;
use air_ir::types::TypeId;
use air_ir::{BlockId, ConstId, FuncId, InstId, InstKind, Instruction, Module, Value};

use crate::error::{malformed, undefined, unsupported, ErrorKind, ExecError, Result};
use crate::exec::{Frame, Pending, State, Thread};
use crate::limits::{MAX_CALL_FRAMES, MAX_CONST_DEPTH, MAX_CONST_ELEMENTS, MAX_MEMCPY_BYTES};
use crate::machine::{Machine, SLOT_BYTES};
use crate::math::{FloatKind, IntOp, MathFn};
use crate::memory::Region;
use crate::ops::{self, type_elements};
use crate::program::{Callee, FnRef, HostValue, PHI_SCAN_ENTRIES};
use crate::value::{mask, sext, Layout, Ptr, Space, Val};

impl<'p> Machine<'p> {
    /// Runs `t` until it blocks, returns or fails.
    pub(crate) fn run_thread(&mut self, t: &mut Thread) -> Result<()> {
        while matches!(t.state, State::Ready) {
            self.steps += 1;
            if let Err(e) = self.charge_work(1) {
                return Err(e.at(|| self.site_of(t)));
            }
            if self.steps % 4096 == 0 && self.cancelled() {
                return Err(ExecError::setup(
                    "threadgroup cancelled: an earlier threadgroup failed",
                ));
            }
            if let Err(e) = self.step(t) {
                return Err(e.at(|| self.site_of(t)));
            }
        }
        Ok(())
    }

    /// Whether an earlier threadgroup failed, so this one's outcome is unused.
    fn cancelled(&self) -> bool {
        self.cancel.is_some_and(|c| {
            c.load(std::sync::atomic::Ordering::Relaxed) < u64::from(self.tg_index)
        })
    }

    fn step(&mut self, t: &mut Thread) -> Result<()> {
        let prog = self.prog;
        let Some(fr) = t.frames.last() else {
            t.state = State::Done;
            return Ok(());
        };
        let module = &prog.sources[fr.f.module].module;
        let Some(func) = module.functions.get(fr.f.func.0 as usize) else {
            return malformed("frame of a function that does not exist");
        };
        let Some(&id) = func.blocks.get(fr.block).and_then(|b| b.insts.get(fr.idx)) else {
            return malformed(format!(
                "control falls off the end of a block of @{}",
                func.name
            ));
        };
        let Some(inst) = func.insts.get(id.0 as usize) else {
            return malformed("instruction id out of range");
        };
        self.exec(t, module, func, id, inst)
    }

    /// An operand's value in the current frame.
    pub(crate) fn operand(&mut self, t: &Thread, v: Value) -> Result<Val> {
        let Some(fr) = t.frames.last() else {
            return malformed("no frame");
        };
        match v {
            Value::Const(c) => self.konst(fr.f.module, c, 0),
            Value::Arg(i) => fr
                .args
                .get(i as usize)
                .cloned()
                .map_or_else(|| malformed(format!("argument {i} does not exist")), Ok),
            Value::Inst(id) => match fr.slots.get(id.0 as usize) {
                Some(Some(v)) => Ok(v.clone()),
                _ => undefined("a value is used before the instruction defining it ran"),
            },
            Value::Metadata(_) => Ok(Val::Bits(0)),
        }
    }

    /// Stores `v` as the result of `id` and moves to the next instruction.
    pub(crate) fn set(&mut self, t: &mut Thread, id: InstId, v: Val) -> Result<()> {
        self.put(t, id, v)?;
        if let Some(fr) = t.frames.last_mut() {
            fr.idx += 1;
        }
        Ok(())
    }

    /// Stores `v` in the slot of `id`, counting a vector or aggregate
    /// towards the work and memory budgets.
    pub(crate) fn put(&mut self, t: &mut Thread, id: InstId, v: Val) -> Result<()> {
        let Some(f) = t.frames.last().map(|fr| fr.f) else {
            return Ok(());
        };
        let ty = self
            .prog
            .sources
            .get(f.module)
            .and_then(|s| s.module.functions.get(f.func.0 as usize))
            .and_then(|func| func.insts.get(id.0 as usize))
            .map_or(TypeId(0), |i| i.ty);
        let (units, heap) = self.value_cost(f.module, ty, &v);
        if units > 0 {
            self.charge_work(units)?;
        }
        let Some(fr) = t.frames.last_mut() else {
            return Ok(());
        };
        let Some(slot) = fr.slots.get_mut(id.0 as usize) else {
            return Ok(());
        };
        let old = match slot {
            Some(Val::List(_)) => self.type_table(&self.type_heap, f.module, ty),
            _ => 0,
        };
        if heap > old {
            self.mem.charge(heap - old, "a vector or aggregate value")?;
        } else {
            self.mem.release(old - heap);
        }
        fr.heap = fr.heap + heap - old;
        *slot = Some(v);
        Ok(())
    }

    /// An entry of a per-module type table (0 if out of range).
    fn type_table(&self, table: &[Vec<u64>], module: usize, ty: TypeId) -> u64 {
        table
            .get(module)
            .and_then(|v| v.get(ty.0 as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Work units and heap bytes of value `v` of type `ty`, from the type
    /// (values mirror their types: a `List` per vector, array or struct),
    /// without walking the value: a scalar costs nothing beyond its
    /// instruction, a matrix register 3 units.
    fn value_cost(&self, module: usize, ty: TypeId, v: &Val) -> (u64, u64) {
        match v {
            Val::Bits(_) | Val::Ptr(_) => (0, 0),
            Val::Frag { .. } => (3, 0),
            Val::List(_) => (
                self.type_table(&self.type_elems, module, ty),
                self.type_table(&self.type_heap, module, ty),
            ),
        }
    }

    /// Fails before building a value of type `ty` that the memory budget
    /// cannot hold.
    fn check_value_size(&self, module: usize, ty: TypeId) -> Result<()> {
        let n = self
            .type_elems
            .get(module)
            .and_then(|v| v.get(ty.0 as usize))
            .copied()
            .unwrap_or(0);
        if n > 1 {
            self.mem.check(
                n.saturating_mul(std::mem::size_of::<Val>() as u64),
                "a vector or aggregate value",
            )?;
        }
        Ok(())
    }

    fn type_of(module: &Module, func: &air_ir::Function, v: Value) -> Result<TypeId> {
        module
            .value_type(Some(func), v)
            .map_or_else(|| malformed("operand without a type"), Ok)
    }

    #[allow(clippy::too_many_lines)] // one arm per instruction kind reads best as one match
    fn exec(
        &mut self,
        t: &mut Thread,
        module: &'p Module,
        func: &'p air_ir::Function,
        id: InstId,
        inst: &'p Instruction,
    ) -> Result<()> {
        let types = &module.types;
        let layout = Layout::new(types);
        self.check_value_size(t.frames.last().map_or(0, |f| f.f.module), inst.ty)?;
        match &inst.kind {
            InstKind::Binary { op, lhs, rhs } => {
                let (a, b) = (self.operand(t, *lhs)?, self.operand(t, *rhs)?);
                // Fast-math flags allow less precision; the precise IEEE
                // result is always an allowed one, so they change nothing.
                let v = ops::binary(types, *op, inst.ty, &a, &b)?;
                self.set(t, id, v)?;
            }
            InstKind::FNeg { value } => {
                let a = self.operand(t, *value)?;
                self.set(t, id, ops::fneg(types, inst.ty, &a)?)?;
            }
            InstKind::Cast { op, value } => {
                let from = Self::type_of(module, func, *value)?;
                let a = self.operand(t, *value)?;
                self.set(t, id, ops::cast(&layout, types, *op, from, inst.ty, &a)?)?;
            }
            InstKind::ICmp { pred, lhs, rhs } => {
                let ty = Self::type_of(module, func, *lhs)?;
                let (a, b) = (self.operand(t, *lhs)?, self.operand(t, *rhs)?);
                self.set(t, id, ops::icmp(types, *pred, ty, &a, &b)?)?;
            }
            InstKind::FCmp { pred, lhs, rhs } => {
                let ty = Self::type_of(module, func, *lhs)?;
                let (a, b) = (self.operand(t, *lhs)?, self.operand(t, *rhs)?);
                self.set(t, id, ops::fcmp(types, *pred, ty, &a, &b)?)?;
            }
            InstKind::Select {
                cond,
                on_true,
                on_false,
            } => {
                let c = self.operand(t, *cond)?;
                let (a, b) = (self.operand(t, *on_true)?, self.operand(t, *on_false)?);
                self.set(t, id, ops::select(&c, &a, &b)?)?;
            }
            InstKind::Phi { .. } => return malformed("phi after the start of its block"),
            InstKind::Alloca {
                allocated, count, ..
            } => {
                let n = match count {
                    Some(c) => self.operand(t, *c)?.bits()?,
                    None => 1,
                };
                let size = layout
                    .alloc_size(*allocated)?
                    .checked_mul(n)
                    .filter(|s| *s <= 1 << 24)
                    .map_or_else(|| unsupported("alloca larger than 16 MiB"), Ok)?;
                if t.private.len() >= 1 << 20 {
                    return unsupported("more than 2^20 live allocas in one thread");
                }
                let region = t.private.len() as u32;
                let name = match &inst.name {
                    Some(n) => format!("private alloca %{n} in @{}", func.name),
                    None => format!("private alloca in @{}", func.name),
                };
                self.mem.charge(private_cost(size), "an alloca")?;
                t.private.push(Region::new(name, vec![0; size as usize]));
                self.set(
                    t,
                    id,
                    Val::Ptr(Ptr {
                        space: Space::Private,
                        region,
                        offset: 0,
                    }),
                )?;
            }
            InstKind::Load { ptr, .. } => {
                let p = self.operand(t, *ptr)?.ptr()?;
                let v = self.load(t, p, inst.ty, "load")?;
                self.set(t, id, v)?;
            }
            InstKind::Store { value, ptr, .. } => {
                let ty = Self::type_of(module, func, *value)?;
                let v = self.operand(t, *value)?;
                let (units, _) = self.value_cost(t.frames.last().map_or(0, |f| f.f.module), ty, &v);
                self.charge_work(units)?;
                let p = self.operand(t, *ptr)?.ptr()?;
                self.store(t, p, ty, &v, "store")?;
                if let Some(fr) = t.frames.last_mut() {
                    fr.idx += 1;
                }
            }
            InstKind::GetElementPtr {
                source,
                base,
                indices,
                ..
            } => {
                let b = self.operand(t, *base)?;
                let mut idx = Vec::with_capacity(indices.len());
                for v in indices {
                    idx.push((self.operand(t, *v)?, Self::type_of(module, func, *v)?));
                }
                self.set(t, id, ops::gep(&layout, types, *source, &b, &idx)?)?;
            }
            InstKind::ExtractElement { vector, index } => {
                let v = self.operand(t, *vector)?;
                let i = self.operand(t, *index)?.bits()?;
                self.set(t, id, ops::extract_element(&v, i)?)?;
            }
            InstKind::InsertElement {
                vector,
                element,
                index,
            } => {
                let v = self.operand(t, *vector)?;
                let e = self.operand(t, *element)?;
                let i = self.operand(t, *index)?.bits()?;
                self.set(t, id, ops::insert_element(&v, &e, i)?)?;
            }
            InstKind::ShuffleVector { a, b, mask } => {
                let (x, y) = (self.operand(t, *a)?, self.operand(t, *b)?);
                let Value::Const(mc) = mask else {
                    return malformed("shufflevector mask is not a constant");
                };
                let lanes = shuffle_mask(module, *mc)?;
                let zero = ops::zero(types, types.scalar(inst.ty))?;
                self.set(t, id, ops::shuffle(&x, &y, &lanes, &zero)?)?;
            }
            InstKind::ExtractValue { aggregate, indices } => {
                let mut v = self.operand(t, *aggregate)?;
                for i in indices {
                    v = v
                        .list()?
                        .get(*i as usize)
                        .cloned()
                        .map_or_else(|| malformed("extractvalue index out of range"), Ok)?;
                }
                self.set(t, id, v)?;
            }
            InstKind::InsertValue {
                aggregate,
                value,
                indices,
            } => {
                let mut agg = self.operand(t, *aggregate)?;
                let v = self.operand(t, *value)?;
                insert_at(&mut agg, indices, v)?;
                self.set(t, id, agg)?;
            }
            InstKind::Call(call) => self.call(t, module, id, inst, call)?,
            InstKind::Br { dest } => self.jump(t, func, *dest)?,
            InstKind::CondBr {
                cond,
                if_true,
                if_false,
            } => {
                let c = self.operand(t, *cond)?.bits()? & 1;
                self.jump(t, func, if c == 1 { *if_true } else { *if_false })?;
            }
            InstKind::Switch {
                cond,
                default,
                cases,
            } => {
                let ty = Self::type_of(module, func, *cond)?;
                let w = types.int_width(ty).unwrap_or(64);
                let c = self.operand(t, *cond)?.bits()? & mask(w);
                let mut dest = *default;
                let mut compared = 0u64;
                for (k, b) in cases {
                    compared += 1;
                    if self
                        .konst(t.frames.last().map_or(0, |f| f.f.module), *k, 0)?
                        .bits()?
                        & mask(w)
                        == c
                    {
                        dest = *b;
                        break;
                    }
                }
                // Each case compared is work: a switch over 100 000 cases
                // in a loop compared 100 000 of them per unit of the budget
                // (237 s within --budget 1000000).
                self.charge_work(compared)?;
                self.jump(t, func, dest)?;
            }
            InstKind::Ret { value } => {
                let v = match value {
                    Some(v) => Some(self.operand(t, *v)?),
                    None => None,
                };
                self.ret(t, v)?;
            }
            InstKind::Unreachable => return undefined("`unreachable` was reached"),
            InstKind::AtomicRmw(boxed) => {
                let air_ir::AtomicRmw { op, ptr, value, .. } = &**boxed;
                // Threads run one at a time, so read-modify-write is atomic.
                let ty = Self::type_of(module, func, *value)?;
                let p = self.operand(t, *ptr)?.ptr()?;
                let v = self.operand(t, *value)?;
                let old = self.load(t, p, ty, "atomicrmw")?;
                let new = rmw(types, *op, ty, &old, &v)?;
                self.store(t, p, ty, &new, "atomicrmw")?;
                self.set(t, id, old)?;
            }
            InstKind::CmpXchg(xchg) => {
                let air_ir::CmpXchg {
                    ptr, expected, new, ..
                } = &**xchg;
                let ty = Self::type_of(module, func, *expected)?;
                let p = self.operand(t, *ptr)?.ptr()?;
                let (e, n) = (self.operand(t, *expected)?, self.operand(t, *new)?);
                let old = self.load(t, p, ty, "cmpxchg")?;
                let ok = old.bits()? == e.bits()?;
                if ok {
                    self.store(t, p, ty, &n, "cmpxchg")?;
                }
                self.set(t, id, Val::list_of(vec![old, Val::Bits(u64::from(ok))]))?;
            }
            InstKind::Fence { .. } => {
                if let Some(fr) = t.frames.last_mut() {
                    fr.idx += 1;
                }
            }
            InstKind::Freeze { value } => {
                let v = self.operand(t, *value)?;
                self.set(t, id, v)?;
            }
        }
        Ok(())
    }

    /// Branches to `dest`, assigning its phis from the block we leave (all
    /// at once, as phis read their inputs before any of them is written).
    fn jump(&mut self, t: &mut Thread, func: &air_ir::Function, dest: BlockId) -> Result<()> {
        let Some((from, fref)) = t.frames.last().map(|f| (f.block, f.f)) else {
            return malformed("no frame");
        };
        let long_phis = &self.prog.sources[fref.module].phi_entries;
        let Some(block) = func.blocks.get(dest.0 as usize) else {
            return malformed("branch to a block that does not exist");
        };
        let mut assigned = Vec::new();
        for &pid in &block.insts {
            let Some(InstKind::Phi { incoming }) = func.insts.get(pid.0 as usize).map(|i| &i.kind)
            else {
                break;
            };
            // The first entry for `from`, as a search finds it.
            let entry = if incoming.len() > PHI_SCAN_ENTRIES {
                long_phis
                    .get(&(fref.func.0, pid.0, from as u32))
                    .and_then(|&k| incoming.get(k as usize))
            } else {
                incoming.iter().find(|(_, b)| b.0 as usize == from)
            };
            let Some((v, _)) = entry else {
                return malformed(format!(
                    "phi in block {} has no entry for its predecessor",
                    dest.0
                ));
            };
            assigned.push((pid, self.operand(t, *v)?));
        }
        let n = assigned.len();
        // Phis are not steps (they run on the branch), but each is work: a
        // branch into a block of 10 000 phis did 10 000 assignments for one
        // unit of the budget, so a loop through it could run for hours
        // within the default budget.
        self.charge_work(n as u64)?;
        for (pid, v) in assigned {
            self.put(t, pid, v)?;
        }
        if let Some(fr) = t.frames.last_mut() {
            fr.idx = n;
            fr.block = dest.0 as usize;
        }
        Ok(())
    }

    fn ret(&mut self, t: &mut Thread, v: Option<Val>) -> Result<()> {
        let Some(done) = t.frames.pop() else {
            t.state = State::Done;
            return Ok(());
        };
        // The callee's allocas and values die with it.
        let freed: u64 = t
            .private
            .get(done.priv_mark..)
            .unwrap_or_default()
            .iter()
            .map(|r| private_cost(r.bytes.len() as u64))
            .sum();
        self.mem.release(freed + done.heap);
        t.private.truncate(done.priv_mark);
        match (t.frames.last(), done.ret_to) {
            (Some(_), Some(call)) => {
                if let Some(v) = v {
                    self.put(t, call, v)?;
                }
                if let Some(caller) = t.frames.last_mut() {
                    caller.idx += 1;
                }
            }
            _ => t.state = State::Done,
        }
        Ok(())
    }

    fn call(
        &mut self,
        t: &mut Thread,
        module: &'p Module,
        id: InstId,
        inst: &'p Instruction,
        call: &'p air_ir::inst::Call,
    ) -> Result<()> {
        let prog = self.prog;
        let here = t.frames.last().map_or(0, |f| f.f.module);
        let direct = match call.callee {
            Value::Const(c) => match module.consts.try_get(c).map(|k| &k.kind) {
                Some(ConstKind::Function(f)) => Some(FnRef {
                    module: here,
                    func: *f,
                }),
                _ => None,
            },
            _ => None,
        };
        let target = match direct {
            Some(f) => f,
            None => {
                let p = self.operand(t, call.callee)?.ptr()?;
                if p.space != Space::Function || p.offset != 0 {
                    return Err(ErrorKind::BadPointer(
                        "indirect call through a pointer that is not a function".into(),
                    )
                    .into());
                }
                FnRef {
                    module: (p.region >> 16) as usize,
                    func: FuncId(p.region & 0xffff),
                }
            }
        };
        let mut args = Vec::with_capacity(call.args.len());
        for a in &call.args {
            args.push(self.operand(t, *a)?);
        }
        let Some(tfunc) = prog
            .sources
            .get(target.module)
            .and_then(|s| s.module.functions.get(target.func.0 as usize))
        else {
            return malformed("call to a function that does not exist");
        };
        if !tfunc.is_declaration() {
            return self.push_frame(t, target, args, id);
        }
        let sh = self.sh;
        let callee = sh
            .callees
            .get(target.module)
            .and_then(|c| c.get(target.func.0 as usize))
            .and_then(Option::as_ref);
        match callee {
            Some(Callee::Defined(f)) => self.push_frame(t, *f, args, id),
            Some(Callee::Intrinsic(intr)) => {
                let intr = *intr;
                use IntrinsicId as I;
                match intr.id() {
                    I::LifetimeStart | I::LifetimeEnd => {
                        if let Some(fr) = t.frames.last_mut() {
                            fr.idx += 1;
                        }
                        Ok(())
                    }
                    I::SimdgroupMatrixInitFilled => {
                        let v = args
                            .first()
                            .cloned()
                            .map_or_else(|| malformed("missing operand"), Ok)?;
                        self.set(t, id, Val::list_of(vec![v; 64]))?;
                        Ok(())
                    }
                    I::Exp2 | I::FastExp2 => {
                        self.math_call(t, module, id, inst, MathFn::Unary(f64::exp2), &args)
                    }
                    I::Log2 | I::FastLog2 => {
                        self.math_call(t, module, id, inst, MathFn::Unary(f64::log2), &args)
                    }
                    I::AsyncCopy1dDeviceToThreadgroup
                    | I::AsyncCopy1dThreadgroupToDevice
                    | I::AsyncCopy2dDeviceToThreadgroup
                    | I::AsyncCopy2dThreadgroupToDevice
                        if t.frames.len() > 1 =>
                    {
                        Err(ErrorKind::CopyInCalledFunction.into())
                    }
                    // Everything else synchronises: wait for the simdgroup
                    // (or the threadgroup, for barriers).
                    _ => {
                        let fr = t.frames.last().map_or(prog.kernel, |f| f.f);
                        t.args = args;
                        t.state = State::Blocked(Pending {
                            site: (fr, id),
                            intrinsic: intr,
                            decl: target,
                        });
                        Ok(())
                    }
                }
            }
            Some(Callee::Math(f)) => self.math_call(t, module, id, inst, *f, &args),
            Some(Callee::Host(name, f)) => {
                let fty = prog.sources[target.module].module.function(target.func).ty;
                let tm = &prog.sources[target.module].module;
                let Some((ret, params, _)) = tm.types.function_parts(fty) else {
                    return malformed("callee type is not a function type");
                };
                let mut host_args = Vec::with_capacity(args.len());
                for (v, ty) in args.iter().zip(params) {
                    host_args.push(match FloatKind::of(&tm.types, *ty) {
                        Some(k) if !tm.types.is_pointer(*ty) => {
                            HostValue::Float(k.to_f64(v.bits()?))
                        }
                        _ if tm.types.is_pointer(*ty) => HostValue::Ptr(v.ptr()?.encode()),
                        _ => HostValue::Int(v.bits()?),
                    });
                }
                let r = f(&host_args).map_err(|e| {
                    ExecError::new(ErrorKind::Undefined(format!(
                        "visible function `{name}` (a registered closure) failed: {e}"
                    )))
                })?;
                let v = match (r, FloatKind::of(&tm.types, ret)) {
                    (HostValue::Void, _) => Val::Bits(0),
                    (HostValue::Float(x), Some(k)) => Val::Bits(k.round_bits(x)),
                    (HostValue::Int(x), None) => Val::Bits(x & mask(tm.types.int_width(ret).unwrap_or(64))),
                    (HostValue::Ptr(x), None) => Val::Ptr(Ptr::decode(x)),
                    (other, _) => {
                        return Err(ErrorKind::Undefined(format!("visible function `{name}` (a registered closure) returned {other:?}, which does not fit its return type")).into())
                    }
                };
                self.set(t, id, v)?;
                Ok(())
            }
            Some(Callee::Mem(copy)) => {
                let arg = |i: usize| {
                    args.get(i)
                        .map_or_else(|| malformed("memory intrinsic with too few operands"), Ok)
                };
                let dst = arg(0)?.ptr()?;
                let len = arg(2)?.bits()?;
                if len > MAX_MEMCPY_BYTES {
                    return unsupported("memory intrinsics over 256 MiB");
                }
                self.charge_work(len.div_ceil(8))?;
                self.mem.check(len, "a memcpy or memset")?;
                let sg = t.sg;
                let bytes = if *copy {
                    // Read everything first, so overlapping moves behave as memmove.
                    self.read_bytes(Some(t), sg, arg(1)?.ptr()?, len, "memcpy read")?
                } else {
                    vec![arg(1)?.bits()? as u8; len as usize]
                };
                self.write_bytes(
                    Some(t),
                    sg,
                    dst,
                    &bytes,
                    if *copy { "memcpy write" } else { "memset" },
                )?;
                if let Some(fr) = t.frames.last_mut() {
                    fr.idx += 1;
                }
                Ok(())
            }
            Some(Callee::NoOp) => {
                self.set(t, id, Val::Bits(0))?;
                Ok(())
            }
            Some(Callee::Unresolved(reason)) => Err(ErrorKind::Setup(reason.clone()).into()),
            None => malformed("call to a declaration the linker did not see"),
        }
    }

    fn push_frame(&mut self, t: &mut Thread, f: FnRef, args: Vec<Val>, call: InstId) -> Result<()> {
        if t.frames.len() >= MAX_CALL_FRAMES {
            return unsupported(format!(
                "call depth over {MAX_CALL_FRAMES} (unbounded recursion?)"
            ));
        }
        let module = &self.prog.sources[f.module].module;
        let func = module.function(f.func);
        let varargs = module
            .types
            .function_parts(func.ty)
            .is_some_and(|(_, _, v)| v);
        // Extra arguments of a variadic callee are accepted and unused.
        if func.params.len() != args.len() && !(varargs && args.len() > func.params.len()) {
            return malformed(format!(
                "@{} takes {} arguments but is called with {}",
                func.name,
                func.params.len(),
                args.len()
            ));
        }
        let heap = func.insts.len() as u64 * SLOT_BYTES
            + args.iter().map(Val::heap_bytes).sum::<u64>()
            + (args.capacity() * std::mem::size_of::<Val>()) as u64;
        self.mem.charge(heap, "a call frame")?;
        // A frame has a slot per instruction of the callee and holds the
        // arguments, made for one step: a loop calling a function of
        // 100 000 instructions ran 57 s within --budget 1000000. One unit per
        // 64 slots and arguments keeps small calls at their one step.
        self.charge_work((func.insts.len() + args.len()) as u64 / 64)?;
        t.frames.push(Frame {
            f,
            block: 0,
            idx: 0,
            slots: vec![None; func.insts.len()],
            args,
            priv_mark: t.private.len(),
            ret_to: Some(call),
            heap,
        });
        Ok(())
    }

    fn math_call(
        &mut self,
        t: &mut Thread,
        module: &Module,
        id: InstId,
        inst: &Instruction,
        f: MathFn,
        args: &[Val],
    ) -> Result<()> {
        let types = &module.types;
        let v = match types.vector_parts(inst.ty) {
            Some((n, elem)) => {
                let mut lanes = Vec::with_capacity(n as usize);
                for i in 0..n as usize {
                    let lane_args = args
                        .iter()
                        .map(|a| match a {
                            Val::List(l) => l
                                .get(i)
                                .cloned()
                                .map_or_else(|| malformed("vector operand too short"), Ok),
                            // Scalar flags such as llvm.abs's i1 apply to every lane.
                            other => Ok(other.clone()),
                        })
                        .collect::<Result<Vec<_>>>()?;
                    lanes.push(math_scalar(types, f, elem, &lane_args)?);
                }
                Val::from_list(lanes)
            }
            None => math_scalar(types, f, inst.ty, args)?,
        };
        self.set(t, id, v)?;
        Ok(())
    }

    /// The value of constant `c` of module `m` (cached).
    pub(crate) fn konst(&mut self, m: usize, c: ConstId, depth: u32) -> Result<Val> {
        if let Some(Some(v)) = self.consts.get(m).and_then(|v| v.get(c.0 as usize)) {
            return Ok(v.clone());
        }
        if depth > MAX_CONST_DEPTH {
            return unsupported("constant nests too deeply");
        }
        let prog = self.prog;
        let module = &prog.sources[m].module;
        let types = &module.types;
        let layout = Layout::new(types);
        let Some(k) = module.consts.try_get(c) else {
            return malformed("constant id out of range");
        };
        if type_elements(types, k.ty, 0) > MAX_CONST_ELEMENTS {
            return unsupported(format!(
                "aggregate constants over {MAX_CONST_ELEMENTS} elements"
            ));
        }
        let ty_of = |id: ConstId| {
            module
                .consts
                .try_get(id)
                .map(|k| k.ty)
                .map_or_else(|| malformed("constant id out of range"), Ok)
        };
        let v = match &k.kind {
            ConstKind::Int(ap) => {
                let w = types.int_width(k.ty).unwrap_or(64);
                if w > 64 {
                    return unsupported(format!("integers wider than 64 bits (i{w})"));
                }
                Val::Bits(ap.low_u64() & mask(w))
            }
            ConstKind::Float(bits) => Val::Bits(*bits),
            ConstKind::Null | ConstKind::Undef | ConstKind::Poison | ConstKind::Zero => {
                ops::zero(types, k.ty)?
            }
            ConstKind::Array(ids) | ConstKind::Vector(ids) | ConstKind::Struct(ids) => {
                let mut out = Vec::with_capacity(ids.len());
                for e in ids {
                    out.push(self.konst(m, *e, depth + 1)?);
                }
                Val::from_list(out)
            }
            ConstKind::String(bytes) => {
                Val::list_of(bytes.iter().map(|b| Val::Bits(u64::from(*b))).collect())
            }
            ConstKind::Global(g) => Val::Ptr(
                self.sh
                    .global_ptrs
                    .get(m)
                    .and_then(|v| v.get(g.0 as usize))
                    .copied()
                    .map_or_else(|| malformed("global id out of range"), Ok)?,
            ),
            ConstKind::Function(f) => Val::Ptr(Ptr {
                space: Space::Function,
                region: ((m as u32) << 16) | (f.0 & 0xffff),
                offset: 0,
            }),
            ConstKind::Expr(e) => match e {
                ConstExpr::Cast { op, value } => {
                    let v = self.konst(m, *value, depth + 1)?;
                    ops::cast(&layout, types, *op, ty_of(*value)?, k.ty, &v)?
                }
                ConstExpr::GetElementPtr {
                    source,
                    base,
                    indices,
                    ..
                } => {
                    let b = self.konst(m, *base, depth + 1)?;
                    let mut idx = Vec::with_capacity(indices.len());
                    for i in indices {
                        idx.push((self.konst(m, *i, depth + 1)?, ty_of(*i)?));
                    }
                    ops::gep(&layout, types, *source, &b, &idx)?
                }
                ConstExpr::Binary { op, lhs, rhs, .. } => {
                    let (a, b) = (
                        self.konst(m, *lhs, depth + 1)?,
                        self.konst(m, *rhs, depth + 1)?,
                    );
                    ops::binary(types, *op, k.ty, &a, &b)?
                }
                ConstExpr::FNeg(x) => {
                    let a = self.konst(m, *x, depth + 1)?;
                    ops::fneg(types, k.ty, &a)?
                }
                ConstExpr::ICmp { pred, lhs, rhs } => {
                    let (a, b) = (
                        self.konst(m, *lhs, depth + 1)?,
                        self.konst(m, *rhs, depth + 1)?,
                    );
                    ops::icmp(types, *pred, ty_of(*lhs)?, &a, &b)?
                }
                ConstExpr::FCmp { pred, lhs, rhs } => {
                    let (a, b) = (
                        self.konst(m, *lhs, depth + 1)?,
                        self.konst(m, *rhs, depth + 1)?,
                    );
                    ops::fcmp(types, *pred, ty_of(*lhs)?, &a, &b)?
                }
                ConstExpr::Select {
                    cond,
                    on_true,
                    on_false,
                } => {
                    let c = self.konst(m, *cond, depth + 1)?;
                    let (a, b) = (
                        self.konst(m, *on_true, depth + 1)?,
                        self.konst(m, *on_false, depth + 1)?,
                    );
                    ops::select(&c, &a, &b)?
                }
                ConstExpr::ExtractElement { vector, index } => {
                    let v = self.konst(m, *vector, depth + 1)?;
                    let i = self.konst(m, *index, depth + 1)?.bits()?;
                    ops::extract_element(&v, i)?
                }
                ConstExpr::InsertElement {
                    vector,
                    element,
                    index,
                } => {
                    let v = self.konst(m, *vector, depth + 1)?;
                    let e = self.konst(m, *element, depth + 1)?;
                    let i = self.konst(m, *index, depth + 1)?.bits()?;
                    ops::insert_element(&v, &e, i)?
                }
                ConstExpr::ShuffleVector { a, b, mask } => {
                    let (x, y) = (self.konst(m, *a, depth + 1)?, self.konst(m, *b, depth + 1)?);
                    let lanes = shuffle_mask(module, *mask)?;
                    let zero = ops::zero(types, types.scalar(k.ty))?;
                    ops::shuffle(&x, &y, &lanes, &zero)?
                }
            },
        };
        if let Some(slot) = self.consts.get_mut(m).and_then(|v| v.get_mut(c.0 as usize)) {
            *slot = Some(v.clone());
        }
        Ok(v)
    }
}

/// Lanes of a constant shufflevector mask (`None` = undef).
fn shuffle_mask(module: &Module, c: ConstId) -> Result<Vec<Option<u64>>> {
    let Some(k) = module.consts.try_get(c) else {
        return malformed("constant id out of range");
    };
    let len = module
        .types
        .vector_parts(k.ty)
        .map_or(0, |(n, _)| n as usize);
    Ok(match &k.kind {
        ConstKind::Zero => vec![Some(0); len],
        ConstKind::Undef | ConstKind::Poison => vec![None; len],
        ConstKind::Vector(ids) => ids
            .iter()
            .map(|e| match module.consts.try_get(*e).map(|k| &k.kind) {
                Some(ConstKind::Int(ap)) => Some(ap.low_u64()),
                _ => None,
            })
            .collect(),
        _ => return malformed("shufflevector mask is not a constant vector"),
    })
}

fn insert_at(agg: &mut Val, indices: &[u32], v: Val) -> Result<()> {
    let Some((first, rest)) = indices.split_first() else {
        *agg = v;
        return Ok(());
    };
    match agg {
        Val::List(items) => match std::rc::Rc::make_mut(items).get_mut(*first as usize) {
            Some(slot) => insert_at(slot, rest, v),
            None => malformed("insertvalue index out of range"),
        },
        _ => malformed("insertvalue into a non-aggregate"),
    }
}

fn rmw(
    types: &air_ir::TypeTable,
    op: air_ir::inst::RmwOp,
    ty: TypeId,
    old: &Val,
    v: &Val,
) -> Result<Val> {
    use air_ir::inst::RmwOp as R;
    use air_ir::Opcode as O;
    let bin = |o| ops::binary(types, o, ty, old, v);
    match op {
        R::Xchg => Ok(v.clone()),
        R::Add => bin(O::Add),
        R::Sub => bin(O::Sub),
        R::And => bin(O::And),
        R::Or => bin(O::Or),
        R::Xor => bin(O::Xor),
        R::Nand => {
            let a = bin(O::And)?;
            let w = types.int_width(ty).unwrap_or(64);
            Ok(Val::Bits(!a.bits()? & mask(w)))
        }
        R::FAdd => bin(O::FAdd),
        R::FSub => bin(O::FSub),
        R::Max | R::Min | R::UMax | R::UMin => {
            let w = types.int_width(ty).unwrap_or(64);
            let (a, b) = (old.bits()?, v.bits()?);
            let pick_new = match op {
                R::Max => sext(b, w) > sext(a, w),
                R::Min => sext(b, w) < sext(a, w),
                R::UMax => b > a,
                _ => b < a,
            };
            Ok(Val::Bits(if pick_new { b } else { a }))
        }
    }
}

fn math_scalar(types: &air_ir::TypeTable, f: MathFn, ty: TypeId, args: &[Val]) -> Result<Val> {
    let arg = |i: usize| -> Result<u64> {
        args.get(i)
            .map_or_else(|| malformed("math call with too few operands"), Val::bits)
    };
    if let MathFn::Int(op) = f {
        let w = types.int_width(ty).unwrap_or(64);
        let (a, m) = (arg(0)?, mask(w));
        let r = match op {
            IntOp::Abs => (sext(a, w).unsigned_abs()) & m,
            IntOp::SMin | IntOp::SMax | IntOp::UMin | IntOp::UMax => {
                let b = arg(1)?;
                let less = match op {
                    IntOp::SMin | IntOp::SMax => sext(a, w) < sext(b, w),
                    _ => a < b,
                };
                let pick_a = matches!(op, IntOp::SMin | IntOp::UMin) == less;
                if pick_a {
                    a
                } else {
                    b
                }
            }
        };
        return Ok(Val::Bits(r & m));
    }
    let Some(k) = FloatKind::of(types, ty) else {
        return unsupported("math function on a non-float type");
    };
    let x = |i: usize| -> Result<f64> { Ok(k.to_f64(arg(i)?)) };
    Ok(Val::Bits(match f {
        MathFn::Unary(g) => k.round_bits(g(x(0)?)),
        MathFn::Binary(g) => k.round_bits(g(x(0)?, x(1)?)),
        MathFn::Fma => k.fma(arg(0)?, arg(1)?, arg(2)?),
        MathFn::Clamp => k.round_bits(x(0)?.max(x(1)?).min(x(2)?)),
        MathFn::Int(_) => 0,
    }))
}

/// Bytes an alloca of `size` bytes counts.
fn private_cost(size: u64) -> u64 {
    size + std::mem::size_of::<Region>() as u64
}
