//! The vocabulary of LLVM 14 bitcode: block ids and, per block, record
//! codes, each with the name LLVM gives it and the name
//! `llvm-bcanalyzer-14 -dump` prints for it.
//!
//! The bitcode writer, the reader, the container's `inspect` and the tests
//! all name blocks and records through this crate, so that a record reads
//! as [`FunctionCode::InstCall`] rather than `34`, and a byte difference
//! against `llvm-as-14` can be followed in `llvm-bcanalyzer-14 -dump`
//! output without translating numbers by hand.
//!
//! ```
//! use llvm_bitcode_schema::{BlockId, FunctionCode, KnownRecord};
//!
//! assert_eq!(FunctionCode::InstCall.code(), 34);
//! assert_eq!(FunctionCode::InstCall.llvm_name(), "FUNC_CODE_INST_CALL");
//! assert_eq!(FunctionCode::InstCall.bcanalyzer_name(), Some("INST_CALL"));
//! assert_eq!(BlockId::Function.bcanalyzer_name(), Some("FUNCTION_BLOCK"));
//!
//! let r = KnownRecord::of(12, 34).unwrap();
//! assert_eq!(r, KnownRecord::Function(FunctionCode::InstCall));
//! assert_eq!((r.block(), r.name()), (BlockId::Function, "INST_CALL"));
//! ```
//!
//! # Three names
//!
//! - [`BlockId::llvm_name`] / `XxxCode::llvm_name`: the enumerator in
//!   LLVM 14's `llvm/Bitcode/LLVMBitCodes.h` (`FUNC_CODE_INST_CALL`,
//!   `TYPE_BLOCK_ID_NEW`), for searching LLVM's sources.
//! - `bcanalyzer_name`: what `llvm-bcanalyzer-14 -dump` prints for the
//!   block or record (`INST_CALL`, `TYPE_BLOCK_ID`), or `None` where the
//!   tool prints `UnknownBlockN` / `UnknownCodeN` because LLVM 14's
//!   analyzer has no name for it (the SYNC_SCOPE_NAMES block, `INST_FREEZE`,
//!   `POISON`, ...). The test `crates/air-bitcode/tests/bcanalyzer_names.rs`
//!   checks every entry of this table against the tool.
//! - `name`: the analyzer's name when it has one, else LLVM's name without
//!   its prefix (`INST_FREEZE`, `SYNC_SCOPE_NAMES_BLOCK_ID`); this is the
//!   name error messages use.
//!
//! Record layouts in the documentation are as LLVM 14's writer lays them
//! out. In function blocks, "relative" operands are value ids counted back
//! from the instruction's own id, and "(+type)" marks an operand followed
//! by its type id when it is a forward reference (LLVM's
//! `pushValueAndType`). `[char x N]` is a string, one byte per operand.
//!
//! All facts here come from `LLVMBitCodes.h` of LLVM 14.0.6 and from
//! running `llvm-bcanalyzer-14`; the crate has no dependencies.

#![deny(missing_docs)]

mod table;

pub use table::*;

/// What every per-block record-code enum ([`ModuleCode`], [`FunctionCode`],
/// ...) provides, for code that handles records of any block.
pub trait RecordCode: Copy + Sized + 'static {
    /// The prefix LLVM's enumerators of this enum share
    /// (`"FUNC_CODE_"`); [`RecordCode::name`] drops it.
    const LLVM_PREFIX: &'static str;
    /// Every code of the enum, in table order.
    const ALL: &'static [Self];
    /// The record code as it appears in the bitstream.
    fn code(self) -> u32;
    /// The code with this number, if the block defines one.
    fn from_code(code: u32) -> Option<Self>;
    /// LLVM's enumerator name (`FUNC_CODE_INST_CALL`).
    fn llvm_name(self) -> &'static str;
    /// The name `llvm-bcanalyzer-14 -dump` prints, if it has one.
    fn bcanalyzer_name(self) -> Option<&'static str>;
    /// The analyzer's name, else LLVM's name without [`Self::LLVM_PREFIX`].
    fn name(self) -> &'static str {
        match self.bcanalyzer_name() {
            Some(n) => n,
            None => {
                let llvm = self.llvm_name();
                llvm.strip_prefix(Self::LLVM_PREFIX).unwrap_or(llvm)
            }
        }
    }
}

