//! The small integer expressions of a spec: offsets and indices such as
//! `tg_idx * 32` or `(tid / 32) * 32 + lane`.
//!
//! Grammar (whitespace is free between tokens):
//!
//! ```text
//! expr    := term (("+" | "-") term)*
//! term    := unary (("*" | "/" | "%") unary)*
//! unary   := "-" unary | atom
//! atom    := INTEGER | NAME | "(" expr ")" | ("min" | "max") "(" expr "," expr ")"
//! cond    := expr ("<" | "<=" | ">" | ">=" | "==" | "!=") expr
//! NAME    := [A-Za-z_][A-Za-z0-9_]*
//! INTEGER := [0-9]+            (fits in i64)
//! ```
//!
//! Names are system values, scalar arguments, `[constants]`, `let` values
//! and loop variables. Everything is evaluated in i64 with C semantics: `/`
//! truncates toward zero and `%` takes the sign of the dividend. Constant
//! subexpressions are folded at generation time (overflow and division by
//! zero are spec errors); the rest becomes `add`/`sub`/`mul`/`sdiv`/`srem`
//! (and `icmp` + `select` for `min`/`max`) on i64 in the kernel.
//!
//! Call arguments and stores also accept an element reference
//! `NAME "[" expr "]"`, and a buffer of a multi-buffer region is named
//! `NAME "@" slot` (see [`Operand`] and [`parse_region_ref`]).
//!
//! An expression is at most [`MAX_EXPR_BYTES`] bytes and nests at most
//! [`MAX_EXPR_DEPTH`] deep, both checked before or while parsing, so every
//! later recursion over the tree (evaluation, printing, code generation) is
//! bounded too.

use std::fmt;

pub use crate::limits::{MAX_EXPR_BYTES, MAX_EXPR_DEPTH};

/// A parse error: byte offset into the expression text and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExprError {
    /// Byte offset in the expression text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/` (truncating).
    Div,
    /// `%` (sign of the dividend).
    Rem,
    /// `min(a, b)`.
    Min,
    /// `max(a, b)`.
    Max,
}

impl BinOp {
    fn symbol(self) -> char {
        match self {
            BinOp::Add => '+',
            BinOp::Sub => '-',
            BinOp::Mul => '*',
            BinOp::Div => '/',
            BinOp::Rem => '%',
            BinOp::Min | BinOp::Max => ',',
        }
    }

    /// Applies the operator with checked i64 arithmetic.
    ///
    /// # Errors
    /// A message on overflow or division by zero.
    pub fn apply(self, a: i64, b: i64) -> Result<i64, String> {
        let r = match self {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div | BinOp::Rem if b == 0 => return Err("division by zero".to_string()),
            BinOp::Div => a.checked_div(b),
            BinOp::Rem => a.checked_rem(b),
            BinOp::Min => Some(a.min(b)),
            BinOp::Max => Some(a.max(b)),
        };
        r.ok_or_else(|| format!("`{a} {} {b}` overflows i64", self.symbol()))
    }
}

/// An expression tree. Names keep the byte offset where they appear, so
/// "unknown name" errors can point at them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    /// An integer literal.
    Int(i64),
    /// A name, with its byte offset in the text.
    Name(String, usize),
    /// Negation.
    Neg(Box<Expr>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Every name the expression uses, with its offset, in text order.
    pub fn names(&self) -> Vec<(&str, usize)> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<(&'a str, usize)>) {
        match self {
            Expr::Int(_) => {}
            Expr::Name(n, at) => out.push((n, *at)),
            Expr::Neg(e) => e.collect_names(out),
            Expr::Binary(_, a, b) => {
                a.collect_names(out);
                b.collect_names(out);
            }
        }
    }

    /// Evaluates the expression when every name has a known value.
    ///
    /// Returns `Ok(None)` when some name has no value (`value` returned
    /// `None`), so the expression must be computed in the kernel.
    ///
    /// # Errors
    /// Overflow or division by zero in a constant part.
    pub fn eval(&self, value: &dyn Fn(&str) -> Option<i64>) -> Result<Option<i64>, String> {
        Ok(match self {
            Expr::Int(v) => Some(*v),
            Expr::Name(n, _) => value(n),
            Expr::Neg(e) => match e.eval(value)? {
                Some(v) => Some(
                    v.checked_neg()
                        .ok_or_else(|| format!("`-({v})` overflows i64"))?,
                ),
                None => None,
            },
            Expr::Binary(op, a, b) => {
                let (a, b) = (a.eval(value)?, b.eval(value)?);
                match (a, b) {
                    (Some(a), Some(b)) => Some(op.apply(a, b)?),
                    // A constant zero divisor is an error even when the
                    // dividend is only known in the kernel.
                    (None, Some(0)) if matches!(op, BinOp::Div | BinOp::Rem) => {
                        return Err("division by zero".to_string())
                    }
                    _ => None,
                }
            }
        })
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Int(v) => write!(f, "{v}"),
            Expr::Name(n, _) => write!(f, "{n}"),
            Expr::Neg(e) => write!(f, "-({e})"),
            Expr::Binary(BinOp::Min, a, b) => write!(f, "min({a}, {b})"),
            Expr::Binary(BinOp::Max, a, b) => write!(f, "max({a}, {b})"),
            Expr::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
        }
    }
}

