//! Text → library without holding every function body in memory:
//! [`assemble_text`].
//!
//! The whole-module pipeline (parse, verify, [`crate::assemble`]) keeps the
//! parsed module alive until the last entry is encoded, and a parsed module
//! takes about four times the memory of its text. Here the text is parsed
//! into a skeleton first ([`air_ir::LazyModule`]: everything but the
//! bodies), which is checked once; then each worker thread owns a
//! [`air_ir::BodyFork`] and, entry by entry, parses the entry's body and
//! those of the functions it reaches, checks them, links (the entry's body
//! moves into the linked module rather than being copied), checks and
//! encodes the entry's module, and drops it. Helpers' bodies stay parsed
//! for the worker's later entries, up to 1 MiB of their text. Bodies no
//! entry reaches are parsed and checked at the end, so every body of the
//! input is checked exactly as the whole-module verifier would.
//!
//! Anything unexpected (any error, a module that needs retargeting)
//! abandons this path and runs the whole-module pipeline, so results and
//! diagnostics are always that pipeline's; the lazy path only changes how
//! much memory and time a valid input takes. The container bytes are the
//! same because the link step copies what it keeps into a fresh module in
//! its own walk order, whatever order the source tables were filled in
//! (crates/airlink/tests/stream.rs compares both pipelines byte for byte).

use air_ir::{BodyFork, FuncId, LazyModule, Module};

use crate::link::{self, EntryPoint};
use crate::write::{Builder, NewFunction};
use crate::{AssembleError, AssembleOptions, EncodeFailure};

/// Why [`assemble_text`] failed: what the whole-module pipeline reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The text does not parse.
    #[error(transparent)]
    Parse(#[from] air_ir::ParseError),
    /// The module does not verify. The module and its source map come
    /// along so that the caller can render the error at its line.
    #[error("{error}")]
    Invalid {
        /// The parsed module.
        module: Box<Module>,
        /// Where its items start in the text.
        map: Box<air_ir::SourceMap>,
        /// The first problem.
        error: air_ir::VerifyError,
    },
    /// The module verifies but cannot be assembled.
    #[error(transparent)]
    Assemble(#[from] AssembleError),
}

/// Why the lazy path of [`assemble_text`] stopped and left the input to the
/// whole-module pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// A syntax error outside the bodies.
    Skeleton,
    /// The triple is not the target's: retargeting rewrites the module.
    Retarget,
    /// The skeleton does not verify.
    SkeletonInvalid,
    /// The entry lists are malformed or empty.
    Entries,
    /// A body does not parse.
    Body,
    /// A body does not verify.
    BodyInvalid,
    /// The link step, the check of a linked module or the encoder failed.
    Entry,
    /// The container could not be written.
    Container,
    /// Another entry failed first.
    Abandoned,
}

/// Below this much text [`TextModule`] parses the whole module at once:
/// the memory saved is small, and for a one-entry shell the skeleton check
/// and the fork cost about 8 % more work than the whole-module pipeline
/// (callgrind, `assemble_loop` on the simple shell).
pub const LAZY_MIN_BYTES: usize = 256 * 1024;

/// Text → `.metallib` bytes, as `parse`, `verify` and [`crate::assemble`]
/// in a row give them (same bytes, same errors), in less memory: from
/// [`LAZY_MIN_BYTES`] of text on, at most one entry's bodies per thread
/// (and a bounded cache of helpers) are parsed at a time (see the module docs). [`TextModule`] does the same in two steps, for callers that look
/// at the module (its triple) before choosing the options.
///
/// # Errors
/// See [`TextError`].
pub fn assemble_text<E>(
    text: &str,
    file: &str,
    options: &AssembleOptions<'_>,
    encode: impl Fn(&Module) -> Result<Vec<u8>, E> + Sync,
) -> Result<Vec<u8>, TextError>
where
    E: Into<EncodeFailure>,
{
    TextModule::parse(text, file)?.assemble(options, encode)
}

/// A module read from text for [`TextModule::assemble`]: normally only its
/// skeleton (a checked module with every body left unparsed), or, when the
/// skeleton does not verify, the whole module.
#[derive(Debug)]
pub struct TextModule<'a> {
    text: &'a str,
    file: &'a str,
    state: State<'a>,
}

#[derive(Debug)]
enum State<'a> {
    Lazy(Box<LazyModule<'a>>),
    Whole(Box<Module>),
}

impl<'a> TextModule<'a> {
    /// Parses and checks everything but the function bodies; if that fails,
    /// or the text is shorter than [`LAZY_MIN_BYTES`], parses and verifies
    /// the whole module.
    ///
    /// # Errors
    /// A syntax error or a module that does not verify (bodies included:
    /// see [`Self::assemble`]).
    pub fn parse(text: &'a str, file: &'a str) -> Result<Self, TextError> {
        Self::parse_tuned(text, file, LAZY_MIN_BYTES)
    }

