//! The module as `llvm-as-14` hands it to its bitcode writer.
//!
//! Parsing with LLVM is not a pure translation. Before the writer runs, LLVM
//! has canonicalised constants and metadata ([`super::consts`],
//! [`super::meta`]), registered metadata kinds and sync scopes in the order
//! the text used them, reset the attributes of intrinsic declarations, and
//! (without a `"Debug Info Version"` flag) stripped debug info. This module
//! computes all of that up front, so the enumerator and writer only read.

use std::borrow::Cow;

use air_ir::fxhash::HashMap;

use air_ir::attributes::AttrSet;
use air_ir::inst::{InstKind, Value};
use air_ir::types::Type;
use air_ir::{ConstKind, InstId, MetaId, Metadata, Module, TypeId};

use super::consts::{CId, CKind, Canon};
use super::intern::Interner;
use super::intrinsics::{apple_intrinsic_attributes, intrinsic_attributes};
use super::meta::{MdId, MdTable};
use crate::{EncodeError, Flavour, Result, WriteOptions};
use air_ir::debuginfo::is_debug_intrinsic_call;

/// The module's attribute lists, interned. LLVM's `AttributeList` is the
/// non-empty sets keyed by LLVM's index (`u32::MAX` = function, 0 = return
/// value, `i + 1` = parameter `i`), in LLVM's iteration order (function,
/// return, parameters); an (index, set) pair is an attribute group. Both
/// are numbered here once, so the enumerator and writer compare and look
/// them up by number instead of hashing attribute sets per call. Sets are
/// borrowed from the module where they can be (cloning them, string
/// attributes and all, was most of this).
#[derive(Debug, Default)]
pub(crate) struct Attrs<'m> {
    /// Distinct attribute sets.
    sets: Interner<Cow<'m, AttrSet>>,
    /// Distinct groups: (LLVM index, set number).
    pub groups: Vec<(u32, u32)>,
    group_map: HashMap<(u32, u32), u32>,
    /// Distinct non-empty lists, as group numbers.
    lists: Interner<Vec<u32>>,
}

impl<'m> Attrs<'m> {
    /// Set number `i`.
    pub fn set(&self, i: u32) -> &AttrSet {
        self.sets.get(i)
    }

    /// The groups of list number `i`.
    pub fn list_groups(&self, i: u32) -> &[u32] {
        self.lists.get(i)
    }

    /// How many lists there are.
    pub fn num_lists(&self) -> usize {
        self.lists.len()
    }

    fn group(&mut self, index: u32, set: Cow<'m, AttrSet>) -> u32 {
        let set = self.sets.intern(set);
        let next = self.groups.len() as u32;
        let g = *self.group_map.entry((index, set)).or_insert(next);
        if g == next {
            self.groups.push((index, set));
        }
        g
    }

    /// The number of the list of function, return and parameter sets;
    /// `None` for an empty list.
    fn list(
        &mut self,
        fn_attrs: Cow<'m, AttrSet>,
        ret: Cow<'m, AttrSet>,
        params: impl IntoIterator<Item = Cow<'m, AttrSet>>,
    ) -> Option<u32> {
        let mut list = Vec::new();
        if !fn_attrs.is_empty() {
            list.push(self.group(u32::MAX, fn_attrs));
        }
        if !ret.is_empty() {
            list.push(self.group(0, ret));
        }
        for (i, p) in params.into_iter().enumerate() {
            if !p.is_empty() {
                list.push(self.group(i as u32 + 1, p));
            }
        }
        if list.is_empty() {
            return None;
        }
        Some(self.lists.intern(list))
    }
}

