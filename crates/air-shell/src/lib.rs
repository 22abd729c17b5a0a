//! Kernel shells for "reverse linking" on Apple Metal, generated from
//! declarative specs.
//!
//! A shell is an AIR kernel that owns every async copy (inside a linked
//! `[[visible]]` function the copy silently does nothing,
//! docs/air-conventions.md#what-a-visible-function-cannot-do) and
//! calls a function for the math: either a visible function JIT-compiled
//! from Metal source and resolved at pipeline creation, or an IR body
//! linked into the same module. A [`Spec`] says which buffers, threadgroup
//! regions, copies and calls the kernel has; [`generate`] validates it and
//! produces a [`Shell`]: the verified module, the MSL prototypes the JIT
//! side must match, and a JSON ABI [`Manifest`].
//!
//! The spec format (TOML, schemas 1 and 2; schema 2 adds loops, double
//! buffering, private arrays and run-time tile sizes for tiled kernels) is
//! documented in [`spec_format`]; the builder API in [`spec`] constructs
//! the same model in Rust.
//!
//! ```
//! let toml = r#"
//! schema = 1
//! kernel = "scale"
//! target = "macos26"
//! threadgroup_size = 32
//!
//! [[buffer]]
//! name = "data"
//! element = "float"
//! access = "read_write"
//! index = 0
//!
//! [[system_value]]
//! name = "tg"
//! value = "threadgroup_position_in_grid"
//!
//! [[system_value]]
//! name = "lane"
//! value = "thread_index_in_simdgroup"
//!
//! [threadgroup]
//! [[threadgroup.region]]
//! name = "tile"
//! element = "float"
//! count = 32
//!
//! [[step]]
//! kind = "copy"
//! from = "data"
//! to = "tile"
//! tile = [32, 1]
//! src_offset = "tg * 32"
//!
//! [[step]]
//! kind = "wait"
//!
//! [[step]]
//! kind = "barrier"
//!
//! [[step]]
//! kind = "call"
//! function = "scale_tile"
//! args = ["tile", "lane"]
//!
//! [[step]]
//! kind = "barrier"
//!
//! [[step]]
//! kind = "copy"
//! from = "tile"
//! to = "data"
//! tile = [32, 1]
//! dst_offset = "tg * 32"
//!
//! [[step]]
//! kind = "wait"
//! "#;
//! let spec = air_shell::Spec::from_toml(toml, "scale.toml", None).unwrap();
//! let shell = air_shell::generate(&spec, &air_shell::Options::default()).unwrap();
//! assert!(shell.msl_prototypes.contains("[[visible]] void scale_tile(threadgroup float* tile, uint lane);"));
//! assert_eq!(shell.manifest.threadgroup_bytes, 128);
//! let text = shell.ll_text();
//! assert!(text.contains("@scale_tile.MTL_VISIBLE_FN_REF"));
//! ```
//!
//! # Limits
//!
//! Specs are validated with errors naming the spec line: index expressions
//! are at most [`limits::MAX_EXPR_BYTES`] (1024) bytes and nest at most
//! [`limits::MAX_EXPR_DEPTH`] (64) deep; loops nest at most
//! [`limits::MAX_LOOP_DEPTH`] (8) deep; the hazard check tracks at most
//! [`limits::MAX_CHECK_STATES`] states and [`limits::MAX_CHECK_WORK`]
//! state-steps; a private array has at most
//! [`limits::MAX_PRIVATE_ELEMENTS`] elements; threadgroup memory is
//! at most [`air_target::MAX_THREADGROUP_MEMORY_BYTES`] (32 KiB), a
//! threadgroup at most [`air_target::MAX_THREADS_PER_THREADGROUP`] (1024)
//! threads, buffer indices below [`air_target::BUFFER_SLOTS`] (31). Inline
//! bodies go through `air-ir`'s parser and its limits. Fuzz target
//! `spec_parse` (see ROBUSTNESS.md).

#![deny(missing_docs)]

mod check;
mod emit;
mod error;
pub mod expr;
pub mod import;
pub mod inline;
pub mod limits;
mod manifest;
mod plan;
pub mod seed;
pub mod spec;
mod toml_spec;
pub mod types;

pub mod spec_format {
    #![doc = include_str!("../docs/shell-spec.md")]
}

use air_ir::Module;

pub use error::{Diagnostic, Error, Pos, Result};
pub use manifest::{Manifest, ManifestBuffer, ManifestScalar, ManifestVisible, MANIFEST_SCHEMA};
pub use spec::{
    BarrierMemory, BodyMode, Buffer, Call, Constant, Copy, CopyForm, Dim, Fallback, Fill, Function,
    Let, Literal, Loop, Private, Region, Scalar, Spec, Step, StepKind, SystemValue, Text,
    Threadgroup, SCHEMA_VERSION, SCHEMA_VERSIONS,
};
pub use types::{Access, ElemType, SystemValueKind, SystemValueType, SPEC_SYSTEM_VALUES};

