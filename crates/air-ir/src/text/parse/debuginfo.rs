//! Debug-info nodes: `!DIFoo(field: value, ...)`, read field by field from
//! the table in [`crate::debuginfo`], with LLVM 14's errors for unknown,
//! repeated, missing and out-of-range fields.

use super::{PResult, Parser};
use crate::constant::ApInt;
use crate::debuginfo::{
    self, keywords, DiKind, DiNode, DiValue, FieldType, SignedForm, SP_FLAG_DEFINITION,
};
use crate::metadata::{MetaId, Metadata};
use crate::text::lex::TokenKind;

/// The old subprogram fields that `spFlags:` replaced; the parser folds
/// them into `spFlags` when `spFlags:` itself is not given.
#[derive(Default)]
struct OldSpFields {
    virtuality: Option<u64>,
    is_local: Option<bool>,
    is_definition: Option<bool>,
    is_optimized: Option<bool>,
}

impl<'a> Parser<'a> {
    /// Whether the current token names a specialised node (`!DIFoo` or
    /// `!GenericDINode` followed by `(`).
    pub(super) fn at_di_node(&self) -> bool {
        self.peek() == TokenKind::MetaVar && self.peek_next() == TokenKind::LParen
    }

    /// An inline `!DIFoo(...)` operand: parsed and added to the arena.
    /// `local` allows `!DIArgList(...)` (a call's metadata argument).
    pub(super) fn di_operand(&mut self, local: bool) -> PResult<MetaId> {
        let node = self.di_node(false, local)?;
        let local_list = node.kind == DiKind::ArgList;
        let id = self.m.add_metadata(Metadata::Di(node));
        if local_list {
            if let Some(f) = self.func.as_mut() {
                f.local_md.push(id);
            }
        }
        Ok(id)
    }

    /// `!DIFoo(...)` at the current token.
    pub(super) fn di_node(&mut self, distinct: bool, local: bool) -> PResult<DiNode> {
        self.enter(|p| p.di_node_inner(distinct, local))
    }

    fn di_node_inner(&mut self, distinct: bool, local: bool) -> PResult<DiNode> {
        let at = self.pos;
        let t = self.bump();
        let name = self.text(t).get(1..).unwrap_or("");
        let Some(kind) = DiKind::from_name(name) else {
            return Err(self.err_at(at, format!("unknown metadata node type '!{name}'")));
        };
        let info = kind.info();
        if info.always_distinct && !distinct {
            return Err(self.err_at(at, format!("missing 'distinct', required for !{name}")));
        }
        self.expect(TokenKind::LParen, "'(' here")?;
        let mut node = DiNode::new(kind, distinct);
        match kind {
            DiKind::Expression => {
                node.fields[0] = DiValue::Ints(self.expression_elements()?);
                return Ok(node);
            }
            DiKind::ArgList => {
                if !local {
                    return Err(self.err_at(at, "!DIArgList cannot appear outside of a function"));
                }
                node.fields[0] = DiValue::Mds(self.arg_list()?);
                return Ok(node);
            }
            _ => {}
        }
        let mut seen = vec![false; info.fields.len()];
        let mut old = OldSpFields::default();
        let mut old_seen = [false; 4];
        let mut wide_negative = false;
        if !self.eat(TokenKind::RParen) {
            loop {
                let field_at = self.pos;
                if !matches!(self.peek(), TokenKind::Label(_)) {
                    return Err(self.err("expected field label here"));
                }
                let label = self.bump();
                let fname = self.text(label);
                let old_slot = match (kind, fname) {
                    (DiKind::Subprogram, "virtuality") => Some(0),
                    (DiKind::Subprogram, "isLocal") => Some(1),
                    (DiKind::Subprogram, "isDefinition") => Some(2),
                    (DiKind::Subprogram, "isOptimized") => Some(3),
                    _ => None,
                };
                if let Some(slot) = old_slot {
                    if std::mem::replace(&mut old_seen[slot], true) {
                        return Err(self.err_at(
                            field_at,
                            format!("field '{fname}' cannot be specified more than once"),
                        ));
                    }
                    match slot {
                        0 => {
                            let table = &keywords::VIRTUALITIES;
                            old.virtuality =
                                Some(self.keyword_value(fname, table, 2, true, "virtuality")?);
                        }
                        1 => old.is_local = Some(self.di_bool()?),
                        2 => old.is_definition = Some(self.di_bool()?),
                        _ => old.is_optimized = Some(self.di_bool()?),
                    }
                } else {
                    let Some(i) = kind.field_index(fname).filter(|_| !fname.is_empty()) else {
                        return Err(self.err_at(field_at, format!("invalid field '{fname}'")));
                    };
                    if std::mem::replace(&mut seen[i], true) {
                        return Err(self.err_at(
                            field_at,
                            format!("field '{fname}' cannot be specified more than once"),
                        ));
                    }
                    node.fields[i] = if info.fields[i].ty == FieldType::Wide {
                        let (v, negative) = self.wide_literal()?;
                        wide_negative = negative;
                        v
                    } else {
                        self.field_value(fname, info.fields[i].ty)?
                    };
                }
                if self.eat(TokenKind::RParen) {
                    break;
                }
                self.expect(TokenKind::Comma, "',' or ')'")?;
            }
        }
        for (i, f) in info.fields.iter().enumerate() {
            if f.required && !seen[i] {
                return Err(self.err_at(at, format!("missing required field '{}'", f.name)));
            }
        }
        self.di_fixups(at, &mut node, &seen, old, wide_negative)?;
        Ok(node)
    }

