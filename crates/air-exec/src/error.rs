//! Errors: what went wrong ([`ErrorKind`]) and where ([`Site`]).
//!
//! Every failure of a run is an [`ExecError`]: setup problems (a kernel that
//! cannot be bound, a visible function that does not resolve) have no site;
//! problems found while executing carry the kernel, the instruction (with
//! its `.ll` line when the module was parsed from text), and the thread and
//! threadgroup that hit it. Messages are lowercase and name the rule that
//! was broken, so tests and users can match on them.

use std::fmt;

/// Where in a run an error happened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Site {
    /// The kernel function being run.
    pub kernel: String,
    /// The function executing the instruction (the kernel or a callee).
    pub function: String,
    /// `file:line` of the instruction, when the module came from text.
    pub line: Option<String>,
    /// The instruction's source text (or a short rendering of it).
    pub instruction: String,
    /// `thread_position_in_grid` of the thread, if one thread is to blame.
    pub thread: Option<[u32; 3]>,
    /// `threadgroup_position_in_grid`.
    pub threadgroup: Option<[u32; 3]>,
    /// The simdgroup index within the threadgroup.
    pub simdgroup: Option<u32>,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "in kernel @{}", self.kernel)?;
        if !self.function.is_empty() && self.function != self.kernel {
            write!(f, ", function @{}", self.function)?;
        }
        if let Some(line) = &self.line {
            write!(f, ", at {line}")?;
        }
        if !self.instruction.is_empty() {
            write!(f, " `{}`", self.instruction)?;
        }
        if let Some([x, y, z]) = self.thread {
            write!(f, ", thread ({x},{y},{z})")?;
        }
        if let Some(s) = self.simdgroup {
            write!(f, " of simdgroup {s}")?;
        }
        if let Some([x, y, z]) = self.threadgroup {
            write!(f, ", threadgroup ({x},{y},{z})")?;
        }
        Ok(())
    }
}

