//! The parser: LLVM 14 typed-pointer IR text to a [`Module`].
//!
//! It is a recursive-descent parser over tokens that [`super::lex`] reads on
//! demand; positions (saved for errors, deferred items and backtracking)
//! are byte offsets of token starts. It runs in two passes over the
//! top-level items:
//!
//! 1. Pass one parses everything that other items may refer to before its
//!    definition: named type definitions, attribute groups, function headers
//!    and global headers (up to the value type). Function bodies, global
//!    initializers and metadata are skipped by bracket matching (bodies by
//!    a byte scan, so they are lexed once, in pass two). After it,
//!    every `@name` of the module exists with its final type, in text order,
//!    so later references (a call before the `declare`, `!air.kernel` naming
//!    a function defined further down) resolve directly.
//! 2. Pass two parses the deferred parts in text order.
//!
//! Inside a function, forward references to values get placeholder operands
//! that are patched once the body is complete; blocks get provisional ids
//! that are renumbered into layout order at the end.
//!
//! Every recursive production goes through [`Parser::enter`], which caps the
//! nesting depth so hostile input cannot overflow the stack.

mod attrs;
mod body;
mod constants;
mod debuginfo;
pub(super) mod lazy;
mod metadata;
mod parallel;
pub(crate) use parallel::MIN_PARALLEL_BYTES;
mod types;

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use super::lex::{self, NameForm, Token, TokenKind};
use super::ParseError;
use crate::attributes::{AttrKind, AttrSet, Attribute};
use crate::inst::{CallConv, NamedCallConv};
use crate::limits::{MAX_GROUP_COPIES_BASE, MAX_GROUP_COPIES_PER_BYTE, MAX_PARSE_DEPTH};
use crate::metadata::MetaId;
use crate::module::{
    FuncId, Function, Global, GlobalId, Linkage, Module, Param, ThreadLocal, UnnamedAddr,
    Visibility,
};
use crate::types::{Type, TypeId};

use body::FnState;

/// The parser's symbol tables use the fast Fx hash (see [`crate::fxhash`]).
type FxMap<K, V> = crate::fxhash::HashMap<K, V>;

/// Internal result type; the error is boxed to keep the `Ok` path small.
type PResult<T> = Result<T, Box<ParseError>>;

/// Offsets are `u32`: refuses inputs of 4 GiB or more.
pub(crate) fn check_size(src: &str, file: &str) -> Result<(), ParseError> {
    if src.len() >= u32::MAX as usize {
        return Err(ParseError::at(
            file,
            src,
            0,
            "input too large (limit 4 GiB)",
        ));
    }
    Ok(())
}

/// Parses a whole module.
pub(crate) fn parse_module(src: &str, file: &str) -> Result<Module, ParseError> {
    check_size(src, file)?;
    parse_module_with_map(src, file, 0, parallel::MIN_PARALLEL_BYTES).map(|(m, _)| m)
}

/// Parses a whole module and records where each global, function and
/// instruction starts.
///
/// `threads` caps the threads used for function bodies (0: as many as the
/// machine has). The result never depends on it: a parallel parse that
/// meets any error starts over sequentially, so errors are the sequential
/// parser's. Runs of bodies shorter than `min_parallel_bytes` stay on one
/// thread.
pub(crate) fn parse_module_with_map(
    src: &str,
    file: &str,
    threads: usize,
    min_parallel_bytes: usize,
) -> Result<(Module, super::SourceMap), ParseError> {
    check_size(src, file)?;
    let mut p = Parser::new(src, file);
    match p.parse_all(threads, min_parallel_bytes) {
        Ok(()) => Ok((p.m, p.source_map)),
        Err(_) if p.went_parallel => {
            let mut p = Parser::new(src, file);
            p.parse_all(1, 0).map_err(|e| *e)?;
            Ok((p.m, p.source_map))
        }
        Err(e) => Err(*e),
    }
}

/// A name as written after a sigil: a (possibly quoted) name, or a number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key<'a> {
    /// `%foo`, `%"foo bar"`.
    Name(Cow<'a, str>),
    /// `%12`.
    Id(u32),
}

impl Key<'_> {
    /// The name the model stores: `None` for numbered entities.
    fn model_name(&self) -> Option<String> {
        match self {
            Key::Name(n) => Some(n.to_string()),
            Key::Id(_) => None,
        }
    }

    /// The name for entities whose model name is a plain string (globals,
    /// functions, named types): numbered ones keep their number as text.
    fn string_name(&self) -> String {
        match self {
            Key::Name(n) => n.to_string(),
            Key::Id(n) => n.to_string(),
        }
    }
}

/// What a module-level `@name` is, with what its address constant needs
/// (so a fork that parses bodies needs no copy of the global and function
/// tables to take an address).
#[derive(Clone, Copy, Debug)]
enum Symbol {
    /// The global, its value type and its address space.
    Global(GlobalId, TypeId, u32),
    /// The function and its function type.
    Function(FuncId, TypeId),
}

/// A named struct (or type alias) of the module.
#[derive(Clone, Copy, Debug)]
struct NamedType {
    id: TypeId,
    /// Whether a `%T = type ...` definition was seen.
    defined: bool,
    /// Offset of the first use, for "undefined type" errors.
    first_use: usize,
}

/// A `!N` slot: reserved on first reference, filled at its definition.
#[derive(Clone, Copy, Debug)]
struct MetaSlot {
    id: MetaId,
    defined: bool,
    first_use: usize,
}

/// Work pass one leaves for pass two. Offsets are `u32` (inputs are under
/// 4 GiB, see [`check_size`]), which halves the list: it has an item per
/// definition and lives through pass two.
#[derive(Clone, Copy, Debug)]
enum Deferred {
    /// A global's initializer and trailing fields, from offset `resume`.
    Global {
        id: GlobalId,
        resume: u32,
        has_init: bool,
    },
    /// A function body, from its `{` at offset `resume` to the token after
    /// its `}` at `end`.
    Body { id: FuncId, resume: u32, end: u32 },
    /// A metadata definition (named or numbered) starting at `start`.
    Metadata { start: u32 },
}

impl Deferred {
    /// Where the item's text starts.
    fn start(&self) -> usize {
        match *self {
            Deferred::Global { resume, .. } | Deferred::Body { resume, .. } => resume as usize,
            Deferred::Metadata { start } => start as usize,
        }
    }
}

