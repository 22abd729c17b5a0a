//! A generator of random, valid AIR modules for property tests and fuzzing.
//!
//! Everything is built through [`Builder`], driven by a seed, so a failing
//! case is reproduced by its seed alone. Control flow is generated
//! structurally (straight code, if/else diamonds with phis at the join,
//! counted loops with a phi induction variable), which keeps every use
//! dominated by its definition without a dominator computation here.

use air_ir::attributes::{AttrKind, AttrSet, Attribute};
use air_ir::builder::Builder;
use air_ir::inst::{Flags, FloatPredicate, IntPredicate, OpClass, Opcode, Ordering, RmwOp, Value};
use air_ir::module::{FuncId, Linkage, Module, UnnamedAddr};
use air_ir::types::TypeId;

use crate::{Rng, AIR_DATALAYOUT};

/// Size knobs for [`random_module`].
#[derive(Clone, Copy, Debug)]
pub struct GenOptions {
    /// Number of kernels.
    pub kernels: usize,
    /// Roughly how many instructions per straight-line stretch.
    pub stretch: usize,
    /// Maximum nesting of ifs and loops.
    pub depth: u32,
    /// Whether to describe the module with debug info (a compile unit,
    /// subprograms, locations, variables and the `llvm.dbg.*` calls; see
    /// `debug.rs`).
    pub debug_info: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            kernels: 2,
            stretch: 6,
            depth: 2,
            debug_info: false,
        }
    }
}

/// Generates a random valid module from `seed`.
pub fn random_module(seed: u64, options: GenOptions) -> Module {
    let mut g = Gen::new(seed);
    g.module(options);
    if options.debug_info {
        crate::debug::add_debug_info(&mut g.b, &mut g.rng, &g.helpers, g.tg_global_id);
    }
    g.b.finish()
}

struct Types {
    void: TypeId,
    i1: TypeId,
    i16: TypeId,
    i32: TypeId,
    i64: TypeId,
    half: TypeId,
    float: TypeId,
    v4f32: TypeId,
    v2i32: TypeId,
    f32_dev: TypeId,
    i32_dev: TypeId,
}

struct Gen {
    b: Builder,
    rng: Rng,
    t: Types,
    barrier: FuncId,
    helpers: Vec<FuncId>,
    tg_global: Option<Value>,
    tg_global_id: Option<air_ir::module::GlobalId>,
    kernel_nodes: Vec<air_ir::metadata::MetaId>,
}

/// Values visible at the current point, by type, each type's in the order
/// they became visible. (Grouped by type, since a pick looks at one type:
/// filtering one list of every value made generating large functions
/// quadratic.)
#[derive(Clone, Default)]
struct Scope {
    by_type: Vec<(TypeId, Vec<Value>)>,
}

impl Scope {
    fn of(&self, ty: TypeId) -> &[Value] {
        self.by_type
            .iter()
            .find(|(t, _)| *t == ty)
            .map_or(&[], |(_, vs)| vs.as_slice())
    }

    fn push(&mut self, ty: TypeId, v: Value) {
        match self.by_type.iter_mut().find(|(t, _)| *t == ty) {
            Some((_, vs)) => vs.push(v),
            None => self.by_type.push((ty, vec![v])),
        }
    }
}

impl Gen {
    fn new(seed: u64) -> Self {
        let mut b = Builder::new();
        let void = b.ty_void();
        let i1 = b.ty_int(1);
        let i16 = b.ty_int(16);
        let i32 = b.ty_int(32);
        let i64 = b.ty_int(64);
        let half = b.ty_half();
        let float = b.ty_float();
        let v4f32 = b.ty_vector(float, 4);
        let v2i32 = b.ty_vector(i32, 2);
        let f32_dev = b.ty_ptr(float, 1);
        let i32_dev = b.ty_ptr(i32, 1);
        let barrier_ty = b.ty_function(void, vec![i32, i32], false);
        let barrier = b.declare_function("air.wg.barrier", barrier_ty);
        b.function_mut(barrier).fn_attrs = AttrSet::from_attrs([
            Attribute::Enum(AttrKind::Convergent),
            Attribute::Enum(AttrKind::NoUnwind),
        ]);
        Gen {
            b,
            rng: Rng::new(seed),
            t: Types {
                void,
                i1,
                i16,
                i32,
                i64,
                half,
                float,
                v4f32,
                v2i32,
                f32_dev,
                i32_dev,
            },
            barrier,
            helpers: Vec::new(),
            tg_global: None,
            tg_global_id: None,
            kernel_nodes: Vec::new(),
        }
    }

