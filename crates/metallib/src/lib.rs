//! The `.metallib` container: a reader, a writer that lays files out the way
//! Apple's stand-alone `metallib` tool does, the tool's per-entry link step,
//! and an annotated dump (`metallib-and-bitcode.md` §1).
//!
//! Modules are encoded by the caller: [`assemble`] takes a closure from a
//! linked [`air_ir::Module`] to its wrapped bitcode, so this crate never
//! links LLVM and does not depend on a particular bitcode writer.
//! [`assemble_text`] starts from text and, for large inputs, parses function
//! bodies entry by entry instead of holding the whole parsed module (same
//! bytes and errors, a fraction of the memory; see [`stream`]).
//!
//! ```
//! use metallib::{raw::{FunctionType, Versions}, write::{Builder, NewFunction}, MetallibFile};
//!
//! let target = air_target::Target::by_id("macos26").unwrap();
//! let mut builder = Builder::for_target(target);
//! builder.add_function(NewFunction {
//!     name: "k".into(),
//!     function_type: FunctionType::KERNEL,
//!     versions: Versions::for_target(target),
//!     module: vec![0; 32], // normally a wrapped bitcode module
//! });
//! let bytes = builder.write().unwrap();
//!
//! let file = MetallibFile::parse(&bytes).unwrap();
//! assert_eq!(file.functions()[0].name, "k");
//! assert_eq!(file.functions()[0].module, &[0; 32][..]);
//! assert!(file.hashes_ok());
//! ```
//!
//! # Limits
//!
//! [`MetallibFile::parse`] takes hostile bytes: every length and offset is
//! checked against the bytes that are actually left before anything is read
//! or allocated, so parsing cannot panic, loop or allocate more than a small
//! multiple of the input (fuzz target `metallib_parse`, see ROBUSTNESS.md).

#![deny(missing_docs)]

pub mod error;
pub mod inspect;
pub mod link;
pub mod raw;
pub mod read;
pub mod stream;
pub mod target;
pub mod write;

pub use error::{ReadError, ReadErrorKind, WriteError};
pub use link::{link_entries, EntryKind, LinkError, LinkedEntry};
pub use read::{HashStatus, MetallibFile};
pub use stream::{assemble_text, TextError, TextModule};
pub use target::{apply_target, retarget, TargetError};
pub use write::{Builder, NewFunction};

use air_ir::Module;
use air_target::Target;

/// A boxed error from the caller's module encoder.
pub type EncodeFailure = Box<dyn std::error::Error + Send + Sync>;

/// Why [`assemble`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AssembleError {
    /// The module does not belong to the target.
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Retargeting gave a module the verifier rejects (for instance an
    /// intrinsic whose signature differs between the two AIR versions).
    #[error("the module retargeted to {target} does not verify: {source}")]
    RetargetedModuleInvalid {
        /// The target id.
        target: &'static str,
        /// The verifier's complaint.
        source: air_ir::VerifyError,
    },
    /// The link step failed.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The link step produced a module the verifier rejects (a bug here;
    /// release builds check what the link step writes anew, debug builds
    /// the whole module).
    #[error("the linked module of @{entry} does not verify: {source}")]
    LinkedModuleInvalid {
        /// The entry.
        entry: String,
        /// The verifier's complaint.
        source: air_ir::VerifyError,
    },
    /// The encoder failed on an entry's module.
    #[error("cannot encode the module of @{entry}: {source}")]
    Encode {
        /// The entry.
        entry: String,
        /// The encoder's error.
        source: EncodeFailure,
    },
    /// The container could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Options of [`assemble`].
#[derive(Clone, Copy, Debug)]
pub struct AssembleOptions<'a> {
    /// The target.
    pub target: &'a Target,
    /// Rewrite a mismatching triple and version metadata instead of failing.
    pub retarget: bool,
    /// Worker threads for the per-entry work (link step, check, encoding);
    /// 0 picks the machine's parallelism. A library of one entry never
    /// starts a thread. The output does not depend on this number.
    pub threads: usize,
}

impl<'a> AssembleOptions<'a> {
    /// Options for `target`: no retargeting, automatic thread count.
    pub fn new(target: &'a Target) -> Self {
        AssembleOptions {
            target,
            retarget: false,
            threads: 0,
        }
    }
}

