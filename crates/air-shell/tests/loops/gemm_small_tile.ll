; Per-tile math of gemm_small.toml: thread `tid` (0..63) owns the two C
; elements idx = 2*tid + e (e = 0, 1), row idx / 16, column idx % 16, and
; adds sum over k < 4 of a[row*4 + k] * b[k*16 + col] to acc[e], k ascending,
; with separate fmul and fadd (no contraction), so every mode and the
; reference compute the same rounding sequence.
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @gemm_tile(float addrspace(3)* nocapture noundef readonly %a, float addrspace(3)* nocapture noundef readonly %b, float* nocapture noundef %acc, i32 noundef %tid) #0 {
entry:
  %t = zext i32 %tid to i64
  %t2 = shl i64 %t, 1
  br label %elem

elem:
  %e = phi i64 [ 0, %entry ], [ %e.next, %elem.end ]
  %idx = add i64 %t2, %e
  %row = udiv i64 %idx, 16
  %col = urem i64 %idx, 16
  %acc.p = getelementptr inbounds float, float* %acc, i64 %e
  %acc0 = load float, float* %acc.p, align 4
  %arow = mul i64 %row, 4
  br label %k.loop

k.loop:
  %k = phi i64 [ 0, %elem ], [ %k.next, %k.loop ]
  %sum = phi float [ %acc0, %elem ], [ %sum.next, %k.loop ]
  %ai = add i64 %arow, %k
  %ap = getelementptr inbounds float, float addrspace(3)* %a, i64 %ai
  %av = load float, float addrspace(3)* %ap, align 4
  %bk = mul i64 %k, 16
  %bi = add i64 %bk, %col
  %bp = getelementptr inbounds float, float addrspace(3)* %b, i64 %bi
  %bv = load float, float addrspace(3)* %bp, align 4
  %prod = fmul float %av, %bv
  %sum.next = fadd float %sum, %prod
  %k.next = add i64 %k, 1
  %k.more = icmp ult i64 %k.next, 4
  br i1 %k.more, label %k.loop, label %elem.end

elem.end:
  store float %sum.next, float* %acc.p, align 4
  %e.next = add i64 %e, 1
  %e.more = icmp ult i64 %e.next, 2
  br i1 %e.more, label %elem, label %done

done:
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
