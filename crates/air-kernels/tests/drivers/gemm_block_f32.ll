; A test driver for the GEMM bodies, independent of the spec language: one
; threadgroup of 128 threads loads a 32x32 block of A and of B (device, pitch
; 32) into threadgroup memory with plain loads and stores, calls gemm_tile
; twice on them (so C = 2·A·B: the accumulators must survive between calls),
; then gemm_store, and copies the 32x32 C block out. The bodies are linked
; from examples/gemm. Written by hand for crates/air-kernels/tests/bodies.rs.
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; A block at [0, 1024), B block at [1024, 2048), C block at [2048, 3072).
@tg = internal addrspace(3) global [3072 x float] undef, align 4

define void @gemm_block(float addrspace(1)* noundef "air-buffer-no-alias" %A, float addrspace(1)* noundef "air-buffer-no-alias" %B, float addrspace(1)* noundef "air-buffer-no-alias" %C, i32 noundef %tid, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  %acc = alloca [8 x float], align 4
  %acc0 = getelementptr inbounds [8 x float], [8 x float]* %acc, i64 0, i64 0
  %t = zext i32 %tid to i64
  br label %zero

zero:
  %z = phi i64 [ 0, %entry ], [ %z.next, %zero ]
  %z.p = getelementptr inbounds float, float* %acc0, i64 %z
  store float 0.000000e+00, float* %z.p, align 4
  %z.next = add nuw nsw i64 %z, 1
  %z.more = icmp ult i64 %z.next, 8
  br i1 %z.more, label %zero, label %load

load:
  %i = phi i64 [ 0, %zero ], [ %i.next, %load ]
  %i.off = shl nuw nsw i64 %i, 7
  %idx = add nuw nsw i64 %t, %i.off
  %a.p = getelementptr inbounds float, float addrspace(1)* %A, i64 %idx
  %a = load float, float addrspace(1)* %a.p, align 4
  %a.t = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 %idx
  store float %a, float addrspace(3)* %a.t, align 4
  %b.p = getelementptr inbounds float, float addrspace(1)* %B, i64 %idx
  %b = load float, float addrspace(1)* %b.p, align 4
  %b.idx = add nuw nsw i64 %idx, 1024
  %b.t = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 %b.idx
  store float %b, float addrspace(3)* %b.t, align 4
  %i.next = add nuw nsw i64 %i, 1
  %i.more = icmp ult i64 %i.next, 8
  br i1 %i.more, label %load, label %math

math:
  call void @air.wg.barrier(i32 2, i32 1)
  %tg.a = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 0
  %tg.b = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 1024
  %tg.c = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 2048
  call void @gemm_tile(float addrspace(3)* %tg.a, float addrspace(3)* %tg.b, float* %acc0, i32 %sidx, i32 %lane)
  call void @gemm_tile(float addrspace(3)* %tg.a, float addrspace(3)* %tg.b, float* %acc0, i32 %sidx, i32 %lane)
  call void @gemm_store(float* %acc0, float addrspace(3)* %tg.c, i32 %sidx, i32 %lane)
  call void @air.wg.barrier(i32 2, i32 1)
  br label %store

store:
  %j = phi i64 [ 0, %math ], [ %j.next, %store ]
  %j.off = shl nuw nsw i64 %j, 7
  %o.idx = add nuw nsw i64 %t, %j.off
  %c.idx = add nuw nsw i64 %o.idx, 2048
  %c.t = getelementptr inbounds [3072 x float], [3072 x float] addrspace(3)* @tg, i64 0, i64 %c.idx
  %c = load float, float addrspace(3)* %c.t, align 4
  %c.p = getelementptr inbounds float, float addrspace(1)* %C, i64 %o.idx
  store float %c, float addrspace(1)* %c.p, align 4
  %j.next = add nuw nsw i64 %j, 1
  %j.more = icmp ult i64 %j.next, 8
  br i1 %j.more, label %store, label %done

done:
  ret void
}

declare void @gemm_tile(float addrspace(3)*, float addrspace(3)*, float*, i32, i32) local_unnamed_addr

declare void @gemm_store(float*, float addrspace(3)*, i32, i32) local_unnamed_addr

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!air.version = !{!21}
!air.language_version = !{!22}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32, i32, i32)* @gemm_block, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"A"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"B"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"C"}
!6 = !{i32 3, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!7 = !{i32 4, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"sidx"}
!8 = !{i32 5, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}
!10 = !{i32 1, !"wchar_size", i32 4}
!11 = !{i32 7, !"air.max_device_buffers", i32 31}
!12 = !{i32 7, !"air.max_constant_buffers", i32 31}
!13 = !{i32 7, !"air.max_threadgroup_buffers", i32 31}
!14 = !{i32 7, !"air.max_textures", i32 128}
!15 = !{i32 7, !"air.max_read_write_textures", i32 8}
!16 = !{i32 7, !"air.max_samplers", i32 16}
!17 = !{!"air.compile.denorms_disable"}
!18 = !{!"air.compile.fast_math_enable"}
!19 = !{!"air.compile.framebuffer_fetch_enable"}
!21 = !{i32 2, i32 8, i32 0}
!22 = !{!"Metal", i32 4, i32 0, i32 0}
