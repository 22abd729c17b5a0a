; ModuleID = 'debug_info'
;
; airlink test corpus: debug_info.ll
; Written by the airlink project for its own tests (issue 19, debug info): a
; kernel as a Metal front end with -g might lower it, hand-written; no other
; project's IR text copied. Its metadata is in the form llvm-dis-14 prints
; (nodes numbered in the order LLVM's slot tracker meets them, fields in
; LLVM's order, defaults left out), so the tests can also compare our printed
; text with llvm-dis-14's line for line.
;
; What it covers: every specialised metadata node LLVM 14 has --
;   DICompileUnit (distinct, every field that prints), DIFile (MD5 and SHA256
;   checksums), DISubprogram (definitions with template parameters and
;   retained nodes, a declaration, DIFlagAllCallsDescribed), DILocation
;   (with column, isImplicitCode, a distinct inlined-at location),
;   DILexicalBlock (distinct), DILexicalBlockFile, DIBasicType,
;   DIDerivedType (pointer with dwarfAddressSpace, const, members),
;   DICompositeType (array, enumeration with identifier, structure with
;   template parameters, an assumed-rank array with dataLocation and rank),
;   DISubroutineType, DISubrange, DIGenericSubrange (its integer fields
;   abbreviate DW_OP_consts expressions), DIEnumerator (isUnsigned, a value
;   with the top bit of 32 set), DITemplateTypeParameter,
;   DITemplateValueParameter (defaulted), DINamespace (exportSymbols),
;   DIModule, DIImportedEntity (of a module and of a common block),
;   DIGlobalVariable and DIGlobalVariableExpression (a threadgroup global's
;   !dbg, a constant in the unit's globals), DILocalVariable (arguments,
;   align, flags), DIExpression (inline everywhere, DW_OP_LLVM_arg),
;   DILabel, DIMacroFile and DIMacro, DICommonBlock, DIStringType,
;   DIObjCProperty, GenericDINode, DIArgList;
; the four llvm.dbg.* intrinsics (declare on an alloca, value, addr, label);
; !dbg on instructions, on functions and on a global; a !llvm.loop node
; whose operands are debug locations; a non-kernel function called with a
; location; the "Dwarf Version" and "Debug Info Version" module flags.
;
; LLVM 14 quirks met while writing it: llvm-as-14 strips all debug info when
; its verifier finds one problem ("ignoring invalid debug info"), so every
; node here is valid; DIExpression and DIArgList are never numbered; the
; intrinsic declarations get LLVM's attribute group (#2) whatever the text
; says; DIGlobalVariable prints linkageName before scope.
;
; Check: llvm-as-14 debug_info.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output debug_info.ll
source_filename = "debug_info"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

@scratch = internal addrspace(3) global [64 x float] undef, align 4, !dbg !0

; Function Attrs: convergent mustprogress nounwind willreturn
define void @scale_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %buf, i32 noundef %tid) local_unnamed_addr #0 !dbg !23 {
entry:
  %slot = alloca float, align 4
  call void @llvm.dbg.declare(metadata float* %slot, metadata !21, metadata !DIExpression()), !dbg !80
  call void @llvm.dbg.value(metadata float addrspace(1)* %buf, metadata !28, metadata !DIExpression()), !dbg !80
  call void @llvm.dbg.value(metadata i32 %tid, metadata !29, metadata !DIExpression()), !dbg !80
  %idx = zext i32 %tid to i64, !dbg !81
  %p = getelementptr inbounds float, float addrspace(1)* %buf, i64 %idx, !dbg !81
  %x = load float, float addrspace(1)* %p, align 4, !dbg !81
  store float %x, float* %slot, align 4, !dbg !81
  call void @llvm.dbg.addr(metadata float* %slot, metadata !21, metadata !DIExpression(DW_OP_deref)), !dbg !81
  call void @llvm.dbg.value(metadata !DIArgList(i32 %tid, i32 2), metadata !30, metadata !DIExpression(DW_OP_LLVM_arg, 0, DW_OP_LLVM_arg, 1, DW_OP_mul, DW_OP_stack_value)), !dbg !81
  br label %loop, !dbg !81

loop:                                             ; preds = %loop, %entry
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ], !dbg !82
  %acc = phi float [ %x, %entry ], [ %sq, %loop ], !dbg !82
  call void @llvm.dbg.value(metadata i32 %i, metadata !31, metadata !DIExpression()), !dbg !82
  %sq = fmul fast float %acc, %acc, !dbg !83
  %i.next = add nuw nsw i32 %i, 1, !dbg !82
  %done = icmp eq i32 %i.next, 4, !dbg !82
  br i1 %done, label %exit, label %loop, !dbg !82, !llvm.loop !91

exit:                                             ; preds = %loop
  call void @llvm.dbg.label(metadata !33), !dbg !92
  %y = call fast float @helper(float %sq), !dbg !92
  store float %y, float addrspace(1)* %p, align 4, !dbg !92
  ret void, !dbg !94
}

