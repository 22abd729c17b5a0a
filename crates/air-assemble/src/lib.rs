//! AIR → `.metallib`: the one pipeline from AIR text (or an already parsed
//! module) to library bytes that `airlink assemble`, `airlink shell`,
//! air-metal's runtime and the benchmarks all run.
//!
//! [`assemble`] does, in order:
//!
//! 1. text only: parse and verify ([`air_ir`]), from
//!    [`Options::lazy_from_bytes`] of text on entry by entry (see
//!    [`stream`]: same bytes and errors, a fraction of the memory);
//! 2. pick the target ([`TargetChoice`]) and check the module's triple
//!    against it, or rewrite the triple and version metadata
//!    ([`target::apply_target`], [`Options::retarget`]);
//! 3. Apple's per-entry link step ([`link`]): one stand-alone module per
//!    entry function, each checked again;
//! 4. encode each entry's module with air-bitcode's
//!    [`air_bitcode::write_module`] ([`Options::flavour`]);
//! 5. lay the modules out in a container ([`metallib::Builder`]).
//!
//! Steps 3 and 4 run per entry on up to [`Options::threads`] threads; the
//! bytes never depend on how many.
//!
//! ```
//! use air_assemble::{assemble, Input, Options};
//!
//! let text = r#"
//! target triple = "air64_v28-apple-macosx26.0.0"
//!
//! define void @k(float addrspace(1)* %p) {
//! entry:
//!   store float 1.000000e+00, float addrspace(1)* %p, align 4
//!   ret void
//! }
//!
//! !air.kernel = !{!0}
//! !0 = !{void (float addrspace(1)*)* @k, !1, !1}
//! !1 = !{}
//! "#;
//! let library = assemble(Input::Text { text, path: "k.ll" }, &Options::default()).unwrap();
//! assert_eq!(library.target.id, "macos26"); // the target the triple names
//! assert_eq!(library.entries[0].name, "k");
//!
//! let file = metallib::MetallibFile::parse(&library.bytes).unwrap();
//! assert_eq!(file.functions()[0].name, "k");
//! assert!(file.hashes_ok());
//! ```
//!
//! The container itself (layout, reading, the annotated dump) is the
//! `metallib` crate's; this crate adds what turns IR into its entries.

#![deny(missing_docs)]

pub mod compiler_metadata;
pub mod error;
pub mod link;
mod pool;
pub mod stream;
pub mod target;

pub use compiler_metadata::{missing_compiler_metadata, missing_metadata_warning};
pub use error::{EncodeFailure, Error};
pub use link::EntryKind;
pub use stream::{Fallback, LAZY_MIN_BYTES};

use air_ir::Module;
use air_target::Target;
use metallib::write::{Builder, NewFunction};

/// What to assemble.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// AIR text (LLVM 14 typed-pointer IR). `path` names it in messages
    /// (`path:line:col`) and is the encoder's input path, which LLVM 14
    /// records as the source file name of a module without one.
    Text {
        /// The text.
        text: &'a str,
        /// Where it came from (`<stdin>` for standard input).
        path: &'a str,
    },
    /// A module that passed [`air_ir::verify()`]; `path` as for text.
    Module {
        /// The module.
        module: &'a Module,
        /// Where it came from, or a name for it.
        path: &'a str,
    },
}

impl Input<'_> {
    /// The input's path.
    pub fn path(&self) -> &str {
        match self {
            Input::Text { path, .. } | Input::Module { path, .. } => path,
        }
    }
}

/// Which target the library is for.
#[derive(Clone, Copy, Debug, Default)]
pub enum TargetChoice<'a> {
    /// The target whose triple the module has, else
    /// [`air_target::DEFAULT_TARGET`].
    #[default]
    FromModule,
    /// This target.
    Target(&'a Target),
    /// The target with this id ([`Target::by_id`]); an unknown id is
    /// [`Error::UnknownTarget`], reported once the input has been read.
    Id(&'a str),
}

impl TargetChoice<'_> {
    /// The target for a module whose triple is `triple`.
    ///
    /// # Errors
    /// [`Error::UnknownTarget`] for an [`TargetChoice::Id`] that names no
    /// target.
    pub fn resolve(&self, triple: Option<&str>) -> Result<Target, Error> {
        match *self {
            TargetChoice::Target(target) => Ok(*target),
            TargetChoice::Id(id) => Target::by_id(id)
                .copied()
                .ok_or_else(|| Error::UnknownTarget { id: id.to_string() }),
            TargetChoice::FromModule => {
                let matching =
                    triple.and_then(|t| air_target::TARGETS.iter().find(|x| x.matches_triple(t)));
                Ok(*matching.unwrap_or_else(|| {
                    Target::by_id(air_target::DEFAULT_TARGET).expect("the default target exists")
                }))
            }
        }
    }
}