    fn module(&mut self, options: GenOptions) {
        self.b.set_source_filename("generated.metal");
        self.b.set_datalayout(AIR_DATALAYOUT);
        self.b.set_triple("air64_v28-apple-macosx26.0.0");
        if self.rng.chance(1, 2) {
            let arr = self.b.ty_array(self.t.float, 64);
            let undef = self.b.const_undef(arr);
            let g = self.b.global("tg_buf", arr, 3, Some(undef), Some(4));
            self.tg_global = Some(self.b.global_value(g));
            self.tg_global_id = Some(g);
        }
        if self.rng.chance(1, 2) {
            // A constant table in the constant address space.
            let arr = self.b.ty_array(self.t.i32, 4);
            let items: Vec<Value> = (0..4)
                .map(|_| {
                    let v = self.rng.below(1000) as i128 - 500;
                    self.b.const_int(self.t.i32, v)
                })
                .collect();
            let init = self.b.const_aggregate(arr, &items).ok();
            let g = self.b.global("table", arr, 2, init, Some(4));
            let gl = &mut self.b.module_mut().globals[g.0 as usize];
            gl.is_constant = true;
            gl.unnamed_addr = UnnamedAddr::Global;
        }
        for k in 0..self.rng.below(3) {
            self.helper(k);
        }
        for k in 0..options.kernels.max(1) {
            self.kernel(k, options);
        }
        self.module_metadata();
    }

    /// A small internal helper function kernels may call.
    fn helper(&mut self, index: usize) {
        let t = &self.t;
        let (ret, params) = match self.rng.below(3) {
            0 => (t.float, vec![t.float, t.float]),
            1 => (t.i32, vec![t.i32]),
            _ => (t.float, vec![t.float]),
        };
        let fty = self.b.ty_function(ret, params.clone(), false);
        let f = self.b.define_function(&format!("helper{index}"), fty);
        self.b.function_mut(f).linkage = Linkage::Internal;
        let entry = self.b.append_block(f, Some("entry"));
        self.b.position_at_end(f, entry);
        let mut scope = Scope::default();
        for (i, p) in params.iter().enumerate() {
            self.b.set_param_name(f, i, &format!("p{i}"));
            scope.push(*p, Value::Arg(i as u32));
        }
        self.stretch(&mut scope, 4, false);
        let r = self.value_of(&scope, ret);
        let _ = self.b.ret(Some(r));
        self.helpers.push(f);
    }

    fn kernel(&mut self, index: usize, options: GenOptions) {
        let t = &self.t;
        let params = vec![t.f32_dev, t.i32_dev, t.i32, t.i32];
        let fty = self.b.ty_function(t.void, params.clone(), false);
        let name = format!("kernel{index}");
        let f = self.b.define_function(&name, fty);
        {
            let func = self.b.function_mut(f);
            func.unnamed_addr = UnnamedAddr::Local;
            func.fn_attrs = AttrSet::from_attrs([
                Attribute::Enum(AttrKind::Convergent),
                Attribute::Enum(AttrKind::MustProgress),
                Attribute::Enum(AttrKind::NoUnwind),
                Attribute::string("frame-pointer", "none"),
                Attribute::string("no-builtins", ""),
            ]);
            func.params[0].attrs = AttrSet::from_attrs([
                Attribute::Enum(AttrKind::NoUndef),
                Attribute::string("air-buffer-no-alias", ""),
            ]);
            func.params[1].attrs = AttrSet::from_attrs([Attribute::Enum(AttrKind::NoUndef)]);
        }
        for (i, n) in ["data", "counts", "tid", "lane"].iter().enumerate() {
            if self.rng.chance(3, 4) {
                self.b.set_param_name(f, i, n);
            }
        }
        let entry_name = if self.rng.chance(1, 2) {
            Some("entry")
        } else {
            None
        };
        let entry = self.b.append_block(f, entry_name);
        self.b.position_at_end(f, entry);
        let mut scope = Scope::default();
        for (i, p) in params.iter().enumerate() {
            scope.push(*p, Value::Arg(i as u32));
        }
        self.body(f, &mut scope, options.depth, options.stretch);
        let _ = self.b.ret(None);
        self.kernel_metadata(f);
    }

