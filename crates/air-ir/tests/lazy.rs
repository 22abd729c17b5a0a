//! `LazyModule` and `BodyFork`: bodies parsed on demand give what the
//! whole-module parser gives, and the errors a skeleton cannot see are
//! found when the body is parsed or checked.

use air_ir::{BodyFork, FuncId, LazyModule};

fn inputs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = airlink_test_support::corpus_files()
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    for seed in 0..6u64 {
        let options = air_testgen::GenOptions {
            kernels: 1 + seed as usize % 4,
            stretch: 20,
            depth: 2,
            debug_info: seed % 2 == 1,
        };
        let text = air_ir::print(&air_testgen::random_module(seed, options));
        out.push((format!("gen{seed}.ll"), text));
    }
    out
}

/// The function with every metadata call argument set to one id.
fn without_metadata_ids(f: &air_ir::Function) -> air_ir::Function {
    let mut f = f.clone();
    for inst in &mut f.insts {
        inst.kind.for_each_operand_mut(|v| {
            if let air_ir::Value::Metadata(m) = v {
                *m = air_ir::MetaId(0);
            }
        });
    }
    f
}

/// The metadata call arguments of `f`, in order.
fn metadata_args(f: &air_ir::Function) -> impl Iterator<Item = air_ir::MetaId> + '_ {
    f.insts.iter().flat_map(|inst| {
        let mut out = Vec::new();
        inst.kind.for_each_operand(|v| {
            if let air_ir::Value::Metadata(m) = v {
                out.push(*m);
            }
        });
        out
    })
}

/// Whether metadata items `a` and `b` are the same, looking through the
/// references of debug-info nodes (a few levels suffice for call
/// arguments).
fn same_metadata(m: &air_ir::Module, a: air_ir::MetaId, b: air_ir::MetaId, depth: u32) -> bool {
    use air_ir::{DiValue, Metadata};
    if a == b {
        return true;
    }
    match (&m.metadata[a.0 as usize], &m.metadata[b.0 as usize]) {
        (Metadata::Di(x), Metadata::Di(y)) if depth < 4 => {
            x.kind == y.kind
                && x.distinct == y.distinct
                && x.fields.iter().zip(&y.fields).all(|(p, q)| match (p, q) {
                    (DiValue::Md(p), DiValue::Md(q)) => same_metadata(m, *p, *q, depth + 1),
                    (DiValue::Mds(p), DiValue::Mds(q)) => {
                        p.len() == q.len()
                            && p.iter().zip(q).all(|(p, q)| match (p, q) {
                                (Some(p), Some(q)) => same_metadata(m, *p, *q, depth + 1),
                                (p, q) => p == q,
                            })
                    }
                    (p, q) => p == q,
                })
        }
        (x, y) => x == y,
    }
}

fn lazy_functions(lazy: &LazyModule<'_>) -> Vec<FuncId> {
    (0..lazy.skeleton().functions.len() as u32)
        .map(FuncId)
        .filter(|f| lazy.is_lazy(*f))
        .collect()
}

/// With every body parsed, a fork is the whole parse's module and prints
/// as it does.
///
/// The arenas are not laid out alike, and are not meant to be: the whole
/// parser fills them in text order, bodies (which usually come first)
/// before the metadata section, while the lazy parser reads every metadata
/// node, global initializer and named type before any body. On every
/// corpus file the raw `metadata` and `consts` vectors differ, and the
/// `types` vector on all but `constant_exprs.ll` (and so do the ids inside
/// the functions), yet both comparisons here hold: `print`
/// numbers metadata itself, in the order LLVM's slot tracker visits it,
/// and `Module`'s `==` is the arena-independent structural equality of
/// `air_ir::eq` (`parse(print(m)) == m` rests on the same property). So
/// neither comparison depends on arena order.
#[test]
fn a_fully_parsed_fork_prints_like_the_whole_parse() {
    for (name, text) in inputs() {
        let whole = air_ir::parse(&text, &name).unwrap();
        let lazy = LazyModule::new(&text, &name).unwrap();
        let fs = lazy_functions(&lazy);
        assert_eq!(
            fs.len(),
            whole
                .functions
                .iter()
                .filter(|f| !f.blocks.is_empty())
                .count(),
            "{name}: every definition is lazy"
        );
        let mut fork = lazy.fork();
        // Out of text order on purpose: the order must not matter.
        for f in fs.iter().rev() {
            assert!(fork.parse(*f).unwrap(), "{name}");
            assert!(!fork.parse(*f).unwrap(), "{name}: parsed twice");
        }
        assert!(fork.verify(&fs).is_empty(), "{name}");
        assert!(*fork.module() == whole, "{name}: the modules differ");
        assert_eq!(
            air_ir::print(fork.module()),
            air_ir::print(&whole),
            "{name}"
        );
    }
}