/// The kinds of nesting the parser counts, each up to [`MAX_PARSE_DEPTH`]
/// levels: the verifier measures types, constants and metadata apart with
/// the same limit (`crate::limits`), so each kind gets the whole of it
/// here too, and the text of any verified module parses.
#[derive(Clone, Copy)]
enum Nest {
    Type = 0,
    Constant = 1,
    Metadata = 2,
}

/// Parser state. `'a` is the lifetime of the source text.
pub(super) struct Parser<'a> {
    src: &'a str,
    file: &'a str,
    /// The current token.
    cur: Token,
    /// The token after `cur`, once something peeked at it.
    ahead: Cell<Option<Token>>,
    /// Start offset of `cur` (positions are token start offsets).
    pos: usize,
    /// Start offset of the token before `cur`.
    prev: usize,
    m: Module,
    /// Nesting levels open, by [`Nest`] (each kind has its own limit).
    depth: [u32; 3],
    /// Every `@name`. Only pass one adds to it; shared, not copied, by
    /// the forks that parse bodies (a copy per fork was 7 copies of a table
    /// with an entry per function on a 2-thread machine).
    symbols: Arc<FxMap<Key<'a>, Symbol>>,
    /// The address constant of each symbol, once made.
    symbol_consts: FxMap<Key<'a>, crate::constant::ConstId>,
    /// Interned types by shape, for the common cheap cases (keywords and
    /// pointers), so the hot path skips the type table's hashing.
    word_types: FxMap<&'a str, TypeId>,
    /// The most common type keywords, by [`types::common_type_slot`]: a
    /// match on the word is cheaper than hashing it.
    common_types: [Option<TypeId>; types::COMMON_TYPES],
    ptr_types: FxMap<(TypeId, u32), TypeId>,
    /// Integer constants of at most 64 bits by (type, truncated value).
    int_consts: FxMap<(TypeId, u64), crate::constant::ConstId>,
    /// Next expected `@N` number (globals and functions share it).
    next_global_number: u32,
    named_types: FxMap<Key<'a>, NamedType>,
    /// Non-struct `%T = type i32` aliases.
    type_aliases: FxMap<Key<'a>, TypeId>,
    next_type_number: u32,
    attr_groups: FxMap<u32, AttrSet>,
    meta_slots: FxMap<u32, MetaSlot>,
    /// Where each `!name` is in `m.named_metadata` (a repeated name adds to
    /// the first). Only the module-level pass defines named metadata, so
    /// forks start it empty.
    named_md: FxMap<String, usize>,
    /// Pass one's count of references to each attribute group (function
    /// headers and call sites) and the offset of the first, for
    /// `check_group_copies`.
    group_uses: FxMap<u32, (u64, usize)>,
    /// Strings and module-level values are uniqued, as LLVM does. The
    /// index points into `m.metadata`, which keeps the only copy.
    meta_intern: crate::fxhash::IdIndex,
    /// State of the function body being parsed, if any.
    func: Option<FnState<'a>>,
    /// Where things start, for diagnostics after parsing.
    source_map: super::SourceMap,
    /// Whether the current body's offsets go into `source_map`: not in a
    /// lazy fork, whose map is empty (its errors are reported by parsing
    /// again with a map), so on a large body it need not hold 4 bytes per
    /// instruction for nothing.
    record_offsets: bool,
    /// Reused buffers for a call's argument types and positions.
    call_scratch: (Vec<TypeId>, Vec<usize>),
    /// Whether some bodies were parsed on several threads (an error then
    /// means "parse again sequentially", for the sequential error).
    went_parallel: bool,
    /// The id of `m.functions[0]` (or `run[0]`) and of the source map's
    /// first function: 0, except in a fork that parses a run of bodies on
    /// another thread, which holds only the functions from its run's first
    /// to its last.
    fn_base: usize,
    /// In such a fork, those functions (`m.functions` is empty there): what
    /// a body reads of its header, and the body once parsed.
    run: Option<Vec<RunFunction>>,
}

