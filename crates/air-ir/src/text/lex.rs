//! The lexer: reads one token at a time from a byte offset of LLVM IR text.
//!
//! Lexing is on demand ([`next_token`]) rather than into a vector of every
//! token of the file: for large inputs that vector was the biggest transient
//! allocation of parsing (twice the size of the text). Tokens are named by
//! the byte offset where they start, and lexing from a token's start always
//! yields that same token, so the parser can go back to a saved position by
//! lexing again.
//!
//! Tokens carry no owned data: names, numbers and strings are sliced out of
//! the source by the parser when (and only when) it needs them, so lexing
//! never allocates. Lexical errors become [`TokenKind::Error`] tokens so that
//! the parser reports them at the position where it meets them, in text
//! order with its own errors.

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
    /// `|` (between debug-info flags).
    Bar,
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

impl Token {
    /// Where lexing continues after this token: its end, or one past it for
    /// labels, whose span excludes the colon.
    pub(crate) fn resume(&self) -> usize {
        match self.kind {
            TokenKind::Label(_) => self.end as usize + 1,
            _ => self.end as usize,
        }
    }
}

/// Character classes, looked up in [`CLASS`]: one table load per byte
/// instead of a chain of range tests in the lexer's inner loops.
const DIGIT: u8 = 1;
const HEX: u8 = 2;
/// `[a-zA-Z0-9_]`: keyword characters.
const WORD: u8 = 4;
/// `[-a-zA-Z$._0-9]`: name and label characters.
const NAME: u8 = 8;
/// Name characters or `\` (metadata names may contain escapes).
const META: u8 = 16;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_digit() {
            c |= DIGIT;
        }
        if b.is_ascii_hexdigit() {
            c |= HEX;
        }
        if b.is_ascii_alphanumeric() || b == b'_' {
            c |= WORD;
        }
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'$' | b'.' | b'_') {
            c |= NAME | META;
        }
        if b == b'\\' {
            c |= META;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// Characters allowed in bare names and labels (LLVM: `[-a-zA-Z$._0-9]`).
fn is_name_char(b: u8) -> bool {
    CLASS[b as usize] & NAME != 0
}

/// Characters allowed to start a bare name (LLVM: `[-a-zA-Z$._]`).
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'-' | b'$' | b'.' | b'_')
}

struct Lexer<'a> {
    bytes: &'a [u8],
    pos: usize,
}

/// The token starting at or after byte `from` (after whitespace and
/// comments); an [`TokenKind::Eof`] token at the end of the input. `src`
/// must be shorter than 4 GiB (the caller checks).
pub(crate) fn next_token(src: &[u8], from: usize) -> Token {
    Lexer {
        bytes: src,
        pos: from,
    }
    .token()
}

/// Every token of `src`, ending with [`TokenKind::Eof`] (for tests).
#[cfg(test)]
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let t = next_token(src.as_bytes(), at);
        out.push(t);
        if t.kind == TokenKind::Eof {
            return out;
        }
        at = t.resume();
    }
}

/// Given the offset of a `{`, the offset just past its matching `}` (or the
/// end of the input). Equivalent to lexing and counting brace tokens, but a
/// plain byte scan: braces can only hide in strings (which have no escaped
/// quotes) and comments, and no other token contains `{`, `}`, `"` or `;`.
/// Pass one skips function bodies with it, so bodies are lexed only once.
///
/// It also calls `group(offset, n)` for every `#n` outside strings and
/// comments: in a body these are the attribute groups of call sites, which
/// pass one counts (see `limits::MAX_GROUP_COPIES_PER_BYTE`).
pub(crate) fn skip_braces(src: &[u8], open: usize, mut group: impl FnMut(usize, u32)) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while let Some(at) = next_special(src, i) {
        i = at;
        match src[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            b'"' => match src[i + 1..].iter().position(|&b| b == b'"') {
                Some(n) => i += n + 1,
                None => return src.len(),
            },
            b'#' => {
                let digits = src[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let n = std::str::from_utf8(&src[i + 1..i + 1 + digits])
                    .ok()
                    .and_then(|d| d.parse::<u32>().ok());
                if let Some(n) = n {
                    group(i, n);
                }
                i += digits;
            }
            // `;`: a comment to the end of the line.
            _ => match src[i..].iter().position(|&b| b == b'\n') {
                Some(n) => i += n,
                None => return src.len(),
            },
        }
        i += 1;
    }
    src.len()
}

/// The offset of the first `{`, `}`, `"`, `;` or `#` at or after `from`. Tests
/// eight bytes per step (the "has zero byte" bit trick on each byte xor the
/// wanted value): function bodies are most of a module's text and pass one
/// scans all of them.
fn next_special(src: &[u8], from: usize) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // Flags the bytes of `x` that are zero; the lowest flag is always
    // exact (borrows only create false flags above a real zero byte), so
    // the lowest flag of an OR of such masks is the first match.
    fn zeros(x: u64) -> u64 {
        x.wrapping_sub(LO) & !x & HI
    }
    let mut i = from;
    while let Some(chunk) = src.get(i..i + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        let x = u64::from_le_bytes(w);
        let m = zeros(x ^ (LO * u64::from(b'{')))
            | zeros(x ^ (LO * u64::from(b'}')))
            | zeros(x ^ (LO * u64::from(b'"')))
            | zeros(x ^ (LO * u64::from(b';')))
            | zeros(x ^ (LO * u64::from(b'#')));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    src.get(i..)?
        .iter()
        .position(|b| matches!(b, b'{' | b'}' | b'"' | b';' | b'#'))
        .map(|n| i + n)
}

