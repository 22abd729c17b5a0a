//! A cursor-style builder for modules.
//!
//! The builder owns a [`Module`] and a position (a function and one of its
//! blocks). Type and constant constructors intern and cannot fail.
//! Instruction methods infer the result type, append at the position and
//! return the result as a [`Value`]; they fail only on misuse that would make
//! the module unprintable (no position, a value of the wrong kind where a
//! type must be derived from it). Semantic checks are the verifier's job.
//!
//! ```
//! use air_ir::{Builder, Opcode, inst::IntPredicate};
//!
//! let mut b = Builder::new();
//! let i32t = b.ty_int(32);
//! let fty = b.ty_function(i32t, vec![i32t], false);
//! let f = b.define_function("clamp0", fty);
//! let entry = b.append_block(f, Some("entry"));
//! b.position_at_end(f, entry);
//! let x = b.arg(0);
//! let zero = b.const_int(i32t, 0);
//! let neg = b.icmp(IntPredicate::Slt, x, zero).unwrap();
//! let r = b.select(neg, zero, x).unwrap();
//! b.ret(Some(r)).unwrap();
//! let module = b.finish();
//! air_ir::verify(&module).unwrap();
//! let text = air_ir::print(&module);
//! assert!(text.contains("%2 = select i1 %1, i32 0, i32 %0"), "{text}");
//! ```

use std::collections::{HashMap, HashSet};

use crate::attributes::AttrSet;
use crate::constant::{ApInt, ConstId, ConstKind};
use crate::inst::{
    Atomic, BlockId, Call, CallConv, Flags, FloatPredicate, InstId, InstKind, Instruction,
    IntPredicate, OpClass, Opcode, Ordering, RmwOp, TailKind, Value,
};
use crate::metadata::{MetaId, Metadata, NamedMetadata};
use crate::module::{Block, FuncId, Function, Global, GlobalId, Linkage, Module, Param};
use crate::types::{Type, TypeId};

/// Builder misuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BuildError {
    /// What went wrong.
    pub message: String,
}

impl BuildError {
    #[cold]
    fn new(message: impl Into<String>) -> Self {
        BuildError {
            message: message.into(),
        }
    }
}

type Result<T, E = BuildError> = std::result::Result<T, E>;

/// Cursor-style module builder.
#[derive(Debug, Default)]
pub struct Builder {
    module: Module,
    position: Option<(FuncId, BlockId)>,
    /// Names used per function, to keep local names unique.
    local_names: HashMap<FuncId, HashSet<String>>,
    /// Per function and base name, the suffix from which the next search
    /// for a free `{name}{k}` starts (see [`Builder::unique_name`]).
    next_suffix: HashMap<(FuncId, String), u32>,
}

impl Builder {
    /// A builder for an empty module.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder that extends `module`.
    pub fn from_module(module: Module) -> Self {
        let mut local_names: HashMap<FuncId, HashSet<String>> = HashMap::new();
        for (i, f) in module.functions.iter().enumerate() {
            let names = local_names.entry(FuncId(i as u32)).or_default();
            names.extend(f.params.iter().filter_map(|p| p.name.clone()));
            names.extend(f.blocks.iter().filter_map(|b| b.name.clone()));
            names.extend(f.insts.iter().filter_map(|i| i.name.clone()));
        }
        Builder {
            module,
            position: None,
            local_names,
            next_suffix: HashMap::new(),
        }
    }

    /// The module so far.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The module so far, mutably (for fields the builder has no method for).
    pub fn module_mut(&mut self) -> &mut Module {
        &mut self.module
    }

    /// Consumes the builder and returns the module.
    pub fn finish(self) -> Module {
        self.module
    }

    // ----- module header -----

    /// Sets `source_filename`.
    pub fn set_source_filename(&mut self, name: &str) {
        self.module.source_filename = Some(name.to_string());
    }

    /// Sets `target datalayout`.
    pub fn set_datalayout(&mut self, layout: &str) {
        self.module.datalayout = Some(layout.to_string());
    }

    /// Sets `target triple`.
    pub fn set_triple(&mut self, triple: &str) {
        self.module.triple = Some(triple.to_string());
    }

    // ----- types -----

