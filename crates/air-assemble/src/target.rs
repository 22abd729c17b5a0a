//! Checking a module against a target, and retargeting it.

use air_ir::constant::{ApInt, ConstKind};
use air_ir::{Metadata, Module, NamedMetadata, Value};
use air_target::Target;

use metallib::raw::Versions;

/// A module whose triple does not belong to the chosen target.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the module's triple {shown} does not match target {target} ({expected}); \
     pick the matching --target or pass --retarget to rewrite the triple and version metadata",
    shown = .found.as_deref().map_or_else(|| "(none)".to_string(), |t| format!("{t:?}"))
)]
pub struct TargetError {
    /// The module's triple (`None` when it has none).
    pub found: Option<String>,
    /// The target id.
    pub target: &'static str,
    /// The target's triple.
    pub expected: &'static str,
}

/// Checks that `module`'s triple matches `target`
/// ([`Target::matches_triple`]); with `retarget`, rewrites a mismatching
/// module with [`retarget`] instead of failing.
///
/// # Errors
/// A mismatching (or missing) triple without `retarget`.
pub fn apply_target(
    module: &mut Module,
    target: &Target,
    retarget: bool,
) -> Result<(), TargetError> {
    let matches = module
        .triple
        .as_deref()
        .is_some_and(|t| target.matches_triple(t));
    if matches {
        return Ok(());
    }
    if !retarget {
        return Err(TargetError {
            found: module.triple.clone(),
            target: target.id,
            expected: target.triple,
        });
    }
    self::retarget(module, target);
    Ok(())
}

/// Rewrites the triple, `!air.version` and `!air.language_version` for
/// `target`. The language name of an existing `!air.language_version`
/// (`"Metal"`) is kept; missing lists are added.
pub fn retarget(module: &mut Module, target: &Target) {
    module.triple = Some(target.triple.to_string());
    let (a, b, c) = target.air_version;
    let air = version_node(module, None, [a, b, c]);
    set_named(module, "air.version", air);
    let language = named_node(module, "air.language_version")
        .and_then(|ops| ops.first().copied().flatten())
        .filter(|id| matches!(module.meta(*id), Metadata::String(_)));
    let language = match language {
        Some(id) => id,
        None => module.add_metadata(Metadata::String(b"Metal".to_vec())),
    };
    let (a, b, c) = target.msl_version;
    let msl = version_node(module, Some(language), [a, b, c]);
    set_named(module, "air.language_version", msl);
}

/// The operands of the first node listed in named metadata `name`.
fn named_node(module: &Module, name: &str) -> Option<Vec<Option<air_ir::MetaId>>> {
    let first = *module.named(name)?.operands.first()?;
    match module.metadata.get(first.0 as usize)? {
        Metadata::Node { operands, .. } => Some(operands.clone()),
        _ => None,
    }
}

/// `!{[prefix,] i32 a, i32 b, i32 c}`.
fn version_node(
    module: &mut Module,
    prefix: Option<air_ir::MetaId>,
    v: [u32; 3],
) -> air_ir::MetaId {
    let i32_ty = module.types.i32();
    let mut operands: Vec<Option<air_ir::MetaId>> = prefix.into_iter().map(Some).collect();
    for x in v {
        let c = module.constant(i32_ty, ConstKind::Int(ApInt::from_u64(32, u64::from(x))));
        operands.push(Some(module.add_metadata(Metadata::Value {
            ty: i32_ty,
            value: Value::Const(c),
        })));
    }
    module.add_metadata(Metadata::Node {
        operands,
        distinct: false,
    })
}

fn set_named(module: &mut Module, name: &str, node: air_ir::MetaId) {
    match module.named_metadata.iter_mut().find(|n| n.name == name) {
        Some(n) => n.operands = vec![node],
        None => module.named_metadata.push(NamedMetadata {
            name: name.to_string(),
            operands: vec![node],
        }),
    }
}

/// The integer a metadata operand holds, if it is an integer constant.
fn int_operand(module: &Module, op: Option<air_ir::MetaId>) -> Option<u16> {
    let Metadata::Value {
        value: Value::Const(c),
        ..
    } = module.metadata.get(op?.0 as usize)?
    else {
        return None;
    };
    match &module.consts.try_get(*c)?.kind {
        ConstKind::Int(v) => u16::try_from(v.as_u64()?).ok(),
        _ => None,
    }
}

/// The `VERS` of a module: `!air.version` and `!air.language_version` when
/// both are readable, else the target's versions.
pub fn module_versions(module: &Module, target: &Target) -> Versions {
    let read = || {
        let air = named_node(module, "air.version")?;
        let msl = named_node(module, "air.language_version")?;
        Some(Versions {
            air: (
                int_operand(module, *air.first()?)?,
                int_operand(module, *air.get(1)?)?,
            ),
            // The first operand is the language name.
            msl: (
                int_operand(module, *msl.get(1)?)?,
                int_operand(module, *msl.get(2)?)?,
            ),
        })
    };
    read().unwrap_or_else(|| Versions::for_target(target))
}