    /// Straight code, then maybe an if/else or a loop, recursively.
    fn body(&mut self, f: FuncId, scope: &mut Scope, depth: u32, stretch: usize) {
        self.stretch(scope, stretch, true);
        if depth == 0 {
            return;
        }
        match self.rng.below(3) {
            0 => self.diamond(f, scope, depth, stretch),
            1 => self.counted_loop(f, scope, depth, stretch),
            _ => {}
        }
        self.stretch(scope, stretch / 2 + 1, true);
    }

    fn diamond(&mut self, f: FuncId, scope: &mut Scope, depth: u32, stretch: usize) {
        let cond = self.bool_value(scope);
        let then_b = self.b.append_block(f, Some("then"));
        let else_b = self.b.append_block(f, None);
        let join = self.b.append_block(f, Some("join"));
        let _ = self.b.cond_br(cond, then_b, else_b);
        let ty = *self.rng.pick(&[self.t.i32, self.t.float]);

        self.b.position_at_end(f, then_b);
        let mut s1 = scope.clone();
        self.body(f, &mut s1, depth - 1, stretch / 2 + 1);
        let v1 = self.value_of(&s1, ty);
        let end1 = self.b.position().map(|(_, b)| b).unwrap_or(then_b);
        let _ = self.b.br(join);

        self.b.position_at_end(f, else_b);
        let mut s2 = scope.clone();
        self.stretch(&mut s2, stretch / 2 + 1, true);
        let v2 = self.value_of(&s2, ty);
        let end2 = self.b.position().map(|(_, b)| b).unwrap_or(else_b);
        let _ = self.b.br(join);

        self.b.position_at_end(f, join);
        if let Ok(phi) = self.b.phi(ty, vec![(v1, end1), (v2, end2)]) {
            let _ = self.b.set_name(phi, "merged");
            scope.push(ty, phi);
        }
    }

    fn counted_loop(&mut self, f: FuncId, scope: &mut Scope, depth: u32, stretch: usize) {
        let Some((_, pre)) = self.b.position() else {
            return;
        };
        let header = self.b.append_block(f, Some("loop"));
        let exit = self.b.append_block(f, Some("exit"));
        let _ = self.b.br(header);
        self.b.position_at_end(f, header);
        let zero = self.b.const_int(self.t.i32, 0);
        let Ok(i) = self.b.phi(self.t.i32, vec![(zero, pre)]) else {
            return;
        };
        let _ = self.b.set_name(i, "i");
        let mut inner = scope.clone();
        inner.push(self.t.i32, i);
        self.body(f, &mut inner, depth - 1, stretch / 2 + 1);
        let one = self.b.const_int(self.t.i32, 1);
        let Ok(next) = self
            .b
            .binary(Opcode::Add, i, one, Flags::NUW.with(Flags::NSW))
        else {
            return;
        };
        let bound = self.b.const_int(self.t.i32, 1 + self.rng.below(16) as i128);
        let Ok(done) = self.b.icmp(IntPredicate::Uge, next, bound) else {
            return;
        };
        let latch = self.b.position().map(|(_, b)| b).unwrap_or(header);
        let _ = self.b.add_incoming(i, next, latch);
        let _ = self.b.cond_br(done, exit, header);
        self.b.position_at_end(f, exit);
    }

