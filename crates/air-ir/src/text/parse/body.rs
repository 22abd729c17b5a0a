//! Function bodies: blocks, instructions and local values.

use std::borrow::Cow;

use super::attrs::AttrContext;
use super::{FxMap, Key, PResult, Parser};
use crate::attributes::AttrSet;
use crate::inst::{
    Atomic, BlockId, Call, FlagRule, Flags, FloatPredicate, InstId, InstKind, Instruction,
    IntPredicate, OpClass, Opcode, Ordering, RmwOp, TailKind, Value,
};
use crate::metadata::{MetaId, Metadata};
use crate::module::{Block, FuncId};
use crate::text::lex::TokenKind;
use crate::types::{Type, TypeId};

/// Placeholder operands for forward references are `Value::Inst` ids from
/// here up; real instruction ids stay below.
const FWD_BASE: u32 = 1 << 31;

/// A value used before its definition.
#[derive(Debug)]
struct Forward {
    ty: TypeId,
    /// Offset of the first use (where "undefined" is reported).
    first_use: usize,
    resolved: Option<Value>,
}

/// A block referenced or defined so far; ids are provisional until the
/// body is complete and blocks are numbered in layout order.
#[derive(Debug)]
struct BlockSlot {
    layout_index: Option<u32>,
    first_use: usize,
}

/// Per-function parser state.
#[derive(Debug)]
pub(super) struct FnState<'a> {
    /// Named locals.
    values: FxMap<Key<'a>, (Value, TypeId)>,
    /// Numbered locals (`%7`), indexed by number: they are defined in
    /// increasing order, so a vector replaces hashing for the common case
    /// (numbers taken by blocks stay `None`).
    numbered: Vec<Option<(Value, TypeId)>>,
    forward: FxMap<Key<'a>, u32>,
    fwd: Vec<Forward>,
    /// The next number for an unnamed value or block.
    next_id: u32,
    block_keys: FxMap<Key<'a>, u32>,
    block_slots: Vec<BlockSlot>,
    blocks: Vec<Block>,
    insts: Vec<Instruction>,
    ret_ty: TypeId,
    /// Function-local `Metadata::Value` items that may hold placeholders.
    pub(super) local_md: Vec<MetaId>,
}

impl<'a> FnState<'a> {
    /// The value bound to `key`, if defined.
    fn value(&self, key: &Key<'a>) -> Option<(Value, TypeId)> {
        match key {
            Key::Id(n) => self.numbered.get(*n as usize).copied().flatten(),
            Key::Name(_) => self.values.get(key).copied(),
        }
    }

    /// Binds `key` (not bound yet). Numbered keys are at most `next_id`,
    /// which bounds the vector by the number of values and blocks seen.
    fn insert_value(&mut self, key: Key<'a>, v: (Value, TypeId)) {
        match key {
            Key::Id(n) => {
                let n = n as usize;
                if self.numbered.len() <= n {
                    self.numbered.resize(n + 1, None);
                }
                self.numbered[n] = Some(v);
            }
            Key::Name(_) => {
                self.values.insert(key, v);
            }
        }
    }
}

impl<'a> Parser<'a> {
    /// Parses the body of function `id` (the current token is its `{`),
    /// `len` bytes of text.
    pub(super) fn function_body(&mut self, id: FuncId, len: usize) -> PResult<()> {
        // Instructions take 40 to 90 bytes of text; reserving for the short
        // end saves the arena's repeated growth (and copies) on large bodies.
        let expected_insts = len / 40;
        let index = self.fn_index(id);
        let header = match &self.run {
            None => self.m.functions.get(index).map(|f| (f.ty, &f.params)),
            Some(run) => run.get(index).map(|f| (f.ty, &f.params)),
        };
        let Some((fn_ty, params)) = header else {
            return Err(self.err("internal error: function not in this parser"));
        };
        let Some((ret_ty, param_tys, _)) = self.m.types.function_parts(fn_ty) else {
            return Err(self.err("internal error: function without function type"));
        };
        let mut st = FnState {
            values: FxMap::default(),
            numbered: Vec::new(),
            forward: FxMap::default(),
            fwd: Vec::new(),
            next_id: 0,
            block_keys: FxMap::default(),
            block_slots: Vec::new(),
            blocks: Vec::new(),
            insts: Vec::with_capacity(expected_insts),
            ret_ty,
            local_md: Vec::new(),
        };
        for (i, (p, ty)) in params.iter().zip(param_tys).enumerate() {
            let key = match &p.name {
                Some(n) => Key::Name(Cow::Owned(n.clone())),
                None => {
                    st.next_id += 1;
                    Key::Id(st.next_id - 1)
                }
            };
            st.insert_value(key, (Value::Arg(i as u32), *ty));
        }
        self.func = Some(st);
        self.record_offsets = self.source_map.has_function(index);
        let offsets_from = self.source_map.inst_count();
        if self.record_offsets {
            self.source_map.reserve_insts(expected_insts);
        }
        let result = self.blocks();
        let Some(st) = self.func.take() else {
            return Err(self.err("internal error: function state lost"));
        };
        result?;
        if self.record_offsets {
            self.source_map.end_body(index, offsets_from);
        }
        self.finish_function(id, st)
    }