    /// `void`.
    pub fn ty_void(&mut self) -> TypeId {
        self.module.types.void()
    }
    /// `iN`.
    pub fn ty_int(&mut self, bits: u32) -> TypeId {
        self.module.types.int(bits)
    }
    /// `half`.
    pub fn ty_half(&mut self) -> TypeId {
        self.module.types.half()
    }
    /// `bfloat`.
    pub fn ty_bfloat(&mut self) -> TypeId {
        self.module.types.intern(Type::BFloat)
    }
    /// `float`.
    pub fn ty_float(&mut self) -> TypeId {
        self.module.types.float()
    }
    /// `double`.
    pub fn ty_double(&mut self) -> TypeId {
        self.module.types.double()
    }
    /// `T addrspace(N)*`.
    pub fn ty_ptr(&mut self, pointee: TypeId, addrspace: u32) -> TypeId {
        self.module.types.ptr(pointee, addrspace)
    }
    /// `[N x T]`.
    pub fn ty_array(&mut self, elem: TypeId, len: u64) -> TypeId {
        self.module.types.array(elem, len)
    }
    /// `<N x T>`.
    pub fn ty_vector(&mut self, elem: TypeId, len: u32) -> TypeId {
        self.module.types.vector(elem, len)
    }
    /// A literal struct.
    pub fn ty_struct(&mut self, fields: Vec<TypeId>, packed: bool) -> TypeId {
        self.module.types.struct_(fields, packed)
    }
    /// A named struct, opaque until [`Builder::set_struct_body`].
    pub fn ty_named(&mut self, name: &str) -> TypeId {
        self.module.types.named(name)
    }
    /// Gives a named struct its fields.
    pub fn set_struct_body(&mut self, named: TypeId, fields: Vec<TypeId>, packed: bool) {
        self.module
            .types
            .set_struct_body(named, crate::types::StructBody::Fields { fields, packed });
    }
    /// A function type.
    pub fn ty_function(&mut self, ret: TypeId, params: Vec<TypeId>, varargs: bool) -> TypeId {
        self.module.types.function(ret, params, varargs)
    }

    // ----- constants -----

    /// Interns a constant and returns it as a value.
    pub fn constant(&mut self, ty: TypeId, kind: ConstKind) -> Value {
        Value::Const(self.module.constant(ty, kind))
    }
    /// An integer constant (truncated to the type's width).
    pub fn const_int(&mut self, ty: TypeId, value: i128) -> Value {
        let width = self.module.types.int_width(ty).unwrap_or(64);
        self.constant(ty, ConstKind::Int(ApInt::from_i128(width, value)))
    }
    /// A floating-point constant, rounded to the type (`half`, `bfloat`,
    /// `float` or `double`).
    pub fn const_float(&mut self, ty: TypeId, value: f64) -> Value {
        let bits = match self.module.types.get(ty) {
            Type::Float => u64::from((value as f32).to_bits()),
            Type::Half => u64::from(f32_to_half_bits(value as f32)),
            Type::BFloat => u64::from(f32_to_bfloat_bits(value as f32)),
            _ => value.to_bits(),
        };
        self.constant(ty, ConstKind::Float(bits))
    }
    /// A floating-point constant from raw bits at the type's width.
    pub fn const_float_bits(&mut self, ty: TypeId, bits: u64) -> Value {
        self.constant(ty, ConstKind::Float(bits))
    }
    /// `undef`.
    pub fn const_undef(&mut self, ty: TypeId) -> Value {
        self.constant(ty, ConstKind::Undef)
    }
    /// `poison`.
    pub fn const_poison(&mut self, ty: TypeId) -> Value {
        self.constant(ty, ConstKind::Poison)
    }
    /// `null`.
    pub fn const_null(&mut self, ty: TypeId) -> Value {
        self.constant(ty, ConstKind::Null)
    }
    /// `zeroinitializer`.
    pub fn const_zero(&mut self, ty: TypeId) -> Value {
        self.constant(ty, ConstKind::Zero)
    }
    /// An aggregate constant of `ty` (array, vector or struct) from constant
    /// values.
    ///
    /// # Errors
    /// If an item is not a constant or `ty` is not an aggregate or vector.
    pub fn const_aggregate(&mut self, ty: TypeId, items: &[Value]) -> Result<Value> {
        let ids = items
            .iter()
            .map(|v| match v {
                Value::Const(c) => Ok(*c),
                _ => Err(BuildError::new(
                    "aggregate constant items must be constants",
                )),
            })
            .collect::<Result<Vec<ConstId>>>()?;
        let kind = match self.module.types.get(ty) {
            Type::Array { .. } => ConstKind::Array(ids),
            Type::Vector { .. } => ConstKind::Vector(ids),
            Type::Struct { .. } | Type::Named(_) => ConstKind::Struct(ids),
            _ => {
                return Err(BuildError::new(
                    "aggregate constant of a non-aggregate type",
                ))
            }
        };
        Ok(self.constant(ty, kind))
    }

