//! `airlink demo`: a guided run over the embedded reverse-linking shell.
//!
//! It grows with the toolkit: today it parses, verifies and describes the
//! shell; assembling and executing it join when those parts exist.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use air_ir::{ConstKind, InstKind, Metadata, Module, Value};
use anyhow::Result;

/// The default shell: the simple 1D reverse-linking kernel of the corpus.
const SIMPLE_SHELL: &str = include_str!("../../../tests/corpus/simple_1d.ll");

/// Options of `airlink demo`.
#[derive(clap::Args, Debug)]
pub struct Opts {
    /// Also print the shell's canonical text.
    #[arg(long)]
    print: bool,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let report = run_demo(self.print)?;
        print!("{report}");
        Ok(())
    }
}

/// Runs the demo and returns what it prints.
pub fn run_demo(print_text: bool) -> Result<String> {
    let mut out = String::new();
    let name = "simple_1d.ll (embedded)";
    writeln!(out, "airlink demo: the reverse-linking shell {name}")?;

    let start = Instant::now();
    let module = air_ir::parse(SIMPLE_SHELL, name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let parse_time = start.elapsed();
    let defined = module
        .functions
        .iter()
        .filter(|f| !f.is_declaration())
        .count();
    writeln!(
        out,
        "[1/3] parsed {} bytes of AIR text in {:.0} µs: {} defined function(s), {} declaration(s), {} global(s), {} metadata item(s)",
        SIMPLE_SHELL.len(),
        parse_time.as_secs_f64() * 1e6,
        defined,
        module.functions.len() - defined,
        module.globals.len(),
        module.metadata.len()
    )?;

    air_ir::verify(&module).map_err(|e| anyhow::anyhow!("{name}: error: {e}"))?;
    writeln!(out, "[2/3] verified: types, SSA dominance, intrinsic signatures and metadata references are consistent")?;

    writeln!(out, "[3/3] what the shell does:")?;
    describe(&module, &mut out)?;

    let text = air_ir::print(&module);
    let again = air_ir::parse(&text, "canonical text").map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(
        again == module,
        "the canonical text does not read back as the same module"
    );
    writeln!(
        out,
        "canonical text: {} bytes; it reads back as the same module (`airlink fmt` prints it)",
        text.len()
    )?;
    writeln!(
        out,
        "not yet in this build: assembling to .metallib, shell generation and CPU execution"
    )?;
    if print_text {
        writeln!(out)?;
        out.push_str(&text);
    }
    Ok(out)
}

/// Lists kernels, their argument metadata, intrinsic calls and visible
/// function references.
fn describe(m: &Module, out: &mut String) -> Result<()> {
    for kernel in kernels(m) {
        let f = m.function(kernel);
        writeln!(
            out,
            "  kernel @{} with {} argument(s)",
            f.name,
            f.params.len()
        )?;
        let mut calls: BTreeMap<String, usize> = BTreeMap::new();
        for (_, id) in f.layout() {
            if let InstKind::Call(call) = &f.inst(id).kind {
                if let Value::Const(c) = call.callee {
                    if let ConstKind::Function(callee) = m.consts.get(c).kind {
                        *calls.entry(m.function(callee).name.clone()).or_default() += 1;
                    }
                }
            }
        }
        for (callee, n) in &calls {
            let role = if callee.starts_with("air.simdgroup_async_copy") {
                "async copy (DMA)"
            } else if callee.starts_with("air.wait_simdgroup_events") {
                "wait for copies"
            } else if callee.starts_with("air.wg.barrier") {
                "threadgroup barrier"
            } else if callee.ends_with(".MTL_VISIBLE_FN_REF") {
                "visible function, linked at pipeline creation"
            } else {
                "call"
            };
            writeln!(out, "    {n} × @{callee}: {role}")?;
        }
    }
    if let Some(refs) = m.named("air.visible_function_references") {
        for node in &refs.operands {
            if let Metadata::Node { operands, .. } = m.meta(*node) {
                if let Some(Some(name)) = operands.get(2) {
                    if let Metadata::String(s) = m.meta(*name) {
                        writeln!(
                            out,
                            "  links against [[visible]] function '{}' (JIT-compiled from MSL at run time)",
                            String::from_utf8_lossy(s)
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Functions listed in `!air.kernel`.
fn kernels(m: &Module) -> Vec<air_ir::FuncId> {
    let mut out = Vec::new();
    let Some(list) = m.named("air.kernel") else {
        return out;
    };
    for node in &list.operands {
        if let Metadata::Node { operands, .. } = m.meta(*node) {
            if let Some(Some(first)) = operands.first() {
                if let Metadata::Value {
                    value: Value::Const(c),
                    ..
                } = m.meta(*first)
                {
                    if let ConstKind::Function(f) = m.consts.get(*c).kind {
                        out.push(f);
                    }
                }
            }
        }
    }
    out
}
