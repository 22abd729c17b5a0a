//! Errors: every one says which step of the runtime failed ([`Step`]), and
//! Metal's compile-error text is read into structured diagnostics with MSL
//! line and column ([`CompileLog`]).

use std::fmt;

use crate::signature::SignatureError;

/// A step of the runtime, named in every error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// `MTLCreateSystemDefaultDevice`.
    Device,
    /// Generating a shell (air-shell) or assembling it into a metallib.
    BuildShell,
    /// `newLibraryWithData:` / `newLibraryWithURL:` on the shell.
    LoadShell,
    /// `newFunctionWithName:` for the shell's kernel.
    ShellFunction,
    /// Reading the MSL `[[visible]]` prototypes and comparing them with the
    /// manifest.
    CheckSignatures,
    /// `newLibraryWithSource:options:` on the MSL.
    CompileMsl,
    /// `newFunctionWithName:` (optionally `constantValues:`) for a visible
    /// function.
    VisibleFunction,
    /// Checking or applying function constant values.
    FunctionConstants,
    /// `newComputePipelineStateWithDescriptor:` with linked functions.
    CreatePipeline,
    /// The optional `MTLBinaryArchive`.
    BinaryArchive,
    /// Creating a buffer.
    CreateBuffer,
    /// Matching the arguments to the manifest's buffers and scalars.
    Bind,
    /// Command queue, buffer and encoder creation, and encoding.
    Encode,
    /// Running the command buffer.
    Execute,
    /// Reading results back.
    ReadBack,
    /// A capability probe.
    Probe,
}

impl Step {
    /// A short description, as errors print it.
    pub fn describe(self) -> &'static str {
        match self {
            Step::Device => "get the default Metal device",
            Step::BuildShell => "build the shell metallib",
            Step::LoadShell => "load the shell library",
            Step::ShellFunction => "find the shell's kernel function",
            Step::CheckSignatures => "check the [[visible]] signatures against the manifest",
            Step::CompileMsl => "compile the MSL source",
            Step::VisibleFunction => "find the visible function",
            Step::FunctionConstants => "apply function constants",
            Step::CreatePipeline => "create the compute pipeline (linking the visible functions)",
            Step::BinaryArchive => "use the binary archive",
            Step::CreateBuffer => "create a buffer",
            Step::Bind => "bind arguments to the manifest",
            Step::Encode => "encode the dispatch",
            Step::Execute => "run the command buffer",
            Step::ReadBack => "read results back",
            Step::Probe => "run a capability probe",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Severity of a Metal compiler diagnostic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    /// `error:` / `fatal error:`.
    Error,
    /// `warning:`.
    Warning,
    /// `note:`.
    Note,
}

impl Severity {
    fn parse(word: &str) -> Option<Severity> {
        Some(match word {
            "error" | "fatal error" => Severity::Error,
            "warning" => Severity::Warning,
            "note" => Severity::Note,
            _ => return None,
        })
    }

    /// The spelling used in rendered output.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One diagnostic of Metal's compiler (`program_source:LINE:COL: error: ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileDiagnostic {
    /// Its severity.
    pub severity: Severity,
    /// The line in the caller's MSL source (after removing any prepended
    /// header), from 1; 0 if the diagnostic points into the prepended part.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
    /// The message after `error: `.
    pub message: String,
    /// Lines that followed it (the quoted source line and the caret).
    pub context: Vec<String>,
}

/// Metal's compile log, read into diagnostics.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CompileLog {
    /// Every diagnostic, in order.
    pub diagnostics: Vec<CompileDiagnostic>,
    /// The complete text Metal returned.
    pub raw: String,
}

impl CompileLog {
    /// Reads Metal's text. `prepended_lines` is the number of lines the
    /// runtime put before the caller's source (a prototype header); line
    /// numbers are shifted back by it. Lines that are not diagnostics are
    /// attached to the diagnostic before them.
    ///
    /// ```
    /// let log = air_metal::CompileLog::parse(
    ///     "Compilation failed: \n\nprogram_source:12:5: error: use of undeclared identifier 'y'\n    return y;\n           ^\n",
    ///     2,
    /// );
    /// let d = &log.diagnostics[0];
    /// assert_eq!((d.line, d.column), (10, 5));
    /// assert_eq!(d.message, "use of undeclared identifier 'y'");
    /// ```
    pub fn parse(text: &str, prepended_lines: u32) -> CompileLog {
        let mut diagnostics: Vec<CompileDiagnostic> = Vec::new();
        for line in text.lines() {
            if let Some(d) = parse_diagnostic_line(line, prepended_lines) {
                diagnostics.push(d);
            } else if let Some(last) = diagnostics.last_mut() {
                if !line.trim().is_empty() {
                    last.context.push(line.to_string());
                }
            }
        }
        CompileLog {
            diagnostics,
            raw: text.to_string(),
        }
    }