/// A call argument or store target: an element of a buffer, region or
/// private array, a whole buffer of a multi-buffer region, or a plain
/// expression (which may be a bare name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `name[index]` or `name@slot[index]`.
    Element {
        /// The buffer, region or private array.
        name: String,
        /// Byte offset of the name.
        at: usize,
        /// The slot of a multi-buffer region.
        slot: Option<Expr>,
        /// The element index.
        index: Expr,
    },
    /// `name@slot`: one buffer of a multi-buffer region.
    Region {
        /// The region.
        name: String,
        /// Byte offset of the name.
        at: usize,
        /// The slot expression.
        slot: Expr,
    },
    /// Anything else.
    Expr(Expr),
}

/// A comparison operator of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
}

impl CmpOp {
    /// The spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// Compares two values.
    pub fn holds(self, a: i64, b: i64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

/// A condition `lhs CMP rhs` (`when`, `requires`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond {
    /// Left side.
    pub lhs: Expr,
    /// The comparison.
    pub op: CmpOp,
    /// Right side.
    pub rhs: Expr,
}

impl fmt::Display for Cond {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.lhs, self.op.symbol(), self.rhs)
    }
}

/// A reference to a region or buffer in a copy's `from`/`to` or a wait's
/// `for`: `NAME` or `NAME@slot`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionRef {
    /// The name.
    pub name: String,
    /// The slot, for `NAME@slot`.
    pub slot: Option<Expr>,
    /// Byte offset of the slot text (after `@`), for messages.
    pub slot_at: usize,
}

/// Refuses text longer than [`MAX_EXPR_BYTES`] before any parsing.
fn check_size(text: &str) -> Result<(), ExprError> {
    if text.len() > MAX_EXPR_BYTES {
        return Err(ExprError {
            offset: 0,
            message: format!(
                "the expression is {} bytes long, over the limit of {MAX_EXPR_BYTES}",
                text.len()
            ),
        });
    }
    Ok(())
}

/// Parses an expression.
///
/// # Errors
/// The first syntax error, with its byte offset.
pub fn parse_expr(text: &str) -> Result<Expr, ExprError> {
    check_size(text)?;
    let mut p = Parser::new(text);
    let e = p.expr()?;
    p.end()?;
    Ok(e)
}

/// Parses a condition `expr CMP expr`.
///
/// # Errors
/// The first syntax error, with its byte offset.
pub fn parse_cond(text: &str) -> Result<Cond, ExprError> {
    check_size(text)?;
    let mut p = Parser::new(text);
    let lhs = p.expr()?;
    let op = match p.peek() {
        Some('<') | Some('>') | Some('=') | Some('!') => {
            let rest = &p.text[p.pos..];
            let (op, len) = [
                ("<=", CmpOp::Le),
                (">=", CmpOp::Ge),
                ("==", CmpOp::Eq),
                ("!=", CmpOp::Ne),
                ("<", CmpOp::Lt),
                (">", CmpOp::Gt),
            ]
            .into_iter()
            .find(|(s, _)| rest.starts_with(s))
            .map(|(s, op)| (op, s.len()))
            .ok_or_else(|| ExprError {
                offset: p.pos,
                message: "expected a comparison: <, <=, >, >=, == or !=".to_string(),
            })?;
            p.pos += len;
            op
        }
        _ => {
            let found = p.describe_next();
            return p.err(
                p.pos,
                format!("expected a comparison (<, <=, >, >=, == or !=), found {found}"),
            );
        }
    };
    let rhs = p.expr()?;
    p.end()?;
    Ok(Cond { lhs, op, rhs })
}

