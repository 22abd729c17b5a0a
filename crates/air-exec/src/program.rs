//! Loading a kernel: modules, the kernel's argument metadata, and the
//! resolution of visible functions and external declarations.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use air_ir::intrinsics::{self, type_text, AirVersion, Intrinsic};
use air_ir::{ConstKind, FuncId, Metadata, Module, SourceMap, Value};

use crate::error::{ErrorKind, ExecError, Result};
use crate::math::MathFn;

/// One module with what is needed to point errors at its text.
#[derive(Clone, Debug)]
pub struct Source {
    pub(crate) module: Module,
    pub(crate) name: String,
    pub(crate) lines: Option<Lines>,
    /// For phis of more than [`PHI_SCAN_ENTRIES`] entries: (function, phi,
    /// predecessor block) to the first entry for that block.
    pub(crate) phi_entries: HashMap<(u32, u32, u32), u32>,
}

/// Phis of at most this many entries are searched for the block a branch
/// comes from; longer ones are looked up in [`Source::phi_entries`].
/// Searching cost every branch into a block the length of its phis, for one
/// step of the budget: a loop through a phi of 10 000 entries ran 10 000
/// times slower than through one of two.
pub(crate) const PHI_SCAN_ENTRIES: usize = 8;

/// The entry table of `module`'s long phis (see [`Source::phi_entries`]),
/// in time linear in their entries.
fn phi_entries(module: &Module) -> HashMap<(u32, u32, u32), u32> {
    let mut map = HashMap::new();
    for (fi, f) in module.functions.iter().enumerate() {
        for (ii, inst) in f.insts.iter().enumerate() {
            if let air_ir::InstKind::Phi { incoming } = &inst.kind {
                if incoming.len() > PHI_SCAN_ENTRIES {
                    for (k, (_, b)) in incoming.iter().enumerate() {
                        map.entry((fi as u32, ii as u32, b.0)).or_insert(k as u32);
                    }
                }
            }
        }
    }
    map
}

/// Source text and where each instruction starts in it.
#[derive(Clone, Debug)]
pub(crate) struct Lines {
    map: SourceMap,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Parses and verifies AIR text; `name` is used in messages.
    ///
    /// # Errors
    /// Parse and verifier errors, rendered with `file:line:col`.
    pub fn parse(text: &str, name: &str) -> Result<Source> {
        let (module, map) = air_ir::parse_with_source_map(text, name)
            .map_err(|e| ExecError::setup(e.to_string()))?;
        if let Err(e) = air_ir::verify(&module) {
            return Err(ExecError::setup(air_ir::render_verify_error(
                text, name, &module, &map, &e,
            )));
        }
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Ok(Source {
            phi_entries: phi_entries(&module),
            module,
            name: name.to_string(),
            lines: Some(Lines {
                map,
                text: text.to_string(),
                line_starts,
            }),
        })
    }

    /// Reads and parses a `.ll` file.
    ///
    /// # Errors
    /// I/O, parse and verifier errors.
    pub fn read(path: &Path) -> Result<Source> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ExecError::setup(format!("cannot read {}: {e}", path.display())))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Source::parse(&text, &name)
    }

    /// Wraps a module built in memory (errors then have no line numbers).
    ///
    /// # Errors
    /// The verifier's first error.
    pub fn from_module(module: Module, name: &str) -> Result<Source> {
        air_ir::verify(&module).map_err(|e| ExecError::setup(format!("{name}: error: {e}")))?;
        Ok(Source {
            phi_entries: phi_entries(&module),
            module,
            name: name.to_string(),
            lines: None,
        })
    }

    /// The module.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// `file:line` and the text of instruction `inst` of function `f`.
    pub(crate) fn locate(
        &self,
        f: FuncId,
        inst: air_ir::InstId,
    ) -> (Option<String>, Option<String>) {
        let Some(lines) = &self.lines else {
            return (None, None);
        };
        let Some(offset) = lines.map.inst(f, inst) else {
            return (None, None);
        };
        let line = lines.line_starts.partition_point(|&s| s <= offset);
        let start = lines
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let end = lines.text[start..]
            .find('\n')
            .map_or(lines.text.len(), |i| start + i);
        let text = lines.text.get(start..end).unwrap_or("").trim();
        (
            Some(format!("{}:{line}", self.name)),
            Some(text.to_string()),
        )
    }
}

/// A function of a program: module index and function id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct FnRef {
    pub module: usize,
    pub func: FuncId,
}