    /// `{ block... }`.
    fn blocks(&mut self) -> PResult<()> {
        self.expect(TokenKind::LBrace, "'{' in function body")?;
        if self.peek() == TokenKind::RBrace {
            return Err(self.err("function body requires at least one basic block"));
        }
        loop {
            self.block()?;
            if self.eat(TokenKind::RBrace) {
                return Ok(());
            }
        }
    }

    fn state(&mut self) -> PResult<&mut FnState<'a>> {
        match self.func.as_mut() {
            Some(st) => Ok(st),
            None => Err(Box::new(crate::text::ParseError::at(
                self.file,
                self.src,
                0,
                "internal error: not in a function",
            ))),
        }
    }

    /// One basic block: an optional label and instructions up to a terminator.
    fn block(&mut self) -> PResult<()> {
        let at = self.pos;
        let key = if let TokenKind::Label(_) = self.peek() {
            let k = self.key_of(at)?;
            self.bump();
            k
        } else {
            let st = self.state()?;
            Key::Id(st.next_id)
        };
        let st = self.state()?;
        if let Key::Id(n) = key {
            if n != st.next_id {
                let expected = st.next_id;
                return Err(self.err_at(at, format!("label expected to be numbered '{expected}'")));
            }
            st.next_id += 1;
        }
        let st = self.state()?;
        let slot = Self::block_slot(st, key.clone(), at);
        let layout = st.blocks.len() as u32;
        let s = &mut st.block_slots[slot as usize];
        if s.layout_index.is_some() {
            let text = self.text(self.tok_at(at));
            return Err(self.err_at(at, format!("redefinition of label '{text}'")));
        }
        s.layout_index = Some(layout);
        st.blocks.push(Block {
            name: key.model_name(),
            insts: Vec::new(),
        });
        while !self.instruction()? {}
        Ok(())
    }

    /// The provisional id of block `key`, created on first sight.
    fn block_slot(st: &mut FnState<'a>, key: Key<'a>, at: usize) -> u32 {
        if let Some(&s) = st.block_keys.get(&key) {
            return s;
        }
        let s = st.block_slots.len() as u32;
        st.block_slots.push(BlockSlot {
            layout_index: None,
            first_use: at,
        });
        st.block_keys.insert(key, s);
        s
    }

    /// `%bb` as a block reference.
    fn block_ref(&mut self) -> PResult<BlockId> {
        let at = self.pos;
        if !matches!(self.peek(), TokenKind::Local(_)) {
            return Err(self.err("expected basic block name"));
        }
        let key = self.key_of(at)?;
        self.bump();
        let st = self.state()?;
        Ok(BlockId(Self::block_slot(st, key, at)))
    }

    /// `label %bb`.
    fn label_ref(&mut self) -> PResult<BlockId> {
        if !self.eat_word("label") {
            return Err(self.err("expected 'label'"));
        }
        self.block_ref()
    }

    /// Resolves placeholders and block ids and stores the body.
    fn finish_function(&mut self, id: FuncId, mut st: FnState<'a>) -> PResult<()> {
        if let Some(f) = st
            .fwd
            .iter()
            .filter(|f| f.resolved.is_none())
            .min_by_key(|f| f.first_use)
        {
            let text = self.text(self.tok_at(f.first_use));
            return Err(self.err_at(f.first_use, format!("use of undefined value '{text}'")));
        }
        if let Some(b) = st
            .block_slots
            .iter()
            .filter(|b| b.layout_index.is_none())
            .min_by_key(|b| b.first_use)
        {
            let text = self.text(self.tok_at(b.first_use));
            return Err(self.err_at(b.first_use, format!("use of undefined value '{text}'")));
        }
        let fwd = &st.fwd;
        let patch = |v: &mut Value| {
            if let Value::Inst(InstId(x)) = *v {
                if x >= FWD_BASE {
                    if let Some(r) = fwd.get((x - FWD_BASE) as usize).and_then(|f| f.resolved) {
                        *v = r;
                    }
                }
            }
        };
        let slots = &st.block_slots;
        let remap = |b: &mut BlockId| {
            if let Some(i) = slots.get(b.0 as usize).and_then(|s| s.layout_index) {
                *b = BlockId(i);
            }
        };
        for inst in &mut st.insts {
            inst.kind.for_each_operand_mut(patch);
            for_each_block_mut(&mut inst.kind, remap);
        }
        for md in &st.local_md {
            if let Some(Metadata::Value { value, .. }) = self.m.metadata.get_mut(md.0 as usize) {
                patch(value);
            }
        }
        let index = self.fn_index(id);
        let slots = match &mut self.run {
            None => self
                .m
                .functions
                .get_mut(index)
                .map(|f| (&mut f.blocks, &mut f.insts)),
            Some(run) => run.get_mut(index).map(|f| (&mut f.blocks, &mut f.insts)),
        };
        let Some((blocks, insts)) = slots else {
            return Err(self.err("internal error: function not in this parser"));
        };
        // The module keeps these for as long as it lives, and growth by
        // doubling leaves up to half unused: a one-instruction body held
        // room for four instructions and four blocks (550 bytes, where 140
        // are used; 800 000 such functions are 30 MB of text). Giving back
        // the tail is an in-place `realloc`.
        st.insts.shrink_to_fit();
        st.blocks.shrink_to_fit();
        for b in &mut st.blocks {
            b.insts.shrink_to_fit();
        }
        *blocks = st.blocks;
        *insts = st.insts;
        Ok(())
    }

    // ----- values -----

    /// A value of type `ty`: a local, a global or any constant.
    pub(super) fn parse_value(&mut self, ty: TypeId) -> PResult<Value> {
        if matches!(self.peek(), TokenKind::Local(_)) && self.func.is_some() {
            return self.local_value(ty);
        }
        Ok(Value::Const(self.parse_const(ty)?))
    }

    /// `T a, b` of `icmp`/`fcmp`, with the result type (`i1` or a vector
    /// of `i1`).
    fn compare_operands(&mut self) -> PResult<(Value, Value, TypeId)> {
        let ty = self.parse_type()?;
        let lhs = self.parse_value(ty)?;
        self.comma()?;
        let rhs = self.parse_value(ty)?;
        Ok((lhs, rhs, self.cmp_result_type(ty)))
    }

    /// `T v`.
    fn typed_value(&mut self) -> PResult<(TypeId, Value)> {
        let ty = self.parse_type()?;
        let v = self.parse_value(ty)?;
        Ok((ty, v))
    }

    fn local_value(&mut self, ty: TypeId) -> PResult<Value> {
        let at = self.pos;
        let key = self.key_of(at)?;
        self.bump();
        let st = self.state()?;
        let known = st.value(&key).or_else(|| {
            if st.forward.is_empty() {
                return None;
            }
            let i = *st.forward.get(&key)?;
            Some((Value::Inst(InstId(FWD_BASE + i)), st.fwd[i as usize].ty))
        });
        if let Some((v, vty)) = known {
            if vty != ty {
                return Err(self.err_at(
                    at,
                    format!(
                        "'{}' defined with type '{}' but expected '{}'",
                        self.text(self.tok_at(at)),
                        self.type_name(vty),
                        self.type_name(ty)
                    ),
                ));
            }
            return Ok(v);
        }
        if matches!(
            self.m.types.get(ty),
            Type::Void | Type::Label | Type::Function { .. } | Type::Metadata
        ) {
            return Err(self.err_at(at, "invalid use of a non-first-class type"));
        }
        let st = self.state()?;
        let index = st.fwd.len() as u32;
        if index >= FWD_BASE {
            return Err(self.err_at(at, "too many forward references"));
        }
        st.fwd.push(Forward {
            ty,
            first_use: at,
            resolved: None,
        });
        st.forward.insert(key, index);
        Ok(Value::Inst(InstId(FWD_BASE + index)))
    }

    /// Binds `key` to `value`, resolving earlier forward references.
    fn define_local(&mut self, key: Key<'a>, value: Value, ty: TypeId, at: usize) -> PResult<()> {
        let st = self.state()?;
        if st.value(&key).is_some() {
            let text = self.text(self.tok_at(at));
            return Err(self.err_at(at, format!("redefinition of value '{text}'")));
        }
        let fwd = if st.forward.is_empty() {
            None
        } else {
            st.forward.remove(&key)
        };
        if let Some(i) = fwd {
            let f = &mut st.fwd[i as usize];
            if f.ty != ty {
                let fty = f.ty;
                return Err(self.err_at(
                    at,
                    format!(
                        "instruction forward referenced with type '{}'",
                        self.type_name(fty)
                    ),
                ));
            }
            f.resolved = Some(value);
        }
        let st = self.state()?;
        st.insert_value(key, (value, ty));
        Ok(())
    }

    // ----- instructions -----

    /// One instruction, appended to the current block. Returns whether it
    /// was a terminator.
    fn instruction(&mut self) -> PResult<bool> {
        let mut name = None;
        if matches!(self.peek(), TokenKind::Local(_)) && self.peek_next() == TokenKind::Equal {
            name = Some((self.key_of(self.pos)?, self.pos));
            self.bump();
            self.bump();
        }
        let op_at = self.pos;
        let Some(w) = self.word() else {
            return Err(self.err("expected instruction opcode"));
        };
        let (kind, ty, flags) = self.instruction_kind(w)?;
        let mut attachments = Vec::new();
        while self.peek() == TokenKind::Comma && self.peek_next() == TokenKind::MetaVar {
            self.bump();
            attachments.push(self.attachment()?);
        }
        let is_void = matches!(self.m.types.get(ty), Type::Void);
        let start = name.as_ref().map_or(op_at, |(_, at)| *at);
        let st = self.state()?;
        if st.insts.len() >= FWD_BASE as usize {
            return Err(self.err_at(op_at, "too many instructions"));
        }
        let id = InstId(st.insts.len() as u32);
        let mut model_name = None;
        match name {
            Some((_, at)) if is_void => {
                return Err(self.err_at(at, "instructions returning void cannot have a name"));
            }
            Some((key, at)) => {
                if let Key::Id(n) = key {
                    let st = self.state()?;
                    if n != st.next_id {
                        let expected = st.next_id;
                        return Err(self.err_at(
                            at,
                            format!("instruction expected to be numbered '%{expected}'"),
                        ));
                    }
                    st.next_id += 1;
                }
                model_name = key.model_name();
                self.define_local(key, Value::Inst(id), ty, at)?;
            }
            None if !is_void => {
                let st = self.state()?;
                let key = Key::Id(st.next_id);
                st.next_id += 1;
                self.define_local(key, Value::Inst(id), ty, op_at)?;
            }
            None => {}
        }
        let terminator = kind.opcode().is_terminator();
        if self.record_offsets {
            self.source_map.push_inst(start);
        }
        let st = self.state()?;
        st.insts.push(Instruction {
            name: model_name,
            ty,
            kind,
            flags,
            attachments: attachments.into(),
        });
        if let Some(b) = st.blocks.last_mut() {
            b.insts.push(id);
        }
        Ok(terminator)
    }

    /// The tail of a `load`/`store`: `[syncscope] ordering` when atomic, then
    /// `, align N`. `forbidden` is the ordering this access may not use
    /// (Release for loads, Acquire for stores; AcqRel is never allowed).
    fn atomic_access(
        &mut self,
        is_atomic: bool,
        what: &str,
        forbidden: Ordering,
    ) -> PResult<(Option<Box<Atomic>>, Option<u64>)> {
        let atomic = if is_atomic {
            let scope = self.syncscope()?;
            let ordering = self.ordering()?;
            if ordering == forbidden || ordering == Ordering::AcqRel {
                let name = if forbidden == Ordering::Release {
                    "Release"
                } else {
                    "Acquire"
                };
                return Err(self.err_at(
                    self.prev,
                    format!("atomic {what} cannot use {name} ordering"),
                ));
            }
            Some(Box::new(Atomic { ordering, scope }))
        } else {
            None
        };
        let align = self.optional_align()?;
        if is_atomic && align.is_none() {
            return Err(self.err(format!(
                "atomic {what} must have explicit non-zero alignment"
            )));
        }
        Ok((atomic, align))
    }

    /// Fast-math flags, in any order.
    fn fast_math_flags(&mut self) -> Flags {
        let mut flags = Flags::empty();
        loop {
            let f = match self.word() {
                Some("fast") => Flags::FAST,
                Some("nnan") => Flags::NNAN,
                Some("ninf") => Flags::NINF,
                Some("nsz") => Flags::NSZ,
                Some("arcp") => Flags::ARCP,
                Some("contract") => Flags::CONTRACT,
                Some("afn") => Flags::AFN,
                Some("reassoc") => Flags::REASSOC,
                _ => return flags,
            };
            self.bump();
            flags = flags.with(f);
        }
    }

    /// `, align N` if present (not consuming a comma before metadata).
    fn optional_align(&mut self) -> PResult<Option<u64>> {
        if self.peek() == TokenKind::Comma && self.peek_next() == TokenKind::Word {
            let t = self.next_tok();
            if self.text(t) == "align" {
                self.bump();
                self.bump();
                return Ok(Some(self.parse_align_value()?));
            }
        }
        Ok(None)
    }

    /// `syncscope("name")` if present; the empty string is the system scope.
    fn syncscope(&mut self) -> PResult<String> {
        if !self.eat_word("syncscope") {
            return Ok(String::new());
        }
        self.expect(TokenKind::LParen, "'(' in syncscope")?;
        let s = self.expect_string("sync scope name")?;
        self.expect(TokenKind::RParen, "')' in syncscope")?;
        Ok(s)
    }

    fn ordering(&mut self) -> PResult<Ordering> {
        match self.word().and_then(Ordering::from_spelling) {
            Some(o) => {
                self.bump();
                Ok(o)
            }
            None => Err(self.err("expected ordering")),
        }
    }

    fn comma(&mut self) -> PResult<()> {
        self.expect(TokenKind::Comma, "','").map(|_| ())
    }

    /// Checks that `ptr_ty` points to `pointee`.
    fn check_pointee_is(
        &self,
        ptr_ty: TypeId,
        pointee: TypeId,
        at: usize,
        msg: &str,
    ) -> PResult<()> {
        match self.m.types.pointer_parts(ptr_ty) {
            Some((p, _)) if p == pointee => Ok(()),
            _ => Err(self.err_at(at, msg.to_string())),
        }
    }

    /// Parses the instruction starting at opcode word `w`; returns its kind,
    /// result type and flags.
    fn instruction_kind(&mut self, w: &str) -> PResult<(InstKind, TypeId, Flags)> {
        let tail = match w {
            "tail" => Some(TailKind::Tail),
            "musttail" => Some(TailKind::MustTail),
            "notail" => Some(TailKind::NoTail),
            _ => None,
        };
        if let Some(tail) = tail {
            self.bump();
            if !self.eat_word("call") {
                return Err(self.err("expected 'call' after tail marker"));
            }
            return self.call(tail);
        }
        let Some(op) = Opcode::from_mnemonic(w) else {
            return Err(self.err(format!("unknown instruction opcode '{w}'")));
        };
        self.bump();
        let void = self.m.types.void();
        let no_flags = Flags::empty();
        Ok(match op.class() {
            OpClass::IntBinary | OpClass::FloatBinary => {
                let flags = match op.flag_rule() {
                    FlagRule::Wrap => {
                        let mut f = Flags::empty();
                        loop {
                            if self.eat_word("nuw") {
                                f = f.with(Flags::NUW);
                            } else if self.eat_word("nsw") {
                                f = f.with(Flags::NSW);
                            } else {
                                break f;
                            }
                        }
                    }
                    FlagRule::Exact => {
                        if self.eat_word("exact") {
                            Flags::EXACT
                        } else {
                            Flags::empty()
                        }
                    }
                    FlagRule::FastMath => self.fast_math_flags(),
                    FlagRule::None => Flags::empty(),
                };
                let ty = self.parse_type()?;
                let lhs = self.parse_value(ty)?;
                self.comma()?;
                let rhs = self.parse_value(ty)?;
                (InstKind::Binary { op, lhs, rhs }, ty, flags)
            }
            OpClass::FloatUnary => {
                let flags = self.fast_math_flags();
                let (ty, value) = self.typed_value()?;
                (InstKind::FNeg { value }, ty, flags)
            }
            OpClass::Cast(_) => {
                let (_, value) = self.typed_value()?;
                self.expect_word("to")?;
                let to = self.parse_type()?;
                (InstKind::Cast { op, value }, to, no_flags)
            }
            OpClass::ICmp => {
                let pred = match self.word().and_then(IntPredicate::from_spelling) {
                    Some(p) => p,
                    None => return Err(self.err("expected icmp predicate (e.g. 'eq')")),
                };
                self.bump();
                let (lhs, rhs, res) = self.compare_operands()?;
                (InstKind::ICmp { pred, lhs, rhs }, res, no_flags)
            }
            OpClass::FCmp => {
                let flags = self.fast_math_flags();
                let pred = match self.word().and_then(FloatPredicate::from_spelling) {
                    Some(p) => p,
                    None => return Err(self.err("expected fcmp predicate (e.g. 'oeq')")),
                };
                self.bump();
                let (lhs, rhs, res) = self.compare_operands()?;
                (InstKind::FCmp { pred, lhs, rhs }, res, flags)
            }
            OpClass::Select => {
                let flags = self.fast_math_flags();
                let (_, cond) = self.typed_value()?;
                self.comma()?;
                let (ty, on_true) = self.typed_value()?;
                self.comma()?;
                let f_at = self.pos;
                let (fty, on_false) = self.typed_value()?;
                if fty != ty {
                    return Err(self.err_at(f_at, "select values must have the same type"));
                }
                (
                    InstKind::Select {
                        cond,
                        on_true,
                        on_false,
                    },
                    ty,
                    flags,
                )
            }
            OpClass::Phi => {
                let flags = self.fast_math_flags();
                let ty = self.parse_type()?;
                let mut incoming = Vec::new();
                loop {
                    self.expect(TokenKind::LBracket, "'[' in phi value list")?;
                    let v = self.parse_value(ty)?;
                    self.comma()?;
                    let b = self.block_ref()?;
                    self.expect(TokenKind::RBracket, "']' in phi value list")?;
                    incoming.push((v, b));
                    if !(self.peek() == TokenKind::Comma && self.peek_next() == TokenKind::LBracket)
                    {
                        break;
                    }
                    self.bump();
                }
                (InstKind::Phi { incoming }, ty, flags)
            }
            OpClass::Alloca => {
                if matches!(self.word(), Some("inalloca" | "swifterror")) {
                    return Err(self.err("inalloca and swifterror allocas are not supported"));
                }
                let allocated = self.parse_type()?;
                let mut count = None;
                let mut align = None;
                let mut addrspace = 0;
                while self.peek() == TokenKind::Comma && self.peek_next() != TokenKind::MetaVar {
                    self.bump();
                    if self.eat_word("align") {
                        align = Some(self.parse_align_value()?);
                    } else if self.eat_word("addrspace") {
                        addrspace = self.parse_addrspace_value()?;
                    } else if count.is_none() && align.is_none() {
                        let c_at = self.pos;
                        let (cty, c) = self.typed_value()?;
                        if self.m.types.int_width(cty).is_none() {
                            return Err(self.err_at(c_at, "element count must have integer type"));
                        }
                        count = Some(c);
                    } else {
                        return Err(self.err("expected 'align' or 'addrspace'"));
                    }
                }
                let ty = self.ptr_type(allocated, addrspace);
                (
                    InstKind::Alloca {
                        allocated,
                        count,
                        align,
                    },
                    ty,
                    no_flags,
                )
            }
            OpClass::Load => {
                let is_atomic = self.eat_word("atomic");
                let volatile = self.eat_word("volatile");
                let ty = self.parse_type()?;
                self.comma()?;
                let p_at = self.pos;
                let (pty, ptr) = self.typed_value()?;
                self.check_pointee_is(
                    pty,
                    ty,
                    p_at,
                    "explicit pointee type doesn't match operand's pointee type",
                )?;
                let (atomic, align) = self.atomic_access(is_atomic, "load", Ordering::Release)?;
                (
                    InstKind::Load {
                        ptr,
                        align,
                        volatile,
                        atomic,
                    },
                    ty,
                    no_flags,
                )
            }
            OpClass::Store => {
                let is_atomic = self.eat_word("atomic");
                let volatile = self.eat_word("volatile");
                let (vty, value) = self.typed_value()?;
                self.comma()?;
                let p_at = self.pos;
                let (pty, ptr) = self.typed_value()?;
                self.check_pointee_is(
                    pty,
                    vty,
                    p_at,
                    "stored value and pointer type do not match",
                )?;
                let (atomic, align) = self.atomic_access(is_atomic, "store", Ordering::Acquire)?;
                (
                    InstKind::Store {
                        value,
                        ptr,
                        align,
                        volatile,
                        atomic,
                    },
                    void,
                    no_flags,
                )
            }
            OpClass::GetElementPtr => {
                let inbounds = self.eat_word("inbounds");
                let source = self.parse_type()?;
                self.comma()?;
                let base_at = self.pos;
                let (bty, base) = self.typed_value()?;
                let mut indices = Vec::new();
                let mut info = Vec::new();
                while self.peek() == TokenKind::Comma && self.peek_next() != TokenKind::MetaVar {
                    self.bump();
                    let (ity, v) = self.typed_value()?;
                    let cv = match v {
                        Value::Const(c) => self.const_u64(c),
                        _ => None,
                    };
                    info.push((ity, cv));
                    indices.push(v);
                }
                let ty = self.gep_type(source, bty, &info, base_at)?;
                (
                    InstKind::GetElementPtr {
                        source,
                        base,
                        indices,
                        inbounds,
                    },
                    ty,
                    no_flags,
                )
            }
            OpClass::ExtractElement => {
                let v_at = self.pos;
                let (vty, vector) = self.typed_value()?;
                self.comma()?;
                let (_, index) = self.typed_value()?;
                let Some((_, elem)) = self.m.types.vector_parts(vty) else {
                    return Err(self.err_at(v_at, "extractelement operand must be a vector"));
                };
                (InstKind::ExtractElement { vector, index }, elem, no_flags)
            }
            OpClass::InsertElement => {
                let (vty, vector) = self.typed_value()?;
                self.comma()?;
                let (_, element) = self.typed_value()?;
                self.comma()?;
                let (_, index) = self.typed_value()?;
                (
                    InstKind::InsertElement {
                        vector,
                        element,
                        index,
                    },
                    vty,
                    no_flags,
                )
            }
            OpClass::ShuffleVector => {
                let a_at = self.pos;
                let (aty, a) = self.typed_value()?;
                self.comma()?;
                let (_, b) = self.typed_value()?;
                self.comma()?;
                let m_at = self.pos;
                let (mty, mask) = self.typed_value()?;
                let ty = self.shuffle_type(aty, mty, a_at, m_at)?;
                (InstKind::ShuffleVector { a, b, mask }, ty, no_flags)
            }
            OpClass::ExtractValue => {
                let a_at = self.pos;
                let (aty, aggregate) = self.typed_value()?;
                let indices = self.aggregate_indices()?;
                let ty = self.aggregate_indexed(aty, &indices, a_at, "extractvalue")?;
                (InstKind::ExtractValue { aggregate, indices }, ty, no_flags)
            }
            OpClass::InsertValue => {
                let a_at = self.pos;
                let (aty, aggregate) = self.typed_value()?;
                self.comma()?;
                let v_at = self.pos;
                let (vty, value) = self.typed_value()?;
                let indices = self.aggregate_indices()?;
                let field = self.aggregate_indexed(aty, &indices, a_at, "insertvalue")?;
                if field != vty {
                    return Err(self.err_at(v_at, "insertvalue operand and field disagree in type"));
                }
                (
                    InstKind::InsertValue {
                        aggregate,
                        value,
                        indices,
                    },
                    aty,
                    no_flags,
                )
            }
            OpClass::Call => return self.call(TailKind::None),
            OpClass::Br => {
                if self.at_word("label") {
                    let dest = self.label_ref()?;
                    (InstKind::Br { dest }, void, no_flags)
                } else {
                    let c_at = self.pos;
                    let (cty, cond) = self.typed_value()?;
                    if self.m.types.int_width(cty) != Some(1) {
                        return Err(self.err_at(c_at, "branch condition must have 'i1' type"));
                    }
                    self.comma()?;
                    let if_true = self.label_ref()?;
                    self.comma()?;
                    let if_false = self.label_ref()?;
                    (
                        InstKind::CondBr {
                            cond,
                            if_true,
                            if_false,
                        },
                        void,
                        no_flags,
                    )
                }
            }
            OpClass::Switch => {
                let (cty, cond) = self.typed_value()?;
                self.comma()?;
                let default = self.label_ref()?;
                self.expect(TokenKind::LBracket, "'[' with switch table")?;
                let mut cases = Vec::new();
                while !self.eat(TokenKind::RBracket) {
                    let c_at = self.pos;
                    let (ty, c) = self.parse_typed_const()?;
                    if ty != cty || self.m.types.int_width(ty).is_none() {
                        return Err(self.err_at(
                            c_at,
                            "case value is not a constant integer of the switch's type",
                        ));
                    }
                    self.comma()?;
                    let b = self.label_ref()?;
                    cases.push((c, b));
                }
                (
                    InstKind::Switch {
                        cond,
                        default,
                        cases,
                    },
                    void,
                    no_flags,
                )
            }
            OpClass::Ret => {
                let ret_ty = self.state()?.ret_ty;
                let at = self.pos;
                let value = if self.at_word("void") {
                    self.bump();
                    None
                } else {
                    let (ty, v) = self.typed_value()?;
                    if ty != ret_ty {
                        return Err(self.err_at(
                            at,
                            format!(
                                "value doesn't match function result type '{}'",
                                self.type_name(ret_ty)
                            ),
                        ));
                    }
                    Some(v)
                };
                if value.is_none() && ret_ty != void {
                    return Err(self.err_at(
                        at,
                        format!(
                            "value doesn't match function result type '{}'",
                            self.type_name(ret_ty)
                        ),
                    ));
                }
                (InstKind::Ret { value }, void, no_flags)
            }
            OpClass::Unreachable => (InstKind::Unreachable, void, no_flags),
            OpClass::AtomicRmw => {
                let volatile = self.eat_word("volatile");
                let rmw = match self.word().and_then(RmwOp::from_spelling) {
                    Some(o) => o,
                    None => return Err(self.err("expected binary operation in atomicrmw")),
                };
                self.bump();
                let p_at = self.pos;
                let (pty, ptr) = self.typed_value()?;
                self.comma()?;
                let (vty, value) = self.typed_value()?;
                self.check_pointee_is(
                    pty,
                    vty,
                    p_at,
                    "atomicrmw value and pointer type do not match",
                )?;
                let scope = self.syncscope()?;
                let ordering = self.ordering()?;
                let align = self.optional_align()?;
                let kind = InstKind::AtomicRmw(Box::new(crate::inst::AtomicRmw {
                    op: rmw,
                    ptr,
                    value,
                    volatile,
                    ordering,
                    scope,
                    align,
                }));
                (kind, vty, no_flags)
            }
            OpClass::CmpXchg => {
                let weak = self.eat_word("weak");
                let volatile = self.eat_word("volatile");
                let p_at = self.pos;
                let (pty, ptr) = self.typed_value()?;
                self.comma()?;
                let (cty, expected) = self.typed_value()?;
                self.comma()?;
                let n_at = self.pos;
                let (nty, new) = self.typed_value()?;
                self.check_pointee_is(
                    pty,
                    cty,
                    p_at,
                    "compare value and pointer type do not match",
                )?;
                if nty != cty {
                    return Err(self.err_at(n_at, "new value and pointer type do not match"));
                }
                let scope = self.syncscope()?;
                let success = self.ordering()?;
                let failure = self.ordering()?;
                let align = self.optional_align()?;
                let ty = self.m.types.cmpxchg_result(cty);
                let kind = InstKind::CmpXchg(Box::new(crate::inst::CmpXchg {
                    ptr,
                    expected,
                    new,
                    success,
                    failure,
                    scope,
                    weak,
                    volatile,
                    align,
                }));
                (kind, ty, no_flags)
            }
            OpClass::Fence => {
                let scope = self.syncscope()?;
                let ordering = self.ordering()?;
                (InstKind::Fence { ordering, scope }, void, no_flags)
            }
            OpClass::Freeze => {
                let (ty, value) = self.typed_value()?;
                (InstKind::Freeze { value }, ty, no_flags)
            }
        })
    }

    /// `, 0, 1` constant indices of extractvalue/insertvalue (at least one).
    fn aggregate_indices(&mut self) -> PResult<Vec<u32>> {
        let mut out = Vec::new();
        while self.peek() == TokenKind::Comma && self.peek_next() == TokenKind::Int {
            self.bump();
            out.push(self.parse_u32()?);
        }
        if out.is_empty() {
            return Err(self.err("expected index"));
        }
        Ok(out)
    }

    /// The type reached by extractvalue/insertvalue indices.
    fn aggregate_indexed(
        &self,
        mut ty: TypeId,
        indices: &[u32],
        at: usize,
        what: &str,
    ) -> PResult<TypeId> {
        for &i in indices {
            let next = match self.m.types.get(ty) {
                Type::Array { len, elem } => (u64::from(i) < *len).then_some(*elem),
                Type::Struct { .. } | Type::Named(_) => self
                    .m
                    .types
                    .struct_fields(ty)
                    .and_then(|f| f.get(i as usize).copied()),
                _ => None,
            };
            ty = next.ok_or_else(|| self.err_at(at, format!("invalid indices for {what}")))?;
        }
        Ok(ty)
    }

    /// Skips the callee of a call so the arguments can be read first (the
    /// callee's expected type depends on them).
    fn skip_callee(&mut self) -> PResult<()> {
        match self.peek() {
            TokenKind::Local(_) | TokenKind::Global(_) => {
                self.bump();
                Ok(())
            }
            TokenKind::Word => {
                let is_expr = self.word().and_then(Opcode::from_mnemonic).is_some();
                self.bump();
                if !is_expr {
                    return Ok(());
                }
                while self.peek() == TokenKind::Word {
                    self.bump();
                }
                if self.peek() != TokenKind::LParen {
                    return Err(self.err("expected '(' in constant expression"));
                }
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        TokenKind::LParen => depth += 1,
                        TokenKind::RParen => {
                            depth -= 1;
                            if depth == 0 {
                                self.bump();
                                return Ok(());
                            }
                        }
                        TokenKind::Eof => return Err(self.err("expected ')'")),
                        _ => {}
                    }
                    self.bump();
                }
            }
            _ => Err(self.err("expected function to call")),
        }
    }

    /// `call` and its variants (the `call` keyword consumed).
    fn call(&mut self, tail: TailKind) -> PResult<(InstKind, TypeId, Flags)> {
        let flags = self.fast_math_flags();
        let cc = self.parse_cc()?;
        let ret_attrs = self.parse_attrs(AttrContext::Return)?;
        if self.eat_word("addrspace") {
            let at = self.pos;
            if self.parse_addrspace_value()? != 0 {
                return Err(self.err_at(at, "call address spaces are not supported"));
            }
        }
        let ty_at = self.pos;
        let ty = self.parse_type()?;
        let callee_at = self.pos;
        self.skip_callee()?;
        self.expect(TokenKind::LParen, "'(' in call")?;
        let mut args = Vec::new();
        let mut arg_attrs = Vec::new();
        // Argument types and positions go to buffers the parser keeps, so
        // most calls allocate only what the model stores. (An error drops
        // them, which costs nothing that matters.)
        let (mut arg_tys, mut arg_pos) = std::mem::take(&mut self.call_scratch);
        arg_tys.clear();
        arg_pos.clear();
        if !self.eat(TokenKind::RParen) {
            loop {
                arg_pos.push(self.pos);
                let aty = self.parse_type()?;
                if matches!(self.m.types.get(aty), Type::Metadata) {
                    let md = self.metadata_arg()?;
                    args.push(Value::Metadata(md));
                    arg_attrs.push(AttrSet::new());
                } else {
                    arg_attrs.push(self.parse_attrs(AttrContext::CallArg)?);
                    args.push(self.parse_value(aty)?);
                }
                arg_tys.push(aty);
                if self.eat(TokenKind::RParen) {
                    break;
                }
                self.expect(TokenKind::Comma, "',' or ')' in argument list")?;
            }
        }
        // Inline attributes and groups in order (a later one wins); the
        // inline ones between groups are sorted in at once.
        let mut fn_attrs = AttrSet::new();
        let mut inline = Vec::new();
        loop {
            if self.peek() == TokenKind::AttrGroup {
                let at = self.pos;
                let t = self.bump();
                let n: u32 = self.text(t)[1..]
                    .parse()
                    .map_err(|_| self.err_at(at, "number too large"))?;
                fn_attrs.merge(&AttrSet::from_attrs(inline.drain(..)));
                match self.attr_groups.get(&n) {
                    Some(set) => fn_attrs.merge(set),
                    None => {
                        return Err(self.err_at(at, format!("undefined attribute group '#{n}'")))
                    }
                }
            } else if let Some(a) = self.parse_one_attr(AttrContext::Function)? {
                inline.push(a);
            } else {
                break;
            }
        }
        fn_attrs.merge(&AttrSet::from_attrs(inline));
        if self.peek() == TokenKind::LBracket {
            return Err(self.err("operand bundles are not supported"));
        }
        let fn_ty = if self.m.types.function_parts(ty).is_some() {
            ty
        } else {
            if matches!(self.m.types.get(ty), Type::Label | Type::Metadata) {
                return Err(self.err_at(ty_at, "invalid result type for call"));
            }
            self.m.types.function_from_slice(ty, &arg_tys, false)
        };
        // Now the callee, with the type the call implies.
        let after_args = self.pos;
        let last_of_call = self.prev;
        self.seek(callee_at);
        let callee_ty = self.ptr_type(fn_ty, 0);
        let callee = self.parse_value(callee_ty)?;
        self.seek(after_args);
        self.prev = last_of_call;
        let Some((ret, params, varargs)) = self.m.types.function_parts(fn_ty) else {
            return Err(self.err_at(ty_at, "internal error: call without function type"));
        };
        if args.len() < params.len() {
            return Err(self.err_at(last_of_call, "not enough parameters specified for call"));
        }
        if args.len() > params.len() && !varargs {
            return Err(self.err_at(arg_pos[params.len()], "too many arguments specified"));
        }
        if let Some(i) = params.iter().zip(&arg_tys).position(|(p, a)| p != a) {
            let expected = self.type_name(params[i]);
            return Err(self.err_at(
                arg_pos[i],
                format!("argument is not of expected type '{expected}'"),
            ));
        }
        self.call_scratch = (arg_tys, arg_pos);
        let call = Call {
            callee,
            fn_ty,
            args,
            fn_attrs,
            ret_attrs,
            arg_attrs,
            tail,
            cc,
        };
        Ok((InstKind::Call(Box::new(call)), ret, flags))
    }
}

/// Calls `f` on every block an instruction names (successors and phi
/// predecessors).
fn for_each_block_mut(kind: &mut InstKind, mut f: impl FnMut(&mut BlockId)) {
    match kind {
        InstKind::Br { dest } => f(dest),
        InstKind::CondBr {
            if_true, if_false, ..
        } => {
            f(if_true);
            f(if_false);
        }
        InstKind::Switch { default, cases, .. } => {
            f(default);
            cases.iter_mut().for_each(|(_, b)| f(b));
        }
        InstKind::Phi { incoming } => incoming.iter_mut().for_each(|(_, b)| f(b)),
        _ => {}
    }
}
