//! Instructions, and the one table that defines every opcode.
//!
//! [`Opcode`] is generated from a single `opcodes!` table: each row gives the
//! text mnemonic, the operand class (which says what operands the opcode takes
//! and which flags it allows) and the LLVM 14 bitcode operation number for
//! binary and cast opcodes. The parser looks mnemonics up here, the printer
//! spells them from here, the verifier checks operands by class, and the
//! bitcode writer takes its numbers from here.

use crate::constant::ConstId;
use crate::metadata::MetaId;
use crate::types::TypeId;

/// Operand classes: what an opcode takes and returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpClass {
    /// Two integer (vector) operands of one type; result the same type.
    IntBinary,
    /// Two float (vector) operands of one type; result the same type.
    FloatBinary,
    /// One float (vector) operand (`fneg`).
    FloatUnary,
    /// A conversion; the [`CastRule`] says which source and result types are allowed.
    Cast(CastRule),
    /// `icmp`.
    ICmp,
    /// `fcmp`.
    FCmp,
    /// `select`.
    Select,
    /// `phi`.
    Phi,
    /// `alloca`.
    Alloca,
    /// `load`.
    Load,
    /// `store`.
    Store,
    /// `getelementptr`.
    GetElementPtr,
    /// `extractelement`.
    ExtractElement,
    /// `insertelement`.
    InsertElement,
    /// `shufflevector`.
    ShuffleVector,
    /// `extractvalue`.
    ExtractValue,
    /// `insertvalue`.
    InsertValue,
    /// `call`.
    Call,
    /// `br` (conditional or not).
    Br,
    /// `switch`.
    Switch,
    /// `ret`.
    Ret,
    /// `unreachable`.
    Unreachable,
    /// `atomicrmw`.
    AtomicRmw,
    /// `cmpxchg`.
    CmpXchg,
    /// `fence`.
    Fence,
    /// `freeze`.
    Freeze,
}

/// Which types a cast accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CastRule {
    /// Integer to narrower integer.
    IntNarrow,
    /// Integer to wider integer.
    IntWiden,
    /// Float to narrower float.
    FloatNarrow,
    /// Float to wider float.
    FloatWiden,
    /// Float to integer.
    FloatToInt,
    /// Integer to float.
    IntToFloat,
    /// Pointer to integer.
    PtrToInt,
    /// Integer to pointer.
    IntToPtr,
    /// Same bit size, no aggregate; pointers stay in their address space.
    BitCast,
    /// Pointer to pointer in another address space.
    AddrSpaceCast,
}

/// Which optional flags an opcode accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FlagRule {
    /// None.
    None,
    /// `nuw` / `nsw`.
    Wrap,
    /// `exact`.
    Exact,
    /// Fast-math flags.
    FastMath,
}

macro_rules! opcodes {
    ($( $variant:ident = $mnemonic:literal, $class:expr, $flags:ident, $code:expr; )*) => {
        /// Every instruction opcode of the IR.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Opcode {
            $(
                #[doc = concat!("`", $mnemonic, "`")]
                $variant,
            )*
        }

        impl Opcode {
            /// Every opcode, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant),*];

            /// The text mnemonic.
            pub fn mnemonic(self) -> &'static str {
                match self { $(Opcode::$variant => $mnemonic,)* }
            }

            /// The operand class.
            pub fn class(self) -> OpClass {
                match self { $(Opcode::$variant => $class,)* }
            }

            /// Which flags the opcode accepts.
            pub fn flag_rule(self) -> FlagRule {
                match self { $(Opcode::$variant => FlagRule::$flags,)* }
            }

            /// The LLVM 14 bitcode operation number (binary ops: `BINOP_*`,
            /// casts: `CAST_*`, fneg: `UNOP_NEG`); `None` for the rest.
            pub fn bitcode_op(self) -> Option<u32> {
                match self { $(Opcode::$variant => $code,)* }
            }

            /// Looks an opcode up by mnemonic.
            pub fn from_mnemonic(s: &str) -> Option<Opcode> {
                match s { $($mnemonic => Some(Opcode::$variant),)* _ => None }
            }
        }
    };
}