/// Parses a region reference `NAME` or `NAME@slot`.
///
/// # Errors
/// The first syntax error, with its byte offset.
pub fn parse_region_ref(text: &str) -> Result<RegionRef, ExprError> {
    check_size(text)?;
    let mut p = Parser::new(text);
    let Some((name, _)) = p.name() else {
        let found = p.describe_next();
        return p.err(p.pos, format!("expected a name, found {found}"));
    };
    let mut slot = None;
    let mut slot_at = 0;
    if p.eat('@') {
        slot_at = p.pos;
        slot = Some(p.slot()?);
    }
    p.end()?;
    Ok(RegionRef {
        name,
        slot,
        slot_at,
    })
}

/// Parses a call argument or store target.
///
/// # Errors
/// The first syntax error, with its byte offset.
pub fn parse_operand(text: &str) -> Result<Operand, ExprError> {
    check_size(text)?;
    let mut p = Parser::new(text);
    let save = p.pos;
    if let Some((name, at)) = p.name() {
        let slot = if p.eat('@') { Some(p.slot()?) } else { None };
        if p.eat('[') {
            let index = p.expr()?;
            p.expect(']')?;
            p.end()?;
            return Ok(Operand::Element {
                name,
                at,
                slot,
                index,
            });
        }
        if let Some(slot) = slot {
            p.end()?;
            return Ok(Operand::Region { name, at, slot });
        }
    }
    p.pos = save;
    let e = p.expr()?;
    p.end()?;
    Ok(Operand::Expr(e))
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            pos: 0,
            depth: 0,
        }
    }

    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T, ExprError> {
        Err(ExprError {
            offset: at,
            message: message.into(),
        })
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.text[self.pos..].chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ExprError> {
        if self.eat(c) {
            Ok(())
        } else {
            let found = self.describe_next();
            self.err(self.pos, format!("expected `{c}`, found {found}"))
        }
    }

    fn describe_next(&mut self) -> String {
        match self.peek() {
            Some(c) => format!("`{c}`"),
            None => "the end of the expression".to_string(),
        }
    }

    fn end(&mut self) -> Result<(), ExprError> {
        match self.peek() {
            None => Ok(()),
            Some(c) => self.err(self.pos, format!("unexpected `{c}` after the expression")),
        }
    }

    fn name(&mut self) -> Option<(String, usize)> {
        let c = self.peek()?;
        if !(c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let start = self.pos;
        let len = self.text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(self.text.len() - start);
        self.pos = start + len;
        Some((self.text[start..self.pos].to_string(), start))
    }

    /// The slot after `@`: an integer, a name or a parenthesised
    /// expression.
    fn slot(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some('(') => self.atom(),
            Some(c) if c.is_ascii_digit() || c.is_ascii_alphabetic() || c == '_' => self.atom(),
            _ => {
                let found = self.describe_next();
                self.err(
                    self.pos,
                    format!("expected a slot after `@` (a number, a name or `(`), found {found}"),
                )
            }
        }
    }

    fn expr(&mut self) -> Result<Expr, ExprError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return self.err(self.pos, "expression nested too deeply");
        }
        let mut lhs = self.term()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                break;
            };
            let rhs = self.term()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn term(&mut self) -> Result<Expr, ExprError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else if self.eat('%') {
                BinOp::Rem
            } else {
                break;
            };
            let rhs = self.unary()?;
            lhs = Expr::Binary(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        if self.eat('-') {
            self.depth += 1;
            if self.depth > MAX_EXPR_DEPTH {
                return self.err(self.pos, "expression nested too deeply");
            }
            let e = self.unary()?;
            self.depth -= 1;
            // Fold `-literal` right away, so constants print plainly.
            return Ok(match e {
                Expr::Int(v) if v != i64::MIN => Expr::Int(-v),
                other => Expr::Neg(Box::new(other)),
            });
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(')')?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                let len = self.text[start..]
                    .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .unwrap_or(self.text.len() - start);
                self.pos = start + len;
                let digits = &self.text[start..self.pos];
                if !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return self.err(start, format!("`{digits}` is not a decimal integer"));
                }
                match digits.parse::<i64>() {
                    Ok(v) => Ok(Expr::Int(v)),
                    Err(_) => self.err(start, format!("`{digits}` does not fit in i64")),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let (n, at) = self.name().unwrap_or_default();
                if (n == "min" || n == "max") && self.peek() == Some('(') {
                    self.pos += 1;
                    let a = self.expr()?;
                    self.expect(',')?;
                    let b = self.expr()?;
                    self.expect(')')?;
                    let op = if n == "min" { BinOp::Min } else { BinOp::Max };
                    return Ok(Expr::Binary(op, Box::new(a), Box::new(b)));
                }
                if self.peek() == Some('[') {
                    return self.err(
                        self.pos,
                        format!(
                            "`{n}[...]` (an element) is not allowed inside an integer expression"
                        ),
                    );
                }
                Ok(Expr::Name(n, at))
            }
            Some(_) => {
                let found = self.describe_next();
                self.err(
                    self.pos,
                    format!("expected a number, a name or `(`, found {found}"),
                )
            }
            None => self.err(
                self.pos,
                "expected a number, a name or `(`, found the end of the expression",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Result<Option<i64>, String> {
        let e = parse_expr(text).map_err(|e| e.message)?;
        e.eval(&|n| match n {
            "a" => Some(7),
            "b" => Some(-3),
            _ => None,
        })
    }

    #[test]
    fn precedence_and_c_semantics() {
        assert_eq!(eval("1 + 2 * 3"), Ok(Some(7)));
        assert_eq!(eval("(1 + 2) * 3"), Ok(Some(9)));
        assert_eq!(eval("a / 2 * 2"), Ok(Some(6)));
        assert_eq!(eval("-7 / 2"), Ok(Some(-3)));
        assert_eq!(eval("-7 % 2"), Ok(Some(-1)));
        assert_eq!(eval("a % b"), Ok(Some(1)));
        assert_eq!(eval("10 - 2 - 3"), Ok(Some(5)));
        assert_eq!(eval("--4"), Ok(Some(4)));
        assert_eq!(eval("-(a)"), Ok(Some(-7)));
        assert_eq!(eval("tid * 32"), Ok(None));
        assert_eq!(eval("-9223372036854775807 - 1"), Ok(Some(i64::MIN)));
    }

    #[test]
    fn errors_are_positioned() {
        let e = parse_expr("tid * ").unwrap_err();
        assert_eq!(e.offset, 6);
        assert!(e.message.contains("end of the expression"), "{}", e.message);
        let e = parse_expr("(1 + 2").unwrap_err();
        assert_eq!(
            (e.offset, e.message.as_str()),
            (6, "expected `)`, found the end of the expression")
        );
        let e = parse_expr("1 $ 2").unwrap_err();
        assert_eq!(e.offset, 2);
        let e = parse_expr("12ab").unwrap_err();
        assert_eq!(e.message, "`12ab` is not a decimal integer");
        let e = parse_expr("99999999999999999999").unwrap_err();
        assert!(e.message.contains("does not fit"));
        assert_eq!(
            eval("9223372036854775807 + 1"),
            Err("`9223372036854775807 + 1` overflows i64".into())
        );
        assert_eq!(eval("1 / (a - 7)"), Err("division by zero".into()));
        let deep = "(".repeat(500) + "1" + &")".repeat(500);
        assert!(parse_expr(&deep).is_err());
        let neg = "-".repeat(500) + "1";
        assert!(parse_expr(&neg).is_err());
    }

    #[test]
    fn operands() {
        assert_eq!(
            parse_operand(" tile[ lane + 1 ]"),
            Ok(Operand::Element {
                name: "tile".into(),
                at: 1,
                slot: None,
                index: Expr::Binary(
                    BinOp::Add,
                    Box::new(Expr::Name("lane".into(), 7)),
                    Box::new(Expr::Int(1))
                ),
            })
        );
        assert_eq!(
            parse_operand("tid"),
            Ok(Operand::Expr(Expr::Name("tid".into(), 0)))
        );
        assert!(matches!(parse_operand("tid + 1"), Ok(Operand::Expr(_))));
        assert!(parse_operand("a[1] + 2").is_err());
        assert!(parse_operand("1 + a[2]").is_err());
        assert!(parse_operand("").is_err());
    }
}
