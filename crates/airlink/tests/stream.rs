//! The lazy text → library path (`air_assemble::assemble` on text) against
//! the whole-module pipeline (parse, verify, `air_assemble::assemble` on the
//! module): the same
//! library for valid inputs, with the lazy path really taken for them; for
//! damaged and invalid inputs the same failing stage and the same error;
//! the lazy path alone never accepting what the whole pipeline rejects;
//! and the same results on 1 and 3 threads.

use air_assemble::stream::assemble_text_lazily;
use air_assemble::{Fallback, Input, Library, Options, Route, TargetChoice};
use air_testgen::Rng;
use airlink_test_support::damage::damage;

/// The options of every route here: `target`, retargeting allowed, the
/// Apple flavour, `threads` workers.
fn options(target: &'static air_target::Target, threads: usize) -> Options<'static> {
    Options {
        target: TargetChoice::Target(target),
        retarget: true,
        threads,
        ..Options::default()
    }
}

/// [`check`] on a valid `text`, then the lazy path alone on `threads`
/// threads: its result, which when it is a library is the whole
/// pipeline's.
fn compare(text: &str, name: &str, threads: usize) -> Result<Vec<u8>, Fallback> {
    let target = target_of_text(text);
    let (whole, _) = check(text, name, target);
    let Outcome::Library(bytes) = whole else {
        panic!("{name}: meant to be valid, the whole pipeline gives {whole:?}");
    };
    let lazy = assemble_text_lazily(text, name, &options(target, threads));
    if let Ok(library) = &lazy {
        assert!(
            library.bytes == bytes,
            "{name}, {threads} threads: the lazy path's bytes differ"
        );
    }
    lazy.map(|library| library.bytes)
}

/// Every corpus file and some generated modules: every route gives the
/// whole pipeline's library (see [`check`]), and the lazy path alone takes
/// them.
#[test]
fn valid_inputs_give_the_same_bytes() {
    let mut lazy_ok = 0;
    let all = inputs();
    for (name, text) in &all {
        let (whole, lazy) = check(text, name, target_of_text(text));
        assert!(matches!(whole, Outcome::Library(_)), "{name}: {whole:?}");
        if lazy {
            lazy_ok += 1;
        } else {
            eprintln!("{name}: lazy path fell back");
        }
    }
    // Every input is valid for its own target, with entries: only one
    // without (visible functions only) may fall back.
    assert!(lazy_ok + 1 >= all.len(), "{lazy_ok} of {}", all.len());
}

/// What a text → library pipeline gave, in a form in which two pipelines
/// can be compared: the library, or the stage that failed with its error.
/// Parse and verify errors are kept whole (position, message, source line)
/// and as the user sees them: for a verify error that is the diagnostic
/// `airlink assemble` renders from the module and source map that come
/// with it, so those must match the whole pipeline's too.
#[derive(PartialEq)]
enum Outcome {
    Library(Vec<u8>),
    Parse(air_ir::ParseError, String),
    Invalid(air_ir::VerifyError, String),
    Assemble(String),
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Library(b) => write!(f, "library of {} bytes", b.len()),
            Outcome::Parse(_, shown) => write!(f, "parse error:\n{shown}"),
            Outcome::Invalid(_, shown) => write!(f, "invalid:\n{shown}"),
            Outcome::Assemble(shown) => write!(f, "assemble error: {shown}"),
        }
    }
}

/// The whole-module pipeline: `parse_with_source_map`, `verify`,
/// `air_assemble::assemble` on the module.
fn whole_outcome(text: &str, name: &str, options: &Options) -> Outcome {
    let (module, map) = match air_ir::parse_with_source_map(text, name) {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::Parse(e.clone(), e.to_string()),
    };
    if let Err(e) = air_ir::verify(&module) {
        let shown = air_ir::render_verify_error(text, name, &module, &map, &e);
        return Outcome::Invalid(e, shown);
    }
    let input = Input::Module {
        module: &module,
        path: name,
    };
    match air_assemble::assemble(input, options) {
        Ok(library) => Outcome::Library(library.bytes),
        Err(e) => Outcome::Assemble(e.to_string()),
    }
}

/// The result of `air_assemble::assemble` on text as an [`Outcome`]. A
/// verify error comes with its diagnostic rendered by the assembler, which
/// must be what the whole pipeline renders from its own module and source
/// map.
fn text_outcome(result: Result<Library, air_assemble::Error>, name: &str) -> Outcome {
    match result {
        Ok(library) => Outcome::Library(library.bytes),
        Err(air_assemble::Error::Parse(e)) => Outcome::Parse(e.clone(), e.to_string()),
        Err(air_assemble::Error::Invalid { error, diagnostic }) => {
            Outcome::Invalid(*error, diagnostic)
        }
        Err(air_assemble::Error::UnknownTarget { id }) => {
            panic!("{name}: the target is given, yet {id:?} is unknown")
        }
        Err(e) => Outcome::Assemble(e.to_string()),
    }
}

