//! A small reader for the parts of Metal Shading Language source the
//! runtime must check before Metal sees it: the `[[visible]]` function
//! declarations and definitions (return type, name, parameter types with
//! their address spaces), the `[[function_constant(n)]]` declarations, and
//! simple type aliases.
//!
//! Metal exposes no parameter types for visible functions, and a shell
//! whose `.MTL_VISIBLE_FN_REF` declaration does not match the lowered
//! function fails pipeline creation with an opaque message (or links
//! something wrong). So the prototypes are read here and compared with the
//! shell's manifest by [`crate::check_signatures`].
//!
//! This is not a C++ parser. It tokenizes (skipping comments, string and
//! character literals and preprocessor lines), walks the declarations at
//! namespace scope (descending into `namespace` and `extern "C"` blocks,
//! skipping `template` declarations, `struct`/`enum` definitions and every
//! function body by brace matching), and reads a declaration as a function
//! when a name is followed by a parenthesised parameter list. Functions
//! produced by macros are not seen; a type it does not know is reported as
//! such instead of guessed.
//!
//! ```
//! let src = "#include <metal_stdlib>\nusing namespace metal;\n\
//!            [[visible]] float transform_value(float v) { return v * 3 + 7; }\n";
//! let parsed = air_metal::msl::parse(src).unwrap();
//! let f = &parsed.visible[0];
//! assert_eq!(f.name, "transform_value");
//! assert_eq!(f.ir_type().unwrap(), "float (float)");
//! assert_eq!(f.prototype(), "[[visible]] float transform_value(float v);");
//! ```

use std::collections::BTreeMap;
use std::fmt;

/// A position in the MSL source (1-based line and column, columns in
/// characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePos {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1.
    pub column: u32,
}

impl fmt::Display for SourcePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An MSL address space of a pointer or reference parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressSpace {
    /// `device` (IR address space 1).
    Device,
    /// `constant` (IR address space 2).
    Constant,
    /// `threadgroup` (IR address space 3).
    Threadgroup,
    /// `thread` (IR address space 0).
    Thread,
}

impl AddressSpace {
    /// The MSL keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            AddressSpace::Device => "device",
            AddressSpace::Constant => "constant",
            AddressSpace::Threadgroup => "threadgroup",
            AddressSpace::Thread => "thread",
        }
    }

    /// The IR address space number (docs/air-conventions.md#buffer-arguments).
    pub fn ir_number(self) -> u32 {
        match self {
            AddressSpace::Device => 1,
            AddressSpace::Constant => 2,
            AddressSpace::Threadgroup => 3,
            AddressSpace::Thread => 0,
        }
    }

    fn from_keyword(word: &str) -> Option<AddressSpace> {
        Some(match word {
            "device" => AddressSpace::Device,
            "constant" => AddressSpace::Constant,
            "threadgroup" => AddressSpace::Threadgroup,
            "thread" => AddressSpace::Thread,
            _ => return None,
        })
    }
}

/// A scalar MSL type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `bool`.
    Bool,
    /// `char` / `int8_t`.
    Char,
    /// `uchar` / `uint8_t`.
    UChar,
    /// `short` / `int16_t`.
    Short,
    /// `ushort` / `uint16_t`.
    UShort,
    /// `int` / `int32_t`.
    Int,
    /// `uint` / `uint32_t` / `unsigned`.
    UInt,
    /// `long` / `int64_t`.
    Long,
    /// `ulong` / `uint64_t` / `size_t`.
    ULong,
    /// `half`.
    Half,
    /// `bfloat`.
    BFloat,
    /// `float`.
    Float,
}

impl Scalar {
    const NAMES: &'static [(&'static str, Scalar)] = &[
        ("bool", Scalar::Bool),
        ("char", Scalar::Char),
        ("uchar", Scalar::UChar),
        ("short", Scalar::Short),
        ("ushort", Scalar::UShort),
        ("int", Scalar::Int),
        ("uint", Scalar::UInt),
        ("long", Scalar::Long),
        ("ulong", Scalar::ULong),
        ("half", Scalar::Half),
        ("bfloat", Scalar::BFloat),
        ("float", Scalar::Float),
    ];

    /// The MSL spelling.
    pub fn msl_name(self) -> &'static str {
        Scalar::NAMES
            .iter()
            .find(|(_, s)| *s == self)
            .map_or("?", |(n, _)| n)
    }

    /// Looks a scalar up by an MSL spelling (including the `<stdint>` and
    /// `unsigned` spellings).
    pub fn from_msl(name: &str) -> Option<Scalar> {
        let alias = match name {
            "int8_t" => Some(Scalar::Char),
            "uint8_t" | "unsigned char" => Some(Scalar::UChar),
            "int16_t" => Some(Scalar::Short),
            "uint16_t" | "unsigned short" => Some(Scalar::UShort),
            "int32_t" | "signed" => Some(Scalar::Int),
            "uint32_t" | "unsigned" | "unsigned int" => Some(Scalar::UInt),
            "int64_t" => Some(Scalar::Long),
            "uint64_t" | "size_t" | "unsigned long" => Some(Scalar::ULong),
            _ => None,
        };
        alias.or_else(|| {
            Scalar::NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| *s)
        })
    }

    /// The IR type (docs/air-conventions.md#type-mapping). `bool` is `i1`, which
    /// is **uncertain**:
    /// the shells avoid it and pass `uint`.
    pub fn ir_name(self) -> &'static str {
        match self {
            Scalar::Bool => "i1",
            Scalar::Char | Scalar::UChar => "i8",
            Scalar::Short | Scalar::UShort => "i16",
            Scalar::Int | Scalar::UInt => "i32",
            Scalar::Long | Scalar::ULong => "i64",
            Scalar::Half => "half",
            Scalar::BFloat => "bfloat",
            Scalar::Float => "float",
        }
    }
}

