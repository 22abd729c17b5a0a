; Bodies that refer to things defined after them: a named type, metadata
; nodes, a call-site attribute group and a helper, plus a metadata node
; made inside a body (airlink's lazy_assemble seed).
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-f32:32:32-f64:64:64-v16:16:16-v24:32:32-v32:32:32-v48:64:64-v64:64:64-v96:128:128-v128:128:128-v192:256:256-v256:256:256-v512:512:512-v1024:1024:1024-n8:16:32"
target triple = "air64_v28-apple-macosx26.0.0"

define void @k0(float addrspace(1)* %out, i32 %tid) {
entry:
  %pair = alloca %struct.Pair, align 4
  %f = getelementptr inbounds %struct.Pair, %struct.Pair* %pair, i32 0, i32 0
  store float 1.000000e+00, float* %f, align 4, !lazy.note !4
  %v = load float, float* %f, align 4, !lazy.inline !{!"made in a body", i32 7}
  %w = call float @late(float %v) #0
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %w, float addrspace(1)* %p, align 4
  ret void
}

define void @k1(float addrspace(1)* %out, i32 %tid) {
entry:
  %w = call float @late(float 2.000000e+00), !lazy.note !5
  %i = zext i32 %tid to i64
  %p = getelementptr inbounds float, float addrspace(1)* %out, i64 %i
  store float %w, float addrspace(1)* %p, align 4
  ret void
}

define internal float @late(float %x) {
entry:
  %y = fmul float %x, 3.000000e+00, !lazy.note !4
  ret float %y
}

%struct.Pair = type { float, i32 }

attributes #0 = { nounwind }

!air.kernel = !{!0, !1}
!air.version = !{!3}
!0 = !{void (float addrspace(1)*, i32)* @k0, !2, !2}
!1 = !{void (float addrspace(1)*, i32)* @k1, !2, !2}
!2 = !{}
!3 = !{i32 2, i32 8, i32 0}
!4 = !{!"late node"}
!5 = distinct !{!5}