    /// The rules the field table cannot state.
    fn di_fixups(
        &mut self,
        at: usize,
        node: &mut DiNode,
        seen: &[bool],
        old: OldSpFields,
        negative: bool,
    ) -> PResult<()> {
        match node.kind {
            DiKind::Subprogram => {
                let sp = node.kind.field_index("spFlags").unwrap_or(0);
                if !seen[sp] {
                    let mut flags = old.virtuality.unwrap_or(0);
                    if old.is_local == Some(true) {
                        flags |= 1 << 2;
                    }
                    if old.is_definition.unwrap_or(true) {
                        flags |= SP_FLAG_DEFINITION;
                    }
                    if old.is_optimized == Some(true) {
                        flags |= 1 << 4;
                    }
                    node.fields[sp] = DiValue::Int(flags);
                }
                if !node.distinct && node.fields[sp].int() & SP_FLAG_DEFINITION != 0 {
                    return Err(self.err_at(
                        at,
                        "missing 'distinct', required for !DISubprogram that is a Definition",
                    ));
                }
            }
            DiKind::File => {
                let (kind_at, sum_at) = (2, 3);
                if seen[kind_at] != seen[sum_at] {
                    return Err(self.err_at(
                        at,
                        "'checksumkind' and 'checksum' must be provided together",
                    ));
                }
            }
            DiKind::Enumerator => {
                let unsigned = node.int("isUnsigned") != 0;
                if let DiValue::Wide { width, words } = &mut node.fields[1] {
                    if unsigned && negative {
                        return Err(self.err_at(at, "unsigned enumerator with negative value"));
                    }
                    // A signed enumerator whose literal has its top bit set
                    // gets a leading zero bit (LLVM's parser does the same,
                    // so it does not read as negative).
                    if !unsigned
                        && !negative
                        && ApInt::from_words(*width, words).is_negative(*width)
                    {
                        *width += 1;
                        *words = ApInt::from_words(*width, words).words().to_vec();
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `true` or `false`.
    fn di_bool(&mut self) -> PResult<bool> {
        match self.word() {
            Some("true") => {
                self.bump();
                Ok(true)
            }
            Some("false") => {
                self.bump();
                Ok(false)
            }
            _ => Err(self.err("expected 'true' or 'false'")),
        }
    }

    /// A decimal integer token as a signed 128-bit value (`None` when it
    /// does not fit).
    fn di_int_literal(&self) -> Option<i128> {
        if self.peek() != TokenKind::Int {
            return None;
        }
        let text = self.text(self.tok());
        text.strip_prefix('+').unwrap_or(text).parse::<i128>().ok()
    }

    /// An unsigned integer up to `max` (LLVM's `MDUnsignedField`).
    fn di_unsigned(&mut self, name: &str, max: u64) -> PResult<u64> {
        if self.peek() != TokenKind::Int || self.text(self.tok()).starts_with('-') {
            return Err(self.err("expected unsigned integer"));
        }
        match self.di_int_literal() {
            Some(v) if v <= i128::from(max) => {
                self.bump();
                Ok(v as u64)
            }
            _ => Err(self.err(format!("value for '{name}' too large, limit is {max}"))),
        }
    }

    /// A signed integer in `min..=max` (LLVM's `MDSignedField`).
    fn di_signed(&mut self, name: &str, min: i64, max: i64) -> PResult<i64> {
        if self.peek() != TokenKind::Int {
            return Err(self.err("expected signed integer"));
        }
        match self.di_int_literal() {
            Some(v) if v < i128::from(min) => {
                Err(self.err(format!("value for '{name}' too small, limit is {min}")))
            }
            Some(v) if v > i128::from(max) => {
                Err(self.err(format!("value for '{name}' too large, limit is {max}")))
            }
            Some(v) => {
                self.bump();
                Ok(v as i64)
            }
            None => {
                let limit = if self.text(self.tok()).starts_with('-') {
                    format!("too small, limit is {min}")
                } else {
                    format!("too large, limit is {max}")
                };
                Err(self.err(format!("value for '{name}' {limit}")))
            }
        }
    }

    /// A number up to `max` or a name from `table`.
    fn keyword_value(
        &mut self,
        name: &str,
        table: &debuginfo::Keywords,
        max: u64,
        numeric_ok: bool,
        what: &str,
    ) -> PResult<u64> {
        if numeric_ok && self.peek() == TokenKind::Int {
            return self.di_unsigned(name, max);
        }
        let Some(w) = self.word() else {
            return Err(self.err(format!("expected {}", keyword_class(what))));
        };
        match table.value(w) {
            Some(v) => {
                self.bump();
                Ok(u64::from(v))
            }
            None => Err(self.err(format!("invalid {} '{w}'", keyword_class(what)))),
        }
    }

    /// `DIFlag* | ...` or `DISPFlag* | ...`.
    fn di_flags(&mut self, sp: bool) -> PResult<u64> {
        let mut combined = 0u32;
        loop {
            if self.peek() == TokenKind::Int && !self.text(self.tok()).starts_with('-') {
                match self.di_int_literal() {
                    Some(v) if v <= i128::from(u32::MAX) => {
                        self.bump();
                        combined |= v as u32;
                    }
                    _ => return Err(self.err("expected 32-bit integer (too large)")),
                }
            } else {
                let what = "debug info flag";
                let lookup: fn(&str) -> Option<u32> = if sp {
                    debuginfo::sp_flag
                } else {
                    debuginfo::di_flag
                };
                let Some(w) = self.word() else {
                    return Err(self.err(format!("expected {what}")));
                };
                let prefix = if sp { "DISPFlag" } else { "DIFlag" };
                if !w.starts_with(prefix) {
                    return Err(self.err(format!("expected {what}")));
                }
                match lookup(w) {
                    Some(v) => {
                        self.bump();
                        combined |= v;
                    }
                    None => return Err(self.err(format!("invalid {what} flag '{w}'"))),
                }
            }
            if !self.eat(TokenKind::Bar) {
                return Ok(u64::from(combined));
            }
        }
    }

    /// A metadata field value (after `null` was ruled out).
    fn di_md(&mut self) -> PResult<MetaId> {
        self.md_non_null(false)
    }

    /// The value of field `name` of type `ty`.
    fn field_value(&mut self, name: &str, ty: FieldType) -> PResult<DiValue> {
        match ty {
            FieldType::Md { null_ok } => {
                if self.at_word("null") {
                    if !null_ok {
                        return Err(self.err(format!("'{name}' cannot be null")));
                    }
                    self.bump();
                    return Ok(DiValue::Null);
                }
                Ok(DiValue::Md(self.di_md()?))
            }
            FieldType::Str { empty_ok } => {
                let v = self.di_string(name, empty_ok)?;
                Ok(v.map_or(DiValue::Null, DiValue::Md))
            }
            FieldType::OptStr => Ok(self
                .di_string(name, true)?
                .map_or(DiValue::Null, DiValue::Md)),
            FieldType::Unsigned { max } => Ok(DiValue::Int(self.di_unsigned(name, max)?)),
            FieldType::Signed { min, max } => {
                Ok(DiValue::Int(self.di_signed(name, min, max)? as u64))
            }
            FieldType::Bool => Ok(DiValue::Int(u64::from(self.di_bool()?))),
            FieldType::Keyword {
                table,
                max,
                numeric_ok,
            } => {
                let v = self.keyword_value(name, table, max, numeric_ok, name)?;
                Ok(DiValue::Int(v))
            }
            FieldType::DiFlags => Ok(DiValue::Int(self.di_flags(false)?)),
            FieldType::SpFlags => Ok(DiValue::Int(self.di_flags(true)?)),
            FieldType::SignedOrMd {
                min,
                max,
                null_ok,
                form,
            } => {
                if self.peek() == TokenKind::Int {
                    let v = self.di_signed(name, min, max)?;
                    let id = match form {
                        SignedForm::ConstI64 => {
                            let ty = self.m.types.i64();
                            let c = self.small_int_const(ty, 64, v as u64);
                            self.intern_md(Metadata::Value {
                                ty,
                                value: crate::Value::Const(c),
                            })
                        }
                        SignedForm::Consts => {
                            let e = DiNode::new(DiKind::Expression, false)
                                .with("", DiValue::Ints(debuginfo::consts_expression(v)));
                            self.m.add_metadata(Metadata::Di(e))
                        }
                    };
                    return Ok(DiValue::Md(id));
                }
                if self.at_word("null") {
                    if !null_ok {
                        return Err(self.err(format!("'{name}' cannot be null")));
                    }
                    self.bump();
                    return Ok(DiValue::Null);
                }
                Ok(DiValue::Md(self.di_md()?))
            }
            FieldType::Wide => Ok(self.wide_literal()?.0),
            FieldType::AddressSpace => {
                let v = self.di_unsigned(name, u64::from(u32::MAX))?;
                Ok(DiValue::Int(if v == u64::from(u32::MAX) {
                    0
                } else {
                    v + 1
                }))
            }
            FieldType::MdList => {
                self.expect(TokenKind::LBrace, "'{' here")?;
                let mut list = Vec::new();
                if !self.eat(TokenKind::RBrace) {
                    loop {
                        if self.eat_word("null") {
                            list.push(None);
                        } else {
                            list.push(Some(self.di_md()?));
                        }
                        if self.eat(TokenKind::RBrace) {
                            break;
                        }
                        self.expect(TokenKind::Comma, "',' or '}'")?;
                    }
                }
                Ok(DiValue::Mds(list))
            }
            // Only the node syntax itself writes these (handled above).
            FieldType::Expression | FieldType::ArgList => Err(self.err("unexpected field")),
        }
    }

    /// A `"..."` field: `None` for the empty string.
    fn di_string(&mut self, name: &str, empty_ok: bool) -> PResult<Option<MetaId>> {
        if self.peek() != TokenKind::Str {
            return Err(self.err("expected string constant"));
        }
        let at = self.pos;
        self.bump();
        let bytes = self.string_bytes_at(at).into_owned();
        if bytes.is_empty() {
            if !empty_ok {
                return Err(self.err_at(at, format!("'{name}' cannot be empty")));
            }
            return Ok(None);
        }
        Ok(Some(self.intern_md(Metadata::String(bytes))))
    }

    /// `DIEnumerator`'s `value:`: a literal of any size, kept at the bit
    /// width LLVM's lexer gives it (the fewest bits that hold it: its
    /// active bits, or for a negative literal its significant signed bits).
    fn wide_literal(&mut self) -> PResult<(DiValue, bool)> {
        if self.peek() != TokenKind::Int {
            return Err(self.err("expected integer"));
        }
        let text = self.text(self.tok());
        let text = text.strip_prefix('+').unwrap_or(text);
        let digits = text.trim_start_matches('-').len();
        if digits > crate::limits::MAX_INT_DIGITS {
            return Err(self.err("integer literal too long"));
        }
        let negative = text.starts_with('-');
        // LLVM's estimate of the bits a decimal literal needs.
        let estimate = ((text.len() as u64 * 64) / 19 + 2) as u32;
        let Some(v) = ApInt::parse_decimal(estimate, text) else {
            return Err(self.err("expected integer"));
        };
        let width = if negative {
            significant_bits(&ApInt::from_words(estimate, &not_words(v.words()))) + 1
        } else {
            significant_bits(&v).max(1)
        };
        self.bump();
        let words = ApInt::from_words(width, v.words()).words().to_vec();
        Ok((DiValue::Wide { width, words }, negative))
    }

    /// `!DIExpression(...)`'s elements (the `(` already consumed).
    fn expression_elements(&mut self) -> PResult<Vec<u64>> {
        let mut out = Vec::new();
        if self.eat(TokenKind::RParen) {
            return Ok(out);
        }
        loop {
            if let Some(w) = self.word() {
                if w.starts_with("DW_OP_") {
                    match keywords::OPERATIONS.value(w) {
                        Some(v) => out.push(u64::from(v)),
                        None => return Err(self.err(format!("invalid DWARF op '{w}'"))),
                    }
                } else if w.starts_with("DW_ATE_") {
                    match keywords::ENCODINGS.value(w) {
                        Some(v) => out.push(u64::from(v)),
                        None => {
                            return Err(self.err(format!("invalid DWARF attribute encoding '{w}'")))
                        }
                    }
                } else {
                    return Err(self.err("expected unsigned integer"));
                }
                self.bump();
            } else {
                if self.peek() != TokenKind::Int || self.text(self.tok()).starts_with('-') {
                    return Err(self.err("expected unsigned integer"));
                }
                match self.di_int_literal() {
                    Some(v) if v <= i128::from(u64::MAX) => {
                        self.bump();
                        out.push(v as u64);
                    }
                    _ => return Err(self.err(format!("element too large, limit is {}", u64::MAX))),
                }
            }
            if self.eat(TokenKind::RParen) {
                return Ok(out);
            }
            self.expect(TokenKind::Comma, "',' or ')'")?;
        }
    }

    /// `!DIArgList(...)`'s values (the `(` already consumed): typed values,
    /// function-local ones allowed.
    fn arg_list(&mut self) -> PResult<Vec<Option<MetaId>>> {
        let mut out = Vec::new();
        if self.eat(TokenKind::RParen) {
            return Ok(out);
        }
        loop {
            if self.peek() == TokenKind::Exclaim
                || matches!(self.peek(), TokenKind::MetaId | TokenKind::MetaVar)
            {
                return Err(self.err("expected value-as-metadata operand"));
            }
            out.push(Some(self.value_as_metadata(true)?));
            if self.eat(TokenKind::RParen) {
                return Ok(out);
            }
            self.expect(TokenKind::Comma, "',' or ')'")?;
        }
    }
}

/// The noun LLVM's messages use for a keyword field.
fn keyword_class(field: &str) -> &'static str {
    match field {
        "tag" => "DWARF tag",
        "language" | "runtimeLang" => "DWARF language",
        "encoding" => "DWARF type attribute encoding",
        "cc" => "DWARF calling convention",
        "virtuality" => "DWARF virtuality code",
        "type" => "DWARF macinfo type",
        "emissionKind" => "emission kind",
        "nameTableKind" => "name table kind",
        "checksumkind" => "checksum kind",
        _ => "keyword",
    }
}

/// The number of bits up to and including the highest set bit.
fn significant_bits(v: &ApInt) -> u32 {
    for (i, w) in v.words().iter().enumerate().rev() {
        if *w != 0 {
            return i as u32 * 64 + (64 - w.leading_zeros());
        }
    }
    0
}

fn not_words(words: &[u64]) -> Vec<u64> {
    words.iter().map(|w| !w).collect()
}
