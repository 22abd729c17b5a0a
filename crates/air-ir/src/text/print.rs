//! The canonical printer.
//!
//! Output follows `llvm-dis-14`'s layout closely (so a diff against LLVM's own
//! text stays readable): header, named types, globals, functions,
//! attribute groups, named metadata, then numbered metadata nodes. Attribute
//! groups and metadata nodes are numbered in the order LLVM 14's slot tracker
//! reaches them, so the text does not depend on arena order: two modules that
//! differ only in how their arenas are laid out print the same.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use crate::attributes::{AttrSet, Attribute};
use crate::constant::{ConstExpr, ConstId, ConstKind};
use crate::inst::{
    Atomic, BlockId, CallConv, Flags, InstId, InstKind, Instruction, NamedCallConv, TailKind, Value,
};
use crate::limits::{MAX_MESSAGE_TYPE_BYTES, MAX_PRINT_DEPTH};
use crate::metadata::{MetaId, Metadata};

mod di;
use crate::module::{Function, Global, Linkage, Module, ThreadLocal, UnnamedAddr, Visibility};
use crate::types::{StructBody, Type, TypeId, TypeTable};

/// Printer settings.
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {
    /// Print `; ModuleID = '<id>'` first, as `llvm-dis` does.
    pub module_id: Option<String>,
}

impl PrintOptions {
    /// Sets the `; ModuleID` line.
    pub fn module_id(mut self, id: impl Into<String>) -> Self {
        self.module_id = Some(id.into());
        self
    }
}

/// Prints `module` as text.
pub fn print_module(module: &Module, options: &PrintOptions) -> String {
    let mut p = Printer::new(module);
    p.module(options);
    p.out
}

/// Writes a type as text (for diagnostics elsewhere in the crate).
pub fn type_to_string(types: &TypeTable, ty: TypeId) -> String {
    let mut s = String::new();
    write_type(types, ty, &mut s, 0, usize::MAX);
    s
}

/// Writes a type as text for an error message: at most
/// [`MAX_MESSAGE_TYPE_BYTES`] bytes, then `...`. Types share their parts,
/// so a type a few records of bitcode describe can spell out to far more
/// text than that; this stops writing (and walking) there.
pub fn type_to_message(types: &TypeTable, ty: TypeId) -> String {
    let mut s = String::new();
    write_type(types, ty, &mut s, 0, MAX_MESSAGE_TYPE_BYTES);
    if s.len() > MAX_MESSAGE_TYPE_BYTES {
        let mut cut = MAX_MESSAGE_TYPE_BYTES;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// Writes type `ty` to `out`; once `out` is longer than `limit` bytes it
/// writes (and walks) no more.
fn write_type(m: &TypeTable, ty: TypeId, out: &mut String, depth: u32, limit: usize) {
    if out.len() > limit {
        return;
    }
    if depth > MAX_PRINT_DEPTH {
        out.push_str("<too deep>");
        return;
    }
    let Some(t) = m.try_get(ty) else {
        let _ = write!(out, "<bad type {}>", ty.0);
        return;
    };
    match t {
        Type::Void => out.push_str("void"),
        Type::Int(w) => {
            let _ = write!(out, "i{w}");
        }
        Type::Half => out.push_str("half"),
        Type::BFloat => out.push_str("bfloat"),
        Type::Float => out.push_str("float"),
        Type::Double => out.push_str("double"),
        Type::Label => out.push_str("label"),
        Type::Metadata => out.push_str("metadata"),
        Type::Token => out.push_str("token"),
        Type::Pointer { pointee, addrspace } => {
            write_type(m, *pointee, out, depth + 1, limit);
            if *addrspace != 0 {
                let _ = write!(out, " addrspace({addrspace})");
            }
            out.push('*');
        }
        Type::Array { len, elem } => {
            let _ = write!(out, "[{len} x ");
            write_type(m, *elem, out, depth + 1, limit);
            out.push(']');
        }
        Type::Vector { len, elem } => {
            let _ = write!(out, "<{len} x ");
            write_type(m, *elem, out, depth + 1, limit);
            out.push('>');
        }
        Type::Struct { fields, packed } => write_struct_body(m, fields, *packed, out, depth, limit),
        Type::Named(name) => {
            out.push('%');
            write_name(name, out);
        }
        Type::Function {
            ret,
            params,
            varargs,
        } => {
            write_type(m, *ret, out, depth + 1, limit);
            out.push_str(" (");
            for (i, p) in params.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_type(m, *p, out, depth + 1, limit);
            }
            if *varargs {
                if !params.is_empty() {
                    out.push_str(", ");
                }
                out.push_str("...");
            }
            out.push(')');
        }
    }
}

fn write_struct_body(
    m: &TypeTable,
    fields: &[TypeId],
    packed: bool,
    out: &mut String,
    depth: u32,
    limit: usize,
) {
    if packed {
        out.push('<');
    }
    if fields.is_empty() {
        out.push_str("{}");
    } else {
        out.push_str("{ ");
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_type(m, *f, out, depth + 1, limit);
        }
        out.push_str(" }");
    }
    if packed {
        out.push('>');
    }
}

/// Whether a name can be written without quotes: LLVM's
/// `[-a-zA-Z$._][-a-zA-Z$._0-9]*`.
fn is_bare_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    match bytes.next() {
        None => false,
        Some(b) if b.is_ascii_digit() => false,
        Some(b) if is_name_byte(b) => bytes.all(is_name_byte),
        _ => false,
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_')
}

fn write_name(name: &str, out: &mut String) {
    // All-digit names are how the parser stores numbered globals, functions
    // and types (`@0`); print them back the same way.
    if is_bare_name(name) || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())) {
        out.push_str(name);
    } else {
        out.push('"');
        write_escaped(name.as_bytes(), out);
        out.push('"');
    }
}

/// Escapes as LLVM does: printable ASCII except `"` and `\` as is, the rest
/// as `\XX` with upper-case hex.
fn write_escaped(bytes: &[u8], out: &mut String) {
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            out.push(b as char);
        } else {
            let _ = write!(out, "\\{b:02X}");
        }
    }
}

