//! The spec model and its Rust builder API.
//!
//! A [`Spec`] is what a TOML spec file reads into ([`Spec::from_toml`]) and
//! what the builder methods below construct; both go through the same
//! validation and generation. Items carry an optional [`Pos`] so
//! diagnostics can name the spec line; specs built in Rust leave it `None`.
//!
//! ```
//! use air_shell::{Access, Call, Copy, ElemType, Spec, Step, SystemValueKind};
//!
//! let spec = Spec::new("reverse_kernel", "macos26")
//!     .threadgroup_size([32, 1, 1])
//!     .buffer("src", ElemType::Float, Access::Read, 0)
//!     .buffer("dst", ElemType::Float, Access::Write, 1)
//!     .system_value("tid", SystemValueKind::ThreadPositionInGrid)
//!     .system_value("simd_lane", SystemValueKind::ThreadIndexInSimdgroup)
//!     .region("tile", ElemType::Float, 32)
//!     .step(Step::copy(Copy::new("src", "tile", [32, 1]).src_offset("tid / 32 * 32")))
//!     .step(Step::wait())
//!     .step(Step::barrier())
//!     .step(Step::call(
//!         Call::new("transform_value")
//!             .arg("tile[simd_lane]")
//!             .returns(ElemType::Float)
//!             .store("dst[tid]"),
//!     ));
//! let shell = air_shell::generate(&spec, &air_shell::Options::default()).unwrap();
//! assert!(shell.msl_prototypes.contains("[[visible]] float transform_value(float tile);"));
//! ```

use std::path::PathBuf;

pub use crate::error::Pos;
use crate::types::{Access, ElemType, SystemValueKind, SystemValueType};

/// The newest spec schema: what [`Spec::new`] builds. Schema 2 added
/// loops, `let`, `requires`, private arrays, multi-buffer regions, `when`
/// guards, `wait for` and run-time tile sizes.
pub const SCHEMA_VERSION: u32 = 2;

/// Every schema this crate reads. A schema-1 spec means what it always
/// meant and generates the same bytes.
pub const SCHEMA_VERSIONS: [u32; 2] = [1, 2];

/// How the kernel reaches the functions it calls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BodyMode {
    /// An external `[[visible]]` function resolved at pipeline creation
    /// (`@name.MTL_VISIBLE_FN_REF` in section `air.externally_defined`).
    #[default]
    Visible,
    /// The body is an IR function from a `.ll` file, linked into the module.
    Inline,
}

impl BodyMode {
    /// The spec spelling.
    pub fn name(self) -> &'static str {
        match self {
            BodyMode::Visible => "visible",
            BodyMode::Inline => "inline",
        }
    }

    /// Looks a mode up by its spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [BodyMode::Visible, BodyMode::Inline]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// How copies are carried out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// The async-copy intrinsics.
    #[default]
    None,
    /// Ordinary loads and stores by every thread of the threadgroup, for
    /// GPUs where async copy does not work.
    Cooperative,
}

impl Fallback {
    /// The spec spelling.
    pub fn name(self) -> &'static str {
        match self {
            Fallback::None => "none",
            Fallback::Cooperative => "cooperative",
        }
    }

    /// Looks a fallback up by its spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [Fallback::None, Fallback::Cooperative]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// Which async-copy intrinsic a copy uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CopyForm {
    /// `air.simdgroup_async_copy_2d.*`: unambiguous; a 1D transfer is a
    /// tile of height 1.
    #[default]
    TwoD,
    /// `air.simdgroup_async_copy_1d.*` with the operand form the seed ran on
    /// hardware, `(size, count, dst, src, 0)`; AIR 2.8 targets only
    /// (air.md §2.9).
    OneD,
}

impl CopyForm {
    /// The spec spelling.
    pub fn name(self) -> &'static str {
        match self {
            CopyForm::TwoD => "2d",
            CopyForm::OneD => "1d",
        }
    }

    /// Looks a form up by its spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [CopyForm::TwoD, CopyForm::OneD]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// What fills destination positions outside the source tile (device →
/// threadgroup copies with a larger destination tile).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fill {
    /// Zeros (`clamp_to_zero`, clamp operand 0).
    #[default]
    Zero,
    /// The nearest edge element (`clamp_to_edge`, clamp operand 1).
    Edge,
}