/// An MSL type as far as the checker understands it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MslType {
    /// `void`.
    Void,
    /// A scalar.
    Scalar(Scalar),
    /// A vector: `float4`, `uint2`, `vec<half, 4>`, ...
    Vector(Scalar, u8),
    /// A pointer (`*`) or reference (`&`), which lower to the same IR
    /// pointer type.
    Pointer {
        /// The address space, `None` if the source gives none (an error in
        /// MSL for a parameter).
        space: Option<AddressSpace>,
        /// `const` on the pointee.
        is_const: bool,
        /// `&` rather than `*`.
        reference: bool,
        /// What it points to.
        pointee: Box<MslType>,
    },
    /// Anything else (a struct, `packed_float3`, a template, a macro): its
    /// lowered type is not known here.
    Named(String),
}

impl MslType {
    /// The IR spelling of the lowered type, as the shell declares it
    /// (docs/air-conventions.md#type-mapping): `float`, `i32`, `<2 x i32>`,
    /// `float addrspace(3)*`.
    ///
    /// # Errors
    /// A type whose lowering is unknown ([`MslType::Named`]), or a pointer
    /// without an address space; the message says which.
    pub fn ir_type(&self) -> Result<String, String> {
        match self {
            MslType::Void => Ok("void".to_string()),
            MslType::Scalar(s) => Ok(s.ir_name().to_string()),
            MslType::Vector(s, n) => Ok(format!("<{n} x {}>", s.ir_name())),
            MslType::Pointer { space, pointee, .. } => {
                let Some(space) = space else {
                    return Err(format!(
                        "`{self}` has no address space (device, constant, threadgroup or thread)"
                    ));
                };
                let inner = match pointee.as_ref() {
                    MslType::Void => "i8".to_string(),
                    other => other.ir_type()?,
                };
                Ok(match space.ir_number() {
                    0 => format!("{inner}*"),
                    n => format!("{inner} addrspace({n})*"),
                })
            }
            MslType::Named(name) => Err(format!(
                "the lowering of type `{name}` is not known to the checker (use scalars, vectors and pointers to them)"
            )),
        }
    }
}

impl fmt::Display for MslType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MslType::Void => f.write_str("void"),
            MslType::Scalar(s) => f.write_str(s.msl_name()),
            MslType::Vector(s, n) => write!(f, "{}{n}", s.msl_name()),
            MslType::Pointer {
                space,
                is_const,
                reference,
                pointee,
            } => {
                if let Some(space) = space {
                    write!(f, "{} ", space.keyword())?;
                }
                if *is_const {
                    f.write_str("const ")?;
                }
                write!(f, "{pointee}{}", if *reference { "&" } else { "*" })
            }
            MslType::Named(name) => f.write_str(name),
        }
    }
}

/// A parameter of a visible function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its type.
    pub ty: MslType,
    /// Its name, if the declaration gives one.
    pub name: Option<String>,
    /// Attributes written on it (`[[buffer(0)]]` ...), which visible
    /// functions cannot use; kept so a report can mention them.
    pub attributes: Vec<String>,
}

/// A `[[visible]]` function declaration or definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VisibleFunction {
    /// Its name.
    pub name: String,
    /// Return type.
    pub ret: MslType,
    /// Parameters.
    pub params: Vec<Param>,
    /// Where the name is.
    pub pos: SourcePos,
    /// Whether it has a body (a definition) rather than ending in `;`.
    pub is_definition: bool,
}

impl VisibleFunction {
    /// The lowered IR function type, `ret (p0, p1, ...)`, in the spelling
    /// of the manifest's `ir_type`.
    ///
    /// # Errors
    /// The first type whose lowering is unknown, naming the parameter.
    pub fn ir_type(&self) -> Result<String, String> {
        let ret = self
            .ret
            .ir_type()
            .map_err(|e| format!("return type: {e}"))?;
        let mut params = Vec::new();
        for (i, p) in self.params.iter().enumerate() {
            params.push(
                p.ty.ir_type()
                    .map_err(|e| format!("parameter {} ({}): {e}", i, param_label(p)))?,
            );
        }
        Ok(format!("{ret} ({})", params.join(", ")))
    }

    /// The declaration in the manifest's `msl_prototype` style:
    /// `[[visible]] float f(float v);`.
    pub fn prototype(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match &p.name {
                Some(n) => format!("{} {n}", p.ty),
                None => p.ty.to_string(),
            })
            .collect();
        format!(
            "[[visible]] {} {}({});",
            self.ret,
            self.name,
            params.join(", ")
        )
    }
}

