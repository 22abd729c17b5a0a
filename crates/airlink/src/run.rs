//! `airlink run`: execute a kernel on the CPU reference executor (air-exec)
//! and print or check its buffers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use air_exec::{
    ArgKind, Bindings, ErrorKind, ExecError, KernelArg, Launch, Options, Program, Source,
};
use anyhow::{anyhow, bail, Result};

use crate::io::{display_name, read_input, MAX_INPUT_BYTES};
use crate::limits::{MAX_ARGUMENT_BYTES, MAX_EXPR_DEPTH, MAX_EXPR_OPERATORS};
use crate::out::print;
use crate::shell::{shell_options, Body, Fallback};

const GRAMMAR: &str = "\
Buffers are named by kernel argument (`air.arg_name`); every buffer must get an
INIT, every written buffer is printed unless --expect checks it.

INIT (--buffer NAME=INIT), one of:
  COUNT             COUNT zero elements
  COUNT:EXPR        COUNT elements, element i = EXPR
  [V, V, ...]       the listed values
Elements have the argument's type (air.arg_type_name: float, half, int, uint,
short, ushort, char, uchar, long, ulong; vector names such as float4 count
scalars). For a threadgroup-memory argument COUNT is its length in bytes.

Scalar arguments (a spec's [[scalar]], `constant T& NAME [[buffer(n)]]` in MSL)
take one value: --scalar NAME=VALUE, the same as --buffer 'NAME=[VALUE]'.
(--buffer NAME=2.5 is not a scalar: a bare number is a COUNT.)

EXPR, evaluated in f64 for each element index i:
  numbers, `i`, NAME (element i of buffer NAME as initialized, in --expect),
  + - * / % (float remainder), unary -, ( ), comparisons < <= > >= == != (1 or 0),
  sqrt(x) abs(x) floor(x) ceil(x) min(a,b) max(a,b) fma(a,b,c) select(c,a,b)

--expect NAME=EXPR[~TOL]: every element of NAME after the run equals EXPR
within TOL (default 0, exact); the exit status is 1 if any differs.

Examples:
  airlink run examples/specs/simple.toml --grid 128 --buffer src=128:i+1 --buffer dst=128 \\
      --expect 'dst=(i+1)*3+7~0.01'
  airlink run examples/specs/multi_buffer.toml --grid 1024 --body inline \\
      --buffer A=1024:i+1 --buffer 'B=1024:0.5*i+0.1' --buffer C=1024 --expect 'C=A*B+42~0.1'
  airlink run examples/specs/copy_2d.toml --grid 32 --buffer 'src=128:100*floor(i/16)+i%16' \\
      --buffer dst=128:-1 --expect 'dst=select(i%16<4, src*10, -1)~0.1'
  airlink run tests/corpus/simple_1d.ll --grid 128 --threadgroup 32 \\
      --link examples/specs/simple_transform.ll --buffer src=128:i --buffer dst=128
  airlink run examples/conv1d/conv1d.toml --grid 128 --buffer 'x=132:i%7' \\
      --buffer 'taps=[0.0625, 0.25, 0.375, 0.25, 0.0625]' --scalar bias=0.5 --buffer y=128

A spec's visible functions run as their [[function]] `inline` .ll bodies unless --link
names other modules; a .ll kernel's visible functions need --link BODY.ll.";

/// A byte count: digits, optionally followed by K, M or G (binary units).
fn parse_bytes(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let (digits, shift) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 10),
        Some((i, 'M' | 'm')) => (&t[..i], 20),
        Some((i, 'G' | 'g')) => (&t[..i], 30),
        _ => (t, 0),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1u64 << shift))
        .ok_or_else(|| format!("`{text}` is not a byte count (digits, optionally with K, M or G)"))
}

/// Options of `airlink run`.
#[derive(clap::Args, Debug)]
#[command(after_help = GRAMMAR)]
pub struct Opts {
    /// A shell spec (.toml, generated in-process), an AIR module (.ll), bitcode or a .metallib.
    input: PathBuf,
    /// Threads in the grid, as `dispatchThreads` counts them: X[,Y[,Z]].
    #[arg(long, value_name = "X[,Y,Z]", value_parser = dims)]
    grid: [u32; 3],
    /// Threads per threadgroup (default: the spec's, or 32).
    #[arg(long, value_name = "X[,Y,Z]", value_parser = dims)]
    threadgroup: Option<[u32; 3]>,
    /// A module whose functions resolve visible functions and declarations.
    #[arg(long, value_name = "BODY.ll")]
    link: Vec<PathBuf>,
    /// Initial contents of a buffer: NAME=INIT (see below).
    #[arg(long, value_name = "NAME=INIT", value_parser = BufferArg::parse)]
    buffer: Vec<BufferArg>,
    /// The value of a scalar argument (`constant T&`): NAME=VALUE.
    #[arg(long, value_name = "NAME=VALUE", value_parser = ScalarArg::parse)]
    scalar: Vec<ScalarArg>,
    /// Check a buffer after the run: NAME=EXPR[~TOL].
    #[arg(long, value_name = "NAME=EXPR[~TOL]", value_parser = ExpectArg::parse)]
    expect: Vec<ExpectArg>,
    /// The kernel to run (default: the first in !air.kernel).
    #[arg(long)]
    kernel: Option<String>,
    /// For specs: the body mode (default: the spec's).
    #[arg(long, value_enum)]
    body: Option<Body>,
    /// For specs: the copy mechanism (default: the spec's).
    #[arg(long, value_enum)]
    fallback: Option<Fallback>,
    /// Print each simdgroup's copies, waits and barriers.
    #[arg(long)]
    trace: bool,
    /// Work allowed before the run fails, in work units (an instruction is
    /// one; vector values, memory copies and matrix operations count their
    /// size).
    #[arg(long, default_value_t = air_exec::limits::DEFAULT_STEP_BUDGET)]
    budget: u64,
    /// Memory the run may hold: bytes, or with a K, M or G suffix (KiB, MiB,
    /// GiB).
    #[arg(long, value_name = "BYTES", default_value_t = air_exec::limits::DEFAULT_MEMORY_LIMIT, value_parser = parse_bytes)]
    memory_limit: u64,
    /// Worker threads for threadgroups (0: one per core); results do not
    /// depend on it.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Allow reads of threadgroup memory nothing wrote.
    #[arg(long)]
    no_poison: bool,
}

