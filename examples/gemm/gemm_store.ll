; gemm_store: the AIR body of gemm_store.metal, written by hand for this
; project; `metal:N` names the line of gemm_store.metal that each builtin call
; stands for. The accumulators go back into fragments (thread_elements() 0
; and 1 = elements 0 and 1 of each lane's <64 x float>) and are stored with
; the AIR >= 2.8 simdgroup-matrix store (crates/air-ir/src/intrinsics.rs):
; pointer at the 8x8 tile's corner, dims <8, 8>, strides <1, 32>, origin 0.
;
; Check: airlink fmt gemm_store.ll
;        llvm-as-14 gemm_store.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output gemm_store.ll
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @gemm_store(float* nocapture noundef readonly %acc, float addrspace(3)* noundef %c, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  ; r0 = (sidx / 2) * 16, c0 = (sidx % 2) * 16                         metal:13-14
  %sg.row = lshr i32 %sidx, 1
  %r0.32 = shl i32 %sg.row, 4
  %sg.col = and i32 %sidx, 1
  %c0.32 = shl i32 %sg.col, 4
  %r0 = zext i32 %r0.32 to i64
  %c0 = zext i32 %c0.32 to i64
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00) #2 ; metal:15
  ; c00..c11 = zero with acc[2f], acc[2f+1] in thread_elements() 0, 1     metal:16-24
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
  %c00 = insertelement <64 x float> %c00.e0, float %acc.1, i64 1
  %c01.e0 = insertelement <64 x float> %zero, float %acc.2, i64 0
  %c01 = insertelement <64 x float> %c01.e0, float %acc.3, i64 1
  %c10.e0 = insertelement <64 x float> %zero, float %acc.4, i64 0
  %c10 = insertelement <64 x float> %c10.e0, float %acc.5, i64 1
  %c11.e0 = insertelement <64 x float> %zero, float %acc.6, i64 0
  %c11 = insertelement <64 x float> %c11.e0, float %acc.7, i64 1
  ; Tile corners: c + r0*32 + c0, then + 8 columns, + 8 rows (256 elements).
  %row.off = shl nuw nsw i64 %r0, 5
  %off = add nuw nsw i64 %row.off, %c0
  %p00 = getelementptr inbounds float, float addrspace(3)* %c, i64 %off
  %p01 = getelementptr inbounds float, float addrspace(3)* %p00, i64 8
  %p10 = getelementptr inbounds float, float addrspace(3)* %p00, i64 256
  %p11 = getelementptr inbounds float, float addrspace(3)* %p00, i64 264
  call void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float> %c00, float addrspace(3)* %p00, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:25
  call void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float> %c01, float addrspace(3)* %p01, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:26
  call void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float> %c10, float addrspace(3)* %p10, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:27
  call void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float> %c11, float addrspace(3)* %p11, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 32>, <2 x i64> zeroinitializer) #3 ; metal:28
  ret void
}

declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float) local_unnamed_addr #1

declare void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float>, float addrspace(3)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #4

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nofree nosync nounwind readnone willreturn }
attributes #2 = { convergent nounwind readnone willreturn }
attributes #3 = { convergent nounwind willreturn writeonly }
attributes #4 = { argmemonly convergent mustprogress nofree nosync nounwind willreturn writeonly }
