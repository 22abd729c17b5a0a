//! Metadata: definitions, named metadata, attachments and operands.

use super::{MetaSlot, PResult, Parser};
use crate::inst::Value;
use crate::metadata::{MetaId, Metadata, NamedMetadata};
use crate::text::lex::TokenKind;
use crate::types::Type;

impl<'a> Parser<'a> {
    /// `!N = [distinct] !{...}` or `!name = !{!0, ...}`.
    pub(super) fn metadata_definition(&mut self) -> PResult<()> {
        let at = self.pos;
        let t = self.bump();
        self.expect(TokenKind::Equal, "'=' here")?;
        if t.kind == TokenKind::MetaVar {
            let name = self.meta_name(at)?;
            self.expect(TokenKind::Exclaim, "'!' here")?;
            self.expect(TokenKind::LBrace, "'{' here")?;
            let mut operands = Vec::new();
            if !self.eat(TokenKind::RBrace) {
                loop {
                    // LLVM parses `!DIExpression(...)` inline here as a
                    // special case; other nodes must be numbered.
                    if self.at_di_node() {
                        match self.text(self.tok()) {
                            "!DIExpression" => {
                                let id = self.di_operand(false)?;
                                operands.push(id);
                            }
                            "!DIArgList" => {
                                return Err(self.err("found DIArgList outside of function"))
                            }
                            _ => return Err(self.err("expected '!' here")),
                        }
                    } else if self.peek() != TokenKind::MetaId {
                        return Err(self.err("expected metadata node reference '!N'"));
                    } else {
                        operands.push(self.md_ref()?);
                    }
                    if self.eat(TokenKind::RBrace) {
                        break;
                    }
                    self.expect(TokenKind::Comma, "',' or '}'")?;
                }
            }
            // Repeated named metadata accumulates, as in LLVM. Found by a
            // map, not a scan of the earlier names: 100 000 names (1.4 MB
            // of text) took 15 s that way.
            let existing = self
                .named_md
                .get(&name)
                .and_then(|&i| self.m.named_metadata.get_mut(i));
            match existing {
                Some(existing) => existing.operands.extend(operands),
                None => {
                    self.named_md
                        .insert(name.clone(), self.m.named_metadata.len());
                    self.m.named_metadata.push(NamedMetadata { name, operands });
                }
            }
            return Ok(());
        }
        let id = self.meta_slot(at, true)?;
        let distinct = self.eat_word("distinct");
        if self.at_di_node() {
            let node = self.di_node(distinct, false)?;
            self.m.metadata[id.0 as usize] = Metadata::Di(node);
            return Ok(());
        }
        if self.peek() != TokenKind::Exclaim || self.peek_next() != TokenKind::LBrace {
            return Err(self.err("expected metadata node '!{...}'"));
        }
        let operands = self.md_tuple()?;
        self.m.metadata[id.0 as usize] = Metadata::Node { operands, distinct };
        Ok(())
    }

    /// The name of a `!name` token (without `!`, unescaped).
    fn meta_name(&self, at: usize) -> PResult<String> {
        let t = self.tok_at(at);
        let raw = self.text(t).get(1..).unwrap_or("");
        let bytes = super::unescape(raw);
        String::from_utf8(bytes.into_owned())
            .map_err(|_| self.err_at(at, "name is not valid UTF-8"))
    }