/// A function of a fork's run (see `parallel`): a function type, the
/// parameters (for their names) and the parsed body, 80 bytes where a
/// whole [`Function`] copy is 224.
#[derive(Debug)]
struct RunFunction {
    ty: TypeId,
    params: Vec<Param>,
    blocks: Vec<crate::module::Block>,
    insts: Vec<crate::inst::Instruction>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, file: &'a str) -> Self {
        let cur = lex::next_token(src.as_bytes(), 0);
        Parser {
            src,
            file,
            cur,
            ahead: Cell::new(None),
            pos: cur.start as usize,
            prev: 0,
            m: Module::new(),
            depth: [0; 3],
            symbols: Arc::default(),
            symbol_consts: FxMap::default(),
            word_types: FxMap::default(),
            common_types: [None; types::COMMON_TYPES],
            ptr_types: FxMap::default(),
            int_consts: FxMap::default(),
            next_global_number: 0,
            named_types: FxMap::default(),
            type_aliases: FxMap::default(),
            next_type_number: 0,
            attr_groups: FxMap::default(),
            meta_slots: FxMap::default(),
            named_md: FxMap::default(),
            group_uses: FxMap::default(),
            meta_intern: crate::fxhash::IdIndex::default(),
            func: None,
            source_map: super::SourceMap::default(),
            record_offsets: false,
            call_scratch: Default::default(),
            went_parallel: false,
            fn_base: 0,
            run: None,
        }
    }

    /// A parser with this one's position and tables around module `m`, for
    /// parsing bodies apart from this one (see `parallel` and `lazy`).
    fn fork_with(
        &self,
        m: Module,
        source_map: super::SourceMap,
        went_parallel: bool,
    ) -> Parser<'a> {
        Parser {
            src: self.src,
            file: self.file,
            cur: self.cur,
            ahead: Cell::new(None),
            pos: self.pos,
            prev: self.prev,
            m,
            depth: [0; 3],
            symbols: self.symbols.clone(),
            symbol_consts: self.symbol_consts.clone(),
            word_types: self.word_types.clone(),
            common_types: self.common_types,
            ptr_types: self.ptr_types.clone(),
            int_consts: self.int_consts.clone(),
            next_global_number: self.next_global_number,
            named_types: self.named_types.clone(),
            type_aliases: self.type_aliases.clone(),
            next_type_number: self.next_type_number,
            attr_groups: self.attr_groups.clone(),
            meta_slots: self.meta_slots.clone(),
            named_md: FxMap::default(),
            group_uses: FxMap::default(),
            meta_intern: self.meta_intern.clone(),
            func: None,
            source_map,
            record_offsets: false,
            call_scratch: Default::default(),
            went_parallel,
            fn_base: 0,
            run: None,
        }
    }

    /// Where function `id` is in `m.functions` and the source map (see
    /// `fn_base`).
    fn fn_index(&self, id: FuncId) -> usize {
        (id.0 as usize).wrapping_sub(self.fn_base)
    }

    // ----- token helpers -----

    /// The current token (the final `Eof` once the input is exhausted).
    fn tok(&self) -> Token {
        self.cur
    }

    /// The token starting at offset `at` (a position saved earlier).
    fn tok_at(&self, at: usize) -> Token {
        if at == self.pos {
            self.cur
        } else {
            lex::next_token(self.src.as_bytes(), at)
        }
    }

    fn peek(&self) -> TokenKind {
        self.cur.kind
    }

    /// The token after the current one.
    fn next_tok(&self) -> Token {
        if let Some(t) = self.ahead.get() {
            return t;
        }
        let t = lex::next_token(self.src.as_bytes(), self.cur.resume());
        self.ahead.set(Some(t));
        t
    }

    fn peek_next(&self) -> TokenKind {
        self.next_tok().kind
    }

    fn bump(&mut self) -> Token {
        let t = self.cur;
        if t.kind != TokenKind::Eof {
            self.cur = match self.ahead.take() {
                Some(n) => n,
                None => lex::next_token(self.src.as_bytes(), t.resume()),
            };
            self.prev = self.pos;
            self.pos = self.cur.start as usize;
        }
        t
    }

    /// Continues at the token starting at offset `at` (a saved position).
    fn seek(&mut self, at: usize) {
        self.cur = lex::next_token(self.src.as_bytes(), at);
        self.ahead.set(None);
        self.prev = at;
        self.pos = self.cur.start as usize;
    }

    fn text(&self, t: Token) -> &'a str {
        self.src.get(t.start as usize..t.end as usize).unwrap_or("")
    }

    /// Whether the current token is the keyword `w`.
    fn at_word(&self, w: &str) -> bool {
        let t = self.tok();
        t.kind == TokenKind::Word && self.text(t) == w
    }

    /// The current token's text if it is a keyword.
    fn word(&self) -> Option<&'a str> {
        let t = self.tok();
        (t.kind == TokenKind::Word).then(|| self.text(t))
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.at_word(w) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn eat(&mut self, kind: TokenKind) -> bool {
        if self.peek() == kind {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> PResult<Token> {
        if self.peek() == kind {
            Ok(self.bump())
        } else {
            Err(self.err(format!("expected {what}")))
        }
    }

    fn expect_word(&mut self, w: &str) -> PResult<()> {
        if self.eat_word(w) {
            Ok(())
        } else {
            Err(self.err(format!("expected '{w}'")))
        }
    }

    // ----- errors -----

    /// An error at the current token. A lexical error token reports its own
    /// message instead, since that is the real problem.
    #[cold]
    fn err(&self, msg: impl Into<String>) -> Box<ParseError> {
        self.err_at(self.pos, msg)
    }

    /// An error at the token starting at offset `at`.
    #[cold]
    fn err_at(&self, at: usize, msg: impl Into<String>) -> Box<ParseError> {
        let t = self.tok_at(at);
        let msg = match t.kind {
            TokenKind::Error(e) => e.message().to_string(),
            _ => msg.into(),
        };
        Box::new(ParseError::at(self.file, self.src, t.start as usize, msg))
    }

    /// The error of [`Parser::enter`], kept out of line: `enter` wraps every
    /// nested type, constant and metadata parse, and a formatted message in
    /// its body keeps the compiler from inlining it (about 1 % more
    /// instructions per parse, measured with callgrind on `copies_10.ll`).
    #[cold]
    #[inline(never)]
    fn too_deep(&self) -> Box<ParseError> {
        self.err(format!("nesting too deep (limit {MAX_PARSE_DEPTH})"))
    }

    /// Runs `f` one metadata nesting level deeper, failing beyond
    /// [`MAX_PARSE_DEPTH`] metadata levels.
    fn enter<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter_as(Nest::Metadata, f)
    }

    /// Runs `f` one level of `kind` deeper, failing beyond
    /// [`MAX_PARSE_DEPTH`] levels of that kind.
    fn enter_as<T>(&mut self, kind: Nest, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let k = kind as usize;
        if self.depth[k] >= MAX_PARSE_DEPTH {
            return Err(self.too_deep());
        }
        self.depth[k] += 1;
        let r = f(self);
        self.depth[k] -= 1;
        r
    }

    // ----- names and literals -----

    /// The key of a `@name`/`%name`/label token.
    fn key_of(&self, index: usize) -> PResult<Key<'a>> {
        let t = self.tok_at(index);
        let text = self.text(t);
        let (form, body) = match t.kind {
            TokenKind::Global(f) | TokenKind::Local(f) => (f, text.get(1..).unwrap_or("")),
            TokenKind::Label(f) => (f, text),
            _ => return Err(self.err_at(index, "expected name")),
        };
        match form {
            NameForm::Bare => Ok(Key::Name(Cow::Borrowed(body))),
            NameForm::Id => decimal_u32(body)
                .map(Key::Id)
                .ok_or_else(|| self.err_at(index, "number too large")),
            NameForm::Quoted => {
                let inner = body.get(1..body.len().saturating_sub(1)).unwrap_or("");
                match unescape(inner) {
                    Cow::Borrowed(b) => Ok(Key::Name(Cow::Borrowed(
                        std::str::from_utf8(b).unwrap_or_default(),
                    ))),
                    Cow::Owned(v) => String::from_utf8(v)
                        .map(|s| Key::Name(Cow::Owned(s)))
                        .map_err(|_| self.err_at(index, "name is not valid UTF-8")),
                }
            }
        }
    }

    /// The contents of a `"..."` token, unescaped, as a string.
    fn string_at(&self, index: usize) -> PResult<String> {
        let bytes = self.string_bytes_at(index);
        String::from_utf8(bytes.into_owned())
            .map_err(|_| self.err_at(index, "string is not valid UTF-8"))
    }

    /// The contents of a `"..."` or `c"..."` token, unescaped, as bytes.
    fn string_bytes_at(&self, index: usize) -> Cow<'a, [u8]> {
        let t = self.tok_at(index);
        let text = self.text(t);
        let text = text.strip_prefix('c').unwrap_or(text);
        unescape(text.get(1..text.len().saturating_sub(1)).unwrap_or(""))
    }

    fn expect_string(&mut self, what: &str) -> PResult<String> {
        if self.peek() != TokenKind::Str {
            return Err(self.err(format!("expected {what}")));
        }
        let i = self.pos;
        self.bump();
        self.string_at(i)
    }

    /// A non-negative decimal integer token that fits in `u64`.
    fn parse_u64(&mut self) -> PResult<u64> {
        if self.peek() != TokenKind::Int {
            return Err(self.err("expected integer"));
        }
        let t = self.tok();
        let v = self
            .text(t)
            .parse::<u64>()
            .map_err(|_| self.err("expected unsigned 64-bit integer"))?;
        self.bump();
        Ok(v)
    }

    fn parse_u32(&mut self) -> PResult<u32> {
        if self.peek() != TokenKind::Int {
            return Err(self.err("expected integer"));
        }
        let t = self.tok();
        let v = self
            .text(t)
            .parse::<u32>()
            .map_err(|_| self.err("expected unsigned 32-bit integer"))?;
        self.bump();
        Ok(v)
    }

    /// `align N` (the keyword already consumed).
    fn parse_align_value(&mut self) -> PResult<u64> {
        let at = self.pos;
        let v = self.parse_u64()?;
        check_align(v).map_err(|m| self.err_at(at, m))?;
        Ok(v)
    }

    /// `addrspace(N)` (the keyword already consumed).
    fn parse_addrspace_value(&mut self) -> PResult<u32> {
        self.expect(TokenKind::LParen, "'(' in address space")?;
        let n = self.parse_u32()?;
        if n >= 1 << 24 {
            return Err(self.err_at(self.prev, "invalid address space, must be a 24-bit integer"));
        }
        self.expect(TokenKind::RParen, "')' in address space")?;
        Ok(n)
    }

    /// An optional calling convention.
    fn parse_cc(&mut self) -> PResult<CallConv> {
        let Some(w) = self.word() else {
            return Ok(CallConv::default());
        };
        if w == "cc" {
            self.bump();
            return Ok(CallConv(self.parse_u32()?));
        }
        if let Some(cc) = NamedCallConv::from_spelling(w) {
            self.bump();
            return Ok(CallConv(cc.bitcode()));
        }
        // Other LLVM keywords, stored by number (they print as `cc N`).
        let n = match w {
            "webkit_jscc" => 12,
            "anyregcc" => 13,
            "preserve_mostcc" => 14,
            "preserve_allcc" => 15,
            "ghccc" => 10,
            "swiftcc" => 16,
            "cxx_fast_tlscc" => 17,
            "tailcc" => 18,
            "cfguard_checkcc" => 19,
            "swifttailcc" => 20,
            "spir_func" => 75,
            "spir_kernel" => 76,
            _ => return Ok(CallConv::default()),
        };
        self.bump();
        Ok(CallConv(n))
    }

    /// Whether the current token begins a top-level entity.
    fn at_top_level_start(&self) -> bool {
        match self.peek() {
            TokenKind::Eof => true,
            TokenKind::Word => matches!(
                self.word(),
                Some("define" | "declare" | "attributes" | "source_filename" | "target" | "module")
            ),
            TokenKind::Global(_) | TokenKind::Local(_) | TokenKind::MetaVar | TokenKind::MetaId => {
                self.peek_next() == TokenKind::Equal
            }
            _ => false,
        }
    }

    /// Skips to the next top-level entity at bracket depth zero (pass one
    /// skips initializers and metadata so; pass two parses them properly).
    fn skip_to_top_level(&mut self) {
        let mut depth = 0usize;
        loop {
            if depth == 0 && self.at_top_level_start() {
                return;
            }
            match self.peek() {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1)
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// Skips a `{ ... }` function body (braces balance inside bodies).
    /// Also counts the body's attribute group references.
    fn skip_body(&mut self) {
        let uses = &mut self.group_uses;
        let end = lex::skip_braces(self.src.as_bytes(), self.pos, |at, n| {
            note_group_use(uses, n, at)
        });
        self.seek(end);
    }

    /// Refuses a module whose attribute group references would copy more
    /// attributes into functions and calls than
    /// [`MAX_GROUP_COPIES_PER_BYTE`] per byte of input plus
    /// [`MAX_GROUP_COPIES_BASE`]: each reference takes a copy of the
    /// group, so `k` references of a few bytes to a group of `m`
    /// attributes hold `k * m` of them (97 KB of text, 3 000 declarations
    /// of a group of 3 000, took 3.8 s and 720 MB). Undefined groups are
    /// left to the errors that name them.
    fn check_group_copies(&self) -> PResult<()> {
        let budget = (self.src.len() as u64)
            .saturating_mul(MAX_GROUP_COPIES_PER_BYTE)
            .saturating_add(MAX_GROUP_COPIES_BASE);
        let mut total = 0u64;
        let mut worst: Option<(u64, u32, u64, usize)> = None;
        for (&group, &(count, first)) in &self.group_uses {
            let Some(set) = self.attr_groups.get(&group) else {
                continue;
            };
            let copies = count.saturating_mul(set.len() as u64);
            total = total.saturating_add(copies);
            // The group that copies most (the lowest number on a tie) is
            // named, whatever the map's order.
            if worst.is_none_or(|(c, g, _, _)| copies > c || (copies == c && group < g)) {
                worst = Some((copies, group, count, first));
            }
        }
        match worst {
            Some((copies, group, count, first)) if total > budget => Err(self.err_at(
                first,
                format!(
                    "attribute group '#{group}' is used {count} times, copying {copies} \
                     attributes into functions and calls; all groups copy {total}, more than \
                     the {budget} this input may ({MAX_GROUP_COPIES_PER_BYTE} per byte plus \
                     {MAX_GROUP_COPIES_BASE})"
                ),
            )),
            _ => Ok(()),
        }
    }

    // ----- driver -----

    /// Parses the module with up to `threads` threads for bodies (0: the
    /// machine's parallelism).
    fn parse_all(&mut self, threads: usize, min_parallel_bytes: usize) -> PResult<()> {
        let deferred = self.pass_one()?;
        let mut i = 0;
        while i < deferred.len() {
            if threads != 1 {
                if let Some(n) =
                    self.try_parallel_run(&deferred[i..], threads, min_parallel_bytes)?
                {
                    i += n;
                    continue;
                }
            }
            self.parse_deferred(deferred[i])?;
            i += 1;
        }
        self.finish()
    }

    /// Parses one item pass one left, which must end where the next
    /// top-level entity starts.
    fn parse_deferred(&mut self, d: Deferred) -> PResult<()> {
        match d {
            Deferred::Global {
                id,
                resume,
                has_init,
            } => {
                self.seek(resume as usize);
                self.global_tail(id, has_init)?;
            }
            Deferred::Body { id, resume, end } => {
                self.seek(resume as usize);
                self.function_body(id, end.saturating_sub(resume) as usize)?;
            }
            Deferred::Metadata { start } => {
                self.seek(start as usize);
                self.metadata_definition()?;
            }
        }
        if !self.at_top_level_start() {
            return Err(self.err("expected top-level entity"));
        }
        Ok(())
    }

    /// If `items` starts with a run of bodies worth parsing in parallel,
    /// parses it so and returns its length.
    fn try_parallel_run(
        &mut self,
        items: &[Deferred],
        threads: usize,
        min_parallel_bytes: usize,
    ) -> PResult<Option<usize>> {
        let run = items
            .iter()
            .take_while(|d| matches!(d, Deferred::Body { .. }))
            .count();
        if run < 2 {
            return Ok(None);
        }
        let end = items.get(run).map_or(self.src.len(), Deferred::start);
        let first = items.first().map_or(end, Deferred::start);
        if end.saturating_sub(first) < min_parallel_bytes {
            return Ok(None);
        }
        let threads = match threads {
            0 => crate::available_threads(),
            n => n,
        };
        if threads < 2 {
            return Ok(None);
        }
        let mut bodies: Vec<parallel::BodyItem> = Vec::with_capacity(run);
        for (k, d) in items[..run].iter().enumerate() {
            if let Deferred::Body {
                id,
                resume,
                end: body_end,
            } = *d
            {
                let next = items.get(k + 1).map_or(end, Deferred::start);
                bodies.push(parallel::BodyItem {
                    id,
                    resume,
                    body_len: body_end.saturating_sub(resume),
                    len: (next as u32).saturating_sub(resume),
                });
            }
        }
        self.went_parallel = true;
        self.parse_bodies_parallel(&bodies, threads)?;
        Ok(Some(run))
    }

    fn pass_one(&mut self) -> PResult<Vec<Deferred>> {
        let mut deferred = Vec::new();
        let mut pending_groups: Vec<(FuncId, u32, usize)> = Vec::new();
        loop {
            let t = self.tok();
            match t.kind {
                TokenKind::Eof => break,
                TokenKind::Word => match self.text(t) {
                    "source_filename" => {
                        self.bump();
                        self.expect(TokenKind::Equal, "'=' after source_filename")?;
                        self.m.source_filename = Some(self.expect_string("source name")?);
                    }
                    "target" => {
                        self.bump();
                        if self.eat_word("datalayout") {
                            self.expect(TokenKind::Equal, "'=' after target datalayout")?;
                            self.m.datalayout = Some(self.expect_string("data layout string")?);
                        } else if self.eat_word("triple") {
                            self.expect(TokenKind::Equal, "'=' after target triple")?;
                            self.m.triple = Some(self.expect_string("target triple string")?);
                        } else {
                            return Err(self.err("unknown target property"));
                        }
                    }
                    "module" => {
                        self.bump();
                        self.expect_word("asm")?;
                        let s = self.expect_string("module asm string")?;
                        self.m.module_asm.push(s);
                    }
                    "attributes" => self.attribute_group()?,
                    "define" | "declare" => {
                        let is_define = self.text(t) == "define";
                        self.bump();
                        let id = self.function_header(&mut pending_groups, is_define)?;
                        if is_define {
                            if self.peek() != TokenKind::LBrace {
                                return Err(self.err("expected '{' in function body"));
                            }
                            let resume = self.pos;
                            self.skip_body();
                            deferred.push(Deferred::Body {
                                id,
                                resume: resume as u32,
                                end: self.pos.max(resume) as u32,
                            });
                        } else if !self.at_top_level_start() {
                            return Err(match self.word() {
                                Some(w) => self.err(format!("unknown attribute '{w}'")),
                                None => self.err("expected top-level entity"),
                            });
                        }
                    }
                    other => {
                        return Err(self.err(format!("expected top-level entity, found '{other}'")))
                    }
                },
                TokenKind::Local(_) => self.type_definition()?,
                TokenKind::Global(_) => {
                    let (id, has_init) = self.global_header()?;
                    deferred.push(Deferred::Global {
                        id,
                        resume: self.pos as u32,
                        has_init,
                    });
                    self.skip_to_top_level();
                }
                TokenKind::MetaVar | TokenKind::MetaId => {
                    deferred.push(Deferred::Metadata {
                        start: self.pos as u32,
                    });
                    self.bump();
                    self.skip_to_top_level();
                }
                _ => return Err(self.err("expected top-level entity")),
            }
        }
        // Every global and function exists now; the tables live as long as
        // the module, so the room doubling left at their ends (up to half:
        // 56 MB of an 800 000-function table) is given back.
        self.m.functions.shrink_to_fit();
        self.m.globals.shrink_to_fit();
        // Function attribute groups may be defined after their use.
        for &(_, group, at) in &pending_groups {
            if !self.attr_groups.contains_key(&group) {
                return Err(self.err_at(at, format!("undefined attribute group '#{group}'")));
            }
        }
        self.check_group_copies()?;
        for (fid, group, _) in pending_groups {
            let Some(set) = self.attr_groups.get(&group).cloned() else {
                continue;
            };
            let f = &mut self.m.functions[fid.0 as usize];
            f.fn_attrs.merge(&set);
            take_fn_alignment(&mut f.fn_attrs, &mut f.align);
        }
        Ok(deferred)
    }

    /// End-of-module checks: every referenced type and metadata node exists.
    fn finish(&mut self) -> PResult<()> {
        if let Some(nt) = self
            .named_types
            .values()
            .filter(|n| !n.defined)
            .min_by_key(|n| n.first_use)
        {
            let name = self.text(self.tok_at(nt.first_use)).get(1..).unwrap_or("");
            return Err(self.err_at(
                nt.first_use,
                format!("use of undefined type named '{name}'"),
            ));
        }
        if let Some(slot) = self
            .meta_slots
            .values()
            .filter(|s| !s.defined)
            .min_by_key(|s| s.first_use)
        {
            let text = self.text(self.tok_at(slot.first_use));
            return Err(self.err_at(
                slot.first_use,
                format!("use of undefined metadata '{text}'"),
            ));
        }
        Ok(())
    }

    // ----- module-level entities -----

    /// Registers a new `@name`, checking numbering and redefinition.
    fn declare_symbol(&mut self, at: usize, sym: Symbol, what: &str) -> PResult<Key<'a>> {
        let key = self.key_of(at)?;
        if let Key::Id(n) = key {
            if n != self.next_global_number {
                return Err(self.err_at(
                    at,
                    format!(
                        "{what} expected to be numbered '@{}'",
                        self.next_global_number
                    ),
                ));
            }
            self.next_global_number += 1;
        }
        if self.symbols.contains_key(&key) {
            let text = self.text(self.tok_at(at));
            return Err(self.err_at(at, format!("redefinition of '{text}'")));
        }
        Arc::make_mut(&mut self.symbols).insert(key.clone(), sym);
        Ok(key)
    }

    /// Linkage keyword, if present (`external` spells the default).
    fn parse_linkage(&mut self) -> Option<(Linkage, bool)> {
        let w = self.word()?;
        let l = if w == "external" {
            Linkage::External
        } else {
            Linkage::from_spelling(w)?
        };
        self.bump();
        Some((l, w == "external"))
    }

    fn parse_preemption_and_visibility(&mut self) -> PResult<(bool, Visibility)> {
        let mut dso_local = false;
        if self.eat_word("dso_local") {
            dso_local = true;
        } else {
            self.eat_word("dso_preemptable");
        }
        let vis = match self.word() {
            Some("default") => {
                self.bump();
                Visibility::Default
            }
            Some(w) => match Visibility::from_spelling(w) {
                Some(v) => {
                    self.bump();
                    v
                }
                None => Visibility::Default,
            },
            None => Visibility::Default,
        };
        if matches!(self.word(), Some("dllimport" | "dllexport")) {
            return Err(self.err("DLL storage classes are not supported"));
        }
        Ok((dso_local, vis))
    }

    fn parse_unnamed_addr(&mut self) -> UnnamedAddr {
        match self.word().and_then(UnnamedAddr::from_spelling) {
            Some(u) => {
                self.bump();
                u
            }
            None => UnnamedAddr::None,
        }
    }

    /// `@g = ... global|constant T`, up to (not including) the initializer.
    fn global_header(&mut self) -> PResult<(GlobalId, bool)> {
        let name_at = self.pos;
        self.bump();
        self.expect(TokenKind::Equal, "'=' after global name")?;
        let (linkage, explicit_external) =
            self.parse_linkage().unwrap_or((Linkage::External, false));
        let (dso_local, visibility) = self.parse_preemption_and_visibility()?;
        let mut thread_local = ThreadLocal::NotThreadLocal;
        if self.eat_word("thread_local") {
            thread_local = ThreadLocal::GeneralDynamic;
            if self.eat(TokenKind::LParen) {
                thread_local = match self.word() {
                    Some("localdynamic") => ThreadLocal::LocalDynamic,
                    Some("initialexec") => ThreadLocal::InitialExec,
                    Some("localexec") => ThreadLocal::LocalExec,
                    Some("generaldynamic") => ThreadLocal::GeneralDynamic,
                    _ => return Err(self.err("expected localdynamic, initialexec or localexec")),
                };
                self.bump();
                self.expect(TokenKind::RParen, "')' after thread-local storage model")?;
            }
        }
        let unnamed_addr = self.parse_unnamed_addr();
        let addrspace = if self.eat_word("addrspace") {
            self.parse_addrspace_value()?
        } else {
            0
        };
        let externally_initialized = self.eat_word("externally_initialized");
        let is_constant = if self.eat_word("constant") {
            true
        } else if self.eat_word("global") {
            false
        } else if matches!(self.word(), Some("alias" | "ifunc")) {
            return Err(self.err("aliases and ifuncs are not supported"));
        } else {
            return Err(self.err("expected 'global' or 'constant'"));
        };
        let ty_at = self.pos;
        let value_ty = self.parse_type()?;
        if matches!(
            self.m.types.get(value_ty),
            Type::Void | Type::Function { .. } | Type::Label | Type::Metadata | Type::Token
        ) {
            return Err(self.err_at(ty_at, "invalid type for global variable"));
        }
        let id = GlobalId(self.m.globals.len() as u32);
        let key =
            self.declare_symbol(name_at, Symbol::Global(id, value_ty, addrspace), "variable")?;
        self.source_map.push_global(name_at);
        self.m.globals.push(Global {
            name: key.string_name(),
            value_ty,
            addrspace,
            is_constant,
            initializer: None,
            linkage,
            visibility,
            dso_local,
            unnamed_addr,
            externally_initialized,
            thread_local,
            section: None,
            align: None,
            attachments: Vec::new(),
        });
        let has_init = !(explicit_external || linkage == Linkage::ExternWeak);
        Ok((id, has_init))
    }

    /// A global's initializer and `, section "s"`, `, align N`, `, !k !N`.
    fn global_tail(&mut self, id: GlobalId, has_init: bool) -> PResult<()> {
        if has_init {
            let ty = self.m.globals[id.0 as usize].value_ty;
            let init = self.parse_const(ty)?;
            self.m.globals[id.0 as usize].initializer = Some(init);
        }
        while self.eat(TokenKind::Comma) {
            if self.eat_word("section") {
                let s = self.expect_string("section name")?;
                self.m.globals[id.0 as usize].section = Some(s);
            } else if self.eat_word("align") {
                let a = self.parse_align_value()?;
                self.m.globals[id.0 as usize].align = Some(a);
            } else if self.peek() == TokenKind::MetaVar {
                let att = self.attachment()?;
                self.m.globals[id.0 as usize].attachments.push(att);
            } else if matches!(self.word(), Some("comdat" | "partition")) {
                return Err(self.err("comdats and partitions are not supported"));
            } else {
                return Err(self.err("expected global variable property"));
            }
        }
        Ok(())
    }

    /// `define|declare ... @f(params) ...` up to the body.
    fn function_header(
        &mut self,
        pending_groups: &mut Vec<(FuncId, u32, usize)>,
        is_define: bool,
    ) -> PResult<FuncId> {
        // `declare !kind !N ...`: declarations carry attachments up front.
        let mut attachments = Vec::new();
        while self.peek() == TokenKind::MetaVar {
            attachments.push(self.attachment()?);
        }
        let linkage = self.parse_linkage().map_or(Linkage::External, |l| l.0);
        let (dso_local, visibility) = self.parse_preemption_and_visibility()?;
        let cc = self.parse_cc()?;
        let ret_attrs = self.parse_attrs(attrs::AttrContext::Return)?;
        let ret_at = self.pos;
        let ret = self.parse_type()?;
        if matches!(
            self.m.types.get(ret),
            Type::Function { .. } | Type::Label | Type::Metadata
        ) {
            return Err(self.err_at(ret_at, "invalid function return type"));
        }
        let name_at = self.pos;
        if !matches!(self.peek(), TokenKind::Global(_)) {
            return Err(self.err("expected function name"));
        }
        self.bump();
        // Parameters.
        self.expect(TokenKind::LParen, "'(' in function argument list")?;
        let mut param_tys = Vec::new();
        let mut params = Vec::new();
        let mut varargs = false;
        let mut next_number = 0u32;
        if !self.eat(TokenKind::RParen) {
            loop {
                if self.eat(TokenKind::Ellipsis) {
                    varargs = true;
                    self.expect(TokenKind::RParen, "')' at end of argument list")?;
                    break;
                }
                let ty_at = self.pos;
                let ty = self.parse_type()?;
                if matches!(
                    self.m.types.get(ty),
                    Type::Void | Type::Function { .. } | Type::Label
                ) {
                    return Err(self.err_at(ty_at, "invalid type for function argument"));
                }
                let attrs = self.parse_attrs(attrs::AttrContext::Param)?;
                let name = if let TokenKind::Local(_) = self.peek() {
                    let at = self.pos;
                    self.bump();
                    match self.key_of(at)? {
                        Key::Id(n) => {
                            if n != next_number {
                                return Err(self.err_at(
                                    at,
                                    format!("argument expected to be numbered '%{next_number}'"),
                                ));
                            }
                            next_number += 1;
                            None
                        }
                        Key::Name(n) => Some(n.into_owned()),
                    }
                } else {
                    next_number += 1;
                    None
                };
                param_tys.push(ty);
                params.push(Param { name, attrs });
                if self.eat(TokenKind::RParen) {
                    break;
                }
                self.expect(TokenKind::Comma, "',' or ')' in argument list")?;
            }
        }
        // Named params must be unique: the first name seen before is the
        // error. A set, not a scan of the earlier ones for each: 100 000
        // parameters (1.3 MB of text) took 14 s that way.
        let mut seen: crate::fxhash::HashSet<&str> = Default::default();
        for p in &params {
            if let Some(n) = &p.name {
                if !seen.insert(n) {
                    return Err(self.err_at(name_at, format!("redefinition of argument '%{n}'")));
                }
            }
        }
        let ty = self.m.types.function(ret, param_tys, varargs);
        let unnamed_addr = self.parse_unnamed_addr();
        if self.eat_word("addrspace") {
            let at = self.pos;
            if self.parse_addrspace_value()? != 0 {
                return Err(self.err_at(at, "function address spaces are not supported"));
            }
        }
        let id = FuncId(self.m.functions.len() as u32);
        // Function attributes: inline ones, `#N` groups, and `align N`.
        let mut inline_attrs = Vec::new();
        let mut align = None;
        loop {
            match self.peek() {
                TokenKind::AttrGroup => {
                    let at = self.pos;
                    let t = self.bump();
                    let n = self.text(t)[1..]
                        .parse::<u32>()
                        .map_err(|_| self.err_at(at, "number too large"))?;
                    pending_groups.push((id, n, at));
                    note_group_use(&mut self.group_uses, n, at);
                }
                TokenKind::Str | TokenKind::Word => {
                    if self.at_word("align") {
                        self.bump();
                        align = Some(self.parse_align_value()?);
                        continue;
                    }
                    match self.parse_one_attr(attrs::AttrContext::Function)? {
                        Some(a) => inline_attrs.push(a),
                        None => break,
                    }
                }
                _ => break,
            }
        }
        let mut fn_attrs = AttrSet::from_attrs(inline_attrs);
        take_fn_alignment(&mut fn_attrs, &mut align);
        if fn_attrs.has(AttrKind::Builtin) {
            return Err(self.err("'builtin' attribute not valid on function"));
        }
        let mut section = None;
        loop {
            if self.eat_word("section") {
                section = Some(self.expect_string("section name")?);
            } else if self.eat_word("align") {
                align = Some(self.parse_align_value()?);
            } else if matches!(
                self.word(),
                Some("gc" | "prefix" | "prologue" | "personality" | "comdat" | "partition")
            ) {
                return Err(self.err(format!(
                    "'{}' on functions is not supported",
                    self.word().unwrap_or_default()
                )));
            } else {
                break;
            }
        }
        // Only a definition takes attachments after its header (LLVM 14's
        // `parseDefine`); after a declaration, `!name` starts the next
        // top-level entity, a named metadata definition.
        while is_define && self.peek() == TokenKind::MetaVar {
            attachments.push(self.attachment()?);
        }
        let key = self.declare_symbol(name_at, Symbol::Function(id, ty), "function")?;
        self.source_map.push_function(name_at);
        self.m.functions.push(Function {
            name: key.string_name(),
            ty,
            linkage,
            visibility,
            dso_local,
            cc,
            unnamed_addr,
            ret_attrs,
            fn_attrs,
            params,
            section,
            align,
            blocks: Vec::new(),
            insts: Vec::new(),
            attachments,
        });
        Ok(id)
    }

    /// `attributes #N = { ... }`.
    fn attribute_group(&mut self) -> PResult<()> {
        self.bump();
        let at = self.pos;
        let t = self.expect(TokenKind::AttrGroup, "attribute group id")?;
        let n = self.text(t)[1..]
            .parse::<u32>()
            .map_err(|_| self.err_at(at, "number too large"))?;
        self.expect(TokenKind::Equal, "'=' here")?;
        self.expect(TokenKind::LBrace, "'{' here")?;
        let mut list = Vec::new();
        while !self.eat(TokenKind::RBrace) {
            match self.parse_one_attr(attrs::AttrContext::Group)? {
                Some(a) => list.push(a),
                None => {
                    return Err(match self.word() {
                        Some(w) => self.err(format!("unknown attribute '{w}'")),
                        None => self.err("expected attribute or '}'"),
                    })
                }
            }
        }
        if self
            .attr_groups
            .insert(n, AttrSet::from_attrs(list))
            .is_some()
        {
            return Err(self.err_at(at, format!("redefinition of attribute group '#{n}'")));
        }
        Ok(())
    }

    /// `%T = type ...`.
    fn type_definition(&mut self) -> PResult<()> {
        let at = self.pos;
        let key = self.key_of(at)?;
        self.bump();
        if let Key::Id(n) = key {
            if n != self.next_type_number {
                return Err(self.err_at(
                    at,
                    format!("type expected to be numbered '%{}'", self.next_type_number),
                ));
            }
            self.next_type_number += 1;
        }
        self.expect(TokenKind::Equal, "'=' after name")?;
        self.expect_word("type")?;
        if self.type_aliases.contains_key(&key)
            || self.named_types.get(&key).is_some_and(|n| n.defined)
        {
            return Err(self.err_at(at, "redefinition of type"));
        }
        let opaque = self.eat_word("opaque");
        let is_struct = opaque
            || self.peek() == TokenKind::LBrace
            || (self.peek() == TokenKind::Less && self.peek_next() == TokenKind::LBrace);
        if !is_struct {
            // `%T = type i32`: an alias, only valid if not used before.
            if self.named_types.contains_key(&key) {
                return Err(self.err_at(at, "non-struct types may not be recursive"));
            }
            let ty = self.parse_type()?;
            self.type_aliases.insert(key, ty);
            return Ok(());
        }
        let id = self.named_type_entry(key.clone(), at);
        if let Some(nt) = self.named_types.get_mut(&key) {
            nt.defined = true;
        }
        if !opaque {
            let body = self.parse_struct_body()?;
            self.m.types.set_struct_body(id, body);
        }
        Ok(())
    }

    /// The named struct for `key`, created (opaque) on first use.
    fn named_type_entry(&mut self, key: Key<'a>, at: usize) -> TypeId {
        if let Some(nt) = self.named_types.get(&key) {
            return nt.id;
        }
        let id = self.m.types.named(&key.string_name());
        self.named_types.insert(
            key,
            NamedType {
                id,
                defined: false,
                first_use: at,
            },
        );
        id
    }

    /// Looks up `@name` and returns the constant for its address.
    fn global_ref(&mut self, at: usize) -> PResult<crate::constant::ConstId> {
        let key = self.key_of(at)?;
        if let Some(&c) = self.symbol_consts.get(&key) {
            return Ok(c);
        }
        let c = match self.symbols.get(&key) {
            // What `Module::global_ref` and `function_ref` make, from the
            // symbol instead of the tables.
            Some(&Symbol::Global(g, value_ty, addrspace)) => {
                let ty = self.m.types.ptr(value_ty, addrspace);
                self.m.constant(ty, crate::constant::ConstKind::Global(g))
            }
            Some(&Symbol::Function(f, fty)) => {
                let ty = self.m.types.ptr(fty, 0);
                self.m.constant(ty, crate::constant::ConstKind::Function(f))
            }
            None => {
                let text = self.text(self.tok_at(at));
                return Err(self.err_at(at, format!("use of undefined value '{text}'")));
            }
        };
        self.symbol_consts.insert(key, c);
        Ok(c)
    }
}