/// Keeps an input that broke an assertion where it can be looked at, and
/// says where.
fn keep(text: &str, name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("stream-{name}"));
    match std::fs::write(&path, text) {
        Ok(()) => format!("input kept in {}", path.display()),
        Err(e) => format!("input not kept ({e})"),
    }
}

/// Every text → library route on `text`, each with 1 and 3 threads:
/// `air_assemble::assemble` on the text (which picks by size), the same
/// with the lazy path taken at any size (`lazy_from_bytes: 0`), and the
/// lazy path alone. The first two must give the
/// whole pipeline's outcome; the lazy path alone, when it gives a library,
/// the whole pipeline's library. The thread count must change nothing.
/// Returns the whole pipeline's outcome and whether the lazy path alone
/// succeeded.
fn check(text: &str, name: &str, target: &'static air_target::Target) -> (Outcome, bool) {
    let mut runs: Vec<(Outcome, Result<Vec<u8>, Fallback>)> = Vec::new();
    for threads in [1, 3] {
        let options = options(target, threads);
        let whole = whole_outcome(text, name, &options);
        let input = Input::Text { text, path: name };
        let public = text_outcome(air_assemble::assemble(input, &options), name);
        if public != whole {
            panic!(
                "{name}, {threads} threads: assemble on text gives {public:?}\nthe whole pipeline {whole:?}\n{}",
                keep(text, name)
            );
        }
        let forced_options = Options {
            lazy_from_bytes: 0,
            ..options
        };
        let forced = text_outcome(air_assemble::assemble(input, &forced_options), name);
        if forced != whole {
            panic!(
                "{name}, {threads} threads: assemble on text, lazy at any size, gives {forced:?}\nthe whole pipeline {whole:?}\n{}",
                keep(text, name)
            );
        }
        let lazy = assemble_text_lazily(text, name, &options).map(|library| library.bytes);
        if let Ok(bytes) = &lazy {
            if !matches!(&whole, Outcome::Library(b) if b == bytes) {
                panic!(
                    "{name}, {threads} threads: the lazy path gave a library where the whole pipeline gives {whole:?}\n{}",
                    keep(text, name)
                );
            }
        }
        runs.push((whole, lazy));
    }
    let (three, lazy3) = runs.pop().unwrap();
    let (one, lazy1) = runs.pop().unwrap();
    if one != three || lazy1.is_ok() != lazy3.is_ok() {
        panic!(
            "{name}: 1 and 3 threads differ: {one:?} / lazy {:?}\nagainst {three:?} / lazy {:?}\n{}",
            lazy1.as_ref().err(),
            lazy3.as_ref().err(),
            keep(text, name)
        );
    }
    (one, lazy1.is_ok())
}

/// The project's own valid inputs, with the target each was written for.
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
            kernels: 2 + seed as usize % 3,
            stretch: 20,
            depth: 2,
            debug_info: false,
        };
        let text = air_ir::print(&air_testgen::random_module(100 + seed, options));
        out.push((format!("gen{seed}.ll"), text));
    }
    out
}

/// The target whose triple `text`'s module has (so that the lazy path is
/// not turned away for retargeting), or macOS 26.
fn target_of_text(text: &str) -> &'static air_target::Target {
    let triple = text
        .lines()
        .find_map(|l| l.strip_prefix("target triple = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or("");
    air_target::TARGETS
        .iter()
        .find(|t| t.matches_triple(triple))
        .unwrap_or_else(|| air_target::Target::by_id("macos26").unwrap())
}

/// Per kind of damage: how many inputs, and where the whole pipeline
/// stopped on them.
#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    library: usize,
    parse: usize,
    invalid: usize,
    assemble: usize,
    lazy_ok: usize,
}

impl Tally {
    fn add(&mut self, whole: &Outcome, lazy_ok: bool) {
        self.cases += 1;
        match whole {
            Outcome::Library(_) => self.library += 1,
            Outcome::Parse(..) => self.parse += 1,
            Outcome::Invalid(..) => self.invalid += 1,
            Outcome::Assemble(_) => self.assemble += 1,
        }
        self.lazy_ok += usize::from(lazy_ok);
    }
}

