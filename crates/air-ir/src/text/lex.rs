//! The lexer: turns LLVM IR text into a flat vector of tokens with byte spans.
//!
//! Tokens carry no owned data: names, numbers and strings are sliced out of
//! the source by the parser when (and only when) it needs them, which keeps
//! lexing allocation-free apart from the token vector itself. Lexical errors
//! become [`TokenKind::Error`] tokens so that the parser reports them at the
//! position where it meets them, in text order with its own errors.

/// How a name after a sigil (`@`, `%`) or before a `:` is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NameForm {
    /// `@foo.bar`.
    Bare,
    /// `@"any text"` (may contain `\XX` escapes).
    Quoted,
    /// `@12`: a numbered (unnamed) entity.
    Id,
}

/// Lexical errors, kept as an enum so a token stays two bytes wide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LexError {
    /// A byte that cannot start any token.
    BadChar,
    /// `"` without its closing quote.
    UnterminatedString,
    /// `@`, `%` or `!` not followed by a name.
    BadName,
    /// `#` not followed by digits.
    BadAttrGroup,
    /// A malformed number (`-` or `+` without digits, `0x` without hex digits).
    BadNumber,
}

impl LexError {
    /// The error message.
    pub(crate) fn message(self) -> &'static str {
        match self {
            LexError::BadChar => "invalid character",
            LexError::UnterminatedString => "end of file in string constant",
            LexError::BadName => "invalid name",
            LexError::BadAttrGroup => "expected attribute group number after '#'",
            LexError::BadNumber => "invalid number",
        }
    }
}

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// End of input (always the last token).
    Eof,
    /// A lexical error.
    Error(LexError),
    /// `=`.
    Equal,
    /// `,`.
    Comma,
    /// `*`.
    Star,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `[`.
    LBracket,
    /// `]`.
    RBracket,
    /// `{`.
    LBrace,
    /// `}`.
    RBrace,
    /// `<`.
    Less,
    /// `>`.
    Greater,
    /// `!` on its own (before `{` or a string).
    Exclaim,
    /// `...`.
    Ellipsis,
    /// A bare keyword: `define`, `i32`, `nounwind`, `x`, ...
    Word,
    /// A block label `name:`; the span excludes the colon (and includes the
    /// quotes of a quoted label).
    Label(NameForm),
    /// `@name`; the span includes the sigil.
    Global(NameForm),
    /// `%name`; the span includes the sigil.
    Local(NameForm),
    /// `!name` (named metadata or an attachment kind); span includes `!`.
    MetaVar,
    /// `!12`; span includes `!`.
    MetaId,
    /// `#12`; span includes `#`.
    AttrGroup,
    /// `"text"`, span including the quotes.
    Str,
    /// `c"text"`, span including `c` and the quotes.
    CStr,
    /// A decimal integer, possibly negative.
    Int,
    /// A decimal floating-point number (`1.0`, `-2.5e+01`).
    Float,
    /// A hexadecimal float (`0x...`, `0xH...`, `0xR...`, `0xK...`).
    HexFloat,
    /// A hexadecimal integer `u0x...` / `s0x...`.
    HexInt,
}

/// One token: its kind and its byte span in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: TokenKind,
    /// Start byte offset.
    pub(crate) start: u32,
    /// End byte offset (exclusive).
    pub(crate) end: u32,
}

/// Characters allowed in bare names and labels (LLVM: `[-a-zA-Z$._0-9]`).
fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_')
}

/// Characters allowed to start a bare name (LLVM: `[-a-zA-Z$._]`).
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'$' | b'.' | b'_')
}

struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
}

/// Lexes `src` completely. The result always ends with an [`TokenKind::Eof`]
/// token. `src` must be shorter than 4 GiB (the caller checks).
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let mut lx = Lexer {
        bytes: src.as_bytes(),
        pos: 0,
        // IR averages roughly one token per five bytes.
        tokens: Vec::with_capacity(src.len() / 5 + 16),
    };
    lx.run();
    lx.tokens
}

