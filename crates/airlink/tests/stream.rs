//! The lazy text → library path (`metallib::assemble_text`) against the
//! whole-module pipeline (parse, verify, `metallib::assemble`): same bytes
//! for valid inputs, and the lazy path really taken for them.

use airlink_test_support::Rng;
use metallib::stream::{assemble_text_lazily, Fallback};
use metallib::AssembleOptions;

fn encode(m: &air_ir::Module) -> Result<Vec<u8>, air_bitcode::EncodeError> {
    let options = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Apple,
        input_path: "in.ll".to_string(),
        producer: None,
    };
    air_bitcode::write_module(m, &options)
}

fn target_of(module: &air_ir::Module) -> &'static air_target::Target {
    let triple = module.triple.as_deref().unwrap_or("");
    air_target::TARGETS
        .iter()
        .find(|t| t.matches_triple(triple))
        .unwrap_or_else(|| air_target::Target::by_id("macos26").unwrap())
}

/// Both pipelines on `text`; returns the lazy path's result.
fn compare(text: &str, name: &str, threads: usize) -> Result<Vec<u8>, Fallback> {
    let (module, _) = air_ir::parse_with_source_map(text, name).unwrap();
    air_ir::verify(&module).unwrap();
    let options = AssembleOptions {
        target: target_of(&module),
        retarget: true,
        threads,
    };
    let whole = metallib::assemble(&module, &options, encode);
    let lazy = assemble_text_lazily(text, name, &options, encode);
    let text_path = metallib::assemble_text(text, name, &options, encode);
    match (&whole, &lazy) {
        (Ok(a), Ok(b)) => assert!(a == b, "{name}: the lazy path's bytes differ"),
        (Ok(_), Err(_)) | (Err(_), _) => {}
    }
    match (&whole, &text_path) {
        (Ok(a), Ok(b)) => assert!(a == b, "{name}: assemble_text's bytes differ"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{name}"),
        _ => panic!("{name}: assemble_text and the whole pipeline disagree"),
    }
    lazy
}

#[test]
fn corpus_files_give_the_same_bytes() {
    let mut lazy_ok = 0;
    for path in airlink_test_support::corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for threads in [1, 3] {
            match compare(&text, &name, threads) {
                Ok(_) => lazy_ok += 1,
                Err(why) => eprintln!("{name}: lazy path fell back: {why:?}"),
            }
        }
    }
    assert!(lazy_ok > 0);
}

#[test]
fn generated_modules_give_the_same_bytes() {
    for seed in 0..12u64 {
        let options = air_ir::testgen::GenOptions {
            kernels: 1 + (seed as usize % 4),
            stretch: 30,
            depth: 2,
        };
        let text = air_ir::print(&air_ir::testgen::random_module(seed, options));
        for threads in [1, 2] {
            compare(&text, &format!("gen{seed}.ll"), threads)
                .unwrap_or_else(|why| panic!("seed {seed}: lazy path fell back: {why:?}"));
        }
    }
}

/// The whole-module pipeline's result in a comparable form: the library,
/// or which stage failed and its message.
fn whole_result(text: &str, name: &str, options: &AssembleOptions) -> Result<Vec<u8>, String> {
    let (module, _) =
        air_ir::parse_with_source_map(text, name).map_err(|e| format!("parse: {e}"))?;
    air_ir::verify(&module).map_err(|e| format!("invalid: {e}"))?;
    metallib::assemble(&module, options, encode).map_err(|e| format!("assemble: {e}"))
}

/// `assemble_text` with the lazy path taken at any size, in the same form.
fn text_result(text: &str, name: &str, options: &AssembleOptions) -> Result<Vec<u8>, String> {
    let parsed = metallib::TextModule::parse_tuned(text, name, 0).map_err(describe)?;
    parsed.assemble(options, encode).map_err(describe)
}

fn describe(e: metallib::TextError) -> String {
    match e {
        metallib::TextError::Parse(e) => format!("parse: {e}"),
        metallib::TextError::Invalid { error, .. } => format!("invalid: {error}"),
        e => format!("assemble: {e}"),
    }
}

/// Indices of the lines inside function bodies (not the `define` line or
/// the closing brace): where the lazy path differs from the whole one.
fn body_lines(lines: &[&str]) -> Vec<usize> {
    let mut inside = false;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("define ") {
            inside = true;
        } else if *l == "}" {
            inside = false;
        } else if inside {
            out.push(i);
        }
    }
    out
}

