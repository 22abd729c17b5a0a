//! Apple's `metallib` link step: one stand-alone module per entry function
//! (docs/metallib-container.md#the-link-step).
//!
//! Entry functions are those listed in `!air.kernel`, `!air.vertex`,
//! `!air.fragment` and `!air.visible`. The module of an entry holds
//!
//! - the entry, the functions it uses transitively (defined helpers keep
//!   their bodies) and the globals they use; everything else is dropped;
//! - `source_filename` = the entry's name; `!air.source_file_name` dropped;
//! - named metadata in Apple's order: `llvm.module.flags`, `llvm.ident`,
//!   `air.version`, `air.language_version`, `air.compile_options`, the
//!   entry's own list (holding only the entry's node), then
//!   `air.function_constants` and `air.visible_function_references`, then any
//!   other lists in their input order; the other entry lists are dropped;
//! - functions ordered: the entry, then the others in reverse order of first
//!   use. Global variables keep their input order.
//!
//! Nothing is optimised and no `air.arg_unused` is added.
//!
//! Like LLVM's `GlobalDCE`, a use from metadata does not keep a function or
//! global alive; metadata that pointed at a dropped one gets `null` in its
//! place, which is what LLVM does when a global is deleted. A node listed
//! directly in named metadata that names a dropped global is removed from
//! the list instead (so `!air.visible_function_references` lists only the
//! references the entry makes).
//!
//! Measured on Apple's output: the ordering of declarations. Inferred from
//! it: where defined helpers go (treated like declarations) and that global
//! variables keep their order.

use std::hash::BuildHasherDefault;

use air_ir::fxhash::{FxHasher, HashMap};

use air_ir::constant::{ConstExpr, ConstKind, ConstTable, Constant};
use air_ir::{
    ConstId, FuncId, Function, GlobalId, InstKind, MetaId, Metadata, Module, NamedMetadata, Value,
};

use metallib::raw::FunctionType;

/// Id sets of the link step (Fx-hashed: keys are arena ids).
type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<FxHasher>>;

/// The kind of an entry function: which named metadata lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// `!air.kernel`.
    Kernel,
    /// `!air.vertex`.
    Vertex,
    /// `!air.fragment`.
    Fragment,
    /// `!air.visible`.
    Visible,
}

impl EntryKind {
    /// Every kind, in the order entry lists are searched.
    pub const ALL: [EntryKind; 4] = [
        EntryKind::Kernel,
        EntryKind::Vertex,
        EntryKind::Fragment,
        EntryKind::Visible,
    ];

    /// The named metadata that lists entries of this kind.
    pub fn list_name(self) -> &'static str {
        match self {
            EntryKind::Kernel => "air.kernel",
            EntryKind::Vertex => "air.vertex",
            EntryKind::Fragment => "air.fragment",
            EntryKind::Visible => "air.visible",
        }
    }

    /// The container's `TYPE` byte for this kind.
    pub fn function_type(self) -> FunctionType {
        match self {
            EntryKind::Kernel => FunctionType::KERNEL,
            EntryKind::Vertex => FunctionType::VERTEX,
            EntryKind::Fragment => FunctionType::FRAGMENT,
            EntryKind::Visible => FunctionType::VISIBLE,
        }
    }

    fn from_list_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.list_name() == name)
    }
}

/// An entry function found in the entry lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryPoint {
    /// The function.
    pub function: FuncId,
    /// Its kind.
    pub kind: EntryKind,
    /// Its node in the entry list.
    pub node: MetaId,
}

/// One entry function's module after the link step.
#[derive(Clone, Debug)]
pub struct LinkedEntry {
    /// The entry's name.
    pub name: String,
    /// Its kind.
    pub kind: EntryKind,
    /// Its stand-alone module.
    pub module: Module,
}

/// Why the link step failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No entry list names any function.
    #[error("the module has no entry function (no !air.kernel, !air.vertex, !air.fragment or !air.visible)")]
    NoEntries,
    /// An entry-list operand is not a node whose first operand is a function.
    #[error("operand {index} of !{list} is not a node whose first operand is a function")]
    BadEntryNode {
        /// The list.
        list: String,
        /// The operand's position.
        index: usize,
    },
    /// An entry is a declaration.
    #[error("!{list} names @{name}, which is only declared")]
    EntryNotDefined {
        /// The list.
        list: String,
        /// The function.
        name: String,
    },
    /// A function is listed twice.
    #[error("@{name} is listed as an entry more than once")]
    DuplicateEntry {
        /// The function.
        name: String,
    },
    /// The module refers to an id that does not exist (it did not verify).
    #[error("the module refers to a nonexistent {what} (run the verifier first)")]
    DanglingId {
        /// What kind of id.
        what: &'static str,
    },
}

