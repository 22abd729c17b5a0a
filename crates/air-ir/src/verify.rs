//! The verifier: checks a [`Module`] against LLVM 14's IR rules (the subset
//! AIR uses) and airlink's table of known intrinsics.
//!
//! The model lets anything be built, including dangling ids, so the verifier
//! never trusts an id: every lookup is checked, and it reports an error
//! rather than panicking. The passes are linear in the module size apart
//! from sorting phi entries.
//!
//! Order of work: the type table first (if it is broken, nothing else can be
//! read safely, so verification stops there), then globals, functions with
//! their bodies, metadata, and the light AIR checks. Constants are checked
//! where they are first reached, once each.
//!
//! This file holds the entry points and the walk; the checks live in the
//! files of `verify/` by subject: types, globals, constants, functions,
//! instructions, calls, metadata, the AIR rules, the operand type rules
//! that instructions share with constant expressions (`rules.rs`), and the
//! dominator tree. Every error carries a [`VerifyErrorKind`] next to its
//! message.

mod air;
mod calls;
mod constants;
mod debuginfo;
mod depth;
mod dominators;
mod error;
mod functions;
mod globals;
mod instructions;
mod metadata;
mod rules;
mod types;

pub use error::{Location, VerifyError, VerifyErrorKind};

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use crate::fxhash::FxHasher;
use crate::inst::Opcode;
use crate::intrinsics::AirVersion;
use crate::metadata::{MetaId, NamedMetadata};
use crate::module::{FuncId, Function, Global, Module};
use crate::types::{Type, TypeId, TypeTable};

use dominators::DomTree;
use VerifyErrorKind as K;

type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// A broken rule found by a check that leaves reporting to its caller
/// (which knows the site): the kind and the message.
type Violation = (VerifyErrorKind, String);

