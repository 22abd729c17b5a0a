//! The `[[visible]]` prototype check against manifests generated from every
//! example spec (`examples/specs/*.toml`), with matching and mismatching
//! MSL sources.

use std::path::{Path, PathBuf};

use air_metal::{check_signatures, SignatureError, SignatureProblem};
use air_shell::{BodyMode, Manifest, Options, Spec};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/specs")
}

/// Every example spec's shell in visible mode.
fn example_shells() -> Vec<(String, air_shell::Shell)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(specs_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    for path in paths {
        let spec = Spec::from_file(&path).unwrap();
        let options = Options {
            body: Some(BodyMode::Visible),
            ..Options::default()
        };
        let shell = air_shell::generate(&spec, &options).unwrap();
        out.push((
            path.file_name().unwrap().to_string_lossy().into_owned(),
            shell,
        ));
    }
    assert!(
        out.len() >= 3,
        "expected the three seed specs, got {}",
        out.len()
    );
    out
}

fn shell(name: &str) -> air_shell::Shell {
    example_shells()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no example {name}"))
        .1
}

/// A definition for each prototype of the manifest (`;` → a body).
fn definitions(manifest: &Manifest) -> String {
    let mut out = String::from("#include <metal_stdlib>\nusing namespace metal;\n");
    for v in &manifest.visible {
        let proto = v.msl_prototype.trim_end_matches(';');
        let body = if proto.contains("] void ") {
            "{}"
        } else {
            "{ return 0; }"
        };
        out.push_str(&format!("{proto} {body}\n"));
    }
    out
}

