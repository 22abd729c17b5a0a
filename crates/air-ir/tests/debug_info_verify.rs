//! The debug-info rules of the verifier against LLVM 14's: a valid module
//! that both accept, and hand-made breakages of it, each of which our
//! verifier reports with LLVM's message and `llvm-as-14` reports too (it
//! prints the problem and then strips the debug info).

use air_ir::VerifyErrorKind;

const BASE: &str = r#"
@g1 = global i32 0, !dbg !30

define void @f(i32 %a) !dbg !5 {
  call void @llvm.dbg.value(metadata i32 %a, metadata !9, metadata !DIExpression()), !dbg !10
  call void @g(), !dbg !10
  ret void, !dbg !10
}

define void @g() !dbg !11 {
  ret void, !dbg !12
}

declare void @llvm.dbg.value(metadata, metadata, metadata)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2}
!reach = !{!20}

!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, emissionKind: FullDebug, retainedTypes: !21, globals: !31)
!1 = !DIFile(filename: "a.c", directory: "/")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !DISubroutineType(types: !4)
!4 = !{null}
!5 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 1, type: !3, spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !22)
!6 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!9 = !DILocalVariable(name: "a", arg: 1, scope: !5, file: !1, line: 1, type: !6)
!10 = !DILocation(line: 2, scope: !5)
!11 = distinct !DISubprogram(name: "g", scope: !1, file: !1, line: 3, type: !3, spFlags: DISPFlagDefinition, unit: !0)
!12 = !DILocation(line: 4, scope: !11)
!20 = !DILexicalBlock(scope: !5, file: !1, line: 2, column: 1)
!21 = !{!6}
!22 = !{!9}
!29 = !DIGlobalVariable(name: "g1", scope: !0, file: !1, line: 1, type: !6, isLocal: false, isDefinition: true)
!30 = !DIGlobalVariableExpression(var: !29, expr: !DIExpression())
!31 = !{!30}
"#;

