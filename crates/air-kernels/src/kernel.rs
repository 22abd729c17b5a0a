//! The three kernels and their files: the spec, and for each function it
//! calls the AIR body (`.ll`) and the MSL body (`.metal`), all under
//! `examples/` and embedded here so that a binary needs no source tree.

use std::path::{Path, PathBuf};

use air_shell::{Options, Shell, Spec};

use crate::error::{Error, Result};

/// A tiled example kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// `examples/gemm/gemm_f32.toml`: C = A·B in float.
    GemmF32,
    /// `examples/gemm/gemm_f16.toml`: C = A·B, A and B half, C float.
    GemmF16,
    /// `examples/attention/attention_f32.toml`: O = softmax(Q·Kᵀ/√64)·V.
    AttentionF32,
}

/// One function a kernel's shell calls: its name and its two bodies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Body {
    /// The function's name (the spec's `[[function]] name`).
    pub name: &'static str,
    /// The AIR body, next to the spec.
    pub ll: &'static str,
    /// The MSL body, next to the spec.
    pub metal: &'static str,
}

/// Every file of the examples the kernels need, as (path under
/// `examples/`, text).
pub const EMBEDDED: &[(&str, &str)] = &[
    (
        "gemm/gemm_f32.toml",
        include_str!("../../../examples/gemm/gemm_f32.toml"),
    ),
    (
        "gemm/gemm_f16.toml",
        include_str!("../../../examples/gemm/gemm_f16.toml"),
    ),
    (
        "gemm/gemm_tile_f32.ll",
        include_str!("../../../examples/gemm/gemm_tile_f32.ll"),
    ),
    (
        "gemm/gemm_tile_f32.metal",
        include_str!("../../../examples/gemm/gemm_tile_f32.metal"),
    ),
    (
        "gemm/gemm_tile_f16.ll",
        include_str!("../../../examples/gemm/gemm_tile_f16.ll"),
    ),
    (
        "gemm/gemm_tile_f16.metal",
        include_str!("../../../examples/gemm/gemm_tile_f16.metal"),
    ),
    (
        "gemm/gemm_store.ll",
        include_str!("../../../examples/gemm/gemm_store.ll"),
    ),
    (
        "gemm/gemm_store.metal",
        include_str!("../../../examples/gemm/gemm_store.metal"),
    ),
    (
        "attention/attention_f32.toml",
        include_str!("../../../examples/attention/attention_f32.toml"),
    ),
    (
        "attention/attn_block_f32.ll",
        include_str!("../../../examples/attention/attn_block_f32.ll"),
    ),
    (
        "attention/attn_block_f32.metal",
        include_str!("../../../examples/attention/attn_block_f32.metal"),
    ),
    (
        "attention/attn_finish_f32.ll",
        include_str!("../../../examples/attention/attn_finish_f32.ll"),
    ),
    (
        "attention/attn_finish_f32.metal",
        include_str!("../../../examples/attention/attn_finish_f32.metal"),
    ),
];

/// The embedded text of `path` (relative to `examples/`).
pub fn embedded(path: &str) -> Option<&'static str> {
    EMBEDDED.iter().find(|(p, _)| *p == path).map(|(_, t)| *t)
}

/// Writes [`EMBEDDED`] under `dir` (`dir/gemm/...`, `dir/attention/...`),
/// so shells can be generated from files (inline mode reads the `.ll`
/// bodies from disk) where the source tree is not at hand.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn write_embedded(dir: &Path) -> Result<()> {
    for (path, text) in EMBEDDED {
        let file = dir.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&file, text).map_err(|e| Error::io(&file, e))?;
    }
    Ok(())
}

/// Threads per threadgroup of every kernel: 4 simdgroups.
pub const THREADS_PER_THREADGROUP: u32 = 128;

/// The head dimension of the attention kernel (fixed by its bodies).
pub const HEAD_DIM: u32 = 64;

impl Kernel {
    /// Every kernel.
    pub const ALL: [Kernel; 3] = [Kernel::GemmF32, Kernel::GemmF16, Kernel::AttentionF32];

