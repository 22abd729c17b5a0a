define float @g(float %0, float %1) {
  %3 = fadd fast float %0, %1
  br label %4

4:
  %5 = phi float [ %3, %2 ]
  ret float %5
}