/// One damaged copy of `text`, mostly inside a body.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let body = body_lines(&lines);
    if body.is_empty() {
        return text[..rng.below(text.len())].to_string();
    }
    let at = body[rng.below(body.len())];
    let owned;
    match rng.below(9) {
        0 => {
            lines.remove(at);
        }
        1 => lines.insert(at, lines[at]),
        2 if at + 1 < lines.len() => lines.swap(at, at + 1),
        3 => {
            // An operand that names nothing.
            let l = lines[at];
            owned = match l.rfind('%') {
                Some(p) if p > l.find('=').unwrap_or(0) => format!("{}%never_defined", &l[..p]),
                _ => format!("{l} %never_defined"),
            };
            lines[at] = &owned;
        }
        4 => {
            // Metadata that is never defined, attached in a body.
            owned = format!("{}, !never !99999", lines[at]);
            lines[at] = &owned;
        }
        5 => {
            owned = lines[at].replacen("i32", "i64", 1);
            lines[at] = &owned;
        }
        6 => {
            // Cut the text inside a body.
            let offset: usize = lines[..at].iter().map(|l| l.len() + 1).sum();
            let cut = offset + rng.below(lines[at].len() + 1);
            return text[..cut.min(text.len())].to_string();
        }
        7 => {
            // A helper no entry reaches, with a body that does not verify.
            let mut out = text.to_string();
            out.push_str("\ndefine internal void @unreached_helper(i32 %a) {\n  %b = add i64 %a, 1\n  ret void\n}\n");
            return out;
        }
        _ => {
            // A body-local type error the skeleton cannot see.
            owned = "  %broken = fadd i32 1, 2".to_string();
            lines.insert(at, &owned);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

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
            kernels: 2 + seed as usize % 3,
            stretch: 12,
            depth: 2,
        };
        let text = air_ir::print(&air_ir::testgen::random_module(100 + seed, options));
        out.push((format!("gen{seed}.ll"), text));
    }
    out
}

/// Damaged inputs: the lazy path never accepts what the whole pipeline
/// rejects, and `assemble_text` (lazy at any size) reports exactly what the
/// whole pipeline reports.
#[test]
fn damaged_inputs_give_the_whole_pipelines_result() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut cases, mut rejected, mut lazy_ok) = (0, 0, 0);
    for (name, text) in inputs() {
        for _ in 0..40 {
            let damaged = mutate(&text, &mut rng);
            let options = AssembleOptions {
                target: air_target::Target::by_id("macos26").unwrap(),
                retarget: true,
                threads: 1 + rng.below(3),
            };
            let whole = whole_result(&damaged, &name, &options);
            let via_text = text_result(&damaged, &name, &options);
            assert!(
                whole == via_text,
                "{name}: assemble_text differs from the whole pipeline on\n{damaged}\nwhole: {:?}\ntext: {:?}",
                whole.as_ref().err(),
                via_text.as_ref().err()
            );
            if let Ok(bytes) = assemble_text_lazily(&damaged, &name, &options, encode) {
                lazy_ok += 1;
                assert!(
                    whole.as_ref() == Ok(&bytes),
                    "{name}: the lazy path accepted what the whole pipeline gives as {:?}:\n{damaged}",
                    whole.as_ref().err()
                );
            }
            rejected += usize::from(whole.is_err());
            cases += 1;
        }
    }
    eprintln!("{cases} damaged inputs: {rejected} rejected, {lazy_ok} taken by the lazy path");
    // The damage must actually reach both outcomes, or the test shows
    // nothing.
    assert!(rejected > cases / 3, "{rejected} of {cases} rejected");
    assert!(lazy_ok > 0, "no damaged input was still valid");
}

/// The invalid-input corpus of the parser and verifier through
/// `assemble_text` with the lazy path at any size.
#[test]
fn invalid_corpus_gives_the_whole_pipelines_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../air-ir/tests/invalid");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // not UTF-8: the parser's own tests cover bytes
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let options = AssembleOptions::new(air_target::Target::by_id("macos26").unwrap());
        let whole = whole_result(&text, &name, &options);
        assert!(whole.is_err(), "{name} is meant to be invalid");
        assert_eq!(text_result(&text, &name, &options), whole, "{name}");
        assert!(
            assemble_text_lazily(&text, &name, &options, encode).is_err(),
            "{name}"
        );
        n += 1;
    }
    assert!(n > 20, "only {n} invalid inputs read");
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
    let broken = text.replace("%y = add i32 %x, 1", "%y = add i64 %x, 1");
    let options = AssembleOptions::new(air_target::Target::by_id("macos26").unwrap());
    assert!(assemble_text_lazily(&broken, "helpers.ll", &options, encode).is_err());
    assert!(whole_result(&broken, "helpers.ll", &options).is_err());
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