impl Fill {
    /// The spec spelling.
    pub fn name(self) -> &'static str {
        match self {
            Fill::Zero => "zero",
            Fill::Edge => "edge",
        }
    }

    /// Looks a fill mode up by its spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [Fill::Zero, Fill::Edge]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// Which memory a barrier orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BarrierMemory {
    /// `mem_threadgroup` (flags 2).
    #[default]
    Threadgroup,
    /// `mem_device` (flags 1).
    Device,
    /// Both (flags 3).
    All,
}

impl BarrierMemory {
    /// The spec spelling.
    pub fn name(self) -> &'static str {
        match self {
            BarrierMemory::Threadgroup => "threadgroup",
            BarrierMemory::Device => "device",
            BarrierMemory::All => "all",
        }
    }

    /// Looks a memory kind up by its spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            BarrierMemory::Threadgroup,
            BarrierMemory::Device,
            BarrierMemory::All,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }

    /// The `air.wg.barrier` flags operand (air.md §2.6).
    pub fn flags(self) -> i128 {
        match self {
            BarrierMemory::Threadgroup => 2,
            BarrierMemory::Device => 1,
            BarrierMemory::All => 3,
        }
    }

    /// Whether the barrier orders threadgroup memory.
    pub fn covers_threadgroup(self) -> bool {
        !matches!(self, BarrierMemory::Device)
    }
}

/// A piece of spec text (an expression, an operand) with where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Position of its first character in the spec, if known.
    pub at: Option<Pos>,
}

impl Text {
    /// Text without a position.
    pub fn new(text: impl Into<String>) -> Self {
        Text {
            text: text.into(),
            at: None,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::new(s)
    }
}

/// A device buffer argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Buffer {
    /// Parameter name.
    pub name: String,
    /// Element type.
    pub element: ElemType,
    /// How the kernel uses it.
    pub access: Access,
    /// The `[[buffer(index)]]` slot.
    pub index: u32,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// A scalar argument passed by the host as `constant T& [[buffer(index)]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// Parameter name.
    pub name: String,
    /// Its type.
    pub ty: ElemType,
    /// The `[[buffer(index)]]` slot.
    pub index: u32,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// A system value parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemValue {
    /// Parameter name.
    pub name: String,
    /// Which value.
    pub kind: SystemValueKind,
    /// `uint` or `ushort`.
    pub ty: SystemValueType,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// A named integer constant usable in expressions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constant {
    /// Name.
    pub name: String,
    /// Value.
    pub value: i64,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// A named region of the one threadgroup global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// Name.
    pub name: String,
    /// Element type.
    pub element: ElemType,
    /// Number of elements.
    pub count: u64,
    /// Byte offset in the global; `None` places it after the previous
    /// region at the next aligned offset.
    pub offset: Option<u64>,
    /// Alignment in bytes; `None` is the element's alignment.
    pub align: Option<u64>,
    /// How many consecutive copies of the region there are (schema 2;
    /// 1..=4). A region with more than one is named `NAME@slot`.
    pub buffers: u64,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// The threadgroup memory: ONE global, carved into regions (separate
/// threadgroup globals are reported to alias, air.md §1.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threadgroup {
    /// The global's name.
    pub name: String,
    /// Total size in bytes; `None` is the end of the last region.
    pub bytes: Option<u64>,
    /// The regions.
    pub regions: Vec<Region>,
    /// Where `[threadgroup]` is.
    pub at: Option<Pos>,
}

impl Default for Threadgroup {
    fn default() -> Self {
        Threadgroup {
            name: "tg_buf".to_string(),
            bytes: None,
            regions: Vec::new(),
            at: None,
        }
    }
}

/// Extra facts about a function the kernel calls (its signature comes
/// from the calls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    /// The function name (the visible function's MSL name).
    pub name: String,
    /// Parameter names for the MSL prototypes.
    pub params: Vec<String>,
    /// The `.ll` file defining the body, for [`BodyMode::Inline`]
    /// (relative to the spec's directory).
    pub inline: Option<PathBuf>,
    /// The Metal source of the visible function (schema 2), kept for the
    /// runtime that JIT-compiles it; the generator does not read it.
    pub msl: Option<PathBuf>,
    /// Where it is declared.
    pub at: Option<Pos>,
}