    /// The errors (not warnings or notes).
    pub fn errors(&self) -> impl Iterator<Item = &CompileDiagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Renders the diagnostics against the caller's source, compiler style:
    /// `name:line:col: error: message`, the source line and a caret.
    pub fn render(&self, source: &str, name: &str) -> String {
        if self.diagnostics.is_empty() {
            return self.raw.trim().to_string();
        }
        let lines: Vec<&str> = source.lines().collect();
        let mut out = String::new();
        for d in &self.diagnostics {
            // Through terminal-text, as every diagnostic of the workspace:
            // the message and the line escaped, the line cut around the
            // column, the caret under it.
            out.push_str(&format!(
                "{}:{}:{}: {}: {}\n",
                terminal_text::escape(name),
                d.line,
                d.column,
                d.severity.name(),
                terminal_text::shorten(&terminal_text::escape(&d.message))
            ));
            if let Some(text) = (d.line as usize).checked_sub(1).and_then(|i| lines.get(i)) {
                let gutter = d.line.to_string();
                let excerpt = terminal_text::snippet(text, d.column as usize);
                out.push_str(&format!("{gutter} | {}\n", excerpt.line));
                out.push_str(&format!(
                    "{} | {}\n",
                    " ".repeat(gutter.len()),
                    excerpt.caret
                ));
            }
        }
        out
    }
}

impl fmt::Display for CompileLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.diagnostics.is_empty() {
            return f.write_str(self.raw.trim());
        }
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(
                f,
                "MSL {}:{}: {}: {}",
                d.line,
                d.column,
                d.severity.name(),
                d.message
            )?;
        }
        Ok(())
    }
}

/// `<file>:LINE:COL: <severity>: message`, where `<file>` is
/// `program_source` for source compiled at run time (any file name is
/// accepted, to read `xcrun metal` output too).
fn parse_diagnostic_line(line: &str, prepended: u32) -> Option<CompileDiagnostic> {
    // Find `:LINE:COL: ` scanning for the first `:digits:digits:` group.
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let rest = &line[i + 1..];
            let mut parts = rest.splitn(3, ':');
            let (Some(l), Some(c), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
                return None;
            };
            if let (Ok(l), Ok(c)) = (l.parse::<u32>(), c.parse::<u32>()) {
                let tail = tail.trim_start();
                let (sev, msg) = tail.split_once(':')?;
                let severity = Severity::parse(sev.trim())?;
                return Some(CompileDiagnostic {
                    severity,
                    line: l.saturating_sub(prepended),
                    column: c,
                    message: msg.trim().to_string(),
                    context: Vec::new(),
                });
            }
        }
        i += 1;
    }
    None
}

