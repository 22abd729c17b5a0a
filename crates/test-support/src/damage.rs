//! Damaged copies of IR text, aimed at function bodies.
//!
//! The lazy text → library path (`air_ir::LazyModule`, `air_assemble::stream`)
//! parses everything outside the bodies the way the whole-module parser
//! does; what it does differently is parse and check each body on its own,
//! out of text order, after every metadata node and named type is known.
//! So the damage here is mostly inside bodies, and of the kinds where that
//! difference could show: a body referring to something defined elsewhere
//! (metadata, types, functions, values), a body broken only for the
//! verifier, a body no entry reaches, a helper defined after its caller,
//! and text that ends inside a body. A few kinds are valid on purpose
//! (metadata attached from a body, a well-formed helper defined late), so
//! that damaged inputs also reach the "both pipelines succeed" side.
//!
//! The text is treated line by line: a body is the lines between a line
//! starting with `define ` and the next line that is exactly `}`, which is
//! how this project's corpus and printer lay functions out.

use air_testgen::Rng;

/// Every kind of damage [`damage`] applies, by the name it reports.
pub const KINDS: &[&str] = &[
    "delete_line",
    "duplicate_line",
    "swap_adjacent_lines",
    "swap_lines_in_body",
    "undefined_operand",
    "undefined_metadata",
    "defined_metadata",
    "inline_metadata",
    "invalid_inline_metadata",
    "undefined_type",
    "change_type",
    "truncate_in_body",
    "unreached_helper",
    "late_helper",
    "undefined_function",
    "invalid_instruction",
    "delete_definition",
    "other_metadata_reference",
];

/// One damaged copy of an input.
#[derive(Clone, Debug)]
pub struct Damaged {
    /// Which kinds were applied, in order (from [`KINDS`]).
    pub kinds: Vec<&'static str>,
    /// The damaged text.
    pub text: String,
}

/// Bodies a helper can get: one valid, the rest each broken in one way the
/// skeleton cannot see. `%a` is the helper's `i32` parameter.
const HELPER_BODIES: &[&str] = &[
    // Valid.
    "  %b = add i32 %a, 1\n  ret void",
    // Valid, with metadata made inside the body.
    "  %b = add i32 %a, 1, !lazy.test !{!\"helper\"}\n  ret void",
    // Parses; the verifier rejects the operand type.
    "  %b = add i64 %a, 1\n  ret void",
    // Syntax error.
    "  %b = add i32 %a,\n  ret void",
    // Metadata the module never defines.
    "  %b = add i32 %a, 1, !lazy.test !99998\n  ret void",
    // A value the body never defines.
    "  %b = add i32 %never_defined, 1\n  ret void",
    // A named type the module never defines.
    "  %b = alloca %never.defined.type, align 4\n  ret void",
    // A function the module never declares.
    "  call void @never.defined.function()\n  ret void",
    // No terminator.
    "  %b = add i32 %a, 1",
];

/// Types that [`damage`]'s `change_type` swaps for one another.
const TYPES: &[&str] = &[" i32 ", " i64 ", " float ", " half ", " i16 ", " i1 "];

/// Applies one kind of damage to `text`, or two in a row (one time in
/// four).
pub fn damage(text: &str, rng: &mut Rng) -> Damaged {
    let mut kinds = Vec::new();
    let mut out = damage_once(text, rng, &mut kinds);
    if rng.below(4) == 0 {
        out = damage_once(&out, rng, &mut kinds);
    }
    Damaged { kinds, text: out }
}