use CastRule as C;
use OpClass as K;

opcodes! {
    Add = "add", K::IntBinary, Wrap, Some(0);
    FAdd = "fadd", K::FloatBinary, FastMath, Some(0);
    Sub = "sub", K::IntBinary, Wrap, Some(1);
    FSub = "fsub", K::FloatBinary, FastMath, Some(1);
    Mul = "mul", K::IntBinary, Wrap, Some(2);
    FMul = "fmul", K::FloatBinary, FastMath, Some(2);
    UDiv = "udiv", K::IntBinary, Exact, Some(3);
    SDiv = "sdiv", K::IntBinary, Exact, Some(4);
    FDiv = "fdiv", K::FloatBinary, FastMath, Some(4);
    URem = "urem", K::IntBinary, None, Some(5);
    SRem = "srem", K::IntBinary, None, Some(6);
    FRem = "frem", K::FloatBinary, FastMath, Some(6);
    Shl = "shl", K::IntBinary, Wrap, Some(7);
    LShr = "lshr", K::IntBinary, Exact, Some(8);
    AShr = "ashr", K::IntBinary, Exact, Some(9);
    And = "and", K::IntBinary, None, Some(10);
    Or = "or", K::IntBinary, None, Some(11);
    Xor = "xor", K::IntBinary, None, Some(12);
    FNeg = "fneg", K::FloatUnary, FastMath, Some(0);
    Trunc = "trunc", K::Cast(C::IntNarrow), None, Some(0);
    ZExt = "zext", K::Cast(C::IntWiden), None, Some(1);
    SExt = "sext", K::Cast(C::IntWiden), None, Some(2);
    FPToUI = "fptoui", K::Cast(C::FloatToInt), None, Some(3);
    FPToSI = "fptosi", K::Cast(C::FloatToInt), None, Some(4);
    UIToFP = "uitofp", K::Cast(C::IntToFloat), None, Some(5);
    SIToFP = "sitofp", K::Cast(C::IntToFloat), None, Some(6);
    FPTrunc = "fptrunc", K::Cast(C::FloatNarrow), None, Some(7);
    FPExt = "fpext", K::Cast(C::FloatWiden), None, Some(8);
    PtrToInt = "ptrtoint", K::Cast(C::PtrToInt), None, Some(9);
    IntToPtr = "inttoptr", K::Cast(C::IntToPtr), None, Some(10);
    BitCast = "bitcast", K::Cast(C::BitCast), None, Some(11);
    AddrSpaceCast = "addrspacecast", K::Cast(C::AddrSpaceCast), None, Some(12);
    ICmp = "icmp", K::ICmp, None, None;
    FCmp = "fcmp", K::FCmp, FastMath, None;
    Select = "select", K::Select, FastMath, None;
    Phi = "phi", K::Phi, FastMath, None;
    Alloca = "alloca", K::Alloca, None, None;
    Load = "load", K::Load, None, None;
    Store = "store", K::Store, None, None;
    GetElementPtr = "getelementptr", K::GetElementPtr, None, None;
    ExtractElement = "extractelement", K::ExtractElement, None, None;
    InsertElement = "insertelement", K::InsertElement, None, None;
    ShuffleVector = "shufflevector", K::ShuffleVector, None, None;
    ExtractValue = "extractvalue", K::ExtractValue, None, None;
    InsertValue = "insertvalue", K::InsertValue, None, None;
    Call = "call", K::Call, FastMath, None;
    Br = "br", K::Br, None, None;
    Switch = "switch", K::Switch, None, None;
    Ret = "ret", K::Ret, None, None;
    Unreachable = "unreachable", K::Unreachable, None, None;
    AtomicRmw = "atomicrmw", K::AtomicRmw, None, None;
    CmpXchg = "cmpxchg", K::CmpXchg, None, None;
    Fence = "fence", K::Fence, None, None;
    Freeze = "freeze", K::Freeze, None, None;
}