type Result<T, E = LinkError> = std::result::Result<T, E>;

/// The function a constant names, looking through casts (`bitcast (@f to
/// i8*)`).
fn const_function(m: &Module, mut c: ConstId) -> Option<FuncId> {
    // A chain of casts is short in practice; the bound keeps a malformed
    // self-referencing table from looping.
    for _ in 0..64 {
        match &m.consts.try_get(c)?.kind {
            ConstKind::Function(f) => return Some(*f),
            ConstKind::Expr(ConstExpr::Cast { value, .. }) => c = *value,
            _ => return None,
        }
    }
    None
}

/// The function a metadata node's first operand names.
fn node_function(m: &Module, node: MetaId) -> Option<FuncId> {
    let Metadata::Node { operands, .. } = m.metadata.get(node.0 as usize)? else {
        return None;
    };
    let first = (*operands.first()?)?;
    match m.metadata.get(first.0 as usize)? {
        Metadata::Value {
            value: Value::Const(c),
            ..
        } => const_function(m, *c),
        _ => None,
    }
}

/// Lists the entry functions, in the order of the entry lists in the module
/// and of the nodes within each list.
///
/// # Errors
/// A malformed entry list, an entry that is only declared, or a function
/// listed twice.
pub fn entry_points(m: &Module) -> Result<Vec<EntryPoint>> {
    let mut entries: Vec<EntryPoint> = Vec::new();
    for named in &m.named_metadata {
        let Some(kind) = EntryKind::from_list_name(&named.name) else {
            continue;
        };
        for (index, &node) in named.operands.iter().enumerate() {
            let bad = || LinkError::BadEntryNode {
                list: named.name.clone(),
                index,
            };
            let function = node_function(m, node).ok_or_else(bad)?;
            let f = m.functions.get(function.0 as usize).ok_or_else(bad)?;
            if f.is_declaration() {
                return Err(LinkError::EntryNotDefined {
                    list: named.name.clone(),
                    name: f.name.clone(),
                });
            }
            if entries.iter().any(|e| e.function == function) {
                return Err(LinkError::DuplicateEntry {
                    name: f.name.clone(),
                });
            }
            entries.push(EntryPoint {
                function,
                kind,
                node,
            });
        }
    }
    Ok(entries)
}

/// Runs the link step for every entry function, in [`entry_points`] order.
///
/// # Errors
/// See [`entry_points`]; [`LinkError::NoEntries`] when there is none.
pub fn link_entries(m: &Module) -> Result<Vec<LinkedEntry>> {
    let entries = entry_points(m)?;
    if entries.is_empty() {
        return Err(LinkError::NoEntries);
    }
    entries
        .iter()
        .map(|e| {
            Ok(LinkedEntry {
                name: m.function(e.function).name.clone(),
                kind: e.kind,
                module: link_entry(m, e)?,
            })
        })
        .collect()
}

/// Named metadata in the order Apple's tool writes it; the entry's own list
/// goes where `None` stands.
const NAMED_ORDER: [Option<&str>; 8] = [
    Some("llvm.module.flags"),
    Some("llvm.ident"),
    Some("air.version"),
    Some("air.language_version"),
    Some("air.compile_options"),
    None,
    Some("air.function_constants"),
    Some("air.visible_function_references"),
];

/// Named metadata the link step removes.
const DROPPED_NAMED: &str = "air.source_file_name";

/// What one entry's module keeps, in first-use order.
#[derive(Default)]
pub(crate) struct Reach {
    /// The functions, the entry first, then the others in order of
    /// discovery.
    pub(crate) functions: Vec<FuncId>,
    globals: Vec<GlobalId>,
    fn_seen: HashSet<FuncId>,
    global_seen: HashSet<GlobalId>,
    /// Constants already walked: walking one again cannot find anything
    /// new, and the same constant is typically used by many instructions.
    /// Dense, by constant id (see [`ConstMap`]); sized by [`reach`].
    const_seen: Vec<bool>,
    /// The walk's stack, kept to avoid an allocation per operand.
    stack: Vec<ConstId>,
}

