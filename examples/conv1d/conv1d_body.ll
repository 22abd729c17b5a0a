; The body of the conv1d example in AIR, written by hand: what conv1d.metal
; computes, for the CPU reference executor (visible mode: linked like a
; JIT-compiled function) and for `body = "inline"` (copied into the shell).
;   acc = bias; for k in 0..5: acc = fma(taps[k], window[lane + k], acc)
; Unrolled; the order of the fma calls is the MSL loop's.
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define float @conv_window(float addrspace(3)* nocapture noundef readonly %window, float addrspace(1)* nocapture noundef readonly %taps, i32 noundef %lane, float noundef %bias) local_unnamed_addr #0 {
entry:
  %l = zext i32 %lane to i64
  %w0.p = getelementptr inbounds float, float addrspace(3)* %window, i64 %l
  %w0 = load float, float addrspace(3)* %w0.p, align 4
  %t0 = load float, float addrspace(1)* %taps, align 4
  %acc0 = call fast float @air.fma.f32(float %t0, float %w0, float %bias)
  %w1.p = getelementptr inbounds float, float addrspace(3)* %w0.p, i64 1
  %w1 = load float, float addrspace(3)* %w1.p, align 4
  %t1.p = getelementptr inbounds float, float addrspace(1)* %taps, i64 1
  %t1 = load float, float addrspace(1)* %t1.p, align 4
  %acc1 = call fast float @air.fma.f32(float %t1, float %w1, float %acc0)
  %w2.p = getelementptr inbounds float, float addrspace(3)* %w0.p, i64 2
  %w2 = load float, float addrspace(3)* %w2.p, align 4
  %t2.p = getelementptr inbounds float, float addrspace(1)* %taps, i64 2
  %t2 = load float, float addrspace(1)* %t2.p, align 4
  %acc2 = call fast float @air.fma.f32(float %t2, float %w2, float %acc1)
  %w3.p = getelementptr inbounds float, float addrspace(3)* %w0.p, i64 3
  %w3 = load float, float addrspace(3)* %w3.p, align 4
  %t3.p = getelementptr inbounds float, float addrspace(1)* %taps, i64 3
  %t3 = load float, float addrspace(1)* %t3.p, align 4
  %acc3 = call fast float @air.fma.f32(float %t3, float %w3, float %acc2)
  %w4.p = getelementptr inbounds float, float addrspace(3)* %w0.p, i64 4
  %w4 = load float, float addrspace(3)* %w4.p, align 4
  %t4.p = getelementptr inbounds float, float addrspace(1)* %taps, i64 4
  %t4 = load float, float addrspace(1)* %t4.p, align 4
  %acc4 = call fast float @air.fma.f32(float %t4, float %w4, float %acc3)
  ret float %acc4
}

; MSL fma() lowers to air.fma.f32 (as in examples/specs/multi_buffer_fma.ll).
declare float @air.fma.f32(float, float, float) local_unnamed_addr #1

attributes #0 = { argmemonly mustprogress nofree norecurse nosync nounwind readonly willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { mustprogress nofree nosync nounwind readnone willreturn }
