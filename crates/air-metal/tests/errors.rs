//! Error formatting: Metal compile logs, steps, bindings.

use air_metal::{
    plan_bindings, Arg, Binding, BufferInfo, CompileLog, ConstantValue, Error, FunctionConstants,
    Severity, Step,
};

/// Text in the shape `newLibraryWithSource:` returns for a failed compile
/// (a multi-diagnostic log with source lines and carets).
const METAL_LOG: &str = "Compilation failed: \n\
\n\
program_source:4:22: error: cannot initialize a parameter of type 'float' with an lvalue of type 'device float *'\n\
    return transform(src);\n\
                     ^~~\n\
program_source:2:7: note: passing argument to parameter 'v' here\n\
float transform(float v);\n\
      ^\n\
program_source:9:5: warning: unused variable 'k' [-Wunused-variable]\n\
    int k = 0;\n\
        ^\n";

#[test]
fn metal_compile_logs_become_line_column_diagnostics() {
    let log = CompileLog::parse(METAL_LOG, 0);
    let d: Vec<_> = log
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.line, d.column))
        .collect();
    assert_eq!(
        d,
        [
            (Severity::Error, 4, 22),
            (Severity::Note, 2, 7),
            (Severity::Warning, 9, 5)
        ]
    );
    assert_eq!(log.errors().count(), 1);
    assert_eq!(log.diagnostics[0].context.len(), 2);
    assert_eq!(
        log.diagnostics[2].message,
        "unused variable 'k' [-Wunused-variable]"
    );
    let e = Error::Compile { log };
    assert_eq!(e.step(), Step::CompileMsl);
    assert!(e
        .to_string()
        .starts_with("compile the MSL source: MSL 4:22: error: cannot initialize"));
}

#[test]
fn a_prepended_header_is_subtracted_and_rendered_against_the_users_source() {
    let user = "[[visible]] float f(float v) {\n    return v * q;\n}\n";
    // The runtime put 3 header lines in front.
    let log = CompileLog::parse(
        "program_source:5:16: error: use of undeclared identifier 'q'\n",
        3,
    );
    assert_eq!(
        log.render(user, "f.metal"),
        "f.metal:2:16: error: use of undeclared identifier 'q'\n2 |     return v * q;\n  |                ^\n"
    );
    // A diagnostic inside the header gets line 0 and no snippet.
    let log = CompileLog::parse("program_source:2:1: error: in header\n", 3);
    assert_eq!(log.diagnostics[0].line, 0);
    assert_eq!(
        log.render(user, "f.metal"),
        "f.metal:0:1: error: in header\n"
    );
}

#[test]
fn every_step_has_a_description() {
    let steps = [
        Step::Device,
        Step::BuildShell,
        Step::LoadShell,
        Step::ShellFunction,
        Step::CheckSignatures,
        Step::CompileMsl,
        Step::VisibleFunction,
        Step::FunctionConstants,
        Step::CreatePipeline,
        Step::BinaryArchive,
        Step::CreateBuffer,
        Step::Bind,
        Step::Encode,
        Step::Execute,
        Step::ReadBack,
        Step::Probe,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for s in steps {
        assert!(seen.insert(s.describe()), "{s:?}");
        let e = Error::metal(s, "x");
        assert_eq!(e.step(), s);
        assert_eq!(e.to_string(), format!("{}: x", s.describe()));
    }
}

#[derive(Debug)]
struct Fake(&'static [&'static str], usize);

impl BufferInfo for Fake {
    fn element_names(&self) -> &'static [&'static str] {
        self.0
    }
    fn byte_len(&self) -> usize {
        self.1
    }
}

fn manifest_with_scalar() -> air_shell::Manifest {
    let spec = air_shell::Spec::new("scale", "macos26")
        .buffer(
            "data",
            air_shell::ElemType::Float,
            air_shell::Access::ReadWrite,
            0,
        )
        .scalar("factor", air_shell::ElemType::Float, 1)
        .scalar("n", air_shell::ElemType::UInt, 2)
        .system_value("tid", air_shell::SystemValueKind::ThreadPositionInGrid)
        .step(air_shell::Step::call(
            air_shell::Call::new("scale_one")
                .arg("data[tid]")
                .arg("factor")
                .arg("n")
                .returns(air_shell::ElemType::Float)
                .store("data[tid]"),
        ));
    air_shell::generate(&spec, &air_shell::Options::default())
        .unwrap()
        .manifest
}

#[test]
fn bindings_follow_the_manifest() {
    let m = manifest_with_scalar();
    let data = Fake(<f32 as air_metal::Element>::MSL, 128);
    let b = plan_bindings(
        &m,
        &[
            ("n", Arg::Scalar(ConstantValue::UInt(32))),
            ("data", Arg::Buffer(&data)),
            ("factor", Arg::Scalar(ConstantValue::Float(2.0))),
        ],
    )
    .unwrap();
    let summary: Vec<String> = b
        .iter()
        .map(|b| match b {
            Binding::Buffer { index, name, .. } => format!("buffer {name}@{index}"),
            Binding::Bytes { index, name, bytes } => format!("bytes {name}@{index} {bytes:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            "buffer data@0",
            "bytes factor@1 [0, 0, 0, 64]",
            "bytes n@2 [32, 0, 0, 0]"
        ]
    );
    // The scalar is typed in the visible prototype too.
    assert!(m.visible[0]
        .msl_prototype
        .contains("float scale_one(float data, float factor, uint n)"));
}

#[test]
fn binding_errors_list_every_problem() {
    let m = manifest_with_scalar();
    let ints = Fake(<u32 as air_metal::Element>::MSL, 128);
    let e = plan_bindings(
        &m,
        &[
            ("data", Arg::Buffer(&ints)),
            ("factor", Arg::Scalar(ConstantValue::UInt(2))),
            ("extra", Arg::Scalar(ConstantValue::UInt(2))),
        ],
    )
    .unwrap_err();
    assert_eq!(e.step(), Step::Bind);
    let text = e.to_string();
    for part in [
        "bind arguments to the manifest: ",
        "`extra` is not an argument of kernel `scale` (it takes: data, factor, n)",
        "buffer `data` holds float, but the buffer given holds uint",
        "scalar `factor` is float, but a uint value is given",
        "scalar `n` ([[buffer(2)]], uint) is not given",
    ] {
        assert!(text.contains(part), "{part}\n{text}");
    }
    // half data may be bound from u16 bits.
    assert!(<u16 as air_metal::Element>::MSL.contains(&"half"));
}

#[test]
fn function_constants_are_checked_against_declarations() {
    let src = air_metal::msl::parse(
        "constant uint M [[function_constant(0)]];\nconstant bool LOAD_C [[function_constant(10)]];\n",
    )
    .unwrap();
    FunctionConstants::new()
        .with(0, ConstantValue::UInt(64))
        .with(10, ConstantValue::Bool(true))
        .check(&src)
        .unwrap();
    let err = FunctionConstants::new()
        .with(0, ConstantValue::Float(1.0))
        .with(3, ConstantValue::UInt(1))
        .check(&src)
        .unwrap_err();
    assert!(
        err.contains("constant 0 `M` (MSL 1:15) is declared `uint`, the value given is float"),
        "{err}"
    );
    assert!(err.contains("constant 3 (uint value) is not declared: the source has uint `M` at index 0, bool `LOAD_C` at index 10"), "{err}");
}