/// Options of [`assemble`]. [`Options::default`]: the target the module's
/// triple names, no retargeting, the Apple flavour, all cores.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// The target.
    pub target: TargetChoice<'a>,
    /// Rewrite a mismatching triple and version metadata instead of failing.
    pub retarget: bool,
    /// The bitcode flavour of the entries' modules.
    pub flavour: air_bitcode::Flavour,
    /// irsymtab producer of the Apple flavour; when given it wins over the
    /// `metalfe-X` version of `!llvm.ident` (see
    /// [`air_bitcode::WriteOptions::producer`]).
    pub producer: Option<&'a str>,
    /// Worker threads for the per-entry work (link step, check, encoding);
    /// 0 picks the machine's parallelism. A library of one entry never
    /// starts a thread. The output does not depend on this number.
    pub threads: usize,
    /// From this many bytes of text on, function bodies are parsed entry by
    /// entry ([`stream`]); below it the whole module is parsed at once.
    /// The result is the same either way. Default [`LAZY_MIN_BYTES`].
    pub lazy_from_bytes: usize,
    /// Leave the parsed text to the process's exit instead of freeing it
    /// (clang's `-disable-free`): for a command that exits right after
    /// writing the library, where freeing a large module's many small
    /// allocations one by one costs more than writing the library. A
    /// process that goes on must leave this `false`, or every call leaks
    /// its input's parse.
    pub leak_parsed_input: bool,
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            target: TargetChoice::FromModule,
            retarget: false,
            flavour: air_bitcode::Flavour::Apple,
            producer: None,
            threads: 0,
            lazy_from_bytes: LAZY_MIN_BYTES,
            leak_parsed_input: false,
        }
    }
}

impl<'a> Options<'a> {
    /// The default options for `target`.
    pub fn for_target(target: &'a Target) -> Self {
        Options {
            target: TargetChoice::Target(target),
            ..Options::default()
        }
    }
}

/// An entry function of a library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its name (the container's `NAME`).
    pub name: String,
    /// Its kind (the container's `TYPE`).
    pub kind: EntryKind,
}

/// How the input was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// A parsed module was given ([`Input::Module`]).
    Module,
    /// The text was parsed and verified whole before the link step: it is
    /// shorter than [`Options::lazy_from_bytes`], or what lies outside its
    /// function bodies does not verify.
    WholeText,
    /// The function bodies were parsed entry by entry.
    EntryByEntry,
    /// The entry-by-entry path started (bodies unparsed) and gave up, for
    /// the reason given; the whole-module pipeline built the library.
    FellBack(Fallback),
}

/// What [`assemble`] gives.
#[derive(Clone, Debug)]
pub struct Library {
    /// The `.metallib` bytes.
    pub bytes: Vec<u8>,
    /// The target they are for.
    pub target: Target,
    /// The entry functions, in container order.
    pub entries: Vec<Entry>,
    /// How the input was read.
    pub route: Route,
    /// What the input module lacks of the metadata Apple's compiler always
    /// writes ([`missing_compiler_metadata`]); the library is built either
    /// way, `airlink assemble` warns.
    pub missing_metadata: Vec<&'static str>,
}

/// Builds a `.metallib` from AIR text or a verified module: parse and
/// verify (text), target check or retarget, link step per entry, air-bitcode
/// per entry's module, container.
///
/// Entries are linked, checked and encoded independently, on up to
/// [`Options::threads`] threads; each linked module is dropped as soon as
/// it is encoded, so at most one per thread is alive. The entries' bytes go
/// into the container in entry order and, when several entries fail, the
/// error reported is the first entry's in that order, so the result never
/// depends on scheduling.
///
/// # Errors
/// See [`Error`].
pub fn assemble(input: Input<'_>, options: &Options<'_>) -> Result<Library, Error> {
    let write = air_bitcode::WriteOptions {
        flavour: options.flavour,
        input_path: input.path().to_string(),
        producer: options.producer.map(str::to_string),
    };
    assemble_with_encoder(input, options, |m| air_bitcode::write_module(m, &write))
}