    /// The name lines of output use: `gemm/f32`, `gemm/f16`, `attention/f32`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::GemmF32 => "gemm/f32",
            Kernel::GemmF16 => "gemm/f16",
            Kernel::AttentionF32 => "attention/f32",
        }
    }

    /// The example folder under `examples/`.
    pub fn dir(self) -> &'static str {
        match self {
            Kernel::GemmF32 | Kernel::GemmF16 => "gemm",
            Kernel::AttentionF32 => "attention",
        }
    }

    /// The spec's file name in [`Kernel::dir`].
    pub fn spec_file(self) -> &'static str {
        match self {
            Kernel::GemmF32 => "gemm_f32.toml",
            Kernel::GemmF16 => "gemm_f16.toml",
            Kernel::AttentionF32 => "attention_f32.toml",
        }
    }

    /// The functions the shell calls, in the spec's order.
    pub fn bodies(self) -> &'static [Body] {
        const STORE: Body = Body {
            name: "gemm_store",
            ll: "gemm_store.ll",
            metal: "gemm_store.metal",
        };
        match self {
            Kernel::GemmF32 => &[
                Body {
                    name: "gemm_tile",
                    ll: "gemm_tile_f32.ll",
                    metal: "gemm_tile_f32.metal",
                },
                STORE,
            ],
            Kernel::GemmF16 => &[
                Body {
                    name: "gemm_tile",
                    ll: "gemm_tile_f16.ll",
                    metal: "gemm_tile_f16.metal",
                },
                STORE,
            ],
            Kernel::AttentionF32 => &[
                Body {
                    name: "attn_block",
                    ll: "attn_block_f32.ll",
                    metal: "attn_block_f32.metal",
                },
                Body {
                    name: "attn_finish",
                    ll: "attn_finish_f32.ll",
                    metal: "attn_finish_f32.metal",
                },
            ],
        }
    }

    /// The embedded text of a file in this kernel's folder.
    fn text(self, file: &str) -> Result<&'static str> {
        let path = format!("{}/{file}", self.dir());
        embedded(&path).ok_or(Error::Missing(path))
    }

    /// The spec's TOML text (embedded).
    pub fn spec_toml(self) -> &'static str {
        self.text(self.spec_file()).unwrap_or_default()
    }

    /// The MSL source the JIT compiles for the visible mode: every body's
    /// `.metal` file, in order, in one translation unit.
    pub fn msl(self) -> String {
        let mut out = String::new();
        for b in self.bodies() {
            out.push_str(self.text(b.metal).unwrap_or_default());
            out.push('\n');
        }
        out
    }

    /// The spec: read from `examples_dir/<dir>/<spec file>` (inline bodies
    /// resolve next to it), or parsed from the embedded text when `None`
    /// (then only the visible mode can be generated).
    ///
    /// # Errors
    /// The spec cannot be read or is invalid.
    pub fn spec(self, examples_dir: Option<&Path>) -> Result<Spec> {
        Ok(match examples_dir {
            Some(dir) => Spec::from_file(&self.spec_path(dir))?,
            None => Spec::from_toml(self.spec_toml(), self.spec_file(), None)?,
        })
    }

    /// `examples_dir/<dir>/<spec file>`.
    pub fn spec_path(self, examples_dir: &Path) -> PathBuf {
        examples_dir.join(self.dir()).join(self.spec_file())
    }

    /// Generates the shell ([`Kernel::spec`], then [`air_shell::generate`]).
    ///
    /// # Errors
    /// As [`Kernel::spec`] and [`air_shell::generate`].
    pub fn shell(self, examples_dir: Option<&Path>, options: &Options) -> Result<Shell> {
        Ok(air_shell::generate(&self.spec(examples_dir)?, options)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_file_is_embedded() {
        for k in Kernel::ALL {
            assert!(k.text(k.spec_file()).is_ok(), "{}", k.name());
            for b in k.bodies() {
                assert!(k.text(b.ll).is_ok(), "{}", b.ll);
                assert!(k.text(b.metal).is_ok(), "{}", b.metal);
            }
        }
        assert!(Kernel::GemmF32.text("nothing.ll").is_err());
    }

    #[test]
    fn the_specs_name_the_bodies_of_the_table() {
        let file = |p: &Option<PathBuf>| {
            p.as_ref()
                .and_then(|p| p.file_name())
                .map(|f| f.to_string_lossy().into_owned())
        };
        for k in Kernel::ALL {
            let spec = k.spec(None).unwrap();
            let named: Vec<(String, Option<String>, Option<String>)> = spec
                .functions
                .iter()
                .map(|f| (f.name.clone(), file(&f.inline), file(&f.msl)))
                .collect();
            let table: Vec<(String, Option<String>, Option<String>)> = k
                .bodies()
                .iter()
                .map(|b| {
                    (
                        b.name.to_string(),
                        Some(b.ll.to_string()),
                        Some(b.metal.to_string()),
                    )
                })
                .collect();
            assert_eq!(named, table, "{}", k.name());
            assert_eq!(
                spec.threadgroup_size[0] * spec.threadgroup_size[1] * spec.threadgroup_size[2],
                THREADS_PER_THREADGROUP,
                "{}",
                k.name()
            );
        }
    }

    #[test]
    fn msl_holds_every_visible_function() {
        let msl = Kernel::AttentionF32.msl();
        assert!(msl.contains("[[visible]] void attn_block("));
        assert!(msl.contains("[[visible]] void attn_finish("));
        let gemm = Kernel::GemmF16.msl();
        assert!(gemm.contains("threadgroup half* a"));
        assert!(gemm.contains("[[visible]] void gemm_store("));
    }
}