impl Reach {
    /// Walks constant `c`, recording the functions and globals it names.
    /// Global initializers are walked when a global is first seen.
    fn constant(&mut self, m: &Module, c: ConstId) -> Result<()> {
        let mut stack = std::mem::take(&mut self.stack);
        stack.clear();
        stack.push(c);
        let result = self.walk(m, &mut stack);
        self.stack = stack;
        result
    }

    fn walk(&mut self, m: &Module, stack: &mut Vec<ConstId>) -> Result<()> {
        while let Some(c) = stack.pop() {
            match self.const_seen.get_mut(c.0 as usize) {
                Some(seen) if *seen => continue,
                Some(seen) => *seen = true,
                // Beyond the table: `try_get` below reports it.
                None => {}
            }
            let k = m
                .consts
                .try_get(c)
                .ok_or(LinkError::DanglingId { what: "constant" })?;
            let start = stack.len();
            match &k.kind {
                ConstKind::Function(f) => {
                    if self.fn_seen.insert(*f) {
                        self.functions.push(*f);
                    }
                }
                ConstKind::Global(g) => {
                    if self.global_seen.insert(*g) {
                        self.globals.push(*g);
                        let global = m
                            .globals
                            .get(g.0 as usize)
                            .ok_or(LinkError::DanglingId { what: "global" })?;
                        stack.extend(global.initializer);
                    }
                }
                other => other.for_each_const(|c| stack.push(*c)),
            }
            // Visit operands left to right, so "first use" follows text order.
            stack[start..].reverse();
        }
        Ok(())
    }
}

impl Reach {
    /// Records what an instruction operand names.
    fn operand(&mut self, m: &Module, v: Value) -> Result<()> {
        match v {
            Value::Const(c) => self.constant(m, c),
            // A value passed as metadata (`metadata i8* @g`) is an operand
            // of the call, so it counts as a use here.
            Value::Metadata(md) => match m.metadata.get(md.0 as usize) {
                Some(Metadata::Value {
                    value: Value::Const(c),
                    ..
                }) => self.constant(m, *c),
                _ => Ok(()),
            },
            Value::Arg(_) | Value::Inst(_) => Ok(()),
        }
    }
}

/// What [`link_entry`] keeps for `entry`, for [`link_reached`].
pub(crate) fn reached(m: &Module, entry: FuncId) -> Result<Reach> {
    reach(m, entry)
}

/// Finds everything `entry` uses: functions in first-use order (the entry
/// first) and globals in first-use order.
fn reach(m: &Module, entry: FuncId) -> Result<Reach> {
    let mut r = Reach {
        const_seen: vec![false; m.consts.len()],
        ..Reach::default()
    };
    r.fn_seen.insert(entry);
    r.functions.push(entry);
    // Bodies are scanned in discovery order: the entry's first, then each
    // helper's as it is found.
    let mut next = 0;
    while next < r.functions.len() {
        let f = m
            .functions
            .get(r.functions[next].0 as usize)
            .ok_or(LinkError::DanglingId { what: "function" })?;
        next += 1;
        for (_, id) in f.layout() {
            let inst = f.insts.get(id.0 as usize).ok_or(LinkError::DanglingId {
                what: "instruction",
            })?;
            let mut result = Ok(());
            inst.kind.for_each_operand(|v| {
                if result.is_ok() {
                    result = r.operand(m, *v);
                }
            });
            result?;
            if let InstKind::Switch { cases, .. } = &inst.kind {
                for (c, _) in cases {
                    r.constant(m, *c)?;
                }
            }
        }
    }
    Ok(r)
}

/// Old constant id → new one, dense: constants are the most common
/// operands, and every instruction's are looked up (a hash lookup each was
/// most of the remap's time). Ids beyond the table (a module that did not
/// verify) are simply never found.
struct ConstMap(Vec<u32>);

impl ConstMap {
    const NONE: u32 = u32::MAX;

    fn new(len: usize) -> Self {
        ConstMap(vec![Self::NONE; len])
    }

    fn get(&self, c: ConstId) -> Option<ConstId> {
        match self.0.get(c.0 as usize) {
            Some(&n) if n != Self::NONE => Some(ConstId(n)),
            _ => None,
        }
    }

    fn contains(&self, c: ConstId) -> bool {
        self.get(c).is_some()
    }

    fn insert(&mut self, c: ConstId, new: ConstId) {
        if let Some(slot) = self.0.get_mut(c.0 as usize) {
            *slot = new.0;
        }
    }
}

