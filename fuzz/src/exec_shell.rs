//! The `exec_shell` target: the CPU executor on kernels: input that parses
//! and verifies as AIR text runs as is (seeds: the IR corpus and the
//! generated reference shells); anything else selects a generated module
//! (`air_testgen::random_module`, seed and knobs from the bytes), whose every
//! kernel runs. Each run has a small grid and step budget, every buffer is
//! bound, and the outcome must be a result or an error: never a panic, a hang
//! or a blow-up.

use air_exec::{ArgKind, Bindings, Launch, Options, Program, Source};
use air_testgen::GenOptions;

/// The step budget of one run (thread-instructions).
pub const STEP_BUDGET: u64 = 200_000;

fn decode(data: &[u8]) -> (u64, GenOptions) {
    let mut seed = [0u8; 8];
    let n = data.len().min(8);
    seed[..n].copy_from_slice(&data[..n]);
    let byte = |i: usize| data.get(i).copied().unwrap_or(0) as usize;
    let options = GenOptions {
        kernels: 1 + byte(8) % 3,
        stretch: byte(9) % 12,
        depth: (byte(10) % 3) as u32,
        debug_info: false,
    };
    (u64::from_le_bytes(seed), options)
}

/// Kernel names listed in `!air.kernel`, in order (at most 4).
fn kernels(module: &air_ir::Module) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = module
        .functions
        .iter()
        .filter(|f| !f.is_declaration())
        .map(|f| Some(f.name.clone()))
        .take(4)
        .collect();
    names.insert(0, None);
    names
}

/// Runs one input; returns how many kernel runs completed without error.
pub fn run(data: &[u8]) -> usize {
    let mut completed = 0;
    let source = match std::str::from_utf8(data)
        .ok()
        .and_then(|t| Source::parse(t, "fuzz.ll").ok())
    {
        Some(s) => s,
        None => {
            let (seed, options) = decode(data);
            let module = air_testgen::random_module(seed, options);
            match Source::from_module(module, "gen.ll") {
                Ok(s) => s,
                Err(e) => panic!("generated module (seed {seed}) does not verify: {e}"),
            }
        }
    };
    let threads = 1 + data.last().copied().unwrap_or(0) as u32 % 96;
    let per_group = [1, 4, 32, 64][data.first().copied().unwrap_or(0) as usize % 4];
    for kernel in kernels(source.module()) {
        let Ok(mut program) = Program::new(source.clone(), kernel.as_deref()) else {
            continue;
        };
        // Visible functions some shells call, as closures.
        program.register("transform_value", "float (float)", |args| match args {
            [air_exec::HostValue::Float(x)] => Ok(air_exec::HostValue::Float(x * 2.0 + 1.0)),
            _ => Err("bad arguments".into()),
        });
        let mut bindings = Bindings::new();
        for arg in program.kernel_args() {
            match &arg.kind {
                ArgKind::Buffer { index, .. } => {
                    let words: Vec<u32> = (0..1024u32).map(|i| i % 7 + 1).collect();
                    bindings.set_u32(*index, &words);
                }
                ArgKind::ThreadgroupMemory { index } => {
                    bindings.set_threadgroup_length(*index, 4096);
                }
                ArgKind::System { .. } => {}
            }
        }
        let options = Options {
            step_budget: STEP_BUDGET,
            ..Options::default()
        };
        if program
            .run(&Launch::linear(threads, per_group), &mut bindings, &options)
            .is_ok()
        {
            completed += 1;
        }
    }
    completed
}
