//! The seed's three reverse-linking tests on the GPU: each case of
//! [`air_shell::seed`] (spec, inputs, expected outputs, tolerance,
//! dispatch) with the MSL source of its `[[visible]]` function, which the
//! Apple side JIT-compiles and links (`apple`). Off a Mac, the tests check
//! that each MSL body fits its generated manifest.
//!
//! | case | visible function (MSL) |
//! |---|---|
//! | `simple` | `float transform_value(float v)`: `v*3+7` |
//! | `multi_buffer_{mul_add,fma,sqrt}` | `void compute_tile(A, B, C, tid, lane)` writing `A*B+42`, `fma(A,B,100)`, `sqrt(A)+B*2` |
//! | `copy_2d` | `void process_tile(tg, simd_lane)`: `tg[lane] *= 10` |
//!
//! [`tiled`]: the tiled example kernels of `examples/gemm` and
//! `examples/attention` (GEMM in float and with half inputs, attention),
//! each in both body modes ([`TiledCase`]); their MSL bodies are the
//! examples' `.metal` files.

use air_shell::seed::{CaseCheck, SeedCase};
use air_shell::{BodyMode, Options, Shell, Spec};

use crate::error::{Error, Result, Step};

const HEADER: &str = "#include <metal_stdlib>\nusing namespace metal;\n\n";

/// One reverse-linking test: the seed's case and the MSL body of its
/// visible function.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The case: spec, buffers, expected output, tolerance, dispatch.
    pub seed: SeedCase,
    /// The complete MSL source of the visible function.
    pub msl: String,
}

impl Case {
    /// The case with its MSL body.
    pub fn new(seed: SeedCase) -> Case {
        Case {
            seed,
            msl: format!("{HEADER}{}", msl_body(seed)),
        }
    }

    /// Generates the case's shell (visible mode).
    ///
    /// # Errors
    /// [`Step::BuildShell`] with air-shell's diagnostics.
    pub fn shell(&self) -> Result<Shell> {
        generate_visible(&self.spec()?)
    }

    /// Generates the case's shell for another target (`macos15`, `ios26`,
    /// ...) than the spec names.
    ///
    /// # Errors
    /// [`Step::BuildShell`] with air-shell's diagnostics.
    pub fn shell_for(&self, target_id: &str) -> Result<Shell> {
        let mut spec = self.spec()?;
        spec.target = target_id.to_string();
        generate_visible(&spec)
    }

    /// Checks the output buffer's contents.
    pub fn check(&self, output: &[f32]) -> CaseCheck {
        self.seed.check(output)
    }

    fn spec(&self) -> Result<Spec> {
        self.seed
            .spec(None)
            .map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))
    }
}

fn generate_visible(spec: &Spec) -> Result<Shell> {
    let options = Options {
        body: Some(BodyMode::Visible),
        ..Options::default()
    };
    air_shell::generate(spec, &options).map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))
}

/// The MSL of a case's visible function, after the header.
fn msl_body(seed: SeedCase) -> String {
    let compute_tile = |body: &str| {
        format!(
            "[[visible]] void compute_tile(threadgroup float* A, threadgroup float* B,\n                              device float* C, uint tid, uint lane) {{\n    {body}\n}}\n"
        )
    };
    match seed {
        SeedCase::Simple => {
            "[[visible]] float transform_value(float v) {\n    return v * 3.0f + 7.0f;\n}\n"
                .to_string()
        }
        SeedCase::MultiBufferMulAdd => compute_tile("C[tid] = A[lane] * B[lane] + 42.0f;"),
        SeedCase::MultiBufferFma => compute_tile("C[tid] = fma(A[lane], B[lane], 100.0f);"),
        SeedCase::MultiBufferSqrt => compute_tile("C[tid] = sqrt(A[lane]) + B[lane] * 2.0f;"),
        SeedCase::Copy2d => "[[visible]] void process_tile(threadgroup float* tg, uint simd_lane) {\n    if (simd_lane < 32) {\n        tg[simd_lane] *= 10.0f;\n    }\n}\n".to_string(),
    }
}

/// Every case: `simple`, the three `multi_buffer` bodies, `copy_2d`.
pub fn all() -> Vec<Case> {
    SeedCase::ALL.into_iter().map(Case::new).collect()
}

/// One 32-float async copy per threadgroup (the 2D form the generated
/// shell uses), `transform_value(v) = v*3+7`.
pub fn simple() -> Case {
    Case::new(SeedCase::Simple)
}