/// Copies the used parts of a module into a new one, remapping ids.
struct Copier<'m> {
    src: &'m Module,
    dst: Module,
    funcs: HashMap<FuncId, FuncId>,
    globals: HashMap<GlobalId, GlobalId>,
    consts: ConstMap,
    /// Buffers of [`Self::constant`]'s walk, kept between calls.
    const_stack: Vec<(ConstId, bool)>,
    const_children: Vec<ConstId>,
    /// Old metadata id → new id, or `None` when it named a dropped value.
    metas: HashMap<MetaId, Option<MetaId>>,
    /// Buffers of [`Self::metadata`]'s walk, kept between calls.
    md_order: Vec<MetaId>,
    md_stack: Vec<MetaId>,
}

impl Copier<'_> {
    /// Whether constant `c` names only kept functions and globals.
    fn const_is_kept(&self, c: ConstId) -> bool {
        // Most constants metadata holds are plain numbers: no walk (and no
        // stack to allocate) for a constant without operands.
        match self.src.consts.try_get(c).map(|k| &k.kind) {
            None => return false,
            Some(ConstKind::Function(f)) => return self.funcs.contains_key(f),
            Some(ConstKind::Global(g)) => return self.globals.contains_key(g),
            Some(kind) => {
                let mut leaf = true;
                kind.for_each_const(|_| leaf = false);
                if leaf {
                    return true;
                }
            }
        }
        let mut stack = vec![c];
        let mut steps = 0usize;
        while let Some(c) = stack.pop() {
            steps += 1;
            // Constants form a DAG; the cap only guards a malformed table.
            if steps > 1_000_000 {
                return false;
            }
            let Some(k) = self.src.consts.try_get(c) else {
                return false;
            };
            match &k.kind {
                ConstKind::Function(f) if !self.funcs.contains_key(f) => return false,
                ConstKind::Global(g) if !self.globals.contains_key(g) => return false,
                other => other.for_each_const(|c| stack.push(*c)),
            }
        }
        true
    }

    /// Copies constant `c` (which must name only kept values).
    fn constant(&mut self, c: ConstId) -> Result<ConstId> {
        if let Some(n) = self.consts.get(c) {
            return Ok(n);
        }
        // Post-order without recursion: children first, then the parent.
        let mut stack = std::mem::take(&mut self.const_stack);
        let mut children = std::mem::take(&mut self.const_children);
        stack.clear();
        stack.push((c, false));
        let result = self.copy_constants(&mut stack, &mut children);
        self.const_stack = stack;
        self.const_children = children;
        result?;
        self.consts
            .get(c)
            .ok_or(LinkError::DanglingId { what: "constant" })
    }

    /// The walk of [`Self::constant`], on its buffers.
    fn copy_constants(
        &mut self,
        stack: &mut Vec<(ConstId, bool)>,
        children: &mut Vec<ConstId>,
    ) -> Result<()> {
        while let Some((c, ready)) = stack.pop() {
            if self.consts.contains(c) {
                continue;
            }
            let k = self
                .src
                .consts
                .try_get(c)
                .ok_or(LinkError::DanglingId { what: "constant" })?;
            if !ready {
                stack.push((c, true));
                children.clear();
                k.kind.for_each_const(|c| children.push(*c));
                stack.extend(
                    children
                        .iter()
                        .filter(|ch| !self.consts.contains(**ch))
                        .map(|ch| (*ch, false)),
                );
                continue;
            }
            let kind = match &k.kind {
                ConstKind::Function(f) => ConstKind::Function(
                    *self
                        .funcs
                        .get(f)
                        .ok_or(LinkError::DanglingId { what: "function" })?,
                ),
                ConstKind::Global(g) => ConstKind::Global(
                    *self
                        .globals
                        .get(g)
                        .ok_or(LinkError::DanglingId { what: "global" })?,
                ),
                other => {
                    // Types keep their ids: the linked module starts from a
                    // copy of the input's type table.
                    let mut kind = other.clone();
                    // Children were copied first (post-order).
                    let consts = &self.consts;
                    kind.for_each_id_mut(&mut |_| {}, &mut |c| {
                        *c = consts.get(*c).unwrap_or(*c);
                    });
                    kind
                }
            };
            let new = self.dst.consts.intern(Constant { ty: k.ty, kind });
            self.consts.insert(c, new);
        }
        Ok(())
    }

    /// Copies metadata reachable from `root`; `None` when `root` itself is a
    /// value that was dropped.
    fn metadata(&mut self, root: MetaId) -> Result<Option<MetaId>> {
        if let Some(n) = self.metas.get(&root) {
            return Ok(*n);
        }
        // Pass 1: give every newly reached item a slot (or `None`), walking
        // iteratively so long chains cannot overflow the stack; cycles
        // (`distinct !{!0}`) are fine because slots exist before operands
        // are filled in.
        let mut order = std::mem::take(&mut self.md_order);
        let mut stack = std::mem::take(&mut self.md_stack);
        order.clear();
        stack.clear();
        stack.push(root);
        let result = self.copy_metadata(&mut order, &mut stack);
        self.md_order = order;
        self.md_stack = stack;
        result?;
        Ok(self.metas.get(&root).copied().flatten())
    }

    /// The two passes of [`Self::metadata`], on its buffers.
    fn copy_metadata(&mut self, order: &mut Vec<MetaId>, stack: &mut Vec<MetaId>) -> Result<()> {
        while let Some(id) = stack.pop() {
            if self.metas.contains_key(&id) {
                continue;
            }
            let md = self
                .src
                .metadata
                .get(id.0 as usize)
                .ok_or(LinkError::DanglingId { what: "metadata" })?;
            let slot = match md {
                Metadata::Value {
                    value: Value::Const(c),
                    ..
                } if !self.const_is_kept(*c) => None,
                _ => Some(self.dst.add_metadata(Metadata::String(Vec::new()))),
            };
            self.metas.insert(id, slot);
            if slot.is_some() {
                order.push(id);
                if let Metadata::Node { operands, .. } = md {
                    stack.extend(operands.iter().rev().flatten().copied());
                }
            }
        }
        // Pass 2: fill the slots.
        for &id in order.iter() {
            let md = &self.src.metadata[id.0 as usize];
            let new = match md {
                Metadata::String(s) => Metadata::String(s.clone()),
                Metadata::Value { ty, value } => Metadata::Value {
                    ty: *ty,
                    value: self.value(*value)?,
                },
                Metadata::Node { operands, distinct } => Metadata::Node {
                    operands: operands
                        .iter()
                        .map(|o| o.and_then(|o| self.metas.get(&o).copied().flatten()))
                        .collect(),
                    distinct: *distinct,
                },
            };
            if let Some(Some(slot)) = self.metas.get(&id) {
                self.dst.metadata[slot.0 as usize] = new;
            }
        }
        Ok(())
    }

    /// Remaps an instruction operand.
    fn value(&mut self, v: Value) -> Result<Value> {
        Ok(match v {
            Value::Const(c) => Value::Const(self.constant(c)?),
            Value::Metadata(md) => Value::Metadata(
                self.metadata(md)?
                    .ok_or(LinkError::DanglingId { what: "metadata" })?,
            ),
            other => other,
        })
    }

    /// Remaps metadata attachments, dropping those whose node was dropped.
    fn attachments(&mut self, list: &[(String, MetaId)]) -> Result<Vec<(String, MetaId)>> {
        let mut out = Vec::with_capacity(list.len());
        for (kind, md) in list {
            if let Some(n) = self.metadata(*md)? {
                out.push((kind.clone(), n));
            }
        }
        Ok(out)
    }

    /// Whether a node listed in named metadata names a dropped global or
    /// function among its own operands.
    fn names_dropped_value(&self, node: MetaId) -> bool {
        let Some(Metadata::Node { operands, .. }) = self.src.metadata.get(node.0 as usize) else {
            return false;
        };
        operands.iter().flatten().any(|o| {
            matches!(
                self.src.metadata.get(o.0 as usize),
                Some(Metadata::Value { value: Value::Const(c), .. }) if !self.const_is_kept(*c)
            )
        })
    }
}