/// Applies damage of kind `kind` (one of [`KINDS`]) to `text`, choosing the
/// place with `rng`.
///
/// # Panics
/// When `kind` is not one of [`KINDS`].
pub fn damage_of_kind(text: &str, kind: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let bodies = bodies(&lines);
    let body_lines: Vec<usize> = bodies.iter().flat_map(|&(s, e)| s + 1..e).collect();
    if body_lines.is_empty() {
        // Nothing to aim at: cut the text somewhere instead.
        return text[..floor_char(text, rng.below(text.len() + 1))].to_string();
    }
    let at = body_lines[rng.below(body_lines.len())];
    let instructions: Vec<usize> = body_lines
        .iter()
        .copied()
        .filter(|&i| is_instruction(&lines[i]))
        .collect();
    let inst = if instructions.is_empty() {
        at
    } else {
        instructions[rng.below(instructions.len())]
    };
    match kind {
        "delete_line" => {
            lines.remove(at);
        }
        "duplicate_line" => {
            let copy = lines[at].clone();
            lines.insert(at, copy);
        }
        "swap_adjacent_lines" => {
            let (s, e) = body_of(&bodies, at);
            let other = if at + 1 < e {
                at + 1
            } else {
                (at - 1).max(s + 1)
            };
            lines.swap(at, other);
        }
        "swap_lines_in_body" => {
            let (s, e) = body_of(&bodies, at);
            let other = s + 1 + rng.below(e - s - 1);
            lines.swap(at, other);
        }
        "undefined_operand" => {
            let line = &lines[inst];
            // Only uses: the name after `%x =` is a definition.
            let from = line.find(" = ").map_or(0, |p| p + 3);
            let uses = local_names(line, from);
            if uses.is_empty() {
                lines.insert(inst, "  %lazy_use = add i32 %never_defined, 1".to_string());
            } else {
                let (s, e) = uses[rng.below(uses.len())];
                lines[inst] = format!("{}%never_defined{}", &line[..s], &line[e..]);
            }
        }
        "undefined_metadata" => lines[inst].push_str(", !lazy.test !99999"),
        "defined_metadata" => {
            let defined: Vec<&str> = lines
                .iter()
                .filter_map(|l| l.split_once(" = ").map(|(n, _)| n))
                .filter(|n| {
                    n.len() > 1 && n.starts_with('!') && n[1..].bytes().all(|b| b.is_ascii_digit())
                })
                .collect();
            let attach = if defined.is_empty() {
                ", !lazy.test !{}".to_string()
            } else {
                format!(", !lazy.test {}", defined[rng.below(defined.len())])
            };
            lines[inst].push_str(&attach);
        }
        "inline_metadata" => lines[inst].push_str(", !lazy.test !{!\"lazy\", i32 7}"),
        // A node made in the body whose constant only the verifier
        // rejects: checked with the metadata a body adds, not with the
        // function.
        "invalid_inline_metadata" => {
            lines[inst].push_str(", !lazy.test !{i32 trunc (i32 1 to i32)}");
        }
        "undefined_type" => lines.insert(
            at,
            "  %lazy_alloca = alloca %never.defined.type, align 4".to_string(),
        ),
        "change_type" => {
            let line = &lines[inst];
            let found: Vec<(usize, &str)> = TYPES
                .iter()
                .flat_map(|t| line.match_indices(t).collect::<Vec<_>>())
                .collect();
            if found.is_empty() {
                lines[inst] = line.replacen('%', "double %", 1);
            } else {
                let (p, old) = found[rng.below(found.len())];
                let new = TYPES[rng.below(TYPES.len())];
                lines[inst] = format!("{}{new}{}", &line[..p], &line[p + old.len()..]);
            }
        }
        "truncate_in_body" => {
            let offset: usize = lines[..at].iter().map(|l| l.len() + 1).sum();
            let cut = offset + rng.below(lines[at].len() + 1);
            let mut joined = lines.join("\n");
            joined.truncate(floor_char(&joined, cut));
            return joined;
        }
        "unreached_helper" => {
            let helper = helper("lazy_unreached_helper", rng);
            // At the start, before some function, or at the end: the lazy
            // path finds bodies by position, so all three should behave
            // alike.
            let before = match rng.below(3) {
                0 => 0,
                1 => bodies[rng.below(bodies.len())].0,
                _ => lines.len(),
            };
            lines.insert(before, helper);
        }
        "late_helper" => {
            // A call from some body to a helper defined after everything
            // else: the lazy path must find it and parse it on demand.
            let (s, e) = body_of(&bodies, at);
            let ret = (s + 1..e)
                .find(|&i| lines[i].trim_start().starts_with("ret "))
                .unwrap_or(e - 1);
            lines.insert(ret, "  call void @lazy_late_helper(i32 7)".to_string());
            lines.push(helper("lazy_late_helper", rng));
        }
        "undefined_function" => {
            lines.insert(inst, "  call void @never.defined.function()".to_string());
        }
        "invalid_instruction" => {
            lines.insert(inst, "  %lazy_bad = fadd i32 1, 2".to_string());
        }
        "delete_definition" => {
            // A module-level definition that bodies may depend on: a
            // metadata node, a named type, a global or an attribute group.
            let mut in_body = vec![false; lines.len()];
            for &i in &body_lines {
                in_body[i] = true;
            }
            let defs: Vec<usize> = (0..lines.len())
                .filter(|&i| !in_body[i])
                .filter(|&i| {
                    let l = &lines[i];
                    (l.starts_with('!') || l.starts_with('%') || l.starts_with('@'))
                        && l.contains(" = ")
                        || l.starts_with("attributes #")
                })
                .collect();
            if defs.is_empty() {
                lines.remove(at);
            } else {
                lines.remove(defs[rng.below(defs.len())]);
            }
        }
        "other_metadata_reference" => {
            // A body's `!N` pointed at another node (often one that is not a
            // valid attachment for it), or at none.
            let refs: Vec<(usize, usize, usize)> = body_lines
                .iter()
                .flat_map(|&i| {
                    metadata_numbers(&lines[i])
                        .into_iter()
                        .map(move |(s, e)| (i, s, e))
                })
                .collect();
            if refs.is_empty() {
                lines[inst].push_str(", !lazy.test !0");
            } else {
                let (i, s, e) = refs[rng.below(refs.len())];
                let n = rng.below(12);
                lines[i] = format!("{}!{n}{}", &lines[i][..s], &lines[i][e..]);
            }
        }
        other => panic!("unknown damage kind {other}"),
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn damage_once(text: &str, rng: &mut Rng, kinds: &mut Vec<&'static str>) -> String {
    let kind = KINDS[rng.below(KINDS.len())];
    kinds.push(kind);
    damage_of_kind(text, kind, rng)
}

/// `define internal void @name(i32 %a)` with one of [`HELPER_BODIES`].
fn helper(name: &str, rng: &mut Rng) -> String {
    let body = HELPER_BODIES[rng.below(HELPER_BODIES.len())];
    format!("\ndefine internal void @{name}(i32 %a) {{\nentry:\n{body}\n}}\n")
}

/// The `(define line, closing brace line)` of every function body.
fn bodies(lines: &[String]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("define ") {
            start = Some(i);
        } else if l == "}" {
            if let Some(s) = start.take() {
                if i > s + 1 {
                    out.push((s, i));
                }
            }
        }
    }
    out
}

/// The body holding line `at`.
fn body_of(bodies: &[(usize, usize)], at: usize) -> (usize, usize) {
    bodies
        .iter()
        .copied()
        .find(|&(s, e)| s < at && at < e)
        .unwrap_or((at.saturating_sub(1), at + 1))
}

/// Whether a body line holds an instruction (not a label, comment or blank).
fn is_instruction(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with(';') && !t.ends_with(':') && !t.starts_with('[')
}

/// Byte ranges of the `%name` tokens of `line` from byte `from` on.
fn local_names(line: &str, from: usize) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let end = i
                + 1
                + bytes[i + 1..]
                    .iter()
                    .take_while(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$' | b'-')
                    })
                    .count();
            // `%struct.T` after a type position is a type, not a value, but
            // replacing it is damage too; skip only empty names.
            if end > i + 1 {
                out.push((i, end));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of the `!N` references of `line`.
fn metadata_numbers(line: &str) -> Vec<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    for (i, _) in line.match_indices('!') {
        let digits = bytes[i + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 {
            out.push((i, i + 1 + digits));
        }
    }
    out
}

/// The largest char boundary of `s` at or below `at`.
fn floor_char(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}