/// The skeleton holds every header with a placeholder body, so it verifies
/// and keeps definitions apart from declarations.
#[test]
fn the_skeleton_has_placeholder_bodies() {
    for (name, text) in inputs() {
        let whole = air_ir::parse(&text, &name).unwrap();
        let lazy = LazyModule::new(&text, &name).unwrap();
        let skeleton = lazy.skeleton();
        air_ir::verify(skeleton).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, (s, w)) in skeleton.functions.iter().zip(&whole.functions).enumerate() {
            assert_eq!(s.name, w.name);
            assert_eq!(
                s.blocks.is_empty(),
                w.blocks.is_empty(),
                "{name}: @{}",
                s.name
            );
            if !w.blocks.is_empty() {
                assert_eq!(s.insts.len(), 1, "{name}: @{}", s.name);
                assert!(lazy.body_len(FuncId(i as u32)) > 2);
            }
        }
    }
}

/// Dropping a body and parsing it again gives the same function, and a
/// dropped body is a placeholder again.
#[test]
fn dropped_bodies_parse_again_the_same() {
    for (name, text) in inputs() {
        let lazy = LazyModule::new(&text, &name).unwrap();
        let mut fork = lazy.fork();
        for f in lazy_functions(&lazy) {
            fork.parse(f).unwrap();
            let first = fork.module().functions[f.0 as usize].clone();
            fork.drop_body(f);
            assert!(!fork.is_parsed(f));
            assert_eq!(fork.module().functions[f.0 as usize].insts.len(), 1);
            assert!(fork.parse(f).unwrap());
            let again = fork.module().functions[f.0 as usize].clone();
            if again != first {
                // Metadata a body writes inline (a call's `metadata i32 %x`,
                // `!DIExpression()`) is added to the arena again, so only its
                // ids may differ, and the items they name must be equal.
                assert_eq!(
                    without_metadata_ids(&first),
                    without_metadata_ids(&again),
                    "{name}"
                );
                for (a, b) in metadata_args(&first).zip(metadata_args(&again)) {
                    assert!(
                        same_metadata(fork.module(), a, b, 0),
                        "{name}: {a:?} vs {b:?}"
                    );
                }
            }
        }
        // Parsing a body again adds its inline metadata again (the arena
        // keeps the first copies): the module must still be the whole
        // parse's, and still verify.
        let whole = air_ir::parse(&text, &name).unwrap();
        assert!(*fork.module() == whole, "{name}");
        assert_eq!(
            air_ir::print(fork.module()),
            air_ir::print(&whole),
            "{name}"
        );
        assert!(fork.verify(&lazy_functions(&lazy)).is_empty(), "{name}");
    }
}

const TWO_KERNELS: &str = r#"
define void @a(i32 %x) {
  %y = add i32 %x, 1
  ret void
}

define void @b(i32 %x) {
  BODY
}

!air.kernel = !{!0, !1}
!0 = !{void (i32)* @a, !2, !2}
!1 = !{void (i32)* @b, !2, !2}
!2 = !{}
"#;

fn with_body(body: &str) -> String {
    TWO_KERNELS.replace("BODY", body)
}