; Function Attrs: mustprogress nounwind willreturn
define internal float @helper(float %v) #1 !dbg !84 {
  call void @llvm.dbg.value(metadata float %v, metadata !89, metadata !DIExpression()), !dbg !95
  %r = fadd fast float %v, 1.000000e+00, !dbg !95
  ret float %r, !dbg !95
}

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare void @llvm.dbg.declare(metadata, metadata, metadata) #2

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare void @llvm.dbg.value(metadata, metadata, metadata) #2

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare void @llvm.dbg.addr(metadata, metadata, metadata) #2

; Function Attrs: nofree nosync nounwind readnone speculatable willreturn
declare void @llvm.dbg.label(metadata) #2

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { mustprogress nounwind willreturn }
attributes #2 = { nofree nosync nounwind readnone speculatable willreturn }

!llvm.dbg.cu = !{!8}
!air.kernel = !{!60}
!llvm.module.flags = !{!64, !65, !66, !67, !68, !69, !70, !71, !72}
!air.compile_options = !{!73, !74, !75}
!llvm.ident = !{!76}
!air.version = !{!77}
!air.language_version = !{!78}
!air.source_file_name = !{!79}

!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "scratch", linkageName: "_ZL7scratch", scope: !2, file: !3, line: 5, type: !4, isLocal: true, isDefinition: true, align: 32)
!2 = !DINamespace(name: "airlink", scope: null, exportSymbols: true)
!3 = !DIFile(filename: "debug_info.metal", directory: "/src", checksumkind: CSK_MD5, checksum: "0123456789abcdef0123456789abcdef")
!4 = !DICompositeType(tag: DW_TAG_array_type, baseType: !5, size: 2048, align: 32, elements: !6)
!5 = !DIBasicType(name: "float", size: 32, encoding: DW_ATE_float)
!6 = !{!7}
!7 = !DISubrange(count: 64, lowerBound: 0)
!8 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !3, producer: "airlink corpus", isOptimized: true, flags: "-O2 -g", runtimeVersion: 0, emissionKind: FullDebug, enums: !9, retainedTypes: !16, globals: !46, imports: !49, macros: !55, splitDebugInlining: false, nameTableKind: None, sysroot: "/SDKs/MacOSX.sdk", sdk: "MacOSX.sdk")
!9 = !{!10}
!10 = !DICompositeType(tag: DW_TAG_enumeration_type, name: "mode", scope: !2, file: !3, line: 7, baseType: !11, size: 32, flags: DIFlagEnumClass, elements: !12, identifier: "_ZTSN7airlink4modeE")
!11 = !DIBasicType(name: "uint", size: 32, encoding: DW_ATE_unsigned)
!12 = !{!13, !14, !15}
!13 = !DIEnumerator(name: "fast", value: 0, isUnsigned: true)
!14 = !DIEnumerator(name: "exact", value: 1, isUnsigned: true)
!15 = !DIEnumerator(name: "huge", value: 4294967295, isUnsigned: true)
!16 = !{!4, !17, !20, !37}
!17 = !DICompositeType(tag: DW_TAG_array_type, baseType: !5, flags: DIFlagArtificial, elements: !18, dataLocation: !DIExpression(DW_OP_push_object_address, DW_OP_deref), rank: 1)
!18 = !{!19}
!19 = !DIGenericSubrange(count: !DIExpression(DW_OP_push_object_address, DW_OP_plus_uconst, 8, DW_OP_deref), lowerBound: 1, stride: 4)
!20 = !DIStringType(name: "label_t", stringLength: !21, stringLengthExpression: !DIExpression(DW_OP_push_object_address, DW_OP_plus_uconst, 16), size: 64, encoding: DW_ATE_signed_char)
!21 = !DILocalVariable(name: "slot", scope: !22, file: !3, line: 12, type: !5, align: 32)
!22 = distinct !DILexicalBlock(scope: !23, file: !3, line: 12, column: 3)
!23 = distinct !DISubprogram(name: "scale_kernel", linkageName: "_Z12scale_kernel", scope: !3, file: !3, line: 10, type: !24, scopeLine: 11, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !8, templateParams: !34, retainedNodes: !27)
!24 = !DISubroutineType(types: !25)
!25 = !{null, !26, !11}
!26 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !5, size: 64, dwarfAddressSpace: 1)
!27 = !{!28, !29, !21, !30, !31, !33}
!28 = !DILocalVariable(name: "buf", arg: 1, scope: !23, file: !3, line: 10, type: !26)
!29 = !DILocalVariable(name: "tid", arg: 2, scope: !23, file: !3, line: 10, type: !11, flags: DIFlagArtificial)
!30 = !DILocalVariable(name: "twice", scope: !22, file: !3, line: 13, type: !11)
!31 = !DILocalVariable(name: "i", scope: !32, file: !3, line: 14, type: !11)
!32 = !DILexicalBlockFile(scope: !22, file: !3, discriminator: 2)
!33 = !DILabel(scope: !23, name: "finish", file: !3, line: 18)
!34 = !{!35, !36}
!35 = !DITemplateTypeParameter(name: "T", type: !5)
!36 = !DITemplateValueParameter(name: "N", type: !11, defaulted: true, value: i32 4)
!37 = !DICompositeType(tag: DW_TAG_structure_type, name: "pair", scope: !2, file: !38, line: 20, size: 64, flags: DIFlagTypePassByValue, elements: !39, templateParams: !45, identifier: "_ZTSN7airlink4pairE")
!38 = !DIFile(filename: "metal_stdlib", directory: "/src", checksumkind: CSK_SHA256, checksum: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")
!39 = !{!40, !41, !43, !44}
!40 = !DIDerivedType(tag: DW_TAG_member, name: "first", scope: !37, file: !38, line: 21, baseType: !5, size: 32)
!41 = !DIDerivedType(tag: DW_TAG_member, name: "second", scope: !37, file: !38, line: 22, baseType: !42, size: 32, offset: 32, flags: DIFlagPublic)
!42 = !DIDerivedType(tag: DW_TAG_const_type, baseType: !5)
!43 = !DIObjCProperty(name: "sum", file: !38, line: 23, setter: "setSum:", getter: "sum", attributes: 1, type: !5)
!44 = !GenericDINode(tag: DW_TAG_variable, header: "note", operands: {!5, null, !"extra"})
!45 = !{!35}
!46 = !{!47}
!47 = !DIGlobalVariableExpression(var: !48, expr: !DIExpression(DW_OP_constu, 7, DW_OP_stack_value))
!48 = distinct !DIGlobalVariable(name: "seven", scope: !8, file: !3, line: 6, type: !11, isLocal: true, isDefinition: true)
!49 = !{!50, !52}
!50 = !DIImportedEntity(tag: DW_TAG_imported_declaration, scope: !8, entity: !51, file: !3, line: 1)
!51 = !DIModule(scope: null, name: "metal_types", configMacros: "-DMETAL", includePath: "/usr/metal/include", file: !38, line: 1)
!52 = !DIImportedEntity(tag: DW_TAG_imported_module, name: "shared", scope: !8, entity: !53, file: !3, line: 9, elements: !54)
!53 = !DICommonBlock(scope: !23, declaration: !48, name: "shared", file: !3, line: 8)
!54 = !{}
!55 = !{!56}
!56 = !DIMacroFile(file: !3, nodes: !57)
!57 = !{!58, !59}
!58 = !DIMacro(type: DW_MACINFO_define, line: 2, name: "TILE", value: "64")
!59 = !DIMacro(type: DW_MACINFO_undef, line: 3, name: "SLOW")
!60 = !{void (float addrspace(1)*, i32)* @scale_kernel, !54, !61}
!61 = !{!62, !63}
!62 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"buf"}
!63 = !{i32 1, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!64 = !{i32 1, !"wchar_size", i32 4}
!65 = !{i32 7, !"air.max_device_buffers", i32 31}
!66 = !{i32 7, !"air.max_constant_buffers", i32 31}
!67 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!68 = !{i32 7, !"air.max_textures", i32 128}
!69 = !{i32 7, !"air.max_read_write_textures", i32 8}
!70 = !{i32 7, !"air.max_samplers", i32 16}
!71 = !{i32 7, !"Dwarf Version", i32 4}
!72 = !{i32 2, !"Debug Info Version", i32 3}
!73 = !{!"air.compile.denorms_disable"}
!74 = !{!"air.compile.fast_math_enable"}
!75 = !{!"air.compile.framebuffer_fetch_enable"}
!76 = !{!"Apple metal version 32023.850 (metalfe-32023.850)"}
!77 = !{i32 2, i32 8, i32 0}
!78 = !{!"Metal", i32 4, i32 0, i32 0}
!79 = !{!"debug_info.metal"}
!80 = !DILocation(line: 12, column: 9, scope: !22)
!81 = !DILocation(line: 13, column: 5, scope: !22)
!82 = !DILocation(line: 14, column: 7, scope: !32)
!83 = !DILocation(line: 4, column: 12, scope: !84, inlinedAt: !90)
!84 = distinct !DISubprogram(name: "helper", linkageName: "_ZN7airlink6helperEf", scope: !2, file: !38, line: 3, type: !85, scopeLine: 3, flags: DIFlagPrototyped, spFlags: DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized, unit: !8, declaration: !87, retainedNodes: !88)
!85 = !DISubroutineType(flags: DIFlagPrototyped, cc: DW_CC_normal, types: !86)
!86 = !{!5, !5}
!87 = !DISubprogram(name: "helper", linkageName: "_ZN7airlink6helperEf", scope: !2, file: !38, line: 3, type: !85, flags: DIFlagPrototyped, spFlags: DISPFlagOptimized)
!88 = !{!89}
!89 = !DILocalVariable(name: "v", arg: 1, scope: !84, file: !38, line: 3, type: !5)
!90 = distinct !DILocation(line: 15, column: 11, scope: !32)
!91 = distinct !{!91, !82, !92, !93}
!92 = !DILocation(line: 18, column: 3, scope: !23)
!93 = !{!"llvm.loop.mustprogress"}
!94 = !DILocation(line: 20, column: 1, scope: !23, isImplicitCode: true)
!95 = !DILocation(line: 4, column: 10, scope: !84)