/// Counts a reference to attribute group `n` at offset `at`.
fn note_group_use(uses: &mut FxMap<u32, (u64, usize)>, n: u32, at: usize) {
    let e = uses.entry(n).or_insert((0, at));
    e.0 += 1;
}

/// Moves an `align` function attribute into the function's alignment, as
/// LLVM does for `align N` written among function attributes or in groups.
fn take_fn_alignment(attrs: &mut AttrSet, align: &mut Option<u64>) {
    if let Some(Attribute::Int(_, a)) = attrs.get(AttrKind::Alignment).cloned() {
        *align = Some(a);
        *attrs = AttrSet::from_attrs(
            attrs
                .iter()
                .filter(|x| x.kind() != Some(AttrKind::Alignment))
                .cloned(),
        );
    }
}

/// A run of ASCII digits (as the lexer delimits numbered names) as a
/// `u32`, `None` if it is empty or too large. Numbered locals are on nearly
/// every line of a body; this is much cheaper than `str::parse`.
fn decimal_u32(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    // Up to 19 digits cannot overflow a u64; longer runs (leading zeros
    // allowed) are checked digit by digit.
    let short = s.len() <= 19;
    let mut v = 0u64;
    for &b in s.as_bytes() {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
        if !short && v > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(v).ok()
}

/// Checks an alignment value as LLVM does.
fn check_align(v: u64) -> Result<(), &'static str> {
    if !v.is_power_of_two() {
        Err("alignment is not a power of two")
    } else if v > 1 << 32 {
        Err("huge alignments are not supported yet")
    } else {
        Ok(())
    }
}

