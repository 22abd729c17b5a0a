; add_rows of row_hist.toml: hist[(4*block + r) % 16] += rows[r*32 + lane]
; for r = 0..3, in order.
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @add_rows(float addrspace(3)* nocapture noundef readonly %rows, float* nocapture noundef %hist, i32 noundef %lane, i32 noundef %block) #0 {
entry:
  %l = zext i32 %lane to i64
  %b = zext i32 %block to i64
  %first = shl i64 %b, 2
  br label %row

row:
  %r = phi i64 [ 0, %entry ], [ %r.next, %row ]
  %ri = mul i64 %r, 32
  %i = add i64 %ri, %l
  %p = getelementptr inbounds float, float addrspace(3)* %rows, i64 %i
  %v = load float, float addrspace(3)* %p, align 4
  %x = add i64 %first, %r
  %k = urem i64 %x, 16
  %hp = getelementptr inbounds float, float* %hist, i64 %k
  %h = load float, float* %hp, align 4
  %s = fadd float %h, %v
  store float %s, float* %hp, align 4
  %r.next = add i64 %r, 1
  %more = icmp ult i64 %r.next, 4
  br i1 %more, label %row, label %done

done:
  ret void
}

attributes #0 = { mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
