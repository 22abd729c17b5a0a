; [[visible]] float transform_value(float v) { return v * 3 + 7; }
; (what Apple's frontend emits under fast math, which is Metal's default)
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define float @transform_value(float noundef %v) local_unnamed_addr {
entry:
  %mul = fmul fast float %v, 3.000000e+00
  %add = fadd fast float %mul, 7.000000e+00
  ret float %add
}
