//! Copying a function (and everything it reaches) from one module into
//! another.
//!
//! Types, constants and metadata live in per-module arenas, so a function
//! cannot simply be moved: every id it holds is re-interned in the target
//! module. Functions and globals it references come along (by name: an
//! existing declaration of the same name and type is reused, a declaration
//! is completed by an incoming definition, and internal globals are renamed
//! on a clash).

use std::collections::HashMap;

use air_ir::types::StructBody;

use crate::limits::MAX_IMPORT_DEPTH;
use air_ir::{
    ConstId, ConstKind, Constant, FuncId, GlobalId, Linkage, MetaId, Metadata, Module, Type,
    TypeId, Value,
};

/// Why a function could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ImportError {
    /// What went wrong.
    pub message: String,
}

impl ImportError {
    #[cold]
    fn new(message: impl Into<String>) -> Self {
        ImportError {
            message: message.into(),
        }
    }
}

/// Copies function `name` of `src`, with every function, global, type,
/// constant and metadata node it reaches, into `dst`. Returns its id in
/// `dst`.
///
/// `src` should have passed [`air_ir::verify()`]; ids that do not resolve are
/// reported as errors rather than followed.
///
/// # Errors
/// If `src` has no function `name`, or a name clash cannot be resolved (a
/// function or non-internal global of the same name but another type).
pub fn import_function(dst: &mut Module, src: &Module, name: &str) -> Result<FuncId, ImportError> {
    let f = src
        .function_by_name(name)
        .ok_or_else(|| ImportError::new(format!("no function @{name}")))?;
    let mut imp = Importer {
        src,
        dst,
        types: HashMap::new(),
        consts: HashMap::new(),
        metas: HashMap::new(),
        funcs: HashMap::new(),
        globals: HashMap::new(),
        bodies: Vec::new(),
        struct_bodies: Vec::new(),
        copying_bodies: false,
        depth: 0,
        error: None,
    };
    let id = imp.func(f);
    // Bodies are copied after their headers so that mutual recursion
    // terminates: every callee has an id before any body refers to it.
    while let Some((from, to)) = imp.bodies.pop() {
        imp.body(from, to);
    }
    match imp.error {
        Some(e) => Err(e),
        None => Ok(id),
    }
}

struct Importer<'a> {
    src: &'a Module,
    dst: &'a mut Module,
    types: HashMap<TypeId, TypeId>,
    consts: HashMap<ConstId, ConstId>,
    metas: HashMap<MetaId, MetaId>,
    funcs: HashMap<FuncId, FuncId>,
    globals: HashMap<GlobalId, GlobalId>,
    bodies: Vec<(FuncId, FuncId)>,
    /// Named structs whose bodies are being copied, innermost last (see
    /// [`Importer::copy_struct_bodies`]).
    struct_bodies: Vec<BodyCopy>,
    /// Whether [`Importer::copy_struct_bodies`] is running.
    copying_bodies: bool,
    /// Levels of `konst` and `meta` open (see [`MAX_IMPORT_DEPTH`]).
    depth: u32,
    error: Option<ImportError>,
}

/// A named struct body being copied: the source fields, those mapped so
/// far, and the struct in the target module.
struct BodyCopy {
    to: TypeId,
    fields: Vec<TypeId>,
    out: Vec<TypeId>,
    packed: bool,
}