/// A `--buffer NAME=INIT`, checked when the command line is read (a
/// malformed one is a usage error).
#[derive(Clone, Debug)]
pub struct BufferArg {
    /// The argument as given, for messages.
    text: String,
    name: String,
    init: Init,
}

/// What a `--buffer` gives its buffer.
#[derive(Clone, Debug)]
enum Init {
    /// `COUNT` zeros, or `COUNT:EXPR`.
    Count(usize, Option<Expr>),
    /// `[V, V, ...]`.
    List(Vec<f64>),
}

impl BufferArg {
    fn parse(text: &str) -> std::result::Result<BufferArg, String> {
        check_length(text)?;
        let (name, init) = text
            .split_once('=')
            .ok_or("expected NAME=INIT (see `airlink run --help`)")?;
        Ok(BufferArg {
            text: text.to_string(),
            name: name.trim().to_string(),
            init: Init::parse(init).map_err(|e| format!("in `{}`: {e}", shown(init)))?,
        })
    }
}

/// A `--scalar NAME=VALUE`, checked when the command line is read.
#[derive(Clone, Debug)]
pub struct ScalarArg {
    /// The argument as given, for messages.
    text: String,
    name: String,
    value: f64,
}

impl ScalarArg {
    fn parse(text: &str) -> std::result::Result<ScalarArg, String> {
        check_length(text)?;
        let (name, value) = text
            .split_once('=')
            .ok_or("expected NAME=VALUE (see `airlink run --help`)")?;
        let number = value
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("`{}` is not a number", shown(value)))?;
        Ok(ScalarArg {
            text: text.to_string(),
            name: name.trim().to_string(),
            value: number,
        })
    }
}

/// A `--expect NAME=EXPR[~TOL]`, checked when the command line is read.
#[derive(Clone, Debug)]
pub struct ExpectArg {
    /// The argument as given, for messages.
    text: String,
    name: String,
    expr: Expr,
    tol: f64,
}

impl ExpectArg {
    fn parse(text: &str) -> std::result::Result<ExpectArg, String> {
        check_length(text)?;
        let (name, rest) = text
            .split_once('=')
            .ok_or("expected NAME=EXPR[~TOL] (see `airlink run --help`)")?;
        let (expr, tol) = match rest.rsplit_once('~') {
            Some((x, t)) => (
                x,
                t.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|t| *t >= 0.0)
                    .ok_or_else(|| format!("`{t}` is not a tolerance (a number, 0 or more)"))?,
            ),
            None => (rest, 0.0),
        };
        Ok(ExpectArg {
            text: text.to_string(),
            name: name.trim().to_string(),
            expr: Expr::parse(expr).map_err(|e| format!("in `{}`: {e}", shown(expr)))?,
            tol,
        })
    }
}

