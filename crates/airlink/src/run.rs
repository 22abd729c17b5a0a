//! `airlink run`: execute a kernel on the CPU reference executor (air-exec)
//! and print or check its buffers.

use std::collections::HashMap;
use std::path::PathBuf;

use air_exec::{
    ArgKind, Bindings, ErrorKind, ExecError, KernelArg, Launch, Options, Program, Source,
};
use anyhow::{anyhow, bail, Context, Result};

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

/// Options of `airlink run`.
#[derive(clap::Args, Debug)]
#[command(after_help = GRAMMAR)]
pub struct Opts {
    /// A shell spec (.toml, generated in-process), an AIR module (.ll), bitcode or a .metallib.
    input: PathBuf,
    /// Threads in the grid, as `dispatchThreads` counts them: X[,Y[,Z]].
    #[arg(long, value_name = "X[,Y,Z]")]
    grid: String,
    /// Threads per threadgroup (default: the spec's, or 32).
    #[arg(long, value_name = "X[,Y,Z]")]
    threadgroup: Option<String>,
    /// A module whose functions resolve visible functions and declarations.
    #[arg(long, value_name = "BODY.ll")]
    link: Vec<PathBuf>,
    /// Initial contents of a buffer: NAME=INIT (see below).
    #[arg(long, value_name = "NAME=INIT")]
    buffer: Vec<String>,
    /// The value of a scalar argument (`constant T&`): NAME=VALUE.
    #[arg(long, value_name = "NAME=VALUE")]
    scalar: Vec<String>,
    /// Check a buffer after the run: NAME=EXPR[~TOL].
    #[arg(long, value_name = "NAME=EXPR[~TOL]")]
    expect: Vec<String>,
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
    /// Thread-instructions allowed before the run fails.
    #[arg(long, default_value_t = air_exec::limits::DEFAULT_STEP_BUDGET)]
    budget: u64,
    /// Allow reads of threadgroup memory nothing wrote.
    #[arg(long)]
    no_poison: bool,
}