/// Two tiles in one threadgroup global; three bodies.
pub fn multi_buffer() -> Vec<Case> {
    [
        SeedCase::MultiBufferMulAdd,
        SeedCase::MultiBufferFma,
        SeedCase::MultiBufferSqrt,
    ]
    .into_iter()
    .map(Case::new)
    .collect()
}

/// An 8×4 tile of an 8×16 matrix goes through threadgroup memory with 2D
/// copies both ways, scaled by 10 in between.
pub fn copy_2d() -> Case {
    Case::new(SeedCase::Copy2d)
}

/// A tiled example kernel of `examples/gemm` or `examples/attention` (the
/// cases of [`air_kernels`]) on the GPU in one body mode: `visible` JIT-
/// compiles the example's MSL bodies and links them with
/// `privateFunctions`; `inline` builds one monolithic kernel from the
/// shell with the example's AIR bodies imported (no JIT, no linking).
#[derive(Clone, Debug, PartialEq)]
pub struct TiledCase {
    /// Kernel, shape and inputs (buffers, dispatch, reference, tolerance).
    pub case: air_kernels::Case,
    /// The body mode.
    pub body: BodyMode,
    /// Whether `airlink doctor` also runs the case on the CPU executor for
    /// comparison (the small, ragged shapes; the large ones only time the
    /// GPU).
    pub on_cpu: bool,
}

impl TiledCase {
    /// `gemm/f32 100x72x130 visible`.
    pub fn name(&self) -> String {
        format!("{} {}", self.case.label(), self.body.name())
    }

    /// The MSL source the visible mode JIT-compiles (every body of the
    /// kernel in one translation unit).
    pub fn msl(&self) -> String {
        self.case.kernel().msl()
    }

    /// Generates the shell for `target_id` (`macos26`, `ios18`, ...) in
    /// this case's body mode, from the embedded example files in
    /// [`examples_dir`] (inline mode reads the `.ll` bodies from there).
    ///
    /// # Errors
    /// [`Step::BuildShell`] with the spec's or generator's diagnostics.
    pub fn shell_for(&self, target_id: &str) -> Result<Shell> {
        let build = |e: air_kernels::Error| Error::invalid(Step::BuildShell, e.to_string());
        let mut spec = self
            .case
            .kernel()
            .spec(Some(&examples_dir()?))
            .map_err(build)?;
        spec.target = target_id.to_string();
        let options = Options {
            body: Some(self.body),
            ..Options::default()
        };
        air_shell::generate(&spec, &options)
            .map_err(|e| Error::invalid(Step::BuildShell, e.to_string()))
    }
}

/// The folder the tiled cases are generated from: the embedded example
/// files ([`air_kernels::write_embedded`]) written once per process under
/// the temporary directory (once, so concurrent users in one process never
/// read a file while another rewrites it; per process, so concurrent
/// processes do not share one).
///
/// # Errors
/// [`Step::BuildShell`] when the files cannot be written.
pub fn examples_dir() -> Result<std::path::PathBuf> {
    static DIR: std::sync::OnceLock<std::result::Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("airlink-examples-{}", std::process::id()));
        air_kernels::write_embedded(&dir)
            .map(|()| dir)
            .map_err(|e| e.to_string())
    })
    .clone()
    .map_err(|e| Error::invalid(Step::BuildShell, e))
}

/// The tiled cases `airlink doctor` and the reverse-linking tests run, each
/// in both body modes: GEMM (float, and half inputs) at the ragged
/// 100x72x130 and at 256x256x256, attention at S = 77 and S = 512 (head
/// dimension 64); uniform random inputs.
pub fn tiled() -> Vec<TiledCase> {
    use air_kernels::{Case as Tiled, Inputs, Kernel};
    let mut shapes: Vec<(Option<Tiled>, bool)> = Vec::new();
    for kernel in [Kernel::GemmF32, Kernel::GemmF16] {
        shapes.push((
            Tiled::gemm(kernel, 100, 72, 130, Inputs::Uniform).ok(),
            true,
        ));
        shapes.push((
            Tiled::gemm(kernel, 256, 256, 256, Inputs::Uniform).ok(),
            false,
        ));
    }
    shapes.push((Tiled::attention(77).ok(), true));
    shapes.push((Tiled::attention(512).ok(), false));
    let mut out = Vec::new();
    for (case, on_cpu) in shapes {
        for body in [BodyMode::Visible, BodyMode::Inline] {
            out.extend(case.map(|case| TiledCase { case, body, on_cpu }));
        }
    }
    out
}
