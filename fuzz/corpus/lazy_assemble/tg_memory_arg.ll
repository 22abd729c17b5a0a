; ModuleID = 'tg_memory_arg'
;
; airlink test corpus: tg_memory_arg.ll
; Written by the airlink project for its own tests (hand-written from the
; facts in docs/air-conventions.md; no other project's IR text copied).
;
; What it covers: dynamic threadgroup memory passed as kernel arguments
; (docs/air-conventions.md#threadgroup-memory) instead of a static addrspace(3) global, plus constant
; buffers (address space 2).
;   * `i8 addrspace(3)* %tg_mem`: air.buffer, location 0 (the
;     setThreadgroupMemoryLength index), air.read_write, address_space 3,
;     size 1, align 1, "uchar" -- the MFA-MONO shape
;   * a second threadgroup argument typed `float addrspace(3)*` at location 1
;   * `float addrspace(2)*` and `<4 x float> addrspace(2)*` constant buffers
;     (air.read, address_space 2; "float4" has size 16 / align 16)
;   * i16 ("ushort") system values; urem/zext/bitcast on addrspace(3)
;     pointers; barriers between the phases; a branch on lid == 0
;
; Versions: macOS 14 target, triple air64_v26-apple-macosx14.0.0 with
; !air.version 2.6.0 and !air.language_version Metal 3.1.0 (docs/air-conventions.md#versions-per-os).
;
; Check: llvm-as-14 tg_memory_arg.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output tg_memory_arg.ll

source_filename = "tg_memory_arg"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v26-apple-macosx14.0.0"

; out[tid] = in[tid] * scale[0] * bias.w + (value of the next thread in the
;            threadgroup) + partial[0]
define void @tg_memory_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %in, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %out, float addrspace(2)* noundef %scale, <4 x float> addrspace(2)* noundef %bias, i8 addrspace(3)* noundef %tg_mem, float addrspace(3)* noundef %partial, i32 noundef %tid, i16 noundef %lid, i16 noundef %tg_size) local_unnamed_addr #0 {
entry:
  %gid = zext i32 %tid to i64
  %in.elem = getelementptr inbounds float, float addrspace(1)* %in, i64 %gid
  %x = load float, float addrspace(1)* %in.elem, align 4
  %s = load float, float addrspace(2)* %scale, align 4
  %b4 = load <4 x float>, <4 x float> addrspace(2)* %bias, align 16
  %b = extractelement <4 x float> %b4, i64 3
  %xs = fmul fast float %x, %s
  %xb = fmul fast float %xs, %b

  ; Phase 1: tg_mem viewed as float[], each thread writes its slot.
  %tg.f = bitcast i8 addrspace(3)* %tg_mem to float addrspace(3)*
  %lid.64 = zext i16 %lid to i64
  %tg.mine = getelementptr inbounds float, float addrspace(3)* %tg.f, i64 %lid.64
  store float %xb, float addrspace(3)* %tg.mine, align 4
  call void @air.wg.barrier(i32 2, i32 1)

  ; Phase 2: read the neighbour (lid + 1) % tg_size.
  %lid.32 = zext i16 %lid to i32
  %size.32 = zext i16 %tg_size to i32
  %next = add nuw nsw i32 %lid.32, 1
  %wrap = urem i32 %next, %size.32
  %wrap.64 = zext i32 %wrap to i64
  %tg.next = getelementptr inbounds float, float addrspace(3)* %tg.f, i64 %wrap.64
  %y = load float, float addrspace(3)* %tg.next, align 4
  %is.first = icmp eq i16 %lid, 0
  br i1 %is.first, label %write.partial, label %join

write.partial:                                    ; preds = %entry
  ; Thread 0 publishes its value in the second threadgroup argument.
  store float %xb, float addrspace(3)* %partial, align 4
  br label %join

join:                                             ; preds = %write.partial, %entry
  call void @air.wg.barrier(i32 2, i32 1)
  %p = load float, float addrspace(3)* %partial, align 4
  %sum.0 = fadd fast float %xb, %y
  %sum = fadd fast float %sum.0, %p
  %out.elem = getelementptr inbounds float, float addrspace(1)* %out, i64 %gid
  store float %sum, float addrspace(1)* %out.elem, align 4
  ret void
}

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "approx-func-fp-math"="true" "frame-pointer"="none" "min-legal-vector-width"="128" "no-builtins" "no-infs-fp-math"="true" "no-nans-fp-math"="true" "no-signed-zeros-fp-math"="true" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "unsafe-fp-math"="true" }
attributes #1 = { convergent mustprogress nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!12, !13, !14, !15, !16, !17, !18}
!air.compile_options = !{!19, !20, !21}
!llvm.ident = !{!22}
!air.version = !{!23}
!air.language_version = !{!24}
!air.source_file_name = !{!25}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(2)*, <4 x float> addrspace(2)*, i8 addrspace(3)*, float addrspace(3)*, i32, i16, i16)* @tg_memory_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9, !10, !11}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"in"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"out"}
; constant float* scale [[buffer(2)]]
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"scale"}
; constant float4* bias [[buffer(3)]]
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 16, !"air.arg_type_align_size", i32 16, !"air.arg_type_name", !"float4", !"air.arg_name", !"bias"}
; threadgroup uchar* tg_mem [[threadgroup(0)]]
!7 = !{i32 4, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read_write", !"air.address_space", i32 3, !"air.arg_type_size", i32 1, !"air.arg_type_align_size", i32 1, !"air.arg_type_name", !"uchar", !"air.arg_name", !"tg_mem"}
; threadgroup float* partial [[threadgroup(1)]]
!8 = !{i32 5, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 3, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"partial"}
!9 = !{i32 6, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!10 = !{i32 7, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"lid"}
!11 = !{i32 8, !"air.threads_per_threadgroup", !"air.arg_type_name", !"ushort", !"air.arg_name", !"tg_size"}
!12 = !{i32 1, !"wchar_size", i32 4}
!13 = !{i32 7, !"air.max_device_buffers", i32 31}
!14 = !{i32 7, !"air.max_constant_buffers", i32 31}
!15 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!16 = !{i32 7, !"air.max_textures", i32 128}
!17 = !{i32 7, !"air.max_read_write_textures", i32 8}
!18 = !{i32 7, !"air.max_samplers", i32 16}
!19 = !{!"air.compile.denorms_disable"}
!20 = !{!"air.compile.fast_math_enable"}
!21 = !{!"air.compile.framebuffer_fetch_enable"}
!22 = !{!"Apple metal version 32023.154 (metalfe-32023.154)"}
!23 = !{i32 2, i32 6, i32 0}
!24 = !{!"Metal", i32 3, i32 1, i32 0}
!25 = !{!"tg_memory_arg.ll"}
