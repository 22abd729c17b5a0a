//! Debug info for generated modules ([`GenOptions::debug_info`](crate::GenOptions)),
//! added to a finished module as a front end with `-g` would describe it:
//! a compile unit and its files, a distinct subprogram per function with
//! its subroutine type, types for the values, distinct lexical blocks (some
//! seen through a lexical-block file), a location on every instruction
//! (some inlined from a helper, with a distinct call-site location),
//! `llvm.dbg.value` for the parameters and some results (one through a
//! `DIArgList`), `llvm.dbg.declare` of a stack slot, `llvm.dbg.label` at
//! block starts, debug locations in loop metadata, and the threadgroup
//! global described. Everything it makes is valid for LLVM 14's verifier,
//! so `llvm-as-14` keeps it and the byte comparisons cover it.

use std::collections::HashMap;

use air_ir::attributes::AttrSet;
use air_ir::builder::Builder;
use air_ir::debuginfo::keywords;
use air_ir::inst::{Call, CallConv, Flags, InstKind, Instruction, TailKind, Value};
use air_ir::metadata::{MetaId, Metadata};
use air_ir::module::{FuncId, GlobalId};
use air_ir::types::{Type, TypeId};
use air_ir::{DiKind, DiNode, DiValue, InstId};

use crate::Rng;

/// `DW_OP_*` numbers the generated expressions use.
const DW_OP_PLUS_UCONST: u64 = 0x23;
const DW_OP_STACK_VALUE: u64 = 0x9f;
const DW_OP_CONSTU: u64 = 0x10;
const DW_OP_MUL: u64 = 0x1e;
const DW_OP_DEREF: u64 = 0x06;
const DW_OP_PLUS: u64 = 0x22;
const DW_OP_LLVM_ARG: u64 = 0x1005;

fn tag(name: &str) -> u64 {
    u64::from(keywords::TAGS.value(name).unwrap_or(0))
}

fn encoding(name: &str) -> u64 {
    u64::from(keywords::ENCODINGS.value(name).unwrap_or(0))
}

struct Dbg<'a> {
    b: &'a mut Builder,
    rng: &'a mut Rng,
    file: MetaId,
    unit: MetaId,
    types: HashMap<TypeId, Option<MetaId>>,
    strings: HashMap<String, MetaId>,
    locations: HashMap<(u64, u64, MetaId, Option<MetaId>), MetaId>,
    value_fn: FuncId,
    declare_fn: FuncId,
    label_fn: FuncId,
    line: u64,
    /// The function-local values made for the current function.
    local_values: Vec<MetaId>,
}

/// Adds debug info to every function of the module being built; `helpers`
/// are the functions kernels may call (their subprograms are what inlined
/// locations point at), `tg_global` the threadgroup global if there is one.
pub(crate) fn add_debug_info(
    b: &mut Builder,
    rng: &mut Rng,
    helpers: &[FuncId],
    tg_global: Option<GlobalId>,
) {
    let void = b.ty_void();
    let md = b.module_mut().types.metadata();
    let ty3 = b.ty_function(void, vec![md, md, md], false);
    let ty1 = b.ty_function(void, vec![md], false);
    let value_fn = b.declare_function("llvm.dbg.value", ty3);
    let declare_fn = b.declare_function("llvm.dbg.declare", ty3);
    let label_fn = b.declare_function("llvm.dbg.label", ty1);
    let mut d = Dbg {
        b,
        rng,
        file: MetaId(0),
        unit: MetaId(0),
        types: HashMap::new(),
        strings: HashMap::new(),
        locations: HashMap::new(),
        value_fn,
        declare_fn,
        label_fn,
        line: 1,
        local_values: Vec::new(),
    };
    d.unit_and_file();
    let mut subprograms = HashMap::new();
    let functions: Vec<FuncId> = (0..d.b.module().functions.len() as u32)
        .map(FuncId)
        .filter(|f| !d.b.module().function(*f).is_declaration())
        .collect();
    for &f in &functions {
        let sp = d.subprogram(f);
        subprograms.insert(f, sp);
    }
    let helper_sps: Vec<MetaId> = helpers
        .iter()
        .filter_map(|h| subprograms.get(h).copied())
        .collect();
    for &f in &functions {
        d.function(f, subprograms[&f], &helper_sps);
    }
    let mut globals = Vec::new();
    if let Some(g) = tg_global {
        globals.push(d.global(g));
    }
    d.finish_unit(globals);
}

