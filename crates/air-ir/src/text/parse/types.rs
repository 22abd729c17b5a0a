//! Types, and type names for error messages.

use super::{Nest, PResult, Parser};
use crate::text::lex::TokenKind;
use crate::types::{StructBody, Type, TypeId};

/// How many type keywords [`common_type_slot`] knows.
pub(super) const COMMON_TYPES: usize = 9;

/// The cache slot of the type keywords AIR uses most.
fn common_type_slot(w: &[u8]) -> Option<usize> {
    Some(match w {
        b"i32" => 0,
        b"float" => 1,
        b"i8" => 2,
        b"i1" => 3,
        b"i64" => 4,
        b"void" => 5,
        b"half" => 6,
        b"i16" => 7,
        b"double" => 8,
        _ => return None,
    })
}

impl Parser<'_> {
    /// A type, including pointer and function-type suffixes.
    pub(super) fn parse_type(&mut self) -> PResult<TypeId> {
        self.enter_as(Nest::Type, |p| {
            let start = p.pos;
            let mut ty = p.parse_base_type()?;
            loop {
                match p.peek() {
                    TokenKind::Star => {
                        p.check_pointee(ty, start)?;
                        p.bump();
                        ty = p.ptr_type(ty, 0);
                    }
                    TokenKind::Word if p.at_word("addrspace") => {
                        p.check_pointee(ty, start)?;
                        p.bump();
                        let n = p.parse_addrspace_value()?;
                        p.expect(TokenKind::Star, "'*' after address space")?;
                        ty = p.ptr_type(ty, n);
                    }
                    TokenKind::LParen => {
                        if matches!(
                            p.m.types.get(ty),
                            Type::Function { .. } | Type::Label | Type::Metadata
                        ) {
                            return Err(p.err_at(start, "invalid function return type"));
                        }
                        p.bump();
                        ty = p.function_type_params(ty)?;
                    }
                    _ => return Ok(ty),
                }
            }
        })
    }

    /// `T addrspace(n)*`, through the parser's cache.
    pub(super) fn ptr_type(&mut self, pointee: TypeId, addrspace: u32) -> TypeId {
        if let Some(&t) = self.ptr_types.get(&(pointee, addrspace)) {
            return t;
        }
        let t = self.m.types.ptr(pointee, addrspace);
        self.ptr_types.insert((pointee, addrspace), t);
        t
    }

    fn check_pointee(&self, ty: TypeId, at: usize) -> PResult<()> {
        if matches!(
            self.m.types.get(ty),
            Type::Void | Type::Label | Type::Metadata | Type::Token
        ) {
            return Err(self.err_at(at, "pointer to this type is invalid"));
        }
        Ok(())
    }

    /// `(T, U, ...)` of a function type, after the `(`.
    fn function_type_params(&mut self, ret: TypeId) -> PResult<TypeId> {
        let mut params = Vec::new();
        let mut varargs = false;
        if !self.eat(TokenKind::RParen) {
            loop {
                if self.eat(TokenKind::Ellipsis) {
                    varargs = true;
                    self.expect(TokenKind::RParen, "')' after '...'")?;
                    break;
                }
                let at = self.pos;
                let p = self.parse_type()?;
                if matches!(
                    self.m.types.get(p),
                    Type::Void | Type::Function { .. } | Type::Label
                ) {
                    return Err(self.err_at(at, "invalid type for function argument"));
                }
                if self.peek() == TokenKind::Word || self.peek() == TokenKind::Str {
                    return Err(self.err("argument attributes invalid in function type"));
                }
                params.push(p);
                if self.eat(TokenKind::RParen) {
                    break;
                }
                self.expect(TokenKind::Comma, "',' or ')' in function type")?;
            }
        }
        Ok(self.m.types.function(ret, params, varargs))
    }

    fn parse_base_type(&mut self) -> PResult<TypeId> {
        let t = self.tok();
        match t.kind {
            TokenKind::Word => {
                let w = self.text(t);
                let slot = common_type_slot(w.as_bytes());
                let known = match slot {
                    Some(i) => self.common_types[i],
                    None => self.word_types.get(w).copied(),
                };
                if let Some(ty) = known {
                    self.bump();
                    return Ok(ty);
                }
                let ty = match w {
                    "void" => Type::Void,
                    "half" => Type::Half,
                    "bfloat" => Type::BFloat,
                    "float" => Type::Float,
                    "double" => Type::Double,
                    "label" => Type::Label,
                    "metadata" => Type::Metadata,
                    "token" => Type::Token,
                    "ptr" => {
                        return Err(
                            self.err("opaque pointers are not supported in typed-pointer IR")
                        )
                    }
                    "x86_fp80" | "fp128" | "ppc_fp128" | "x86_mmx" | "x86_amx" => {
                        return Err(self.err(format!("type '{w}' is not supported")))
                    }
                    _ if is_int_type_word(w) => {
                        let bits = w[1..].parse::<u32>().unwrap_or(u32::MAX);
                        if bits == 0 || bits >= 1 << 23 {
                            return Err(self.err("bitwidth for integer type out of range"));
                        }
                        Type::Int(bits)
                    }
                    _ => return Err(self.err("expected type")),
                };
                self.bump();
                let id = self.m.types.intern(ty);
                match slot {
                    Some(i) => self.common_types[i] = Some(id),
                    None => {
                        self.word_types.insert(w, id);
                    }
                }
                Ok(id)
            }
            TokenKind::Local(_) => {
                let at = self.pos;
                let key = self.key_of(at)?;
                self.bump();
                if let Some(&alias) = self.type_aliases.get(&key) {
                    return Ok(alias);
                }
                Ok(self.named_type_entry(key, at))
            }
            TokenKind::LBracket => {
                self.bump();
                let len = self.parse_u64()?;
                self.expect_word("x")?;
                let at = self.pos;
                let elem = self.parse_type()?;
                if matches!(
                    self.m.types.get(elem),
                    Type::Void | Type::Label | Type::Metadata | Type::Function { .. } | Type::Token
                ) {
                    return Err(self.err_at(at, "invalid array element type"));
                }
                self.expect(TokenKind::RBracket, "']' at end of array type")?;
                Ok(self.m.types.array(elem, len))
            }
            TokenKind::Less => {
                self.bump();
                if self.peek() == TokenKind::LBrace {
                    let body = self.struct_fields(true)?;
                    self.expect(TokenKind::Greater, "'>' at end of packed struct")?;
                    return Ok(self.m.types.struct_(body, true));
                }
                if self.at_word("vscale") {
                    return Err(self.err("scalable vectors are not supported"));
                }
                let at = self.pos;
                let len = self.parse_u64()?;
                let len = u32::try_from(len)
                    .ok()
                    .filter(|l| *l > 0)
                    .ok_or_else(|| self.err_at(at, "invalid vector length"))?;
                self.expect_word("x")?;
                let at = self.pos;
                let elem = self.parse_type()?;
                if !matches!(
                    self.m.types.get(elem),
                    Type::Int(_)
                        | Type::Half
                        | Type::BFloat
                        | Type::Float
                        | Type::Double
                        | Type::Pointer { .. }
                ) {
                    return Err(self.err_at(at, "invalid vector element type"));
                }
                self.expect(TokenKind::Greater, "'>' at end of vector type")?;
                Ok(self.m.types.vector(elem, len))
            }
            TokenKind::LBrace => {
                let fields = self.struct_fields(false)?;
                Ok(self.m.types.struct_(fields, false))
            }
            _ => Err(self.err("expected type")),
        }
    }

    /// `{ T, ... }` (the `<` of a packed struct already consumed).
    fn struct_fields(&mut self, _packed: bool) -> PResult<Vec<TypeId>> {
        self.expect(TokenKind::LBrace, "'{'")?;
        let mut fields = Vec::new();
        if self.eat(TokenKind::RBrace) {
            return Ok(fields);
        }
        loop {
            let at = self.pos;
            let f = self.parse_type()?;
            if matches!(
                self.m.types.get(f),
                Type::Void | Type::Label | Type::Metadata | Type::Function { .. } | Type::Token
            ) {
                return Err(self.err_at(at, "invalid element type for struct"));
            }
            fields.push(f);
            if self.eat(TokenKind::RBrace) {
                return Ok(fields);
            }
            self.expect(TokenKind::Comma, "',' or '}' in struct type")?;
        }
    }

    /// The body of `%T = type { ... }` or `<{ ... }>`.
    pub(super) fn parse_struct_body(&mut self) -> PResult<StructBody> {
        self.enter_as(Nest::Type, |p| {
            let packed = p.eat(TokenKind::Less);
            let fields = p.struct_fields(packed)?;
            if packed {
                p.expect(TokenKind::Greater, "'>' at end of packed struct")?;
            }
            Ok(StructBody::Fields { fields, packed })
        })
    }

    /// The LLVM spelling of a type, for error messages.
    pub(super) fn type_name(&self, ty: TypeId) -> String {
        let mut out = String::new();
        self.write_type_name(ty, &mut out, 0);
        out
    }

    fn write_type_name(&self, ty: TypeId, out: &mut String, depth: u32) {
        use std::fmt::Write;
        if depth > crate::limits::MAX_TYPE_NAME_DEPTH {
            out.push_str("...");
            return;
        }
        let Some(t) = self.m.types.try_get(ty) else {
            out.push_str("<invalid type>");
            return;
        };
        let list = |this: &Self, out: &mut String, items: &[TypeId]| {
            for (i, f) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                this.write_type_name(*f, out, depth + 1);
            }
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
                self.write_type_name(*pointee, out, depth + 1);
                if *addrspace != 0 {
                    let _ = write!(out, " addrspace({addrspace})");
                }
                out.push('*');
            }
            Type::Array { len, elem } => {
                let _ = write!(out, "[{len} x ");
                self.write_type_name(*elem, out, depth + 1);
                out.push(']');
            }
            Type::Vector { len, elem } => {
                let _ = write!(out, "<{len} x ");
                self.write_type_name(*elem, out, depth + 1);
                out.push('>');
            }
            Type::Struct { fields, packed } => {
                if fields.is_empty() {
                    out.push_str(if *packed { "<{}>" } else { "{}" });
                } else {
                    out.push_str(if *packed { "<{ " } else { "{ " });
                    list(self, out, fields);
                    out.push_str(if *packed { " }>" } else { " }" });
                }
            }
            Type::Named(n) => {
                let _ = write!(out, "%{n}");
            }
            Type::Function {
                ret,
                params,
                varargs,
            } => {
                self.write_type_name(*ret, out, depth + 1);
                out.push_str(" (");
                list(self, out, params);
                if *varargs {
                    out.push_str(if params.is_empty() { "..." } else { ", ..." });
                }
                out.push(')');
            }
        }
    }
}

/// Whether `w` is `i` followed by decimal digits only.
fn is_int_type_word(w: &str) -> bool {
    w.len() > 1 && w.starts_with('i') && w.as_bytes()[1..].iter().all(u8::is_ascii_digit)
}
