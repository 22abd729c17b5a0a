//! The BLOCKINFO block: the abbreviations LLVM registers for every
//! VALUE_SYMTAB, CONSTANTS and FUNCTION block, and the ids they get there.

use llvm_bitcode_schema::{BlockId, ConstantsCode, FunctionCode, ValueSymtabCode};
use llvm_bitstream::AbbrevOp::{self, Array, Char6, Fixed, Vbr};

use super::{abbrev, lit, Writer};

// Abbreviation ids: positions in LLVM's fixed list of BLOCKINFO
// abbreviations per block (numbered from 4, the first application id),
// not record codes. `blockinfo` checks each against the id it gets.

/// VALUE_SYMTAB: an ENTRY or BBENTRY with 8-bit characters (the record
/// code is a 3-bit field).
pub(super) const VST_ENTRY_8: u32 = 4;
/// VALUE_SYMTAB: an ENTRY with 7-bit characters.
pub(super) const VST_ENTRY_7: u32 = 5;
/// VALUE_SYMTAB: an ENTRY with char6 characters.
pub(super) const VST_ENTRY_6: u32 = 6;
/// VALUE_SYMTAB: a BBENTRY with char6 characters.
pub(super) const VST_BBENTRY_6: u32 = 7;
/// CONSTANTS: SETTYPE.
pub(super) const CONSTANTS_SETTYPE: u32 = 4;
/// CONSTANTS: INTEGER.
pub(super) const CONSTANTS_INTEGER: u32 = 5;
/// CONSTANTS: CE_CAST.
pub(super) const CONSTANTS_CE_CAST: u32 = 6;
/// CONSTANTS: NULL.
const CONSTANTS_NULL: u32 = 7;
/// FUNCTION: LOAD without a forward reference.
pub(super) const FUNCTION_INST_LOAD: u32 = 4;
/// FUNCTION: UNOP without flags.
pub(super) const FUNCTION_INST_UNOP: u32 = 5;
/// FUNCTION: UNOP with fast-math flags.
pub(super) const FUNCTION_INST_UNOP_FLAGS: u32 = 6;
/// FUNCTION: BINOP without flags.
pub(super) const FUNCTION_INST_BINOP: u32 = 7;
/// FUNCTION: BINOP with flags.
pub(super) const FUNCTION_INST_BINOP_FLAGS: u32 = 8;
/// FUNCTION: CAST.
pub(super) const FUNCTION_INST_CAST: u32 = 9;
/// FUNCTION: `ret void`.
pub(super) const FUNCTION_INST_RET_VOID: u32 = 10;
/// FUNCTION: `ret` of a value.
pub(super) const FUNCTION_INST_RET_VAL: u32 = 11;
/// FUNCTION: UNREACHABLE.
pub(super) const FUNCTION_INST_UNREACHABLE: u32 = 12;
/// FUNCTION: GEP.
pub(super) const FUNCTION_INST_GEP: u32 = 13;

impl Writer<'_, '_> {
    pub(super) fn blockinfo(&mut self) {
        let type_bits = self.e.type_bits();
        let s = &mut self.s;
        s.enter_blockinfo();
        let mut define = |block: BlockId, id: u32, ops: Vec<AbbrevOp>| {
            let got = s.define_blockinfo_abbrev(block.id(), abbrev(ops));
            debug_assert_eq!(got, id, "BLOCKINFO abbreviation of {block:?}");
        };
        let vst = BlockId::ValueSymtab;
        define(vst, VST_ENTRY_8, vec![Fixed(3), Vbr(8), Array, Fixed(8)]);
        let entry = lit(ValueSymtabCode::Entry);
        define(vst, VST_ENTRY_7, vec![entry, Vbr(8), Array, Fixed(7)]);
        define(vst, VST_ENTRY_6, vec![entry, Vbr(8), Array, Char6]);
        let bbentry = lit(ValueSymtabCode::BbEntry);
        define(vst, VST_BBENTRY_6, vec![bbentry, Vbr(8), Array, Char6]);

        let cst = BlockId::Constants;
        let settype = lit(ConstantsCode::SetType);
        define(cst, CONSTANTS_SETTYPE, vec![settype, Fixed(type_bits)]);
        define(
            cst,
            CONSTANTS_INTEGER,
            vec![lit(ConstantsCode::Integer), Vbr(8)],
        );
        let cast = vec![
            lit(ConstantsCode::CeCast),
            Fixed(4),
            Fixed(type_bits),
            Vbr(8),
        ];
        define(cst, CONSTANTS_CE_CAST, cast);
        define(cst, CONSTANTS_NULL, vec![lit(ConstantsCode::Null)]);

        let func = BlockId::Function;
        let load = lit(FunctionCode::InstLoad);
        let load = vec![load, Vbr(6), Fixed(type_bits), Vbr(4), Fixed(1)];
        define(func, FUNCTION_INST_LOAD, load);
        let unop = lit(FunctionCode::InstUnop);
        define(func, FUNCTION_INST_UNOP, vec![unop, Vbr(6), Fixed(4)]);
        let unop_flags = vec![unop, Vbr(6), Fixed(4), Fixed(8)];
        define(func, FUNCTION_INST_UNOP_FLAGS, unop_flags);
        let binop = lit(FunctionCode::InstBinop);
        define(
            func,
            FUNCTION_INST_BINOP,
            vec![binop, Vbr(6), Vbr(6), Fixed(4)],
        );
        let binop_flags = vec![binop, Vbr(6), Vbr(6), Fixed(4), Fixed(8)];
        define(func, FUNCTION_INST_BINOP_FLAGS, binop_flags);
        let cast = vec![
            lit(FunctionCode::InstCast),
            Vbr(6),
            Fixed(type_bits),
            Fixed(4),
        ];
        define(func, FUNCTION_INST_CAST, cast);
        let ret = lit(FunctionCode::InstRet);
        define(func, FUNCTION_INST_RET_VOID, vec![ret]);
        define(func, FUNCTION_INST_RET_VAL, vec![ret, Vbr(6)]);
        let unreachable = lit(FunctionCode::InstUnreachable);
        define(func, FUNCTION_INST_UNREACHABLE, vec![unreachable]);
        let gep = vec![
            lit(FunctionCode::InstGep),
            Fixed(1),
            Fixed(type_bits),
            Array,
            Vbr(6),
        ];
        define(func, FUNCTION_INST_GEP, gep);
        s.exit_block();
    }
}
