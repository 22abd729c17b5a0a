//! Attributes: keyword, integer, type and string attributes.

use super::{check_align, PResult, Parser};
use crate::attributes::{AttrKind, AttrSet, AttrShape, Attribute};
use crate::text::lex::TokenKind;

/// Where an attribute list is written; it decides how `align` is spelled
/// and what ends the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AttrContext {
    /// A parameter in a function header; anything but a name, `,` or `)`
    /// after the type must be an attribute.
    Param,
    /// A call argument; a keyword that is no attribute starts the value.
    CallArg,
    /// Return attributes, before the return type.
    Return,
    /// Function attributes after the parameter list (header or call site).
    Function,
    /// Inside `attributes #N = { ... }`, where integers follow `=`.
    Group,
}

impl Parser<'_> {
    /// A list of attributes; stops at the first token that is none.
    pub(super) fn parse_attrs(&mut self, ctx: AttrContext) -> PResult<AttrSet> {
        let mut list = Vec::new();
        while let Some(a) = self.parse_one_attr(ctx)? {
            list.push(a);
        }
        let set = AttrSet::from_attrs(list);
        if ctx == AttrContext::Param {
            if let Some(w) = self.word() {
                return Err(self.err(format!("unknown attribute '{w}'")));
            }
        }
        Ok(set)
    }

    /// One attribute, or `None` (consuming nothing) if the current token
    /// does not start one.
    pub(super) fn parse_one_attr(&mut self, ctx: AttrContext) -> PResult<Option<Attribute>> {
        match self.peek() {
            TokenKind::Str => {
                let key = self.expect_string("attribute name")?;
                let value = if self.eat(TokenKind::Equal) {
                    self.expect_string("attribute value string")?
                } else {
                    String::new()
                };
                Ok(Some(Attribute::String { key, value }))
            }
            TokenKind::Word => {
                let Some(kind) = self.word().and_then(AttrKind::from_spelling) else {
                    return Ok(None);
                };
                self.bump();
                let attr = match kind.shape() {
                    AttrShape::Enum => Attribute::Enum(kind),
                    AttrShape::Type => {
                        if self.eat(TokenKind::LParen) {
                            let ty = self.parse_type()?;
                            self.expect(TokenKind::RParen, "')' after type attribute")?;
                            Attribute::Type(kind, Some(ty))
                        } else {
                            Attribute::Type(kind, None)
                        }
                    }
                    AttrShape::Int => Attribute::Int(kind, self.attr_int(kind, ctx)?),
                };
                Ok(Some(attr))
            }
            _ => Ok(None),
        }
    }

    /// The integer payload of an integer attribute.
    fn attr_int(&mut self, kind: AttrKind, ctx: AttrContext) -> PResult<u64> {
        match kind {
            AttrKind::Alignment | AttrKind::StackAlignment => {
                // `align=N` (groups), `align N` (params), `alignstack(N)`.
                let parens = self.eat(TokenKind::LParen);
                if !parens && (ctx == AttrContext::Group || kind == AttrKind::StackAlignment) {
                    self.expect(TokenKind::Equal, "'=' or '(' after alignment attribute")?;
                }
                let at = self.pos;
                let v = self.parse_u64()?;
                check_align(v).map_err(|m| self.err_at(at, m))?;
                if parens {
                    self.expect(TokenKind::RParen, "')' after alignment")?;
                }
                Ok(v)
            }
            AttrKind::Dereferenceable | AttrKind::DereferenceableOrNull => {
                self.expect(TokenKind::LParen, "'(' after dereferenceable attribute")?;
                let v = self.parse_u64()?;
                self.expect(TokenKind::RParen, "')' after dereferenceable size")?;
                Ok(v)
            }
            AttrKind::AllocSize | AttrKind::VScaleRange => {
                self.expect(TokenKind::LParen, "'('")?;
                let a = self.parse_u32()?;
                let b = if self.eat(TokenKind::Comma) {
                    let at = self.pos;
                    let b = self.parse_u32()?;
                    if kind == AttrKind::AllocSize && b == u32::MAX {
                        return Err(self.err_at(at, "invalid allocsize argument"));
                    }
                    b
                } else if kind == AttrKind::AllocSize {
                    // LLVM's "no second argument" marker.
                    u32::MAX
                } else {
                    // `vscale_range(n)` means exactly n.
                    a
                };
                self.expect(TokenKind::RParen, "')'")?;
                Ok(u64::from(a) << 32 | u64::from(b))
            }
            _ => Err(self.err("unsupported integer attribute")),
        }
    }
}
