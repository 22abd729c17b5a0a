//! LLVM's view of the module's metadata.
//!
//! LLVM uniques metadata: equal strings are one `MDString`, a constant used
//! as metadata is one `ConstantAsMetadata`, and two non-`distinct` tuples
//! with the same operands are one node. The model keeps what the text said,
//! so this module maps model metadata to canonical nodes first.

use std::collections::HashSet;

use air_ir::fxhash::HashMap;

use air_ir::debuginfo::{DiKind, Op};
use air_ir::{DiValue, MetaId, Metadata, Module, Value};

use super::consts::{CId, Canon};
use super::intern::Interner;
use crate::limits::MAX_WRITE_METADATA_DEPTH;
use crate::{EncodeError, Result};

/// Index of a canonical metadata item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct MdId(pub u32);

/// A function-local value used as metadata (`LocalAsMetadata`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum LocalValue {
    Arg(u32),
    Inst(u32),
}

/// A canonical metadata item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Md<'m> {
    /// Borrowed from the model (copying every string was a large share
    /// of preparing a small module's metadata).
    String(&'m [u8]),
    Const(CId),
    Local {
        function: u32,
        value: LocalValue,
    },
    Node {
        operands: Vec<Option<MdId>>,
        distinct: bool,
        /// Identity of a node that is not uniqued by content: `distinct`
        /// nodes, and uniqued nodes on a reference cycle.
        identity: Option<u32>,
    },
    /// A debug-info node: its fields (the model's, with canonical ids)
    /// and, derived from them, its operands in LLVM's storage order (what
    /// enumeration walks).
    Di {
        kind: DiKind,
        distinct: bool,
        fields: Vec<CVal>,
        operands: Vec<Option<MdId>>,
        identity: Option<u32>,
    },
}

/// A field of a canonical debug-info node ([`air_ir::DiValue`] with
/// canonical metadata ids).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CVal {
    Null,
    Md(MdId),
    Int(u64),
    Wide(u32, Vec<u64>),
    Ints(Vec<u64>),
    Mds(Vec<Option<MdId>>),
    Absent,
}

impl CVal {
    pub fn int(&self) -> u64 {
        match self {
            CVal::Int(v) => *v,
            _ => 0,
        }
    }

    pub fn md(&self) -> Option<MdId> {
        match self {
            CVal::Md(m) => Some(*m),
            _ => None,
        }
    }
}

/// The operands of a debug-info node of `kind` with `fields`, in LLVM's
/// storage order.
fn storage_operands(kind: DiKind, fields: &[CVal]) -> Vec<Option<MdId>> {
    let mut out = Vec::new();
    for op in kind.info().operands {
        match *op {
            Op::Field(i) => out.push(fields.get(i).and_then(CVal::md)),
            Op::List(i) => {
                if let Some(CVal::Mds(list)) = fields.get(i) {
                    out.extend(list.iter().copied());
                }
            }
        }
    }
    out
}

/// `DW_TAG_member`.
const DW_TAG_MEMBER: u64 = 0x0d;

/// Canonical metadata, built on demand from the model's arena.
#[derive(Debug, Default)]
pub(crate) struct MdTable<'m> {
    items: Interner<Md<'m>>,
    /// By model `MetaId` (dense: ids are arena indices).
    memo: Vec<Option<MdId>>,
    local_memo: HashMap<(MetaId, u32), MdId>,
    in_progress: Vec<MetaId>,
    /// Uniqued members and method declarations of ODR types (composite
    /// types with an identifier), by the fields LLVM compares them on
    /// (`MDNodeSubsetEqualImpl`): such a node equals an earlier one with
    /// the same scope and name even when other fields differ.
    odr: HashMap<(DiKind, [Option<MdId>; 3], u64), MdId>,
    /// For modules with debug info: the strongly connected component of
    /// each metadata item that lies on a cycle ([`NO_COMPONENT`] for the
    /// others).
    components: Option<Vec<u32>>,
}

/// No cycle component.
const NO_COMPONENT: u32 = u32::MAX;

