//! LLVM's view of the module's metadata.
//!
//! LLVM uniques metadata: equal strings are one `MDString`, a constant used
//! as metadata is one `ConstantAsMetadata`, and two non-`distinct` tuples
//! with the same operands are one node. The model keeps what the text said,
//! so this module maps model metadata to canonical nodes first.

use air_ir::fxhash::HashMap;

use air_ir::{MetaId, Metadata, Module, Value};

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
}

/// Canonical metadata, built on demand from the model's arena.
#[derive(Debug, Default)]
pub(crate) struct MdTable<'m> {
    items: Interner<Md<'m>>,
    /// By model `MetaId` (dense: ids are arena indices).
    memo: Vec<Option<MdId>>,
    local_memo: HashMap<(MetaId, u32), MdId>,
    in_progress: Vec<MetaId>,
}

impl<'m> MdTable<'m> {
    /// A table for `module`, sized for its metadata.
    pub fn new(module: &'m Module) -> Self {
        let n = module.metadata.len();
        MdTable {
            items: Interner::with_capacity(n),
            memo: vec![None; n],
            ..MdTable::default()
        }
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
        matches!(self.get(id), Md::Node { .. })
    }

    pub fn is_distinct(&self, id: MdId) -> bool {
        matches!(self.get(id), Md::Node { distinct: true, .. })
    }

    /// Operands of a node (empty for other items).
    pub fn operands(&self, id: MdId) -> &[Option<MdId>] {
        match self.get(id) {
            Md::Node { operands, .. } => operands,
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
                let on_cycle = *distinct || self.reaches(module, id);
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
        let mut seen: HashMap<MetaId, ()> = HashMap::default();
        let mut stack = vec![target];
        while let Some(from) = stack.pop() {
            let Some(Metadata::Node { operands, .. }) = module.metadata.get(from.0 as usize) else {
                continue;
            };
            for o in operands.iter().flatten() {
                if *o == target {
                    return true;
                }
                if self.memo(*o).is_none() && seen.insert(*o, ()).is_none() {
                    stack.push(*o);
                }
            }
        }
        false
    }
}