    fn bool_value(&mut self, scope: &mut Scope) -> Value {
        let a = self.value_of(scope, self.t.i32);
        let c = self.b.const_int(self.t.i32, self.rng.below(64) as i128);
        let pred = *self.rng.pick(IntPredicate::ALL);
        match self.b.icmp(pred, a, c) {
            Ok(v) => {
                scope.push(self.t.i1, v);
                v
            }
            Err(_) => self.b.const_int(self.t.i1, 1),
        }
    }

    /// A value of `ty` from the scope, or a fresh constant.
    fn value_of(&mut self, scope: &Scope, ty: TypeId) -> Value {
        let found = scope.of(ty);
        if !found.is_empty() && self.rng.chance(4, 5) {
            return *self.rng.pick(found);
        }
        let t = &self.t;
        if ty == t.float || ty == t.half {
            let v = (self.rng.below(2000) as f64 - 1000.0) / 8.0;
            self.b.const_float(ty, v)
        } else if ty == t.v4f32 || ty == t.v2i32 {
            if self.rng.chance(1, 2) {
                self.b.const_zero(ty)
            } else {
                self.b.const_undef(ty)
            }
        } else {
            let v = self.rng.below(200) as i128 - 100;
            self.b.const_int(ty, v)
        }
    }

    /// `n` random instructions that extend the scope.
    fn stretch(&mut self, scope: &mut Scope, n: usize, in_kernel: bool) {
        for _ in 0..n {
            let made = match self.rng.below(12) {
                0..=2 => self.int_op(scope),
                3..=4 => self.float_op(scope),
                5 => self.cast_op(scope),
                6 => self.select_op(scope),
                7 => self.vector_op(scope),
                8 if in_kernel => self.memory_op(scope),
                9 if in_kernel => self.barrier(),
                10 => self.helper_call(scope),
                11 if in_kernel => self.atomic_op(scope),
                _ => self.int_op(scope),
            };
            if let Some((ty, v)) = made {
                if self.rng.chance(1, 3) {
                    let _ = self.b.set_name(v, "v");
                }
                scope.push(ty, v);
            }
        }
    }