/// How many damaged copies of each input: the release build (the normal
/// way to run this file) checks four times as many as a debug build, which
/// keeps this file near 20 s in a debug build (`cargo test --workspace`)
/// and near 12 s in release on a 2-core machine.
const DAMAGED_PER_INPUT: usize = if cfg!(debug_assertions) { 100 } else { 400 };

/// Damaged inputs, mostly inside bodies (see
/// `airlink_test_support::damage`): every route gives the whole pipeline's
/// library or error, the lazy path alone never accepts what the whole
/// pipeline rejects, and 1 and 3 threads agree.
#[test]
fn damaged_inputs_give_the_whole_pipelines_result() {
    let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
    let mut tally: std::collections::BTreeMap<&str, Tally> = std::collections::BTreeMap::new();
    for (name, text) in inputs() {
        let own = target_of_text(&text);
        for n in 0..DAMAGED_PER_INPUT {
            let damaged = damage(&text, &mut rng);
            // One time in eight, another target than the module's: the
            // lazy path leaves retargeting to the whole pipeline.
            let target = if rng.below(8) == 0 {
                air_target::Target::by_id("macos14").unwrap()
            } else {
                own
            };
            let label = format!("{name}.damaged{n}.{}.ll", damaged.kinds.join("+"));
            let (whole, lazy_ok) = check(&damaged.text, &label, target);
            for kind in &damaged.kinds {
                tally.entry(kind).or_default().add(&whole, lazy_ok);
            }
            tally.entry("(all)").or_default().add(&whole, lazy_ok);
        }
    }
    for (kind, t) in &tally {
        eprintln!("{kind:>26}: {t:?}");
    }
    // The damage must reach every outcome, or the comparison shows little:
    // rejected by the parser and by the verifier, still valid, and taken
    // by the lazy path.
    let all = &tally["(all)"];
    assert!(all.parse > all.cases / 10, "{all:?}");
    assert!(all.invalid > all.cases / 20, "{all:?}");
    assert!(all.library > all.cases / 20, "{all:?}");
    assert!(all.lazy_ok > all.cases / 20, "{all:?}");
    for kind in airlink_test_support::damage::KINDS {
        let t = tally
            .get(kind)
            .unwrap_or_else(|| panic!("{kind} never ran"));
        assert!(t.cases >= 5, "{kind}: {t:?}");
    }
    // Kinds that must be rejected whenever the damage lands where a
    // reachable or unreachable body is parsed: the lazy path taking one of
    // them would be the unsoundness this test is for, and a kind that is
    // never rejected was not applied.
    for kind in [
        "undefined_metadata",
        "undefined_type",
        "invalid_instruction",
        "undefined_function",
    ] {
        let t = &tally[kind];
        assert!(t.library < t.cases, "{kind} was never rejected: {t:?}");
    }
}

/// The invalid-input corpus of the parser and verifier
/// (`crates/air-ir/tests/invalid/*.ll`) through every route: each gives
/// the whole pipeline's error, and the lazy path alone refuses each.
#[test]
fn invalid_corpus_gives_the_whole_pipelines_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../air-ir/tests/invalid");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // The `.ll.err` files beside them are the expected diagnostics.
        if path.extension().is_none_or(|e| e != "ll") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: the parser's own tests cover bytes
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (whole, lazy_ok) = check(&text, &name, target_of_text(&text));
        assert!(
            !matches!(whole, Outcome::Library(_)),
            "{name} is meant to be invalid"
        );
        assert!(!lazy_ok, "{name}");
        n += 1;
    }
    assert!(n >= 15, "only {n} invalid inputs read");
}

/// `air_assemble::assemble` itself takes the lazy path from
/// `LAZY_MIN_BYTES` on (checked through the library's `route`, which says
/// whether the bodies were left unparsed at first): inputs padded past it,
/// whole and damaged, give the whole pipeline's result through the public
/// entry point.
#[test]
fn large_inputs_take_the_lazy_path_through_assemble() {
    // A comment costs the parsers a byte scan, so a padded small module
    // stands for a large one at little cost.
    let line = format!("; {}\n", "padding ".repeat(12));
    let padding = line.repeat(air_assemble::LAZY_MIN_BYTES / line.len() + 1);
    let mut rng = Rng::new(0x51ab_1e5e_ed00_0001);
    let mut cases = 0;
    for (name, text) in inputs().into_iter().step_by(3) {
        let padded = format!("{padding}{text}");
        let target = target_of_text(&text);
        let input = Input::Text {
            text: &padded,
            path: &name,
        };
        let library = air_assemble::assemble(input, &options(target, 0)).unwrap();
        assert!(
            matches!(library.route, Route::EntryByEntry | Route::FellBack(_)),
            "{name}: assemble parsed the bodies of a large input at once ({:?})",
            library.route
        );
        let (whole, _) = check(&padded, &name, target);
        assert!(matches!(whole, Outcome::Library(_)), "{name}: {whole:?}");
        for kind in [
            "undefined_metadata",
            "late_helper",
            "invalid_instruction",
            "truncate_in_body",
            "unreached_helper",
        ] {
            let damaged = airlink_test_support::damage::damage_of_kind(&text, kind, &mut rng);
            check(
                &format!("{padding}{damaged}"),
                &format!("{name}.{kind}.ll"),
                target,
            );
            cases += 1;
        }
    }
    assert!(cases > 10);
}

