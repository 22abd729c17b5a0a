//! `DIExpression` operations: how many arguments each takes, LLVM 14's
//! validity rule (`DIExpression::isValid`, which its verifier applies and
//! which decides whether `llvm-dis-14` prints names or raw numbers), and
//! the constant forms other fields abbreviate.

use super::keywords::OPERATIONS;

const DW_OP_LIT0: u64 = 0x30;
const DW_OP_REG0: u64 = 0x50;
const DW_OP_REG31: u64 = 0x6f;
const DW_OP_BREG0: u64 = 0x70;
const DW_OP_BREG31: u64 = 0x8f;
const DW_OP_CONSTU: u64 = 0x10;
const DW_OP_CONSTS: u64 = 0x11;
const DW_OP_DUP: u64 = 0x12;
const DW_OP_OVER: u64 = 0x14;
const DW_OP_SWAP: u64 = 0x16;
const DW_OP_XDEREF: u64 = 0x18;
const DW_OP_AND: u64 = 0x1a;
const DW_OP_DIV: u64 = 0x1b;
const DW_OP_MINUS: u64 = 0x1c;
const DW_OP_MOD: u64 = 0x1d;
const DW_OP_MUL: u64 = 0x1e;
const DW_OP_NOT: u64 = 0x20;
const DW_OP_OR: u64 = 0x21;
const DW_OP_PLUS: u64 = 0x22;
const DW_OP_PLUS_UCONST: u64 = 0x23;
const DW_OP_SHL: u64 = 0x24;
const DW_OP_SHR: u64 = 0x25;
const DW_OP_SHRA: u64 = 0x26;
const DW_OP_XOR: u64 = 0x27;
const DW_OP_DEREF: u64 = 0x06;
const DW_OP_DEREF_SIZE: u64 = 0x94;
const DW_OP_REGX: u64 = 0x90;
const DW_OP_BREGX: u64 = 0x92;
const DW_OP_PUSH_OBJECT_ADDRESS: u64 = 0x97;
const DW_OP_STACK_VALUE: u64 = 0x9f;
/// `DW_OP_LLVM_fragment`.
pub const DW_OP_LLVM_FRAGMENT: u64 = 0x1000;
/// `DW_OP_LLVM_convert`.
pub const DW_OP_LLVM_CONVERT: u64 = 0x1001;
const DW_OP_LLVM_TAG_OFFSET: u64 = 0x1002;
const DW_OP_LLVM_ENTRY_VALUE: u64 = 0x1003;
const DW_OP_LLVM_IMPLICIT_POINTER: u64 = 0x1004;
/// `DW_OP_LLVM_arg`.
pub const DW_OP_LLVM_ARG: u64 = 0x1005;

/// How many elements an operation takes, itself included
/// (`ExprOperand::getSize`).
fn op_size(op: u64) -> usize {
    match op {
        DW_OP_BREG0..=DW_OP_BREG31 => 2,
        DW_OP_LLVM_CONVERT | DW_OP_LLVM_FRAGMENT | DW_OP_BREGX => 3,
        DW_OP_CONSTU
        | DW_OP_CONSTS
        | DW_OP_DEREF_SIZE
        | DW_OP_PLUS_UCONST
        | DW_OP_LLVM_TAG_OFFSET
        | DW_OP_LLVM_ENTRY_VALUE
        | DW_OP_LLVM_ARG
        | DW_OP_REGX => 2,
        _ => 1,
    }
}

/// One operation of an expression: its code and arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExprOp<'a> {
    /// The operation (`DW_OP_*`).
    pub op: u64,
    /// Its arguments (fewer than the operation takes when the expression
    /// ends early).
    pub args: &'a [u64],
}

impl ExprOp<'_> {
    /// The operation's name, if LLVM 14 has one.
    pub fn name(&self) -> Option<&'static str> {
        OPERATIONS.name(self.op)
    }
}

/// The operations of an expression, in order.
#[derive(Clone, Debug)]
pub struct ExprOps<'a> {
    rest: &'a [u64],
}

impl<'a> ExprOps<'a> {
    /// The operations of `elements`.
    pub fn new(elements: &'a [u64]) -> Self {
        ExprOps { rest: elements }
    }
}

impl<'a> Iterator for ExprOps<'a> {
    type Item = ExprOp<'a>;

    fn next(&mut self) -> Option<ExprOp<'a>> {
        let (&op, tail) = self.rest.split_first()?;
        let n = (op_size(op) - 1).min(tail.len());
        let (args, rest) = tail.split_at(n);
        self.rest = rest;
        Some(ExprOp { op, args })
    }
}