    // ----- globals and functions -----

    /// Adds a global variable (see [`Global`] for the fields) and returns it.
    pub fn add_global(&mut self, global: Global) -> GlobalId {
        let id = GlobalId(self.module.globals.len() as u32);
        self.module.globals.push(global);
        id
    }

    /// A plain internal global of `value_ty` in `addrspace` with an optional
    /// initializer and alignment.
    pub fn global(
        &mut self,
        name: &str,
        value_ty: TypeId,
        addrspace: u32,
        initializer: Option<Value>,
        align: Option<u64>,
    ) -> GlobalId {
        let initializer = match initializer {
            Some(Value::Const(c)) => Some(c),
            _ => None,
        };
        self.add_global(Global {
            name: name.to_string(),
            value_ty,
            addrspace,
            is_constant: false,
            initializer,
            linkage: Linkage::Internal,
            visibility: Default::default(),
            dso_local: false,
            unnamed_addr: Default::default(),
            externally_initialized: false,
            thread_local: Default::default(),
            section: None,
            align,
            attachments: Vec::new(),
        })
    }

    /// The address of a global as a value.
    pub fn global_value(&mut self, id: GlobalId) -> Value {
        Value::Const(self.module.global_ref(id))
    }

    /// Declares a function of type `fn_ty`.
    pub fn declare_function(&mut self, name: &str, fn_ty: TypeId) -> FuncId {
        let n = self
            .module
            .types
            .function_parts(fn_ty)
            .map_or(0, |(_, p, _)| p.len());
        let id = FuncId(self.module.functions.len() as u32);
        self.module
            .functions
            .push(Function::declaration(name, fn_ty, n));
        id
    }

    /// Starts a function definition (add blocks with [`Builder::append_block`]).
    pub fn define_function(&mut self, name: &str, fn_ty: TypeId) -> FuncId {
        self.declare_function(name, fn_ty)
    }

    /// The function `id`, mutably (attributes, linkage, parameter names...).
    ///
    /// # Panics
    /// If `id` is not from this builder's module.
    pub fn function_mut(&mut self, id: FuncId) -> &mut Function {
        &mut self.module.functions[id.0 as usize]
    }

    /// Names parameter `index` of `func` (made unique within the function).
    pub fn set_param_name(&mut self, func: FuncId, index: usize, name: &str) {
        let name = self.unique_name(func, name);
        if let Some(p) = self.module.functions[func.0 as usize].params.get_mut(index) {
            *p = Param {
                name: Some(name),
                attrs: std::mem::take(&mut p.attrs),
            };
        }
    }

    /// The address of a function as a value.
    pub fn function_value(&mut self, id: FuncId) -> Value {
        Value::Const(self.module.function_ref(id))
    }

    /// Appends a block to `func` and returns it.
    pub fn append_block(&mut self, func: FuncId, name: Option<&str>) -> BlockId {
        let name = name.map(|n| self.unique_name(func, n));
        let f = &mut self.module.functions[func.0 as usize];
        let id = BlockId(f.blocks.len() as u32);
        f.blocks.push(Block {
            name,
            insts: Vec::new(),
        });
        id
    }

    /// Moves the cursor to the end of `block` of `func`.
    pub fn position_at_end(&mut self, func: FuncId, block: BlockId) {
        self.position = Some((func, block));
    }

    /// The current position.
    pub fn position(&self) -> Option<(FuncId, BlockId)> {
        self.position
    }

    /// Argument `index` of the current function.
    pub fn arg(&self, index: u32) -> Value {
        Value::Arg(index)
    }