/// LLVM 14's fixed metadata kinds, in id order.
pub(crate) const FIXED_MD_KINDS: [&str; 31] = [
    "dbg",
    "tbaa",
    "prof",
    "fpmath",
    "range",
    "tbaa.struct",
    "invariant.load",
    "alias.scope",
    "noalias",
    "nontemporal",
    "llvm.mem.parallel_loop_access",
    "nonnull",
    "dereferenceable",
    "dereferenceable_or_null",
    "make.implicit",
    "unpredictable",
    "invariant.group",
    "align",
    "llvm.loop",
    "type",
    "section_prefix",
    "absolute_symbol",
    "associated",
    "callees",
    "irr_loop",
    "llvm.access.group",
    "callback",
    "llvm.preserve.access.index",
    "vcall_visibility",
    "noundef",
    "annotation",
];

/// LLVM 14's fixed operand-bundle tags, in id order.
pub(crate) const FIXED_BUNDLE_TAGS: [&str; 7] = [
    "deopt",
    "funclet",
    "gc-transition",
    "cfguardtarget",
    "preallocated",
    "gc-live",
    "clang.arc.attachedcall",
];

/// Which fixed metadata kinds a module's METADATA_KIND block starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FixedKinds {
    /// LLVM 14's kinds 0-30.
    Llvm14,
    /// Apple's: LLVM 14's, then `heapallocsite` only when some function
    /// has a body instruction other than `ret`, then `air.function_groups`
    /// (docs/bitcode-rules.md#apples-differences).
    Apple {
        /// Whether `heapallocsite` is registered.
        heapallocsite: bool,
    },
}

impl FixedKinds {
    /// The kinds after LLVM 14's fixed ones, in id order.
    pub(crate) fn extra(self) -> &'static [&'static str] {
        match self {
            FixedKinds::Llvm14 => &[],
            FixedKinds::Apple {
                heapallocsite: true,
            } => &["heapallocsite", "air.function_groups"],
            FixedKinds::Apple {
                heapallocsite: false,
            } => &["air.function_groups"],
        }
    }

    /// Apple's kinds for `module`. Measured on the 65 Apple modules of AIR
    /// 2.3 to 2.8 of the public sets: the 23 with a body instruction other
    /// than `ret` register `heapallocsite` (31) before `air.function_groups`
    /// (32); the 42 whose functions are only `ret` register
    /// `air.function_groups` as 31.
    fn apple(module: &Module) -> FixedKinds {
        let heapallocsite = module.functions.iter().any(|f| {
            f.blocks.iter().flat_map(|b| &b.insts).any(|i| {
                f.insts
                    .get(i.0 as usize)
                    .is_some_and(|inst| !matches!(inst.kind, InstKind::Ret { .. }))
            })
        });
        FixedKinds::Apple { heapallocsite }
    }
}

/// The operand-bundle tag Apple's LLVM registers after LLVM 14's seven.
pub(crate) const APPLE_BUNDLE_TAG: &str = "ptrauth";

/// The irsymtab producer `llvm-as-14` writes (`LLVM_VERSION_STRING`) when
/// [`crate::WriteOptions::producer`] names no other 14.x release.
pub(crate) const LLVM14_IRSYMTAB_PRODUCER: &str = "14.0.6";

/// The irsymtab producer of the Apple flavour when neither `!llvm.ident`
/// nor the options name one.
pub(crate) const APPLE_DEFAULT_PRODUCER: &str = "32023.850.10";

/// What the writer needs to know about one function.
#[derive(Debug, Default)]
pub(crate) struct FuncInfo {
    /// The function's attribute list (after the intrinsic reset), a number
    /// in [`Prepared::attrs`]; `None` when empty.
    pub attrs: Option<u32>,
    /// Function attachments, sorted by kind id.
    pub attachments: Vec<(u32, MdId)>,
    /// Instructions in layout order, minus those LLVM dropped, with their
    /// block index.
    pub insts: Vec<(u32, InstId)>,
    /// Non-`!dbg` attachments per instruction, sorted by kind id.
    pub inst_attachments: HashMap<u32, Vec<(u32, MdId)>>,
    /// The debug location (`!dbg`) of each instruction that has one.
    pub inst_dbg: HashMap<u32, MdId>,
    /// Attribute list of each call with a non-empty one.
    pub call_attrs: HashMap<u32, u32>,
    /// Canonical metadata of each metadata-typed call argument, by
    /// (instruction, operand position in `InstKind::operands`).
    pub md_operands: HashMap<(u32, usize), MdId>,
    /// The `i32 1` LLVM gives an `alloca` without an element count.
    pub alloca_one: Option<CId>,
    /// The bitcode form of each shufflevector mask.
    pub shuffle_masks: HashMap<u32, CId>,
}

