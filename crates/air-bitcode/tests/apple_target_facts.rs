//! Opt-in: `AIRLINK_APPLE_FIXTURES=DIR` names a folder (searched
//! recursively) of Apple-built `.metallib` files, never committed. Every
//! module in them is read and checked against the AIR facts of
//! `air-target`, the independent oracle for that table:
//!
//! * its datalayout is exactly [`air_target::AIR_DATALAYOUT`];
//! * every kernel parameter whose `!air.kernel` node names a system value
//!   of [`air_target::SystemValue`] has an IR type the table allows for it,
//!   and the `air.arg_type_name` that goes with that type.

use std::collections::BTreeMap;

use air_bitcode::read_module;
use air_ir::constant::{ConstExpr, ConstKind};
use air_ir::{MetaId, Metadata, Module, TypeId, Value};
use air_target::{SystemValue, SystemValueScalar, AIR_DATALAYOUT};
use metallib::MetallibFile;

fn node(m: &Module, id: Option<MetaId>) -> Option<&[Option<MetaId>]> {
    match m.metadata.get(id?.0 as usize)? {
        Metadata::Node { operands, .. } => Some(operands),
        _ => None,
    }
}

fn string(m: &Module, id: Option<MetaId>) -> Option<String> {
    match m.metadata.get(id?.0 as usize)? {
        Metadata::String(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

fn int(m: &Module, id: Option<MetaId>) -> Option<u64> {
    match m.metadata.get(id?.0 as usize)? {
        Metadata::Value {
            value: Value::Const(c),
            ..
        } => match &m.consts.try_get(*c)?.kind {
            ConstKind::Int(v) => v.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

/// The parameter types of the function a metadata value names (through
/// constant casts).
fn params(m: &Module, id: Option<MetaId>) -> Option<Vec<TypeId>> {
    let Metadata::Value {
        value: Value::Const(mut c),
        ..
    } = m.metadata.get(id?.0 as usize)?
    else {
        return None;
    };
    for _ in 0..8 {
        match &m.consts.try_get(c)?.kind {
            ConstKind::Function(f) => {
                let ty = m.function(*f).ty;
                return m.types.function_parts(ty).map(|(_, p, _)| p.to_vec());
            }
            ConstKind::Expr(ConstExpr::Cast { value, .. }) => c = *value,
            _ => return None,
        }
    }
    None
}

#[test]
fn apple_modules_agree_with_the_air_facts() {
    let Some(files) = airlink_test_support::apple_fixture_libraries() else {
        return;
    };
    let mut modules = 0;
    let mut checked: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut unreadable = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        // The modules of the file: by the container's function list, or,
        // for containers the parser does not read (older layouts), at each
        // bitcode wrapper magic in the bytes.
        let found: Vec<(String, &[u8])> = match MetallibFile::parse(&bytes) {
            Ok(file) => file
                .functions()
                .iter()
                .map(|f| (format!("{} / {}", path.display(), f.name), f.module))
                .collect(),
            Err(_) => bytes
                .windows(4)
                .enumerate()
                .filter(|(_, w)| *w == [0xDE, 0xC0, 0x17, 0x0B])
                .map(|(at, _)| (format!("{} @ {at:#x}", path.display()), &bytes[at..]))
                .collect(),
        };
        if found.is_empty() {
            unreadable.push(format!("{}: no module found", path.display()));
        }
        for (label, module) in found {
            // What the reader cannot read yet (debug info) is the business
            // of the reader's tests; it is listed here.
            let m = match read_module(module) {
                Ok(m) => m,
                Err(e) => {
                    unreadable.push(format!("{label}: {e}"));
                    continue;
                }
            };
            modules += 1;
            if m.datalayout.as_deref() != Some(AIR_DATALAYOUT) {
                failures.push(format!("{label}: datalayout {:?}", m.datalayout));
            }
            let Some(kernels) = m.named("air.kernel") else {
                continue;
            };
            for k in &kernels.operands {
                let Some(ops) = node(&m, Some(*k)) else {
                    continue;
                };
                let Some(params) = params(&m, ops.first().copied().flatten()) else {
                    failures.push(format!("{label}: a kernel node names no function"));
                    continue;
                };
                let args = node(&m, ops.get(2).copied().flatten()).unwrap_or_default();
                for arg in args {
                    let Some(fields) = node(&m, *arg) else {
                        continue;
                    };
                    let strings: Vec<Option<String>> =
                        fields.iter().map(|o| string(&m, *o)).collect();
                    let Some(value) = strings
                        .get(1)
                        .cloned()
                        .flatten()
                        .and_then(|k| SystemValue::from_metadata_name(&k))
                    else {
                        continue;
                    };
                    let index = int(&m, fields.first().copied().flatten());
                    let Some(&ty) = index.and_then(|i| params.get(i as usize)) else {
                        failures.push(format!("{label}: {} names no parameter", value.name()));
                        continue;
                    };
                    let (lanes, elem) = m.types.vector_parts(ty).unwrap_or((1, ty));
                    let bits = m.types.int_width(elem).unwrap_or(0);
                    let type_name = strings
                        .iter()
                        .position(|s| s.as_deref() == Some("air.arg_type_name"))
                        .and_then(|i| strings.get(i + 1).cloned().flatten());
                    let want_name =
                        SystemValueScalar::from_bits(bits).map(|s| s.msl_type_name(lanes));
                    if !value.allows_ir_type(lanes, bits) || type_name != want_name {
                        failures.push(format!(
                            "{label}: {} is {lanes} x i{bits} named {type_name:?}",
                            value.metadata_name()
                        ));
                    }
                    *checked.entry(value.name()).or_default() += 1;
                }
            }
        }
    }
    println!("{modules} modules; system-value parameters checked, by value: {checked:?}");
    if !unreadable.is_empty() {
        println!(
            "{} files or modules that cannot be read, not checked:\n  {}",
            unreadable.len(),
            unreadable.join("\n  ")
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(modules > 0);
    assert!(
        !checked.is_empty(),
        "no system-value parameter in the fixtures"
    );
}
