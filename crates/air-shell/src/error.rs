//! Errors: spec diagnostics that name the spec line, and the failures of
//! the later stages (body files, IR construction, verification).

use std::fmt;

/// A position in a spec file (1-based line and column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

/// One problem with a spec.
///
/// Specs read from TOML carry positions, so the message names the line and
/// shows it; specs built in Rust have no positions and the message names
/// the item instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The spec's name (its file name, or the kernel name for built specs).
    pub file: String,
    /// Where in the spec, if known.
    pub pos: Option<Pos>,
    /// The offending line of the spec, for the caret display.
    pub source_line: Option<String>,
    /// What is wrong, lowercase, without position.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pos {
            Some(p) => write!(
                f,
                "{}:{}:{}: error: {}",
                self.file, p.line, p.col, self.message
            )?,
            None => write!(f, "{}: error: {}", self.file, self.message)?,
        }
        if let (Some(p), Some(line)) = (self.pos, &self.source_line) {
            let pad: String = line
                .chars()
                .take(p.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{line}\n{pad}^")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong while reading a spec or generating a shell.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec is malformed or breaks a rule; every problem found is listed.
    #[error("{}", list(.0))]
    Spec(Vec<Diagnostic>),
    /// A file (the spec or an inline body) could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An inline body file is not valid AIR text.
    #[error("{0}")]
    Body(#[from] air_ir::ParseError),
    /// Building the IR failed; this is a bug in the generator.
    #[error("internal error while building the shell: {0}")]
    Build(#[from] air_ir::BuildError),
    /// The generated module does not verify; this is a bug in the generator
    /// (or an inline body that is itself invalid).
    #[error("the generated module does not verify: {0}")]
    Verify(#[from] air_ir::VerifyError),
}

fn list(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    /// The spec diagnostics, if this is a spec error.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Spec(d) => d,
            _ => &[],
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Turns positions into diagnostics for one spec source.
#[derive(Clone, Debug)]
pub(crate) struct Reporter<'s> {
    pub file: String,
    pub source: Option<&'s str>,
    pub diags: Vec<Diagnostic>,
    /// Line starts of `source`, built on the first error (a spec with
    /// thousands of errors must not scan the text once per error).
    lines: Option<LineIndex>,
}

impl<'s> Reporter<'s> {
    pub fn new(file: &str, source: Option<&'s str>) -> Self {
        Reporter {
            file: file.to_string(),
            source,
            diags: Vec::new(),
            lines: None,
        }
    }

    /// Records an error at `pos` (if any).
    #[cold]
    pub fn error(&mut self, pos: Option<Pos>, message: impl Into<String>) {
        let source_line = match (pos, self.source) {
            (Some(p), Some(src)) => {
                let lines = self.lines.get_or_insert_with(|| LineIndex::new(src));
                lines
                    .line(src, p.line)
                    .map(|l| l.trim_end_matches('\r').to_string())
            }
            _ => None,
        };
        self.diags.push(Diagnostic {
            file: self.file.clone(),
            pos,
            source_line,
            message: message.into(),
        });
    }

    pub fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }

    /// `Err` with every diagnostic so far, or `Ok`.
    pub fn finish(self) -> Result<()> {
        if self.diags.is_empty() {
            Ok(())
        } else {
            Err(Error::Spec(self.diags))
        }
    }
}

/// The byte offsets where the lines of a text start, so a position is a
/// binary search instead of a scan from the start (reading a spec with
/// 20,000 steps was quadratic, issue 20).
#[derive(Clone, Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Line and column of byte `offset` in `src` (the text this index was
    /// built from).
    pub fn pos(&self, src: &str, offset: usize) -> Pos {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        // The last line start at or before `offset`.
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        Pos {
            line,
            col: src[start..offset].chars().count() + 1,
        }
    }

    /// The text of 1-based line `n`, without its newline.
    pub fn line<'a>(&self, src: &'a str, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        // As `str::lines`: the empty text after a final newline is no line.
        if start >= src.len() {
            return None;
        }
        let end = self.starts.get(n).map_or(src.len(), |e| e - 1);
        src.get(start..end)
    }
}