/// `text` for a message: its first 40 characters.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// Refuses an expression argument over [`MAX_ARGUMENT_BYTES`].
fn check_length(text: &str) -> std::result::Result<(), String> {
    if text.len() > MAX_ARGUMENT_BYTES {
        return Err(format!(
            "the value is {} bytes, over the {} KiB limit",
            text.len(),
            MAX_ARGUMENT_BYTES >> 10
        ));
    }
    Ok(())
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let loaded = self.program()?;
        let generated = loaded.generated.as_ref().map(|(file, _)| file.as_str());
        let mut result = self.run_program(&loaded.program, loaded.threadgroup, generated);
        if let (Some((module_file, spec)), Err(e)) = (&loaded.generated, result.as_ref()) {
            // Positions in the generated module point at text that is not
            // on disk: say where it comes from and how to see it.
            if e.to_string().contains(module_file.as_str()) {
                let note = format!(
                    "{module_file} is the module generated from {spec}, not a file on disk; \
                     `airlink shell {spec} --emit-ll {module_file}` writes it"
                );
                result = result.map_err(|e| crate::out::with_note(e, &note));
            }
        }
        if loaded.bad_hashes.is_empty() {
            return result;
        }
        let name = display_name(&self.input);
        // As `inspect`: the work is done, then the damage reported.
        result
            .and_then(|()| Err(crate::out::hash_mismatch(&name, &loaded.bad_hashes, false)))
            .map_err(|e| {
                if e.downcast_ref::<crate::out::Exit>().is_some() {
                    return e;
                }
                crate::out::with_note(
                    e,
                    &format!(
                        "{name}: a function's HASH does not match its module: the library is damaged"
                    ),
                )
            })
    }

    /// Runs `program` and prints or checks its buffers; `generated` names
    /// the module generated from a spec.
    fn run_program(
        &self,
        program: &Program,
        default_tg: [u32; 3],
        generated: Option<&str>,
    ) -> Result<()> {
        let launch = Launch {
            grid: self.grid,
            threadgroup: self.threadgroup.unwrap_or(default_tg),
        };
        let (mut bindings, initial) = self.bindings(program)?;
        let options = Options {
            step_budget: self.budget,
            memory_limit: self.memory_limit,
            threads: self.threads,
            poison_threadgroup: !self.no_poison,
            trace: self.trace,
        };
        let report = program
            .run(&launch, &mut bindings, &options)
            .map_err(|e| anyhow!("{}", run_error(&e)))?;
        // Kernel, argument and global names come from the input: control
        // characters in every line are escaped (lines are not shortened:
        // this is the command's output).
        let print = |text: &str| print(&terminal_text::escape_text(text));
        for line in &report.trace {
            print(&format!("{line}\n"))?;
        }
        if let (true, Some(file)) = (self.trace, generated) {
            print(&format!("{}\n", self.generated_note(file)))?;
        }
        print(&format!(
            "ran @{} on the cpu reference executor (docs/executor-semantics.md, not a GPU): {} threads in {}, {} thread-instructions\n",
            program.kernel_name(),
            report.threads,
            count(report.threadgroups, "threadgroup"),
            report.steps
        ))?;
        let mut failed = 0;
        let mut checked = Vec::new();
        for e in &self.expect {
            let name = e.name.as_str();
            let (index, elem) = buffer_arg(program, name)?;
            let got = elem.read(bindings.bytes(index).unwrap_or_default());
            let mut bad = Vec::new();
            for (i, g) in got.iter().enumerate() {
                let want = e
                    .expr
                    .eval(i, &initial)
                    .map_err(|m| anyhow!("--expect `{}`: {m}", e.text))?;
                if !(*g == want || (g - want).abs() <= e.tol) {
                    bad.push(format!("{name}[{i}] = {g}, expected {want}"));
                }
            }
            print(&format!(
                "expect {name}: {}/{} correct\n",
                got.len() - bad.len(),
                got.len()
            ))?;
            for b in bad.iter().take(5) {
                print(&format!("  {b}\n"))?;
            }
            if !bad.is_empty() {
                failed += 1;
            }
            checked.push(name.to_string());
        }
        for arg in program.kernel_args() {
            if let ArgKind::Buffer { index, access, .. } = &arg.kind {
                if access == "air.read" || checked.contains(&arg.name) {
                    continue;
                }
                let (_, elem) = buffer_arg(program, &arg.name)?;
                let values = elem.read(bindings.bytes(*index).unwrap_or_default());
                let shown: Vec<String> = values.iter().take(32).map(|v| v.to_string()).collect();
                let more = if values.len() > 32 {
                    format!(", … ({} values)", values.len())
                } else {
                    String::new()
                };
                print(&format!("{} = [{}{more}]\n", arg.name, shown.join(", ")))?;
            }
        }
        if failed > 0 {
            bail!("{failed} expectation(s) failed");
        }
        Ok(())
    }

    /// For a spec: what the trace's `FILE:LINE` positions cite (`file`,
    /// the shell generated in memory, which is not on disk) and the
    /// command that writes it with the same lines.
    fn generated_note(&self, file: &str) -> String {
        let spec = display_name(&self.input);
        let mut flags = String::new();
        if let Some(body) = self.body {
            flags.push_str(&format!(" --body {}", body_flag(body)));
        }
        if let Some(fallback) = self.fallback {
            flags.push_str(&format!(" --fallback {}", fallback_flag(fallback)));
        }
        format!(
            "(positions cite {file}, the shell generated in memory from {spec}; \
             `airlink shell {spec}{flags} --emit-ll {file}` writes it with the same lines)"
        )
    }

    /// The program, its default threadgroup size, and where it came from.
    fn program(&self) -> Result<Loaded> {
        let is_spec = self.input.extension().is_some_and(|e| e == "toml");
        let mut links: Vec<Source> = Vec::new();
        for l in &self.link {
            links.push(load_source(l, None)?.0);
        }
        let mut bad_hashes = Vec::new();
        let mut generated = None;
        let (mut program, tg) = if is_spec {
            let spec = crate::shell::read_spec(&self.input)?;
            let options = shell_options(self.body, self.fallback);
            let shell = air_shell::generate(&spec, &options)?;
            // Visible mode without --link: the spec's own bodies stand in
            // for the JIT-compiled visible functions, read under the
            // spec's path rules (air_shell::inline).
            if links.is_empty() && !shell.manifest.visible.is_empty() {
                links = spec_bodies(&spec, &self.input)?;
            }
            let name = format!("{}.ll", shell.module_name);
            generated = Some((name.clone(), display_name(&self.input)));
            let source = Source::parse(&shell.ll_text(), &name).map_err(|e| anyhow!("{e}"))?;
            let kernel = self.kernel.clone().unwrap_or(shell.manifest.kernel.clone());
            (
                Program::new(source, Some(&kernel)).map_err(|e| anyhow!("{name}: {e}"))?,
                shell.manifest.threadgroup_size,
            )
        } else {
            let (source, bad) = load_source(&self.input, self.kernel.as_deref())?;
            bad_hashes = bad;
            (
                Program::new(source, self.kernel.as_deref())
                    .map_err(|e| anyhow!("{}: {e}", display_name(&self.input)))?,
                // One simdgroup.
                [air_target::SIMD_WIDTH, 1, 1],
            )
        };
        for l in links {
            program.link(l);
        }
        Ok(Loaded {
            program,
            threadgroup: tg,
            generated,
            bad_hashes,
        })
    }

    /// Bindings from --buffer, and the initial values by name (for EXPR).
    fn bindings(&self, program: &Program) -> Result<(Bindings, HashMap<String, Vec<f64>>)> {
        let mut b = Bindings::new();
        let mut initial = HashMap::new();
        for buffer in &self.buffer {
            let (spec, name) = (&buffer.text, buffer.name.as_str());
            let arg = program
                .kernel_args()
                .iter()
                .find(|a| a.name == name)
                .ok_or_else(|| {
                    anyhow!(
                        "--buffer `{spec}`: the kernel has no argument `{name}` ({})",
                        arg_names(program)
                    )
                })?;
            let values = buffer
                .init
                .values()
                .map_err(|m| anyhow!("--buffer `{spec}`: {m}"))?;
            match &arg.kind {
                ArgKind::ThreadgroupMemory { index } => {
                    b.set_threadgroup_length(*index, values.len() as u64);
                }
                ArgKind::Buffer { index, .. } => {
                    let (_, elem) = buffer_arg(program, name)?;
                    b.set_bytes(*index, elem.write(&values));
                    initial.insert(name.to_string(), values);
                }
                ArgKind::System { .. } => {
                    bail!("--buffer `{spec}`: `{name}` is a system value, not a buffer")
                }
            }
        }
        for scalar in &self.scalar {
            let (spec, name) = (&scalar.text, scalar.name.as_str());
            match program.kernel_args().iter().find(|a| a.name == name) {
                Some(KernelArg {
                    kind:
                        ArgKind::Buffer {
                            index,
                            address_space: 2,
                            ..
                        },
                    ..
                }) => {
                    let (_, elem) = buffer_arg(program, name)?;
                    b.set_bytes(*index, elem.write(&[scalar.value]));
                    initial.insert(name.to_string(), vec![scalar.value]);
                }
                Some(_) => bail!(
                    "--scalar `{spec}`: `{name}` is not a scalar (a `constant` argument); use --buffer"
                ),
                None => bail!(
                    "--scalar `{spec}`: the kernel has no argument `{name}` ({})",
                    arg_names(program)
                ),
            }
        }
        for arg in program.kernel_args() {
            if let ArgKind::Buffer {
                index,
                address_space,
                ..
            } = &arg.kind
            {
                if b.bytes(*index).is_some() {
                    continue;
                }
                let name = &arg.name;
                if *address_space == 2 {
                    bail!("`{name}` has no value; pass --scalar {name}=VALUE (or --buffer {name}=COUNT[:EXPR] for a constant array)");
                }
                bail!("buffer `{name}` has no contents; pass --buffer {name}=COUNT[:EXPR]");
            }
        }
        Ok((b, initial))
    }
}