/// Defines the per-block record-code enums from one table: each row is
/// `Variant = code, "LLVM_NAME", bcanalyzer name (Some/None);` under its
/// doc comment.
macro_rules! record_codes {
    ($(
        $(#[$enum_doc:meta])*
        pub enum $name:ident, prefix $prefix:literal {
            $(
                $(#[$doc:meta])*
                $variant:ident = $code:literal, $llvm:literal, $bc:expr;
            )*
        }
    )*) => {$(
        $(#[$enum_doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum $name {
            $(
                #[doc = concat!("`", $llvm, "` = ", stringify!($code), ".")]
                #[doc = ""]
                $(#[$doc])*
                $variant = $code,
            )*
        }

        impl $name {
            /// Every code of the block, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The record code as it appears in the bitstream.
            #[inline]
            pub const fn code(self) -> u32 {
                self as u32
            }

            /// The code with this number, if the block defines one.
            #[inline]
            pub const fn from_code(code: u32) -> Option<Self> {
                match code {
                    $($code => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// LLVM's enumerator name.
            pub const fn llvm_name(self) -> &'static str {
                match self {
                    $($name::$variant => $llvm,)*
                }
            }

            /// The name `llvm-bcanalyzer-14 -dump` prints, if it has one.
            pub const fn bcanalyzer_name(self) -> Option<&'static str> {
                match self {
                    $($name::$variant => $bc,)*
                }
            }

            /// The analyzer's name, else LLVM's name without its prefix.
            pub fn name(self) -> &'static str {
                $crate::RecordCode::name(self)
            }
        }

        impl $crate::RecordCode for $name {
            const LLVM_PREFIX: &'static str = $prefix;
            const ALL: &'static [Self] = $name::ALL;
            fn code(self) -> u32 {
                $name::code(self)
            }
            fn from_code(code: u32) -> Option<Self> {
                $name::from_code(code)
            }
            fn llvm_name(self) -> &'static str {
                $name::llvm_name(self)
            }
            fn bcanalyzer_name(self) -> Option<&'static str> {
                $name::bcanalyzer_name(self)
            }
        }

        impl From<$name> for u32 {
            fn from(code: $name) -> u32 {
                code.code()
            }
        }

        impl From<$name> for u64 {
            fn from(code: $name) -> u64 {
                u64::from(code.code())
            }
        }
    )*};
}

/// Defines [`BlockId`] and [`KnownRecord`] from one table: each row is
/// `Variant = id, "LLVM_NAME", bcanalyzer name (Some/None) => CodeEnum;`.
macro_rules! blocks {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $id:literal, $llvm:literal, $bc:expr => $codes:ident;
    )*) => {
        /// The blocks of LLVM 14 bitcode (and BLOCKINFO, the bitstream's own).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u32)]
        pub enum BlockId {
            $(
                #[doc = concat!("`", $llvm, "` = ", stringify!($id), "; its records are [`", stringify!($codes), "`].")]
                #[doc = ""]
                $(#[$doc])*
                $variant = $id,
            )*
        }

        impl BlockId {
            /// Every block, in table order.
            pub const ALL: &'static [BlockId] = &[$(BlockId::$variant),*];

            /// The block id as it appears in ENTER_SUBBLOCK.
            #[inline]
            pub const fn id(self) -> u32 {
                self as u32
            }

            /// The block with this id, if LLVM 14 defines one.
            #[inline]
            pub const fn from_id(id: u32) -> Option<Self> {
                match id {
                    $($id => Some(BlockId::$variant),)*
                    _ => None,
                }
            }

            /// LLVM's enumerator name.
            pub const fn llvm_name(self) -> &'static str {
                match self {
                    $(BlockId::$variant => $llvm,)*
                }
            }

            /// The name `llvm-bcanalyzer-14 -dump` prints, if it has one.
            pub const fn bcanalyzer_name(self) -> Option<&'static str> {
                match self {
                    $(BlockId::$variant => $bc,)*
                }
            }

            /// The analyzer's name, else LLVM's.
            pub const fn name(self) -> &'static str {
                match self.bcanalyzer_name() {
                    Some(n) => n,
                    None => self.llvm_name(),
                }
            }

            /// The record `code` of this block, if the block defines it.
            pub fn record(self, code: u32) -> Option<KnownRecord> {
                match self {
                    $(BlockId::$variant => $codes::from_code(code).map(KnownRecord::$variant),)*
                }
            }

            /// Every record code this block defines.
            pub fn records(self) -> Vec<KnownRecord> {
                match self {
                    $(BlockId::$variant => $codes::ALL.iter().map(|c| KnownRecord::$variant(*c)).collect(),)*
                }
            }
        }

        impl From<BlockId> for u32 {
            fn from(block: BlockId) -> u32 {
                block.id()
            }
        }

        /// A record code together with the block it belongs to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum KnownRecord {
            $(
                #[doc = concat!("A record of `", $llvm, "`.")]
                $variant($codes),
            )*
        }

        impl KnownRecord {
            /// Record `code` of block `block`, if LLVM 14 defines both.
            pub fn of(block: u32, code: u32) -> Option<Self> {
                BlockId::from_id(block)?.record(code)
            }

            /// The block the record belongs to.
            pub const fn block(self) -> BlockId {
                match self {
                    $(KnownRecord::$variant(_) => BlockId::$variant,)*
                }
            }

            /// The record code.
            pub const fn code(self) -> u32 {
                match self {
                    $(KnownRecord::$variant(c) => c.code(),)*
                }
            }

            /// LLVM's enumerator name.
            pub const fn llvm_name(self) -> &'static str {
                match self {
                    $(KnownRecord::$variant(c) => c.llvm_name(),)*
                }
            }

            /// The name `llvm-bcanalyzer-14 -dump` prints, if it has one.
            pub const fn bcanalyzer_name(self) -> Option<&'static str> {
                match self {
                    $(KnownRecord::$variant(c) => c.bcanalyzer_name(),)*
                }
            }

            /// The analyzer's name, else LLVM's name without its prefix.
            pub fn name(self) -> &'static str {
                match self {
                    $(KnownRecord::$variant(c) => c.name(),)*
                }
            }
        }
    };
}