pub(crate) fn param_label(p: &Param) -> String {
    match &p.name {
        Some(n) => format!("`{n}`"),
        None => "unnamed".to_string(),
    }
}

/// A `[[function_constant(index)]]` declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionConstantDecl {
    /// The constant's name.
    pub name: String,
    /// Its type.
    pub ty: MslType,
    /// The index in `[[function_constant(index)]]`.
    pub index: u32,
    /// Where the name is.
    pub pos: SourcePos,
}

/// What [`parse`] found in an MSL source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MslSource {
    /// Every `[[visible]]` declaration and definition, in source order.
    pub visible: Vec<VisibleFunction>,
    /// Names and positions of functions declared without `[[visible]]`
    /// (kernels, helpers), so a "missing" error can say "exists but is not
    /// marked `[[visible]]`".
    pub other_functions: Vec<(String, SourcePos)>,
    /// `[[function_constant(n)]]` declarations.
    pub function_constants: Vec<FunctionConstantDecl>,
    /// Simple aliases (`typedef float real;`, `using real = float;`) that
    /// were resolved while reading types.
    pub aliases: BTreeMap<String, MslType>,
}

impl MslSource {
    /// The visible function `name`: its definition if there is one, else
    /// its first declaration.
    pub fn visible_function(&self, name: &str) -> Option<&VisibleFunction> {
        let mut found = self.visible.iter().filter(|f| f.name == name);
        let first = found.next()?;
        if first.is_definition {
            return Some(first);
        }
        Some(found.find(|f| f.is_definition).unwrap_or(first))
    }
}

/// A syntax error the reader cannot skip over.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("MSL {pos}: {message}")]
pub struct MslSyntaxError {
    /// Where.
    pub pos: SourcePos,
    /// What.
    pub message: String,
}

// ---------------------------------------------------------------------------
// Tokens

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Number(String),
    Str(String),
    Char,
    Punct(char),
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    pos: SourcePos,
}

impl Token {
    fn is(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }

    fn ident(&self) -> Option<&str> {
        match &self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }

    fn text(&self) -> String {
        match &self.tok {
            Tok::Ident(s) | Tok::Number(s) => s.clone(),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Char => "'.'".to_string(),
            Tok::Punct(c) => c.to_string(),
        }
    }
}

fn tokenize(src: &str) -> Result<Vec<Token>, MslSyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    let mut line_start = true;
    // Advances over one character, tracking the position.
    let step = |i: &mut usize, line: &mut u32, col: &mut u32| {
        if chars[*i] == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let pos = SourcePos { line, column: col };
        if c == '\n' {
            line_start = true;
            step(&mut i, &mut line, &mut col);
            continue;
        }
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut col);
            continue;
        }
        if c == '#' && line_start {
            // A preprocessor line, with backslash continuations.
            while i < chars.len() && chars[i] != '\n' {
                if chars[i] == '\\' && chars.get(i + 1) == Some(&'\n') {
                    step(&mut i, &mut line, &mut col);
                }
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    skip_block_comment(&chars, &mut i, &mut line, &mut col, pos)?;
                    continue;
                }
                step(&mut i, &mut line, &mut col);
            }
            continue;
        }
        line_start = false;
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut col);
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            skip_block_comment(&chars, &mut i, &mut line, &mut col, pos)?;
            continue;
        }
        if c == '"' || c == '\'' {
            let quote = c;
            let mut text = String::new();
            step(&mut i, &mut line, &mut col);
            loop {
                match chars.get(i) {
                    None | Some('\n') => {
                        return Err(MslSyntaxError {
                            pos,
                            message: format!(
                                "unterminated {} literal",
                                if quote == '"' { "string" } else { "character" }
                            ),
                        })
                    }
                    Some('\\') => {
                        step(&mut i, &mut line, &mut col);
                        if i < chars.len() {
                            text.push(chars[i]);
                            step(&mut i, &mut line, &mut col);
                        }
                    }
                    Some(&ch) if ch == quote => {
                        step(&mut i, &mut line, &mut col);
                        break;
                    }
                    Some(&ch) => {
                        text.push(ch);
                        step(&mut i, &mut line, &mut col);
                    }
                }
            }
            out.push(Token {
                tok: if quote == '"' {
                    Tok::Str(text)
                } else {
                    Tok::Char
                },
                pos,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut s = String::new();
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                s.push(chars[i]);
                step(&mut i, &mut line, &mut col);
            }
            out.push(Token {
                tok: Tok::Ident(s),
                pos,
            });
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) {
            let mut s = String::new();
            while i < chars.len() {
                let ch = chars[i];
                let exp_sign = (ch == '+' || ch == '-')
                    && matches!(s.chars().last(), Some('e' | 'E' | 'p' | 'P'))
                    && !s.starts_with("0x");
                if ch.is_alphanumeric() || ch == '.' || ch == '_' || exp_sign {
                    s.push(ch);
                    step(&mut i, &mut line, &mut col);
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Number(s),
                pos,
            });
            continue;
        }
        out.push(Token {
            tok: Tok::Punct(c),
            pos,
        });
        step(&mut i, &mut line, &mut col);
    }
    Ok(out)
}

