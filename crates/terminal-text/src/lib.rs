//! Text that came from an input, made safe to show on a terminal.
//!
//! Every airlink crate that shows input text back to the user (a source
//! line under a parse or verify error, a spec line, a function name read
//! from a library, a token quoted in a message) goes through this crate,
//! so one rule holds everywhere (ROBUSTNESS.md, "Terminal safety"):
//!
//! * **control characters are escaped**: C0 controls, DEL and C1 controls
//!   (`\n`, `\r`, `\t`, `\0`, `\x1b`, `\u{9b}` ...), and the invisible
//!   characters that reorder or break lines (the bidirectional overrides
//!   and isolates, U+2028/U+2029), so an input cannot move the cursor,
//!   recolour the terminal, hide text or fake a line of output. A
//!   backslash is left as it is: the aim is safety, not a reversible
//!   encoding;
//! * **long lines are cut**: a source excerpt shows at most
//!   [`MAX_EXCERPT_CHARS`] characters around the error column, with `…`
//!   where it was cut, and the caret still points at the column; a message
//!   line longer than [`MAX_MESSAGE_LINE_CHARS`] keeps its start and end.
//!   A 100 MB one-line input gives a diagnostic of a few hundred bytes.
//!
//! [`Located`] is the one compiler-style diagnostic (`FILE:LINE:COL:
//! error: MESSAGE`, the excerpt, a caret) that the IR parser, the
//! verifier's renderer and the spec checker print.
//!
//! ```
//! use terminal_text::{escape, snippet};
//! assert_eq!(escape("a\x1b[31mb\n"), "a\\x1b[31mb\\n");
//! let s = snippet("  %x = add i32 %y, \x07", 20);
//! assert_eq!(s.line, "  %x = add i32 %y, \\x07");
//! assert_eq!(s.caret, format!("{}^", " ".repeat(19)));
//! ```

#![deny(missing_docs)]

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// The widest source excerpt shown under a diagnostic, in characters after
/// escaping, not counting the `…` markers: 120. A line that fits is shown
/// whole; a longer one keeps up to [`EXCERPT_CHARS_BEFORE`] characters
/// before the column and the rest after it. Wide enough for any line a
/// person writes, narrow enough for one terminal row or two.
pub const MAX_EXCERPT_CHARS: usize = 120;

/// How much of a cut line is kept before the error column: 80 characters
/// (the context that explains an error is mostly before it).
pub const EXCERPT_CHARS_BEFORE: usize = 80;

/// The longest message line shown whole, in characters after escaping:
/// 400. Messages quote tokens of the input (names, literals), which can be
/// as long as the input; a longer line keeps its first
/// [`MESSAGE_HEAD_CHARS`] and last [`MESSAGE_TAIL_CHARS`] characters.
pub const MAX_MESSAGE_LINE_CHARS: usize = 400;

/// Characters kept at the start of a cut message line: 300.
pub const MESSAGE_HEAD_CHARS: usize = 300;

/// Characters kept at the end of a cut message line: 60.
pub const MESSAGE_TAIL_CHARS: usize = 60;

/// How many characters on each side of the column an error keeps of its
/// source line when it stores it ([`keep_around`]): 256, more than any
/// excerpt shows, so the excerpt is the same as from the whole line.
pub const KEPT_CHARS_EACH_SIDE: usize = 256;

/// The mark where a line was cut.
pub const CUT: char = '…';

/// Whether `c` is shown escaped: a control character (C0, DEL, C1), a
/// bidirectional mark, override or isolate, or a line or paragraph
/// separator.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Which characters that [`needs_escape`] are left as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keep {
    /// None: one line, every control escaped (names, tokens).
    Nothing,
    /// Tabs (source lines: a tab moves the cursor, harmlessly, and the
    /// caret line repeats it so the caret still lines up).
    Tabs,
    /// Tabs and line feeds (multi-line messages).
    TabsAndNewlines,
}