/// An error of the runtime. Each variant names the [`Step`] that failed
/// (see [`Error::step`]).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The platform has no Metal (not macOS or iOS), or no device.
    #[error("{step}: {message}")]
    Unavailable {
        /// The step.
        step: Step,
        /// Why.
        message: String,
    },
    /// Metal reported an error (`NSError`'s description).
    #[error("{step}: {message}")]
    Metal {
        /// The step.
        step: Step,
        /// Metal's message.
        message: String,
    },
    /// The MSL source did not compile.
    #[error("{}: {log}", Step::CompileMsl)]
    Compile {
        /// The diagnostics.
        log: CompileLog,
    },
    /// The MSL source's `[[visible]]` functions do not fit the manifest.
    #[error("{step}: {source}", step = Step::CheckSignatures)]
    Signature {
        /// The problems.
        #[from]
        source: SignatureError,
    },
    /// A library lacks a function.
    #[error("{step}: `{name}` is not in the {library} library (it has: {})", if .available.is_empty() { "nothing".to_string() } else { .available.join(", ") })]
    MissingFunction {
        /// The step.
        step: Step,
        /// Which library (`shell`, `MSL`).
        library: &'static str,
        /// The name looked up.
        name: String,
        /// The library's function names.
        available: Vec<String>,
    },
    /// The caller's arguments do not fit the manifest, or a value is
    /// invalid for the step.
    #[error("{step}: {message}")]
    Invalid {
        /// The step.
        step: Step,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// The step that failed.
    pub fn step(&self) -> Step {
        match self {
            Error::Unavailable { step, .. }
            | Error::Metal { step, .. }
            | Error::MissingFunction { step, .. }
            | Error::Invalid { step, .. } => *step,
            Error::Compile { .. } => Step::CompileMsl,
            Error::Signature { .. } => Step::CheckSignatures,
        }
    }

    /// An [`Error::Invalid`].
    pub fn invalid(step: Step, message: impl Into<String>) -> Error {
        Error::Invalid {
            step,
            message: message.into(),
        }
    }

    /// An [`Error::Metal`].
    pub fn metal(step: Step, message: impl Into<String>) -> Error {
        Error::Metal {
            step,
            message: message.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_log_reads_metal_text() {
        let text = "Compilation failed: \n\nprogram_source:4:12: error: use of undeclared identifier 'x'\n    return x * 3.0;\n           ^\nprogram_source:2:1: warning: unused variable 'k'\nprogram_source:9:3: fatal error: 'missing.h' file not found\n";
        let log = CompileLog::parse(text, 0);
        assert_eq!(log.diagnostics.len(), 3);
        let d = &log.diagnostics[0];
        assert_eq!((d.severity, d.line, d.column), (Severity::Error, 4, 12));
        assert_eq!(d.context.len(), 2);
        assert_eq!(log.diagnostics[1].severity, Severity::Warning);
        assert_eq!(log.diagnostics[2].severity, Severity::Error);
        assert_eq!(log.errors().count(), 2);
        assert_eq!(
            log.to_string(),
            "MSL 4:12: error: use of undeclared identifier 'x'\nMSL 2:1: warning: unused variable 'k'\nMSL 9:3: error: 'missing.h' file not found"
        );
    }

    #[test]
    fn unknown_text_is_kept_raw() {
        let log = CompileLog::parse("Compiler encountered an internal error\n", 0);
        assert!(log.diagnostics.is_empty());
        assert_eq!(log.to_string(), "Compiler encountered an internal error");
        assert_eq!(
            log.render("x", "f.metal"),
            "Compiler encountered an internal error"
        );
    }

    #[test]
    fn render_points_at_the_column() {
        let src = "float f(float v) {\n  return w;\n}\n";
        let log = CompileLog::parse(
            "program_source:5:10: error: use of undeclared identifier 'w'\n",
            3,
        );
        assert_eq!(
            log.render(src, "body.metal"),
            "body.metal:2:10: error: use of undeclared identifier 'w'\n2 |   return w;\n  |          ^\n"
        );
    }

    #[test]
    fn render_escapes_and_cuts_the_source_line() {
        let src = format!("  return {}\x1b[2Jw;\n", " ".repeat(500));
        let log = CompileLog::parse("program_source:1:514: error: bad 'w\x07'\n", 0);
        let out = log.render(&src, "body.metal");
        assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
        assert!(out.contains("bad 'w\\x07'"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("1 | …"), "{out}");
        assert!(lines[1].ends_with("\\x1b[2Jw;"), "{out}");
        // The caret is under the `w`.
        let w = lines[1].chars().position(|c| c == 'w').unwrap();
        assert_eq!(lines[2].chars().count(), w + 1, "{out}");
    }

    #[test]
    fn errors_name_their_step() {
        let e = Error::metal(Step::CreatePipeline, "Linking failed");
        assert_eq!(e.step(), Step::CreatePipeline);
        assert_eq!(
            e.to_string(),
            "create the compute pipeline (linking the visible functions): Linking failed"
        );
        let e = Error::MissingFunction {
            step: Step::VisibleFunction,
            library: "MSL",
            name: "f".into(),
            available: vec!["g".into()],
        };
        assert_eq!(
            e.to_string(),
            "find the visible function: `f` is not in the MSL library (it has: g)"
        );
        let e = Error::Compile {
            log: CompileLog::parse("program_source:1:2: error: boom\n", 0),
        };
        assert_eq!(e.step(), Step::CompileMsl);
        assert_eq!(
            e.to_string(),
            "compile the MSL source: MSL 1:2: error: boom"
        );
    }
}
