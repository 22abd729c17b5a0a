//! LLVM 14 typed-pointer IR text: the parser and the canonical printer.

mod lex;
mod parse;
mod print;
mod size;

use std::fmt;

use crate::module::Module;

pub use parse::lazy::{BodyFork, LazyModule};
pub use print::{print_module, type_to_message, type_to_string, PrintOptions};
pub use size::text_size_bound;

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
    /// The offending source line, for the excerpt under the message: the
    /// whole line, or for a long one the part around the column that
    /// [`terminal_text::keep_around`] keeps (so an error on a 100 MB line
    /// stays small). Raw text: [`fmt::Display`] escapes it.
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
            source_line: terminal_text::keep_around(
                src[line_start..line_end].trim_end_matches('\r'),
                col,
            ),
        }
    }
}

impl fmt::Display for ParseError {
    /// `FILE:LINE:COL: error: MESSAGE`, the line (control characters
    /// escaped, cut around the column) and a caret under the column.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        terminal_text::Located {
            file: &self.file,
            line: self.line,
            col: self.col,
            severity: "error",
            message: &self.message,
            source: Some((&self.source_line, terminal_text::col_in_kept(self.col))),
        }
        .fmt(f)
    }
}

/// Where the parts of a parsed module start in its text (byte offsets), so
/// that errors found after parsing (by the verifier) can point at a line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Start of each global's name, by `GlobalId`.
    pub globals: Vec<usize>,
    /// Start of each function's name, by `FuncId`.
    pub functions: Vec<usize>,
    /// Start of each instruction, by `FuncId` then `InstId`.
    pub insts: Vec<Vec<usize>>,
}

impl SourceMap {
    /// The byte offset a verifier location points at, when it can be found.
    pub fn locate(&self, module: &Module, location: &crate::verify::Location) -> Option<usize> {
        use crate::verify::Location as L;
        let func = |name: &str| module.functions.iter().position(|f| f.name == name);
        let block = |f: usize, label: &str| -> Option<usize> {
            let blocks = &module.functions.get(f)?.blocks;
            match label.strip_prefix('#') {
                Some(n) => n.parse().ok().filter(|i: &usize| *i < blocks.len()),
                None => {
                    let name = label.strip_prefix('%').unwrap_or(label);
                    blocks.iter().position(|b| b.name.as_deref() == Some(name))
                }
            }
        };
        let inst = |f: usize, b: usize, index: usize| -> Option<usize> {
            let id = module.functions.get(f)?.blocks.get(b)?.insts.get(index)?;
            self.insts.get(f)?.get(id.0 as usize).copied()
        };
        match location {
            L::Global(name) => {
                let g = module.globals.iter().position(|g| &g.name == name)?;
                self.globals.get(g).copied()
            }
            L::Function(name) => self.functions.get(func(name)?).copied(),
            L::Block { function, block: b } => {
                let f = func(function)?;
                inst(f, block(f, b)?, 0)
            }
            L::Instruction {
                function,
                block: b,
                index,
                ..
            } => {
                let f = func(function)?;
                inst(f, block(f, b)?, *index)
            }
            _ => None,
        }
    }
}

/// Parses like [`parse`] and also returns where each global, function and
/// instruction starts.
///
/// # Errors
/// As [`parse`].
pub fn parse_with_source_map(src: &str, file: &str) -> Result<(Module, SourceMap), ParseError> {
    parse::parse_module_with_map(src, file, 0, parse::MIN_PARALLEL_BYTES)
}

/// [`parse_with_source_map`] with function bodies parsed on at most
/// `threads` threads (0: as many as the machine has; 1: sequential). The
/// result, including any error, is the same for every thread count; large
/// inputs just parse faster with more threads.
///
/// # Errors
/// As [`parse`].
pub fn parse_with_source_map_threads(
    src: &str,
    file: &str,
    threads: usize,
) -> Result<(Module, SourceMap), ParseError> {
    parse::parse_module_with_map(src, file, threads, parse::MIN_PARALLEL_BYTES)
}

/// [`parse_with_source_map_threads`] that also parses runs of bodies
/// shorter than `min_parallel_bytes` in parallel (normally not worth it),
/// so tests can put small inputs through the parallel path.
#[doc(hidden)]
pub fn parse_with_source_map_tuned(
    src: &str,
    file: &str,
    threads: usize,
    min_parallel_bytes: usize,
) -> Result<(Module, SourceMap), ParseError> {
    parse::parse_module_with_map(src, file, threads, min_parallel_bytes)
}

/// Renders a verifier error found in a module parsed from `src`: with
/// `file:line:col`, the line and a caret when the location maps to the text,
/// else as `file: error: ...`.
pub fn render_verify_error(
    src: &str,
    file: &str,
    module: &Module,
    map: &SourceMap,
    error: &crate::verify::VerifyError,
) -> String {
    match map.locate(module, &error.location) {
        Some(offset) => ParseError::at(file, src, offset, error.to_string()).to_string(),
        None => format!(
            "{}: error: {}",
            terminal_text::escape(file),
            terminal_text::shorten(&terminal_text::escape(&error.to_string()))
        ),
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