pub(crate) use {blocks, record_codes};

/// The name of record `code` in block `block` for messages: the schema's
/// [`KnownRecord::name`], or `code N` for a code the block does not define.
pub fn record_name(block: u32, code: u32) -> String {
    match KnownRecord::of(block, code) {
        Some(r) => r.name().to_string(),
        None => format!("code {code}"),
    }
}

/// The name of block `id` for messages: [`BlockId::name`], or
/// `unknown block` for an id LLVM 14 does not define.
pub fn block_name(id: u32) -> &'static str {
    BlockId::from_id(id).map_or("unknown block", BlockId::name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check<C: RecordCode + std::fmt::Debug>(seen: &mut HashSet<&'static str>) {
        let mut codes = HashSet::new();
        for c in C::ALL {
            assert!(codes.insert(c.code()), "{c:?}: code {} twice", c.code());
            assert_eq!(C::from_code(c.code()).map(|x| x.code()), Some(c.code()));
            assert!(
                c.llvm_name().starts_with(C::LLVM_PREFIX),
                "{c:?}: {} lacks the prefix {}",
                c.llvm_name(),
                C::LLVM_PREFIX
            );
            assert!(!c.name().is_empty());
            seen.insert(c.llvm_name());
        }
    }

    #[test]
    fn every_table_is_consistent() {
        let mut ids = HashSet::new();
        for b in BlockId::ALL {
            assert!(ids.insert(b.id()));
            assert_eq!(BlockId::from_id(b.id()), Some(*b));
            for r in b.records() {
                assert_eq!(r.block(), *b);
                assert_eq!(KnownRecord::of(b.id(), r.code()), Some(r));
            }
        }
        let mut names = HashSet::new();
        check::<BlockinfoCode>(&mut names);
        check::<IdentificationCode>(&mut names);
        check::<ModuleCode>(&mut names);
        check::<ParamattrCode>(&mut names);
        check::<ParamattrGroupCode>(&mut names);
        check::<TypeCode>(&mut names);
        check::<ConstantsCode>(&mut names);
        check::<FunctionCode>(&mut names);
        check::<ValueSymtabCode>(&mut names);
        check::<MetadataCode>(&mut names);
        check::<MetadataKindCode>(&mut names);
        check::<MetadataAttachmentCode>(&mut names);
        check::<UselistCode>(&mut names);
        check::<ModuleStrtabCode>(&mut names);
        check::<SummaryCode>(&mut names);
        check::<OperandBundleTagCode>(&mut names);
        check::<StrtabCode>(&mut names);
        check::<SymtabCode>(&mut names);
        check::<SyncScopeNameCode>(&mut names);
    }

    #[test]
    fn names_for_messages() {
        assert_eq!(record_name(12, 58), "INST_FREEZE");
        assert_eq!(record_name(12, 14), "code 14");
        assert_eq!(record_name(99, 1), "code 1");
        assert_eq!(block_name(26), "SYNC_SCOPE_NAMES_BLOCK_ID");
        assert_eq!(block_name(17), "TYPE_BLOCK_ID");
        assert_eq!(block_name(3), "unknown block");
        assert_eq!(SyncScopeNameCode::Name.name(), "SYNC_SCOPE_NAME");
        assert_eq!(ParamattrGroupCode::Entry.name(), "ENTRY");
    }
}