    /// [`Self::parse`] with the size from which the lazy path is taken (for
    /// tests of the lazy path on small inputs).
    #[doc(hidden)]
    pub fn parse_tuned(
        text: &'a str,
        file: &'a str,
        lazy_min_bytes: usize,
    ) -> Result<Self, TextError> {
        if text.len() < lazy_min_bytes {
            let module = whole(text, file)?;
            return Ok(TextModule {
                text,
                file,
                state: State::Whole(Box::new(module)),
            });
        }
        if let Ok(lazy) = LazyModule::new(text, file) {
            if air_ir::verify(lazy.skeleton()).is_ok() {
                return Ok(TextModule {
                    text,
                    file,
                    state: State::Lazy(Box::new(lazy)),
                });
            }
        }
        let module = whole(text, file)?;
        Ok(TextModule {
            text,
            file,
            state: State::Whole(Box::new(module)),
        })
    }

    /// The module's header, globals, declarations and metadata (function
    /// bodies may be placeholders).
    pub fn module(&self) -> &Module {
        match &self.state {
            State::Lazy(lazy) => lazy.skeleton(),
            State::Whole(m) => m,
        }
    }

    /// The library, as [`crate::assemble`] builds it from the verified
    /// whole module.
    ///
    /// # Errors
    /// A body that does not parse or verify, or any [`AssembleError`].
    pub fn assemble<E>(
        &self,
        options: &AssembleOptions<'_>,
        encode: impl Fn(&Module) -> Result<Vec<u8>, E> + Sync,
    ) -> Result<Vec<u8>, TextError>
    where
        E: Into<EncodeFailure>,
    {
        match &self.state {
            State::Lazy(lazy) => match lazily(lazy, options, &encode) {
                Ok(bytes) => Ok(bytes),
                Err(_) => {
                    let module = whole(self.text, self.file)?;
                    Ok(crate::assemble(&module, options, encode)?)
                }
            },
            State::Whole(module) => Ok(crate::assemble(module, options, encode)?),
        }
    }
}

/// The whole-module pipeline's parse and verify.
fn whole(text: &str, file: &str) -> Result<Module, TextError> {
    let (module, map) = air_ir::parse_with_source_map(text, file)?;
    match air_ir::verify(&module) {
        Ok(()) => Ok(module),
        Err(error) => Err(TextError::Invalid {
            module: Box::new(module),
            map: Box::new(map),
            error,
        }),
    }
}

/// The lazy path of [`assemble_text`] alone: the library, or why the input
/// needs the whole-module pipeline. Exposed for tests and benchmarks.
#[doc(hidden)]
pub fn assemble_text_lazily<E>(
    text: &str,
    file: &str,
    options: &AssembleOptions<'_>,
    encode: impl Fn(&Module) -> Result<Vec<u8>, E> + Sync,
) -> Result<Vec<u8>, Fallback>
where
    E: Into<EncodeFailure>,
{
    let lazy = LazyModule::new(text, file).map_err(|_| Fallback::Skeleton)?;
    if air_ir::verify(lazy.skeleton()).is_err() {
        return Err(Fallback::SkeletonInvalid);
    }
    lazily(&lazy, options, &encode)
}

/// The lazy path on a checked skeleton.
fn lazily<E>(
    lazy: &LazyModule<'_>,
    options: &AssembleOptions<'_>,
    encode: &(impl Fn(&Module) -> Result<Vec<u8>, E> + Sync),
) -> Result<Vec<u8>, Fallback>
where
    E: Into<EncodeFailure>,
{
    let skeleton = lazy.skeleton();
    if !skeleton
        .triple
        .as_deref()
        .is_some_and(|t| options.target.matches_triple(t))
    {
        return Err(Fallback::Retarget);
    }
    let entries = link::entry_points(skeleton).map_err(|_| Fallback::Entries)?;
    if entries.is_empty() {
        return Err(Fallback::Entries);
    }
    let versions = crate::target::module_versions(skeleton, options.target);
    let threads = match options.threads {
        _ if entries.len() == 1 => 1,
        0 => air_ir::available_threads(),
        n => n,
    }
    .min(entries.len());
    let workers: Vec<Worker<'_>> = (0..threads).map(|_| Worker::new(lazy)).collect();

    // Once one entry fails the whole pipeline takes over, so the other
    // workers stop instead of finishing a large library for nothing.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let (results, workers) = crate::parallel_map_with(&entries, workers, |w, entry| {
        if failed.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(Fallback::Abandoned);
        }
        let bytes = w.entry(entry, encode).inspect_err(|_| {
            failed.store(true, std::sync::atomic::Ordering::Relaxed);
        })?;
        Ok(NewFunction {
            name: w.fork.module().function(entry.function).name.clone(),
            function_type: entry.kind.function_type(),
            versions,
            module: bytes,
        })
    });
    let mut functions = Vec::with_capacity(results.len());
    for r in results {
        functions.push(r?);
    }

    // Bodies no entry reaches are still checked, as the whole-module
    // verifier checks them.
    let mut checked = vec![false; skeleton.functions.len()];
    for w in &workers {
        for (c, done) in checked.iter_mut().zip(&w.checked) {
            *c |= *done;
        }
    }
    drop(workers);
    let rest: Vec<FuncId> = (0..skeleton.functions.len() as u32)
        .map(FuncId)
        .filter(|f| lazy.is_lazy(*f) && !checked[f.0 as usize])
        .collect();
    if !rest.is_empty() {
        let threads = threads.min(rest.len());
        let workers: Vec<Worker<'_>> = (0..threads).map(|_| Worker::new(lazy)).collect();
        let (results, _) = crate::parallel_map_with(&rest, workers, |w, f| w.check_only(*f));
        results.into_iter().collect::<Result<(), Fallback>>()?;
    }

    let mut builder = Builder::for_target(options.target);
    for f in functions {
        builder.add_function(f);
    }
    builder.write().map_err(|_| Fallback::Container)
}