impl Lexer<'_> {
    fn peek(&self, off: usize) -> u8 {
        self.bytes.get(self.pos + off).copied().unwrap_or(0)
    }

    fn make(&self, kind: TokenKind, start: usize) -> Token {
        Token {
            kind,
            start: start as u32,
            end: self.pos as u32,
        }
    }

    /// Skips bytes of character class `mask`.
    fn skip_class(&mut self, mask: u8) {
        let rest = &self.bytes[self.pos..];
        self.pos += rest
            .iter()
            .position(|&b| CLASS[b as usize] & mask == 0)
            .unwrap_or(rest.len());
    }

    fn token(&mut self) -> Token {
        // Whitespace and comments. Every byte that is not one of them is
        // above b' ', except `;`, so one compare ends the common case.
        let b = loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return self.make(TokenKind::Eof, self.pos);
            };
            if b > b' ' && b != b';' {
                break b;
            }
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => self.pos += 1,
                b';' => {
                    let rest = &self.bytes[self.pos..];
                    self.pos += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                }
                _ => break b,
            }
        };
        let start = self.pos;
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
            b'|' => self.single(TokenKind::Bar),
            b'@' => self.sigil_name(TokenKind::Global),
            b'%' => self.sigil_name(TokenKind::Local),
            b'!' => self.exclaim(),
            b'#' => {
                self.pos += 1;
                let digits = self.pos;
                self.skip_class(DIGIT);
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
                    // The span excludes the colon; see `Token::resume`.
                    return self.make(TokenKind::Label(NameForm::Quoted), start);
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
            return self.make(TokenKind::Label(form), start);
        }
        self.make(kind, start)
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
        let rest = &self.bytes[start..];
        let end = start
            + rest
                .iter()
                .position(|&b| !is_name_char(b))
                .unwrap_or(rest.len());
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
                self.skip_class(DIGIT);
                make(NameForm::Id)
            }
            b if is_name_start(b) => {
                self.skip_class(NAME);
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
                self.skip_class(DIGIT);
                TokenKind::MetaId
            }
            b if is_name_start(b) || b == b'\\' => {
                self.skip_class(META);
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
            self.skip_class(HEX);
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
        self.skip_class(DIGIT);
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
        self.skip_class(DIGIT);
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'-' | b'+'));
            if self.peek(1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                self.skip_class(DIGIT);
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
            self.skip_class(HEX);
            if self.pos > digits {
                return TokenKind::HexInt;
            }
            self.pos = save;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            self.skip_class(WORD);
            TokenKind::Word
        } else {
            // `$foo`, `.foo`, `-foo` are only valid as labels; the caller turns
            // them into one if a colon follows.
            self.skip_class(NAME);
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

    /// `skip_braces` reports the `#N` tokens a lexer finds, and no `#` in a
    /// string or comment.
    #[test]
    fn skip_braces_reports_group_references() {
        let src = "{ call void @f() #3 ; #4 {\n call void @\"#5}\"() #12 #x # } #7";
        let mut seen = Vec::new();
        let end = skip_braces(src.as_bytes(), 0, |at, n| seen.push((at, n)));
        assert_eq!(&src[end..], " #7");
        let want: Vec<(usize, u32)> = [("#3", 3), ("#12", 12)]
            .iter()
            .map(|(t, n)| (src.find(t).unwrap(), *n))
            .collect();
        assert_eq!(seen, want);
    }

    /// `skip_braces` must stop where counting brace tokens stops.
    #[test]
    fn skip_braces_matches_tokens() {
        fn by_tokens(src: &str, open: usize) -> usize {
            let mut depth = 0usize;
            let mut at = open;
            loop {
                let t = next_token(src.as_bytes(), at);
                match t.kind {
                    TokenKind::Eof => return src.len(),
                    TokenKind::LBrace => depth += 1,
                    TokenKind::RBrace => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return t.end as usize;
                        }
                    }
                    _ => {}
                }
                at = t.resume();
            }
        }
        let cases = [
            "{ ret void }",
            "{ %x = call i8* @\"}\"() ; } comment {\n ret void } tail",
            "{ !{ } {{}} \"a{\" } \"",
            "{ call void @f(i32 0) ; no newline }",
            "{ \"unterminated } ",
            "{ \u{20ac} { € } x:\n \"q\": br label %x } rest {",
            "{ 0123456789abcdef{0123456789abcdef}0123456789;abcdef\n}",
            "{ call void @f() #3 ; #4 {\n call void @\"#5}\"() #12 } #7",
        ];
        for src in cases {
            for (open, _) in src.match_indices('{') {
                // Only positions that start a token are meaningful.
                if next_token(src.as_bytes(), open).start as usize != open {
                    continue;
                }
                assert_eq!(
                    skip_braces(src.as_bytes(), open, |_, _| {}),
                    by_tokens(src, open),
                    "{src:?} at {open}"
                );
            }
        }
    }
}