/// Whether LLVM 14 considers `elements` a valid expression
/// (`DIExpression::isValid`): every operation is one LLVM handles and has
/// its arguments, `DW_OP_LLVM_fragment` comes last, `DW_OP_stack_value`
/// only before a fragment or at the end, `DW_OP_swap` never alone, and
/// `DW_OP_LLVM_entry_value 1` only first. Like LLVM, a register operation
/// (`DW_OP_reg*`, `DW_OP_breg*`) ends the check as valid.
pub fn expression_is_valid(elements: &[u64]) -> bool {
    let mut at = 0;
    while at < elements.len() {
        let op = elements[at];
        let size = op_size(op);
        if at + size > elements.len() {
            return false;
        }
        if (DW_OP_REG0..=DW_OP_REG31).contains(&op) || (DW_OP_BREG0..=DW_OP_BREG31).contains(&op) {
            return true;
        }
        match op {
            DW_OP_LLVM_FRAGMENT => return at + size == elements.len(),
            DW_OP_STACK_VALUE => {
                let next = at + size;
                if next != elements.len() && elements[next] != DW_OP_LLVM_FRAGMENT {
                    return false;
                }
            }
            DW_OP_SWAP => {
                if elements.len() == 1 {
                    return false;
                }
            }
            DW_OP_LLVM_ENTRY_VALUE => return at == 0 && elements[at + 1] == 1,
            DW_OP_LLVM_IMPLICIT_POINTER
            | DW_OP_LLVM_CONVERT
            | DW_OP_LLVM_ARG
            | DW_OP_LLVM_TAG_OFFSET
            | DW_OP_CONSTU
            | DW_OP_PLUS_UCONST
            | DW_OP_PLUS
            | DW_OP_MINUS
            | DW_OP_MUL
            | DW_OP_DIV
            | DW_OP_MOD
            | DW_OP_OR
            | DW_OP_AND
            | DW_OP_XOR
            | DW_OP_SHL
            | DW_OP_SHR
            | DW_OP_SHRA
            | DW_OP_DEREF
            | DW_OP_DEREF_SIZE
            | DW_OP_XDEREF
            | DW_OP_LIT0
            | DW_OP_NOT
            | DW_OP_DUP
            | DW_OP_REGX
            | DW_OP_BREGX
            | DW_OP_PUSH_OBJECT_ADDRESS
            | DW_OP_OVER
            | DW_OP_CONSTS => {}
            _ => return false,
        }
        at += size;
    }
    true
}

/// The signed constant an expression is (`DIExpression::isConstant` giving
/// a signed constant): `DW_OP_consts N`, optionally followed by
/// `DW_OP_stack_value` and then optionally a fragment.
pub fn signed_constant(e: &[u64]) -> Option<i64> {
    if !matches!(e.len(), 2 | 3 | 6) || (e[0] != DW_OP_CONSTS && e[0] != DW_OP_CONSTU) {
        return None;
    }
    if e.len() == 2 && e[0] == DW_OP_CONSTS {
        return Some(e[1] as i64);
    }
    if (e.len() == 3 && e[2] != DW_OP_STACK_VALUE)
        || (e.len() == 6 && (e[2] != DW_OP_STACK_VALUE || e[3] != DW_OP_LLVM_FRAGMENT))
    {
        return None;
    }
    (e[0] == DW_OP_CONSTS).then_some(e[1] as i64)
}

/// `DW_OP_consts N`: the expression an integer in a `DIGenericSubrange`
/// field stands for.
pub fn consts(value: i64) -> Vec<u64> {
    vec![DW_OP_CONSTS, value as u64]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_take_their_arguments() {
        let e = [
            DW_OP_PLUS_UCONST,
            4,
            DW_OP_STACK_VALUE,
            DW_OP_LLVM_FRAGMENT,
            0,
            32,
        ];
        let ops: Vec<_> = ExprOps::new(&e).map(|o| (o.op, o.args.len())).collect();
        assert_eq!(
            ops,
            [
                (DW_OP_PLUS_UCONST, 1),
                (DW_OP_STACK_VALUE, 0),
                (DW_OP_LLVM_FRAGMENT, 2)
            ]
        );
        assert!(expression_is_valid(&e));
    }

    #[test]
    fn validity_follows_llvm_14() {
        // Checked with llvm-dis-14: invalid expressions print as numbers.
        assert!(!expression_is_valid(&[DW_OP_STACK_VALUE, DW_OP_DEREF]));
        assert!(!expression_is_valid(&[1234, 5]));
        assert!(!expression_is_valid(&[DW_OP_SWAP]));
        assert!(expression_is_valid(&[DW_OP_SWAP, DW_OP_SWAP]));
        assert!(!expression_is_valid(&[DW_OP_PLUS_UCONST]));
        assert!(expression_is_valid(&[
            DW_OP_LLVM_ENTRY_VALUE,
            1,
            DW_OP_REG0 + 3
        ]));
        assert!(!expression_is_valid(&[
            DW_OP_DEREF,
            DW_OP_LLVM_ENTRY_VALUE,
            1
        ]));
        // A register ends the check (LLVM's early `return true`).
        assert!(expression_is_valid(&[DW_OP_BREG0 + 3, 7, 99999]));
        assert!(expression_is_valid(&[]));
    }

    #[test]
    fn signed_constants() {
        assert_eq!(signed_constant(&[DW_OP_CONSTS, 5]), Some(5));
        assert_eq!(
            signed_constant(&[DW_OP_CONSTS, 5, DW_OP_STACK_VALUE]),
            Some(5)
        );
        assert_eq!(signed_constant(&[DW_OP_CONSTU, 5]), None);
        assert_eq!(signed_constant(&[DW_OP_CONSTS, u64::MAX]), Some(-1));
    }
}