impl Opcode {
    /// Whether the opcode ends a basic block.
    pub fn is_terminator(self) -> bool {
        matches!(
            self,
            Opcode::Br | Opcode::Switch | Opcode::Ret | Opcode::Unreachable
        )
    }
}

macro_rules! simple_enum {
    ($(#[$doc:meta])* $name:ident { $( $variant:ident = $spelling:literal, $code:literal; )* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(
                #[doc = concat!("`", $spelling, "`")]
                $variant,
            )*
        }

        impl $name {
            /// Every value, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The text spelling.
            pub fn spelling(self) -> &'static str {
                match self { $($name::$variant => $spelling,)* }
            }

            /// Looks a value up by spelling.
            pub fn from_spelling(s: &str) -> Option<Self> {
                match s { $($spelling => Some($name::$variant),)* _ => None }
            }

            /// The LLVM 14 bitcode number.
            pub fn bitcode(self) -> u32 {
                match self { $($name::$variant => $code,)* }
            }
        }
    };
}

simple_enum! {
    /// `icmp` predicates.
    IntPredicate {
        Eq = "eq", 32; Ne = "ne", 33; Ugt = "ugt", 34; Uge = "uge", 35; Ult = "ult", 36;
        Ule = "ule", 37; Sgt = "sgt", 38; Sge = "sge", 39; Slt = "slt", 40; Sle = "sle", 41;
    }
}

simple_enum! {
    /// `fcmp` predicates.
    FloatPredicate {
        False = "false", 0; Oeq = "oeq", 1; Ogt = "ogt", 2; Oge = "oge", 3; Olt = "olt", 4;
        Ole = "ole", 5; One = "one", 6; Ord = "ord", 7; Uno = "uno", 8; Ueq = "ueq", 9;
        Ugt = "ugt", 10; Uge = "uge", 11; Ult = "ult", 12; Ule = "ule", 13; Une = "une", 14;
        True = "true", 15;
    }
}

simple_enum! {
    /// Atomic orderings.
    Ordering {
        Unordered = "unordered", 1; Monotonic = "monotonic", 2; Acquire = "acquire", 3;
        Release = "release", 4; AcqRel = "acq_rel", 5; SeqCst = "seq_cst", 6;
    }
}

simple_enum! {
    /// `atomicrmw` operations.
    RmwOp {
        Xchg = "xchg", 0; Add = "add", 1; Sub = "sub", 2; And = "and", 3; Nand = "nand", 4;
        Or = "or", 5; Xor = "xor", 6; Max = "max", 7; Min = "min", 8; UMax = "umax", 9;
        UMin = "umin", 10; FAdd = "fadd", 11; FSub = "fsub", 12;
    }
}

simple_enum! {
    /// Calling conventions the IR names with a keyword (others print as `cc N`).
    NamedCallConv {
        C = "ccc", 0; Fast = "fastcc", 8; Cold = "coldcc", 9;
    }
}

/// A calling convention number (0 = C).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallConv(pub u32);

/// Instruction flags: integer wrap/exact bits and fast-math flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u16);