/// Formats a `float`/`double` value the way `llvm-dis-14` does when the short
/// decimal form reads back exactly; otherwise as the 64-bit hex of the value
/// widened to double.
fn format_fp(value: f64) -> String {
    if value.is_finite() {
        let s = format!("{value:.6e}");
        // Rust writes `1.000000e0`; LLVM writes `1.000000e+00`.
        if let Some((mant, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            let text = format!("{mant}e{sign}{digits:0>2}");
            if text.parse::<f64>().ok().map(f64::to_bits) == Some(value.to_bits()) {
                return text;
            }
        }
    }
    format!("0x{:016X}", value.to_bits())
}

struct Printer<'m> {
    m: &'m Module,
    out: String,
    /// Attribute-group number for each distinct function-attribute set.
    attr_groups: Vec<AttrSet>,
    attr_lookup: HashMap<AttrSet, usize>,
    /// Text number of each metadata node, in slot order.
    md_slots: HashMap<MetaId, usize>,
    md_order: Vec<MetaId>,
}

/// Local numbering of one function: numbered args, blocks and results.
///
/// Every name is a slice of one buffer, and results are found by `InstId`
/// in a vector: a string per value in a hash map by `InstId` was a third of
/// the time `fmt` took on a function of a million instructions.
#[derive(Default)]
struct Locals {
    /// The names, `%` included, one after the other.
    buf: String,
    /// Where each name is in `buf`.
    args: Vec<(usize, usize)>,
    blocks: Vec<(usize, usize)>,
    /// By `InstId`: where the result's name is, if it has one.
    insts: Vec<Option<(usize, usize)>>,
}

impl Locals {
    fn text(&self, (start, end): (usize, usize)) -> &str {
        self.buf.get(start..end).unwrap_or_default()
    }

    fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(|&r| self.text(r))
    }

    fn block(&self, b: usize) -> Option<&str> {
        self.blocks.get(b).map(|&r| self.text(r))
    }

    fn inst(&self, id: InstId) -> Option<&str> {
        let r = self.insts.get(id.0 as usize).copied().flatten()?;
        Some(self.text(r))
    }
}

impl<'m> Printer<'m> {
    fn new(m: &'m Module) -> Self {
        let mut p = Printer {
            m,
            out: String::new(),
            attr_groups: Vec::new(),
            attr_lookup: HashMap::new(),
            md_slots: HashMap::new(),
            md_order: Vec::new(),
        };
        p.number_attribute_groups();
        p.number_metadata();
        p
    }

    /// Function attribute sets first (in function order), then call-site
    /// sets in body order: the order LLVM 14's slot tracker uses.
    fn number_attribute_groups(&mut self) {
        let m = self.m;
        for f in &m.functions {
            self.attr_group(&f.fn_attrs);
        }
        for f in &m.functions {
            for (_, id) in f.layout() {
                if let Some(inst) = f.insts.get(id.0 as usize) {
                    if let InstKind::Call(call) = &inst.kind {
                        self.attr_group(&call.fn_attrs);
                    }
                }
            }
        }
    }

    fn attr_group(&mut self, set: &AttrSet) -> Option<usize> {
        if set.is_empty() {
            return None;
        }
        if let Some(&n) = self.attr_lookup.get(set) {
            return Some(n);
        }
        let n = self.attr_groups.len();
        self.attr_groups.push(set.clone());
        self.attr_lookup.insert(set.clone(), n);
        Some(n)
    }

    /// Global attachments, named metadata, then per function its own
    /// attachments, metadata call arguments and instruction attachments;
    /// nodes are numbered depth-first, parents before operands.
    fn number_metadata(&mut self) {
        let m = self.m;
        for g in &m.globals {
            for (_, md) in &g.attachments {
                self.md_slot(*md);
            }
        }
        for nmd in &m.named_metadata {
            for md in &nmd.operands {
                self.md_slot(*md);
            }
        }
        for f in &m.functions {
            for (_, md) in &f.attachments {
                self.md_slot(*md);
            }
            for (_, id) in f.layout() {
                let Some(inst) = f.insts.get(id.0 as usize) else {
                    continue;
                };
                if let InstKind::Call(call) = &inst.kind {
                    for arg in &call.args {
                        if let Value::Metadata(md) = arg {
                            self.md_slot(*md);
                        }
                    }
                }
                // `!dbg` first, as LLVM keeps it apart from the others.
                for (_, md) in dbg_first(&inst.attachments) {
                    self.md_slot(*md);
                }
            }
        }
    }

    fn md_slot(&mut self, root: MetaId) {
        // Iterative preorder walk: metadata can nest deeply and form cycles.
        let mut stack = vec![root];
        let mut ops = Vec::new();
        while let Some(id) = stack.pop() {
            let Some(md) = self.m.metadata.get(id.0 as usize) else {
                continue;
            };
            // Expressions and argument lists print inline and get no
            // number (LLVM's `SlotTracker::CreateMetadataSlot`).
            match md {
                Metadata::Node { .. } => {}
                Metadata::Di(n) if !n.kind.info().inline => {}
                _ => continue,
            }
            if self.md_slots.contains_key(&id) {
                continue;
            }
            self.md_slots.insert(id, self.md_order.len());
            self.md_order.push(id);
            ops.clear();
            md.for_each_operand(|o| ops.push(o));
            for op in ops.iter().rev().flatten() {
                stack.push(*op);
            }
        }
    }

    // ----- module -----