/// An executor error as the command line should say it: an unresolved
/// visible function names the flag that resolves it.
fn run_error(e: &ExecError) -> String {
    match &e.kind {
        ErrorKind::UnresolvedVisible { name, reason }
            if reason.starts_with("no linked module defines it") =>
        {
            let declared = reason
                .split_once("(the shell declares ")
                .map_or(String::new(), |(_, rest)| {
                    format!(" (the shell declares {rest}")
                });
            format!(
                "unresolved visible function `{name}`: no module defines it{declared}; \
                 pass its AIR body with --link BODY.ll, or for a spec give its [[function]] an \
                 `inline` body"
            )
        }
        _ => e.to_string(),
    }
}

/// `1 threadgroup`, `4 threadgroups`.
fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn body_flag(body: Body) -> &'static str {
    match body {
        Body::Visible => "visible",
        Body::Inline => "inline",
    }
}

fn fallback_flag(fallback: Fallback) -> &'static str {
    match fallback {
        Fallback::None => "none",
        Fallback::Cooperative => "cooperative",
    }
}

/// A program ready to run, with what `run` says about where it came from.
struct Loaded {
    program: Program,
    /// The default threadgroup size.
    threadgroup: [u32; 3],
    /// For a spec: the generated module's file name and the spec's.
    generated: Option<(String, String)>,
    /// Functions of a library input whose HASH does not match.
    bad_hashes: Vec<String>,
}

/// The inline bodies `spec` names, read under its path rules
/// ([`air_shell::inline`]) and remembered as inputs.
fn spec_bodies(spec: &air_shell::Spec, spec_path: &Path) -> Result<Vec<Source>> {
    let base = spec.base_dir.as_deref();
    let mut bodies = Vec::new();
    for f in &spec.functions {
        let Some(path) = &f.inline else { continue };
        let (resolved, text) = air_shell::inline::resolve(base, path)
            .and_then(|p| air_shell::inline::read(base, &p).map(|t| (p, t)))
            .map_err(|why| {
                anyhow!(
                    "{}: inline body `{}` of `{}`: {why}",
                    display_name(spec_path),
                    path.display(),
                    f.name
                )
            })?;
        crate::io::remember_input(&resolved);
        bodies.push(
            Source::parse(&text, &resolved.display().to_string()).map_err(|e| anyhow!("{e}"))?,
        );
    }
    Ok(bodies)
}

/// Loads AIR text, bitcode (raw or wrapped) or a `.metallib` through the
/// command line's input (its size limit, its identity remembered); for a
/// library, the module of `kernel` (or of its first kernel, else its first
/// function) is read back with our bitcode reader, so no LLVM is needed.
/// Messages name the file as given. Also returns the library's functions
/// whose HASH does not match.
fn load_source(path: &Path, kernel: Option<&str>) -> Result<(Source, Vec<String>)> {
    let bytes = read_input(path, MAX_INPUT_BYTES)?;
    let name = display_name(path);
    if bytes.is_empty() {
        bail!("{name}: the file is empty; expected AIR text, LLVM bitcode or a .metallib");
    }
    let from_bitcode = |module_bytes: &[u8], label: &str| -> Result<Source> {
        let module =
            air_bitcode::read_module(module_bytes).map_err(|e| anyhow!("{name}: {label}: {e}"))?;
        Source::from_module(module, &name).map_err(|e| anyhow!("{e}"))
    };
    if bytes.starts_with(b"MTLB") {
        let file = metallib::MetallibFile::parse(&bytes).map_err(|e| anyhow!("{name}: {e}"))?;
        let functions = file.functions();
        let chosen = match kernel {
            Some(k) => functions.iter().find(|f| f.name == k),
            None => functions
                .iter()
                .find(|f| f.function_type == Some(metallib::raw::FunctionType::KERNEL))
                .or_else(|| functions.first()),
        }
        .ok_or_else(|| {
            anyhow!(
                "{name}: no function {} in the library",
                kernel.unwrap_or("")
            )
        })?;
        let label = format!("module of {}", terminal_text::escape(chosen.name));
        return Ok((
            from_bitcode(chosen.module, &label)?,
            crate::out::bad_hashes(&file),
        ));
    }
    if air_bitcode::read::is_bitcode(&bytes) {
        return Ok((from_bitcode(&bytes, "bitcode")?, Vec::new()));
    }
    let text = crate::io::text(bytes, &name, ", LLVM bitcode or a .metallib")?;
    let source = Source::parse(&text, &name)
        .map_err(|e| crate::fmt::not_a_spec(anyhow!("{e}"), path, &text))?;
    Ok((source, Vec::new()))
}

