//! Citations of the project's design notes stay valid: every
//! `docs/FILE.md#anchor` written in a source, test, spec, corpus, expected
//! output or Markdown file names a file of `docs/` and a heading in it, and
//! every relative Markdown link (`[text](other.md#anchor)`) resolves. The
//! notes the code was first written against were never part of the
//! repository; a second test keeps their names from coming back, so a
//! comment or message always points at something a reader can open.
//!
//! Anchors follow GitHub's rule for headings: lower case, punctuation other
//! than `-` and `_` dropped, spaces turned into `-`, and a repeated heading
//! numbered `-1`, `-2`, ... in order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use airlink_test_support::repo_root;

/// Extensions of the files whose text may cite the notes.
const SCANNED: &[&str] = &["rs", "md", "toml", "ll", "metal", "txt", "sh", "py"];

/// This checker, relative to the repository root.
const THIS_FILE: &str = "crates/test-support/tests/doc_citations.rs";

/// Directories never scanned: build outputs, version control, fuzzing
/// output that is not committed.
const SKIPPED_DIRS: &[&str] = &["target", "artifacts", "coverage", "node_modules"];

/// Every scanned file under the repository root, as (path relative to the
/// root with `/` separators, text). Files that are not UTF-8 are skipped.
fn scanned_files() -> Vec<(String, String)> {
    let root = repo_root();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name) {
                    stack.push(path);
                }
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !SCANNED.contains(&ext) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            out.push((relative(&root, &path), text));
        }
    }
    out.sort();
    out
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// GitHub's anchor for a heading's text.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown text's headings (fenced code skipped).
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let mut in_fence = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let text = line.trim_start_matches('#');
        let hashes = line.len() - text.len();
        if hashes > 6 || !text.starts_with(' ') {
            continue;
        }
        let base = slug(text);
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Every `docs/NAME.md` or `docs/NAME.md#anchor` in a text that starts a
/// path (so `crates/x/docs/y.md` is not one), with its line number.
fn docs_citations(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(at) = line[from..].find("docs/") {
            let start = from + at;
            from = start + "docs/".len();
            let before = line[..start].chars().next_back();
            if before.is_some_and(|c| is_name_char(c) || c == '/' || c == '.') {
                continue;
            }
            let rest = &line[from..];
            let name_len = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            if name_len == 0 || !rest[name_len..].starts_with(".md") {
                continue;
            }
            let file = format!("{}.md", &rest[..name_len]);
            let after = &rest[name_len + 3..];
            let anchor = after.strip_prefix('#').map(|a| {
                let len = a.find(|c: char| !is_name_char(c)).unwrap_or(a.len());
                a[..len].to_string()
            });
            out.push((i + 1, file, anchor));
        }
    }
    out
}

/// Every inline Markdown link target `](target)` with its line number.
fn markdown_links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let mut from = 0;
        while let Some(at) = line[from..].find("](") {
            let start = from + at + 2;
            let Some(len) = line[start..].find(')') else {
                break;
            };
            out.push((i + 1, line[start..start + len].to_string()));
            from = start + len;
        }
    }
    out
}

/// The anchors of a Markdown file, read once.
struct Headings {
    root: PathBuf,
    cache: BTreeMap<String, Option<BTreeSet<String>>>,
}

impl Headings {
    /// `Err` with the reason when `file` (relative to the root) or its
    /// anchor does not exist.
    fn check(&mut self, file: &str, anchor: Option<&str>) -> Result<(), String> {
        let root = &self.root;
        let anchors = self.cache.entry(file.to_string()).or_insert_with(|| {
            std::fs::read_to_string(root.join(file))
                .ok()
                .map(|t| anchors(&t))
        });
        let Some(anchors) = anchors else {
            return Err(format!("{file} does not exist"));
        };
        match anchor {
            Some(a) if !anchors.contains(a) => Err(format!("{file} has no heading #{a}")),
            _ => Ok(()),
        }
    }
}

/// Resolves `target` (a link written in `from`, relative to the root)
/// against `from`'s folder, `..` included.
fn resolve(from: &str, target: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[test]
fn every_docs_citation_names_an_existing_file_and_heading() {
    let mut headings = Headings {
        root: repo_root(),
        cache: BTreeMap::new(),
    };
    let mut problems = Vec::new();
    let mut checked = 0usize;
    for (path, text) in scanned_files() {
        // This file's own examples (`docs/FILE.md`, the slug test's
        // inputs) are not citations.
        if path == THIS_FILE {
            continue;
        }
        for (line, file, anchor) in docs_citations(&text) {
            checked += 1;
            if let Err(why) = headings.check(&format!("docs/{file}"), anchor.as_deref()) {
                problems.push(format!("{path}:{line}: {why}"));
            }
        }
        if !path.ends_with(".md") {
            continue;
        }
        for (line, target) in markdown_links(&text) {
            let target = target.split_whitespace().next().unwrap_or("");
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target, None),
            };
            let file = if file.is_empty() {
                path.clone()
            } else {
                resolve(&path, file)
            };
            checked += 1;
            let result = if file.ends_with(".md") {
                headings.check(&file, anchor)
            } else if repo_root().join(&file).exists() {
                Ok(())
            } else {
                Err(format!("{file} does not exist"))
            };
            if let Err(why) = result {
                problems.push(format!("{path}:{line}: link {target}: {why}"));
            }
        }
    }
    // The code cites the notes in well over a hundred places; far fewer
    // means the scan lost its way, not that the citations went.
    assert!(checked >= 100, "only {checked} citations found");
    assert!(
        problems.is_empty(),
        "{} broken citation(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_retired_notes_are_not_cited() {
    // Built at run time so that this file does not name them itself.
    let retired = [
        ["air", "md"].join("."),
        ["metallib-and-bitcode", "md"].join("."),
    ];
    let section_sign = '\u{a7}';
    let mut problems = Vec::new();
    for (path, text) in scanned_files() {
        for (i, line) in text.lines().enumerate() {
            let names_retired = retired.iter().any(|name| {
                line.match_indices(name.as_str()).any(|(at, _)| {
                    !line[..at]
                        .chars()
                        .next_back()
                        .is_some_and(|c| is_name_char(c) || c == '.')
                })
            });
            if names_retired || line.contains(section_sign) {
                problems.push(format!("{path}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} line(s) cite notes outside the repository (cite docs/FILE.md#heading instead):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn slugs_follow_githubs_rule() {
    assert_eq!(
        slug("Open question 1D operand order"),
        "open-question-1d-operand-order"
    );
    assert_eq!(slug("Apple's differences"), "apples-differences");
    assert_eq!(slug("The .metallib container"), "the-metallib-container");
    assert_eq!(
        slug("Parse-time behaviour of llvm-as-14"),
        "parse-time-behaviour-of-llvm-as-14"
    );
    let a = anchors("# A\n\n```\n# not a heading\n```\n## B b\n## B b\n#nope\n");
    let want: BTreeSet<String> = ["a", "b-b", "b-b-1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(a, want);
    assert_eq!(
        docs_citations("see docs/x-y.md#z_1, crates/a/docs/b.md and (docs/c.md)."),
        vec![
            (1, "x-y.md".to_string(), Some("z_1".to_string())),
            (1, "c.md".to_string(), None)
        ]
    );
    assert_eq!(resolve("docs/a.md", "../README.md"), "README.md");
    assert_eq!(resolve("README.md", "docs/a.md"), "docs/a.md");
}