impl Function {
    /// A function entry with nothing but its name.
    pub fn new(name: impl Into<String>) -> Self {
        Function {
            name: name.into(),
            params: Vec::new(),
            inline: None,
            msl: None,
            at: None,
        }
    }

    /// Sets the parameter names used in MSL prototypes.
    pub fn params<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.params = names.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the inline body file.
    pub fn inline(mut self, path: impl Into<PathBuf>) -> Self {
        self.inline = Some(path.into());
        self
    }

    /// Sets the Metal source file of the visible function.
    pub fn msl(mut self, path: impl Into<PathBuf>) -> Self {
        self.msl = Some(path.into());
        self
    }
}

/// A tile size or pitch: a constant, or (schema 2) an expression.
///
/// A tile entry expression must be `min(C, expr)` with a constant `C`, the
/// entry's static bound; a pitch expression is free but only allowed on
/// the buffer side of a copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dim {
    /// A constant.
    Const(u64),
    /// An expression computed in the kernel.
    Expr(Text),
}

impl From<u64> for Dim {
    fn from(v: u64) -> Self {
        Dim::Const(v)
    }
}

impl From<&str> for Dim {
    fn from(s: &str) -> Self {
        Dim::Expr(Text::new(s))
    }
}

/// A named value computed once when the kernel starts (`let`, schema 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Let {
    /// Name.
    pub name: String,
    /// The expression (over constants, scalars, system values and other
    /// lets).
    pub value: Text,
}

/// The initial value of a private array's elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Literal {
    /// An integer (converted to the element type).
    Int(i64),
    /// A float, by its `f64` bits (so the model stays `Eq`).
    Float(u64),
}

impl Literal {
    /// A float literal.
    pub fn float(v: f64) -> Self {
        Literal::Float(v.to_bits())
    }
}

/// A per-thread array that lives for the whole kernel (schema 2), e.g. an
/// accumulator passed to every call of a loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Private {
    /// Name.
    pub name: String,
    /// Element type.
    pub element: ElemType,
    /// Number of elements.
    pub count: u64,
    /// Initial value of every element; `None` leaves them undefined.
    pub fill: Option<Literal>,
    /// Where it is declared.
    pub at: Option<Pos>,
}

/// An async copy between a buffer and a region, in either direction.
///
/// Tiles are `[width, height]`: width in elements along a row, height in
/// rows. Pitches are in elements per row. Offsets are element offsets
/// (expressions) added to the buffer or region base.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    /// Source: a buffer (device → threadgroup) or a region.
    pub from: String,
    /// Destination: a region or a buffer.
    pub to: String,
    /// The source tile `[width, height]`.
    pub tile: [Dim; 2],
    /// A larger destination tile (device → threadgroup only); the rest is
    /// filled as [`Copy::fill`] says. `None` is the source tile.
    pub dst_tile: Option<[Dim; 2]>,
    /// Fill mode outside the source tile.
    pub fill: Fill,
    /// Source row pitch in elements; `None` is the source tile width (its
    /// static bound).
    pub src_pitch: Option<Dim>,
    /// Destination row pitch in elements; `None` is the destination tile
    /// width (its static bound).
    pub dst_pitch: Option<Dim>,
    /// Element offset into the source.
    pub src_offset: Text,
    /// Element offset into the destination.
    pub dst_offset: Text,
    /// Per-copy override of the spec's copy form.
    pub form: Option<CopyForm>,
}

impl Copy {
    /// A copy of a `[width, height]` tile with default pitches and offsets.
    pub fn new(from: impl Into<String>, to: impl Into<String>, tile: [u64; 2]) -> Self {
        Copy {
            from: from.into(),
            to: to.into(),
            tile: tile.map(Dim::Const),
            dst_tile: None,
            fill: Fill::Zero,
            src_pitch: None,
            dst_pitch: None,
            src_offset: Text::new("0"),
            dst_offset: Text::new("0"),
            form: None,
        }
    }

    /// Sets the source row pitch (a constant, or an expression string).
    pub fn src_pitch(mut self, pitch: impl Into<Dim>) -> Self {
        self.src_pitch = Some(pitch.into());
        self
    }

    /// Sets the destination row pitch (a constant, or an expression string).
    pub fn dst_pitch(mut self, pitch: impl Into<Dim>) -> Self {
        self.dst_pitch = Some(pitch.into());
        self
    }