/// (what to replace in BASE, its replacement, the message both report).
const CASES: &[(&str, &str, &str)] = &[
    (
        "!10 = !DILocation(line: 2, scope: !5)",
        "!10 = !DILocation(line: 2, scope: !6)",
        "location requires a valid scope",
    ),
    (
        "!10 = !DILocation(line: 2, scope: !5)",
        "!10 = !DILocation(line: 2, scope: !5, inlinedAt: !6)",
        "inlined-at should be a location",
    ),
    (
        ", unit: !0, retainedNodes",
        ", retainedNodes",
        "subprogram definitions must have a compile unit",
    ),
    (
        "spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !22)",
        "spFlags: DISPFlagDefinition, unit: !0, retainedNodes: !22, declaration: !23)\n!23 = !DISubprogram(name: \"f\", scope: !1, spFlags: 0, unit: !0)",
        "subprogram declarations must not have a compile unit",
    ),
    (
        "line: 1, type: !3, spFlags: DISPFlagDefinition, unit: !0, retainedNodes",
        "line: 1, type: !6, spFlags: DISPFlagDefinition, unit: !0, retainedNodes",
        "invalid subroutine type",
    ),
    (
        "!22 = !{!9}",
        "!22 = !{!6}",
        "invalid retained nodes, expected DILocalVariable or DILabel",
    ),
    (
        "!9 = !DILocalVariable(name: \"a\", arg: 1, scope: !5,",
        "!9 = !DILocalVariable(name: \"a\", arg: 1, scope: !1,",
        "local variable requires a valid scope",
    ),
    (
        "metadata i32 %a, metadata !9, metadata !DIExpression()",
        "metadata i32 %a, metadata !6, metadata !DIExpression()",
        "invalid llvm.dbg.value intrinsic variable",
    ),
    (
        "metadata i32 %a, metadata !9, metadata !DIExpression()",
        "metadata i32 %a, metadata !9, metadata !9",
        "invalid llvm.dbg.value intrinsic expression",
    ),
    (
        "metadata !DIExpression()), !dbg !10",
        "metadata !DIExpression())",
        "llvm.dbg.value intrinsic requires a !dbg attachment",
    ),
    (
        "call void @g(), !dbg !10",
        "call void @g()",
        "inlinable function call in a function with debug info must have a !dbg location",
    ),
    (
        "  ret void, !dbg !10\n",
        "  ret void, !dbg !12\n",
        "!dbg attachment points at wrong subprogram for function",
    ),
    (
        "!llvm.dbg.cu = !{!0}",
        "!llvm.dbg.cu = !{}",
        "DICompileUnit not listed in llvm.dbg.cu",
    ),
    (
        "!6 = !DIBasicType(name: \"int\",",
        "!6 = !DIBasicType(tag: DW_TAG_member, name: \"int\",",
        "invalid tag",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DIDerivedType(tag: DW_TAG_member, name: \"m\", baseType: !6, dwarfAddressSpace: 1)",
        "DWARF address space only applies to pointer or reference types",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DICompositeType(tag: DW_TAG_structure_type, name: \"s\", dataLocation: !DIExpression())",
        "dataLocation can only appear in array type",
    ),
    (
        "!1 = !DIFile(filename: \"a.c\", directory: \"/\")",
        "!1 = !DIFile(filename: \"a.c\", directory: \"/\", checksumkind: CSK_MD5, checksum: \"00ff\")",
        "invalid checksum length",
    ),
    (
        "metadata !9, metadata !DIExpression()",
        "metadata !9, metadata !DIExpression(DW_OP_stack_value, DW_OP_deref)",
        "invalid expression",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, elements: !{!DISubrange(count: 4, upperBound: 3)})",
        "Subrange can have any one of count or upperBound",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, elements: !{!DIGenericSubrange(count: 4, stride: 1)})",
        "GenericSubrange must contain lowerBound",
    ),
    (
        "!20 = !DILexicalBlock(scope: !5, file: !1, line: 2, column: 1)",
        "!20 = !DILexicalBlock(scope: !5, file: !1, column: 1)",
        "cannot have column info without line info",
    ),
    (
        "emissionKind: FullDebug,",
        "emissionKind: FullDebug, macros: !{!DIMacro(type: DW_MACINFO_start_file, name: \"X\")},",
        "invalid macinfo type",
    ),
    (
        "!reach = !{!20}",
        "!reach = !{!20, !DIExpression(), !25}\n!25 = !DIImportedEntity(tag: DW_TAG_member, scope: !0, entity: !6)",
        "invalid tag",
    ),
    (
        "metadata !DIExpression()), !dbg !10\n  call void @g()",
        "metadata !DIExpression()), !dbg !10\n  call void @llvm.dbg.value(metadata i32 %a, metadata !26, metadata !DIExpression()), !dbg !10\n  call void @g()",
        "conflicting debug info for argument",
    ),
    (
        "define void @g() !dbg !11 {",
        "define void @g() !dbg !5 {",
        "DISubprogram attached to more than one function",
    ),
    (
        "line: 1, type: !6, isLocal: false, isDefinition: true)",
        "line: 1, isLocal: false, isDefinition: true)",
        "missing global variable type",
    ),
    (
        "@g1 = global i32 0, !dbg !30",
        "@g1 = global i32 0, !dbg !29",
        "!dbg attachment of global variable must be a DIGlobalVariableExpression",
    ),
    (
        "!1 = !DIFile(filename: \"a.c\", directory: \"/\")",
        "!1 = !DIFile(filename: \"a.c\", directory: \"/\", source: \"int x;\")\n!27 = !DIFile(filename: \"b.c\", directory: \"/\")",
        "inconsistent use of embedded source",
    ),
    (
        "name: \"g\", scope: !1, file: !1, line: 3,",
        "name: \"g\", scope: !1, line: 3,",
        "line specified with no file",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DISubprogram(name: \"d\", scope: !1, flags: DIFlagAllCallsDescribed, spFlags: 0)",
        "DIFlagAllCallsDescribed must be attached to a definition",
    ),
    (
        "!21 = !{!6}",
        "!21 = !{!6, !24}\n!24 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, flags: DIFlagVector, elements: !{!6})",
        "invalid vector, expected one element of type subrange",
    ),
];

/// The second variable of the argument conflict case, and the file of the
/// embedded-source case, hung where the cases need them.
fn patch(case_text: &str, msg: &str) -> String {
    let mut t = case_text.to_string();
    if msg == "conflicting debug info for argument" {
        t.push_str(
            "!26 = !DILocalVariable(name: \"b\", arg: 1, scope: !5, file: !1, line: 1, type: !6)\n",
        );
    }
    if msg == "inconsistent use of embedded source" {
        t = t.replace(
            "name: \"g\", scope: !1, file: !1,",
            "name: \"g\", scope: !1, file: !27,",
        );
    }
    t
}

#[test]
fn base_module_is_valid_for_both() {
    airlink_test_support::require_llvm_14();
    let m = air_ir::parse(BASE, "base.ll").unwrap_or_else(|e| panic!("{e}"));
    air_ir::verify(&m).unwrap_or_else(|e| panic!("{e}"));
    let (ok, stderr) = airlink_test_support::llvm_as_diagnostics(BASE);
    assert!(ok && stderr.trim().is_empty(), "llvm-as-14: {stderr}");
}

#[test]
fn broken_debug_info_is_reported_like_llvm_14() {
    airlink_test_support::require_llvm_14();
    let mut failures = Vec::new();
    for (from, to, msg) in CASES {
        assert!(BASE.contains(from), "case pattern not in the base: {from}");
        let text = patch(&BASE.replacen(from, to, 1), msg);
        let (_, stderr) = airlink_test_support::llvm_as_diagnostics(&text);
        if !stderr.contains(msg) {
            failures.push(format!("LLVM 14 does not say \"{msg}\":\n{stderr}"));
            continue;
        }
        let m = match air_ir::parse(&text, "case.ll") {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{msg}: does not parse: {e}"));
                continue;
            }
        };
        let errors = air_ir::verify::verify_all_with_threads(&m, 1);
        let found = errors
            .iter()
            .any(|e| e.kind == VerifyErrorKind::BadDebugInfo && e.message.contains(msg));
        if !found {
            let got: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            failures.push(format!("{msg}: we report {got:?}"));
        }
    }
    println!(
        "{} broken debug-info cases, {} failures",
        CASES.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