    /// Names the result of an instruction (made unique within the function).
    ///
    /// # Errors
    /// If there is no current function or `value` is not an instruction result.
    pub fn set_name(&mut self, value: Value, name: &str) -> Result<()> {
        let (func, _) = self.cursor()?;
        let Value::Inst(id) = value else {
            return Err(BuildError::new("only instruction results can be named"));
        };
        let name = self.unique_name(func, name);
        let f = &mut self.module.functions[func.0 as usize];
        match f.insts.get_mut(id.0 as usize) {
            Some(inst) => {
                inst.name = Some(name);
                Ok(())
            }
            None => Err(BuildError::new("no such instruction")),
        }
    }

    /// `name` if it is free in `func`, else `{name}{k}` for the smallest
    /// free k ≥ 1. Names are never released, so every k below the one the
    /// previous search for `name` found is still taken: the search resumes
    /// there instead of at 1, which kept naming a long function's values
    /// quadratic (a generated 17 MB kernel took minutes).
    fn unique_name(&mut self, func: FuncId, name: &str) -> String {
        let used = self.local_names.entry(func).or_default();
        if used.insert(name.to_string()) {
            return name.to_string();
        }
        let next = self
            .next_suffix
            .entry((func, name.to_string()))
            .or_insert(1);
        loop {
            let candidate = format!("{name}{next}");
            *next += 1;
            if used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    // ----- metadata -----

    /// `!"text"`.
    pub fn md_string(&mut self, text: &str) -> MetaId {
        self.module
            .add_metadata(Metadata::String(text.as_bytes().to_vec()))
    }

    /// A constant value as metadata (`i32 1`, `void ()* @f`).
    ///
    /// # Errors
    /// If `value` is not a constant.
    pub fn md_value(&mut self, value: Value) -> Result<MetaId> {
        let Value::Const(c) = value else {
            return Err(BuildError::new("module metadata can only hold constants"));
        };
        let ty = self.module.consts.get(c).ty;
        Ok(self.module.add_metadata(Metadata::Value { ty, value }))
    }

    /// A tuple `!{...}` (`None` operands are `null`).
    pub fn md_node(&mut self, operands: Vec<Option<MetaId>>) -> MetaId {
        self.module.add_metadata(Metadata::Node {
            operands,
            distinct: false,
        })
    }

    /// A `distinct !{...}` tuple.
    pub fn md_distinct_node(&mut self, operands: Vec<Option<MetaId>>) -> MetaId {
        self.module.add_metadata(Metadata::Node {
            operands,
            distinct: true,
        })
    }

    /// Appends `nodes` to named metadata `name` (created if missing).
    pub fn add_named_metadata(&mut self, name: &str, nodes: &[MetaId]) {
        match self
            .module
            .named_metadata
            .iter_mut()
            .find(|n| n.name == name)
        {
            Some(n) => n.operands.extend_from_slice(nodes),
            None => self.module.named_metadata.push(NamedMetadata {
                name: name.to_string(),
                operands: nodes.to_vec(),
            }),
        }
    }

    /// Attaches `!kind md` to an instruction of the current function.
    ///
    /// # Errors
    /// If there is no current function or `inst` is not an instruction.
    pub fn attach(&mut self, inst: Value, kind: &str, md: MetaId) -> Result<()> {
        let (func, _) = self.cursor()?;
        let Value::Inst(id) = inst else {
            return Err(BuildError::new("metadata attaches to instructions"));
        };
        let f = &mut self.module.functions[func.0 as usize];
        let inst = f
            .insts
            .get_mut(id.0 as usize)
            .ok_or_else(|| BuildError::new("no such instruction"))?;
        inst.attachments.push((kind.to_string(), md));
        Ok(())
    }

    // ----- instructions -----

    fn cursor(&self) -> Result<(FuncId, BlockId)> {
        self.position
            .ok_or_else(|| BuildError::new("no insertion point: call position_at_end first"))
    }

    /// The type of `value` at the current position.
    ///
    /// # Errors
    /// If the value does not exist.
    pub fn type_of(&self, value: Value) -> Result<TypeId> {
        let func = self
            .position
            .and_then(|(f, _)| self.module.functions.get(f.0 as usize));
        self.module
            .value_type(func, value)
            .ok_or_else(|| BuildError::new(format!("value {value:?} does not exist here")))
    }

    /// Appends an instruction with result type `ty` and returns its value.
    ///
    /// # Errors
    /// If there is no position.
    pub fn push(&mut self, ty: TypeId, kind: InstKind, flags: Flags) -> Result<Value> {
        let (func, block) = self.cursor()?;
        let f = &mut self.module.functions[func.0 as usize];
        let id = InstId(f.insts.len() as u32);
        f.insts.push(Instruction {
            name: None,
            ty,
            kind,
            flags,
            attachments: crate::inst::Attachments::new(),
        });
        f.blocks
            .get_mut(block.0 as usize)
            .ok_or_else(|| BuildError::new("the insertion block does not exist"))?
            .insts
            .push(id);
        Ok(Value::Inst(id))
    }

    /// A binary operation (`add`, `fmul`, ...) with flags.
    ///
    /// # Errors
    /// If `op` is not a binary opcode or there is no position.
    pub fn binary(&mut self, op: Opcode, lhs: Value, rhs: Value, flags: Flags) -> Result<Value> {
        if !matches!(op.class(), OpClass::IntBinary | OpClass::FloatBinary) {
            return Err(BuildError::new(format!(
                "'{}' is not a binary opcode",
                op.mnemonic()
            )));
        }
        let ty = self.type_of(lhs)?;
        self.push(ty, InstKind::Binary { op, lhs, rhs }, flags)
    }

    /// `fneg`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn fneg(&mut self, value: Value, flags: Flags) -> Result<Value> {
        let ty = self.type_of(value)?;
        self.push(ty, InstKind::FNeg { value }, flags)
    }

    /// A cast to `to`.
    ///
    /// # Errors
    /// If `op` is not a cast or there is no position.
    pub fn cast(&mut self, op: Opcode, value: Value, to: TypeId) -> Result<Value> {
        if !matches!(op.class(), OpClass::Cast(_)) {
            return Err(BuildError::new(format!(
                "'{}' is not a cast",
                op.mnemonic()
            )));
        }
        self.push(to, InstKind::Cast { op, value }, Flags::empty())
    }

    fn bool_like(&mut self, operand_ty: TypeId) -> TypeId {
        let i1 = self.module.types.i1();
        match self.module.types.vector_parts(operand_ty) {
            Some((n, _)) => self.module.types.vector(i1, n),
            None => i1,
        }
    }

    /// `icmp`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn icmp(&mut self, pred: IntPredicate, lhs: Value, rhs: Value) -> Result<Value> {
        let t = self.type_of(lhs)?;
        let ty = self.bool_like(t);
        self.push(ty, InstKind::ICmp { pred, lhs, rhs }, Flags::empty())
    }

