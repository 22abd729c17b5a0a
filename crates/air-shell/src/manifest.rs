//! The two side outputs: the MSL prototypes the JIT-compiled visible
//! functions must match, and the versioned JSON ABI manifest.
//!
//! # Manifest (schema 1)
//!
//! The manifest is the one file the executor and the runtime read to bind
//! a shell; they read nothing else. Fields (all present, in this order):
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema` | integer | [`MANIFEST_SCHEMA`]; bumped on any change |
//! | `target` | string | target id (`macos26`, ...) the module was built for |
//! | `kernel` | string | the kernel function's name |
//! | `threadgroup_size` | `[x, y, z]` | threads per threadgroup the shell assumes; dispatch exactly this |
//! | `threadgroup_bytes` | integer | static threadgroup memory of the shell's one global (0 if none) |
//! | `buffers` | array | `{name, index, access, element}`: `[[buffer(index)]]` slot, `read`/`write`/`read_write`, MSL element type |
//! | `scalars` | array | `{name, index, type}`: a `constant T&` at `[[buffer(index)]]`, MSL type |
//! | `visible` | array | `{name, ir_type, msl_prototype}` per visible function to link (empty for inline bodies) |
//!
//! Fields are only ever added with a schema bump; readers reject schemas
//! they do not know.

use serde::{Deserialize, Serialize};

use crate::plan::{ParamKind, Plan};
use crate::spec::BodyMode;

/// The manifest schema this crate writes.
pub const MANIFEST_SCHEMA: u32 = 1;

/// The ABI manifest of a generated shell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`MANIFEST_SCHEMA`].
    pub schema: u32,
    /// Target id.
    pub target: String,
    /// Kernel function name.
    pub kernel: String,
    /// Threads per threadgroup the shell assumes.
    pub threadgroup_size: [u32; 3],
    /// Static threadgroup memory in bytes.
    pub threadgroup_bytes: u64,
    /// Device buffers, in kernel-parameter order.
    pub buffers: Vec<ManifestBuffer>,
    /// Scalar arguments, in kernel-parameter order.
    pub scalars: Vec<ManifestScalar>,
    /// Visible functions the pipeline must link.
    pub visible: Vec<ManifestVisible>,
}

/// A device buffer binding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestBuffer {
    /// Parameter name.
    pub name: String,
    /// `[[buffer(index)]]`.
    pub index: u32,
    /// `read`, `write` or `read_write`.
    pub access: String,
    /// MSL element type.
    pub element: String,
}

/// A scalar binding (`constant T&`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestScalar {
    /// Parameter name.
    pub name: String,
    /// `[[buffer(index)]]`.
    pub index: u32,
    /// MSL type.
    #[serde(rename = "type")]
    pub ty: String,
}

/// A visible function the pipeline must link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestVisible {
    /// Its MSL name (what `newFunctionWithName` looks up).
    pub name: String,
    /// Its IR function type, which the lowered MSL must match exactly.
    pub ir_type: String,
    /// The MSL declaration, e.g. `[[visible]] float f(float v);`.
    pub msl_prototype: String,
}

impl Manifest {
    /// Pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and integers cannot fail.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Reads a manifest, rejecting unknown schemas.
    ///
    /// # Errors
    /// Malformed JSON, unknown fields or an unknown schema.
    pub fn from_json(text: &str) -> Result<Manifest, String> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if m.schema != MANIFEST_SCHEMA {
            return Err(format!(
                "manifest schema {} is not supported (expected {MANIFEST_SCHEMA})",
                m.schema
            ));
        }
        Ok(m)
    }
}

/// The MSL declaration of function `i` of the plan.
pub(crate) fn prototype(plan: &Plan, i: usize) -> String {
    let f = &plan.functions[i];
    let params: Vec<String> = f
        .params
        .iter()
        .zip(&f.param_names)
        .map(|(t, n)| format!("{} {n}", t.msl()))
        .collect();
    format!(
        "[[visible]] {} {}({});",
        f.ret.map_or("void", |t| t.msl_name()),
        f.name,
        params.join(", ")
    )
}

pub(crate) fn manifest(plan: &Plan, fn_types: &[String]) -> Manifest {
    let mut buffers = Vec::new();
    let mut scalars = Vec::new();
    for p in &plan.params {
        match &p.kind {
            ParamKind::Buffer {
                element,
                access,
                index,
            } => buffers.push(ManifestBuffer {
                name: p.name.clone(),
                index: *index,
                access: access.name().to_string(),
                element: element.msl_name().to_string(),
            }),
            ParamKind::Scalar { ty, index } => scalars.push(ManifestScalar {
                name: p.name.clone(),
                index: *index,
                ty: ty.msl_name().to_string(),
            }),
            ParamKind::System { .. } => {}
        }
    }
    let visible = match plan.body {
        BodyMode::Inline => Vec::new(),
        BodyMode::Visible => plan
            .functions
            .iter()
            .enumerate()
            .map(|(i, f)| ManifestVisible {
                name: f.name.clone(),
                ir_type: fn_types.get(i).cloned().unwrap_or_default(),
                msl_prototype: prototype(plan, i),
            })
            .collect(),
    };
    Manifest {
        schema: MANIFEST_SCHEMA,
        target: plan.target.id.to_string(),
        kernel: plan.kernel.clone(),
        threadgroup_size: plan.threadgroup_size,
        threadgroup_bytes: plan.tg.as_ref().map_or(0, |t| t.bytes),
        buffers,
        scalars,
        visible,
    }
}

/// The MSL header listing the prototypes.
pub(crate) fn msl_header(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "// Generated by airlink from {}; do not edit.\n",
        plan.source_name
    ));
    out.push_str(&format!(
        "// Visible functions the kernel `{}` calls. Their lowered IR types must match\n// the shell's declarations exactly (airlink's docs/air-conventions.md#type-mapping).\n",
        plan.kernel
    ));
    out.push_str("#include <metal_stdlib>\nusing namespace metal;\n\n");
    match plan.body {
        BodyMode::Visible => {
            for i in 0..plan.functions.len() {
                out.push_str(&prototype(plan, i));
                out.push('\n');
            }
        }
        BodyMode::Inline => {
            out.push_str("// None: the bodies are linked into the shell (body = \"inline\").\n");
        }
    }
    out
}
