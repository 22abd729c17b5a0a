//! The seed's reverse-linking tests as data, defined once for every place
//! that runs them: the CPU reference executor (`airlink demo`, the CLI's
//! tests) and the GPU (`air-metal`'s cases, `airlink doctor`).
//!
//! Each [`SeedCase`] names the example spec its shell comes from, the AIR
//! body of its function (both in `examples/specs/`, embedded here), the
//! buffers with their initial contents, the buffer to check, the expected
//! values (the seed's CPU reference, in `f32`) and the tolerance, and the
//! dispatch. The MSL body of the visible function is the Metal side's
//! (`air-metal`'s `cases`).
//!
//! | case | shell | body | check |
//! |---|---|---|---|
//! | `simple` | `simple.toml` | `transform_value(v) = v*3+7` | 128 floats, `|dst−((i+1)·3+7)| < 0.01` |
//! | `multi_buffer_{mul_add,fma,sqrt}` | `multi_buffer.toml` | `compute_tile` writing `A*B+42`, `fma(A,B,100)`, `sqrt(A)+B*2` | 1024 floats, tolerance 0.1 |
//! | `copy_2d` | `copy_2d.toml` | `process_tile`: `tg[lane] *= 10` | the 8×4 tile ×10, the rest still −1 |
//!
//! ```
//! use air_shell::seed::SeedCase;
//!
//! let case = SeedCase::MultiBufferFma;
//! let shell = case.shell(None, &air_shell::Options::default()).unwrap();
//! assert_eq!(shell.manifest.kernel, "gemm_kernel");
//! let want = case.expected();
//! assert_eq!(want[3], 4.0f32.mul_add(1.6, 100.0));
//! assert!(case.check(&want).passed());
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{Options, Result, Shell, Spec};

/// The example files the cases need, embedded (file name, text): the three
/// specs and the five AIR bodies of `examples/specs/`.
pub const EMBEDDED_SPECS: &[(&str, &str)] = &[
    ("simple.toml", SIMPLE_TOML),
    (
        "simple_transform.ll",
        include_str!("../../../examples/specs/simple_transform.ll"),
    ),
    ("multi_buffer.toml", MULTI_BUFFER_TOML),
    (
        "multi_buffer_compute.ll",
        include_str!("../../../examples/specs/multi_buffer_compute.ll"),
    ),
    (
        "multi_buffer_fma.ll",
        include_str!("../../../examples/specs/multi_buffer_fma.ll"),
    ),
    (
        "multi_buffer_sqrt.ll",
        include_str!("../../../examples/specs/multi_buffer_sqrt.ll"),
    ),
    ("copy_2d.toml", COPY_2D_TOML),
    (
        "copy_2d_process.ll",
        include_str!("../../../examples/specs/copy_2d_process.ll"),
    ),
];

const SIMPLE_TOML: &str = include_str!("../../../examples/specs/simple.toml");
const MULTI_BUFFER_TOML: &str = include_str!("../../../examples/specs/multi_buffer.toml");
const COPY_2D_TOML: &str = include_str!("../../../examples/specs/copy_2d.toml");

/// Writes [`EMBEDDED_SPECS`] into `dir` (created if needed), so the cases
/// can be generated from files (inline bodies are read from disk) where
/// the source tree is not at hand.
///
/// # Errors
/// I/O errors.
pub fn write_embedded_specs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, text) in EMBEDDED_SPECS {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(())
}

/// One reverse-linking test of the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeedCase {
    /// One 32-float async copy per threadgroup, `dst[i] =
    /// transform_value(src[i])` with `x*3 + 7`, 128 threads in
    /// threadgroups of 32, within 0.01. The generated shell uses the 2D
    /// copy (air-shell's default form); the seed's own shell used the 1D
    /// copy, which `copy_form = "1d"` gives.
    Simple,
    /// Two tiles in one threadgroup global, `C = A*B + 42` over 1024
    /// elements, within 0.1.
    MultiBufferMulAdd,
    /// As [`SeedCase::MultiBufferMulAdd`] with `C = fma(A, B, 100)`.
    MultiBufferFma,
    /// As [`SeedCase::MultiBufferMulAdd`] with `C = sqrt(A) + 2*B`.
    MultiBufferSqrt,
    /// An 8×4 tile of an 8×16 matrix goes to threadgroup memory with a 2D
    /// copy, is scaled by 10 and comes back; the rest of `dst` stays −1.
    Copy2d,
}

