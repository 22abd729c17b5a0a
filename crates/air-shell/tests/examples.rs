//! Every example spec in every body mode, with and without the cooperative
//! fallback: the module verifies, LLVM 14 accepts it, and the outputs match
//! the golden files under `tests/golden/` (regenerate them with
//! `AIRLINK_BLESS=1 cargo test -p air-shell --test examples`).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use air_shell::{BodyMode, Fallback, Options};

const EXAMPLES: [&str; 3] = ["simple", "multi_buffer", "copy_2d"];

fn body_name(b: BodyMode) -> &'static str {
    b.name()
}

/// Every output the goldens cover, by file name.
fn outputs() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ex in EXAMPLES {
        for body in [BodyMode::Visible, BodyMode::Inline] {
            for fallback in [Fallback::None, Fallback::Cooperative] {
                let options = Options {
                    body: Some(body),
                    fallback: Some(fallback),
                    copy_form: None,
                };
                let shell = common::generate(&format!("{ex}.toml"), &options);
                let stem = format!("{ex}.{}.{}", body_name(body), fallback.name());
                out.insert(format!("{stem}.ll"), shell.ll_text());
                // The prototypes and the manifest do not depend on the
                // fallback; keep one copy per body mode.
                if fallback == Fallback::None {
                    let stem = format!("{ex}.{}", body_name(body));
                    out.insert(format!("{stem}.metal"), shell.msl_prototypes.clone());
                    out.insert(format!("{stem}.json"), shell.manifest.to_json());
                }
            }
        }
    }
    // The other two bodies of the multi-buffer shell.
    for variant in ["fma", "sqrt"] {
        let shell = with_body("multi_buffer.toml", &format!("multi_buffer_{variant}.ll"));
        out.insert(
            format!("multi_buffer_{variant}.inline.none.ll"),
            shell.ll_text(),
        );
    }
    out
}

