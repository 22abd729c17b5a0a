; gemm_tile, f16 inputs with f32 accumulation: the AIR body of
; gemm_tile_f16.metal, written by hand for this project (the CPU executor
; runs it as the visible function; inline mode imports it into the shell).
; Same loop nest as the MSL; `metal:N` names the line of gemm_tile_f16.metal
; that each builtin call stands for.
;
; Simdgroup-matrix operands (crates/air-ir/src/intrinsics.rs, AIR >= 2.8
; form): the pointer is the 8x8 tile's corner, dims <8, 8>, strides
; <1, pitch> (row-major), origin <0, 0>. A lane's <64 x T> holds its two
; elements of the tile in elements 0 and 1 (Metal's thread_elements()). The
; A and B fragments are <64 x half>; the mixed multiply-accumulate
; (.v64f32.v64f16.v64f16.v64f32) accumulates in float.
;
; Check: airlink fmt gemm_tile_f16.ll
;        llvm-as-14 gemm_tile_f16.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output gemm_tile_f16.ll
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @gemm_tile(half addrspace(3)* noundef %a, half addrspace(3)* noundef %b, float* nocapture noundef %acc, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  ; r0 = (sidx / 2) * 16, c0 = (sidx % 2) * 16                         metal:17-18
  %sg.row = lshr i32 %sidx, 1
  %r0.32 = shl i32 %sg.row, 4
  %sg.col = and i32 %sidx, 1
  %c0.32 = shl i32 %sg.col, 4
  %r0 = zext i32 %r0.32 to i64
  %c0 = zext i32 %c0.32 to i64
  ; The loop-invariant parts of the tile addresses: a + r0*32, a + (r0+8)*32,
  ; b + c0, b + c0 + 8.
  %a.off = shl nuw nsw i64 %r0, 5
  %a.row0 = getelementptr inbounds half, half addrspace(3)* %a, i64 %a.off
  %a.row8 = getelementptr inbounds half, half addrspace(3)* %a.row0, i64 256
  %b.col0 = getelementptr inbounds half, half addrspace(3)* %b, i64 %c0
  %b.col8 = getelementptr inbounds half, half addrspace(3)* %b.col0, i64 8
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00) #2 ; metal:19
  ; c00..c11 = zero with acc[2f], acc[2f+1] in thread_elements() 0, 1     metal:20-28
  %acc.p1 = getelementptr inbounds float, float* %acc, i64 1
  %acc.p2 = getelementptr inbounds float, float* %acc, i64 2
  %acc.p3 = getelementptr inbounds float, float* %acc, i64 3
  %acc.p4 = getelementptr inbounds float, float* %acc, i64 4
  %acc.p5 = getelementptr inbounds float, float* %acc, i64 5
  %acc.p6 = getelementptr inbounds float, float* %acc, i64 6
  %acc.p7 = getelementptr inbounds float, float* %acc, i64 7
  %acc.0 = load float, float* %acc, align 4
  %acc.1 = load float, float* %acc.p1, align 4
  %acc.2 = load float, float* %acc.p2, align 4
  %acc.3 = load float, float* %acc.p3, align 4
  %acc.4 = load float, float* %acc.p4, align 4
  %acc.5 = load float, float* %acc.p5, align 4
  %acc.6 = load float, float* %acc.p6, align 4
  %acc.7 = load float, float* %acc.p7, align 4
  %c00.e0 = insertelement <64 x float> %zero, float %acc.0, i64 0
  %c00.in = insertelement <64 x float> %c00.e0, float %acc.1, i64 1
  %c01.e0 = insertelement <64 x float> %zero, float %acc.2, i64 0
  %c01.in = insertelement <64 x float> %c01.e0, float %acc.3, i64 1
  %c10.e0 = insertelement <64 x float> %zero, float %acc.4, i64 0
  %c10.in = insertelement <64 x float> %c10.e0, float %acc.5, i64 1
  %c11.e0 = insertelement <64 x float> %zero, float %acc.6, i64 0
  %c11.in = insertelement <64 x float> %c11.e0, float %acc.7, i64 1
  br label %kk.loop

kk.loop:                                          ; metal:29, kk = 0..3
  %kk = phi i64 [ 0, %entry ], [ %kk.next, %kk.loop ]
  %c00 = phi <64 x float> [ %c00.in, %entry ], [ %c00.next, %kk.loop ]
  %c01 = phi <64 x float> [ %c01.in, %entry ], [ %c01.next, %kk.loop ]
  %c10 = phi <64 x float> [ %c10.in, %entry ], [ %c10.next, %kk.loop ]
  %c11 = phi <64 x float> [ %c11.in, %entry ], [ %c11.next, %kk.loop ]
  %k.col = shl nuw nsw i64 %kk, 3
  %k.row = shl nuw nsw i64 %kk, 8
  %x0.p = getelementptr inbounds half, half addrspace(3)* %a.row0, i64 %k.col
  %x1.p = getelementptr inbounds half, half addrspace(3)* %a.row8, i64 %k.col
  %y0.p = getelementptr inbounds half, half addrspace(3)* %b.col0, i64 %k.row
  %y1.p = getelementptr inbounds half, half addrspace(3)* %b.col8, i64 %k.row
  %x0 = call <64 x half> @air.simdgroup_matrix_8x8_load.v64f16.p3f16(half addrspace(3)* %x0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:31
  %x1 = call <64 x half> @air.simdgroup_matrix_8x8_load.v64f16.p3f16(half addrspace(3)* %x1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:32
  %y0 = call <64 x half> @air.simdgroup_matrix_8x8_load.v64f16.p3f16(half addrspace(3)* %y0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:33
  %y1 = call <64 x half> @air.simdgroup_matrix_8x8_load.v64f16.p3f16(half addrspace(3)* %y1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:34
  %c00.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32(<64 x half> %x0, <64 x half> %y0, <64 x float> %c00) #2 ; metal:35
  %c01.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32(<64 x half> %x0, <64 x half> %y1, <64 x float> %c01) #2 ; metal:36
  %c10.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32(<64 x half> %x1, <64 x half> %y0, <64 x float> %c10) #2 ; metal:37
  %c11.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32(<64 x half> %x1, <64 x half> %y1, <64 x float> %c11) #2 ; metal:38
  %kk.next = add nuw nsw i64 %kk, 1
  %more = icmp ult i64 %kk.next, 4
  br i1 %more, label %kk.loop, label %done

done:                                             ; metal:40-47
  %o.0 = extractelement <64 x float> %c00.next, i64 0
  %o.1 = extractelement <64 x float> %c00.next, i64 1
  %o.2 = extractelement <64 x float> %c01.next, i64 0
  %o.3 = extractelement <64 x float> %c01.next, i64 1
  %o.4 = extractelement <64 x float> %c10.next, i64 0
  %o.5 = extractelement <64 x float> %c10.next, i64 1
  %o.6 = extractelement <64 x float> %c11.next, i64 0
  %o.7 = extractelement <64 x float> %c11.next, i64 1
  store float %o.0, float* %acc, align 4
  store float %o.1, float* %acc.p1, align 4
  store float %o.2, float* %acc.p2, align 4
  store float %o.3, float* %acc.p3, align 4
  store float %o.4, float* %acc.p4, align 4
  store float %o.5, float* %acc.p5, align 4
  store float %o.6, float* %acc.p6, align 4
  store float %o.7, float* %acc.p7, align 4
  ret void
}

declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float) local_unnamed_addr #1

declare <64 x half> @air.simdgroup_matrix_8x8_load.v64f16.p3f16(half addrspace(3)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #4

declare <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f16.v64f16.v64f32(<64 x half>, <64 x half>, <64 x float>) local_unnamed_addr #1

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nofree nosync nounwind readnone willreturn }
attributes #2 = { convergent nounwind readnone willreturn }
attributes #3 = { convergent nounwind readonly willreturn }
attributes #4 = { argmemonly convergent mustprogress nofree nosync nounwind readonly willreturn }