    /// Sets the source tile with run-time entries (`"min(32, K - k0)"`).
    pub fn tile_dims(mut self, tile: [Dim; 2]) -> Self {
        self.tile = tile;
        self
    }

    /// Sets the source element offset expression.
    pub fn src_offset(mut self, expr: impl Into<Text>) -> Self {
        self.src_offset = expr.into();
        self
    }

    /// Sets the destination element offset expression.
    pub fn dst_offset(mut self, expr: impl Into<Text>) -> Self {
        self.dst_offset = expr.into();
        self
    }

    /// Sets a larger destination tile and how to fill it.
    pub fn dst_tile(mut self, tile: [u64; 2], fill: Fill) -> Self {
        self.dst_tile = Some(tile.map(Dim::Const));
        self.fill = fill;
        self
    }

    /// Overrides the copy form for this copy.
    pub fn form(mut self, form: CopyForm) -> Self {
        self.form = Some(form);
        self
    }
}

/// A call of a function with an argument list; its return value can be
/// stored to a buffer element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The function.
    pub function: String,
    /// Arguments: a region or buffer name (its pointer), `name[index]` (an
    /// element's value), a system value or scalar name, or an integer
    /// expression (passed as `uint`).
    pub args: Vec<Text>,
    /// The return type; `None` is `void`.
    pub returns: Option<ElemType>,
    /// `buffer[index]` receiving the return value.
    pub store: Option<Text>,
}

impl Call {
    /// A call with no arguments returning `void`.
    pub fn new(function: impl Into<String>) -> Self {
        Call {
            function: function.into(),
            args: Vec::new(),
            returns: None,
            store: None,
        }
    }

    /// Appends an argument.
    pub fn arg(mut self, arg: impl Into<Text>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets the return type.
    pub fn returns(mut self, ty: ElemType) -> Self {
        self.returns = Some(ty);
        self
    }

    /// Stores the return value to `buffer[index]`.
    pub fn store(mut self, target: impl Into<Text>) -> Self {
        self.store = Some(target.into());
        self
    }
}

/// A counted loop (schema 2): `body` runs for `var` = 0, 1, ...,
/// `count - 1` (not at all when `count <= 0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loop {
    /// The loop variable (an i64 in expressions, `uint` as an argument).
    pub var: String,
    /// The trip count: an expression over names that are the same for the
    /// whole threadgroup, evaluated once before the loop.
    pub count: Text,
    /// The steps of one iteration.
    pub body: Vec<Step>,
}

impl Loop {
    /// A loop with an empty body.
    pub fn new(var: impl Into<String>, count: impl Into<Text>) -> Self {
        Loop {
            var: var.into(),
            count: count.into(),
            body: Vec::new(),
        }
    }

    /// Appends a step to the body.
    pub fn step(mut self, step: Step) -> Self {
        self.body.push(step);
        self
    }
}

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Start an async copy.
    Copy(Box<Copy>),
    /// Wait for every copy started and not yet waited for.
    Wait,
    /// Wait for the copies into (or out of) the named region buffers only
    /// (`for = ["A_tile@kb"]`, schema 2).
    WaitFor(Vec<Text>),
    /// A threadgroup barrier.
    Barrier(BarrierMemory),
    /// Call a function.
    Call(Call),
    /// A counted loop.
    Loop(Loop),
}

/// One step of the kernel's program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// A guard `a CMP b` (schema 2): the step runs only when it holds.
    pub when: Option<Text>,
    /// Where it is declared.
    pub at: Option<Pos>,
}

impl Step {
    /// A copy step.
    pub fn copy(copy: Copy) -> Self {
        Step {
            kind: StepKind::Copy(Box::new(copy)),
            when: None,
            at: None,
        }
    }

    /// A wait step.
    pub fn wait() -> Self {
        Step {
            kind: StepKind::Wait,
            when: None,
            at: None,
        }
    }

    /// A threadgroup-memory barrier step.
    pub fn barrier() -> Self {
        Step {
            kind: StepKind::Barrier(BarrierMemory::Threadgroup),
            when: None,
            at: None,
        }
    }

    /// A barrier step over the given memory.
    pub fn barrier_over(memory: BarrierMemory) -> Self {
        Step {
            kind: StepKind::Barrier(memory),
            when: None,
            at: None,
        }
    }