fn arg_names(program: &Program) -> String {
    let names: Vec<&str> = program
        .kernel_args()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    format!("its arguments are {}", names.join(", "))
}

/// `X[,Y[,Z]]`, each a thread count of at least 1 (the value parser of
/// `--grid` and `--threadgroup`, so a bad value is a usage error).
fn dims(text: &str) -> std::result::Result<[u32; 3], String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.is_empty() || parts.len() > 3 {
        return Err(format!("expected X[,Y[,Z]], got `{text}`"));
    }
    let mut out = [1u32; 3];
    for (o, p) in out.iter_mut().zip(&parts) {
        *o = match p.parse::<u32>() {
            Ok(0) => return Err("a thread count must be at least 1".to_string()),
            Ok(n) => n,
            Err(_) => return Err(format!("`{p}` is not a thread count (X[,Y[,Z]])")),
        };
    }
    Ok(out)
}

impl Init {
    /// Reads an INIT; an expression is parsed here and evaluated by
    /// [`Init::values`].
    fn parse(init: &str) -> std::result::Result<Init, String> {
        let init = init.trim();
        if let Some(list) = init.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            return list
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(|s| {
                    s.trim()
                        .parse::<f64>()
                        .map_err(|_| format!("`{}` is not a number", s.trim()))
                })
                .collect::<std::result::Result<_, _>>()
                .map(Init::List);
        }
        let (count, expr) = match init.split_once(':') {
            Some((c, e)) => (c, Some(e)),
            None => (init, None),
        };
        let n: usize = count
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not an element count", count.trim()))?;
        if n > 1 << 26 {
            return Err(format!("{n} elements is too many (at most 2^26)"));
        }
        Ok(Init::Count(n, expr.map(Expr::parse).transpose()?))
    }

    /// The values it gives (for threadgroup memory: one per byte).
    fn values(&self) -> std::result::Result<Vec<f64>, String> {
        match self {
            Init::List(v) => Ok(v.clone()),
            Init::Count(n, None) => Ok(vec![0.0; *n]),
            Init::Count(n, Some(expr)) => {
                let none = HashMap::new();
                (0..*n).map(|i| expr.eval(i, &none)).collect()
            }
        }
    }
}

/// The values an INIT gives.
#[cfg(test)]
fn init_values(init: &str) -> std::result::Result<Vec<f64>, String> {
    Init::parse(init)?.values()
}

/// A buffer's binding index and element type.
fn buffer_arg(program: &Program, name: &str) -> Result<(u32, Elem)> {
    for arg in program.kernel_args() {
        if let ArgKind::Buffer {
            index,
            type_name,
            elem_size,
            ..
        } = &arg.kind
        {
            if arg.name == name {
                return Ok((*index, Elem::of(type_name, *elem_size)));
            }
        }
    }
    bail!("the kernel has no buffer `{name}` ({})", arg_names(program))
}

/// A scalar element type of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Elem {
    F32,
    F16,
    Int { bytes: usize, signed: bool },
}

impl Elem {
    fn of(type_name: &str, elem_size: u32) -> Elem {
        let base = type_name.trim_end_matches(|c: char| c.is_ascii_digit());
        match base {
            "float" => Elem::F32,
            "half" => Elem::F16,
            "char" => Elem::Int {
                bytes: 1,
                signed: true,
            },
            "uchar" | "bool" => Elem::Int {
                bytes: 1,
                signed: false,
            },
            "short" => Elem::Int {
                bytes: 2,
                signed: true,
            },
            "ushort" => Elem::Int {
                bytes: 2,
                signed: false,
            },
            "int" => Elem::Int {
                bytes: 4,
                signed: true,
            },
            "long" => Elem::Int {
                bytes: 8,
                signed: true,
            },
            "ulong" => Elem::Int {
                bytes: 8,
                signed: false,
            },
            "uint" => Elem::Int {
                bytes: 4,
                signed: false,
            },
            _ => Elem::Int {
                bytes: elem_size.clamp(1, 8) as usize,
                signed: false,
            },
        }
    }

    fn size(self) -> usize {
        match self {
            Elem::F32 => 4,
            Elem::F16 => 2,
            Elem::Int { bytes, .. } => bytes,
        }
    }

    fn write(self, values: &[f64]) -> Vec<u8> {
        let mut out = Vec::with_capacity(values.len() * self.size());
        for v in values {
            match self {
                Elem::F32 => out.extend((*v as f32).to_le_bytes()),
                Elem::F16 => out.extend(half::f16::from_f64(*v).to_le_bytes()),
                Elem::Int { bytes, .. } => out.extend(&(*v as i64).to_le_bytes()[..bytes]),
            }
        }
        out
    }

    fn read(self, bytes: &[u8]) -> Vec<f64> {
        bytes
            .chunks_exact(self.size())
            .map(|c| match self {
                Elem::F32 => f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                Elem::F16 => half::f16::from_le_bytes([c[0], c[1]]).to_f64(),
                Elem::Int { bytes, signed } => {
                    let mut b = [0u8; 8];
                    b[..bytes].copy_from_slice(c);
                    let raw = u64::from_le_bytes(b);
                    let shift = 64 - 8 * bytes as u32;
                    if signed {
                        (((raw << shift) as i64) >> shift) as f64
                    } else {
                        raw as f64
                    }
                }
            })
            .collect()
    }
}

