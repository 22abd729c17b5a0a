define void @f() {
entry:
  frobnicate i32 1
  ret void
}