impl Flags {
    /// `nuw`.
    pub const NUW: Flags = Flags(1 << 0);
    /// `nsw`.
    pub const NSW: Flags = Flags(1 << 1);
    /// `exact`.
    pub const EXACT: Flags = Flags(1 << 2);
    /// `nnan`.
    pub const NNAN: Flags = Flags(1 << 3);
    /// `ninf`.
    pub const NINF: Flags = Flags(1 << 4);
    /// `nsz`.
    pub const NSZ: Flags = Flags(1 << 5);
    /// `arcp`.
    pub const ARCP: Flags = Flags(1 << 6);
    /// `contract`.
    pub const CONTRACT: Flags = Flags(1 << 7);
    /// `afn`.
    pub const AFN: Flags = Flags(1 << 8);
    /// `reassoc`.
    pub const REASSOC: Flags = Flags(1 << 9);
    /// `fast`: every fast-math flag.
    pub const FAST: Flags = Flags(0b11_1111_1000);
    /// The fast-math flags, in LLVM's print order, with their spellings.
    pub const FAST_MATH: [(Flags, &'static str); 7] = [
        (Flags::REASSOC, "reassoc"),
        (Flags::NNAN, "nnan"),
        (Flags::NINF, "ninf"),
        (Flags::NSZ, "nsz"),
        (Flags::ARCP, "arcp"),
        (Flags::CONTRACT, "contract"),
        (Flags::AFN, "afn"),
    ];

    /// No flags.
    pub fn empty() -> Self {
        Flags(0)
    }
    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Union.
    pub fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Only the fast-math bits.
    pub fn fast_math(self) -> Flags {
        Flags(self.0 & Flags::FAST.0)
    }
    /// Only the wrap and exact bits.
    pub fn int_flags(self) -> Flags {
        Flags(self.0 & 0b111)
    }
    /// LLVM 14's bitcode fast-math mask: bit 1 `nnan` ... bit 7 `reassoc`.
    /// Bit 0, the pre-LLVM-6 "unsafe algebra" bit, is never written, so
    /// `fast` is 254 (what llvm-as-14 and Apple's writer emit).
    pub fn bitcode_fmf(self) -> u32 {
        let mut m = 0;
        for (bit, flag) in [
            (1, Flags::NNAN),
            (2, Flags::NINF),
            (3, Flags::NSZ),
            (4, Flags::ARCP),
            (5, Flags::CONTRACT),
            (6, Flags::AFN),
            (7, Flags::REASSOC),
        ] {
            if self.contains(flag) {
                m |= 1 << bit;
            }
        }
        m
    }
}

/// Index of an instruction in its function's instruction arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstId(pub u32);

/// Index of a basic block in its function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub u32);

/// An operand: something with a type that an instruction reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A module-level constant (also globals and functions).
    Const(ConstId),
    /// The N-th argument of the enclosing function.
    Arg(u32),
    /// The result of an instruction of the enclosing function.
    Inst(InstId),
    /// Metadata used as a call argument (`metadata !0`).
    Metadata(MetaId),
}

/// Atomic details of a `load`/`store`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Atomic {
    /// The ordering.
    pub ordering: Ordering,
    /// The sync scope; empty is the default (system) scope.
    pub scope: String,
}

/// `tail`, `musttail` or `notail` on a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TailKind {
    /// Nothing.
    #[default]
    None,
    /// `tail`.
    Tail,
    /// `musttail`.
    MustTail,
    /// `notail`.
    NoTail,
}

/// The operands of an `atomicrmw`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AtomicRmw {
    /// Operation.
    pub op: RmwOp,
    /// Address.
    pub ptr: Value,
    /// Operand.
    pub value: Value,
    /// `volatile`.
    pub volatile: bool,
    /// Ordering.
    pub ordering: Ordering,
    /// Sync scope; empty = system.
    pub scope: String,
    /// Alignment in bytes.
    pub align: Option<u64>,
}

/// The operands of a `cmpxchg`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CmpXchg {
    /// Address.
    pub ptr: Value,
    /// Expected value.
    pub expected: Value,
    /// New value.
    pub new: Value,
    /// Ordering on success.
    pub success: Ordering,
    /// Ordering on failure.
    pub failure: Ordering,
    /// Sync scope; empty = system.
    pub scope: String,
    /// `weak`.
    pub weak: bool,
    /// `volatile`.
    pub volatile: bool,
    /// Alignment in bytes.
    pub align: Option<u64>,
}

/// A call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Call {
    /// The function called (usually a [`Value::Const`] of a function).
    pub callee: Value,
    /// The callee's function type.
    pub fn_ty: TypeId,
    /// Arguments.
    pub args: Vec<Value>,
    /// Call-site function attributes.
    pub fn_attrs: crate::attributes::AttrSet,
    /// Call-site return attributes.
    pub ret_attrs: crate::attributes::AttrSet,
    /// Call-site parameter attributes, one set per argument.
    pub arg_attrs: Vec<crate::attributes::AttrSet>,
    /// Tail-call marker.
    pub tail: TailKind,
    /// Calling convention.
    pub cc: CallConv,
}