/// The module after `llvm-as-14`'s parse-time changes.
#[derive(Debug)]
pub(crate) struct Prepared<'m> {
    pub module: &'m Module,
    pub flavour: Flavour,
    /// The producer string of the irsymtab.
    pub irsymtab_producer: String,
    /// The producer string of the IDENTIFICATION block (`LLVM14.0.6`;
    /// empty for Apple's flavour).
    pub identification_producer: String,
    pub canon: Canon<'m>,
    pub md: MdTable<'m>,
    pub source_filename: String,
    /// The fixed kinds METADATA_KIND starts with.
    pub fixed_kinds: FixedKinds,
    /// Metadata kind names by id; borrowed (fixed names or the module's),
    /// since allocating the 31 fixed names showed up in every encode.
    pub md_kinds: Vec<&'m str>,
    /// Sync scope names by id (0 = `singlethread`, 1 = system).
    pub sync_scopes: Vec<&'m str>,
    /// Named metadata with canonical operands.
    pub named: Vec<(String, Vec<MdId>)>,
    /// Attachments of each global variable, sorted by kind id.
    pub global_attachments: Vec<Vec<(u32, MdId)>>,
    pub funcs: Vec<FuncInfo>,
    /// Every attribute list of the module.
    pub attrs: Attrs<'m>,
    /// `T addrspace(N)*` of each global and `F*` of each function.
    pub global_ptr_types: Vec<TypeId>,
    pub function_ptr_types: Vec<TypeId>,
    pub metadata_type: TypeId,
    pub label_type: TypeId,
}

/// Whether `llvm-as-14` would strip debug-info nodes from `module`: it
/// has no `"Debug Info Version"` flag of 3 and has such nodes. (Modules
/// without them are stripped of the rest while being prepared.)
pub(crate) fn needs_debug_strip(module: &Module, options: &WriteOptions) -> bool {
    options.flavour == Flavour::Llvm14
        && module.metadata.iter().any(|m| matches!(m, Metadata::Di(_)))
        && debug_info_version(module) != Some(3)
}

impl<'m> Prepared<'m> {
    pub fn new(module: &'m Module, options: &WriteOptions) -> Result<Self> {
        Self::new_inner(module, options, None)
    }

    /// Prepares `stripped`, which is `original` after
    /// [`air_ir::strip_debug_info`], as `llvm-as-14` prepares `original`:
    /// metadata kinds are registered in the order the parser met them in
    /// `original` (attachments that stripping removed included).
    pub fn stripped(
        stripped: &'m Module,
        options: &WriteOptions,
        original: &'m Module,
    ) -> Result<Self> {
        Self::new_inner(stripped, options, Some(original))
    }

