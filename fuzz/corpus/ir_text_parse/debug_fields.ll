; Hand-written for airlink's debug-info printing tests: fields at their
; limits and defaults, flag words LLVM splits specially, numbers LLVM 14
; has no name for, and expressions it finds invalid (printed as numbers).

!named = !{!0, !1, !2, !3, !4, !5, !6, !7, !8, !9, !10, !11, !12, !13, !14, !15, !16, !17, !18, !19, !20, !21, !22, !23, !24, !25}

!0 = !DIBasicType(name: "a", size: 18446744073709551615, align: 4294967295, encoding: 200, flags: DIFlagPublic | DIFlagPrivate)
!1 = !DIBasicType(tag: 65535, flags: DIFlagPrivate | DIFlagProtected | 1024)
!2 = !DIBasicType(tag: DW_TAG_unspecified_type, name: "decltype(nullptr)", flags: 4294967295)
!3 = !DIBasicType(flags: DIFlagIndirectVirtualBase | DIFlagVirtualInheritance | 1073741824)
!4 = !DIBasicType(flags: 1073741824)
!5 = distinct !DICompileUnit(language: 61, file: !6, isOptimized: false, runtimeVersion: 0, emissionKind: DebugDirectivesOnly, nameTableKind: GNU)
!6 = !DIFile(filename: "", directory: "")
!7 = !DIEnumerator(name: "big", value: 36893488147419103232)
!8 = !DIEnumerator(name: "negative", value: -36893488147419103232)
!9 = !DIEnumerator(name: "top", value: 255)
!10 = !DIEnumerator(name: "top", value: 255, isUnsigned: true)
!11 = !DIEnumerator(name: "", value: 0)
!12 = !{!DIExpression(DW_OP_stack_value, DW_OP_deref), !DIExpression(1234, 5), !DIExpression(DW_OP_LLVM_convert, 32, DW_ATE_signed, DW_OP_LLVM_fragment, 0, 32)}
!13 = !{!DIExpression(DW_OP_LLVM_entry_value, 1, DW_OP_reg3), !DIExpression(DW_OP_swap), !DIExpression(DW_OP_constu, 7, DW_OP_stack_value, DW_OP_LLVM_fragment, 8, 8)}
!14 = !DISubrange(count: -1, lowerBound: -9223372036854775808, stride: 9223372036854775807)
!15 = !DISubrange(upperBound: !DIExpression(DW_OP_consts, 5), stride: i32 -3)
!16 = !DIGenericSubrange(count: !DIExpression(DW_OP_consts, 5, DW_OP_stack_value), lowerBound: 0, stride: -4)
!17 = !DIGenericSubrange(upperBound: !DIExpression(DW_OP_constu, 5), lowerBound: !DIExpression(), stride: 1)
!18 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, dwarfAddressSpace: 0)
!19 = !DIDerivedType(tag: DW_TAG_reference_type, baseType: !0, dwarfAddressSpace: 4294967294)
!20 = !DISubroutineType(cc: DW_CC_LLVM_Swift, types: null)
!21 = !DITemplateValueParameter(tag: DW_TAG_GNU_template_parameter_pack, name: "pack", type: null, value: !{})
!22 = !DIMacro(type: 7, line: 4294967295, name: "M")
!23 = !DICompositeType(tag: DW_TAG_array_type, rank: i32 -3, associated: !DIExpression(DW_OP_push_object_address), allocated: !DIExpression())
!24 = !DIFile(filename: "f\22q\5C", directory: "\01\7F", checksumkind: CSK_SHA1, checksum: "0123456789012345678901234567890123456789", source: "line 1\0Aline 2")
!25 = !GenericDINode(tag: DW_TAG_member, header: "", operands: {null, !DIExpression(), i32 3, !"x"})
