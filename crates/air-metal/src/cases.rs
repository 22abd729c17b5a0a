//! The seed's three reverse-linking tests (air.md §1.4–1.6) as portable
//! data: the example spec the shell is generated from (in visible mode),
//! the MSL body of the visible function, the inputs, the dispatch and the
//! expected outputs. The Apple side runs them (`apple`); off a
//! Mac, the tests check that each MSL body fits its generated manifest.
//!
//! | case | shell | visible function | check |
//! |---|---|---|---|
//! | `simple` | `examples/specs/simple.toml` | `transform_value(v) = v*3+7` | 128 floats, `|dst−((i+1)·3+7)| < 0.01` |
//! | `multi_buffer_{mul,fma,sqrt}` | `examples/specs/multi_buffer.toml` | `compute_tile` writing `A*B+42`, `fma(A,B,100)`, `sqrt(A)+B*2` | 1024 floats, tolerance 0.1 |
//! | `copy_2d` | `examples/specs/copy_2d.toml` | `process_tile`: `tg[lane] *= 10` | the 8×4 tile ×10, the rest still −1 |

use air_shell::{BodyMode, Options, Shell, Spec};

use crate::error::{Error, Result, Step};

const SIMPLE_TOML: &str = include_str!("../../../examples/specs/simple.toml");
const MULTI_TOML: &str = include_str!("../../../examples/specs/multi_buffer.toml");
const COPY_2D_TOML: &str = include_str!("../../../examples/specs/copy_2d.toml");

const HEADER: &str = "#include <metal_stdlib>\nusing namespace metal;\n\n";

/// A buffer of a case: its manifest name and initial contents.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseBuffer {
    /// The manifest name.
    pub name: &'static str,
    /// Initial contents.
    pub data: Vec<f32>,
}

/// One reverse-linking test.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// Its name (`simple`, `multi_buffer_fma`, ...).
    pub name: &'static str,
    /// What it shows.
    pub description: &'static str,
    /// The spec file name (for messages).
    pub spec_name: &'static str,
    /// The spec's TOML text.
    pub spec_toml: &'static str,
    /// The complete MSL source of the visible function.
    pub msl: String,
    /// Every buffer, in manifest order, with its initial contents.
    pub buffers: Vec<CaseBuffer>,
    /// The buffer whose contents are checked.
    pub output: &'static str,
    /// What `output` must hold afterwards.
    pub expected: Vec<f32>,
    /// Allowed absolute error per element.
    pub tolerance: f32,
    /// Threads to dispatch (`dispatchThreads`, 1D); the threadgroup size
    /// comes from the manifest.
    pub threads: u64,
}

/// How a case's output compares with the expectation.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseCheck {
    /// Elements within tolerance.
    pub correct: usize,
    /// Elements checked.
    pub total: usize,
    /// Up to 4 wrong elements: (index, got, expected).
    pub wrong: Vec<(usize, f32, f32)>,
}

impl CaseCheck {
    /// Whether every element is right.
    pub fn passed(&self) -> bool {
        self.correct == self.total
    }
}

impl std::fmt::Display for CaseCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} correct", self.correct, self.total)?;
        for (i, got, want) in &self.wrong {
            write!(f, "; [{i}] = {got} (expected {want})")?;
        }
        Ok(())
    }
}

/// Compares `got` with `want` element by element.
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

impl Case {
    /// Generates the case's shell (visible mode).
    ///
    /// # Errors
    /// [`Step::BuildShell`] with air-shell's diagnostics.
    pub fn shell(&self) -> Result<Shell> {
        let spec = Spec::from_toml(self.spec_toml, self.spec_name, None)
            .map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))?;
        generate_visible(&spec)
    }

    /// Generates the case's shell for another target (`macos15`, `ios26`,
    /// ...) than the spec names.
    ///
    /// # Errors
    /// [`Step::BuildShell`] with air-shell's diagnostics.
    pub fn shell_for(&self, target_id: &str) -> Result<Shell> {
        let mut spec = Spec::from_toml(self.spec_toml, self.spec_name, None)
            .map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))?;
        spec.target = target_id.to_string();
        generate_visible(&spec)
    }

    /// Checks the output buffer's contents.
    pub fn check(&self, output: &[f32]) -> CaseCheck {
        compare(output, &self.expected, self.tolerance)
    }
}

fn generate_visible(spec: &Spec) -> Result<Shell> {
    {
        let options = Options {
            body: Some(BodyMode::Visible),
            ..Options::default()
        };
        air_shell::generate(spec, &options)
            .map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))
    }
}

