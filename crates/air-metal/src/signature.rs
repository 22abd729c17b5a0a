//! The signature check that runs before pipeline creation: every visible
//! function the shell's manifest lists must be `[[visible]]` in the MSL
//! source, with a lowered IR type equal to the manifest's `ir_type`
//! (docs/air-conventions.md#type-mapping: `float`↔`float`, `uint`↔`i32`,
//! `threadgroup float*`↔`float addrspace(3)*`, `device uchar*`↔
//! `i8 addrspace(1)*`, ...).
//!
//! Signedness does not exist in IR, so `int` and `uint` both match `i32`.

use std::fmt;

use air_shell::Manifest;

use crate::msl::{self, param_label, MslSource, MslSyntaxError, SourcePos, VisibleFunction};

/// One thing wrong with the MSL source relative to the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureProblem {
    /// The manifest's function is not `[[visible]]` in the source.
    Missing {
        /// The function's name.
        name: String,
        /// The manifest's MSL prototype.
        expected_msl: String,
        /// The manifest's IR type.
        expected_ir: String,
        /// Where a function of that name is defined without `[[visible]]`.
        not_visible_at: Option<SourcePos>,
        /// The visible functions the source does have.
        available: Vec<String>,
    },
    /// The function exists with a different lowered type.
    Mismatch {
        /// The function's name.
        name: String,
        /// The manifest's MSL prototype.
        expected_msl: String,
        /// The manifest's IR type.
        expected_ir: String,
        /// The source's declaration, normalised.
        found_msl: String,
        /// Its lowered IR type.
        found_ir: String,
        /// Where its name is.
        pos: SourcePos,
        /// Which parts differ, one line each.
        details: Vec<String>,
    },
    /// The function exists but a type in it has no known lowering.
    Unknown {
        /// The function's name.
        name: String,
        /// The manifest's MSL prototype.
        expected_msl: String,
        /// The manifest's IR type.
        expected_ir: String,
        /// The source's declaration.
        found_msl: String,
        /// Where its name is.
        pos: SourcePos,
        /// Why the type cannot be lowered.
        reason: String,
    },
    /// Two `[[visible]]` declarations of the same name disagree.
    Inconsistent {
        /// The function's name.
        name: String,
        /// The first declaration.
        first: String,
        /// Where it is.
        first_pos: SourcePos,
        /// The disagreeing one.
        second: String,
        /// Where it is.
        second_pos: SourcePos,
    },
}

impl SignatureProblem {
    /// The visible function concerned.
    pub fn function(&self) -> &str {
        match self {
            SignatureProblem::Missing { name, .. }
            | SignatureProblem::Mismatch { name, .. }
            | SignatureProblem::Unknown { name, .. }
            | SignatureProblem::Inconsistent { name, .. } => name,
        }
    }
}

impl fmt::Display for SignatureProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureProblem::Missing {
                name,
                expected_msl,
                expected_ir,
                not_visible_at,
                available,
            } => {
                write!(f, "visible function `{name}` is missing from the MSL source")?;
                if let Some(pos) = not_visible_at {
                    write!(
                        f,
                        " (a function `{name}` is declared at {pos} but not marked `[[visible]]`)"
                    )?;
                }
                write!(
                    f,
                    "\n  the shell expects: {expected_msl}\n                     IR {expected_ir}"
                )?;
                if available.is_empty() {
                    write!(f, "\n  the source has no [[visible]] functions")
                } else {
                    write!(
                        f,
                        "\n  the source's [[visible]] functions: {}",
                        available.join(", ")
                    )
                }
            }
            SignatureProblem::Mismatch {
                name,
                expected_msl,
                expected_ir,
                found_msl,
                found_ir,
                pos,
                details,
            } => {
                write!(
                    f,
                    "visible function `{name}` (MSL {pos}) does not match the shell's declaration\n  the shell expects: {expected_msl}\n                     IR {expected_ir}\n  the source has:    {found_msl}\n                     IR {found_ir}"
                )?;
                for d in details {
                    write!(f, "\n  - {d}")?;
                }
                Ok(())
            }
            SignatureProblem::Unknown {
                name,
                expected_msl,
                expected_ir,
                found_msl,
                pos,
                reason,
            } => write!(
                f,
                "visible function `{name}` (MSL {pos}) cannot be checked: {reason}\n  the shell expects: {expected_msl}\n                     IR {expected_ir}\n  the source has:    {found_msl}"
            ),
            SignatureProblem::Inconsistent {
                name,
                first,
                first_pos,
                second,
                second_pos,
            } => write!(
                f,
                "visible function `{name}` is declared twice with different types\n  MSL {first_pos}: {first}\n  MSL {second_pos}: {second}"
            ),
        }
    }
}

