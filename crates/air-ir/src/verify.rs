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

use std::collections::HashSet;
use std::fmt;
use std::hash::BuildHasherDefault;

use crate::attributes::{AttrSet, Attribute};
use crate::constant::{ConstExpr, ConstId, ConstKind};
use crate::fxhash::FxHasher;
use crate::inst::{
    BlockId, CastRule, FlagRule, Flags, InstKind, Instruction, OpClass, Opcode, Ordering, RmwOp,
    Value,
};
use crate::intrinsics::{self, type_text, AirVersion};
use crate::metadata::{MetaId, Metadata, NamedMetadata};
use crate::module::{FuncId, Function, Global, Linkage, Module, Visibility};
use crate::types::{StructBody, Type, TypeId, TypeTable};

type FxHashSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;

/// Where a verification error was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// The module as a whole.
    Module,
    /// A type of the type table, rendered as LLVM text.
    Type(String),
    /// A global variable, by name.
    Global(String),
    /// A function (its signature, attributes or declaration), by name.
    Function(String),
    /// A basic block.
    Block {
        /// Function name.
        function: String,
        /// `%name`, or `#N` (layout index) for an unnamed block.
        block: String,
    },
    /// One instruction.
    Instruction {
        /// Function name.
        function: String,
        /// `%name`, or `#N` (layout index) for an unnamed block.
        block: String,
        /// 0-based index of the instruction within its block.
        index: usize,
        /// The opcode mnemonic, as a hint.
        opcode: &'static str,
    },
    /// A named metadata list, and which of its operands if known.
    NamedMetadata {
        /// The name without `!`.
        name: String,
        /// 0-based operand index.
        operand: Option<usize>,
    },
    /// A metadata item of the arena (arena id, not the printed `!N`).
    Metadata(MetaId),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Module => write!(f, "module"),
            Location::Type(t) => write!(f, "type {t}"),
            Location::Global(g) => write!(f, "global @{g}"),
            Location::Function(func) => write!(f, "in function @{func}"),
            Location::Block { function, block } => {
                write!(f, "in function @{function}, block {block}")
            }
            Location::Instruction {
                function,
                block,
                index,
                opcode,
            } => write!(
                f,
                "in function @{function}, block {block}, instruction {index} ({opcode})"
            ),
            Location::NamedMetadata { name, operand } => match operand {
                Some(i) => write!(f, "metadata !{name} operand {i}"),
                None => write!(f, "metadata !{name}"),
            },
            Location::Metadata(id) => write!(f, "metadata node #{}", id.0),
        }
    }
}