/// What an instruction does, with its operands.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum InstKind {
    /// A binary operation; `op` has class [`OpClass::IntBinary`] or [`OpClass::FloatBinary`].
    Binary {
        /// The opcode.
        op: Opcode,
        /// Left operand.
        lhs: Value,
        /// Right operand.
        rhs: Value,
    },
    /// `fneg`.
    FNeg {
        /// Operand.
        value: Value,
    },
    /// A cast; the result type is the instruction's type.
    Cast {
        /// The opcode (class [`OpClass::Cast`]).
        op: Opcode,
        /// Operand.
        value: Value,
    },
    /// `icmp`.
    ICmp {
        /// Predicate.
        pred: IntPredicate,
        /// Left operand.
        lhs: Value,
        /// Right operand.
        rhs: Value,
    },
    /// `fcmp`.
    FCmp {
        /// Predicate.
        pred: FloatPredicate,
        /// Left operand.
        lhs: Value,
        /// Right operand.
        rhs: Value,
    },
    /// `select`.
    Select {
        /// Condition.
        cond: Value,
        /// Value if true.
        on_true: Value,
        /// Value if false.
        on_false: Value,
    },
    /// `phi`.
    Phi {
        /// Incoming values and their predecessor blocks.
        incoming: Vec<(Value, BlockId)>,
    },
    /// `alloca`; the result type is a pointer to `allocated`.
    Alloca {
        /// The allocated type.
        allocated: TypeId,
        /// Element count, if given.
        count: Option<Value>,
        /// Alignment in bytes.
        align: Option<u64>,
    },
    /// `load`; the result type is the loaded type.
    Load {
        /// Address.
        ptr: Value,
        /// Alignment in bytes.
        align: Option<u64>,
        /// `volatile`.
        volatile: bool,
        /// Atomic ordering and scope.
        atomic: Option<Box<Atomic>>,
    },
    /// `store`.
    Store {
        /// Stored value.
        value: Value,
        /// Address.
        ptr: Value,
        /// Alignment in bytes.
        align: Option<u64>,
        /// `volatile`.
        volatile: bool,
        /// Atomic ordering and scope.
        atomic: Option<Box<Atomic>>,
    },
    /// `getelementptr`.
    GetElementPtr {
        /// The source element type.
        source: TypeId,
        /// Base pointer.
        base: Value,
        /// Indices.
        indices: Vec<Value>,
        /// `inbounds`.
        inbounds: bool,
    },
    /// `extractelement`.
    ExtractElement {
        /// Vector.
        vector: Value,
        /// Index.
        index: Value,
    },
    /// `insertelement`.
    InsertElement {
        /// Vector.
        vector: Value,
        /// New element.
        element: Value,
        /// Index.
        index: Value,
    },
    /// `shufflevector`.
    ShuffleVector {
        /// First vector.
        a: Value,
        /// Second vector.
        b: Value,
        /// Mask: a constant vector of i32 (or `undef`/`zeroinitializer`).
        mask: Value,
    },
    /// `extractvalue`.
    ExtractValue {
        /// Aggregate.
        aggregate: Value,
        /// Indices.
        indices: Vec<u32>,
    },
    /// `insertvalue`.
    InsertValue {
        /// Aggregate.
        aggregate: Value,
        /// Inserted value.
        value: Value,
        /// Indices.
        indices: Vec<u32>,
    },
    /// `call`.
    Call(Box<Call>),
    /// `br label %dest`.
    Br {
        /// Target.
        dest: BlockId,
    },
    /// `br i1 %c, label %t, label %f`.
    CondBr {
        /// Condition.
        cond: Value,
        /// Target if true.
        if_true: BlockId,
        /// Target if false.
        if_false: BlockId,
    },
    /// `switch`.
    Switch {
        /// Value switched on.
        cond: Value,
        /// Default target.
        default: BlockId,
        /// Cases (integer constants of the condition's type).
        cases: Vec<(ConstId, BlockId)>,
    },
    /// `ret`.
    Ret {
        /// Returned value; `None` for `ret void`.
        value: Option<Value>,
    },
    /// `unreachable`.
    Unreachable,
    /// `atomicrmw` (boxed: rare, and larger than every common instruction).
    AtomicRmw(Box<AtomicRmw>),
    /// `cmpxchg`; the result is `{ T, i1 }` (boxed like `atomicrmw`).
    CmpXchg(Box<CmpXchg>),
    /// `fence`.
    Fence {
        /// Ordering.
        ordering: Ordering,
        /// Sync scope; empty = system.
        scope: String,
    },
    /// `freeze`.
    Freeze {
        /// Operand.
        value: Value,
    },
}