    /// The slot of the `!N` token at `at`: reserved on first use. With
    /// `define`, marks it defined (an error if it already was).
    fn meta_slot(&mut self, at: usize, define: bool) -> PResult<MetaId> {
        let t = self.tok_at(at);
        let n: u32 = self
            .text(t)
            .get(1..)
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| self.err_at(at, "metadata number too large"))?;
        if !self.meta_slots.contains_key(&n) {
            let id = self.m.add_metadata(Metadata::Node {
                operands: Vec::new(),
                distinct: false,
            });
            self.meta_slots.insert(
                n,
                MetaSlot {
                    id,
                    defined: false,
                    first_use: at,
                },
            );
        }
        let (id, was_defined) = match self.meta_slots.get_mut(&n) {
            Some(slot) => {
                let was = slot.defined;
                slot.defined |= define;
                (slot.id, was)
            }
            None => return Err(self.err_at(at, "internal error: metadata slot vanished")),
        };
        if define && was_defined {
            return Err(self.err_at(at, format!("redefinition of metadata '!{n}'")));
        }
        Ok(id)
    }

    /// A `!N` reference (the current token).
    pub(super) fn md_ref(&mut self) -> PResult<MetaId> {
        let at = self.pos;
        self.bump();
        self.meta_slot(at, false)
    }

    /// `!kind !N` or `!kind !{...}` (the current token is `!kind`).
    pub(super) fn attachment(&mut self) -> PResult<(String, MetaId)> {
        let at = self.pos;
        self.bump();
        let kind = self.meta_name(at)?;
        let node = match self.peek() {
            TokenKind::MetaId => self.md_ref()?,
            TokenKind::Exclaim if self.peek_next() == TokenKind::LBrace => {
                let operands = self.md_tuple()?;
                self.m.add_metadata(Metadata::Node {
                    operands,
                    distinct: false,
                })
            }
            TokenKind::MetaVar if self.at_di_node() => self.di_operand(false)?,
            _ => return Err(self.err("expected metadata node after attachment kind")),
        };
        Ok((kind, node))
    }

    /// `!{ op, ... }` (the current token is `!`).
    fn md_tuple(&mut self) -> PResult<Vec<Option<MetaId>>> {
        self.enter(|p| {
            p.bump();
            p.expect(TokenKind::LBrace, "'{' here")?;
            let mut ops = Vec::new();
            if p.eat(TokenKind::RBrace) {
                return Ok(ops);
            }
            loop {
                ops.push(p.md_operand()?);
                if p.eat(TokenKind::RBrace) {
                    return Ok(ops);
                }
                p.expect(TokenKind::Comma, "',' or '}' in metadata node")?;
            }
        })
    }

    /// One operand of a tuple: `!N`, `!"s"`, `!{...}`, `null` or `T value`.
    fn md_operand(&mut self) -> PResult<Option<MetaId>> {
        if self.eat_word("null") {
            return Ok(None);
        }
        self.md_non_null(false).map(Some)
    }

    /// A metadata operand that is not `null`. `local` allows function-local
    /// values (`metadata i32 %x` call arguments).
    pub(super) fn md_non_null(&mut self, local: bool) -> PResult<MetaId> {
        match self.peek() {
            TokenKind::MetaId => self.md_ref(),
            TokenKind::Exclaim => match self.peek_next() {
                TokenKind::Str => {
                    self.bump();
                    let at = self.pos;
                    self.bump();
                    let bytes = self.string_bytes_at(at).into_owned();
                    Ok(self.intern_md(Metadata::String(bytes)))
                }
                TokenKind::LBrace => {
                    let operands = self.md_tuple()?;
                    Ok(self.m.add_metadata(Metadata::Node {
                        operands,
                        distinct: false,
                    }))
                }
                _ => Err(self.err("expected metadata")),
            },
            TokenKind::MetaVar if self.at_di_node() => self.di_operand(local),
            TokenKind::MetaVar => Err(self.err("expected metadata")),
            _ => self.value_as_metadata(local),
        }
    }

    /// A typed value as metadata (`i32 1`, `void ()* @f`, and with `local`
    /// also `i32 %x`).
    pub(super) fn value_as_metadata(&mut self, local: bool) -> PResult<MetaId> {
        {
            {
                let at = self.pos;
                let ty = self.parse_type()?;
                if matches!(
                    self.m.types.get(ty),
                    Type::Metadata | Type::Label | Type::Void
                ) {
                    return Err(self.err_at(at, "invalid type for metadata value"));
                }
                let value = if local {
                    self.parse_value(ty)?
                } else {
                    Value::Const(self.parse_const(ty)?)
                };
                let md = Metadata::Value { ty, value };
                if let Value::Const(_) = value {
                    Ok(self.intern_md(md))
                } else {
                    // Function-local: may hold a forward-reference placeholder
                    // that is patched at the end of the body.
                    let id = self.m.add_metadata(md);
                    if let Some(f) = self.func.as_mut() {
                        f.local_md.push(id);
                    }
                    Ok(id)
                }
            }
        }
    }

    /// The operand of a `metadata` call argument.
    pub(super) fn metadata_arg(&mut self) -> PResult<MetaId> {
        if self.at_word("null") {
            return Err(self.err("'null' is not a valid metadata argument"));
        }
        self.enter(|p| p.md_non_null(true))
    }

    /// Uniques strings and module-level values, as LLVM's context does.
    pub(super) fn intern_md(&mut self, md: Metadata) -> MetaId {
        let hash = crate::fxhash::hash_of(&md);
        let items = &self.m.metadata;
        if let Some(id) = self.meta_intern.find(hash, |id| items[id as usize] == md) {
            return MetaId(id);
        }
        let id = self.m.add_metadata(md);
        self.meta_intern.insert(hash, id.0);
        id
    }
}