    fn module(&mut self, options: &PrintOptions) {
        let m = self.m;
        if let Some(id) = &options.module_id {
            let _ = writeln!(self.out, "; ModuleID = '{id}'");
        }
        if let Some(sf) = &m.source_filename {
            self.out.push_str("source_filename = \"");
            write_escaped(sf.as_bytes(), &mut self.out);
            self.out.push_str("\"\n");
        }
        if let Some(dl) = &m.datalayout {
            self.out.push_str("target datalayout = \"");
            write_escaped(dl.as_bytes(), &mut self.out);
            self.out.push_str("\"\n");
        }
        if let Some(t) = &m.triple {
            self.out.push_str("target triple = \"");
            write_escaped(t.as_bytes(), &mut self.out);
            self.out.push_str("\"\n");
        }
        if !m.module_asm.is_empty() {
            self.section_break();
            for line in &m.module_asm {
                self.out.push_str("module asm \"");
                write_escaped(line.as_bytes(), &mut self.out);
                self.out.push_str("\"\n");
            }
        }
        if !m.types.named_structs().is_empty() {
            self.section_break();
            for &id in m.types.named_structs() {
                self.ty(id);
                self.out.push_str(" = type ");
                match m.types.struct_body(id) {
                    Some(StructBody::Fields { fields, packed }) => {
                        write_struct_body(&m.types, fields, *packed, &mut self.out, 0, usize::MAX)
                    }
                    _ => self.out.push_str("opaque"),
                }
                self.out.push('\n');
            }
        }
        if !m.globals.is_empty() {
            self.section_break();
            for g in &m.globals {
                self.global(g);
            }
        }
        for f in &m.functions {
            self.section_break();
            self.function(f);
        }
        if !self.attr_groups.is_empty() {
            self.section_break();
            for (n, set) in self.attr_groups.clone().iter().enumerate() {
                let _ = write!(self.out, "attributes #{n} = {{ ");
                self.attrs(set, true);
                self.out.push_str(" }\n");
            }
        }
        if !m.named_metadata.is_empty() {
            self.section_break();
            for nmd in &m.named_metadata {
                self.out.push('!');
                write_name_md(&nmd.name, &mut self.out);
                self.out.push_str(" = !{");
                for (i, op) in nmd.operands.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.md_ref(*op, None);
                }
                self.out.push_str("}\n");
            }
        }
        if !self.md_order.is_empty() {
            self.section_break();
            for (n, id) in self.md_order.clone().iter().enumerate() {
                let _ = write!(self.out, "!{n} = ");
                match m.metadata.get(id.0 as usize) {
                    Some(Metadata::Node { operands, distinct }) => {
                        if *distinct {
                            self.out.push_str("distinct ");
                        }
                        self.md_tuple(operands, None);
                    }
                    Some(Metadata::Di(node)) => {
                        if node.distinct {
                            self.out.push_str("distinct ");
                        }
                        self.di_node(node, None);
                    }
                    _ => {}
                }
                self.out.push('\n');
            }
        }
    }

    /// A blank line between sections, but none at the very start.
    fn section_break(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn ty(&mut self, ty: TypeId) {
        write_type(&self.m.types, ty, &mut self.out, 0, usize::MAX);
    }

    fn global(&mut self, g: &Global) {
        self.out.push('@');
        write_name(&g.name, &mut self.out);
        self.out.push_str(" = ");
        // A declaration says `external` explicitly; LLVM requires it.
        if g.initializer.is_none() && g.linkage == Linkage::External {
            self.out.push_str("external ");
        }
        self.linkage(g.linkage);
        if g.dso_local {
            self.out.push_str("dso_local ");
        }
        self.visibility(g.visibility);
        if g.thread_local != ThreadLocal::NotThreadLocal {
            self.out.push_str(g.thread_local.spelling());
            self.out.push(' ');
        }
        self.unnamed_addr(g.unnamed_addr);
        if g.addrspace != 0 {
            let _ = write!(self.out, "addrspace({}) ", g.addrspace);
        }
        if g.externally_initialized {
            self.out.push_str("externally_initialized ");
        }
        self.out.push_str(if g.is_constant {
            "constant "
        } else {
            "global "
        });
        self.ty(g.value_ty);
        if let Some(init) = g.initializer {
            self.out.push(' ');
            self.constant(init, None, 0);
        }
        if let Some(s) = &g.section {
            self.out.push_str(", section \"");
            write_escaped(s.as_bytes(), &mut self.out);
            self.out.push('"');
        }
        if let Some(a) = g.align {
            let _ = write!(self.out, ", align {a}");
        }
        for (kind, md) in &g.attachments {
            self.out.push_str(", ");
            self.attachment(kind, *md);
        }
        self.out.push('\n');
    }

    fn linkage(&mut self, l: Linkage) {
        if l != Linkage::External {
            self.out.push_str(l.spelling());
            self.out.push(' ');
        }
    }

    fn visibility(&mut self, v: Visibility) {
        if v != Visibility::Default {
            self.out.push_str(v.spelling());
            self.out.push(' ');
        }
    }

    fn unnamed_addr(&mut self, u: UnnamedAddr) {
        if u != UnnamedAddr::None {
            self.out.push_str(u.spelling());
            self.out.push(' ');
        }
    }

    fn cc(&mut self, cc: CallConv) {
        if cc.0 == 0 {
            return;
        }
        match NamedCallConv::ALL.iter().find(|n| n.bitcode() == cc.0) {
            Some(n) => {
                self.out.push_str(n.spelling());
                self.out.push(' ');
            }
            None => {
                let _ = write!(self.out, "cc {} ", cc.0);
            }
        }
    }

    fn attachment(&mut self, kind: &str, md: MetaId) {
        self.out.push('!');
        write_name_md(kind, &mut self.out);
        self.out.push(' ');
        self.md_ref(md, None);
    }

    /// Writes the attributes of `set` separated by spaces. `in_group` selects
    /// the `align=4` spelling used inside `attributes #N = { ... }`.
    fn attrs(&mut self, set: &AttrSet, in_group: bool) {
        for (i, a) in set.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            self.attr(a, in_group);
        }
    }

    fn attr(&mut self, a: &Attribute, in_group: bool) {
        use crate::attributes::AttrKind as K;
        match a {
            Attribute::Enum(k) => self.out.push_str(k.spelling()),
            Attribute::Int(k, v) => {
                let v = *v;
                match k {
                    K::Alignment | K::StackAlignment if in_group => {
                        let _ = write!(self.out, "{}={v}", k.spelling());
                    }
                    K::Alignment => {
                        let _ = write!(self.out, "align {v}");
                    }
                    K::AllocSize => {
                        let (a, b) = (v >> 32, v & 0xFFFF_FFFF);
                        if b == 0xFFFF_FFFF {
                            let _ = write!(self.out, "allocsize({a})");
                        } else {
                            let _ = write!(self.out, "allocsize({a},{b})");
                        }
                    }
                    K::VScaleRange => {
                        let _ = write!(self.out, "vscale_range({},{})", v >> 32, v & 0xFFFF_FFFF);
                    }
                    _ => {
                        let _ = write!(self.out, "{}({v})", k.spelling());
                    }
                }
            }
            Attribute::Type(k, ty) => {
                self.out.push_str(k.spelling());
                if let Some(ty) = ty {
                    self.out.push('(');
                    self.ty(*ty);
                    self.out.push(')');
                }
            }
            Attribute::String { key, value } => {
                self.out.push('"');
                write_escaped(key.as_bytes(), &mut self.out);
                self.out.push('"');
                if !value.is_empty() {
                    self.out.push_str("=\"");
                    write_escaped(value.as_bytes(), &mut self.out);
                    self.out.push('"');
                }
            }
        }
    }

    // ----- constants -----

    /// Writes constant `id` without its type.
    fn constant(&mut self, id: ConstId, locals: Option<&Locals>, depth: u32) {
        let m = self.m;
        if depth > MAX_PRINT_DEPTH {
            self.out.push_str("<too deep>");
            return;
        }
        let Some(c) = m.consts.try_get(id) else {
            let _ = write!(self.out, "<bad constant {}>", id.0);
            return;
        };
        match &c.kind {
            ConstKind::Int(v) => {
                let width = m.types.int_width(c.ty).unwrap_or(64);
                if width == 1 {
                    self.out
                        .push_str(if v.is_zero() { "false" } else { "true" });
                } else {
                    self.out.push_str(&v.to_signed_string(width));
                }
            }
            ConstKind::Float(bits) => self.float(c.ty, *bits),
            ConstKind::Null => self.out.push_str("null"),
            ConstKind::Undef => self.out.push_str("undef"),
            ConstKind::Poison => self.out.push_str("poison"),
            ConstKind::Zero => self.out.push_str("zeroinitializer"),
            ConstKind::Array(items) => self.const_list('[', ']', items, locals, depth),
            ConstKind::Vector(items) => self.const_list('<', '>', items, locals, depth),
            ConstKind::Struct(items) => {
                let packed = match m.types.try_get(c.ty) {
                    Some(Type::Struct { packed, .. }) => *packed,
                    Some(Type::Named(_)) => matches!(
                        m.types.struct_body(c.ty),
                        Some(StructBody::Fields { packed: true, .. })
                    ),
                    _ => false,
                };
                if packed {
                    self.out.push('<');
                }
                if items.is_empty() {
                    self.out.push_str("{}");
                } else {
                    self.out.push_str("{ ");
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            self.out.push_str(", ");
                        }
                        self.typed_const(*item, locals, depth + 1);
                    }
                    self.out.push_str(" }");
                }
                if packed {
                    self.out.push('>');
                }
            }
            ConstKind::String(bytes) => {
                self.out.push_str("c\"");
                write_escaped(bytes, &mut self.out);
                self.out.push('"');
            }
            ConstKind::Global(g) => {
                self.out.push('@');
                match m.globals.get(g.0 as usize) {
                    Some(g) => write_name(&g.name, &mut self.out),
                    None => {
                        let _ = write!(self.out, "<bad global {}>", g.0);
                    }
                }
            }
            ConstKind::Function(f) => {
                self.out.push('@');
                match m.functions.get(f.0 as usize) {
                    Some(f) => write_name(&f.name, &mut self.out),
                    None => {
                        let _ = write!(self.out, "<bad function {}>", f.0);
                    }
                }
            }
            ConstKind::Expr(e) => self.const_expr(c.ty, e, locals, depth),
        }
    }

    fn float(&mut self, ty: TypeId, bits: u64) {
        match self.m.types.try_get(ty) {
            Some(Type::Half) => {
                let _ = write!(self.out, "0xH{:04X}", bits & 0xFFFF);
            }
            Some(Type::BFloat) => {
                let _ = write!(self.out, "0xR{:04X}", bits & 0xFFFF);
            }
            Some(Type::Float) => {
                let v = f64::from(f32::from_bits(bits as u32));
                // A float NaN widened to double keeps its payload in the top
                // bits, which is how LLVM prints it too.
                if f32::from_bits(bits as u32).is_nan() {
                    let b = bits as u32;
                    let sign = u64::from(b >> 31) << 63;
                    let payload = u64::from(b & 0x007F_FFFF) << 29;
                    let _ = write!(self.out, "0x{:016X}", sign | (0x7FFu64 << 52) | payload);
                } else {
                    self.out.push_str(&format_fp(v));
                }
            }
            _ => {
                let v = f64::from_bits(bits);
                if v.is_nan() {
                    let _ = write!(self.out, "0x{bits:016X}");
                } else {
                    self.out.push_str(&format_fp(v));
                }
            }
        }
    }

    fn const_list(
        &mut self,
        open: char,
        close: char,
        items: &[ConstId],
        locals: Option<&Locals>,
        depth: u32,
    ) {
        self.out.push(open);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.typed_const(*item, locals, depth + 1);
        }
        self.out.push(close);
    }

    fn typed_const(&mut self, id: ConstId, locals: Option<&Locals>, depth: u32) {
        match self.m.consts.try_get(id) {
            Some(c) => {
                self.ty(c.ty);
                self.out.push(' ');
                self.constant(id, locals, depth);
            }
            None => {
                let _ = write!(self.out, "<bad constant {}>", id.0);
            }
        }
    }

    fn const_expr(&mut self, ty: TypeId, e: &ConstExpr, locals: Option<&Locals>, depth: u32) {
        let d = depth + 1;
        match e {
            ConstExpr::Cast { op, value } => {
                self.out.push_str(op.mnemonic());
                self.out.push_str(" (");
                self.typed_const(*value, locals, d);
                self.out.push_str(" to ");
                self.ty(ty);
                self.out.push(')');
            }
            ConstExpr::GetElementPtr {
                source,
                base,
                indices,
                inbounds,
                inrange,
            } => {
                self.out.push_str("getelementptr ");
                if *inbounds {
                    self.out.push_str("inbounds ");
                }
                self.out.push('(');
                self.ty(*source);
                self.out.push_str(", ");
                self.typed_const(*base, locals, d);
                for (i, idx) in indices.iter().enumerate() {
                    self.out.push_str(", ");
                    if *inrange == Some(i as u32) {
                        self.out.push_str("inrange ");
                    }
                    self.typed_const(*idx, locals, d);
                }
                self.out.push(')');
            }
            ConstExpr::Binary {
                op,
                lhs,
                rhs,
                flags,
            } => {
                self.out.push_str(op.mnemonic());
                self.int_flags(*flags);
                self.out.push_str(" (");
                self.typed_const(*lhs, locals, d);
                self.out.push_str(", ");
                self.typed_const(*rhs, locals, d);
                self.out.push(')');
            }
            ConstExpr::FNeg(v) => {
                self.out.push_str("fneg (");
                self.typed_const(*v, locals, d);
                self.out.push(')');
            }
            ConstExpr::ICmp { pred, lhs, rhs } => {
                let _ = write!(self.out, "icmp {} (", pred.spelling());
                self.typed_const(*lhs, locals, d);
                self.out.push_str(", ");
                self.typed_const(*rhs, locals, d);
                self.out.push(')');
            }
            ConstExpr::FCmp { pred, lhs, rhs } => {
                let _ = write!(self.out, "fcmp {} (", pred.spelling());
                self.typed_const(*lhs, locals, d);
                self.out.push_str(", ");
                self.typed_const(*rhs, locals, d);
                self.out.push(')');
            }
            ConstExpr::Select {
                cond,
                on_true,
                on_false,
            } => {
                self.out.push_str("select (");
                self.typed_const(*cond, locals, d);
                self.out.push_str(", ");
                self.typed_const(*on_true, locals, d);
                self.out.push_str(", ");
                self.typed_const(*on_false, locals, d);
                self.out.push(')');
            }
            ConstExpr::ExtractElement { vector, index } => {
                self.out.push_str("extractelement (");
                self.typed_const(*vector, locals, d);
                self.out.push_str(", ");
                self.typed_const(*index, locals, d);
                self.out.push(')');
            }
            ConstExpr::InsertElement {
                vector,
                element,
                index,
            } => {
                self.out.push_str("insertelement (");
                self.typed_const(*vector, locals, d);
                self.out.push_str(", ");
                self.typed_const(*element, locals, d);
                self.out.push_str(", ");
                self.typed_const(*index, locals, d);
                self.out.push(')');
            }
            ConstExpr::ShuffleVector { a, b, mask } => {
                self.out.push_str("shufflevector (");
                self.typed_const(*a, locals, d);
                self.out.push_str(", ");
                self.typed_const(*b, locals, d);
                self.out.push_str(", ");
                self.typed_const(*mask, locals, d);
                self.out.push(')');
            }
        }
    }

    fn int_flags(&mut self, flags: Flags) {
        if flags.contains(Flags::NUW) {
            self.out.push_str(" nuw");
        }
        if flags.contains(Flags::NSW) {
            self.out.push_str(" nsw");
        }
        if flags.contains(Flags::EXACT) {
            self.out.push_str(" exact");
        }
    }

    fn fast_math(&mut self, flags: Flags) {
        let fmf = flags.fast_math();
        if fmf.is_empty() {
            return;
        }
        if fmf.contains(Flags::FAST) {
            self.out.push_str(" fast");
            return;
        }
        for (flag, name) in Flags::FAST_MATH {
            if fmf.contains(flag) {
                self.out.push(' ');
                self.out.push_str(name);
            }
        }
    }

    // ----- metadata -----

    fn md_ref(&mut self, id: MetaId, locals: Option<&Locals>) {
        match self.m.metadata.get(id.0 as usize) {
            Some(Metadata::String(s)) => {
                self.out.push_str("!\"");
                write_escaped(s, &mut self.out);
                self.out.push('"');
            }
            Some(Metadata::Value { ty, value }) => {
                self.ty(*ty);
                self.out.push(' ');
                self.value(*value, locals);
            }
            Some(Metadata::Di(node)) if node.kind.info().inline => self.di_node(node, locals),
            Some(Metadata::Node { .. } | Metadata::Di(_)) => match self.md_slots.get(&id) {
                Some(n) => {
                    let _ = write!(self.out, "!{n}");
                }
                None => {
                    // Not reachable from any root the slot tracker walks
                    // (possible only in hand-built modules).
                    let _ = write!(self.out, "!<unnumbered {}>", id.0);
                }
            },
            None => {
                let _ = write!(self.out, "!<bad metadata {}>", id.0);
            }
        }
    }

    fn md_tuple(&mut self, operands: &[Option<MetaId>], locals: Option<&Locals>) {
        self.out.push_str("!{");
        for (i, op) in operands.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            match op {
                Some(id) => self.md_ref(*id, locals),
                None => self.out.push_str("null"),
            }
        }
        self.out.push('}');
    }

    // ----- functions -----

    fn function(&mut self, f: &Function) {
        let m = self.m;
        let (ret, params, varargs) = match m.types.function_parts(f.ty) {
            Some((r, p, v)) => (r, p.to_vec(), v),
            None => {
                let _ = writeln!(self.out, "; function @{} has a non-function type", f.name);
                return;
            }
        };
        let locals = self.number_locals(f);
        if f.is_declaration() {
            // LLVM puts a declaration's attachments right after `declare`.
            self.out.push_str("declare ");
            for (kind, md) in &f.attachments {
                self.attachment(kind, *md);
                self.out.push(' ');
            }
        } else {
            self.out.push_str("define ");
        }
        self.linkage(f.linkage);
        if f.dso_local {
            self.out.push_str("dso_local ");
        }
        self.visibility(f.visibility);
        self.cc(f.cc);
        if !f.ret_attrs.is_empty() {
            self.attrs(&f.ret_attrs, false);
            self.out.push(' ');
        }
        self.ty(ret);
        self.out.push_str(" @");
        write_name(&f.name, &mut self.out);
        self.out.push('(');
        for (i, pty) in params.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.ty(*pty);
            if let Some(p) = f.params.get(i) {
                if !p.attrs.is_empty() {
                    self.out.push(' ');
                    self.attrs(&p.attrs, false);
                }
            }
            if !f.is_declaration() {
                self.out.push(' ');
                self.out.push_str(locals.arg(i).unwrap_or_default());
            }
        }
        if varargs {
            if !params.is_empty() {
                self.out.push_str(", ");
            }
            self.out.push_str("...");
        }
        self.out.push(')');
        if f.unnamed_addr != UnnamedAddr::None {
            self.out.push(' ');
            self.out.push_str(f.unnamed_addr.spelling());
        }
        if let Some(n) = self.attr_lookup.get(&f.fn_attrs) {
            let _ = write!(self.out, " #{n}");
        }
        if let Some(s) = &f.section {
            self.out.push_str(" section \"");
            write_escaped(s.as_bytes(), &mut self.out);
            self.out.push('"');
        }
        if let Some(a) = f.align {
            let _ = write!(self.out, " align {a}");
        }
        if !f.is_declaration() {
            for (kind, md) in &f.attachments {
                self.out.push(' ');
                self.attachment(kind, *md);
            }
        }
        if f.is_declaration() {
            self.out.push('\n');
            return;
        }
        self.out.push_str(" {\n");
        for (b, block) in f.blocks.iter().enumerate() {
            if b > 0 {
                self.out.push('\n');
            }
            // The entry block's label is implicit when it is numbered.
            if b > 0 || block.name.is_some() {
                let label = locals.block(b).unwrap_or_default();
                self.out.push_str(label.strip_prefix('%').unwrap_or(label));
                self.out.push_str(":\n");
            }
            for id in &block.insts {
                match f.insts.get(id.0 as usize) {
                    Some(inst) => {
                        self.out.push_str("  ");
                        self.instruction(f, *id, inst, &locals);
                        self.out.push('\n');
                    }
                    None => {
                        let _ = writeln!(self.out, "  ; <bad instruction {}>", id.0);
                    }
                }
            }
        }
        self.out.push_str("}\n");
    }

    /// Assigns `%N` to unnamed arguments, blocks and results in LLVM's order
    /// (arguments, then each block followed by its results), and makes
    /// duplicate names unique so the text always reads back: the second `x`
    /// becomes the first of `x1`, `x2`, ... that is not taken.
    fn number_locals<'f>(&self, f: &'f Function) -> Locals {
        let mut l = Locals::default();
        let mut next = 0u32;
        // Names taken so far (a suffixed one owned, the rest borrowed).
        let mut used: HashSet<Cow<'f, str>> = HashSet::new();
        // For a name wanted more than once: the next suffix to try, every
        // smaller one being taken (names are never given back). Without it
        // the k-th duplicate of a name tried k candidates, so k duplicates
        // (which bitcode can hold) cost k^2/2 probes.
        let mut suffixes: HashMap<&'f str, u64> = HashMap::new();
        let mut fresh = |name: Option<&'f str>, buf: &mut String| -> (usize, usize) {
            let start = buf.len();
            buf.push('%');
            match name {
                Some(n) if !n.is_empty() => {
                    if used.insert(Cow::Borrowed(n)) {
                        write_name(n, buf);
                    } else {
                        let k = suffixes.entry(n).or_insert(1);
                        loop {
                            let candidate = format!("{n}{k}");
                            *k += 1;
                            if !used.contains(candidate.as_str()) {
                                write_name(&candidate, buf);
                                used.insert(Cow::Owned(candidate));
                                break;
                            }
                        }
                    }
                }
                _ => {
                    let _ = write!(buf, "{next}");
                    next += 1;
                }
            }
            (start, buf.len())
        };
        let param_count = self
            .m
            .types
            .function_parts(f.ty)
            .map_or(0, |(_, p, _)| p.len());
        l.args = (0..param_count)
            .map(|i| {
                let name = f.params.get(i).and_then(|p| p.name.as_deref());
                fresh(name, &mut l.buf)
            })
            .collect();
        l.blocks.reserve(f.blocks.len());
        l.insts = vec![None; f.insts.len()];
        let void = self.m.types.find(&Type::Void);
        for block in &f.blocks {
            let r = fresh(block.name.as_deref(), &mut l.buf);
            l.blocks.push(r);
            for id in &block.insts {
                if let Some(inst) = f.insts.get(id.0 as usize) {
                    if Some(inst.ty) != void {
                        let r = fresh(inst.name.as_deref(), &mut l.buf);
                        l.insts[id.0 as usize] = Some(r);
                    }
                }
            }
        }
        l
    }

    fn value(&mut self, v: Value, locals: Option<&Locals>) {
        match v {
            Value::Const(c) => self.constant(c, locals, 0),
            Value::Arg(i) => match locals.and_then(|l| l.arg(i as usize)) {
                Some(name) => self.out.push_str(name),
                None => {
                    let _ = write!(self.out, "%<bad argument {i}>");
                }
            },
            Value::Inst(id) => match locals.and_then(|l| l.inst(id)) {
                Some(name) => self.out.push_str(name),
                None => {
                    let _ = write!(self.out, "%<bad instruction {}>", id.0);
                }
            },
            Value::Metadata(md) => match self.m.metadata.get(md.0 as usize) {
                Some(Metadata::Value { .. } | Metadata::String(_)) | None => {
                    self.md_ref(md, locals)
                }
                Some(Metadata::Node { .. } | Metadata::Di(_)) => self.md_ref(md, locals),
            },
        }
    }

    fn value_type(&self, f: &Function, v: Value) -> Option<TypeId> {
        self.m.value_type(Some(f), v)
    }

    fn typed_value(&mut self, f: &Function, v: Value, locals: &Locals) {
        if let Value::Metadata(_) = v {
            self.out.push_str("metadata ");
            self.value(v, Some(locals));
            return;
        }
        match self.value_type(f, v) {
            Some(ty) => self.ty(ty),
            None => self.out.push_str("<unknown type>"),
        }
        self.out.push(' ');
        self.value(v, Some(locals));
    }

    fn block_ref(&mut self, b: BlockId, locals: &Locals) {
        self.out.push_str("label ");
        self.block_name(b, locals);
    }

    fn block_name(&mut self, b: BlockId, locals: &Locals) {
        match locals.block(b.0 as usize) {
            Some(name) => self.out.push_str(name),
            None => {
                let _ = write!(self.out, "%<bad block {}>", b.0);
            }
        }
    }

    fn align(&mut self, align: Option<u64>) {
        if let Some(a) = align {
            let _ = write!(self.out, ", align {a}");
        }
    }

    fn scope(&mut self, scope: &str) {
        if !scope.is_empty() {
            self.out.push_str(" syncscope(\"");
            write_escaped(scope.as_bytes(), &mut self.out);
            self.out.push_str("\")");
        }
    }

    fn atomic_suffix(&mut self, atomic: &Option<Box<Atomic>>) {
        if let Some(a) = atomic {
            self.scope(&a.scope);
            self.out.push(' ');
            self.out.push_str(a.ordering.spelling());
        }
    }

    fn instruction(&mut self, f: &Function, id: InstId, inst: &Instruction, locals: &Locals) {
        if let Some(name) = locals.inst(id) {
            self.out.push_str(name);
            self.out.push_str(" = ");
        }
        let op = inst.kind.opcode();
        match &inst.kind {
            InstKind::Binary { lhs, rhs, .. } => {
                self.out.push_str(op.mnemonic());
                self.int_flags(inst.flags);
                self.fast_math(inst.flags);
                self.out.push(' ');
                self.typed_value(f, *lhs, locals);
                self.out.push_str(", ");
                self.value(*rhs, Some(locals));
            }
            InstKind::FNeg { value } => {
                self.out.push_str("fneg");
                self.fast_math(inst.flags);
                self.out.push(' ');
                self.typed_value(f, *value, locals);
            }
            InstKind::Cast { value, .. } => {
                self.out.push_str(op.mnemonic());
                self.out.push(' ');
                self.typed_value(f, *value, locals);
                self.out.push_str(" to ");
                self.ty(inst.ty);
            }
            InstKind::ICmp { pred, lhs, rhs } => {
                let _ = write!(self.out, "icmp {} ", pred.spelling());
                self.typed_value(f, *lhs, locals);
                self.out.push_str(", ");
                self.value(*rhs, Some(locals));
            }
            InstKind::FCmp { pred, lhs, rhs } => {
                self.out.push_str("fcmp");
                self.fast_math(inst.flags);
                let _ = write!(self.out, " {} ", pred.spelling());
                self.typed_value(f, *lhs, locals);
                self.out.push_str(", ");
                self.value(*rhs, Some(locals));
            }
            InstKind::Select {
                cond,
                on_true,
                on_false,
            } => {
                self.out.push_str("select");
                self.fast_math(inst.flags);
                self.out.push(' ');
                self.typed_value(f, *cond, locals);
                self.out.push_str(", ");
                self.typed_value(f, *on_true, locals);
                self.out.push_str(", ");
                self.typed_value(f, *on_false, locals);
            }
            InstKind::Phi { incoming } => {
                self.out.push_str("phi");
                self.fast_math(inst.flags);
                self.out.push(' ');
                self.ty(inst.ty);
                for (i, (v, b)) in incoming.iter().enumerate() {
                    self.out.push_str(if i == 0 { " [ " } else { ", [ " });
                    self.value(*v, Some(locals));
                    self.out.push_str(", ");
                    self.block_name(*b, locals);
                    self.out.push_str(" ]");
                }
            }
            InstKind::Alloca {
                allocated,
                count,
                align,
            } => {
                self.out.push_str("alloca ");
                self.ty(*allocated);
                if let Some(c) = count {
                    self.out.push_str(", ");
                    self.typed_value(f, *c, locals);
                }
                self.align(*align);
                if let Some((_, a)) = self.m.types.pointer_parts(inst.ty) {
                    if a != 0 {
                        let _ = write!(self.out, ", addrspace({a})");
                    }
                }
            }
            InstKind::Load {
                ptr,
                align,
                volatile,
                atomic,
            } => {
                self.out.push_str("load ");
                if atomic.is_some() {
                    self.out.push_str("atomic ");
                }
                if *volatile {
                    self.out.push_str("volatile ");
                }
                self.ty(inst.ty);
                self.out.push_str(", ");
                self.typed_value(f, *ptr, locals);
                self.atomic_suffix(atomic);
                self.align(*align);
            }
            InstKind::Store {
                value,
                ptr,
                align,
                volatile,
                atomic,
            } => {
                self.out.push_str("store ");
                if atomic.is_some() {
                    self.out.push_str("atomic ");
                }
                if *volatile {
                    self.out.push_str("volatile ");
                }
                self.typed_value(f, *value, locals);
                self.out.push_str(", ");
                self.typed_value(f, *ptr, locals);
                self.atomic_suffix(atomic);
                self.align(*align);
            }
            InstKind::GetElementPtr {
                source,
                base,
                indices,
                inbounds,
            } => {
                self.out.push_str("getelementptr ");
                if *inbounds {
                    self.out.push_str("inbounds ");
                }
                self.ty(*source);
                self.out.push_str(", ");
                self.typed_value(f, *base, locals);
                for idx in indices {
                    self.out.push_str(", ");
                    self.typed_value(f, *idx, locals);
                }
            }
            InstKind::ExtractElement { vector, index } => {
                self.out.push_str("extractelement ");
                self.typed_value(f, *vector, locals);
                self.out.push_str(", ");
                self.typed_value(f, *index, locals);
            }
            InstKind::InsertElement {
                vector,
                element,
                index,
            } => {
                self.out.push_str("insertelement ");
                self.typed_value(f, *vector, locals);
                self.out.push_str(", ");
                self.typed_value(f, *element, locals);
                self.out.push_str(", ");
                self.typed_value(f, *index, locals);
            }
            InstKind::ShuffleVector { a, b, mask } => {
                self.out.push_str("shufflevector ");
                self.typed_value(f, *a, locals);
                self.out.push_str(", ");
                self.typed_value(f, *b, locals);
                self.out.push_str(", ");
                self.typed_value(f, *mask, locals);
            }
            InstKind::ExtractValue { aggregate, indices } => {
                self.out.push_str("extractvalue ");
                self.typed_value(f, *aggregate, locals);
                for i in indices {
                    let _ = write!(self.out, ", {i}");
                }
            }
            InstKind::InsertValue {
                aggregate,
                value,
                indices,
            } => {
                self.out.push_str("insertvalue ");
                self.typed_value(f, *aggregate, locals);
                self.out.push_str(", ");
                self.typed_value(f, *value, locals);
                for i in indices {
                    let _ = write!(self.out, ", {i}");
                }
            }
            InstKind::Call(call) => {
                match call.tail {
                    TailKind::None => {}
                    TailKind::Tail => self.out.push_str("tail "),
                    TailKind::MustTail => self.out.push_str("musttail "),
                    TailKind::NoTail => self.out.push_str("notail "),
                }
                self.out.push_str("call");
                self.fast_math(inst.flags);
                self.out.push(' ');
                self.cc(call.cc);
                if !call.ret_attrs.is_empty() {
                    self.attrs(&call.ret_attrs, false);
                    self.out.push(' ');
                }
                // LLVM writes only the return type unless the callee is
                // varargs or returns a function pointer (ambiguous text).
                let m = self.m;
                match m.types.function_parts(call.fn_ty) {
                    Some((ret, _, varargs)) => {
                        let returns_fn_ptr = m
                            .types
                            .pointer_parts(ret)
                            .is_some_and(|(p, _)| m.types.function_parts(p).is_some());
                        if varargs || returns_fn_ptr {
                            self.ty(call.fn_ty);
                        } else {
                            self.ty(ret);
                        }
                    }
                    None => self.ty(call.fn_ty),
                }
                self.out.push(' ');
                self.value(call.callee, Some(locals));
                self.out.push('(');
                for (i, arg) in call.args.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    if let Value::Metadata(_) = arg {
                        self.typed_value(f, *arg, locals);
                        continue;
                    }
                    match self.value_type(f, *arg) {
                        Some(ty) => self.ty(ty),
                        None => self.out.push_str("<unknown type>"),
                    }
                    if let Some(attrs) = call.arg_attrs.get(i) {
                        if !attrs.is_empty() {
                            self.out.push(' ');
                            self.attrs(attrs, false);
                        }
                    }
                    self.out.push(' ');
                    self.value(*arg, Some(locals));
                }
                self.out.push(')');
                if let Some(n) = self.attr_lookup.get(&call.fn_attrs) {
                    let _ = write!(self.out, " #{n}");
                }
            }
            InstKind::Br { dest } => {
                self.out.push_str("br ");
                self.block_ref(*dest, locals);
            }
            InstKind::CondBr {
                cond,
                if_true,
                if_false,
            } => {
                self.out.push_str("br ");
                self.typed_value(f, *cond, locals);
                self.out.push_str(", ");
                self.block_ref(*if_true, locals);
                self.out.push_str(", ");
                self.block_ref(*if_false, locals);
            }
            InstKind::Switch {
                cond,
                default,
                cases,
            } => {
                self.out.push_str("switch ");
                self.typed_value(f, *cond, locals);
                self.out.push_str(", ");
                self.block_ref(*default, locals);
                self.out.push_str(" [\n");
                for (value, dest) in cases {
                    self.out.push_str("    ");
                    self.typed_const(*value, Some(locals), 0);
                    self.out.push_str(", ");
                    self.block_ref(*dest, locals);
                    self.out.push('\n');
                }
                self.out.push_str("  ]");
            }
            InstKind::Ret { value } => match value {
                Some(v) => {
                    self.out.push_str("ret ");
                    self.typed_value(f, *v, locals);
                }
                None => self.out.push_str("ret void"),
            },
            InstKind::Unreachable => self.out.push_str("unreachable"),
            InstKind::AtomicRmw(rmw) => {
                self.out.push_str("atomicrmw ");
                if rmw.volatile {
                    self.out.push_str("volatile ");
                }
                self.out.push_str(rmw.op.spelling());
                self.out.push(' ');
                self.typed_value(f, rmw.ptr, locals);
                self.out.push_str(", ");
                self.typed_value(f, rmw.value, locals);
                self.scope(&rmw.scope);
                self.out.push(' ');
                self.out.push_str(rmw.ordering.spelling());
                self.align(rmw.align);
            }
            InstKind::CmpXchg(x) => {
                self.out.push_str("cmpxchg ");
                if x.weak {
                    self.out.push_str("weak ");
                }
                if x.volatile {
                    self.out.push_str("volatile ");
                }
                self.typed_value(f, x.ptr, locals);
                self.out.push_str(", ");
                self.typed_value(f, x.expected, locals);
                self.out.push_str(", ");
                self.typed_value(f, x.new, locals);
                self.scope(&x.scope);
                let _ = write!(
                    self.out,
                    " {} {}",
                    x.success.spelling(),
                    x.failure.spelling()
                );
                self.align(x.align);
            }
            InstKind::Fence { ordering, scope } => {
                self.out.push_str("fence");
                self.scope(scope);
                self.out.push(' ');
                self.out.push_str(ordering.spelling());
            }
            InstKind::Freeze { value } => {
                self.out.push_str("freeze ");
                self.typed_value(f, *value, locals);
            }
        }
        for (kind, md) in dbg_first(&inst.attachments) {
            self.out.push_str(", ");
            self.attachment(kind, *md);
        }
    }
}

