//! `LazyModule` and `BodyFork`: bodies parsed on demand give what the
//! whole-module parser gives, and the errors a skeleton cannot see are
//! found when the body is parsed or checked.

use air_ir::{FuncId, LazyModule};

fn inputs() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = airlink_test_support::corpus_files()
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    for seed in 0..4u64 {
        let options = air_ir::testgen::GenOptions {
            kernels: 1 + seed as usize,
            stretch: 20,
            depth: 2,
        };
        let text = air_ir::print(&air_ir::testgen::random_module(seed, options));
        out.push((format!("gen{seed}.ll"), text));
    }
    out
}

fn lazy_functions(lazy: &LazyModule<'_>) -> Vec<FuncId> {
    (0..lazy.skeleton().functions.len() as u32)
        .map(FuncId)
        .filter(|f| lazy.is_lazy(*f))
        .collect()
}

/// With every body parsed, a fork prints as the whole parse does. (Arena
/// ids may differ: the lazy parser reads metadata before bodies. The
/// printer numbers things itself, so equal text is the meaningful check.)
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
            assert_eq!(fork.module().functions[f.0 as usize], first, "{name}");
        }
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

/// A body that parses but does not verify passes the skeleton check and
/// fails the fork's.
#[test]
fn invalid_bodies_fail_the_forks_check() {
    let text = with_body("%z = fadd i32 %x, 1\n  ret void");
    let whole = air_ir::parse(&text, "t.ll").unwrap();
    assert!(air_ir::verify(&whole).is_err());
    let lazy = LazyModule::new(&text, "t.ll").unwrap();
    air_ir::verify(lazy.skeleton()).unwrap();
    let mut fork = lazy.fork();
    fork.parse(FuncId(0)).unwrap();
    assert!(fork.verify(&[FuncId(0)]).is_empty());
    fork.parse(FuncId(1)).unwrap();
    let errors = fork.verify(&[FuncId(1)]);
    assert!(!errors.is_empty());
    assert_eq!(
        errors[0].message,
        air_ir::verify(&whole).unwrap_err().message
    );
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