/// A verification failure: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct VerifyError {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong (lowercase, types as LLVM text).
    pub message: String,
}

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
            done_ty: vec![NO_TYPE; m.consts.len()],
            air_version: AirVersion::from_module(m),
            const_error: false,
            gep_scratch: Vec::new(),
            call_scratch: Vec::new(),
            bodies: true,
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
            done_ty: self.done_ty.clone(),
            air_version: self.air_version,
            const_error: false,
            gep_scratch: Vec::new(),
            call_scratch: Vec::new(),
            bodies: self.bodies,
        }
    }

    /// Takes over a fork's errors (appended) and which constants it checked.
    fn absorb(&mut self, other: Verifier<'m>) {
        self.errors.extend(other.errors);
        for (i, seen) in other.consts.iter().enumerate() {
            if *seen == Seen::Done && self.consts[i] != Seen::Done {
                self.consts[i] = Seen::Done;
                self.done_ty[i] = other.done_ty[i];
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
    fn report(&mut self, site: Site<'_>, message: impl Into<String>) {
        let location = match site {
            Site::Module => Location::Module,
            Site::Type(id) => Location::Type(type_text(self.t, id)),
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
            message: message.into(),
        });
    }

    fn tt(&self, id: TypeId) -> String {
        type_text(self.t, id)
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

    /// Checks the table itself: component ids exist, shapes are legal, and
    /// no type contains itself. Returns whether the rest may be verified.
    fn check_type_table(&mut self) -> bool {
        let t = self.t;
        let n = t.len();
        let mut sound = true;
        let mut comps = Vec::new();
        for id in t.ids() {
            let site = Site::Module;
            let here = |t: &TypeTable| format!("type #{} ({})", id.0, type_shape(t.get(id)));
            let ty = t.get(id);
            comps.clear();
            type_components(t, id, &mut comps);
            if let Some(bad) = comps.iter().find(|c| **c >= n) {
                let msg = format!("{} refers to type #{} which does not exist", here(t), bad);
                self.report(site, msg);
                sound = false;
                continue;
            }
            let site = Site::Type(id);
            match ty {
                Type::Int(w) if *w == 0 || *w > MAX_INT_BITS => {
                    self.report(
                        site,
                        format!("integer width {w} is out of range 1..={MAX_INT_BITS}"),
                    );
                }
                Type::Pointer { pointee, .. }
                    if matches!(
                        t.get(*pointee),
                        Type::Void | Type::Label | Type::Metadata | Type::Token
                    ) =>
                {
                    self.report(
                        site,
                        format!("pointer to {} is not allowed", self.tt(*pointee)),
                    );
                }
                Type::Array { elem, .. } if !valid_element(t.get(*elem)) => {
                    self.report(
                        site,
                        format!("array element type {} is not allowed", self.tt(*elem)),
                    );
                }
                Type::Vector { len, elem } => {
                    if *len == 0 {
                        self.report(site, "vector has zero lanes");
                    }
                    if !matches!(
                        t.get(*elem),
                        Type::Int(_)
                            | Type::Half
                            | Type::BFloat
                            | Type::Float
                            | Type::Double
                            | Type::Pointer { .. }
                    ) {
                        self.report(
                            site,
                            format!(
                                "vector element type {} is not an integer, float or pointer",
                                self.tt(*elem)
                            ),
                        );
                    }
                }
                Type::Struct { fields, .. } => {
                    for f in fields {
                        if !valid_element(t.get(*f)) {
                            self.report(
                                site,
                                format!("struct field type {} is not allowed", self.tt(*f)),
                            );
                        }
                    }
                }
                Type::Named(name) => {
                    if name.is_empty() {
                        self.report(site, "named struct has an empty name");
                    }
                    if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
                        for f in fields {
                            if !valid_element(t.get(*f)) {
                                self.report(
                                    site,
                                    format!("struct field type {} is not allowed", self.tt(*f)),
                                );
                            }
                        }
                    }
                }
                Type::Function { ret, params, .. } => {
                    if matches!(
                        t.get(*ret),
                        Type::Function { .. } | Type::Label | Type::Metadata
                    ) {
                        self.report(
                            site,
                            format!("function return type {} is not allowed", self.tt(*ret)),
                        );
                    }
                    for p in params {
                        if matches!(t.get(*p), Type::Void | Type::Function { .. }) {
                            self.report(
                                site,
                                format!("function parameter type {} is not allowed", self.tt(*p)),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        if !sound {
            return false;
        }
        // Structural types are interned bottom-up, so a cycle among them
        // (say a pointer whose pointee is itself) can only come from a
        // hand-built table; it would make every recursive query loop.
        let mut cyclic = Vec::new();
        dfs_post(
            n,
            |id, out| structural_children(t, TypeId(id as u32), out),
            |id| cyclic.push(id),
            |_| {},
        );
        if !cyclic.is_empty() {
            for id in cyclic {
                self.report(Site::Module, format!("type #{} contains itself", id));
            }
            return false;
        }
        // Sizedness in DFS post-order (children first). A struct reached
        // again while its own size is being computed contains itself by
        // value; it and everything around the cycle stay unsized because a
        // child not yet computed reads as unsized.
        let mut recursive = vec![false; n];
        let mut order = Vec::with_capacity(n);
        dfs_post(
            n,
            |id, out| sized_children(t, TypeId(id as u32), out),
            |id| recursive[id] = true,
            |id| order.push(id),
        );
        let mut sized = vec![false; n];
        for id in order {
            let tid = TypeId(id as u32);
            let own = match t.get(tid) {
                Type::Int(_)
                | Type::Half
                | Type::BFloat
                | Type::Float
                | Type::Double
                | Type::Pointer { .. }
                | Type::Array { .. }
                | Type::Vector { .. }
                | Type::Struct { .. } => true,
                Type::Named(_) => matches!(t.struct_body(tid), Some(StructBody::Fields { .. })),
                _ => false,
            };
            comps.clear();
            sized_children(t, tid, &mut comps);
            sized[id] = own && !recursive[id] && comps.iter().all(|c| sized[*c]);
        }
        for (id, rec) in recursive.iter().enumerate() {
            if *rec {
                self.report(
                    Site::Type(TypeId(id as u32)),
                    "struct contains itself by value",
                );
            }
        }
        self.sized = sized;
        true
    }

    fn check_attr_types(&mut self, site: Site<'_>, set: &AttrSet, what: &str) {
        for a in set {
            if let Attribute::Type(kind, Some(ty)) = a {
                if !self.valid_ty(*ty) {
                    let msg = format!(
                        "{what} attribute `{}` refers to type #{} which does not exist",
                        kind.spelling(),
                        ty.0
                    );
                    self.report(site, msg);
                }
            }
        }
    }

    fn check_align(&mut self, site: Site<'_>, align: Option<u64>) {
        if let Some(a) = align {
            if !a.is_power_of_two() || a > MAX_ALIGN {
                self.report(
                    site,
                    format!("alignment {a} is not a power of two up to 2^32"),
                );
            }
        }
    }

    fn check_attachments(&mut self, site: Site<'_>, attachments: &[(String, MetaId)]) {
        for (kind, id) in attachments {
            if kind.is_empty() {
                self.report(site, "metadata attachment has an empty kind name");
            }
            match self.m.metadata.get(id.0 as usize) {
                None => self.report(
                    site,
                    format!(
                        "metadata attachment !{kind} refers to metadata #{} which does not exist",
                        id.0
                    ),
                ),
                Some(Metadata::Node { .. }) => {}
                Some(_) => self.report(
                    site,
                    format!(
                        "metadata attachment !{kind} must refer to a node (metadata #{})",
                        id.0
                    ),
                ),
            }
        }
    }

    // ----- globals and symbols -----

    /// Names are the module's symbol table: one symbol per name.
    fn check_symbols(&mut self) {
        let m = self.m;
        // Fx rather than SipHash: names come from the module, and this runs
        // on every (small) per-entry module metallib links.
        let mut seen: FxHashSet<&str> = FxHashSet::with_capacity_and_hasher(
            m.globals.len() + m.functions.len(),
            Default::default(),
        );
        for g in &m.globals {
            if !g.name.is_empty() && !seen.insert(&g.name) {
                self.report(
                    Site::Global(g),
                    "another global or function has the same name",
                );
            }
        }
        for f in &m.functions {
            if f.name.is_empty() {
                self.report(Site::Function(f), "function has an empty name");
            } else if !seen.insert(&f.name) {
                self.report(
                    Site::Function(f),
                    "another global or function has the same name",
                );
            }
        }
    }

    fn check_linkage(
        &mut self,
        site: Site<'_>,
        linkage: Linkage,
        visibility: Visibility,
        declaration: bool,
    ) {
        if declaration && !matches!(linkage, Linkage::External | Linkage::ExternWeak) {
            self.report(
                site,
                format!(
                    "a declaration must have external or extern_weak linkage, not {}",
                    linkage.spelling()
                ),
            );
        }
        if !declaration && linkage == Linkage::ExternWeak {
            self.report(site, "a definition cannot have extern_weak linkage");
        }
        if matches!(linkage, Linkage::Internal | Linkage::Private)
            && visibility != Visibility::Default
        {
            self.report(
                site,
                format!("{} linkage requires default visibility", linkage.spelling()),
            );
        }
    }

    fn check_global(&mut self, g: &'m Global) {
        let site = Site::Global(g);
        self.check_align(site, g.align);
        if g.section.as_deref() == Some("") {
            self.report(site, "section name is empty");
        }
        self.check_attachments(site, &g.attachments);
        self.check_linkage(site, g.linkage, g.visibility, g.initializer.is_none());
        if !self.need_ty(site, g.value_ty, "the value type") {
            return;
        }
        if !valid_element(self.t.get(g.value_ty)) {
            let msg = format!(
                "value type {} is not allowed for a global",
                self.tt(g.value_ty)
            );
            self.report(site, msg);
            return;
        }
        match g.linkage {
            Linkage::Appending if !matches!(self.t.get(g.value_ty), Type::Array { .. }) => {
                self.report(site, "appending linkage requires an array type");
            }
            Linkage::Common => {
                if g.is_constant {
                    self.report(site, "common linkage is not allowed on a constant");
                }
                let zero = g
                    .initializer
                    .and_then(|c| self.m.consts.try_get(c))
                    .is_some_and(|c| {
                        matches!(&c.kind, ConstKind::Zero | ConstKind::Null)
                            || matches!(&c.kind, ConstKind::Int(v) if v.is_zero())
                            || matches!(&c.kind, ConstKind::Float(0))
                    });
                if !zero {
                    self.report(site, "common linkage requires a zero initializer");
                }
            }
            _ => {}
        }
        if let Some(init) = g.initializer {
            if let Some(ty) = self.check_const(site, init, 0) {
                if ty != g.value_ty {
                    let msg = format!(
                        "initializer has type {} but the global's value type is {}",
                        self.tt(ty),
                        self.tt(g.value_ty)
                    );
                    self.report(site, msg);
                }
            }
        }
    }

    // ----- constants -----

    /// Short LLVM-ish text of a constant, for messages.
    fn const_hint(&self, c: ConstId) -> String {
        let Some(k) = self.m.consts.try_get(c) else {
            return format!("<bad constant #{}>", c.0);
        };
        let ty = self.tt(k.ty);
        let body = match &k.kind {
            ConstKind::Int(v) => match self.ty(k.ty) {
                Some(Type::Int(w)) => v.to_signed_string(*w),
                _ => format!("{:?}", v.words()),
            },
            ConstKind::Float(bits) => format!("0x{bits:X}"),
            ConstKind::Null => "null".into(),
            ConstKind::Undef => "undef".into(),
            ConstKind::Poison => "poison".into(),
            ConstKind::Zero => "zeroinitializer".into(),
            ConstKind::Array(_) => "[...]".into(),
            ConstKind::Vector(_) => "<...>".into(),
            ConstKind::Struct(_) => "{...}".into(),
            ConstKind::String(_) => "c\"...\"".into(),
            ConstKind::Global(g) => match self.m.globals.get(g.0 as usize) {
                Some(g) => format!("@{}", g.name),
                None => format!("@<bad global #{}>", g.0),
            },
            ConstKind::Function(f) => match self.m.functions.get(f.0 as usize) {
                Some(f) => format!("@{}", f.name),
                None => format!("@<bad function #{}>", f.0),
            },
            ConstKind::Expr(e) => format!("{} (...)", const_expr_opcode(e)),
        };
        format!("{ty} {body}")
    }

    /// Checks constant `c` (once; errors are reported at the first site that
    /// reaches it) and returns its type if the constant and its type exist.
    fn check_const(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Option<TypeId> {
        let before = self.errors.len();
        let ty = self.check_const_once(site, c, depth);
        if self.errors.len() != before {
            self.const_error = true;
        }
        ty
    }

    fn check_const_once(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Option<TypeId> {
        let Some(k) = self.m.consts.try_get(c) else {
            self.report(site, format!("constant #{} does not exist", c.0));
            return None;
        };
        let ty_ok = self.valid_ty(k.ty);
        match self.consts[c.0 as usize] {
            Seen::Done => return ty_ok.then_some(k.ty),
            Seen::InProgress => {
                self.report(site, format!("constant #{} contains itself", c.0));
                return None;
            }
            Seen::No => {}
        }
        if depth > MAX_CONST_DEPTH {
            self.report(site, "constants nest too deeply");
            return None;
        }
        if !ty_ok {
            self.consts[c.0 as usize] = Seen::Done;
            self.report(
                site,
                format!(
                    "constant #{} has type #{} which does not exist",
                    c.0, k.ty.0
                ),
            );
            return None;
        }
        self.consts[c.0 as usize] = Seen::InProgress;
        if let Err(msg) = self.const_rules(site, c, depth) {
            let hint = self.const_hint(c);
            self.report(site, format!("constant {hint}: {msg}"));
        }
        self.consts[c.0 as usize] = Seen::Done;
        self.done_ty[c.0 as usize] = k.ty;
        Some(k.ty)
    }

    fn const_rules(&mut self, site: Site<'_>, c: ConstId, depth: u32) -> Result<(), String> {
        let m = self.m;
        let t = self.t;
        let k = m.consts.get(c);
        let ty = k.ty;
        let shape = t.get(ty);
        // Checks children first; a child that is broken was already reported.
        let child = |this: &mut Self, id: ConstId| this.check_const(site, id, depth + 1);
        match &k.kind {
            ConstKind::Int(v) => {
                let Type::Int(w) = shape else {
                    return Err("an integer constant needs an integer type".into());
                };
                let words = (*w as usize).div_ceil(64);
                let rem = w % 64;
                let fits = v.words().len() == words
                    && (rem == 0 || v.words().last().is_some_and(|top| top >> rem == 0));
                if !fits {
                    return Err(format!("value does not fit in i{w}"));
                }
            }
            ConstKind::Float(bits) => {
                let Some(w) = t.float_width(ty) else {
                    return Err("a float constant needs a floating-point type".into());
                };
                if w < 64 && bits >> w != 0 {
                    return Err(format!("bits 0x{bits:X} do not fit in a {w}-bit float"));
                }
            }
            ConstKind::Null => {
                if !matches!(shape, Type::Pointer { .. }) {
                    return Err("null needs a pointer type".into());
                }
            }
            ConstKind::Undef | ConstKind::Poison => {
                if matches!(
                    shape,
                    Type::Void | Type::Label | Type::Metadata | Type::Function { .. }
                ) {
                    return Err("undef/poison needs a first-class type".into());
                }
            }
            ConstKind::Zero => {
                // llvm-as-14 even accepts a zeroinitializer of an opaque struct.
                if !valid_element(shape) {
                    return Err("zeroinitializer needs a first-class type".into());
                }
            }
            ConstKind::Array(elems) | ConstKind::Vector(elems) => {
                let (len, elem) = match (&k.kind, shape) {
                    (ConstKind::Array(_), Type::Array { len, elem }) => (*len, *elem),
                    (ConstKind::Vector(_), Type::Vector { len, elem }) => (u64::from(*len), *elem),
                    (ConstKind::Array(_), _) => {
                        return Err("an array constant needs an array type".into())
                    }
                    _ => return Err("a vector constant needs a vector type".into()),
                };
                if elems.len() as u64 != len {
                    return Err(format!(
                        "has {} elements but the type has {len}",
                        elems.len()
                    ));
                }
                for (i, e) in elems.iter().enumerate() {
                    if let Some(et) = child(self, *e) {
                        if et != elem {
                            return Err(format!(
                                "element {i} has type {} but the element type is {}",
                                self.tt(et),
                                self.tt(elem)
                            ));
                        }
                    }
                }
            }
            ConstKind::Struct(elems) => {
                let Some(fields) = t.struct_fields(ty) else {
                    return Err("a struct constant needs a struct type with a body".into());
                };
                if elems.len() != fields.len() {
                    return Err(format!(
                        "has {} fields but the type has {}",
                        elems.len(),
                        fields.len()
                    ));
                }
                for (i, (e, f)) in elems.iter().zip(fields).enumerate() {
                    if let Some(et) = child(self, *e) {
                        if et != *f {
                            return Err(format!(
                                "field {i} has type {} but the struct expects {}",
                                self.tt(et),
                                self.tt(*f)
                            ));
                        }
                    }
                }
            }
            ConstKind::String(bytes) => match shape {
                Type::Array { len, elem } if self.is_int(*elem, 8) => {
                    if *len != bytes.len() as u64 {
                        return Err(format!(
                            "string has {} bytes but the type has {len}",
                            bytes.len()
                        ));
                    }
                }
                _ => return Err("a string constant needs an [N x i8] type".into()),
            },
            ConstKind::Global(gid) => {
                let Some(g) = m.globals.get(gid.0 as usize) else {
                    return Err(format!("refers to global #{} which does not exist", gid.0));
                };
                if t.pointer_parts(ty) != Some((g.value_ty, g.addrspace)) {
                    return Err(format!(
                        "the address of @{} must have a pointer type to its value type",
                        g.name
                    ));
                }
            }
            ConstKind::Function(fid) => {
                let Some(f) = m.functions.get(fid.0 as usize) else {
                    return Err(format!(
                        "refers to function #{} which does not exist",
                        fid.0
                    ));
                };
                if t.pointer_parts(ty) != Some((f.ty, 0)) {
                    return Err(format!(
                        "the address of @{} must have type {}*",
                        f.name,
                        self.tt(f.ty)
                    ));
                }
            }
            ConstKind::Expr(e) => return self.const_expr_rules(site, ty, e, depth),
        }
        Ok(())
    }

    fn const_expr_rules(
        &mut self,
        site: Site<'_>,
        ty: TypeId,
        e: &ConstExpr,
        depth: u32,
    ) -> Result<(), String> {
        let child = |this: &mut Self, id: ConstId| this.check_const(site, id, depth + 1);
        match e {
            ConstExpr::Cast { op, value } => {
                if let Some(src) = child(self, *value) {
                    self.rule_cast(*op, src, ty)?;
                }
            }
            ConstExpr::GetElementPtr {
                source,
                base,
                indices,
                inrange,
                ..
            } => {
                let base_ty = child(self, *base);
                let mut idx = Vec::with_capacity(indices.len());
                for i in indices {
                    match child(self, *i) {
                        Some(it) => idx.push((it, self.const_int_value(*i))),
                        None => return Ok(()),
                    }
                }
                if !self.valid_ty(*source) {
                    return Err(format!("source type #{} does not exist", source.0));
                }
                if let Some(r) = inrange {
                    if *r as usize >= indices.len() {
                        return Err(format!("inrange index {r} is past the last index"));
                    }
                }
                if let Some(b) = base_ty {
                    self.rule_gep(*source, b, &idx, ty)?;
                }
            }
            ConstExpr::Binary {
                op,
                lhs,
                rhs,
                flags,
            } => {
                let (l, r) = (child(self, *lhs), child(self, *rhs));
                if !flags.fast_math().is_empty() {
                    return Err("fast-math flags are not allowed on constant expressions".into());
                }
                self.rule_flags(*op, *flags, false)?;
                if let (Some(l), Some(r)) = (l, r) {
                    self.rule_binary(*op, l, r, ty)?;
                }
            }
            ConstExpr::FNeg(v) => {
                if let Some(vt) = child(self, *v) {
                    self.rule_fneg(vt, ty)?;
                }
            }
            ConstExpr::ICmp { lhs, rhs, .. } => {
                if let (Some(l), Some(r)) = (child(self, *lhs), child(self, *rhs)) {
                    self.rule_cmp(true, l, r, ty)?;
                }
            }
            ConstExpr::FCmp { lhs, rhs, .. } => {
                if let (Some(l), Some(r)) = (child(self, *lhs), child(self, *rhs)) {
                    self.rule_cmp(false, l, r, ty)?;
                }
            }
            ConstExpr::Select {
                cond,
                on_true,
                on_false,
            } => {
                let (c, a, b) = (
                    child(self, *cond),
                    child(self, *on_true),
                    child(self, *on_false),
                );
                if let (Some(c), Some(a), Some(b)) = (c, a, b) {
                    self.rule_select(c, a, b, ty)?;
                }
            }
            ConstExpr::ExtractElement { vector, index } => {
                if let (Some(v), Some(i)) = (child(self, *vector), child(self, *index)) {
                    self.rule_extract_element(v, i, ty)?;
                }
            }
            ConstExpr::InsertElement {
                vector,
                element,
                index,
            } => {
                let (v, e, i) = (
                    child(self, *vector),
                    child(self, *element),
                    child(self, *index),
                );
                if let (Some(v), Some(e), Some(i)) = (v, e, i) {
                    self.rule_insert_element(v, e, i, ty)?;
                }
            }
            ConstExpr::ShuffleVector { a, b, mask } => {
                let (at, bt, mt) = (child(self, *a), child(self, *b), child(self, *mask));
                if let (Some(at), Some(bt), Some(_)) = (at, bt, mt) {
                    self.rule_shuffle(at, bt, Some(*mask), ty)?;
                }
            }
        }
        Ok(())
    }

    /// The value of an integer constant, sign-extended, if it is one.
    fn const_int_value(&self, c: ConstId) -> Option<i128> {
        let k = self.m.consts.try_get(c)?;
        match (&k.kind, self.ty(k.ty)?) {
            (ConstKind::Int(v), Type::Int(w)) => v.as_i128(*w),
            (ConstKind::Zero, Type::Int(_)) => Some(0),
            _ => None,
        }
    }

    // ----- operand/type rules shared by instructions and constant expressions -----

    #[inline]
    fn rule_flags(&self, op: Opcode, flags: Flags, fp_type: bool) -> Result<(), String> {
        // Most instructions carry no flags; nothing below can fail then.
        if flags.0 == 0 {
            return Ok(());
        }
        self.rule_flags_slow(op, flags, fp_type)
    }

    fn rule_flags_slow(&self, op: Opcode, flags: Flags, fp_type: bool) -> Result<(), String> {
        let known = Flags::NUW.0 | Flags::NSW.0 | Flags::EXACT.0 | Flags::FAST.0;
        if flags.0 & !known != 0 {
            return Err(format!("unknown flag bits 0x{:X}", flags.0 & !known));
        }
        let rule = op.flag_rule();
        let wrap = Flags(Flags::NUW.0 | Flags::NSW.0);
        if flags.0 & wrap.0 != 0 && rule != FlagRule::Wrap {
            return Err(format!(
                "`nuw`/`nsw` are not allowed on `{}`",
                op.mnemonic()
            ));
        }
        if flags.contains(Flags::EXACT) && rule != FlagRule::Exact {
            return Err(format!("`exact` is not allowed on `{}`", op.mnemonic()));
        }
        if !flags.fast_math().is_empty() {
            if rule != FlagRule::FastMath {
                return Err(format!(
                    "fast-math flags are not allowed on `{}`",
                    op.mnemonic()
                ));
            }
            if !fp_type {
                return Err(format!(
                    "fast-math flags on `{}` need a floating-point type",
                    op.mnemonic()
                ));
            }
        }
        Ok(())
    }

    /// Whether fast-math flags may sit on a phi/select/call of type `ty`:
    /// float, float vector, or (nested) arrays of them, as LLVM 14 says.
    fn is_fp_math_type(&self, mut ty: TypeId) -> bool {
        while let Some(Type::Array { elem, .. }) = self.ty(ty) {
            ty = *elem;
        }
        self.t.is_float_or_float_vector(ty)
    }

    fn rule_binary(&self, op: Opcode, l: TypeId, r: TypeId, res: TypeId) -> Result<(), String> {
        let int = match op.class() {
            OpClass::IntBinary => true,
            OpClass::FloatBinary => false,
            _ => return Err(format!("`{}` is not a binary operator", op.mnemonic())),
        };
        if l != r {
            return Err(format!(
                "operands have different types {} and {}",
                self.tt(l),
                self.tt(r)
            ));
        }
        if int && !self.t.is_int_or_int_vector(l) {
            return Err(format!(
                "`{}` needs integer operands, not {}",
                op.mnemonic(),
                self.tt(l)
            ));
        }
        if !int && !self.t.is_float_or_float_vector(l) {
            return Err(format!(
                "`{}` needs floating-point operands, not {}",
                op.mnemonic(),
                self.tt(l)
            ));
        }
        if res != l {
            return Err(format!(
                "result type {} differs from the operand type {}",
                self.tt(res),
                self.tt(l)
            ));
        }
        Ok(())
    }

    fn rule_fneg(&self, v: TypeId, res: TypeId) -> Result<(), String> {
        if !self.t.is_float_or_float_vector(v) {
            return Err(format!(
                "`fneg` needs a floating-point operand, not {}",
                self.tt(v)
            ));
        }
        if res != v {
            return Err(format!(
                "result type {} differs from the operand type {}",
                self.tt(res),
                self.tt(v)
            ));
        }
        Ok(())
    }

    /// (lane count, scalar type); lanes is `None` for scalars.
    fn lanes(&self, ty: TypeId) -> (Option<u32>, TypeId) {
        match self.ty(ty) {
            Some(Type::Vector { len, elem }) => (Some(*len), *elem),
            _ => (None, ty),
        }
    }

    fn rule_cast(&self, op: Opcode, src: TypeId, dst: TypeId) -> Result<(), String> {
        let OpClass::Cast(rule) = op.class() else {
            return Err(format!("`{}` is not a cast", op.mnemonic()));
        };
        let bad = || {
            Err(format!(
                "`{}` cannot convert {} to {}",
                op.mnemonic(),
                self.tt(src),
                self.tt(dst)
            ))
        };
        let (sl, ss) = self.lanes(src);
        let (dl, ds) = self.lanes(dst);
        let t = self.t;
        if rule != CastRule::BitCast && sl != dl {
            return Err(format!(
                "`{}` changes the lane count ({} to {})",
                op.mnemonic(),
                self.tt(src),
                self.tt(dst)
            ));
        }
        let ok = match rule {
            CastRule::IntNarrow => {
                matches!((t.int_width(ss), t.int_width(ds)), (Some(a), Some(b)) if a > b)
            }
            CastRule::IntWiden => {
                matches!((t.int_width(ss), t.int_width(ds)), (Some(a), Some(b)) if a < b)
            }
            CastRule::FloatNarrow => {
                matches!((t.float_width(ss), t.float_width(ds)), (Some(a), Some(b)) if a > b)
            }
            CastRule::FloatWiden => {
                matches!((t.float_width(ss), t.float_width(ds)), (Some(a), Some(b)) if a < b)
            }
            CastRule::FloatToInt => t.is_float(ss) && t.int_width(ds).is_some(),
            CastRule::IntToFloat => t.int_width(ss).is_some() && t.is_float(ds),
            CastRule::PtrToInt => t.is_pointer(ss) && t.int_width(ds).is_some(),
            CastRule::IntToPtr => t.int_width(ss).is_some() && t.is_pointer(ds),
            CastRule::AddrSpaceCast => match (t.pointer_parts(ss), t.pointer_parts(ds)) {
                (Some((_, a)), Some((_, b))) => {
                    if a == b {
                        return Err(
                            "`addrspacecast` must change the address space; use bitcast".into()
                        );
                    }
                    true
                }
                _ => false,
            },
            CastRule::BitCast => {
                let sp = t.is_ptr_or_ptr_vector(src);
                let dp = t.is_ptr_or_ptr_vector(dst);
                if sp || dp {
                    match (t.pointer_parts(ss), t.pointer_parts(ds)) {
                        (Some((_, a)), Some((_, b))) if sl == dl => {
                            if a != b {
                                return Err(format!(
                                    "`bitcast` cannot change the address space ({} to {}); use addrspacecast",
                                    self.tt(src),
                                    self.tt(dst)
                                ));
                            }
                            true
                        }
                        _ => false,
                    }
                } else {
                    // Non-aggregate first-class types of one bit size.
                    match (t.primitive_bits(src), t.primitive_bits(dst)) {
                        (Some(a), Some(b)) => a == b,
                        _ => false,
                    }
                }
            }
        };
        if ok {
            Ok(())
        } else {
            bad()
        }
    }

    /// The i1 (or `<N x i1>`) a comparison of `operand` type yields is `res`?
    fn is_bool_for(&self, operand: TypeId, res: TypeId) -> bool {
        match (self.lanes(operand).0, self.ty(res)) {
            (None, Some(Type::Int(1))) => true,
            (Some(n), Some(Type::Vector { len, elem })) => *len == n && self.is_int(*elem, 1),
            _ => false,
        }
    }

    fn rule_cmp(&self, int: bool, l: TypeId, r: TypeId, res: TypeId) -> Result<(), String> {
        let name = if int { "icmp" } else { "fcmp" };
        if l != r {
            return Err(format!(
                "operands have different types {} and {}",
                self.tt(l),
                self.tt(r)
            ));
        }
        let scalar = self.t.scalar(l);
        let ok = if int {
            self.t.int_width(scalar).is_some() || self.t.is_pointer(scalar)
        } else {
            self.t.is_float(scalar)
        };
        if !ok {
            let want = if int {
                "integer or pointer"
            } else {
                "floating-point"
            };
            return Err(format!(
                "`{name}` needs {want} operands, not {}",
                self.tt(l)
            ));
        }
        if !self.is_bool_for(l, res) {
            return Err(format!(
                "`{name}` of {} must have type {}, not {}",
                self.tt(l),
                match self.lanes(l).0 {
                    Some(n) => format!("<{n} x i1>"),
                    None => "i1".into(),
                },
                self.tt(res)
            ));
        }
        Ok(())
    }

    fn rule_select(&self, c: TypeId, a: TypeId, b: TypeId, res: TypeId) -> Result<(), String> {
        let (cl, cs) = self.lanes(c);
        if !self.is_int(cs, 1) {
            return Err(format!(
                "select condition must be i1 or <N x i1>, not {}",
                self.tt(c)
            ));
        }
        if a != b {
            return Err(format!(
                "select values have different types {} and {}",
                self.tt(a),
                self.tt(b)
            ));
        }
        if let Some(n) = cl {
            if self.lanes(a).0 != Some(n) {
                return Err(format!(
                    "a vector condition {} needs vector values with {n} lanes, not {}",
                    self.tt(c),
                    self.tt(a)
                ));
            }
        }
        if res != a {
            return Err(format!(
                "result type {} differs from the value type {}",
                self.tt(res),
                self.tt(a)
            ));
        }
        Ok(())
    }

    fn rule_extract_element(&self, v: TypeId, i: TypeId, res: TypeId) -> Result<(), String> {
        let Some((_, elem)) = self.t.vector_parts(v) else {
            return Err(format!("extractelement needs a vector, not {}", self.tt(v)));
        };
        if self.t.int_width(i).is_none() {
            return Err(format!(
                "element index must be an integer, not {}",
                self.tt(i)
            ));
        }
        if res != elem {
            return Err(format!(
                "result type {} differs from the element type {}",
                self.tt(res),
                self.tt(elem)
            ));
        }
        Ok(())
    }

    fn rule_insert_element(
        &self,
        v: TypeId,
        e: TypeId,
        i: TypeId,
        res: TypeId,
    ) -> Result<(), String> {
        let Some((_, elem)) = self.t.vector_parts(v) else {
            return Err(format!("insertelement needs a vector, not {}", self.tt(v)));
        };
        if e != elem {
            return Err(format!(
                "inserted value has type {} but the element type is {}",
                self.tt(e),
                self.tt(elem)
            ));
        }
        if self.t.int_width(i).is_none() {
            return Err(format!(
                "element index must be an integer, not {}",
                self.tt(i)
            ));
        }
        if res != v {
            return Err(format!(
                "result type {} differs from the vector type {}",
                self.tt(res),
                self.tt(v)
            ));
        }
        Ok(())
    }

    fn rule_shuffle(
        &self,
        a: TypeId,
        b: TypeId,
        mask: Option<ConstId>,
        res: TypeId,
    ) -> Result<(), String> {
        let Some((n, elem)) = self.t.vector_parts(a) else {
            return Err(format!("shufflevector needs vectors, not {}", self.tt(a)));
        };
        if a != b {
            return Err(format!(
                "shufflevector operands have different types {} and {}",
                self.tt(a),
                self.tt(b)
            ));
        }
        let Some(mask) = mask.and_then(|c| self.m.consts.try_get(c)) else {
            return Err("the shufflevector mask must be a constant".into());
        };
        let Some((m_len, m_elem)) = self.t.vector_parts(mask.ty) else {
            return Err(format!(
                "the mask must be a vector of i32, not {}",
                self.tt(mask.ty)
            ));
        };
        if !self.is_int(m_elem, 32) {
            return Err(format!(
                "the mask must be a vector of i32, not {}",
                self.tt(mask.ty)
            ));
        }
        match &mask.kind {
            ConstKind::Zero | ConstKind::Undef | ConstKind::Poison => {}
            ConstKind::Vector(elems) => {
                for (i, e) in elems.iter().enumerate() {
                    match self.m.consts.try_get(*e).map(|k| &k.kind) {
                        Some(ConstKind::Undef | ConstKind::Poison) => {}
                        Some(ConstKind::Int(v)) => {
                            if v.as_u64().is_none_or(|x| x >= 2 * u64::from(n)) {
                                return Err(format!(
                                    "mask element {i} selects lane {} of only {}",
                                    v.to_signed_string(32),
                                    2 * n
                                ));
                            }
                        }
                        _ => {
                            return Err(format!(
                                "mask element {i} must be an i32 constant or undef"
                            ))
                        }
                    }
                }
            }
            _ => return Err("the mask must be a constant vector, undef or zeroinitializer".into()),
        }
        if self.t.vector_parts(res) != Some((m_len, elem)) {
            return Err(format!(
                "result type {} should be <{m_len} x {}>",
                self.tt(res),
                self.tt(elem)
            ));
        }
        Ok(())
    }

    /// Checks a GEP: `base` points to `source`, indices are integers, struct
    /// indices are in-range `i32` constants, and `res` is the pointer (or
    /// pointer vector) the indices reach. `indices` pairs each index type
    /// with its constant value, if constant.
    fn rule_gep(
        &self,
        source: TypeId,
        base: TypeId,
        indices: &[(TypeId, Option<i128>)],
        res: TypeId,
    ) -> Result<(), String> {
        let t = self.t;
        if !self.is_sized(source) {
            return Err(format!(
                "getelementptr over the unsized type {}",
                self.tt(source)
            ));
        }
        let (mut lanes, base_scalar) = self.lanes(base);
        let Some((pointee, addrspace)) = t.pointer_parts(base_scalar) else {
            return Err(format!(
                "getelementptr base must be a pointer, not {}",
                self.tt(base)
            ));
        };
        if pointee != source {
            return Err(format!(
                "getelementptr base has type {} but the source type is {}",
                self.tt(base),
                self.tt(source)
            ));
        }
        for (i, (it, _)) in indices.iter().enumerate() {
            let (il, is) = self.lanes(*it);
            if t.int_width(is).is_none() {
                return Err(format!(
                    "index {i} must be an integer, not {}",
                    self.tt(*it)
                ));
            }
            if let Some(n) = il {
                if lanes.is_some_and(|l| l != n) {
                    return Err(format!(
                        "index {i} has {n} lanes but the others have {}",
                        lanes.unwrap_or(0)
                    ));
                }
                lanes = Some(n);
            }
        }
        let mut cur = source;
        for (i, (it, value)) in indices.iter().enumerate().skip(1) {
            cur = match t.get(cur) {
                Type::Array { elem, .. } | Type::Vector { elem, .. } => *elem,
                Type::Struct { .. } | Type::Named(_) => {
                    let Some(fields) = t.struct_fields(cur) else {
                        return Err(format!(
                            "index {i} steps into the opaque struct {}",
                            self.tt(cur)
                        ));
                    };
                    let v = match value {
                        Some(v) if self.is_int(*it, 32) => *v,
                        _ => {
                            return Err(format!(
                                "index {i} into struct {} must be an i32 constant",
                                self.tt(cur)
                            ))
                        }
                    };
                    match usize::try_from(v).ok().and_then(|v| fields.get(v)) {
                        Some(f) => *f,
                        None => {
                            return Err(format!(
                                "index {i} ({v}) is out of range for struct {} with {} fields",
                                self.tt(cur),
                                fields.len()
                            ))
                        }
                    }
                }
                _ => return Err(format!("index {i} cannot step into {}", self.tt(cur))),
            };
        }
        let want_ptr = |p: TypeId| t.pointer_parts(p) == Some((cur, addrspace));
        let ok = match (lanes, t.get(res)) {
            (None, Type::Pointer { .. }) => want_ptr(res),
            (Some(n), Type::Vector { len, elem }) => *len == n && want_ptr(*elem),
            _ => false,
        };
        if !ok {
            let ptr = if addrspace == 0 {
                format!("{}*", self.tt(cur))
            } else {
                format!("{} addrspace({addrspace})*", self.tt(cur))
            };
            let want = match lanes {
                Some(n) => format!("<{n} x {ptr}>"),
                None => ptr,
            };
            return Err(format!("result type {} should be {want}", self.tt(res)));
        }
        Ok(())
    }

    /// The type `indices` reach inside aggregate `agg` (extract/insertvalue).
    fn walk_aggregate(&self, agg: TypeId, indices: &[u32]) -> Result<TypeId, String> {
        if indices.is_empty() {
            return Err("needs at least one index".into());
        }
        let mut cur = agg;
        for (i, &idx) in indices.iter().enumerate() {
            cur = match self.t.get(cur) {
                Type::Array { len, elem } => {
                    if u64::from(idx) >= *len {
                        return Err(format!(
                            "index {i} ({idx}) is out of range for {}",
                            self.tt(cur)
                        ));
                    }
                    *elem
                }
                Type::Struct { .. } | Type::Named(_) => {
                    let Some(fields) = self.t.struct_fields(cur) else {
                        return Err(format!(
                            "index {i} steps into the opaque struct {}",
                            self.tt(cur)
                        ));
                    };
                    match fields.get(idx as usize) {
                        Some(f) => *f,
                        None => {
                            return Err(format!(
                                "index {i} ({idx}) is out of range for {}",
                                self.tt(cur)
                            ))
                        }
                    }
                }
                _ => return Err(format!("index {i} cannot step into {}", self.tt(cur))),
            };
        }
        Ok(cur)
    }

    // ----- functions -----

    fn check_function(&mut self, f: &'m Function) {
        let site = Site::Function(f);
        self.check_align(site, f.align);
        if f.section.as_deref() == Some("") {
            self.report(site, "section name is empty");
        }
        let declaration = f.blocks.is_empty();
        self.check_linkage(site, f.linkage, f.visibility, declaration);
        if matches!(f.linkage, Linkage::Common | Linkage::Appending) {
            self.report(
                site,
                format!(
                    "{} linkage is not allowed on a function",
                    f.linkage.spelling()
                ),
            );
        }
        self.check_attachments(site, &f.attachments);
        self.check_attr_types(site, &f.fn_attrs, "function");
        self.check_attr_types(site, &f.ret_attrs, "return");
        for p in &f.params {
            self.check_attr_types(site, &p.attrs, "parameter");
        }
        if !self.need_ty(site, f.ty, "the function type") {
            return;
        }
        let Some((ret, params, _)) = self.t.function_parts(f.ty) else {
            let msg = format!("type {} is not a function type", self.tt(f.ty));
            self.report(site, msg);
            return;
        };
        if f.params.len() != params.len() {
            let msg = format!(
                "has {} parameters but its type {} has {}",
                f.params.len(),
                self.tt(f.ty),
                params.len()
            );
            self.report(site, msg);
        }
        if !f.name.starts_with("llvm.") {
            if let Some(k) = params
                .iter()
                .position(|p| matches!(self.t.get(*p), Type::Metadata))
            {
                let msg =
                    format!("parameter {k} is metadata, which only llvm.* intrinsics may take");
                self.report(site, msg);
            }
        }
        self.check_intrinsic(f);
        if declaration {
            if !f.insts.is_empty() {
                self.report(site, "a declaration (no blocks) has instructions");
            }
            return;
        }
        if self.bodies {
            self.check_body(f, ret, params);
        }
    }

    /// A declaration whose name the intrinsic table knows must have the
    /// table's type (one of them, when AIR versions differ).
    fn check_intrinsic(&mut self, f: &'m Function) {
        // lookup_for's forms, without its two Vecs per function.
        let forms = intrinsics::lookup_for_iter(&f.name, self.air_version);
        if forms.clone().next().is_none() {
            return;
        }
        let site = Site::Function(f);
        if !f.blocks.is_empty() {
            self.report(site, format!("intrinsic @{} cannot have a body", f.name));
        }
        if forms.clone().any(|i| i.matches(self.t, f.ty)) {
            return;
        }
        let forms: Vec<_> = forms.collect();
        let expected: Vec<String> = forms.iter().map(|i| i.signature_text()).collect();
        let mut msg = format!(
            "intrinsic @{} must have type {}, but is declared as {}",
            f.name,
            expected.join(" or "),
            self.tt(f.ty)
        );
        if forms.iter().any(|i| i.has_free_vars()) {
            msg.push_str(
                " (%event_t may be any named struct, and its pointers may be in addrspace 0)",
            );
        }
        self.report(site, msg);
    }

    fn check_body(&mut self, f: &'m Function, ret: TypeId, params: &'m [TypeId]) {
        let nb = f.blocks.len();
        let ni = f.insts.len();
        let fsite = Site::Function(f);

        // Placement: every arena instruction in exactly one block, once.
        let mut pos: Vec<Option<(u32, u32)>> = vec![None; ni];
        let mut placement_ok = true;
        for (b, block) in f.blocks.iter().enumerate() {
            if block.insts.is_empty() {
                self.report(Site::Block(f, b), "block is empty; it needs a terminator");
            }
            for (i, iid) in block.insts.iter().enumerate() {
                match pos.get_mut(iid.0 as usize) {
                    None => {
                        let msg = format!(
                            "position {i} lists instruction #{} which is not in the function",
                            iid.0
                        );
                        self.report(Site::Block(f, b), msg);
                        placement_ok = false;
                    }
                    Some(Some((ob, oi))) => {
                        let msg = format!(
                            "position {i} lists instruction #{} again (already at block {}, position {oi})",
                            iid.0,
                            block_text(f, *ob as usize)
                        );
                        self.report(Site::Block(f, b), msg);
                        placement_ok = false;
                    }
                    Some(slot) => *slot = Some((b as u32, i as u32)),
                }
            }
        }
        for (i, p) in pos.iter().enumerate() {
            if p.is_none() {
                let op = f.insts[i].kind.opcode().mnemonic();
                self.report(
                    fsite,
                    format!("instruction #{i} ({op}) is not in any block"),
                );
            }
        }
        if !placement_ok {
            // Walking blocks would meet missing or repeated ids; the
            // placement errors already say what to fix.
            return;
        }

        // Block structure and the CFG.
        let mut succs: Vec<Vec<u32>> = vec![Vec::new(); nb];
        let mut preds: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for (b, block) in f.blocks.iter().enumerate() {
            let mut non_phi_seen = false;
            let last = block.insts.len().saturating_sub(1);
            for (i, iid) in block.insts.iter().enumerate() {
                let inst = &f.insts[iid.0 as usize];
                let op = inst.kind.opcode();
                let site = Site::Inst(f, b, i, op);
                if op == Opcode::Phi {
                    if non_phi_seen {
                        self.report(
                            site,
                            "phi nodes must come before every other instruction of the block",
                        );
                    }
                } else {
                    non_phi_seen = true;
                }
                if op.is_terminator() && i != last {
                    self.report(site, "terminator in the middle of a block");
                }
                if i == last && !op.is_terminator() {
                    self.report(site, "block does not end in a terminator");
                }
                if op.is_terminator() {
                    for s in inst.kind.successors() {
                        if (s.0 as usize) < nb {
                            if i == last {
                                succs[b].push(s.0);
                                preds[s.0 as usize].push(b as u32);
                            }
                        } else {
                            self.report(
                                site,
                                format!("branches to block #{} which does not exist", s.0),
                            );
                        }
                    }
                }
            }
        }
        if !preds[0].is_empty() {
            let from: Vec<String> = preds[0]
                .iter()
                .map(|p| block_text(f, *p as usize))
                .collect();
            let msg = format!(
                "the entry block cannot have predecessors (branched to from {})",
                from.join(", ")
            );
            self.report(Site::Block(f, 0), msg);
        }
        let dom = DomTree::new(nb, &succs, &preds);
        let value_ty = f
            .insts
            .iter()
            .map(|x| match self.ty(x.ty) {
                Some(Type::Void) | None => NO_TYPE,
                Some(_) => x.ty,
            })
            .collect();
        let body = Body {
            f,
            ret,
            params,
            pos,
            value_ty,
            preds,
            dom,
        };
        for (b, block) in f.blocks.iter().enumerate() {
            for (i, iid) in block.insts.iter().enumerate() {
                let inst = &f.insts[iid.0 as usize];
                self.check_inst(&body, b, i, inst);
            }
        }
    }

    /// Text for an operand in messages.
    fn value_hint(&self, f: &Function, v: Value) -> String {
        match v {
            Value::Const(c) => self.const_hint(c),
            Value::Arg(i) => match f.params.get(i as usize).and_then(|p| p.name.as_deref()) {
                Some(n) => format!("%{n}"),
                None => format!("argument {i}"),
            },
            Value::Inst(id) => match f.insts.get(id.0 as usize).and_then(|x| x.name.as_deref()) {
                Some(n) => format!("%{n}"),
                None => format!("instruction #{}", id.0),
            },
            Value::Metadata(m) => format!("metadata #{}", m.0),
        }
    }

    /// Checks one operand (existence, value-ness, dominance) and returns its
    /// type. `phi_from` is the incoming block for phi operands, whose uses
    /// count at the end of that block.
    ///
    /// Most operands are fine, and [`Self::operand_ok`] says so with a few
    /// loads; everything else (first uses of constants, errors, the odd
    /// cases) goes through [`Self::operand_slow`], the full check.
    #[inline]
    fn operand(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        match self.operand_ok(body, at, v, phi_from) {
            Some(t) => Some(t),
            None => self.operand_slow(body, site, at, v, phi_from),
        }
    }

    /// The operand's type if it certainly passes every check of
    /// [`Self::operand_slow`] (which would then report nothing and return the
    /// same type); `None` means "not sure", never "wrong".
    #[inline]
    fn operand_ok(
        &self,
        body: &Body<'m>,
        (use_block, use_index): (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        match v {
            Value::Const(c) => {
                let t = *self.done_ty.get(c.0 as usize)?;
                (t != NO_TYPE).then_some(t)
            }
            Value::Arg(i) => body.params.get(i as usize).copied(),
            Value::Metadata(_) => None,
            Value::Inst(id) => {
                let t = *body.value_ty.get(id.0 as usize)?;
                let (db, di) = body.pos[id.0 as usize]?;
                let (db, di) = (db as usize, di as usize);
                let ok = match phi_from {
                    Some(pb) => body.dom.dominates_or_unreachable(db, pb.0 as usize),
                    None if db == use_block => di < use_index,
                    None => body.dom.dominates_or_unreachable(db, use_block),
                };
                (ok && t != NO_TYPE).then_some(t)
            }
        }
    }

    #[inline(never)]
    fn operand_slow(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        (use_block, use_index): (usize, usize),
        v: Value,
        phi_from: Option<BlockId>,
    ) -> Option<TypeId> {
        let f = body.f;
        match v {
            Value::Const(c) => {
                // Constants are shared by many uses and checked once; the
                // common already-checked case needs no call.
                if let (Some(Seen::Done), Some(k)) =
                    (self.consts.get(c.0 as usize), self.m.consts.try_get(c))
                {
                    return self.valid_ty(k.ty).then_some(k.ty);
                }
                self.check_const(site, c, 0)
            }
            Value::Arg(i) => match body.params.get(i as usize) {
                Some(t) => Some(*t),
                None => {
                    let msg = format!(
                        "uses argument {i} but the function has {} parameters",
                        body.params.len()
                    );
                    self.report(site, msg);
                    None
                }
            },
            Value::Metadata(_) => {
                self.report(site, "metadata can only be a call argument");
                None
            }
            Value::Inst(id) => {
                let Some(def) = f.insts.get(id.0 as usize) else {
                    self.report(
                        site,
                        format!("uses instruction #{} which does not exist", id.0),
                    );
                    return None;
                };
                let Some((db, di)) = body.pos[id.0 as usize] else {
                    let hint = self.value_hint(f, v);
                    self.report(site, format!("uses {hint} which is not in any block"));
                    return None;
                };
                let (db, di) = (db as usize, di as usize);
                if !self.valid_ty(def.ty) || self.is_void(def.ty) {
                    let hint = self.value_hint(f, v);
                    self.report(
                        site,
                        format!(
                            "uses {hint} ({}) which produces no value",
                            def.kind.opcode().mnemonic()
                        ),
                    );
                    return None;
                }
                let dom = &body.dom;
                match phi_from {
                    Some(pb) => {
                        let pb = pb.0 as usize;
                        if pb < body.dom.len() && dom.reachable(pb) && !dom.dominates(db, pb) {
                            let hint = self.value_hint(f, v);
                            let msg = format!(
                                "{hint} does not dominate the end of incoming block {}",
                                block_text(f, pb)
                            );
                            self.report(site, msg);
                        }
                    }
                    None => {
                        // Uses in unreachable blocks are accepted, as LLVM
                        // does (even an instruction using itself).
                        if dom.reachable(use_block) {
                            if db == use_block && di == use_index {
                                self.report(site, "only phi nodes may use their own value");
                            } else {
                                let ok = if db == use_block {
                                    di < use_index
                                } else {
                                    dom.dominates(db, use_block)
                                };
                                if !ok {
                                    let hint = self.value_hint(f, v);
                                    self.report(site, format!("{hint} does not dominate this use"));
                                }
                            }
                        }
                    }
                }
                Some(def.ty)
            }
        }
    }

    fn check_inst(&mut self, body: &Body<'m>, b: usize, i: usize, inst: &'m Instruction) {
        let f = body.f;
        let op = inst.kind.opcode();
        let site = Site::Inst(f, b, i, op);
        if !inst.attachments.is_empty() {
            self.check_attachments(site, &inst.attachments);
        }
        let res = inst.ty;
        let Some(res_shape) = self.ty(res) else {
            self.need_ty(site, res, "the result type");
            return;
        };
        let void = matches!(res_shape, Type::Void);
        if void && inst.name.is_some() {
            self.report(site, "an instruction without a value cannot have a name");
        }
        let at = (b, i);
        // Operand types; `None` if the operand itself is broken (reported).
        macro_rules! opnd {
            ($v:expr) => {
                self.operand(body, site, at, $v, None)
            };
        }
        let mut fp_flags_ok = false;
        let result: Result<(), String> = match &inst.kind {
            InstKind::Binary { op, lhs, rhs } => {
                fp_flags_ok = op.class() == OpClass::FloatBinary;
                match (opnd!(*lhs), opnd!(*rhs)) {
                    (Some(l), Some(r)) => self.rule_binary(*op, l, r, res),
                    _ => Ok(()),
                }
            }
            InstKind::FNeg { value } => {
                fp_flags_ok = true;
                opnd!(*value).map_or(Ok(()), |v| self.rule_fneg(v, res))
            }
            InstKind::Cast { op, value } => {
                opnd!(*value).map_or(Ok(()), |v| self.rule_cast(*op, v, res))
            }
            InstKind::ICmp { lhs, rhs, .. } => match (opnd!(*lhs), opnd!(*rhs)) {
                (Some(l), Some(r)) => self.rule_cmp(true, l, r, res),
                _ => Ok(()),
            },
            InstKind::FCmp { lhs, rhs, .. } => {
                fp_flags_ok = true;
                match (opnd!(*lhs), opnd!(*rhs)) {
                    (Some(l), Some(r)) => self.rule_cmp(false, l, r, res),
                    _ => Ok(()),
                }
            }
            InstKind::Select {
                cond,
                on_true,
                on_false,
            } => {
                fp_flags_ok = self.is_fp_math_type(res);
                match (opnd!(*cond), opnd!(*on_true), opnd!(*on_false)) {
                    (Some(c), Some(a), Some(x)) => self.rule_select(c, a, x, res),
                    _ => Ok(()),
                }
            }
            InstKind::Phi { incoming } => {
                fp_flags_ok = self.is_fp_math_type(res);
                self.check_phi(body, site, at, incoming, res)
            }
            InstKind::Alloca {
                allocated,
                count,
                align,
            } => {
                self.check_align(site, *align);
                let count_ty = count.and_then(|c| opnd!(c));
                self.rule_alloca(*allocated, count_ty, res)
            }
            InstKind::Load {
                ptr, align, atomic, ..
            } => {
                self.check_align(site, *align);
                match opnd!(*ptr) {
                    Some(p) => self.rule_access(
                        "load",
                        Ordering::Release,
                        res,
                        p,
                        *align,
                        atomic.as_ref().map(|a| a.ordering),
                    ),
                    None => Ok(()),
                }
            }
            InstKind::Store {
                value,
                ptr,
                align,
                atomic,
                ..
            } => {
                self.check_align(site, *align);
                match (opnd!(*value), opnd!(*ptr)) {
                    (Some(v), Some(p)) => self.rule_access(
                        "store",
                        Ordering::Acquire,
                        v,
                        p,
                        *align,
                        atomic.as_ref().map(|a| a.ordering),
                    ),
                    _ => Ok(()),
                }
            }
            InstKind::GetElementPtr {
                source,
                base,
                indices,
                ..
            } => {
                let base_ty = opnd!(*base);
                // Reused between GEPs: no allocation per instruction.
                let mut idx = std::mem::take(&mut self.gep_scratch);
                idx.clear();
                let mut ok = base_ty.is_some();
                for v in indices {
                    match opnd!(*v) {
                        Some(t) => {
                            let value = match v {
                                Value::Const(c) => self.const_int_value(*c),
                                _ => None,
                            };
                            idx.push((t, value));
                        }
                        None => ok = false,
                    }
                }
                let r = if !self.valid_ty(*source) {
                    Err(format!("source type #{} does not exist", source.0))
                } else if let (true, Some(bt)) = (ok, base_ty) {
                    self.rule_gep(*source, bt, &idx, res)
                } else {
                    Ok(())
                };
                self.gep_scratch = idx;
                r
            }
            InstKind::ExtractElement { vector, index } => match (opnd!(*vector), opnd!(*index)) {
                (Some(v), Some(x)) => self.rule_extract_element(v, x, res),
                _ => Ok(()),
            },
            InstKind::InsertElement {
                vector,
                element,
                index,
            } => match (opnd!(*vector), opnd!(*element), opnd!(*index)) {
                (Some(v), Some(e), Some(x)) => self.rule_insert_element(v, e, x, res),
                _ => Ok(()),
            },
            InstKind::ShuffleVector { a, b: bv, mask } => {
                match (opnd!(*a), opnd!(*bv), opnd!(*mask)) {
                    (Some(at), Some(bt), Some(_)) => {
                        let mask_const = match mask {
                            Value::Const(c) => Some(*c),
                            _ => None,
                        };
                        self.rule_shuffle(at, bt, mask_const, res)
                    }
                    _ => Ok(()),
                }
            }
            InstKind::ExtractValue { aggregate, indices } => match opnd!(*aggregate) {
                Some(a) => self.walk_aggregate(a, indices).and_then(|t| {
                    if t == res {
                        Ok(())
                    } else {
                        Err(format!(
                            "result type {} should be {}",
                            self.tt(res),
                            self.tt(t)
                        ))
                    }
                }),
                None => Ok(()),
            },
            InstKind::InsertValue {
                aggregate,
                value,
                indices,
            } => match (opnd!(*aggregate), opnd!(*value)) {
                (Some(a), Some(v)) => self.walk_aggregate(a, indices).and_then(|t| {
                    if t != v {
                        Err(format!(
                            "inserted value has type {} but the indices reach {}",
                            self.tt(v),
                            self.tt(t)
                        ))
                    } else if res != a {
                        Err(format!(
                            "result type {} differs from the aggregate type {}",
                            self.tt(res),
                            self.tt(a)
                        ))
                    } else {
                        Ok(())
                    }
                }),
                _ => Ok(()),
            },
            InstKind::Call(call) => {
                fp_flags_ok = self.is_fp_math_type(res);
                self.check_call(body, site, at, call, res)
            }
            InstKind::Br { .. } => Ok(()),
            InstKind::CondBr { cond, .. } => match opnd!(*cond) {
                Some(c) if !self.is_int(c, 1) => {
                    Err(format!("branch condition must be i1, not {}", self.tt(c)))
                }
                _ => Ok(()),
            },
            InstKind::Switch { cond, cases, .. } => match opnd!(*cond) {
                Some(c) => self.check_switch(site, c, cases),
                None => Ok(()),
            },
            InstKind::Ret { value } => match (value, self.is_void(body.ret)) {
                (None, true) => Ok(()),
                (None, false) => Err(format!(
                    "`ret void` in a function returning {}",
                    self.tt(body.ret)
                )),
                (Some(_), true) => Err("a function returning void cannot return a value".into()),
                (Some(v), false) => match opnd!(*v) {
                    Some(t) if t != body.ret => Err(format!(
                        "returns {} but the function returns {}",
                        self.tt(t),
                        self.tt(body.ret)
                    )),
                    _ => Ok(()),
                },
            },
            InstKind::Unreachable => Ok(()),
            InstKind::AtomicRmw(rmw) => {
                self.check_align(site, rmw.align);
                match (opnd!(rmw.ptr), opnd!(rmw.value)) {
                    (Some(p), Some(v)) => self.rule_rmw(rmw.op, p, v, rmw.ordering, res),
                    _ => Ok(()),
                }
            }
            InstKind::CmpXchg(x) => {
                self.check_align(site, x.align);
                match (opnd!(x.ptr), opnd!(x.expected), opnd!(x.new)) {
                    (Some(p), Some(e), Some(n)) => {
                        self.rule_cmpxchg(p, e, n, x.success, x.failure, res)
                    }
                    _ => Ok(()),
                }
            }
            InstKind::Fence { ordering, .. } => {
                if matches!(
                    ordering,
                    Ordering::Acquire | Ordering::Release | Ordering::AcqRel | Ordering::SeqCst
                ) {
                    Ok(())
                } else {
                    Err(format!(
                        "fence ordering must be acquire, release, acq_rel or seq_cst, not {}",
                        ordering.spelling()
                    ))
                }
            }
            InstKind::Freeze { value } => match opnd!(*value) {
                Some(v) if v != res => Err(format!(
                    "result type {} differs from the operand type {}",
                    self.tt(res),
                    self.tt(v)
                )),
                _ => Ok(()),
            },
        };
        if let Err(e) = result {
            self.report(site, e);
        }
        // Result kinds: which instructions have a value, and of what kind.
        let has_value = !matches!(
            inst.kind,
            InstKind::Store { .. }
                | InstKind::Br { .. }
                | InstKind::CondBr { .. }
                | InstKind::Switch { .. }
                | InstKind::Ret { .. }
                | InstKind::Unreachable
                | InstKind::Fence { .. }
        );
        if !has_value && !void {
            let msg = format!(
                "`{}` has no value, so its type must be void, not {}",
                op.mnemonic(),
                self.tt(res)
            );
            self.report(site, msg);
        } else if has_value && !matches!(inst.kind, InstKind::Call(_)) {
            if let Type::Void | Type::Label | Type::Metadata | Type::Function { .. } = res_shape {
                let msg = format!("result type {} is not a value type", self.tt(res));
                self.report(site, msg);
            }
        }
        // Most instructions carry no flags, and then nothing can fail.
        if inst.flags.0 != 0 {
            if let Err(e) = self.rule_flags_slow(op, inst.flags, fp_flags_ok) {
                self.report(site, e);
            }
        }
    }

    fn check_phi(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        incoming: &[(Value, BlockId)],
        res: TypeId,
    ) -> Result<(), String> {
        let f = body.f;
        let nb = f.blocks.len();
        let mut type_err = None;
        for (k, (v, blk)) in incoming.iter().enumerate() {
            if blk.0 as usize >= nb {
                self.report(
                    site,
                    format!("entry {k} names block #{} which does not exist", blk.0),
                );
                continue;
            }
            if let Some(t) = self.operand(body, site, at, *v, Some(*blk)) {
                if t != res && type_err.is_none() {
                    type_err = Some(format!(
                        "entry {k} has type {} but the phi has type {}",
                        self.tt(t),
                        self.tt(res)
                    ));
                }
            }
        }
        if let Some(e) = type_err {
            return Err(e);
        }
        // One entry per predecessor edge: compare the sorted multisets.
        let preds = &body.preds[at.0];
        let mut want: Vec<u32> = preds.clone();
        want.sort_unstable();
        let mut have: Vec<(u32, Value)> = incoming.iter().map(|(v, b)| (b.0, *v)).collect();
        have.sort_unstable_by_key(|(b, _)| *b);
        let names = |list: &mut dyn Iterator<Item = u32>| -> String {
            list.map(|b| block_text(f, b as usize))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if want.len() != have.len() || want.iter().zip(&have).any(|(w, (h, _))| w != h) {
            return Err(format!(
                "phi entries name blocks [{}] but the block's predecessors are [{}]",
                names(&mut have.iter().map(|(b, _)| *b)),
                names(&mut want.iter().copied())
            ));
        }
        for w in have.windows(2) {
            if w[0].0 == w[1].0 && w[0].1 != w[1].1 {
                return Err(format!(
                    "phi has different values for the same predecessor {}",
                    block_text(f, w[0].0 as usize)
                ));
            }
        }
        Ok(())
    }

    fn rule_alloca(
        &self,
        allocated: TypeId,
        count: Option<TypeId>,
        res: TypeId,
    ) -> Result<(), String> {
        if !self.valid_ty(allocated) {
            return Err(format!("allocated type #{} does not exist", allocated.0));
        }
        if !self.is_sized(allocated) {
            return Err(format!(
                "cannot allocate the unsized type {}",
                self.tt(allocated)
            ));
        }
        if let Some(c) = count {
            if self.t.int_width(c).is_none() {
                return Err(format!(
                    "element count must be an integer, not {}",
                    self.tt(c)
                ));
            }
        }
        if self.t.pointer_parts(res) != Some((allocated, 0)) {
            return Err(format!(
                "result type {} should be {}* (allocas live in address space 0)",
                self.tt(res),
                self.tt(allocated)
            ));
        }
        Ok(())
    }

    /// Atomic accesses: a power-of-two size of at least a byte, of integer,
    /// float or pointer type, with an explicit alignment.
    fn rule_atomic_access(
        &self,
        what: &str,
        ty: TypeId,
        align: Option<u64>,
        allow_float: bool,
    ) -> Result<(), String> {
        let t = self.t;
        let kind_ok =
            t.int_width(ty).is_some() || t.is_pointer(ty) || (allow_float && t.is_float(ty));
        if !kind_ok {
            return Err(format!("{what} of {} is not allowed", self.tt(ty)));
        }
        let bits = t.primitive_bits(ty).unwrap_or(0);
        if bits < 8 || !bits.is_power_of_two() {
            return Err(format!(
                "{what} needs a power-of-two size of at least 8 bits, not {}",
                self.tt(ty)
            ));
        }
        if align.is_none() {
            return Err(format!("{what} must specify an alignment"));
        }
        Ok(())
    }

    /// `load` (`word` = "load", `banned` = release) and `store` (`word` =
    /// "store", `banned` = acquire): `value` is the loaded or stored type.
    fn rule_access(
        &self,
        word: &str,
        banned: Ordering,
        value: TypeId,
        p: TypeId,
        align: Option<u64>,
        ordering: Option<Ordering>,
    ) -> Result<(), String> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err(format!(
                "{word} address must be a pointer, not {}",
                self.tt(p)
            ));
        };
        if value != pointee {
            return Err(format!("{word}s {} through {}", self.tt(value), self.tt(p)));
        }
        if !self.is_sized(value) {
            return Err(format!("cannot {word} the unsized type {}", self.tt(value)));
        }
        if let Some(o) = ordering {
            if o == banned || o == Ordering::AcqRel {
                return Err(format!("an atomic {word} cannot be {}", o.spelling()));
            }
            self.rule_atomic_access(&format!("an atomic {word}"), value, align, true)?;
        }
        Ok(())
    }

    fn rule_rmw(
        &self,
        op: RmwOp,
        p: TypeId,
        v: TypeId,
        ordering: Ordering,
        res: TypeId,
    ) -> Result<(), String> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err(format!(
                "atomicrmw address must be a pointer, not {}",
                self.tt(p)
            ));
        };
        if v != pointee {
            return Err(format!(
                "atomicrmw operand {} does not match the address {}",
                self.tt(v),
                self.tt(p)
            ));
        }
        if ordering == Ordering::Unordered {
            return Err("atomicrmw cannot be unordered".into());
        }
        let t = self.t;
        let ok = match op {
            RmwOp::Xchg => t.int_width(v).is_some() || t.is_float(v),
            RmwOp::FAdd | RmwOp::FSub => t.is_float(v),
            _ => t.int_width(v).is_some(),
        };
        if !ok {
            return Err(format!(
                "atomicrmw {} cannot operate on {}",
                op.spelling(),
                self.tt(v)
            ));
        }
        // Alignment is always present in LLVM 14 text after parsing; only
        // the size rules apply here.
        self.rule_atomic_access("atomicrmw", v, Some(1), true)?;
        if res != v {
            return Err(format!(
                "result type {} differs from the operand type {}",
                self.tt(res),
                self.tt(v)
            ));
        }
        Ok(())
    }

    fn rule_cmpxchg(
        &self,
        p: TypeId,
        e: TypeId,
        n: TypeId,
        success: Ordering,
        failure: Ordering,
        res: TypeId,
    ) -> Result<(), String> {
        let Some((pointee, _)) = self.t.pointer_parts(p) else {
            return Err(format!(
                "cmpxchg address must be a pointer, not {}",
                self.tt(p)
            ));
        };
        if e != pointee || n != pointee {
            return Err(format!(
                "cmpxchg operands {} and {} must both be {}",
                self.tt(e),
                self.tt(n),
                self.tt(pointee)
            ));
        }
        self.rule_atomic_access("cmpxchg", e, Some(1), false)?;
        if success == Ordering::Unordered || failure == Ordering::Unordered {
            return Err("cmpxchg orderings must be at least monotonic".into());
        }
        if matches!(failure, Ordering::Release | Ordering::AcqRel) {
            return Err(format!(
                "cmpxchg failure ordering cannot be {}",
                failure.spelling()
            ));
        }
        // LLVM 13 dropped the rule that the failure ordering may not be
        // stronger than the success ordering; llvm-as-14 accepts
        // `monotonic acquire`, so we do too.
        let ok = matches!(self.ty(res), Some(Type::Struct { fields, packed: false })
            if fields.len() == 2 && fields[0] == e && self.is_int(fields[1], 1));
        if !ok {
            return Err(format!(
                "result type {} should be {{ {}, i1 }}",
                self.tt(res),
                self.tt(e)
            ));
        }
        Ok(())
    }

    fn check_switch(
        &mut self,
        site: Site<'m>,
        c: TypeId,
        cases: &[(ConstId, BlockId)],
    ) -> Result<(), String> {
        if self.t.int_width(c).is_none() {
            return Err(format!(
                "switch condition must be an integer, not {}",
                self.tt(c)
            ));
        }
        let mut seen = HashSet::with_capacity(cases.len());
        for (k, (case, _)) in cases.iter().enumerate() {
            let Some(ct) = self.check_const(site, *case, 0) else {
                continue;
            };
            if ct != c {
                return Err(format!(
                    "case {k} has type {} but the condition is {}",
                    self.tt(ct),
                    self.tt(c)
                ));
            }
            match &self.m.consts.get(*case).kind {
                ConstKind::Int(v) => {
                    if !seen.insert(v) {
                        return Err(format!("duplicate case value {}", self.const_hint(*case)));
                    }
                }
                _ => return Err(format!("case {k} must be an integer constant")),
            }
        }
        Ok(())
    }

    fn check_call(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        at: (usize, usize),
        call: &'m crate::inst::Call,
        res: TypeId,
    ) -> Result<(), String> {
        let callee_ty = self.operand(body, site, at, call.callee, None);
        self.check_attr_types(site, &call.fn_attrs, "call-site function");
        self.check_attr_types(site, &call.ret_attrs, "call-site return");
        for a in &call.arg_attrs {
            self.check_attr_types(site, a, "call-site parameter");
        }
        if !self.valid_ty(call.fn_ty) {
            return Err(format!("function type #{} does not exist", call.fn_ty.0));
        }
        let Some((ret, params, varargs)) = self.t.function_parts(call.fn_ty) else {
            return Err(format!(
                "call type {} is not a function type",
                self.tt(call.fn_ty)
            ));
        };
        // Check every argument first, so broken operands are reported even
        // when the counts disagree.
        // Reused between calls: no allocation per instruction.
        let mut arg_tys = std::mem::take(&mut self.call_scratch);
        arg_tys.clear();
        for (k, a) in call.args.iter().enumerate() {
            let ty = match a {
                Value::Metadata(md) => {
                    self.metadata_arg(body, site, k, *md, params.get(k).copied())
                }
                _ => self.operand(body, site, at, *a, None),
            };
            arg_tys.push(ty);
        }
        let r = self.call_rules(body, call, callee_ty, &arg_tys, (ret, params, varargs), res);
        self.call_scratch = arg_tys;
        r
    }

    /// The type rules of a call, once its operands are checked.
    fn call_rules(
        &self,
        body: &Body<'m>,
        call: &'m crate::inst::Call,
        callee_ty: Option<TypeId>,
        arg_tys: &[Option<TypeId>],
        (ret, params, varargs): (TypeId, &[TypeId], bool),
        res: TypeId,
    ) -> Result<(), String> {
        if let Some(ct) = callee_ty {
            if self.t.pointer_parts(ct).map(|(p, _)| p) != Some(call.fn_ty) {
                return Err(format!(
                    "callee {} has type {} but the call's function type is {}",
                    self.value_hint(body.f, call.callee),
                    self.tt(ct),
                    self.tt(call.fn_ty)
                ));
            }
        }
        let count_ok = if varargs {
            call.args.len() >= params.len()
        } else {
            call.args.len() == params.len()
        };
        if !count_ok {
            return Err(format!(
                "call passes {} arguments but the callee takes {}{}",
                call.args.len(),
                params.len(),
                if varargs { " or more" } else { "" }
            ));
        }
        for (k, (ty, param)) in arg_tys.iter().zip(params).enumerate() {
            if let Some(ty) = ty {
                if ty != param {
                    return Err(format!(
                        "call argument {k} has type {} but the callee expects {}",
                        self.tt(*ty),
                        self.tt(*param)
                    ));
                }
            }
        }
        if call.arg_attrs.len() != call.args.len() {
            return Err(format!(
                "call has {} argument attribute sets for {} arguments",
                call.arg_attrs.len(),
                call.args.len()
            ));
        }
        if res != ret {
            return Err(format!(
                "call result type {} differs from the callee's return type {}",
                self.tt(res),
                self.tt(ret)
            ));
        }
        Ok(())
    }

    /// A `metadata` call argument: the id must exist and the parameter must
    /// be `metadata`; function-local values inside must exist here. Returns
    /// the parameter type when fine, so the generic type check passes.
    fn metadata_arg(
        &mut self,
        body: &Body<'m>,
        site: Site<'m>,
        k: usize,
        md: MetaId,
        param: Option<TypeId>,
    ) -> Option<TypeId> {
        let Some(item) = self.m.metadata.get(md.0 as usize) else {
            self.report(
                site,
                format!(
                    "call argument {k} refers to metadata #{} which does not exist",
                    md.0
                ),
            );
            return None;
        };
        let Some(p) = param.filter(|p| matches!(self.ty(*p), Some(Type::Metadata))) else {
            self.report(
                site,
                format!("call argument {k} is metadata but the parameter is not `metadata`"),
            );
            return None;
        };
        if let Metadata::Value { ty, value } = item {
            let local = match value {
                Value::Arg(i) => Some(body.params.get(*i as usize).copied()),
                Value::Inst(i) => Some(body.f.insts.get(i.0 as usize).map(|x| x.ty)),
                _ => None,
            };
            match local {
                Some(None) => self.report(
                    site,
                    format!("call argument {k} wraps a local value that does not exist in this function"),
                ),
                Some(Some(t)) if t != *ty => {
                    let msg = format!(
                        "call argument {k} wraps a value of type {} labelled {}",
                        self.tt(t),
                        self.tt(*ty)
                    );
                    self.report(site, msg);
                }
                _ => {}
            }
        }
        Some(p)
    }

    // ----- metadata -----

    /// Whether `id` names a function-local value, which only a call argument
    /// may refer to.
    fn is_local_metadata(&self, id: MetaId) -> bool {
        matches!(
            self.m.metadata.get(id.0 as usize),
            Some(Metadata::Value {
                value: Value::Arg(_) | Value::Inst(_),
                ..
            })
        )
    }

    fn check_metadata(&mut self) {
        self.check_metadata_items(0);
        self.check_named_metadata();
    }

    /// Checks the metadata items from index `from` on.
    fn check_metadata_items(&mut self, from: usize) {
        let m = self.m;
        let n = m.metadata.len();
        for (i, md) in m.metadata.iter().enumerate().skip(from) {
            let site = Site::Meta(MetaId(i as u32));
            match md {
                Metadata::String(_) => {}
                Metadata::Node { operands, .. } => {
                    for (k, op) in operands.iter().enumerate() {
                        let Some(op) = op else { continue };
                        if op.0 as usize >= n {
                            self.report(
                                site,
                                format!(
                                    "operand {k} refers to metadata #{} which does not exist",
                                    op.0
                                ),
                            );
                        } else if self.is_local_metadata(*op) {
                            self.report(site, format!("operand {k} is a function-local value, which nodes cannot hold"));
                        }
                    }
                }
                Metadata::Value { ty, value } => {
                    if !self.need_ty(site, *ty, "the value") {
                        continue;
                    }
                    match value {
                        Value::Const(c) => {
                            if let Some(ct) = self.check_const(site, *c, 0) {
                                if ct != *ty {
                                    let msg = format!(
                                        "value has type {} but is labelled {}",
                                        self.tt(ct),
                                        self.tt(*ty)
                                    );
                                    self.report(site, msg);
                                }
                            }
                        }
                        // Function-local values are checked where a call uses them.
                        Value::Arg(_) | Value::Inst(_) => {}
                        Value::Metadata(_) => {
                            self.report(site, "a metadata value cannot wrap metadata")
                        }
                    }
                }
            }
        }
    }

    /// Checks the named metadata lists.
    fn check_named_metadata(&mut self) {
        let m = self.m;
        let mut names = FxHashSet::default();
        for nm in &m.named_metadata {
            if nm.name.is_empty() {
                self.report(Site::Named(nm, None), "named metadata has an empty name");
            } else if !names.insert(nm.name.as_str()) {
                self.report(Site::Named(nm, None), "named metadata is listed twice");
            }
            for (k, op) in nm.operands.iter().enumerate() {
                let site = Site::Named(nm, Some(k));
                match m.metadata.get(op.0 as usize) {
                    None => self.report(
                        site,
                        format!("refers to metadata #{} which does not exist", op.0),
                    ),
                    Some(Metadata::Node { .. }) => {}
                    Some(_) => self.report(site, format!("metadata #{} is not a node", op.0)),
                }
            }
        }
    }

    // ----- AIR -----

    /// Light checks of `!air.kernel`: each entry names a defined function,
    /// and argument nodes index its parameters.
    fn check_air(&mut self) {
        let m = self.m;
        let Some(kernels) = m.named("air.kernel") else {
            return;
        };
        let node = |id: Option<MetaId>| match id.and_then(|id| m.metadata.get(id.0 as usize)) {
            Some(Metadata::Node { operands, .. }) => Some(operands.as_slice()),
            _ => None,
        };
        let const_of = |id: Option<MetaId>| match id.and_then(|id| m.metadata.get(id.0 as usize)) {
            Some(Metadata::Value {
                value: Value::Const(c),
                ..
            }) => m.consts.try_get(*c),
            _ => None,
        };
        for (k, id) in kernels.operands.iter().enumerate() {
            let site = Site::Named(kernels, Some(k));
            let Some(ops) = node(Some(*id)) else {
                continue; // Reported by the named-metadata check.
            };
            let func = match const_of(ops.first().copied().flatten()).map(|c| &c.kind) {
                Some(ConstKind::Function(fid)) => m.functions.get(fid.0 as usize),
                _ => None,
            };
            let Some(func) = func else {
                self.report(
                    site,
                    "the first operand must be a reference to the kernel function",
                );
                continue;
            };
            if func.is_declaration() {
                let msg = format!("kernel @{} is only declared, not defined", func.name);
                self.report(site, msg);
            }
            let Some(args) = node(ops.get(2).copied().flatten()) else {
                continue;
            };
            for (j, arg) in args.iter().enumerate() {
                let Some(fields) = node(*arg) else { continue };
                let Some(c) = const_of(fields.first().copied().flatten()) else {
                    continue;
                };
                if let ConstKind::Int(v) = &c.kind {
                    let idx = v.as_u64().unwrap_or(u64::MAX);
                    if idx >= func.params.len() as u64 {
                        let msg = format!(
                            "argument node {j} has index {idx} but @{} has {} parameters",
                            func.name,
                            func.params.len()
                        );
                        self.report(site, msg);
                    }
                }
            }
        }
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

fn const_expr_opcode(e: &ConstExpr) -> &'static str {
    match e {
        ConstExpr::Cast { op, .. } | ConstExpr::Binary { op, .. } => op.mnemonic(),
        ConstExpr::GetElementPtr { .. } => "getelementptr",
        ConstExpr::FNeg(_) => "fneg",
        ConstExpr::ICmp { .. } => "icmp",
        ConstExpr::FCmp { .. } => "fcmp",
        ConstExpr::Select { .. } => "select",
        ConstExpr::ExtractElement { .. } => "extractelement",
        ConstExpr::InsertElement { .. } => "insertelement",
        ConstExpr::ShuffleVector { .. } => "shufflevector",
    }
}

/// A one-word description of a type's shape, for messages about types whose
/// parts may not exist (so they cannot be rendered).
fn type_shape(t: &Type) -> &'static str {
    match t {
        Type::Void => "void",
        Type::Int(_) => "integer",
        Type::Half | Type::BFloat | Type::Float | Type::Double => "float",
        Type::Label => "label",
        Type::Metadata => "metadata",
        Type::Token => "token",
        Type::Pointer { .. } => "pointer",
        Type::Array { .. } => "array",
        Type::Vector { .. } => "vector",
        Type::Struct { .. } => "struct",
        Type::Named(_) => "named struct",
        Type::Function { .. } => "function",
    }
}

/// Whether a type may be an array element, struct field or global value.
fn valid_element(t: &Type) -> bool {
    !matches!(
        t,
        Type::Void | Type::Label | Type::Metadata | Type::Function { .. } | Type::Token
    )
}

/// Appends every type id a type mentions to `out`, named-struct bodies
/// included.
fn type_components(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    structural_children(t, id, out);
    if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
        out.extend(fields.iter().map(|x| x.0 as usize));
    }
}

/// Appends the ids a type refers to structurally (not through a named
/// struct's body) to `out`. Only call with `id` valid; children may be out
/// of range. (Appending into a caller's buffer: the table check visits
/// every type, and a Vec per type was most of its cost on small modules.)
fn structural_children(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    let c = |x: &TypeId| x.0 as usize;
    match t.get(id) {
        Type::Pointer { pointee, .. } => out.push(c(pointee)),
        Type::Array { elem, .. } | Type::Vector { elem, .. } => out.push(c(elem)),
        Type::Struct { fields, .. } => out.extend(fields.iter().map(c)),
        Type::Function { ret, params, .. } => {
            out.extend(std::iter::once(ret).chain(params).map(c));
        }
        _ => {}
    }
}

/// Appends the ids whose sizes a type's size depends on (pointers depend
/// on none) to `out`.
fn sized_children(t: &TypeTable, id: TypeId, out: &mut Vec<usize>) {
    let c = |x: &TypeId| x.0 as usize;
    match t.get(id) {
        Type::Array { elem, .. } | Type::Vector { elem, .. } => out.push(c(elem)),
        Type::Struct { fields, .. } => out.extend(fields.iter().map(c)),
        Type::Named(_) => {
            if let Some(StructBody::Fields { fields, .. }) = t.struct_body(id) {
                out.extend(fields.iter().map(c));
            }
        }
        _ => {}
    }
}

/// Iterative depth-first search over `0..n` (so deep types cannot overflow
/// the stack). `children(node, out)` appends a node's children to `out`.
/// Calls `back_edge(target)` for each edge into a node still on the stack
/// (a cycle); `finish` runs as each node completes.
fn dfs_post(
    n: usize,
    children: impl Fn(usize, &mut Vec<usize>),
    mut back_edge: impl FnMut(usize),
    mut finish: impl FnMut(usize),
) {
    #[derive(Clone, Copy, PartialEq)]
    enum C {
        White,
        Grey,
        Black,
    }
    let mut color = vec![C::White; n];
    // The children of every node on the stack, stacked in one buffer: a
    // frame owns `kids[start..end]` and truncates it when it completes.
    let mut kids: Vec<usize> = Vec::new();
    let mut stack: Vec<(usize, usize, usize)> = Vec::new();
    for root in 0..n {
        if color[root] != C::White {
            continue;
        }
        color[root] = C::Grey;
        children(root, &mut kids);
        stack.push((root, 0, kids.len()));
        while let Some((node, next, end)) = stack.last_mut() {
            if *next < *end {
                let k = kids[*next];
                *next += 1;
                match color.get(k) {
                    Some(C::White) => {
                        color[k] = C::Grey;
                        let start = kids.len();
                        children(k, &mut kids);
                        stack.push((k, start, kids.len()));
                    }
                    Some(C::Grey) => back_edge(k),
                    _ => {}
                }
            } else {
                let node = *node;
                color[node] = C::Black;
                finish(node);
                stack.pop();
                // This frame's children sit at the end of the buffer.
                let start = stack.last().map_or(0, |f| f.2);
                kids.truncate(start);
            }
        }
    }
}

/// Dominator tree of a function's CFG (Cooper–Harvey–Kennedy), with DFS
/// numbers so that `dominates` is O(1).
struct DomTree {
    /// Reverse-post-order number per block; `u32::MAX` if unreachable.
    rpo: Vec<u32>,
    /// Preorder and postorder numbers in the dominator tree.
    pre: Vec<u32>,
    post: Vec<u32>,
    /// (pre, post) per block side by side, for the hot dominance query.
    span: Vec<(u32, u32)>,
}

impl DomTree {
    fn new(nb: usize, succs: &[Vec<u32>], preds: &[Vec<u32>]) -> Self {
        const NONE: u32 = u32::MAX;
        // Reverse post-order of the blocks reachable from the entry.
        let mut post_order: Vec<u32> = Vec::with_capacity(nb);
        let mut visited = vec![false; nb];
        if nb > 0 {
            let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
            visited[0] = true;
            while let Some((b, next)) = stack.last_mut() {
                if let Some(&s) = succs[*b as usize].get(*next) {
                    *next += 1;
                    if !visited[s as usize] {
                        visited[s as usize] = true;
                        stack.push((s, 0));
                    }
                } else {
                    post_order.push(*b);
                    stack.pop();
                }
            }
        }
        let order: Vec<u32> = post_order.iter().rev().copied().collect();
        let mut rpo = vec![NONE; nb];
        for (i, b) in order.iter().enumerate() {
            rpo[*b as usize] = i as u32;
        }
        // Iterate idoms to a fixed point.
        let mut idom = vec![NONE; nb];
        if nb > 0 {
            idom[0] = 0;
        }
        let intersect = |idom: &[u32], mut a: u32, mut b: u32| {
            while a != b {
                while rpo[a as usize] > rpo[b as usize] {
                    a = idom[a as usize];
                }
                while rpo[b as usize] > rpo[a as usize] {
                    b = idom[b as usize];
                }
            }
            a
        };
        let mut changed = true;
        while changed {
            changed = false;
            for &b in order.iter().skip(1) {
                let mut new = NONE;
                for &p in &preds[b as usize] {
                    if rpo[p as usize] == NONE || idom[p as usize] == NONE {
                        continue;
                    }
                    new = if new == NONE {
                        p
                    } else {
                        intersect(&idom, p, new)
                    };
                }
                if new != NONE && idom[b as usize] != new {
                    idom[b as usize] = new;
                    changed = true;
                }
            }
        }
        // Dominator-tree DFS numbering.
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); nb];
        for &b in order.iter().skip(1) {
            let d = idom[b as usize];
            if d != NONE {
                children[d as usize].push(b);
            }
        }
        let mut pre = vec![NONE; nb];
        let mut post = vec![NONE; nb];
        if nb > 0 {
            let (mut pre_n, mut post_n) = (1u32, 0u32);
            let mut stack: Vec<(u32, usize)> = vec![(0, 0)];
            pre[0] = 0;
            while let Some((b, next)) = stack.last_mut() {
                if let Some(&c) = children[*b as usize].get(*next) {
                    *next += 1;
                    pre[c as usize] = pre_n;
                    pre_n += 1;
                    stack.push((c, 0));
                } else {
                    post[*b as usize] = post_n;
                    post_n += 1;
                    stack.pop();
                }
            }
        }
        let span = pre.iter().copied().zip(post.iter().copied()).collect();
        DomTree {
            rpo,
            pre,
            post,
            span,
        }
    }

    fn len(&self) -> usize {
        self.rpo.len()
    }

    /// `dominates(a, b)` for reachable `b`, and `true` when both are
    /// unreachable; `false` for out-of-range blocks. A use passes
    /// dominance when this holds: in an unreachable block (or incoming
    /// from one) anything goes, else its definition's block must dominate.
    #[inline]
    fn dominates_or_unreachable(&self, a: usize, b: usize) -> bool {
        match (self.span.get(a), self.span.get(b)) {
            // Unreachable blocks have (MAX, MAX): an unreachable `a` never
            // contains a reachable `b`, and a reachable `a` never contains
            // an unreachable `b`.
            (Some(x), Some(y)) => x.0 <= y.0 && y.1 <= x.1,
            _ => false,
        }
    }

    fn reachable(&self, b: usize) -> bool {
        self.rpo.get(b).is_some_and(|r| *r != u32::MAX)
    }

    /// Whether block `a` dominates block `b` (both reachable; an unreachable
    /// `a` dominates nothing but itself).
    fn dominates(&self, a: usize, b: usize) -> bool {
        if a == b {
            return true;
        }
        if !self.reachable(a) || !self.reachable(b) {
            return false;
        }
        self.pre[a] <= self.pre[b] && self.post[b] <= self.post[a]
    }
}