/// Checks the module's invariants.
///
/// # Errors
/// The first problem found (see [`verify_all`] for every problem).
pub fn verify(module: &Module) -> Result<(), VerifyError> {
    match verify_all(module).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks the module's invariants and returns every problem found (empty
/// when the module is valid).
///
/// Functions of large modules (at least 20 000 instructions) are checked
/// on several threads; the list is the same as a single thread's, in the
/// same order.
pub fn verify_all(module: &Module) -> Vec<VerifyError> {
    verify_all_with_threads(module, 0)
}

/// [`verify_all`] on up to `threads` threads. `0` chooses: the available
/// parallelism for modules of at least 20 000 instructions, else one
/// thread. Any other count is used as given (at most one thread per
/// function), whatever the module's size. The result does not depend on
/// the count.
pub fn verify_all_with_threads(module: &Module, threads: usize) -> Vec<VerifyError> {
    let mut v = Verifier::new(module);
    v.run(threads);
    v.errors
}

/// [`verify`] without looking inside function bodies: types, symbols,
/// globals, function headers (linkage, attributes, types, intrinsic
/// signatures), metadata, named metadata and the AIR rules, but no
/// instruction, and no constant reached only from an instruction.
///
/// This is for a module whose bodies are copies of bodies already checked
/// in a module of the same type table, with every operand id mapped to a
/// copy of the same type and name: `metallib`'s link step, which builds one
/// such module per entry. Body checks look only at the body and at the
/// types, names and signatures of what it uses, so they would find nothing
/// new there; the module-level parts are new and are checked.
///
/// # Errors
/// The first problem found.
pub fn verify_outside_bodies(module: &Module) -> Result<(), VerifyError> {
    let mut v = Verifier::new(module);
    v.bodies = false;
    v.run(1);
    match v.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks only the functions `functions` of `module` (their headers and
/// bodies, with the constants they use) and the metadata items from index
/// `metadata_from` on, on the current thread. This is the part of
/// [`verify_all`] that depends on function bodies, for pipelines that
/// parse bodies on demand ([`crate::text::BodyFork::verify`]) and check
/// the rest once, on the skeleton, with [`verify_all`].
pub(crate) fn verify_functions(
    module: &Module,
    functions: &[FuncId],
    metadata_from: usize,
) -> Vec<VerifyError> {
    let mut v = Verifier::new(module);
    if v.check_type_table() {
        for f in functions {
            if let Some(func) = module.functions.get(f.0 as usize) {
                v.check_function(func);
            }
        }
        v.check_metadata_items(metadata_from);
        v.check_metadata_depth(metadata_from);
    }
    v.errors
}

/// Instructions from which [`verify_all`] uses several threads: below
/// this, starting threads costs about as much as it saves.
const PARALLEL_MIN_INSTS: usize = 20_000;

/// A location while checking, cheap to copy; turned into a [`Location`]
/// only when an error is reported.
#[derive(Clone, Copy)]
enum Site<'m> {
    Module,
    Type(TypeId),
    Global(&'m Global),
    Function(&'m Function),
    Block(&'m Function, usize),
    Inst(&'m Function, usize, usize, Opcode),
    Named(&'m NamedMetadata, Option<usize>),
    Meta(MetaId),
}

/// Per-constant check state.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen {
    No,
    InProgress,
    Done,
}

use crate::limits::MAX_CONST_DEPTH;
/// LLVM's largest alignment (`Value::MaximumAlignment`).
const MAX_ALIGN: u64 = 1 << 32;
/// LLVM's largest integer width.
const MAX_INT_BITS: u32 = (1 << 23) - 1;

struct Verifier<'m> {
    m: &'m Module,
    t: &'m TypeTable,
    errors: Vec<VerifyError>,
    /// Sizedness of every type (filled once the table is known to be sound).
    sized: Vec<bool>,
    consts: Vec<Seen>,
    /// Per constant: its height once checked (1 for a leaf; 0 while not
    /// measured), for the nesting limit (see `depth.rs`).
    const_height: Vec<u32>,
    /// Per constant: its type once it is checked (`Seen::Done`) and that type
    /// exists, else [`NO_TYPE`]. Uses of constants are the most common
    /// operands, and this answers them with one load.
    done_ty: Vec<TypeId>,
    air_version: Option<AirVersion>,
    /// Whether a constant check has reported an error (see
    /// [`Self::check_functions`]).
    const_error: bool,
    /// Scratch buffers reused across instructions (GEP indices, call
    /// argument types), so checking allocates nothing per instruction.
    gep_scratch: Vec<(TypeId, Option<i128>)>,
    call_scratch: Vec<Option<TypeId>>,
    /// Whether function bodies are checked (see [`verify_outside_bodies`]).
    bodies: bool,
    /// Whether the module has debug-info nodes (the debug-info rules of
    /// functions and the module run only then).
    debug_info: bool,
    /// The metadata the module reaches (from named metadata, attachments
    /// and call arguments), computed when first needed.
    reachable: Option<std::collections::HashSet<MetaId>>,
}

/// "No type" in the dense per-id tables (type ids never reach `u32::MAX`:
/// a table that large could not be built).
const NO_TYPE: TypeId = TypeId(u32::MAX);

/// What a function body check needs to know about the function.
struct Body<'m> {
    f: &'m Function,
    ret: TypeId,
    params: &'m [TypeId],
    /// (block, index in block) of each arena instruction; `None` if unplaced.
    pos: Vec<Option<(u32, u32)>>,
    /// Per arena instruction: its result type when that type exists and is
    /// not void, else [`NO_TYPE`]; with `pos`, what a use needs to know.
    value_ty: Vec<TypeId>,
    preds: Vec<Vec<u32>>,
    dom: DomTree,
}

impl<'m> Verifier<'m> {
    fn new(m: &'m Module) -> Self {
        Verifier {
            m,
            t: &m.types,
            errors: Vec::new(),
            sized: Vec::new(),
            consts: vec![Seen::No; m.consts.len()],
            const_height: vec![0; m.consts.len()],
            done_ty: vec![NO_TYPE; m.consts.len()],
            air_version: AirVersion::from_module(m),
            const_error: false,
            gep_scratch: Vec::new(),
            call_scratch: Vec::new(),
            bodies: true,
            debug_info: m
                .metadata
                .iter()
                .any(|x| matches!(x, crate::Metadata::Di(_))),
            reachable: None,
        }
    }

    fn run(&mut self, threads: usize) {
        if !self.check_type_table() {
            // Component ids dangle or form cycles: any type query could panic
            // or loop, so stop here.
            return;
        }
        self.check_symbols();
        let m = self.m;
        for g in &m.globals {
            self.check_global(g);
        }
        self.check_functions(threads);
        self.check_metadata();
        self.check_metadata_depth(0);
        self.check_air();
    }

    // ----- functions, possibly in parallel -----

    /// A verifier for a share of the functions, in the state this one has
    /// now (types and globals checked).
    fn fork(&self) -> Self {
        Verifier {
            m: self.m,
            t: self.t,
            errors: Vec::new(),
            sized: self.sized.clone(),
            consts: self.consts.clone(),
            const_height: self.const_height.clone(),
            done_ty: self.done_ty.clone(),
            air_version: self.air_version,
            const_error: false,
            gep_scratch: Vec::new(),
            call_scratch: Vec::new(),
            bodies: self.bodies,
            debug_info: self.debug_info,
            reachable: None,
        }
    }

    /// Takes over a fork's errors (appended) and which constants it checked.
    fn absorb(&mut self, other: Verifier<'m>) {
        self.errors.extend(other.errors);
        for (i, seen) in other.consts.iter().enumerate() {
            if *seen == Seen::Done && self.consts[i] != Seen::Done {
                self.consts[i] = Seen::Done;
                self.done_ty[i] = other.done_ty[i];
                self.const_height[i] = other.const_height[i];
            }
        }
    }

    /// Checks every function, in order, or in contiguous chunks on threads.
    ///
    /// Function checks are independent except for constants, which are
    /// checked once, where first reached, and report there. A chunk's fork
    /// starts with only the constants the globals reached, so it re-checks
    /// some that an earlier chunk checked already. That changes nothing as
    /// long as no constant check reports an error: then each check agrees
    /// with the single-thread run. So the chunks' errors are taken in order
    /// up to the first chunk (after the first) whose constant checks
    /// reported something; from there on the functions are checked again
    /// here, in the exact single-thread state. Broken constants are rare,
    /// so this redo is too.
    fn check_functions(&mut self, threads: usize) {
        let fs: &'m [Function] = &self.m.functions;
        let threads = match threads {
            0 => {
                let insts: usize = fs.iter().map(|f| f.insts.len()).sum();
                if insts < PARALLEL_MIN_INSTS {
                    1
                } else {
                    crate::available_threads()
                }
            }
            n => n,
        };
        let chunks = split_functions(fs, threads);
        if chunks.len() <= 1 {
            for f in fs {
                self.check_function(f);
            }
            return;
        }
        let forks: Vec<Self> = chunks[1..].iter().map(|_| self.fork()).collect();
        let parts: Vec<Self> = std::thread::scope(|s| {
            let handles: Vec<_> = forks
                .into_iter()
                .zip(&chunks[1..])
                .map(|(mut v, range)| {
                    let share = &fs[range.clone()];
                    s.spawn(move || {
                        for f in share {
                            v.check_function(f);
                        }
                        v
                    })
                })
                .collect();
            // The first chunk runs here, in the single-thread state already.
            for f in &fs[chunks[0].clone()] {
                self.check_function(f);
            }
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for (part, range) in parts.into_iter().zip(&chunks[1..]) {
            if part.const_error {
                for f in &fs[range.start..] {
                    self.check_function(f);
                }
                return;
            }
            self.absorb(part);
        }
    }

    // ----- reporting -----

    #[cold]
    fn report(&mut self, site: Site<'_>, kind: VerifyErrorKind, message: impl Into<String>) {
        let location = match site {
            Site::Module => Location::Module,
            Site::Type(id) => Location::Type(crate::text::type_to_message(self.t, id)),
            Site::Global(g) => Location::Global(g.name.clone()),
            Site::Function(f) => Location::Function(f.name.clone()),
            Site::Block(f, b) => Location::Block {
                function: f.name.clone(),
                block: block_text(f, b),
            },
            Site::Inst(f, b, index, op) => Location::Instruction {
                function: f.name.clone(),
                block: block_text(f, b),
                index,
                opcode: op.mnemonic(),
            },
            Site::Named(n, operand) => Location::NamedMetadata {
                name: n.name.clone(),
                operand,
            },
            Site::Meta(id) => Location::Metadata(id),
        };
        self.errors.push(VerifyError {
            location,
            kind,
            message: message.into().into_boxed_str(),
        });
    }

    /// A type as an error message shows it (cut after
    /// `limits::MAX_MESSAGE_TYPE_BYTES`).
    fn tt(&self, id: TypeId) -> String {
        crate::text::type_to_message(self.t, id)
    }

    // ----- types -----

    fn ty(&self, id: TypeId) -> Option<&'m Type> {
        self.t.try_get(id)
    }

    fn valid_ty(&self, id: TypeId) -> bool {
        (id.0 as usize) < self.t.len()
    }

    /// Checks `id` exists, reporting at `site` if not.
    fn need_ty(&mut self, site: Site<'_>, id: TypeId, what: &str) -> bool {
        if self.valid_ty(id) {
            true
        } else {
            self.report(
                site,
                K::UndefinedType,
                format!("{what} refers to type #{} which does not exist", id.0),
            );
            false
        }
    }

    fn is_sized(&self, id: TypeId) -> bool {
        self.sized.get(id.0 as usize).copied().unwrap_or(false)
    }

    fn is_void(&self, id: TypeId) -> bool {
        matches!(self.ty(id), Some(Type::Void))
    }

    fn is_int(&self, id: TypeId, bits: u32) -> bool {
        matches!(self.ty(id), Some(Type::Int(w)) if *w == bits)
    }
}

// ----- helpers -----

/// Splits `fs` into at most `parts` contiguous, non-empty ranges of about
/// equal work (instructions, plus one per function for its header).
fn split_functions(fs: &[Function], parts: usize) -> Vec<std::ops::Range<usize>> {
    let parts = parts.clamp(1, fs.len().max(1));
    let weight = |f: &Function| f.insts.len() + 1;
    let total: usize = fs.iter().map(weight).sum();
    let mut out = Vec::with_capacity(parts);
    let (mut start, mut acc) = (0, 0);
    for (i, f) in fs.iter().enumerate() {
        acc += weight(f);
        let k = out.len();
        // Close chunk k once it holds its share, keeping a function for
        // each chunk still to come.
        if k + 1 < parts && acc * parts >= total * (k + 1) && fs.len() - (i + 1) >= parts - k - 1 {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < fs.len() {
        out.push(start..fs.len());
    }
    out
}

fn block_text(f: &Function, b: usize) -> String {
    match f.blocks.get(b).and_then(|x| x.name.as_deref()) {
        Some(n) => format!("%{n}"),
        None => format!("#{b}"),
    }
}