    /// A call step.
    pub fn call(call: Call) -> Self {
        Step {
            kind: StepKind::Call(call),
            when: None,
            at: None,
        }
    }

    /// A wait for the named region buffers only (`"A_tile@kb"`).
    pub fn wait_for<T: Into<Text>>(targets: impl IntoIterator<Item = T>) -> Self {
        Step {
            kind: StepKind::WaitFor(targets.into_iter().map(Into::into).collect()),
            when: None,
            at: None,
        }
    }

    /// A loop step.
    pub fn repeat(body: Loop) -> Self {
        Step {
            kind: StepKind::Loop(body),
            when: None,
            at: None,
        }
    }

    /// Guards the step with a condition `a CMP b`.
    pub fn when(mut self, cond: impl Into<Text>) -> Self {
        self.when = Some(cond.into());
        self
    }
}

/// A whole shell spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Schema version (one of [`SCHEMA_VERSIONS`]).
    pub schema: u32,
    /// Where `schema` is.
    pub schema_at: Option<Pos>,
    /// Where `let` is.
    pub lets_at: Option<Pos>,
    /// Name used in diagnostics (the spec file name).
    pub source_name: String,
    /// The spec text, when read from TOML (for caret lines).
    pub source: Option<String>,
    /// Directory that relative inline-body paths are resolved against.
    pub base_dir: Option<PathBuf>,
    /// Kernel function name.
    pub kernel: String,
    /// Where `kernel` is.
    pub kernel_at: Option<Pos>,
    /// Module name (`source_filename`); `None` is the kernel name.
    pub module: Option<String>,
    /// Target id (`macos26`, ...; see `air_target::TARGETS`).
    pub target: String,
    /// Where `target` is.
    pub target_at: Option<Pos>,
    /// Threads per threadgroup the shell assumes `[x, y, z]`.
    pub threadgroup_size: [u32; 3],
    /// Where `threadgroup_size` is.
    pub threadgroup_size_at: Option<Pos>,
    /// Body mode of every call.
    pub body: BodyMode,
    /// Copy mechanism.
    pub fallback: Fallback,
    /// Default copy form.
    pub copy_form: CopyForm,
    /// Where `copy_form` is.
    pub copy_form_at: Option<Pos>,
    /// Named constants.
    pub constants: Vec<Constant>,
    /// Values computed once at kernel start (schema 2).
    pub lets: Vec<Let>,
    /// Conditions the kernel assumes (schema 2); when one is false the
    /// kernel returns at once.
    pub requires: Vec<Text>,
    /// Per-thread arrays (schema 2).
    pub privates: Vec<Private>,
    /// Device buffers.
    pub buffers: Vec<Buffer>,
    /// Scalar arguments.
    pub scalars: Vec<Scalar>,
    /// System values.
    pub system_values: Vec<SystemValue>,
    /// Threadgroup memory.
    pub threadgroup: Threadgroup,
    /// Facts about called functions.
    pub functions: Vec<Function>,
    /// The program.
    pub steps: Vec<Step>,
}