/// Why the MSL source does not fit the shell.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The source could not be read far enough to find its prototypes.
    #[error("cannot read the [[visible]] prototypes: {0}")]
    Syntax(#[from] MslSyntaxError),
    /// One or more functions are missing or do not match.
    #[error("{}", render_problems(.0))]
    Problems(Vec<SignatureProblem>),
}

fn render_problems(problems: &[SignatureProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The outcome of a successful check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureReport {
    /// For each manifest function, the source declaration it matched.
    pub matched: Vec<VisibleFunction>,
    /// `[[visible]]` functions in the source that the shell does not call
    /// (harmless: they are simply not linked).
    pub unused: Vec<String>,
    /// Everything the reader found.
    pub source: MslSource,
}

/// Splits an IR function type `ret (a, b)` into its return type and
/// parameter types, with whitespace normalised.
///
/// ```
/// let (ret, params) = air_metal::split_ir_function_type(
///     "void (float addrspace(3)*, <2 x i32>)").unwrap();
/// assert_eq!(ret, "void");
/// assert_eq!(params, ["float addrspace(3)*", "<2 x i32>"]);
/// ```
pub fn split_ir_function_type(text: &str) -> Option<(String, Vec<String>)> {
    let text = text.trim();
    let body = text.strip_suffix(')')?;
    // The `(` matching the final `)`.
    let mut depth = 1i32;
    let mut open = None;
    for (i, c) in body.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let open = open?;
    let ret = normalize(&body[..open]);
    if ret.is_empty() {
        return None;
    }
    let inner = &body[open + 1..];
    let mut params = Vec::new();
    let (mut d, mut start) = (0i32, 0usize);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '<' | '[' | '{' => d += 1,
            ')' | '>' | ']' | '}' => d -= 1,
            ',' if d == 0 => {
                params.push(normalize(&inner[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = normalize(&inner[start..]);
    if !last.is_empty() || !params.is_empty() {
        params.push(last);
    }
    Some((ret, params))
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks `source` against every visible function of `manifest`.
///
/// # Errors
/// [`SignatureError::Syntax`] if the source cannot be read;
/// [`SignatureError::Problems`] listing every missing, mismatching or
/// uncheckable function, each naming the function and both signatures.
pub fn check_signatures(
    manifest: &Manifest,
    source: &str,
) -> Result<SignatureReport, SignatureError> {
    let parsed = msl::parse(source)?;
    check_parsed(manifest, parsed)
}

/// [`check_signatures`] on an already parsed source.
///
/// # Errors
/// As [`check_signatures`].
pub fn check_parsed(
    manifest: &Manifest,
    parsed: MslSource,
) -> Result<SignatureReport, SignatureError> {
    let mut problems = Vec::new();
    let mut matched = Vec::new();

    // Declarations of one name must agree with each other.
    for (i, a) in parsed.visible.iter().enumerate() {
        if let Some(b) = parsed.visible[..i].iter().find(|b| b.name == a.name) {
            let (ta, tb) = (a.ir_type(), b.ir_type());
            if ta.is_ok() && tb.is_ok() && ta != tb {
                problems.push(SignatureProblem::Inconsistent {
                    name: a.name.clone(),
                    first: b.prototype(),
                    first_pos: b.pos,
                    second: a.prototype(),
                    second_pos: a.pos,
                });
            }
        }
    }

    let available: Vec<String> = {
        let mut v: Vec<String> = parsed.visible.iter().map(|f| f.name.clone()).collect();
        v.dedup();
        v
    };
    for want in &manifest.visible {
        let Some(found) = parsed.visible_function(&want.name) else {
            problems.push(SignatureProblem::Missing {
                name: want.name.clone(),
                expected_msl: want.msl_prototype.clone(),
                expected_ir: want.ir_type.clone(),
                not_visible_at: parsed
                    .other_functions
                    .iter()
                    .find(|(n, _)| *n == want.name)
                    .map(|(_, p)| *p),
                available: available.clone(),
            });
            continue;
        };
        let found_ir = match found.ir_type() {
            Ok(t) => t,
            Err(reason) => {
                problems.push(SignatureProblem::Unknown {
                    name: want.name.clone(),
                    expected_msl: want.msl_prototype.clone(),
                    expected_ir: want.ir_type.clone(),
                    found_msl: found.prototype(),
                    pos: found.pos,
                    reason,
                });
                continue;
            }
        };
        let details = compare(found, &want.ir_type, &found_ir);
        if details.is_empty() {
            matched.push(found.clone());
        } else {
            problems.push(SignatureProblem::Mismatch {
                name: want.name.clone(),
                expected_msl: want.msl_prototype.clone(),
                expected_ir: want.ir_type.clone(),
                found_msl: found.prototype(),
                found_ir,
                pos: found.pos,
                details,
            });
        }
    }
    if !problems.is_empty() {
        return Err(SignatureError::Problems(problems));
    }
    let unused = available
        .into_iter()
        .filter(|n| !manifest.visible.iter().any(|v| &v.name == n))
        .collect();
    Ok(SignatureReport {
        matched,
        unused,
        source: parsed,
    })
}

/// The differences between the expected IR type and the found one, one
/// line per position; empty when they are equal.
fn compare(found: &VisibleFunction, expected_ir: &str, found_ir: &str) -> Vec<String> {
    let (Some((want_ret, want_params)), Some((got_ret, got_params))) = (
        split_ir_function_type(expected_ir),
        split_ir_function_type(found_ir),
    ) else {
        return if normalize(expected_ir) == normalize(found_ir) {
            Vec::new()
        } else {
            vec![format!(
                "the manifest's IR type `{expected_ir}` is not a function type"
            )]
        };
    };
    let mut out = Vec::new();
    if want_ret != got_ret {
        out.push(format!(
            "return type: MSL `{}` lowers to `{got_ret}`, the shell expects `{want_ret}`",
            found.ret
        ));
    }
    if want_params.len() != got_params.len() {
        out.push(format!(
            "parameter count: the source has {}, the shell passes {}",
            got_params.len(),
            want_params.len()
        ));
    }
    for (i, (want, got)) in want_params.iter().zip(&got_params).enumerate() {
        if want != got {
            let p = &found.params[i];
            out.push(format!(
                "parameter {i} ({}): MSL `{}` lowers to `{got}`, the shell passes `{want}`",
                param_label(p),
                p.ty
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_handles_nesting_and_empty_lists() {
        assert_eq!(
            split_ir_function_type("float ()"),
            Some(("float".to_string(), vec![]))
        );
        assert_eq!(
            split_ir_function_type("  <2 x i32>   (i8 addrspace(1)* ,  i32)"),
            Some((
                "<2 x i32>".to_string(),
                vec!["i8 addrspace(1)*".to_string(), "i32".to_string()]
            ))
        );
        assert_eq!(split_ir_function_type("float"), None);
        assert_eq!(split_ir_function_type("(i32)"), None);
    }
}
