//! The `lazy_assemble` target: arbitrary bytes as UTF-8 text through the text
//! → library pipelines of `airlink assemble`, differentially: the
//! whole-module one (parse, verify, `metallib::assemble`) against
//! `metallib::assemble_text` (which picks a path by size) and
//! `metallib::TextModule` with the lazy path taken at any size. Both must
//! give the whole pipeline's library, or fail at the same stage with the same
//! error (a parse error whole, a verify error whole and as rendered from the
//! module and source map that come with it, an assemble error as displayed).
//! The lazy path alone (`assemble_text_lazily`) must never give a library the
//! whole pipeline does not give. The target is the one the text's triple
//! names, as `airlink assemble` picks it, so that the lazy path is not turned
//! away for retargeting; the thread count (1 to 3) comes from the input's
//! length, so the per-thread forks are exercised too.

use metallib::AssembleOptions;

fn encode(m: &air_ir::Module) -> Result<Vec<u8>, air_bitcode::EncodeError> {
    let options = air_bitcode::WriteOptions {
        flavour: air_bitcode::Flavour::Apple,
        input_path: "fuzz.ll".to_string(),
        producer: None,
    };
    air_bitcode::write_module(m, &options)
}

/// A pipeline's result: the library, or the failing stage and its error.
#[derive(Debug, PartialEq)]
enum Outcome {
    Library(Vec<u8>),
    Parse(air_ir::ParseError),
    Invalid(air_ir::VerifyError, String),
    Assemble(String),
}

fn whole(text: &str, options: &AssembleOptions) -> Outcome {
    let (module, map) = match air_ir::parse_with_source_map(text, "fuzz.ll") {
        Ok(parsed) => parsed,
        Err(e) => return Outcome::Parse(e),
    };
    if let Err(e) = air_ir::verify(&module) {
        let shown = air_ir::render_verify_error(text, "fuzz.ll", &module, &map, &e);
        return Outcome::Invalid(e, shown);
    }
    match metallib::assemble(&module, options, encode) {
        Ok(bytes) => Outcome::Library(bytes),
        Err(e) => Outcome::Assemble(e.to_string()),
    }
}

fn from_text(text: &str, result: Result<Vec<u8>, metallib::TextError>) -> Outcome {
    match result {
        Ok(bytes) => Outcome::Library(bytes),
        Err(metallib::TextError::Parse(e)) => Outcome::Parse(e),
        Err(metallib::TextError::Invalid { module, map, error }) => {
            let shown = air_ir::render_verify_error(text, "fuzz.ll", &module, &map, &error);
            Outcome::Invalid(error, shown)
        }
        Err(metallib::TextError::Assemble(e)) => Outcome::Assemble(e.to_string()),
        Err(other) => panic!("a TextError the whole pipeline never gives: {other}"),
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
    let options = AssembleOptions {
        target: target_of(text),
        retarget: true,
        threads: 1 + data.len() % 3,
    };
    let whole = whole(text, &options);
    let forced = from_text(
        text,
        metallib::TextModule::parse_tuned(text, "fuzz.ll", 0)
            .and_then(|t| t.assemble(&options, encode)),
    );
    assert!(
        forced == whole,
        "TextModule (lazy at any size) gives {}, the whole pipeline {}",
        brief(&forced),
        brief(&whole)
    );
    let public = from_text(
        text,
        metallib::assemble_text(text, "fuzz.ll", &options, encode),
    );
    assert!(
        public == whole,
        "assemble_text gives {}, the whole pipeline {}",
        brief(&public),
        brief(&whole)
    );
    if let Ok(bytes) = metallib::stream::assemble_text_lazily(text, "fuzz.ll", &options, encode) {
        assert!(
            whole == Outcome::Library(bytes),
            "the lazy path gave a library where the whole pipeline gives {}",
            brief(&whole)
        );
    }
}