/// The one list of where an instruction keeps its value operands, shared
/// by the shared and the mutable visitor (`$iter` is `iter` or `iter_mut`,
/// `$r` the matching borrow).
macro_rules! visit_operands {
    ($kind:expr, $f:ident, $iter:ident, $($r:tt)+) => {
        match $kind {
            InstKind::Binary { lhs, rhs, .. }
            | InstKind::ICmp { lhs, rhs, .. }
            | InstKind::FCmp { lhs, rhs, .. } => {
                $f(lhs);
                $f(rhs);
            }
            InstKind::FNeg { value }
            | InstKind::Cast { value, .. }
            | InstKind::Freeze { value } => $f(value),
            InstKind::Select {
                cond,
                on_true,
                on_false,
            } => {
                $f(cond);
                $f(on_true);
                $f(on_false);
            }
            InstKind::Phi { incoming } => incoming.$iter().for_each(|(v, _)| $f(v)),
            InstKind::Alloca { count, .. } => {
                if let Some(c) = count {
                    $f(c)
                }
            }
            InstKind::Load { ptr, .. } => $f(ptr),
            InstKind::Store { value, ptr, .. } => {
                $f(value);
                $f(ptr);
            }
            InstKind::GetElementPtr { base, indices, .. } => {
                $f(base);
                indices.$iter().for_each(|v| $f(v));
            }
            InstKind::ExtractElement { vector, index } => {
                $f(vector);
                $f(index);
            }
            InstKind::InsertElement {
                vector,
                element,
                index,
            } => {
                $f(vector);
                $f(element);
                $f(index);
            }
            InstKind::ShuffleVector { a, b, mask } => {
                $f(a);
                $f(b);
                $f(mask);
            }
            InstKind::ExtractValue { aggregate, .. } => $f(aggregate),
            InstKind::InsertValue {
                aggregate, value, ..
            } => {
                $f(aggregate);
                $f(value);
            }
            InstKind::Call(call) => {
                $f($($r)+ call.callee);
                call.args.$iter().for_each(|v| $f(v));
            }
            InstKind::Br { .. } | InstKind::Unreachable | InstKind::Fence { .. } => {}
            InstKind::CondBr { cond, .. } | InstKind::Switch { cond, .. } => $f(cond),
            InstKind::Ret { value } => {
                if let Some(v) = value {
                    $f(v)
                }
            }
            InstKind::AtomicRmw(rmw) => {
                $f($($r)+ rmw.ptr);
                $f($($r)+ rmw.value);
            }
            InstKind::CmpXchg(xchg) => {
                $f($($r)+ xchg.ptr);
                $f($($r)+ xchg.expected);
                $f($($r)+ xchg.new);
            }
        }
    };
}

impl InstKind {
    /// The opcode of this instruction (from the table).
    pub fn opcode(&self) -> Opcode {
        match self {
            InstKind::Binary { op, .. } | InstKind::Cast { op, .. } => *op,
            InstKind::FNeg { .. } => Opcode::FNeg,
            InstKind::ICmp { .. } => Opcode::ICmp,
            InstKind::FCmp { .. } => Opcode::FCmp,
            InstKind::Select { .. } => Opcode::Select,
            InstKind::Phi { .. } => Opcode::Phi,
            InstKind::Alloca { .. } => Opcode::Alloca,
            InstKind::Load { .. } => Opcode::Load,
            InstKind::Store { .. } => Opcode::Store,
            InstKind::GetElementPtr { .. } => Opcode::GetElementPtr,
            InstKind::ExtractElement { .. } => Opcode::ExtractElement,
            InstKind::InsertElement { .. } => Opcode::InsertElement,
            InstKind::ShuffleVector { .. } => Opcode::ShuffleVector,
            InstKind::ExtractValue { .. } => Opcode::ExtractValue,
            InstKind::InsertValue { .. } => Opcode::InsertValue,
            InstKind::Call(_) => Opcode::Call,
            InstKind::Br { .. } | InstKind::CondBr { .. } => Opcode::Br,
            InstKind::Switch { .. } => Opcode::Switch,
            InstKind::Ret { .. } => Opcode::Ret,
            InstKind::Unreachable => Opcode::Unreachable,
            InstKind::AtomicRmw { .. } => Opcode::AtomicRmw,
            InstKind::CmpXchg { .. } => Opcode::CmpXchg,
            InstKind::Fence { .. } => Opcode::Fence,
            InstKind::Freeze { .. } => Opcode::Freeze,
        }
    }