/// Tarjan's strongly connected components of the metadata graph (node
/// operands as edges), iteratively: each item on a cycle (a component of
/// two or more, or a node that refers to itself) gets its component's
/// number, the rest [`NO_COMPONENT`].
fn cyclic_components(module: &Module) -> Vec<u32> {
    let n = module.metadata.len();
    let succ = |i: usize| -> Vec<usize> {
        let mut out = Vec::new();
        module.metadata[i].for_each_operand(|o| {
            if let Some(o) = o {
                if (o.0 as usize) < n {
                    out.push(o.0 as usize);
                }
            }
        });
        out
    };
    let mut index = vec![u32::MAX; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    let mut component = vec![NO_COMPONENT; n];
    let mut next_index = 0u32;
    let mut next_component = 0u32;
    for root in 0..n {
        if index[root] != u32::MAX {
            continue;
        }
        // (node, its successors, the next successor to visit).
        let mut work: Vec<(usize, Vec<usize>, usize)> = vec![(root, succ(root), 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some((v, succs, at)) = work.last_mut() {
            let v = *v;
            if let Some(&w) = succs.get(*at) {
                *at += 1;
                if index[w] == u32::MAX {
                    index[w] = next_index;
                    low[w] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, succ(w), 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _, _)) = work.last() {
                low[*parent] = low[*parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = members.len() > 1 || succ(v).contains(&v);
                if cyclic {
                    for w in members {
                        component[w] = next_component;
                    }
                    next_component += 1;
                }
            }
        }
    }
    component
}

impl<'m> MdTable<'m> {
    /// A table for `module`, sized for its metadata.
    pub fn new(module: &'m Module) -> Self {
        let n = module.metadata.len();
        // Debug info is a dense graph of nodes that refer to each other
        // through many paths, where the depth-bounded search of `reaches`
        // would take exponential time; its cycles are found once instead.
        let has_debug_info = module.metadata.iter().any(|m| matches!(m, Metadata::Di(_)));
        MdTable {
            items: Interner::with_capacity(n),
            memo: vec![None; n],
            components: has_debug_info.then(|| cyclic_components(module)),
            ..MdTable::default()
        }
    }

    /// Whether model node `id` lies on a cycle of nodes not canonicalised
    /// yet (what [`Self::reaches`] answers, in time linear in the size of
    /// `id`'s cycle component).
    fn on_cycle(&self, module: &Module, id: MetaId) -> bool {
        let Some(components) = &self.components else {
            return self.reaches(module, id);
        };
        let component = components
            .get(id.0 as usize)
            .copied()
            .unwrap_or(NO_COMPONENT);
        if component == NO_COMPONENT {
            return false;
        }
        // Paths back to `id` stay inside its component.
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        let mut ops = Vec::new();
        while let Some(n) = stack.pop() {
            ops.clear();
            if let Some(md) = module.metadata.get(n.0 as usize) {
                md.for_each_operand(|o| ops.push(o));
            }
            for o in ops.iter().flatten() {
                if *o == id {
                    return true;
                }
                if components.get(o.0 as usize) == Some(&component)
                    && self.memo(*o).is_none()
                    && seen.insert(*o)
                {
                    stack.push(*o);
                }
            }
        }
        false
    }

    pub fn get(&self, id: MdId) -> &Md<'m> {
        self.items.get(id.0)
    }

    /// How many canonical items there are (`MdId`s are below this).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    fn intern(&mut self, md: Md<'m>) -> MdId {
        MdId(self.items.intern(md))
    }

    fn memo(&self, id: MetaId) -> Option<MdId> {
        self.memo.get(id.0 as usize).copied().flatten()
    }

    fn set_memo(&mut self, id: MetaId, md: MdId) {
        let i = id.0 as usize;
        if i >= self.memo.len() {
            self.memo.resize(i + 1, None);
        }
        self.memo[i] = Some(md);
    }

    pub fn is_node(&self, id: MdId) -> bool {
        matches!(self.get(id), Md::Node { .. } | Md::Di { .. })
    }

    pub fn is_distinct(&self, id: MdId) -> bool {
        matches!(
            self.get(id),
            Md::Node { distinct: true, .. } | Md::Di { distinct: true, .. }
        )
    }

    /// Operands of a node (empty for other items).
    pub fn operands(&self, id: MdId) -> &[Option<MdId>] {
        match self.get(id) {
            Md::Node { operands, .. } | Md::Di { operands, .. } => operands,
            _ => &[],
        }
    }

    /// The canonical item for model metadata `id`. `function` is the
    /// function whose instructions use it (needed for function-local values).
    pub fn of(
        &mut self,
        module: &'m Module,
        canon: &mut Canon<'_>,
        id: MetaId,
        function: Option<u32>,
    ) -> Result<MdId> {
        self.of_depth(module, canon, id, function, 0)
    }

    fn of_depth(
        &mut self,
        module: &'m Module,
        canon: &mut Canon<'_>,
        id: MetaId,
        function: Option<u32>,
        depth: u32,
    ) -> Result<MdId> {
        if let Some(m) = self.memo(id) {
            return Ok(m);
        }
        if let Some(f) = function {
            if let Some(m) = self.local_memo.get(&(id, f)) {
                return Ok(*m);
            }
        }
        if depth > MAX_WRITE_METADATA_DEPTH {
            return Err(EncodeError::invalid(
                format!("metadata !{}", id.0),
                "metadata nesting too deep",
            ));
        }
        let item = module
            .metadata
            .get(id.0 as usize)
            .ok_or_else(|| EncodeError::bad_id("metadata", id.0, "metadata reference"))?;
        let out = match item {
            Metadata::Di(node) => {
                if node.kind == DiKind::ArgList {
                    // Function-local, like the values it lists.
                    let Some(f) = function else {
                        return Err(EncodeError::invalid(
                            format!("metadata item {}", id.0),
                            "a DIArgList is used outside a function",
                        ));
                    };
                    let mut fields = Vec::with_capacity(1);
                    for v in &node.fields {
                        fields.push(self.field(module, canon, v, Some(f), depth)?);
                    }
                    let m = self.intern(Md::Di {
                        kind: node.kind,
                        distinct: false,
                        fields,
                        operands: Vec::new(),
                        identity: None,
                    });
                    self.local_memo.insert((id, f), m);
                    return Ok(m);
                }
                if self.in_progress.contains(&id) {
                    return Err(EncodeError::invalid(
                        format!("metadata item {}", id.0),
                        "internal: cycle reached before placeholder",
                    ));
                }
                let on_cycle = node.distinct || self.on_cycle(module, id);
                if on_cycle {
                    let placeholder = MdId(self.items.push_unique(Md::Di {
                        kind: node.kind,
                        distinct: node.distinct,
                        fields: Vec::new(),
                        operands: Vec::new(),
                        identity: Some(id.0),
                    }));
                    self.set_memo(id, placeholder);
                    let mut fields = Vec::with_capacity(node.fields.len());
                    for v in &node.fields {
                        fields.push(self.field(module, canon, v, None, depth)?);
                    }
                    let operands = storage_operands(node.kind, &fields);
                    let full = Md::Di {
                        kind: node.kind,
                        distinct: node.distinct,
                        fields,
                        operands,
                        identity: Some(id.0),
                    };
                    self.items.replace_unique(placeholder.0, full);
                    return Ok(placeholder);
                }
                self.in_progress.push(id);
                let mut fields = Vec::with_capacity(node.fields.len());
                for v in &node.fields {
                    match self.field(module, canon, v, function, depth) {
                        Ok(f) => fields.push(f),
                        Err(e) => {
                            self.in_progress.pop();
                            return Err(e);
                        }
                    }
                }
                self.in_progress.pop();
                let odr = self.odr_key(node.kind, &fields);
                if let Some(m) = odr.and_then(|k| self.odr.get(&k).copied()) {
                    m
                } else {
                    let operands = storage_operands(node.kind, &fields);
                    let m = self.intern(Md::Di {
                        kind: node.kind,
                        distinct: false,
                        fields,
                        operands,
                        identity: None,
                    });
                    if let Some(k) = odr {
                        self.odr.insert(k, m);
                    }
                    m
                }
            }
            Metadata::String(bytes) => self.intern(Md::String(bytes)),
            Metadata::Value { value, .. } => match value {
                Value::Const(c) => {
                    let c = canon.of(*c)?;
                    self.intern(Md::Const(c))
                }
                Value::Arg(_) | Value::Inst(_) => {
                    let Some(f) = function else {
                        return Err(EncodeError::invalid(
                            format!("metadata item {}", id.0),
                            "a function-local value is used as metadata outside a function",
                        ));
                    };
                    let local = if let Value::Inst(i) = value {
                        LocalValue::Inst(i.0)
                    } else if let Value::Arg(a) = value {
                        LocalValue::Arg(*a)
                    } else {
                        return Err(EncodeError::invalid(
                            format!("metadata item {}", id.0),
                            "not a local value",
                        ));
                    };
                    let m = self.intern(Md::Local {
                        function: f,
                        value: local,
                    });
                    self.local_memo.insert((id, f), m);
                    return Ok(m);
                }
                Value::Metadata(inner) => {
                    return self.of_depth(module, canon, *inner, function, depth + 1)
                }
            },
            Metadata::Node { operands, distinct } => {
                if self.in_progress.contains(&id) {
                    return Err(EncodeError::invalid(
                        format!("metadata item {}", id.0),
                        "internal: cycle reached before placeholder",
                    ));
                }
                // Nodes on a cycle cannot be uniqued by content; give them an
                // identity first so the cycle can refer to them.
                let on_cycle = *distinct || self.on_cycle(module, id);
                if on_cycle {
                    // A node with an identity equals no other node (the
                    // memo maps its model id to it), so it is added
                    // without a lookup and its contents filled in later.
                    let placeholder = MdId(self.items.push_unique(Md::Node {
                        operands: Vec::new(),
                        distinct: *distinct,
                        identity: Some(id.0),
                    }));
                    self.set_memo(id, placeholder);
                    let mut ops = Vec::with_capacity(operands.len());
                    for o in operands {
                        ops.push(match o {
                            Some(o) => Some(self.of_depth(module, canon, *o, None, depth + 1)?),
                            None => None,
                        });
                    }
                    // Replace the placeholder's contents in place; its id is
                    // what every reference already holds.
                    let full = Md::Node {
                        operands: ops,
                        distinct: *distinct,
                        identity: Some(id.0),
                    };
                    self.items.replace_unique(placeholder.0, full);
                    return Ok(placeholder);
                }
                self.in_progress.push(id);
                let mut ops = Vec::with_capacity(operands.len());
                for o in operands {
                    ops.push(match o {
                        Some(o) => Some(self.of_depth(module, canon, *o, function, depth + 1)?),
                        None => None,
                    });
                }
                self.in_progress.pop();
                self.intern(Md::Node {
                    operands: ops,
                    distinct: false,
                    identity: None,
                })
            }
        };
        if !matches!(self.get(out), Md::Local { .. }) {
            self.set_memo(id, out);
        }
        Ok(out)
    }

    /// The canonical form of one field of a debug-info node.
    fn field(
        &mut self,
        module: &'m Module,
        canon: &mut Canon<'_>,
        v: &DiValue,
        function: Option<u32>,
        depth: u32,
    ) -> Result<CVal> {
        Ok(match v {
            DiValue::Null => CVal::Null,
            DiValue::Absent => CVal::Absent,
            DiValue::Int(n) => CVal::Int(*n),
            DiValue::Wide { width, words } => CVal::Wide(*width, words.clone()),
            DiValue::Ints(list) => CVal::Ints(list.clone()),
            DiValue::Md(m) => CVal::Md(self.of_depth(module, canon, *m, function, depth + 1)?),
            DiValue::Mds(list) => {
                let mut out = Vec::with_capacity(list.len());
                for m in list {
                    out.push(match m {
                        Some(m) => Some(self.of_depth(module, canon, *m, function, depth + 1)?),
                        None => None,
                    });
                }
                CVal::Mds(out)
            }
        })
    }

    /// The key under which LLVM 14 uniques a node by a subset of its
    /// fields: a `DW_TAG_member` with a name in an ODR type, and a method
    /// declaration with a linkage name in an ODR type.
    fn odr_key(&self, kind: DiKind, fields: &[CVal]) -> Option<(DiKind, [Option<MdId>; 3], u64)> {
        let f = |name: &str| kind.field_index(name).and_then(|i| fields.get(i));
        let scope = f("scope")?.md()?;
        let odr_scope = match self.get(scope) {
            Md::Di {
                kind: DiKind::CompositeType,
                fields: sf,
                ..
            } => DiKind::CompositeType
                .field_index("identifier")
                .and_then(|i| sf.get(i))
                .and_then(CVal::md)
                .is_some(),
            _ => false,
        };
        if !odr_scope {
            return None;
        }
        match kind {
            DiKind::DerivedType => {
                let tag = f("tag")?.int();
                let name = f("name")?.md()?;
                (tag == DW_TAG_MEMBER).then_some((kind, [Some(scope), Some(name), None], tag))
            }
            DiKind::Subprogram => {
                let sp = f("spFlags")?.int();
                if sp & air_ir::debuginfo::SP_FLAG_DEFINITION != 0 {
                    return None;
                }
                let linkage = f("linkageName")?.md()?;
                let templates = f("templateParams")?.md();
                Some((kind, [Some(scope), Some(linkage), templates], 0))
            }
            _ => None,
        }
    }

    /// Whether model node `target` reaches itself through node operands
    /// that are not canonical yet (a placeholder ends a path: a cycle through
    /// it is handled there).
    ///
    /// A walk with its own stack that visits each node once: the earlier
    /// depth-bounded recursion followed every path, exponential in the
    /// depth of a DAG (40 lines of `!N = !{!N+1, !N+1}` never finished),
    /// and missed cycles longer than its bound, which then failed as an
    /// internal error. A node is walked only by the nodes above it on the
    /// canonicalisation's path, so all calls together cost at most the
    /// metadata depth (bounded by the verifier) times the metadata.
    fn reaches(&self, module: &Module, target: MetaId) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![target];
        let mut ops = Vec::new();
        while let Some(from) = stack.pop() {
            ops.clear();
            match module.metadata.get(from.0 as usize) {
                Some(Metadata::Node { operands, .. }) => ops.extend(operands.iter().copied()),
                Some(md @ Metadata::Di(_)) => md.for_each_operand(|o| ops.push(o)),
                _ => continue,
            }
            for o in ops.iter().flatten() {
                if *o == target {
                    return true;
                }
                if self.memo(*o).is_none() && seen.insert(*o) {
                    stack.push(*o);
                }
            }
        }
        false
    }
}
