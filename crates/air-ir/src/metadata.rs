//! Metadata: strings, values as metadata, (possibly `distinct`) tuples and
//! debug-info nodes ([`crate::debuginfo`]).
//!
//! All metadata of a module lives in one arena and is referred to by
//! [`MetaId`]. Text numbers (`!7`) are a printing detail: the printer numbers
//! nodes in the order LLVM 14's writer reaches them, so ids and text numbers
//! need not agree.

use crate::debuginfo::DiNode;
use crate::inst::Value;
use crate::types::TypeId;

/// Index of a metadata item in the module's metadata arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetaId(pub u32);

/// One metadata item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Metadata {
    /// `!"text"` (arbitrary bytes).
    String(Vec<u8>),
    /// A value used as metadata: `i32 1`, `void ()* @f`. At module level the
    /// value is a [`Value::Const`]; function-local metadata may name
    /// arguments and instructions.
    Value {
        /// The value's type.
        ty: TypeId,
        /// The value.
        value: Value,
    },
    /// A tuple `!{...}`; `None` operands are `null`.
    Node {
        /// Operands.
        operands: Vec<Option<MetaId>>,
        /// Whether it is `distinct`.
        distinct: bool,
    },
    /// A specialised debug-info node `!DIFoo(...)`.
    Di(DiNode),
}

impl Metadata {
    /// Whether this is a node (a tuple or a debug-info node), as opposed
    /// to a string or a value.
    pub fn is_node(&self) -> bool {
        matches!(self, Metadata::Node { .. } | Metadata::Di(_))
    }

    /// Whether this is a `distinct` node.
    pub fn is_distinct(&self) -> bool {
        match self {
            Metadata::Node { distinct, .. } => *distinct,
            Metadata::Di(n) => n.distinct,
            _ => false,
        }
    }

    /// The debug-info node, if this is one.
    pub fn di(&self) -> Option<&DiNode> {
        match self {
            Metadata::Di(n) => Some(n),
            _ => None,
        }
    }

    /// Calls `f` with each operand of a node in LLVM's operand order
    /// (`None` for `null`); strings and values have none.
    pub fn for_each_operand(&self, mut f: impl FnMut(Option<MetaId>)) {
        match self {
            Metadata::Node { operands, .. } => operands.iter().for_each(|o| f(*o)),
            Metadata::Di(n) => n.for_each_operand(f),
            Metadata::String(_) | Metadata::Value { .. } => {}
        }
    }
}

/// A named metadata list: `!name = !{!0, !1}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamedMetadata {
    /// The name without `!`.
    pub name: String,
    /// The nodes listed.
    pub operands: Vec<MetaId>,
}
