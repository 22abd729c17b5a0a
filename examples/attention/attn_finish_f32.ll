; attn_finish, f32: the AIR body of attn_finish_f32.metal, written by hand
; for this project; `metal:N` names the line of attn_finish_f32.metal that
; each builtin call (or group of plain instructions) stands for. Fragments
; and the AIR >= 2.8 simdgroup-matrix store as in attn_block_f32.ll.
;
; Check: airlink fmt attn_finish_f32.ll
;        llvm-as-14 attn_finish_f32.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output attn_finish_f32.ll
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @attn_finish(float* nocapture noundef readonly %o_acc, float* nocapture noundef readonly %l_run, float addrspace(3)* noundef %o, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  ; r0 = sidx * 8; rows start at o + r0*64                              metal:15
  %r0.32 = shl i32 %sidx, 3
  %r0 = zext i32 %r0.32 to i64
  %o.off = shl nuw nsw i64 %r0, 6
  %o.rows = getelementptr inbounds float, float addrspace(3)* %o, i64 %o.off
  ; inv = 1 / l_run[0]                                                   metal:16
  %l = load float, float* %l_run, align 4
  %inv = fdiv fast float 1.000000e+00, %l
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00) #2 ; metal:17
  br label %ct.loop

ct.loop:                                          ; metal:18, ct = 0..7
  %ct = phi i64 [ 0, %entry ], [ %ct.next, %ct.loop ]
  ; f = zero with o_acc[2ct] * inv, o_acc[2ct+1] * inv                  metal:19-21
  %e = shl nuw nsw i64 %ct, 1
  %acc0.p = getelementptr inbounds float, float* %o_acc, i64 %e
  %acc1.p = getelementptr inbounds float, float* %acc0.p, i64 1
  %acc0 = load float, float* %acc0.p, align 4
  %acc1 = load float, float* %acc1.p, align 4
  %f0 = fmul fast float %acc0, %inv
  %f1 = fmul fast float %acc1, %inv
  %f.e0 = insertelement <64 x float> %zero, float %f0, i64 0
  %f = insertelement <64 x float> %f.e0, float %f1, i64 1
  %c0 = shl nuw nsw i64 %ct, 3
  %tile = getelementptr inbounds float, float addrspace(3)* %o.rows, i64 %c0
  call void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float> %f, float addrspace(3)* %tile, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer) #3 ; metal:22
  %ct.next = add nuw nsw i64 %ct, 1
  %more = icmp ult i64 %ct.next, 8
  br i1 %more, label %ct.loop, label %done

done:
  ret void
}

declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float) local_unnamed_addr #1

declare void @air.simdgroup_matrix_8x8_store.v64f32.p3f32(<64 x float>, float addrspace(3)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #4

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nofree nosync nounwind readnone willreturn }
attributes #2 = { convergent nounwind readnone willreturn }
attributes #3 = { convergent nounwind willreturn writeonly }
attributes #4 = { argmemonly convergent mustprogress nofree nosync nounwind willreturn writeonly }
