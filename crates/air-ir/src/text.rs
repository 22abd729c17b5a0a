//! LLVM 14 typed-pointer IR text: the parser and the canonical printer.

mod lex;
mod parse;
mod print;

use std::fmt;

use crate::module::Module;

pub use print::{print_module, type_to_string, PrintOptions};

/// A text error with its position.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// The file name as given to [`parse`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// What is wrong, lowercase, without position.
    pub message: String,
    /// The offending source line (for the caret display).
    pub source_line: String,
}

impl ParseError {
    /// Builds an error at byte offset `offset` of `src`.
    #[cold]
    pub fn at(file: &str, src: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(src.len());
        // Step back to a char boundary so slicing never panics.
        let mut offset = offset;
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = src[line_start..offset].chars().count() + 1;
        let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
        ParseError {
            file: file.to_string(),
            line,
            col,
            message: message.into(),
            source_line: src[line_start..line_end].trim_end_matches('\r').to_string(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )?;
        writeln!(f, "{}", self.source_line)?;
        // The caret lines up under the column; tabs are kept so it still does.
        let pad: String = self
            .source_line
            .chars()
            .take(self.col.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "{pad}^")
    }
}

/// Parses a module from LLVM 14 typed-pointer IR text. `file` names the
/// input in error messages.
///
/// # Errors
/// The first syntax or resolution error, with `file:line:col`.
pub fn parse(src: &str, file: &str) -> Result<Module, ParseError> {
    parse::parse_module(src, file)
}

/// Prints a module as canonical text.
pub fn print(module: &Module) -> String {
    print_module(module, &PrintOptions::default())
}
