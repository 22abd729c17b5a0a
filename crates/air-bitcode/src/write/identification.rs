//! The IDENTIFICATION block: the producer string and the epoch.

use llvm_bitcode_schema::{BlockId, IdentificationCode};
use llvm_bitstream::AbbrevOp;

use super::{abbrev, chars_signed32, lit, Writer};

impl Writer<'_, '_> {
    pub(super) fn identification(&mut self) {
        self.s.enter_block(BlockId::Identification.id(), 5);
        let string = self.s.define_abbrev(abbrev(vec![
            lit(IdentificationCode::String),
            AbbrevOp::Array,
            AbbrevOp::Char6,
        ]));
        // `LLVM14.0.6` (or the release WriteOptions::producer names);
        // Apple's writer records an empty producer string.
        let producer = chars_signed32(self.p.identification_producer.as_bytes());
        self.string_record(IdentificationCode::String.code(), &producer, string);
        let epoch = self.s.define_abbrev(abbrev(vec![
            lit(IdentificationCode::Epoch),
            AbbrevOp::Vbr(6),
        ]));
        self.s
            .emit_record_with_abbrev(epoch, IdentificationCode::Epoch.code(), &[0]);
        self.s.exit_block();
    }
}