/// Helpers defined before and after their callers, a helper chain, a
/// helper shared by two kernels, a visible function that is both an entry
/// and called by a kernel, and a function nothing reaches: every worker
/// layout (1–3 threads) gives the whole pipeline's bytes.
#[test]
fn helpers_shared_and_out_of_order_give_the_same_bytes() {
    let text = r#"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define internal float @helper_b(float %x) {
entry:
  %y = fmul float %x, 2.000000e+00
  ret float %y
}

define void @k1(float addrspace(1)* %out, i32 %tid) {
entry:
  %v = call float @helper_a(float 1.000000e+00)
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %v, float addrspace(1)* %p, align 4
  ret void
}

define float @vis(float %x) {
entry:
  %y = call float @helper_b(float %x)
  ret float %y
}

define void @k2(float addrspace(1)* %out, i32 %tid) {
entry:
  %v = call float @vis(float 3.000000e+00)
  %w = call float @helper_b(float %v)
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %w, float addrspace(1)* %p, align 4
  ret void
}

define internal float @helper_a(float %x) {
entry:
  %y = call float @helper_b(float %x)
  %z = fadd float %y, 1.000000e+00
  ret float %z
}

define void @unreached(i32 %x) {
entry:
  %y = add i32 %x, 1
  ret void
}

!air.kernel = !{!0, !1}
!air.visible = !{!2}
!air.version = !{!5}
!0 = !{void (float addrspace(1)*, i32)* @k1, !3, !4}
!1 = !{void (float addrspace(1)*, i32)* @k2, !3, !4}
!2 = !{float (float)* @vis, !3, !3}
!3 = !{}
!4 = !{}
!5 = !{i32 2, i32 8, i32 0}
"#;
    for threads in [1, 2, 3] {
        let bytes = compare(text, "helpers.ll", threads)
            .unwrap_or_else(|why| panic!("{threads} threads: lazy path fell back: {why:?}"));
        let file = metallib::MetallibFile::parse(&bytes).unwrap();
        let names: Vec<&str> = file.functions().iter().map(|f| f.name).collect();
        assert_eq!(names, ["k1", "k2", "vis"]);
    }
    // The unreached function is still checked: break it and the lazy path
    // must give up.
    let broken = text.replace("%y = add i32 %x, 1", "%y = fadd i32 %x, 1");
    let (whole, lazy_ok) = check(
        &broken,
        "helpers.ll",
        air_target::Target::by_id("macos26").unwrap(),
    );
    assert!(matches!(whole, Outcome::Invalid(..)), "{whole:?}");
    assert!(!lazy_ok);
}

/// Constant expressions nested as deep as the parser allows, in the bodies
/// of two entries handled on worker threads: the workers' stacks must hold
/// what the parser, verifier and encoder recurse through on the main
/// thread.
#[test]
fn deep_constants_in_bodies_fit_on_worker_threads() {
    let mut expr = "i64 1".to_string();
    for _ in 0..124 {
        expr = format!("i64 add ({expr}, i64 1)");
    }
    let body = format!(
        "define void @kNAME(i64 addrspace(1)* %out) {{\nentry:\n  store {expr}, i64 addrspace(1)* %out, align 8\n  ret void\n}}\n"
    );
    let text = format!(
        "target datalayout = \"e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32\"\ntarget triple = \"air64_v28-apple-macosx26.0.0\"\n\n{}\n{}\n!air.kernel = !{{!0, !1}}\n!0 = !{{void (i64 addrspace(1)*)* @k0, !2, !2}}\n!1 = !{{void (i64 addrspace(1)*)* @k1, !2, !2}}\n!2 = !{{}}\n",
        body.replace("NAME", "0"),
        body.replace("NAME", "1")
    );
    compare(&text, "deep.ll", 2).unwrap_or_else(|why| panic!("lazy path fell back: {why:?}"));
}
