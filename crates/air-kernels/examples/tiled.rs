//! Runs a tiled example kernel on the CPU executor at a chosen shape and
//! prints the wall time, the thread-instructions executed and their rate,
//! and the check against the f64 reference: the entry point for the
//! executor's benchmark numbers in BENCHMARKS.md.
//!
//! ```text
//! cargo run --release -p air-kernels --example tiled                # GEMM 256^3 and attention S=512
//! cargo run --release -p air-kernels --example tiled -- gemm 256 256 256 [f32|f16] [MODE]
//! cargo run --release -p air-kernels --example tiled -- attention 512 [MODE]
//! ```
//!
//! MODE is `visible` (default), `inline`, `visible+cooperative` or
//! `inline+cooperative`; `--threads N` sets the executor's worker threads
//! (default: all cores). The example files are read from the source tree's
//! `examples/`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use air_kernels::cpu::{self, Mode, Options};
use air_kernels::{Case, Inputs, Kernel};

fn mode(name: Option<&String>) -> Result<Mode, String> {
    let name = name.map_or("visible", String::as_str);
    Mode::ALL
        .into_iter()
        .find(|m| m.name() == name)
        .ok_or_else(|| format!("unknown mode `{name}`"))
}

fn parse(args: &[String]) -> Result<Vec<(Case, Mode)>, String> {
    let num = |i: usize| -> Result<u32, String> {
        args.get(i)
            .ok_or("missing a dimension")?
            .parse()
            .map_err(|e| format!("{e}"))
    };
    let err = |e: air_kernels::Error| e.to_string();
    match args.first().map(String::as_str) {
        None => Ok(vec![
            (
                Case::gemm(Kernel::GemmF32, 256, 256, 256, Inputs::Uniform).map_err(err)?,
                Mode::ALL[0],
            ),
            (Case::attention(512).map_err(err)?, Mode::ALL[0]),
        ]),
        Some("gemm") => {
            let kernel = match args.get(4).map(String::as_str) {
                None | Some("f32") => Kernel::GemmF32,
                Some("f16") => Kernel::GemmF16,
                Some(other) => return Err(format!("unknown precision `{other}`")),
            };
            let case =
                Case::gemm(kernel, num(1)?, num(2)?, num(3)?, Inputs::Uniform).map_err(err)?;
            Ok(vec![(case, mode(args.get(5))?)])
        }
        Some("attention") => Ok(vec![(
            Case::attention(num(1)?).map_err(err)?,
            mode(args.get(2))?,
        )]),
        Some(other) => Err(format!("unknown kernel `{other}` (gemm or attention)")),
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 0;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        match args.get(i + 1).and_then(|n| n.parse().ok()) {
            Some(n) => threads = n,
            None => {
                eprintln!("tiled: --threads needs a number");
                return ExitCode::from(2);
            }
        }
        args.drain(i..i + 2);
    }
    let runs = match parse(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!(
                "tiled: {e}\nusage: tiled [gemm M N K [f32|f16] [MODE] | attention S [MODE]]"
            );
            return ExitCode::from(2);
        }
    };
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let options = Options {
        step_budget: 10_000_000_000,
        threads,
        ..Options::default()
    };
    let mut ok = true;
    for (case, mode) in runs {
        let t = Instant::now();
        let program = match cpu::program(case.kernel(), &examples, mode) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("tiled: {}: {e}", case.label());
                return ExitCode::FAILURE;
            }
        };
        let build = t.elapsed();
        match cpu::run(&case, &program, &options) {
            Ok(run) => {
                let secs = run.elapsed.as_secs_f64();
                println!(
                    "{} {} ({} threads): {:.3} s, {} thread-instructions, {:.1} M/s ({} threadgroups; shell built in {:.0} ms); {}",
                    case.label(),
                    mode.name(),
                    if threads == 0 { "all".to_string() } else { threads.to_string() },
                    secs,
                    run.report.steps,
                    run.report.steps as f64 / secs.max(1e-9) / 1e6,
                    run.report.threadgroups,
                    build.as_secs_f64() * 1e3,
                    run.check
                );
                ok &= run.check.passed();
            }
            Err(e) => {
                eprintln!("tiled: {} {}: {e}", case.label(), mode.name());
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
