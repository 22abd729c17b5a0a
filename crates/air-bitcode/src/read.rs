//! The LLVM 14 bitcode reader: AIR bitcode (raw or in the Darwin wrapper)
//! back into the IR model.
//!
//! It is the inverse of [`crate::write_module`] and reads what Apple's
//! Metal toolchain writes: IDENTIFICATION, the MODULE block (VERSION 1 with
//! names in the module value symbol table, or VERSION 2 with names in
//! STRTAB), BLOCKINFO abbreviations, the type table (named, opaque and
//! forward-referenced structs), attribute groups and lists, globals,
//! functions, constants (constant expressions included), metadata (the
//! STRINGS bulk record, values, tuples, named metadata, kinds, attachments),
//! sync scopes and function bodies with relative, forward-referenced operand
//! ids, plus the function-local value names. SYMTAB, USELIST and the
//! metadata index are skipped: they only repeat or reorder what the rest
//! says.
//!
//! The reader is written for hostile input: it never panics, every count is
//! checked against the bits left before it drives an allocation, recursion
//! is bounded, and an error names the bit offset, the block and the record:
//!
//! ```text
//! bit 1234 in FUNCTION_BLOCK record INST_CALL: callee id 99 is out of range
//! ```
//!
//! ```
//! use air_bitcode::{read_module, write_module, Flavour, WriteOptions};
//!
//! let text = "define i32 @add1(i32 %x) {\nentry:\n  %y = add nsw i32 %x, 1\n  ret i32 %y\n}\n";
//! let mut module = air_ir::parse(text, "add1.ll").unwrap();
//! module.source_filename = Some("add1.ll".into());
//! let options = WriteOptions { flavour: Flavour::Llvm14, ..WriteOptions::default() };
//! let bytes = write_module(&module, &options).unwrap();
//! let back = read_module(&bytes).unwrap();
//! assert_eq!(back, module);
//! assert_eq!(air_ir::print(&back), air_ir::print(&module));
//! ```
//!
//! What the IR model cannot hold is an error rather than silently dropped:
//! debug-info metadata records and debug locations, operand bundles,
//! aliases and ifuncs, comdats, opaque pointers, `x86_fp80`-style types,
//! inline asm and block addresses.

mod constants;
mod function;
mod metadata;
mod module;

use std::fmt;

/// Why bitcode could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Where, in bits from the start of the input (wrapper included).
    pub bit_offset: u64,
    /// The block being read (`MODULE_BLOCK`, `FUNCTION_BLOCK`, ...), or
    /// `bitstream`/`wrapper` for container-level problems.
    pub block: &'static str,
    /// The record being read, if any, by the name `llvm-bcanalyzer-14`
    /// prints for it (`INST_CALL`, ...; `llvm_bitcode_schema`'s `name`).
    pub record: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl ReadError {
    pub(crate) fn new(
        bit_offset: u64,
        block: &'static str,
        record: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ReadError {
            bit_offset,
            block,
            record,
            message: message.into(),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bit {}", self.bit_offset)?;
        if !self.block.is_empty() {
            write!(f, " in {}", self.block)?;
        }
        if let Some(record) = &self.record {
            write!(f, " record {record}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ReadError {}

/// The Darwin bitcode wrapper's magic, little-endian `0x0B17C0DE`
/// ([`llvm_bitstream::wrapper::MAGIC`]).
pub const WRAPPER_MAGIC: [u8; 4] = llvm_bitstream::wrapper::MAGIC;
/// The raw bitcode magic, `BC` `0xC0DE`.
pub const BITCODE_MAGIC: [u8; 4] = [b'B', b'C', 0xC0, 0xDE];

/// Whether `bytes` start like bitcode: the raw `BC` magic or the Darwin
/// wrapper.
pub fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(&BITCODE_MAGIC) || bytes.starts_with(&WRAPPER_MAGIC)
}

/// Reads one module from LLVM 14 bitcode, raw (`BC`) or in the Darwin
/// wrapper (as `.metallib` module entries and `llvm-as-14` output for Apple
/// triples are).
///
/// Function-local value names (arguments, blocks, instructions) come back
/// from the function value symbol tables; values without one are numbered,
/// as in the text.
///
/// # Errors
/// [`ReadError`] naming the bit offset, block and record of the first
/// malformed or unsupported item.
pub fn read_module(bytes: &[u8]) -> Result<air_ir::Module, ReadError> {
    let (stream, base) = unwrap(bytes)?;
    module::read(stream, base)
}

/// The raw stream inside an optional wrapper, and its bit offset in `bytes`.
fn unwrap(bytes: &[u8]) -> Result<(&[u8], u64), ReadError> {
    use llvm_bitstream::wrapper::{self, WrapperError};
    let (header, stream) = wrapper::unwrap(bytes).map_err(|e| match e {
        WrapperError::Truncated { .. } => {
            ReadError::new(0, "wrapper", None, "truncated bitcode wrapper header")
        }
        // Bit 64 is the header's offset field.
        WrapperError::OutOfBounds { .. } => ReadError::new(64, "wrapper", None, e.to_string()),
    })?;
    let base = header.map_or(0, |h| u64::from(h.offset) * 8);
    if !stream.starts_with(&BITCODE_MAGIC) {
        return Err(ReadError::new(
            base,
            "bitstream",
            None,
            "not LLVM bitcode (no `BC` 0xC0DE magic)",
        ));
    }
    if stream.len() % 4 != 0 {
        return Err(ReadError::new(
            base,
            "bitstream",
            None,
            format!("the bitcode is {} bytes, not a multiple of 4", stream.len()),
        ));
    }
    Ok((stream, base))
}