use crate::error::Reporter;
use crate::plan::{ArgTy, Plan};

/// Overrides applied on top of a spec (the CLI flags).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Replaces the spec's `body`.
    pub body: Option<BodyMode>,
    /// Replaces the spec's `fallback`.
    pub fallback: Option<Fallback>,
    /// Replaces the spec's `copy_form`.
    pub copy_form: Option<CopyForm>,
}

/// A generated shell.
#[derive(Clone, Debug)]
pub struct Shell {
    /// The AIR module (verified).
    pub module: Module,
    /// The kernel's (and the module's) name.
    pub module_name: String,
    /// MSL header with the `[[visible]]` prototypes the JIT side must match.
    pub msl_prototypes: String,
    /// The ABI manifest.
    pub manifest: Manifest,
}

impl Shell {
    /// The module as AIR text, exactly as `airlink fmt` prints it (so the
    /// text is a fixed point of `fmt`; the module's name is its
    /// `source_filename`, not a `; ModuleID` comment).
    pub fn ll_text(&self) -> String {
        air_ir::print(&self.module)
    }
}

/// Validates `spec` and generates its shell.
///
/// # Errors
/// [`Error::Spec`] with every rule the spec breaks (each naming its spec
/// line when the spec came from TOML; inline body files that cannot be read
/// or break the path rules of [`inline`] are among them); [`Error::Body`]
/// for inline body files that do not parse; [`Error::Verify`] if the
/// result does not verify (a generator bug, or an invalid inline body).
pub fn generate(spec: &Spec, options: &Options) -> Result<Shell> {
    let plan = plan::plan(spec, options)?;
    let bodies = load_bodies(spec, &plan)?;
    let emitted = emit::emit(&plan, &bodies)?;
    air_ir::verify(&emitted.module)?;
    Ok(Shell {
        msl_prototypes: manifest::msl_header(&plan),
        manifest: manifest::manifest(&plan, &emitted.fn_types),
        module_name: plan.module_name.clone(),
        module: emitted.module,
    })
}

/// The IR spelling of an argument type, to compare with a body's signature.
fn ir_text(t: ArgTy) -> String {
    let scalar = |e: ElemType| match e {
        ElemType::Float => "float".to_string(),
        ElemType::Half => "half".to_string(),
        ElemType::BFloat => "bfloat".to_string(),
        other => format!("i{}", other.size() * 8),
    };
    match t {
        ArgTy::Value(e) => scalar(e),
        ArgTy::DevicePtr(e) => format!("{} addrspace(1)*", scalar(e)),
        ArgTy::TgPtr(e) => format!("{} addrspace(3)*", scalar(e)),
        ArgTy::PrivPtr(e) => format!("{}*", scalar(e)),
    }
}

/// Reads, parses and checks the inline body of every called function
/// (inline mode only); `None` entries in visible mode.
fn load_bodies(spec: &Spec, plan: &Plan) -> Result<Vec<Option<Module>>> {
    if plan.body != BodyMode::Inline {
        return Ok(vec![None; plan.functions.len()]);
    }
    let mut r = Reporter::new(&spec.source_name, spec.source.as_deref());
    let mut out = Vec::new();
    for f in &plan.functions {
        let Some(path) = &f.inline else {
            out.push(None);
            continue;
        };
        let shown = path.display().to_string();
        // Confined to the spec's folder, a regular file, within the limit
        // (`inline.rs`); the error names the path, never the contents.
        let text = match inline::read(spec.base_dir.as_deref(), path) {
            Ok(t) => t,
            Err(why) => {
                r.error(
                    f.inline_at,
                    format!("cannot read inline body `{shown}` of `{}`: {why}", f.name),
                );
                out.push(None);
                continue;
            }
        };
        // Errors in the body name it by the path it was read from.
        let module = air_ir::parse(&text, &shown)?;
        if let Err(e) = air_ir::verify(&module) {
            r.error(
                f.inline_at,
                format!("inline body `{shown}` does not verify: {e}"),
            );
            out.push(None);
            continue;
        }
        let want = format!(
            "{} ({})",
            f.ret
                .map_or("void".to_string(), |t| ir_text(ArgTy::Value(t))),
            f.params
                .iter()
                .map(|p| ir_text(*p))
                .collect::<Vec<_>>()
                .join(", ")
        );
        match module
            .function_by_name(&f.name)
            .map(|id| module.function(id))
        {
            None => r.error(
                f.inline_at,
                format!("inline body `{shown}` does not define `{}`", f.name),
            ),
            Some(func) if func.is_declaration() => r.error(
                f.inline_at,
                format!("inline body `{shown}` only declares `{}`", f.name),
            ),
            Some(func) => {
                let got = air_ir::intrinsics::type_text(&module.types, func.ty);
                if got != want {
                    r.error(
                        f.inline_at,
                        format!("inline body `{shown}` defines `{}` as `{got}`, but the calls need `{want}`", f.name),
                    );
                }
            }
        }
        out.push(Some(module));
    }
    r.finish()?;
    Ok(out)
}