    fn new_inner(
        module: &'m Module,
        options: &WriteOptions,
        original: Option<&'m Module>,
    ) -> Result<Self> {
        // `llvm-as-14` changes the module while parsing it; Apple's writer
        // encodes the module it is given.
        let as_parsed = options.flavour == Flavour::Llvm14;
        let mut canon = Canon::new(module);
        for i in 0..module.consts.len() {
            canon.of(air_ir::ConstId(i as u32))?;
        }
        let mut md = MdTable::new(module);
        let metadata_type = canon.types.metadata();
        let label_type = canon.types.label();
        let global_ptr_types = module
            .globals
            .iter()
            .map(|g| canon.types.ptr(g.value_ty, g.addrspace))
            .collect();
        let function_ptr_types = module
            .functions
            .iter()
            .map(|f| canon.types.ptr(f.ty, 0))
            .collect();

        // Without a `"Debug Info Version"` flag of 3, `llvm-as-14` strips
        // debug info (`StripDebugInfo`); a module with debug-info nodes
        // arrives here already stripped (`original` is then set), the
        // rest is dropped on the way below.
        let stripped = original.is_some();
        let strip_debug = as_parsed && !stripped && debug_info_version(module) != Some(3);
        let fixed_kinds = match options.flavour {
            Flavour::Llvm14 => FixedKinds::Llvm14,
            Flavour::Apple => FixedKinds::apple(module),
        };
        let mut kinds: Vec<&'m str> = Vec::with_capacity(FIXED_MD_KINDS.len() + 8);
        kinds.extend(FIXED_MD_KINDS);
        kinds.extend(fixed_kinds.extra());
        let mut kind_id = |name: &'m str| -> u32 {
            match kinds.iter().position(|k| *k == name) {
                Some(i) => i as u32,
                None => {
                    kinds.push(name);
                    kinds.len() as u32 - 1
                }
            }
        };
        if let Some(orig) = original {
            for g in &orig.globals {
                for (name, _) in &g.attachments {
                    kind_id(name);
                }
            }
            for f in &orig.functions {
                for (name, _) in &f.attachments {
                    kind_id(name);
                }
                for (_, iid) in f.layout() {
                    if let Some(inst) = f.insts.get(iid.0 as usize) {
                        for (name, _) in &inst.attachments {
                            kind_id(name);
                        }
                    }
                }
            }
        }

        let mut named = Vec::new();
        for n in &module.named_metadata {
            if strip_debug && (n.name.starts_with("llvm.dbg.") || n.name == "llvm.gcov") {
                continue;
            }
            let mut ops = Vec::with_capacity(n.operands.len());
            for o in &n.operands {
                ops.push(md.of(module, &mut canon, *o, None)?);
            }
            named.push((n.name.clone(), ops));
        }

        // Kind ids are registered as the parser meets attachments: global
        // variables come first in a printed module, then functions in order.
        let mut global_attachments = Vec::with_capacity(module.globals.len());
        for g in &module.globals {
            let mut list = Vec::new();
            for (name, m) in &g.attachments {
                let k = kind_id(name);
                if strip_debug && k == 0 {
                    continue;
                }
                list.push((k, md.of(module, &mut canon, *m, None)?));
            }
            list.sort_by_key(|(k, _)| *k);
            global_attachments.push(list);
        }