/// One thread's fork and what it has checked.
struct Worker<'a> {
    fork: BodyFork<'a>,
    /// Per function: its body was parsed and checked by this worker.
    checked: Vec<bool>,
    /// Functions parsed and not yet checked.
    parsed_now: Vec<FuncId>,
    /// Helpers whose bodies stay parsed for later entries, and the length
    /// of their text.
    helpers: Vec<FuncId>,
    helper_bytes: usize,
}

/// Helper bodies a worker keeps parsed between entries, in bytes of text:
/// entries commonly share helpers, but keeping every helper ever parsed
/// would let a module of many large helpers fill memory again.
const HELPER_CACHE_BYTES: usize = 1 << 20;

impl<'a> Worker<'a> {
    fn new(lazy: &LazyModule<'a>) -> Self {
        Worker {
            checked: vec![false; lazy.skeleton().functions.len()],
            fork: lazy.fork(),
            parsed_now: Vec::new(),
            helpers: Vec::new(),
            helper_bytes: 0,
        }
    }

    /// Parses `f`'s body if it is not parsed yet.
    fn parse(&mut self, f: FuncId) -> Result<(), Fallback> {
        if self.fork.parse(f).map_err(|_| Fallback::Body)? {
            self.parsed_now.push(f);
        }
        Ok(())
    }

    /// Checks the bodies parsed since the last check.
    fn check_parsed(&mut self) -> Result<(), Fallback> {
        if !self.fork.verify(&self.parsed_now).is_empty() {
            return Err(Fallback::BodyInvalid);
        }
        for f in self.parsed_now.drain(..) {
            if let Some(c) = self.checked.get_mut(f.0 as usize) {
                *c = true;
            }
        }
        Ok(())
    }

    /// Parses what `entry` reaches, checks it, links, checks and encodes
    /// the entry's module, then drops the entry's body. Helpers' bodies stay
    /// parsed for later entries of this worker, up to
    /// [`HELPER_CACHE_BYTES`] of their text.
    fn entry<E: Into<EncodeFailure>>(
        &mut self,
        entry: &EntryPoint,
        encode: &impl Fn(&Module) -> Result<Vec<u8>, E>,
    ) -> Result<Vec<u8>, Fallback> {
        self.parse(entry.function)?;
        // Each round parses the helpers the parsed bodies call; a
        // placeholder body calls nothing, so the walk ends once every
        // reached function is parsed, and that last walk is the link step's.
        let reached = loop {
            let reached =
                link::reached(self.fork.module(), entry.function).map_err(|_| Fallback::Entry)?;
            let missing: Vec<FuncId> = reached
                .functions
                .iter()
                .copied()
                .filter(|f| !self.fork.is_parsed(*f))
                .collect();
            if missing.is_empty() {
                break reached;
            }
            for f in missing {
                self.parse(f)?;
            }
        };
        self.check_parsed()?;
        let helpers = reached.functions[1..].to_vec();
        // The entry's body is dropped after this entry anyway: hand it to
        // the link step instead of copying it.
        let owned: Vec<(FuncId, air_ir::Function)> = self
            .fork
            .take_function(entry.function)
            .map(|f| (entry.function, f))
            .into_iter()
            .collect();
        let linked = link::link_reached(self.fork.module(), entry, reached, owned)
            .map_err(|_| Fallback::Entry)?;
        link::verify_linked(&linked).map_err(|_| Fallback::Entry)?;
        let bytes = encode(&linked).map_err(|_| Fallback::Entry)?;
        drop(linked);
        for &f in &helpers {
            let len = self.fork.body_len(f);
            if len > 0 && self.fork.is_parsed(f) && !self.helpers.contains(&f) {
                self.helpers.push(f);
                self.helper_bytes += len;
            }
        }
        if self.helper_bytes > HELPER_CACHE_BYTES {
            for f in self.helpers.drain(..) {
                self.fork.drop_body(f);
            }
            self.helper_bytes = 0;
        }
        Ok(bytes)
    }

    /// Parses and checks `f`'s body, then drops it.
    fn check_only(&mut self, f: FuncId) -> Result<(), Fallback> {
        self.parse(f)?;
        self.check_parsed()?;
        self.fork.drop_body(f);
        Ok(())
    }
}