    fn int_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let ty = *self
            .rng
            .pick(&[self.t.i32, self.t.i32, self.t.i64, self.t.i16]);
        let ops: Vec<Opcode> = Opcode::ALL
            .iter()
            .copied()
            .filter(|o| o.class() == OpClass::IntBinary)
            .collect();
        let op = *self.rng.pick(&ops);
        let a = self.value_of(scope, ty);
        // Divisors are non-zero constants so generated code has no UB.
        let b = if matches!(
            op,
            Opcode::UDiv | Opcode::SDiv | Opcode::URem | Opcode::SRem
        ) {
            self.b.const_int(ty, 1 + self.rng.below(9) as i128)
        } else if matches!(op, Opcode::Shl | Opcode::LShr | Opcode::AShr) {
            self.b.const_int(ty, self.rng.below(8) as i128)
        } else {
            self.value_of(scope, ty)
        };
        let mut flags = Flags::empty();
        match op.flag_rule() {
            air_ir::inst::FlagRule::Wrap => {
                if self.rng.chance(1, 2) {
                    flags = flags.with(Flags::NSW);
                }
                if self.rng.chance(1, 3) {
                    flags = flags.with(Flags::NUW);
                }
            }
            air_ir::inst::FlagRule::Exact if self.rng.chance(1, 3) => flags = Flags::EXACT,
            _ => {}
        }
        self.b.binary(op, a, b, flags).ok().map(|v| (ty, v))
    }

    fn float_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let ty = if self.rng.chance(1, 5) {
            self.t.half
        } else {
            self.t.float
        };
        let fmf = match self.rng.below(4) {
            0 => Flags::FAST,
            1 => Flags::NNAN.with(Flags::CONTRACT),
            _ => Flags::empty(),
        };
        if self.rng.chance(1, 8) {
            let a = self.value_of(scope, ty);
            return self.b.fneg(a, fmf).ok().map(|v| (ty, v));
        }
        if self.rng.chance(1, 8) {
            let a = self.value_of(scope, ty);
            let b = self.value_of(scope, ty);
            let pred = *self.rng.pick(FloatPredicate::ALL);
            return self.b.fcmp(pred, a, b, fmf).ok().map(|v| (self.t.i1, v));
        }
        let op = *self
            .rng
            .pick(&[Opcode::FAdd, Opcode::FSub, Opcode::FMul, Opcode::FDiv]);
        let a = self.value_of(scope, ty);
        let b = self.value_of(scope, ty);
        self.b.binary(op, a, b, fmf).ok().map(|v| (ty, v))
    }

    fn cast_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let t = &self.t;
        let (op, from, to) = *self.rng.pick(&[
            (Opcode::ZExt, t.i32, t.i64),
            (Opcode::SExt, t.i16, t.i32),
            (Opcode::Trunc, t.i64, t.i32),
            (Opcode::SIToFP, t.i32, t.float),
            (Opcode::FPToUI, t.float, t.i32),
            (Opcode::FPExt, t.half, t.float),
            (Opcode::FPTrunc, t.float, t.half),
            (Opcode::BitCast, t.float, t.i32),
        ]);
        let v = self.value_of(scope, from);
        self.b.cast(op, v, to).ok().map(|r| (to, r))
    }

    fn select_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let cond = self.bool_value(scope);
        let ty = *self.rng.pick(&[self.t.i32, self.t.float]);
        let a = self.value_of(scope, ty);
        let b = self.value_of(scope, ty);
        self.b.select(cond, a, b).ok().map(|v| (ty, v))
    }

    fn vector_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let vec = self.value_of(scope, self.t.v4f32);
        let lane = self.b.const_int(self.t.i32, self.rng.below(4) as i128);
        if self.rng.chance(1, 2) {
            let x = self.value_of(scope, self.t.float);
            self.b
                .insert_element(vec, x, lane)
                .ok()
                .map(|v| (self.t.v4f32, v))
        } else {
            self.b
                .extract_element(vec, lane)
                .ok()
                .map(|v| (self.t.float, v))
        }
    }

    fn memory_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let tid = Value::Arg(2);
        let idx = self.b.cast(Opcode::ZExt, tid, self.t.i64).ok()?;
        if let (Some(tg), true) = (self.tg_global, self.rng.chance(1, 3)) {
            let zero = self.b.const_int(self.t.i64, 0);
            let lane = self.b.const_int(self.t.i64, self.rng.below(64) as i128);
            let p = self.b.gep(tg, &[zero, lane], true).ok()?;
            let v = self.b.load(p, Some(4)).ok()?;
            return Some((self.t.float, v));
        }
        let base = Value::Arg(0);
        let p = self.b.gep(base, &[idx], true).ok()?;
        if self.rng.chance(1, 2) {
            let v = self.b.load(p, Some(4)).ok()?;
            Some((self.t.float, v))
        } else {
            let x = self.value_of(scope, self.t.float);
            self.b.store(x, p, Some(4)).ok()?;
            None
        }
    }

    fn atomic_op(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        let counts = Value::Arg(1);
        let x = self.value_of(scope, self.t.i32);
        let op = *self
            .rng
            .pick(&[RmwOp::Add, RmwOp::Max, RmwOp::Xchg, RmwOp::Or]);
        let v = self.b.atomic_rmw(op, counts, x, Ordering::Monotonic).ok()?;
        Some((self.t.i32, v))
    }

    fn barrier(&mut self) -> Option<(TypeId, Value)> {
        let two = self.b.const_int(self.t.i32, 2);
        let one = self.b.const_int(self.t.i32, 1);
        let _ = self.b.call(self.barrier, &[two, one]);
        None
    }

    fn helper_call(&mut self, scope: &mut Scope) -> Option<(TypeId, Value)> {
        if self.helpers.is_empty() {
            return None;
        }
        let h = *self.rng.pick(&self.helpers);
        let fty = self.b.module().function(h).ty;
        let (ret, params, _) = self.b.module().types.function_parts(fty)?;
        let params = params.to_vec();
        let args: Vec<Value> = params.iter().map(|p| self.value_of(scope, *p)).collect();
        self.b.call(h, &args).ok().map(|v| (ret, v))
    }

    fn kernel_metadata(&mut self, f: FuncId) {
        let fv = self.b.function_value(f);
        let fmd = self.b.md_value(fv).ok();
        let empty = self.b.md_node(vec![]);
        let mut args = Vec::new();
        let specs: [(&str, Option<u32>); 4] = [
            ("air.buffer", Some(0)),
            ("air.buffer", Some(1)),
            ("air.thread_position_in_grid", None),
            ("air.thread_index_in_simdgroup", None),
        ];
        for (i, (kind, location)) in specs.iter().enumerate() {
            let idx = self.b.const_int(self.t.i32, i as i128);
            let mut ops = vec![self.b.md_value(idx).ok(), Some(self.b.md_string(kind))];
            if let Some(loc) = location {
                let l = self.b.const_int(self.t.i32, i128::from(*loc));
                let one = self.b.const_int(self.t.i32, 1);
                ops.push(Some(self.b.md_string("air.location_index")));
                ops.push(self.b.md_value(l).ok());
                ops.push(self.b.md_value(one).ok());
                ops.push(Some(self.b.md_string("air.read_write")));
            }
            ops.push(Some(self.b.md_string("air.arg_type_name")));
            ops.push(Some(self.b.md_string(if i == 0 {
                "float"
            } else {
                "uint"
            })));
            let node = self.b.md_node(ops);
            args.push(Some(node));
        }
        let arg_list = self.b.md_node(args);
        let node = self.b.md_node(vec![fmd, Some(empty), Some(arg_list)]);
        self.kernel_nodes.push(node);
    }

    fn module_metadata(&mut self) {
        let nodes = std::mem::take(&mut self.kernel_nodes);
        self.b.add_named_metadata("air.kernel", &nodes);
        let mut flags = Vec::new();
        for (behaviour, key, value) in [
            (1, "wchar_size", 4),
            (7, "air.max_device_buffers", 31),
            (7, "air.max_threadgroup_buffers", 31),
        ] {
            let b = self.b.const_int(self.t.i32, behaviour);
            let v = self.b.const_int(self.t.i32, value);
            let ops = vec![
                self.b.md_value(b).ok(),
                Some(self.b.md_string(key)),
                self.b.md_value(v).ok(),
            ];
            flags.push(self.b.md_node(ops));
        }
        self.b.add_named_metadata("llvm.module.flags", &flags);
        let mut version = Vec::new();
        for v in [2, 8, 0] {
            let c = self.b.const_int(self.t.i32, v);
            version.push(self.b.md_value(c).ok());
        }
        let node = self.b.md_node(version);
        self.b.add_named_metadata("air.version", &[node]);
        let ident = self.b.md_string("airlink testgen");
        let node = self.b.md_node(vec![Some(ident)]);
        self.b.add_named_metadata("llvm.ident", &[node]);
        if self.rng.chance(1, 3) {
            // A self-referencing distinct node, as loop metadata looks.
            let s = self.b.md_string("llvm.loop.mustprogress");
            let inner = self.b.md_node(vec![Some(s)]);
            let d = self.b.md_distinct_node(vec![None, Some(inner)]);
            if let Some(air_ir::metadata::Metadata::Node { operands, .. }) =
                self.b.module_mut().metadata.get_mut(d.0 as usize)
            {
                operands[0] = Some(d);
            }
            self.b.add_named_metadata("airlink.test", &[d]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_module() {
        let a = air_ir::print(&random_module(7, GenOptions::default()));
        let b = air_ir::print(&random_module(7, GenOptions::default()));
        assert_eq!(a, b);
        let c = air_ir::print(&random_module(8, GenOptions::default()));
        assert_ne!(a, c);
    }
}
