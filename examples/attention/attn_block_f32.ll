; attn_block, f32: the AIR body of attn_block_f32.metal, written by hand for
; this project (the CPU executor runs it as the visible function; inline mode
; imports it into the shell). Same loop nest as the MSL; `metal:N` names the
; line of attn_block_f32.metal that each builtin call (or group of plain
; instructions) stands for.
;
; Simdgroup-matrix operands (crates/air-ir/src/intrinsics.rs, AIR >= 2.8
; form): the pointer is the 8x8 tile's corner, dims <8, 8>, origin <0, 0>,
; strides <1, 64> for a row-major tile and <64, 1> for a transposed one (Kᵀ).
; A lane's <64 x float> holds its elements (row, col), (row, col + 1) in
; elements 0 and 1 (Metal's thread_elements()), col = ((lane/4) & 2)*2 +
; (lane%2)*2; the 4 lanes of a row differ in lane bits 0 and 3, so row
; reductions shuffle with xor 1, then xor 8.
;
; Check: airlink fmt attn_block_f32.ll
;        llvm-as-14 attn_block_f32.ll -o /dev/null
;        opt-14 -mtriple=x86_64-apple-macosx -verify -disable-output attn_block_f32.ll
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @attn_block(float addrspace(3)* noundef %q, float addrspace(3)* noundef %k, float addrspace(3)* noundef %v, float* nocapture noundef %o_acc, float* nocapture noundef %m_run, float* nocapture noundef %l_run, i32 noundef %kv_valid, i32 noundef %sidx, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  ; r0 = sidx * 8; this simdgroup's query rows start at q + r0*64      metal:24
  %r0.32 = shl i32 %sidx, 3
  %r0 = zext i32 %r0.32 to i64
  %q.off = shl nuw nsw i64 %r0, 6
  %q.rows = getelementptr inbounds float, float addrspace(3)* %q, i64 %q.off
  %k.rows8 = getelementptr inbounds float, float addrspace(3)* %k, i64 512
  %zero = call <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float 0.000000e+00) #3 ; metal:25
  br label %s.loop

s.loop:                                           ; metal:28, kk = 0..7
  %kk = phi i64 [ 0, %entry ], [ %kk.next, %s.loop ]
  %s0 = phi <64 x float> [ %zero, %entry ], [ %s0.next, %s.loop ]
  %s1 = phi <64 x float> [ %zero, %entry ], [ %s1.next, %s.loop ]
  %d0 = shl nuw nsw i64 %kk, 3
  %qf.p = getelementptr inbounds float, float addrspace(3)* %q.rows, i64 %d0
  %k0.p = getelementptr inbounds float, float addrspace(3)* %k, i64 %d0
  %k1.p = getelementptr inbounds float, float addrspace(3)* %k.rows8, i64 %d0
  %qf = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %qf.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer) #4 ; metal:30
  %k0 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %k0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 64, i64 1>, <2 x i64> zeroinitializer) #4 ; metal:31 (transposed)
  %k1 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %k1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 64, i64 1>, <2 x i64> zeroinitializer) #4 ; metal:32 (transposed)
  %s0.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %qf, <64 x float> %k0, <64 x float> %s0) #3 ; metal:33
  %s1.next = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %qf, <64 x float> %k1, <64 x float> %s1) #3 ; metal:34
  %kk.next = add nuw nsw i64 %kk, 1
  %s.more = icmp ult i64 %kk.next, 8
  br i1 %s.more, label %s.loop, label %softmax

