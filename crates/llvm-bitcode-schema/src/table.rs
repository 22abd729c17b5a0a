//! The table: blocks first, then each block's record codes. Codes and LLVM
//! names are LLVM 14.0.6's `LLVMBitCodes.h`; the analyzer names were read
//! off `llvm-bcanalyzer-14 -dump` (see the crate documentation for the
//! test that keeps them honest).

use crate::{blocks, record_codes};

blocks! {
    /// The bitstream's own block: abbreviations (and, in other bitstream
    /// formats, names) that other blocks inherit. The analyzer reads it
    /// instead of dumping it, so its records never show.
    Blockinfo = 0, "BLOCKINFO_BLOCK_ID", Some("BLOCKINFO_BLOCK") => BlockinfoCode;
    /// The module: its records, then the type table, attributes, constants,
    /// metadata and function blocks, and the module value symbol table.
    Module = 8, "MODULE_BLOCK_ID", Some("MODULE_BLOCK") => ModuleCode;
    /// Attribute lists, each a list of attribute group ids.
    Paramattr = 9, "PARAMATTR_BLOCK_ID", Some("PARAMATTR_BLOCK") => ParamattrCode;
    /// Attribute groups: one attribute set at one position.
    ParamattrGroup = 10, "PARAMATTR_GROUP_BLOCK_ID", Some("PARAMATTR_GROUP_BLOCK_ID") => ParamattrGroupCode;
    /// Constants, module-level or local to a function.
    Constants = 11, "CONSTANTS_BLOCK_ID", Some("CONSTANTS_BLOCK") => ConstantsCode;
    /// One function body.
    Function = 12, "FUNCTION_BLOCK_ID", Some("FUNCTION_BLOCK") => FunctionCode;
    /// The producer and epoch, before the module.
    Identification = 13, "IDENTIFICATION_BLOCK_ID", Some("IDENTIFICATION_BLOCK_ID") => IdentificationCode;
    /// Value names: function offsets at module level, argument, block and
    /// instruction names inside a function.
    ValueSymtab = 14, "VALUE_SYMTAB_BLOCK_ID", Some("VALUE_SYMTAB") => ValueSymtabCode;
    /// Metadata, module-level or local to a function.
    Metadata = 15, "METADATA_BLOCK_ID", Some("METADATA_BLOCK") => MetadataCode;
    /// Metadata attached to a function and its instructions.
    MetadataAttachment = 16, "METADATA_ATTACHMENT_ID", Some("METADATA_ATTACHMENT_BLOCK") => MetadataAttachmentCode;
    /// The type table.
    Type = 17, "TYPE_BLOCK_ID_NEW", Some("TYPE_BLOCK_ID") => TypeCode;
    /// Use-list orders (`llvm-as-14 -preserve-bc-uselistorder`).
    Uselist = 18, "USELIST_BLOCK_ID", Some("USELIST_BLOCK_ID") => UselistCode;
    /// The module paths of a combined (ThinLTO) summary.
    ModuleStrtab = 19, "MODULE_STRTAB_BLOCK_ID", Some("MODULE_STRTAB_BLOCK") => ModuleStrtabCode;
    /// A per-module ThinLTO summary.
    GlobalvalSummary = 20, "GLOBALVAL_SUMMARY_BLOCK_ID", Some("GLOBALVAL_SUMMARY_BLOCK") => SummaryCode;
    /// The operand bundle tags of the context, in id order.
    OperandBundleTags = 21, "OPERAND_BUNDLE_TAGS_BLOCK_ID", Some("OPERAND_BUNDLE_TAGS_BLOCK") => OperandBundleTagCode;
    /// The metadata kinds of the context, with their ids.
    MetadataKind = 22, "METADATA_KIND_BLOCK_ID", Some("METADATA_KIND_BLOCK") => MetadataKindCode;
    /// The string table after the module: global names, irsymtab strings.
    Strtab = 23, "STRTAB_BLOCK_ID", Some("STRTAB_BLOCK") => StrtabCode;
    /// A summary for full LTO.
    FullLtoGlobalvalSummary = 24, "FULL_LTO_GLOBALVAL_SUMMARY_BLOCK_ID", Some("FULL_LTO_GLOBALVAL_SUMMARY_BLOCK") => SummaryCode;
    /// The irsymtab: the module's symbols for linkers.
    Symtab = 25, "SYMTAB_BLOCK_ID", Some("SYMTAB_BLOCK") => SymtabCode;
    /// The sync scope names of the context, in id order (LLVM 14's analyzer
    /// has no name for this block).
    SyncScopeNames = 26, "SYNC_SCOPE_NAMES_BLOCK_ID", None => SyncScopeNameCode;
}

