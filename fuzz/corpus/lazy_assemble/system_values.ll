; ModuleID = 'system_values'
;
; airlink test corpus: system_values.ll
; Written by the airlink project for its own tests (hand-written from the
; facts in docs/air-conventions.md; no other project's IR text copied).
;
; What it covers: every system-value attribute of docs/air-conventions.md#system-values, each at least
; once, with all six IR forms of the "position" family across the arguments:
;   i32 "uint", <2 x i32> "uint2", <3 x i32> "uint3",
;   i16 "ushort", <2 x i16> "ushort2", <3 x i16> "ushort3"
; and both i32 "uint" and i16 "ushort" for the "index" family.
; The body folds every value into one uint and stores it to out[gid.x]:
; vector zext, vector add, shufflevector widening <2 x i32> to <3 x i32>,
; extractelement, scalar zext/add.
;
; Versions: this module targets macOS 15 (AIR 2.7, MSL 3.2), so the triple is
; air64_v27-apple-macosx15.0.0 with !air.version 2.7.0 and
; !air.language_version Metal 3.2.0 (docs/air-conventions.md#versions-per-os). It also carries the two
; extra module flags Apple's compiler emits ("SDK Version" with a [2 x i32]
; value, behaviour 2 = Warning, and "frame-pointer", behaviour 7 = Max).
;
; Check: llvm-as-14 system_values.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output system_values.ll

source_filename = "system_values"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v27-apple-macosx15.0.0"

define void @system_values_kernel(i32 addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out, <3 x i32> noundef %tpig, <3 x i16> noundef %tptg, <2 x i32> noundef %tgpig, <2 x i16> noundef %tgspg, i32 noundef %tpg, i16 noundef %tptgsize, <3 x i32> noundef %dtptg, <2 x i32> noundef %origin, <3 x i16> noundef %gsize, i32 noundef %tiitg, i16 noundef %tiisg, i16 noundef %siitg, i32 noundef %sgptg, i16 noundef %tpsg, i32 noundef %tew, i32 noundef %dsgptg, i16 noundef %qiitg, i32 noundef %qgptg, i16 noundef %tiiqg, i16 noundef %dqgptg) local_unnamed_addr #0 {
entry:
  ; --- 3-vector values ---
  %tptg.32 = zext <3 x i16> %tptg to <3 x i32>
  %gsize.32 = zext <3 x i16> %gsize to <3 x i32>
  %v3.a = add <3 x i32> %tpig, %tptg.32
  %v3.b = add <3 x i32> %v3.a, %dtptg
  %v3 = add <3 x i32> %v3.b, %gsize.32

  ; --- 2-vector values, widened to 3 lanes (lane 2 taken from zeroinitializer) ---
  %tgspg.32 = zext <2 x i16> %tgspg to <2 x i32>
  %v2.a = add <2 x i32> %tgpig, %tgspg.32
  %v2 = add <2 x i32> %v2.a, %origin
  %v2.w = shufflevector <2 x i32> %v2, <2 x i32> zeroinitializer, <3 x i32> <i32 0, i32 1, i32 2>
  %v = add <3 x i32> %v3, %v2.w
  %v.x = extractelement <3 x i32> %v, i64 0
  %v.y = extractelement <3 x i32> %v, i64 1
  %v.z = extractelement <3 x i32> %v, i64 2
  %s.0 = add i32 %v.x, %v.y
  %s.1 = add i32 %s.0, %v.z

  ; --- scalar uint values ---
  %s.2 = add i32 %s.1, %tpg
  %s.3 = add i32 %s.2, %tiitg
  %s.4 = add i32 %s.3, %sgptg
  %s.5 = add i32 %s.4, %tew
  %s.6 = add i32 %s.5, %dsgptg
  %s.7 = add i32 %s.6, %qgptg

  ; --- scalar ushort values ---
  %tptgsize.32 = zext i16 %tptgsize to i32
  %tiisg.32 = zext i16 %tiisg to i32
  %siitg.32 = zext i16 %siitg to i32
  %tpsg.32 = zext i16 %tpsg to i32
  %qiitg.32 = zext i16 %qiitg to i32
  %tiiqg.32 = zext i16 %tiiqg to i32
  %dqgptg.32 = zext i16 %dqgptg to i32
  %s.8 = add i32 %s.7, %tptgsize.32
  %s.9 = add i32 %s.8, %tiisg.32
  %s.10 = add i32 %s.9, %siitg.32
  %s.11 = add i32 %s.10, %tpsg.32
  %s.12 = add i32 %s.11, %qiitg.32
  %s.13 = add i32 %s.12, %tiiqg.32
  %sum = add i32 %s.13, %dqgptg.32

  ; out[thread_position_in_grid.x] = sum
  %gid.x = extractelement <3 x i32> %tpig, i64 0
  %idx = zext i32 %gid.x to i64
  %slot = getelementptr inbounds i32, i32 addrspace(1)* %out, i64 %idx
  store i32 %sum, i32 addrspace(1)* %slot, align 4
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn writeonly "frame-pointer"="none" "min-legal-vector-width"="96" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }

