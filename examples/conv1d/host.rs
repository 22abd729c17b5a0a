//! The conv1d example on a Mac's GPU, over air-metal (examples/conv1d/README.md):
//! generate the shell from `conv1d.toml` in-process, assemble it, JIT-compile
//! `conv1d.metal`, link `conv_window` through
//! `MTLLinkedFunctions.privateFunctions`, bind by the manifest's names,
//! dispatch with the manifest's threadgroup size and compare with a CPU
//! reference computed here.
//!
//! ```sh
//! cargo run -p air-metal --example conv1d
//! ```
//!
//! It runs undocumented async-copy intrinsics on the GPU: run it where a GPU
//! reset would not hurt. Written on Linux and compiled for
//! `aarch64-apple-darwin` in CI; it has never run on a Mac. Elsewhere it
//! builds the shell and checks the MSL prototype against the manifest.
//!
//! To use it for your own kernel: change the spec, the MSL body, the
//! buffers in `main` and the reference.

/// The spec and the MSL body, next to this file.
const SPEC: &str = include_str!("conv1d.toml");
const MSL: &str = include_str!("conv1d.metal");

/// Outputs; `x` holds `N + 4` inputs (the last threadgroup's halo).
const N: usize = 128;
const TAPS: [f32; 5] = [0.0625, 0.25, 0.375, 0.25, 0.0625];
const BIAS: f32 = 0.5;

/// The inputs: `x[j] = j % 7`.
fn inputs() -> Vec<f32> {
    (0..N + TAPS.len() - 1).map(|j| (j % 7) as f32).collect()
}

/// `y[i] = bias + sum_k taps[k] * x[i + k]`, in the MSL loop's order.
fn reference(x: &[f32]) -> Vec<f32> {
    (0..N)
        .map(|i| {
            TAPS.iter()
                .enumerate()
                .fold(BIAS, |acc, (k, t)| t.mul_add(x[i + k], acc))
        })
        .collect()
}

/// The shell, with calls to the visible function (what a host links).
fn shell() -> Result<air_shell::Shell, air_shell::Error> {
    let spec = air_shell::Spec::from_toml(SPEC, "conv1d.toml", None)?;
    let options = air_shell::Options {
        body: Some(air_shell::BodyMode::Visible),
        ..air_shell::Options::default()
    };
    air_shell::generate(&spec, &options)
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use air_metal::apple::Runtime;
    use air_metal::{Arg, CompileOptions, ConstantValue, FunctionConstants, Grid, LinkMode};

    let shell = shell()?;
    let metallib = air_metal::metallib_bytes(&shell)?;
    let runtime = Runtime::new()?;
    // The manifest's target decides the MSL version; fast math as the
    // shell's !air.compile_options declare.
    let options = CompileOptions::for_target_id(&shell.manifest.target);
    // Loads the library (newLibraryWithData), checks the MSL prototype
    // against the manifest, compiles the MSL and links it privately.
    let pipeline = runtime.pipeline(
        &metallib,
        &shell.manifest,
        MSL,
        &FunctionConstants::new(),
        &options,
        LinkMode::Private,
    )?;
    let device = runtime.device();
    let x_data = inputs();
    let x = device.buffer_from_slice(&x_data)?;
    let taps = device.buffer_from_slice(&TAPS)?;
    let y = device.buffer_zeroed::<f32>(N)?;
    // Bound by name: the manifest gives each name its [[buffer(n)]] slot;
    // the scalar goes in with setBytes. Threads per threadgroup come from
    // the manifest (32): one threadgroup per 32 outputs.
    device.dispatch(
        &pipeline,
        &[
            ("x", x.arg()),
            ("taps", taps.arg()),
            ("y", y.arg()),
            ("bias", Arg::Scalar(ConstantValue::Float(BIAS))),
        ],
        Grid::threads(N as u64),
    )?;
    let got = y.to_vec();
    let want = reference(&x_data);
    let check = air_shell::seed::compare(&got, &want, 1e-4);
    println!("conv1d on {}: {check}", device.info().name);
    if !check.passed() {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(not(any(target_os = "macos", target_os = "ios")))]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shell = shell()?;
    let metallib = air_metal::metallib_bytes(&shell)?;
    air_metal::check_signatures(&shell.manifest, MSL)?;
    println!(
        "conv1d needs Metal (macOS or iOS) to run. Here: the shell `{}` is {} bytes of metallib, \
         conv1d.metal's prototype matches its manifest, and the CPU reference gives y[0] = {}.",
        shell.manifest.kernel,
        metallib.len(),
        reference(&inputs())[0]
    );
    Ok(())
}