impl Lexer<'_> {
    fn peek(&self, off: usize) -> u8 {
        self.bytes.get(self.pos + off).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
        });
    }

    fn skip_while(&mut self, f: impl Fn(u8) -> bool) {
        while self.pos < self.bytes.len() && f(self.bytes[self.pos]) {
            self.pos += 1;
        }
    }

    fn run(&mut self) {
        loop {
            // Whitespace and comments.
            while let Some(&b) = self.bytes.get(self.pos) {
                match b {
                    b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                    b';' => self.skip_while(|b| b != b'\n'),
                    _ => break,
                }
            }
            let start = self.pos;
            let Some(&b) = self.bytes.get(self.pos) else {
                self.push(TokenKind::Eof, start);
                return;
            };
            let kind = match b {
                b'=' => self.single(TokenKind::Equal),
                b',' => self.single(TokenKind::Comma),
                b'*' => self.single(TokenKind::Star),
                b'(' => self.single(TokenKind::LParen),
                b')' => self.single(TokenKind::RParen),
                b'[' => self.single(TokenKind::LBracket),
                b']' => self.single(TokenKind::RBracket),
                b'{' => self.single(TokenKind::LBrace),
                b'}' => self.single(TokenKind::RBrace),
                b'<' => self.single(TokenKind::Less),
                b'>' => self.single(TokenKind::Greater),
                b'@' => self.sigil_name(TokenKind::Global),
                b'%' => self.sigil_name(TokenKind::Local),
                b'!' => self.exclaim(),
                b'#' => {
                    self.pos += 1;
                    let digits = self.pos;
                    self.skip_while(|b| b.is_ascii_digit());
                    if self.pos == digits {
                        TokenKind::Error(LexError::BadAttrGroup)
                    } else {
                        TokenKind::AttrGroup
                    }
                }
                b'"' => {
                    if !self.string() {
                        TokenKind::Error(LexError::UnterminatedString)
                    } else if self.peek(0) == b':' {
                        let kind = TokenKind::Label(NameForm::Quoted);
                        self.push(kind, start);
                        self.pos += 1;
                        continue;
                    } else {
                        TokenKind::Str
                    }
                }
                b'.' if self.peek(1) == b'.' && self.peek(2) == b'.' => {
                    self.pos += 3;
                    TokenKind::Ellipsis
                }
                b'0'..=b'9' | b'-' | b'+' => self.number(),
                b if is_name_start(b) => self.word(),
                _ => {
                    // Skip the whole (possibly multi-byte) character.
                    self.pos += 1;
                    while self.pos < self.bytes.len() && (self.bytes[self.pos] & 0xC0) == 0x80 {
                        self.pos += 1;
                    }
                    TokenKind::Error(LexError::BadChar)
                }
            };
            if let Some(label_end) = self.label_end_after(start, kind) {
                // `name:` — the label token excludes the colon.
                self.pos = label_end;
                let form = if self.bytes[start..label_end].iter().all(u8::is_ascii_digit) {
                    NameForm::Id
                } else {
                    NameForm::Bare
                };
                self.push(TokenKind::Label(form), start);
                self.pos += 1;
                continue;
            }
            self.push(kind, start);
        }
    }

    /// If the token just lexed from `start` is a word or number that really
    /// is the start of a label (`[-a-zA-Z$._0-9]+:`), returns the offset of
    /// the colon.
    fn label_end_after(&self, start: usize, kind: TokenKind) -> Option<usize> {
        if !matches!(
            kind,
            TokenKind::Word
                | TokenKind::Int
                | TokenKind::Error(LexError::BadNumber | LexError::BadChar)
        ) {
            return None;
        }
        // Fast path: most words are followed by a space or punctuation.
        match self.bytes.get(self.pos) {
            Some(&b) if b == b':' || is_name_char(b) => {}
            _ => return None,
        }
        let mut end = start;
        while end < self.bytes.len() && is_name_char(self.bytes[end]) {
            end += 1;
        }
        (end > start && self.bytes.get(end) == Some(&b':')).then_some(end)
    }

    fn single(&mut self, kind: TokenKind) -> TokenKind {
        self.pos += 1;
        kind
    }

    /// Scans a `"..."` string starting at the opening quote; false if it is
    /// unterminated. Strings have no escaped quotes (`\22` is used instead).
    fn string(&mut self) -> bool {
        self.pos += 1;
        match self.bytes[self.pos..].iter().position(|&b| b == b'"') {
            Some(i) => {
                self.pos += i + 1;
                true
            }
            None => {
                self.pos = self.bytes.len();
                false
            }
        }
    }

    /// `@name`, `@"name"`, `@12` (and the same for `%`).
    fn sigil_name(&mut self, make: fn(NameForm) -> TokenKind) -> TokenKind {
        self.pos += 1;
        match self.peek(0) {
            b'"' => {
                if self.string() {
                    make(NameForm::Quoted)
                } else {
                    TokenKind::Error(LexError::UnterminatedString)
                }
            }
            b'0'..=b'9' => {
                self.skip_while(|b| b.is_ascii_digit());
                make(NameForm::Id)
            }
            b if is_name_start(b) => {
                self.skip_while(is_name_char);
                make(NameForm::Bare)
            }
            _ => TokenKind::Error(LexError::BadName),
        }
    }

    /// `!name`, `!12`, or a lone `!`.
    fn exclaim(&mut self) -> TokenKind {
        self.pos += 1;
        match self.peek(0) {
            b'0'..=b'9' => {
                self.skip_while(|b| b.is_ascii_digit());
                TokenKind::MetaId
            }
            b if is_name_start(b) || b == b'\\' => {
                self.skip_while(|b| is_name_char(b) || b == b'\\');
                TokenKind::MetaVar
            }
            _ => TokenKind::Exclaim,
        }
    }

    /// Integers, decimal floats and hexadecimal floats.
    fn number(&mut self) -> TokenKind {
        let first = self.bytes[self.pos];
        if first == b'0' && self.peek(1) == b'x' {
            self.pos += 2;
            if matches!(self.peek(0), b'K' | b'L' | b'M' | b'H' | b'R') {
                self.pos += 1;
            }
            let digits = self.pos;
            self.skip_while(|b| b.is_ascii_hexdigit());
            return if self.pos == digits {
                TokenKind::Error(LexError::BadNumber)
            } else {
                TokenKind::HexFloat
            };
        }
        if first == b'-' || first == b'+' {
            self.pos += 1;
        }
        let digits = self.pos;
        self.skip_while(|b| b.is_ascii_digit());
        if self.pos == digits {
            return TokenKind::Error(LexError::BadNumber);
        }
        if self.peek(0) != b'.' {
            // `+` only introduces floats.
            return if first == b'+' {
                TokenKind::Error(LexError::BadNumber)
            } else {
                TokenKind::Int
            };
        }
        self.pos += 1;
        self.skip_while(|b| b.is_ascii_digit());
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'-' | b'+'));
            if self.peek(1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                self.skip_while(|b| b.is_ascii_digit());
            }
        }
        TokenKind::Float
    }

    /// Keywords, `c"..."` strings and `u0x`/`s0x` hex integers. Bare names
    /// that turn out to be labels are handled by the caller.
    fn word(&mut self) -> TokenKind {
        let b = self.bytes[self.pos];
        if b == b'c' && self.peek(1) == b'"' {
            self.pos += 1;
            return if self.string() {
                TokenKind::CStr
            } else {
                TokenKind::Error(LexError::UnterminatedString)
            };
        }
        if matches!(b, b'u' | b's') && self.peek(1) == b'0' && self.peek(2) == b'x' {
            let save = self.pos;
            self.pos += 3;
            let digits = self.pos;
            self.skip_while(|b| b.is_ascii_hexdigit());
            if self.pos > digits {
                return TokenKind::HexInt;
            }
            self.pos = save;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            self.skip_while(|b| b.is_ascii_alphanumeric() || b == b'_');
            TokenKind::Word
        } else {
            // `$foo`, `.foo`, `-foo` are only valid as labels; the caller turns
            // them into one if a colon follows.
            self.skip_while(is_name_char);
            TokenKind::Error(LexError::BadChar)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        lex(src).into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn basic_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("%x = add i32 %0, -7 ; comment\n"),
            [
                Local(NameForm::Bare),
                Equal,
                Word,
                Word,
                Local(NameForm::Id),
                Comma,
                Int,
                Eof
            ]
        );
        assert_eq!(
            kinds("entry: 12: \"a b\": k.loop:"),
            [
                Label(NameForm::Bare),
                Label(NameForm::Id),
                Label(NameForm::Quoted),
                Label(NameForm::Bare),
                Eof
            ]
        );
        assert_eq!(
            kinds("!0 !{ !\"s\" !air.kernel #3 c\"x\\00\" 1.5e+3 0xH3C00 u0x1F ..."),
            [
                MetaId, Exclaim, LBrace, Exclaim, Str, MetaVar, AttrGroup, CStr, Float, HexFloat,
                HexInt, Ellipsis, Eof
            ]
        );
    }

    #[test]
    fn errors_are_tokens() {
        assert_eq!(
            kinds("\"abc"),
            [
                TokenKind::Error(LexError::UnterminatedString),
                TokenKind::Eof
            ]
        );
        assert_eq!(
            kinds("€"),
            [TokenKind::Error(LexError::BadChar), TokenKind::Eof]
        );
        assert_eq!(kinds("@ x")[0], TokenKind::Error(LexError::BadName));
    }
}