/// Builds a library from a verified module: target check (or retarget),
/// link step per entry function, `encode` on each entry's module, container.
///
/// `encode` turns a linked module into its module entry: Darwin wrapper,
/// bitcode and zero padding to 16 bytes (e.g. `air_bitcode::write_module`).
///
/// Entries are linked, checked and encoded independently, on up to
/// [`AssembleOptions::threads`] threads; each linked module is dropped as
/// soon as it is encoded, so at most one per thread is alive. The entries'
/// bytes go into the container in entry order and, when several entries
/// fail, the error reported is the first entry's in that order, so the
/// result never depends on scheduling.
///
/// # Errors
/// See [`AssembleError`].
pub fn assemble<E>(
    module: &Module,
    options: &AssembleOptions<'_>,
    encode: impl Fn(&Module) -> Result<Vec<u8>, E> + Sync,
) -> Result<Vec<u8>, AssembleError>
where
    E: Into<EncodeFailure>,
{
    // Only a module that must be retargeted is copied.
    let retargeted;
    let module = if module
        .triple
        .as_deref()
        .is_some_and(|t| options.target.matches_triple(t))
    {
        module
    } else {
        let mut copy = module.clone();
        apply_target(&mut copy, options.target, options.retarget)?;
        air_ir::verify(&copy).map_err(|source| AssembleError::RetargetedModuleInvalid {
            target: options.target.id,
            source,
        })?;
        retargeted = copy;
        &retargeted
    };
    let versions = target::module_versions(module, options.target);
    let entries = link::entry_points(module)?;
    if entries.is_empty() {
        return Err(LinkError::NoEntries.into());
    }
    let one = |entry: &link::EntryPoint| -> Result<NewFunction, AssembleError> {
        let name = module.function(entry.function).name.clone();
        let linked = link::link_entry(module, entry)?;
        link::verify_linked(&linked).map_err(|source| AssembleError::LinkedModuleInvalid {
            entry: name.clone(),
            source,
        })?;
        let bytes = encode(&linked).map_err(|e| AssembleError::Encode {
            entry: name.clone(),
            source: e.into(),
        })?;
        Ok(NewFunction {
            name,
            function_type: entry.kind.function_type(),
            versions,
            module: bytes,
        })
    };
    let threads = match options.threads {
        // One entry needs no thread count (and a library of one entry is
        // the latency-critical JIT case).
        _ if entries.len() == 1 => 1,
        0 => air_ir::available_threads(),
        n => n,
    }
    .min(entries.len());
    let results = parallel_map(&entries, threads, one);
    let mut builder = Builder::for_target(options.target);
    for result in results {
        builder.add_function(result?);
    }
    Ok(builder.write()?)
}

/// `items.iter().map(f)` on `threads` scoped threads, results in item
/// order. Items are handed out one at a time from a shared counter, so an
/// uneven mix of large and small entries still keeps every thread busy.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let states = vec![(); threads.max(1)];
    parallel_map_with(items, states, |_, item| f(item)).0
}

/// [`parallel_map`] with one worker per state in `states`: each worker
/// passes its own state to `f` for every item it takes. Returns the results
/// in item order and the states.
fn parallel_map_with<S: Send, T: Sync, R: Send>(
    items: &[T],
    mut states: Vec<S>,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> (Vec<R>, Vec<S>) {
    if states.len() <= 1 {
        let results = match states.first_mut() {
            Some(state) => items.iter().map(|item| f(state, item)).collect(),
            None => Vec::new(),
        };
        return (results, states);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let worker = |mut state: S| {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(&mut state, item)));
        }
        (done, state)
    };
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let first = states.remove(0);
    let mut states_out = Vec::with_capacity(states.len() + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = states
            .into_iter()
            .map(|state| scope.spawn(move || worker(state)))
            .collect();
        let (mut all, state) = worker(first);
        states_out.push(state);
        for h in handles {
            // A panic in `f` is a bug; carry it to the caller unchanged.
            let (done, state) = h.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            all.extend(done);
            states_out.push(state);
        }
        for (i, r) in all {
            slots[i] = Some(r);
        }
    });
    let results = slots
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect();
    (results, states_out)
}
