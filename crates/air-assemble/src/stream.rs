//! Text → library without holding every function body in memory: the
//! text route of [`crate::assemble`].
//!
//! The whole-module pipeline (parse, verify, link, encode) keeps the parsed
//! module alive until the last entry is encoded, and a parsed module takes
//! about four times the memory of its text. Here the text is parsed into a
//! skeleton first ([`air_ir::LazyModule`]: everything but the bodies),
//! which is checked once; then each worker thread owns a
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
use air_target::Target;
use metallib::write::NewFunction;

use crate::link::{self, EntryPoint};
use crate::{pool, EncodeFailure, Error, Library, Options, Route};

/// Why the lazy path stopped and left the input to the whole-module
/// pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// A syntax error outside the bodies.
    Skeleton,
    /// The target id names no target.
    UnknownTarget,
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

/// The default of [`Options::lazy_from_bytes`]: below this much text the
/// whole module is parsed at once, as the memory saved is small, and for a
/// one-entry shell the skeleton check and the fork cost about 8 % more
/// work than the whole-module pipeline (callgrind, `assemble_loop` on the
/// simple shell).
pub const LAZY_MIN_BYTES: usize = 256 * 1024;

/// Text → library, as parse, verify and the whole-module pipeline in a row
/// give it (same bytes, same errors), in less memory: from
/// [`Options::lazy_from_bytes`] of text on, at most one entry's bodies per
/// thread (and a bounded cache of helpers) are parsed at a time (see the
/// module docs). The target is picked once the module's triple is known.
pub(crate) fn assemble_text<E>(
    text: &str,
    file: &str,
    options: &Options<'_>,
    encode: &(impl Fn(&Module) -> Result<Vec<u8>, E> + Sync),
) -> Result<Library, Error>
where
    E: Into<EncodeFailure>,
{
    let parsed = TextModule::parse(text, file, options.lazy_from_bytes)?;
    let library = options
        .target
        .resolve(parsed.module().triple.as_deref())
        .and_then(|target| parsed.assemble(&target, options, encode));
    if options.leak_parsed_input {
        std::mem::forget(parsed);
    }
    library
}

/// A module read from text for [`TextModule::assemble`]: normally only its
/// skeleton (a checked module with every body left unparsed), or, when the
/// skeleton does not verify or the text is short, the whole module.
#[derive(Debug)]
struct TextModule<'a> {
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
    /// or the text is shorter than `lazy_min_bytes`, parses and verifies
    /// the whole module.
    ///
    /// # Errors
    /// A syntax error or a module that does not verify (bodies included:
    /// see [`Self::assemble`]).
    fn parse(text: &'a str, file: &'a str, lazy_min_bytes: usize) -> Result<Self, Error> {
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
    fn module(&self) -> &Module {
        match &self.state {
            State::Lazy(lazy) => lazy.skeleton(),
            State::Whole(m) => m,
        }
    }

    /// The library, as the whole-module pipeline builds it from the
    /// verified whole module.
    ///
    /// # Errors
    /// A body that does not parse or verify, or any error of the
    /// whole-module pipeline.
    fn assemble<E>(
        &self,
        target: &Target,
        options: &Options<'_>,
        encode: &(impl Fn(&Module) -> Result<Vec<u8>, E> + Sync),
    ) -> Result<Library, Error>
    where
        E: Into<EncodeFailure>,
    {
        match &self.state {
            State::Lazy(lazy) => match lazily(lazy, target, options.threads, encode) {
                Ok(library) => Ok(library),
                Err(why) => {
                    let module = whole(self.text, self.file)?;
                    crate::assemble_module(&module, target, options, encode, Route::FellBack(why))
                }
            },
            State::Whole(module) => {
                crate::assemble_module(module, target, options, encode, Route::WholeText)
            }
        }
    }
}

/// The whole-module pipeline's parse and verify.
fn whole(text: &str, file: &str) -> Result<Module, Error> {
    let (module, map) = air_ir::parse_with_source_map(text, file)?;
    match air_ir::verify(&module) {
        Ok(()) => Ok(module),
        Err(error) => Err(Error::Invalid {
            diagnostic: air_ir::render_verify_error(text, file, &module, &map, &error),
            error: Box::new(error),
        }),
    }
}

/// The lazy path alone, with air-bitcode as the encoder: the library, or
/// why the input needs the whole-module pipeline. Exposed for tests and
/// benchmarks; [`crate::assemble`] is the entry point.
#[doc(hidden)]
pub fn assemble_text_lazily(
    text: &str,
    file: &str,
    options: &Options<'_>,
) -> Result<Library, Fallback> {
    let lazy = LazyModule::new(text, file).map_err(|_| Fallback::Skeleton)?;
    if air_ir::verify(lazy.skeleton()).is_err() {
        return Err(Fallback::SkeletonInvalid);
    }
    let target = options
        .target
        .resolve(lazy.skeleton().triple.as_deref())
        .map_err(|_| Fallback::UnknownTarget)?;
    let write = air_bitcode::WriteOptions {
        flavour: options.flavour,
        input_path: file.to_string(),
        producer: options.producer.map(str::to_string),
    };
    lazily(&lazy, &target, options.threads, &|m: &Module| {
        air_bitcode::write_module(m, &write)
    })
}

/// The lazy path on a checked skeleton.
fn lazily<E>(
    lazy: &LazyModule<'_>,
    target: &Target,
    threads: usize,
    encode: &(impl Fn(&Module) -> Result<Vec<u8>, E> + Sync),
) -> Result<Library, Fallback>
where
    E: Into<EncodeFailure>,
{
    let skeleton = lazy.skeleton();
    if !skeleton
        .triple
        .as_deref()
        .is_some_and(|t| target.matches_triple(t))
    {
        return Err(Fallback::Retarget);
    }
    let entries = link::entry_points(skeleton).map_err(|_| Fallback::Entries)?;
    if entries.is_empty() {
        return Err(Fallback::Entries);
    }
    let versions = crate::target::module_versions(skeleton, target);
    let threads = pool::thread_count(threads, entries.len());
    let workers: Vec<Worker<'_>> = (0..threads).map(|_| Worker::new(lazy)).collect();

    // Once one entry fails the whole pipeline takes over, so the other
    // workers stop instead of finishing a large library for nothing.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let (results, workers) = pool::parallel_map_with(&entries, workers, |w, entry| {
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
        let (results, _) = pool::parallel_map_with(&rest, workers, |w, f| w.check_only(*f));
        results.into_iter().collect::<Result<(), Fallback>>()?;
    }

    let kinds = entries.iter().map(|e| e.kind);
    let (bytes, entries) =
        crate::container(target, functions, kinds).map_err(|_| Fallback::Container)?;
    Ok(Library {
        bytes,
        target: *target,
        entries,
        route: Route::EntryByEntry,
        missing_metadata: crate::missing_compiler_metadata(skeleton),
    })
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