!air.kernel = !{!0}
!llvm.module.flags = !{!24, !25, !26, !27, !28, !29, !30, !31, !32}
!air.compile_options = !{!33, !34, !35}
!llvm.ident = !{!36}
!air.version = !{!37}
!air.language_version = !{!38}
!air.source_file_name = !{!39}

!0 = !{void (i32 addrspace(1)*, <3 x i32>, <3 x i16>, <2 x i32>, <2 x i16>, i32, i16, <3 x i32>, <2 x i32>, <3 x i16>, i32, i16, i16, i32, i16, i32, i32, i16, i32, i16, i16)* @system_values_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9, !10, !11, !12, !13, !14, !15, !16, !17, !18, !19, !20, !21, !22, !23}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"out"}
; position family (uint, uint2, uint3, ushort, ushort2, ushort3)
!4 = !{i32 1, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint3", !"air.arg_name", !"tpig"}
!5 = !{i32 2, !"air.thread_position_in_threadgroup", !"air.arg_type_name", !"ushort3", !"air.arg_name", !"tptg"}
!6 = !{i32 3, !"air.threadgroup_position_in_grid", !"air.arg_type_name", !"uint2", !"air.arg_name", !"tgpig"}
!7 = !{i32 4, !"air.threadgroups_per_grid", !"air.arg_type_name", !"ushort2", !"air.arg_name", !"tgspg"}
!8 = !{i32 5, !"air.threads_per_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tpg"}
!9 = !{i32 6, !"air.threads_per_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"tptgsize"}
!10 = !{i32 7, !"air.dispatch_threads_per_threadgroup", !"air.arg_type_name", !"uint3", !"air.arg_name", !"dtptg"}
!11 = !{i32 8, !"air.grid_origin", !"air.arg_type_name", !"uint2", !"air.arg_name", !"origin"}
!12 = !{i32 9, !"air.grid_size", !"air.arg_type_name", !"ushort3", !"air.arg_name", !"gsize"}
; index family (uint or ushort)
!13 = !{i32 10, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tiitg"}
!14 = !{i32 11, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"tiisg"}
!15 = !{i32 12, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"siitg"}
!16 = !{i32 13, !"air.simdgroups_per_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"sgptg"}
!17 = !{i32 14, !"air.threads_per_simdgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"tpsg"}
!18 = !{i32 15, !"air.thread_execution_width", !"air.arg_type_name", !"uint", !"air.arg_name", !"tew"}
!19 = !{i32 16, !"air.dispatch_simdgroups_per_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"dsgptg"}
!20 = !{i32 17, !"air.quadgroup_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"qiitg"}
!21 = !{i32 18, !"air.quadgroups_per_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"qgptg"}
!22 = !{i32 19, !"air.thread_index_in_quadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"tiiqg"}
!23 = !{i32 20, !"air.dispatch_quadgroups_per_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"dqgptg"}
; the 7 AIR module flags plus Apple's two extras
!24 = !{i32 2, !"SDK Version", [2 x i32] [i32 15, i32 0]}
!25 = !{i32 1, !"wchar_size", i32 4}
!26 = !{i32 7, !"frame-pointer", i32 2}
!27 = !{i32 7, !"air.max_device_buffers", i32 31}
!28 = !{i32 7, !"air.max_constant_buffers", i32 31}
!29 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!30 = !{i32 7, !"air.max_textures", i32 128}
!31 = !{i32 7, !"air.max_read_write_textures", i32 8}
!32 = !{i32 7, !"air.max_samplers", i32 16}
!33 = !{!"air.compile.denorms_disable"}
!34 = !{!"air.compile.fast_math_disable"}
!35 = !{!"air.compile.framebuffer_fetch_enable"}
!36 = !{!"Apple metal version 32023.329.2 (metalfe-32023.329.2)"}
!37 = !{i32 2, i32 7, i32 0}
!38 = !{!"Metal", i32 3, i32 2, i32 0}
!39 = !{!"system_values.ll"}