softmax:
  ; col = ((lane / 4) & 2) * 2 + (lane % 2) * 2                          metal:38
  %quad = lshr i32 %lane, 2
  %quad.b1 = and i32 %quad, 2
  %col.hi = shl i32 %quad.b1, 1
  %lane.b0 = and i32 %lane, 1
  %col.lo = shl i32 %lane.b0, 1
  %col = add nuw nsw i32 %col.hi, %col.lo
  ; x = s * log2(e)/8 (0.18033688 as a float)                             metal:40-43
  %s.0 = extractelement <64 x float> %s0.next, i64 0
  %s.1 = extractelement <64 x float> %s0.next, i64 1
  %s.2 = extractelement <64 x float> %s1.next, i64 0
  %s.3 = extractelement <64 x float> %s1.next, i64 1
  %x0.s = fmul fast float %s.0, 0x3FC7154760000000
  %x1.s = fmul fast float %s.1, 0x3FC7154760000000
  %x2.s = fmul fast float %s.2, 0x3FC7154760000000
  %x3.s = fmul fast float %s.3, 0x3FC7154760000000
  ; columns col, col+1, col+8, col+9 at or past kv_valid score -1e30     metal:44-47
  %col.1 = add nuw nsw i32 %col, 1
  %col.8 = add nuw nsw i32 %col, 8
  %col.9 = add nuw nsw i32 %col, 9
  %ok0 = icmp ult i32 %col, %kv_valid
  %ok1 = icmp ult i32 %col.1, %kv_valid
  %ok2 = icmp ult i32 %col.8, %kv_valid
  %ok3 = icmp ult i32 %col.9, %kv_valid
  %x0 = select i1 %ok0, float %x0.s, float 0xC6293E5940000000
  %x1 = select i1 %ok1, float %x1.s, float 0xC6293E5940000000
  %x2 = select i1 %ok2, float %x2.s, float 0xC6293E5940000000
  %x3 = select i1 %ok3, float %x3.s, float 0xC6293E5940000000
  ; the lane's maximum                                                   metal:48-50
  %gt01 = fcmp fast ogt float %x0, %x1
  %mb.01 = select i1 %gt01, float %x0, float %x1
  %gt2 = fcmp fast ogt float %mb.01, %x2
  %mb.012 = select i1 %gt2, float %mb.01, float %x2
  %gt3 = fcmp fast ogt float %mb.012, %x3
  %mb.lane = select i1 %gt3, float %mb.012, float %x3
  ; the row's maximum over its 4 lanes                                   metal:51-54
  %m1 = call float @air.simd_shuffle_xor.f32(float %mb.lane, i32 1) #3 ; metal:51
  %gt.m1 = fcmp fast ogt float %mb.lane, %m1
  %mb.2 = select i1 %gt.m1, float %mb.lane, float %m1
  %m8 = call float @air.simd_shuffle_xor.f32(float %mb.2, i32 8) #3 ; metal:53
  %gt.m8 = fcmp fast ogt float %mb.2, %m8
  %mb = select i1 %gt.m8, float %mb.2, float %m8
  ; m_new = max(m_old, mb); corr = 2^(m_old - m_new)                     metal:57-59
  %m_old = load float, float* %m_run, align 4
  %gt.old = fcmp fast ogt float %m_old, %mb
  %m_new = select i1 %gt.old, float %m_old, float %mb
  %m.diff = fsub fast float %m_old, %m_new
  %corr = call fast float @air.fast_exp2.f32(float %m.diff) #5 ; metal:59
  ; p = 2^(x - m_new)                                                    metal:60-63
  %x0.d = fsub fast float %x0, %m_new
  %p0 = call fast float @air.fast_exp2.f32(float %x0.d) #5 ; metal:60
  %x1.d = fsub fast float %x1, %m_new
  %p1 = call fast float @air.fast_exp2.f32(float %x1.d) #5 ; metal:61
  %x2.d = fsub fast float %x2, %m_new
  %p2 = call fast float @air.fast_exp2.f32(float %x2.d) #5 ; metal:62
  %x3.d = fsub fast float %x3, %m_new
  %p3 = call fast float @air.fast_exp2.f32(float %x3.d) #5 ; metal:63
  ; the row's sum over its 4 lanes                                       metal:64-68
  %p01 = fadd fast float %p0, %p1
  %p23 = fadd fast float %p2, %p3
  %lb.lane = fadd fast float %p01, %p23
  %l1 = call float @air.simd_shuffle_xor.f32(float %lb.lane, i32 1) #3 ; metal:65
  %lb.2 = fadd fast float %lb.lane, %l1
  %l8 = call float @air.simd_shuffle_xor.f32(float %lb.2, i32 8) #3 ; metal:67
  %lb = fadd fast float %lb.2, %l8
  ; l_run = l_run * corr + lb; m_run = m_new                             metal:69-70
  %l_old = load float, float* %l_run, align 4
  %l.scaled = fmul fast float %l_old, %corr
  %l_new = fadd fast float %l.scaled, %lb
  store float %l_new, float* %l_run, align 4
  store float %m_new, float* %m_run, align 4
  ; P in S's fragments                                                   metal:72-75
  %pf0.e0 = insertelement <64 x float> %s0.next, float %p0, i64 0
  %pf0 = insertelement <64 x float> %pf0.e0, float %p1, i64 1
  %pf1.e0 = insertelement <64 x float> %s1.next, float %p2, i64 0
  %pf1 = insertelement <64 x float> %pf1.e0, float %p3, i64 1
  %v.rows8 = getelementptr inbounds float, float addrspace(3)* %v, i64 512
  br label %o.loop