/// Checks a module the link step built.
///
/// Its function bodies are the checked bodies of the input with every
/// operand id mapped to a copy of the same type and name (the type table
/// is copied whole; constants, globals and functions are copied, never
/// rebuilt), so checking them again would re-prove the input's checks: in
/// release builds only what the link step writes anew (symbols, headers,
/// globals, metadata, named metadata, the AIR rules) is checked, with
/// [`air_ir::verify_outside_bodies`]. Debug builds, which the test suite
/// uses, check the whole module, bodies included, so a link step that
/// broke a body would fail the tests.
pub(crate) fn verify_linked(linked: &Module) -> std::result::Result<(), air_ir::VerifyError> {
    if cfg!(debug_assertions) {
        air_ir::verify(linked)
    } else {
        air_ir::verify_outside_bodies(linked)
    }
}

/// Runs the link step for one entry function.
///
/// # Errors
/// [`LinkError::DanglingId`] when the module refers to ids it does not have
/// (a module that passed [`air_ir::verify()`] never does).
pub fn link_entry(m: &Module, entry: &EntryPoint) -> Result<Module> {
    link_reached(m, entry, reach(m, entry.function)?, Vec::new())
}

/// [`link_entry`] with the walk from the entry already done
/// ([`reached`] on the same module). Functions in `owned` are used as
/// given instead of being copied out of `m` (the entry-by-entry path hands
/// over bodies it would drop next, so a large entry is not held twice).
pub(crate) fn link_reached(
    m: &Module,
    entry: &EntryPoint,
    reached: Reach,
    mut owned: Vec<(FuncId, Function)>,
) -> Result<Module> {
    // Function order: the entry, then the rest in reverse order of first use.
    let mut fn_order = vec![entry.function];
    fn_order.extend(reached.functions[1..].iter().rev());
    // Globals keep their input order.
    let mut global_order = reached.globals.clone();
    global_order.sort();

    let mut c = Copier {
        src: m,
        dst: Module {
            source_filename: Some(m.function(entry.function).name.clone()),
            datalayout: m.datalayout.clone(),
            triple: m.triple.clone(),
            module_asm: m.module_asm.clone(),
            types: m.types.clone(),
            consts: ConstTable::default(),
            globals: Vec::new(),
            functions: Vec::new(),
            metadata: Vec::new(),
            named_metadata: Vec::new(),
        },
        funcs: fn_order
            .iter()
            .enumerate()
            .map(|(i, f)| (*f, FuncId(i as u32)))
            .collect(),
        globals: global_order
            .iter()
            .enumerate()
            .map(|(i, g)| (*g, GlobalId(i as u32)))
            .collect(),
        consts: ConstMap::new(m.consts.len()),
        const_stack: Vec::new(),
        const_children: Vec::new(),
        metas: HashMap::default(),
        md_order: Vec::new(),
        md_stack: Vec::new(),
    };

    for &g in &global_order {
        let mut global = m.globals[g.0 as usize].clone();
        global.initializer = global.initializer.map(|i| c.constant(i)).transpose()?;
        global.attachments = c.attachments(&global.attachments)?;
        c.dst.globals.push(global);
    }
    for &f in &fn_order {
        let mut func = match owned.iter().position(|(g, _)| *g == f) {
            Some(i) => owned.swap_remove(i).1,
            None => m.function(f).clone(),
        };
        func.attachments = c.attachments(&func.attachments)?;
        for inst in &mut func.insts {
            let mut err = None;
            inst.kind.for_each_operand_mut(|v| match c.value(*v) {
                Ok(n) => *v = n,
                Err(e) => err = Some(e),
            });
            inst.kind
                .for_each_type_and_const_mut(&mut |_| {}, &mut |k| match c.constant(*k) {
                    Ok(n) => *k = n,
                    Err(e) => err = Some(e),
                });
            if let Some(e) = err {
                return Err(e);
            }
            if !inst.attachments.is_empty() {
                inst.attachments = c.attachments(&inst.attachments)?.into();
            }
        }
        c.dst.functions.push(func);
    }

    // Named metadata: Apple's fixed order first, then the rest as they came.
    let own_list = entry.kind.list_name();
    let mut names: Vec<&str> = NAMED_ORDER
        .iter()
        .map(|n| n.unwrap_or(own_list))
        .filter(|n| m.named(n).is_some())
        .collect();
    for named in &m.named_metadata {
        let is_entry_list = EntryKind::from_list_name(&named.name).is_some();
        if !names.contains(&named.name.as_str()) && !is_entry_list && named.name != DROPPED_NAMED {
            names.push(&named.name);
        }
    }
    for name in names {
        let Some(src) = m.named(name) else { continue };
        let listed: Vec<MetaId> = if name == own_list {
            vec![entry.node]
        } else {
            src.operands
                .iter()
                .copied()
                .filter(|n| !c.names_dropped_value(*n))
                .collect()
        };
        if listed.is_empty() && !src.operands.is_empty() {
            // Every node named something this entry does not use.
            continue;
        }
        let mut operands = Vec::with_capacity(listed.len());
        for node in listed {
            if let Some(n) = c.metadata(node)? {
                operands.push(n);
            }
        }
        c.dst.named_metadata.push(NamedMetadata {
            name: name.to_string(),
            operands,
        });
    }
    Ok(c.dst)
}
