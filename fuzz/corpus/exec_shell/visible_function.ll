; ModuleID = 'visible_functions'
;
; airlink test corpus: visible_function.ll
; Written by the airlink project for its own tests (hand-written from the
; facts in docs/air-conventions.md#visible-functions; no other project's IR text copied).
;
; What it covers: the other side of reverse linking -- a module that DEFINES
; `[[visible]]` functions the way the MSL compiler lowers them:
;   * plain, unmangled names, ordinary external definitions, no
;     "air.externally_defined" section (contrast with the
;     @name.MTL_VISIBLE_FN_REF declarations in simple_1d.ll etc.)
;   * `!air.visible = !{...}` with one node per function:
;       !{fnptr, !{outputs}, !{per-param inputs}}
;     output node  !{!"air.visible_output", !"air.arg_type_name", !"<ret>"}
;     input node   !{i32 i, !"air.visible_input", !"air.arg_type_name", !"<T>",
;                    !"air.arg_name", !"<name>"}
;   * no !air.kernel and no !air.visible_function_references
;   * the three visible functions the seed shells call:
;       float transform_value(float val)                  -> val * 3 + 7
;       void compute_tile(threadgroup float* A, threadgroup float* B,
;                         device float* C, uint tid, uint lane)
;                                            -> C[tid] = A[lane]*B[lane] + 42
;       void process_tile(threadgroup float* tg, uint simd_lane)
;                                            -> tg[lane] *= 10 if lane < 32
;     with the IR types of docs/air-conventions.md#type-mapping (threadgroup float* = float addrspace(3)*,
;     device float* = float addrspace(1)*, uint = i32)
;
; UNCERTAIN (not in the docs): for a void return the outputs node is written
; as an empty node !{}; the input nodes of pointer parameters carry only
; type name and argument name here (Apple may add address-space / size
; fields, as for kernel buffers).
;
; Check: llvm-as-14 visible_function.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output visible_function.ll

source_filename = "visible_functions"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; [[visible]] float transform_value(float val) { return val * 3 + 7; }
define float @transform_value(float noundef %val) local_unnamed_addr #0 {
entry:
  %mul = fmul fast float %val, 3.000000e+00
  %add = fadd fast float %mul, 7.000000e+00
  ret float %add
}

; [[visible]] void compute_tile(threadgroup float* A, threadgroup float* B,
;                               device float* C, uint tid, uint lane)
define void @compute_tile(float addrspace(3)* nocapture noundef readonly %A, float addrspace(3)* nocapture noundef readonly %B, float addrspace(1)* nocapture noundef writeonly %C, i32 noundef %tid, i32 noundef %lane) local_unnamed_addr #1 {
entry:
  %l = zext i32 %lane to i64
  %a.p = getelementptr inbounds float, float addrspace(3)* %A, i64 %l
  %a = load float, float addrspace(3)* %a.p, align 4
  %b.p = getelementptr inbounds float, float addrspace(3)* %B, i64 %l
  %b = load float, float addrspace(3)* %b.p, align 4
  %ab = fmul fast float %a, %b
  %r = fadd fast float %ab, 4.200000e+01
  %t = zext i32 %tid to i64
  %c.p = getelementptr inbounds float, float addrspace(1)* %C, i64 %t
  store float %r, float addrspace(1)* %c.p, align 4
  ret void
}

; [[visible]] void process_tile(threadgroup float* tg, uint simd_lane)
define void @process_tile(float addrspace(3)* nocapture noundef %tg, i32 noundef %simd_lane) local_unnamed_addr #1 {
entry:
  %in.range = icmp ult i32 %simd_lane, 32
  br i1 %in.range, label %scale, label %done

scale:                                            ; preds = %entry
  %l = zext i32 %simd_lane to i64
  %p = getelementptr inbounds float, float addrspace(3)* %tg, i64 %l
  %v = load float, float addrspace(3)* %p, align 4
  %v10 = fmul fast float %v, 1.000000e+01
  store float %v10, float addrspace(3)* %p, align 4
  br label %done

done:                                             ; preds = %scale, %entry
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind readnone willreturn "approx-func-fp-math"="true" "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-infs-fp-math"="true" "no-nans-fp-math"="true" "no-signed-zeros-fp-math"="true" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "unsafe-fp-math"="true" }
attributes #1 = { argmemonly mustprogress nofree norecurse nosync nounwind willreturn "approx-func-fp-math"="true" "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-infs-fp-math"="true" "no-nans-fp-math"="true" "no-signed-zeros-fp-math"="true" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "unsafe-fp-math"="true" }

!air.visible = !{!0, !6, !14}
!llvm.module.flags = !{!20, !21, !22, !23, !24, !25, !26}
!air.compile_options = !{!27, !28, !29}
!llvm.ident = !{!30}
!air.version = !{!31}
!air.language_version = !{!32}
!air.source_file_name = !{!33}

; transform_value: float (float)
!0 = !{float (float)* @transform_value, !1, !3}
!1 = !{!2}
!2 = !{!"air.visible_output", !"air.arg_type_name", !"float"}
!3 = !{!4}
!4 = !{i32 0, !"air.visible_input", !"air.arg_type_name", !"float", !"air.arg_name", !"val"}
!5 = !{}
; compute_tile: void (float addrspace(3)*, float addrspace(3)*, float addrspace(1)*, i32, i32)
!6 = !{void (float addrspace(3)*, float addrspace(3)*, float addrspace(1)*, i32, i32)* @compute_tile, !5, !7}
!7 = !{!8, !9, !10, !11, !12}
!8 = !{i32 0, !"air.visible_input", !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!9 = !{i32 1, !"air.visible_input", !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!10 = !{i32 2, !"air.visible_input", !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!11 = !{i32 3, !"air.visible_input", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!12 = !{i32 4, !"air.visible_input", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}
; process_tile: void (float addrspace(3)*, i32)
!14 = !{void (float addrspace(3)*, i32)* @process_tile, !5, !15}
!15 = !{!16, !17}
!16 = !{i32 0, !"air.visible_input", !"air.arg_type_name", !"float", !"air.arg_name", !"tg"}
!17 = !{i32 1, !"air.visible_input", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
!20 = !{i32 1, !"wchar_size", i32 4}
!21 = !{i32 7, !"air.max_device_buffers", i32 31}
!22 = !{i32 7, !"air.max_constant_buffers", i32 31}
!23 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!24 = !{i32 7, !"air.max_textures", i32 128}
!25 = !{i32 7, !"air.max_read_write_textures", i32 8}
!26 = !{i32 7, !"air.max_samplers", i32 16}
!27 = !{!"air.compile.denorms_disable"}
!28 = !{!"air.compile.fast_math_enable"}
!29 = !{!"air.compile.framebuffer_fetch_enable"}
!30 = !{!"airlink test corpus (hand-written)"}
!31 = !{i32 2, i32 8, i32 0}
!32 = !{!"Metal", i32 4, i32 0, i32 0}
!33 = !{!"visible_function.ll"}