fn skip_block_comment(
    chars: &[char],
    i: &mut usize,
    line: &mut u32,
    col: &mut u32,
    start: SourcePos,
) -> Result<(), MslSyntaxError> {
    *i += 2;
    *col += 2;
    loop {
        match chars.get(*i) {
            None => {
                return Err(MslSyntaxError {
                    pos: start,
                    message: "unterminated /* comment".to_string(),
                })
            }
            Some('*') if chars.get(*i + 1) == Some(&'/') => {
                *i += 2;
                *col += 2;
                return Ok(());
            }
            Some('\n') => {
                *line += 1;
                *col = 1;
                *i += 1;
            }
            Some(_) => {
                *col += 1;
                *i += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Declarations

/// Reads `source` and returns its visible functions, function constants
/// and the names of its other functions.
///
/// # Errors
/// Only what cannot be skipped: an unterminated comment or literal,
/// unbalanced brackets, or a `[[visible]]` declaration that is not a
/// function.
pub fn parse(source: &str) -> Result<MslSource, MslSyntaxError> {
    let tokens = tokenize(source)?;
    let mut out = MslSource::default();
    let mut p = Parser {
        t: &tokens,
        i: 0,
        out: &mut out,
    };
    p.items(false)?;
    Ok(out)
}

struct Parser<'a> {
    t: &'a [Token],
    i: usize,
    out: &'a mut MslSource,
}

impl Parser<'_> {
    fn peek(&self, k: usize) -> Option<&Token> {
        self.t.get(self.i + k)
    }

    fn eof_pos(&self) -> SourcePos {
        self.t.last().map(|t| t.pos).unwrap_or_default()
    }

    /// Index just past the bracket group opening at `open` (which must be
    /// one of `( [ {`). Angle brackets are not groups here.
    fn skip_group(&self, open: usize) -> Result<usize, MslSyntaxError> {
        let mut stack = Vec::new();
        let mut j = open;
        while j < self.t.len() {
            match &self.t[j].tok {
                Tok::Punct(c @ ('(' | '[' | '{')) => stack.push((*c, self.t[j].pos)),
                Tok::Punct(c @ (')' | ']' | '}')) => {
                    let want = match c {
                        ')' => '(',
                        ']' => '[',
                        _ => '{',
                    };
                    match stack.pop() {
                        Some((o, _)) if o == want => {}
                        Some((o, p)) => {
                            return Err(MslSyntaxError {
                                pos: self.t[j].pos,
                                message: format!("`{c}` does not close the `{o}` at {p}"),
                            })
                        }
                        None => {
                            return Err(MslSyntaxError {
                                pos: self.t[j].pos,
                                message: format!("unbalanced `{c}`"),
                            })
                        }
                    }
                    if stack.is_empty() {
                        return Ok(j + 1);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        let (o, p) = stack.first().copied().unwrap_or(('(', self.eof_pos()));
        Err(MslSyntaxError {
            pos: p,
            message: format!("`{o}` is never closed"),
        })
    }

    /// Skips `<...>` with nesting, starting at a `<`.
    fn skip_angles(&self, open: usize) -> usize {
        let mut depth = 0i32;
        let mut j = open;
        while j < self.t.len() {
            let tk = &self.t[j];
            if tk.is('<') {
                depth += 1;
            } else if tk.is('>') {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            } else if tk.is('(') || tk.is('[') || tk.is('{') {
                match self.skip_group(j) {
                    Ok(end) => {
                        j = end;
                        continue;
                    }
                    Err(_) => return self.t.len(),
                }
            } else if tk.is(';') {
                return j;
            }
            j += 1;
        }
        j
    }

    /// Reads items until the end (or a `}` closing the current scope when
    /// `nested`).
    fn items(&mut self, nested: bool) -> Result<(), MslSyntaxError> {
        while let Some(tk) = self.peek(0) {
            if tk.is('}') {
                if nested {
                    self.i += 1;
                    return Ok(());
                }
                return Err(MslSyntaxError {
                    pos: tk.pos,
                    message: "unbalanced `}`".to_string(),
                });
            }
            if tk.is(';') {
                self.i += 1;
                continue;
            }
            match tk.ident() {
                Some("namespace") => {
                    let mut j = self.i + 1;
                    while j < self.t.len() && !self.t[j].is('{') && !self.t[j].is(';') {
                        j += 1;
                    }
                    if j < self.t.len() && self.t[j].is('{') {
                        self.i = j + 1;
                        self.items(true)?;
                    } else {
                        // `namespace a = b;`
                        self.i = j + 1;
                    }
                }
                Some("extern")
                    if matches!(self.peek(1).map(|t| &t.tok), Some(Tok::Str(_)))
                        && self.peek(2).is_some_and(|t| t.is('{')) =>
                {
                    self.i += 3;
                    self.items(true)?;
                }
                Some("template") => {
                    let mut j = self.i + 1;
                    if self.t.get(j).is_some_and(|t| t.is('<')) {
                        j = self.skip_angles(j);
                    }
                    self.i = j;
                    self.skip_declaration()?;
                }
                Some("struct" | "class" | "union" | "enum" | "static_assert") => {
                    self.skip_declaration()?;
                }
                Some("typedef") => {
                    let start = self.i + 1;
                    let end = self.skip_declaration()?;
                    // `typedef T name;`
                    if end > start + 1 {
                        let body = &self.t[start..end.saturating_sub(1)];
                        if let Some((name_tok, ty_toks)) = body.split_last() {
                            if let Some(name) = name_tok.ident() {
                                let ty = self.read_type(ty_toks);
                                self.out.aliases.insert(name.to_string(), ty);
                            }
                        }
                    }
                }
                Some("using") => {
                    let start = self.i + 1;
                    let end = self.skip_declaration()?;
                    // `using name = T;` (not `using namespace x;`)
                    let body = &self.t[start..end.saturating_sub(1)];
                    if body.len() >= 3 && body[1].is('=') {
                        if let Some(name) = body[0].ident() {
                            let ty = self.read_type(&body[2..]);
                            self.out.aliases.insert(name.to_string(), ty);
                        }
                    }
                }
                _ => self.declaration()?,
            }
        }
        if nested {
            return Err(MslSyntaxError {
                pos: self.eof_pos(),
                message: "a `{` block is never closed".to_string(),
            });
        }
        Ok(())
    }

    /// Skips one declaration: up to a `;` at depth 0, or through a `{...}`
    /// body that is not followed by more declarators. Returns the index
    /// after it.
    fn skip_declaration(&mut self) -> Result<usize, MslSyntaxError> {
        let mut j = self.i;
        while j < self.t.len() {
            let tk = &self.t[j];
            if tk.is(';') {
                j += 1;
                break;
            }
            if tk.is('(') || tk.is('[') {
                j = self.skip_group(j)?;
                continue;
            }
            if tk.is('{') {
                j = self.skip_group(j)?;
                // `struct S {...};` / `struct S {...} s;` continue to `;`;
                // a function body ends the declaration.
                let prev_paren = j >= 2 && self.brace_follows_signature(j);
                if prev_paren {
                    break;
                }
                continue;
            }
            if tk.is('}') {
                // The enclosing scope ends; let the caller see it.
                break;
            }
            j += 1;
        }
        self.i = j;
        Ok(j)
    }

    /// Whether the `{...}` group that ends just before `after` follows a
    /// `)` (possibly with `const` / attributes in between): a function
    /// body.
    fn brace_follows_signature(&self, after: usize) -> bool {
        // Find the `{` that opens the group ending at `after - 1`.
        let mut depth = 0i32;
        let mut k = after;
        while k > 0 {
            k -= 1;
            if self.t[k].is('}') {
                depth += 1;
            } else if self.t[k].is('{') {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
        }
        let mut m = k;
        while m > 0 {
            m -= 1;
            let tk = &self.t[m];
            if tk.is(')') {
                return true;
            }
            if tk.is(']') || matches!(tk.ident(), Some("const" | "noexcept" | "override")) {
                // Skip trailing attributes `[[...]]` and qualifiers.
                if tk.is(']') {
                    let mut d = 0i32;
                    while m > 0 {
                        if self.t[m].is(']') {
                            d += 1;
                        } else if self.t[m].is('[') {
                            d -= 1;
                            if d == 0 {
                                break;
                            }
                        }
                        m -= 1;
                    }
                }
                continue;
            }
            return false;
        }
        false
    }

    /// Reads one declaration at namespace scope.
    fn declaration(&mut self) -> Result<(), MslSyntaxError> {
        let start = self.i;
        // Collect the head (up to `;`, `=`, or a function body) with
        // attributes separated out.
        // Attributes at the declaration's top level: (head index, text, position).
        let mut attrs: Vec<(usize, String, SourcePos)> = Vec::new();
        let mut head: Vec<usize> = Vec::new();
        let mut j = start;
        let mut body = false;
        let mut has_init = false;
        while j < self.t.len() {
            let tk = &self.t[j];
            if tk.is(';') {
                j += 1;
                break;
            }
            if tk.is('}') {
                break;
            }
            if tk.is('[') && self.t.get(j + 1).is_some_and(|t| t.is('[')) {
                let end = self.skip_group(j)?;
                let text: String = self.t[j + 2..end.saturating_sub(2)]
                    .iter()
                    .map(Token::text)
                    .collect::<Vec<_>>()
                    .join("");
                attrs.push((head.len(), text, tk.pos));
                j = end;
                continue;
            }
            if tk.is('(') || tk.is('[') {
                let end = self.skip_group(j)?;
                if !has_init {
                    head.extend(j..end);
                }
                j = end;
                continue;
            }
            if tk.is('{') {
                let end = self.skip_group(j)?;
                if !has_init && head.last().is_some_and(|&h| self.t[h].is(')'))
                    || self.brace_follows_signature(end)
                {
                    body = true;
                    j = end;
                    break;
                }
                j = end;
                continue;
            }
            if tk.is('=') {
                has_init = true;
            }
            if !has_init {
                head.push(j);
            }
            j += 1;
        }
        self.i = j.max(start + 1);
        let visible = attrs.iter().any(|(_, a, _)| attr_name(a) == "visible");
        let head_toks: Vec<&Token> = head.iter().map(|&k| &self.t[k]).collect();

        // A function: the first `(` at depth 0 preceded by a name.
        let open = head_toks.iter().position(|t| t.is('('));
        let is_function = open.is_some_and(|o| {
            o > 0
                && head_toks[o - 1].ident().is_some_and(|n| {
                    !matches!(n, "__attribute__" | "alignas" | "decltype" | "operator")
                })
        });
        if !is_function {
            if visible {
                let pos = attrs.first().map_or(self.t[start].pos, |a| a.2);
                return Err(MslSyntaxError {
                    pos,
                    message: "`[[visible]]` is not on a function declaration".to_string(),
                });
            }
            // A function constant: `constant T name [[function_constant(n)]];`
            for (_, a, _) in &attrs {
                if attr_name(a) == "function_constant" {
                    let index = a
                        .trim_start_matches("function_constant")
                        .trim_matches(|c| c == '(' || c == ')')
                        .trim()
                        .parse::<u32>();
                    if let (Ok(index), Some((name_tok, ty_toks))) = (index, head_toks.split_last())
                    {
                        if let Some(name) = name_tok.ident() {
                            let ty_toks: Vec<Token> = ty_toks
                                .iter()
                                .filter(|t| !matches!(t.ident(), Some("constant" | "const")))
                                .map(|t| (*t).clone())
                                .collect();
                            let ty = self.read_type(&ty_toks);
                            self.out.function_constants.push(FunctionConstantDecl {
                                name: name.to_string(),
                                ty,
                                index,
                                pos: name_tok.pos,
                            });
                        }
                    }
                }
            }
            return Ok(());
        }
        let open = open.unwrap_or(0);
        let name_tok = head_toks[open - 1];
        let name = name_tok.ident().unwrap_or_default().to_string();
        if !visible {
            self.out.other_functions.push((name, name_tok.pos));
            return Ok(());
        }
        // Return type: the tokens before the name, minus specifiers and a
        // `metal::`-style qualification of the name itself.
        let mut ret_end = open - 1;
        while ret_end >= 2 && head_toks[ret_end - 1].is(':') && head_toks[ret_end - 2].is(':') {
            ret_end = ret_end.saturating_sub(3);
        }
        let ret_toks: Vec<Token> = head_toks[..ret_end]
            .iter()
            .filter(|t| {
                !matches!(
                    t.ident(),
                    Some(
                        "static"
                            | "inline"
                            | "extern"
                            | "constexpr"
                            | "__attribute__"
                            | "METAL_FUNC"
                            | "__inline__"
                            | "always_inline"
                    )
                ) && !matches!(t.tok, Tok::Str(_))
            })
            .map(|t| (*t).clone())
            .collect();
        if ret_toks.is_empty() {
            return Err(MslSyntaxError {
                pos: name_tok.pos,
                message: format!("visible function `{name}` has no return type"),
            });
        }
        let ret = self.read_type(&ret_toks);
        // Parameters: between the `(` and its `)`.
        let close = {
            let mut depth = 0i32;
            let mut c = open;
            for (k, t) in head_toks.iter().enumerate().skip(open) {
                if t.is('(') {
                    depth += 1;
                } else if t.is(')') {
                    depth -= 1;
                    if depth == 0 {
                        c = k;
                        break;
                    }
                }
            }
            c
        };
        let inner: Vec<&Token> = head_toks[open + 1..close].to_vec();
        let mut params = Vec::new();
        let mut piece: Vec<Token> = Vec::new();
        let mut piece_attrs: Vec<String> = Vec::new();
        let (mut paren, mut angle, mut bracket) = (0i32, 0i32, 0i32);
        let mut k = 0;
        while k < inner.len() {
            let t = inner[k];
            if t.is('[') && inner.get(k + 1).is_some_and(|n| n.is('[')) {
                // `[[attribute]]` on a parameter.
                let mut depth = 0i32;
                let mut e = k;
                while e < inner.len() {
                    if inner[e].is('[') {
                        depth += 1;
                    } else if inner[e].is(']') {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    e += 1;
                }
                let text: String = inner[(k + 2).min(e)..e.saturating_sub(1).max(k + 2)]
                    .iter()
                    .map(|t| t.text())
                    .collect();
                piece_attrs.push(text);
                k = e + 1;
                continue;
            }
            if t.is(',') && paren == 0 && angle == 0 && bracket == 0 {
                if !piece.is_empty() {
                    params.push(self.read_param(&piece, std::mem::take(&mut piece_attrs)));
                    piece.clear();
                }
                k += 1;
                continue;
            }
            match &t.tok {
                Tok::Punct('(') => paren += 1,
                Tok::Punct(')') => paren -= 1,
                Tok::Punct('<') => angle += 1,
                Tok::Punct('>') => angle -= 1,
                Tok::Punct('[') => bracket += 1,
                Tok::Punct(']') => bracket -= 1,
                _ => {}
            }
            piece.push(t.clone());
            k += 1;
        }
        if !piece.is_empty() {
            params.push(self.read_param(&piece, piece_attrs));
        }
        // `f(void)` has no parameters.
        if params.len() == 1 && params[0].ty == MslType::Void && params[0].name.is_none() {
            params.clear();
        }
        self.out.visible.push(VisibleFunction {
            name,
            ret,
            params,
            pos: name_tok.pos,
            is_definition: body,
        });
        Ok(())
    }

    /// Reads one parameter's tokens.
    fn read_param(&self, toks: &[Token], attributes: Vec<String>) -> Param {
        // Drop a default value.
        let toks = match toks.iter().position(|t| t.is('=')) {
            Some(e) => &toks[..e],
            None => toks,
        };
        // The name is a trailing identifier that is not part of the type:
        // after a `*`/`&`, or after a complete type.
        let mut name = None;
        let mut ty_toks = toks;
        if let Some((last, rest)) = toks.split_last() {
            if let Some(id) = last.ident() {
                if !rest.is_empty() && !is_type_word(id) && !rest.last().is_some_and(|t| t.is(':'))
                {
                    name = Some(id.to_string());
                    ty_toks = rest;
                }
            }
        }
        Param {
            ty: self.read_type(ty_toks),
            name,
            attributes,
        }
    }

    /// Reads a type from its tokens: qualifiers, a base type, then `*` /
    /// `&` (with `const` / `restrict` after them ignored).
    fn read_type(&self, toks: &[Token]) -> MslType {
        let mut space = None;
        let mut is_const = false;
        let mut base: Vec<String> = Vec::new();
        let mut indirection: Option<bool> = None; // Some(reference)
        let mut extra_indirection = 0;
        let mut k = 0;
        while k < toks.len() {
            let t = &toks[k];
            match &t.tok {
                Tok::Ident(w) => {
                    if let Some(s) = AddressSpace::from_keyword(w) {
                        if indirection.is_none() {
                            space = Some(s);
                        }
                    } else if w == "const" {
                        if indirection.is_none() {
                            is_const = true;
                        }
                    } else if matches!(
                        w.as_str(),
                        "volatile" | "restrict" | "__restrict" | "__restrict__" | "typename"
                    ) {
                    } else if w == "metal" && toks.get(k + 1).is_some_and(|t| t.is(':')) {
                        k += 3;
                        continue;
                    } else if indirection.is_none() {
                        base.push(w.clone());
                    } else {
                        // A word after `*`: not a type we understand.
                        base.push(w.clone());
                    }
                }
                Tok::Punct('*') | Tok::Punct('&') => {
                    if indirection.is_some() {
                        extra_indirection += 1;
                    }
                    indirection = Some(t.is('&'));
                }
                Tok::Punct('<') => {
                    // `vec<T, N>`
                    let end = toks[k..]
                        .iter()
                        .position(|t| t.is('>'))
                        .map_or(toks.len(), |e| k + e);
                    let args: Vec<String> = toks[k + 1..end].iter().map(Token::text).collect();
                    if let Some(last) = base.last_mut() {
                        last.push('<');
                        last.push_str(&args.join(""));
                        last.push('>');
                    }
                    k = end + 1;
                    continue;
                }
                _ => {
                    base.push(t.text());
                }
            }
            k += 1;
        }
        let base_ty = self.base_type(&base);
        match indirection {
            // An address space on a value (`constant uint` at namespace
            // scope) does not change the value's type.
            None => base_ty,
            Some(reference) => {
                let mut pointee = base_ty;
                for _ in 0..extra_indirection {
                    pointee = MslType::Named(format!("{pointee}*"));
                }
                MslType::Pointer {
                    space,
                    is_const,
                    reference,
                    pointee: Box::new(pointee),
                }
            }
        }
    }

    fn base_type(&self, words: &[String]) -> MslType {
        let joined = words.join(" ");
        if joined == "void" {
            return MslType::Void;
        }
        if let Some(s) = Scalar::from_msl(&joined) {
            return MslType::Scalar(s);
        }
        if words.len() == 1 {
            let w = &words[0];
            if let Some(t) = self.out.aliases.get(w) {
                return t.clone();
            }
            if let Some(v) = vector_type(w) {
                return v;
            }
        }
        MslType::Named(if joined.is_empty() {
            "<missing type>".to_string()
        } else {
            joined
        })
    }
}

/// `float4`, `uint2`, `vec<half, 3>`.
fn vector_type(w: &str) -> Option<MslType> {
    if let Some(args) = w.strip_prefix("vec<").and_then(|r| r.strip_suffix('>')) {
        let (t, n) = args.split_once(',')?;
        let s = Scalar::from_msl(t.trim())?;
        let n: u8 = n.trim().parse().ok()?;
        return (2..=4).contains(&n).then_some(MslType::Vector(s, n));
    }
    let digit = w.chars().last()?;
    let n = digit.to_digit(10)? as u8;
    if !(2..=4).contains(&n) {
        return None;
    }
    let s = Scalar::from_msl(&w[..w.len() - 1])?;
    Some(MslType::Vector(s, n))
}

/// Words that can only be part of a type, never a parameter name.
fn is_type_word(w: &str) -> bool {
    Scalar::from_msl(w).is_some()
        || vector_type(w).is_some()
        || AddressSpace::from_keyword(w).is_some()
        || matches!(
            w,
            "void" | "const" | "volatile" | "unsigned" | "signed" | "restrict"
        )
}

/// The name of an attribute's first item: `visible` for `visible`,
/// `function_constant` for `function_constant(0)`.
fn attr_name(attr: &str) -> &str {
    let a = attr.trim();
    let end = a
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(a.len());
    &a[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(src: &str) -> VisibleFunction {
        let p = parse(src).unwrap();
        assert_eq!(p.visible.len(), 1, "{p:?}");
        p.visible[0].clone()
    }

    #[test]
    fn tokens_skip_comments_strings_and_preprocessor() {
        let src = "#include <metal_stdlib>\n#define F(x) \\\n  [[visible]] float x(float);\n\
                   // [[visible]] float a(float);\n/* [[visible]] float b(float); */\n\
                   constant char* s = \"[[visible]] float c(float);\";\n\
                   [[visible]] float real(float v) { return v; }\n";
        let p = parse(src).unwrap();
        assert_eq!(p.visible.len(), 1);
        assert_eq!(p.visible[0].name, "real");
        assert_eq!(
            p.visible[0].pos,
            SourcePos {
                line: 7,
                column: 19
            }
        );
    }

    #[test]
    fn types_and_address_spaces() {
        let f = one("[[visible]] void f(threadgroup float* a, device const uchar *b, constant uint& n, thread half4 *h, uint2 g, ushort s, int i, bool flag, vec<float, 2> v, device void* raw);");
        assert!(!f.is_definition);
        assert_eq!(
            f.ir_type().unwrap(),
            "void (float addrspace(3)*, i8 addrspace(1)*, i32 addrspace(2)*, <4 x half>*, <2 x i32>, i16, i32, i1, <2 x float>, i8 addrspace(1)*)"
        );
        assert_eq!(
            f.prototype(),
            "[[visible]] void f(threadgroup float* a, device const uchar* b, constant uint& n, thread half4* h, uint2 g, ushort s, int i, bool flag, float2 v, device void* raw);"
        );
    }

    #[test]
    fn templates_structs_namespaces_and_kernels_are_skipped() {
        let src = r#"
            #include <metal_stdlib>
            using namespace metal;
            template <typename T, int N = (3 > 2)>
            T helper(T x) { if (x < N) { return x; } return x; }
            struct S { float a; uint b; };
            typedef float real;
            using idx = uint;
            constant uint TILE [[function_constant(3)]];
            constant bool has_tile = is_function_constant_defined(TILE);
            namespace inner {
                [[visible]] static inline real g(idx i, metal::float4 v) { return v.x + i; }
            }
            kernel void k(device float* x [[buffer(0)]], uint tid [[thread_position_in_grid]]) { x[tid] = 0; }
            extern "C" { [[visible]] uint h(void); }
        "#;
        let p = parse(src).unwrap();
        let names: Vec<_> = p.visible.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["g", "h"]);
        assert_eq!(p.visible[0].ir_type().unwrap(), "float (i32, <4 x float>)");
        assert_eq!(p.visible[1].ir_type().unwrap(), "i32 ()");
        assert_eq!(
            p.other_functions
                .iter()
                .map(|f| f.0.as_str())
                .collect::<Vec<_>>(),
            ["k"]
        );
        assert_eq!(p.function_constants.len(), 1);
        assert_eq!(p.function_constants[0].index, 3);
        assert_eq!(p.function_constants[0].ty, MslType::Scalar(Scalar::UInt));
    }

    #[test]
    fn unknown_types_are_reported_not_guessed() {
        let f = one("[[visible]] void f(device Foo* a, packed_float3 b);");
        let err = f.ir_type().unwrap_err();
        assert!(err.contains("parameter 0 (`a`)"), "{err}");
        assert!(err.contains("`Foo`"), "{err}");
        let f = one("[[visible]] void f(float* a);");
        assert!(f.ir_type().unwrap_err().contains("no address space"));
    }

    #[test]
    fn definition_wins_over_declaration() {
        let src = "[[visible]] float f(float v);\n[[visible]] float f(float x) { return x; }\n";
        let p = parse(src).unwrap();
        assert_eq!(p.visible.len(), 2);
        let f = p.visible_function("f").unwrap();
        assert!(f.is_definition);
        assert_eq!(f.params[0].name.as_deref(), Some("x"));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("[[visible]] float f(float v) { return v;\n").unwrap_err();
        assert_eq!(e.pos.line, 1);
        assert!(e.message.contains("never closed"), "{e}");
        let e = parse("/* open").unwrap_err();
        assert!(e.message.contains("unterminated"));
        let e = parse("[[visible]] constant float x = 1;").unwrap_err();
        assert!(e.message.contains("not on a function"), "{e}");
    }

    #[test]
    fn unnamed_params_and_attributes() {
        let f = one("[[visible]] float f(float, device float* [[buffer(0)]]);");
        assert_eq!(f.params.len(), 2);
        assert_eq!(f.params[0].name, None);
        assert_eq!(f.params[1].attributes, ["buffer(0)"]);
        assert_eq!(f.ir_type().unwrap(), "float (float, float addrspace(1)*)");
    }
}