impl Keep {
    fn keeps(self, c: char) -> bool {
        match self {
            Keep::Nothing => false,
            Keep::Tabs => c == '\t',
            Keep::TabsAndNewlines => c == '\t' || c == '\n',
        }
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        c if (c as u32) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// How many characters `c` takes once escaped.
fn shown_width(c: char, keep: Keep) -> usize {
    if !needs_escape(c) || keep.keeps(c) {
        return 1;
    }
    match c {
        '\n' | '\r' | '\t' | '\0' => 2,
        c if (c as u32) < 0x80 => 4,
        c => format!("{:x}", c as u32).len() + 4,
    }
}

fn escape_with(text: &str, keep: Keep) -> Cow<'_, str> {
    if !text.chars().any(|c| needs_escape(c) && !keep.keeps(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_escape(c) && !keep.keeps(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` with every character that [`needs_escape`] escaped, tabs and
/// line feeds included: for names and tokens, which must stay on one line.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_with(text, Keep::Nothing)
}

/// `text` escaped as by [`escape`], except that line feeds and tabs are
/// kept: for multi-line messages whose lines are the message's own.
pub fn escape_text(text: &str) -> Cow<'_, str> {
    escape_with(text, Keep::TabsAndNewlines)
}

/// The width of `text` once escaped, counted up to `cap + 1` at most (so a
/// huge line costs no more than its first `cap` characters).
fn shown_width_upto(text: &str, keep: Keep, cap: usize) -> usize {
    let mut w = 0;
    for c in text.chars() {
        w += shown_width(c, keep);
        if w > cap {
            return cap + 1;
        }
    }
    w
}

/// The longest end of `text` whose escaped width is at most `budget`.
fn tail_within(text: &str, keep: Keep, budget: usize) -> &str {
    let mut w = 0;
    let mut start = text.len();
    for (i, c) in text.char_indices().rev() {
        w += shown_width(c, keep);
        if w > budget {
            break;
        }
        start = i;
    }
    &text[start..]
}

/// The longest start of `text` whose escaped width is at most `budget`.
fn head_within(text: &str, keep: Keep, budget: usize) -> &str {
    let mut w = 0;
    for (i, c) in text.char_indices() {
        w += shown_width(c, keep);
        if w > budget {
            return &text[..i];
        }
    }
    text
}

/// The byte offset of 1-based character column `col` in `line` (its end
/// when the column is past it).
fn byte_of_col(line: &str, col: usize) -> usize {
    line.char_indices()
        .nth(col.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i)
}

/// A source line as shown under a diagnostic, and the caret line under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The line, escaped (tabs kept) and cut around the column.
    pub line: String,
    /// Blanks (tabs where the line has tabs) and a `^` under the column.
    pub caret: String,
}

/// The excerpt of `line` around 1-based character column `col`: escaped
/// (tabs kept), cut to [`MAX_EXCERPT_CHARS`] with [`CUT`] at a cut end,
/// and the caret under the first character of the column (after the
/// line's end when the column is past it).
pub fn snippet(line: &str, col: usize) -> Snippet {
    let keep = Keep::Tabs;
    let (before, after) = line.split_at(byte_of_col(line, col));
    let wb = shown_width_upto(before, keep, MAX_EXCERPT_CHARS);
    let wa = shown_width_upto(after, keep, MAX_EXCERPT_CHARS);
    let (shown_before, shown_after) = if wb + wa <= MAX_EXCERPT_CHARS {
        (before, after)
    } else {
        // Give the side that needs less all it needs, the other the rest.
        let after_share = MAX_EXCERPT_CHARS - EXCERPT_CHARS_BEFORE;
        let (budget_before, budget_after) = if wa <= after_share {
            (MAX_EXCERPT_CHARS - wa, wa)
        } else if wb <= EXCERPT_CHARS_BEFORE {
            (wb, MAX_EXCERPT_CHARS - wb)
        } else {
            (EXCERPT_CHARS_BEFORE, after_share)
        };
        (
            tail_within(before, keep, budget_before),
            head_within(after, keep, budget_after),
        )
    };
    let mut shown = String::new();
    let mut caret = String::new();
    if shown_before.len() < before.len() {
        shown.push(CUT);
        caret.push(' ');
    }
    for c in shown_before.chars() {
        if c == '\t' {
            shown.push('\t');
            caret.push('\t');
        } else if needs_escape(c) {
            let start = shown.len();
            push_escaped(&mut shown, c);
            let width = shown.len() - start;
            caret.extend(std::iter::repeat_n(' ', width));
        } else {
            shown.push(c);
            caret.push(' ');
        }
    }
    caret.push('^');
    shown.push_str(&escape_with(shown_after, keep));
    if shown_after.len() < after.len() {
        shown.push(CUT);
    }
    Snippet { line: shown, caret }
}

/// What an error stores of its source line: the whole line when it is
/// short, else the characters within [`KEPT_CHARS_EACH_SIDE`] of column
/// `col` with [`CUT`] at each cut end, raw (not escaped). Show it with
/// [`snippet`] at column [`col_in_kept`]`(col)`; the excerpt is the one the
/// whole line gives. An error then costs a few hundred bytes whatever the
/// line's length.
pub fn keep_around(line: &str, col: usize) -> String {
    let at = byte_of_col(line, col);
    let (before, after) = line.split_at(at);
    // Counted, not taken from `col`: a column past the line's end splits
    // at the end, as `snippet` does.
    let chars_before = before.chars().count();
    let cut_front = chars_before > KEPT_CHARS_EACH_SIDE;
    let before = if cut_front {
        let skip = chars_before - KEPT_CHARS_EACH_SIDE;
        let start = before.char_indices().nth(skip).map_or(at, |(i, _)| i);
        &before[start..]
    } else {
        before
    };
    let end = after
        .char_indices()
        .nth(KEPT_CHARS_EACH_SIDE)
        .map_or(after.len(), |(i, _)| i);
    let mut out = String::with_capacity(before.len() + end + 8);
    if cut_front {
        out.push(CUT);
    }
    out.push_str(before);
    out.push_str(&after[..end]);
    if end < after.len() {
        out.push(CUT);
    }
    out
}

/// Where column `col` of a line is in what [`keep_around`] kept of it.
pub fn col_in_kept(col: usize) -> usize {
    if col.saturating_sub(1) > KEPT_CHARS_EACH_SIDE {
        KEPT_CHARS_EACH_SIDE + 2
    } else {
        col
    }
}

/// One line of a message, shortened when it is longer than
/// [`MAX_MESSAGE_LINE_CHARS`]: its first [`MESSAGE_HEAD_CHARS`] and last
/// [`MESSAGE_TAIL_CHARS`] characters around `… (N characters left out) …`.
/// The line is taken as it is (escape it first).
pub fn shorten(line: &str) -> Cow<'_, str> {
    if line.char_indices().nth(MAX_MESSAGE_LINE_CHARS).is_none() {
        return Cow::Borrowed(line);
    }
    let total = line.chars().count();
    let head = line
        .char_indices()
        .nth(MESSAGE_HEAD_CHARS)
        .map_or(line.len(), |(i, _)| i);
    let tail = line
        .char_indices()
        .nth(total - MESSAGE_TAIL_CHARS)
        .map_or(line.len(), |(i, _)| i);
    let left_out = total - MESSAGE_HEAD_CHARS - MESSAGE_TAIL_CHARS;
    Cow::Owned(format!(
        "{} {CUT} ({left_out} characters left out) {CUT} {}",
        &line[..head],
        &line[tail..]
    ))
}

/// Text of any origin made ready for a terminal: every control character
/// but tab and line feed escaped ([`escape_text`]), then each line
/// shortened ([`shorten`]).
pub fn for_terminal(text: &str) -> String {
    let escaped = escape_text(text);
    let mut out = String::with_capacity(escaped.len());
    for (i, line) in escaped.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&shorten(line));
    }
    out
}

/// A diagnostic at a line and column of a text input, as every airlink
/// crate prints it:
///
/// ```text
/// FILE:LINE:COL: SEVERITY: MESSAGE
/// the source line (escaped, cut around the column)
///                 ^
/// ```
///
/// The file name and the message are escaped and the message shortened;
/// without a source line only the first line is written. No line feed
/// ends it.
#[derive(Clone, Copy, Debug)]
pub struct Located<'a> {
    /// The input's name.
    pub file: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// `error`, `warning` or `note`.
    pub severity: &'a str,
    /// What is wrong, one line.
    pub message: &'a str,
    /// The source line and the column in it (which differs from `col`
    /// when the line was stored by [`keep_around`]).
    pub source: Option<(&'a str, usize)>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}: {}",
            escape(self.file),
            self.line,
            self.col,
            self.severity,
            shorten(&escape(self.message))
        )?;
        if let Some((line, col)) = self.source {
            let s = snippet(line, col);
            write!(f, "\n{}\n{}", s.line, s.caret)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_reordering_marks_are_escaped() {
        assert_eq!(escape("plain name"), "plain name");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(escape("a\nb\tc\rd\0"), "a\\nb\\tc\\rd\\0");
        assert_eq!(escape("\x1b[2J\x7f"), "\\x1b[2J\\x7f");
        assert_eq!(escape("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(escape("abc\u{202e}cba"), "abc\\u{202e}cba");
        assert_eq!(escape("\u{2028}"), "\\u{2028}");
        // Printable text outside ASCII is left alone, backslashes too.
        assert_eq!(escape("é → \\n"), "é → \\n");
        assert_eq!(escape_text("a\n\tb\x1bc"), "a\n\tb\\x1bc");
    }

    #[test]
    fn a_short_line_is_shown_whole_with_the_caret_under_the_column() {
        let s = snippet("  %group = lshr i32 %tid 5", 26);
        assert_eq!(s.line, "  %group = lshr i32 %tid 5");
        assert_eq!(s.caret, format!("{}^", " ".repeat(25)));
        // Tabs are kept in both lines so the caret lines up.
        let s = snippet("\tret void", 2);
        assert_eq!((s.line.as_str(), s.caret.as_str()), ("\tret void", "\t^"));
        // Past the end: the caret follows the line.
        let s = snippet("ab", 3);
        assert_eq!(s.caret, "  ^");
        // An escaped character before the column widens the pad.
        let s = snippet("\x1bx", 2);
        assert_eq!((s.line.as_str(), s.caret.as_str()), ("\\x1bx", "    ^"));
    }

    #[test]
    fn a_long_line_is_cut_around_the_column() {
        let line = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let s = snippet(&line, 1001);
        assert_eq!(
            s.line,
            format!(
                "{CUT}{}X{}{CUT}",
                "a".repeat(EXCERPT_CHARS_BEFORE),
                "b".repeat(MAX_EXCERPT_CHARS - EXCERPT_CHARS_BEFORE - 1)
            )
        );
        // The caret is under the X.
        let x = s.line.chars().position(|c| c == 'X').unwrap();
        assert_eq!(s.caret.chars().count(), x + 1);
        assert!(s.caret.ends_with('^'));
        // Near the start: nothing cut before, the rest of the width after.
        let s = snippet(&line, 3);
        assert!(s.line.starts_with("aaa"), "{}", s.line);
        assert_eq!(s.line.chars().count(), MAX_EXCERPT_CHARS + 1);
        assert_eq!(s.caret, "  ^");
        // At the end: the width goes before.
        let s = snippet(&line, 2002);
        assert!(s.line.starts_with(CUT) && s.line.ends_with('b'));
        assert_eq!(s.line.chars().count(), MAX_EXCERPT_CHARS + 1);
        assert_eq!(s.caret.chars().count(), MAX_EXCERPT_CHARS + 2);
    }

    #[test]
    fn a_kept_line_gives_the_excerpt_of_the_whole_line() {
        let line: String = (0..5000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        for col in [1, 50, 256, 257, 258, 300, 2500, 4990, 5001, 6000] {
            let kept = keep_around(&line, col);
            assert!(kept.chars().count() <= 2 * KEPT_CHARS_EACH_SIDE + 2);
            assert_eq!(
                snippet(&kept, col_in_kept(col)),
                snippet(&line, col),
                "column {col}"
            );
        }
        assert_eq!(keep_around("short", 3), "short");
    }

    #[test]
    fn long_message_lines_keep_their_ends() {
        assert_eq!(shorten("short"), "short");
        let long = format!("start{}end", "x".repeat(10_000));
        let s = shorten(&long);
        assert!(s.starts_with("startxx") && s.ends_with("xxend"), "{s}");
        assert!(s.contains("(9648 characters left out)"), "{s}");
        assert!(s.chars().count() < MAX_MESSAGE_LINE_CHARS);
        let t = for_terminal(&format!("one\x1b\n{long}"));
        assert!(t.starts_with("one\\x1b\nstart"), "{t}");
    }

    #[test]
    fn located_diagnostics_escape_the_file_and_the_message() {
        let d = Located {
            file: "a\x1b.ll",
            line: 3,
            col: 2,
            severity: "error",
            message: "unknown name %x\x07",
            source: Some(("x\x07y", 2)),
        };
        assert_eq!(
            d.to_string(),
            "a\\x1b.ll:3:2: error: unknown name %x\\x07\nx\\x07y\n ^"
        );
        let d = Located { source: None, ..d };
        assert_eq!(d.to_string(), "a\\x1b.ll:3:2: error: unknown name %x\\x07");
    }
}