impl Opts {
    /// Runs the subcommand.
    pub fn run(&self) -> Result<()> {
        let (program, default_tg, generated) = self.program()?;
        let launch = Launch {
            grid: dims(&self.grid).context("--grid")?,
            threadgroup: match &self.threadgroup {
                Some(t) => dims(t).context("--threadgroup")?,
                None => default_tg,
            },
        };
        let (mut bindings, initial) = self.bindings(&program)?;
        let options = Options {
            step_budget: self.budget,
            poison_threadgroup: !self.no_poison,
            trace: self.trace,
        };
        let report = program
            .run(&launch, &mut bindings, &options)
            .map_err(|e| anyhow!("{}", run_error(&e)))?;
        for line in &report.trace {
            println!("{line}");
        }
        if let (true, Some(file)) = (self.trace, &generated) {
            println!("{}", self.generated_note(file));
        }
        println!(
            "ran @{} on the cpu reference executor (docs/executor-semantics.md, not a GPU): {} threads in {}, {} thread-instructions",
            program.kernel_name(),
            report.threads,
            count(report.threadgroups, "threadgroup"),
            report.steps
        );
        let mut failed = 0;
        let mut checked = Vec::new();
        for e in &self.expect {
            let (name, rest) = e
                .split_once('=')
                .ok_or_else(|| anyhow!("--expect `{e}`: expected NAME=EXPR[~TOL]"))?;
            let (expr, tol) = match rest.rsplit_once('~') {
                Some((x, t)) => (
                    x,
                    t.trim()
                        .parse::<f64>()
                        .map_err(|_| anyhow!("--expect `{e}`: bad tolerance `{t}`"))?,
                ),
                None => (rest, 0.0),
            };
            let expr = Expr::parse(expr).map_err(|m| anyhow!("--expect `{e}`: {m}"))?;
            let (index, elem) = buffer_arg(&program, name)?;
            let got = elem.read(bindings.bytes(index).unwrap_or_default());
            let mut bad = Vec::new();
            for (i, g) in got.iter().enumerate() {
                let want = expr
                    .eval(i, &initial)
                    .map_err(|m| anyhow!("--expect `{e}`: {m}"))?;
                if !(*g == want || (g - want).abs() <= tol) {
                    bad.push(format!("{name}[{i}] = {g}, expected {want}"));
                }
            }
            println!(
                "expect {name}: {}/{} correct",
                got.len() - bad.len(),
                got.len()
            );
            for b in bad.iter().take(5) {
                println!("  {b}");
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
                let (_, elem) = buffer_arg(&program, &arg.name)?;
                let values = elem.read(bindings.bytes(*index).unwrap_or_default());
                let shown: Vec<String> = values.iter().take(32).map(|v| v.to_string()).collect();
                let more = if values.len() > 32 {
                    format!(", … ({} values)", values.len())
                } else {
                    String::new()
                };
                println!("{} = [{}{more}]", arg.name, shown.join(", "));
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
        let spec = self.input.display();
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

    fn is_spec(&self) -> bool {
        self.input.extension().is_some_and(|e| e == "toml")
    }

    /// The program, its default threadgroup size and, for a spec, the
    /// name of the module generated from it.
    fn program(&self) -> Result<(Program, [u32; 3], Option<String>)> {
        let is_spec = self.is_spec();
        let mut links: Vec<PathBuf> = self.link.clone();
        let (mut program, tg, generated) = if is_spec {
            let spec = air_shell::Spec::from_file(&self.input)?;
            let options = shell_options(self.body, self.fallback);
            let shell = air_shell::generate(&spec, &options)?;
            // Visible mode without --link: the spec's own bodies stand in
            // for the JIT-compiled visible functions.
            if links.is_empty() && !shell.manifest.visible.is_empty() {
                let base = spec.base_dir.clone().unwrap_or_default();
                links = spec
                    .functions
                    .iter()
                    .filter_map(|f| f.inline.as_ref().map(|p| base.join(p)))
                    .collect();
            }
            let name = format!("{}.ll", shell.module_name);
            let source = Source::parse(&shell.ll_text(), &name).map_err(|e| anyhow!("{e}"))?;
            let kernel = self.kernel.clone().unwrap_or(shell.manifest.kernel.clone());
            (
                Program::new(source, Some(&kernel)).map_err(|e| anyhow!("{e}"))?,
                shell.manifest.threadgroup_size,
                Some(name),
            )
        } else {
            let source = load_source(&self.input, self.kernel.as_deref())?;
            (
                Program::new(source, self.kernel.as_deref()).map_err(|e| anyhow!("{e}"))?,
                // One simdgroup.
                [air_target::SIMD_WIDTH, 1, 1],
                None,
            )
        };
        for l in &links {
            program.link(load_source(l, None)?);
        }
        Ok((program, tg, generated))
    }

    /// Bindings from --buffer, and the initial values by name (for EXPR).
    fn bindings(&self, program: &Program) -> Result<(Bindings, HashMap<String, Vec<f64>>)> {
        let mut b = Bindings::new();
        let mut initial = HashMap::new();
        for spec in &self.buffer {
            let (name, init) = spec
                .split_once('=')
                .ok_or_else(|| anyhow!("--buffer `{spec}`: expected NAME=INIT"))?;
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
            let values = init_values(init).map_err(|m| anyhow!("--buffer `{spec}`: {m}"))?;
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
        for spec in &self.scalar {
            let (name, value) = spec
                .split_once('=')
                .ok_or_else(|| anyhow!("--scalar `{spec}`: expected NAME=VALUE"))?;
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|_| anyhow!("--scalar `{spec}`: `{value}` is not a number"))?;
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
                    b.set_bytes(*index, elem.write(&[value]));
                    initial.insert(name.to_string(), vec![value]);
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

/// Loads AIR text, bitcode (raw or wrapped) or a `.metallib`; for a
/// library, the module of `kernel` (or of its first kernel, else its first
/// function) is read back with our bitcode reader, so no LLVM is needed.
fn load_source(path: &std::path::Path, kernel: Option<&str>) -> Result<Source> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
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
        return from_bitcode(chosen.module, &format!("module of {}", chosen.name));
    }
    if air_bitcode::read::is_bitcode(&bytes) {
        return from_bitcode(&bytes, "bitcode");
    }
    Source::read(path).map_err(|e| anyhow!("{e}"))
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

fn arg_names(program: &Program) -> String {
    let names: Vec<&str> = program
        .kernel_args()
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    format!("its arguments are {}", names.join(", "))
}

/// `X[,Y[,Z]]`.
fn dims(text: &str) -> Result<[u32; 3]> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    if parts.is_empty() || parts.len() > 3 {
        bail!("expected X[,Y[,Z]], got `{text}`");
    }
    let mut out = [1u32; 3];
    for (o, p) in out.iter_mut().zip(&parts) {
        *o = p
            .parse()
            .map_err(|_| anyhow!("`{p}` is not a thread count"))?;
    }
    Ok(out)
}

/// The values an INIT gives (for threadgroup memory: one per byte).
fn init_values(init: &str) -> std::result::Result<Vec<f64>, String> {
    let init = init.trim();
    if let Some(list) = init.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("`{s}` is not a number"))
            })
            .collect();
    }
    let (count, expr) = match init.split_once(':') {
        Some((c, e)) => (c, Some(e)),
        None => (init, None),
    };
    let n: usize = count
        .trim()
        .parse()
        .map_err(|_| format!("`{count}` is not an element count"))?;
    if n > 1 << 26 {
        return Err(format!("{n} elements is too many"));
    }
    match expr {
        None => Ok(vec![0.0; n]),
        Some(e) => {
            let expr = Expr::parse(e)?;
            let none = HashMap::new();
            (0..n).map(|i| expr.eval(i, &none)).collect()
        }
    }
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
        };
        let e = p.cmp()?;
        p.ws();
        if p.at != p.s.len() {
            return Err(format!(
                "unexpected `{}` at column {}",
                &text[p.at..],
                p.at + 1
            ));
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

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
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
            a = Expr::Bin(op, Box::new(a), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> std::result::Result<Expr, String> {
        if self.eat("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> std::result::Result<Expr, String> {
        self.ws();
        if self.eat("(") {
            let e = self.cmp()?;
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
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.cmp()?);
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