        let mut funcs = Vec::with_capacity(module.functions.len());
        let mut attrs = Attrs::default();
        let mut sync_scopes: Vec<&'m str> = vec!["singlethread", ""];
        let mut any_inst_md = false;
        for (fi, f) in module.functions.iter().enumerate() {
            let context = format!("function @{}", f.name);
            let (_, param_tys, _) = canon
                .types
                .function_parts(f.ty)
                .filter(|_| canon.types.try_get(f.ty).is_some())
                .map(|(r, p, v)| (r, p.to_vec(), v))
                .ok_or_else(|| {
                    EncodeError::invalid(&context, "the function type is not a function type")
                })?;
            let mut info = FuncInfo::default();
            // `UpgradeIntrinsicFunction` replaces the whole attribute list
            // of a known intrinsic, return attributes included; Apple's
            // compiler does the same with its own table.
            let upgraded = match options.flavour {
                Flavour::Llvm14 => intrinsic_attributes(&f.name, param_tys.len()),
                Flavour::Apple => apple_intrinsic_attributes(&f.name, param_tys.len()),
            };
            info.attrs = match upgraded {
                Some((fn_attrs, params)) => attrs.list(
                    Cow::Owned(fn_attrs),
                    Cow::Owned(AttrSet::new()),
                    params.into_iter().map(Cow::Owned),
                ),
                None => attrs.list(
                    Cow::Borrowed(&f.fn_attrs),
                    Cow::Borrowed(&f.ret_attrs),
                    f.params.iter().map(|p| Cow::Borrowed(&p.attrs)),
                ),
            };
            for (name, m) in &f.attachments {
                let k = kind_id(name);
                if strip_debug && k == 0 {
                    continue;
                }
                info.attachments
                    .push((k, md.of(module, &mut canon, *m, None)?));
            }
            info.attachments.sort_by_key(|(k, _)| *k);

            // Sized once: grown by doubling it was copied repeatedly, and on a
            // large function its spare half stayed to the end.
            info.insts
                .reserve_exact(f.blocks.iter().map(|b| b.insts.len()).sum());
            for (b, block) in f.blocks.iter().enumerate() {
                for &iid in &block.insts {
                    let inst = f
                        .insts
                        .get(iid.0 as usize)
                        .ok_or_else(|| EncodeError::bad_id("instruction", iid.0, &context))?;
                    if strip_debug && is_debug_intrinsic_call(module, &inst.kind) {
                        // The parser registered the call's attachment kinds
                        // before the call was deleted.
                        for (name, _) in &inst.attachments {
                            kind_id(name);
                        }
                        continue;
                    }
                    info.insts.push((b as u32, iid));
                    let mut list = Vec::new();
                    for (name, m) in &inst.attachments {
                        let k = kind_id(name);
                        if k == 0 {
                            // `!dbg` is the debug location, a record of its
                            // own rather than an attachment.
                            if !strip_debug {
                                let loc = md.of(module, &mut canon, *m, Some(fi as u32))?;
                                info.inst_dbg.insert(iid.0, loc);
                            }
                            continue;
                        }
                        if strip_debug && name == "heapallocsite" {
                            // `StripDebugInfo` drops it (it points at
                            // debug types).
                            continue;
                        }
                        list.push((k, md.of(module, &mut canon, *m, Some(fi as u32))?));
                    }
                    if !list.is_empty() {
                        any_inst_md = true;
                        list.sort_by_key(|(k, _)| *k);
                        info.inst_attachments.insert(iid.0, list);
                    }
                    if let Some(name) = inst_scope(&inst.kind) {
                        if !sync_scopes.contains(&name) {
                            sync_scopes.push(name);
                        }
                    }
                    match &inst.kind {
                        InstKind::Call(call) => {
                            if let Some(l) = attrs.list(
                                Cow::Borrowed(&call.fn_attrs),
                                Cow::Borrowed(&call.ret_attrs),
                                call.arg_attrs.iter().map(Cow::Borrowed),
                            ) {
                                info.call_attrs.insert(iid.0, l);
                            }
                        }
                        InstKind::Alloca { count: None, .. } => {
                            info.alloca_one = Some(canon.int(32, 1));
                        }
                        InstKind::ShuffleVector { mask, .. } => {
                            let Value::Const(c) = mask else {
                                return Err(EncodeError::invalid(
                                    &context,
                                    "shufflevector mask is not a constant",
                                ));
                            };
                            let c = canon.of(*c)?;
                            let m = canon.shuffle_mask(c, &context)?;
                            info.shuffle_masks.insert(iid.0, m);
                        }
                        _ => {}
                    }
                    let mut pos = 0;
                    let mut failed = None;
                    inst.kind.for_each_operand(|op| {
                        if let (Value::Metadata(m), None) = (op, &failed) {
                            match md.of(module, &mut canon, *m, Some(fi as u32)) {
                                Ok(id) => {
                                    info.md_operands.insert((iid.0, pos), id);
                                }
                                Err(e) => failed = Some(e),
                            }
                        }
                        pos += 1;
                    });
                    if let Some(e) = failed {
                        return Err(e);
                    }
                }
            }
            funcs.push(info);
        }
        // StripDebugInfo calls `setMetadata("heapallocsite", nullptr)` on
        // every instruction with a non-debug attachment, which registers the
        // kind after everything the parser registered.
        if (strip_debug || stripped) && any_inst_md {
            kind_id("heapallocsite");
        }