impl Dbg<'_> {
    fn add(&mut self, node: DiNode) -> MetaId {
        self.b.module_mut().add_metadata(Metadata::Di(node))
    }

    fn string(&mut self, s: &str) -> MetaId {
        if let Some(m) = self.strings.get(s) {
            return *m;
        }
        let m = self.b.md_string(s);
        self.strings.insert(s.to_string(), m);
        m
    }

    fn sval(&mut self, s: &str) -> DiValue {
        DiValue::Md(self.string(s))
    }

    fn unit_and_file(&mut self) {
        let mut file = DiNode::new(DiKind::File, false)
            .with("filename", self.sval("generated.metal"))
            .with("directory", self.sval("/airlink/testgen"));
        if self.rng.chance(1, 2) {
            let sum: String = (0..32)
                .map(|_| char::from(b"0123456789abcdef"[self.rng.below(16)]))
                .collect();
            file = file
                .with("checksumkind", DiValue::Int(1))
                .with("checksum", self.sval(&sum));
        }
        self.file = self.add(file);
        let emission = if self.rng.chance(3, 4) { 1 } else { 2 };
        let mut unit = DiNode::new(DiKind::CompileUnit, true)
            .with("language", DiValue::Int(0x21))
            .with("file", DiValue::Md(self.file))
            .with("producer", self.sval("airlink testgen"))
            .with(
                "isOptimized",
                DiValue::Int(u64::from(self.rng.chance(1, 2))),
            )
            .with("emissionKind", DiValue::Int(emission));
        if self.rng.chance(1, 2) {
            unit = unit
                .with("nameTableKind", DiValue::Int(2))
                .with("splitDebugInlining", DiValue::Int(0));
        }
        self.unit = self.add(unit);
    }

    /// The compile unit's lists (filled once everything exists), the
    /// named metadata and the module flags.
    fn finish_unit(&mut self, globals: Vec<MetaId>) {
        let mut enums = None;
        if self.rng.chance(1, 2) {
            let uint = self.basic("uint", 32, "DW_ATE_unsigned");
            let mut items = Vec::new();
            for (i, name) in ["first", "second", "third"].iter().enumerate() {
                let e = DiNode::new(DiKind::Enumerator, false)
                    .with("name", self.sval(name))
                    .with(
                        "value",
                        // The width the parser gives an unsigned literal:
                        // its active bits, at least one.
                        DiValue::Wide {
                            width: (64 - (i as u64).leading_zeros()).max(1),
                            words: vec![i as u64],
                        },
                    )
                    .with("isUnsigned", DiValue::Int(1));
                items.push(Some(self.add(e)));
            }
            let elements = self.b.md_node(items);
            let ty = DiNode::new(DiKind::CompositeType, false)
                .with("tag", DiValue::Int(tag("DW_TAG_enumeration_type")))
                .with("name", self.sval("mode"))
                .with("file", DiValue::Md(self.file))
                .with("line", DiValue::Int(2))
                .with("baseType", DiValue::Md(uint))
                .with("size", DiValue::Int(32))
                .with("flags", DiValue::Int(1 << 24))
                .with("elements", DiValue::Md(elements));
            let ty = self.add(ty);
            enums = Some(self.b.md_node(vec![Some(ty)]));
        }
        let globals = (!globals.is_empty()).then(|| {
            let list = globals.into_iter().map(Some).collect();
            self.b.md_node(list)
        });
        if let Some(Metadata::Di(unit)) = self.b.module_mut().metadata.get_mut(self.unit.0 as usize)
        {
            if let Some(e) = enums {
                *unit = unit.clone().with("enums", DiValue::Md(e));
            }
            if let Some(g) = globals {
                *unit = unit.clone().with("globals", DiValue::Md(g));
            }
        }
        self.b.add_named_metadata("llvm.dbg.cu", &[self.unit]);
        let i32 = self.b.ty_int(32);
        let mut flags = Vec::new();
        for (behaviour, key, value) in [(7, "Dwarf Version", 4), (2, "Debug Info Version", 3)] {
            let b = self.b.const_int(i32, behaviour);
            let v = self.b.const_int(i32, value);
            let ops = vec![
                self.b.md_value(b).ok(),
                Some(self.b.md_string(key)),
                self.b.md_value(v).ok(),
            ];
            flags.push(self.b.md_node(ops));
        }
        self.b.add_named_metadata("llvm.module.flags", &flags);
    }

    fn basic(&mut self, name: &str, size: u64, enc: &str) -> MetaId {
        let node = DiNode::new(DiKind::BasicType, false)
            .with("name", self.sval(name))
            .with("size", DiValue::Int(size))
            .with("encoding", DiValue::Int(encoding(enc)));
        self.add(node)
    }

    /// The debug type of an IR type (`None` for `void`).
    fn di_type(&mut self, ty: TypeId) -> Option<MetaId> {
        if let Some(t) = self.types.get(&ty) {
            return *t;
        }
        let t = match self.b.module().types.get(ty).clone() {
            Type::Void => None,
            Type::Int(1) => Some(self.basic("bool", 8, "DW_ATE_boolean")),
            Type::Int(16) => Some(self.basic("short", 16, "DW_ATE_signed")),
            Type::Int(64) => Some(self.basic("long", 64, "DW_ATE_signed")),
            Type::Int(bits) => Some(self.basic("int", u64::from(bits), "DW_ATE_signed")),
            Type::Half => Some(self.basic("half", 16, "DW_ATE_float")),
            Type::Float => Some(self.basic("float", 32, "DW_ATE_float")),
            Type::Vector { elem, len } => {
                let base = self.di_type(elem);
                let i64 = self.b.ty_int(64);
                let count = self.b.const_int(i64, i128::from(len));
                let count = self.b.md_value(count).ok();
                let sub = DiNode::new(DiKind::Subrange, false)
                    .with("count", count.map_or(DiValue::Null, DiValue::Md));
                let sub = self.add(sub);
                let elements = self.b.md_node(vec![Some(sub)]);
                let node = DiNode::new(DiKind::CompositeType, false)
                    .with("tag", DiValue::Int(tag("DW_TAG_array_type")))
                    .with("baseType", base.map_or(DiValue::Null, DiValue::Md))
                    .with("size", DiValue::Int(128))
                    .with("flags", DiValue::Int(1 << 11))
                    .with("elements", DiValue::Md(elements));
                Some(self.add(node))
            }
            Type::Pointer { pointee, addrspace } => {
                let base = self.di_type(pointee);
                let mut node = DiNode::new(DiKind::DerivedType, false)
                    .with("tag", DiValue::Int(tag("DW_TAG_pointer_type")))
                    .with("baseType", base.map_or(DiValue::Null, DiValue::Md))
                    .with("size", DiValue::Int(64));
                if addrspace != 0 && self.rng.chance(1, 2) {
                    node = node.with("dwarfAddressSpace", DiValue::Int(u64::from(addrspace) + 1));
                }
                Some(self.add(node))
            }
            Type::Array { elem, len } => {
                let base = self.di_type(elem);
                let sub = DiNode::new(DiKind::Subrange, false);
                let i64 = self.b.ty_int(64);
                let count = self.b.const_int(i64, i128::from(len as i64));
                let count = self.b.md_value(count).ok();
                let sub = sub.with("count", count.map_or(DiValue::Null, DiValue::Md));
                let sub = self.add(sub);
                let elements = self.b.md_node(vec![Some(sub)]);
                let node = DiNode::new(DiKind::CompositeType, false)
                    .with("tag", DiValue::Int(tag("DW_TAG_array_type")))
                    .with("baseType", base.map_or(DiValue::Null, DiValue::Md))
                    .with("elements", DiValue::Md(elements));
                Some(self.add(node))
            }
            _ => Some(self.basic("opaque", 0, "DW_ATE_unsigned")),
        };
        self.types.insert(ty, t);
        t
    }

    fn subprogram(&mut self, f: FuncId) -> MetaId {
        let func = self.b.module().function(f);
        let (name, fty) = (func.name.clone(), func.ty);
        let (ret, params) = match self.b.module().types.function_parts(fty) {
            Some((r, p, _)) => (r, p.to_vec()),
            None => (fty, Vec::new()),
        };
        let mut types = vec![self.di_type(ret)];
        for p in &params {
            types.push(self.di_type(*p));
        }
        let types = self.b.md_node(types);
        let mut st = DiNode::new(DiKind::SubroutineType, false).with("types", DiValue::Md(types));
        if self.rng.chance(1, 2) {
            st = st.with("flags", DiValue::Int(1 << 8));
        }
        let st = self.add(st);
        self.line += 2;
        let sp_flags = if self.rng.chance(1, 2) { 0x18 } else { 0x8 };
        let sp = DiNode::new(DiKind::Subprogram, true)
            .with("name", self.sval(&name))
            .with("scope", DiValue::Md(self.file))
            .with("file", DiValue::Md(self.file))
            .with("line", DiValue::Int(self.line))
            .with("type", DiValue::Md(st))
            .with("scopeLine", DiValue::Int(self.line + 1))
            .with("flags", DiValue::Int(1 << 8))
            .with("spFlags", DiValue::Int(sp_flags))
            .with("unit", DiValue::Md(self.unit));
        let sp = self.add(sp);
        self.b.function_mut(f).attachments.push(("dbg".into(), sp));
        sp
    }

    fn local(&mut self, name: &str, scope: MetaId, arg: u64, ty: Option<MetaId>) -> MetaId {
        let node = DiNode::new(DiKind::LocalVariable, false)
            .with("name", self.sval(name))
            .with("arg", DiValue::Int(arg))
            .with("scope", DiValue::Md(scope))
            .with("file", DiValue::Md(self.file))
            .with("line", DiValue::Int(self.line))
            .with("type", ty.map_or(DiValue::Null, DiValue::Md));
        self.add(node)
    }

    fn location(&mut self, line: u64, col: u64, scope: MetaId, inlined: Option<MetaId>) -> MetaId {
        if let Some(l) = self.locations.get(&(line, col, scope, inlined)) {
            return *l;
        }
        let node = DiNode::new(DiKind::Location, false)
            .with("line", DiValue::Int(line))
            .with("column", DiValue::Int(col))
            .with("scope", DiValue::Md(scope))
            .with("inlinedAt", inlined.map_or(DiValue::Null, DiValue::Md));
        let l = self.add(node);
        self.locations.insert((line, col, scope, inlined), l);
        l
    }

    fn expression(&mut self, elements: Vec<u64>) -> MetaId {
        let node = DiNode::new(DiKind::Expression, false).with("", DiValue::Ints(elements));
        self.add(node)
    }

    fn local_value(&mut self, ty: TypeId, value: Value) -> MetaId {
        let m = self
            .b
            .module_mut()
            .add_metadata(Metadata::Value { ty, value });
        self.local_values.push(m);
        m
    }

    /// A call of `callee` with metadata arguments `args`.
    fn call(&mut self, callee: FuncId, args: Vec<MetaId>, dbg: MetaId) -> Instruction {
        let fn_ty = self.b.module().function(callee).ty;
        let callee = self.b.function_value(callee);
        let void = self.b.ty_void();
        let n = args.len();
        Instruction {
            name: None,
            ty: void,
            kind: InstKind::Call(Box::new(Call {
                callee,
                fn_ty,
                args: args.into_iter().map(Value::Metadata).collect(),
                fn_attrs: AttrSet::new(),
                ret_attrs: AttrSet::new(),
                arg_attrs: vec![AttrSet::new(); n],
                tail: TailKind::None,
                cc: CallConv::default(),
            })),
            flags: Flags::empty(),
            attachments: vec![("dbg".to_string(), dbg)].into(),
        }
    }

    /// Locations for every instruction of `f`, and the `llvm.dbg.*` calls.
    fn function(&mut self, f: FuncId, sp: MetaId, helpers: &[MetaId]) {
        let func = self.b.module().function(f).clone();
        let params = self
            .b
            .module()
            .types
            .function_parts(func.ty)
            .map(|(_, p, _)| p.to_vec())
            .unwrap_or_default();
        // A scope per block: the subprogram for the entry, a distinct
        // lexical block for the others, sometimes seen through a file.
        let mut scopes = Vec::new();
        for b in 0..func.blocks.len() {
            if b == 0 {
                scopes.push(sp);
                continue;
            }
            self.line += 1;
            let block = DiNode::new(DiKind::LexicalBlock, true)
                .with("scope", DiValue::Md(sp))
                .with("file", DiValue::Md(self.file))
                .with("line", DiValue::Int(self.line))
                .with("column", DiValue::Int(1 + self.rng.below(8) as u64));
            let mut scope = self.add(block);
            if self.rng.chance(1, 4) {
                let file = DiNode::new(DiKind::LexicalBlockFile, false)
                    .with("scope", DiValue::Md(scope))
                    .with("file", DiValue::Md(self.file))
                    .with("discriminator", DiValue::Int(1 + self.rng.below(3) as u64));
                scope = self.add(file);
            }
            scopes.push(scope);
        }
        let mut retained = Vec::new();
        let mut new_blocks: Vec<Vec<InstId>> = Vec::new();
        let mut insts = func.insts.clone();
        let push = |insts: &mut Vec<Instruction>, inst: Instruction| -> InstId {
            insts.push(inst);
            InstId(insts.len() as u32 - 1)
        };
        let mut loop_locations: HashMap<u32, (MetaId, MetaId)> = HashMap::new();
        for (b, block) in func.blocks.iter().enumerate() {
            let scope = scopes[b];
            let mut list = Vec::new();
            self.line += 1;
            let first_line = self.line;
            let entry_loc = self.location(self.line, 1, scope, None);
            if b == 0 {
                for (i, p) in params.iter().enumerate() {
                    let ty = self.di_type(*p);
                    let name = func.params[i]
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("arg{i}"));
                    let var = self.local(&name, sp, i as u64 + 1, ty);
                    retained.push(Some(var));
                    let value = self.local_value(*p, Value::Arg(i as u32));
                    let expr = self.expression(Vec::new());
                    let call = self.call(self.value_fn, vec![value, var, expr], entry_loc);
                    list.push(push(&mut insts, call));
                }
                if self.rng.chance(1, 2) {
                    // A stack slot described with llvm.dbg.declare.
                    let float = self.b.ty_float();
                    let ptr = self.b.ty_ptr(float, 0);
                    let one_ty = float;
                    let alloca = Instruction {
                        name: Some("slot".into()),
                        ty: ptr,
                        kind: InstKind::Alloca {
                            allocated: one_ty,
                            count: None,
                            align: Some(4),
                        },
                        flags: Flags::empty(),
                        attachments: vec![("dbg".to_string(), entry_loc)].into(),
                    };
                    let a = push(&mut insts, alloca);
                    list.push(a);
                    let ty = self.di_type(float);
                    let var = self.local("slot", sp, 0, ty);
                    let value = self.local_value(ptr, Value::Inst(a));
                    let ops = if self.rng.chance(1, 2) {
                        vec![]
                    } else {
                        vec![DW_OP_DEREF]
                    };
                    let expr = self.expression(ops);
                    let call = self.call(self.declare_fn, vec![value, var, expr], entry_loc);
                    list.push(push(&mut insts, call));
                }
            }
            let mut phis_done = false;
            let mut col = 1;
            for &iid in &block.insts {
                let inst = &func.insts[iid.0 as usize];
                let is_phi = matches!(inst.kind, InstKind::Phi { .. });
                if !is_phi && !phis_done {
                    phis_done = true;
                    if b > 0 && self.rng.chance(1, 4) {
                        let label = DiNode::new(DiKind::Label, false)
                            .with("scope", DiValue::Md(scope))
                            .with("name", self.sval(&format!("block{b}")))
                            .with("file", DiValue::Md(self.file))
                            .with("line", DiValue::Int(first_line));
                        let label = self.add(label);
                        retained.push(Some(label));
                        let call = self.call(self.label_fn, vec![label], entry_loc);
                        list.push(push(&mut insts, call));
                    }
                }
                // The instruction's location: mostly the block's scope,
                // sometimes code inlined from a helper.
                if self.rng.chance(1, 3) {
                    self.line += 1;
                    col = 1;
                } else {
                    col += 1 + self.rng.below(4) as u64;
                }
                let loc = if !helpers.is_empty() && self.rng.chance(1, 10) {
                    let site = DiNode::new(DiKind::Location, true)
                        .with("line", DiValue::Int(self.line))
                        .with("column", DiValue::Int(col))
                        .with("scope", DiValue::Md(scope));
                    let site = self.add(site);
                    let callee = *self.rng.pick(helpers);
                    let line = 1 + self.rng.below(9) as u64;
                    self.location(line, 3, callee, Some(site))
                } else {
                    self.location(self.line, col, scope, None)
                };
                insts[iid.0 as usize]
                    .attachments
                    .push(("dbg".to_string(), loc));
                list.push(iid);
                if let InstKind::CondBr { if_false, .. } = inst.kind {
                    if (if_false.0 as usize) < b {
                        let start = self.location(first_line, 1, scope, None);
                        loop_locations.insert(iid.0, (start, loc));
                    }
                }
                // Describe some results.
                let ty = inst.ty;
                let describable = !is_phi
                    && !inst.kind.opcode().is_terminator()
                    && !matches!(self.b.module().types.get(ty), Type::Void);
                if describable && self.rng.chance(1, 4) {
                    let dty = self.di_type(ty);
                    let var = self.local(&format!("v{}", iid.0), scope, 0, dty);
                    if self.rng.chance(1, 2) {
                        retained.push(Some(var));
                    }
                    let i32 = self.b.ty_int(32);
                    let (value, expr) = if ty == i32 && params.len() > 2 && self.rng.chance(1, 3) {
                        // Two values combined: a DIArgList.
                        let a = self.local_value(ty, Value::Inst(iid));
                        let t = self.local_value(params[2], Value::Arg(2));
                        let list_node = DiNode::new(DiKind::ArgList, false)
                            .with("", DiValue::Mds(vec![Some(a), Some(t)]));
                        let l = self.add(list_node);
                        let e = vec![
                            DW_OP_LLVM_ARG,
                            0,
                            DW_OP_LLVM_ARG,
                            1,
                            DW_OP_PLUS,
                            DW_OP_STACK_VALUE,
                        ];
                        (l, self.expression(e))
                    } else {
                        let v = self.local_value(ty, Value::Inst(iid));
                        let e = match self.rng.below(3) {
                            0 => vec![],
                            1 => vec![
                                DW_OP_PLUS_UCONST,
                                self.rng.below(64) as u64,
                                DW_OP_STACK_VALUE,
                            ],
                            _ => vec![DW_OP_CONSTU, 2, DW_OP_MUL, DW_OP_STACK_VALUE],
                        };
                        (v, self.expression(e))
                    };
                    // The variable's scope is this function's, so the
                    // call's location is too (not an inlined one).
                    let here = self.location(self.line, col, scope, None);
                    let call = self.call(self.value_fn, vec![value, var, expr], here);
                    list.push(push(&mut insts, call));
                }
            }
            new_blocks.push(list);
        }
        // Back edges get loop metadata with the loop's start and end.
        for (iid, (start, end)) in loop_locations {
            let m = self.b.module_mut();
            let node = m.add_metadata(Metadata::Node {
                operands: Vec::new(),
                distinct: true,
            });
            m.metadata[node.0 as usize] = Metadata::Node {
                operands: vec![Some(node), Some(start), Some(end)],
                distinct: true,
            };
            insts[iid as usize]
                .attachments
                .push(("llvm.loop".to_string(), node));
        }
        let retained = self.b.md_node(retained);
        if let Some(Metadata::Di(n)) = self.b.module_mut().metadata.get_mut(sp.0 as usize) {
            *n = n.clone().with("retainedNodes", DiValue::Md(retained));
        }
        // The arena in layout order, as the parser builds it (the calls
        // were appended): instruction ids, operands and the local values
        // of the metadata renumbered.
        let mut map = vec![u32::MAX; insts.len()];
        for (next, id) in (0u32..).zip(new_blocks.iter().flatten()) {
            map[id.0 as usize] = next;
        }
        let mut ordered: Vec<Option<Instruction>> = vec![None; insts.len()];
        for (old, inst) in insts.into_iter().enumerate() {
            if map[old] != u32::MAX {
                ordered[map[old] as usize] = Some(inst);
            }
        }
        let mut ordered: Vec<Instruction> = ordered.into_iter().flatten().collect();
        let remap = |v: &mut Value| {
            if let Value::Inst(i) = v {
                *i = InstId(map[i.0 as usize]);
            }
        };
        for inst in &mut ordered {
            inst.kind.for_each_operand_mut(remap);
        }
        for m in std::mem::take(&mut self.local_values) {
            if let Some(Metadata::Value { value, .. }) =
                self.b.module_mut().metadata.get_mut(m.0 as usize)
            {
                remap(value);
            }
        }
        let func = self.b.function_mut(f);
        func.insts = ordered;
        for (block, list) in func.blocks.iter_mut().zip(new_blocks) {
            block.insts = list.iter().map(|i| InstId(map[i.0 as usize])).collect();
        }
    }

    /// The threadgroup global's `!dbg`: a variable and its expression.
    fn global(&mut self, g: GlobalId) -> MetaId {
        let (name, ty) = {
            let gl = &self.b.module().globals[g.0 as usize];
            (gl.name.clone(), gl.value_ty)
        };
        let t = self.di_type(ty);
        let var = DiNode::new(DiKind::GlobalVariable, true)
            .with("name", self.sval(&name))
            .with("scope", DiValue::Md(self.unit))
            .with("file", DiValue::Md(self.file))
            .with("line", DiValue::Int(1))
            .with("type", t.map_or(DiValue::Null, DiValue::Md))
            .with("isLocal", DiValue::Int(1))
            .with("isDefinition", DiValue::Int(1));
        let var = self.add(var);
        let expr = self.expression(Vec::new());
        let gve = DiNode::new(DiKind::GlobalVariableExpression, false)
            .with("var", DiValue::Md(var))
            .with("expr", DiValue::Md(expr));
        let gve = self.add(gve);
        self.b.module_mut().globals[g.0 as usize]
            .attachments
            .push(("dbg".to_string(), gve));
        gve
    }
}
