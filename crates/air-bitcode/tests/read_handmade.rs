//! Hand-built bitcode in the "v1" style of MetalASM and metal-ir-pipeline
//! (VERSION 1, names in the module value symbol table, no BLOCKINFO, STRTAB
//! or SYMTAB, STRING_OLD metadata, every record unabbreviated), and errors
//! that name the bit, block and record.

use air_bitcode::read_module;
use llvm_bitcode_schema::{
    BlockId, FunctionCode, IdentificationCode, MetadataCode, ModuleCode, TypeCode, ValueSymtabCode,
};
use llvm_bitstream::BitWriter;

fn chars(s: &str) -> Vec<u64> {
    s.bytes().map(u64::from).collect()
}

/// `call_ops` are the operands of the one INST_CALL in `@k`.
fn v1_module(call_ops: &[u64]) -> Vec<u8> {
    let mut w = BitWriter::new();
    w.emit_magic();
    w.enter_block(BlockId::Identification.id(), 5);
    w.emit_record(IdentificationCode::String.code(), &chars("MetalASM"));
    w.emit_record(IdentificationCode::Epoch.code(), &[0]);
    w.exit_block();

    w.enter_block(BlockId::Module.id(), 3);
    w.emit_record(ModuleCode::Version.code(), &[1]);
    w.enter_block(BlockId::Type.id(), 4);
    w.emit_record(TypeCode::NumEntry.code(), &[5]);
    w.emit_record(TypeCode::Void.code(), &[]); // 0: void
    w.emit_record(TypeCode::Integer.code(), &[32]); // 1: i32
    w.emit_record(TypeCode::Function.code(), &[0, 0, 1]); // 2: void (i32)
    w.emit_record(TypeCode::Pointer.code(), &[2, 0]); // 3: void (i32)*
    w.emit_record(TypeCode::Metadata.code(), &[]); // 4: metadata
    w.exit_block();
    w.emit_record(
        ModuleCode::Triple.code(),
        &chars("air64-apple-macosx14.0.0"),
    );
    // @k (value 0) with a body, @callee (value 1) declared.
    w.emit_record(ModuleCode::Function.code(), &[2, 0, 0, 0, 0, 0, 0, 0]);
    w.emit_record(ModuleCode::Function.code(), &[2, 0, 1, 0, 0, 0, 0, 0]);

    w.enter_block(BlockId::Metadata.id(), 3);
    w.emit_record(MetadataCode::StringOld.code(), &chars("hello")); // !0
    w.emit_record(MetadataCode::Node.code(), &[1, 0]); // !1 = !{!"hello", null}
    w.emit_record(MetadataCode::Name.code(), &chars("air.test"));
    w.emit_record(MetadataCode::NamedNode.code(), &[1]);
    w.exit_block();

    w.enter_block(BlockId::Function.id(), 4);
    w.emit_record(FunctionCode::DeclareBlocks.code(), &[1]);
    w.emit_record(FunctionCode::InstCall.code(), call_ops);
    w.emit_record(FunctionCode::InstRet.code(), &[]);
    w.enter_block(BlockId::ValueSymtab.id(), 4);
    w.emit_record(ValueSymtabCode::Entry.code(), &[2, u64::from(b'x')]);
    let entry_block = [0, u64::from(b'e'), u64::from(b'n')];
    w.emit_record(ValueSymtabCode::BbEntry.code(), &entry_block);
    w.exit_block();
    w.exit_block();

    w.enter_block(BlockId::ValueSymtab.id(), 4);
    w.emit_record(ValueSymtabCode::Entry.code(), &[0, u64::from(b'k')]);
    let mut callee = vec![1];
    callee.extend(chars("callee"));
    w.emit_record(ValueSymtabCode::Entry.code(), &callee);
    w.exit_block();
    w.exit_block();
    w.finish()
}

/// `call void (i32) @callee(i32 %x)`: the call is value 3 when numbered,
/// so the callee (value 1) is 2 back and `%x` (value 2) is 1 back.
const GOOD_CALL: [u64; 5] = [0, 1 << 15, 2, 2, 1];

#[test]
fn version_1_modules_take_names_from_the_module_symbol_table() {
    let module = read_module(&v1_module(&GOOD_CALL)).unwrap();
    let text = air_ir::print(&module);
    for line in [
        "target triple = \"air64-apple-macosx14.0.0\"",
        "define void @k(i32 %x) {",
        "en:",
        "  call void @callee(i32 %x)",
        "declare void @callee(i32)",
        "!air.test = !{!0}",
        "!0 = !{!\"hello\", null}",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    air_ir::verify(&module).unwrap();
}

#[test]
fn a_bad_type_id_names_the_record() {
    let mut call = GOOD_CALL;
    call[2] = 99;
    let err = read_module(&v1_module(&call)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("in FUNCTION_BLOCK record INST_CALL: type id 99 is out of range"),
        "{text}"
    );
    assert!(text.starts_with("bit "), "{text}");
    assert_eq!(err.block, "FUNCTION_BLOCK");
    assert_eq!(err.record.as_deref(), Some("INST_CALL"));
}

#[test]
fn a_value_used_but_never_defined_is_an_error() {
    let mut call = GOOD_CALL;
    // Relative 0 is the call itself, which is void: never defined.
    call[4] = 0;
    let err = read_module(&v1_module(&call)).unwrap_err();
    assert!(
        err.to_string()
            .contains("value id 3 is used but never defined"),
        "{err}"
    );
}

#[test]
fn a_callee_of_the_wrong_type_is_an_error() {
    let mut call = GOOD_CALL;
    // Relative 1 is %x (an i32), not a function.
    call[3] = 1;
    let err = read_module(&v1_module(&call)).unwrap_err();
    assert!(err.to_string().contains("INST_CALL"), "{err}");
}