    /// Every value operand, in text order. Allocates; hot paths use
    /// [`InstKind::for_each_operand`].
    pub fn operands(&self) -> Vec<Value> {
        let mut v = Vec::new();
        self.for_each_operand(|x| v.push(*x));
        v
    }

    /// Calls `f` on every value operand, in text order, without allocating.
    pub fn for_each_operand(&self, mut f: impl FnMut(&Value)) {
        visit_operands!(self, f, iter, &)
    }

    /// Calls `f` on every value operand, in the order of [`InstKind::operands`],
    /// letting it rewrite them (the parser resolves forward references so).
    pub fn for_each_operand_mut(&mut self, mut f: impl FnMut(&mut Value)) {
        visit_operands!(self, f, iter_mut, &mut)
    }

    /// Calls `ty` on every type and `konst` on every constant the instruction
    /// names outside its value operands (allocated and GEP source types, the
    /// callee type, typed attributes, switch case values). Together with
    /// [`InstKind::for_each_operand_mut`] this reaches every id an
    /// instruction holds, which is what id remapping needs.
    pub fn for_each_type_and_const_mut(
        &mut self,
        ty: &mut dyn FnMut(&mut TypeId),
        konst: &mut dyn FnMut(&mut ConstId),
    ) {
        match self {
            InstKind::Alloca { allocated, .. } => ty(allocated),
            InstKind::GetElementPtr { source, .. } => ty(source),
            InstKind::Call(call) => {
                ty(&mut call.fn_ty);
                call.fn_attrs.for_each_type_mut(ty);
                call.ret_attrs.for_each_type_mut(ty);
                for set in &mut call.arg_attrs {
                    set.for_each_type_mut(ty);
                }
            }
            InstKind::Switch { cases, .. } => {
                for (c, _) in cases {
                    konst(c);
                }
            }
            _ => {}
        }
    }

    /// The blocks this instruction can branch to (successors, or the
    /// incoming blocks of a phi).
    pub fn block_refs(&self) -> Vec<BlockId> {
        match self {
            InstKind::Br { dest } => vec![*dest],
            InstKind::CondBr {
                if_true, if_false, ..
            } => vec![*if_true, *if_false],
            InstKind::Switch { default, cases, .. } => {
                let mut v = vec![*default];
                v.extend(cases.iter().map(|(_, b)| *b));
                v
            }
            InstKind::Phi { incoming } => incoming.iter().map(|(_, b)| *b).collect(),
            _ => vec![],
        }
    }

    /// Successor blocks of a terminator (empty for other instructions).
    pub fn successors(&self) -> Vec<BlockId> {
        match self {
            InstKind::Phi { .. } => vec![],
            other => other.block_refs(),
        }
    }
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Instruction {
    /// The result name (`%name`); `None` for unnamed (numbered) results and
    /// for instructions without a result.
    pub name: Option<String>,
    /// The result type (`void` when there is no result).
    pub ty: TypeId,
    /// Operation and operands.
    pub kind: InstKind,
    /// nuw/nsw/exact and fast-math flags.
    pub flags: Flags,
    /// Metadata attachments (`!tbaa !3`), by kind name, in text order.
    pub attachments: Attachments,
}

/// An instruction's metadata attachments (`!tbaa !3`), by kind name, in
/// text order. Most instructions have none, so the list costs one word
/// (null when empty) instead of a `Vec`'s three: instructions are the bulk
/// of a parsed module. Reads go through the slice it dereferences to.
// A boxed slice would be two words; the boxed `Vec` is one and keeps
// `push` amortised, which is why the lint against it is silenced.
#[derive(Clone, Debug, Default)]
#[allow(clippy::box_collection)]
pub struct Attachments(Option<Box<Vec<(String, MetaId)>>>);

impl Attachments {
    /// No attachments.
    pub const fn new() -> Self {
        Attachments(None)
    }

