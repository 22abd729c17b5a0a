; Inline body for copy_2d.toml: the IR of the seed's MSL body
;   [[visible]] void process_tile(threadgroup float* tg, uint simd_lane)
;   { if (simd_lane < 32) tg[simd_lane] *= 10; }
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @process_tile(float addrspace(3)* nocapture noundef %tg, i32 noundef %simd_lane) local_unnamed_addr #0 {
entry:
  %in.range = icmp ult i32 %simd_lane, 32
  br i1 %in.range, label %scale, label %done

scale:
  %l = zext i32 %simd_lane to i64
  %p = getelementptr inbounds float, float addrspace(3)* %tg, i64 %l
  %v = load float, float addrspace(3)* %p, align 4
  %v10 = fmul fast float %v, 1.000000e+01
  store float %v10, float addrspace(3)* %p, align 4
  br label %done

done:
  ret void
}

attributes #0 = { argmemonly mustprogress nofree norecurse nosync nounwind willreturn "frame-pointer"="none" "min-legal-vector-width"="0" "no-builtins" "no-trapping-math"="true" "stack-protector-buffer-size"="8" }