/// The small expression language of --buffer and --expect.
#[derive(Clone, Debug, PartialEq)]
enum Expr {
    Num(f64),
    Index,
    Buffer(String),
    Neg(Box<Expr>),
    Bin(char, Box<Expr>, Box<Expr>),
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    Call(String, Vec<Expr>),
}

impl Expr {
    fn parse(text: &str) -> std::result::Result<Expr, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
            nesting: 0,
            operators: 0,
        };
        let e = p.cmp()?;
        p.ws();
        if p.at != p.s.len() {
            let rest: String = text[p.at..].chars().take(16).collect();
            let more = if rest.len() < text.len() - p.at {
                "…"
            } else {
                ""
            };
            return Err(format!("unexpected `{rest}{more}` at column {}", p.at + 1));
        }
        Ok(e)
    }

    fn eval(&self, i: usize, bufs: &HashMap<String, Vec<f64>>) -> std::result::Result<f64, String> {
        Ok(match self {
            Expr::Num(v) => *v,
            Expr::Index => i as f64,
            Expr::Buffer(n) => match bufs.get(n) {
                Some(v) => *v.get(i).ok_or_else(|| format!("{n} has no element {i}"))?,
                None => {
                    return Err(format!(
                        "unknown name `{n}` (use `i` or the name of an initialized buffer)"
                    ))
                }
            },
            Expr::Neg(e) => -e.eval(i, bufs)?,
            Expr::Bin(op, a, b) => {
                let (x, y) = (a.eval(i, bufs)?, b.eval(i, bufs)?);
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    '/' => x / y,
                    _ => x % y,
                }
            }
            Expr::Cmp(op, a, b) => {
                let (x, y) = (a.eval(i, bufs)?, b.eval(i, bufs)?);
                let r = match *op {
                    "<" => x < y,
                    "<=" => x <= y,
                    ">" => x > y,
                    ">=" => x >= y,
                    "==" => x == y,
                    _ => x != y,
                };
                f64::from(u8::from(r))
            }
            Expr::Call(f, args) => {
                let v: Vec<f64> = args
                    .iter()
                    .map(|a| a.eval(i, bufs))
                    .collect::<std::result::Result<_, _>>()?;
                match (f.as_str(), v.as_slice()) {
                    ("sqrt", [x]) => x.sqrt(),
                    ("abs", [x]) => x.abs(),
                    ("floor", [x]) => x.floor(),
                    ("ceil", [x]) => x.ceil(),
                    ("min", [a, b]) => a.min(*b),
                    ("max", [a, b]) => a.max(*b),
                    ("fma", [a, b, c]) => a.mul_add(*b, *c),
                    ("select", [c, a, b]) => {
                        if *c != 0.0 {
                            *a
                        } else {
                            *b
                        }
                    }
                    _ => return Err(format!("unknown function {f}/{}", v.len())),
                }
            }
        })
    }
}

/// Recursive descent over the expression; [`MAX_EXPR_DEPTH`] bounds its
/// recursion and [`MAX_EXPR_OPERATORS`] the depth of the tree it builds
/// (a long chain `1+1+…` nests to the left), which `Expr::eval` and the
/// tree's drop recurse through.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
    /// Parentheses, calls and unary minuses open around this point.
    nesting: u32,
    /// Operators and calls so far.
    operators: u32,
}

