//! Debug-info nodes as `llvm-dis-14` prints them, driven by the field table
//! of [`crate::debuginfo`].

use std::fmt::Write as _;

use super::{Locals, Printer};
use crate::constant::ApInt;
use crate::debuginfo::{
    self, DiKind, DiNode, DiValue, ExprOps, Field, FieldType, Print, SP_FLAG_VIRTUALITY,
};
use crate::metadata::Metadata;

/// `DW_OP_LLVM_convert`, whose second argument prints as a `DW_ATE_*` name.
const DW_OP_LLVM_CONVERT: u64 = 0x1001;

impl Printer<'_> {
    /// `!DIFoo(field: value, ...)`.
    pub(super) fn di_node(&mut self, node: &DiNode, locals: Option<&Locals>) {
        let info = node.kind.info();
        self.out.push('!');
        self.out.push_str(info.name);
        self.out.push('(');
        match node.kind {
            DiKind::Expression => {
                if let Some(DiValue::Ints(e)) = node.fields.first() {
                    self.expression(e);
                }
            }
            DiKind::ArgList => {
                if let Some(DiValue::Mds(list)) = node.fields.first() {
                    for (i, m) in list.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        match m {
                            Some(m) => self.md_ref(*m, locals),
                            None => self.out.push_str("null"),
                        }
                    }
                }
            }
            _ => {
                let mut first = true;
                for (i, f) in info.fields.iter().enumerate() {
                    let Some(v) = node.fields.get(i) else {
                        continue;
                    };
                    if !shown(node, f, v) {
                        continue;
                    }
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    self.out.push_str(f.name);
                    self.out.push_str(": ");
                    self.field(node, f, v, locals);
                }
            }
        }
        self.out.push(')');
    }

    fn field(&mut self, node: &DiNode, f: &Field, v: &DiValue, locals: Option<&Locals>) {
        match (f.ty, v) {
            (_, DiValue::Null) if !matches!(f.ty, FieldType::Str { .. } | FieldType::OptStr) => {
                self.out.push_str("null")
            }
            (FieldType::Str { .. } | FieldType::OptStr, _) => {
                self.out.push('"');
                if let DiValue::Md(m) = v {
                    if let Some(Metadata::String(s)) = self.m.metadata.get(m.0 as usize) {
                        write_field_string(s, &mut self.out);
                    }
                }
                self.out.push('"');
            }
            (FieldType::SignedOrMd { form, min, max, .. }, DiValue::Md(m)) => {
                // The integer spelling, when the parser takes it back (an
                // `i64 -5` count would print as a number it refuses).
                let sugar =
                    debuginfo::signed_sugar(self.m, form, *m).filter(|n| (min..=max).contains(n));
                match sugar {
                    Some(n) => {
                        let _ = write!(self.out, "{n}");
                    }
                    None => self.md_ref(*m, locals),
                }
            }
            (_, DiValue::Md(m)) => self.md_ref(*m, locals),
            (FieldType::Signed { .. }, DiValue::Int(n)) => {
                let _ = write!(self.out, "{}", *n as i64);
            }
            (FieldType::Bool, DiValue::Int(n)) => {
                self.out.push_str(if *n != 0 { "true" } else { "false" })
            }
            (FieldType::Keyword { table, .. }, DiValue::Int(n)) => match table.name(*n) {
                Some(name) => self.out.push_str(name),
                None => {
                    let _ = write!(self.out, "{n}");
                }
            },
            (FieldType::DiFlags, DiValue::Int(n)) => {
                let (names, rest) = debuginfo::split_di_flags(*n as u32);
                self.flag_list(&names, rest);
            }
            (FieldType::SpFlags, DiValue::Int(n)) => {
                if *n == 0 {
                    self.out.push('0');
                } else {
                    let (names, rest) = debuginfo::split_sp_flags(*n as u32);
                    self.flag_list(&names, rest);
                }
            }
            (FieldType::AddressSpace, DiValue::Int(n)) => {
                let _ = write!(self.out, "{}", n.wrapping_sub(1) as u32);
            }
            (FieldType::Wide, DiValue::Wide { width, words }) => {
                let unsigned = node.int("isUnsigned") != 0;
                let text = if unsigned {
                    // Unsigned: read with one more bit, which is zero.
                    ApInt::from_words(width + 1, words).to_signed_string(width + 1)
                } else {
                    ApInt::from_words(*width, words).to_signed_string(*width)
                };
                self.out.push_str(&text);
            }
            (_, DiValue::Int(n)) => {
                let _ = write!(self.out, "{n}");
            }
            (_, DiValue::Mds(list)) => {
                self.out.push('{');
                for (i, m) in list.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    match m {
                        Some(m) => self.md_ref(*m, locals),
                        None => self.out.push_str("null"),
                    }
                }
                self.out.push('}');
            }
            (_, DiValue::Ints(list)) => {
                for (i, n) in list.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    let _ = write!(self.out, "{n}");
                }
            }
            (_, DiValue::Wide { .. } | DiValue::Absent | DiValue::Null) => {}
        }
    }

    fn flag_list(&mut self, names: &[&str], rest: u32) {
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                self.out.push_str(" | ");
            }
            self.out.push_str(n);
        }
        if rest != 0 || names.is_empty() {
            if !names.is_empty() {
                self.out.push_str(" | ");
            }
            let _ = write!(self.out, "{rest}");
        }
    }

    /// The elements of a `DIExpression`: operation names and their
    /// arguments when LLVM 14 finds the expression valid, raw numbers
    /// otherwise. Where LLVM 14's own printer goes wrong (an operation it
    /// has no name for after a register, which it prints as nothing; an
    /// operation whose arguments run past the end, where it reads past
    /// the end) the number is printed instead, so the text reads back.
    fn expression(&mut self, e: &[u64]) {
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push_str(", ");
            }
            first = false;
        };
        if !debuginfo::expression_is_valid(e) {
            for n in e {
                sep(&mut self.out);
                let _ = write!(self.out, "{n}");
            }
            return;
        }
        for op in ExprOps::new(e) {
            sep(&mut self.out);
            match op.name() {
                Some(name) => self.out.push_str(name),
                None => {
                    let _ = write!(self.out, "{}", op.op);
                }
            }
            for (i, a) in op.args.iter().enumerate() {
                sep(&mut self.out);
                let encoding = (op.op == DW_OP_LLVM_CONVERT && i == 1)
                    .then(|| debuginfo::keywords::ENCODINGS.name(*a))
                    .flatten();
                match encoding {
                    Some(name) => self.out.push_str(name),
                    None => {
                        let _ = write!(self.out, "{a}");
                    }
                }
            }
        }
    }
}