fn problems(manifest: &Manifest, src: &str) -> Vec<SignatureProblem> {
    match check_signatures(manifest, src) {
        Err(SignatureError::Problems(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn every_example_spec_accepts_its_own_prototypes() {
    for (name, shell) in example_shells() {
        assert!(!shell.manifest.visible.is_empty(), "{name}");
        // Definitions written from the manifest's prototypes.
        let src = definitions(&shell.manifest);
        let report = check_signatures(&shell.manifest, &src)
            .unwrap_or_else(|e| panic!("{name}: {e}\n{src}"));
        assert_eq!(report.matched.len(), shell.manifest.visible.len(), "{name}");
        // The generated prototype header alone (declarations only).
        check_signatures(&shell.manifest, &shell.msl_prototypes)
            .unwrap_or_else(|e| panic!("{name} header: {e}"));
        // The header prepended to the definitions.
        let both = format!("{}\n{}", shell.msl_prototypes, src);
        let report = check_signatures(&shell.manifest, &both).unwrap();
        assert!(report.matched.iter().all(|f| f.is_definition), "{name}");
        // Every parsed prototype lowers to exactly the manifest's IR type.
        for (want, got) in shell.manifest.visible.iter().zip(&report.matched) {
            assert_eq!(got.ir_type().unwrap(), want.ir_type, "{name}");
            assert_eq!(got.prototype(), want.msl_prototype, "{name}");
        }
    }
}

#[test]
fn every_example_spec_rejects_a_changed_parameter() {
    for (name, shell) in example_shells() {
        let src = definitions(&shell.manifest);
        for v in &shell.manifest.visible {
            // Change the first parameter's element type or address space.
            let changed = if src.contains("threadgroup float*") {
                src.replacen("threadgroup float*", "device float*", 1)
            } else {
                src.replacen("(float ", "(half ", 1)
            };
            assert_ne!(changed, src, "{name}");
            let p = problems(&shell.manifest, &changed);
            assert_eq!(p.len(), 1, "{name}: {p:?}");
            let text = p[0].to_string();
            assert!(text.contains(&format!("`{}`", v.name)), "{text}");
            assert!(text.contains(&v.ir_type), "{text}");
            assert!(text.contains(&v.msl_prototype), "{text}");
            assert!(text.contains("parameter 0"), "{text}");
        }
    }
}

#[test]
fn the_seed_bodies_match_their_shells() {
    for case in air_metal::cases::all() {
        let shell = case.shell().unwrap();
        let report = check_signatures(&shell.manifest, &case.msl)
            .unwrap_or_else(|e| panic!("{}: {e}", case.seed.name()));
        assert_eq!(report.matched.len(), 1);
        assert!(report.unused.is_empty());
    }
}

#[test]
fn other_spellings_of_the_same_types_match() {
    let m = shell("multi_buffer.toml").manifest;
    let src = r#"
        #include <metal_stdlib>
        using namespace metal;
        // A helper the checker must skip.
        template <typename T> inline T twice(T x) { return x + x; }
        struct Unused { float a; };
        typedef uint index_t;
        [[visible]]
        void compute_tile(threadgroup const float *A,   /* const pointee is fine */
                          threadgroup float* const B,
                          device metal::float *C,
                          index_t tid,
                          uint32_t)
        {
            C[tid] = twice(A[0]) * B[0];
        }
        [[visible]] float unused_helper(float x) { return x; }
        kernel void not_a_visible(device float* x [[buffer(0)]]) {}
    "#;
    let report = check_signatures(&m, src).unwrap();
    assert_eq!(report.unused, ["unused_helper"]);
    // Signedness does not exist in IR: int matches uint.
    let signed = "[[visible]] void compute_tile(threadgroup float* A, threadgroup float* B, device float* C, int tid, int lane) {}";
    check_signatures(&m, signed).unwrap();
}

#[test]
fn a_missing_function_names_what_is_there() {
    let m = shell("simple.toml").manifest;
    let p = problems(&m, "[[visible]] float other(float v) { return v; }");
    let text = p[0].to_string();
    assert_eq!(p[0].function(), "transform_value");
    assert!(
        text.contains("visible function `transform_value` is missing"),
        "{text}"
    );
    assert!(
        text.contains("[[visible]] float transform_value(float v);"),
        "{text}"
    );
    assert!(text.contains("IR float (float)"), "{text}");
    assert!(
        text.contains("the source's [[visible]] functions: other"),
        "{text}"
    );

    let p = problems(&m, "\nfloat transform_value(float v) { return v; }");
    let text = p[0].to_string();
    assert!(
        text.contains("declared at 2:7 but not marked `[[visible]]`"),
        "{text}"
    );
    assert!(
        text.contains("the source has no [[visible]] functions"),
        "{text}"
    );
}

#[test]
fn mismatches_name_the_function_and_both_signatures() {
    let m = shell("copy_2d.toml").manifest;
    let src = "#include <metal_stdlib>\n[[visible]] void process_tile(device float* tg, ushort lane) {}\n";
    let p = problems(&m, src);
    assert_eq!(p.len(), 1);
    let text = p[0].to_string();
    assert_eq!(
        text,
        "visible function `process_tile` (MSL 2:18) does not match the shell's declaration\n\
         \x20 the shell expects: [[visible]] void process_tile(threadgroup float* tg, uint simd_lane);\n\
         \x20                    IR void (float addrspace(3)*, i32)\n\
         \x20 the source has:    [[visible]] void process_tile(device float* tg, ushort lane);\n\
         \x20                    IR void (float addrspace(1)*, i16)\n\
         \x20 - parameter 0 (`tg`): MSL `device float*` lowers to `float addrspace(1)*`, the shell passes `float addrspace(3)*`\n\
         \x20 - parameter 1 (`lane`): MSL `ushort` lowers to `i16`, the shell passes `i32`"
    );

    // Wrong return type and parameter count.
    let m = shell("simple.toml").manifest;
    let p = problems(&m, "[[visible]] void transform_value(float v, float w) {}");
    let text = p[0].to_string();
    assert!(
        text.contains("return type: MSL `void` lowers to `void`, the shell expects `float`"),
        "{text}"
    );
    assert!(
        text.contains("parameter count: the source has 2, the shell passes 1"),
        "{text}"
    );

    // A pointee mismatch docs/air-conventions.md#type-mapping calls uncertain is rejected.
    let m = shell("multi_buffer.toml").manifest;
    let p = problems(&m, "[[visible]] void compute_tile(threadgroup uchar* A, threadgroup float* B, device float* C, uint tid, uint lane) {}");
    assert!(p[0].to_string().contains("MSL `threadgroup uchar*` lowers to `i8 addrspace(3)*`, the shell passes `float addrspace(3)*`"));
}

#[test]
fn unknown_and_inconsistent_declarations_are_reported() {
    let m = shell("simple.toml").manifest;
    let p = problems(&m, "[[visible]] real transform_value(real v) { return v; }");
    let text = p[0].to_string();
    assert!(text.contains("cannot be checked"), "{text}");
    assert!(text.contains("`real`"), "{text}");

    let src = "[[visible]] float transform_value(float v);\n[[visible]] float transform_value(half v) { return v; }\n";
    let p = problems(&m, src);
    assert!(
        p.iter()
            .any(|p| matches!(p, SignatureProblem::Inconsistent { .. })),
        "{p:?}"
    );
    let text = p
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("declared twice with different types"),
        "{text}"
    );
    assert!(
        text.contains("MSL 1:19: [[visible]] float transform_value(float v);"),
        "{text}"
    );

    let err = check_signatures(&m, "[[visible]] float transform_value(float v) {").unwrap_err();
    assert!(matches!(err, SignatureError::Syntax(_)));
    assert!(
        err.to_string()
            .starts_with("cannot read the [[visible]] prototypes: MSL 1:"),
        "{err}"
    );
}

#[test]
fn the_type_table_of_air_md_3_3() {
    let cases = [
        ("float", "float"),
        ("uint", "i32"),
        ("int", "i32"),
        ("half", "half"),
        ("ushort", "i16"),
        ("bool", "i1"),
        ("uint2", "<2 x i32>"),
        ("float4", "<4 x float>"),
        ("threadgroup float*", "float addrspace(3)*"),
        ("device float*", "float addrspace(1)*"),
        ("threadgroup uchar*", "i8 addrspace(3)*"),
        ("device uchar*", "i8 addrspace(1)*"),
        ("constant float*", "float addrspace(2)*"),
        ("thread float*", "float*"),
        ("constant uint&", "i32 addrspace(2)*"),
    ];
    for (msl, ir) in cases {
        let src = format!("[[visible]] void f({msl} x);");
        let parsed = air_metal::msl::parse(&src).unwrap();
        assert_eq!(
            parsed.visible[0].ir_type().unwrap(),
            format!("void ({ir})"),
            "{msl}"
        );
    }
}

#[test]
fn signature_errors_convert_to_the_check_step() {
    let m = shell("simple.toml").manifest;
    let e: air_metal::Error = check_signatures(&m, "").unwrap_err().into();
    assert_eq!(e.step(), air_metal::Step::CheckSignatures);
    assert!(e
        .to_string()
        .starts_with("check the [[visible]] signatures against the manifest: visible function `transform_value` is missing"));
}