        let source_filename = module
            .source_filename
            .clone()
            .unwrap_or_else(|| options.input_path.clone());
        // LLVM writes its version (`LLVM_VERSION_STRING`) in two places:
        // the irsymtab producer and, after "LLVM", the IDENTIFICATION
        // string; naming the installed release lets a test compare with
        // any llvm-as-14.
        let (irsymtab_producer, identification_producer) = match options.flavour {
            Flavour::Llvm14 => {
                let version = options
                    .producer
                    .clone()
                    .unwrap_or_else(|| LLVM14_IRSYMTAB_PRODUCER.to_string());
                let identification = format!("LLVM{version}");
                (version, identification)
            }
            // The compiler's own version: given by the caller when known,
            // else what a source compile writes into `!llvm.ident`
            // (docs/bitcode-rules.md#the-irsymtab-producer).
            Flavour::Apple => (
                options
                    .producer
                    .clone()
                    .or_else(|| super::symtab::metalfe_version(module))
                    .unwrap_or_else(|| APPLE_DEFAULT_PRODUCER.to_string()),
                String::new(),
            ),
        };
        Ok(Prepared {
            module,
            flavour: options.flavour,
            irsymtab_producer,
            identification_producer,
            canon,
            md,
            source_filename,
            fixed_kinds,
            md_kinds: kinds,
            sync_scopes,
            named,
            global_attachments,
            funcs,
            attrs,
            global_ptr_types,
            function_ptr_types,
            metadata_type,
            label_type,
        })
    }

    /// The canonical constant of model constant `id` (all were canonicalised
    /// up front).
    pub fn konst(&self, id: air_ir::ConstId) -> Result<CId> {
        self.canon
            .lookup(id)
            .ok_or_else(|| EncodeError::bad_id("constant", id.0, "operand"))
    }

    /// Whether the type is `void` (instructions of that type get no value id).
    pub fn is_void(&self, ty: TypeId) -> bool {
        matches!(self.canon.types.try_get(ty), Some(Type::Void))
    }
}

/// The sync scope an instruction names (at most one; returned without a
/// `Vec`, since this runs for every instruction).
fn inst_scope(kind: &InstKind) -> Option<&str> {
    match kind {
        InstKind::Load {
            atomic: Some(a), ..
        }
        | InstKind::Store {
            atomic: Some(a), ..
        } => Some(a.scope.as_str()),
        InstKind::AtomicRmw(rmw) => Some(rmw.scope.as_str()),
        InstKind::CmpXchg(xchg) => Some(xchg.scope.as_str()),
        InstKind::Fence { scope, .. } => Some(scope.as_str()),
        _ => None,
    }
}

/// The value of the `"Debug Info Version"` module flag, if any.
fn debug_info_version(module: &Module) -> Option<u64> {
    let flags = module.named("llvm.module.flags")?;
    for node in &flags.operands {
        let Some(Metadata::Node { operands, .. }) = module.metadata.get(node.0 as usize) else {
            continue;
        };
        let name = operands.get(1).copied().flatten();
        let is_dbg = matches!(
            name.and_then(|n| module.metadata.get(n.0 as usize)),
            Some(Metadata::String(s)) if s == b"Debug Info Version"
        );
        if !is_dbg {
            continue;
        }
        let value: Option<MetaId> = operands.get(2).copied().flatten();
        if let Some(Metadata::Value {
            value: Value::Const(c),
            ..
        }) = value.and_then(|v| module.metadata.get(v.0 as usize))
        {
            if let Some(ConstKind::Int(v)) = module.consts.try_get(*c).map(|c| &c.kind) {
                return v.as_u64();
            }
        }
    }
    None
}

impl Canon<'_> {
    /// Kind of a canonical constant, for callers that only hold `&self`.
    pub fn kind(&self, id: CId) -> &CKind<'_> {
        &self.get(id).kind
    }
}
