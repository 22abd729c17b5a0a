declare float @g(float)

define float @f(i32 %x) {
entry:
  %r = call float @g(i32 %x)
  ret float %r
}