/// A system value attribute: the one table of `air-target`, which also
/// says what each thread receives.
pub use air_target::SystemValue;

/// What a kernel parameter is bound to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A device (`addrspace(1)`) or constant (`addrspace(2)`) buffer.
    Buffer {
        /// `[[buffer(index)]]`.
        index: u32,
        /// 1 = device, 2 = constant.
        address_space: u32,
        /// `air.arg_type_name` (MSL element type), e.g. `float`.
        type_name: String,
        /// `air.arg_type_size`.
        elem_size: u32,
        /// `air.read`, `air.read_write`, ...
        access: String,
    },
    /// Threadgroup memory sized by the host (`setThreadgroupMemoryLength`).
    ThreadgroupMemory {
        /// The threadgroup-memory index.
        index: u32,
    },
    /// A system value in one of its IR forms.
    System {
        /// Which value.
        value: SystemValue,
        /// Lanes of the IR type (1 = scalar, 2 or 3 = vector).
        lanes: u32,
        /// Bits per lane (32 or 16).
        bits: u32,
    },
}

/// A kernel parameter as the `!air.kernel` metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelArg {
    /// `air.arg_name`, or `arg<N>`.
    pub name: String,
    /// Its binding.
    pub kind: ArgKind,
}

/// A Rust function standing in for a visible function.
pub type HostFn = Arc<dyn Fn(&[HostValue]) -> std::result::Result<HostValue, String> + Send + Sync>;

/// A value passed to or returned by a [`HostFn`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HostValue {
    /// No value (`void` return).
    Void,
    /// An integer (zero-extended from its IR width).
    Int(u64),
    /// A float of any width.
    Float(f64),
    /// A pointer, opaque to the host (its packed bits).
    Ptr(u64),
}

/// What a call to a declaration does.
#[derive(Clone)]
pub(crate) enum Callee {
    /// A table intrinsic.
    Intrinsic(Intrinsic),
    /// A math library function (air.* or llvm.*).
    Math(MathFn),
    /// A function defined in some module of the program.
    Defined(FnRef),
    /// A registered closure.
    Host(String, HostFn),
    /// `llvm.memcpy` / `llvm.memmove` (true) or `llvm.memset` (false).
    Mem(bool),
    /// An LLVM hint with no effect on results (`llvm.va_start`, `llvm.assume`, ...).
    NoOp,
    /// Nothing; the reason is reported if the call executes.
    Unresolved(String),
}

impl fmt::Debug for Callee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callee::Intrinsic(i) => write!(f, "Intrinsic({})", i.name()),
            Callee::Math(m) => write!(f, "Math({m:?})"),
            Callee::Defined(r) => write!(f, "Defined({r:?})"),
            Callee::Host(n, _) => write!(f, "Host({n})"),
            Callee::NoOp => write!(f, "NoOp"),
            Callee::Mem(copy) => write!(f, "Mem({copy})"),
            Callee::Unresolved(r) => write!(f, "Unresolved({r})"),
        }
    }
}