impl Parser<'_> {
    /// Goes one level deeper (a parenthesis, a call's argument, a unary
    /// minus), or refuses to.
    fn enter(&mut self) -> std::result::Result<(), String> {
        self.nesting += 1;
        if self.nesting > MAX_EXPR_DEPTH {
            return Err(format!(
                "expression nested too deeply at column {} (the limit is {MAX_EXPR_DEPTH})",
                self.at + 1
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    /// Counts one more operator or call, or refuses to.
    fn operator(&mut self) -> std::result::Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_EXPR_OPERATORS {
            return Err(format!(
                "expression has more than {MAX_EXPR_OPERATORS} operators"
            ));
        }
        Ok(())
    }

    fn ws(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, tok: &str) -> bool {
        self.ws();
        if self.s[self.at..].starts_with(tok.as_bytes()) {
            self.at += tok.len();
            true
        } else {
            false
        }
    }

    fn cmp(&mut self) -> std::result::Result<Expr, String> {
        let a = self.add()?;
        for op in ["<=", ">=", "==", "!=", "<", ">"] {
            if self.eat(op) {
                self.operator()?;
                let b = self.add()?;
                return Ok(Expr::Cmp(op, Box::new(a), Box::new(b)));
            }
        }
        Ok(a)
    }

    fn add(&mut self) -> std::result::Result<Expr, String> {
        let mut a = self.mul()?;
        loop {
            let op = if self.eat("+") {
                '+'
            } else if self.eat("-") {
                '-'
            } else {
                return Ok(a);
            };
            self.operator()?;
            a = Expr::Bin(op, Box::new(a), Box::new(self.mul()?));
        }
    }

    fn mul(&mut self) -> std::result::Result<Expr, String> {
        let mut a = self.unary()?;
        loop {
            let op = if self.eat("*") {
                '*'
            } else if self.eat("/") {
                '/'
            } else if self.eat("%") {
                '%'
            } else {
                return Ok(a);
            };
            self.operator()?;
            a = Expr::Bin(op, Box::new(a), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> std::result::Result<Expr, String> {
        if self.eat("-") {
            self.operator()?;
            self.enter()?;
            let e = self.unary()?;
            self.leave();
            return Ok(Expr::Neg(Box::new(e)));
        }
        self.atom()
    }

    fn atom(&mut self) -> std::result::Result<Expr, String> {
        self.ws();
        if self.eat("(") {
            self.enter()?;
            let e = self.cmp()?;
            self.leave();
            if !self.eat(")") {
                return Err(format!("expected `)` at column {}", self.at + 1));
            }
            return Ok(e);
        }
        let start = self.at;
        let c = self
            .s
            .get(self.at)
            .copied()
            .ok_or("unexpected end of expression")?;
        if c.is_ascii_digit() || c == b'.' {
            while self
                .s
                .get(self.at)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b'e' || *c == b'E')
            {
                self.at += 1;
            }
            let t = std::str::from_utf8(&self.s[start..self.at]).unwrap_or("");
            return t
                .parse()
                .map(Expr::Num)
                .map_err(|_| format!("`{t}` is not a number"));
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while self
                .s
                .get(self.at)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                self.at += 1;
            }
            let name = String::from_utf8_lossy(&self.s[start..self.at]).into_owned();
            if self.eat("(") {
                self.operator()?;
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        self.enter()?;
                        let arg = self.cmp()?;
                        self.leave();
                        args.push(arg);
                        if self.eat(")") {
                            break;
                        }
                        if !self.eat(",") {
                            return Err(format!("expected `,` or `)` at column {}", self.at + 1));
                        }
                    }
                }
                return Ok(Expr::Call(name, args));
            }
            return Ok(if name == "i" {
                Expr::Index
            } else {
                Expr::Buffer(name)
            });
        }
        Err(format!(
            "unexpected `{}` at column {}",
            c as char,
            self.at + 1
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        let e = Expr::parse("select(i % 16 < 4, (100*floor(i/16) + i%16) * 10, -1)").unwrap();
        let none = HashMap::new();
        assert_eq!(e.eval(17, &none).unwrap(), 1010.0);
        assert_eq!(e.eval(20, &none).unwrap(), -1.0);
        let mut bufs = HashMap::new();
        bufs.insert("A".to_string(), vec![2.0, 3.0]);
        assert_eq!(
            Expr::parse("fma(A, 2, -1)")
                .unwrap()
                .eval(1, &bufs)
                .unwrap(),
            5.0
        );
        assert!(Expr::parse("1 +").is_err());
        assert!(Expr::parse("q").unwrap().eval(0, &none).is_err());
    }

    /// A random expression, written out with its value (computed here
    /// with the operations `Expr::eval` documents, in the same order) and
    /// what the parser's limits count in it: the deepest nesting of
    /// parentheses, call arguments and unary minuses, and the operators and
    /// calls.
    struct Generated {
        text: String,
        value: f64,
        nesting: u32,
        operators: u32,
    }

    fn leaf(rng: &mut air_testgen::Rng, i: usize, a: &[f64]) -> Generated {
        let (text, value) = match rng.below(4) {
            0 => ("i".to_string(), i as f64),
            1 => ("A".to_string(), a[i]),
            2 => {
                let v = rng.below(1000) as f64 / 8.0;
                (format!("{v}"), v)
            }
            _ => {
                let v = rng.below(50) as f64;
                (format!("{v}"), v)
            }
        };
        Generated {
            text,
            value,
            nesting: 0,
            operators: 0,
        }
    }

    /// Deep, wide or mixed trees, by `budget` (nodes left to spend).
    /// The generator's own recursion stops at 100 levels (past the
    /// parser's nesting limit of 64, so trees still cross it).
    fn generate(
        rng: &mut air_testgen::Rng,
        budget: &mut u32,
        level: u32,
        i: usize,
        a: &[f64],
    ) -> Generated {
        if *budget == 0 || level >= 100 || rng.chance(1, 6) {
            return leaf(rng, i, a);
        }
        *budget -= 1;
        let sub =
            |rng: &mut air_testgen::Rng, budget: &mut u32| generate(rng, budget, level + 1, i, a);
        match rng.below(6) {
            // (x OP y): one parenthesis, one operator.
            0 | 1 => {
                let x = sub(rng, budget);
                let y = sub(rng, budget);
                let ops = ['+', '-', '*', '/', '%'];
                let op = *rng.pick(&ops);
                let value = match op {
                    '+' => x.value + y.value,
                    '-' => x.value - y.value,
                    '*' => x.value * y.value,
                    '/' => x.value / y.value,
                    _ => x.value % y.value,
                };
                Generated {
                    text: format!("({} {op} {})", x.text, y.text),
                    value,
                    nesting: 1 + x.nesting.max(y.nesting),
                    operators: 1 + x.operators + y.operators,
                }
            }
            // (x CMP y)
            2 => {
                let x = sub(rng, budget);
                let y = sub(rng, budget);
                let cmps = ["<", "<=", ">", ">=", "==", "!="];
                let op = *rng.pick(&cmps);
                let r = match op {
                    "<" => x.value < y.value,
                    "<=" => x.value <= y.value,
                    ">" => x.value > y.value,
                    ">=" => x.value >= y.value,
                    "==" => x.value == y.value,
                    _ => x.value != y.value,
                };
                Generated {
                    text: format!("({} {op} {})", x.text, y.text),
                    value: f64::from(u8::from(r)),
                    nesting: 1 + x.nesting.max(y.nesting),
                    operators: 1 + x.operators + y.operators,
                }
            }
            // -(x): a unary minus and a parenthesis.
            3 => {
                let x = sub(rng, budget);
                Generated {
                    text: format!("-({})", x.text),
                    value: -x.value,
                    nesting: 2 + x.nesting,
                    operators: 1 + x.operators,
                }
            }
            // A call: one operator, each argument one level deeper.
            4 => {
                let n = 1 + rng.below(3);
                let args: Vec<Generated> = (0..n).map(|_| sub(rng, budget)).collect();
                let v: Vec<f64> = args.iter().map(|g| g.value).collect();
                let (name, value) = match v.as_slice() {
                    [x] => *rng.pick(&[
                        ("sqrt", x.sqrt()),
                        ("abs", x.abs()),
                        ("floor", x.floor()),
                        ("ceil", x.ceil()),
                    ]),
                    [x, y] => *rng.pick(&[("min", x.min(*y)), ("max", x.max(*y))]),
                    [c, x, y] => *rng.pick(&[
                        ("fma", c.mul_add(*x, *y)),
                        ("select", if *c != 0.0 { *x } else { *y }),
                    ]),
                    _ => unreachable!("one to three arguments"),
                };
                let text: Vec<&str> = args.iter().map(|g| g.text.as_str()).collect();
                Generated {
                    text: format!("{name}({})", text.join(", ")),
                    value,
                    nesting: 1 + args.iter().map(|g| g.nesting).max().unwrap_or(0),
                    operators: 1 + args.iter().map(|g| g.operators).sum::<u32>(),
                }
            }
            // A flat chain x + y - z ...: no nesting, one operator per term.
            _ => {
                let mut g = sub(rng, budget);
                for _ in 0..rng.below(40) {
                    let y = sub(rng, budget);
                    let plus = rng.chance(1, 2);
                    // The chain's terms are parenthesised unless plain, so
                    // precedence cannot change the value.
                    let term = if y.nesting == 0 && y.operators == 0 {
                        y.text
                    } else {
                        format!("({})", y.text)
                    };
                    let wrap = u32::from(!(y.nesting == 0 && y.operators == 0));
                    g = Generated {
                        text: format!("{} {} {term}", g.text, if plus { '+' } else { '-' }),
                        value: if plus {
                            g.value + y.value
                        } else {
                            g.value - y.value
                        },
                        nesting: g.nesting.max(y.nesting + wrap),
                        operators: g.operators + 1 + y.operators,
                    };
                }
                // In parentheses, so an operator around it cannot bind to
                // one of its terms.
                Generated {
                    text: format!("({})", g.text),
                    nesting: g.nesting + 1,
                    ..g
                }
            }
        }
    }

    /// Structure-aware generation for the expression language of
    /// `--buffer` and `--expect` (issue 20: deep and wide inputs once
    /// overflowed the stack): every generated expression parses exactly
    /// when it is within both limits, evaluates to the value computed
    /// alongside it, and one over a limit is that limit's error, never a
    /// crash.
    #[test]
    fn generated_expressions_parse_within_the_limits_and_evaluate_exactly() {
        let a: Vec<f64> = (0..64).map(|k| (k as f64) * 0.75 - 9.0).collect();
        let mut bufs = HashMap::new();
        bufs.insert("A".to_string(), a.clone());
        let (mut ok, mut too_deep, mut too_many) = (0, 0, 0);
        for seed in 0..3000u64 {
            let mut rng = air_testgen::Rng::new(seed);
            let i = rng.below(a.len());
            // Small trees mostly; some large enough to pass a limit.
            let mut budget = match seed % 10 {
                0 => 3000,
                1 | 2 => 400,
                _ => 40,
            };
            let mut g = generate(&mut rng, &mut budget, 0, i, &a);
            // Wide and flat: a chain of 800 to 1299 plain terms, around
            // the operator limit.
            if seed % 5 == 4 {
                for _ in 0..800 + rng.below(500) {
                    let y = leaf(&mut rng, i, &a);
                    g = Generated {
                        text: format!("{} + {}", g.text, y.text),
                        value: g.value + y.value,
                        operators: g.operators + 1,
                        ..g
                    };
                }
                g = Generated {
                    text: format!("({})", g.text),
                    nesting: g.nesting + 1,
                    ..g
                };
            }
            // Some inputs are wrapped in a run of parentheses or minuses.
            if seed % 7 == 0 {
                let n = rng.below(80) as u32;
                g = Generated {
                    text: format!(
                        "{}{}{}",
                        "(".repeat(n as usize),
                        g.text,
                        ")".repeat(n as usize)
                    ),
                    nesting: g.nesting + n,
                    ..g
                };
            }
            if seed % 11 == 0 {
                let n = rng.below(40) as u32;
                g = Generated {
                    text: format!("{}{}", "- ".repeat(n as usize), g.text),
                    value: if n % 2 == 1 { -g.value } else { g.value },
                    nesting: g.nesting + n,
                    operators: g.operators + n,
                };
            }
            let parsed = Expr::parse(&g.text);
            let within = g.nesting <= MAX_EXPR_DEPTH && g.operators <= MAX_EXPR_OPERATORS;
            match parsed {
                Ok(e) => {
                    assert!(within, "seed {seed}: accepted over a limit");
                    let got = e.eval(i, &bufs).unwrap();
                    assert!(
                        got.to_bits() == g.value.to_bits() || (got.is_nan() && g.value.is_nan()),
                        "seed {seed}: {} = {got}, expected {}",
                        g.text,
                        g.value
                    );
                    ok += 1;
                }
                Err(m) => {
                    assert!(!within, "seed {seed}: {m}\n{}", g.text);
                    if m.contains("nested too deeply") {
                        too_deep += 1;
                    } else {
                        assert!(m.contains("operators"), "seed {seed}: {m}");
                        too_many += 1;
                    }
                }
            }
        }
        // Each outcome happens often enough to mean something.
        assert!(
            ok > 1000 && too_deep > 20 && too_many > 20,
            "{ok} {too_deep} {too_many}"
        );
    }

    #[test]
    fn inits_and_dims() {
        assert_eq!(init_values("3:i*2").unwrap(), vec![0.0, 2.0, 4.0]);
        assert_eq!(init_values("[1, 2.5]").unwrap(), vec![1.0, 2.5]);
        assert_eq!(init_values("2").unwrap(), vec![0.0, 0.0]);
        assert_eq!(dims("8,4").unwrap(), [8, 4, 1]);
        assert!(dims("8,x").is_err());
        assert_eq!(Elem::F16.read(&Elem::F16.write(&[1.5])), vec![1.5]);
        assert_eq!(Elem::of("float4", 16), Elem::F32);
    }
}