impl Importer<'_> {
    fn fail(&mut self, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(ImportError::new(message));
        }
    }

    fn ty(&mut self, t: TypeId) -> TypeId {
        if let Some(&m) = self.types.get(&t) {
            return m;
        }
        let Some(shape) = self.src.types.try_get(t).cloned() else {
            self.fail(format!("dangling type id {}", t.0));
            return self.dst.types.void();
        };
        let mapped = match shape {
            Type::Named(name) => {
                let id = self.dst.types.named(&name);
                // Map first: a struct may contain pointers to itself.
                self.types.insert(t, id);
                let src_body = self.src.types.struct_body(t).cloned();
                let dst_opaque = matches!(self.dst.types.struct_body(id), Some(StructBody::Opaque));
                if let (Some(StructBody::Fields { fields, packed }), true) = (src_body, dst_opaque)
                {
                    self.struct_bodies.push(BodyCopy {
                        to: id,
                        out: Vec::with_capacity(fields.len()),
                        fields,
                        packed,
                    });
                    if !self.copying_bodies {
                        self.copy_struct_bodies();
                    }
                }
                return id;
            }
            Type::Pointer { pointee, addrspace } => {
                let p = self.ty(pointee);
                self.dst.types.ptr(p, addrspace)
            }
            Type::Array { len, elem } => {
                let e = self.ty(elem);
                self.dst.types.array(e, len)
            }
            Type::Vector { len, elem } => {
                let e = self.ty(elem);
                self.dst.types.vector(e, len)
            }
            Type::Struct { fields, packed } => {
                let fields = fields.iter().map(|f| self.ty(*f)).collect();
                self.dst.types.struct_(fields, packed)
            }
            Type::Function {
                ret,
                params,
                varargs,
            } => {
                let r = self.ty(ret);
                let ps = params.iter().map(|p| self.ty(*p)).collect();
                self.dst.types.function(r, ps, varargs)
            }
            leaf => self.dst.types.intern(leaf),
        };
        self.types.insert(t, mapped);
        mapped
    }

    /// Copies the struct bodies on [`Importer::struct_bodies`], each field
    /// in turn, in the order a recursive copy would (a struct met in a
    /// field is created, and its body copied, before the next field), but
    /// with a stack of its own: a chain of structs that point to each other
    /// can be as long as the module. A field's type is mapped by
    /// [`Importer::ty`], which only recurses through the type's spelling
    /// (bounded for a verified module) and pushes the bodies of new structs
    /// here.
    fn copy_struct_bodies(&mut self) {
        self.copying_bodies = true;
        while let Some(top) = self.struct_bodies.last() {
            let k = self.struct_bodies.len() - 1;
            if let Some(&field) = top.fields.get(top.out.len()) {
                let mapped = self.ty(field);
                self.struct_bodies[k].out.push(mapped);
                continue;
            }
            if let Some(done) = self.struct_bodies.pop() {
                self.dst.types.set_struct_body(
                    done.to,
                    StructBody::Fields {
                        fields: done.out,
                        packed: done.packed,
                    },
                );
            }
        }
        self.copying_bodies = false;
    }

    /// Opens one level of the copy's recursion, or fails past
    /// [`MAX_IMPORT_DEPTH`] (the caller then returns a stand-in).
    fn enter(&mut self) -> bool {
        if self.depth >= MAX_IMPORT_DEPTH {
            self.fail(format!(
                "the module nests more than {MAX_IMPORT_DEPTH} levels deep here (constants, metadata, or globals that refer to each other)"
            ));
            return false;
        }
        self.depth += 1;
        true
    }

    fn konst(&mut self, c: ConstId) -> ConstId {
        if let Some(&m) = self.consts.get(&c) {
            return m;
        }
        if !self.enter() {
            let void = self.dst.types.void();
            return self.dst.constant(void, ConstKind::Undef);
        }
        let id = self.konst_inner(c);
        self.depth -= 1;
        id
    }

    fn konst_inner(&mut self, c: ConstId) -> ConstId {
        let Some(Constant { ty, kind }) = self.src.consts.try_get(c).cloned() else {
            self.fail(format!("dangling constant id {}", c.0));
            let void = self.dst.types.void();
            return self.dst.constant(void, ConstKind::Undef);
        };
        let ty = self.ty(ty);
        let kind = match kind {
            ConstKind::Global(g) => ConstKind::Global(self.global(g)),
            ConstKind::Function(f) => ConstKind::Function(self.func(f)),
            mut other => {
                // Types first, then constants: the order the ids appear in.
                other.for_each_id_mut(&mut |t| *t = self.ty(*t), &mut |_| {});
                other.for_each_id_mut(&mut |_| {}, &mut |c| *c = self.konst(*c));
                other
            }
        };
        let id = self.dst.constant(ty, kind);
        self.consts.insert(c, id);
        id
    }

    fn meta(&mut self, m: MetaId) -> MetaId {
        if let Some(&id) = self.metas.get(&m) {
            return id;
        }
        if !self.enter() {
            return self.dst.add_metadata(Metadata::String(Vec::new()));
        }
        let id = self.meta_inner(m);
        self.depth -= 1;
        id
    }

    fn meta_inner(&mut self, m: MetaId) -> MetaId {
        let Some(md) = self.src.metadata.get(m.0 as usize).cloned() else {
            self.fail(format!("dangling metadata id {}", m.0));
            return self.dst.add_metadata(Metadata::String(Vec::new()));
        };
        match md {
            Metadata::String(s) => {
                let id = self.dst.add_metadata(Metadata::String(s));
                self.metas.insert(m, id);
                id
            }
            Metadata::Value { ty, value } => {
                let ty = self.ty(ty);
                let value = self.value(value);
                let id = self.dst.add_metadata(Metadata::Value { ty, value });
                self.metas.insert(m, id);
                id
            }
            Metadata::Node { operands, distinct } => {
                // Reserve the slot first: distinct nodes may refer to
                // themselves (directly or through a cycle).
                let id = self.dst.add_metadata(Metadata::Node {
                    operands: Vec::new(),
                    distinct,
                });
                self.metas.insert(m, id);
                let ops = operands.iter().map(|o| o.map(|o| self.meta(o))).collect();
                self.dst.metadata[id.0 as usize] = Metadata::Node {
                    operands: ops,
                    distinct,
                };
                id
            }
            Metadata::Di(mut node) => {
                let id = self.dst.add_metadata(Metadata::String(Vec::new()));
                self.metas.insert(m, id);
                node.for_each_ref_mut(|r| *r = self.meta(*r));
                self.dst.metadata[id.0 as usize] = Metadata::Di(node);
                id
            }
        }
    }

    fn value(&mut self, v: Value) -> Value {
        match v {
            Value::Const(c) => Value::Const(self.konst(c)),
            Value::Metadata(m) => Value::Metadata(self.meta(m)),
            // Arguments and instruction results are function-local and keep
            // their ids: bodies are copied instruction for instruction.
            local => local,
        }
    }

    fn global(&mut self, g: GlobalId) -> GlobalId {
        if let Some(&m) = self.globals.get(&g) {
            return m;
        }
        let Some(global) = self.src.globals.get(g.0 as usize).cloned() else {
            self.fail(format!("dangling global id {}", g.0));
            return GlobalId(0);
        };
        let value_ty = self.ty(global.value_ty);
        let mut name = global.name.clone();
        if let Some(existing) = self.dst.global_by_name(&name) {
            let e = &self.dst.globals[existing.0 as usize];
            let local = matches!(global.linkage, Linkage::Internal | Linkage::Private);
            if !local && e.value_ty == value_ty && e.addrspace == global.addrspace {
                self.globals.insert(g, existing);
                return existing;
            }
            if !local {
                self.fail(format!(
                    "global @{name} already exists in the shell with another type"
                ));
                return existing;
            }
            let mut k = 1;
            while self
                .dst
                .global_by_name(&format!("{}.{k}", global.name))
                .is_some()
            {
                k += 1;
            }
            name = format!("{}.{k}", global.name);
        }
        let id = GlobalId(self.dst.globals.len() as u32);
        let mut copy = global.clone();
        copy.name = name;
        copy.value_ty = value_ty;
        copy.initializer = None;
        copy.attachments = Vec::new();
        self.dst.globals.push(copy);
        // Registered before the initializer is mapped: it may name itself.
        self.globals.insert(g, id);
        let init = global.initializer.map(|c| self.konst(c));
        let attachments = global
            .attachments
            .iter()
            .map(|(k, m)| (k.clone(), self.meta(*m)))
            .collect();
        let slot = &mut self.dst.globals[id.0 as usize];
        slot.initializer = init;
        slot.attachments = attachments;
        id
    }

    fn func(&mut self, f: FuncId) -> FuncId {
        if let Some(&m) = self.funcs.get(&f) {
            return m;
        }
        let src = self.src;
        let Some(func) = src.functions.get(f.0 as usize) else {
            self.fail(format!("dangling function id {}", f.0));
            return FuncId(0);
        };
        let ty = self.ty(func.ty);
        if let Some(existing) = self.dst.function_by_name(&func.name) {
            let e = &self.dst.functions[existing.0 as usize];
            if e.ty != ty {
                self.fail(format!(
                    "function @{} already exists in the shell with another type",
                    func.name
                ));
            } else if e.is_declaration() && !func.is_declaration() {
                self.bodies.push((f, existing));
            }
            self.funcs.insert(f, existing);
            return existing;
        }
        let mut header = func.clone();
        header.ty = ty;
        header.blocks = Vec::new();
        header.insts = Vec::new();
        header.attachments = Vec::new();
        let id = FuncId(self.dst.functions.len() as u32);
        self.dst.functions.push(header);
        self.funcs.insert(f, id);
        let mut attrs = (
            func.fn_attrs.clone(),
            func.ret_attrs.clone(),
            func.params.clone(),
        );
        attrs.0.for_each_type_mut(&mut |t| *t = self.ty(*t));
        attrs.1.for_each_type_mut(&mut |t| *t = self.ty(*t));
        for p in &mut attrs.2 {
            p.attrs.for_each_type_mut(&mut |t| *t = self.ty(*t));
        }
        let attachments = func
            .attachments
            .iter()
            .map(|(k, m)| (k.clone(), self.meta(*m)))
            .collect();
        let slot = &mut self.dst.functions[id.0 as usize];
        slot.fn_attrs = attrs.0;
        slot.ret_attrs = attrs.1;
        slot.params = attrs.2;
        slot.attachments = attachments;
        if !func.is_declaration() {
            self.bodies.push((f, id));
        }
        id
    }

    fn body(&mut self, from: FuncId, to: FuncId) {
        let src = self.src;
        let func = &src.functions[from.0 as usize];
        let blocks = func.blocks.clone();
        let mut insts = func.insts.clone();
        for inst in &mut insts {
            inst.ty = self.ty(inst.ty);
            inst.kind.for_each_operand_mut(|v| *v = self.value(*v));
            // The two callbacks both need `self`; collect, then map.
            let mut tys = Vec::new();
            let mut cs = Vec::new();
            inst.kind
                .for_each_type_and_const_mut(&mut |t| tys.push(*t), &mut |c| cs.push(*c));
            let tys: Vec<TypeId> = tys.into_iter().map(|t| self.ty(t)).collect();
            let cs: Vec<ConstId> = cs.into_iter().map(|c| self.konst(c)).collect();
            let (mut ti, mut ci) = (tys.into_iter(), cs.into_iter());
            inst.kind.for_each_type_and_const_mut(
                &mut |t| {
                    if let Some(n) = ti.next() {
                        *t = n;
                    }
                },
                &mut |c| {
                    if let Some(n) = ci.next() {
                        *c = n;
                    }
                },
            );
            for (_, m) in &mut inst.attachments {
                *m = self.meta(*m);
            }
        }
        let slot = &mut self.dst.functions[to.0 as usize];
        slot.blocks = blocks;
        slot.insts = insts;
    }
}
