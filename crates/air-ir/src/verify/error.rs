//! What a verification failure says: where ([`Location`]), what rule
//! ([`VerifyErrorKind`]) and a message for people.

use std::fmt;

use crate::metadata::MetaId;

/// Where a verification error was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The module as a whole.
    Module,
    /// A type of the type table, rendered as LLVM text.
    Type(String),
    /// A global variable, by name.
    Global(String),
    /// A function (its signature, attributes or declaration), by name.
    Function(String),
    /// A basic block.
    Block {
        /// Function name.
        function: String,
        /// `%name`, or `#N` (layout index) for an unnamed block.
        block: String,
    },
    /// One instruction.
    Instruction {
        /// Function name.
        function: String,
        /// `%name`, or `#N` (layout index) for an unnamed block.
        block: String,
        /// 0-based index of the instruction within its block.
        index: usize,
        /// The opcode mnemonic, as a hint.
        opcode: &'static str,
    },
    /// A named metadata list, and which of its operands if known.
    NamedMetadata {
        /// The name without `!`.
        name: String,
        /// 0-based operand index.
        operand: Option<usize>,
    },
    /// A metadata item of the arena (arena id, not the printed `!N`).
    Metadata(MetaId),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Module => write!(f, "module"),
            Location::Type(t) => write!(f, "type {t}"),
            Location::Global(g) => write!(f, "global @{g}"),
            Location::Function(func) => write!(f, "in function @{func}"),
            Location::Block { function, block } => {
                write!(f, "in function @{function}, block {block}")
            }
            Location::Instruction {
                function,
                block,
                index,
                opcode,
            } => write!(
                f,
                "in function @{function}, block {block}, instruction {index} ({opcode})"
            ),
            Location::NamedMetadata { name, operand } => match operand {
                Some(i) => write!(f, "metadata !{name} operand {i}"),
                None => write!(f, "metadata !{name}"),
            },
            Location::Metadata(id) => write!(f, "metadata node #{}", id.0),
        }
    }
}

/// A verification failure: where, which rule, and what is wrong. Only
/// the location and the message are displayed; the kind is for code that
/// must tell failures apart.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct VerifyError {
    /// Where the problem is.
    pub location: Location,
    /// Which rule is broken.
    pub kind: VerifyErrorKind,
    /// What is wrong (lowercase, types as LLVM text). Boxed: with the kind
    /// added, this keeps the error as small as it was (96 bytes), so the
    /// error enums that carry it by value did not grow.
    pub message: Box<str>,
}

/// What rule a [`VerifyError`] reports as broken, so that callers and tests
/// can tell failures apart without reading the message (whose wording may
/// change). Each kind groups the checks of one rule family; the message
/// says which check failed and with what.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VerifyErrorKind {
    // ----- references into the module's arenas -----
    /// A type id that names no type of the table.
    UndefinedType,
    /// An operand that names no value: a missing instruction, argument,
    /// constant, global or function, or an instruction placed in no block.
    UndefinedValue,
    /// A branch or phi entry that names a block the function does not have.
    UndefinedBlock,
    /// A metadata id that names no metadata item.
    UndefinedMetadata,

    // ----- types -----
    /// A type of the table is malformed: an integer width out of range, a
    /// pointer to `void`, a vector of zero lanes, an element, field, return
    /// or parameter type that is not allowed there.
    MalformedType,
    /// A type contains itself (through its components, or a struct by value).
    RecursiveType,
    /// A well-formed type where the rule does not allow it: an operand of
    /// the wrong kind (`add` of floats, a non-pointer address, a non-`i1`
    /// condition), a function type that is not one, a `void` global.
    TypeNotAllowed,
    /// A type that must be sized is not (alloca, load, store, GEP source).
    UnsizedType,
    /// Two types that must agree do not: operands of one operation, a
    /// result and what it is computed from, an argument and its parameter,
    /// a returned value and the return type, an initializer and its global.
    TypeMismatch,

    // ----- constants -----
    /// A constant's value does not fit its type, or its kind needs another
    /// type (a `null` that is not a pointer, an array of the wrong length).
    BadConstant,
    /// A constant contains itself.
    RecursiveConstant,
    /// A type, constant or metadata node nests deeper than the limits of
    /// [`crate::limits`].
    NestingTooDeep,
    /// A `shufflevector` mask that is not a constant `<N x i32>` vector of
    /// lanes in range.
    BadShuffleMask,

    // ----- symbols and module-level properties -----
    /// A name or section that must not be empty is.
    EmptyName,
    /// Two globals or functions, or two named metadata lists, share a name.
    DuplicateName,
    /// Linkage or visibility not allowed for the symbol (a declaration that
    /// is not external, common linkage with an initializer that is not
    /// zero, an internal symbol with hidden visibility, ...).
    BadLinkage,
    /// An alignment that is not a power of two up to 2^32.
    BadAlignment,

    // ----- instructions -----
    /// An opcode that does not belong to the instruction form (a cast
    /// opcode in a binary operator).
    BadOpcode,
    /// Flags (`nuw`, `nsw`, `exact`, fast-math) the opcode or type does not
    /// allow, or unknown flag bits.
    BadFlags,
    /// A cast that cannot convert its source type to its destination type.
    InvalidCast,
    /// A GEP, `extractvalue` or `insertvalue` index that is out of range,
    /// not constant where it must be, or steps into something without
    /// elements.
    BadIndex,
    /// An atomic access, ordering or fence the rules forbid.
    BadAtomic,
    /// A `switch` case that is not an integer constant, or a duplicate case.
    BadSwitch,
    /// Something without a value is used, named or typed as one (a use of
    /// a `store`, a named `store`, a `br` of non-void type).
    NotAValue,

    // ----- function bodies -----
    /// Instructions not placed in exactly one block, once.
    BadPlacement,
    /// A block that is empty, does not end in a terminator, has one in the
    /// middle or phis after other instructions; an entry block with
    /// predecessors.
    BadBlockStructure,
    /// Phi entries that do not match the block's predecessors.
    BadPhi,
    /// A use its definition does not dominate.
    NotDominated,

    // ----- functions and calls -----
    /// A call's arguments or attribute sets, or a function's parameters,
    /// do not match the count of its function type.
    ArgumentCount,
    /// A declaration of a known intrinsic with a type the intrinsic table
    /// does not give it.
    BadIntrinsicSignature,
    /// A known intrinsic that is defined (has a body) instead of declared.
    IntrinsicHasBody,

    // ----- metadata -----
    /// Metadata of the wrong form where it is used: an attachment or named
    /// metadata operand that is not a node, a node holding a
    /// function-local value, metadata as an ordinary operand.
    BadMetadata,
    /// A broken AIR rule on `!air.kernel`: an entry that does not reference
    /// a defined kernel, an argument node whose index is out of range.
    BadAirMetadata,
    /// Debug info LLVM 14's verifier rejects (a location whose scope is not
    /// a local scope, a subprogram definition without a compile unit, a
    /// `llvm.dbg.value` whose variable is not a `DILocalVariable`, ...).
    BadDebugInfo,
}

#[cfg(test)]
mod tests {
    /// Parse, link and assemble errors carry a `VerifyError` by value; it
    /// must not grow past the 96 bytes it had before it gained a kind.
    #[test]
    fn verify_error_stays_small() {
        assert!(std::mem::size_of::<super::VerifyError>() <= 96);
    }
}