/// An instruction's attachments with `!dbg` (its debug location, which
/// LLVM keeps apart from the other attachments) first.
fn dbg_first(list: &[(String, MetaId)]) -> impl Iterator<Item = &(String, MetaId)> {
    let dbg = list.iter().filter(|(k, _)| k == "dbg");
    dbg.chain(list.iter().filter(|(k, _)| k != "dbg"))
}

/// Named-metadata and attachment-kind names: LLVM allows `[-a-zA-Z$._][-a-zA-Z$._0-9]*`
/// and escapes the rest with `\XX`.
fn write_name_md(name: &str, out: &mut String) {
    if is_bare_name(name) {
        out.push_str(name);
    } else {
        write_escaped(name.as_bytes(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_llvm() {
        assert_eq!(format_fp(1.0), "1.000000e+00");
        assert_eq!(format_fp(-2.5), "-2.500000e+00");
        assert_eq!(format_fp(0.1), "1.000000e-01");
        assert_eq!(format_fp(1e300), "1.000000e+300");
        // 0.1f widened to double does not read back from 7 digits.
        assert_eq!(format_fp(f64::from(0.1f32)), "0x3FB99999A0000000");
        assert_eq!(format_fp(-0.0), "-0.000000e+00");
        assert_eq!(format_fp(f64::INFINITY), "0x7FF0000000000000");
    }

    #[test]
    fn names_quote_when_needed() {
        let mut s = String::new();
        write_name("air.wg.barrier", &mut s);
        s.push(' ');
        write_name("a b", &mut s);
        s.push(' ');
        write_name("1x", &mut s);
        s.push(' ');
        write_name("12", &mut s);
        s.push(' ');
        write_name("q\"", &mut s);
        assert_eq!(s, r#"air.wg.barrier "a b" "1x" 12 "q\22""#);
    }
}
