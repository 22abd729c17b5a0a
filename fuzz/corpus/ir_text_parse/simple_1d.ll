; ModuleID = 'reverse_kernel'
;
; airlink test corpus: simple_1d.ll
; Written by the airlink project for its own tests (hand-written from the
; facts in docs/air-conventions.md#seed-test-simple; no other project's IR text copied).
;
; What it covers: the "simple" reverse-linking shell.
;   * kernel @reverse_kernel(src, dst, tid, simd_lane)
;   * a single threadgroup global [128 x float] (512 bytes, 32 used per TG)
;   * one 1D async copy device -> threadgroup with the hardware-run operand
;     order of the seed (i64 4, i64 32, tg, src, i64 0), docs/air-intrinsics.md#open-question-1d-operand-order
;   * the event pointer lives in a thread-private alloca wrapped in
;     llvm.lifetime.start/end.p0i8 (size 8)
;   * air.wait_simdgroup_events(i32 1, slot) then air.wg.barrier(i32 2, i32 1)
;   * a call to the externally defined visible function
;     @transform_value.MTL_VISIBLE_FN_REF plus !air.visible_function_references
;   * attribute groups #0..#4 exactly as listed in docs/air-conventions.md#shared-shell-structure
;
; Check: llvm-as-14 simple_1d.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output simple_1d.ll

source_filename = "reverse_kernel"
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; Opaque event type returned by the async-copy intrinsics (docs/air-intrinsics.md#events-and-waits).
%event_t = type opaque

; The one threadgroup buffer (address space 3). Only one TG global is used:
; separate addrspace(3) globals are reported to alias (docs/air-conventions.md#threadgroup-memory).
@tg_buf = internal addrspace(3) global [128 x float] undef, align 4

; Kernel entry point. Buffers first, system values last (docs/air-conventions.md#argument-order).
define void @reverse_kernel(float addrspace(1)* noundef "air-buffer-no-alias" %src, float addrspace(1)* nocapture noundef writeonly "air-buffer-no-alias" %dst, i32 noundef %tid, i32 noundef %simd_lane) local_unnamed_addr #0 {
entry:
  ; Thread-private slot that holds the event pointer.
  %event = alloca %event_t addrspace(3)*, align 8
  %event.i8 = bitcast %event_t addrspace(3)** %event to i8*
  call void @llvm.lifetime.start.p0i8(i64 8, i8* nonnull %event.i8) #3

  ; Source offset = (tid / 32) * 32, computed in i64 (32-thread threadgroups).
  %group = lshr i32 %tid, 5
  %group.base = shl i32 %group, 5
  %src.off = zext i32 %group.base to i64
  %src.tile = getelementptr inbounds float, float addrspace(1)* %src, i64 %src.off
  %src.tile.i8 = bitcast float addrspace(1)* %src.tile to i8 addrspace(1)*

  ; 1D copy device -> TG, operands (size 4, count 32, dst, src, 0).
  %ev = call %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64 4, i64 32, i8 addrspace(3)* bitcast ([128 x float] addrspace(3)* @tg_buf to i8 addrspace(3)*), i8 addrspace(1)* %src.tile.i8, i64 0)
  store %event_t addrspace(3)* %ev, %event_t addrspace(3)** %event, align 8
  call void @air.wait_simdgroup_events(i32 1, %event_t addrspace(3)** nonnull %event)
  ; threadgroup_barrier(mem_flags::mem_threadgroup)
  call void @air.wg.barrier(i32 2, i32 1)

  ; Each lane reads tg_buf[simd_lane] (reading the copied data is required,
  ; see docs/air-intrinsics.md#the-m1-hang-rule) and transforms it.
  %lane = zext i32 %simd_lane to i64
  %tg.elem = getelementptr inbounds [128 x float], [128 x float] addrspace(3)* @tg_buf, i64 0, i64 %lane
  %val = load float, float addrspace(3)* %tg.elem, align 4
  %res = call float @transform_value.MTL_VISIBLE_FN_REF(float %val) #4

  ; dst[tid] = result
  %gid = zext i32 %tid to i64
  %dst.elem = getelementptr inbounds float, float addrspace(1)* %dst, i64 %gid
  store float %res, float addrspace(1)* %dst.elem, align 4

  call void @llvm.lifetime.end.p0i8(i64 8, i8* nonnull %event.i8) #3
  ret void
}

; AIR intrinsics (convergent, group #1).
declare %event_t addrspace(3)* @air.simdgroup_async_copy_1d.p3i8.p1i8(i64, i64, i8 addrspace(3)*, i8 addrspace(1)*, i64) local_unnamed_addr #1

declare void @air.wait_simdgroup_events(i32, %event_t addrspace(3)**) local_unnamed_addr #1

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

; LLVM lifetime intrinsics (group #2). Note: llvm-as-14 replaces the
; attributes of llvm.* declarations with its own intrinsic table.
declare void @llvm.lifetime.start.p0i8(i64 immarg, i8* nocapture) #2

declare void @llvm.lifetime.end.p0i8(i64 immarg, i8* nocapture) #2

; The visible function, resolved at pipeline creation (docs/air-conventions.md#calling-a-visible-function-from-a-shell):
; no attribute group, no body, special section.
declare float @transform_value.MTL_VISIBLE_FN_REF(float) local_unnamed_addr section "air.externally_defined"

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }
attributes #2 = { argmemonly mustprogress nocallback nofree nosync nounwind willreturn }
attributes #3 = { nounwind }
attributes #4 = { nobuiltin nounwind "no-builtins" }

!air.kernel = !{!0}
!llvm.module.flags = !{!7, !8, !9, !10, !11, !12, !13}
!air.compile_options = !{!14, !15, !16}
!air.visible_function_references = !{!17}
!llvm.ident = !{!18}
!air.version = !{!19}
!air.language_version = !{!20}
!air.source_file_name = !{!21}

; !air.kernel: { kernel fn, stage outputs (empty for compute), arg nodes }
!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32)* @reverse_kernel, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"src"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"dst"}
!5 = !{i32 2, !"air.thread_position_in_grid", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!6 = !{i32 3, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"simd_lane"}
; Module flags (docs/air-conventions.md#module-flags): behaviour 1 = Error, 7 = Max.
!7 = !{i32 1, !"wchar_size", i32 4}
!8 = !{i32 7, !"air.max_device_buffers", i32 31}
!9 = !{i32 7, !"air.max_constant_buffers", i32 31}
!10 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!11 = !{i32 7, !"air.max_textures", i32 128}
!12 = !{i32 7, !"air.max_read_write_textures", i32 8}
!13 = !{i32 7, !"air.max_samplers", i32 16}
!14 = !{!"air.compile.denorms_disable"}
!15 = !{!"air.compile.fast_math_enable"}
!16 = !{!"air.compile.framebuffer_fetch_enable"}
; Reference to the externally defined visible function; the third operand is
; the name the runtime resolves.
!17 = !{!"air.visible_function_reference", float (float)* @transform_value.MTL_VISIBLE_FN_REF, !"transform_value"}
!18 = !{!"Apple metal version 32023.850 (metalfe-32023.850)"}
!19 = !{i32 2, i32 8, i32 0}
!20 = !{!"Metal", i32 4, i32 0, i32 0}
!21 = !{!"simple_1d.ll"}
