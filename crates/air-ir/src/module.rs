//! Modules, globals, functions and basic blocks.

use crate::attributes::AttrSet;
use crate::constant::{ConstId, ConstKind, ConstTable, Constant};
use crate::inst::{BlockId, CallConv, InstId, Instruction, Value};
use crate::metadata::{MetaId, Metadata, NamedMetadata};
use crate::types::{TypeId, TypeTable};

/// Index of a global variable in its module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GlobalId(pub u32);

/// Index of a function in its module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuncId(pub u32);

macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident default $default:ident { $( $variant:ident = $spelling:literal, $code:literal; )* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $(
                #[doc = concat!("`", $spelling, "`")]
                $variant,
            )*
        }
        impl $name {
            /// Every value, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The text keyword (empty for the default, which is not printed).
            pub fn spelling(self) -> &'static str {
                match self { $($name::$variant => $spelling,)* }
            }
            /// Looks a keyword up.
            pub fn from_spelling(s: &str) -> Option<Self> {
                if s.is_empty() {
                    return None;
                }
                match s { $($spelling => Some($name::$variant),)* _ => None }
            }
            /// The LLVM 14 bitcode number.
            pub fn bitcode(self) -> u32 {
                match self { $($name::$variant => $code,)* }
            }
        }
        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }
    };
}

keyword_enum! {
    /// Linkage of a global or function.
    Linkage default External {
        External = "", 0;
        Appending = "appending", 2;
        Internal = "internal", 3;
        ExternWeak = "extern_weak", 7;
        Common = "common", 8;
        Private = "private", 9;
        AvailableExternally = "available_externally", 12;
        Weak = "weak", 16;
        WeakOdr = "weak_odr", 17;
        Linkonce = "linkonce", 18;
        LinkonceOdr = "linkonce_odr", 19;
    }
}

keyword_enum! {
    /// Thread-local storage of a global (AIR has none; kept so no input
    /// detail is lost).
    ThreadLocal default NotThreadLocal {
        NotThreadLocal = "", 0;
        GeneralDynamic = "thread_local", 1;
        LocalDynamic = "thread_local(localdynamic)", 2;
        InitialExec = "thread_local(initialexec)", 3;
        LocalExec = "thread_local(localexec)", 4;
    }
}

keyword_enum! {
    /// Symbol visibility.
    Visibility default Default {
        Default = "", 0;
        Hidden = "hidden", 1;
        Protected = "protected", 2;
    }
}

keyword_enum! {
    /// `unnamed_addr` / `local_unnamed_addr`.
    UnnamedAddr default None {
        None = "", 0;
        Global = "unnamed_addr", 1;
        Local = "local_unnamed_addr", 2;
    }
}

/// A global variable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    /// Name without `@`.
    pub name: String,
    /// The value type (the global itself is a pointer to it).
    pub value_ty: TypeId,
    /// Address space.
    pub addrspace: u32,
    /// `constant` rather than `global`.
    pub is_constant: bool,
    /// Initializer; `None` for an external declaration.
    pub initializer: Option<ConstId>,
    /// Linkage.
    pub linkage: Linkage,
    /// Visibility.
    pub visibility: Visibility,
    /// `dso_local`.
    pub dso_local: bool,
    /// `unnamed_addr` marker.
    pub unnamed_addr: UnnamedAddr,
    /// `externally_initialized`.
    pub externally_initialized: bool,
    /// `thread_local` and its model.
    pub thread_local: ThreadLocal,
    /// `section "..."`.
    pub section: Option<String>,
    /// `align N`.
    pub align: Option<u64>,
    /// Metadata attachments (`!dbg !3`).
    pub attachments: Vec<(String, MetaId)>,
}

/// A function parameter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Param {
    /// `%name`, or `None` when numbered.
    pub name: Option<String>,
    /// Parameter attributes.
    pub attrs: AttrSet,
}

/// A basic block.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Block {
    /// Label, or `None` when numbered.
    pub name: Option<String>,
    /// Instructions in order (ids into the function's arena).
    pub insts: Vec<InstId>,
}

/// A function definition or declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Function {
    /// Name without `@`.
    pub name: String,
    /// The function type.
    pub ty: TypeId,
    /// Linkage.
    pub linkage: Linkage,
    /// Visibility.
    pub visibility: Visibility,
    /// `dso_local`.
    pub dso_local: bool,
    /// Calling convention.
    pub cc: CallConv,
    /// `unnamed_addr` marker.
    pub unnamed_addr: UnnamedAddr,
    /// Return-value attributes.
    pub ret_attrs: AttrSet,
    /// Function attributes (inline ones and those of `#N` groups, merged).
    pub fn_attrs: AttrSet,
    /// Parameters (as many as the type has).
    pub params: Vec<Param>,
    /// `section "..."`.
    pub section: Option<String>,
    /// `align N`.
    pub align: Option<u64>,
    /// Basic blocks in layout order; empty for a declaration.
    pub blocks: Vec<Block>,
    /// The instruction arena; blocks list ids into it.
    pub insts: Vec<Instruction>,
    /// Function metadata attachments (`!dbg !4` after the signature).
    pub attachments: Vec<(String, MetaId)>,
}

