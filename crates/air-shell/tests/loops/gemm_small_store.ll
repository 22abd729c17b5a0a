; Store step of gemm_small.toml: thread `tid` writes its two accumulators to
; the 8 x 16 C block in threadgroup memory, c[2*tid + e] = acc[e].
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @gemm_store(float* nocapture noundef readonly %acc, float addrspace(3)* nocapture noundef writeonly %c, i32 noundef %tid) #0 {
entry:
  %t = zext i32 %tid to i64
  %i0 = shl i64 %t, 1
  %i1 = add i64 %i0, 1
  %v0 = load float, float* %acc, align 4
  %p1 = getelementptr inbounds float, float* %acc, i64 1
  %v1 = load float, float* %p1, align 4
  %c0 = getelementptr inbounds float, float addrspace(3)* %c, i64 %i0
  %c1 = getelementptr inbounds float, float addrspace(3)* %c, i64 %i1
  store float %v0, float addrspace(3)* %c0, align 4
  store float %v1, float addrspace(3)* %c1, align 4
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