    /// Appends one attachment.
    pub fn push(&mut self, attachment: (String, MetaId)) {
        self.0.get_or_insert_with(Box::default).push(attachment);
    }

    /// Removes every attachment.
    pub fn clear(&mut self) {
        self.0 = None;
    }
}

impl std::ops::Deref for Attachments {
    type Target = [(String, MetaId)];
    fn deref(&self) -> &Self::Target {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl std::ops::DerefMut for Attachments {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.0.as_deref_mut().map_or(&mut [], Vec::as_mut_slice)
    }
}

// Equality and hashing look at the entries only, so an emptied list
// equals one that never had any.
impl PartialEq for Attachments {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Attachments {}

impl std::hash::Hash for Attachments {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl From<Vec<(String, MetaId)>> for Attachments {
    fn from(list: Vec<(String, MetaId)>) -> Self {
        if list.is_empty() {
            Attachments(None)
        } else {
            Attachments(Some(Box::new(list)))
        }
    }
}

impl Extend<(String, MetaId)> for Attachments {
    fn extend<I: IntoIterator<Item = (String, MetaId)>>(&mut self, iter: I) {
        for a in iter {
            self.push(a);
        }
    }
}

impl FromIterator<(String, MetaId)> for Attachments {
    fn from_iter<I: IntoIterator<Item = (String, MetaId)>>(iter: I) -> Self {
        Vec::from_iter(iter).into()
    }
}

impl<'a> IntoIterator for &'a Attachments {
    type Item = &'a (String, MetaId);
    type IntoIter = std::slice::Iter<'a, (String, MetaId)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> IntoIterator for &'a mut Attachments {
    type Item = &'a mut (String, MetaId);
    type IntoIter = std::slice::IterMut<'a, (String, MetaId)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{Hash, Hasher};

    fn hash_of(a: &Attachments) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        a.hash(&mut h);
        h.finish()
    }

    #[test]
    fn attachments_compare_by_entries() {
        let mut a = Attachments::new();
        assert!(a.is_empty());
        a.push(("tbaa".to_string(), MetaId(3)));
        a.push(("range".to_string(), MetaId(4)));
        assert_eq!(a.len(), 2);
        assert_eq!(a[1], ("range".to_string(), MetaId(4)));
        let b: Attachments = vec![
            ("tbaa".to_string(), MetaId(3)),
            ("range".to_string(), MetaId(4)),
        ]
        .into();
        assert_eq!(a, b);
        assert_eq!(hash_of(&a), hash_of(&b));
        for (_, md) in &mut a {
            md.0 += 1;
        }
        assert_ne!(a, b);
        assert_eq!(a.iter().map(|(_, m)| m.0).collect::<Vec<_>>(), [4, 5]);
        // An emptied list and an empty `Vec` equal a list that never had
        // an entry, so structural equality ignores how it got empty.
        a.clear();
        let empty: Attachments = Vec::new().into();
        assert_eq!(a, Attachments::new());
        assert_eq!(empty, Attachments::new());
        assert_eq!(hash_of(&a), hash_of(&Attachments::new()));
    }

    /// Instructions are most of a parsed module's memory; a variant that
    /// grows `InstKind` (a new unboxed `String`, a third `Vec`) shows here.
    #[test]
    fn instruction_stays_small() {
        assert!(std::mem::size_of::<InstKind>() <= 48);
        assert!(std::mem::size_of::<Instruction>() <= 88);
    }
}