/// Decodes LLVM string escapes: `\XX` (two hex digits) is a byte and `\\`
/// a backslash; any other backslash stays as it is.
fn unescape(s: &str) -> Cow<'_, [u8]> {
    let b = s.as_bytes();
    if !b.contains(&b'\\') {
        return Cow::Borrowed(b);
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
            if let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
                b.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
            ) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::unescape;

    #[test]
    fn decimal_u32_is_str_parse_on_digits() {
        // (Unlike `str::parse` it rejects a leading `+`, which the lexer
        // never puts in a numbered name.)
        for s in [
            "",
            "0",
            "7",
            "0042",
            "4294967295",
            "4294967296",
            "99999999999",
            "12a",
            "000000000000042",
            "00000000000000000000000042",
            "000000000000000000000000000000000000000000004294967296",
            "18446744073709551615",
            "-1",
        ] {
            assert_eq!(super::decimal_u32(s), s.parse::<u32>().ok(), "{s:?}");
        }
    }

    #[test]
    fn unescapes_like_llvm() {
        assert_eq!(&*unescape("a\\0Ab\\\\c\\zz"), b"a\nb\\c\\zz");
        assert_eq!(&*unescape("plain"), b"plain");
        assert_eq!(&*unescape("end\\"), b"end\\");
    }
}
