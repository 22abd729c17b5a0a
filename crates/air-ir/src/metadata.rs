//! Metadata: strings, values as metadata, and (possibly `distinct`) tuples.
//!
//! All metadata of a module lives in one arena and is referred to by
//! [`MetaId`]. Text numbers (`!7`) are a printing detail: the printer numbers
//! nodes in the order LLVM 14's writer reaches them, so ids and text numbers
//! need not agree.

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
}

/// A named metadata list: `!name = !{!0, !1}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NamedMetadata {
    /// The name without `!`.
    pub name: String,
    /// The nodes listed.
    pub operands: Vec<MetaId>,
}