impl SeedCase {
    /// Every case, in the seed's order.
    pub const ALL: [SeedCase; 5] = [
        SeedCase::Simple,
        SeedCase::MultiBufferMulAdd,
        SeedCase::MultiBufferFma,
        SeedCase::MultiBufferSqrt,
        SeedCase::Copy2d,
    ];

    /// The case's name (`simple`, `multi_buffer_mul_add`, ...): the one
    /// name every output uses for it (`airlink demo`'s CPU and GPU lines,
    /// `airlink doctor`, air-metal's tests).
    pub fn name(self) -> &'static str {
        match self {
            SeedCase::Simple => "simple",
            SeedCase::MultiBufferMulAdd => "multi_buffer_mul_add",
            SeedCase::MultiBufferFma => "multi_buffer_fma",
            SeedCase::MultiBufferSqrt => "multi_buffer_sqrt",
            SeedCase::Copy2d => "copy_2d",
        }
    }

    /// What the case shows, in one line.
    pub fn description(self) -> &'static str {
        match self {
            SeedCase::Simple => {
                "one 32-float device->threadgroup async copy per threadgroup (2D form), float transform_value(float) linked"
            }
            SeedCase::MultiBufferMulAdd => {
                "A*B+42 from two threadgroup tiles, C written by the visible function"
            }
            SeedCase::MultiBufferFma => "fma(A,B,100) from two threadgroup tiles",
            SeedCase::MultiBufferSqrt => "sqrt(A)+B*2 from two threadgroup tiles",
            SeedCase::Copy2d => {
                "2D copies device->threadgroup->device around process_tile (tile x10, rest untouched)"
            }
        }
    }

    /// The file name of the example spec the shell is generated from.
    pub fn spec_file(self) -> &'static str {
        match self {
            SeedCase::Simple => "simple.toml",
            SeedCase::MultiBufferMulAdd | SeedCase::MultiBufferFma | SeedCase::MultiBufferSqrt => {
                "multi_buffer.toml"
            }
            SeedCase::Copy2d => "copy_2d.toml",
        }
    }

    /// The spec's TOML text (embedded).
    pub fn spec_toml(self) -> &'static str {
        match self {
            SeedCase::Simple => SIMPLE_TOML,
            SeedCase::MultiBufferMulAdd | SeedCase::MultiBufferFma | SeedCase::MultiBufferSqrt => {
                MULTI_BUFFER_TOML
            }
            SeedCase::Copy2d => COPY_2D_TOML,
        }
    }

    /// The example AIR body (next to the spec) that computes this case.
    pub fn body_file(self) -> &'static str {
        match self {
            SeedCase::Simple => "simple_transform.ll",
            SeedCase::MultiBufferMulAdd => "multi_buffer_compute.ll",
            SeedCase::MultiBufferFma => "multi_buffer_fma.ll",
            SeedCase::MultiBufferSqrt => "multi_buffer_sqrt.ll",
            SeedCase::Copy2d => "copy_2d_process.ll",
        }
    }

    /// Threads to dispatch (`dispatchThreads`, 1D).
    pub fn threads(self) -> u32 {
        match self {
            SeedCase::Simple => 128,
            SeedCase::Copy2d => 32,
            _ => 1024,
        }
    }

    /// Threads per threadgroup: the spec's `threadgroup_size` (a test of
    /// this crate checks that they agree). The GPU side takes it from the
    /// shell's manifest; a shell-less run (the hand-written corpus shells)
    /// needs it from here.
    pub fn threads_per_threadgroup(self) -> u32 {
        32
    }

    /// Elements of the checked buffer.
    fn elements(self) -> usize {
        match self {
            SeedCase::Simple => 128,
            SeedCase::Copy2d => 8 * 16,
            _ => 1024,
        }
    }

    /// Every buffer, in manifest order, with its initial contents.
    pub fn buffers(self) -> Vec<CaseBuffer> {
        let n = self.elements();
        let buffer = |name, data| CaseBuffer { name, data };
        match self {
            SeedCase::Simple => vec![
                buffer("src", (0..n).map(|i| (i + 1) as f32).collect()),
                buffer("dst", vec![0.0; n]),
            ],
            SeedCase::Copy2d => vec![
                buffer("src", (0..n).map(|i| copy_2d_src(i) as f32).collect()),
                buffer("dst", vec![-1.0; n]),
            ],
            _ => vec![
                buffer("A", (0..n).map(multi_a).collect()),
                buffer("B", (0..n).map(multi_b).collect()),
                buffer("C", vec![0.0; n]),
            ],
        }
    }

    /// The buffer whose contents are checked.
    pub fn output(self) -> &'static str {
        match self {
            SeedCase::Simple | SeedCase::Copy2d => "dst",
            _ => "C",
        }
    }

    /// What [`SeedCase::output`] must hold afterwards (the seed's CPU
    /// reference, computed in `f32`).
    pub fn expected(self) -> Vec<f32> {
        let n = self.elements();
        (0..n)
            .map(|i| {
                let (a, b) = (multi_a(i), multi_b(i));
                match self {
                    SeedCase::Simple => (i + 1) as f32 * 3.0 + 7.0,
                    SeedCase::MultiBufferMulAdd => a * b + 42.0,
                    SeedCase::MultiBufferFma => a.mul_add(b, 100.0),
                    SeedCase::MultiBufferSqrt => a.sqrt() + b * 2.0,
                    SeedCase::Copy2d => {
                        if i % 16 < 4 {
                            copy_2d_src(i) as f32 * 10.0
                        } else {
                            -1.0
                        }
                    }
                }
            })
            .collect()
    }

    /// The allowed absolute error per element.
    pub fn tolerance(self) -> f32 {
        match self {
            SeedCase::Simple => 0.01,
            _ => 0.1,
        }
    }

    /// Checks the output buffer's contents against [`SeedCase::expected`].
    pub fn check(self, output: &[f32]) -> CaseCheck {
        compare(output, &self.expected(), self.tolerance())
    }

    /// The case's spec with every function's inline body set to the case's
    /// [`SeedCase::body_file`]: read from `specs_dir` (whose files are
    /// resolved against it), or from the embedded text when `None` (then an
    /// inline body is looked for relative to the current directory; visible
    /// mode needs none).
    ///
    /// # Errors
    /// The spec file cannot be read or does not parse.
    pub fn spec(self, specs_dir: Option<&Path>) -> Result<Spec> {
        let mut spec = match specs_dir {
            Some(dir) => Spec::from_file(&dir.join(self.spec_file()))?,
            None => Spec::from_toml(self.spec_toml(), self.spec_file(), None)?,
        };
        for f in &mut spec.functions {
            f.inline = Some(PathBuf::from(self.body_file()));
        }
        Ok(spec)
    }

    /// Generates the case's shell ([`SeedCase::spec`], then
    /// [`generate`](crate::generate) with `options`).
    ///
    /// # Errors
    /// As [`SeedCase::spec`] and [`generate`](crate::generate).
    pub fn shell(self, specs_dir: Option<&Path>, options: &Options) -> Result<Shell> {
        crate::generate(&self.spec(specs_dir)?, options)
    }
}