/// Problems inside a body are invisible to the skeleton and found when
/// that body, and only that body, is parsed.
#[test]
fn body_errors_are_found_when_the_body_is_parsed() {
    for body in [
        // A syntax error.
        "%z = add i32 %x,\n  ret void",
        // Metadata never defined.
        "%z = add i32 %x, 1, !foo !7\n  ret void",
        // A named type never defined.
        "%p = alloca %Missing\n  ret void",
        // A value never defined.
        "%z = add i32 %nope, 1\n  ret void",
    ] {
        let text = with_body(body);
        assert!(air_ir::parse(&text, "t.ll").is_err(), "{body}");
        let lazy = LazyModule::new(&text, "t.ll").unwrap_or_else(|e| panic!("{body}: {e}"));
        let mut fork = lazy.fork();
        assert!(fork.parse(FuncId(0)).unwrap(), "{body}");
        assert!(fork.parse(FuncId(1)).is_err(), "{body}");
    }
}

/// Parses `text` entry by entry: the skeleton must verify and the first
/// function's body must check cleanly; `then` gets the errors of checking
/// the second function's body, and the fork.
fn second_body_check(text: &str, then: impl FnOnce(Vec<air_ir::VerifyError>, &mut BodyFork<'_>)) {
    let lazy = LazyModule::new(text, "t.ll").unwrap();
    air_ir::verify(lazy.skeleton()).unwrap();
    let mut fork = lazy.fork();
    fork.parse(FuncId(0)).unwrap();
    assert!(fork.verify(&[FuncId(0)]).is_empty());
    fork.parse(FuncId(1)).unwrap();
    let errors = fork.verify(&[FuncId(1)]);
    then(errors, &mut fork);
}

/// A body that parses but does not verify passes the skeleton check and
/// fails the fork's.
#[test]
fn invalid_bodies_fail_the_forks_check() {
    let text = with_body("%z = fadd i32 %x, 1\n  ret void");
    let whole = air_ir::parse(&text, "t.ll").unwrap();
    assert!(air_ir::verify(&whole).is_err());
    second_body_check(&text, |errors, _| {
        assert!(!errors.is_empty());
        let expected = air_ir::verify(&whole).unwrap_err();
        assert_eq!(errors[0].message, expected.message);
        assert_eq!(errors[0].kind, expected.kind);
    });
}

/// A syntax error outside the bodies fails the skeleton with the whole
/// parser's error.
#[test]
fn skeleton_errors_are_the_whole_parsers() {
    let text = with_body("ret void").replace("!2 = !{}", "!2 = !{");
    let whole = air_ir::parse(&text, "t.ll").unwrap_err();
    let lazy = LazyModule::new(&text, "t.ll").unwrap_err();
    assert_eq!(lazy, whole);
}

/// `take_function` hands over exactly the parsed function and leaves the
/// placeholder, like `drop_body`; an unparsed body cannot be taken.
#[test]
fn taken_functions_are_the_parsed_ones() {
    for (name, text) in inputs() {
        let lazy = LazyModule::new(&text, &name).unwrap();
        let mut fork = lazy.fork();
        for f in lazy_functions(&lazy) {
            assert!(fork.take_function(f).is_none(), "{name}: not parsed yet");
            fork.parse(f).unwrap();
            let parsed = fork.module().functions[f.0 as usize].clone();
            let taken = fork.take_function(f).unwrap();
            assert_eq!(taken, parsed, "{name}");
            assert!(!fork.is_parsed(f));
            assert_eq!(fork.module().functions[f.0 as usize].insts.len(), 1);
            assert_eq!(
                fork.module().functions[f.0 as usize].name,
                parsed.name,
                "{name}: the header stays"
            );
        }
    }
}

/// Metadata a body makes (an inline `!{...}` attachment) whose constant
/// only the verifier rejects: the error sits on the metadata item, not on
/// the function, so `verify` finds it among the items added since its last
/// call, once.
#[test]
fn metadata_made_in_a_body_is_checked_once() {
    let text = with_body("%z = add i32 %x, 1, !foo !{i32 trunc (i32 1 to i32)}\n  ret void");
    let whole = air_ir::parse(&text, "t.ll").unwrap();
    let expected = air_ir::verify(&whole).unwrap_err();
    assert!(
        matches!(expected.location, air_ir::verify::Location::Metadata(_)),
        "{expected:?}"
    );
    second_body_check(&text, |errors, fork| {
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, expected.message);
        assert_eq!(errors[0].kind, expected.kind);
        // Checked already: a later call over no function reports nothing.
        assert!(fork.verify(&[]).is_empty());
    });
}

