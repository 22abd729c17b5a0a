; A test driver for the attention bodies, independent of the spec language:
; one threadgroup of 128 threads loads 32 query rows (Q, 32x64) into
; threadgroup memory with plain loads and stores, then two key/value blocks
; of 16 rows each (K and V are 32x64): attn_block on block 0 with all 16
; keys valid, then on block 1 with `kv2` valid keys (the rest must be
; masked), then attn_finish, and copies the 32x64 O block out. The bodies
; are linked from examples/attention. Written by hand for
; crates/air-kernels/tests/bodies.rs.
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

; Q at [0, 2048), K block at [2048, 3072), V block at [3072, 4096), O at
; [4096, 6144).
@tg = internal addrspace(3) global [6144 x float] undef, align 4

define void @attention_blocks(float addrspace(1)* noundef "air-buffer-no-alias" %Q, float addrspace(1)* noundef "air-buffer-no-alias" %K, float addrspace(1)* noundef "air-buffer-no-alias" %V, float addrspace(1)* noundef "air-buffer-no-alias" %O, i32 addrspace(2)* noundef %kv2.p, i32 noundef %tid, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  %o_acc = alloca [16 x float], align 4
  %m_run = alloca float, align 4
  %l_run = alloca float, align 4
  %acc0 = getelementptr inbounds [16 x float], [16 x float]* %o_acc, i64 0, i64 0
  store float 0xC6293E5940000000, float* %m_run, align 4
  store float 0.000000e+00, float* %l_run, align 4
  %t = zext i32 %tid to i64
  %kv2 = load i32, i32 addrspace(2)* %kv2.p, align 4
  %tg.q = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tg, i64 0, i64 0
  %tg.k = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tg, i64 0, i64 2048
  %tg.v = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tg, i64 0, i64 3072
  %tg.o = getelementptr inbounds [6144 x float], [6144 x float] addrspace(3)* @tg, i64 0, i64 4096
  br label %zero

zero:
  %z = phi i64 [ 0, %entry ], [ %z.next, %zero ]
  %z.p = getelementptr inbounds float, float* %acc0, i64 %z
  store float 0.000000e+00, float* %z.p, align 4
  %z.next = add nuw nsw i64 %z, 1
  %z.more = icmp ult i64 %z.next, 16
  br i1 %z.more, label %zero, label %load.q

load.q:                                           ; 16 elements of Q per thread
  %iq = phi i64 [ 0, %zero ], [ %iq.next, %load.q ]
  %iq.off = shl nuw nsw i64 %iq, 7
  %q.idx = add nuw nsw i64 %t, %iq.off
  %q.p = getelementptr inbounds float, float addrspace(1)* %Q, i64 %q.idx
  %q = load float, float addrspace(1)* %q.p, align 4
  %q.t = getelementptr inbounds float, float addrspace(3)* %tg.q, i64 %q.idx
  store float %q, float addrspace(3)* %q.t, align 4
  %iq.next = add nuw nsw i64 %iq, 1
  %iq.more = icmp ult i64 %iq.next, 16
  br i1 %iq.more, label %load.q, label %block

block:                                            ; blocks 0 and 1
  %blk = phi i64 [ 0, %load.q ], [ 1, %next ]
  %blk.off = shl nuw nsw i64 %blk, 10
  br label %load.kv

load.kv:                                          ; 8 elements of K and V per thread
  %ik = phi i64 [ 0, %block ], [ %ik.next, %load.kv ]
  %ik.off = shl nuw nsw i64 %ik, 7
  %kv.idx = add nuw nsw i64 %t, %ik.off
  %src.idx = add nuw nsw i64 %kv.idx, %blk.off
  %k.p = getelementptr inbounds float, float addrspace(1)* %K, i64 %src.idx
  %k = load float, float addrspace(1)* %k.p, align 4
  %k.t = getelementptr inbounds float, float addrspace(3)* %tg.k, i64 %kv.idx
  store float %k, float addrspace(3)* %k.t, align 4
  %v.p = getelementptr inbounds float, float addrspace(1)* %V, i64 %src.idx
  %v = load float, float addrspace(1)* %v.p, align 4
  %v.t = getelementptr inbounds float, float addrspace(3)* %tg.v, i64 %kv.idx
  store float %v, float addrspace(3)* %v.t, align 4
  %ik.next = add nuw nsw i64 %ik, 1
  %ik.more = icmp ult i64 %ik.next, 8
  br i1 %ik.more, label %load.kv, label %math

math:
  call void @air.wg.barrier(i32 2, i32 1)
  %first = icmp eq i64 %blk, 0
  %valid = select i1 %first, i32 16, i32 %kv2
  call void @attn_block(float addrspace(3)* %tg.q, float addrspace(3)* %tg.k, float addrspace(3)* %tg.v, float* %acc0, float* %m_run, float* %l_run, i32 %valid, i32 %sidx, i32 %lane)
  ; every simdgroup is done with the block before it is overwritten
  call void @air.wg.barrier(i32 2, i32 1)
  br i1 %first, label %next, label %finish

next:
  br label %block

finish:
  call void @attn_finish(float* %acc0, float* %l_run, float addrspace(3)* %tg.o, i32 %sidx, i32 %lane)
  call void @air.wg.barrier(i32 2, i32 1)
  br label %store

store:                                            ; 16 elements of O per thread
  %j = phi i64 [ 0, %finish ], [ %j.next, %store ]
  %j.off = shl nuw nsw i64 %j, 7
  %o.idx = add nuw nsw i64 %t, %j.off
  %o.t = getelementptr inbounds float, float addrspace(3)* %tg.o, i64 %o.idx
  %o = load float, float addrspace(3)* %o.t, align 4
  %o.p = getelementptr inbounds float, float addrspace(1)* %O, i64 %o.idx
  store float %o, float addrspace(1)* %o.p, align 4
  %j.next = add nuw nsw i64 %j, 1
  %j.more = icmp ult i64 %j.next, 16
  br i1 %j.more, label %store, label %done

done:
  ret void
}

