//! The blocks that list what LLVM's context registered: METADATA_KIND,
//! OPERAND_BUNDLE_TAGS and SYNC_SCOPE_NAMES.

use llvm_bitcode_schema::{BlockId, MetadataKindCode, OperandBundleTagCode, SyncScopeNameCode};
use llvm_bitstream::{BitWriter, Bits};

use super::prepare::{FixedKinds, APPLE_BUNDLE_TAG, FIXED_BUNDLE_TAGS, FIXED_MD_KINDS};
use super::{chars_signed64, Writer};

/// The sync scopes LLVM registers in every context, in id order.
const FIXED_SYNC_SCOPES: [&str; 2] = ["singlethread", ""];

/// The records every module of a flavour starts its METADATA_KIND,
/// OPERAND_BUNDLE_TAGS and SYNC_SCOPE_NAMES blocks with, encoded once per
/// process: they are a few hundred characters, each a VBR6 chunk pair,
/// and encoding them per module was over a tenth of a small module's
/// encode. Each block's contents start at a word boundary, so the
/// pre-encoded bits are copied in as bytes.
struct FixedRecords {
    /// How many kinds `md_kind_records` holds, and their names.
    md_kinds: usize,
    md_kind_names: Vec<&'static str>,
    md_kind_records: Bits,
    bundle_tag_records: Bits,
    /// Only the fixed scopes; a module's own follow them.
    sync_scope_records: Bits,
}

impl FixedRecords {
    fn of(kinds: FixedKinds) -> &'static FixedRecords {
        // A pure cache: the value depends on `kinds` only, and `OnceLock`
        // makes concurrent first calls safe.
        use std::sync::OnceLock;
        static LLVM14: OnceLock<FixedRecords> = OnceLock::new();
        static APPLE_HEAP: OnceLock<FixedRecords> = OnceLock::new();
        static APPLE: OnceLock<FixedRecords> = OnceLock::new();
        let cell = match kinds {
            FixedKinds::Llvm14 => &LLVM14,
            FixedKinds::Apple {
                heapallocsite: true,
            } => &APPLE_HEAP,
            FixedKinds::Apple {
                heapallocsite: false,
            } => &APPLE,
        };
        cell.get_or_init(|| FixedRecords::new(kinds))
    }

    fn new(kinds: FixedKinds) -> FixedRecords {
        // Apple's LLVM registers more fixed kinds and one more fixed bundle
        // tag than LLVM 14.
        let apple_tags: &[&'static str] = match kinds {
            FixedKinds::Llvm14 => &[],
            FixedKinds::Apple { .. } => &[APPLE_BUNDLE_TAG],
        };
        let md_kind_names: Vec<&'static str> = FIXED_MD_KINDS
            .iter()
            .chain(kinds.extra())
            .copied()
            .collect();
        let mut kind_records = BitWriter::with_code_width(3);
        for (i, name) in md_kind_names.iter().enumerate() {
            let mut ops = vec![i as u64];
            ops.extend(chars_signed64(name.as_bytes()));
            kind_records.emit_record(MetadataKindCode::Kind.code(), &ops);
        }
        let mut tags = BitWriter::with_code_width(3);
        for tag in FIXED_BUNDLE_TAGS.iter().chain(apple_tags) {
            let tag: Vec<u64> = chars_signed64(tag.as_bytes()).collect();
            tags.emit_record(OperandBundleTagCode::Tag.code(), &tag);
        }
        let mut scopes = BitWriter::with_code_width(2);
        for name in FIXED_SYNC_SCOPES {
            let name: Vec<u64> = chars_signed64(name.as_bytes()).collect();
            scopes.emit_record(SyncScopeNameCode::Name.code(), &name);
        }
        FixedRecords {
            md_kinds: md_kind_names.len(),
            md_kind_names,
            md_kind_records: kind_records.into_bits(),
            bundle_tag_records: tags.into_bits(),
            sync_scope_records: scopes.into_bits(),
        }
    }
}

impl Writer<'_, '_> {
    pub(super) fn metadata_kinds(&mut self) {
        self.s.enter_block(BlockId::MetadataKind.id(), 3);
        let fixed = FixedRecords::of(self.p.fixed_kinds);
        let kinds = &self.p.md_kinds;
        // `Prepared` starts the list with the fixed kinds, so the template
        // holds exactly the first `md_kinds` records.
        debug_assert!(
            kinds.len() >= fixed.md_kinds && kinds[..fixed.md_kinds] == fixed.md_kind_names[..]
        );
        self.s.emit_bits(&fixed.md_kind_records);
        for (i, name) in kinds.iter().enumerate().skip(fixed.md_kinds) {
            let mut ops = vec![i as u64];
            ops.extend(chars_signed64(name.as_bytes()));
            self.s.emit_record(MetadataKindCode::Kind.code(), &ops);
        }
        self.s.exit_block();
    }

    pub(super) fn bundle_tags(&mut self) {
        self.s.enter_block(BlockId::OperandBundleTags.id(), 3);
        self.s
            .emit_bits(&FixedRecords::of(self.p.fixed_kinds).bundle_tag_records);
        self.s.exit_block();
    }

    pub(super) fn sync_scopes(&mut self) {
        self.s.enter_block(BlockId::SyncScopeNames.id(), 2);
        let scopes = &self.p.sync_scopes;
        // `Prepared` always starts with LLVM's two fixed scopes.
        debug_assert!(scopes.len() >= 2 && scopes[..2] == FIXED_SYNC_SCOPES);
        self.s
            .emit_bits(&FixedRecords::of(self.p.fixed_kinds).sync_scope_records);
        let mut ops = Vec::new();
        for name in &scopes[FIXED_SYNC_SCOPES.len()..] {
            ops.clear();
            ops.extend(chars_signed64(name.as_bytes()));
            self.s.emit_record(SyncScopeNameCode::Name.code(), &ops);
        }
        self.s.exit_block();
    }

    pub(super) fn sync_scope_id(&self, scope: &str) -> u64 {
        self.p
            .sync_scopes
            .iter()
            .position(|s| *s == scope)
            .map_or(1, |i| i as u64)
    }
}