    /// `fcmp`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn fcmp(
        &mut self,
        pred: FloatPredicate,
        lhs: Value,
        rhs: Value,
        flags: Flags,
    ) -> Result<Value> {
        let t = self.type_of(lhs)?;
        let ty = self.bool_like(t);
        self.push(ty, InstKind::FCmp { pred, lhs, rhs }, flags)
    }

    /// `select`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn select(&mut self, cond: Value, on_true: Value, on_false: Value) -> Result<Value> {
        let ty = self.type_of(on_true)?;
        self.push(
            ty,
            InstKind::Select {
                cond,
                on_true,
                on_false,
            },
            Flags::empty(),
        )
    }

    /// `phi` of type `ty` (incoming values may be added later with
    /// [`Builder::add_incoming`]).
    ///
    /// # Errors
    /// If there is no position.
    pub fn phi(&mut self, ty: TypeId, incoming: Vec<(Value, BlockId)>) -> Result<Value> {
        self.push(ty, InstKind::Phi { incoming }, Flags::empty())
    }

    /// Adds an incoming edge to a phi of the current function.
    ///
    /// # Errors
    /// If `phi` is not a phi of the current function.
    pub fn add_incoming(&mut self, phi: Value, value: Value, block: BlockId) -> Result<()> {
        let (func, _) = self.cursor()?;
        let f = &mut self.module.functions[func.0 as usize];
        match phi {
            Value::Inst(id) => match f.insts.get_mut(id.0 as usize).map(|i| &mut i.kind) {
                Some(InstKind::Phi { incoming }) => {
                    incoming.push((value, block));
                    Ok(())
                }
                _ => Err(BuildError::new("not a phi")),
            },
            _ => Err(BuildError::new("not a phi")),
        }
    }

    /// `alloca T, align A` (in address space 0).
    ///
    /// # Errors
    /// If there is no position.
    pub fn alloca(&mut self, allocated: TypeId, align: Option<u64>) -> Result<Value> {
        let ty = self.module.types.ptr(allocated, 0);
        self.push(
            ty,
            InstKind::Alloca {
                allocated,
                count: None,
                align,
            },
            Flags::empty(),
        )
    }

    fn pointee(&self, ptr: Value) -> Result<TypeId> {
        let t = self.type_of(ptr)?;
        self.module
            .types
            .pointer_parts(t)
            .map(|(p, _)| p)
            .ok_or_else(|| BuildError::new("expected a pointer operand"))
    }

    /// `load T, T* ptr, align A` (T is the pointee).
    ///
    /// # Errors
    /// If `ptr` is not a pointer or there is no position.
    pub fn load(&mut self, ptr: Value, align: Option<u64>) -> Result<Value> {
        let ty = self.pointee(ptr)?;
        self.push(
            ty,
            InstKind::Load {
                ptr,
                align,
                volatile: false,
                atomic: None,
            },
            Flags::empty(),
        )
    }

    /// `store T value, T* ptr, align A`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn store(&mut self, value: Value, ptr: Value, align: Option<u64>) -> Result<Value> {
        let void = self.module.types.void();
        self.push(
            void,
            InstKind::Store {
                value,
                ptr,
                align,
                volatile: false,
                atomic: None,
            },
            Flags::empty(),
        )
    }

    /// An atomic `load` or `store` detail, for [`Builder::push`] users
    /// (boxed, as `InstKind` keeps it).
    pub fn atomic(ordering: Ordering, scope: &str) -> Box<Atomic> {
        Box::new(Atomic {
            ordering,
            scope: scope.to_string(),
        })
    }

    /// `getelementptr [inbounds] T, T* base, indices...` where T is the
    /// base's pointee. Struct indices must be constant integers.
    ///
    /// # Errors
    /// If the base is not a pointer, an index cannot be followed, or there is
    /// no position.
    pub fn gep(&mut self, base: Value, indices: &[Value], inbounds: bool) -> Result<Value> {
        let base_ty = self.type_of(base)?;
        let (source, addrspace) = self
            .module
            .types
            .pointer_parts(base_ty)
            .ok_or_else(|| BuildError::new("getelementptr base must be a pointer"))?;
        let mut cur = source;
        for idx in indices.iter().skip(1) {
            let index = match idx {
                Value::Const(c) => match &self.module.consts.get(*c).kind {
                    ConstKind::Int(v) => v.low_u64(),
                    _ => 0,
                },
                _ => 0,
            };
            cur = self
                .module
                .types
                .indexed_type(cur, index)
                .ok_or_else(|| BuildError::new("getelementptr index into a non-aggregate"))?;
        }
        let ty = self.module.types.ptr(cur, addrspace);
        self.push(
            ty,
            InstKind::GetElementPtr {
                source,
                base,
                indices: indices.to_vec(),
                inbounds,
            },
            Flags::empty(),
        )
    }

    /// `extractelement`.
    ///
    /// # Errors
    /// If `vector` is not a vector or there is no position.
    pub fn extract_element(&mut self, vector: Value, index: Value) -> Result<Value> {
        let t = self.type_of(vector)?;
        let (_, elem) = self
            .module
            .types
            .vector_parts(t)
            .ok_or_else(|| BuildError::new("extractelement of a non-vector"))?;
        self.push(
            elem,
            InstKind::ExtractElement { vector, index },
            Flags::empty(),
        )
    }

    /// `insertelement`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn insert_element(&mut self, vector: Value, element: Value, index: Value) -> Result<Value> {
        let t = self.type_of(vector)?;
        self.push(
            t,
            InstKind::InsertElement {
                vector,
                element,
                index,
            },
            Flags::empty(),
        )
    }

    /// `shufflevector a, b, mask` (mask: a constant vector of i32).
    ///
    /// # Errors
    /// If the operands are not vectors or there is no position.
    pub fn shuffle_vector(&mut self, a: Value, b: Value, mask: Value) -> Result<Value> {
        let ta = self.type_of(a)?;
        let tm = self.type_of(mask)?;
        let (_, elem) = self
            .module
            .types
            .vector_parts(ta)
            .ok_or_else(|| BuildError::new("shufflevector of a non-vector"))?;
        let (n, _) = self
            .module
            .types
            .vector_parts(tm)
            .ok_or_else(|| BuildError::new("shufflevector mask must be a vector"))?;
        let ty = self.module.types.vector(elem, n);
        self.push(ty, InstKind::ShuffleVector { a, b, mask }, Flags::empty())
    }

    /// `extractvalue`.
    ///
    /// # Errors
    /// If an index cannot be followed or there is no position.
    pub fn extract_value(&mut self, aggregate: Value, indices: &[u32]) -> Result<Value> {
        let mut ty = self.type_of(aggregate)?;
        for i in indices {
            ty = self
                .module
                .types
                .indexed_type(ty, u64::from(*i))
                .ok_or_else(|| BuildError::new("extractvalue index out of the aggregate"))?;
        }
        self.push(
            ty,
            InstKind::ExtractValue {
                aggregate,
                indices: indices.to_vec(),
            },
            Flags::empty(),
        )
    }

    /// `insertvalue`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn insert_value(
        &mut self,
        aggregate: Value,
        value: Value,
        indices: &[u32],
    ) -> Result<Value> {
        let ty = self.type_of(aggregate)?;
        self.push(
            ty,
            InstKind::InsertValue {
                aggregate,
                value,
                indices: indices.to_vec(),
            },
            Flags::empty(),
        )
    }

    /// A direct call of `callee` with no attributes.
    ///
    /// # Errors
    /// If there is no position.
    pub fn call(&mut self, callee: FuncId, args: &[Value]) -> Result<Value> {
        let fn_ty = self.module.functions[callee.0 as usize].ty;
        let callee = self.function_value(callee);
        self.call_full(Call {
            callee,
            fn_ty,
            args: args.to_vec(),
            fn_attrs: AttrSet::new(),
            ret_attrs: AttrSet::new(),
            arg_attrs: vec![AttrSet::new(); args.len()],
            tail: TailKind::None,
            cc: CallConv::default(),
        })
    }

    /// A call with every detail given.
    ///
    /// # Errors
    /// If `call.fn_ty` is not a function type or there is no position.
    pub fn call_full(&mut self, call: Call) -> Result<Value> {
        let (ret, _, _) = self
            .module
            .types
            .function_parts(call.fn_ty)
            .ok_or_else(|| BuildError::new("call type is not a function type"))?;
        self.push(ret, InstKind::Call(Box::new(call)), Flags::empty())
    }

    fn terminator(&mut self, kind: InstKind) -> Result<()> {
        let void = self.module.types.void();
        self.push(void, kind, Flags::empty()).map(|_| ())
    }

    /// `br label %dest`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn br(&mut self, dest: BlockId) -> Result<()> {
        self.terminator(InstKind::Br { dest })
    }

    /// `br i1 %cond, label %t, label %f`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn cond_br(&mut self, cond: Value, if_true: BlockId, if_false: BlockId) -> Result<()> {
        self.terminator(InstKind::CondBr {
            cond,
            if_true,
            if_false,
        })
    }

    /// `switch`.
    ///
    /// # Errors
    /// If a case value is not a constant or there is no position.
    pub fn switch(
        &mut self,
        cond: Value,
        default: BlockId,
        cases: &[(Value, BlockId)],
    ) -> Result<()> {
        let cases = cases
            .iter()
            .map(|(v, b)| match v {
                Value::Const(c) => Ok((*c, *b)),
                _ => Err(BuildError::new("switch case values must be constants")),
            })
            .collect::<Result<Vec<_>>>()?;
        self.terminator(InstKind::Switch {
            cond,
            default,
            cases,
        })
    }

    /// `ret` / `ret void`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn ret(&mut self, value: Option<Value>) -> Result<()> {
        self.terminator(InstKind::Ret { value })
    }

    /// `unreachable`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn unreachable(&mut self) -> Result<()> {
        self.terminator(InstKind::Unreachable)
    }

    /// `atomicrmw op T* ptr, T value ordering`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn atomic_rmw(
        &mut self,
        op: RmwOp,
        ptr: Value,
        value: Value,
        ordering: Ordering,
    ) -> Result<Value> {
        let ty = self.type_of(value)?;
        self.push(
            ty,
            InstKind::AtomicRmw(Box::new(crate::inst::AtomicRmw {
                op,
                ptr,
                value,
                volatile: false,
                ordering,
                scope: String::new(),
                align: None,
            })),
            Flags::empty(),
        )
    }

    /// `cmpxchg T* ptr, T expected, T new success failure`; the result is
    /// `{ T, i1 }`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn cmpxchg(
        &mut self,
        ptr: Value,
        expected: Value,
        new: Value,
        success: Ordering,
        failure: Ordering,
    ) -> Result<Value> {
        let t = self.type_of(expected)?;
        let ty = self.module.types.cmpxchg_result(t);
        self.push(
            ty,
            InstKind::CmpXchg(Box::new(crate::inst::CmpXchg {
                ptr,
                expected,
                new,
                success,
                failure,
                scope: String::new(),
                weak: false,
                volatile: false,
                align: None,
            })),
            Flags::empty(),
        )
    }

    /// `fence ordering`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn fence(&mut self, ordering: Ordering) -> Result<()> {
        self.terminator_like_void(InstKind::Fence {
            ordering,
            scope: String::new(),
        })
    }

    fn terminator_like_void(&mut self, kind: InstKind) -> Result<()> {
        let void = self.module.types.void();
        self.push(void, kind, Flags::empty()).map(|_| ())
    }

    /// `freeze`.
    ///
    /// # Errors
    /// If there is no position.
    pub fn freeze(&mut self, value: Value) -> Result<Value> {
        let ty = self.type_of(value)?;
        self.push(ty, InstKind::Freeze { value }, Flags::empty())
    }
}

