//! The limits of the command line, each turning an absurd or hostile input
//! into an error before memory or the stack runs out (ROBUSTNESS.md lists
//! every limit of the workspace).

/// The largest input file any subcommand reads (AIR text, bitcode, a
/// `.metallib`, a `--link` module, standard input): 1 GiB, checked before
/// reading a regular file and while reading a device or pipe. Beyond it
/// the in-memory module (about 15× the text) would not fit a typical
/// machine; the IR parser's own hard limit is 4 GiB.
pub const MAX_INPUT_BYTES: u64 = 1 << 30;

/// The longest value of an expression option (`run --buffer`, `--expect`):
/// 64 KiB. A list of values (`[1, 2, ...]`) of a few thousand numbers
/// fits; the shell's own limit on one argument (128 KiB on Linux) would
/// allow little more.
pub const MAX_ARGUMENT_BYTES: usize = 64 << 10;

/// How deep a `run --buffer`/`--expect` expression may nest parentheses,
/// unary minuses and function arguments: 64, as a spec's offset expressions
/// (`air_shell::limits::MAX_EXPR_DEPTH`). The parser is recursive descent;
/// real expressions nest two or three deep.
pub const MAX_EXPR_DEPTH: u32 = 64;

/// How many operators and calls a `run --buffer`/`--expect` expression may
/// have: 1024. A chain such as `1+1+…` builds a tree as deep as it is long,
/// which evaluation recurses through; far beyond any expression a person
/// writes, far below what the stack holds.
pub const MAX_EXPR_OPERATORS: u32 = 1024;