impl Spec {
    /// An empty spec for `kernel` on `target`, with 32-thread threadgroups.
    pub fn new(kernel: impl Into<String>, target: impl Into<String>) -> Self {
        let kernel = kernel.into();
        Spec {
            schema: SCHEMA_VERSION,
            schema_at: None,
            lets_at: None,
            source_name: kernel.clone(),
            source: None,
            base_dir: None,
            kernel,
            kernel_at: None,
            module: None,
            target: target.into(),
            target_at: None,
            // One simdgroup.
            threadgroup_size: [air_target::SIMD_WIDTH, 1, 1],
            threadgroup_size_at: None,
            body: BodyMode::Visible,
            fallback: Fallback::None,
            copy_form: CopyForm::TwoD,
            copy_form_at: None,
            constants: Vec::new(),
            lets: Vec::new(),
            requires: Vec::new(),
            privates: Vec::new(),
            buffers: Vec::new(),
            scalars: Vec::new(),
            system_values: Vec::new(),
            threadgroup: Threadgroup::default(),
            functions: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Sets the module name.
    pub fn module_name(mut self, name: impl Into<String>) -> Self {
        self.module = Some(name.into());
        self
    }

    /// Sets the threadgroup size.
    pub fn threadgroup_size(mut self, size: [u32; 3]) -> Self {
        self.threadgroup_size = size;
        self
    }

    /// Sets the body mode.
    pub fn body(mut self, body: BodyMode) -> Self {
        self.body = body;
        self
    }

    /// Sets the copy fallback.
    pub fn fallback(mut self, fallback: Fallback) -> Self {
        self.fallback = fallback;
        self
    }

    /// Sets the default copy form.
    pub fn copy_form(mut self, form: CopyForm) -> Self {
        self.copy_form = form;
        self
    }

    /// Sets the directory inline bodies are resolved against.
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    /// Adds a named constant.
    pub fn constant(mut self, name: impl Into<String>, value: i64) -> Self {
        self.constants.push(Constant {
            name: name.into(),
            value,
            at: None,
        });
        self
    }

    /// Adds a device buffer.
    pub fn buffer(
        mut self,
        name: impl Into<String>,
        element: ElemType,
        access: Access,
        index: u32,
    ) -> Self {
        self.buffers.push(Buffer {
            name: name.into(),
            element,
            access,
            index,
            at: None,
        });
        self
    }

    /// Adds a scalar argument.
    pub fn scalar(mut self, name: impl Into<String>, ty: ElemType, index: u32) -> Self {
        self.scalars.push(Scalar {
            name: name.into(),
            ty,
            index,
            at: None,
        });
        self
    }

    /// Adds a `uint` system value.
    pub fn system_value(mut self, name: impl Into<String>, kind: SystemValueKind) -> Self {
        self.system_values.push(SystemValue {
            name: name.into(),
            kind,
            ty: SystemValueType::UInt,
            at: None,
        });
        self
    }

    /// Names the threadgroup global.
    pub fn threadgroup_name(mut self, name: impl Into<String>) -> Self {
        self.threadgroup.name = name.into();
        self
    }

    /// Sets the total threadgroup memory size in bytes.
    pub fn threadgroup_bytes(mut self, bytes: u64) -> Self {
        self.threadgroup.bytes = Some(bytes);
        self
    }

    /// Adds a region placed after the previous one.
    pub fn region(mut self, name: impl Into<String>, element: ElemType, count: u64) -> Self {
        self.threadgroup.regions.push(Region {
            name: name.into(),
            element,
            count,
            offset: None,
            align: None,
            buffers: 1,
            at: None,
        });
        self
    }

    /// Adds a region of `buffers` consecutive copies (double buffering),
    /// placed after the previous one.
    pub fn multi_region(
        mut self,
        name: impl Into<String>,
        element: ElemType,
        count: u64,
        buffers: u64,
    ) -> Self {
        self.threadgroup.regions.push(Region {
            name: name.into(),
            element,
            count,
            offset: None,
            align: None,
            buffers,
            at: None,
        });
        self
    }

    /// Sets the schema (the builder starts at [`SCHEMA_VERSION`]).
    pub fn schema(mut self, schema: u32) -> Self {
        self.schema = schema;
        self
    }

    /// Adds a `let` value.
    pub fn let_value(mut self, name: impl Into<String>, value: impl Into<Text>) -> Self {
        self.lets.push(Let {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a `requires` condition.
    pub fn requires(mut self, cond: impl Into<Text>) -> Self {
        self.requires.push(cond.into());
        self
    }

    /// Adds a private array.
    pub fn private(
        mut self,
        name: impl Into<String>,
        element: ElemType,
        count: u64,
        fill: Option<Literal>,
    ) -> Self {
        self.privates.push(Private {
            name: name.into(),
            element,
            count,
            fill,
            at: None,
        });
        self
    }

    /// Adds a region at an explicit byte offset.
    pub fn region_at(
        mut self,
        name: impl Into<String>,
        element: ElemType,
        count: u64,
        offset: u64,
    ) -> Self {
        self.threadgroup.regions.push(Region {
            name: name.into(),
            element,
            count,
            offset: Some(offset),
            align: None,
            buffers: 1,
            at: None,
        });
        self
    }

    /// Adds facts about a called function.
    pub fn function(mut self, function: Function) -> Self {
        self.functions.push(function);
        self
    }

    /// Appends a step.
    pub fn step(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }
}