/// A kernel with the modules linked to it and the closures registered for
/// its visible functions.
#[derive(Clone)]
pub struct Program {
    pub(crate) sources: Vec<Source>,
    pub(crate) kernel: FnRef,
    pub(crate) kernel_name: String,
    pub(crate) args: Vec<KernelArg>,
    pub(crate) host: HashMap<String, (String, HostFn)>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program")
            .field("kernel", &self.kernel_name)
            .field(
                "modules",
                &self.sources.iter().map(|s| &s.name).collect::<Vec<_>>(),
            )
            .field("args", &self.args)
            .field("host", &self.host.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Program {
    /// The kernel of `shell`: the one named `kernel`, or the first listed in
    /// `!air.kernel` when `kernel` is `None`.
    ///
    /// # Errors
    /// A missing kernel or malformed `!air.kernel` argument metadata.
    pub fn new(shell: Source, kernel: Option<&str>) -> Result<Program> {
        let (func, args) = kernel_info(&shell.module, kernel)?;
        let kernel_name = shell.module.function(func).name.clone();
        Ok(Program {
            sources: vec![shell],
            kernel: FnRef { module: 0, func },
            kernel_name,
            args,
            host: HashMap::new(),
        })
    }

    /// Adds a module whose functions resolve visible-function references
    /// and external declarations (what `MTLLinkedFunctions` does).
    pub fn link(&mut self, body: Source) -> &mut Self {
        self.sources.push(body);
        self
    }

    /// Registers a closure for visible function `name`; `signature` is its
    /// IR function type as text (e.g. `float (float)`), which must equal the
    /// shell's declaration.
    pub fn register(
        &mut self,
        name: &str,
        signature: &str,
        f: impl Fn(&[HostValue]) -> std::result::Result<HostValue, String> + Send + Sync + 'static,
    ) -> &mut Self {
        self.host
            .insert(name.to_string(), (signature.to_string(), Arc::new(f)));
        self
    }

    /// The kernel's name.
    pub fn kernel_name(&self) -> &str {
        &self.kernel_name
    }

    /// The kernel's parameters, in order.
    pub fn kernel_args(&self) -> &[KernelArg] {
        &self.args
    }

    /// The binding index (`[[buffer(index)]]`) of the kernel's buffer
    /// argument named `name` (`air.arg_name`), if it has one.
    pub fn buffer_index(&self, name: &str) -> Option<u32> {
        self.args.iter().find_map(|a| match &a.kind {
            ArgKind::Buffer { index, .. } if a.name == name => Some(*index),
            _ => None,
        })
    }

    /// Resolves every declaration of every module, as pipeline creation
    /// would: visible-function references must resolve (else an error now,
    /// before anything runs); other unknown declarations fail only if called.
    pub(crate) fn resolve(&self) -> Result<Vec<HashMap<FuncId, Callee>>> {
        // Definitions by name, first module wins.
        let mut defined: HashMap<&str, FnRef> = HashMap::new();
        for (m, src) in self.sources.iter().enumerate() {
            for (i, f) in src.module.functions.iter().enumerate() {
                if !f.is_declaration() {
                    defined.entry(f.name.as_str()).or_insert(FnRef {
                        module: m,
                        func: FuncId(i as u32),
                    });
                }
            }
        }
        let mut out = Vec::new();
        for (m, src) in self.sources.iter().enumerate() {
            let module = &src.module;
            let version = AirVersion::from_module(module);
            let visible = visible_refs(module);
            let mut table = HashMap::new();
            for (i, f) in module.functions.iter().enumerate() {
                if !f.is_declaration() {
                    continue;
                }
                let id = FuncId(i as u32);
                let callee = if let Some(name) = visible.get(&id) {
                    self.resolve_visible(m, id, name, &defined)?
                } else if f.name.ends_with(".MTL_VISIBLE_FN_REF") {
                    let name = f.name.trim_end_matches(".MTL_VISIBLE_FN_REF");
                    self.resolve_visible(m, id, name, &defined)?
                } else if let Some(intr) = intrinsics::lookup_for(&f.name, version)
                    .into_iter()
                    .find(|i| i.matches(&module.types, f.ty))
                {
                    Callee::Intrinsic(intr)
                } else if f.name.starts_with("llvm.memcpy.") || f.name.starts_with("llvm.memmove.")
                {
                    Callee::Mem(true)
                } else if f.name.starts_with("llvm.memset.") {
                    Callee::Mem(false)
                } else if is_hint(&f.name) {
                    Callee::NoOp
                } else if let Some(math) = MathFn::lookup(&f.name) {
                    Callee::Math(math)
                } else if let Some(target) = defined.get(f.name.as_str()) {
                    self.check_type(m, id, *target, &f.name)
                        .map_or_else(Callee::Unresolved, |()| Callee::Defined(*target))
                } else if f.name.starts_with("air.") || f.name.starts_with("llvm.") {
                    Callee::Unresolved(format!(
                        "intrinsic @{} is not implemented by the executor",
                        f.name
                    ))
                } else {
                    Callee::Unresolved(format!(
                        "@{} is declared but no linked module defines it",
                        f.name
                    ))
                };
                table.insert(id, callee);
            }
            out.push(table);
        }
        Ok(out)
    }

    fn resolve_visible(
        &self,
        m: usize,
        decl: FuncId,
        name: &str,
        defined: &HashMap<&str, FnRef>,
    ) -> Result<Callee> {
        let module = &self.sources[m].module;
        let want = type_text(&module.types, module.function(decl).ty);
        if let Some((sig, f)) = self.host.get(name) {
            if *sig != want {
                return Err(ErrorKind::UnresolvedVisible {
                    name: name.to_string(),
                    reason: format!(
                        "the registered closure has type `{sig}`, but the shell declares `{want}`"
                    ),
                }
                .into());
            }
            return Ok(Callee::Host(name.to_string(), f.clone()));
        }
        match defined.get(name) {
            Some(target) => {
                self.check_type(m, decl, *target, name)
                    .map_err(|reason| ErrorKind::UnresolvedVisible {
                        name: name.to_string(),
                        reason,
                    })?;
                Ok(Callee::Defined(*target))
            }
            None => Err(ErrorKind::UnresolvedVisible {
                name: name.to_string(),
                reason: format!(
                    "no linked module defines it and no closure is registered (the shell declares `{want}`)"
                ),
            }
            .into()),
        }
    }

    /// Linking needs the exact declared type (docs/air-conventions.md#type-mapping).
    fn check_type(
        &self,
        m: usize,
        decl: FuncId,
        target: FnRef,
        name: &str,
    ) -> std::result::Result<(), String> {
        let dm = &self.sources[m].module;
        let tm = &self.sources[target.module];
        let want = type_text(&dm.types, dm.function(decl).ty);
        let got = type_text(&tm.module.types, tm.module.function(target.func).ty);
        if want == got {
            Ok(())
        } else {
            Err(format!(
                "{} defines @{name} as `{got}`, but `{}` declares `{want}`",
                tm.name, self.sources[m].name
            ))
        }
    }
}

/// LLVM intrinsics that only inform the optimizer; executing them does
/// nothing. (`va_arg` is not in the IR's opcode table, so a variadic
/// function cannot read its extra arguments and `va_start` has nothing to set up.)
fn is_hint(name: &str) -> bool {
    [
        "llvm.va_start",
        "llvm.va_end",
        "llvm.va_copy",
        "llvm.assume",
        "llvm.dbg.",
        "llvm.experimental.noalias.scope.decl",
        "llvm.invariant.",
        "llvm.sideeffect",
        "llvm.donothing",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// Declaration → resolved name, from `!air.visible_function_references`.
fn visible_refs(module: &Module) -> HashMap<FuncId, String> {
    let mut out = HashMap::new();
    let Some(named) = module.named("air.visible_function_references") else {
        return out;
    };
    for node in &named.operands {
        let Some(ops) = node_ops(module, *node) else {
            continue;
        };
        let func = ops.get(1).and_then(|o| meta_function(module, *o));
        let name = ops.get(2).and_then(|o| meta_string(module, *o));
        if let (Some(f), Some(n)) = (func, name) {
            out.insert(f, n);
        }
    }
    out
}

fn node_ops(module: &Module, id: air_ir::MetaId) -> Option<Vec<Option<air_ir::MetaId>>> {
    match module.metadata.get(id.0 as usize)? {
        Metadata::Node { operands, .. } => Some(operands.clone()),
        _ => None,
    }
}

fn meta_string(module: &Module, id: Option<air_ir::MetaId>) -> Option<String> {
    match module.metadata.get(id?.0 as usize)? {
        Metadata::String(b) => Some(String::from_utf8_lossy(b).into_owned()),
        _ => None,
    }
}

fn meta_int(module: &Module, id: Option<air_ir::MetaId>) -> Option<u64> {
    match module.metadata.get(id?.0 as usize)? {
        Metadata::Value {
            value: Value::Const(c),
            ..
        } => match &module.consts.try_get(*c)?.kind {
            ConstKind::Int(v) => v.as_u64(),
            _ => None,
        },
        _ => None,
    }
}

/// The function a metadata value names, looking through constant casts.
fn meta_function(module: &Module, id: Option<air_ir::MetaId>) -> Option<FuncId> {
    let Metadata::Value {
        value: Value::Const(c),
        ..
    } = module.metadata.get(id?.0 as usize)?
    else {
        return None;
    };
    let mut c = *c;
    for _ in 0..8 {
        match &module.consts.try_get(c)?.kind {
            ConstKind::Function(f) => return Some(*f),
            ConstKind::Expr(air_ir::ConstExpr::Cast { value, .. }) => c = *value,
            _ => return None,
        }
    }
    None
}

/// Finds the kernel and reads its argument metadata
/// (docs/air-conventions.md#kernel-metadata, docs/air-conventions.md#argument-metadata).
fn kernel_info(module: &Module, kernel: Option<&str>) -> Result<(FuncId, Vec<KernelArg>)> {
    let named = module.named("air.kernel").ok_or_else(|| {
        ExecError::setup("the module has no !air.kernel metadata, so it has no kernel to run")
    })?;
    let mut listed = Vec::new();
    for node in &named.operands {
        let Some(ops) = node_ops(module, *node) else {
            continue;
        };
        if let Some(f) = ops.first().and_then(|o| meta_function(module, *o)) {
            listed.push((f, ops));
        }
    }
    let (func, ops) = match kernel {
        Some(name) => listed
            .into_iter()
            .find(|(f, _)| module.function(*f).name == name)
            .ok_or_else(|| ExecError::setup(format!("no kernel named `{name}` in !air.kernel")))?,
        None => listed
            .into_iter()
            .next()
            .ok_or_else(|| ExecError::setup("!air.kernel lists no function"))?,
    };
    let f = module.function(func);
    if f.is_declaration() {
        return Err(ExecError::setup(format!("kernel @{} has no body", f.name)));
    }
    let Some((_, params, _)) = module.types.function_parts(f.ty) else {
        return Err(ExecError::setup("kernel type is not a function type"));
    };
    let params = params.to_vec();
    let arg_nodes = ops
        .get(2)
        .copied()
        .flatten()
        .and_then(|id| node_ops(module, id))
        .unwrap_or_default();
    let mut args: Vec<Option<KernelArg>> = vec![None; params.len()];
    for node in arg_nodes.into_iter().flatten() {
        let Some(fields) = node_ops(module, node) else {
            continue;
        };
        let Some(idx) = meta_int(module, fields.first().copied().flatten()) else {
            return Err(ExecError::setup(
                "a kernel argument node does not start with its index",
            ));
        };
        let idx = idx as usize;
        let Some(&ty) = params.get(idx) else {
            return Err(ExecError::setup(format!(
                "kernel argument node names argument {idx}, but the kernel has {}",
                params.len()
            )));
        };
        let strings: Vec<Option<String>> = fields.iter().map(|o| meta_string(module, *o)).collect();
        let after = |key: &str| -> Option<usize> {
            strings
                .iter()
                .position(|s| s.as_deref() == Some(key))
                .map(|i| i + 1)
        };
        let int_after =
            |key: &str| after(key).and_then(|i| meta_int(module, fields.get(i).copied().flatten()));
        let str_after = |key: &str| after(key).and_then(|i| strings.get(i).cloned().flatten());
        let name = str_after("air.arg_name").unwrap_or_else(|| format!("arg{idx}"));
        let kind_name = strings.get(1).cloned().flatten().unwrap_or_default();
        let kind = if kind_name == "air.buffer" || kind_name == "air.threadgroup" {
            let space = int_after("air.address_space")
                .map(|v| v as u32)
                .or_else(|| module.types.pointer_parts(ty).map(|(_, a)| a))
                .unwrap_or(1);
            let index = int_after("air.location_index").unwrap_or(idx as u64) as u32;
            if space == 3 {
                ArgKind::ThreadgroupMemory { index }
            } else if space == 1 || space == 2 {
                ArgKind::Buffer {
                    index,
                    address_space: space,
                    type_name: str_after("air.arg_type_name").unwrap_or_default(),
                    elem_size: int_after("air.arg_type_size").unwrap_or(1) as u32,
                    access: strings
                        .iter()
                        .flatten()
                        .find(|s| matches!(s.as_str(), "air.read" | "air.write" | "air.read_write"))
                        .cloned()
                        .unwrap_or_default(),
                }
            } else {
                return Err(ExecError::setup(format!(
                    "kernel argument `{name}` is a buffer in address space {space}, which the executor cannot bind"
                )));
            }
        } else if let Some(sv) = SystemValue::from_metadata_name(&kind_name) {
            let (lanes, elem) = match module.types.vector_parts(ty) {
                Some((n, e)) => (n, e),
                None => (1, ty),
            };
            let bits = module.types.int_width(elem).unwrap_or(0);
            if !sv.allows_ir_type(lanes, bits) {
                return Err(ExecError::setup(format!(
                    "system value `{name}` ({}) has IR type `{}`, which docs/air-conventions.md#system-values does not allow",
                    sv.name(),
                    type_text(&module.types, ty)
                )));
            }
            ArgKind::System {
                value: sv,
                lanes,
                bits,
            }
        } else {
            return Err(ExecError::setup(format!(
                "kernel argument `{name}` has kind `{kind_name}`, which the executor does not bind"
            )));
        };
        if let Some(slot) = args.get_mut(idx) {
            *slot = Some(KernelArg { name, kind });
        }
    }
    let args = args
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.ok_or_else(|| {
                ExecError::setup(format!("kernel argument {i} has no !air.kernel metadata"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((func, args))
}
