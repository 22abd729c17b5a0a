//! Arbitrary bytes as UTF-8 text through the text → library pipelines of
//! `airlink assemble`, differentially: the whole-module one (parse,
//! verify, `air_assemble::assemble` on the module) against
//! `air_assemble::assemble` on the text (which picks a path by size) and
//! the same with the lazy path taken at any size (`lazy_from_bytes: 0`). Both must give the whole pipeline's library, or fail
//! at the same stage with the same error (a parse error whole, a verify
//! error whole and as the assembler renders it against the whole
//! pipeline's rendering from its module and source map, an assemble error
//! as displayed). The lazy path alone
//! (`assemble_text_lazily`) must never give a library the whole pipeline
//! does not give. The target is the one the text's triple names, as
//! `airlink assemble` picks it, so that the lazy path is not turned away
//! for retargeting; the thread count (1 to 3) comes from the input's
//! length, so the per-thread forks are exercised too.

use air_assemble::{Input, Library, Options, TargetChoice};

/// A pipeline's result: the library, or the failing stage and its error.
#[derive(Debug, PartialEq)]
enum Outcome {
    Library(Vec<u8>),
    Parse(air_ir::ParseError),
    Invalid(air_ir::VerifyError, String),
    Assemble(String),
}

fn whole(text: &str, options: &Options) -> Outcome {
    let (module, map) = match air_ir::parse_with_source_map(text, "fuzz.ll") {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::Parse(e),
    };
    if let Err(e) = air_ir::verify(&module) {
        let shown = air_ir::render_verify_error(text, "fuzz.ll", &module, &map, &e);
        return Outcome::Invalid(e, shown);
    }
    let input = Input::Module {
        module: &module,
        path: "fuzz.ll",
    };
    match air_assemble::assemble(input, options) {
        Ok(library) => Outcome::Library(library.bytes),
        Err(e) => Outcome::Assemble(e.to_string()),
    }
}

fn from_text(result: Result<Library, air_assemble::Error>) -> Outcome {
    match result {
        Ok(library) => Outcome::Library(library.bytes),
        Err(air_assemble::Error::Parse(e)) => Outcome::Parse(e),
        Err(air_assemble::Error::Invalid { error, diagnostic }) => {
            Outcome::Invalid(*error, diagnostic)
        }
        Err(air_assemble::Error::UnknownTarget { id }) => {
            panic!("the target is given, yet {id:?} is unknown")
        }
        Err(e) => Outcome::Assemble(e.to_string()),
    }
}

/// The target whose triple the text names (the first `target triple`
/// line), else macOS 26.
pub fn target_of(text: &str) -> &'static air_target::Target {
    let triple = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("target triple = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or("");
    air_target::TARGETS
        .iter()
        .find(|t| t.matches_triple(triple))
        .unwrap_or_else(|| air_target::Target::by_id("macos26").expect("a known target"))
}

/// Short form of an outcome for assertion messages (libraries are long).
fn brief(o: &Outcome) -> String {
    match o {
        Outcome::Library(b) => format!("a library of {} bytes", b.len()),
        other => format!("{other:?}"),
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = Options {
        target: TargetChoice::Target(target_of(text)),
        retarget: true,
        threads: 1 + data.len() % 3,
        ..Options::default()
    };
    let whole = whole(text, &options);
    let input = Input::Text {
        text,
        path: "fuzz.ll",
    };
    let forced_options = Options {
        lazy_from_bytes: 0,
        ..options
    };
    let forced = from_text(air_assemble::assemble(input, &forced_options));
    assert!(
        forced == whole,
        "assemble on text, lazy at any size, gives {}, the whole pipeline {}",
        brief(&forced),
        brief(&whole)
    );
    let public = from_text(air_assemble::assemble(input, &options));
    assert!(
        public == whole,
        "assemble on text gives {}, the whole pipeline {}",
        brief(&public),
        brief(&whole)
    );
    if let Ok(library) = air_assemble::stream::assemble_text_lazily(text, "fuzz.ll", &options) {
        assert!(
            whole == Outcome::Library(library.bytes),
            "the lazy path gave a library where the whole pipeline gives {}",
            brief(&whole)
        );
    }
}