declare void @attn_block(float addrspace(3)*, float addrspace(3)*, float addrspace(3)*, float*, float*, float*, i32, i32, i32) local_unnamed_addr

declare void @attn_finish(float*, float*, float addrspace(3)*, i32, i32) local_unnamed_addr

declare void @air.wg.barrier(i32, i32) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nounwind willreturn }

!air.kernel = !{!0}
!llvm.module.flags = !{!10, !11, !12, !13, !14, !15, !16}
!air.compile_options = !{!17, !18, !19}
!air.version = !{!21}
!air.language_version = !{!22}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32 addrspace(2)*, i32, i32, i32)* @attention_blocks, !1, !2}
!1 = !{}
!2 = !{!3, !4, !5, !6, !7, !8, !9, !23}
!3 = !{i32 0, !"air.buffer", !"air.location_index", i32 0, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"Q"}
!4 = !{i32 1, !"air.buffer", !"air.location_index", i32 1, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"K"}
!5 = !{i32 2, !"air.buffer", !"air.location_index", i32 2, i32 1, !"air.read", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"V"}
!6 = !{i32 3, !"air.buffer", !"air.location_index", i32 3, i32 1, !"air.read_write", !"air.address_space", i32 1, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"float", !"air.arg_name", !"O"}
!7 = !{i32 4, !"air.buffer", !"air.location_index", i32 4, i32 1, !"air.read", !"air.address_space", i32 2, !"air.arg_type_size", i32 4, !"air.arg_type_align_size", i32 4, !"air.arg_type_name", !"uint", !"air.arg_name", !"kv2"}
!8 = !{i32 5, !"air.thread_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"tid"}
!9 = !{i32 6, !"air.simdgroup_index_in_threadgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"sidx"}
!23 = !{i32 7, !"air.thread_index_in_simdgroup", !"air.arg_type_name", !"uint", !"air.arg_name", !"lane"}
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