/// [`assemble`] with a caller's encoder in place of air-bitcode's
/// ([`Options::flavour`] and [`Options::producer`] are then unused):
/// `encode` turns a linked module into its module entry, that is Darwin
/// wrapper, bitcode and zero padding to 16 bytes. For tests that encode
/// with LLVM 14 itself as an independent oracle, or that make an entry
/// fail on purpose.
///
/// # Errors
/// See [`Error`]; an encoder failure is [`Error::Encode`].
pub fn assemble_with_encoder<E>(
    input: Input<'_>,
    options: &Options<'_>,
    encode: impl Fn(&Module) -> Result<Vec<u8>, E> + Sync,
) -> Result<Library, Error>
where
    E: Into<EncodeFailure>,
{
    match input {
        Input::Text { text, path } => stream::assemble_text(text, path, options, &encode),
        Input::Module { module, .. } => {
            let target = options.target.resolve(module.triple.as_deref())?;
            assemble_module(module, &target, options, &encode, Route::Module)
        }
    }
}

/// The whole-module pipeline on a verified module: target check (or
/// retarget), then link, check and encode per entry, then the container.
fn assemble_module<E>(
    module: &Module,
    target: &Target,
    options: &Options<'_>,
    encode: &(impl Fn(&Module) -> Result<Vec<u8>, E> + Sync),
    route: Route,
) -> Result<Library, Error>
where
    E: Into<EncodeFailure>,
{
    // Only a module that must be retargeted is copied.
    let retargeted;
    let module = if module
        .triple
        .as_deref()
        .is_some_and(|t| target.matches_triple(t))
    {
        module
    } else {
        let mut copy = module.clone();
        target::apply_target(&mut copy, target, options.retarget)?;
        air_ir::verify(&copy).map_err(|source| Error::RetargetedModuleInvalid {
            target: target.id,
            source: Box::new(source),
        })?;
        retargeted = copy;
        &retargeted
    };
    let versions = target::module_versions(module, target);
    let entries = link::entry_points(module)?;
    if entries.is_empty() {
        return Err(link::LinkError::NoEntries.into());
    }
    let one = |entry: &link::EntryPoint| -> Result<NewFunction, Error> {
        let name = module.function(entry.function).name.clone();
        let linked = link::link_entry(module, entry)?;
        link::verify_linked(&linked).map_err(|source| Error::LinkedModuleInvalid {
            entry: name.clone(),
            source: Box::new(source),
        })?;
        let bytes = encode(&linked).map_err(|e| Error::Encode {
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
    let threads = pool::thread_count(options.threads, entries.len());
    let mut functions = Vec::with_capacity(entries.len());
    for result in pool::parallel_map(&entries, threads, one) {
        functions.push(result?);
    }
    let kinds = entries.iter().map(|e| e.kind);
    let (bytes, entries) = container(target, functions, kinds)?;
    Ok(Library {
        bytes,
        target: *target,
        entries,
        route,
        missing_metadata: missing_compiler_metadata(module),
    })
}

/// Lays the entries' modules out in a container, in the order given, and
/// lists the entries.
fn container(
    target: &Target,
    functions: Vec<NewFunction>,
    kinds: impl Iterator<Item = EntryKind>,
) -> Result<(Vec<u8>, Vec<Entry>), metallib::WriteError> {
    let mut builder = Builder::for_target(target);
    let mut entries = Vec::with_capacity(functions.len());
    for (f, kind) in functions.into_iter().zip(kinds) {
        entries.push(Entry {
            name: f.name.clone(),
            kind,
        });
        builder.add_function(f);
    }
    Ok((builder.write()?, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_defaults_follow_the_triple() {
        let from_module = TargetChoice::FromModule;
        assert_eq!(
            from_module
                .resolve(Some("air64_v27-apple-macosx15.0.0"))
                .unwrap()
                .id,
            "macos15"
        );
        assert_eq!(
            from_module
                .resolve(Some("x86_64-unknown-linux"))
                .unwrap()
                .id,
            "macos26"
        );
        assert_eq!(from_module.resolve(None).unwrap().id, "macos26");
        assert_eq!(TargetChoice::Id("ios18").resolve(None).unwrap().id, "ios18");
        let err = TargetChoice::Id("macos9").resolve(None).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unknown target \"macos9\"; known targets: macos14"),
            "{err}"
        );
    }
}
