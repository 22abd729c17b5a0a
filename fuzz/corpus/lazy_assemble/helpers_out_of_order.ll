; Helpers defined before and after their callers, a chain, a helper shared
; by two kernels, a visible function that is also called, and a function
; nothing reaches (airlink's stream test).
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define internal float @helper_b(float %x) {
entry:
  %y = fmul float %x, 2.000000e+00
  ret float %y
}

define void @k1(float addrspace(1)* %out, i32 %tid) {
entry:
  %v = call float @helper_a(float 1.000000e+00)
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %v, float addrspace(1)* %p, align 4
  ret void
}

define float @vis(float %x) {
entry:
  %y = call float @helper_b(float %x)
  ret float %y
}

define void @k2(float addrspace(1)* %out, i32 %tid) {
entry:
  %v = call float @vis(float 3.000000e+00)
  %w = call float @helper_b(float %v)
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %w, float addrspace(1)* %p, align 4
  ret void
}

define internal float @helper_a(float %x) {
entry:
  %y = call float @helper_b(float %x)
  %z = fadd float %y, 1.000000e+00
  ret float %z
}

define void @unreached(i32 %x) {
entry:
  %y = add i32 %x, 1
  ret void
}

!air.kernel = !{!0, !1}
!air.visible = !{!2}
!air.version = !{!5}
!0 = !{void (float addrspace(1)*, i32)* @k1, !3, !4}
!1 = !{void (float addrspace(1)*, i32)* @k2, !3, !4}
!2 = !{float (float)* @vis, !3, !3}
!3 = !{}
!4 = !{}
!5 = !{i32 2, i32 8, i32 0}