/// Whether `llvm-dis-14` prints field `f` (value `v`) of `node`.
fn shown(node: &DiNode, f: &Field, v: &DiValue) -> bool {
    match f.print {
        Print::Always => true,
        Print::Never => false,
        Print::Checksum => node.int("checksumkind") != 0,
        Print::VirtualIndex => v.int() != 0 || node.int("spFlags") & SP_FLAG_VIRTUALITY != 0,
        Print::NotDefault => match v {
            DiValue::Null => {
                // `source: ""` is kept in bitcode (a present, empty
                // operand); `llvm-dis-14` crashes printing it, so it is
                // printed as given.
                f.ty == FieldType::OptStr
            }
            DiValue::Absent => false,
            DiValue::Md(_) | DiValue::Wide { .. } => true,
            DiValue::Int(n) => *n != f.default,
            DiValue::Ints(l) => !l.is_empty(),
            DiValue::Mds(l) => !l.is_empty(),
        },
    }
}

/// A string field as `llvm-dis-14` writes it (`printEscapedString`):
/// printable ASCII but `"` and `\` as is, `\` doubled, the rest as `\XX`.
fn write_field_string(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        if b == b'\\' {
            out.push_str("\\\\");
        } else if (0x20..0x7f).contains(&b) && b != b'"' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\{b:02X}");
        }
    }
}