/// Rounds an f32 to IEEE half bits (round to nearest even).
pub fn f32_to_half_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xFF) as i32;
    let man = bits & 0x007F_FFFF;
    if exp == 0xFF {
        // Inf or NaN; keep NaN quiet with the top payload bits.
        let nan = if man != 0 {
            0x0200 | (man >> 13) as u16
        } else {
            0
        };
        return sign | 0x7C00 | nan;
    }
    let e = exp - 127 + 15;
    if e >= 0x1F {
        return sign | 0x7C00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x0080_0000;
        let shift = (14 - e) as u32;
        let half = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let rounded = if rem > mid || (rem == mid && half & 1 == 1) {
            half + 1
        } else {
            half
        };
        return sign | rounded as u16;
    }
    let half = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1FFF;
    let rounded = if rem > 0x1000 || (rem == 0x1000 && half & 1 == 1) {
        half + 1
    } else {
        half
    };
    sign | rounded as u16
}

/// Rounds an f32 to bfloat bits (round to nearest even).
pub fn f32_to_bfloat_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    if x.is_nan() {
        return ((bits >> 16) as u16) | 0x0040;
    }
    let rounding = 0x7FFF + ((bits >> 16) & 1);
    (bits.wrapping_add(rounding) >> 16) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_rounding() {
        assert_eq!(f32_to_half_bits(1.0), 0x3C00);
        assert_eq!(f32_to_half_bits(-2.0), 0xC000);
        assert_eq!(f32_to_half_bits(65504.0), 0x7BFF);
        assert_eq!(f32_to_half_bits(1e6), 0x7C00);
        assert_eq!(f32_to_half_bits(5.960_464_5e-8), 0x0001);
        assert_eq!(f32_to_bfloat_bits(1.0), 0x3F80);
    }

    #[test]
    fn builds_a_loop() {
        let mut b = Builder::new();
        let i32t = b.ty_int(32);
        let void = b.ty_void();
        let fty = b.ty_function(void, vec![i32t], false);
        let f = b.define_function("count", fty);
        let entry = b.append_block(f, Some("entry"));
        let body = b.append_block(f, Some("loop"));
        let exit = b.append_block(f, Some("exit"));
        b.position_at_end(f, entry);
        b.br(body).unwrap();
        b.position_at_end(f, body);
        let zero = b.const_int(i32t, 0);
        let i = b.phi(i32t, vec![(zero, entry)]).unwrap();
        let one = b.const_int(i32t, 1);
        let next = b.binary(Opcode::Add, i, one, Flags::NSW).unwrap();
        b.add_incoming(i, next, body).unwrap();
        let n = b.arg(0);
        let done = b.icmp(IntPredicate::Sge, next, n).unwrap();
        b.cond_br(done, exit, body).unwrap();
        b.position_at_end(f, exit);
        b.ret(None).unwrap();
        let m = b.finish();
        let text = crate::print(&m);
        assert!(
            text.contains("phi i32 [ 0, %entry ], [ %2, %loop ]"),
            "{text}"
        );
    }
}
