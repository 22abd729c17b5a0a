//! The IDENTIFICATION block: the producer string and the epoch.

use llvm_bitcode_schema::{BlockId, IdentificationCode};
use llvm_bitstream::AbbrevOp;

use super::{abbrev, chars_signed32, lit, Writer};
use crate::{Flavour, LLVM14_PRODUCER};

impl Writer<'_, '_> {
    pub(super) fn identification(&mut self) {
        self.s.enter_block(BlockId::Identification.id(), 5);
        let string = self.s.define_abbrev(abbrev(vec![
            lit(IdentificationCode::String),
            AbbrevOp::Array,
            AbbrevOp::Char6,
        ]));
        // Apple's writer records an empty producer string.
        let producer = match self.p.flavour {
            Flavour::Llvm14 => LLVM14_PRODUCER,
            Flavour::Apple => "",
        };
        self.string_record(
            IdentificationCode::String.code(),
            &chars_signed32(producer.as_bytes()),
            string,
        );
        let epoch = self.s.define_abbrev(abbrev(vec![
            lit(IdentificationCode::Epoch),
            AbbrevOp::Vbr(6),
        ]));
        self.s
            .emit_record_with_abbrev(epoch, IdentificationCode::Epoch.code(), &[0]);
        self.s.exit_block();
    }
}