/// The error classes of the executor.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    /// The input cannot be used: parse errors, missing kernel metadata,
    /// bad bindings or launch sizes.
    #[error("{0}")]
    Setup(String),
    /// A visible function reference that neither a linked module nor a
    /// registered closure provides, or one with the wrong type.
    #[error("unresolved visible function `{name}`: {reason}")]
    UnresolvedVisible {
        /// The name from `!air.visible_function_references`.
        name: String,
        /// Why it did not resolve.
        reason: String,
    },
    /// A device or threadgroup (or private) access outside its region.
    #[error("out of bounds: {access} of {len} byte(s) at byte offset {offset} of {region}, which has {size} byte(s)")]
    OutOfBounds {
        /// `load`, `store`, `copy read`, ...
        access: String,
        /// The region (`buffer 1 (dst)`, `threadgroup @tg_buf`, ...).
        region: String,
        /// Byte offset of the access.
        offset: i64,
        /// Bytes accessed.
        len: u64,
        /// Size of the region.
        size: u64,
    },
    /// A read of threadgroup memory nothing has written.
    #[error("reads uninitialized threadgroup memory: byte {offset} of {region} was never written by a thread or a copy")]
    PoisonRead {
        /// The region.
        region: String,
        /// The first unwritten byte.
        offset: u64,
    },
    /// A pointer that does not point into memory (null, an event, a function).
    #[error("invalid pointer: {0}")]
    BadPointer(String),
    /// Threads of a threadgroup that do not all reach the same barrier.
    #[error("barrier not reached by all threads: {0}")]
    BarrierDivergence(String),
    /// Lanes of a simdgroup that do not all reach the same simdgroup-wide call.
    #[error("simdgroup lanes diverge at a simdgroup-wide call: {0}")]
    SimdDivergence(String),
    /// Lanes of a simdgroup that pass different operands to a call that acts
    /// once per simdgroup.
    #[error("{what} operands differ between lanes of the simdgroup: {detail}")]
    NonUniformOperands {
        /// The call (`async copy`, `wait`, ...).
        what: String,
        /// Which operand, and the two values.
        detail: String,
    },
    /// An access to bytes an async copy is still writing (or that another
    /// simdgroup waited for but no barrier has published yet).
    #[error("access to bytes in flight: {0}")]
    InFlight(String),
    /// The M1 async-copy hazard (air.md §2.6): a copy not waited for, or a
    /// device→threadgroup copy not followed by a threadgroup barrier.
    #[error("M1 hazard: {0}")]
    M1Hazard(String),
    /// An async-copy mode whose meaning on hardware is unknown.
    #[error("semantics unverified: {0}")]
    UnverifiedCopy(String),
    /// An async copy executed anywhere but in the kernel's own frame.
    #[error("async copy inside a called function is a no-op on Apple GPUs (air.md §3.4); keep every copy in the kernel's body")]
    CopyInCalledFunction,
    /// Other misuse of an event or wait.
    #[error("event misuse: {0}")]
    Event(String),
    /// The run did more work than its budget allows
    /// ([`Options::step_budget`](crate::Options::step_budget), in work
    /// units: [`limits`](crate::limits#work-units)).
    #[error(
        "step budget of {0} work units exhausted (an endless loop or a very large operation, or raise the budget)"
    )]
    StepBudget(u64),
    /// A threadgroup would hold more memory than
    /// [`Options::memory_limit`](crate::Options::memory_limit) allows.
    #[error("memory limit: {0}")]
    MemoryLimit(String),
    /// Two threadgroups of the dispatch write the same device bytes, or one
    /// reads bytes another writes: Metal orders nothing between the
    /// threadgroups of a dispatch, so the result would depend on the GPU's
    /// schedule.
    #[error("race between threadgroups: {0}")]
    DeviceRace(String),
    /// A device-to-threadgroup async copy overwrites threadgroup bytes that
    /// a simdgroup read since the last threadgroup barrier: without a
    /// barrier between them, the copy may land before the read on a GPU.
    #[error("async copy overwrites bytes still being read: {0}")]
    CopyOverwritesRead(String),
    /// Undefined behaviour the executor detects (division by zero,
    /// `unreachable`, a value used before it is defined, ...).
    #[error("undefined behaviour: {0}")]
    Undefined(String),
    /// IR the executor does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// IR that is not valid (it should not have passed the verifier).
    #[error("malformed IR: {0}")]
    Malformed(String),
}

/// A failed setup or run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where, for errors found while executing.
    pub site: Option<Box<Site>>,
}

impl ExecError {
    /// An error without a site.
    pub fn new(kind: ErrorKind) -> Self {
        ExecError { kind, site: None }
    }

    /// A [`ErrorKind::Setup`] error.
    pub fn setup(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Setup(message.into()))
    }

    /// Attaches a site unless one is already there (the innermost wins).
    pub(crate) fn at(mut self, site: impl FnOnce() -> Site) -> Self {
        if self.site.is_none() {
            self.site = Some(Box::new(site()));
        }
        self
    }
}

impl fmt::Display for ExecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(site) = &self.site {
            write!(f, "\n  {site}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ExecError {}

impl From<ErrorKind> for ExecError {
    fn from(kind: ErrorKind) -> Self {
        ExecError::new(kind)
    }
}

/// Result alias of the crate.
pub type Result<T, E = ExecError> = std::result::Result<T, E>;

/// Shorthands used throughout the interpreter.
pub(crate) fn unsupported<T>(what: impl Into<String>) -> Result<T> {
    Err(ErrorKind::Unsupported(what.into()).into())
}

pub(crate) fn malformed<T>(what: impl Into<String>) -> Result<T> {
    Err(ErrorKind::Malformed(what.into()).into())
}

pub(crate) fn undefined<T>(what: impl Into<String>) -> Result<T> {
    Err(ErrorKind::Undefined(what.into()).into())
}