record_codes! {
    /// Records of BLOCKINFO.
    pub enum BlockinfoCode, prefix "BLOCKINFO_CODE_" {
        /// `[block id]`: the block the abbreviations that follow belong to.
        SetBid = 1, "BLOCKINFO_CODE_SETBID", None;
        /// `[char x N]`: a name for that block.
        BlockName = 2, "BLOCKINFO_CODE_BLOCKNAME", None;
        /// `[code, char x N]`: a name for one of its records.
        SetRecordName = 3, "BLOCKINFO_CODE_SETRECORDNAME", None;
    }

    /// Records of IDENTIFICATION_BLOCK_ID.
    pub enum IdentificationCode, prefix "IDENTIFICATION_CODE_" {
        /// `[char x N]`: the producer (`LLVM14.0.6`; empty from Apple's
        /// toolchain).
        String = 1, "IDENTIFICATION_CODE_STRING", Some("STRING");
        /// `[epoch]`: the auto-upgrade epoch, 0.
        Epoch = 2, "IDENTIFICATION_CODE_EPOCH", Some("EPOCH");
    }

    /// Records of MODULE_BLOCK_ID.
    pub enum ModuleCode, prefix "MODULE_CODE_" {
        /// `[version]`: 2 = relative operand ids and names in STRTAB.
        Version = 1, "MODULE_CODE_VERSION", Some("VERSION");
        /// `[char x N]`: the target triple.
        Triple = 2, "MODULE_CODE_TRIPLE", Some("TRIPLE");
        /// `[char x N]`: the data layout.
        Datalayout = 3, "MODULE_CODE_DATALAYOUT", Some("DATALAYOUT");
        /// `[char x N]`: module-level inline asm, lines ended by newlines.
        Asm = 4, "MODULE_CODE_ASM", Some("ASM");
        /// `[char x N]`: a section name; globals and functions refer to the
        /// N-th such record as section N (1-based).
        SectionName = 5, "MODULE_CODE_SECTIONNAME", Some("SECTIONNAME");
        /// `[char x N]`: a dependent library (obsolete, still readable).
        Deplib = 6, "MODULE_CODE_DEPLIB", Some("DEPLIB");
        /// `[strtab offset, strtab size, value type, is constant | explicit
        /// type << 1 | address space << 2, initializer id + 1 (0 = none),
        /// linkage, alignment, section, visibility, thread-local,
        /// unnamed_addr, externally initialized, DLL storage, comdat,
        /// attributes, dso_local, partition offset, partition size]`; the
        /// fields after section are left out when all are zero.
        GlobalVar = 7, "MODULE_CODE_GLOBALVAR", Some("GLOBALVAR");
        /// `[strtab offset, strtab size, function type, calling convention,
        /// is declaration, linkage, attribute list, alignment, section,
        /// visibility, gc, unnamed_addr, prologue data, DLL storage,
        /// comdat, prefix data, personality, dso_local, address space,
        /// partition offset, partition size]`.
        Function = 8, "MODULE_CODE_FUNCTION", Some("FUNCTION");
        /// `[alias type, aliasee, linkage, visibility]`, the pre-3.7 alias.
        AliasOld = 9, "MODULE_CODE_ALIAS_OLD", None;
        /// `[char x N]`: a garbage collector name.
        GcName = 11, "MODULE_CODE_GCNAME", Some("GCNAME");
        /// `[strtab offset, strtab size, selection kind]`.
        Comdat = 12, "MODULE_CODE_COMDAT", Some("COMDAT");
        /// `[offset]`: where the module VALUE_SYMTAB starts, in 32-bit
        /// words from the start of the bitcode (a fixed 32-bit field,
        /// back-patched).
        VstOffset = 13, "MODULE_CODE_VSTOFFSET", Some("VSTOFFSET");
        /// `[strtab offset, strtab size, value type, address space,
        /// aliasee, linkage, visibility, DLL storage, thread-local,
        /// unnamed_addr, dso_local, partition offset, partition size]`.
        Alias = 14, "MODULE_CODE_ALIAS", Some("ALIAS");
        /// Reserved; no longer written.
        MetadataValuesUnused = 15, "MODULE_CODE_METADATA_VALUES_UNUSED", Some("METADATA_VALUES_UNUSED");
        /// `[char x N]`: the source file name.
        SourceFilename = 16, "MODULE_CODE_SOURCE_FILENAME", Some("SOURCE_FILENAME");
        /// `[5 x i32]`: a SHA-1 of the module.
        Hash = 17, "MODULE_CODE_HASH", Some("HASH");
        /// `[strtab offset, strtab size, value type, address space,
        /// resolver, linkage, visibility, ...]`.
        Ifunc = 18, "MODULE_CODE_IFUNC", None;
    }

    /// Records of PARAMATTR_BLOCK_ID.
    pub enum ParamattrCode, prefix "PARAMATTR_CODE_" {
        /// `[param index, attributes, ...]`, the pre-3.3 encoding.
        EntryOld = 1, "PARAMATTR_CODE_ENTRY_OLD", Some("ENTRY");
        /// `[group id x N]`: one attribute list, referred to by its 1-based
        /// position in the block.
        Entry = 2, "PARAMATTR_CODE_ENTRY", Some("ENTRY");
    }

    /// Records of PARAMATTR_GROUP_BLOCK_ID.
    pub enum ParamattrGroupCode, prefix "PARAMATTR_GRP_CODE_" {
        /// `[group id, position, attribute...]` where position is
        /// `0xFFFFFFFF` for the function, 0 for the return value and `i + 1`
        /// for parameter `i`, and each attribute is `0, kind` (enum),
        /// `1, kind, value` (integer), `3, key..., 0` or
        /// `4, key..., 0, value..., 0` (string), `5, kind` or
        /// `6, kind, type` (type attribute).
        Entry = 3, "PARAMATTR_GRP_CODE_ENTRY", Some("ENTRY");
    }

    /// Records of TYPE_BLOCK_ID_NEW; a type's id is its position among the
    /// type records.
    pub enum TypeCode, prefix "TYPE_CODE_" {
        /// `[count]`: how many types follow.
        NumEntry = 1, "TYPE_CODE_NUMENTRY", Some("NUMENTRY");
        /// `void`.
        Void = 2, "TYPE_CODE_VOID", Some("VOID");
        /// `float`.
        Float = 3, "TYPE_CODE_FLOAT", Some("FLOAT");
        /// `double`.
        Double = 4, "TYPE_CODE_DOUBLE", Some("DOUBLE");
        /// `label`.
        Label = 5, "TYPE_CODE_LABEL", Some("LABEL");
        /// `[0]`: a named struct without a body (LLVM writes the packed flag
        /// it never sets).
        Opaque = 6, "TYPE_CODE_OPAQUE", Some("OPAQUE");
        /// `[width]`: `iN`.
        Integer = 7, "TYPE_CODE_INTEGER", Some("INTEGER");
        /// `[pointee type, address space]`: a typed pointer.
        Pointer = 8, "TYPE_CODE_POINTER", Some("POINTER");
        /// `[vararg, attribute id, return type, parameter types...]`, the
        /// old function type.
        FunctionOld = 9, "TYPE_CODE_FUNCTION_OLD", None;
        /// `half`.
        Half = 10, "TYPE_CODE_HALF", Some("HALF");
        /// `[length, element type]`.
        Array = 11, "TYPE_CODE_ARRAY", Some("ARRAY");
        /// `[length, element type, scalable?]`.
        Vector = 12, "TYPE_CODE_VECTOR", Some("VECTOR");
        /// `x86_fp80`.
        X86Fp80 = 13, "TYPE_CODE_X86_FP80", Some("X86_FP80");
        /// `fp128`.
        Fp128 = 14, "TYPE_CODE_FP128", Some("FP128");
        /// `ppc_fp128`.
        PpcFp128 = 15, "TYPE_CODE_PPC_FP128", Some("PPC_FP128");
        /// `metadata`.
        Metadata = 16, "TYPE_CODE_METADATA", Some("METADATA");
        /// `x86_mmx`.
        X86Mmx = 17, "TYPE_CODE_X86_MMX", Some("X86_MMX");
        /// `[packed, field types...]`: a literal struct.
        StructAnon = 18, "TYPE_CODE_STRUCT_ANON", Some("STRUCT_ANON");
        /// `[char x N]`: the name of the named struct in the next
        /// STRUCT_NAMED or OPAQUE record.
        StructName = 19, "TYPE_CODE_STRUCT_NAME", Some("STRUCT_NAME");
        /// `[packed, field types...]`: a named struct with a body.
        StructNamed = 20, "TYPE_CODE_STRUCT_NAMED", Some("STRUCT_NAMED");
        /// `[vararg, return type, parameter types...]`.
        Function = 21, "TYPE_CODE_FUNCTION", Some("FUNCTION");
        /// `token`.
        Token = 22, "TYPE_CODE_TOKEN", Some("TOKEN");
        /// `bfloat`.
        BFloat = 23, "TYPE_CODE_BFLOAT", Some("BFLOAT");
        /// `x86_amx`.
        X86Amx = 24, "TYPE_CODE_X86_AMX", None;
        /// `[address space]`: an opaque `ptr`.
        OpaquePointer = 25, "TYPE_CODE_OPAQUE_POINTER", None;
    }

    /// Records of CONSTANTS_BLOCK_ID. Each constant gets the next value
    /// id; operands are absolute value ids.
    pub enum ConstantsCode, prefix "CST_CODE_" {
        /// `[type]`: the type of the constants that follow.
        SetType = 1, "CST_CODE_SETTYPE", Some("SETTYPE");
        /// `null` / `zeroinitializer` of the current type.
        Null = 2, "CST_CODE_NULL", Some("NULL");
        /// `undef`.
        Undef = 3, "CST_CODE_UNDEF", Some("UNDEF");
        /// `[value]`: an integer of up to 64 bits, sign in the low bit
        /// (`emitSignedInt64`).
        Integer = 4, "CST_CODE_INTEGER", Some("INTEGER");
        /// `[words...]`: a wider integer, each 64-bit word signed as in
        /// INTEGER, up to the last non-zero word.
        WideInteger = 5, "CST_CODE_WIDE_INTEGER", Some("WIDE_INTEGER");
        /// `[bits]`: a floating-point value's bit pattern.
        Float = 6, "CST_CODE_FLOAT", Some("FLOAT");
        /// `[element value ids...]`: an array, vector or struct.
        Aggregate = 7, "CST_CODE_AGGREGATE", Some("AGGREGATE");
        /// `[bytes...]`: an `[N x i8]` that is not a C string.
        String = 8, "CST_CODE_STRING", Some("STRING");
        /// `[bytes...]`: an `[N x i8]` ending in its only zero byte, which
        /// is left out.
        CString = 9, "CST_CODE_CSTRING", Some("CSTRING");
        /// `[opcode, lhs, rhs, flags?]`.
        CeBinop = 10, "CST_CODE_CE_BINOP", Some("CE_BINOP");
        /// `[opcode, operand type, operand]`.
        CeCast = 11, "CST_CODE_CE_CAST", Some("CE_CAST");
        /// `[source element type, (type, value) x N]`.
        CeGep = 12, "CST_CODE_CE_GEP", Some("CE_GEP");
        /// `[condition, true value, false value]`.
        CeSelect = 13, "CST_CODE_CE_SELECT", Some("CE_SELECT");
        /// `[vector type, vector, index type, index]`.
        CeExtractElt = 14, "CST_CODE_CE_EXTRACTELT", Some("CE_EXTRACTELT");
        /// `[vector, element, index type, index]`.
        CeInsertElt = 15, "CST_CODE_CE_INSERTELT", Some("CE_INSERTELT");
        /// `[a, b, mask]` when the result has the operands' type.
        CeShuffleVec = 16, "CST_CODE_CE_SHUFFLEVEC", Some("CE_SHUFFLEVEC");
        /// `[operand type, lhs, rhs, predicate]`.
        CeCmp = 17, "CST_CODE_CE_CMP", Some("CE_CMP");
        /// The first inline-asm encoding.
        InlineAsmOld = 18, "CST_CODE_INLINEASM_OLD", None;
        /// `[operand type, a, b, mask]` when the result length differs.
        CeShufVecEx = 19, "CST_CODE_CE_SHUFVEC_EX", Some("CE_SHUFVEC_EX");
        /// `[source element type, (type, value) x N]`, `inbounds`.
        CeInboundsGep = 20, "CST_CODE_CE_INBOUNDS_GEP", Some("CE_INBOUNDS_GEP");
        /// `[function type, function, block index]`.
        BlockAddress = 21, "CST_CODE_BLOCKADDRESS", Some("CST_CODE_BLOCKADDRESS");
        /// `[elements...]`: an array or vector of integers or floats.
        Data = 22, "CST_CODE_DATA", Some("DATA");
        /// The second inline-asm encoding.
        InlineAsmOld2 = 23, "CST_CODE_INLINEASM_OLD2", None;
        /// `[source element type, inrange index << 1 | inbounds,
        /// (type, value) x N]`.
        CeGepWithInrangeIndex = 24, "CST_CODE_CE_GEP_WITH_INRANGE_INDEX", None;
        /// `[opcode, operand]` (`fneg`).
        CeUnop = 25, "CST_CODE_CE_UNOP", Some("CE_UNOP");
        /// `poison`.
        Poison = 26, "CST_CODE_POISON", None;
        /// `[global type, global]`.
        DsoLocalEquivalent = 27, "CST_CODE_DSO_LOCAL_EQUIVALENT", Some("DSO_LOCAL_EQUIVALENT");
        /// The third inline-asm encoding.
        InlineAsmOld3 = 28, "CST_CODE_INLINEASM_OLD3", None;
        /// `[function type, function]` (`no_cfi`).
        NoCfiValue = 29, "CST_CODE_NO_CFI_VALUE", Some("NO_CFI_VALUE");
        /// `[function type, flags, asm size, asm chars, constraints size,
        /// constraint chars]`.
        InlineAsm = 30, "CST_CODE_INLINEASM", Some("INLINEASM");
    }

    /// Records of FUNCTION_BLOCK_ID: one per instruction (plus
    /// DECLAREBLOCKS and debug locations). Operands are relative value ids;
    /// "(+type)" marks one followed by its type when it is a forward
    /// reference.
    pub enum FunctionCode, prefix "FUNC_CODE_" {
        /// `[count]`: how many basic blocks the function has.
        DeclareBlocks = 1, "FUNC_CODE_DECLAREBLOCKS", Some("DECLAREBLOCKS");
        /// `[lhs (+type), rhs, opcode, flags?]`.
        InstBinop = 2, "FUNC_CODE_INST_BINOP", Some("INST_BINOP");
        /// `[operand (+type), result type, opcode]`.
        InstCast = 3, "FUNC_CODE_INST_CAST", Some("INST_CAST");
        /// `[n x operands]`, the pre-3.x getelementptr.
        InstGepOld = 4, "FUNC_CODE_INST_GEP_OLD", Some("INST_GEP_OLD");
        /// `[true value (+type), false value, condition]`, the old select on
        /// a scalar `i1`.
        InstSelect = 5, "FUNC_CODE_INST_SELECT", Some("INST_SELECT");
        /// `[vector (+type), index (+type)]`.
        InstExtractElt = 6, "FUNC_CODE_INST_EXTRACTELT", Some("INST_EXTRACTELT");
        /// `[vector (+type), element, index (+type)]`.
        InstInsertElt = 7, "FUNC_CODE_INST_INSERTELT", Some("INST_INSERTELT");
        /// `[a (+type), b, mask]`.
        InstShuffleVec = 8, "FUNC_CODE_INST_SHUFFLEVEC", Some("INST_SHUFFLEVEC");
        /// `[lhs (+type), rhs, predicate]`, the old compare.
        InstCmp = 9, "FUNC_CODE_INST_CMP", Some("INST_CMP");
        /// `[]` or `[value (+type)]`.
        InstRet = 10, "FUNC_CODE_INST_RET", Some("INST_RET");
        /// `[block]` or `[true block, false block, condition]`.
        InstBr = 11, "FUNC_CODE_INST_BR", Some("INST_BR");
        /// `[condition type, condition, default block, (case value id,
        /// block) x N]`.
        InstSwitch = 12, "FUNC_CODE_INST_SWITCH", Some("INST_SWITCH");
        /// `[attributes, calling convention, normal block, unwind block,
        /// function type, callee (+type), arguments...]`.
        InstInvoke = 13, "FUNC_CODE_INST_INVOKE", Some("INST_INVOKE");
        /// `[]`.
        InstUnreachable = 15, "FUNC_CODE_INST_UNREACHABLE", Some("INST_UNREACHABLE");
        /// `[type, (signed relative value, block) x N, fast-math flags?]`.
        InstPhi = 16, "FUNC_CODE_INST_PHI", Some("INST_PHI");
        /// `[allocated type, size type, size (absolute id), alignment bits
        /// | inalloca << 5 | explicit type << 6 | swifterror << 7 | upper
        /// alignment bits << 8]`.
        InstAlloca = 19, "FUNC_CODE_INST_ALLOCA", Some("INST_ALLOCA");
        /// `[pointer (+type), result type, alignment, volatile]`.
        InstLoad = 20, "FUNC_CODE_INST_LOAD", Some("INST_LOAD");
        /// `[va_list type, va_list, result type]`.
        InstVaArg = 23, "FUNC_CODE_INST_VAARG", Some("INST_VAARG");
        /// `[pointer (+type), value, alignment, volatile]`, the old store.
        InstStoreOld = 24, "FUNC_CODE_INST_STORE_OLD", None;
        /// `[aggregate (+type), indices...]`.
        InstExtractVal = 26, "FUNC_CODE_INST_EXTRACTVAL", Some("INST_EXTRACTVAL");
        /// `[aggregate (+type), value (+type), indices...]`.
        InstInsertVal = 27, "FUNC_CODE_INST_INSERTVAL", Some("INST_INSERTVAL");
        /// `[lhs (+type), rhs, predicate, fast-math flags?]`: `icmp` and
        /// `fcmp`.
        InstCmp2 = 28, "FUNC_CODE_INST_CMP2", Some("INST_CMP2");
        /// `[true value (+type), false value, condition (+type),
        /// fast-math flags?]`: `select`.
        InstVselect = 29, "FUNC_CODE_INST_VSELECT", Some("INST_VSELECT");
        /// `[n x operands]`, the old inbounds getelementptr.
        InstInboundsGepOld = 30, "FUNC_CODE_INST_INBOUNDS_GEP_OLD", Some("INST_INBOUNDS_GEP_OLD");
        /// `[address type, address, blocks...]`.
        InstIndirectBr = 31, "FUNC_CODE_INST_INDIRECTBR", None;
        /// `[]`: the previous instruction's debug location again.
        DebugLocAgain = 33, "FUNC_CODE_DEBUG_LOC_AGAIN", Some("DEBUG_LOC_AGAIN");
        /// `[attributes, calling convention << 1 | tail | musttail << 14 |
        /// explicit type << 15 | notail << 16 | has fast-math flags << 17,
        /// fast-math flags?, function type, callee (+type), arguments...]`.
        InstCall = 34, "FUNC_CODE_INST_CALL", Some("INST_CALL");
        /// `[line, column, scope, inlined at, implicit code]`.
        DebugLoc = 35, "FUNC_CODE_DEBUG_LOC", Some("DEBUG_LOC");
        /// `[ordering, sync scope]`.
        InstFence = 36, "FUNC_CODE_INST_FENCE", Some("INST_FENCE");
        /// The old cmpxchg without a separate failure ordering.
        InstCmpXchgOld = 37, "FUNC_CODE_INST_CMPXCHG_OLD", None;
        /// The old atomicrmw, which took the value type from the pointer.
        InstAtomicRmwOld = 38, "FUNC_CODE_INST_ATOMICRMW_OLD", None;
        /// `[value (+type)]`.
        InstResume = 39, "FUNC_CODE_INST_RESUME", None;
        /// The old landingpad with a personality operand.
        InstLandingPadOld = 40, "FUNC_CODE_INST_LANDINGPAD_OLD", None;
        /// `[pointer (+type), result type, alignment, volatile, ordering,
        /// sync scope]`.
        InstLoadAtomic = 41, "FUNC_CODE_INST_LOADATOMIC", Some("INST_LOADATOMIC");
        /// The old atomic store.
        InstStoreAtomicOld = 42, "FUNC_CODE_INST_STOREATOMIC_OLD", None;
        /// `[inbounds, source element type, pointer and indices (+type)...]`.
        InstGep = 43, "FUNC_CODE_INST_GEP", Some("INST_GEP");
        /// `[pointer (+type), value (+type), alignment, volatile]`.
        InstStore = 44, "FUNC_CODE_INST_STORE", Some("INST_STORE");
        /// `[pointer (+type), value (+type), alignment, volatile, ordering,
        /// sync scope]`.
        InstStoreAtomic = 45, "FUNC_CODE_INST_STOREATOMIC", Some("INST_STOREATOMIC");
        /// `[pointer (+type), expected (+type), new value, volatile,
        /// success ordering, sync scope, failure ordering, weak,
        /// alignment]`.
        InstCmpXchg = 46, "FUNC_CODE_INST_CMPXCHG", Some("INST_CMPXCHG");
        /// `[type, is cleanup, clause count, (clause kind, value) x N]`.
        InstLandingPad = 47, "FUNC_CODE_INST_LANDINGPAD", None;
        /// `[pad]` or `[pad, unwind block]`.
        InstCleanupRet = 48, "FUNC_CODE_INST_CLEANUPRET", Some("INST_CLEANUPRET");
        /// `[pad, block]`.
        InstCatchRet = 49, "FUNC_CODE_INST_CATCHRET", Some("INST_CATCHRET");
        /// `[parent pad, argument count, arguments (+type)...]`.
        InstCatchPad = 50, "FUNC_CODE_INST_CATCHPAD", Some("INST_CATCHPAD");
        /// `[parent pad, argument count, arguments (+type)...]`.
        InstCleanupPad = 51, "FUNC_CODE_INST_CLEANUPPAD", None;
        /// `[parent pad, handler count, handlers..., unwind block?]`.
        InstCatchSwitch = 52, "FUNC_CODE_INST_CATCHSWITCH", None;
        /// `[tag, values (+type)...]`: a bundle of the call that follows.
        OperandBundle = 55, "FUNC_CODE_OPERAND_BUNDLE", Some("OPERAND_BUNDLE");
        /// `[operand (+type), opcode, fast-math flags?]`: `fneg`.
        InstUnop = 56, "FUNC_CODE_INST_UNOP", Some("INST_UNOP");
        /// `[attributes, calling convention, default block, indirect block
        /// count, indirect blocks..., function type, callee (+type),
        /// arguments...]`.
        InstCallBr = 57, "FUNC_CODE_INST_CALLBR", Some("INST_CALLBR");
        /// `[operand (+type)]`.
        InstFreeze = 58, "FUNC_CODE_INST_FREEZE", None;
        /// `[pointer (+type), value (+type), operation, volatile, ordering,
        /// sync scope, alignment]`.
        InstAtomicRmw = 59, "FUNC_CODE_INST_ATOMICRMW", Some("INST_ATOMICRMW");
    }

    /// Records of VALUE_SYMTAB_BLOCK_ID.
    pub enum ValueSymtabCode, prefix "VST_CODE_" {
        /// `[value id, char x N]`: a value's name.
        Entry = 1, "VST_CODE_ENTRY", Some("ENTRY");
        /// `[block index, char x N]`: a basic block's name.
        BbEntry = 2, "VST_CODE_BBENTRY", Some("BBENTRY");
        /// `[value id, function block offset]`: where a function's body
        /// starts, in 32-bit words from one word before the
        /// IDENTIFICATION block (a name followed in VERSION 1 modules).
        FnEntry = 3, "VST_CODE_FNENTRY", Some("FNENTRY");
        /// `[value id, GUID]`, in combined summaries.
        CombinedEntry = 5, "VST_CODE_COMBINED_ENTRY", Some("COMBINED_ENTRY");
    }

    /// Records of METADATA_BLOCK_ID. Metadata ids count records in order
    /// (STRINGS defines several); node operands are ids + 1, 0 = null.
    pub enum MetadataCode, prefix "METADATA_" {
        /// `[char x N]`: one string (before STRINGS existed).
        StringOld = 1, "METADATA_STRING_OLD", Some("STRING_OLD");
        /// `[type, value id]`: a value as metadata.
        Value = 2, "METADATA_VALUE", Some("VALUE");
        /// `[operand ids + 1...]`: a uniqued tuple.
        Node = 3, "METADATA_NODE", Some("NODE");
        /// `[char x N]`: the name of the NAMED_NODE that follows.
        Name = 4, "METADATA_NAME", Some("NAME");
        /// `[operand ids + 1...]`: a `distinct` tuple.
        DistinctNode = 5, "METADATA_DISTINCT_NODE", Some("DISTINCT_NODE");
        /// `[kind id, char x N]`: a metadata kind (older bitcode; LLVM 14
        /// writes kinds in METADATA_KIND_BLOCK_ID).
        Kind = 6, "METADATA_KIND", Some("KIND");
        /// `[distinct, line, column, scope, inlined at, implicit code]`:
        /// `DILocation`.
        Location = 7, "METADATA_LOCATION", Some("LOCATION");
        /// `[(type, value) x N]`, the pre-3.6 node.
        OldNode = 8, "METADATA_OLD_NODE", Some("OLD_NODE");
        /// `[(type, value) x N]`, the pre-3.6 function-local node.
        OldFnNode = 9, "METADATA_OLD_FN_NODE", Some("OLD_FN_NODE");
        /// `[node ids...]`: the operands of the named metadata NAME gave.
        NamedNode = 10, "METADATA_NAMED_NODE", Some("NAMED_NODE");
        /// `[distinct, tag, version, header, operands...]`: `GenericDINode`.
        GenericDebug = 12, "METADATA_GENERIC_DEBUG", Some("GENERIC_DEBUG");
        /// `[distinct, count, lower bound, ...]`: `DISubrange`.
        Subrange = 13, "METADATA_SUBRANGE", Some("SUBRANGE");
        /// `[unsigned | distinct, value, name]`: `DIEnumerator`.
        Enumerator = 14, "METADATA_ENUMERATOR", Some("ENUMERATOR");
        /// `[distinct, tag, name, size, alignment, encoding, flags]`:
        /// `DIBasicType`.
        BasicType = 15, "METADATA_BASIC_TYPE", Some("BASIC_TYPE");
        /// `[distinct, file name, directory, checksum kind, checksum,
        /// source?]`: `DIFile`.
        File = 16, "METADATA_FILE", Some("FILE");
        /// `[distinct, tag, name, file, line, scope, base type, ...]`:
        /// `DIDerivedType`.
        DerivedType = 17, "METADATA_DERIVED_TYPE", Some("DERIVED_TYPE");
        /// `[distinct, tag, name, file, line, scope, base type, ...]`:
        /// `DICompositeType`.
        CompositeType = 18, "METADATA_COMPOSITE_TYPE", Some("COMPOSITE_TYPE");
        /// `[distinct, flags, types, calling convention]`:
        /// `DISubroutineType`.
        SubroutineType = 19, "METADATA_SUBROUTINE_TYPE", Some("SUBROUTINE_TYPE");
        /// `[distinct, language, file, producer, ...]`: `DICompileUnit`.
        CompileUnit = 20, "METADATA_COMPILE_UNIT", Some("COMPILE_UNIT");
        /// `[distinct, scope, name, linkage name, file, line, type, ...]`:
        /// `DISubprogram`.
        Subprogram = 21, "METADATA_SUBPROGRAM", Some("SUBPROGRAM");
        /// `[distinct, scope, file, line, column]`: `DILexicalBlock`.
        LexicalBlock = 22, "METADATA_LEXICAL_BLOCK", Some("LEXICAL_BLOCK");
        /// `[distinct, scope, file, discriminator]`: `DILexicalBlockFile`.
        LexicalBlockFile = 23, "METADATA_LEXICAL_BLOCK_FILE", Some("LEXICAL_BLOCK_FILE");
        /// `[distinct | export symbols, scope, name]`: `DINamespace`.
        Namespace = 24, "METADATA_NAMESPACE", Some("NAMESPACE");
        /// `[distinct, name, type, is default]`: `DITemplateTypeParameter`.
        TemplateType = 25, "METADATA_TEMPLATE_TYPE", Some("TEMPLATE_TYPE");
        /// `[distinct, tag, name, type, is default, value]`:
        /// `DITemplateValueParameter`.
        TemplateValue = 26, "METADATA_TEMPLATE_VALUE", Some("TEMPLATE_VALUE");
        /// `[distinct, scope, name, linkage name, file, line, type, ...]`:
        /// `DIGlobalVariable`.
        GlobalVar = 27, "METADATA_GLOBAL_VAR", Some("GLOBAL_VAR");
        /// `[distinct, scope, name, file, line, type, arg, flags, ...]`:
        /// `DILocalVariable`.
        LocalVar = 28, "METADATA_LOCAL_VAR", Some("LOCAL_VAR");
        /// `[distinct | version, elements...]`: `DIExpression`.
        Expression = 29, "METADATA_EXPRESSION", Some("EXPRESSION");
        /// `[distinct, name, file, line, getter, setter, attributes,
        /// type]`: `DIObjCProperty`.
        ObjcProperty = 30, "METADATA_OBJC_PROPERTY", Some("OBJC_PROPERTY");
        /// `[distinct, tag, scope, entity, line, name, file, elements]`:
        /// `DIImportedEntity`.
        ImportedEntity = 31, "METADATA_IMPORTED_ENTITY", Some("IMPORTED_ENTITY");
        /// `[distinct, scope, name, ...]`: `DIModule`.
        Module = 32, "METADATA_MODULE", Some("MODULE");
        /// `[distinct, macinfo type, line, name, value]`: `DIMacro`.
        Macro = 33, "METADATA_MACRO", Some("MACRO");
        /// `[distinct, macinfo type, line, file, elements]`: `DIMacroFile`.
        MacroFile = 34, "METADATA_MACRO_FILE", Some("MACRO_FILE");
        /// `[count, offset]` and a blob: `count` VBR6 string lengths, then
        /// at byte `offset` the characters of all the strings.
        Strings = 35, "METADATA_STRINGS", Some("STRINGS");
        /// `[value id, (kind, node id) x N]`: the attachments of a global
        /// or a function declaration.
        GlobalDeclAttachment = 36, "METADATA_GLOBAL_DECL_ATTACHMENT", Some("GLOBAL_DECL_ATTACHMENT");
        /// `[distinct, variable, expression]`:
        /// `DIGlobalVariableExpression`.
        GlobalVarExpr = 37, "METADATA_GLOBAL_VAR_EXPR", Some("GLOBAL_VAR_EXPR");
        /// `[low word, high word]`: the distance in bits from the start of
        /// the first record after this one to the INDEX record (two fixed
        /// 32-bit fields, back-patched).
        IndexOffset = 38, "METADATA_INDEX_OFFSET", Some("INDEX_OFFSET");
        /// `[bit deltas...]`: where each non-string record starts, each
        /// relative to the one before.
        Index = 39, "METADATA_INDEX", Some("INDEX");
        /// `[distinct, scope, name, file, line]`: `DILabel`.
        Label = 40, "METADATA_LABEL", None;
        /// `[distinct, tag, name, string length, ...]`: `DIStringType`.
        StringType = 41, "METADATA_STRING_TYPE", None;
        /// `[distinct, scope, declaration, name, file, line]`:
        /// `DICommonBlock`.
        CommonBlock = 44, "METADATA_COMMON_BLOCK", None;
        /// `[distinct, count, lower bound, upper bound, stride]`:
        /// `DIGenericSubrange`.
        GenericSubrange = 45, "METADATA_GENERIC_SUBRANGE", None;
        /// `[value-as-metadata ids...]`: `DIArgList`.
        ArgList = 46, "METADATA_ARG_LIST", Some("ARG_LIST");
    }

    /// Records of METADATA_KIND_BLOCK_ID.
    pub enum MetadataKindCode, prefix "METADATA_" {
        /// `[kind id, char x N]`.
        Kind = 6, "METADATA_KIND", Some("KIND");
    }

    /// Records of METADATA_ATTACHMENT_ID.
    pub enum MetadataAttachmentCode, prefix "METADATA_" {
        /// `[(kind, node id) x N]` for the function itself, or
        /// `[instruction index, (kind, node id) x N]` for one of its
        /// instructions (an odd length).
        Attachment = 11, "METADATA_ATTACHMENT", Some("ATTACHMENT");
    }

    /// Records of USELIST_BLOCK_ID.
    pub enum UselistCode, prefix "USELIST_CODE_" {
        /// `[use indexes..., value id]`: the order of a value's uses.
        Default = 1, "USELIST_CODE_DEFAULT", Some("USELIST_CODE_DEFAULT");
        /// `[use indexes..., block id]`: the order of a block's uses.
        Bb = 2, "USELIST_CODE_BB", Some("USELIST_CODE_BB");
    }

    /// Records of MODULE_STRTAB_BLOCK_ID.
    pub enum ModuleStrtabCode, prefix "MST_CODE_" {
        /// `[module id, char x N]`: a module path.
        Entry = 1, "MST_CODE_ENTRY", Some("ENTRY");
        /// `[5 x i32]`: the module's hash.
        Hash = 2, "MST_CODE_HASH", Some("HASH");
    }

    /// Records of the ThinLTO summary blocks (GLOBALVAL_SUMMARY_BLOCK_ID
    /// and FULL_LTO_GLOBALVAL_SUMMARY_BLOCK_ID).
    pub enum SummaryCode, prefix "FS_" {
        /// `[value id, flags, instruction count, ref count, refs...,
        /// callees...]`: a function of this module.
        Permodule = 1, "FS_PERMODULE", Some("PERMODULE");
        /// As PERMODULE, each callee with its hotness.
        PermoduleProfile = 2, "FS_PERMODULE_PROFILE", Some("PERMODULE_PROFILE");
        /// `[value id, flags, refs...]`: a global variable of this module.
        PermoduleGlobalvarInitRefs = 3, "FS_PERMODULE_GLOBALVAR_INIT_REFS", Some("PERMODULE_GLOBALVAR_INIT_REFS");
        /// As PERMODULE, with the defining module's id.
        Combined = 4, "FS_COMBINED", Some("COMBINED");
        /// As PERMODULE_PROFILE, with the defining module's id.
        CombinedProfile = 5, "FS_COMBINED_PROFILE", Some("COMBINED_PROFILE");
        /// As PERMODULE_GLOBALVAR_INIT_REFS, with the module's id.
        CombinedGlobalvarInitRefs = 6, "FS_COMBINED_GLOBALVAR_INIT_REFS", Some("COMBINED_GLOBALVAR_INIT_REFS");
        /// `[value id, flags, aliasee id]`.
        Alias = 7, "FS_ALIAS", Some("ALIAS");
        /// `[value id, module id, flags, aliasee id]`.
        CombinedAlias = 8, "FS_COMBINED_ALIAS", Some("COMBINED_ALIAS");
        /// `[original name hash]`.
        CombinedOriginalName = 9, "FS_COMBINED_ORIGINAL_NAME", Some("COMBINED_ORIGINAL_NAME");
        /// `[version]` of the summary format.
        Version = 10, "FS_VERSION", Some("VERSION");
        /// `[type ids...]` tested other than by `llvm.assume`.
        TypeTests = 11, "FS_TYPE_TESTS", Some("TYPE_TESTS");
        /// `[(type id, offset) x N]`: virtual calls through
        /// `llvm.assume(llvm.type.test)` with non-constant arguments.
        TypeTestAssumeVcalls = 12, "FS_TYPE_TEST_ASSUME_VCALLS", Some("TYPE_TEST_ASSUME_VCALLS");
        /// `[(type id, offset) x N]`: virtual calls through
        /// `llvm.type.checked.load` with non-constant arguments.
        TypeCheckedLoadVcalls = 13, "FS_TYPE_CHECKED_LOAD_VCALLS", Some("TYPE_CHECKED_LOAD_VCALLS");
        /// `[type id, offset, arguments...]`: such a call with constant
        /// arguments.
        TypeTestAssumeConstVcall = 14, "FS_TYPE_TEST_ASSUME_CONST_VCALL", Some("TYPE_TEST_ASSUME_CONST_VCALL");
        /// `[type id, offset, arguments...]`: such a checked load with
        /// constant arguments.
        TypeCheckedLoadConstVcall = 15, "FS_TYPE_CHECKED_LOAD_CONST_VCALL", Some("TYPE_CHECKED_LOAD_CONST_VCALL");
        /// `[value id, GUID]`.
        ValueGuid = 16, "FS_VALUE_GUID", Some("VALUE_GUID");
        /// `[names...]`: local functions with CFI jump tables.
        CfiFunctionDefs = 17, "FS_CFI_FUNCTION_DEFS", Some("CFI_FUNCTION_DEFS");
        /// `[names...]`: external functions with CFI jump tables.
        CfiFunctionDecls = 18, "FS_CFI_FUNCTION_DECLS", Some("CFI_FUNCTION_DECLS");
        /// As PERMODULE, each callee with its relative block frequency.
        PermoduleRelbf = 19, "FS_PERMODULE_RELBF", Some("PERMODULE_RELBF");
        /// `[flags]` of the whole index.
        Flags = 20, "FS_FLAGS", Some("FLAGS");
        /// `[type id, resolution...]`, in combined indexes.
        TypeId = 21, "FS_TYPE_ID", Some("TYPE_ID");
        /// `[type id, (value id, offset) x N]`.
        TypeIdMetadata = 22, "FS_TYPE_ID_METADATA", Some("TYPE_ID_METADATA");
        /// `[value id, flags, variable flags, ref count, refs...,
        /// (value id, offset) x N]`: a vtable definition.
        PermoduleVtableGlobalvarInitRefs = 23, "FS_PERMODULE_VTABLE_GLOBALVAR_INIT_REFS", Some("PERMODULE_VTABLE_GLOBALVAR_INIT_REFS");
        /// `[count]` of basic blocks in the module.
        BlockCount = 24, "FS_BLOCK_COUNT", Some("BLOCK_COUNT");
        /// `[(parameter, range, calls...) x N]`: accessed offset ranges.
        ParamAccess = 25, "FS_PARAM_ACCESS", Some("PARAM_ACCESS");
    }

    /// Records of OPERAND_BUNDLE_TAGS_BLOCK_ID.
    pub enum OperandBundleTagCode, prefix "" {
        /// `[char x N]`: the tag whose id is this record's position.
        Tag = 1, "OPERAND_BUNDLE_TAG", Some("OPERAND_BUNDLE_TAG");
    }

    /// Records of STRTAB_BLOCK_ID.
    pub enum StrtabCode, prefix "STRTAB_" {
        /// A blob: the string table.
        Blob = 1, "STRTAB_BLOB", Some("BLOB");
    }

    /// Records of SYMTAB_BLOCK_ID.
    pub enum SymtabCode, prefix "SYMTAB_" {
        /// A blob: the irsymtab (`llvm/Object/IRSymtab.h`), strings in
        /// STRTAB.
        Blob = 1, "SYMTAB_BLOB", Some("BLOB");
    }

    /// Records of SYNC_SCOPE_NAMES_BLOCK_ID.
    pub enum SyncScopeNameCode, prefix "" {
        /// `[char x N]`: the scope whose id is this record's position
        /// (`singlethread` first, then the system scope `""`).
        Name = 1, "SYNC_SCOPE_NAME", None;
    }
}