o.loop:                                           ; metal:77, ct = 0..7
  %ct = phi i64 [ 0, %softmax ], [ %ct.next, %o.loop ]
  ; o = zero with o_acc[2ct] * corr, o_acc[2ct+1] * corr                metal:78-80
  %e = shl nuw nsw i64 %ct, 1
  %acc0.p = getelementptr inbounds float, float* %o_acc, i64 %e
  %acc1.p = getelementptr inbounds float, float* %acc0.p, i64 1
  %acc0 = load float, float* %acc0.p, align 4
  %acc1 = load float, float* %acc1.p, align 4
  %acc0.c = fmul fast float %acc0, %corr
  %acc1.c = fmul fast float %acc1, %corr
  %o.e0 = insertelement <64 x float> %zero, float %acc0.c, i64 0
  %o = insertelement <64 x float> %o.e0, float %acc1.c, i64 1
  %c0 = shl nuw nsw i64 %ct, 3
  %v0.p = getelementptr inbounds float, float addrspace(3)* %v, i64 %c0
  %v1.p = getelementptr inbounds float, float addrspace(3)* %v.rows8, i64 %c0
  %v0 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v0.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer) #4 ; metal:81
  %v1 = call <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* %v1.p, <2 x i64> <i64 8, i64 8>, <2 x i64> <i64 1, i64 64>, <2 x i64> zeroinitializer) #4 ; metal:82
  %o.1 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf0, <64 x float> %v0, <64 x float> %o) #3 ; metal:83
  %o.2 = call <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float> %pf1, <64 x float> %v1, <64 x float> %o.1) #3 ; metal:84
  ; back to o_acc                                                        metal:85-86
  %out0 = extractelement <64 x float> %o.2, i64 0
  %out1 = extractelement <64 x float> %o.2, i64 1
  store float %out0, float* %acc0.p, align 4
  store float %out1, float* %acc1.p, align 4
  %ct.next = add nuw nsw i64 %ct, 1
  %o.more = icmp ult i64 %ct.next, 8
  br i1 %o.more, label %o.loop, label %done

done:
  ret void
}

declare <64 x float> @air.simdgroup_matrix_8x8_init_filled.v64f32.f32(float) local_unnamed_addr #1

declare <64 x float> @air.simdgroup_matrix_8x8_load.v64f32.p3f32(float addrspace(3)* nocapture, <2 x i64>, <2 x i64>, <2 x i64>) local_unnamed_addr #2

declare <64 x float> @air.simdgroup_matrix_8x8_multiply_accumulate.v64f32.v64f32.v64f32.v64f32(<64 x float>, <64 x float>, <64 x float>) local_unnamed_addr #1

declare float @air.simd_shuffle_xor.f32(float, i32) local_unnamed_addr #1

declare float @air.fast_exp2.f32(float) local_unnamed_addr #6

attributes #0 = { convergent mustprogress nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { convergent mustprogress nofree nosync nounwind readnone willreturn }
attributes #2 = { argmemonly convergent mustprogress nofree nosync nounwind readonly willreturn }
attributes #3 = { convergent nounwind readnone willreturn }
attributes #4 = { convergent nounwind readonly willreturn }
attributes #5 = { nounwind readnone willreturn }
attributes #6 = { mustprogress nofree nosync nounwind readnone willreturn }