impl Function {
    /// A declaration with no attributes.
    pub fn declaration(name: &str, ty: TypeId, param_count: usize) -> Self {
        Function {
            name: name.to_string(),
            ty,
            linkage: Linkage::External,
            visibility: Visibility::Default,
            dso_local: false,
            cc: CallConv::default(),
            unnamed_addr: UnnamedAddr::None,
            ret_attrs: AttrSet::new(),
            fn_attrs: AttrSet::new(),
            params: vec![Param::default(); param_count],
            section: None,
            align: None,
            blocks: Vec::new(),
            insts: Vec::new(),
            attachments: Vec::new(),
        }
    }

    /// Whether this is a declaration (no body).
    pub fn is_declaration(&self) -> bool {
        self.blocks.is_empty()
    }

    /// The instruction `id`.
    ///
    /// # Panics
    /// If `id` is not from this function.
    pub fn inst(&self, id: InstId) -> &Instruction {
        &self.insts[id.0 as usize]
    }

    /// The block `id`.
    ///
    /// # Panics
    /// If `id` is not from this function.
    pub fn block(&self, id: BlockId) -> &Block {
        &self.blocks[id.0 as usize]
    }

    /// Instructions in layout order with their block.
    pub fn layout(&self) -> impl Iterator<Item = (BlockId, InstId)> + '_ {
        self.blocks
            .iter()
            .enumerate()
            .flat_map(|(b, block)| block.insts.iter().map(move |i| (BlockId(b as u32), *i)))
    }
}

/// A whole module.
///
/// Equality is structural ([`crate::eq::modules_equal`]): it ignores where
/// types, constants and metadata sit in their arenas.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// `source_filename = "..."`, if present.
    pub source_filename: Option<String>,
    /// `target datalayout = "..."`, if present.
    pub datalayout: Option<String>,
    /// `target triple = "..."`, if present.
    pub triple: Option<String>,
    /// `module asm "..."` lines.
    pub module_asm: Vec<String>,
    /// Every type.
    pub types: TypeTable,
    /// Every module-level constant (globals and functions included).
    pub consts: ConstTable,
    /// Global variables in order.
    pub globals: Vec<Global>,
    /// Functions in order.
    pub functions: Vec<Function>,
    /// The metadata arena.
    pub metadata: Vec<Metadata>,
    /// Named metadata in order.
    pub named_metadata: Vec<NamedMetadata>,
}

impl Module {
    /// An empty module.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interns a constant.
    pub fn constant(&mut self, ty: TypeId, kind: ConstKind) -> ConstId {
        self.consts.intern(Constant { ty, kind })
    }

    /// The constant naming global `id` (its address).
    pub fn global_ref(&mut self, id: GlobalId) -> ConstId {
        let g = &self.globals[id.0 as usize];
        let ty = self.types.ptr(g.value_ty, g.addrspace);
        self.constant(ty, ConstKind::Global(id))
    }

    /// The constant naming function `id` (its address).
    pub fn function_ref(&mut self, id: FuncId) -> ConstId {
        let fty = self.functions[id.0 as usize].ty;
        let ty = self.types.ptr(fty, 0);
        self.constant(ty, ConstKind::Function(id))
    }

    /// Adds a metadata item and returns its id.
    pub fn add_metadata(&mut self, md: Metadata) -> MetaId {
        let id = MetaId(self.metadata.len() as u32);
        self.metadata.push(md);
        id
    }

    /// The metadata item `id`.
    ///
    /// # Panics
    /// If `id` is not from this module.
    pub fn meta(&self, id: MetaId) -> &Metadata {
        &self.metadata[id.0 as usize]
    }

    /// Finds a global by name.
    pub fn global_by_name(&self, name: &str) -> Option<GlobalId> {
        self.globals
            .iter()
            .position(|g| g.name == name)
            .map(|i| GlobalId(i as u32))
    }

    /// Finds a function by name.
    pub fn function_by_name(&self, name: &str) -> Option<FuncId> {
        self.functions
            .iter()
            .position(|f| f.name == name)
            .map(|i| FuncId(i as u32))
    }

    /// The function `id`.
    ///
    /// # Panics
    /// If `id` is not from this module.
    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id.0 as usize]
    }

    /// Finds named metadata by name.
    pub fn named(&self, name: &str) -> Option<&NamedMetadata> {
        self.named_metadata.iter().find(|n| n.name == name)
    }

    /// The type of `value` as seen from inside function `func` (which is
    /// needed for arguments and instruction results).
    ///
    /// Returns `None` for ids that do not exist.
    pub fn value_type(&self, func: Option<&Function>, value: Value) -> Option<TypeId> {
        match value {
            Value::Const(c) => self.consts.try_get(c).map(|c| c.ty),
            Value::Arg(i) => {
                let f = func?;
                let (_, params, _) = self.types.function_parts(f.ty)?;
                params.get(i as usize).copied()
            }
            Value::Inst(i) => func?.insts.get(i.0 as usize).map(|inst| inst.ty),
            Value::Metadata(_) => self.types.find(&crate::types::Type::Metadata),
        }
    }
}

impl PartialEq for Module {
    fn eq(&self, other: &Self) -> bool {
        crate::eq::modules_equal(self, other)
    }
}

impl Eq for Module {}
