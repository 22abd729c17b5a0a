; Hand-written for airlink's debug-info printing tests: the old subprogram
; flag fields, virtual indices, and nodes reached only through operands.
; No "Debug Info Version" flag, so LLVM 14 keeps these nodes unverified.

!named = !{!0, !4, !5, !6, !7}

!0 = distinct !DISubprogram(name: "f", scope: null, file: !1, line: 1, type: !3, scopeLine: 2, virtuality: DW_VIRTUALITY_pure_virtual, virtualIndex: 0, thisAdjustment: -2147483648, isLocal: true, isDefinition: true, isOptimized: true, unit: !2)
!1 = !DIFile(filename: "s.metal", directory: "/")
!2 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, isOptimized: true, runtimeVersion: 0, emissionKind: LineTablesOnly, splitDebugInlining: false)
!3 = !DISubroutineType(types: !{})
!4 = !DISubprogram(name: "decl", scope: !1, spFlags: 0)
!5 = !DISubprogram(name: "v", scope: !1, virtualIndex: 7, spFlags: DISPFlagVirtual)
!6 = distinct !DISubprogram(name: "all", scope: !1, spFlags: 4294967295)
!7 = !DISubprogram(name: "old", scope: !1, isDefinition: false, isLocal: true)
