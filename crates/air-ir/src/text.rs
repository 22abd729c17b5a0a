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
///
/// Offsets are `u32` (the parser refuses inputs of 4 GiB or more), and the
/// instructions of every function share one vector: a vector per function
/// cost 56 bytes for each function, more than the text of an empty one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Start of each global's name, by `GlobalId`.
    globals: Vec<u32>,
    /// Start of each function's name, by `FuncId`.
    functions: Vec<u32>,
    /// By `FuncId`: where the function's instructions are in
    /// `inst_offsets` (start, end); empty for a declaration.
    inst_ranges: Vec<(u32, u32)>,
    /// Start of each instruction, by function then `InstId`.
    inst_offsets: Vec<u32>,
}

impl SourceMap {
    /// Where global `g`'s name starts.
    pub fn global(&self, g: crate::module::GlobalId) -> Option<usize> {
        self.globals.get(g.0 as usize).map(|&o| o as usize)
    }

    /// Where function `f`'s name starts.
    pub fn function(&self, f: crate::module::FuncId) -> Option<usize> {
        self.functions.get(f.0 as usize).map(|&o| o as usize)
    }

    /// Where instruction `i` of function `f` starts.
    pub fn inst(&self, f: crate::module::FuncId, i: crate::inst::InstId) -> Option<usize> {
        let &(start, end) = self.inst_ranges.get(f.0 as usize)?;
        let offsets = self.inst_offsets.get(start as usize..end as usize)?;
        offsets.get(i.0 as usize).map(|&o| o as usize)
    }

    /// Records the next global's offset.
    pub(crate) fn push_global(&mut self, at: usize) {
        self.globals.push(at as u32);
    }

    /// Records the next function's offset, with no instructions yet.
    pub(crate) fn push_function(&mut self, at: usize) {
        self.functions.push(at as u32);
        let end = self.inst_offsets.len() as u32;
        self.inst_ranges.push((end, end));
    }

    /// A map with room for the instructions of `functions` functions
    /// (numbered from 0) and nothing else, for a parser that parses a run of
    /// bodies apart from the module.
    pub(crate) fn for_bodies(functions: usize) -> Self {
        SourceMap {
            inst_ranges: vec![(0, 0); functions],
            ..Default::default()
        }
    }

    /// Whether the map has a place for function number `index`'s
    /// instructions.
    pub(crate) fn has_function(&self, index: usize) -> bool {
        index < self.inst_ranges.len()
    }

    /// Appends the start of an instruction of the body being recorded.
    pub(crate) fn push_inst(&mut self, at: usize) {
        self.inst_offsets.push(at as u32);
    }

    /// Room for `n` more instruction offsets.
    pub(crate) fn reserve_insts(&mut self, n: usize) {
        self.inst_offsets.reserve(n);
    }

    /// How many instruction offsets are recorded (where the next body's
    /// start).
    pub(crate) fn inst_count(&self) -> usize {
        self.inst_offsets.len()
    }

    /// Gives function number `index` the offsets recorded from `start` on.
    pub(crate) fn end_body(&mut self, index: usize, start: usize) {
        let end = self.inst_offsets.len() as u32;
        if let Some(r) = self.inst_ranges.get_mut(index) {
            *r = (start as u32, end);
        }
    }

    /// Appends function number `from`'s instruction offsets in `other` as
    /// function number `to`'s here.
    pub(crate) fn take_body(&mut self, to: usize, other: &SourceMap, from: usize) -> Option<()> {
        let &(start, end) = other.inst_ranges.get(from)?;
        let offsets = other.inst_offsets.get(start as usize..end as usize)?;
        if !self.has_function(to) {
            return None;
        }
        let begin = self.inst_offsets.len();
        self.inst_offsets.extend_from_slice(offsets);
        self.end_body(to, begin);
        Some(())
    }

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
            self.inst(crate::module::FuncId(f as u32), *id)
        };
        match location {
            L::Global(name) => {
                let g = module.globals.iter().position(|g| &g.name == name)?;
                self.global(crate::module::GlobalId(g as u32))
            }
            L::Function(name) => self.function(crate::module::FuncId(func(name)? as u32)),
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
