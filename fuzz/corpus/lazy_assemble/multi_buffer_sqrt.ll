; Inline body for multi_buffer.toml: the IR of the seed's MSL body
;   [[visible]] void compute_tile(threadgroup float* A, threadgroup float* B,
;                                 device float* C, uint tid, uint lane)
;   { C[tid] = sqrt(A[lane]) + B[lane] * 2; }
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @compute_tile(float addrspace(3)* nocapture noundef readonly %A, float addrspace(3)* nocapture noundef readonly %B, float addrspace(1)* nocapture noundef writeonly %C, i32 noundef %tid, i32 noundef %lane) local_unnamed_addr #0 {
entry:
  %l = zext i32 %lane to i64
  %a.p = getelementptr inbounds float, float addrspace(3)* %A, i64 %l
  %a = load float, float addrspace(3)* %a.p, align 4
  %b.p = getelementptr inbounds float, float addrspace(3)* %B, i64 %l
  %b = load float, float addrspace(3)* %b.p, align 4
  %s = call fast float @air.fast_sqrt.f32(float %a)
  %b2 = fmul fast float %b, 2.000000e+00
  %r = fadd fast float %s, %b2
  %t = zext i32 %tid to i64
  %c.p = getelementptr inbounds float, float addrspace(1)* %C, i64 %t
  store float %r, float addrspace(1)* %c.p, align 4
  ret void
}

; MSL sqrt() under fast math (the default) lowers to air.fast_sqrt.f32 (not
; checked against Apple output).
declare float @air.fast_sqrt.f32(float) local_unnamed_addr #1

attributes #0 = { argmemonly mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
attributes #1 = { mustprogress nofree nosync nounwind readnone willreturn }