/// The example with its one function's inline body replaced.
fn with_body(spec: &str, body: &str) -> air_shell::Shell {
    let path = common::specs_dir().join(spec);
    let mut spec = air_shell::Spec::from_file(&path).unwrap();
    spec.functions[0].inline = Some(body.into());
    let options = Options {
        body: Some(BodyMode::Inline),
        ..Options::default()
    };
    air_shell::generate(&spec, &options).unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[test]
fn every_example_verifies_and_llvm_as_accepts_it() {
    for (name, text) in outputs() {
        if let Some(stem) = name.strip_suffix(".ll") {
            // `generate` already ran the verifier; parse the text back too,
            // so the printed form is what was verified.
            let module = air_ir::parse(&text, &name).unwrap_or_else(|e| panic!("{e}"));
            air_ir::verify(&module).unwrap_or_else(|e| panic!("{name}: {e}"));
            common::assert_llvm_as_accepts(&text, stem);
        }
    }
}

#[test]
fn goldens_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let bless = std::env::var_os("AIRLINK_BLESS").is_some();
    let outputs = outputs();
    if bless {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut problems = Vec::new();
    for (name, text) in &outputs {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == *text => {}
            Ok(_) => problems.push(format!("{name} differs")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
    }
    // Files no test produces any more are stale too.
    let entries = std::fs::read_dir(&dir)
        .map(|d| d.flatten().collect::<Vec<_>>())
        .unwrap_or_default();
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !outputs.contains_key(&name) {
            if bless {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                problems.push(format!("{name} is not produced by any example"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "golden files under {} are stale:\n  {}\nregenerate them with AIRLINK_BLESS=1 cargo test -p air-shell --test examples, and review the diff",
        dir.display(),
        problems.join("\n  ")
    );
}

#[test]
fn the_builder_api_makes_the_same_shell_as_the_toml() {
    use air_shell::{Access, Call, Copy, ElemType, Function, Spec, Step, SystemValueKind};
    // simple.toml is a schema-1 spec; the builder starts at the newest.
    let mut spec = Spec::new("reverse_kernel", "macos26")
        .schema(1)
        .module_name("reverse_kernel")
        .threadgroup_size([32, 1, 1])
        .buffer("src", ElemType::Float, Access::Read, 0)
        .buffer("dst", ElemType::Float, Access::Write, 1)
        .system_value("tid", SystemValueKind::ThreadPositionInGrid)
        .system_value("simd_lane", SystemValueKind::ThreadIndexInSimdgroup)
        .threadgroup_name("tg_buf")
        .threadgroup_bytes(512)
        .region("tile", ElemType::Float, 32)
        .function(
            Function::new("transform_value")
                .params(["v"])
                .inline("simple_transform.ll"),
        )
        .base_dir(common::specs_dir())
        .step(Step::copy(
            Copy::new("src", "tile", [32, 1]).src_offset("tid / 32 * 32"),
        ))
        .step(Step::wait())
        .step(Step::barrier())
        .step(Step::call(
            Call::new("transform_value")
                .arg("tile[simd_lane]")
                .returns(ElemType::Float)
                .store("dst[tid]"),
        ));
    spec.source_name = "simple.toml".to_string();
    for body in [BodyMode::Visible, BodyMode::Inline] {
        let options = Options {
            body: Some(body),
            ..Options::default()
        };
        let built = air_shell::generate(&spec, &options).unwrap();
        let read = common::generate("simple.toml", &options);
        assert_eq!(built.ll_text(), read.ll_text());
        assert_eq!(built.manifest, read.manifest);
        assert_eq!(built.msl_prototypes, read.msl_prototypes);
    }
}

#[test]
fn manifest_round_trips_and_rejects_other_schemas() {
    let shell = common::generate("multi_buffer.toml", &Options::default());
    let json = shell.manifest.to_json();
    assert_eq!(
        air_shell::Manifest::from_json(&json).unwrap(),
        shell.manifest
    );
    let bumped = json.replace("\"schema\": 1", "\"schema\": 2");
    assert!(air_shell::Manifest::from_json(&bumped)
        .unwrap_err()
        .contains("schema 2"));
}

#[test]
fn multi_simdgroup_threadgroups_gate_copies_on_simdgroup_zero() {
    let path = common::specs_dir().join("copy_2d.toml");
    let mut spec = air_shell::Spec::from_file(&path).unwrap();
    spec.threadgroup_size = [128, 1, 1];
    let shell = air_shell::generate(&spec, &Options::default()).unwrap();
    let text = shell.ll_text();
    common::assert_llvm_as_accepts(&text, "copy_2d_128");
    // An implicit simdgroup-index parameter, a gate per copy group, and a
    // barrier after the gated wait (none after the last one: the kernel ends).
    assert!(
        text.contains("!\"air.simdgroup_index_in_threadgroup\""),
        "{text}"
    );
    assert!(text.contains("%is_sg0 = icmp eq i32 %sidx, 0"), "{text}");
    assert_eq!(text.matches("br i1 %is_sg0").count(), 2, "{text}");
    let kernel = &text[text.find("define void @copy_2d").unwrap()..];
    let kernel = &kernel[..kernel.find("\n}\n").unwrap()];
    let last_wait = kernel.rfind("@air.wait_simdgroup_events").unwrap();
    assert!(!kernel[last_wait..].contains("@air.wg.barrier"), "{kernel}");
    let first_gate_end = kernel.find("sg0.done:").unwrap();
    let after = &kernel[first_gate_end..];
    assert!(
        after
            .lines()
            .nth(1)
            .unwrap()
            .contains("@air.wg.barrier(i32 2, i32 1)"),
        "{kernel}"
    );
}

#[test]
fn overlapping_copies_share_one_wait() {
    let toml = std::fs::read_to_string(common::specs_dir().join("multi_buffer.toml")).unwrap();
    // Drop the first wait: both copies are then in flight together.
    let first_wait = toml.find("[[step]]\nkind = \"wait\"\n").unwrap();
    let toml = format!(
        "{}{}",
        &toml[..first_wait],
        &toml[first_wait + "[[step]]\nkind = \"wait\"\n".len()..]
    );
    let spec =
        air_shell::Spec::from_toml(&toml, "overlap.toml", Some(&common::specs_dir())).unwrap();
    let shell = air_shell::generate(&spec, &Options::default()).unwrap();
    let text = shell.ll_text();
    common::assert_llvm_as_accepts(&text, "overlap");
    assert!(
        text.contains("%event = alloca [2 x %event_t addrspace(3)*], align 8"),
        "{text}"
    );
    assert!(
        text.contains("call void @llvm.lifetime.start.p0i8(i64 16,"),
        "{text}"
    );
    assert!(
        text.contains("call void @air.wait_simdgroup_events(i32 2,"),
        "{text}"
    );
}

/// Paths the examples do not take: scalars in expressions and calls, mixed
/// region types (a byte-array global), a padded destination tile with edge
/// fill, a signed scalar, a ushort system value, and a multi-simdgroup
/// cooperative copy; in both copy mechanisms.
#[test]
fn less_common_features_verify_and_assemble() {
    let toml = r#"
schema = 1
kernel = "odd"
target = "macos15"
threadgroup_size = [16, 4, 1]

[constants]
W = 6

[[buffer]]
name = "m"
element = "half"
access = "read_write"
index = 0

[[buffer]]
name = "out"
element = "int"
access = "write"
index = 1

[[scalar]]
name = "row"
type = "uint"
index = 2

[[scalar]]
name = "bias"
type = "int"
index = 3

[[system_value]]
name = "tg"
value = "threadgroup_position_in_grid"

[[system_value]]
name = "lane"
value = "thread_index_in_simdgroup"
type = "ushort"

[threadgroup]
[[threadgroup.region]]
name = "h"
element = "half"
count = 64

[[threadgroup.region]]
name = "i"
element = "int"
count = 4

[[step]]
kind = "copy"
from = "m"
to = "h"
tile = [W, 3]
dst_tile = [8, 8]
fill = "edge"
src_pitch = 32
src_offset = "(row + tg) * 32 - -bias % 7"

[[step]]
kind = "wait"

[[step]]
kind = "barrier"

[[step]]
kind = "call"
function = "g"
args = ["h", "i", "m", "h[lane]", "row", "bias", "lane", "tg * 2 + W"]
returns = "int"
store = "out[tg]"

[[step]]
kind = "barrier"

[[step]]
kind = "copy"
from = "h"
to = "m"
tile = [8, 2]
dst_pitch = 32
src_offset = 16

[[step]]
kind = "wait"
"#
    .replace("tile = [W, 3]", "tile = [6, 3]");
    let spec = air_shell::Spec::from_toml(&toml, "odd.toml", None).unwrap();
    for fallback in [Fallback::None, Fallback::Cooperative] {
        let options = Options {
            fallback: Some(fallback),
            ..Options::default()
        };
        let shell = air_shell::generate(&spec, &options).unwrap_or_else(|e| panic!("{e}"));
        let text = shell.ll_text();
        common::assert_llvm_as_accepts(&text, &format!("odd_{}", fallback.name()));
        assert!(
            text.contains("@tg_buf = internal addrspace(3) global [144 x i8] undef, align 4"),
            "{text}"
        );
        assert!(shell.msl_prototypes.contains(
            "[[visible]] int g(threadgroup half* h, threadgroup int* i, device half* m, half arg3, uint row, int bias, ushort lane, uint arg7);"
        ), "{}", shell.msl_prototypes);
        assert_eq!(shell.manifest.scalars.len(), 2);
        if fallback == Fallback::None {
            // Edge fill is clamp mode 1; 64 threads gate on simdgroup 0.
            assert!(text.contains("<2 x i64> <i64 8, i64 8>, i8 addrspace(1)* %m.i8, i64 32, i64 1, <2 x i64> <i64 6, i64 3>, <2 x i64> zeroinitializer, i32 1)"), "{text}");
            assert!(text.contains("br i1 %is_sg0"), "{text}");
        } else {
            assert!(text.contains("%coop.i = phi i64"), "{text}");
            assert!(!text.contains("async_copy"), "{text}");
        }
    }
}

/// Every shell carries what Apple's compiler writes into every module
/// (docs/air-conventions.md#module-flags): the `SDK Version` flag of its
/// target first, the seven AIR flags, and the three compile options. The
/// expected lines are typed by hand from that section; llvm-as-14 must
/// accept each module, and `airlink assemble` must find nothing missing.
#[test]
fn shells_carry_the_sdk_version_flags_and_compile_options_of_their_target() {
    let flags_after_sdk = [
        r#"!{i32 1, !"wchar_size", i32 4}"#,
        r#"!{i32 7, !"air.max_device_buffers", i32 31}"#,
        r#"!{i32 7, !"air.max_constant_buffers", i32 31}"#,
        r#"!{i32 7, !"air.max_threadgroup_buffers", i32 31}"#,
        r#"!{i32 7, !"air.max_textures", i32 128}"#,
        r#"!{i32 7, !"air.max_read_write_textures", i32 8}"#,
        r#"!{i32 7, !"air.max_samplers", i32 16}"#,
    ];
    let options = [
        r#"!{!"air.compile.denorms_disable"}"#,
        r#"!{!"air.compile.fast_math_enable"}"#,
        r#"!{!"air.compile.framebuffer_fetch_enable"}"#,
    ];
    for (target, sdk) in [
        ("macos14", "[i32 14, i32 0]"),
        ("macos15", "[i32 15, i32 0]"),
        ("macos26", "[i32 26, i32 0]"),
        ("ios17", "[i32 17, i32 0]"),
        ("ios18", "[i32 18, i32 0]"),
        ("ios26", "[i32 26, i32 0]"),
    ] {
        let mut spec =
            air_shell::Spec::from_file(&common::specs_dir().join("simple.toml")).unwrap();
        spec.target = target.to_string();
        let shell = air_shell::generate(&spec, &Options::default())
            .unwrap_or_else(|e| panic!("{target}: {e}"));
        let text = shell.ll_text();
        // `!N = !{...}` lines by number, and the numbers a list names.
        let node = |n: &str| {
            let prefix = format!("{n} = ");
            text.lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("{target}: no {n}"))
                .to_string()
        };
        let list = |name: &str| -> Vec<String> {
            let prefix = format!("!{name} = !{{");
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix(prefix.as_str()))
                .unwrap_or_else(|| panic!("{target}: no !{name}"));
            line.trim_end_matches('}').split(", ").map(node).collect()
        };
        let mut want = vec![format!(r#"!{{i32 2, !"SDK Version", [2 x i32] {sdk}}}"#)];
        want.extend(flags_after_sdk.iter().map(|s| s.to_string()));
        assert_eq!(list("llvm.module.flags"), want, "{target}");
        assert_eq!(list("air.compile_options"), options, "{target}");
        assert!(
            air_assemble::missing_compiler_metadata(&shell.module).is_empty(),
            "{target}"
        );
        common::assert_llvm_as_accepts(&text, target);
    }
}