/// Every case: `simple`, the three `multi_buffer` bodies, `copy_2d`.
pub fn all() -> Vec<Case> {
    let mut v = vec![simple()];
    v.extend(multi_buffer());
    v.push(copy_2d());
    v
}

/// air.md §1.4: one 1D copy per threadgroup, `transform_value(v) = v*3+7`.
pub fn simple() -> Case {
    let n = 128usize;
    let src: Vec<f32> = (0..n).map(|i| (i + 1) as f32).collect();
    Case {
        name: "simple",
        description: "1D device->threadgroup copy in the shell, float transform_value(float) linked",
        spec_name: "simple.toml",
        spec_toml: SIMPLE_TOML,
        msl: format!(
            "{HEADER}[[visible]] float transform_value(float v) {{\n    return v * 3.0f + 7.0f;\n}}\n"
        ),
        expected: src.iter().map(|x| x * 3.0 + 7.0).collect(),
        buffers: vec![
            CaseBuffer {
                name: "src",
                data: src,
            },
            CaseBuffer {
                name: "dst",
                data: vec![0.0; n],
            },
        ],
        output: "dst",
        tolerance: 0.01,
        threads: n as u64,
    }
}

/// (name, description, MSL statement, CPU reference).
type Variant = (
    &'static str,
    &'static str,
    &'static str,
    fn(f32, f32) -> f32,
);

/// air.md §1.5: two tiles in one threadgroup global; three bodies.
pub fn multi_buffer() -> Vec<Case> {
    let n = 1024usize;
    let a: Vec<f32> = (0..n).map(|i| (i + 1) as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| 0.5 * i as f32 + 0.1).collect();
    let variants: [Variant; 3] = [
        (
            "multi_buffer_mul",
            "A*B+42 from two threadgroup tiles, C written by the visible function",
            "C[tid] = A[lane] * B[lane] + 42.0f;",
            |a, b| a * b + 42.0,
        ),
        (
            "multi_buffer_fma",
            "fma(A,B,100) from two threadgroup tiles",
            "C[tid] = fma(A[lane], B[lane], 100.0f);",
            |a, b| a.mul_add(b, 100.0),
        ),
        (
            "multi_buffer_sqrt",
            "sqrt(A)+B*2 from two threadgroup tiles",
            "C[tid] = sqrt(A[lane]) + B[lane] * 2.0f;",
            |a, b| a.sqrt() + b * 2.0,
        ),
    ];
    variants
        .into_iter()
        .map(|(name, description, body, f)| Case {
            name,
            description,
            spec_name: "multi_buffer.toml",
            spec_toml: MULTI_TOML,
            msl: format!(
                "{HEADER}[[visible]] void compute_tile(threadgroup float* A, threadgroup float* B,\n                              device float* C, uint tid, uint lane) {{\n    {body}\n}}\n"
            ),
            expected: a.iter().zip(&b).map(|(x, y)| f(*x, *y)).collect(),
            buffers: vec![
                CaseBuffer {
                    name: "A",
                    data: a.clone(),
                },
                CaseBuffer {
                    name: "B",
                    data: b.clone(),
                },
                CaseBuffer {
                    name: "C",
                    data: vec![0.0; n],
                },
            ],
            output: "C",
            tolerance: 0.1,
            threads: n as u64,
        })
        .collect()
}

/// air.md §1.6: an 8×4 tile of an 8×16 matrix goes through threadgroup
/// memory with 2D copies both ways, scaled by 10 in between.
pub fn copy_2d() -> Case {
    let (rows, cols) = (8usize, 16usize);
    let src: Vec<f32> = (0..rows * cols)
        .map(|i| ((i / cols) * 100 + i % cols) as f32)
        .collect();
    let expected: Vec<f32> = (0..rows * cols)
        .map(|i| if i % cols < 4 { src[i] * 10.0 } else { -1.0 })
        .collect();
    Case {
        name: "copy_2d",
        description: "2D copies device->threadgroup->device around process_tile (tile x10, rest untouched)",
        spec_name: "copy_2d.toml",
        spec_toml: COPY_2D_TOML,
        msl: format!(
            "{HEADER}[[visible]] void process_tile(threadgroup float* tg, uint simd_lane) {{\n    if (simd_lane < 32) {{\n        tg[simd_lane] *= 10.0f;\n    }}\n}}\n"
        ),
        expected,
        buffers: vec![
            CaseBuffer {
                name: "src",
                data: src,
            },
            CaseBuffer {
                name: "dst",
                data: vec![-1.0; rows * cols],
            },
        ],
        output: "dst",
        tolerance: 0.1,
        threads: 32,
    }
}