/// How the lazy parser and the whole parser split damaged inputs
/// (`airlink_test_support::damage`, aimed at bodies):
///
/// - a skeleton error is a whole-parse error too;
/// - with the skeleton read, every body parses (in any order) exactly when
///   the whole parse succeeds, and then the fork is the whole module;
/// - the skeleton check plus `verify` of each body as it is parsed finds a
///   problem exactly when the whole verifier does.
///
/// The errors themselves may differ (a body parsed out of text order can
/// fail before an earlier one would have): callers parse again with the
/// whole parser for diagnostics, which `crates/airlink/tests/stream.rs`
/// checks end to end.
#[test]
fn damaged_inputs_split_as_in_the_whole_parse() {
    let mut rng = air_testgen::Rng::new(0x1a2b_3c4d_5e6f_7081);
    // About 6 s in a debug build and 3 s in release (2 cores).
    let per_input = if cfg!(debug_assertions) { 150 } else { 600 };
    let (mut cases, mut skeleton_err, mut body_err, mut invalid, mut valid) = (0, 0, 0, 0, 0);
    for (name, text) in inputs() {
        for n in 0..per_input {
            let damaged = airlink_test_support::damage::damage(&text, &mut rng);
            let label = format!("{name}, damage {n} ({})", damaged.kinds.join(" + "));
            let text = damaged.text;
            cases += 1;
            let whole = air_ir::parse(&text, &name);
            let lazy = match LazyModule::new(&text, &name) {
                Ok(lazy) => lazy,
                Err(e) => {
                    assert!(
                        whole.is_err(),
                        "{label}: the skeleton fails ({e}) but the whole parse succeeds\n{text}"
                    );
                    skeleton_err += 1;
                    continue;
                }
            };
            let mut order = lazy_functions(&lazy);
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let mut fork = lazy.fork();
            let mut problems = air_ir::verify::verify_all(lazy.skeleton());
            let mut failed = None;
            for &f in &order {
                match fork.parse(f) {
                    Ok(_) => problems.extend(fork.verify(&[f])),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let whole = match (whole, failed) {
                (Err(_), Some(_)) => {
                    body_err += 1;
                    continue;
                }
                (Ok(_), Some(e)) => {
                    panic!("{label}: a body fails ({e}) but the whole parse succeeds\n{text}")
                }
                (Err(e), None) => {
                    panic!("{label}: every body parses but the whole parse fails: {e}\n{text}")
                }
                (Ok(whole), None) => whole,
            };
            assert!(
                *fork.module() == whole,
                "{label}: the modules differ\n{text}"
            );
            let whole_problems = air_ir::verify::verify_all(&whole);
            assert_eq!(
                problems.is_empty(),
                whole_problems.is_empty(),
                "{label}: lazy {problems:?}, whole {whole_problems:?}\n{text}"
            );
            if problems.is_empty() {
                valid += 1;
            } else {
                invalid += 1;
            }
        }
    }
    eprintln!(
        "{cases} damaged inputs: {skeleton_err} skeleton errors, {body_err} body errors, {invalid} invalid, {valid} valid"
    );
    // Each side of each split must be reached, or the test shows little.
    for (what, n) in [
        ("skeleton errors", skeleton_err),
        ("body errors", body_err),
        ("invalid modules", invalid),
        ("valid modules", valid),
    ] {
        assert!(n > cases / 50, "only {n} {what} in {cases} cases");
    }
}