/// `A[i]` of the multi-buffer cases.
fn multi_a(i: usize) -> f32 {
    (i + 1) as f32
}

/// `B[i]` of the multi-buffer cases.
fn multi_b(i: usize) -> f32 {
    0.5 * i as f32 + 0.1
}

/// `src[i]` of the 2D case: row·100 + column of an 8×16 matrix.
fn copy_2d_src(i: usize) -> usize {
    100 * (i / 16) + i % 16
}

/// A buffer of a case: its manifest name and initial contents.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseBuffer {
    /// The manifest name (the kernel argument's `air.arg_name`).
    pub name: &'static str,
    /// Initial contents.
    pub data: Vec<f32>,
}

/// How a case's output compares with the expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseCheck {
    /// Elements within tolerance.
    pub correct: usize,
    /// Elements checked.
    pub total: usize,
    /// Up to 4 wrong elements: (index, got, expected); a missing element
    /// reads as NaN.
    pub wrong: Vec<(usize, f32, f32)>,
}

impl CaseCheck {
    /// Whether every element is right.
    pub fn passed(&self) -> bool {
        self.correct == self.total
    }
}

impl fmt::Display for CaseCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{} correct", self.correct, self.total)?;
        for (i, got, want) in &self.wrong {
            write!(f, "; [{i}] = {got} (expected {want})")?;
        }
        Ok(())
    }
}

/// Compares `got` with `want` element by element: an element is right when
/// it differs by less than `tolerance`; a missing one is wrong.
pub fn compare(got: &[f32], want: &[f32], tolerance: f32) -> CaseCheck {
    let mut check = CaseCheck {
        correct: 0,
        total: want.len(),
        wrong: Vec::new(),
    };
    for (i, w) in want.iter().enumerate() {
        let g = got.get(i).copied().unwrap_or(f32::NAN);
        if (g - w).abs() < tolerance {
            check.correct += 1;
        } else if check.wrong.len() < 4 {
            check.wrong.push((i, g, *w));
        }
    }
    check
}
