//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder (searched
//! recursively) of Apple-built `.metallib` files, never committed. They are
//! the independent oracle for two choices (docs/air-conventions.md#module-flags):
//!
//! * `missing_compiler_metadata`, behind `airlink assemble`'s warning: a
//!   kernel module Apple's compiler made from MSL for macOS 11 or later
//!   lacks nothing, so the warning never fires on what a current Apple
//!   compiler writes (the old macOS 10.14 library of the fixtures predates
//!   the `air.max_*` flags and is only listed);
//! * air-target's `sdk_version`: every such module carries
//!   `!{i32 2, !"SDK Version", [2 x i32] [i32 MAJOR, i32 MINOR]}`, and for
//!   the targets airlink knows (macOS 14 and later) MAJOR is the triple's
//!   OS major, the number air-target writes for it.
//!
//! Modules made from hand-written IR (the seed's and MFA's shells: a
//! `.metallib` with its `.ll` next to it) are listed with what they lack,
//! not checked.

use std::path::Path;

use air_ir::{ConstKind, Metadata, Module, Value};

/// The modules of a file: by the container's function list, or, for
/// containers the parser does not read, at each bitcode wrapper magic.
fn modules(path: &Path, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    match metallib::MetallibFile::parse(bytes) {
        Ok(file) => file
            .functions()
            .iter()
            .map(|f| {
                (
                    format!("{} / {}", path.display(), f.name),
                    f.module.to_vec(),
                )
            })
            .collect(),
        Err(_) => bytes
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == [0xDE, 0xC0, 0x17, 0x0B])
            .map(|(at, _)| {
                (
                    format!("{} @ {at:#x}", path.display()),
                    bytes[at..].to_vec(),
                )
            })
            .collect(),
    }
}

fn strings(m: &Module, name: &str) -> Vec<String> {
    let Some(list) = m.named(name) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for id in &list.operands {
        if let Some(Metadata::Node { operands, .. }) = m.metadata.get(id.0 as usize) {
            for op in operands.iter().flatten() {
                if let Some(Metadata::String(s)) = m.metadata.get(op.0 as usize) {
                    out.push(String::from_utf8_lossy(s).into_owned());
                }
            }
        }
    }
    out
}

/// `(behaviour, [major, minor])` of the `SDK Version` flag.
fn sdk_version(m: &Module) -> Option<(u64, Vec<u64>)> {
    let int = |c: air_ir::ConstId| match &m.consts.get(c).kind {
        ConstKind::Int(v) => Some(v.low_u64()),
        _ => None,
    };
    let meta = |id: Option<air_ir::MetaId>| m.metadata.get(id?.0 as usize);
    for id in &m.named("llvm.module.flags")?.operands {
        let Some(Metadata::Node { operands, .. }) = meta(Some(*id)) else {
            continue;
        };
        let named_sdk = matches!(
            meta(operands.get(1).copied().flatten()),
            Some(Metadata::String(s)) if s == air_target::SDK_VERSION_FLAG.as_bytes()
        );
        if !named_sdk {
            continue;
        }
        let behaviour = match meta(operands.first().copied().flatten())? {
            Metadata::Value {
                value: Value::Const(c),
                ..
            } => int(*c)?,
            _ => return None,
        };
        let version = match meta(operands.get(2).copied().flatten())? {
            Metadata::Value {
                value: Value::Const(c),
                ..
            } => match &m.consts.get(*c).kind {
                ConstKind::Array(items) => items.iter().map(|i| int(*i)).collect::<Option<_>>()?,
                _ => return None,
            },
            _ => return None,
        };
        return Some((behaviour, version));
    }
    None
}

#[test]
fn apple_compiled_kernels_lack_nothing_the_warning_asks_for() {
    let Some(files) = airlink_test_support::apple_fixture_libraries() else {
        return;
    };
    let (mut apple, mut with_known_target, mut not_checked) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let from_ir = path.with_extension("ll").is_file();
        for (label, module) in modules(path, &bytes) {
            let Ok(m) = air_bitcode::read_module(&module) else {
                continue;
            };
            let has_kernel = m
                .named("air.kernel")
                .is_some_and(|k| !k.operands.is_empty());
            if !has_kernel {
                continue;
            }
            let missing = air_assemble::missing_compiler_metadata(&m);
            let os_major = m
                .triple
                .as_deref()
                .and_then(air_target::parse_triple)
                .map(|p| p.os_major);
            if from_ir || os_major.is_none_or(|os| os < 11) {
                let ident = strings(&m, "llvm.ident").join(" ");
                not_checked.push(format!("{label} ({ident}): lacks {missing:?}"));
                continue;
            }
            apple += 1;
            if !missing.is_empty() {
                failures.push(format!("{label}: lacks {missing:?}"));
            }
            match (sdk_version(&m), os_major) {
                (Some((2, version)), Some(os)) if version.len() == 2 => {
                    if os >= 14 {
                        with_known_target += 1;
                        if version[0] != u64::from(os) {
                            failures.push(format!("{label}: SDK {version:?} for macOS {os}"));
                        }
                    }
                }
                other => failures.push(format!("{label}: SDK Version flag {other:?}")),
            }
        }
    }
    println!(
        "{apple} kernel modules compiled from MSL for macOS 11 or later, {with_known_target} of \
         them for macOS 14 or later; not checked (hand-written IR, or older):\n  {}",
        not_checked.join("\n  ")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(apple > 0, "no MSL-compiled kernel module in the fixtures");
    assert!(with_known_target > 0, "no module for macOS 14 or later");
}
